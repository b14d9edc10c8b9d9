#!/bin/sh
# Extract from Debian's linux-source-6.1 tarball just the files this project
# uses from the kernel tree: kselftest's harness headers, its lib.mk and
# runner (selftests/Makefile: the suite the kselftest way) and checkpatch.pl.
# OUTDIR is laid out as the kernel's tools/testing/selftests (its
# collection m4rpc/ is selftests/Makefile's). They are used where they are,
# never copied into the repository.
#   usage: scripts/extract-ksrc.sh OUTDIR
set -eu
out=$1
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "extract-ksrc: linux-source-6.1 is not installed" >&2; exit 1; }
ksft="kselftest_harness.h kselftest.h lib.mk kselftest/runner.sh kselftest/prefix.pl"
scripts="checkpatch.pl spelling.txt const_structs.checkpatch"
stamp=$out/.stamp
# The list is part of the stamp: a tree extracted with fewer files is redone.
want="$tarball $(stat -c %Y "$tarball") $ksft $scripts"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0

tmp=$out.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
top=$(basename "$tarball" | sed 's/\.tar\..*//')
# shellcheck disable=SC2046
tar -xf "$tarball" -C "$tmp" --strip-components=1 \
	$(for f in $ksft; do echo "$top/tools/testing/selftests/$f"; done) \
	$(for f in $scripts; do echo "$top/scripts/$f"; done)
rm -rf "$out" && mkdir -p "$(dirname "$out")"
mv "$tmp/tools/testing/selftests" "$out"
mv "$tmp/scripts" "$out/scripts"
rm -rf "$tmp"
echo "$want" > "$stamp"
