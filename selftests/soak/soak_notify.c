// SPDX-License-Identifier: GPL-2.0
/*
 * The listener: the session that binds the traffic sketch's notification
 * method. Each notification it reads must be one the M4 sent, found in the
 * emulator's sent log after the last one it read (so nothing twice, and in
 * order; the first such record: the sketch's seq starts from 0 again when
 * the M4 restarts, so the same bytes may be in the log once per M4 start,
 * and a record taken for an older twin only moves a loss to that twin);
 * each of the method's notifications the log holds between two
 * that arrived is a loss, and some counter must have moved between its
 * sending and its absence showing. One that is not in the log is flipped
 * or garbled while bit flips or garbage frames were injected, else
 * damaged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

struct listener {
	struct soak *s;
	struct h7emu *emu;
	uint64_t cursor;	/* the next sent-log seq not yet accounted */
	uint64_t start;		/* the cursor when the method was bound */
	uint64_t last_sent_ns;	/* when the last one that arrived was sent */
	uint8_t prefix[40];	/* [2, method, ... as the sketch packs it */
	size_t prefix_len;
	uint8_t rec[EP_MSG_MAX];
	uint8_t *seen;		/* a bit per sent-log seq that arrived */
	struct soak_totals t;
};

#define SEEN_MAX	(1u << 22)

static bool seen(struct listener *l, uint64_t seq)
{
	return seq < SEEN_MAX && (l->seen[seq / 8] & (1u << (seq % 8)));
}

/* Sent-log record @seq is one of the method's notifications: its time. */
static bool ours(struct listener *l, uint64_t seq, uint64_t *t_ns)
{
	struct h7emu_sent rec;
	ssize_t n = h7emu_sent_get(l->emu, seq, &rec, l->rec,
				   sizeof(l->rec));

	if (n < (ssize_t)l->prefix_len || rec.raw)
		return false;
	*t_ns = rec.t_ns;
	return !memcmp(l->rec, l->prefix, l->prefix_len);
}

/* Every notification of ours sent before @upto and after the cursor: lost. */
static void lost_until(struct listener *l, uint64_t upto, uint64_t now)
{
	uint64_t first, next, t;

	h7emu_sent_range(l->emu, &first, &next);
	if (l->cursor < first) {	/* fell behind the log's bound */
		l->t.notify_unseen += first - l->cursor;
		l->cursor = first;
	}
	for (; l->cursor < upto && l->cursor < next; l->cursor++)
		if (ours(l, l->cursor, &t))
			soak_loss_note(l->s, t, now, l->s->t.notify_lost,
				       "a notification");
}

/* Not in the log: one bit off one of ours still to come, or not. */
static void not_sent(struct listener *l, const uint8_t *msg, size_t n)
{
	uint64_t now = h7emu_now_ns(), first, next, seq, t;
	struct h7emu_sent rec;

	if (!soak_wire_fault_in(l->last_sent_ns, now)) {
		l->t.notify_damaged++;
		if (l->s->verbose)
			printf("# listener: a %zu-byte message nobody sent\n",
			       n);
		return;
	}
	h7emu_sent_range(l->emu, &first, &next);
	for (seq = l->cursor; seq < next; seq++) {
		if (h7emu_sent_get(l->emu, seq, &rec, l->rec,
				   sizeof(l->rec)) == (ssize_t)n &&
		    soak_one_bit(l->rec, msg, n) && ours(l, seq, &t)) {
			l->t.notify_flipped++;
			return;
		}
	}
	l->t.notify_garbled++;
}

static void got(struct listener *l, const uint8_t *msg, size_t n)
{
	uint64_t first, next, seq, t;

	if (!h7emu_sent_find(l->emu, l->cursor, msg, n, &seq)) {
		lost_until(l, seq, h7emu_now_ns());
		if (ours(l, seq, &t))
			l->last_sent_ns = t;
		l->cursor = seq + 1;
		l->t.notify_ok++;
		if (seq < SEEN_MAX)
			l->seen[seq / 8] |= 1u << (seq % 8);
		return;
	}
	h7emu_sent_range(l->emu, &first, &next);
	if (!h7emu_sent_find(l->emu, first, msg, n, &seq) && seq < l->start &&
	    !seen(l, seq)) {
		/* Sent before the binding, routed after it: intact. */
		l->t.notify_ok++;
	} else if (!h7emu_sent_find(l->emu, first, msg, n, &seq) &&
		   seq < l->cursor) {
		l->t.notify_dups++;
		if (l->t.notify_dups <= 5)
			printf("# listener: sent-log record %llu again (%s), %llu records after it, at %.3f s\n",
			       (unsigned long long)seq,
			       seen(l, seq) ? "it arrived before" :
			       "it was taken for lost: out of order",
			       (unsigned long long)(l->cursor - seq - 1),
			       h7emu_now_ns() / 1e9);
	} else {
		not_sent(l, msg, n);
	}
}

void *soak_notify_thread(void *arg)
{
	struct soak *s = arg;
	struct listener *l = calloc(1, sizeof(*l));
	uint8_t *buf = malloc(EP_MSG_MAX);
	size_t len = strlen(SOAK_NOTIFY_METHOD);
	uint64_t end_ns, next;
	ssize_t r;
	int fd, ret;

	if (l)
		l->seen = calloc(SEEN_MAX / 8, 1);
	if (!l || !buf || !l->seen) {
		soak_fail(s, ENOMEM, "the listener");
		goto out;
	}
	l->s = s;
	l->emu = s->emu;
	l->prefix[0] = 0x93;
	l->prefix[1] = 0x02;
	l->prefix[2] = 0xa0 | len;	/* fixstr: the method is short */
	memcpy(l->prefix + 3, SOAK_NOTIFY_METHOD, len);
	l->prefix_len = 3 + len;
	fd = board_ep_session(&s->env, 0);
	if (fd < 0) {
		soak_fail(s, -fd, "the listener's session");
		goto out;
	}
	ret = ep_bind(fd, SOAK_NOTIFY_METHOD);
	if (ret) {
		soak_fail(s, ret, "the listener's bind");
		close(fd);
		goto out;
	}
	/* What the M4 sent before the binding was nobody's. */
	h7emu_sent_range(l->emu, &l->cursor, &next);
	l->cursor = l->start = next;
	l->last_sent_ns = h7emu_now_ns();
	while (!s->stop) {
		r = ep_read_msg(fd, buf, EP_MSG_MAX, 100);
		if (r == -ETIMEDOUT)
			continue;
		if (r == -EOVERFLOW) {	/* counted: rx_queue_drops */
			l->t.overflows++;
			continue;
		}
		if (r < 0) {
			soak_fail(s, -r, "read() of the listener");
			break;
		}
		got(l, buf, r);
	}
	/*
	 * Half a second more (the M4 never stops sending); then what was
	 * sent a second before the end and not read is lost.
	 */
	end_ns = h7emu_now_ns() + 500000000ull;
	while (h7emu_now_ns() < end_ns)
		if ((r = ep_read_msg(fd, buf, EP_MSG_MAX, 100)) > 0)
			got(l, buf, r);
	for (h7emu_sent_range(l->emu, &next, &next); l->cursor < next;) {
		uint64_t t;

		if (ours(l, l->cursor, &t) && t + 1000000000ull > end_ns)
			break;
		lost_until(l, l->cursor + 1, h7emu_now_ns());
	}
	close(fd);
	soak_totals_add(s, &l->t);
out:
	free(buf);
	if (l)
		free(l->seen);
	free(l);
	return NULL;
}
