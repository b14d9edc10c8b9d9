// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the rules of write() on /dev/m4rpcN and of the endpoints'
 * envelope rewrites (kernel/common/m4rpc_msg.c): what is accepted, EINVAL and
 * EMSGSIZE at their boundaries for every msgid encoding, and msgid
 * replacement both ways (session -> wire -> session, M4 -> session -> M4)
 * checked by decoding with msgpack-c.
 */
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "rpc_msg.h"

#define MTU 248		/* m4rpc_link_ui_max() in level mode */

static const u32 ids[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
			   0x24009a30u, 0xffffffffu };
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static msgpack_sbuffer sbuf;
static msgpack_packer pk;

static void pk_reset(void)
{
	msgpack_sbuffer_clear(&sbuf);
}

static void pk_str(const char *s, size_t n)
{
	msgpack_pack_str(&pk, n);
	msgpack_pack_str_body(&pk, s, n);
}

/* [0, id, "echo", [bin of @pad bytes]] */
static size_t mk_request(u8 *out, u32 id, size_t pad)
{
	static u8 blob[1024];

	memset(blob, 0x94, sizeof(blob));
	pk_reset();
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, 0);
	msgpack_pack_uint32(&pk, id);
	pk_str("echo", 4);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_bin(&pk, pad);
	msgpack_pack_bin_body(&pk, blob, pad);
	memcpy(out, sbuf.data, sbuf.size);
	return sbuf.size;
}

/* [1, id, nil, result] with a str result of @pad bytes */
static size_t mk_response(u8 *out, u32 id, size_t pad)
{
	static char text[1024];

	memset(text, 'r', sizeof(text));
	pk_reset();
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, 1);
	msgpack_pack_uint32(&pk, id);
	msgpack_pack_nil(&pk);
	pk_str(text, pad);
	memcpy(out, sbuf.data, sbuf.size);
	return sbuf.size;
}

/* [2, "tty", [bin of @pad bytes]] */
static size_t mk_notify(u8 *out, size_t pad)
{
	static u8 blob[1024];

	pk_reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_uint32(&pk, 2);
	pk_str("tty", 3);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_bin(&pk, pad);
	msgpack_pack_bin_body(&pk, blob, pad);
	memcpy(out, sbuf.data, sbuf.size);
	return sbuf.size;
}

static size_t id_len(u32 id)
{
	return id <= 0x7f ? 1 : id <= 0xff ? 2 : id <= 0xffff ? 3 : 5;
}

/* Decode @m with msgpack-c: its type, msgid and last element. */
static bool decode(const u8 *m, size_t n, u64 *type, u64 *msgid,
		   msgpack_object *last, msgpack_unpacked *u)
{
	size_t off = 0;
	msgpack_object o;

	msgpack_unpacked_init(u);
	if (msgpack_unpack_next(u, (const char *)m, n, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != n)
		return false;
	o = u->data;
	if (o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size < 3)
		return false;
	*type = o.via.array.ptr[0].via.u64;
	*msgid = o.via.array.ptr[1].via.u64;
	*last = o.via.array.ptr[o.via.array.size - 1];
	return true;
}

FIXTURE(msg) {
	u8 m[1024];
};

FIXTURE_SETUP(msg)
{
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
}

FIXTURE_TEARDOWN(msg)
{
	msgpack_sbuffer_destroy(&sbuf);
}

/* Each kind with the outer fixarray is taken; nothing else is. */
TEST_F(msg, accepts_and_rejects)
{
	struct m4rpc_mp_rpc_env env;
	static const struct {
		const char *b;
		size_t n;
	} bad[] = {
		{ "", 0 },					/* empty */
		{ "\xdc\x00\x04\x00\x01\xa1x\x90", 8 },		/* array16 */
		{ "\x94\x00\x01\xa1x\x90\x00", 7 },		/* trailing */
		{ "\x94\x00\x01\xa1x", 5 },			/* cut short */
		{ "\x94\x03\x01\xa1x\x90", 6 },			/* type 3 */
		{ "\x93\x00\x01\xa1x", 5 },			/* 3 for type 0 */
		{ "\x94\x02\xa1x\x90\xc0", 6 },			/* 4 for type 2 */
		{ "\x94\x00\xd0\x01\xa1x\x90", 7 },		/* int8 msgid */
		{ "\x94\x00\x01\x05\x90", 5 },			/* method int */
		{ "\x94\x00\x01\xa1x\x80", 6 },			/* params map */
		{ "\x93\x02\xc4\x01x\x90", 6 },			/* bin method */
		{ "\x81\x00\x00", 3 },				/* a map */
		{ "\xc1", 1 },					/* never used */
		{ "\x92\x01\x02", 3 },				/* [1, 2] */
	};
	size_t n, i;
	int rc;

	n = mk_request(self->m, 5, 3);
	ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	ASSERT_EQ((int)M4RPC_MP_RPC_REQUEST, (int)env.type);
	n = mk_response(self->m, 5, 3);
	ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	ASSERT_EQ((int)M4RPC_MP_RPC_RESPONSE, (int)env.type);
	n = mk_notify(self->m, 3);
	ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	ASSERT_EQ((int)M4RPC_MP_RPC_NOTIFY, (int)env.type);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(self->m, bad[i].b, bad[i].n);
		rc = m4rpc_msg_check_tx(self->m, bad[i].n, MTU, &env);
		if (rc != -EINVAL)
			TH_LOG("bad[%zu] gave %d", i, rc);
		EXPECT_EQ(-EINVAL, rc);
	}
}

/*
 * EMSGSIZE: anything over the MTU (even garbage), and a request or response
 * that would not fit with a 5-byte msgid; exactly fitting is fine.
 */
TEST_F(msg, size_limits)
{
	struct m4rpc_mp_rpc_env env;
	size_t n, pad, i;

	memset(self->m, 0xc1, MTU + 1);
	ASSERT_EQ(-EMSGSIZE, m4rpc_msg_check_tx(self->m, MTU + 1, MTU, &env));
	ASSERT_EQ(-EINVAL, m4rpc_msg_check_tx(self->m, MTU, MTU, &env));

	for (i = 0; i < NIDS; i++) {
		/* The largest pad whose message fits with a 5-byte msgid. */
		for (pad = 150; ; pad++) {
			n = mk_request(self->m, ids[i], pad + 1);
			if (n - id_len(ids[i]) + 5 > MTU)
				break;
		}
		n = mk_request(self->m, ids[i], pad);
		ASSERT_EQ((size_t)MTU, n - id_len(ids[i]) + 5);
		ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
		n = mk_request(self->m, ids[i], pad + 1);
		ASSERT_EQ(-EMSGSIZE, m4rpc_msg_check_tx(self->m, n, MTU, &env));

		for (pad = 150; ; pad++) {
			n = mk_response(self->m, ids[i], pad + 1);
			if (n - id_len(ids[i]) + 5 > MTU)
				break;
		}
		n = mk_response(self->m, ids[i], pad);
		ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
		n = mk_response(self->m, ids[i], pad + 1);
		ASSERT_EQ(-EMSGSIZE, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	}
	/* A notification may take the whole MTU. */
	for (pad = 150; mk_notify(self->m, pad + 1) <= MTU; pad++)
		;
	n = mk_notify(self->m, pad);
	ASSERT_EQ((size_t)MTU, n);
	ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	n = mk_notify(self->m, pad + 1);
	ASSERT_EQ(-EMSGSIZE, m4rpc_msg_check_tx(self->m, n, MTU, &env));
}

/*
 * A session's request goes out with the wire msgid and the M4's response
 * comes back with the session's: every pair of encodings, the largest
 * request that passes the check, and a buffer of exactly the MTU.
 */
TEST_F(msg, request_roundtrip)
{
	struct m4rpc_mp_rpc_env env, env2;
	msgpack_unpacked u;
	msgpack_object last;
	u8 orig[MTU], resp[MTU + M4RPC_MSG_MSGID_GROWTH];
	size_t n, pad, i, j;
	u64 type, msgid;
	int len;

	for (i = 0; i < NIDS; i++) {
		for (pad = 150; ; pad++) {
			n = mk_request(self->m, ids[i], pad + 1);
			if (n - id_len(ids[i]) + 5 > MTU)
				break;
		}
		for (j = 0; j < NIDS; j++) {
			n = mk_request(self->m, ids[i], pad);
			memcpy(orig, self->m, n);
			ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
			len = m4rpc_msg_set_msgid(self->m, MTU, n, &env, ids[j]);
			ASSERT_LE(0, len);
			ASSERT_EQ(n - id_len(ids[i]) + id_len(ids[j]),
				  (size_t)len);
			ASSERT_TRUE(decode(self->m, len, &type, &msgid, &last,
					   &u));
			ASSERT_EQ(0u, type);
			ASSERT_EQ(ids[j], msgid);
			ASSERT_EQ((int)MSGPACK_OBJECT_ARRAY, (int)last.type);
			ASSERT_EQ(pad, last.via.array.ptr[0].via.bin.size);
			msgpack_unpacked_destroy(&u);
			/* All but the msgid is unchanged. */
			ASSERT_EQ(0, memcmp(self->m, orig, 2));
			ASSERT_EQ(0, memcmp(self->m + 2 + id_len(ids[j]),
					    orig + 2 + id_len(ids[i]),
					    n - 2 - id_len(ids[i])));

			/* The M4's response, back to the session's msgid. */
			n = mk_response(resp, ids[j], 200);
			ASSERT_EQ(0, m4rpc_mp_rpc_parse(resp, n, &env2));
			len = m4rpc_msg_set_msgid(resp, sizeof(resp), n, &env2,
						ids[i]);
			ASSERT_LE(0, len);
			ASSERT_TRUE(decode(resp, len, &type, &msgid, &last,
					   &u));
			ASSERT_EQ(1u, type);
			ASSERT_EQ(ids[i], msgid);
			ASSERT_EQ(200u, last.via.str.size);
			msgpack_unpacked_destroy(&u);
		}
	}
}

/*
 * An M4 request reaches its session with the kernel's msgid (the buffer has
 * M4RPC_MSG_MSGID_GROWTH spare bytes), the session's response goes back with
 * the M4's msgid and fits the MTU whenever it passed the check.
 */
TEST_F(msg, m4_request_roundtrip)
{
	struct m4rpc_mp_rpc_env env;
	msgpack_unpacked u;
	msgpack_object last;
	u8 rx[300 + M4RPC_MSG_MSGID_GROWTH];
	size_t n, i, j, pad;
	u64 type, msgid;
	int len;

	for (i = 0; i < NIDS; i++) {
		for (j = 0; j < NIDS; j++) {
			/* The M4's request, as long as the buffer allows. */
			n = mk_request(rx, ids[i], 280);
			ASSERT_EQ(0, m4rpc_mp_rpc_parse(rx, n, &env));
			len = m4rpc_msg_set_msgid(rx, sizeof(rx), n, &env,
						ids[j]);
			ASSERT_LE(0, len);
			ASSERT_TRUE(decode(rx, len, &type, &msgid, &last, &u));
			ASSERT_EQ(0u, type);
			ASSERT_EQ(ids[j], msgid);
			msgpack_unpacked_destroy(&u);

			/* The largest response that passes, back to the M4. */
			for (pad = 150; ; pad++) {
				n = mk_response(self->m, ids[j], pad + 1);
				if (n - id_len(ids[j]) + 5 > MTU)
					break;
			}
			n = mk_response(self->m, ids[j], pad);
			ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
			len = m4rpc_msg_set_msgid(self->m, MTU, n, &env, ids[i]);
			ASSERT_LE(0, len);
			ASSERT_GE(MTU, len);
			ASSERT_TRUE(decode(self->m, len, &type, &msgid, &last,
					   &u));
			ASSERT_EQ(1u, type);
			ASSERT_EQ(ids[i], msgid);
			ASSERT_EQ(pad, last.via.str.size);
			msgpack_unpacked_destroy(&u);
		}
	}
	/* Notifications have no msgid to replace. */
	n = mk_notify(self->m, 3);
	ASSERT_EQ(0, m4rpc_msg_check_tx(self->m, n, MTU, &env));
	ASSERT_EQ(-EINVAL, m4rpc_msg_set_msgid(self->m, MTU, n, &env, 5));
	/* No room: -EMSGSIZE and the buffer unchanged. */
	n = mk_request(self->m, 1, 10);
	memcpy(rx, self->m, n);
	ASSERT_EQ(0, m4rpc_mp_rpc_parse(self->m, n, &env));
	ASSERT_EQ(-EMSGSIZE, m4rpc_msg_set_msgid(self->m, n, n, &env, 0x10000));
	ASSERT_EQ(0, memcmp(rx, self->m, n));
}

/* The kernel's error responses, as the M4's msgpack decoder sees them. */
TEST_F(msg, error_response)
{
	static const char prefix[] = "m4rpc: no Linux process bound ";
	msgpack_unpacked u;
	msgpack_object last, err;
	char name[300], want[400];
	size_t i, n;
	u64 type, msgid;
	int len;

	memset(name, 'm', sizeof(name));
	for (i = 0; i < NIDS; i++) {
		for (n = 0; n <= sizeof(name); n += n < 60 ? 1 : 60) {
			len = m4rpc_msg_error(self->m, MTU, ids[i], prefix,
					    (const u8 *)name, n);
			ASSERT_LE(0, len);
			ASSERT_GE(MTU, len);
			ASSERT_TRUE(decode(self->m, len, &type, &msgid, &last,
					   &u));
			ASSERT_EQ(1u, type);
			ASSERT_EQ(ids[i], msgid);
			ASSERT_EQ((int)MSGPACK_OBJECT_NIL, (int)last.type);
			err = u.data.via.array.ptr[2];
			ASSERT_EQ((int)MSGPACK_OBJECT_STR, (int)err.type);
			snprintf(want, sizeof(want), "%s'%.*s%s'", prefix,
				 (int)(n > M4RPC_MSG_NAME_QUOTED ?
				       M4RPC_MSG_NAME_QUOTED : n), name,
				 n > M4RPC_MSG_NAME_QUOTED ? "..." : "");
			ASSERT_EQ(strlen(want), err.via.str.size);
			ASSERT_EQ(0, memcmp(want, err.via.str.ptr,
					    err.via.str.size));
			msgpack_unpacked_destroy(&u);
		}
	}
	/* Too small a buffer. */
	ASSERT_EQ(-EMSGSIZE, m4rpc_msg_error(self->m, 10, 1, prefix,
					   (const u8 *)"x", 1));
}

TEST_HARNESS_MAIN
