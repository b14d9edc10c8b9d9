/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the emulator's host tests share: an emulator on the loopback master
 * driven with virtual time, and frames written out by hand from the spec
 * (docs/x8h7-link.md, "Transfers"), never with the codec under test.
 */
#ifndef TEST_H7EMU_UTIL_H
#define TEST_H7EMU_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "h7emu.h"

#define FRAME	H7EMU_FRAME_LEN
#define MS	1000000ull
/* Virtual time starts here (not 0: "before the last reset" must mean
 * something). */
#define T0	(1000 * MS)

struct bench {
	struct h7emu *e;
	uint64_t t;		/* virtual time of the next event */
};

static inline int bench_init_cfg(struct bench *b,
				 const struct h7emu_config *cfg)
{
	b->t = T0;
	b->e = h7emu_new(cfg, h7emu_loopback_new());
	return b->e ? 0 : -1;
}

/* A default emulator with @sketch and the M4 running. */
static inline int bench_init(struct bench *b, enum h7emu_sketch sketch)
{
	struct h7emu_config cfg;

	h7emu_config_init(&cfg);
	cfg.sketch = sketch;
	return bench_init_cfg(b, &cfg);
}

static inline void bench_fini(struct bench *b)
{
	h7emu_free(b->e);
	b->e = NULL;
}

/* One main-loop pass, 1 ms after the previous event. */
static inline void bench_pass(struct bench *b)
{
	b->t += MS;
	h7emu_pass(b->e, b->t);
}

static inline void bench_passes(struct bench *b, unsigned int n)
{
	while (n--)
		bench_pass(b);
}

/* One 256-byte transfer, 0.1 ms after the previous event. */
static inline void bench_xfer(struct bench *b, const uint8_t *mosi,
			      uint8_t *miso)
{
	b->t += MS / 10;
	h7emu_loopback_xfer(b->e, mosi, FRAME, miso, b->t);
}

static inline struct h7emu_stats bench_stats(struct bench *b)
{
	struct h7emu_stats st;

	h7emu_get_stats(b->e, &st);
	return st;
}

static inline struct h7emu_loopback_info bench_wire(struct bench *b)
{
	struct h7emu_loopback_info info;

	h7emu_loopback_info(b->e, &info);
	return info;
}

/* ---- frames by hand ---------------------------------------------------- */

/* The frame header: u16 size, u16 size ^ 0x5555, little-endian. */
static inline void put_hdr(uint8_t *f, unsigned int size)
{
	unsigned int csum = size ^ 0x5555;

	f[0] = size & 0xff;
	f[1] = size >> 8;
	f[2] = csum & 0xff;
	f[3] = csum >> 8;
}

static inline unsigned int get_size(const uint8_t *f)
{
	return f[0] | f[1] << 8;
}

/* An empty frame: 00 00 55 55, zeros after. */
static inline void empty(uint8_t *f)
{
	memset(f, 0, FRAME);
	put_hdr(f, 0);
}

/*
 * Append a subframe to @f and update its header; returns the new size.
 * Only for frames a test builds (never past 252 bytes).
 */
static inline unsigned int put_sub(uint8_t *f, uint8_t periph, uint8_t opcode,
				   const void *data, unsigned int len)
{
	unsigned int size = get_size(f);
	uint8_t *p = f + 4 + size;

	p[0] = periph;
	p[1] = opcode;
	p[2] = len & 0xff;
	p[3] = len >> 8;
	if (len)
		memcpy(p + 4, data, len);
	put_hdr(f, size + 4 + len);
	return size + 4 + len;
}

/* A frame holding one request of peripheral 0x09 (no data). */
static inline void h7_request(uint8_t *f, uint8_t opcode)
{
	empty(f);
	put_sub(f, 0x09, opcode, NULL, 0);
}

/* A frame holding one UI subframe (opcode 0x01, as Linux sends it). */
static inline void ui_frame(uint8_t *f, const void *msg, unsigned int len)
{
	empty(f);
	put_sub(f, 0x0a, 0x01, msg, len);
}

/*
 * Walk a frame received from the H7 by hand and append the data of its UI
 * subframes to @out (at most @cap bytes in all, *@n so far). Only the 252
 * carried bytes are looked at. Returns the number of UI subframes, and in
 * *@max_sub the longest one.
 */
static inline unsigned int ui_collect(const uint8_t *f, uint8_t *out,
				      size_t cap, size_t *n,
				      unsigned int *max_sub)
{
	unsigned int size = get_size(f), off = 0, subs = 0, len, i;

	if (size > 252)
		size = 252;
	while (off + 4 <= size) {
		len = f[4 + off + 2] | f[4 + off + 3] << 8;
		if (f[4 + off] == 0x0a) {
			subs++;
			if (max_sub && len > *max_sub)
				*max_sub = len;
			for (i = 0; i < len && off + 4 + i < 252; i++)
				if (*n < cap)
					out[(*n)++] = f[4 + off + 4 + i];
		}
		off += 4 + len;
	}
	return subs;
}

/* Bits that differ between two buffers. */
static inline unsigned int bit_diff(const uint8_t *a, const uint8_t *b,
				    size_t n, size_t *first_byte)
{
	unsigned int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x && first_byte && !bits)
			*first_byte = i;
		bits += __builtin_popcount(x);
	}
	return bits;
}

#endif /* TEST_H7EMU_UTIL_H */
