// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM selftest of the simulated board as a whole: the H7 + M4 emulator
 * (libh7emu) on the slave end of m4rpc_sim.ko's simulated link, run in a
 * thread of this test, and spidev bound to the simulated device as the
 * master. Raw 256-byte transfers check the replies of peripheral 0x09, a UI
 * round trip with the echo sketch, the overwrite counter when the master
 * clocks too early, and the 128-byte chunking of a 1000-byte M4 message,
 * all written out by hand from docs/x8h7-link.md.
 *
 * The test owns both ends, so it reads the emulator's counters to act as a
 * careful master (after each transfer it waits until the H7 has processed
 * it; it reads a frame when the H7 has armed one). Where the outcome would
 * otherwise depend on speed, the emulator's passes are paused and stepped.
 * Every wait is bounded; nothing asserts on time.
 *
 * Runs as root in the test VM; m4rpc_sim.ko comes from $M4RPC_KMOD_DIR
 * (or $M4RPC_TEST_SIM_KO: board_sim_load()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <linux/spi/spidev.h>
#include <linux/m4rpc_sim.h>

#include "kselftest_harness.h"
#include "board_sys.h"
#include "h7emu.h"

#define MODNAME		"m4rpc_sim"
#define FRAME		256
#define SPEED_HZ	20000000U
#define WAIT_MS		20000U	/* bound of every wait (TCG is slow) */

/* ---- the module and spidev ------------------------------------------------ */


static void spidev_detach(unsigned int bus)
{
	spi_driver_op(bus, "spidev", "unbind");
}

/* ---- frames by hand ------------------------------------------------------ */

static void put_hdr(uint8_t *f, unsigned int size)
{
	f[0] = size & 0xff;
	f[1] = size >> 8;
	f[2] = (size ^ 0x5555) & 0xff;
	f[3] = (size ^ 0x5555) >> 8;
}

static unsigned int get_size(const uint8_t *f)
{
	return f[0] | f[1] << 8;
}

static void empty(uint8_t *f)
{
	memset(f, 0, FRAME);
	put_hdr(f, 0);
}

/* One subframe in an empty frame. */
static void one_sub(uint8_t *f, uint8_t periph, uint8_t opcode,
		    const void *data, unsigned int len)
{
	empty(f);
	f[4] = periph;
	f[5] = opcode;
	f[6] = len & 0xff;
	f[7] = len >> 8;
	memcpy(f + 8, data, len);
	put_hdr(f, 4 + len);
}

/* ---- the careful master ---------------------------------------------------- */

FIXTURE(board) {
	struct h7emu *e;
	unsigned int bus;
	int spi;
	bool loaded;
	uint64_t sent;		/* transfers clocked */
	uint64_t read;		/* armed frames read */
	uint8_t mosi[FRAME], miso[FRAME];
};

static uint64_t emu_stat(struct h7emu *e, size_t off)
{
	struct h7emu_stats st;

	h7emu_get_stats(e, &st);
	return *(uint64_t *)((char *)&st + off);
}

#define STAT(e, name) emu_stat((e), offsetof(struct h7emu_stats, name))
#define WAIT(e, name, v) \
	h7emu_wait_stat((e), offsetof(struct h7emu_stats, name), (v), WAIT_MS)

/* One 256-byte transfer through spidev; 0 or errno. */
static int xfer(FIXTURE_DATA(board) *self, const uint8_t *mosi, uint8_t *miso)
{
	int ret = spi_xfer(self->spi, mosi, miso, FRAME, SPEED_HZ);

	if (ret)
		return ret;
	self->sent++;
	return 0;
}

/* A transfer, then wait until the H7 has processed what it carried. */
static int send_frame(FIXTURE_DATA(board) *self, const uint8_t *mosi,
		      uint8_t *miso)
{
	int r = xfer(self, mosi, miso);

	if (r)
		return r;
	return -WAIT(self->e, frames_processed, self->sent);
}

/* Wait until the H7 has armed its next frame, then read it. */
static int read_frame(FIXTURE_DATA(board) *self, uint8_t *miso)
{
	uint8_t e[FRAME];
	int r = -WAIT(self->e, frames_out, self->read + 1);

	if (r)
		return r;
	self->read++;
	empty(e);
	return send_frame(self, e, miso);
}

FIXTURE_SETUP(board)
{
	struct h7emu_config cfg;
	struct h7emu_backend *be;
	struct m4rpc_sim_info info;
	int r;

	self->e = NULL;
	self->spi = -1;
	self->loaded = false;
	r = board_sim_load("");
	if (r == -1)
		SKIP(return, "no %s.ko in $M4RPC_KMOD_DIR", MODNAME);
	ASSERT_TRUE(r == 0 || r == EEXIST) TH_LOG("load: %s", strerror(r));
	self->loaded = !r;
	be = h7emu_dev_open(0);
	ASSERT_NE(NULL, be) TH_LOG("/dev/m4rpc-sim0: %s", strerror(errno));
	ASSERT_EQ(0, h7emu_dev_info(be, &info));
	self->bus = info.bus_num;
	h7emu_config_init(&cfg);
	cfg.sketch = H7EMU_SKETCH_ECHO;
	self->e = h7emu_new(&cfg, be);
	ASSERT_NE(NULL, self->e);
	self->spi = spidev_bind_open(self->bus);
	ASSERT_LE(0, self->spi) TH_LOG("spidev: %s", strerror(-self->spi));
	ASSERT_EQ(0, h7emu_start(self->e));
}

FIXTURE_TEARDOWN(board)
{
	if (self->e) {
		EXPECT_EQ(0, h7emu_stop(self->e));
		h7emu_free(self->e);	/* closes /dev/m4rpc-sim0 */
	}
	if (self->spi >= 0) {
		close(self->spi);
		spidev_detach(self->bus);
	}
	if (self->loaded)
		EXPECT_EQ(0, board_sim_unload());
}

/* ---- the tests ------------------------------------------------------------ */

TEST_F(board, fw_version_boot_m4_get_uid)
{
	static const uint8_t fw[] = {
		0x09, 0x00, 0x5c, 0x55,
		0x09, 0x10, 0x05, 0x00, '0', '.', '0', '.', '5',
	};
	static const uint8_t uid[] = {
		0x10, 0x00, 0x45, 0x55, 0x09, 0x78, 0x0c, 0x00,
		0x2c, 0x00, 0x41, 0x00, 0x0d, 0x51, 0x33, 0x30,
		0x33, 0x36, 0x39, 0x38,
	};
	static const uint8_t boot[3][12] = {
		{ 0x08, 0x00, 0x5d, 0x55, 0x09, 0x77, 0x04, 0x00, 0xff, 0xff, 0xff, 0xff },
		{ 0x08, 0x00, 0x5d, 0x55, 0x09, 0x77, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x08, 0x00, 0x5d, 0x55, 0x09, 0x77, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00 },
	};
	uint8_t want[FRAME];
	int m4;

	one_sub(self->mosi, 0x09, 0x10, NULL, 0);
	ASSERT_EQ(0, send_frame(self, self->mosi, NULL));
	ASSERT_EQ(0, read_frame(self, self->miso));
	memset(want, 0, FRAME);
	memcpy(want, fw, sizeof(fw));
	ASSERT_EQ(0, memcmp(want, self->miso, FRAME));

	one_sub(self->mosi, 0x09, 0x78, NULL, 0);
	ASSERT_EQ(0, send_frame(self, self->mosi, NULL));
	ASSERT_EQ(0, read_frame(self, self->miso));
	memset(want, 0, FRAME);
	memcpy(want, uid, sizeof(uid));
	ASSERT_EQ(0, memcmp(want, self->miso, FRAME));

	for (m4 = -1; m4 <= 1; m4++) {
		ASSERT_EQ(0, h7emu_set_m4(self->e, m4));
		one_sub(self->mosi, 0x09, 0x77, NULL, 0);
		ASSERT_EQ(0, send_frame(self, self->mosi, NULL));
		ASSERT_EQ(0, read_frame(self, self->miso));
		memset(want, 0, FRAME);
		memcpy(want, boot[m4 + 1], sizeof(boot[0]));
		ASSERT_EQ(0, memcmp(want, self->miso, FRAME))
			TH_LOG("BOOT_M4 with M4 %d", m4);
	}
	ASSERT_EQ(0u, STAT(self->e, frames_overwritten));
}

/* Without nIRQ a transfer reads the H7's empty frame; the greeting does
 * not cross the wire. */
TEST_F(board, idle_reads_empty_frame)
{
	uint8_t want[FRAME];

	ASSERT_EQ(0, WAIT(self->e, m4_greetings, 2));
	empty(self->mosi);
	ASSERT_EQ(0, send_frame(self, self->mosi, self->miso));
	empty(want);
	ASSERT_EQ(0, memcmp(want, self->miso, FRAME));
	ASSERT_EQ(0u, STAT(self->e, frames_out));
	ASSERT_FALSE(h7emu_nirq_low(self->e));
}

TEST_F(board, ui_round_trip_echo)
{
	/* [0, 7, "echo", ["hello X8"]] -> [1, 7, nil, "hello X8"] */
	static const uint8_t req[] = {
		0x94, 0x00, 0x07, 0xa4, 'e', 'c', 'h', 'o', 0x91,
		0xa8, 'h', 'e', 'l', 'l', 'o', ' ', 'X', '8',
	};
	static const uint8_t reply[] = {
		0x11, 0x00, 0x44, 0x55,		/* size 17, 17 ^ 0x5555 */
		0x0a, 0x01, 0x0d, 0x00,		/* UI, opcode 1, 13 bytes */
		0x94, 0x01, 0x07, 0xc0,
		0xa8, 'h', 'e', 'l', 'l', 'o', ' ', 'X', '8',
	};
	uint8_t want[FRAME];

	memset(want, 0, FRAME);
	memcpy(want, reply, sizeof(reply));
	one_sub(self->mosi, 0x0a, 0x01, req, sizeof(req));
	ASSERT_EQ(0, send_frame(self, self->mosi, NULL));
	ASSERT_EQ(0, read_frame(self, self->miso));
	ASSERT_EQ(0, memcmp(want, self->miso, FRAME));
	ASSERT_EQ(1u, STAT(self->e, m4_answered));
}

/*
 * The master clocks again before the H7 has processed its frame: the frame
 * is overwritten unprocessed (counted), and its request never answered.
 * Passes are held so that "before" is certain.
 */
TEST_F(board, overwrite_when_clocking_too_early)
{
	uint8_t e[FRAME];

	h7emu_pause(self->e, true);
	one_sub(self->mosi, 0x09, 0x77, NULL, 0);
	ASSERT_EQ(0, xfer(self, self->mosi, NULL));
	empty(e);
	ASSERT_EQ(0, xfer(self, e, NULL));
	ASSERT_EQ(0, WAIT(self->e, frames_in, 2));
	ASSERT_EQ(0, h7emu_step(self->e, 5, WAIT_MS));
	ASSERT_EQ(1u, STAT(self->e, frames_overwritten));
	ASSERT_EQ(0u, STAT(self->e, h7_requests));
	ASSERT_EQ(0u, STAT(self->e, frames_out));
	ASSERT_FALSE(h7emu_nirq_low(self->e));
	/* An empty frame overwritten loses nothing: not counted. */
	ASSERT_EQ(0, xfer(self, e, NULL));
	ASSERT_EQ(0, xfer(self, e, NULL));
	ASSERT_EQ(0, WAIT(self->e, frames_in, 4));
	ASSERT_EQ(0, h7emu_step(self->e, 1, WAIT_MS));
	ASSERT_EQ(1u, STAT(self->e, frames_overwritten));
	/* Clocked once, the same request is answered. */
	ASSERT_EQ(0, xfer(self, self->mosi, NULL));
	ASSERT_EQ(0, WAIT(self->e, frames_in, 5));
	ASSERT_EQ(0, h7emu_step(self->e, 1, WAIT_MS));
	ASSERT_EQ(1u, STAT(self->e, frames_out));
	ASSERT_TRUE(h7emu_nirq_low(self->e));
}

/* The UI subframes of a frame from the H7, walked by hand. */
struct ui_sub {
	const uint8_t *data;
	unsigned int len;	/* announced */
	unsigned int carried;	/* inside the 252 bytes that crossed */
};

static unsigned int ui_subs(const uint8_t *f, struct ui_sub *sub,
			    unsigned int max)
{
	unsigned int size = get_size(f), off = 0, n = 0, len;

	if (size > 256)
		size = 256;
	while (off + 4 <= size && off + 4 <= 252 && n < max) {
		len = f[4 + off + 2] | f[4 + off + 3] << 8;
		if (f[4 + off] == 0x0a) {
			sub[n].data = f + 8 + off;
			sub[n].len = len;
			sub[n].carried = off + 4 + len <= 252 ? len :
					 252 - off - 4;
			n++;
		}
		off += 4 + len;
	}
	return n;
}

/*
 * A 1000-byte message from the M4 leaves the ring 128 bytes per pass: 7
 * frames of 128, one of 104. Passes are stepped one at a time and each
 * frame is read before the next pass, so no chunk can be lost.
 */
TEST_F(board, m4_message_of_1000_bytes_in_128_byte_chunks)
{
	uint8_t msg[1000], out[1000];
	unsigned int frames = 0, i;
	struct ui_sub sub[4];
	size_t n = 0;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13 + 5);
	h7emu_pause(self->e, true);
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->e, msg, sizeof(msg)));
	for (i = 0; i < 20 && n < sizeof(msg); i++) {
		ASSERT_EQ(0, h7emu_step(self->e, 1, WAIT_MS));
		if (STAT(self->e, frames_out) == self->read)
			continue;
		self->read++;
		empty(self->mosi);
		ASSERT_EQ(0, xfer(self, self->mosi, self->miso));
		/* received before the next pass, so it is processed there */
		ASSERT_EQ(0, WAIT(self->e, frames_in, self->sent));
		ASSERT_EQ(1u, ui_subs(self->miso, sub, 4));
		ASSERT_EQ(frames < 7 ? 128u : 104u, sub[0].len);
		ASSERT_EQ(4 + sub[0].len, get_size(self->miso));
		ASSERT_EQ(0x01, self->miso[5]);
		memcpy(out + n, sub[0].data, sub[0].len);
		n += sub[0].len;
		frames++;
	}
	ASSERT_EQ(8u, frames);
	ASSERT_EQ(sizeof(msg), n);
	ASSERT_EQ(0, memcmp(msg, out, sizeof(msg)));
	ASSERT_EQ(0u, STAT(self->e, ui_chunks_lost));
}

/* Everything the M4 sent is out of the ring, and nothing left to read. */
static bool drained(struct h7emu *e, uint64_t total, uint64_t read)
{
	uint8_t active[FRAME];
	struct h7emu_stats st;

	h7emu_get_stats(e, &st);
	if (st.ui_bytes + st.ui_bytes_lost != total)
		return false;
	/* the ring is empty: what is not in the active frame was armed */
	h7emu_active_frame(e, active);
	if (get_size(active))
		return false;
	h7emu_get_stats(e, &st);
	return st.frames_out == read;
}

/*
 * The same at full speed: whether this master keeps up with 1 ms passes
 * depends on the machine, and a chunk that finds the frame full is lost
 * (spec). What holds either way: every UI subframe is one chunk of at most
 * 128 bytes, taken from the ring at a multiple of 128, in order (lost
 * chunks leave whole holes), only the last shorter; every byte is either
 * received or counted lost.
 */
TEST_F(board, m4_message_of_1000_bytes_at_full_speed)
{
	uint8_t msg[1000];
	unsigned int i, j, k, subs, next = 0;
	struct h7emu_stats st;
	struct ui_sub sub[4];
	uint64_t got = 0;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->e, msg, sizeof(msg)));
	for (i = 0; i < 100 && !drained(self->e, sizeof(msg), self->read); i++) {
		ASSERT_EQ(0, read_frame(self, self->miso));
		subs = ui_subs(self->miso, sub, 4);
		for (j = 0; j < subs; j++) {
			/* chunk k starts at 128 k and holds min(128, rest) */
			for (k = next; k < 8; k++)
				if (sub[j].len == (k < 7 ? 128u : 104u) &&
				    !memcmp(msg + 128 * k, sub[j].data,
					    sub[j].carried))
					break;
			ASSERT_GT(8u, k) TH_LOG("frame %u sub %u: no chunk", i, j);
			ASSERT_EQ(sub[j].len, sub[j].carried);
			got += sub[j].len;
			next = k + 1;
		}
	}
	ASSERT_TRUE(drained(self->e, sizeof(msg), self->read));
	h7emu_get_stats(self->e, &st);
	ASSERT_EQ(sizeof(msg), st.ui_bytes + st.ui_bytes_lost);
	ASSERT_EQ(st.ui_bytes, got);
	ASSERT_EQ(0u, st.frames_overwritten);
	TH_LOG("%llu chunks received, %llu lost",
	       (unsigned long long)st.ui_chunks,
	       (unsigned long long)st.ui_chunks_lost);
}

/* ---- the program, m4rpc-sim ------------------------------------------------ */

/*
 * m4rpc-sim as a user runs it: attached to the board, it answers; SIGUSR1
 * prints its counters, SIGTERM ends it cleanly. Without the emulator's
 * counters this master cannot know when the H7 has processed a frame, so
 * it waits well past a pass and asks again if no reply came; only the
 * reply's bytes are checked.
 */
FIXTURE(program) {
	unsigned int bus;
	int spi;
	bool loaded;
	pid_t pid;
	char log[64];
};

FIXTURE_SETUP(program)
{
	char exe[4096], prog[4096 + 32], *slash;
	int r, fd, i;
	ssize_t n;

	self->spi = -1;
	self->pid = -1;
	self->loaded = false;
	strcpy(self->log, "/tmp/m4rpc-sim-test.XXXXXX");
	r = board_sim_load("");
	if (r == -1)
		SKIP(return, "no %s.ko in $M4RPC_KMOD_DIR", MODNAME);
	ASSERT_TRUE(r == 0 || r == EEXIST) TH_LOG("load: %s", strerror(r));
	self->loaded = !r;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	slash = strrchr(exe, '/');
	ASSERT_NE(NULL, slash);
	*slash = 0;
	snprintf(prog, sizeof(prog), "%s/../tools/m4rpc-sim", exe);
	if (access(prog, X_OK))
		SKIP(return, "%.900s not built", prog);
	fd = mkstemp(self->log);
	ASSERT_LE(0, fd);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		dup2(fd, 2);
		execl(prog, prog, "--board", "0", "--sketch", "echo",
		      "--fw-version", "sim-test-1", (char *)NULL);
		_exit(127);
	}
	close(fd);
	/* The program opens the slave device; wait until it has. */
	for (i = 0; i < 500; i++) {
		fd = open("/dev/m4rpc-sim0", O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == EBUSY)
			break;
		if (fd >= 0)
			close(fd);
		sleep_ms(10);
	}
	ASSERT_GT(500, i) TH_LOG("m4rpc-sim did not attach");
	/* The bus number, from sysfs: the device is spi<bus>.0 of x8h7-sim. */
	for (self->bus = 0; self->bus < 1024; self->bus++) {
		char path[128], buf[64] = "";

		snprintf(path, sizeof(path),
			 "/sys/bus/spi/devices/spi%u.0/modalias", self->bus);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && strstr(buf, "x8h7-sim"))
			break;
	}
	ASSERT_GT(1024u, self->bus);
	self->spi = spidev_bind_open(self->bus);
	ASSERT_LE(0, self->spi) TH_LOG("spidev: %s", strerror(-self->spi));
}

FIXTURE_TEARDOWN(program)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->spi >= 0) {
		close(self->spi);
		spidev_detach(self->bus);
	}
	unlink(self->log);
	if (self->loaded)
		EXPECT_EQ(0, board_sim_unload());
}

static int spi_frame(int spi, const uint8_t *mosi, uint8_t *miso)
{
	return spi_xfer(spi, mosi, miso, FRAME, SPEED_HZ);
}

TEST_F(program, answers_then_exits_on_sigterm)
{
	static const uint8_t want[] = {
		0x0e, 0x00, 0x5b, 0x55, 0x09, 0x10, 0x0a, 0x00,
		's', 'i', 'm', '-', 't', 'e', 's', 't', '-', '1',
	};
	uint8_t req[FRAME], e[FRAME], miso[FRAME], w[FRAME];
	char text[8192];
	int i, status, fd;
	ssize_t n;

	memset(w, 0, FRAME);
	memcpy(w, want, sizeof(want));
	one_sub(req, 0x09, 0x10, NULL, 0);
	empty(e);
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, spi_frame(self->spi, req, miso));
		sleep_ms(100);
		ASSERT_EQ(0, spi_frame(self->spi, e, miso));
		if (get_size(miso))
			break;
	}
	ASSERT_EQ(0, memcmp(w, miso, FRAME));
	sleep_ms(100);

	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	sleep_ms(200);
	ASSERT_EQ(0, kill(self->pid, SIGTERM));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	fd = open(self->log, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	ASSERT_LT(0, n);
	text[n] = 0;
	ASSERT_NE(NULL, strstr(text, "counters (SIGUSR1)")) TH_LOG("%.900s", text);
	ASSERT_NE(NULL, strstr(text, "counters (exit)")) TH_LOG("%.900s", text);
	ASSERT_NE(NULL, strstr(text, "h7_requests")) TH_LOG("%.900s", text);
}

TEST_HARNESS_MAIN
