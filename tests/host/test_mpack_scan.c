// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the msgpack scanner and the msgpack-rpc envelope helpers
 * (kernel/common/m4rpc_mp_scan.c). Built with ASan/UBSan; the code under test
 * always gets malloc()ed copies of exactly the bytes it is given, so that a
 * read past them is caught. Independent references: msgpack-c (packing test
 * data, decoding what the helpers write) and ref_obj() below, a recursive
 * decoder written for these tests only.
 */
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "mpack_scan.h"
#include "rpc_reasm.h"

/* ---- helpers ------------------------------------------------------------- */

#define TEST_RAND_ENV "M4RPC_MP_SEED"
#include "test_rand.h"

/* An exact-size heap copy, so ASan sees any read past @n. */
static u8 *dup_exact(const void *p, size_t n)
{
	u8 *c = calloc(1, n ? n : 1);

	if (c && n)
		memcpy(c, p, n);
	return c;
}

/*
 * The reference: the object at *@pos, recursively. @level is the number of
 * containers around it. Returns 0 with *@pos after the object, -EAGAIN when
 * the bytes end first, or -EBADMSG (0xc1) / -E2BIG (a container at level 32)
 * with *@pos just after the offending byte.
 */
static int ref_obj(const u8 *b, size_t len, size_t *pos, int level)
{
	u64 n = 0, elems = 0, i;
	unsigned int lb = 0, fixed = 0, ext = 0;
	bool container = false;
	u8 c;

	if (*pos >= len)
		return -EAGAIN;
	c = b[(*pos)++];
	if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
		return 0;
	if (c == 0xc1)
		return -EBADMSG;
	if (c <= 0x8f) {
		container = true;
		elems = 2 * (u64)(c & 0xf);
	} else if (c <= 0x9f) {
		container = true;
		elems = c & 0xf;
	} else if (c <= 0xbf) {
		fixed = c & 0x1f;
	} else if (c >= 0xc4 && c <= 0xc6) {
		lb = 1u << (c - 0xc4);
	} else if (c >= 0xc7 && c <= 0xc9) {
		lb = 1u << (c - 0xc7);
		ext = 1;
	} else if (c == 0xca) {
		fixed = 4;
	} else if (c == 0xcb) {
		fixed = 8;
	} else if (c >= 0xcc && c <= 0xcf) {
		fixed = 1u << (c - 0xcc);
	} else if (c >= 0xd0 && c <= 0xd3) {
		fixed = 1u << (c - 0xd0);
	} else if (c >= 0xd4 && c <= 0xd8) {
		fixed = 1 + (1u << (c - 0xd4));
	} else if (c >= 0xd9 && c <= 0xdb) {
		lb = 1u << (c - 0xd9);
	} else {
		/* dc dd de df */
		lb = (c & 1) ? 4 : 2;
		container = true;
	}
	if (container && level == M4RPC_MP_SCAN_DEPTH)
		return -E2BIG;
	for (i = 0; i < lb; i++) {
		if (*pos >= len)
			return -EAGAIN;
		n = n << 8 | b[(*pos)++];
	}
	if (container) {
		if (lb)
			elems = c >= 0xde ? 2 * n : n;
		for (i = 0; i < elems; i++) {
			int rc = ref_obj(b, len, pos, level + 1);

			if (rc)
				return rc;
		}
		return 0;
	}
	n = lb ? n + ext : fixed;
	if (len - *pos < n) {
		*pos = len;
		return -EAGAIN;
	}
	*pos += n;
	return 0;
}

#define MAX_ENDS 20000

/* What scanning a stream gave: every object end, and how it stopped. */
struct scan_result {
	int err;		/* 0, or the error */
	size_t err_at;		/* stream offset just after the offending byte */
	int nends;
	bool idle;		/* idle after the last byte */
	bool broken;		/* an API rule was broken (used > len, ...) */
	size_t ends[MAX_ENDS];
};

static void scan_piece(struct m4rpc_mp_scan *s, const u8 *base, size_t from,
		       size_t to, struct scan_result *r)
{
	while (from < to && !r->err) {
		size_t used = (size_t)-1;
		int rc = m4rpc_mp_scan_feed(s, base + from, to - from, &used);

		if (used > to - from) {
			r->broken = true;
			return;
		}
		from += used;
		if (rc == M4RPC_MP_SCAN_DONE) {
			if (!used || r->nends == MAX_ENDS || !m4rpc_mp_scan_idle(s)) {
				r->broken = true;
				return;
			}
			r->ends[r->nends++] = from;
		} else if (rc < 0) {
			r->err = rc;
			r->err_at = from;
			/* Sticky: nothing taken until re-initialised. */
			if (m4rpc_mp_scan_feed(s, base, 1, &used) != rc || used)
				r->broken = true;
		} else if (rc != M4RPC_MP_SCAN_MORE || from != to) {
			r->broken = true;
			return;
		}
	}
}

/*
 * Scan @len bytes (an exact-size heap copy is made) in pieces: cut at @split
 * if it is not (size_t)-1, then every piece in chunks of at most @step bytes
 * (0: whole; (size_t)-2: random sizes 1..128, like the H7's UI chunks).
 */
static void scan_stream(const u8 *data, size_t len, size_t split, size_t step,
			struct scan_result *r)
{
	u8 *d = dup_exact(data, len);
	struct m4rpc_mp_scan s;
	size_t cuts[2] = { len, len }, from = 0;
	int c;

	memset(r, 0, sizeof(*r) - sizeof(r->ends));
	m4rpc_mp_scan_init(&s);
	if (!m4rpc_mp_scan_idle(&s))
		r->broken = true;
	if (split != (size_t)-1)
		cuts[0] = split;
	for (c = 0; c < 2; c++) {
		while (from < cuts[c] && !r->err && !r->broken) {
			size_t n = cuts[c] - from;

			if (step == (size_t)-2)
				n = n < 128 ? n : 1 + rnd() % 128;
			else if (step && n > step)
				n = step;
			if (n > cuts[c] - from)
				n = cuts[c] - from;
			scan_piece(&s, d, from, from + n, r);
			from += n;
		}
	}
	r->idle = m4rpc_mp_scan_idle(&s);
	free(d);
}

/* The reference's view of the same stream. */
static void ref_stream(const u8 *d, size_t len, struct scan_result *r)
{
	size_t pos = 0, start;
	int rc;

	memset(r, 0, sizeof(*r) - sizeof(r->ends));
	r->idle = true;
	while (pos < len) {
		start = pos;
		rc = ref_obj(d, len, &pos, 0);
		if (rc == -EAGAIN) {
			r->idle = false;
			return;
		}
		if (rc) {
			r->err = rc;
			r->err_at = pos;
			r->idle = false;
			return;
		}
		if (r->nends == MAX_ENDS || pos == start) {
			r->broken = true;
			return;
		}
		r->ends[r->nends++] = pos;
	}
}

static bool same_result(const struct scan_result *a,
			const struct scan_result *b)
{
	return !a->broken && !b->broken && a->err == b->err &&
	       a->err_at == b->err_at && a->nends == b->nends &&
	       a->idle == b->idle &&
	       !memcmp(a->ends, b->ends, a->nends * sizeof(a->ends[0]));
}

static struct scan_result res_a, res_b;	/* too big for the stack */

/* ---- the type and length-class corpus ------------------------------------- */

#define OBJ(...) { (const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ }) }

/* Every lead byte class written out by hand, short forms included. */
static const struct obj {
	const u8 *b;
	size_t n;
} corpus[] = {
	OBJ(0x00), OBJ(0x05), OBJ(0x7f),			/* positive fixint */
	OBJ(0xe0), OBJ(0xff),					/* negative fixint */
	OBJ(0xc0), OBJ(0xc2), OBJ(0xc3),			/* nil, bool */
	OBJ(0xcc, 0xff), OBJ(0xcd, 0x12, 0x34),			/* uint8..64 */
	OBJ(0xce, 1, 2, 3, 4), OBJ(0xcf, 1, 2, 3, 4, 5, 6, 7, 8),
	OBJ(0xd0, 0x80), OBJ(0xd1, 0x80, 0),			/* int8..64 */
	OBJ(0xd2, 0xff, 0xff, 0xff, 0xfe),
	OBJ(0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0),
	OBJ(0xca, 0x3f, 0x80, 0, 0),				/* float32 */
	OBJ(0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0),		/* float64 */
	OBJ(0xa0), OBJ(0xa3, 'a', 'b', 'c'),			/* fixstr */
	OBJ(0xd9, 0), OBJ(0xd9, 3, 'a', 'b', 'c'),		/* str8 */
	OBJ(0xda, 0, 0), OBJ(0xda, 0, 2, 'a', 'b'),		/* str16 */
	OBJ(0xdb, 0, 0, 0, 0), OBJ(0xdb, 0, 0, 0, 1, 'x'),	/* str32 */
	OBJ(0xc4, 0), OBJ(0xc4, 2, 0xc1, 0xc1),			/* bin8 */
	OBJ(0xc5, 0, 0), OBJ(0xc5, 0, 1, 0x93),			/* bin16 */
	OBJ(0xc6, 0, 0, 0, 0), OBJ(0xc6, 0, 0, 0, 2, 0xdd, 0xdf),/* bin32 */
	OBJ(0xd4, 1, 0xc1),					/* fixext1..16 */
	OBJ(0xd5, 1, 0xc1, 0xc1),
	OBJ(0xd6, 0xff, 1, 2, 3, 4),
	OBJ(0xd7, 0xff, 1, 2, 3, 4, 5, 6, 7, 8),
	OBJ(0xd8, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	    16),
	OBJ(0xc7, 0, 1), OBJ(0xc7, 2, 1, 0xc1, 0xc1),		/* ext8 */
	OBJ(0xc8, 0, 0, 1), OBJ(0xc8, 0, 1, 1, 0xc1),		/* ext16 */
	OBJ(0xc9, 0, 0, 0, 0, 1), OBJ(0xc9, 0, 0, 0, 1, 1, 0xc1),/* ext32 */
	OBJ(0x90), OBJ(0x93, 1, 2, 3),				/* fixarray */
	OBJ(0x9f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
	OBJ(0xdc, 0, 0), OBJ(0xdc, 0, 2, 0xc0, 0xc0),		/* array16 */
	OBJ(0xdd, 0, 0, 0, 0), OBJ(0xdd, 0, 0, 0, 1, 0xc0),	/* array32 */
	OBJ(0x80), OBJ(0x81, 1, 2),				/* fixmap */
	OBJ(0x8f, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
	    10, 10, 11, 11, 12, 12, 13, 13, 14, 14),
	OBJ(0xde, 0, 0), OBJ(0xde, 0, 1, 0xa1, 'k', 0xc3),	/* map16 */
	OBJ(0xdf, 0, 0, 0, 0), OBJ(0xdf, 0, 0, 0, 1, 1, 0x90),	/* map32 */
	/* Nesting, containers closing together, empty ones inside. */
	OBJ(0x91, 0x91, 0x91, 0x90),
	OBJ(0x82, 0x90, 0x80, 0xa1, 'k', 0x92, 0x81, 0xc0, 0x91, 0x90, 0xc3),
	OBJ(0x92, 0xdc, 0, 1, 0xde, 0, 1, 0xc4, 1, 0, 0xd4, 0, 0, 0x07),
	/* msgpack-rpc messages as the M4 sends them. */
	OBJ(0x94, 0x00, 0xce, 0x20, 0x00, 0x12, 0x34, 0xa3, 'g', 'a', 's',
	    0x90),
	OBJ(0x94, 0x01, 0x07, 0xc0, 0xcb, 0x40, 0x59, 0, 0, 0, 0, 0, 0),
	OBJ(0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 3, 'h', 'i', '\n'),
};

#define NCORPUS (sizeof(corpus) / sizeof(corpus[0]))

static bool msgpack_c_len(const u8 *b, size_t n, size_t *len)
{
	msgpack_unpacked u;
	size_t off = 0;
	bool ok;

	msgpack_unpacked_init(&u);
	ok = msgpack_unpack_next(&u, (const char *)b, n, &off) ==
	     MSGPACK_UNPACK_SUCCESS;
	msgpack_unpacked_destroy(&u);
	*len = off;
	return ok;
}

/* Every object: whole, every prefix, trailing bytes, byte by byte. */
#define CHECK(cond) ASSERT_TRUE(cond) { \
	TH_LOG("object with lead byte 0x%02x, %zu bytes", b[0], n); }

static void check_one_object(struct __test_metadata *_metadata,
			     const u8 *b, size_t n)
{
	u8 *d = dup_exact(b, n), *t = malloc(n + 3);
	struct m4rpc_mp_scan s;
	size_t k, used, mc;

	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, t);
	CHECK(m4rpc_mp_object_len(d, n) == (int)n);
	/* msgpack-c agrees on where it ends. */
	CHECK(msgpack_c_len(d, n, &mc) && mc == n);
	/* Cut short anywhere: not complete. */
	for (k = 0; k < n; k++) {
		u8 *p = dup_exact(b, k);

		CHECK(m4rpc_mp_object_len(p, k) == -EAGAIN);
		free(p);
	}
	/* Followed by more bytes: still ends where it ends. */
	memcpy(t, b, n);
	memcpy(t + n, "\xc1\x94\xdd", 3);
	CHECK(m4rpc_mp_object_len(t, n + 3) == (int)n);
	/* Byte by byte: MORE, MORE, ..., DONE on the last byte. */
	m4rpc_mp_scan_init(&s);
	for (k = 0; k < n; k++) {
		int rc = m4rpc_mp_scan_feed(&s, d + k, 1, &used);

		CHECK(used == 1);
		CHECK(rc == (k + 1 == n ? M4RPC_MP_SCAN_DONE : M4RPC_MP_SCAN_MORE));
		CHECK(m4rpc_mp_scan_idle(&s) == (k + 1 == n));
	}
	free(d);
	free(t);
}

TEST(every_type_by_hand)
{
	size_t i;

	for (i = 0; i < NCORPUS; i++)
		check_one_object(_metadata, corpus[i].b, corpus[i].n);
}

/*
 * Every length class as msgpack-c encodes it, at the class boundaries; the
 * lead byte is checked so that the class really is the one meant.
 */
TEST(every_length_class_from_msgpack_c)
{
	const struct {
		char kind;	/* s str, b bin, e ext, a array, m map */
		u32 n;
		u8 lead;
	} c[] = {
		{ 's', 0, 0xa0 }, { 's', 31, 0xbf }, { 's', 32, 0xd9 },
		{ 's', 255, 0xd9 }, { 's', 256, 0xda }, { 's', 65535, 0xda },
		{ 's', 65536, 0xdb }, { 's', 100000, 0xdb },
		{ 'b', 0, 0xc4 }, { 'b', 255, 0xc4 }, { 'b', 256, 0xc5 },
		{ 'b', 65535, 0xc5 }, { 'b', 65536, 0xc6 },
		{ 'e', 1, 0xd4 }, { 'e', 2, 0xd5 }, { 'e', 4, 0xd6 },
		{ 'e', 8, 0xd7 }, { 'e', 16, 0xd8 }, { 'e', 0, 0xc7 },
		{ 'e', 3, 0xc7 }, { 'e', 255, 0xc7 }, { 'e', 256, 0xc8 },
		{ 'e', 65535, 0xc8 }, { 'e', 65536, 0xc9 },
		{ 'a', 0, 0x90 }, { 'a', 15, 0x9f }, { 'a', 16, 0xdc },
		{ 'a', 65535, 0xdc }, { 'a', 65536, 0xdd },
		{ 'm', 0, 0x80 }, { 'm', 15, 0x8f }, { 'm', 16, 0xde },
		{ 'm', 65535, 0xde }, { 'm', 65536, 0xdf },
	};
	static u8 body[100000];
	size_t i, j;

	for (i = 0; i < sizeof(body); i++)
		body[i] = (u8)(0xc1 + i);	/* payload bytes that are not msgpack */
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		msgpack_sbuffer sb;
		msgpack_packer pk;
		u8 *d;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		switch (c[i].kind) {
		case 's':
			msgpack_pack_str_with_body(&pk, body, c[i].n);
			break;
		case 'b':
			msgpack_pack_bin_with_body(&pk, body, c[i].n);
			break;
		case 'e':
			msgpack_pack_ext_with_body(&pk, body, c[i].n, 5);
			break;
		case 'a':
			msgpack_pack_array(&pk, c[i].n);
			for (j = 0; j < c[i].n; j++)
				msgpack_pack_int(&pk, (int)(j % 200) - 100);
			break;
		default:
			msgpack_pack_map(&pk, c[i].n);
			for (j = 0; j < c[i].n; j++) {
				msgpack_pack_uint32(&pk, (u32)j);
				msgpack_pack_nil(&pk);
			}
			break;
		}
		ASSERT_EQ(c[i].lead, (u8)sb.data[0]) {
			TH_LOG("%c %u: lead 0x%02x", c[i].kind, c[i].n,
			       (u8)sb.data[0]);
		}
		d = dup_exact(sb.data, sb.size);
		ASSERT_EQ((int)sb.size, m4rpc_mp_object_len(d, sb.size));
		/* Cut one byte short and after the lead byte: incomplete. */
		ASSERT_EQ(-EAGAIN, m4rpc_mp_object_len(d, sb.size - 1));
		if (sb.size > 1)
			ASSERT_EQ(-EAGAIN, m4rpc_mp_object_len(d, 1));
		/* In 128-byte chunks, as the H7 delivers them. */
		scan_stream(d, sb.size, (size_t)-1, 128, &res_a);
		ASSERT_FALSE(res_a.broken);
		ASSERT_EQ(1, res_a.nends);
		ASSERT_EQ(sb.size, res_a.ends[0]);
		free(d);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* Lengths up to 2^32 - 1 are skipped by counting, never buffered. */
TEST(huge_lengths)
{
	static const u8 hdrs[][6] = {
		{ 0xdb, 0xff, 0xff, 0xff, 0xff },	/* str32 */
		{ 0xc6, 0xff, 0xff, 0xff, 0xff },	/* bin32 */
		{ 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01 },	/* ext32 + type */
	};
	const size_t chunk = 1 << 20;
	u8 *zero = calloc(1, chunk + 1);
	struct m4rpc_mp_scan s;
	size_t used;
	int i;

	ASSERT_NE(NULL, zero);
	for (i = 0; i < 3; i++) {
		u64 left = 0xffffffffULL + (i == 2);	/* ext: type byte */
		int rc;

		m4rpc_mp_scan_init(&s);
		ASSERT_EQ(M4RPC_MP_SCAN_MORE,
			  m4rpc_mp_scan_feed(&s, hdrs[i], 5, &used));
		while (left > chunk) {
			rc = m4rpc_mp_scan_feed(&s, zero, chunk, &used);
			ASSERT_EQ(M4RPC_MP_SCAN_MORE, rc);
			ASSERT_EQ(chunk, used);
			left -= chunk;
		}
		/* The last payload byte ends it; the next is not taken. */
		rc = m4rpc_mp_scan_feed(&s, zero, left + 1, &used);
		ASSERT_EQ(M4RPC_MP_SCAN_DONE, rc);
		ASSERT_EQ(left, used);
		ASSERT_TRUE(m4rpc_mp_scan_idle(&s));
	}
	/* Maps of 2^32 - 1 pairs: 2^33 - 2 elements do not wrap. */
	m4rpc_mp_scan_init(&s);
	ASSERT_EQ(M4RPC_MP_SCAN_MORE,
		  m4rpc_mp_scan_feed(&s, (const u8 *)"\xdf\xff\xff\xff\xff", 5,
				  &used));
	ASSERT_EQ(1, s.depth);
	ASSERT_EQ(0x1fffffffeULL, s.left[0]);
	/* Arrays of 2^32 - 1 inside: still counting. */
	ASSERT_EQ(M4RPC_MP_SCAN_MORE,
		  m4rpc_mp_scan_feed(&s, (const u8 *)"\xdd\xff\xff\xff\xff\xc0",
				  6, &used));
	ASSERT_EQ(2, s.depth);
	ASSERT_EQ(0xfffffffeULL, s.left[1]);
	free(zero);
}

/* ---- streams: splits, chunks, junk ---------------------------------------- */

/* All of the corpus back to back, with the true ends from its lengths. */
static u8 *corpus_stream(size_t *len, size_t *ends)
{
	size_t i, n = 0;
	u8 *d;

	for (i = 0; i < NCORPUS; i++)
		n += corpus[i].n;
	d = malloc(n);
	if (!d)
		return NULL;
	n = 0;
	for (i = 0; i < NCORPUS; i++) {
		memcpy(d + n, corpus[i].b, corpus[i].n);
		n += corpus[i].n;
		ends[i] = n;
	}
	*len = n;
	return d;
}

TEST(stream_split_at_every_offset)
{
	size_t len, ends[NCORPUS], k;
	u8 *d = corpus_stream(&len, ends);

	ASSERT_NE(NULL, d);
	rnd_seed(_metadata, 0x5eed1001);
	/* Whole: the true ends. */
	scan_stream(d, len, (size_t)-1, 0, &res_a);
	ASSERT_FALSE(res_a.broken);
	ASSERT_EQ(0, res_a.err);
	ASSERT_EQ((int)NCORPUS, res_a.nends);
	ASSERT_EQ(0, memcmp(res_a.ends, ends, sizeof(ends)));
	ASSERT_TRUE(res_a.idle);
	/* The reference agrees. */
	ref_stream(d, len, &res_b);
	ASSERT_TRUE(same_result(&res_a, &res_b));
	/* Two pieces, cut at every offset, and each piece whole or bytewise. */
	for (k = 0; k <= len; k++) {
		scan_stream(d, len, k, 0, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
		scan_stream(d, len, k, 1, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
	}
	/* Fixed chunk sizes and random ones up to 128. */
	for (k = 1; k <= 130; k++) {
		scan_stream(d, len, (size_t)-1, k, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
	}
	for (k = 0; k < 200; k++) {
		scan_stream(d, len, (size_t)-1, (size_t)-2, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
	}
	free(d);
}

/* Each message alone, cut in two at every offset and bytewise. */
TEST(each_object_split_at_every_offset)
{
	size_t i, k;

	for (i = 0; i < NCORPUS; i++) {
		scan_stream(corpus[i].b, corpus[i].n, (size_t)-1, 1, &res_a);
		ASSERT_EQ(1, res_a.nends);
		ASSERT_EQ(corpus[i].n, res_a.ends[0]);
		for (k = 0; k <= corpus[i].n; k++) {
			scan_stream(corpus[i].b, corpus[i].n, k, 0, &res_b);
			ASSERT_TRUE(same_result(&res_a, &res_b));
		}
	}
}

TEST(invalid_byte_c1)
{
	static const u8 s1[] = { 0x01, 0x92, 0x05, 0xc1, 0x00 };
	struct m4rpc_mp_scan s;
	size_t used, k;

	/* Top level, inside containers, and where a payload is not it. */
	ASSERT_EQ(-EBADMSG, m4rpc_mp_object_len((const u8 *)"\xc1", 1));
	ASSERT_EQ(-EBADMSG, m4rpc_mp_object_len((const u8 *)"\x81\xc1\x00", 3));
	ASSERT_EQ(-EBADMSG, m4rpc_mp_object_len((const u8 *)"\x81\x00\xc1", 3));
	ASSERT_EQ(3, m4rpc_mp_object_len((const u8 *)"\xa2\xc1\xc1", 3));
	/* In a stream: ends before it, then the error just after it. */
	for (k = 0; k <= sizeof(s1); k++) {
		scan_stream(s1, sizeof(s1), k, 0, &res_a);
		ASSERT_FALSE(res_a.broken);
		ASSERT_EQ(1, res_a.nends);
		ASSERT_EQ(1u, res_a.ends[0]);
		ASSERT_EQ(-EBADMSG, res_a.err);
		ASSERT_EQ(4u, res_a.err_at);
		ASSERT_FALSE(res_a.idle);
	}
	/* Sticky until init, then fine again. */
	m4rpc_mp_scan_init(&s);
	ASSERT_EQ(-EBADMSG, m4rpc_mp_scan_feed(&s, s1 + 3, 2, &used));
	ASSERT_EQ(1u, used);
	ASSERT_FALSE(m4rpc_mp_scan_idle(&s));
	ASSERT_EQ(-EBADMSG, m4rpc_mp_scan_feed(&s, s1, 1, &used));
	ASSERT_EQ(0u, used);
	m4rpc_mp_scan_init(&s);
	ASSERT_TRUE(m4rpc_mp_scan_idle(&s));
	ASSERT_EQ(M4RPC_MP_SCAN_DONE, m4rpc_mp_scan_feed(&s, s1, 1, &used));
}

/* @depth arrays (or maps keyed by nil), the innermost empty. */
static size_t nested(u8 *out, int depth, bool maps)
{
	size_t n = 0;
	int i;

	for (i = 0; i < depth - 1; i++) {
		if (maps) {
			out[n++] = 0x81;
			out[n++] = 0xc0;
		} else {
			out[n++] = 0x91;
		}
	}
	out[n++] = maps ? 0x80 : 0x90;
	return n;
}

TEST(nesting_limit)
{
	u8 buf[16 * M4RPC_MP_SCAN_DEPTH], *d;
	struct m4rpc_mp_scan s;
	size_t n, used;
	int m;

	for (m = 0; m < 2; m++) {
		/* 32 deep: fine, and msgpack-c (same limit) agrees. */
		n = nested(buf, M4RPC_MP_SCAN_DEPTH, m);
		d = dup_exact(buf, n);
		ASSERT_EQ((int)n, m4rpc_mp_object_len(d, n));
		ASSERT_TRUE(msgpack_c_len(d, n, &used));
		free(d);
		/* 33 deep, even with the innermost empty: refused. */
		n = nested(buf, M4RPC_MP_SCAN_DEPTH + 1, m);
		d = dup_exact(buf, n);
		ASSERT_EQ(-E2BIG, m4rpc_mp_object_len(d, n));
		ASSERT_FALSE(msgpack_c_len(d, n, &used));
		m4rpc_mp_scan_init(&s);
		ASSERT_EQ(-E2BIG, m4rpc_mp_scan_feed(&s, d, n, &used));
		ASSERT_EQ(n, used);	/* the 33rd container's lead byte */
		ASSERT_EQ(-E2BIG, m4rpc_mp_scan_feed(&s, d, n, &used));
		ASSERT_EQ(0u, used);
		/* Byte by byte, the same. */
		scan_stream(d, n, (size_t)-1, 1, &res_a);
		ASSERT_EQ(-E2BIG, res_a.err);
		ASSERT_EQ(n, res_a.err_at);
		free(d);
	}
	/* array16/map16 at level 33: refused at the lead byte already. */
	for (m = 0; m < 2; m++) {
		n = nested(buf, M4RPC_MP_SCAN_DEPTH + 1, false) - 1;
		buf[n++] = m ? 0xde : 0xdc;
		m4rpc_mp_scan_init(&s);
		ASSERT_EQ(-E2BIG, m4rpc_mp_scan_feed(&s, buf, n, &used));
		ASSERT_EQ(n, used);
	}
	/* 32 deep again and again: depth is what is open, not the total. */
	n = 0;
	buf[n++] = 0x96;
	for (m = 0; m < 3; m++) {
		n += nested(buf + n, M4RPC_MP_SCAN_DEPTH - 1, false);
		n += nested(buf + n, M4RPC_MP_SCAN_DEPTH - 1, true);
	}
	ASSERT_GT(sizeof(buf), n);
	d = dup_exact(buf, n);
	ASSERT_EQ((int)n, m4rpc_mp_object_len(d, n));
	free(d);
}

/* ---- the stream reassembler on the scanner: what m4rpc.ko does ---------- */

#define SPL_MAX 4096

/* What kernel/common/m4rpc_reasm.c gives back from one stream. */
struct splitter {
	struct m4rpc_reasm r;
	u8 buf[SPL_MAX];
	int events_bad;			/* NONE with bytes left, OVERSIZE */
	u8 raw[SPL_MAX * 4];
	size_t nraw;
	u8 out[SPL_MAX * 16];
	size_t nout;
	int nmsgs;
	size_t msg_end[1024];
};

static void spl_init(struct splitter *sp)
{
	memset(sp, 0, sizeof(*sp));
	m4rpc_reasm_init(&sp->r, sp->buf, sizeof(sp->buf), 4 * sizeof(sp->buf));
}

static void spl_feed(struct splitter *sp, const u8 *d, size_t len)
{
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;
	size_t used;

	for (;;) {
		ev = m4rpc_reasm_feed(&sp->r, d, len, &used, &out);
		if (used > len) {
			sp->events_bad++;
			return;
		}
		d += used;
		len -= used;
		switch (ev) {
		case M4RPC_REASM_NONE:
			if (len)
				sp->events_bad++;
			return;
		case M4RPC_REASM_MSG:
			if (out.len > sizeof(sp->out) - sp->nout ||
			    (size_t)sp->nmsgs == ARRAY_SIZE(sp->msg_end)) {
				sp->events_bad++;
				return;
			}
			memcpy(sp->out + sp->nout, out.data, out.len);
			sp->nout += out.len;
			sp->msg_end[sp->nmsgs++] = sp->nout;
			break;
		case M4RPC_REASM_RAW:
			if (out.len > sizeof(sp->raw) - sp->nraw) {
				sp->events_bad++;
				return;
			}
			memcpy(sp->raw + sp->nraw, out.data, out.len);
			sp->nraw += out.len;
			break;
		case M4RPC_REASM_OVERSIZE:
		default:
			sp->events_bad++;
			break;
		}
	}
}

static struct splitter spl;

/*
 * Messages as the M4 sends them with raw-endpoint bytes between: text, and
 * binary junk that holds 0x93/0x94 bytes which do not start a message. Every
 * split and chunking gives back the same messages and the same raw bytes.
 */
TEST(junk_between_messages)
{
	static const u8 junk[][12] = {
		"hello\r\n", "\x94\x41", "\x93\x00\x93", "\xc1\xdc\x00\x04",
		"\x94\x00\xff", "\x94\x01\xd0", "\x93\x02\x05",
		"\x94\x00\x01\xa1x\x05", "\x94", "\x00",
	};
	static const size_t junk_len[] = { 7, 2, 3, 4, 3, 3, 3, 6, 1, 1 };
	static u8 stream[8192], want_raw[4096], want_out[8192];
	size_t len = 0, nraw = 0, nout = 0, k, i;
	size_t want_end[64];
	int nmsgs = 0;

	rnd_seed(_metadata, 0x5eed1002);
	/* Junk, message, junk, message...: junk right before a message too. */
	for (i = 0; i < 40; i++) {
		const struct obj *o = &corpus[NCORPUS - 3 + i % 3];
		size_t j = i % 10;

		memcpy(stream + len, junk[j], junk_len[j]);
		memcpy(want_raw + nraw, junk[j], junk_len[j]);
		len += junk_len[j];
		nraw += junk_len[j];
		memcpy(stream + len, o->b, o->n);
		memcpy(want_out + nout, o->b, o->n);
		len += o->n;
		nout += o->n;
		want_end[nmsgs++] = nout;
	}
	for (k = 0; k <= len + 200; k++) {
		size_t split = k <= len ? k : len;
		size_t step = k <= len ? 0 : (k - len <= 130 ? k - len : 0);

		spl_init(&spl);
		if (k > len + 130) {
			/* Random chunks of at most 128 bytes. */
			for (i = 0; i < len; ) {
				size_t n = 1 + rnd() % 128;

				n = n < len - i ? n : len - i;
				spl_feed(&spl, stream + i, n);
				i += n;
			}
		} else {
			for (i = 0; i < split; i += step ? step : split)
				spl_feed(&spl, stream + i,
					 step && step < split - i ? step :
					 split - i);
			for (i = split; i < len; i += step ? step : len)
				spl_feed(&spl, stream + i,
					 step && step < len - i ? step :
					 len - i);
		}
		ASSERT_EQ(0, spl.events_bad);
		ASSERT_EQ(nmsgs, spl.nmsgs);
		ASSERT_EQ(nout, spl.nout);
		ASSERT_EQ(0, memcmp(spl.out, want_out, nout));
		ASSERT_EQ(0, memcmp(spl.msg_end, want_end,
				    nmsgs * sizeof(want_end[0])));
		ASSERT_EQ(nraw, spl.nraw);
		ASSERT_EQ(0, memcmp(spl.raw, want_raw, nraw));
		ASSERT_FALSE(m4rpc_reasm_busy(&spl.r));
		ASSERT_EQ(0u, spl.r.oversize);
		ASSERT_EQ(0u, spl.r.lost_bytes);
	}
}

/* ---- envelopes ------------------------------------------------------------ */

static int parse_exact(const u8 *b, size_t n, struct m4rpc_mp_rpc_env *env)
{
	u8 *d = dup_exact(b, n);
	int rc = m4rpc_mp_rpc_parse(d, n, env);

	free(d);
	return rc;
}

static const struct good_env {
	struct obj m;
	int type;
	bool fixarray;
	u32 msgid;
	size_t msgid_off, msgid_len;
	const char *method;	/* NULL: response */
	size_t params_off;	/* request/notify: params; response: error */
	size_t params_len;	/* result_len for a response */
} good[] = {
	{ OBJ(0x94, 0x00, 0x01, 0xa3, 'l', 'e', 'd', 0x91, 0x01),
	  0, true, 1, 2, 1, "led", 7, 2 },
	{ OBJ(0x94, 0x00, 0x7f, 0xa0, 0x90), 0, true, 0x7f, 2, 1, "", 4, 1 },
	{ OBJ(0x94, 0x00, 0xcc, 0x80, 0xa1, 'x', 0x90),
	  0, true, 0x80, 2, 2, "x", 6, 1 },
	{ OBJ(0x94, 0x00, 0xcd, 0x12, 0x34, 0xa1, 'x', 0x90),
	  0, true, 0x1234, 2, 3, "x", 7, 1 },
	{ OBJ(0x94, 0x00, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xa1, 'x', 0x90),
	  0, true, 0xdeadbeef, 2, 5, "x", 9, 1 },
	/* Method as str8, str16, str32; params as array16, array32. */
	{ OBJ(0x94, 0x00, 0x05, 0xd9, 3, 'a', 'b', 'c', 0xdc, 0, 1, 0x01),
	  0, true, 5, 2, 1, "abc", 8, 4 },
	{ OBJ(0x94, 0x00, 0x05, 0xda, 0, 3, 'a', 'b', 'c', 0xdd, 0, 0, 0, 0),
	  0, true, 5, 2, 1, "abc", 9, 5 },
	{ OBJ(0x93, 0x02, 0xdb, 0, 0, 0, 3, 'a', 'b', 'c', 0x90),
	  2, true, 0, 0, 0, "abc", 10, 1 },
	/* The M4's Serial: [2, "tty", [bin8 "hi\n"]]. */
	{ OBJ(0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 3, 'h', 'i', '\n'),
	  2, true, 0, 0, 0, "tty", 6, 6 },
	/* Responses: nil error and a result, an error string and nil. */
	{ OBJ(0x94, 0x01, 0x07, 0xc0, 0x2a), 1, true, 7, 2, 1, NULL, 3, 1 },
	{ OBJ(0x94, 0x01, 0xcd, 1, 0, 0xa3, 'e', 'r', 'r', 0xc0),
	  1, true, 0x100, 2, 3, NULL, 5, 1 },
	{ OBJ(0x94, 0x01, 0x00, 0x90, 0x82, 0xc0, 0xc0, 0x01, 0x92, 0x90,
	      0x80), 1, true, 0, 2, 1, NULL, 3, 7 },
	/* array16 outer (valid msgpack-rpc, but not what the M4 reads). */
	{ OBJ(0xdc, 0x00, 0x04, 0x00, 0x09, 0xa1, 'x', 0x90),
	  0, false, 9, 4, 1, "x", 7, 1 },
	{ OBJ(0xdc, 0x00, 0x03, 0x02, 0xa1, 'x', 0x90),
	  2, false, 0, 0, 0, "x", 6, 1 },
	{ OBJ(0xdc, 0x00, 0x04, 0x01, 0x09, 0xc0, 0xc0),
	  1, false, 9, 4, 1, NULL, 5, 1 },
};

#define NGOOD (sizeof(good) / sizeof(good[0]))

TEST(envelope_good)
{
	struct m4rpc_mp_rpc_env env;
	size_t i;

	for (i = 0; i < NGOOD; i++) {
		const struct good_env *g = &good[i];

		ASSERT_EQ(0, parse_exact(g->m.b, g->m.n, &env)) {
			TH_LOG("good[%zu]", i);
		}
		ASSERT_EQ(g->type, (int)env.type);
		ASSERT_EQ(g->fixarray, env.fixarray);
		ASSERT_EQ(g->msgid, env.msgid);
		ASSERT_EQ(g->msgid_off, env.msgid_off);
		ASSERT_EQ(g->msgid_len, env.msgid_len);
		if (g->method) {
			ASSERT_EQ(strlen(g->method), env.method_len);
			ASSERT_EQ(0, memcmp(g->m.b + env.method_off, g->method,
					    env.method_len));
			ASSERT_EQ(g->params_off, env.params_off);
			ASSERT_EQ(g->params_len, env.params_len);
			ASSERT_EQ(g->m.n, env.params_off + env.params_len);
			ASSERT_EQ(0u, env.error_off + env.error_len +
				     env.result_off + env.result_len);
		} else {
			ASSERT_EQ(0u, env.method_off + env.method_len +
				     env.params_off + env.params_len);
			ASSERT_EQ(g->params_off, env.error_off);
			ASSERT_EQ(env.error_off + env.error_len,
				  env.result_off);
			ASSERT_EQ(g->params_len, env.result_len);
			ASSERT_EQ(g->m.n, env.result_off + env.result_len);
		}
		/* The stream side accepts the fixarray ones. */
		ASSERT_EQ(g->fixarray, m4rpc_mp_rpc_can_start(g->m.b[0]));
		if (g->fixarray)
			ASSERT_EQ(1, m4rpc_mp_rpc_head_check(g->m.b, g->m.n));
	}
}

/* The first parameter's bytes: what the M4's Serial output carries. */
TEST(param0_bytes)
{
	const struct {
		struct obj m;
		int rc;
		size_t off, n;
	} cases[] = {
		/* bin8, bin16, bin32 and str forms; empty; more params. */
		{ OBJ(0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 3, 'h', 'i',
		      '\n'), 0, 9, 3 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xc5, 0, 2, 'a', 'b'),
		  0, 8, 2 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xc6, 0, 0, 0, 1, 'a'),
		  0, 10, 1 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xa2, 'o', 'k'), 0, 6, 2 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xd9, 1, 'z'), 0, 7, 1 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xc4, 0), 0, 7, 0 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0xdc, 0, 2, 0xa1, 'a', 0x01),
		  0, 8, 1 },
		{ OBJ(0x94, 0x00, 0x05, 0xa1, 't', 0x91, 0xc4, 1, 'q'),
		  0, 8, 1 },
		/* No parameter, another type, a response. */
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x90), -EBADMSG, 0, 0 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0x01), -EBADMSG, 0, 0 },
		{ OBJ(0x93, 0x02, 0xa1, 't', 0x91, 0xc0), -EBADMSG, 0, 0 },
		{ OBJ(0x94, 0x01, 0x07, 0xc0, 0xc4, 1, 'x'), -EBADMSG, 0, 0 },
	};
	struct m4rpc_mp_rpc_env env;
	size_t i, off, n;
	u8 *d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = dup_exact(cases[i].m.b, cases[i].m.n);
		ASSERT_EQ(0, m4rpc_mp_rpc_parse(d, cases[i].m.n, &env)) {
			TH_LOG("case %zu", i);
		}
		off = n = 0;
		EXPECT_EQ(cases[i].rc, m4rpc_mp_rpc_param0_bytes(d, cases[i].m.n,
								 &env, &off, &n)) {
			TH_LOG("case %zu", i);
		}
		EXPECT_EQ(cases[i].off, off);
		EXPECT_EQ(cases[i].n, n);
		free(d);
	}
}

TEST(envelope_malformed)
{
	static const struct m4rpc_mp_rpc_env zero_env;
	const struct obj bad[] = {
		OBJ(0x92, 0x00, 0x01),					/* 2 */
		OBJ(0x95, 0x00, 0x01, 0xa1, 'x', 0x90, 0xc0),		/* 5 */
		OBJ(0x90), OBJ(0x91, 0x00), OBJ(0xdc, 0, 0),		/* 0, 1 */
		OBJ(0xdc, 0, 2, 0x00, 0x01),
		OBJ(0x94, 0x02, 0x01, 0xa1, 'x', 0x90),	/* type 2 of 4 */
		OBJ(0x93, 0x00, 0xa1, 'x', 0x90),	/* type 0 of 3 */
		OBJ(0x93, 0x01, 0x01, 0xc0),		/* type 1 of 3 */
		OBJ(0x94, 0x03, 0x01, 0xa1, 'x', 0x90),	/* type 3 */
		OBJ(0x94, 0xff, 0x01, 0xa1, 'x', 0x90),	/* type -1 */
		OBJ(0x94, 0xcc, 0x00, 0x01, 0xa1, 'x', 0x90),	/* uint8 type */
		OBJ(0x94, 0xc0, 0x01, 0xa1, 'x', 0x90),	/* nil type */
		OBJ(0x94, 0x00, 0xff, 0xa1, 'x', 0x90),	/* msgid -1 */
		OBJ(0x94, 0x00, 0xd0, 0x01, 0xa1, 'x', 0x90),	/* int8 */
		OBJ(0x94, 0x00, 0xd2, 0, 0, 0, 1, 0xa1, 'x', 0x90),
		OBJ(0x94, 0x00, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, 0xa1, 'x', 0x90),
		OBJ(0x94, 0x00, 0xca, 0, 0, 0, 0, 0xa1, 'x', 0x90),
		OBJ(0x94, 0x00, 0xc0, 0xa1, 'x', 0x90),	/* nil msgid */
		OBJ(0x94, 0x00, 0xa1, '1', 0xa1, 'x', 0x90),	/* str msgid */
		OBJ(0x94, 0x01, 0xc0, 0xc0, 0xc0),	/* response, nil msgid */
		OBJ(0x94, 0x00, 0x01, 0xc4, 1, 'x', 0x90),	/* bin method */
		OBJ(0x94, 0x00, 0x01, 0x05, 0x90),	/* int method */
		OBJ(0x94, 0x00, 0x01, 0xc0, 0x90),	/* nil method */
		OBJ(0x94, 0x00, 0x01, 0xa1, 'x', 0x80),	/* map params */
		OBJ(0x94, 0x00, 0x01, 0xa1, 'x', 0xc0),	/* nil params */
		OBJ(0x94, 0x00, 0x01, 0xa1, 'x', 0xa0),	/* str params */
		OBJ(0x93, 0x02, 0xa1, 'x', 0x05),	/* int params */
		OBJ(0x94, 0x00, 0x01, 0xa1, 'x', 0x90, 0x00),	/* trailing */
		OBJ(0x93, 0x02, 0xa1, 'x', 0x90, 0x93),
		OBJ(0x84, 0x00, 0x00, 0x01, 0x01, 0x02, 0x02, 0x03, 0x03),
		OBJ(0xdd, 0, 0, 0, 4, 0x00, 0x01, 0xa1, 'x', 0x90),
		OBJ(0x94, 0x00, 0x01, 0xa1, 'x', 0x91, 0xc1),	/* 0xc1 */
		OBJ(0xc1), OBJ(0x00), OBJ(0xa1, 'x'),
	};
	struct m4rpc_mp_rpc_env env;
	size_t i, k;

	/* Empty. */
	ASSERT_EQ(-EBADMSG, parse_exact(NULL, 0, &env));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&env, 0xa5, sizeof(env));
		ASSERT_EQ(-EBADMSG, parse_exact(bad[i].b, bad[i].n, &env)) {
			TH_LOG("bad[%zu]", i);
		}
		/* Nothing half filled left behind. */
		ASSERT_EQ(0, memcmp(&env, &zero_env, sizeof(env)));
	}
	/* Every proper prefix of every good message. */
	for (i = 0; i < NGOOD; i++)
		for (k = 0; k < good[i].m.n; k++)
			ASSERT_EQ(-EBADMSG, parse_exact(good[i].m.b, k, &env));
}

/* Params nested so that the message is 32 deep: fine; 33: -E2BIG. */
TEST(envelope_nesting)
{
	u8 buf[16 + 2 * M4RPC_MP_SCAN_DEPTH];
	struct m4rpc_mp_rpc_env env;
	size_t n;

	memcpy(buf, "\x94\x00\x01\xa1x", 5);
	n = 5 + nested(buf + 5, M4RPC_MP_SCAN_DEPTH - 1, false);
	ASSERT_EQ(0, parse_exact(buf, n, &env));
	n = 5 + nested(buf + 5, M4RPC_MP_SCAN_DEPTH, false);
	ASSERT_EQ(-E2BIG, parse_exact(buf, n, &env));
}

TEST(head_check)
{
	const struct {
		struct obj m;
		int at;		/* prefix length where it turns -EBADMSG */
	} bad[] = {
		{ OBJ(0x95), 1 }, { OBJ(0xdc, 0, 4), 1 }, { OBJ(0x00), 1 },
		{ OBJ(0x94, 0x02), 2 }, { OBJ(0x93, 0x00), 2 },
		{ OBJ(0x94, 0x94), 2 },
		{ OBJ(0x94, 0x00, 0xff), 3 }, { OBJ(0x94, 0x01, 0xd0, 1), 3 },
		{ OBJ(0x94, 0x00, 0x01, 0x05), 4 },
		{ OBJ(0x94, 0x00, 0xcd, 0, 1, 0xc4, 1, 'x'), 6 },
		{ OBJ(0x93, 0x02, 0xa1, 'x', 0x05), 5 },
		{ OBJ(0x93, 0x02, 0xd9, 2, 'x', 'y', 0x80), 7 },
		{ OBJ(0x94, 0x00, 0x01, 0xa0, 0xc0), 5 },
	};
	const struct {
		struct obj m;
		int at;		/* prefix length where it turns 1 */
	} ok[] = {
		{ OBJ(0x94, 0x01, 0x05), 3 },
		{ OBJ(0x94, 0x01, 0xce, 1, 2, 3, 4), 7 },
		{ OBJ(0x94, 0x00, 0xcd, 0, 1, 0xa1, 'x', 0x90), 8 },
		{ OBJ(0x93, 0x02, 0xda, 0, 2, 'x', 'y', 0xdd), 8 },
		{ OBJ(0x93, 0x02, 0xa0, 0x9f), 4 },
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (k = 0; k <= (int)bad[i].m.n; k++) {
			u8 *d = dup_exact(bad[i].m.b, k);
			int h = m4rpc_mp_rpc_head_check(d, k);

			free(d);
			ASSERT_EQ(k < bad[i].at ? 0 : -EBADMSG, h);
		}
	}
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		for (k = 0; k <= (int)ok[i].m.n; k++) {
			u8 *d = dup_exact(ok[i].m.b, k);
			int h = m4rpc_mp_rpc_head_check(d, k);

			free(d);
			ASSERT_EQ(k >= ok[i].at, h);
		}
	}
	/* Good messages: 0 ... 0 then 1 ... 1 over their prefixes. */
	for (i = 0; i < NGOOD; i++) {
		int last = 0;

		if (!good[i].fixarray)
			continue;
		for (k = 0; k <= (int)good[i].m.n; k++) {
			u8 *d = dup_exact(good[i].m.b, k);
			int h = m4rpc_mp_rpc_head_check(d, k);

			free(d);
			ASSERT_LE(last, h);
			last = h;
		}
		ASSERT_EQ(1, last);
	}
	ASSERT_TRUE(m4rpc_mp_rpc_can_start(0x93));
	ASSERT_TRUE(m4rpc_mp_rpc_can_start(0x94));
	for (k = 0; k < 256; k++)
		if (k != 0x93 && k != 0x94)
			ASSERT_FALSE(m4rpc_mp_rpc_can_start(k));
}

/* ---- msgid rewrite, error replies: decoded with msgpack-c ------------------ */

static bool decode(const u8 *b, size_t n, msgpack_unpacked *u)
{
	size_t off = 0;

	msgpack_unpacked_init(u);
	return msgpack_unpack_next(u, (const char *)b, n, &off) ==
	       MSGPACK_UNPACK_SUCCESS && off == n;
}

static const u32 msgids[] = {
	0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x12345678, 0xffffffff,
};

TEST(msgid_rewrite_round_trip)
{
	size_t i, j, msgid_len_of[] = { 1, 1, 1, 2, 2, 3, 3, 5, 5, 5 };
	struct m4rpc_mp_rpc_env env, env2;
	u8 out[300], expect[300], *inplace;

	for (i = 0; i < NGOOD; i++) {
		const struct obj *m = &good[i].m;

		ASSERT_EQ(0, parse_exact(m->b, m->n, &env));
		if (env.type == M4RPC_MP_RPC_NOTIFY) {
			ASSERT_EQ(-EINVAL, m4rpc_mp_rpc_set_msgid(out, sizeof(out),
							       m->b, m->n,
							       &env, 1));
			continue;
		}
		for (j = 0; j < sizeof(msgids) / sizeof(msgids[0]); j++) {
			size_t want = m->n - env.msgid_len + msgid_len_of[j];
			msgpack_unpacked a, b;
			u8 *src = dup_exact(m->b, m->n);
			int len, e;

			ASSERT_EQ(msgid_len_of[j], m4rpc_mp_uint_len(msgids[j]));
			/* Into another buffer, exactly big enough. */
			len = m4rpc_mp_rpc_set_msgid(out, want, src, m->n, &env,
						  msgids[j]);
			ASSERT_EQ((int)want, len);
			ASSERT_EQ(0, parse_exact(out, len, &env2));
			ASSERT_EQ(msgids[j], env2.msgid);
			ASSERT_EQ(env.type, env2.type);
			/* msgpack-c: the same message but for the msgid. */
			ASSERT_TRUE(decode(m->b, m->n, &a));
			ASSERT_TRUE(decode(out, len, &b));
			ASSERT_EQ(MSGPACK_OBJECT_ARRAY, (int)b.data.type);
			ASSERT_EQ(4u, b.data.via.array.size);
			ASSERT_EQ(MSGPACK_OBJECT_POSITIVE_INTEGER,
				  (int)b.data.via.array.ptr[1].type);
			ASSERT_EQ(msgids[j], b.data.via.array.ptr[1].via.u64);
			for (e = 0; e < 4; e++)
				if (e != 1)
					ASSERT_TRUE(msgpack_object_equal(
						a.data.via.array.ptr[e],
						b.data.via.array.ptr[e]));
			msgpack_unpacked_destroy(&a);
			msgpack_unpacked_destroy(&b);
			memcpy(expect, out, want);
			/* One byte short: refused, out untouched. */
			memset(out, 0xee, sizeof(out));
			ASSERT_EQ(-EMSGSIZE, m4rpc_mp_rpc_set_msgid(out, want - 1,
								 src, m->n,
								 &env,
								 msgids[j]));
			ASSERT_EQ(0xee, out[0]);
			ASSERT_EQ(0xee, out[want - 1]);
			/* In place, in a buffer of exactly the new size. */
			inplace = malloc(want > m->n ? want : m->n);
			ASSERT_NE(NULL, inplace);
			memcpy(inplace, m->b, m->n);
			len = m4rpc_mp_rpc_set_msgid(inplace,
						  want > m->n ? want : m->n,
						  inplace, m->n, &env,
						  msgids[j]);
			ASSERT_EQ((int)want, len);
			ASSERT_EQ(0, memcmp(inplace, expect, want));
			/* And back to the original msgid. */
			ASSERT_EQ(0, parse_exact(inplace, len, &env2));
			ASSERT_EQ((int)m->n,
				  m4rpc_mp_rpc_set_msgid(inplace,
						      want > m->n ? want :
						      m->n, inplace, len,
						      &env2, env.msgid));
			if (env.msgid_len == m4rpc_mp_uint_len(env.msgid))
				ASSERT_EQ(0, memcmp(inplace, m->b, m->n));
			free(inplace);
			free(src);
		}
	}
}

TEST(put_uint_matches_msgpack_c)
{
	size_t i;

	for (i = 0; i < sizeof(msgids) / sizeof(msgids[0]); i++) {
		msgpack_sbuffer sb;
		msgpack_packer pk;
		u8 b[5];
		size_t n = m4rpc_mp_put_uint(b, msgids[i]);

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_uint32(&pk, msgids[i]);
		ASSERT_EQ(sb.size, n);
		ASSERT_EQ(0, memcmp(sb.data, b, n));
		msgpack_sbuffer_destroy(&sb);
	}
}

TEST(error_response)
{
	static const size_t lens[] = { 0, 1, 31, 32, 255, 256, 65535, 65536 };
	static char text[70000];
	struct m4rpc_mp_rpc_env env;
	size_t i, j, cap = 70100;
	u8 *out = malloc(cap);

	ASSERT_NE(NULL, out);
	for (i = 0; i < sizeof(text); i++)
		text[i] = 'a' + i % 26;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < sizeof(msgids) / sizeof(msgids[0]); j++) {
			msgpack_unpacked u;
			msgpack_object *e;
			int len;

			len = m4rpc_mp_rpc_write_error(out, cap, msgids[j], text,
						    lens[i]);
			ASSERT_LT(0, len);
			ASSERT_TRUE(decode(out, len, &u));
			ASSERT_EQ(MSGPACK_OBJECT_ARRAY, (int)u.data.type);
			ASSERT_EQ(4u, u.data.via.array.size);
			e = u.data.via.array.ptr;
			ASSERT_EQ(1u, e[0].via.u64);
			ASSERT_EQ(msgids[j], e[1].via.u64);
			ASSERT_EQ(MSGPACK_OBJECT_STR, (int)e[2].type);
			ASSERT_EQ(lens[i], e[2].via.str.size);
			if (lens[i])
				ASSERT_EQ(0, memcmp(e[2].via.str.ptr, text,
						    lens[i]));
			ASSERT_EQ(MSGPACK_OBJECT_NIL, (int)e[3].type);
			msgpack_unpacked_destroy(&u);
			/* Ours parses it as a response with that error. */
			ASSERT_EQ(0, m4rpc_mp_rpc_parse(out, len, &env));
			ASSERT_EQ(M4RPC_MP_RPC_RESPONSE, (int)env.type);
			ASSERT_TRUE(env.fixarray);
			ASSERT_EQ(msgids[j], env.msgid);
			ASSERT_EQ(1u, env.result_len);
			/* Exactly big enough, and one byte short. */
			ASSERT_EQ(len, m4rpc_mp_rpc_write_error(out, len,
							     msgids[j], text,
							     lens[i]));
			ASSERT_EQ(-EMSGSIZE,
				  m4rpc_mp_rpc_write_error(out, len - 1, msgids[j],
							text, lens[i]));
		}
	}
	ASSERT_EQ(-EMSGSIZE, m4rpc_mp_rpc_write_error(out, cap, 1, text,
						   (size_t)-1));
	free(out);
}

/* ---- random --------------------------------------------------------------- */

/* A random object packed by msgpack-c, every type and width. */
static void gen_obj(msgpack_packer *pk, int depth)
{
	static const u8 body[300];
	u32 n, i;

	switch (rnd() % (depth < 6 ? 16 : 13)) {
	case 0:
		msgpack_pack_nil(pk);
		break;
	case 1:
		rnd() % 2 ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
		break;
	case 2:
		msgpack_pack_uint64(pk, (u64)rnd() << (rnd() % 33));
		break;
	case 3:
		msgpack_pack_int64(pk, -(int64_t)((u64)rnd() << (rnd() % 31)));
		break;
	case 4:
		switch (rnd() % 4) {
		case 0:
			msgpack_pack_fix_uint8(pk, rnd());
			break;
		case 1:
			msgpack_pack_fix_int16(pk, rnd());
			break;
		case 2:
			msgpack_pack_fix_uint32(pk, rnd());
			break;
		default:
			msgpack_pack_fix_int64(pk, rnd());
			break;
		}
		break;
	case 5:
		msgpack_pack_float(pk, 1.5f);
		break;
	case 6:
		msgpack_pack_double(pk, -2.25);
		break;
	case 7:
	case 8:
		n = rnd() % 4 ? rnd() % 40 : rnd() % 300;
		msgpack_pack_str_with_body(pk, body, n);
		break;
	case 9:
		n = rnd() % 4 ? rnd() % 20 : rnd() % 300;
		msgpack_pack_bin_with_body(pk, body, n);
		break;
	case 10:
	case 11:
		n = rnd() % 3 ? 1u << (rnd() % 5) : rnd() % 300;
		msgpack_pack_ext_with_body(pk, body, n, (int8_t)rnd());
		break;
	case 12:
		msgpack_pack_uint8(pk, rnd() % 128);
		break;
	case 13:
	case 14:
		n = rnd() % 8 ? rnd() % 6 : 16 + rnd() % 10;
		msgpack_pack_array(pk, n);
		for (i = 0; i < n; i++)
			gen_obj(pk, depth + 1);
		break;
	default:
		n = rnd() % 8 ? rnd() % 4 : 16 + rnd() % 4;
		msgpack_pack_map(pk, n);
		for (i = 0; i < 2 * n; i++)
			gen_obj(pk, depth + 1);
		break;
	}
}

/* msgpack-c and the reference agree with the scanner on packed objects. */
TEST(random_objects_from_msgpack_c)
{
	int iter;

	rnd_seed(_metadata, 0x5eed1003);
	for (iter = 0; iter < 300; iter++) {
		msgpack_sbuffer sb;
		msgpack_packer pk;
		size_t off = 0, nobj = 1 + rnd() % 20;
		msgpack_unpacked u;
		size_t i;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		for (i = 0; i < nobj; i++)
			gen_obj(&pk, 0);
		scan_stream((u8 *)sb.data, sb.size, (size_t)-1, (size_t)-2,
			    &res_a);
		ASSERT_FALSE(res_a.broken);
		ASSERT_EQ(0, res_a.err);
		ASSERT_EQ((int)nobj, res_a.nends);
		ASSERT_TRUE(res_a.idle);
		msgpack_unpacked_init(&u);
		for (i = 0; i < nobj; i++) {
			ASSERT_EQ(MSGPACK_UNPACK_SUCCESS,
				  msgpack_unpack_next(&u, sb.data, sb.size,
						      &off));
			ASSERT_EQ(off, res_a.ends[i]);
		}
		msgpack_unpacked_destroy(&u);
		ref_stream((u8 *)sb.data, sb.size, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
		/* Bytewise too. */
		scan_stream((u8 *)sb.data, sb.size, (size_t)-1, 1, &res_b);
		ASSERT_TRUE(same_result(&res_a, &res_b));
		msgpack_sbuffer_destroy(&sb);
	}
}

/*
 * Random bytes, and valid streams with random bytes changed, fed in random
 * chunks: the scanner never misbehaves (ASan/UBSan abort the test) and
 * agrees with the reference on every end, error and error position.
 */
TEST(fuzz_scanner)
{
	static u8 buf[2048];
	int iter, badmsg = 0, deep = 0, cut = 0;
	size_t nobj = 0, bytes = 0;

	rnd_seed(_metadata, 0x5eed1004);
	for (iter = 0; iter < 20000; iter++) {
		size_t len = 1 + rnd() % sizeof(buf), i;

		if (iter % 3 == 2) {
			/* Nesting around the limit, with random bytes mixed in. */
			size_t depth = 20 + rnd() % 20;

			for (i = 0; i < len; i++) {
				u32 r = rnd() % 8;

				if (i >= 3 * depth || r == 0)
					buf[i] = (u8)rnd();
				else if (r < 4)
					buf[i] = 0x91;
				else if (r < 6)
					buf[i] = i % 2 ? 0x81 : 0xc0;
				else
					buf[i] = 0xdc;
			}
		} else if (iter % 3) {
			/* Bytes biased to small values and lead bytes. */
			for (i = 0; i < len; i++) {
				u32 r = rnd();

				buf[i] = r % 4 ? (u8)(r >> 8) :
					 (r >> 8) % 2 ? (u8)((r >> 9) % 8) :
					 (u8)(0xc0 + (r >> 9) % 32);
			}
		} else {
			size_t ends[NCORPUS], n, flips;
			u8 *c = corpus_stream(&n, ends);

			ASSERT_NE(NULL, c);
			len = n < len ? n : len;
			memcpy(buf, c + (n - len) * (rnd() % 2), len);
			free(c);
			for (flips = rnd() % 4; flips; flips--)
				buf[rnd() % len] = (u8)rnd();
		}
		ref_stream(buf, len, &res_b);
		scan_stream(buf, len, (size_t)-1, (size_t)-2, &res_a);
		ASSERT_TRUE(same_result(&res_a, &res_b));
		scan_stream(buf, len, rnd() % (len + 1), 1, &res_a);
		ASSERT_TRUE(same_result(&res_a, &res_b));
		nobj += res_b.nends;
		bytes += res_b.nends ? res_b.ends[res_b.nends - 1] : 0;
		if (res_b.err == -EBADMSG)
			badmsg++;
		else if (res_b.err == -E2BIG)
			deep++;
		else if (!res_b.idle)
			cut++;
	}
	TH_LOG("%zu objects in %zu bytes; ends: 0xc1 %d, too deep %d, cut %d",
	       nobj, bytes, badmsg, deep, cut);
	/* The generator must reach every outcome, or this test proves little. */
	ASSERT_LT(100000u, nobj);
	ASSERT_LT(1000, badmsg);
	ASSERT_LT(10, deep);
	ASSERT_LT(1000, cut);
}

/*
 * Valid messages with random bytes changed: parse() never reads outside,
 * and whatever it accepts decodes with msgpack-c as the envelope it
 * describes; head_check() never contradicts it.
 */
TEST(fuzz_envelopes)
{
	int iter, accepted = 0;

	rnd_seed(_metadata, 0x5eed1005);
	for (iter = 0; iter < 100000; iter++) {
		const struct obj *m = &good[rnd() % NGOOD].m;
		struct m4rpc_mp_rpc_env env;
		msgpack_unpacked u;
		u8 tmp[64], out[80];
		size_t len = m->n, flips, k;
		u8 *d;
		int rc;

		memcpy(tmp, m->b, len);
		for (flips = 1 + rnd() % 3; flips; flips--)
			tmp[rnd() % len] = rnd() % 2 ? (u8)rnd() :
					   (u8)(tmp[rnd() % len] ^ 1);
		if (rnd() % 4 == 0)
			len = rnd() % (len + 1);
		d = dup_exact(tmp, len);
		rc = m4rpc_mp_rpc_parse(d, len, &env);
		for (k = 0; k <= len; k++) {
			int h = m4rpc_mp_rpc_head_check(d, k);

			/* A fixarray message that parses has a valid head. */
			if (!rc && env.fixarray)
				ASSERT_LE(0, h);
			if (!rc && env.fixarray && k == len)
				ASSERT_EQ(1, h);
		}
		if (rc) {
			ASSERT_TRUE(rc == -EBADMSG || rc == -E2BIG);
			free(d);
			continue;
		}
		accepted++;
		ASSERT_TRUE(decode(d, len, &u));
		ASSERT_EQ(MSGPACK_OBJECT_ARRAY, (int)u.data.type);
		ASSERT_EQ(env.type == M4RPC_MP_RPC_NOTIFY ? 3u : 4u,
			  u.data.via.array.size);
		ASSERT_EQ(env.type, u.data.via.array.ptr[0].via.u64);
		if (env.type == M4RPC_MP_RPC_NOTIFY) {
			ASSERT_EQ(MSGPACK_OBJECT_STR,
				  (int)u.data.via.array.ptr[1].type);
			ASSERT_EQ(env.method_len,
				  u.data.via.array.ptr[1].via.str.size);
			ASSERT_EQ(0, memcmp(u.data.via.array.ptr[1].via.str.ptr,
					    d + env.method_off, env.method_len));
			ASSERT_EQ(MSGPACK_OBJECT_ARRAY,
				  (int)u.data.via.array.ptr[2].type);
		} else {
			ASSERT_EQ(MSGPACK_OBJECT_POSITIVE_INTEGER,
				  (int)u.data.via.array.ptr[1].type);
			ASSERT_EQ(env.msgid,
				  u.data.via.array.ptr[1].via.u64);
			rc = m4rpc_mp_rpc_set_msgid(out, sizeof(out), d, len,
						 &env, 0xabcdef);
			ASSERT_LT(0, rc);
			msgpack_unpacked_destroy(&u);
			ASSERT_TRUE(decode(out, rc, &u));
			ASSERT_EQ(0xabcdefu, u.data.via.array.ptr[1].via.u64);
		}
		msgpack_unpacked_destroy(&u);
		free(d);
	}
	TH_LOG("%d of 100000 mutated messages still valid", accepted);
	ASSERT_LT(1000, accepted);
}

TEST_HARNESS_MAIN
