// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the stream reassembler (kernel/common/m4rpc_reasm.c): the M4's
 * stream, split anywhere, with raw bytes between messages, gives back the
 * same messages and raw bytes; oversize messages are dropped whole and
 * counted; holes, give-ups and nesting limits. Messages are packed with
 * msgpack-c, so the test's idea of a message is not the scanner's own.
 */
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "rpc_reasm.h"

#define CAP		512
#define STREAM_MAX	(64 * 1024)

/* ---- building streams ----------------------------------------------------- */

struct stream {
	u8 b[STREAM_MAX];
	size_t n;
	/* what must come out */
	u8 msgs[STREAM_MAX];
	size_t nmsgs_bytes;
	size_t msg_end[4096];
	int nmsgs;
	u8 raw[STREAM_MAX];
	size_t nraw;
	size_t oversize[4096];
	int noversize;
};

static void st_msg(struct stream *s, const void *m, size_t n)
{
	memcpy(s->b + s->n, m, n);
	s->n += n;
	memcpy(s->msgs + s->nmsgs_bytes, m, n);
	s->nmsgs_bytes += n;
	s->msg_end[s->nmsgs++] = s->nmsgs_bytes;
}

static void st_raw(struct stream *s, const void *r, size_t n)
{
	memcpy(s->b + s->n, r, n);
	s->n += n;
	memcpy(s->raw + s->nraw, r, n);
	s->nraw += n;
}

static void st_oversize(struct stream *s, const void *m, size_t n)
{
	memcpy(s->b + s->n, m, n);
	s->n += n;
	s->oversize[s->noversize++] = n;
}

/* msgpack-c packs into sbuf; take its bytes and clear it. */
static msgpack_sbuffer sbuf;
static msgpack_packer pk;

static void pk_start(void)
{
	msgpack_sbuffer_clear(&sbuf);
}

static void pk_init(void)
{
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
}

static void pk_str(const char *s)
{
	msgpack_pack_str(&pk, strlen(s));
	msgpack_pack_str_body(&pk, s, strlen(s));
}

/* Params holding one value of each msgpack type and length class. */
static void pk_params_all_types(unsigned int seed)
{
	static u8 blob[300];
	int i;

	for (i = 0; i < (int)sizeof(blob); i++)
		blob[i] = (u8)(seed * 7 + i);
	msgpack_pack_array(&pk, 22);
	msgpack_pack_nil(&pk);
	msgpack_pack_true(&pk);
	msgpack_pack_false(&pk);
	msgpack_pack_uint64(&pk, 5);			/* fixint */
	msgpack_pack_uint64(&pk, 200);			/* uint8 */
	msgpack_pack_uint64(&pk, 60000);		/* uint16 */
	msgpack_pack_uint64(&pk, 4000000000u);		/* uint32 */
	msgpack_pack_uint64(&pk, 1ULL << 40);		/* uint64 */
	msgpack_pack_int64(&pk, -3);			/* negative fixint */
	msgpack_pack_int64(&pk, -100);			/* int8 */
	msgpack_pack_int64(&pk, -30000);		/* int16 */
	msgpack_pack_int64(&pk, -2000000000);		/* int32 */
	msgpack_pack_int64(&pk, -(1LL << 40));		/* int64 */
	msgpack_pack_float(&pk, 1.5f);
	msgpack_pack_double(&pk, 2.25);
	pk_str("short");				/* fixstr */
	msgpack_pack_str(&pk, 40);			/* str8 */
	msgpack_pack_str_body(&pk, blob, 40);
	msgpack_pack_bin(&pk, 3);			/* bin8 */
	msgpack_pack_bin_body(&pk, blob, 3);
	msgpack_pack_bin(&pk, 260);			/* bin16 */
	msgpack_pack_bin_body(&pk, blob, 260);
	msgpack_pack_ext(&pk, 4, 7);			/* fixext4 */
	msgpack_pack_ext_body(&pk, blob, 4);
	msgpack_pack_map(&pk, 1);			/* fixmap, nested array */
	pk_str("k");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_array(&pk, 0);
	msgpack_pack_map(&pk, 0);
	msgpack_pack_ext(&pk, 5, 1);			/* ext8 */
	msgpack_pack_ext_body(&pk, blob, 5);
}

enum { M_REQ, M_RESP, M_NOTIFY, M_ECHO, M_TTY, M_NR };

/* A message of kind @k; returns its bytes (valid until the next call). */
static const u8 *mk_msg(int k, unsigned int seed, size_t *n)
{
	static const u32 ids[] = { 1, 0x7f, 0x80, 0xff, 0x1234, 0x24009a30u };
	u32 id = ids[seed % 6];

	pk_start();
	switch (k) {
	case M_REQ:
		msgpack_pack_array(&pk, 4);
		msgpack_pack_uint32(&pk, 0);
		msgpack_pack_uint32(&pk, id);
		pk_str("method");
		pk_params_all_types(seed);
		break;
	case M_RESP:
		msgpack_pack_array(&pk, 4);
		msgpack_pack_uint32(&pk, 1);
		msgpack_pack_uint32(&pk, id);
		if (seed & 1) {
			msgpack_pack_nil(&pk);
			msgpack_pack_int32(&pk, -(int)seed);
		} else {
			pk_str("rpclib: server could not find function 'gas' with argument count 0.");
			msgpack_pack_nil(&pk);
		}
		break;
	case M_NOTIFY:
		msgpack_pack_array(&pk, 3);
		msgpack_pack_uint32(&pk, 2);
		pk_str("event");
		msgpack_pack_array(&pk, 0);
		break;
	case M_ECHO:
		msgpack_pack_array(&pk, 4);
		msgpack_pack_uint32(&pk, 0);
		msgpack_pack_uint32(&pk, id);
		pk_str("echo");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_uint32(&pk, seed);
		break;
	default:
		msgpack_pack_array(&pk, 3);
		msgpack_pack_uint32(&pk, 2);
		pk_str("tty");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_bin(&pk, 3);
		msgpack_pack_bin_body(&pk, "hi\n", 3);
		break;
	}
	*n = sbuf.size;
	return (const u8 *)sbuf.data;
}

/*
 * Raw bytes: text, and binary that holds 0x93/0x94 bytes which do not start
 * a message (each fails its head check, possibly only after several bytes).
 */
static const struct {
	const char *b;
	size_t n;
} junk[] = {
	{ "hello\r\n", 7 },
	{ "\x94\x41", 2 },
	{ "\x93\x00\x93", 3 },
	{ "\xc1\xdc\x00\x04", 4 },
	{ "\x94\x00\xff", 3 },
	{ "\x94\x01\xd0", 3 },		/* int8 is no msgid */
	{ "\x93\x02\x05", 3 },		/* a notification needs a str */
	{ "\x94\x00\x01\xa1x\x05", 6 },	/* params must be an array */
	{ "\x94", 1 },
	{ "\x00", 1 },
	{ "\x93\x02\xa3tt", 5 },	/* cut short by the next message */
};

#define NJUNK (sizeof(junk) / sizeof(junk[0]))

/* ---- running the reassembler ------------------------------------------------ */

struct result {
	u8 msgs[STREAM_MAX];
	size_t nmsgs_bytes;
	size_t msg_end[4096];
	int nmsgs;
	u8 raw[STREAM_MAX];
	size_t nraw;
	size_t oversize[4096];
	int noversize;
	int bad;		/* events that should not happen */
};

static void run_feed(struct m4rpc_reasm *r, struct result *res, const u8 *d,
		     size_t len)
{
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;
	size_t used;

	for (;;) {
		ev = m4rpc_reasm_feed(r, d, len, &used, &out);
		if (used > len) {
			res->bad++;
			return;
		}
		d += used;
		len -= used;
		switch (ev) {
		case M4RPC_REASM_SUSPECT:	/* not without hole hints */
		case M4RPC_REASM_CUT:
			res->bad++;
			return;
		case M4RPC_REASM_NONE:
			if (len)
				res->bad++;
			return;
		case M4RPC_REASM_MSG:
			if (!out.len || out.len > r->cap) {
				res->bad++;
				return;
			}
			if (res->nmsgs == 4096) {
				res->bad++;
				return;
			}
			memcpy(res->msgs + res->nmsgs_bytes, out.data, out.len);
			res->nmsgs_bytes += out.len;
			res->msg_end[res->nmsgs++] = res->nmsgs_bytes;
			break;
		case M4RPC_REASM_RAW:
			if (!out.len) {
				res->bad++;
				return;
			}
			memcpy(res->raw + res->nraw, out.data, out.len);
			res->nraw += out.len;
			break;
		case M4RPC_REASM_OVERSIZE:
			if (res->noversize == 4096) {
				res->bad++;
				return;
			}
			res->oversize[res->noversize++] = out.len;
			break;
		}
	}
}

static struct result res;
static u8 rbuf[65536];

/*
 * Feed @s in pieces: @mode 0 split at @k into two, 1 chunks of @k bytes,
 * 2 random chunks of 1..128 bytes (the H7's) seeded with @k.
 */
static void feed_stream(struct m4rpc_reasm *r, const struct stream *s, int mode,
			size_t k)
{
	size_t i, n;

	memset(&res, 0, sizeof(res));
	if (mode == 0) {
		run_feed(r, &res, s->b, k);
		run_feed(r, &res, s->b + k, s->n - k);
		return;
	}
	srand(k);
	for (i = 0; i < s->n; i += n) {
		n = mode == 1 ? k : 1 + (size_t)rand() % 128;
		if (n > s->n - i)
			n = s->n - i;
		run_feed(r, &res, s->b + i, n);
	}
}

#define CHECK_RESULT(r, s) do {						\
	ASSERT_EQ(0, res.bad);						\
	ASSERT_EQ((s)->nmsgs, res.nmsgs);				\
	ASSERT_EQ((s)->nmsgs_bytes, res.nmsgs_bytes);			\
	ASSERT_EQ(0, memcmp(res.msgs, (s)->msgs, (s)->nmsgs_bytes));	\
	ASSERT_EQ(0, memcmp(res.msg_end, (s)->msg_end,			\
			    (s)->nmsgs * sizeof(size_t)));		\
	ASSERT_EQ((s)->nraw, res.nraw);					\
	ASSERT_EQ(0, memcmp(res.raw, (s)->raw, (s)->nraw));		\
	ASSERT_EQ((s)->noversize, res.noversize);			\
	ASSERT_EQ(0, memcmp(res.oversize, (s)->oversize,		\
			    (s)->noversize * sizeof(size_t)));		\
	ASSERT_FALSE(m4rpc_reasm_busy(r));				\
} while (0)

/* Every split into two, every chunk size up to 130, random H7 chunks. */
#define CHECK_ALL_SPLITS(s, cap, skip) do {				\
	struct m4rpc_reasm r_;						\
	size_t k_;							\
	for (k_ = 0; k_ <= (s)->n; k_++) {				\
		m4rpc_reasm_init(&r_, rbuf, cap, skip);			\
		feed_stream(&r_, s, 0, k_);				\
		CHECK_RESULT(&r_, s);					\
	}								\
	for (k_ = 1; k_ <= 130; k_++) {					\
		m4rpc_reasm_init(&r_, rbuf, cap, skip);			\
		feed_stream(&r_, s, 1, k_);				\
		CHECK_RESULT(&r_, s);					\
	}								\
	for (k_ = 0; k_ < 50; k_++) {					\
		m4rpc_reasm_init(&r_, rbuf, cap, skip);			\
		feed_stream(&r_, s, 2, k_);				\
		CHECK_RESULT(&r_, s);					\
	}								\
} while (0)

static struct stream st;

/* ---- tests ------------------------------------------------------------------ */

/* Every kind of message back to back, no raw bytes. */
TEST(messages_every_split)
{
	const u8 *m;
	size_t n;
	int i;

	pk_init();
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 3 * M_NR; i++) {
		m = mk_msg(i % M_NR, i, &n);
		ASSERT_GE((size_t)CAP, n);
		st_msg(&st, m, n);
	}
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);
	msgpack_sbuffer_destroy(&sbuf);
}

/* Junk (raw bytes) before, between and after messages. */
TEST(junk_between_messages)
{
	const u8 *m;
	size_t n, j;
	int i;

	pk_init();
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 2 * (int)NJUNK; i++) {
		j = i % NJUNK;
		st_raw(&st, junk[j].b, junk[j].n);
		m = mk_msg(i % M_NR, i, &n);
		st_msg(&st, m, n);
	}
	st_raw(&st, "tail", 4);
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);
	msgpack_sbuffer_destroy(&sbuf);
}

/* Only raw bytes: all of them come out, in order, none kept. */
TEST(raw_only)
{
	u8 text[3000];
	size_t i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < sizeof(text); i++)
		text[i] = "Serial says hi\r\n"[i % 16];
	st_raw(&st, text, sizeof(text));
	/* Every byte value but the two that can start a message. */
	for (i = 0; i < 256; i++) {
		u8 b = i;

		if (b != 0x93 && b != 0x94)
			st_raw(&st, &b, 1);
	}
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);
}

/* A message of exactly cap bytes is kept; cap + 1 is dropped whole. */
TEST(max_size)
{
	u8 big[CAP + 8];
	const u8 *m;
	size_t n, hdr, pad;
	int extra;

	pk_init();
	for (extra = 0; extra <= 1; extra++) {
		memset(&st, 0, sizeof(st));
		/* [2, "big", [bin16 of pad]]: 1 + 1 + 4 + 1 + 3 + pad */
		hdr = 10;
		pad = CAP - hdr + extra;
		pk_start();
		msgpack_pack_array(&pk, 3);
		msgpack_pack_uint32(&pk, 2);
		pk_str("big");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_bin(&pk, pad);
		memset(big, 0x94, pad);
		msgpack_pack_bin_body(&pk, big, pad);
		ASSERT_EQ((size_t)(CAP + extra), sbuf.size);
		memcpy(big, sbuf.data, sbuf.size);
		n = sbuf.size;

		m = mk_msg(M_ECHO, 1, &hdr);
		st_msg(&st, m, hdr);
		if (extra)
			st_oversize(&st, big, n);
		else
			st_msg(&st, big, n);
		st_raw(&st, "x", 1);
		m = mk_msg(M_TTY, 2, &hdr);
		st_msg(&st, m, hdr);
		CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);
	}
	msgpack_sbuffer_destroy(&sbuf);
}

/* Oversize messages of every size class, each dropped once. */
TEST(oversize_dropped_whole)
{
	static u8 big[5000];
	const u8 *m;
	size_t n;
	size_t sizes[] = { CAP + 1, CAP + 100, 3 * CAP, 4000 };
	unsigned int i;

	pk_init();
	memset(&st, 0, sizeof(st));
	memset(big, 0x93, sizeof(big));
	for (i = 0; i < 4; i++) {
		m = mk_msg(M_RESP, i, &n);
		st_msg(&st, m, n);
		pk_start();
		msgpack_pack_array(&pk, 4);
		msgpack_pack_uint32(&pk, 1);
		msgpack_pack_uint32(&pk, i);
		msgpack_pack_nil(&pk);
		msgpack_pack_str(&pk, sizes[i] - 7);
		msgpack_pack_str_body(&pk, big, sizes[i] - 7);
		n = sbuf.size;
		st_oversize(&st, (const u8 *)sbuf.data, n);
	}
	m = mk_msg(M_NOTIFY, 9, &n);
	st_msg(&st, m, n);
	CHECK_ALL_SPLITS(&st, CAP, 16 * CAP);
	msgpack_sbuffer_destroy(&sbuf);
}

/*
 * A head longer than cap (a long method name) cannot be a message: its
 * bytes come out raw; a bin32 length of 4 GiB in junk with a valid head is
 * given up after skip_max bytes and what follows is scanned afresh.
 */
TEST(long_head_and_giveup)
{
	struct m4rpc_reasm r;
	u8 name[CAP + 20];
	const u8 *m;
	size_t n;

	pk_init();
	memset(&st, 0, sizeof(st));
	memset(name, 'n', sizeof(name));
	/* [2, str16 of CAP + 20 bytes, ... ]: head never complete within cap */
	{
		u8 head[3] = { 0x93, 0x02, 0xda };
		u8 len[2] = { (CAP + 20) >> 8, (CAP + 20) & 0xff };

		st_raw(&st, head, 3);
		st_raw(&st, len, 2);
		st_raw(&st, name, sizeof(name));
		st_raw(&st, "\x90", 1);
	}
	m = mk_msg(M_ECHO, 3, &n);
	st_msg(&st, m, n);
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);

	/* Give-up: a response head, then bin32 0xffffffff. */
	memset(&st, 0, sizeof(st));
	{
		static u8 junkbody[4 * CAP];
		u8 head[8] = { 0x94, 0x01, 0x05, 0xc6, 0xff, 0xff, 0xff, 0xff };

		memset(junkbody, 'j', sizeof(junkbody));
		memcpy(st.b, head, 8);
		memcpy(st.b + 8, junkbody, 4 * CAP - 8);
		st.n = 4 * CAP;
		st.oversize[st.noversize++] = 4 * CAP;
		st_raw(&st, junkbody, 100);
	}
	m = mk_msg(M_TTY, 3, &n);
	st_msg(&st, m, n);
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);

	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	feed_stream(&r, &st, 2, 7);
	ASSERT_EQ(1u, r.giveups);
	ASSERT_EQ(1u, r.oversize);
	msgpack_sbuffer_destroy(&sbuf);
}

/*
 * Nesting deeper than the scanner's limit: not a message; its first byte is
 * raw and the rest is scanned again (and is raw too: fixarrays of one).
 */
TEST(nesting_limit)
{
	u8 deep[64];
	const u8 *m;
	size_t n = 0, i;

	pk_init();
	memset(&st, 0, sizeof(st));
	/* [2, "x", [[[[...]]]]] with the params nested 32 deep: too deep */
	deep[n++] = 0x93;
	deep[n++] = 0x02;
	deep[n++] = 0xa1;
	deep[n++] = 'x';
	for (i = 0; i < M4RPC_MP_SCAN_DEPTH; i++)
		deep[n++] = 0x91;
	deep[n++] = 0x01;
	st_raw(&st, deep, n);
	m = mk_msg(M_NOTIFY, 1, &n);
	st_msg(&st, m, n);

	/* 31 deep inside (32 with the outer array): a message. */
	n = 0;
	deep[n++] = 0x93;
	deep[n++] = 0x02;
	deep[n++] = 0xa1;
	deep[n++] = 'x';
	for (i = 0; i < M4RPC_MP_SCAN_DEPTH - 1; i++)
		deep[n++] = 0x91;
	deep[n++] = 0x01;
	st_msg(&st, deep, n);
	CHECK_ALL_SPLITS(&st, CAP, 4 * CAP);
	msgpack_sbuffer_destroy(&sbuf);
}

/* A hole: the open candidate is forgotten, the next message is whole. */
TEST(hole_resets)
{
	struct m4rpc_reasm r;
	const u8 *m;
	size_t n, cut;

	pk_init();
	m = mk_msg(M_REQ, 4, &n);
	for (cut = 1; cut < n; cut++) {
		m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
		memset(&res, 0, sizeof(res));
		run_feed(&r, &res, m, cut);
		ASSERT_TRUE(m4rpc_reasm_busy(&r));
		ASSERT_EQ(cut, m4rpc_reasm_reset(&r));
		ASSERT_FALSE(m4rpc_reasm_busy(&r));
		run_feed(&r, &res, m, n);
		ASSERT_EQ(1, res.nmsgs);
		ASSERT_EQ(n, res.nmsgs_bytes);
		ASSERT_EQ(0, memcmp(res.msgs, m, n));
		ASSERT_EQ(0u, res.nraw);
		ASSERT_EQ(cut, r.lost_bytes);
	}
	/* A hole while dropping an oversize message: nothing reported. */
	m4rpc_reasm_init(&r, rbuf, 16, 64);
	memset(&res, 0, sizeof(res));
	run_feed(&r, &res, m, n > 40 ? 40 : n);
	ASSERT_TRUE(m4rpc_reasm_busy(&r));
	m4rpc_reasm_reset(&r);
	run_feed(&r, &res, (const u8 *)"\x93\x02\xa0\x90", 4);
	ASSERT_EQ(1, res.nmsgs);
	ASSERT_EQ(0, res.noversize);
	msgpack_sbuffer_destroy(&sbuf);
}

/* Random streams: messages, junk and random bytes, random chunks. */
TEST(random_streams)
{
	struct m4rpc_reasm r;
	const u8 *m;
	size_t n, j, total;
	int round, i;

	pk_init();
	for (round = 0; round < 200; round++) {
		memset(&st, 0, sizeof(st));
		srand(round + 1000);
		for (i = 0; i < 20; i++) {
			j = (size_t)rand() % (NJUNK + 2);
			if (j < NJUNK)
				st_raw(&st, junk[j].b, junk[j].n);
			else if (j == NJUNK)
				st_raw(&st, "ascii text, no start bytes", 26);
			m = mk_msg(rand() % M_NR, rand(), &n);
			st_msg(&st, m, n);
		}
		m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
		feed_stream(&r, &st, 2, round);
		CHECK_RESULT(&r, &st);
		total = r.raw_bytes;
		ASSERT_EQ(st.nraw, total);
		ASSERT_EQ((u64)st.nmsgs, r.msgs);
	}
	msgpack_sbuffer_destroy(&sbuf);
}

/* Arbitrary bytes: no crash, every byte accounted for, bounded output. */
TEST(fuzz_accounting)
{
	static u8 b[8192];
	size_t i, dropped, pending;
	struct m4rpc_reasm r;
	int round, k;

	for (round = 0; round < 300; round++) {
		srand(round);
		for (i = 0; i < sizeof(b); i++) {
			int x = rand() % 8;

			/* Many start bytes and small ints: candidates galore. */
			b[i] = x < 2 ? 0x93 + x : x < 4 ? rand() % 4 :
			       x < 5 ? 0xa0 + rand() % 4 : rand();
		}
		memset(&st, 0, sizeof(st));
		memcpy(st.b, b, sizeof(b));
		st.n = sizeof(b);
		m4rpc_reasm_init(&r, rbuf, 64, 256);
		feed_stream(&r, &st, 2, round);
		ASSERT_EQ(0u, (unsigned int)res.bad);
		/* Messages + raw + dropped + pending == input. */
		dropped = 0;
		for (k = 0; k < res.noversize; k++)
			dropped += res.oversize[k];
		pending = r.end - r.start + (r.dropping ? r.dropped : 0);
		ASSERT_EQ(sizeof(b), res.nmsgs_bytes + res.nraw + dropped +
			  pending);
	}
}

/* ---- possible holes (hole_possible, drained) ------------------------------ */

/* [1, @id, nil, bin8 of @n bytes of @fill]: a response as the M4 packs it. */
static size_t mk_reply(u8 *b, u8 id, size_t n, u8 fill)
{
	b[0] = 0x94;
	b[1] = 0x01;
	b[2] = id;
	b[3] = 0xc0;
	b[4] = 0xc4;
	b[5] = (u8)n;
	memset(b + 6, fill, n);
	return 6 + n;
}

struct evlog {
	int n;
	enum m4rpc_reasm_event ev[64];
	size_t len[64];
	u8 first[64];
};

/* Keep @ev; false when there is none (or no room). */
static bool log_ev(struct evlog *l, enum m4rpc_reasm_event ev,
		   const struct m4rpc_reasm_out *out)
{
	if (ev == M4RPC_REASM_NONE || l->n == 64)
		return false;
	l->ev[l->n] = ev;
	l->len[l->n] = out->len;
	l->first[l->n++] = out->data ? out->data[0] : 0;
	return true;
}

static void log_feed(struct m4rpc_reasm *r, struct evlog *l, const u8 *d,
		     size_t len)
{
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;
	size_t used;

	do {
		ev = m4rpc_reasm_feed(r, d, len, &used, &out);
		d += used;
		len -= used;
	} while (log_ev(l, ev, &out));
}

static void log_drained(struct m4rpc_reasm *r, struct evlog *l)
{
	struct m4rpc_reasm_out out;

	log_ev(l, m4rpc_reasm_drained(r, &out), &out);
}

/* A suspect message followed by a message start is whole: delivered. */
TEST(suspect_then_message_start)
{
	u8 a[300], b[300];
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	size_t na, nb;

	na = mk_reply(a, 1, 200, 0x11);
	nb = mk_reply(b, 2, 10, 0x22);
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 128);
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, a + 128, na - 128);
	ASSERT_EQ(0, l.n);		/* held: what follows is not known */
	ASSERT_TRUE(m4rpc_reasm_busy(&r));
	log_feed(&r, &l, b, nb);
	ASSERT_EQ(2, l.n);
	EXPECT_EQ((int)M4RPC_REASM_MSG, (int)l.ev[0]);
	EXPECT_EQ(na, (size_t)l.len[0]);
	EXPECT_EQ((int)M4RPC_REASM_MSG, (int)l.ev[1]);
	EXPECT_EQ(nb, l.len[1]);
	EXPECT_EQ(0u, r.suspects);
}

/*
 * A hole inside a suspect message: it is completed with bytes of the next
 * one and followed by one of that message's bytes, so it is dropped, and
 * its head still tells whose reply it was.
 */
TEST(suspect_completed_behind_hole)
{
	u8 a[300], b[300];
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	size_t na, nb;
	int i, msgs = 0;
	uint32_t id;

	na = mk_reply(a, 7, 200, 0x11);
	nb = mk_reply(b, 8, 150, 0x22);
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 128);
	m4rpc_reasm_hole_possible(&r);
	/* The H7 dropped a's second chunk; b follows. */
	log_feed(&r, &l, b, nb);
	log_drained(&r, &l);
	ASSERT_LE(1, l.n);
	EXPECT_EQ((int)M4RPC_REASM_SUSPECT, (int)l.ev[0]);
	EXPECT_EQ(na, (size_t)l.len[0]);
	EXPECT_EQ(1u, r.suspects);
	for (i = 0; i < l.n; i++)
		msgs += l.ev[i] == M4RPC_REASM_MSG;
	EXPECT_EQ(0, msgs);		/* nothing damaged is delivered */
	EXPECT_EQ(M4RPC_MP_RPC_RESPONSE, m4rpc_mp_rpc_head_msgid(a, 3, &id));
	EXPECT_EQ(7u, id);
}

/* The stream goes idle after a held message: it was whole. */
TEST(drained_releases_held)
{
	u8 a[300];
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	size_t na;

	na = mk_reply(a, 3, 200, 0x11);
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 128);
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, a + 128, na - 128);
	ASSERT_EQ(0, l.n);
	log_drained(&r, &l);
	ASSERT_EQ(1, l.n);
	EXPECT_EQ((int)M4RPC_REASM_MSG, (int)l.ev[0]);
	EXPECT_EQ(na, (size_t)l.len[0]);
	EXPECT_FALSE(m4rpc_reasm_busy(&r));
}

/*
 * Idle while a message is open: its end was lost. It is dropped, and does
 * not swallow the next message, whoever that is for.
 */
TEST(drained_cuts_open)
{
	u8 a[300], b[300];
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	size_t na, nb;

	na = mk_reply(a, 4, 200, 0x11);
	nb = mk_reply(b, 5, 20, 0x22);
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 128);
	log_drained(&r, &l);
	ASSERT_EQ(1, l.n);
	EXPECT_EQ((int)M4RPC_REASM_CUT, (int)l.ev[0]);
	EXPECT_EQ(128u, l.len[0]);
	EXPECT_EQ(0x94, l.first[0]);	/* its head: whose reply it was */
	EXPECT_EQ(1u, r.cuts);
	log_feed(&r, &l, b, nb);
	ASSERT_EQ(2, l.n);
	EXPECT_EQ((int)M4RPC_REASM_MSG, (int)l.ev[1]);
	EXPECT_EQ(nb, l.len[1]);
	/* Nothing open, nothing held: drained says nothing. */
	log_drained(&r, &l);
	EXPECT_EQ(2, l.n);
	EXPECT_LT(0u, na);
}

/* The head alone names a request's or response's msgid, in every width. */
TEST(head_msgid)
{
	static const u8 fix[] = { 0x94, 0x01, 0x7f };
	static const u8 w16[] = { 0x94, 0x00, 0xcd, 0x12, 0x34 };
	static const u8 w32[] = { 0x94, 0x01, 0xce, 0x01, 0x02, 0x03, 0x04 };
	static const u8 cut[] = { 0x94, 0x01, 0xce, 0x01 };
	static const u8 notif[] = { 0x93, 0x02, 0xa1 };
	uint32_t id = 0;

	EXPECT_EQ(M4RPC_MP_RPC_RESPONSE,
		  m4rpc_mp_rpc_head_msgid(fix, sizeof(fix), &id));
	EXPECT_EQ(0x7fu, id);
	EXPECT_EQ(M4RPC_MP_RPC_REQUEST,
		  m4rpc_mp_rpc_head_msgid(w16, sizeof(w16), &id));
	EXPECT_EQ(0x1234u, id);
	EXPECT_EQ(M4RPC_MP_RPC_RESPONSE,
		  m4rpc_mp_rpc_head_msgid(w32, sizeof(w32), &id));
	EXPECT_EQ(0x01020304u, id);
	EXPECT_EQ(-EBADMSG, m4rpc_mp_rpc_head_msgid(cut, sizeof(cut), &id));
	EXPECT_EQ(-EBADMSG, m4rpc_mp_rpc_head_msgid(notif, sizeof(notif), &id));
}

/*
 * The hole took exactly as many bytes as the next message has: the
 * suspect message is completed with that message and followed by a valid
 * head. Its bytes at the possible hole read as a head: dropped.
 */
TEST(suspect_hole_then_whole_message)
{
	u8 a[300], b[300], c[300];
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	size_t na, nb, nc;
	int i, msgs = 0;

	na = mk_reply(a, 7, 214, 0x11);		/* 220 bytes */
	nb = mk_reply(b, 8, na - 128 - 6, 0x22);	/* the lost tail's size */
	nc = mk_reply(c, 9, 10, 0x33);
	ASSERT_EQ(na - 128, nb);
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 128);
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, b, nb);
	log_feed(&r, &l, c, nc);
	log_drained(&r, &l);
	ASSERT_LE(1, l.n);
	EXPECT_EQ((int)M4RPC_REASM_SUSPECT, (int)l.ev[0]);
	for (i = 0; i < l.n; i++)
		msgs += l.ev[i] == M4RPC_REASM_MSG;
	EXPECT_EQ(1, msgs);		/* c, whole */
}

/* Its own last byte at the possible hole may be 0x94: no head, kept. */
TEST(suspect_own_byte_like_a_start)
{
	static const u8 a[] = { 0x94, 0x01, 0x05, 0xc0, 0xcc, 0x94 };
	struct m4rpc_reasm r;
	struct evlog l = { 0 };

	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, a, 5);
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, a + 5, 1);
	log_drained(&r, &l);
	ASSERT_EQ(1, l.n);
	EXPECT_EQ((int)M4RPC_REASM_MSG, (int)l.ev[0]);
	EXPECT_EQ(sizeof(a), l.len[0]);
}

/*
 * A candidate that fails keeps its possible holes for the bytes scanned
 * again: X = [1, 1, [M, 0xc1]] fails at 0xc1, after M, which spans a
 * possible hole where its bytes read as a whole head (94 01 05). M, found
 * when X's bytes are scanned again, is dropped as suspect, not delivered;
 * a message there that ends before the hole is delivered as usual.
 */
TEST(rescanned_message_keeps_holes)
{
	static const u8 head[] = { 0x94, 0x01, 0x01, 0x92 };
	static const u8 m[] = { 0x94, 0x01, 0x02, 0xc0, 0xc4, 0x04,
				0x94, 0x01, 0x05, 0xc0 };
	static const u8 before[] = { 0x94, 0x01, 0x03, 0xc0, 0x07 };
	static const u8 bad = 0xc1;
	struct m4rpc_reasm r;
	struct evlog l = { 0 };
	int i, msgs = 0, suspects = 0;

	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, head, sizeof(head));
	log_feed(&r, &l, m, 6);
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, m + 6, sizeof(m) - 6);
	log_feed(&r, &l, &bad, 1);
	log_drained(&r, &l);
	for (i = 0; i < l.n; i++) {
		msgs += l.ev[i] == M4RPC_REASM_MSG;
		suspects += l.ev[i] == M4RPC_REASM_SUSPECT &&
			    l.len[i] == sizeof(m);
	}
	EXPECT_EQ(0, msgs);
	EXPECT_EQ(1, suspects);

	/* The same, with a whole message before the hole: delivered. */
	memset(&l, 0, sizeof(l));
	m4rpc_reasm_init(&r, rbuf, CAP, 4 * CAP);
	log_feed(&r, &l, head, sizeof(head));
	log_feed(&r, &l, before, sizeof(before));
	m4rpc_reasm_hole_possible(&r);
	log_feed(&r, &l, &bad, 1);
	for (i = 0, msgs = 0; i < l.n; i++)
		if (l.ev[i] == M4RPC_REASM_MSG && l.len[i] == sizeof(before))
			msgs++;
	EXPECT_EQ(1, msgs);
	EXPECT_EQ(0u, r.suspects);
}

TEST_HARNESS_MAIN
