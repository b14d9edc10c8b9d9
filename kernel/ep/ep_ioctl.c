// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/m4rpcN (<linux/m4rpc.h>). Every structure returned is
 * zeroed first, so no kernel memory reaches userspace uninitialised; every
 * structure taken has its flags and reserved fields checked.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "m4rpc_compat.h"
#include "ep.h"

/*
 * One layout for 32-bit and 64-bit programs: compat_ptr_ioctl converts
 * only the pointer, so these sizes (and every field's offset,
 * tests/host/test_uapi_layout.c, built -m32 and -m64) must not depend on
 * the ABI: no longs, pointers or implicit padding.
 */
static_assert(sizeof(struct m4rpc_info) == 176);
static_assert(sizeof(struct m4rpc_bind) == 72);
static_assert(sizeof(struct m4rpc_link_stats) == 256);
static_assert(sizeof(struct m4rpc_session_stats) == 128);

static long ep_ioc_info(struct ep_session *sess, void __user *arg)
{
	struct m4rpc_ep *ep = sess->ep;
	struct m4rpc_info info;

	memset(&info, 0, sizeof(info));
	info.api_version = M4RPC_API_VERSION;
	info.index = ep->index;
	strscpy(info.spi_device, ep->spi_name, sizeof(info.spi_device));
	info.max_tx_msg = ep->max_tx;
	info.max_rx_msg = ep->max_msg;
	info.rx_queue_len = ep->rx_queue_len;
	info.raw_buf_size = ep->raw_buf_size;
	info.tx_queue_len = ep->tx_queue_len;
	info.tx_session_len = ep->tx_session_len;
	info.calls_max = ep->calls_max;
	info.m4_calls_max = ep->m4_calls_max;
	info.wire_calls_max = ep->wire_calls_max;
	info.wire_bytes_max = EP_WIRE_BUDGET;
	mutex_lock(&ep->lock);
	info.link_state = ep->link_state;
	info.m4_state = ep->m4_state;
	if (!ep->dead) {
		m4rpc_link_fw_version(ep->link, info.fw_version,
				      sizeof(info.fw_version));
		if (m4rpc_link_fw_clips(ep->link))
			info.flags |= M4RPC_INFO_FW_CLIPS;
	}
	mutex_unlock(&ep->lock);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int ep_bind_get(struct m4rpc_bind *b, void __user *arg)
{
	if (copy_from_user(b, arg, sizeof(*b)))
		return -EFAULT;
	if (b->flags || !b->len || b->len > M4RPC_NAME_MAX)
		return -EINVAL;
	return 0;
}

static long ep_ioc_bind(struct ep_session *sess, void __user *arg)
{
	struct m4rpc_ep *ep = sess->ep;
	struct ep_binding *b, *old;
	struct m4rpc_bind req;
	int ret;

	ret = ep_bind_get(&req, arg);
	if (ret)
		return ret;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->sess = sess;
	b->len = req.len;
	memcpy(b->name, req.name, req.len);

	mutex_lock(&ep->lock);
	old = m4rpc_ep_binding_find(ep, b->name, b->len);
	if (ep->dead)
		ret = -ENODEV;
	else if (sess->mode == M4RPC_MODE_RAW)
		ret = -EINVAL;
	else if (old)
		ret = old->sess == sess ? 0 : -EADDRINUSE;
	else if (sess->nbindings >= EP_BINDINGS_MAX)
		ret = -ENOSPC;
	else
		ret = 1;
	if (ret == 1) {
		list_add_tail(&b->node, &ep->bindings);
		sess->nbindings++;
		b = NULL;
		ret = 0;
	}
	mutex_unlock(&ep->lock);
	kfree(b);
	return ret;
}

static long ep_ioc_unbind(struct ep_session *sess, void __user *arg)
{
	struct m4rpc_ep *ep = sess->ep;
	struct m4rpc_bind req;
	struct ep_binding *b;
	int ret;

	ret = ep_bind_get(&req, arg);
	if (ret)
		return ret;
	mutex_lock(&ep->lock);
	b = m4rpc_ep_binding_find(ep, req.name, req.len);
	if (ep->dead) {
		ret = -ENODEV;
	} else if (!b || b->sess != sess) {
		ret = -ENOENT;
	} else {
		list_del(&b->node);
		sess->nbindings--;
		kfree(b);
	}
	mutex_unlock(&ep->lock);
	return ret;
}

/* With read_lock held: no reader is inside, the raw kfifo is ours. */
static long ep_set_mode_locked(struct ep_session *sess, u32 mode)
{
	struct m4rpc_ep *ep = sess->ep;
	int ret = 0;

	if (mode == M4RPC_MODE_RAW && !sess->raw_alloc) {
		ret = kfifo_alloc(&sess->raw, ep->raw_buf_size, GFP_KERNEL);
		if (ret)
			return ret;
		sess->raw_alloc = true;
	}
	mutex_lock(&ep->lock);
	if (ep->dead) {
		ret = -ENODEV;
	} else if (mode == sess->mode) {
		ret = 0;
	} else if (mode == M4RPC_MODE_RAW &&
		   (sess->nbindings || sess->ncalls || sess->nm4calls ||
		    sess->rx_count)) {
		ret = -EBUSY;
	} else {
		/* Unread raw bytes go with raw mode; no producer runs now. */
		if (sess->raw_alloc)
			kfifo_reset(&sess->raw);
		WRITE_ONCE(sess->overflow, false);
		WRITE_ONCE(sess->mode, mode);
	}
	mutex_unlock(&ep->lock);
	return ret;
}

static long ep_ioc_set_mode(struct ep_session *sess, void __user *arg)
{
	u32 mode;
	long ret;

	if (get_user(mode, (u32 __user *)arg))
		return -EFAULT;
	if (mode != M4RPC_MODE_MSG && mode != M4RPC_MODE_RAW)
		return -EINVAL;
	if (mutex_lock_interruptible(&sess->read_lock))
		return -ERESTARTSYS;
	ret = ep_set_mode_locked(sess, mode);
	mutex_unlock(&sess->read_lock);
	return ret;
}

static long ep_ioc_link_stats(struct ep_session *sess, void __user *arg)
{
	struct m4rpc_ep *ep = sess->ep;
	struct m4rpc_link_stats st;

	mutex_lock(&ep->lock);
	st = ep->stats;
	st.tx_queued = ep->tx_total + ep->ktx_count;
	st.calls_pending = ep->ncalls;
	st.m4_calls_pending = ep->nm4calls;
	st.calls_on_wire = ep->nwire;
	mutex_unlock(&ep->lock);
	st.reserved0 = 0;
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long ep_ioc_session_stats(struct ep_session *sess, void __user *arg)
{
	struct m4rpc_ep *ep = sess->ep;
	struct m4rpc_session_stats st;
	struct ep_msg *msg;

	mutex_lock(&ep->lock);
	st = sess->stats;
	st.mode = sess->mode;
	if (sess->mode == M4RPC_MODE_RAW) {
		st.rx_queued = kfifo_len(&sess->raw);
	} else {
		st.rx_queued = sess->rx_count;
		msg = list_first_entry_or_null(&sess->rx, struct ep_msg, node);
		st.next_msg_len = msg ? msg->len : 0;
	}
	st.tx_queued = sess->tx_count;
	st.calls_pending = sess->ncalls;
	st.m4_calls_pending = sess->nm4calls;
	st.bindings = sess->nbindings;
	mutex_unlock(&ep->lock);
	st.reserved0 = 0;
	memset(st.reserved, 0, sizeof(st.reserved));
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

long m4rpc_ep_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ep_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case M4RPC_IOC_INFO:
		return ep_ioc_info(sess, uarg);
	case M4RPC_IOC_BIND:
		return ep_ioc_bind(sess, uarg);
	case M4RPC_IOC_UNBIND:
		return ep_ioc_unbind(sess, uarg);
	case M4RPC_IOC_SET_MODE:
		return ep_ioc_set_mode(sess, uarg);
	case M4RPC_IOC_LINK_STATS:
		return ep_ioc_link_stats(sess, uarg);
	case M4RPC_IOC_SESSION_STATS:
		return ep_ioc_session_stats(sess, uarg);
	default:
		return -ENOTTY;
	}
}
