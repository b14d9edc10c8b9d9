#!/bin/bash
# `make demo`, inside the test VM: the simulated board, the emulated H7 running
# the X8 tutorial's `sensors` sketch, and a Linux program reading the sensors
# over the link. Runs as root in the guest (see scripts/vm-run.sh).
set -eu
kmod=${M4RPC_KMOD_DIR:?}
bin=build/tools

step() { printf '\n== %s\n' "$*"; }

step "loading the simulated SPI link (m4rpc_sim.ko)"
insmod "$kmod/m4rpc_sim.ko"
ls -l /dev/m4rpc-sim0
if [ -e "$kmod/m4rpc.ko" ]; then
	step "loading the link driver (m4rpc.ko)"
	insmod "$kmod/m4rpc.ko"
fi

if [ -x "$bin/m4rpc-sim" ]; then
	step "starting the emulated H7 with the 'sensors' sketch"
	"$bin/m4rpc-sim" --board 0 --sketch sensors &
	sim=$!
	trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null' EXIT
	sleep 1
fi

if [ -x "$bin/m4rpc" ] && [ -e /dev/m4rpc0 ]; then
	step "calling the sketch's methods from Linux"
	for m in temperature humidity pressure gas altitude; do
		printf '%-12s ' "$m"
		"$bin/m4rpc" call "$m"
	done
elif [ -x "$bin/x8h7-rawcall" ]; then
	# x8h7-rawcall binds spidev to the board's SPI device itself (and says
	# so); --rebind takes the device from m4rpc.ko if that has bound it.
	step "calling the sketch's methods over raw SPI transfers (spidev)"
	"$bin/x8h7-rawcall" --board 0 --rebind --fw --m4 \
		temperature humidity pressure gas altitude
fi

step "kernel log"
dmesg | grep -E 'm4rpc|x8h7' | tail -n 20 || true
