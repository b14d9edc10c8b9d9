/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM tests of libm4rpc: the simulated board of selftests/common/board.h
 * with a library board on its /dev/m4rpcN.
 */
#ifndef M4RPC_LIB_BOARD_H
#define M4RPC_LIB_BOARD_H

#include "board.h"
#include "m4rpc.h"

#define LIB_T_MS	10000

/*
 * board_up() with @cfg for board 0 (NULL: the echo sketch) and *@b that
 * board opened with the library, the M4 in @cfg's state: 0 or an errno
 * (the library's sentence on stderr).
 */
int lib_board_up(struct board_env *env, const struct h7emu_config *cfg,
		 struct m4rpc_board **b);
/* *@b closed (may be NULL), then board_down(). */
void lib_board_down(struct board_env *env, struct m4rpc_board *b);

/* A library board on board 0's device once more: a second session. */
struct m4rpc_board *lib_board_open(struct board_env *env);

/* The counter @name of m4rpc_board_session_counters(), -1 if none. */
long long lib_session_counter(struct m4rpc_board *b, const char *name);

/*
 * FIXTURE(@f) with a board and a library board on it: each test brings
 * them up with lib_board_up(&self->env, cfg, &self->b); the teardown takes
 * down what came up.
 */
#define LIB_FIXTURE(f)						\
	FIXTURE(f) {						\
		struct board_env env;				\
		struct m4rpc_board *b;				\
	};							\
	FIXTURE_SETUP(f)					\
	{							\
		self->b = NULL;					\
	}							\
	FIXTURE_TEARDOWN(f)					\
	{							\
		lib_board_down(&self->env, self->b);		\
	}

#endif /* M4RPC_LIB_BOARD_H */
