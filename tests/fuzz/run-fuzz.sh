#!/bin/bash
# Run the libFuzzer targets of tests/fuzz/ one after the other and print
# TAP with libFuzzer's final figures for each: executions, exec/s, coverage
# (cov: edges, ft: features) and the corpus it ended with.
#
#   run-fuzz.sh --seconds "T=N..." FUZZDIR SRCDIR "TARGETS"   make fuzz:
#       target T for N s (60 when not named), the corpus kept and grown in
#       FUZZDIR/corpus/TARGET
#   run-fuzz.sh --smoke --runs N FUZZDIR SRCDIR "TARGETS"   make check: the
#       seed corpus and the regressions replayed, then N inputs, nothing kept
#
# A target fails on a crash, a sanitizer report, a broken invariant, an
# input that takes over 10 s, or libFuzzer exiting non-zero for any other
# reason; the input that did it is kept in FUZZDIR/crash/ and named in the
# output. Make it a regression: copy it to SRCDIR/regress/TARGET/.
set -u
mode=long
seconds=
runs=20000
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) mode=smoke ;;
	--seconds) seconds=$2; shift ;;
	--runs) runs=$2; shift ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 3 ] || { echo "usage: $0 [--smoke] [--seconds \"T=N...\"] [--runs N] FUZZDIR SRCDIR TARGETS" >&2; exit 2; }
fdir=$1
src=$2
# shellcheck disable=SC2206
targets=($3)

echo "TAP version 13"
echo "1..${#targets[@]}"
rc=0
i=0
for t in "${targets[@]}"; do
	i=$((i + 1))
	bin=$fdir/fuzz_$t
	seed=$src/corpus/$t
	reg=$src/regress/$t
	mkdir -p "$fdir/crash" "$fdir/log"
	log=$fdir/log/$t-$mode.log
	if [ ! -x "$bin" ]; then
		echo "not ok $i - fuzz_$t: not built"
		rc=1
		continue
	fi
	dirs=()
	if [ "$mode" = smoke ]; then
		work=$(mktemp -d)
		limit=(-runs="$runs" -max_total_time=120)
	else
		work=$fdir/corpus/$t
		mkdir -p "$work"
		secs=60
		for ts in $seconds; do
			[ "${ts%%=*}" = "$t" ] && secs=${ts#*=}
		done
		limit=(-max_total_time="$secs")
	fi
	dirs+=("$work")
	[ -d "$seed" ] && dirs+=("$seed")
	[ -d "$reg" ] && dirs+=("$reg")
	nfiles=0
	[ ${#dirs[@]} -gt 1 ] && nfiles=$(find "${dirs[@]:1}" -type f | wc -l)
	start=$(date +%s)
	# The target's own options, if it has any (SRCDIR/fuzz_TARGET.options).
	opts=()
	if [ -f "$src/fuzz_$t.options" ]; then
		mapfile -t opts < <(grep -v '^#' "$src/fuzz_$t.options")
	fi
	"$bin" "${limit[@]}" "${opts[@]}" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$fdir/crash/$t-" "${dirs[@]}" >"$log" 2>&1
	s=$?
	elapsed=$(( $(date +%s) - start ))
	[ "$mode" = smoke ] && rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	what="${execs:-?} executions in ${elapsed} s (${eps:-?} exec/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}; $nfiles seed and regression files"
	if [ "$s" = 0 ]; then
		echo "ok $i - fuzz_$t: $what"
	else
		rc=1
		echo "not ok $i - fuzz_$t: libFuzzer exit status $s; $what"
		grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/#   /'
		echo "#   full log: $log"
	fi
done
exit $rc
