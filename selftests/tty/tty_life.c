// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/ttyM4RPCn as a serial port (kernel/tty/): termios
 * changes accepted and kept; hangup when the M4 stops running RPC and
 * when the board goes away (simulator unloaded), with a reader asleep;
 * open refused while the M4 does not run RPC; the "tty" binding held by
 * the open port against /dev/m4rpcN sessions, and the other way round;
 * what the sketch prints while the port is closed dropped and counted;
 * opens and closes while data flows both ways.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS	5000

FIXTURE(tl) {
	struct board_env env;
	struct h7emu *emu;
	int fd;
};

FIXTURE_SETUP(tl)
{
	struct h7emu_config cfg;
	const struct board_opts opts = { .cfg = &cfg };

	self->fd = -1;
	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TTY;
	ASSERT_EQ(0, board_up(&self->env, &opts));
	self->emu = self->env.b[0].emu;
}

FIXTURE_TEARDOWN(tl)
{
	if (self->fd >= 0)
		close(self->fd);
	board_down(&self->env);
}

/* A line through the sketch and back: 0, or what went wrong. */
static int echo_line(int fd, const char *text)
{
	char line[128], want[130], got[130];
	size_t n;

	snprintf(line, sizeof(line), "%s\n", text);
	n = snprintf(want, sizeof(want), "%s\r\n", text);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		return errno ? errno : EIO;
	if (tty_read_n(fd, (uint8_t *)got, n, T_MS) != (ssize_t)n)
		return ETIMEDOUT;
	return memcmp(got, want, n) ? EBADMSG : 0;
}

/* Wait until poll() on @fd says @events (or more): its revents, or 0. */
static short wait_events(int fd, short events, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	uint64_t end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (poll(&p, 1, 50) > 0 && (p.revents & events) == events)
			return p.revents;
		sleep_ms(10);
	}
	return 0;
}

static int wait_m4(struct board_env *e, int want)
{
	uint64_t end = now_ms() + T_MS;
	char buf[16];

	while (now_ms() < end) {
		if (!link_attr(e, 0, "m4_state", buf, sizeof(buf)) &&
		    atoi(buf) == want)
			return 0;
		sleep_ms(10);
	}
	return ETIMEDOUT;
}

/* Raw mode, rates, sizes, parity, flow control: all taken, all kept. */
TEST_F(tl, termios_accepted)
{
	static const speed_t speeds[] = { B9600, B57600, B921600, B115200 };
	struct termios t, back;
	unsigned int i;

	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	/* It starts raw: no echo, no line editing, no CR/LF mapping. */
	ASSERT_EQ(0, tcgetattr(self->fd, &t));
	ASSERT_EQ(0u, t.c_lflag & (ECHO | ICANON));
	ASSERT_EQ(0u, t.c_iflag & ICRNL);
	ASSERT_EQ(0u, t.c_oflag & OPOST);
	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		cfmakeraw(&t);
		ASSERT_EQ(0, cfsetspeed(&t, speeds[i]));
		t.c_cflag ^= PARENB | CRTSCTS;
		ASSERT_EQ(0, tcsetattr(self->fd, TCSADRAIN, &t));
		ASSERT_EQ(0, tcgetattr(self->fd, &back));
		ASSERT_EQ(speeds[i], cfgetospeed(&back));
		ASSERT_EQ(speeds[i], cfgetispeed(&back));
		ASSERT_EQ(t.c_cflag, back.c_cflag);
		ASSERT_EQ(0u, back.c_lflag & (ECHO | ICANON));
	}
	ASSERT_EQ(0, echo_line(self->fd, "after the rates"));
	/* Canonical mode is the line discipline's: a whole line at a time. */
	t.c_lflag |= ICANON;
	ASSERT_EQ(0, tcsetattr(self->fd, TCSANOW, &t));
	ASSERT_EQ(0, echo_line(self->fd, "canonical"));
}

/* The M4 stops running RPC: the port hangs up; it opens again after. */
TEST_F(tl, hangup_on_m4_stop)
{
	char c;

	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tty_set_raw(self->fd, B115200));
	ASSERT_EQ(0, h7emu_set_m4(self->emu, H7EMU_M4_NO_RPC));
	/* The link hears of it in the H7's answer to its next frame. */
	ASSERT_EQ(0, link_attr_write(&self->env, 0, "refresh", "1"));
	ASSERT_NE(0, wait_events(self->fd, POLLHUP, T_MS));
	ASSERT_EQ(0, read(self->fd, &c, 1));	/* EOF */
	ASSERT_EQ(-1, write(self->fd, "x", 1));
	ASSERT_EQ(EIO, errno);
	close(self->fd);
	self->fd = -1;
	/* No open while the M4 does not run RPC. */
	ASSERT_EQ(-EHOSTDOWN, board_tty_open(&self->env, 0, 0));
	ASSERT_EQ(0, h7emu_set_m4(self->emu, H7EMU_M4_RUNNING));
	ASSERT_EQ(0, link_attr_write(&self->env, 0, "refresh", "1"));
	ASSERT_EQ(0, wait_m4(&self->env, H7EMU_M4_RUNNING));
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, echo_line(self->fd, "back again"));
}

struct reader {
	int fd;
	atomic_int result;	/* 1 running, else read()'s or -errno */
	pthread_t th;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	char buf[64];
	ssize_t n = read(r->fd, buf, sizeof(buf));

	atomic_store(&r->result, n < 0 ? -errno : (int)n);
	return NULL;
}

/* The board goes away under a sleeping reader: EOF, then EIO. */
TEST_F(tl, hangup_on_board_removed)
{
	char path[64];
	struct reader rd;

	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tty_set_raw(self->fd, B115200));
	rd.fd = self->fd;
	atomic_store(&rd.result, 1);
	ASSERT_EQ(0, pthread_create(&rd.th, NULL, reader_fn, &rd));
	sleep_ms(200);
	ASSERT_EQ(1, atomic_load(&rd.result));
	board_emu_stop(&self->env, 0);
	ASSERT_EQ(0, board_sim_unload());
	ASSERT_EQ(0, pthread_join(rd.th, NULL));
	ASSERT_EQ(0, atomic_load(&rd.result));
	ASSERT_EQ(-1, write(self->fd, "x", 1));
	ASSERT_EQ(EIO, errno);
	ASSERT_NE(0, wait_events(self->fd, POLLHUP, T_MS));
	ASSERT_NE(0, board_tty_path(&self->env, 0, path, sizeof(path)));
}

/* The open port holds "tty"; a session that holds it keeps the port shut. */
TEST_F(tl, binding_conflict)
{
	int s = board_ep_session(&self->env, 0);

	ASSERT_LE(0, s);
	/* The port first: the session's BIND fails, then works after close. */
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(EADDRINUSE, ep_bind(s, "tty"));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, ep_bind(s, "tty"));
	/* The session first: the port does not open until it lets go. */
	ASSERT_EQ(-EBUSY, board_tty_open(&self->env, 0, 0));
	ASSERT_EQ(0, ep_unbind(s, "tty"));
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, echo_line(self->fd, "mine now"));
	close(self->fd);
	self->fd = -1;
	/* Closing the session gives it back too. */
	ASSERT_EQ(0, ep_bind(s, "tty"));
	close(s);
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
}

/* Output while nobody has the port open: dropped, counted, not replayed. */
TEST_F(tl, closed_output_dropped)
{
	struct m4rpc_link_stats st;
	int s = board_ep_session(&self->env, 0);
	uint64_t before;
	uint8_t buf[64];

	ASSERT_LE(0, s);
	ASSERT_EQ(0, ep_link_stats(s, &st));
	before = st.notify_unbound;
	ASSERT_EQ(0, h7emu_m4_serial_write(self->emu, "unheard\n", 8));
	ASSERT_EQ(0, ep_wait_link_stat(s, offsetof(struct m4rpc_link_stats,
						   notify_unbound),
				       before + 1, T_MS));
	close(s);
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tty_set_raw(self->fd, B115200));
	ASSERT_EQ(0, tty_read_n(self->fd, buf, sizeof(buf), 300));
	ASSERT_EQ(0, echo_line(self->fd, "only this"));
}

/*
 * Opens and closes while the sketch prints and echoes: the binding goes
 * and comes back under the M4's output and the port's own calls (for the
 * debug kernel's checkers: vm-run fails on any report in dmesg).
 */
TEST_F(tl, open_close_while_talking)
{
	uint8_t buf[256];
	unsigned int i;

	ASSERT_EQ(0, h7emu_tty_generate(self->emu, 0, 40000, 40, 200));
	for (i = 0; i < 40; i++) {
		self->fd = board_tty_open(&self->env, 0, O_NONBLOCK);
		ASSERT_LE(0, self->fd) {
			TH_LOG("open %u: %s", i, strerror(-self->fd));
		}
		ASSERT_EQ(0, tty_set_raw(self->fd, B115200));
		ASSERT_EQ(4, write(self->fd, "abc\n", 4));
		tty_read_n(self->fd, buf, sizeof(buf), 5 + i % 7);
		close(self->fd);
		self->fd = -1;
	}
	ASSERT_EQ(0, h7emu_tty_generate(self->emu, 0, 0, 1, 1));
	self->fd = board_tty_open(&self->env, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tty_set_raw(self->fd, B115200));
	/* What is still on its way, until the line is quiet. */
	while (tty_read_n(self->fd, buf, sizeof(buf), 500) > 0)
		;
	ASSERT_EQ(0, echo_line(self->fd, "still here"));
}

TEST_HARNESS_MAIN
