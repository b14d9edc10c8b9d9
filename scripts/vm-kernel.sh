#!/bin/sh
# The version of Debian's kernel that the test VM boots: the newest installed
# /boot/vmlinuz-* whose headers are installed too (the modules build against them).
for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r); do
	[ -d "/lib/modules/$v/build" ] && { echo "$v"; exit 0; }
done
echo "vm-kernel: no /boot/vmlinuz-* with headers: run 'make deps'" >&2
exit 1
