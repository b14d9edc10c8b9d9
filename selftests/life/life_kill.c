// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of sessions that die (<linux/m4rpc.h>, "Sessions"): cycles of
 * a client process that opens /dev/m4rpc0, binds a name, makes a call and
 * then has threads asleep in read(), write() and poll(), killed with
 * SIGKILL. After each cycle the endpoint must be as before: no session,
 * binding, queued message or pending call of the dead process left, and a
 * new client binds the same name and gets its call answered. Half the
 * cycles hold the H7 up, so that the writer sleeps for queue space and the
 * call waits in the transmit queue; the other half stream calls whose
 * replies are on their way when the process dies. Meanwhile the M4 calls
 * the bound name (the traffic sketch), so that some of its calls are
 * pending in the dying session. Other cycles kill the client at any moment
 * of its start.
 *
 * Cycles: $M4RPC_TEST_LIFE_CYCLES (default 100; `make soak-life`: 1000),
 * and half as many of the killings at any moment.
 * vm-run checks dmesg for warnings and, on the debug kernel, kmemleak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ep_util.h"
#include "life_client.h"

#define T_MS		5000
#define NAME		"life"
/* One cycle may take this long before it counts as a hang. */
#define CYCLE_S		60

/* The M4 calls NAME 20 times a second; the link holds few messages. */
static int up(struct board_env *e)
{
	struct h7emu_config cfg;

	board_config(&cfg, 0);
	cfg.m4_slots = 1;		/* for ep_hold_h7() */
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;	/* answers echo too */
	cfg.traffic.kind = H7EMU_TRAFFIC_CALL;
	cfg.traffic.rate = 20;
	cfg.traffic.size = 16;
	cfg.traffic.timeout_ms = 300;
	snprintf(cfg.traffic.method, sizeof(cfg.traffic.method), "%s", NAME);
	return board_up(e, &(struct board_opts){
		.link_params = "tx_session_len=2",
		.cfg = &cfg,
	});
}

/*
 * The endpoint as @mon saw it before the client: @sessions open, nothing
 * queued or pending. Queued messages and replies take a moment to drain
 * once the H7 runs again.
 */
static int wait_baseline(int mon, uint32_t sessions, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	struct m4rpc_link_stats st;

	for (;;) {
		if (ep_link_stats(mon, &st))
			return errno;
		if (st.sessions == sessions && !st.tx_queued &&
		    !st.calls_pending && !st.m4_calls_pending)
			return 0;
		if (now_ms() >= end) {
			fprintf(stderr,
				"# sessions %u (want %u), tx_queued %u, calls_pending %u, m4_calls_pending %u\n",
				st.sessions, sessions, st.tx_queued,
				st.calls_pending, st.m4_calls_pending);
			return ETIMEDOUT;
		}
		sleep_ms(5);
	}
}

/*
 * A new client binds the dead one's name, and gets a call answered (on a
 * session of its own: the M4's calls of the name come to the first).
 */
static int fresh_client(struct board_env *e, uint32_t msgid)
{
	int b, c, ret;

	b = board_ep_open(e, 0, O_RDWR);
	if (b < 0)
		return -b;
	c = board_ep_open(e, 0, O_RDWR);
	ret = c < 0 ? -c : ep_bind(b, NAME);
	if (!ret)
		ret = ep_echo(c, msgid, msgid, T_MS);
	if (c >= 0)
		close(c);
	close(b);
	return ret;
}

/*
 * After cycle @k's client died: the endpoint back to @mon alone, and a
 * fresh client served. 0, or the errno of what failed (and why, on stderr).
 */
static int after_kill(struct board_env *e, int mon, unsigned int k)
{
	int ret;

	ret = wait_baseline(mon, 1, T_MS);
	if (ret) {
		fprintf(stderr, "# cycle %u: endpoint not back\n", k);
		board_dump(e, 0, mon);
		return ret;
	}
	ret = fresh_client(e, k + 1);
	if (ret)
		fprintf(stderr, "# cycle %u: fresh client: %s\n", k,
			strerror(ret));
	return ret;
}

FIXTURE(kill) {
	struct board_env env;
	struct life_client c;
	int mon;
};

FIXTURE_SETUP(kill)
{
	self->mon = -1;
	self->c.pid = 0;
	self->c.rec_fd = -1;
	self->c.go_fd = -1;
	ASSERT_EQ(0, up(&self->env));
	self->mon = board_ep_session(&self->env, 0);
	ASSERT_LE(0, self->mon);
}

FIXTURE_TEARDOWN(kill)
{
	life_client_cleanup(&self->c);
	if (self->env.b[0].emu)
		ep_release_h7(&self->env);
	if (self->mon >= 0)
		close(self->mon);
	board_down(&self->env);
}

/* The cycles' own timeout is CYCLE_S each (alarm()); this one a backstop. */
TEST_F_TIMEOUT(kill, kill9_sleepers, 3600)
{
	unsigned int cycles = life_cycles("M4RPC_TEST_LIFE_CYCLES", 100);
	struct m4rpc_link_stats st;
	uint64_t t0, t, purged;
	unsigned int k;
	bool held;

	ASSERT_EQ(0, ep_link_stats(self->mon, &st));
	ASSERT_EQ(1U, st.sessions);
	t0 = now_ms();
	for (k = 0; k < cycles; k++) {
		alarm(CYCLE_S);
		held = !(k & 1);
		ASSERT_EQ(0, life_client_start(&self->c, &self->env, NAME,
					       held ? LIFE_WRITER_FILL :
					       LIFE_WRITER_STREAM)) {
			TH_LOG("cycle %u: client setup", k);
		}
		/* Its binding is there, and only its own. */
		ASSERT_EQ(EADDRINUSE, ep_bind(self->mon, NAME));
		if (held)
			ASSERT_EQ(0, ep_hold_h7(&self->env, self->mon));
		ASSERT_EQ(0, life_client_go(&self->c)) {
			TH_LOG("cycle %u: sleepers", k);
		}
		ASSERT_EQ(0, life_client_wait_asleep(&self->c, held ? LIFE_ALL :
				(1U << LIFE_READ) | (1U << LIFE_POLL), T_MS)) {
			TH_LOG("cycle %u: not asleep", k);
		}
		ASSERT_EQ(0, ep_link_stats(self->mon, &st));
		ASSERT_EQ(4U, st.sessions);
		purged = st.tx_purged;
		ASSERT_EQ(0, life_client_kill(&self->c, T_MS));
		/* The writer's queued messages went with it. */
		if (held) {
			ASSERT_EQ(0, ep_link_stats(self->mon, &st));
			ASSERT_LT(purged, st.tx_purged);
			ASSERT_EQ(0, ep_release_h7(&self->env));
		}
		ASSERT_EQ(0, after_kill(&self->env, self->mon, k));
		alarm(0);
	}
	t = now_ms() - t0;
	ASSERT_EQ(0, ep_link_stats(self->mon, &st));
	TH_LOG("%u cycles in %llu ms, %llu ms a cycle; replies_unmatched %llu, requests_refused %llu, tx_purged %llu",
	       cycles, (unsigned long long)t,
	       (unsigned long long)(t / cycles),
	       (unsigned long long)st.replies_unmatched,
	       (unsigned long long)st.requests_refused,
	       (unsigned long long)st.tx_purged);
}

/*
 * Killed at any moment of its start: in open(), the M4 wait, the call or
 * the bind (a delay of 0..40 ms, the same every run).
 */
TEST_F_TIMEOUT(kill, kill9_anytime, 3600)
{
	unsigned int cycles = (life_cycles("M4RPC_TEST_LIFE_CYCLES", 100) + 1) / 2;
	unsigned int seed = 1, k;
	uint64_t t0, t;

	t0 = now_ms();
	for (k = 0; k < cycles; k++) {
		alarm(CYCLE_S);
		ASSERT_EQ(0, life_client_spawn(&self->c, &self->env, NAME,
					       LIFE_WRITER_STREAM));
		sleep_ms(rand_r(&seed) % 41);
		ASSERT_EQ(0, life_client_kill(&self->c, T_MS));
		ASSERT_EQ(0, after_kill(&self->env, self->mon, k));
		alarm(0);
	}
	t = now_ms() - t0;
	TH_LOG("%u cycles in %llu ms, %llu ms a cycle", cycles,
	       (unsigned long long)t, (unsigned long long)(t / cycles));
}

TEST_HARNESS_MAIN
