# SPDX-License-Identifier: BSD-3-Clause
# tests/lab/capture.sh - packet capture on the unit (sekishoctl capture ->
# dpdk-dumpcap -> rte_pdump in sekisho-dp), sourced by tests/lab/run (uses
# its check/ok/nok/nsx/page/ctr helpers and $T, $RUN, $CTL, $PY, SEKISHO_*).
# docs/security.md, "Capturing packets on a unit", says what is checked.
#
# What must hold: a capture shows the packets the traffic made, in both
# directions, and only those the filter names; its bounds (count, size,
# time) stop it; and while it runs the data path loses nothing (no drop
# counter, no port's rx_missed rises, a 50 MB download arrives intact).

CAP_READ=$(
	cat <<'PYEOF'
# pcapng -> one summary line: counts of what the lab's traffic makes.
import sys
from scapy.all import rdpcap, IP, TCP, UDP, ICMP
pk = rdpcap(sys.argv[1])
c = {"pkts": len(pk), "syn": 0, "synack": 0, "echo_req": 0, "echo_rep": 0, "udp": 0,
     "other": 0, "max_caplen": 0}
cl, web = sys.argv[2], sys.argv[3]
for p in pk:
    c["max_caplen"] = max(c["max_caplen"], len(p))
    if IP not in p:
        c["other"] += 1
        continue
    ip = p[IP]
    if TCP in p and ip.src == cl and ip.dst == web and p[TCP].dport == 80 and p[TCP].flags == "S":
        c["syn"] += 1
    elif TCP in p and ip.src == web and ip.dst == cl and p[TCP].sport == 80 and p[TCP].flags == "SA":
        c["synack"] += 1
    elif ICMP in p and p[ICMP].type == 8 and ip.src == cl and ip.dst == web:
        c["echo_req"] += 1
    elif ICMP in p and p[ICMP].type == 0 and ip.src == web and ip.dst == cl:
        c["echo_rep"] += 1
    elif UDP in p:
        c["udp"] += 1
    elif not (TCP in p and 80 in (p[TCP].sport, p[TCP].dport)) and ICMP not in p:
        c["other"] += 1
print(" ".join("%s=%d" % kv for kv in c.items()))
PYEOF
)

# losses: one number, what a capture could make the data path lose: every
# port's rx_missed and tx_errors and the drops for want of room (a slower
# worker fills rings and queues).  Policy drops are the traffic's own fate.
losses() {
	"$PY" "$TEL" -p "$PREFIX" /sekisho/stats 2>/dev/null | "$PY" -c 'import json,sys
d = json.load(sys.stdin)
ports = d.get("ports", {})
n = sum(v for k, v in ports.items() if k.endswith("/rx_missed") or k.endswith("/tx_errors"))
for k in ("tx_full", "no_mbuf", "exception_full", "handoff_full", "neigh_queue_full",
          "conn_table_full", "frag_table_full"):
    n += d["drops"][k]
print(n)'
}

# capture_ready: dumpcap says "File: ..." on stderr just before it asks the
# unit to enable capture (its EAL start as a secondary takes seconds on a
# busy host); up to 30 s, then a second for the request to land.
capture_ready() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q '^File: ' "$T/cap.out" 2>/dev/null && { sleep 1; return 0; }
		sleep 0.1
	done
	return 1
}

cap_field() { # FIELD: from $T/cap.sum
	sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" "$T/cap.sum"
}

# 5 curl and 3 pings client -> web1 and 3 UDP datagrams (filtered out)
# while a 12 s capture of "outside" with a filter runs.
capture_shows_traffic() {
	local cpid i l0 l1
	rm -f "$T/cap1.pcapng"
	l0=$(losses)
	: >"$T/cap.out" # truncated here, before capture_ready reads it
	"$CTL" capture outside --filter "tcp port 80 or icmp" --duration 12 \
		-w "$T/cap1.pcapng" >"$T/cap.out" 2>&1 &
	cpid=$!
	capture_ready || echo "dumpcap not ready after 30 s" >>"$T/cap.out"
	for i in 1 2 3 4 5; do
		nsx sk-client curl -s -m 3 -o /dev/null "http://$WEB1/" || true
	done
	nsx sk-client ping -c 3 -i 0.3 -W 1 "$WEB1" >/dev/null || true
	for _ in 1 2 3; do
		nsx sk-client "$PY" "$PROBE" udp-send "$WEB1" 9000 --timeout 1 >/dev/null 2>&1 || true
	done
	wait "$cpid" || { echo "capture exited $?" >>"$T/cap.out"; return 1; }
	l1=$(losses)
	"$PY" -c "$CAP_READ" "$T/cap1.pcapng" "$CLIENT" "$WEB1" >"$T/cap.sum" 2>>"$T/cap.out" ||
		return 1
	echo "losses (rx_missed + tx_errors + resource drops) $l0 -> $l1" >>"$T/cap.sum"
	cat "$T/cap.sum" >>"$T/cap.out"
	CAP_L0=$l0 CAP_L1=$l1
	(($(cap_field syn) >= 5 && $(cap_field synack) >= 5 && $(cap_field echo_req) >= 3 &&
		$(cap_field echo_rep) >= 3 && $(cap_field udp) == 0 && $(cap_field other) == 0))
}
check "capture outside (tcp port 80 or icmp): the 5 SYNs in, 5 SYN-ACKs out, 3 echo requests and replies; no UDP (filtered)" \
	"$T/cap.out" capture_shows_traffic
diag "$T/cap.sum" || true
check "nothing lost on the data path while the capture ran (rx_missed + tx_errors + resource drops ${CAP_L0:-?} -> ${CAP_L1:-?})" \
	"$T/cap.out" test "${CAP_L0:-x}" = "${CAP_L1:-y}"

# The pings start once dumpcap is attached (its start as a secondary takes
# seconds on a busy host); dumpcap is waited for by its pid: a bare
# `wait` would also wait for the servers and the restarted sekisho-cp this
# shell started earlier, and never return (the hang seen in CI).
capture_count_stops() {
	local cpid
	rm -f "$T/cap2.pcapng"
	: >"$T/cap.out" # truncated here, before capture_ready reads it
	"$CTL" capture outside --filter icmp --count 4 --duration 30 -w "$T/cap2.pcapng" \
		>"$T/cap.out" 2>&1 &
	cpid=$!
	capture_ready || echo "dumpcap not ready after 30 s" >>"$T/cap.out"
	nsx sk-client ping -c 20 -i 0.2 -W 1 "$WEB1" >/dev/null || true
	wait "$cpid" || { echo "capture exited $?" >>"$T/cap.out"; return 1; }
	"$PY" -c "$CAP_READ" "$T/cap2.pcapng" "$CLIENT" "$WEB1" >"$T/cap.sum" || return 1
	cat "$T/cap.sum" >>"$T/cap.out"
	(($(cap_field pkts) == 4))
}
check "capture --count 4: exactly 4 packets" "$T/cap.out" capture_count_stops

# The size bound stops a capture of a 50 MB download long before its time
# bound; the download is intact and no drop counter rises.
capture_size_bound() {
	local l0 l1 t0 t1 sz want
	rm -f "$T/cap3.pcapng"
	want=$(sha256sum <"$RUN/big.bin" | cut -d' ' -f1)
	l0=$(losses)
	t0=$(date +%s)
	: >"$T/cap.out" # truncated here, before capture_ready reads it
	"$CTL" capture inside --max-size 2 --duration 120 -w "$T/cap3.pcapng" >"$T/cap.out" 2>&1 &
	local cpid=$!
	capture_ready || echo "dumpcap not ready after 30 s" >>"$T/cap.out"
	nsx sk-client curl -s -m 60 "http://$WEB1/big.bin" | sha256sum | cut -d' ' -f1 >"$T/cap.sha"
	wait "$cpid" || return 1
	t1=$(date +%s)
	l1=$(losses)
	sz=$(stat -c %s "$T/cap3.pcapng")
	echo "file $sz bytes after $((t1 - t0)) s; download sha256 $(cat "$T/cap.sha"), want $want;" \
		"losses $l0 -> $l1" >>"$T/cap.out"
	# dumpcap checks the size after each burst it writes: a little over
	((sz >= 2 * 1024 * 1024 && sz <= 3 * 1024 * 1024 && t1 - t0 < 100)) &&
		[ "$(cat "$T/cap.sha")" = "$want" ] && [ "$l0" = "$l1" ]
}
check "capture --max-size 2 of a 50 MB download: stops near 2 MB, the download arrives intact, nothing lost" \
	"$T/cap.out" capture_size_bound
grep -h '^file' "$T/cap.out" | diag || true

# The whole 50 MB download captured (headers only): every data segment is in
# the file, the download is intact and the data path lost nothing.
capture_under_load() {
	local l0 l1 want cpid
	rm -f "$T/cap4.pcapng"
	want=$(sha256sum <"$RUN/big.bin" | cut -d' ' -f1)
	l0=$(losses)
	: >"$T/cap.out" # truncated here, before capture_ready reads it
	"$CTL" capture inside --filter "tcp port 80" --snaplen 96 --duration 60 \
		-w "$T/cap4.pcapng" >"$T/cap.out" 2>&1 &
	cpid=$!
	capture_ready || echo "dumpcap not ready after 30 s" >>"$T/cap.out"
	nsx sk-client curl -s -m 50 "http://$WEB1/big.bin" | sha256sum | cut -d' ' -f1 >"$T/cap.sha"
	kill -INT "$cpid" 2>/dev/null # as Ctrl-C: sekishoctl hands it to dumpcap
	wait "$cpid" || return 1
	l1=$(losses)
	"$PY" - "$T/cap4.pcapng" "$WEB1" >"$T/cap.sum" <<'PYEOF' || return 1
import sys
from scapy.all import PcapNgReader, IP, TCP
data = pkts = 0
for p in PcapNgReader(sys.argv[1]):
    pkts += 1
    if IP in p and TCP in p and p[IP].src == sys.argv[2] and p[TCP].sport == 80:
        data += p[IP].len - 4 * p[IP].ihl - 4 * p[TCP].dataofs
print("pkts=%d payload_bytes=%d" % (pkts, data))
PYEOF
	echo "download sha256 $(cat "$T/cap.sha"), want $want; losses $l0 -> $l1;" \
		"$(grep -h 'received/dropped' "$T/cap.out")" >>"$T/cap.sum"
	cat "$T/cap.sum" >>"$T/cap.out"
	# dumpcap says "received/dropped": packets the filter passed, and those
	# that found its ring full (the capture falls behind; the data path
	# never waits for it).  The file holds the difference, less what was
	# still in dumpcap's ring when it stopped: the health checks on port 80
	# never pause, and the primary counts a packet as it enqueues it (seen
	# once in CI: 37475 passed, 37474 in the file).  At most one burst.
	local rx dr
	rx=$(sed -n 's#.*received/dropped[^:]*: \([0-9]*\)/\([0-9]*\).*#\1#p' "$T/cap.sum")
	dr=$(sed -n 's#.*received/dropped[^:]*: \([0-9]*\)/\([0-9]*\).*#\2#p' "$T/cap.sum")
	echo "capture: $rx passed the filter, $dr lost by the capture ($((dr * 1000 / (rx > 0 ? rx : 1)))/1000)," \
		"$(cap_field pkts) in the file" >>"$T/cap.sum"
	[ -n "$rx" ] && [ -n "$dr" ] &&
		(($(cap_field pkts) <= rx - dr && $(cap_field pkts) >= rx - dr - 32 && rx > 30000)) &&
		[ "$(cat "$T/cap.sha")" = "$want" ] && [ "$l0" = "$l1" ]
}
check "capture of a whole 50 MB download (inside, tcp port 80, 96 B snaplen): download intact, data path lost nothing, file = dumpcap's received - dropped (less at most one burst in its ring at stop)" \
	"$T/cap.out" capture_under_load
diag "$T/cap.sum" || true

capture_refusals() {
	: >"$T/cap.out"
	# an unknown port, and one the unit does not own, are refused before dumpcap runs
	! "$CTL" capture dmz -w "$T/x.pcapng" >>"$T/cap.out" 2>&1 &&
		grep -q "no port 'dmz'" "$T/cap.out" &&
		! "$CTL" capture 9 -w "$T/x.pcapng" >>"$T/cap.out" 2>&1 &&
		[ ! -e "$T/x.pcapng" ] &&
		! pgrep -x dpdk-dumpcap >/dev/null &&
		page sk-client "http://$WEB1/" "backend web1"
}
check "capture refuses an unknown port; no dumpcap left behind; forwarding as before" \
	"$T/cap.out" capture_refusals
