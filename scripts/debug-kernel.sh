#!/bin/sh
# Build (once, cached) the debug kernel that `make check-debug` boots: Debian's
# linux-source-6.1 with defconfig + kvm_guest.config + the checkers that catch what a
# production kernel does not show (use-after-free, lock inversions, sleeping in atomic
# context, leaks, undefined behaviour), plus the SPI core that the simulated board needs.
#
# usage: scripts/debug-kernel.sh [CACHE_DIR]     prints the build directory (a KDIR) on stdout
set -eu

cache=${1:-${M4RPC_CACHE:-$HOME/.cache/m4rpc}}
# The tree's directory, keyed by the source package and the fragment.
frag=$(dirname "$0")/debug-kernel.config
dir=$("$(dirname "$0")/ksrc-tree.sh" debug-kernel "$frag" "$cache")
if [ -f "$dir/build/.m4rpc-done" ]; then
	echo "$dir/build"
	exit 0
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
