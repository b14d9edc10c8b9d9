// SPDX-License-Identifier: GPL-2.0
/*
 * The data of /dev/ttyM4RPCn (locks in tty.h).
 *
 * From the M4: each "tty" notification's bytes go into the port's flip
 * buffer, in the order the endpoint routes them (the link's order). The
 * M4 cannot be told to wait, so when the reader falls behind by more than
 * the flip buffers hold (the tty core's 64 KiB) bytes are dropped and
 * counted (rx_dropped); throttling is not passed on for the same reason.
 *
 * To the M4: write() takes what fits into a TTY_XMIT_SIZE fifo and never
 * sleeps. The transmit work sends it as calls of the sketch's "tty"
 * method, each at most one UI message, and keeps at most TTY_WINDOW bytes
 * unanswered: the sketch's Serial receive buffer, so that what arrives
 * before the sketch's next reply cannot overrun it. Each reply (the M4
 * answers once the bytes are in that buffer) frees its bytes and lets the
 * next go. chars_in_buffer() counts the fifo and the unanswered bytes, so
 * tcdrain() and close() return once the sketch has everything.
 * The msgid of each call is its byte count: the reply says how many bytes
 * it answers, and nothing else needs to be remembered per call.
 */
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/tty_flip.h>
#include "m4rpc_compat.h"
#include "mpack_scan.h"
#include "tty.h"
#include "../ep/m4rpc_ep_kclient.h"

/* ---- from the M4 (callbacks: ep->lock held, must not sleep) ------------ */

static void mtty_notify(void *priv, const u8 *msg, size_t len,
			const struct m4rpc_mp_rpc_env *env)
{
	struct m4rpc_tty *t = priv;
	unsigned long flags;
	size_t off, n, done = 0;

	if (m4rpc_mp_rpc_param0_bytes(msg, len, env, &off, &n)) {
		spin_lock_irqsave(&t->fifo_lock, flags);
		t->stats.rx_malformed++;
		spin_unlock_irqrestore(&t->fifo_lock, flags);
		return;
	}
	/* The only producer of the flip buffers: callbacks are serialised. */
	if (n)
		done = tty_insert_flip_string(&t->port, msg + off, n);
	spin_lock_irqsave(&t->fifo_lock, flags);
	t->stats.rx_bytes += done;
	t->stats.rx_dropped += n - done;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	if (done)
		tty_flip_buffer_push(&t->port);
}

static void mtty_done(void *priv, u32 msgid, int err)
{
	struct m4rpc_tty *t = priv;
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&t->fifo_lock, flags);
	n = min(msgid, t->inflight);
	t->inflight -= n;
	t->last_progress = jiffies;
	if (!err)
		t->stats.tx_bytes += n;
	else if (err == -EREMOTEIO)
		t->stats.tx_refused += n;
	else
		t->stats.tx_lost += n;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	m4rpc_tty_kick(t);
}

/* The hangup itself is the tty core's work: it closes the session. */
static void mtty_down(void *priv)
{
	struct m4rpc_tty *t = priv;

	tty_port_tty_hangup(&t->port, false);
}

const struct m4rpc_ep_kops m4rpc_tty_kops = {
	.notify	= mtty_notify,
	.done	= mtty_done,
	.down	= mtty_down,
};

/* ---- to the M4 ------------------------------------------------------------ */

void m4rpc_tty_kick(struct m4rpc_tty *t)
{
	mod_delayed_work(system_wq, &t->tx_work, 0);
}

/* Empty, for an open or after a close (t->lock held, no session). */
void m4rpc_tty_reset_io(struct m4rpc_tty *t)
{
	unsigned long flags;

	lockdep_assert_held(&t->lock);
	spin_lock_irqsave(&t->fifo_lock, flags);
	kfifo_reset(&t->xmit);
	t->inflight = 0;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
}

/*
 * [0, @n, "tty", [bin8 of @n bytes]]: its head into @msg; returns the
 * head's length, *@len the whole call's.
 */
static size_t mtty_call_head(u8 *msg, u32 n, size_t *len)
{
	size_t p = 0;

	msg[p++] = 0x94;
	msg[p++] = 0x00;
	p += m4rpc_mp_put_uint(msg + p, n);
	msg[p++] = 0xa3;
	memcpy(msg + p, "tty", 3);
	p += 3;
	msg[p++] = 0x91;
	msg[p++] = 0xc4;
	msg[p++] = n;
	*len = p + n;
	return p;
}

/* One chunk out, if the window has room: its length, 0, or -errno. */
static int mtty_send_one(struct m4rpc_tty *t)
{
	unsigned long flags;
	size_t hdr, len;
	u32 n, flushes;
	int ret;

	lockdep_assert_held(&t->lock);
	spin_lock_irqsave(&t->fifo_lock, flags);
	n = TTY_WINDOW - min_t(u32, t->inflight, TTY_WINDOW);
	n = min_t(u32, n, t->chunk_max);
	n = min_t(u32, n, kfifo_len(&t->xmit));
	hdr = mtty_call_head(t->msg, n, &len);
	/* Taken off the fifo only once queued; write() adds at its tail. */
	n = kfifo_out_peek(&t->xmit, t->msg + hdr, n);
	flushes = t->flushes;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	if (!n)
		return 0;
	ret = m4rpc_ep_kcall(t->ks, t->msg, len);
	if (ret)
		return ret;
	spin_lock_irqsave(&t->fifo_lock, flags);
	/* A flush meanwhile emptied the fifo: these bytes left before it. */
	if (t->flushes == flushes)
		n = kfifo_out(&t->xmit, t->msg + hdr, n);
	if (!t->inflight)
		t->last_progress = jiffies;
	t->inflight += n;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	return n;
}

/* Replies not come in time: give their bytes up (t->lock held). */
static void mtty_reply_watch(struct m4rpc_tty *t)
{
	unsigned long timeout = msecs_to_jiffies(TTY_REPLY_TIMEOUT_MS);
	unsigned long flags, due;
	bool expired;
	u32 lost = 0;

	lockdep_assert_held(&t->lock);
	spin_lock_irqsave(&t->fifo_lock, flags);
	due = t->last_progress + timeout;
	expired = t->inflight && time_after_eq(jiffies, due);
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	if (!expired) {
		if (t->inflight)	/* look again then; a kick is sooner */
			queue_delayed_work(system_wq, &t->tx_work,
					   due - jiffies);
		return;
	}
	m4rpc_ep_kforget(t->ks);	/* no done() comes for them now */
	spin_lock_irqsave(&t->fifo_lock, flags);
	lost = t->inflight;
	t->stats.tx_lost += lost;
	t->inflight = 0;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	dev_warn_ratelimited(t->dev, "%u bytes to the sketch never answered\n",
			     lost);
	m4rpc_tty_kick(t);
}

void m4rpc_tty_tx_work(struct work_struct *work)
{
	struct m4rpc_tty *t = container_of(to_delayed_work(work),
					   struct m4rpc_tty, tx_work);
	int ret = 0;

	mutex_lock(&t->lock);
	if (!t->ks) {
		mutex_unlock(&t->lock);
		return;
	}
	do {
		ret = mtty_send_one(t);
	} while (ret > 0);
	/*
	 * -EAGAIN: the transmit queue is full; a reply of ours follows and
	 * kicks us. -EHOSTDOWN, -ENODEV: the M4 stopped or the board goes,
	 * and the hangup that follows empties the fifo. Anything else is a
	 * call of ours the endpoint refused: a bug, said once.
	 */
	if (ret && ret != -EAGAIN && ret != -EHOSTDOWN && ret != -ENODEV)
		dev_err_once(t->dev, "the endpoint refused a call: %d\n", ret);
	mtty_reply_watch(t);
	mutex_unlock(&t->lock);
	tty_port_tty_wakeup(&t->port);
}

M4RPC_TTY_WRITE_RET m4rpc_tty_write(struct tty_struct *tty, const u8 *buf,
				    M4RPC_TTY_WRITE_COUNT count)
{
	struct m4rpc_tty *t = tty->driver_data;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&t->fifo_lock, flags);
	n = kfifo_in(&t->xmit, buf, count);
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	if (n)
		m4rpc_tty_kick(t);
	return n;
}

/* The fifo's room (@room) or what the sketch does not have yet. */
static unsigned int mtty_count(struct tty_struct *tty, bool room)
{
	struct m4rpc_tty *t = tty->driver_data;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&t->fifo_lock, flags);
	n = room ? kfifo_avail(&t->xmit) : kfifo_len(&t->xmit) + t->inflight;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	return n;
}

unsigned int m4rpc_tty_write_room(struct tty_struct *tty)
{
	return mtty_count(tty, true);
}

/* tcdrain() and the last close() wait for 0. */
unsigned int m4rpc_tty_chars_in_buffer(struct tty_struct *tty)
{
	return mtty_count(tty, false);
}

/* tcflush(TCOFLUSH): what was not sent goes; what was sent is the M4's. */
void m4rpc_tty_flush_buffer(struct tty_struct *tty)
{
	struct m4rpc_tty *t = tty->driver_data;
	unsigned long flags;

	spin_lock_irqsave(&t->fifo_lock, flags);
	kfifo_reset_out(&t->xmit);
	t->flushes++;
	spin_unlock_irqrestore(&t->fifo_lock, flags);
	tty_port_tty_wakeup(&t->port);
}
