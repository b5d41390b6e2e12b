# SPDX-License-Identifier: BSD-3-Clause
"""cases_ha.py - the HA pair's dataplane (docs/dataplane.md "HA role").

Each case runs unit 1 (or 2) of a pair: haimg.py turns the compiled image
into an HA image (per-unit addresses below, every other address floating)
and the dataplane starts in the case's role with `--ha-role` (no sekisho-cp
here).  garp_count is 0 except in the announcement case, so an active unit
sends nothing unprompted and outputs stay ordered.

  outside  203.0.113.1, 2001:db8:ff::1 floating; 203.0.113.2 unit 1, .3 unit 2
  inside   10.10.0.1, 2001:db8:10::1 floating;   10.10.0.2 unit 1, .3 unit 2
  dmz      192.0.2.1, 2001:db8:d::1 floating
"""

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
from scapy.layers.l2 import Ether, ARP
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, DMZ, PORT_MAC, PORT_IP4, PORT_IP6, CLIENT_MAC,
                     CLIENT4, WEB4, generated, tcp4, icmp4_echo, forwarded, echo_reply_for)
import haimg

OWN1, OWN2 = "203.0.113.2", "203.0.113.3"
FLOAT4 = PORT_IP4[OUTSIDE]
PEER_MAC = "02:00:00:00:0e:0e"
UNITS = {1: [OWN1, "10.10.0.2"], 2: [OWN2, "10.10.0.3"]}
EXTRA = {"extra_ipv4": {OUTSIDE: [OWN1 + "/24", OWN2 + "/24"],
                        INSIDE: ["10.10.0.2/24", "10.10.0.3/24"]}}
PING = ('{ name = "ping-fw"; from = "any"; to = "local"; proto = "icmp"; '
        'icmp_type = 8; action = "accept"; }')
WEB_IN = ('{ name = "web-in"; from = "outside"; to = "inside"; proto = "tcp"; '
          'dst = [ "10.10.0.11/32" ]; dport = [ "80" ]; action = "accept"; }')
SYN = tcp4(CLIENT4, WEB4, 40000, 80, "S", seq=1000)


def ha(role, unit=1, **kw):
    d = dict(unit=unit, role=role, units=UNITS)
    d.update(kw)
    return d


def arp_req(target):
    return Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / \
        ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=target)


def arp_reply(addr):
    return Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) / \
        ARP(op=2, hwsrc=PORT_MAC[OUTSIDE], psrc=addr, hwdst=CLIENT_MAC, pdst=CLIENT4)


def garp(port, addr):
    return Ether(src=PORT_MAC[port], dst="ff:ff:ff:ff:ff:ff") / \
        ARP(op=1, hwsrc=PORT_MAC[port], psrc=addr, hwdst="00:00:00:00:00:00", pdst=addr)


def unsol_na(port, addr):
    return generated(Ether(src=PORT_MAC[port], dst="33:33:00:00:00:01") /
                     IPv6(src=addr, dst="ff02::1", hlim=255) /
                     ICMPv6ND_NA(R=0, S=0, O=1, tgt=addr) /
                     ICMPv6NDOptDstLLAddr(lladdr=PORT_MAC[port]))


def hb_frame(payload, src=OWN2, dst=OWN1):
    """The peer's dataplane heartbeat, UDP dp_port -> dp_port on outside."""
    return Ether(src=PEER_MAC, dst=PORT_MAC[OUTSIDE]) / \
        IP(src=src, dst=dst, ttl=255, id=1) / \
        UDP(sport=haimg.DP_PORT, dport=haimg.DP_PORT) / Raw(payload)


HB_UNIT1 = dict(dp={1: OWN1}, dp_iface=OUTSIDE)   # unit 2 has none: unit 1 sends nothing
HB_UNIT2 = dict(dp={2: OWN2}, dp_iface=OUTSIDE)

HA_CASES = [
    dict(name="ha_standby_arp_own_only",
         # a standby answers for its own address only: not the floating one,
         # never the other unit's
         rules=[], conf=EXTRA, ha=ha("standby"),
         inputs={OUTSIDE: [arp_req(FLOAT4), arp_req(OWN1), arp_req(OWN2)]},
         outputs={OUTSIDE: [arp_reply(OWN1)]},
         counters={"local.arp_replies": 1, "consumed": 1, "drops.arp_not_ours": 2,
                   "ha.role_changes": 1, "ha.garp_sent": 0}),

    dict(name="ha_standby_drops_floating_and_transit",
         rules=[WEB_IN, PING], conf=EXTRA, ha=ha("standby"),
         inputs={OUTSIDE: [SYN, icmp4_echo(CLIENT4, FLOAT4), icmp4_echo(CLIENT4, OWN1),
                           icmp4_echo(CLIENT4, OWN2)]},
         outputs={OUTSIDE: [echo_reply_for(icmp4_echo(CLIENT4, OWN1))]},
         counters={"drops.ha_standby": 3, "local.echo_replies": 1, "consumed": 1,
                   "forwarded": 0, "rules.web-in.pkts": 0, "rules.ping-fw.pkts": 1,
                   "conns.created": 0}),

    dict(name="ha_active_arp_floating",
         rules=[], conf=EXTRA, ha=ha("active"),
         inputs={OUTSIDE: [arp_req(FLOAT4), arp_req(OWN2)]},
         outputs={OUTSIDE: [arp_reply(FLOAT4)]},
         counters={"local.arp_replies": 1, "consumed": 1, "drops.arp_not_ours": 1,
                   "ha.garp_sent": 0}),

    dict(name="ha_active_forwards_and_answers",
         rules=[WEB_IN, PING], conf=EXTRA, ha=ha("active"),
         inputs={OUTSIDE: [SYN, icmp4_echo(CLIENT4, FLOAT4)]},
         outputs={INSIDE: [forwarded(SYN)],
                  OUTSIDE: [echo_reply_for(icmp4_echo(CLIENT4, FLOAT4))]},
         counters={"forwarded": 1, "local.echo_replies": 1, "consumed": 1,
                   "rules.web-in.pkts": 1, "drops.ha_standby": 0}),

    dict(name="ha_active_announces_floating",
         # becoming active: one gratuitous ARP / unsolicited NA per floating
         # address on its interface (garp_count 1)
         rules=[], conf=EXTRA, ha=ha("active", garp_count=1),
         inputs={},
         outputs={OUTSIDE: [garp(OUTSIDE, FLOAT4), unsol_na(OUTSIDE, PORT_IP6[OUTSIDE])],
                  INSIDE: [garp(INSIDE, PORT_IP4[INSIDE]), unsol_na(INSIDE, PORT_IP6[INSIDE])],
                  DMZ: [garp(DMZ, PORT_IP4[DMZ]), unsol_na(DMZ, PORT_IP6[DMZ])]},
         counters={"ha.garp_sent": 6, "consumed": 0}),

    dict(name="ha_heartbeat_checked",
         # valid, replayed, forged (other PSK), truncated, own unit id
         rules=[], conf=EXTRA, ha=ha("standby", **HB_UNIT1),
         inputs={OUTSIDE: [hb_frame(haimg.heartbeat(2, "standby", 3, 1)),
                           hb_frame(haimg.heartbeat(2, "standby", 3, 1)),
                           hb_frame(haimg.heartbeat(2, "standby", 3, 2, psk="wrong")),
                           hb_frame(haimg.heartbeat(2, "standby", 3, 3)[:-1]),
                           hb_frame(haimg.heartbeat(1, "standby", 3, 4))]},
         outputs={},
         counters={"ha.hb_rx": 1, "ha.hb_replay": 1, "ha.hb_bad_mac": 1,
                   "ha.hb_malformed": 2, "ha.peer_term": 3, "ha.peer_unit": 2,
                   "consumed": 5, "ha.hb_tx": 0}),

    dict(name="ha_fenced_by_newer_term",
         rules=[], conf=EXTRA, ha=ha("active", **HB_UNIT1),
         inputs={OUTSIDE: [hb_frame(haimg.heartbeat(2, "active", 5, 1))]},
         outputs={},
         counters={"ha.hb_rx": 1, "ha.fenced": 1, "ha.role_changes": 2, "consumed": 1}),

    dict(name="ha_equal_terms_unit1_keeps",
         rules=[], conf=EXTRA, ha=ha("active", **HB_UNIT1),
         inputs={OUTSIDE: [hb_frame(haimg.heartbeat(2, "active", 0, 1))]},
         outputs={},
         counters={"ha.hb_rx": 1, "ha.fenced": 0, "ha.role_changes": 1, "consumed": 1}),

    dict(name="ha_equal_terms_unit2_yields",
         rules=[], conf=EXTRA, ha=ha("active", unit=2, **HB_UNIT2),
         inputs={OUTSIDE: [hb_frame(haimg.heartbeat(1, "active", 0, 1), src=OWN1, dst=OWN2)]},
         outputs={},
         counters={"ha.hb_rx": 1, "ha.fenced": 1, "ha.role_changes": 2, "consumed": 1}),
]
