#!/bin/sh
# The cached kernel trees (scripts/debug-kernel.sh, scripts/arm64-kernel.sh)
# share this: the directory for a tree of Debian's linux-source-6.1 made with
# a config fragment, keyed by the package version and the fragment (a new
# Debian kernel or a change of configuration makes a new tree, nothing
# else does), with the source extracted into DIR/src once.
#   usage: scripts/ksrc-tree.sh NAME FRAGMENT CACHE_DIR   prints DIR
#   (CACHE_DIR/NAME-KEY; DIR/build/.m4rpc-done marks a finished build)
set -eu
name=$1
frag=$2
cache=$3
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "$name: linux-source-6.1 is not installed" >&2; exit 1; }
key=$( (dpkg-query -W -f='${Version}' linux-source-6.1; cat "$frag") | sha256sum | cut -c1-12)
dir=$cache/$name-$key
if [ ! -f "$dir/build/.m4rpc-done" ] && [ ! -f "$dir/src/Makefile" ]; then
	echo "$name: extracting $tarball" >&2
	mkdir -p "$dir"
	rm -rf "$dir/src" "$dir/src.tmp"
	mkdir -p "$dir/src.tmp"
	tar -xf "$tarball" -C "$dir/src.tmp" --strip-components=1
	mv "$dir/src.tmp" "$dir/src"
fi
echo "$dir"
