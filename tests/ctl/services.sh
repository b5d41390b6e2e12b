#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/ctl/services.sh - the load balancer's control side end to end:
# sekishoctl services/backend and the /services REST resources against a
# running unit whose config has the service "web" with backends web1, web2,
# web3 on 10.10.0.11-13 port 80 (the lab config).
#
# Takes the unit as tests/ctl/run does: SEKISHO_URL, SEKISHO_TOKEN,
# SEKISHO_CACERT (or SK_CTL_INSECURE=1).  Without SEKISHO_URL only the
# checks that need no unit run (usage errors).  Changes backends (drain,
# weight, disable, enable) and puts every backend of "web" back to the admin
# state and weight it found, also when interrupted.  SEKISHOCTL overrides
# the binary (default build/control/ctl/sekishoctl); SK_SVC, SK_BACKENDS
# and SK_ADDRS override the names and addresses expected.  Prints TAP lines;
# exit 1 if any check failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL=${SEKISHOCTL:-$ROOT/build/control/ctl/sekishoctl}
PY=/usr/bin/python3
SVC=${SK_SVC:-web}
read -r -a BES <<<"${SK_BACKENDS:-web1 web2 web3}"
read -r -a ADDRS <<<"${SK_ADDRS:-10.10.0.11 10.10.0.12 10.10.0.13}"
T=$(mktemp -d /tmp/sekisho-services-test.XXXXXX)

n=0
failed=0
ok()   { n=$((n + 1)); echo "ok $n - $*"; }
nok()  { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
diag() { sed 's/^/#   /' "$@" | head -20; }

EXTRA=()
CURL_TLS=()
if [[ ${SK_CTL_INSECURE:-0} == 1 ]]; then
	EXTRA+=(--insecure)
	CURL_TLS+=(-k)
elif [[ -n ${SEKISHO_CACERT:-} ]]; then
	CURL_TLS+=(--cacert "$SEKISHO_CACERT")
fi

# ctl NAME ARGS...: sekishoctl; stdout $T/NAME.out, stderr $T/NAME.err, status $rc.
ctl() {
	local name=$1
	shift
	"$CTL" "${EXTRA[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
}

# expect NAME RC ARGS...
expect() {
	local name=$1 want=$2
	shift 2
	ctl "$name" "$@"
	if [[ $rc == "$want" ]]; then
		ok "$name: exit $want"
	else
		nok "$name: exit $rc, expected $want"
		diag "$T/$name.err"
	fi
}

# check NAME PYTHON-EXPR [what]: NAME's stdout is JSON d and the expression holds.
check() {
	local name=$1 expr=$2 what=${3:-$2}
	if "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
		"$T/$name.out" 2>/dev/null; then
		ok "$name: $what"
	else
		nok "$name: $what"
		diag "$T/$name.out"
	fi
}

# jget NAME PYTHON-EXPR: a value from NAME's JSON stdout.
jget() {
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$T/$1.out" 2>/dev/null
}

# api NAME METHOD PATH [BODY]: the REST API with curl; body in $T/NAME.out,
# HTTP status in $http.  The token goes in a header file, never on a command line.
api() {
	local name=$1 method=$2 path=$3 body=${4-}
	local args=(-sS -X "$method" -o "$T/$name.out" -w '%{http_code}' -H "@$T/auth.hdr"
		"${CURL_TLS[@]}")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	http=$(curl "${args[@]}" "$BASE$path" 2>"$T/$name.err")
}

# api_expect NAME STATUS METHOD PATH [BODY]
api_expect() {
	local name=$1 want=$2
	shift 2
	api "$name" "$@"
	if [[ $http == "$want" ]]; then
		ok "$name: HTTP $want"
	else
		nok "$name: HTTP $http, expected $want"
		diag "$T/$name.out" "$T/$name.err"
	fi
}

if [[ ! -x $CTL ]]; then
	skip "sekishoctl not built ($CTL)"
	echo "# $n checks, 0 failed"
	exit 0
fi

# ---- no unit needed: refused before anything is sent ----
expect usage-action 2 backend "$SVC" "${BES[0]}" pause
expect usage-weight-range 2 backend "$SVC" "${BES[0]}" weight 65536
expect usage-weight-missing 2 backend "$SVC" "${BES[0]}" weight
expect usage-weight-word 2 backend "$SVC" "${BES[0]}" weight five
expect usage-drain-extra 2 backend "$SVC" "${BES[0]}" drain now
expect usage-backend-short 2 backend "$SVC"
expect usage-services-two 2 services "$SVC" extra

if [[ -z ${SEKISHO_URL:-} ]]; then
	skip "services against a unit: SEKISHO_URL is not set"
	rm -rf "$T"
	echo "# $n checks, $failed failed"
	((failed == 0))
	exit
fi
BASE=${SEKISHO_URL%/}
BASE=${BASE%/api/v1}
( umask 077; printf 'Authorization: Bearer %s\n' "${SEKISHO_TOKEN:-}" >"$T/auth.hdr" )

# ---- what the unit runs now, to put back at the end ----
expect list-json 0 --json services
ORIG=$(jget list-json '" ".join("%s:%s:%s" % (b["name"], b.get("runtime", b)["admin" if "runtime" in b else "state"], b.get("runtime", b)["weight"]) for s in d["services"] if s["name"] == "'"$SVC"'" for b in s["backends"])')
restore() {
	local e name admin weight action
	for e in $ORIG; do
		IFS=: read -r name admin weight <<<"$e"
		case $admin in up) action=enable ;; drain) action=drain ;; *) action=disable ;; esac
		"$CTL" "${EXTRA[@]}" backend "$SVC" "$name" "$action" >/dev/null 2>&1
		"$CTL" "${EXTRA[@]}" backend "$SVC" "$name" weight "$weight" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap restore EXIT
trap 'exit 130' INT TERM

check list-json '"generation" in d and isinstance(d["services"], list)' "a services document"
check list-json 'd["runtime"] is True' "runtime from the dataplane (runtime_error: $(jget list-json 'd.get("runtime_error", "")'))"
check list-json "[b['name'] for s in d['services'] if s['name'] == '$SVC' for b in s['backends']] == $(printf "'%s'," "${BES[@]}" | sed 's/^/[/; s/,$/]/')" \
	"$SVC has backends ${BES[*]} in config order"
check list-json "[(b['address'], b['port']) for s in d['services'] if s['name'] == '$SVC' for b in s['backends']] == [$(for a in "${ADDRS[@]}"; do printf "('%s', 80)," "$a"; done)]" \
	"backend addresses ${ADDRS[*]}, port 80"
check list-json "all(k in s for s in d['services'] for k in ('vip', 'proto', 'port', 'scheduler', 'forward', 'snat', 'persist_s', 'conn_limit', 'health'))" \
	"every service has its settings"
check list-json "all('totals' in s and s['totals']['backends'] == len(s['backends']) for s in d['services'])" \
	"every service has totals over its backends"
check list-json "all(s['totals']['active'] == sum(b['runtime']['active'] for b in s['backends']) and s['totals']['conns'] == sum(b['runtime']['conns'] for b in s['backends']) for s in d['services'])" \
	"totals are the sums of the backends"

expect list 0 services
if grep -q "^$SVC " "$T/list.out" && grep -q "${ADDRS[2]}" "$T/list.out" && grep -q "ADMIN" "$T/list.out"; then
	ok "services: table with $SVC, ${ADDRS[2]} and the runtime columns"
else
	nok "services: table"
	diag "$T/list.out"
fi
expect show 0 services "$SVC"
grep -q "${BES[1]}" "$T/show.out" && ok "services $SVC: lists ${BES[1]}" || { nok "services $SVC"; diag "$T/show.out"; }
expect show-json 0 --json services "$SVC"
check show-json "d['name'] == '$SVC' and len(d['backends']) == ${#BES[@]} and 'generation' in d"
expect show-missing 1 --json services no-such-service
check show-missing 'd["code"] == "not_found"'

B=${BES[0]}
P="/api/v1/services/$SVC/backends/$B"
api_expect get-backend 200 GET "$P"
check get-backend "d['name'] == '$B' and d['service'] == '$SVC' and d['address'] == '${ADDRS[0]}' and 'runtime' in d"

# ---- drain, weight, disable, enable: each seen through GET afterwards ----
expect drain 0 backend "$SVC" "$B" drain
grep -q "admin drain" "$T/drain.out" && ok "drain: says admin drain" || { nok "drain: output"; diag "$T/drain.out"; }
api after-drain GET "$P"
check after-drain 'd["runtime"]["admin"] == "drain"' "GET after drain: admin drain"
expect weight 0 --json backend "$SVC" "$B" weight 5
check weight 'd["runtime"]["weight"] == 5 and d["runtime"]["admin"] == "drain"' "weight 5, still draining"
api after-weight GET "$P"
check after-weight 'd["runtime"]["weight"] == 5' "GET after weight: 5"
expect list-drained 0 --json services
check list-drained "[s for s in d['services'] if s['name'] == '$SVC'][0]['totals']['drain'] >= 1" "totals count the drained backend"
api metrics-drained GET /metrics
if [[ $http == 200 ]] && grep -qx "sekisho_backend_admin_state{service=\"$SVC\",backend=\"$B\",state=\"drain\"} 1" "$T/metrics-drained.out" &&
	grep -qx "sekisho_backend_weight{service=\"$SVC\",backend=\"$B\"} 5" "$T/metrics-drained.out"; then
	ok "metrics: $B admin_state drain 1, weight 5"
else
	nok "metrics after drain (HTTP $http)"
	grep "sekisho_backend" "$T/metrics-drained.out" | diag /dev/stdin
fi
expect disable 0 backend "$SVC" "$B" disable
api after-disable GET "$P"
check after-disable 'd["runtime"]["admin"] == "disabled"' "GET after disable: admin disabled"
expect enable 0 backend "$SVC" "$B" enable
api after-enable GET "$P"
check after-enable 'd["runtime"]["admin"] == "up" and d["runtime"]["weight"] == 5' "GET after enable: admin up, weight kept"
api_expect rest-both 200 POST "$P" '{"action": "drain", "weight": 7}'
check rest-both 'd["runtime"]["admin"] == "drain" and d["runtime"]["weight"] == 7' "one request, both changes"
api_expect rest-enable 200 POST "$P" '{"action": "enable"}'
check rest-enable 'd["runtime"]["admin"] == "up"'

# ---- bad requests ----
expect backend-missing 1 --json backend "$SVC" no-such-backend drain
check backend-missing 'd["code"] == "not_found" and d["details"]["backend"] == "no-such-backend"'
expect service-missing 1 --json backend no-such-service "$B" drain
check service-missing 'd["code"] == "not_found" and d["details"]["service"] == "no-such-service"'
ctl service-missing-human backend no-such-service "$B" drain
grep -q "404 not_found" "$T/service-missing-human.err" && ok "404 said on stderr" || { nok "404 on stderr"; diag "$T/service-missing-human.err"; }
api_expect rest-missing 404 GET "/api/v1/services/$SVC/backends/no-such-backend"
api_expect rest-bad-action 400 POST "$P" '{"action": "stop"}'
check rest-bad-action 'd["code"] == "bad_request"'
api_expect rest-bad-weight 400 POST "$P" '{"weight": 70000}'
api_expect rest-weight-string 400 POST "$P" '{"weight": "5"}'
api_expect rest-unknown-key 400 POST "$P" '{"action": "drain", "force": true}'
api_expect rest-empty 400 POST "$P" '{}'
api_expect rest-not-json 400 POST "$P" 'drain'
api_expect rest-method 405 DELETE "/api/v1/services/$SVC"
api after-bad GET "$P"
check after-bad 'd["runtime"]["admin"] == "up" and d["runtime"]["weight"] == 7' "bad requests changed nothing"

# ---- metrics ----
api_expect metrics 200 GET /metrics
for m in "sekisho_backend_active{service=\"$SVC\",backend=\"$B\"}" \
	"sekisho_backend_connections_total{service=\"$SVC\",backend=\"$B\"}" \
	"sekisho_backend_packets_total{service=\"$SVC\",backend=\"$B\",direction=\"orig\"}" \
	"sekisho_backend_bytes_total{service=\"$SVC\",backend=\"$B\",direction=\"reply\"}" \
	"sekisho_backend_up{service=\"$SVC\",backend=\"$B\"}" \
	"sekisho_backend_admin_state{service=\"$SVC\",backend=\"$B\",state=\"up\"} 1"; do
	grep -qF "$m" "$T/metrics.out" && ok "metrics: $m" || nok "metrics: $m missing"
done

if [[ -n ${SEKISHO_TOKEN:-} ]] && grep -rqF -- "$SEKISHO_TOKEN" "$T"/*.out "$T"/*.err; then
	nok "the token appears in an output"
else
	ok "the token appears in no output"
fi

echo "# $n checks, $failed failed"
((failed == 0))
