/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The emulator's insides, shared by the files of libh7emu and nothing else.
 * Their functions are named h7emu__* (two underscores), so that nothing the
 * archive exports can clash with a program linking it, and they are told
 * apart from the public h7emu_* API at a glance. h7emu__h7c_* (the H7),
 * h7emu__m4_* (the M4) and h7emu__sketch_* assume the emulator's mutex is
 * held; the public h7emu_* functions take it.
 */
#ifndef H7EMU_PRIV_H
#define H7EMU_PRIV_H

#include <pthread.h>
#include <stdlib.h>
#include <msgpack.h>

#include "h7emu.h"
#include "x8h7_frame.h"

#define NS_PER_MS	1000000ull

/* ---- the H7's UI ring (h7emu_ring.c) ---------------------------------- */

struct h7emu_ring {
	u8 buf[H7EMU_RING_LEN];
	size_t head;		/* oldest byte */
	size_t len;
};

void h7emu__ring_clear(struct h7emu_ring *r);
/* Append, overwriting the oldest bytes when full: returns how many. */
size_t h7emu__ring_push(struct h7emu_ring *r, const u8 *p, size_t n);
size_t h7emu__ring_take(struct h7emu_ring *r, u8 *out, size_t max);

/* ---- seeded fault draws (h7emu_fault.c) ------------------------------- */

enum fault_stream {
	FS_FLIP_MOSI,
	FS_FLIP_MISO,
	FS_DROP_EDGE,
	FS_GARBAGE,
	FS_NR,
};

void h7emu__fault_seed(u64 *rng, u64 seed);	/* rng[FS_NR] */
u64 h7emu__fault_next(u64 *state);
bool h7emu__fault_chance(u64 *state, double p);
/* Flip one bit among the frame's header and announced subframe bytes. */
void h7emu__fault_flip_bit(u64 *state, u8 *frame);

/* ---- the M4 (h7emu_m4.c, h7emu_sketch.c) ------------------------------ */

enum m4_ep { EP_RPC, EP_RAW };

/* One rpmsg message from the H7, held in an rpmsg buffer until taken. */
struct m4_msg {
	u64 arrival_ns;
	u8 ep;
	u16 len;
	u8 data[X8H7_SUB_DATA_MAX];
};

struct m4_state {
	int state;			/* enum h7emu_m4 */
	struct m4_msg inbox[H7EMU_M4_SLOTS_MAX];
	unsigned int in_head, in_len;
	u64 last_done_ns;		/* when the M4 finished its last take */
	/* sketch state, cleared when the M4 (re)starts */
	bool led;
	u8 serial_rx[H7EMU_SERIAL_RX_LEN];	/* text sent to the M4's Serial */
	size_t serial_len;
	u64 loop_busy_until_ns;		/* tty_loop_ms: in loop() till then */
	u64 gen_pos, gen_total;		/* h7emu_tty_generate() */
	u32 gen_size;
	u64 gen_period_ns, gen_next_ns;
	bool gen_started;		/* gen_next_ns set by the M4's clock */
	bool traffic_started;
	u64 traffic_next_ns;
	u32 traffic_seq;
	bool call_pending;		/* RPC.call() waiting for its reply */
	u64 call_deadline_ns;		/* 0: waits forever */
	u8 last_response[X8H7_SUB_DATA_MAX];
	size_t last_response_len;
};

/* A method bound with RPC.bind(): packs its result, or fails with -EINVAL
 * when an argument does not convert (rpclib's exception path). */
struct m4_method {
	const char *name;
	unsigned int argc;
	int (*fn)(struct h7emu *e, const msgpack_object *argv,
		  msgpack_packer *pk);
};

struct sketch_def {
	const char *name;
	const char *help;
	const struct m4_method *methods;	/* ends with a NULL name */
	void (*loop)(struct h7emu *e, u64 t_ns);	/* may be NULL */
};

const struct sketch_def *h7emu__sketch_get(enum h7emu_sketch sketch);
/* The Serial generator's work at @t_ns, and when it is due next. */
void h7emu__sketch_gen(struct h7emu *e, u64 t_ns);
u64 h7emu__sketch_gen_due(struct h7emu *e);

void h7emu__m4_boot(struct h7emu *e);
/* Hand one rpmsg message to the M4: 0, -EAGAIN when no rpmsg buffer is
 * free (the H7 waits), -ENODEV when the endpoint does not exist. */
int h7emu__m4_deliver(struct h7emu *e, enum m4_ep ep, const u8 *data,
		       size_t len, u64 t_ns);
/* The M4 core running up to @t_ns: takes messages, runs the sketch. Does
 * nothing when called from inside itself (a pass run between two of its
 * messages, see h7emu__m4_send()). */
void h7emu__m4_work(struct h7emu *e, u64 t_ns);
/* When the M4 next has something to do on its own: UINT64_MAX for never. */
u64 h7emu__m4_due_ns(struct h7emu *e);
/* What the M4 sends goes straight into the H7's ring (the H7 receives
 * rpmsg in interrupt context). */
void h7emu__m4_send(struct h7emu *e, enum m4_ep ep, const void *buf, size_t n);
/* Pack and send one message; the helpers below count it. */
void h7emu__m4_send_packed(struct h7emu *e, msgpack_sbuffer *sb);
void h7emu__m4_notify_bin(struct h7emu *e, const char *method, const u8 *bin,
			  size_t n);
void h7emu__m4_serial_write(struct h7emu *e, const u8 *buf, size_t n);

/* ---- the sent log (h7emu_sent.c) ------------------------------------- */

struct h7emu_sent_log {
	struct h7emu_sent rec[H7EMU_SENT_LOG_MSGS];
	unsigned int head, count;
	u64 first_seq;			/* seq of rec[head] */
	u8 data[H7EMU_SENT_LOG_BYTES];
	size_t byte_head, bytes;
};

void h7emu__sent_add(struct h7emu *e, bool raw, const u8 *p, size_t n);

/* ---- the emulator ----------------------------------------------------- */

struct h7emu {
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* after every pass and transfer */
	struct h7emu_backend *be;
	struct h7emu_config cfg;
	struct h7emu_stats st;
	u64 rng[FS_NR];

	/* The H7: two outgoing frames, the DMA and one receive buffer. */
	u8 active[X8H7_FRAME_LEN];
	u8 txf[X8H7_FRAME_LEN];		/* the transfer frame the DMA sends */
	u8 dma_rx[X8H7_FRAME_LEN];
	unsigned int dma_pos;		/* DMA bytes done; 0 unless desync */
	bool irq_pending;		/* a completion waits: IRQs masked */
	u8 pending[X8H7_FRAME_LEN];
	bool pending_late;
	u8 rx[X8H7_FRAME_LEN];
	bool rx_unprocessed;
	bool rx_has_data;		/* it carried at least one subframe */
	bool rx_late;			/* see h7emu__h7c_xfer() */
	bool walking;			/* processing under way (blocked) */
	bool walk_ui;			/* ... of a frame with UI subframes */
	struct x8h7_parser walk;
	struct x8h7_subframe cur;	/* the subframe being handed over */
	bool have_cur;
	bool nirq_low;
	bool armed_data;		/* a frame armed with nIRQ, unsent */
	bool fill_pending;		/* a fill frame to arm, EBUSY so far */
	u8 fill[X8H7_FRAME_LEN];
	struct h7emu_ring ring;
	bool booted;
	u64 boot_ns;			/* first pass */
	u64 reset_ns;			/* last reset: older transfers lost */
	bool reset_at_done;
	u64 next_reset_ns;
	bool reset_requested;

	struct m4_state m4;
	struct h7emu_sent_log sent;
	/* What the tty sketch's SINK read, over M4 restarts. */
	u8 tty_capture[H7EMU_TTY_CAPTURE_MAX];
	u64 tty_read;

	/* wake-ups and the tick (h7emu__h7c_advance()) */
	bool wake;			/* an interrupt since the last pass began */
	u64 wake_ns;			/* ... at this time */
	bool in_pass;
	bool m4_busy;			/* inside h7emu__m4_work() */
	bool m4_each;			/* a pass between two M4 messages */
	u64 m4_now;			/* the M4's time in h7emu__m4_work() */
	u64 last_ns;			/* latest time seen by a pass or the M4 */
	bool tick_started;
	u64 next_tick_ns;

	/* run loop */
	pthread_t thread;
	bool thread_running;
	bool run_done;			/* the thread's h7emu_run() returned */
	int run_result;
	bool stop;
	bool paused;
	unsigned int steps;
};

void h7emu__h7c_init(struct h7emu *e);
void h7emu__h7c_xfer(struct h7emu *e, const struct h7emu_xfer *x);
void h7emu__h7c_pass(struct h7emu *e, u64 t_ns);
void h7emu__h7c_reset(struct h7emu *e, u64 t_ns);
/* An interrupt at @t_ns ends the main loop's WFI: a pass follows. */
void h7emu__h7c_wake(struct h7emu *e, u64 t_ns);
unsigned int h7emu__h7c_advance(struct h7emu *e, u64 now);
/* When h7emu__h7c_advance() next has something to do (0: at once). */
u64 h7emu__h7c_next_ns(struct h7emu *e);

#endif /* H7EMU_PRIV_H */
