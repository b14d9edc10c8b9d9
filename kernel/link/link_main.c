// SPDX-License-Identifier: GPL-2.0
/*
 * m4rpc.ko: the SPI link to the Portenta X8's STM32H7 (spec x8h7-link.md).
 * It replaces the stock x8h7_drv for the UI channel: it binds to the X8's
 * device-tree node (compatible "portenta,x8h7") once the stock modules are
 * blacklisted, and to the simulated board of m4rpc_sim.ko ("x8h7-sim").
 * Each bound device is one link (link_priv.h says how a link works).
 *
 * Module parameters (also in README.md):
 *
 *   ack_timeout_ms  (default 5000, 10..600000, writable) How long the H7
 *                   may take to answer. All modes: a BOOT_M4 reply not
 *                   seen in this time after its frame was processed is
 *                   asked for again (the H7 dropped it) or, when nothing
 *                   came from the H7 at all, the link resynchronises
 *                   (backing off: this doubling, up to 60 s, while the H7
 *                   stays silent). Edge mode: also the bound on recovering
 *                   from a missed nIRQ edge, and so the longest the H7 may
 *                   take to process a frame before the link clocks anyway.
 *                   Level mode: a frame without UI data whose processing
 *                   is not seen in this time is given up on (a frame with
 *                   UI data never is).
 *   poll_ms         (default 10, 1..10000, writable) The polling period
 *                   when the device has no usable interrupt.
 *   use_irq         (default 1, read-only) 0: poll even when the device
 *                   has an interrupt (for tests of the fallback).
 *   test_client     (default 0, read-only; link_debugfs.c) 1: each link's
 *                   client is the debugfs test client, not /dev/m4rpcN.
 *
 * Probe sets the device up (mode 0, 8-bit words, spi-max-frequency or
 * 20 MHz), picks the nIRQ mode (link_irq.c), asks the H7 for its version,
 * UID and M4 state, and starts the worker. Remove tears down in the order
 * that lets nothing run on freed memory:
 *
 *   1. dying: refresh waiters return, no client can attach;
 *   2. the endpoint (m4rpc_ep_remove) and the debugfs test client: files
 *      removed (debugfs waits for calls in progress), then detached (waits
 *      for a callback in progress);
 *   3. the sysfs group (kernfs waits for readers and writers);
 *   4. the worker stops (kthread_stop): it lets a frame of ours in flight
 *      be processed (at most LINK_STOP_MS), sending nothing new, and exits;
 *   5. the interrupt is freed (waits for its thread) and its trigger type
 *      restored;
 *   6. a client still attached hears M4RPC_LINK_DOWN and is detached;
 *   7. buffers are freed; the link itself goes with its last reference.
 */
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include "m4rpc_compat.h"
#include "link_priv.h"
#include "../ep/ep_link.h"

unsigned int m4rpc_ack_timeout_ms = 5000;
module_param_named(ack_timeout_ms, m4rpc_ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ack_timeout_ms,
		 "ms the H7 may take to answer; edge mode: missed-edge recovery bound (default 5000)");

unsigned int m4rpc_poll_ms = 10;
module_param_named(poll_ms, m4rpc_poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "polling period without an interrupt, ms (default 10)");

bool m4rpc_use_irq = true;
module_param_named(use_irq, m4rpc_use_irq, bool, 0444);
MODULE_PARM_DESC(use_irq, "0: poll even when the device has an interrupt (default 1)");

static int m4rpc_link_probe(struct spi_device *spi)
{
	struct m4rpc_link *link;
	int ret;

	spi->mode = (spi->mode & ~SPI_MODE_X_MASK) | SPI_MODE_0;
	spi->bits_per_word = 8;
	if (!spi->max_speed_hz)
		spi->max_speed_hz = LINK_SPEED_HZ_DEFAULT;
	ret = spi_setup(spi);
	if (ret)
		return dev_err_probe(&spi->dev, ret, "SPI setup failed\n");

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;
	kref_init(&link->ref);
	link->spi = spi;
	link->dev = get_device(&spi->dev);
	init_waitqueue_head(&link->wq);
	init_waitqueue_head(&link->info_wq);
	spin_lock_init(&link->lock);
	mutex_init(&link->client_lock);
	link->m4_state = M4RPC_LINK_M4_UNKNOWN;
	spi_set_drvdata(spi, link);

	ret = link_io_init(link);
	if (ret)
		goto err_put;
	ret = link_irq_setup(link);
	if (ret)
		goto err_io;
	ret = sysfs_create_group(&spi->dev.kobj, &link_sysfs_group);
	if (ret)
		goto err_irq;
	ret = link_debugfs_add(link);
	if (ret)
		goto err_sysfs;

	ret = m4rpc_ep_add(link);
	if (ret)
		goto err_debugfs;

	link_h7_request(link, LINK_REQ_INFO);
	ret = link_worker_start(link);
	if (ret)
		goto err_ep;
	dev_info(&spi->dev, "m4rpc link: nIRQ %s, %u Hz\n",
		 link_mode_name(link), spi->max_speed_hz);
	return 0;

err_ep:
	m4rpc_ep_remove(link);
err_debugfs:
	link_debugfs_remove(link);
err_sysfs:
	sysfs_remove_group(&spi->dev.kobj, &link_sysfs_group);
err_irq:
	link_irq_teardown(link);
err_io:
	link_io_free(link);
err_put:
	spi_set_drvdata(spi, NULL);
	m4rpc_link_put(link);
	return ret;
}

static void m4rpc_link_remove(struct spi_device *spi)
{
	struct m4rpc_link *link = spi_get_drvdata(spi);

	WRITE_ONCE(link->dying, true);
	wake_up_all(&link->info_wq);
	m4rpc_ep_remove(link);
	link_debugfs_remove(link);
	sysfs_remove_group(&spi->dev.kobj, &link_sysfs_group);
	link_worker_stop(link);
	link_irq_teardown(link);

	mutex_lock(&link->client_lock);
	if (link->ops && link->ops->state)
		link->ops->state(link->client_priv, M4RPC_LINK_DOWN,
				 m4rpc_link_m4_state(link));
	link->ops = NULL;
	link->client_priv = NULL;
	mutex_unlock(&link->client_lock);

	link_io_free(link);
	spi_set_drvdata(spi, NULL);
	m4rpc_link_put(link);
}

static const struct of_device_id m4rpc_link_of_match[] = {
	{ .compatible = "portenta,x8h7" },
	{ }
};
MODULE_DEVICE_TABLE(of, m4rpc_link_of_match);

/* "x8h7": the device-tree node's, as the SPI core matches it too. */
static const struct spi_device_id m4rpc_link_spi_ids[] = {
	{ "x8h7", 0 },
	{ "x8h7-sim", 0 },
	{ }
};
MODULE_DEVICE_TABLE(spi, m4rpc_link_spi_ids);

static struct spi_driver m4rpc_link_driver = {
	.driver = {
		.name		= "m4rpc",
		.of_match_table	= m4rpc_link_of_match,
	},
	.id_table	= m4rpc_link_spi_ids,
	.probe		= m4rpc_link_probe,
	.remove		= m4rpc_link_remove,
};

static int __init m4rpc_init(void)
{
	int ret;

	link_sysfs_init();
	ret = m4rpc_ep_init();
	if (ret)
		return ret;
	link_debugfs_init();
	ret = spi_register_driver(&m4rpc_link_driver);
	if (ret) {
		link_debugfs_exit();
		m4rpc_ep_exit();
	}
	return ret;
}
module_init(m4rpc_init);

static void __exit m4rpc_exit(void)
{
	spi_unregister_driver(&m4rpc_link_driver);
	link_debugfs_exit();
	m4rpc_ep_exit();
}
module_exit(m4rpc_exit);

MODULE_DESCRIPTION("SPI link to the Portenta X8's STM32H7 and its M4 RPC channel");
MODULE_LICENSE("GPL");
