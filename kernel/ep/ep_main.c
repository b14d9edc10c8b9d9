// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/m4rpcN: one character device per link, its module parameters and its
 * lifetime (ep.h says who holds it and which locks exist; the contract with
 * userspace is <linux/m4rpc.h>).
 *
 * Memory is bounded by the module parameters (the table in
 * kernel/README.md; the values a link got are in M4RPC_IOC_INFO): a
 * session holds at most rx_queue_len messages of at most max_msg_size (+4)
 * bytes, or raw_buf_size bytes, at most tx_session_len messages of 248
 * bytes and calls_max small records; a link holds one max_msg_size
 * reassembly buffer, EP_KTX_MAX kernel responses and m4_calls_max M4 call
 * records.
 *
 * m4rpc_ep_remove() order: dead (sessions wake up and fail with ENODEV, no
 * new session starts, no uevent is queued; a queued one is cancelled), the
 * device node goes (cdev_device_del), the link client is detached (waits
 * for a callback in progress; none comes after),
 * queued messages are dropped, the index is freed for the next link, and
 * the link's reference to the device is dropped; open files keep the rest
 * until they are closed (ep_dev_release()).
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include "m4rpc_compat.h"
#include "m4rpc_param.h"
#include "ep.h"
#include "m4rpc_ep.h"

#define EP_MINORS	64

/* Read when a link is bound (kernel/README.md has the table). */
M4RPC_PARAM_UINT(max_msg_size, 4096, 256, 65536, 0444,
		 "longest message from the M4, bytes");
M4RPC_PARAM_UINT(rx_queue_len, 64, 1, 4096, 0444,
		 "messages per session receive queue");
M4RPC_PARAM_UINT(raw_buf_size, 4096, 256, 1048576, 0444,
		 "raw bytes per raw-mode session, rounded up to a power of two");
M4RPC_PARAM_UINT(tx_queue_len, 64, 1, 4096, 0444,
		 "messages in a link's transmit queue");
M4RPC_PARAM_UINT(tx_session_len, 16, 1, 4096, 0444,
		 "transmit queue messages one session may hold (at most tx_queue_len)");
M4RPC_PARAM_UINT(calls_max, 256, 1, 65536, 0444,
		 "pending calls per session");
M4RPC_PARAM_UINT(m4_calls_max, 64, 1, 4096, 0444,
		 "M4 calls waiting for Linux answers, per link");
M4RPC_PARAM_UINT(wire_calls_max, 16, 1, 1024, 0444,
		 "calls on their way to the M4 and back, per link");

static dev_t ep_devt;
static DEFINE_IDA(ep_ida);

/*
 * /sys/class/m4rpc-ep/m4rpcN/m4_state: the M4's state as write() checks it
 * (info.m4_state), pollable: a sleeper in poll() wakes when it changes, so
 * a program can wait for the M4 to run RPC without a loop.
 */
static ssize_t m4_state_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct m4rpc_ep *ep = container_of(dev, struct m4rpc_ep, dev);

	return sysfs_emit(buf, "%d\n", READ_ONCE(ep->m4_state));
}
static DEVICE_ATTR_RO(m4_state);

/*
 * /sys/class/m4rpc-ep/m4rpcN/uid: the H7's UID, 24 hex digits, as the SPI
 * device's m4rpc/uid says it; ENODATA until the H7 has answered. On the
 * endpoint itself so that udev reads it with the node's own events: the
 * change uevent that follows when it becomes known or changes (udev's
 * /dev/m4rpc/by-uid/ links, udev/60-m4rpc.rules).
 */
static ssize_t uid_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct m4rpc_ep *ep = container_of(dev, struct m4rpc_ep, dev);
	char uid[2 * M4RPC_LINK_UID_LEN + 1];

	if (!m4rpc_link_uid(ep->link, uid, sizeof(uid)))
		return -ENODATA;
	return sysfs_emit(buf, "%s\n", uid);
}
static DEVICE_ATTR_RO(uid);

static struct attribute *ep_attrs[] = {
	&dev_attr_m4_state.attr,
	&dev_attr_uid.attr,
	NULL
};
ATTRIBUTE_GROUPS(ep);

/* Not "m4rpc": the link's sysfs group of that name sits in the same place. */
static struct class ep_class = {
	.name = "m4rpc-ep",
	.dev_groups = ep_groups,
};

const struct file_operations m4rpc_ep_fops = {
	.owner		= THIS_MODULE,
	.open		= m4rpc_ep_open,
	.release	= m4rpc_ep_release,
	.read		= m4rpc_ep_read,
	.write		= m4rpc_ep_write,
	.poll		= m4rpc_ep_poll,
	.unlocked_ioctl	= m4rpc_ep_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static void ep_uevent_work(struct work_struct *work)
{
	struct m4rpc_ep *ep = container_of(work, struct m4rpc_ep, uevent_work);

	kobject_uevent(&ep->dev.kobj, KOBJ_CHANGE);
}

struct ep_msg *m4rpc_ep_msg_alloc(size_t size, gfp_t gfp)
{
	struct ep_msg *msg;

	msg = kmalloc(struct_size(msg, data, size), gfp);
	if (msg) {
		msg->call = NULL;
		msg->len = 0;
	}
	return msg;
}

static void ep_limits(struct m4rpc_ep *ep)
{
	/* The ranges were checked when the parameters were set. */
	ep->max_msg = m4rpc_param_max_msg_size;
	ep->rx_queue_len = m4rpc_param_rx_queue_len;
	ep->raw_buf_size = roundup_pow_of_two(m4rpc_param_raw_buf_size);
	ep->tx_queue_len = m4rpc_param_tx_queue_len;
	/* The one bound that depends on another parameter. */
	ep->tx_session_len = min(m4rpc_param_tx_session_len, ep->tx_queue_len);
	ep->calls_max = m4rpc_param_calls_max;
	ep->m4_calls_max = m4rpc_param_m4_calls_max;
	ep->wire_calls_max = m4rpc_param_wire_calls_max;
}

/* The buffers of the kernel's error responses, all of them at once. */
static int ep_ktx_prealloc(struct m4rpc_ep *ep)
{
	struct ep_msg *msg;
	unsigned int i;

	for (i = 0; i < EP_KTX_MAX; i++) {
		msg = m4rpc_ep_msg_alloc(M4RPC_LINK_UI_MTU, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		list_add(&msg->node, &ep->ktx_free);
	}
	return 0;
}

static void ep_ktx_free_all(struct m4rpc_ep *ep)
{
	struct ep_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, &ep->ktx_free, node)
		kfree(msg);
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
	ep_ktx_free_all(ep);
	kfree(ep->reasm_buf);
	kfree(ep);
}

struct m4rpc_ep *m4rpc_ep_add(struct m4rpc_link *link)
{
	struct device *ldev = m4rpc_link_dev(link);
	struct kernfs_node *kn;
	struct m4rpc_ep *ep;
	int ret, m4;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	ep_limits(ep);
	ep->reasm_buf = kmalloc(ep->max_msg, GFP_KERNEL);
	if (!ep->reasm_buf) {
		kfree(ep);
		return ERR_PTR(-ENOMEM);
	}
	m4rpc_reasm_init(&ep->reasm, ep->reasm_buf, ep->max_msg, EP_SKIP_MAX);
	mutex_init(&ep->lock);
	INIT_LIST_HEAD(&ep->sessions);
	INIT_LIST_HEAD(&ep->bindings);
	INIT_LIST_HEAD(&ep->ktx);
	INIT_LIST_HEAD(&ep->ktx_free);
	INIT_LIST_HEAD(&ep->tx_rr);
	INIT_LIST_HEAD(&ep->wire);
	timer_setup(&ep->wire_timer, m4rpc_ep_wire_timer, 0);
	INIT_WORK(&ep->uevent_work, ep_uevent_work);
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
	ret = ep_ktx_prealloc(ep);
	if (ret)
		goto err_put;
	if (ep->index < 0) {
		ret = ep->index;
		goto err_put;
	}
	ep->index_held = true;
	ep->dev.devt = MKDEV(MAJOR(ep_devt), ep->index);
	ret = dev_set_name(&ep->dev, "m4rpc%d", ep->index);
	if (ret)
		goto err_put;
	cdev_init(&ep->cdev, &m4rpc_ep_fops);
	ep->cdev.owner = THIS_MODULE;

	ret = m4rpc_link_attach(link, &m4rpc_ep_link_ops, ep);
	if (ret)
		goto err_put;
	/* Events that came since attaching are newer than the getter. */
	m4 = m4rpc_link_m4_state(link);
	mutex_lock(&ep->lock);
	if (!ep->m4_known && m4 != M4RPC_M4_UNKNOWN) {
		ep->m4_state = m4;
		ep->link_state = M4RPC_LINK_STATE_UP;
	}
	mutex_unlock(&ep->lock);

	ret = cdev_device_add(&ep->cdev, &ep->dev);
	if (ret) {
		m4rpc_link_detach(link);
		goto err_put;
	}
	/*
	 * Notified from now on; a change before is in what poll() reads,
	 * and a uid known before is in what udev reads for the add uevent
	 * (the module starts the link only after this, kernel/m4rpc_main.c).
	 */
	kn = sysfs_get_dirent(ep->dev.kobj.sd, "m4_state");
	mutex_lock(&ep->lock);
	ep->m4_state_kn = kn;
	ep->registered = true;
	mutex_unlock(&ep->lock);
	dev_info(ldev, "endpoint /dev/%s\n", dev_name(&ep->dev));
	return ep;

err_put:
	put_device(&ep->dev);	/* ep_dev_release() frees everything */
	return ERR_PTR(ret);
}

void m4rpc_ep_remove(struct m4rpc_ep *ep)
{
	struct kernfs_node *kn;

	mutex_lock(&ep->lock);
	ep->dead = true;
	ep->link_state = M4RPC_LINK_STATE_GONE;
	kn = ep->m4_state_kn;
	ep->m4_state_kn = NULL;
	m4rpc_ep_wake_all(ep);
	mutex_unlock(&ep->lock);
	sysfs_put(kn);
	/* dead: no callback queues it again. */
	cancel_work_sync(&ep->uevent_work);

	cdev_device_del(&ep->cdev, &ep->dev);
	m4rpc_link_detach(ep->link);
	timer_delete_sync(&ep->wire_timer);	/* no pull re-arms it now */

	mutex_lock(&ep->lock);
	m4rpc_ep_tx_purge(ep);
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
