// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of m4rpc.ko under the emulator's faults, in both nIRQ modes
 * of the simulator: a flood of calls to an M4 that takes a second per
 * message (the H7 must never be overrun), nIRQ edges that are never
 * delivered, an H7 reset while a frame is in flight, and bit flips and
 * garbage frames (rejected and counted; the link carries on), and
 * BOOT_M4 replies cut by the H7's off-by-four (asked again).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "board.h"

static struct h7emu_stats emu_stats(struct board_env *e)
{
	struct h7emu_stats st;

	h7emu_get_stats(e->b[0].emu, &st);
	return st;
}

static int set_faults(struct board_env *e, const struct h7emu_faults *f)
{
	return -h7emu_set_faults(e->b[0].emu, f);
}

/* The link's nIRQ mode: what it actually picked. */
static bool link_is_level(struct board_env *e)
{
	char buf[32];

	return !link_attr(e, 0, "irq_mode", buf, sizeof(buf)) &&
	       !strcmp(buf, "level");
}

static int dbg_read(struct board_env *e, const char *name, char *buf,
		    size_t size)
{
	char path[256];
	size_t n;
	FILE *f;

	board_dbg_path(e, 0, name, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return errno;
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

static long long rejects(struct board_env *e)
{
	return link_stat(e, 0, "reject_csum") + link_stat(e, 0, "reject_size") +
	       link_stat(e, 0, "reject_subframe");
}

/* The echo sketch on an M4 with one rpmsg buffer, a second per message. */
static int up_slow_m4(struct board_env *e, enum board_irq irq)
{
	struct h7emu_config cfg;

	board_config(&cfg, 0);
	cfg.m4_slots = 1;
	cfg.faults.slow_m4_ms = 1000;
	return board_up_test_client(e, irq, NULL, &cfg);
}

BOARD_FIXTURE(fault);
BOARD_IRQ_VARIANTS(fault);

/*
 * Eight calls at once to an M4 that holds each message a second and has
 * one rpmsg buffer: the H7 blocks for seconds in the frame it processes,
 * with nIRQ low. Nothing may be clocked meanwhile: the emulator counts
 * every frame with data overwritten unprocessed, and every transfer it
 * could not receive.
 */
TEST_F_TIMEOUT(fault, flood_slow_m4, 90)
{
	struct board_env *e = &self->env;
	struct h7emu_stats st;
	uint8_t msg[64], back[64];
	uint32_t id, k;
	size_t n;

	ASSERT_EQ(0, up_slow_m4(e, variant->irq));

	/* 55-byte calls: four fit a frame with its BOOT_M4 request. */
	for (k = 0; k < 8; k++) {
		echo_fill(msg, 40, k);
		ASSERT_EQ(0, board_echo_send(e, 0, k, msg, 40));
	}
	for (k = 0; k < 8; k++) {
		ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back),
					     &n, 20000));
		echo_fill(msg, 40, k);
		EXPECT_EQ(k, id);
		ASSERT_EQ(40U, n);
		EXPECT_EQ(0, memcmp(msg, back, 40));
	}
	st = emu_stats(e);
	TH_LOG("%llu passes blocked on the M4, %lld frames sent, %llu with calls",
	       (unsigned long long)st.ui_blocked_passes,
	       link_stat(e, 0, "tx_frames"),
	       (unsigned long long)st.frames_processed_ui);
	EXPECT_LT(0U, st.ui_blocked_passes);	/* the H7 did block */
	EXPECT_EQ(8U, st.ui_in);
	EXPECT_EQ(0U, st.frames_overwritten);
	EXPECT_EQ(0U, st.xfers_unreceived);
	EXPECT_EQ(0, link_stat(e, 0, "ack_timeouts"));
	EXPECT_EQ(0, link_stat(e, 0, "resyncs"));
	/*
	 * Packed: fewer frames with calls than calls (the frames of
	 * requests alone, doorbells and level mode's anticipation, are not
	 * what this is about).
	 */
	EXPECT_GT(8U, st.frames_processed_ui);
}

/*
 * The same with calls of 248 bytes, which level mode sends without the
 * BOOT_M4 request (no room): only the line tells that the H7 processed
 * them, seconds later. None may be overwritten: all reach the M4 whole.
 * (Their long replies may not all come back: the H7 loses bytes of the
 * M4's output silently when its frame has no room for a chunk, or cuts a
 * tail with its off-by-four; board_emu_holes() counts both. Then they are
 * not compared.) Edge mode cannot send
 * them (244 bytes at most).
 */
TEST_F_TIMEOUT(fault, flood_slow_m4_long, 90)
{
	const size_t len = 248 - ECHO_CALL_OVERHEAD;
	struct board_env *e = &self->env;
	struct h7emu_stats st;
	uint8_t msg[256], back[256];
	uint32_t id, k;
	size_t n;

	if (variant->irq == BOARD_IRQ_EDGE)
		SKIP(return, "edge mode: messages of 244 bytes at most");
	ASSERT_EQ(0, up_slow_m4(e, variant->irq));
	ASSERT_TRUE(link_is_level(e));

	for (k = 0; k < 4; k++) {
		echo_fill(msg, len, k);
		ASSERT_EQ(0, board_echo_send(e, 0, k, msg, len));
	}
	ASSERT_LE(0, board_emu_answers_framed(e, 0, 4, 20000));
	st = emu_stats(e);
	EXPECT_LT(0U, st.ui_blocked_passes);
	EXPECT_EQ(4U, st.ui_in);
	EXPECT_EQ(4U, st.m4_calls_in);
	EXPECT_EQ(0U, st.m4_malformed);
	EXPECT_EQ(0U, st.frames_overwritten);
	EXPECT_EQ(0U, st.xfers_unreceived);
	EXPECT_EQ(0, link_stat(e, 0, "ack_timeouts"));
	EXPECT_EQ(0, link_stat(e, 0, "resyncs"));
	if (board_emu_holes(&st)) {
		TH_LOG("the H7 made %llu holes in the replies",
		       (unsigned long long)board_emu_holes(&st));
		return;
	}
	for (k = 0; k < 4; k++) {
		ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back),
					     &n, 5000));
		echo_fill(msg, len, k);
		EXPECT_EQ(k, id);
		ASSERT_EQ(len, n);
		EXPECT_EQ(0, memcmp(msg, back, len));
	}
}

/*
 * BOOT_M4 replies cut by the H7's off-by-four (a busy M4 stream makes it
 * happen) carry no state: the link asks again, so the M4's state is never
 * left unknown, nor stale after a refresh.
 */
TEST_F(fault, boot_reply_cut)
{
	static const int states[] = { 0, 1, -1, 1 };
	struct board_env *e = &self->env;
	struct h7emu_faults f;
	struct h7emu_stats st;
	char buf[32];
	unsigned int k;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
		h7emu_get_faults(e->b[0].emu, &f);
		f.cut_boot_m4 = 2;
		ASSERT_EQ(0, set_faults(e, &f));
		ASSERT_EQ(0, h7emu_set_m4(e->b[0].emu, states[k]));
		ASSERT_EQ(0, link_attr_write(e, 0, "refresh", "1"));
		ASSERT_EQ(0, link_attr(e, 0, "m4_state", buf, sizeof(buf)));
		EXPECT_EQ(states[k], atoi(buf));
	}
	st = emu_stats(e);
	EXPECT_EQ(8U, st.fault_cut_boot);
	EXPECT_LE(8, link_stat(e, 0, "truncated"));
	EXPECT_EQ(0, link_stat(e, 0, "h7_unanswered"));
	EXPECT_EQ(0, link_stat(e, 0, "resyncs"));
}

/*
 * No falling edge is ever delivered. Edge mode recovers within
 * ack_timeout_ms each time and counts missed edges; level mode does not
 * use falling edges at all and must not even notice.
 */
TEST_F_TIMEOUT(fault, missed_edge, 60)
{
	struct board_env *e = &self->env;
	struct h7emu_faults f;
	struct h7emu_stats st;
	uint32_t k;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, "ack_timeout_ms=300",
					  NULL));
	h7emu_get_faults(e->b[0].emu, &f);
	f.drop_edge = 1.0;
	ASSERT_EQ(0, set_faults(e, &f));
	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, board_echo_once(e, 0, k, 30, 10000));
	f.drop_edge = 0;
	ASSERT_EQ(0, set_faults(e, &f));
	ASSERT_EQ(0, board_echo_once(e, 0, 100, 30, 10000));

	st = emu_stats(e);
	EXPECT_LT(0U, st.fault_drop_edge);
	EXPECT_EQ(0U, st.frames_overwritten);
	EXPECT_EQ(0U, st.xfers_unreceived);
	if (link_is_level(e)) {
		EXPECT_EQ(0, link_stat(e, 0, "missed_edges"));
		EXPECT_EQ(0, link_stat(e, 0, "ack_timeouts"));
	} else {
		EXPECT_LT(0, link_stat(e, 0, "missed_edges"));
	}
}

/*
 * The H7 has nothing to say or to process (nIRQ high, its frame empty,
 * every frame received processed) for three looks in a row: the next
 * frame the link sends is a doorbell. 0 or ETIMEDOUT.
 */
static int wait_h7_idle(struct board_env *e, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	uint8_t active[256];
	struct h7emu_stats st;
	int calm = 0;

	while (calm < 3) {
		if (now_ms() >= end)
			return ETIMEDOUT;
		sleep_ms(20);
		st = emu_stats(e);
		h7emu_active_frame(e->b[0].emu, active);
		if (!h7emu_nirq_low(e->b[0].emu) && !active[0] && !active[1] &&
		    st.frames_processed == st.frames_in)
			calm++;
		else
			calm = 0;
	}
	return 0;
}

/* Does the H7's receive buffer hold a UI subframe? */
static bool rx_has_ui(struct board_env *e)
{
	uint8_t rx[256];
	unsigned int size, off = 4, len;

	h7emu_rx_frame(e->b[0].emu, rx);
	size = rx[0] | rx[1] << 8;
	while (off + 4 <= 4 + size && off + 4 <= sizeof(rx)) {
		if (rx[off] == 0x0a)
			return true;
		len = rx[off + 2] | rx[off + 3] << 8;
		off += 4 + len;
	}
	return false;
}

/*
 * The H7 resets while it holds our frame unprocessed: the frame and its
 * BOOT_M4 request are gone. The link must notice, resynchronise and carry
 * the call through. (The held frame must be a doorbell: a frame with the
 * call itself would be lost for good, as the link sends at most once.)
 */
TEST_F_TIMEOUT(fault, h7_reset, 60)
{
	struct board_env *e = &self->env;
	struct h7emu_stats st0, st;
	char buf[256];
	uint8_t msg[16], back[16];
	uint32_t id;
	size_t n;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, "ack_timeout_ms=300",
					  NULL));
	ASSERT_EQ(0, board_echo_once(e, 0, 1, 10, 10000));
	ASSERT_EQ(0, wait_h7_idle(e, 5000));

	st0 = emu_stats(e);
	h7emu_pause(e->b[0].emu, true);
	echo_fill(msg, sizeof(msg), 2);
	ASSERT_EQ(0, board_echo_send(e, 0, 2, msg, sizeof(msg)));
	/*
	 * The doorbell (a frame with data: not the link's last, empty, read
	 * of the previous call) has reached the held H7: reset it now.
	 */
	ASSERT_EQ(0, h7emu_wait_stat(e->b[0].emu,
				     offsetof(struct h7emu_stats, frames_in_data),
				     st0.frames_in_data + 1, 5000));
	ASSERT_FALSE(rx_has_ui(e));
	h7emu_reset(e->b[0].emu);
	ASSERT_EQ(0, h7emu_step(e->b[0].emu, 1, 5000));
	h7emu_pause(e->b[0].emu, false);

	ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back), &n,
				     15000));
	EXPECT_EQ(2U, id);
	ASSERT_EQ(sizeof(msg), n);
	EXPECT_EQ(0, memcmp(msg, back, n));

	st = emu_stats(e);
	EXPECT_EQ(1U, st.h7_resets - st0.h7_resets);
	EXPECT_LE(1, link_stat(e, 0, "ack_timeouts"));
	EXPECT_LE(1, link_stat(e, 0, "resyncs"));
	ASSERT_EQ(0, link_wait_synced(e, 0, 5000));
	ASSERT_EQ(0, link_attr(e, 0, "fw_version", buf, sizeof(buf)));
	EXPECT_STREQ("0.0.5", buf);
	/* The client heard of it. */
	ASSERT_EQ(0, dbg_read(e, "events", buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "resync 0\n"));
	EXPECT_EQ(0U, st.frames_overwritten);
	ASSERT_EQ(0, board_echo_once(e, 0, 3, 10, 10000));
}

/*
 * Bits flipped in the frames the H7 sends and receives, and garbage frames
 * instead of its own: every frame the link cannot trust is rejected and
 * counted (and reported as a UI loss), and once the faults stop the link
 * works as before.
 */
TEST_F_TIMEOUT(fault, bit_flips, 90)
{
	struct board_env *e = &self->env;
	struct h7emu_faults f;
	struct h7emu_stats st;
	uint8_t msg[32];
	uint64_t end;
	uint32_t k;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, "ack_timeout_ms=300",
					  NULL));
	h7emu_get_faults(e->b[0].emu, &f);
	f.flip_miso = 0.5;
	f.flip_mosi = 0.1;
	f.garbage = 0.2;
	ASSERT_EQ(0, set_faults(e, &f));

	/* Calls until enough frames went wrong; replies may be garbled. */
	end = now_ms() + 40000;
	for (k = 0; k < 60 && now_ms() < end; k++) {
		echo_fill(msg, sizeof(msg), k);
		ASSERT_EQ(0, board_echo_send(e, 0, k, msg, sizeof(msg)));
		sleep_ms(100);
		board_ui_drain(e, 0);
		st = emu_stats(e);
		if (rejects(e) >= 5 && st.fault_garbage >= 2)
			break;
	}
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, set_faults(e, &f));
	sleep_ms(1000);		/* what went wrong has been read */
	board_ui_drain(e, 0);
	st = emu_stats(e);
	TH_LOG("%llu garbage frames, %llu MISO flips, %llu MOSI flips; rejected %lld/%lld/%lld",
	       (unsigned long long)st.fault_garbage,
	       (unsigned long long)st.fault_flip_miso,
	       (unsigned long long)st.fault_flip_mosi,
	       link_stat(e, 0, "reject_csum"), link_stat(e, 0, "reject_size"),
	       link_stat(e, 0, "reject_subframe"));
	EXPECT_LE(5, rejects(e));
	/* Random garbage fails the checksum (all but 1 in 65536). */
	EXPECT_LE((long long)st.fault_garbage, rejects(e));
	EXPECT_LE(rejects(e), link_stat(e, 0, "ui_lost"));
	EXPECT_EQ(0U, st.frames_overwritten);
	EXPECT_EQ(0U, st.xfers_unreceived);

	/* Clean again: the stream may hold a garbled reply; start afresh. */
	board_ui_drain(e, 0);
	ASSERT_EQ(0, link_wait_synced(e, 0, 10000));
	ASSERT_EQ(0, board_echo_once(e, 0, 1000, 20, 15000));
}

TEST_HARNESS_MAIN
