// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calls to the M4: synchronous (the caller waits for its reply, reading
 * the session for the board's other threads meanwhile), asynchronous
 * (the completion runs from dispatch), and notifications.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

static int check_method(struct m4rpc_board *b, const char *method)
{
	if (!method || !*method)
		return m4rpc__fail(-EINVAL, "%s: no method name given", b->path);
	if (b->raw)
		return m4rpc__fail(-EINVAL,
				   "%s: the session is in raw mode: it sends only notifications and reads only raw bytes",
				   b->path);
	return 0;
}

/* The request [0, msgid, method, params] with packed @params, into @buf. */
static int pack_request_packed(struct m4rpc_buf *buf, msgpack_packer *pk,
			       uint32_t msgid, const char *method,
			       const void *params, size_t len)
{
	if (!m4rpc__packed_one(params, len, true))
		return m4rpc__fail(-EINVAL,
				   "the packed arguments (%zu bytes) are not exactly one msgpack array",
				   len);
	m4rpc__pack_request_head(pk, msgid, method);
	m4rpc__buf_write(buf, params, len);
	return buf->failed ? m4rpc__fail(-ENOMEM, "out of memory") : 0;
}

static int pack_request_sig(struct m4rpc_buf *buf, msgpack_packer *pk,
			    uint32_t msgid, const char *method,
			    const char *sig, va_list *ap)
{
	int ret;

	m4rpc__pack_request_head(pk, msgid, method);
	ret = m4rpc__pack_sig(pk, sig, ap, true);
	if (!ret && buf->failed)
		ret = m4rpc__fail(-ENOMEM, "out of memory");
	return ret;
}

/* A reply's error as the caller's code and sentence. */
static int reply_error(struct m4rpc_board *b, const char *method,
		       const struct m4rpc_result *r)
{
	return m4rpc__fail(r->code, "%s: %s(): %s: \"%s\"", b->path, method,
			   m4rpc_strerror(r->code), r->error_text);
}

/*
 * Send the request packed in @buf (its msgid @w->msgid, @w registered)
 * and wait for the reply.
 */
static int call_wait(struct m4rpc_board *b, int timeout_ms,
		     struct m4rpc_result **res, const char *method,
		     struct m4rpc_buf *buf, struct m4rpc_waiter *w)
{
	struct timespec deadline, *dl = NULL;
	struct m4rpc_result *r;
	int ret;

	if (timeout_ms >= 0) {
		m4rpc__deadline(&deadline, timeout_ms);
		dl = &deadline;
	}
	ret = m4rpc__send(b, buf->p, buf->len, true, dl);
	pthread_mutex_lock(&b->lock);
	if (!ret)
		ret = m4rpc__wait(b, w, dl);
	m4rpc__waiter_remove(b, w);
	r = w->reply;
	pthread_mutex_unlock(&b->lock);
	if (ret == -ETIMEDOUT && !r)
		ret = m4rpc__fail(ret, "%s: no reply to %s() within %d ms%s",
				  b->path, method, timeout_ms,
				  __atomic_load_n(&b->overflowed, __ATOMIC_RELAXED) ?
				  " (the kernel dropped messages of this session: its receive queue was full)" :
				  "");
	if (r) {
		ret = r->code;
		if (ret)
			reply_error(b, method, r);
		if (ret || !res)
			m4rpc_result_free(r);
		else
			*res = r;
	}
	return ret;
}

static int vcall(struct m4rpc_board *b, int timeout_ms,
		 struct m4rpc_result **res, const char *method,
		 const char *sig, va_list *ap, const void *params, size_t len)
{
	struct m4rpc_waiter w;
	struct m4rpc_buf buf;
	msgpack_packer pk;
	int ret;

	if (res)
		*res = NULL;
	ret = check_method(b, method);
	if (ret)
		return ret;
	m4rpc__buf_init(&buf);
	msgpack_packer_init(&pk, &buf, m4rpc__buf_write);
	/* Registered before the write: another thread may read the reply. */
	pthread_mutex_lock(&b->lock);
	m4rpc__waiter_add(b, &w, m4rpc__msgid(b));
	pthread_mutex_unlock(&b->lock);
	ret = ap ? pack_request_sig(&buf, &pk, w.msgid, method, sig, ap) :
		pack_request_packed(&buf, &pk, w.msgid, method, params, len);
	if (!ret) {
		ret = call_wait(b, timeout_ms, res, method, &buf, &w);
	} else {
		pthread_mutex_lock(&b->lock);
		m4rpc__waiter_remove(b, &w);
		pthread_mutex_unlock(&b->lock);
	}
	m4rpc__buf_free(&buf);
	return ret;
}

M4RPC_EXPORT int m4rpc_vcall(struct m4rpc_board *b, int timeout_ms,
			     struct m4rpc_result **res, const char *method,
			     const char *sig, va_list ap)
{
	va_list cp;
	int ret;

	va_copy(cp, ap);
	ret = vcall(b, timeout_ms, res, method, sig, &cp, NULL, 0);
	va_end(cp);
	return ret;
}

M4RPC_EXPORT int m4rpc_call(struct m4rpc_board *b, int timeout_ms,
			    struct m4rpc_result **res, const char *method,
			    const char *sig, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sig);
	ret = vcall(b, timeout_ms, res, method, sig, &ap, NULL, 0);
	va_end(ap);
	return ret;
}

M4RPC_EXPORT int m4rpc_call_packed(struct m4rpc_board *b, int timeout_ms,
				   struct m4rpc_result **res,
				   const char *method, const void *params,
				   size_t len)
{
	return vcall(b, timeout_ms, res, method, NULL, NULL, params, len);
}

/* ---- asynchronous calls ------------------------------------------------- */

static int64_t call_async(struct m4rpc_board *b, int timeout_ms,
			  m4rpc_reply_fn fn, void *data, const char *method,
			  const char *sig, va_list *ap, const void *params,
			  size_t len)
{
	struct m4rpc_async *a, **p;
	struct m4rpc_buf buf;
	msgpack_packer pk;
	uint32_t msgid;
	int ret;

	ret = check_method(b, method);
	if (ret)
		return ret;
	if (!fn)
		return m4rpc__fail(-EINVAL, "%s: no completion given", b->path);
	a = calloc(1, sizeof(*a));
	if (!a)
		return m4rpc__fail(-ENOMEM, "out of memory");
	a->fn = fn;
	a->data = data;
	if (timeout_ms >= 0) {
		a->has_deadline = true;
		m4rpc__deadline(&a->deadline, timeout_ms);
	}
	m4rpc__buf_init(&buf);
	msgpack_packer_init(&pk, &buf, m4rpc__buf_write);
	pthread_mutex_lock(&b->lock);
	if (b->gone) {
		ret = b->gone;
		pthread_mutex_unlock(&b->lock);
		free(a);
		return m4rpc__fail(ret, "%s: the board went away", b->path);
	}
	msgid = a->msgid = m4rpc__msgid(b);
	a->next = b->asyncs;
	b->asyncs = a;
	pthread_mutex_unlock(&b->lock);
	ret = ap ? pack_request_sig(&buf, &pk, msgid, method, sig, ap) :
		pack_request_packed(&buf, &pk, msgid, method, params, len);
	if (!ret)
		ret = m4rpc__send(b, buf.p, buf.len, true,
				  a->has_deadline ? &a->deadline : NULL);
	m4rpc__buf_free(&buf);
	if (!ret)
		return msgid;
	/* Not sent: no completion, even one the session's end queued. */
	pthread_mutex_lock(&b->lock);
	for (p = &b->asyncs; *p && *p != a; p = &(*p)->next)
		;
	if (!*p) {
		for (p = &b->done; *p && *p != a; p = &(*p)->next)
			;
		if (b->done_tail == &a->next)
			b->done_tail = p;
	}
	if (*p)
		*p = a->next;
	pthread_mutex_unlock(&b->lock);
	m4rpc_result_free(a->reply);
	free(a);
	return ret;
}

M4RPC_EXPORT int64_t m4rpc_call_async(struct m4rpc_board *b, int timeout_ms,
				      m4rpc_reply_fn fn, void *data,
				      const char *method, const char *sig, ...)
{
	va_list ap;
	int64_t ret;

	va_start(ap, sig);
	ret = call_async(b, timeout_ms, fn, data, method, sig, &ap, NULL, 0);
	va_end(ap);
	return ret;
}

M4RPC_EXPORT int64_t m4rpc_call_async_packed(struct m4rpc_board *b,
					     int timeout_ms, m4rpc_reply_fn fn,
					     void *data, const char *method,
					     const void *params, size_t len)
{
	return call_async(b, timeout_ms, fn, data, method, NULL, NULL, params,
			  len);
}

/* ---- notifications ----------------------------------------------------------- */

static int notify(struct m4rpc_board *b, const char *method, const char *sig,
		  va_list *ap, const void *params, size_t len)
{
	struct m4rpc_buf buf;
	msgpack_packer pk;
	int ret;

	if (!method || !*method)
		return m4rpc__fail(-EINVAL, "%s: no method name given", b->path);
	m4rpc__buf_init(&buf);
	msgpack_packer_init(&pk, &buf, m4rpc__buf_write);
	m4rpc__pack_notify_head(&pk, method);
	if (ap) {
		ret = m4rpc__pack_sig(&pk, sig, ap, true);
	} else if (!m4rpc__packed_one(params, len, true)) {
		ret = m4rpc__fail(-EINVAL,
				  "the packed arguments (%zu bytes) are not exactly one msgpack array",
				  len);
	} else {
		m4rpc__buf_write(&buf, params, len);
		ret = 0;
	}
	if (!ret && buf.failed)
		ret = m4rpc__fail(-ENOMEM, "out of memory");
	if (!ret)
		ret = m4rpc__send(b, buf.p, buf.len, false, NULL);
	m4rpc__buf_free(&buf);
	return ret;
}

M4RPC_EXPORT int m4rpc_notify(struct m4rpc_board *b, const char *method,
			      const char *sig, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sig);
	ret = notify(b, method, sig, &ap, NULL, 0);
	va_end(ap);
	return ret;
}

M4RPC_EXPORT int m4rpc_notify_packed(struct m4rpc_board *b, const char *method,
				     const void *params, size_t len)
{
	return notify(b, method, NULL, NULL, params, len);
}
