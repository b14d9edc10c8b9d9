#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host test of the m4rpc command's command line, which needs no board:
# every subcommand's --help, the exit statuses documented, and usage
# errors (exit 2, the reason, where help is). The board's side is the VM
# test selftests/tools/m4rpc_tool.sh.
set -u
m4rpc=$(cd "$(dirname "$0")" && pwd)/../tools/m4rpc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
failed=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else failed=$((failed + 1)); echo "not ok $n $2"; fi
}

"$m4rpc" --help >"$out/help" 2>&1
t $? "m4rpc --help exits 0"
for s in 0 1 2 3 4 5 6 7 8; do
	grep -q "^  $s  " "$out/help" || break
done
t $? "m4rpc --help documents exit statuses 0..8 (last: $s)"
for s in call notify listen serve info stats module; do
	"$m4rpc" "$s" --help >"$out/h" 2>&1 && grep -q "^usage: m4rpc $s" "$out/h" || break
done
t $? "every subcommand has --help (last checked: $s)"
grep -q '{"\$bin":"HEX"}' <("$m4rpc" call --help)
t $? "m4rpc call --help says how bytes print"

# usage NAME 'STDERR' ARGS...: exit 2, STDERR in the message, help named.
usage() {
	local want=$1 name=$2
	shift 2
	"$m4rpc" "$@" >/dev/null 2>"$out/err"
	local rc=$?
	[ "$rc" = 2 ] && grep -qF -- "$want" "$out/err" && grep -q "Try 'm4rpc" "$out/err"
	t $? "usage error, exit 2: $name (exit $rc: $(head -n 1 "$out/err"))"
}
usage "no METHOD" "call without a method" call
usage "unrecognized option" "an unknown option" call --bogus temperature
usage "odd number of digits" "bad hex bytes" call echo hex:0
usage "not JSON" "broken JSON" call echo '[1,'
usage "milliseconds" "a bad timeout" call -t x temperature
usage "1 to 64 bytes" "a method name too long" call "$(printf 'm%.0s' $(seq 65))"
usage "no subcommand" "an unknown subcommand" frobnicate
usage "no command given" "serve without a command" serve ask
usage "COUNT is a number" "listen with a bad count" listen -n x
usage "load, unload or status" "module without an action" module
usage "takes no parameters" "module status with a parameter" module status x=1
"$m4rpc" >/dev/null 2>&1
t $([ $? = 2 ] && echo 0 || echo 1) "m4rpc alone: usage, exit 2"
echo "1..$n"
[ "$failed" = 0 ]
