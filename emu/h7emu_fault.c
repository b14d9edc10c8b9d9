// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Seeded draws for fault injection: splitmix64, one stream per fault kind,
 * so that a run is reproducible from its seed and switching one fault on
 * does not shift the draws of another.
 */
#include "h7emu_priv.h"

u64 h7emu__fault_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void h7emu__fault_seed(u64 *rng, u64 seed)
{
	unsigned int i;

	for (i = 0; i < FS_NR; i++) {
		rng[i] = seed ^ ((u64)(i + 1) << 56);
		h7emu__fault_next(&rng[i]);
	}
}

bool h7emu__fault_chance(u64 *state, double p)
{
	if (p <= 0)
		return false;
	/* Always draw when enabled, so p = 1 still advances the stream. */
	return (double)(h7emu__fault_next(state) >> 11) * 0x1.0p-53 < p;
}

void h7emu__fault_flip_bit(u64 *state, u8 *frame)
{
	unsigned int size = m4rpc_get_le16(frame), n, bit;

	/* The bytes that mean something: header plus announced subframes. */
	if (size > X8H7_PAYLOAD_MAX)
		size = X8H7_PAYLOAD_MAX;
	n = X8H7_HDR_LEN + size;
	bit = h7emu__fault_next(state) % (n * 8);
	frame[bit / 8] ^= 1u << (bit % 8);
}
