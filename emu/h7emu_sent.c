// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The sent log: every message the M4 put into the H7's ring, whole, with a
 * sequence number, so that a test can hold what applications received
 * against what was sent. Bounded (h7emu.h: H7EMU_SENT_LOG_MSGS records,
 * H7EMU_SENT_LOG_BYTES bytes); past the bound the oldest records go, and
 * each one dropped is counted in sent_dropped.
 */
#include "h7emu_priv.h"

static void sent_drop_oldest(struct h7emu_sent_log *l)
{
	const struct h7emu_sent *r = &l->rec[l->head];

	l->bytes -= r->kept;
	l->byte_head = (l->byte_head + r->kept) % H7EMU_SENT_LOG_BYTES;
	l->head = (l->head + 1) % H7EMU_SENT_LOG_MSGS;
	l->count--;
	l->first_seq++;
}

void h7emu__sent_add(struct h7emu *e, bool raw, const u8 *p, size_t n)
{
	struct h7emu_sent_log *l = &e->sent;
	struct h7emu_sent *r;
	size_t kept = n < H7EMU_SENT_DATA_MAX ? n : H7EMU_SENT_DATA_MAX;
	size_t pos, first;

	while (l->count == H7EMU_SENT_LOG_MSGS ||
	       l->bytes + kept > H7EMU_SENT_LOG_BYTES) {
		sent_drop_oldest(l);
		e->st.sent_dropped++;
	}
	r = &l->rec[(l->head + l->count) % H7EMU_SENT_LOG_MSGS];
	r->seq = l->first_seq + l->count;
	r->t_ns = e->m4_now;
	r->stream_pos = e->st.ring_bytes_in;
	r->len = n > UINT32_MAX ? UINT32_MAX : n;
	r->kept = kept;
	r->raw = raw;
	pos = (l->byte_head + l->bytes) % H7EMU_SENT_LOG_BYTES;
	first = H7EMU_SENT_LOG_BYTES - pos < kept ?
		H7EMU_SENT_LOG_BYTES - pos : kept;
	memcpy(l->data + pos, p, first);
	memcpy(l->data, p + first, kept - first);
	r->data_pos = pos;
	l->bytes += kept;
	l->count++;
	e->st.sent_logged++;
}

/* The record of @seq, or NULL (-ENOENT: not sent yet, -ESTALE: dropped). */
static const struct h7emu_sent *sent_find(struct h7emu *e, u64 seq, int *err)
{
	const struct h7emu_sent_log *l = &e->sent;

	if (seq < l->first_seq) {
		*err = -ESTALE;
		return NULL;
	}
	if (seq >= l->first_seq + l->count) {
		*err = -ENOENT;
		return NULL;
	}
	return &l->rec[(l->head + (seq - l->first_seq)) % H7EMU_SENT_LOG_MSGS];
}

static void sent_copy(const struct h7emu_sent_log *l,
		      const struct h7emu_sent *r, u8 *out, size_t n)
{
	size_t first = H7EMU_SENT_LOG_BYTES - r->data_pos;

	if (first > n)
		first = n;
	memcpy(out, l->data + r->data_pos, first);
	memcpy(out + first, l->data, n - first);
}

ssize_t h7emu_sent_get(struct h7emu *e, uint64_t seq, struct h7emu_sent *rec,
		       void *buf, size_t cap)
{
	const struct h7emu_sent *r;
	ssize_t n;
	int err;

	pthread_mutex_lock(&e->lock);
	r = sent_find(e, seq, &err);
	if (!r) {
		pthread_mutex_unlock(&e->lock);
		return err;
	}
	if (rec)
		*rec = *r;
	n = r->kept < cap ? r->kept : cap;
	if (buf && n)
		sent_copy(&e->sent, r, buf, n);
	pthread_mutex_unlock(&e->lock);
	return buf ? n : 0;
}

void h7emu_sent_range(struct h7emu *e, uint64_t *first, uint64_t *next)
{
	pthread_mutex_lock(&e->lock);
	if (first)
		*first = e->sent.first_seq;
	if (next)
		*next = e->sent.first_seq + e->sent.count;
	pthread_mutex_unlock(&e->lock);
}

void h7emu_sent_clear(struct h7emu *e)
{
	pthread_mutex_lock(&e->lock);
	while (e->sent.count)
		sent_drop_oldest(&e->sent);
	pthread_mutex_unlock(&e->lock);
}

int h7emu_sent_compare(struct h7emu *e, uint64_t seq, const void *got,
		       size_t n)
{
	const struct h7emu_sent *r;
	u8 *tmp = NULL;
	int err, v;

	pthread_mutex_lock(&e->lock);
	r = sent_find(e, seq, &err);
	if (!r) {
		pthread_mutex_unlock(&e->lock);
		return err;
	}
	v = H7EMU_SENT_DAMAGED;
	if (n == r->len && r->kept == r->len) {
		tmp = malloc(r->kept ? r->kept : 1);
		if (!tmp) {
			pthread_mutex_unlock(&e->lock);
			return -ENOMEM;
		}
		sent_copy(&e->sent, r, tmp, r->kept);
		if (!memcmp(tmp, got, n))
			v = H7EMU_SENT_INTACT;
	}
	pthread_mutex_unlock(&e->lock);
	free(tmp);
	return v;
}

int h7emu_sent_find(struct h7emu *e, uint64_t from, const void *msg, size_t n,
		    uint64_t *seq)
{
	const struct h7emu_sent_log *l = &e->sent;
	u8 *tmp = malloc(n ? n : 1);
	u64 s;
	int r = -ENOENT;

	if (!tmp)
		return -ENOMEM;
	pthread_mutex_lock(&e->lock);
	s = from > l->first_seq ? from : l->first_seq;
	for (; s < l->first_seq + l->count; s++) {
		const struct h7emu_sent *rec =
			&l->rec[(l->head + (s - l->first_seq)) %
				H7EMU_SENT_LOG_MSGS];

		if (rec->len != n || rec->kept != n)
			continue;
		sent_copy(l, rec, tmp, n);
		if (!memcmp(tmp, msg, n)) {
			if (seq)
				*seq = s;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&e->lock);
	free(tmp);
	return r;
}
