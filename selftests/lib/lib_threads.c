// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM test of libm4rpc's threads: 8 threads x 1,000 echo calls at once on
 * one board (one kernel session), every reply to its own caller. A
 * thread's calls carry its number and the call's, so a reply delivered to
 * the wrong caller is seen.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lib_board.h"

#define THREADS		8
#define CALLS		1000

struct caller {
	struct m4rpc_board *b;
	int id;
	int failed, wrong;
	char first_error[256];
};

static void *caller_fn(void *arg)
{
	struct caller *c = arg;
	struct m4rpc_result *res;
	int64_t v, want;
	int i, ret;

	for (i = 0; i < CALLS; i++) {
		want = (int64_t)c->id << 32 | i;
		ret = m4rpc_call(c->b, LIB_T_MS, &res, "echo", "I", want);
		if (ret) {
			if (!c->failed++)
				snprintf(c->first_error, sizeof(c->first_error),
					 "%s", m4rpc_last_error());
			continue;
		}
		if (m4rpc_result_int(res, &v) || v != want)
			c->wrong++;
		m4rpc_result_free(res);
	}
	return NULL;
}

LIB_FIXTURE(threads);

TEST_F_TIMEOUT(threads, eight_threads_one_board, 600)
{
	struct caller c[THREADS];
	pthread_t t[THREADS];
	int i;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	for (i = 0; i < THREADS; i++) {
		c[i] = (struct caller){ .b = self->b, .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, caller_fn, &c[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, c[i].failed) TH_LOG("thread %d: %s", i,
						 c[i].first_error);
		EXPECT_EQ(0, c[i].wrong) TH_LOG("thread %d", i);
	}
	EXPECT_EQ(THREADS * CALLS, lib_session_counter(self->b, "replies"));
	EXPECT_EQ(0, lib_session_counter(self->b, "lib_replies_dropped"));
}

TEST_HARNESS_MAIN
