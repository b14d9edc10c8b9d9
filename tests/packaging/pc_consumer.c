// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A program of someone else's, built by tests/packaging/test_install.sh out
 * of this tree against the installed m4rpc.pc alone: it calls what needs no
 * board (the version, the error names) and prints them, one per line, for
 * the test to compare with VERSION and strerror().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <m4rpc.h>

int main(void)
{
	const char *v = m4rpc_version_string();
	const char *name = m4rpc_strerror(-M4RPC_E_NO_METHOD);

	printf("version %s\n", v);
	printf("etimedout %s\n", m4rpc_strerror(-ETIMEDOUT));
	printf("no_method %s\n", name);
	/* The library's own names are its own, not strerror()'s fallback. */
	return !v || !*v || !name || !*name ||
	       !strcmp(name, m4rpc_strerror(-M4RPC_E_ARGC));
}
