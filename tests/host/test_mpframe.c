// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host test of m4rpc-proxy's msgpack stream framing
 * (lib/mpframe.c): for objects of every type msgpack-c
 * packs, and the old raw strings msgpack-python 0.5 sends, the length is
 * found exactly, no prefix passes for a whole object (a message split
 * over TCP reads waits for its end), two messages back to back are cut
 * apart, and the elements of an array are located.
 */
#include <string.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "mpframe.h"

static void pack_all(msgpack_packer *pk)
{
	static const char s40[40] = "forty bytes make a str8, which stock...";
	static const char b300[300];

	msgpack_pack_array(pk, 21);
	msgpack_pack_nil(pk);
	msgpack_pack_true(pk);
	msgpack_pack_int(pk, -1);
	msgpack_pack_int(pk, 200);
	msgpack_pack_int64(pk, -5000000000LL);
	msgpack_pack_uint64(pk, UINT64_MAX);
	msgpack_pack_float(pk, 1.5f);
	msgpack_pack_double(pk, 2.5);
	msgpack_pack_str(pk, 3);
	msgpack_pack_str_body(pk, "abc", 3);
	msgpack_pack_str(pk, sizeof(s40));
	msgpack_pack_str_body(pk, s40, sizeof(s40));
	msgpack_pack_bin(pk, 5);
	msgpack_pack_bin_body(pk, "\0\1\2\3\4", 5);
	msgpack_pack_bin(pk, sizeof(b300));
	msgpack_pack_bin_body(pk, b300, sizeof(b300));
	msgpack_pack_ext(pk, 1, 7);
	msgpack_pack_ext_body(pk, "x", 1);
	msgpack_pack_ext(pk, 3, -2);
	msgpack_pack_ext_body(pk, "xyz", 3);
	msgpack_pack_ext(pk, 16, 1);
	msgpack_pack_ext_body(pk, "0123456789abcdef", 16);
	msgpack_pack_map(pk, 1);
	msgpack_pack_int(pk, 1);
	msgpack_pack_array(pk, 0);
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 0);
	msgpack_pack_array(pk, 1);
	msgpack_pack_nil(pk);
	msgpack_pack_uint16(pk, 0x1234);
	msgpack_pack_int32(pk, -70000);
	msgpack_pack_float(pk, -0.0f);
	msgpack_pack_ext(pk, 2, 0);
	msgpack_pack_ext_body(pk, "ab", 2);
}

TEST(every_type_framed_exactly)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_all(&pk);
	EXPECT_EQ(sb.size, mpf_len((uint8_t *)sb.data, sb.size));
	/* Every prefix is incomplete: a split message waits for its end. */
	for (i = 0; i < sb.size; i++)
		ASSERT_EQ(0, mpf_len((uint8_t *)sb.data, i)) TH_LOG("prefix %zu", i);
	msgpack_sbuffer_destroy(&sb);
}

TEST(two_messages_back_to_back)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t first;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_all(&pk);
	first = sb.size;
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 2);
	msgpack_pack_str(&pk, 3);
	msgpack_pack_str_body(&pk, "tty", 3);
	msgpack_pack_array(&pk, 0);
	EXPECT_EQ(first, mpf_len((uint8_t *)sb.data, sb.size));
	EXPECT_EQ(sb.size - first,
		  mpf_len((uint8_t *)sb.data + first, sb.size - first));
	msgpack_sbuffer_destroy(&sb);
}

TEST(old_raw_strings)
{
	/* msgpack-python 0.5, use_bin_type=False: fixraw and raw16, no str8. */
	static const uint8_t req[] = {
		0x94, 0x00, 0x00,		/* request, msgid 0 */
		0xa4, 'e', 'c', 'h', 'o',	/* fixraw */
		0x91, 0xda, 0x00, 0x28,		/* [raw16 of 40 bytes] */
		'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
	};
	size_t off[5];

	EXPECT_EQ(sizeof(req), mpf_len(req, sizeof(req)));
	ASSERT_EQ(4, mpf_array(req, sizeof(req), off, 4));
	EXPECT_EQ(1, off[0]);
	EXPECT_EQ(2, off[1]);
	EXPECT_EQ(3, off[2]);
	EXPECT_EQ(8, off[3]);
	EXPECT_EQ(sizeof(req), off[4]);
	EXPECT_EQ(0x91, req[off[3]]);
}

TEST(not_msgpack_and_not_one_array)
{
	static const uint8_t bad[] = { 0x92, 0x01, 0xc1 };
	static const uint8_t two[] = { 0x91, 0x01, 0x01 };
	static const uint8_t scalar[] = { 0x05 };
	static const uint8_t huge[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01 };
	size_t off[3];

	EXPECT_EQ(-1, mpf_len(bad, sizeof(bad)));
	EXPECT_EQ(-1, mpf_array(two, sizeof(two), off, 2));
	EXPECT_EQ(-1, mpf_array(scalar, sizeof(scalar), off, 2));
	/* A container that claims 2^32 items only waits for more bytes. */
	EXPECT_EQ(0, mpf_len(huge, sizeof(huge)));
	EXPECT_EQ(-1, mpf_array(huge, sizeof(huge), off, 2));
}

TEST(elements_beyond_max_still_walked)
{
	static const uint8_t m[] = { 0x95, 0x01, 0x02, 0xa1, 'x', 0x90, 0xc0 };
	size_t off[3];

	ASSERT_EQ(5, mpf_array(m, sizeof(m), off, 2));
	EXPECT_EQ(1, off[0]);
	EXPECT_EQ(2, off[1]);
	EXPECT_EQ(3, off[2]);
}

TEST_HARNESS_MAIN
