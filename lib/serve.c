// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Serving the M4: names bound in the kernel (M4RPC_IOC_BIND) with their
 * handlers, and the request object a handler answers through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

struct m4rpc_request {
	struct m4rpc_board *board;
	const struct m4rpc_result *msg;
	bool replied;
};

/* ---- bindings ----------------------------------------------------------- */

static int bind_ioctl(struct m4rpc_board *b, const char *name,
		      unsigned long req)
{
	struct m4rpc_bind bd = { 0 };
	size_t n = strlen(name);

	bd.len = n;
	memcpy(bd.name, name, n);
	if (!m4rpc__sys.ioctl(b->fd, req, &bd))
		return 0;
	switch (errno) {
	case EADDRINUSE:
		return m4rpc__fail(-EADDRINUSE,
				   "%s: '%s' is served by another session (another process or board object)",
				   b->path, name);
	case ENOSPC:
		return m4rpc__fail(-ENOSPC,
				   "%s: this session serves %d names already, the most it may",
				   b->path, 64);
	case ENOENT:
		return m4rpc__fail(-ENOENT, "%s: '%s' is not served here",
				   b->path, name);
	case EINVAL:
		return m4rpc__fail(-EINVAL, "%s: the kernel refused to bind '%s'%s",
				   b->path, name,
				   b->raw ? " (raw mode)" : "");
	default:
		return m4rpc__fail(-errno, "%s: binding '%s': %s", b->path, name,
				   strerror(errno));
	}
}

static struct m4rpc_binding *binding_find(struct m4rpc_board *b,
					  const char *name)
{
	struct m4rpc_binding *bd;

	for (bd = b->bindings; bd; bd = bd->next)
		if (!strcmp(bd->name, name))
			return bd;
	return NULL;
}

static int serve(struct m4rpc_board *b, const char *name, m4rpc_method_fn m,
		 m4rpc_notification_fn nf, void *data)
{
	struct m4rpc_binding *bd;
	int ret;

	if (!name || !*name || strlen(name) > M4RPC_NAME_MAX)
		return m4rpc__fail(-EINVAL,
				   "%s: a method name is 1 to %d bytes long",
				   b->path, M4RPC_NAME_MAX);
	if (!m && !nf)
		return m4rpc__fail(-EINVAL, "%s: no handler given for '%s'",
				   b->path, name);
	if (b->raw)
		return m4rpc__fail(-EINVAL,
				   "%s: the session is in raw mode: it serves nothing",
				   b->path);
	/* Binding the same name again in the same session is no error. */
	ret = bind_ioctl(b, name, M4RPC_IOC_BIND);
	if (ret)
		return ret;
	pthread_mutex_lock(&b->lock);
	bd = binding_find(b, name);
	if (!bd) {
		bd = calloc(1, sizeof(*bd));
		if (!bd) {
			pthread_mutex_unlock(&b->lock);
			return m4rpc__fail(-ENOMEM, "out of memory");
		}
		strcpy(bd->name, name);
		bd->next = b->bindings;
		b->bindings = bd;
	}
	if (m) {
		bd->method = m;
		bd->method_data = data;
	} else {
		bd->notify = nf;
		bd->notify_data = data;
	}
	pthread_mutex_unlock(&b->lock);
	return 0;
}

M4RPC_EXPORT int m4rpc_board_serve(struct m4rpc_board *b, const char *method,
				   m4rpc_method_fn fn, void *data)
{
	if (!fn)
		return m4rpc__fail(-EINVAL, "%s: no handler given", b->path);
	return serve(b, method, fn, NULL, data);
}

M4RPC_EXPORT int m4rpc_board_serve_notifications(struct m4rpc_board *b,
						 const char *method,
						 m4rpc_notification_fn fn,
						 void *data)
{
	if (!fn)
		return m4rpc__fail(-EINVAL, "%s: no handler given", b->path);
	return serve(b, method, NULL, fn, data);
}

M4RPC_EXPORT int m4rpc_board_unserve(struct m4rpc_board *b, const char *method)
{
	struct m4rpc_binding **p, *bd;
	int ret;

	if (!method || !*method || strlen(method) > M4RPC_NAME_MAX)
		return m4rpc__fail(-EINVAL,
				   "%s: a method name is 1 to %d bytes long",
				   b->path, M4RPC_NAME_MAX);
	ret = bind_ioctl(b, method, M4RPC_IOC_UNBIND);
	pthread_mutex_lock(&b->lock);
	for (p = &b->bindings; (bd = *p); p = &bd->next) {
		if (!strcmp(bd->name, method)) {
			*p = bd->next;
			free(bd);
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

/* ---- requests --------------------------------------------------------------- */

M4RPC_EXPORT const char *m4rpc_request_method(const struct m4rpc_request *req)
{
	return req->msg->method;
}

M4RPC_EXPORT const msgpack_object *
m4rpc_request_params(const struct m4rpc_request *req)
{
	return req->msg->params;
}

M4RPC_EXPORT bool m4rpc_request_is_call(const struct m4rpc_request *req)
{
	return req->msg->type == MSG_REQUEST;
}

/* [1, msgid, error, result]: @err_text NULL for nil; @sig/@ap or @packed. */
static int reply(struct m4rpc_request *req, const char *err_text,
		 const char *sig, va_list *ap, const void *packed, size_t len)
{
	struct m4rpc_board *b = req->board;
	struct m4rpc_buf buf;
	msgpack_packer pk;
	size_t n;
	int ret = 0;

	if (req->msg->type != MSG_REQUEST)
		return m4rpc__fail(-EINVAL,
				   "%s: %s was a notification: nothing to answer",
				   b->path, req->msg->method);
	if (req->replied)
		return m4rpc__fail(-EALREADY, "%s: %s() was answered already",
				   b->path, req->msg->method);
	if (packed && !m4rpc__packed_one(packed, len, false))
		return m4rpc__fail(-EINVAL,
				   "the packed result (%zu bytes) is not exactly one msgpack object",
				   len);
	m4rpc__buf_init(&buf);
	msgpack_packer_init(&pk, &buf, m4rpc__buf_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_int(&pk, MSG_RESPONSE);
	/* The kernel's msgid for the M4's call, as it was read. */
	msgpack_pack_uint32(&pk, req->msg->msgid);
	if (err_text) {
		n = strlen(err_text);
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, err_text, n);
		msgpack_pack_nil(&pk);
	} else {
		msgpack_pack_nil(&pk);
		if (packed)
			m4rpc__buf_write(&buf, packed, len);
		else
			ret = m4rpc__pack_sig(&pk, sig, ap, false);
	}
	if (!ret && buf.failed)
		ret = m4rpc__fail(-ENOMEM, "out of memory");
	if (!ret)
		ret = m4rpc__send(b, buf.p, buf.len, false, NULL);
	m4rpc__buf_free(&buf);
	if (!ret)
		req->replied = true;
	return ret;
}

M4RPC_EXPORT int m4rpc_request_reply(struct m4rpc_request *req,
				     const char *sig, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sig);
	ret = reply(req, NULL, sig, &ap, NULL, 0);
	va_end(ap);
	return ret;
}

M4RPC_EXPORT int m4rpc_request_reply_packed(struct m4rpc_request *req,
					    const void *result, size_t len)
{
	return reply(req, NULL, NULL, NULL, result, len);
}

M4RPC_EXPORT int m4rpc_request_reply_error(struct m4rpc_request *req,
					   const char *text)
{
	return reply(req, text ? text : "error", NULL, NULL, NULL, 0);
}

/*
 * Hand @m, the M4's call or notification, to its handler (lock not held):
 * 1 when a callback ran, 0 when none was there.
 */
int m4rpc__serve_one(struct m4rpc_board *b, struct m4rpc_result *m)
{
	struct m4rpc_request req = { .board = b, .msg = m };
	m4rpc_notification_fn nf = NULL;
	m4rpc_method_fn mf = NULL;
	struct m4rpc_binding *bd;
	void *data = NULL;
	int ret;

	pthread_mutex_lock(&b->lock);
	bd = binding_find(b, m->method);
	if (bd && m->type == MSG_REQUEST) {
		mf = bd->method;
		data = bd->method_data;
	} else if (bd) {
		nf = bd->notify;
		data = bd->notify_data;
	}
	pthread_mutex_unlock(&b->lock);
	if (nf) {
		nf(b, &req, data);
		return 1;
	}
	if (m->type != MSG_REQUEST) {
		pthread_mutex_lock(&b->lock);
		b->notifications_dropped++;
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	if (!mf) {
		/* The M4's RPC.call() must return: tell it why. */
		reply(&req, "libm4rpc: no handler for this method on Linux",
		      NULL, NULL, NULL, 0);
		return 0;
	}
	ret = mf(b, &req, data);
	if (!req.replied)
		reply(&req, ret < 0 ? m4rpc_strerror(ret) : NULL, "", NULL,
		      NULL, 0);
	return 1;
}
