// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the emulated H7 (emu/h7emu_core.c) against the shared
 * docs/x8h7-link.md: replies of peripheral 0x09 written out byte by byte,
 * the swap rule, the single receive buffer, the UI ring and its 128-byte
 * chunks, the H7's off-by-four enqueue. The loopback master clocks the
 * transfers; time is virtual, so nothing here depends on speed.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "test_h7emu_util.h"

FIXTURE(h7) {
	struct bench b;
	uint8_t mosi[FRAME], miso[FRAME], want[FRAME];
};

FIXTURE_SETUP(h7)
{
	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	memset(self->want, 0, FRAME);
}

FIXTURE_TEARDOWN(h7)
{
	bench_fini(&self->b);
}

/* Send @mosi, let the H7 process it, read what it armed. */
static void exchange(struct bench *b, const uint8_t *mosi, uint8_t *miso)
{
	uint8_t e[FRAME];

	bench_xfer(b, mosi, NULL);
	bench_pass(b);
	empty(e);
	bench_xfer(b, e, miso);
}

TEST_F(h7, fw_version_reply)
{
	/* size 9: subframe 09 10 0005 "0.0.5" */
	static const uint8_t want[] = {
		0x09, 0x00, 0x5c, 0x55,
		0x09, 0x10, 0x05, 0x00, '0', '.', '0', '.', '5',
	};

	h7_request(self->mosi, 0x10);
	exchange(&self->b, self->mosi, self->miso);
	memcpy(self->want, want, sizeof(want));
	ASSERT_EQ(0, memcmp(self->want, self->miso, FRAME));
	ASSERT_EQ(1u, bench_stats(&self->b).h7_requests);
}

TEST_F(h7, boot_m4_reply_each_value)
{
	/* size 8: subframe 09 77 0004 int32 LE */
	static const uint8_t hdr[] = {
		0x08, 0x00, 0x5d, 0x55, 0x09, 0x77, 0x04, 0x00,
	};
	static const uint8_t vals[3][4] = {
		{ 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0 }, { 1, 0, 0, 0 },
	};
	int m4;

	for (m4 = -1; m4 <= 1; m4++) {
		ASSERT_EQ(0, h7emu_set_m4(self->b.e, m4));
		h7_request(self->mosi, 0x77);
		exchange(&self->b, self->mosi, self->miso);
		memset(self->want, 0, FRAME);
		memcpy(self->want, hdr, sizeof(hdr));
		memcpy(self->want + sizeof(hdr), vals[m4 + 1], 4);
		ASSERT_EQ(0, memcmp(self->want, self->miso, FRAME))
			TH_LOG("BOOT_M4 with M4 %d", m4);
		bench_pass(&self->b);
	}
}

TEST_F(h7, get_uid_reply)
{
	static const uint8_t want[] = {
		0x10, 0x00, 0x45, 0x55, 0x09, 0x78, 0x0c, 0x00,
		0x2c, 0x00, 0x41, 0x00, 0x0d, 0x51, 0x33, 0x30,
		0x33, 0x36, 0x39, 0x38,
	};

	h7_request(self->mosi, 0x78);
	exchange(&self->b, self->mosi, self->miso);
	memcpy(self->want, want, sizeof(want));
	ASSERT_EQ(0, memcmp(self->want, self->miso, FRAME));
}

TEST_F(h7, three_requests_three_replies_in_order)
{
	unsigned int off = 4;

	empty(self->mosi);
	put_sub(self->mosi, 0x09, 0x78, NULL, 0);
	put_sub(self->mosi, 0x09, 0x10, NULL, 0);
	put_sub(self->mosi, 0x09, 0x77, NULL, 0);
	exchange(&self->b, self->mosi, self->miso);
	ASSERT_EQ(16u + 9 + 8, get_size(self->miso));
	ASSERT_EQ(0x78, self->miso[off + 1]);
	off += 16;
	ASSERT_EQ(0x10, self->miso[off + 1]);
	off += 9;
	ASSERT_EQ(0x77, self->miso[off + 1]);
}

TEST_F(h7, unknown_opcode_no_reply)
{
	struct h7emu_stats st;

	h7_request(self->mosi, 0x55);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_passes(&self->b, 3);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.h7_unknown);
	ASSERT_EQ(0u, st.frames_out);
	ASSERT_FALSE(bench_wire(&self->b).armed);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
}

TEST_F(h7, walk_stops_at_periph_00_and_ff)
{
	uint8_t stop[2] = { 0x00, 0xff };
	int i;

	for (i = 0; i < 2; i++) {
		empty(self->mosi);
		put_sub(self->mosi, 0x09, 0x10, NULL, 0);
		put_sub(self->mosi, stop[i], 0x10, NULL, 0);
		put_sub(self->mosi, 0x09, 0x77, NULL, 0);
		exchange(&self->b, self->mosi, self->miso);
		/* Only the FW_VERSION reply. */
		ASSERT_EQ(9u, get_size(self->miso));
		ASSERT_EQ(0x10, self->miso[5]);
		bench_pass(&self->b);
	}
	ASSERT_EQ(2u, bench_stats(&self->b).h7_requests);
}

TEST_F(h7, other_peripherals_are_ignored)
{
	empty(self->mosi);
	put_sub(self->mosi, 0x01, 0x10, "ab", 2);	/* ADC */
	put_sub(self->mosi, 0x07, 0x10, NULL, 0);	/* GPIO */
	put_sub(self->mosi, 0x09, 0x10, NULL, 0);
	exchange(&self->b, self->mosi, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
	ASSERT_EQ(2u, bench_stats(&self->b).periph_ignored);
}

/* nIRQ stays low from the swap until the master's frame is processed. */
TEST_F(h7, nirq_low_after_swap_high_after_processing)
{
	uint8_t e[FRAME];

	h7_request(self->mosi, 0x10);
	bench_xfer(&self->b, self->mosi, NULL);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	bench_pass(&self->b);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	ASSERT_TRUE(bench_wire(&self->b).armed_irq);
	bench_passes(&self->b, 5);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	empty(e);
	bench_xfer(&self->b, e, self->miso);
	/* Received, not yet processed: still low. */
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	bench_pass(&self->b);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	ASSERT_EQ(1u, bench_wire(&self->b).edges);
}

TEST_F(h7, no_swap_while_nirq_low)
{
	uint8_t msg[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t active[FRAME];

	h7_request(self->mosi, 0x10);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_EQ(1u, bench_wire(&self->b).arms);
	/* The M4 says something: it waits in the active frame. */
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, msg, sizeof(msg)));
	bench_passes(&self->b, 3);
	ASSERT_EQ(1u, bench_wire(&self->b).arms);
	h7emu_active_frame(self->b.e, active);
	ASSERT_EQ(4 + sizeof(msg), get_size(active));
	/* The master reads; the H7 processes, swaps the next frame. */
	empty(self->mosi);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
	bench_pass(&self->b);
	ASSERT_EQ(2u, bench_wire(&self->b).arms);
	ASSERT_EQ(0, memcmp(active, bench_wire(&self->b).frame, FRAME));
}

TEST_F(h7, no_swap_while_ncs_low)
{
	struct h7emu_stats st;

	h7_request(self->mosi, 0x77);
	bench_xfer(&self->b, self->mosi, NULL);
	ASSERT_EQ(0, h7emu_loopback_cs(self->b.e, true));
	bench_passes(&self->b, 2);
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.arm_busy);
	ASSERT_EQ(0u, st.frames_out);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	ASSERT_FALSE(bench_wire(&self->b).armed);
	ASSERT_EQ(0, h7emu_loopback_cs(self->b.e, false));
	bench_pass(&self->b);
	ASSERT_EQ(1u, bench_stats(&self->b).frames_out);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
}

TEST_F(h7, empty_active_frame_no_swap)
{
	bench_passes(&self->b, 10);
	ASSERT_EQ(0u, bench_wire(&self->b).arms);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
}

/* Unarmed transfers get the H7's empty frame. */
TEST_F(h7, transfer_without_nirq_reads_empty_frame)
{
	uint8_t e[FRAME];

	empty(e);
	empty(self->mosi);
	memset(self->miso, 0xaa, FRAME);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(0, memcmp(e, self->miso, FRAME));
}

TEST_F(h7, overwrite_counted_only_for_frames_with_subframes)
{
	uint8_t e[FRAME], z[FRAME];
	struct h7emu_stats st;

	empty(e);
	/* empty over empty: nothing lost */
	bench_xfer(&self->b, e, NULL);
	bench_xfer(&self->b, e, NULL);
	/* a frame whose first subframe is periph 0x00: nothing for the H7 */
	empty(z);
	put_sub(z, 0x00, 0x10, NULL, 0);
	bench_xfer(&self->b, z, NULL);
	bench_xfer(&self->b, e, NULL);
	ASSERT_EQ(0u, bench_stats(&self->b).frames_overwritten);
	/* BOOT_M4 request, then a transfer before any pass: lost */
	h7_request(self->mosi, 0x77);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_xfer(&self->b, e, NULL);
	bench_passes(&self->b, 3);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.frames_overwritten);
	ASSERT_EQ(0u, st.h7_requests);
	ASSERT_EQ(0u, st.frames_out);
	ASSERT_EQ(6u, st.frames_in);
	ASSERT_EQ(1u, st.frames_in_data);
}

/* Processed frames are not "overwritten" by the next transfer. */
TEST_F(h7, no_overwrite_after_processing)
{
	uint8_t e[FRAME];

	h7_request(self->mosi, 0x77);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	empty(e);
	bench_xfer(&self->b, e, NULL);
	ASSERT_EQ(0u, bench_stats(&self->b).frames_overwritten);
}

/* No RPC traffic crosses the wire at M4 start: the greeting goes to the
 * M4 only, which swallows it. */
TEST_F(h7, greeting_is_swallowed_by_the_m4)
{
	struct h7emu_stats st;

	bench_passes(&self->b, 3);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.m4_boots);
	ASSERT_EQ(2u, st.m4_greetings);
	ASSERT_EQ(0u, st.ring_bytes_in);
	ASSERT_EQ(0u, st.m4_msgs_out);
	ASSERT_EQ(0u, bench_wire(&self->b).arms);
	/* A restart of the M4 greets again. */
	ASSERT_EQ(0, h7emu_set_m4(self->b.e, 1));
	bench_pass(&self->b);
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.m4_boots);
	ASSERT_EQ(4u, st.m4_greetings);
	ASSERT_EQ(0u, bench_wire(&self->b).arms);
}

/* The ring keeps the newest 4096 bytes; the overwritten are counted. */
TEST_F(h7, ring_overwrites_oldest)
{
	uint8_t *big = malloc(5000), out[4096], e[FRAME];
	struct h7emu_stats st;
	size_t n = 0, i;

	ASSERT_NE(NULL, big);
	for (i = 0; i < 5000; i++)
		big[i] = i * 7;
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, big, 5000));
	ASSERT_EQ(4096u, h7emu_ring_level(self->b.e));
	st = bench_stats(&self->b);
	ASSERT_EQ(5000u, st.ring_bytes_in);
	ASSERT_EQ(5000u - 4096, st.ring_bytes_overwritten);
	/* Drain it as a careful master: the newest 4096 come out. */
	empty(e);
	for (i = 0; i < 100 && n < 4096; i++) {
		bench_pass(&self->b);
		if (h7emu_nirq_low(self->b.e)) {
			bench_xfer(&self->b, e, self->miso);
			ui_collect(self->miso, out, sizeof(out), &n, NULL);
		}
	}
	ASSERT_EQ(4096u, n);
	ASSERT_EQ(0, memcmp(out, big + 5000 - 4096, 4096));
	ASSERT_EQ(0u, bench_stats(&self->b).ui_chunks_lost);
	free(big);
}

/* A 1000-byte M4 message leaves in chunks of 128 bytes, one per pass. */
TEST_F(h7, m4_message_of_1000_bytes_in_128_byte_chunks)
{
	uint8_t msg[1000], out[1000], e[FRAME];
	unsigned int frames = 0, max_sub, subs;
	size_t n = 0, i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i ^ 0x5a;
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->b.e, msg, sizeof(msg)));
	empty(e);
	for (i = 0; i < 20 && n < sizeof(msg); i++) {
		bench_pass(&self->b);
		if (!h7emu_nirq_low(self->b.e))
			continue;
		bench_xfer(&self->b, e, self->miso);
		max_sub = 0;
		subs = ui_collect(self->miso, out, sizeof(out), &n, &max_sub);
		ASSERT_EQ(1u, subs);
		/* header by hand: 0a 01 len16 */
		ASSERT_EQ(0x0a, self->miso[4]);
		ASSERT_EQ(0x01, self->miso[5]);
		ASSERT_EQ(frames < 7 ? 128u : 1000u - 7 * 128, max_sub);
		ASSERT_EQ(4 + max_sub, get_size(self->miso));
		frames++;
	}
	ASSERT_EQ(8u, frames);
	ASSERT_EQ(sizeof(msg), n);
	ASSERT_EQ(0, memcmp(msg, out, sizeof(msg)));
	ASSERT_EQ(8u, bench_stats(&self->b).ui_chunks);
}

/* Nobody clocks: the second chunk waits, the third does not fit. */
TEST_F(h7, chunk_lost_when_frame_full)
{
	uint8_t msg[3 * 128];
	struct h7emu_stats st;

	memset(msg, 0x42, sizeof(msg));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, msg, sizeof(msg)));
	bench_pass(&self->b);		/* chunk 1 armed */
	bench_pass(&self->b);		/* chunk 2 in the active frame: 132 */
	bench_pass(&self->b);		/* chunk 3: 132 + 128 > 252, lost */
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.ui_chunks);
	ASSERT_EQ(1u, st.ui_chunks_lost);
	ASSERT_EQ(128u, st.ui_bytes_lost);
	ASSERT_EQ(0u, h7emu_ring_level(self->b.e));
}

/*
 * The H7's enqueue check forgets the 4-byte header: a chunk of k <= 120
 * after a 128-byte one is accepted and the frame announces 136 + k bytes,
 * 253..256 for k = 117..120, while only 252 cross the wire. k = 121 is lost.
 */
TEST_F(h7, off_by_four_frames_of_253_to_256)
{
	uint8_t first[128], second[128], e[FRAME];
	unsigned int k;

	memset(first, 0x11, sizeof(first));
	empty(e);
	for (k = 116; k <= 121; k++) {
		struct h7emu_stats before = bench_stats(&self->b), st;
		unsigned int size = 136 + k, i, carried;

		for (i = 0; i < k; i++)
			second[i] = i;
		ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, first, 128));
		bench_pass(&self->b);		/* swap: a frame to read */
		ASSERT_TRUE(h7emu_nirq_low(self->b.e));
		ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, first, 128));
		bench_pass(&self->b);		/* active: 132 */
		ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, second, k));
		bench_pass(&self->b);		/* active: 136 + k, or lost */
		bench_xfer(&self->b, e, NULL);	/* read the first frame */
		bench_pass(&self->b);		/* processed, swap */
		bench_xfer(&self->b, e, self->miso);
		st = bench_stats(&self->b);
		if (k == 121) {
			ASSERT_EQ(before.ui_chunks_lost + 1, st.ui_chunks_lost);
			ASSERT_EQ(132u, get_size(self->miso));
			continue;
		}
		ASSERT_EQ(before.ui_chunks_lost, st.ui_chunks_lost);
		/* header by hand, checksum of the announced size */
		ASSERT_EQ(size & 0xff, self->miso[0]);
		ASSERT_EQ(size >> 8, self->miso[1]);
		ASSERT_EQ((size ^ 0x5555) & 0xff, self->miso[2]);
		ASSERT_EQ((size ^ 0x5555) >> 8, self->miso[3]);
		ASSERT_EQ(0x0a, self->miso[4 + 132]);
		ASSERT_EQ(k, self->miso[4 + 132 + 2]);
		/* what crossed the wire of the second chunk */
		carried = 252 - 132 - 4;
		if (carried > k)
			carried = k;
		ASSERT_EQ(0, memcmp(second, self->miso + 4 + 136, carried));
		if (size > 252)
			ASSERT_EQ(before.frames_out_oversize + 1,
				  st.frames_out_oversize);
		bench_pass(&self->b);
	}
}

/* A transfer of the wrong length puts the DMA out of step until a swap. */
TEST_F(h7, short_transfer_desynchronises_the_dma)
{
	uint8_t a[FRAME], b2[FRAME], want[FRAME], rx[FRAME];
	struct h7emu_loopback_info w;
	unsigned int i;

	for (i = 0; i < FRAME; i++) {
		a[i] = i;
		b2[i] = 0x80 | i;
	}
	h7emu_loopback_xfer(self->b.e, a, 100, NULL, self->b.t += MS);
	ASSERT_EQ(1u, bench_stats(&self->b).xfers_bad_len);
	ASSERT_EQ(0u, bench_stats(&self->b).frames_in);
	/* The DMA goes on at byte 100 of the empty transfer frame. */
	w = bench_wire(&self->b);
	ASSERT_TRUE(w.armed);
	ASSERT_FALSE(w.armed_irq);
	empty(want);
	memset(want, 0, FRAME);
	memcpy(want + 156, "\x00\x00\x55\x55", 4);
	ASSERT_EQ(0, memcmp(want, w.frame, FRAME));
	/* The next 256 complete a frame after 156 of them. */
	h7emu_loopback_xfer(self->b.e, b2, FRAME, NULL, self->b.t += MS);
	ASSERT_EQ(1u, bench_stats(&self->b).frames_in);
	h7emu_rx_frame(self->b.e, rx);
	ASSERT_EQ(0, memcmp(rx, a, 100));
	ASSERT_EQ(0, memcmp(rx + 100, b2, 156));
	ASSERT_TRUE(bench_wire(&self->b).armed);	/* still out of step */
	/* A swap re-arms the DMA: in step again. */
	h7emu_m4_raw_write(self->b.e, "x", 1);
	bench_pass(&self->b);
	w = bench_wire(&self->b);
	ASSERT_TRUE(w.armed_irq);
	h7_request(a, 0x10);
	bench_xfer(&self->b, a, self->miso);
	ASSERT_EQ(5u, get_size(self->miso));
	bench_pass(&self->b);
	bench_xfer(&self->b, a, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
	ASSERT_EQ(0x10, self->miso[5]);
}

/*
 * A FW_VERSION frame armed with nIRQ low, then the record of a transfer
 * with a BOOT_M4 request that did not get it (late: it happened before the
 * arm).
 */
static void late_record(struct __test_metadata *_metadata,
			FIXTURE_DATA(h7) *self)
{
	struct h7emu_xfer x;

	h7_request(self->mosi, 0x10);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	memset(&x, 0, sizeof(x));
	x.start_ns = x.end_ns = self->b.t;
	x.len = FRAME;
	x.armed = false;
	h7_request(x.mosi, 0x77);
	h7emu_xfer_done(self->b.e, &x);
}

/*
 * A transfer record that reaches the emulator after it armed a frame, but
 * that did not get that frame, happened before the arm: processed at once,
 * but it neither empties the armed frame nor raises nIRQ.
 */
TEST_F(h7, late_record_keeps_armed_frame)
{
	struct h7emu_stats st;

	late_record(_metadata, self);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.xfers_late);
	ASSERT_EQ(2u, st.h7_requests);	/* the late frame was processed */
	bench_pass(&self->b);
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.h7_requests);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	ASSERT_EQ(1u, st.frames_out);
	empty(self->mosi);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));	/* the FW_VERSION frame */
	bench_pass(&self->b);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(8u, get_size(self->miso));	/* then BOOT_M4 */
}

/*
 * The master's read of the armed frame right after a late record (no pass
 * between them, as when the kernel queued both): the late frame was
 * processed before the swap, so nothing counts as overwritten.
 */
TEST_F(h7, late_record_then_read_overwrites_nothing)
{
	struct h7emu_stats st;

	late_record(_metadata, self);
	empty(self->mosi);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));	/* the FW_VERSION frame */
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.xfers_late);
	ASSERT_EQ(0u, st.frames_overwritten);
	ASSERT_EQ(2u, st.h7_requests);
}

TEST_F(h7, reset_clears_everything_and_greets_again)
{
	uint8_t msg[300], active[FRAME], rx[FRAME], zero[FRAME], e[FRAME];
	struct h7emu_loopback_info w;
	struct h7emu_stats st;

	memset(msg, 0x33, sizeof(msg));
	h7emu_m4_raw_write(self->b.e, msg, sizeof(msg));
	bench_passes(&self->b, 2);		/* one frame armed, one waits */
	h7_request(self->mosi, 0x77);
	h7emu_loopback_xfer(self->b.e, self->mosi, FRAME, NULL, self->b.t);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	h7emu_reset(self->b.e);
	bench_pass(&self->b);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.h7_resets);
	ASSERT_EQ(1u, st.fault_reset);
	ASSERT_EQ(0u, h7emu_ring_level(self->b.e));
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	h7emu_active_frame(self->b.e, active);
	empty(e);
	ASSERT_EQ(0, memcmp(e, active, FRAME));
	h7emu_rx_frame(self->b.e, rx);
	memset(zero, 0, FRAME);
	ASSERT_EQ(0, memcmp(zero, rx, FRAME));
	ASSERT_EQ(0u, st.h7_requests);	/* the unprocessed request is gone */
	w = bench_wire(&self->b);
	ASSERT_FALSE(w.nirq_low);
	ASSERT_TRUE(w.armed);		/* the empty frame replaces the old */
	ASSERT_EQ(0, memcmp(e, w.frame, FRAME));
	ASSERT_EQ(2u, st.m4_boots);
	ASSERT_EQ(4u, st.m4_greetings);
	/* A transfer that started before the reset is lost with it. */
	h7_request(self->mosi, 0x10);
	h7emu_loopback_xfer(self->b.e, self->mosi, FRAME, NULL, T0);
	ASSERT_EQ(1u, bench_stats(&self->b).xfers_reset);
	/* And the board works afterwards. */
	exchange(&self->b, self->mosi, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
}

TEST_HARNESS_MAIN
