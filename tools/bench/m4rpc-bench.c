// SPDX-License-Identifier: GPL-2.0
/*
 * m4rpc-bench: the latency and throughput of calls through /dev/m4rpc0 on
 * the simulated board (m4rpc_sim.ko + libh7emu in a thread of this
 * program, brought up by the selftests' board helper), next to the
 * minimum that the wire and the emulated H7 allow for the same call.
 *
 * Root, the modules and the simulator are needed: run it in the VM
 * (`make bench`, or scripts/vm-run.sh -- build/tools/m4rpc-bench).
 * --help explains the columns; the model is model_call() below.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/m4rpc_sim.h>

#include "board.h"

#define REPLY_TIMEOUT_MS	5000
#define BENCH_BOARD		0

/*
 * Whether the emulated H7 runs a main-loop pass right after each transfer
 * and each M4 message ("wake-ups"), or only every pass_us. The emulator
 * wakes on events, as the firmware does (emu/h7emu_run.c; tick_only turns
 * that off): 1.
 */
#define BENCH_H7_WAKEUPS_DEFAULT	1

struct kind {
	const char *name;
	enum h7emu_sketch sketch;
	const char *method;
	size_t bin;		/* echo: bytes sent and returned; 0: none */
};

static const struct kind kinds[] = {
	{ "temperature", H7EMU_SKETCH_SENSORS, "temperature", 0 },
	{ "echo16", H7EMU_SKETCH_ECHO, "echo", 16 },
	{ "echo128", H7EMU_SKETCH_ECHO, "echo", 128 },
};
#define KINDS	(sizeof(kinds) / sizeof(kinds[0]))
/* The concurrent figure: small echo calls. */
#define CONC_KIND	(&kinds[1])

struct opts {
	unsigned int n, warmup, threads, conc_calls;
	bool wakeups, json, tap;
};

/* Latencies of one run and what they come to. */
struct lat {
	uint64_t *ns;
	unsigned int n;
	double p50_us, p99_us, max_us;
	double secs, calls_per_s;
};

/* What the emulator and the simulator say, for the model. */
struct env_params {
	uint32_t speed_hz;	/* the link clocks at the device's max */
	bool wire_time;		/* m4rpc_sim's wire_time: transfers take time */
	uint32_t pass_us;
	uint32_t slow_m4_ms;
	bool wakeups;
};

/* The model's figure for one call, and its parts. */
struct model {
	unsigned int xfers;	/* 256-byte transfers */
	unsigned int chunks;	/* reply frames (H7EMU_CHUNK_MAX each) */
	double xfer_us;		/* one transfer */
	double react_us, react_lo_us, react_hi_us; /* one H7 reaction */
	double m4_react_us;	/* the H7's reaction to the M4's reply */
	double sketch_us;
	double us, lo_us, hi_us;	/* the call: mean, best, worst */
};

struct row {
	const struct kind *k;
	struct lat lat;
	struct model m;
	size_t reply_len;
	double xfers_per_call, doorbells_per_call;
	int err;		/* 0, or the errno that ended the run */
};

/*
 * The floor: the link's own round trip, a write to sysfs "refresh" (a
 * doorbell with the H7 requests, then the read of their answers), with no
 * endpoint and no M4: what this VM's simulator and emulator cost for two
 * transfers, whoever drives them.
 */
struct floor {
	struct lat lat;
	double xfers_per_op;
	int err;
};

struct conc {
	struct lat lat;
	double seq_calls_per_s;	/* echo16's sequential figure */
	int err;
};

/* An error of the board helper: a positive errno, or (some) -1. */
static const char *errstr(int err)
{
	return err > 0 ? strerror(err) : "failed";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* ---- the model ------------------------------------------------------------ */

/* The simulator's wire_time: a transfer of len bytes takes len * 8 / speed. */
static double xfer_us(const struct env_params *p, unsigned int len)
{
	return p->wire_time && p->speed_hz ?
	       (double)len * 8 * 1e6 / p->speed_hz : 0;
}

enum h7_event {
	H7_EV_TRANSFER,		/* a frame came in: process it, swap */
	H7_EV_M4_REPLY,		/* the M4 put its reply into the ring */
};

/*
 * How long the H7 takes to run the pass that acts on @ev (the one place the
 * model says it): *lo best, *hi worst, the mean returned.
 *
 * A transfer: the H7 answers within one pass after it. With passes every
 * pass_us on a fixed schedule (emu/h7emu_run.c), a call lands at any phase
 * of it: 0..pass_us, pass_us / 2 on average. With wake-ups, a pass runs
 * right after the transfer: 0.
 *
 * The M4's reply: in a pass the M4 works after the received frame has been
 * processed, and the ring goes into the frame in the same pass
 * (h7emu__h7c_pass() in emu/h7emu_core.c), so the reply is framed in the
 * pass that delivered the call: 0 either way (with wake-ups, a pass right
 * after the M4's message, also 0).
 */
static double h7_reaction_us(const struct env_params *p, enum h7_event ev,
			     double *lo, double *hi)
{
	*lo = 0;
	*hi = 0;
	if (ev == H7_EV_M4_REPLY || p->wakeups)
		return 0;
	*hi = p->pass_us;
	return p->pass_us / 2.0;
}

/*
 * The least a call can take: its request in one 256-byte transfer, the H7's
 * reaction to it (process the frame, hand the call to the M4), the sketch's
 * own time (the emulator models only the slow_m4 fault: each rpmsg message
 * held slow_m4_ms; its sketches answer at once), the H7's reaction to the
 * M4's reply (into the frame, swap, nIRQ low), and one transfer to read
 * it. The H7 moves at most H7EMU_CHUNK_MAX ring bytes per pass, and swaps
 * again only after the master has read the last frame: a longer reply
 * takes one more transfer and one more reaction per chunk.
 */
static void model_call(const struct env_params *p, size_t reply_len,
		       struct model *m)
{
	double lo, hi, m4lo, m4hi;

	memset(m, 0, sizeof(*m));
	m->chunks = reply_len ? (reply_len + H7EMU_CHUNK_MAX - 1) /
				H7EMU_CHUNK_MAX : 1;
	m->xfers = 1 + m->chunks;
	m->xfer_us = xfer_us(p, H7EMU_FRAME_LEN);
	m->react_us = h7_reaction_us(p, H7_EV_TRANSFER, &lo, &hi);
	m->react_lo_us = lo;
	m->react_hi_us = hi;
	m->m4_react_us = h7_reaction_us(p, H7_EV_M4_REPLY, &m4lo, &m4hi);
	m->sketch_us = p->slow_m4_ms * 1000.0;
	m->us = m->xfers * m->xfer_us + m->chunks * m->react_us +
		m->m4_react_us + m->sketch_us;
	m->lo_us = m->xfers * m->xfer_us + m->chunks * lo + m4lo +
		   m->sketch_us;
	m->hi_us = m->xfers * m->xfer_us + m->chunks * hi + m4hi +
		   m->sketch_us;
}

static int env_params_get(struct board_env *env, const struct h7emu_config *cfg,
			  const struct opts *o, struct env_params *p)
{
	struct m4rpc_sim_info info;
	char buf[16] = "";
	FILE *f;
	int ret;

	ret = -h7emu_dev_info(env->b[BENCH_BOARD].be, &info);
	if (ret)
		return ret;
	p->speed_hz = info.max_speed_hz;
	p->wire_time = true;	/* the simulator's default */
	f = fopen("/sys/module/m4rpc_sim/parameters/wire_time", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			p->wire_time = buf[0] == 'Y' || buf[0] == '1';
		fclose(f);
	}
	p->pass_us = cfg->pass_us;
	p->slow_m4_ms = cfg->faults.slow_m4_ms;
	p->wakeups = o->wakeups;
	return 0;
}

/* ---- calls ----------------------------------------------------------------- */

/* The request of kind @k with @msgid into @buf: its length. */
static size_t build_call(const struct kind *k, uint32_t msgid, uint8_t *buf)
{
	uint8_t bin[256];

	if (!k->bin)
		return mk_call_void(buf, msgid, k->method);
	echo_fill(bin, k->bin, msgid);
	return echo_call_build(buf, msgid, bin, k->bin);
}

/* Whether @m is the reply of kind @k's call @msgid. */
static bool reply_ok(const struct kind *k, uint32_t msgid,
		     const struct rpc_msg *m)
{
	uint8_t bin[256];

	if (m->type != 1 || m->msgid != msgid || m->error)
		return false;
	if (!k->bin)
		return m->is_int;
	echo_fill(bin, k->bin, msgid);
	return m->is_bin && m->bin_len == k->bin &&
	       !memcmp(m->bin, bin, k->bin);
}

/*
 * One call on @fd: write the request, wait for its reply and read it
 * (the board helper's ep_read_msg(): poll() with a timeout, then read(),
 * as a call needs a timeout). *@ns: from before write() to after read().
 * 0, or an errno (EBADMSG: not the reply expected).
 */
static int call_once(int fd, const struct kind *k, uint32_t msgid,
		     uint64_t *ns, size_t *reply_len)
{
	static __thread uint8_t req[EP_MSG_MAX], rep[EP_MSG_MAX];
	static __thread struct rpc_msg m;
	size_t len = build_call(k, msgid, req);
	uint64_t t0;
	ssize_t n;
	int ret;

	t0 = now_ns();
	ret = ep_write_msg(fd, req, len);
	if (ret)
		return ret;
	n = ep_read_msg(fd, rep, sizeof(rep), REPLY_TIMEOUT_MS);
	*ns = now_ns() - t0;
	if (n < 0)
		return -n;
	if (reply_len)
		*reply_len = n;
	if (rpc_decode(rep, n, &m) || !reply_ok(k, msgid, &m))
		return EBADMSG;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least @pct % at or below it. */
static double pct_us(const uint64_t *sorted, unsigned int n, double pct)
{
	unsigned int r = (unsigned int)ceil(pct / 100 * n);

	return sorted[r ? r - 1 : 0] / 1e3;
}

static void lat_finish(struct lat *l, uint64_t elapsed_ns)
{
	qsort(l->ns, l->n, sizeof(*l->ns), cmp_u64);
	l->p50_us = pct_us(l->ns, l->n, 50);
	l->p99_us = pct_us(l->ns, l->n, 99);
	l->max_us = l->ns[l->n - 1] / 1e3;
	l->secs = elapsed_ns / 1e9;
	l->calls_per_s = l->n / l->secs;
}

/* Warm-up, then o->n sequential calls of kind @r->k on @fd. */
static void run_seq(struct board_env *env, int fd, const struct opts *o,
		    uint32_t *msgid, struct row *r)
{
	uint64_t x0, x1, t0, ns;
	long long d0, d1;
	unsigned int i;

	for (i = 0; i < o->warmup && !r->err; i++)
		r->err = call_once(fd, r->k, (*msgid)++, &ns, &r->reply_len);
	if (r->err)
		return;
	r->lat.ns = calloc(o->n, sizeof(*r->lat.ns));
	if (!r->lat.ns) {
		r->err = ENOMEM;
		return;
	}
	r->err = board_sim_transfers(env, BENCH_BOARD, &x0);
	d0 = link_stat(env, BENCH_BOARD, "doorbells");
	t0 = now_ns();
	for (i = 0; i < o->n && !r->err; i++)
		r->err = call_once(fd, r->k, (*msgid)++, &r->lat.ns[i],
				   &r->reply_len);
	ns = now_ns() - t0;
	if (r->err)
		return;
	r->lat.n = o->n;
	lat_finish(&r->lat, ns);
	r->err = board_sim_transfers(env, BENCH_BOARD, &x1);
	d1 = link_stat(env, BENCH_BOARD, "doorbells");
	r->xfers_per_call = (double)(x1 - x0) / o->n;
	r->doorbells_per_call = d0 >= 0 && d1 >= 0 ?
				(double)(d1 - d0) / o->n : -1;
}

/* o->n sysfs refreshes of the board, timed one by one. */
static void run_floor(struct board_env *env, const struct opts *o,
		      struct floor *f)
{
	uint64_t x0, x1, t0, t;
	unsigned int i;

	f->lat.ns = calloc(o->n, sizeof(*f->lat.ns));
	if (!f->lat.ns) {
		f->err = ENOMEM;
		return;
	}
	f->err = board_sim_transfers(env, BENCH_BOARD, &x0);
	t0 = now_ns();
	for (i = 0; i < o->n && !f->err; i++) {
		t = now_ns();
		f->err = link_attr_write(env, BENCH_BOARD, "refresh", "1");
		f->lat.ns[i] = now_ns() - t;
	}
	t = now_ns() - t0;
	if (!f->err)
		f->err = board_sim_transfers(env, BENCH_BOARD, &x1);
	if (f->err)
		return;
	f->lat.n = o->n;
	lat_finish(&f->lat, t);
	f->xfers_per_op = (double)(x1 - x0) / o->n;
}

/* ---- concurrent calls ------------------------------------------------------- */

/* The start of the concurrent calls: every thread waits for "go". */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;		/* 0 wait, 1 go, -1 give up */
};

struct worker {
	pthread_t th;
	int fd;
	unsigned int calls;
	uint64_t *ns;		/* its slice of the run's latencies */
	struct gate *gate;
	int err;
};

static void gate_set(struct gate *g, int state)
{
	pthread_mutex_lock(&g->lock);
	g->state = state;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned int i;
	int state;

	pthread_mutex_lock(&w->gate->lock);
	while (!(state = w->gate->state))
		pthread_cond_wait(&w->gate->cond, &w->gate->lock);
	pthread_mutex_unlock(&w->gate->lock);
	for (i = 0; state > 0 && i < w->calls && !w->err; i++)
		w->err = call_once(w->fd, CONC_KIND, i + 1, &w->ns[i], NULL);
	return NULL;
}

/* o->threads sessions, each making o->conc_calls sequential calls at once. */
static void run_conc(struct board_env *env, const struct opts *o,
		     struct conc *c)
{
	struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			     0 };
	struct worker *w = calloc(o->threads, sizeof(*w));
	unsigned int i, started = 0;
	uint64_t t0;

	c->lat.n = o->threads * o->conc_calls;
	c->lat.ns = calloc(c->lat.n, sizeof(*c->lat.ns));
	if (!w || !c->lat.ns) {
		free(w);
		c->err = ENOMEM;
		return;
	}
	for (i = 0; i < o->threads; i++)
		w[i].fd = -1;
	for (i = 0; !c->err && i < o->threads; i++) {
		w[i].fd = board_ep_session(env, BENCH_BOARD);
		if (w[i].fd < 0) {
			c->err = -w[i].fd;
			break;
		}
		w[i].calls = o->conc_calls;
		w[i].ns = c->lat.ns + i * o->conc_calls;
		w[i].gate = &gate;
		c->err = pthread_create(&w[i].th, NULL, worker_run, &w[i]);
		if (!c->err)
			started++;
	}
	t0 = now_ns();
	gate_set(&gate, c->err ? -1 : 1);
	for (i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		if (!c->err)
			c->err = w[i].err;
	}
	if (!c->err)
		lat_finish(&c->lat, now_ns() - t0);
	for (i = 0; i < o->threads; i++)
		if (w[i].fd >= 0)
			close(w[i].fd);
	free(w);
}

/* ---- output ---------------------------------------------------------------- */

static const char *pfx(const struct opts *o)
{
	return o->tap ? "# " : "";
}

/* The floor and what it means for the calls, under the table. */
static void print_floor(const struct opts *o, const struct row *rows,
			const struct floor *fl, const struct env_params *p)
{
	const char *h = pfx(o);
	double per_xfer;
	unsigned int i;

	printf("%s\n%sfloor: the link's own round trip, a write to sysfs refresh (a doorbell with the\n"
	       "%s  H7 requests, then the read of their answers; no endpoint, no M4)\n", h, h, h);
	if (fl->err) {
		printf("%s  failed: %s\n", h, errstr(fl->err));
		return;
	}
	per_xfer = fl->xfers_per_op > 0 ? fl->lat.p50_us / fl->xfers_per_op : 0;
	printf("%s  n %u, p50 %.1f us, p99 %.1f us, %.2f transfers each, wire time %.1f us each:\n"
	       "%s  a transfer costs %.1f us in this VM, %.1f x its wire time\n",
	       h, fl->lat.n, fl->lat.p50_us, fl->lat.p99_us, fl->xfers_per_op,
	       xfer_us(p, H7EMU_FRAME_LEN), h, per_xfer,
	       xfer_us(p, H7EMU_FRAME_LEN) > 0 ?
	       per_xfer / xfer_us(p, H7EMU_FRAME_LEN) : 0);
	printf("%s  a call with the model's transfers costs at least, here:", h);
	for (i = 0; i < KINDS; i++) {
		if (rows[i].err)
			continue;
		printf(" %s %.0f us (p50 %.2f x)", rows[i].k->name,
		       per_xfer * rows[i].m.xfers,
		       per_xfer > 0 ?
		       rows[i].lat.p50_us / (per_xfer * rows[i].m.xfers) : 0);
	}
	printf("\n");
}

static void print_table(const struct opts *o, const struct row *rows,
			const struct conc *c, const struct env_params *p)
{
	const char *h = pfx(o);
	struct model m0;
	unsigned int i;

	model_call(p, 0, &m0);	/* the parts, whatever the kinds did */

	printf("%s%u sequential calls per kind after %u warm-up calls, /dev/m4rpc%u; latencies in us\n",
	       h, o->n, o->warmup, BENCH_BOARD);
	printf("%s%-12s %5s %9s %9s %9s %8s %9s %8s %12s %9s\n", h, "kind", "n",
	       "p50", "p99", "max", "calls/s", "model", "p50/mod", "xfers/model",
	       "doorbells");
	for (i = 0; i < KINDS; i++) {
		const struct row *r = &rows[i];

		if (r->err) {
			printf("%s%-12s failed: %s\n", h, r->k->name,
			       errstr(r->err));
			continue;
		}
		printf("%s%-12s %5u %9.1f %9.1f %9.1f %8.1f %9.1f %8.2f %7.2f/%-4u %9.2f\n",
		       h, r->k->name, r->lat.n, r->lat.p50_us, r->lat.p99_us,
		       r->lat.max_us, r->lat.calls_per_s, r->m.us,
		       r->m.us > 0 ? r->lat.p50_us / r->m.us : 0,
		       r->xfers_per_call, r->m.xfers, r->doorbells_per_call);
	}
	printf("%s\n%sconcurrent: %u sessions (threads) x %u %s calls each\n",
	       h, h, o->threads, o->conc_calls, CONC_KIND->name);
	printf("%s%-12s %5s %9s %9s %9s %8s %9s\n", h, "kind", "n", "p50",
	       "p99", "max", "calls/s", "x seq");
	if (c->err)
		printf("%s%-12s failed: %s\n", h, CONC_KIND->name,
		       errstr(c->err));
	else
		printf("%s%-12s %5u %9.1f %9.1f %9.1f %8.1f %9.2f\n", h,
		       CONC_KIND->name, c->lat.n, c->lat.p50_us, c->lat.p99_us,
		       c->lat.max_us, c->lat.calls_per_s,
		       c->seq_calls_per_s > 0 ?
		       c->lat.calls_per_s / c->seq_calls_per_s : 0);

	if (!p->speed_hz) {
		printf("%s\n%sno model: no board came up\n", h, h);
		return;
	}
	printf("%s\n%smodel (the least the wire and the emulated H7 allow) = xfers x 256 B x 8 / speed\n"
	       "%s  + chunks x H7 reaction to a transfer + H7 reaction to the M4's reply + sketch time:\n",
	       h, h, h);
	printf("%s  transfer: 256 x 8 / %u Hz = %.1f us (m4rpc_sim wire_time=%s; the link clocks at max_speed_hz)\n",
	       h, p->speed_hz, m0.xfer_us, p->wire_time ? "Y" : "N");
	if (p->wakeups)
		printf("%s  H7 reaction to a transfer: 0 (a pass right after each transfer: --wakeups)\n",
		       h);
	else
		printf("%s  H7 reaction to a transfer: pass_us / 2 = %.1f us mean (0..%u: a pass every pass_us)\n",
		       h, m0.react_us, p->pass_us);
	printf("%s  H7 reaction to the M4's reply: %.1f us (the M4 answers in the pass that delivered the call)\n",
	       h, m0.m4_react_us);
	printf("%s  sketch time: %.1f us (slow_m4_ms=%u; the sketches answer at once)\n",
	       h, m0.sketch_us, p->slow_m4_ms);
	printf("%s  xfers = 1 request + 1 per reply chunk of <= %u bytes (replies:",
	       h, H7EMU_CHUNK_MAX);
	for (i = 0; i < KINDS; i++)
		printf(" %s %zu B", rows[i].k->name, rows[i].reply_len);
	printf("); best..worst:");
	for (i = 0; i < KINDS; i++)
		printf(" %.0f..%.0f", rows[i].m.lo_us, rows[i].m.hi_us);
	printf(" us\n");
	printf("%snot in the model: the link's doorbell before a call from idle (doorbells: per call,\n"
	       "%s  measured), the endpoint's syscalls and\n"
	       "%s  copies, scheduling, the VM; xfers: transfers per call measured / the model's\n",
	       h, h, h);
}

static void json_lat(const struct lat *l)
{
	printf("\"n\": %u, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"seconds\": %.3f, \"calls_per_s\": %.1f",
	       l->n, l->p50_us, l->p99_us, l->max_us, l->secs, l->calls_per_s);
}

static void print_json(const struct opts *o, const struct row *rows,
		       const struct conc *c, const struct floor *fl,
		       const struct env_params *p)
{
	unsigned int i;

	printf("{\"warmup\": %u,\n \"params\": {\"speed_hz\": %u, \"wire_time\": %s, \"pass_us\": %u, \"slow_m4_ms\": %u, \"wakeups\": %s, \"chunk_max\": %u},\n \"sequential\": [\n",
	       o->warmup, p->speed_hz, p->wire_time ? "true" : "false",
	       p->pass_us, p->slow_m4_ms, p->wakeups ? "true" : "false",
	       H7EMU_CHUNK_MAX);
	for (i = 0; i < KINDS; i++) {
		const struct row *r = &rows[i];

		printf("  {\"kind\": \"%s\", ", r->k->name);
		if (r->err)
			printf("\"error\": \"%s\"", errstr(r->err));
		else {
			json_lat(&r->lat);
			printf(", \"reply_bytes\": %zu, \"xfers_per_call\": %.2f, \"doorbells_per_call\": %.2f, \"model_us\": %.1f, \"model_best_us\": %.1f, \"model_worst_us\": %.1f, \"model_xfers\": %u, \"p50_over_model\": %.2f",
			       r->reply_len, r->xfers_per_call,
			       r->doorbells_per_call, r->m.us, r->m.lo_us,
			       r->m.hi_us, r->m.xfers,
			       r->m.us > 0 ? r->lat.p50_us / r->m.us : 0);
		}
		printf("}%s\n", i + 1 < KINDS ? "," : "");
	}
	printf(" ],\n \"floor\": {\"what\": \"sysfs refresh\", ");
	if (fl->err) {
		printf("\"error\": \"%s\"},\n", errstr(fl->err));
	} else {
		json_lat(&fl->lat);
		printf(", \"xfers_per_op\": %.2f},\n", fl->xfers_per_op);
	}
	printf(" \"concurrent\": {\"kind\": \"%s\", \"threads\": %u, \"calls_per_thread\": %u, ",
	       CONC_KIND->name, o->threads, o->conc_calls);
	if (c->err)
		printf("\"error\": \"%s\"}}\n", errstr(c->err));
	else {
		json_lat(&c->lat);
		printf("}}\n");
	}
}

static void print_tap(const struct opts *o, const struct row *rows,
		      const struct conc *c)
{
	unsigned int i;

	for (i = 0; i < KINDS; i++) {
		if (rows[i].err)
			printf("not ok %u - %s: %s\n", i + 1, rows[i].k->name,
			       errstr(rows[i].err));
		else
			printf("ok %u - %s: %u calls, p50 %.1f us\n", i + 1,
			       rows[i].k->name, rows[i].lat.n,
			       rows[i].lat.p50_us);
	}
	if (c->err)
		printf("not ok %zu - concurrent %s: %s\n", KINDS + 1,
		       CONC_KIND->name, errstr(c->err));
	else
		printf("ok %zu - concurrent %s: %u calls, %.1f calls/s\n",
		       KINDS + 1, CONC_KIND->name, c->lat.n,
		       c->lat.calls_per_s);
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: m4rpc-bench [-n CALLS] [-w WARMUP] [-t THREADS] [-c CALLS] [--wakeups]\n"
"                   [--json | --tap]\n"
"\n"
"Brings up a simulated board (m4rpc_sim.ko, the H7 + M4 emulator in a thread,\n"
"m4rpc.ko with its /dev/m4rpc0 endpoint), with the sensors sketch and then the\n"
"echo sketch, and times calls through the endpoint: each call is write() of\n"
"one request and a wait (poll) for its reply and read(), on CLOCK_MONOTONIC.\n"
"Root, and the modules in $M4RPC_KMOD_DIR: run it in the VM (make bench).\n"
"\n"
"  -n CALLS     sequential calls per kind, after the warm-up (200)\n"
"  -w WARMUP    warm-up calls per kind, not timed (10)\n"
"  -t THREADS   sessions calling at once in the concurrent figure (4)\n"
"  -c CALLS     calls of each of them (500)\n"
"  --wakeups    the model's H7 runs a pass right after each transfer and M4\n"
"               message, as the emulator does (the default)\n"
"  --tick-only  ... or only every pass_us (m4rpc-sim --tick-only)\n"
"  --json       one JSON object instead of the tables\n"
"  --tap        the tables as TAP comments, and one ok line per figure\n"
"\n"
"Kinds: temperature (sensors sketch, no argument, an int back), echo16 and\n"
"echo128 (echo sketch, a bin of 16 or 128 bytes back).\n"
"\n"
"Columns of the first table (one row per kind; times in microseconds):\n"
"  n            calls timed\n"
"  p50 p99 max  latency of one call: median, 99th percentile (nearest rank), worst\n"
"  calls/s      n / the time the n calls took end to end\n"
"  model        the least the wire and the emulated H7 allow for the call:\n"
"               its transfers at the SPI clock (256 x 8 / max_speed_hz each),\n"
"               the H7's reactions (a pass after each transfer that brings work:\n"
"               pass_us / 2 on average, 0 with --wakeups; none after the M4's\n"
"               reply, framed in the same pass), the sketch's own time\n"
"  p50/mod      p50 / model: what the link, the kernel and the VM add, as a factor\n"
"  xfers/model  SPI transfers per call measured (the simulator's counter) / the\n"
"               model's (1 for the request + 1 per %d-byte chunk of the reply)\n"
"  doorbells    doorbell transfers of the link per call (its sysfs counter)\n"
"The second table: THREADS sessions, each making CALLS sequential echo16\n"
"calls at the same time; calls/s is the total, x seq its ratio to echo16's\n"
"sequential calls/s. The assumptions of the model are printed under them.\n"
"Then the floor: -n writes to the link's sysfs refresh (a doorbell and the\n"
"read of the H7's answers, two transfers, no endpoint and no M4), what one\n"
"transfer costs in this VM, and the least a call with the model's transfers\n"
"can then take here, with p50 as a factor of it.\n"
"Exit status: 0, or 1 when a call failed (no reply, a wrong one) or the\n"
"board did not come up.\n", H7EMU_CHUNK_MAX);
}

static unsigned int parse_count(const char *s, const char *what,
				unsigned long min)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < min || v > 1000000) {
		fprintf(stderr, "m4rpc-bench: %s: not a count in %lu..1000000: %s\n",
			what, min, s);
		exit(2);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "wakeups", no_argument, NULL, 'W' },
		{ "tick-only", no_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		{ "tap", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .n = 200, .warmup = 10, .threads = 4,
			    .conc_calls = 500,
			    .wakeups = BENCH_H7_WAKEUPS_DEFAULT };
	while ((c = getopt_long(argc, argv, "n:w:t:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->n = parse_count(optarg, "-n", 1); break;
		case 'w': o->warmup = parse_count(optarg, "-w", 0); break;
		case 't': o->threads = parse_count(optarg, "-t", 1); break;
		case 'c': o->conc_calls = parse_count(optarg, "-c", 1); break;
		case 'W': o->wakeups = true; break;
		case 'K': o->wakeups = false; break;
		case 'j': o->json = true; break;
		case 'T': o->tap = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc || (o->json && o->tap)) {
		usage(stderr);
		exit(2);
	}
}

/*
 * A board with @sketch, then every kind of that sketch (and the concurrent
 * figure on the echo sketch): 0, or the errno with which the board did not
 * come up (the kinds' own failures are in their rows).
 */
static int run_sketch(const struct opts *o, enum h7emu_sketch sketch,
		      struct row *rows, struct conc *c, struct floor *fl,
		      struct env_params *p)
{
	struct board_opts bo = { 0 };
	struct h7emu_config cfg;
	struct board_env env;
	uint32_t msgid = 1;
	unsigned int i;
	int fd = -1, ret;

	board_config(&cfg, BENCH_BOARD);
	cfg.sketch = sketch;
	bo.cfg = &cfg;
	ret = board_up(&env, &bo);
	if (!ret) {
		fd = board_ep_session(&env, BENCH_BOARD);
		ret = fd < 0 ? -fd : 0;
	}
	if (!ret)
		ret = env_params_get(&env, &cfg, o, p);
	if (ret) {
		fprintf(stderr, "m4rpc-bench: the board (%s sketch) did not come up: %s\n",
			h7emu_sketch_name(sketch), errstr(ret));
		board_down_session(&env, fd);
		return ret;
	}
	for (i = 0; i < KINDS; i++) {
		if (rows[i].k->sketch != sketch)
			continue;
		run_seq(&env, fd, o, &msgid, &rows[i]);
		if (rows[i].err)
			board_dump(&env, BENCH_BOARD, fd);
		else
			model_call(p, rows[i].reply_len, &rows[i].m);
		if (rows[i].k == CONC_KIND)
			c->seq_calls_per_s = rows[i].lat.calls_per_s;
	}
	if (sketch == H7EMU_SKETCH_SENSORS)
		run_floor(&env, o, fl);
	if (sketch == CONC_KIND->sketch) {
		run_conc(&env, o, c);
		if (c->err)
			board_dump(&env, BENCH_BOARD, fd);
	}
	board_down_session(&env, fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const enum h7emu_sketch sketches[] = {
		H7EMU_SKETCH_SENSORS, H7EMU_SKETCH_ECHO,
	};
	struct row rows[KINDS];
	struct env_params p = { 0 };
	struct conc c = { 0 };
	struct floor fl = { 0 };
	struct opts o;
	unsigned int i;
	int ret, failed = 0;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < KINDS; i++)
		rows[i].k = &kinds[i];
	if (o.tap)
		printf("TAP version 13\n1..%zu\n", KINDS + 1);
	for (i = 0; i < sizeof(sketches) / sizeof(sketches[0]); i++) {
		ret = run_sketch(&o, sketches[i], rows, &c, &fl, &p);
		if (ret) {
			unsigned int k;

			for (k = 0; k < KINDS; k++)
				if (rows[k].k->sketch == sketches[i])
					rows[k].err = ret;
			if (sketches[i] == CONC_KIND->sketch)
				c.err = ret;
			if (sketches[i] == H7EMU_SKETCH_SENSORS)
				fl.err = ret;
		}
	}
	for (i = 0; i < KINDS; i++)
		failed |= rows[i].err != 0;
	failed |= c.err != 0;
	if (o.json)
		print_json(&o, rows, &c, &fl, &p);
	else
		print_table(&o, rows, &c, &p);
	if (!o.json)
		print_floor(&o, rows, &fl, &p);
	if (o.tap)
		print_tap(&o, rows, &c);
	for (i = 0; i < KINDS; i++)
		free(rows[i].lat.ns);
	free(c.lat.ns);
	free(fl.lat.ns);
	return failed;
}
