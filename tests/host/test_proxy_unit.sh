#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host test of m4rpc-proxy's systemd unit: systemd-analyze verify finds
# nothing wrong in it (with the built binary in the place of ExecStart),
# and it restarts on failure. Skipped where systemd is not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
unit=$top/tools/m4rpc-proxy/m4rpc-proxy.service
proxy=$here/../tools/m4rpc-proxy
echo "1..3"
if ! command -v systemd-analyze >/dev/null; then
	echo "ok 1 # SKIP systemd-analyze not installed"
	echo "ok 2 # SKIP"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	sed "s|/usr/local/bin/m4rpc-proxy|$proxy|" "$unit" >"$tmp/m4rpc-proxy.service"
	# The documentation and ordering names refer to units and pages this
	# host may lack; verify still checks every directive and the binary.
	if systemd-analyze verify --man=no "$tmp/m4rpc-proxy.service" >"$tmp/out" 2>&1 &&
		! grep -v -e 'docker.service' -e 'm4-proxy.service' "$tmp/out" | grep -q .; then
		echo "ok 1 systemd-analyze verify m4rpc-proxy.service"
	else
		echo "not ok 1 systemd-analyze verify m4rpc-proxy.service"
		sed 's/^/#   /' "$tmp/out"
	fi
	sed 's|ExecStart=.*|ExecStart=/nonexistent/m4rpc-proxy|' "$unit" >"$tmp/m4rpc-proxy.service"
	if ! systemd-analyze verify --man=no "$tmp/m4rpc-proxy.service" >/dev/null 2>&1; then
		echo "ok 2 ... and it fails on a unit whose binary is missing"
	else
		echo "not ok 2 ... and it fails on a unit whose binary is missing"
	fi
fi
if grep -qx 'Restart=on-failure' "$unit"; then
	echo "ok 3 the unit restarts the proxy on failure"
else
	echo "not ok 3 the unit restarts the proxy on failure"
fi
