// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit test of the UI stream splitter (mpack_split.c): streams of
 * messages and raw bytes as the M4 sends them, cut into slices of every
 * size, must give back the same messages and the same raw bytes in order;
 * false starts, messages too long for the buffer and holes in the stream
 * must cost no more than they should.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "mpack_split.h"

#define B(...)	{ .b = (const u8[]){ __VA_ARGS__ }, \
		  .n = sizeof((const u8[]){ __VA_ARGS__ }) }

struct bytes {
	const u8 *b;
	size_t n;
};

/* Messages the M4 sends (msgpack-c's shortest encodings). */
static const struct bytes msgs[] = {
	/* [1, 5, nil, 300]: the sensors sketch's pressure() */
	B(0x94, 0x01, 0x05, 0xc0, 0xcd, 0x01, 0x2c),
	/* [0, 0x24009a30, "echo", [1]]: an M4 call */
	B(0x94, 0x00, 0xce, 0x24, 0x00, 0x9a, 0x30, 0xa4, 'e', 'c', 'h', 'o',
	  0x91, 0x01),
	/* [2, "tty", [bin "\r\n"]]: Serial.println()'s second half */
	B(0x93, 0x02, 0xa3, 't', 't', 'y', 0x91, 0xc4, 0x02, 0x0d, 0x0a),
	/* [1, 0x7fffffff, "error", nil] */
	B(0x94, 0x01, 0xce, 0x7f, 0xff, 0xff, 0xff, 0xa5, 'e', 'r', 'r', 'o',
	  'r', 0xc0),
	/* [1, 200, nil, [0x93, 0x94 inside a bin]] */
	B(0x94, 0x01, 0xcc, 0xc8, 0xc0, 0xc4, 0x03, 0x93, 0x94, 0xc1),
};

#define NMSGS	(sizeof(msgs) / sizeof(msgs[0]))

/* Raw-endpoint bytes, some of which look like the start of a message. */
static const struct bytes junk[] = {
	B('h', 'e', 'l', 'l', 'o', '\r', '\n'),
	B(0x00),			/* a greeting byte */
	B(0x94, 0x05),			/* type 5 */
	B(0x93, 0x00, 0x01),		/* a request cannot have 3 elements */
	B(0x94, 0xc1),			/* never used in msgpack */
	B(0x94),			/* right before a message */
	B(0x93, 0x02, 0x07),		/* method not a str */
	B(0x94, 0x01, 0xcf),		/* msgid uint64 */
	B(0x94, 0x00, 0x01, 0xa1, 'x', 0x05),	/* params not an array */
};

#define NJUNK	(sizeof(junk) / sizeof(junk[0]))

/* What the splitter gave back. */
struct result {
	u8 raw[16384];
	size_t nraw;
	u8 out[16384];		/* the messages, back to back */
	size_t nout;
	size_t ends[512];	/* where each message ends in out */
	size_t nmsgs;
	size_t dropped[16];	/* lengths of DROPPED events */
	size_t ndropped;
	int type_mismatch;	/* env.type disagrees with the message */
};

static void run(struct mpack_split *sp, const u8 *d, size_t n,
		struct result *r)
{
	struct mpack_split_out out;
	enum mpack_split_event ev;

	while ((ev = mpack_split_next(sp, &d, &n, &out)) != MPACK_SPLIT_MORE) {
		switch (ev) {
		case MPACK_SPLIT_MSG:
			memcpy(r->out + r->nout, out.data, out.len);
			r->nout += out.len;
			r->ends[r->nmsgs++] = r->nout;
			if ((int)out.env.type != (out.data[0] == 0x93 ? 2 :
						   out.data[1]))
				r->type_mismatch++;
			break;
		case MPACK_SPLIT_RAW:
			memcpy(r->raw + r->nraw, out.data, out.len);
			r->nraw += out.len;
			break;
		case MPACK_SPLIT_DROPPED:
			r->dropped[r->ndropped++] = out.len;
			break;
		default:
			break;
		}
	}
}

/* Feed @s[0..@n) in slices of @step bytes (0: random 1..128). */
static void feed(struct mpack_split *sp, const u8 *s, size_t n, size_t step,
		 struct result *r)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = step ? step : 1 + (size_t)rand() % 128;
		if (k > n - i)
			k = n - i;
		run(sp, s + i, k, r);
	}
}

static u8 splitbuf[4096];
static struct result res;

TEST(init_refuses_tiny_buffer)
{
	struct mpack_split sp;

	EXPECT_EQ(-EINVAL, mpack_split_init(&sp, splitbuf,
					    MPACK_SPLIT_MIN_CAP - 1));
	EXPECT_EQ(0, mpack_split_init(&sp, splitbuf, MPACK_SPLIT_MIN_CAP));
}

/* Junk and messages in turn, in slices of 1..40 bytes and random ones. */
TEST(messages_and_raw_bytes_any_slicing)
{
	static u8 stream[8192], want_raw[4096], want_out[8192];
	size_t len = 0, nraw = 0, nout = 0, want_ends[256], nmsgs = 0;
	struct mpack_split sp;
	size_t i, step;

	for (i = 0; i < 90; i++) {
		const struct bytes *j = &junk[i % NJUNK];
		const struct bytes *m = &msgs[i % NMSGS];

		memcpy(stream + len, j->b, j->n);
		len += j->n;
		memcpy(want_raw + nraw, j->b, j->n);
		nraw += j->n;
		memcpy(stream + len, m->b, m->n);
		len += m->n;
		memcpy(want_out + nout, m->b, m->n);
		nout += m->n;
		want_ends[nmsgs++] = nout;
	}
	srand(20240521);
	for (step = 0; step <= 40; step++) {
		memset(&res, 0, sizeof(res));
		ASSERT_EQ(0, mpack_split_init(&sp, splitbuf, sizeof(splitbuf)));
		feed(&sp, stream, len, step, &res);
		ASSERT_EQ(nmsgs, res.nmsgs) TH_LOG("step %zu", step);
		ASSERT_EQ(nout, res.nout);
		ASSERT_EQ(0, memcmp(want_out, res.out, nout));
		ASSERT_EQ(0, memcmp(want_ends, res.ends,
				    nmsgs * sizeof(want_ends[0])));
		ASSERT_EQ(nraw, res.nraw);
		ASSERT_EQ(0, memcmp(want_raw, res.raw, nraw));
		EXPECT_EQ(0U, res.ndropped);
		EXPECT_EQ(0, res.type_mismatch);
		/* Nothing held back: a hole now loses nothing. */
		EXPECT_EQ(0U, mpack_split_hole(&sp));
	}
}

/* A message longer than the buffer is dropped whole; the next one is not. */
TEST(message_longer_than_buffer)
{
	static u8 stream[512];
	struct mpack_split sp;
	u8 small[64];
	size_t len = 0, big, step;

	/* [2, "log", [bin8 of 200]] */
	memcpy(stream, "\x93\x02\xa3log\x91\xc4\xc8", 9);
	memset(stream + 9, 0x94, 200);
	big = len = 209;
	memcpy(stream + len, msgs[0].b, msgs[0].n);
	len += msgs[0].n;
	for (step = 1; step <= 70; step += 23) {
		memset(&res, 0, sizeof(res));
		ASSERT_EQ(0, mpack_split_init(&sp, small, sizeof(small)));
		feed(&sp, stream, len, step, &res);
		ASSERT_EQ(1U, res.ndropped);
		EXPECT_EQ(big, res.dropped[0]);
		ASSERT_EQ(1U, res.nmsgs);
		EXPECT_EQ(0, memcmp(msgs[0].b, res.out, msgs[0].n));
		EXPECT_EQ(0U, res.nraw);
	}
}

/*
 * Raw bytes that pass the head check for as long as the buffer lasts (a
 * str32 name of 4 GiB) cost one raw byte at a time, not the messages after
 * them: the false start is found when the buffer is full.
 */
TEST(false_start_longer_than_buffer)
{
	static const u8 lure[] = { 0x94, 0x00, 0x01, 0xdb, 0xff, 0xff, 0xff,
				   0xff, 'a', 'b', 'c' };
	struct mpack_split sp;
	u8 stream[64], small[48];
	size_t len;

	memcpy(stream, lure, sizeof(lure));
	memcpy(stream + sizeof(lure), msgs[2].b, msgs[2].n);
	len = sizeof(lure) + msgs[2].n;
	memset(&res, 0, sizeof(res));
	ASSERT_EQ(0, mpack_split_init(&sp, small, sizeof(small)));
	feed(&sp, stream, len, 5, &res);
	/* The message is inside the lure's "name": found once the buffer is
	 * full, only if the stream goes on that far. */
	memset(stream, 'z', sizeof(stream));
	feed(&sp, stream, sizeof(stream), 7, &res);
	ASSERT_EQ(1U, res.nmsgs);
	EXPECT_EQ(0, memcmp(msgs[2].b, res.out, msgs[2].n));
	ASSERT_EQ(sizeof(lure) + sizeof(stream), res.nraw);
	EXPECT_EQ(0, memcmp(lure, res.raw, sizeof(lure)));
	EXPECT_EQ(0U, res.ndropped);
}

/* A hole drops the message it cuts, and only that one. */
TEST(hole_drops_the_cut_message)
{
	struct mpack_split sp;
	const struct bytes *m = &msgs[1];
	size_t cut;

	for (cut = 1; cut < m->n; cut++) {
		memset(&res, 0, sizeof(res));
		ASSERT_EQ(0, mpack_split_init(&sp, splitbuf, sizeof(splitbuf)));
		feed(&sp, msgs[0].b, msgs[0].n, 3, &res);
		feed(&sp, m->b, cut, 1, &res);
		EXPECT_EQ(cut, mpack_split_hole(&sp));
		/* After the hole: the rest of the cut message, raw now (no
		 * byte of it can start a message), then a whole one. */
		feed(&sp, m->b + cut, m->n - cut, 2, &res);
		feed(&sp, msgs[3].b, msgs[3].n, 0, &res);
		ASSERT_EQ(2U, res.nmsgs) TH_LOG("cut %zu", cut);
		EXPECT_EQ(0, memcmp(msgs[0].b, res.out, msgs[0].n));
		EXPECT_EQ(0, memcmp(msgs[3].b, res.out + msgs[0].n,
				    msgs[3].n));
		ASSERT_EQ(m->n - cut, res.nraw);
		EXPECT_EQ(0, memcmp(m->b + cut, res.raw, m->n - cut));
	}
	/* After a message was handed back, a hole loses nothing. */
	EXPECT_EQ(0U, mpack_split_hole(&sp));
}

/* A false start whose rescan finds a message that itself is cut by a hole. */
TEST(hole_during_rescan_counts_every_byte)
{
	static const u8 s[] = { 0x94, 0x94, 0x01, 0x05, 0xc0 };
	struct mpack_split sp;

	memset(&res, 0, sizeof(res));
	ASSERT_EQ(0, mpack_split_init(&sp, splitbuf, sizeof(splitbuf)));
	feed(&sp, s, sizeof(s), 0, &res);
	ASSERT_EQ(1U, res.nraw);
	EXPECT_EQ(0x94, res.raw[0]);
	EXPECT_EQ(sizeof(s) - 1, mpack_split_hole(&sp));
	feed(&sp, msgs[0].b, msgs[0].n, 0, &res);
	ASSERT_EQ(1U, res.nmsgs);
	EXPECT_EQ(0, memcmp(msgs[0].b, res.out, msgs[0].n));
}

TEST_HARNESS_MAIN
