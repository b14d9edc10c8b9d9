// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM tests of libm4rpc serving the M4: the traffic sketch's calls,
 * notifications and Serial output handled by the library's run loop while
 * another thread calls the M4 on the same board (what either reads for
 * the other is kept for it), every answer reaching the M4; and raw mode.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib_board.h"

#define METHOD		"linux_sum"
#define PAYLOAD		8
#define WANT		5	/* of each kind */

struct served {
	int calls, notes, tty, bad;
	int64_t last_answer;
	bool stop_calls;
};

/* The traffic sketch's [seq, bin]: byte i of message seq is seq + i. */
static bool traffic_params_ok(const msgpack_object *p, uint64_t *seq)
{
	const msgpack_object_bin *bin;
	uint32_t i;

	if (p->via.array.size != 2 ||
	    p->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    p->via.array.ptr[1].type != MSGPACK_OBJECT_BIN)
		return false;
	*seq = p->via.array.ptr[0].via.u64;
	bin = &p->via.array.ptr[1].via.bin;
	if (bin->size != PAYLOAD)
		return false;
	for (i = 0; i < bin->size; i++)
		if ((uint8_t)bin->ptr[i] != (uint8_t)(*seq + i))
			return false;
	return true;
}

static bool enough(const struct served *s)
{
	return s->calls >= WANT && s->notes >= WANT && s->tty >= WANT;
}

static int on_call(struct m4rpc_board *b, struct m4rpc_request *req,
		   void *data)
{
	struct served *s = data;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint64_t seq;
	int ret;

	if (!m4rpc_request_is_call(req) ||
	    !traffic_params_ok(m4rpc_request_params(req), &seq)) {
		s->bad++;
		return m4rpc_request_reply_error(req, "bad params");
	}
	s->calls++;
	s->last_answer = seq * 10;
	if (s->calls % 2) {
		ret = m4rpc_request_reply(req, "U", (uint64_t)s->last_answer);
	} else {
		/* every other answer packed by the handler */
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_uint64(&pk, s->last_answer);
		ret = m4rpc_request_reply_packed(req, sb.data, sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
	if (ret)
		s->bad++;
	/* a second answer is refused */
	if (m4rpc_request_reply(req, "i", 1) != -EALREADY)
		s->bad++;
	if (enough(s))
		m4rpc_board_stop(b);
	return 0;
}

static void on_note(struct m4rpc_board *b, const struct m4rpc_request *req,
		    void *data)
{
	struct served *s = data;
	uint64_t seq;

	if (m4rpc_request_is_call(req))
		s->bad++;
	if (!strcmp(m4rpc_request_method(req), "tty"))
		s->tty++;
	else if (traffic_params_ok(m4rpc_request_params(req), &seq))
		s->notes++;
	else
		s->bad++;
	if (enough(s))
		m4rpc_board_stop(b);
}

struct caller {
	struct m4rpc_board *b;
	volatile bool stop;
	int calls, failed;
};

/* Synchronous calls on the board the run loop serves. */
static void *caller_fn(void *arg)
{
	struct caller *c = arg;
	int ret;

	while (!c->stop) {
		ret = m4rpc_call(c->b, LIB_T_MS, NULL, "echo", "i", c->calls);
		if (ret)
			c->failed++;
		c->calls++;
	}
	return NULL;
}

static void *watchdog_fn(void *arg)
{
	sleep(60);
	m4rpc_board_stop(arg);
	return NULL;
}

LIB_FIXTURE(serve);

TEST_F(serve, traffic_calls_and_notifications)
{
	uint8_t last[256];
	struct h7emu_config cfg;
	struct served s = { 0 };
	struct caller c = { 0 };
	struct rpc_msg m;
	pthread_t ct, wd;
	size_t n;
	int i;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.kind = H7EMU_TRAFFIC_MIX;
	cfg.traffic.rate = 40;
	cfg.traffic.size = PAYLOAD;
	cfg.traffic.timeout_ms = 2000;
	snprintf(cfg.traffic.method, sizeof(cfg.traffic.method), METHOD);
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	ASSERT_EQ(0, m4rpc_board_serve(self->b, METHOD, on_call, &s));
	ASSERT_EQ(0, m4rpc_board_serve_notifications(self->b, METHOD, on_note,
						     &s));
	ASSERT_EQ(0, m4rpc_board_serve_notifications(self->b, "tty", on_note,
						     &s));
	c.b = self->b;
	ASSERT_EQ(0, pthread_create(&ct, NULL, caller_fn, &c));
	ASSERT_EQ(0, pthread_create(&wd, NULL, watchdog_fn, self->b));
	EXPECT_EQ(0, m4rpc_board_run(self->b)) TH_LOG("%s", m4rpc_last_error());
	pthread_cancel(wd);
	pthread_join(wd, NULL);
	c.stop = true;
	pthread_join(ct, NULL);
	EXPECT_TRUE(enough(&s)) TH_LOG("calls %d notes %d tty %d", s.calls,
				       s.notes, s.tty);
	EXPECT_EQ(0, s.bad);
	EXPECT_LT(0, c.calls);
	EXPECT_EQ(0, c.failed);

	/* The M4 got the last answer: [1, its msgid, nil, seq * 10]. */
	for (i = 0; i < 250; i++) {
		n = h7emu_m4_last_response(self->env.b[0].emu, last,
					   sizeof(last));
		if (n && !rpc_decode(last, n, &m) && m.is_int &&
		    m.value == s.last_answer)
			break;
		usleep(20000);
	}
	ASSERT_NE(0, n);
	ASSERT_EQ(0, rpc_decode(last, n, &m));
	EXPECT_EQ(1, m.type);
	EXPECT_EQ(H7EMU_M4_THREAD_HANDLE, m.msgid);
	EXPECT_FALSE(m.error);
	EXPECT_EQ(s.last_answer, m.value);
	EXPECT_EQ(0, m4rpc_board_unserve(self->b, "tty"));
	EXPECT_EQ(-ENOENT, m4rpc_board_unserve(self->b, "tty"));
}

/* A name another session holds. */
TEST_F(serve, name_held_elsewhere)
{
	struct m4rpc_board *b2;
	struct served s = { 0 };

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	ASSERT_EQ(0, m4rpc_board_serve(self->b, "x", on_call, &s));
	b2 = lib_board_open(&self->env);
	ASSERT_NE(NULL, b2);
	EXPECT_EQ(-EADDRINUSE, m4rpc_board_serve(b2, "x", on_call, &s));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "another session"));
	m4rpc_board_close(b2);
}

/* The M4's raw endpoint: the traffic sketch's RPC.write() bytes. */
TEST_F(serve, raw_mode)
{
	struct h7emu_config cfg;
	uint8_t buf[256];
	size_t got = 0, i;
	ssize_t n;
	bool run = false;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.kind = H7EMU_TRAFFIC_RAW;
	cfg.traffic.rate = 20;
	cfg.traffic.size = 16;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	EXPECT_EQ(-EINVAL, m4rpc_board_read_raw(self->b, buf, sizeof(buf), 0));
	ASSERT_EQ(0, m4rpc_board_set_raw(self->b));
	while (got < 64) {
		n = m4rpc_board_read_raw(self->b, buf + got, sizeof(buf) - got,
					 LIB_T_MS);
		ASSERT_LT(0, n) TH_LOG("%s", m4rpc_last_error());
		got += n;
	}
	/* 16 bytes of one message: each one more than the one before */
	for (i = 0; i + 16 <= got && !run; i++) {
		size_t k;

		for (k = 1; k < 16 && buf[i + k] == (uint8_t)(buf[i] + k); k++)
			;
		run = k == 16;
	}
	EXPECT_TRUE(run);
	/* a raw session calls nothing */
	EXPECT_EQ(-EINVAL, m4rpc_call(self->b, 100, NULL, "echo", "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "raw mode"));
	EXPECT_EQ(-EINVAL, m4rpc_board_dispatch(self->b));
}

TEST_HARNESS_MAIN
