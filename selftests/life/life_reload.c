// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of m4rpc.ko unloaded and loaded again while the board talks
 * (<linux/m4rpc.h>, "Removal and errors": an open session keeps the module
 * loaded). Each cycle: a client calls; unloading fails (EWOULDBLOCK, the
 * session pins the module) without disturbing its calls; then the client
 * goes, with calls of its on the wire, either by closing at once or after
 * the device was unbound under it (ENODEV); the module unloads while the
 * M4 streams notifications and the replies of the closed session arrive;
 * it is loaded again, and the next client works without anything else
 * being reloaded. vm-run checks dmesg and, on the debug kernel, kmemleak.
 *
 * Cycles: $M4RPC_TEST_LIFE_RELOADS (default 10; `make soak-life`: 100).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "life_client.h"

#define T_MS		5000
#define SYNC_MS		30000
#define BURST		8
#define CYCLE_S		90

/* The M4 streams notifications nobody bound; it answers echo too. */
static int up(struct board_env *e)
{
	struct h7emu_config cfg;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	cfg.traffic.rate = 200;
	cfg.traffic.size = 40;
	return board_up(e, &(struct board_opts){
		.link_params = "ack_timeout_ms=300",
		.cfg = &cfg,
	});
}

/* @n echo calls written, msgids @id..: 0 or the errno of write(). */
static int burst(int fd, uint32_t id, unsigned int n)
{
	uint8_t msg[64];
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++)
		ret = ep_write_msg(fd, msg, mk_call_int(msg, id + i, "echo",
							id + i));
	return ret;
}

/* The replies of burst(@id, @n), in any order: 0, ETIMEDOUT or EBADMSG. */
static int replies(int fd, uint32_t id, unsigned int n)
{
	static uint8_t buf[EP_MSG_MAX];
	static struct rpc_msg m;
	unsigned int got = 0;
	ssize_t len;

	while (got < n) {
		len = ep_read_msg(fd, buf, sizeof(buf), T_MS);
		if (len < 0)
			return -len;
		if (rpc_decode(buf, len, &m) || m.type != 1 || m.error ||
		    m.msgid < id || m.msgid >= id + n || !m.is_int ||
		    m.value != m.msgid)
			return EBADMSG;
		got++;
	}
	return 0;
}

/* Read what is queued until read() fails: its errno (ETIMEDOUT: none). */
static int read_to_error(int fd)
{
	static uint8_t buf[EP_MSG_MAX];
	ssize_t len;
	int i;

	for (i = 0; i < 10000; i++) {
		len = ep_read_msg(fd, buf, sizeof(buf), T_MS);
		if (len < 0)
			return -len;
	}
	return EPROTO;
}

BOARD_FIXTURE(reload);

TEST_F_TIMEOUT(reload, unload_reload_under_traffic, 3600)
{
	unsigned int cycles = life_cycles("M4RPC_TEST_LIFE_RELOADS", 10);
	struct board_env *e = &self->env;
	uint64_t t0, t, u, unload_max = 0;
	unsigned int k;
	uint32_t id;
	int fd, ret;

	ASSERT_EQ(0, up(e));
	t0 = now_ms();
	for (k = 0; k < cycles; k++) {
		alarm(CYCLE_S);
		id = 1000 * k + 1;
		fd = board_ep_session(e, 0);
		ASSERT_LE(0, fd) {
			TH_LOG("cycle %u: no session after the reload", k);
		}
		ASSERT_EQ(0, ep_echo(fd, id, 7, T_MS));
		ASSERT_EQ(0, burst(fd, id + 1, BURST));
		/* Pinned: unloading fails at once, the calls go on. */
		ret = mod_unload(BOARD_LINK_MOD);
		ASSERT_TRUE(ret == EWOULDBLOCK || ret == EBUSY) {
			TH_LOG("cycle %u: unload gave %d", k, ret);
		}
		ASSERT_EQ(0, replies(fd, id + 1, BURST));
		ASSERT_EQ(0, burst(fd, id + 1 + BURST, BURST));
		if (k & 1) {
			/* Unbound under the client: ENODEV from then on. */
			ASSERT_EQ(0, spi_driver_op(e->b[0].bus, BOARD_LINK_MOD,
						   "unbind"));
			ASSERT_EQ(ENODEV, burst(fd, id + 1 + 2 * BURST, 1));
			ASSERT_EQ(ENODEV, read_to_error(fd));
		}
		/* Gone with calls on the wire; the module may go now. */
		close(fd);
		u = now_ms();
		ASSERT_EQ(0, board_link_unload(e)) {
			TH_LOG("cycle %u: unload", k);
		}
		u = now_ms() - u;
		if (u > unload_max)
			unload_max = u;
		ASSERT_EQ(0, board_link_load(e));
		ASSERT_EQ(0, link_wait_synced(e, 0, SYNC_MS));
		alarm(0);
	}
	t = now_ms() - t0;
	fd = board_ep_session(e, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_echo(fd, 1, 1, T_MS));
	close(fd);
	TH_LOG("%u unload/reload cycles in %llu ms, %llu ms a cycle, unload %llu ms at most",
	       cycles, (unsigned long long)t, (unsigned long long)(t / cycles),
	       (unsigned long long)unload_max);
}

TEST_HARNESS_MAIN
