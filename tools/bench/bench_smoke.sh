#!/bin/sh
# make check's smoke form of m4rpc-bench (VM suite): a few calls of every
# kind and a short concurrent run, to show that the program runs and
# prints its rows. Its TAP: one "ok" per figure; no timing is checked.
exec "$(dirname "$0")/../tools/m4rpc-bench" --tap -n 5 -w 2 -t 2 -c 10
