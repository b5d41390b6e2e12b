#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/ctl/ha.sh - the HA pair's operator surfaces end to end against a
# running pair (the HA lab): sekishoctl ha, GET /api/v1/ha and /status on
# both units, the sekisho_ha_* metrics, a commit refused on the standby
# (409 standby) and pushed from the active, and maintenance (ha standby on
# the active, ha release) with the roles put back as they were.
#
# The pair: SK_HA_URLS="URL1 URL2" (both units' REST APIs), SEKISHO_TOKEN
# (the same token on both), and SK_HA_CACERTS="CERT1 CERT2" (each unit's
# certificate) or SK_CTL_INSECURE=1.  SK_HA_MAINT=0 leaves maintenance
# out.  Without SK_HA_URLS only the checks that need no unit run.
# SEKISHOCTL overrides the binary (default build/control/ctl/sekishoctl).
# Bounded: every wait polls for at most SK_HA_WAIT_S (default 10) seconds.
# Prints TAP lines; exit 1 if any check failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL=${SEKISHOCTL:-$ROOT/build/control/ctl/sekishoctl}
PY=/usr/bin/python3
WAIT_S=${SK_HA_WAIT_S:-10}
read -r -a URLS <<<"${SK_HA_URLS:-}"
read -r -a CERTS <<<"${SK_HA_CACERTS:-}"
T=$(mktemp -d /tmp/sekisho-ha-ctl.XXXXXX)

n=0
failed=0
ok()   { n=$((n + 1)); echo "ok $n - $*"; }
nok()  { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
diag() { sed 's/^/#   /' "$@" | head -20; }

# u I NAME ARGS...: sekishoctl against unit I (0 or 1); stdout
# $T/NAME.out, stderr $T/NAME.err, status $rc.
u() {
	local i=$1 name=$2 tls=()
	shift 2
	if [[ ${SK_CTL_INSECURE:-0} == 1 ]]; then
		tls=(--insecure)
	elif [[ -n ${CERTS[$i]:-} ]]; then
		tls=(--cacert "${CERTS[$i]}")
	fi
	"$CTL" --url "${URLS[$i]}" "${tls[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
}

# expect I NAME RC ARGS...
expect() {
	local i=$1 name=$2 want=$3
	shift 3
	u "$i" "$name" "$@"
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

jget() {
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$T/$1.out" 2>/dev/null
}

# role I: unit I's role now ("" when it does not answer).
role() {
	u "$1" role-poll --json ha
	jget role-poll 'd["role"]'
}

# wait_role I ROLE: poll until unit I has ROLE; 0 or 1.
wait_role() {
	local t0=$SECONDS
	while ((SECONDS - t0 <= WAIT_S)); do
		[[ $(role "$1") == "$2" ]] && return 0
		sleep 0.2
	done
	return 1
}

cleanup() { rm -rf "$T"; }
trap cleanup EXIT

if [[ ! -x $CTL ]]; then
	skip "sekishoctl not built ($CTL)"
	echo "# $n checks, 0 failed"
	exit 0
fi

# ---- no unit needed ----
URLS=(https://127.0.0.1:9 https://127.0.0.1:9)
expect 0 usage-ha-word 2 ha takeover
expect 0 usage-force-on-ha 2 ha release --force
expect 0 usage-import-force 2 archive import /dev/null --force
read -r -a URLS <<<"${SK_HA_URLS:-}"

if ((${#URLS[@]} != 2)); then
	skip "the pair: SK_HA_URLS does not name two units"
	echo "# $n checks, $failed failed"
	((failed == 0))
	exit
fi

# ---- where the pair stands, from both sides ----
for i in 0 1; do
	expect "$i" "ha-json-$i" 0 --json ha
	check "ha-json-$i" 'd["enabled"] is True and d["unit"] in (1, 2) and d["peer"]["known"] and d["peer"]["alive"]' \
		"unit $((i + 1)) of the list: HA enabled, the peer known and alive"
	check "ha-json-$i" 'd["paths"]["link"]["up"] and d["paths"]["data"]["up"]' "both heartbeat paths up"
	expect "$i" "ha-$i" 0 ha
	if grep -q "^state:" "$T/ha-$i.out" && grep -q "^last transition:" "$T/ha-$i.out" &&
		grep -q "^link " "$T/ha-$i.out" && grep -q "^data " "$T/ha-$i.out"; then
		ok "ha-$i: state, last transition and both paths shown"
	else
		nok "ha-$i: view"
		diag "$T/ha-$i.out"
	fi
done
R0=$(jget ha-json-0 'd["role"]')
R1=$(jget ha-json-1 'd["role"]')
if [[ "$R0 $R1" == "active standby" ]]; then
	A=0 S=1
elif [[ "$R0 $R1" == "standby active" ]]; then
	A=1 S=0
else
	nok "one active and one standby (roles: '$R0' '$R1')"
	echo "# $n checks, $failed failed"
	exit 1
fi
ok "one active (unit $(jget ha-json-$A 'd["unit"]')) and one standby"
check "ha-json-$A" "d['unit'] == $(jget ha-json-$S 'd["peer"]["unit"]') and d['peer']['unit'] == $(jget ha-json-$S 'd["unit"]')" \
	"each unit names the other as its peer"
check "ha-json-$A" "d['term'] == $(jget ha-json-$S 'd["term"]')" "both units at the same term"
expect "$S" status-standby 0 --json status
check status-standby "d['ha']['role'] == 'standby' and d['ha']['peer']['role'] == 'active'" \
	"/status on the standby: the pair's summary"

# ---- metrics: exactly one active over both scrapes ----
actives=0
for i in 0 1; do
	base=${URLS[$i]%/}
	tls=(-k)
	[[ ${SK_CTL_INSECURE:-0} != 1 && -n ${CERTS[$i]:-} ]] && tls=(--cacert "${CERTS[$i]}")
	( umask 077; printf 'Authorization: Bearer %s\n' "${SEKISHO_TOKEN:-}" >"$T/auth.hdr" )
	curl -sS "${tls[@]}" -H "@$T/auth.hdr" -o "$T/metrics-$i.out" "${base%/api/v1}/metrics" 2>"$T/metrics-$i.err"
	if grep -q '^sekisho_ha_path_up{path="link"} 1$' "$T/metrics-$i.out" &&
		grep -q '^sekisho_ha_link_errors_total{kind="bad_mac"} ' "$T/metrics-$i.out"; then
		ok "metrics-$i: sekisho_ha_* families"
	else
		nok "metrics-$i: sekisho_ha_* families"
		grep sekisho_ha_ "$T/metrics-$i.out" | diag /dev/stdin
	fi
	grep -Eq '^sekisho_ha_state\{unit="[12]",state="active"\} 1$' "$T/metrics-$i.out" && actives=$((actives + 1))
done
((actives == 1)) && ok "metrics: sekisho_ha_state active is 1 on exactly one unit" ||
	nok "metrics: $actives units say active"

# ---- commits: refused on the standby, pushed from the active ----
expect "$A" config-show 0 config show
cp "$T/config-show.out" "$T/running.conf"
expect "$S" commit-standby 1 --json config commit "$T/running.conf"
check commit-standby 'd["code"] == "standby"' "a direct commit on the standby: 409 standby"
u "$S" commit-standby-human config commit "$T/running.conf"
grep -q -- "--force" "$T/commit-standby-human.err" && ok "the refusal says --force" ||
	{ nok "the refusal's hint"; diag "$T/commit-standby-human.err"; }
expect "$S" rollback-standby 1 --json config rollback 1 --replaces "$(jget ha-json-$S 'd["generation"]')"
check rollback-standby 'd["code"] == "standby"' "a rollback on the standby: 409 standby"
expect "$A" commit-active 0 --json config commit "$T/running.conf"
GEN=$(jget commit-active 'd["generation"]')
t0=$SECONDS
while ((SECONDS - t0 <= WAIT_S)); do
	u "$S" gen-poll --json ha
	[[ $(jget gen-poll 'd["generation"]') == "$GEN" ]] && break
	sleep 0.2
done
if [[ $(jget gen-poll 'd["generation"]') == "$GEN" ]]; then
	ok "the active's commit (generation $GEN) reached the standby in $((SECONDS - t0)) s"
else
	nok "the standby runs generation $(jget gen-poll 'd["generation"]'), not $GEN"
fi

# ---- maintenance: hand over, release, and back ----
if [[ ${SK_HA_MAINT:-1} == 0 ]]; then
	skip "maintenance: SK_HA_MAINT=0"
else
	expect "$A" standby 0 --json ha standby
	check standby 'd["role"] == "forced-standby" and d["forced"] is True' "ha standby: this unit is forced-standby"
	wait_role "$S" active && ok "the peer took over" || nok "the peer is $(role "$S"), not active"
	expect "$A" release 0 --json ha release
	check release 'd["role"] == "standby" and d["forced"] is False' "ha release: an ordinary standby again"
	# back as it was: the other way round
	expect "$S" standby-back 0 ha standby
	wait_role "$A" active && ok "handed back" || nok "unit $((A + 1)) of the list is $(role "$A"), not active"
	expect "$S" release-back 0 ha release
	wait_role "$S" standby && ok "roles as they were" || nok "unit $((S + 1)) of the list is $(role "$S")"
fi

if [[ -n ${SEKISHO_TOKEN:-} ]] && grep -rqF -- "$SEKISHO_TOKEN" "$T"/*.out "$T"/*.err; then
	nok "the token appears in an output"
else
	ok "the token appears in no output"
fi
echo "# $n checks, $failed failed"
((failed == 0))
