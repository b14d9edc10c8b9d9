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
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "arm64-kernel: linux-source-6.1 is not installed" >&2; exit 1; }
command -v "${cross}gcc" >/dev/null ||
	{ echo "arm64-kernel: ${cross}gcc not found (gcc-aarch64-linux-gnu)" >&2; exit 1; }

# The cache key is the source package version and the config fragment, so a
# new Debian kernel or a change of configuration prepares anew, nothing else.
frag=$(dirname "$0")/arm64-kernel.config
key=$( (dpkg-query -W -f='${Version}' linux-source-6.1; cat "$frag") | sha256sum | cut -c1-12)
dir=$cache/arm64-kernel-$key
if [ -f "$dir/build/.m4rpc-done" ]; then
	echo "$dir/build"
	exit 0
fi

mkdir -p "$dir"
if [ ! -f "$dir/src/Makefile" ]; then
	echo "arm64-kernel: extracting $tarball" >&2
	rm -rf "$dir/src" "$dir/src.tmp"
	mkdir -p "$dir/src.tmp"
	tar -xf "$tarball" -C "$dir/src.tmp" --strip-components=1
	mv "$dir/src.tmp" "$dir/src"
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
