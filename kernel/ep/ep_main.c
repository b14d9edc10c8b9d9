// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/m4rpcN: one character device per link, its module parameters and its
 * lifetime (ep.h says who holds it and which locks exist; the contract with
 * userspace is <linux/m4rpc.h>).
 *
 * Module parameters (m4rpc.ko), read when a link is bound; the uapi header
 * lists them with the same defaults:
 *
 *   max_msg_size    (4096, 256..65536) longest message from the M4
 *   rx_queue_len    (64, 1..4096) messages per session receive queue
 *   raw_buf_size    (4096, 256..1 MiB, rounded up to a power of two) raw
 *                   bytes per raw-mode session
 *   tx_queue_len    (64, 1..4096) messages in the link transmit queue
 *   tx_session_len  (16, 1..tx_queue_len) ... of which one session may hold
 *   calls_max       (256, 1..65536) pending calls per session
 *   m4_calls_max    (64, 1..4096) M4 calls waiting for answers, per link
 *   wire_calls_max  (16, 1..1024) calls on their way to the M4 and back, per
 *                   link (ep_tx.c says why)
 *
 * Memory is bounded by them: a session holds at most rx_queue_len messages
 * of at most max_msg_size (+4) bytes, or raw_buf_size bytes, at most
 * tx_session_len messages of 248 bytes and calls_max small records; a link
 * holds one max_msg_size reassembly buffer, EP_KTX_MAX kernel responses and
 * m4_calls_max M4 call records.
 *
 * m4rpc_ep_remove() order: dead (sessions wake up and fail with ENODEV, no
 * new session starts), the device node goes (cdev_device_del), the link
 * client is detached (waits for a callback in progress; none comes after),
 * queued messages are dropped, the index is freed for the next link, and
 * the link's reference to the device is dropped; open files keep the rest
 * until they are closed (ep_dev_release()).
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "ep.h"
#include "ep_link.h"

#define EP_MINORS	64

unsigned int ep_max_msg_size = 4096;
module_param_named(max_msg_size, ep_max_msg_size, uint, 0444);
MODULE_PARM_DESC(max_msg_size, "longest message from the M4, bytes (default 4096)");

unsigned int ep_rx_queue_len = 64;
module_param_named(rx_queue_len, ep_rx_queue_len, uint, 0444);
MODULE_PARM_DESC(rx_queue_len, "messages per session receive queue (default 64)");

unsigned int ep_raw_buf_size = 4096;
module_param_named(raw_buf_size, ep_raw_buf_size, uint, 0444);
MODULE_PARM_DESC(raw_buf_size, "raw bytes per raw-mode session (default 4096)");

unsigned int ep_tx_queue_len = 64;
module_param_named(tx_queue_len, ep_tx_queue_len, uint, 0444);
MODULE_PARM_DESC(tx_queue_len, "messages in a link's transmit queue (default 64)");

unsigned int ep_tx_session_len = 16;
module_param_named(tx_session_len, ep_tx_session_len, uint, 0444);
MODULE_PARM_DESC(tx_session_len, "transmit queue messages one session may hold (default 16)");

unsigned int ep_calls_max = 256;
module_param_named(calls_max, ep_calls_max, uint, 0444);
MODULE_PARM_DESC(calls_max, "pending calls per session (default 256)");

unsigned int ep_m4_calls_max = 64;
module_param_named(m4_calls_max, ep_m4_calls_max, uint, 0444);
MODULE_PARM_DESC(m4_calls_max, "M4 calls waiting for Linux answers, per link (default 64)");

unsigned int ep_wire_calls_max = 16;
module_param_named(wire_calls_max, ep_wire_calls_max, uint, 0444);
MODULE_PARM_DESC(wire_calls_max, "calls on their way to the M4 and back, per link (default 16)");

static dev_t ep_devt;
static DEFINE_IDA(ep_ida);
static DEFINE_MUTEX(ep_list_lock);
static LIST_HEAD(ep_list);

/* Not "m4rpc": the link's sysfs group of that name sits in the same place. */
static struct class ep_class = {
	.name = "m4rpc-ep",
};

const struct file_operations ep_fops = {
	.owner		= THIS_MODULE,
	.open		= ep_open,
	.release	= ep_release,
	.read		= ep_read,
	.write		= ep_write,
	.poll		= ep_poll,
	.unlocked_ioctl	= ep_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

struct ep_msg *ep_msg_alloc(size_t size)
{
	struct ep_msg *msg;

	msg = kmalloc(struct_size(msg, data, size), GFP_KERNEL);
	if (msg) {
		msg->call = NULL;
		msg->len = 0;
	}
	return msg;
}

static void ep_limits(struct m4rpc_ep *ep)
{
	ep->max_msg = clamp(ep_max_msg_size, 256U, 65536U);
	ep->rx_queue_len = clamp(ep_rx_queue_len, 1U, 4096U);
	ep->raw_buf_size = roundup_pow_of_two(clamp(ep_raw_buf_size, 256U,
						    1024U * 1024U));
	ep->tx_queue_len = clamp(ep_tx_queue_len, 1U, 4096U);
	ep->tx_session_len = clamp(ep_tx_session_len, 1U, ep->tx_queue_len);
	ep->calls_max = clamp(ep_calls_max, 1U, 65536U);
	ep->m4_calls_max = clamp(ep_m4_calls_max, 1U, 4096U);
	ep->wire_calls_max = clamp(ep_wire_calls_max, 1U, 1024U);
}

static void ep_dev_release(struct device *dev)
{
	struct m4rpc_ep *ep = container_of(dev, struct m4rpc_ep, dev);

	timer_delete_sync(&ep->wire_timer);
	/* Sessions emptied both (each frees its own entries). */
	xa_destroy(&ep->calls);
	xa_destroy(&ep->m4calls);
	if (ep->index_held)
		ida_free(&ep_ida, ep->index);
	m4rpc_link_put(ep->link);
	kfree(ep->reasm_buf);
	kfree(ep);
}

int m4rpc_ep_add(struct m4rpc_link *link)
{
	struct device *ldev = m4rpc_link_dev(link);
	struct m4rpc_ep *ep;
	int ret, m4;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	ep_limits(ep);
	ep->reasm_buf = kmalloc(ep->max_msg, GFP_KERNEL);
	if (!ep->reasm_buf) {
		kfree(ep);
		return -ENOMEM;
	}
	rpc_reasm_init(&ep->reasm, ep->reasm_buf, ep->max_msg, EP_SKIP_MAX);
	mutex_init(&ep->lock);
	INIT_LIST_HEAD(&ep->sessions);
	INIT_LIST_HEAD(&ep->bindings);
	INIT_LIST_HEAD(&ep->ktx);
	INIT_LIST_HEAD(&ep->tx_rr);
	INIT_LIST_HEAD(&ep->wire);
	INIT_LIST_HEAD(&ep->list_node);
	timer_setup(&ep->wire_timer, ep_wire_timer, 0);
	xa_init_flags(&ep->calls, XA_FLAGS_ALLOC);
	xa_init_flags(&ep->m4calls, XA_FLAGS_ALLOC);
	ep->link_state = M4RPC_LINK_STATE_SYNCING;
	ep->m4_state = M4RPC_M4_UNKNOWN;
	strscpy(ep->spi_name, dev_name(ldev), sizeof(ep->spi_name));
	ep->link = link;
	ep->max_tx = m4rpc_link_ui_max(link);
	m4rpc_link_get(link);

	ep->index = ida_alloc_max(&ep_ida, EP_MINORS - 1, GFP_KERNEL);
	device_initialize(&ep->dev);
	ep->dev.class = &ep_class;
	ep->dev.parent = ldev;
	ep->dev.release = ep_dev_release;
	if (ep->index < 0) {
		ret = ep->index;
		goto err_put;
	}
	ep->index_held = true;
	ep->dev.devt = MKDEV(MAJOR(ep_devt), ep->index);
	ret = dev_set_name(&ep->dev, "m4rpc%d", ep->index);
	if (ret)
		goto err_put;
	cdev_init(&ep->cdev, &ep_fops);
	ep->cdev.owner = THIS_MODULE;

	ret = m4rpc_link_attach(link, &ep_link_ops, ep);
	if (ret == -EBUSY) {
		dev_info(ldev, "another client holds the link: no /dev/m4rpc%d\n",
			 ep->index);
		ret = 0;
		goto err_put;
	}
	if (ret)
		goto err_put;
	/* Events that came since attaching are newer than the getter. */
	m4 = m4rpc_link_m4_state(link);
	mutex_lock(&ep->lock);
	if (!ep->m4_known && m4 != M4RPC_LINK_M4_UNKNOWN) {
		ep->m4_state = m4;
		ep->link_state = M4RPC_LINK_STATE_UP;
	}
	mutex_unlock(&ep->lock);

	ret = cdev_device_add(&ep->cdev, &ep->dev);
	if (ret) {
		m4rpc_link_detach(link);
		goto err_put;
	}
	mutex_lock(&ep_list_lock);
	list_add_tail(&ep->list_node, &ep_list);
	mutex_unlock(&ep_list_lock);
	dev_info(ldev, "endpoint /dev/%s\n", dev_name(&ep->dev));
	return 0;

err_put:
	put_device(&ep->dev);	/* ep_dev_release() frees everything */
	return ret;
}

void m4rpc_ep_remove(struct m4rpc_link *link)
{
	struct m4rpc_ep *ep = NULL, *e;

	mutex_lock(&ep_list_lock);
	list_for_each_entry(e, &ep_list, list_node) {
		if (e->link == link) {
			ep = e;
			list_del_init(&ep->list_node);
			break;
		}
	}
	mutex_unlock(&ep_list_lock);
	if (!ep)
		return;

	mutex_lock(&ep->lock);
	ep->dead = true;
	ep->link_state = M4RPC_LINK_STATE_GONE;
	ep_wake_all(ep);
	mutex_unlock(&ep->lock);

	cdev_device_del(&ep->cdev, &ep->dev);
	m4rpc_link_detach(link);
	timer_delete_sync(&ep->wire_timer);	/* no pull re-arms it now */

	mutex_lock(&ep->lock);
	ep_tx_purge(ep);
	mutex_unlock(&ep->lock);

	/* The next link may have this number (the node is gone already). */
	ida_free(&ep_ida, ep->index);
	ep->index_held = false;
	put_device(&ep->dev);
}

int m4rpc_ep_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&ep_devt, 0, EP_MINORS, "m4rpc");
	if (ret)
		return ret;
	ret = class_register(&ep_class);
	if (ret)
		unregister_chrdev_region(ep_devt, EP_MINORS);
	return ret;
}

void m4rpc_ep_exit(void)
{
	class_unregister(&ep_class);
	unregister_chrdev_region(ep_devt, EP_MINORS);
	ida_destroy(&ep_ida);
}
