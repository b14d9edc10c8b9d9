// SPDX-License-Identifier: GPL-2.0
/*
 * The fault soak (soak.h): options, the board, the threads, the report.
 *
 *   soak [--seed N] [--seconds S] [--callers C] [--verbose]
 *
 * Defaults from the environment: M4RPC_TEST_SOAK_SEED (unset: seed 2, the
 * suite's; empty: one drawn from the clock, printed), M4RPC_TEST_SOAK_SECONDS
 * (else 30, under the debug kernel too),
 * M4RPC_TEST_SOAK_CALLERS (4). Plain TAP; exit status 0 when every check
 * passed. The same seed gives the same fault plan, the same traffic
 * settings and the same calls (sizes and bytes); timing, and so which
 * frames a fault hits, differs from run to run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "soak.h"

#define FINAL_CALLS	10

void soak_fail(struct soak *s, int err, const char *what)
{
	pthread_mutex_lock(&s->lock);
	if (!s->t.failed) {
		s->t.failed = err ? err : EIO;
		snprintf(s->t.failed_what, sizeof(s->t.failed_what), "%s", what);
	}
	pthread_mutex_unlock(&s->lock);
}

void soak_totals_add(struct soak *s, const struct soak_totals *t)
{
	pthread_mutex_lock(&s->lock);
#define SOAK_COUNT_ADD(name) s->t.name += t->name;
	SOAK_COUNTS(SOAK_COUNT_ADD)
#undef SOAK_COUNT_ADD
	pthread_mutex_unlock(&s->lock);
}

uint64_t soak_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;	/* FNV-1a, length too */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

bool soak_one_bit(const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned int bits = 0;
	size_t i;

	for (i = 0; i < n && bits < 2; i++)
		bits += __builtin_popcount(a[i] ^ b[i]);
	return bits == 1;
}

static unsigned long env_num(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static int options(struct soak *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 'S' },
		{ "seconds", required_argument, NULL, 's' },
		{ "callers", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	int c;

	/*
	 * In the test suite (the variable unset) one fixed seed, so that
	 * make check judges the code, not the draw: seed 684527 at 90 s shows
	 * damaged echo replies on this code and on the code before session 5's
	 * link changes (issue 17). `make soak` sets it, empty for a new draw.
	 */
	s->seed = env_num("M4RPC_TEST_SOAK_SEED", getenv("M4RPC_TEST_SOAK_SEED") ? 0 : 2);
	if (!s->seed)
		s->seed = ((uint64_t)time(NULL) * 2654435761u ^ getpid()) %
			  1000000 + 1;
	s->seconds = env_num("M4RPC_TEST_SOAK_SECONDS", 30);
	s->callers = env_num("M4RPC_TEST_SOAK_CALLERS", 4);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			s->seed = strtoull(optarg, NULL, 0);
			break;
		case 's':
			s->seconds = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			s->callers = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			s->verbose = true;
			break;
		default:
			fprintf(stderr, "usage: soak [--seed N] [--seconds S] [--callers C] [--verbose]\n");
			return c == 'h' ? 1 : 2;
		}
	}
	if (!s->callers || s->callers > SOAK_CALLERS_MAX || s->seconds < 10) {
		fprintf(stderr, "soak: 1..%d callers, at least 10 seconds\n",
			SOAK_CALLERS_MAX);
		return 2;
	}
	return 0;
}

/* The traffic sketch (echo bound) sending notifications, drawn too. */
static void config(struct soak *s, struct h7emu_config *cfg)
{
	uint64_t r = s->seed ^ 0x7472616600000000ull;	/* "traf" */

	board_config(cfg, 0);
	cfg->seed = s->seed;
	cfg->sketch = H7EMU_SKETCH_TRAFFIC;
	cfg->traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	cfg->traffic.rate = soak_range(&r, 20, 150);
	cfg->traffic.size = soak_range(&r, 0, 120);
	snprintf(cfg->traffic.method, sizeof(cfg->traffic.method), "%s",
		 SOAK_NOTIFY_METHOD);
}

/*
 * After the faults: echo calls on a new session come back intact. The
 * M4's notifications go on, and a Linux made late by the VM can still
 * lose a reply with one of their chunks (told, or at the timeout): so
 * most of them, and none damaged (*@bad).
 */
static unsigned int final_calls(struct soak *s, unsigned int *bad)
{
	uint8_t bin[256], msg[512], back[EP_MSG_MAX];
	uint64_t r = s->seed ^ 0x66696e616c000000ull;	/* "final" */
	struct rpc_msg *m = malloc(sizeof(*m));
	unsigned int k, ok = 0;
	size_t size, n, i;
	ssize_t got;
	int fd = board_ep_session(&s->env, 0);

	for (k = 0; m && fd >= 0 && k < FINAL_CALLS; k++) {
		size = soak_range(&r, 0, s->max_payload);
		for (i = 0; i < size; i++)
			bin[i] = (uint8_t)soak_rand(&r);
		n = echo_call_build(msg, k + 1, bin, size);
		if (ep_write_msg(fd, msg, n))
			break;
		got = ep_read_msg(fd, back, sizeof(back), 5000);
		if (got > 0 && !rpc_decode(back, got, m) && m->type == 1 &&
		    m->msgid == k + 1 && !m->error && m->is_bin &&
		    m->bin_len == size && !memcmp(m->bin, bin, size)) {
			ok++;
			continue;
		}
		if (got == -ETIMEDOUT || (got > 0 && m->error &&
		    strstr(m->errtext, "m4rpc: the reply was lost"))) {
			printf("# final call %u (%zu bytes): %s\n", k + 1, size,
			       got > 0 ? "reply lost, told" : "timed out");
			continue;
		}
		printf("# final call %u (%zu bytes): %zd: %s\n", k + 1, size,
		       got, got > 0 ? m->errtext : strerror(-got));
		(*bad)++;
	}
	if (fd >= 0)
		close(fd);
	free(m);
	return ok;
}

static int tap(int *n, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int tap(int *n, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++*n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok ? 0 : 1;
}

/* "12 (counted 11, only an injected fault 1, silent 0)" */
static const char *losses(const uint64_t *lost, char *buf, size_t size)
{
	snprintf(buf, size, "%llu (counted %llu, only an injected fault %llu, silent %llu)",
		 (unsigned long long)(lost[0] + lost[1] + lost[2]),
		 (unsigned long long)lost[SOAK_LOSS_COUNTED],
		 (unsigned long long)lost[SOAK_LOSS_FAULT],
		 (unsigned long long)lost[SOAK_LOSS_SILENT]);
	return buf;
}

static void totals(const struct soak *s, const struct h7emu_stats *st)
{
	char b[128];
	const struct soak_totals *t = &s->t;

	printf("# seed %llu, %u s, %u callers\n", (unsigned long long)s->seed,
	       s->seconds, s->callers);
	printf("# echo: calls %llu, replies ok %llu, told lost %llu, told M4 stopped %llu, other errors %llu, late %llu, session overflows %llu\n",
	       (unsigned long long)t->calls, (unsigned long long)t->replies_ok,
	       (unsigned long long)t->told_lost,
	       (unsigned long long)t->told_stopped,
	       (unsigned long long)t->other_errors,
	       (unsigned long long)t->late, (unsigned long long)t->overflows);
	printf("# echo: lost %s; flipped %llu, garbled %llu (bit-flip windows); damaged %llu, wrong session %llu, twice %llu\n",
	       losses(t->lost, b, sizeof(b)), (unsigned long long)t->flipped,
	       (unsigned long long)t->garbled, (unsigned long long)t->damaged,
	       (unsigned long long)t->wrong_session,
	       (unsigned long long)t->duplicates);
	printf("# notifications: ok %llu, lost %s, flipped %llu, garbled %llu, damaged %llu, twice %llu, past the sent log %llu\n",
	       (unsigned long long)t->notify_ok,
	       losses(t->notify_lost, b, sizeof(b)),
	       (unsigned long long)t->notify_flipped,
	       (unsigned long long)t->notify_garbled,
	       (unsigned long long)t->notify_damaged,
	       (unsigned long long)t->notify_dups,
	       (unsigned long long)t->notify_unseen);
	printf("# tty: bytes %llu, whole writes %llu, writes lost %s, flipped %llu, garbled %llu, damaged %llu, twice %llu, reopened %llu\n",
	       (unsigned long long)t->tty_bytes,
	       (unsigned long long)t->tty_writes_ok,
	       losses(t->tty_lost, b, sizeof(b)),
	       (unsigned long long)t->tty_flipped,
	       (unsigned long long)t->tty_garbled,
	       (unsigned long long)t->tty_damaged,
	       (unsigned long long)t->tty_dups,
	       (unsigned long long)t->tty_reopens);
	printf("# M4 sent %llu messages (%llu notifications, %llu answers), the sent log dropped %llu\n",
	       (unsigned long long)st->m4_msgs_out,
	       (unsigned long long)st->m4_notifications_out,
	       (unsigned long long)st->m4_answered,
	       (unsigned long long)st->sent_dropped);
}

static int run(struct soak *s)
{
	struct soak_caller callers[SOAK_CALLERS_MAX];
	pthread_t listener, tty;
	struct h7emu_config cfg;
	struct m4rpc_info info;
	struct h7emu_stats st;
	const struct soak_totals *t = &s->t;
	unsigned int i, ok_final, bad_final = 0;
	uint64_t wire;
	int ret, fd, n = 0, bad = 0;

	config(s, &cfg);
	printf("# soak: seed %llu, %u s, %u callers; traffic: %u notifications/s of %u bytes; tty: a %d-byte write every 50 ms\n",
	       (unsigned long long)s->seed, s->seconds, s->callers,
	       cfg.traffic.rate, cfg.traffic.size, SOAK_TTY_WRITE);
	ret = board_up(&s->env, &(struct board_opts){ .cfg = &cfg });
	fd = ret ? -1 : board_ep_session(&s->env, 0);
	if (fd >= 0) {
		ret = ep_info(fd, &info);
		close(fd);
	} else if (!ret) {
		ret = -fd;
	}
	if (tap(&n, !ret, "board up (%s)", ret ? strerror(ret) : "ok"))
		goto bail;
	s->emu = s->env.b[0].emu;
	s->max_payload = info.max_tx_msg - ECHO_CALL_OVERHEAD;
	ret = soak_losses_start(s);
	if (tap(&n, !ret, "the counters' sampler runs"))
		goto bail;
	pthread_create(&listener, NULL, soak_notify_thread, s);
	pthread_create(&tty, NULL, soak_tty_thread, s);
	for (i = 0; i < s->callers; i++) {
		callers[i].s = s;
		callers[i].id = i;
		pthread_create(&callers[i].thread, NULL, soak_echo_thread,
			       &callers[i]);
	}
	soak_plan_run(s);
	s->stop = 1;
	for (i = 0; i < s->callers; i++)
		pthread_join(callers[i].thread, NULL);
	pthread_join(listener, NULL);
	pthread_join(tty, NULL);
	ok_final = final_calls(s, &bad_final);
	soak_losses_settle(s);

	h7emu_get_stats(s->emu, &st);
	totals(s, &st);
	soak_losses_print(s);
	soak_losses_stop();
	wire = st.fault_flip_mosi + st.fault_flip_miso + st.fault_garbage;

	bad |= tap(&n, !t->failed, "no unexpected error%s%s%s%s",
		   t->failed ? ": " : "", t->failed ? t->failed_what : "",
		   t->failed ? ": " : "", t->failed ? strerror(t->failed) : "");
	bad |= tap(&n, !t->damaged && !t->notify_damaged && !t->tty_damaged,
		   "nothing damaged reached an application (damaged: echo %llu, notifications %llu, tty %llu)",
		   (unsigned long long)t->damaged,
		   (unsigned long long)t->notify_damaged,
		   (unsigned long long)t->tty_damaged);
	bad |= tap(&n, !t->duplicates && !t->wrong_session && !t->notify_dups &&
		   !t->tty_dups,
		   "nothing delivered twice or to the wrong session (%llu, %llu, %llu, %llu)",
		   (unsigned long long)t->duplicates,
		   (unsigned long long)t->wrong_session,
		   (unsigned long long)t->notify_dups,
		   (unsigned long long)t->tty_dups);
	bad |= tap(&n, !t->lost[SOAK_LOSS_SILENT] &&
		   !t->notify_lost[SOAK_LOSS_SILENT] &&
		   !t->tty_lost[SOAK_LOSS_SILENT],
		   "every loss is accounted for by a counter (silent: echo %llu, notifications %llu, tty %llu)",
		   (unsigned long long)t->lost[SOAK_LOSS_SILENT],
		   (unsigned long long)t->notify_lost[SOAK_LOSS_SILENT],
		   (unsigned long long)t->tty_lost[SOAK_LOSS_SILENT]);
	bad |= tap(&n, t->flipped + t->garbled + t->notify_flipped +
		   t->notify_garbled + t->tty_flipped + t->tty_garbled <=
		   2 * wire,
		   "differences only where bits were flipped (%llu differences, %llu flips and garbage frames)",
		   (unsigned long long)(t->flipped + t->garbled +
					t->notify_flipped + t->notify_garbled +
					t->tty_flipped + t->tty_garbled),
		   (unsigned long long)wire);
	bad |= tap(&n, t->replies_ok && t->notify_ok && t->tty_writes_ok,
		   "traffic flowed (echo replies %llu, notifications %llu, tty writes %llu)",
		   (unsigned long long)t->replies_ok,
		   (unsigned long long)t->notify_ok,
		   (unsigned long long)t->tty_writes_ok);
	bad |= tap(&n, ok_final >= FINAL_CALLS / 2 && !bad_final,
		   "the link works after the faults (%u of %d echo calls intact, %u wrong)",
		   ok_final, FINAL_CALLS, bad_final);
	printf("# seed %llu (rerun: soak --seed %llu --seconds %u)\n",
	       (unsigned long long)s->seed, (unsigned long long)s->seed,
	       s->seconds);
	if (bad)
		board_dump(&s->env, 0, -1);
	board_down(&s->env);
	printf("1..%d\n", n);
	return bad;
bail:
	board_dump(&s->env, 0, -1);
	board_down(&s->env);
	printf("1..%d\n", n);
	return 1;
}

int main(int argc, char **argv)
{
	static struct soak s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = options(&s, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	printf("TAP version 13\n");
	return run(&s) ? 1 : 0;
}
