/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer target of tests/fuzz/ shares: an invariant that does
 * not hold is a finding like a crash, so it aborts with the file, the line
 * and the condition (libFuzzer then saves the input as a crash file).
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* FUZZ_CHECK_H */
