#!/bin/bash
# libm4rpc's hygiene (issue 12), TAP: the shared library exports exactly
# the functions its public header declares, its soname is libm4rpc.so.0,
# its version is the VERSION file's, and `pkg-config --cflags --libs
# m4rpc` on build/m4rpc.pc builds and runs a program (that includes the
# uapi header too: the public header reuses none of its names).
# Run from anywhere: the paths come from this script's place, build/tests/.
here=$(cd "$(dirname "$0")" && pwd)
B=$(dirname "$here")
TOP=$(dirname "$B")
so=$B/lib/libm4rpc.so.0
hdr=$TOP/lib/include/m4rpc.h
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
echo "TAP version 13"
echo "1..5"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort > "$tmp/exported"
# Every "m4rpc_xxx(" that starts a declaration in the header.
grep -oE '^(const )?[a-z0-9_ ]*\*?(m4rpc_[a-z0-9_]+)\(' "$hdr" |
	grep -oE 'm4rpc_[a-z0-9_]+\($' | tr -d '(' > "$tmp/declared"
# Lines of the type on their own line: "enum m4rpc_x\nm4rpc_fn(".
grep -oE '^m4rpc_[a-z0-9_]+\(' "$hdr" | tr -d '(' >> "$tmp/declared"
sort -u -o "$tmp/declared" "$tmp/declared"
if diff "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
	ok "exports are the header's $(wc -l < "$tmp/exported") functions"
else
	sed 's/^/# /' "$tmp/diff"
	no "exports are the header's functions (< declared only, > exported only)"
fi
others=$(nm -D --defined-only "$so" | awk '$2 != "T" && $2 != "A" { print $3 }')
if [ -z "$others" ]; then
	ok "no data or other symbols exported"
else
	echo "# $others"
	no "no data or other symbols exported"
fi
soname=$(objdump -p "$so" | awk '/SONAME/ { print $2 }')
[ "$soname" = libm4rpc.so.0 ] && ok "soname libm4rpc.so.0" || no "soname: $soname"

cat > "$tmp/t.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <linux/m4rpc.h>
#include <m4rpc.h>
int main(int argc, char **argv)
{
	struct m4rpc_info info = { 0 };	/* the uapi's, beside the library's */

	(void)info;
	printf("%s\n", m4rpc_version_string());
	return strcmp(m4rpc_strerror(-M4RPC_E_NO_METHOD), "") == 0;
}
C
if out=$(PKG_CONFIG_PATH=$B pkg-config --cflags --libs m4rpc 2>&1) &&
	${CC:-cc} -Wall -Werror -I"$TOP/kernel/include/uapi" -o "$tmp/t" "$tmp/t.c" \
		$out -Wl,-rpath,"$B/lib" 2> "$tmp/cc"; then
	ok "pkg-config --cflags --libs m4rpc builds a program with both headers"
else
	echo "# pkg-config: $out"; sed 's/^/# /' "$tmp/cc"
	no "pkg-config --cflags --libs m4rpc builds a program with both headers"
fi
want=$(cat "$TOP/VERSION")
got=$("$tmp/t" 2>&1)
pcv=$(PKG_CONFIG_PATH=$B pkg-config --modversion m4rpc)
if [ "$got" = "$want" ] && [ "$pcv" = "$want" ]; then
	ok "version $want from VERSION (library and pc file)"
else
	no "version: library '$got', pc '$pcv', VERSION '$want'"
fi
[ "$fail" = 0 ]
