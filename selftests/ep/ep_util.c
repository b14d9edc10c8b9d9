// SPDX-License-Identifier: GPL-2.0
/*
 * What only the /dev/m4rpcN selftests need; see ep_util.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ep_util.h"

/* Hold the H7 up: the M4 sits on its one rpmsg buffer. */
int ep_hold_h7(struct board_env *env, int fd)
{
	struct h7emu_stats st;
	struct h7emu_faults f;
	uint8_t msg[64];
	size_t n;
	int ret;

	/* A blocked pass of this hold, not of an earlier one. */
	h7emu_get_stats(env->b[0].emu, &st);
	memset(&f, 0, sizeof(f));
	f.slow_m4_ms = 600000;
	ret = h7emu_set_faults(env->b[0].emu, &f);
	if (ret)
		return -ret;
	n = mk_notify_int(msg, "hold", 1);
	if (ep_write_msg(fd, msg, n) || ep_write_msg(fd, msg, n))
		return EIO;
	return h7emu_wait_stat(env->b[0].emu, offsetof(struct h7emu_stats,
							ui_blocked_passes),
			       st.ui_blocked_passes + 1, 5000) ? ETIMEDOUT : 0;
}

int ep_release_h7(struct board_env *env)
{
	struct h7emu_faults f;

	memset(&f, 0, sizeof(f));
	return -h7emu_set_faults(env->b[0].emu, &f);
}
