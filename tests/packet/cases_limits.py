# SPDX-License-Identifier: BSD-3-Clause
"""Packet cases of the limits on new connections (issue 12, docs/security.md
"Limits"): each limit refuses under its own drop reason, the connections it let
through are forwarded, and another source (or an established flow) is not
touched.  All SYNs of a case arrive in one burst, within a millisecond, so a
1/s bucket cannot refill during the run."""

from scapy.layers.inet import IP, TCP

from pktcase import OUTSIDE, INSIDE, PORT_MAC, CLIENT_MAC, CLIENT4, WEB4, \
    tcp4, from_host, forwarded

OTHER4 = "203.0.113.77"   # a second outside source (no neighbour entry needed)


def web_rule(extra):
    return ('{ name = "web-in"; from = "outside"; to = "inside"; proto = "tcp"; '
            'dst = [ "10.10.0.11/32" ]; dport = [ "80" ]; %s action = "accept"; }' % extra)


def syns(n, src=CLIENT4, first_port=41000):
    if src == CLIENT4:
        return [tcp4(src, WEB4, first_port + i, 80, "S", seq=5000 + i) for i in range(n)]
    return [from_host(IP(src=src, dst=WEB4, id=0x1234) /
                      TCP(sport=first_port + i, dport=80, flags="S", seq=5000 + i,
                          window=8192), mac=CLIENT_MAC, port_mac=PORT_MAC[OUTSIDE])
            for i in range(n)]


S5 = syns(5)
S4 = syns(4)
O1 = syns(1, OTHER4, 42000)

LIMIT_CASES = [
    # dataplane.halfopen_max = 2: the third and fourth SYN would be the
    # worker's third and fourth half-open connection
    dict(name="limit_halfopen_cap",
         rules=[web_rule("")],
         inputs={OUTSIDE: S4},
         outputs={INSIDE: [forwarded(p) for p in S4[:2]]},
         conf={"dataplane_extra": "\n  halfopen_max = 2;"},
         counters={"rules.web-in.pkts": 4, "conns.created": 2, "forwarded": 2,
                   "conns.halfopen": 2, "drops.halfopen_limit": 2}),

    # src_rate 1/s, burst 2: 2 of the client's 5 SYNs at once; the other
    # source's SYN has a bucket of its own
    dict(name="limit_src_rate",
         rules=[web_rule("src_rate = 1; src_burst = 2;")],
         inputs={OUTSIDE: S5 + O1},
         outputs={INSIDE: [forwarded(p) for p in S5[:2] + O1]},
         counters={"rules.web-in.pkts": 6, "conns.created": 3, "forwarded": 3,
                   "drops.src_rate_limit": 3}),

    # src_conn_max 2: the client holds 2 connections, its next 2 SYNs are
    # refused; the other source still gets in
    dict(name="limit_src_conn_max",
         rules=[web_rule("src_conn_max = 2;")],
         inputs={OUTSIDE: S4 + O1},
         outputs={INSIDE: [forwarded(p) for p in S4[:2] + O1]},
         counters={"rules.web-in.pkts": 5, "conns.created": 3, "forwarded": 3,
                   "drops.src_conn_limit": 2}),

    # the limits count new connections only: retransmitted SYNs of the two
    # admitted connections are packets of existing ones, not refused, even
    # in the burst that created them (all four missed the burst's lookup,
    # so policy saw all four: rule pkts 4)
    dict(name="limit_src_conn_max_retransmit",
         rules=[web_rule("src_conn_max = 2; src_rate = 1; src_burst = 2;")],
         inputs={OUTSIDE: S4[:2] + S4[:2]},
         outputs={INSIDE: [forwarded(p) for p in S4[:2] + S4[:2]]},
         counters={"rules.web-in.pkts": 4, "conns.created": 2, "forwarded": 4}),
]

# Through the load balancer (DNAT): the connection is created by the LB path
# and counted for its client the same way.
from cases_lb import WEB_SVC, VIP4, to_backend  # noqa: E402

LB_LIMIT_IN = ('{ name = "lb-in"; from = "outside"; to = "inside"; proto = "tcp"; '
               'dst = [ "10.10.0.11/32" ]; dport = [ "8080" ]; src_conn_max = 2; '
               'action = "accept"; }')
V3 = [tcp4(CLIENT4, VIP4, 43000 + i, 80, "S", seq=7000 + i) for i in range(3)]

LIMIT_CASES.append(
    dict(name="limit_src_conn_max_lb_dnat",
         rules=[LB_LIMIT_IN], conf={"services": [WEB_SVC]},
         inputs={OUTSIDE: V3},
         outputs={INSIDE: [to_backend(p) for p in V3[:2]]},
         counters={"rules.lb-in.pkts": 3, "conns.created": 2, "forwarded": 2,
                   "drops.src_conn_limit": 1}))
