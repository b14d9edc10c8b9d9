/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/m4rpcN endpoints: internals shared by the files of kernel/ep/
 * and nothing else. The contract with userspace is the uapi header
 * <linux/m4rpc.h>; the link below is kernel/link/link.h.
 *
 *   ep_main.c     module parameters, the device per link and its lifetime
 *   ep_session.c  open/release/read/write/poll of a session
 *   ep_tx.c       the link transmit queue: admission, round robin, purge
 *   ep_window.c   the wire window in bytes: reply sizes learned per method
 *   ep_route.c    messages from the M4: replies, bindings, kernel errors
 *   ep_rx.c       the link's callbacks: reassembly, raw bytes, link state
 *   ep_kclient.c  sessions of the kernel's own (m4rpc_ep_kclient.h)
 *   m4rpc_ep_ioctl.c    the ioctls
 *
 * Locking, outermost first:
 *
 *   sess->read_lock (mutex)  ->  [link->client_lock]  ->  ep->lock (mutex)
 *                            ->  link->lock (inside the link's getters)
 *                            ->  kernfs' notify spinlock (sysfs_notify_dirent()
 *                                of m4_state, in ep_link_state())
 *   [t->lock (tty)]  ->  ep->lock  ->  t->fifo_lock (a kernel client's
 *                                      callbacks, kernel/tty/tty.h)
 *
 * ep->lock protects everything in struct m4rpc_ep and struct ep_session
 * marked "lock" below: sessions, bindings, pending calls (the xarrays have
 * their own spinlock inside, always taken under ep->lock), queues, counters.
 * read_lock serialises the readers of one session, so a message can be
 * copied to userspace (which may fault and sleep) without ep->lock while it
 * stays at the head of the queue. The link calls m4rpc_ep_link_ops with its
 * client_lock held, so every callback is serialised with the others and
 * with m4rpc_link_detach(); the reassembler (ep->reasm) is touched only by
 * callbacks. Nothing calls into the link with ep->lock held except
 * m4rpc_link_tx_kick() and m4rpc_link_m4_state(), which take only link->lock
 * (a spinlock, innermost). Wait conditions read their fields with
 * READ_ONCE() (no lock taken while not TASK_RUNNING); writers of those
 * fields use WRITE_ONCE() under ep->lock.
 *
 * A kernel client's session (ep_kclient.c) is one of ep->sessions; its
 * callbacks are called with ep->lock held (m4rpc_ep_kclient.h says what
 * they may do) and the client calls in with only its own locks held,
 * which come before ep->lock (kernel/tty/tty.h).
 *
 * Lifetime: the ep is a struct device. The link holds it from
 * m4rpc_ep_add() to m4rpc_ep_remove(); every open file holds it too (its
 * cdev's parent is the device, and each session takes a reference). It is
 * freed by ep_dev_release() when the last of them lets go; after remove it
 * is "dead": no callback comes any more, and sessions see ENODEV/POLLHUP.
 */
#ifndef M4RPC_EP_H
#define M4RPC_EP_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kfifo.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/m4rpc.h>
#include "x8h7_frame.h"
#include "rpc_reasm.h"
#include "rpc_msg.h"
#include "../link/link.h"
#include "m4rpc_ep_kclient.h"

/* Bindings one session may hold. */
#define EP_BINDINGS_MAX		64
/*
 * Kernel error responses waiting for the link, per link: preallocated
 * (ep->ktx_free), as the worker makes most of them.
 */
#define EP_KTX_MAX		64
/*
 * Allocations on the link worker's path (the callbacks: it owns the SPI bus
 * while the H7 waits) never wait for reclaim; a failed one is a counted
 * drop, reported to whoever it was for.
 */
#define EP_GFP_WORKER		(GFP_NOWAIT | __GFP_NOWARN)
/* Methods whose reply sizes a link remembers (ep_window.c). */
#define EP_METHODS_MAX		32
/* The wire window: frame bytes the M4's replies may take (ep_window.c). */
#define EP_WIRE_BUDGET		(X8H7_PAYLOAD_MAX - 8 - 4)
/* A call counts against the wire window at most this long (ep_tx.c). */
#define EP_WIRE_EXPIRE_MS	2000
/* An oversize message is followed at most this far (m4rpc_reasm.h). */
#define EP_SKIP_MAX		(1024 * 1024)

/* A message in a queue. */
struct ep_msg {
	struct list_head node;
	struct ep_call *call;		/* a session's request: its call */
	u32 len;
	u8 data[];
};

/* A session's request waiting for its response; ep->calls[wire msgid]. */
struct ep_call {
	struct ep_session *sess;
	struct list_head node;		/* in sess->calls */
	u32 wire_id;
	u32 user_msgid;
	u16 cost;			/* bytes of the wire window it takes */
	u8 method;			/* its ep->methods[] entry ... */
	u8 long_reply;			/* ... whose replies exceed the window */
	u32 method_gen;			/* ... while the entry is that method */
	bool on_wire;			/* sent, counted in ep->nwire */
	unsigned long sent;		/* jiffies when the link took it */
	struct list_head wire_node;	/* in ep->wire while on_wire */
};

/* An M4 request delivered to a session; ep->m4calls[kernel msgid]. */
struct ep_m4call {
	struct ep_session *sess;
	struct list_head node;		/* in sess->m4calls */
	u32 id;				/* the kernel's msgid */
	u32 m4_msgid;
	u32 name_len;			/* quoted in the kernel's errors */
	u8 name[M4RPC_MSG_NAME_QUOTED + 1];
};

/* A method the link's calls used, and the longest reply seen (ep_window.c). */
struct ep_method {
	u8 name[M4RPC_NAME_MAX];	/* cut there: a longer name shares it */
	u32 len;
	u32 gen;			/* bumped when the entry is reused */
	u32 used;			/* ep->methods_clock when last used */
	u16 reply_max;			/* 0: no reply seen yet */
};

struct ep_binding {
	struct list_head node;		/* in ep->bindings */
	struct ep_session *sess;
	u32 len;
	u8 name[M4RPC_NAME_MAX];
};

struct ep_session {
	struct m4rpc_ep *ep;
	struct m4rpc_ep_ksess *ks;	/* a kernel client's session, or NULL */
	struct list_head node;		/* lock: in ep->sessions */
	wait_queue_head_t wq;		/* readers, writers, pollers */
	struct mutex read_lock;		/* one reader at a time */
	u32 mode;			/* lock + read_lock: M4RPC_MODE_* */
	/* Receive side (lock). */
	struct list_head rx;		/* ep_msg */
	u32 rx_count;
	bool overflow;			/* a loss to report: EOVERFLOW */
	/*
	 * Raw mode: one producer (callbacks, under ep->lock), one consumer
	 * (readers, under read_lock): kfifo needs no other lock.
	 */
	struct kfifo raw;
	bool raw_alloc;
	/* Transmit side (lock). */
	struct list_head tx;		/* ep_msg, in order */
	u32 tx_count;
	struct list_head tx_node;	/* in ep->tx_rr while tx_count */
	/* Calls (lock). */
	struct list_head calls;		/* ep_call */
	u32 ncalls;
	struct list_head m4calls;	/* ep_m4call */
	u32 nm4calls;
	u32 nbindings;
	struct m4rpc_session_stats stats;	/* lock: counters only */
};

/*
 * A session of a kernel client (m4rpc_ep_kclient.h): never in raw mode,
 * no M4 calls (the kernel answers them), its replies and notifications go
 * to @ops with ep->lock held instead of to a queue.
 */
struct m4rpc_ep_ksess {
	struct ep_session sess;
	const struct m4rpc_ep_kops *ops;
	void *priv;
};

struct m4rpc_ep {
	struct device dev;
	struct cdev cdev;
	struct m4rpc_link *link;	/* referenced until release */
	int index;			/* N of /dev/m4rpcN */
	bool index_held;		/* ... not yet freed for the next link */
	char spi_name[32];

	struct mutex lock;		/* see the top of this file */
	bool dead;			/* lock: removed */
	int link_state;			/* lock: M4RPC_LINK_* */
	int m4_state;			/* lock: M4RPC_M4_* */
	bool m4_known;			/* lock: a state event came */
	/* lock: sysfs m4_state, notified when m4_state changes; NULL dead */
	struct kernfs_node *m4_state_kn;
	/*
	 * The change uevent that tells udev the H7's UID (sysfs uid) is
	 * known or changed: sent from a work item, as kobject_uevent()
	 * allocates and the link's callbacks must not wait for memory.
	 * Queued only while registered (lock: the device added, not dead);
	 * remove cancels it before the device goes.
	 */
	struct work_struct uevent_work;
	bool registered;
	struct list_head sessions;	/* lock */
	struct list_head bindings;	/* lock */
	struct xarray calls;		/* lock: ep_call by wire msgid */
	u32 next_call;
	u32 ncalls;
	struct xarray m4calls;		/* lock: ep_m4call by kernel msgid */
	u32 next_m4call;
	u32 nm4calls;
	struct list_head ktx;		/* lock: the kernel's error responses */
	struct list_head ktx_free;	/* lock: ... and their spare buffers */
	u32 ktx_count;
	struct list_head tx_rr;		/* lock: sessions with messages, in turn */
	u32 tx_total;			/* lock: messages queued by sessions */
	struct list_head wire;		/* lock: calls on the wire, oldest first */
	u32 nwire;
	u32 wire_bytes;			/* lock: ... the window they take */
	struct ep_method methods[EP_METHODS_MAX];	/* lock */
	u32 methods_clock;		/* lock */
	struct timer_list wire_timer;	/* kicks the link when one expires */
	struct m4rpc_link_stats stats;	/* lock: counters only */

	/* Limits, from the module parameters when the link was bound. */
	u32 max_tx;			/* m4rpc_link_ui_max(): 244 or 248 */
	u32 max_msg;
	u32 rx_queue_len;
	u32 raw_buf_size;
	u32 tx_queue_len;
	u32 tx_session_len;
	u32 calls_max;
	u32 m4_calls_max;
	u32 wire_calls_max;

	/* Callbacks only (serialised by the link's client_lock). */
	struct m4rpc_reasm reasm;
	u8 *reasm_buf;			/* max_msg bytes */
};

/* ep_main.c */
extern const struct file_operations m4rpc_ep_fops;
struct ep_msg *m4rpc_ep_msg_alloc(size_t size, gfp_t gfp);

/* ep_window.c */
void m4rpc_ep_window_call(struct m4rpc_ep *ep, struct ep_call *call,
			  const u8 *name, size_t len);
bool m4rpc_ep_window_admits(struct m4rpc_ep *ep, const struct ep_call *call);
void m4rpc_ep_window_take(struct m4rpc_ep *ep, struct ep_call *call);
void m4rpc_ep_window_release(struct m4rpc_ep *ep, struct ep_call *call);
void m4rpc_ep_window_learn(struct m4rpc_ep *ep, const struct ep_call *call,
			   u32 len);

/* ep_session.c */
void m4rpc_ep_session_init(struct ep_session *sess, struct m4rpc_ep *ep);
int m4rpc_ep_write_check(struct m4rpc_ep *ep, struct ep_session *sess,
			 const struct m4rpc_mp_rpc_env *env,
			 struct ep_m4call **m4call);
int m4rpc_ep_write_commit(struct m4rpc_ep *ep, struct ep_session *sess,
			  struct ep_msg *msg,
			  const struct m4rpc_mp_rpc_env *env,
			  struct ep_call *call, struct ep_m4call *m4call);
int m4rpc_ep_open(struct inode *inode, struct file *file);
int m4rpc_ep_release(struct inode *inode, struct file *file);
ssize_t m4rpc_ep_read(struct file *file, char __user *buf, size_t count,
		      loff_t *ppos);
ssize_t m4rpc_ep_write(struct file *file, const char __user *buf, size_t count,
		       loff_t *ppos);
__poll_t m4rpc_ep_poll(struct file *file, struct poll_table_struct *wait);
void m4rpc_ep_wake_all(struct m4rpc_ep *ep);
bool m4rpc_ep_deliver(struct m4rpc_ep *ep, struct ep_session *sess,
		      struct ep_msg *msg);
void m4rpc_ep_session_lost(struct m4rpc_ep *ep, struct ep_session *sess);

/* ep_tx.c */
bool m4rpc_ep_tx_admit(struct m4rpc_ep *ep, struct ep_session *sess);
bool m4rpc_ep_tx_admit_lockless(struct m4rpc_ep *ep, struct ep_session *sess);
void m4rpc_ep_tx_queue(struct m4rpc_ep *ep, struct ep_session *sess,
		       struct ep_msg *msg);
void m4rpc_ep_tx_kernel_error(struct m4rpc_ep *ep, u32 m4_msgid, const char *prefix,
			      const u8 *name, size_t name_len);
void m4rpc_ep_tx_purge_session(struct m4rpc_ep *ep, struct ep_session *sess);
void m4rpc_ep_tx_purge(struct m4rpc_ep *ep);
int m4rpc_ep_tx_pull(void *priv, u8 *buf, size_t room);
void m4rpc_ep_wire_done(struct m4rpc_ep *ep, struct ep_call *call);
void m4rpc_ep_wire_timer(struct timer_list *t);

/* ep_route.c */
void m4rpc_ep_route_msg(struct m4rpc_ep *ep, const u8 *data, size_t len);
struct ep_binding *m4rpc_ep_binding_find(struct m4rpc_ep *ep, const u8 *name,
					 size_t len);
void m4rpc_ep_session_unbind_all(struct m4rpc_ep *ep, struct ep_session *sess);
void m4rpc_ep_session_drop_calls(struct m4rpc_ep *ep, struct ep_session *sess);
void m4rpc_ep_m4_stopped(struct m4rpc_ep *ep);
void m4rpc_ep_route_damaged(struct m4rpc_ep *ep, const u8 *data, size_t len,
			    bool cut);

/* ep_kclient.c */
void m4rpc_ep_kclients_down(struct m4rpc_ep *ep);

/* ep_rx.c */
extern const struct m4rpc_link_ops m4rpc_ep_link_ops;
void m4rpc_ep_raw_deliver(struct m4rpc_ep *ep, const u8 *data, size_t len);

/* m4rpc_ep_ioctl.c */
long m4rpc_ep_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* Error texts of the kernel's own responses to the M4 (uapi m4rpc.h). */
#define EP_ERR_UNBOUND	"m4rpc: no Linux process bound "
#define EP_ERR_BUSY	"m4rpc: Linux process busy: "
#define EP_ERR_CLOSED	"m4rpc: Linux process closed: "
#define EP_ERR_STOPPED	"m4rpc: the M4 stopped running RPC"
#define EP_ERR_DAMAGED	"m4rpc: the reply was lost on the link (the H7 dropped bytes)"

#endif /* M4RPC_EP_H */
