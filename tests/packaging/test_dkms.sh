#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host test of DKMS (dkms.conf, packaging/dkms.mk) with the real dkms and
# Debian's installed headers: make dkms-install (dkms-source, dkms add,
# build, install for the headers' kernel, which need not be the running
# one), dkms status, modinfo and modprobe --dry-run finding m4rpc.ko where
# dkms put it, then make dkms-remove leaving nothing: no /usr/src/m4rpc-*,
# no /var/lib/dkms/m4rpc, no m4rpc.ko in that kernel's modules.
#
# It changes the host (root only): runs are serialized by a lock, and a
# trap removes what it installed even when it fails. An m4rpc that is in
# DKMS already and is no leftover of this test is left alone (skip).
# About a minute: dkms builds the module.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ver=$(cat "$top/VERSION")
mod=m4rpc/$ver
src=/usr/src/m4rpc-$ver
tmp=$(mktemp -d)
out=$tmp
# shellcheck source=../../selftests/common/tap.sh
. "$top/selftests/common/tap.sh"
plan=9
echo "1..$plan"
skip_all() {
	local i
	for i in $(seq 1 $plan); do echo "ok $i # SKIP $1"; done
	rm -rf "$tmp"
	exit 4
}
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$top" "$@"; }

[ "$(id -u)" = 0 ] || skip_all "not root"
command -v dkms >/dev/null || skip_all "dkms not installed (make deps-dkms)"
# The kernel whose headers are installed (with a .config), newest first.
kver=$(ls -d /lib/modules/*/build/.config 2>/dev/null | cut -d/ -f4 | sort -V | tail -n 1)
[ -n "$kver" ] || skip_all "no kernel headers in /lib/modules/*/build"
echo "# dkms $(dkms --version | cut -d- -f2), headers of $kver (running $(uname -r))"

exec 9>/run/lock/m4rpc-dkms-test.lock
flock -w 900 9 || skip_all "another run holds /run/lock/m4rpc-dkms-test.lock"
active=/run/lock/m4rpc-dkms-test.active
cleanup() {
	if dkms status m4rpc 2>/dev/null | grep -q "^$mod"; then
		dkms remove "$mod" --all >/dev/null 2>&1
	fi
	rm -rf "$src" "$active" "$tmp"
}
if [ -e "$active" ]; then
	echo "# cleaning what an interrupted run left"
	cleanup
	tmp=$(mktemp -d) out=$tmp
elif dkms status m4rpc 2>/dev/null | grep -q . || [ -e "$src" ]; then
	skip_all "m4rpc is in DKMS already, not by this test (make dkms-remove first)"
fi
touch "$active"
trap cleanup EXIT
# A signal (make check's timeout, ^C) ends the script through the EXIT trap.
trap 'exit 1' INT TERM HUP

start=$(date +%s)
run_cmd inst timeout 900 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	make --no-print-directory -C "$top" dkms-install DKMS_KVER="$kver"
grep -q "^dkms add $mod" "$out/inst.out" && grep -q "^dkms build $mod -k $kver" "$out/inst.out" &&
	grep -q "^dkms install $mod -k $kver" "$out/inst.out"
steps=$?
if [ "$(cat "$out/inst.rc")" = 0 ] && [ $steps = 0 ]; then
	ok "make dkms-install: dkms add, build, install $mod for $kver ($(($(date +%s) - start)) s)"
else
	nok "make dkms-install: dkms add, build, install $mod for $kver"
	diag "$out/inst.out" "$out/inst.err"
	ls /var/lib/dkms/m4rpc/"$ver"/build/make.log >/dev/null 2>&1 &&
		tail -n 20 /var/lib/dkms/m4rpc/"$ver"/build/make.log | diag
fi

# What dkms add copied: dkms.conf, VERSION, kernel/'s Kbuild and C only.
(cd "$src" && find . -type f | sed 's|^\./||' | sort) >"$out/src"
(cd "$top" && { echo dkms.conf; echo VERSION; echo kernel/Kbuild; find kernel -name '*.[ch]'; } | sort) >"$out/want"
if diff -u "$out/want" "$out/src" >"$out/src.diff"; then
	ok "$src: dkms.conf, VERSION and kernel/'s sources, nothing of build/"
else
	nok "$src: dkms.conf, VERSION and kernel/'s sources, nothing of build/"
	diag "$out/src.diff"
fi

st=$(dkms status m4rpc -k "$kver" 2>&1)
echo "# dkms status: $st"
[[ "$st" == "$mod, $kver, "*": installed"* ]]
check $? "dkms status: $mod (the version of VERSION), $kver: installed"

ko=/lib/modules/$kver/updates/dkms/m4rpc.ko
f=$(modinfo -k "$kver" -F filename m4rpc 2>&1)
[[ "$f" == "$ko"* ]] && [ -e "$f" ] &&
	modinfo -k "$kver" -F vermagic m4rpc | grep -q "^$kver " &&
	modinfo -k "$kver" -F alias m4rpc | grep -qx 'of:N\*T\*Cportenta,x8h7'
check $? "modinfo -k $kver m4rpc: $f, vermagic $kver, the X8's of: alias"

mp=$(modprobe -n -v -S "$kver" m4rpc 2>&1)
echo "# modprobe -n -v: $mp"
grep -q "^insmod $ko" <<<"$mp"
check $? "modprobe --dry-run -S $kver m4rpc: insmod $ko"

# The test module stays out of the kernel's tree (dkms.conf says why).
! modinfo -k "$kver" m4rpc_sim >/dev/null 2>&1
check $? "m4rpc_sim.ko is not installed"

run_cmd rm mk dkms-remove
left=$(ls -d /usr/src/m4rpc-* /var/lib/dkms/m4rpc /lib/modules/"$kver"/updates/dkms/m4rpc.ko* 2>/dev/null)
grep -q 'm4rpc' "/lib/modules/$kver/modules.dep" && left="$left modules.dep"
modinfo -k "$kver" m4rpc >/dev/null 2>&1 && left="$left modinfo"
if [ "$(cat "$out/rm.rc")" = 0 ] && [ -z "$left" ]; then
	ok "make dkms-remove: no /usr/src/m4rpc-*, /var/lib/dkms/m4rpc, m4rpc.ko or modules.dep entry left"
else
	nok "make dkms-remove: left $left"
	diag "$out/rm.out" "$out/rm.err"
fi
[ -z "$(dkms status m4rpc 2>&1)" ]
check $? "dkms status m4rpc: nothing"

run_cmd rm2 mk dkms-remove
expect rm2 0 "" "-" "make dkms-remove again: nothing to do, no error"

[ "$failed" = 0 ]
