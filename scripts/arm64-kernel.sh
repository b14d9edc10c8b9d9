#!/bin/sh
# Prepare (once, cached) an arm64 kernel tree to cross-build the modules
# against, as for the Portenta X8: Debian's linux-source-6.1 with arm64
# defconfig + scripts/arm64-kernel.config (OF, SPI, the i.MX SPI and GPIO
# drivers), `modules_prepare` only: enough to compile and link the modules,
# not a kernel to boot (`make check-arm64` boots Debian's, see
# scripts/arm64-debian.sh).
#
# usage: scripts/arm64-kernel.sh [CACHE_DIR]    prints the build directory (a KDIR)
set -eu

cache=${1:-${M4RPC_CACHE:-$HOME/.cache/m4rpc}}
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}
command -v "${cross}gcc" >/dev/null ||
	{ echo "arm64-kernel: ${cross}gcc not found (gcc-aarch64-linux-gnu)" >&2; exit 1; }

# The tree's directory, keyed by the source package and the fragment.
frag=$(dirname "$0")/arm64-kernel.config
dir=$("$(dirname "$0")/ksrc-tree.sh" arm64-kernel "$frag" "$cache")
if [ -f "$dir/build/.m4rpc-done" ]; then
	echo "$dir/build"
	exit 0
fi

b=$dir/build
mkdir -p "$b"
kmake() { make -s -C "$dir/src" O="$b" ARCH=arm64 CROSS_COMPILE="$cross" "$@" >&2; }
kmake defconfig
cat "$frag" >> "$b/.config"
kmake olddefconfig
# olddefconfig drops what a dependency forbids: say so rather than build
# against a tree without what the board needs.
grep '^CONFIG_' "$frag" | while read -r want; do
	grep -qx "$want" "$b/.config" ||
		{ echo "arm64-kernel: $want did not survive olddefconfig" >&2; exit 1; }
done
echo "arm64-kernel: modules_prepare in $b" >&2
kmake -j"$(nproc)" modules_prepare
touch "$b/.m4rpc-done"
echo "$b"
