// SPDX-License-Identifier: GPL-2.0
/*
 * m4rpc_sim: simulated Portenta X8 boards, each an SPI controller with one
 * SPI device whose slave end is played by a userspace process through
 * /dev/m4rpc-simN. The ABI is <linux/m4rpc_sim.h>; the wire it stands in for
 * is described in the project's docs/x8h7-link.md.
 *
 * This file holds the module parameters and the life of a board:
 *
 *   create: platform device (the parent) -> nIRQ irq domain (sim_irq.c)
 *           -> SPI controller and device (sim_spi.c) -> /dev/m4rpc-simN
 *           (sim_slave.c)
 *   destroy: the reverse, after cutting short any wire-time wait.
 *
 * What makes unloading safe:
 *  - An open /dev/m4rpc-simN holds a reference on this module (misc_open()
 *    takes the fops owner), so the module cannot be unloaded while a slave
 *    process is attached: delete_module() fails (EWOULDBLOCK; rmmod says the
 *    module is in use). Forced unload (rmmod -f) is unsafe, as for any
 *    module.
 *  - The SPI device's driver (spidev, m4rpc, ...) does not pin this module.
 *    Unloading removes the device first, so its driver's remove runs (and
 *    frees the irq) while the controller and the irq domain still exist; the
 *    SPI core then waits for the transfer on the wire, whose wire-time wait
 *    ends at once because the board is marked dying. Only then go the slave
 *    device (nobody can have it open), the irq domain, and the board.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "m4rpc_compat.h"
#include "sim.h"

static unsigned int sim_nr_boards = 1;
module_param_named(boards, sim_nr_boards, uint, 0444);
MODULE_PARM_DESC(boards, "number of simulated boards, 1..8 (default 1)");

bool m4rpc_sim_wire_time = true;
module_param_named(wire_time, m4rpc_sim_wire_time, bool, 0644);
MODULE_PARM_DESC(wire_time,
		 "transfers take len * 8 / speed_hz (default 1; writable)");

static unsigned int sim_max_speed_hz = 20000000;
module_param_named(max_speed_hz, sim_max_speed_hz, uint, 0444);
MODULE_PARM_DESC(max_speed_hz,
		 "clock of the SPI device and its controller's maximum, 100000..200000000 (default 20000000)");

static bool sim_irq_edge;
static bool sim_irq_none;

static bool sim_rising_edge = true;
module_param_named(rising_edge, sim_rising_edge, bool, 0444);
MODULE_PARM_DESC(rising_edge,
		 "level mode: the line also senses rising edges, as the i.MX8M GPIO (default 1; 0: levels and falling edges only)");

static int sim_irq_mode_set(const char *val, const struct kernel_param *kp)
{
	/* "none": the line exists (the slave drives it), no irq is wired. */
	if (sysfs_streq(val, "level") || sysfs_streq(val, "none"))
		sim_irq_edge = false;
	else if (sysfs_streq(val, "edge"))
		sim_irq_edge = true;
	else
		return -EINVAL;
	sim_irq_none = sysfs_streq(val, "none");
	return 0;
}

static int sim_irq_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", sim_irq_none ? "none" :
			  sim_irq_edge ? "edge" : "level");
}

static const struct kernel_param_ops sim_irq_mode_ops = {
	.set = sim_irq_mode_set,
	.get = sim_irq_mode_get,
};

module_param_cb(irq_mode, &sim_irq_mode_ops, NULL, 0444);
MODULE_PARM_DESC(irq_mode,
		 "nIRQ trigger: level (low, default, as the X8's device tree), edge (falling) or none (the SPI device has no interrupt: its driver must poll)");

static bool sim_of_board;
module_param_named(of_board, sim_of_board, bool, 0444);
MODULE_PARM_DESC(of_board,
		 "board 0 as the device tree describes it: its SPI device from the child \"portenta,x8h7\" of the node \"m4rpc,sim-board\", nIRQ as that node's interrupt (default 0)");

static struct sim_board *sim_boards[SIM_MAX_BOARDS];

static void sim_board_destroy(struct sim_board *b)
{
	/* Cut short a wire-time wait: the SPI core waits for that transfer. */
	WRITE_ONCE(b->dying, true);
	wake_up_all(&b->wire_wq);

	m4rpc_sim_spi_exit(b);
	m4rpc_sim_slave_exit(b);
	m4rpc_sim_irq_exit(b);
	platform_device_unregister(b->pdev);
	m4rpc_sim_of_put(b);
	mutex_destroy(&b->lock);
	kfree(b);
}

static struct sim_board *sim_board_create(unsigned int index)
{
	struct sim_board *b;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->index = index;
	b->max_speed_hz = sim_max_speed_hz;
	b->bus_num = -1;
	snprintf(b->name, sizeof(b->name), "m4rpc-sim%u", index);
	mutex_init(&b->lock);
	init_waitqueue_head(&b->read_wq);
	init_waitqueue_head(&b->wire_wq);

	b->pdev = platform_device_register_simple("m4rpc-sim", index, NULL, 0);
	if (IS_ERR(b->pdev)) {
		ret = PTR_ERR(b->pdev);
		goto err_free;
	}
	b->unwired = sim_irq_none;
	if (sim_of_board && index == 0) {
		ret = m4rpc_sim_of_find(b);
		if (ret) {
			pr_err("of_board: no device-tree node compatible \"m4rpc,sim-board\" with interrupt-controller\n");
			goto err_pdev;
		}
	}
	ret = m4rpc_sim_irq_init(b, sim_irq_edge, sim_rising_edge);
	if (ret)
		goto err_pdev;
	ret = m4rpc_sim_spi_init(b);
	if (ret)
		goto err_irq;
	ret = m4rpc_sim_slave_init(b);
	if (ret)
		goto err_spi;

	dev_info(&b->pdev->dev, "/dev/%s: spi%d.0, irq %u (%s)\n", b->name,
		 b->bus_num, b->virq, b->unwired ? "not wired" :
		 sim_irq_edge ? "falling edge" : "level low");
	return b;

err_spi:
	WRITE_ONCE(b->dying, true);
	wake_up_all(&b->wire_wq);
	m4rpc_sim_spi_exit(b);
err_irq:
	m4rpc_sim_irq_exit(b);
err_pdev:
	platform_device_unregister(b->pdev);
	m4rpc_sim_of_put(b);
err_free:
	mutex_destroy(&b->lock);
	kfree(b);
	return ERR_PTR(ret);
}

static void sim_destroy_all(void)
{
	int i;

	for (i = SIM_MAX_BOARDS - 1; i >= 0; i--) {
		if (sim_boards[i])
			sim_board_destroy(sim_boards[i]);
		sim_boards[i] = NULL;
	}
}

static int __init sim_init(void)
{
	unsigned int i;

	if (sim_nr_boards < 1 || sim_nr_boards > SIM_MAX_BOARDS) {
		pr_err("boards=%u: must be 1..%d\n", sim_nr_boards,
		       SIM_MAX_BOARDS);
		return -EINVAL;
	}
	if (sim_of_board && sim_irq_none) {
		pr_err("of_board=1: the device tree wires nIRQ, irq_mode=none cannot\n");
		return -EINVAL;
	}
	if (sim_max_speed_hz < SIM_MIN_SPEED_HZ ||
	    sim_max_speed_hz > SIM_MAX_SPEED_HZ) {
		pr_err("max_speed_hz=%u: must be %u..%u\n",
		       sim_max_speed_hz, SIM_MIN_SPEED_HZ, SIM_MAX_SPEED_HZ);
		return -EINVAL;
	}

	for (i = 0; i < sim_nr_boards; i++) {
		struct sim_board *b = sim_board_create(i);

		if (IS_ERR(b)) {
			pr_err("board %u: %pe\n", i, b);
			sim_destroy_all();
			return PTR_ERR(b);
		}
		sim_boards[i] = b;
	}
	return 0;
}

static void __exit sim_exit(void)
{
	sim_destroy_all();
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_DESCRIPTION("Simulated Portenta X8 SPI link, slave played from userspace");
MODULE_LICENSE("GPL");
