// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host tests of the emulator's run loop (emu/h7emu_run.c) on the
 * loopback backend, in real time: the emulator works in its own thread
 * while the test, as a careful master, clocks transfers and reads counters
 * and switches faults under the emulator's mutex. Every wait is bounded;
 * nothing asserts on how long anything took.
 */
#include <stddef.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_h7emu_util.h"

#define WAIT_MS	10000

/*
 * The careful master: counts its transfers and, after each one, waits
 * until the H7 has processed the frame it sent, so that it never
 * overwrites one; frames are read once the H7 has armed one more.
 */
struct master {
	struct h7emu *e;
	uint64_t sent;		/* transfers clocked */
	uint64_t read;		/* armed frames read */
};

static int m_xfer(struct master *m, const uint8_t *mosi, uint8_t *miso)
{
	h7emu_loopback_xfer(m->e, mosi, FRAME, miso, h7emu_now_ns());
	m->sent++;
	return h7emu_wait_stat(m->e, offsetof(struct h7emu_stats,
					      frames_processed),
			       m->sent, WAIT_MS);
}

/* Wait for the next armed frame and read it, sending @mosi. */
static int m_read(struct master *m, const uint8_t *mosi, uint8_t *miso)
{
	int r = h7emu_wait_stat(m->e, offsetof(struct h7emu_stats, frames_out),
				m->read + 1, WAIT_MS);

	if (r)
		return r;
	m->read++;
	return m_xfer(m, mosi, miso);
}

FIXTURE(run) {
	struct h7emu *e;
	struct master m;
	uint8_t mosi[FRAME], miso[FRAME];
};

FIXTURE_SETUP(run)
{
	struct h7emu_config cfg;

	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_ECHO;
	self->e = h7emu_new(&cfg, h7emu_loopback_new());
	ASSERT_NE(NULL, self->e);
	self->m.e = self->e;
	self->m.sent = 0;
	self->m.read = 0;
}

FIXTURE_TEARDOWN(run)
{
	h7emu_free(self->e);
}

TEST_F(run, fw_version_round_trip)
{
	static const uint8_t want[] = {
		0x09, 0x00, 0x5c, 0x55,
		0x09, 0x10, 0x05, 0x00, '0', '.', '0', '.', '5',
	};
	uint8_t e[FRAME];

	ASSERT_EQ(0, h7emu_start(self->e));
	ASSERT_EQ(1, h7emu_status(self->e));
	ASSERT_EQ(-EBUSY, h7emu_start(self->e));
	h7_request(self->mosi, 0x10);
	ASSERT_EQ(0, m_xfer(&self->m, self->mosi, NULL));
	empty(e);
	ASSERT_EQ(0, m_read(&self->m, e, self->miso));
	ASSERT_EQ(0, memcmp(want, self->miso, sizeof(want)));
	ASSERT_EQ(0, h7emu_stop(self->e));
	ASSERT_EQ(0, h7emu_status(self->e));
	/* Stopped, it can start again. */
	ASSERT_EQ(0, h7emu_start(self->e));
	ASSERT_EQ(0, m_xfer(&self->m, self->mosi, NULL));
	ASSERT_EQ(0, m_read(&self->m, e, self->miso));
	ASSERT_EQ(0, memcmp(want, self->miso, sizeof(want)));
}

/* Many echo calls through the running emulator, each answered exactly. */
TEST_F(run, echo_round_trips)
{
	uint8_t req[64], want[64], got[256];
	struct h7emu_stats st;
	unsigned int i, len;
	size_t n;

	ASSERT_EQ(0, h7emu_start(self->e));
	for (i = 0; i < 100; i++) {
		/* [0, i, "echo", [i]] -> [1, i, nil, i] (fixints: i < 128) */
		len = 0;
		req[len++] = 0x94;
		req[len++] = 0x00;
		req[len++] = i;
		req[len++] = 0xa4;
		memcpy(req + len, "echo", 4);
		len += 4;
		req[len++] = 0x91;
		req[len++] = i;
		ui_frame(self->mosi, req, len);
		ASSERT_EQ(0, m_xfer(&self->m, self->mosi, NULL));
		empty(self->mosi);
		ASSERT_EQ(0, m_read(&self->m, self->mosi, self->miso));
		n = 0;
		ASSERT_EQ(1u, ui_collect(self->miso, got, sizeof(got), &n, NULL));
		memcpy(want, "\x94\x01\x00\xc0\x00", 5);
		want[2] = i;
		want[4] = i;
		ASSERT_EQ(5u, n);
		ASSERT_EQ(0, memcmp(want, got, 5));
	}
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(0u, st.frames_overwritten);
	ASSERT_EQ(100u, st.m4_answered);
	ASSERT_EQ(0, h7emu_stop(self->e));
}

/* Paused, transfers are received but not processed; steps run passes. */
TEST_F(run, pause_and_step)
{
	struct h7emu_stats st;

	ASSERT_EQ(0, h7emu_start(self->e));
	h7emu_pause(self->e, true);
	h7_request(self->mosi, 0x77);
	h7emu_loopback_xfer(self->e, self->mosi, FRAME, NULL, h7emu_now_ns());
	usleep(20000);
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(1u, st.frames_in);
	ASSERT_EQ(0u, st.frames_processed);
	ASSERT_FALSE(h7emu_nirq_low(self->e));
	ASSERT_EQ(0, h7emu_step(self->e, 1, WAIT_MS));
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(1u, st.frames_processed);
	ASSERT_EQ(1u, st.frames_out);
	ASSERT_TRUE(h7emu_nirq_low(self->e));
	/* Two transfers before a pass: the first is overwritten. */
	h7emu_loopback_xfer(self->e, self->mosi, FRAME, NULL, h7emu_now_ns());
	h7emu_loopback_xfer(self->e, self->mosi, FRAME, NULL, h7emu_now_ns());
	ASSERT_EQ(0, h7emu_step(self->e, 2, WAIT_MS));
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(1u, st.frames_overwritten);
	h7emu_pause(self->e, false);
	ASSERT_EQ(0, h7emu_wait_stat(self->e, offsetof(struct h7emu_stats, passes),
				     st.passes + 5, WAIT_MS));
	ASSERT_EQ(0, h7emu_stop(self->e));
}

TEST_F(run, wait_stat_bounds)
{
	ASSERT_EQ(-ETIMEDOUT, h7emu_wait_stat(self->e,
		offsetof(struct h7emu_stats, passes), 1, 20));
	ASSERT_EQ(-EINVAL, h7emu_wait_stat(self->e, 3, 1, 20));
	ASSERT_EQ(-EINVAL, h7emu_wait_stat(self->e,
		sizeof(struct h7emu_stats), 1, 20));
	ASSERT_EQ(0, h7emu_stop(self->e));	/* not running: nothing */
}

/* Faults and the M4 switched from this thread while the loop runs. */
TEST_F(run, steer_while_running)
{
	struct h7emu_faults f;
	struct h7emu_stats st;
	uint8_t e[FRAME];
	int i;

	ASSERT_EQ(0, h7emu_start(self->e));
	empty(e);
	for (i = 0; i < 40; i++) {
		h7emu_get_faults(self->e, &f);
		f.flip_miso = (i & 1) ? 1 : 0;
		ASSERT_EQ(0, h7emu_set_faults(self->e, &f));
		ASSERT_EQ(0, h7emu_set_m4(self->e, i % 3 - 1));
		h7_request(self->mosi, 0x77);
		ASSERT_EQ(0, m_xfer(&self->m, self->mosi, NULL));
		ASSERT_EQ(0, m_read(&self->m, e, self->miso));
		h7emu_get_stats(self->e, &st);
	}
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(20u, st.fault_flip_miso);
	ASSERT_EQ(40u, st.h7_requests);
	ASSERT_EQ(0u, st.frames_overwritten);
	ASSERT_EQ(0, h7emu_stop(self->e));
}

TEST_HARNESS_MAIN
