// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of m4rpc.ko's lifetime: unbinding and binding the device,
 * and unloading the module, while traffic flows both ways (the M4 streams
 * notifications, a thread sends calls through the debugfs client and reads
 * what comes back). Nothing may break: no warning, no leak (vm-run checks
 * dmesg and, on the debug kernel, kmemleak), the H7 never overrun, and the
 * link works again afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

/* Calls and reads in a loop, through whatever client exists right now. */
struct traffic {
	struct board_env *e;
	pthread_t th;
	atomic_bool stop;
	atomic_ulong sent;
};

static void *traffic_fn(void *arg)
{
	struct traffic *t = arg;
	uint8_t msg[64], bin[32];
	char path[256], buf[4096];
	uint32_t k = 0;
	int fd;

	memset(bin, 0x5a, sizeof(bin));
	while (!atomic_load(&t->stop)) {
		/* The files come and go with the device: no error is fatal. */
		board_dbg_path(t->e, 0, "ui", path, sizeof(path));
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, msg, echo_call_build(msg, k++, bin,
							   sizeof(bin))) > 0)
				atomic_fetch_add(&t->sent, 1);
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
		sleep_ms(2);
	}
	return NULL;
}

static int traffic_start(struct traffic *t, struct board_env *e)
{
	t->e = e;
	atomic_store(&t->stop, false);
	atomic_store(&t->sent, 0);
	return pthread_create(&t->th, NULL, traffic_fn, t);
}

static void traffic_stop(struct traffic *t)
{
	atomic_store(&t->stop, true);
	pthread_join(t->th, NULL);
}

/*
 * How long a link may take to come up again. With ack_timeout_ms=300, an
 * H7 that misses the first few questions (an emulator starved of CPU)
 * is asked again after 0.3, 0.6, 1.2, 2.4, 4.8 s (the link's backoff):
 * 10 s were once too few on a loaded machine.
 */
#define SYNC_MS	30000

/* The M4 streams; the link is up and carries data both ways. */
static int up_streaming(struct board_env *e, enum board_irq irq)
{
	struct h7emu_config cfg;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;	/* binds echo too */
	cfg.traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	cfg.traffic.rate = 300;
	cfg.traffic.size = 40;
	return board_up_test_client(e, irq, "ack_timeout_ms=300", &cfg);
}

/* After it all: the link answers, and M4 data arrives again. */
static void check_alive(struct __test_metadata *_metadata, struct board_env *e)
{
	long long rx;

	ASSERT_EQ(0, link_wait_synced(e, 0, SYNC_MS));
	ASSERT_EQ(0, link_attr_write(e, 0, "refresh", "1"));
	rx = link_stat(e, 0, "rx_ui_bytes");
	ASSERT_EQ(0, link_wait_stat(e, 0, "rx_ui_bytes", rx + 1000, 10000));
	board_ui_drain(e, 0);
}

/*
 * The H7 was never overrun. (A doorbell that races with the H7's swap
 * reaches the emulator as a "late" record; the emulator processes it at
 * once, as the real H7 did before its swap.)
 */
static void check_not_overrun(struct __test_metadata *_metadata,
			      const struct h7emu_stats *st)
{
	TH_LOG("emulator: %llu late transfers, %llu frames overwritten",
	       (unsigned long long)st->xfers_late,
	       (unsigned long long)st->frames_overwritten);
	EXPECT_EQ(0U, st->frames_overwritten);
	EXPECT_EQ(0U, st->xfers_unreceived);
}

/*
 * The traffic stops; calls were written, the link answers and carries M4
 * data again, and the H7 was never overrun.
 */
static void traffic_end(struct __test_metadata *_metadata, struct board_env *e,
			struct traffic *t)
{
	struct h7emu_stats st;

	traffic_stop(t);
	TH_LOG("%lu calls written", atomic_load(&t->sent));
	EXPECT_LT(0U, atomic_load(&t->sent));
	check_alive(_metadata, e);
	h7emu_get_stats(e->b[0].emu, &st);
	check_not_overrun(_metadata, &st);
}

BOARD_FIXTURE(life);
BOARD_IRQ_VARIANTS(life);

TEST_F_TIMEOUT(life, rebind_under_traffic, 90)
{
	struct board_env *e = &self->env;
	struct traffic t;
	int round;

	ASSERT_EQ(0, up_streaming(e, variant->irq));
	ASSERT_EQ(0, traffic_start(&t, e));
	for (round = 0; round < 4; round++) {
		sleep_ms(300);
		ASSERT_EQ(0, spi_driver_op(e->b[0].bus, "m4rpc", "unbind"));
		sleep_ms(50 * round);
		ASSERT_EQ(0, spi_driver_op(e->b[0].bus, "m4rpc", "bind"));
		ASSERT_EQ(0, link_wait_synced(e, 0, SYNC_MS));
	}
	sleep_ms(300);
	traffic_end(_metadata, e, &t);
}

TEST_F_TIMEOUT(life, unload_under_traffic, 90)
{
	struct board_env *e = &self->env;
	struct traffic t;
	int round;

	ASSERT_EQ(0, up_streaming(e, variant->irq));
	ASSERT_EQ(0, traffic_start(&t, e));
	for (round = 0; round < 3; round++) {
		sleep_ms(400);
		ASSERT_EQ(0, board_link_unload(e));
		sleep_ms(50);
		ASSERT_EQ(0, board_link_load(e));
		ASSERT_EQ(0, link_wait_synced(e, 0, SYNC_MS));
	}
	sleep_ms(300);
	traffic_end(_metadata, e, &t);
}

TEST_HARNESS_MAIN
