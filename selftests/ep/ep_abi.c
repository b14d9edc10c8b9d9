// SPDX-License-Identifier: GPL-2.0
/*
 * Every ioctl of /dev/m4rpcN and of /dev/m4rpc-simN, and read()/write() of
 * a call, from a program built -m32 (ep_abi32) on the 64-bit kernel: what
 * an armhf or i386 container on the X8 does (issue 16). The same source is
 * built -m64 (ep_abi64), so a difference between the two builds' results
 * is the kernel's 32-bit path. libc only (no msgpack-c, no emulator in the
 * process: 32-bit builds of those are not needed): the H7 and M4 are
 * m4rpc-sim, the 64-bit tool, as a child process; for the simulator's
 * ioctls this program is the board's slave process itself. Needs root and
 * $M4RPC_KMOD_DIR (scripts/vm-run.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/m4rpc.h>
#include <linux/m4rpc_sim.h>
#include "board_sys.h"
#include "kselftest_harness.h"

#define EP_DEV		"/dev/m4rpc0"
#define EP_SYS		"/sys/class/m4rpc-ep/m4rpc0"
#define SIM_DEV		"/dev/m4rpc-sim0"

/* [0, 7, "echo", [42]] and the echo sketch's answer [1, 7, nil, 42] */
static const unsigned char echo_call[] = {
	0x94, 0x00, 0x07, 0xa4, 'e', 'c', 'h', 'o', 0x91, 0x2a };
static const unsigned char echo_reply[] = { 0x94, 0x01, 0x07, 0xc0, 0x2a };

static pid_t emu_pid;

/* m4rpc-sim next to this program's directory: ../tools/m4rpc-sim. */
static int emu_start(void)
{
	char self[PATH_MAX], tool[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return ENOENT;
	*slash = '\0';
	snprintf(tool, sizeof(tool), "%s/../tools/m4rpc-sim", self);
	emu_pid = fork();
	if (emu_pid < 0)
		return errno;
	if (!emu_pid) {
		execl(tool, tool, "--board", "0", "-q", "--sketch", "echo",
		      (char *)NULL);
		_exit(127);
	}
	return 0;
}

static void emu_stop(void)
{
	if (emu_pid > 0) {
		kill(emu_pid, SIGTERM);
		waitpid(emu_pid, NULL, 0);
	}
	emu_pid = 0;
}

/* The link up and the M4 running RPC, as /dev/m4rpc0 sees it. */
static int wait_m4(void)
{
	char buf[16];
	uint64_t end = now_ms() + 20000;

	while (now_ms() < end) {
		if (!read_file(EP_SYS "/m4_state", buf, sizeof(buf)) &&
		    !strcmp(buf, "1"))
			return 0;
		write_file(EP_SYS "/device/m4rpc/refresh", "1");
		sleep_ms(50);
	}
	return ETIMEDOUT;
}

FIXTURE(abi) {
	int fd;
};

FIXTURE_SETUP(abi)
{
	self->fd = -1;
	if (getuid() || !getenv("M4RPC_KMOD_DIR"))
		SKIP(return, "needs root and $M4RPC_KMOD_DIR: run in the VM");
	ASSERT_EQ(0, board_sim_load(""));
	ASSERT_EQ(0, mod_load(BOARD_LINK_MOD ".ko", ""));
	ASSERT_EQ(0, emu_start());
	ASSERT_EQ(0, wait_m4());
	self->fd = open(EP_DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(abi)
{
	if (self->fd >= 0)
		close(self->fd);
	emu_stop();
	mod_unload_wait(BOARD_LINK_MOD);
	board_sim_unload();
}

TEST_F(abi, info)
{
	/* At an odd address, as the uapi allows any alignment. */
	static unsigned char room[sizeof(struct m4rpc_info) + 1];
	struct m4rpc_info info;
	char fw[80], link[PATH_MAX], *spi;
	ssize_t n;

	memset(room, 0xa5, sizeof(room));
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_INFO, room + 1));
	memcpy(&info, room + 1, sizeof(info));
	EXPECT_EQ((__u32)M4RPC_API_VERSION, info.api_version);
	EXPECT_EQ(0U, info.index);
	EXPECT_EQ(M4RPC_LINK_STATE_UP, info.link_state);
	EXPECT_EQ(M4RPC_M4_RUNNING, info.m4_state);
	ASSERT_EQ(0, read_file(EP_SYS "/device/m4rpc/fw_version", fw,
			       sizeof(fw)));
	EXPECT_STREQ(fw, info.fw_version);
	n = readlink(EP_SYS "/device", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	spi = strrchr(link, '/');
	ASSERT_TRUE(spi != NULL);
	EXPECT_STREQ(spi + 1, info.spi_device);
	/* The defaults of m4rpc.ko (kernel/README.md), level nIRQ. */
	EXPECT_EQ(248U, info.max_tx_msg);
	EXPECT_EQ(4096U, info.max_rx_msg);
	EXPECT_EQ(64U, info.rx_queue_len);
	EXPECT_EQ(4096U, info.raw_buf_size);
	EXPECT_EQ(64U, info.tx_queue_len);
	EXPECT_EQ(16U, info.tx_session_len);
	EXPECT_EQ(256U, info.calls_max);
	EXPECT_EQ(64U, info.m4_calls_max);
	EXPECT_EQ(16U, info.wire_calls_max);
	EXPECT_LT(0U, info.wire_bytes_max);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(0U, info.reserved0);
	EXPECT_EQ(0U, info.reserved[0]);
	EXPECT_EQ(0U, info.reserved[1]);
	/* The byte before it untouched. */
	EXPECT_EQ(0xa5, room[0]);
}

TEST_F(abi, bind_unbind)
{
	struct m4rpc_bind b = { .len = 5 };

	memcpy(b.name, "abi32", 5);
	EXPECT_EQ(0, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	EXPECT_EQ(0, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	EXPECT_EQ(0, ioctl(self->fd, M4RPC_IOC_UNBIND, &b));
	EXPECT_EQ(-1, ioctl(self->fd, M4RPC_IOC_UNBIND, &b));
	EXPECT_EQ(ENOENT, errno);
	b.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags = 0;
	b.len = M4RPC_NAME_MAX + 1;
	EXPECT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, M4RPC_IOC_BIND, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(abi, call_and_stats)
{
	struct m4rpc_session_stats ss;
	struct m4rpc_link_stats ls;
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	unsigned char buf[64];
	ssize_t n;

	ASSERT_EQ((ssize_t)sizeof(echo_call),
		  write(self->fd, echo_call, sizeof(echo_call)));
	ASSERT_EQ(1, poll(&p, 1, 10000));
	n = read(self->fd, buf, sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(echo_reply), n);
	EXPECT_EQ(0, memcmp(buf, echo_reply, sizeof(echo_reply)));

	memset(&ss, 0xa5, sizeof(ss));
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_SESSION_STATS, &ss));
	EXPECT_EQ(1U, ss.tx_msgs);
	EXPECT_EQ(1U, ss.replies);
	EXPECT_EQ(0U, ss.rx_drops);
	EXPECT_EQ((__u32)M4RPC_MODE_MSG, ss.mode);
	EXPECT_EQ(0U, ss.rx_queued);
	EXPECT_EQ(0U, ss.next_msg_len);
	EXPECT_EQ(0U, ss.calls_pending);
	EXPECT_EQ(0U, ss.bindings);
	EXPECT_EQ(0U, ss.reserved0);
	EXPECT_EQ(0U, ss.reserved[3]);

	memset(&ls, 0xa5, sizeof(ls));
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_LINK_STATS, &ls));
	EXPECT_LE(1U, ls.tx_requests);
	EXPECT_LE(1U, ls.rx_responses);
	EXPECT_EQ(ls.tx_requests + ls.tx_responses + ls.tx_notifications +
		  ls.tx_errors, ls.tx_msgs);
	EXPECT_EQ(1U, ls.sessions);
	EXPECT_EQ(0U, ls.calls_pending);
	EXPECT_EQ(0U, ls.reserved0);
	/* The last fields, past the __u32 block: at the same place. */
	EXPECT_EQ(0U, ls.rx_cut);
	EXPECT_EQ(0U, ls.rx_suspect);
}

TEST_F(abi, set_mode)
{
	struct m4rpc_session_stats ss;
	__u32 mode = M4RPC_MODE_RAW;

	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_SESSION_STATS, &ss));
	EXPECT_EQ((__u32)M4RPC_MODE_RAW, ss.mode);
	mode = 7;
	EXPECT_EQ(-1, ioctl(self->fd, M4RPC_IOC_SET_MODE, &mode));
	EXPECT_EQ(EINVAL, errno);
	mode = M4RPC_MODE_MSG;
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ioctl(self->fd, M4RPC_IOC_SESSION_STATS, &ss));
	EXPECT_EQ((__u32)M4RPC_MODE_MSG, ss.mode);
}

TEST_F(abi, unknown_ioctls)
{
	struct m4rpc_info info;

	/* INFO's number with another size, and a number never used. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(M4RPC_IOC_MAGIC, 1, __u64), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(M4RPC_IOC_MAGIC, 99)));
	EXPECT_EQ(ENOTTY, errno);
}

/* The board's H7 end: this program is its slave process. */
FIXTURE(sim) {
	int fd;
};

FIXTURE_SETUP(sim)
{
	self->fd = -1;
	if (getuid() || !getenv("M4RPC_KMOD_DIR"))
		SKIP(return, "needs root and $M4RPC_KMOD_DIR: run in the VM");
	ASSERT_EQ(0, board_sim_load(""));
	self->fd = open(SIM_DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(sim)
{
	if (self->fd >= 0)
		close(self->fd);
	mod_unload_wait(BOARD_LINK_MOD);
	board_sim_unload();
}

/*
 * The next record of a transfer that took an armed frame (the link may
 * clock idle frames before it); 0, or the errno.
 */
static int sim_next_armed(int fd, struct m4rpc_sim_xfer *x)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ms() + 10000;

	while (now_ms() < end) {
		if (poll(&p, 1, 1000) != 1)
			continue;
		if (read(fd, x, sizeof(*x)) != (ssize_t)sizeof(*x))
			return errno ? errno : EIO;
		if (x->flags & M4RPC_SIM_XFER_ARMED)
			return 0;
	}
	return ETIMEDOUT;
}

TEST_F(sim, ioctls)
{
	struct m4rpc_sim_arm arm = { 0 };
	struct m4rpc_sim_nirq nirq = { .level = M4RPC_SIM_NIRQ_LOW };
	struct m4rpc_sim_delay delay = { 0 };
	struct m4rpc_sim_info si;
	struct m4rpc_sim_xfer x;
	int fd = self->fd;

	memset(&si, 0xa5, sizeof(si));
	ASSERT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_INFO, &si));
	EXPECT_EQ(0U, si.board);
	EXPECT_EQ((__u32)M4RPC_SIM_IRQ_LEVEL, si.irq_mode);
	EXPECT_EQ(20000000U, si.max_speed_hz);
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, si.nirq);
	EXPECT_EQ(0U, si.cs_active);
	EXPECT_EQ(0U, si.reserved[0]);
	EXPECT_EQ(0U, si.reserved[3]);

	EXPECT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_SET_IDLE, &arm));
	delay.delay_us = M4RPC_SIM_DELAY_MAX_US + 1;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_DELAY, &delay));
	EXPECT_EQ(EINVAL, errno);
	delay.delay_us = 10;
	EXPECT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_SET_DELAY, &delay));
	arm.reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_ARM, &arm));
	EXPECT_EQ(EINVAL, errno);
	arm.reserved = 0;
	memset(arm.frame, 0x5a, sizeof(arm.frame));
	ASSERT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_ARM, &arm));

	/* The link (bound now) clocks frames; nIRQ low asks for one. */
	ASSERT_EQ(0, mod_load(BOARD_LINK_MOD ".ko", ""));
	ASSERT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, &nirq));
	ASSERT_EQ(0, sim_next_armed(fd, &x));
	EXPECT_LE(1U, x.seq);
	EXPECT_EQ((__u32)M4RPC_SIM_FRAME_LEN, x.len);
	EXPECT_LE(x.start_ns, x.end_ns);
	EXPECT_EQ(20000000U, x.speed_hz);
	EXPECT_EQ(0x5a, x.miso[0]);
	EXPECT_EQ(0x5a, x.miso[M4RPC_SIM_FRAME_LEN - 1]);
	nirq.level = M4RPC_SIM_NIRQ_HIGH;
	EXPECT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, &nirq));
	ASSERT_EQ(0, ioctl(fd, M4RPC_SIM_IOC_INFO, &si));
	EXPECT_LE(x.seq, si.transfers);
	EXPECT_LE(1U, si.irqs);
	/* A buffer smaller than one record. */
	EXPECT_EQ(-1, read(fd, &x, sizeof(x) - 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
