#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/fuzz/mkseeds.py - (re)write the seed corpora of tests/fuzz.

Run from the repository root: /usr/bin/python3 tests/fuzz/mkseeds.py [SEKISHO_CP]

  parse, frag, pipeline   frames built with scapy against the addresses of
                          fuzz_unit_conf.h (the packet tests' plan: client
                          203.0.113.10 outside, web1 10.10.0.11 inside, dmz1
                          192.0.2.20, VIPs 203.0.113.80/.81 and 2001:db8:ff::80)
  config                  conf/*.conf and tests/config/{good,bad}/*.conf
  image                   those configs compiled by SEKISHO_CP --compile
                          (default build/control/sekisho-cp)
  rest                    request bodies of the unit tests and docs
  ha                      link frames (a signed HELLO) and heartbeats
  halink                  a peer's handshake and messages, whole and chunked

Each harness's comment describes its input format; the framing here must
follow it.  Seeds are small real inputs: libFuzzer grows the rest.
"""
import glob
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from scapy.all import (ARP, Ether, ICMP, IP, IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6DestUnreach, Dot1Q, Raw, TCP,
                       UDP, fragment, fragment6, IPOption_RR)

OUT_MAC, IN_MAC, DMZ_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"
CLIENT_MAC, WEB_MAC, DMZ1_MAC = "02:00:00:00:0a:0a", "02:00:00:00:0b:0b", "02:00:00:00:0c:0c"
CLIENT4, WEB4, DMZ1 = "203.0.113.10", "10.10.0.11", "192.0.2.20"
CLIENT6, WEB6 = "2001:db8:ff::10", "2001:db8:10::11"
VIP4, VIP4_FULL, VIP6, SNAT4 = "203.0.113.80", "203.0.113.81", "2001:db8:ff::80", "10.10.0.2"
OUTSIDE, INSIDE, DMZ = 0, 1, 2
MAC_OF = {OUTSIDE: OUT_MAC, INSIDE: IN_MAC, DMZ: DMZ_MAC}
HOST_MAC = {OUTSIDE: CLIENT_MAC, INSIDE: WEB_MAC, DMZ: DMZ1_MAC}

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")


def on(iface, l3):
    """A frame as it arrives on iface, from the host behind it."""
    return bytes(Ether(src=HOST_MAC[iface], dst=MAC_OF[iface]) / l3)


def write(target, name, data):
    d = os.path.join(FUZZ, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(target):
    """Remove the generated seeds, never regress/."""
    d = os.path.join(FUZZ, target)
    for f in glob.glob(os.path.join(d, "*")):
        if os.path.isfile(f):
            os.unlink(f)


# ---- packet flows: (iface, frame) lists ----

def tcp_flow(c, s, cport, sport, iface_c=OUTSIDE, iface_s=INSIDE, v6=False, back_src=None,
             back_dst=None, back_sport=None, back_dport=None):
    ipc = IPv6 if v6 else IP
    bsrc, bdst = back_src or s, back_dst or c
    bsp, bdp = back_sport or sport, back_dport or cport
    return [
        (iface_c, on(iface_c, ipc(src=c, dst=s) / TCP(sport=cport, dport=sport, flags="S", seq=1000))),
        (iface_s, on(iface_s, ipc(src=bsrc, dst=bdst) / TCP(sport=bsp, dport=bdp, flags="SA",
                                                              seq=5000, ack=1001))),
        (iface_c, on(iface_c, ipc(src=c, dst=s) / TCP(sport=cport, dport=sport, flags="A",
                                                      seq=1001, ack=5001))),
        (iface_c, on(iface_c, ipc(src=c, dst=s) / TCP(sport=cport, dport=sport, flags="PA",
                                                      seq=1001, ack=5001) / Raw(b"GET / HTTP/1.0\r\n\r\n"))),
        (iface_s, on(iface_s, ipc(src=bsrc, dst=bdst) / TCP(sport=bsp, dport=bdp, flags="FA",
                                                              seq=5001, ack=1019))),
        (iface_c, on(iface_c, ipc(src=c, dst=s) / TCP(sport=cport, dport=sport, flags="FA",
                                                      seq=1019, ack=5002))),
    ]


def flows():
    f = {}
    f["tcp4"] = tcp_flow(CLIENT4, WEB4, 40000, 80)
    f["tcp6"] = tcp_flow(CLIENT6, WEB6, 40001, 443, v6=True)
    f["vip4"] = tcp_flow(CLIENT4, VIP4, 40002, 80, back_src=WEB4, back_sport=8080)
    f["vip6"] = tcp_flow(CLIENT6, VIP6, 40003, 80, v6=True, back_src=WEB6, back_sport=8080)
    f["fullnat"] = tcp_flow(CLIENT4, VIP4_FULL, 40004, 80, back_src=WEB4, back_sport=8080,
                            back_dst=SNAT4, back_dport=1024)
    f["outbound"] = tcp_flow(WEB4, CLIENT4, 50000, 443, iface_c=INSIDE, iface_s=OUTSIDE)
    f["udp"] = [
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / UDP(sport=41000, dport=9000) / Raw(b"x" * 40))),
        (INSIDE, on(INSIDE, IP(src=WEB4, dst=CLIENT4) / UDP(sport=9000, dport=41000) / Raw(b"y" * 20))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=VIP4) / UDP(sport=41001, dport=53) / Raw(b"query"))),
        (INSIDE, on(INSIDE, IP(src=WEB4, dst=CLIENT4) / UDP(sport=5353, dport=41001) / Raw(b"answer"))),
    ]
    f["reject"] = [
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / TCP(sport=40010, dport=23, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / UDP(sport=40011, dport=5000) / Raw(b"z"))),
        (OUTSIDE, on(OUTSIDE, IPv6(src=CLIENT6, dst=WEB6) / TCP(sport=40012, dport=23, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / TCP(sport=40013, dport=22, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / UDP(sport=1900, dport=1900))),
    ]
    f["local"] = [
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst="203.0.113.1") / ICMP(type=8, id=7, seq=1) / Raw(b"ping"))),
        (OUTSIDE, on(OUTSIDE, IPv6(src=CLIENT6, dst="2001:db8:ff::1") / ICMPv6EchoRequest(id=7, seq=1))),
        (OUTSIDE, bytes(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                        ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst="203.0.113.1"))),
        (OUTSIDE, bytes(Ether(src=CLIENT_MAC, dst="33:33:ff:00:00:01") /
                        IPv6(src=CLIENT6, dst="ff02::1:ff00:1", hlim=255) /
                        ICMPv6ND_NS(tgt="2001:db8:ff::1"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst="203.0.113.1") / TCP(sport=40020, dport=22, flags="S"))),
    ]
    f["icmp"] = [
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4) / ICMP(type=8, id=9, seq=1))),
        (INSIDE, on(INSIDE, IP(src=WEB4, dst=CLIENT4) / ICMP(type=0, id=9, seq=1))),
        (INSIDE, on(INSIDE, IP(src=WEB4, dst=CLIENT4) / ICMP(type=3, code=3) /
                    IP(src=CLIENT4, dst=WEB4) / UDP(sport=41000, dport=9000))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4, ttl=1) / TCP(sport=40030, dport=80, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IPv6(src=CLIENT6, dst=WEB6) / ICMPv6DestUnreach(code=4) /
                     IPv6(src=WEB6, dst=CLIENT6) / UDP(sport=9000, dport=41000))),
    ]
    big = Raw(b"B" * 1400)
    f["mtu"] = [
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=DMZ1) / UDP(sport=41100, dport=7000) / big)),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=DMZ1, flags="DF") / UDP(sport=41101, dport=7000) / big)),
        (OUTSIDE, on(OUTSIDE, IPv6(src=CLIENT6, dst="2001:db8:d::20") / UDP(sport=41102, dport=7000) / big)),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst="198.51.100.7") / TCP(sport=40040, dport=80, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst="100.64.0.1") / TCP(sport=40041, dport=80, flags="S"))),
    ]
    frags4 = fragment(IP(src=CLIENT4, dst=WEB4, id=0x1234) / UDP(sport=41200, dport=9000) /
                      Raw(b"F" * 3000), fragsize=1200)
    frags6 = fragment6(IPv6(src=CLIENT6, dst=WEB6) / IPv6ExtHdrFragment(id=0x5678) /
                       UDP(sport=41201, dport=9000) / Raw(b"G" * 3000), 1280)
    fr_dmz = fragment(IP(src=CLIENT4, dst=DMZ1, id=0x4321) / UDP(sport=41202, dport=7000) /
                      Raw(b"H" * 2800), fragsize=1400)
    f["frag4"] = [(OUTSIDE, on(OUTSIDE, p)) for p in frags4]
    f["frag4rev"] = [(OUTSIDE, on(OUTSIDE, p)) for p in reversed(frags4)]
    f["frag6"] = [(OUTSIDE, bytes(Ether(src=CLIENT_MAC, dst=OUT_MAC) / p)) for p in frags6]
    f["fragdmz"] = [(OUTSIDE, on(OUTSIDE, p)) for p in fr_dmz]
    f["l2"] = [
        (OUTSIDE, bytes(Ether(src=CLIENT_MAC, dst=OUT_MAC) / Dot1Q(vlan=10) /
                        IP(src=CLIENT4, dst=WEB4) / TCP(sport=40050, dport=80, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IP(src=CLIENT4, dst=WEB4, options=[IPOption_RR()]) /
                     TCP(sport=40051, dport=80, flags="S"))),
        (OUTSIDE, on(OUTSIDE, IPv6(src=CLIENT6, dst=WEB6) / IPv6ExtHdrHopByHop() /
                     TCP(sport=40052, dport=80, flags="S"))),
        (OUTSIDE, bytes(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                        IP(src=CLIENT4, dst="203.0.113.255") / UDP(sport=137, dport=137))),
    ]
    return f


def packet_seeds():
    for t in ("parse", "frag", "pipeline"):
        clean(t)
    fl = flows()
    n = 0
    for name, pkts in sorted(fl.items()):
        # pipeline: the whole flow, one burst per direction change
        rec = b""
        for i, (iface, frame) in enumerate(pkts):
            last = i + 1 == len(pkts) or pkts[i + 1][0] != iface
            ctl = iface | (4 if last else 0)
            rec += struct.pack(">BH", ctl, len(frame)) + frame
        write("pipeline", name, rec)
        # frag: the flow's frames at MTU 1280 (fragments get reassembled and split again)
        frec = b""
        for iface, frame in pkts:
            frec += struct.pack(">BHH", 1, 1280, len(frame)) + frame
        write("frag", name, frec)
        # parse: each frame alone (checksums verified, the port MAC checked)
        for i, (iface, frame) in enumerate(pkts):
            write("parse", "%s-%d" % (name, i), bytes([0, 0]) + frame)
            n += 1
    # timeouts: the clock jumps between the SYN and the reply (v = 31: ~5 min)
    syn, synack = fl["tcp4"][0][1], fl["tcp4"][1][1]
    write("pipeline", "timeout", struct.pack(">BH", OUTSIDE | 4, len(syn)) + syn +
          struct.pack(">BH", (31 << 3) | INSIDE | 4, len(synack)) + synack)
    return n


# ---- config and image ----

def config_seeds(cp):
    clean("config")
    clean("image")
    confs = sorted(glob.glob(os.path.join(ROOT, "conf", "*.conf")) +
                   glob.glob(os.path.join(ROOT, "tests", "config", "good", "*.conf")) +
                   glob.glob(os.path.join(ROOT, "tests", "config", "bad", "*.conf")))
    tmp = tempfile.mkdtemp(prefix="sekisho-seeds.")
    images = 0
    try:
        for c in confs:
            kind = os.path.basename(os.path.dirname(c))
            name = "%s-%s" % (kind, os.path.basename(c)[:-5])
            with open(c, "rb") as f:
                write("config", name, f.read())
            if kind == "bad" or not os.access(cp, os.X_OK):
                continue
            out = os.path.join(tmp, name + ".img")
            r = subprocess.run([cp, "--compile", c, "-o", out], capture_output=True)
            if r.returncode == 0:
                with open(out, "rb") as f:
                    write("image", name, b"\x03" + f.read())
                images += 1
    finally:
        shutil.rmtree(tmp)
    return len(confs), images


# ---- REST bodies: [route][query flags][body]; route order of fuzz_rest.c ----

R_VALIDATE, R_COMMIT, R_DIFF, R_ROLLBACK, R_IMPORT, R_TRACE, R_BACKEND, R_STANDBY, R_RELEASE, \
    R_DELCONNS = range(10)


def rest_seeds():
    clean("rest")
    with open(os.path.join(ROOT, "tests", "config", "good", "minimal.conf"), "rb") as f:
        minimal = f.read()
    bodies = {
        "validate-text": (R_VALIDATE, 0, minimal),
        "validate-json": (R_VALIDATE, 0, json.dumps({"text": minimal.decode()}).encode()),
        "commit": (R_COMMIT, 0, json.dumps({"text": minimal.decode(), "replaces": 1}).encode()),
        "diff-text": (R_DIFF, 0, json.dumps({"text": minimal.decode()}).encode()),
        "diff-gens": (R_DIFF, 0, b'{"from": 1, "to": 0}'),
        "rollback": (R_ROLLBACK, 0, b'{"generation": 1, "replaces": 1}'),
        "import": (R_IMPORT, 0, b'SKBUNDLE1\n{"version": 1}'),
        "import-commit": (R_IMPORT, 3, b'{"format": "sekisho-bundle"}'),
        "trace": (R_TRACE, 0, json.dumps({"from": "outside", "src": CLIENT4, "dst": WEB4,
                                          "proto": "tcp", "sport": 40000, "dport": 80,
                                          "tcp_flags": "S"}).encode()),
        "trace6": (R_TRACE, 0, json.dumps({"from": "outside", "src": CLIENT6, "dst": VIP6,
                                           "proto": "tcp", "dport": 80}).encode()),
        "trace-icmp": (R_TRACE, 0, json.dumps({"in": "inside", "src": WEB4, "dst": CLIENT4,
                                               "proto": "icmp", "icmp_type": 8, "ttl": 1,
                                               "length": 1500, "df": True}).encode()),
        "backend-drain": (R_BACKEND, 0, b'{"action": "drain"}'),
        "backend-weight": (R_BACKEND, 0, b'{"weight": 5, "action": "enable"}'),
        "standby": (R_STANDBY, 4, b'{"force": true, "timeout_ms": 2000}'),
        "release": (R_RELEASE, 0, b'{}'),
        "delete-conns": (R_DELCONNS, 0, b''),
    }
    for name, (route, q, body) in bodies.items():
        write("rest", name, bytes([route, q]) + body)
    return len(bodies)


# ---- HA: [mode] + mode's bytes (fuzz_ha.c) ----

PSK = b"fuzz pre-shared key"


def ha_seeds():
    clean("ha")
    lkey = hmac.new(PSK, b"sekisho ha link", hashlib.sha256).digest()
    hello = bytearray(128)
    hello[0] = 2
    struct.pack_into(">III", hello, 4, 2, 1, 4096)
    hello[16:32] = bytes(range(16))
    hello[32:37] = b"0.1.0"
    hello[64:73] = b"fuzz-pair"
    hdr = struct.pack(">IBBBBIIQQ", 0x534b484c, 1, 1, 3, 2, len(hello), len(hello), 1, 7 << 32)
    frame = hdr + bytes(hello)
    frame += hmac.new(lkey, frame, hashlib.sha256).digest()
    write("ha", "hello-raw", b"\x00" + frame)
    write("ha", "hello-signed", b"\x01" + bytes([1, 3, 2]) + struct.pack(">IIIII", 128, 0, 1, 7, 0) +
          bytes(hello))
    write("ha", "msg-signed", b"\x01" + bytes([10, 1, 2]) + struct.pack(">IIIII", 64 << 10, 0, 9, 7, 0) +
          b"m" * 200)
    hkey = hmac.new(PSK, b"sekisho dataplane heartbeat", hashlib.sha256).digest()
    hb = struct.pack(">IHBB32sQQQQII", 0x534b4842, 1, 2, 2, b"fuzz-pair", 7 << 32, 5, 3, 9, 100, 0)
    hb += hmac.new(hkey, hb, hashlib.sha256).digest()
    write("ha", "hb-raw", b"\x02" + hb)
    write("ha", "hb-signed", b"\x03" + bytes([2, 2]) + b"fuzz-pair".ljust(31, b"\0") +
          struct.pack(">IIIIIIII", 0, 7, 0, 5, 3, 9, 100, 0))
    return 5


def halink_seeds():
    """[how][type][flags][unit][total u16][seq+][len u16][payload] (fuzz_halink.c)."""
    clean("halink")
    hello = bytearray(128)
    hello[0] = 2
    struct.pack_into(">III", hello, 4, 2, 1, 1024)
    hello[16:32] = bytes(range(16))
    hello[32:37] = b"0.1.0"
    hello[64:73] = b"fuzz-pair"

    def rec(how, typ, flags, total, payload, seqd=1, unit=2):
        return struct.pack(">BBBBHBH", how, typ, flags, unit, total, seqd, len(payload)) + payload

    hs = rec(0, 1, 3, 128, bytes(hello)) + rec(0, 2, 3, 0, b"")
    write("halink", "handshake", hs)
    write("halink", "whole", hs + rec(0, 3, 3, 40, b"h" * 40) + rec(0, 4, 3, 100, b"p" * 100))
    write("halink", "chunked", hs + rec(0, 4, 1, 2500, b"a" * 1024) + rec(0, 3, 3, 8, b"hb-ctrl!") +
          rec(0, 4, 0, 2500, b"b" * 1024) + rec(0, 4, 2, 2500, b"c" * 452))
    write("halink", "mismatch", rec(0, 1, 3, 128, bytes(hello[:12]) + struct.pack(">I", 4096) +
                                    bytes(hello[16:])) + rec(0, 2, 3, 0, b""))
    write("halink", "garbage", rec(1, 0, 0, 0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
    return 5


def main():
    cp = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "control", "sekisho-cp")
    n = packet_seeds()
    nc, ni = config_seeds(cp)
    nr = rest_seeds()
    nh = ha_seeds() + halink_seeds()
    print("seeds: %d frames, %d configs, %d images, %d REST bodies, %d HA inputs" % (n, nc, ni, nr, nh))


if __name__ == "__main__":
    main()
