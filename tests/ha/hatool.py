#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""hatool.py - the measuring tools tests/ha/run drives inside the HA lab.

  send HOST PORT --interval S --out FILE
        a datagram every S seconds (payload: sequence number) until SIGTERM;
        then write the number sent to FILE.
  recv ADDR PORT --out FILE --ready FILE
        log "seq monotonic_time" of every datagram until SIGTERM.
  poll --url URL --token T --dp-pid-file F --out FILE [--interval S]
        every S seconds (default 0.05) GET URL (this unit's /api/v1/ha) and
        log "monotonic_time role term link_up data_up"; role is "down" when
        the API does not answer, and "dead-dp" when it says active but the
        unit's sekisho-dp (pid in F) is gone: a dead dataplane forwards
        nothing, whatever its control plane last read from shared memory.
  neigh IFACE IP --out FILE [--interval S]
        every S seconds (default 0.05) read this namespace's neighbour entry
        for IP on IFACE and log "monotonic_time mac" whenever the MAC changes:
        which unit the client sends to, throughout a test.
  report --recv F --sent F --poll1 F --poll2 F [--neigh F] [--from T] [--to T]
        print TAP comments and one JSON line: largest gap between received
        datagrams, lost datagrams, time both units were active, and how many
        times the client's neighbour entry changed MAC (and its last MAC).
  arp IFACE MYIP TARGET [--wait S]
        ask who has TARGET (three requests) and print the distinct MACs
        that answered, one per line: exactly one unit must answer for a
        floating address.
  record IFACE SRC --port P --seconds S --out FILE
        capture the TCP byte stream that SRC sends on a connection to or
        from port P and that begins with a HELLO of the HA link: a recorded
        session, for replaying it later (hostile replay).
  hostile KIND HOST PORT --bind ADDR [--file F]
        play a hostile HA peer against HOST:PORT from ADDR: garbage, wrongkey
        (a HELLO under another key), version (a frame of version 2),
        oversize (a 1 GB length field), replay (the bytes of F, a recorded
        session), noread (connects, never reads nor writes); prints whether
        and when the unit closed the connection.
  fetch URL... --count N --rate BPS --sha256 HEX --out FILE [--port-base P]
        N HTTP/1.1 downloads at once, spread over the URLs in turn, each read
        at BPS bytes/s (long-lived connections that span a takeover); writes
        a JSON report: per URL, how many completed byte for byte (status 200,
        full length, the expected sha256), failed, and why.  The k-th URL's
        connections leave from local ports P + 1000 k on (default 20000).
  impair IF1 IF2 --loss P --delay S
        forward frames between IF1 and IF2 (two bridge ports taken out of
        their bridge), dropping each with probability P and delaying the
        rest by S seconds, until SIGTERM: the HA link under loss and delay
        where the kernel has no sch_netem.

AF_PACKET sockets (arp, record, impair) need root, as the HA lab does.
CLOCK_MONOTONIC is one clock for every namespace of the host: the times of
different processes compare.  Only the standard library.
"""
import argparse
import hashlib
import heapq
import hmac
import json
import os
import random
import select
import signal
import socket
import ssl
import struct
import sys
import time
import urllib.request

STOP = False


def on_term(_sig, _frm):
    global STOP
    STOP = True


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    seq = 0
    nxt = time.monotonic()
    while not STOP:
        try:
            s.sendto(b"%d" % seq, (a.host, a.port))
        except OSError:
            pass  # no route/neighbour for a moment: counts as lost
        seq += 1
        nxt += a.interval
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)
        elif d < -1:
            nxt = time.monotonic()  # descheduled for long: do not burst
    with open(a.out, "w") as f:
        f.write("%d\n" % seq)


def cmd_recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    s.settimeout(0.2)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    rows = []
    while not STOP:
        try:
            data = s.recv(64)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        rows.append((int(data), time.monotonic()))
    with open(a.out, "w") as f:
        for seq, t in rows:
            f.write("%d %.6f\n" % (seq, t))


def cmd_poll(a):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the lab's self-signed cert; loopback only
    out = open(a.out, "w", buffering=1)
    while not STOP:
        t0 = time.monotonic()
        role, term, lk, dt = "down", -1, "-", "-"
        try:
            req = urllib.request.Request(a.url, headers={"Authorization": "Bearer " + a.token})
            with urllib.request.urlopen(req, timeout=0.5, context=ctx) as r:
                d = json.load(r)
            role, term = d.get("role", "?"), d.get("term", -1)
            p = d.get("paths", {})
            lk = str(p.get("link", {}).get("up", "-")).lower()
            dt = str(p.get("data", {}).get("up", "-")).lower()
        except Exception:  # noqa: BLE001 - any failure is "down" here
            pass
        if role == "active":
            try:
                pid = int(open(a.dp_pid_file).read())
                alive = os.path.exists("/proc/%d" % pid) and \
                    open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0] != "Z"
            except (OSError, ValueError, IndexError):
                alive = False
            if not alive:
                role = "dead-dp"
        out.write("%.6f %s %s %s %s\n" % (t0, role, term, lk, dt))
        d = a.interval - (time.monotonic() - t0)
        if d > 0:
            time.sleep(d)


def cmd_neigh(a):
    import subprocess
    out = open(a.out, "w", buffering=1)
    last = None
    while not STOP:
        t0 = time.monotonic()
        try:
            r = subprocess.run(["ip", "-4", "neigh", "show", a.ip, "dev", a.iface],
                               capture_output=True, text=True, timeout=2)
            f = r.stdout.split()
            mac = f[f.index("lladdr") + 1] if "lladdr" in f else "-"
        except (OSError, subprocess.SubprocessError, ValueError):
            mac = "?"
        if mac not in ("-", "?") and mac != last:
            out.write("%.6f %s\n" % (t0, mac))
            last = mac
        d = a.interval - (time.monotonic() - t0)
        if d > 0:
            time.sleep(d)


def read_poll(path):
    rows = []
    for line in open(path):
        f = line.split()
        if len(f) >= 3:
            rows.append((float(f[0]), f[1], int(f[2])))
    return rows


def both_active(p1, p2, lo, hi):
    """Seconds in [lo, hi] during which the last sample of each unit said active."""
    ev = sorted([(t, 1, r) for t, r, _ in p1] + [(t, 2, r) for t, r, _ in p2])
    cur = {1: None, 2: None}
    total, prev = 0.0, None
    for t, u, r in ev:
        if prev is not None and cur[1] == "active" and cur[2] == "active":
            a, b = max(prev, lo), min(t, hi)
            if b > a:
                total += b - a
        cur[u] = r
        prev = t
    return total


def cmd_report(a):
    rx = []
    for line in open(a.recv):
        s, t = line.split()
        rx.append((int(s), float(t)))
    sent = int(open(a.sent).read())
    seqs = set(s for s, _ in rx)
    times = sorted(t for _, t in rx)
    gap, at = 0.0, 0.0
    for x, y in zip(times, times[1:]):
        if y - x > gap:
            gap, at = y - x, x
    p1, p2 = read_poll(a.poll1), read_poll(a.poll2)
    lo = a.t_from if a.t_from is not None else min(times or [0])
    hi = a.t_to if a.t_to is not None else max(times or [0])
    terms = {}
    for u, p in ((1, p1), (2, p2)):
        before = [r for r in p if r[0] <= lo and r[2] >= 0]
        after = [r for r in p if r[0] >= hi and r[2] >= 0] or [r for r in p if r[2] >= 0]
        terms[u] = (before[-1][1:] if before else ("?", -1), after[-1][1:] if after else ("?", -1))
    res = {"sent": sent, "received": len(seqs), "lost": max(sent - len(seqs), 0),
           "gap_ms": round(gap * 1000, 1), "gap_at": round(at - lo, 3) if times else None,
           "both_active_ms": round(both_active(p1, p2, lo, hi) * 1000, 1),
           "unit1": {"before": terms[1][0], "after": terms[1][1]},
           "unit2": {"before": terms[2][0], "after": terms[2][1]}}
    if a.neigh:
        macs = [line.split()[1] for line in open(a.neigh) if len(line.split()) == 2]
        res["neigh_changes"] = max(len(macs) - 1, 0)
        res["neigh_mac"] = macs[-1] if macs else None
    print(json.dumps(res))


ETH_P_ALL, ETH_P_IP, ETH_P_ARP = 0x0003, 0x0800, 0x0806
PACKET_OUTGOING = 4


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def cmd_arp(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((a.iface, ETH_P_ARP))
    me, mip, tip = mac_of(a.iface), socket.inet_aton(a.myip), socket.inet_aton(a.target)
    req = (b"\xff" * 6 + me + struct.pack(">H", ETH_P_ARP) +
           struct.pack(">HHBBH", 1, ETH_P_IP, 6, 4, 1) + me + mip + b"\x00" * 6 + tip)
    seen = []
    end = time.monotonic() + a.wait
    nxt, left = 0.0, 3
    while time.monotonic() < end:
        if left and time.monotonic() >= nxt:
            s.send(req)
            left -= 1
            nxt = time.monotonic() + 0.2
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        f = s.recv(2048)
        if len(f) < 42 or f[12:14] != b"\x08\x06":
            continue
        op = struct.unpack(">H", f[20:22])[0]
        if op == 2 and f[28:32] == tip and f[38:42] == mip:
            m = f[22:28].hex(":")
            if m not in seen:
                seen.append(m)
    for m in seen:
        print(m)


def cmd_record(a):
    # ETH_P_ALL: on a bridge port, the bridge takes frames before any
    # protocol-specific packet socket sees them
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.iface, ETH_P_ALL))
    src = socket.inet_aton(a.src)
    flows = {}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        f = s.recv(65536)
        ip = f[14:]
        if f[12:14] != b"\x08\x00" or len(ip) < 40 or ip[9] != 6 or ip[12:16] != src:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:tot]
        sp, dp, seq = struct.unpack(">HHI", tcp[:8])
        if a.port not in (sp, dp):
            continue
        doff = (tcp[12] >> 4) * 4
        fl = flows.setdefault((sp, dp), {"isn": None, "seg": {}})
        if tcp[13] & 0x02:  # SYN: the stream starts after it
            fl["isn"] = (seq + 1) & 0xffffffff
        if len(tcp) > doff:
            fl["seg"].setdefault(seq, tcp[doff:])
    for fl in flows.values():
        if fl["isn"] is None:
            continue
        data, at = b"", fl["isn"]
        for off in sorted(fl["seg"], key=lambda q: (q - fl["isn"]) & 0xffffffff):
            seg = fl["seg"][off]
            rel = (at - off) & 0xffffffff
            if rel < len(seg):
                data += seg[rel:]
                at = (at + len(seg) - rel) & 0xffffffff
        if data[:4] == b"SKHL" and len(data) > 5 and data[5] == 1:
            with open(a.out, "wb") as o:
                o.write(data)
            print("recorded %d bytes" % len(data))
            return 0
    print("no HA session start recorded")
    return 1


def frame(ftype, unit, payload, key, version=1, seq=1, length=None):
    """An HA link frame (docs/ha-link.md): 32-byte header, payload, HMAC."""
    n = len(payload) if length is None else length
    hdr = struct.pack(">4sBBBBIIQQ", b"SKHL", version, ftype, 3, unit, n, n, seq,
                      random.getrandbits(64))
    return hdr + payload + hmac.new(key, hdr + payload, hashlib.sha256).digest()


def cmd_hostile(a):
    unit = 2 if a.bind.endswith(".2") else 1
    key = os.urandom(32)  # not the pair's key: the attacker does not have it
    hello = os.urandom(128)
    kinds = {
        "garbage": lambda: os.urandom(4096),
        "wrongkey": lambda: frame(1, unit, hello, key),
        "version": lambda: frame(1, unit, hello, key, version=2),
        "oversize": lambda: frame(1, unit, b"", key, length=1 << 30)[:32],
        "replay": lambda: open(a.file, "rb").read(),
        "noread": lambda: b"",
    }
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((a.bind, 0))
    s.settimeout(3)
    s.connect((a.host, a.port))
    t0 = time.monotonic()
    data = kinds[a.kind]()
    if data:
        try:
            s.sendall(data)
        except OSError as e:
            print("closed by the unit while sending (%s) after %d ms" %
                  (e.__class__.__name__, (time.monotonic() - t0) * 1000))
            return 0
    if a.kind == "noread":
        # never read: the unit's HELLO sits unread; only look at the end
        time.sleep(a.wait)
        s.setblocking(False)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    print("closed by the unit within %.1f s" % a.wait)
                    return 0
        except BlockingIOError:
            print("still open after %.1f s" % a.wait)
            return 1
        except OSError:
            print("closed by the unit (reset) within %.1f s" % a.wait)
            return 0
    end = t0 + a.wait
    try:
        while time.monotonic() < end:
            s.settimeout(max(end - time.monotonic(), 0.01))
            b = s.recv(65536)
            if not b:
                print("closed by the unit after %d ms" % ((time.monotonic() - t0) * 1000))
                return 0
    except socket.timeout:
        pass
    except OSError:
        print("closed by the unit (reset) after %d ms" % ((time.monotonic() - t0) * 1000))
        return 0
    print("still open after %.1f s" % a.wait)
    return 1



async def _connect(host, port, lport):
    """A TCP connection from local port lport (SO_REUSEADDR: a port of an
    earlier run may still be in TIME_WAIT here)."""
    import asyncio
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", lport))
        s.setblocking(False)
        await asyncio.get_running_loop().sock_connect(s, (host, port))
    except BaseException:
        s.close()
        raise
    return await asyncio.open_connection(sock=s)


async def _fetch_one(url, rate, want, timeout, lport):
    import asyncio
    import urllib.parse
    u = urllib.parse.urlsplit(url)
    t0 = time.monotonic()
    try:
        r, w = await asyncio.wait_for(_connect(u.hostname, u.port or 80, lport), 10)
        w.write(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                 % (u.path or "/", u.hostname)).encode())
        await w.drain()
        head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        length = None
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        h = hashlib.sha256()
        got = 0
        while True:
            chunk = await asyncio.wait_for(r.read(16384), timeout)
            if not chunk:
                break
            h.update(chunk)
            got += len(chunk)
            # pace the reader: the window closes, the server slows down
            late = got / rate - (time.monotonic() - t0)
            if late > 0:
                await asyncio.sleep(late)
        w.close()
        if status != 200 or got != length or h.hexdigest() != want:
            return "bad: status %d, %d of %s bytes" % (status, got, length)
        return "ok"
    except Exception as e:  # noqa: BLE001 - any failure is a failed download
        return "error: %s" % e.__class__.__name__


def cmd_fetch(a):
    import asyncio

    async def run():
        # Each URL's connections leave from a local port range of its own,
        # below the kernel's ephemeral range: a client reuses a local port
        # towards different destinations, and a direct connection to a
        # backend from the port a VIP connection uses is the same 4-tuple on
        # that backend (DNAT keeps the client's port): one of the two could
        # never work, whatever the pair does (docs/lb.md).
        n = len(a.urls)
        urls = [a.urls[i % n] for i in range(a.count)]
        ports = [a.port_base + (i % n) * 1000 + i // n for i in range(a.count)]
        res = await asyncio.gather(*[_fetch_one(u, a.rate, a.sha256, a.timeout, p)
                                     for u, p in zip(urls, ports)])
        rep = {}
        for u, r in zip(urls, res):
            e = rep.setdefault(u, {"started": 0, "ok": 0, "failed": 0, "why": {}})
            e["started"] += 1
            if r == "ok":
                e["ok"] += 1
            else:
                e["failed"] += 1
                e["why"][r] = e["why"].get(r, 0) + 1
        return rep
    rep = asyncio.run(run())
    with open(a.out, "w") as f:
        json.dump(rep, f)


def cmd_impair(a):
    socks = []
    for ifc in (a.if1, a.if2):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((ifc, ETH_P_ALL))
        s.setblocking(False)
        socks.append(s)
    other = {socks[0]: socks[1], socks[1]: socks[0]}
    q, seqno = [], 0
    fwd = drop = 0
    while not STOP:
        now = time.monotonic()
        while q and q[0][0] <= now:
            _, _, out, f = heapq.heappop(q)
            try:
                out.send(f)
            except OSError:
                pass
        t = min(q[0][0] - now, 0.05) if q else 0.05
        try:
            r, _, _ = select.select(socks, [], [], max(t, 0))
        except InterruptedError:
            continue
        for s in r:
            while True:
                try:
                    f, addr = s.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own sends, seen again
                if random.random() < a.loss:
                    drop += 1
                    continue
                fwd += 1
                seqno += 1
                heapq.heappush(q, (time.monotonic() + a.delay, seqno, other[s], f))
    print("forwarded %d dropped %d" % (fwd, drop))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--interval", type=float, default=0.001)
    p.add_argument("--out", required=True)
    p = sub.add_parser("recv")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--out", required=True)
    p.add_argument("--ready", required=True)
    p = sub.add_parser("poll")
    p.add_argument("--url", default="https://127.0.0.1:8443/api/v1/ha")
    p.add_argument("--token", default="sekisho-lab-token")
    p.add_argument("--dp-pid-file", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=0.05)
    p = sub.add_parser("report")
    p.add_argument("--recv", required=True)
    p.add_argument("--sent", required=True)
    p.add_argument("--poll1", required=True)
    p.add_argument("--poll2", required=True)
    p.add_argument("--neigh")
    p.add_argument("--from", dest="t_from", type=float)
    p.add_argument("--to", dest="t_to", type=float)
    p = sub.add_parser("neigh")
    p.add_argument("iface")
    p.add_argument("ip")
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=0.05)
    p = sub.add_parser("arp")
    p.add_argument("iface")
    p.add_argument("myip")
    p.add_argument("target")
    p.add_argument("--wait", type=float, default=1.0)
    p = sub.add_parser("record")
    p.add_argument("iface")
    p.add_argument("src")
    p.add_argument("--port", type=int, default=7780)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--out", required=True)
    p = sub.add_parser("hostile")
    p.add_argument("kind", choices=["garbage", "wrongkey", "version", "oversize", "replay",
                                    "noread"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--bind", required=True)
    p.add_argument("--file")
    p.add_argument("--wait", type=float, default=3.0)
    p = sub.add_parser("fetch")
    p.add_argument("urls", nargs="+")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--rate", type=float, default=100000)
    p.add_argument("--sha256", required=True)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--port-base", type=int, default=20000,
                   help="local ports: URL k's connections from BASE + 1000 k on")
    p.add_argument("--out", required=True)
    p = sub.add_parser("impair")
    p.add_argument("if1")
    p.add_argument("if2")
    p.add_argument("--loss", type=float, default=0.3)
    p.add_argument("--delay", type=float, default=0.05)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    return {"send": cmd_send, "recv": cmd_recv, "poll": cmd_poll, "report": cmd_report,
            "arp": cmd_arp, "neigh": cmd_neigh, "record": cmd_record, "hostile": cmd_hostile, "fetch": cmd_fetch,
            "impair": cmd_impair}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
