#!/bin/sh
# The modules must build with W=1 (the kernel's extra warnings) without a
# warning. Built in a directory of its own so the normal objects are untouched.
# TAP: one test.
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/scripts/vm-kernel.sh") || { echo "1..0 # SKIP no kernel headers"; exit 0; }
out=$top/build/kmod/w1
log=$(mktemp)
mkdir -p "$out" && cp -rsf "$top/kernel/." "$out/"
echo "1..1"
if make -s -C "/lib/modules/$kver/build" M="$out" W=1 modules >"$log" 2>&1 &&
	! grep -q 'warning:' "$log"; then
	echo "ok 1 modules build with W=1 without warnings"
else
	echo "not ok 1 modules build with W=1 without warnings"
	sed 's/^/# /' "$log"
fi
rm -f "$log"
