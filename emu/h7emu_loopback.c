// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The loopback backend: the test is the master, in the same process. It
 * holds what the kernel's simulated controller would (the armed frame, the
 * nIRQ line, nCS), and h7emu_loopback_xfer() clocks a transfer through it
 * into the emulator synchronously, so host tests run whole exchanges
 * without a kernel. Its state is guarded by the emulator's mutex (arm and
 * set_nirq are called with it held; the xfer/info calls take it).
 */
#include <stdlib.h>
#include <time.h>

#include "h7emu_priv.h"

struct loopback {
	struct h7emu_backend be;
	struct h7emu_loopback_info info;
	bool cs_low;
	/* wait()/wake(): its own lock, never taken with the emulator's */
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	bool woken;
};

static struct loopback *to_lb(struct h7emu_backend *be)
{
	return (struct loopback *)be;
}

static int lb_arm(struct h7emu_backend *be, const u8 *frame, bool irq)
{
	struct loopback *lb = to_lb(be);

	if (lb->cs_low)
		return -EBUSY;
	memcpy(lb->info.frame, frame, X8H7_FRAME_LEN);
	lb->info.armed = true;
	lb->info.armed_irq = irq;
	lb->info.arms++;
	if (irq && !lb->info.nirq_low) {
		lb->info.nirq_low = true;
		lb->info.edges++;
	}
	return 0;
}

static int lb_set_nirq(struct h7emu_backend *be, bool low, bool drop_edge)
{
	struct loopback *lb = to_lb(be);

	if (low && !lb->info.nirq_low) {
		if (drop_edge)
			lb->info.dropped_edges++;
		else
			lb->info.edges++;
	}
	lb->info.nirq_low = low;
	return 0;
}

static int lb_wait(struct h7emu_backend *be, u64 deadline_ns,
		   struct h7emu_xfer *x)
{
	struct loopback *lb = to_lb(be);
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000ull,
		.tv_nsec = deadline_ns % 1000000000ull,
	};

	/* Transfers reach the emulator directly; this only sleeps. */
	pthread_mutex_lock(&lb->wlock);
	while (!lb->woken && h7emu_now_ns() < deadline_ns)
		if (pthread_cond_timedwait(&lb->wcond, &lb->wlock, &ts))
			break;
	lb->woken = false;
	pthread_mutex_unlock(&lb->wlock);
	return 0;
}

static void lb_wake(struct h7emu_backend *be)
{
	struct loopback *lb = to_lb(be);

	pthread_mutex_lock(&lb->wlock);
	lb->woken = true;
	pthread_cond_signal(&lb->wcond);
	pthread_mutex_unlock(&lb->wlock);
}

static void lb_destroy(struct h7emu_backend *be)
{
	struct loopback *lb = to_lb(be);

	pthread_cond_destroy(&lb->wcond);
	pthread_mutex_destroy(&lb->wlock);
	free(lb);
}

static const struct h7emu_backend_ops h7emu_loopback_ops = {
	.arm = lb_arm,
	.set_nirq = lb_set_nirq,
	.wait = lb_wait,
	.wake = lb_wake,
	.destroy = lb_destroy,
};

struct h7emu_backend *h7emu_loopback_new(void)
{
	struct loopback *lb = calloc(1, sizeof(*lb));
	pthread_condattr_t ca;

	if (!lb)
		return NULL;
	lb->be.ops = &h7emu_loopback_ops;
	pthread_mutex_init(&lb->wlock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lb->wcond, &ca);
	pthread_condattr_destroy(&ca);
	return &lb->be;
}

int h7emu_loopback_xfer(struct h7emu *e, const uint8_t *mosi, uint32_t len,
			uint8_t *miso, uint64_t t_ns)
{
	struct h7emu_xfer x;
	struct loopback *lb;

	if (e->be->ops != &h7emu_loopback_ops)
		return -ENODEV;
	lb = to_lb(e->be);
	memset(&x, 0, sizeof(x));
	x.start_ns = t_ns;
	x.end_ns = t_ns;
	x.len = len;
	memcpy(x.mosi, mosi, len < sizeof(x.mosi) ? len : sizeof(x.mosi));

	pthread_mutex_lock(&e->lock);
	/* The transfer consumes the armed frame, else the idle one. */
	x.armed = lb->info.armed;
	if (miso) {
		if (x.armed)
			memcpy(miso, lb->info.frame, X8H7_FRAME_LEN);
		else
			x8h7_frame_init(miso);
	}
	lb->info.armed = false;
	lb->info.armed_irq = false;
	h7emu__h7c_xfer(e, &x);
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
	/* The DMA interrupt's wake-up, for a run loop that sleeps. */
	lb_wake(e->be);
	return 0;
}

int h7emu_loopback_cs(struct h7emu *e, bool low)
{
	if (e->be->ops != &h7emu_loopback_ops)
		return -ENODEV;
	pthread_mutex_lock(&e->lock);
	to_lb(e->be)->cs_low = low;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

int h7emu_loopback_info(struct h7emu *e, struct h7emu_loopback_info *info)
{
	if (e->be->ops != &h7emu_loopback_ops)
		return -ENODEV;
	pthread_mutex_lock(&e->lock);
	*info = to_lb(e->be)->info;
	pthread_mutex_unlock(&e->lock);
	return 0;
}
