#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host test of `make install` / `make uninstall` (packaging/install.mk), in
# scratch DESTDIRs: the files and links it installs for PREFIX=/usr/local
# and for PREFIX=/usr with the stock modules' blacklist; the installed
# m4rpc.pc builds and links an out-of-tree program (tests/packaging/
# pc_consumer.c) that runs; the installed tools run from there and carry no
# path of the build tree; the man pages are clean roff naming every option
# --help lists; the unit starts the installed proxy; the Python package
# imports; uninstall leaves exactly what was there before install.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ver=$(cat "$top/VERSION")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out"
# shellcheck source=../../selftests/common/tap.sh
. "$top/selftests/common/tap.sh"
echo "1..17"

# Make of our own, not the caller's jobserver (make check runs this).
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$top" "$@"; }
# listing DIR: every file and link under DIR, as paths of the installed system.
listing() { (cd "$1" && find . ! -type d | sed 's|^\.||' | sort); }
pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pys=$(cd "$top/bindings/python/m4rpc" && ls ./*.py | sed 's|^\./||')
rules=$(cd "$top/udev" && ls ./*.rules | sed 's|^\./||')
# expected PREFIX UDEVDIR PYDIR [EXTRA...]: the file list make install must give.
expected() {
	local p=$1 udev=$2 py=$3 f
	shift 3
	{
		for f in m4rpc m4rpc-proxy x8h7-rawcall; do echo "$p/bin/$f"; done
		echo "$p/include/m4rpc.h"
		for f in libm4rpc.a libm4rpc.so libm4rpc.so.0 "libm4rpc.so.$ver" pkgconfig/m4rpc.pc \
			systemd/system/m4rpc-proxy.service sysusers.d/m4rpc.conf; do echo "$p/lib/$f"; done
		for f in $pys; do echo "$py/m4rpc/$f"; done
		for f in $rules; do echo "$udev/$f"; done
		echo "$p/share/m4rpc/install-manifest"
		echo "$p/share/man/man1/m4rpc.1"
		echo "$p/share/man/man1/x8h7-rawcall.1"
		echo "$p/share/man/man8/m4rpc-proxy.8"
		for f in "$@"; do echo "$f"; done
	} | sort
}
# same NAME WANT-FILE GOT-FILE DESCRIPTION
same() {
	if diff -u "$2" "$3" >"$out/$1.diff"; then ok "$4"; else nok "$4"; diag "$out/$1.diff"; fi
}

# ---- PREFIX=/usr/local (the default), on top of a system with a rules.d
d=$tmp/local
mkdir -p "$d/etc/udev/rules.d"
echo '# not ours' >"$d/etc/udev/rules.d/99-other.rules"
before=$(cd "$d" && find . | sort)
run_cmd inst mk install DESTDIR="$d"
expect inst 0 "" "" "make install DESTDIR=... (PREFIX=/usr/local)"
expected /usr/local /etc/udev/rules.d "/usr/local/lib/python$pyver/dist-packages" \
	/etc/udev/rules.d/99-other.rules >"$out/want"
listing "$d" >"$out/got"
same local "$out/want" "$out/got" "... installs these files, no blacklist unless asked"

L=$d/usr/local/lib
[ "$(readlink "$L/libm4rpc.so.0")" = "libm4rpc.so.$ver" ] &&
	[ "$(readlink "$L/libm4rpc.so")" = libm4rpc.so.0 ] &&
	readelf -d "$L/libm4rpc.so.$ver" | grep -q 'SONAME.*\[libm4rpc\.so\.0\]'
check $? "libm4rpc.so.$ver has soname libm4rpc.so.0, its two links point down the chain"

export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_LIBDIR=$L/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
[ "$(pkg-config --modversion m4rpc)" = "$ver" ] &&
	grep -qx 'prefix=/usr/local' "$L/pkgconfig/m4rpc.pc" &&
	grep -qx 'libdir=/usr/local/lib' "$L/pkgconfig/m4rpc.pc" &&
	[ "$(pkg-config --cflags-only-I m4rpc | tr ' ' '\n' | grep -c -- "-I$d/usr/local/include")" = 1 ] &&
	pkg-config --libs m4rpc | grep -q -- "-L$L -lm4rpc"
check $? "m4rpc.pc: version $ver, prefix /usr/local; through the sysroot: -I and -L into DESTDIR"
[ $? = 0 ] || { pkg-config --cflags --libs m4rpc; cat "$L/pkgconfig/m4rpc.pc"; } | diag

# The out-of-tree program, shared then static, its flags from pkg-config only.
cp "$top/tests/packaging/pc_consumer.c" "$tmp/"
run_cmd cc bash -c "cd '$tmp' && cc -Wall -Werror -o consumer pc_consumer.c \$(pkg-config --cflags --libs m4rpc)"
expect cc 0 "" "" "an out-of-tree program builds with \$(pkg-config --cflags --libs m4rpc)"
want=$(printf 'version %s\netimedout %s\nno_method ' "$ver" "$(perl -MPOSIX -e 'print strerror(ETIMEDOUT)')")
run_cmd run env LD_LIBRARY_PATH="$L" "$tmp/consumer"
if [ "$(cat "$out/run.rc")" = 0 ] && [[ "$(cat "$out/run.out")" == "$want"?* ]] &&
	LD_LIBRARY_PATH="$L" ldd "$tmp/consumer" | grep -q "$L/libm4rpc.so.0"; then
	ok "... and runs with the installed libm4rpc.so.0: version, strerror, the library's names"
else
	nok "... and runs with the installed libm4rpc.so.0: version, strerror, the library's names"
	diag "$out/run.out" "$out/run.err"
fi
run_cmd static bash -c "cd '$tmp' && cc -o consumer-static pc_consumer.c \$(pkg-config --cflags m4rpc) \
	-Wl,-Bstatic -lm4rpc -Wl,-Bdynamic \$(pkg-config --libs --static m4rpc | sed 's/-lm4rpc//') && \
	./consumer-static && ! ldd ./consumer-static | grep -q libm4rpc"
expect static 0 "*" "" "... and links libm4rpc.a statically (pkg-config --static)"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

# The installed tools: run from DESTDIR, their library found by RUNPATH.
bad=
for t in m4rpc m4rpc-proxy x8h7-rawcall; do
	b=$d/usr/local/bin/$t
	readelf -d "$b" | grep -E 'R(UN)?PATH' | grep -q "$top" && bad="$bad $t:rpath"
	"$b" --help >"$out/$t.help" 2>&1 || bad="$bad $t:--help"
done
[ "$(env -u LD_LIBRARY_PATH "$d/usr/local/bin/m4rpc" --version)" = "m4rpc (libm4rpc $ver)" ] || bad="$bad version"
check "$([ -z "$bad" ]; echo $?)" "the installed tools run from DESTDIR (libm4rpc by \$ORIGIN), no build path in them$bad"

# Man pages: groff finds nothing to warn about; every option --help lists
# is on the page (its source, fonts and \- taken out).
bad=
for m in man1/m4rpc.1 man8/m4rpc-proxy.8 man1/x8h7-rawcall.1; do
	page=$d/usr/local/share/man/$m
	t=$(basename "${m%.*}")
	[ -n "$(groff -man -ww -z "$page" 2>&1)" ] && bad="$bad $t:groff"
	help=$out/$t.help
	[ "$t" = m4rpc ] && for s in call notify listen serve info stats module; do
		"$d/usr/local/bin/m4rpc" "$s" --help >>"$help" 2>&1
	done
	text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$page")
	for o in $(grep -oE -- '(^|[ ,(])--[a-z][a-z0-9-]*' "$help" | sed 's/^[ ,(]//' | sort -u); do
		grep -qF -- "$o" <<<"$text" || bad="$bad $t:$o"
	done
done
check "$([ -z "$bad" ]; echo $?)" "man pages: clean roff, each option of the tools' --help on its page$bad"

unit=$d/usr/local/lib/systemd/system/m4rpc-proxy.service
[ "$(grep '^ExecStart=' "$unit" | cut -d' ' -f1)" = "ExecStart=/usr/local/bin/m4rpc-proxy" ] &&
	[ -x "$d/usr/local/bin/m4rpc-proxy" ]
check $? "the unit starts the proxy where it is installed: ExecStart=/usr/local/bin/m4rpc-proxy"

run_cmd py env PYTHONPATH="$d/usr/local/lib/python$pyver/dist-packages" /usr/bin/python3 -B -c \
	'import m4rpc, sys; m4rpc.Client; sys.stdout.write(m4rpc.__file__)'
expect py 0 "$d/usr/local/lib/python$pyver/dist-packages/m4rpc/__init__.py" "" \
	"the Python package imports from PYTHONDIR"

# Installing twice, then once uninstalling: what was there before, only.
run_cmd again mk install DESTDIR="$d"
run_cmd uninst mk uninstall DESTDIR="$d"
after=$(cd "$d" && find . | sort)
if [ "$(cat "$out/again.rc") $(cat "$out/uninst.rc")" = "0 0" ] && [ "$before" = "$after" ]; then
	ok "make install twice, make uninstall: the tree is as before (its rules.d and 99-other.rules kept)"
else
	nok "make install twice, make uninstall: the tree is as before (its rules.d and 99-other.rules kept)"
	diff <(echo "$before") <(echo "$after") | diag
	diag "$out/again.err" "$out/uninst.err"
fi
run_cmd uninst2 mk uninstall DESTDIR="$d"
expect uninst2 2 "" "nothing to uninstall" "make uninstall with nothing installed fails and says so"

# ---- PREFIX=/usr, the blacklist asked for: the distribution's directories
d=$tmp/usr
run_cmd inst2 mk install DESTDIR="$d" PREFIX=/usr INSTALL_BLACKLIST=1
expect inst2 0 "" "" "make install PREFIX=/usr INSTALL_BLACKLIST=1"
expected /usr /usr/lib/udev/rules.d /usr/lib/python3/dist-packages \
	/usr/lib/modprobe.d/m4rpc-blacklist-x8h7.conf >"$out/want"
listing "$d" >"$out/got"
same usr "$out/want" "$out/got" "... udev, Python and modprobe.d files where Debian's tools read them"

# The blacklist names the modules m4rpc module load refuses to load beside.
grep '^blacklist ' "$d/usr/lib/modprobe.d/m4rpc-blacklist-x8h7.conf" | cut -d' ' -f2 | sort >"$out/bl"
sed -n '/stock\[\] = {/,/};/p' "$top/tools/m4rpc/module.c" | grep -oE '"x8h7_[a-z0-9_]+"' | tr -d '"' |
	sort >"$out/stock"
if [ -s "$out/stock" ] && diff -u "$out/stock" "$out/bl" >"$out/bl.diff" &&
	grep -q 'NOT available' "$d/usr/lib/modprobe.d/m4rpc-blacklist-x8h7.conf"; then
	ok "the blacklist: the stock modules of tools/m4rpc/module.c, with the trade-off written above"
else
	nok "the blacklist: the stock modules of tools/m4rpc/module.c, with the trade-off written above"
	diag "$out/bl.diff"
fi
run_cmd uninst3 mk uninstall DESTDIR="$d" PREFIX=/usr
left=$(cd "$d" && find . -mindepth 1)
check "$([ "$(cat "$out/uninst3.rc")" = 0 ] && [ -z "$left" ]; echo $?)" \
	"make uninstall PREFIX=/usr: nothing left in DESTDIR${left:+: $left}"

[ "$failed" = 0 ]
