#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of x8h7-rawcall (tools/rawcall/): the tool against the emulated H7
# and M4 (m4rpc-sim) on simulated board 0 of m4rpc_sim.ko, through spidev,
# as `make demo` uses it. Prints TAP. Needs root and $M4RPC_KMOD_DIR (it runs
# in the VM, scripts/vm-run.sh); the modules it loads it unloads again.
#
# Installed as build/selftests/rawcall; the tools are found next to it in
# build/tools.
set -u
here=$(cd "$(dirname "$0")" && pwd)
rawcall=$here/../tools/x8h7-rawcall
emu=$here/../tools/m4rpc-sim
kmod=${M4RPC_KMOD_DIR:-}
out=$(mktemp -d)
emu_pid=
loaded=
spi=
orig=spidev
# shellcheck source=../common/tap.sh
. "$here/tap.sh"

# Give the SPI device back to the driver that had it before this test.
restore_driver() {
	local d=/sys/bus/spi/devices/$spi
	[ -n "$spi" ] && [ -e "$d" ] && [ "$orig" != spidev ] || return 0
	[ "$(driver_of)" = spidev ] && echo "$spi" >/sys/bus/spi/drivers/spidev/unbind
	echo >"$d/driver_override"
	if [ -n "$orig" ] && [ -z "$(driver_of)" ]; then
		echo "$spi" >"/sys/bus/spi/drivers/$orig/bind" ||
			echo "# could not give $spi back to $orig"
	fi
}

cleanup() {
	stop_emu
	restore_driver
	for m in $loaded; do
		rmmod "$m" || echo "# rmmod $m failed"
	done
	rm -rf "$out"
}
trap cleanup EXIT

# run NAME ARGS...: x8h7-rawcall ARGS, its stdout, stderr and status kept.
run() {
	local name=$1
	shift
	run_cmd "$name" "$rawcall" "$@"
}

stop_emu() {
	[ -n "$emu_pid" ] || return 0
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
}

# start_emu ARGS...: m4rpc-sim on board 0, back once it holds the slave end.
start_emu() {
	local i
	stop_emu
	"$emu" --board 0 -q "$@" 2>"$out/emu.err" &
	emu_pid=$!
	for i in $(seq 200); do
		ls -l "/proc/$emu_pid/fd" 2>/dev/null | grep -q m4rpc-sim0 && return 0
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# m4rpc-sim $* did not attach:"
	diag "$out/emu.err"
	return 1
}

if [ "$(id -u)" != 0 ] || [ ! -e "$kmod/m4rpc_sim.ko" ]; then
	echo "1..0 # SKIP needs root and \$M4RPC_KMOD_DIR/m4rpc_sim.ko: run in the VM"
	exit 4
fi
if [ ! -x "$rawcall" ] || [ ! -x "$emu" ]; then
	echo "1..0 # SKIP x8h7-rawcall or m4rpc-sim not built"
	exit 4
fi
if [ ! -e /sys/module/m4rpc_sim ]; then
	insmod "$kmod/m4rpc_sim.ko" || { echo "Bail out! insmod m4rpc_sim.ko"; exit 1; }
	loaded="m4rpc_sim $loaded"
fi
# The board's SPI device, spiB.C, as sysfs places it under the board.
spi=
for d in /sys/bus/spi/devices/*; do
	case "$(readlink -f "$d")" in
	*/m4rpc-sim.0/*) spi=${d##*/} ;;
	esac
done
[ -n "$spi" ] || { echo "Bail out! no SPI device under m4rpc-sim.0"; exit 1; }
spidev=/dev/spidev${spi#spi}
driver_of() { basename "$(readlink "/sys/bus/spi/devices/$spi/driver")" 2>/dev/null; }

# ---- usage ---------------------------------------------------------------
r=
run u1 temperature; r="$r $(cat "$out/u1.rc")"
run u2 --board 0; r="$r $(cat "$out/u2.rc")"
run u3 --board 0 --device "$spidev" gas; r="$r $(cat "$out/u3.rc")"
run u4 --board 0 --poll 0 gas; r="$r $(cat "$out/u4.rc")"
run u5 --board 0 --bogus gas; r="$r $(cat "$out/u5.rc")"
if [ "$r" = " 2 2 2 2 2" ]; then ok "usage errors exit with status 2"; else nok "usage errors exit with status 2 (got$r)"; fi

# ---- binding ---------------------------------------------------------------
# A device that another driver holds is taken only with --rebind: the one an
# earlier test left bound, else m4rpc.ko (the link driver, which matches
# x8h7-sim by name) if it is built. Whatever held the device gets it back at
# the end.
orig=$(driver_of)
if [ -z "$orig" ] && [ -e "$kmod/m4rpc.ko" ] && [ ! -e /sys/module/m4rpc ] &&
	insmod "$kmod/m4rpc.ko"; then
	loaded="m4rpc $loaded"
fi
holder=$(driver_of)
if [ -n "$holder" ] && [ "$holder" != spidev ]; then
	run held --board 0 --fw
	expect held 1 "" "$spi is bound to driver $holder|--rebind" \
		"a device bound to another driver ($holder) is left alone without --rebind"
	[ "$(driver_of)" = "$holder" ] && ok "... and stays with that driver" ||
		nok "... and stays with that driver (now: $(driver_of))"
	bind_msg="$spi: taken from $holder, bound to spidev (driver_override): $spidev"
else
	skip "a device bound to another driver is left alone without --rebind (no such driver)"
	skip "... and stays with that driver"
	bind_msg="$spi: bound to spidev (driver_override): $spidev"
	[ "$holder" = spidev ] && bind_msg=
fi

# Nothing attached to the slave end: the controller answers all zeros.
run noh7 --board 0 --rebind --timeout 300 temperature
if [ -n "$bind_msg" ]; then
	expect noh7 1 "" "$bind_msg" "binds spidev to the board's SPI device and says so"
else
	skip "binds spidev to the board's SPI device and says so (an earlier test bound it)"
fi
[ "$(driver_of)" = spidev ] && ok "spidev is bound" || nok "spidev is bound (driver: $(driver_of))"
expect noh7 1 "" "temperature: no reply within 300 ms|all zeros: nothing drives MISO" \
	"no H7: the call times out, all-zero frames named as the cause"

# ---- the sensors sketch, as in the demo ------------------------------------
start_emu --sketch sensors --fw-version rawcall-test-1.2 --uid 00112233445566778899aabb
run sensors --board 0 temperature humidity pressure gas altitude
expect sensors 0 "temperature 100
humidity 200
pressure 300
gas 400
altitude 500" - "the five sensor values, nothing on stderr (spidev already bound)"

run h7 --board 0 --fw --uid --m4
expect h7 0 "fw_version rawcall-test-1.2
uid 00112233445566778899aabb
boot_m4 1 (the M4 runs, RPC up)" - "the H7's FW_VERSION, GET_UID and BOOT_M4 replies"

run unknown --board 0 nosuch temperature
expect unknown 1 "temperature 100" \
	"x8h7-rawcall: nosuch: rpclib: server could not find function 'nosuch' with argument count 0." \
	"unknown method: rpclib's error, status 1, later calls still made"

run argc --board 0 temperature:1
expect argc 1 "" \
	"x8h7-rawcall: temperature: rpclib: Function 'temperature' was called with an invalid number of arguments. Expected: 0, got: 1" \
	"wrong argument count: rpclib's error"

run device --device "$spidev" gas
expect device 0 "gas 400" - "--device $spidev"

run verbose --board 0 -v pressure
expect verbose 0 "pressure 300" "> frame, size|[0a 01 len|reply: [1, |link counters" \
	"-v prints the frames, the reply and the counters"

# ---- arguments, through the echo sketch ------------------------------------
start_emu --sketch echo
run echo --board 0 echo:42 echo:-7 echo:0x2a echo:true echo:false echo:nil \
	echo:1.5 echo:hello 'echo:"a,b"' 'echo:""'
expect echo 0 "echo 42
echo -7
echo 42
echo true
echo false
echo nil
echo 1.5
echo hello
echo a,b
echo " - "arguments: ints, bools, nil, float, strings (quoted with commas, empty)"

long=$(printf 'x%.0s' $(seq 240))
run long --board 0 "echo:$long"
expect long 1 "" "one UI subframe carries at most 248" "a request longer than a subframe is refused"

# ---- noise: M4 calls, notifications and raw bytes around the replies -------
# The M4 talks before the tool starts: the H7 holds a backlog (and has
# dropped what did not fit), which the tool collects before its first
# request. Slow enough that polling keeps up afterwards (a burst that fills
# the H7's frame loses chunks, the reply's too: see rawcall_link.c).
start_emu --sketch traffic --traffic-kind mix --traffic-rate 20 --traffic-size 8 \
	--traffic-timeout 50 --traffic-method noise
sleep 0.3
want=
args=()
for i in $(seq 12); do
	args+=("echo:$i")
	want="$want${want:+
}echo $i"
done
run noise --board 0 -v "${args[@]}"
expect noise 0 "$want" "notification: [2, \"noise\"|call from the M4 (not answered): [0, |raw bytes: " \
	"replies found among the M4's calls, notifications and raw bytes"

# ---- a link that corrupts frames -------------------------------------------
# Half the H7's swaps arm 256 random bytes instead of the frame, which then
# waits for the next swap (seeded: the same draws every run).
start_emu --sketch sensors --garbage 0.5 --seed 7
run garbage --board 0 -v temperature humidity pressure gas altitude
expect garbage 0 "temperature 100
humidity 200
pressure 300
gas 400
altitude 500" "frame rejected (" "corrupt frames are rejected (strict parse) and the calls still answered"

start_emu --boot-m4 0
run nom4 --board 0 --timeout 300 --m4 temperature
expect nom4 1 "boot_m4 0 (the M4 runs, but its sketch did not open RPC)" \
	"temperature: no reply within 300 ms|the H7 had nothing to say" \
	"an M4 without RPC: BOOT_M4 says so, the call times out with that hint"

stop_emu
echo "1..$n"
[ "$failed" = 0 ]
