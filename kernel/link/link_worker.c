// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: one kthread per link that does every transfer (so it owns
 * the SPI bus and the frame buffers) and runs the state machine of
 * link_priv.h, one mode each:
 *
 * level    ANNOUNCE armed, line believed high ("idle"):
 *            fired              arm PROCESSED, clock with UI allowed -> busy
 *            something to send  doorbell (no UI): PROCESSED armed before it
 *                               when it is a rising edge, after it otherwise;
 *                               read a frame -> busy, else stay (the reply's
 *                               announcement will fire)
 *            BOOT_M4 reply late see link_boot_check(): asked again if the
 *                               H7 sent frames since (it dropped the
 *                               reply), else ack timeout and resync (the
 *                               line is high: an H7 reset does this)
 *          PROCESSED armed ("busy", our frame may be unprocessed):
 *            fired              arm ANNOUNCE -> idle
 *            ack_timeout_ms     only if that frame carried no UI data:
 *                               arm ANNOUNCE (overwriting a request frame
 *                               loses no data), ack timeout
 * edge     edges counted into credit:
 *            credit > 0         take one, clock with UI allowed
 *            loaded frame, no edge for ack_timeout_ms
 *                               recover: clock anyway, as if announced (UI
 *                               allowed while the H7 was answering, or a
 *                               lost edge for good would starve UI
 *                               traffic); a frame read was a missed edge,
 *                               an empty one an ack timeout (resync)
 *            something to send, no loaded frame, no BOOT_M4 reply due
 *                               doorbell; a frame read owes its edge
 *                               (credit - 1): swallow the next one
 *            BOOT_M4 reply late as in level mode
 * poll     a transfer every poll_ms, and at once when there is something
 *          to send and no BOOT_M4 reply is awaited; UI only then; a late
 *          reply as in level mode.
 *
 * A doorbell carries the H7 requests and BOOT_M4, never UI data (rule 2 of
 * link_priv.h); the UI data goes in the announced transfer that reads the
 * reply.
 *
 * Doorbells wait for their answer (or its timeout) before the next one.
 * Unanswered ones back off (ack_timeout_ms doubling up to 60 s) until the
 * H7 answers again or a refresh is asked for. Otherwise a doorbell goes at
 * once: it may race with a swap of the H7 (that is why it never carries UI
 * data), and each mode handles that race (level: PROCESSED armed before it
 * on a rising edge, see link_level_settle() for a level-high trigger;
 * edge: the edge it owes). An earlier version waited 5 ms after every
 * exchange to make that race rarer, which cost a serial caller up to 8 ms
 * per call for nothing.
 *
 * The worker runs at the SPI core's real-time priority (sched_set_fifo(),
 * as the SPI message pump does): how soon it reacts to nIRQ decides how
 * soon the H7 can move on, and whether its outgoing frame has room.
 *
 * Stopping (remove): the worker first lets a frame of ours in flight be
 * processed (level: PROCESSED; edge: the next edge), for at most
 * LINK_STOP_MS, sending nothing new, so that a driver bound next does not
 * overwrite it.
 *
 * Every sleep is interruptible (a kthread gets no signal; the waits end on
 * events, timeouts and the stop request).
 */
#include <linux/hrtimer.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

unsigned long m4rpc_link_ack_jiffies(void)
{
	unsigned int ms = READ_ONCE(m4rpc_param_ack_timeout_ms);

	return msecs_to_jiffies(ms);
}

static unsigned long link_poll_jiffies(void)
{
	unsigned int ms = READ_ONCE(m4rpc_param_poll_ms);

	return msecs_to_jiffies(ms);
}

/* Something to send: UI messages or H7 requests. */
static bool link_want(struct m4rpc_link *link)
{
	if (link->ws.stopping)
		return false;
	return test_bit(LINK_EV_KICK, &link->events) ||
	       READ_ONCE(link->req_pending);
}

/* Doorbells wait only while the H7 does not answer (the backoff). */
static unsigned long link_doorbell_at(struct m4rpc_link *link)
{
	return link->ws.next_doorbell;
}

static bool link_doorbell_due(struct m4rpc_link *link)
{
	return time_after_eq(jiffies, link_doorbell_at(link));
}

/*
 * An answer did not come: count it, ask the H7 for everything again, and
 * back off while it stays silent (the first retry is at once).
 */
static void link_ack_timeout(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	unsigned long delay = 0;

	link_stat_inc(link, LINK_STAT_ack_timeouts);
	ws->boot_wait = false;
	if (ws->backoff) {
		delay = m4rpc_link_ack_jiffies() << min(ws->backoff - 1, 10U);
		delay = min(delay, msecs_to_jiffies(LINK_BACKOFF_MAX_MS));
	}
	ws->next_doorbell = jiffies + delay;
	if (ws->backoff < 16)
		ws->backoff++;
	m4rpc_link_h7_resync(link, "the H7 did not answer");
}

/*
 * The BOOT_M4 reply of our last loaded frame is late. If the H7 sent valid
 * frames since, it is alive and dropped the reply (no room in its frame,
 * or the off-by-four cut it): ask again. Otherwise it did not answer at
 * all. Not while the H7 may still be processing that frame (level: busy;
 * edge: no edge yet), which has deadlines of its own.
 */
/*
 * When the BOOT_M4 reply of our last loaded frame counts as missing. The
 * H7 queues it while it processes our frame and swaps in the same pass:
 * level and edge mode read that frame first, once the processing was seen.
 * A valid frame without the reply means it was dropped for room (the
 * pass's chunk came first): missing now, not at the deadline, as no
 * doorbell goes while a reply is due. Poll mode cannot tell.
 */
static unsigned long link_boot_due(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (ws->boot_frames && !ws->boot_renew && link->mode != LINK_NIRQ_POLL)
		return jiffies;
	return ws->boot_deadline;
}

static void link_boot_check(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (!ws->boot_wait || time_before(jiffies, link_boot_due(link)))
		return;
	if (!ws->boot_frames) {
		link_ack_timeout(link);
		return;
	}
	link_stat_inc(link, LINK_STAT_replies_lost);
	ws->boot_wait = false;
	m4rpc_link_h7_request(link, ws->outstanding | BIT(LINK_REQ_BOOT));
	ws->outstanding = 0;
}

/* ---- level mode ------------------------------------------------------- */

/* After a transfer: busy if it consumed an announcement. */
static void link_level_after(struct m4rpc_link *link, struct link_io *io)
{
	struct link_ws *ws = &link->ws;

	if (io->consumed) {
		/* The line stays low until the H7 has processed our frame. */
		ws->busy = true;
		ws->busy_ui = io->ui;
		ws->busy_logged = false;
		ws->busy_since = jiffies;
		if (!ws->armed_processed)
			m4rpc_link_irq_arm_level(link, true);
	} else {
		/* The line was high: the next low is an announcement. */
		ws->busy = false;
		if (ws->armed_processed)
			m4rpc_link_irq_arm_level(link, false);
	}
}

/*
 * A level-high PROCESSED is armed only after a doorbell (a high level would
 * fire at once), so a doorbell that races with the H7's swap can miss the
 * pulse of its processing and wait ack_timeout_ms. The swap follows the
 * H7's processing within the same pass of its loop: with such a trigger,
 * a doorbell right after PROCESSED first lets LINK_SETTLE_US pass (an
 * interruptible hrtimer sleep, nothing when the link was idle). Returns
 * false when the H7 announced a frame meanwhile: no doorbell is needed.
 */
static bool link_level_settle(struct m4rpc_link *link)
{
	ktime_t until = ktime_add_us(link->ws.processed_at, LINK_SETTLE_US);

	if (link->irq_type_processed != IRQ_TYPE_LEVEL_HIGH ||
	    ktime_after(ktime_get(), until))
		return true;
	set_current_state(TASK_INTERRUPTIBLE);
	schedule_hrtimeout_range(&until, LINK_SETTLE_US * NSEC_PER_USEC / 4,
				 HRTIMER_MODE_ABS);
	return !test_bit(LINK_EV_FIRED, &link->events);
}

static void link_level_doorbell(struct m4rpc_link *link)
{
	struct link_io io;

	if (!link_level_settle(link))
		return;

	link_stat_inc(link, LINK_STAT_doorbells);
	/*
	 * A rising edge can be armed before the transfer: if the line is
	 * high it waits, if a swap makes it low it catches the processing.
	 * A high level would fire at once; it is armed after, which leaves
	 * a window (see the busy timeout).
	 */
	if (link->irq_type_processed == IRQ_TYPE_EDGE_RISING)
		m4rpc_link_irq_arm_level(link, true);
	m4rpc_link_io_transfer(link, false, true, &io);
	link_level_after(link, &io);
}

static void link_level_step(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	struct link_io io;

	if (test_and_clear_bit(LINK_EV_FIRED, &link->events)) {
		if (ws->armed_processed) {
			ws->busy = false;
			ws->processed_at = ktime_get();
			/* Processed: the reply's clock starts now (once). */
			if (ws->boot_renew) {
				ws->boot_renew = false;
				ws->boot_deadline = jiffies + m4rpc_link_ack_jiffies();
			}
			m4rpc_link_irq_arm_level(link, false);
			return;
		}
		if (ws->stopping)
			return;
		/* A re-request rides in this transfer. */
		link_boot_check(link);
		/* An announcement: catch the processing of what we send. */
		m4rpc_link_irq_arm_level(link, true);
		m4rpc_link_io_transfer(link, true, false, &io);
		link_level_after(link, &io);
		return;
	}
	if (ws->busy) {
		if (ws->stopping ||
		    time_before(jiffies, ws->busy_since + m4rpc_link_ack_jiffies()))
			return;
		if (!ws->busy_ui) {
			ws->busy = false;
			m4rpc_link_irq_arm_level(link, false);
			link_ack_timeout(link);
		} else if (!ws->busy_logged) {
			ws->busy_logged = true;
			dev_info(link->dev,
				 "the H7 has not processed our frame for %u ms (slow M4?); waiting\n",
				 jiffies_to_msecs(jiffies - ws->busy_since));
		}
		return;
	}
	if (ws->stopping)
		return;
	link_boot_check(link);
	if (!ws->boot_wait && link_want(link) && link_doorbell_due(link))
		link_level_doorbell(link);
}

static bool link_level_ready(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	return test_bit(LINK_EV_FIRED, &link->events) ||
	       (!ws->busy && !ws->boot_wait && link_want(link) &&
		link_doorbell_due(link));
}

/* Jiffies until the level step has something to do without an event. */
static long link_level_timeout(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (ws->busy) {
		if (ws->busy_ui && ws->busy_logged)
			return MAX_SCHEDULE_TIMEOUT;
		return (long)(ws->busy_since + m4rpc_link_ack_jiffies() - jiffies);
	}
	if (ws->boot_wait)
		return (long)(link_boot_due(link) - jiffies);
	if (link_want(link))
		return (long)(link_doorbell_at(link) - jiffies);
	return MAX_SCHEDULE_TIMEOUT;
}

/* ---- edge mode -------------------------------------------------------- */

static void link_edge_after(struct m4rpc_link *link, struct link_io *io)
{
	struct link_ws *ws = &link->ws;

	ws->loaded = io->loaded;
	if (io->loaded)
		ws->loaded_deadline = jiffies + m4rpc_link_ack_jiffies();
}

/*
 * No edge came after a loaded frame. Clock as if the line were low with a
 * frame waiting (a missed edge); see link_priv.h for what that costs when
 * the H7 was merely slower than ack_timeout_ms.
 */
static void link_edge_recover(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	bool probe = ws->probing;
	struct link_io io;

	ws->credit = 0;
	m4rpc_link_io_transfer(link, ws->synced, false, &io);
	if (io.consumed)
		link_stat_inc(link, LINK_STAT_missed_edges);
	else if (!probe)
		link_ack_timeout(link);	/* nothing there: the H7 lost it */
	link_edge_after(link, &io);
	/*
	 * A frame nobody announced: the edge of the one after it may be
	 * missing too (an echo reply follows the BOOT_M4 reply in the next
	 * frame), so look again after ack_timeout_ms unless an edge comes;
	 * finding nothing then is no timeout.
	 */
	ws->probing = io.consumed && !io.loaded;
	if (ws->probing) {
		ws->loaded = true;
		ws->loaded_deadline = jiffies + m4rpc_link_ack_jiffies();
	}
}

static void link_edge_step(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	struct link_io io;

	ws->credit += atomic_xchg(&link->edges, 0);
	if (ws->credit > 0) {
		ws->credit--;
		ws->probing = false;
		if (!ws->loaded) {
			/* A re-request rides in this transfer. */
			link_boot_check(link);
		} else if (ws->boot_renew) {
			/* Processed: the reply's clock starts now (once). */
			ws->boot_renew = false;
			ws->boot_deadline = jiffies + m4rpc_link_ack_jiffies();
		}
		m4rpc_link_io_transfer(link, true, false, &io);
		link_edge_after(link, &io);
		return;
	}
	if (ws->stopping)
		return;
	if (ws->loaded) {
		if (time_after_eq(jiffies, ws->loaded_deadline) &&
		    link_doorbell_due(link))
			link_edge_recover(link);
		return;
	}
	link_boot_check(link);
	if (ws->boot_wait || !link_want(link) || !link_doorbell_due(link))
		return;
	link_stat_inc(link, LINK_STAT_doorbells);
	m4rpc_link_io_transfer(link, false, true, &io);
	if (io.consumed)
		ws->credit--;	/* that frame's edge is owed: swallow it */
	link_edge_after(link, &io);
}

static bool link_edge_ready(struct m4rpc_link *link)
{
	return atomic_read(&link->edges) ||
	       (!link->ws.loaded && !link->ws.boot_wait && link_want(link) &&
		link_doorbell_due(link));
}

static long link_edge_timeout(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (ws->loaded)
		return max((long)(ws->loaded_deadline - jiffies),
			   (long)(ws->next_doorbell - jiffies));
	if (ws->boot_wait)
		return (long)(link_boot_due(link) - jiffies);
	if (link_want(link))
		return (long)(link_doorbell_at(link) - jiffies);
	return MAX_SCHEDULE_TIMEOUT;
}

/* ---- poll mode -------------------------------------------------------- */

static void link_poll_step(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	struct link_io io;

	link_boot_check(link);
	if (time_before(jiffies, ws->next_poll) &&
	    (ws->boot_wait || !link_want(link)))
		return;
	m4rpc_link_io_transfer(link, !ws->boot_wait, false, &io);
	ws->next_poll = jiffies + link_poll_jiffies();
}

static bool link_poll_ready(struct m4rpc_link *link)
{
	return !link->ws.boot_wait && link_want(link);
}

static long link_poll_timeout(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;
	long t = (long)(ws->next_poll - jiffies);

	if (ws->boot_wait)
		t = min(t, (long)(link_boot_due(link) - jiffies));
	return t;
}

/* ---- the thread --------------------------------------------------------- */

static bool link_ready(struct m4rpc_link *link)
{
	if ((test_bit(LINK_EV_STOP, &link->events) && !link->ws.stopping) ||
	    test_bit(LINK_EV_REFRESH, &link->events))
		return true;
	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		return link_level_ready(link);
	case LINK_NIRQ_EDGE:
		return link_edge_ready(link);
	default:
		return link_poll_ready(link);
	}
}

/* Something to do, or the timeout to compute again (@want changed). */
static bool link_woken(struct m4rpc_link *link, bool want)
{
	return link_ready(link) || link_want(link) != want;
}

/*
 * The H7 has announced nothing since the last frame with UI data, for
 * LINK_IDLE_JIFFIES: its ring is empty. Level mode: no frame of ours is
 * waiting and the line is high; edge mode: no edge; poll mode, which
 * cannot see the line: a transfer read an empty frame since.
 */
static bool link_line_quiet(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		return !ws->busy && !test_bit(LINK_EV_FIRED, &link->events);
	case LINK_NIRQ_EDGE:
		return !ws->loaded && ws->credit <= 0 &&
		       !atomic_read(&link->edges);
	default:
		return ws->read_empty;
	}
}

static void link_idle_check(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (!ws->idle_pending || time_before(jiffies, ws->idle_at) ||
	    !link_line_quiet(link))
		return;
	ws->idle_pending = false;
	m4rpc_link_client_mark(link, false, true);
}

static long link_timeout(struct m4rpc_link *link)
{
	long t;

	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		t = link_level_timeout(link);
		break;
	case LINK_NIRQ_EDGE:
		t = link_edge_timeout(link);
		break;
	default:
		t = link_poll_timeout(link);
		break;
	}
	/* Only while quiet: what ends the noise wakes the worker anyway. */
	if (link->ws.idle_pending && link_line_quiet(link))
		t = min(t, (long)(link->ws.idle_at - jiffies));
	/* Already due: look again at once (but sleep, never spin). */
	return t > 0 ? t : 1;
}

static void link_step(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (test_and_clear_bit(LINK_EV_REFRESH, &link->events)) {
		ws->backoff = 0;
		ws->next_doorbell = jiffies;
	}
	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		link_level_step(link);
		break;
	case LINK_NIRQ_EDGE:
		link_edge_step(link);
		break;
	default:
		link_poll_step(link);
		break;
	}
	link_idle_check(link);
}

/* Nothing of ours is waiting to be processed. */
static bool link_quiescent(struct m4rpc_link *link)
{
	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		return !link->ws.busy;
	case LINK_NIRQ_EDGE:
		return !link->ws.loaded;
	default:
		return true;
	}
}

static int link_worker_fn(void *data)
{
	struct m4rpc_link *link = data;
	struct link_ws *ws = &link->ws;
	unsigned long stop_by = 0;
	bool want;
	long t;

	ws->next_doorbell = jiffies;
	ws->next_poll = jiffies;
	ws->boot_sent_at = jiffies - LINK_STATE_FRESH_JIFFIES;
	m4rpc_link_irq_start(link);
	for (;;) {
		if (test_bit(LINK_EV_STOP, &link->events)) {
			if (!ws->stopping) {
				ws->stopping = true;
				stop_by = jiffies + msecs_to_jiffies(LINK_STOP_MS);
			}
			if (link_quiescent(link) ||
			    time_after_eq(jiffies, stop_by))
				break;
		}
		/*
		 * The timeout depends on whether there is something to send:
		 * when that changes (a kick), wake up to compute it again.
		 */
		want = link_want(link);
		t = link_ready(link) ? 0 : link_timeout(link);
		if (ws->stopping && t)
			t = clamp_t(long, (long)(stop_by - jiffies), 1, t);
		if (t)
			wait_event_interruptible_timeout(link->wq,
							 link_woken(link, want),
							 t);
		link_step(link);
	}
	complete(&link->drained);

	/* kthread_stop() follows: a kthread must not return before it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

int m4rpc_link_worker_start(struct m4rpc_link *link)
{
	struct task_struct *t;

	init_completion(&link->drained);
	t = kthread_create(link_worker_fn, link, "m4rpc/%s",
			   dev_name(link->dev));
	if (IS_ERR(t))
		return PTR_ERR(t);
	sched_set_fifo(t);
	link->worker = t;
	wake_up_process(t);
	return 0;
}

/*
 * Our own stop request first, and kthread_stop() only once the worker has
 * drained: kthread_stop() makes every interruptible wait of the thread
 * return at once (TIF_NOTIFY_SIGNAL), which the drain cannot work with.
 * The drain is bounded (LINK_STOP_MS).
 */
void m4rpc_link_worker_stop(struct m4rpc_link *link)
{
	if (!link->worker)
		return;
	set_bit(LINK_EV_STOP, &link->events);
	wake_up(&link->wq);
	wait_for_completion(&link->drained);
	kthread_stop(link->worker);
	link->worker = NULL;
}
