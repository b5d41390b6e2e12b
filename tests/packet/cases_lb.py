# SPDX-License-Identifier: BSD-3-Clause
"""cases_lb.py - packet cases of the load balancer (DNAT and full NAT).

Expected packets are built by scapy from the input ones with the addresses
and ports the unit must write, and every checksum recomputed by scapy: a
byte-exact match proves the dataplane's incremental checksum updates
(RFC 1624) equal a full recomputation.  Fields the unit chooses itself (the
full-NAT source port) are not compared; their checksums are still verified
on their own (pktcmp.check_checksums).
"""

import ipaddress
import struct

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether, ARP

from scapy.layers.inet import ICMP
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, DMZ, PORT_MAC, PORT_IP4, CLIENT_MAC, WEB_MAC,
                     CLIENT4, WEB4, CLIENT6, WEB6,
                     Expect, generated, from_host, tcp4, tcp6, udp4, forwarded,
                     time_exceeded_for, net_unreach_for)

VIP4, VIP6, VIP4_FULL = "203.0.113.80", "2001:db8:ff::80", "203.0.113.81"
SNAT4 = "10.10.0.2"


def rule(name, action, frm, to, proto, dst, dport):
    return ('{ name = "%s"; from = "%s"; to = "%s"; proto = "%s"; dst = [ %s ]; '
            'dport = [ "%s" ]; action = "%s"; }'
            % (name, frm, to, proto, ", ".join('"%s"' % d for d in dst), dport, action))


def service(name, vip, port, backends, proto="tcp", fwd="dnat", snat=None, sched="maglev"):
    """A service in conf/lab.conf syntax; backends: [(name, addr, port, extra)]."""
    bes = ",\n".join('      { name = "%s"; address = "%s"; port = %d; %s }' % b
                     for b in backends)
    s = ('{ name = "%s"; vip = "%s"; proto = "%s"; port = "%s"; scheduler = "%s"; '
         'forward = "%s"; ' % (name, vip, proto, port, sched, fwd))
    if snat:
        s += 'snat = [ %s ]; ' % ", ".join('"%s"' % a for a in snat)
    return s + '\n    backends = (\n%s\n    );\n    health = { type = "none"; }; }' % bes


def nat(pkt, src=None, sport=None, dst=None, dport=None):
    """pkt with its addresses/ports rewritten and every checksum left to scapy."""
    p = Ether(bytes(pkt))
    ip = p[IPv6] if IPv6 in p else p[IP]
    l4 = p[TCP] if TCP in p else p[UDP]
    if src is not None:
        ip.src = src
    if dst is not None:
        ip.dst = dst
    if sport is not None:
        l4.sport = sport
    if dport is not None:
        l4.dport = dport
    l4.chksum = None
    if IP in p:
        p[IP].chksum = None
    return Ether(bytes(p))


def crc32c(data, crc):
    """rte_hash_crc's CRC32-C (SSE4.2 crc32: reflected, no inversion)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def client_seed(client, cport):
    """worker_lb.c client_seed(): CRC32-C of the client's 16-byte address
    (IPv4 in the first 4 bytes) seeded 0x5eed, then of its port as a 32-bit
    host-order word."""
    a = ipaddress.ip_address(client).packed.ljust(16, b"\0")
    return crc32c(struct.pack("<I", cport), crc32c(a, 0x5eed))


def snat_block(n_workers):
    """nat_port.c nat_block_size(): the ports above 1024 split evenly,
    rounded down to a multiple of 512 (the largest RETA)."""
    raw = (65536 - 1024) // n_workers
    return raw & ~511 if raw >= 512 else raw


def snat_port(client, cport, n_workers=1, worker=0):
    """The first full-NAT source port `worker` picks without NIC RSS (as on
    net_pcap): nat_port.c sk_nat_snat_port with r == NULL, attempt 0 =
    the start of its block + client seed % block size."""
    block = snat_block(n_workers)
    return 1024 + worker * block + client_seed(client, cport) % block


# The client opens to the VIP; the backend (web1) answers on 8080.
LB_IN = rule("lb-in", "accept", "outside", "inside", "tcp", [WEB4 + "/32", WEB6 + "/128"],
             "8080")
LB_UDP_IN = rule("lb-udp", "accept", "outside", "inside", "udp", [WEB4 + "/32"], "5353")
WEB_SVC = service("web", VIP4, "80", [("web1", WEB4, 8080, "")])
WEB6_SVC = service("web6", VIP6, "80", [("web1", WEB6, 8080, "")])
UDP_SVC = service("dns", VIP4, "53", [("web1", WEB4, 5353, "")], proto="udp")
FULL_SVC = service("full", VIP4_FULL, "80", [("web1", WEB4, 8080, "")], fwd="fullnat",
                   snat=[SNAT4])

SYN_VIP = tcp4(CLIENT4, VIP4, 40000, 80, "S", seq=1000)
SYNACK_WEB = from_host(IP(src=WEB4, dst=CLIENT4, id=0x4242) /
                       TCP(sport=8080, dport=40000, flags="SA", seq=9000, ack=1001,
                           window=8192))
SYN6_VIP = tcp6(CLIENT6, VIP6, 40001, 80, "S", seq=77)
SYNACK6_WEB = from_host(IPv6(src=WEB6, dst=CLIENT6) /
                        TCP(sport=8080, dport=40001, flags="SA", seq=5, ack=78))
UDP_VIP = udp4(CLIENT4, VIP4, 41000, 53, b"query-with-some-payload")
UDP_VIP_NOCSUM = Ether(bytes(udp4(CLIENT4, VIP4, 41001, 53, b"no checksum")))
UDP_VIP_NOCSUM[UDP].chksum = 0
UDP_VIP_NOCSUM = Ether(bytes(UDP_VIP_NOCSUM))
SYN_FULL = tcp4(CLIENT4, VIP4_FULL, 40002, 80, "S", seq=3000)
SYN_VIP_TTL1 = Ether(bytes(SYN_VIP))
SYN_VIP_TTL1[IP].ttl = 1
SYN_VIP_TTL1[IP].chksum = None
SYN_VIP_TTL1 = Ether(bytes(SYN_VIP_TTL1))
BIG_UDP_VIP = Ether(bytes(udp4(CLIENT4, VIP4, 41002, 53, b"x" * 1372)))
BIG_UDP_VIP[IP].flags = "DF"
BIG_UDP_VIP[IP].chksum = None
BIG_UDP_VIP = Ether(bytes(BIG_UDP_VIP))
FULL_PORT = snat_port(CLIENT4, 40002)
SYNACK_FULL = from_host(IP(src=WEB4, dst=SNAT4, id=7) /
                        TCP(sport=8080, dport=FULL_PORT, flags="SA", seq=1, ack=3001))


VIP_FAR = "198.51.100.80"
SYN_FAR_80 = tcp4(CLIENT4, VIP_FAR, 40003, 80, "S", seq=5000)
SYN_FAR_81 = tcp4(CLIENT4, VIP_FAR, 40004, 81, "S", seq=6000)
DMZ1 = "192.0.2.20"
SYN_FROM_VIPHOST = tcp4(CLIENT4, DMZ1, 22, 40100, "S", seq=100)
SYNACK_TO_VIPHOST = tcp4(DMZ1, CLIENT4, 40100, 22, "SA", seq=700, ack=101)


def too_big_for(pkt, mtu):
    """ICMP 3/4 (fragmentation needed, next-hop MTU) from the ingress
    interface, quoting the packet as the client sent it (the VIP), with the
    TTL the unit had already decremented (as for any too-big packet)."""
    p = Ether(bytes(pkt))
    p[IP].ttl -= 1
    p[IP].chksum = None
    p = Ether(bytes(p))
    quote = bytes(p[IP])[:p[IP].ihl * 4 + 8]
    return generated(Ether(src=p[Ether].dst, dst=p[Ether].src) /
                     IP(src=PORT_IP4[OUTSIDE], dst=p[IP].src, ttl=64) /
                     ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(quote))


def to_backend(pkt, dport=8080, src=None, sport=None):
    addr = WEB6 if IPv6 in pkt else WEB4
    return forwarded(nat(pkt, dst=addr, dport=dport, src=src, sport=sport), egress=INSIDE)


def to_client(pkt, vip, sport=80):
    return forwarded(nat(pkt, src=vip, sport=sport), egress=OUTSIDE)


LB_CASES = [
    dict(name="lb_dnat_v4_both_ways",
         rules=[LB_IN], conf={"services": [WEB_SVC]},
         # (a port's packets all go before the next port's: the client's
         # ACK would share the SYN's burst, so the handshake stops here)
         inputs={OUTSIDE: [SYN_VIP], INSIDE: [SYNACK_WEB]},
         outputs={INSIDE: [to_backend(SYN_VIP)],
                  OUTSIDE: [to_client(SYNACK_WEB, VIP4)]},
         counters={"rules.lb-in.pkts": 1, "conns.created": 1, "conns.active": 1,
                   "forwarded": 2}),

    dict(name="lb_dnat_v6_both_ways",
         rules=[LB_IN], conf={"services": [WEB6_SVC]},
         inputs={OUTSIDE: [SYN6_VIP], INSIDE: [SYNACK6_WEB]},
         outputs={INSIDE: [to_backend(SYN6_VIP)], OUTSIDE: [to_client(SYNACK6_WEB, VIP6)]},
         counters={"rules.lb-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="lb_dnat_udp_checksums",
         rules=[LB_UDP_IN], conf={"services": [UDP_SVC]},
         inputs={OUTSIDE: [UDP_VIP, UDP_VIP_NOCSUM]},
         # a UDP checksum of 0 (none) must stay 0 after translation
         outputs={INSIDE: [to_backend(UDP_VIP, 5353),
                           Expect(to_backend(UDP_VIP_NOCSUM, 5353), ignore=("UDP.chksum",))]},
         counters={"rules.lb-udp.pkts": 2, "conns.created": 2, "forwarded": 2}),

    dict(name="lb_fullnat_v4_both_ways",
         rules=[LB_IN], conf={"services": [FULL_SVC]},
         inputs={OUTSIDE: [SYN_FULL], INSIDE: [SYNACK_FULL]},
         outputs={INSIDE: [to_backend(SYN_FULL, src=SNAT4, sport=FULL_PORT)],
                  OUTSIDE: [forwarded(nat(SYNACK_FULL, src=VIP4_FULL, sport=80, dst=CLIENT4,
                                          dport=40002), egress=OUTSIDE)]},
         counters={"rules.lb-in.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="lb_fullnat_from_interface_address",
         # the SNAT source is the unit's own inside address (without a health
         # tap the kernel holds no sockets there: the whole block is usable)
         rules=[LB_IN],
         conf={"services": [service("full", VIP4_FULL, "80", [("web1", WEB4, 8080, "")],
                                    fwd="fullnat", snat=["10.10.0.1"])]},
         inputs={OUTSIDE: [SYN_FULL]},
         outputs={INSIDE: [Expect(to_backend(SYN_FULL, src="10.10.0.1"),
                                  ignore=("TCP.sport", "TCP.chksum"))]},
         counters={"rules.lb-in.pkts": 1, "conns.created": 1, "forwarded": 1}),

    dict(name="lb_ttl_expired_error_quotes_vip",
         # the ICMP error about a balanced packet quotes what the client sent
         rules=[LB_IN], conf={"services": [WEB_SVC]},
         inputs={OUTSIDE: [SYN_VIP_TTL1]},
         outputs={OUTSIDE: [time_exceeded_for(SYN_VIP_TTL1)]},
         counters={"drops.ttl_exceeded": 1, "conns.created": 1, "local.icmp_errors": 1}),

    dict(name="lb_too_big_error_quotes_vip",
         # DF and 1400 bytes towards a 1280-byte inside link: path-MTU
         # discovery through the load balancer needs the client's own view
         rules=[LB_UDP_IN], conf={"services": [UDP_SVC], "mtu_inside": 1280},
         inputs={OUTSIDE: [BIG_UDP_VIP]},
         outputs={OUTSIDE: [too_big_for(BIG_UDP_VIP, 1280)]},
         counters={"drops.mtu_exceeded": 1, "conns.created": 1, "local.icmp_errors": 1}),

    dict(name="lb_policy_sees_backend",
         # no rule accepts web1:8080: the VIP alone admits nothing
         rules=[rule("vip-only", "accept", "outside", "inside", "tcp", [VIP4 + "/32"], "80")],
         conf={"services": [WEB_SVC]},
         inputs={OUTSIDE: [SYN_VIP]},
         outputs={},
         counters={"rules.vip-only.pkts": 0, "drops.policy_default_drop": 1,
                   "conns.created": 0}),

    dict(name="lb_dnat_backend_tuple_taken",
         # DNAT keeps the client's port, and a client reuses a local port
         # towards different destinations: here it already talks to web1:8080
         # directly from port 40010 when it opens the VIP from 40010 too.
         # WRR (3:1) chooses web1 first; its side of the tuple is taken, so
         # the connection goes to the service's next backend (web1:8081), not
         # dropped as nat_no_port.
         rules=[rule("lb-in2", "accept", "outside", "inside", "tcp", [WEB4 + "/32"],
                     "8080-8081")],
         conf={"services": [service("web", VIP4, "80",
                                    [("web1", WEB4, 8080, "weight = 3;"),
                                     ("web2", WEB4, 8081, "weight = 1;")], sched="wrr")]},
         inputs={OUTSIDE: [tcp4(CLIENT4, WEB4, 40010, 8080, "S", seq=10),
                           tcp4(CLIENT4, VIP4, 40010, 80, "S", seq=20)]},
         outputs={INSIDE: [forwarded(tcp4(CLIENT4, WEB4, 40010, 8080, "S", seq=10),
                                     egress=INSIDE),
                           to_backend(tcp4(CLIENT4, VIP4, 40010, 80, "S", seq=20), 8081)]},
         counters={"rules.lb-in2.pkts": 2, "conns.created": 2, "forwarded": 2,
                   "drops.nat_no_port": 0}),

    dict(name="lb_no_backend_up",
         rules=[LB_IN],
         conf={"services": [service("web", VIP4, "80",
                                    [("web1", WEB4, 8080, 'state = "drain";')])]},
         inputs={OUTSIDE: [SYN_VIP]},
         outputs={},
         counters={"drops.lb_no_backend": 1, "conns.created": 0}),

    dict(name="lb_reply_without_connection_dropped",
         rules=[LB_IN], conf={"services": [WEB_SVC]},
         inputs={INSIDE: [SYNACK_WEB]},
         outputs={},
         counters={"drops.tcp_out_of_state": 1, "conns.created": 0}),

    dict(name="lb_snat_address_stray_dropped",
         rules=[LB_IN], conf={"services": [FULL_SVC]},
         inputs={INSIDE: [from_host(IP(src=WEB4, dst=SNAT4) /
                                    TCP(sport=8080, dport=5555, flags="SA"))]},
         outputs={},
         counters={"drops.nat_stray": 1}),

    # A VIP's port that no service has is routed like any other address,
    # whether the connection table misses (the service match and route of
    # admission run then) or hits a plain connection (perf5: admission no
    # longer matches services before the lookup).
    dict(name="lb_vip_other_port_no_route",
         # the VIP is on no connected subnet: port 80 is balanced, port 81
         # has no route (ICMP error, as before services existed)
         rules=[LB_IN], conf={"services": [service("far", VIP_FAR, "80",
                                                   [("web1", WEB4, 8080, "")])]},
         inputs={OUTSIDE: [SYN_FAR_81, SYN_FAR_80]},
         outputs={OUTSIDE: [net_unreach_for(SYN_FAR_81)], INSIDE: [to_backend(SYN_FAR_80)]},
         counters={"drops.no_route": 1, "local.icmp_errors": 1, "conns.created": 1,
                   "forwarded": 1}),

    dict(name="lb_vip_other_port_plain_connection",
         # the client's own address is also a VIP (port 80); it opens a
         # connection from port 22 to dmz1, whose answer (a hit on the plain
         # connection, to the VIP address, port 22) must be routed back to it
         rules=[rule("to-dmz", "accept", "outside", "dmz", "tcp", [DMZ1 + "/32"], "40100")],
         conf={"services": [service("cweb", CLIENT4, "80", [("web1", WEB4, 8080, "")])]},
         inputs={OUTSIDE: [SYN_FROM_VIPHOST]},
         later={DMZ: [SYNACK_TO_VIPHOST]},
         outputs={DMZ: [forwarded(SYN_FROM_VIPHOST)], OUTSIDE: [forwarded(SYNACK_TO_VIPHOST)]},
         counters={"rules.to-dmz.pkts": 1, "conns.created": 1, "forwarded": 2}),

    dict(name="lb_arp_for_vip_answered",
         rules=[], conf={"services": [WEB_SVC]},
         inputs={OUTSIDE: [Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                           ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=VIP4)]},
         outputs={OUTSIDE: [Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) /
                            ARP(op=2, hwsrc=PORT_MAC[OUTSIDE], psrc=VIP4,
                                hwdst=CLIENT_MAC, pdst=CLIENT4)]},
         counters={"local.arp_replies": 1, "consumed": 1}),

    dict(name="lb_arp_for_snat_answered_inside_only",
         rules=[], conf={"services": [FULL_SVC]},
         inputs={INSIDE: [Ether(src=WEB_MAC, dst="ff:ff:ff:ff:ff:ff") /
                          ARP(op=1, hwsrc=WEB_MAC, psrc=WEB4, pdst=SNAT4)],
                 OUTSIDE: [Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                           ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=SNAT4)]},
         outputs={INSIDE: [Ether(src=PORT_MAC[INSIDE], dst=WEB_MAC) /
                           ARP(op=2, hwsrc=PORT_MAC[INSIDE], psrc=SNAT4,
                               hwdst=WEB_MAC, pdst=WEB4)]},
         counters={"local.arp_replies": 1, "drops.arp_not_ours": 1}),
]
