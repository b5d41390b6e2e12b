#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# perf/ha_pair.sh - two sekisho-dp units of one HA pair on a veth pair in a
# network namespace of their own: the dataplane heartbeat both ways, fencing,
# and its cost on the main lcore (ha.hb_cycles per second).  Needs root.
#
#   perf/ha_pair.sh [ROLE1 ROLE2 [SECONDS]]    roles: active|standby (default standby standby 20)
#
# Both active: unit 2 yields on unit 1's first heartbeat (equal terms).
# The HA sections come from tests/packet/haimg.py until sekisho-cp compiles
# the config's `ha` group.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SK_BUILD:-$ROOT/build}
R1=${1:-standby} R2=${2:-standby} SECS=${3:-20}
NS=skha-$$
D=$(mktemp -d /tmp/skha.XXXXXX)
P1="" P2=""
cleanup() {
	for p in $P1 $P2; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/skha-$$-u1" "/var/run/dpdk/skha-$$-u2" "$D"
}
trap cleanup EXIT

for u in 1 2; do
	dev=$([ $u = 1 ] && echo va || echo vb)
	cat > "$D/u$u.conf" <<CONF
dataplane = { lcores = "0-1"; workers = 1; hugepages = false; memory_mb = 256;
  file_prefix = "skha-$$-u$u"; idle_sleep_us = 200; health_tap = ""; };
zones = ( "ha" );
interfaces = ( { name = "hal"; zone = "ha"; mac = "02:00:00:00:00:0$u"; mtu = 1500;
    device = "net_af_packet$u,iface=$dev";
    ipv4 = [ "198.51.100.1/24", "198.51.100.2/24", "198.51.100.3/24" ]; } );
routes = ( );
policy = { default = "drop"; log_default = false; zone_defaults = ( ); rules = ( ); };
CONF
	"$BUILD/control/sekisho-cp" --compile "$D/u$u.conf" -o "$D/u$u.img" >/dev/null
done
/usr/bin/python3 - "$D" "$ROOT/tests/packet" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import haimg
for u in (1, 2):
    haimg.patch("%s/u%d.img" % (sys.argv[1], u),
                dict(units={1: ["198.51.100.2"], 2: ["198.51.100.3"]},
                     dp={1: "198.51.100.2", 2: "198.51.100.3"}, dp_iface=0, garp_count=2),
                sys.argv[1])
PY
ip netns add "$NS"
ip -n "$NS" link add va type veth peer name vb
ip -n "$NS" link set va up
ip -n "$NS" link set vb up
DP=$BUILD/dataplane/sekisho-dp
ip netns exec "$NS" "$DP" --image "$D/u1.img" --stats-file "$D/s1.json" --unit 1 --ha-role "$R1" \
	> "$D/l1.log" 2>&1 &
P1=$!
sleep 1 # two af_packet ports opening at once can collide on PACKET_FANOUT
ip netns exec "$NS" "$DP" --image "$D/u2.img" --stats-file "$D/s2.json" --unit 2 --ha-role "$R2" \
	> "$D/l2.log" 2>&1 &
P2=$!
sleep "$SECS"
kill -TERM $P1 $P2
wait $P1 $P2 || true
P1="" P2=""
grep -h "HA unit" "$D/l1.log" "$D/l2.log" || true
/usr/bin/python3 - "$D" "$SECS" <<'PY'
import json, sys
for u in (1, 2):
    h = json.load(open("%s/s%d.json" % (sys.argv[1], u)))["ha"]
    ops = h["hb_tx"] + h["hb_rx"] + h["hb_tx_fail"]
    print("unit %d: role %s peer %s fenced %d garp %d hb tx %d rx %d tx_fail %d bad %d "
          "replay %d malformed %d; hb_cycles %d = %d/s, %d per send or receive"
          % (u, h["role"], h["peer_role"], h["fenced"], h["garp_sent"], h["hb_tx"], h["hb_rx"],
             h["hb_tx_fail"], h["hb_bad_mac"], h["hb_replay"], h["hb_malformed"],
             h["hb_cycles"], h["hb_cycles"] / float(sys.argv[2]), h["hb_cycles"] // max(ops, 1)))
PY
