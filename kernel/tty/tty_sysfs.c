// SPDX-License-Identifier: GPL-2.0
/*
 * The counters of /dev/ttyM4RPCn, in /sys/class/tty/ttyM4RPCn/m4rpc/,
 * one value per file, since the port was added (struct tty_stats):
 *
 *   rx_bytes      M4 Serial output put into the port
 *   rx_dropped    ... dropped, the reader being 64 KiB behind
 *   rx_malformed  "tty" notifications whose first argument was no bytes
 *   tx_bytes      written bytes the sketch answered for (it has them)
 *   tx_refused    ... it answered with an error (no "tty" bound there)
 *   tx_lost       ... never answered (the M4 stopped, the link lost it)
 *
 * Output that comes while the port is closed is not the port's: the
 * endpoint drops it (notify_unbound of M4RPC_IOC_LINK_STATS), or gives it
 * to the session that bound "tty".
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "m4rpc_compat.h"
#include "tty.h"

static ssize_t mtty_stat_show(struct device *dev, char *buf, size_t off)
{
	struct m4rpc_tty *t = dev_get_drvdata(dev);
	unsigned long flags;
	u64 v;

	spin_lock_irqsave(&t->fifo_lock, flags);
	v = *(u64 *)((u8 *)&t->stats + off);
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}

#define TTY_STAT_ATTR(name)						\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return mtty_stat_show(dev, buf, offsetof(struct tty_stats, name)); \
}									\
static DEVICE_ATTR_RO(name)

TTY_STAT_ATTR(rx_bytes);
TTY_STAT_ATTR(rx_dropped);
TTY_STAT_ATTR(rx_malformed);
TTY_STAT_ATTR(tx_bytes);
TTY_STAT_ATTR(tx_refused);
TTY_STAT_ATTR(tx_lost);

static struct attribute *mtty_stat_attrs[] = {
	&dev_attr_rx_bytes.attr,
	&dev_attr_rx_dropped.attr,
	&dev_attr_rx_malformed.attr,
	&dev_attr_tx_bytes.attr,
	&dev_attr_tx_refused.attr,
	&dev_attr_tx_lost.attr,
	NULL
};

static const struct attribute_group mtty_stat_group = {
	.name	= "m4rpc",
	.attrs	= mtty_stat_attrs,
};

const struct attribute_group *m4rpc_tty_groups[] = {
	&mtty_stat_group,
	NULL
};
