// SPDX-License-Identifier: GPL-2.0
/*
 * sim_irq_consumer: a test-only SPI driver for the selftest of m4rpc_sim.
 * Bound to a simulated board's device (driver_override), it requests the
 * device's interrupt, nIRQ, the way the link driver does: threaded, with
 * IRQF_ONESHOT, and with the trigger type the irq core reports unless the
 * module parameter trigger asks for another. It only counts; what it counts
 * is in sysfs on the SPI device:
 *
 *   hard_irqs     times the primary handler ran
 *   thread_irqs   times the threaded handler ran
 *   hold_ms       (rw) how long the threaded handler sleeps, keeping the
 *                 line masked in the meantime (ONESHOT); 0..10000, default
 *                 10 so that a level held low re-fires at a bounded rate
 *   trigger       irq_get_trigger_type() before the request (IRQ_TYPE_*)
 *   irq           the Linux irq number
 *
 * No lock of its own: counters are atomics, hold_ms a plain word.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/module.h>
#include <linux/spi/spi.h>

static unsigned int trigger;
module_param(trigger, uint, 0444);
MODULE_PARM_DESC(trigger, "IRQ_TYPE_* to request (default 0: the irq's own)");

struct consumer {
	atomic_t hard;
	atomic_t thread;
	unsigned int hold_ms;
	unsigned int trigger;
	int irq;
};

static irqreturn_t consumer_hard(int irq, void *data)
{
	struct consumer *c = data;

	atomic_inc(&c->hard);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t consumer_thread(int irq, void *data)
{
	struct consumer *c = data;
	unsigned int ms = READ_ONCE(c->hold_ms);

	atomic_inc(&c->thread);
	if (ms)
		msleep_interruptible(ms);
	return IRQ_HANDLED;
}

static ssize_t hard_irqs_show(struct device *dev, struct device_attribute *a,
			      char *buf)
{
	struct consumer *c = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&c->hard));
}
static DEVICE_ATTR_RO(hard_irqs);

static ssize_t thread_irqs_show(struct device *dev,
				struct device_attribute *a, char *buf)
{
	struct consumer *c = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&c->thread));
}
static DEVICE_ATTR_RO(thread_irqs);

static ssize_t hold_ms_show(struct device *dev, struct device_attribute *a,
			    char *buf)
{
	struct consumer *c = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(c->hold_ms));
}

static ssize_t hold_ms_store(struct device *dev, struct device_attribute *a,
			     const char *buf, size_t count)
{
	struct consumer *c = dev_get_drvdata(dev);
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (ret)
		return ret;
	if (ms > 10000)
		return -EINVAL;
	WRITE_ONCE(c->hold_ms, ms);
	return count;
}
static DEVICE_ATTR_RW(hold_ms);

static ssize_t trigger_show(struct device *dev, struct device_attribute *a,
			    char *buf)
{
	struct consumer *c = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", c->trigger);
}
static DEVICE_ATTR_RO(trigger);

static ssize_t irq_show(struct device *dev, struct device_attribute *a,
			char *buf)
{
	struct consumer *c = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", c->irq);
}
static DEVICE_ATTR_RO(irq);

static struct attribute *consumer_attrs[] = {
	&dev_attr_hard_irqs.attr,
	&dev_attr_thread_irqs.attr,
	&dev_attr_hold_ms.attr,
	&dev_attr_trigger.attr,
	&dev_attr_irq.attr,
	NULL
};
ATTRIBUTE_GROUPS(consumer);

static int consumer_probe(struct spi_device *spi)
{
	struct consumer *c;

	if (spi->irq <= 0)
		return -ENXIO;
	c = devm_kzalloc(&spi->dev, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->irq = spi->irq;
	c->hold_ms = 10;
	c->trigger = irq_get_trigger_type(spi->irq);
	spi_set_drvdata(spi, c);
	return devm_request_threaded_irq(&spi->dev, spi->irq, consumer_hard,
					 consumer_thread,
					 IRQF_ONESHOT | trigger,
					 "sim_irq_consumer", c);
}

static struct spi_driver consumer_driver = {
	.driver = {
		.name = "sim_irq_consumer",
		.dev_groups = consumer_groups,
	},
	.probe = consumer_probe,
};
module_spi_driver(consumer_driver);

MODULE_DESCRIPTION("Test-only consumer of m4rpc_sim's nIRQ");
MODULE_LICENSE("GPL");
