#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""telemetry.py - ask a running sekisho-dp one DPDK telemetry question.

usage: telemetry.py [-p FILE_PREFIX] [--raw | --summary | --get PATH] [COMMAND]
       (COMMAND defaults to /sekisho/stats, which is completed with every page
       of /sekisho/rules and nested by name like the dataplane's stats file;
       --summary condenses it; --get prints one value, e.g.
       --get rules.web-in.pkts, 0 if absent)

Connects to /var/run/dpdk/<prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET), reads
the greeting (which says how long a reply can be), sends COMMAND and prints
the reply's value as JSON (--raw: the whole reply).  Exit 1 when the socket
is not there or the reply is not JSON, so scripts can tell "not running".
Used by scripts/lab status and tests/lab/run; no third-party modules.
"""
import argparse
import json
import os
import socket
import sys


def query(prefix, command, runtime_dir="/var/run/dpdk"):
    path = os.path.join(runtime_dir, prefix, "dpdk_telemetry.v2")
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(5)
        s.connect(path)
        greeting = json.loads(s.recv(16384).decode())
        s.send(command.encode())
        reply = s.recv(int(greeting.get("max_output_len", 16384)) + 1024)
    return json.loads(reply.decode())


def _by_name(flat):
    """{"0/name": "outside", "0/rx_pkts": 5} -> {"outside": {"rx_pkts": 5}}.
    DPDK telemetry keys allow only [A-Za-z0-9_/], so the dataplane keys ports
    and rules by index and sends each name as a string value."""
    rows = {}
    for k, v in flat.items():
        idx, _, field = k.partition("/")
        if field:
            rows.setdefault(idx, {})[field] = v
    return {r.pop("name", i): r for i, r in rows.items()}


def stats(prefix, runtime_dir="/var/run/dpdk"):
    """/sekisho/stats plus every page of /sekisho/rules, nested by name:
    the same shape as the --stats-file JSON the dataplane writes on exit."""
    st = query(prefix, "/sekisho/stats", runtime_dir)["/sekisho/stats"]
    if not isinstance(st, dict):
        raise ValueError(f"unexpected /sekisho/stats reply {st!r}")
    st["ports"] = _by_name(st.get("ports", {}))
    rules, first = {}, 0
    while True:
        page = query(prefix, f"/sekisho/rules,{first}", runtime_dir)["/sekisho/rules"]
        rules.update(_by_name({k: v for k, v in page.items() if k != "count"}))
        first += 60
        if first >= int(page.get("count", 0)):
            break
    st["rules"] = rules
    return st


def summary(st):
    """A few lines an operator reads at a glance: ports, totals, non-zero drops."""
    lines = []
    for name, p in sorted(st.get("ports", {}).items(), key=lambda kv: kv[1].get("port", 0)):
        lines.append(f"  port {p.get('port')} {name:<8} rx {p.get('rx_pkts', 0):>10} pkts"
                     f"  tx {p.get('tx_pkts', 0):>10} pkts")
    lines.append(f"  forwarded {st.get('forwarded', 0)}  consumed {st.get('consumed', 0)}"
                 f"  dropped {sum(st.get('drops', {}).values())}")
    drops = {k: v for k, v in st.get("drops", {}).items() if v}
    for k in sorted(drops):
        lines.append(f"    drop {k:<22} {drops[k]}")
    c = st.get("conns", {})
    lines.append(f"  conns active {c.get('active', 0)}/{c.get('capacity', 0)}"
                 f"  created {c.get('created', 0)}  expired {c.get('expired', 0)}")
    hits = {k: v for k, v in st.get("rules", {}).items() if v.get("pkts")}
    for k in sorted(hits, key=lambda r: hits[r].get("id", 0)):
        lines.append(f"    rule {k:<22} {hits[k]['pkts']} pkts")
    loc = st.get("local", {})
    if loc:
        lines.append("  local " + "  ".join(f"{k} {v}" for k, v in sorted(loc.items())))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="query sekisho-dp telemetry")
    ap.add_argument("-p", "--prefix", default="sekisho-lab", help="EAL file prefix")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--raw", action="store_true", help="print the whole reply")
    mode.add_argument("--summary", action="store_true", help="condensed /sekisho/stats")
    mode.add_argument("--get", metavar="PATH", help="one value by dotted path (rules.web-in.pkts)")
    ap.add_argument("command", nargs="?", default="/sekisho/stats")
    args = ap.parse_args()
    try:
        if args.command == "/sekisho/stats" and not args.raw:
            out = stats(args.prefix)
        else:
            reply = query(args.prefix, args.command)
            out = reply if args.raw else reply.get(args.command.split(",")[0], reply)
    except (OSError, ValueError, KeyError) as e:
        print(f"telemetry: {args.prefix}: {e}", file=sys.stderr)
        return 1
    if args.get:
        for key in args.get.split("."):
            out = out.get(key, 0) if isinstance(out, dict) else 0
        print(json.dumps(out) if isinstance(out, (dict, list)) else out)
        return 0
    if args.summary:
        if not isinstance(out, dict):
            print(f"telemetry: unexpected reply {out!r}", file=sys.stderr)
            return 1
        print(summary(out))
        return 0
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
