// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host test of the m4rpc command's JSON <-> msgpack conversion
 * (tools/m4rpc/jsonmp.c): every kind of command-line argument packed to
 * the msgpack type it stands for, every bad one refused with a sentence,
 * and every msgpack type printed as `m4rpc call --help` says.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tool.h"

struct packed {
	msgpack_sbuffer sb;
	msgpack_unpacked u;
	char err[256];
	int ret;
};

static const msgpack_object *pack(struct packed *p, const char *arg)
{
	msgpack_packer pk;
	size_t off = 0;

	msgpack_sbuffer_init(&p->sb);
	msgpack_packer_init(&pk, &p->sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&p->u);
	p->err[0] = 0;
	p->ret = jm_pack_arg(&pk, arg, p->err, sizeof(p->err));
	if (p->ret)
		return NULL;
	if (msgpack_unpack_next(&p->u, p->sb.data, p->sb.size, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != p->sb.size)
		return NULL;
	return &p->u.data;
}

static void done(struct packed *p)
{
	msgpack_unpacked_destroy(&p->u);
	msgpack_sbuffer_destroy(&p->sb);
}

/* The argument packed, then printed: the JSON text. */
static char *round_trip(const char *arg)
{
	struct packed p;
	const msgpack_object *o = pack(&p, arg);
	char *s = o ? jm_dump(o) : strdup("(error)");

	done(&p);
	return s;
}

#define EXPECT_TYPE(arg, t) do {				\
	struct packed p_;					\
	const msgpack_object *o_ = pack(&p_, arg);		\
	ASSERT_NE(NULL, o_) TH_LOG("%s: %s", arg, p_.err);	\
	EXPECT_EQ(t, o_->type) TH_LOG("%s", arg);		\
	done(&p_);						\
} while (0)

#define EXPECT_JSON(arg, want) do {				\
	char *s_ = round_trip(arg);				\
	EXPECT_STREQ(want, s_) TH_LOG("%s", arg);		\
	free(s_);						\
} while (0)

#define EXPECT_REFUSED(arg, word) do {				\
	struct packed p_;					\
	EXPECT_EQ(NULL, pack(&p_, arg)) TH_LOG("%s", arg);	\
	EXPECT_EQ(-1, p_.ret);					\
	EXPECT_NE(NULL, strstr(p_.err, word)) TH_LOG("%s: %s", arg, p_.err); \
	done(&p_);						\
} while (0)

TEST(argument_types)
{
	EXPECT_TYPE("true", MSGPACK_OBJECT_BOOLEAN);
	EXPECT_TYPE("false", MSGPACK_OBJECT_BOOLEAN);
	EXPECT_TYPE("null", MSGPACK_OBJECT_NIL);
	EXPECT_TYPE("42", MSGPACK_OBJECT_POSITIVE_INTEGER);
	EXPECT_TYPE("-1", MSGPACK_OBJECT_NEGATIVE_INTEGER);
	EXPECT_TYPE("3.5", MSGPACK_OBJECT_FLOAT64);
	EXPECT_TYPE("f32:3.5", MSGPACK_OBJECT_FLOAT32);
	EXPECT_TYPE("u64:18446744073709551615", MSGPACK_OBJECT_POSITIVE_INTEGER);
	EXPECT_TYPE("\"text\"", MSGPACK_OBJECT_STR);
	EXPECT_TYPE("hello", MSGPACK_OBJECT_STR);
	EXPECT_TYPE("str:42", MSGPACK_OBJECT_STR);
	EXPECT_TYPE("[1,2]", MSGPACK_OBJECT_ARRAY);
	EXPECT_TYPE("{\"k\":1}", MSGPACK_OBJECT_MAP);
	EXPECT_TYPE("hex:00ff", MSGPACK_OBJECT_BIN);
	EXPECT_TYPE("{\"$bin\":\"00ff\"}", MSGPACK_OBJECT_BIN);
	EXPECT_TYPE("{\"$ext\":[5,\"01\"]}", MSGPACK_OBJECT_EXT);
}

TEST(values_round_trip)
{
	EXPECT_JSON("true", "true");
	EXPECT_JSON("null", "null");
	EXPECT_JSON("42", "42");
	EXPECT_JSON("-1", "-1");
	EXPECT_JSON("-9223372036854775808", "-9223372036854775808");
	EXPECT_JSON("3.5", "3.5");
	EXPECT_JSON("f32:0.1", "0.1");
	EXPECT_JSON("hello", "\"hello\"");
	EXPECT_JSON("\"a b\"", "\"a b\"");
	EXPECT_JSON("str:[1]", "\"[1]\"");
	EXPECT_JSON("\"\"", "\"\"");
	EXPECT_JSON("[1,[true,null],\"x\"]", "[1,[true,null],\"x\"]");
	EXPECT_JSON("{\"k\":1}", "{\"k\":1}");
	EXPECT_JSON("hex:00FF", "{\"$bin\":\"00ff\"}");
	EXPECT_JSON("hex:", "{\"$bin\":\"\"}");
	EXPECT_JSON("{\"$ext\":[-3,\"abcd\"]}", "{\"$ext\":[-3,\"abcd\"]}");
}

TEST(file_argument_is_bytes)
{
	char path[] = "/tmp/test_m4rpc_json.XXXXXX";
	int fd = mkstemp(path);
	struct packed p;
	const msgpack_object *o;

	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "a\0b", 3));
	close(fd);
	{
		char arg[64];

		snprintf(arg, sizeof(arg), "@%s", path);
		o = pack(&p, arg);
		ASSERT_NE(NULL, o);
		EXPECT_EQ(MSGPACK_OBJECT_BIN, o->type);
		EXPECT_EQ(3, o->via.bin.size);
		EXPECT_EQ(0, memcmp(o->via.bin.ptr, "a\0b", 3));
		done(&p);
	}
	unlink(path);
	EXPECT_REFUSED("@/nonexistent/file", "No such file");
}

TEST(bad_arguments)
{
	EXPECT_REFUSED("hex:0", "odd number");
	EXPECT_REFUSED("hex:zz", "no hex digit");
	EXPECT_REFUSED("[1,", "not JSON");
	EXPECT_REFUSED("{\"k\"", "not JSON");
	EXPECT_REFUSED("\"open", "str:TEXT");
	EXPECT_REFUSED("f32:x", "f32:");
	EXPECT_REFUSED("u64:-1", "u64:");
	EXPECT_REFUSED("{\"$bin\":1}", "hex digits");
	EXPECT_REFUSED("{\"$ext\":[300,\"00\"]}", "-128..127");
}

/* msgpack the command line cannot type, printed. */
static char *print_packed(void (*fn)(msgpack_packer *pk))
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
	size_t off = 0;
	char *s = NULL;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	fn(&pk);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, sb.data, sb.size, &off) == MSGPACK_UNPACK_SUCCESS)
		s = jm_dump(&u.data);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
	return s;
}

static void int_keys(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_int(pk, 1);
	msgpack_pack_int(pk, 2);
	msgpack_pack_array(pk, 0);
	msgpack_pack_nil(pk);
}

static void not_utf8(msgpack_packer *pk)
{
	msgpack_pack_str(pk, 2);
	msgpack_pack_str_body(pk, "\xff\xfe", 2);
}

static void nan_inf(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_double(pk, NAN);
	msgpack_pack_double(pk, INFINITY);
	msgpack_pack_float(pk, -INFINITY);
}

static void big_uint(msgpack_packer *pk)
{
	msgpack_pack_uint64(pk, UINT64_MAX);
}

TEST(printing_what_json_lacks)
{
	char *s;

	s = print_packed(int_keys);
	EXPECT_STREQ("{\"1\":2,\"[]\":null}", s);
	free(s);
	s = print_packed(not_utf8);
	EXPECT_STREQ("{\"$str\":\"fffe\"}", s);
	free(s);
	s = print_packed(nan_inf);
	EXPECT_STREQ("[\"nan\",\"inf\",\"-inf\"]", s);
	free(s);
	s = print_packed(big_uint);
	ASSERT_NE(NULL, s);
	/* No JSON integer holds it: a real, close enough to say so. */
	EXPECT_TRUE(strtod(s, NULL) > 1.8e19) TH_LOG("%s", s);
	free(s);
}

TEST(json_value_packed)
{
	json_t *j = json_loads("{\"a\":[1,2.5,\"x\",{\"$bin\":\"01\"}]}", 0, NULL);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
	char err[128];
	size_t off = 0;
	char *s;

	ASSERT_NE(NULL, j);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	ASSERT_EQ(0, jm_pack_json(&pk, j, err, sizeof(err)));
	msgpack_unpacked_init(&u);
	ASSERT_EQ(MSGPACK_UNPACK_SUCCESS,
		  msgpack_unpack_next(&u, sb.data, sb.size, &off));
	s = jm_dump(&u.data);
	EXPECT_STREQ("{\"a\":[1,2.5,\"x\",{\"$bin\":\"01\"}]}", s);
	free(s);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
	json_decref(j);
}

TEST_HARNESS_MAIN
