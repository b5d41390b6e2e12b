# SPDX-License-Identifier: BSD-3-Clause
# tests/lab/flood.sh - a SYN flood while legitimate clients are served,
# sourced by tests/lab/run last (the flood's half-open entries would time
# out only after tcp_syn); uses its check/ok/nsx/ctr helpers and $T, $RUN,
# $CTL, $PY, $PROBE, SEKISHO_*.  docs/security.md says what is defended.
#
# The flood, from the client namespace, SK_LAB_FLOOD_PPS each for
# SK_LAB_FLOOD_S seconds: bare SYNs from random sources inside 198.18.0.0/16
# at web1 (probe.py syn-flood, a raw socket: a flood `top` can name), and
# hping3 --rand-source (all of IPv4) at the DNAT VIP.  Without
# a defence this fills the connection table in a few seconds and about half
# of the legitimate requests fail (measured: 9 of 20 at 15000/s).  What must
# hold: >= 99 % of the legitimate requests made during the flood succeed, a
# 50 MB download started before it arrives intact, the table never fills
# (conn_table_full does not rise), and `top` names the flooding network.

FLOOD_NET=198.18.0.0/16
FLOOD_PPS=${SK_LAB_FLOOD_PPS:-7500}
FLOOD_S=${SK_LAB_FLOOD_S:-12}
FLOOD_VIP=203.0.113.80

flood_run() {
	local f1 f2 dl i ok=0 tot=0 code url full0 full1 peak=0 a want got
	want=$(sha256sum <"$RUN/big.bin" | cut -d' ' -f1)
	full0=$(ctr drops.conn_table_full)
	: >"$T/flood.out"
	nsx sk-client curl -s -m 90 --limit-rate 4M "http://$WEB1/big.bin" 2>/dev/null |
		sha256sum | cut -d' ' -f1 >"$T/flood-dl.sha" &
	dl=$!
	sleep 1
	nsx sk-client "$PY" "$PROBE" syn-flood --src "$FLOOD_NET" --dst "$WEB1" --dport 80 \
		--rate "$FLOOD_PPS" --duration "$FLOOD_S" --seed 1 >>"$T/flood.out" 2>&1 &
	f1=$!
	# hping3 from Debian: random sources from all of IPv4 at the VIP
	nsx sk-client timeout -s INT "$FLOOD_S" hping3 -q -S -p 80 --rand-source \
		-i "u$((1000000 / FLOOD_PPS))" "$FLOOD_VIP" >>"$T/flood.out" 2>&1 &
	f2=$!
	sleep 2 # the table is filling: legitimate requests from here on
	for ((i = 0; i < FLOOD_S * 3 - 9; i++)); do
		if ((i % 2)); then url="http://$WEB1/"; else url="http://$FLOOD_VIP/"; fi
		code=$(nsx sk-client curl -s -m 3 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)
		tot=$((tot + 1))
		[ "$code" = 200 ] && ok=$((ok + 1))
		a=$(ctr conns.active)
		[[ $a =~ ^[0-9]+$ ]] && ((a > peak)) && peak=$a
		sleep 0.2
	done
	wait "$f1" "$f2" || true
	wait "$dl" || true
	full1=$(ctr drops.conn_table_full)
	got=$(cat "$T/flood-dl.sha")
	FLOOD_OK=$ok FLOOD_TOT=$tot FLOOD_PEAK=$peak FLOOD_FULL0=$full0 FLOOD_FULL1=$full1
	FLOOD_DL_OK=0
	[ "$got" = "$want" ] && FLOOD_DL_OK=1
	{
		echo "legitimate: $ok of $tot succeeded; connections peak $peak of $(ctr conns.capacity)"
		echo "conn_table_full $full0 -> $full1; halfopen_limit $(ctr drops.halfopen_limit);" \
			"evicted $(ctr conns.evicted); download sha256 $got (want $want)"
	} >>"$T/flood.out"
	return 0
}

flood_run
diag "$T/flood.out" || true
check "SYN flood (${FLOOD_PPS}/s from $FLOOD_NET at web1, ${FLOOD_PPS}/s hping3 --rand-source at a VIP, ${FLOOD_S} s): ${FLOOD_OK:-?} of ${FLOOD_TOT:-?} legitimate requests succeed (>= 99 %)" \
	"$T/flood.out" test "$((${FLOOD_OK:-0} * 100))" -ge "$((${FLOOD_TOT:-1} * 99))"
check "SYN flood: a 50 MB download started before it arrives intact" \
	"$T/flood.out" test "${FLOOD_DL_OK:-0}" = 1
check "SYN flood: the connection table never filled (conn_table_full ${FLOOD_FULL0:-?} -> ${FLOOD_FULL1:-?}, peak ${FLOOD_PEAK:-?})" \
	"$T/flood.out" test "${FLOOD_FULL0:-x}" = "${FLOOD_FULL1:-y}"

# top: the network opening the most connections over the last minute is
# the flood's (the busy legitimate client may well lead the per-source
# list), through REST and sekishoctl.
flood_top() {
	local first
	"$CTL" top --limit 10 >"$T/flood-top.out" 2>&1 || return 1
	rest 200 GET "/api/v1/top?n=3" "${AUTH[@]}" || return 1
	first=$("$PY" -c 'import json,sys
print(json.load(open(sys.argv[1]))["new_connection_networks"][0]["net"])' "$T/rest.out" \
		2>>"$T/flood-top.out") || return 1
	echo "top network by new connections: $first" >>"$T/flood-top.out"
	[ "$first" = "$FLOOD_NET" ]
}
check "top names the flood: the network opening the most connections is $FLOOD_NET" \
	"$T/flood-top.out" flood_top

# ---- the same flood with the SYN proxy on web-in (docs/security.md "SYN
# proxy"): web-in admits web1 and the VIP's backends, so both floods are
# answered with cookies.  The legitimate clients and the download now go
# through the proxy (real Linux stacks on both sides: cookie handshake, the
# client's first data dropped as synproxy_pending and retransmitted, sequence
# translation for 50 MB); the flood makes no connection at all.
"$PY" - "$T/synproxy.conf" <<'PYEOF'
import sys
s = open("conf/lab.conf").read()
i = s.index('    { name = "web-in";')
j = s.index('action = "accept"; },', i)
open(sys.argv[1], "w").write(s[:j] + 'synproxy = true; ' + s[j:])
PYEOF
flood_synproxy() {
	local sa0 sa1 op0 op1 c0 c1
	commit "$T/synproxy.conf" || return 1
	sleep 1
	sa0=$(ctr local.synproxy_synacks) op0=$(ctr local.synproxy_opened)
	c0=$(ctr conns.created)
	flood_run
	sa1=$(ctr local.synproxy_synacks) op1=$(ctr local.synproxy_opened)
	c1=$(ctr conns.created)
	echo "synproxy: SYN-ACKs $sa0 -> $sa1, cookie ACKs $op0 -> $op1, connections created" \
		"$c0 -> $c1, bad cookies $(ctr drops.synproxy_bad_cookie), pending" \
		"$(ctr drops.synproxy_pending)" >>"$T/flood.out"
	SP_SYNACKS=$((sa1 - sa0)) SP_OPENED=$((op1 - op0)) SP_CREATED=$((c1 - c0))
	commit conf/lab.conf || true
}
: >"$T/flood.out"
flood_synproxy
diag "$T/flood.out" || true
check "SYN proxy on: ${FLOOD_OK:-?} of ${FLOOD_TOT:-?} legitimate requests succeed through the flood (>= 99 %)" \
	"$T/flood.out" test "$((${FLOOD_OK:-0} * 100))" -ge "$((${FLOOD_TOT:-1} * 99))"
check "SYN proxy on: the 50 MB download through the proxy (seq translated) arrives intact" \
	"$T/flood.out" test "${FLOOD_DL_OK:-0}" = 1
check "SYN proxy on: the flood is answered with cookies (${SP_SYNACKS:-?} SYN-ACKs) and opens (almost) no connection (${SP_CREATED:-?} created, ${SP_OPENED:-?} by cookie ACKs; health checks make the rest)" \
	"$T/flood.out" eval '[ "${SP_SYNACKS:-0}" -ge 1000 ] && [ "$((${SP_CREATED:-999999} * 10))" -le "${SP_SYNACKS:-0}" ]'
