// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the emulated M4 (emu/h7emu_m4.c, h7emu_sketch.c)
 * against docs/x8h7-link.md, "The M4 side" and "Peripheral
 * 0x0A": msgpack-rpc bytes written out by hand, rpclib's exact error
 * strings, one subframe = one message, the built-in sketches.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "test_h7emu_util.h"

/*
 * Send @msg as one UI subframe, then read as a careful master until nothing
 * more comes; the UI bytes that came back are in @out. Returns their count.
 */
static size_t rpc(struct bench *b, const void *msg, unsigned int len,
		  uint8_t *out, size_t cap)
{
	uint8_t mosi[FRAME], miso[FRAME];
	size_t n = 0;
	int i;

	ui_frame(mosi, msg, len);
	bench_xfer(b, mosi, NULL);
	empty(mosi);
	for (i = 0; i < 50; i++) {
		bench_pass(b);
		if (h7emu_nirq_low(b->e)) {
			bench_xfer(b, mosi, miso);
			ui_collect(miso, out, cap, &n, NULL);
		}
	}
	return n;
}

/* Read whatever the M4 has sent, as a careful master. */
static size_t drain(struct bench *b, uint8_t *out, size_t cap)
{
	uint8_t e[FRAME], miso[FRAME];
	size_t n = 0;
	int i;

	empty(e);
	for (i = 0; i < 50; i++) {
		bench_pass(b);
		if (h7emu_nirq_low(b->e)) {
			bench_xfer(b, e, miso);
			ui_collect(miso, out, cap, &n, NULL);
		}
	}
	return n;
}

#define ASSERT_BYTES(want, got, n) do { \
	ASSERT_EQ(sizeof(want), (n)); \
	ASSERT_EQ(0, memcmp((want), (got), sizeof(want))); \
} while (0)

FIXTURE(m4) {
	struct bench b;
	uint8_t out[2048];
	size_t n;
};

FIXTURE_SETUP(m4)
{
	self->n = 0;
}

FIXTURE_TEARDOWN(m4)
{
	if (self->b.e)
		bench_fini(&self->b);
}

/* The tutorial's sketch: integers 100..500, smallest msgpack-c forms. */
TEST_F(m4, sensors_values)
{
	static const struct {
		const char *name;
		uint8_t reply[8];
		unsigned int len;
	} t[] = {
		{ "temperature", { 0x94, 0x01, 0x01, 0xc0, 0x64 }, 5 },
		{ "humidity", { 0x94, 0x01, 0x02, 0xc0, 0xcc, 0xc8 }, 6 },
		{ "pressure", { 0x94, 0x01, 0x03, 0xc0, 0xcd, 0x01, 0x2c }, 7 },
		{ "gas", { 0x94, 0x01, 0x04, 0xc0, 0xcd, 0x01, 0x90 }, 7 },
		{ "altitude", { 0x94, 0x01, 0x05, 0xc0, 0xcd, 0x01, 0xf4 }, 7 },
	};
	uint8_t req[32];
	unsigned int i, len;

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	for (i = 0; i < 5; i++) {
		/* [0, msgid, "name", []] */
		len = strlen(t[i].name);
		req[0] = 0x94;
		req[1] = 0x00;
		req[2] = i + 1;
		req[3] = 0xa0 | len;
		memcpy(req + 4, t[i].name, len);
		req[4 + len] = 0x90;
		self->n = rpc(&self->b, req, 5 + len, self->out,
			      sizeof(self->out));
		ASSERT_EQ(t[i].len, self->n);
		ASSERT_EQ(0, memcmp(t[i].reply, self->out, t[i].len));
	}
	ASSERT_EQ(5u, bench_stats(&self->b).m4_answered);
}

/* The spec's own example: `gas` called where nothing binds it. */
TEST_F(m4, rpclib_error_unknown_method)
{
	static const char err[] =
		"rpclib: server could not find function 'gas' with argument count 0.";
	static const uint8_t req[] = { 0x94, 0x00, 0x07, 0xa3, 'g', 'a', 's', 0x90 };
	uint8_t want[128];
	unsigned int n = sizeof(err) - 1;

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	/* [1, 7, err (str8), nil] */
	want[0] = 0x94;
	want[1] = 0x01;
	want[2] = 0x07;
	want[3] = 0xd9;
	want[4] = n;
	memcpy(want + 5, err, n);
	want[5 + n] = 0xc0;
	self->n = rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out));
	ASSERT_EQ(6 + n, self->n);
	ASSERT_EQ(0, memcmp(want, self->out, 6 + n));
	ASSERT_EQ(1u, bench_stats(&self->b).m4_errors);
}

TEST_F(m4, rpclib_error_wrong_argument_count)
{
	static const char err[] =
		"rpclib: Function 'led' was called with an invalid number of arguments. Expected: 1, got: 0";
	static const uint8_t req[] = { 0x94, 0x00, 0x2a, 0xa3, 'l', 'e', 'd', 0x90 };
	uint8_t want[128];
	unsigned int n = sizeof(err) - 1;

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_LED));
	want[0] = 0x94;
	want[1] = 0x01;
	want[2] = 0x2a;
	want[3] = 0xd9;
	want[4] = n;
	memcpy(want + 5, err, n);
	want[5 + n] = 0xc0;
	self->n = rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out));
	ASSERT_EQ(6 + n, self->n);
	ASSERT_EQ(0, memcmp(want, self->out, 6 + n));
}

TEST_F(m4, led_true_false_and_bad_type)
{
	static const uint8_t on[] = { 0x94, 0x00, 0x01, 0xa3, 'l', 'e', 'd', 0x91, 0xc3 };
	static const uint8_t off[] = { 0x94, 0x00, 0x02, 0xa3, 'l', 'e', 'd', 0x91, 0xc2 };
	static const uint8_t one[] = { 0x94, 0x00, 0x03, 0xa3, 'l', 'e', 'd', 0x91, 0x01 };
	static const uint8_t ok1[] = { 0x94, 0x01, 0x01, 0xc0, 0xc0 };
	static const uint8_t ok2[] = { 0x94, 0x01, 0x02, 0xc0, 0xc0 };
	static const char err[] =
		"rpclib: function 'led' (called with 1 arg(s)) threw an exception. The exception contained this information: std::bad_cast.";

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_LED));
	ASSERT_FALSE(h7emu_m4_led(self->b.e));
	self->n = rpc(&self->b, on, sizeof(on), self->out, sizeof(self->out));
	ASSERT_BYTES(ok1, self->out, self->n);
	ASSERT_TRUE(h7emu_m4_led(self->b.e));
	self->n = rpc(&self->b, off, sizeof(off), self->out, sizeof(self->out));
	ASSERT_BYTES(ok2, self->out, self->n);
	ASSERT_FALSE(h7emu_m4_led(self->b.e));
	self->n = rpc(&self->b, one, sizeof(one), self->out, sizeof(self->out));
	ASSERT_EQ(6 + sizeof(err) - 1, self->n);
	ASSERT_EQ(0xd9, self->out[3]);
	ASSERT_EQ(0, memcmp(err, self->out + 5, sizeof(err) - 1));
	ASSERT_FALSE(h7emu_m4_led(self->b.e));
}

TEST_F(m4, echo_returns_its_argument)
{
	static const uint8_t req[] = {
		0x94, 0x00, 0x05, 0xa4, 'e', 'c', 'h', 'o', 0x91,
		0x93, 0xa5, 'h', 'e', 'l', 'l', 'o', 0xca, 0x3f, 0xc0, 0x00, 0x00,
		0xc4, 0x02, 0x00, 0xff,
	};
	static const uint8_t want[] = {
		0x94, 0x01, 0x05, 0xc0,
		0x93, 0xa5, 'h', 'e', 'l', 'l', 'o', 0xca, 0x3f, 0xc0, 0x00, 0x00,
		0xc4, 0x02, 0x00, 0xff,
	};

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	self->n = rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
}

/* msgids are 32-bit: one above that is not answered at all. */
TEST_F(m4, msgid_32_bit)
{
	static const uint8_t big[] = {
		0x94, 0x00, 0xce, 0xff, 0xff, 0xff, 0xfe, 0xa3, 'g', 'a', 's', 0x90,
	};
	static const uint8_t want[] = {
		0x94, 0x01, 0xce, 0xff, 0xff, 0xff, 0xfe, 0xc0, 0xcd, 0x01, 0x90,
	};
	static const uint8_t too_big[] = {
		0x94, 0x00, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0xa3, 'g', 'a', 's', 0x90,
	};

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	self->n = rpc(&self->b, big, sizeof(big), self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
	self->n = rpc(&self->b, too_big, sizeof(too_big), self->out,
		      sizeof(self->out));
	ASSERT_EQ(0u, self->n);
	ASSERT_EQ(1u, bench_stats(&self->b).m4_malformed);
}

/* Neither a 3- nor a 4-element array: no answer at all. */
TEST_F(m4, no_answer_to_other_arrays)
{
	static const uint8_t two[] = { 0x92, 0x00, 0x01 };
	static const uint8_t five[] = { 0x95, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90, 0xc0 };
	static const uint8_t a16[] = { 0xdc, 0x00, 0x04, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90 };

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	ASSERT_EQ(0u, rpc(&self->b, two, sizeof(two), self->out, sizeof(self->out)));
	ASSERT_EQ(0u, rpc(&self->b, five, sizeof(five), self->out, sizeof(self->out)));
	/* A 4-element array in array16 form: not 0x94, misread. */
	ASSERT_EQ(0u, rpc(&self->b, a16, sizeof(a16), self->out, sizeof(self->out)));
	ASSERT_EQ(3u, bench_stats(&self->b).m4_ignored);
	ASSERT_EQ(0u, bench_stats(&self->b).ring_bytes_in);
}

/* Two messages in one subframe: the M4 sees only the first. */
TEST_F(m4, two_messages_in_one_subframe)
{
	static const uint8_t req[] = {
		0x94, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90,
		0x94, 0x00, 0x02, 0xa3, 'g', 'a', 's', 0x90,
	};
	static const uint8_t want[] = { 0x94, 0x01, 0x01, 0xc0, 0xcd, 0x01, 0x90 };

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	self->n = rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
	ASSERT_EQ(1u, bench_stats(&self->b).m4_trailing);
}

/* One message split over two subframes: neither half is understood. */
TEST_F(m4, one_message_split_over_two_subframes)
{
	static const uint8_t req[] = { 0x94, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90 };
	uint8_t mosi[FRAME];
	struct h7emu_stats st;

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	empty(mosi);
	put_sub(mosi, 0x0a, 0x01, req, 4);
	put_sub(mosi, 0x0a, 0x01, req + 4, 4);
	bench_xfer(&self->b, mosi, NULL);
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_EQ(0u, self->n);
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.ui_in);
	ASSERT_EQ(1u, st.m4_malformed);	/* 94 00 01 a3: incomplete */
	ASSERT_EQ(1u, st.m4_ignored);	/* 'g' 'a' 's' 90 */
}

/* Each UI subframe is one message: two subframes, two answers, in order. */
TEST_F(m4, one_subframe_one_message)
{
	static const uint8_t r1[] = { 0x94, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90 };
	static const uint8_t r2[] = { 0x94, 0x00, 0x02, 0xa8, 'h', 'u', 'm', 'i', 'd', 'i', 't', 'y', 0x90 };
	static const uint8_t want[] = {
		0x94, 0x01, 0x01, 0xc0, 0xcd, 0x01, 0x90,
		0x94, 0x01, 0x02, 0xc0, 0xcc, 0xc8,
	};
	uint8_t mosi[FRAME];

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_SENSORS));
	empty(mosi);
	put_sub(mosi, 0x0a, 0x01, r1, sizeof(r1));
	put_sub(mosi, 0x0a, 0x01, r2, sizeof(r2));
	bench_xfer(&self->b, mosi, NULL);
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
	ASSERT_EQ(2u, bench_stats(&self->b).ui_in);
}

/* A notification from Linux is acted on and never answered. */
TEST_F(m4, notification_from_linux_no_answer)
{
	static const uint8_t req[] = { 0x93, 0x02, 0xa3, 'l', 'e', 'd', 0x91, 0xc3 };
	static const uint8_t bad[] = { 0x93, 0x02, 0xa3, 'f', 'o', 'o', 0x90 };

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_LED));
	ASSERT_EQ(0u, rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out)));
	ASSERT_TRUE(h7emu_m4_led(self->b.e));
	ASSERT_EQ(0u, rpc(&self->b, bad, sizeof(bad), self->out, sizeof(self->out)));
	ASSERT_EQ(2u, bench_stats(&self->b).m4_notifications_in);
}

/* tty: the call is answered, then println() echoes the line: two
 * notifications with bin8 payloads. */
TEST_F(m4, tty_echoes_lines)
{
	static const uint8_t req[] = {
		0x94, 0x00, 0x09, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x03, 'h', 'i', '\n',
	};
	static const uint8_t part[] = {
		0x94, 0x00, 0x0a, 0xa3, 't', 't', 'y', 0x91, 0xa2, 'y', 'o',
	};
	static const uint8_t want[] = {
		0x94, 0x01, 0x09, 0xc0, 0xc0,
		0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x02, 'h', 'i',
		0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x02, '\r', '\n',
	};
	static const uint8_t want2[] = { 0x94, 0x01, 0x0a, 0xc0, 0xc0 };

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_TTY));
	self->n = rpc(&self->b, req, sizeof(req), self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
	/* No newline yet (a str this time): only the reply. */
	self->n = rpc(&self->b, part, sizeof(part), self->out, sizeof(self->out));
	ASSERT_BYTES(want2, self->out, self->n);
}

TEST_F(m4, serial_write_is_a_tty_notification)
{
	static const uint8_t want[] = {
		0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x02, 'a', 'b',
	};

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	ASSERT_EQ(0, h7emu_m4_serial_write(self->b.e, "ab", 2));
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
}

/* [0, @msgid, "tty", [bin8 of @n bytes (u8)(@seed + i)]] into @m. */
static unsigned int tty_call(uint8_t *m, uint8_t msgid, unsigned int n,
			     unsigned int seed)
{
	static const uint8_t head[] = { 0x94, 0x00, 0x00, 0xa3, 't', 't', 'y',
					0x91, 0xc4, 0x00 };
	unsigned int i;

	memcpy(m, head, sizeof(head));
	m[2] = msgid;
	m[9] = n;
	for (i = 0; i < n; i++)
		m[10 + i] = (uint8_t)(seed + i);
	return 10 + n;
}

/*
 * Serial's receive buffer is 1 KiB. A sketch whose loop() is long
 * (tty_loop_ms) takes no message meanwhile: calls wait in the M4's rpmsg
 * buffers, then all reach Serial at once, and what does not fit is
 * dropped and counted. SINK keeps what it read, in order.
 */
TEST_F(m4, tty_serial_buffer_overrun_counted)
{
	uint8_t mosi[FRAME], call[256], got[2048];
	struct h7emu_config cfg;
	struct h7emu_stats st;
	unsigned int i, n;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TTY;
	cfg.tty_mode = H7EMU_TTY_SINK;
	cfg.tty_loop_ms = 50;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
	bench_pass(&self->b);		/* the first loop() begins */
	for (i = 0; i < 6; i++) {
		n = tty_call(call, 1 + i, 200, 200 * i);
		ui_frame(mosi, call, n);
		bench_xfer(&self->b, mosi, NULL);
		bench_pass(&self->b);
	}
	st = bench_stats(&self->b);
	ASSERT_EQ(0u, st.m4_calls_in);	/* still in loop() */
	drain(&self->b, self->out, sizeof(self->out));
	bench_passes(&self->b, 60);
	st = bench_stats(&self->b);
	ASSERT_EQ(6u, st.m4_calls_in);
	ASSERT_EQ(6u, st.m4_answered);
	ASSERT_EQ(1200u, st.m4_serial_rx);
	ASSERT_EQ(1200u - 1024u, st.m4_serial_overruns);
	ASSERT_EQ(1024u, st.m4_serial_read);
	ASSERT_EQ(1024u, h7emu_tty_received(self->b.e, got, sizeof(got)));
	for (i = 0; i < 1024; i++)
		ASSERT_EQ((uint8_t)i, got[i]);
}

/* Read without the M4 busy, the same calls all fit and arrive whole. */
TEST_F(m4, tty_sink_keeps_everything_in_order)
{
	uint8_t call[256], got[2048];
	struct h7emu_config cfg;
	unsigned int i, n;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TTY;
	cfg.tty_mode = H7EMU_TTY_SINK;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
	for (i = 0; i < 6; i++) {
		n = tty_call(call, 1 + i, 200, 200 * i);
		rpc(&self->b, call, n, self->out, sizeof(self->out));
	}
	ASSERT_EQ(1200u, h7emu_tty_received(self->b.e, got, sizeof(got)));
	ASSERT_EQ(0u, bench_stats(&self->b).m4_serial_overruns);
	for (i = 0; i < 1200; i++)
		ASSERT_EQ((uint8_t)i, got[i]);
}

/*
 * The generator: Serial.write()s of @size bytes of h7emu_tty_gen_byte(),
 * at the rate asked, the last one shorter, then nothing.
 */
TEST_F(m4, tty_generate_prints_the_sequence)
{
	static const uint8_t head[] = { 0x93, 0x02, 0xa3, 't', 't', 'y', 0x91,
					0xc4 };
	uint8_t got[1024];
	size_t n = 0, off = 0, m;
	unsigned int writes = 0, i;

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	ASSERT_EQ(-EINVAL, h7emu_tty_generate(self->b.e, 0, 10, 0, 100));
	ASSERT_EQ(-EINVAL, h7emu_tty_generate(self->b.e, 0, 10, 10, 0));
	ASSERT_EQ(0, h7emu_tty_generate(self->b.e, 0, 700, 100, 500));
	/* 2 ms per write, 1 ms per pass: not all at once. */
	bench_passes(&self->b, 3);
	ASSERT_GT(700u, bench_stats(&self->b).m4_serial_gen);
	for (i = 0; i < 10; i++) {
		m = drain(&self->b, self->out + n, sizeof(self->out) - n);
		n += m;
	}
	ASSERT_EQ(700u, bench_stats(&self->b).m4_serial_gen);
	while (off < n) {
		ASSERT_GE(n - off, sizeof(head) + 1);
		ASSERT_EQ(0, memcmp(self->out + off, head, sizeof(head)));
		m = self->out[off + sizeof(head)];
		ASSERT_EQ(writes < 7 ? 100u : 0u, m);
		memcpy(got + writes * 100, self->out + off + sizeof(head) + 1, m);
		off += sizeof(head) + 1 + m;
		writes++;
	}
	ASSERT_EQ(7u, writes);
	for (i = 0; i < 700; i++)
		ASSERT_EQ(h7emu_tty_gen_byte(i), got[i]);
	/* From further on: the sequence goes on there. */
	ASSERT_EQ(0, h7emu_tty_generate(self->b.e, 70000, 50, 50, 1));
	n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_EQ(sizeof(head) + 1 + 50, n);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(h7emu_tty_gen_byte(70000 + i),
			  self->out[sizeof(head) + 1 + i]);
}

/* The tty sketch's settings by name, with their ranges. */
TEST(tty_settings)
{
	struct h7emu_config cfg;

	h7emu_config_init(&cfg);
	ASSERT_EQ(H7EMU_TTY_LINES, (int)cfg.tty_mode);
	ASSERT_EQ(0, h7emu_config_set(&cfg, "tty-mode", "sink"));
	ASSERT_EQ(H7EMU_TTY_SINK, (int)cfg.tty_mode);
	ASSERT_STREQ("sink", h7emu_tty_mode_name(cfg.tty_mode));
	ASSERT_EQ(-EINVAL, h7emu_config_set(&cfg, "tty-mode", "echo"));
	ASSERT_EQ(0, h7emu_config_set(&cfg, "tty-loop-ms", "60000"));
	ASSERT_EQ(60000u, cfg.tty_loop_ms);
	ASSERT_EQ(-EINVAL, h7emu_config_set(&cfg, "tty-loop-ms", "60001"));
	cfg.tty_mode = H7EMU_TTY_NR;
	errno = 0;
	ASSERT_EQ(NULL, h7emu_new(&cfg, h7emu_loopback_new()));
	ASSERT_EQ(EINVAL, errno);
}

/* Bytes of the raw endpoint and of rpc share the ring, in order. */
TEST_F(m4, raw_and_rpc_share_the_ring)
{
	static const uint8_t want[] = {
		'A', 'B',
		0x93, 0x02, 0xa1, 'n', 0x91, 0xc4, 0x01, 0x07,
		'C',
	};

	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, "AB", 2));
	ASSERT_EQ(0, h7emu_m4_notify(self->b.e, "n", "\x07", 1));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, "C", 1));
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_BYTES(want, self->out, self->n);
}

/* M4-originated calls: 32-bit msgid (the thread handle), and RPC.call()
 * blocks the sketch until the reply, or its timeout. */
TEST_F(m4, traffic_calls_block_until_reply)
{
	static const uint8_t call0[] = {
		0x94, 0x00, 0xce, 0x24, 0x00, 0x9a, 0x30,
		0xa7, 't', 'r', 'a', 'f', 'f', 'i', 'c',
		0x92, 0x00, 0xc4, 0x04, 0x00, 0x01, 0x02, 0x03,
	};
	static const uint8_t reply[] = { 0x94, 0x01, 0xce, 0x24, 0x00, 0x9a, 0x30, 0xc0, 0xc0 };
	uint8_t resp[64];
	struct h7emu_config cfg;
	struct h7emu_stats st;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.rate = 1000;
	cfg.traffic.size = 4;
	cfg.traffic.kind = H7EMU_TRAFFIC_CALL;
	cfg.traffic.timeout_ms = 0;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_BYTES(call0, self->out, self->n);	/* and nothing more */
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.m4_calls_out);
	/* Linux answers; the next call (seq 1) follows. */
	self->n = rpc(&self->b, reply, sizeof(reply), self->out,
		      sizeof(self->out));
	ASSERT_EQ(sizeof(call0), self->n);
	ASSERT_EQ(0x01, self->out[16]);
	ASSERT_EQ(0x01, self->out[19]);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.m4_responses_in);
	ASSERT_EQ(2u, st.m4_calls_out);
	ASSERT_EQ(sizeof(reply), h7emu_m4_last_response(self->b.e, resp, sizeof(resp)));
	ASSERT_EQ(0, memcmp(reply, resp, sizeof(reply)));
}

TEST_F(m4, traffic_call_timeout)
{
	struct h7emu_config cfg;
	struct h7emu_stats st;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.rate = 1000;
	cfg.traffic.kind = H7EMU_TRAFFIC_CALL;
	cfg.traffic.timeout_ms = 10;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
	drain(&self->b, self->out, sizeof(self->out));	/* 50 ms */
	st = bench_stats(&self->b);
	ASSERT_GE(st.m4_call_timeouts, 3u);
	ASSERT_EQ(st.m4_calls_out, st.m4_call_timeouts + 1);
}

TEST_F(m4, traffic_notify_raw_serial_mix)
{
	/* seq 0 notify, seq 1 raw... by kind MIX: call, notify, raw, serial */
	static const uint8_t want[] = {
		/* seq 1: [2, "traffic", [1, bin 01 02]] */
		0x93, 0x02, 0xa7, 't', 'r', 'a', 'f', 'f', 'i', 'c',
		0x92, 0x01, 0xc4, 0x02, 0x01, 0x02,
		/* seq 2: raw 02 03 */
		0x02, 0x03,
		/* seq 3: [2, "tty", [bin 03 04]] */
		0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x02, 0x03, 0x04,
	};
	struct h7emu_config cfg;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.rate = 1000;
	cfg.traffic.size = 2;
	cfg.traffic.kind = H7EMU_TRAFFIC_MIX;
	cfg.traffic.timeout_ms = 1;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
	/* seq 0 is a call that times out after 1 ms, then 1, 2, 3 */
	self->n = drain(&self->b, self->out, sizeof(self->out));
	ASSERT_GE(self->n, 21 + sizeof(want));
	ASSERT_EQ(0x94, self->out[0]);
	ASSERT_EQ(0, memcmp(want, self->out + 21, sizeof(want)));
}

TEST_F(m4, m4_absent_or_without_rpc_drops_ui)
{
	static const uint8_t req[] = { 0x94, 0x00, 0x01, 0xa3, 'g', 'a', 's', 0x90 };
	struct h7emu_config cfg;
	struct h7emu_stats st;
	int m4;

	for (m4 = -1; m4 <= 0; m4++) {
		h7emu_config_init(&cfg);
		cfg.m4 = m4;
		ASSERT_EQ(0, bench_init_cfg(&self->b, &cfg));
		ASSERT_EQ(0u, rpc(&self->b, req, sizeof(req), self->out,
				 sizeof(self->out)));
		st = bench_stats(&self->b);
		ASSERT_EQ(1u, st.ui_in_dropped);
		ASSERT_EQ(0u, st.m4_boots);
		ASSERT_EQ(0u, st.m4_greetings);
		ASSERT_EQ(-ENODEV, h7emu_m4_serial_write(self->b.e, "x", 1));
		/* Started later: greeted, and it answers. */
		ASSERT_EQ(0, h7emu_set_m4(self->b.e, 1));
		self->n = rpc(&self->b, req, sizeof(req), self->out,
			      sizeof(self->out));
		ASSERT_EQ(7u, self->n);
		ASSERT_EQ(2u, bench_stats(&self->b).m4_greetings);
		bench_fini(&self->b);
	}
}

TEST_HARNESS_MAIN
