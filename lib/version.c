// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library's version: the repository's VERSION file, given by make. */
#include "m4rpc_priv.h"

#ifndef M4RPC_VERSION
#error "M4RPC_VERSION comes from the VERSION file (lib/lib.mk)"
#endif

M4RPC_EXPORT const char *m4rpc_version_string(void)
{
	return M4RPC_VERSION;
}
