// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of m4rpc.ko, the SPI link (kernel/link/), against the
 * simulated board and the H7 emulator: probe and the sysfs values, M4
 * state changes, msgpack-rpc echo calls through the debugfs test client in
 * both nIRQ modes of the simulator, packing of several messages into one
 * frame, an M4 that streams, idle meaning idle, two boards, and polling.
 *
 * Counters are compared exactly where the emulator counts the same thing:
 * frames that carried subframes each way, transfers, UI bytes.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/m4rpc_sim.h>

#include "kselftest_harness.h"
#include "board.h"

#define EMU_DEFAULT_UID	"2c0041000d51333033363938"

static struct h7emu_stats emu_stats(struct board_env *e, unsigned int i)
{
	struct h7emu_stats st;

	h7emu_get_stats(e->b[i].emu, &st);
	return st;
}

/* What the link counted against what the emulator and simulator saw. */
static void check_counts(struct __test_metadata *_metadata, struct board_env *e,
			 unsigned int i)
{
	struct h7emu_stats st;
	uint64_t transfers;
	unsigned int k;

	/*
	 * The emulator may get the record of the link's last transfer after
	 * the link has parsed it (and the test has its reply): count once
	 * it has seen them all.
	 */
	EXPECT_EQ(0, h7emu_wait_stat(e->b[i].emu,
				     offsetof(struct h7emu_stats, xfers),
				     link_stat(e, i, "transfers"), 5000));
	/*
	 * ... and once the link has read what the H7 armed last (in level
	 * mode, the reply to a BOOT_M4 request that anticipated a call may
	 * still be on its way when the test has its own reply).
	 */
	for (k = 0; k < 50; k++) {
		st = emu_stats(e, i);
		if ((long long)st.frames_out == link_stat(e, i, "rx_frames"))
			break;
		sleep_ms(100);
	}
	EXPECT_EQ(0, h7emu_wait_stat(e->b[i].emu,
				     offsetof(struct h7emu_stats, xfers),
				     link_stat(e, i, "transfers"), 5000));
	st = emu_stats(e, i);

	ASSERT_EQ(0, board_sim_transfers(e, i, &transfers));
	EXPECT_EQ((long long)transfers, link_stat(e, i, "transfers"));
	EXPECT_EQ((long long)st.frames_in_data, link_stat(e, i, "tx_frames"));
	EXPECT_EQ((long long)st.frames_out, link_stat(e, i, "rx_frames"));
	EXPECT_EQ((long long)st.ui_in, link_stat(e, i, "tx_ui_msgs"));
	EXPECT_EQ((long long)st.frames_out_oversize,
		  link_stat(e, i, "truncated"));
	EXPECT_EQ(0U, st.frames_overwritten);
	EXPECT_EQ(0U, st.xfers_unreceived);
	EXPECT_EQ(0, link_stat(e, i, "reject_csum"));
	EXPECT_EQ(0, link_stat(e, i, "reject_size"));
	EXPECT_EQ(0, link_stat(e, i, "reject_subframe"));
	EXPECT_EQ(0, link_stat(e, i, "ack_timeouts"));
	EXPECT_EQ(0, link_stat(e, i, "resyncs"));
	EXPECT_EQ(0, link_stat(e, i, "h7_unanswered"));
	EXPECT_EQ(0, link_stat(e, i, "spi_errors"));
}

BOARD_FIXTURE(link);

FIXTURE_VARIANT(link) {
	enum board_irq irq;
	bool edge;
	const char *mode;	/* what the link must pick */
};

/* The X8's GPIO: PROCESSED is a rising edge. */
FIXTURE_VARIANT_ADD(link, level) {
	.irq = BOARD_IRQ_LEVEL,
	.mode = "level",
};

/* A controller without rising edges: PROCESSED is a high level. */
FIXTURE_VARIANT_ADD(link, level_high) {
	.irq = BOARD_IRQ_LEVEL_NO_RISING,
	.mode = "level",
};

FIXTURE_VARIANT_ADD(link, edge) {
	.irq = BOARD_IRQ_EDGE,
	.edge = true,
	.mode = "edge",
};

TEST_F(link, probe_sysfs)
{
	static const int states[] = { 0, -1, 1 };
	struct board_env *e = &self->env;
	char buf[256];
	unsigned int k;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	ASSERT_EQ(0, link_attr(e, 0, "fw_version", buf, sizeof(buf)));
	EXPECT_STREQ("0.0.5", buf);
	ASSERT_EQ(0, link_attr(e, 0, "uid", buf, sizeof(buf)));
	EXPECT_STREQ(EMU_DEFAULT_UID, buf);
	ASSERT_EQ(0, link_attr(e, 0, "m4_state", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	ASSERT_EQ(0, link_attr(e, 0, "irq_mode", buf, sizeof(buf)));
	EXPECT_STREQ(variant->mode, buf);
	EXPECT_LE(1, link_stat(e, 0, "acks"));
	EXPECT_LE(1, link_stat(e, 0, "irqs"));

	/* The M4 changes; a refresh asks at once. */
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
		ASSERT_EQ(0, h7emu_set_m4(e->b[0].emu, states[k]));
		ASSERT_EQ(0, link_attr_write(e, 0, "refresh", "1"));
		ASSERT_EQ(0, link_attr(e, 0, "m4_state", buf, sizeof(buf)));
		EXPECT_EQ(states[k], atoi(buf));
	}
	check_counts(_metadata, e, 0);
}

/* Six calls queued while the H7 is held: one frame carries them all. */
TEST_F(link, echo_packed)
{
	struct board_env *e = &self->env;
	struct h7emu_stats st0, st;
	uint8_t msg[64], back[64];
	uint32_t id, k;
	size_t n;
	int ret;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	/*
	 * Every transfer of the bring-up processed first (the emulator may
	 * get the last one after the link has parsed it): a pause that
	 * caught one would hold the link, waiting for PROCESSED, and no
	 * doorbell would go.
	 */
	ASSERT_EQ(0, h7emu_wait_stat(e->b[0].emu,
				     offsetof(struct h7emu_stats, frames_processed),
				     link_stat(e, 0, "transfers"), 5000));
	st0 = emu_stats(e, 0);
	h7emu_pause(e->b[0].emu, true);
	for (k = 0; k < 6; k++) {
		echo_fill(msg, 20, k);
		ASSERT_EQ(0, board_echo_send(e, 0, 100 + k, msg, 20));
	}
	/* The doorbell the first call rang has reached the held H7. */
	ret = h7emu_wait_stat(e->b[0].emu,
			      offsetof(struct h7emu_stats, frames_in_data),
			      st0.frames_in_data + 1, 5000);
	if (ret) {
		st = emu_stats(e, 0);
		TH_LOG("no doorbell: frames in %llu (%llu before), processed %llu, nIRQ %s",
		       (unsigned long long)st.frames_in,
		       (unsigned long long)st0.frames_in,
		       (unsigned long long)st.frames_processed,
		       h7emu_nirq_low(e->b[0].emu) ? "low" : "high");
		board_dump(e, 0, -1);
	}
	ASSERT_EQ(0, ret);
	h7emu_pause(e->b[0].emu, false);
	for (k = 0; k < 6; k++) {
		ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back),
					     &n, 10000));
		echo_fill(msg, 20, k);
		EXPECT_EQ(100 + k, id);
		ASSERT_EQ(20U, n);
		EXPECT_EQ(0, memcmp(msg, back, 20));
	}
	st = emu_stats(e, 0);
	EXPECT_EQ(6U, st.ui_in - st0.ui_in);
	/* One frame carried the six calls. */
	EXPECT_EQ(1U, st.frames_processed_ui - st0.frames_processed_ui);
	/*
	 * With the doorbell before it; level mode adds a BOOT_M4 request
	 * alone after the frame of calls and, when the M4's six answers
	 * made a full 128-byte chunk, after that (anticipating a next
	 * call); edge mode nothing.
	 */
	if (!strcmp(variant->mode, "edge")) {
		EXPECT_EQ(2U, st.frames_in_data - st0.frames_in_data);
	} else {
		EXPECT_LE(3U, st.frames_in_data - st0.frames_in_data);
		EXPECT_GE(4U, st.frames_in_data - st0.frames_in_data);
	}
	check_counts(_metadata, e, 0);
}

/*
 * The longest message: 248 bytes (one UI subframe) in level mode, 244 in
 * edge mode, where every frame with data must end with BOOT_M4.
 */
static size_t ui_max(const FIXTURE_VARIANT(link) *variant)
{
	return variant->edge ? 244 : 248;
}

/* Calls one after the other, every size up to the longest. */
TEST_F(link, echo_sizes)
{
	struct board_env *e = &self->env;
	size_t max = ui_max(variant) - ECHO_CALL_OVERHEAD;
	struct h7emu_stats st0, st;
	uint64_t frames, reqs;
	uint32_t k;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	st0 = emu_stats(e, 0);
	for (k = 0; k <= max; k += 15)
		ASSERT_EQ(0, board_echo_once(e, 0, k, k, 10000));
	/* Every size around the limits: 244 with BOOT_M4, 248 without. */
	for (k = 244 - ECHO_CALL_OVERHEAD - 4; k <= max; k++)
		ASSERT_EQ(0, board_echo_once(e, 0, 1000 + k, k, 10000));
	check_counts(_metadata, e, 0);
	/*
	 * Each call: a doorbell (BOOT_M4), then its frame. Edge mode ends
	 * every frame with BOOT_M4; level mode sends UI data alone without
	 * it while the M4 state is fresh, so most calls cost one announced
	 * frame less.
	 */
	st = emu_stats(e, 0);
	frames = st.frames_in_data - st0.frames_in_data;
	reqs = st.h7_requests - st0.h7_requests;
	TH_LOG("%llu frames with data, %llu H7 requests",
	       (unsigned long long)frames, (unsigned long long)reqs);
	if (!strcmp(variant->mode, "level")) {
		EXPECT_GT(frames, reqs);
	} else {
		EXPECT_LE(frames, reqs);
	}
	EXPECT_EQ(0, link_stat(e, 0, "overflow_drops"));
	EXPECT_EQ(0, link_stat(e, 0, "ui_lost"));
}

/* A message longer than the longest is refused by the client, not cut. */
TEST_F(link, mtu)
{
	struct board_env *e = &self->env;
	uint8_t msg[300];

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	memset(msg, 0, sizeof(msg));
	EXPECT_EQ(EMSGSIZE, board_ui_send(e, 0, msg, ui_max(variant) + 1));
	EXPECT_EQ(EMSGSIZE, board_ui_send(e, 0, msg, 249));
	EXPECT_EQ(0, board_echo_once(e, 0, 1, 10, 10000));
}

/*
 * Level mode: a message that leaves no room for the BOOT_M4 request goes
 * first in a frame without it (the line shows the H7 processed it); the
 * short ones queued behind travel in later frames. Long and short calls
 * queued while the H7 is held all come back, in order, nothing
 * overwritten and no acknowledgment missed.
 *
 * The M4 takes 50 ms per message, so that its long replies come one by
 * one: a burst of them (a stalled VM makes one) can overflow the H7's
 * outgoing frame, which loses chunks silently (spec). The replies are
 * compared when the H7 lost none.
 */
TEST_F(link, long_unacked)
{
	static const size_t sizes[] = { 233, 20, 233, 226, 229, 5, 230, 233 };
	const size_t nr = sizeof(sizes) / sizeof(sizes[0]);
	struct board_env *e = &self->env;
	struct h7emu_stats st0, st;
	struct h7emu_config cfg;
	uint8_t msg[256], back[256];
	long long acks0, lost;
	uint32_t id, k;
	size_t n;

	if (variant->edge)
		SKIP(return, "edge mode: every frame carries BOOT_M4");
	board_config(&cfg, 0);
	cfg.faults.slow_m4_ms = 50;
	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, &cfg));
	st0 = emu_stats(e, 0);
	acks0 = link_stat(e, 0, "acks");
	h7emu_pause(e->b[0].emu, true);
	for (k = 0; k < nr; k++) {
		echo_fill(msg, sizes[k], k);
		ASSERT_EQ(0, board_echo_send(e, 0, 200 + k, msg, sizes[k]));
	}
	h7emu_pause(e->b[0].emu, false);
	lost = board_emu_answers_framed(e, 0, st0.m4_answered + nr, 20000);
	ASSERT_LE(0, lost);
	lost -= (long long)board_emu_holes(&st0);
	if (lost) {
		TH_LOG("the H7 made %lld holes in the replies", lost);
		sleep_ms(500);	/* the last frames, for the counts below */
	}
	for (k = 0; k < nr && !lost; k++) {
		ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back),
					     &n, 10000));
		echo_fill(msg, sizes[k], k);
		EXPECT_EQ(200 + k, id);
		ASSERT_EQ(sizes[k], n);
		EXPECT_EQ(0, memcmp(msg, back, n));
	}
	st = emu_stats(e, 0);
	EXPECT_EQ(nr, st.ui_in - st0.ui_in);
	EXPECT_EQ(nr, st.m4_calls_in - st0.m4_calls_in);
	EXPECT_EQ(0U, st.m4_malformed - st0.m4_malformed);
	/*
	 * Four calls of 245..248 bytes: four frames with data and no
	 * request (an acknowledged frame carries exactly one, BOOT_M4); the
	 * calls of 241 and 244 bytes leave room for it, and carry it when
	 * the M4 state is older than the link's freshness limit (level
	 * mode sends UI data alone without it otherwise).
	 */
	EXPECT_GE(st.frames_in_data - st0.frames_in_data - 4,
		  st.h7_requests - st0.h7_requests);
	EXPECT_LE(acks0 + 1, link_stat(e, 0, "acks"));
	check_counts(_metadata, e, 0);
}

/*
 * Calls back to back: in level mode the transfer that reads a reply asks
 * for BOOT_M4, and the next call rides the announcement of its reply
 * instead of ringing a doorbell (kernel/link/README.md, "Timing"). The H7
 * is held and stepped one pass at a time until the first reply is in, so
 * the second call is queued before the H7 has even processed the transfer
 * that read it, whatever the load. Edge mode does not anticipate: the
 * second call rings a doorbell of its own.
 */
TEST_F_TIMEOUT(link, back_to_back, 120)
{
	struct board_env *e = &self->env;
	uint8_t msg[32], back[32];
	struct h7emu_stats st;
	unsigned int k, tries;
	long long d0, d = -1;
	bool held = false;
	uint32_t id;
	size_t n;
	int ret;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	for (tries = 0; tries < 5 && !held; tries++) {
		ASSERT_EQ(0, board_echo_once(e, 0, 300, 16, 10000));
		/* As in echo_packed: nothing of the link's left to process. */
		ASSERT_EQ(0, h7emu_wait_stat(e->b[0].emu,
					     offsetof(struct h7emu_stats,
						      frames_processed),
					     link_stat(e, 0, "transfers"), 5000));
		sleep_ms(200);
		h7emu_pause(e->b[0].emu, true);
		echo_fill(msg, 16, 1);
		ASSERT_EQ(0, board_echo_send(e, 0, 301, msg, 16));
		ret = ETIMEDOUT;
		for (k = 0; k < 20 && ret; k++) {
			/* The link answers an announcement within this. */
			sleep_ms(100);
			ASSERT_EQ(0, h7emu_step(e->b[0].emu, 1, 5000));
			sleep_ms(100);
			ret = board_echo_wait(e, 0, &id, back, sizeof(back),
					      &n, 0);
		}
		ASSERT_EQ(0, ret);
		EXPECT_EQ(301U, id);
		/*
		 * The premise: the H7 has not processed the transfer that
		 * read the reply. A transfer that came while the stepped
		 * pass still ran gets a pass of its own (an interrupt during
		 * a pass wakes one after it): then try again.
		 */
		st = emu_stats(e, 0);
		held = (long long)st.frames_processed < link_stat(e, 0, "transfers");
		d0 = link_stat(e, 0, "doorbells");
		echo_fill(msg, 16, 2);
		ASSERT_EQ(0, board_echo_send(e, 0, 302, msg, 16));
		sleep_ms(100);
		h7emu_pause(e->b[0].emu, false);
		ASSERT_EQ(0, board_echo_wait(e, 0, &id, back, sizeof(back),
					     &n, 10000));
		EXPECT_EQ(302U, id);
		EXPECT_EQ(0, memcmp(msg, back, 16));
		d = link_stat(e, 0, "doorbells") - d0;
		TH_LOG("try %u: the reply's transfer %s when the second call came: %lld doorbells",
		       tries + 1, held ? "unprocessed" : "processed", d);
	}
	ASSERT_TRUE(held);
	if (!strcmp(variant->mode, "edge")) {
		EXPECT_EQ(1, d);
	} else {
		EXPECT_EQ(0, d);
	}
	check_counts(_metadata, e, 0);
}

/*
 * The M4 streams raw bytes faster than one frame per pass can carry:
 * every byte the H7 put into a frame arrives, except the tails of the
 * subframes the H7's off-by-four cut (at most 4 bytes each).
 */
TEST_F_TIMEOUT(link, m4_stream, 60)
{
	struct board_env *e = &self->env;
	struct h7emu_config cfg;
	struct h7emu_stats st;
	long long rx, drops, trunc;
	uint64_t end;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.kind = H7EMU_TRAFFIC_RAW;
	cfg.traffic.rate = 1000;
	cfg.traffic.size = 150;
	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, &cfg));
	end = now_ms() + 2000;
	while (now_ms() < end) {
		board_ui_drain(e, 0);
		sleep_ms(20);
	}
	/* Stop the M4, let the H7 empty its ring and the link go idle. */
	ASSERT_EQ(0, h7emu_set_m4(e->b[0].emu, H7EMU_M4_ABSENT));
	end = now_ms() + 10000;
	while (h7emu_ring_level(e->b[0].emu) || h7emu_nirq_low(e->b[0].emu)) {
		ASSERT_LT(now_ms(), end);
		board_ui_drain(e, 0);
		sleep_ms(20);
	}
	sleep_ms(200);
	board_ui_drain(e, 0);
	st = emu_stats(e, 0);
	rx = link_stat(e, 0, "rx_ui_bytes");
	drops = link_stat(e, 0, "overflow_drops");
	trunc = link_stat(e, 0, "truncated");
	TH_LOG("%llu UI bytes framed by the H7, %lld received, %lld dropped, %lld truncated subframes",
	       (unsigned long long)st.ui_bytes, rx, drops, trunc);
	EXPECT_LT(0U, st.ui_bytes);
	EXPECT_LE(rx + drops, (long long)st.ui_bytes);
	EXPECT_LE((long long)st.ui_bytes, rx + drops + 4 * trunc);
	EXPECT_EQ((long long)st.frames_out_oversize, trunc);
	/* Cut UI subframes are holes (a cut BOOT_M4 reply is not). */
	EXPECT_LE(link_stat(e, 0, "truncated_ui"), link_stat(e, 0, "ui_lost"));
	EXPECT_EQ((long long)st.frames_out, link_stat(e, 0, "rx_frames"));
	EXPECT_EQ(0, link_stat(e, 0, "reject_csum"));
	EXPECT_EQ(0, link_stat(e, 0, "reject_subframe"));
}

/* Idle means idle: no transfer at all while nothing happens. */
TEST_F_TIMEOUT(link, idle, 40)
{
	struct board_env *e = &self->env;
	uint64_t t0, t1;
	long long l0, i0;

	ASSERT_EQ(0, board_up_test_client(e, variant->irq, NULL, NULL));
	ASSERT_EQ(0, board_echo_once(e, 0, 7, 16, 10000));
	sleep_ms(500);
	ASSERT_EQ(0, board_sim_transfers(e, 0, &t0));
	l0 = link_stat(e, 0, "transfers");
	i0 = link_stat(e, 0, "irqs");
	sleep_ms(10000);
	ASSERT_EQ(0, board_sim_transfers(e, 0, &t1));
	EXPECT_EQ(t0, t1);
	EXPECT_EQ(l0, link_stat(e, 0, "transfers"));
	EXPECT_EQ(i0, link_stat(e, 0, "irqs"));
	EXPECT_EQ(0, board_echo_once(e, 0, 8, 16, 10000));
}

/* ---- two boards at once --------------------------------------------------- */

struct board_run {
	struct board_env *e;
	unsigned int i;
	int ret;
};

static void *board_calls(void *arg)
{
	struct board_run *r = arg;
	uint32_t k;

	for (k = 0; k < 20 && !r->ret; k++)
		r->ret = board_echo_once(r->e, r->i, (r->i << 16) | k, 8 + k * 9, 10000);
	return NULL;
}

BOARD_FIXTURE(boards);

TEST_F(boards, two)
{
	struct board_run run[2];
	struct board_env *e = &self->env;
	pthread_t th[2];
	char buf[256];
	unsigned int i;

	ASSERT_EQ(0, board_up(e, &(struct board_opts){
		.boards = 2,
		.client = BOARD_CLIENT_TEST,
	}));
	ASSERT_NE(e->b[0].bus, e->b[1].bus);
	ASSERT_EQ(0, link_attr(e, 1, "fw_version", buf, sizeof(buf)));
	EXPECT_STREQ("0.0.5-b1", buf);
	ASSERT_EQ(0, link_attr(e, 1, "uid", buf, sizeof(buf)));
	EXPECT_STREQ("2c0041000d51333033363939", buf);
	ASSERT_EQ(0, link_attr(e, 0, "uid", buf, sizeof(buf)));
	EXPECT_STREQ(EMU_DEFAULT_UID, buf);

	for (i = 0; i < 2; i++) {
		run[i] = (struct board_run){ .e = e, .i = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, board_calls,
					    &run[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, run[i].ret);
	}
	for (i = 0; i < 2; i++)
		check_counts(_metadata, e, i);
}

/* ---- no interrupt: polling ------------------------------------------------ */

BOARD_FIXTURE(poll);

TEST_F(poll, fallback)
{
	struct board_env *e = &self->env;
	long long t0;
	char buf[64];
	uint32_t k;

	/* Polling cannot know when a frame was processed: give it time. */
	ASSERT_EQ(0, board_up_test_client(e, BOARD_IRQ_NONE, "poll_ms=100",
					  NULL));
	ASSERT_EQ(0, link_attr(e, 0, "irq_mode", buf, sizeof(buf)));
	EXPECT_STREQ("poll", buf);
	for (k = 0; k < 10; k++)
		ASSERT_EQ(0, board_echo_once(e, 0, k, 10 * k, 10000));
	EXPECT_EQ(0, link_stat(e, 0, "irqs"));
	/* Polling cannot see nIRQ: it goes on while nothing happens. */
	t0 = link_stat(e, 0, "transfers");
	ASSERT_EQ(0, link_wait_stat(e, 0, "transfers", t0 + 3, 5000));
}

/* ---- nIRQ's trigger after another driver -------------------------------- */

BOARD_FIXTURE(trigger);

/*
 * The stock x8h7_drv requests nIRQ as a falling edge, and nothing puts the
 * type back when it is unbound. m4rpc.ko bound next ("rmmod x8h7_drv;
 * insmod m4rpc.ko" on an X8) takes the type from the firmware description
 * (level low: the X8's device tree, the simulated board's software node),
 * not the edge that the driver before it left set.
 */
TEST_F_TIMEOUT(trigger, after_falling_edge_driver, 60)
{
	struct board_env *e = &self->env;
	struct m4rpc_sim_info info;
	char buf[96];
	unsigned int bus;
	int ret;

	ASSERT_EQ(0, board_up_test_client(e, BOARD_IRQ_LEVEL, "", NULL));
	bus = e->b[0].bus;
	ASSERT_EQ(0, spi_driver_op(bus, "m4rpc", "unbind"));
	ret = mod_load("sim_kmod_consumer/sim_irq_consumer.ko",
		       "trigger=2");	/* IRQ_TYPE_EDGE_FALLING */
	if (ret == -1)
		SKIP(return, "no sim_irq_consumer.ko in $M4RPC_KMOD_DIR");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, spi_bind(bus, "sim_irq_consumer"));
	/* What the driver before leaves behind: a falling edge. */
	ASSERT_EQ(0, h7emu_dev_info(e->b[0].be, &info));
	EXPECT_EQ(M4RPC_SIM_IRQ_EDGE, (int)info.irq_mode);
	ASSERT_EQ(0, spi_driver_op(bus, "sim_irq_consumer", "unbind"));
	EXPECT_EQ(0, mod_unload("sim_irq_consumer"));
	snprintf(buf, sizeof(buf),
		 "/sys/bus/spi/devices/spi%u.0/driver_override", bus);
	ASSERT_EQ(0, write_file(buf, "\n"));
	ASSERT_EQ(0, spi_driver_op(bus, "m4rpc", "bind"));
	ASSERT_EQ(0, link_wait_synced(e, 0, 10000));
	ASSERT_EQ(0, link_attr(e, 0, "irq_mode", buf, sizeof(buf)));
	EXPECT_STREQ("level", buf);
	ASSERT_EQ(0, board_echo_once(e, 0, 1, 10, 10000));
}

TEST_HARNESS_MAIN
