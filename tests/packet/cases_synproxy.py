# SPDX-License-Identifier: BSD-3-Clause
"""Packet cases of the SYN proxy (issue 12 item 1, docs/security.md "SYN
proxy"): the cookie SYN-ACK, a valid cookie ACK opening the server side, a bad
one dropped, sequence translation both ways (SACK blocks included), FIN and
RST, plain, DNAT and full NAT, and the automatic mode.

The cookie is random per process, so the client's ACK and everything that
depends on it are FromOutputs entries, built from the SYN-ACK the unit sent.
Phases: the client's SYN arrives at start on `outside`; its later packets
come on `dmz` and the server's on `inside`, both FIFOs fed once the SYN-ACK
is out.  With `burst = 1` the worker takes one packet per port in turn
(inside, dmz, inside, ...), so the two lists interleave in a known order; the
first inside packet is a filler (dropped by policy) so the client's ACK goes
first.  Expected packets are built by scapy with every checksum recomputed,
so a byte-exact match proves the incremental updates."""

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from pktcase import (OUTSIDE, INSIDE, DMZ, PORT_MAC, CLIENT_MAC, WEB_MAC, CLIENT4, WEB4,
                     DMZ1_4, Expect, FromOutputs, generated, from_host, tcp4, forwarded)
from cases_lb import VIP4, VIP4_FULL, SNAT4, service, snat_port

OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
# what the cookie keeps of them, in the order the unit writes them
ECHO = [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""), ("NOP", None),
        ("WScale", 7)]
ISN_C, ISN_S = 1000, 500000
GET, RESP = b"GET / HTTP/1.0\r\n\r\n", b"HTTP/1.0 200 OK\r\n\r\nhello"
FILLER = from_host(IP(src=WEB4, dst="10.10.0.1") / UDP(sport=9, dport=9) / Raw(b"filler"))
SP_CONF = "\n  burst = 1;"


def rule(name, dst, dport, extra="synproxy = true;", to="inside"):
    return ('{ name = "%s"; from = "any"; to = "%s"; proto = "tcp"; dst = [ "%s/32" ]; '
            'dport = [ "%d" ]; %s action = "accept"; }' % (name, to, dst, dport, extra))


def client(dst, dport, sport, flags, seq, ack=0, load=b"", opts=None, via=OUTSIDE, win=502):
    t = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=win,
            options=opts or [])
    p = IP(src=CLIENT4, dst=dst, id=0x1111) / t
    if load:
        p = p / Raw(load)
    return from_host(p, mac=CLIENT_MAC, port_mac=PORT_MAC[via])


def server(src, sport, dst, dport, flags, seq, ack, load=b"", opts=None):
    p = IP(src=src, dst=dst, id=0x2222) / TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                                              ack=ack, window=65160, options=opts or [])
    if load:
        p = p / Raw(load)
    return from_host(p)


def cookie(out):
    """The SYN-ACK's seq: the first packet the unit sent to the client."""
    return Ether(bytes(out[OUTSIDE][0]))[TCP].seq


def synack(vip, vport, sport):
    return FromOutputs(lambda out: generated(
        Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) /
        IP(src=vip, dst=CLIENT4, ttl=64, flags="DF", id=0) /
        TCP(sport=vport, dport=sport, flags="SA", seq=cookie(out), ack=ISN_C + 1,
            window=65535, options=ECHO)))


def edit(pkt, **tcp):
    """pkt with TCP fields changed, checksums left to scapy."""
    p = Ether(bytes(pkt))
    for k, v in tcp.items():
        setattr(p[TCP], k, v)
    p[TCP].chksum = None
    return Ether(bytes(p))


def nat(pkt, src=None, sport=None, dst=None, dport=None):
    p = Ether(bytes(pkt))
    if src:
        p[IP].src, p[TCP].sport = src, sport
    if dst:
        p[IP].dst, p[TCP].dport = dst, dport
    p[IP].chksum = p[TCP].chksum = None
    return Ether(bytes(p))


def flow_case(name, vip, vport, srv, srv_port, xsrc, xport, rules, conf):
    """A whole proxied connection.  The client talks to vip:vport; the
    server srv:srv_port sees it as xsrc:xport (plain and DNAT: the client)."""
    cport = xport if xsrc == CLIENT4 else 40700
    syn = client(vip, vport, cport, "S", ISN_C, opts=OPTS)
    d_get = ISN_C + 1 + len(GET)

    def c(flags, seq, ackoff, load=b"", opts=None):
        # a client packet whose ack is the cookie + ackoff (client's view)
        return FromOutputs(lambda out: client(vip, vport, cport, flags, seq,
                                              (cookie(out) + ackoff) & 0xffffffff,
                                              load, opts, via=DMZ))

    def to_srv(pkt):
        # what the server receives: NAT'd, ack in the server's space
        return nat(pkt, src=xsrc if xsrc != CLIENT4 else None, sport=xport,
                   dst=srv if srv != vip else None, dport=srv_port)

    s_synack = server(srv, srv_port, xsrc, xport, "SA", ISN_S, ISN_C + 1,
                      opts=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    s_data = server(srv, srv_port, xsrc, xport, "PA", ISN_S + 1, d_get, RESP)
    s_fin = server(srv, srv_port, xsrc, xport, "FA", ISN_S + 1 + len(RESP), d_get)
    sack = [("NOP", None), ("SAck", (1 + 100, 1 + 200))]  # odd-aligned SACK block

    def srv_view(ackoff, flags, seq, load=b"", sack_edges=None):
        # the client packet as the server must get it: ack = ISN_S + ackoff
        opts = None
        if sack_edges:
            opts = [("NOP", None), ("SAck", tuple(ISN_S + e for e in sack_edges))]
        p = client(vip, vport, cport, flags, seq, ISN_S + ackoff, load, opts, via=DMZ)
        return forwarded(to_srv(p), egress=INSIDE, dst_mac=WEB_MAC)

    def to_client(pkt, seqoff):
        def f(out):
            p = edit(pkt, seq=(cookie(out) + seqoff) & 0xffffffff)
            if vip != srv:
                p = nat(p, src=vip, sport=vport, dst=CLIENT4 if xsrc != CLIENT4 else None,
                        dport=cport)
            return forwarded(p, egress=OUTSIDE, dst_mac=CLIENT_MAC)
        return FromOutputs(f)

    def c_sack(out):
        ck = cookie(out)
        return client(vip, vport, cport, "A", d_get, (ck + 1 + len(RESP)) & 0xffffffff,
                      opts=[("NOP", None), ("SAck", tuple((ck + e) & 0xffffffff
                                                          for e in sack[1][1]))], via=DMZ)

    syn_to_srv = Ether(src=PORT_MAC[INSIDE], dst=WEB_MAC) / \
        IP(src=xsrc, dst=srv, ttl=63, flags="DF", id=0x1111) / \
        TCP(sport=xport, dport=srv_port, flags="S", seq=ISN_C, window=65535, options=ECHO)
    ack_to_srv = generated(Ether(src=PORT_MAC[INSIDE], dst=WEB_MAC) /
                           IP(src=xsrc, dst=srv, ttl=64, flags="DF", id=0x2222) /
                           TCP(sport=xport, dport=srv_port, flags="A", seq=ISN_C + 1,
                               ack=ISN_S + 1, window=502))
    return dict(
        name=name, rules=rules, conf=dict(conf, dataplane_extra=SP_CONF),
        inputs={OUTSIDE: [syn]},
        later={INSIDE: [FILLER, s_synack, s_data, s_fin],
               DMZ: [c("A", ISN_C + 1, 1), c("PA", ISN_C + 1, 1, GET),
                     FromOutputs(c_sack), c("FA", d_get, 2 + len(RESP))]},
        outputs={OUTSIDE: [synack(vip, vport, cport), to_client(s_data, 1),
                           to_client(s_fin, 1 + len(RESP))],
                 INSIDE: [syn_to_srv, ack_to_srv,
                          srv_view(1, "PA", ISN_C + 1, GET),
                          srv_view(1 + len(RESP), "A", d_get, sack_edges=sack[1][1]),
                          srv_view(2 + len(RESP), "FA", d_get)]},
        counters={"conns.created": 1, "local.synproxy_synacks": 1,
                  "local.synproxy_opened": 1, "local.synproxy_server_acks": 1,
                  "drops.policy_default_drop": 1, "drops.synproxy_bad_cookie": 0,
                  "forwarded": 8})


WEB_SP = rule("web-sp", WEB4, 80)
LB_ANY = rule("lb-any", WEB4, 8080, extra="")
SP_SVC = service("web", VIP4, "80", [("web1", WEB4, 8080, "")]).replace(
    'forward = "dnat"; ', 'forward = "dnat"; synproxy = true; ')
SP_FULL = service("full", VIP4_FULL, "80", [("web1", WEB4, 8080, "")], fwd="fullnat",
                  snat=[SNAT4]).replace('forward = "fullnat"; ',
                                        'forward = "fullnat"; synproxy = true; ')

SYN_A = client(WEB4, 80, 40800, "S", ISN_C, opts=OPTS)
RST_S = server(WEB4, 80, CLIENT4, 40800, "RA", 0, ISN_C + 1)
SYNS = [tcp4(CLIENT4, WEB4, 41000 + i, 80, "S", seq=5000 + i) for i in range(4)]


def auto_synack(pkt):
    p = Ether(bytes(pkt))
    return Expect(Ether(src=PORT_MAC[OUTSIDE], dst=CLIENT_MAC) /
                  IP(src=WEB4, dst=CLIENT4, ttl=64, flags="DF", id=0) /
                  TCP(sport=80, dport=p[TCP].sport, flags="SA", seq=0, ack=p[TCP].seq + 1,
                      window=65535, options=[("MSS", 536)]),
                  ignore=("IP.id", "IP.chksum", "TCP.seq", "TCP.chksum"))


SYNPROXY_CASES = [
    dict(name="synproxy_cookie_synack",
         rules=[WEB_SP],
         inputs={OUTSIDE: [client(WEB4, 80, 40500, "S", ISN_C, opts=OPTS)]},
         outputs={OUTSIDE: [synack(WEB4, 80, 40500)]},
         counters={"conns.created": 0, "conns.active": 0, "local.synproxy_synacks": 1,
                   "forwarded": 1}),

    flow_case("synproxy_plain_seq_translated", WEB4, 80, WEB4, 80, CLIENT4, 40600,
              [WEB_SP], {}),
    flow_case("synproxy_dnat_seq_translated", VIP4, 80, WEB4, 8080, CLIENT4, 40601,
              [LB_ANY], {"services": [SP_SVC]}),
    flow_case("synproxy_fullnat_seq_translated", VIP4_FULL, 80, WEB4, 8080, SNAT4,
              snat_port(CLIENT4, 40700), [LB_ANY], {"services": [SP_FULL]}),

    # the server refuses the port: its RST reaches the client at the
    # cookie + 1; the client's data before any SYN-ACK is dropped
    dict(name="synproxy_server_rst_and_pending_data",
         rules=[WEB_SP], conf={"dataplane_extra": SP_CONF},
         inputs={OUTSIDE: [SYN_A]},
         later={INSIDE: [FILLER, RST_S],
                DMZ: [FromOutputs(lambda out: client(WEB4, 80, 40800, "A", ISN_C + 1,
                                                     cookie(out) + 1, via=DMZ)),
                      FromOutputs(lambda out: client(WEB4, 80, 40800, "PA", ISN_C + 1,
                                                     cookie(out) + 1, GET, via=DMZ))]},
         outputs={OUTSIDE: [synack(WEB4, 80, 40800),
                            FromOutputs(lambda out: forwarded(edit(RST_S, seq=cookie(out) + 1),
                                                              egress=OUTSIDE))],
                  INSIDE: [Ether(src=PORT_MAC[INSIDE], dst=WEB_MAC) /
                           IP(src=CLIENT4, dst=WEB4, ttl=63, flags="DF", id=0x1111) /
                           TCP(sport=40800, dport=80, flags="S", seq=ISN_C, window=65535,
                               options=ECHO)]},
         counters={"conns.created": 1, "drops.synproxy_pending": 1,
                   "drops.policy_default_drop": 1, "forwarded": 3}),

    # an ACK with no connection: a forged cookie for the proxied rule, and
    # out of state for a rule without the proxy
    dict(name="synproxy_bad_cookie_dropped",
         rules=[WEB_SP, rule("ssh", DMZ1_4, 22, extra="", to="dmz")],
         inputs={OUTSIDE: [client(WEB4, 80, 40900, "A", 7000, 123456),
                           client(DMZ1_4, 22, 40901, "A", 7000, 123456)]},
         counters={"drops.synproxy_bad_cookie": 1, "drops.tcp_out_of_state": 1,
                   "conns.created": 0, "forwarded": 0}),

    # automatic mode: at 2 half-open connections the worker answers the
    # next SYNs itself (MSS 536: the SYNs offer no options)
    dict(name="synproxy_auto_halfopen",
         rules=[rule("web", WEB4, 80, extra="")],
         conf={"dataplane_extra": "\n  synproxy_auto_halfopen = 2;"},
         inputs={OUTSIDE: SYNS},
         outputs={INSIDE: [forwarded(p) for p in SYNS[:2]],
                  OUTSIDE: [auto_synack(p) for p in SYNS[2:]]},
         counters={"conns.created": 2, "conns.halfopen": 2, "local.synproxy_synacks": 2,
                   "local.synproxy_auto_on": 1, "forwarded": 4}),
]
