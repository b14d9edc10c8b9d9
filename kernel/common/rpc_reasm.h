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
 *    the open candidate and the bytes waiting to be scanned again;
 *  - possible holes (the H7 drops bytes silently, docs/x8h7-link.md):
 *    after m4rpc_reasm_hole_possible(), the open candidate is suspect.
 *    When it completes it is held until what follows it is known: a valid
 *    message head (m4rpc_mp_rpc_head_check() over up to
 *    M4RPC_REASM_FOLLOW bytes) or the stream going idle
 *    (m4rpc_reasm_drained()) deliver it (M4RPC_REASM_MSG); anything else
 *    means it was completed with bytes from behind a hole, and it is
 *    dropped (M4RPC_REASM_SUSPECT, out: its bytes, for the caller to tell
 *    whom it was for). So is one whose bytes at a possible hole hold a
 *    whole message head: what came after the hole was the next message, taken
 *    for the rest of this one. A candidate that fails keeps its possible
 *    holes for the bytes scanned again, so a message found among them is
 *    suspect when it spans one. Cost: an intact message followed at once by
 *    raw bytes, or whose own bytes at a chunk boundary read as a message
 *    head, is dropped too. Blind spot: bytes lost from inside a message
 *    that is completed, by chance, just before bytes that read as a
 *    message head, with no head at the hole;
 *  - cut: a candidate still open when the stream goes idle
 *    (m4rpc_reasm_drained()) lost its end: dropped (M4RPC_REASM_CUT, out:
 *    its bytes so far, data NULL when it was oversize), so that it never
 *    swallows the next message.
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

/* Bytes of what follows a held message that decide on it. */
#define M4RPC_REASM_FOLLOW	8
/* Possible holes remembered inside one message ... */
#define M4RPC_REASM_MARKS	4
/* ... and how far a head is looked for at each. */
#define M4RPC_REASM_MARK_HEAD	16

/* m4rpc_reasm_feed() results */
enum m4rpc_reasm_event {
	M4RPC_REASM_NONE,		/* all input taken, nothing more to report */
	M4RPC_REASM_MSG,		/* out: one whole message */
	M4RPC_REASM_RAW,		/* out: raw bytes (one or more) */
	M4RPC_REASM_OVERSIZE,	/* a message was dropped; out.len its length */
	M4RPC_REASM_SUSPECT,	/* out: a message that may span a hole, dropped */
	M4RPC_REASM_CUT,	/* a message without its end: out, its bytes */
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
	bool suspect;		/* ... and a hole may lie inside it */
	bool held;		/* ... complete, its follower not seen yet */
	/* Where in it the possible holes are (the first M4RPC_REASM_MARKS). */
	size_t marks[M4RPC_REASM_MARKS];
	unsigned int nmarks;
	bool marks_more;	/* ... and more than those */
	/*
	 * The possible holes in the bytes to scan again (buffer offsets),
	 * left by a candidate that failed or ended before them: a message
	 * found there that spans one is suspect too.
	 */
	size_t rmarks[M4RPC_REASM_MARKS];
	unsigned int nrmarks;
	bool rmarks_more;	/* ... and more, somewhere in those bytes */
	size_t dropped;		/* its length so far, when dropping */
	/* Counters, for the caller's statistics and tests. */
	u64 msgs;		/* M4RPC_REASM_MSG */
	u64 raw_bytes;		/* bytes in M4RPC_REASM_RAW */
	u64 oversize;		/* M4RPC_REASM_OVERSIZE, give-ups included */
	u64 giveups;		/* ... of them abandoned after skip_max */
	u64 junk;		/* candidates that turned out raw */
	u64 lost_bytes;		/* discarded by m4rpc_reasm_reset() */
	u64 suspects;		/* M4RPC_REASM_SUSPECT, and held ones reset */
	u64 cuts;		/* M4RPC_REASM_CUT */
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

/* A hole may be here (link.h, ui_mark): see "possible holes". */
void m4rpc_reasm_hole_possible(struct m4rpc_reasm *r);

/*
 * The stream is idle here (the H7's ring was empty): a held message is
 * delivered (M4RPC_REASM_MSG), an open candidate dropped (M4RPC_REASM_CUT);
 * M4RPC_REASM_NONE when neither. Call after feeding all input.
 */
enum m4rpc_reasm_event m4rpc_reasm_drained(struct m4rpc_reasm *r,
					   struct m4rpc_reasm_out *out);

/* Is a candidate open or are bytes waiting (a message may be partial)? */
bool m4rpc_reasm_busy(const struct m4rpc_reasm *r);

#endif /* M4RPC_REASM_H */
