#!/bin/sh
# Build the test VM's initramfs: static busybox, the modules the guest kernel
# needs to mount the host's root over virtio-9p (none for the debug kernel,
# which has them built in), and an /init that mounts it and hands over to
# scripts/vm-guest.sh. Everything else the guest runs comes from the host's
# root, read-only, as virtme does: one userland for host and guest.
#   usage: scripts/vm-initramfs.sh KVER|- OUT.cpio.gz
set -eu
kver=$1
out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin" "$work/mods" "$work/proc" "$work/sys" "$work/dev" "$work/newroot"
cp /bin/busybox "$work/bin/busybox"
for a in sh mount mkdir insmod grep cat poweroff sleep switch_root echo dmesg tail ls wc; do
	ln -s busybox "$work/bin/$a"
done

: > "$work/mods/order"
if [ "$kver" != "-" ]; then
	for m in 9p 9pnet_virtio virtio_pci; do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
		b=$(basename "$ko")
		grep -qx "$b" "$work/mods/order" && continue
		cp "$ko" "$work/mods/$b"
		echo "$b" >> "$work/mods/order"
	done
fi

cat > "$work/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod "/mods/$m" || echo "vm-init: insmod $m failed"; done
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1"=*) echo "${w#*=}" ;; esac; done; }
if grep -qw m4rpc.probe /proc/cmdline; then
	echo "M4RPC-PROBE-OK"
	poweroff -f
fi
# virtio-pci probes its devices asynchronously: wait (bounded) for both 9p channels.
n=0
while [ "$(cat /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag 2>/dev/null | wc -l)" -lt 2 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
run=$(arg m4rpc.run)
top=$(arg m4rpc.top)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /newroot ||
	{ echo "vm-init: cannot mount the host root"; dmesg | tail -n 15; poweroff -f; }
# The repository may live under a directory the guest gets a tmpfs on (a
# clone in /tmp): set it aside first and put it back on top afterwards.
mkdir -p /top
mount --bind "/newroot$top" /top
for d in tmp run var/tmp var/lib/udev root; do
	[ -d "/newroot/$d" ] && mount -t tmpfs -o mode=1777 tmpfs "/newroot/$d"
done
mkdir -p "/newroot$top"
mount --move /top "/newroot$top"
mount -t 9p -o trans=virtio,version=9p2000.L m4rpcrun "/newroot$run" ||
	{ echo "vm-init: cannot mount the run directory"; poweroff -f; }
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$top/scripts/vm-guest.sh" "$run"
INIT
chmod +x "$work/init"

tmp=$out.$$
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp"
mv "$tmp" "$out"
