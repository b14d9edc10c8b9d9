// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/m4rpcN's lifetime (<linux/m4rpc.h>, "Removal and
 * errors"): the device goes away (driver unbind, simulator unloaded) while
 * sessions sleep in read(), write() and poll(): they wake up with ENODEV and
 * POLLHUP; the device comes back with a rebind and works; m4rpc.ko cannot
 * be unloaded while a session is open. vm-run checks dmesg (and kmemleak on
 * the debug kernel) for what removal may have left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ep_util.h"

#define T_MS	5000

enum { OP_READ, OP_WRITE, OP_POLL };

struct sleeper {
	int fd;
	int op;
	atomic_int result;	/* 1 running, else -errno or revents */
	pthread_t th;
};

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint8_t buf[256];
	size_t n;
	int r;

	switch (s->op) {
	case OP_READ:
		r = read(s->fd, buf, sizeof(buf)) < 0 ? -errno : 0;
		break;
	case OP_WRITE:
		n = mk_notify_int(buf, "blocked", 1);
		r = write(s->fd, buf, n) < 0 ? -errno : 0;
		break;
	default:
		r = poll(&p, 1, 60000) < 0 ? -errno : p.revents;
		break;
	}
	atomic_store(&s->result, r);
	return NULL;
}

static int sleeper_start(struct sleeper *s, int fd, int op)
{
	s->fd = fd;
	s->op = op;
	atomic_store(&s->result, 1);
	return pthread_create(&s->th, NULL, sleeper_fn, s);
}

/* Sessions asleep in read, write and poll when the driver is unbound. */
TEST(unbind_wakes_sleepers)
{
	struct sleeper rd, wr, pl;
	struct h7emu_config cfg;
	struct m4rpc_info info;
	uint8_t msg[64];
	char path[64];
	struct board_env e;
	int r, w, p, k, fd;
	size_t n;

	board_config(&cfg, 0);
	cfg.m4_slots = 1;
	ASSERT_EQ(0, board_up(&e, &(struct board_opts){
		.link_params = "tx_session_len=2",
		.cfg = &cfg,
	}));
	ASSERT_EQ(0, board_ep_path(&e, 0, path, sizeof(path)));
	r = board_ep_open(&e, 0, O_RDWR);
	w = board_ep_open(&e, 0, O_RDWR | O_NONBLOCK);
	p = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, ep_wait_m4(r, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_bind(r, "x"));
	/* The writer's queue full, with the H7 held up. */
	ASSERT_EQ(0, ep_hold_h7(&e, p));
	n = mk_notify_int(msg, "fill", 1);
	for (k = 0; k < 100 && write(w, msg, n) > 0; k++)
		;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(w, F_SETFL, 0));

	ASSERT_EQ(0, sleeper_start(&rd, r, OP_READ));
	ASSERT_EQ(0, sleeper_start(&wr, w, OP_WRITE));
	ASSERT_EQ(0, sleeper_start(&pl, p, OP_POLL));
	sleep_ms(300);
	ASSERT_EQ(1, atomic_load(&rd.result));
	ASSERT_EQ(1, atomic_load(&wr.result));
	ASSERT_EQ(1, atomic_load(&pl.result));

	ASSERT_EQ(0, spi_driver_op(e.b[0].bus, "m4rpc", "unbind"));
	ASSERT_EQ(0, pthread_join(rd.th, NULL));
	ASSERT_EQ(0, pthread_join(wr.th, NULL));
	ASSERT_EQ(0, pthread_join(pl.th, NULL));
	ASSERT_EQ(-ENODEV, atomic_load(&rd.result));
	ASSERT_EQ(-ENODEV, atomic_load(&wr.result));
	ASSERT_TRUE(atomic_load(&pl.result) & POLLHUP);
	ASSERT_NE(0, access(path, F_OK));

	/* The old sessions: gone for good, but INFO and stats still answer. */
	ASSERT_EQ(0, ep_info(r, &info));
	ASSERT_EQ(M4RPC_LINK_STATE_GONE, info.link_state);
	ASSERT_EQ(ENODEV, ep_bind(r, "y"));
	errno = 0;
	ASSERT_EQ(-1, write(r, msg, n));
	ASSERT_EQ(ENODEV, errno);

	/* Bound again: a new device that works. */
	ASSERT_EQ(0, ep_release_h7(&e));
	ASSERT_EQ(0, spi_driver_op(e.b[0].bus, "m4rpc", "bind"));
	ASSERT_EQ(0, link_wait_synced(&e, 0, 10000));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_bind(fd, "x"));		/* the old binding is gone */
	ASSERT_EQ(0, ep_echo(fd, 1, 2, T_MS));
	errno = 0;
	ASSERT_EQ(-1, read(r, msg, sizeof(msg)));
	ASSERT_EQ(ENODEV, errno);
	close(r);
	close(w);
	close(p);
	close(fd);
	board_down(&e);
}

/* An open session keeps m4rpc.ko loaded. */
TEST(module_pinned)
{
	struct board_env e;
	int fd;

	ASSERT_EQ(0, board_up(&e, NULL));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	errno = 0;
	ASSERT_EQ(-1, syscall(SYS_delete_module, "m4rpc", O_NONBLOCK));
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_echo(fd, 1, 1, T_MS));
	close(fd);
	ASSERT_EQ(0, board_link_unload(&e));
	board_down(&e);
}

/* The simulated board goes away under a sleeping reader and a poller. */
TEST(board_removed)
{
	struct sleeper rd, pl;
	struct board_env e;
	int r, p;

	ASSERT_EQ(0, board_up(&e, NULL));
	r = board_ep_open(&e, 0, O_RDWR);
	p = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, r);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, sleeper_start(&rd, r, OP_READ));
	ASSERT_EQ(0, sleeper_start(&pl, p, OP_POLL));
	sleep_ms(200);
	board_emu_stop(&e, 0);
	ASSERT_EQ(0, board_sim_unload());
	ASSERT_EQ(0, pthread_join(rd.th, NULL));
	ASSERT_EQ(0, pthread_join(pl.th, NULL));
	ASSERT_EQ(-ENODEV, atomic_load(&rd.result));
	ASSERT_TRUE(atomic_load(&pl.result) & POLLHUP);
	close(r);
	close(p);
	board_down(&e);
}

TEST_HARNESS_MAIN
