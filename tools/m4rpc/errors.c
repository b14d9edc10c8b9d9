// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Errors of the subcommands: one sentence from the library (or ours), then
 * what to do next, on stderr; and the exit status each error maps to.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "tool.h"

static void vsay(const char *sub, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s%s: ", tool_prog, sub ? " " : "", sub ? sub : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tool_err(const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(sub, fmt, ap);
	va_end(ap);
}

int tool_usage_err(const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(sub, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s%s%s --help'.\n", tool_prog, sub ? " " : "",
		sub ? sub : "");
	return EXIT_USAGE;
}

static const struct {
	int code;
	int status;
	const char *next;
} hints[] = {
	{ -ETIMEDOUT, EXIT_TIMEOUT,
	  "the M4 did not answer in time: a slow method needs a longer -t MS; "
	  "`m4rpc info` shows whether the link and the M4 are up" },
	{ -M4RPC_E_NO_METHOD, EXIT_NO_METHOD,
	  "check the name against the sketch's RPC.bind() calls" },
	{ -M4RPC_E_ARGC, EXIT_REMOTE,
	  "give the method as many arguments as its C++ function takes" },
	{ -M4RPC_E_REMOTE, EXIT_REMOTE,
	  "the M4's method failed: check the arguments' types against its C++ function" },
	{ -M4RPC_E_NO_PROGRAM, EXIT_M4_DOWN,
	  "flash a sketch to the M4 (Arduino IDE or arduino-cli), one that calls RPC.begin()" },
	{ -M4RPC_E_NO_RPC, EXIT_M4_DOWN,
	  "the sketch must call RPC.begin() in setup(); flash one that does" },
	{ -EHOSTDOWN, EXIT_M4_DOWN,
	  "wait a moment and try again; `m4rpc info` tells the link's and the M4's state" },
	{ -M4RPC_E_STOPPED, EXIT_M4_DOWN,
	  "the M4 was restarted or stopped: `m4rpc info` tells what it runs now" },
	{ -M4RPC_E_LOST, EXIT_FAIL,
	  "the H7 dropped bytes of the reply: call again" },
	{ -M4RPC_E_UNBOUND, EXIT_REMOTE, "start the program that serves the method" },
	{ -M4RPC_E_BUSY, EXIT_REMOTE, "try again later" },
	{ -M4RPC_E_CLOSED, EXIT_REMOTE, "the serving program exited: start it again" },
	{ -EMSGSIZE, EXIT_FAIL,
	  "send less: one message must fit one H7 subframe (`m4rpc info` gives max_tx_msg)" },
	{ -ENOENT, EXIT_NO_BOARD,
	  "`m4rpc module status` tells whether m4rpc.ko is loaded and bound" },
	{ -ENODEV, EXIT_NO_BOARD,
	  "the board went away: `m4rpc module status` tells what is loaded" },
	{ -EACCES, EXIT_NO_BOARD,
	  "join the device's group (the sentence names it), or run as root" },
	{ -EPERM, EXIT_NO_BOARD, "run as root" },
	{ -ENOEXEC, EXIT_FIRMWARE,
	  "the H7 firmware (built from 53df799) clips every frame Linux sends: "
	  "flash tag 0.0.5 or a fixed build of portentax8-stm32h7-fw" },
	{ -EINVAL, EXIT_USAGE, "check the arguments (`m4rpc call --help`)" },
};

int tool_lib_err(const char *sub, int code)
{
	const char *text = m4rpc_last_error();
	unsigned int i;

	if (!*text || m4rpc_last_error_code() != code)
		text = m4rpc_strerror(code);
	tool_err(sub, "%s", text);
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].code == code) {
			fprintf(stderr, "%s %s: %s\n", tool_prog, sub, hints[i].next);
			return hints[i].status;
		}
	}
	return EXIT_FAIL;
}
