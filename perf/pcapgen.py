# SPDX-License-Identifier: BSD-3-Clause
"""pcapgen.py - the bench traffic as pcap files, written directly (no scapy:
a million packets must take seconds, not minutes).

Flow i: client 10.254.0.0 + (i >> 10), sport 1024 + (i & 1023) -> server
10.253.0.1 (dport 80 TCP).  The same mapping as perf/bench_pipeline.c.
Frames are sized without FCS (a "64-byte" frame is 60 bytes here).
"""
import random
import struct

from gen_config import MAC_DP_OUT, MAC_GEN_OUT

IMIX = [(60, 7), (590, 4), (1514, 1)]   # simple IMIX 64/594/1518 with FCS, 7:4:1
SYN, ACK = 0x02, 0x10


def _mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


_ETH = _mac(MAC_DP_OUT) + _mac(MAC_GEN_OUT) + b"\x08\x00"


def _csum(b):
    s = sum(struct.unpack("!10H", b))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(flow, dport=80, flags=ACK, size=60, proto=6):
    src = 0x0AFE0000 + (flow >> 10)
    sport = 1024 + (flow & 1023)
    dst = 0x0AFD0001
    ip_len = size - 14
    ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, ip_len, flow & 0xFFFF, 0, 64, proto, 0, src, dst))
    struct.pack_into("!H", ip, 10, _csum(bytes(ip)))
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 1 if flags & ACK else 0, 5 << 4, flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sport, dport, ip_len - 20, 0)
    pad = size - 14 - 20 - len(l4)
    return _ETH + bytes(ip) + l4 + b"\x00" * pad


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def add(self, b):
        self.f.write(struct.pack("<IIII", 0, self.n, len(b), len(b)))
        self.f.write(b)
        self.n += 1

    def close(self):
        self.f.close()


def established(path, flows, sizes=None, seed=1):
    """One ACK per flow (tcp_loose creates the connection on the first pass;
    infinite_rx replays the file, so every later pass is established traffic).
    With sizes (IMIX) each flow's frame size is drawn from the mix."""
    rnd = random.Random(seed)
    w = Writer(path)
    pop = [s for s, k in sizes for _ in range(k)] if sizes else None
    for i in range(flows):
        w.add(frame(i, size=rnd.choice(pop) if pop else 60))
    w.close()
    return w.n


def syn_flood(path, n):
    """n SYNs, every one a new connection (one pass, no replay)."""
    w = Writer(path)
    for i in range(n):
        w.add(frame(i, flags=SYN))
    w.close()
    return w.n


def mix(path, est_flows, n, new_pct=15, deny_pct=5, seed=1):
    """est_flows ACKs to open the established set, then n packets: new_pct %
    SYNs of new flows, deny_pct % SYNs to the denied port 23, the rest ACKs
    on the established set in random order.  One pass."""
    rnd = random.Random(seed)
    w = Writer(path)
    for i in range(est_flows):
        w.add(frame(i))
    nxt = est_flows
    for _ in range(n):
        r = rnd.randrange(100)
        if r < new_pct:
            w.add(frame(nxt, flags=SYN))
            nxt += 1
        elif r < new_pct + deny_pct:
            w.add(frame(nxt, dport=23, flags=SYN))
            nxt += 1
        else:
            w.add(frame(rnd.randrange(est_flows)))
    w.close()
    return w.n
