// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The run loop: transfers are handled as soon as the backend reports them
 * (they are the H7's DMA interrupt), main-loop passes run every pass_us on
 * a fixed schedule (without bursting to catch up after a stall), or one at
 * a time on request while paused.
 *
 * Locking: the emulator's mutex is never held across the backend's wait();
 * wake() is sticky, so a request made just before wait() is not lost.
 */
#include <time.h>

#include "h7emu_priv.h"

/* Records handled in a row before a due pass gets its turn. */
#define DRAIN_MAX	64

int h7emu_run(struct h7emu *e)
{
	struct h7emu_backend *be = e->be;
	u64 period, next, now;
	struct h7emu_xfer x;
	unsigned int drained = 0;
	bool gated, stepping;
	int r = 0;

	pthread_mutex_lock(&e->lock);
	period = (u64)e->cfg.pass_us * 1000;
	pthread_mutex_unlock(&e->lock);
	next = h7emu_now_ns();
	for (;;) {
		pthread_mutex_lock(&e->lock);
		if (e->stop) {
			e->stop = false;	/* consumed */
			pthread_mutex_unlock(&e->lock);
			break;
		}
		gated = e->paused && !e->steps;
		stepping = e->paused && e->steps;
		pthread_mutex_unlock(&e->lock);

		now = h7emu_now_ns();
		/* Drain queued transfers first: they happened before now. */
		if ((drained && drained < DRAIN_MAX) || stepping)
			r = be->ops->wait(be, 0, &x);
		else
			r = be->ops->wait(be, gated ? now + 1000000000ull : next,
					  &x);
		if (r < 0)
			break;
		drained = r == 1 ? drained + 1 : 0;

		pthread_mutex_lock(&e->lock);
		if (r == 1)
			h7emu__h7c_xfer(e, &x);
		now = h7emu_now_ns();
		if (drained && drained < DRAIN_MAX) {
			/* more may be queued: look before the pass */
		} else if (e->paused) {
			if (e->steps) {
				e->steps--;
				h7emu__h7c_pass(e, now);
			}
		} else if (now >= next) {
			h7emu__h7c_pass(e, now);
			next += period;
			if (next <= now)
				next = now + period;
		}
		pthread_cond_broadcast(&e->changed);
		pthread_mutex_unlock(&e->lock);
	}
	return r < 0 ? r : 0;
}

static void *run_thread(void *arg)
{
	struct h7emu *e = arg;
	int r = h7emu_run(e);

	pthread_mutex_lock(&e->lock);
	e->run_done = true;
	e->run_result = r;
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int h7emu_start(struct h7emu *e)
{
	int r;

	pthread_mutex_lock(&e->lock);
	if (e->thread_running) {
		pthread_mutex_unlock(&e->lock);
		return -EBUSY;
	}
	e->stop = false;
	e->run_done = false;
	e->run_result = 0;
	r = pthread_create(&e->thread, NULL, run_thread, e);
	if (!r)
		e->thread_running = true;
	pthread_mutex_unlock(&e->lock);
	return -r;
}

int h7emu_stop(struct h7emu *e)
{
	bool thread;
	int r;

	pthread_mutex_lock(&e->lock);
	thread = e->thread_running;
	e->stop = true;
	pthread_mutex_unlock(&e->lock);
	e->be->ops->wake(e->be);
	if (!thread)
		return 0;
	pthread_join(e->thread, NULL);
	pthread_mutex_lock(&e->lock);
	e->thread_running = false;
	e->stop = false;
	r = e->run_result;
	pthread_mutex_unlock(&e->lock);
	return r;
}

int h7emu_status(struct h7emu *e)
{
	int r;

	pthread_mutex_lock(&e->lock);
	if (!e->thread_running)
		r = 0;
	else if (!e->run_done)
		r = 1;
	else
		r = e->run_result;
	pthread_mutex_unlock(&e->lock);
	return r;
}

void h7emu_pause(struct h7emu *e, bool paused)
{
	pthread_mutex_lock(&e->lock);
	e->paused = paused;
	e->steps = 0;
	pthread_mutex_unlock(&e->lock);
	e->be->ops->wake(e->be);
}

static void deadline_in(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

int h7emu_wait_stat(struct h7emu *e, size_t offset, uint64_t value,
		    unsigned int timeout_ms)
{
	struct timespec ts;
	const u64 *ctr;
	int r = 0;

	if (offset % sizeof(u64) || offset >= sizeof(struct h7emu_stats))
		return -EINVAL;
	ctr = (const u64 *)((const char *)&e->st + offset);
	deadline_in(&ts, timeout_ms);
	pthread_mutex_lock(&e->lock);
	while (*ctr < value && !r)
		r = pthread_cond_timedwait(&e->changed, &e->lock, &ts);
	if (*ctr >= value)
		r = 0;
	pthread_mutex_unlock(&e->lock);
	return r ? -ETIMEDOUT : 0;
}

int h7emu_step(struct h7emu *e, unsigned int n, unsigned int timeout_ms)
{
	u64 target;

	pthread_mutex_lock(&e->lock);
	target = e->st.passes + n;
	e->steps += n;
	pthread_mutex_unlock(&e->lock);
	e->be->ops->wake(e->be);
	return h7emu_wait_stat(e, offsetof(struct h7emu_stats, passes), target,
			       timeout_ms);
}
