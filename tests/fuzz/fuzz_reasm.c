// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the M4-to-Linux stream reassembler
 * (kernel/common/rpc_reasm.c), fed arbitrary chunkings with the link's
 * marks between chunks, as ep_rx.c feeds it.
 *
 * Input: byte 0 picks the buffer size and the give-up bound, byte 1 the
 * number of plan bytes that follow (0..31); each plan byte is a chunk
 * length (1 + its low 6 bits) and what the link says after that chunk (its
 * top 2 bits: nothing, a possible hole, the ring drained, bytes lost). The
 * plan is cycled over the rest, the stream. Invariants:
 *
 *  - every byte of the stream is accounted for exactly once and in order:
 *    what comes out as a message, raw bytes, a suspect or a cut message are
 *    the stream's own bytes at that point, and what an oversize drop or a
 *    reset reports covers the bytes in between;
 *  - a reset (bytes lost) discards everything pending: no later event
 *    holds a byte from before it;
 *  - every message delivered is a complete msgpack-rpc message, no longer
 *    than the buffer, of exactly the length claimed; so is a suspect one;
 *  - no message is delivered whose bytes at a possible hole inside it hold
 *    a whole message head (checked while the stream has had no more
 *    possible holes than the reassembler remembers);
 *  - without marks, how the stream is chunked changes nothing: which byte
 *    belongs to which message, drop or raw run is the same as fed whole.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "rpc_reasm.h"

#define CAP_MAX		512
#define STREAM_MAX	8192

/* Per stream byte: what it came out as, and whether it began an event. */
enum { L_NONE, L_MSG, L_RAW, L_OVERSIZE, L_SUSPECT, L_CUT, L_LOST };
#define L_START		0x80

enum { ACT_NONE, ACT_HOLE, ACT_DRAINED, ACT_LOST };

struct run {
	struct m4rpc_reasm r;
	u8 buf[CAP_MAX];
	const u8 *stream;
	size_t size;
	size_t pos;		/* stream bytes accounted for */
	size_t fed;		/* stream bytes fed */
	u8 label[STREAM_MAX];
	u64 msgs;
	size_t marks[M4RPC_REASM_MARKS];	/* stream offsets of possible holes */
	unsigned int nmarks;			/* ... all of them, counted */
};

static void label(struct run *run, size_t n, u8 l, bool start)
{
	size_t i;

	FUZZ_CHECK(run->pos + n <= run->fed);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(run->label[run->pos + i] == L_NONE);
		run->label[run->pos + i] = l | (start && !i ? L_START : 0);
	}
	run->pos += n;
}

/* Bytes that come out must be the stream's next ones. */
static void take(struct run *run, const struct m4rpc_reasm_out *out, u8 l,
		 bool start)
{
	FUZZ_CHECK(out->data);
	FUZZ_CHECK(run->pos + out->len <= run->fed);
	FUZZ_CHECK(memcmp(out->data, run->stream + run->pos, out->len) == 0);
	label(run, out->len, l, start);
}

/*
 * A delivered message spans no possible hole at which its bytes read as
 * the head of another message (what came after the hole was that one).
 */
static void check_marks(const struct run *run, const struct m4rpc_reasm_out *out)
{
	size_t m, n, end = run->pos + out->len;
	unsigned int i;

	if (run->nmarks > M4RPC_REASM_MARKS)
		return;
	for (i = 0; i < run->nmarks; i++) {
		m = run->marks[i];
		if (m <= run->pos || m >= end)
			continue;
		n = end - m < M4RPC_REASM_MARK_HEAD ? end - m :
						       M4RPC_REASM_MARK_HEAD;
		FUZZ_CHECK(m4rpc_mp_rpc_head_check(run->stream + m, n) != 1);
	}
}

/* A message, as delivered or as dropped suspect: whole and valid. */
static void check_msg(const struct run *run, const struct m4rpc_reasm_out *out)
{
	struct m4rpc_mp_rpc_env env;

	FUZZ_CHECK(out->len >= 3 && out->len <= run->r.cap);
	FUZZ_CHECK(m4rpc_mp_object_len(out->data, out->len) == (int)out->len);
	FUZZ_CHECK(m4rpc_mp_rpc_head_check(out->data, out->len) == 1);
	FUZZ_CHECK(m4rpc_mp_rpc_parse(out->data, out->len, &env) == 0);
	FUZZ_CHECK(env.fixarray);
}

static void event(struct run *run, enum m4rpc_reasm_event ev,
		  const struct m4rpc_reasm_out *out)
{
	switch (ev) {
	case M4RPC_REASM_MSG:
		check_msg(run, out);
		check_marks(run, out);
		take(run, out, L_MSG, true);
		run->msgs++;
		break;
	case M4RPC_REASM_RAW:
		FUZZ_CHECK(out->len >= 1);
		take(run, out, L_RAW, false);
		break;
	case M4RPC_REASM_OVERSIZE:
		FUZZ_CHECK(!out->data && out->len >= run->r.cap);
		FUZZ_CHECK(out->len <= run->r.skip_max);
		label(run, out->len, L_OVERSIZE, true);
		break;
	case M4RPC_REASM_SUSPECT:
		check_msg(run, out);
		take(run, out, L_SUSPECT, true);
		break;
	case M4RPC_REASM_CUT:
		FUZZ_CHECK(out->len >= 1);
		if (out->data) {
			FUZZ_CHECK(out->len <= run->r.cap);
			take(run, out, L_CUT, true);
		} else {
			label(run, out->len, L_CUT, true);
		}
		/* Nothing stays pending. */
		FUZZ_CHECK(run->pos == run->fed);
		break;
	default:
		FUZZ_CHECK(0);
	}
}

static void feed(struct run *run, size_t n)
{
	const u8 *data = run->stream + run->fed;
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;
	size_t used;

	run->fed += n;
	for (;;) {
		ev = m4rpc_reasm_feed(&run->r, data, n, &used, &out);
		FUZZ_CHECK(used <= n);
		data += used;
		n -= used;
		if (ev == M4RPC_REASM_NONE)
			break;
		event(run, ev, &out);
	}
	FUZZ_CHECK(n == 0);
}

static void drained(struct run *run)
{
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;

	ev = m4rpc_reasm_drained(&run->r, &out);
	if (ev != M4RPC_REASM_NONE) {
		FUZZ_CHECK(ev == M4RPC_REASM_MSG || ev == M4RPC_REASM_CUT);
		event(run, ev, &out);
	}
}

static void lost(struct run *run)
{
	size_t n = m4rpc_reasm_reset(&run->r);

	label(run, n, L_LOST, true);
	/* A hole ends everything before it. */
	FUZZ_CHECK(run->pos == run->fed);
	FUZZ_CHECK(!m4rpc_reasm_busy(&run->r));
}

static void do_run(struct run *run, const u8 *plan, size_t nplan,
		   bool actions)
{
	size_t k = 0, n;
	u8 p;

	while (run->fed < run->size) {
		p = nplan ? plan[k++ % nplan] : 0xff;
		n = nplan ? 1 + (p & 0x3f) : run->size;
		if (n > run->size - run->fed)
			n = run->size - run->fed;
		feed(run, n);
		switch (actions ? p >> 6 : ACT_NONE) {
		case ACT_HOLE:
			if (run->nmarks < M4RPC_REASM_MARKS)
				run->marks[run->nmarks] = run->fed;
			run->nmarks++;
			m4rpc_reasm_hole_possible(&run->r);
			break;
		case ACT_DRAINED:
			drained(run);
			break;
		case ACT_LOST:
			lost(run);
			break;
		default:
			break;
		}
	}
	/* The end of the stream: the ring drained, then whatever is left. */
	drained(run);
	if (run->pos < run->fed)
		lost(run);
	FUZZ_CHECK(run->pos == run->size);
	FUZZ_CHECK(run->r.msgs == run->msgs);
}

static void run_init(struct run *run, const u8 *stream, size_t size,
		     size_t cap, size_t skip_max)
{
	run->stream = stream;
	run->size = size;
	run->pos = 0;
	run->fed = 0;
	run->msgs = 0;
	run->nmarks = 0;
	memset(run->label, L_NONE, size);
	m4rpc_reasm_init(&run->r, run->buf, cap, skip_max);
}

/* Raw runs may split anywhere; everything else must be the same. */
static bool same_labels(const struct run *a, const struct run *b)
{
	size_t i;
	u8 x, y;

	for (i = 0; i < a->size; i++) {
		x = a->label[i];
		y = b->label[i];
		if ((x & ~L_START) == L_RAW && (y & ~L_START) == L_RAW)
			continue;
		if (x != y)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 16, 40, 128, 512 };
	static const size_t skips[] = { 1, 2, 8, 64 };
	static struct run a, b, c;
	const u8 *plan;
	size_t cap, skip_max, nplan;

	if (size < 2)
		return 0;
	cap = caps[data[0] & 3];
	skip_max = cap * skips[(data[0] >> 2) & 3];
	nplan = data[1] & 31;
	if (size - 2 < nplan)
		return 0;
	plan = data + 2;
	data += 2 + nplan;
	size -= 2 + nplan;
	if (size > STREAM_MAX)
		size = STREAM_MAX;

	run_init(&a, data, size, cap, skip_max);
	do_run(&a, plan, nplan, true);

	run_init(&b, data, size, cap, skip_max);
	do_run(&b, plan, nplan, false);
	run_init(&c, data, size, cap, skip_max);
	do_run(&c, plan, 0, false);
	FUZZ_CHECK(same_labels(&b, &c));
	return 0;
}
