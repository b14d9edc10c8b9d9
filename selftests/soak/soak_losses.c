// SPDX-License-Identifier: GPL-2.0
/*
 * The loss counters as a history. A sampler thread reads every counter that
 * says "something was lost or dropped" (the emulated H7's, the link's
 * sysfs files, the endpoint's M4RPC_IOC_LINK_STATS, the tty's) every
 * SAMPLE_MS and keeps their sums whenever one changed. A checker that finds
 * a message missing asks whether any of them moved while the message was on
 * its way: a loss with no counter moving is a silent loss, the bug the soak
 * looks for. The injected faults' own counters are summed apart, so a loss
 * that only a fault explains is told apart from one the system counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

#define SAMPLE_MS	10
#define SLACK_NS	(3ull * SAMPLE_MS * 1000000ull)

/* The emulator's counters of what the H7 lost or refused. */
#define EMU_LOSS(X) \
	X(xfers_bad_len) X(xfers_reset) X(xfers_unreceived) X(records_lost) \
	X(frames_overwritten) X(frames_out_oversize) X(rx_overrun) \
	X(h7_replies_lost) X(ui_in_dropped) X(ui_chunks_lost) \
	X(ring_bytes_overwritten) X(m4_malformed) X(m4_ignored) \
	X(m4_trailing) X(m4_responses_unmatched) X(m4_call_timeouts) \
	X(m4_serial_overruns) X(h7_resets) X(backend_errors)
/* ... and of the faults the soak injects. */
#define EMU_FAULT(X) \
	X(fault_flip_mosi) X(fault_flip_miso) X(fault_drop_edge) \
	X(fault_garbage) X(fault_clip) X(fault_reset) X(fault_cut_boot)
/* The endpoint's (struct m4rpc_link_stats). */
#define EP_LOSS(X) \
	X(rx_raw_bytes) X(rx_oversize) X(rx_malformed) X(rx_lost) \
	X(replies_unmatched) X(notify_unbound) X(requests_unbound) \
	X(requests_refused) X(requests_abandoned) X(rx_queue_drops) \
	X(raw_drops) X(tx_purged) X(tx_kernel_drops) X(calls_failed) \
	X(rx_suspect) X(rx_cut)

/* The link's sysfs counters, and the tty's. */
static const char *const link_loss[] = {
	"reject_csum", "reject_size", "reject_subframe", "truncated_ui",
	"ui_lost", "resyncs", "overflow_drops", "spi_errors", "ack_timeouts",
};
static const char *const tty_loss[] = {
	"rx_dropped", "rx_malformed", "tx_lost",
};

struct sample {
	uint64_t t_ns;
	uint64_t sys;		/* the system's loss counters, summed */
	uint64_t fault;		/* the injected faults' */
	uint64_t wire;		/* ... of them bit flips and garbage frames */
};

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	struct soak *s;
	int fd;			/* a session of its own, for the stats */
	struct sample *h;
	size_t n, cap;
	uint64_t last_t;	/* the latest sample's time */
	long long tty_last[3];	/* kept while the port is away (hangup) */
} L = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static void take(struct sample *x)
{
	struct m4rpc_link_stats ls;
	struct h7emu_stats st;
	long long v;
	size_t i;

	memset(x, 0, sizeof(*x));
	x->t_ns = h7emu_now_ns();
	h7emu_get_stats(L.s->emu, &st);
#define ADD_SYS(f) x->sys += st.f;
#define ADD_FAULT(f) x->fault += st.f;
#define ADD_EP(f) x->sys += ls.f;
	EMU_LOSS(ADD_SYS)
	EMU_FAULT(ADD_FAULT)
	x->wire = st.fault_flip_mosi + st.fault_flip_miso + st.fault_garbage;
	if (!ep_link_stats(L.fd, &ls)) {
		EP_LOSS(ADD_EP)
	}
	for (i = 0; i < sizeof(link_loss) / sizeof(link_loss[0]); i++) {
		v = link_stat(&L.s->env, 0, link_loss[i]);
		x->sys += v > 0 ? (uint64_t)v : 0;
	}
	for (i = 0; i < 3; i++) {
		v = board_tty_stat(&L.s->env, 0, tty_loss[i]);
		if (v >= 0)
			L.tty_last[i] = v;
		x->sys += (uint64_t)L.tty_last[i];
	}
}

static void *sampler(void *arg)
{
	struct sample x;

	while (!L.s->stop_sampler) {
		take(&x);
		pthread_mutex_lock(&L.lock);
		if (L.n && L.h[L.n - 1].sys == x.sys &&
		    L.h[L.n - 1].fault == x.fault && L.h[L.n - 1].wire == x.wire) {
			/* nothing changed */
		} else if (L.n < L.cap) {
			L.h[L.n++] = x;
		} else {
			/* Full (longer than planned): the newest sample
			 * stands for everything since the last one kept. */
			L.h[L.n - 1] = x;
		}
		L.last_t = x.t_ns;
		pthread_mutex_unlock(&L.lock);
		sleep_ms(SAMPLE_MS);
	}
	return NULL;
}

int soak_losses_start(struct soak *s)
{
	int ret;

	L.s = s;
	L.cap = (size_t)s->seconds * (1000 / SAMPLE_MS) + 4096;
	L.h = calloc(L.cap, sizeof(*L.h));
	if (!L.h)
		return ENOMEM;
	L.fd = board_ep_open(&s->env, 0, O_RDWR);
	if (L.fd < 0)
		return -L.fd;
	/* The baseline, before anything was lost. */
	take(&L.h[0]);
	L.n = 1;
	L.last_t = L.h[0].t_ns;
	ret = pthread_create(&L.thread, NULL, sampler, NULL);
	return ret;
}

void soak_losses_stop(void)
{
	L.s->stop_sampler = 1;
	pthread_join(L.thread, NULL);
	close(L.fd);
	free(L.h);
	L.h = NULL;
}

/* The last sample taken at or before @t (the baseline if none). */
static struct sample at(uint64_t t)
{
	size_t lo = 0, hi = L.n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (L.h[mid].t_ns <= t)
			lo = mid;
		else
			hi = mid;
	}
	return L.h[lo];
}

/* The samples around [@from, @to], once the sampler has passed @to. */
static void window(uint64_t from, uint64_t to, struct sample *a,
		   struct sample *b)
{
	uint64_t until = h7emu_now_ns() + 3000000000ull;

	from = from > SLACK_NS ? from - SLACK_NS : 0;
	to += SLACK_NS;
	for (;;) {
		pthread_mutex_lock(&L.lock);
		if (L.last_t >= to || h7emu_now_ns() > until)
			break;
		pthread_mutex_unlock(&L.lock);
		sleep_ms(SAMPLE_MS);
	}
	*a = at(from);
	*b = at(to);
	pthread_mutex_unlock(&L.lock);
}

/*
 * Losses noted, classified at the end: a counter may move a little after
 * the loss showed (the endpoint decides on a held message when what
 * follows it comes), so each one's window reaches NOTE_AFTER_NS past it.
 */
#define NOTE_AFTER_NS	1000000000ull
#define NOTES_MAX	65536

static struct {
	uint64_t from, to;
	uint64_t *bins;
	const char *what;
} notes[NOTES_MAX];
static size_t nnotes;

void soak_loss_note(struct soak *s, uint64_t from_ns, uint64_t to_ns,
		    uint64_t *bins, const char *what)
{
	pthread_mutex_lock(&L.lock);
	if (nnotes < NOTES_MAX) {
		notes[nnotes].from = from_ns;
		notes[nnotes].to = to_ns + NOTE_AFTER_NS;
		notes[nnotes].bins = bins;
		notes[nnotes++].what = what;
		pthread_mutex_unlock(&L.lock);
		return;
	}
	pthread_mutex_unlock(&L.lock);
	/* More than planned for: at once, with the window as it is. */
	pthread_mutex_lock(&s->lock);
	bins[soak_loss_in(from_ns, to_ns)]++;
	pthread_mutex_unlock(&s->lock);
}

void soak_losses_settle(struct soak *s)
{
	unsigned int silent = 0;
	enum soak_loss why;
	size_t i;

	for (i = 0; i < nnotes; i++) {
		why = soak_loss_in(notes[i].from, notes[i].to);
		pthread_mutex_lock(&s->lock);
		notes[i].bins[why]++;
		pthread_mutex_unlock(&s->lock);
		if (why == SOAK_LOSS_SILENT && silent++ < 10)
			printf("# silent loss: %s sent at %.3f s, nothing counted until %.3f s\n",
			       notes[i].what, notes[i].from / 1e9,
			       notes[i].to / 1e9);
	}
	nnotes = 0;
}

enum soak_loss soak_loss_in(uint64_t from_ns, uint64_t to_ns)
{
	struct sample a, b;

	window(from_ns, to_ns, &a, &b);
	if (b.sys > a.sys)
		return SOAK_LOSS_COUNTED;
	return b.fault > a.fault ? SOAK_LOSS_FAULT : SOAK_LOSS_SILENT;
}

bool soak_wire_fault_in(uint64_t from_ns, uint64_t to_ns)
{
	struct sample a, b;

	window(from_ns, to_ns, &a, &b);
	return b.wire > a.wire;
}

void soak_losses_print(struct soak *s)
{
	struct m4rpc_link_stats ls;
	struct h7emu_stats st;
	size_t i;
	int fd;

	h7emu_get_stats(s->emu, &st);
	printf("# emulator (H7 + M4), counters not zero:\n");
#define PR_EMU(name, help) \
	if (st.name) \
		printf("#   emu %-24s %llu\n", #name, (unsigned long long)st.name);
	H7EMU_STATS(PR_EMU)
	printf("# link (sysfs m4rpc/):\n");
	for (i = 0; i < sizeof(link_loss) / sizeof(link_loss[0]); i++)
		printf("#   link %-23s %lld\n", link_loss[i],
		       link_stat(&s->env, 0, link_loss[i]));
	printf("#   link %-23s %lld\n", "hole_suspects",
	       link_stat(&s->env, 0, "hole_suspects"));
	printf("#   link %-23s %lld\n", "transfers",
	       link_stat(&s->env, 0, "transfers"));
	fd = board_ep_open(&s->env, 0, O_RDWR);
	if (fd >= 0 && !ep_link_stats(fd, &ls)) {
		printf("# endpoint (M4RPC_IOC_LINK_STATS):\n");
#define PR_EP(f) printf("#   ep %-25s %llu\n", #f, (unsigned long long)ls.f);
		EP_LOSS(PR_EP)
		PR_EP(rx_msgs) PR_EP(tx_msgs) PR_EP(wire_expired)
		PR_EP(wire_long)
	}
	if (fd >= 0)
		close(fd);
	printf("# tty (sysfs of the port, as last read):\n");
	for (i = 0; i < 3; i++)
		printf("#   tty %-24s %lld\n", tty_loss[i], L.tty_last[i]);
	printf("# loss counters summed: system %llu, injected faults %llu, over %zu samples kept\n",
	       (unsigned long long)(L.n ? L.h[L.n - 1].sys : 0),
	       (unsigned long long)(L.n ? L.h[L.n - 1].fault : 0), L.n);
}
