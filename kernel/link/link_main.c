// SPDX-License-Identifier: GPL-2.0
/*
 * A link's life: create, start, unplug, destroy (link.h). The SPI driver
 * that calls these, and the clients it gives each link, are the module's
 * (kernel/m4rpc_main.c); the link knows nothing of them.
 *
 * create sets the device up (mode 0, 8-bit words, spi-max-frequency or
 * 20 MHz), picks the nIRQ mode (link_irq.c) and adds the sysfs group;
 * start asks the H7 for its version, UID and M4 state and starts the
 * worker. Clients attach between the two, so that the first link events
 * reach them. Teardown goes in the order that lets nothing run on freed
 * memory:
 *
 *   1. unplug: dying, so refresh waiters return and no client can attach;
 *   2. (the module removes the clients: each detaches, which waits for a
 *      callback in progress);
 *   3. destroy: the sysfs group goes (kernfs waits for readers and
 *      writers); the worker stops (kthread_stop: a frame of ours in flight
 *      may be processed, at most LINK_STOP_MS, nothing new is sent); the
 *      interrupt is freed (waits for its handler) and its trigger type
 *      restored; a client still attached hears M4RPC_LINK_DOWN and is
 *      detached; buffers are freed; the link itself goes with its last
 *      reference.
 */
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

struct m4rpc_link *m4rpc_link_create(struct spi_device *spi, void *owner)
{
	struct m4rpc_link *link;
	int ret;

	spi->mode = (spi->mode & ~SPI_MODE_X_MASK) | SPI_MODE_0;
	spi->bits_per_word = 8;
	if (!spi->max_speed_hz)
		spi->max_speed_hz = LINK_SPEED_HZ_DEFAULT;
	ret = spi_setup(spi);
	if (ret)
		return ERR_PTR(dev_err_probe(&spi->dev, ret, "SPI setup failed\n"));

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return ERR_PTR(-ENOMEM);
	kref_init(&link->ref);
	link->spi = spi;
	link->dev = get_device(&spi->dev);
	link->owner = owner;
	init_waitqueue_head(&link->wq);
	init_waitqueue_head(&link->info_wq);
	spin_lock_init(&link->lock);
	mutex_init(&link->client_lock);
	link->m4_state = M4RPC_M4_UNKNOWN;
	spi_set_drvdata(spi, link);

	ret = m4rpc_link_io_init(link);
	if (ret)
		goto err_put;
	ret = m4rpc_link_irq_setup(link);
	if (ret)
		goto err_io;
	ret = sysfs_create_group(&spi->dev.kobj, &m4rpc_link_sysfs_group);
	if (ret)
		goto err_irq;
	return link;

err_irq:
	m4rpc_link_irq_teardown(link);
err_io:
	m4rpc_link_io_free(link);
err_put:
	spi_set_drvdata(spi, NULL);
	m4rpc_link_put(link);
	return ERR_PTR(ret);
}

int m4rpc_link_start(struct m4rpc_link *link)
{
	int ret;

	m4rpc_link_h7_request(link, LINK_REQ_INFO);
	ret = m4rpc_link_worker_start(link);
	if (ret)
		return ret;
	dev_info(link->dev, "m4rpc link: nIRQ %s, %u Hz\n",
		 m4rpc_link_mode_name(link), link->spi->max_speed_hz);
	return 0;
}

void m4rpc_link_unplug(struct m4rpc_link *link)
{
	WRITE_ONCE(link->dying, true);
	wake_up_all(&link->info_wq);
}

void m4rpc_link_destroy(struct m4rpc_link *link)
{
	struct spi_device *spi = link->spi;

	m4rpc_link_unplug(link);
	sysfs_remove_group(&spi->dev.kobj, &m4rpc_link_sysfs_group);
	m4rpc_link_worker_stop(link);	/* no-op when never started */
	m4rpc_link_irq_teardown(link);
	m4rpc_link_client_down(link);
	m4rpc_link_io_free(link);
	spi_set_drvdata(spi, NULL);
	m4rpc_link_put(link);
}

struct m4rpc_link *m4rpc_link_of(struct spi_device *spi)
{
	return spi_get_drvdata(spi);
}

void *m4rpc_link_owner(struct m4rpc_link *link)
{
	return link->owner;
}
