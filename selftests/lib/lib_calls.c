// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM tests of libm4rpc's calls against the simulated board: the sensors
 * sketch's five values, the echo sketch round-tripping every argument
 * type (str8, bin8/16, float32/64, nesting) and the largest message the
 * board takes, the M4's errors, timeouts against the slow-M4 fault,
 * asynchronous calls and notifications from an event loop, the board's
 * info, counters and list.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib_board.h"

LIB_FIXTURE(calls);

TEST_F(calls, sensors_five_values)
{
	static const struct {
		const char *method;
		int64_t value;
	} want[] = {
		{ "temperature", 100 }, { "humidity", 200 }, { "pressure", 300 },
		{ "gas", 400 }, { "altitude", 500 },
	};
	struct m4rpc_result *res;
	struct h7emu_config cfg;
	double d;
	int64_t v;
	size_t i;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_SENSORS;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ASSERT_EQ(0, m4rpc_call(self->b, LIB_T_MS, &res, want[i].method,
					NULL)) TH_LOG("%s", m4rpc_last_error());
		ASSERT_EQ(0, m4rpc_result_int(res, &v));
		EXPECT_EQ(want[i].value, v);
		ASSERT_EQ(0, m4rpc_result_double(res, &d));
		EXPECT_EQ((double)want[i].value, d);
		m4rpc_result_free(res);
	}
	/* no such method, wrong argument count: rpclib's errors */
	EXPECT_EQ(-M4RPC_E_NO_METHOD, m4rpc_call(self->b, LIB_T_MS, NULL,
						 "humidty", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "could not find function"));
	EXPECT_EQ(-M4RPC_E_NO_METHOD, m4rpc_last_error_code());
	EXPECT_NE(0, strlen(m4rpc_version_string()));
	EXPECT_EQ(-M4RPC_E_ARGC, m4rpc_call(self->b, LIB_T_MS, NULL, "gas",
					    "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "Expected: 0, got: 1"));
}

/* echo(x) of one value of @sig and its reply's object: 0 or the code. */
static int echo(struct m4rpc_board *b, struct m4rpc_result **res,
		const char *sig, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sig);
	ret = m4rpc_vcall(b, LIB_T_MS, res, "echo", sig, ap);
	va_end(ap);
	if (ret)
		fprintf(stderr, "# echo \"%s\": %s\n", sig, m4rpc_last_error());
	return ret;
}

TEST_F(calls, echo_every_type)
{
	struct m4rpc_result *r, *r2;
	char str40[41], bytes[200];
	const msgpack_object *o;
	const void *p;
	const char *s;
	uint64_t u;
	int64_t v;
	double d;
	size_t n;
	bool t;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	memset(str40, 'q', 40);
	str40[40] = '\0';
	echo_fill((uint8_t *)bytes, sizeof(bytes), 3);

	ASSERT_EQ(0, echo(self->b, &r, "n"));
	EXPECT_TRUE(m4rpc_result_is_nil(r));
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "b", 1));
	ASSERT_EQ(0, m4rpc_result_bool(r, &t));
	EXPECT_TRUE(t);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "i", -123456));
	ASSERT_EQ(0, m4rpc_result_int(r, &v));
	EXPECT_EQ(-123456, v);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "I", (int64_t)INT64_MIN));
	ASSERT_EQ(0, m4rpc_result_int(r, &v));
	EXPECT_EQ(INT64_MIN, v);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "u", 4000000000u));
	ASSERT_EQ(0, m4rpc_result_uint(r, &u));
	EXPECT_EQ(4000000000u, u);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "U", (uint64_t)UINT64_MAX));
	ASSERT_EQ(0, m4rpc_result_uint(r, &u));
	EXPECT_EQ(UINT64_MAX, u);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "f", 1.25));
	EXPECT_EQ(MSGPACK_OBJECT_FLOAT32, m4rpc_result_object(r)->type);
	ASSERT_EQ(0, m4rpc_result_double(r, &d));
	EXPECT_EQ(1.25, d);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "d", 3.141592653589793));
	EXPECT_EQ(MSGPACK_OBJECT_FLOAT64, m4rpc_result_object(r)->type);
	ASSERT_EQ(0, m4rpc_result_double(r, &d));
	EXPECT_EQ(3.141592653589793, d);
	m4rpc_result_free(r);
	/* str8: 32 bytes and more */
	ASSERT_EQ(0, echo(self->b, &r, "s", str40));
	ASSERT_EQ(0, m4rpc_result_str(r, &s, &n));
	EXPECT_EQ(40, n);
	EXPECT_STREQ(str40, s);
	m4rpc_result_free(r);
	ASSERT_EQ(0, echo(self->b, &r, "S", "a\0b", (size_t)3));
	ASSERT_EQ(0, m4rpc_result_str(r, &s, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(s, "a\0b", 3));
	m4rpc_result_free(r);
	/* bin8 */
	ASSERT_EQ(0, echo(self->b, &r, "y", bytes, sizeof(bytes)));
	ASSERT_EQ(0, m4rpc_result_bin(r, &p, &n));
	ASSERT_EQ(sizeof(bytes), n);
	EXPECT_EQ(0, memcmp(p, bytes, n));
	m4rpc_result_free(r);
	/* nesting: an array and a map */
	ASSERT_EQ(0, echo(self->b, &r, "[i[s]{sb}]", 1, "x", "k", 0));
	o = m4rpc_result_object(r);
	ASSERT_EQ(MSGPACK_OBJECT_ARRAY, o->type);
	ASSERT_EQ(3, o->via.array.size);
	EXPECT_EQ(MSGPACK_OBJECT_ARRAY, o->via.array.ptr[1].type);
	ASSERT_EQ(MSGPACK_OBJECT_MAP, o->via.array.ptr[2].type);
	EXPECT_EQ(1, o->via.array.ptr[2].via.map.size);
	m4rpc_result_free(r);
	/* an object of a reply sent back as it is */
	ASSERT_EQ(0, echo(self->b, &r, "i", 77));
	ASSERT_EQ(0, echo(self->b, &r2, "o", m4rpc_result_object(r)));
	ASSERT_EQ(0, m4rpc_result_int(r2, &v));
	EXPECT_EQ(77, v);
	m4rpc_result_free(r2);
	m4rpc_result_free(r);
}

/* bin16 and str16 encodings, packed by the caller: the M4 re-packs them. */
TEST_F(calls, echo_packed_bin16_str16)
{
	uint8_t msg[64] = { 0x91, 0xc5, 0x00, 0x05, 1, 2, 3, 4, 5 };
	struct m4rpc_result *r;
	const void *p;
	const char *s;
	size_t n;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	ASSERT_EQ(0, m4rpc_call_packed(self->b, LIB_T_MS, &r, "echo", msg, 9))
		TH_LOG("%s", m4rpc_last_error());
	ASSERT_EQ(0, m4rpc_result_bin(r, &p, &n));
	ASSERT_EQ(5, n);
	EXPECT_EQ(5, ((const uint8_t *)p)[4]);
	m4rpc_result_free(r);
	memcpy(msg, "\x91\xda\x00\x03xyz", 7);
	ASSERT_EQ(0, m4rpc_call_packed(self->b, LIB_T_MS, &r, "echo", msg, 7));
	ASSERT_EQ(0, m4rpc_result_str(r, &s, &n));
	EXPECT_STREQ("xyz", s);
	m4rpc_result_free(r);
	/* not one array: refused before anything is sent */
	EXPECT_EQ(-EINVAL, m4rpc_call_packed(self->b, LIB_T_MS, &r, "echo",
					     msg, 3));
}

/* The largest request the board takes, and one byte more. */
TEST_F(calls, largest_message)
{
	struct m4rpc_board_info *bi;
	struct m4rpc_result *r;
	uint8_t bytes[512];
	unsigned int max;
	char lim[16];
	const void *p;
	size_t n;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	bi = m4rpc_board_get_info(self->b);
	ASSERT_NE(NULL, bi);
	max = m4rpc_board_info_max_tx_msg(bi);
	m4rpc_board_info_free(bi);
	ASSERT_LT(ECHO_CALL_OVERHEAD, max);
	ASSERT_GE(sizeof(bytes), max);
	/* [0, msgid (uint32), "echo", [bin8]]: ECHO_CALL_OVERHEAD bytes + n */
	n = max - ECHO_CALL_OVERHEAD;
	echo_fill(bytes, n, 9);
	ASSERT_EQ(0, m4rpc_call(self->b, LIB_T_MS, &r, "echo", "y", bytes, n))
		TH_LOG("%u bytes: %s", max, m4rpc_last_error());
	ASSERT_EQ(0, m4rpc_result_bin(r, &p, &n));
	EXPECT_EQ(max - ECHO_CALL_OVERHEAD, n);
	EXPECT_EQ(0, memcmp(p, bytes, n));
	m4rpc_result_free(r);
	EXPECT_EQ(-EMSGSIZE, m4rpc_call(self->b, LIB_T_MS, &r, "echo", "y",
					bytes, n + 1));
	snprintf(lim, sizeof(lim), "%u", max);
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), lim))
		TH_LOG("%s", m4rpc_last_error());
}

/* The slow M4 answers after the timeout: ETIMEDOUT, then the late reply is dropped. */
TEST_F(calls, timeout_against_slow_m4)
{
	struct h7emu_config cfg;
	struct m4rpc_result *r;
	int64_t v;
	int i;

	board_config(&cfg, 0);
	cfg.faults.slow_m4_ms = 800;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	EXPECT_EQ(-ETIMEDOUT, m4rpc_call(self->b, 200, NULL, "echo", "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "no reply to echo() within 200 ms"));
	/* the next call gets its own reply, not the late one */
	ASSERT_EQ(0, m4rpc_call(self->b, LIB_T_MS, &r, "echo", "i", 2))
		TH_LOG("%s", m4rpc_last_error());
	ASSERT_EQ(0, m4rpc_result_int(r, &v));
	EXPECT_EQ(2, v);
	m4rpc_result_free(r);
	for (i = 0; i < 100 && lib_session_counter(self->b, "lib_replies_dropped") < 1; i++)
		usleep(20000);
	EXPECT_EQ(1, lib_session_counter(self->b, "lib_replies_dropped"));
}

struct completions {
	int n, failed;
	int64_t sum;
};

static void on_echo(struct m4rpc_board *b, int err, struct m4rpc_result *res,
		    void *data)
{
	struct completions *c = data;
	int64_t v;

	c->n++;
	if (err || m4rpc_result_int(res, &v))
		c->failed++;
	else
		c->sum += v;
	m4rpc_result_free(res);
}

struct error_reply {
	int n, err, res_err;
	bool text_ok, object_ok;
};

static void on_error(struct m4rpc_board *b, int err, struct m4rpc_result *res,
		     void *data)
{
	struct error_reply *e = data;

	e->n++;
	e->err = err;
	if (!res)
		return;
	e->res_err = m4rpc_result_error(res);
	e->text_ok = strstr(m4rpc_result_error_text(res),
			    "could not find function 'nope'") != NULL;
	e->object_ok = m4rpc_result_error_object(res)->type ==
		MSGPACK_OBJECT_STR && m4rpc_result_is_nil(res);
	m4rpc_result_free(res);
}

/* Asynchronous calls completed from dispatch in a poll() loop. */
TEST_F(calls, async_and_notify)
{
	static const uint8_t packed[] = { 0x91, 0x0a };
	struct completions c = { 0 }, late = { 0 };
	struct error_reply e = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	struct h7emu_stats st;
	struct h7emu_config cfg;
	int64_t id;
	int i, ret;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	for (i = 1; i <= 10; i++) {
		id = m4rpc_call_async(self->b, LIB_T_MS, on_echo, &c, "echo",
				      "i", i);
		ASSERT_LT(0, id) TH_LOG("%s", m4rpc_last_error());
	}
	ASSERT_LT(0, m4rpc_call_async_packed(self->b, LIB_T_MS, on_echo, &c,
					     "echo", packed, sizeof(packed)));
	pfd.fd = m4rpc_board_fd(self->b);
	while (c.n < 11) {
		ret = poll(&pfd, 1, m4rpc_board_next_timeout(self->b));
		ASSERT_LE(0, ret);
		ASSERT_LE(0, m4rpc_board_dispatch(self->b));
	}
	EXPECT_EQ(0, c.failed);
	EXPECT_EQ(55 + 10, c.sum);
	EXPECT_EQ(-1, m4rpc_board_next_timeout(self->b));

	/* an error reply: the completion gets its code and the reply */
	ASSERT_LT(0, m4rpc_call_async(self->b, LIB_T_MS, on_error, &e, "nope",
				      NULL));
	while (!e.n) {
		ASSERT_LE(0, poll(&pfd, 1, m4rpc_board_next_timeout(self->b)));
		ASSERT_LE(0, m4rpc_board_dispatch(self->b));
	}
	EXPECT_EQ(-M4RPC_E_NO_METHOD, e.err);
	EXPECT_EQ(-M4RPC_E_NO_METHOD, e.res_err);
	EXPECT_TRUE(e.text_ok);
	EXPECT_TRUE(e.object_ok);

	/* notifications reach the M4 */
	h7emu_get_stats(self->env.b[0].emu, &st);
	ASSERT_EQ(0, m4rpc_notify(self->b, "echo", "i", 5));
	ASSERT_EQ(0, m4rpc_notify_packed(self->b, "echo", packed,
					 sizeof(packed)));
	ASSERT_EQ(0, h7emu_wait_stat(self->env.b[0].emu,
				     offsetof(struct h7emu_stats,
					      m4_notifications_in),
				     st.m4_notifications_in + 2, LIB_T_MS));

	/* an asynchronous call that times out: the slow M4 */
	board_config(&cfg, 0);
	cfg.faults.slow_m4_ms = 1000;
	ASSERT_EQ(0, h7emu_set_faults(self->env.b[0].emu, &cfg.faults));
	ASSERT_LT(0, m4rpc_call_async(self->b, 100, on_echo, &late, "echo",
				      "i", 1));
	while (!late.n) {
		ret = poll(&pfd, 1, m4rpc_board_next_timeout(self->b));
		ASSERT_LE(0, ret);
		ASSERT_LE(0, m4rpc_board_dispatch(self->b));
	}
	EXPECT_EQ(1, late.failed);
}

/* What the board is, its counters, the list, a board on a descriptor. */
TEST_F(calls, info_counters_list)
{
	struct m4rpc_counter c[64];
	struct m4rpc_board_info *bi;
	unsigned int idx[4], index;
	struct m4rpc_board *b2;
	char spi[32], path[64];
	int n, i, fd;

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	bi = m4rpc_board_get_info(self->b);
	ASSERT_NE(NULL, bi);
	EXPECT_EQ(M4RPC_BOARD_M4_RUNNING, m4rpc_board_info_m4_status(bi));
	EXPECT_EQ(M4RPC_BOARD_LINK_UP, m4rpc_board_info_link_status(bi));
	EXPECT_STREQ("running",
		     m4rpc_m4_status_name(m4rpc_board_info_m4_status(bi)));
	EXPECT_STREQ("up",
		     m4rpc_link_status_name(m4rpc_board_info_link_status(bi)));
	EXPECT_STREQ("0.0.5", m4rpc_board_info_firmware(bi));
	snprintf(spi, sizeof(spi), "spi%u.0", self->env.b[0].bus);
	EXPECT_STREQ(spi, m4rpc_board_info_spi_device(bi));
	EXPECT_LT(0, m4rpc_board_info_max_rx_msg(bi));
	EXPECT_LT(0, m4rpc_board_info_calls_max(bi));
	EXPECT_EQ(11, m4rpc_board_info_limits(bi, c, 64));
	snprintf(path, sizeof(path), "/dev/m4rpc%u", m4rpc_board_info_index(bi));
	EXPECT_STREQ(path, m4rpc_board_path(self->b));

	n = m4rpc_list_boards(idx, 4);
	ASSERT_EQ(1, n);
	EXPECT_EQ(m4rpc_board_info_index(bi), idx[0]);
	index = m4rpc_board_info_index(bi);
	m4rpc_board_info_free(bi);

	ASSERT_EQ(0, m4rpc_call(self->b, LIB_T_MS, NULL, "echo", "i", 1));
	n = m4rpc_board_link_counters(self->b, c, 64);
	ASSERT_LT(0, n);
	for (i = 0; i < n && strcmp(c[i].name, "tx_requests"); i++)
		;
	ASSERT_LT(i, n);
	EXPECT_LE(1, c[i].value);
	EXPECT_EQ(1, lib_session_counter(self->b, "replies"));

	/* a board on a descriptor: the node's name from sysfs */
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	b2 = m4rpc_board_open_fd(fd);
	ASSERT_NE(NULL, b2) TH_LOG("%s", m4rpc_last_error());
	EXPECT_STREQ(path, m4rpc_board_path(b2));
	EXPECT_EQ(0, m4rpc_board_wait_m4(b2, 0));
	EXPECT_EQ(0, m4rpc_call(b2, LIB_T_MS, NULL, "echo", "i", 1));
	m4rpc_board_close(b2);
	b2 = m4rpc_board_open_index(index + 5);
	EXPECT_EQ(NULL, b2);
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
