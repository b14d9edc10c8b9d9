// SPDX-License-Identifier: GPL-2.0
/*
 * The link transmit queue of an endpoint (ep->lock held everywhere unless
 * said otherwise; see ep.h).
 *
 * Each session queues its own messages, in order; the link pulls one
 * message at a time (ops->ui_tx_pull), taking the kernel's own error
 * responses first (an M4 call waits for each), then the sessions in turn:
 * the session served goes to the back of the round. A flooding session
 * thus gets its share of the link and no more.
 *
 * The wire window: the H7 has no flow control towards Linux. What the M4
 * sends goes through a 4 KiB ring, 128 bytes per pass of the H7's loop, into
 * a frame that holds about two such chunks; a chunk that finds the frame
 * still unread by the link is lost. So answers must not pile up faster than
 * the link reads them, and the kernel bounds the calls on their way to the
 * M4 and back: at most wire_calls_max per link. A call counts from when
 * the link takes it until its response comes, the call is dropped, or
 * EP_WIRE_EXPIRE_MS pass (a lost response must not close the window for
 * good; a timer kicks the link then). A session whose next message is a
 * call waits its turn while the window is full; the others go on. The
 * default, 16: what 16 calls with answers of up to 15 bytes return (an
 * integer result) fits two chunks, which the H7's frames hold even when the
 * link reads a pass late. Larger answers need a smaller window; the M4's
 * own notifications are not bounded by it (nothing can bound them).
 *
 * Admission (write() blocks while it says no): a session may queue while
 * it holds fewer than tx_session_len messages and the sessions together
 * hold fewer than tx_queue_len; a session holding none may always queue
 * one, so a full queue never locks a quiet session out (the queue then
 * holds at most tx_queue_len + one message per session).
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "ep.h"

bool m4rpc_ep_tx_admit(struct m4rpc_ep *ep, struct ep_session *sess)
{
	lockdep_assert_held(&ep->lock);
	if (!sess->tx_count)
		return true;
	return sess->tx_count < ep->tx_session_len &&
	       ep->tx_total < ep->tx_queue_len;
}

/* The same without ep->lock, for wait conditions and poll. */
bool m4rpc_ep_tx_admit_lockless(struct m4rpc_ep *ep, struct ep_session *sess)
{
	u32 mine = READ_ONCE(sess->tx_count);

	if (!mine)
		return true;
	return mine < ep->tx_session_len &&
	       READ_ONCE(ep->tx_total) < ep->tx_queue_len;
}

void m4rpc_ep_tx_queue(struct m4rpc_ep *ep, struct ep_session *sess,
		       struct ep_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	list_add_tail(&msg->node, &sess->tx);
	if (!sess->tx_count)
		list_add_tail(&sess->tx_node, &ep->tx_rr);
	WRITE_ONCE(sess->tx_count, sess->tx_count + 1);
	WRITE_ONCE(ep->tx_total, ep->tx_total + 1);
}

/*
 * An error response of the kernel's own to the M4's call @m4_msgid (the
 * caller kicks the link). Dropped and counted when EP_KTX_MAX wait already.
 */
void m4rpc_ep_tx_kernel_error(struct m4rpc_ep *ep, u32 m4_msgid, const char *prefix,
			      const u8 *name, size_t name_len)
{
	struct ep_msg *msg;
	int len;

	lockdep_assert_held(&ep->lock);
	msg = list_first_entry_or_null(&ep->ktx_free, struct ep_msg, node);
	if (ep->dead || !msg) {		/* EP_KTX_MAX wait already */
		ep->stats.tx_kernel_drops++;
		return;
	}
	len = m4rpc_msg_error(msg->data, M4RPC_LINK_UI_MTU, m4_msgid, prefix,
			      name, name_len);
	if (WARN_ON_ONCE(len < 0)) {	/* the name is quoted short */
		ep->stats.tx_kernel_drops++;
		return;
	}
	msg->len = len;
	list_move_tail(&msg->node, &ep->ktx);
	ep->ktx_count++;
	ep->stats.tx_errors++;
}

/* Drop what @sess has queued (release, M4 stopped, removal). */
void m4rpc_ep_tx_purge_session(struct m4rpc_ep *ep, struct ep_session *sess)
{
	struct ep_msg *msg, *tmp;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry_safe(msg, tmp, &sess->tx, node) {
		list_del(&msg->node);
		kfree(msg);
		ep->stats.tx_purged++;
	}
	if (sess->tx_count)
		list_del_init(&sess->tx_node);
	WRITE_ONCE(ep->tx_total, ep->tx_total - sess->tx_count);
	WRITE_ONCE(sess->tx_count, 0);
	wake_up_interruptible(&sess->wq);
}

/* Drop everything queued (the M4 stopped, or the device is gone). */
void m4rpc_ep_tx_purge(struct m4rpc_ep *ep)
{
	struct ep_session *sess;
	struct ep_msg *msg, *tmp;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(sess, &ep->sessions, node)
		m4rpc_ep_tx_purge_session(ep, sess);
	list_for_each_entry_safe(msg, tmp, &ep->ktx, node) {
		list_move(&msg->node, &ep->ktx_free);
		ep->stats.tx_purged++;
	}
	ep->ktx_count = 0;
}

/* The call left the wire window (answered, dropped or expired). */
void m4rpc_ep_wire_done(struct m4rpc_ep *ep, struct ep_call *call)
{
	lockdep_assert_held(&ep->lock);
	if (!call->on_wire)
		return;
	call->on_wire = false;
	list_del(&call->wire_node);
	m4rpc_ep_window_release(ep, call);
}

static void ep_wire_expire(struct m4rpc_ep *ep)
{
	unsigned long ttl = msecs_to_jiffies(EP_WIRE_EXPIRE_MS);
	struct ep_call *call;

	lockdep_assert_held(&ep->lock);
	for (;;) {
		call = list_first_entry_or_null(&ep->wire, struct ep_call,
						wire_node);
		if (!call)
			return;
		if (time_before(jiffies, call->sent + ttl)) {
			/* Calls wait for the window: look again then. */
			if (ep->nwire)
				mod_timer(&ep->wire_timer, call->sent + ttl);
			return;
		}
		m4rpc_ep_wire_done(ep, call);
		ep->stats.wire_expired++;
	}
}

void m4rpc_ep_wire_timer(struct timer_list *t)
{
	struct m4rpc_ep *ep = container_of(t, struct m4rpc_ep, wire_timer);

	/* Only armed by a pull, so the link is attached (ep_main.c). */
	m4rpc_link_tx_kick(ep->link);
}

/* The next message to send (ep->lock held); *@sess NULL for the kernel's. */
static struct ep_msg *ep_tx_next(struct m4rpc_ep *ep, struct ep_session **sess)
{
	struct ep_session *s;
	struct ep_msg *msg;

	lockdep_assert_held(&ep->lock);
	*sess = NULL;
	if (!list_empty(&ep->ktx))
		return list_first_entry(&ep->ktx, struct ep_msg, node);
	if (list_empty(&ep->tx_rr))
		return NULL;
	ep_wire_expire(ep);
	list_for_each_entry(s, &ep->tx_rr, tx_node) {
		msg = list_first_entry(&s->tx, struct ep_msg, node);
		if (!msg->call || m4rpc_ep_window_admits(ep, msg->call)) {
			*sess = s;
			return msg;
		}
	}
	return NULL;	/* calls only, the window full: a reply kicks us */
}

/* ops->ui_tx_pull: from the link's worker, with its client_lock held. */
int m4rpc_ep_tx_pull(void *priv, u8 *buf, size_t room)
{
	struct m4rpc_ep *ep = priv;
	struct ep_session *sess;
	struct ep_msg *msg;
	bool was_full;

	mutex_lock(&ep->lock);
	msg = ep_tx_next(ep, &sess);
	if (!msg) {
		mutex_unlock(&ep->lock);
		return 0;
	}
	if (msg->len > room) {
		mutex_unlock(&ep->lock);
		return -EMSGSIZE;	/* stays queued for the next frame */
	}
	memcpy(buf, msg->data, msg->len);
	list_del(&msg->node);
	if (msg->call) {
		msg->call->on_wire = true;
		msg->call->sent = jiffies;
		list_add_tail(&msg->call->wire_node, &ep->wire);
		m4rpc_ep_window_take(ep, msg->call);
	}
	if (sess) {
		was_full = ep->tx_total >= ep->tx_queue_len;
		WRITE_ONCE(sess->tx_count, sess->tx_count - 1);
		WRITE_ONCE(ep->tx_total, ep->tx_total - 1);
		/* To the back of the round, or out of it. */
		list_del_init(&sess->tx_node);
		if (sess->tx_count)
			list_add_tail(&sess->tx_node, &ep->tx_rr);
		if (was_full)
			m4rpc_ep_wake_all(ep);
		else
			wake_up_interruptible(&sess->wq);
	}
	ep->stats.tx_msgs++;
	ep->stats.tx_bytes += msg->len;
	room = msg->len;
	if (!sess) {	/* the kernel's buffers go back to their pool */
		ep->ktx_count--;
		list_add(&msg->node, &ep->ktx_free);
		msg = NULL;
	}
	mutex_unlock(&ep->lock);
	kfree(msg);
	return room;
}
