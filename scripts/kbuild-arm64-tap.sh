#!/bin/sh
# The modules cross-build for arm64 (the Portenta X8) with W=1 and without a
# compiler warning, against both arm64 trees: the 6.1 source package with
# defconfig + OF, SPI and the i.MX SPI/GPIO drivers (scripts/arm64-kernel.sh,
# the X8's kind of configuration) and Debian's arm64 kernel
# (scripts/arm64-debian.sh, the one `make check-arm64` boots). Each in a
# directory of its own, so the normal objects are untouched. The first tree
# has no Module.symvers (modules_prepare only): modpost's "undefined"
# warnings are expected there, the compiler's are not. TAP: two tests.
top=$(cd "$(dirname "$0")/.." && pwd)
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}
echo "1..2"
n=0
w1() { # NAME KDIR-SCRIPT
	n=$((n + 1))
	log=$(mktemp)
	out=$top/build/kmod/w1-arm64-$1
	if ! kdir=$("$top/scripts/$2" 2>"$log"); then
		echo "not ok $n modules cross-build for arm64 ($1) with W=1: no kernel tree"
		sed 's/^/# /' "$log"
		rm -f "$log"
		return
	fi
	mkdir -p "$out" && cp -rsf "$top/kernel/." "$out/"
	if make -s -C "$kdir" M="$out" ARCH=arm64 CROSS_COMPILE="$cross" W=1 modules >"$log" 2>&1 &&
		! grep -q 'warning:' "$log" && [ -f "$out/m4rpc.ko" ] && [ -f "$out/m4rpc_sim.ko" ]; then
		echo "ok $n modules cross-build for arm64 ($1) with W=1 without warnings"
	else
		echo "not ok $n modules cross-build for arm64 ($1) with W=1 without warnings"
		grep -v 'WARNING: modpost: .* undefined!' "$log" | sed 's/^/# /'
	fi
	rm -f "$log"
}
w1 defconfig arm64-kernel.sh
w1 debian arm64-debian.sh
