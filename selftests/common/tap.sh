# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sourced by the VM tests written in shell (installed as build/selftests/NAME,
# this file next to them as build/selftests/tap.sh): TAP lines, and running a
# command with its stdout, stderr and exit status kept under $out, for
# expect() to judge. The sourcing script sets $out (a scratch directory)
# and prints the plan and the summary itself.
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n $* # SKIP"; }
diag() { sed 's/^/#   /' "$@"; }
# check COND-STATUS DESCRIPTION: ok when the status is 0.
check() { if [ "$1" = 0 ]; then ok "$2"; else nok "$2"; fi; }

# run_cmd NAME CMD...: its stdout, stderr and exit status in $out/NAME.*
run_cmd() {
	local name=$1
	shift
	"$@" >"$out/$name.out" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}

# expect NAME STATUS STDOUT 'STDERR-SUBSTRING|...' DESCRIPTION: one TAP
# line. STDOUT "*" checks nothing; STDERR "" nothing, "-" wants it empty.
expect() {
	local name=$1 status=$2 want=$3 errs=$4 desc=$5 good=1 e s
	[ "$(cat "$out/$name.rc")" = "$status" ] || good=
	[ "$want" = "*" ] || [ "$(cat "$out/$name.out")" = "$want" ] || good=
	if [ "$errs" = - ]; then
		[ -s "$out/$name.err" ] && good=
	elif [ -n "$errs" ]; then
		IFS='|' read -ra e <<<"$errs"
		for s in "${e[@]}"; do
			grep -qF -- "$s" "$out/$name.err" || { good=; echo "# stderr lacks: $s"; }
		done
	fi
	if [ -n "$good" ]; then
		ok "$desc"
		return
	fi
	nok "$desc"
	echo "# exit status $(cat "$out/$name.rc") (want $status); stdout:"
	diag "$out/$name.out"
	[ "$want" = "*" ] || { echo "# want:"; echo "$want" | diag; }
	echo "# stderr:"
	diag "$out/$name.err"
}
