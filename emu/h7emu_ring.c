// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The H7's UI ring: 4096 bytes fed by both of the M4's endpoints ("rpc" and
 * "raw") in arrival order. On overflow it silently overwrites its oldest
 * bytes (spec, "Peripheral 0x0A"); we count them.
 */
#include "h7emu_priv.h"

void h7emu__ring_clear(struct h7emu_ring *r)
{
	r->head = 0;
	r->len = 0;
}

size_t h7emu__ring_push(struct h7emu_ring *r, const u8 *p, size_t n)
{
	size_t over = 0;

	for (; n; n--, p++) {
		if (r->len == H7EMU_RING_LEN) {
			r->head = (r->head + 1) % H7EMU_RING_LEN;
			r->len--;
			over++;
		}
		r->buf[(r->head + r->len) % H7EMU_RING_LEN] = *p;
		r->len++;
	}
	return over;
}

size_t h7emu__ring_take(struct h7emu_ring *r, u8 *out, size_t max)
{
	size_t n = r->len < max ? r->len : max, i;

	for (i = 0; i < n; i++)
		out[i] = r->buf[(r->head + i) % H7EMU_RING_LEN];
	r->head = (r->head + n) % H7EMU_RING_LEN;
	r->len -= n;
	return n;
}
