# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/lib/lab_ha.sh - the HA lab of scripts/lab (`scripts/lab up --ha`):
# two units of one HA pair, each in a namespace of its own, between bridges.
# Sourced by scripts/lab, which provides nsx, quiet_link, endpoint,
# nginx_start, pid_alive, stop_pid and running.
#
#   sk-ha-client 203.0.113.10 ─┐ sk-ha-sw: br-out ─ o1 (sk-out in sk-fw1), o2 (sk-out in sk-fw2)
#   sk-ha-admin  198.51.100.10 ┐ sk-ha-sw: br-adm ─ a1 (sk-adm in sk-fw1), a2 (sk-adm in sk-fw2)
#   sk-ha-web1..3 10.10.0.11-13 sk-ha-sw: br-in  ─ i1 (sk-in  in sk-fw1), i2 (sk-in  in sk-fw2)
#   sk-fw1 ha0 192.0.2.1/24 ─ sk-ha-sw: br-ha ─ ha0 192.0.2.2/24 sk-fw2 (the HA link, kernel-owned)
#
# Clients and backends use the floating addresses (.1) as gateway: whichever
# unit is active answers for them.  Each unit runs sekisho-dp --unit N and
# sekisho-cp --serve conf/ha-lab.conf --unit N in its namespace; the cps'
# REST APIs are each on 127.0.0.1:8443 of their own namespace.

HA_RUN=${SK_LAB_HA_RUN:-/run/sekisho-ha-lab}
HA_CONF=${SK_LAB_HA_CONF:-$SK_ROOT/conf/ha-lab.conf}
HA_NAMESPACES=(sk-ha-client sk-ha-admin sk-ha-web1 sk-ha-web2 sk-ha-web3 sk-ha-sw sk-fw1 sk-fw2)
HA_NGINX=(web1:sk-ha-web1 web2:sk-ha-web2 web3:sk-ha-web3)
HA_PREFIXES=(sekisho-ha1 sekisho-ha2)   # ha.units[].file_prefix; read from HA_CONF at up

# ha_present: some trace of the HA lab is there (run dir or a namespace).
ha_present() {
	local ns
	[ -d "$HA_RUN" ] && return 0
	for ns in "${HA_NAMESPACES[@]}"; do
		[ -e "/run/netns/$ns" ] && return 0
	done
	return 1
}

# conf_str KEY: the first `KEY = "value"` of HA_CONF (the lab's own file:
# one key per line is enough here, this is no config parser).
conf_str() {
	sed -n "s/^[^#]*\\b$1[[:space:]]*=[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$HA_CONF"
}

ha_topology_up() {
	local ns u
	for ns in "${HA_NAMESPACES[@]}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	for ns in sk-fw1 sk-fw2 sk-ha-sw; do
		nsx "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	for br in br-out br-adm br-in; do
		ip -n sk-ha-sw link add "$br" type bridge forward_delay 0 mcast_snooping 0
		ip -n sk-ha-sw link set "$br" up
	done
	for u in 1 2; do
		ip -n "sk-fw$u" link add sk-out type veth peer name "o$u" netns sk-ha-sw
		ip -n "sk-fw$u" link add sk-adm type veth peer name "a$u" netns sk-ha-sw
		ip -n "sk-fw$u" link add sk-in type veth peer name "i$u" netns sk-ha-sw
		for ns in sk-out sk-adm sk-in; do
			quiet_link "sk-fw$u" "$ns"
		done
		# As in the plain lab: the kernel of a unit sees copies of the
		# dataplane's frames and must not answer them (blackholed).
		ip -n "sk-fw$u" rule add pref 100 lookup local
		ip -n "sk-fw$u" rule del pref 0 lookup local
		for ns in sk-out sk-adm sk-in; do
			ip -n "sk-fw$u" rule add pref 10 iif "$ns" blackhole
		done
		ip -n sk-ha-sw link set "o$u" master br-out
		ip -n sk-ha-sw link set "a$u" master br-adm
		ip -n sk-ha-sw link set "i$u" master br-in
	done
	ip -n sk-ha-sw link add oc type veth peer name eth0 netns sk-ha-client
	ip -n sk-ha-sw link add ac type veth peer name eth0 netns sk-ha-admin
	ip -n sk-ha-sw link set oc master br-out
	ip -n sk-ha-sw link set ac master br-adm
	for u in 1 2 3; do
		ip -n sk-ha-sw link add "web$u" type veth peer name eth0 netns "sk-ha-web$u"
		ip -n sk-ha-sw link set "web$u" master br-in
	done
	for ns in o1 o2 a1 a2 i1 i2 oc ac web1 web2 web3; do
		quiet_link sk-ha-sw "$ns"
	done

	# The HA link: the two units' kernels (sekisho-cp binds here), through
	# a switch of its own (br-ha: h1, h2), so that a test can unplug a
	# unit's cable or put an impairment between the two (tests/ha/run).
	ip -n sk-ha-sw link add br-ha type bridge forward_delay 0 mcast_snooping 0
	ip -n sk-ha-sw link set br-ha up
	for u in 1 2; do
		ip -n "sk-fw$u" link add ha0 type veth peer name "h$u" netns sk-ha-sw
		ip -n "sk-fw$u" addr add "192.0.2.$u/24" dev ha0
		quiet_link "sk-fw$u" ha0
		ip -n sk-ha-sw link set "h$u" master br-ha
		quiet_link sk-ha-sw "h$u"
	done

	endpoint sk-ha-client eth0 203.0.113.10/24 2001:db8:ff::10/64 203.0.113.1 2001:db8:ff::1
	endpoint sk-ha-admin eth0 198.51.100.10/24 2001:db8:ad::10/64 198.51.100.1 2001:db8:ad::1
	endpoint sk-ha-web1 eth0 10.10.0.11/24 2001:db8:10::11/64 10.10.0.1 2001:db8:10::1
	endpoint sk-ha-web2 eth0 10.10.0.12/24 2001:db8:10::12/64 10.10.0.1 2001:db8:10::1
	endpoint sk-ha-web3 eth0 10.10.0.13/24 2001:db8:10::13/64 10.10.0.1 2001:db8:10::1
}

# ha_wait LOG WORD PIDFILE WHAT: until LOG says WORD; die if the process
# exits or UP_TIMEOUT passes.
ha_wait() {
	local log=$1 word=$2 pidf=$3 what=$4 t0=$SECONDS
	while ! grep -q "$word" "$log" 2>/dev/null; do
		if [ -s "$pidf" ] && ! pid_alive "$pidf"; then
			sed 's/^/    log: /' "$log" >&2
			sk_die "$what exited during start-up (log above)"
		fi
		if ((SECONDS - t0 > UP_TIMEOUT)); then
			sed 's/^/    log: /' "$log" >&2
			sk_die "$what did not report '$word' within ${UP_TIMEOUT}s (log above)"
		fi
		sleep 0.2
	done
	sk_msg "$what: $(grep -m1 "$word" "$log")"
}

# ha_dp_start U: unit U's dataplane in sk-fwU, from the image compiled at up.
ha_dp_start() {
	local u=$1
	# shellcheck disable=SC2016
	sh -c 'echo $$ > "$0"; exec "$@"' "$HA_RUN/dp$u.pid" \
		ip netns exec "sk-fw$u" "$DP" --image "$HA_RUN/ha-lab.img" \
		--stats-file "$HA_RUN/stats$u.json" --unit "$u" \
		</dev/null >"$HA_RUN/dp$u.log" 2>&1 &
	ha_wait "$HA_RUN/dp$u.log" forwarding "$HA_RUN/dp$u.pid" "sekisho-dp unit $u"
}

# ha_cp_start U: unit U's control plane (HA state machine, REST API).  Both
# units read one config, so its state_dir and log dir name one place; two
# units on one machine would share archives, committed.img and logs.  Each
# sekisho-cp gets a mount namespace where those two paths are bind mounts
# of its unit's own directories ($HA_RUN/unitU/{cp,log}): what two machines
# have by nature.  Every step execs, so the pid written first is the cp's.
ha_cp_start() {
	local u=$1 sd ld
	sd=$(conf_str state_dir | head -n 1)
	ld=$(conf_str dir | head -n 1)
	mkdir -p "$sd" "$ld" "$HA_RUN/unit$u/cp" "$HA_RUN/unit$u/log"
	chmod 700 "$HA_RUN/unit$u/cp"
	# shellcheck disable=SC2016
	sh -c 'echo $$ > "$0"; exec "$@"' "$HA_RUN/cp$u.pid" \
		ip netns exec "sk-fw$u" unshare -m --propagation private \
		sh -c 'mount --bind "$0" "$1" && mount --bind "$2" "$3" && shift 3 && exec "$@"' \
		"$HA_RUN/unit$u/cp" "$sd" "$HA_RUN/unit$u/log" "$ld" \
		"$CP" --serve "$HA_CONF" --unit "$u" \
		</dev/null >"$HA_RUN/cp$u.log" 2>&1 &
	ha_wait "$HA_RUN/cp$u.log" serving "$HA_RUN/cp$u.pid" "sekisho-cp unit $u"
}

# ha_restart U [dp|cp]: restart unit U's sekisho-cp alone (cp), or its
# dataplane and, attached to it, its control plane (dp, the default).  The
# restarted dataplane starts in init; its sekisho-cp decides the role.
ha_restart() {
	local u=$1 what=${2:-dp}
	sk_is_root || sk_die "must run as root"
	[[ $u == [12] ]] || sk_die "restart --ha: unit 1 or 2"
	[ -e "/run/netns/sk-fw$u" ] || sk_die "the HA lab is not up"
	stop_pid "$HA_RUN/cp$u.pid" sekisho-cp "sekisho-cp unit $u"
	if [ "$what" = dp ]; then
		stop_pid "$HA_RUN/dp$u.pid" sekisho-dp "sekisho-dp unit $u"
		ha_dp_start "$u"
	fi
	ha_cp_start "$u"
}

ha_print_try() {
	cat <<-'TRY'

	The HA lab is up.  Try (as root):

	    ip netns exec sk-ha-client curl -s http://10.10.0.11/    # through the floating gateway
	    ip netns exec sk-ha-client curl -s http://203.0.113.80/  # VIP (moves with the active)
	    ip netns exec sk-ha-client ping -c 3 203.0.113.1         # the floating address
	    ip netns exec sk-fw1 build/control/ctl/sekishoctl ha     # unit 1's view (sk-fw2: unit 2's)
	      (export SEKISHO_TOKEN=sekisho-lab-token and
	       SEKISHO_CACERT=/run/sekisho-ha-lab/unit1/cp/tls/cert.pem, unit2/... for sk-fw2)
	    kill -9 $(cat /run/sekisho-ha-lab/dp1.pid)                # the active's dataplane dies:
	                                                              # unit 2 takes over
	    ip netns exec sk-fw1 build/control/ctl/sekishoctl ha standby   # hand over (maintenance)
	    ip netns exec sk-fw1 build/control/ctl/sekishoctl ha release   # back to ordinary standby
	    ip -n sk-fw1 link set ha0 down                            # cut the HA link alone
	    tests/ha/run                                              # the failover tests

	  scripts/lab status   both units;  scripts/lab down   removes it all.
	TRY
}

ha_up() {
	sk_is_root || sk_die "must run as root (namespaces, hugepages)"
	[ ! -e /run/netns/sk-fw ] || sk_die "the plain lab is up (sk-fw): scripts/lab down first"
	local ns p u
	for ns in "${HA_NAMESPACES[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		sk_msg "leftovers of an earlier HA lab found ($ns); cleaning up first"
		ha_down
		break
	done
	[ ! -d "$HA_RUN" ] || ha_down
	[ -f "$HA_CONF" ] || sk_die "no config $HA_CONF"
	if [ -z "${SK_LAB_HA_NO_UNITS:-}" ]; then
		sk_msg "building $BUILD/"
		mkdir -p "$SK_ROOT/$BUILD"
		sk_build "$BUILD" >"$SK_ROOT/$BUILD/lab-build.log" 2>&1 || {
			tail -n 40 "$SK_ROOT/$BUILD/lab-build.log" >&2
			sk_die "build failed (full log: $BUILD/lab-build.log)"
		}
	fi
	trap ha_up_failed EXIT
	mkdir -p "$HA_RUN"
	chmod 755 "$HA_RUN"
	mapfile -t p < <(conf_str file_prefix | tail -n 2)
	[ "${#p[@]}" -eq 2 ] && HA_PREFIXES=("${p[@]}")
	printf '%s\n' "${HA_PREFIXES[@]}" > "$HA_RUN/file_prefixes"

	# The pre-shared key of the HA link and the dataplane heartbeat: fresh
	# at every up, readable by root only, at the path the config names.
	local psk
	psk=$(conf_str psk_file | head -n 1)
	[ -n "$psk" ] || sk_die "$HA_CONF names no ha.psk_file"
	mkdir -p "$(dirname "$psk")"
	(umask 077 && openssl rand -hex 32 > "$psk")
	chmod 600 "$psk"
	echo "$psk" > "$HA_RUN/psk_path"

	sk_msg "creating namespaces ${HA_NAMESPACES[*]}"
	ha_topology_up
	sk_msg "starting nginx in sk-ha-web1..3"
	head -c 1M /dev/urandom > "$HA_RUN/big.bin"
	for p in "${HA_NGINX[@]}"; do
		RUN=$HA_RUN nginx_start "${p%%:*}" "${p#*:}"
	done
	if [ -n "${SK_LAB_HA_NO_UNITS:-}" ]; then
		trap - EXIT
		sk_msg "SK_LAB_HA_NO_UNITS set: topology only, no sekisho-dp/sekisho-cp started"
		return 0
	fi
	sk_msg "compiling $HA_CONF"
	"$CP" --compile "$HA_CONF" -o "$HA_RUN/ha-lab.img" ||
		sk_die "sekisho-cp could not compile $HA_CONF"
	for u in 1 2; do
		ha_dp_start "$u"
	done
	for u in 1 2; do
		ha_cp_start "$u"
	done
	trap - EXIT
	ha_print_try
}

ha_up_failed() {
	local st=$?
	[ "$st" -ne 0 ] || return 0
	if [ -n "${SK_LAB_KEEP_ON_FAIL:-}" ]; then
		sk_warn "lab up --ha failed; left as it is: scripts/lab down removes it"
	else
		sk_warn "lab up --ha failed; tearing down (SK_LAB_KEEP_ON_FAIL=1 keeps it)"
		ha_down || true
	fi
	exit "$st"
}

ha_down() {
	local ns pid p u i left prefixes=("${HA_PREFIXES[@]}")
	if [ -s "$HA_RUN/file_prefixes" ]; then mapfile -t prefixes < "$HA_RUN/file_prefixes"; fi
	for u in 1 2; do
		stop_pid "$HA_RUN/cp$u.pid" sekisho-cp "sekisho-cp unit $u"
	done
	for u in 1 2; do
		stop_pid "$HA_RUN/dp$u.pid" sekisho-dp "sekisho-dp unit $u"
	done
	for p in "${HA_NGINX[@]}"; do
		stop_pid "$HA_RUN/nginx-${p%%:*}/nginx.pid" nginx "nginx ${p%%:*}"
	done
	for ns in "${HA_NAMESPACES[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			sk_msg "stopping pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) left in $ns"
			kill -TERM "$pid" 2>/dev/null || true
		done
	done
	for ((i = 0; i < 30; i++)); do
		left=""
		for ns in "${HA_NAMESPACES[@]}"; do
			[ -e "/run/netns/$ns" ] && left+=$(ip netns pids "$ns" 2>/dev/null)
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	for ns in "${HA_NAMESPACES[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			sk_warn "pid $pid in $ns ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" || sk_warn "could not delete namespace $ns"
	done
	if [ -s "$HA_RUN/psk_path" ]; then rm -f "$(cat "$HA_RUN/psk_path")"; fi
	# The cps' state (TLS certificate, archives) and logs, where the config
	# puts them: under the plain lab's run dir, which is not up (ha_up
	# refuses to start beside it).
	if [ ! -e /run/netns/sk-fw ] && [ -f "$HA_CONF" ]; then
		for p in "$(conf_str state_dir | head -n 1)" "$(conf_str dir | head -n 1)"; do
			[[ $p == /run/* ]] || continue
			rm -rf "$p"
			rmdir "$(dirname "$p")" 2>/dev/null || true
		done
	fi
	rm -rf "$HA_RUN"
	shopt -s nullglob
	for p in "${prefixes[@]}"; do
		[ -n "$p" ] || continue
		for i in /dev/hugepages/"$p"*; do rm -f "$i"; done
		rm -rf "/var/run/dpdk/$p"
	done
	shopt -u nullglob
	sk_msg "HA lab is down"
}

ha_status() {
	local ns u up=0 p
	echo "HA lab namespaces:"
	for ns in "${HA_NAMESPACES[@]}"; do
		if [ -e "/run/netns/$ns" ]; then echo "  $ns"; up=1; else echo "  $ns (absent)"; fi
	done
	[ "$up" -eq 1 ] || return 1
	if [ -s "$HA_RUN/file_prefixes" ]; then mapfile -t HA_PREFIXES < "$HA_RUN/file_prefixes"; fi
	echo "processes:"
	for u in 1 2; do
		for p in cp dp; do
			if pid_alive "$HA_RUN/$p$u.pid" "sekisho-$p"; then
				echo "  sekisho-$p unit $u pid $(cat "$HA_RUN/$p$u.pid") running"
			else
				echo "  sekisho-$p unit $u not running"
			fi
		done
	done
	for u in 1 2; do
		echo "unit $u dataplane (/sekisho/stats, prefix ${HA_PREFIXES[$((u - 1))]}):"
		/usr/bin/python3 "$SK_ROOT/scripts/lib/telemetry.py" -p "${HA_PREFIXES[$((u - 1))]}" \
			--summary 2>/dev/null || echo "  telemetry not reachable"
	done
}
