#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""lab.py - the end-to-end perf lab (perf/run is its front door).

For every scenario, on the same two memif links and with the same generator:
  1. sekisho-dp (memif server role) between the links     -> the figures
  2. testpmd io forwarding in its place                    -> the I/O ceiling
  3. DPDK l3fwd --lookup acl with the equivalent rules     -> stateless reference
The generator is testpmd in io mode fed by a net_pcap port (the scenario's
packets, written by pcapgen.py; infinite_rx replays them from memory):

  gen: [pcap]P0 -> P1[memif a, client] ==> DUT outside/port0 -> DUT inside/port1
       ==> [memif b, client]P2 -> P3[net_null]  (sink; P3 has no-rx)

testpmd's own flowgen/txonly modes send on every forwarding port and only
UDP of one size, so they cannot offer a one-way SYN flood, IMIX or a mix on
one link and read the result on the other; see docs/perf.md.

With --generator pktgen (default when pktgen is on PATH) the generator is
pktgen-DPDK running a Lua profile from perf/pktgen/, and every link is a
veth pair used through net_af_packet (pktgen 23.x panics on memif) inside a
network namespace of the lab's own (skperf<pid>); the three DUTs run on the
same af_packet ports, so the ratio to the ceiling still compares like with
like.  imix and mix replay this path's own pcaps through pktgen's PCAP mode
(-s 0:FILE; mix once, in file order), est-* and syn-* are pktgen ranges.
Scenarios no profile can express are skipped, not approximated silently
(pktgen_plan()).

Cores (2 on the lab VM): generator main lcore 0 (sleeps on its prompt),
forwarding lcore 1; DUT main lcore 1 (sleeps), worker lcore 0.  l3fwd runs on
lcore 0 only (its main lcore would otherwise spin in rte_eal_mp_wait_lcore).
"""
import json
import math
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_config  # noqa: E402
import pcapgen  # noqa: E402
from telemetry import Telemetry, flatten  # noqa: E402

TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
PKTGEN = shutil.which("pktgen")
PKTGEN_DIR = os.path.join(HERE, "pktgen")
# pktgen 23.06 allocates five pools of 24576 mbufs of 10 KiB per port
# (default, range, rate, sequence, pcap): ~2.5 GiB for two ports.
PKTGEN_HUGE_MB = 2560
# veth pairs: generator end (pktgen), DUT end; gen_config's MACs on both.
VETHS = (("skpa0", "skpa1", gen_config.MAC_GEN_OUT, gen_config.MAC_DP_OUT),
         ("skpb0", "skpb1", gen_config.MAC_GEN_IN, gen_config.MAC_DP_IN))
L3FWD_SRC = "/usr/share/dpdk/examples/l3fwd"
BYTES_PER_CONN_EST = 200    # measured by bench_pipeline (~175-190), rounded up
GEN_MBUF_OVERHEAD = 128 + 64  # struct rte_mbuf + mempool header


def log(*a):
    print("[perf]", *a, flush=True)


# ---------------------------------------------------------------- scenarios

def _est(name, flows, sizes=None, full=False):
    return dict(name=name, kind="infinite", flows=flows, rules=10, tcp_loose=True, sizes=sizes,
                full=full, path="established",
                desc="%s established TCP flows, %s" % (_h(flows), "IMIX" if sizes else "64 B"))


def _syn(name, rules, full=False):
    return dict(name=name, kind="onepass", flows=0, rules=rules, tcp_loose=False, full=full,
                path="new", desc="SYN flood (every packet a new connection), %s rules" % _h(rules))


def _lb(name, flows, fwd):
    return dict(name=name, kind="infinite", flows=flows, rules=10, tcp_loose=True, sizes=None,
                full=True, path="lb-" + fwd, lb=fwd, slots_per_conn=2, duts=("sekisho", "iofwd"),
                desc="%s established TCP flows to a %s VIP (maglev, 16 backends), 64 B, "
                     "client -> backend only" % (_h(flows), "DNAT" if fwd == "dnat" else "full-NAT"))


def _h(n):
    for div, suf in ((1000000, "M"), (1000, "K")):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, suf)
    return str(n)


SCENARIOS = [
    _est("est-1k", 1000),
    _est("est-100k", 100000),
    _est("est-1m", 1000000, full=True),
    _est("est-10m", 10000000, full=True),
    _syn("syn-10", 10),
    _syn("syn-1k", 1000, full=True),
    _syn("syn-10k", 10000),
    _syn("syn-100k", 100000, full=True),
    dict(name="mix", kind="onepass", flows=10000, rules=1000, tcp_loose=True, full=False,
         path="mix", desc="10K established + 15 % new SYNs + 5 % denied, 1K rules, 64 B"),
    _est("imix", 1000, sizes=pcapgen.IMIX),
    _lb("lb-dnat-100k", 100000, "dnat"),
    _lb("lb-fnat-100k", 100000, "fullnat"),
    dict(name="reload-100k", kind="reload", flows=1000, rules=100000, tcp_loose=True, full=True,
         path="reload", revoke=False,
         desc="1K established flows, 100K rules; sekisho-cp --commit of 100K renamed/shifted "
              "rules that still accept the flows, under load (sekisho only)"),
    dict(name="reload-revoke-100k", kind="reload", flows=1000, rules=100000, tcp_loose=True,
         full=True, path="reload", revoke=True,
         desc="same, but the new config leaves out the accepting rule: policy_revoked "
              "(sekisho only)"),
]
QUICK = [s["name"] for s in SCENARIOS if not s["full"]]


def _split(flows):
    """hosts x ports = flows with gcd 1 (perf/pktgen/common.lua M.flows)."""
    for hosts in range(1, 65537):
        if flows % hosts == 0 and math.gcd(hosts, flows // hosts) == 1 and flows // hosts <= 64512:
            return hosts, flows // hosts
    return None


def pktgen_plan(sc, quick):
    """How pktgen (perf/pktgen/*.lua) plays a scenario: a dict with the
    profile, its environment and what differs from the pcap traffic, or a
    string saying why it cannot."""
    if sc["kind"] == "reload":
        return ("reload runs read the generator's own port counters over DPDK telemetry "
                "around the commit; pktgen (--in-memory, Lua-driven) has none: use "
                "--generator testpmd")
    if sc["path"] == "mix":
        # The pcap of the memif path, replayed once (count = its packets).
        return {"profile": "mix.lua", "pcap": True, "env": {}, "kind": "onepass",
                "flows": sc["flows"], "note": "pcapgen.py's mix pcap replayed once in file order "
                "(pktgen -s, count = the file's packets): the same packets as the memif path"}
    if sc["path"] == "new":
        n = 1000000 if quick else 2000000
        return {"profile": "synflood.lua", "env": {"PKTS": str(n)}, "kind": "onepass", "n": n,
                "flows": 0, "note": "%d SYNs, one per tuple, in rounds of 24576 (one start of "
                "pktgen per mbuf pool)" % n}
    if sc.get("sizes"):
        return {"profile": "imix.lua", "pcap": True, "kind": "infinite", "flows": sc["flows"],
                "env": {"WARMUP_MS": str(2000 + sc["flows"] // 100)},
                "note": "pcapgen.py's IMIX pcap (%s flows, 64/594/1518 B 7:4:1) replayed in a "
                "loop (pktgen -s): the same packets as the memif path" % _h(sc["flows"])}
    if sc["kind"] == "infinite":
        if _split(sc["flows"]) is None:
            return ("%d flows cannot be a pktgen range: it steps source address and port "
                    "together, so flows must be hosts x ports with gcd 1, ports <= 64512, "
                    "hosts <= 65536" % sc["flows"])
        note = "range of %d flows (%d hosts x %d ports)" % ((sc["flows"],) + _split(sc["flows"]))
        if sc["flows"] > 24576:
            note += "; more flows than pktgen's pool of 24576 packets: one start per pool"
        # Warm-up: every flow sends at least once even at ~0.1 Mpps (af_packet).
        return {"profile": "established.lua",
                "env": {"FLOWS": str(sc["flows"]), "WARMUP_MS": str(2000 + sc["flows"] // 100)},
                "kind": "infinite", "flows": sc["flows"], "note": note}
    return "no pktgen profile for %s" % sc["name"]


# ---------------------------------------------------------------- processes

class Proc:
    """A process this lab started; only ever signalled by its own pid."""

    def __init__(self, name, argv, logdir, stdin=False, env=None, cwd=None):
        self.name = name
        self.logpath = os.path.join(logdir, name + ".log")
        self.logf = open(self.logpath, "w")
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                  stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        log("started %s pid %d" % (name, self.p.pid))

    def send(self, line):
        if self.p.poll() is None and self.p.stdin:
            try:
                self.p.stdin.write((line + "\n").encode())
                self.p.stdin.flush()
            except BrokenPipeError:
                pass

    def text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def wait_for(self, needle, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.text():
                return True
            if self.p.poll() is not None:
                return needle in self.text()
            time.sleep(0.1)
        return False

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.p.pid, sig)

    def descendants(self):
        """Pids below ours, deepest first (pktgen runs under script(1))."""
        out, todo = [], [self.p.pid]
        while todo:
            pid = todo.pop()
            try:
                for t in os.listdir("/proc/%d/task" % pid):
                    with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                        kids = [int(x) for x in f.read().split()]
                    out += kids
                    todo += kids
            except OSError:
                pass
        return out[::-1]

    def kill_tree(self, sig):
        for pid in self.descendants():
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        self.signal(sig)

    def stop(self, timeout=15):
        """Ask politely (already done by the caller), then SIGTERM, then SIGKILL
        (to our own process and the ones it started)."""
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_tree(signal.SIGTERM)
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill_tree(signal.SIGKILL)
                self.p.wait()
        self.logf.close()
        return self.p.returncode


# ---------------------------------------------------------------- the lab

class Lab:
    def __init__(self, build, outdir, window, keep=False, generator="testpmd"):
        self.build = os.path.abspath(build)
        self.generator = generator
        self.ns = None
        self.outdir = outdir
        self.window = window
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix="sk-perf-")
        self.sock = os.path.join(self.tmp, "sock")
        os.mkdir(self.sock)
        self.tag = "skperf%d" % os.getpid()
        self.prefixes = []
        self.procs = []
        self.l3fwd = None
        if generator == "pktgen":
            try:
                self.setup_netns()
            except (OSError, subprocess.CalledProcessError):
                self.cleanup()
                raise

    # --- pktgen links: veth pairs in a namespace of our own, used through
    #     net_af_packet by the generator (skpX0) and the DUT (skpX1)
    def setup_netns(self):
        ns = self.tag
        subprocess.run(["ip", "netns", "add", ns], check=True)
        self.ns = ns
        inns = ["ip", "netns", "exec", ns]
        # No IPv6 (router solicitations, DAD) and no addresses: the only
        # frames on the links are the bench's.
        subprocess.run(inns + ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                               "net.ipv6.conf.default.disable_ipv6=1"], check=True)
        for gen, dut, mgen, mdut in VETHS:
            subprocess.run(["ip", "-n", ns, "link", "add", gen, "address", mgen, "type", "veth",
                            "peer", "name", dut, "address", mdut], check=True)
            for ifc in (gen, dut):
                # The kernel would otherwise leave TX checksums to an
                # offload that a veth only pretends to have.
                subprocess.run(inns + ["ethtool", "-K", ifc, "tx", "off"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                subprocess.run(["ip", "-n", ns, "link", "set", ifc, "up"], check=True)
        log("netns %s: veth %s" % (ns, ", ".join("%s<->%s" % v[:2] for v in VETHS)))

    def wrap(self, argv):
        """Run inside the lab's namespace when there is one."""
        return (["ip", "netns", "exec", self.ns] + argv) if self.ns else argv

    def dut_port(self, idx, name, mac):
        if self.ns:
            return "net_af_packet%d,iface=%s" % (idx, VETHS[idx][1])
        return self.memif(idx, name, "server", mac)

    # --- housekeeping
    def prefix(self, role):
        p = "%s-%s" % (self.tag, role)
        self.prefixes.append(p)
        return p

    def cleanup(self):
        for pr in self.procs:
            if pr.alive():
                pr.signal(signal.SIGTERM)
                pr.stop(5)
        for p in set(self.prefixes):
            shutil.rmtree("/var/run/dpdk/" + p, ignore_errors=True)
            # sekisho-dp runs with shared hugepage files (not --in-memory) so
            # that sekisho-cp can attach; EAL leaves them behind on exit.
            for mnt in self.hugetlbfs_mounts():
                for fn in os.listdir(mnt):
                    if fn.startswith(p + "map_"):
                        try:
                            os.unlink(os.path.join(mnt, fn))
                        except OSError:
                            pass
        if self.ns:
            # Deleting the namespace deletes the veth pairs inside it.
            subprocess.run(["ip", "netns", "del", self.ns])
            self.ns = None
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            log("kept", self.tmp)

    @staticmethod
    def hugetlbfs_mounts():
        with open("/proc/mounts") as f:
            return [ln.split()[1] for ln in f if ln.split()[2:3] == ["hugetlbfs"]]

    def hugepages_free_mb(self):
        info = {}
        with open("/proc/meminfo") as f:
            for line in f:
                k, v = line.split(":", 1)
                info[k] = v.split()
        return int(info["HugePages_Free"][0]) * int(info["Hugepagesize"][0]) // 1024

    # --- l3fwd, built once per lab run from the dpdk-doc example sources
    def build_l3fwd(self):
        if self.l3fwd is not None:
            return self.l3fwd
        src = os.path.join(self.tmp, "l3fwd")
        shutil.copytree(L3FWD_SRC, src)
        # The example asks for RX checksum offload unconditionally; memif has
        # none.  Mask the request with the port's capabilities (copy only).
        mainc = os.path.join(src, "main.c")
        with open(mainc) as f:
            text = f.read()
        anchor = "\t\tret = rte_eth_dev_configure(portid, nb_rx_queue,"
        if anchor in text:
            text = text.replace(anchor, "\t\tlocal_port_conf.rxmode.offloads &= "
                                "dev_info.rx_offload_capa;\n" + anchor, 1)
            text = text.replace("rxq_conf.offloads = port_conf.rxmode.offloads;",
                                "rxq_conf.offloads = port_conf.rxmode.offloads & "
                                "dev_info.rx_queue_offload_capa;", 1)
            with open(mainc, "w") as f:
                f.write(text)
        env = dict(os.environ, CFLAGS="-I/usr/share/dpdk/examples/common")
        log("building l3fwd (examples from dpdk-doc, installed libdpdk)")
        r = subprocess.run(["make", "-j2", "-C", src], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            log("l3fwd build failed:\n" + r.stdout.decode()[-2000:])
            self.l3fwd = ""
        else:
            self.l3fwd = os.path.join(src, "build", "l3fwd")
        return self.l3fwd

    # --- traffic
    def pcap_for(self, sc, quick):
        path = os.path.join(self.tmp, sc["name"] + ".pcap")
        if os.path.exists(path):
            return path, sc.get("_n")
        t0 = time.time()
        if sc["kind"] in ("infinite", "reload"):
            n = pcapgen.established(path, sc["flows"], sc.get("sizes"))
        elif sc["path"] == "new":
            n = pcapgen.syn_flood(path, 1000000 if quick else 2000000)
        else:
            n = pcapgen.mix(path, sc["flows"], 1000000 if quick else 2000000)
        sc["_n"] = n
        log("%s: %d packets written in %.1f s" % (os.path.basename(path), n, time.time() - t0))
        return path, n

    def memif(self, idx, name, role, mac):
        return ("net_memif%d,role=%s,id=0,socket=%s/%s.sock,socket-abstract=no,mac=%s"
                % (idx, role, self.sock, name, mac))

    def start_gen(self, sc, pcap, npkts):
        pre = self.prefix("gen")
        big = bool(sc.get("sizes"))
        mbuf_size = 2176 if big else 256
        infinite = sc["kind"] in ("infinite", "reload")
        mbufs = (npkts if infinite else 0) + 65536
        argv = [TESTPMD, "-l", "0,1", "--main-lcore", "0", "--in-memory", "--file-prefix", pre,
                "--no-pci", "--log-level=7",
                "--vdev", "net_pcap0,rx_pcap=%s%s" % (pcap, ",infinite_rx=1" if infinite else ""),
                "--vdev", self.memif(0, "a", "client", gen_config.MAC_GEN_OUT),
                "--vdev", self.memif(1, "b", "client", gen_config.MAC_GEN_IN),
                "--vdev", "net_null0,no-rx=1",
                "--", "-i", "--forward-mode=io", "--nb-cores=1", "--port-topology=paired",
                "--total-num-mbufs=%d" % mbufs, "--mbuf-size=%d" % mbuf_size, "--burst=32",
                "--rxd=1024", "--txd=1024"]
        g = Proc("gen-" + sc["name"], argv, self.tmp, stdin=True)
        self.procs.append(g)
        g.prefix = pre
        if not g.wait_for("testpmd>", 120):
            raise RuntimeError("generator did not start; see " + g.logpath)
        return g

    def start_dut(self, sc, dut):
        pre = self.prefix(dut)
        if dut == "sekisho":
            # A NAT connection takes two table slots (conn_max counts slots).
            conn_max = max(65536, int(sc["flows"] * sc.get("slots_per_conn", 1) * 1.25) + 4096)
            if sc["kind"] == "onepass":
                conn_max = max(conn_max, int(sc["_n"] * 1.25))
            mem = 512 + conn_max * BYTES_PER_CONN_EST // (1 << 20) + sc["rules"] // 100
            conf = os.path.join(self.tmp, "%s.conf" % sc["name"])
            img = conf + ".img"
            args = ["/usr/bin/python3", os.path.join(HERE, "gen_config.py"), "--rules", str(sc["rules"]),
                    "--conn-max", str(conn_max), "--memory-mb", str(mem), "--lcores", "0-1",
                    "--prefix", pre, "--sockdir", self.sock, "-o", conf]
            if self.ns:
                args += ["--af-packet", ",".join(v[1] for v in VETHS)]
            if sc["tcp_loose"]:
                args.append("--tcp-loose")
            if sc.get("lb"):
                args += ["--lb", sc["lb"]]
            subprocess.run(args, check=True)
            self.conf_args = args
            t0 = time.time()
            subprocess.run([os.path.join(self.build, "control", "sekisho-cp"), "--compile", conf,
                            "-o", img], check=True, stdout=subprocess.DEVNULL)
            sc["_compile_s"] = time.time() - t0
            stats = os.path.join(self.tmp, "%s.stats.json" % sc["name"])
            argv = self.wrap([os.path.join(self.build, "dataplane", "sekisho-dp"), "--image", img,
                              "--stats-file", stats, "--", "--main-lcore", "1"])
            d = Proc("dut-%s-%s" % (dut, sc["name"]), argv, self.tmp)
            d.stats_file = stats
            ready = "forwarding on"
        elif dut == "iofwd":
            argv = self.wrap([TESTPMD, "-l", "0,1", "--main-lcore", "1", "--in-memory", "--file-prefix", pre,
                    "--no-pci", "--vdev", self.dut_port(0, "a", gen_config.MAC_DP_OUT),
                    "--vdev", self.dut_port(1, "b", gen_config.MAC_DP_IN),
                    "--", "-i", "--forward-mode=io", "--nb-cores=1", "--port-topology=paired",
                    "--total-num-mbufs=16384", "--burst=%d" % int(os.environ.get("SK_PERF_IO_BURST", "32")), "--rxd=1024", "--txd=1024"])
            d = Proc("dut-%s-%s" % (dut, sc["name"]), argv, self.tmp, stdin=True)
            ready = "testpmd>"
        else:
            exe = self.build_l3fwd()
            if not exe:
                return None
            r4 = os.path.join(self.tmp, "%s.rules4" % sc["name"])
            r6 = os.path.join(self.tmp, "l3fwd.rules6")
            subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_config.py"), "--rules",
                            str(sc["rules"]), "-o", os.devnull, "--l3fwd-rules", r4], check=True)
            with open(r6, "w") as f:
                f.write("R0:0:0:0:0:0:0:0/0 0:0:0:0:0:0:0:0/0 0 : 65535 0 : 65535 0x00/0x00 1\n")
            argv = self.wrap([exe, "-l", "0", "--in-memory", "--file-prefix", pre, "--no-pci",
                    "--vdev", self.dut_port(0, "a", gen_config.MAC_DP_OUT),
                    "--vdev", self.dut_port(1, "b", gen_config.MAC_DP_IN),
                    "--", "-p", "0x3", "-P", "--config=(0,0,0),(1,0,0)", "--lookup=acl",
                    "--rule_ipv4=" + r4, "--rule_ipv6=" + r6, "--parse-ptype",
                    "--eth-dest=1,%s" % gen_config.MAC_GEN_IN, "--eth-dest=0,%s" % gen_config.MAC_GEN_OUT])
            d = Proc("dut-%s-%s" % (dut, sc["name"]), argv, self.tmp)
            ready = "entering main loop"
        self.procs.append(d)
        d.prefix = pre
        d.kind = dut
        if not d.wait_for(ready, 180):
            raise RuntimeError("%s did not start; see %s" % (dut, d.logpath))
        if dut == "iofwd":
            d.send("start")
        return d

    # --- counters
    @staticmethod
    def snap(dut_tel, dut_kind):
        s = {"t": time.time()}
        for port, name in ((0, "a"), (1, "b")):
            st = dut_tel.cmd("/ethdev/stats,%d" % port) or {}
            s[name + ".rx"] = st.get("ipackets", 0)
            s[name + ".tx"] = st.get("opackets", 0)
            s[name + ".rx_missed"] = st.get("imissed", 0)
        if dut_kind == "sekisho":
            s.update({"sk." + k: v for k, v in flatten(dut_tel.cmd("/sekisho/stats")).items()})
        return s

    def wait_links(self, gen_tel):
        deadline = time.time() + 20
        while time.time() < deadline:
            ok = all((gen_tel.cmd("/ethdev/link_status,%d" % p) or {}).get("status") == "UP"
                     for p in (1, 2))
            if ok:
                return True
            time.sleep(0.2)
        return False

    def run_one(self, sc, dut, quick):
        pcap, npkts = self.pcap_for(sc, quick)
        d = self.start_dut(sc, dut)
        if d is None:
            return {"scenario": sc["name"], "dut": dut, "skipped": "l3fwd did not build"}
        g = None
        res = {"scenario": sc["name"], "dut": dut, "generator": "testpmd", "pkts_in_pcap": npkts}
        try:
            g = self.start_gen(sc, pcap, npkts)
            gt = Telemetry(g.prefix)
            dt = Telemetry(d.prefix)
            if not self.wait_links(gt):
                raise RuntimeError("memif links did not come up")
            if sc["kind"] == "onepass":
                # Back-pressure instead of dropping at the generator: every
                # packet of the file reaches the DUT once.
                g.send("set fwd io retry")
            s0 = self.snap(dt, dut)
            g.send("start")
            if sc["kind"] == "infinite":
                samples = self.measure_steady(dt, dut, sc, s0)
            else:
                samples = self.measure_onepass(dt, dut, s0)
            res.update(self.figures(samples, dut))
            g.send("stop")
            time.sleep(0.5)
            gt.close()
            dt.close()
        finally:
            # Both memif peers stop forwarding before either quits.
            if g is not None:
                g.send("stop")
            if dut == "iofwd":
                d.send("stop")
                time.sleep(0.3)
                d.send("quit")
            else:
                d.signal(signal.SIGINT)
            rc = d.stop(60)
            if g is not None:
                g.send("quit")
                g.stop(30)
            res["dut_exit"] = rc
        self.add_final(res, d, dut, sc)
        return res

    # --- pktgen as the generator (Lua profile; it runs on its own and marks
    #     the measured phase in a file, the DUT's counters are read meanwhile)
    def start_pktgen(self, sc, plan):
        pre = self.prefix("pktgen")
        base = os.path.join(self.tmp, "pktgen-%s-%s" % (sc["name"], len(self.procs)))
        env = dict(os.environ, SK_PKTGEN_DIR=PKTGEN_DIR, PKTGEN_QUIT="1",
                   PKTGEN_MARK=base + ".mark", PKTGEN_RESULT=base + ".json",
                   DURATION_MS=str(int((self.window + 3) * 1000) if plan["kind"] == "infinite"
                                   else 120000), **plan["env"])
        ports = " ".join("--vdev net_af_packet%d,iface=%s" % (i, v[0]) for i, v in enumerate(VETHS))
        # A pcap profile replays the scenario's file on port 0 (pktgen -s
        # loads it into a pool of its own when the port starts).
        pcap = ("-s 0:%s " % shlex.quote(plan["pcap_path"])) if plan.get("pcap_path") else ""
        # Main lcore 0 runs the Lua profile (it sleeps in pktgen.delay); lcore 1
        # does RX and TX of both ports.  pktgen wants a terminal: script(1).
        cmd = ("%s -l 0,1 --main-lcore 0 --in-memory --file-prefix %s --no-pci %s -- -P "
               "-m '1.[0-1]' %s-f %s" % (shlex.quote(PKTGEN), pre, ports, pcap,
                                         shlex.quote(os.path.join(PKTGEN_DIR, plan["profile"]))))
        g = Proc("gen-pktgen-" + sc["name"], self.wrap(["script", "-qfec", cmd, "/dev/null"]),
                 self.tmp, stdin=True, env=env, cwd=os.path.join(HERE, ".."))
        self.procs.append(g)
        g.prefix = pre
        g.mark, g.result = env["PKTGEN_MARK"], env["PKTGEN_RESULT"]
        return g

    @staticmethod
    def wait_mark(g, state, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with open(g.mark) as f:
                    if f.read().strip() == state:
                        return True
            except OSError:
                pass
            if not g.alive():
                return False
            time.sleep(0.05)
        return False

    def pcap_plan(self, sc, plan, quick):
        """A pcap profile replays the memif path's file (written here); one
        pass = its packet count.  Returns the MiB pktgen's pcap pool takes
        (one mbuf per packet, a short file repeated up to 24576)."""
        plan["pcap_path"], n = self.pcap_for(sc, quick)
        if plan["kind"] == "onepass":
            plan["n"] = n
            plan["env"]["PKTS"] = str(n)
        big = max(s for s, _ in sc["sizes"]) if sc.get("sizes") else 60
        mbufs = max(n, (24576 // n) * n)
        return mbufs * (GEN_MBUF_OVERHEAD + 128 + big) / (1 << 20)

    def run_one_pktgen(self, sc, dut, plan):
        # The profile's flow count and kind replace the pcap's.
        psc = dict(sc, flows=plan["flows"], kind=plan["kind"], _n=plan.get("n"))
        d = self.start_dut(psc, dut)
        if d is None:
            return {"scenario": sc["name"], "dut": dut, "skipped": "l3fwd did not build"}
        g = None
        res = {"scenario": sc["name"], "dut": dut, "generator": "pktgen",
               "gen_profile": plan["profile"], "gen_note": plan["note"], "flows": plan["flows"]}
        if plan.get("n"):
            res["pkts_offered"] = plan["n"]
        try:
            g = self.start_pktgen(psc, plan)
            dt = Telemetry(d.prefix)
            if not self.wait_mark(g, "start", 180):
                import re
                tail = " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]", " ", g.text()).split())
                # A panic's cause comes before its backtrace.
                why = tail[tail.find("PANIC"):][:300] if "PANIC" in tail else tail[-400:]
                raise RuntimeError("pktgen did not start sending (log %s, rc %s): ...%s" % (
                    g.logpath, g.p.poll(), why))
            s0 = self.snap(dt, dut)
            if plan["kind"] == "infinite":
                samples = self.measure_steady(dt, dut, psc, s0)
            else:
                samples = self.measure_onepass(dt, dut, s0)
            res.update(self.figures(samples, dut))
            if not self.wait_mark(g, "stop", 180):
                raise RuntimeError("pktgen did not finish; see " + g.logpath)
            g.stop(60)
            try:
                with open(g.result) as f:
                    gr = json.load(f)
                ms = max(gr["ms"], 1)
                res["gen"] = {"tx": gr["tx"], "rx": gr["rx"], "ms": gr["ms"],
                              "mpps_tx": round(gr["tx"] / ms / 1000, 3),
                              "mpps_rx": round(gr["rx"] / ms / 1000, 3)}
            except (OSError, ValueError, KeyError) as e:
                res["gen"] = {"error": "no pktgen result: %s" % e}
            dt.close()
        finally:
            if g is not None and g.alive():
                g.kill_tree(signal.SIGTERM)
                g.stop(10)
            res["dut_exit"] = self.stop_dut(d, dut)
        self.add_final(res, d, dut, psc)
        return res

    @staticmethod
    def add_final(res, d, dut, sc):
        """sekisho-dp's last stats (written at exit) into res."""
        if dut != "sekisho" or not os.path.exists(d.stats_file):
            return
        with open(d.stats_file) as f:
            final = json.load(f)
        res["final_drops"] = {k: v for k, v in final.get("drops", {}).items() if v}
        res["conns_final"] = final.get("conns", {})
        res["compile_s"] = round(sc.get("_compile_s", 0), 2)

    @staticmethod
    def stop_dut(d, dut):
        if dut == "iofwd":
            d.send("stop")
            time.sleep(0.3)
            d.send("quit")
        else:
            d.signal(signal.SIGINT)
        return d.stop(60)

    # --- reload under load (sekisho only; needs hugepages: sekisho-cp attaches
    #     as a DPDK secondary process to the dataplane's shared memory)
    @staticmethod
    def gsnap(gt):
        """Generator side: port 1 sends to the DUT, port 2 receives from it."""
        s = {"t": time.time()}
        for port, name in ((1, "sent"), (2, "recv")):
            st = gt.cmd("/ethdev/stats,%d" % port) or {}
            s[name] = st.get("opackets" if name == "sent" else "ipackets", 0)
            s[name + ".oerrors"] = st.get("oerrors", 0)
            s[name + ".imissed"] = st.get("imissed", 0)
        return s

    def run_reload(self, sc):
        pcap, npkts = self.pcap_for(sc, True)
        d = self.start_dut(sc, "sekisho")
        newconf = os.path.join(self.tmp, sc["name"] + ".new.conf")
        args = list(self.conf_args)
        args[args.index("-o") + 1] = newconf
        args += ["--variant", "1"] + (["--revoke"] if sc["revoke"] else [])
        subprocess.run(args, check=True)
        cp = os.path.join(self.build, "control", "sekisho-cp")
        res = {"scenario": sc["name"], "dut": "sekisho", "generator": "testpmd", "pkts_in_pcap": npkts,
               "new_config": "fillers renamed v1-f*, addresses +1" +
               ("; bench-tcp (accept) left out" if sc["revoke"] else "; bench-tcp kept")}
        g = None
        try:
            g = self.start_gen(sc, pcap, npkts)
            gt = Telemetry(g.prefix)
            dt = Telemetry(d.prefix)
            if not self.wait_links(gt):
                raise RuntimeError("memif links did not come up")
            s0, g0 = self.snap(dt, "sekisho"), self.gsnap(gt)
            g.send("start")
            t_end = time.time() + 60
            while time.time() < t_end:
                time.sleep(0.5)
                if self.snap(dt, "sekisho").get("sk.conns.active", 0) >= sc["flows"]:
                    break
            time.sleep(0.5)
            sp, gp = self.snap(dt, "sekisho"), self.gsnap(gt)   # 1 s before the commit
            time.sleep(1.0)
            sa, ga = self.snap(dt, "sekisho"), self.gsnap(gt)   # commit starts
            r = subprocess.run([cp, "--commit", newconf], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=300)
            sb, gb = self.snap(dt, "sekisho"), self.gsnap(gt)   # commit returned
            time.sleep(1.0)
            sc_, gc = self.snap(dt, "sekisho"), self.gsnap(gt)  # 1 s after
            g.send("stop")
            time.sleep(1.0)                                     # memif rings drain
            se, ge = self.snap(dt, "sekisho"), self.gsnap(gt)
            out = r.stdout.decode(errors="replace").strip()
            res["commit"] = {"rc": r.returncode, "output": out[-600:],
                             "wall_s": round(sb["t"] - sa["t"], 3)}
            import re
            m = re.search(r"built in (\d+) us", out)
            res["commit"]["built_us"] = int(m.group(1)) if m else None
            res["generation_before"] = sa.get("sk.generation")
            res["generation_after"] = sc_.get("sk.generation")

            def win(x, y, gx, gy):
                dt_ = y["t"] - x["t"]
                return {"s": round(dt_, 3),
                        "gen_sent": gy["sent"] - gx["sent"],
                        "gen_recv": gy["recv"] - gx["recv"],
                        "gen_tx_refused": gy["sent.oerrors"] - gx["sent.oerrors"],
                        "dut_in": y["a.rx"] - x["a.rx"], "dut_out": y["b.tx"] - x["b.tx"],
                        "dut_rx_missed": y["a.rx_missed"] - x["a.rx_missed"],
                        "mpps_out": round((y["b.tx"] - x["b.tx"]) / dt_ / 1e6, 3) if dt_ else None,
                        "drops": {k[9:]: y[k] - x[k] for k in y
                                  if k.startswith("sk.drops.") and y[k] != x.get(k, 0)},
                        "conns_active": y.get("sk.conns.active")}
            res["before"] = win(sp, sa, gp, ga)
            res["during_commit"] = win(sa, sb, ga, gb)
            res["after"] = win(sb, sc_, gb, gc)
            # The whole run, generator stopped and rings drained: exact.
            tot = win(s0, se, g0, ge)
            tot["lost"] = tot["gen_sent"] - tot["gen_recv"]
            res["whole_run"] = tot
            gt.close()
            dt.close()
        finally:
            if g is not None:
                g.send("stop")
            d.signal(signal.SIGINT)
            res["dut_exit"] = d.stop(60)
            if g is not None:
                g.send("quit")
                g.stop(30)
        return res

    def measure_steady(self, dt, dut, sc, s0):
        """Warm up (every flow has its connection), then one window."""
        t_end = time.time() + 60
        while time.time() < t_end:
            time.sleep(0.5)
            s = self.snap(dt, dut)
            if dut != "sekisho":
                if s["b.tx"] > s0["b.tx"] + sc["flows"]:
                    break
            elif s.get("sk.conns.active", 0) >= sc["flows"]:
                break
        time.sleep(0.5)
        a = self.snap(dt, dut)
        time.sleep(self.window)
        b = self.snap(dt, dut)
        return [a, b]

    def measure_onepass(self, dt, dut, s0):
        """Sample every 50 ms until the input stops; keep the busy span."""
        samples = [s0]
        idle_since = None
        deadline = time.time() + 120
        while time.time() < deadline:
            time.sleep(0.05)
            s = self.snap(dt, dut)
            samples.append(s)
            if s["a.rx"] == samples[-2]["a.rx"] and s["a.rx"] > s0["a.rx"]:
                idle_since = idle_since or s["t"]
                if s["t"] - idle_since > 1.0:
                    break
            else:
                idle_since = None
        moving = [i for i in range(1, len(samples)) if samples[i]["a.rx"] != samples[i - 1]["a.rx"]]
        if not moving:
            return [samples[0], samples[-1]]
        # Drop the first and last partial intervals when there are enough.
        first, last = moving[0], moving[-1]
        if last - first >= 4:
            first, last = first + 1, last - 1
        return [samples[first - 1], samples[last]]

    @staticmethod
    def figures(samples, dut):
        a, b = samples[0], samples[-1]
        dt = b["t"] - a["t"]
        f = {"window_s": round(dt, 2),
             "pkts_in": b["a.rx"] - a["a.rx"],
             "pkts_out": b["b.tx"] - a["b.tx"],
             "mpps_in": round((b["a.rx"] - a["a.rx"]) / dt / 1e6, 3),
             "mpps_out": round((b["b.tx"] - a["b.tx"]) / dt / 1e6, 3),
             "rx_missed": b["a.rx_missed"] - a["a.rx_missed"]}
        if dut == "sekisho":
            bp = b["sk.busy_pkts"] - a["sk.busy_pkts"]
            f["cycles_per_pkt"] = round((b["sk.busy_cycles"] - a["sk.busy_cycles"]) / bp, 1) if bp else None
            f["drops"] = {k[9:]: b[k] - a[k] for k in b if k.startswith("sk.drops.") and b[k] != a[k]}
            f["conns_active"] = b.get("sk.conns.active")
            f["conns_created"] = b.get("sk.conns.active", 0) - a.get("sk.conns.active", 0)
            f["forwarded"] = b["sk.forwarded"] - a["sk.forwarded"]
        return f


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="perf/run", description="Sekisho perf lab")
    p.add_argument("scenarios", nargs="*", help="scenario names (default: the quick set)")
    p.add_argument("--full", action="store_true", help="every scenario")
    p.add_argument("--list", action="store_true")
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--window", type=float, default=3.0, help="measurement window, s")
    p.add_argument("--duts", default="sekisho,iofwd,l3fwd")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, pcaps)")
    p.add_argument("--label", help="results name: e2e-LABEL.json (default quick/full/selected)")
    p.add_argument("--generator", choices=("pktgen", "testpmd"),
                   help="pktgen (Lua profiles, af_packet links in a namespace) or testpmd "
                        "(pcap replay, memif links); default: pktgen when it is on PATH")
    a = p.parse_args(argv)
    gen = a.generator or ("pktgen" if PKTGEN else "testpmd")
    if a.list:
        for s in SCENARIOS:
            print("%-12s %-5s %s" % (s["name"], "full" if s["full"] else "quick", s["desc"]))
        return 0
    names = a.scenarios or ([s["name"] for s in SCENARIOS] if a.full else QUICK)
    by = {s["name"]: s for s in SCENARIOS}
    bad = [n for n in names if n not in by]
    if bad:
        sys.exit("unknown scenario(s): %s (see --list)" % ", ".join(bad))
    quick = not a.full
    if gen == "pktgen" and not PKTGEN:
        sys.exit("--generator pktgen: no pktgen on PATH")
    log("generator: %s" % (gen if gen == "testpmd" else "pktgen (%s), af_packet links" % PKTGEN))
    lab = Lab(a.build, a.out, a.window, a.keep, gen)
    out = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": os.uname().nodename,
           "cpus": os.cpu_count(), "generator": gen,
           "links": "memif" if gen == "testpmd" else "veth + net_af_packet",
           "mode": a.label or ("full" if a.full else ("selected" if a.scenarios else "quick")),
           "tsc_hz": None, "scenarios": []}

    def on_sig(sig, frm):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_sig)
    # perf/run starts us in the background, where SIGINT arrives ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        for n in names:
            sc = by[n]
            entry = {"name": n, "desc": sc["desc"], "path": sc["path"], "runs": []}
            out["scenarios"].append(entry)
            if sc["kind"] == "pending":
                entry["pending"] = sc["desc"]
                log("%s: pending (%s)" % (n, sc["desc"]))
                continue
            plan = pktgen_plan(sc, quick) if gen == "pktgen" else None
            if isinstance(plan, str):
                entry["skipped"] = "pktgen: " + plan
                log("%s: skipped: %s" % (n, entry["skipped"]))
                continue
            if sc["kind"] == "reload":
                log("%s on sekisho (reload under load)" % n)
                try:
                    r = lab.run_reload(sc)
                except (RuntimeError, subprocess.SubprocessError) as e:
                    r = {"scenario": n, "dut": "sekisho", "error": str(e)}
                log(json.dumps(r))
                entry["runs"].append(r)
                continue
            if plan:
                entry["generator_note"] = plan["note"]
            if sc["kind"] == "infinite" or plan:
                if plan:    # pktgen's pools are fixed, plus the pcap's if any
                    pcap_mb = lab.pcap_plan(sc, plan, quick) if plan.get("pcap") else 0
                    need = (max(plan["flows"], plan.get("n") or 0) * sc.get("slots_per_conn", 1) *
                            BYTES_PER_CONN_EST * 1.25 / (1 << 20) + 1024 + PKTGEN_HUGE_MB + pcap_mb)
                else:
                    need = (sc["flows"] * sc.get("slots_per_conn", 1) * BYTES_PER_CONN_EST * 1.25 +
                            sc["flows"] * (GEN_MBUF_OVERHEAD + (2176 if sc.get("sizes") else 256))) / (1 << 20) + 1024
                have = lab.hugepages_free_mb()
                if need > have:
                    entry["skipped"] = ("needs about %d MiB of hugepages (DUT table + generator "
                                        "mbufs), %d MiB free" % (need, have))
                    log("%s: skipped: %s" % (n, entry["skipped"]))
                    continue
            for dut in [d for d in a.duts.split(",") if d in sc.get("duts", (d,))]:
                log("%s on %s" % (n, dut))
                try:
                    r = lab.run_one_pktgen(sc, dut, plan) if plan else lab.run_one(sc, dut, quick)
                except RuntimeError as e:
                    r = {"scenario": n, "dut": dut, "generator": gen, "error": str(e)}
                log(json.dumps(r))
                entry["runs"].append(r)
            ceil = next((r for r in entry["runs"] if r["dut"] == "iofwd" and r.get("mpps_out")), None)
            for r in entry["runs"]:
                if ceil and r.get("mpps_out") is not None:
                    r["ratio_to_ceiling"] = round(r["mpps_out"] / ceil["mpps_out"], 3)
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        # A second ^C must not cut the cleanup short (namespace, hugepage files).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        lab.cleanup()
    os.makedirs(a.out, exist_ok=True)
    jpath = os.path.join(a.out, "e2e-%s.json" % out["mode"])
    with open(jpath, "w") as f:
        json.dump(out, f, indent=1)
    log("wrote", jpath)
    import report
    report.write(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
