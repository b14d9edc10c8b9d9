// SPDX-License-Identifier: LGPL-2.1-or-later
/* The VM tests' library board on the simulated board; see lib_board.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib_board.h"

struct m4rpc_board *lib_board_open(struct board_env *env)
{
	struct m4rpc_board *b;
	char path[64];
	int ret;

	ret = board_ep_path(env, 0, path, sizeof(path));
	if (ret) {
		errno = ret;
		return NULL;
	}
	b = m4rpc_board_open(path);
	if (!b)
		fprintf(stderr, "# %s\n", m4rpc_last_error());
	return b;
}

int lib_board_up(struct board_env *env, const struct h7emu_config *cfg,
		 struct m4rpc_board **b)
{
	int ret;

	*b = NULL;
	ret = board_up(env, &(struct board_opts){ .cfg = cfg });
	if (ret)
		return ret;
	*b = lib_board_open(env);
	if (!*b)
		return errno;
	if (cfg && cfg->m4 != H7EMU_M4_RUNNING)
		return 0;
	ret = m4rpc_board_wait_m4(*b, LIB_T_MS);
	if (ret)
		fprintf(stderr, "# %s\n", m4rpc_last_error());
	return -ret;
}

void lib_board_down(struct board_env *env, struct m4rpc_board *b)
{
	m4rpc_board_close(b);
	board_down(env);
}

long long lib_session_counter(struct m4rpc_board *b, const char *name)
{
	struct m4rpc_counter c[64];
	int n, i;

	n = m4rpc_board_session_counters(b, c, 64);
	for (i = 0; i < n && i < 64; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	return -1;
}
