/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Splitting the M4-to-Linux UI byte stream into msgpack-rpc messages.
 *
 * The H7 moves the M4's bytes to Linux in chunks of at most 128 bytes that
 * cut messages anywhere, and bytes of the M4's "raw" endpoint sit between
 * messages (shared spec x8h7-link.md, "Peripheral 0x0A"). This splitter takes
 * the stream in slices of any size and hands back, in stream order, every
 * whole message and every run of bytes that belongs to no message.
 *
 * How a message is told from raw bytes (see mpack_scan.h): a message starts
 * with 0x93 or 0x94 (mpack_rpc_can_start); its head must pass
 * mpack_rpc_head_check as it grows, and the complete object must pass
 * mpack_rpc_parse. A candidate that fails either started with a raw byte:
 * that byte is handed back as raw and scanning starts again at the next one,
 * with the bytes already buffered (nothing is lost by a false start).
 *
 * Pure C on the shared scanner, no allocation (the caller gives the buffer,
 * whose size is the largest message kept), written to the rules of
 * kernel/common/ so that it can move there when m4rpc.ko needs the same.
 *
 * What it cannot do: a message longer than the buffer is dropped whole
 * (MPACK_SPLIT_DROPPED; if its head was valid, everything up to its end as
 * the scanner sees it goes with it). After a gap in the stream (a lost
 * chunk, a rejected frame) the caller calls mpack_split_hole(), which drops
 * the message in progress: its bytes before and after the gap do not belong
 * together.
 */
#ifndef MPACK_SPLIT_H
#define MPACK_SPLIT_H

#include "m4rpc_types.h"
#include "mpack_scan.h"

/* Smallest buffer accepted: the longest head of a message with a short name. */
#define MPACK_SPLIT_MIN_CAP	32

/* mpack_split_next() results */
enum mpack_split_event {
	MPACK_SPLIT_MORE,	/* all input taken; feed more */
	MPACK_SPLIT_MSG,	/* a message: out->data, out->len, out->env */
	MPACK_SPLIT_RAW,	/* bytes of no message: out->data, out->len */
	/* a message longer than the buffer: out->len bytes gone, data NULL */
	MPACK_SPLIT_DROPPED,
};

struct mpack_split {
	struct mpack_scan scan;
	u8 *buf;		/* the caller's buffer, @cap bytes */
	size_t cap;
	size_t len;		/* the candidate message: buf[0..len) */
	/* bytes to scan again after a false start: buf[rescan_off..+len) */
	size_t rescan_off;
	size_t rescan_len;
	size_t dropped;		/* bytes of the message being skipped */
	bool head_ok;		/* the candidate's head passed head_check */
	bool skipping;		/* skipping a message longer than @cap */
	bool emitted;		/* buf holds the message last returned */
	u8 raw;			/* the false start's byte, handed back */
};

struct mpack_split_out {
	const u8 *data;		/* valid until the next call on the splitter */
	size_t len;
	struct mpack_rpc_env env;	/* MPACK_SPLIT_MSG: its envelope */
};

/*
 * Start on a fresh stream with @buf of @cap bytes (the largest message
 * kept). -EINVAL when @cap < MPACK_SPLIT_MIN_CAP or > MPACK_LEN_MAX.
 */
int mpack_split_init(struct mpack_split *sp, u8 *buf, size_t cap);

/*
 * Take bytes from *@data (*@len of them; *@data and *@len advance past what
 * is taken) until something is complete, and say what: one event per call.
 * Call again, with the same *@data and *@len, until MPACK_SPLIT_MORE, which
 * means every byte fed so far has been taken. Bytes of a message split over
 * several slices are kept in the buffer; the caller may reuse its slice once
 * MPACK_SPLIT_MORE was returned. @out->data points into the buffer or into
 * the caller's slice.
 */
enum mpack_split_event mpack_split_next(struct mpack_split *sp,
					const u8 **data, size_t *len,
					struct mpack_split_out *out);

/*
 * A gap in the stream after the bytes fed so far (call it once
 * mpack_split_next() returned MPACK_SPLIT_MORE): the message in progress
 * is dropped. Returns the number of its bytes that were dropped.
 */
size_t mpack_split_hole(struct mpack_split *sp);

#endif /* MPACK_SPLIT_H */
