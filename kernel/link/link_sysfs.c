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
 *   fw_clips     1 when the H7 firmware clips received frames (a build of
 *                53df799, link_h7.c): the M4 gets nothing intact, writes
 *                to /dev/m4rpcN fail with ENOEXEC; else 0
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

	if (v == M4RPC_M4_UNKNOWN)
		return -ENODATA;
	return sysfs_emit(buf, "%d\n", v);
}
static DEVICE_ATTR_RO(m4_state);

static ssize_t irq_mode_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", m4rpc_link_mode_name(link_of(dev)));
}
static DEVICE_ATTR_RO(irq_mode);

static ssize_t fw_clips_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", m4rpc_link_fw_clips(link_of(dev)));
}
static DEVICE_ATTR_RO(fw_clips);

static ssize_t refresh_store(struct device *dev,
			     struct device_attribute *attr, const char *buf,
			     size_t count)
{
	int ret = m4rpc_link_h7_refresh(link_of(dev));

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

/* One read-only file per counter, named as the counter. */
#define LINK_STAT_ATTR(n)						\
	static struct dev_ext_attribute link_stat_attr_##n = {		\
		__ATTR(n, 0444, link_stat_show, NULL),			\
		(void *)LINK_STAT_##n,					\
	}

LINK_STAT_ATTR(transfers);
LINK_STAT_ATTR(tx_frames);
LINK_STAT_ATTR(tx_bytes);
LINK_STAT_ATTR(rx_frames);
LINK_STAT_ATTR(rx_bytes);
LINK_STAT_ATTR(tx_ui_msgs);
LINK_STAT_ATTR(tx_ui_bytes);
LINK_STAT_ATTR(rx_ui_bytes);
LINK_STAT_ATTR(doorbells);
LINK_STAT_ATTR(acks);
LINK_STAT_ATTR(ack_timeouts);
LINK_STAT_ATTR(replies_lost);
LINK_STAT_ATTR(reject_csum);
LINK_STAT_ATTR(reject_size);
LINK_STAT_ATTR(reject_subframe);
LINK_STAT_ATTR(truncated);
LINK_STAT_ATTR(truncated_ui);
LINK_STAT_ATTR(ui_lost);
LINK_STAT_ATTR(hole_suspects);
LINK_STAT_ATTR(resyncs);
LINK_STAT_ATTR(irqs);
LINK_STAT_ATTR(missed_edges);
LINK_STAT_ATTR(overflow_drops);
LINK_STAT_ATTR(unknown_subframes);
LINK_STAT_ATTR(h7_bad_replies);
LINK_STAT_ATTR(h7_unanswered);
LINK_STAT_ATTR(spi_errors);

static struct attribute *link_attrs[] = {
	&dev_attr_fw_version.attr,
	&dev_attr_uid.attr,
	&dev_attr_m4_state.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_fw_clips.attr,
	&dev_attr_refresh.attr,
	&link_stat_attr_transfers.attr.attr,
	&link_stat_attr_tx_frames.attr.attr,
	&link_stat_attr_tx_bytes.attr.attr,
	&link_stat_attr_rx_frames.attr.attr,
	&link_stat_attr_rx_bytes.attr.attr,
	&link_stat_attr_tx_ui_msgs.attr.attr,
	&link_stat_attr_tx_ui_bytes.attr.attr,
	&link_stat_attr_rx_ui_bytes.attr.attr,
	&link_stat_attr_doorbells.attr.attr,
	&link_stat_attr_acks.attr.attr,
	&link_stat_attr_ack_timeouts.attr.attr,
	&link_stat_attr_replies_lost.attr.attr,
	&link_stat_attr_reject_csum.attr.attr,
	&link_stat_attr_reject_size.attr.attr,
	&link_stat_attr_reject_subframe.attr.attr,
	&link_stat_attr_truncated.attr.attr,
	&link_stat_attr_truncated_ui.attr.attr,
	&link_stat_attr_ui_lost.attr.attr,
	&link_stat_attr_hole_suspects.attr.attr,
	&link_stat_attr_resyncs.attr.attr,
	&link_stat_attr_irqs.attr.attr,
	&link_stat_attr_missed_edges.attr.attr,
	&link_stat_attr_overflow_drops.attr.attr,
	&link_stat_attr_unknown_subframes.attr.attr,
	&link_stat_attr_h7_bad_replies.attr.attr,
	&link_stat_attr_h7_unanswered.attr.attr,
	&link_stat_attr_spi_errors.attr.attr,
	NULL
};

/* Six info files, every counter, the NULL: none forgotten. */
static_assert(ARRAY_SIZE(link_attrs) == 6 + LINK_STAT_NR + 1);

const struct attribute_group m4rpc_link_sysfs_group = {
	.name = "m4rpc",
	.attrs = link_attrs,
};

void m4rpc_link_sysfs_notify_m4(struct m4rpc_link *link)
{
	sysfs_notify(&link->dev->kobj, "m4rpc", "m4_state");
}
