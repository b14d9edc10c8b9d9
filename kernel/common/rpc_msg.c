// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Message rules and envelope rewrites of the /dev/m4rpcN endpoints; the
 * contract is in m4rpc_msg.h.
 */
#include "rpc_msg.h"

int m4rpc_msg_check_tx(const u8 *msg, size_t len, size_t max,
		       struct m4rpc_mp_rpc_env *env)
{
	if (len > max)
		return -EMSGSIZE;
	if (!len || m4rpc_mp_rpc_parse(msg, len, env))
		return -EINVAL;
	if (!env->fixarray)
		return -EINVAL;
	/* The kernel's msgid may take 5 bytes: never a surprise later. */
	if (env->type != M4RPC_MP_RPC_NOTIFY && len - env->msgid_len + 5 > max)
		return -EMSGSIZE;
	return 0;
}

int m4rpc_msg_set_msgid(u8 *buf, size_t cap, size_t len,
			const struct m4rpc_mp_rpc_env *env, u32 msgid)
{
	return m4rpc_mp_rpc_set_msgid(buf, cap, buf, len, env, msgid);
}

int m4rpc_msg_error(u8 *out, size_t cap, u32 msgid, const char *prefix,
		    const u8 *name, size_t name_len)
{
	char text[128];
	size_t n = 0, plen = strlen(prefix), q;

	q = name_len > M4RPC_MSG_NAME_QUOTED ? M4RPC_MSG_NAME_QUOTED : name_len;
	if (plen + q + 5 > sizeof(text))
		return -EMSGSIZE;
	memcpy(text, prefix, plen);
	n = plen;
	text[n++] = '\'';
	memcpy(text + n, name, q);
	n += q;
	if (q < name_len) {
		memcpy(text + n, "...", 3);
		n += 3;
	}
	text[n++] = '\'';
	return m4rpc_mp_rpc_write_error(out, cap, msgid, text, n);
}
