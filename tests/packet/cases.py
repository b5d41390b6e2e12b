# SPDX-License-Identifier: BSD-3-Clause
"""cases.py - the packet test table.

Each case is a dict (see README.md for the full list of keys):
  name      unique; `tests/packet/run NAME` runs the cases whose name contains NAME
  rules     policy rules, libconfig text of one rule each (rule() builds one)
  inputs    {port: [frames]}: what each port receives, in order
  outputs   {port: [Expect | scapy packet | Datagram]}: what each port must
            send, in order; a port not listed must send nothing
  counters  {"path.in.stats": value}: expected stats values (an int, or a
            tuple of allowed ints); every drop counter not listed must be 0
  conf      optional overrides of base.conf (tcp_loose, default, zone_defaults,
            mtu_outside/mtu_inside/mtu_dmz, dataplane_extra)
  held      optional: packets the dataplane may still hold at stop (waiting
            for reassembly or ARP); each is either still held or counted in
            one of held_reasons
Ports: 0 outside, 1 inside, 2 dmz.  A port's packets are all processed before
the next port's when each port gets fewer than 32 (see README.md).
"""

from ipaddress import IPv6Address

from scapy.layers.inet import IP, TCP, UDP, fragment
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrRouting, ICMPv6EchoRequest,
                                ICMPv6EchoReply, ICMPv6ND_NS, ICMPv6ND_NA,
                                ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr)
from scapy.layers.l2 import Ether, ARP, Dot1Q
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, DMZ, PORT_MAC, PORT_IP4, PORT_IP6,
                     CLIENT_MAC,
                     CLIENT4, WEB4, DMZ1_4, DMZ2_4, CLIENT6, WEB6,
                     Expect, Datagram, generated, from_host, tcp4, tcp6, udp4, udp6,
                     icmp4_echo, forwarded, rst_for, unreach_for, net_unreach_for,
                     time_exceeded_for,
                     echo_reply_for)


def rule(name, action, frm=None, to=None, proto=None, src=None, dst=None,
         dport=None, icmp_type=None):
    """One rule in conf/lab.conf syntax."""
    parts = ['name = "%s";' % name]
    if frm:
        parts.append('from = "%s";' % frm)
    if to:
        parts.append('to = "%s";' % to)
    if proto:
        parts.append('proto = "%s";' % proto)
    for key, val in (("src", src), ("dst", dst), ("dport", dport)):
        if val is not None:
            parts.append('%s = [ %s ];' % (key, ", ".join('"%s"' % v for v in val)))
    if icmp_type is not None:
        parts.append("icmp_type = %d;" % icmp_type)
    parts.append('action = "%s";' % action)
    return "{ %s }" % " ".join(parts)


def on_outside(l3, dst_mac=PORT_MAC[OUTSIDE]):
    """A frame from the client's MAC on the outside port, whatever l3 says."""
    return Ether(src=CLIENT_MAC, dst=dst_mac) / l3


# Rules used by many cases.
WEB_IN = rule("web-in", "accept", "outside", "inside", "tcp",
              dst=["10.10.0.11/32", "2001:db8:10::/64"], dport=["80", "443"])
UDP_IN = rule("udp-in", "accept", "outside", "inside", "udp", dst=["10.10.0.0/24"],
              dport=["9000"])
TELNET_REJECT = rule("telnet-reject", "reject", "outside", "inside", "tcp", dport=["23"])
UDP_REJECT = rule("udp-reject", "reject", "outside", "inside", "udp", dport=["5000"])
PING_FW = rule("ping-fw", "accept", "any", "local", "icmp", icmp_type=8)
PING6_FW = rule("ping6-fw", "accept", "any", "local", "icmpv6", icmp_type=128)
DROP_SSDP = rule("drop-ssdp", "drop", proto="udp", dport=["1900"])

SYN = tcp4(CLIENT4, WEB4, 40000, 80, "S", seq=1000)
SYNACK = from_host(IP(src=WEB4, dst=CLIENT4, id=0x5555) /
                   TCP(sport=80, dport=40000, flags="SA", seq=9000, ack=1001, window=8192))


def frags(pkt, fragsize, reverse=False):
    """IPv4 fragments of pkt's datagram (fragsize data bytes each), as frames
    from the same sender."""
    eth = Ether(src=pkt[Ether].src, dst=pkt[Ether].dst)
    out = [eth / f for f in fragment(pkt[IP], fragsize=fragsize)]
    return out[::-1] if reverse else out


# A 1800-byte UDP datagram (IP total length), id 0x4242.
BIG_UDP = udp4(CLIENT4, WEB4, 5555, 9000, load=bytes(range(256)) * 6 + b"x" * 236, id=0x4242)
BIG_UDP_DMZ = udp4(CLIENT4, DMZ1_4, 5555, 9000, load=bytes(range(256)) * 6 + b"y" * 236,
                   id=0x4343)
assert len(BIG_UDP[IP]) == 1800


def _bad_ip4_checksum():
    p = Ether(bytes(tcp4(CLIENT4, WEB4, 40001, 80)))
    p[IP].chksum ^= 0x0101
    return Ether(bytes(p))


def _truncated_l4(proto, keep):
    """An IPv4 packet whose total length covers only `keep` bytes of L4."""
    l4 = bytes(TCP(sport=40002, dport=80) if proto == 6 else UDP(sport=5555, dport=9000))
    return from_host(IP(src=CLIENT4, dst=WEB4, proto=proto, id=7) / Raw(l4[:keep]))


def _ns(target, src=CLIENT6):
    """Neighbour solicitation from the client, to target's solicited-node group."""
    t = IPv6Address(target).packed
    sn = "ff02::1:ff%02x:%02x%02x" % (t[13], t[14], t[15])
    mac = "33:33:ff:%02x:%02x:%02x" % (t[13], t[14], t[15])
    return Ether(src=CLIENT_MAC, dst=mac) / IPv6(src=src, dst=sn, hlim=255) / \
        ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=CLIENT_MAC)


ECHO6_TO_WEB = from_host(IPv6(src=CLIENT6, dst=WEB6, hlim=64) /
                         ICMPv6EchoRequest(id=0x66, seq=1, data=b"ping6-sekisho"))
ECHO6_FROM_WEB = from_host(IPv6(src=WEB6, dst=CLIENT6, hlim=64) /
                           ICMPv6EchoReply(id=0x66, seq=1, data=b"ping6-sekisho"))
ECHO6_TO_FW = from_host(IPv6(src=CLIENT6, dst=PORT_IP6[OUTSIDE], hlim=64) /
                        ICMPv6EchoRequest(id=0x67, seq=2, data=b"hello-fw"))

ARP_REQ_FW = Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / \
    ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, hwdst="00:00:00:00:00:00", pdst=PORT_IP4[OUTSIDE])


CASES = [
    # ------------------------------------------------------------ forwarding
    dict(name="tcp_syn_forwarded",
         rules=[WEB_IN],
         inputs={OUTSIDE: [SYN]},
         outputs={INSIDE: [forwarded(SYN)]},
         counters={"rules.web-in.pkts": 1, "conns.created": 1, "forwarded": 1}),

    dict(name="tcp_syn_synack_return",
         rules=[WEB_IN],  # nothing allows inside -> outside: the SYN-ACK rides the connection
         inputs={OUTSIDE: [SYN], INSIDE: [SYNACK]},
         outputs={INSIDE: [forwarded(SYN)], OUTSIDE: [forwarded(SYNACK)]},
         counters={"rules.web-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="tcp_denied_by_rule",
         rules=[rule("no-telnet", "drop", "outside", "inside", "tcp", dport=["23"]), WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 23)]},
         outputs={},
         counters={"drops.policy_rule_drop": 1, "rules.no-telnet.pkts": 1,
                   "rules.web-in.pkts": 0, "conns.created": 0, "forwarded": 0}),

    dict(name="tcp_default_drop",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 8080)]},
         outputs={},
         counters={"drops.policy_default_drop": 1, "rules.web-in.pkts": 0,
                   "conns.created": 0}),

    dict(name="zone_default_accept",
         rules=[],
         conf={"zone_defaults": '{ from = "outside"; to = "dmz"; action = "accept"; }'},
         inputs={OUTSIDE: [tcp4(CLIENT4, DMZ1_4, 40000, 22)]},
         outputs={DMZ: [forwarded(tcp4(CLIENT4, DMZ1_4, 40000, 22))]},
         counters={"conns.created": 1, "forwarded": 1}),

    dict(name="tcp_reject_syn_rst",
         rules=[TELNET_REJECT],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 23, "S", seq=1000)]},
         outputs={OUTSIDE: [rst_for(tcp4(CLIENT4, WEB4, 40000, 23, "S", seq=1000))]},
         counters={"drops.policy_rule_reject": 1, "rules.telnet-reject.pkts": 1,
                   "local.tcp_resets": 1, "conns.created": 0}),

    dict(name="tcp_reject_syn_with_data_rst_ack",
         rules=[TELNET_REJECT],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 23, "S", seq=0xfffffffe, load=b"abcd")]},
         # ack = seq + 4 data + 1 SYN, wrapping past 2^32
         outputs={OUTSIDE: [rst_for(tcp4(CLIENT4, WEB4, 40000, 23, "S", seq=0xfffffffe,
                                         load=b"abcd"))]},
         counters={"drops.policy_rule_reject": 1, "local.tcp_resets": 1}),

    dict(name="tcp_reject_ack_rst_seq_from_ack",
         rules=[TELNET_REJECT],
         conf={"tcp_loose": "true"},  # so a mid-stream ACK reaches the policy
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 23, "PA", seq=5000, ack=777777,
                                load=b"data")]},
         outputs={OUTSIDE: [rst_for(tcp4(CLIENT4, WEB4, 40000, 23, "PA", seq=5000,
                                         ack=777777, load=b"data"))]},
         counters={"drops.policy_rule_reject": 1, "local.tcp_resets": 1}),

    dict(name="tcp6_reject_rst",
         rules=[rule("telnet6-reject", "reject", "outside", "inside", "tcp", dport=["23"])],
         inputs={OUTSIDE: [tcp6(CLIENT6, WEB6, 40000, 23, "S", seq=31337)]},
         outputs={OUTSIDE: [rst_for(tcp6(CLIENT6, WEB6, 40000, 23, "S", seq=31337))]},
         counters={"drops.policy_rule_reject": 1, "local.tcp_resets": 1}),

    dict(name="udp_reject_icmp_unreach",
         rules=[UDP_REJECT],
         inputs={OUTSIDE: [udp4(CLIENT4, WEB4, 5353, 5000, load=b"0123456789abcdef")]},
         outputs={OUTSIDE: [unreach_for(udp4(CLIENT4, WEB4, 5353, 5000,
                                             load=b"0123456789abcdef"))]},
         counters={"drops.policy_rule_reject": 1, "rules.udp-reject.pkts": 1,
                   "local.icmp_errors": 1}),

    dict(name="udp6_reject_icmp6_unreach",
         rules=[UDP_REJECT],
         inputs={OUTSIDE: [udp6(CLIENT6, WEB6, 5353, 5000, load=b"0123456789abcdef")]},
         outputs={OUTSIDE: [unreach_for(udp6(CLIENT6, WEB6, 5353, 5000,
                                             load=b"0123456789abcdef"))]},
         counters={"drops.policy_rule_reject": 1, "local.icmp_errors": 1}),

    dict(name="tcp_ack_out_of_state",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, "A", seq=1001, ack=9001)]},
         outputs={},
         counters={"drops.tcp_out_of_state": 1, "rules.web-in.pkts": 0, "conns.created": 0}),

    dict(name="tcp_ack_loose_pickup",
         rules=[WEB_IN],
         conf={"tcp_loose": "true"},
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, "A", seq=1001, ack=9001)]},
         outputs={INSIDE: [forwarded(tcp4(CLIENT4, WEB4, 40000, 80, "A", seq=1001,
                                          ack=9001))]},
         counters={"rules.web-in.pkts": 1, "conns.created": 1, "forwarded": 1}),

    dict(name="ttl1_time_exceeded",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, ttl=1)]},
         outputs={OUTSIDE: [time_exceeded_for(tcp4(CLIENT4, WEB4, 40000, 80, ttl=1))]},
         counters={"drops.ttl_exceeded": 1, "local.icmp_errors": 1, "forwarded": 0}),

    dict(name="hlim1_time_exceeded6",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp6(CLIENT6, WEB6, 40000, 80, hlim=1)]},
         outputs={OUTSIDE: [time_exceeded_for(tcp6(CLIENT6, WEB6, 40000, 80, hlim=1))]},
         counters={"drops.ttl_exceeded": 1, "local.icmp_errors": 1, "forwarded": 0}),

    dict(name="udp_flow_and_reply",
         rules=[UDP_IN],
         inputs={OUTSIDE: [udp4(CLIENT4, WEB4, 5353, 9000, load=b"request")],
                 INSIDE: [udp4(WEB4, CLIENT4, 9000, 5353, load=b"response")]},
         outputs={INSIDE: [forwarded(udp4(CLIENT4, WEB4, 5353, 9000, load=b"request"))],
                  OUTSIDE: [forwarded(udp4(WEB4, CLIENT4, 9000, 5353, load=b"response"))]},
         counters={"rules.udp-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="udp_reply_without_flow_dropped",
         rules=[UDP_IN],
         inputs={INSIDE: [udp4(WEB4, CLIENT4, 9000, 5353, load=b"response")]},
         outputs={},
         counters={"drops.policy_default_drop": 1, "conns.created": 0}),

    dict(name="icmp_echo_through_and_reply",
         rules=[rule("ping-in", "accept", "outside", "inside", "icmp", icmp_type=8)],
         inputs={OUTSIDE: [icmp4_echo(CLIENT4, WEB4)],
                 INSIDE: [icmp4_echo(WEB4, CLIENT4, reply=True)]},
         outputs={INSIDE: [forwarded(icmp4_echo(CLIENT4, WEB4))],
                  OUTSIDE: [forwarded(icmp4_echo(WEB4, CLIENT4, reply=True))]},
         counters={"rules.ping-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="udp_ssdp_dropped_by_rule",
         rules=[DROP_SSDP, rule("any-in", "accept", "outside", "inside")],
         inputs={OUTSIDE: [udp4(CLIENT4, WEB4, 1900, 1900, load=b"M-SEARCH * HTTP/1.1\r\n")]},
         outputs={},
         counters={"drops.policy_rule_drop": 1, "rules.drop-ssdp.pkts": 1,
                   "rules.any-in.pkts": 0}),

    dict(name="udp_ssdp_multicast_dropped",
         rules=[rule("any-in", "accept", "outside", "inside")],
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst="01:00:5e:7f:ff:fa") /
                           IP(src=CLIENT4, dst="239.255.255.250", ttl=4) /
                           UDP(sport=1900, dport=1900) / Raw(b"NOTIFY * HTTP/1.1\r\n")]},
         outputs={},
         counters={"drops.ip_broadcast": 1}),

    dict(name="no_route",
         rules=[rule("inside-out", "accept", "inside", "any")],
         inputs={INSIDE: [tcp4(WEB4, "198.18.0.1", 40000, 443)]},
         outputs={INSIDE: [net_unreach_for(tcp4(WEB4, "198.18.0.1", 40000, 443))]},
         counters={"drops.no_route": 1, "forwarded": 0, "local.icmp_errors": 1}),

    # ------------------------------------------------------------ IPv6
    dict(name="tcp6_syn_forwarded",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp6(CLIENT6, WEB6, 40000, 443)]},
         outputs={INSIDE: [forwarded(tcp6(CLIENT6, WEB6, 40000, 443))]},
         counters={"rules.web-in.pkts": 1, "conns.created": 1, "forwarded": 1}),

    dict(name="tcp6_denied_by_rule",
         rules=[rule("no-smtp6", "drop", "outside", "inside", "tcp", dport=["25"]), WEB_IN],
         inputs={OUTSIDE: [tcp6(CLIENT6, WEB6, 40000, 25)]},
         outputs={},
         counters={"drops.policy_rule_drop": 1, "rules.no-smtp6.pkts": 1}),

    dict(name="tcp6_default_drop",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp6(CLIENT6, WEB6, 40000, 22)]},
         outputs={},
         counters={"drops.policy_default_drop": 1}),

    dict(name="icmp6_echo_through_and_reply",
         rules=[rule("ping6-in", "accept", "outside", "inside", "icmpv6", icmp_type=128)],
         inputs={OUTSIDE: [ECHO6_TO_WEB], INSIDE: [ECHO6_FROM_WEB]},
         outputs={INSIDE: [forwarded(ECHO6_TO_WEB)], OUTSIDE: [forwarded(ECHO6_FROM_WEB)]},
         counters={"rules.ping6-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    # ------------------------------------------------------------ local
    dict(name="arp_request_for_unit_answered",
         rules=[],
         inputs={OUTSIDE: [ARP_REQ_FW]},
         outputs={OUTSIDE: [Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) /
                            ARP(op=2, hwsrc=PORT_MAC[OUTSIDE], psrc=PORT_IP4[OUTSIDE],
                                hwdst=CLIENT_MAC, pdst=CLIENT4)]},
         counters={"local.arp_replies": 1, "consumed": 1}),

    dict(name="arp_request_not_ours",
         rules=[],
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                           ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst="203.0.113.99")]},
         outputs={},
         counters={"drops.arp_not_ours": 1, "local.arp_replies": 0}),

    dict(name="arp_request_other_interface_address",
         # 10.10.0.1 is the unit's, but on "inside": not answered on "outside"
         rules=[],
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                           ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=PORT_IP4[INSIDE])]},
         outputs={},
         counters={"drops.arp_not_ours": 1, "local.arp_replies": 0}),

    dict(name="icmp_echo_to_unit_accepted",
         rules=[PING_FW],
         inputs={OUTSIDE: [icmp4_echo(CLIENT4, PORT_IP4[OUTSIDE])]},
         outputs={OUTSIDE: [echo_reply_for(icmp4_echo(CLIENT4, PORT_IP4[OUTSIDE]))]},
         counters={"local.echo_replies": 1, "consumed": 1, "rules.ping-fw.pkts": 1,
                   "forwarded": 0}),

    dict(name="icmp_echo_to_unit_ttl1_answered",
         # TTL only matters when forwarding; the unit itself still answers
         rules=[PING_FW],
         inputs={OUTSIDE: [icmp4_echo(CLIENT4, PORT_IP4[OUTSIDE], ttl=1)]},
         outputs={OUTSIDE: [echo_reply_for(icmp4_echo(CLIENT4, PORT_IP4[OUTSIDE], ttl=1))]},
         counters={"local.echo_replies": 1, "consumed": 1, "drops.ttl_exceeded": 0}),

    dict(name="icmp_echo_to_unit_no_rule",
         rules=[WEB_IN],
         inputs={OUTSIDE: [icmp4_echo(CLIENT4, PORT_IP4[OUTSIDE])]},
         outputs={},
         counters={"drops.policy_default_drop": 1, "local.echo_replies": 0, "consumed": 0}),

    dict(name="icmp6_echo_to_unit_accepted",
         rules=[PING6_FW],
         inputs={OUTSIDE: [ECHO6_TO_FW]},
         outputs={OUTSIDE: [echo_reply_for(ECHO6_TO_FW)]},
         counters={"local.echo_replies": 1, "consumed": 1, "rules.ping6-fw.pkts": 1}),

    dict(name="icmp6_echo_to_unit_no_rule",
         rules=[],
         inputs={OUTSIDE: [ECHO6_TO_FW]},
         outputs={},
         counters={"drops.policy_default_drop": 1, "local.echo_replies": 0}),

    dict(name="nd_solicit_for_unit_advert",
         rules=[],
         inputs={OUTSIDE: [_ns(PORT_IP6[OUTSIDE])]},
         # a router answers solicited (S), override (O), router (R)
         outputs={OUTSIDE: [generated(
             Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) /
             IPv6(src=PORT_IP6[OUTSIDE], dst=CLIENT6, hlim=255) /
             ICMPv6ND_NA(R=1, S=1, O=1, tgt=PORT_IP6[OUTSIDE]) /
             ICMPv6NDOptDstLLAddr(lladdr=PORT_MAC[OUTSIDE]))]},
         counters={"local.nd_adverts": 1, "consumed": 1}),

    dict(name="unresolved_next_hop_arp_probe",
         # 192.0.2.30 has no static entry: one ARP probe goes out at once,
         # the SYN waits (the runner stops well before the 1 s retransmit)
         rules=[rule("dmz-ssh", "accept", "outside", "dmz", "tcp", dport=["22"])],
         inputs={OUTSIDE: [tcp4(CLIENT4, DMZ2_4, 40000, 22)]},
         outputs={DMZ: [Expect(Ether(src=PORT_MAC[DMZ], dst="ff:ff:ff:ff:ff:ff") /
                               ARP(op=1, hwsrc=PORT_MAC[DMZ], psrc=PORT_IP4[DMZ],
                                   hwdst="00:00:00:00:00:00", pdst=DMZ2_4),
                               ignore=("ARP.hwdst",))]},
         counters={"local.arp_requests": 1, "rules.dmz-ssh.pkts": 1, "forwarded": 0},
         held=1, held_reasons=("neigh_failed",)),

    dict(name="unresolved_next_hop_holds_a_burst",
         # eight flows to one unresolved hop within one round trip (a
         # takeover's cold cache): one probe, all eight wait (4 did before)
         rules=[rule("dmz-ssh", "accept", "outside", "dmz", "tcp", dport=["22"])],
         inputs={OUTSIDE: [tcp4(CLIENT4, DMZ2_4, 40000 + i, 22) for i in range(8)]},
         outputs={DMZ: [Expect(Ether(src=PORT_MAC[DMZ], dst="ff:ff:ff:ff:ff:ff") /
                               ARP(op=1, hwsrc=PORT_MAC[DMZ], psrc=PORT_IP4[DMZ],
                                   hwdst="00:00:00:00:00:00", pdst=DMZ2_4),
                               ignore=("ARP.hwdst",))]},
         counters={"local.arp_requests": 1, "rules.dmz-ssh.pkts": 8, "forwarded": 0,
                   "drops.neigh_queue_full": 0},
         held=8, held_reasons=("neigh_failed",)),

    # ------------------------------------------------------------ malformed
    dict(name="malformed_ip4_total_length_beyond_frame",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IP(src=CLIENT4, dst=WEB4, len=200) / TCP(dport=80))]},
         outputs={}, counters={"drops.ip4_truncated": 1}),

    dict(name="malformed_ip4_header_cut",
         rules=[WEB_IN],
         inputs={OUTSIDE: [Ether(bytes(on_outside(IP(src=CLIENT4, dst=WEB4) /
                                                  TCP(dport=80)))[:14 + 12])]},
         outputs={}, counters={"drops.ip4_truncated": 1}),

    dict(name="malformed_ip4_bad_checksum",
         rules=[WEB_IN],
         inputs={OUTSIDE: [_bad_ip4_checksum()]},
         outputs={}, counters={"drops.ip4_bad_checksum": 1}),

    dict(name="malformed_ip4_bad_ihl",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IP(src=CLIENT4, dst=WEB4, ihl=4) / TCP(dport=80))]},
         outputs={}, counters={"drops.ip4_bad_header": 1}),

    dict(name="malformed_ip4_bad_version",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IP(src=CLIENT4, dst=WEB4, version=5) / TCP(dport=80))]},
         outputs={}, counters={"drops.ip4_bad_header": 1}),

    dict(name="malformed_tcp_syn_fin",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, "SF")]},
         outputs={}, counters={"drops.tcp_bad_flags": 1, "conns.created": 0}),

    dict(name="malformed_tcp_syn_rst",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, "SR")]},
         outputs={}, counters={"drops.tcp_bad_flags": 1}),

    dict(name="malformed_tcp_no_flags",
         rules=[WEB_IN],
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40000, 80, 0)]},
         outputs={}, counters={"drops.tcp_bad_flags": 1}),

    dict(name="malformed_tcp_header_truncated",
         rules=[WEB_IN],
         inputs={OUTSIDE: [_truncated_l4(6, 10)]},
         outputs={}, counters={"drops.l4_truncated": 1}),

    dict(name="malformed_udp_header_truncated",
         rules=[UDP_IN],
         inputs={OUTSIDE: [_truncated_l4(17, 4)]},
         outputs={}, counters={"drops.l4_truncated": 1}),

    dict(name="malformed_tcp_bad_data_offset",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IP(src=CLIENT4, dst=WEB4) /
                                     TCP(sport=40000, dport=80, flags="S", dataofs=4))]},
         outputs={}, counters={"drops.tcp_bad_header": 1}),

    dict(name="malformed_ip6_routing_header_type0",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IPv6(src=CLIENT6, dst=WEB6) /
                                     IPv6ExtHdrRouting(type=0, segleft=1,
                                                       addresses=["2001:db8:d::20"]) /
                                     TCP(sport=40000, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_source_route": 1}),

    dict(name="malformed_ip6_payload_length_beyond_frame",
         rules=[WEB_IN],
         inputs={OUTSIDE: [from_host(IPv6(src=CLIENT6, dst=WEB6, plen=200) /
                                     TCP(sport=40000, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip6_truncated": 1}),

    dict(name="martian_source_loopback",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IP(src="127.0.0.1", dst=WEB4) /
                                      TCP(sport=40000, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_bad_address": 1, "conns.created": 0}),

    dict(name="martian_source_multicast",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IP(src="224.0.0.5", dst=WEB4) /
                                      TCP(sport=40000, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_bad_address": 1}),

    dict(name="martian_source_ip6_loopback",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IPv6(src="::1", dst=WEB6) /
                                      TCP(sport=40000, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_bad_address": 1}),

    # ------------------------------------------------------------ layer 2
    dict(name="l2_vlan_tag_on_untagged_port",
         rules=[WEB_IN],
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst=PORT_MAC[OUTSIDE]) / Dot1Q(vlan=100) /
                           IP(src=CLIENT4, dst=WEB4) / TCP(sport=40000, dport=80, flags="S")]},
         outputs={}, counters={"drops.l2_vlan_unknown": 1}),

    dict(name="l2_unicast_other_host",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IP(src=CLIENT4, dst=WEB4) /
                                      TCP(sport=40000, dport=80, flags="S"),
                                      dst_mac="02:00:00:00:99:99")]},
         outputs={}, counters={"drops.l2_other_host": 1}),

    dict(name="l2_unsupported_ethertype",
         rules=[],
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst="01:80:c2:00:00:0e", type=0x88cc) /
                           Raw(b"\x02\x07\x04" + b"\x00" * 40)]},
         outputs={}, counters={"drops.l2_unsupported": 1}),

    dict(name="l2_runt_frame",
         rules=[],
         inputs={OUTSIDE: [bytes(Ether(src=CLIENT_MAC, dst=PORT_MAC[OUTSIDE]))[:10]]},
         outputs={}, counters={"drops.l2_truncated": 1}),

    # ------------------------------------------------------------ fragments
    dict(name="frag_udp_in_order_reassembled",
         rules=[UDP_IN],
         inputs={OUTSIDE: frags(BIG_UDP, 1000)},
         outputs={INSIDE: [Datagram(forwarded(BIG_UDP), mtu=1500, count=2)]},
         counters={"rules.udp-in.pkts": 1, "conns.created": 1, "forwarded": 1,
                   "frag_reassembled": 1, "frag_merged": 1}),

    dict(name="frag_udp_reversed_reassembled",
         rules=[UDP_IN],
         inputs={OUTSIDE: frags(BIG_UDP, 1000, reverse=True)},
         outputs={INSIDE: [Datagram(forwarded(BIG_UDP), mtu=1500, count=2)]},
         counters={"rules.udp-in.pkts": 1, "conns.created": 1, "forwarded": 1,
                   "frag_reassembled": 1, "frag_merged": 1}),

    dict(name="frag_udp_refragmented_mtu1280",
         rules=[rule("udp-dmz", "accept", "outside", "dmz", "udp", dport=["9000"])],
         conf={"mtu_dmz": 1280},
         # the first fragment (1500 bytes) does not fit 1280: the datagram
         # must be reassembled and cut again
         inputs={OUTSIDE: frags(BIG_UDP_DMZ, 1480)},
         outputs={DMZ: [Datagram(forwarded(BIG_UDP_DMZ), mtu=1280, count=2)]},
         counters={"rules.udp-dmz.pkts": 1, "conns.created": 1, "forwarded": 1,
                   "frag_reassembled": 1, "frag_merged": 1, "frag_fragmented": 1}),

    dict(name="frag_udp_denied_all_dropped",
         rules=[rule("no-9000", "drop", "outside", "inside", "udp", dport=["9000"]), UDP_IN],
         inputs={OUTSIDE: frags(BIG_UDP, 1000)},
         outputs={},
         # classified and dropped once as a whole datagram; the other
         # received fragment is accounted as merged (docs/dataplane.md)
         counters={"rules.no-9000.pkts": 1, "rules.udp-in.pkts": 0,
                   "drops.policy_rule_drop": 1, "frag_merged": 1, "conns.created": 0}),

    dict(name="frag_later_alone_not_forwarded",
         rules=[UDP_IN],
         inputs={OUTSIDE: frags(BIG_UDP, 1000)[1:]},
         outputs={},
         # the timeout outlasts the run: the piece is held when the dp stops,
         # and the final ledger must count it (no "held" slack any more)
         conf={"dataplane_extra": "\n  frag_timeout_ms = 60000;"},
         counters={"rules.udp-in.pkts": 0, "conns.created": 0, "forwarded": 0,
                   "drops.frag_held_at_stop": 1}),

    dict(name="frag_first_alone_not_forwarded",
         rules=[UDP_IN],
         inputs={OUTSIDE: frags(BIG_UDP, 1000)[:1]},
         outputs={},
         conf={"dataplane_extra": "\n  frag_timeout_ms = 60000;"},
         counters={"conns.created": 0, "forwarded": 0, "drops.frag_held_at_stop": 1}),
]

# The load balancer's cases live in their own table.
from cases_lb import LB_CASES  # noqa: E402
CASES += LB_CASES
from cases_handoff import HANDOFF_CASES  # noqa: E402
CASES += HANDOFF_CASES
from cases_ha import HA_CASES  # noqa: E402
CASES += HA_CASES
from cases_spoof import SPOOF_CASES  # noqa: E402
CASES += SPOOF_CASES
from cases_icmperr import ICMPERR_CASES  # noqa: E402
CASES += ICMPERR_CASES
from cases_icmperr_workers import ICMPERR_WORKER_CASES  # noqa: E402
CASES += ICMPERR_WORKER_CASES
from cases_limits import LIMIT_CASES  # noqa: E402
CASES += LIMIT_CASES
from cases_synproxy import SYNPROXY_CASES  # noqa: E402
CASES += SYNPROXY_CASES
