/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The host tests' seeded random numbers: xorshift64*, reproducible from the
 * seed each test logs. A test defines TEST_RAND_ENV, the environment variable
 * that overrides its seeds (to repeat a failing run), before including this.
 * Include after kselftest_harness.h.
 */
#ifndef TEST_RAND_H
#define TEST_RAND_H

#include <stdint.h>
#include <stdlib.h>

#ifndef TEST_RAND_ENV
#error "define TEST_RAND_ENV before including test_rand.h"
#endif

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void rnd_seed(struct __test_metadata *_metadata, uint64_t seed)
{
	const char *env = getenv(TEST_RAND_ENV);

	if (env)
		seed = strtoull(env, NULL, 0);
	rng_state = seed ? seed : 1;
	TH_LOG("seed 0x%llx (set " TEST_RAND_ENV " to repeat)",
	       (unsigned long long)rng_state);
}

#endif /* TEST_RAND_H */
