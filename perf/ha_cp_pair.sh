#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# perf/ha_cp_pair.sh - an HA pair end to end on one host (needs root and a
# sekisho-cp that compiles the `ha` group): two sekisho-dp on a veth pair in
# a namespace of their own, two sekisho-cp (--unit 1/2) with the HA link on
# the namespace's loopback.  Steps: election at start; sekisho-cp of the
# active stopped alone (the dataplane heartbeat still beats: no takeover)
# and restarted (it resumes active from shared memory, no flap); then its
# dataplane stopped (its sekisho-cp exits with it) (both paths silent: takeover, term + 1).
# Prints the logs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SK_BUILD:-$ROOT/build}
NS=skhacp-$$
D=$(mktemp -d /tmp/skhacp.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/skhacp-$$-u1" "/var/run/dpdk/skhacp-$$-u2" "$D" /dev/hugepages/skhacp-$$-*
}
trap cleanup EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/ha.key"
chmod 600 "$D/ha.key"
TOK=$(printf t | sha256sum | cut -d" " -f1)
for u in 1 2; do
	mkdir -p "$D/state$u"
	cat > "$D/u$u.conf" <<CONF
dataplane = { lcores = "0-1"; workers = 1; hugepages = true; memory_mb = 256;
  file_prefix = "skhacp-$$"; idle_sleep_us = 200; health_tap = ""; };
management = { listen = "127.0.0.1:$((18440 + u))"; state_dir = "$D/state$u";
  tokens = ( { name = "t"; sha256 = "$TOK"; } ); };
zones = ( "ha" );
interfaces = ( { name = "hal"; zone = "ha"; mtu = 1500;
    device = "net_af_packet$u,iface=v$u";
    units = ( { ipv4 = [ "198.51.100.2/24" ]; }, { ipv4 = [ "198.51.100.3/24" ]; } );
    floating_ipv4 = [ "198.51.100.1/24" ]; } );
routes = ( );
policy = { default = "drop"; log_default = false; zone_defaults = ( ); rules = ( ); };
ha = { cluster = "cp-pair"; psk_file = "$D/ha.key"; profile = "lab";
  units = ( { priority = 150; ha_address = "127.0.0.1"; ha_port = 7791;
              file_prefix = "skhacp-$$-u1"; },
            { priority = 100; ha_address = "127.0.0.2"; ha_port = 7792;
              file_prefix = "skhacp-$$-u2"; } );
  data_heartbeat = { interface = "hal"; }; announce = { count = 1; }; };
CONF
	"$BUILD/control/sekisho-cp" --compile "$D/u$u.conf" -o "$D/u$u.img" >/dev/null
done
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add v1 type veth peer name v2
ip -n "$NS" link set v1 up
ip -n "$NS" link set v2 up
# shellcheck source=perf/ha_pair_lib.sh
. "$(dirname "$0")/ha_pair_lib.sh"
start_dp 1; sleep 1; start_dp 2; sleep 2
start_cp 1; start_cp 2
sleep 6
echo "== after start"
kill -TERM "$CP1"; wait "$CP1" 2>/dev/null || true
sleep 4
echo "== cp1 stopped alone"
mv "$D/cp1.log" "$D/cp1a.log"
start_cp 1
sleep 4
echo "== cp1 restarted (resumes active from shared memory)"
kill -TERM "$DP1"; wait "$DP1" 2>/dev/null || true
sleep 4
echo "== dp1 stopped too"
for f in cp1a cp1 cp2 dp1 dp2; do echo "-- $f"; grep -hv "^EAL\|^TELEMETRY" "$D/$f.log" | head -"${SK_LINES:-20}" || true; done
