# SPDX-License-Identifier: BSD-3-Clause
"""cases_icmperr.py - ICMP errors related to the connection they quote
(issue 13): forwarded without a policy decision, translated through DNAT
and full NAT (outer destination, the quoted header's addresses and ports,
its IPv4 checksum and the outer ICMP checksum, all compared byte for byte
with what scapy computes), and dropped when they quote no connection or
too little of one.

Errors come from a router behind the server-side port (the ordering rule
of README.md: the connection is created on port 0 first).
"""

from scapy.layers.inet import IP, TCP, UDP, ICMP
from scapy.layers.inet6 import IPv6, ICMPv6PacketTooBig
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, PORT_MAC, WEB_MAC, CLIENT_MAC, CLIENT4, WEB4, CLIENT6, WEB6,
                     from_host, tcp4, tcp6, udp4, forwarded)
from cases import WEB_IN, UDP_IN
from cases_lb import (LB_IN, WEB_SVC, FULL_SVC, SYN_VIP, SYN_FULL, FULL_PORT, SNAT4,
                      VIP4, VIP4_FULL, to_backend)

ROUTER4, ROUTER6 = "10.10.0.254", "2001:db8:10::fe"


def _inside(l3):
    """A frame from a router behind the inside port."""
    return from_host(l3, mac=WEB_MAC, port_mac=PORT_MAC[INSIDE])


def _quote(pkt, n4=8):
    """pkt's IP header and n4 bytes of L4 (what a router quotes)."""
    p = Ether(bytes(pkt))
    if IPv6 in p:
        return bytes(p[IPv6])[:40 + n4]
    return bytes(p[IP])[:p[IP].ihl * 4 + n4]


def frag_needed(dst, quote, mtu=1400, src=ROUTER4):
    return _inside(IP(src=src, dst=dst, ttl=64, id=0x4242) /
                   ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(quote))


def _seen_as(pkt, src, sport, dst, dport):
    """The quote pkt as the other side knew it: addresses/ports rewritten and
    every checksum recomputed by scapy."""
    p = Ether(bytes(pkt))
    ip = p[IP]
    l4 = p[TCP] if TCP in p else p[UDP]
    ip.src, ip.dst, l4.sport, l4.dport = src, dst, sport, dport
    ip.chksum = None
    l4.chksum = None
    return Ether(bytes(p))


UDP_FLOW = udp4(CLIENT4, WEB4, 41000, 9000, b"x" * 200)
UDP_FWD = forwarded(UDP_FLOW)
SYN6 = tcp6(CLIENT6, WEB6, 40010, 80, "S", seq=10)
SYN6_FWD = forwarded(SYN6)
PTB6 = _inside(IPv6(src=ROUTER6, dst=CLIENT6, hlim=64) / ICMPv6PacketTooBig(mtu=1280) /
               Raw(_quote(SYN6_FWD, 20)))

# DNAT: the router saw client:40000 -> web1:8080; the client must see its own
# packet to the VIP (client:40000 -> VIP:80).
DNAT_FWD = to_backend(SYN_VIP)
DNAT_ERR = frag_needed(CLIENT4, _quote(DNAT_FWD))
DNAT_OUT = forwarded(frag_needed(CLIENT4, _quote(_seen_as(DNAT_FWD, CLIENT4, 40000, VIP4, 80))))

# Full NAT: the router saw SNAT:port -> web1:8080 and answers the SNAT address.
FULL_FWD = to_backend(SYN_FULL, src=SNAT4, sport=FULL_PORT)
FULL_ERR = frag_needed(SNAT4, _quote(FULL_FWD))
FULL_OUT = forwarded(frag_needed(CLIENT4, _quote(_seen_as(FULL_FWD, CLIENT4, 40002,
                                                           VIP4_FULL, 80))),
                     egress=OUTSIDE)

FORGED = from_host(IP(src="198.51.100.9", dst=WEB4, ttl=64) / ICMP(type=3, code=4) /
                   Raw(_quote(tcp4(WEB4, "198.51.100.9", 80, 51000, "SA"))),
                   mac=CLIENT_MAC, port_mac=PORT_MAC[OUTSIDE])
TRUNC = frag_needed(CLIENT4, _quote(UDP_FWD)[:24])

ICMPERR_CASES = [
    dict(name="icmperr_frag_needed_plain",
         rules=[UDP_IN],
         inputs={OUTSIDE: [UDP_FLOW], INSIDE: [frag_needed(CLIENT4, _quote(UDP_FWD))]},
         outputs={INSIDE: [UDP_FWD],
                  OUTSIDE: [forwarded(frag_needed(CLIENT4, _quote(UDP_FWD)))]},
         counters={"conns.created": 1, "forwarded": 2}),

    dict(name="icmperr_packet_too_big_v6",
         rules=[WEB_IN],
         inputs={OUTSIDE: [SYN6], INSIDE: [PTB6]},
         outputs={INSIDE: [SYN6_FWD], OUTSIDE: [forwarded(PTB6)]},
         counters={"conns.created": 1, "forwarded": 2}),

    dict(name="icmperr_frag_needed_dnat",
         rules=[LB_IN], conf={"services": [WEB_SVC]},
         inputs={OUTSIDE: [SYN_VIP], INSIDE: [DNAT_ERR]},
         outputs={INSIDE: [DNAT_FWD], OUTSIDE: [DNAT_OUT]},
         counters={"conns.created": 1, "forwarded": 2}),

    dict(name="icmperr_frag_needed_fullnat",
         rules=[LB_IN], conf={"services": [FULL_SVC]},
         inputs={OUTSIDE: [SYN_FULL], INSIDE: [FULL_ERR]},
         outputs={INSIDE: [FULL_FWD], OUTSIDE: [FULL_OUT]},
         counters={"conns.created": 1, "forwarded": 2}),

    dict(name="icmperr_forged_dropped",
         # even a rule that accepts ICMP does not let an error about nothing through
         rules=[WEB_IN, '{ name = "icmp-in"; from = "outside"; to = "inside"; '
                'proto = "icmp"; action = "accept"; }'],
         inputs={OUTSIDE: [FORGED]},
         outputs={},
         counters={"drops.icmp_err_no_conn": 1, "conns.created": 0}),

    dict(name="icmperr_truncated_quote_dropped",
         rules=[UDP_IN],
         inputs={OUTSIDE: [UDP_FLOW], INSIDE: [TRUNC]},
         outputs={INSIDE: [UDP_FWD]},
         counters={"drops.icmp_err_malformed": 1, "conns.created": 1, "forwarded": 1}),
]
