// SPDX-License-Identifier: GPL-2.0
/*
 * One transfer: build the frame we send, clock the 256 bytes, and take the
 * frame we received apart. Called only by the worker, which owns the bus
 * and the buffers; what to send and when is the worker's decision
 * (link_worker.c), what the frames mean is here.
 *
 * Sending: pending H7 requests first, then (when the worker allows it) as
 * many whole UI messages as the client gives and the frame holds, then a
 * BOOT_M4 request whenever the frame carries anything (link_priv.h, rule
 * 1), unless in level mode a long first message took its room or the frame
 * is UI data alone and the M4 state fresh. The codec refuses anything past
 * 252 bytes.
 *
 * Receiving: nothing from the wire is used before x8h7_parse_begin() in
 * strict mode has validated the whole frame (checksum, size <= 256, every
 * subframe inside size). A rejected frame is dropped whole and counted by
 * class; as it may have carried UI bytes, the client hears of a loss.
 * Whole subframes are handed on in order; a truncated last one (the H7's
 * off-by-four) is counted, its carried bytes handed on and the loss of its
 * tail reported.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

int m4rpc_link_io_init(struct m4rpc_link *link)
{
	/* Separate kmalloc buffers: DMA-safe for any SPI controller. */
	link->tx_buf = kmalloc(X8H7_FRAME_LEN, GFP_KERNEL);
	link->rx_buf = kmalloc(X8H7_FRAME_LEN, GFP_KERNEL);
	if (!link->tx_buf || !link->rx_buf) {
		m4rpc_link_io_free(link);
		return -ENOMEM;
	}
	spi_message_init(&link->msg);
	link->xfer.tx_buf = link->tx_buf;
	link->xfer.rx_buf = link->rx_buf;
	link->xfer.len = X8H7_FRAME_LEN;
	link->xfer.speed_hz = link->spi->max_speed_hz;
	link->xfer.bits_per_word = 8;
	spi_message_add_tail(&link->xfer, &link->msg);
	return 0;
}

void m4rpc_link_io_free(struct m4rpc_link *link)
{
	kfree(link->tx_buf);
	kfree(link->rx_buf);
	link->tx_buf = NULL;
	link->rx_buf = NULL;
}

/*
 * Add whole UI messages while they fit, keeping room for BOOT_M4; in level
 * mode the first one may take that room too (link_priv.h, rule 1), and
 * then the frame is full and goes without it (*unacked).
 */
static bool link_io_add_ui(struct m4rpc_link *link, bool *unacked)
{
	int max = m4rpc_link_ui_max(link);
	u8 *f = link->tx_buf;
	bool any = false;
	int room, n;

	*unacked = false;
	if (!test_and_clear_bit(LINK_EV_KICK, &link->events))
		return false;
	for (;;) {
		room = X8H7_PAYLOAD_MAX - x8h7_frame_size(f) -
		       2 * X8H7_SUB_HDR_LEN;
		if (!any && link->mode == LINK_NIRQ_LEVEL)
			room += X8H7_SUB_HDR_LEN;
		room = min(room, max);
		if (room <= 0) {
			n = -EMSGSIZE;
		} else {
			n = m4rpc_link_client_pull(link, link->ui_scratch, room);
			/* A client that breaks the contract loses that message. */
			if (n > room)
				n = -EINVAL;
		}
		if (n <= 0)
			break;
		if (WARN_ON_ONCE(x8h7_frame_add(f, X8H7_PERIPH_UI, X8H7_UI_DATA,
						link->ui_scratch, n)))
			break;	/* room was checked */
		link_stat_inc(link, LINK_STAT_tx_ui_msgs);
		link_stat_add(link, LINK_STAT_tx_ui_bytes, n);
		any = true;
		if (!x8h7_frame_fits(f, 0)) {
			*unacked = true;
			break;
		}
	}
	/* Not emptied (full frame, or an error): pull again next time. */
	if (n)
		set_bit(LINK_EV_KICK, &link->events);
	return any;
}

/*
 * Whether a loaded frame needs the BOOT_M4 request (rule 1 of link_priv.h).
 * Edge and poll mode: always, its reply is their only sign of processing.
 * Level mode: PROCESSED is the sign, so a frame of UI data alone goes
 * without it while the M4 state is fresh; its reply would only make the H7
 * announce a frame of its own, one more transfer per call. H7 requests
 * always take it (rule 9: its reply closes them), and so does a frame
 * after which the client has more to send: UI data goes only in a
 * transfer that reads an announced frame (rule 2), and the reply is the
 * announcement; without it, a slow M4 that answers nothing leaves the line
 * high and every further frame would cost a doorbell first.
 */
static bool link_io_wants_ack(struct m4rpc_link *link, unsigned long reqs)
{
	if (link->mode != LINK_NIRQ_LEVEL || reqs ||
	    test_bit(LINK_EV_KICK, &link->events))
		return true;
	return time_after_eq(jiffies, link->ws.boot_sent_at +
					       LINK_STATE_FRESH_JIFFIES);
}

/*
 * Level mode: a transfer that reads an announced frame while the answer
 * to a frame of UI data is still to come, or right after a full 128-byte
 * chunk (the M4's output goes on), and carries no UI data itself, asks for
 * BOOT_M4 anyway (rule 1 of link_priv.h, "anticipation"). One of them
 * reads the answer, and the program that waited for it may send its next
 * call at once: the request's reply is an announcement that call can ride,
 * instead of a doorbell of its own, so calls back to back cost two
 * transfers each, not three. The answer comes in the first frame announced
 * after a frame of UI data alone, in the second after one that carried
 * BOOT_M4 too (its reply is announced first): that many (ws->antic), fewer
 * once a frame ending in a short UI chunk was read, so idle is still idle
 * after one more transfer, and neither a slow M4 nor a stream of short
 * notifications is polled.
 */
static bool link_io_anticipates(struct m4rpc_link *link, bool allow_ui,
				const struct link_io *io)
{
	return link->mode == LINK_NIRQ_LEVEL && allow_ui && !io->ui &&
	       (link->ws.antic || link->ws.ui_more);
}

/* After a transfer and its parse: the anticipations still due. */
static void link_io_antic_update(struct link_ws *ws, const struct link_io *io)
{
	if (io->ui)
		ws->antic = io->acked ? 2 : 1;
	else if (ws->ui_drained)
		ws->antic = 0;
	else if (io->antic && ws->antic)
		ws->antic--;
}

/* Fill tx_buf; returns the requests it carries. */
static unsigned long link_io_build(struct m4rpc_link *link, bool allow_ui,
				   bool force_boot, struct link_io *io)
{
	struct link_ws *ws = &link->ws;
	u8 *f = link->tx_buf;
	bool unacked = false;
	unsigned long reqs;

	/* Stopping: send nothing that asks for an answer. */
	if (ws->stopping) {
		x8h7_frame_init(f);
		return 0;
	}
	spin_lock(&link->lock);
	reqs = link->req_pending;
	link->req_pending = 0;
	if (reqs & BIT(LINK_REQ_FW))
		ws->sent_seq = link->refresh_req;
	spin_unlock(&link->lock);

	x8h7_frame_init(f);
	/* Requests carry no data; an empty frame has room for all three. */
	if (reqs & BIT(LINK_REQ_FW))
		x8h7_frame_add(f, X8H7_PERIPH_H7, X8H7_H7_FW_VERSION, NULL, 0);
	if (reqs & BIT(LINK_REQ_UID))
		x8h7_frame_add(f, X8H7_PERIPH_H7, X8H7_H7_GET_UID, NULL, 0);
	if (allow_ui)
		io->ui = link_io_add_ui(link, &unacked);
	if (unacked) {
		/* No room: a BOOT_M4 asked for waits for the next frame. */
		if (reqs & BIT(LINK_REQ_BOOT)) {
			reqs &= ~BIT(LINK_REQ_BOOT);
			spin_lock(&link->lock);
			link->req_pending |= BIT(LINK_REQ_BOOT);
			spin_unlock(&link->lock);
		}
	} else if (force_boot || (reqs & BIT(LINK_REQ_BOOT)) ||
		   (x8h7_frame_size(f) && link_io_wants_ack(link, reqs)) ||
		   link_io_anticipates(link, allow_ui, io)) {
		io->antic = !x8h7_frame_size(f) && !force_boot &&
			    !(reqs & BIT(LINK_REQ_BOOT));
		x8h7_frame_add(f, X8H7_PERIPH_H7, X8H7_H7_BOOT_M4, NULL, 0);
		reqs |= BIT(LINK_REQ_BOOT);
		io->acked = true;
	}
	io->loaded = x8h7_frame_size(f) != 0;
	return reqs;
}

static void link_io_reject(struct m4rpc_link *link, enum x8h7_reject r)
{
	static const enum link_stat stat[X8H7_REJECT_NR] = {
		[X8H7_REJECT_CSUM]	= LINK_STAT_reject_csum,
		[X8H7_REJECT_SIZE]	= LINK_STAT_reject_size,
		[X8H7_REJECT_SUBFRAME]	= LINK_STAT_reject_subframe,
	};

	if (r > X8H7_OK && r < X8H7_REJECT_NR)
		link_stat_inc(link, stat[r]);
	m4rpc_link_client_lost(link);
	if (++link->ws.rejects_in_row == LINK_REJECTS_RESYNC)
		m4rpc_link_h7_resync(link, "frames rejected in a row");
}

/*
 * What the frame says of the stream's next bytes (link.h, ui_mark):
 * the H7 takes a chunk of up to X8H7_UI_CHUNK_MAX bytes only when
 * size + chunk <= 252, and drops it silently otherwise.
 */
static void link_io_ui_end(struct m4rpc_link *link, unsigned int size,
			   unsigned int last)
{
	bool hole = size > X8H7_PAYLOAD_MAX - X8H7_UI_CHUNK_MAX;

	bool drained = last < X8H7_UI_CHUNK_MAX;

	if (hole)
		link_stat_inc(link, LINK_STAT_hole_suspects);
	m4rpc_link_client_mark(link, hole, drained);
	/* Not drained: the worker tells the client when the line is quiet. */
	link->ws.idle_pending = !drained;
	link->ws.ui_more = !drained;
	link->ws.ui_drained = drained;
	link->ws.read_empty = false;
	link->ws.idle_at = jiffies + LINK_IDLE_JIFFIES;
}

/* Take rx_buf apart; returns whether it held a frame (or garbage). */
static bool link_io_parse(struct m4rpc_link *link)
{
	struct x8h7_subframe sf;
	struct x8h7_parser p;
	enum x8h7_reject r;
	int ui_last = -1;	/* the last UI chunk's length */
	unsigned int at = 0;	/* subframe bytes before this one */

	r = x8h7_parse_begin(&p, link->rx_buf, X8H7_PARSE_STRICT);
	if (r != X8H7_OK) {
		link_io_reject(link, r);
		return true;
	}
	link->ws.rejects_in_row = 0;
	if (!p.size)
		return false;
	link->ws.boot_frames++;
	link_stat_inc(link, LINK_STAT_rx_frames);
	link_stat_add(link, LINK_STAT_rx_bytes, min_t(unsigned int, p.size,
						      X8H7_PAYLOAD_MAX));
	while (x8h7_parse_next(&p, &sf)) {
		if (sf.truncated)
			link_stat_inc(link, LINK_STAT_truncated);
		switch (sf.periph) {
		case X8H7_PERIPH_UI:
			/* A bigger chunk may have been dropped before it. */
			if (at > X8H7_PAYLOAD_MAX - X8H7_UI_CHUNK_MAX) {
				link_stat_inc(link, LINK_STAT_hole_suspects);
				m4rpc_link_client_mark(link, true, false);
			}
			if (sf.carried)
				m4rpc_link_client_rx(link, sf.data, sf.carried);
			if (sf.truncated) {
				link_stat_inc(link, LINK_STAT_truncated_ui);
				m4rpc_link_client_lost(link);
			}
			ui_last = sf.len;
			break;
		case X8H7_PERIPH_H7:
			/* Cut short, only the BOOT_M4 reply still tells something. */
			if (!sf.truncated || sf.opcode == X8H7_H7_BOOT_M4)
				m4rpc_link_h7_reply(link, &sf);
			else
				link_stat_inc(link, LINK_STAT_h7_bad_replies);
			break;
		default:
			/* ADC, GPIO, CAN, ...: the stock driver's, not ours. */
			link_stat_inc(link, LINK_STAT_unknown_subframes);
			break;
		}
		at += X8H7_SUB_HDR_LEN + sf.len;
	}
	if (ui_last >= 0)
		link_io_ui_end(link, p.size, ui_last);
	return true;
}

void m4rpc_link_io_transfer(struct m4rpc_link *link, bool allow_ui,
			    bool force_boot, struct link_io *io)
{
	struct link_ws *ws = &link->ws;
	unsigned long reqs;
	int ret;

	memset(io, 0, sizeof(*io));
	reqs = link_io_build(link, allow_ui, force_boot, io);

	ret = spi_sync(link->spi, &link->msg);
	link_stat_inc(link, LINK_STAT_transfers);
	if (io->loaded) {
		link_stat_inc(link, LINK_STAT_tx_frames);
		link_stat_add(link, LINK_STAT_tx_bytes,
			      x8h7_frame_size(link->tx_buf));
	}
	if (ret) {
		/* What crossed the wire is unknown: assume the worst. */
		link_stat_inc(link, LINK_STAT_spi_errors);
		dev_err_ratelimited(link->dev, "SPI transfer failed: %d\n", ret);
		io->consumed = true;
		io->ui = false;	/* lets the worker give up on this frame */
		ws->antic = 0;
		ws->ui_more = false;
		ws->outstanding |= reqs;
		m4rpc_link_h7_resync(link, "SPI transfer failed");
		return;
	}
	ws->ui_more = false;
	ws->ui_drained = false;
	io->consumed = link_io_parse(link);
	link_io_antic_update(ws, io);
	if (!io->consumed)
		ws->read_empty = true;
	/*
	 * Only now: a BOOT_M4 reply in this frame answers what was sent
	 * before (link_h7.c), not what we just sent.
	 */
	ws->outstanding |= reqs;
	if (reqs & BIT(LINK_REQ_FW))
		ws->out_seq = ws->sent_seq;
	if (io->acked) {
		/* The frame carried BOOT_M4: its reply is due. */
		ws->boot_sent_at = jiffies;
		ws->boot_wait = true;
		ws->boot_renew = true;
		ws->boot_frames = 0;
		ws->boot_deadline = jiffies + m4rpc_link_ack_jiffies();
	}
}
