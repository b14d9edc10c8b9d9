/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/ttyM4RPCn: internals shared by the files of kernel/tty/ and nothing
 * else (the module's API is m4rpc_tty.h).
 *
 *   tty_main.c  the tty driver, one port per endpoint, its lifetime, open,
 *               close and hangup
 *   tty_io.c    the data: the M4's Serial output into the port, what is
 *               written to the port out to the sketch, paced by its replies
 *   tty_sysfs.c the port's counters
 *
 * The tty is a kernel client of its endpoint (kernel/ep/m4rpc_ep_kclient.h):
 * while it is open it holds the endpoint's binding of "tty", so the M4's
 * Serial output ([2, "tty", [bin]]) comes to it, and it writes to the
 * sketch's Serial with calls of the sketch's "tty" method, one bin each.
 *
 * Locking, outermost first:
 *
 *   port->mutex (tty core)  ->  t->lock (mutex)  ->  ep->lock (mutex, ep)
 *     ->  t->fifo_lock (spinlock)  ->  link->lock (inside the link)
 *
 * t->lock serialises open (activate), close (shutdown), removal and the
 * transmit work, and protects ks, ep, dead and mctrl: whoever calls the
 * endpoint holds it, so the kernel session is never closed under a
 * caller. The endpoint calls back (m4rpc_ep_kops) from the link's worker
 * with ep->lock held: the callbacks take only t->fifo_lock, queue work
 * and ask the tty core for an (asynchronous) hangup. t->fifo_lock
 * (irqsave: tty writes may come from any context) protects the transmit
 * fifo, inflight, flushes, last_progress and the counters.
 *
 * Lifetime: the tty_port's reference count. m4rpc_tty_add() holds one
 * until m4rpc_tty_remove(); every tty opened on the port holds one from
 * install to cleanup. The last put calls mtty_destruct(), which frees the
 * line's number and the memory.
 */
#ifndef M4RPC_TTY_H
#define M4RPC_TTY_H

#include <linux/kfifo.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_port.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include "m4rpc_compat.h"

struct m4rpc_ep;
struct m4rpc_ep_ksess;

/* Lines of the driver: one per endpoint (ep_main.c has as many). */
#define TTY_LINES		64
/* Bytes write() may leave with the tty before the sketch has them. */
#define TTY_XMIT_SIZE		4096
/*
 * Bytes written to the sketch and not answered yet: its Serial receive
 * buffer (SerialRPC's, 1 KiB; docs/x8h7-link.md, "The M4 side"), which
 * drops what does not fit.
 */
#define TTY_WINDOW		1024
/*
 * A reply that has not come this long after the last one never will (the
 * link lost it): the bytes still unanswered are counted lost, so the port
 * does not stall.
 */
#define TTY_REPLY_TIMEOUT_MS	5000
/*
 * The "tty" call around each chunk: [0, msgid, "tty", [bin8]]: 1 + 1 + 5
 * (the msgid counted as a uint32, the endpoint's rule, <linux/m4rpc.h>)
 * + 4 + 1 + 2 bytes.
 */
#define TTY_CALL_OVERHEAD	14

/* What the sysfs files of the port count (tty_main.c lists them). */
struct tty_stats {
	u64 rx_bytes;		/* M4 output put into the port */
	u64 rx_dropped;		/* ... that found no room there */
	u64 rx_malformed;	/* "tty" notifications without bytes */
	u64 tx_bytes;		/* written bytes the sketch answered for */
	u64 tx_refused;		/* ... it answered with an error */
	u64 tx_lost;		/* ... never answered: M4 stop, link loss */
};

struct m4rpc_tty {
	struct tty_port port;
	int index;			/* n of /dev/ttyM4RPCn */
	struct device *dev;		/* the tty's device */
	size_t chunk_max;		/* bytes per call (max_tx_msg) */

	struct mutex lock;		/* see the top of this file */
	struct m4rpc_ep *ep;		/* lock: NULL once removed */
	struct m4rpc_ep_ksess *ks;	/* lock: while the port is open */
	bool dead;			/* lock: removed */
	u8 *msg;			/* lock: the call being built */
	unsigned int mctrl;		/* lock: TIOCM_DTR, TIOCM_RTS as set */
	struct delayed_work tx_work;

	spinlock_t fifo_lock;		/* see the top of this file */
	struct kfifo xmit;		/* written, not sent yet */
	u32 inflight;			/* sent, not answered yet */
	u32 flushes;			/* tcflush()es of the fifo */
	unsigned long last_progress;	/* jiffies: a send or a reply */
	struct tty_stats stats;
};

/* tty_main.c */
extern struct tty_driver *m4rpc_tty_driver;

/* tty_sysfs.c */
extern const struct attribute_group *m4rpc_tty_groups[];

/* tty_io.c */
extern const struct m4rpc_ep_kops m4rpc_tty_kops;
void m4rpc_tty_tx_work(struct work_struct *work);
void m4rpc_tty_kick(struct m4rpc_tty *t);
void m4rpc_tty_reset_io(struct m4rpc_tty *t);
M4RPC_TTY_WRITE_RET m4rpc_tty_write(struct tty_struct *tty, const u8 *buf,
				    M4RPC_TTY_WRITE_COUNT count);
unsigned int m4rpc_tty_write_room(struct tty_struct *tty);
unsigned int m4rpc_tty_chars_in_buffer(struct tty_struct *tty);
void m4rpc_tty_flush_buffer(struct tty_struct *tty);

#endif /* M4RPC_TTY_H */
