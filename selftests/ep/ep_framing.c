// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of /dev/m4rpcN framing (<linux/m4rpc.h>, "Messages", "Raw
 * mode"): the M4's calls, notifications, Serial output and raw-endpoint
 * bytes share one stream that the H7 chops into 128-byte chunks; every
 * message must come out whole and in order to its session, every raw byte
 * (0x93 and 0x94 among them) to the raw session, nothing corrupted or lost.
 * And a message longer than max_msg_size is dropped whole and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS		5000
#define ITEMS		400u
#define PAYLOAD		40u
#define RAW_TOTAL	(ITEMS / 4 * PAYLOAD)

/* Item n: a call, a notification, raw bytes, Serial output, in turn. */
static void payload(unsigned int n, uint8_t *p)
{
	unsigned int i;

	for (i = 0; i < PAYLOAD; i++)
		p[i] = (uint8_t)(n * 7 + i);
}

struct rpc_side {
	int fd;
	atomic_bool stop;
	unsigned int next;	/* the item expected next */
	unsigned int calls, notes, serial;
	char why[160];
	pthread_t th;
};

/* Session b: gets items 0, 1, 3 (mod 4) in order, answers the calls. */
static void *rpc_side_fn(void *arg)
{
	static uint8_t buf[EP_MSG_MAX];
	static struct rpc_msg m;
	struct rpc_side *s = arg;
	uint8_t want[PAYLOAD];
	ssize_t r;
	size_t n;

	while (!atomic_load(&s->stop) && !s->why[0]) {
		r = ep_read_msg(s->fd, buf, sizeof(buf), 100);
		if (r == -ETIMEDOUT)
			continue;
		if (r < 0 || rpc_decode(buf, r, &m)) {
			snprintf(s->why, sizeof(s->why), "read: %zd", r);
			break;
		}
		if (s->next % 4 == 2)
			s->next++;		/* raw: not ours */
		payload(s->next, want);
		if (m.type != (s->next % 4 == 0 ? 0 : 2) ||
		    strcmp(m.method, s->next % 4 == 3 ? "tty" : "tr") ||
		    !m.is_bin || m.bin_len != PAYLOAD ||
		    memcmp(m.bin, want, PAYLOAD)) {
			snprintf(s->why, sizeof(s->why),
				 "item %u: type %d method %s bin %zu",
				 s->next, m.type, m.method, m.bin_len);
			break;
		}
		if (m.type == 0) {
			n = mk_response_int(buf, m.msgid, s->next);
			if (ep_write_msg(s->fd, buf, n)) {
				snprintf(s->why, sizeof(s->why), "answer");
				break;
			}
			s->calls++;
		} else if (s->next % 4 == 1) {
			s->notes++;
		} else {
			s->serial++;
		}
		s->next++;
	}
	return NULL;
}

struct raw_side {
	int fd;
	uint8_t got[RAW_TOTAL];
	size_t n;
	int err;
	pthread_t th;
};

static void *raw_side_fn(void *arg)
{
	struct raw_side *s = arg;
	ssize_t r;

	while (s->n < RAW_TOTAL) {
		r = ep_read_msg(s->fd, s->got + s->n, RAW_TOTAL - s->n, 3 * T_MS);
		if (r < 0) {
			s->err = (int)-r;
			break;
		}
		s->n += r;
	}
	return NULL;
}

/*
 * The H7 has no flow control: a chunk it cannot fit into its frame (the
 * link has not read the previous one yet) is lost. So the M4 sends in
 * bursts that two chunks always carry (the first 128 bytes, the rest into
 * the next frame), and waits until the link received the burst. The
 * bursts' sizes vary, so chunks split the items at many offsets.
 */
static int m4_delivered(struct board_env *e)
{
	uint64_t end = now_ms() + T_MS;
	struct h7emu_stats st;

	for (;;) {
		h7emu_get_stats(e->b[0].emu, &st);
		if (link_stat(e, 0, "rx_ui_bytes") >= (long long)st.ring_bytes_in)
			return 0;
		if (now_ms() > end)
			return ETIMEDOUT;
		sleep_ms(1);
	}
}

/* Item n: its bytes into the H7's ring. */
static int m4_item(struct h7emu *emu, unsigned int n)
{
	uint8_t p[PAYLOAD], msg[256];
	size_t len;

	payload(n, p);
	switch (n % 4) {
	case 0:
		len = mk_call_bin(msg, H7EMU_M4_THREAD_HANDLE + n, "tr", p,
				  PAYLOAD);
		return -h7emu_m4_rpc_write(emu, msg, len);
	case 1:
		return -h7emu_m4_notify(emu, "tr", p, PAYLOAD);
	case 2:
		return -h7emu_m4_raw_write(emu, p, PAYLOAD);
	default:
		return -h7emu_m4_serial_write(emu, p, PAYLOAD);
	}
}

/* Items from @n on, as many as fit @max bytes (~55 each): the next n. */
static int m4_burst(struct board_env *e, unsigned int n, size_t max,
		    unsigned int *next)
{
	size_t bytes = 0;
	int ret;

	for (; n < ITEMS && bytes + 55 <= max; n++, bytes += 55) {
		ret = m4_item(e->b[0].emu, n);
		if (ret)
			return ret;
	}
	*next = n;
	return m4_delivered(e);
}

BOARD_FIXTURE(fr);

TEST_F_TIMEOUT(fr, mixed_stream, 120)
{
	static struct raw_side raw;
	uint32_t mode = M4RPC_MODE_RAW;
	struct m4rpc_link_stats st;
	struct h7emu_stats es;
	struct rpc_side rpc;
	uint8_t want[PAYLOAD];
	unsigned int n, burst;
	struct board_env *e = &self->env;
	int ret;

	ASSERT_EQ(0, board_up(e, NULL));
	memset(&rpc, 0, sizeof(rpc));
	memset(&raw, 0, sizeof(raw));
	rpc.fd = board_ep_open(e, 0, O_RDWR);
	raw.fd = board_ep_open(e, 0, O_RDWR);
	ASSERT_LE(0, rpc.fd);
	ASSERT_LE(0, raw.fd);
	ASSERT_EQ(0, ep_wait_m4(rpc.fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_bind(rpc.fd, "tr"));
	ASSERT_EQ(0, ep_bind(rpc.fd, "tty"));
	ASSERT_EQ(0, ioctl(raw.fd, M4RPC_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, pthread_create(&rpc.th, NULL, rpc_side_fn, &rpc));
	ASSERT_EQ(0, pthread_create(&raw.th, NULL, raw_side_fn, &raw));

	for (n = 0, burst = 0; n < ITEMS; burst++) {
		ret = m4_burst(e, n, 110 + burst * 37 % 110, &n);
		if (ret)
			board_dump(e, 0, rpc.fd);
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(0, pthread_join(raw.th, NULL));
	if (raw.err)
		board_dump(e, 0, rpc.fd);
	ASSERT_EQ(0, raw.err);
	ASSERT_EQ(RAW_TOTAL, raw.n);
	for (n = 0; n < ITEMS / 4; n++) {
		payload(n * 4 + 2, want);
		ASSERT_EQ(0, memcmp(raw.got + n * PAYLOAD, want, PAYLOAD));
	}
	/* The last items may still be on their way to b. */
	ASSERT_EQ(0, ep_wait_link_stat(rpc.fd, offsetof(struct m4rpc_link_stats,
							 rx_msgs),
				       ITEMS / 4 * 3, T_MS));
	sleep_ms(200);
	atomic_store(&rpc.stop, true);
	ASSERT_EQ(0, pthread_join(rpc.th, NULL));
	ASSERT_STREQ("", rpc.why);
	ASSERT_EQ(ITEMS / 4, rpc.calls);
	ASSERT_EQ(ITEMS / 4, rpc.notes);
	ASSERT_EQ(ITEMS / 4, rpc.serial);
	ASSERT_EQ(0, ep_link_stats(rpc.fd, &st));
	ASSERT_EQ(RAW_TOTAL, st.rx_raw_bytes);
	ASSERT_EQ(ITEMS / 4 * 3, st.rx_msgs);
	if (st.rx_oversize + st.rx_malformed + st.rx_lost)
		board_dump(e, 0, rpc.fd);
	ASSERT_EQ(0u, st.rx_oversize + st.rx_malformed + st.rx_lost);
	ASSERT_EQ(0u, st.raw_drops + st.rx_queue_drops);
	/* b's answers all reached the M4 (calls it did not make itself). */
	for (n = 0; n < 1000; n++) {
		h7emu_get_stats(e->b[0].emu, &es);
		if (es.m4_responses_in + es.m4_responses_unmatched >= ITEMS / 4)
			break;
		sleep_ms(5);
	}
	ASSERT_EQ(ITEMS / 4, es.m4_responses_in + es.m4_responses_unmatched);
	if (board_emu_lost(e, 0))
		board_dump(e, 0, rpc.fd);
	ASSERT_EQ(0u, board_emu_lost(e, 0));
	close(rpc.fd);
	close(raw.fd);
}

/* Longer than max_msg_size: dropped whole, counted; the next is fine. */
TEST(oversize_dropped)
{
	struct m4rpc_link_stats st;
	uint8_t bin[400], buf[512];
	struct rpc_msg m;
	struct board_env e;
	size_t n, pad;
	ssize_t r;
	int fd;

	ASSERT_EQ(0, board_up(&e, &(struct board_opts){
		.link_params = "max_msg_size=256",
	}));
	fd = board_ep_open(&e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, ep_bind(fd, "big"));
	memset(bin, 0x94, sizeof(bin));
	for (pad = 200; mk_notify_bin(buf, "big", bin, pad + 1) <= 256; pad++)
		;
	/* One at a time: three chunks at most, never lost (see above). */
	n = mk_notify_bin(buf, "big", bin, pad + 1);	/* 257 bytes */
	ASSERT_EQ(257u, n);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	ASSERT_EQ(0, m4_delivered(&e));
	n = mk_notify_bin(buf, "big", bin, 330);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));
	ASSERT_EQ(0, m4_delivered(&e));
	n = mk_notify_bin(buf, "big", bin, pad);	/* 256 bytes */
	ASSERT_EQ(256u, n);
	ASSERT_EQ(0, h7emu_m4_rpc_write(e.b[0].emu, buf, n));

	r = ep_read_msg(fd, buf, sizeof(buf), T_MS);
	if (r != 256)
		board_dump(&e, 0, fd);
	ASSERT_EQ(256, r);
	ASSERT_EQ(0, rpc_decode(buf, r, &m));
	ASSERT_EQ(pad, m.bin_len);
	ASSERT_EQ(0, ep_link_stats(fd, &st));
	ASSERT_EQ(2u, st.rx_oversize);
	ASSERT_EQ(1u, st.rx_msgs);
	ASSERT_EQ(0u, st.rx_raw_bytes);
	close(fd);
	board_down(&e);
}

TEST_HARNESS_MAIN
