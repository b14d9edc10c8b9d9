#!/bin/sh
# The kernel sources against the kernel's own style checker, as TAP: one test
# per file, failing on any ERROR or WARNING of `checkpatch.pl --strict`
# (CHECKs are printed, not fatal). checkpatch.pl comes from linux-source-6.1
# (extracted by scripts/extract-ksrc.sh), never from this repository.
top=$(cd "$(dirname "$0")/.." && pwd)
cp=$top/build/kselftest/scripts/checkpatch.pl
files=$(cd "$top" && find kernel -name '*.[ch]' -not -name '*.mod.c' | sort)
n=0
for f in $files; do
	n=$((n + 1))
	out=$(cd "$top" && perl "$cp" --no-tree --strict --terse --show-types -f "$f" 2>&1)
	if echo "$out" | grep -qE ': (ERROR|WARNING):'; then
		echo "not ok $n checkpatch $f"
		echo "$out" | sed 's/^/# /'
	else
		echo "ok $n checkpatch $f"
		echo "$out" | grep -E ': CHECK:' | sed 's/^/# /'
	fi
done
echo "1..$n"
