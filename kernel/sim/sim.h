/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m4rpc_sim internals: the state of one simulated board, shared by the
 * module's four parts (sim_main.c boards and parameters, sim_spi.c the SPI
 * controller, sim_slave.c the slave's character device, sim_irq.c nIRQ).
 *
 * Lock order, outermost first:
 *
 *   SPI core (bus_lock_mutex, io_mutex)  ->  board->lock
 *   board->lock                          ->  board->irq_lock
 *   irq core (irq_desc->lock)            ->  board->irq_lock
 *
 * board->lock is a mutex: everything under it runs in process context (file
 * operations, and transfer_one, which the SPI core calls from its message
 * pump thread or from a spi_sync() caller). Nothing sleeps while holding it
 * except mutex_lock() itself: copies to and from userspace and the wire-time
 * wait happen outside it.
 *
 * board->irq_lock is a raw spinlock, the innermost lock, taken by the
 * irq_chip callbacks (under the irq core's descriptor lock) and by the
 * irq_work that delivers interrupts. Nothing is called with it held except
 * irq_work_queue(); the irq core is entered (generic_handle_irq) with no lock
 * of this module held.
 *
 * Lifetime: a board lives from module init to module exit. An open slave fd
 * pins the module (the misc device's fops owner), so no file operation can
 * run on a freed board; see sim_main.c for the teardown order.
 */
#ifndef M4RPC_SIM_H
#define M4RPC_SIM_H

#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/m4rpc_sim.h>

#define SIM_MAX_BOARDS		8
/* The slowest clock accepted: bounds the wire time of one transfer. */
#define SIM_MIN_SPEED_HZ	100000U
#define SIM_MAX_SPEED_HZ	200000000U
/*
 * The longest transfer accepted, in bytes. The H7 takes 256; more is allowed
 * (MISO zeros past 256) but bounded, so that the wire time stays bounded:
 * 64 KiB at the slowest clock is about 5 s.
 */
#define SIM_MAX_XFER_LEN	65536U

struct platform_device;
struct spi_controller;
struct spi_device;
struct spi_transfer;
struct irq_domain;
struct fwnode_handle;
struct device_node;

struct sim_board {
	unsigned int index;		/* N of /dev/m4rpc-simN */
	u32 max_speed_hz;
	struct platform_device *pdev;	/* parent of the controller */
	struct device_node *of_np;	/* of_board: the DT node, else NULL (sim_of.c) */

	/* sim_spi.c */
	struct spi_controller *ctlr;
	struct spi_device *spi;
	int bus_num;
	wait_queue_head_t wire_wq;	/* wire-time waits; woken at teardown */
	bool dying;			/* teardown: end wire-time waits now */
	u32 delay_us;			/* M4RPC_SIM_IOC_SET_DELAY; READ_ONCE */
	u32 jitter_us;

	/* sim_irq.c; the fields below irq_lock are protected by it */
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	unsigned int virq;
	struct irq_work fire_work;
	raw_spinlock_t irq_lock;
	bool nirq_low;			/* the line's level */
	bool masked;			/* irq_chip mask state */
	bool latched;			/* edge trigger: an edge not yet acked */
	bool edge;			/* trigger: an edge, else a level */
	bool rising;			/* edge trigger: rising, else falling */
	bool active_high;		/* level trigger: high, else low */
	bool wired_edge;		/* irq_mode=edge: an edge-only input */
	bool wired_rising;		/* level mode, rising_edge=1 */
	bool unwired;			/* irq_mode=none: the SPI device has no irq */
	/*
	 * The board's firmware description of nIRQ, as the X8's device tree
	 * has it: "interrupts" = <hwirq type> on the SPI device's software
	 * node (sim_spi.c), so that a driver can read the configured trigger
	 * whatever a driver before it left set.
	 */
	u32 irq_cells[2];
	struct property_entry irq_props[2];
	struct software_node swnode;
	u64 irqs;
	u64 dropped_edges;

	/* sim_slave.c */
	struct miscdevice misc;
	char name[16];
	wait_queue_head_t read_wq;
	struct mutex lock;		/* the slave state below */
	bool attached;			/* a slave process holds the device */
	u64 session;			/* bumped at each open and release */
	bool cs_active;			/* a transfer is on the wire */
	bool armed;
	u64 transfers;
	u8 armed_frame[M4RPC_SIM_FRAME_LEN];
	u8 idle_frame[M4RPC_SIM_FRAME_LEN];
	/* the transfer on the wire; owned by the SPI message pump */
	struct m4rpc_sim_xfer cur;
	u64 cur_session;
	/* completed transfers for the slave, a ring of M4RPC_SIM_XFER_QUEUE */
	struct m4rpc_sim_xfer *queue;
	unsigned int q_head;
	unsigned int q_count;
};

/* sim_main.c: the module parameter wire_time, writable at run time */
extern bool m4rpc_sim_wire_time;

/* sim_irq.c */
int m4rpc_sim_irq_init(struct sim_board *b, bool edge, bool rising_ok);
void m4rpc_sim_irq_exit(struct sim_board *b);
void m4rpc_sim_irq_set_nirq(struct sim_board *b, bool low, bool drop_edge);
void m4rpc_sim_irq_info(struct sim_board *b, struct m4rpc_sim_info *info);

/* sim_spi.c */
int m4rpc_sim_spi_init(struct sim_board *b);
void m4rpc_sim_spi_exit(struct sim_board *b);

/* sim_of.c, built with CONFIG_OF only (Debian's amd64 kernel has none) */
#if IS_ENABLED(CONFIG_OF)
int m4rpc_sim_of_find(struct sim_board *b);
void m4rpc_sim_of_put(struct sim_board *b);
struct spi_device *m4rpc_sim_of_new_device(struct sim_board *b,
					   struct spi_controller *ctlr);
#else
static inline int m4rpc_sim_of_find(struct sim_board *b)
{
	return -ENODEV;
}

static inline void m4rpc_sim_of_put(struct sim_board *b)
{
}

static inline struct spi_device *
m4rpc_sim_of_new_device(struct sim_board *b, struct spi_controller *ctlr)
{
	return ERR_PTR(-ENODEV);
}
#endif

/* sim_slave.c */
int m4rpc_sim_slave_init(struct sim_board *b);
void m4rpc_sim_slave_exit(struct sim_board *b);
void m4rpc_sim_slave_xfer_begin(struct sim_board *b, const struct spi_transfer *x,
				u32 speed_hz);
void m4rpc_sim_slave_xfer_end(struct sim_board *b);

#endif /* M4RPC_SIM_H */
