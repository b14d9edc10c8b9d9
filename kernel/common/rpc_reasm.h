/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The M4-to-Linux stream reassembler: UI bytes in, as the link delivers them
 * (chunks of any size that split messages anywhere, raw-endpoint bytes
 * mixed in), whole msgpack-rpc messages and raw bytes out. Pure C, no
 * allocation: the caller lends one buffer of the largest message it keeps.
 * Compiled into m4rpc.ko (the /dev/m4rpcN endpoints) and the host tests.
 *
 * What is a message: a byte that can start one (m4rpc_mp_rpc_can_start():
 * 0x93, 0x94) opens a candidate; it stays one while its bytes are a valid
 * message head (m4rpc_mp_rpc_head_check()) and then a valid msgpack object
 * (m4rpc_mp_scan_feed()), and is a message when that object is complete. A
 * candidate that fails was not a message: its first byte is a raw byte and
 * the bytes after it are scanned again (they may hold a message). So raw
 * bytes never corrupt a message, and every byte of the stream comes out
 * exactly once, as part of a message or as a raw byte, except:
 *
 *  - oversize: a candidate with a valid head that grows past @cap bytes is
 *    dropped whole: it is scanned to its end without being kept, and
 *    reported once (M4RPC_REASM_OVERSIZE) with its length. A candidate whose
 *    head alone (a method name of several KiB) passes @cap cannot be a
 *    message within @cap, and is taken for raw bytes like any other failed
 *    candidate;
 *  - give-up: an oversize candidate that still goes on after @skip_max
 *    bytes (a length field of up to 4 GiB in what was junk) is abandoned:
 *    reported like an oversize message, the bytes after it are scanned
 *    afresh. Bounds how much of the stream one bad length can swallow;
 *  - holes: m4rpc_reasm_reset() when bytes of the stream were lost discards
 *    the open candidate and the bytes waiting to be scanned again.
 *
 * Usage:
 *
 *	for (;;) {
 *		ev = m4rpc_reasm_feed(r, data, len, &used, &out);
 *		data += used;
 *		len -= used;
 *		if (ev == M4RPC_REASM_NONE)
 *			break;		// all of data taken, nothing pending
 *		handle(ev, out.data, out.len);
 *	}
 *
 * out.data points into the caller's data or into the lent buffer and is
 * valid until the next call. Not thread-safe: one caller at a time.
 */
#ifndef M4RPC_REASM_H
#define M4RPC_REASM_H

#include "m4rpc_types.h"
#include "mpack_scan.h"

/* m4rpc_reasm_feed() results */
enum m4rpc_reasm_event {
	M4RPC_REASM_NONE,		/* all input taken, nothing more to report */
	M4RPC_REASM_MSG,		/* out: one whole message */
	M4RPC_REASM_RAW,		/* out: raw bytes (one or more) */
	M4RPC_REASM_OVERSIZE,	/* a message was dropped; out.len its length */
};

struct m4rpc_reasm_out {
	const u8 *data;		/* NULL for M4RPC_REASM_OVERSIZE */
	size_t len;
};

struct m4rpc_reasm {
	struct m4rpc_mp_scan scan;
	u8 *buf;		/* lent by the caller, @cap bytes */
	size_t cap;		/* longest message kept */
	size_t skip_max;	/* longest oversize candidate followed */
	/*
	 * buf[start, start + cand) is the open candidate,
	 * buf[start + cand, end) bytes to scan again before any new input.
	 */
	size_t start, cand, end;
	bool open;		/* a candidate is open */
	bool head_ok;		/* ... and its head is complete and valid */
	bool dropping;		/* ... and past @cap: scanned, not kept */
	size_t dropped;		/* its length so far, when dropping */
	/* Counters, for the caller's statistics and tests. */
	u64 msgs;		/* M4RPC_REASM_MSG */
	u64 raw_bytes;		/* bytes in M4RPC_REASM_RAW */
	u64 oversize;		/* M4RPC_REASM_OVERSIZE, give-ups included */
	u64 giveups;		/* ... of them abandoned after skip_max */
	u64 junk;		/* candidates that turned out raw */
	u64 lost_bytes;		/* discarded by m4rpc_reasm_reset() */
};

/*
 * @buf of @cap bytes (at least 16) holds the message being reassembled;
 * @skip_max (at least @cap) bounds an oversize candidate.
 */
void m4rpc_reasm_init(struct m4rpc_reasm *r, u8 *buf, size_t cap,
		      size_t skip_max);

/*
 * Take bytes from @data[0..@len) and report the next event; *@used is the
 * number of bytes taken (possibly 0 when the event comes from bytes taken
 * earlier). See the usage above.
 */
enum m4rpc_reasm_event m4rpc_reasm_feed(struct m4rpc_reasm *r, const u8 *data,
					size_t len, size_t *used,
				    struct m4rpc_reasm_out *out);

/*
 * Bytes of the stream were lost here: forget the open candidate and the
 * bytes waiting to be scanned again. Returns how many bytes were discarded
 * (also added to lost_bytes; an oversize candidate counts what was seen).
 */
size_t m4rpc_reasm_reset(struct m4rpc_reasm *r);

/* Is a candidate open or are bytes waiting (a message may be partial)? */
bool m4rpc_reasm_busy(const struct m4rpc_reasm *r);

#endif /* M4RPC_REASM_H */
