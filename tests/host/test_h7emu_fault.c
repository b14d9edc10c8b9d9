// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the emulator's fault injection: each fault on its own,
 * with probability 1 where it is a probability, and the reproducibility
 * of the seeded draws.
 */
#include "kselftest_harness.h"
#include "test_h7emu_util.h"

FIXTURE(fault) {
	struct bench b;
	struct h7emu_config cfg;
	uint8_t mosi[FRAME], miso[FRAME], rx[FRAME];
};

FIXTURE_SETUP(fault)
{
	h7emu_config_init(&self->cfg);
	self->cfg.sketch = H7EMU_SKETCH_ECHO;
	self->b.e = NULL;
}

FIXTURE_TEARDOWN(fault)
{
	if (self->b.e)
		bench_fini(&self->b);
}

static void set_faults(struct bench *b, void (*fn)(struct h7emu_faults *))
{
	struct h7emu_faults f;

	h7emu_get_faults(b->e, &f);
	fn(&f);
	h7emu_set_faults(b->e, &f);
}

TEST_F(fault, flip_mosi_one_bit_before_processing)
{
	static const uint8_t echo[] = {
		0x94, 0x00, 0x01, 0xa4, 'e', 'c', 'h', 'o', 0x91, 0xa2, 'h', 'i',
	};
	size_t at = 0;
	int i;

	self->cfg.faults.flip_mosi = 1;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	for (i = 0; i < 20; i++) {
		ui_frame(self->mosi, echo, sizeof(echo));
		bench_xfer(&self->b, self->mosi, NULL);
		h7emu_rx_frame(self->b.e, self->rx);
		ASSERT_EQ(1u, bit_diff(self->mosi, self->rx, FRAME, &at));
		/* within the header and the announced subframe bytes */
		ASSERT_LT(at, 4 + 4 + sizeof(echo));
		bench_pass(&self->b);
	}
	ASSERT_EQ(20u, bench_stats(&self->b).fault_flip_mosi);
}

TEST_F(fault, flip_miso_one_bit_in_the_armed_copy)
{
	static const uint8_t want[] = {
		0x09, 0x00, 0x5c, 0x55,
		0x09, 0x10, 0x05, 0x00, '0', '.', '0', '.', '5',
	};
	uint8_t w[FRAME];
	size_t at = 0;
	int i;

	self->cfg.faults.flip_miso = 1;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	memset(w, 0, FRAME);
	memcpy(w, want, sizeof(want));
	for (i = 0; i < 20; i++) {
		h7_request(self->mosi, 0x10);
		bench_xfer(&self->b, self->mosi, NULL);
		bench_pass(&self->b);
		empty(self->mosi);
		bench_xfer(&self->b, self->mosi, self->miso);
		ASSERT_EQ(1u, bit_diff(w, self->miso, FRAME, &at));
		ASSERT_LT(at, sizeof(want));
		bench_pass(&self->b);
	}
	ASSERT_EQ(20u, bench_stats(&self->b).fault_flip_miso);
}

TEST_F(fault, drop_edge_line_low_no_interrupt)
{
	struct h7emu_loopback_info w;

	self->cfg.faults.drop_edge = 1;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	h7_request(self->mosi, 0x77);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	w = bench_wire(&self->b);
	ASSERT_TRUE(w.armed);
	ASSERT_TRUE(w.nirq_low);
	ASSERT_EQ(0u, w.edges);
	ASSERT_EQ(1u, w.dropped_edges);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	ASSERT_EQ(1u, bench_stats(&self->b).fault_drop_edge);
	/* The frame is there for a master that looks at the line. */
	empty(self->mosi);
	bench_xfer(&self->b, self->mosi, self->miso);
	ASSERT_EQ(8u, get_size(self->miso));
}

static void garbage_off(struct h7emu_faults *f)
{
	f->garbage = 0;
}

TEST_F(fault, garbage_frame_then_the_real_one)
{
	uint8_t e[FRAME];

	self->cfg.faults.garbage = 1;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	h7_request(self->mosi, 0x10);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_EQ(1u, bench_stats(&self->b).fault_garbage);
	ASSERT_EQ(0u, bench_stats(&self->b).frames_out);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	empty(e);
	bench_xfer(&self->b, e, self->miso);
	/* 256 random bytes: not the reply, not 9 ^ 0x5555 (seed 1) */
	ASSERT_FALSE(get_size(self->miso) == 9 && self->miso[5] == 0x10);
	set_faults(&self->b, garbage_off);
	bench_pass(&self->b);
	bench_xfer(&self->b, e, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
	ASSERT_EQ(0x10, self->miso[5]);
}

/*
 * A slow M4 with one rpmsg buffer: the second UI message waits until the
 * M4 has taken the first (10 ms), the third 10 ms more; the H7 is stuck in
 * its processing meanwhile, so nIRQ stays low from the frame the master
 * just read, and goes high only when all three are handed over.
 */
TEST_F(fault, slow_m4_blocks_processing_nirq_stays_low)
{
	static const uint8_t r[] = {
		0x94, 0x00, 0x01, 0xa4, 'e', 'c', 'h', 'o', 0x91, 0x01,
	};
	struct h7emu_stats st;
	uint64_t start;
	int i;

	self->cfg.m4_slots = 1;
	self->cfg.faults.slow_m4_ms = 10;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	bench_passes(&self->b, 30);	/* greetings taken */
	/* Something to read, so nIRQ is low. */
	h7_request(self->mosi, 0x77);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	/* Read it, sending three UI messages. */
	empty(self->mosi);
	put_sub(self->mosi, 0x0a, 0x01, r, sizeof(r));
	put_sub(self->mosi, 0x0a, 0x01, r, sizeof(r));
	put_sub(self->mosi, 0x0a, 0x01, r, sizeof(r));
	bench_xfer(&self->b, self->mosi, self->miso);
	start = self->b.t;
	for (i = 0; i < 15; i++) {
		bench_pass(&self->b);
		ASSERT_TRUE(h7emu_nirq_low(self->b.e))
			TH_LOG("pass %d, %llu ms", i,
			       (unsigned long long)(self->b.t - start) / MS);
	}
	st = bench_stats(&self->b);
	ASSERT_GT(st.ui_blocked_passes, 10u);
	ASSERT_EQ(2u, st.ui_in);
	ASSERT_EQ(1u, bench_wire(&self->b).edges);
	for (i = 0; i < 15 && bench_stats(&self->b).ui_in < 3; i++)
		bench_pass(&self->b);
	ASSERT_EQ(3u, bench_stats(&self->b).ui_in);
	ASSERT_GE(self->b.t - start, 20 * MS);
	/* Processing over: nIRQ went high. The pass that got through was
	 * stuck in its step 3, past its step 1: the replies that waited in
	 * the ring move with the next pass, which announces them. */
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	bench_pass(&self->b);
	ASSERT_EQ(2u, bench_wire(&self->b).edges);
	ASSERT_GE(bench_stats(&self->b).ui_chunks, 1u);
}

/*
 * A master that clocks while the H7 is stuck: the H7 processes with
 * interrupts masked, so the first transfer's completion waits (the frame
 * being walked is not torn) and the DMA, not re-armed, misses the next one.
 */
TEST_F(fault, transfers_while_processing_is_blocked)
{
	uint8_t r[3][10], fw[FRAME], e[FRAME];
	struct h7emu_stats st;
	int i;

	self->cfg.m4_slots = 1;
	self->cfg.faults.slow_m4_ms = 10;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	empty(self->mosi);
	for (i = 0; i < 3; i++) {
		memcpy(r[i], "\x94\x00\x00\xa4" "echo" "\x91\x00", 10);
		r[i][2] = i;
		r[i][9] = 10 + i;
		put_sub(self->mosi, 0x0a, 0x01, r[i], 10);
	}
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_EQ(1u, bench_stats(&self->b).ui_blocked_passes);
	h7_request(fw, 0x10);
	empty(e);
	bench_xfer(&self->b, fw, NULL);		/* completion waits */
	bench_xfer(&self->b, e, NULL);		/* not received */
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.frames_in);
	ASSERT_EQ(1u, st.xfers_unreceived);
	for (i = 0; i < 40; i++)
		bench_pass(&self->b);
	st = bench_stats(&self->b);
	ASSERT_EQ(3u, st.ui_in);
	ASSERT_EQ(3u, st.m4_answered);	/* all three intact */
	ASSERT_EQ(1u, st.h7_requests);	/* the waiting FW_VERSION */
	ASSERT_EQ(0u, st.frames_overwritten);
	ASSERT_EQ(2u, st.frames_processed);
}

/* A slow M4 with free buffers does not block. */
TEST_F(fault, slow_m4_with_free_buffers_does_not_block)
{
	static const uint8_t r[] = {
		0x94, 0x00, 0x01, 0xa4, 'e', 'c', 'h', 'o', 0x91, 0x01,
	};

	self->cfg.faults.slow_m4_ms = 10;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	empty(self->mosi);
	put_sub(self->mosi, 0x0a, 0x01, r, sizeof(r));
	put_sub(self->mosi, 0x0a, 0x01, r, sizeof(r));
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_EQ(2u, bench_stats(&self->b).ui_in);
	ASSERT_EQ(0u, bench_stats(&self->b).ui_blocked_passes);
	/* The answers come only when the M4 has taken the messages. */
	ASSERT_EQ(0u, bench_stats(&self->b).m4_answered);
	bench_passes(&self->b, 40);
	ASSERT_EQ(2u, bench_stats(&self->b).m4_answered);
}

/* A BOOT_M4 request, a pass, and the frame read back into miso. */
static void boot_m4_round(FIXTURE_DATA(fault) *self)
{
	empty(self->mosi);
	put_sub(self->mosi, 0x09, 0x77, NULL, 0);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	empty(self->mosi);
	bench_xfer(&self->b, self->mosi, self->miso);
}

/*
 * Firmware 53df799: only the frame header and the first subframe header
 * reach the receive buffer; the rest is what was there before. Requests
 * without data still work; an RPC call arrives as stale bytes.
 */
TEST_F(fault, clip_53df799)
{
	static const uint8_t call[] = {
		0x94, 0x00, 0x01, 0xa4, 'e', 'c', 'h', 'o', 0x91, 0x01,
	};
	uint8_t prev[FRAME];
	struct h7emu_stats st;
	int i;

	self->cfg.faults.clip_53df799 = true;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	/* an unrelated frame first: its bytes stay in the buffer */
	empty(prev);
	for (i = 0; i < 200; i++)
		prev[4 + i] = 0x80 + (i & 0x3f);
	bench_xfer(&self->b, prev, NULL);
	h7emu_rx_frame(self->b.e, self->rx);
	ASSERT_EQ(0, memcmp(self->rx, prev, 8));
	for (i = 8; i < FRAME; i++)
		ASSERT_EQ(0, self->rx[i]);	/* zeros after boot */
	bench_pass(&self->b);
	ui_frame(self->mosi, call, sizeof(call));
	bench_xfer(&self->b, self->mosi, NULL);
	h7emu_rx_frame(self->b.e, self->rx);
	ASSERT_EQ(0, memcmp(self->rx, self->mosi, 8));
	ASSERT_EQ(0, self->rx[8]);	/* the call's data: stale zeros */
	bench_passes(&self->b, 5);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.ui_in);
	ASSERT_EQ(0u, st.m4_calls_in);
	ASSERT_EQ(0u, st.ring_bytes_in);
	ASSERT_EQ(2u, st.fault_clip);
	/* BOOT_M4 and FW_VERSION still work. */
	boot_m4_round(self);
	ASSERT_EQ(8u, get_size(self->miso));
	ASSERT_EQ(0x77, self->miso[5]);
	ASSERT_EQ(1, self->miso[8]);
}

/*
 * cut_boot_m4: the next N BOOT_M4 replies arrive as the off-by-four cuts
 * them (the frame announces 256 bytes, the reply's data is not carried);
 * then replies are whole again.
 */
TEST_F(fault, cut_boot_m4)
{
	struct h7emu_faults f;
	struct h7emu_stats st;
	int i;

	self->cfg.faults.cut_boot_m4 = 2;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	for (i = 0; i < 3; i++) {
		boot_m4_round(self);
		bench_pass(&self->b);
		if (i < 2) {
			/* zeros to 248, then the reply's header alone */
			ASSERT_EQ(256u, get_size(self->miso));
			ASSERT_EQ(0x0a, self->miso[4]);
			ASSERT_EQ(244u, (unsigned int)(self->miso[6] | self->miso[7] << 8));
			ASSERT_EQ(0x09, self->miso[252]);
			ASSERT_EQ(0x77, self->miso[253]);
		} else {
			ASSERT_EQ(8u, get_size(self->miso));
			ASSERT_EQ(1, self->miso[8]);
		}
	}
	st = bench_stats(&self->b);
	ASSERT_EQ(2u, st.fault_cut_boot);
	h7emu_get_faults(self->b.e, &f);
	ASSERT_EQ(0u, f.cut_boot_m4);
}

TEST_F(fault, reset_at_and_every)
{
	struct h7emu_stats st;

	self->cfg.faults.reset_at_ms = 5;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	bench_passes(&self->b, 5);
	ASSERT_EQ(0u, bench_stats(&self->b).h7_resets);
	bench_passes(&self->b, 20);
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.h7_resets);
	ASSERT_EQ(1u, st.fault_reset);
	ASSERT_EQ(2u, st.m4_boots);
	bench_fini(&self->b);

	h7emu_config_init(&self->cfg);
	self->cfg.faults.reset_every_ms = 10;
	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	bench_passes(&self->b, 45);
	st = bench_stats(&self->b);
	ASSERT_EQ(4u, st.h7_resets);
	ASSERT_EQ(4u, st.fault_reset);
}

/* A reset mid-exchange: the pending reply is gone, the board answers. */
TEST_F(fault, reset_mid_exchange)
{
	uint8_t e[FRAME];

	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	h7_request(self->mosi, 0x10);
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	h7emu_reset(self->b.e);
	bench_pass(&self->b);
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
	empty(e);
	bench_xfer(&self->b, e, self->miso);
	ASSERT_EQ(0, memcmp(e, self->miso, FRAME));	/* empty, not the reply */
	bench_xfer(&self->b, self->mosi, NULL);
	bench_pass(&self->b);
	bench_xfer(&self->b, e, self->miso);
	ASSERT_EQ(9u, get_size(self->miso));
}

/* Same seed, same faults: the same run. Another seed: another run. */
TEST_F(fault, seeded_draws_are_reproducible)
{
	uint8_t rx[3][40][FRAME];
	struct bench b;
	uint64_t seeds[3] = { 7, 7, 8 };
	int s, i;

	for (s = 0; s < 3; s++) {
		h7emu_config_init(&self->cfg);
		self->cfg.seed = seeds[s];
		self->cfg.faults.flip_mosi = 0.5;
		ASSERT_EQ(0, bench_init_cfg(&b, &self->cfg));
		for (i = 0; i < 40; i++) {
			h7_request(self->mosi, 0x55);
			bench_xfer(&b, self->mosi, NULL);
			h7emu_rx_frame(b.e, rx[s][i]);
			bench_pass(&b);
		}
		bench_fini(&b);
	}
	ASSERT_EQ(0, memcmp(rx[0], rx[1], sizeof(rx[0])));
	ASSERT_NE(0, memcmp(rx[0], rx[2], sizeof(rx[0])));
}

/* Faults switched at run time; bad values refused. */
TEST_F(fault, set_faults_checks_values)
{
	struct h7emu_faults f;

	ASSERT_EQ(0, bench_init_cfg(&self->b, &self->cfg));
	h7emu_get_faults(self->b.e, &f);
	f.flip_miso = 1.5;
	ASSERT_EQ(-EINVAL, h7emu_set_faults(self->b.e, &f));
	f.flip_miso = -0.1;
	ASSERT_EQ(-EINVAL, h7emu_set_faults(self->b.e, &f));
	f.flip_miso = 0.25;
	ASSERT_EQ(0, h7emu_set_faults(self->b.e, &f));
	h7emu_get_faults(self->b.e, &f);
	ASSERT_TRUE(f.flip_miso == 0.25);
	ASSERT_EQ(-EINVAL, h7emu_set_m4(self->b.e, 2));
}

TEST_HARNESS_MAIN
