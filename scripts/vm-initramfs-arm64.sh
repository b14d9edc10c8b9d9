#!/bin/sh
# Build the arm64 test VM's initramfs (`make check-arm64`). The amd64 VM
# runs on the host's root over 9p; the arm64 guest cannot, its programs
# being arm64 ones. So it gets: static busybox (its applets are the small
# tools the tests use), bash (the tests' scripts), util-linux's setpriv
# (busybox's cannot change uid), the modules of Debian's
# arm64 kernel that 9p needs, and an /init that mounts over 9p the host's
# /usr/lib/aarch64-linux-gnu (the :arm64 libraries that deps-arm64
# installed: libc, msgpack-c, libkmod, jansson), the repository and the run
# directory, then hands over to scripts/vm-guest.sh as the amd64 VM does.
# busybox and bash come from Debian's arm64 packages (apt-get download,
# cached), never installed on the host.
#   usage: scripts/vm-initramfs-arm64.sh ROOT KVER OUT.cpio.gz
#   ROOT: Debian's arm64 kernel unpacked (scripts/arm64-debian.sh --root)
set -eu
root=$1
kver=$2
out=$3
cache=${M4RPC_CACHE:-$HOME/.cache/m4rpc}
debs=$cache/arm64-guest-debs
pkgs="busybox-static bash libtinfo6 util-linux libcap-ng0"
die() { echo "vm-initramfs-arm64: $*" >&2; exit 1; }

mkdir -p "$debs"
for p in $pkgs; do
	ls "$debs/${p}_"*_arm64.deb >/dev/null 2>&1 && continue
	(cd "$debs" && apt-get download -q "$p:arm64" >&2) || die "apt-get download $p:arm64 failed"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in $pkgs; do
	dpkg -x "$(ls "$debs/${p}_"*_arm64.deb | tail -n 1)" "$work/pkg"
done

mkdir -p "$work/bin" "$work/sbin" "$work/usr/bin" "$work/usr/sbin" "$work/usr/local/bin" "$work/mods" \
	"$work/proc" "$work/sys" "$work/dev" "$work/tmp" "$work/etc" \
	"$work/lib/aarch64-linux-gnu" "$work/usr/lib/aarch64-linux-gnu"
cp "$work/pkg/bin/busybox" "$work/bin/busybox"
cp "$work/pkg/bin/bash" "$work/bin/bash"
# Ahead of busybox's applet of that name on PATH.
cp "$work/pkg/usr/bin/setpriv" "$work/usr/local/bin/setpriv"
# Their libraries here: /usr/lib/aarch64-linux-gnu is the host's, over 9p,
# and has only what the :arm64 packages installed there brought.
for l in libtinfo.so.6 libcap-ng.so.0; do
	for f in "$work/pkg/lib/aarch64-linux-gnu/$l"* "$work/pkg/usr/lib/aarch64-linux-gnu/$l"*; do
		[ -e "$f" ] && cp -a "$f" "$work/lib/aarch64-linux-gnu/"
	done
	[ -e "$work/lib/aarch64-linux-gnu/$l" ] || die "no $l in the packages"
done
ln -s /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 "$work/lib/ld-linux-aarch64.so.1"
rm -rf "$work/pkg"
# Who the tests may switch to (setpriv --reuid=65534).
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$work/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$work/etc/group"

: > "$work/mods/order"
for m in 9p 9pnet_virtio virtio_pci; do
	modprobe -d "$root" -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	b=$(basename "$ko")
	grep -qx "$b" "$work/mods/order" && continue
	cp "$ko" "$work/mods/$b"
	echo "$b" >> "$work/mods/order"
done
[ -s "$work/mods/order" ] || die "no 9p modules found in $root"

cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ln -s /proc/self/fd /dev/fd	# bash's process substitution
for m in $(cat /mods/order); do insmod "/mods/$m" || echo "vm-init: insmod $m failed"; done
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1"=*) echo "${w#*=}" ;; esac; done; }
# virtio-pci probes its devices asynchronously: wait (bounded) for the 3 9p channels.
n=0
while [ "$(cat /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag 2>/dev/null | wc -l)" -lt 3 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
run=$(arg m4rpc.run)
top=$(arg m4rpc.top)
o=trans=virtio,version=9p2000.L
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t 9p -o $o,ro,cache=loose arm64libs /usr/lib/aarch64-linux-gnu &&
	mkdir -p "$top" && mount -t 9p -o $o,ro,cache=loose top "$top" &&
	mkdir -p "$run" && mount -t 9p -o $o m4rpcrun "$run" ||
	{ echo "vm-init: cannot mount the host's directories"; dmesg | tail -n 15; poweroff -f; }
exec /bin/bash "$top/scripts/vm-guest.sh" "$run"
INIT
chmod +x "$work/init"

# mktemp made the guest's / mode 0700: the tests' other users must get through it.
chmod 755 "$work"
tmp=$out.$$
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp"
mv "$tmp" "$out"
