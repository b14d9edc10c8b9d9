// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The UI stream splitter; the contract is in mpack_split.h.
 *
 * The buffer holds the candidate message at buf[0..len) and, after a false
 * start, the bytes still to be scanned again at buf[rescan_off..+rescan_len),
 * with rescan_off >= len at all times: bytes taken from the rescan region
 * move down to the candidate's end (memmove), so the gap between the two
 * stays as wide as it was. Input is taken from the rescan region first, then
 * from the caller's slice.
 */
#include "mpack_split.h"

int mpack_split_init(struct mpack_split *sp, u8 *buf, size_t cap)
{
	if (cap < MPACK_SPLIT_MIN_CAP || cap > MPACK_LEN_MAX)
		return -EINVAL;
	memset(sp, 0, sizeof(*sp));
	mpack_scan_init(&sp->scan);
	sp->buf = buf;
	sp->cap = cap;
	return 0;
}

static void split_restart(struct mpack_split *sp)
{
	mpack_scan_init(&sp->scan);
	sp->len = 0;
	sp->head_ok = false;
}

static void split_take(struct mpack_split *sp, bool internal, const u8 **data,
		       size_t *len, size_t n)
{
	if (internal) {
		sp->rescan_off += n;
		sp->rescan_len -= n;
	} else {
		*data += n;
		*len -= n;
	}
}

/*
 * The candidate started with a raw byte: hand that byte back and queue the
 * candidate's other bytes, ahead of any still waiting, to be scanned again.
 */
static enum mpack_split_event split_false_start(struct mpack_split *sp,
						struct mpack_split_out *out)
{
	sp->raw = sp->buf[0];
	memmove(sp->buf + sp->len, sp->buf + sp->rescan_off, sp->rescan_len);
	sp->rescan_off = 1;
	sp->rescan_len += sp->len - 1;
	split_restart(sp);
	out->data = &sp->raw;
	out->len = 1;
	return MPACK_SPLIT_RAW;
}

/* Skip the rest of a message too long for the buffer. */
static enum mpack_split_event split_skip(struct mpack_split *sp, bool internal,
					 const u8 **data, size_t *len,
					 const u8 *src, size_t n,
					 struct mpack_split_out *out)
{
	size_t used;
	int rc;

	rc = mpack_scan_feed(&sp->scan, src, n, &used);
	split_take(sp, internal, data, len, used);
	sp->dropped += used;
	if (rc == MPACK_SCAN_MORE)
		return MPACK_SPLIT_MORE;
	/* Its end, or bytes that cannot be msgpack (the skip ends there). */
	sp->skipping = false;
	split_restart(sp);
	out->data = NULL;
	out->len = sp->dropped;
	sp->dropped = 0;
	return MPACK_SPLIT_DROPPED;
}

enum mpack_split_event mpack_split_next(struct mpack_split *sp,
					const u8 **data, size_t *len,
					struct mpack_split_out *out)
{
	const u8 *src;
	size_t n, used, i;
	bool internal;
	int rc, h;

	memset(out, 0, sizeof(*out));
	if (sp->emitted) {
		sp->emitted = false;
		split_restart(sp);
	}
	for (;;) {
		internal = sp->rescan_len > 0;
		src = internal ? sp->buf + sp->rescan_off : *data;
		n = internal ? sp->rescan_len : *len;
		if (!n)
			return MPACK_SPLIT_MORE;

		if (sp->skipping) {
			if (split_skip(sp, internal, data, len, src, n, out) ==
			    MPACK_SPLIT_DROPPED)
				return MPACK_SPLIT_DROPPED;
			continue;
		}

		/* Between messages: a run of bytes no message starts with. */
		if (!sp->len) {
			for (i = 0; i < n && !mpack_rpc_can_start(src[i]); i++)
				;
			if (i) {
				split_take(sp, internal, data, len, i);
				out->data = src;
				out->len = i;
				return MPACK_SPLIT_RAW;
			}
		}

		/* Never take more than the buffer can keep. */
		if (n > sp->cap - sp->len)
			n = sp->cap - sp->len;
		rc = mpack_scan_feed(&sp->scan, src, n, &used);
		memmove(sp->buf + sp->len, src, used);
		sp->len += used;
		split_take(sp, internal, data, len, used);

		if (rc >= 0 && !sp->head_ok) {
			h = mpack_rpc_head_check(sp->buf, sp->len);
			if (h < 0)
				rc = h;
			sp->head_ok = h == 1;
		}
		if (rc == MPACK_SCAN_DONE &&
		    mpack_rpc_parse(sp->buf, sp->len, &out->env))
			rc = -EBADMSG;
		if (rc == MPACK_SCAN_DONE) {
			sp->emitted = true;
			out->data = sp->buf;
			out->len = sp->len;
			return MPACK_SPLIT_MSG;
		}
		if (rc < 0)
			return split_false_start(sp, out);
		if (sp->len < sp->cap)
			continue;
		/*
		 * The buffer is full and the object goes on. With a valid head
		 * it is taken for a message too long to keep; without one, for
		 * a false start (a head longer than the buffer is not one the
		 * M4 sends).
		 */
		if (!sp->head_ok)
			return split_false_start(sp, out);
		sp->skipping = true;
		sp->dropped = sp->len;
		sp->len = 0;
	}
}

size_t mpack_split_hole(struct mpack_split *sp)
{
	size_t lost = sp->dropped + sp->rescan_len;

	if (!sp->emitted)
		lost += sp->len;
	sp->emitted = false;
	sp->skipping = false;
	sp->dropped = 0;
	sp->rescan_off = 0;
	sp->rescan_len = 0;
	split_restart(sp);
	return lost;
}
