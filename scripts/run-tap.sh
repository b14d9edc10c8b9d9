#!/bin/bash
# Run test programs that print TAP (kselftest_harness.h does) one after the
# other, passing their output through. A program that exits non-zero without
# having reported a failing test (a crash, a missing module) gets a
# "not ok" line of its own, so nothing fails silently.
#   usage: scripts/run-tap.sh PROGRAM...
rc=0
for t in "$@"; do
	name=${t##*/}
	echo "# ---- $name"
	if [ ! -x "$t" ]; then
		echo "not ok - $name: not built"
		rc=1
		continue
	fi
	out=$(mktemp)
	"$t" 2>&1 | tee "$out"
	s=${PIPESTATUS[0]}
	# kselftest: 0 pass, 4 all skipped; anything else is a failure.
	if [ "$s" != 0 ] && [ "$s" != 4 ]; then
		rc=1
		grep -q '^not ok' "$out" || echo "not ok - $name: exited with status $s"
	fi
	rm -f "$out"
done
exit $rc
