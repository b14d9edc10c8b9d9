#!/bin/sh
# Build (once, cached) the debug kernel that `make check-debug` boots: Debian's
# linux-source-6.1 with defconfig + kvm_guest.config + the checkers that catch what a
# production kernel does not show (use-after-free, lock inversions, sleeping in atomic
# context, leaks, undefined behaviour), plus the SPI core that the simulated board needs.
#
# usage: scripts/debug-kernel.sh [CACHE_DIR]     prints the build directory (a KDIR) on stdout
set -eu

cache=${1:-${M4RPC_CACHE:-$HOME/.cache/m4rpc}}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "debug-kernel: linux-source-6.1 is not installed" >&2; exit 1; }

# The cache key is the source package version and the config fragment, so a new
# Debian kernel or a change of configuration rebuilds, and nothing else does.
frag=$(dirname "$0")/debug-kernel.config
key=$( (dpkg-query -W -f='${Version}' linux-source-6.1; cat "$frag") | sha256sum | cut -c1-12)
dir=$cache/debug-kernel-$key
if [ -f "$dir/build/.m4rpc-done" ]; then
	echo "$dir/build"
	exit 0
fi

mkdir -p "$dir"
if [ ! -f "$dir/src/Makefile" ]; then
	echo "debug-kernel: extracting $tarball" >&2
	rm -rf "$dir/src" "$dir/src.tmp"
	mkdir -p "$dir/src.tmp"
	tar -xf "$tarball" -C "$dir/src.tmp" --strip-components=1
	mv "$dir/src.tmp" "$dir/src"
fi

b=$dir/build
mkdir -p "$b"
make -s -C "$dir/src" O="$b" defconfig kvm_guest.config >&2
cat "$frag" >> "$b/.config"
make -s -C "$dir/src" O="$b" olddefconfig >&2
echo "debug-kernel: building in $b (about 10 minutes on 2 cores)" >&2
make -s -C "$dir/src" O="$b" -j"$(nproc)" bzImage modules >&2
touch "$b/.m4rpc-done"
echo "$b"
