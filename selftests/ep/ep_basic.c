// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/m4rpcN (<linux/m4rpc.h>): the device per link, the
 * info ioctl, calls through it, the rules of write() and read() (one whole
 * message each, EINVAL, EMSGSIZE), ioctl errors, and EHOSTDOWN while the
 * M4 does not run RPC. Against the simulator's echo sketch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS	5000

/* A pointer the kernel must refuse (hidden from the compiler's checks). */
static void *volatile bad_ptr = (void *)8;

FIXTURE(ep) {
	struct board_env env;
	int fd;
	uint8_t buf[EP_MSG_MAX];
	struct rpc_msg m;
};

FIXTURE_SETUP(ep)
{
	ASSERT_EQ(0, board_up_session(&self->env, &self->fd));
}

FIXTURE_TEARDOWN(ep)
{
	board_down_session(&self->env, self->fd);
}

/* Two boards, two devices; the info ioctl says what the uapi promises. */
TEST(device_per_link)
{
	struct m4rpc_info info[2];
	char path[2][64], spi[32];
	struct board_env e;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, board_up(&e, &(struct board_opts){ .boards = 2 }));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, board_ep_path(&e, i, path[i], sizeof(path[i])));
		fd = board_ep_open(&e, i, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
		memset(&info[i], 0xa5, sizeof(info[i]));
		ASSERT_EQ(0, ep_info(fd, &info[i]));
		ASSERT_EQ((unsigned int)M4RPC_API_VERSION, info[i].api_version);
		ASSERT_EQ(M4RPC_LINK_STATE_UP, (int)info[i].link_state);
		snprintf(spi, sizeof(spi), "spi%u.0", e.b[i].bus);
		ASSERT_STREQ(spi, info[i].spi_device);
		ASSERT_STREQ(i ? "0.0.5-b1" : "0.0.5", info[i].fw_version);
		ASSERT_EQ(248u, info[i].max_tx_msg);	/* level mode */
		ASSERT_EQ(4096u, info[i].max_rx_msg);
		ASSERT_EQ(64u, info[i].rx_queue_len);
		ASSERT_EQ(4096u, info[i].raw_buf_size);
		ASSERT_EQ(64u, info[i].tx_queue_len);
		ASSERT_EQ(16u, info[i].tx_session_len);
		ASSERT_EQ(256u, info[i].calls_max);
		ASSERT_EQ(64u, info[i].m4_calls_max);
		ASSERT_EQ(16u, info[i].wire_calls_max);
		/* One frame's 252 bytes less a BOOT_M4 reply and 4. */
		ASSERT_EQ(240u, info[i].wire_bytes_max);
		/*
		 * Nothing uninitialised: reserved and string tails are 0, and
		 * so are the flags of a sound firmware.
		 */
		ASSERT_EQ(0u, info[i].reserved[0] | info[i].reserved[1] |
			  info[i].reserved0 | info[i].flags);
		ASSERT_EQ(0, info[i].fw_version[sizeof(info[i].fw_version) - 1]);
		snprintf(spi, sizeof(spi), "/dev/m4rpc%u", info[i].index);
		ASSERT_STREQ(spi, path[i]);
		ASSERT_EQ(0, ep_echo(fd, 7, 1000 + i, T_MS));
		close(fd);
	}
	ASSERT_NE(info[0].index, info[1].index);
	/* Unloading the module removes the devices. */
	ASSERT_EQ(0, board_link_unload(&e));
	ASSERT_NE(0, access(path[0], F_OK));
	ASSERT_NE(0, access(path[1], F_OK));
	board_down(&e);
}

/* Calls come back with the caller's msgid, whatever its encoding. */
TEST_F(ep, echo_every_msgid)
{
	static const uint32_t ids[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff,
					0x10000, 0x24009a30u, 0xffffffffu };
	struct m4rpc_link_stats st;
	unsigned int i;

	int ret;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ret = ep_echo(self->fd, ids[i], -(int64_t)i * 1000003, T_MS);
		if (ret)
			board_dump(&self->env, 0, self->fd);
		ASSERT_EQ(0, ret);
	}
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, ep_link_stats(self->fd, &st));
	ASSERT_EQ(0u, st.reserved0);
	ASSERT_EQ(0u, st.rx_suspect | st.rx_cut);
	ASSERT_EQ(0u, st.calls_on_wire);
	ASSERT_EQ(0u, st.wire_long);	/* short replies only */
	ASSERT_EQ(10u, st.tx_requests);
	ASSERT_EQ(10u, st.rx_responses);
	ASSERT_EQ(0u, st.replies_unmatched);
	ASSERT_EQ(0u, st.calls_pending);
	ASSERT_EQ(1u, st.sessions);
}

/* Anything but one whole msgpack-rpc message: EINVAL, nothing sent. */
TEST_F(ep, write_einval)
{
#define S(x) { x, sizeof(x) - 1 }
	static const struct {
		const char *b;
		size_t n;
	} bad[] = {
		{ "", 0 },
		S("hello"),
		S("\xdc\x00\x04\x00\x01\xa4" "echo\x91\x01"),	/* array16 */
		S("\x94\x00\x01\xa4" "echo\x91\x01\x00"),	/* trailing */
		S("\x94\x00\x01\xa4" "echo"),		/* cut short */
		S("\x94\x00\x01\xa4" "echo\x91\x01"
		  "\x94\x00\x02\xa4" "echo\x91\x01"),	/* two */
		S("\x94\x03\x01\xa4" "echo\x91\x01"),	/* type 3 */
		S("\x94\x00\x01\x05\x91\x01"),		/* int method */
		S("\x93\x02\xa3" "tty\x01"),		/* int params */
		S("\x94\x01\x09\xc0\x01"),	/* a response nobody asked */
	};
	struct m4rpc_link_stats st;
	struct h7emu_stats es, es0;
	unsigned int i;

	h7emu_get_stats(self->env.b[0].emu, &es0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, write(self->fd, bad[i].b, bad[i].n));
		if (errno != EINVAL)
			TH_LOG("bad[%u]: errno %d", i, errno);
		EXPECT_EQ(EINVAL, errno);
	}
	ASSERT_EQ(0, ep_link_stats(self->fd, &st));
	ASSERT_EQ(0u, st.tx_msgs);
	h7emu_get_stats(self->env.b[0].emu, &es);
	ASSERT_EQ(es0.m4_msgs_in, es.m4_msgs_in);
	/* Still works. */
	ASSERT_EQ(0, ep_echo(self->fd, 3, 3, T_MS));
}

/*
 * The size limit @max: EMSGSIZE past it, a request's msgid counting as 5
 * bytes; the largest requests that pass make the round trip.
 */
static void check_emsgsize(struct __test_metadata *_metadata, int fd,
			   size_t max)
{
	static uint8_t huge[100000];
	struct rpc_msg m;
	uint8_t bin[300], buf[512];
	size_t n, pad;

	memset(bin, 0x93, sizeof(bin));
	memset(buf, 0x94, max + 1);
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, max + 1));
	ASSERT_EQ(EMSGSIZE, errno);
	errno = 0;
	ASSERT_EQ(-1, write(fd, huge, sizeof(huge)));
	ASSERT_EQ(EMSGSIZE, errno);

	/* msgid 1 (1 byte): the request may be max - 4 bytes. */
	for (pad = 200; mk_call_bin(buf, 1, "echo", bin, pad + 1) <= max - 4;
	     pad++)
		;
	n = mk_call_bin(buf, 1, "echo", bin, pad + 1);
	ASSERT_EQ(max - 3, n);
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, n));
	ASSERT_EQ(EMSGSIZE, errno);
	n = mk_call_bin(buf, 1, "echo", bin, pad);
	ASSERT_EQ(max - 4, n);
	ASSERT_EQ(0, ep_write_msg(fd, buf, n));
	n = ep_read_msg(fd, buf, sizeof(buf), T_MS);
	ASSERT_LT(0, (ssize_t)n);
	ASSERT_EQ(0, rpc_decode(buf, n, &m));
	ASSERT_EQ(1, m.type);
	ASSERT_EQ(1u, m.msgid);
	ASSERT_TRUE(m.is_bin);
	ASSERT_EQ(pad, m.bin_len);
	ASSERT_EQ(0, memcmp(m.bin, bin, pad));

	/* msgid 0x10000 (5 bytes): max exactly. */
	n = mk_call_bin(buf, 0x10000, "echo", bin, pad);
	ASSERT_EQ(max, n);
	ASSERT_EQ(0, ep_write_msg(fd, buf, n));
	n = ep_read_msg(fd, buf, sizeof(buf), T_MS);
	ASSERT_LT(0, (ssize_t)n);
	ASSERT_EQ(0, rpc_decode(buf, n, &m));
	ASSERT_EQ(0x10000u, m.msgid);
	ASSERT_EQ(pad, m.bin_len);
}

/* Level mode (the X8's): one UI subframe, 248 bytes. */
TEST_F(ep, write_emsgsize)
{
	check_emsgsize(_metadata, self->fd, 248);
}

/*
 * An edge-only nIRQ: every frame must end with the BOOT_M4 request, so
 * 244 bytes; the info ioctl says so.
 */
TEST(write_emsgsize_edge)
{
	struct m4rpc_info info;
	struct board_env e;
	int fd;

	ASSERT_EQ(0, board_up(&e, &(struct board_opts){ .irq = BOARD_IRQ_EDGE }));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_info(fd, &info));
	ASSERT_EQ(244u, info.max_tx_msg);
	check_emsgsize(_metadata, fd, 244);
	close(fd);
	board_down(&e);
}

/*
 * read() returns one message at a time; a short buffer gets EMSGSIZE and
 * the message stays; a bad buffer gets EFAULT and the message stays.
 */
TEST_F(ep, read_one_message)
{
	struct m4rpc_session_stats ss;
	struct rpc_msg *m = &self->m;
	uint8_t small[4];
	uint64_t end;
	size_t n;
	int i;

	for (i = 0; i < 3; i++) {
		n = mk_call_int(self->buf, 10 + i, "echo", 100 + i);
		ASSERT_EQ(0, ep_write_msg(self->fd, self->buf, n));
	}
	end = now_ms() + T_MS;
	do {
		ASSERT_EQ(0, ep_session_stats(self->fd, &ss));
		if (ss.rx_queued == 3)
			break;
		sleep_ms(5);
	} while (now_ms() < end);
	ASSERT_EQ(3u, ss.rx_queued);
	ASSERT_EQ(0u, ss.calls_pending);
	ASSERT_LT(sizeof(small), ss.next_msg_len);

	errno = 0;
	ASSERT_EQ(-1, read(self->fd, small, sizeof(small)));
	ASSERT_EQ(EMSGSIZE, errno);
	errno = 0;
	ASSERT_EQ(-1, read(self->fd, bad_ptr, 4096));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ep_session_stats(self->fd, &ss));
	ASSERT_EQ(3u, ss.rx_queued);

	for (i = 0; i < 3; i++) {
		n = read(self->fd, self->buf, sizeof(self->buf));
		ASSERT_EQ(ss.next_msg_len, n);
		ASSERT_EQ(0, rpc_decode(self->buf, n, m));
		ASSERT_EQ(10u + i, m->msgid);
		ASSERT_EQ(100 + i, m->value);
		ASSERT_EQ(0, ep_session_stats(self->fd, &ss));
	}
	ASSERT_EQ(0u, ss.rx_queued);
	ASSERT_EQ(0u, ss.next_msg_len);
	/* Nothing left: O_NONBLOCK says EAGAIN. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	errno = 0;
	ASSERT_EQ(-1, read(self->fd, self->buf, sizeof(self->buf)));
	ASSERT_EQ(EAGAIN, errno);
}

/* ENOTTY, EFAULT, EINVAL of the ioctls; stats structures fully written. */
TEST_F(ep, ioctl_errors)
{
	struct m4rpc_session_stats ss;
	struct m4rpc_bind b;
	uint32_t mode = 7;

	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, _IO(M4RPC_IOC_MAGIC, 99)));
	ASSERT_EQ(ENOTTY, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, _IOR('x', 1, int), &mode));
	ASSERT_EQ(ENOTTY, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_INFO, bad_ptr));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_LINK_STATS, bad_ptr));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_SESSION_STATS, bad_ptr));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, bad_ptr));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_SET_MODE, bad_ptr));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(EINVAL, errno);

	memset(&b, 0, sizeof(b));
	b.len = 0;
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	ASSERT_EQ(EINVAL, errno);
	b.len = M4RPC_NAME_MAX + 1;
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	ASSERT_EQ(EINVAL, errno);
	b.len = 1;
	b.flags = 1;
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(ENOENT, ep_unbind(self->fd, "nothing"));

	errno = 0;
	ASSERT_EQ(-1, write(self->fd, bad_ptr, 10));
	ASSERT_EQ(EFAULT, errno);

	memset(&ss, 0xa5, sizeof(ss));
	ASSERT_EQ(0, ep_session_stats(self->fd, &ss));
	ASSERT_EQ(0u, ss.reserved0);
	ASSERT_EQ(0u, ss.reserved[0] | ss.reserved[1] | ss.reserved[2] |
		  ss.reserved[3]);
	ASSERT_EQ(0u, ss.rx_msgs);
	ASSERT_EQ((unsigned int)M4RPC_MODE_MSG, ss.mode);
}

/*
 * While the M4 does not run RPC every write fails at once with EHOSTDOWN;
 * when it stops, calls in flight fail with the kernel's error response.
 */
TEST(m4_not_running)
{
	struct h7emu_config cfg;
	struct h7emu_faults f;
	struct rpc_msg m;
	uint8_t buf[512];
	struct board_env e;
	uint64_t t0;
	size_t n;
	int fd, r;

	board_config(&cfg, 0);
	cfg.m4 = H7EMU_M4_NO_RPC;
	ASSERT_EQ(0, board_up(&e, &(struct board_opts){ .cfg = &cfg }));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_NO_RPC, T_MS));

	n = mk_call_int(buf, 1, "echo", 1);
	t0 = now_ms();
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, n));
	ASSERT_EQ(EHOSTDOWN, errno);
	n = mk_notify_int(buf, "x", 1);
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, n));
	ASSERT_EQ(EHOSTDOWN, errno);
	n = mk_response_int(buf, 1, 1);
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, n));
	ASSERT_EQ(EHOSTDOWN, errno);
	/* At once: not a timeout (generous bound for a slow VM). */
	ASSERT_GT(1000u, now_ms() - t0);

	/* The M4 starts: calls work. */
	ASSERT_EQ(0, h7emu_set_m4(e.b[0].emu, H7EMU_M4_RUNNING));
	ASSERT_EQ(0, link_attr_write(&e, 0, "refresh", "1"));
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	r = ep_echo(fd, 5, 55, T_MS);
	if (r)
		board_dump(&e, 0, fd);
	ASSERT_EQ(0, r);

	/* A call in flight (a slow M4) when the M4 stops: failed by us. */
	memset(&f, 0, sizeof(f));
	f.slow_m4_ms = 3000;
	ASSERT_EQ(0, h7emu_set_faults(e.b[0].emu, &f));
	n = mk_call_int(buf, 77, "echo", 7);
	ASSERT_EQ(0, ep_write_msg(fd, buf, n));
	if (link_wait_stat(&e, 0, "tx_ui_msgs", 2, T_MS))
		board_dump(&e, 0, fd);
	ASSERT_EQ(0, link_wait_stat(&e, 0, "tx_ui_msgs", 2, T_MS));
	ASSERT_EQ(0, h7emu_set_m4(e.b[0].emu, H7EMU_M4_NO_RPC));
	ASSERT_EQ(0, link_attr_write(&e, 0, "refresh", "1"));
	n = ep_read_msg(fd, buf, sizeof(buf), T_MS);
	ASSERT_LT(0, (ssize_t)n);
	ASSERT_EQ(0, rpc_decode(buf, n, &m));
	ASSERT_EQ(1, m.type);
	ASSERT_EQ(77u, m.msgid);
	ASSERT_TRUE(m.error);
	ASSERT_STREQ("m4rpc: the M4 stopped running RPC", m.errtext);
	n = mk_call_int(buf, 1, "echo", 1);
	errno = 0;
	ASSERT_EQ(-1, write(fd, buf, n));
	ASSERT_EQ(EHOSTDOWN, errno);
	close(fd);
	board_down(&e);
}

TEST_HARNESS_MAIN
