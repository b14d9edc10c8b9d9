// SPDX-License-Identifier: GPL-2.0
/*
 * The link's callbacks into an endpoint (link.h): UI bytes through the
 * reassembler (kernel/common/m4rpc_reasm.c) into whole messages, which are
 * routed (ep_route.c), and raw bytes, which go to the raw-mode sessions;
 * stream holes; link and M4 state. The link serialises the callbacks (its
 * client_lock), so the reassembler needs no lock of its own.
 */
#include <linux/kfifo.h>
#include <linux/sysfs.h>
#include "m4rpc_compat.h"
#include "ep.h"

/* Raw bytes: counted, and copied to every raw-mode session. */
void m4rpc_ep_raw_deliver(struct m4rpc_ep *ep, const u8 *data, size_t len)
{
	struct ep_session *sess;
	unsigned int n;

	mutex_lock(&ep->lock);
	ep->stats.rx_raw_bytes += len;
	list_for_each_entry(sess, &ep->sessions, node) {
		if (sess->mode != M4RPC_MODE_RAW)
			continue;
		/* The single producer of the kfifo (callbacks, ep->lock). */
		n = kfifo_in(&sess->raw, data, len);
		sess->stats.raw_bytes += n;
		if (n < len) {
			sess->stats.raw_drops += len - n;
			ep->stats.raw_drops += len - n;
			WRITE_ONCE(sess->overflow, true);
		}
		wake_up_interruptible(&sess->wq);
	}
	mutex_unlock(&ep->lock);
}

/* The reassembler's drops: counted, and a damaged reply's caller told. */
static void ep_reasm_event(struct m4rpc_ep *ep, enum m4rpc_reasm_event ev,
			   const struct m4rpc_reasm_out *out)
{
	if (ev == M4RPC_REASM_OVERSIZE) {
		mutex_lock(&ep->lock);
		ep->stats.rx_oversize++;
		mutex_unlock(&ep->lock);
		return;
	}
	/* Messages and raw bytes are the caller's. */
	if (WARN_ON_ONCE(ev != M4RPC_REASM_SUSPECT && ev != M4RPC_REASM_CUT))
		return;
	m4rpc_ep_route_damaged(ep, out->data, out->len,
			       ev == M4RPC_REASM_CUT);
}

static int ep_ui_rx(void *priv, const u8 *data, size_t len)
{
	struct m4rpc_ep *ep = priv;
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;
	size_t used;

	for (;;) {
		ev = m4rpc_reasm_feed(&ep->reasm, data, len, &used, &out);
		data += used;
		len -= used;
		switch (ev) {
		case M4RPC_REASM_NONE:
			return 0;
		case M4RPC_REASM_MSG:
			m4rpc_ep_route_msg(ep, out.data, out.len);
			break;
		case M4RPC_REASM_RAW:
			m4rpc_ep_raw_deliver(ep, out.data, out.len);
			break;
		default:
			ep_reasm_event(ep, ev, &out);
			break;
		}
	}
}

/*
 * What the H7's frame said of the stream (link.h): at a possible hole the
 * message being reassembled becomes suspect; where its ring was empty, a
 * message held for its follower is whole and one still open lost its end.
 */
static void ep_ui_mark(void *priv, bool hole, bool drained)
{
	struct m4rpc_ep *ep = priv;
	struct m4rpc_reasm_out out;
	enum m4rpc_reasm_event ev;

	if (!drained) {
		if (hole)
			m4rpc_reasm_hole_possible(&ep->reasm);
		return;
	}
	ev = m4rpc_reasm_drained(&ep->reasm, &out);
	if (ev == M4RPC_REASM_MSG)
		m4rpc_ep_route_msg(ep, out.data, out.len);
	else if (ev != M4RPC_REASM_NONE)
		ep_reasm_event(ep, ev, &out);
}

static void ep_ui_lost(void *priv)
{
	struct m4rpc_ep *ep = priv;
	size_t n = m4rpc_reasm_reset(&ep->reasm);

	mutex_lock(&ep->lock);
	ep->stats.rx_lost++;
	ep->stats.rx_lost_bytes += n;
	mutex_unlock(&ep->lock);
}

static void ep_link_state(void *priv, enum m4rpc_link_event ev, int m4_state)
{
	struct m4rpc_ep *ep = priv;
	int old;

	mutex_lock(&ep->lock);
	if (ev == M4RPC_LINK_INFO) {
		/* No state of ours changes: udev hears of the new uid. */
		if (ep->registered && !ep->dead)
			schedule_work(&ep->uevent_work);
		mutex_unlock(&ep->lock);
		return;
	}
	switch (ev) {
	case M4RPC_LINK_UP:
		ep->link_state = M4RPC_LINK_STATE_UP;
		break;
	case M4RPC_LINK_RESYNC:
		ep->link_state = M4RPC_LINK_STATE_SYNCING;
		break;
	case M4RPC_LINK_DOWN:
		ep->link_state = M4RPC_LINK_STATE_GONE;
		break;
	default:
		break;
	}
	old = ep->m4_state;
	WRITE_ONCE(ep->m4_state, ev == M4RPC_LINK_DOWN ? M4RPC_M4_UNKNOWN :
		   m4_state);
	ep->m4_known = true;
	if (old == M4RPC_M4_RUNNING && ep->m4_state != M4RPC_M4_RUNNING)
		m4rpc_ep_m4_stopped(ep);
	/* The tty hangs up then: what it sent may be lost. */
	if (ev == M4RPC_LINK_RESYNC || ev == M4RPC_LINK_DOWN ||
	    ep->m4_state != M4RPC_M4_RUNNING)
		m4rpc_ep_kclients_down(ep);
	/* Only queues work (kernfs_notify()): fine under ep->lock. */
	if (old != ep->m4_state && ep->m4_state_kn)
		sysfs_notify_dirent(ep->m4_state_kn);
	m4rpc_ep_wake_all(ep);
	mutex_unlock(&ep->lock);
}

const struct m4rpc_link_ops m4rpc_ep_link_ops = {
	.ui_tx_pull	= m4rpc_ep_tx_pull,
	.ui_rx		= ep_ui_rx,
	.ui_lost	= ep_ui_lost,
	.ui_mark	= ep_ui_mark,
	.state		= ep_link_state,
};
