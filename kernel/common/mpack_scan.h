/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A bounded, allocation-free msgpack scanner and the msgpack-rpc envelope
 * helpers built on it. Pure C, compiled into m4rpc.ko and into the host
 * tools and tests alike.
 *
 * The scanner finds where whole msgpack objects end in a byte stream fed in
 * slices of any size (the M4-to-Linux UI stream arrives in chunks of at most
 * 128 bytes that split messages anywhere). It keeps no bytes itself: payloads
 * (str, bin, ext, numbers) are skipped by counting, so any length is fine; the
 * caller buffers what it keeps and enforces its own maximum message size.
 * Containers may nest at most M4RPC_MP_SCAN_DEPTH deep.
 *
 * The envelope helpers work on one complete message in a buffer.
 *
 * What the M4 sends (docs/x8h7-link.md, "The M4 side"): the Arduino RPC
 * library packs with msgpack-c, which always picks the shortest encoding, so
 * a request [0, msgid, "name", [args]] or a response [1, msgid, error, result]
 * starts with fixarray 0x94 and a notification [2, "name", [args]] (also
 * every Serial.write() on the X8) with fixarray 0x93; array16 (0xdc) never
 * occurs for 3 or 4 elements, and the M4's own decoder expects the fixarray
 * byte. Bytes of the "raw" endpoint (RPC.write()/print()) are mostly ASCII,
 * below 0x80, so they cannot be taken for the start of a message, but binary
 * raw bytes can: m4rpc_mp_rpc_head_check() lets the caller find out within a
 * dozen bytes that a 0x93/0x94 was raw after all.
 */
#ifndef M4RPC_MP_SCAN_H
#define M4RPC_MP_SCAN_H

#include "m4rpc_types.h"

/* Containers (array, map) nested in each other, the outermost counting 1. */
#define M4RPC_MP_SCAN_DEPTH	32

/* Largest buffer length the buffer helpers take (results are int). */
#define M4RPC_MP_LEN_MAX		0x7fffffff

/* m4rpc_mp_scan_feed() results; errors are negative errno values. */
#define M4RPC_MP_SCAN_MORE		0	/* all bytes taken, object not complete */
#define M4RPC_MP_SCAN_DONE		1	/* an object ended; see @used */

struct m4rpc_mp_scan {
	u64 skip;			/* payload bytes still to pass over */
	u64 left[M4RPC_MP_SCAN_DEPTH];	/* elements still due per open container */
	u32 lenval;			/* length or count being collected */
	u8 need;			/* its big-endian bytes still to come */
	u8 kind;			/* what it is the length of */
	u8 depth;			/* open containers */
	bool started;			/* inside an object */
	int err;			/* sticky error, until m4rpc_mp_scan_init() */
};

/* Make @s ready for the first byte of an object (also after an error). */
void m4rpc_mp_scan_init(struct m4rpc_mp_scan *s);

/* Is @s between objects (nothing of an object consumed yet)? */
bool m4rpc_mp_scan_idle(const struct m4rpc_mp_scan *s);

/*
 * Scan @len bytes at @data. Returns M4RPC_MP_SCAN_DONE when an object ended:
 * *@used is the number of bytes taken, the object's last byte being
 * data[*used - 1], and @s is idle again for the next one. Returns
 * M4RPC_MP_SCAN_MORE when all @len bytes were taken (*@used == @len) and the
 * object goes on. Errors, after which @s refuses everything (*@used 0) until
 * m4rpc_mp_scan_init(); *@used then counts the bytes up to and including the
 * offending one:
 *   -EBADMSG  byte 0xc1, which msgpack never uses
 *   -E2BIG    a container nested deeper than M4RPC_MP_SCAN_DEPTH (an empty one
 *             too), reported at its lead byte
 */
int m4rpc_mp_scan_feed(struct m4rpc_mp_scan *s, const u8 *data, size_t len,
		       size_t *used);

/*
 * Length of the one msgpack object at @buf if it is complete within @len
 * bytes (trailing bytes allowed), else -EAGAIN when it is cut short, or the
 * scanner's error. Lengths beyond M4RPC_MP_LEN_MAX give -EMSGSIZE.
 */
int m4rpc_mp_object_len(const u8 *buf, size_t len);

/* ---- msgpack-rpc envelopes -------------------------------------------- */

enum m4rpc_mp_rpc_type {
	M4RPC_MP_RPC_REQUEST = 0,		/* [0, msgid, method, params] */
	M4RPC_MP_RPC_RESPONSE = 1,		/* [1, msgid, error, result] */
	M4RPC_MP_RPC_NOTIFY = 2,		/* [2, method, params] */
};

/*
 * One message, as offsets into its buffer. Fields that do not apply to the
 * type are 0.
 */
struct m4rpc_mp_rpc_env {
	enum m4rpc_mp_rpc_type type;
	bool fixarray;		/* outer array is 0x93/0x94 (the M4 needs it) */
	u32 msgid;		/* request, response */
	size_t msgid_off;	/* its encoding, type byte included: */
	size_t msgid_len;	/* 1, 2, 3 or 5 bytes */
	size_t method_off;	/* request, notification: the name's bytes, */
	size_t method_len;	/* without the str header */
	size_t params_off;	/* request, notification: the params array */
	size_t params_len;
	size_t error_off;	/* response: the error object (0xc0 nil if none) */
	size_t error_len;
	size_t result_off;	/* response: the result object */
	size_t result_len;
};

/* Can @b be the first byte of a message from the M4 (0x93 or 0x94)? */
bool m4rpc_mp_rpc_can_start(u8 b);

/*
 * How far can @buf[0..@len) be the head of a message from the M4? The head
 * is the fixarray byte, the type, the msgid (request, response) and, for a
 * request or notification, the method name and the params array's first
 * byte. Returns 1 when the whole head is there and valid, 0 when it is valid
 * so far but incomplete, -EBADMSG as soon as it cannot be one. Monotone: a
 * longer prefix never turns -EBADMSG into anything else, nor 1 into 0.
 * Meant for resynchronising after raw bytes: a candidate message that fails
 * here started with a raw byte; its first byte is raw and scanning starts
 * again at the second.
 */
int m4rpc_mp_rpc_head_check(const u8 *buf, size_t len);

/*
 * The type and msgid of a request or response from its head alone (what
 * is left of a message that may span a hole: its head came before it).
 * Returns M4RPC_MP_RPC_REQUEST or _RESPONSE and sets *@msgid, or -EBADMSG.
 */
int m4rpc_mp_rpc_head_msgid(const u8 *buf, size_t len, u32 *msgid);

/*
 * Classify the one message @msg[0..@len): outer fixarray or array16 of 4
 * (type 0 or 1) or 3 (type 2) elements, type a positive fixint, msgid a
 * positive fixint or uint8/16/32, method a str (fixstr, str8/16/32), params
 * an array (fixarray, array16/32), error and result any object, and nothing
 * after the message. Returns 0 and fills @env; else @env is all zero and the
 * result is -EBADMSG for anything malformed, -E2BIG when it nests deeper than
 * M4RPC_MP_SCAN_DEPTH, -EMSGSIZE when @len > M4RPC_MP_LEN_MAX.
 */
int m4rpc_mp_rpc_parse(const u8 *msg, size_t len, struct m4rpc_mp_rpc_env *env);

/*
 * Where the payload of the first parameter of the request or notification
 * @msg[0..@len) (parsed into @env) lies, when it is a str or a bin: 0,
 * *@off and *@n (what the M4's Serial output carries, "tty"). -EBADMSG
 * for a response, no parameter, or a first parameter of another type.
 */
int m4rpc_mp_rpc_param0_bytes(const u8 *msg, size_t len,
			      const struct m4rpc_mp_rpc_env *env, size_t *off,
			      size_t *n);
/* Bytes the shortest msgpack encoding of @v takes (1, 2, 3 or 5). */
size_t m4rpc_mp_uint_len(u32 v);

/* Write that encoding at @out; returns its length. */
size_t m4rpc_mp_put_uint(u8 *out, u32 v);

/*
 * Write the request or response @msg[0..@len), parsed into @env, with msgid
 * @msgid (shortest encoding, so the length may change by up to 4 either way)
 * into @out of @cap bytes. @out may be @msg itself (rewrite in place, @cap
 * being the buffer's size) but must not overlap it otherwise. Returns the new
 * length, -EINVAL for a notification, -EMSGSIZE when it does not fit (@out
 * is then unchanged).
 */
int m4rpc_mp_rpc_set_msgid(u8 *out, size_t cap, const u8 *msg, size_t len,
			   const struct m4rpc_mp_rpc_env *env, u32 msgid);

/*
 * Write the response [1, @msgid, @err, nil], @err being @err_len bytes of
 * text sent as a str, into @out of @cap bytes (what the kernel answers when
 * nobody serves a method). Returns its length or -EMSGSIZE.
 */
int m4rpc_mp_rpc_write_error(u8 *out, size_t cap, u32 msgid, const char *err,
			     size_t err_len);

#endif /* M4RPC_MP_SCAN_H */
