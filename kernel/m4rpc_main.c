// SPDX-License-Identifier: GPL-2.0
/*
 * m4rpc.ko: the SPI driver for the Portenta X8's STM32H7, and the one
 * place that knows which clients a link has (kernel/README.md draws the
 * layers). For each bound device it creates the link (kernel/link/), gives
 * it its client, starts it, and on remove takes them down in the reverse
 * order.
 *
 * The client is the /dev/m4rpcN endpoint (kernel/ep/), with the serial
 * port /dev/ttyM4RPCn on it (kernel/tty/, a client of the endpoint's), or,
 * for the link's own tests, the debugfs test client (kernel/test/) when
 * /sys/kernel/debug/m4rpc/test_client is 1 at probe time (rebind a device
 * to switch it). A test knob, so in debugfs and not a module parameter.
 *
 * It binds the X8's device-tree node (compatible "portenta,x8h7", SPI id
 * "x8h7") once the stock x8h7 modules are blacklisted, and the simulated
 * board of m4rpc_sim.ko (SPI id "x8h7-sim"). The simulator's id stays in
 * the table for now: tools that lend the device to spidev give it back by
 * clearing driver_override and binding by id.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include "m4rpc_compat.h"
#include "link/link.h"
#include "ep/m4rpc_ep.h"
#include "tty/m4rpc_tty.h"
#include "test/test_client.h"

/* What one bound device has: its link and the link's client. */
struct m4rpc_board {
	struct m4rpc_link *link;
	struct m4rpc_ep *ep;		/* and its serial port, */
	struct m4rpc_tty *tty;
	struct m4rpc_tc *tc;		/* or the test client */
};

static struct dentry *m4rpc_debugfs;
static bool m4rpc_want_test_client;

static int m4rpc_probe(struct spi_device *spi)
{
	struct m4rpc_board *board;
	int ret;

	board = kzalloc(sizeof(*board), GFP_KERNEL);
	if (!board)
		return -ENOMEM;
	board->link = m4rpc_link_create(spi, board);
	if (IS_ERR(board->link)) {
		ret = PTR_ERR(board->link);
		kfree(board);
		return ret;
	}
	if (READ_ONCE(m4rpc_want_test_client)) {
		board->tc = m4rpc_tc_add(board->link, m4rpc_debugfs);
		ret = PTR_ERR_OR_ZERO(board->tc);
	} else {
		board->ep = m4rpc_ep_add(board->link);
		ret = PTR_ERR_OR_ZERO(board->ep);
	}
	if (ret)
		goto err_link;
	if (board->ep) {
		board->tty = m4rpc_tty_add(board->ep);
		ret = PTR_ERR_OR_ZERO(board->tty);
		if (ret) {
			board->tty = NULL;
			goto err_client;
		}
	}
	ret = m4rpc_link_start(board->link);
	if (ret)
		goto err_client;
	return 0;

err_client:
	m4rpc_link_unplug(board->link);
	if (board->tty)
		m4rpc_tty_remove(board->tty);
	if (board->ep)
		m4rpc_ep_remove(board->ep);
	else
		m4rpc_tc_remove(board->tc);
err_link:
	m4rpc_link_destroy(board->link);
	kfree(board);
	return ret;
}

static void m4rpc_remove(struct spi_device *spi)
{
	struct m4rpc_link *link = m4rpc_link_of(spi);
	struct m4rpc_board *board = m4rpc_link_owner(link);

	m4rpc_link_unplug(link);
	if (board->tty)
		m4rpc_tty_remove(board->tty);
	if (board->ep)
		m4rpc_ep_remove(board->ep);
	if (board->tc)
		m4rpc_tc_remove(board->tc);
	m4rpc_link_destroy(link);
	kfree(board);
}

static const struct of_device_id m4rpc_of_match[] = {
	{ .compatible = "portenta,x8h7" },
	{ }
};
MODULE_DEVICE_TABLE(of, m4rpc_of_match);

/* "x8h7": the device-tree node's, as the SPI core matches it too. */
static const struct spi_device_id m4rpc_spi_ids[] = {
	{ "x8h7", 0 },
	{ "x8h7-sim", 0 },
	{ }
};
MODULE_DEVICE_TABLE(spi, m4rpc_spi_ids);

static struct spi_driver m4rpc_driver = {
	.driver = {
		.name		= "m4rpc",
		.of_match_table	= m4rpc_of_match,
	},
	.id_table	= m4rpc_spi_ids,
	.probe		= m4rpc_probe,
	.remove		= m4rpc_remove,
};

static int __init m4rpc_init(void)
{
	int ret;

	/* debugfs is optional: its failures are not ours to report. */
	m4rpc_debugfs = debugfs_create_dir("m4rpc", NULL);
	debugfs_create_bool("test_client", 0600, m4rpc_debugfs,
			    &m4rpc_want_test_client);
	ret = m4rpc_ep_init();
	if (ret)
		goto err_debugfs;
	ret = m4rpc_tty_init();
	if (ret)
		goto err_ep;
	ret = spi_register_driver(&m4rpc_driver);
	if (ret)
		goto err_tty;
	return 0;

err_tty:
	m4rpc_tty_exit();
err_ep:
	m4rpc_ep_exit();
err_debugfs:
	debugfs_remove_recursive(m4rpc_debugfs);
	return ret;
}
module_init(m4rpc_init);

static void __exit m4rpc_exit(void)
{
	spi_unregister_driver(&m4rpc_driver);
	m4rpc_tty_exit();
	m4rpc_ep_exit();
	debugfs_remove_recursive(m4rpc_debugfs);
}
module_exit(m4rpc_exit);

MODULE_DESCRIPTION("SPI link to the Portenta X8's STM32H7 and its M4 RPC channel");
MODULE_LICENSE("GPL");
