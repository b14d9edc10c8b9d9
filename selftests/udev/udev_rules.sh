#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of udev/60-m4rpc.rules under the real systemd-udevd: the board's
# nodes exist before udevd starts (coldplug: `udevadm trigger`, `settle`),
# then /dev/m4rpc0 is group m4rpc, mode 0660, /dev/ttyM4RPC0 dialout,
# /dev/m4rpc/by-path/spiB.C and /dev/ttyM4RPC-spiB.C lead to them, and
# /dev/m4rpc/by-uid/ is empty while the H7 has not answered. When the
# emulated H7 (m4rpc-sim) answers, the kernel's change uevent brings
# by-uid/UID; another UID on the same SPI device replaces it; unbinding
# removes the links. A user outside the group gets EACCES and the
# library's sentence (the group, the rule, or "log in again" for a member
# whose session predates it); a member calls the M4 through both links.
# The group and users live in tmpfs copies of /etc/group and /etc/passwd
# bind-mounted over the (read-only) originals. Prints TAP; needs root and
# $M4RPC_KMOD_DIR (scripts/vm-run.sh). Installed as build/selftests/udev_rules.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../tools
m4rpc=$bin/m4rpc
emu=$bin/m4rpc-sim
rules=$here/60-m4rpc.rules
kmod=${M4RPC_KMOD_DIR:-}
udevd=/lib/systemd/systemd-udevd
out=$(mktemp -d)
# shellcheck source=../common/tap.sh
. "$here/tap.sh"
uid_a=0123456789abcdef01234567
uid_b=89abcdef0123456789abcdef
loaded=
mounts=
emu_pid=
udevd_up=

stop_emu() {
	[ -n "$emu_pid" ] || return 0
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
}

cleanup() {
	local m
	stop_emu
	for m in $loaded; do
		[ -e "/sys/module/$m" ] && { rmmod "$m" || echo "# rmmod $m failed"; }
	done
	[ -n "$udevd_up" ] && udevadm control --exit 2>/dev/null
	rm -f /run/udev/rules.d/60-m4rpc.rules
	for m in $mounts; do umount "$m"; done
	rm -rf "$out"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || [ ! -e "$kmod/m4rpc_sim.ko" ] || [ ! -e "$kmod/m4rpc.ko" ]; then
	echo "1..0 # SKIP needs root and \$M4RPC_KMOD_DIR/m4rpc{,_sim}.ko: run in the VM"
	exit 4
fi
for f in "$udevd" /usr/bin/udevadm /usr/bin/setpriv "$m4rpc" "$emu"; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f missing (make deps-vm installs udev)"; exit 4; }
done
[ -e /sys/module/m4rpc ] && { echo "Bail out! m4rpc.ko is loaded already"; exit 1; }
pgrep -x systemd-udevd >/dev/null && { echo "Bail out! systemd-udevd runs already"; exit 1; }

# ---- the group and the users, in copies over /etc -----------------------
# out: not in m4rpc; late: in it in /etc/group, not in its process (it
# logged in before being added); in: a member.
gid=64990
cp /etc/group "$out/group"
cp /etc/passwd "$out/passwd"
echo "m4rpc:x:$gid:m4rpcin,m4rpclate" >>"$out/group"
for u in out:64991 late:64992 in:64993; do
	echo "m4rpc${u%%:*}:x:${u#*:}:${u#*:}::/tmp:/bin/sh" >>"$out/passwd"
	echo "m4rpc${u%%:*}:x:${u#*:}:" >>"$out/group"
done
for f in group passwd; do
	mount --bind "$out/$f" "/etc/$f" || { echo "Bail out! bind mount /etc/$f"; exit 1; }
	mounts="/etc/$f $mounts"
done
[ "$(getent group m4rpc | cut -d: -f3)" = "$gid" ] ||
	{ echo "Bail out! the group m4rpc does not resolve"; exit 1; }

echo "1..16"
# ---- the nodes before udev: coldplug -----------------------------------
insmod "$kmod/m4rpc_sim.ko" || { echo "Bail out! insmod m4rpc_sim.ko"; exit 1; }
loaded=m4rpc_sim
insmod "$kmod/m4rpc.ko" || { echo "Bail out! insmod m4rpc.ko"; exit 1; }
loaded="m4rpc $loaded"
for i in $(seq 100); do
	[ -c /dev/m4rpc0 ] && [ -c /dev/ttyM4RPC0 ] && break
	sleep 0.05
done
spi=$(basename "$(readlink -f /sys/class/m4rpc-ep/m4rpc0/device)")
echo "# board 0: /dev/m4rpc0 on $spi"

mkdir -p /run/udev/rules.d
install -m 644 "$rules" /run/udev/rules.d/60-m4rpc.rules
"$udevd" --daemon 2>"$out/udevd.err" && udevd_up=1
check $? "systemd-udevd starts"
udevadm trigger --action=add --subsystem-match=m4rpc-ep --subsystem-match=tty
udevadm settle --timeout=30
check $? "udevadm trigger and settle"

# mode_of NODE: "GROUP MODE" of the node.
mode_of() { stat -L -c '%G %a' "$1" 2>&1; }
# link_is LINK NODE: the link leads to the node.
link_is() { [ -L "$1" ] && [ "$(readlink -f "$1")" = "$2" ]; }
# wait_for CMD...: up to 10 s for the condition (udev works asynchronously
# after a change uevent; settle waits for queued events only).
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		udevadm settle --timeout=5
		sleep 0.1
	done
	"$@"
}
by_uid() { ls /dev/m4rpc/by-uid 2>/dev/null | tr '\n' ' '; }

m=$(mode_of /dev/m4rpc0)
[ "$m" = "m4rpc 660" ]
check $? "/dev/m4rpc0: group m4rpc, mode 0660 ($m)"
m=$(mode_of /dev/ttyM4RPC0)
[ "$m" = "dialout 660" ]
check $? "/dev/ttyM4RPC0: group dialout, mode 0660 ($m)"
link_is "/dev/m4rpc/by-path/$spi" /dev/m4rpc0
check $? "/dev/m4rpc/by-path/$spi -> /dev/m4rpc0"
link_is "/dev/ttyM4RPC-$spi" /dev/ttyM4RPC0
check $? "/dev/ttyM4RPC-$spi -> /dev/ttyM4RPC0"
cat /sys/class/m4rpc-ep/m4rpc0/uid >/dev/null 2>"$out/uid.err"
[ $? != 0 ] && grep -q "No data" "$out/uid.err" && [ -z "$(by_uid)" ]
check $? "H7 silent: sysfs uid ENODATA, no /dev/m4rpc/by-uid link ($(by_uid))"

# ---- the H7 answers: the change uevent names the board -----------------
# start_emu UID: m4rpc-sim as board 0's H7 with that UID, back once the
# link has its answers.
start_emu() {
	local i
	stop_emu
	"$emu" --board 0 -q --uid "$1" 2>"$out/emu.err" &
	emu_pid=$!
	for i in $(seq 200); do
		[ "$(cat /sys/class/m4rpc-ep/m4rpc0/m4_state 2>/dev/null)" = 1 ] &&
			[ "$(cat /sys/class/m4rpc-ep/m4rpc0/uid 2>/dev/null)" = "$1" ] && return 0
		kill -0 "$emu_pid" 2>/dev/null || break
		# a new H7 on a link already up is seen at the next exchange
		echo 1 >/sys/class/m4rpc-ep/m4rpc0/device/m4rpc/refresh 2>/dev/null
		sleep 0.05
	done
	echo "# m4rpc-sim --uid $1: the link did not get its answers"
	diag "$out/emu.err"
	return 1
}
start_emu "$uid_a"
wait_for link_is "/dev/m4rpc/by-uid/$uid_a" /dev/m4rpc0
check $? "H7 answered: /dev/m4rpc/by-uid/$uid_a -> /dev/m4rpc0 ($(by_uid))"

# ---- who may open it ------------------------------------------------------
run_cmd nok setpriv --reuid=64991 --regid=64991 --clear-groups "$m4rpc" info -d /dev/m4rpc0
expect nok 6 "" "/dev/m4rpc0: permission denied: join the device's group 'm4rpc'|usermod -aG m4rpc" \
	"a user outside the group: EACCES, the sentence names the group m4rpc"
run_cmd late setpriv --reuid=64992 --regid=64992 --groups 64992 "$m4rpc" info -d /dev/m4rpc0
expect late 6 "" "permission denied|is a member of 'm4rpc' in the group database|log in again" \
	"a member whose process lacks the group: EACCES, told to log in again"
run_cmd ok setpriv --reuid=64993 --regid=64993 --init-groups "$m4rpc" call -d "/dev/m4rpc/by-uid/$uid_a" temperature
expect ok 0 "100" - "a member of m4rpc: call through /dev/m4rpc/by-uid/$uid_a"
run_cmd okp setpriv --reuid=64993 --regid=64993 --init-groups "$m4rpc" call -d "/dev/m4rpc/by-path/$spi" humidity
expect okp 0 "200" - "a member of m4rpc: call through /dev/m4rpc/by-path/$spi"

# Without the rule (the node root's, 0600) the sentence says what to install.
chgrp root /dev/m4rpc0 && chmod 0600 /dev/m4rpc0
run_cmd norule setpriv --reuid=64993 --regid=64993 --init-groups "$m4rpc" info -d /dev/m4rpc0
expect norule 6 "" "mode 0600|60-m4rpc.rules|GROUP=\"m4rpc\", MODE=\"0660\"" \
	"node without the rule: EACCES, the sentence names the udev rule"
udevadm trigger --action=change /sys/class/m4rpc-ep/m4rpc0
udevadm settle --timeout=30
m=$(mode_of /dev/m4rpc0)
[ "$m" = "m4rpc 660" ]
check $? "a change event applies the rule again ($m)"

# ---- another H7 on the same SPI device ------------------------------------
start_emu "$uid_b"
wait_for eval "link_is /dev/m4rpc/by-uid/$uid_b /dev/m4rpc0 && [ ! -e /dev/m4rpc/by-uid/$uid_a ]"
check $? "UID changed: by-uid/$uid_b replaces by-uid/$uid_a ($(by_uid))"
stop_emu

# ---- unbound: the links go --------------------------------------------------
rmmod m4rpc
loaded=m4rpc_sim
udevadm settle --timeout=30
wait_for eval "[ ! -e /dev/m4rpc/by-path/$spi ] && [ -z \"\$(by_uid)\" ] && [ ! -e /dev/ttyM4RPC-$spi ]"
check $? "m4rpc.ko removed: every link is gone"
[ -s "$out/udevd.err" ] && { echo "# systemd-udevd said:"; diag "$out/udevd.err"; }
echo "# $n tests, $failed failed"
[ "$failed" = 0 ]
