// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The run loop: transfers are handled as soon as the backend reports them
 * (they are the H7's DMA interrupt), and passes run as the firmware runs
 * them (h7emu__h7c_advance()): one right after each transfer and each M4
 * message, one every pass_us (SysTick, without bursting to catch up after
 * a stall), or, while paused, one at a time on request.
 *
 * Locking: the emulator's mutex is never held across the backend's wait();
 * wake() is sticky, so a request made just before wait() is not lost.
 */
#include <time.h>

#include "h7emu_priv.h"

int h7emu_run(struct h7emu *e)
{
	struct h7emu_backend *be = e->be;
	struct h7emu_xfer x;
	u64 now, deadline;
	int r = 0;

	for (;;) {
		pthread_mutex_lock(&e->lock);
		if (e->stop) {
			e->stop = false;	/* consumed */
			pthread_mutex_unlock(&e->lock);
			break;
		}
		now = h7emu_now_ns();
		if (e->paused) {
			if (e->steps) {
				e->steps--;
				h7emu__h7c_pass(e, now);
			}
			deadline = e->steps ? 0 : now + 1000000000ull;
		} else {
			h7emu__h7c_advance(e, now);
			deadline = h7emu__h7c_next_ns(e);
		}
		pthread_cond_broadcast(&e->changed);
		pthread_mutex_unlock(&e->lock);

		/* One record at a time: its wake-up pass comes before the
		 * next record is looked at, as on the H7. */
		r = be->ops->wait(be, deadline, &x);
		if (r < 0)
			break;
		if (r == 1) {
			pthread_mutex_lock(&e->lock);
			h7emu__h7c_xfer(e, &x);
			pthread_cond_broadcast(&e->changed);
			pthread_mutex_unlock(&e->lock);
		}
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
