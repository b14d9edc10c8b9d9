// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs test client of a link (test_client.h), in
 * /sys/kernel/debug/m4rpc/<spi device>/:
 *
 *   ui        write(): one UI message (1..m4rpc_link_ui_max() bytes), queued
 *             for the link (EMSGSIZE when longer, EAGAIN when the queue of
 *             UI_TX_FIFO bytes is full); read(): the UI bytes received so
 *             far, consumed as read (EAGAIN when there are none; the
 *             UI_RX_FIFO bytes not read in time are dropped and counted by
 *             the link as overflow drops)
 *   ui_lost   UI stream losses the link reported (ops->ui_lost)
 *   events    link events seen: up, m4_state, resync (one line each)
 *
 * It holds the link's one client slot, so the link then has no /dev/m4rpcN
 * endpoint (kernel/m4rpc_main.c says when it is chosen). Neither file
 * blocks. Locking: tc->lock (spinlock) around both fifos, taken by the
 * callbacks (under the link's client_lock) and by the file operations;
 * copies from and to userspace happen outside it.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kfifo.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "m4rpc_compat.h"
#include "../link/link.h"
#include "test_client.h"

#define UI_TX_FIFO	8192	/* queued messages, with 1-byte lengths */
#define UI_RX_FIFO	65536	/* received bytes not read yet */
#define UI_READ_MAX	4096	/* bytes per read() */

struct m4rpc_tc {
	struct m4rpc_link *link;
	struct dentry *dir;
	spinlock_t lock;		/* both fifos */
	struct kfifo_rec_ptr_1 tx;
	struct kfifo rx;
	atomic_t lost;
	atomic_t ev_up, ev_m4, ev_resync;
};

static int tc_pull(void *priv, u8 *buf, size_t room)
{
	struct m4rpc_tc *tc = priv;
	unsigned int len;
	int n = 0;

	spin_lock(&tc->lock);
	if (!kfifo_is_empty(&tc->tx)) {
		len = kfifo_peek_len(&tc->tx);
		n = len > room ? -EMSGSIZE : kfifo_out(&tc->tx, buf, len);
	}
	spin_unlock(&tc->lock);
	return n;
}

static int tc_rx(void *priv, const u8 *data, size_t len)
{
	struct m4rpc_tc *tc = priv;
	int ret = -ENOBUFS;

	spin_lock(&tc->lock);
	if (kfifo_avail(&tc->rx) >= len) {
		kfifo_in(&tc->rx, data, len);
		ret = 0;
	}
	spin_unlock(&tc->lock);
	return ret;
}

static void tc_lost(void *priv)
{
	struct m4rpc_tc *tc = priv;

	atomic_inc(&tc->lost);
}

static void tc_state(void *priv, enum m4rpc_link_event ev, int m4_state)
{
	struct m4rpc_tc *tc = priv;

	switch (ev) {
	case M4RPC_LINK_UP:
		atomic_inc(&tc->ev_up);
		break;
	case M4RPC_LINK_M4_STATE:
		atomic_inc(&tc->ev_m4);
		break;
	case M4RPC_LINK_RESYNC:
		atomic_inc(&tc->ev_resync);
		break;
	default:
		break;
	}
}

static const struct m4rpc_link_ops tc_ops = {
	.ui_tx_pull	= tc_pull,
	.ui_rx		= tc_rx,
	.ui_lost	= tc_lost,
	.state		= tc_state,
};

static ssize_t tc_ui_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct m4rpc_tc *tc = file->private_data;
	u8 msg[M4RPC_LINK_UI_MAX];
	unsigned int n;

	if (!count)
		return -EINVAL;
	if (count > m4rpc_link_ui_max(tc->link))
		return -EMSGSIZE;
	if (copy_from_user(msg, ubuf, count))
		return -EFAULT;
	spin_lock(&tc->lock);
	n = kfifo_in(&tc->tx, msg, count);
	spin_unlock(&tc->lock);
	if (!n)
		return -EAGAIN;
	m4rpc_link_tx_kick(tc->link);
	return count;
}

static ssize_t tc_ui_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct m4rpc_tc *tc = file->private_data;
	unsigned int n;
	ssize_t ret;
	u8 *buf;

	count = min_t(size_t, count, UI_READ_MAX);
	if (!count)
		return 0;
	buf = kmalloc(count, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	spin_lock(&tc->lock);
	n = kfifo_out(&tc->rx, buf, count);
	spin_unlock(&tc->lock);
	if (!n)
		ret = -EAGAIN;
	else if (copy_to_user(ubuf, buf, n))
		ret = -EFAULT;	/* those bytes are lost to the reader */
	else
		ret = n;
	kfree(buf);
	return ret;
}

static const struct file_operations tc_ui_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= tc_ui_read,
	.write	= tc_ui_write,
};

static int tc_events_show(struct seq_file *m, void *v)
{
	struct m4rpc_tc *tc = m->private;

	seq_printf(m, "up %d\nm4_state %d\nresync %d\n",
		   atomic_read(&tc->ev_up), atomic_read(&tc->ev_m4),
		   atomic_read(&tc->ev_resync));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tc_events);

struct m4rpc_tc *m4rpc_tc_add(struct m4rpc_link *link, struct dentry *root)
{
	struct m4rpc_tc *tc;
	int ret;

	tc = kzalloc(sizeof(*tc), GFP_KERNEL);
	if (!tc)
		return ERR_PTR(-ENOMEM);
	tc->link = link;
	spin_lock_init(&tc->lock);
	ret = kfifo_alloc(&tc->tx, UI_TX_FIFO, GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = kfifo_alloc(&tc->rx, UI_RX_FIFO, GFP_KERNEL);
	if (ret)
		goto err_tx;
	ret = m4rpc_link_attach(link, &tc_ops, tc);
	if (ret)
		goto err_rx;

	/* debugfs is optional: its failures are not ours to report. */
	tc->dir = debugfs_create_dir(dev_name(m4rpc_link_dev(link)), root);
	debugfs_create_file("ui", 0600, tc->dir, tc, &tc_ui_fops);
	debugfs_create_atomic_t("ui_lost", 0400, tc->dir, &tc->lost);
	debugfs_create_file("events", 0400, tc->dir, tc, &tc_events_fops);
	return tc;

err_rx:
	kfifo_free(&tc->rx);
err_tx:
	kfifo_free(&tc->tx);
err_free:
	kfree(tc);
	return ERR_PTR(ret);
}

/* Files first (debugfs waits for calls in progress), then the client. */
void m4rpc_tc_remove(struct m4rpc_tc *tc)
{
	debugfs_remove_recursive(tc->dir);
	m4rpc_link_detach(tc->link);
	kfifo_free(&tc->rx);
	kfifo_free(&tc->tx);
	kfree(tc);
}
