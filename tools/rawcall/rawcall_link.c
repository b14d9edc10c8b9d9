// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The link as x8h7-rawcall drives it: a master that cannot see nIRQ (spidev
 * has no use for the H7's interrupt line) and so polls (docs/x8h7-link.md,
 * "Who clocks when").
 *
 * Receiving. The H7 arms a frame when it has something to say and pulls
 * nIRQ low; a transfer started without nIRQ gets the empty frame. Clocking
 * an empty frame every poll_ms therefore collects everything, at most
 * poll_ms late. Every received frame is parsed strictly (checksum, size,
 * subframe bounds) and a frame that fails is dropped whole and counted; its
 * UI bytes, if it had any, are a gap in the M4's stream. The UI subframes'
 * data is the M4's byte stream in chunks cut anywhere, with raw-endpoint
 * bytes between messages: the shared reassembler (kernel/common/m4rpc_reasm.c,
 * the one m4rpc.ko uses) puts the messages back together.
 * What is lost for good: polling is slower than an nIRQ-driven master, and
 * the H7 drops a UI chunk that does not fit the frame it is filling (two
 * 128-byte chunks do not), so an M4 that talks fast loses bytes here. The
 * replies of the calls made here are short and come one at a time.
 *
 * Sending. A frame that carries subframes is lost if the master clocks
 * again, even an empty frame, before the H7 has processed it: the H7's
 * single receive buffer is overwritten. The H7 says it has processed a frame
 * only by pulling nIRQ high again, which spidev cannot see, and how long it
 * takes is not bounded (handing a UI message to the M4 waits for a free
 * rpmsg buffer). So after each frame with data the clock is kept still for
 * settle_ms = 3 * poll_ms: the H7's main loop passes every millisecond or so,
 * a frame is normally processed within one or two passes, and three poll
 * periods (15 ms by default) leave a wide margin without making a call
 * slow. A slow M4 can still outlast it; then the request is lost and the
 * call times out (raise --poll). Before a request, what the H7 holds already
 * is collected (drain()). Each request goes in a frame of its own,
 * one msgpack-rpc message per UI subframe, as the M4 decodes each rpmsg
 * message on its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "rawcall.h"

u64 rc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_until(u64 t_ns)
{
	struct timespec ts = {
		.tv_sec = t_ns / 1000000000ull,
		.tv_nsec = t_ns % 1000000000ull,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

void rc_link_init(struct rc_link *l, int fd, u32 speed_hz,
		  unsigned int poll_ms, int verbose)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->speed_hz = speed_hz;
	l->poll_ms = poll_ms;
	l->settle_ms = 3 * poll_ms;
	l->verbose = verbose;
	l->t0_ns = rc_now_ns();
	m4rpc_reasm_init(&l->reasm, l->reasmbuf, sizeof(l->reasmbuf),
		       RC_SKIP_MAX);
}

/* -v output: one time-stamped line start on stderr. */
static void vlog(const struct rc_link *l, const char *what)
{
	u64 t = rc_now_ns() - l->t0_ns;
	u64 s = t / 1000000000, ms = t / 1000000 % 1000;

	fprintf(stderr, "[%4" PRIu64 ".%03" PRIu64 "] %s", s, ms, what);
}

static void hex(const u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i && i % 32 == 0 ? "\n      " : " ",
			b[i]);
}

static const char *const reject_name[X8H7_REJECT_NR] = {
	[X8H7_REJECT_CSUM] = "checksum",
	[X8H7_REJECT_SIZE] = "size > 256",
	[X8H7_REJECT_SUBFRAME] = "subframe past size",
};

/* A frame that passed the strict parse, one line per subframe. */
static void dump_frame(const struct rc_link *l, const char *dir, const u8 *f)
{
	struct x8h7_subframe sf;
	struct x8h7_parser p;

	x8h7_parse_begin(&p, f, X8H7_PARSE_STRICT);
	vlog(l, dir);
	fprintf(stderr, " frame, size %u\n", p.size);
	while (x8h7_parse_next(&p, &sf)) {
		fprintf(stderr, "    [%02x %02x len %u%s]", sf.periph,
			sf.opcode, sf.len, sf.truncated ? ", truncated" : "");
		hex(sf.data, sf.carried);
		fputc('\n', stderr);
	}
}

/* A gap in the M4's stream: the message in progress cannot be completed. */
static void hole(struct rc_link *l, const char *why)
{
	size_t n = m4rpc_reasm_reset(&l->reasm);

	if (!n)
		return;
	l->st.hole_bytes += n;
	if (l->verbose) {
		vlog(l, "");
		fprintf(stderr, "gap in the M4's stream (%s): %zu bytes of a message dropped\n",
			why, n);
	}
}

static void take_raw(struct rc_link *l, const u8 *data, size_t len)
{
	l->st.raw_bytes += len;
	if (l->verbose) {
		vlog(l, "raw bytes: ");
		rc_print_bytes(stderr, data, len);
		fputc('\n', stderr);
	}
}

static void take_msg(struct rc_link *l, const u8 *data, size_t len)
{
	struct m4rpc_mp_rpc_env env;
	const char *what = NULL;

	/*
	 * The reassembler checked the head and that the object is whole, not
	 * the whole envelope: should that fail, the bytes were no message.
	 */
	if (m4rpc_mp_rpc_parse(data, len, &env)) {
		take_raw(l, data, len);
		return;
	}
	l->st.msgs++;
	switch (env.type) {
	case M4RPC_MP_RPC_RESPONSE:
		if (l->want == RC_WANT_RPC && !l->got &&
		    env.msgid == l->want_msgid) {
			memcpy(l->reply, data, len);
			l->reply_len = len;
			l->got = true;
			what = "reply: ";
		} else {
			l->st.stale++;
			what = "response to no call of ours (ignored): ";
		}
		break;
	case M4RPC_MP_RPC_REQUEST:
		l->st.m4_calls++;
		what = "call from the M4 (not answered): ";
		break;
	case M4RPC_MP_RPC_NOTIFY:
		l->st.notifications++;
		what = "notification: ";
		break;
	}
	if (l->verbose && what) {
		vlog(l, what);
		rc_print_msg(stderr, data, len);
		fputc('\n', stderr);
	}
}

static void feed_ui(struct rc_link *l, const u8 *data, size_t len)
{
	struct m4rpc_reasm_out out;
	u64 giveups;
	size_t used;

	l->st.ui_bytes += len;
	for (;;) {
		giveups = l->reasm.giveups;
		switch (m4rpc_reasm_feed(&l->reasm, data, len, &used, &out)) {
		case M4RPC_REASM_NONE:
			return;
		case M4RPC_REASM_MSG:
			take_msg(l, out.data, out.len);
			break;
		case M4RPC_REASM_RAW:
			take_raw(l, out.data, out.len);
			break;
		case M4RPC_REASM_OVERSIZE:
			l->st.dropped++;
			if (l->verbose) {
				vlog(l, "");
				fprintf(stderr, "message of %s%zu bytes dropped (longer than %d)\n",
					l->reasm.giveups != giveups ?
					"at least " : "", out.len, RC_MSG_MAX);
			}
			break;
		case M4RPC_REASM_SUSPECT:
		case M4RPC_REASM_CUT:
			break;	/* only after hole_possible()/drained() */
		}
		data += used;
		len -= used;
	}
}

static void take_h7(struct rc_link *l, const struct x8h7_subframe *sf)
{
	if (l->want == RC_WANT_H7 && !l->got && sf->opcode == l->want_op &&
	    !sf->truncated) {
		memcpy(l->reply, sf->data, sf->carried);
		l->reply_len = sf->carried;
		l->got = true;
	} else if (l->verbose) {
		vlog(l, "");
		fprintf(stderr, "H7 reply to opcode 0x%02x nobody here asked for (ignored)\n",
			sf->opcode);
	}
}

static bool all_zero(const u8 *f)
{
	int i;

	for (i = 0; i < X8H7_FRAME_LEN; i++)
		if (f[i])
			return false;
	return true;
}

static void take_frame(struct rc_link *l, const u8 *rx)
{
	struct x8h7_subframe sf;
	struct x8h7_parser p;
	enum x8h7_reject r;

	r = x8h7_parse_begin(&p, rx, X8H7_PARSE_STRICT);
	if (r != X8H7_OK) {
		l->st.rejects[r]++;
		if (all_zero(rx))
			l->st.zero_frames++;
		if (l->verbose) {
			vlog(l, "");
			fprintf(stderr, "< frame rejected (%s%s):",
				reject_name[r],
				all_zero(rx) ? ", all zeros" : "");
			hex(rx, 16);
			fprintf(stderr, " ...\n");
		}
		hole(l, "rejected frame");
		return;
	}
	if (!p.size) {
		if (l->verbose > 1) {
			vlog(l, "<");
			fprintf(stderr, " empty frame\n");
		}
		return;
	}
	l->st.frames_in++;
	if (l->verbose)
		dump_frame(l, "<", rx);
	while (x8h7_parse_next(&p, &sf)) {
		switch (sf.periph) {
		case X8H7_PERIPH_UI:
			feed_ui(l, sf.data, sf.carried);
			if (sf.truncated) {
				l->st.truncated++;
				hole(l, "subframe cut by the H7");
			}
			break;
		case X8H7_PERIPH_H7:
			take_h7(l, &sf);
			break;
		default:
			l->st.other++;
			break;
		}
	}
}

static int xfer(struct rc_link *l, const u8 *tx)
{
	u8 rx[X8H7_FRAME_LEN];
	int err;

	err = rc_spi_xfer(l->fd, l->speed_hz, tx, rx);
	if (err)
		return err;
	l->st.xfers++;
	take_frame(l, rx);
	return 0;
}

/*
 * Before a request: collect what the H7 has queued already. The M4's reply
 * goes into the H7's ring behind whatever the M4 said before it, and the
 * ring drains at one chunk per main-loop pass into a frame that holds one
 * or two: a backlog (an M4 that talked while nobody clocked) would have the
 * reply's chunk dropped. Ends at the first transfer that brings no data,
 * after RC_DRAIN_POLLS at most (an M4 that never stops talking).
 */
#define RC_DRAIN_POLLS	40

static int drain(struct rc_link *l)
{
	u8 tx[X8H7_FRAME_LEN];
	u64 before;
	int err, i;

	x8h7_frame_init(tx);
	for (i = 0; i < RC_DRAIN_POLLS; i++) {
		before = l->st.frames_in;
		err = xfer(l, tx);
		if (err || l->st.frames_in == before)
			return err;
		sleep_until(rc_now_ns() + (u64)l->poll_ms * 1000000);
	}
	return 0;
}

int rc_link_send(struct rc_link *l, u8 periph, u8 opcode, const void *data,
		 u16 len)
{
	u8 tx[X8H7_FRAME_LEN];
	int err;

	x8h7_frame_init(tx);
	err = x8h7_frame_add(tx, periph, opcode, data, len);
	if (err)
		return err == -ENOSPC ? -EMSGSIZE : err;
	err = drain(l);
	if (err)
		return err;
	if (l->verbose)
		dump_frame(l, ">", tx);
	l->mark = l->st;
	err = xfer(l, tx);
	if (err)
		return err;
	l->st.frames_out++;
	sleep_until(rc_now_ns() + (u64)l->settle_ms * 1000000);
	return 0;
}

int rc_link_wait(struct rc_link *l, u64 deadline_ns)
{
	u8 tx[X8H7_FRAME_LEN];
	u64 next;
	int err;

	x8h7_frame_init(tx);
	for (;;) {
		next = rc_now_ns() + (u64)l->poll_ms * 1000000;
		err = xfer(l, tx);
		if (err)
			return err;
		if (l->got)
			return 0;
		if (rc_now_ns() >= deadline_ns)
			return -ETIMEDOUT;
		sleep_until(next < deadline_ns ? next : deadline_ns);
	}
}

static u64 rejects(const struct rc_stats *st)
{
	u64 n = 0;
	int i;

	for (i = 0; i < X8H7_REJECT_NR; i++)
		n += st->rejects[i];
	return n;
}

void rc_link_explain(const struct rc_link *l)
{
	const struct rc_stats *st = &l->st, *m = &l->mark;
	u64 xfers = st->xfers - m->xfers, in = st->frames_in - m->frames_in;
	u64 bad = rejects(st) - rejects(m), zero = st->zero_frames - m->zero_frames;

	fprintf(stderr, "x8h7-rawcall:   meanwhile %" PRIu64 " transfers, %" PRIu64
		" frames received with data, %" PRIu64 " rejected", xfers, in, bad);
	if (bad && zero == bad && !in)
		fprintf(stderr, " (all zeros: nothing drives MISO; is the H7 running, or m4rpc-sim attached to the simulated board?)");
	else if (bad && !in)
		fprintf(stderr, " (nothing but frames that fail the checks: noise on MISO? check the wiring, --speed and the H7's firmware; -v shows them)");
	else if (!in)
		fprintf(stderr, " (the H7 had nothing to say: does the M4 run a sketch with RPC? --m4 tells)");
	else if (bad)
		fprintf(stderr, " (the reply may have been in a rejected frame)");
	else
		fprintf(stderr, " (the request may have been lost if the H7 took more than %u ms to process it: raise --poll)",
			l->settle_ms);
	fputc('\n', stderr);
}

void rc_link_print_stats(const struct rc_link *l, FILE *f)
{
	const struct rc_stats *st = &l->st;

#define P(name, help) fprintf(f, "  %-14s %8" PRIu64 "  %s\n", #name, st->name, help)
	fprintf(f, "x8h7-rawcall: link counters:\n");
	P(xfers, "transfers clocked");
	P(frames_out, "frames sent with data");
	P(frames_in, "frames received with data");
	fprintf(f, "  %-14s %8" PRIu64 "  frames rejected: checksum\n",
		"rejects", st->rejects[X8H7_REJECT_CSUM]);
	fprintf(f, "  %-14s %8" PRIu64 "  frames rejected: size > 256\n",
		"", st->rejects[X8H7_REJECT_SIZE]);
	fprintf(f, "  %-14s %8" PRIu64 "  frames rejected: subframe past size\n",
		"", st->rejects[X8H7_REJECT_SUBFRAME]);
	P(zero_frames, "rejected frames that were all zeros");
	P(truncated, "UI subframes cut short by the H7");
	P(ui_bytes, "UI bytes received");
	P(msgs, "messages reassembled");
	P(raw_bytes, "bytes of no message (raw endpoint)");
	P(notifications, "notifications (ignored)");
	P(m4_calls, "calls from the M4 (not answered)");
	P(stale, "responses to no call of ours");
	P(dropped, "messages too long to keep");
	P(hole_bytes, "bytes of messages cut by a gap");
	P(other, "subframes of other peripherals");
#undef P
}
