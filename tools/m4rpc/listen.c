// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc listen: bind methods and print what the M4 sends for them, one
 * JSON line each; the M4's Serial output (the "tty" notifications' bin
 * payloads) as the text it is; or, with --raw, the raw endpoint's bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define LISTEN_MAX	64	/* names a session binds at most */

struct listen {
	bool json;
	long count;		/* messages to print, -1 unlimited */
	long seen;
	int status;
};

static void listen_usage(FILE *f)
{
	fprintf(f,
"usage: %s listen [-d N|PATH] [-n COUNT] [-t MS] [--json] [-q] [METHOD]...\n"
"       %s listen --raw [-d N|PATH] [-t MS]\n"
"Bind each METHOD (default: tty) and print what the M4 sends for it:\n"
"  - the M4's Serial output (notifications of \"tty\", Serial.print() on the\n"
"    M4) as the text it is, unless --json;\n"
"  - every other notification as one line of JSON,\n"
"      {\"method\":\"NAME\",\"params\":[...]}\n"
"  - a call of the M4 as {\"method\":\"NAME\",\"params\":[...],\"call\":true};\n"
"    it is answered with nil (to answer with something else: m4rpc serve).\n"
"Values print as `m4rpc call --help` says (bin as {\"$bin\":\"HEX\"}).\n"
"Once bound, \"listening\" is said on stderr (unless -q).\n"
"\n"
"  -d, --device N|PATH  the board (default 0)\n"
"  -n, --count COUNT    exit after COUNT messages (0: never, the default)\n"
"  -t, --timeout MS     exit with status 3 when nothing came for MS ms\n"
"  -j, --json           tty too as JSON lines\n"
"  -r, --raw            the M4's raw endpoint (RPC.write() on the M4) to\n"
"                       stdout as bytes, no messages\n"
"  -q, --quiet          no \"listening\" line\n"
"  -h, --help           this text\n"
"A name another program binds already is refused (exit 8, the sentence\n"
"says so). Exit status: 0 (COUNT reached, or interrupted), 2 usage,\n"
"3 timeout, 6 no board, 8 other.\n",
		tool_prog, tool_prog);
}

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'n' },
	{ "timeout", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "raw", no_argument, NULL, 'r' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

static void print_msg(struct listen *l, const struct m4rpc_request *req)
{
	const msgpack_object *p = m4rpc_request_params(req);
	const char *m = m4rpc_request_method(req);
	json_t *j;
	char *s;

	if (!l->json && !strcmp(m, "tty") && !m4rpc_request_is_call(req) &&
	    p->via.array.size == 1 && (p->via.array.ptr[0].type == MSGPACK_OBJECT_BIN ||
				      p->via.array.ptr[0].type == MSGPACK_OBJECT_STR)) {
		/* str and bin share the layout of their ptr and size. */
		fwrite(p->via.array.ptr[0].via.bin.ptr, 1,
		       p->via.array.ptr[0].via.bin.size, stdout);
	} else {
		j = json_object();
		json_object_set_new(j, "method", json_string(m));
		json_object_set_new(j, "params", jm_to_json(p));
		if (m4rpc_request_is_call(req))
			json_object_set_new(j, "call", json_true());
		s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
		json_decref(j);
		if (s)
			printf("%s\n", s);
		free(s);
	}
	if (fflush(stdout)) {
		tool_err("listen", "writing stdout: %s", strerror(errno));
		l->status = EXIT_FAIL;
		l->count = l->seen;
	}
	l->seen++;
}

static int on_call(struct m4rpc_board *b, struct m4rpc_request *req, void *data)
{
	print_msg(data, req);
	return m4rpc_request_reply(req, NULL);
}

static void on_notify(struct m4rpc_board *b, const struct m4rpc_request *req,
		      void *data)
{
	print_msg(data, req);
}

static int listen_raw(struct m4rpc_board *b, int timeout)
{
	char buf[4096];
	ssize_t n;

	n = m4rpc_board_set_raw(b);
	if (n)
		return tool_lib_err("listen", n);
	for (;;) {
		n = m4rpc_board_read_raw(b, buf, sizeof(buf), timeout);
		if (n == -EOVERFLOW) {
			tool_err("listen", "raw bytes were dropped: the kernel's buffer was full (read faster)");
			continue;
		}
		if (n < 0)
			return tool_lib_err("listen", n);
		if (fwrite(buf, 1, n, stdout) != (size_t)n || fflush(stdout)) {
			tool_err("listen", "writing stdout: %s", strerror(errno));
			return EXIT_FAIL;
		}
	}
}

int cmd_listen(int argc, char **argv)
{
	struct listen l = { .count = -1 };
	const char *dev = NULL;
	static char *tty[] = { "tty" };
	char **names = tty, *end;
	int timeout = -1, c, ret, n = 1, i;
	bool raw = false, quiet = false;
	struct m4rpc_board *b;
	struct pollfd pfd;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:n:t:jrqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'n':
			l.count = strtol(optarg, &end, 10);
			if (!*optarg || *end || l.count < 0)
				return tool_usage_err("listen", "'%s': COUNT is a number, 0 or more", optarg);
			if (!l.count)
				l.count = -1;
			break;
		case 't':
			if (tool_parse_ms("listen", optarg, &timeout))
				return EXIT_USAGE;
			break;
		case 'j':
			l.json = true;
			break;
		case 'r':
			raw = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			listen_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s listen --help'.\n", tool_prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (raw)
			return tool_usage_err("listen", "--raw takes no METHOD");
		names = argv + optind;
		n = argc - optind;
		if (n > LISTEN_MAX)
			return tool_usage_err("listen", "at most %d methods", LISTEN_MAX);
	}
	b = tool_open("listen", dev, &ret);
	if (!b)
		return ret;
	if (raw) {
		if (!quiet)
			fprintf(stderr, "%s listen: listening to the raw endpoint of %s\n",
				tool_prog, m4rpc_board_path(b));
		ret = listen_raw(b, timeout);
		m4rpc_board_close(b);
		return ret;
	}
	for (i = 0; i < n; i++) {
		ret = m4rpc_board_serve(b, names[i], on_call, &l);
		if (!ret)
			ret = m4rpc_board_serve_notifications(b, names[i], on_notify, &l);
		if (ret) {
			ret = tool_lib_err("listen", ret);
			m4rpc_board_close(b);
			return ret == EXIT_USAGE ? EXIT_FAIL : ret;
		}
	}
	if (!quiet) {
		fprintf(stderr, "%s listen: listening on %s to", tool_prog,
			m4rpc_board_path(b));
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fputc('\n', stderr);
	}
	pfd.fd = m4rpc_board_fd(b);
	pfd.events = POLLIN;
	while (l.count < 0 || l.seen < l.count) {
		ret = poll(&pfd, 1, timeout);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret == 0) {
			tool_err("listen", "nothing came for %d ms", timeout);
			l.status = EXIT_TIMEOUT;
			break;
		}
		ret = m4rpc_board_dispatch(b);
		if (ret < 0) {
			l.status = tool_lib_err("listen", ret);
			break;
		}
	}
	m4rpc_board_close(b);
	return l.status;
}
