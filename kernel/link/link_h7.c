// SPDX-License-Identifier: GPL-2.0
/*
 * The H7's own services (peripheral 0x09): FW_VERSION, GET_UID and BOOT_M4,
 * the M4's state, and resynchronisation.
 *
 * Requests are bits in link->req_pending; the worker puts them into the
 * next frame it sends (link_io.c) and they become outstanding once that
 * frame has been clocked and the frame read back has been parsed. A BOOT_M4
 * reply closes everything outstanding: the H7 processes a frame's
 * subframes in order and queues their replies in order, so the FW_VERSION
 * and GET_UID replies of a frame come before its BOOT_M4 reply, and a
 * request still outstanding then got no reply: no room for it in the H7's
 * frame (its enqueue drops what does not fit, as with a busy M4 stream), or
 * a firmware without that request. Where the BOOT_M4 reply sits tells
 * which (link_h7_no_room()): the first is asked again (LINK_REQ_RETRIES
 * times in a row at most), the second LINK_REQ_MISSES times (our request
 * frame may have been the one lost), then counted as unanswered.
 *
 * What is detected and logged once:
 *  - the M4's state, at the first BOOT_M4 reply and at every change;
 *  - the H7 not answering (a loaded frame with no sign of processing, or a
 *    BOOT_M4 reply that did not come): an H7 reset looks like this, since
 *    the reset H7 forgets what it received and what it had queued. While
 *    nothing is in flight an H7 reset has no visible effect on the wire
 *    (the greeting bytes go to the M4, not to us), so it is noticed with
 *    the next exchange;
 *  - frames rejected several times in a row (LINK_REJECTS_RESYNC);
 *  - a failed SPI transfer.
 * Each of these resynchronises: outstanding requests are asked again with
 * FW_VERSION, GET_UID and BOOT_M4, the client hears RESYNC (and a UI loss),
 * and "resynchronised" is logged when the H7 answers. A changed firmware
 * version (the H7 was reflashed) is logged too.
 *
 * Firmware 53df799 (docs/x8h7-link.md, "Known defects") clips every frame
 * it receives to its first subframe header: of the requests of a frame
 * only the first is answered, and UI data never reaches the M4 intact.
 * The requests at link-up show it: FW_VERSION, GET_UID and BOOT_M4 go in
 * one frame, which a sound firmware answers in one frame; a clipping one
 * answers FW_VERSION alone, then (asked again) GET_UID alone. Two frames
 * in a row whose only H7 reply is the first of its frame, with room left
 * in them for the missing ones (so they were not dropped for room), mark
 * the firmware as clipping (link->fw_clips, logged once; the endpoint
 * then refuses writes with ENOEXEC); a frame with two H7 replies clears
 * it (the H7 was reflashed).
 */
#include <linux/ctype.h>
#include <linux/sched.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

void m4rpc_link_h7_request(struct m4rpc_link *link, unsigned long reqs)
{
	spin_lock(&link->lock);
	link->req_pending |= reqs & LINK_REQ_INFO;
	spin_unlock(&link->lock);
	wake_up(&link->wq);
}

void m4rpc_link_h7_resync(struct m4rpc_link *link, const char *why)
{
	struct link_ws *ws = &link->ws;

	link_stat_inc(link, LINK_STAT_resyncs);
	if (!ws->resync_logged) {
		dev_warn(link->dev, "resynchronising: %s\n", why);
		ws->resync_logged = true;
	}
	ws->synced = false;
	m4rpc_link_h7_request(link, ws->outstanding | LINK_REQ_INFO);
	ws->outstanding = 0;
	m4rpc_link_client_lost(link);
	m4rpc_link_client_event(link, M4RPC_LINK_RESYNC);
}

static const char *link_m4_name(int v)
{
	switch (v) {
	case M4RPC_M4_NO_PROGRAM:
		return "no M4 program";
	case M4RPC_M4_NO_RPC:
		return "M4 running without RPC";
	case M4RPC_M4_RUNNING:
		return "M4 running";
	default:
		return "unknown M4 state";
	}
}

static void link_h7_m4(struct m4rpc_link *link, int v)
{
	int old;

	spin_lock(&link->lock);
	old = link->m4_state;
	link->m4_state = v;
	spin_unlock(&link->lock);
	if (old == v)
		return;
	if (old == M4RPC_M4_UNKNOWN)
		dev_info(link->dev, "%s (%d)\n", link_m4_name(v), v);
	else
		dev_info(link->dev, "M4 state changed: %s (%d) -> %s (%d)\n",
			 link_m4_name(old), old, link_m4_name(v), v);
	m4rpc_link_sysfs_notify_m4(link);
	m4rpc_link_client_event(link, M4RPC_LINK_M4_STATE);
}

static void link_h7_fw(struct m4rpc_link *link, const struct x8h7_subframe *sf)
{
	char old[sizeof(link->fw_version)];
	bool had, changed;
	unsigned int i;

	clear_bit(LINK_REQ_FW, &link->ws.outstanding);
	spin_lock(&link->lock);
	had = link->have_fw;
	memcpy(old, link->fw_version, sizeof(old));
	/* ASCII, no NUL, at most 248 bytes (sf->carried); keep it printable. */
	for (i = 0; i < sf->carried; i++)
		link->fw_version[i] = isprint(sf->data[i]) ? sf->data[i] : '?';
	link->fw_version[i] = '\0';
	link->have_fw = true;
	changed = had && strcmp(old, link->fw_version);
	spin_unlock(&link->lock);
	if (!had)
		dev_info(link->dev, "H7 firmware %s\n", link->fw_version);
	else if (changed)
		dev_info(link->dev, "H7 firmware changed: %s -> %s\n", old,
			 link->fw_version);
	if (!had || changed)
		m4rpc_link_client_event(link, M4RPC_LINK_INFO);
}

static_assert(M4RPC_LINK_UID_LEN == X8H7_UID_LEN);

static void link_h7_uid(struct m4rpc_link *link, const struct x8h7_subframe *sf)
{
	bool news;

	clear_bit(LINK_REQ_UID, &link->ws.outstanding);
	if (sf->carried != X8H7_UID_LEN) {
		link_stat_inc(link, LINK_STAT_h7_bad_replies);
		return;
	}
	spin_lock(&link->lock);
	news = !link->have_uid || memcmp(link->uid, sf->data, X8H7_UID_LEN);
	memcpy(link->uid, sf->data, X8H7_UID_LEN);
	link->have_uid = true;
	spin_unlock(&link->lock);
	/* udev names the board after it (the endpoint's change uevent). */
	if (news)
		m4rpc_link_client_event(link, M4RPC_LINK_INFO);
}

/*
 * Of the @unanswered requests, those whose reply the H7 may have dropped
 * for lack of room: its enqueue drops a reply when size + len > 252. The
 * replies are queued in request order and BOOT_M4's last, so the frame's
 * size when a missing reply was dropped was at most the offset of the
 * BOOT_M4 reply (@boot). A reply that would have fit there is not coming:
 * that firmware does not answer the request.
 */
static unsigned long link_h7_no_room(struct m4rpc_link *link,
				     const struct x8h7_subframe *boot,
				     unsigned long unanswered)
{
	unsigned int at = boot->data - link->rx_buf - X8H7_HDR_LEN -
			  X8H7_SUB_HDR_LEN;
	unsigned long retry = 0;

	if ((unanswered & BIT(LINK_REQ_FW)) &&
	    at + LINK_FW_VERSION_LIKELY > X8H7_PAYLOAD_MAX)
		retry |= BIT(LINK_REQ_FW);
	if ((unanswered & BIT(LINK_REQ_UID)) &&
	    at + X8H7_UID_LEN > X8H7_PAYLOAD_MAX)
		retry |= BIT(LINK_REQ_UID);
	return retry;
}

static void link_h7_boot(struct m4rpc_link *link,
			 const struct x8h7_subframe *sf)
{
	struct link_ws *ws = &link->ws;
	unsigned long unanswered;
	unsigned int limit;
	bool state;
	s32 v;

	if (sf->len != sizeof(v)) {
		link_stat_inc(link, LINK_STAT_h7_bad_replies);
		return;
	}
	link_stat_inc(link, LINK_STAT_acks);
	/*
	 * Cut by the H7's off-by-four, or a value no firmware sends (a bit
	 * flip the frame checks cannot see): an answer, but not a state.
	 */
	v = M4RPC_M4_UNKNOWN;
	if (sf->carried == sizeof(v))
		v = (s32)get_unaligned_le32(sf->data);
	state = v >= M4RPC_M4_NO_PROGRAM && v <= M4RPC_M4_RUNNING;
	if (!state) {
		if (sf->carried == sizeof(v))
			link_stat_inc(link, LINK_STAT_h7_bad_replies);
		v = m4rpc_link_m4_state(link);
	}

	/*
	 * The state first: a refresh that the code below completes reads
	 * it at once, on another CPU.
	 */
	link_h7_m4(link, v);

	/* The H7 answers: every doubt about it is cleared. */
	ws->boot_wait = false;
	ws->backoff = 0;
	ws->next_doorbell = jiffies;
	unanswered = ws->outstanding & (BIT(LINK_REQ_FW) | BIT(LINK_REQ_UID));
	ws->outstanding = 0;
	/*
	 * A reply that would have fit is not coming, unless our request
	 * frame itself was lost (a doorbell overwritten): a few more tries.
	 * A BOOT_M4 reply without a state (cut, as a busy M4 stream makes
	 * the off-by-four do) is asked again like a reply dropped for room:
	 * else the M4's state could stay unknown, or stale after a refresh.
	 */
	if (!state)
		unanswered |= BIT(LINK_REQ_BOOT);
	limit = link_h7_no_room(link, sf, unanswered) || !state ?
		LINK_REQ_RETRIES : LINK_REQ_MISSES;
	if (unanswered && ws->req_retries < limit) {
		ws->req_retries++;
		m4rpc_link_h7_request(link, unanswered);
	} else {
		if (unanswered)
			link_stat_add(link, LINK_STAT_h7_unanswered,
				      hweight_long(unanswered));
		ws->req_retries = 0;
		spin_lock(&link->lock);
		link->refresh_done = ws->out_seq;
		spin_unlock(&link->lock);
		wake_up_all(&link->info_wq);
	}

	if (!ws->synced) {
		ws->synced = true;
		if (ws->resync_logged)
			dev_info(link->dev, "resynchronised\n");
		ws->resync_logged = false;
		m4rpc_link_client_event(link, M4RPC_LINK_UP);
	}
}

bool m4rpc_link_fw_clips(struct m4rpc_link *link)
{
	bool clips;

	spin_lock(&link->lock);
	clips = link->fw_clips;
	spin_unlock(&link->lock);
	return clips;
}

static void link_h7_set_clips(struct m4rpc_link *link, bool clips)
{
	bool old;

	spin_lock(&link->lock);
	old = link->fw_clips;
	link->fw_clips = clips;
	spin_unlock(&link->lock);
	if (clips && !old)
		dev_err(link->dev,
			"H7 firmware %s clips every frame it receives to its first subframe header (a build of 53df799): nothing sent to the M4 arrives intact, writes fail with ENOEXEC; flash tag 0.0.5 or a fixed build\n",
			link->fw_version);
	else if (old && !clips)
		dev_info(link->dev, "H7 firmware %s answers whole frames again\n",
			 link->fw_version);
}

/*
 * The frame of the last H7 reply is complete: a first reply alone in it,
 * with later requests unanswered, counts towards clipping.
 */
static void link_h7_clip_judge(struct m4rpc_link *link)
{
	struct link_ws *ws = &link->ws;

	if (ws->clip_replies == 1 && ws->clip_first_alone &&
	    ++ws->clip_alone == 2)
		link_h7_set_clips(link, true);
}

/*
 * The 53df799 probe, at each H7 reply, before it closes its request. The
 * requests of a frame go in bit order (link_io.c: FW_VERSION, GET_UID,
 * BOOT_M4), so those of higher bits still outstanding were sent after it.
 */
static void link_h7_clip_probe(struct m4rpc_link *link,
			       const struct x8h7_subframe *sf)
{
	struct link_ws *ws = &link->ws;
	u64 frame = atomic64_read(&link->stats[LINK_STAT_rx_frames]);
	unsigned int end = sf->data - link->rx_buf - X8H7_HDR_LEN + sf->len;
	unsigned long later;
	int bit;

	if (frame == ws->clip_frame) {
		/* Two requests of a frame answered: a sound firmware. */
		if (++ws->clip_replies == 2) {
			ws->clip_alone = 0;
			link_h7_set_clips(link, false);
		}
		return;
	}
	link_h7_clip_judge(link);
	switch (sf->opcode) {
	case X8H7_H7_FW_VERSION:
		bit = LINK_REQ_FW;
		break;
	case X8H7_H7_GET_UID:
		bit = LINK_REQ_UID;
		break;
	default:
		bit = LINK_REQ_BOOT;
		break;
	}
	later = ws->outstanding & ~(BIT(bit + 1) - 1) & LINK_REQ_INFO;
	ws->clip_frame = frame;
	ws->clip_replies = 1;
	/* Room for a BOOT_M4 reply after it: none was dropped for room. */
	ws->clip_first_alone = later &&
		end + X8H7_SUB_HDR_LEN + sizeof(s32) <= X8H7_PAYLOAD_MAX;
}

void m4rpc_link_h7_reply(struct m4rpc_link *link, const struct x8h7_subframe *sf)
{
	link_h7_clip_probe(link, sf);
	switch (sf->opcode) {
	case X8H7_H7_FW_VERSION:
		link_h7_fw(link, sf);
		break;
	case X8H7_H7_GET_UID:
		link_h7_uid(link, sf);
		break;
	case X8H7_H7_BOOT_M4:
		link_h7_boot(link, sf);
		break;
	default:
		link_stat_inc(link, LINK_STAT_h7_bad_replies);
		break;
	}
}

static bool link_h7_refreshed(struct m4rpc_link *link, unsigned long seq)
{
	bool done;

	spin_lock(&link->lock);
	done = (long)(link->refresh_done - seq) >= 0;
	spin_unlock(&link->lock);
	return done || READ_ONCE(link->dying);
}

/*
 * Ask the H7 for its version, UID and M4 state now, and wait (bounded,
 * interruptibly) until it has answered.
 */
int m4rpc_link_h7_refresh(struct m4rpc_link *link)
{
	unsigned int ms = READ_ONCE(m4rpc_param_ack_timeout_ms);
	unsigned long seq;
	long ret;

	spin_lock(&link->lock);
	seq = ++link->refresh_req;
	link->req_pending |= LINK_REQ_INFO;
	spin_unlock(&link->lock);
	set_bit(LINK_EV_REFRESH, &link->events);
	wake_up(&link->wq);

	ret = wait_event_interruptible_timeout(link->info_wq,
					       link_h7_refreshed(link, seq),
					       msecs_to_jiffies(2 * ms + 1000));
	if (READ_ONCE(link->dying))
		return -ENODEV;
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIMEDOUT;
}
