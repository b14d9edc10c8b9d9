#!/bin/sh
# Fetch (once, cached) Debian's arm64 kernel of the same version as the
# amd64 headers installed here, and print the directory to build the modules
# against for it (a KDIR). `make check-arm64` boots that kernel under
# qemu-system-aarch64, so the modules must match it exactly: its .config,
# its release string, the CRCs of its Module.symvers.
#
# Debian's headers package for arm64 is made for this: its Makefile includes
# the architecture-independent linux-headers-*-common and its scripts/ is a
# link to linux-kbuild-6.1, both packages of the host (amd64 programs:
# modpost, genksyms). So the arm64 headers are unpacked next to links to the
# host's two, of the same version, and the cross compiler does the rest.
#
# usage: scripts/arm64-debian.sh [--root] [CACHE_DIR]
#   prints the KDIR, or with --root the unpacked root: boot/vmlinuz-KVER,
#   lib/modules/KVER/ (the kernel's own modules), usr/src/linux-headers-KVER.
set -eu
want=kdir
[ "${1:-}" = --root ] && { want=root; shift; }
cache=${1:-${M4RPC_CACHE:-$HOME/.cache/m4rpc}}
die() { echo "arm64-debian: $*" >&2; exit 1; }

# The host's amd64 kernel gives the ABI name and the version: 6.1.0-57-amd64
# -> 6.1.0-57-arm64, at the version of linux-headers-6.1.0-57-common.
amd=$("$(dirname "$0")/vm-kernel.sh") || exit 1
kver=${amd%-amd64}-arm64
abi=${amd%-amd64}
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi-common") ||
	die "linux-headers-$abi-common is not installed"
kbuild=$(ls -d /usr/lib/linux-kbuild-6.1 2>/dev/null) || die "linux-kbuild-6.1 is not installed"
[ "$(dpkg-query -W -f='${Version}' linux-kbuild-6.1)" = "$ver" ] ||
	die "linux-kbuild-6.1 is not at version $ver"

dir=$cache/arm64-debian-$kver-$ver
root=$dir/root
if [ ! -f "$dir/.m4rpc-done" ]; then
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		die "dpkg knows no arm64 packages: make deps-arm64"
	rm -rf "$dir" && mkdir -p "$dir/debs" "$root"
	echo "arm64-debian: downloading Debian's arm64 kernel $kver ($ver)" >&2
	(cd "$dir/debs" && apt-get download -q "linux-image-$kver:arm64=$ver" \
		"linux-headers-$kver:arm64=$ver" >&2) || die "apt-get download failed"
	for d in "$dir"/debs/*.deb; do
		dpkg -x "$d" "$root"
	done
	# headers/scripts -> ../../lib/linux-kbuild-6.1/scripts: the host's.
	mkdir -p "$root/usr/lib"
	ln -s "$kbuild" "$root/usr/lib/linux-kbuild-6.1"
	[ -f "$root/usr/src/linux-headers-$kver/Module.symvers" ] || die "no Module.symvers in the headers"
	[ -r "$root/boot/vmlinuz-$kver" ] || die "no vmlinuz in the image package"
	# The image package ships no modules.dep: made here for the initramfs.
	depmod -b "$root" "$kver"
	touch "$dir/.m4rpc-done"
fi
case $want in
kdir) echo "$root/usr/src/linux-headers-$kver" ;;
root) echo "$root" ;;
esac
