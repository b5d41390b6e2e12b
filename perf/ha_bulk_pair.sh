#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# perf/ha_bulk_pair.sh - a bulk sync of 1M connections between two units on
# one host (issue 11 item 7; docs/ha-sync.md, docs/perf.md).  `perf/run
# --ha-bulk` runs it.  Needs root, dpdk-testpmd and ~1.6 GB of hugepages
# (raised here if short, restored at exit).
#
# Two sekisho-dp (2 workers each) and two sekisho-cp in a namespace of their
# own, the HA link on its loopback, the dataplane heartbeat on veth h1/h2,
# as perf/ha_sync_pair.sh.  Unit 1's ports:
#   gen  memif server  <- testpmd: net_pcap rx_pcap of N TCP SYNs of distinct
#                         flows (two files, one per queue = one per worker),
#                         `set fwd io retry`: nothing is lost on the way in
#   str  net_pcap rx_pcap=stream.pcap,infinite_rx=1: a steady stream of UDP
#                         on 16 flows, replayed in a loop from memory
#   out  net_null (sink): both streams are routed out here
# Unit 2 (the standby) has net_null ports without rx in their place.
#
# Steps: unit 1 alone becomes active; the N SYNs create N connections on it
# (counted over REST); then unit 2's sekisho-dp and sekisho-cp start: the
# active's bulk sync sends the whole table, the standby is ready after it.
# A poller samples both units' REST every 250 ms: the active's `forwarded`
# counter before and during the bulk (the same run), the bulk's duration
# (`conn_sync.bulk_ms`, `bulk_records` on both units, wall time from the
# standby's sekisho-cp start to `ready`), then 2048 connections of the
# active compared with the standby's (worker, state, rule) and both counts.
# SK_BULK_FLOWS=N (default 1000000).  Prints figures; exit status non-zero
# if a correctness check failed.  SK_BULK_LOGS=1 prints the logs' tails.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SK_BUILD:-$ROOT/build}
N=${SK_BULK_FLOWS:-1000000}
NS=skbk-$$
PFX=skbk-$$
D=$(mktemp -d /tmp/skbk.XXXXXX)
PIDS=()
FAILED=0
T=0
HP_ORIG=
# Per worker: conn_max slots of ~135 B (docs/perf.md "Memory"); half the
# flows on each worker, and a table 15/16 full sheds half-open entries, so
# a power of two >= N/2 * 16/15.
CONN_MAX=65536
while (( CONN_MAX * 15 / 16 < N / 2 + 4096 )); do CONN_MAX=$((CONN_MAX * 2)); done
MEM_MB=$(( 384 + 2 * CONN_MAX * 150 / 1048576 ))
command -v dpdk-testpmd >/dev/null || { echo "ha_bulk_pair: dpdk-testpmd missing (apt install dpdk)" >&2; exit 2; }
cleanup() {
	if [ "$FAILED" != 0 ] || [ -n "${SK_BULK_LOGS:-}" ]; then
		for f in cp1 cp2 dp1 dp2 gen; do echo "# -- $f"
			grep -hv "^TELEMETRY" "$D/$f.log" 2>/dev/null | tail -"${SK_LINES:-15}" | sed 's/^/# /'
		done
	fi
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 1
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$PFX-u1" "/var/run/dpdk/$PFX-u2" "/var/run/dpdk/$PFX-gen" "$D" /dev/hugepages/$PFX-*
	[ -n "$HP_ORIG" ] && echo "$HP_ORIG" > /proc/sys/vm/nr_hugepages
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ok() { T=$((T + 1)); if [ "$1" = 1 ]; then echo "ok $T - $2"; else echo "not ok $T - $2"; FAILED=1; fi; }

# Hugepages: both units' memory_mb and the generator's pool.
need=$(( (2 * MEM_MB + 256) / 2 ))
tot=$(cat /proc/sys/vm/nr_hugepages)
free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
if (( free < need )); then
	HP_ORIG=$tot
	echo "# hugepages: $free of $tot free, $need needed: raising to $((tot + need - free)) (restored at exit)"
	echo $((tot + need - free)) > /proc/sys/vm/nr_hugepages
fi

# Traffic: N SYNs (flow i: 10.254.0.0 + (i >> 10):1024 + (i & 1023) ->
# 10.253.0.1:80, pcapgen.py's mapping), even flows in syn0.pcap, odd ones in
# syn1.pcap; 16 UDP flows 10.249.0.1:2000+j -> 10.253.0.2:9000 for the stream.
t0=$(date +%s%3N)
/usr/bin/python3 - "$ROOT/perf" "$D" "$N" <<'PY' || exit 1
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen
d, n = sys.argv[2], int(sys.argv[3])
w = [pcapgen.Writer(f"{d}/syn{q}.pcap") for q in (0, 1)]
for i in range(n):
    w[i & 1].add(pcapgen.frame(i, flags=pcapgen.SYN))
for x in w:
    x.close()
s = pcapgen.Writer(f"{d}/stream.pcap")
mac = bytes.fromhex("027063617000")   # net_pcap's MAC: 02:70:63:61:70 + its index (the first)
for k in range(512):
    f = bytearray(pcapgen.frame(k & 15, dport=9000, size=60, proto=17))
    f[0:6] = mac
    f[26:30] = bytes([10, 249, 0, 1])      # src 10.249.0.1, sport 2000 + flow
    f[30:34] = bytes([10, 253, 0, 2])
    f[34:36] = (2000 + (k & 15)).to_bytes(2, "big")
    f[24:26] = b"\0\0"
    c = pcapgen._csum(bytes(f[14:34]))
    f[24:26] = c.to_bytes(2, "big")
    s.add(bytes(f))
s.close()
PY
echo "# pcaps: $N SYNs in two files and a 512-packet stream written in $(( $(date +%s%3N) - t0 )) ms"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/ha.key"
chmod 600 "$D/ha.key"
TOK=$(printf t | sha256sum | cut -d" " -f1)
for u in 1 2; do
	mkdir -p "$D/state$u"
	if [ "$u" = 1 ]; then
		gen_dev="net_memif1,role=server,id=0,socket=$D/gen.sock,socket-abstract=no,mac=02:00:00:00:10:01"
		str_dev="net_pcap1,rx_pcap=$D/stream.pcap,tx_pcap=/dev/null,tx_pcap=/dev/null,infinite_rx=1"
	else
		gen_dev="net_null21,no-rx=1"
		str_dev="net_null22,no-rx=1"
	fi
	cat > "$D/u$u.conf" <<CONF
dataplane = { lcores = "(0-2)@(0-1)"; workers = 2; hugepages = true; memory_mb = $MEM_MB;
  conn_max = $CONN_MAX; mbufs = 32768; file_prefix = "$PFX"; idle_sleep_us = 100; health_tap = "";
  timeouts = { tcp_syn = 3600; udp = 3600; udp_stream = 3600; }; };
management = { listen = "127.0.0.1:$((18640 + u))"; state_dir = "$D/state$u";
  tokens = ( { name = "t"; sha256 = "$TOK"; } ); };
zones = ( "ha", "g", "o" );
interfaces = (
  { name = "hal"; zone = "ha"; mtu = 1500;
    device = "net_af_packet$u,iface=h$u,qpairs=2";
    units = ( { ipv4 = [ "198.51.100.2/24" ]; }, { ipv4 = [ "198.51.100.3/24" ]; } );
    floating_ipv4 = [ "198.51.100.1/24" ]; },
  { name = "gen"; zone = "g"; mtu = 1500; device = "$gen_dev";
    units = ( { ipv4 = [ "10.251.0.2/16" ]; }, { ipv4 = [ "10.251.0.3/16" ]; } );
    floating_ipv4 = [ "10.251.0.1/16" ]; },
  { name = "str"; zone = "g"; mtu = 1500; device = "$str_dev";
    units = ( { ipv4 = [ "10.250.0.2/16" ]; }, { ipv4 = [ "10.250.0.3/16" ]; } );
    floating_ipv4 = [ "10.250.0.1/16" ]; },
  { name = "out"; zone = "o"; mtu = 1500; device = "net_null$u,no-rx=1";
    units = ( { ipv4 = [ "192.168.20.2/24" ]; }, { ipv4 = [ "192.168.20.3/24" ]; } );
    floating_ipv4 = [ "192.168.20.1/24" ]; } );
routes = ( { dst = "10.253.0.0/16"; via = "192.168.20.9"; interface = "out"; } );
neighbors = ( { ip = "192.168.20.9"; mac = "02:00:00:00:20:02"; interface = "out"; } );
policy = { default = "drop"; log_default = false; zone_defaults = ( );
  rules = ( { name = "syn"; from = "g"; to = "o"; proto = "tcp"; dport = [ "80" ]; action = "accept"; },
            { name = "stream"; from = "g"; to = "o"; proto = "udp"; dport = [ "9000" ]; action = "accept"; } ); };
ha = { cluster = "bulk-pair"; psk_file = "$D/ha.key"; profile = "lab";
  units = ( { priority = 150; ha_address = "127.0.0.1"; ha_port = 7893;
              file_prefix = "$PFX-u1"; },
            { priority = 100; ha_address = "127.0.0.2"; ha_port = 7894;
              file_prefix = "$PFX-u2"; } );
  data_heartbeat = { interface = "hal"; }; announce = { count = 1; }; };
CONF
	"$BUILD/control/sekisho-cp" --compile "$D/u$u.conf" -o "$D/u$u.img" >/dev/null || exit 1
done
echo "# per unit: 2 workers, conn_max $CONN_MAX per worker, memory_mb $MEM_MB; load: $(cut -d' ' -f1-3 /proc/loadavg)"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 127.0.0.2/8 dev lo 2>/dev/null || true
ip -n "$NS" link add h1 type veth peer name h2
ip -n "$NS" link set h1 up
ip -n "$NS" link set h2 up
API_BASE=18640 API_TIMEOUT=20
# shellcheck source=perf/ha_pair_lib.sh
. "$(dirname "$0")/ha_pair_lib.sh"

# 1. unit 1 alone: active once its peer is found dead
start_dp 1
wait_for 60 grep -q "forwarding on" "$D/dp1.log"
start_cp 1
wait_for 60 role_is 1 active; r=$?
ok $(( r == 0 )) "unit 1 alone is active"
[ "$r" = 0 ] || exit 1

# 2. N connections from the generator (testpmd: pcap -> memif, io retry)
mkfifo "$D/gen.in"
ip netns exec "$NS" dpdk-testpmd -l 0,1 --main-lcore 0 --in-memory --file-prefix "$PFX-gen" --no-pci \
	--vdev "net_pcap0,rx_pcap=$D/syn0.pcap,rx_pcap=$D/syn1.pcap" \
	--vdev "net_memif0,role=client,id=0,socket=$D/gen.sock,socket-abstract=no,mac=02:00:00:00:10:02" \
	-- -i --forward-mode=io --nb-cores=1 --port-topology=paired --rxq=2 --txq=2 \
	--total-num-mbufs=65536 --mbuf-size=256 --burst=32 --rxd=1024 --txd=1024 --no-flush-rx \
	< "$D/gen.in" > "$D/gen.log" 2>&1 &
GEN=$!
PIDS+=("$GEN")
exec 9> "$D/gen.in"
wait_for 60 grep -q "testpmd>" "$D/gen.log" || { ok 0 "the generator started"; exit 1; }
t0=$(now_ms)
echo "set fwd io retry" >&9
echo "set burst tx delay 20 retry 50000" >&9   # up to 1 s per burst: nothing dropped
echo "start" >&9
c1=-1; same=0; c=0; tc=0
for _ in $(seq 1 600); do   # until the active's count has not moved for 3 polls
	sleep 0.5
	c=$(api 1 connections/count | jq_ count)
	if [ "$c" = "$c1" ]; then same=$((same + 1)); [ "$same" -ge 3 ] && break
	else same=0; tc=$(( $(now_ms) - t0 )); fi   # the poll that first saw the final count
	c1=$c
done
echo "show port stats all" >&9; echo "stop" >&9; echo "quit" >&9; exec 9>&-
sleep 1; kill -TERM "$GEN" 2>/dev/null; wait "$GEN" 2>/dev/null
echo "# generator: port 0 (pcap) $(grep -m1 'RX-packets' "$D/gen.log" | tr -s ' '); forwarding: $(grep -A2 'Accumulated forward' "$D/gen.log" | grep TX-packets | tr -s ' ')"
C=$(api 1 counters)
echo "# active's drops: $(echo "$C" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin).get("drops",{}); print(", ".join("%s %s" % kv for kv in d.items() if kv[1]) or "none")')"
ok $(( c1 >= N )) "the active holds $c1 connections ($N SYNs + 16 stream flows), all there ${tc} ms after the generator started (polled every ~0.5 s; $(( c1 * 1000 / (tc > 0 ? tc : 1) )) /s, the generator's and the worker's pace)"

# 3. the standby starts late: the whole table by a bulk sync; the poller
# samples both units meanwhile (it ends when unit 2 is ready, or after 300 s)
ip netns exec "$NS" /usr/bin/python3 - "$D" "$TOK" > "$D/poll.log" 2>&1 <<'PY' &
import json, ssl, sys, time, urllib.request
d = sys.argv[1]
ctx = ssl._create_unverified_context()
def get(u, p):
    r = urllib.request.Request(f"https://127.0.0.1:{18640 + u}/api/v1/{p}", headers={"Authorization": "Bearer t"})
    try:
        return json.load(urllib.request.urlopen(r, context=ctx, timeout=5))
    except Exception:
        return None
out = open(f"{d}/samples.jsonl", "w")
end = time.time() + 330
while time.time() < end:
    t = time.time()
    c = get(1, "counters")
    h1 = get(1, "ha")
    h2 = get(2, "ha")
    s = {"t": t, "fwd": c.get("forwarded") if c else None,
         "sending": (h1 or {}).get("conn_sync", {}).get("bulk_sending"),
         "bulk_runs": (h1 or {}).get("conn_sync", {}).get("bulk_runs"),
         "ready2": (h2 or {}).get("ready"), "role2": (h2 or {}).get("role"),
         "recv2": (h2 or {}).get("conn_sync", {}).get("bulk_received")}
    out.write(json.dumps(s) + "\n"); out.flush()
    if s["ready2"] is True and s["role2"] == "standby":
        break
    time.sleep(max(0.0, 0.25 - (time.time() - t)))
PY
POLL=$!
PIDS+=("$POLL")
sleep 6                      # the "before" window: the stream alone
tstart=$(now_ms)
start_dp 2
wait_for 120 grep -q "forwarding on" "$D/dp2.log"
tdp=$(now_ms)
start_cp 2
tcp2=$(now_ms)
wait "$POLL"
tready=$(now_ms)
H1=$(api 1 ha); H2=$(api 2 ha)
c1=$(api 1 connections/count | jq_ count); c2=$(api 2 connections/count | jq_ count)
/usr/bin/python3 - "$D/samples.jsonl" "$tcp2" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
tcp2 = int(sys.argv[2]) / 1000
def rate(a, b):
    a = [x for x in a if x["fwd"] is not None]
    return (a[-1]["fwd"] - a[0]["fwd"]) / (a[-1]["t"] - a[0]["t"]) if len(a) > 1 and a[-1]["t"] > a[0]["t"] else 0
before = [x for x in s if x["t"] < s[0]["t"] + 5.5]
during = [i for i, x in enumerate(s) if x["sending"] is True]
if during:
    i0, i1 = during[0], during[-1] + 1 if during[-1] + 1 < len(s) else during[-1]
    w = s[max(i0 - 1, 0):i1 + 1]
    rb, rd = rate(before, 0), rate(w, 0)
    print("# active's forwarding: %.0f pkt/s before the standby started (%.1f s), %.0f pkt/s while the bulk was sent "
          "(%.1f s, %d samples): %.0f %%" % (rb, before[-1]["t"] - before[0]["t"], rd, w[-1]["t"] - w[0]["t"], len(w),
                                               100.0 * rd / rb if rb else 0))
    print("# bulk sending seen from %.2f s to %.2f s after the standby's sekisho-cp started" %
          (w[0]["t"] - tcp2, w[-1]["t"] - tcp2))
else:
    print("# the poller saw no bulk_sending sample (bulk shorter than 250 ms?)")
after = [x for x in s if x["t"] > tcp2]
print("# forwarding from the standby's sekisho-cp start to its ready: %.0f pkt/s" % rate(after, 0))
PY
j() { echo "$1" | jq_ "$2"; }
echo "# standby: sekisho-dp up in $((tdp - tstart)) ms; ready $((tready - tcp2)) ms after its sekisho-cp started (poll every 250 ms)"
echo "# active:  bulk_runs $(j "$H1" conn_sync.bulk_runs), bulk_records $(j "$H1" conn_sync.bulk_records), bulk_ms $(j "$H1" conn_sync.bulk_ms), resyncs $(j "$H1" conn_sync.resyncs), throttled $(j "$H1" conn_sync.throttled), ring_full $(j "$H1" conn_sync.dataplane.ring_full), lag_ms_max $(j "$H1" conn_sync.lag_ms_max), batches $(j "$H1" conn_sync.batches_sent) (max $(j "$H1" conn_sync.batch_max) records), bytes $(j "$H1" conn_sync.bytes_sent)"
echo "# standby: bulk_received $(j "$H2" conn_sync.bulk_received), bulk_records $(j "$H2" conn_sync.bulk_records), bulk_ms $(j "$H2" conn_sync.bulk_ms), applied $(j "$H2" conn_sync.dataplane.applied), created $(j "$H2" conn_sync.dataplane.created), refused $(j "$H2" conn_sync.dataplane.refused), apply_dropped $(j "$H2" conn_sync.apply_dropped), gaps $(j "$H2" conn_sync.gaps), malformed $(j "$H2" conn_sync.malformed)"
first=$(grep -m1 '"ready2": true' "$D/samples.jsonl" | jq_ recv2)
ok $(( $(grep -c '"ready2": true' "$D/samples.jsonl") > 0 )) "the standby is ready $((tready - tcp2)) ms after its sekisho-cp started"
r=0; [ "$first" = "done" ] && r=1
ok "$r" "it was not ready before the bulk sync had arrived (bulk_received at the first ready sample: $first)"
ok $(( c2 == c1 && c1 >= N )) "the standby holds all $c2 of the active's $c1 connections"
ok $(( $(j "$H1" conn_sync.bulk_runs) == 1 )) "one bulk pass (bulk_runs $(j "$H1" conn_sync.bulk_runs), resyncs $(j "$H1" conn_sync.resyncs))"

# 4. a sample: 2 x 1024 connections compared (worker, state, rule)
for src in 10.254.0.0 "10.254.$(( (N / 1024 - 1) >> 8 )).$(( (N / 1024 - 1) & 255 ))"; do
	api 1 "connections?limit=5000&src=$src" > "$D/l1.json"
	api 2 "connections?limit=5000&src=$src" > "$D/l2.json"
	set -- $(/usr/bin/python3 - "$D/l1.json" "$D/l2.json" <<'PY'
import json, sys
def rows(t):
    try:
        d = json.load(open(t))
    except Exception:
        return {}
    d = d.get("connections", d) if isinstance(d, dict) else d
    return {(c["src"], c["sport"], c["dst"], c["dport"]): (c.get("worker"), c.get("state"), c.get("rule_id", c.get("rule"))) for c in d}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
print(sum(1 for k, v in a.items() if b.get(k) == v), len(a), len({v[0] for v in a.values()}))
PY
) 0 0 0
	ok $(( $1 == $2 && $2 >= 1000 )) "source $src: $1 of $2 connections of the active on the standby with the same worker, state and rule ($3 workers)"
done
exit $FAILED
