#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# VM test of the kselftest layout (selftests/Makefile): `make -C selftests
# run_tests` with one test of the suite (the lowest layer's), run by the kernel's lib.mk and
# runner.sh, prints the kernel's TAP for them, the tests' own lines
# prefixed by "# ". One, not all: make check runs the suite already.
set -u
top=${M4RPC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=../common/tap.sh
. "$(dirname "$0")/tap.sh"
echo "1..4"
tests=sim_kmod

# Through a pipe: the runner appends the tests' lines to /dev/stdout, which
# a file opened without O_APPEND would overwrite with its own.
env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$top/selftests" \
	run_tests M4RPC_KSFT_TESTS="$tests" 2>"$out/rt.err" | cat >"$out/rt.out"
echo "${PIPESTATUS[0]}" >"$out/rt.rc"
t=$out/rt.out
check "$(cat "$out/rt.rc")" "make -C selftests run_tests M4RPC_KSFT_TESTS=\"$tests\": exit status 0"
head -n 2 "$t" | tr '\n' ' ' | grep -qx 'TAP version 13 1\.\.1 '
check $? "... the runner's TAP header and plan: 1..1"
grep -qx 'ok 1 selftests: m4rpc: sim_kmod' "$t"
check $? "... ok 1 selftests: m4rpc: sim_kmod"
# The harness's own result lines, nested as kselftest nests them.
grep -q '^# ok [0-9]' "$t" && ! grep -q '^# not ok' "$t" && ! grep -q '^not ok' "$t"
check $? "... the tests' TAP inside, prefixed by \"# \", no failure"
[ "$failed" = 0 ] || { echo "# output:"; diag "$t" "$out/rt.err"; }
[ "$failed" = 0 ]
