// SPDX-License-Identifier: GPL-2.0
/*
 * The serial port, held open. The M4's Serial prints writes of
 * SOAK_TTY_WRITE bytes (h7emu_m4_serial_write(), one per tick of the
 * plan): write i is its index (4 bytes, little endian) and bytes drawn
 * from the seed and i, so that each write names itself. (The emulator's
 * own sequence, h7emu_tty_gen_byte(), repeats its 48-byte windows every
 * few KiB: a gap could not be told from a jump back.) The port must give
 * back whole writes, in order: the kernel drops a message that may span a
 * hole, never part of one. A write that was printed and skipped is a loss
 * (a counter must have moved), one that comes again a duplicate, anything
 * else flipped or garbled (in a bit-flip window) or damaged. The port
 * hangs up when the link resynchronises or the M4 restarts; the reader
 * opens it again (what was printed meanwhile was nobody's:
 * notify_unbound).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

#define W		SOAK_TTY_WRITE
#define BUF_LEN		8192
#define IN_FLIGHT_NS	1000000000ull	/* not yet due at the end */

/* What was printed: write i at sent[i] (0: the M4 was not running). */
static struct {
	pthread_mutex_t lock;
	uint64_t *sent;
	uint32_t n, cap;
	volatile int may_start;	/* the port is open */
} P = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void content(struct soak *s, uint32_t i, uint8_t *w)
{
	uint64_t r = s->seed ^ 0x7474790000000000ull ^ i;	/* "tty" */
	unsigned int k;

	memcpy(w, &i, 4);
	for (k = 4; k < W; k++)
		w[k] = (uint8_t)soak_rand(&r);
}

void soak_tty_print(struct soak *s)
{
	uint8_t w[W];
	uint32_t i;

	if (!P.may_start)
		return;
	pthread_mutex_lock(&P.lock);
	if (!P.sent) {
		P.cap = s->seconds * 25 + 100;	/* ticks of 50 ms, and more */
		P.sent = calloc(P.cap, sizeof(*P.sent));
	}
	if (!P.sent || P.n == P.cap) {
		pthread_mutex_unlock(&P.lock);
		return;
	}
	i = P.n++;
	content(s, i, w);
	P.sent[i] = h7emu_now_ns();
	/* The M4 restarting (an H7 reset): this one is never printed. */
	if (h7emu_m4_serial_write(s->emu, w, W))
		P.sent[i] = 0;
	pthread_mutex_unlock(&P.lock);
}

static uint64_t sent_at(uint32_t i, uint32_t *n)
{
	uint64_t t;

	pthread_mutex_lock(&P.lock);
	*n = P.n;
	t = i < P.n ? P.sent[i] : 0;
	pthread_mutex_unlock(&P.lock);
	return t;
}

struct reader {
	struct soak *s;
	uint32_t next;		/* the first write not yet accounted */
	bool synced;		/* at a write's start */
	uint64_t last_good_ns;
	uint8_t buf[BUF_LEN];
	size_t off, len;	/* bytes buf[off..len) not checked yet */
	struct soak_totals t;
};

/* The @W bytes at @p are a write that was printed: its index. */
static bool a_write(struct reader *r, const uint8_t *p, uint32_t *idx)
{
	uint8_t w[W];
	uint32_t n;

	memcpy(idx, p, 4);
	if (!sent_at(*idx, &n))
		return false;
	content(r->s, *idx, w);
	return !memcmp(p, w, W);
}

/* Writes [r->next, @upto) that were printed and did not come: lost. */
static void lost_until(struct reader *r, uint32_t upto, uint64_t now)
{
	uint32_t n;
	uint64_t t;

	for (; r->next < upto; r->next++) {
		t = sent_at(r->next, &n);
		if (t)
			soak_loss_note(r->s, t, now, r->s->t.tty_lost,
				       "a tty write");
	}
}

/* One write's worth at the front of the buffer. */
static void check_one(struct reader *r, const uint8_t *p)
{
	uint64_t now = h7emu_now_ns();
	uint8_t want[W];
	uint32_t idx;
	bool wire;

	if (a_write(r, p, &idx)) {
		if (idx < r->next) {
			r->t.tty_dups++;
		} else {
			lost_until(r, idx, now);
			r->next = idx + 1;
			r->t.tty_writes_ok++;
			r->t.tty_bytes += W;
			r->last_good_ns = now;
		}
		r->synced = true;
		r->off += W;
		return;
	}
	wire = soak_wire_fault_in(r->last_good_ns, now);
	content(r->s, r->next, want);
	if (r->synced && wire && soak_one_bit(p, want, W)) {
		r->t.tty_flipped++;	/* the next write, one bit off */
		r->next++;
		r->off += W;
		return;
	}
	if (r->synced) {
		wire ? r->t.tty_garbled++ : r->t.tty_damaged++;
		if (!wire && r->t.tty_damaged <= 5)
			printf("# tty: after write %u, %d bytes that are no write, at %.3f s\n",
			       r->next, W, now / 1e9);
	}
	/* Look for the next write byte by byte. */
	r->synced = false;
	r->off++;
}

static void check(struct reader *r)
{
	while (r->len - r->off >= W)
		check_one(r, r->buf + r->off);
	memmove(r->buf, r->buf + r->off, r->len - r->off);
	r->len -= r->off;
	r->off = 0;
}

/* Open the port (the M4 may be restarting): an fd, or -1 at the end. */
static int reopen(struct reader *r)
{
	int fd, ret;

	while (!r->s->stop) {
		fd = board_tty_open(&r->s->env, 0, O_NONBLOCK);
		if (fd >= 0) {
			ret = tty_set_raw(fd, B115200);
			if (!ret)
				return fd;
			close(fd);
			if (ret == EIO)		/* hung up already */
				continue;
			soak_fail(r->s, ret, "tcsetattr() of the tty");
			return -1;
		}
		if (fd != -EHOSTDOWN && fd != -ENOENT && fd != -EIO) {
			soak_fail(r->s, -fd, "open() of the tty");
			return -1;
		}
		sleep_ms(20);
	}
	return -1;
}

/* After the last read: what was printed in time and never came. */
static void finish(struct reader *r)
{
	uint64_t end = h7emu_now_ns();
	uint32_t n, upto;

	sent_at(0, &n);
	for (upto = r->next; upto < n; upto++) {
		uint64_t t = sent_at(upto, &n);

		if (t && t + IN_FLIGHT_NS > end)
			break;
	}
	lost_until(r, upto, end);
}

void *soak_tty_thread(void *arg)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct soak *s = arg;
	struct pollfd p;
	ssize_t n;
	int fd;

	if (!r) {
		soak_fail(s, ENOMEM, "the tty reader");
		return NULL;
	}
	r->s = s;
	r->synced = true;
	r->last_good_ns = h7emu_now_ns();
	fd = reopen(r);
	P.may_start = 1;
	while (fd >= 0 && !s->stop) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			soak_fail(s, errno, "poll() of the tty");
			break;
		}
		n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n > 0) {
			r->len += n;
			check(r);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* Hung up (EOF or EIO): open it again. */
		close(fd);
		r->t.tty_reopens++;
		fd = reopen(r);
	}
	if (fd >= 0)
		close(fd);
	finish(r);
	soak_totals_add(s, &r->t);
	free(r);
	return NULL;
}
