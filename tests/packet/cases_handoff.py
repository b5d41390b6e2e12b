# SPDX-License-Identifier: BSD-3-Clause
"""cases_handoff.py - packet cases with two workers: packets of NAT flows
that reach the wrong worker are handed to the flow's owner (wlb.h).

Each port has two RX queues (one pcap file each) and two TX queues; worker i
polls RX queue i and sends on TX queue i, so the queue a packet is fed on
says which worker sees it first, and the file it leaves in says which worker
sent it.  net_pcap has no RSS, so nothing steers a reply: the cases place
each packet on the queue they need.  Owners are computed here the way the
dataplane does (worker_lb.c client_owner, nat_port.c blocks), so a wrong
owner in the unit shows as a packet in the wrong file and a handoff count
that differs.

Order across workers: a reply fed at start could reach its worker before
the connection exists on the owner.  Replies therefore go in `later`: a
FIFO the runner feeds once everything fed at start has settled (README
"Several workers").
"""

import ipaddress
import struct

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6

from pktcase import (OUTSIDE, INSIDE, CLIENT4, CLIENT6, WEB4, WEB6, udp4,
                     from_host, tcp4, tcp6, forwarded)
from cases_lb import (LB_IN, WEB_SVC, WEB6_SVC, FULL_SVC, VIP4, VIP6, VIP4_FULL, SNAT4,
                      crc32c, nat, rule, snat_port, to_backend, to_client)

WORKERS = 2


def dnat_owner(client, cport, n_workers=WORKERS):
    """worker_lb.c client_owner(): CRC32-C of the client's 16-byte address
    seeded 0x0dd5, then of its port (a 32-bit host-order word), modulo the
    workers.  Both directions of a DNAT flow carry the client's tuple."""
    a = ipaddress.ip_address(client).packed.ljust(16, b"\0")
    return crc32c(struct.pack("<I", cport), crc32c(a, 0x0dd5)) % n_workers


def client_port(client, owner, start):
    """The first client port from start whose DNAT owner is `owner`."""
    p = start
    while dnat_owner(client, p) != owner:
        p += 1
    return p


def other(worker):
    return 1 - worker


def synack_from_web(client, cport, dst=None, sport=8080, seq=9000, ack=1001):
    """web1's SYN-ACK to dst (the client for DNAT, the SNAT source for full NAT)."""
    if ipaddress.ip_address(client).version == 6:
        l3 = IPv6(src=WEB6, dst=dst or client)
    else:
        l3 = IP(src=WEB4, dst=dst or client, id=0x4243)
    return from_host(l3 / TCP(sport=sport, dport=cport, flags="SA", seq=seq, ack=ack,
                              window=8192))


# (1) DNAT, owner worker 0 and owner worker 1: the client's SYN on the other
# worker's queue is handed over; the backend's SYN-ACK, also on the wrong
# worker, follows it through the ring and is translated back by the owner.
def dnat_handoff_case(name, client, vip, svc, owner, start):
    cport = client_port(client, owner, start)
    mk = tcp6 if ipaddress.ip_address(client).version == 6 else tcp4
    syn = mk(client, vip, cport, 80, "S", seq=1000)
    synack = synack_from_web(client, cport)
    wrong = other(owner)
    return dict(
        name=name, workers=WORKERS, rules=[LB_IN], conf={"services": [svc]},
        inputs={(OUTSIDE, wrong): [syn]},
        later={(INSIDE, wrong): [synack]},
        # the owner sends both, so both leave on its TX queue
        outputs={(INSIDE, owner): [to_backend(syn)],
                 (OUTSIDE, owner): [to_client(synack, vip)]},
        counters={"handoff_out": 2, "handoff_in": 2, "conns.created": 1,
                  "conns.active": 1, "rules.lb-in.pkts": 1, "forwarded": 2})


# (1b) The same flows on the owner's own queues: nothing moves.
def dnat_owner_queue_case(name, owner, start):
    cport = client_port(CLIENT4, owner, start)
    syn = tcp4(CLIENT4, VIP4, cport, 80, "S", seq=1000)
    synack = synack_from_web(CLIENT4, cport)
    return dict(
        name=name, workers=WORKERS, rules=[LB_IN], conf={"services": [WEB_SVC]},
        # one worker, port 0 before port 1: the README's ordering rule
        inputs={(OUTSIDE, owner): [syn], (INSIDE, owner): [synack]},
        outputs={(INSIDE, owner): [to_backend(syn)],
                 (OUTSIDE, owner): [to_client(synack, VIP4)]},
        counters={"handoff_out": 0, "handoff_in": 0, "conns.created": 1,
                  "forwarded": 2})


# (2) Full NAT: the worker that sees the client's SYN owns the flow and
# takes the SNAT port from its own block; the backend's reply, fed to the
# other worker, is handed back by the port's block.
def fullnat_case(name, worker, cport):
    syn = tcp4(CLIENT4, VIP4_FULL, cport, 80, "S", seq=3000)
    sport = snat_port(CLIENT4, cport, WORKERS, worker)
    synack = synack_from_web(CLIENT4, sport, dst=SNAT4, ack=3001)
    return dict(
        name=name, workers=WORKERS, rules=[LB_IN], conf={"services": [FULL_SVC]},
        inputs={(OUTSIDE, worker): [syn]},
        later={(INSIDE, other(worker)): [synack]},
        outputs={(INSIDE, worker): [to_backend(syn, src=SNAT4, sport=sport)],
                 (OUTSIDE, worker): [forwarded(nat(synack, src=VIP4_FULL, sport=80,
                                                   dst=CLIENT4, dport=cport),
                                               egress=OUTSIDE)]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1,
                  "rules.lb-in.pkts": 1, "forwarded": 2})


# (3) A plain connection (no VIP) while services exist: the worker that sees
# its SYN owns it, even where the DNAT hash names the other worker (its
# SYN-ACK comes from a backend address), so nothing is handed over.
def plain_case(name, start):
    worker = 1
    cport = client_port(CLIENT4, other(worker), start)
    syn = tcp4(CLIENT4, WEB4, cport, 80, "S", seq=500)
    synack = synack_from_web(CLIENT4, cport, sport=80, ack=501)
    return dict(
        name=name, workers=WORKERS,
        rules=[rule("web-in", "accept", "outside", "inside", "tcp", [WEB4 + "/32"], "80"),
               LB_IN],
        conf={"services": [WEB_SVC]},
        inputs={(OUTSIDE, worker): [syn], (INSIDE, worker): [synack]},
        outputs={(INSIDE, worker): [forwarded(syn)], (OUTSIDE, worker): [forwarded(synack)]},
        counters={"handoff_out": 0, "handoff_in": 0, "conns.created": 1,
                  "rules.web-in.pkts": 1, "forwarded": 2})


# (4) A backend's own UDP flow (web1, a DNAT backend, queries a server
# outside): its datagram belongs to the worker the DNAT-reply hash names
# (client_owner of the destination); the answer, arriving on the other
# worker, must follow it there, or it meets a worker without the connection
# and policy drops it as a new flow from outside.
def backend_udp_case(name, sport):
    owner = dnat_owner(CLIENT4, 53)
    rss = other(owner)
    query = udp4(WEB4, CLIENT4, sport, 53, load=b"query")
    answer = udp4(CLIENT4, WEB4, 53, sport, load=b"answer")
    return dict(
        name=name, workers=WORKERS,
        rules=[rule("dns-out", "accept", "inside", "outside", "udp", [CLIENT4 + "/32"], "53"),
               LB_IN],
        conf={"services": [WEB_SVC]},
        inputs={(INSIDE, owner): [query]},
        later={(OUTSIDE, rss): [answer]},
        outputs={(OUTSIDE, owner): [forwarded(query)], (INSIDE, owner): [forwarded(answer)]},
        counters={"handoff_out": 1, "handoff_in": 1, "conns.created": 1,
                  "rules.dns-out.pkts": 1, "forwarded": 2})


HANDOFF_CASES = [
    dnat_handoff_case("hoff_dnat_v4_owner0", CLIENT4, VIP4, WEB_SVC, 0, 40010),
    dnat_handoff_case("hoff_dnat_v4_owner1", CLIENT4, VIP4, WEB_SVC, 1, 40010),
    dnat_handoff_case("hoff_dnat_v6_handed_over", CLIENT6, VIP6, WEB6_SVC, 0, 40020),
    dnat_owner_queue_case("hoff_dnat_on_owner_queue_stays", 1, 40030),
    fullnat_case("hoff_fullnat_w0_reply_handed_back", 0, 40040),
    fullnat_case("hoff_fullnat_w1_block_reply_handed_back", 1, 40041),
    plain_case("hoff_plain_conn_never_handed_off", 40050),
    backend_udp_case("hoff_backend_own_udp_flow_one_worker", 40060),
]
