#!/bin/sh
# Extract from Debian's linux-source-6.1 tarball just the files this project
# uses from the kernel tree: kselftest's harness headers and checkpatch.pl.
# They are used where they are, never copied into the repository.
#   usage: scripts/extract-ksrc.sh OUTDIR
set -eu
out=$1
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "extract-ksrc: linux-source-6.1 is not installed" >&2; exit 1; }
stamp=$out/.stamp
want="$tarball $(stat -c %Y "$tarball")"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0

tmp=$out.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
top=$(basename "$tarball" | sed 's/\.tar\..*//')
tar -xf "$tarball" -C "$tmp" --strip-components=1 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch"
rm -rf "$out" && mkdir -p "$out"
mv "$tmp/tools/testing/selftests/kselftest_harness.h" "$tmp/tools/testing/selftests/kselftest.h" "$out/"
mv "$tmp/scripts" "$out/scripts"
rm -rf "$tmp"
echo "$want" > "$stamp"
