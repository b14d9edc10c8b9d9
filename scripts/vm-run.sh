#!/bin/bash
# Run a command as root inside the test VM and return its exit status.
#
#   scripts/vm-run.sh [--debug|--arm64] [--timeout SEC] [--shell] [--kmod DIR] [-- COMMAND ARGS...]
#
# The guest boots Debian's packaged kernel (or, with --debug, the debug kernel of
# scripts/debug-kernel.sh) under qemu with 2 vCPUs, mounts the host's root
# read-only over virtio-9p as its own (so host binaries and libraries just work;
# /tmp, /run, /root are tmpfs) and runs COMMAND with cwd = this repository and
# M4RPC_KMOD_DIR = the modules built for that kernel. KVM is used only when a
# bounded probe shows it boots; otherwise TCG.
# With --arm64 the guest is qemu-system-aarch64 (virt, Cortex-A53, TCG) on
# Debian's arm64 kernel (scripts/arm64-debian.sh) with an arm64 userland of
# its own (scripts/vm-initramfs-arm64.sh): the host's root is not its root.
#
# The run fails when the command fails, the guest does not finish within
# SEC seconds (default 900; it is killed and its console kept), or the guest's
# dmesg shows, once the command started, a kernel warning, oops,
# KASAN/UBSAN/lockdep report, sleeping in atomic context, or (debug kernel) a
# kmemleak report. Reports of the guest kernel's own boot, before the
# command, are shown and not counted.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
debug=
arm64=
timeout=900
shell=
kmod=
while [ $# -gt 0 ]; do
	case "$1" in
	--debug) debug=1 ;;
	--arm64) arm64=1 ;;
	--timeout) timeout=$2; shift ;;
	--shell) shell=1 ;;
	--kmod) kmod=$2; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || [ -n "$shell" ] || { echo "vm-run: no command (see --help)" >&2; exit 2; }

die() { echo "vm-run: $*" >&2; exit 1; }
cache=${M4RPC_CACHE:-$HOME/.cache/m4rpc}
vmdir=$top/build/vm
mkdir -p "$vmdir" "$cache"

# --- the kernel ---
karch=
if [ -n "$arm64" ]; then
	aroot=$("$top/scripts/arm64-debian.sh" --root) || die "cannot fetch Debian's arm64 kernel"
	kdir=$("$top/scripts/arm64-debian.sh")
	kver=${kdir##*/linux-headers-}
	image=$aroot/boot/vmlinuz-$kver
	tag=$kver
	mem=1536
	karch=arm64
elif [ -n "$debug" ]; then
	kdir=$("$top/scripts/debug-kernel.sh") || die "cannot build the debug kernel"
	image=$kdir/arch/x86/boot/bzImage
	kver=-
	tag=debug
	mem=2048
else
	kver=$("$top/scripts/vm-kernel.sh") || exit 1
	image=/boot/vmlinuz-$kver
	kdir=/lib/modules/$kver/build
	tag=$kver
	mem=1536
fi
[ -r "$image" ] || die "cannot read $image"
[ -n "$kmod" ] || kmod=$(make -s --no-print-directory -C "$top" print-KOUT KDIR="$kdir" ARCH="$karch")

# --- the initramfs, rebuilt when its script changes ---
initrd=$vmdir/initramfs-$tag.cpio.gz
if [ -n "$arm64" ]; then
	if [ ! -s "$initrd" ] || [ "$top/scripts/vm-initramfs-arm64.sh" -nt "$initrd" ]; then
		"$top/scripts/vm-initramfs-arm64.sh" "$aroot" "$kver" "$initrd" ||
			die "cannot build the initramfs"
	fi
elif [ ! -s "$initrd" ] || [ "$top/scripts/vm-initramfs.sh" -nt "$initrd" ]; then
	"$top/scripts/vm-initramfs.sh" "$kver" "$initrd" || die "cannot build the initramfs"
fi

qemu_base() {
	[ -n "$arm64" ] && { echo qemu-system-aarch64 -nodefaults -no-user-config -display none \
		-no-reboot -machine virt -cpu cortex-a53 -smp 2 -m "$mem" -kernel "$image" \
		-initrd "$initrd"; return; }
	echo qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
		-machine q35 -cpu max -smp 2 -m "$mem" -kernel "$image" -initrd "$initrd"
}

# --- KVM or TCG: a guest under this machine's KVM may hang before its first line ---
accel=${M4RPC_ACCEL:-}
[ -n "$arm64" ] && accel=tcg
if [ -z "$accel" ]; then
	probe=$cache/accel-$(uname -r)
	if [ -s "$probe" ]; then
		accel=$(cat "$probe")
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		out=$(timeout -k 2 10 $(qemu_base) -accel kvm -serial stdio \
			-append "console=ttyS0 quiet m4rpc.probe" </dev/null 2>/dev/null)
		case "$out" in *M4RPC-PROBE-OK*) accel=kvm ;; *) accel=tcg ;; esac
		echo "$accel" > "$probe"
		echo "vm-run: KVM probe: using $accel" >&2
	else
		accel=tcg
	fi
fi
accel_opt=$accel
[ "$accel" = tcg ] && accel_opt=tcg,thread=multi

# --- the run directory: the guest's only writable view of the host ---
run=$(mktemp -d "$vmdir/run.XXXXXX")
cleanup() { rm -rf "$run"; }
trap cleanup EXIT
{
	printf 'export M4RPC_TOP=%q M4RPC_KMOD_DIR=%q M4RPC_KERNEL=%q M4RPC_RUN=%q\n' \
		"$top" "$kmod" "$tag" "$run"
	[ -n "$shell" ] && echo "export M4RPC_INTERACTIVE=1"
	# pass the caller's M4RPC_* and TAP-related settings through
	env | grep -E '^(M4RPC_(VERBOSE|TEST_[A-Z_]+)|KSFT_[A-Z_]+)=' | sed 's/^/export /;s/=\(.*\)$/="\1"/'
} > "$run/env"
[ $# -gt 0 ] && printf '%q ' "$@" > "$run/cmd"

cmdline="console=ttyS0 loglevel=5 panic=-1 m4rpc.run=$run m4rpc.top=$top"
[ -n "$debug" ] && cmdline="$cmdline kasan.fault=report"
qemu=($(qemu_base) -accel "$accel_opt")
if [ -n "$arm64" ]; then
	# The machine's own device tree plus a simulated board's node, for the
	# device-tree path (kernel/sim/sim_of.c): qemu dumps the tree it would
	# give this guest, dtc merges the node in.
	dtb=$vmdir/virt-arm64.dtb
	dtsi=$top/scripts/arm64-sim-board.dtsi
	if [ ! -s "$dtb" ] || [ "$dtsi" -nt "$dtb" ]; then
		"${qemu[@]}" -machine dumpdtb="$dtb.base" >/dev/null 2>&1 &&
			{ dtc -q -I dtb -O dts "$dtb.base" && cat "$dtsi"; } |
			dtc -q -I dts -O dtb -o "$dtb.tmp" - && mv "$dtb.tmp" "$dtb" ||
			die "cannot make the device tree (dtc: device-tree-compiler)"
		rm -f "$dtb.base"
	fi
	qemu+=(-dtb "$dtb")
	qemu+=(-virtfs "local,path=/usr/lib/aarch64-linux-gnu,mount_tag=arm64libs,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$top,mount_tag=top,security_model=none,readonly=on,multidevs=remap")
	cmdline=${cmdline/console=ttyS0/console=ttyAMA0}
else
	qemu+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
fi
qemu+=(-virtfs "local,path=$run,mount_tag=m4rpcrun,security_model=none,multidevs=remap"
	-append "$cmdline")

console=$vmdir/console-$tag.log
if [ -n "$shell" ]; then
	"${qemu[@]}" -serial mon:stdio
	exit $?
fi
timeout -k 5 "$timeout" "${qemu[@]}" -serial stdio </dev/null 2>&1 | tee "$console" |
	grep -v -E '^M4RPC-EXIT=' | tr -d '\r'
qrc=${PIPESTATUS[0]}

if [ ! -s "$run/rc" ]; then
	[ "$qrc" = 124 ] && why="timed out after ${timeout}s" || why="qemu exited $qrc"
	echo "vm-run: the guest did not finish ($why); console: $console" >&2
	exit 1
fi
rc=$(cat "$run/rc")
cp "$run/dmesg.txt" "$vmdir/dmesg-$tag.txt" 2>/dev/null
bad='WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|circular locking|recursive locking|inconsistent lock state|lock held when returning|sleeping function called from invalid context|hung_task|soft lockup|rcu_sched self-detected|Call Trace'
# The guest marks where its command starts. A report before that comes from
# the guest kernel's own boot, before anything of this project was loaded
# (seen: a KASAN wild-memory-access in handle_edge_irq during identify_cpu,
# at 0.004 s, on the 6.1.192 debug kernel under TCG, once in several
# boots): shown, not counted. Without the mark (an older guest script),
# everything counts.
mark='m4rpc-vm: the command starts'
boot=$(sed -n "/$mark/q;p" "$run/dmesg.txt" 2>/dev/null)
if grep -q "$mark" "$run/dmesg.txt" 2>/dev/null; then
	tests=$(sed -n "/$mark/,\$p" "$run/dmesg.txt")
else
	boot=
	tests=$(cat "$run/dmesg.txt" 2>/dev/null)
fi
if grep -E "$bad" <<<"$boot" >/dev/null 2>&1; then
	echo "vm-run: note: the guest kernel reported a problem while it booted, before the command ran (not counted; full dmesg: $vmdir/dmesg-$tag.txt):" >&2
	grep -E -A12 "$bad" <<<"$boot" | head -n 30 >&2
fi
if grep -E "$bad" <<<"$tests" >/dev/null 2>&1; then
	echo "vm-run: the guest kernel reported problems (full dmesg: $vmdir/dmesg-$tag.txt):" >&2
	grep -E -B2 -A20 "$bad" <<<"$tests" | head -n 80 >&2
	[ "$rc" = 0 ] && rc=1
fi
if [ -s "$run/kmemleak.txt" ]; then
	echo "vm-run: kmemleak found leaks:" >&2
	head -n 60 "$run/kmemleak.txt" >&2
	cp "$run/kmemleak.txt" "$vmdir/kmemleak-$tag.txt"
	[ "$rc" = 0 ] && rc=1
fi
exit "$rc"
