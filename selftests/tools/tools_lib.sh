# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sourced by the VM tests of the m4rpc command and m4rpc-proxy (TAP
# scripts installed as build/selftests/NAME, this file next to them as
# build/selftests/tools_lib.sh): TAP lines, running a command with its
# output kept, the emulated board (m4rpc-sim on board 0) and the modules.
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../tools
m4rpc=$bin/m4rpc
emu=$bin/m4rpc-sim
kmod=${M4RPC_KMOD_DIR:-}
out=$(mktemp -d)
emu_pid=
emu_in=
# shellcheck source=../common/tap.sh
. "$here/tap.sh"

# run NAME CMD...: its stdout, stderr and exit status in $out/NAME.*
run() { run_cmd "$@"; }

stop_emu() {
	[ -n "$emu_pid" ] || return 0
	exec {emu_in}>&- 2>/dev/null
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
}

# start_emu ARGS...: m4rpc-sim on board 0 with --commands on a pipe
# (emu_cmd sends one), back once the link has asked the new H7 for its
# state and, unless WAIT_M4=no, the M4 runs RPC as /dev/m4rpc0 sees it.
start_emu() {
	local i
	stop_emu
	rm -f "$out/emu.fifo"
	mkfifo "$out/emu.fifo"
	"$emu" --board 0 -q --commands "$@" <"$out/emu.fifo" 2>"$out/emu.err" &
	emu_pid=$!
	exec {emu_in}>"$out/emu.fifo"
	for i in $(seq 400); do
		ls -l "/proc/$emu_pid/fd" 2>/dev/null | grep -q m4rpc-sim0 && break
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! ls -l "/proc/$emu_pid/fd" 2>/dev/null | grep -q m4rpc-sim0; then
		echo "# m4rpc-sim $* did not attach:"
		diag "$out/emu.err"
		return 1
	fi
	refresh
	[ "${WAIT_M4:-yes}" = no ] && return 0
	for i in $(seq 200); do
		[ "$(cat /sys/class/m4rpc-ep/m4rpc0/m4_state 2>/dev/null)" = 1 ] && return 0
		sleep 0.05
	done
	echo "# m4rpc-sim $*: the M4 did not come up on /dev/m4rpc0"
	return 1
}

emu_cmd() { echo "$*" >&"$emu_in"; }

# The link asks the H7 for its version, UID and M4 state, and waits for
# the answers: after the emulated H7 changed (the link sees a change only
# at its next exchange, and none comes while writes are refused).
refresh() {
	echo 1 >/sys/class/m4rpc-ep/m4rpc0/device/m4rpc/refresh 2>/dev/null ||
		echo "# refresh of the link's H7 info failed"
}

# set_m4 V: the emulated M4 restarted as BOOT_M4 V says, the link told.
set_m4() {
	local i
	emu_cmd boot-m4 "$1"
	for i in $(seq 50); do
		refresh
		[ "$(cat /sys/class/m4rpc-ep/m4rpc0/m4_state)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "# the M4 state did not become $1"
}

# The emulator's counters NAME... now, on one line (its stats command
# prints them; one that is 0 is not printed).
emu_stat() {
	local before name line= i
	before=$(wc -l <"$out/emu.err")
	emu_cmd stats
	for i in $(seq 40); do
		tail -n +"$((before + 1))" "$out/emu.err" | grep -q "counters (command)" && break
		sleep 0.05
	done
	sleep 0.1
	for name in "$@"; do
		line="$line${line:+ }$(tail -n +"$((before + 1))" "$out/emu.err" |
			awk -v k="$name" '$1 == k { v = $2 } END { print v + 0 }')"
	done
	echo "$line"
}

need_vm() {
	if [ "$(id -u)" != 0 ] || [ ! -e "$kmod/m4rpc_sim.ko" ] || [ ! -e "$kmod/m4rpc.ko" ]; then
		echo "1..0 # SKIP needs root and \$M4RPC_KMOD_DIR/m4rpc{,_sim}.ko: run in the VM"
		exit 4
	fi
	if [ ! -x "$m4rpc" ] || [ ! -x "$emu" ]; then
		echo "1..0 # SKIP m4rpc or m4rpc-sim not built"
		exit 4
	fi
}
