// SPDX-License-Identifier: GPL-2.0
/*
 * Routing (ep->lock held unless said otherwise; see ep.h):
 *
 *  - responses from the M4 go to the session whose call has that wire
 *    msgid, with the session's msgid restored; any other response is
 *    dropped and counted (replies_unmatched), late replies to closed
 *    sessions included;
 *  - requests and notifications from the M4 go to the session that bound
 *    the method. A request reaches it with a msgid of the kernel's (the
 *    M4's repeat: one per M4 thread) and is remembered until the session
 *    answers. A request nobody bound, or that cannot be delivered, is
 *    answered by the kernel with an error at once; a notification nobody
 *    bound is dropped and counted;
 *  - when the M4 makes a new call with the msgid of one still unanswered,
 *    it gave up on the old one (a timeout on the M4): the old one is
 *    forgotten, so its late answer cannot be taken for the new call's;
 *  - when the M4 stops running RPC, everything it was sent or asked is
 *    void: queued messages are dropped, pending calls are answered with an
 *    error of the kernel's, M4 calls are forgotten;
 *  - a kernel client's session (m4rpc_ep_kclient.h) gets its replies and
 *    notifications through its callbacks, and the end of a call that the
 *    kernel fails as an errno; requests for a method it bound are answered
 *    by the kernel as unbound ones (no process serves them).
 */
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "ep.h"

struct ep_binding *m4rpc_ep_binding_find(struct m4rpc_ep *ep, const u8 *name,
					 size_t len)
{
	struct ep_binding *b;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(b, &ep->bindings, node)
		if (b->len == len && !memcmp(b->name, name, len))
			return b;
	return NULL;
}

void m4rpc_ep_session_unbind_all(struct m4rpc_ep *ep, struct ep_session *sess)
{
	struct ep_binding *b, *tmp;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry_safe(b, tmp, &ep->bindings, node) {
		if (b->sess != sess)
			continue;
		list_del(&b->node);
		kfree(b);
	}
	sess->nbindings = 0;
}

static void ep_m4call_free(struct m4rpc_ep *ep, struct ep_m4call *mc)
{
	lockdep_assert_held(&ep->lock);
	xa_erase(&ep->m4calls, mc->id);
	list_del(&mc->node);
	mc->sess->nm4calls--;
	ep->nm4calls--;
	kfree(mc);
}

static void ep_call_free(struct m4rpc_ep *ep, struct ep_call *call);

/*
 * The kernel answers @call itself with the error @err (a string literal):
 * [1, msgid, err, nil], and the call is over. With no memory for it, the
 * session's next read() reports the loss.
 */
#define ep_call_fail(ep, call, err, kerr) \
	ep_call_fail_len(ep, call, err, sizeof(err) - 1, kerr)

static void ep_call_fail_len(struct m4rpc_ep *ep, struct ep_call *call,
			     const char *err, size_t err_len, int kerr)
{
	struct ep_session *sess = call->sess;
	struct m4rpc_ep_ksess *ks = sess->ks;
	u32 msgid = call->user_msgid;
	struct ep_msg *msg;
	int len = -ENOMEM;

	lockdep_assert_held(&ep->lock);
	if (ks) {	/* a kernel client hears @kerr instead */
		ep_call_free(ep, call);
		ks->ops->done(ks->priv, msgid, kerr);
		return;
	}
	msg = m4rpc_ep_msg_alloc(M4RPC_LINK_UI_MTU, EP_GFP_WORKER);
	if (msg)
		len = m4rpc_mp_rpc_write_error(msg->data, M4RPC_LINK_UI_MTU,
					       call->user_msgid, err, err_len);
	ep_call_free(ep, call);
	if (len < 0) {
		kfree(msg);
		m4rpc_ep_session_lost(ep, sess);
		return;
	}
	msg->len = len;
	if (!m4rpc_ep_deliver(ep, sess, msg))
		kfree(msg);
}

static void ep_call_free(struct m4rpc_ep *ep, struct ep_call *call)
{
	lockdep_assert_held(&ep->lock);
	m4rpc_ep_wire_done(ep, call);
	xa_erase(&ep->calls, call->wire_id);
	list_del(&call->node);
	WRITE_ONCE(call->sess->ncalls, call->sess->ncalls - 1);
	ep->ncalls--;
	kfree(call);
}

/*
 * The session goes: its calls' replies will be dropped when they come, the
 * M4 calls it did not answer are answered by the kernel.
 */
void m4rpc_ep_session_drop_calls(struct m4rpc_ep *ep, struct ep_session *sess)
{
	struct ep_m4call *mc, *mtmp;
	struct ep_call *call, *tmp;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry_safe(call, tmp, &sess->calls, node)
		ep_call_free(ep, call);
	list_for_each_entry_safe(mc, mtmp, &sess->m4calls, node) {
		if (ep->m4_state == M4RPC_M4_RUNNING) {
			m4rpc_ep_tx_kernel_error(ep, mc->m4_msgid, EP_ERR_CLOSED,
						 mc->name, mc->name_len);
			ep->stats.requests_refused++;
		}
		ep_m4call_free(ep, mc);
	}
}

/* A copy of @data with room for a longer msgid, its msgid set to @id. */
static struct ep_msg *ep_copy_msgid(const u8 *data, size_t len,
				    const struct m4rpc_mp_rpc_env *env, u32 id)
{
	struct ep_msg *msg;
	int n;

	msg = m4rpc_ep_msg_alloc(len + M4RPC_MSG_MSGID_GROWTH, EP_GFP_WORKER);
	if (!msg)
		return NULL;
	memcpy(msg->data, data, len);
	n = m4rpc_msg_set_msgid(msg->data, len + M4RPC_MSG_MSGID_GROWTH, len, env,
				id);
	if (WARN_ON_ONCE(n < 0)) {	/* there is room for any msgid */
		kfree(msg);
		return NULL;
	}
	msg->len = n;
	return msg;
}

/* The response to a kernel client's call: only whether it is an error. */
static void ep_kclient_reply(struct m4rpc_ep *ep, struct ep_call *call,
			     const u8 *data, const struct m4rpc_mp_rpc_env *env)
{
	struct m4rpc_ep_ksess *ks = call->sess->ks;
	bool nil = env->error_len == 1 && data[env->error_off] == 0xc0;
	u32 msgid = call->user_msgid;

	lockdep_assert_held(&ep->lock);
	ep_call_free(ep, call);
	ks->sess.stats.replies++;
	ks->ops->done(ks->priv, msgid, nil ? 0 : -EREMOTEIO);
}

static void ep_route_response(struct m4rpc_ep *ep, const u8 *data,
			      size_t len, const struct m4rpc_mp_rpc_env *env)
{
	struct ep_session *sess;
	struct ep_call *call;
	struct ep_msg *msg;

	lockdep_assert_held(&ep->lock);
	ep->stats.rx_responses++;
	call = xa_load(&ep->calls, env->msgid);
	if (!call) {
		ep->stats.replies_unmatched++;
		return;
	}
	sess = call->sess;
	m4rpc_ep_window_learn(ep, call, len);
	if (sess->ks) {
		ep_kclient_reply(ep, call, data, env);
		return;
	}
	msg = ep_copy_msgid(data, len, env, call->user_msgid);
	ep_call_free(ep, call);		/* answered, delivered or not */
	if (!msg) {
		m4rpc_ep_session_lost(ep, sess);
		return;
	}
	if (m4rpc_ep_deliver(ep, sess, msg))
		sess->stats.replies++;
	else
		kfree(msg);
}

/* The M4 abandoned an older call with this msgid: forget it. */
static void ep_m4call_retire(struct m4rpc_ep *ep, u32 m4_msgid)
{
	struct ep_m4call *mc;
	unsigned long id;

	lockdep_assert_held(&ep->lock);
	xa_for_each(&ep->m4calls, id, mc) {
		if (mc->m4_msgid == m4_msgid) {
			ep->stats.requests_abandoned++;
			ep_m4call_free(ep, mc);
		}
	}
}

static void ep_route_request(struct m4rpc_ep *ep, const u8 *data,
			     size_t len, const struct m4rpc_mp_rpc_env *env)
{
	const u8 *name = data + env->method_off;
	struct ep_session *sess;
	struct ep_binding *b;
	struct ep_m4call *mc;
	struct ep_msg *msg;
	u32 id;
	int ret;

	lockdep_assert_held(&ep->lock);
	ep->stats.rx_requests++;
	ep_m4call_retire(ep, env->msgid);
	b = m4rpc_ep_binding_find(ep, name, env->method_len);
	if (!b || b->sess->ks) {
		ep->stats.requests_unbound++;
		m4rpc_ep_tx_kernel_error(ep, env->msgid, EP_ERR_UNBOUND, name,
					 env->method_len);
		return;
	}
	sess = b->sess;
	if (sess->rx_count >= ep->rx_queue_len ||
	    ep->nm4calls >= ep->m4_calls_max) {
		if (sess->rx_count >= ep->rx_queue_len)
			m4rpc_ep_session_lost(ep, sess);
		goto busy;
	}
	mc = kzalloc(sizeof(*mc), EP_GFP_WORKER);
	if (!mc)
		goto busy;
	ret = xa_alloc_cyclic(&ep->m4calls, &id, mc, xa_limit_32b,
			      &ep->next_m4call, EP_GFP_WORKER);
	if (ret < 0) {
		kfree(mc);
		goto busy;
	}
	msg = ep_copy_msgid(data, len, env, id);
	if (!msg) {
		xa_erase(&ep->m4calls, id);
		kfree(mc);
		goto busy;
	}
	mc->sess = sess;
	mc->id = id;
	mc->m4_msgid = env->msgid;
	mc->name_len = min_t(size_t, env->method_len, M4RPC_MSG_NAME_QUOTED + 1);
	memcpy(mc->name, name, mc->name_len);
	list_add_tail(&mc->node, &sess->m4calls);
	sess->nm4calls++;
	ep->nm4calls++;
	m4rpc_ep_deliver(ep, sess, msg);	/* room was checked */
	sess->stats.m4_calls++;
	return;

busy:
	ep->stats.requests_refused++;
	m4rpc_ep_tx_kernel_error(ep, env->msgid, EP_ERR_BUSY, name, env->method_len);
}

static void ep_route_notify(struct m4rpc_ep *ep, const u8 *data, size_t len,
			    const struct m4rpc_mp_rpc_env *env)
{
	struct ep_binding *b;
	struct ep_msg *msg;

	lockdep_assert_held(&ep->lock);
	ep->stats.rx_notifications++;
	b = m4rpc_ep_binding_find(ep, data + env->method_off, env->method_len);
	if (!b) {
		ep->stats.notify_unbound++;
		return;
	}
	if (b->sess->ks) {
		b->sess->stats.rx_msgs++;
		b->sess->ks->ops->notify(b->sess->ks->priv, data, len, env);
		return;
	}
	msg = m4rpc_ep_msg_alloc(len, EP_GFP_WORKER);
	if (!msg) {
		m4rpc_ep_session_lost(ep, b->sess);
		return;
	}
	memcpy(msg->data, data, len);
	msg->len = len;
	if (!m4rpc_ep_deliver(ep, b->sess, msg))
		kfree(msg);
}

/* One whole message from the M4 (a callback: ep->lock not held). */
void m4rpc_ep_route_msg(struct m4rpc_ep *ep, const u8 *data, size_t len)
{
	struct m4rpc_mp_rpc_env env;
	bool kick;

	mutex_lock(&ep->lock);
	ep->stats.rx_msgs++;
	if (m4rpc_mp_rpc_parse(data, len, &env)) {
		ep->stats.rx_malformed++;
		mutex_unlock(&ep->lock);
		return;
	}
	switch (env.type) {
	case M4RPC_MP_RPC_RESPONSE:
		ep_route_response(ep, data, len, &env);
		break;
	case M4RPC_MP_RPC_REQUEST:
		ep_route_request(ep, data, len, &env);
		break;
	default:
		ep_route_notify(ep, data, len, &env);
		break;
	}
	/* Kernel errors to send, or room in the wire window for calls. */
	kick = ep->ktx_count || ep->tx_total;
	mutex_unlock(&ep->lock);
	if (kick)
		m4rpc_link_tx_kick(ep->link);
}

/* The M4 stopped running RPC (or went away): see the top of this file. */
void m4rpc_ep_m4_stopped(struct m4rpc_ep *ep)
{
	struct ep_m4call *mc;
	struct ep_call *call;
	unsigned long id;

	lockdep_assert_held(&ep->lock);
	m4rpc_ep_tx_purge(ep);
	xa_for_each(&ep->m4calls, id, mc) {
		ep->stats.requests_abandoned++;
		ep_m4call_free(ep, mc);
	}
	xa_for_each(&ep->calls, id, call) {
		ep->stats.calls_failed++;
		ep_call_fail(ep, call, EP_ERR_STOPPED, -EHOSTDOWN);
	}
	m4rpc_ep_wake_all(ep);
}

/*
 * A message from the M4 that may span a hole in the stream (or, @cut, that
 * lost its end) was dropped (kernel/common/rpc_reasm.h). Its head came before the
 * hole: a response tells whose call it answered, and that caller hears of
 * it at once rather than at its timeout.
 */
void m4rpc_ep_route_damaged(struct m4rpc_ep *ep, const u8 *data, size_t len,
			    bool cut)
{
	struct ep_call *call;
	u32 msgid;

	mutex_lock(&ep->lock);
	if (cut) {
		ep->stats.rx_cut++;
		ep->stats.rx_lost_bytes += len;
	} else {
		ep->stats.rx_suspect++;
	}
	if (data && m4rpc_mp_rpc_head_msgid(data, len, &msgid) ==
	    M4RPC_MP_RPC_RESPONSE) {
		call = xa_load(&ep->calls, msgid);
		if (call)
			ep_call_fail(ep, call, EP_ERR_DAMAGED, -EIO);
	}
	mutex_unlock(&ep->lock);
}
