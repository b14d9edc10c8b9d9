// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The H7 of docs/x8h7-link.md ("Who clocks when: the H7's state
 * machine"): two outgoing frames (active, transfer), a DMA always armed for
 * 256 bytes, one receive buffer that every completed transfer overwrites,
 * and a main loop whose pass moves at most 128 ring bytes into the active
 * frame, processes the received frame, drives nIRQ high and swaps when
 * nIRQ is high, nCS is high and the active frame is not empty. A pass runs
 * after every wake-up (a completed transfer, a message from the M4) and
 * on the 1 ms tick (h7emu__h7c_advance()).
 *
 * Where the spec is silent, the choice made here is said where it is made.
 */
#include "h7emu_priv.h"

static const u8 *empty_frame(void)
{
	static u8 f[X8H7_FRAME_LEN] = { 0x00, 0x00, 0x55, 0x55 };

	return f;
}

static void h7c_set_nirq_high(struct h7emu *e)
{
	if (!e->nirq_low)
		return;
	if (e->be->ops->set_nirq(e->be, false, false))
		e->st.backend_errors++;
	e->nirq_low = false;
}

/*
 * Arm a frame that does not signal anything (no nIRQ): the empty transfer
 * frame after a reset, or what the DMA sends after a transfer of the wrong
 * length. While nCS is low this is retried on the next passes.
 */
static void h7c_arm_fill(struct h7emu *e, const u8 *frame)
{
	int r = e->be->ops->arm(e->be, frame, false);

	if (r == -EBUSY) {
		memcpy(e->fill, frame, X8H7_FRAME_LEN);
		e->fill_pending = true;
		return;
	}
	if (r)
		e->st.backend_errors++;
	e->fill_pending = false;
}

/* Would the H7's own walk find at least one subframe in @frame? */
static bool h7c_has_subframes(const u8 *frame)
{
	struct x8h7_parser p;
	struct x8h7_subframe sf;

	x8h7_parse_begin(&p, frame, X8H7_PARSE_H7);
	return x8h7_parse_next(&p, &sf);
}

/* The DMA interrupt's copy into the single receive buffer. */
static void h7c_store_rx(struct h7emu *e, const u8 *frame, bool late)
{
	/* Losing an unprocessed empty frame loses nothing (spec). */
	if (e->rx_unprocessed && e->rx_has_data)
		e->st.frames_overwritten++;
	if (e->cfg.faults.clip_53df799) {
		/*
		 * Firmware 53df799 copies sizeof(pointer) bytes where the
		 * frame's size was meant: the frame header and the first
		 * subframe header arrive, everything after them is whatever
		 * the receive buffer held before (stale bytes, zeros after a
		 * boot). The spec calls it "garbage"; stale is what a wrong
		 * memcpy() length leaves.
		 */
		memcpy(e->rx, frame, X8H7_HDR_LEN + X8H7_SUB_HDR_LEN);
		e->st.fault_clip++;
	} else {
		memcpy(e->rx, frame, X8H7_FRAME_LEN);
	}
	e->rx_unprocessed = true;
	e->rx_late = late;
	e->rx_has_data = h7c_has_subframes(e->rx);
	if (e->rx_has_data)
		e->st.frames_in_data++;
}

/* The DMA has received 256 bytes: the transfer-complete interrupt. */
static void h7c_dma_complete(struct h7emu *e, bool late)
{
	u8 frame[X8H7_FRAME_LEN];

	memcpy(frame, e->dma_rx, sizeof(frame));
	e->st.frames_in++;
	if (h7emu__fault_chance(&e->rng[FS_FLIP_MOSI],
				 e->cfg.faults.flip_mosi)) {
		h7emu__fault_flip_bit(&e->rng[FS_FLIP_MOSI], frame);
		e->st.fault_flip_mosi++;
	}
	/* The transfer frame was sent: it is empty again (spec step 4). */
	if (!late)
		x8h7_frame_init(e->txf);
	if (e->walking) {
		/*
		 * The H7 processes the received frame with interrupts masked
		 * (the stock firmware does it in a critical section; the spec
		 * is silent): the copy waits until processing ends, and the
		 * DMA is not re-armed until then.
		 */
		e->irq_pending = true;
		e->pending_late = late;
		memcpy(e->pending, frame, sizeof(frame));
		return;
	}
	h7c_store_rx(e, frame, late);
}

static bool h7c_process(struct h7emu *e, u64 t_ns);

/*
 * After a transfer that was not a multiple of 256 bytes the DMA is part
 * way through its 256 (spec: "desynchronises it until the next re-arm"):
 * the next transfer gets the rest of the transfer frame first, then the
 * start of the (empty) frame the DMA re-arms with.
 */
static void h7c_arm_shifted(struct h7emu *e)
{
	u8 f[X8H7_FRAME_LEN];
	unsigned int pos = e->dma_pos;

	memcpy(f, e->txf + pos, X8H7_FRAME_LEN - pos);
	memcpy(f + X8H7_FRAME_LEN - pos, empty_frame(), pos);
	h7c_arm_fill(e, f);
}

void h7emu__h7c_xfer(struct h7emu *e, const struct h7emu_xfer *x)
{
	u32 len = x->len, i, k, n;
	bool late;

	e->st.xfers++;
	/* The DMA (or nCS) interrupt ends the WFI: a pass follows. */
	h7emu__h7c_wake(e, x->end_ns);
	if (x->lost) {
		/* We cannot know whether they took our armed frame. */
		e->st.records_lost += x->lost;
		e->armed_data = false;
	}
	/*
	 * A transfer that did not get the frame we armed with nIRQ happened
	 * before that arm; only its record reached us after it (the kernel
	 * queues records, we read them when we get to it). The real H7 would
	 * have processed it in the pass that swapped, before the swap: so its
	 * frame is processed at once (a record read next must not find it
	 * unprocessed and count it overwritten), but it neither empties the
	 * armed transfer frame nor lets nIRQ go high, which belong to the
	 * frame still armed.
	 */
	late = !x->armed && e->armed_data;
	if (x->armed)
		e->armed_data = false;
	/* Started before the last H7 reset: the H7 lost it. */
	if (x->start_ns < e->reset_ns) {
		e->st.xfers_reset++;
		return;
	}
	/* The DMA stopped after its last 256 bytes until the pending
	 * interrupt re-arms it. */
	if (e->irq_pending) {
		e->st.xfers_unreceived++;
		return;
	}
	if (len != X8H7_FRAME_LEN)
		e->st.xfers_bad_len++;
	if (late)
		e->st.xfers_late++;
	/* Past 256 bytes the master sent bytes we do not know (zeros); whole
	 * frames of them beyond the third change nothing but counters. */
	if (len > 3 * X8H7_FRAME_LEN)
		len = 3 * X8H7_FRAME_LEN + len % X8H7_FRAME_LEN;
	for (i = 0; i < len; i += n) {
		n = X8H7_FRAME_LEN - e->dma_pos;
		if (n > len - i)
			n = len - i;
		for (k = 0; k < n; k++)
			e->dma_rx[e->dma_pos + k] =
				i + k < X8H7_FRAME_LEN ? x->mosi[i + k] : 0;
		e->dma_pos += n;
		if (e->dma_pos == X8H7_FRAME_LEN) {
			e->dma_pos = 0;
			h7c_dma_complete(e, late);
			if (e->irq_pending)
				break;	/* the rest is not received */
		}
	}
	if (e->dma_pos)
		h7c_arm_shifted(e);
	if (late && e->rx_unprocessed && e->rx_late && !e->walking)
		h7c_process(e, x->end_ns);
}

/* A reply to a peripheral 0x09 request, by the H7's own (buggy) enqueue. */
static void h7c_reply(struct h7emu *e, u8 opcode, const void *data, u16 len)
{
	if (x8h7_frame_add_h7(e->active, X8H7_PERIPH_H7, opcode, data, len)) {
		e->st.h7_replies_lost++;
		return;
	}
	e->st.h7_requests++;
}

/*
 * The cut_boot_m4 fault: M4 bytes (zeros) fill the frame to 248, so that
 * the 4-byte reply enqueued next passes the H7's check and lies past the
 * 252 bytes carried. Not possible past 244 (no room for the filler's
 * header); a frame of 245..248 cuts the reply by itself.
 */
static void h7c_fault_cut_boot(struct h7emu *e)
{
	static const u8 zeros[X8H7_PAYLOAD_MAX];
	u16 size = x8h7_frame_size(e->active);

	if (!e->cfg.faults.cut_boot_m4 || size > X8H7_PAYLOAD_MAX - 8)
		return;
	if (x8h7_frame_add_h7(e->active, X8H7_PERIPH_UI, X8H7_UI_DATA, zeros,
			      X8H7_PAYLOAD_MAX - 8 - size))
		return;
	e->cfg.faults.cut_boot_m4--;
	e->st.fault_cut_boot++;
}

static void h7c_periph_h7(struct h7emu *e, const struct x8h7_subframe *sf)
{
	u32 m4 = (u32)(s32)e->m4.state;
	u8 v[4] = { m4, m4 >> 8, m4 >> 16, m4 >> 24 };

	/* Requests carry no data; any data they do carry is ignored. */
	switch (sf->opcode) {
	case X8H7_H7_FW_VERSION:
		h7c_reply(e, sf->opcode, e->cfg.fw_version,
			  strlen(e->cfg.fw_version));
		break;
	case X8H7_H7_BOOT_M4:
		h7c_fault_cut_boot(e);
		h7c_reply(e, sf->opcode, v, sizeof(v));
		break;
	case X8H7_H7_GET_UID:
		h7c_reply(e, sf->opcode, e->cfg.uid, X8H7_UID_LEN);
		break;
	default:
		e->st.h7_unknown++;	/* ignored, no reply (spec) */
		break;
	}
}

/*
 * Process the received frame, subframe by subframe. Returns false while the
 * H7 is stuck handing a UI message to an M4 that has no free rpmsg buffer;
 * the next pass goes on from the same subframe.
 */
static bool h7c_process(struct h7emu *e, u64 t_ns)
{
	int r;

	if (!e->walking) {
		if (!e->rx_unprocessed)
			return true;
		x8h7_parse_begin(&e->walk, e->rx, X8H7_PARSE_H7);
		e->walking = true;
		e->walk_ui = false;
		e->have_cur = false;
	}
	for (;;) {
		if (!e->have_cur) {
			/* Ends at size, or at a peripheral 0x00/0xff. */
			if (!x8h7_parse_next(&e->walk, &e->cur))
				break;
			e->have_cur = true;
			e->st.subframes_in++;
		}
		switch (e->cur.periph) {
		case X8H7_PERIPH_UI:
			e->walk_ui = true;
			/* One subframe = one rpmsg message; opcode ignored. */
			r = h7emu__m4_deliver(e, EP_RPC, e->cur.data,
					       e->cur.carried, t_ns);
			if (r == -EAGAIN) {
				e->st.ui_blocked_passes++;
				return false;
			}
			if (r)
				e->st.ui_in_dropped++;
			else
				e->st.ui_in++;
			break;
		case X8H7_PERIPH_H7:
			h7c_periph_h7(e, &e->cur);
			break;
		default:
			/* ADC, PWM, CAN, UART, RTC, GPIO: not emulated. */
			e->st.periph_ignored++;
			break;
		}
		e->have_cur = false;
	}
	if (e->walk.overrun)
		e->st.rx_overrun++;
	e->walking = false;
	e->rx_unprocessed = false;
	e->st.frames_processed++;
	if (e->walk_ui)
		e->st.frames_processed_ui++;
	/* Only then nIRQ goes high (spec step 5). */
	if (!e->rx_late)
		h7c_set_nirq_high(e);
	/* Interrupts unmasked: a completion that waited runs now. */
	if (e->irq_pending) {
		e->irq_pending = false;
		h7c_store_rx(e, e->pending, e->pending_late);
	}
	return true;
}

/* At most 128 ring bytes as one UI subframe; lost when they do not fit. */
static void h7c_ring_to_frame(struct h7emu *e)
{
	u8 chunk[H7EMU_CHUNK_MAX];
	size_t n = h7emu__ring_take(&e->ring, chunk, sizeof(chunk));

	if (!n)
		return;
	/* The H7's check: size + n <= 252, forgetting the 4-byte header. */
	if (x8h7_frame_add_h7(e->active, X8H7_PERIPH_UI, X8H7_UI_DATA, chunk,
			      n)) {
		e->st.ui_chunks_lost++;
		e->st.ui_bytes_lost += n;
		return;
	}
	e->st.ui_chunks++;
	e->st.ui_bytes += n;
}

/* Arm @frame and pull nIRQ low, or drop the falling edge (fault). */
static int h7c_arm_irq(struct h7emu *e, const u8 *frame)
{
	int r;

	if (!h7emu__fault_chance(&e->rng[FS_DROP_EDGE],
				  e->cfg.faults.drop_edge))
		return e->be->ops->arm(e->be, frame, true);
	r = e->be->ops->arm(e->be, frame, false);
	if (r)
		return r;
	e->st.fault_drop_edge++;
	if (e->be->ops->set_nirq(e->be, true, true))
		e->st.backend_errors++;
	return 0;
}

/* Pass step 4: swap when nIRQ is high, nCS is high and there is data. */
static void h7c_swap(struct h7emu *e)
{
	u64 *rng = e->rng;
	u8 out[X8H7_FRAME_LEN];
	bool garbage, flip = false;
	unsigned int i;
	int r;

	if (e->nirq_low || !x8h7_frame_size(e->active))
		return;
	garbage = h7emu__fault_chance(&rng[FS_GARBAGE], e->cfg.faults.garbage);
	if (garbage) {
		for (i = 0; i < sizeof(out); i += 8) {
			u64 v = h7emu__fault_next(&rng[FS_GARBAGE]);

			memcpy(out + i, &v, 8);
		}
	} else {
		memcpy(out, e->active, sizeof(out));
		flip = h7emu__fault_chance(&rng[FS_FLIP_MISO],
					    e->cfg.faults.flip_miso);
		if (flip)
			h7emu__fault_flip_bit(&rng[FS_FLIP_MISO], out);
	}
	/* nCS low: the kernel refuses, as the H7 would not swap. */
	r = h7c_arm_irq(e, out);
	if (r == -EBUSY) {
		e->st.arm_busy++;
		return;
	}
	if (r) {
		e->st.backend_errors++;
		return;
	}
	e->nirq_low = true;
	e->armed_data = true;
	e->fill_pending = false;	/* the DMA is re-armed: in step */
	e->dma_pos = 0;
	memcpy(e->txf, out, sizeof(out));
	if (garbage) {
		/* The active frame stays and goes out with the next swap. */
		e->st.fault_garbage++;
		return;
	}
	if (flip)
		e->st.fault_flip_miso++;
	if (x8h7_frame_size(e->active) > X8H7_PAYLOAD_MAX)
		e->st.frames_out_oversize++;
	e->st.frames_out++;
	x8h7_frame_init(e->active);
}

static void h7c_scheduled_resets(struct h7emu *e, u64 t_ns)
{
	const struct h7emu_faults *f = &e->cfg.faults;

	if (!e->booted) {
		e->booted = true;
		e->boot_ns = t_ns;
	}
	if (f->reset_at_ms && !e->reset_at_done &&
	    t_ns >= e->boot_ns + f->reset_at_ms * NS_PER_MS) {
		e->reset_at_done = true;
		e->st.fault_reset++;
		h7emu__h7c_reset(e, t_ns);
	}
	if (f->reset_every_ms) {
		if (!e->next_reset_ns) {
			e->next_reset_ns = t_ns + f->reset_every_ms * NS_PER_MS;
		} else if (t_ns >= e->next_reset_ns) {
			e->next_reset_ns = t_ns + f->reset_every_ms * NS_PER_MS;
			e->st.fault_reset++;
			h7emu__h7c_reset(e, t_ns);
		}
	}
	if (e->reset_requested) {
		e->reset_requested = false;
		e->st.fault_reset++;
		h7emu__h7c_reset(e, t_ns);
	}
}

void h7emu__h7c_wake(struct h7emu *e, u64 t_ns)
{
	if (e->cfg.tick_only)
		return;
	if (!e->wake || t_ns < e->wake_ns)
		e->wake_ns = t_ns;
	e->wake = true;
}

/*
 * One pass, in the spec's order ("When the main loop runs"): 1. a chunk
 * from the ring into the active frame (lost if it does not fit); 2. the
 * other peripherals (not emulated); 3. process the received frame, then
 * nIRQ high; 4. swap if nIRQ is high, nCS is high and the active frame is
 * not empty. A pass still stuck in step 3 (the M4 holds every rpmsg
 * buffer) goes on there and does nothing else until it gets through.
 * Around it, our own bookkeeping: scheduled resets, a fill frame to arm,
 * and the M4 (another core) catching up before the pass and reacting to
 * what step 3 handed it.
 */
void h7emu__h7c_pass(struct h7emu *e, u64 t_ns)
{
	bool resumed;

	e->st.passes++;
	if (e->wake)
		e->st.wakeups++;
	e->wake = false;	/* interrupts from now on wake the next pass */
	if (t_ns > e->last_ns)
		e->last_ns = t_ns;
	e->in_pass = true;
	h7c_scheduled_resets(e, t_ns);
	if (e->fill_pending)
		h7c_arm_fill(e, e->fill);
	h7emu__m4_work(e, t_ns);
	resumed = e->walking;
	if (!resumed)
		h7c_ring_to_frame(e);		/* step 1 */
	/* step 2: UART, CAN, GPIO are not emulated */
	if (!h7c_process(e, t_ns))		/* step 3 */
		goto out;	/* stuck in the UI handler: nothing else */
	h7emu__m4_work(e, t_ns);
	h7c_swap(e);				/* step 4 */
out:
	e->in_pass = false;
}

u64 h7emu__h7c_next_ns(struct h7emu *e)
{
	u64 due = h7emu__m4_due_ns(e);

	if (e->wake || !e->tick_started)
		return 0;
	return e->next_tick_ns < due ? e->next_tick_ns : due;
}

/* Runs of the loop below in one call; each makes progress. */
#define ADVANCE_MAX	4096

unsigned int h7emu__h7c_advance(struct h7emu *e, u64 now)
{
	u64 period = (u64)e->cfg.pass_us * 1000, passes = e->st.passes;
	u64 due, t, sent;
	unsigned int i, in_len;

	if (!e->tick_started) {
		/* Time starts here for the tick, and for the M4 too. */
		e->tick_started = true;
		e->next_tick_ns = now;
		if (e->last_ns < now)
			e->last_ns = now;
	}
	for (i = 0; i < ADVANCE_MAX; i++) {
		due = h7emu__m4_due_ns(e);
		if (due <= now) {
			sent = e->st.ring_bytes_in + e->st.m4_msgs_out;
			in_len = e->m4.in_len;
			t = due > e->last_ns ? due : e->last_ns;
			e->m4_each = true;
			h7emu__m4_work(e, t);
			e->m4_each = false;
			if (sent != e->st.ring_bytes_in + e->st.m4_msgs_out ||
			    in_len != e->m4.in_len || due != h7emu__m4_due_ns(e))
				continue;
		}
		if (e->wake) {
			h7emu__h7c_pass(e, e->wake_ns > e->last_ns ?
					e->wake_ns : e->last_ns);
			continue;
		}
		if (e->next_tick_ns <= now) {
			t = e->next_tick_ns > e->last_ns ? e->next_tick_ns :
			    e->last_ns;
			e->next_tick_ns += period;
			if (e->next_tick_ns <= now)
				e->next_tick_ns = now + period;
			h7emu__h7c_pass(e, t);
			continue;
		}
		break;
	}
	return e->st.passes - passes;
}

/*
 * NRST: both cores restart. Buffers and ring are cleared, nIRQ is released,
 * the DMA is re-armed with the empty transfer frame (replacing whatever
 * the kernel still holds armed), and the M4 starts again: a new greeting.
 * A transfer in flight is lost (see h7emu__h7c_xfer()).
 */
void h7emu__h7c_reset(struct h7emu *e, u64 t_ns)
{
	e->st.h7_resets++;
	x8h7_frame_init(e->active);
	x8h7_frame_init(e->txf);
	memset(e->dma_rx, 0, sizeof(e->dma_rx));
	memset(e->rx, 0, sizeof(e->rx));
	e->dma_pos = 0;
	e->irq_pending = false;
	e->rx_unprocessed = false;
	e->rx_has_data = false;
	e->rx_late = false;
	e->walking = false;
	e->have_cur = false;
	h7emu__ring_clear(&e->ring);
	e->reset_ns = t_ns;
	h7c_set_nirq_high(e);
	e->armed_data = false;
	h7c_arm_fill(e, empty_frame());
	h7emu__m4_boot(e);
}

void h7emu__h7c_init(struct h7emu *e)
{
	x8h7_frame_init(e->active);
	x8h7_frame_init(e->txf);
	h7emu__ring_clear(&e->ring);
	/* The H7 starts the M4 at boot (before any BOOT_M4 request). */
	e->m4.state = e->cfg.m4;
	h7emu__m4_boot(e);
}
