// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc call and m4rpc notify: the arguments typed as JSON words
 * (jsonmp.c), packed into one params array, sent through the library.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define CALL_TIMEOUT_MS	2000

static void call_usage(FILE *f, bool notify)
{
	fprintf(f,
"usage: %s %s [-d N|PATH] %s[-w MS] METHOD [ARG]...\n"
"%s\n"
"\n"
"  -d, --device N|PATH  the board (default 0: /dev/m4rpc0)\n"
"%s"
"  -w, --wait MS        first wait up to MS ms for the M4 to run RPC\n"
"                       (after a reset, a flash, loading the module)\n"
"  -h, --help           this text\n"
"\n"
"Each ARG is one argument of the method, typed like JSON:\n"
"  true false null 42 -1 3.5 \"text\" [1,2] {\"k\":1}\n"
"  a bare word (hello) is a string; str:TEXT is TEXT as a string even when\n"
"  it looks like JSON (str:42); f32:3.5 a float32 (JSON reals are float64);\n"
"  u64:N an unsigned integer up to 2^64-1; bytes (msgpack bin):\n"
"  hex:0a1b, @FILE (the file's bytes, @- stdin), or {\"$bin\":\"0a1b\"};\n"
"  {\"$ext\":[TYPE,\"0a1b\"]} an extension type.\n"
"%s"
"\n"
"Exit status: 0 success, 1 the M4 replied an error, 2 usage, 3 timeout,\n"
"4 no such method, 5 the M4 runs no RPC, 6 no board, 7 the H7 firmware\n"
"clips frames (53df799), 8 other (see `m4rpc --help`).\n",
		tool_prog, notify ? "notify" : "call",
		notify ? "" : "[-t MS] ",
		notify ? "Send the M4 a notification [2, METHOD, [ARG...]]: no reply." :
		"Call METHOD of the M4's sketch and print its result as one line of JSON.",
		notify ? "" :
"  -t, --timeout MS     wait at most MS ms for the reply (default 2000,\n"
"                       -1 forever)\n",
		notify ? "" :
"\n"
"The result is printed as JSON: integers, floats (float32 with 7 digits),\n"
"strings, arrays, maps (a key that is no string printed as its JSON text);\n"
"bytes (bin) as {\"$bin\":\"HEX\"}, an ext as {\"$ext\":[TYPE,\"HEX\"]}, a str\n"
"that is not UTF-8 as {\"$str\":\"HEX\"}, NaN and infinities as strings, an\n"
"integer over 2^63-1 as a float.\n"
"An error reply of the M4 goes to stderr with its text.\n");
}

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "timeout", required_argument, NULL, 't' },
	{ "wait", required_argument, NULL, 'w' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

/* The params array of argv[0..argc): 0, or EXIT_USAGE said. */
static int pack_params(const char *sub, msgpack_sbuffer *sb, int argc,
		       char **argv)
{
	msgpack_packer pk;
	char err[256];
	int i;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, argc);
	for (i = 0; i < argc; i++) {
		if (jm_pack_arg(&pk, argv[i], err, sizeof(err))) {
			msgpack_sbuffer_destroy(sb);
			return tool_usage_err(sub, "argument %d: %s", i + 1, err);
		}
	}
	return 0;
}

/*
 * A failure of the board: the 53df799 defect is said first when known.
 * @code 0: the M4 did not come up in time (-w).
 */
static int board_err(const char *sub, struct m4rpc_board *b, int code)
{
	struct m4rpc_board_info *info = m4rpc_board_get_info(b);
	const char *clips = info ? tool_fw_clips(m4rpc_board_info_index(info)) : NULL;

	m4rpc_board_info_free(info);
	if (!code && !clips) {
		tool_err(sub, "%s", m4rpc_last_error());
		fprintf(stderr, "%s %s: `m4rpc info` tells what the link and the M4 do\n",
			tool_prog, sub);
		return EXIT_M4_DOWN;
	}
	if (clips && code != -M4RPC_E_NO_METHOD && code != -M4RPC_E_REMOTE &&
	    code != -M4RPC_E_ARGC) {
		tool_err(sub, "%s: %s", m4rpc_board_path(b), clips);
		return EXIT_FIRMWARE;
	}
	return tool_lib_err(sub, code);
}

static int call_or_notify(int argc, char **argv, bool notify)
{
	const char *sub = notify ? "notify" : "call", *dev = NULL;
	int timeout = CALL_TIMEOUT_MS, wait = -2, c, ret, status;
	struct m4rpc_result *res = NULL;
	struct m4rpc_board *b;
	msgpack_sbuffer sb;
	char *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, notify ? "+d:w:h" : "+d:t:w:h",
				opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 't':
			if (tool_parse_ms(sub, optarg, &timeout))
				return EXIT_USAGE;
			break;
		case 'w':
			if (tool_parse_ms(sub, optarg, &wait))
				return EXIT_USAGE;
			break;
		case 'h':
			call_usage(stdout, notify);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", tool_prog, sub);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return tool_usage_err(sub, "no METHOD given");
	if (!argv[optind][0] || strlen(argv[optind]) > 64)
		return tool_usage_err(sub, "'%s': a method name is 1 to 64 bytes long",
				      argv[optind]);
	if (pack_params(sub, &sb, argc - optind - 1, argv + optind + 1))
		return EXIT_USAGE;
	b = tool_open(sub, dev, &status);
	if (!b) {
		msgpack_sbuffer_destroy(&sb);
		return status;
	}
	ret = wait >= -1 ? m4rpc_board_wait_m4(b, wait) : 0;
	if (ret == -ETIMEDOUT) {
		/* -w: the M4 did not come up, which is not a call's timeout. */
		status = board_err(sub, b, 0);
		m4rpc_board_close(b);
		msgpack_sbuffer_destroy(&sb);
		return status;
	}
	if (!ret && notify)
		ret = m4rpc_notify_packed(b, argv[optind], sb.data, sb.size);
	else if (!ret)
		ret = m4rpc_call_packed(b, timeout, &res, argv[optind], sb.data,
					sb.size);
	msgpack_sbuffer_destroy(&sb);
	if (ret) {
		status = board_err(sub, b, ret);
		m4rpc_board_close(b);
		return status;
	}
	status = EXIT_OK;
	if (res) {
		out = jm_dump(m4rpc_result_object(res));
		if (out && printf("%s\n", out) > 0 && fflush(stdout) == 0) {
			status = EXIT_OK;
		} else {
			tool_err(sub, "cannot print the result (out of memory, or stdout closed)");
			status = EXIT_FAIL;
		}
		free(out);
		m4rpc_result_free(res);
	}
	m4rpc_board_close(b);
	return status;
}

int cmd_call(int argc, char **argv)
{
	return call_or_notify(argc, argv, false);
}

int cmd_notify(int argc, char **argv)
{
	return call_or_notify(argc, argv, true);
}
