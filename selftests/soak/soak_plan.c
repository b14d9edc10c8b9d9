// SPDX-License-Identifier: GPL-2.0
/*
 * The fault plan: phases of 2..5 s, each calm or with one or two faults
 * of the emulator (set by the names of m4rpc-sim's options,
 * h7emu_faults_set()) or late Linux (the simulator's transfer delay), at
 * an intensity drawn with it. The whole plan is drawn from the seed before
 * it starts and printed, so a seed names the same plan on any machine; how
 * many frames a phase sees, and so which ones a fault hits, depends on
 * timing. It starts and ends calm: the last phase shows that the link
 * works again once the faults stop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "soak.h"

#define PHASES_MAX	512
#define LAST_CALM_MS	4000

enum fault_kind {
	F_FLIP_MOSI, F_FLIP_MISO, F_DROP_EDGE, F_GARBAGE, F_SLOW_M4,
	F_RESET, F_LATE_LINUX, F_NR,
};

/* A fault: its emulator setting name, and the range drawn from. */
static const struct {
	const char *name;
	bool prob;		/* lo..hi in thousandths of a probability */
	unsigned int lo, hi;
} kinds[F_NR] = {
	[F_FLIP_MOSI] = { "flip-mosi", true, 2, 30 },
	[F_FLIP_MISO] = { "flip-miso", true, 2, 30 },
	[F_DROP_EDGE] = { "drop-edge", true, 50, 500 },
	[F_GARBAGE] = { "garbage", true, 5, 50 },
	[F_SLOW_M4] = { "slow-m4", false, 2, 30 },		/* ms */
	[F_RESET] = { "reset-every", false, 700, 2500 },	/* ms */
	[F_LATE_LINUX] = { "late-linux", false, 500, 2000 },	/* µs */
};

struct phase {
	unsigned int ms;
	int kind[2];		/* -1: none */
	unsigned int value[2];
	unsigned int jitter_us;	/* late Linux: 0..jitter on top */
};

static struct phase plan[PHASES_MAX];
static unsigned int nphases;

static void draw(struct soak *s)
{
	uint64_t r = s->seed ^ 0x706c616e00000000ull;	/* "plan" */
	uint64_t total = 0, budget = (uint64_t)s->seconds * 1000;
	struct phase *p;
	int k;

	nphases = 0;
	while (nphases < PHASES_MAX - 1 && total + LAST_CALM_MS < budget) {
		p = &plan[nphases++];
		p->ms = soak_range(&r, 2000, 5000);
		if (total + p->ms + LAST_CALM_MS > budget)
			p->ms = budget - total - LAST_CALM_MS;
		total += p->ms;
		p->kind[0] = p->kind[1] = -1;
		/* The first phase is calm; after it, 1 in 6 is. */
		if (nphases == 1 || !soak_range(&r, 0, 5))
			continue;
		for (k = 0; k < 2; k++) {
			if (k && soak_range(&r, 0, 2))
				break;		/* two faults in 1 of 3 */
			p->kind[k] = soak_range(&r, 0, F_NR - 1);
			if (k && p->kind[1] == p->kind[0]) {
				p->kind[1] = -1;
				break;
			}
			p->value[k] = soak_range(&r, kinds[p->kind[k]].lo,
						 kinds[p->kind[k]].hi);
			if (p->kind[k] == F_LATE_LINUX)
				p->jitter_us = soak_range(&r, 0, 3000);
		}
	}
	p = &plan[nphases++];
	p->ms = budget > total ? budget - total : LAST_CALM_MS;
	p->kind[0] = p->kind[1] = -1;
}

/* "flip-miso=0.012 late-linux=800+0..1500us", or "calm". */
static void describe(const struct phase *p, char *buf, size_t size)
{
	size_t len = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < 2 && p->kind[k] >= 0; k++) {
		const char *name = kinds[p->kind[k]].name;

		if (kinds[p->kind[k]].prob)
			len += snprintf(buf + len, size - len, "%s%s=0.%03u",
					k ? " " : "", name, p->value[k]);
		else if (p->kind[k] == F_LATE_LINUX)
			len += snprintf(buf + len, size - len,
					"%s%s=%u+0..%uus", k ? " " : "", name,
					p->value[k], p->jitter_us);
		else
			len += snprintf(buf + len, size - len, "%s%s=%ums",
					k ? " " : "", name, p->value[k]);
		if (len >= size)
			break;
	}
	if (!buf[0])
		snprintf(buf, size, "calm");
}

/* The emulator's faults and the simulator's delay of phase @p. */
static int apply(struct soak *s, const struct phase *p)
{
	struct h7emu_faults f;
	uint32_t delay = 0, jitter = 0;
	char val[32];
	int k, ret;

	memset(&f, 0, sizeof(f));
	for (k = 0; k < 2 && p->kind[k] >= 0; k++) {
		if (p->kind[k] == F_LATE_LINUX) {
			delay = p->value[k];
			jitter = p->jitter_us;
			continue;
		}
		if (kinds[p->kind[k]].prob)
			snprintf(val, sizeof(val), "0.%03u", p->value[k]);
		else
			snprintf(val, sizeof(val), "%u", p->value[k]);
		ret = h7emu_faults_set(&f, kinds[p->kind[k]].name, val);
		if (ret)
			return -ret;
	}
	ret = h7emu_set_faults(s->emu, &f);
	if (ret)
		return -ret;
	return -h7emu_dev_set_delay(s->env.b[0].be, delay, jitter);
}

void soak_plan_run(struct soak *s)
{
	char what[96];
	uint64_t t0, end;
	unsigned int i;
	int ret;

	draw(s);
	printf("# plan of seed %llu: %u phases\n", (unsigned long long)s->seed,
	       nphases);
	for (i = 0, end = 0; i < nphases; i++) {
		describe(&plan[i], what, sizeof(what));
		printf("#   phase %u at %.1f s for %.1f s: %s\n", i,
		       end / 1000.0, plan[i].ms / 1000.0, what);
		end += plan[i].ms;
	}
	fflush(stdout);
	t0 = now_ms();
	for (i = 0, end = t0; i < nphases; i++) {
		end += plan[i].ms;
		ret = apply(s, &plan[i]);
		if (ret) {
			soak_fail(s, ret, "the plan could not set its faults");
			break;
		}
		while (now_ms() < end) {
			soak_tty_print(s);
			sleep_ms(50);
		}
	}
	apply(s, &plan[nphases - 1]);	/* calm, whatever happened */
}
