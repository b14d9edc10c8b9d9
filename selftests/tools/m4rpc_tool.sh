#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of the m4rpc command (tools/m4rpc/) against the emulated H7 and
# M4 (m4rpc-sim) on simulated board 0: module load/unload/status and their
# errors, `call` (the sensors, every kind of typed argument through the
# echo sketch), the documented exit statuses, `listen` on the tty sketch,
# `serve` answering the M4's own call (traffic sketch), `info`, `stats`,
# and the 53df799 firmware detection. Prints TAP; needs root and
# $M4RPC_KMOD_DIR (scripts/vm-run.sh). Installed as build/selftests/m4rpc_tool.
set -u
. "$(dirname "$0")/tools_lib.sh"
loaded=
bg_pids=

cleanup() {
	local p
	for p in $bg_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_emu
	for m in $loaded; do
		[ -e "/sys/module/$m" ] && { rmmod "$m" || echo "# rmmod $m failed"; }
	done
	rm -rf "$out"
}
trap cleanup EXIT
need_vm
[ -e /sys/module/m4rpc ] && { echo "Bail out! m4rpc.ko is loaded already"; exit 1; }
if [ ! -e /sys/module/m4rpc_sim ]; then
	insmod "$kmod/m4rpc_sim.ko" || { echo "Bail out! insmod m4rpc_sim.ko"; exit 1; }
	loaded="m4rpc_sim"
fi

# ---- module ------------------------------------------------------------
echo "# ${SECONDS}s: module"
run st0 "$m4rpc" module status
expect st0 6 "m4rpc       not loaded" "m4rpc module load" "module status: not loaded, exit 6, says how to load it"
run nf "$m4rpc" module load
expect nf 6 "" "module m4rpc not found: looked in /lib/modules/$(uname -r)|--path" \
	"module load: not installed: where it looked, what to do"
run nr setpriv --reuid=65534 --regid=65534 --clear-groups "$m4rpc" module load --path "$kmod/m4rpc.ko"
expect nr 6 "" "needs root|sudo" "module load as another user than root: refused, exit 6"
run stock env M4RPC_TEST_STOCK=m4rpc_sim "$m4rpc" module load --path "$kmod/m4rpc.ko"
expect stock 6 "" "stock x8h7 driver stack is loaded (m4rpc_sim)|x8h7_drv x8h7_ui x8h7_adc|/etc/modprobe.d/m4rpc.conf" \
	"module load with a stock x8h7 module loaded: refused, names it, how to blacklist"
run unk "$m4rpc" module load --path "$kmod/m4rpc.ko" no_such_param=1
expect unk 2 "" "'no_such_param': m4rpc has no such parameter|modinfo -p" \
	"module load with an unknown parameter: refused (the kernel would ignore it), where the list is"
run bad "$m4rpc" module load --path "$kmod/m4rpc.ko" max_msg_size=1
expect bad 8 "" "out of range|dmesg" "module load with a parameter out of range: the kernel's refusal explained"
run usage "$m4rpc" module load --path "$kmod/m4rpc.ko" noequals
expect usage 2 "" "PARAM=VALUE" "module load with a parameter that is no PARAM=VALUE: usage error"
run load "$m4rpc" module load --path "$kmod/m4rpc.ko"
expect load 0 "" - "module load --path m4rpc.ko: loaded"
[ -e /sys/module/m4rpc ] && loaded="m4rpc $loaded"
run again "$m4rpc" module load --path "$kmod/m4rpc.ko"
expect again 0 "" "loaded already" "module load again: loaded already, no error"
run st1 "$m4rpc" module status
expect st1 0 "*" - "module status: loaded, exit 0"
grep -q "^board       /dev/m4rpc0 on spi" "$out/st1.out" && grep -q "^parameter   " "$out/st1.out"
check $? "... and names the board and the parameters"

# ---- the sensors sketch --------------------------------------------------
echo "# ${SECONDS}s: the sensors sketch"
start_emu --sketch sensors --fw-version tools-test-1.0 --uid 00112233445566778899aabb
run temp "$m4rpc" call temperature
expect temp 0 "100" - "m4rpc call temperature prints 100"
r=
for m in humidity pressure gas altitude; do
	r="$r $("$m4rpc" call -d /dev/m4rpc0 "$m")"
done
[ "$r" = " 200 300 400 500" ]
check $? "the other sensors through -d /dev/m4rpc0 (got$r)"
run info "$m4rpc" info
expect info 0 "*" - "m4rpc info"
grep -qx "firmware     tools-test-1.0" "$out/info.out" &&
	grep -qx "uid          00112233445566778899aabb" "$out/info.out" &&
	grep -q "^m4           running: a sketch runs RPC" "$out/info.out" &&
	grep -q "^link         up" "$out/info.out" &&
	grep -q "max_tx_msg 24[48]" "$out/info.out" && ! grep -q defect "$out/info.out"
check $? "... firmware, UID, link up, the M4 in a sentence, limits, no defect"
[ "$(cat /sys/class/m4rpc-ep/m4rpc0/device/m4rpc/fw_clips)" = 0 ]
check $? "sysfs fw_clips is 0 for a sound firmware"
run ij "$m4rpc" info --json
grep -q '"m4": "running"' "$out/ij.out" && grep -q '"firmware": "tools-test-1.0"' "$out/ij.out" &&
	grep -q '"firmware_clips_frames": false' "$out/ij.out" && grep -q '"max_tx_msg": 24[48]' "$out/ij.out"
check $? "m4rpc info --json says the same"
run stats "$m4rpc" stats -s --json
grep -q '^  "link": {' "$out/stats.out" && grep -q '"rx_responses": [1-9]' "$out/stats.out" &&
	grep -q '"lib_replies_dropped": ' "$out/stats.out"
check $? "m4rpc stats -s --json: link and session counters"

# ---- exit statuses ---------------------------------------------------------
echo "# ${SECONDS}s: exit statuses"
run nometh "$m4rpc" call nosuch
expect nometh 4 "" "could not find function 'nosuch'|RPC.bind()" "no such method: exit 4, rpclib's text, what to check"
run argc "$m4rpc" call temperature 1
expect argc 1 "" "invalid number of arguments. Expected: 0, got: 1" "wrong argument count: exit 1 (remote error), rpclib's text"
run noboard "$m4rpc" call -d 7 temperature
expect noboard 6 "" "/dev/m4rpc7: no such device|ls /dev/m4rpc" "no such board: exit 6"
set_m4 0
run norpc "$m4rpc" call temperature
expect norpc 5 "" "did not call RPC.begin()" "an M4 sketch without RPC.begin(): exit 5, said so"
run info0 "$m4rpc" info
grep -q "^m4           no RPC: a sketch runs, but it did not call RPC.begin()" "$out/info0.out"
check $? "m4rpc info: the sketch did not call RPC.begin()"
set_m4 -1
run noprog "$m4rpc" call temperature
expect noprog 5 "" "the M4 has no program" "no M4 program: exit 5, said so"
run info1 "$m4rpc" info
grep -q "^m4           no program: no sketch in the M4's flash" "$out/info1.out"
check $? "m4rpc info: no sketch in the M4's flash"
set_m4 1


# ---- firmware 53df799 ------------------------------------------------------------
echo "# ${SECONDS}s: firmware 53df799"
emu_cmd clip-53df799 1
refresh
[ "$(cat /sys/class/m4rpc-ep/m4rpc0/device/m4rpc/fw_clips)" = 1 ]
check $? "53df799: the link finds the clipping firmware (sysfs fw_clips 1)"
run clipinfo "$m4rpc" info
expect clipinfo 7 "*" "clips frames" "53df799: m4rpc info exits 7"
grep -q "^defect       the H7 firmware clips every frame.*53df799.*Flash tag 0.0.5" "$out/clipinfo.out"
check $? "... and says what it is and what to flash"
run clipcall "$m4rpc" call temperature
expect clipcall 7 "" "53df799|tag 0.0.5" "53df799: m4rpc call refused with exit 7, the firmware named"
[ "$(dmesg | grep -c "clips every frame it receives.*53df799")" = 1 ]
check $? "53df799: said once in the kernel log"
emu_cmd clip-53df799 0
refresh
run unclip "$m4rpc" call temperature
expect unclip 0 "100" - "the H7 reflashed with a sound firmware: the mark is gone, calls work"

# ---- typed arguments through the echo sketch ---------------------------------
echo "# ${SECONDS}s: typed arguments through the echo sketch"
# The traffic sketch binds echo() too; its own calls of "ask" are for serve.
start_emu --sketch traffic --traffic-kind call --traffic-method ask --traffic-rate 2 \
	--traffic-size 2 --traffic-timeout 5000
y40=$(printf 'y%.0s' $(seq 40))
all='[true,false,null,42,-1,-70000,4294967296,3.5,"text","","'$y40'",[1,2],{"k":1},[1,[true,null],{"a":[]}],{"$bin":"00ff7f"},{"$bin":""},{"$ext":[3,"0102"]}]'
args=("$all" f32:0.25 hello str:42 hex:0a0b u64:18446744073709551615 -1 '"text"')
want=("$all" 0.25 '"hello"' '"42"' '{"$bin":"0a0b"}' 1.84467440737096e19 -1 '"text"')
bad=
for i in "${!args[@]}"; do
	got=$("$m4rpc" call echo "${args[$i]}" 2>&1)
	[ "$got" = "${want[$i]}" ] || bad="$bad [${args[$i]} -> $got, want ${want[$i]}]"
done
[ -z "$bad" ]
check $? "typed arguments of every kind come back from echo intact$bad"
printf 'a\0b\n' >"$out/bytes"
run file "$m4rpc" call echo "@$out/bytes"
expect file 0 '{"$bin":"6100620a"}' - "@FILE: the file's bytes as bin"
run big "$m4rpc" call echo "$(printf 'z%.0s' $(seq 300))"
expect big 8 "" "the board takes|max_tx_msg" "a message longer than the board takes: exit 8, the limit named"
run ntf "$m4rpc" notify echo 1
expect ntf 0 "" - "m4rpc notify: sent, nothing printed"

# ---- serve: an M4-originated call ----------------------------------------------
echo "# ${SECONDS}s: serve: an M4-originated call"
run serve "$m4rpc" serve -n 1 -t 3000 ask -- sh -c "cat > $out/params; echo 42"
expect serve 0 "" "serving ask on /dev/m4rpc0" "m4rpc serve answers one call of the M4 and exits (-n 1)"
# Message n of the traffic sketch: [n, bin of (u8)(n + i)].
p=$(cat "$out/params")
s=${p#[}
s=${s%%,*}
[ "$p" = "[$s,{\"\$bin\":\"$(printf '%02x%02x' $((s & 255)) $(((s + 1) & 255)))\"}]" ]
check $? "... the command got the call's params as JSON on stdin (got $p)"
[ "$(emu_stat m4_responses_in)" -ge 1 ] && [ "$(emu_stat m4_call_timeouts)" = 0 ]
check $? "... and the M4 got the answer (no call of it timed out)"

# ---- listen: the tty sketch's Serial output ------------------------------------
echo "# ${SECONDS}s: listen: the tty sketch's Serial output"
start_emu --sketch tty
"$m4rpc" listen -n 2 -t 10000 tty >"$out/listen.out" 2>"$out/listen.err" &
lpid=$!
bg_pids="$bg_pids $lpid"
for i in $(seq 100); do grep -q listening "$out/listen.err" && break; sleep 0.05; done
run unload_busy "$m4rpc" module unload
expect unload_busy 8 "" "in use|fuser" "module unload while /dev/m4rpc0 is open: refused, says what holds it"
run feed "$m4rpc" call tty 'hello from Linux
'
wait "$lpid"
echo $? >"$out/listen.rc"
expect listen 0 "$(printf 'hello from Linux\r')" "listening on /dev/m4rpc0 to tty" \
	"m4rpc listen shows the tty sketch's Serial output as text"
"$m4rpc" listen -n 1 -t 10000 --json tty >"$out/lj.out" 2>"$out/lj.err" &
lpid=$!
for i in $(seq 100); do grep -q listening "$out/lj.err" && break; sleep 0.05; done
emu_cmd serial hi
wait "$lpid"
[ "$(cat "$out/lj.out")" = '{"method":"tty","params":[{"$bin":"6869"}]}' ]
check $? "m4rpc listen --json: the notification as a JSON line (got $(cat "$out/lj.out"))"
# Last: after a call timed out this way the link ignored refreshes (seen
# once; the link is not this test's subject).
emu_cmd slow-m4 1500
sleep 0.2
run slow "$m4rpc" call -t 300 tty x
expect slow 3 "" "within 300 ms|-t MS" "no reply within -t: exit 3"
emu_cmd slow-m4 0
run lt "$m4rpc" listen -q -t 300 nothing_comes
expect lt 3 "" "nothing came for 300 ms" "m4rpc listen -t: exit 3 when nothing comes"

stop_emu
run unload "$m4rpc" module unload
expect unload 0 "" - "module unload"
run unload2 "$m4rpc" module unload
expect unload2 0 "" "not loaded: nothing to do" "module unload again: not loaded, nothing to do"
echo "1..$n"
[ "$failed" = 0 ]
