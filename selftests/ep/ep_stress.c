// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of /dev/m4rpcN under concurrency: 8 processes x 4 threads,
 * each thread its own session, all calling the echo sketch at once with the
 * same msgids, 20,000 calls in all ($M4RPC_TEST_EP_CALLS to change it).
 * Every reply must come back to its own caller with the caller's msgid and
 * value, nothing may be dropped anywhere, and the emulator must not have
 * lost a frame or a byte. The rate is logged (a figure, not a criterion).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define PROCS		8
#define THREADS		4
#define CALL_MS		20000

struct caller {
	struct board_env *e;
	unsigned int proc, thread, calls;
	int failures;
	char why[128];
	pthread_t th;
};

static void *caller_fn(void *arg)
{
	struct caller *c = arg;
	unsigned int i;
	int fd, ret;
	int64_t v;

	fd = board_ep_open(c->e, 0, O_RDWR);
	if (fd < 0) {
		snprintf(c->why, sizeof(c->why), "open: %d", fd);
		c->failures = c->calls;
		return NULL;
	}
	for (i = 0; i < c->calls; i++) {
		/* Same msgids in every session; values tell callers apart. */
		v = (int64_t)c->proc << 40 | (int64_t)c->thread << 32 | i;
		ret = ep_echo(fd, i, c->proc & 1 ? -v : v, CALL_MS);
		if (ret) {
			if (!c->failures)
				snprintf(c->why, sizeof(c->why),
					 "call %u: %s", i, strerror(ret));
			c->failures++;
			if (ret == ETIMEDOUT)
				break;
		}
	}
	close(fd);
	return NULL;
}

/* One process: THREADS callers; exit status: 0, or 1 with a line said. */
static int child(struct board_env *e, unsigned int proc, unsigned int calls)
{
	struct caller c[THREADS];
	unsigned int t;
	int bad = 0;

	for (t = 0; t < THREADS; t++) {
		memset(&c[t], 0, sizeof(c[t]));
		c[t].e = e;
		c[t].proc = proc;
		c[t].thread = t;
		c[t].calls = calls;
		if (pthread_create(&c[t].th, NULL, caller_fn, &c[t]))
			return 1;
	}
	for (t = 0; t < THREADS; t++) {
		pthread_join(c[t].th, NULL);
		if (c[t].failures) {
			fprintf(stderr, "# proc %u thread %u: %d failures, first %s\n",
				proc, t, c[t].failures, c[t].why);
			bad = 1;
		}
	}
	return bad;
}

FIXTURE(stress) {
	struct board_env env;
	int fd;
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, board_up_session(&self->env, &self->fd));
}

FIXTURE_TEARDOWN(stress)
{
	board_down_session(&self->env, self->fd);
}

TEST_F_TIMEOUT(stress, calls_8x4, 900)
{
	const char *s = getenv("M4RPC_TEST_EP_CALLS");
	unsigned int total = s ? strtoul(s, NULL, 0) : 20000, per, p;
	struct m4rpc_link_stats st;
	pid_t pid[PROCS];
	uint64_t t0, ms, lost;
	int status, bad = 0;

	per = (total + PROCS * THREADS - 1) / (PROCS * THREADS);
	total = per * PROCS * THREADS;
	t0 = now_ms();
	for (p = 0; p < PROCS; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (!pid[p])
			_exit(child(&self->env, p, per));
	}
	for (p = 0; p < PROCS; p++) {
		ASSERT_EQ(pid[p], waitpid(pid[p], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	ms = now_ms() - t0;
	TH_LOG("%u calls by %d sessions in %llu ms: %llu calls/s", total,
	       PROCS * THREADS, (unsigned long long)ms,
	       (unsigned long long)(ms ? total * 1000ULL / ms : 0));
	ASSERT_EQ(0, ep_link_stats(self->fd, &st));
	lost = board_emu_lost(&self->env, 0);
	if (bad || lost || st.replies_unmatched || st.rx_queue_drops)
		board_dump(&self->env, 0, self->fd);
	ASSERT_EQ(0, bad);
	ASSERT_EQ(total, st.tx_requests);
	ASSERT_EQ(total, st.rx_responses);
	ASSERT_EQ(0u, st.replies_unmatched);
	ASSERT_EQ(0u, st.rx_queue_drops);
	ASSERT_EQ(0u, st.rx_lost);
	ASSERT_EQ(0u, st.rx_oversize + st.rx_malformed);
	ASSERT_EQ(0u, st.calls_pending);
	ASSERT_EQ(0u, lost);
}

TEST_HARNESS_MAIN
