// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftests of what applications get when the H7 drops bytes silently
 * (docs/x8h7-link.md, "Peripheral 0x0A": a chunk that finds no room in the
 * H7's frame is lost, and nothing on the wire says so). Linux is made late
 * on purpose (the simulator's delay before each transfer) while the M4
 * sends notifications and eight processes call echo with random sizes up
 * to the longest message: messages are lost, but none reaches an
 * application damaged, and every caller hears of a lost reply (at once
 * where the kernel can tell, else at its own timeout). Without the delay
 * and the traffic, the wire window keeps the H7's frames from overflowing:
 * no chunk is lost at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define T_MS		5000
#define CALLERS		8
#define CALL_TIMEOUT_MS	3000
#define NOTIFY_METHOD	"noise"

/* What one caller saw; shared with the parent (MAP_SHARED). */
struct tally {
	uint64_t calls;
	uint64_t intact;	/* the bytes it sent, back */
	uint64_t told;		/* an error reply of the kernel's, at once */
	uint64_t errors;	/* any other error reply */
	uint64_t timeouts;	/* no reply within CALL_TIMEOUT_MS */
	uint64_t damaged;	/* a reply that is not what it sent: never */
	uint64_t late;		/* replies after their call's timeout */
	uint64_t bad_form;	/* ... of the damaged: not msgpack, not ours */
	size_t dmg_sent, dmg_got;	/* the first damaged: bin sizes */
	ssize_t dmg_wire;		/* ... and the reply's length */
	int failed;		/* the caller itself failed (errno) */
};

struct shared {
	volatile int stop;
	struct tally t[CALLERS];
};

/* One caller: echo calls of random sizes until told to stop (or @max). */
static void caller(struct board_env *e, struct shared *sh, int me,
		   unsigned int max_calls)
{
	uint8_t bin[256], msg[512], back[EP_MSG_MAX];
	struct tally *t = &sh->t[me];
	struct m4rpc_info info;
	struct rpc_msg *m;
	unsigned int seed = 1000u * (unsigned int)me + 1;
	size_t n, size, max;
	ssize_t r;
	int fd;

	m = malloc(sizeof(*m));
	fd = board_ep_open(e, 0, O_RDWR);
	if (!m || fd < 0 || ep_info(fd, &info)) {
		t->failed = fd < 0 ? -fd : ENOMEM;
		return;
	}
	max = info.max_tx_msg - ECHO_CALL_OVERHEAD;
	while (!sh->stop && t->calls < max_calls) {
		size = (size_t)rand_r(&seed) % (max + 1);
		echo_fill(bin, size, (unsigned int)t->calls + 7u * me);
		n = echo_call_build(msg, (uint32_t)t->calls + 1, bin, size);
		if (ep_write_msg(fd, msg, n)) {
			t->failed = errno;
			break;
		}
		t->calls++;
		/* A reply to an earlier call that timed out: late, skipped. */
		do {
			r = ep_read_msg(fd, back, sizeof(back), CALL_TIMEOUT_MS);
		} while (r > 0 && !rpc_decode(back, r, m) && m->type == 1 &&
			 m->msgid < (uint32_t)t->calls && ++t->late);
		if (r == -ETIMEDOUT) {
			t->timeouts++;
			continue;
		}
		if (r < 0) {	/* a loss the session was told of (EOVERFLOW) */
			t->errors++;
			continue;
		}
		if (rpc_decode(back, r, m) || m->type != 1 ||
		    m->msgid != (uint32_t)t->calls) {
			t->damaged++;
			t->bad_form++;
			continue;
		}
		if (m->error) {
			if (strstr(m->errtext, "m4rpc: the reply was lost"))
				t->told++;
			else
				t->errors++;
		} else if (m->is_bin && m->bin_len == size &&
			   !memcmp(m->bin, bin, size)) {
			t->intact++;
		} else {
			if (!t->damaged) {	/* the first one, for the log */
				t->dmg_sent = size;
				t->dmg_got = m->is_bin ? m->bin_len : 0;
				t->dmg_wire = r;
			}
			t->damaged++;
		}
	}
	close(fd);
	free(m);
}

static int start_callers(struct board_env *e, struct shared *sh,
			 unsigned int max_calls, pid_t *pids)
{
	int i;

	for (i = 0; i < CALLERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return errno;
		if (!pids[i]) {
			caller(e, sh, i, max_calls);
			_exit(0);
		}
	}
	return 0;
}

static void join_callers(pid_t *pids)
{
	int i;

	for (i = 0; i < CALLERS; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

static struct tally sum(const struct shared *sh)
{
	struct tally s = { 0 };
	int i;

	for (i = 0; i < CALLERS; i++) {
		s.calls += sh->t[i].calls;
		s.intact += sh->t[i].intact;
		s.told += sh->t[i].told;
		s.errors += sh->t[i].errors;
		s.timeouts += sh->t[i].timeouts;
		s.damaged += sh->t[i].damaged;
		s.late += sh->t[i].late;
		s.bad_form += sh->t[i].bad_form;
		s.failed |= sh->t[i].failed;
	}
	return s;
}

/* The M4's notifications a listener got: intact (sent so) or damaged. */
static void listen_some(struct board_env *e, int fd, uint64_t *intact,
			uint64_t *damaged)
{
	uint8_t buf[EP_MSG_MAX];
	uint64_t seq;
	ssize_t r;
	int k = 0;

	/* Bounded: the M4 never stops sending. */
	while (k++ < 200 &&
	       ((r = ep_read_msg(fd, buf, sizeof(buf), 50)) > 0 ||
		r == -EOVERFLOW)) {
		if (r < 0)
			continue;	/* its queue overflowed: counted */
		if (h7emu_sent_find(e->b[0].emu, 0, buf, r, &seq))
			(*damaged)++;
		else
			(*intact)++;
	}
}

static struct shared *shared_new(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED)
		return NULL;
	memset(sh, 0, sizeof(*sh));
	return sh;
}

BOARD_FIXTURE(integ);

/*
 * Linux late by 1..4 ms before every transfer, the M4 sending 400
 * notifications a second, eight callers: until the H7 has lost at least
 * 1,000 chunks (or 40 s). Nothing damaged reaches anyone.
 */
TEST_F_TIMEOUT(integ, late_linux_loses_nothing_silently, 200)
{
	struct board_env *e = &self->env;
	uint64_t n_intact = 0, n_damaged = 0, first, next;
	struct m4rpc_link_stats ls;
	struct h7emu_config cfg;
	struct h7emu_stats st;
	pid_t pids[CALLERS];
	struct shared *sh;
	struct tally s;
	uint64_t end;
	int fd;

	sh = shared_new();
	ASSERT_NE(NULL, sh);
	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;	/* binds echo too */
	cfg.traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	cfg.traffic.rate = 400;
	cfg.traffic.size = 80;
	snprintf(cfg.traffic.method, sizeof(cfg.traffic.method), "%s",
		 NOTIFY_METHOD);
	ASSERT_EQ(0, board_up(e, &(struct board_opts){ .cfg = &cfg }));
	fd = board_ep_open(e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_bind(fd, NOTIFY_METHOD));
	ASSERT_EQ(0, h7emu_dev_set_delay(e->b[0].be, 1000, 3000));

	ASSERT_EQ(0, start_callers(e, sh, UINT32_MAX, pids));
	end = now_ms() + 40000;
	do {
		listen_some(e, fd, &n_intact, &n_damaged);
		h7emu_get_stats(e->b[0].emu, &st);
	} while (st.ui_chunks_lost < 1000 && now_ms() < end);
	sh->stop = 1;
	join_callers(pids);
	listen_some(e, fd, &n_intact, &n_damaged);
	ASSERT_EQ(0, h7emu_dev_set_delay(e->b[0].be, 0, 0));
	ASSERT_EQ(0, ep_link_stats(fd, &ls));
	h7emu_get_stats(e->b[0].emu, &st);
	h7emu_sent_range(e->b[0].emu, &first, &next);
	s = sum(sh);

	TH_LOG("M4 sent %llu messages; H7 lost %llu chunks, cut %llu tails, overwrote %llu ring bytes",
	       (unsigned long long)next,
	       (unsigned long long)st.ui_chunks_lost,
	       (unsigned long long)st.frames_out_oversize,
	       (unsigned long long)st.ring_bytes_overwritten);
	TH_LOG("calls %llu: intact %llu, told at once %llu, other errors %llu, timed out %llu (late replies %llu), damaged %llu (%llu of them malformed or another msgid)",
	       (unsigned long long)s.calls, (unsigned long long)s.intact,
	       (unsigned long long)s.told, (unsigned long long)s.errors,
	       (unsigned long long)s.timeouts, (unsigned long long)s.late,
	       (unsigned long long)s.damaged, (unsigned long long)s.bad_form);
	TH_LOG("notifications: intact %llu, damaged %llu; kernel dropped %llu as suspect, %llu cut, %llu holes reported",
	       (unsigned long long)n_intact, (unsigned long long)n_damaged,
	       (unsigned long long)ls.rx_suspect,
	       (unsigned long long)ls.rx_cut, (unsigned long long)ls.rx_lost);

	for (int i = 0; i < CALLERS; i++)
		if (sh->t[i].damaged)
			TH_LOG("caller %d: first damaged reply: %zd bytes, bin of %zu sent, %zu back",
			       i, sh->t[i].dmg_wire, sh->t[i].dmg_sent,
			       sh->t[i].dmg_got);
	EXPECT_EQ(0, s.failed);
	EXPECT_LE(1000u, st.ui_chunks_lost);
	/* Nothing damaged reaches an application. */
	EXPECT_EQ(0u, s.damaged);
	EXPECT_EQ(0u, n_damaged);
	/* Every call ended: a reply, an error, or its own timeout. */
	EXPECT_EQ(s.calls, s.intact + s.told + s.errors + s.timeouts +
		  s.damaged);
	EXPECT_LT(0u, s.intact);
	EXPECT_LT(0u, n_intact);
	close(fd);
	munmap(sh, sizeof(*sh));
}

/*
 * The same calls on time and without the M4's traffic: the wire window
 * keeps what the M4 owes within one frame, so the H7 loses nothing.
 */
TEST_F_TIMEOUT(integ, window_holds_on_time, 200)
{
	struct board_env *e = &self->env;
	struct m4rpc_link_stats ls;
	pid_t pids[CALLERS];
	struct h7emu_stats st;
	struct shared *sh;
	struct tally s;
	int fd;

	sh = shared_new();
	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, board_up(e, NULL));
	fd = board_ep_open(e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_callers(e, sh, 250, pids));
	join_callers(pids);
	h7emu_get_stats(e->b[0].emu, &st);
	s = sum(sh);
	ASSERT_EQ(0, ep_link_stats(fd, &ls));
	TH_LOG("calls %llu: intact %llu, told %llu, errors %llu, timeouts %llu, damaged %llu; H7 lost %llu chunks; kernel dropped %llu suspect, %llu cut",
	       (unsigned long long)s.calls, (unsigned long long)s.intact,
	       (unsigned long long)s.told, (unsigned long long)s.errors,
	       (unsigned long long)s.timeouts, (unsigned long long)s.damaged,
	       (unsigned long long)st.ui_chunks_lost,
	       (unsigned long long)ls.rx_suspect,
	       (unsigned long long)ls.rx_cut);
	TH_LOG("link: replies_lost %lld, ack_timeouts %lld, resyncs %lld, doorbells %lld",
	       link_stat(e, 0, "replies_lost"), link_stat(e, 0, "ack_timeouts"),
	       link_stat(e, 0, "resyncs"), link_stat(e, 0, "doorbells"));
	for (int i = 0; i < CALLERS; i++)
		TH_LOG("caller %d: %llu timeouts", i,
		       (unsigned long long)sh->t[i].timeouts);
	EXPECT_EQ(0, s.failed);
	EXPECT_EQ(CALLERS * 250u, s.calls);
	EXPECT_EQ(s.calls, s.intact);
	EXPECT_EQ(0u, st.ui_chunks_lost);
	close(fd);
	munmap(sh, sizeof(*sh));
}

/*
 * One caller, a reply longer than a frame (rpclib's error for a long
 * method name, 271 bytes), Linux late: it comes back intact, or the loss
 * is reported; never damaged.
 */
TEST_F_TIMEOUT(integ, long_reply_intact_or_reported, 120)
{
	struct board_env *e = &self->env;
	uint8_t msg[300], back[EP_MSG_MAX];
	char name[202];
	int fd, k, intact = 0, reported = 0;
	struct rpc_msg *m;
	size_t n;
	ssize_t r;

	m = malloc(sizeof(*m));
	ASSERT_NE(NULL, m);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ASSERT_EQ(0, board_up(e, NULL));
	fd = board_ep_open(e, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ep_wait_m4(fd, M4RPC_M4_RUNNING, T_MS));
	ASSERT_EQ(0, h7emu_dev_set_delay(e->b[0].be, 1000, 3000));
	for (k = 0; k < 10; k++) {
		n = mk_call_void(msg, k + 1, name);
		ASSERT_EQ(0, ep_write_msg(fd, msg, n));
		r = ep_read_msg(fd, back, sizeof(back), CALL_TIMEOUT_MS);
		if (r == -ETIMEDOUT) {
			TH_LOG("call %d: no reply in %d ms", k + 1,
			       CALL_TIMEOUT_MS);
			if (!reported)
				board_dump(e, 0, fd);
			reported++;
			continue;
		}
		ASSERT_LT(0, r);
		ASSERT_EQ(0, rpc_decode(back, r, m));
		ASSERT_EQ(k + 1, (int)m->msgid);
		ASSERT_TRUE(m->error);
		if (strstr(m->errtext, "m4rpc: the reply was lost")) {
			reported++;
			continue;
		}
		/* rpclib's text, whole: the name and the count after it. */
		ASSERT_NE(NULL, strstr(m->errtext, name));
		ASSERT_NE(NULL, strstr(m->errtext, "argument count 0."));
		if (k == 0)
			TH_LOG("the reply is %zd bytes", r);
		intact++;
	}
	TH_LOG("10 calls: %d replies intact, %d losses reported", intact,
	       reported);
	EXPECT_EQ(10, intact + reported);
	ASSERT_EQ(0, h7emu_dev_set_delay(e->b[0].be, 0, 0));
	close(fd);
	free(m);
}

TEST_HARNESS_MAIN
