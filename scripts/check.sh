#!/bin/bash
# `make check`, `make check-debug` and `make check-arm64`: the host unit tests, then the VM suite,
# then one summary line. The Makefile has built everything before this runs.
#   usage: scripts/check.sh [--debug|--arm64] --host "TESTS..." --vm "TESTS..."
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
debug=
arm64=
host=
vm=
while [ $# -gt 0 ]; do
	case "$1" in
	--debug) debug=--debug ;;
	--arm64) arm64=--arm64 ;;
	--host) host=$2; shift ;;
	--vm) vm=$2; shift ;;
	esac
	shift
done
out=$top/build/check${debug:+-debug}${arm64:+-arm64}
rm -rf "$out" && mkdir -p "$out"

echo "TAP version 13"
echo "# ==== host unit tests"
# shellcheck disable=SC2086
"$top/scripts/run-tap.sh" $host | tee "$out/host.tap"

echo "# ==== VM suite (${debug:+debug }${arm64:+arm64 }kernel)"
start=$(date +%s)
# The guest's bound: the suite takes ~10 min here (~17 min under the debug
# kernel's checkers) on a quiet machine; twice that, so a loaded machine
# passes and a hung guest still ends well inside CI's 90 minutes.
vm_timeout=${M4RPC_VM_TIMEOUT:-$([ -n "$debug" ] && echo 2400 || echo 1500)}
# shellcheck disable=SC2086
"$top/scripts/vm-run.sh" $debug $arm64 --timeout "$vm_timeout" -- \
	scripts/run-tap.sh $vm > >(tee "$out/vm.tap") 2> >(tee "$out/vm.err" >&2)
vrc=$?
wait
echo "# VM suite: $(( $(date +%s) - start )) s, exit status $vrc"
if [ "$vrc" != 0 ] && ! grep -q '^not ok' "$out/vm.tap"; then
	echo "not ok - VM suite: $(grep -h '^vm-run:' "$out/vm.err" | head -n 1)" | tee -a "$out/vm.tap"
fi

"$top/scripts/tap-summary.sh" "$out/host.tap" "$out/vm.tap"
