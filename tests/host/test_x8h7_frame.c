// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the frame codec (kernel/common/x8h7_frame.c) against the
 * docs/x8h7-link.md, "Transfers". Frames are written out byte by byte
 * from the spec, not produced by the code under test, wherever that matters.
 * Built with ASan/UBSan; every frame lives in a malloc()ed block of exactly
 * 256 bytes so that a read or write past it is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "x8h7_frame.h"

#define MAX_SUBS	80	/* 252 / 4 zero-length ones + 1, rounded up */

static u8 *frame_alloc(void)
{
	u8 *buf = malloc(X8H7_FRAME_LEN);

	if (buf)
		memset(buf, 0, X8H7_FRAME_LEN);
	return buf;
}

/* The 4-byte frame header as the spec writes it, checksum given explicitly. */
static void put_hdr(u8 *buf, unsigned int size, unsigned int csum)
{
	buf[0] = size & 0xff;
	buf[1] = size >> 8;
	buf[2] = csum & 0xff;
	buf[3] = csum >> 8;
}

static void put_hdr_ok(u8 *buf, unsigned int size)
{
	put_hdr(buf, size, size ^ 0x5555);
}

/*
 * A subframe header at payload offset @off, dropping the bytes that would
 * lie past the 252 carried ones; data filled with (off + i) so that each
 * byte says where it came from.
 */
static void put_sub(u8 *buf, unsigned int off, u8 periph, u8 opcode,
		    unsigned int len)
{
	u8 hdr[4] = { periph, opcode, len & 0xff, len >> 8 };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (off + i < 252)
			buf[4 + off + i] = hdr[i];
	for (i = 0; i < len; i++)
		if (off + 4 + i < 252)
			buf[4 + off + 4 + i] = (u8)(off + 4 + i);
}

struct walk {
	int rc;			/* enum x8h7_reject */
	int n;
	bool overrun;
	struct x8h7_subframe sf[MAX_SUBS];
};

/*
 * Walk @buf in @mode, recording every subframe. Returns false (and stops) if
 * a subframe lies outside the buffer, carries more than it announces, or the
 * walk does not end: the properties every caller relies on.
 */
static bool walk(const u8 *buf, enum x8h7_parse_mode mode, struct walk *w)
{
	struct x8h7_parser p;
	struct x8h7_subframe sf;

	memset(w, 0, sizeof(*w));
	w->rc = x8h7_parse_begin(&p, buf, mode);
	while (x8h7_parse_next(&p, &sf)) {
		if (w->n == MAX_SUBS)
			return false;
		if (sf.data < buf + X8H7_HDR_LEN ||
		    sf.data > buf + X8H7_FRAME_LEN ||
		    sf.carried > X8H7_FRAME_LEN - (sf.data - buf) ||
		    sf.carried > sf.len)
			return false;
		if (sf.truncated != (sf.carried < sf.len) && sf.len)
			return false;
		w->sf[w->n++] = sf;
	}
	w->overrun = p.overrun;
	/* The end is sticky. */
	return !x8h7_parse_next(&p, &sf);
}

static bool data_is_pattern(const struct x8h7_subframe *sf, const u8 *buf)
{
	unsigned int i, off = sf->data - buf - 4;

	for (i = 0; i < sf->carried; i++)
		if (sf->data[i] != (u8)(off + i))
			return false;
	return true;
}

/* ---- building ------------------------------------------------------------ */

TEST(init_is_empty_frame)
{
	u8 *buf = frame_alloc();
	struct walk w;
	int i;

	ASSERT_NE(NULL, buf);
	memset(buf, 0xa5, X8H7_FRAME_LEN);
	x8h7_frame_init(buf);
	ASSERT_EQ(0x00, buf[0]);
	ASSERT_EQ(0x00, buf[1]);
	ASSERT_EQ(0x55, buf[2]);
	ASSERT_EQ(0x55, buf[3]);
	for (i = 4; i < X8H7_FRAME_LEN; i++)
		ASSERT_EQ(0, buf[i]);
	ASSERT_EQ(0, x8h7_frame_size(buf));
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(0, w.n);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(0, w.n);
	free(buf);
}

/* BOOT_M4 and a UI message, compared with the bytes the spec implies. */
TEST(add_writes_spec_bytes)
{
	static const u8 msg[] = { 0x93, 0x02, 0xa3, 't', 't', 'y', 0x90 };
	static const u8 want[] = {
		0x0f, 0x00, 0x5a, 0x55,		/* size 15, 15 ^ 0x5555 */
		0x09, 0x77, 0x00, 0x00,		/* H7 BOOT_M4, no data */
		0x0a, 0x01, 0x07, 0x00,		/* UI, opcode 1, 7 bytes */
		0x93, 0x02, 0xa3, 't', 't', 'y', 0x90,
	};
	u8 *buf = frame_alloc();
	int i;

	ASSERT_NE(NULL, buf);
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add(buf, X8H7_PERIPH_H7, X8H7_H7_BOOT_M4,
				    NULL, 0));
	ASSERT_EQ(0, x8h7_frame_add(buf, X8H7_PERIPH_UI, X8H7_UI_DATA,
				    msg, sizeof(msg)));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
	for (i = sizeof(want); i < X8H7_FRAME_LEN; i++)
		ASSERT_EQ(0, buf[i]);
	ASSERT_EQ(15, x8h7_frame_size(buf));
	free(buf);
}

TEST(fits_boundaries)
{
	u8 *buf = frame_alloc();

	ASSERT_NE(NULL, buf);
	x8h7_frame_init(buf);
	ASSERT_TRUE(x8h7_frame_fits(buf, 248));
	ASSERT_FALSE(x8h7_frame_fits(buf, 249));
	ASSERT_FALSE(x8h7_frame_fits(buf, 0xffff));
	put_hdr_ok(buf, 248);
	ASSERT_TRUE(x8h7_frame_fits(buf, 0));
	ASSERT_FALSE(x8h7_frame_fits(buf, 1));
	put_hdr_ok(buf, 249);
	ASSERT_FALSE(x8h7_frame_fits(buf, 0));
	put_hdr_ok(buf, 0xffff);
	ASSERT_FALSE(x8h7_frame_fits(buf, 0));
	free(buf);
}

TEST(add_refuses_and_leaves_frame_unchanged)
{
	u8 *buf = frame_alloc(), before[X8H7_FRAME_LEN];
	static u8 data[256];

	ASSERT_NE(NULL, buf);
	x8h7_frame_init(buf);
	memcpy(before, buf, X8H7_FRAME_LEN);

	ASSERT_EQ(-EINVAL, x8h7_frame_add(buf, 0x00, 1, data, 1));
	ASSERT_EQ(-EINVAL, x8h7_frame_add(buf, 0xff, 1, data, 1));
	ASSERT_EQ(-EINVAL, x8h7_frame_add(buf, 0x0a, 1, data, 249));
	ASSERT_EQ(-EINVAL, x8h7_frame_add(buf, 0x0a, 1, NULL, 1));
	ASSERT_EQ(0, memcmp(before, buf, X8H7_FRAME_LEN));

	/* 248 + 4 = 252 exactly: full. */
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x0a, 1, data, 248));
	ASSERT_EQ(252, x8h7_frame_size(buf));
	memcpy(before, buf, X8H7_FRAME_LEN);
	ASSERT_EQ(-ENOSPC, x8h7_frame_add(buf, 0x0a, 1, data, 0));
	ASSERT_EQ(0, memcmp(before, buf, X8H7_FRAME_LEN));

	/* size 248 takes an empty subframe; 249 does not (249 + 4 > 252). */
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x0a, 1, data, 244));
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x05, 2, NULL, 0));
	ASSERT_EQ(252, x8h7_frame_size(buf));
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x0a, 1, data, 245));
	ASSERT_EQ(-ENOSPC, x8h7_frame_add(buf, 0x05, 2, NULL, 0));
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x0a, 1, data, 241));	/* 245 */
	ASSERT_EQ(-ENOSPC, x8h7_frame_add(buf, 0x0a, 1, data, 4));
	ASSERT_EQ(0, x8h7_frame_add(buf, 0x0a, 1, data, 3));	/* 252 */

	/* A frame already past 252 (as the H7 makes them): never added to. */
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 252));
	ASSERT_EQ(256, x8h7_frame_size(buf));
	memcpy(before, buf, X8H7_FRAME_LEN);
	ASSERT_EQ(-ENOSPC, x8h7_frame_add(buf, 0x0a, 1, NULL, 0));
	ASSERT_EQ(0, memcmp(before, buf, X8H7_FRAME_LEN));
	free(buf);
}

/*
 * The H7's enqueue: accepted when size + len <= 252, size += 4 + len.
 * Two 128-byte UI chunks do not fit (132 + 128 > 252); a second chunk of
 * 121..124 bytes does and makes size 253..256, storing only 252 bytes.
 */
TEST(add_h7_off_by_four)
{
	static u8 data[256];
	u8 *buf = frame_alloc(), *ref;
	unsigned int k, i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i + 1);

	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 128));
	ASSERT_EQ(132, x8h7_frame_size(buf));
	ASSERT_EQ(-ENOSPC, x8h7_frame_add_h7(buf, 0x0a, 1, data, 128));
	ASSERT_EQ(-ENOSPC, x8h7_frame_add_h7(buf, 0x0a, 1, data, 121));
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 120));
	ASSERT_EQ(256, x8h7_frame_size(buf));

	for (k = 1; k <= 4; k++) {
		unsigned int len = 120 + k, size = 128 + 4 + len;

		x8h7_frame_init(buf);
		ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 124));
		ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 2, data, len));
		ASSERT_EQ(252 + k, size);
		ASSERT_EQ(size, x8h7_frame_size(buf));
		ASSERT_EQ(size & 0xff, buf[0]);
		ASSERT_EQ(size >> 8, buf[1]);
		ASSERT_EQ((size ^ 0x5555) & 0xff, buf[2]);
		ASSERT_EQ((size ^ 0x5555) >> 8, buf[3]);
		ASSERT_EQ(0x0a, buf[4 + 128]);
		ASSERT_EQ(2, buf[4 + 129]);
		ASSERT_EQ(len & 0xff, buf[4 + 130]);
		ASSERT_EQ(len >> 8, buf[4 + 131]);
		/* 120 data bytes carried, the last k lost. */
		ASSERT_EQ(0, memcmp(buf + 4 + 132, data, 120));
		/* Nothing more to the H7, whatever the length. */
		ASSERT_EQ(-ENOSPC, x8h7_frame_add_h7(buf, 0x0a, 1, NULL, 0));
	}

	/* A full frame still takes an empty subframe, its header lost. */
	x8h7_frame_init(buf);
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 248));
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x09, 0x77, NULL, 0));
	ASSERT_EQ(256, x8h7_frame_size(buf));
	ASSERT_EQ(0, memcmp(buf + 8, data, 248));

	/* One subframe of 252 (accepted: 0 + 252 <= 252) gives size 256. */
	x8h7_frame_init(buf);
	ASSERT_EQ(-ENOSPC, x8h7_frame_add_h7(buf, 0x0a, 1, data, 253));
	ASSERT_EQ(0, x8h7_frame_add_h7(buf, 0x0a, 1, data, 252));
	ASSERT_EQ(256, x8h7_frame_size(buf));
	ASSERT_EQ(252, buf[6]);
	ASSERT_EQ(0, buf[7]);
	ASSERT_EQ(0, memcmp(buf + 8, data, 248));

	/* Below 252 it is the same as the correct add. */
	ref = frame_alloc();
	ASSERT_NE(NULL, ref);
	x8h7_frame_init(buf);
	x8h7_frame_init(ref);
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, x8h7_frame_add_h7(buf, 5, i, data, 30 + i));
		ASSERT_EQ(0, x8h7_frame_add(ref, 5, i, data, 30 + i));
	}
	ASSERT_EQ(0, memcmp(buf, ref, X8H7_FRAME_LEN));
	free(ref);
	free(buf);
}

/* ---- parsing: sizes and boundaries ---------------------------------------- */

TEST(size_252_full)
{
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	/* FC 00 A9 55 | 0A 01 F8 00 | 248 bytes */
	put_hdr(buf, 0x00fc, 0x55a9);
	put_sub(buf, 0, 0x0a, 0x01, 248);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(1, w.n);
	ASSERT_EQ(0x0a, w.sf[0].periph);
	ASSERT_EQ(0x01, w.sf[0].opcode);
	ASSERT_EQ(248, w.sf[0].len);
	ASSERT_EQ(248, w.sf[0].carried);
	ASSERT_FALSE(w.sf[0].truncated);
	ASSERT_TRUE(w.sf[0].data == buf + 8);
	ASSERT_TRUE(data_is_pattern(&w.sf[0], buf));

	/* Full with three subframes, the last one ending at byte 252. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 252);
	put_sub(buf, 0, 0x07, 0x10, 100);
	put_sub(buf, 104, 0x0a, 0x01, 0);
	put_sub(buf, 108, 0x0a, 0x01, 140);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(3, w.n);
	ASSERT_EQ(140, w.sf[2].carried);
	ASSERT_FALSE(w.sf[2].truncated);
	ASSERT_TRUE(data_is_pattern(&w.sf[2], buf));
	free(buf);
}

/*
 * size 253..256 from the H7's enqueue: a first subframe of 124 bytes
 * (payload 0..127), then one at 128 with 4 + len = size - 128 whose tail
 * (k = size - 252 bytes) never crossed the wire.
 */
TEST(size_253_to_256_truncated_tail)
{
	u8 *buf = frame_alloc();
	unsigned int size;
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (size = 253; size <= 256; size++) {
		unsigned int len = size - 128 - 4;

		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, size);
		put_sub(buf, 0, 0x0a, 0x01, 124);
		put_sub(buf, 128, 0x0a, 0x01, len);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_OK, w.rc);
		ASSERT_EQ(2, w.n);
		ASSERT_FALSE(w.sf[0].truncated);
		ASSERT_EQ(124, w.sf[0].carried);
		ASSERT_EQ(len, w.sf[1].len);
		ASSERT_EQ(120, w.sf[1].carried);
		ASSERT_EQ(len - 120, size - 252);
		ASSERT_TRUE(w.sf[1].truncated);
		ASSERT_TRUE(w.sf[1].data == buf + 4 + 132);
		ASSERT_TRUE(data_is_pattern(&w.sf[1], buf));
		/* One subframe of size - 4 bytes, the whole frame. */
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, size);
		put_sub(buf, 0, 0x0a, 0x01, size - 4);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_OK, w.rc);
		ASSERT_EQ(1, w.n);
		ASSERT_EQ(size - 4, w.sf[0].len);
		ASSERT_EQ(248, w.sf[0].carried);
		ASSERT_TRUE(w.sf[0].truncated);
	}
	free(buf);
}

/* The header sits at 248: carried whole, but not one data byte. */
TEST(size_253_header_carried_no_data)
{
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	put_hdr_ok(buf, 253);
	put_sub(buf, 0, 0x07, 0x01, 244);
	put_sub(buf, 248, 0x0a, 0x01, 1);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(2, w.n);
	ASSERT_EQ(0x0a, w.sf[1].periph);
	ASSERT_EQ(1, w.sf[1].len);
	ASSERT_EQ(0, w.sf[1].carried);
	ASSERT_TRUE(w.sf[1].truncated);
	ASSERT_TRUE(w.sf[1].data == buf + X8H7_FRAME_LEN);
	free(buf);
}

/*
 * Headers cut by byte 252: at 252 (nothing carried), 251 (periph only),
 * 250 (periph, opcode), 249 (periph, opcode, low len byte). len is then
 * what size implies: the H7 made this subframe end exactly at size.
 */
TEST(size_253_to_256_header_not_carried)
{
	static const struct {
		unsigned int at, size, periph, opcode, len;
	} c[] = {
		{ 252, 256, 0x00, 0x00, 0 },
		{ 251, 255, 0x0a, 0x00, 0 },
		{ 251, 256, 0x0a, 0x00, 1 },
		{ 250, 254, 0x0a, 0x01, 0 },
		{ 250, 256, 0x0a, 0x01, 2 },
		{ 249, 253, 0x0a, 0x01, 0 },
		{ 249, 256, 0x0a, 0x01, 3 },
	};
	u8 *buf = frame_alloc();
	unsigned int i;
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, c[i].size);
		put_sub(buf, 0, 0x05, 0x03, c[i].at - 4);
		put_sub(buf, c[i].at, 0x0a, 0x01, c[i].len);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_OK, w.rc);
		ASSERT_EQ(2, w.n);
		ASSERT_EQ(c[i].at - 4, w.sf[0].carried);
		ASSERT_FALSE(w.sf[0].truncated);
		ASSERT_EQ(c[i].periph, w.sf[1].periph);
		ASSERT_EQ(c[i].opcode, w.sf[1].opcode);
		ASSERT_EQ(c[i].len, w.sf[1].len);
		ASSERT_EQ(0, w.sf[1].carried);
		ASSERT_TRUE(w.sf[1].truncated);
	}

	/* The same frames as x8h7_frame_add_h7() builds them. */
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		static u8 data[256];
		u8 *ref = frame_alloc();
		unsigned int j;

		ASSERT_NE(NULL, ref);
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, c[i].size);
		put_sub(buf, 0, 0x05, 0x03, c[i].at - 4);
		put_sub(buf, c[i].at, 0x0a, 0x01, c[i].len);
		for (j = 0; j < sizeof(data); j++)
			data[j] = (u8)(4 + j);
		x8h7_frame_init(ref);
		ASSERT_EQ(0, x8h7_frame_add_h7(ref, 0x05, 0x03, data,
					       c[i].at - 4));
		ASSERT_EQ(0, x8h7_frame_add_h7(ref, 0x0a, 0x01, data,
					       c[i].len));
		ASSERT_EQ(c[i].size, x8h7_frame_size(ref));
		ASSERT_EQ(0, memcmp(buf, ref, X8H7_FRAME_LEN));
		free(ref);
	}
	free(buf);
}

TEST(size_257_and_more_rejected)
{
	static const unsigned int sizes[] = { 257, 258, 0x1ff, 0x8000, 0xffff };
	u8 *buf = frame_alloc();
	unsigned int i;
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, sizes[i]);
		put_sub(buf, 0, 0x0a, 0x01, 248);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_SIZE, w.rc);
		ASSERT_EQ(0, w.n);
	}
	/* 257 with a subframe that would end there: still SIZE. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 257);
	put_sub(buf, 0, 0x0a, 0x01, 253);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_REJECT_SIZE, w.rc);
	free(buf);
}

TEST(bad_checksum_rejected)
{
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	/* 04 00 51 55 09 77 00 00 is BOOT_M4; flip each checksum bit. */
	for (int bit = 0; bit < 16; bit++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr(buf, 4, 0x5551 ^ (1u << bit));
		put_sub(buf, 0, 0x09, 0x77, 0);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_CSUM, w.rc);
		ASSERT_EQ(0, w.n);
		/* The H7 does not look at the checksum. */
		ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
		ASSERT_EQ(1, w.n);
	}
	put_hdr(buf, 4, 0x5551);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(1, w.n);

	/* An all-zero header (no checksum at all). */
	memset(buf, 0, X8H7_FRAME_LEN);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_REJECT_CSUM, w.rc);
	/* A bad checksum wins over a bad size. */
	put_hdr(buf, 300, 0);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_REJECT_CSUM, w.rc);
	free(buf);
}

TEST(subframe_ending_exactly_at_size)
{
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	put_hdr_ok(buf, 10);
	put_sub(buf, 0, 0x0a, 0x01, 6);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(1, w.n);
	ASSERT_EQ(6, w.sf[0].carried);
	ASSERT_TRUE(data_is_pattern(&w.sf[0], buf));
	free(buf);
}

TEST(subframe_one_byte_past_size_rejected)
{
	u8 *buf = frame_alloc();
	unsigned int size;
	struct walk w;

	ASSERT_NE(NULL, buf);
	/* Every size: one subframe announcing one byte more than there is. */
	for (size = 4; size <= 256; size++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, size);
		put_sub(buf, 0, 0x0a, 0x01, size - 3);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
		ASSERT_EQ(0, w.n);
		/* And the same as second subframe. */
		if (size >= 8) {
			memset(buf, 0, X8H7_FRAME_LEN);
			put_hdr_ok(buf, size);
			put_sub(buf, 0, 0x07, 0x01, 0);
			put_sub(buf, 4, 0x0a, 0x01, size - 7);
			ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
			ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
		}
	}
	/* Largest len: no wrap anywhere. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 252);
	put_sub(buf, 0, 0x0a, 0x01, 0xffff);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
	free(buf);
}

/* 1..3 bytes left after the last subframe: a header cut by size. */
TEST(header_cut_by_size_rejected)
{
	u8 *buf = frame_alloc();
	unsigned int size, rest;
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (size = 1; size <= 3; size++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, size);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
	}
	for (rest = 1; rest <= 3; rest++) {
		/* Below 252 and past it (where the header is not carried). */
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, 20 + rest);
		put_sub(buf, 0, 0x0a, 0x01, 16);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, 252 + rest);
		put_sub(buf, 0, 0x0a, 0x01, 248);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
	}
	free(buf);
}

TEST(zero_length_subframes)
{
	u8 *buf = frame_alloc();
	unsigned int i;
	struct walk w;

	ASSERT_NE(NULL, buf);
	/* 63 empty subframes fill 252 bytes exactly. */
	put_hdr_ok(buf, 252);
	for (i = 0; i < 63; i++)
		put_sub(buf, 4 * i, 0x09, (u8)i, 0);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(63, w.n);
	for (i = 0; i < 63; i++) {
		ASSERT_EQ(0, w.sf[i].len);
		ASSERT_EQ(0, w.sf[i].carried);
		ASSERT_EQ(i, w.sf[i].opcode);
		ASSERT_FALSE(w.sf[i].truncated);
		ASSERT_TRUE(w.sf[i].data == buf + 4 + 4 * i + 4);
	}
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(63, w.n);
	ASSERT_FALSE(w.overrun);
	/* A 64th at 252 (the H7's off-by-four): lost whole. */
	put_hdr_ok(buf, 256);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(64, w.n);
	ASSERT_TRUE(w.sf[63].truncated);
	ASSERT_EQ(0, w.sf[63].len);
	ASSERT_EQ(0, w.sf[63].periph);
	/* Zero-length between data subframes. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 4 + 3 + 4 + 4 + 4 + 2);
	put_sub(buf, 0, 0x0a, 0x01, 3);
	put_sub(buf, 7, 0x09, 0x10, 0);
	put_sub(buf, 11, 0x09, 0x10, 0);
	put_sub(buf, 15, 0x0a, 0x01, 2);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_OK, w.rc);
	ASSERT_EQ(4, w.n);
	ASSERT_EQ(2, w.sf[3].carried);
	ASSERT_TRUE(data_is_pattern(&w.sf[3], buf));
	free(buf);
}

/* Strict mode returns them (the caller counts them); the H7 stops there. */
TEST(periph_00_and_ff)
{
	static const u8 stop[] = { 0x00, 0xff };
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (int i = 0; i < 2; i++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, 5 + 6 + 4);
		put_sub(buf, 0, 0x0a, 0x01, 1);
		put_sub(buf, 5, stop[i], 0x01, 2);
		put_sub(buf, 11, 0x07, 0x02, 0);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_OK, w.rc);
		ASSERT_EQ(3, w.n);
		ASSERT_EQ(stop[i], w.sf[1].periph);
		ASSERT_EQ(2, w.sf[1].len);
		ASSERT_EQ(0x07, w.sf[2].periph);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
		ASSERT_EQ(1, w.n);
		ASSERT_EQ(0x0a, w.sf[0].periph);
		ASSERT_FALSE(w.overrun);
		/* First subframe: nothing at all for the H7. */
		put_sub(buf, 0, stop[i], 0x01, 1);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
		ASSERT_EQ(0, w.n);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(3, w.n);
	}
	free(buf);
}

/* What the H7 does with frames a buggy Linux could send. */
TEST(h7_mode_on_bad_frames)
{
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	/* size 256, one subframe of 252: the H7 would read past its buffer. */
	put_hdr_ok(buf, 256);
	put_sub(buf, 0, 0x0a, 0x01, 252);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(0, w.n);
	ASSERT_TRUE(w.overrun);
	/* Two, the second past 252. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 256);
	put_sub(buf, 0, 0x0a, 0x01, 100);
	put_sub(buf, 104, 0x0a, 0x01, 148);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(1, w.n);
	ASSERT_TRUE(w.overrun);
	/* A header at 252 and beyond: overrun too. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr(buf, 0xffff, 0);
	put_sub(buf, 0, 0x0a, 0x01, 248);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(1, w.n);
	ASSERT_EQ(248, w.sf[0].carried);
	ASSERT_TRUE(w.overrun);
	/* A len running past size but inside 252: delivered, then the end. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 8);
	put_sub(buf, 0, 0x0a, 0x01, 20);
	put_sub(buf, 24, 0x07, 0x01, 0);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(1, w.n);
	ASSERT_EQ(20, w.sf[0].carried);
	ASSERT_FALSE(w.overrun);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
	ASSERT_EQ(X8H7_REJECT_SUBFRAME, w.rc);
	/* size 0 with subframe bytes behind it: nothing. */
	memset(buf, 0, X8H7_FRAME_LEN);
	put_hdr_ok(buf, 0);
	put_sub(buf, 0, 0x0a, 0x01, 20);
	ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
	ASSERT_EQ(0, w.n);
	free(buf);
}

/* Every size 0..256 with one subframe filling it, and every split in two. */
TEST(every_size_one_and_two_subframes)
{
	u8 *buf = frame_alloc();
	unsigned int size, a;
	struct walk w;

	ASSERT_NE(NULL, buf);
	for (size = 4; size <= 256; size++) {
		memset(buf, 0, X8H7_FRAME_LEN);
		put_hdr_ok(buf, size);
		put_sub(buf, 0, 0x0a, 0x01, size - 4);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_EQ(X8H7_OK, w.rc);
		ASSERT_EQ(1, w.n);
		ASSERT_EQ(size > 252, w.sf[0].truncated);
		ASSERT_EQ(size > 252 ? 248 : size - 4, w.sf[0].carried);

		for (a = 4; a + 4 <= size; a++) {
			memset(buf, 0, X8H7_FRAME_LEN);
			put_hdr_ok(buf, size);
			put_sub(buf, 0, 0x03, 0x01, a - 4);
			put_sub(buf, a, 0x0a, 0x01, size - a - 4);
			ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
			ASSERT_EQ(X8H7_OK, w.rc);
			ASSERT_EQ(2, w.n);
			ASSERT_EQ(a - 4, w.sf[0].len);
			ASSERT_EQ(size > 252, w.sf[1].truncated);
			ASSERT_FALSE(w.sf[0].truncated);
			ASSERT_TRUE(data_is_pattern(&w.sf[0], buf));
			ASSERT_TRUE(data_is_pattern(&w.sf[1], buf));
		}
	}
	free(buf);
}

/* ---- random --------------------------------------------------------------- */

#define TEST_RAND_ENV "X8H7_SEED"
#include "test_rand.h"

static bool same_walk(const struct walk *a, const struct walk *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (memcmp(&a->sf[i], &b->sf[i], sizeof(a->sf[i])))
			return false;
	return true;
}

/* Frames Linux may send (built by x8h7_frame_add): both modes agree. */
TEST(modes_agree_on_valid_frames)
{
	u8 *buf = frame_alloc(), data[248];
	struct walk ws, wh;
	int iter, added;

	ASSERT_NE(NULL, buf);
	rnd_seed(_metadata, 0x5eed0001);
	for (iter = 0; iter < 20000; iter++) {
		x8h7_frame_init(buf);
		added = 0;
		for (;;) {
			u16 len = rnd() % 4 ? rnd() % 40 : rnd() % 249;
			u8 periph = 1 + rnd() % 254;

			for (int i = 0; i < len; i++)
				data[i] = (u8)rnd();
			if (!x8h7_frame_fits(buf, len)) {
				ASSERT_EQ(-ENOSPC, x8h7_frame_add(buf, periph,
								  0, data, len));
				break;
			}
			ASSERT_EQ(0, x8h7_frame_add(buf, periph, (u8)rnd(),
						    data, len));
			added++;
			if (rnd() % 8 == 0)
				break;
		}
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &ws));
		ASSERT_EQ(X8H7_OK, ws.rc);
		ASSERT_EQ(added, ws.n);
		ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &wh));
		ASSERT_FALSE(wh.overrun);
		ASSERT_TRUE(same_walk(&ws, &wh));
	}
	free(buf);
}

/*
 * Random 256-byte blocks never make either walk leave the buffer (ASan
 * would abort; walk() checks every subframe lies inside it). Sizes are
 * biased towards 0..260 with a right checksum half the time, and subframe
 * headers towards plausible values, so that the deep paths are reached.
 */
TEST(random_frames_stay_inside)
{
	unsigned int iter, counts[X8H7_REJECT_NR] = { 0 }, truncated = 0;
	u8 *buf = frame_alloc();
	struct walk w;

	ASSERT_NE(NULL, buf);
	rnd_seed(_metadata, 0x5eed0002);
	for (iter = 0; iter < 300000; iter++) {
		unsigned int size, off, i;

		for (i = 0; i < X8H7_FRAME_LEN; i++)
			buf[i] = (u8)rnd();
		size = rnd() % 4 ? rnd() % 261 : rnd() & 0xffff;
		if (rnd() % 2)
			put_hdr_ok(buf, size);
		/* Chain plausible headers so that some frames are valid. */
		for (off = 0; off < 252 && rnd() % 8; ) {
			unsigned int len = rnd() % 3 ? rnd() % 64 : rnd() % 300;

			if (rnd() % 3 == 0 && off + 4 <= size)
				len = size - off - 4;
			put_sub(buf, off, (u8)rnd(), (u8)rnd(), len);
			off += 4 + len;
		}
		ASSERT_TRUE(walk(buf, X8H7_PARSE_STRICT, &w));
		ASSERT_LT(w.rc, X8H7_REJECT_NR);
		counts[w.rc]++;
		if (w.rc == X8H7_OK) {
			unsigned int sum = 0;

			for (i = 0; i < (unsigned int)w.n; i++) {
				sum += 4 + w.sf[i].len;
				/* Only the last may be truncated. */
				if (w.sf[i].truncated) {
					ASSERT_EQ(i, (unsigned int)w.n - 1);
					truncated++;
				}
			}
			ASSERT_EQ(x8h7_frame_size(buf), sum);
		} else {
			ASSERT_EQ(0, w.n);
		}
		ASSERT_TRUE(walk(buf, X8H7_PARSE_H7, &w));
		for (i = 0; i < (unsigned int)w.n; i++)
			ASSERT_FALSE(w.sf[i].truncated);
	}
	/* The generator must reach every outcome, or this test proves little. */
	for (int i = 0; i < X8H7_REJECT_NR; i++)
		ASSERT_LT(1000u, counts[i]);
	ASSERT_LT(100u, truncated);
	TH_LOG("ok %u csum %u size %u subframe %u truncated %u",
	       counts[X8H7_OK], counts[X8H7_REJECT_CSUM],
	       counts[X8H7_REJECT_SIZE], counts[X8H7_REJECT_SUBFRAME],
	       truncated);
	free(buf);
}

TEST_HARNESS_MAIN
