#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""probe.py - the small network tools tests/lab/run drives inside namespaces.

  udp-serve ADDR:PORT[:echo] ... --log FILE --ready FILE
        bind UDP sockets; log every datagram as "dst_addr dst_port src_addr
        src_port len"; answer "echo:<data>" on the :echo ones.  Runs until
        SIGTERM.  FILE --ready is written once every socket is bound.
  udp-send HOST PORT [--timeout S] [--sport N]
        send one datagram, print the reply; exit 0 on a reply, 1 on silence.
  tcp-connect HOST PORT [--timeout S]
        print "open|refused|timeout SECONDS"; exit 0 (the caller judges).
  tcp-ack --iface IF --dst-mac MAC --dst IP --dport N --sport N [--count N]
        send bare TCP ACKs (no connection behind them) with scapy.
  syn-flood --src NET/LEN --dst IP --dport N --rate PPS --duration S [--flows N]
        bare SYNs of N flows (default 131072) from random sources inside
        NET/LEN (random ports), cycled, through
        a raw socket at about PPS for S seconds; prints how many were sent.
        hping3 floods from all of IPv4 (--rand-source); this keeps a flood
        inside one prefix so that `top` can be asked to name it.
  accounting [--prefix P] [--tries N]
        check sum(rx) == forwarded + consumed + sum(drops) on live counters;
        prints the numbers and every non-zero drop as TAP diagnostics.
  drop-names --header dataplane/include/sk_drop.h [--prefix P]
        the drop names the dataplane reports are exactly those of sk_drop.h.

Only the standard library, plus scapy for tcp-ack.
"""
import argparse
import os
import re
import select
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "lib"))
import telemetry  # noqa: E402  (scripts/lib/telemetry.py)


def split_hostport(s):
    """'10.0.0.1:53', '[2001:db8::1]:53', with an optional ':echo' tail."""
    echo = s.endswith(":echo")
    if echo:
        s = s[:-5]
    m = re.fullmatch(r"\[(.+)\]:(\d+)|([^:]+):(\d+)", s)
    if not m:
        raise SystemExit(f"bad address {s!r}")
    host = m.group(1) or m.group(3)
    port = int(m.group(2) or m.group(4))
    return host, port, echo


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def cmd_udp_serve(a):
    socks = {}
    for spec in a.bind:
        host, port, echo = split_hostport(spec)
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        if family(host) == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        socks[s] = (host, port, echo)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(a.log, "a", buffering=1) as log:
        with open(a.ready, "w") as r:
            r.write("ready\n")
        while True:
            ready, _, _ = select.select(list(socks), [], [])
            for s in ready:
                data, src = s.recvfrom(65535)
                host, port, echo = socks[s]
                log.write(f"{host} {port} {src[0]} {src[1]} {len(data)}\n")
                if echo:
                    s.sendto(b"echo:" + data, src)


def cmd_udp_send(a):
    s = socket.socket(family(a.host), socket.SOCK_DGRAM)
    if a.sport:
        s.bind(("::" if family(a.host) == socket.AF_INET6 else "0.0.0.0", a.sport))
    s.settimeout(a.timeout)
    payload = f"sekisho-lab {time.time():.6f}".encode()
    s.sendto(payload, (a.host, a.port))
    try:
        data, _ = s.recvfrom(65535)
    except socket.timeout:
        print("no reply")
        return 1
    print(data.decode(errors="replace"))
    return 0 if data == b"echo:" + payload else 1


def cmd_tcp_connect(a):
    s = socket.socket(family(a.host), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    t0 = time.monotonic()
    try:
        s.connect((a.host, a.port))
        res = "open"
    except ConnectionRefusedError:
        res = "refused"
    except socket.timeout:
        res = "timeout"
    except OSError as e:
        res = f"error:{e.errno}"
    print(f"{res} {time.monotonic() - t0:.3f}")
    return 0


def cmd_tcp_ack(a):
    from scapy.all import Ether, IP, TCP, conf, get_if_hwaddr, sendp  # slow import: only here
    conf.verb = 0
    pkt = (Ether(src=get_if_hwaddr(a.iface), dst=a.dst_mac) /
           IP(dst=a.dst) / TCP(sport=a.sport, dport=a.dport, flags="A",
                               seq=1000, ack=2000))
    sendp(pkt, iface=a.iface, count=a.count, inter=0.05)
    print(f"sent {a.count} bare ACKs {a.dst}:{a.dport} via {a.dst_mac}")
    return 0


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _syn(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    return ip + tcp


def cmd_syn_flood(a):
    import ipaddress
    import random
    net = ipaddress.ip_network(a.src, strict=False)
    dst = socket.inet_aton(a.dst)
    hosts = net.num_addresses
    rnd = random.Random(a.seed)
    # A pool of ready frames, cycled: building each one would cap the rate.
    pool = []
    for _ in range(a.flows):
        src = int(net.network_address) + rnd.randrange(1, hosts - 1)
        pool.append(_syn(struct.pack("!I", src), dst, rnd.randrange(1024, 65535),
                         a.dport, rnd.getrandbits(32)))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    target = (a.dst, 0)
    sent = 0
    t0 = time.monotonic()
    end = t0 + a.duration
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - t0) * a.rate)
        while sent < due:
            try:
                s.sendto(pool[sent % len(pool)], target)
            except OSError:
                pass  # a full socket buffer: the flood is best effort
            sent += 1
        time.sleep(0.001)
    print(f"sent {sent} SYNs from {net} to {a.dst}:{a.dport} in {time.monotonic() - t0:.1f} s")
    return 0


def stats(prefix):
    try:
        return telemetry.stats(prefix)
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"telemetry of {prefix} unreachable or unexpected: {e!r}")


def balance(st):
    # packets in: the ports, and the unit's own health-check probes from its
    # kernel's tap (docs/health.md); handoffs between workers cancel out
    rx = sum(p["rx_pkts"] for p in st["ports"].values()) + st.get("tap_in", 0)
    # fragments merged into one datagram leave the count (docs/dataplane.md);
    # what the kernel sent on the tap that is not the unit's IP is not forwarded
    drops = (sum(st["drops"].values()) + st.get("frag_merged", 0) + st.get("tap_dropped", 0)
             + st.get("handoff_out", 0) - st.get("handoff_in", 0))
    return rx, st["forwarded"], st["consumed"], drops


def cmd_accounting(a):
    # Counters are summed per lcore while packets may still be in flight:
    # take a few snapshots and accept the first that balances.
    for i in range(a.tries):
        st = stats(a.prefix)
        rx, fwd, cons, drops = balance(st)
        print(f"# snapshot {i}: rx {rx} = forwarded {fwd} + consumed {cons} + drops {drops}"
              f" ({'balanced' if rx == fwd + cons + drops else f'off by {rx - fwd - cons - drops}'})")
        if rx == fwd + cons + drops:
            for k, v in sorted(st["drops"].items()):
                if v:
                    print(f"#   drop {k}: {v}")
            return 0
        time.sleep(0.5)
    return 1


def cmd_drop_names(a):
    with open(a.header) as f:
        want = set(re.findall(r'X\(\s*\w+\s*,\s*"([a-z0-9_]+)"', f.read()))
    got = set(stats(a.prefix)["drops"])
    for n in sorted(want - got):
        print(f"# missing from telemetry: {n}")
    for n in sorted(got - want):
        print(f"# not in sk_drop.h: {n!r}")
    print(f"# {len(got)} drop reasons reported, {len(want)} in sk_drop.h")
    return 0 if want and want == got else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-serve")
    p.add_argument("bind", nargs="+")
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    p = sub.add_parser("udp-send")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=3)
    p.add_argument("--sport", type=int, default=0)
    p = sub.add_parser("tcp-connect")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=3)
    p = sub.add_parser("tcp-ack")
    p.add_argument("--iface", required=True)
    p.add_argument("--dst-mac", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, required=True)
    p.add_argument("--sport", type=int, required=True)
    p.add_argument("--count", type=int, default=3)
    p = sub.add_parser("syn-flood")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, required=True)
    p.add_argument("--rate", type=int, default=5000)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flows", type=int, default=131072)
    for name in ("accounting", "drop-names"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", default="sekisho-lab")
        p.add_argument("--tries", type=int, default=6)
        if name == "drop-names":
            p.add_argument("--header", required=True)
    a = ap.parse_args()
    return {"udp-serve": cmd_udp_serve, "udp-send": cmd_udp_send,
            "tcp-connect": cmd_tcp_connect, "tcp-ack": cmd_tcp_ack,
            "syn-flood": cmd_syn_flood,
            "accounting": cmd_accounting, "drop-names": cmd_drop_names}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
