// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The session's traffic: writing messages, and reading them for every
 * thread of the board.
 *
 * One session serves all the threads of a board, so the replies of their
 * calls come through one descriptor (the kernel restores each request's
 * msgid, the library's). One thread at a time reads (the reader role,
 * board->reading), until its own reply came; it routes each message to
 * its owner: the reply of a synchronous call to its waiter, whose own
 * condition variable wakes it alone; the reply of an asynchronous call,
 * and the M4's calls and notifications, to the lists that
 * m4rpc_board_dispatch() takes (the eventfd makes m4rpc_board_fd()
 * readable). The others sleep; a reader that is done hands the role to
 * the first waiter still waiting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "m4rpc_priv.h"

#define NS_PER_MS	1000000L
#define NS_PER_S	1000000000L

void m4rpc__deadline(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * NS_PER_MS;
	if (ts->tv_nsec >= NS_PER_S) {
		ts->tv_sec++;
		ts->tv_nsec -= NS_PER_S;
	}
}

int m4rpc__ms_left(const struct timespec *ts)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(ts->tv_sec - now.tv_sec) * 1000 +
		(ts->tv_nsec - now.tv_nsec + NS_PER_MS - 1) / NS_PER_MS;
	if (ms < 0)
		return 0;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

void m4rpc__kick(struct m4rpc_board *b)
{
	uint64_t one = 1;

	/* Only a full counter fails, and it is readable then anyway. */
	if (write(b->evfd, &one, sizeof(one)) < 0)
		return;
}

uint32_t m4rpc__msgid(struct m4rpc_board *b)
{
	struct m4rpc_waiter *w;
	struct m4rpc_async *a;
	uint32_t id;
	bool used;

	do {
		id = ++b->next_msgid;
		if (!id)
			id = b->next_msgid = 1;
		used = false;
		for (w = b->waiters; w && !used; w = w->next)
			used = w->msgid == id;
		for (a = b->asyncs; a && !used; a = a->next)
			used = a->msgid == id;
	} while (used);
	return id;
}

/* ---- routing (lock held) -------------------------------------------------- */

static void async_complete(struct m4rpc_board *b, struct m4rpc_async *a,
			   int err, struct m4rpc_result *reply)
{
	a->err = err;
	a->reply = reply;
	a->next = NULL;
	*b->done_tail = a;
	b->done_tail = &a->next;
	m4rpc__kick(b);
}

static bool route_reply(struct m4rpc_board *b, struct m4rpc_result *m)
{
	struct m4rpc_async **ap, *a;
	struct m4rpc_waiter *w;

	for (w = b->waiters; w; w = w->next) {
		if (w->msgid == m->msgid && !w->reply) {
			w->reply = m;
			pthread_cond_signal(&w->cond);
			return true;
		}
	}
	for (ap = &b->asyncs; (a = *ap); ap = &a->next) {
		if (a->msgid == m->msgid) {
			*ap = a->next;
			async_complete(b, a, m->code, m);
			return true;
		}
	}
	return false;
}

static void route(struct m4rpc_board *b, struct m4rpc_result *m)
{
	struct m4rpc_waiter *w;

	if (m->type == MSG_RESPONSE) {
		if (b->kpending)
			b->kpending--;
		/* Room for another call: those waiting for it may go on. */
		for (w = b->waiters; w; w = w->next)
			if (!w->msgid)
				pthread_cond_signal(&w->cond);
		if (!route_reply(b, m)) {
			/* Its call timed out: nobody waits for it any more. */
			b->replies_dropped++;
			m4rpc_result_free(m);
		}
		return;
	}
	/*
	 * The M4's calls are bounded by the kernel (m4_calls_max) and each
	 * must be answered; notifications are not, so they are bounded here.
	 */
	if (m->type == MSG_NOTIFICATION) {
		if (b->inq_notifications >= (b->info.rx_queue_len ?
					     b->info.rx_queue_len : 64)) {
			b->notifications_dropped++;
			m4rpc_result_free(m);
			return;
		}
		b->inq_notifications++;
	}
	m->next = NULL;
	*b->inq_tail = m;
	b->inq_tail = &m->next;
	m4rpc__kick(b);
}

/* The session ended (lock held): every call waiting learns it. */
static void session_gone(struct m4rpc_board *b, int code)
{
	struct m4rpc_waiter *w;
	struct m4rpc_async *a;

	if (b->gone)
		return;
	b->gone = code;
	while ((a = b->asyncs)) {
		b->asyncs = a->next;
		async_complete(b, a, code, NULL);
	}
	for (w = b->waiters; w; w = w->next)
		pthread_cond_signal(&w->cond);
	m4rpc__kick(b);
}

/* ---- reading (the reader role held, lock not held) ---------------------- */

/* Room for the next message, which is @need bytes long. */
static int rx_grow(struct m4rpc_board *b, size_t need)
{
	uint8_t *p;

	if (need <= b->rxcap)
		return 0;
	p = realloc(b->rxbuf, need);
	if (!p)
		return -ENOMEM;
	b->rxbuf = p;
	b->rxcap = need;
	return 0;
}

/*
 * One message within @timeout_ms (0: only if there is one now, <0: wait
 * for it): 1 and *@out, 0 on timeout (*@out NULL), or a negative code of
 * the session's end. Malformed messages are dropped.
 */
static int read_one(struct m4rpc_board *b, int timeout_ms,
		    struct m4rpc_result **out)
{
	struct m4rpc_session_stats st;
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	ssize_t n;
	int ret;

	*out = NULL;
	for (;;) {
		ret = m4rpc__sys.poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		n = m4rpc__sys.read(b->fd, b->rxbuf, b->rxcap);
		if (n > 0) {
			*out = m4rpc__msg_decode(b->rxbuf, n, &ret);
			if (*out)
				return 1;
			continue;	/* not msgpack-rpc: the kernel never does it */
		}
		if (n == 0)
			return -ENODEV;
		switch (errno) {
		case EINTR:
		case EAGAIN:
			continue;
		case EMSGSIZE:
			if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_SESSION_STATS, &st) ||
			    rx_grow(b, st.next_msg_len))
				return -ENOMEM;
			continue;
		case EOVERFLOW:
			/* Counted under the lock by the caller, next time round. */
			__atomic_add_fetch(&b->overflows, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&b->overflowed, true, __ATOMIC_RELAXED);
			continue;
		case ENODEV:
		case EPIPE:
		case ESHUTDOWN:
			return -ENODEV;
		default:
			return -errno;
		}
	}
}

static int gone_code(struct m4rpc_board *b, int ret)
{
	return m4rpc__fail(ret, "%s: the board went away (%s)", b->path,
			   ret == -ENODEV ? "its device was removed" :
			   m4rpc_strerror(ret));
}

void m4rpc__waiter_add(struct m4rpc_board *b, struct m4rpc_waiter *w,
		       uint32_t msgid)
{
	w->msgid = msgid;
	w->reply = NULL;
	w->sleeping = false;
	pthread_cond_init(&w->cond, &b->condattr);
	w->next = b->waiters;
	b->waiters = w;
}

void m4rpc__waiter_remove(struct m4rpc_board *b, struct m4rpc_waiter *w)
{
	struct m4rpc_waiter **p;

	for (p = &b->waiters; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	pthread_cond_destroy(&w->cond);
}

static bool waiter_done(struct m4rpc_board *b, struct m4rpc_waiter *w)
{
	return w->msgid ? w->reply != NULL : b->kpending < b->info.calls_max;
}

/*
 * The reader role is free (lock held): the first waiter still waiting
 * takes it, woken alone (the others sleep on until their own reply).
 */
static void role_hand_over(struct m4rpc_board *b)
{
	struct m4rpc_waiter *w;

	for (w = b->waiters; w; w = w->next) {
		if (w->sleeping && !waiter_done(b, w)) {
			pthread_cond_signal(&w->cond);
			return;
		}
	}
}

int m4rpc__wait(struct m4rpc_board *b, struct m4rpc_waiter *w,
		const struct timespec *deadline)
{
	struct m4rpc_result *m;
	int ret;

	for (;;) {
		if (waiter_done(b, w)) {
			ret = 0;
			break;
		}
		if (b->gone) {
			ret = gone_code(b, b->gone);
			break;
		}
		if (b->reading) {
			w->sleeping = true;
			ret = deadline ?
				pthread_cond_timedwait(&w->cond, &b->lock, deadline) :
				pthread_cond_wait(&w->cond, &b->lock);
			w->sleeping = false;
			if (ret == ETIMEDOUT) {
				ret = waiter_done(b, w) ? 0 : -ETIMEDOUT;
				break;
			}
			continue;
		}
		/* The role is this thread's until its own reply comes. */
		b->reading = true;
		pthread_mutex_unlock(&b->lock);
		ret = read_one(b, deadline ? m4rpc__ms_left(deadline) : -1, &m);
		pthread_mutex_lock(&b->lock);
		b->reading = false;
		if (m)
			route(b, m);
		else if (ret < 0)
			session_gone(b, ret);
		if (!ret && !waiter_done(b, w)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	if (!b->reading)
		role_hand_over(b);
	return ret;
}

bool m4rpc__read_now(struct m4rpc_board *b)
{
	struct m4rpc_result *m;
	unsigned int n;
	int ret = 0;

	if (b->reading)
		return false;
	b->reading = true;
	pthread_mutex_unlock(&b->lock);
	/* What is queued now, not what keeps coming: dispatch must return. */
	for (n = 0; n < b->info.rx_queue_len + 1; n++) {
		ret = read_one(b, 0, &m);
		if (ret <= 0)
			break;
		pthread_mutex_lock(&b->lock);
		route(b, m);
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_lock(&b->lock);
	if (ret < 0)
		session_gone(b, ret);
	b->reading = false;
	role_hand_over(b);
	return true;
}

/* ---- writing ---------------------------------------------------------------- */

/* The M4's state behind EHOSTDOWN, read from the kernel. */
static int host_down(struct m4rpc_board *b)
{
	struct m4rpc_info info;

	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_INFO, &info))
		return m4rpc__fail(-EHOSTDOWN, "%s: the M4 runs no RPC", b->path);
	switch (info.m4_state) {
	case M4RPC_M4_NO_PROGRAM:
		return m4rpc__fail(-M4RPC_E_NO_PROGRAM,
				   "%s: the M4 has no program (m4_state -1): flash a sketch that calls RPC.begin()",
				   b->path);
	case M4RPC_M4_NO_RPC:
		return m4rpc__fail(-M4RPC_E_NO_RPC,
				   "%s: the M4's sketch runs but did not call RPC.begin() (m4_state 0)",
				   b->path);
	case M4RPC_M4_RUNNING:
		/* It came up meanwhile: the caller may try again. */
		return m4rpc__fail(-EHOSTDOWN,
				   "%s: the M4 was not running RPC a moment ago (it is now)",
				   b->path);
	default:
		return m4rpc__fail(-EHOSTDOWN,
				   "%s: the M4's state is not known yet (the link to the H7 is %s)",
				   b->path, info.link_state == M4RPC_LINK_STATE_GONE ?
				   "gone" : "syncing");
	}
}

/* Wait until write() may take the message (EAGAIN): 0 or a code. */
static int wait_writable(struct m4rpc_board *b, bool is_call,
			 const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLOUT };
	struct m4rpc_session_stats st;
	struct m4rpc_waiter w;
	int ret;

	pthread_mutex_lock(&b->lock);
	/* The kernel's count is the truth (a reply lost on the link is never read). */
	if (is_call && b->kpending >= b->info.calls_max &&
	    !m4rpc__sys.ioctl(b->fd, M4RPC_IOC_SESSION_STATS, &st))
		b->kpending = st.calls_pending;
	if (is_call && b->kpending >= b->info.calls_max) {
		/* poll() says nothing of the calls: wait for a reply. */
		m4rpc__waiter_add(b, &w, 0);
		ret = m4rpc__wait(b, &w, deadline);
		m4rpc__waiter_remove(b, &w);
		pthread_mutex_unlock(&b->lock);
		return ret;
	}
	pthread_mutex_unlock(&b->lock);
	ret = m4rpc__sys.poll(&pfd, 1, deadline ? m4rpc__ms_left(deadline) : -1);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	return ret ? 0 : -ETIMEDOUT;
}

/* What a failed write() of a @len-byte message means: a code, the sentence set. */
static int send_error(struct m4rpc_board *b, int err, size_t len)
{
	switch (err) {
	case EHOSTDOWN:
		return host_down(b);
	case ENOEXEC:
		return m4rpc__fail(-ENOEXEC,
				   "%s: the H7 firmware clips every frame Linux sends to its first subframe header (a build of 53df799): no message reaches the M4; flash tag 0.0.5 or a fixed build",
				   b->path);
	case EMSGSIZE:
		return m4rpc__fail(-EMSGSIZE,
				   "%s: a message of %zu bytes is longer than the board takes (max_tx_msg %u)",
				   b->path, len, b->info.max_tx_msg);
	case EINVAL:
		return m4rpc__fail(-EINVAL,
				   "%s: the kernel refused the message (not msgpack-rpc as the M4 needs it, a reply to no call, or raw mode)",
				   b->path);
	case ENODEV:
	case EPIPE:
	case ESHUTDOWN:
		pthread_mutex_lock(&b->lock);
		session_gone(b, -ENODEV);
		pthread_mutex_unlock(&b->lock);
		return gone_code(b, -ENODEV);
	default:
		return m4rpc__fail(-err, "%s: write: %s", b->path, strerror(err));
	}
}

int m4rpc__send(struct m4rpc_board *b, const void *msg, size_t len,
		bool is_call, const struct timespec *deadline)
{
	ssize_t n;
	int err, ret;

	if (len > b->info.max_tx_msg)
		return m4rpc__fail(-EMSGSIZE,
				   "%s: a message of %zu bytes is longer than the %u bytes the board takes (max_tx_msg)",
				   b->path, len, b->info.max_tx_msg);
	for (;;) {
		if (is_call) {
			/* Counted first: its reply may be read before write() returns. */
			pthread_mutex_lock(&b->lock);
			b->kpending++;
			pthread_mutex_unlock(&b->lock);
		}
		n = m4rpc__sys.write(b->fd, msg, len);
		if (n >= 0)
			break;
		err = errno;
		if (is_call) {
			pthread_mutex_lock(&b->lock);
			b->kpending--;
			pthread_mutex_unlock(&b->lock);
		}
		if (err == EINTR)
			continue;
		if (err != EAGAIN)
			return send_error(b, err, len);
		ret = wait_writable(b, is_call, deadline);
		if (ret == -ETIMEDOUT)
			return m4rpc__fail(ret,
					   "%s: no room to send within the timeout (the link is busy)",
					   b->path);
		if (ret)
			return ret;
	}
	if (n != (ssize_t)len)
		return m4rpc__fail(-EIO, "%s: short write (%zd of %zu bytes)",
				   b->path, n, len);
	return 0;
}
