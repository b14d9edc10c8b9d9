#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of the device-tree path, as on the Portenta X8: the arm64 VM's
# device tree has a simulated board's node (scripts/arm64-sim-board.dtsi),
# m4rpc_sim.ko of_board=1 makes board 0's SPI device from its child
# "portenta,x8h7" (kernel/sim/sim_of.c), and m4rpc.ko must bind it with no
# driver_override: the SPI core tries a driver's of_match_table first.
# Checked: the device carries the DT node, its modalias is the one the SPI
# core derives from the compatible ("spi:x8h7": 6.1 announces SPI devices
# so, DT or not) and one of m4rpc.ko's aliases matches it (udev's
# autoload), m4rpc.ko has the "of:" alias of "portenta,x8h7" (its
# of_device_id table, what the SPI core's OF match uses), m4rpc binds it, nIRQ comes from the DT's
# interrupt (the link runs in level mode, not polling), a call goes through,
# and the node survives an unload and a second load.
# Run by `make check-arm64`; elsewhere (no such node) it skips.
# Installed as build*/selftests/link_of next to tools_lib.sh.
set -u
. "$(dirname "$0")/tools_lib.sh"

cleanup() {
	stop_emu
	[ -e /sys/module/m4rpc ] && { rmmod m4rpc || echo "# rmmod m4rpc failed"; }
	[ -e /sys/module/m4rpc_sim ] && { rmmod m4rpc_sim || echo "# rmmod m4rpc_sim failed"; }
	rm -rf "$out"
}
trap cleanup EXIT
need_vm
node=/proc/device-tree/m4rpc-sim-board
if [ ! -d "$node" ]; then
	if [ "$(uname -m)" = aarch64 ]; then
		echo "Bail out! no $node: the VM's device tree lacks scripts/arm64-sim-board.dtsi"
		exit 1
	fi
	echo "1..0 # SKIP no device-tree node m4rpc-sim-board (make check-arm64 boots with one)"
	exit 4
fi
{ [ -e /sys/module/m4rpc ] || [ -e /sys/module/m4rpc_sim ]; } &&
	{ echo "Bail out! m4rpc or m4rpc_sim is loaded already"; exit 1; }

# The SPI device whose DT node is "portenta,x8h7", or nothing.
of_spi() {
	local d
	for d in /sys/bus/spi/devices/*; do
		[ "$(tr -d '\0' <"$d/of_node/compatible" 2>/dev/null)" = portenta,x8h7 ] &&
			{ echo "$d"; return; }
	done
}

echo "1..11"
run bad insmod "$kmod/m4rpc_sim.ko" of_board=1 irq_mode=none
[ "$(cat "$out/bad.rc")" != 0 ] && [ ! -e /sys/module/m4rpc_sim ]
check $? "of_board=1 irq_mode=none: refused (the device tree wires nIRQ)"

insmod "$kmod/m4rpc_sim.ko" of_board=1 || { echo "Bail out! insmod m4rpc_sim.ko of_board=1"; exit 1; }
spi=$(of_spi)
[ -n "$spi" ] && [ "$(readlink -f "$spi/of_node")" = "$(readlink -f "$node")/x8h7@0" ]
check $? "board 0's SPI device is the DT node's child x8h7@0 (${spi##*/})"
[ -n "$spi" ] || { echo "Bail out! no SPI device with the DT node"; exit 1; }

modalias=$(cat "$spi/modalias")
[ "$modalias" = spi:x8h7 ]
check $? "its modalias comes from the node's compatible (got $modalias)"
# The aliases from the .modinfo section itself (NUL-separated key=value):
# busybox's modinfo wants a modules.dep.
aliases=$(tr '\0' '\n' <"$kmod/m4rpc.ko" | sed -n 's/^alias=//p')
m=
of=
for a in $aliases; do
	# shellcheck disable=SC2053
	[[ $modalias == $a ]] && m=$a
	[[ "of:Nx8h7T(null)Cportenta,x8h7" == $a ]] && of=$a
done
[ -n "$m" ]
check $? "an alias of m4rpc.ko matches it, so udev would load the module (${m:-none})"
[ -n "$of" ]
check $? "m4rpc.ko's of_device_id table has \"portenta,x8h7\" (alias ${of:-none})"

insmod "$kmod/m4rpc.ko" || { echo "Bail out! insmod m4rpc.ko"; exit 1; }
[ "$(basename "$(readlink -f "$spi/driver")")" = m4rpc ] && [ -z "$(cat "$spi/driver_override")" ]
check $? "m4rpc is bound to it with no driver_override"
mode=$(cat "$spi/m4rpc/irq_mode" 2>/dev/null)
[ "$mode" = level ] && grep -q "m4rpc-sim .*${spi##*/}" /proc/interrupts
check $? "nIRQ from the DT's interrupts-extended: the link is in level mode (got ${mode:-nothing}) on the board's irq"
grep "m4rpc-sim" /proc/interrupts | sed 's/^/#   /'

if start_emu; then
	run temp "$m4rpc" call temperature
	expect temp 0 "100" - "a call through the DT-bound link: m4rpc call temperature prints 100"
else
	nok "a call through the DT-bound link: the emulator did not come up"
fi
stop_emu

rmmod m4rpc && rmmod m4rpc_sim
check $? "m4rpc and m4rpc_sim unload"
insmod "$kmod/m4rpc_sim.ko" of_board=1 && [ -n "$(of_spi)" ]
check $? "loaded again, the node gives the device again (its reference and flag were released)"
rmmod m4rpc_sim
check $? "m4rpc_sim unloads again"
exit $((failed > 0))
