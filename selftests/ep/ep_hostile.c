// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of /dev/m4rpcN against a hostile process (<linux/m4rpc.h>,
 * every section): malformed and truncated messages, every oversize class,
 * wrong and unknown ioctls, bad and unaligned pointers, huge lengths,
 * responses to calls never given, binds of thousands of names, reads with
 * tiny buffers, writes from many threads on one fd, mmap/lseek/splice.
 * Each case gets the errno the uapi header documents; the kernel holds no
 * more per session than the header's limits (set small here, so they are
 * reached); no session sees another's traffic or bindings; and a good
 * session keeps making successful calls between the cases.
 *
 * Every hostile system call counts as one case; each test prints its count
 * and the last one the total.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS		5000
/* Small limits, so that a test reaches every one of them. */
#define HOSTILE_PARAMS	"max_msg_size=256 rx_queue_len=8 raw_buf_size=256 calls_max=16 " \
			"m4_calls_max=4"
#define RXQ		8
#define RAWBUF		256
#define MAXRX		256
#define CALLS_MAX	16
#define M4_CALLS_MAX	4
/* A user address nothing is mapped at, and one of the kernel's. */
#define KERNEL_PTR	((void *)0xffffffff81000000ul)

/* Cases of all tests: the harness forks one child per test. */
static atomic_uint *cases_total;

static void __attribute__((constructor)) cases_init(void)
{
	cases_total = mmap(NULL, sizeof(*cases_total), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cases_total == MAP_FAILED)
		cases_total = NULL;
}

FIXTURE(ho) {
	struct board_env env;
	struct h7emu *emu;
	int g, a, b;		/* the good session, two hostile ones */
	uint32_t gid;		/* the good session's next msgid */
	unsigned int cases;
	struct m4rpc_info info;
	uint8_t *pages;		/* rw page, PROT_NONE page, read-only page */
	long pg;
	uint8_t buf[EP_MSG_MAX];
};

FIXTURE_SETUP(ho)
{
	struct h7emu_config cfg;

	self->g = self->a = self->b = -1;
	board_config(&cfg, 0);
	ASSERT_EQ(0, board_up(&self->env, &(struct board_opts){
		.link_params = HOSTILE_PARAMS, .cfg = &cfg }));
	self->emu = self->env.b[0].emu;
	self->g = board_ep_session(&self->env, 0);
	ASSERT_LE(0, self->g);
	self->a = board_ep_open(&self->env, 0, O_RDWR | O_NONBLOCK);
	self->b = board_ep_open(&self->env, 0, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, self->a);
	ASSERT_LE(0, self->b);
	ASSERT_EQ(0, ep_info(self->a, &self->info));
	ASSERT_EQ((uint32_t)MAXRX, self->info.max_rx_msg);
	ASSERT_EQ((uint32_t)RXQ, self->info.rx_queue_len);
	self->pg = sysconf(_SC_PAGESIZE);
	self->pages = mmap(NULL, 4 * self->pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->pages);
	ASSERT_EQ(0, mprotect(self->pages + self->pg, self->pg, PROT_NONE));
	ASSERT_EQ(0, mprotect(self->pages + 2 * self->pg, self->pg, PROT_READ));
	ASSERT_EQ(0, munmap(self->pages + 3 * self->pg, self->pg));
	self->gid = 1;
}

FIXTURE_TEARDOWN(ho)
{
	if (self->cases) {
		if (cases_total)
			atomic_fetch_add(cases_total, self->cases);
		TH_LOG("hostile cases: %u in this test, %u in all so far", self->cases,
		       cases_total ? atomic_load(cases_total) : 0);
	}
	if (self->pages && self->pages != MAP_FAILED)
		munmap(self->pages, 3 * self->pg);
	if (self->a >= 0)
		close(self->a);
	if (self->b >= 0)
		close(self->b);
	board_down_session(&self->env, self->g);
}

/* The rw page's end: @n bytes there run into the PROT_NONE page after it. */
#define SPAN(self, n)	((self)->pages + (self)->pg - (n) / 2)
#define RDONLY(self)	((self)->pages + 2 * (self)->pg)
#define UNMAPPED(self)	((self)->pages + 3 * (self)->pg)

/* A call that must fail with @err (the value before -1 is the syscall's). */
#define EXPECT_ERRNO(err, call)	do {					\
		long _r;						\
		int _e;							\
		errno = 0;						\
		_r = (long)(call);					\
		_e = errno;						\
		self->cases++;						\
		if (_r != -1 || _e != (err))				\
			TH_LOG("%s: %ld, errno %d (%s), want %s", #call,	\
			       _r, _e, strerror(_e), strerror(err));	\
		EXPECT_EQ(-1, _r);					\
		EXPECT_EQ(err, _e);					\
	} while (0)

/* The good session still calls the M4 and gets its own answer. */
#define GOOD(self)	do {						\
		uint32_t _id = (self)->gid++;				\
		ASSERT_EQ(0, ep_echo((self)->g, _id, _id * 3, T_MS));	\
	} while (0)

/*
 * read() and write() as the kernel sees them, with no compiler check of
 * the pointer and count: those are the point here.
 */
static long hostile_read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

static long hostile_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

static int bind_len(int fd, unsigned long cmd, const char *name, uint32_t len,
		    uint32_t flags)
{
	struct m4rpc_bind b = { .len = len, .flags = flags };

	memcpy(b.name, name, strnlen(name, sizeof(b.name)));
	return ioctl(fd, cmd, &b);
}

/*
 * The M4 sends @n bytes on "rpc" (@raw: on "raw"); waits until the link
 * stats counter at @field (a __u64) has grown by @grow.
 */
static int m4_send(FIXTURE_DATA(ho) *self, int fd, const void *msg,
		   size_t n, bool raw, size_t field, uint64_t grow)
{
	struct m4rpc_link_stats st;
	uint64_t before;
	int ret;

	ret = ep_link_stats(fd, &st);
	if (ret)
		return ret;
	memcpy(&before, (char *)&st + field, sizeof(before));
	ret = raw ? h7emu_m4_raw_write(self->emu, msg, n) :
		    h7emu_m4_rpc_write(self->emu, msg, n);
	if (ret)
		return -ret;
	ret = ep_wait_link_stat(fd, field, before + grow, T_MS);
	if (ret)
		board_dump(&self->env, 0, fd);
	return ret;
}

#define LS(f)	offsetof(struct m4rpc_link_stats, f)

/* Messages from the M4 the kernel dropped whole, for any reason. */
static uint64_t rx_dropped(const struct m4rpc_link_stats *st)
{
	return st->rx_oversize + st->rx_cut + st->rx_suspect;
}

static int wait_dropped(int fd, uint64_t min)
{
	struct m4rpc_link_stats st;
	uint64_t end = now_ms() + T_MS;

	do {
		if (ep_link_stats(fd, &st))
			return EIO;
		if (rx_dropped(&st) >= min)
			return 0;
		sleep_ms(5);
	} while (now_ms() < end);
	return ETIMEDOUT;
}

/* [2, "name", [bin]] of exactly @len bytes (@len 9..255 + name). */
static size_t notify_len(uint8_t *buf, const char *name, size_t len)
{
	static const uint8_t pad[EP_MSG_MAX];
	size_t over = mk_notify_bin(buf, name, pad, 0);

	/* msgpack-c packs every bin below 256 bytes as a bin8. */
	return mk_notify_bin(buf, name, pad, len - over);
}

/* Malformed and truncated messages: EINVAL, nothing sent. */
TEST_F(ho, malformed)
{
	static const struct { const char *what; uint8_t b[48]; size_t n; } bad[] = {
		{ "empty", { 0 }, 0 },
		{ "nil", { 0xc0 }, 1 },
		{ "0xc1", { 0xc1 }, 1 },
		{ "fixint", { 0x05 }, 1 },
		{ "array16 outer", { 0xdc, 0, 4, 0, 1, 0xa1, 'e', 0x90 }, 8 },
		{ "array32 outer", { 0xdd, 0, 0, 0, 4, 0, 1, 0xa1, 'e', 0x90 }, 10 },
		{ "type 3", { 0x94, 3, 1, 0xa1, 'e', 0x90 }, 6 },
		{ "0x93 type 0", { 0x93, 0, 0xa1, 'e', 0x90 }, 5 },
		{ "0x94 type 2", { 0x94, 2, 1, 0xa1, 'e', 0x90 }, 6 },
		{ "5 elements", { 0x95, 0, 1, 0xa1, 'e', 0x90, 0xc0 }, 7 },
		{ "negative msgid", { 0x94, 0, 0xff, 0xa1, 'e', 0x90 }, 6 },
		{ "uint64 msgid", { 0x94, 0, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, 0xa1, 'e', 0x90 }, 14 },
		{ "float msgid", { 0x94, 0, 0xca, 0, 0, 0, 0, 0xa1, 'e', 0x90 }, 10 },
		{ "bin method", { 0x94, 0, 1, 0xc4, 1, 'e', 0x90 }, 7 },
		{ "int method", { 0x94, 0, 1, 0x07, 0x90 }, 5 },
		{ "map params", { 0x94, 0, 1, 0xa1, 'e', 0x80 }, 6 },
		{ "nil params", { 0x94, 0, 1, 0xa1, 'e', 0xc0 }, 6 },
		{ "0xc1 in params", { 0x94, 0, 1, 0xa1, 'e', 0x91, 0xc1 }, 7 },
		{ "trailing byte", { 0x94, 0, 1, 0xa1, 'e', 0x90, 0x00 }, 7 },
		{ "two messages", { 0x93, 2, 0xa1, 'e', 0x90, 0x93, 2, 0xa1, 'e', 0x90 }, 10 },
		{ "str32 4 GiB", { 0x94, 0, 1, 0xdb, 0xff, 0xff, 0xff, 0xff }, 8 },
		{ "array32 4G params", { 0x94, 0, 1, 0xa1, 'e', 0xdd, 0xff, 0xff, 0xff, 0xff }, 10 },
		{ "bin32 4 GiB", { 0x93, 2, 0xa1, 'e', 0x91, 0xc6, 0xff, 0xff, 0xff, 0xff }, 10 },
		{ "response 3 elements", { 0x93, 1, 1, 0xc0 }, 4 },
		{ "notify 4 elements", { 0x94, 2, 0xa1, 'e', 0x90, 0xc0 }, 6 },
	};
	struct m4rpc_session_stats ss;
	uint8_t msg[EP_MSG_MAX];
	unsigned int i, seed = 17;
	size_t n, k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_ERRNO(EINVAL, hostile_write(self->a, bad[i].b, bad[i].n));
		if (errno != EINVAL)
			TH_LOG("case \"%s\"", bad[i].what);
	}
	GOOD(self);

	/* Every truncation of a valid request. */
	n = mk_call_int(msg, 7, "echo", 123456789);
	for (k = 0; k < n; k++)
		EXPECT_ERRNO(EINVAL, hostile_write(self->a, msg, k));
	/* Nested 33 deep (the limit is 32 in all). */
	k = 0;
	msg[k++] = 0x93;
	msg[k++] = 2;
	msg[k++] = 0xa1;
	msg[k++] = 'e';
	memset(msg + k, 0x91, 32);
	k += 32;
	msg[k++] = 0xc0;
	EXPECT_ERRNO(EINVAL, hostile_write(self->a, msg, k));
	GOOD(self);

	/* Random bytes that do not start like a message. */
	for (i = 0; i < 200; i++) {
		n = 1 + (seed = seed * 1103515245u + 12345u) % 200;
		for (k = 0; k < n; k++)
			msg[k] = (seed = seed * 1103515245u + 12345u) >> 16;
		if (msg[0] == 0x93 || msg[0] == 0x94)
			msg[0] = 0x92;
		EXPECT_ERRNO(EINVAL, hostile_write(self->a, msg, n));
	}
	GOOD(self);
	/* Nothing of it reached the link. */
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(0u, ss.tx_msgs);
}

/*
 * Every oversize class: longer than max_tx_msg; a request or response
 * that would not fit with a 5-byte msgid; a huge count (ours, and one the
 * VFS refuses first); from the M4, longer than max_rx_msg.
 */
TEST_F(ho, oversize)
{
	uint32_t max = self->info.max_tx_msg;
	uint8_t msg[EP_MSG_MAX], pad[EP_MSG_MAX] = { 0 };
	struct m4rpc_session_stats ss;
	struct m4rpc_link_stats st;
	uint64_t oversize, dropped;
	unsigned int i;
	size_t n;
	ssize_t r;

	/* Notification: max_tx_msg is taken, one more is not. */
	n = notify_len(msg, "sink", max + 1);
	ASSERT_EQ(max + 1, n);
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, n));
	n = notify_len(msg, "sink", max);
	ASSERT_EQ((ssize_t)n, write(self->a, msg, n));
	/* Request with a uint32 msgid: the same. */
	n = echo_call_build(msg, 0x80000000u, pad, max - ECHO_CALL_OVERHEAD + 1);
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, n));
	/* With a fixint msgid it counts as 5 bytes: 4 less. */
	n = mk_call_bin(msg, 1, "echo", pad, max - 14);
	ASSERT_EQ(max - 3, n);
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, n));
	/* A response too: the size is checked before whether it is owed. */
	n = mk_response_int(msg, 1, 0);
	ASSERT_EQ(5u, n);	/* [1, 1, nil, 0] becomes [1, 1, nil, bin8] */
	msg[4] = 0xc4;
	msg[5] = max - 9;
	memset(msg + 6, 0, max - 9);
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, max - 3));
	/* Counts far past any message, and one the VFS refuses itself. */
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, 1ul << 30));
	EXPECT_ERRNO(EMSGSIZE, hostile_write(self->a, msg, (size_t)INT32_MAX + 1));
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, msg, SIZE_MAX));
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, msg, SIZE_MAX / 2));
	GOOD(self);

	/*
	 * The M4 sends one longer than max_rx_msg for a bound name: dropped
	 * and counted as oversize. It spans three frames, so the H7 may also
	 * drop a chunk of it silently, when the VM is slow to read: then it
	 * is dropped as cut or suspect. Either way it is counted, never
	 * delivered.
	 */
	ASSERT_EQ(0, ep_bind(self->a, "big"));
	ASSERT_EQ(0, ep_link_stats(self->g, &st));
	oversize = st.rx_oversize;
	dropped = rx_dropped(&st);
	n = notify_len(msg, "big", MAXRX + 1);
	ASSERT_EQ(0, h7emu_m4_rpc_write(self->emu, msg, n));
	self->cases++;
	ASSERT_EQ(0, wait_dropped(self->g, dropped + 1));
	ASSERT_EQ(0, ep_link_stats(self->g, &st));
	if (st.rx_oversize == oversize)
		TH_LOG("the H7 made a hole in it: dropped as cut or suspect");
	/*
	 * A head claiming 4 GiB: followed until the stream goes idle, then
	 * dropped as cut, and the stream goes on.
	 */
	n = notify_len(msg, "big", 20);
	msg[7] = 0xc6;		/* bin32: 93 02 a3 b i g 91 c6 ff ff ff ff */
	memset(msg + 8, 0xff, 4);
	ASSERT_EQ(0, m4_send(self, self->g, msg, 12, false, LS(rx_cut), 1));
	self->cases++;
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(0u, ss.rx_queued);
	/* ... and exactly max_rx_msg arrives whole (unless a hole took it). */
	n = notify_len(msg, "big", MAXRX);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, h7emu_m4_rpc_write(self->emu, msg, n));
		r = ep_read_msg(self->a, self->buf, sizeof(self->buf), 2000);
		if (r != -ETIMEDOUT)
			break;
		TH_LOG("the H7 made a hole in a %zu-byte message, again", n);
	}
	ASSERT_EQ((ssize_t)n, r);
	EXPECT_EQ(0, memcmp(self->buf, msg, n));
	GOOD(self);
}

/* Unknown and wrong ioctls, bad arguments to the known ones. */
TEST_F(ho, ioctls)
{
	static const unsigned long unknown[] = {
		0, 1, _IO(M4RPC_IOC_MAGIC, 0), _IO(M4RPC_IOC_MAGIC, 7),
		_IO(M4RPC_IOC_MAGIC, 0xff), _IOR(M4RPC_IOC_MAGIC, 1, __u32),
		_IOW(M4RPC_IOC_MAGIC, 1, struct m4rpc_info),
		_IOWR(M4RPC_IOC_MAGIC, 2, struct m4rpc_bind),
		_IOR(M4RPC_IOC_MAGIC, 4, __u32), _IOW(M4RPC_IOC_MAGIC, 4, __u64),
		_IOR(M4RPC_IOC_MAGIC, 5, struct m4rpc_session_stats),
		_IOR(M4RPC_IOC_MAGIC + 1, 1, struct m4rpc_info),
		TCGETS, TIOCGWINSZ, FIONREAD, 0xffffffffu,
	};
	static const unsigned long known[] = {
		M4RPC_IOC_INFO, M4RPC_IOC_BIND, M4RPC_IOC_UNBIND,
		M4RPC_IOC_SET_MODE, M4RPC_IOC_LINK_STATS,
		M4RPC_IOC_SESSION_STATS,
	};
	struct m4rpc_info info, *un;
	struct m4rpc_session_stats ss;
	unsigned int i;
	uint32_t mode;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		EXPECT_ERRNO(ENOTTY, ioctl(self->a, unknown[i], self->buf));
	GOOD(self);

	/* Bad pointers, for each known ioctl: nothing is done. */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i], NULL));
		EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i], (void *)1));
		EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i], UNMAPPED(self)));
		EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i], KERNEL_PTR));
		/* A structure whose last bytes lie in a PROT_NONE page. */
		EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i],
					   self->pages + self->pg - 2));
		if (_IOC_DIR(known[i]) & _IOC_READ)	/* the kernel writes */
			EXPECT_ERRNO(EFAULT, ioctl(self->a, known[i], RDONLY(self)));
	}
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(0u, ss.bindings);
	EXPECT_EQ((uint32_t)M4RPC_MODE_MSG, ss.mode);
	GOOD(self);

	/* Unaligned but valid: works, the same answer. */
	ASSERT_EQ(0, ioctl(self->a, M4RPC_IOC_INFO, &info));
	un = (struct m4rpc_info *)(self->buf + 1);
	ASSERT_EQ(0, ioctl(self->a, M4RPC_IOC_INFO, un));
	EXPECT_EQ(0, memcmp(&info, un, sizeof(info)));
	self->cases++;
	memset(self->buf, 0, sizeof(self->buf));
	memcpy(self->buf + 3 + offsetof(struct m4rpc_bind, name), "odd", 3);
	mode = 3;
	memcpy(self->buf + 3, &mode, sizeof(mode));
	EXPECT_EQ(0, ioctl(self->a, M4RPC_IOC_BIND, self->buf + 3));
	EXPECT_EQ(0, ioctl(self->a, M4RPC_IOC_UNBIND, self->buf + 3));
	self->cases += 2;

	/* Bad bind arguments: EINVAL. */
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "x", 0, 0));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "x",
				      M4RPC_NAME_MAX + 1, 0));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "x",
				      0xffffffffu, 0));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "x", 1, 1));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "x", 1,
				      0x80000000u));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_UNBIND, "x", 0, 0));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_UNBIND, "x", 1, 2));
	EXPECT_ERRNO(ENOENT, bind_len(self->a, M4RPC_IOC_UNBIND, "x", 1, 0));
	/* Bad modes; raw mode with a binding. */
	mode = 2;
	EXPECT_ERRNO(EINVAL, ioctl(self->a, M4RPC_IOC_SET_MODE, &mode));
	mode = 0xffffffffu;
	EXPECT_ERRNO(EINVAL, ioctl(self->a, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ep_bind(self->a, "held"));
	mode = M4RPC_MODE_RAW;
	EXPECT_ERRNO(EBUSY, ioctl(self->a, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ep_unbind(self->a, "held"));
	/* In raw mode: no binding, no request, no response. */
	ASSERT_EQ(0, ioctl(self->a, M4RPC_IOC_SET_MODE, &mode));
	EXPECT_ERRNO(EINVAL, bind_len(self->a, M4RPC_IOC_BIND, "held", 4, 0));
	EXPECT_ERRNO(EINVAL, hostile_write(self->a, self->buf,
				   mk_call_int(self->buf, 1, "echo", 1)));
	EXPECT_ERRNO(EINVAL, hostile_write(self->a, self->buf,
				   mk_response_int(self->buf, 1, 1)));
	mode = M4RPC_MODE_MSG;
	ASSERT_EQ(0, ioctl(self->a, M4RPC_IOC_SET_MODE, &mode));
	GOOD(self);
}

/* A message for session a from the M4: [2, "rx", [bin of @n bytes]]. */
static ssize_t queue_one(struct __test_metadata *_metadata,
			 FIXTURE_DATA(ho) *self, uint8_t *msg, size_t n)
{
	struct m4rpc_session_stats ss;
	size_t len = notify_len(msg, "rx", n);
	uint64_t end = now_ms() + T_MS;

	if (h7emu_m4_rpc_write(self->emu, msg, len))
		return -1;
	do {
		if (ep_session_stats(self->a, &ss))
			return -1;
		if (ss.rx_queued)
			return len;
		sleep_ms(2);
	} while (now_ms() < end);
	return -1;
}

/*
 * Bad and unaligned pointers, tiny buffers and huge counts to read() and
 * write(): EFAULT or EMSGSIZE, and the message stays queued.
 */
TEST_F(ho, pointers)
{
	struct m4rpc_session_stats ss;
	uint8_t msg[EP_MSG_MAX];
	ssize_t len;
	size_t n;

	/* write() from nowhere, or from a buffer that runs into PROT_NONE. */
	n = mk_notify_int(msg, "sink", 42);
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, NULL, n));
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, (void *)1, n));
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, UNMAPPED(self), n));
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, KERNEL_PTR, n));
	memcpy(SPAN(self, n), msg, n / 2);
	EXPECT_ERRNO(EFAULT, hostile_write(self->a, SPAN(self, n), n));
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(0u, ss.tx_msgs);
	/* Unaligned and read-only sources are fine. */
	memcpy(self->buf + 1, msg, n);
	EXPECT_EQ((ssize_t)n, write(self->a, self->buf + 1, n));
	memcpy(self->pages, msg, n);
	ASSERT_EQ(0, mprotect(self->pages, self->pg, PROT_READ));
	EXPECT_EQ((ssize_t)n, write(self->a, self->pages, n));
	ASSERT_EQ(0, mprotect(self->pages, self->pg, PROT_READ | PROT_WRITE));
	self->cases += 2;
	GOOD(self);

	/* read() with nothing queued. */
	EXPECT_ERRNO(EAGAIN, hostile_read(self->a, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, ep_bind(self->a, "rx"));
	len = queue_one(_metadata, self, msg, 100);
	ASSERT_LT(0, len);
	/* Tiny buffers: EMSGSIZE, the message stays. */
	EXPECT_ERRNO(EMSGSIZE, hostile_read(self->a, self->buf, 0));
	EXPECT_ERRNO(EMSGSIZE, hostile_read(self->a, self->buf, 1));
	EXPECT_ERRNO(EMSGSIZE, hostile_read(self->a, self->buf, len - 1));
	/* Bad buffers: EFAULT, the message stays. */
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, NULL, sizeof(self->buf)));
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, (void *)1, len));
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, UNMAPPED(self), len));
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, KERNEL_PTR, len));
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, RDONLY(self), len));
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, SPAN(self, len), len));
	/* A count the VFS refuses itself. */
	EXPECT_ERRNO(EFAULT, hostile_read(self->a, self->buf, SIZE_MAX));
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(1u, ss.rx_queued);
	EXPECT_EQ((uint32_t)len, ss.next_msg_len);
	GOOD(self);
	/* A huge count into a buffer that holds it: only the message is written. */
	memset(self->buf, 0xee, sizeof(self->buf));
	EXPECT_EQ(len, hostile_read(self->a, self->buf + 1, 1ul << 30));
	EXPECT_EQ(0, memcmp(self->buf + 1, msg, len));
	EXPECT_EQ(0xee, self->buf[1 + len]);
	self->cases++;
	/* Exactly the message's length, at the very end of the page. */
	ASSERT_LT(0, queue_one(_metadata, self, msg, 100));
	EXPECT_EQ(len, read(self->a, self->pages + self->pg - len, len));
	EXPECT_EQ(0, memcmp(self->pages + self->pg - len, msg, len));
	self->cases++;
	GOOD(self);
}

/* lseek, pread/pwrite, mmap, splice, sendfile, a message split by writev. */
TEST_F(ho, unsupported)
{
	uint8_t msg[64];
	struct iovec iov[2];
	int pfd[2];
	size_t n;
	void *p;

	EXPECT_ERRNO(ESPIPE, lseek(self->a, 0, SEEK_SET));
	EXPECT_ERRNO(ESPIPE, lseek(self->a, 10, SEEK_CUR));
	EXPECT_ERRNO(ESPIPE, lseek(self->a, 0, SEEK_END));
	EXPECT_ERRNO(ESPIPE, pread(self->a, self->buf, 64, 0));
	n = mk_notify_int(msg, "sink", 1);
	EXPECT_ERRNO(ESPIPE, pwrite(self->a, msg, n, 0));
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, self->a, 0);
	self->cases++;
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->a, 0);
	self->cases++;
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ((ssize_t)n, write(pfd[1], msg, n));
	EXPECT_ERRNO(EINVAL, splice(pfd[0], NULL, self->a, NULL, n, 0));
	EXPECT_ERRNO(EINVAL, splice(self->a, NULL, pfd[1], NULL, 64,
				    SPLICE_F_NONBLOCK));
	EXPECT_ERRNO(EINVAL, sendfile(pfd[1], self->a, NULL, 64));
	EXPECT_ERRNO(EINVAL, tee(pfd[0], self->a, 64, 0));
	close(pfd[0]);
	close(pfd[1]);

	/* writev: each part is a write of its own, so half a message is EINVAL. */
	iov[0].iov_base = msg;
	iov[0].iov_len = n / 2;
	iov[1].iov_base = msg + n / 2;
	iov[1].iov_len = n - n / 2;
	EXPECT_ERRNO(EINVAL, writev(self->a, iov, 2));
	GOOD(self);
}

/* The M4 calls @method; the request the bound session reads, decoded. */
static int m4_call_read(FIXTURE_DATA(ho) *self, int fd, uint32_t m4_msgid,
			const char *method, struct rpc_msg *m)
{
	uint8_t msg[256];
	size_t n = mk_call_int(msg, m4_msgid, method, 5);
	ssize_t r;

	if (h7emu_m4_rpc_write(self->emu, msg, n))
		return EIO;
	r = ep_read_msg(fd, self->buf, sizeof(self->buf), T_MS);
	if (r < 0)
		return -r;
	return rpc_decode(self->buf, r, m);
}

/*
 * Responses to calls never given (or given to another session), binds of
 * thousands of names, and what one session can learn of another.
 */
TEST_F(ho, sessions)
{
	struct m4rpc_session_stats ss;
	struct rpc_msg *m = malloc(sizeof(*m));
	char name[M4RPC_NAME_MAX + 1];
	uint8_t msg[256];
	unsigned int i, bound = 0;
	size_t n;

	ASSERT_NE(NULL, m);
	/* Responses nobody asked for. */
	for (i = 0; i < 40; i++) {
		n = mk_response_int(msg, i < 20 ? i : 0xffffffffu - i, 1);
		EXPECT_ERRNO(EINVAL, hostile_write(self->a, msg, n));
	}
	GOOD(self);
	/* An M4 call routed to a: b may not answer it, a only once. */
	ASSERT_EQ(0, ep_bind(self->a, "ask"));
	ASSERT_EQ(0, m4_call_read(self, self->a, 9, "ask", m));
	ASSERT_EQ(0, m->type);
	n = mk_response_int(msg, m->msgid, 77);
	EXPECT_ERRNO(EINVAL, hostile_write(self->b, msg, n));
	EXPECT_ERRNO(EINVAL, hostile_write(self->g, msg, n));
	EXPECT_EQ((ssize_t)n, write(self->a, msg, n));
	EXPECT_ERRNO(EINVAL, hostile_write(self->a, msg, n));
	/* The M4 got exactly one answer, a's, with its own msgid. */
	ASSERT_EQ(0, ep_wait_link_stat(self->g, LS(tx_responses), 1, T_MS));
	GOOD(self);

	/* Thousands of names: 64 per session, then ENOSPC. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "name-%u", i);
		if (i < 63) {
			EXPECT_EQ(0, ep_bind(self->a, name));
			bound++;
			self->cases++;
			continue;
		}
		EXPECT_ERRNO(ENOSPC, bind_len(self->a, M4RPC_IOC_BIND, name,
					      strlen(name), 0));
	}
	/* "ask" holds one of the 64. */
	EXPECT_EQ(63u, bound);
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(64u, ss.bindings);
	/* Binding a name again in the same session is no error, no slot. */
	EXPECT_EQ(0, ep_bind(self->a, "name-0"));
	self->cases++;
	/* Another session: a's names are taken, not its to unbind. */
	EXPECT_ERRNO(EADDRINUSE, bind_len(self->b, M4RPC_IOC_BIND, "name-1", 6, 0));
	EXPECT_ERRNO(ENOENT, bind_len(self->b, M4RPC_IOC_UNBIND, "name-1", 6, 0));
	/* Names differing only in length or past a NUL are other names. */
	EXPECT_EQ(0, bind_len(self->b, M4RPC_IOC_BIND, "name-1\0x", 8, 0));
	EXPECT_EQ(0, bind_len(self->b, M4RPC_IOC_BIND, "name-1", 5, 0));
	self->cases += 2;
	ASSERT_EQ(0, ep_session_stats(self->b, &ss));
	EXPECT_EQ(2u, ss.bindings);
	EXPECT_EQ(0u, ss.rx_msgs);
	EXPECT_EQ(0u, ss.tx_msgs);
	GOOD(self);
	/* The M4 calls a name of a's: only a gets it, b sees nothing. */
	ASSERT_EQ(0, m4_call_read(self, self->a, 10, "name-1", m));
	EXPECT_STREQ("name-1", m->method);
	EXPECT_ERRNO(EAGAIN, hostile_read(self->b, self->buf, sizeof(self->buf)));
	n = mk_response_int(msg, m->msgid, 1);
	EXPECT_EQ((ssize_t)n, write(self->a, msg, n));
	/* b never sees the good session's replies either. */
	GOOD(self);
	EXPECT_ERRNO(EAGAIN, hostile_read(self->b, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, ep_session_stats(self->b, &ss));
	EXPECT_EQ(0u, ss.rx_msgs);
	EXPECT_EQ(0u, ss.replies);
	/* Unbinding everything, then nothing is left to unbind. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "name-%u", i);
		if (i < 63) {
			EXPECT_EQ(0, ep_unbind(self->a, name));
			self->cases++;
		} else if (i < 100) {
			EXPECT_ERRNO(ENOENT, bind_len(self->a, M4RPC_IOC_UNBIND,
						      name, strlen(name), 0));
		}
	}
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ(1u, ss.bindings);
	/* The slots are free again. */
	EXPECT_EQ(0, ep_bind(self->a, "again"));
	self->cases++;
	free(m);
	GOOD(self);
}

/* Wait until session @fd's calls are all answered (or dropped). */
static int calls_settle(int fd)
{
	struct m4rpc_session_stats ss;
	uint64_t end = now_ms() + T_MS;

	do {
		if (ep_session_stats(fd, &ss))
			return EIO;
		if (!ss.calls_pending && !ss.tx_queued)
			return 0;
		sleep_ms(5);
	} while (now_ms() < end);
	return ETIMEDOUT;
}

/*
 * Sessions that never read: what the kernel holds for them stays within
 * rx_queue_len messages, raw_buf_size raw bytes and calls_max calls; the
 * loss is reported once (EOVERFLOW), and the good session is unaffected.
 */
TEST_F(ho, never_reads)
{
	struct m4rpc_session_stats ss;
	uint8_t msg[256];
	unsigned int i, calls = 6 * CALLS_MAX;
	uint32_t mode = M4RPC_MODE_RAW;
	int blk, c;
	size_t n;
	ssize_t r;

	/* The M4 floods a name a bound. */
	ASSERT_EQ(0, ep_bind(self->a, "flood"));
	for (i = 0; i < 3 * RXQ; i++) {
		n = mk_notify_int(msg, "flood", i);
		ASSERT_EQ(0, m4_send(self, self->g, msg, n, false,
				     LS(rx_notifications), 1));
		self->cases++;
	}
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ((uint32_t)RXQ, ss.rx_queued);
	EXPECT_EQ(2u * RXQ, ss.rx_drops);
	GOOD(self);

	/* Calls whose replies it never reads (blocking writes: calls_max). */
	blk = board_ep_open(&self->env, 0, O_RDWR);
	ASSERT_LE(0, blk);
	for (i = 0; i < calls; i++) {
		n = mk_call_int(msg, 1000 + i, "echo", i);
		ASSERT_EQ((ssize_t)n, write(blk, msg, n));
		self->cases++;
		ASSERT_EQ(0, ep_session_stats(blk, &ss));
		ASSERT_GE((uint32_t)CALLS_MAX, ss.calls_pending);
		ASSERT_GE((uint32_t)RXQ, ss.rx_queued);
	}
	ASSERT_EQ(0, calls_settle(blk));
	ASSERT_EQ(0, ep_session_stats(blk, &ss));
	EXPECT_EQ((uint32_t)RXQ, ss.rx_queued);
	EXPECT_EQ(calls - RXQ, ss.rx_drops);
	GOOD(self);

	/* A raw session that never reads: raw_buf_size bytes at most. */
	c = board_ep_open(&self->env, 0, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, ioctl(c, M4RPC_IOC_SET_MODE, &mode));
	memset(msg, 'r', 64);
	for (i = 0; i < 3 * RAWBUF / 64; i++) {
		ASSERT_EQ(0, m4_send(self, self->g, msg, 64, true,
				     LS(rx_raw_bytes), 64));
		self->cases++;
	}
	ASSERT_EQ(0, ep_session_stats(c, &ss));
	EXPECT_EQ((uint32_t)RAWBUF, ss.rx_queued);
	EXPECT_EQ(2u * RAWBUF, ss.raw_drops);
	GOOD(self);

	/* Each loss is told once, then what was kept reads normally. */
	EXPECT_ERRNO(EOVERFLOW, hostile_read(self->a, self->buf, sizeof(self->buf)));
	for (i = 0; i < RXQ; i++)
		EXPECT_LT(0, read(self->a, self->buf, sizeof(self->buf)));
	EXPECT_ERRNO(EAGAIN, hostile_read(self->a, self->buf, sizeof(self->buf)));
	EXPECT_ERRNO(EOVERFLOW, hostile_read(c, self->buf, sizeof(self->buf)));
	r = read(c, self->buf, sizeof(self->buf));
	EXPECT_EQ(RAWBUF, r);
	EXPECT_ERRNO(EAGAIN, hostile_read(c, self->buf, sizeof(self->buf)));
	close(c);
	close(blk);
	GOOD(self);

	/*
	 * M4 calls it reads and never answers: m4_calls_max per link, then
	 * the kernel answers the M4 "busy" itself.
	 */
	ASSERT_EQ(0, ep_bind(self->a, "hold"));
	for (i = 0; i < M4_CALLS_MAX + 2; i++) {
		n = mk_call_int(msg, 50 + i, "hold", i);
		ASSERT_EQ(0, m4_send(self, self->g, msg, n, false,
				     LS(rx_requests), 1));
		self->cases++;
	}
	ASSERT_EQ(0, ep_wait_link_stat(self->g, LS(requests_refused), 2, T_MS));
	ASSERT_EQ(0, ep_session_stats(self->a, &ss));
	EXPECT_EQ((uint32_t)M4_CALLS_MAX, ss.m4_calls_pending);
	EXPECT_EQ((uint32_t)M4_CALLS_MAX, ss.rx_queued);
	GOOD(self);
}

struct writer {
	int fd;
	unsigned int id;
	unsigned int n;
	int err;
	pthread_t th;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	uint8_t msg[64];
	unsigned int i;
	size_t n;

	for (i = 0; i < w->n && !w->err; i++) {
		n = mk_call_int(msg, w->id * 1000 + i, "echo", w->id * 1000 + i);
		if (write(w->fd, msg, n) != (ssize_t)n)
			w->err = errno;
	}
	return NULL;
}

#define WRITERS		16
#define PER_WRITER	20

/*
 * Writes from many threads on one fd (one session): every call is sent
 * once and answered once, to that session, with its own msgid.
 */
TEST_F(ho, threads_one_fd)
{
	static struct writer w[WRITERS];
	static uint8_t seen[WRITERS * 1000];
	struct rpc_msg *m = malloc(sizeof(*m));
	unsigned int i, got = 0, drops = 0, total = WRITERS * PER_WRITER;
	int fd = board_ep_open(&self->env, 0, O_RDWR);
	struct m4rpc_session_stats ss;
	ssize_t r;

	ASSERT_NE(NULL, m);
	ASSERT_LE(0, fd);
	for (i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ .fd = fd, .id = i, .n = PER_WRITER };
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, writer_fn, &w[i]));
	}
	/*
	 * Read as they write. The queue is small: a reply that finds it full
	 * is dropped, and the next read says so; none is lost silently.
	 */
	while (got + drops < total) {
		r = ep_read_msg(fd, self->buf, sizeof(self->buf), T_MS);
		if (r == -EOVERFLOW) {
			ASSERT_EQ(0, ep_session_stats(fd, &ss));
			drops = ss.rx_drops;
			continue;
		}
		ASSERT_LT(0, r);
		ASSERT_EQ(0, rpc_decode(self->buf, r, m));
		ASSERT_EQ(1, m->type);
		ASSERT_TRUE(m->is_int);
		ASSERT_EQ((int64_t)m->msgid, m->value);
		ASSERT_GT(WRITERS * 1000u, m->msgid);
		ASSERT_EQ(0, seen[m->msgid]);
		seen[m->msgid] = 1;
		got++;
	}
	if (drops)
		TH_LOG("%u of %u replies dropped for a full queue, reported",
		       drops, total);
	for (i = 0; i < WRITERS; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(0, w[i].err);
	}
	self->cases += total;
	EXPECT_EQ(total, got + drops);
	close(fd);
	free(m);
	GOOD(self);
}

TEST_HARNESS_MAIN
