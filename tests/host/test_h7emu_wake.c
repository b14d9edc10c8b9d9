// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of when the emulated H7 runs its main loop and in what order
 * (docs/x8h7-link.md, "When the main loop runs"): a pass right after each
 * completed transfer and each M4 message, the 1 ms tick besides, the four
 * steps of a pass in the spec's order; and the sent log, the record of
 * every message the M4 put into the ring. Virtual time, h7emu_advance().
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "test_h7emu_util.h"

#define US	1000ull

FIXTURE(wake) {
	struct bench b;
	uint8_t mosi[FRAME], miso[FRAME];
};

FIXTURE_SETUP(wake)
{
	ASSERT_EQ(0, bench_init(&self->b, H7EMU_SKETCH_ECHO));
	/* The first tick, at T0: greetings taken, nothing to say. */
	ASSERT_EQ(1u, h7emu_advance(self->b.e, T0));
	ASSERT_FALSE(h7emu_nirq_low(self->b.e));
}

FIXTURE_TEARDOWN(wake)
{
	bench_fini(&self->b);
}

/* The subframes of @f (its carried bytes), by hand: count and lengths. */
static unsigned int subframes(const uint8_t *f, uint8_t *periph,
			      unsigned int *len, unsigned int max)
{
	unsigned int size = get_size(f), off = 0, n = 0, l;

	if (size > 252)
		size = 252;
	while (off + 4 <= size && n < max) {
		l = f[4 + off + 2] | f[4 + off + 3] << 8;
		periph[n] = f[4 + off];
		len[n++] = l;
		off += 4 + l;
	}
	return n;
}

TEST_F(wake, tick_runs_every_ms)
{
	struct h7emu_stats st;
	uint64_t t;

	/* 100 us steps over 10 ms: a pass at each ms, none in between. */
	for (t = T0 + 100 * US; t <= T0 + 10 * MS; t += 100 * US)
		h7emu_advance(self->b.e, t);
	st = bench_stats(&self->b);
	ASSERT_EQ(11u, st.passes);
	ASSERT_EQ(0u, st.wakeups);
	ASSERT_FALSE(h7emu_wake_pending(self->b.e));
	/* No catching up after a stall: one tick, then every ms again. */
	ASSERT_EQ(1u, h7emu_advance(self->b.e, T0 + 50 * MS));
	ASSERT_EQ(0u, h7emu_advance(self->b.e, T0 + 50 * MS + 900 * US));
	ASSERT_EQ(1u, h7emu_advance(self->b.e, T0 + 51 * MS));
}

/* A transfer is a wake-up: its pass runs at once, not at the next tick. */
TEST_F(wake, pass_follows_transfer_at_once)
{
	uint64_t t = T0 + 200 * US;
	struct h7emu_stats st;

	ASSERT_EQ(0u, h7emu_advance(self->b.e, T0 + 100 * US));
	h7_request(self->mosi, 0x77);
	ASSERT_EQ(0, h7emu_loopback_xfer(self->b.e, self->mosi, FRAME, NULL, t));
	ASSERT_TRUE(h7emu_wake_pending(self->b.e));
	ASSERT_EQ(0u, bench_stats(&self->b).frames_processed);
	ASSERT_EQ(1u, h7emu_advance(self->b.e, t));
	st = bench_stats(&self->b);
	ASSERT_EQ(1u, st.wakeups);
	ASSERT_EQ(1u, st.frames_processed);
	ASSERT_EQ(1u, st.h7_requests);
	/* Processed, answered and announced in that one pass. */
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	ASSERT_EQ(1u, st.frames_out);
	ASSERT_FALSE(h7emu_wake_pending(self->b.e));
	/* The tick keeps its own schedule. */
	ASSERT_EQ(0u, h7emu_advance(self->b.e, T0 + 900 * US));
	ASSERT_EQ(1u, h7emu_advance(self->b.e, T0 + MS));
}

/* An M4 message is a wake-up: its chunk is moved and announced at once. */
TEST_F(wake, pass_follows_m4_message_at_once)
{
	static const uint8_t msg[] = { 0x93, 0x02, 0xa1, 'n', 0x90 };
	struct h7emu_loopback_info w;
	uint8_t periph[8];
	unsigned int len[8];

	ASSERT_EQ(0u, h7emu_advance(self->b.e, T0 + 300 * US));
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->b.e, msg, sizeof(msg)));
	ASSERT_TRUE(h7emu_wake_pending(self->b.e));
	ASSERT_EQ(1u, h7emu_advance(self->b.e, T0 + 310 * US));
	ASSERT_EQ(1u, bench_stats(&self->b).ui_chunks);
	ASSERT_TRUE(h7emu_nirq_low(self->b.e));
	w = bench_wire(&self->b);
	ASSERT_TRUE(w.armed_irq);
	ASSERT_EQ(1u, subframes(w.frame, periph, len, 8));
	ASSERT_EQ(0x0a, periph[0]);
	ASSERT_EQ(sizeof(msg), len[0]);
	ASSERT_EQ(0, memcmp(w.frame + 8, msg, sizeof(msg)));
}

/*
 * The order of a pass: 1. chunk, 3. process (the BOOT_M4 reply goes into
 * the active frame), 4. swap. The reply lands after the chunk of its pass.
 */
TEST_F(wake, pass_order_chunk_then_reply)
{
	static const uint8_t raw[] = { 'A', 'B' };
	static const uint8_t want[] = {
		/* size 14: UI chunk "AB", then the BOOT_M4 reply 1 */
		0x0e, 0x00, 0x5b, 0x55,
		0x0a, 0x01, 0x02, 0x00, 'A', 'B',
		0x09, 0x77, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	uint64_t t = T0 + 400 * US;
	struct h7emu_loopback_info w;

	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, raw, sizeof(raw)));
	h7_request(self->mosi, 0x77);
	ASSERT_EQ(0, h7emu_loopback_xfer(self->b.e, self->mosi, FRAME, NULL, t));
	ASSERT_EQ(1u, h7emu_advance(self->b.e, t));
	w = bench_wire(&self->b);
	ASSERT_TRUE(w.armed_irq);
	ASSERT_EQ(0, memcmp(w.frame, want, sizeof(want)));
	/* The same with passes driven one by one. */
	ASSERT_EQ(0, h7emu_loopback_xfer(self->b.e, self->mosi, FRAME, NULL,
					 t + 10 * US));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, raw, sizeof(raw)));
	h7emu_pass(self->b.e, t + 20 * US);
	w = bench_wire(&self->b);
	ASSERT_EQ(0, memcmp(w.frame, want, sizeof(want)));
}

/*
 * A burst of small M4 messages (the traffic sketch, one every 100 us):
 * each is a wake-up, so each makes its own chunk, back to back in the
 * active frame while nobody reads; the first that does not fit is lost,
 * and the counters add up exactly.
 */
TEST(burst_one_chunk_per_message)
{
	struct h7emu_config cfg;
	struct h7emu_stats st;
	struct h7emu_loopback_info w;
	struct bench b;
	uint8_t f[FRAME], periph[16];
	unsigned int len[16], n, i;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.rate = 10000;
	cfg.traffic.size = 4;
	cfg.traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	ASSERT_EQ(0, bench_init_cfg(&b, &cfg));
	/* Message 0 at T0: its chunk is armed and announced at once. */
	h7emu_advance(b.e, T0);
	st = bench_stats(&b);
	ASSERT_EQ(1u, st.m4_notifications_out);
	ASSERT_EQ(1u, st.frames_out);
	/* 1 ms more, in one call: messages 1..10, each its own chunk. */
	h7emu_advance(b.e, T0 + MS);
	st = bench_stats(&b);
	ASSERT_EQ(11u, st.m4_notifications_out);
	ASSERT_EQ(11u, st.ui_chunks);
	ASSERT_EQ(0u, st.ui_chunks_lost);
	ASSERT_LE(11u, st.wakeups);
	h7emu_active_frame(b.e, f);
	n = subframes(f, periph, len, 16);
	ASSERT_EQ(10u, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0x0a, periph[i]);
		/* [2, "traffic", [seq, bin 4]]: one message per chunk */
		ASSERT_EQ(st.ui_bytes / st.ui_chunks, len[i]);
		ASSERT_EQ(0x93, f[4 + i * (4 + len[i]) + 4]);
	}
	w = bench_wire(&b);
	ASSERT_EQ(1u, subframes(w.frame, periph, len, 16));
	/* 0.5 ms more: the frame is full after 11 chunks, the rest lost. */
	h7emu_advance(b.e, T0 + MS + 500 * US);
	st = bench_stats(&b);
	ASSERT_EQ(16u, st.m4_notifications_out);
	ASSERT_EQ(12u, st.ui_chunks);
	ASSERT_EQ(4u, st.ui_chunks_lost);
	ASSERT_EQ(st.ring_bytes_in, st.ui_bytes + st.ui_bytes_lost);
	ASSERT_EQ(0u, h7emu_ring_level(b.e));
	bench_fini(&b);
}

/* tick_only: the old timing, passes on the tick alone. */
TEST(tick_only_has_no_wakeups)
{
	struct h7emu_config cfg;
	struct bench b;
	uint8_t mosi[FRAME];

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_ECHO;
	ASSERT_EQ(0, h7emu_config_set(&cfg, "tick-only", NULL));
	ASSERT_TRUE(cfg.tick_only);
	ASSERT_EQ(0, bench_init_cfg(&b, &cfg));
	ASSERT_EQ(1u, h7emu_advance(b.e, T0));
	h7_request(mosi, 0x77);
	ASSERT_EQ(0, h7emu_loopback_xfer(b.e, mosi, FRAME, NULL,
					 T0 + 100 * US));
	ASSERT_EQ(0, h7emu_m4_raw_write(b.e, "x", 1));
	ASSERT_FALSE(h7emu_wake_pending(b.e));
	ASSERT_EQ(0u, h7emu_advance(b.e, T0 + 900 * US));
	ASSERT_EQ(0u, bench_stats(&b).frames_processed);
	ASSERT_EQ(1u, h7emu_advance(b.e, T0 + MS));
	ASSERT_EQ(1u, bench_stats(&b).frames_processed);
	ASSERT_EQ(0u, bench_stats(&b).wakeups);
	bench_fini(&b);
}

/* ---- the sent log -------------------------------------------------------- */

TEST_F(wake, sent_log_records_each_message)
{
	static const uint8_t m0[] = { 0x93, 0x02, 0xa1, 'a', 0x90 };
	static const uint8_t m1[] = { 'r', 'a', 'w' };
	uint8_t buf[64], bad[sizeof(m0)];
	struct h7emu_sent rec;
	uint64_t first, next, seq;

	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ(0u, first);
	ASSERT_EQ(0u, next);
	ASSERT_EQ(-ENOENT, h7emu_sent_get(self->b.e, 0, &rec, buf, 64));
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->b.e, m0, sizeof(m0)));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, m1, sizeof(m1)));
	ASSERT_EQ(0, h7emu_m4_notify(self->b.e, "n", "\x07", 1));
	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ(0u, first);
	ASSERT_EQ(3u, next);

	ASSERT_EQ((ssize_t)sizeof(m0),
		  h7emu_sent_get(self->b.e, 0, &rec, buf, sizeof(buf)));
	ASSERT_EQ(0u, rec.seq);
	ASSERT_FALSE(rec.raw);
	ASSERT_EQ(sizeof(m0), rec.len);
	ASSERT_EQ(sizeof(m0), rec.kept);
	ASSERT_EQ(0u, rec.stream_pos);
	ASSERT_EQ(0, memcmp(buf, m0, sizeof(m0)));
	ASSERT_EQ((ssize_t)sizeof(m1),
		  h7emu_sent_get(self->b.e, 1, &rec, buf, sizeof(buf)));
	ASSERT_TRUE(rec.raw);
	ASSERT_EQ(sizeof(m0), rec.stream_pos);
	ASSERT_EQ(0, memcmp(buf, m1, sizeof(m1)));
	/* The notification, as the M4's library packs it. */
	ASSERT_EQ(8, h7emu_sent_get(self->b.e, 2, &rec, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "\x93\x02\xa1n\x91\xc4\x01\x07", 8));
	ASSERT_EQ(0, h7emu_sent_get(self->b.e, 2, NULL, NULL, 0));

	/* Intact, damaged, unknown. */
	ASSERT_EQ(H7EMU_SENT_INTACT,
		  h7emu_sent_compare(self->b.e, 0, m0, sizeof(m0)));
	memcpy(bad, m0, sizeof(m0));
	bad[3] ^= 0x01;
	ASSERT_EQ(H7EMU_SENT_DAMAGED,
		  h7emu_sent_compare(self->b.e, 0, bad, sizeof(bad)));
	ASSERT_EQ(H7EMU_SENT_DAMAGED,
		  h7emu_sent_compare(self->b.e, 0, m0, sizeof(m0) - 1));
	ASSERT_EQ(-ENOENT, h7emu_sent_compare(self->b.e, 3, m0, sizeof(m0)));
	ASSERT_EQ(0, h7emu_sent_find(self->b.e, 0, m1, sizeof(m1), &seq));
	ASSERT_EQ(1u, seq);
	ASSERT_EQ(-ENOENT, h7emu_sent_find(self->b.e, 2, m1, sizeof(m1), &seq));
	ASSERT_EQ(-ENOENT, h7emu_sent_find(self->b.e, 0, bad, sizeof(bad),
					   &seq));

	/* Replies of the sketch are logged too; H7 resets do not clear. */
	h7emu_reset(self->b.e);
	bench_pass(&self->b);
	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ(3u, next);
	h7emu_sent_clear(self->b.e);
	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ(3u, first);
	ASSERT_EQ(3u, next);
	ASSERT_EQ(-ESTALE, h7emu_sent_get(self->b.e, 0, &rec, NULL, 0));
	ASSERT_EQ(0u, bench_stats(&self->b).sent_dropped);
}

/* The bound: records and bytes; the oldest go first, each counted. */
TEST_F(wake, sent_log_bound)
{
	static uint8_t big[H7EMU_SENT_DATA_MAX + 100];
	struct h7emu_sent rec;
	uint64_t first, next, i;
	uint8_t m[4];

	for (i = 0; i < H7EMU_SENT_LOG_MSGS + 10; i++) {
		memcpy(m, &i, sizeof(m));
		ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, m, sizeof(m)));
	}
	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ(10u, first);
	ASSERT_EQ(H7EMU_SENT_LOG_MSGS + 10u, next);
	ASSERT_EQ(10u, bench_stats(&self->b).sent_dropped);
	ASSERT_EQ(10u + H7EMU_SENT_LOG_MSGS, bench_stats(&self->b).sent_logged);
	ASSERT_EQ(-ESTALE, h7emu_sent_get(self->b.e, 9, &rec, NULL, 0));
	ASSERT_EQ(4, h7emu_sent_get(self->b.e, 10, &rec, m, sizeof(m)));
	ASSERT_EQ(10u, m[0]);

	/* A long message keeps its first DATA_MAX bytes, and its length. */
	memset(big, 0x5a, sizeof(big));
	ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, big, sizeof(big)));
	ASSERT_EQ(0, h7emu_sent_get(self->b.e, next, &rec, NULL, 0));
	ASSERT_EQ(sizeof(big), rec.len);
	ASSERT_EQ((uint32_t)H7EMU_SENT_DATA_MAX, rec.kept);
	ASSERT_EQ(H7EMU_SENT_DAMAGED,
		  h7emu_sent_compare(self->b.e, next, big, sizeof(big)));

	/* Bytes: 1 MiB of long messages pushes out everything older. */
	for (i = 0; i < H7EMU_SENT_LOG_BYTES / H7EMU_SENT_DATA_MAX; i++)
		ASSERT_EQ(0, h7emu_m4_raw_write(self->b.e, big, sizeof(big)));
	h7emu_sent_range(self->b.e, &first, &next);
	ASSERT_EQ((uint64_t)(H7EMU_SENT_LOG_BYTES / H7EMU_SENT_DATA_MAX),
		  next - first);
	ASSERT_EQ(first, bench_stats(&self->b).sent_dropped);
	ASSERT_EQ(0, h7emu_sent_get(self->b.e, next - 1, &rec, NULL, 0));
	ASSERT_EQ((uint32_t)H7EMU_SENT_DATA_MAX, rec.kept);
}

TEST_HARNESS_MAIN
