// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/m4rpcN routing (<linux/m4rpc.h>, "Sessions",
 * "Bindings"): independent sessions, replies to their own caller only,
 * late replies dropped, method bindings, the kernel's error responses to
 * the M4, responses only to requests routed to the session, and what
 * closing a session (or its process dying) releases. The M4's own calls
 * and notifications are injected into the emulator's M4 (echo sketch).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS		5000
#define M4_MSGID	H7EMU_M4_THREAD_HANDLE

FIXTURE(rt) {
	struct board_env env;
	struct h7emu *emu;
	int a, b;
	uint8_t buf[EP_MSG_MAX];
	struct rpc_msg m;
};

FIXTURE_SETUP(rt)
{
	self->b = -1;
	ASSERT_EQ(0, board_up_session(&self->env, &self->a));
	self->emu = self->env.b[0].emu;
	self->b = board_ep_open(&self->env, 0, O_RDWR);
	ASSERT_LE(0, self->b);
}

FIXTURE_TEARDOWN(rt)
{
	if (self->b >= 0)
		close(self->b);
	board_down_session(&self->env, self->a);
}

/* The M4 calls @method with msgid @msgid and one integer argument. */
static int m4_call(struct h7emu *emu, uint32_t msgid, const char *method,
		   int64_t arg)
{
	uint8_t buf[256];
	size_t n = mk_call_int(buf, msgid, method, arg);

	return h7emu_m4_rpc_write(emu, buf, n);
}

static int m4_notify(struct h7emu *emu, const char *method, int64_t arg)
{
	uint8_t buf[256];
	size_t n = mk_notify_int(buf, method, arg);

	return h7emu_m4_rpc_write(emu, buf, n);
}

static uint64_t m4_responses(struct h7emu *emu)
{
	struct h7emu_stats st;

	h7emu_get_stats(emu, &st);
	return st.m4_responses_in + st.m4_responses_unmatched;
}

static int m4_wait_responses(struct h7emu *emu, uint64_t n)
{
	uint64_t end = now_ms() + T_MS;

	while (m4_responses(emu) < n) {
		if (now_ms() > end)
			return ETIMEDOUT;
		sleep_ms(5);
	}
	return 0;
}

/* Nothing arrives for @fd within @ms. */
static bool quiet(int fd, unsigned int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/* Two sessions use the same msgids at once; each gets its own replies. */
TEST_F(rt, sessions_independent)
{
	size_t n;
	int i;

	for (i = 0; i < 20; i++) {
		n = mk_call_int(self->buf, 1, "echo", 1000 + i);
		ASSERT_EQ(0, ep_write_msg(self->a, self->buf, n));
		n = mk_call_int(self->buf, 1, "echo", 2000 + i);
		ASSERT_EQ(0, ep_write_msg(self->b, self->buf, n));
	}
	for (i = 0; i < 20; i++) {
		n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
		ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
		ASSERT_EQ(1u, self->m.msgid);
		ASSERT_EQ(1000 + i, self->m.value);
		n = ep_read_msg(self->b, self->buf, sizeof(self->buf), T_MS);
		ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
		ASSERT_EQ(1u, self->m.msgid);
		ASSERT_EQ(2000 + i, self->m.value);
	}
	ASSERT_TRUE(quiet(self->a, 100));
	ASSERT_TRUE(quiet(self->b, 0));
}

/* A reply for a session that closed is dropped and counted. */
TEST_F(rt, late_reply_dropped)
{
	struct m4rpc_link_stats st;
	struct h7emu_faults f;
	size_t n;

	memset(&f, 0, sizeof(f));
	f.slow_m4_ms = 300;
	ASSERT_EQ(0, h7emu_set_faults(self->emu, &f));
	n = mk_call_int(self->buf, 9, "echo", 9);
	ASSERT_EQ(0, ep_write_msg(self->a, self->buf, n));
	ASSERT_EQ(0, link_wait_stat(&self->env, 0, "tx_ui_msgs", 1, T_MS));
	close(self->a);
	self->a = -1;
	ASSERT_EQ(0, h7emu_wait_stat(self->emu, offsetof(struct h7emu_stats,
							 m4_answered), 1, T_MS));
	ASSERT_EQ(0, ep_wait_link_stat(self->b, offsetof(struct m4rpc_link_stats,
							 rx_responses), 1, T_MS));
	ASSERT_EQ(0, ep_link_stats(self->b, &st));
	ASSERT_EQ(1u, st.replies_unmatched);
	ASSERT_EQ(0u, st.calls_pending);
	ASSERT_TRUE(quiet(self->b, 100));
	/* The other session is fine. */
	f.slow_m4_ms = 0;
	ASSERT_EQ(0, h7emu_set_faults(self->emu, &f));
	ASSERT_EQ(0, ep_echo(self->b, 9, 10, T_MS));
}

/* An M4 call reaches the session that bound it; its answer goes back. */
TEST_F(rt, m4_call_to_binder)
{
	struct rpc_msg r;
	uint64_t before = m4_responses(self->emu);
	uint32_t kid;
	size_t n;

	ASSERT_EQ(0, ep_bind(self->a, "ping"));
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 41));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_LT(0, (ssize_t)n);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	ASSERT_EQ(0, self->m.type);
	ASSERT_STREQ("ping", self->m.method);
	ASSERT_EQ(41, self->m.params0);
	kid = self->m.msgid;
	ASSERT_TRUE(quiet(self->b, 0));

	n = mk_response_int(self->buf, kid, 42);
	ASSERT_EQ(0, ep_write_msg(self->a, self->buf, n));
	ASSERT_EQ(0, m4_wait_responses(self->emu, before + 1));
	n = h7emu_m4_last_response(self->emu, self->buf, sizeof(self->buf));
	ASSERT_EQ(0, rpc_decode(self->buf, n, &r));
	ASSERT_EQ(1, r.type);
	ASSERT_EQ(M4_MSGID, r.msgid);
	ASSERT_FALSE(r.error);
	ASSERT_EQ(42, r.value);
}

/* Nobody bound it: the kernel answers the M4 at once. */
TEST_F(rt, unbound_call_answered)
{
	struct m4rpc_link_stats st;
	uint64_t before = m4_responses(self->emu);
	struct rpc_msg r;
	size_t n;

	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "nobody", 1));
	ASSERT_EQ(0, m4_wait_responses(self->emu, before + 1));
	n = h7emu_m4_last_response(self->emu, self->buf, sizeof(self->buf));
	ASSERT_EQ(0, rpc_decode(self->buf, n, &r));
	ASSERT_EQ(1, r.type);
	ASSERT_EQ(M4_MSGID, r.msgid);
	ASSERT_TRUE(r.error);
	ASSERT_STREQ("m4rpc: no Linux process bound 'nobody'", r.errtext);
	ASSERT_EQ(0, ep_link_stats(self->a, &st));
	ASSERT_EQ(1u, st.requests_unbound);
	ASSERT_EQ(1u, st.tx_errors);
	ASSERT_TRUE(quiet(self->a, 0));
	ASSERT_TRUE(quiet(self->b, 0));
}

/* Only a request routed to the session may be answered, once. */
TEST_F(rt, response_rules)
{
	uint32_t kid;
	size_t n;

	ASSERT_EQ(0, ep_bind(self->a, "ping"));
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 1));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	kid = self->m.msgid;

	/* Not to b, not an unknown msgid. */
	n = mk_response_int(self->buf, kid, 2);
	errno = 0;
	ASSERT_EQ(-1, write(self->b, self->buf, n));
	ASSERT_EQ(EINVAL, errno);
	n = mk_response_int(self->buf, kid + 1, 2);
	errno = 0;
	ASSERT_EQ(-1, write(self->a, self->buf, n));
	ASSERT_EQ(EINVAL, errno);
	/* Once. */
	n = mk_response_int(self->buf, kid, 2);
	ASSERT_EQ(0, ep_write_msg(self->a, self->buf, n));
	errno = 0;
	ASSERT_EQ(-1, write(self->a, self->buf, n));
	ASSERT_EQ(EINVAL, errno);
}

/*
 * The M4 gave up on a call (its timeout) and calls again with the same
 * msgid: the old call is forgotten, so its late answer cannot be taken for
 * the new call's.
 */
TEST_F(rt, m4_reused_msgid)
{
	struct m4rpc_link_stats st;
	uint32_t kid1, kid2;
	size_t n;

	ASSERT_EQ(0, ep_bind(self->a, "ping"));
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 1));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	kid1 = self->m.msgid;
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 2));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	kid2 = self->m.msgid;
	ASSERT_NE(kid1, kid2);
	ASSERT_EQ(2, self->m.params0);

	n = mk_response_int(self->buf, kid1, 1);
	errno = 0;
	ASSERT_EQ(-1, write(self->a, self->buf, n));
	ASSERT_EQ(EINVAL, errno);
	n = mk_response_int(self->buf, kid2, 2);
	ASSERT_EQ(0, ep_write_msg(self->a, self->buf, n));
	ASSERT_EQ(0, ep_link_stats(self->a, &st));
	ASSERT_EQ(1u, st.requests_abandoned);
}

/* Notifications go to the binder; unbound ones are counted and dropped. */
TEST_F(rt, notifications)
{
	struct m4rpc_link_stats st;
	size_t n;

	ASSERT_EQ(0, ep_bind(self->b, "evt"));
	ASSERT_EQ(0, m4_notify(self->emu, "other", 1));
	ASSERT_EQ(0, m4_notify(self->emu, "evt", 2));
	n = ep_read_msg(self->b, self->buf, sizeof(self->buf), T_MS);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	ASSERT_EQ(2, self->m.type);
	ASSERT_STREQ("evt", self->m.method);
	ASSERT_EQ(2, self->m.params0);
	ASSERT_EQ(0, ep_link_stats(self->b, &st));
	ASSERT_EQ(2u, st.rx_notifications);
	ASSERT_EQ(1u, st.notify_unbound);
	ASSERT_TRUE(quiet(self->a, 0));
	ASSERT_TRUE(quiet(self->b, 0));
	/* The M4's Serial is "tty". */
	ASSERT_EQ(0, ep_bind(self->a, "tty"));
	ASSERT_EQ(0, h7emu_m4_serial_write(self->emu, "hi\n", 3));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_EQ(0, rpc_decode(self->buf, n, &self->m));
	ASSERT_STREQ("tty", self->m.method);
	ASSERT_TRUE(self->m.is_bin);
	ASSERT_EQ(3u, self->m.bin_len);
	ASSERT_EQ(0, memcmp(self->m.bin, "hi\n", 3));
}

/* One binder per name; bindings go with unbind and close. */
TEST_F(rt, bind_rules)
{
	char name[16];
	int i, c;

	ASSERT_EQ(0, ep_bind(self->a, "x"));
	ASSERT_EQ(0, ep_bind(self->a, "x"));
	ASSERT_EQ(EADDRINUSE, ep_bind(self->b, "x"));
	ASSERT_EQ(ENOENT, ep_unbind(self->b, "x"));
	ASSERT_EQ(0, ep_unbind(self->a, "x"));
	ASSERT_EQ(ENOENT, ep_unbind(self->a, "x"));
	ASSERT_EQ(0, ep_bind(self->b, "x"));
	close(self->b);
	self->b = -1;
	ASSERT_EQ(0, ep_bind(self->a, "x"));

	/* 64 per session. */
	c = board_ep_open(&self->env, 0, O_RDWR);
	ASSERT_LE(0, c);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		ASSERT_EQ(0, ep_bind(c, name));
	}
	ASSERT_EQ(ENOSPC, ep_bind(c, "one-more"));
	ASSERT_EQ(0, ep_unbind(c, "m0"));
	ASSERT_EQ(0, ep_bind(c, "one-more"));
	close(c);
}

/* A session closes with an M4 call unanswered: the kernel answers it. */
TEST_F(rt, close_answers_m4_call)
{
	uint64_t before = m4_responses(self->emu);
	struct rpc_msg r;
	size_t n;

	ASSERT_EQ(0, ep_bind(self->a, "ping"));
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 1));
	n = ep_read_msg(self->a, self->buf, sizeof(self->buf), T_MS);
	ASSERT_LT(0, (ssize_t)n);
	close(self->a);
	self->a = -1;
	ASSERT_EQ(0, m4_wait_responses(self->emu, before + 1));
	n = h7emu_m4_last_response(self->emu, self->buf, sizeof(self->buf));
	ASSERT_EQ(0, rpc_decode(self->buf, n, &r));
	ASSERT_EQ(M4_MSGID, r.msgid);
	ASSERT_TRUE(r.error);
	ASSERT_STREQ("m4rpc: Linux process closed: 'ping'", r.errtext);
}

/*
 * An application killed with a call in flight, bindings and an M4 call
 * unanswered: its restart binds the same names and works at once.
 */
TEST_F(rt, restart_after_kill)
{
	uint64_t before = m4_responses(self->emu);
	struct m4rpc_link_stats st;
	struct rpc_msg r;
	int pfd[2], status;
	pid_t pid;
	char c;
	size_t n;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = board_ep_open(&self->env, 0, O_RDWR);
		uint8_t buf[256];

		if (fd < 0 || ep_bind(fd, "ping") || ep_bind(fd, "evt"))
			_exit(1);
		n = mk_call_int(buf, 5, "echo", 5);
		if (ep_write_msg(fd, buf, n))
			_exit(2);
		if (write(pfd[1], "x", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	/* The M4 calls the child, which never answers. */
	ASSERT_EQ(0, m4_call(self->emu, M4_MSGID, "ping", 1));
	ASSERT_EQ(0, ep_wait_link_stat(self->a, offsetof(struct m4rpc_link_stats,
							 m4_calls_pending), 1, T_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	ASSERT_EQ(0, m4_wait_responses(self->emu, before + 1));
	n = h7emu_m4_last_response(self->emu, self->buf, sizeof(self->buf));
	ASSERT_EQ(0, rpc_decode(self->buf, n, &r));
	ASSERT_STREQ("m4rpc: Linux process closed: 'ping'", r.errtext);

	/* The restarted application. */
	ASSERT_EQ(0, ep_bind(self->a, "ping"));
	ASSERT_EQ(0, ep_bind(self->a, "evt"));
	ASSERT_EQ(0, ep_echo(self->a, 5, 6, T_MS));
	ASSERT_EQ(0, ep_link_stats(self->a, &st));
	ASSERT_EQ(2u, st.sessions);
	ASSERT_EQ(0u, st.calls_pending);
	ASSERT_EQ(0u, st.m4_calls_pending);
}

TEST_HARNESS_MAIN
