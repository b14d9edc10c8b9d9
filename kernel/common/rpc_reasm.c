// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The stream reassembler; the contract is in m4rpc_reasm.h.
 *
 * Bytes come from two places: the bytes of a failed candidate that wait to
 * be scanned again ("replay", already in the buffer, taken first) and the
 * caller's input. A candidate always lies in the buffer at buf[start..]:
 * replayed bytes are there already, input bytes are copied behind them
 * (replay is empty by then, so the candidate stays contiguous). Until its
 * head is known valid a candidate is scanned one byte at a time, so that it
 * fails at the first byte that cannot belong to a message head and no more
 * than that is scanned again; then in bulk. Each failure consumes one byte
 * for good (the candidate's first, as raw), so scanning always progresses.
 */
#include "rpc_reasm.h"

void m4rpc_reasm_init(struct m4rpc_reasm *r, u8 *buf, size_t cap,
		      size_t skip_max)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap;
	r->skip_max = skip_max < cap ? cap : skip_max;
	m4rpc_mp_scan_init(&r->scan);
}

bool m4rpc_reasm_busy(const struct m4rpc_reasm *r)
{
	return r->open || r->end > r->start;
}

/* Nothing is left to scan again: the buffer starts afresh. */
static void m4rpc_reasm_replay_gone(struct m4rpc_reasm *r)
{
	r->start = 0;
	r->end = 0;
	r->nrmarks = 0;
	r->rmarks_more = false;
}

static void m4rpc_reasm_close(struct m4rpc_reasm *r)
{
	r->open = false;
	r->head_ok = false;
	r->dropping = false;
	r->suspect = false;
	r->held = false;
	r->nmarks = 0;
	r->marks_more = false;
	r->dropped = 0;
	r->cand = 0;
	if (r->start == r->end)
		m4rpc_reasm_replay_gone(r);
	m4rpc_mp_scan_init(&r->scan);
}

/*
 * The candidate's first @n bytes leave (as a raw byte or a message); its
 * possible holes behind them lie in bytes scanned again: keep them.
 */
static void m4rpc_reasm_carry_marks(struct m4rpc_reasm *r, size_t n)
{
	unsigned int i;

	r->nrmarks = 0;
	for (i = 0; i < r->nmarks; i++)
		if (r->marks[i] > n)
			r->rmarks[r->nrmarks++] = r->start + r->marks[i];
	if (n == 1)
		r->rmarks_more |= r->marks_more;
}

/* A candidate opens at buf[start], in bytes scanned again: its holes. */
static void m4rpc_reasm_take_marks(struct m4rpc_reasm *r)
{
	unsigned int i;

	for (i = 0; i < r->nrmarks; i++)
		if (r->rmarks[i] > r->start)
			r->marks[r->nmarks++] = r->rmarks[i] - r->start;
	r->marks_more = r->rmarks_more;
	r->suspect = r->nmarks || r->marks_more;
}

/* Does the complete candidate span a possible hole? */
static bool m4rpc_reasm_spans_mark(const struct m4rpc_reasm *r)
{
	unsigned int i;

	for (i = 0; i < r->nmarks; i++)
		if (r->marks[i] && r->marks[i] < r->cand)
			return true;
	return r->marks_more;
}

size_t m4rpc_reasm_reset(struct m4rpc_reasm *r)
{
	size_t n = r->end - r->start;

	if (r->dropping)
		n += r->dropped;
	if (r->held)
		r->suspects++;
	r->lost_bytes += n;
	m4rpc_reasm_replay_gone(r);
	m4rpc_reasm_close(r);
	return n;
}

/* The candidate was no message: its first byte is raw, rescan the rest. */
static enum m4rpc_reasm_event m4rpc_reasm_junk(struct m4rpc_reasm *r,
					       struct m4rpc_reasm_out *out)
{
	out->data = r->buf + r->start;
	out->len = 1;
	m4rpc_reasm_carry_marks(r, 1);
	r->start++;
	r->junk++;
	r->raw_bytes++;
	m4rpc_reasm_close(r);
	return M4RPC_REASM_RAW;
}

static enum m4rpc_reasm_event m4rpc_reasm_emit(struct m4rpc_reasm *r,
					       struct m4rpc_reasm_out *out)
{
	out->data = r->buf + r->start;
	out->len = r->cand;
	m4rpc_reasm_carry_marks(r, r->cand);
	r->start += r->cand;
	r->msgs++;
	m4rpc_reasm_close(r);
	return M4RPC_REASM_MSG;
}

static enum m4rpc_reasm_event m4rpc_reasm_suspect(struct m4rpc_reasm *r,
						  struct m4rpc_reasm_out *out)
{
	out->data = r->buf + r->start;
	out->len = r->cand;
	m4rpc_reasm_carry_marks(r, r->cand);
	r->start += r->cand;
	r->suspects++;
	m4rpc_reasm_close(r);
	return M4RPC_REASM_SUSPECT;
}

/*
 * Do its bytes at a possible hole hold the whole head of another message
 * (within M4RPC_REASM_MARK_HEAD bytes)? A byte or two that merely could
 * start one prove nothing: a message's own values end in 0x93 or 0x94.
 */
static bool m4rpc_reasm_head_at_mark(const struct m4rpc_reasm *r)
{
	const u8 *c = r->buf + r->start;
	unsigned int i;
	size_t m, n;

	for (i = 0; i < r->nmarks; i++) {
		m = r->marks[i];
		if (!m || m >= r->cand)
			continue;
		n = r->cand - m;
		if (n > M4RPC_REASM_MARK_HEAD)
			n = M4RPC_REASM_MARK_HEAD;
		if (m4rpc_mp_rpc_head_check(c + m, n) == 1)
			return true;
	}
	return false;
}

/* A complete candidate: delivered, or held while it is suspect. */
static enum m4rpc_reasm_event m4rpc_reasm_done(struct m4rpc_reasm *r,
					       struct m4rpc_reasm_out *out)
{
	if (!r->suspect || !m4rpc_reasm_spans_mark(r))
		return m4rpc_reasm_emit(r, out);
	if (m4rpc_reasm_head_at_mark(r))
		return m4rpc_reasm_suspect(r, out);
	r->held = true;
	return M4RPC_REASM_NONE;
}

/*
 * What follows a held message decides, once M4RPC_REASM_FOLLOW bytes of it
 * (or a whole head) are there: a valid message head (@head 1, or 0 when the
 * head is longer than that), or not (@head < 0). The follower's bytes stay
 * behind it in the buffer, to be scanned as usual.
 */
static enum m4rpc_reasm_event m4rpc_reasm_follow(struct m4rpc_reasm *r,
						 int head,
						 struct m4rpc_reasm_out *out)
{
	if (head >= 0)
		return m4rpc_reasm_emit(r, out);
	return m4rpc_reasm_suspect(r, out);
}

void m4rpc_reasm_hole_possible(struct m4rpc_reasm *r)
{
	if (!r->open || r->dropping)
		return;
	r->suspect = true;
	if (r->nmarks < M4RPC_REASM_MARKS)
		r->marks[r->nmarks++] = r->cand;
	else
		r->marks_more = true;
}

enum m4rpc_reasm_event m4rpc_reasm_drained(struct m4rpc_reasm *r,
					   struct m4rpc_reasm_out *out)
{
	out->data = NULL;
	out->len = 0;
	if (r->held)
		return m4rpc_reasm_emit(r, out);
	if (!r->open)
		return M4RPC_REASM_NONE;
	/* Its head tells whose it was; the bytes stay until the next feed. */
	out->data = r->dropping ? NULL : r->buf + r->start;
	out->len = r->dropping ? r->dropped : r->cand;
	r->cuts++;
	r->lost_bytes += out->len;
	m4rpc_reasm_replay_gone(r);
	m4rpc_reasm_close(r);
	return M4RPC_REASM_CUT;
}

static enum m4rpc_reasm_event m4rpc_reasm_drop_end(struct m4rpc_reasm *r,
						   struct m4rpc_reasm_out *out,
					       bool giveup)
{
	out->data = NULL;
	out->len = r->dropped;
	r->oversize++;
	if (giveup)
		r->giveups++;
	m4rpc_reasm_close(r);
	return M4RPC_REASM_OVERSIZE;
}

/* Make room for @n more candidate bytes behind buf[start + cand]. */
static void m4rpc_reasm_room(struct m4rpc_reasm *r, size_t n)
{
	if (r->start + r->cand + n <= r->cap)
		return;
	memmove(r->buf, r->buf + r->start, r->cand);
	r->start = 0;
	r->end = r->cand;
}

/*
 * One byte of a candidate whose head is not complete yet: @b is
 * buf[start + cand] already (replay) or is stored there first (input).
 */
static enum m4rpc_reasm_event m4rpc_reasm_head_byte(struct m4rpc_reasm *r, u8 b,
						    bool from_input, size_t *used,
						struct m4rpc_reasm_out *out)
{
	size_t n;
	int rc, h;

	if (r->cand == r->cap)
		return m4rpc_reasm_junk(r, out);	/* head longer than any message */
	if (from_input) {
		m4rpc_reasm_room(r, 1);
		r->buf[r->start + r->cand] = b;
		r->end = r->start + r->cand + 1;
		(*used)++;
	}
	r->cand++;
	rc = m4rpc_mp_scan_feed(&r->scan, &b, 1, &n);
	if (rc < 0)
		return m4rpc_reasm_junk(r, out);
	h = m4rpc_mp_rpc_head_check(r->buf + r->start, r->cand);
	if (h < 0)
		return m4rpc_reasm_junk(r, out);
	r->head_ok = h == 1;
	if (rc == M4RPC_MP_SCAN_DONE)
		return r->head_ok ? m4rpc_reasm_done(r, out) :
				    m4rpc_reasm_junk(r, out);
	return M4RPC_REASM_NONE;
}

/* Bytes of a candidate with a valid head, kept (at most up to @cap). */
static enum m4rpc_reasm_event m4rpc_reasm_body(struct m4rpc_reasm *r,
					       const u8 *src, size_t n,
					   bool from_input, size_t *used,
					   struct m4rpc_reasm_out *out)
{
	size_t u;
	int rc;

	if (r->cand == r->cap) {
		/* Too long to keep: follow it to its end, keeping nothing. */
		r->dropping = true;
		r->dropped = r->cand;
		m4rpc_reasm_replay_gone(r);
		r->cand = 0;
		return M4RPC_REASM_NONE;
	}
	if (n > r->cap - r->cand)
		n = r->cap - r->cand;
	rc = m4rpc_mp_scan_feed(&r->scan, src, n, &u);
	if (from_input) {
		m4rpc_reasm_room(r, u);
		memcpy(r->buf + r->start + r->cand, src, u);
		r->end = r->start + r->cand + u;
		*used += u;
	}
	r->cand += u;
	if (rc < 0)
		return m4rpc_reasm_junk(r, out);
	if (rc == M4RPC_MP_SCAN_DONE)
		return m4rpc_reasm_done(r, out);
	return M4RPC_REASM_NONE;
}

/* Input bytes of an oversize candidate: counted, not kept. */
static enum m4rpc_reasm_event m4rpc_reasm_skip(struct m4rpc_reasm *r,
					       const u8 *src, size_t n,
					   size_t *used,
					   struct m4rpc_reasm_out *out)
{
	size_t u;
	int rc;

	if (n > r->skip_max - r->dropped)
		n = r->skip_max - r->dropped;
	rc = m4rpc_mp_scan_feed(&r->scan, src, n, &u);
	*used += u;
	r->dropped += u;
	/* Ended, or invalid after all: either way it is dropped whole. */
	if (rc != M4RPC_MP_SCAN_MORE)
		return m4rpc_reasm_drop_end(r, out, false);
	if (r->dropped >= r->skip_max)
		return m4rpc_reasm_drop_end(r, out, true);
	return M4RPC_REASM_NONE;
}

enum m4rpc_reasm_event m4rpc_reasm_feed(struct m4rpc_reasm *r, const u8 *data,
					size_t len, size_t *used,
				    struct m4rpc_reasm_out *out)
{
	enum m4rpc_reasm_event ev;
	const u8 *src;
	bool from_input;
	size_t n, k;

	*used = 0;
	out->data = NULL;
	out->len = 0;
	for (;;) {
		if (r->held) {
			/* Its follower: replayed bytes, then input behind them. */
			size_t fs = r->start + r->cand;
			int h = m4rpc_mp_rpc_head_check(r->buf + fs, r->end - fs);

			if (h == 0 && r->end - fs < M4RPC_REASM_FOLLOW) {
				if (*used == len)
					return M4RPC_REASM_NONE;  /* wait for more */
				if (r->end == r->cap)
					return m4rpc_reasm_follow(r, 0, out);
				r->buf[r->end++] = data[(*used)++];
				continue;
			}
			return m4rpc_reasm_follow(r, h, out);
		}
		if (r->start + r->cand < r->end) {
			src = r->buf + r->start + r->cand;
			n = r->end - r->start - r->cand;
			from_input = false;
		} else if (*used < len) {
			src = data + *used;
			n = len - *used;
			from_input = true;
		} else {
			return M4RPC_REASM_NONE;
		}

		if (!r->open) {
			/* A run of bytes that cannot start a message: raw. */
			for (k = 0; k < n && !m4rpc_mp_rpc_can_start(src[k]); k++)
				;
			if (k) {
				out->data = src;
				out->len = k;
				r->raw_bytes += k;
				if (from_input)
					*used += k;
				else
					r->start += k;
				if (r->start == r->end)
					m4rpc_reasm_replay_gone(r);
				return M4RPC_REASM_RAW;
			}
			r->open = true;
			if (from_input) {
				r->nrmarks = 0;	/* no bytes to scan again */
				r->rmarks_more = false;
			} else {
				m4rpc_reasm_take_marks(r);
			}
		}

		if (r->dropping)	/* replay is empty while dropping */
			ev = m4rpc_reasm_skip(r, src, n, used, out);
		else if (!r->head_ok)
			ev = m4rpc_reasm_head_byte(r, src[0], from_input, used,
						   out);
		else
			ev = m4rpc_reasm_body(r, src, n, from_input, used, out);
		if (ev != M4RPC_REASM_NONE)
			return ev;
	}
}
