/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The rules of a message written to /dev/m4rpcN, and the envelope rewrites
 * the endpoints make (uapi <linux/m4rpc.h> is the contract). Pure C, built
 * into m4rpc.ko and the host tests, on top of m4rpc_mp_scan.h.
 *
 * The endpoints replace msgids both ways: a session's request goes out with
 * a link-unique msgid and its response comes back with the session's msgid
 * restored; an M4 request reaches its session with a msgid of the kernel's
 * and the session's response goes back with the M4's msgid restored. Every
 * rewrite is m4rpc_mp_rpc_set_msgid() in place, in a buffer of room enough:
 * a msgid takes 1 to 5 bytes, so a message grows by at most 4.
 */
#ifndef M4RPC_MSG_H
#define M4RPC_MSG_H

#include "m4rpc_types.h"
#include "mpack_scan.h"

/* Bytes a rewritten msgid may add to a message. */
#define M4RPC_MSG_MSGID_GROWTH	4
/* Bytes of a method name quoted in the kernel's error responses. */
#define M4RPC_MSG_NAME_QUOTED	48

/*
 * Check @msg[0..@len) as write() does, @max being the longest message the
 * link carries: -EMSGSIZE when @len > @max; -EINVAL unless it is exactly
 * one msgpack-rpc message with the outer fixarray the M4 needs;
 * -EMSGSIZE when it is a request or response that would not fit @max with
 * its msgid as a uint32 (5 bytes). 0 and @env filled otherwise.
 */
int m4rpc_msg_check_tx(const u8 *msg, size_t len, size_t max,
		       struct m4rpc_mp_rpc_env *env);

/*
 * Give the request or response in @buf[0..@len) (parsed into @env) the
 * msgid @msgid, in place; @cap is the size of @buf. Returns the new length,
 * -EINVAL for a notification, -EMSGSIZE when it does not fit (then @buf is
 * unchanged). @env describes the old message only.
 */
int m4rpc_msg_set_msgid(u8 *buf, size_t cap, size_t len,
			const struct m4rpc_mp_rpc_env *env, u32 msgid);

/*
 * The kernel's error response to an M4 request: [1, @msgid, "@prefix'NAME'",
 * nil], NAME being @name's first M4RPC_MSG_NAME_QUOTED bytes (followed by
 * "..." when longer), into @out of @cap bytes. Returns its length or
 * -EMSGSIZE.
 */
int m4rpc_msg_error(u8 *out, size_t cap, u32 msgid, const char *prefix,
		    const u8 *name, size_t name_len);

#endif /* M4RPC_MSG_H */
