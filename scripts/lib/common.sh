# SPDX-License-Identifier: BSD-3-Clause
# scripts/lib/common.sh - helpers shared by scripts/setup-deps, scripts/lab,
# scripts/test and tests/lab/run: messages, the package list, what is
# missing on this box, and building the tree.  Sourced, never executed.

# shellcheck shell=bash

SK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SK_JOBS=${SK_JOBS:-2}   # the shop machine and CI have 2 cores: never more by default

# Packages to build Sekisho, then what the lab and the tests drive.
SK_PKGS_BUILD=(libdpdk-dev dpdk dpdk-dev dpdk-doc libnuma-dev libconfig-dev meson ninja-build
	pkg-config libpcap-dev libjansson-dev libmicrohttpd-dev libssl-dev libcurl4-openssl-dev gcc
	clang-14 libclang-rt-14-dev   # clang + libFuzzer/ASan runtimes: the fuzz build
	dpkg-dev lintian)             # scripts/package: the .deb
# The VE image and its boot test (scripts/build-image, `scripts/test image`):
# installed by `scripts/setup-deps --image`, not by default (CI does not boot it).
SK_PKGS_IMAGE=(mmdebstrap e2fsprogs dosfstools mtools fdisk qemu-utils qemu-system-x86 ovmf
	cloud-image-utils nginx-light curl ethtool openssh-client tcpdump)
SK_PKGS_LAB=(nginx-light curl wrk hping3 python3-scapy iproute2 iputils-ping ethtool netcat-openbsd tcpdump procps
	chromium chromium-driver python3-selenium)   # the last three: tests/console (a real browser)
SK_HUGEPAGES=1024       # 2 MB pages wanted by the lab (the lab image asks for 512 MB)

sk_msg()  { printf '%s: %s\n' "${SK_PROG:-sekisho}" "$*"; }
sk_warn() { printf '%s: warning: %s\n' "${SK_PROG:-sekisho}" "$*" >&2; }
sk_die()  { printf '%s: error: %s\n' "${SK_PROG:-sekisho}" "$*" >&2; exit 1; }

sk_is_root() { [ "$(id -u)" -eq 0 ]; }

# Print the packages from the lists above that are not installed.
sk_missing_pkgs() {
	local p st
	for p in "${SK_PKGS_BUILD[@]}" "${SK_PKGS_LAB[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || printf '%s\n' "$p"
	done
}

sk_hugepages_now() {
	cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0
}

sk_hugetlbfs_mounted() {
	awk '$2 == "/dev/hugepages" && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts
}

# True when setup-deps has something to do.
sk_setup_needed() {
	[ -n "$(sk_missing_pkgs)" ] && return 0
	[ "$(sk_hugepages_now)" -lt "$SK_HUGEPAGES" ] && return 0
	sk_hugetlbfs_mounted || return 0
	return 1
}

# sk_build DIR [meson options...]: configure DIR (or reconfigure it, so that
# newly added test files are picked up) and build it.  Returns non-zero on
# failure; output goes to stdout/stderr.
sk_build() {
	local dir=$1
	shift
	if [ -f "$SK_ROOT/$dir/meson-private/coredata.dat" ]; then
		if ! meson setup --reconfigure "$@" "$SK_ROOT/$dir" "$SK_ROOT"; then
			sk_warn "reconfigure of $dir failed; wiping it"
			meson setup --wipe "$@" "$SK_ROOT/$dir" "$SK_ROOT" || return 1
		fi
	else
		meson setup "$@" "$SK_ROOT/$dir" "$SK_ROOT" || return 1
	fi
	ninja -C "$SK_ROOT/$dir" -j "$SK_JOBS" || return 1
	# A test file that was removed must not leave its old binary to be run.
	ninja -C "$SK_ROOT/$dir" -t cleandead >/dev/null
}

# The libFuzzer build (scripts/fuzz, the fuzz suite of scripts/test): clang,
# ASan+UBSan, only the harnesses of tests/fuzz; build/ stays gcc.
SK_FUZZ_DIR=build-fuzz
sk_build_fuzz() {
	CC=${SK_FUZZ_CC:-clang-14} sk_build "$SK_FUZZ_DIR" -Dfuzz=true -Dwerror=false \
		-Db_sanitize=address,undefined -Db_lundef=false
}

# The fuzz targets: tests/fuzz/fuzz_<target>.c, one a line.
sk_fuzz_targets() {
	local f
	for f in "$SK_ROOT"/tests/fuzz/fuzz_*.c; do
		f=${f##*/fuzz_}
		printf '%s\n' "${f%.c}"
	done
}

# A harness that crashed never ran its exit handler: remove the EAL runtime
# directories (/var/run/dpdk/skfuzz<pid>) and state dirs (/tmp/skfuzz-rest.<pid>)
# of harnesses no longer running.
sk_fuzz_reap() {
	local d pid
	for d in /var/run/dpdk/skfuzz*; do
		[ -d "$d" ] || continue
		pid=${d##*/skfuzz}
		kill -0 "$pid" 2>/dev/null || rm -rf "$d"
	done
	# the rest target's state dirs (tests/fuzz/fuzz_rest.c)
	for d in /tmp/skfuzz-rest.*; do
		[ -d "$d" ] || continue
		pid=${d##*/skfuzz-rest.}
		kill -0 "$pid" 2>/dev/null || rm -rf "$d"
	done
	return 0
}
