# SPDX-License-Identifier: BSD-3-Clause
"""cases_icmperr_workers.py - ICMP errors with two workers (wicmp.h): an
error that reaches a worker which does not own the connection it quotes
finds the owner.  A flow placed by rule (DNAT) by its hash; a flow the NIC
placed (plain, a full NAT's client side) by the ports' RSS where the unit
knows it, and on net_pcap, which has none, by passing the error round the
workers until one has the connection.  Each error arrives on the worker the
connection is not on, after the connection exists (`later`, README
"Several workers"), and must leave from the owner (its TX queue) as the
one-worker cases expect it.  Last, an error sharing a burst with the packet
that opens its connection: errors are taken after the rest of their burst.
"""

from scapy.layers.inet import IP, ICMP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, PORT_MAC, CLIENT_MAC, CLIENT4, WEB4,
                     from_host, tcp4, udp4, forwarded)
from cases import WEB_IN, UDP_IN
from cases_lb import (LB_IN, LB_UDP_IN, WEB_SVC, UDP_SVC, FULL_SVC, VIP4, VIP4_FULL, SNAT4,
                      snat_port, to_backend, to_client)
from cases_handoff import WORKERS, client_port, other, synack_from_web
from cases_icmperr import _quote, _seen_as, frag_needed

# a router on the client's side of the unit (outside)
ROUTER_OUT4 = "203.0.113.254"


def _outside(l3):
    """A frame from a router in front of the outside port."""
    return from_host(l3, mac=CLIENT_MAC, port_mac=PORT_MAC[OUTSIDE])


def time_exceeded(src, dst, quote, router=_outside):
    return router(IP(src=src, dst=dst, ttl=64, id=0x5151) / ICMP(type=11, code=0) /
                  Raw(quote))


def plain_frag_needed_case(owner):
    """web1's side: a router tells the client its datagram was too big; the
    error lands on the worker that does not have the connection."""
    flow = udp4(CLIENT4, WEB4, 41100 + owner, 9000, b"y" * 200)
    err = frag_needed(CLIENT4, _quote(forwarded(flow)))
    return dict(
        name="icmperr_2w_plain_frag_needed_owner%d" % owner, workers=WORKERS,
        rules=[UDP_IN],
        inputs={(OUTSIDE, owner): [flow]},
        later={(INSIDE, other(owner)): [err]},
        outputs={(INSIDE, owner): [forwarded(flow)], (OUTSIDE, owner): [forwarded(err)]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1, "forwarded": 2,
                  "drops.icmp_err_no_conn": 0})


def plain_time_exceeded_client_side_case(owner):
    """A router on the client's side answers web1's SYN-ACK (the reply
    direction) with time exceeded, to web1; it lands on the other worker."""
    cport = 40200 + owner
    syn = tcp4(CLIENT4, WEB4, cport, 80, "S", seq=500)
    synack = synack_from_web(CLIENT4, cport, sport=80, ack=501)
    te = time_exceeded(ROUTER_OUT4, WEB4, _quote(forwarded(synack)))
    return dict(
        name="icmperr_2w_plain_time_exceeded_client_side_owner%d" % owner, workers=WORKERS,
        rules=[WEB_IN],
        # one worker, port 0 before port 1: the README's ordering rule
        inputs={(OUTSIDE, owner): [syn], (INSIDE, owner): [synack]},
        later={(OUTSIDE, other(owner)): [te]},
        outputs={(INSIDE, owner): [forwarded(syn), forwarded(te)],
                 (OUTSIDE, owner): [forwarded(synack)]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1, "forwarded": 3,
                  "drops.icmp_err_no_conn": 0})


def dnat_client_side_case(owner):
    """The client answers the service's UDP reply (from VIP:53) with port
    unreachable to the VIP, on the worker that does not own the DNAT
    connection: the quoted tuple's service names the owner, which hands it
    to web1 about its own datagram (web1:5353 -> client)."""
    cport = client_port(CLIENT4, owner, 41300)
    query = udp4(CLIENT4, VIP4, cport, 53, b"query")
    reply = udp4(WEB4, CLIENT4, 5353, cport, b"the answer")
    at_client = to_client(reply, VIP4, 53)
    pu = from_host(IP(src=CLIENT4, dst=VIP4, id=0x6767) / ICMP(type=3, code=3) /
                   Raw(_quote(at_client)))
    pu_in = forwarded(from_host(IP(src=CLIENT4, dst=WEB4, id=0x6767) / ICMP(type=3, code=3) /
                                Raw(_quote(_seen_as(at_client, WEB4, 5353, CLIENT4, cport)))))
    return dict(
        name="icmperr_2w_dnat_client_side_port_unreach_owner%d" % owner, workers=WORKERS,
        rules=[LB_UDP_IN], conf={"services": [UDP_SVC]},
        inputs={(OUTSIDE, owner): [query], (INSIDE, owner): [reply]},
        later={(OUTSIDE, other(owner)): [pu]},
        outputs={(INSIDE, owner): [to_backend(query, 5353), pu_in],
                 (OUTSIDE, owner): [at_client]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1, "forwarded": 3,
                  "drops.icmp_err_no_conn": 0})


def fullnat_client_side_case(worker):
    """Full NAT: a router on the client's side reports the VIP's SYN-ACK
    (web1's, translated) expired, to the VIP, on the other worker; the
    connection's client side is where the NIC put the client's SYN.  web1
    must get it about its own SYN-ACK (web1:8080 -> SNAT:port)."""
    cport = 40400 + worker
    syn = tcp4(CLIENT4, VIP4_FULL, cport, 80, "S", seq=3000)
    sport = snat_port(CLIENT4, cport, WORKERS, worker)
    synack = synack_from_web(CLIENT4, sport, dst=SNAT4, ack=3001)
    at_client = forwarded(_seen_as(synack, VIP4_FULL, 80, CLIENT4, cport), egress=OUTSIDE)
    te = time_exceeded(ROUTER_OUT4, VIP4_FULL, _quote(at_client))
    te_in = forwarded(time_exceeded(ROUTER_OUT4, WEB4,
                                    _quote(_seen_as(at_client, WEB4, 8080, SNAT4, sport))))
    return dict(
        name="icmperr_2w_fullnat_client_side_time_exceeded_w%d" % worker, workers=WORKERS,
        rules=[LB_IN], conf={"services": [FULL_SVC]},
        inputs={(OUTSIDE, worker): [syn], (INSIDE, worker): [synack]},
        later={(OUTSIDE, other(worker)): [te]},
        outputs={(INSIDE, worker): [to_backend(syn, src=SNAT4, sport=sport), te_in],
                 (OUTSIDE, worker): [at_client]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1, "forwarded": 3,
                  "drops.icmp_err_no_conn": 0})


def plain_backend_conn_case(start):
    """A plain TCP connection straight to web1 (a DNAT backend) while a
    service exists: it lives where the NIC put the client's SYN (worker 1),
    not on the worker the DNAT hash of the client names (worker 0).  A
    client-side router's time exceeded about web1's SYN-ACK reaches worker 0,
    the DNAT owner (a DNAT connection's error would be looked up there),
    misses, and goes on to worker 1, which has the connection."""
    worker = 1
    cport = client_port(CLIENT4, other(worker), start)
    syn = tcp4(CLIENT4, WEB4, cport, 80, "S", seq=500)
    synack = synack_from_web(CLIENT4, cport, sport=80, ack=501)
    te = time_exceeded(ROUTER_OUT4, WEB4, _quote(forwarded(synack)))
    return dict(
        name="icmperr_2w_plain_conn_of_a_backend_rule_owner_then_nic", workers=WORKERS,
        rules=[WEB_IN, LB_IN], conf={"services": [WEB_SVC]},
        inputs={(OUTSIDE, worker): [syn], (INSIDE, worker): [synack]},
        later={(OUTSIDE, other(worker)): [te]},
        outputs={(INSIDE, worker): [forwarded(syn), forwarded(te)],
                 (OUTSIDE, worker): [forwarded(synack)]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1, "forwarded": 3,
                  "drops.icmp_err_no_conn": 0})


# A forged error to the full-NAT VIP quoting a connection nobody has: each
# worker looks (one handover) and the last drops it; it is not taken for
# traffic to the unit itself (the VIP's route is decided, not assumed).
FORGED_TO_VIP = time_exceeded(ROUTER_OUT4, VIP4_FULL, _quote(
    Ether() / IP(src=VIP4_FULL, dst=CLIENT4, ttl=1) / TCP(sport=80, dport=40999, flags="SA")))

# One worker, one burst: the flow's first datagram, then a (client-side)
# router's error about web1's answer, before that answer was even seen.
BURST_FLOW = udp4(CLIENT4, WEB4, 41500, 9000, b"z" * 64)
BURST_ERR = time_exceeded(ROUTER_OUT4, WEB4,
                          _quote(forwarded(udp4(WEB4, CLIENT4, 9000, 41500, b"answer"))))

ICMPERR_WORKER_CASES = [
    plain_frag_needed_case(0),
    plain_frag_needed_case(1),
    plain_time_exceeded_client_side_case(0),
    plain_time_exceeded_client_side_case(1),
    dnat_client_side_case(0),
    dnat_client_side_case(1),
    fullnat_client_side_case(0),
    fullnat_client_side_case(1),
    plain_backend_conn_case(41600),

    dict(name="icmperr_2w_forged_to_vip_every_worker_looks_then_dropped", workers=WORKERS,
         rules=[LB_IN], conf={"services": [FULL_SVC]},
         inputs={(OUTSIDE, 0): [FORGED_TO_VIP]},
         outputs={},
         counters={"handoff_out": 1, "handoff_in": 1, "drops.icmp_err_no_conn": 1,
                   "conns.created": 0, "forwarded": 0}),

    dict(name="icmperr_after_the_rest_of_its_burst",
         rules=[UDP_IN],
         inputs={OUTSIDE: [BURST_FLOW, BURST_ERR]},
         outputs={INSIDE: [forwarded(BURST_FLOW), forwarded(BURST_ERR)]},
         counters={"conns.created": 1, "forwarded": 2, "drops.icmp_err_no_conn": 0}),
]
