#!/bin/bash
# `make demo`, inside the test VM: the simulated board, the emulated H7 running
# the X8 tutorial's `sensors` sketch, the board described by `m4rpc info`, the
# sensors read through /dev/m4rpc0 with `m4rpc call`, and a line of the tty
# sketch's Serial output shown by `m4rpc listen`. x8h7-rawcall (raw spidev,
# no driver) stands in when m4rpc is not built. Runs as root in the guest
# (see scripts/vm-run.sh).
set -eu
kmod=${M4RPC_KMOD_DIR:?}
bin=build/tools
dir=$(mktemp -d)

step() { printf '\n== %s\n' "$*"; }

step "loading the simulated SPI link (m4rpc_sim.ko)"
insmod "$kmod/m4rpc_sim.ko"
ls -l /dev/m4rpc-sim0
if [ -e "$kmod/m4rpc.ko" ]; then
	step "loading the link driver (m4rpc.ko)"
	insmod "$kmod/m4rpc.ko"
fi

sim=
stop_sim() {
	if [ -n "$sim" ]; then
		kill "$sim" 2>/dev/null || true
		wait "$sim" 2>/dev/null || true
	fi
	sim=
}
trap 'stop_sim; rm -rf "$dir"' EXIT
# start_sim SKETCH: the emulated H7 and M4 on board 0, the link told.
start_sim() {
	stop_sim
	"$bin/m4rpc-sim" --board 0 --sketch "$1" -q &
	sim=$!
	sleep 1
	# The link notices a new H7 at its next exchange: ask it now.
	[ -w "$link/refresh" ] && echo 1 >"$link/refresh"
	return 0
}
link=/sys/class/m4rpc-ep/m4rpc0/device/m4rpc

if [ -x "$bin/m4rpc" ] && [ -x "$bin/m4rpc-sim" ] && [ -e /dev/m4rpc0 ]; then
	step "starting the emulated H7 with the 'sensors' sketch (m4rpc-sim)"
	start_sim sensors
	step "the board: m4rpc info"
	"$bin/m4rpc" info
	step "the sketch's methods through /dev/m4rpc0: m4rpc call"
	for m in temperature humidity pressure gas altitude; do
		printf '%-12s ' "$m"
		"$bin/m4rpc" call -w 5000 "$m"
	done
	step "the 'tty' sketch: a line of the M4's Serial output, m4rpc listen"
	start_sim tty
	"$bin/m4rpc" listen -n 2 -t 5000 tty 2>"$dir/listen.err" &
	listen=$!
	for _ in $(seq 100); do grep -q listening "$dir/listen.err" && break; sleep 0.05; done
	# The tty sketch echoes each line written to its Serial back with
	# println(): the line that m4rpc listen prints comes from the M4.
	"$bin/m4rpc" call tty 'Hello from the M4 Serial
' >/dev/null
	wait "$listen"
	stop_sim
elif [ -x "$bin/x8h7-rawcall" ] && [ -x "$bin/m4rpc-sim" ]; then
	# x8h7-rawcall binds spidev to the board's SPI device itself (and says
	# so); --rebind takes the device from m4rpc.ko if that has bound it.
	step "calling the sketch's methods over raw SPI transfers (spidev)"
	start_sim sensors
	"$bin/x8h7-rawcall" --board 0 --rebind --fw --m4 \
		temperature humidity pressure gas altitude
	stop_sim
fi

step "kernel log"
dmesg | grep -E 'm4rpc|x8h7' | tail -n 20 || true
