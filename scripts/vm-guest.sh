#!/bin/bash
# PID 1 of the test VM, on the host's root (read-only) after the initramfs.
# Runs the command that scripts/vm-run.sh left in RUN/cmd, then collects what
# the host judges the run by: the exit status, dmesg and, on a kernel with
# kmemleak, a leak scan. Results go to RUN (the one writable host directory).
run=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=${TERM:-linux}
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
# The links udev or systemd make on a real system; devtmpfs has none, and
# kselftest's runner.sh writes the tests' output to /dev/stdout.
ln -sfn /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do ln -sfn "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"; done
hostname m4rpc-vm
# shellcheck disable=SC1091
. "$run/env"
cd "$M4RPC_TOP" || exit 1

if [ -n "${M4RPC_INTERACTIVE:-}" ]; then
	echo "m4rpc VM: modules in \$M4RPC_KMOD_DIR=$M4RPC_KMOD_DIR; exit the shell to power off"
	setsid -c /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
else
	# The host counts kernel reports from here on (scripts/vm-run.sh).
	echo "m4rpc-vm: the command starts" > /dev/kmsg
	bash "$run/cmd"
	rc=$?
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	# kmemleak ignores objects younger than 5 s, so wait that long for what
	# the last test freed (or leaked). A scan takes ~20 s under TCG: scan once,
	# and a second time only to confirm what the first one suspects.
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak
	fi
	cat /sys/kernel/debug/kmemleak > "$run/kmemleak.txt"
fi
dmesg > "$run/dmesg.txt"
echo "$rc" > "$run/rc"
sync
echo
echo "M4RPC-EXIT=$rc"
/bin/busybox poweroff -f
