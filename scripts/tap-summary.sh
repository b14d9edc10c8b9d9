#!/bin/sh
# Count the TAP results in the given logs and print the line that ends
# `make check`: "N passed, N failed" (", N skipped" when some were).
# Exits 1 when anything failed or nothing ran.
awk '
	/^ok / && /# *[Ss][Kk][Ii][Pp]/ { skip++; next }
	/^ok /                          { pass++; next }
	/^not ok /                      { fail++; print "FAILED: " $0 > "/dev/stderr"; next }
	END {
		line = sprintf("%d passed, %d failed", pass, fail)
		if (skip) line = line sprintf(", %d skipped", skip)
		print line
		exit (fail || pass + skip == 0) ? 1 : 0
	}' "$@"
