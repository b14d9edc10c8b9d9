// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of libm4rpc's signature encoder (lib/sig.c) and of what it
 * decodes from the session (lib/result.c): every type letter against
 * msgpack-c packing the same value, nesting, every bad signature, every
 * kind of message and error text, every getter. Built with the sanitizers,
 * the library's objects too.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "m4rpc_priv.h"

/* ---- the encoder ---------------------------------------------------------- */

struct packed {
	struct m4rpc_buf buf;
	msgpack_packer pk;
};

static void packed_init(struct packed *p)
{
	m4rpc__buf_init(&p->buf);
	msgpack_packer_init(&p->pk, &p->buf, m4rpc__buf_write);
}

/* m4rpc__pack_sig() of @sig and the varargs into @p: its code. */
static int sig_pack(struct packed *p, bool as_array, const char *sig, ...)
{
	va_list ap;
	int ret;

	packed_init(p);
	va_start(ap, sig);
	ret = m4rpc__pack_sig(&p->pk, sig, &ap, as_array);
	va_end(ap);
	return ret;
}

/* The reference: msgpack-c's own bytes. */
struct ref {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void ref_init(struct ref *r)
{
	msgpack_sbuffer_init(&r->sb);
	msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
}

static bool same(struct packed *p, struct ref *r)
{
	bool eq = p->buf.len == r->sb.size &&
		!memcmp(p->buf.p, r->sb.data, r->sb.size);

	m4rpc__buf_free(&p->buf);
	msgpack_sbuffer_destroy(&r->sb);
	return eq;
}

TEST(every_letter)
{
	static const char bin[3] = { 0, 1, 2 };
	struct packed p;
	struct ref r;

	ASSERT_EQ(0, sig_pack(&p, true, "nbbiIuUfdsSyo", 1, 0, -5,
			      (int64_t)INT64_MIN, 7u, (uint64_t)UINT64_MAX,
			      1.5, 2.25, "hi", "xyz", (size_t)2, bin,
			      sizeof(bin), &(msgpack_object){
				      .type = MSGPACK_OBJECT_POSITIVE_INTEGER,
				      .via.u64 = 300 }));
	ref_init(&r);
	msgpack_pack_array(&r.pk, 13);
	msgpack_pack_nil(&r.pk);
	msgpack_pack_true(&r.pk);
	msgpack_pack_false(&r.pk);
	msgpack_pack_int(&r.pk, -5);
	msgpack_pack_int64(&r.pk, INT64_MIN);
	msgpack_pack_unsigned_int(&r.pk, 7);
	msgpack_pack_uint64(&r.pk, UINT64_MAX);
	msgpack_pack_float(&r.pk, 1.5f);
	msgpack_pack_double(&r.pk, 2.25);
	msgpack_pack_str_with_body(&r.pk, "hi", 2);
	msgpack_pack_str_with_body(&r.pk, "xy", 2);
	msgpack_pack_bin_with_body(&r.pk, bin, sizeof(bin));
	msgpack_pack_uint16(&r.pk, 300);
	ASSERT_TRUE(same(&p, &r));
}

/* The sizes where the encodings change: fix/8/16 strings and bins. */
TEST(str_and_bin_sizes)
{
	static const size_t sizes[] = { 0, 31, 32, 255, 256, 65535, 65536 };
	char *data = malloc(65536);
	struct packed p;
	struct ref r;
	size_t i;

	ASSERT_NE(NULL, data);
	memset(data, 'a', 65536);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_EQ(0, sig_pack(&p, false, "S", data, sizes[i]));
		ref_init(&r);
		msgpack_pack_str_with_body(&r.pk, data, sizes[i]);
		EXPECT_TRUE(same(&p, &r)) TH_LOG("str of %zu", sizes[i]);
		ASSERT_EQ(0, sig_pack(&p, false, "y", data, sizes[i]));
		ref_init(&r);
		msgpack_pack_bin_with_body(&r.pk, data, sizes[i]);
		EXPECT_TRUE(same(&p, &r)) TH_LOG("bin of %zu", sizes[i]);
	}
	/* str8 as its first byte says: 0xd9 */
	ASSERT_EQ(0, sig_pack(&p, false, "S", data, (size_t)40));
	EXPECT_EQ(0xd9, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
	free(data);
}

/* Integers in their smallest form, whatever the letter. */
TEST(int_forms)
{
	struct packed p;

	ASSERT_EQ(0, sig_pack(&p, false, "I", (int64_t)5));
	EXPECT_EQ(1, p.buf.len);
	m4rpc__buf_free(&p.buf);
	ASSERT_EQ(0, sig_pack(&p, false, "U", (uint64_t)65536));
	EXPECT_EQ(5, p.buf.len);
	EXPECT_EQ(0xce, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
	ASSERT_EQ(0, sig_pack(&p, false, "f", 0.5));
	EXPECT_EQ(0xca, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
	ASSERT_EQ(0, sig_pack(&p, false, "d", 0.5));
	EXPECT_EQ(0xcb, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
}

TEST(nesting)
{
	struct packed p;
	struct ref r;

	ASSERT_EQ(0, sig_pack(&p, true, "i[i[]{si}]{s[bn]}", 1, 2, "k", 3,
			      "l", 1));
	ref_init(&r);
	msgpack_pack_array(&r.pk, 3);
	msgpack_pack_int(&r.pk, 1);
	msgpack_pack_array(&r.pk, 3);
	msgpack_pack_int(&r.pk, 2);
	msgpack_pack_array(&r.pk, 0);
	msgpack_pack_map(&r.pk, 1);
	msgpack_pack_str_with_body(&r.pk, "k", 1);
	msgpack_pack_int(&r.pk, 3);
	msgpack_pack_map(&r.pk, 1);
	msgpack_pack_str_with_body(&r.pk, "l", 1);
	msgpack_pack_array(&r.pk, 2);
	msgpack_pack_true(&r.pk);
	msgpack_pack_nil(&r.pk);
	ASSERT_TRUE(same(&p, &r));
}

/* The deepest nesting the kernel takes (32 with the message), and one more. */
TEST(depth_limit)
{
	char sig[2 * M4RPC_DEPTH_MAX + 1];
	struct packed p;
	int d;

	for (d = M4RPC_DEPTH_MAX - 2; d <= M4RPC_DEPTH_MAX - 1; d++) {
		memset(sig, '[', d);
		memset(sig + d, ']', d);
		sig[2 * d] = '\0';
		/* params: the message and its params array are two levels */
		EXPECT_EQ(d == M4RPC_DEPTH_MAX - 2 ? 0 : -EINVAL,
			  sig_pack(&p, true, sig)) TH_LOG("depth %d", d);
		m4rpc__buf_free(&p.buf);
	}
	/* a reply's result: one level more */
	EXPECT_EQ(0, sig_pack(&p, false, sig));
	m4rpc__buf_free(&p.buf);
}

TEST(empty)
{
	struct packed p;

	ASSERT_EQ(0, sig_pack(&p, true, NULL));
	ASSERT_EQ(1, p.buf.len);
	EXPECT_EQ(0x90, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
	ASSERT_EQ(0, sig_pack(&p, false, ""));
	ASSERT_EQ(1, p.buf.len);
	EXPECT_EQ(0xc0, (uint8_t)p.buf.p[0]);
	m4rpc__buf_free(&p.buf);
}

TEST(bad_signatures)
{
	static const struct {
		const char *sig;
		const char *why;
	} bad[] = {
		{ "x", "not a type letter" },
		{ "i x", "not a type letter" },
		{ "[", "not closed" },
		{ "]", "unmatched" },
		{ "[}", "unmatched" },
		{ "{i}", "odd number" },
		{ "{iii}", "odd number" },
		{ "[[i]", "not closed" },
	};
	struct packed p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, sig_pack(&p, true, bad[i].sig, 1, 2, 3));
		EXPECT_EQ(-EINVAL, m4rpc_last_error_code());
		EXPECT_NE(NULL, strstr(m4rpc_last_error(), bad[i].why))
			TH_LOG("\"%s\": %s", bad[i].sig, m4rpc_last_error());
		/* the whole signature is checked before a vararg is taken */
		EXPECT_EQ(0, p.buf.len);
		m4rpc__buf_free(&p.buf);
	}
	/* a reply is one value */
	EXPECT_EQ(-EINVAL, sig_pack(&p, false, "ii", 1, 2));
	m4rpc__buf_free(&p.buf);
}

TEST(null_pointers)
{
	struct packed p;

	EXPECT_EQ(-EINVAL, sig_pack(&p, true, "is", 1, (const char *)NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "NULL"));
	m4rpc__buf_free(&p.buf);
	EXPECT_EQ(-EINVAL, sig_pack(&p, true, "y", NULL, (size_t)3));
	m4rpc__buf_free(&p.buf);
	EXPECT_EQ(-EINVAL, sig_pack(&p, true, "o", NULL));
	m4rpc__buf_free(&p.buf);
	/* no bytes at all is fine */
	EXPECT_EQ(0, sig_pack(&p, true, "y", NULL, (size_t)0));
	m4rpc__buf_free(&p.buf);
}

/* The inline room overflows onto the heap: nothing is cut. */
TEST(long_message)
{
	char *data = malloc(10000);
	struct packed p;

	ASSERT_NE(NULL, data);
	memset(data, 7, 10000);
	ASSERT_EQ(0, sig_pack(&p, true, "yy", data, (size_t)5000, data,
			      (size_t)5000));
	EXPECT_EQ(1 + 2 * (3 + 5000), p.buf.len);
	EXPECT_EQ(7, p.buf.p[p.buf.len - 1]);
	m4rpc__buf_free(&p.buf);
	free(data);
}

TEST(packed_one)
{
	static const uint8_t arr[] = { 0x92, 0x01, 0x02 };
	static const uint8_t two[] = { 0x01, 0x02 };

	EXPECT_TRUE(m4rpc__packed_one(arr, sizeof(arr), true));
	EXPECT_FALSE(m4rpc__packed_one(arr, 2, true));	/* cut */
	EXPECT_FALSE(m4rpc__packed_one(two, 1, true));	/* not an array */
	EXPECT_TRUE(m4rpc__packed_one(two, 1, false));
	EXPECT_FALSE(m4rpc__packed_one(two, 2, false));	/* two objects */
	EXPECT_FALSE(m4rpc__packed_one(NULL, 0, false));
}

/* ---- decoding ----------------------------------------------------------- */

/* A response [1, msgid, error (str @err or nil), result packed by @fn]. */
static struct m4rpc_result *response(uint32_t msgid, const char *err,
				     void (*fn)(msgpack_packer *pk), int *code)
{
	struct m4rpc_result *m;
	struct ref r;

	ref_init(&r);
	msgpack_pack_array(&r.pk, 4);
	msgpack_pack_int(&r.pk, 1);
	msgpack_pack_uint32(&r.pk, msgid);
	if (err)
		msgpack_pack_str_with_body(&r.pk, err, strlen(err));
	else
		msgpack_pack_nil(&r.pk);
	if (fn)
		fn(&r.pk);
	else
		msgpack_pack_nil(&r.pk);
	m = m4rpc__msg_decode(r.sb.data, r.sb.size, code);
	msgpack_sbuffer_destroy(&r.sb);
	return m;
}

static void pk_int(msgpack_packer *pk) { msgpack_pack_int(pk, -7); }
static void pk_big(msgpack_packer *pk) { msgpack_pack_uint64(pk, UINT64_MAX); }
static void pk_f32(msgpack_packer *pk) { msgpack_pack_float(pk, 0.25f); }
static void pk_str(msgpack_packer *pk) { msgpack_pack_str_with_body(pk, "abc", 3); }
static void pk_bin(msgpack_packer *pk) { msgpack_pack_bin_with_body(pk, "\0\1", 2); }
static void pk_bool(msgpack_packer *pk) { msgpack_pack_true(pk); }
static void pk_arr(msgpack_packer *pk) { msgpack_pack_array(pk, 0); }

TEST(result_getters)
{
	struct m4rpc_result *m;
	const void *p;
	const char *s;
	uint64_t u;
	int64_t i;
	double d;
	size_t n;
	bool b;
	int err;

	m = response(9, NULL, pk_int, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(9, m->msgid);
	EXPECT_EQ(0, m4rpc_result_error(m));
	EXPECT_EQ(NULL, m4rpc_result_error_text(m));
	EXPECT_EQ(0, m4rpc_result_int(m, &i));
	EXPECT_EQ(-7, i);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_uint(m, &u));
	EXPECT_EQ(0, m4rpc_result_double(m, &d));
	EXPECT_EQ(-7.0, d);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_str(m, &s, &n));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "negative integer"));
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_bool(m, &b));
	EXPECT_FALSE(m4rpc_result_is_nil(m));
	m4rpc_result_free(m);

	m = response(1, NULL, pk_big, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_int(m, &i));
	EXPECT_EQ(0, m4rpc_result_uint(m, &u));
	EXPECT_EQ(UINT64_MAX, u);
	m4rpc_result_free(m);

	m = response(1, NULL, pk_f32, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(MSGPACK_OBJECT_FLOAT32, m4rpc_result_object(m)->type);
	EXPECT_EQ(0, m4rpc_result_double(m, &d));
	EXPECT_EQ(0.25, d);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_int(m, &i));
	m4rpc_result_free(m);

	m = response(1, NULL, pk_str, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, m4rpc_result_str(m, &s, &n));
	EXPECT_EQ(3, n);
	EXPECT_STREQ("abc", s);
	EXPECT_EQ(0, m4rpc_result_bin(m, &p, &n));	/* a str is bytes too */
	m4rpc_result_free(m);

	m = response(1, NULL, pk_bin, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, m4rpc_result_bin(m, &p, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, ((const uint8_t *)p)[1]);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_str(m, &s, &n));
	m4rpc_result_free(m);

	m = response(1, NULL, pk_bool, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, m4rpc_result_bool(m, &b));
	EXPECT_TRUE(b);
	EXPECT_EQ(-M4RPC_E_TYPE, m4rpc_result_double(m, &d));
	m4rpc_result_free(m);

	m = response(1, NULL, pk_arr, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(MSGPACK_OBJECT_ARRAY, m4rpc_result_object(m)->type);
	m4rpc_result_free(m);

	m = response(1, NULL, NULL, &err);
	ASSERT_NE(NULL, m);
	EXPECT_TRUE(m4rpc_result_is_nil(m));
	m4rpc_result_free(m);
}

/* Every error text the M4 and the kernel send, and what it stands for. */
TEST(error_texts)
{
	static const struct {
		const char *text;
		int code;
	} texts[] = {
		{ "rpclib: server could not find function 'nope' with argument count 0.",
		  -M4RPC_E_NO_METHOD },
		{ "rpclib: Function 'echo' was called with an invalid number of arguments. Expected: 1, got: 2",
		  -M4RPC_E_ARGC },
		{ "rpclib: function 'led' (called with 1 arg(s)) threw an exception. The exception contained this information: std::bad_cast.",
		  -M4RPC_E_REMOTE },
		{ "m4rpc: no Linux process bound 'x'", -M4RPC_E_UNBOUND },
		{ "m4rpc: Linux process busy: 'x'", -M4RPC_E_BUSY },
		{ "m4rpc: Linux process closed: 'x'", -M4RPC_E_CLOSED },
		{ "m4rpc: the M4 stopped running RPC", -M4RPC_E_STOPPED },
		{ "m4rpc: the reply was lost on the link (the H7 dropped bytes)",
		  -M4RPC_E_LOST },
		{ "anything else", -M4RPC_E_REMOTE },
	};
	struct m4rpc_result *m;
	size_t i;
	int err;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		m = response(3, texts[i].text, NULL, &err);
		ASSERT_NE(NULL, m);
		EXPECT_EQ(texts[i].code, m4rpc_result_error(m))
			TH_LOG("%s", texts[i].text);
		EXPECT_STREQ(texts[i].text, m4rpc_result_error_text(m));
		EXPECT_EQ(MSGPACK_OBJECT_STR, m4rpc_result_error_object(m)->type);
		m4rpc_result_free(m);
	}
}

static void pk_map_err(msgpack_packer *pk) { msgpack_pack_map(pk, 0); }

TEST(error_not_a_str)
{
	struct m4rpc_result *m;
	struct ref r;
	int err;

	ref_init(&r);
	msgpack_pack_array(&r.pk, 4);
	msgpack_pack_int(&r.pk, 1);
	msgpack_pack_int(&r.pk, 2);
	pk_map_err(&r.pk);
	msgpack_pack_nil(&r.pk);
	m = m4rpc__msg_decode(r.sb.data, r.sb.size, &err);
	msgpack_sbuffer_destroy(&r.sb);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(-M4RPC_E_REMOTE, m4rpc_result_error(m));
	EXPECT_NE(NULL, strstr(m4rpc_result_error_text(m), "map"));
	m4rpc_result_free(m);
}

TEST(requests_and_notifications)
{
	static const uint8_t req[] = { 0x94, 0x00, 0x05, 0xa3, 'a', 'd', 'd',
				       0x92, 0x01, 0x02 };
	/* rpclib takes a bin for the name too */
	static const uint8_t note[] = { 0x93, 0x02, 0xc4, 0x03, 't', 't', 'y',
					0x91, 0xc0 };
	struct m4rpc_result *m;
	int err;

	m = m4rpc__msg_decode(req, sizeof(req), &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(MSG_REQUEST, m->type);
	EXPECT_EQ(5, m->msgid);
	EXPECT_STREQ("add", m->method);
	EXPECT_EQ(2, m->params->via.array.size);
	m4rpc_result_free(m);
	m = m4rpc__msg_decode(note, sizeof(note), &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(MSG_NOTIFICATION, m->type);
	EXPECT_STREQ("tty", m->method);
	m4rpc_result_free(m);
}

/* Empty strs, whose bytes msgpack-c gives as NULL (fuzz_lib_decode). */
TEST(empty_strings)
{
	static const uint8_t resp[] = { 0x94, 0x01, 0x09, 0xa0, 0xa0 };
	static const uint8_t note[] = { 0x93, 0x02, 0xa0, 0x90 };
	struct m4rpc_result *m;
	const char *s;
	size_t n = 1;
	int err;

	m = m4rpc__msg_decode(resp, sizeof(resp), &err);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("", m4rpc_result_error_text(m));
	EXPECT_EQ(-M4RPC_E_REMOTE, m4rpc_result_error(m));
	ASSERT_EQ(0, m4rpc_result_str(m, &s, &n));
	EXPECT_STREQ("", s);
	EXPECT_EQ(0, n);
	m4rpc_result_free(m);
	m = m4rpc__msg_decode(note, sizeof(note), &err);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("", m->method);
	m4rpc_result_free(m);
}

TEST(malformed)
{
	static const struct {
		uint8_t b[16];
		size_t n;
	} bad[] = {
		{ { 0x01 }, 1 },				/* not an array */
		{ { 0x92, 0x01, 0x01 }, 3 },			/* too short */
		{ { 0x94, 0x01, 0x01, 0xc0 }, 4 },		/* cut */
		{ { 0x94, 0x01, 0x01, 0xc0, 0xc0, 0x00 }, 6 },	/* trailing */
		{ { 0x94, 0x03, 0x01, 0xc0, 0xc0 }, 5 },	/* type 3 */
		{ { 0x94, 0x01, 0xff, 0xc0, 0xc0 }, 5 },	/* msgid < 0 */
		{ { 0x94, 0x00, 0x01, 0x01, 0x90 }, 5 },	/* name an int */
		{ { 0x94, 0x00, 0x01, 0xa1, 'a', 0xc0 }, 6 },	/* params nil */
		{ { 0x93, 0x02, 0xa1, 'a' }, 4 },		/* cut */
		{ { 0x93, 0x01, 0x01, 0xc0 }, 4 },		/* response of 3 */
		{ { 0xc1 }, 1 },				/* never used */
		/*
		 * Cut inside containers claiming 2^32-ish items (fuzz_lib_decode):
		 * msgpack-c would allocate for them all (128 GiB) first.
		 */
		{ { 0x94, 0x00, 0xdf, 0xa3, 0x74, 0x74, 0x79, 0x91 }, 8 },
		{ { 0x94, 0x01, 0x01, 0xc0, 0xdd, 0xff, 0xff, 0xff, 0xff }, 9 },
		/* type 2^32 + 1: not a response (fuzz_lib_decode) */
		{ { 0x94, 0xcf, 0, 0, 0, 1, 0, 0, 0, 1, 0x01, 0xc0, 0xc0 }, 13 },
	};
	struct m4rpc_result *m;
	size_t i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = m4rpc__msg_decode(bad[i].b, bad[i].n, &err);
		EXPECT_EQ(NULL, m) TH_LOG("case %zu", i);
		EXPECT_EQ(-EPROTO, err) TH_LOG("case %zu", i);
		m4rpc_result_free(m);
	}
}

TEST(strerror_every_code)
{
	int c;

	for (c = M4RPC_E_BASE + 1; c < M4RPC_E_END; c++) {
		EXPECT_NE(NULL, m4rpc_strerror(-c));
		EXPECT_NE(0, strlen(m4rpc_strerror(-c)));
		EXPECT_STREQ(m4rpc_strerror(-c), m4rpc_strerror(c));
	}
	EXPECT_STREQ(strerror(ETIMEDOUT), m4rpc_strerror(-ETIMEDOUT));
	EXPECT_STREQ("the M4 has no such method",
		     m4rpc_strerror(-M4RPC_E_NO_METHOD));
	EXPECT_NE(NULL, m4rpc_version_string());
}

TEST_HARNESS_MAIN
