/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The few types and helpers that the pure-C code shared between m4rpc.ko and
 * the host tools (frame codec, msgpack scanner) needs, from the kernel when
 * built into a module and from libc otherwise. Nothing else belongs here.
 */
#ifndef M4RPC_TYPES_H
#define M4RPC_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#endif

static inline u16 m4rpc_get_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline void m4rpc_put_le16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

#endif /* M4RPC_TYPES_H */
