# SPDX-License-Identifier: BSD-3-Clause
"""pktcase.py - the test topology (same numbers as base.conf) and builders
for input and expected packets, used by cases.py.

Builders derive expected packets from the input ones, as the spec says the
dataplane does: forwarded() rewrites MACs and decrements TTL/hop limit and
nothing else; rst_for() / unreach_for() / time_exceeded_for() build what the
unit sends back.  Fields a real stack may choose freely (IPv4 id, DF) are
listed in GENERATED_IGNORE and not compared for packets the unit generates.
"""

from scapy.layers.inet import IP, TCP, UDP, ICMP
from scapy.layers.inet6 import (IPv6, ICMPv6DestUnreach, ICMPv6TimeExceeded)
from scapy.layers.l2 import Ether
from scapy.packet import Raw

# ports: index = DPDK port id = position in base.conf `interfaces`
OUTSIDE, INSIDE, DMZ = 0, 1, 2
PORT_NAME = {OUTSIDE: "outside", INSIDE: "inside", DMZ: "dmz"}
PORT_MAC = {OUTSIDE: "02:00:00:00:00:01", INSIDE: "02:00:00:00:00:02",
            DMZ: "02:00:00:00:00:03"}
PORT_IP4 = {OUTSIDE: "203.0.113.1", INSIDE: "10.10.0.1", DMZ: "192.0.2.1"}
PORT_IP6 = {OUTSIDE: "2001:db8:ff::1", INSIDE: "2001:db8:10::1", DMZ: "2001:db8:d::1"}

CLIENT_MAC, WEB_MAC, DMZ1_MAC, DMZ2_MAC = \
    "02:00:00:00:0a:0a", "02:00:00:00:0b:0b", "02:00:00:00:0c:0c", "02:00:00:00:0d:0d"
CLIENT4, WEB4, DMZ1_4, DMZ2_4 = "203.0.113.10", "10.10.0.11", "192.0.2.20", "192.0.2.30"
CLIENT6, WEB6, DMZ1_6 = "2001:db8:ff::10", "2001:db8:10::11", "2001:db8:d::20"

# host address -> (port it lives behind, MAC); the static neighbours of base.conf
HOSTS = {
    CLIENT4: (OUTSIDE, CLIENT_MAC), CLIENT6: (OUTSIDE, CLIENT_MAC),
    WEB4: (INSIDE, WEB_MAC), WEB6: (INSIDE, WEB_MAC),
    DMZ1_4: (DMZ, DMZ1_MAC), DMZ1_6: (DMZ, DMZ1_MAC),
    DMZ2_4: (DMZ, DMZ2_MAC),
}

# Fields of packets the unit builds itself that a real stack picks freely.
# The header checksum follows IP.id, which a generated packet may choose;
# every output checksum is verified on its own (pktcmp.check_checksums).
GENERATED_IGNORE = ("IP.id", "IP.flags", "IP.chksum", "IPv6.fl", "IPv6.tc")


class Expect:
    """One expected output packet.  ignore: "Layer.field" names not compared."""

    def __init__(self, pkt, ignore=()):
        self.pkt = pkt
        self.ignore = tuple(ignore)


class Datagram:
    """An expected IPv4 datagram that may leave as one packet or as fragments
    that each fit mtu (L3 bytes).  The runner reassembles what came out and
    compares the whole; count, if set, is the exact number of packets."""

    def __init__(self, pkt, mtu, count=None):
        self.pkt = pkt
        self.mtu = mtu
        self.count = count


class FromOutputs:
    """A `later` input or an expected output that depends on what the unit
    sent (a value it picks at random, e.g. a SYN cookie): fn({port: [frames
    sent so far, all queues]}) returns one packet (an output may return an
    Expect).  Later inputs see the output pcaps as they are when the later
    packets are fed; outputs see the final ones."""

    def __init__(self, fn):
        self.fn = fn


def generated(pkt):
    return Expect(pkt, ignore=GENERATED_IGNORE)


# ---------------------------------------------------------------- inputs

def from_host(l3, mac=None, port_mac=None):
    """Frame sent by the host owning l3's source address to the unit."""
    src = l3[IPv6].src if IPv6 in l3 else l3[IP].src
    port, hmac = HOSTS.get(src, (None, None))
    mac = mac or hmac
    port_mac = port_mac or PORT_MAC[port]
    return Ether(src=mac, dst=port_mac) / l3


def ingress_port(pkt):
    src = pkt[IPv6].src if IPv6 in pkt else pkt[IP].src
    return HOSTS[src][0]


def tcp4(src, dst, sport, dport, flags="S", seq=1000, ack=0, ttl=64, load=b"", **ip):
    p = IP(src=src, dst=dst, ttl=ttl, id=ip.pop("id", 0x1234), **ip) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)
    if load:
        p = p / Raw(load)
    return from_host(p)


def tcp6(src, dst, sport, dport, flags="S", seq=1000, ack=0, hlim=64, load=b""):
    p = IPv6(src=src, dst=dst, hlim=hlim) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)
    if load:
        p = p / Raw(load)
    return from_host(p)


def udp4(src, dst, sport, dport, load=b"sekisho", ttl=64, **ip):
    return from_host(IP(src=src, dst=dst, ttl=ttl, id=ip.pop("id", 0x2345), **ip) /
                     UDP(sport=sport, dport=dport) / Raw(load))


def udp6(src, dst, sport, dport, load=b"sekisho", hlim=64):
    return from_host(IPv6(src=src, dst=dst, hlim=hlim) / UDP(sport=sport, dport=dport) /
                     Raw(load))


def icmp4_echo(src, dst, ident=0x77, seq=1, load=b"ping-sekisho", ttl=64, reply=False):
    return from_host(IP(src=src, dst=dst, ttl=ttl, id=0x3456) /
                     ICMP(type=0 if reply else 8, id=ident, seq=seq) / Raw(load))


# ---------------------------------------------------------------- outputs

def _parsed(pkt):
    return Ether(bytes(pkt))


def forwarded(pkt, egress=None, dst_mac=None):
    """pkt as the unit forwards it: src MAC = egress port, dst MAC = the
    destination's neighbour entry, TTL/hop limit - 1, IPv4 header checksum
    recomputed; nothing else changes."""
    p = _parsed(pkt)
    if IPv6 in p:
        dst = p[IPv6].dst
        p[IPv6].hlim -= 1
    else:
        dst = p[IP].dst
        p[IP].ttl -= 1
        p[IP].chksum = None
    port, mac = HOSTS.get(dst, (egress, dst_mac))
    egress = port if egress is None else egress
    p[Ether].src = PORT_MAC[egress]
    p[Ether].dst = dst_mac or mac
    return _parsed(p)


def _back_to(pkt):
    """Ethernet header for something the unit sends back to pkt's sender."""
    p = _parsed(pkt)
    return Ether(src=p[Ether].dst, dst=p[Ether].src)


def rst_for(pkt):
    """RST the unit sends for a rejected TCP segment (RFC 793 reset
    generation): with ACK -> RST seq=SEG.ACK; without -> RST+ACK seq 0,
    ack = SEG.SEQ + payload + SYN + FIN.  TTL/hop limit 64."""
    p = _parsed(pkt)
    t = p[TCP]
    flags = int(t.flags)
    # payload length from the IP header: Ethernet padding is not payload
    if IPv6 in p:
        l3 = IPv6(src=p[IPv6].dst, dst=p[IPv6].src, hlim=64)
        plen = p[IPv6].plen - t.dataofs * 4
    else:
        l3 = IP(src=p[IP].dst, dst=p[IP].src, ttl=64)
        plen = p[IP].len - p[IP].ihl * 4 - t.dataofs * 4
    if flags & 0x10:
        l4 = TCP(sport=t.dport, dport=t.sport, flags="R", seq=t.ack, ack=0, window=0)
    else:
        ack = (t.seq + plen + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)) \
            & 0xffffffff
        l4 = TCP(sport=t.dport, dport=t.sport, flags="RA", seq=0, ack=ack, window=0)
    return Expect(_back_to(pkt) / l3 / l4, ignore=GENERATED_IGNORE + ("TCP.window",))


def _quote4(pkt):
    ip = _parsed(pkt)[IP]
    return bytes(ip)[:ip.ihl * 4 + 8]


def _quote6(pkt):
    return bytes(_parsed(pkt)[IPv6])[:1280 - 40 - 8]


def unreach_for(pkt):
    """ICMP 3/13 (IPv4) or ICMPv6 1/1 from the ingress interface's first
    address, quoting the offending packet as received."""
    port = ingress_port(pkt)
    if IPv6 in pkt:
        return generated(_back_to(pkt) /
                         IPv6(src=PORT_IP6[port], dst=pkt[IPv6].src, hlim=64) /
                         ICMPv6DestUnreach(code=1) / Raw(_quote6(pkt)))
    return generated(_back_to(pkt) / IP(src=PORT_IP4[port], dst=pkt[IP].src, ttl=64) /
                     ICMP(type=3, code=13) / Raw(_quote4(pkt)))


def net_unreach_for(pkt):
    """ICMP 3/0 (IPv4) or ICMPv6 1/0 (no route) from the ingress interface:
    a router that cannot forward says so, rate-limited, like any router."""
    port = ingress_port(pkt)
    if IPv6 in pkt:
        return generated(_back_to(pkt) /
                         IPv6(src=PORT_IP6[port], dst=pkt[IPv6].src, hlim=64) /
                         ICMPv6DestUnreach(code=0) / Raw(_quote6(pkt)))
    return generated(_back_to(pkt) / IP(src=PORT_IP4[port], dst=pkt[IP].src, ttl=64) /
                     ICMP(type=3, code=0) / Raw(_quote4(pkt)))


def time_exceeded_for(pkt):
    """ICMP 11/0 or ICMPv6 3/0 from the ingress interface's address, quoting
    the packet as received (TTL 1, not 0: the quote is what arrived)."""
    port = ingress_port(pkt)
    if IPv6 in pkt:
        return generated(_back_to(pkt) /
                         IPv6(src=PORT_IP6[port], dst=pkt[IPv6].src, hlim=64) /
                         ICMPv6TimeExceeded(code=0) / Raw(_quote6(pkt)))
    return generated(_back_to(pkt) / IP(src=PORT_IP4[port], dst=pkt[IP].src, ttl=64) /
                     ICMP(type=11, code=0) / Raw(_quote4(pkt)))


def echo_reply_for(pkt):
    """The unit's answer to an echo request to its own address: addresses
    swapped, type 0, same id/seq/data, TTL 64."""
    p = _parsed(pkt)
    if IPv6 in p:
        from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest
        e = p[ICMPv6EchoRequest]
        return generated(_back_to(pkt) / IPv6(src=p[IPv6].dst, dst=p[IPv6].src, hlim=64) /
                         ICMPv6EchoReply(id=e.id, seq=e.seq, data=e.data))
    e = p[ICMP]
    return generated(_back_to(pkt) / IP(src=p[IP].dst, dst=p[IP].src, ttl=64) /
                     ICMP(type=0, id=e.id, seq=e.seq) / Raw(bytes(e.payload)))
