// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions of the kernel's own (m4rpc_ep_kclient.h, for kernel/tty/): a
 * struct ep_session like a file's, on ep->sessions, so that the transmit
 * queue, the wire window, purges and the M4's stop treat it as any other;
 * ep_route.c hands what comes for it to its callbacks. It holds one
 * binding, never goes raw and takes no M4 calls. Not counted in the link
 * stats' "sessions" (open files).
 *
 * Locks as in ep.h: everything here takes ep->lock and sleeps; the
 * callbacks are called with it held.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "m4rpc_compat.h"
#include "ep.h"
#include "m4rpc_ep_kclient.h"

struct m4rpc_ep_ksess *m4rpc_ep_kopen(struct m4rpc_ep *ep, const char *method,
				      const struct m4rpc_ep_kops *ops,
				      void *priv)
{
	size_t len = strnlen(method, M4RPC_NAME_MAX + 1);
	struct m4rpc_ep_ksess *ks;
	struct ep_binding *b;
	int ret = 0;

	if (!len || len > M4RPC_NAME_MAX)
		return ERR_PTR(-EINVAL);
	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!ks || !b) {
		kfree(ks);
		kfree(b);
		return ERR_PTR(-ENOMEM);
	}
	m4rpc_ep_session_init(&ks->sess, ep);
	ks->sess.ks = ks;
	ks->ops = ops;
	ks->priv = priv;
	b->sess = &ks->sess;
	b->len = len;
	memcpy(b->name, method, len);

	mutex_lock(&ep->lock);
	if (ep->dead)
		ret = -ENODEV;
	else if (ep->m4_state != M4RPC_M4_RUNNING)
		ret = -EHOSTDOWN;
	else if (m4rpc_ep_binding_find(ep, b->name, b->len))
		ret = -EBUSY;
	if (!ret) {
		list_add_tail(&ks->sess.node, &ep->sessions);
		list_add_tail(&b->node, &ep->bindings);
		ks->sess.nbindings = 1;
		get_device(&ep->dev);
	}
	mutex_unlock(&ep->lock);
	if (ret) {
		kfree(b);
		kfree(ks);
		return ERR_PTR(ret);
	}
	return ks;
}

/* As the release of a file (ep_session.c), but nobody is told. */
void m4rpc_ep_kclose(struct m4rpc_ep_ksess *ks)
{
	struct m4rpc_ep *ep = ks->sess.ep;
	bool kick;

	mutex_lock(&ep->lock);
	list_del(&ks->sess.node);
	m4rpc_ep_session_unbind_all(ep, &ks->sess);
	m4rpc_ep_session_drop_calls(ep, &ks->sess);
	m4rpc_ep_tx_purge_session(ep, &ks->sess);
	kick = !ep->dead && ep->tx_total;
	mutex_unlock(&ep->lock);
	if (kick)	/* the others' messages may go now */
		m4rpc_link_tx_kick(ep->link);
	put_device(&ep->dev);
	kfree(ks);
}

int m4rpc_ep_kcall(struct m4rpc_ep_ksess *ks, const u8 *data, size_t len)
{
	struct m4rpc_ep *ep = ks->sess.ep;
	struct m4rpc_mp_rpc_env env;
	struct ep_m4call *none = NULL;
	struct ep_call *call;
	struct ep_msg *msg;
	int ret;

	if (len > ep->max_tx)
		return -EMSGSIZE;
	msg = m4rpc_ep_msg_alloc(ep->max_tx, GFP_KERNEL);
	call = kzalloc(sizeof(*call), GFP_KERNEL);
	if (!msg || !call) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(msg->data, data, len);
	msg->len = len;
	ret = m4rpc_msg_check_tx(msg->data, len, ep->max_tx, &env);
	if (!ret && env.type != M4RPC_MP_RPC_REQUEST)
		ret = -EINVAL;
	if (ret)
		goto out;

	mutex_lock(&ep->lock);
	ret = m4rpc_ep_write_check(ep, &ks->sess, &env, &none);
	if (!ret)
		ret = m4rpc_ep_write_commit(ep, &ks->sess, msg, &env, call,
					    NULL);
	mutex_unlock(&ep->lock);
	if (!ret) {
		m4rpc_link_tx_kick(ep->link);
		return 0;	/* both are the queue's now */
	}
out:
	kfree(call);
	kfree(msg);
	return ret;
}

/* Queued calls go with them: a queued message points at its call. */
void m4rpc_ep_kforget(struct m4rpc_ep_ksess *ks)
{
	struct m4rpc_ep *ep = ks->sess.ep;

	mutex_lock(&ep->lock);
	m4rpc_ep_session_drop_calls(ep, &ks->sess);
	m4rpc_ep_tx_purge_session(ep, &ks->sess);
	mutex_unlock(&ep->lock);
}

/* The link or the M4 went down (ep_rx.c): every kernel client hears it. */
void m4rpc_ep_kclients_down(struct m4rpc_ep *ep)
{
	struct ep_session *sess;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(sess, &ep->sessions, node)
		if (sess->ks)
			sess->ks->ops->down(sess->ks->priv);
}

int m4rpc_ep_index(struct m4rpc_ep *ep)
{
	return ep->index;
}

size_t m4rpc_ep_max_tx(struct m4rpc_ep *ep)
{
	return ep->max_tx;
}

struct device *m4rpc_ep_hw_dev(struct m4rpc_ep *ep)
{
	return ep->dev.parent;
}
