# SPDX-License-Identifier: BSD-3-Clause
# tests/lab/lb.sh - the load balancer in the lab, sourced by tests/lab/run
# (uses its check/ok/nok/nsx/page helpers and $T, $RUN, $CTL, SEKISHO_*).
# conf/lab.conf: "web" 203.0.113.80:80 maglev DNAT over web1-3 with weights
# 1/2/1 and HTTP checks every 500 ms (fall 2); "web-fullnat" 203.0.113.81:80
# WRR full NAT from 10.10.0.2; "web6" [2001:db8:ff::80]:80 WLC DNAT.

VIP=203.0.113.80
VIP_FULL=203.0.113.81
VIP6='[2001:db8:ff::80]'

# The control side end to end (tests/ctl/services.sh), relayed as ours.
while IFS= read -r line; do
	case $line in
	"ok "*) ok "services: ${line#ok * - }" ;;
	"not ok "*) nok "services: ${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done < <("$ROOT/tests/ctl/services.sh" 2>&1)

# backend_conns SERVICE: "web1=N web2=N web3=N" connections created so far.
backend_conns() {
	curl -sf --cacert "$SEKISHO_CACERT" -H "Authorization: Bearer $SEKISHO_TOKEN" \
		"$SEKISHO_URL/api/v1/services/$1" |
		"$PY" -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join("%s=%d" % (b["name"], b["runtime"]["conns"]) for b in d["backends"]))'
}

# 200 new connections to the maglev VIP: shares follow weights 1/2/1
# (expected 50/100/50; the bounds are 4 standard deviations wide).
# drops_now: the non-zero drop counters, one line.
drops_now() {
	"$PY" "$TEL" -p "$PREFIX" /sekisho/stats 2>/dev/null |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin)["drops"]; print({k: v for k, v in d.items() if v})'
}

weights_followed() {
	local before after i r fails=0
	before=$(backend_conns web) || return 1
	echo "drops before: $(drops_now)" >"$T/lb-weights.out"
	# -m 5: a SYN lost on this shared 2-core VM is retransmitted after 1 s, 3 s
	for ((i = 0; i < 200; i++)); do
		r=$(nsx sk-client curl -s -o /dev/null -m 5 -w '%{http_code} %{local_port} %{time_total}s' \
			"http://$VIP/" 2>&1) || {
			fails=$((fails + 1))
			echo "request $i failed: $r; connections to the VIP not in time_wait:" \
				>>"$T/lb-weights.out"
			"$CTL" --json conns --dst "$VIP/32" --limit 5000 2>&1 | "$PY" -c 'import json,sys
d = json.load(sys.stdin)
for c in d.get("connections", []):
    if c.get("state") != "time_wait":
        print(json.dumps(c))' >>"$T/lb-weights.out" 2>&1
		}
	done
	after=$(backend_conns web) || return 1
	echo "drops after: $(drops_now)" >>"$T/lb-weights.out"
	echo "before: $before; after: $after; failed requests: $fails" >>"$T/lb-weights.out"
	"$PY" - "$before" "$after" "$fails" >>"$T/lb-weights.out" <<-'PY'
	import sys
	b = dict(kv.split("=") for kv in sys.argv[1].split())
	a = dict(kv.split("=") for kv in sys.argv[2].split())
	d = {k: int(a[k]) - int(b[k]) for k in a}
	tot = sum(d.values())
	share = {k: v / tot for k, v in d.items()}
	print("shares", share)
	ok = (int(sys.argv[3]) == 0 and tot == 200 and 0.35 <= share["web2"] <= 0.65 and
	      all(0.13 <= share[k] <= 0.37 for k in ("web1", "web3")))
	sys.exit(0 if ok else 1)
	PY
}
check "200 connections to the Maglev VIP follow the weights 1/2/1 (none failed)" \
	"$T/lb-weights.out" weights_followed
diag "$T/lb-weights.out"

# Stop nginx in web3: the checker takes it out within fall x interval
# (+ timeout), and from then on no new request fails.
backend_down_fast() {
	local t0 t1 i r fails=0
	t0=$(date +%s%N)
	kill "$(cat "$RUN/nginx-web3/nginx.pid")" || return 1
	for ((i = 0; i < 100; i++)); do
		grep -q 'health web/web3 .* down' "$RUN/cp.log" && break
		sleep 0.05
	done
	t1=$(date +%s%N)
	echo "web3 marked down after $(((t1 - t0) / 1000000)) ms (fall 2 x 500 ms + 300 ms timeout)" \
		>"$T/lb-down.out"
	grep 'health web/web3' "$RUN/cp.log" >>"$T/lb-down.out"
	grep -q 'health web/web3 .* down' "$RUN/cp.log" || return 1
	# the checker's verdict reaches the dataplane on the cp loop's next turn
	sleep 0.3
	echo "drops before: $(drops_now)" >>"$T/lb-down.out"
	for ((i = 0; i < 40; i++)); do
		r=$(nsx sk-client curl -s -o /dev/null -m 5 -w '%{http_code} %{local_port} %{time_total}s' \
			"http://$VIP/" 2>&1) || {
			fails=$((fails + 1))
			echo "request $i failed: $r; connections of that client port:" >>"$T/lb-down.out"
			"$CTL" --json conns --src 203.0.113.10/32 --port "$(echo "$r" | cut -d' ' -f2)" \
				>>"$T/lb-down.out" 2>&1
		}
	done
	echo "drops after: $(drops_now)" >>"$T/lb-down.out"
	echo "requests failed after that: $fails of 40" >>"$T/lb-down.out"
	(((t1 - t0) / 1000000 < 3000)) && [ "$fails" -eq 0 ]
}
check "a stopped backend is out within fall x interval, then no new request fails" \
	"$T/lb-down.out" backend_down_fast
diag "$T/lb-down.out"
nsx sk-web3 nginx -e "$RUN/nginx-web3/error.log" -c "$RUN/nginx-web3/nginx.conf" </dev/null
backend_back() {
	local i
	for ((i = 0; i < 60; i++)); do
		grep -q 'health web/web3 .* up' "$RUN/cp.log" && return 0
		sleep 0.1
	done
	return 1
}
check "a restarted backend comes back after rise checks" "$RUN/cp.log" backend_back

# Drain every backend of "web" while a 50 MB download runs through it: the
# download finishes whole, a new connection is refused meanwhile.
drain_keeps_download() {
	local pid got b newconn
	nsx sk-client curl -s -m 60 --limit-rate 12M -o "$T/lb-big.bin" "http://$VIP/big.bin" &
	pid=$!
	sleep 1
	for b in web1 web2 web3; do
		"$CTL" backend web "$b" drain >>"$T/lb-drain.out" 2>&1 || return 1
	done
	newconn=ok
	nsx sk-client curl -s -o /dev/null -m 2 "http://$VIP/" && newconn="not refused"
	wait "$pid"
	got=$(stat -c %s "$T/lb-big.bin" 2>/dev/null || echo 0)
	for b in web1 web2 web3; do
		"$CTL" backend web "$b" enable >>"$T/lb-drain.out" 2>&1
	done
	echo "download $got bytes; new connection while drained: $newconn" >>"$T/lb-drain.out"
	[ "$got" -eq 52428800 ] && [ "$newconn" = ok ]
}
check "drain: a running 50 MB download finishes whole; new connections are refused" \
	"$T/lb-drain.out" drain_keeps_download
diag "$T/lb-drain.out"

# Disable (not drain) every backend during a download: it is cut at its
# next packet, counted under lb_backend_gone.
disable_cuts_download() {
	local pid got b gone0 gone1
	gone0=$(ctr drops.lb_backend_gone)
	nsx sk-client curl -s -m 8 --limit-rate 12M -o "$T/lb-big2.bin" "http://$VIP/big.bin" &
	pid=$!
	sleep 1
	for b in web1 web2 web3; do
		"$CTL" backend web "$b" disable >>"$T/lb-disable.out" 2>&1 || return 1
	done
	wait "$pid"
	got=$(stat -c %s "$T/lb-big2.bin" 2>/dev/null || echo 0)
	gone1=$(ctr drops.lb_backend_gone)
	for b in web1 web2 web3; do
		"$CTL" backend web "$b" enable >>"$T/lb-disable.out" 2>&1
	done
	echo "download $got of 52428800 bytes; lb_backend_gone $gone0 -> $gone1" >>"$T/lb-disable.out"
	[ "$got" -lt 52428800 ] && rose "$gone0" "$gone1" &&
		page sk-client "http://$VIP/" "sekisho lab: backend"
}
check "disable: a running download is cut (lb_backend_gone rose); enable serves again" \
	"$T/lb-disable.out" disable_cuts_download
diag "$T/lb-disable.out"

# Full NAT: the backends lose their way back to the clients, and the
# service still works (replies go to the unit's SNAT address on their LAN).
fullnat_without_route() {
	local ns i fails=0
	for ns in sk-web1 sk-web2 sk-web3; do ip -n "$ns" route del default; done
	for ((i = 0; i < 12; i++)); do
		page sk-client "http://$VIP_FULL/" "sekisho lab: backend" || fails=$((fails + 1))
	done
	page sk-client "http://$VIP/" "backend" && echo "DNAT worked without routes?" >"$T/lb-full.out"
	for ns in sk-web1 sk-web2 sk-web3; do ip -n "$ns" route add default via 10.10.0.1; done
	echo "full NAT requests failed: $fails of 12" >>"$T/lb-full.out"
	[ "$fails" -eq 0 ] && ! grep -q "DNAT worked" "$T/lb-full.out"
}
check "full NAT works when the backends have no route to the clients (DNAT does not)" \
	"$T/lb-full.out" fullnat_without_route
diag "$T/lb-full.out"

ipv6_vip() {
	local i
	for ((i = 0; i < 6; i++)); do
		page sk-client "http://$VIP6/" "sekisho lab: backend" || return 1
	done
}
check "the IPv6 VIP answers (WLC over three IPv6 backends)" "$T/curl.out" ipv6_vip
