// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc: the M4 sketch of a Portenta X8 from the shell, over libm4rpc and
 * /dev/m4rpcN. One command with subcommands (as libgpiod's tools), each in
 * a file of its own; this one picks the subcommand and holds the help
 * they share.
 */
#include <string.h>

#include "tool.h"

const char *tool_prog = "m4rpc";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} cmds[] = {
	{ "call", cmd_call, "call a method of the M4, print its result as JSON" },
	{ "notify", cmd_notify, "send the M4 a notification" },
	{ "listen", cmd_listen, "print the M4's notifications and calls (Serial output: tty)" },
	{ "serve", cmd_serve, "answer the M4's calls of a method with a command's output" },
	{ "info", cmd_info, "the board: firmware, UID, link, what the M4 runs, limits" },
	{ "stats", cmd_stats, "the link's (and the session's) counters" },
	{ "module", cmd_module, "load, unload or show m4rpc.ko (libkmod)" },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
"usage: %s SUBCOMMAND [OPTION]... [ARG]...\n"
"The M4 core of a Portenta X8 (its Arduino sketch's RPC methods) through\n"
"/dev/m4rpcN (m4rpc.ko) and libm4rpc %s.\n"
"\n"
"Subcommands (each has --help):\n", tool_prog, m4rpc_version_string());
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].what);
	fprintf(f,
"\n"
"Options every board subcommand takes:\n"
"  -d, --device N|PATH   the board: /dev/m4rpcN, or a device path (default 0)\n"
"\n"
"Exit status (every subcommand):\n"
"  0  success\n"
"  1  the M4 replied with an error (its text on stderr): a wrong number or\n"
"     type of arguments, a failure of its method\n"
"  2  usage error: a bad option or argument\n"
"  3  timeout: no reply within -t MS\n"
"  4  no such method: the sketch bound none of that name\n"
"  5  the M4 runs no RPC: no sketch in its flash, a sketch that did not\n"
"     call RPC.begin(), its state not known yet, or it stopped\n"
"  6  no board: m4rpc.ko not loaded, no /dev/m4rpcN, no permission, or\n"
"     (module) not root, the stock x8h7 modules in the way\n"
"  7  the H7 firmware clips received frames (built from 53df799): flash\n"
"     another (`m4rpc info` says so)\n"
"  8  any other failure (message too long, reply lost on the link, ...)\n"
"Every error is one line on stderr, followed by what to do next.\n");
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s (libm4rpc %s)\n", tool_prog, m4rpc_version_string());
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			/* getopt's messages name "m4rpc call", not "call". */
			static char name[32];

			snprintf(name, sizeof(name), "%s %s", tool_prog, argv[1]);
			argv[1] = name;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	}
	return tool_usage_err(NULL, "'%s' is no subcommand", argv[1]);
}
