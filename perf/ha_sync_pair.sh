#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# perf/ha_sync_pair.sh - connection-state sync between two units on one host
# (docs/ha-sync.md; needs root and 2 x 256 MB of hugepages): two sekisho-dp
# (2 workers each, net_af_packet) and two sekisho-cp in a namespace of their
# own, the HA link on its loopback, the dataplane heartbeat on veth h1/h2.
# Traffic: TCP SYNs of N distinct flows written by a raw socket into g1p,
# the peer of unit 1's "gen" port (unit 2's is g2/g2p).
#
# Steps, TAP lines with figures:
#  1. election: unit 1 active, unit 2 standby and ready (bulk sync received);
#  2. N new connections on the active appear on the standby, each on the
#     same worker (listings compared), the time until all are there, the
#     link's records and lag;
#  3. the standby restarted (dp and cp): it gets the whole table by a bulk
#     sync before it is ready: its duration;
#  4. the active's sekisho-dp killed: unit 2 takes over, and a mid-stream
#     ACK of a synced flow is forwarded there (no tcp_out_of_state), while
#     one of a flow that was never synced is dropped as tcp_out_of_state.
# SK_SYNC_FLOWS=N (default 20000).  Exit status: non-zero if a check failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SK_BUILD:-$ROOT/build}
N=${SK_SYNC_FLOWS:-20000}
NS=sksync-$$
D=$(mktemp -d /tmp/sksync.XXXXXX)
PIDS=()
FAILED=0
T=0
cleanup() {
	if [ "$FAILED" != 0 ] || [ -n "${SK_SYNC_LOGS:-}" ]; then
		for f in cp1 cp2 dp1 dp2; do echo "# -- $f"
			grep -hv "^TELEMETRY" "$D/$f.log" 2>/dev/null | tail -"${SK_LINES:-15}" | sed 's/^/# /'
		done
	fi
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 1
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/sksync-$$-u1" "/var/run/dpdk/sksync-$$-u2" "$D" /dev/hugepages/sksync-$$-*
}
trap cleanup EXIT
ok() { T=$((T + 1)); if [ "$1" = 1 ]; then echo "ok $T - $2"; else echo "not ok $T - $2"; FAILED=1; fi; }

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/ha.key"
chmod 600 "$D/ha.key"
TOK=$(printf t | sha256sum | cut -d" " -f1)
for u in 1 2; do
	mkdir -p "$D/state$u"
	cat > "$D/u$u.conf" <<CONF
dataplane = { lcores = "(0-2)@(0-1)"; workers = 2; hugepages = true; memory_mb = 256;
  conn_max = 65536; file_prefix = "sksync-$$"; idle_sleep_us = 100; health_tap = "";
  timeouts = { tcp_syn = 600; }; };
management = { listen = "127.0.0.1:$((18540 + u))"; state_dir = "$D/state$u";
  tokens = ( { name = "t"; sha256 = "$TOK"; } ); };
zones = ( "ha", "g" );
interfaces = (
  { name = "hal"; zone = "ha"; mtu = 1500;
    device = "net_af_packet$u,iface=h$u,qpairs=2";
    units = ( { ipv4 = [ "198.51.100.2/24" ]; }, { ipv4 = [ "198.51.100.3/24" ]; } );
    floating_ipv4 = [ "198.51.100.1/24" ]; },
  { name = "gen"; zone = "g"; mtu = 1500;
    device = "net_af_packet1$u,iface=g$u,qpairs=2";
    units = ( { ipv4 = [ "10.252.0.2/14" ]; }, { ipv4 = [ "10.252.0.3/14" ]; } );
    floating_ipv4 = [ "10.252.0.1/14" ]; } );
routes = ( );
policy = { default = "drop"; log_default = false; zone_defaults = ( );
  rules = ( { name = "gen"; from = "g"; to = "g"; proto = "tcp"; action = "accept"; } ); };
ha = { cluster = "sync-pair"; psk_file = "$D/ha.key"; profile = "lab";
  units = ( { priority = 150; ha_address = "127.0.0.1"; ha_port = 7793;
              file_prefix = "sksync-$$-u1"; },
            { priority = 100; ha_address = "127.0.0.2"; ha_port = 7794;
              file_prefix = "sksync-$$-u2"; } );
  data_heartbeat = { interface = "hal"; }; announce = { count = 1; }; };
CONF
	"$BUILD/control/sekisho-cp" --compile "$D/u$u.conf" -o "$D/u$u.img" >/dev/null || exit 1
done
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 127.0.0.2/8 dev lo 2>/dev/null || true
ip -n "$NS" link add h1 type veth peer name h2
for u in 1 2; do
	ip -n "$NS" link add g$u type veth peer name g${u}p
	ip -n "$NS" link set g$u up
	ip -n "$NS" link set g${u}p up
	ip -n "$NS" link set h$u up
done
API_BASE=18540 API_TIMEOUT=5
# shellcheck source=perf/ha_pair_lib.sh
. "$(dirname "$0")/ha_pair_lib.sh"
count_is() { [ "$(api "$1" connections/count | jq_ count)" = "$2" ]; }
# send FIRST COUNT FLAGS IFACE: TCP segments of flows FIRST.. (10.254.x.y:p -> 10.253.0.1:80)
send() {
	ip netns exec "$NS" /usr/bin/python3 - "$@" <<'PY'
import socket, struct, sys
first, count, flags, iface = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
mine = open(f"/sys/class/net/{iface}/address").read().strip()
# the unit's port: its MAC is whatever the dataplane took (af_packet: the veth's own)
peer = open(f"/sys/class/net/{iface[:-1]}/address").read().strip()
eth = bytes.fromhex(peer.replace(":", "")) + bytes.fromhex(mine.replace(":", "")) + b"\x08\x00"
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF
for i in range(first, first + count):
    src = 0x0AFE0000 + (i >> 10)
    sport = 1024 + (i & 1023)
    ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, src, 0x0AFD0001))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    tcp = struct.pack("!HHIIBBHHH", sport, 80, 1000, 1 if flags & 0x10 else 0, 5 << 4, flags, 65535, 0, 0)
    s.send(eth + bytes(ip) + tcp + b"\x00" * 6)
PY
}

start_dp 1; sleep 2; start_dp 2; sleep 3
start_cp 1; start_cp 2
wait_for 30 role_is 1 active; r1=$?
wait_for 30 role_is 2 standby; r2=$?
wait_for 30 ready_is 2; r3=$?
ok $(( r1 == 0 && r2 == 0 && r3 == 0 )) "election: unit 1 active, unit 2 standby and ready"
echo "# unit 2 conn_sync: $(api 2 ha | jq_ conn_sync.bulk_received) bulk, $(api 2 ha | jq_ conn_sync.bulk_records) records"

# 2. N connections on the active
t0=$(now_ms)
send 0 "$N" 2 g1p
t1=$(now_ms)
# af_packet loses some of a burst on a loaded host: the active's count is the reference
c1=-1; c=0
for i in $(seq 1 60); do   # until the active's count stops moving
	c=$(api 1 connections/count | jq_ count)
	[ "$c" = "$c1" ] && break
	c1=$c; sleep 0.5
done
wait_for 60 count_is 2 "$c1"; b=$?
tb=$(now_ms)
c2=$(api 2 connections/count | jq_ count)
ok $(( c1 * 10 >= N * 9 )) "the active holds $c1 of the $N flows sent in $((t1 - t0)) ms"
ok $(( b == 0 )) "the standby holds the same $c2, $((tb - t0)) ms after the first was sent (the active's count settled, then REST polled every 200 ms)"
H1=$(api 1 ha); H2=$(api 2 ha)
echo "# active: sent $(echo "$H1" | jq_ conn_sync.records_sent) records in $(echo "$H1" | jq_ conn_sync.batches_sent) batches (max $(echo "$H1" | jq_ conn_sync.batch_max)), acked $(echo "$H1" | jq_ conn_sync.records_acked), lag $(echo "$H1" | jq_ conn_sync.lag_ms) ms (max $(echo "$H1" | jq_ conn_sync.lag_ms_max)), ring_full $(echo "$H1" | jq_ conn_sync.dataplane.ring_full)"
echo "# standby: received $(echo "$H2" | jq_ conn_sync.records_received), applied $(echo "$H2" | jq_ conn_sync.dataplane.applied), created $(echo "$H2" | jq_ conn_sync.dataplane.created), held $(echo "$H2" | jq_ conn_sync.dataplane.held), refused $(echo "$H2" | jq_ conn_sync.dataplane.refused), apply_dropped $(echo "$H2" | jq_ conn_sync.apply_dropped), gaps $(echo "$H2" | jq_ conn_sync.gaps); active resyncs $(echo "$H1" | jq_ conn_sync.resyncs)"
api 1 "connections?limit=5000&src=10.254.0.0" > "$D/l1.json"   # flows 0..1023
api 2 "connections?limit=5000&src=10.254.0.0" > "$D/l2.json"
same=$(/usr/bin/python3 - "$D/l1.json" "$D/l2.json" <<'PY'
import json, sys
def rows(t):
    d = json.load(open(t))
    d = d.get("connections", d) if isinstance(d, dict) else d
    return {(c["src"], c["sport"], c["dst"], c["dport"]): (c.get("worker"), c.get("state"), c.get("rule_id", c.get("rule"))) for c in d}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
print(sum(1 for k, v in a.items() if b.get(k) == v), len(a), len({v[0] for v in a.values()}))
PY
)
set -- $same 0 0 0
ok $(( $1 == $2 && $2 > 0 )) "listings: $1 of $2 connections of the active on the standby with the same worker, state and rule ($3 workers used)"

# 3. the standby restarts: a bulk sync before it is ready
kill -KILL "$DP2" "$CP2" 2>/dev/null; wait "$DP2" "$CP2" 2>/dev/null
sleep 2
start_dp 2; sleep 3; start_cp 2
wait_for 60 ready_is 2; r=$?
H1=$(api 1 ha)
c2=$(api 2 connections/count | jq_ count)
H2=$(api 2 ha)
ok $(( r == 0 )) "restarted standby ready after a bulk sync: $(echo "$H1" | jq_ conn_sync.bulk_records) records sent in $(echo "$H1" | jq_ conn_sync.bulk_ms) ms, received and applied in $(echo "$H2" | jq_ conn_sync.bulk_ms) ms, it holds $c2 (apply_dropped $(echo "$H2" | jq_ conn_sync.apply_dropped), resyncs $(echo "$H1" | jq_ conn_sync.resyncs))"
ok $(( c2 == c1 )) "all $c1 connections on the restarted standby"

# 4. takeover: a synced flow continues mid-stream, an unknown one does not
kill -KILL "$DP1"; wait "$DP1" 2>/dev/null
wait_for 30 role_is 2 active; r=$?
ok $(( r == 0 )) "unit 2 active after the active's dataplane died"
sleep 1
b0=$(api 2 counters | jq_ drops.tcp_out_of_state); f0=$(api 2 counters | jq_ forwarded)
send 0 100 16 g2p           # ACKs of 100 synced flows
sleep 1
b1=$(api 2 counters | jq_ drops.tcp_out_of_state)
send $((N + 1000)) 100 16 g2p   # ACKs of 100 flows never seen
sleep 1
b2=$(api 2 counters | jq_ drops.tcp_out_of_state)
echo "# tcp_out_of_state on the new active: $b0 before, $b1 after 100 synced ACKs, $b2 after 100 unknown ones; forwarded was $f0"
ok $(( b1 == b0 && b2 == b0 + 100 )) "synced flows continue after the takeover, unknown ones are refused"
exit $FAILED
