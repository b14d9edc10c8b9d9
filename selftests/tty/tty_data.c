// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of the data through /dev/ttyM4RPCn (kernel/tty/): the M4's
 * Serial output byte-exact and in order, a line echoed back by the tty
 * sketch, and what is written reaching the sketch in order without
 * overrunning its 1 KiB Serial receive buffer, tcdrain() returning once
 * the sketch has it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS		5000
#define OUT_BYTES	(100 * 1024)
#define IN_BYTES	(64 * 1024)
/* One Serial.write() of the generator: [2, "tty", [bin8]] in 128 bytes. */
#define WRITE_MAX	118

FIXTURE(td) {
	struct board_env env;
	struct h7emu_config cfg;
	int fd;
};

FIXTURE_SETUP(td)
{
	self->fd = -1;
	board_config(&self->cfg, 0);
	self->cfg.sketch = H7EMU_SKETCH_TTY;
}

FIXTURE_TEARDOWN(td)
{
	if (self->fd >= 0)
		close(self->fd);
	board_down(&self->env);
}

/* The board with self->cfg, its tty open and raw. */
static int td_up(FIXTURE_DATA(td) *self)
{
	const struct board_opts opts = { .cfg = &self->cfg };
	int ret = board_up(&self->env, &opts);

	if (ret)
		return ret;
	self->fd = board_tty_open(&self->env, 0, 0);
	if (self->fd < 0)
		return -self->fd;
	return tty_set_raw(self->fd, B115200);
}

static void td_dump(FIXTURE_DATA(td) *self)
{
	static const char *const names[] = {
		"rx_bytes", "rx_dropped", "rx_malformed", "tx_bytes",
		"tx_refused", "tx_lost",
	};
	struct h7emu_stats st;
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fprintf(stderr, "# tty %s %lld\n", names[i],
			board_tty_stat(&self->env, 0, names[i]));
	h7emu_get_stats(self->env.b[0].emu, &st);
	fprintf(stderr, "# H7 holes in the M4's stream: %llu\n",
		(unsigned long long)board_emu_holes(&st));
	fprintf(stderr, "# M4: calls in %llu, answered %llu, Serial rx %llu, overruns %llu\n",
		(unsigned long long)st.m4_calls_in,
		(unsigned long long)st.m4_answered,
		(unsigned long long)st.m4_serial_rx,
		(unsigned long long)st.m4_serial_overruns);
	fd = board_ep_open(&self->env, 0, O_RDWR);
	board_dump(&self->env, 0, fd);
	if (fd >= 0)
		close(fd);
}

struct reader {
	int fd;
	uint8_t *buf;
	size_t want;
	atomic_size_t got;
	pthread_t th;
};

/* Reads the port until it has @want bytes or nothing comes for T_MS. */
static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	ssize_t n = tty_read_n(r->fd, r->buf, r->want, T_MS);

	atomic_store(&r->got, n < 0 ? 0 : (size_t)n);
	return NULL;
}

/*
 * 100 KiB of the sketch's Serial output: every byte, in order, once.
 * What is tested is the port, not the H7: the H7 drops what the M4 sends
 * while its frame is full (docs/x8h7-link.md) and Linux in a slow VM
 * reads late, so the sketch prints each write once the port has the one
 * before (its rx_bytes). Writes of 118 bytes make messages of one UI
 * chunk each: the endpoint drops a message that spans a possible hole
 * whose bytes there read as a message head (<linux/m4rpc.h>), and random
 * bytes sometimes do.
 */
TEST_F_TIMEOUT(td, sketch_output_byte_exact, 180)
{
	struct reader rd = { .want = OUT_BYTES };
	uint64_t end;
	size_t pos = 0, i, n;

	rd.buf = malloc(OUT_BYTES + 1);
	ASSERT_NE(NULL, rd.buf);
	ASSERT_EQ(0, td_up(self));
	rd.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&rd.th, NULL, reader_fn, &rd));
	while (pos < OUT_BYTES) {
		n = OUT_BYTES - pos < WRITE_MAX ? OUT_BYTES - pos : WRITE_MAX;
		ASSERT_EQ(0, h7emu_tty_generate(self->env.b[0].emu, pos, n, n,
						1000));
		pos += n;
		end = now_ms() + T_MS;
		while (board_tty_stat(&self->env, 0, "rx_bytes") <
		       (long long)pos) {
			if (now_ms() > end)
				td_dump(self);
			ASSERT_LT(now_ms(), end) {
				TH_LOG("the port has not got byte %zu", pos);
			}
			sleep_ms(1);
		}
	}
	ASSERT_EQ(0, pthread_join(rd.th, NULL));
	if (atomic_load(&rd.got) != OUT_BYTES)
		td_dump(self);
	ASSERT_EQ((size_t)OUT_BYTES, atomic_load(&rd.got));
	for (i = 0; i < OUT_BYTES; i++) {
		if (rd.buf[i] != h7emu_tty_gen_byte(i)) {
			td_dump(self);
			ASSERT_EQ(h7emu_tty_gen_byte(i), rd.buf[i]) {
				TH_LOG("first wrong byte at %zu", i);
			}
		}
	}
	/* Nothing more, nothing dropped. */
	ASSERT_EQ(0, tty_read_n(self->fd, rd.buf, 1, 300));
	ASSERT_EQ(OUT_BYTES, board_tty_stat(&self->env, 0, "rx_bytes"));
	ASSERT_EQ(0, board_tty_stat(&self->env, 0, "rx_dropped"));
	free(rd.buf);
}

/* A line typed into the tty comes back from the sketch's println(). */
TEST_F(td, line_echoed)
{
	static const char line[] = "hello, sketch\n";
	static const char want[] = "hello, sketch\r\n";
	char got[sizeof(want)] = "";

	ASSERT_EQ(0, td_up(self));
	ASSERT_EQ((ssize_t)strlen(line), write(self->fd, line, strlen(line)));
	ASSERT_EQ((ssize_t)strlen(want),
		  tty_read_n(self->fd, (uint8_t *)got, strlen(want), T_MS));
	ASSERT_EQ(0, memcmp(want, got, strlen(want)));
	ASSERT_EQ((long long)strlen(line),
		  board_tty_stat(&self->env, 0, "tx_bytes"));
}

static uint8_t in_byte(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

/*
 * 64 KiB written at once reach the sketch in order. Its loop() takes
 * 20 ms, in which the M4 takes no message, so whatever Linux sent
 * meanwhile reaches Serial together: only the pacing by the sketch's
 * replies keeps that within Serial's 1 KiB. tcdrain() returns when the
 * sketch has every byte.
 */
TEST_F_TIMEOUT(td, write_64k_paced, 120)
{
	uint8_t *buf = malloc(IN_BYTES), *got = malloc(IN_BYTES);
	struct pollfd p = { .fd = self->fd, .events = POLLOUT };
	struct h7emu *emu;
	uint64_t end;
	struct h7emu_stats st;
	size_t off = 0, i;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, got);
	self->cfg.tty_mode = H7EMU_TTY_SINK;
	self->cfg.tty_loop_ms = 20;
	ASSERT_EQ(0, td_up(self));
	p.fd = self->fd;
	emu = self->env.b[0].emu;
	for (i = 0; i < IN_BYTES; i++)
		buf[i] = in_byte(i);
	/* Non-blocking, so that a stall is reported rather than waited out. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	end = now_ms() + 60000;
	while (off < IN_BYTES) {
		n = write(self->fd, buf + off, IN_BYTES - off);
		if (n < 0 && errno == EAGAIN && now_ms() < end) {
			poll(&p, 1, 100);
			continue;
		}
		if (n <= 0)
			td_dump(self);
		ASSERT_LT(0, n) {
			TH_LOG("stalled after %zu bytes: %s", off,
			       strerror(errno));
		}
		off += n;
	}
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	ASSERT_EQ(0, tcdrain(self->fd));
	/* Answered: in Serial's buffer, maybe not read yet. */
	h7emu_get_stats(emu, &st);
	if (st.m4_serial_rx != IN_BYTES || st.m4_serial_overruns)
		td_dump(self);
	ASSERT_EQ((uint64_t)IN_BYTES, st.m4_serial_rx);
	ASSERT_EQ(0u, st.m4_serial_overruns);
	ASSERT_EQ(IN_BYTES, board_tty_stat(&self->env, 0, "tx_bytes"));
	ASSERT_EQ(0, board_tty_stat(&self->env, 0, "tx_lost"));
	ASSERT_EQ(0, h7emu_wait_stat(emu, offsetof(struct h7emu_stats,
						   m4_serial_read),
				     IN_BYTES, T_MS));
	ASSERT_EQ((uint64_t)IN_BYTES, h7emu_tty_received(emu, got, IN_BYTES));
	for (i = 0; i < IN_BYTES; i++)
		ASSERT_EQ(in_byte(i), got[i]) {
			TH_LOG("first wrong byte at %zu", i);
		}
	free(buf);
	free(got);
}

TEST_HARNESS_MAIN
