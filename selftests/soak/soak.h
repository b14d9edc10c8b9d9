/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault soak (issue 17): one simulated board, faults switched on and
 * off in phases drawn from a seed, while sessions call echo, the traffic
 * sketch sends notifications and the M4's Serial prints a known sequence
 * into the held-open tty. Each part checks what it receives against what
 * was sent, and each loss against the counters (soak_losses.c).
 *
 * Threads: the main thread plays the fault plan (soak_plan.c); one thread
 * per echo caller (soak_echo.c), one listener for the notifications
 * (soak_notify.c), one reader of the tty (soak_tty.c) and one sampler of
 * the counters (soak_losses.c). All of them see the emulator (it runs in
 * a thread of this process), which is why these are threads, not
 * processes: every session is its own open().
 */
#ifndef SOAK_H
#define SOAK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "board.h"

#define SOAK_CALLERS_MAX	16
#define SOAK_NOTIFY_METHOD	"soak"
#define SOAK_CALL_TIMEOUT_MS	4000
#define SOAK_TTY_WRITE		48	/* bytes per Serial.write() of the M4 */

/* splitmix64: every draw of the soak comes from one of these. */
static inline uint64_t soak_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A draw in [lo, hi]. */
static inline uint64_t soak_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	return lo + soak_rand(state) % (hi - lo + 1);
}

/*
 * How a message that should have arrived and did not is accounted for,
 * and how one that arrived different from what was sent is explained.
 */
enum soak_loss {
	SOAK_LOSS_COUNTED,	/* a counter of the H7, link, endpoint or tty moved */
	SOAK_LOSS_FAULT,	/* only an injected fault's counter moved */
	SOAK_LOSS_SILENT,	/* nothing moved: a bug */
};

/* What the checkers found, all threads together (under soak.lock). */
#define SOAK_COUNTS(X) \
	/* echo calls: how they ended */ \
	X(calls) X(replies_ok) X(told_lost) X(told_stopped) X(other_errors) \
	X(overflows) X(late) \
	X(flipped)		/* one bit off, in a bit-flip window */ \
	X(garbled)		/* other difference, in that window */ \
	X(damaged)		/* any other difference: never */ \
	X(wrong_session)	/* another session's reply: never */ \
	X(duplicates)		/* a reply twice: never */ \
	/* notifications, the same */ \
	X(notify_ok) X(notify_flipped) X(notify_garbled) X(notify_damaged) \
	X(notify_dups) X(notify_unseen) \
	/* the tty's writes */ \
	X(tty_bytes) X(tty_writes_ok) X(tty_flipped) X(tty_garbled) \
	X(tty_damaged) X(tty_dups) X(tty_reopens)

struct soak_totals {
#define SOAK_COUNT_FIELD(name) uint64_t name;
	SOAK_COUNTS(SOAK_COUNT_FIELD)
#undef SOAK_COUNT_FIELD
	/* Losses, by enum soak_loss (soak_losses_settle()). */
	uint64_t lost[3], notify_lost[3], tty_lost[3];
	int failed;			/* an errno no fault explains */
	char failed_what[128];
};

struct soak;
/* A thread's counts into the soak's (takes s->lock). */
void soak_totals_add(struct soak *s, const struct soak_totals *t);

struct soak {
	/* options */
	uint64_t seed;
	unsigned int seconds;
	unsigned int callers;
	bool verbose;

	struct board_env env;
	struct h7emu *emu;
	uint32_t max_payload;		/* echo bin bytes, from max_tx_msg */
	volatile int stop;		/* the callers and readers end */
	volatile int stop_sampler;

	pthread_mutex_t lock;
	struct soak_totals t;
	/* The recent calls of every caller: another's reply shows. */
	struct {
		uint64_t hash[8];
		uint32_t next;
	} recent[SOAK_CALLERS_MAX];
};

/* A failure no fault explains: the first one is kept for the report. */
void soak_fail(struct soak *s, int err, const char *what);
uint64_t soak_hash(const uint8_t *p, size_t n);
/* @a and @b (@n bytes each) differ in exactly one bit. */
bool soak_one_bit(const uint8_t *a, const uint8_t *b, size_t n);

/* ---- soak_losses.c: the counters, sampled, as a history ------------------ */

int soak_losses_start(struct soak *s);
void soak_losses_stop(void);
/*
 * What moved between @from_ns and @to_ns (h7emu_now_ns()'s clock, widened
 * by the sampling period): a counter of the system, only an injected
 * fault, or nothing.
 */
enum soak_loss soak_loss_in(uint64_t from_ns, uint64_t to_ns);
/*
 * A message sent at @from_ns found missing at @to_ns: classified by
 * soak_losses_settle() (a second past @to_ns included) into @bins, an
 * array of enum soak_loss in the soak's totals. @what names it in a report.
 */
void soak_loss_note(struct soak *s, uint64_t from_ns, uint64_t to_ns,
		    uint64_t *bins, const char *what);
/* At the end, every thread joined: classify what was noted. */
void soak_losses_settle(struct soak *s);
/* A bit flip or a garbage frame was injected between the two times. */
bool soak_wire_fault_in(uint64_t from_ns, uint64_t to_ns);
/* Every counter the history sums, with its value now, as TAP comments. */
void soak_losses_print(struct soak *s);

/* ---- soak_plan.c: the faults, phase after phase ------------------------- */

/* Play the plan drawn from s->seed for s->seconds; ends calm. */
void soak_plan_run(struct soak *s);

/* ---- the checkers: each a thread ----------------------------------------- */

struct soak_caller {
	struct soak *s;
	unsigned int id;
	pthread_t thread;
};

void *soak_echo_thread(void *arg);	/* struct soak_caller */
void *soak_notify_thread(void *arg);	/* struct soak */
void *soak_tty_thread(void *arg);	/* struct soak */
/* The M4's Serial prints its next write (a tick of the plan). */
void soak_tty_print(struct soak *s);

#endif /* SOAK_H */
