// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of m4rpc_sim.ko, the simulated SPI link: the slave's uapi
 * (<linux/m4rpc_sim.h>) against spidev bound to the simulated device, the
 * module's parameters, and unloading while the link is busy.
 *
 * Runs as root in the test VM; the module comes from $M4RPC_KMOD_DIR (or
 * $M4RPC_TEST_SIM_KO: board_sim_load()). Each test loads the module itself
 * (finit_module, so the errno of a refused load or unload is seen exactly)
 * and unloads it in the fixture teardown.
 * Delivery of nIRQ to a consumer needs a driver that requests the irq; the
 * link driver's tests cover it. Here the trigger type the irq core reports
 * and the counters are checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/spi/spidev.h>
#include <linux/m4rpc_sim.h>

#include "kselftest_harness.h"
#include "board_sys.h"

#define MODNAME		"m4rpc_sim"
#define FRAME		M4RPC_SIM_FRAME_LEN
#define SPEED_HZ	20000000U
#define SLOW_HZ		100000U		/* the slowest clock the module accepts */
#define RECSZ		((ssize_t)sizeof(struct m4rpc_sim_xfer))
#define SLOW_LEN	4096U		/* spidev's default bufsiz: 328 ms at SLOW_HZ */

/* ---- the module ---------------------------------------------------------- */

static int sim_unload(void)
{
	return mod_unload(MODNAME);
}

/* ---- the slave ----------------------------------------------------------- */

static int slave_open(unsigned int board, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/m4rpc-sim%u", board);
	return open(path, O_RDWR | O_CLOEXEC | flags);
}

static int slave_info(int fd, struct m4rpc_sim_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ioctl(fd, M4RPC_SIM_IOC_INFO, info) ? errno : 0;
}

static int slave_arm(int fd, unsigned long cmd, const unsigned char *frame,
		     unsigned int flags)
{
	struct m4rpc_sim_arm arm;

	memset(&arm, 0, sizeof(arm));
	arm.flags = flags;
	memcpy(arm.frame, frame, FRAME);
	return ioctl(fd, cmd, &arm) ? errno : 0;
}

static int slave_nirq(int fd, unsigned int level, unsigned int flags)
{
	struct m4rpc_sim_nirq n = { .level = level, .flags = flags };

	return ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, &n) ? errno : 0;
}

/* ---- spidev on the simulated device -------------------------------------- */

static int spidev_unbind(unsigned int bus)
{
	return spi_driver_op(bus, "spidev", "unbind");
}


static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static bool all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static const unsigned char empty_frame[FRAME] = { 0, 0, 0x55, 0x55 };

/* An address no access may touch: a page mapped PROT_NONE. */
static void *bad_address(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Transfers clocked back to back from a thread, until told to stop or the
 * device goes away; what the last ioctl returned is kept.
 */
struct pump {
	pthread_t thread;
	int fd;
	volatile int stop;
	volatile int last_err;
	volatile unsigned long done;
};

static void *pump_run(void *arg)
{
	static unsigned char tx[SLOW_LEN], rx[SLOW_LEN];
	struct pump *p = arg;

	while (!p->stop) {
		p->last_err = spi_xfer(p->fd, tx, rx, SLOW_LEN, SLOW_HZ);
		if (p->last_err)
			break;
		p->done++;
	}
	return NULL;
}

/* The type ("level", "edge") of the irqs of chip m4rpc-sim; how many. */
static int sim_irq_types(char types[][16], int max)
{
	char path[128], buf[64];
	glob_t g;
	size_t i;
	int n = 0;

	if (glob("/sys/kernel/irq/*/chip_name", 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && n < max; i++) {
		if (read_file(g.gl_pathv[i], buf, sizeof(buf)) ||
		    strcmp(buf, "m4rpc-sim"))
			continue;
		snprintf(path, sizeof(path), "%.*s/type",
			 (int)(strrchr(g.gl_pathv[i], '/') - g.gl_pathv[i]),
			 g.gl_pathv[i]);
		if (read_file(path, types[n], sizeof(types[n])))
			strcpy(types[n], "?");
		n++;
	}
	globfree(&g);
	return n;
}

/* ---- the test consumer of nIRQ (selftests/sim_kmod/consumer) ------------ */

#define CONSUMER	"sim_irq_consumer"
#define CONSUMER_KO	"sim_kmod_consumer/" CONSUMER ".ko"
#define SETTLE_MS	300	/* to see that nothing more happens */
#define IRQ_TYPE_EDGE_RISING	1
#define IRQ_TYPE_EDGE_FALLING	2
#define IRQ_TYPE_LEVEL_HIGH	4
#define IRQ_TYPE_LEVEL_LOW	8

static long consumer_attr(unsigned int bus, const char *attr)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/bus/spi/devices/spi%u.0/%s", bus,
		 attr);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

static int consumer_set_hold(unsigned int bus, unsigned int ms)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/bus/spi/devices/spi%u.0/hold_ms",
		 bus);
	snprintf(buf, sizeof(buf), "%u", ms);
	return write_file(path, buf);
}

/* Wait (10 s at most) for a counter to reach MIN; returns its last value. */
static long consumer_wait(unsigned int bus, const char *attr, long min)
{
	long v = -1;
	int i;

	for (i = 0; i < 1000; i++) {
		v = consumer_attr(bus, attr);
		if (v >= min)
			break;
		sleep_ms(10);
	}
	return v;
}

/* ---- the fixture: the module loaded with two boards ---------------------- */

FIXTURE(sim) {
	int slave[2];
	int spi[2];
	struct m4rpc_sim_info info[2];
};

FIXTURE_SETUP(sim)
{
	int ret, i;

	self->slave[0] = self->slave[1] = -1;
	self->spi[0] = self->spi[1] = -1;
	sim_unload();	/* a leftover of an earlier run */
	ret = board_sim_load("boards=2");
	if (ret == -1)
		SKIP(return, "no %s.ko in $M4RPC_KMOD_DIR", MODNAME);
	ASSERT_EQ(0, ret) TH_LOG("finit_module: %s", strerror(ret));
	for (i = 0; i < 2; i++) {
		self->slave[i] = slave_open(i, 0);
		ASSERT_LE(0, self->slave[i]) TH_LOG("open board %d: %m", i);
		ASSERT_EQ(0, slave_info(self->slave[i], &self->info[i]));
	}
}

FIXTURE_TEARDOWN(sim)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (self->spi[i] >= 0)
			close(self->spi[i]);
		if (self->slave[i] >= 0)
			close(self->slave[i]);
	}
	mod_unload(CONSUMER);
	ret = sim_unload();
	EXPECT_TRUE(ret == 0 || ret == ENOENT)
		TH_LOG("delete_module: %s", strerror(ret));
}

TEST_F(sim, info_and_devices)
{
	char path[128], buf[64], types[4][16];
	size_t i;
	int b;

	for (b = 0; b < 2; b++) {
		struct m4rpc_sim_info *info = &self->info[b];

		EXPECT_EQ((__u32)b, info->board);
		EXPECT_EQ((__u32)M4RPC_SIM_IRQ_LEVEL, info->irq_mode);
		EXPECT_EQ((__u32)SPEED_HZ, info->max_speed_hz);
		EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, info->nirq);
		EXPECT_EQ(0U, info->cs_active);
		EXPECT_EQ(0ULL, info->transfers);
		EXPECT_EQ(0ULL, info->irqs);
		EXPECT_EQ(0ULL, info->dropped_edges);
		for (i = 0; i < 4; i++)
			EXPECT_EQ(0ULL, info->reserved[i]);

		snprintf(path, sizeof(path),
			 "/sys/bus/spi/devices/spi%u.0/modalias", info->bus_num);
		ASSERT_EQ(0, read_file(path, buf, sizeof(buf)))
			TH_LOG("%s: %m", path);
		EXPECT_STREQ("spi:x8h7-sim", buf);
	}
	EXPECT_NE(self->info[0].bus_num, self->info[1].bus_num);

	/* The nIRQ lines, one per board, level-triggered by default. */
	ASSERT_EQ(2, sim_irq_types(types, 4));
	EXPECT_STREQ("level", types[0]);
	EXPECT_STREQ("level", types[1]);
}

TEST_F(sim, single_opener_and_release_resets)
{
	unsigned char frame[FRAME], rx[FRAME];
	struct m4rpc_sim_info info;
	struct m4rpc_sim_xfer rec;

	EXPECT_EQ(-1, slave_open(0, 0));
	EXPECT_EQ(EBUSY, errno);

	/* Leave nIRQ low and a frame armed, then go away. */
	fill(frame, FRAME, 1);
	ASSERT_EQ(0, slave_arm(self->slave[0], M4RPC_SIM_IOC_ARM, frame, 0));
	ASSERT_EQ(0, slave_nirq(self->slave[0], M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, slave_info(self->slave[0], &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_LOW, info.nirq);
	close(self->slave[0]);

	/* The next slave finds an unarmed H7 with nIRQ released. */
	self->slave[0] = slave_open(0, O_NONBLOCK);
	ASSERT_LE(0, self->slave[0]);
	ASSERT_EQ(0, slave_info(self->slave[0], &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, info.nirq);

	self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, self->spi[0]) TH_LOG("spidev: %s", strerror(-self->spi[0]));
	ASSERT_EQ(0, spi_xfer(self->spi[0], frame, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, empty_frame, FRAME));
	ASSERT_EQ(RECSZ, read(self->slave[0], &rec, sizeof(rec)));
	EXPECT_EQ(0U, rec.flags);
}

TEST_F(sim, ioctl_validation)
{
	int fd = self->slave[0];
	void *bad = bad_address();
	struct m4rpc_sim_arm arm;
	struct m4rpc_sim_nirq nirq;
	struct m4rpc_sim_info info;

	memset(&arm, 0, sizeof(arm));
	arm.reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_ARM, &arm));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_IDLE, &arm));
	EXPECT_EQ(EINVAL, errno);
	arm.reserved = 0;
	arm.flags = 1U << 1;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_ARM, &arm));
	EXPECT_EQ(EINVAL, errno);
	/* The idle frame cannot pull nIRQ. */
	arm.flags = M4RPC_SIM_ARM_ASSERT_IRQ;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_IDLE, &arm));
	EXPECT_EQ(EINVAL, errno);

	nirq.level = 2;
	nirq.flags = 0;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, &nirq));
	EXPECT_EQ(EINVAL, errno);
	nirq.level = M4RPC_SIM_NIRQ_LOW;
	nirq.flags = 1U << 1;
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, &nirq));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, _IO(M4RPC_SIM_IOC_MAGIC, 99)));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong size: another command. */
	EXPECT_EQ(-1, ioctl(fd, _IOR(M4RPC_SIM_IOC_MAGIC, 4, __u64), &info));
	EXPECT_EQ(ENOTTY, errno);

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_ARM, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_IDLE, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_SET_NIRQ, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, M4RPC_SIM_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* None of the refused calls changed anything. */
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, info.nirq);
	EXPECT_EQ(0ULL, info.dropped_edges);
}

TEST_F(sim, read_and_poll_validation)
{
	struct m4rpc_sim_xfer rec;
	struct pollfd pfd = { .fd = self->slave[0], .events = POLLIN };
	int fd;

	EXPECT_EQ(-1, read(self->slave[0], &rec, sizeof(rec) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	close(self->slave[0]);
	fd = slave_open(0, O_NONBLOCK);
	self->slave[0] = fd;
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, read(fd, bad_address(), sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);	/* nothing to copy yet */
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/* The heart of it: an armed frame is sent once, then the idle frame. */
TEST_F(sim, spidev_armed_then_idle)
{
	unsigned char armed[FRAME], idle[FRAME], tx[FRAME], rx[FRAME];
	struct m4rpc_sim_xfer rec[3];
	char buf[sizeof(rec[0]) * 5 / 2];
	struct m4rpc_sim_info info;
	struct pollfd pfd = { .fd = self->slave[0], .events = POLLIN };
	int slave = self->slave[0], spi;
	unsigned int i;

	spi = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, spi) TH_LOG("spidev: %s", strerror(-spi));

	fill(armed, FRAME, 2);
	fill(tx, FRAME, 3);
	ASSERT_EQ(0, slave_arm(slave, M4RPC_SIM_IOC_ARM, armed,
			       M4RPC_SIM_ARM_ASSERT_IRQ));
	ASSERT_EQ(0, slave_info(slave, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_LOW, info.nirq);

	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, armed, FRAME));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);

	ASSERT_EQ(RECSZ, read(slave, &rec[0], sizeof(rec[0])));
	EXPECT_EQ(1ULL, rec[0].seq);
	EXPECT_EQ((__u32)FRAME, rec[0].len);
	EXPECT_EQ((__u32)M4RPC_SIM_XFER_ARMED, rec[0].flags);
	EXPECT_EQ(0U, rec[0].lost);
	EXPECT_EQ((__u32)SPEED_HZ, rec[0].speed_hz);
	EXPECT_EQ(0, memcmp(rec[0].mosi, tx, FRAME));
	EXPECT_EQ(0, memcmp(rec[0].miso, armed, FRAME));
	/* Wire time: 256 bytes at 20 MHz take 102.4 us at least. */
	EXPECT_LE(rec[0].start_ns + 102400, rec[0].end_ns);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* The armed frame went once; then the default idle frame. */
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, empty_frame, FRAME));
	/* A slave's own idle frame, at another clock. */
	fill(idle, FRAME, 4);
	ASSERT_EQ(0, slave_arm(slave, M4RPC_SIM_IOC_SET_IDLE, idle, 0));
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 1000000));
	EXPECT_EQ(0, memcmp(rx, idle, FRAME));

	/* Two records in one read; the buffer holds two and a half. */
	ASSERT_EQ(2 * RECSZ, read(slave, buf, sizeof(buf)));
	memcpy(&rec[1], buf, 2 * sizeof(rec[0]));
	EXPECT_EQ(2ULL, rec[1].seq);
	EXPECT_EQ(0U, rec[1].flags);
	EXPECT_EQ(0, memcmp(rec[1].miso, empty_frame, FRAME));
	EXPECT_EQ(3ULL, rec[2].seq);
	EXPECT_EQ(1000000U, rec[2].speed_hz);
	EXPECT_EQ(0, memcmp(rec[2].miso, idle, FRAME));
	EXPECT_EQ(0, memcmp(rec[2].mosi, tx, FRAME));
	for (i = 1; i < 3; i++)
		EXPECT_LE(rec[i - 1].end_ns, rec[i].start_ns);

	/* A record that cannot be copied out is lost, with EFAULT. */
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	EXPECT_EQ(-1, read(slave, bad_address(), sizeof(rec[0])));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	ASSERT_EQ(0, slave_info(slave, &info));
	EXPECT_EQ(4ULL, info.transfers);
	EXPECT_EQ(0U, info.cs_active);
	/* Nobody requested the irq: nothing was delivered. */
	EXPECT_EQ(0ULL, info.irqs);
	/* The other board saw none of it. */
	ASSERT_EQ(0, slave_info(self->slave[1], &info));
	EXPECT_EQ(0ULL, info.transfers);
}

static int delay_ioctl(int fd, void *arg)
{
	return ioctl(fd, M4RPC_SIM_IOC_SET_DELAY, arg) ? errno : 0;
}

static int slave_delay(int fd, __u32 delay_us, __u32 jitter_us)
{
	struct m4rpc_sim_delay d = { .delay_us = delay_us,
				     .jitter_us = jitter_us };

	return delay_ioctl(fd, &d);
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Late Linux on purpose: with a delay set, a transfer starts (start_ns)
 * at least that long after the caller asked for it; with jitter, no more
 * than delay + jitter later (plus scheduling slack); 0 restores; out of
 * range is refused; closing the slave forgets it.
 */
TEST_F(sim, transfer_delay)
{
	struct m4rpc_sim_delay d;
	unsigned char tx[FRAME], rx[FRAME];
	struct m4rpc_sim_xfer rec;
	unsigned long long before, after;
	int slave = self->slave[0], spi, i;

	spi = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, spi) TH_LOG("spidev: %s", strerror(-spi));
	fill(tx, FRAME, 9);

	EXPECT_EQ(EINVAL, slave_delay(slave, M4RPC_SIM_DELAY_MAX_US + 1, 0));
	EXPECT_EQ(EINVAL, slave_delay(slave, M4RPC_SIM_DELAY_MAX_US, 1));
	EXPECT_EQ(EINVAL, slave_delay(slave, 0, M4RPC_SIM_DELAY_MAX_US + 1));
	memset(&d, 0, sizeof(d));
	d.flags = 1;
	EXPECT_EQ(EINVAL, delay_ioctl(slave, &d));
	d.flags = 0;
	d.reserved = 1;
	EXPECT_EQ(EINVAL, delay_ioctl(slave, &d));
	EXPECT_EQ(EFAULT, delay_ioctl(slave, bad_address()));

	/* 50 ms fixed: every start at least 50 ms after the call. */
	ASSERT_EQ(0, slave_delay(slave, 50000, 0));
	for (i = 0; i < 3; i++) {
		before = mono_ns();
		ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
		after = mono_ns();
		ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
		EXPECT_LE(before + 50000000ULL, rec.start_ns);
		EXPECT_LE(rec.end_ns, after);
		EXPECT_LE(before + 50000000ULL, after);
	}

	/* 10 ms plus up to 20 ms of jitter. */
	ASSERT_EQ(0, slave_delay(slave, 10000, 20000));
	for (i = 0; i < 5; i++) {
		before = mono_ns();
		ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
		ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
		EXPECT_LE(before + 10000000ULL, rec.start_ns);
		/* 30 ms at most, and a generous second for the VM. */
		EXPECT_GT(before + 30000000ULL + 1000000000ULL, rec.start_ns);
	}

	/* 0 restores: far less than the 50 ms above. */
	ASSERT_EQ(0, slave_delay(slave, 0, 0));
	before = mono_ns();
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
	EXPECT_GT(before + 50000000ULL, rec.start_ns)
		TH_LOG("start %llu ms after the call",
		       (rec.start_ns - before) / 1000000ULL);

	/* A new slave starts without a delay. */
	ASSERT_EQ(0, slave_delay(slave, 500000, 0));
	close(slave);
	self->slave[0] = slave = slave_open(0, 0);
	ASSERT_LE(0, slave);
	before = mono_ns();
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
	EXPECT_GT(before + 500000000ULL, rec.start_ns);
}

/* Transfers that are not 256 bytes, and what an absent slave answers. */
TEST_F(sim, odd_lengths_and_unattached)
{
	unsigned char idle[FRAME], tx[300], rx[300];
	struct m4rpc_sim_xfer rec;
	int slave = self->slave[0], spi;
	struct pollfd pfd = { .fd = slave, .events = POLLIN };

	spi = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, spi) TH_LOG("spidev: %s", strerror(-spi));
	fill(idle, FRAME, 5);
	ASSERT_EQ(0, slave_arm(slave, M4RPC_SIM_IOC_SET_IDLE, idle, 0));

	fill(tx, sizeof(tx), 6);
	memset(rx, 0xee, sizeof(rx));
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, 300, 0));
	EXPECT_EQ(0, memcmp(rx, idle, FRAME));
	EXPECT_TRUE(all_zero(rx + FRAME, 300 - FRAME));
	ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
	EXPECT_EQ(300U, rec.len);
	EXPECT_EQ((__u32)M4RPC_SIM_XFER_CLIPPED, rec.flags);
	EXPECT_EQ(0, memcmp(rec.mosi, tx, FRAME));

	memset(rx, 0xee, sizeof(rx));
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, 10, 0));
	EXPECT_EQ(0, memcmp(rx, idle, 10));
	EXPECT_EQ(0xee, rx[10]);
	ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
	EXPECT_EQ(10U, rec.len);
	EXPECT_EQ(0U, rec.flags);
	EXPECT_EQ(0, memcmp(rec.mosi, tx, 10));
	EXPECT_TRUE(all_zero(rec.mosi + 10, FRAME - 10));
	EXPECT_EQ(0, memcmp(rec.miso, idle, 10));
	EXPECT_TRUE(all_zero(rec.miso + 10, FRAME - 10));

	/* Too slow a clock would make the wire time unbounded: refused. */
	EXPECT_EQ(EINVAL, spi_xfer(spi, tx, rx, FRAME, SLOW_HZ - 1));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Nobody attached: MISO all zeros, and no record for the next slave. */
	close(slave);
	self->slave[0] = -1;
	memset(rx, 0xee, sizeof(rx));
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	EXPECT_TRUE(all_zero(rx, FRAME));
	slave = self->slave[0] = slave_open(0, O_NONBLOCK);
	ASSERT_LE(0, slave);
	EXPECT_EQ(-1, read(slave, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
	EXPECT_EQ(4ULL, rec.seq);	/* the unattached transfer counted */
}

TEST_F_TIMEOUT(sim, queue_overflow, 300)
{
	const unsigned int n = M4RPC_SIM_XFER_QUEUE + 44;
	unsigned char tx[FRAME], rx[FRAME];
	struct m4rpc_sim_xfer rec;
	unsigned int i;
	int slave = self->slave[0], spi;
	ssize_t r;

	spi = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, spi) TH_LOG("spidev: %s", strerror(-spi));
	for (i = 0; i < n; i++) {
		fill(tx, FRAME, i);
		ASSERT_EQ(0, spi_xfer(spi, tx, rx, FRAME, 0));
	}
	/* The oldest 44 were dropped; the first left says so. */
	for (i = 0; i < M4RPC_SIM_XFER_QUEUE; i++) {
		ASSERT_EQ(RECSZ, read(slave, &rec, sizeof(rec)));
		ASSERT_EQ((__u64)(45 + i), rec.seq);
		ASSERT_EQ((__u32)(i ? 0 : 44), rec.lost);
		fill(tx, FRAME, 44 + i);
		ASSERT_EQ(0, memcmp(rec.mosi, tx, FRAME));
	}
	close(slave);
	slave = self->slave[0] = slave_open(0, O_NONBLOCK);
	r = read(slave, &rec, sizeof(rec));
	EXPECT_EQ(-1, r);
}

TEST_F(sim, two_boards_are_independent)
{
	unsigned char f0[FRAME], f1[FRAME], tx[FRAME], rx[FRAME];
	struct m4rpc_sim_xfer rec;
	struct m4rpc_sim_info info;
	int b;

	for (b = 0; b < 2; b++) {
		self->spi[b] = spidev_bind_open(self->info[b].bus_num);
		ASSERT_LE(0, self->spi[b]);
	}
	fill(f0, FRAME, 10);
	fill(f1, FRAME, 11);
	ASSERT_EQ(0, slave_arm(self->slave[0], M4RPC_SIM_IOC_ARM, f0, 0));
	ASSERT_EQ(0, slave_arm(self->slave[1], M4RPC_SIM_IOC_ARM, f1,
			       M4RPC_SIM_ARM_ASSERT_IRQ));
	ASSERT_EQ(0, slave_info(self->slave[0], &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, info.nirq);

	fill(tx, FRAME, 12);
	ASSERT_EQ(0, spi_xfer(self->spi[1], tx, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, f1, FRAME));
	ASSERT_EQ(0, spi_xfer(self->spi[0], tx, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, f0, FRAME));
	for (b = 0; b < 2; b++) {
		ASSERT_EQ(RECSZ, read(self->slave[b], &rec, sizeof(rec)));
		EXPECT_EQ(1ULL, rec.seq);
		EXPECT_EQ(0, memcmp(rec.miso, b ? f1 : f0, FRAME));
	}
}

/* The H7 never swaps buffers while nCS is low: ARM then fails with EBUSY. */
TEST_F_TIMEOUT(sim, arm_busy_while_on_wire, 120)
{
	unsigned char frame[FRAME] = { 0 };
	struct m4rpc_sim_info info;
	struct pump p = { 0 };
	int busy = 0, other = 0, tries;
	int slave = self->slave[0], ret;

	p.fd = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, pthread_create(&p.thread, NULL, pump_run, &p));
	for (tries = 0; tries < 2000 && busy < 3; tries++) {
		if (slave_info(slave, &info) || !info.cs_active) {
			sleep_ms(1);
			continue;
		}
		ret = slave_arm(slave, M4RPC_SIM_IOC_ARM, frame, 0);
		if (ret == EBUSY)
			busy++;
		else if (ret)
			other = ret;
	}
	p.stop = 1;
	pthread_join(p.thread, NULL);
	EXPECT_EQ(0, p.last_err);
	EXPECT_EQ(0, other);
	EXPECT_LE(1, busy) TH_LOG("ARM never refused in %d tries", tries);
	ASSERT_EQ(0, slave_info(slave, &info));
	EXPECT_EQ(0U, info.cs_active);
	EXPECT_EQ(0, slave_arm(slave, M4RPC_SIM_IOC_ARM, frame, 0));
}

/* An attached slave pins the module; nothing breaks trying. */
TEST_F(sim, unload_with_slave_attached)
{
	EXPECT_EQ(EWOULDBLOCK, sim_unload());
	close(self->slave[0]);
	self->slave[0] = -1;
	EXPECT_EQ(EWOULDBLOCK, sim_unload());
	close(self->slave[1]);
	self->slave[1] = -1;
	EXPECT_EQ(0, sim_unload());
}

/* Unload while spidev is bound, open, and clocking a slow transfer. */
TEST_F_TIMEOUT(sim, unload_during_transfer, 120)
{
	struct m4rpc_sim_info info;
	struct pump p = { 0 };
	int i;

	p.fd = self->spi[0] = spidev_bind_open(self->info[0].bus_num);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, pthread_create(&p.thread, NULL, pump_run, &p));
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, slave_info(self->slave[0], &info));
		if (info.cs_active)
			break;
		sleep_ms(1);
	}
	EXPECT_EQ(1U, info.cs_active);
	close(self->slave[0]);
	close(self->slave[1]);
	self->slave[0] = self->slave[1] = -1;

	EXPECT_EQ(0, sim_unload());
	pthread_join(p.thread, NULL);
	/* spidev's answer once its device is gone */
	EXPECT_EQ(ESHUTDOWN, p.last_err);
	EXPECT_EQ(-1, access("/dev/m4rpc-sim0", F_OK));
}

/* Unbind spidev while it is clocking; then bind it again. */
TEST_F_TIMEOUT(sim, unbind_during_transfer, 120)
{
	unsigned char tx[FRAME] = { 0 }, rx[FRAME];
	struct m4rpc_sim_info info;
	struct pump p = { 0 };
	unsigned int bus = self->info[0].bus_num;
	int i;

	p.fd = self->spi[0] = spidev_bind_open(bus);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, pthread_create(&p.thread, NULL, pump_run, &p));
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, slave_info(self->slave[0], &info));
		if (info.cs_active)
			break;
		sleep_ms(1);
	}
	EXPECT_EQ(0, spidev_unbind(bus));
	pthread_join(p.thread, NULL);
	EXPECT_EQ(ESHUTDOWN, p.last_err);
	close(self->spi[0]);

	self->spi[0] = spidev_bind_open(bus);
	ASSERT_LE(0, self->spi[0]);
	ASSERT_EQ(0, spi_xfer(self->spi[0], tx, rx, FRAME, 0));
	EXPECT_EQ(0, memcmp(rx, empty_frame, FRAME));
}

/* DROP_EDGE: counted in edge mode only; a level cannot be missed. */
TEST_F(sim, nirq_drop_edge_level)
{
	struct m4rpc_sim_info info;
	int fd = self->slave[0];

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW,
				M4RPC_SIM_NIRQ_DROP_EDGE));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_LOW, info.nirq);
	EXPECT_EQ(0ULL, info.dropped_edges);
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_NIRQ_HIGH, info.nirq);
}

TEST_F(sim, irq_mode_edge)
{
	struct m4rpc_sim_info info;
	char types[4][16];
	int fd;

	close(self->slave[0]);
	close(self->slave[1]);
	self->slave[0] = self->slave[1] = -1;
	ASSERT_EQ(0, sim_unload());
	ASSERT_EQ(0, board_sim_load("irq_mode=edge"));
	fd = self->slave[0] = slave_open(0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, access("/dev/m4rpc-sim1", F_OK));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_IRQ_EDGE, info.irq_mode);

	ASSERT_EQ(1, sim_irq_types(types, 4));
	EXPECT_STREQ("edge", types[0]);

	/* A dropped falling edge counts; staying low or rising does not. */
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW,
				M4RPC_SIM_NIRQ_DROP_EDGE));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW,
				M4RPC_SIM_NIRQ_DROP_EDGE));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH,
				M4RPC_SIM_NIRQ_DROP_EDGE));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ(1ULL, info.dropped_edges);
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ(1ULL, info.dropped_edges);
	EXPECT_EQ(0ULL, info.irqs);	/* nobody requested it */
}

/*
 * Level low, as the link driver will see it: threaded, ONESHOT. The line is
 * low before the irq is requested, so it fires at once, and again each time
 * the thread ends with the line still low; it stays quiet while the thread
 * runs (masked) and once the line is released.
 */
TEST_F_TIMEOUT(sim, irq_level_consumer, 120)
{
	unsigned int bus = self->info[0].bus_num;
	int fd = self->slave[0], ret;
	struct m4rpc_sim_info info;
	long hard, thread;

	ret = mod_load(CONSUMER_KO, "");
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, spi_bind(bus, CONSUMER));
	EXPECT_EQ(IRQ_TYPE_LEVEL_LOW, consumer_attr(bus, "trigger"));
	EXPECT_LE(3, consumer_wait(bus, "thread_irqs", 3));

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	sleep_ms(SETTLE_MS);
	hard = consumer_attr(bus, "hard_irqs");
	thread = consumer_attr(bus, "thread_irqs");
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(hard, consumer_attr(bus, "hard_irqs"));
	EXPECT_EQ(thread, consumer_attr(bus, "thread_irqs"));
	EXPECT_EQ(hard, thread);
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_LE((__u64)hard, info.irqs);

	/* One interrupt while the thread holds the line masked for 2 s. */
	ASSERT_EQ(0, consumer_set_hold(bus, 2000));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_LE(hard + 1, consumer_wait(bus, "hard_irqs", hard + 1));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(hard + 1, consumer_attr(bus, "hard_irqs"));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, consumer_set_hold(bus, 10));
	sleep_ms(2000 + SETTLE_MS);
	EXPECT_EQ(hard + 1, consumer_attr(bus, "hard_irqs"));
	EXPECT_EQ(hard + 1, consumer_attr(bus, "thread_irqs"));

	/* Unload while the line is low and the consumer busy re-firing. */
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_LE(hard + 3, consumer_wait(bus, "thread_irqs", hard + 3));
	close(self->slave[0]);
	close(self->slave[1]);
	self->slave[0] = self->slave[1] = -1;
	EXPECT_EQ(0, sim_unload());
}

/*
 * Falling edge: once per high-to-low transition; none for a line already low
 * when the irq is requested, none for a dropped edge; an edge during the
 * thread is not lost (the thread runs again).
 */
TEST_F_TIMEOUT(sim, irq_edge_consumer, 120)
{
	struct m4rpc_sim_info info;
	unsigned int bus;
	int fd, ret;

	close(self->slave[0]);
	close(self->slave[1]);
	self->slave[0] = self->slave[1] = -1;
	ASSERT_EQ(0, sim_unload());
	ASSERT_EQ(0, board_sim_load("irq_mode=edge"));
	fd = self->slave[0] = slave_open(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, slave_info(fd, &info));
	bus = info.bus_num;
	ret = mod_load(CONSUMER_KO, "");
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, spi_bind(bus, CONSUMER));
	EXPECT_EQ(IRQ_TYPE_EDGE_FALLING, consumer_attr(bus, "trigger"));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(0, consumer_attr(bus, "hard_irqs"));

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(1, consumer_wait(bus, "thread_irqs", 1));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(1, consumer_attr(bus, "hard_irqs"));

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW,
				M4RPC_SIM_NIRQ_DROP_EDGE));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(1, consumer_attr(bus, "hard_irqs"));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ(1ULL, info.dropped_edges);

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(2, consumer_wait(bus, "thread_irqs", 2));

	ASSERT_EQ(0, consumer_set_hold(bus, 1000));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(3, consumer_wait(bus, "thread_irqs", 3));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(4, consumer_wait(bus, "hard_irqs", 4));
	EXPECT_EQ(4, consumer_wait(bus, "thread_irqs", 4));
	sleep_ms(1000 + SETTLE_MS);
	EXPECT_EQ(4, consumer_attr(bus, "hard_irqs"));
	EXPECT_EQ(4, consumer_attr(bus, "thread_irqs"));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_LE(4ULL, info.irqs);
}

/* A driver that asks for the falling edge gets it, as from the real GPIO. */
TEST_F(sim, irq_consumer_requests_edge)
{
	unsigned int bus = self->info[0].bus_num;
	int fd = self->slave[0], ret, n, edges = 0, i;
	struct m4rpc_sim_info info;
	char types[4][16];

	ret = mod_load(CONSUMER_KO, "trigger=2");
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, spi_bind(bus, CONSUMER));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_IRQ_EDGE, info.irq_mode);
	ASSERT_EQ(0, slave_info(self->slave[1], &info));
	EXPECT_EQ((__u32)M4RPC_SIM_IRQ_LEVEL, info.irq_mode);
	n = sim_irq_types(types, 4);
	ASSERT_EQ(2, n);
	for (i = 0; i < n; i++)
		edges += !strcmp(types[i], "edge");
	EXPECT_EQ(1, edges);

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(1, consumer_wait(bus, "thread_irqs", 1));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(1, consumer_attr(bus, "hard_irqs"));
}

TEST(bad_parameters)
{
	static const char * const bad[] = {
		"boards=0", "boards=9", "irq_mode=rising", "irq_mode=",
		"rising_edge=2",
		"max_speed_hz=99999", "max_speed_hz=200000001",
	};
	char buf[64];
	size_t i;
	int ret;

	sim_unload();
	ret = board_sim_load("boards=8 irq_mode=edge max_speed_hz=200000000");
	if (ret == -1)
		SKIP(return, "no %s.ko in $M4RPC_KMOD_DIR", MODNAME);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, access("/dev/m4rpc-sim7", F_OK));
	ASSERT_EQ(0, read_file("/sys/module/m4rpc_sim/parameters/irq_mode",
			       buf, sizeof(buf)));
	EXPECT_STREQ("edge", buf);
	/* wire_time is writable at run time */
	EXPECT_EQ(0, write_file("/sys/module/m4rpc_sim/parameters/wire_time",
				"0"));
	ASSERT_EQ(0, sim_unload());

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(EINVAL, board_sim_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_EQ(ENOENT, sim_unload());
	}
}


/*
 * Level high, which a driver sets to wait for the H7 to release nIRQ (to
 * have processed a frame): fires while the line is high, not while low.
 */
TEST_F(sim, irq_level_high_consumer)
{
	unsigned int bus = self->info[0].bus_num;
	int fd = self->slave[0], ret;
	long hard;

	ret = mod_load(CONSUMER_KO, "trigger=4");
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, spi_bind(bus, CONSUMER));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(0, consumer_attr(bus, "hard_irqs"));

	/* Released: fires, and again after each thread while still high. */
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	EXPECT_LE(3, consumer_wait(bus, "thread_irqs", 3));

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	sleep_ms(SETTLE_MS);
	hard = consumer_attr(bus, "hard_irqs");
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(hard, consumer_attr(bus, "hard_irqs"));
	EXPECT_EQ(hard, consumer_attr(bus, "thread_irqs"));
}

/*
 * Rising edge, which a driver on the i.MX8M GPIO sets to catch the H7
 * releasing nIRQ however short the pulse: once per low-to-high transition,
 * none for a falling one or a line already high, latched while the thread
 * holds the line masked.
 */
TEST_F(sim, irq_rising_consumer)
{
	unsigned int bus = self->info[0].bus_num;
	int fd = self->slave[0], ret;
	struct m4rpc_sim_info info;

	ret = mod_load(CONSUMER_KO, "trigger=1");
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, spi_bind(bus, CONSUMER));
	ASSERT_EQ(0, slave_info(fd, &info));
	EXPECT_EQ((__u32)M4RPC_SIM_IRQ_RISING, info.irq_mode);
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(0, consumer_attr(bus, "hard_irqs"));	/* high already */

	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(0, consumer_attr(bus, "hard_irqs"));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	EXPECT_EQ(1, consumer_wait(bus, "thread_irqs", 1));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(1, consumer_attr(bus, "hard_irqs"));

	/* A pulse (up, down) while the thread is held: it runs once more. */
	ASSERT_EQ(0, consumer_set_hold(bus, 1000));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	/* The thread has started (it counts, then holds). */
	EXPECT_EQ(2, consumer_wait(bus, "thread_irqs", 2));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_HIGH, 0));
	ASSERT_EQ(0, slave_nirq(fd, M4RPC_SIM_NIRQ_LOW, 0));
	EXPECT_EQ(3, consumer_wait(bus, "thread_irqs", 3));
	sleep_ms(SETTLE_MS);
	EXPECT_EQ(3, consumer_attr(bus, "hard_irqs"));
}

/*
 * The simulator reloaded with @params: a consumer asking for @trigger, a
 * type the line cannot take, fails to request its irq, so its probe and
 * the bind fail, and the line keeps trigger @mode.
 */
static void refused_trigger(struct __test_metadata *_metadata,
			    FIXTURE_DATA(sim) *self, const char *params,
			    const char *trigger, __u32 mode)
{
	struct m4rpc_sim_info info;
	int ret;

	close(self->slave[0]);
	close(self->slave[1]);
	self->slave[0] = self->slave[1] = -1;
	ASSERT_EQ(0, sim_unload());
	ASSERT_EQ(0, board_sim_load(params));
	self->slave[0] = slave_open(0, 0);
	ASSERT_LE(0, self->slave[0]);
	ASSERT_EQ(0, slave_info(self->slave[0], &info));

	ret = mod_load(CONSUMER_KO, trigger);
	if (ret == -1)
		SKIP(return, "no %s in $M4RPC_KMOD_DIR", CONSUMER_KO);
	ASSERT_EQ(0, ret);
	EXPECT_NE(0, spi_bind(info.bus_num, CONSUMER));
	ASSERT_EQ(0, slave_info(self->slave[0], &info));
	EXPECT_EQ(mode, info.irq_mode);
}

/* rising_edge=0: a controller with levels only refuses the rising edge. */
TEST_F(sim, irq_no_rising_edge)
{
	refused_trigger(_metadata, self, "rising_edge=0", "trigger=1",
			M4RPC_SIM_IRQ_LEVEL);
}

/* An edge-only input (irq_mode=edge) cannot be made level-sensitive. */
TEST_F(sim, irq_edge_only_refuses_levels)
{
	refused_trigger(_metadata, self, "irq_mode=edge", "trigger=8",
			M4RPC_SIM_IRQ_EDGE);
}

TEST_HARNESS_MAIN
