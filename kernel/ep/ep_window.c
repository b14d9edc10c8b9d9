// SPDX-License-Identifier: GPL-2.0
/*
 * The wire window in bytes: what the M4 may owe Linux at any moment stays
 * within what one H7 frame absorbs however late the link reads it
 * (docs/x8h7-link.md, "Peripheral 0x0A": a chunk that finds no room in the
 * H7's frame is lost, silently).
 *
 * Each call on its way to the M4 and back reserves the bytes its reply
 * will take in a frame: the reply, a 4-byte subframe header per 128-byte
 * chunk. Reply sizes are not known in advance, so they are learned: per
 * method, the longest reply seen (EP_METHODS_MAX methods per link, the
 * least recently used forgotten). A method not seen yet reserves the whole
 * window (its first call goes alone), and so does one whose replies are
 * longer than the window: those can only be protected by reading in time,
 * and are counted (wire_long). Calls with short replies go many at a time.
 * A call always may go when the window is empty, so a long one is never
 * starved.
 *
 * The window, EP_WIRE_BUDGET: 252 subframe bytes of a frame, less the H7's
 * BOOT_M4 reply (8) that every frame of ours asks for, less 4 so that no
 * chunk meets the H7's off-by-four, which would cut its tail.
 *
 * Everything here is under ep->lock.
 */
#include <linux/string.h>
#include "m4rpc_compat.h"
#include "ep.h"

/* The frame bytes a reply of @len bytes takes, in chunks of 128. */
static u32 ep_reply_cost(u32 len)
{
	return len + 4 * DIV_ROUND_UP(len, 128);
}

static struct ep_method *ep_method_get(struct m4rpc_ep *ep, const u8 *name,
				       size_t len)
{
	struct ep_method *m, *lru = &ep->methods[0];
	unsigned int i;

	lockdep_assert_held(&ep->lock);
	len = min_t(size_t, len, sizeof(m->name));
	for (i = 0; i < EP_METHODS_MAX; i++) {
		m = &ep->methods[i];
		if (m->len == len && !memcmp(m->name, name, len))
			goto found;
		if (m->used < lru->used)
			lru = m;
	}
	m = lru;
	memcpy(m->name, name, len);
	m->len = len;
	m->reply_max = 0;	/* not seen yet */
	m->gen++;
found:
	m->used = ++ep->methods_clock;
	return m;
}

/* A new call of @name: remember its method, reserve what it may need. */
void m4rpc_ep_window_call(struct m4rpc_ep *ep, struct ep_call *call,
			  const u8 *name, size_t len)
{
	struct ep_method *m = ep_method_get(ep, name, len);
	u32 cost = m->reply_max ? ep_reply_cost(m->reply_max) : EP_WIRE_BUDGET;

	call->method = m - ep->methods;
	call->method_gen = m->gen;
	call->long_reply = cost > EP_WIRE_BUDGET;
	call->cost = min_t(u32, cost, EP_WIRE_BUDGET);
}

/* May @call go on the wire now? */
bool m4rpc_ep_window_admits(struct m4rpc_ep *ep, const struct ep_call *call)
{
	lockdep_assert_held(&ep->lock);
	if (ep->nwire >= ep->wire_calls_max)
		return false;
	return !ep->nwire || ep->wire_bytes + call->cost <= EP_WIRE_BUDGET;
}

void m4rpc_ep_window_take(struct m4rpc_ep *ep, struct ep_call *call)
{
	lockdep_assert_held(&ep->lock);
	ep->nwire++;
	ep->wire_bytes += call->cost;
	if (call->long_reply)
		ep->stats.wire_long++;
}

void m4rpc_ep_window_release(struct m4rpc_ep *ep, struct ep_call *call)
{
	lockdep_assert_held(&ep->lock);
	ep->nwire--;
	ep->wire_bytes -= call->cost;
}

/* The reply to @call came, @len bytes on the wire: learn its size. */
void m4rpc_ep_window_learn(struct m4rpc_ep *ep, const struct ep_call *call,
			   u32 len)
{
	struct ep_method *m = &ep->methods[call->method];

	lockdep_assert_held(&ep->lock);
	if (m->gen == call->method_gen && len > m->reply_max)
		m->reply_max = min_t(u32, len, U16_MAX);
}
