// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the rules of write() and the envelope rewrites of the
 * endpoints (kernel/common/rpc_msg.c, and the msgid rewrite of
 * mpack_scan.c under it). Input: 4 bytes of a msgid, 1 byte picking the
 * largest message (max), then the message. Invariants:
 *
 *  - a message write() would take parses, is no longer than max, and
 *    still fits max with a 5-byte msgid;
 *  - giving it the new msgid, in place or into another buffer, changes
 *    exactly the msgid: the result parses with that msgid, the same type,
 *    and the same bytes before and after it; giving it back the old msgid
 *    restores the message (when it had the shortest encoding); a buffer
 *    one byte too small gets -EMSGSIZE and is left as it was;
 *  - the kernel's error response quoting (part of) the message as a
 *    method name is a valid response with that msgid, an error str and a
 *    nil result.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "rpc_msg.h"

#define MSG_MAX		1024

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* @a and @b (parsed into @ea, @eb) differ in nothing but the msgid. */
static void check_same_but_msgid(const u8 *a, size_t alen,
				 const struct m4rpc_mp_rpc_env *ea,
				 const u8 *b, size_t blen,
				 const struct m4rpc_mp_rpc_env *eb)
{
	size_t ta = ea->msgid_off + ea->msgid_len;
	size_t tb = eb->msgid_off + eb->msgid_len;

	FUZZ_CHECK(ea->type == eb->type);
	FUZZ_CHECK(ea->msgid_off == eb->msgid_off);
	FUZZ_CHECK(memcmp(a, b, ea->msgid_off) == 0);
	FUZZ_CHECK(alen - ta == blen - tb);
	FUZZ_CHECK(memcmp(a + ta, b + tb, alen - ta) == 0);
}

static void check_rewrite(const u8 *msg, size_t len,
			  const struct m4rpc_mp_rpc_env *env, u32 msgid)
{
	u8 buf[MSG_MAX + 8], out[MSG_MAX + 8], before[MSG_MAX + 8];
	struct m4rpc_mp_rpc_env e2, e3;
	size_t want = len - env->msgid_len + m4rpc_mp_uint_len(msgid);
	int n, m;

	memcpy(buf, msg, len);
	if (env->type == M4RPC_MP_RPC_NOTIFY) {
		FUZZ_CHECK(m4rpc_msg_set_msgid(buf, sizeof(buf), len, env,
					       msgid) == -EINVAL);
		FUZZ_CHECK(memcmp(buf, msg, len) == 0);
		return;
	}
	/* One byte short: refused, unchanged. */
	memcpy(before, buf, sizeof(buf));
	FUZZ_CHECK(m4rpc_msg_set_msgid(buf, want - 1, len, env, msgid) ==
		   -EMSGSIZE);
	FUZZ_CHECK(memcmp(before, buf, sizeof(buf)) == 0);

	n = m4rpc_msg_set_msgid(buf, want, len, env, msgid);
	FUZZ_CHECK(n == (int)want);
	FUZZ_CHECK(m4rpc_mp_rpc_parse(buf, n, &e2) == 0);
	FUZZ_CHECK(e2.msgid == msgid);
	FUZZ_CHECK(e2.msgid_len == m4rpc_mp_uint_len(msgid));
	check_same_but_msgid(msg, len, env, buf, n, &e2);

	/* Into another buffer: the same bytes. */
	m = m4rpc_mp_rpc_set_msgid(out, sizeof(out), msg, len, env, msgid);
	FUZZ_CHECK(m == n && memcmp(out, buf, n) == 0);

	/* And back. */
	m = m4rpc_msg_set_msgid(buf, sizeof(buf), n, &e2, env->msgid);
	FUZZ_CHECK(m > 0);
	FUZZ_CHECK(m4rpc_mp_rpc_parse(buf, m, &e3) == 0);
	FUZZ_CHECK(e3.msgid == env->msgid);
	check_same_but_msgid(msg, len, env, buf, m, &e3);
	if (env->msgid_len == m4rpc_mp_uint_len(env->msgid))
		FUZZ_CHECK((size_t)m == len && memcmp(buf, msg, len) == 0);
}

static void check_error(const u8 *name, size_t name_len, u32 msgid)
{
	u8 out[256];
	struct m4rpc_mp_rpc_env env;
	int n;

	n = m4rpc_msg_error(out, sizeof(out), msgid, "m4rpc: fuzz ", name,
			    name_len);
	FUZZ_CHECK(n > 0 && (size_t)n <= sizeof(out));
	FUZZ_CHECK(m4rpc_mp_rpc_parse(out, n, &env) == 0);
	FUZZ_CHECK(env.type == M4RPC_MP_RPC_RESPONSE && env.fixarray);
	FUZZ_CHECK(env.msgid == msgid);
	FUZZ_CHECK(env.result_len == 1 && out[env.result_off] == 0xc0);
	FUZZ_CHECK(m4rpc_mp_rpc_head_check(out, n) == 1);
	/* Too small by a byte: refused. */
	FUZZ_CHECK(m4rpc_msg_error(out, n - 1, msgid, "m4rpc: fuzz ", name,
				   name_len) == -EMSGSIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct m4rpc_mp_rpc_env env;
	size_t max, len;
	u32 msgid;
	int rc;

	if (size < 5)
		return 0;
	msgid = get_be32(data);
	max = 240 + data[4] % 16;
	if (data[4] & 0x80)
		max = MSG_MAX;
	data += 5;
	size -= 5;
	len = size > MSG_MAX ? MSG_MAX : size;

	rc = m4rpc_msg_check_tx(data, size, max, &env);
	if (size > max)
		FUZZ_CHECK(rc == -EMSGSIZE);
	if (rc == 0) {
		FUZZ_CHECK(size <= max && size == len);
		FUZZ_CHECK(env.fixarray);
		if (env.type != M4RPC_MP_RPC_NOTIFY)
			FUZZ_CHECK(size - env.msgid_len + 5 <= max);
		check_rewrite(data, size, &env, msgid);
	} else {
		FUZZ_CHECK(rc == -EINVAL || rc == -EMSGSIZE);
	}
	check_error(data, len, msgid);
	return 0;
}
