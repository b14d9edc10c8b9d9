// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the msgpack scanner and the envelope parser
 * (kernel/common/mpack_scan.c). The first input byte seeds the chunking,
 * the rest is the byte stream. Invariants:
 *
 *  - an object's length never exceeds the input, the prefix of exactly
 *    that length is the same object and one byte less is incomplete;
 *  - fed in slices of any size the scanner ends the object at the same
 *    byte, or fails the same way, as fed in one piece;
 *  - an envelope that parses lies inside the message, its parts end where
 *    the message ends, its msgid is the one its head names, and a fixarray
 *    one has a whole valid head;
 *  - the head check is monotone over prefixes (-EBADMSG stays, 1 stays).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "mpack_scan.h"

/* Prefixes the head check is tried on (it looks at a few dozen bytes). */
#define HEAD_PREFIXES	300

/* Slice sizes from @seed, 1 to 16 bytes, a new one per slice. */
static size_t next_slice(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 16) % 16;
}

static void check_chunked(const u8 *data, size_t size, unsigned int seed,
			  int whole)
{
	struct m4rpc_mp_scan s;
	size_t off = 0, used, n;
	int rc = M4RPC_MP_SCAN_MORE;

	m4rpc_mp_scan_init(&s);
	FUZZ_CHECK(m4rpc_mp_scan_idle(&s));
	while (off < size) {
		n = next_slice(&seed);
		if (n > size - off)
			n = size - off;
		rc = m4rpc_mp_scan_feed(&s, data + off, n, &used);
		FUZZ_CHECK(used <= n);
		off += used;
		if (rc != M4RPC_MP_SCAN_MORE)
			break;
		FUZZ_CHECK(used == n);
	}
	if (whole >= 0) {
		FUZZ_CHECK(rc == M4RPC_MP_SCAN_DONE);
		FUZZ_CHECK(off == (size_t)whole);
		FUZZ_CHECK(m4rpc_mp_scan_idle(&s));
	} else if (whole == -EAGAIN) {
		FUZZ_CHECK(rc == M4RPC_MP_SCAN_MORE && off == size);
	} else {
		FUZZ_CHECK(rc == whole);
		/* Sticky: refuses everything until init. */
		FUZZ_CHECK(m4rpc_mp_scan_feed(&s, data, size, &used) == whole);
		FUZZ_CHECK(used == 0);
	}
}

static void check_env(const u8 *msg, size_t len)
{
	struct m4rpc_mp_rpc_env env;
	u32 msgid;
	int rc;

	rc = m4rpc_mp_rpc_parse(msg, len, &env);
	if (rc) {
		FUZZ_CHECK(rc == -EBADMSG || rc == -E2BIG);
		FUZZ_CHECK(env.msgid_len == 0 && env.params_len == 0);
		return;
	}
	FUZZ_CHECK(m4rpc_mp_object_len(msg, len) == (int)len);
	switch (env.type) {
	case M4RPC_MP_RPC_REQUEST:
	case M4RPC_MP_RPC_RESPONSE:
		FUZZ_CHECK(env.msgid_len == 1 || env.msgid_len == 2 ||
			   env.msgid_len == 3 || env.msgid_len == 5);
		FUZZ_CHECK(env.msgid_off + env.msgid_len <= len);
		if (env.fixarray) {
			FUZZ_CHECK(m4rpc_mp_rpc_head_msgid(msg, len, &msgid) ==
				   (int)env.type);
			FUZZ_CHECK(msgid == env.msgid);
		}
		break;
	case M4RPC_MP_RPC_NOTIFY:
		FUZZ_CHECK(env.msgid_len == 0);
		break;
	default:
		FUZZ_CHECK(0);
	}
	if (env.type == M4RPC_MP_RPC_RESPONSE) {
		FUZZ_CHECK(env.error_off > env.msgid_off);
		FUZZ_CHECK(env.error_off + env.error_len == env.result_off);
		FUZZ_CHECK(env.result_len && env.result_off + env.result_len == len);
	} else {
		FUZZ_CHECK(env.method_off + env.method_len <= env.params_off);
		FUZZ_CHECK(env.params_len && env.params_off + env.params_len == len);
	}
	if (env.fixarray)
		FUZZ_CHECK(m4rpc_mp_rpc_head_check(msg, len) == 1);
}

static void check_head_monotone(const u8 *data, size_t size)
{
	size_t n, lim = size < HEAD_PREFIXES ? size : HEAD_PREFIXES;
	int prev = 0, h;

	for (n = 0; n <= lim; n++) {
		h = m4rpc_mp_rpc_head_check(data, n);
		FUZZ_CHECK(h == 0 || h == 1 || h == -EBADMSG);
		if (prev == -EBADMSG)
			FUZZ_CHECK(h == -EBADMSG);
		if (prev == 1)
			FUZZ_CHECK(h == 1);
		prev = h;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int seed;
	int len;

	if (!size)
		return 0;
	seed = data[0];
	data++;
	size--;

	len = m4rpc_mp_object_len(data, size);
	FUZZ_CHECK(len == -EAGAIN || len == -EBADMSG || len == -E2BIG ||
		   (len > 0 && (size_t)len <= size));
	if (len > 0) {
		FUZZ_CHECK(m4rpc_mp_object_len(data, len) == len);
		FUZZ_CHECK(m4rpc_mp_object_len(data, len - 1) == -EAGAIN);
		check_env(data, len);
	}
	check_chunked(data, size, seed, len);
	check_env(data, size);
	check_head_monotone(data, size);
	return 0;
}
