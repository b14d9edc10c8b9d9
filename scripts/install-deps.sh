#!/bin/sh
# Install the Debian packages named on the command line that are not installed
# yet. Idempotent and quiet when there is nothing to do; `apt-get update` runs
# only when something is missing.
set -eu
missing=
for p in "$@"; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$s" in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root for:$missing" >&2; exit 1; }
	sudo=sudo
else
	sudo=
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >&2
