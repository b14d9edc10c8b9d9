// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulator's public face: configuration, life cycle, and every call a
 * test or the program makes while the run loop may be working in its own
 * thread. Each one takes the emulator's mutex around the core.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "h7emu_priv.h"

void h7emu_config_init(struct h7emu_config *cfg)
{
	/* A plausible STM32H747 unique id (96 bits). */
	static const u8 uid[H7EMU_UID_LEN] = {
		0x2c, 0x00, 0x41, 0x00, 0x0d, 0x51, 0x33, 0x30,
		0x33, 0x36, 0x39, 0x38,
	};

	memset(cfg, 0, sizeof(*cfg));
	/* The tag the spec names as predating the 53df799 defect. */
	strcpy(cfg->fw_version, "0.0.5");
	memcpy(cfg->uid, uid, sizeof(uid));
	cfg->m4 = H7EMU_M4_RUNNING;
	cfg->sketch = H7EMU_SKETCH_SENSORS;
	cfg->traffic.rate = 0;
	cfg->traffic.size = 16;
	cfg->traffic.timeout_ms = 1000;
	cfg->traffic.kind = H7EMU_TRAFFIC_NOTIFY;
	strcpy(cfg->traffic.method, "traffic");
	/* The H7's loop sleeps in WFI until an interrupt, SysTick (1 ms)
	 * at the latest. */
	cfg->pass_us = 1000;
	/* OpenAMP's default ring of rpmsg buffers on the STM32H7 (the spec
	 * is silent on the count). */
	cfg->m4_slots = 16;
	cfg->seed = 1;
}

static bool prob_ok(double p)
{
	return !isnan(p) && p >= 0 && p <= 1;
}

static int faults_check(const struct h7emu_faults *f)
{
	if (!prob_ok(f->flip_mosi) || !prob_ok(f->flip_miso) ||
	    !prob_ok(f->drop_edge) || !prob_ok(f->garbage))
		return -EINVAL;
	return 0;
}

static int config_check(const struct h7emu_config *cfg)
{
	const struct h7emu_traffic *tr = &cfg->traffic;
	size_t mlen = strnlen(tr->method, sizeof(tr->method));

	if (strnlen(cfg->fw_version, sizeof(cfg->fw_version)) >
	    H7EMU_FW_VERSION_MAX)
		return -EINVAL;
	if (cfg->m4 < H7EMU_M4_ABSENT || cfg->m4 > H7EMU_M4_RUNNING)
		return -EINVAL;
	if ((unsigned int)cfg->sketch >= H7EMU_SKETCH_NR)
		return -EINVAL;
	if (!cfg->pass_us || cfg->pass_us > 10000000)
		return -EINVAL;
	if (!cfg->m4_slots || cfg->m4_slots > H7EMU_M4_SLOTS_MAX)
		return -EINVAL;
	if (tr->size > H7EMU_TRAFFIC_SIZE_MAX || tr->rate > 100000 ||
	    (unsigned int)tr->kind >= H7EMU_TRAFFIC_NR ||
	    !mlen || mlen == sizeof(tr->method))
		return -EINVAL;
	if ((unsigned int)cfg->tty_mode >= H7EMU_TTY_NR ||
	    cfg->tty_loop_ms > 60000)
		return -EINVAL;
	return faults_check(&cfg->faults);
}

struct h7emu *h7emu_new(const struct h7emu_config *cfg,
			struct h7emu_backend *be)
{
	pthread_condattr_t ca;
	struct h7emu *e;
	int err = EINVAL;

	if (!be)
		goto fail;
	if (config_check(cfg))
		goto fail_be;
	err = ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto fail_be;
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->changed, &ca);
	pthread_condattr_destroy(&ca);
	e->cfg = *cfg;
	e->be = be;
	h7emu__fault_seed(e->rng, cfg->seed);
	h7emu__h7c_init(e);
	return e;

fail_be:
	be->ops->destroy(be);
fail:
	errno = err;
	return NULL;
}

void h7emu_free(struct h7emu *e)
{
	if (!e)
		return;
	h7emu_stop(e);
	e->be->ops->destroy(e->be);
	pthread_cond_destroy(&e->changed);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

uint64_t h7emu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void h7emu_xfer_done(struct h7emu *e, const struct h7emu_xfer *x)
{
	pthread_mutex_lock(&e->lock);
	h7emu__h7c_xfer(e, x);
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
}

void h7emu_pass(struct h7emu *e, uint64_t t_ns)
{
	pthread_mutex_lock(&e->lock);
	h7emu__h7c_pass(e, t_ns);
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
}

unsigned int h7emu_advance(struct h7emu *e, uint64_t t_ns)
{
	unsigned int n;

	pthread_mutex_lock(&e->lock);
	n = h7emu__h7c_advance(e, t_ns);
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
	return n;
}

bool h7emu_wake_pending(struct h7emu *e)
{
	bool w;

	pthread_mutex_lock(&e->lock);
	w = e->wake;
	pthread_mutex_unlock(&e->lock);
	return w;
}

void h7emu_get_stats(struct h7emu *e, struct h7emu_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->st;
	pthread_mutex_unlock(&e->lock);
}

void h7emu_get_faults(struct h7emu *e, struct h7emu_faults *f)
{
	pthread_mutex_lock(&e->lock);
	*f = e->cfg.faults;
	pthread_mutex_unlock(&e->lock);
}

int h7emu_set_faults(struct h7emu *e, const struct h7emu_faults *f)
{
	if (faults_check(f))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	e->cfg.faults = *f;
	/* Scheduled resets count from the next pass. */
	e->booted = false;
	e->reset_at_done = false;
	e->next_reset_ns = 0;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

bool h7emu_nirq_low(struct h7emu *e)
{
	bool low;

	pthread_mutex_lock(&e->lock);
	low = e->nirq_low;
	pthread_mutex_unlock(&e->lock);
	return low;
}

void h7emu_rx_frame(struct h7emu *e, uint8_t *frame)
{
	pthread_mutex_lock(&e->lock);
	memcpy(frame, e->rx, X8H7_FRAME_LEN);
	pthread_mutex_unlock(&e->lock);
}

void h7emu_active_frame(struct h7emu *e, uint8_t *frame)
{
	pthread_mutex_lock(&e->lock);
	memcpy(frame, e->active, X8H7_FRAME_LEN);
	pthread_mutex_unlock(&e->lock);
}

size_t h7emu_ring_level(struct h7emu *e)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->ring.len;
	pthread_mutex_unlock(&e->lock);
	return n;
}

void h7emu_reset(struct h7emu *e)
{
	pthread_mutex_lock(&e->lock);
	e->reset_requested = true;
	pthread_mutex_unlock(&e->lock);
	e->be->ops->wake(e->be);
}

int h7emu_set_m4(struct h7emu *e, int m4)
{
	if (m4 < H7EMU_M4_ABSENT || m4 > H7EMU_M4_RUNNING)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	e->cfg.m4 = m4;
	e->m4.state = m4;
	/* A (re)start of the M4 alone: the H7 greets it again. */
	h7emu__m4_boot(e);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

int h7emu_get_m4(struct h7emu *e)
{
	int m4;

	pthread_mutex_lock(&e->lock);
	m4 = e->m4.state;
	pthread_mutex_unlock(&e->lock);
	return m4;
}

bool h7emu_m4_led(struct h7emu *e)
{
	bool led;

	pthread_mutex_lock(&e->lock);
	led = e->m4.led;
	pthread_mutex_unlock(&e->lock);
	return led;
}

/* Send as the M4's sketch would, if the M4 has RPC. */
static int m4_api(struct h7emu *e, enum m4_ep ep, const char *method,
		  const void *buf, size_t n)
{
	int r = 0;

	pthread_mutex_lock(&e->lock);
	/* The M4 runs on: it sends "now", as far as the H7 has seen time. */
	e->m4_now = e->last_ns;
	if (e->m4.state != H7EMU_M4_RUNNING)
		r = -ENODEV;
	else if (method)
		h7emu__m4_notify_bin(e, method, buf, n);
	else
		h7emu__m4_send(e, ep, buf, n);
	pthread_mutex_unlock(&e->lock);
	/* The message is a wake-up: the run loop's pass follows. */
	if (!r)
		e->be->ops->wake(e->be);
	return r;
}

int h7emu_m4_rpc_write(struct h7emu *e, const void *buf, size_t n)
{
	return m4_api(e, EP_RPC, NULL, buf, n);
}

int h7emu_m4_raw_write(struct h7emu *e, const void *buf, size_t n)
{
	return m4_api(e, EP_RAW, NULL, buf, n);
}

int h7emu_m4_notify(struct h7emu *e, const char *method, const void *bin,
		    size_t n)
{
	if (!method)
		return -EINVAL;
	return m4_api(e, EP_RPC, method, bin, n);
}

int h7emu_m4_serial_write(struct h7emu *e, const void *buf, size_t n)
{
	return m4_api(e, EP_RPC, "tty", buf, n);
}

int h7emu_tty_generate(struct h7emu *e, uint64_t from, uint64_t total,
		       uint32_t size, uint32_t rate)
{
	struct m4_state *m = &e->m4;
	int r = 0;

	if (!size || size > H7EMU_SERIAL_RX_LEN || !rate)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (m->state != H7EMU_M4_RUNNING) {
		r = -ENODEV;
	} else {
		m->gen_pos = from;
		m->gen_total = from + total;
		m->gen_size = size;
		m->gen_period_ns = 1000000000ull / rate;
		m->gen_started = false;	/* the first write at once */
	}
	pthread_mutex_unlock(&e->lock);
	/* Due at once: the run loop looks again. */
	if (!r)
		e->be->ops->wake(e->be);
	return r;
}

uint64_t h7emu_tty_received(struct h7emu *e, void *buf, size_t cap)
{
	uint64_t n;

	pthread_mutex_lock(&e->lock);
	n = e->tty_read;
	if (cap > H7EMU_TTY_CAPTURE_MAX)
		cap = H7EMU_TTY_CAPTURE_MAX;
	if (cap > n)
		cap = n;
	memcpy(buf, e->tty_capture, cap);
	pthread_mutex_unlock(&e->lock);
	return n;
}

size_t h7emu_m4_last_response(struct h7emu *e, uint8_t *buf, size_t cap)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->m4.last_response_len;
	if (n > cap)
		n = cap;
	memcpy(buf, e->m4.last_response, n);
	pthread_mutex_unlock(&e->lock);
	return n;
}

void h7emu_stats_print(FILE *f, const struct h7emu_stats *st, bool all)
{
#define H7EMU_STAT_PRINT(name, help) \
	if (all || st->name) \
		fprintf(f, "  %-24s %12llu  %s\n", #name, \
			(unsigned long long)st->name, help);
	H7EMU_STATS(H7EMU_STAT_PRINT)
#undef H7EMU_STAT_PRINT
}
