/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * m4rpc, the command: what the subcommands (one source file each) share.
 * Every subcommand is `int cmd_NAME(int argc, char **argv)`, argv[0] being
 * its name, and returns an exit status of enum tool_exit.
 */
#ifndef M4RPC_TOOL_H
#define M4RPC_TOOL_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include <msgpack.h>
#include <m4rpc.h>

/* The exit statuses, as `m4rpc --help` documents them (main.c). */
enum tool_exit {
	EXIT_OK = 0,
	EXIT_REMOTE = 1,	/* the M4 replied with an error */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_TIMEOUT = 3,	/* no reply within the timeout */
	EXIT_NO_METHOD = 4,	/* the sketch bound no such method */
	EXIT_M4_DOWN = 5,	/* the M4 runs no RPC (or not known yet) */
	EXIT_NO_BOARD = 6,	/* no /dev/m4rpcN, no permission, module */
	EXIT_FIRMWARE = 7,	/* the H7 firmware clips frames (53df799) */
	EXIT_FAIL = 8,		/* anything else */
};

extern const char *tool_prog;		/* "m4rpc" */

/* Subcommands. */
int cmd_call(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_module(int argc, char **argv);

/* errors.c: a message on stderr, "m4rpc SUB: ...", then a hint. */
void tool_err(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A library failure @code (negative): m4rpc_last_error()'s sentence, what
 * to do next, and the exit status it maps to.
 */
int tool_lib_err(const char *sub, int code);
int tool_usage_err(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* board.c: open /dev/m4rpcN (-d N or a path); NULL after saying why. */
struct m4rpc_board *tool_open(const char *sub, const char *dev, int *status);
/* "-d N|PATH" into @dev; 0, or EXIT_USAGE said. */
int tool_parse_ms(const char *sub, const char *s, int *ms);
/* The firmware defect's sentence, from sysfs (fw_clips): NULL if sound. */
const char *tool_fw_clips(unsigned int index);

/* jsonmp.c: JSON <-> msgpack (the syntax `m4rpc call --help` gives). */
/* One command-line argument packed into @pk: 0, or -1 with @err set. */
int jm_pack_arg(msgpack_packer *pk, const char *arg, char *err, size_t n);
/* A JSON value packed: 0, or -1 with @err set. */
int jm_pack_json(msgpack_packer *pk, const json_t *j, char *err, size_t n);
/* A msgpack object as JSON (new reference), never NULL but on ENOMEM. */
json_t *jm_to_json(const msgpack_object *o);
/* Printed compactly on one line into a malloc'd string. */
char *jm_dump(const msgpack_object *o);

#endif /* M4RPC_TOOL_H */
