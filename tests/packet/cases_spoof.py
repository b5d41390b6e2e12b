# SPDX-License-Identifier: BSD-3-Clause
"""cases_spoof.py - anti-spoofing and IP options (dataplane/spoof, pkt_parse.c;
docs/security.md "Anti-spoofing and IP options").

The outside interface gets `rpf = "strict"` or `"loose"`; 198.51.100.0/24 is
routed via dmz1 so that a source from it is routed back (loose passes) but not
through outside (strict drops).  Martians without config are in cases.py and
tests/unit/test_parse.c.
"""

from scapy.layers.inet import IP, TCP, IPOption, IPOption_Router_Alert
from scapy.layers.inet6 import IPv6, IPv6ExtHdrRouting
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, PORT_MAC, CLIENT_MAC, CLIENT4, WEB4, CLIENT6, WEB6,
                     tcp4, forwarded)
from scapy.layers.l2 import Ether

STRICT = {0: 'rpf = "strict";'}
LOOSE = {0: 'rpf = "loose";'}
VIA_DMZ = ['{ dst = "198.51.100.0/24"; via = "192.0.2.20"; interface = "dmz"; }']
WEB_IN = ('{ name = "web-in"; from = "outside"; to = "inside"; proto = "tcp"; '
          'dport = [ "80" ]; action = "accept"; }')


def on_outside(l3):
    """A frame on the outside port from the client's MAC, whatever its source."""
    return Ether(src=CLIENT_MAC, dst=PORT_MAC[OUTSIDE]) / l3


def syn(src, dst=WEB4, sport=41000, **ip):
    return on_outside(IP(src=src, dst=dst, id=0x1234, **ip) /
                      TCP(sport=sport, dport=80, flags="S", seq=1000, window=8192))


CLIENT_SYN = tcp4(CLIENT4, WEB4, 41001, 80, "S")
OTHER_NET_SYN = syn("198.51.100.5", sport=41002)
RA = IPOption_Router_Alert()               # router alert (RFC 2113)
LSRR = IPOption(b"\x83\x07\x04\xc0\x00\x02\x14\x00")  # loose source route via 192.0.2.20

SPOOF_CASES = [
    # strict: a source of the inside network arriving from outside
    dict(name="spoof_rpf_strict_inside_source_from_outside",
         rules=[WEB_IN], conf={"iface_extra": STRICT},
         inputs={OUTSIDE: [syn("10.10.0.99")]},
         outputs={}, counters={"drops.spoof_rpf": 1}),
    # strict: an unrouted source (no route back at all)
    dict(name="spoof_rpf_strict_unrouted_source",
         rules=[WEB_IN], conf={"iface_extra": STRICT},
         inputs={OUTSIDE: [syn("100.64.0.1")]},
         outputs={}, counters={"drops.spoof_rpf": 1}),
    # strict does not get in the way of a client whose route is outside
    dict(name="spoof_rpf_strict_client_forwarded",
         rules=[WEB_IN], conf={"iface_extra": STRICT},
         inputs={OUTSIDE: [CLIENT_SYN]},
         outputs={INSIDE: [forwarded(CLIENT_SYN)]},
         counters={"conns.created": 1, "forwarded": 1}),
    # a source routed back via dmz: strict refuses, loose accepts
    dict(name="spoof_rpf_strict_refuses_route_via_other_interface",
         rules=[WEB_IN], conf={"iface_extra": STRICT, "routes": VIA_DMZ},
         inputs={OUTSIDE: [OTHER_NET_SYN]},
         outputs={}, counters={"drops.spoof_rpf": 1}),
    dict(name="spoof_rpf_loose_accepts_route_via_other_interface",
         rules=[WEB_IN], conf={"iface_extra": LOOSE, "routes": VIA_DMZ},
         inputs={OUTSIDE: [OTHER_NET_SYN]},
         outputs={INSIDE: [forwarded(OTHER_NET_SYN)]},
         counters={"conns.created": 1, "forwarded": 1}),
    dict(name="spoof_rpf_loose_unrouted_source",
         rules=[WEB_IN], conf={"iface_extra": LOOSE},
         inputs={OUTSIDE: [syn("100.64.0.1")]},
         outputs={}, counters={"drops.spoof_rpf": 1}),
    # the unit's own address as a source, from outside
    dict(name="spoof_own_address_from_outside",
         rules=[WEB_IN], conf={"iface_extra": STRICT},
         inputs={OUTSIDE: [syn("203.0.113.1")]},
         outputs={}, counters={"drops.spoof_own_address": 1}),
    dict(name="spoof_own_address6_from_outside",
         rules=[WEB_IN], conf={"iface_extra": STRICT},
         inputs={OUTSIDE: [on_outside(IPv6(src="2001:db8:ff::1", dst=WEB6) /
                                      TCP(sport=41003, dport=80, flags="S"))]},
         outputs={}, counters={"drops.spoof_own_address": 1}),
    # rpf off (the default): the same inside source is not the anti-spoofing's to drop
    dict(name="spoof_rpf_off_leaves_it_to_policy",
         rules=[WEB_IN],
         inputs={OUTSIDE: [syn("10.10.0.99")]},
         outputs={INSIDE: [forwarded(syn("10.10.0.99"))]},
         counters={"conns.created": 1, "forwarded": 1}),
    # land: source == destination, whatever rpf says
    dict(name="spoof_land_dropped",
         rules=[WEB_IN],
         inputs={OUTSIDE: [syn(WEB4)]},
         outputs={}, counters={"drops.ip_land": 1}),
    dict(name="spoof_land6_dropped",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IPv6(src=WEB6, dst=WEB6) /
                                      TCP(sport=41004, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_land": 1}),
    # IPv4 options: source routes always dropped; others per the interface
    dict(name="ipopt_lsrr_dropped",
         rules=[WEB_IN],
         inputs={OUTSIDE: [syn(CLIENT4, sport=41005, options=[LSRR])]},
         outputs={}, counters={"drops.ip_source_route": 1}),
    dict(name="ipopt_router_alert_allowed_by_default",
         rules=[WEB_IN],
         inputs={OUTSIDE: [syn(CLIENT4, sport=41006, options=[RA])]},
         outputs={INSIDE: [forwarded(syn(CLIENT4, sport=41006, options=[RA]))]},
         counters={"conns.created": 1, "forwarded": 1}),
    dict(name="ipopt_router_alert_dropped_with_ip_options_drop",
         rules=[WEB_IN], conf={"iface_extra": {0: 'ip_options = "drop";'}},
         inputs={OUTSIDE: [syn(CLIENT4, sport=41007, options=[RA])]},
         outputs={}, counters={"drops.ip_options": 1}),
    dict(name="ipopt_ip6_routing_type0_dropped",
         rules=[WEB_IN],
         inputs={OUTSIDE: [on_outside(IPv6(src=CLIENT6, dst=WEB6) /
                                      IPv6ExtHdrRouting(type=0, segleft=1,
                                                        addresses=["2001:db8:d::20"]) /
                                      TCP(sport=41008, dport=80, flags="S"))]},
         outputs={}, counters={"drops.ip_source_route": 1}),
]
