// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dispatch: the callbacks of a board run here, in the thread that calls
 * m4rpc_board_dispatch() (from the caller's event loop) or
 * m4rpc_board_run() (the library's), and nowhere else.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "m4rpc_priv.h"

static bool ts_passed(const struct timespec *ts)
{
	return m4rpc__ms_left(ts) == 0;
}

/* Asynchronous calls whose time is up become completions (lock held). */
static void expire(struct m4rpc_board *b)
{
	struct m4rpc_async **p = &b->asyncs, *a;

	while ((a = *p)) {
		if (!a->has_deadline || !ts_passed(&a->deadline)) {
			p = &a->next;
			continue;
		}
		*p = a->next;
		a->err = -ETIMEDOUT;
		a->reply = NULL;
		a->next = NULL;
		*b->done_tail = a;
		b->done_tail = &a->next;
	}
}

static int complete(struct m4rpc_board *b, struct m4rpc_async *done)
{
	struct m4rpc_async *a;
	int n = 0;

	while ((a = done)) {
		done = a->next;
		a->fn(b, a->err, a->reply, a->data);
		free(a);
		n++;
	}
	return n;
}

static int serve_all(struct m4rpc_board *b, struct m4rpc_result *inq)
{
	struct m4rpc_result *m;
	int n = 0;

	while ((m = inq)) {
		inq = m->next;
		n += m4rpc__serve_one(b, m);
		m4rpc_result_free(m);
	}
	return n;
}

M4RPC_EXPORT int m4rpc_board_dispatch(struct m4rpc_board *b)
{
	struct m4rpc_result *inq, *m;
	struct m4rpc_async *done;
	uint64_t v;
	int n, gone;

	if (b->raw)
		return m4rpc__fail(-EINVAL,
				   "%s: the session is in raw mode: nothing to dispatch",
				   b->path);
	/* Cleared first: what is kept from now on makes it readable again. */
	if (read(b->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return m4rpc__fail(-errno, "%s: eventfd", b->path);
	pthread_mutex_lock(&b->lock);
	m4rpc__read_now(b);
	expire(b);
	done = b->done;
	b->done = NULL;
	b->done_tail = &b->done;
	inq = b->inq;
	b->inq = NULL;
	b->inq_tail = &b->inq;
	for (m = inq; m; m = m->next)
		if (m->type == MSG_NOTIFICATION)
			b->inq_notifications--;
	gone = b->gone;
	pthread_mutex_unlock(&b->lock);

	n = complete(b, done) + serve_all(b, inq);
	if (!n && gone && !done && !inq)
		return m4rpc__fail(gone, "%s: the board went away", b->path);
	return n;
}

M4RPC_EXPORT int m4rpc_board_next_timeout(struct m4rpc_board *b)
{
	struct m4rpc_async *a;
	int ms = -1, left;

	pthread_mutex_lock(&b->lock);
	for (a = b->asyncs; a; a = a->next) {
		if (!a->has_deadline)
			continue;
		left = m4rpc__ms_left(&a->deadline);
		if (ms < 0 || left < ms)
			ms = left;
	}
	if (b->done)
		ms = 0;
	pthread_mutex_unlock(&b->lock);
	return ms;
}

M4RPC_EXPORT int m4rpc_board_run(struct m4rpc_board *b)
{
	struct pollfd pfd = { .fd = b->epfd, .events = POLLIN };
	int ret;

	for (;;) {
		pthread_mutex_lock(&b->lock);
		if (b->stop) {
			b->stop = false;
			pthread_mutex_unlock(&b->lock);
			return 0;
		}
		pthread_mutex_unlock(&b->lock);
		ret = poll(&pfd, 1, m4rpc_board_next_timeout(b));
		if (ret < 0 && errno != EINTR)
			return m4rpc__fail(-errno, "%s: poll", b->path);
		ret = m4rpc_board_dispatch(b);
		if (ret < 0)
			return ret;
	}
}

M4RPC_EXPORT void m4rpc_board_stop(struct m4rpc_board *b)
{
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_mutex_unlock(&b->lock);
	m4rpc__kick(b);
}
