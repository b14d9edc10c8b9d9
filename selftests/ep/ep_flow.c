// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/m4rpcN flow control (<linux/m4rpc.h>, "Flow
 * control", "Raw mode"): the bounded transmit queue and its admission
 * rule, blocking and O_NONBLOCK writes, poll(), interruptible sleeps, the
 * fair share of a flooding session, receive queues that overflow (EOVERFLOW
 * once, other sessions unaffected) and the raw byte stream.
 *
 * The H7 is held up with the emulator's slow-M4 fault and a single rpmsg
 * buffer: the M4 holds its first message and the H7 blocks on the second,
 * so nothing more leaves the transmit queue until the fault is lifted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ep_util.h"

#define T_MS	5000

static int up(struct board_env *e, const char *params, uint32_t slots)
{
	struct h7emu_config cfg;

	board_config(&cfg, 0);
	cfg.m4_slots = slots;
	return board_up(e, &(struct board_opts){
		.link_params = params,
		.cfg = &cfg,
	});
}

static short poll_now(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) > 0 ? p.revents : 0;
}

/* Non-blocking writes of @msg until EAGAIN: how many were taken. */
static int fill(int fd, const uint8_t *msg, size_t n)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (write(fd, msg, n) != (ssize_t)n)
			return errno == EAGAIN ? i : -errno;
	}
	return -ENOSPC;
}

struct blocked_write {
	int fd;
	const uint8_t *msg;
	size_t n;
	atomic_int done;	/* 0 blocked, 1 written, -errno failed */
	pthread_t th;
};

static void *blocked_write_fn(void *arg)
{
	struct blocked_write *w = arg;
	ssize_t r = write(w->fd, w->msg, w->n);

	atomic_store(&w->done, r == (ssize_t)w->n ? 1 : -errno);
	return NULL;
}

static void on_sigusr1(int sig)
{
}

/*
 * The admission rule: tx_session_len per session, tx_queue_len in all, one
 * for a session holding none; EAGAIN and POLLOUT agree; a blocked write
 * waits for room and is interruptible.
 */
TEST(tx_admission)
{
	struct m4rpc_session_stats ss;
	struct blocked_write w;
	struct sigaction sa;
	uint8_t msg[64];
	struct board_env e;
	int a, b, c, d;
	size_t n;

	ASSERT_EQ(0, up(&e, "tx_queue_len=24 tx_session_len=16", 1));
	a = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	b = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	c = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	d = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, a);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_hold_h7(&e, d));
	ASSERT_EQ(0, ep_session_stats(d, &ss));
	ASSERT_EQ(0u, ss.tx_queued);

	n = mk_notify_int(msg, "flood", 1);
	ASSERT_TRUE(poll_now(a, POLLOUT, 0) & POLLOUT);
	ASSERT_EQ(16, fill(a, msg, n));
	ASSERT_EQ(0, ep_session_stats(a, &ss));
	ASSERT_EQ(16u, ss.tx_queued);
	ASSERT_FALSE(poll_now(a, POLLOUT, 0) & POLLOUT);
	ASSERT_EQ(8, fill(b, msg, n));		/* 24 in all */
	ASSERT_EQ(1, fill(c, msg, n));		/* held none */
	ASSERT_FALSE(poll_now(c, POLLOUT, 0) & POLLOUT);
	ASSERT_TRUE(poll_now(d, POLLOUT, 0) & POLLOUT);

	/* A blocking write waits, and a signal interrupts it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0, fcntl(a, F_SETFL, 0));
	w.fd = a;
	w.msg = msg;
	w.n = n;
	atomic_store(&w.done, 0);
	ASSERT_EQ(0, pthread_create(&w.th, NULL, blocked_write_fn, &w));
	sleep_ms(300);
	ASSERT_EQ(0, atomic_load(&w.done));
	ASSERT_EQ(0, pthread_kill(w.th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(w.th, NULL));
	ASSERT_EQ(-EINTR, atomic_load(&w.done));

	/* Again, and this time room is made: the write completes. */
	atomic_store(&w.done, 0);
	ASSERT_EQ(0, pthread_create(&w.th, NULL, blocked_write_fn, &w));
	sleep_ms(300);
	ASSERT_EQ(0, atomic_load(&w.done));
	ASSERT_EQ(0, ep_release_h7(&e));
	ASSERT_EQ(0, pthread_join(w.th, NULL));
	ASSERT_EQ(1, atomic_load(&w.done));
	ASSERT_EQ(0, ep_wait_link_stat(a, offsetof(struct m4rpc_link_stats,
						    tx_msgs), 2 + 16 + 8 + 1 + 1,
				       3 * T_MS));
	ASSERT_TRUE(poll_now(a, POLLOUT, 0) & POLLOUT);
	ASSERT_TRUE(poll_now(c, POLLOUT, 0) & POLLOUT);
	close(a);
	close(b);
	close(c);
	close(d);
	board_down(&e);
}

/*
 * A session that floods cannot starve another: with the flooder's queue
 * full, the other session's call is sent in the next frame (round robin),
 * not after the flood (FIFO would answer it only after 16 notifications).
 */
TEST(fair_share)
{
	struct h7emu_stats st0, st;
	uint8_t big[256], bin[200], call[64];
	struct rpc_msg m;
	struct board_env e;
	int a, b, queued;
	size_t n;
	ssize_t r;

	ASSERT_EQ(0, up(&e, NULL, 1));
	a = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	b = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_hold_h7(&e, b));

	/* 200-byte notifications: one per frame. */
	memset(bin, 'f', sizeof(bin));
	n = mk_notify_bin(big, "flood", bin, sizeof(bin));
	queued = fill(a, big, n);
	ASSERT_EQ(16, queued);
	n = mk_call_int(call, 77, "echo", 77);
	ASSERT_EQ(0, ep_write_msg(b, call, n));

	/*
	 * What is measured is where the call went in the flood; what is
	 * counted is what the M4 took by the time this thread reads the
	 * reply. A Linux 3 ms late before each transfer makes the flood
	 * last ~100 ms, so that this thread's own wake-up under load does
	 * not count as frames.
	 */
	ASSERT_EQ(0, h7emu_dev_set_delay(e.b[0].be, 3000, 0));
	h7emu_get_stats(e.b[0].emu, &st0);
	ASSERT_EQ(0, ep_release_h7(&e));
	r = ep_read_msg(b, call, sizeof(call), 3 * T_MS);
	h7emu_get_stats(e.b[0].emu, &st);
	ASSERT_LT(0, r);
	ASSERT_EQ(0, rpc_decode(call, r, &m));
	ASSERT_EQ(77, m.value);
	TH_LOG("flood notifications the M4 took before the reply: %llu of %d",
	       (unsigned long long)(st.m4_notifications_in -
				    st0.m4_notifications_in), queued);
	ASSERT_GT(st0.m4_notifications_in + 12, st.m4_notifications_in);
	close(a);
	close(b);
	board_down(&e);
}

/*
 * A session that does not read: its queue fills, what comes next is
 * dropped (a call is answered busy), the next read says EOVERFLOW once,
 * then the queued messages come; another session is unaffected.
 */
TEST(rx_overflow)
{
	struct m4rpc_session_stats ss;
	uint8_t buf[256];
	struct rpc_msg m;
	struct board_env e;
	int a, b, i;
	size_t n;
	ssize_t r;
	uint64_t before;
	struct h7emu_stats st;

	ASSERT_EQ(0, up(&e, "rx_queue_len=4", 16));
	a = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	b = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_bind(a, "evt"));
	for (i = 0; i < 10; i++) {
		n = mk_notify_int(buf, "evt", i);
		ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	}
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, ep_session_stats(a, &ss));
		if (ss.rx_drops >= 6)
			break;
		sleep_ms(5);
	}
	ASSERT_EQ(6u, ss.rx_drops);
	ASSERT_EQ(4u, ss.rx_queued);
	/* A call for the full session: answered busy by the kernel. */
	h7emu_get_stats(e.b[0].emu, &st);
	before = st.m4_responses_in + st.m4_responses_unmatched;
	n = mk_call_int(buf, H7EMU_M4_THREAD_HANDLE, "evt", 99);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	ASSERT_EQ(0, ep_echo(b, 1, 1, T_MS));	/* b is unaffected */
	for (i = 0; i < 1000; i++) {
		h7emu_get_stats(e.b[0].emu, &st);
		if (st.m4_responses_in + st.m4_responses_unmatched > before)
			break;
		sleep_ms(5);
	}
	n = h7emu_m4_last_response(e.b[0].emu, buf, sizeof(buf));
	ASSERT_EQ(0, rpc_decode(buf, n, &m));
	ASSERT_STREQ("m4rpc: Linux process busy: 'evt'", m.errtext);

	ASSERT_TRUE(poll_now(a, POLLIN, 0) & POLLIN);
	errno = 0;
	ASSERT_EQ(-1, read(a, buf, sizeof(buf)));
	ASSERT_EQ(EOVERFLOW, errno);
	for (i = 0; i < 4; i++) {
		r = read(a, buf, sizeof(buf));
		ASSERT_LT(0, r);
		ASSERT_EQ(0, rpc_decode(buf, r, &m));
		ASSERT_EQ(i, m.params0);
	}
	errno = 0;
	ASSERT_EQ(-1, read(a, buf, sizeof(buf)));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ep_session_stats(a, &ss));
	ASSERT_EQ(1u, ss.overflows);
	ASSERT_EQ(7u, ss.rx_drops);
	/* Reads go on normally. */
	n = mk_notify_int(buf, "evt", 42);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	r = ep_read_msg(a, buf, sizeof(buf), T_MS);
	ASSERT_LT(0, r);
	ASSERT_EQ(0, rpc_decode(buf, r, &m));
	ASSERT_EQ(42, m.params0);
	close(a);
	close(b);
	board_down(&e);
}

/* Read @want raw bytes into @buf. */
static int read_raw(int fd, uint8_t *buf, size_t want)
{
	size_t got = 0;
	ssize_t r;

	while (got < want) {
		r = ep_read_msg(fd, buf + got, want - got, T_MS);
		if (r < 0)
			return (int)r;
		got += r;
	}
	return 0;
}

/*
 * Raw mode: the raw endpoint's bytes go to raw sessions as a stream,
 * messages keep their routes; what a raw session may do.
 */
TEST(raw_mode)
{
	static const char text1[] = "hello, raw world\r\n", text2[] = "more\n";
	struct m4rpc_link_stats st;
	uint32_t mode = M4RPC_MODE_RAW;
	uint8_t buf[256];
	struct rpc_msg m;
	struct board_env e;
	int a, b, c;
	size_t n;
	ssize_t r;

	ASSERT_EQ(0, up(&e, NULL, 16));
	a = board_ep_open(&e, 0, O_RDWR);
	b = board_ep_open(&e, 0, O_RDWR);
	c = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ioctl(a, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ep_bind(b, "evt"));
	errno = 0;
	ASSERT_EQ(-1, ioctl(b, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(EINVAL, ep_bind(a, "x"));

	ASSERT_EQ(0, h7emu_m4_raw_write(e.b[0].emu, text1, sizeof(text1) - 1));
	n = mk_notify_int(buf, "evt", 7);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	ASSERT_EQ(0, h7emu_m4_raw_write(e.b[0].emu, text2, sizeof(text2) - 1));

	ASSERT_EQ(0, read_raw(a, buf, sizeof(text1) + sizeof(text2) - 2));
	ASSERT_EQ(0, memcmp(buf, text1, sizeof(text1) - 1));
	ASSERT_EQ(0, memcmp(buf + sizeof(text1) - 1, text2,
			    sizeof(text2) - 1));
	r = ep_read_msg(b, buf, sizeof(buf), T_MS);
	ASSERT_LT(0, r);
	ASSERT_EQ(0, rpc_decode(buf, r, &m));
	ASSERT_EQ(7, m.params0);
	ASSERT_EQ(0, ep_link_stats(a, &st));
	ASSERT_EQ(sizeof(text1) + sizeof(text2) - 2, st.rx_raw_bytes);
	/* c (messages) saw nothing. */
	ASSERT_FALSE(poll_now(c, POLLIN, 0) & POLLIN);

	/* A raw session writes notifications only. */
	n = mk_call_int(buf, 1, "echo", 1);
	errno = 0;
	ASSERT_EQ(-1, write(a, buf, n));
	ASSERT_EQ(EINVAL, errno);
	n = mk_notify_int(buf, "note", 1);
	ASSERT_EQ(0, ep_write_msg(a, buf, n));
	/* And back to messages. */
	mode = M4RPC_MODE_MSG;
	ASSERT_EQ(0, ioctl(a, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ep_echo(a, 3, 3, T_MS));
	close(a);
	close(b);
	close(c);
	board_down(&e);
}

/* A raw session that does not read: EOVERFLOW once, then its bytes. */
TEST(raw_overflow)
{
	struct m4rpc_session_stats ss;
	uint32_t mode = M4RPC_MODE_RAW;
	uint8_t text[600], buf[600];
	struct board_env e;
	int a, i;
	ssize_t r;

	ASSERT_EQ(0, up(&e, "raw_buf_size=256", 16));
	a = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ioctl(a, M4RPC_IOC_SET_MODE, &mode));
	for (i = 0; i < (int)sizeof(text); i++)
		text[i] = 'a' + i % 26;
	/* 100 bytes at a time: one chunk each, whatever the link's pace. */
	for (i = 0; i < (int)sizeof(text); i += 100) {
		ASSERT_EQ(0, h7emu_m4_raw_write(e.b[0].emu, text + i, 100));
		ASSERT_EQ(0, ep_wait_link_stat(a,
				offsetof(struct m4rpc_link_stats, rx_raw_bytes),
				i + 100, T_MS));
	}
	errno = 0;
	ASSERT_EQ(-1, read(a, buf, sizeof(buf)));
	ASSERT_EQ(EOVERFLOW, errno);
	r = read(a, buf, sizeof(buf));
	ASSERT_EQ(256, r);
	ASSERT_EQ(0, memcmp(buf, text, 256));
	errno = 0;
	ASSERT_EQ(-1, read(a, buf, sizeof(buf)));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ep_session_stats(a, &ss));
	ASSERT_EQ(256u, ss.raw_bytes);
	ASSERT_EQ(sizeof(text) - 256, ss.raw_drops);
	ASSERT_EQ(1u, ss.overflows);
	close(a);
	board_down(&e);
}

/* POLLIN when a reply is there, not before. */
TEST(poll_in)
{
	uint8_t buf[128];
	struct board_env e;
	int a;
	size_t n;

	ASSERT_EQ(0, up(&e, NULL, 16));
	a = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, ep_wait_m4(a, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(POLLOUT, poll_now(a, POLLIN | POLLOUT, 0));
	n = mk_call_int(buf, 1, "echo", 1);
	ASSERT_EQ(0, ep_write_msg(a, buf, n));
	ASSERT_TRUE(poll_now(a, POLLIN, T_MS) & POLLIN);
	ASSERT_LT(0, read(a, buf, sizeof(buf)));
	ASSERT_FALSE(poll_now(a, POLLIN, 0) & POLLIN);
	close(a);
	board_down(&e);
}

/* The frame bytes a reply of @len bytes takes: 4 per 128-byte chunk more. */
static uint32_t reply_cost(size_t len)
{
	return len + 4 * ((len + 127) / 128);
}

/*
 * Calls of @method with a bin of @n bytes, @k at once, to an M4 that sits
 * on each message: how many the link lets on the wire (calls_on_wire, once
 * it stops growing), and the transmit queue then.
 */
static int on_wire(int fd, const char *method, size_t n, int k,
		   uint32_t *queued)
{
	struct m4rpc_link_stats st;
	uint8_t msg[256], data[256];
	uint32_t last = 0;
	int i, same = 0;
	size_t len;

	memset(data, 0x5a, sizeof(data));
	for (i = 0; i < k; i++) {
		len = mk_call_bin(msg, 100 + i, method, data, n);
		if (ep_write_msg(fd, msg, len))
			return -1;
	}
	for (i = 0; i < 100 && same < 5; i++) {
		usleep(20000);
		if (ep_link_stats(fd, &st))
			return -1;
		same = st.calls_on_wire == last ? same + 1 : 0;
		last = st.calls_on_wire;
	}
	*queued = st.tx_queued;
	return (int)last;
}

/* Read @k replies (the M4 answers each after its delay). */
static int drain(int fd, int k)
{
	uint8_t back[512];

	while (k--)
		if (ep_read_msg(fd, back, sizeof(back), 20000) < 0)
			return -1;
	return 0;
}

/*
 * The wire window counts reply bytes (<linux/m4rpc.h>, "Flow control"):
 * calls whose replies are short go many at a time, but fewer than
 * wire_calls_max when their replies would overfill a frame; calls whose
 * replies take most of a frame go one at a time; the first call of a
 * method not seen yet goes alone. The M4 takes 300 ms per message, so the
 * calls the link lets go stay on the wire while it is looked at.
 */
TEST(wire_window_bytes)
{
	uint8_t msg[256], back[512], data[256];
	struct m4rpc_info info;
	struct h7emu_faults f;
	struct board_env e;
	ssize_t short_len, long_len;
	uint32_t queued;
	size_t n;
	int fd;

	ASSERT_EQ(0, up(&e, NULL, 32));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_info(fd, &info));
	ASSERT_EQ(240u, info.wire_bytes_max);

	/* Learn the size: one call, answered at once. */
	memset(data, 0x5a, sizeof(data));
	n = mk_call_bin(msg, 1, "echo", data, 10);
	ASSERT_EQ(0, ep_write_msg(fd, msg, n));
	short_len = ep_read_msg(fd, back, sizeof(back), T_MS);
	ASSERT_LT(0, short_len);

	memset(&f, 0, sizeof(f));
	f.slow_m4_ms = 300;
	ASSERT_EQ(0, h7emu_set_faults(e.b[0].emu, &f));
	/* Short replies: as many as fit one frame, fewer than 16. */
	EXPECT_EQ((int)(240 / reply_cost(short_len)),
		  on_wire(fd, "echo", 10, 16, &queued));
	EXPECT_LT(0u, queued);
	ASSERT_EQ(0, drain(fd, 16));

	/* The longest reply seen counts: 200 bytes, one at a time. */
	n = mk_call_bin(msg, 2, "echo", data, 200);
	ASSERT_EQ(0, ep_write_msg(fd, msg, n));
	long_len = ep_read_msg(fd, back, sizeof(back), T_MS);
	ASSERT_LT(128, long_len);
	EXPECT_EQ(1, on_wire(fd, "echo", 10, 3, &queued));
	EXPECT_LT(0u, queued);
	ASSERT_EQ(0, drain(fd, 3));
	/* A method not seen yet (rpclib answers it with an error): alone. */
	EXPECT_EQ(1, on_wire(fd, "echo_unseen", 10, 3, &queued));
	ASSERT_EQ(0, drain(fd, 3));

	close(fd);
	board_down(&e);
}

TEST_HARNESS_MAIN
