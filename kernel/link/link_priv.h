/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m4rpc link internals, shared by the files of kernel/link/ and nothing else.
 *
 *   link_main.c     a link's life: create, start, unplug, destroy
 *   link_params.c   the module parameters of the link
 *   link_irq.c      nIRQ: the mode (level, edge, poll), handlers, arming
 *   link_io.c       one transfer: build the frame, clock it, parse the answer
 *   link_worker.c   the worker that owns the bus, and its state machine
 *   link_h7.c       H7 services (FW_VERSION, GET_UID, BOOT_M4), M4 state,
 *                   resynchronisation
 *   link_sysfs.c    the "m4rpc" attribute group: H7 info and counters
 *   link_client.c   the client API of link.h
 *
 * How the link never overruns the H7 (docs/x8h7-link.md, "Who clocks when")
 * -------------------------------------------------------------------------
 * A frame we send is lost if we clock again before the H7 has processed it;
 * the H7 says it has only by letting nIRQ go high, and it can pull nIRQ low
 * again (swap) only when it is high. So:
 *
 *  1. A frame that carries subframes ("loaded") ends with a BOOT_M4
 *     request. After processing it the H7 always has a reply to announce,
 *     so nIRQ goes high (processed) and low again (announced): the link
 *     always learns that the frame was processed, and the reply is the
 *     acknowledgment (and refreshes the M4 state). One exception, in
 *     level mode only, where PROCESSED alone is the sign, a frame goes
 *     without it ("unacked") when a UI message too long to leave room for
 *     the request (245..248 bytes) goes first in it, and when it carries
 *     UI data alone, the client has no more queued, and a BOOT_M4
 *     request went less than LINK_STATE_FRESH_JIFFIES ago: its reply
 *     would only make the H7 announce one more frame to read, a transfer
 *     per call.
 *  2. UI data only goes out in a transfer that reads an announced frame
 *     (nIRQ was low when nCS fell): the H7 cannot swap before it has
 *     processed what we sent, so the next announcement proves it. A
 *     transfer of our own initiative ("doorbell", nIRQ believed high)
 *     carries only H7 requests and BOOT_M4: if the real firmware took a
 *     frame that arrives between its processing step and its swap step as
 *     unprocessed and swapped anyway, we would overwrite a doorbell, never
 *     UI data. (The emulator processes such a frame before the swap.)
 *  3. One loaded frame at a time: we clock again only after the sign that
 *     it was processed.
 *
 * The sign depends on what the interrupt controller can do:
 *
 *  - level mode (nIRQ configured level-low, as in the X8's device tree, and
 *    the controller can also trigger on a rising edge or a high level, as
 *    the i.MX8M GPIO can): the trigger is switched at run time between
 *    ANNOUNCE (level low: "the H7 has a frame") and PROCESSED (rising edge,
 *    else level high: "the H7 processed our frame"). PROCESSED is armed
 *    *before* the transfer that consumes an announcement, while the line is
 *    low, so the high pulse after processing (a few microseconds when the
 *    H7 has the BOOT_M4 reply queued) is caught however short it is; then
 *    ANNOUNCE, a level, cannot be missed. Falling edges are never used, so
 *    a lost falling edge does not matter, and no timeout ever makes the
 *    link clock while a frame with UI data may be unprocessed (a wait of
 *    more than ack_timeout_ms is logged once: a slow M4). A level-high
 *    PROCESSED trigger must be latched by the controller to see a short
 *    pulse (a missed one would stall the link there); the rising edge is
 *    preferred. A doorbell (line high) arms a level-high PROCESSED only
 *    after it, as a high level would fire at once: if its read raced with
 *    a swap and the H7 processed it at once, the pulse can be missed; such
 *    a wait (no UI data in the frame) ends after ack_timeout_ms.
 *  - edge mode (falling edge only, as the stock driver uses it): every
 *    edge is counted. A transfer that consumes an announcement takes one
 *    edge; a doorbell that reads a non-empty frame raced with a swap, so
 *    that frame's edge is owed and the next edge is swallowed. After a
 *    loaded frame the next falling edge means "processed and announced".
 *    A missed edge leaves the line low forever: when no edge comes within
 *    ack_timeout_ms the link clocks anyway, as if announced. Trade-off: if
 *    the H7 is still processing the loaded frame then (an M4 slower than
 *    ack_timeout_ms), that frame may be lost. Only an edge-only controller
 *    has this window; the level path has none.
 *  - poll mode (no interrupt): a transfer every poll_ms, and whenever
 *    there is something to send. The link cannot know when the H7 has
 *    processed a frame: a frame the H7 takes longer than poll_ms to
 *    process is overwritten. UI data waits for the previous loaded frame's
 *    BOOT_M4 reply.
 *
 * Idle means idle: with nothing to send and nIRQ high, no transfer happens
 * (except in poll mode, which cannot see nIRQ).
 *
 * Locking, outermost first:
 *
 *   link->client_lock (mutex)  ->  the client's own locks  ->  link->lock
 *
 * client_lock is held around every client callback (by the worker, and
 * by remove for the last one) and by attach/detach; it protects link->ops
 * and link->client_priv. link->lock (spinlock) protects the H7 info
 * (fw_version, uid, m4_state), req_pending and the refresh counters; it is
 * innermost: nothing is called with it held. The irq handler takes no lock
 * (atomic bit operations and a wait queue). The worker calls the irq core
 * (disable/enable_irq, irq_set_irq_type) and spi_sync() with no lock of
 * ours held. link->ws belongs to the worker alone. Counters are atomic64_t.
 *
 * Lifetime: see link_main.c (probe and the teardown order of remove).
 */
#ifndef M4RPC_LINK_PRIV_H
#define M4RPC_LINK_PRIV_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include "x8h7_frame.h"
#include "link.h"

/* Module parameters (link_params.c). */
extern unsigned int m4rpc_param_ack_timeout_ms;
extern unsigned int m4rpc_param_poll_ms;

/* Defaults and bounds. */
#define LINK_SPEED_HZ_DEFAULT	20000000U	/* the X8's device tree */
#define LINK_REJECTS_RESYNC	4	/* frames rejected in a row: resync */
#define LINK_REQ_RETRIES	64	/* H7 replies dropped: asked again */
#define LINK_REQ_MISSES		3	/* ... not dropped: asked again */
/*
 * The longest FW_VERSION reply expected (the spec gives no bound; the
 * stock firmware's version strings are about 20 characters).
 */
#define LINK_FW_VERSION_LIKELY	64
#define LINK_BACKOFF_MAX_MS	60000U	/* retries of an unanswered H7 */
#define LINK_STOP_MS		1000U	/* remove waits this long at most */
/*
 * Level mode with a level-high PROCESSED: a doorbell right after PROCESSED
 * waits this long for the H7's swap of the same pass (link_worker.c).
 */
#define LINK_SETTLE_US		200
/*
 * The H7 runs a pass of its loop at least every millisecond and then moves
 * what its ring holds into a frame it announces: when a frame with UI data
 * was read and the line stayed quiet long after it, the ring was empty, and
 * the client hears that the stream is idle (ui_mark, drained). "Long"
 * is far more than a pass, for an H7 (or an emulator of it on a loaded
 * host) that is late; only a message that ends exactly with a whole chunk
 * after a possible hole waits for it.
 */
#define LINK_IDLE_JIFFIES	(msecs_to_jiffies(100) + 1)
/*
 * Level mode: frames of UI data alone carry no BOOT_M4 request while the
 * last one went less than this long ago (rule 1). The M4 state a caller
 * is checked against is then at most this old plus the reply's way.
 */
#define LINK_STATE_FRESH_JIFFIES	(msecs_to_jiffies(100) + 1)

enum link_nirq_mode {
	LINK_NIRQ_LEVEL,
	LINK_NIRQ_EDGE,
	LINK_NIRQ_POLL,
};

/* link->events: set by the irq handler and the API, taken by the worker. */
enum {
	LINK_EV_FIRED,		/* level mode: the armed condition happened */
	LINK_EV_KICK,		/* the client has UI messages */
	LINK_EV_REFRESH,	/* asked for H7 info: no backoff */
	LINK_EV_STOP,		/* remove: drain, then wait for kthread_stop */
};

/* link->irq_flags */
enum {
	LINK_IRQ_OFF,		/* disabled once by us (worker or handler) */
};

/* H7 requests (bits of link->req_pending and ws.outstanding). */
enum {
	LINK_REQ_FW,		/* FW_VERSION */
	LINK_REQ_UID,		/* GET_UID */
	LINK_REQ_BOOT,		/* BOOT_M4 (also sent with every loaded frame) */
};

#define LINK_REQ_INFO	(BIT(LINK_REQ_FW) | BIT(LINK_REQ_UID) | \
			 BIT(LINK_REQ_BOOT))

/*
 * Counters, one sysfs file each, named as below without LINK_STAT_
 * (link_sysfs.c lists them).
 */
enum link_stat {
	LINK_STAT_transfers,		/* SPI transfers (256 bytes each) */
	LINK_STAT_tx_frames,		/* frames sent carrying subframes */
	LINK_STAT_tx_bytes,		/* subframe bytes sent */
	LINK_STAT_rx_frames,		/* valid frames received, non-empty */
	LINK_STAT_rx_bytes,		/* subframe bytes received (carried) */
	LINK_STAT_tx_ui_msgs,		/* UI messages sent */
	LINK_STAT_tx_ui_bytes,		/* UI bytes sent */
	LINK_STAT_rx_ui_bytes,		/* UI bytes received and handed on */
	LINK_STAT_doorbells,		/* transfers without an announcement */
	LINK_STAT_acks,			/* BOOT_M4 replies received */
	LINK_STAT_ack_timeouts,		/* the H7 did not answer at all */
	LINK_STAT_replies_lost,		/* H7 replies missing, asked again */
	LINK_STAT_reject_csum,		/* rejected: checksum != size ^ 0x5555 */
	LINK_STAT_reject_size,		/* rejected: size > 256 */
	LINK_STAT_reject_subframe,	/* rejected: a subframe runs past size */
	LINK_STAT_truncated,		/* truncated last subframes (off-by-4) */
	LINK_STAT_truncated_ui,		/* ... of them UI data: stream holes */
	LINK_STAT_ui_lost,		/* UI losses reported to the client */
	LINK_STAT_hole_suspects,	/* frames after which a hole may be */
	LINK_STAT_resyncs,		/* resynchronisations */
	LINK_STAT_irqs,			/* interrupts */
	LINK_STAT_missed_edges,		/* recoveries finding a frame waiting */
	LINK_STAT_overflow_drops,	/* UI bytes dropped: no/full client */
	LINK_STAT_unknown_subframes,	/* peripherals not served, dropped */
	LINK_STAT_h7_bad_replies,	/* H7 replies: unknown opcode/length */
	LINK_STAT_h7_unanswered,	/* H7 requests that got no reply */
	LINK_STAT_spi_errors,		/* SPI transfers that failed */
	LINK_STAT_NR,
};

/* The worker's own state: only the worker touches it. */
struct link_ws {
	/* A frame of ours may be unprocessed and the line is low. */
	bool busy;
	bool busy_ui;		/* ... and that frame carried UI data */
	bool busy_logged;	/* "H7 slow" said for this frame */
	unsigned long busy_since;
	/* Edge mode: waiting for the edge after a loaded frame. */
	bool loaded;
	bool probing;		/* ... or after a frame found without one */
	unsigned long loaded_deadline;
	/* The BOOT_M4 reply of our last loaded frame is expected. */
	bool boot_wait;
	bool boot_renew;		/* level: restart the clock at PROCESSED */
	unsigned int boot_frames;	/* valid frames read since it was sent */
	unsigned long boot_deadline;
	unsigned long boot_sent_at;	/* the last BOOT_M4 request sent */
	/* Level mode: BOOT_M4 requests that anticipate a call (link_io.c). */
	unsigned int antic;
	bool ui_more;			/* the last frame read ended a full chunk */
	bool ui_drained;		/* ... ended a shorter one */
	/* Doorbells: not before next_doorbell (backoff when unanswered). */
	unsigned long next_doorbell;
	ktime_t processed_at;		/* level: the last PROCESSED */
	unsigned int backoff;
	/* remove: finish what is in flight, start nothing new */
	bool stopping;
	/* Edge mode: edges counted minus announcements consumed. */
	int credit;
	/* Level mode: PROCESSED is armed (else ANNOUNCE). */
	bool armed_processed;
	/* Poll mode: the next poll. */
	unsigned long next_poll;
	unsigned int rejects_in_row;
	/* The client has not heard yet that the stream went idle. */
	bool idle_pending;
	bool read_empty;		/* ... and a transfer read nothing since */
	unsigned long idle_at;
	unsigned long outstanding;	/* H7 requests sent, not answered */
	unsigned int req_retries;	/* ... asked again in a row */
	unsigned long sent_seq;		/* refresh_req of the FW request sent */
	unsigned long out_seq;		/* ... and of the one outstanding */
	bool synced;			/* the H7 answered since the last resync */
	bool resync_logged;
	/* The 53df799 probe (link_h7.c): the frame of the last H7 reply. */
	u64 clip_frame;			/* its rx_frames count */
	unsigned int clip_replies;	/* H7 replies in it */
	bool clip_first_alone;		/* its first left later ones unanswered */
	unsigned int clip_alone;	/* such frames in a row */
};

struct m4rpc_link {
	struct spi_device *spi;
	struct device *dev;
	struct kref ref;
	void *owner;			/* m4rpc_link_owner() */

	/* nIRQ (link_irq.c) */
	enum link_nirq_mode mode;
	int irq;			/* > 0 in level and edge modes */
	u32 irq_type_orig;		/* restored at remove */
	u32 irq_type_processed;		/* level mode: EDGE_RISING or LEVEL_HIGH */
	bool irq_requested;
	unsigned long irq_flags;	/* LINK_IRQ_* */
	atomic_t edges;			/* edge mode: edges not yet taken */

	/* the worker (link_worker.c) and its transfer (link_io.c) */
	struct task_struct *worker;
	struct completion drained;	/* the worker has stopped working */
	wait_queue_head_t wq;		/* the worker waits here */
	unsigned long events;		/* LINK_EV_* */
	unsigned long req_pending;	/* LINK_REQ_* to send, under lock */
	struct link_ws ws;
	u8 *tx_buf;			/* X8H7_FRAME_LEN, DMA-safe */
	u8 *rx_buf;
	struct spi_transfer xfer;
	struct spi_message msg;
	u8 ui_scratch[M4RPC_LINK_UI_MAX];

	/* H7 info and req_pending, under lock (link_h7.c) */
	spinlock_t lock;
	bool have_fw, have_uid;
	char fw_version[X8H7_SUB_DATA_MAX + 1];
	u8 uid[X8H7_UID_LEN];
	int m4_state;			/* M4RPC_M4_*, UNKNOWN until known */
	bool fw_clips;			/* the firmware is 53df799's (link_h7.c) */
	unsigned long refresh_req;	/* refreshes asked for */
	unsigned long refresh_done;	/* ... and answered */
	wait_queue_head_t info_wq;	/* refresh waits for its answers */
	bool dying;			/* remove has begun */

	/* the client (link_client.c) */
	struct mutex client_lock;
	const struct m4rpc_link_ops *ops;
	void *client_priv;

	atomic64_t stats[LINK_STAT_NR];
};

static inline void link_stat_add(struct m4rpc_link *link,
				 enum link_stat s, u64 n)
{
	atomic64_add(n, &link->stats[s]);
}

static inline void link_stat_inc(struct m4rpc_link *link, enum link_stat s)
{
	atomic64_inc(&link->stats[s]);
}

/* link_irq.c */
int m4rpc_link_irq_setup(struct m4rpc_link *link);
void m4rpc_link_irq_teardown(struct m4rpc_link *link);
void m4rpc_link_irq_start(struct m4rpc_link *link);
void m4rpc_link_irq_arm_level(struct m4rpc_link *link, bool processed);
void m4rpc_link_irq_off(struct m4rpc_link *link);
void m4rpc_link_irq_on(struct m4rpc_link *link);
const char *m4rpc_link_mode_name(struct m4rpc_link *link);

/* link_io.c: one transfer and what it found. */
struct link_io {
	bool loaded;		/* we sent subframes */
	bool acked;		/* ... and a BOOT_M4 request with them */
	bool ui;		/* ... among them UI data */
	bool antic;		/* ... or a BOOT_M4 that anticipates a call */
	bool consumed;		/* we read a non-empty (or rejected) frame */
};

int m4rpc_link_io_init(struct m4rpc_link *link);
void m4rpc_link_io_free(struct m4rpc_link *link);
void m4rpc_link_io_transfer(struct m4rpc_link *link, bool allow_ui,
			    bool force_boot, struct link_io *io);

/* link_worker.c */
unsigned long m4rpc_link_ack_jiffies(void);
int m4rpc_link_worker_start(struct m4rpc_link *link);
void m4rpc_link_worker_stop(struct m4rpc_link *link);

/* link_h7.c: called by the worker. */
void m4rpc_link_h7_reply(struct m4rpc_link *link, const struct x8h7_subframe *sf);
void m4rpc_link_h7_resync(struct m4rpc_link *link, const char *why);
void m4rpc_link_h7_request(struct m4rpc_link *link, unsigned long reqs);
int m4rpc_link_h7_refresh(struct m4rpc_link *link);

/* link_client.c: callbacks, from the worker only. */
int m4rpc_link_client_pull(struct m4rpc_link *link, u8 *buf, size_t room);
void m4rpc_link_client_rx(struct m4rpc_link *link, const u8 *data, size_t len);
void m4rpc_link_client_lost(struct m4rpc_link *link);
void m4rpc_link_client_mark(struct m4rpc_link *link, bool hole,
			    bool drained);
void m4rpc_link_client_event(struct m4rpc_link *link, enum m4rpc_link_event ev);
void m4rpc_link_client_down(struct m4rpc_link *link);

/* link_sysfs.c */
extern const struct attribute_group m4rpc_link_sysfs_group;
void m4rpc_link_sysfs_notify_m4(struct m4rpc_link *link);

#endif /* M4RPC_LINK_PRIV_H */
