// SPDX-License-Identifier: GPL-2.0
/*
 * The "m4rpc" attribute group of each link's SPI device,
 * /sys/bus/spi/devices/spiB.C/m4rpc/:
 *
 *   fw_version   the H7's FW_VERSION reply (non-printable bytes as '?')
 *   uid          the H7's GET_UID reply, 24 hex digits
 *   m4_state     the last BOOT_M4 reply: -1 no M4 program, 0 M4 running
 *                without RPC, 1 running (pollable: sysfs_notify on change)
 *   irq_mode     level, edge or poll (see link_priv.h)
 *   refresh      write anything: ask for the three above now and wait
 *                until the H7 has answered (ETIMEDOUT after twice
 *                ack_timeout_ms and a second)
 *   <counter>    one file per counter of enum link_stat (link_priv.h),
 *                decimal, since probe
 *
 * The first three read as ENODATA until the H7 has answered.
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

static struct m4rpc_link *link_of(struct device *dev)
{
	return spi_get_drvdata(to_spi_device(dev));
}

static ssize_t fw_version_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct m4rpc_link *link = link_of(dev);
	ssize_t n = -ENODATA;

	spin_lock(&link->lock);
	if (link->have_fw)
		n = sysfs_emit(buf, "%s\n", link->fw_version);
	spin_unlock(&link->lock);
	return n;
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t uid_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct m4rpc_link *link = link_of(dev);
	ssize_t n = -ENODATA;

	spin_lock(&link->lock);
	if (link->have_uid)
		n = sysfs_emit(buf, "%*phN\n", X8H7_UID_LEN, link->uid);
	spin_unlock(&link->lock);
	return n;
}
static DEVICE_ATTR_RO(uid);

static ssize_t m4_state_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	int v = m4rpc_link_m4_state(link_of(dev));

	if (v == M4RPC_LINK_M4_UNKNOWN)
		return -ENODATA;
	return sysfs_emit(buf, "%d\n", v);
}
static DEVICE_ATTR_RO(m4_state);

static ssize_t irq_mode_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", link_mode_name(link_of(dev)));
}
static DEVICE_ATTR_RO(irq_mode);

static ssize_t refresh_store(struct device *dev,
			     struct device_attribute *attr, const char *buf,
			     size_t count)
{
	int ret = link_h7_refresh(link_of(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(refresh);

static ssize_t link_stat_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);
	unsigned long i = (unsigned long)ea->var;

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&link_of(dev)->stats[i]));
}

static const char *const link_stat_names[LINK_STAT_NR] = {
	[LINK_STAT_transfers]		= "transfers",
	[LINK_STAT_tx_frames]		= "tx_frames",
	[LINK_STAT_tx_bytes]		= "tx_bytes",
	[LINK_STAT_rx_frames]		= "rx_frames",
	[LINK_STAT_rx_bytes]		= "rx_bytes",
	[LINK_STAT_tx_ui_msgs]		= "tx_ui_msgs",
	[LINK_STAT_tx_ui_bytes]		= "tx_ui_bytes",
	[LINK_STAT_rx_ui_bytes]		= "rx_ui_bytes",
	[LINK_STAT_doorbells]		= "doorbells",
	[LINK_STAT_acks]		= "acks",
	[LINK_STAT_ack_timeouts]	= "ack_timeouts",
	[LINK_STAT_replies_lost]	= "replies_lost",
	[LINK_STAT_reject_csum]		= "reject_csum",
	[LINK_STAT_reject_size]		= "reject_size",
	[LINK_STAT_reject_subframe]	= "reject_subframe",
	[LINK_STAT_truncated]		= "truncated",
	[LINK_STAT_ui_lost]		= "ui_lost",
	[LINK_STAT_resyncs]		= "resyncs",
	[LINK_STAT_irqs]		= "irqs",
	[LINK_STAT_missed_edges]	= "missed_edges",
	[LINK_STAT_overflow_drops]	= "overflow_drops",
	[LINK_STAT_unknown_subframes]	= "unknown_subframes",
	[LINK_STAT_h7_bad_replies]	= "h7_bad_replies",
	[LINK_STAT_h7_unanswered]	= "h7_unanswered",
	[LINK_STAT_spi_errors]		= "spi_errors",
};

/* Filled by link_sysfs_init() from the table above. */
static struct dev_ext_attribute link_stat_attrs[LINK_STAT_NR];

#define LINK_INFO_ATTRS	5
static struct attribute *link_attrs[LINK_INFO_ATTRS + LINK_STAT_NR + 1] = {
	&dev_attr_fw_version.attr,
	&dev_attr_uid.attr,
	&dev_attr_m4_state.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_refresh.attr,
};

const struct attribute_group link_sysfs_group = {
	.name = "m4rpc",
	.attrs = link_attrs,
};

/* At module init, before any device can be probed. */
void link_sysfs_init(void)
{
	struct attribute **a = &link_attrs[LINK_INFO_ATTRS];
	unsigned long i;

	for (i = 0; i < LINK_STAT_NR; i++) {
		struct dev_ext_attribute *ea = &link_stat_attrs[i];

		if (!link_stat_names[i])
			continue;
		sysfs_attr_init(&ea->attr.attr);
		ea->attr.attr.name = link_stat_names[i];
		ea->attr.attr.mode = 0444;
		ea->attr.show = link_stat_show;
		ea->var = (void *)i;
		*a++ = &ea->attr.attr;
	}
	*a = NULL;
}

void link_sysfs_notify_m4(struct m4rpc_link *link)
{
	sysfs_notify(&link->dev->kobj, "m4rpc", "m4_state");
}
