/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Framing msgpack in a byte stream, without decoding it: where the first
 * whole object of a buffer ends, and where the elements of a top-level
 * array lie. The proxy passes clients' bytes on as they came (params,
 * msgids), so it cuts messages out of the stream instead of re-packing
 * them; libm4rpc checks with it that a message read from the session is
 * one whole object before msgpack-c allocates for the counts its
 * containers claim. Every msgpack type (including the old raw strings,
 * which are today's str) is known; 0xc1, the one byte no object starts
 * with, is an error.
 */
#ifndef M4RPC_PROXY_MPFRAME_H
#define M4RPC_PROXY_MPFRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The length of the first whole msgpack object in @p[0..@n): > 0, 0 when
 * it is not complete yet (more bytes are needed), or -1 when the bytes are
 * no msgpack (0xc1).
 */
ssize_t mpf_len(const uint8_t *p, size_t n);

/*
 * A message @p[0..@n) that is exactly one array: its element count, with
 * element i at @p[@off[i] .. @off[i + 1]) for i < min(count, @max); -1
 * when it is not one whole array and nothing after it. @off has room for
 * @max + 1 entries.
 */
int mpf_array(const uint8_t *p, size_t n, size_t *off, unsigned int max);

#endif /* M4RPC_PROXY_MPFRAME_H */
