#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""report.py - results/*.json -> results/README.md (tables) and PNG plots.
   /usr/bin/python3 perf/report.py perf/results"""
import json
import os
import sys


def _load(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def _fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return ("%%.%df" % nd) % v
    return str(v)


def e2e_table(e2e):
    rows = ["| scenario | DUT | Mpps in | Mpps out | cycles/pkt | ratio to io ceiling | drops (reason: pkts) | conns |",
            "|---|---|---:|---:|---:|---:|---|---:|"]
    for sc in e2e["scenarios"]:
        if sc.get("pending") or sc.get("skipped"):
            rows.append("| %s | - | - | - | - | - | %s | - |" % (
                sc["name"], "pending: " + sc["pending"] if sc.get("pending") else "skipped: " + sc["skipped"]))
            continue
        for r in sc["runs"]:
            if r.get("error") or r.get("skipped"):
                rows.append("| %s | %s | - | - | - | - | %s | - |" % (sc["name"], r["dut"], r.get("error") or r.get("skipped")))
                continue
            drops = ", ".join("%s: %d" % kv for kv in sorted((r.get("drops") or {}).items())) or "-"
            rows.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                sc["name"], r["dut"], _fmt(r.get("mpps_in"), 3), _fmt(r.get("mpps_out"), 3),
                _fmt(r.get("cycles_per_pkt"), 0), _fmt(r.get("ratio_to_ceiling"), 2), drops,
                _fmt(r.get("conns_active"))))
    return "\n".join(rows)


def gen_table(e2e):
    """pktgen runs: what the generator sent and got back against what the DUT saw."""
    rows = ["| scenario | DUT | pktgen profile | pktgen tx Mpps | pktgen rx Mpps | DUT in Mpps | pkts offered |",
            "|---|---|---|---:|---:|---:|---:|"]
    for sc in e2e["scenarios"]:
        for r in sc.get("runs", []):
            g = r.get("gen") or {}
            if "mpps_tx" not in g:
                continue
            rows.append("| %s | %s | %s | %.3f | %.3f | %s | %s |" % (
                sc["name"], r["dut"], r.get("gen_profile", "-"), g["mpps_tx"], g["mpps_rx"],
                _fmt(r.get("mpps_in"), 3), _fmt(r.get("pkts_offered"))))
    return "\n".join(rows)


def _is_lb(r):
    return "lookup" in r["stages"]


def micro_table(m):
    rows = ["| path | connections | rules | cycles/pkt | parse | admit | conn | acl | create |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in m["results"]:
        if _is_lb(r):
            continue
        st = r["stages"]
        rows.append("| %s | %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |" % (
            r["path"], r["conns"] or "-", r["rules"], r["cycles_per_pkt"], st["parse"], st["admit"],
            st["conn"], st["acl"], st["create"]))
    rows.append("")
    rows.append("Heap bytes per connection (table sized conns x 1.125 + 1024, divided by that size): " +
                ", ".join("%s conns: %.0f B" % kv for kv in m["bytes_per_conn"].items() if kv[1]))
    lb = [r for r in m["results"] if _is_lb(r)]
    if lb:
        rows += ["", "Load balancer (bench_lb.c; c2b = client -> VIP -> backend, b2c = backend -> "
                 "client; conn includes lookup and select):", "",
                 "| path | NAT connections | rules | cycles/pkt | parse | admit | conn | lookup | select | acl | create | forwarded | dropped |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in lb:
            st = r["stages"]
            rows.append("| %s | %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d |" % (
                r["path"], r["conns"] or "-", r["rules"], r["cycles_per_pkt"], st["parse"], st["admit"],
                st["conn"], st["lookup"], st["select"], st["acl"], st["create"], r["forwarded"], r["dropped"]))
    if m.get("bytes_per_nat_conn"):
        rows.append("")
        rows.append("Heap bytes per NAT connection (two slots; table of exactly 2 x n slots): " +
                    ", ".join("%s conns: %.0f B" % kv for kv in m["bytes_per_nat_conn"].items() if kv[1]))
    if m.get("runs_merged"):
        rows.append("")
        rows.append("Best of %d complete runs per row (perf/best_of.py); established paths best of "
                    "%d rounds within each run." % (m["runs_merged"], m.get("repeat", 1)))
    rows.append("")
    rows.append("Generation build (image -> rte_acl + LPM), s: " +
                ", ".join("%s rules: %.3f" % kv for kv in m["acl_build_s"].items() if kv[1]))
    return "\n".join(rows)


def plots(d, e2e, micro):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing, no plots")
        return []
    out = []
    if micro:
        lb = [r for r in micro["results"] if r["path"].startswith("lb-") and r["conns"]]
        fig, ax = plt.subplots(1, 3 if lb else 2, figsize=(15 if lb else 10, 4))
        est = [r for r in micro["results"] if r["path"] == "established"]
        ax[0].plot([r["conns"] for r in est], [r["cycles_per_pkt"] for r in est], "o-", label="established hit")
        ax[0].axhline(100, color="r", ls="--", label="target 100")
        ax[0].set_xscale("log")
        ax[0].set_xlabel("connections in table")
        ax[0].set_ylabel("cycles / packet")
        ax[0].legend()
        ax[0].set_title("established path (microbench)")
        for path, mk in (("new", "o-"), ("denied", "s-")):
            rs = [r for r in micro["results"] if r["path"] == path]
            ax[1].plot([r["rules"] for r in rs], [r["cycles_per_pkt"] for r in rs], mk, label=path)
        ax[1].axhline(1000, color="r", ls="--", label="target new 1000 @10K")
        ax[1].set_xscale("log")
        ax[1].set_xlabel("rules")
        ax[1].legend()
        ax[1].set_title("miss paths (microbench)")
        if lb:
            for path in sorted({r["path"] for r in lb}):
                rs = [r for r in lb if r["path"] == path]
                ax[2].plot([r["conns"] for r in rs], [r["cycles_per_pkt"] for r in rs], "o-", label=path)
            ax[2].plot([r["conns"] for r in est], [r["cycles_per_pkt"] for r in est], "k--", label="firewall established")
            ax[2].set_xscale("log")
            ax[2].set_xlabel("NAT connections in table (2 slots each)")
            ax[2].set_ylabel("cycles / packet")
            ax[2].legend(fontsize=7)
            ax[2].set_title("load balancer, established")
        fig.tight_layout()
        p = os.path.join(d, "micro.png")
        fig.savefig(p, dpi=90)
        plt.close(fig)
        out.append(p)
    if e2e:
        names, duts = [], ["sekisho", "iofwd", "l3fwd"]
        vals = {k: [] for k in duts}
        cyc = []
        for sc in e2e["scenarios"]:
            runs = {r["dut"]: r for r in sc.get("runs", []) if r.get("mpps_out") is not None}
            if not runs:
                continue
            names.append(sc["name"])
            for k in duts:
                vals[k].append(runs.get(k, {}).get("mpps_out", 0))
            cyc.append(runs.get("sekisho", {}).get("cycles_per_pkt") or 0)
        if names:
            fig, ax = plt.subplots(1, 2, figsize=(11, 4))
            w = 0.27
            for i, k in enumerate(duts):
                ax[0].bar([x + (i - 1) * w for x in range(len(names))], vals[k], w, label=k)
            ax[0].set_xticks(range(len(names)))
            ax[0].set_xticklabels(names, rotation=30)
            ax[0].set_ylabel("Mpps out")
            ax[0].legend()
            ax[0].set_title("end to end, same %s links, same run" % e2e.get("links", "memif"))
            ax[1].bar(range(len(names)), cyc, color="C0")
            ax[1].set_xticks(range(len(names)))
            ax[1].set_xticklabels(names, rotation=30)
            ax[1].set_ylabel("sekisho-dp cycles / packet (busy TSC)")
            fig.tight_layout()
            p = os.path.join(d, "e2e-%s.png" % e2e["mode"])
            fig.savefig(p, dpi=90)
            plt.close(fig)
            out.append(p)
    return out


def reload_table(e2e):
    """Reload runs (lab.py run_reload): one row per window around the commit."""
    rows = ["| scenario | commit (built in / wall) | window | s | gen sent | gen recv | DUT in | DUT out | Mpps out | DUT drops (reason: pkts) | conns |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for sc in e2e["scenarios"]:
        for r in sc.get("runs", []):
            if r.get("error"):
                rows.append("| %s | %s | - | - | - | - | - | - | - | - | - |" % (sc["name"], r["error"]))
                continue
            c = r["commit"]
            cs = "%s ms / %.2f s (rc %d)" % (_fmt(c["built_us"] // 1000 if c["built_us"] else None),
                                            c["wall_s"], c["rc"])
            for w in ("before", "during_commit", "after", "whole_run"):
                x = r[w]
                drops = ", ".join("%s: %d" % kv for kv in sorted(x["drops"].items())) or "-"
                rows.append("| %s | %s | %s | %.2f | %d | %d | %d | %d | %.3f | %s | %s |" % (
                    sc["name"], cs, w.replace("_", " ") + (" (lost %d)" % x["lost"] if "lost" in x else ""),
                    x["s"], x["gen_sent"], x["gen_recv"], x["dut_in"], x["dut_out"],
                    x["mpps_out"] or 0, drops, _fmt(x["conns_active"])))
                cs = ""
    return "\n".join(rows)


def write(d):
    micro = _load(d, "micro.json")
    e2es = [x for x in (_load(d, "e2e-%s.json" % m) for m in ("quick", "full", "selected", "pktgen")) if x]
    pngs = []
    for e in e2es:
        pngs += plots(d, e, None)
    pngs += plots(d, None, micro)
    reload_ = _load(d, "e2e-reload.json")
    md = ["# Perf lab results", "",
          "Generated by perf/report.py from the JSON next to this file; how to read them: docs/perf.md.", ""]
    for e in e2es:
        gen = e.get("generator", "testpmd")
        md += ["## End to end (%s set, %s, %d CPUs, started %s)" % (e["mode"], e["host"], e["cpus"], e["started"]),
               "", "Generator: %s, links: %s." % (gen, e.get("links", "memif")) +
               (" pktgen's own count per run (tx -> rx) is in the JSON (`gen`); scenarios its "
                "profiles cannot express are listed as skipped." if gen == "pktgen" else ""),
               "", e2e_table(e), "", "![e2e](e2e-%s.png)" % e["mode"], ""]
        if gen == "pktgen":
            md += ["pktgen's side (its port 0 tx, port 1 rx, over its whole send time; the DUT "
                   "column is the measured window):", "", gen_table(e), ""]
    if reload_:
        md += ["## Reload under load (sekisho-cp --commit, %s, %d CPUs, started %s)" % (
            reload_["host"], reload_["cpus"], reload_["started"]), "",
            "Windows: 1 s before the commit, while sekisho-cp runs, 1 s after it returned, and "
            "the whole run (generator stopped, rings drained).  gen sent/recv: generator ports "
            "1 (to the DUT) and 2 (from it).", "", reload_table(reload_), ""]
    if micro:
        md += ["## Pipeline microbenchmark (bench_pipeline, TSC %.2f GHz, burst %d)" % (micro["tsc_hz"] / 1e9, micro["burst"]),
               "", micro_table(micro), "", "![micro](micro.png)", ""]
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("\n".join(md))
    print("report: wrote %s/README.md and %d plot(s)" % (d, len(pngs)))


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results"))
