# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# perf/ha_pair_lib.sh - shell helpers shared by the two-unit perf scripts
# (ha_cp_pair.sh, ha_sync_pair.sh, ha_bulk_pair.sh): start a unit's
# sekisho-dp / sekisho-cp in the script's namespace, read its REST API.
# Sourced, not run.  The script sets BUILD, NS, D, PIDS=() before, and for
# api() API_BASE (unit u serves on API_BASE + u) and API_TIMEOUT (seconds).

# start_dp U / start_cp U: unit U from $D/uU.img / $D/uU.conf; PID in DPU / CPU
start_dp() {
	ip netns exec "$NS" "$BUILD/dataplane/sekisho-dp" --image "$D/u$1.img" \
		--stats-file "$D/s$1.json" --unit "$1" > "$D/dp$1.log" 2>&1 &
	PIDS+=($!)
	eval "DP$1=$!"
}
start_cp() {
	ip netns exec "$NS" stdbuf -oL -eL "$BUILD/control/sekisho-cp" --serve "$D/u$1.conf" \
		--unit "$1" >> "$D/cp$1.log" 2>&1 &
	PIDS+=($!)
	eval "CP$1=$!"
}
api() { # unit path
	ip netns exec "$NS" curl -sk --max-time "${API_TIMEOUT:-5}" -H "Authorization: Bearer t" \
		"https://127.0.0.1:$((API_BASE + $1))/api/v1/$2"
}
# jq_ a.b.0.c: that field of the JSON on stdin (a number indexes a list)
jq_() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[int(k)] if isinstance(d,list) else d.get(k) if isinstance(d,dict) else None
print(d)" "$1" 2>/dev/null; }
now_ms() { date +%s%3N; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() { local end=$(( $(date +%s) + $1 )); shift
	until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.2; done; }
role_is() { [ "$(api "$1" ha | jq_ role)" = "$2" ]; }
ready_is() { [ "$(api "$1" ha | jq_ ready)" = "True" ]; }
