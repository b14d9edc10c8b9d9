#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of m4rpc-proxy (tools/m4rpc-proxy/) with a Python client that
# speaks as the X8's stock containers do (proxy_client.py): calls on 5001,
# one per connection and many in flight on persistent ones, every msgpack
# type through; register(5002, ["tty", "echo"]) on 5000, the M4's calls
# and notifications served on 5002, kept after the registrant closed and
# across a proxy restart (state file); a silent registrant gets the M4 an
# error reply while other calls flow; a call the M4 answers too late gets
# an error reply. Prints TAP; needs root and $M4RPC_KMOD_DIR.
set -u
. "$(dirname "$0")/tools_lib.sh"
proxy=$bin/m4rpc-proxy
client=$here/proxy_client.py
loaded=
proxy_pid=
bg_pids=
state=$out/run/registrations.json

cleanup() {
	local p
	stop_proxy
	for p in $bg_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_emu
	for m in $loaded; do
		rmmod "$m" || echo "# rmmod $m failed"
	done
	rm -rf "$out"
}
trap cleanup EXIT

stop_proxy() {
	[ -n "$proxy_pid" ] || return 0
	kill "$proxy_pid" 2>/dev/null
	wait "$proxy_pid" 2>/dev/null
	proxy_pid=
}

# start_proxy ARGS...: back once it listens on both ports.
start_proxy() {
	local i
	stop_proxy
	"$proxy" --listen 127.0.0.1 --state "$state" "$@" 2>>"$out/proxy.err" &
	proxy_pid=$!
	for i in $(seq 200); do
		[ "$(grep -c "listening on 127.0.0.1" "$out/proxy.err")" -ge "$((2 * ${starts:-1}))" ] && return 0
		sleep 0.05
	done
	echo "# m4rpc-proxy did not start:"
	diag "$out/proxy.err"
	return 1
}

# py SUBCOMMAND ARGS...: the client's "ok"/"not ok" lines as TAP lines.
py() {
	local line rc
	/usr/bin/python3 "$client" "$@" >"$out/py.out" 2>&1
	rc=$?
	# A client that died (an exception) has checks it never printed.
	if [ "$rc" != 0 ] && ! grep -q "^not ok " "$out/py.out"; then
		nok "proxy_client.py $1 ... ended with status $rc"
		diag "$out/py.out"
		return
	fi
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) nok "${line#not ok }" ;;
		*) echo "$line" ;;
		esac
	done <"$out/py.out"
}

# wait_for COUNT FILE PATTERN: until FILE has COUNT lines matching.
wait_for() {
	local i
	for i in $(seq 200); do
		[ "$(grep -c -- "$3" "$2" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

need_vm
/usr/bin/python3 -c 'import msgpack' 2>/dev/null || {
	echo "1..0 # SKIP python3-msgpack not installed"
	exit 4
}
[ -x "$proxy" ] || { echo "1..0 # SKIP m4rpc-proxy not built"; exit 4; }
ip link set lo up 2>/dev/null || busybox ifconfig lo 127.0.0.1 up
for m in m4rpc_sim m4rpc; do
	if [ ! -e "/sys/module/$m" ]; then
		insmod "$kmod/$m.ko" || { echo "Bail out! insmod $m.ko"; exit 1; }
		loaded="$m $loaded"
	fi
done

# ---- register on 5000, the M4's calls served on 5002 ----------------------------
echo "# ${SECONDS}s: register, and calls on 5001 meanwhile"
# The traffic sketch binds echo() for Linux and calls Linux's echo itself.
start_emu --sketch traffic --traffic-kind call --traffic-method echo \
	--traffic-rate 4 --traffic-size 300 --traffic-timeout 5000
starts=1 start_proxy -t 5000 --serve-timeout 1000
/usr/bin/python3 "$client" server 5002 "$out/served" --split 2>>"$out/server.err" &
bg_pids="$bg_pids $!"
sleep 0.3
py register 5002 tty echo
read -r m0 x0 <<<"$(emu_stat m4_responses_in m4_call_timeouts)"
: >"$out/served"
emu_cmd serial hello tty
wait_for 3 "$out/served" '"hex": "94' || echo "# not 3 calls served"
wait_for 1 "$out/served" '"hex": "93' || echo "# no tty notification yet"
read -r m1 x1 <<<"$(emu_stat m4_responses_in m4_call_timeouts)"
c=$(grep -c '"hex": "94' "$out/served")
py served "$out/served" 300
# The M4's 300-byte calls may meet the H7's holes: those never reach
# Linux and time out at the M4 (x), which is not the proxy's doing.
[ "$m1" -gt "$m0" ] && [ "$c" -ge 3 ]
check $? "the M4 got the registrant's replies, split over many TCP segments ($c calls served, $m0 -> $m1 responses; M4 call timeouts $x0 -> $x1)"
grep -q '"5002"' "$state" && grep -q '"echo"' "$state"
check $? "the registration is in the state file under the --state path"

echo "# ${SECONDS}s: a proxy restart"
starts=2 start_proxy -t 5000 --serve-timeout 1000
: >"$out/served"
wait_for 2 "$out/served" '"hex": "94'
check $? "after a proxy restart the registration holds (state file): the M4's calls reach 5002 again"

# ---- a registrant that never answers ---------------------------------------------
echo "# ${SECONDS}s: a silent registrant"
/usr/bin/python3 "$client" silent 5003 2>>"$out/server.err" &
bg_pids="$bg_pids $!"
sleep 0.3
# Small M4 messages from here on: with 300-byte ones the H7's holes (the
# link's matter, not the proxy's) can lose replies to the calls below.
start_emu --sketch traffic --traffic-kind call --traffic-method echo \
	--traffic-rate 4 --traffic-size 4 --traffic-timeout 5000
# echo moves to the silent one (a registration replaces an older one).
py register 5003 echo + calls
read -r m0 x0 <<<"$(emu_stat m4_responses_in m4_call_timeouts)"
py concurrent "while the M4's calls wait for a silent registrant"
wait_for 1 "$out/proxy.err" "did not answer 'echo' within 1000 ms"
check $? "the silent registrant's calls end at the proxy's serve timeout, logged"
read -r m1 x1 <<<"$(emu_stat m4_responses_in m4_call_timeouts)"
[ "$m1" -gt "$m0" ] && [ "$x1" = "$x0" ]
check $? "... and the M4 gets an error reply, not a hang ($m0 -> $m1 responses, none timed out at the M4)"

# ---- a call the M4 answers too late --------------------------------------------------
echo "# ${SECONDS}s: the proxy's call timeout"
"$proxy" --listen 127.0.0.1 --register-port 6000 --call-port 6001 -t 300 --state "" \
	2>>"$out/proxy2.err" &
bg_pids="$bg_pids $!"
wait_for 2 "$out/proxy2.err" "listening on 127.0.0.1 port 600"
# The M4 holds the call longer than the timeout, then runs at full speed
# again: its late reply must not reach the next caller.
EMU_FIFO=$out/emu.fifo PROXY_CALL_PORT=6001 py timeout 300 + after-timeout
kill -0 "$proxy_pid"
check $? "the proxy still runs"

stop_proxy
echo "1..$n"
[ "$failed" = 0 ]
