#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host test of the kselftest layout (selftests/Makefile), the part that
# needs no VM (selftests/ksft/ksft_run runs tests through it in the VM):
# emit_tests lists the VM suite of make check, in its order, as
# m4rpc:NAME; all builds them; run_tests would run them with the kernel's
# runner from the collection's directory build/kselftest/m4rpc; a name
# not in the suite is refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=../../selftests/common/tap.sh
. "$top/selftests/common/tap.sh"
echo "1..4"
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory "$@"; }

mk -C "$top" print-VM_SUITE | tr ' ' '\n' | sed -n 's|.*/||p' | grep -vx ksft_run |
	sed 's/^/m4rpc:/' >"$out/want"
run_cmd emit mk -C "$top/selftests" emit_tests
grep '^m4rpc:' "$out/emit.out" >"$out/got"
if [ "$(cat "$out/emit.rc")" = 0 ] && [ "$(wc -l <"$out/want")" -gt 10 ] &&
	diff -u "$out/want" "$out/got" >"$out/emit.diff"; then
	ok "make -C selftests emit_tests: the $(wc -l <"$out/want") tests of the VM suite, in its order"
else
	nok "make -C selftests emit_tests: the tests of the VM suite, in its order"
	diag "$out/emit.diff" "$out/emit.err"
fi

run_cmd all mk -C "$top/selftests" all
missing=
for t in $(sed 's/^m4rpc://' "$out/want"); do
	[ -x "$top/build/selftests/$t" ] || missing="$missing $t"
done
check "$([ "$(cat "$out/all.rc")" = 0 ] && [ -z "$missing" ]; echo $?)" \
	"make -C selftests all: every test built in build/selftests$missing"

run_cmd n mk -C "$top/selftests" -n run_tests M4RPC_KSFT_TESTS=ep_basic
grep -q "BASE_DIR=\"$top/build/kselftest\"; \. $top/build/kselftest/kselftest/runner.sh;.*run_many  *$top/build/selftests/ep_basic" \
	"$out/n.out" && grep -q -- "-C $top/build/kselftest/m4rpc " "$out/n.out" &&
	[ -s "$top/build/kselftest/m4rpc/settings" ]
check $? "run_tests: lib.mk's recipe, the kernel's runner.sh, in the collection's directory with its settings"
[ $? = 0 ] || diag "$out/n.out"

run_cmd bad mk -C "$top/selftests" run_tests M4RPC_KSFT_TESTS=no_such_test
expect bad 2 "" "no such test in the suite: no_such_test" "M4RPC_KSFT_TESTS=no_such_test: refused, named"
[ "$failed" = 0 ]
