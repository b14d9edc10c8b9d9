// SPDX-License-Identifier: GPL-2.0
/*
 * The client API of link.h, and the worker's side of it: every callback
 * runs with link->client_lock held, so attach/detach never race with one
 * (and detach returns only when none runs).
 */
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

int m4rpc_link_attach(struct m4rpc_link *link,
		      const struct m4rpc_link_ops *ops, void *priv)
{
	int ret = 0;

	mutex_lock(&link->client_lock);
	if (READ_ONCE(link->dying)) {
		ret = -ENODEV;
	} else if (link->ops) {
		ret = -EBUSY;
	} else {
		link->ops = ops;
		link->client_priv = priv;
	}
	mutex_unlock(&link->client_lock);
	if (!ret)
		m4rpc_link_tx_kick(link);
	return ret;
}

void m4rpc_link_detach(struct m4rpc_link *link)
{
	mutex_lock(&link->client_lock);
	link->ops = NULL;
	link->client_priv = NULL;
	mutex_unlock(&link->client_lock);
}

void m4rpc_link_tx_kick(struct m4rpc_link *link)
{
	set_bit(LINK_EV_KICK, &link->events);
	wake_up(&link->wq);
}

int m4rpc_link_m4_state(struct m4rpc_link *link)
{
	int v;

	spin_lock(&link->lock);
	v = link->m4_state;
	spin_unlock(&link->lock);
	return v;
}

size_t m4rpc_link_fw_version(struct m4rpc_link *link, char *buf, size_t size)
{
	ssize_t n = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	spin_lock(&link->lock);
	if (link->have_fw)
		n = strscpy(buf, link->fw_version, size);
	spin_unlock(&link->lock);
	return n < 0 ? size - 1 : n;
}

size_t m4rpc_link_uid(struct m4rpc_link *link, char *buf, size_t size)
{
	int n = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	spin_lock(&link->lock);
	if (link->have_uid)
		n = snprintf(buf, size, "%*phN", X8H7_UID_LEN, link->uid);
	spin_unlock(&link->lock);
	return min_t(size_t, n, size - 1);
}

size_t m4rpc_link_ui_max(struct m4rpc_link *link)
{
	return link->mode == LINK_NIRQ_LEVEL ? M4RPC_LINK_UI_MAX :
					       M4RPC_LINK_UI_MTU;
}

struct device *m4rpc_link_dev(struct m4rpc_link *link)
{
	return link->dev;
}

static void m4rpc_link_release(struct kref *ref)
{
	struct m4rpc_link *link = container_of(ref, struct m4rpc_link, ref);

	put_device(link->dev);
	kfree(link);
}

void m4rpc_link_get(struct m4rpc_link *link)
{
	kref_get(&link->ref);
}

void m4rpc_link_put(struct m4rpc_link *link)
{
	kref_put(&link->ref, m4rpc_link_release);
}

/* ---- from the worker ---------------------------------------------------- */

int m4rpc_link_client_pull(struct m4rpc_link *link, u8 *buf, size_t room)
{
	int n = 0;

	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->ui_tx_pull)
		n = link->ops->ui_tx_pull(link->client_priv, buf, room);
	mutex_unlock(&link->client_lock);
	return n;
}

void m4rpc_link_client_rx(struct m4rpc_link *link, const u8 *data, size_t len)
{
	int ret = -ENOBUFS;

	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->ui_rx)
		ret = link->ops->ui_rx(link->client_priv, data, len);
	mutex_unlock(&link->client_lock);
	if (ret)
		link_stat_add(link, LINK_STAT_overflow_drops, len);
	else
		link_stat_add(link, LINK_STAT_rx_ui_bytes, len);
}

void m4rpc_link_client_mark(struct m4rpc_link *link, bool hole,
			    bool drained)
{
	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->ui_mark)
		link->ops->ui_mark(link->client_priv, hole, drained);
	mutex_unlock(&link->client_lock);
}

void m4rpc_link_client_lost(struct m4rpc_link *link)
{
	link_stat_inc(link, LINK_STAT_ui_lost);
	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->ui_lost)
		link->ops->ui_lost(link->client_priv);
	mutex_unlock(&link->client_lock);
}

void m4rpc_link_client_event(struct m4rpc_link *link, enum m4rpc_link_event ev)
{
	int m4 = m4rpc_link_m4_state(link);

	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->state)
		link->ops->state(link->client_priv, ev, m4);
	mutex_unlock(&link->client_lock);
}

/* remove: a client still attached hears that the link is gone, and goes. */
void m4rpc_link_client_down(struct m4rpc_link *link)
{
	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->state)
		link->ops->state(link->client_priv, M4RPC_LINK_DOWN,
				 m4rpc_link_m4_state(link));
	link->ops = NULL;
	link->client_priv = NULL;
	mutex_unlock(&link->client_lock);
}
