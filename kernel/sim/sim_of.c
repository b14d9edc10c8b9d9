// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated board described by the device tree, as the Portenta X8 is
 * (module parameter of_board, board 0 only): the machine's DT has a node
 * compatible "m4rpc,sim-board" that stands for the board's SPI controller
 * and nIRQ's interrupt controller, with one child for the H7, compatible
 * "portenta,x8h7", reg 0, its interrupt given by that parent. The arm64
 * test VM's DT has it (scripts/arm64-sim-board.dtsi).
 *
 * The SPI device is then made from the child node, as the SPI core does for
 * a controller's DT children: modalias from the compatible, the node as the
 * device's, so that drivers are matched by their of_match_table and the
 * uevent announces "of:N...Cportenta,x8h7" for module autoloading. Its irq
 * the SPI core takes from the node at probe (of_irq_get()), which resolves
 * through the interrupt parent to this board's irq domain: sim_irq.c
 * registers it under the same node.
 *
 * Why not the controller's own of_node (the core would then register the
 * children itself): the controller's parent is a platform device of ours
 * with no node, and the node's reference and the device's lifetime stay
 * where the other boards have them, in this module.
 */
#include <linux/of.h>
#include <linux/of_device.h>
#include <linux/spi/spi.h>
#include "m4rpc_compat.h"
#include "sim.h"

int m4rpc_sim_of_find(struct sim_board *b)
{
	b->of_np = of_find_compatible_node(NULL, NULL, "m4rpc,sim-board");
	if (!b->of_np)
		return -ENODEV;
	if (!of_property_read_bool(b->of_np, "interrupt-controller")) {
		of_node_put(b->of_np);
		b->of_np = NULL;
		return -EINVAL;
	}
	return 0;
}

void m4rpc_sim_of_put(struct sim_board *b)
{
	of_node_put(b->of_np);
	b->of_np = NULL;
}

/* Chip select 0, as spi_alloc_device() leaves it. */
struct spi_device *m4rpc_sim_of_new_device(struct sim_board *b,
					   struct spi_controller *ctlr)
{
	struct device_node *nc;
	struct spi_device *spi;
	int ret;

	nc = of_get_compatible_child(b->of_np, "portenta,x8h7");
	if (!nc)
		return ERR_PTR(-ENODEV);
	spi = spi_alloc_device(ctlr);
	if (!spi) {
		ret = -ENOMEM;
		goto err_node;
	}
	ret = of_modalias_node(nc, spi->modalias, sizeof(spi->modalias));
	if (ret)
		goto err_dev;
	spi->max_speed_hz = b->max_speed_hz;
	spi->mode = SPI_MODE_0;
	/* The node's reference goes to the device: spi_unregister_device() drops it. */
	device_set_node(&spi->dev, of_fwnode_handle(nc));
	ret = spi_add_device(spi);
	if (ret) {
		device_set_node(&spi->dev, NULL);
		goto err_dev;
	}
	return spi;

err_dev:
	spi_dev_put(spi);
err_node:
	of_node_put(nc);
	return ERR_PTR(ret);
}
