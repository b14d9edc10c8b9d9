// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of the device going away under a client process whose
 * threads sleep in read(), write() and poll() (<linux/m4rpc.h>, "Removal
 * and errors"): the SPI driver unbound, in cycles, then bound again; the
 * simulator unloaded while a transfer is on the wire. The sleepers wake
 * with what the uapi says (read and write ENODEV, poll POLLHUP) within a
 * bound, the client exits normally, and after a rebind (or reload) a new
 * client works. vm-run checks dmesg and, on the debug kernel, kmemleak.
 *
 * Cycles: $M4RPC_TEST_LIFE_UNBINDS (default 6) and
 * $M4RPC_TEST_LIFE_SIM_UNLOADS (default 3).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/m4rpc_sim.h>

#include "kselftest_harness.h"
#include "ep_util.h"
#include "life_client.h"

#define T_MS		5000
#define SYNC_MS		30000
#define NAME		"life"
#define CYCLE_S		90

/* The M4 calls NAME now and then (into the sleeping reader). */
static void config(struct h7emu_config *cfg)
{
	board_config(cfg, 0);
	cfg->m4_slots = 1;		/* for ep_hold_h7() */
	cfg->sketch = H7EMU_SKETCH_TRAFFIC;
	cfg->traffic.kind = H7EMU_TRAFFIC_CALL;
	cfg->traffic.rate = 20;
	cfg->traffic.size = 16;
	cfg->traffic.timeout_ms = 300;
	snprintf(cfg->traffic.method, sizeof(cfg->traffic.method), "%s", NAME);
}

static int up(struct board_env *e)
{
	struct h7emu_config cfg;

	config(&cfg);
	return board_up(e, &(struct board_opts){
		.link_params = "tx_session_len=2 ack_timeout_ms=300",
		.cfg = &cfg,
	});
}

/* The sleepers woke as the uapi says the device's removal wakes them. */
static void check_woken(struct __test_metadata *_metadata,
			struct life_client *c, unsigned int k)
{
	ASSERT_EQ(0, life_client_results(c, T_MS)) {
		TH_LOG("cycle %u: the sleepers did not all wake", k);
	}
	EXPECT_EQ(-ENODEV, c->result[LIFE_READ]);
	EXPECT_EQ(-ENODEV, c->result[LIFE_WRITE]);
	EXPECT_TRUE(c->result[LIFE_POLL] > 0 &&
		    (c->result[LIFE_POLL] & POLLHUP)) {
		TH_LOG("cycle %u: poll gave %#x", k, c->result[LIFE_POLL]);
	}
}

/* A new client: a call answered, NAME free to bind. */
static void check_fresh(struct __test_metadata *_metadata,
			struct board_env *e, unsigned int k)
{
	int fd = board_ep_session(e, 0);

	ASSERT_LE(0, fd) {
		TH_LOG("cycle %u: no session", k);
	}
	EXPECT_EQ(0, ep_echo(fd, k + 1, k, T_MS));
	EXPECT_EQ(0, ep_bind(fd, NAME));
	close(fd);
}

FIXTURE(remove) {
	struct board_env env;
	struct life_client c;
};

FIXTURE_SETUP(remove)
{
	self->c.pid = 0;
	self->c.rec_fd = -1;
	self->c.go_fd = -1;
}

FIXTURE_TEARDOWN(remove)
{
	life_client_cleanup(&self->c);
	if (self->env.b[0].emu)
		ep_release_h7(&self->env);
	board_down(&self->env);
}

/*
 * Unbound and bound again, cycle after cycle, with a client asleep; half
 * the cycles with the H7 held (the writer sleeps for queue space), half
 * with the writer streaming calls.
 */
TEST_F_TIMEOUT(remove, unbind_rebind_sleepers, 1800)
{
	unsigned int cycles = life_cycles("M4RPC_TEST_LIFE_UNBINDS", 6);
	struct board_env *e = &self->env;
	struct life_client *c = &self->c;
	uint64_t t0, t, w, wake_max = 0;
	unsigned int k;
	bool held;
	int mon;

	ASSERT_EQ(0, up(e));
	t0 = now_ms();
	for (k = 0; k < cycles; k++) {
		alarm(CYCLE_S);
		held = !(k & 1);
		mon = board_ep_session(e, 0);
		ASSERT_LE(0, mon);
		ASSERT_EQ(0, life_client_start(c, e, NAME, held ?
					       LIFE_WRITER_FILL :
					       LIFE_WRITER_STREAM));
		if (held)
			ASSERT_EQ(0, ep_hold_h7(e, mon));
		ASSERT_EQ(0, life_client_go(c));
		ASSERT_EQ(0, life_client_wait_asleep(c, held ? LIFE_ALL :
				(1U << LIFE_READ) | (1U << LIFE_POLL), T_MS));
		w = now_ms();
		ASSERT_EQ(0, spi_driver_op(e->b[0].bus, BOARD_LINK_MOD,
					   "unbind"));
		check_woken(_metadata, c, k);
		w = now_ms() - w;
		if (w > wake_max)
			wake_max = w;
		close(mon);
		ASSERT_EQ(0, ep_release_h7(e));
		ASSERT_EQ(0, spi_driver_op(e->b[0].bus, BOARD_LINK_MOD,
					   "bind"));
		ASSERT_EQ(0, link_wait_synced(e, 0, SYNC_MS));
		check_fresh(_metadata, e, k);
		alarm(0);
	}
	t = now_ms() - t0;
	/* The unbind returns after the link's drain (LINK_STOP_MS at most). */
	TH_LOG("%u unbind/rebind cycles in %llu ms, %llu ms a cycle; unbind until all awake %llu ms at most",
	       cycles, (unsigned long long)t, (unsigned long long)(t / cycles),
	       (unsigned long long)wake_max);
}

/* Whether a task of the system sleeps in the simulator's transfer. */
static bool transfer_on_wire(void)
{
	char path[300], buf[128];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/wchan", d->d_name);
		found = !read_file(path, buf, sizeof(buf)) &&
			!strncmp(buf, "sim_spi_", 8);
	}
	closedir(dir);
	return found;
}

static int wait_transfer_on_wire(unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (!transfer_on_wire()) {
		if (now_ms() >= end)
			return ETIMEDOUT;
		sleep_ms(2);
	}
	return 0;
}

/*
 * The simulator unloaded while the link clocks a transfer (each one made
 * to wait a second before it starts: the board's late-Linux delay), the
 * writer streaming calls: no hang, the sleepers get ENODEV and POLLHUP,
 * and a board brought up again works.
 */
TEST_F_TIMEOUT(remove, sim_unload_mid_transfer, 900)
{
	unsigned int cycles = life_cycles("M4RPC_TEST_LIFE_SIM_UNLOADS", 3);
	struct board_env *e = &self->env;
	struct life_client *c = &self->c;
	uint64_t u, unload_max = 0;
	unsigned int k;

	for (k = 0; k < cycles; k++) {
		alarm(CYCLE_S);
		ASSERT_EQ(0, up(e));
		ASSERT_EQ(0, life_client_start(c, e, NAME,
					       LIFE_WRITER_STREAM));
		ASSERT_EQ(0, life_client_go(c));
		ASSERT_EQ(0, life_client_wait_asleep(c, (1U << LIFE_READ) |
						     (1U << LIFE_POLL), T_MS));
		ASSERT_EQ(0, -h7emu_dev_set_delay(e->b[0].be,
						  M4RPC_SIM_DELAY_MAX_US, 0));
		ASSERT_EQ(0, wait_transfer_on_wire(T_MS)) {
			TH_LOG("cycle %u: no transfer seen on the wire", k);
		}
		/* The slave must go first: it pins the simulator. */
		u = now_ms();
		board_emu_stop(e, 0);
		ASSERT_EQ(0, board_sim_unload()) {
			TH_LOG("cycle %u: simulator not unloaded", k);
		}
		u = now_ms() - u;
		if (u > unload_max)
			unload_max = u;
		check_woken(_metadata, c, k);
		/* A board again, from scratch: it works. */
		board_down(e);
		ASSERT_EQ(0, up(e));
		check_fresh(_metadata, e, k);
		board_down(e);
		alarm(0);
	}
	TH_LOG("%u simulator unloads mid-transfer, unload %llu ms at most",
	       cycles, (unsigned long long)unload_max);
}

TEST_HARNESS_MAIN
