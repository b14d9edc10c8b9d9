// SPDX-License-Identifier: GPL-2.0
/*
 * The link's module parameters (kernel/README.md has the table). Both are
 * writable at run time and read where they are used, with READ_ONCE().
 */
#include "m4rpc_param.h"
#include "link_priv.h"

M4RPC_PARAM_UINT(ack_timeout_ms, 5000, 10, 600000, 0644,
		 "ms the H7 may take to answer; edge mode: missed-edge recovery bound");
M4RPC_PARAM_UINT(poll_ms, 10, 1, 10000, 0644,
		 "polling period without an interrupt, ms");
