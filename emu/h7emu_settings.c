// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Settings by name: every value of struct h7emu_config as text, named as
 * m4rpc-sim's long options. The names and their ranges are the emulator's
 * (what a config may hold), so any front end (m4rpc-sim's command line, its
 * --commands stream, a test's environment) parses them the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h7emu.h"

enum kind {
	K_U32,		/* a number 0..max */
	K_U64,		/* any number (strtoull) */
	K_PROB,		/* a probability 0..1 */
	K_FLAG,		/* 0 or 1; no value means 1 */
	K_STR,		/* at most max bytes */
	K_NAME,		/* 1..max bytes */
	K_UID,
	K_M4,		/* -1, 0 or 1 */
	K_SKETCH,
	K_TRAFFIC_KIND,
	K_TTY_MODE,
};

struct setting {
	const char *name;
	enum kind kind;
	bool fault;		/* off is into struct h7emu_faults */
	size_t off;		/* else into struct h7emu_config */
	unsigned long max;
};

#define CFG(name, kind, field, max) \
	{ name, kind, false, offsetof(struct h7emu_config, field), max }
#define FAULT(name, kind, field, max) \
	{ name, kind, true, offsetof(struct h7emu_faults, field), max }

static const struct setting settings[] = {
	CFG("sketch", K_SKETCH, sketch, 0),
	CFG("fw-version", K_STR, fw_version, H7EMU_FW_VERSION_MAX),
	CFG("uid", K_UID, uid, 0),
	CFG("boot-m4", K_M4, m4, 0),
	CFG("pass-us", K_U32, pass_us, 10000000),
	CFG("tick-only", K_FLAG, tick_only, 1),
	CFG("m4-slots", K_U32, m4_slots, H7EMU_M4_SLOTS_MAX),
	CFG("seed", K_U64, seed, 0),
	CFG("traffic-rate", K_U32, traffic.rate, 100000),
	CFG("traffic-size", K_U32, traffic.size, H7EMU_TRAFFIC_SIZE_MAX),
	CFG("traffic-kind", K_TRAFFIC_KIND, traffic.kind, 0),
	CFG("traffic-timeout", K_U32, traffic.timeout_ms, UINT32_MAX),
	CFG("traffic-method", K_NAME, traffic.method, H7EMU_METHOD_MAX - 1),
	CFG("tty-mode", K_TTY_MODE, tty_mode, 0),
	CFG("tty-loop-ms", K_U32, tty_loop_ms, 60000),
	FAULT("flip-mosi", K_PROB, flip_mosi, 0),
	FAULT("flip-miso", K_PROB, flip_miso, 0),
	FAULT("drop-edge", K_PROB, drop_edge, 0),
	FAULT("garbage", K_PROB, garbage, 0),
	FAULT("slow-m4", K_U32, slow_m4_ms, 600000),
	FAULT("clip-53df799", K_FLAG, clip_53df799, 1),
	FAULT("reset-at", K_U32, reset_at_ms, UINT32_MAX),
	FAULT("reset-every", K_U32, reset_every_ms, UINT32_MAX),
	FAULT("cut-boot-m4", K_U32, cut_boot_m4, UINT32_MAX),
};

int h7emu_parse_uint(const char *s, unsigned long max, uint32_t *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 0);
	/* strtoul() takes "-1" as ULONG_MAX: a sign is never a number here. */
	if (errno || end == s || *end || n > max || *s == '-')
		return -EINVAL;
	*v = n;
	return 0;
}

static int parse_prob(const char *s, double *p)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v) || v < 0 || v > 1)
		return -EINVAL;
	*p = v;
	return 0;
}

static int parse_uid(const char *s, uint8_t *uid)
{
	unsigned int i, v;

	if (strlen(s) != 2 * H7EMU_UID_LEN)
		return -EINVAL;
	for (i = 0; i < H7EMU_UID_LEN; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		uid[i] = v;
	}
	return 0;
}

static int parse_m4(const char *s, int *m4)
{
	uint32_t v;

	if (!strcmp(s, "-1")) {
		*m4 = H7EMU_M4_ABSENT;
		return 0;
	}
	if (h7emu_parse_uint(s, 1, &v))
		return -EINVAL;
	*m4 = v;
	return 0;
}

static int parse_str(const char *s, size_t min, size_t max, char *dst)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return -EINVAL;
	memcpy(dst, s, n + 1);
	return 0;
}

/* An enum from its name: what @parse returned, or its -EINVAL. The
 * config's enum fields are stored as ints (GCC's enums without negative
 * or large values are unsigned ints: the same bytes). */
_Static_assert(sizeof(enum h7emu_sketch) == sizeof(int) &&
	       sizeof(enum h7emu_traffic_kind) == sizeof(int) &&
	       sizeof(enum h7emu_tty_mode) == sizeof(int),
	       "an enum field is not int-sized");
static int parse_enum(int (*parse)(const char *), const char *s, void *dst)
{
	int r = parse(s);

	if (r < 0)
		return r;
	*(int *)dst = r;
	return 0;
}

static int apply(const struct setting *st, void *p, const char *v)
{
	uint32_t flag;

	if (st->kind == K_FLAG) {
		if (h7emu_parse_uint(v ? v : "1", 1, &flag))
			return -EINVAL;
		*(bool *)p = flag;
		return 0;
	}
	if (!v)
		return -EINVAL;
	switch (st->kind) {
	case K_U32:
		return h7emu_parse_uint(v, st->max, p);
	case K_U64:
		/* As strtoull() takes it: only a range error is refused. */
		errno = 0;
		*(uint64_t *)p = strtoull(v, NULL, 0);
		return errno ? -EINVAL : 0;
	case K_PROB:
		return parse_prob(v, p);
	case K_STR:
		return parse_str(v, 0, st->max, p);
	case K_NAME:
		return parse_str(v, 1, st->max, p);
	case K_UID:
		return parse_uid(v, p);
	case K_M4:
		return parse_m4(v, p);
	case K_SKETCH:
		return parse_enum(h7emu_sketch_parse, v, p);
	case K_TRAFFIC_KIND:
		return parse_enum(h7emu_traffic_kind_parse, v, p);
	case K_TTY_MODE:
		return parse_enum(h7emu_tty_mode_parse, v, p);
	case K_FLAG:
		break;
	}
	return -EINVAL;
}

static const struct setting *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (!strcmp(settings[i].name, name))
			return &settings[i];
	return NULL;
}

int h7emu_config_set(struct h7emu_config *cfg, const char *name,
		     const char *value)
{
	const struct setting *st = find(name);

	if (!st)
		return -ENOENT;
	if (st->fault)
		return apply(st, (char *)&cfg->faults + st->off, value);
	return apply(st, (char *)cfg + st->off, value);
}

int h7emu_faults_set(struct h7emu_faults *f, const char *name,
		     const char *value)
{
	const struct setting *st = find(name);

	if (!st)
		return -ENOENT;
	if (!st->fault)
		return -EINVAL;
	return apply(st, (char *)f + st->off, value);
}
