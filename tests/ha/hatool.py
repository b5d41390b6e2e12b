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
  report --recv F --sent F --poll1 F --poll2 F [--from T] [--to T]
        print TAP comments and one JSON line: largest gap between received
        datagrams, lost datagrams, time both units were active.

CLOCK_MONOTONIC is one clock for every namespace of the host: the times of
different processes compare.  Only the standard library.
"""
import argparse
import json
import os
import signal
import socket
import ssl
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
    print(json.dumps(res))


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
    p.add_argument("--from", dest="t_from", type=float)
    p.add_argument("--to", dest="t_to", type=float)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    {"send": cmd_send, "recv": cmd_recv, "poll": cmd_poll, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
