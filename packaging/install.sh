#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# `make install` and `make uninstall` (packaging/install.mk): installs files
# under DESTDIR and keeps a manifest of what it put there, so that uninstall
# removes exactly that: the files and links, then the directories install
# created (never one that existed before, nor one that is not empty).
#
#   install.sh install MANIFEST ITEM...   ITEM: MODE:SOURCE:DEST (a file) or
#                                               link:TARGET:DEST (a symlink)
#   install.sh uninstall MANIFEST
#
# DEST and MANIFEST are absolute paths on the installed system; DESTDIR (the
# environment) is prepended to each. The manifest lists "f PATH" for every
# file and link (itself included) and "d PATH" for every directory created.
# Installing again keeps the entries of the earlier install.
set -eu
cmd=$1
manifest=$2
shift 2
D=${DESTDIR:-}
die() { echo "install.sh: $*" >&2; exit 1; }

case $manifest in /*) ;; *) die "the manifest's path is not absolute: $manifest" ;; esac

if [ "$cmd" = uninstall ]; then
	[ -f "$D$manifest" ] || die "nothing to uninstall: no $D$manifest"
	# Read first: the manifest is one of the files removed.
	list=$(cat "$D$manifest")
	echo "$list" | grep '^f ' | cut -c3- | while read -r p; do
		rm -f "$D$p"
	done
	# Deepest first; a directory something else put a file in stays.
	echo "$list" | grep '^d ' | cut -c3- | sort -r | while read -r p; do
		[ -d "$D$p" ] && rmdir --ignore-fail-on-non-empty "$D$p"
	done
	exit 0
fi
[ "$cmd" = install ] || die "usage: install.sh install|uninstall MANIFEST [ITEM...]"

new=$(mktemp)
trap 'rm -f "$new" "$new.all"' EXIT
# mkdirs DIR: create DIR and its missing parents, each recorded.
mkdirs() {
	[ -d "$D$1" ] && return 0
	[ "$1" = / ] && { mkdir -p "$D/"; return 0; }
	mkdirs "$(dirname "$1")"
	mkdir "$D$1"
	echo "d $1" >>"$new"
}

for item in "$@" "644::$manifest"; do
	mode=${item%%:*}
	rest=${item#*:}
	src=${rest%%:*}
	dest=${rest#*:}
	case $dest in /*) ;; *) die "not an absolute path: $dest ($item)" ;; esac
	case $dest in *" "*) die "a path with a space: $dest" ;; esac
	mkdirs "$(dirname "$dest")"
	echo "f $dest" >>"$new"
	if [ "$mode" = link ]; then
		ln -sfn "$src" "$D$dest"
	elif [ -n "$src" ]; then
		install -m "$mode" "$src" "$D$dest"
	fi
done

# The manifest itself, last: the earlier install's entries, then this one's.
{
	[ -f "$D$manifest" ] && cat "$D$manifest"
	cat "$new"
} | awk '!seen[$0]++' >"$new.all"
install -m 644 "$new.all" "$D$manifest"
