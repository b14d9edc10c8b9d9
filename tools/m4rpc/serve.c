// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc serve METHOD -- CMD [ARG]...: each call of METHOD from the M4 runs
 * CMD with the call's params as one line of JSON on its stdin; what CMD
 * prints is the result, typed as a command-line argument of `m4rpc call`
 * (42 an integer, a bare word a string, JSON as JSON), or a string with
 * --text. CMD failing (exit status not 0, killed, too slow) answers the M4
 * with an error saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define SERVE_OUT_MAX	4096	/* bytes of CMD's output taken */

struct serve {
	char **cmd;
	int timeout_ms;
	bool text;
	long count, seen;
};

static void serve_usage(FILE *f)
{
	fprintf(f,
"usage: %s serve [-d N|PATH] [-t MS] [-n COUNT] [--text] METHOD -- CMD [ARG]...\n"
"Answer the M4's calls of METHOD (RPC.call(\"METHOD\", ...) in the sketch)\n"
"with the output of a command. For each call CMD runs with the params as\n"
"one line of JSON on its stdin ([1,\"a\"]; bin as {\"$bin\":\"HEX\"}); its\n"
"stdout (at most %d bytes, one trailing newline dropped) is the result,\n"
"typed as an argument of `m4rpc call` is: 42 an integer, 3.5 a float,\n"
"true, null, [1,2], a bare word a string; with --text always a string.\n"
"Empty output answers nil. If CMD exits with another status than 0, is\n"
"killed, or takes longer than -t MS, the M4 gets an error reply saying so\n"
"(CMD's stderr goes to ours). Notifications of METHOD run CMD too.\n"
"\n"
"  -d, --device N|PATH  the board (default 0)\n"
"  -t, --timeout MS     CMD's time per call (default 5000), then killed\n"
"  -n, --count COUNT    exit after COUNT calls (default: serve forever)\n"
"      --text           the output is a string, whatever it looks like\n"
"  -q, --quiet          no \"serving\" line on stderr once bound\n"
"  -h, --help           this text\n"
"Exit status: 0 (COUNT reached), 2 usage, 6 no board, 8 other (METHOD\n"
"served by another program: the sentence says so).\n",
		tool_prog, SERVE_OUT_MAX);
}

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "timeout", required_argument, NULL, 't' },
	{ "count", required_argument, NULL, 'n' },
	{ "text", no_argument, NULL, 'T' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run the command with @in on stdin; its output into @out (NUL-ended):
 * its length, or -1 with @why set.
 */
static ssize_t run_cmd(struct serve *s, const char *in, char *out, size_t cap,
		       char *why, size_t wn)
{
	int pin[2], pout[2], st;
	ssize_t len = 0, r;
	long deadline;
	struct pollfd pfd;
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC)) {
		snprintf(why, wn, "m4rpc serve: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, wn, "m4rpc serve: fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		execvp(s->cmd[0], s->cmd);
		fprintf(stderr, "%s serve: %s: %s\n", tool_prog, s->cmd[0], strerror(errno));
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	/* The params are one short line: the pipe takes them whole. */
	if (write(pin[1], in, strlen(in)) < 0 || write(pin[1], "\n", 1) < 0) {
		/* CMD did not read its stdin: that is its choice. */
	}
	close(pin[1]);
	deadline = ms_now() + s->timeout_ms;
	pfd.fd = pout[0];
	pfd.events = POLLIN;
	for (;;) {
		long left = deadline - ms_now();

		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			kill(pid, SIGKILL);
			snprintf(why, wn, "m4rpc serve: %s took longer than %d ms (killed)",
				 s->cmd[0], s->timeout_ms);
			len = -1;
			break;
		}
		r = read(pout[0], out + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
		if ((size_t)len == cap - 1) {
			kill(pid, SIGKILL);
			snprintf(why, wn, "m4rpc serve: %s printed more than %zu bytes",
				 s->cmd[0], cap - 1);
			len = -1;
			break;
		}
	}
	close(pout[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (len >= 0 && WIFEXITED(st) && WEXITSTATUS(st)) {
		snprintf(why, wn, "m4rpc serve: %s exited with status %d",
			 s->cmd[0], WEXITSTATUS(st));
		len = -1;
	} else if (len >= 0 && WIFSIGNALED(st)) {
		snprintf(why, wn, "m4rpc serve: %s was killed by signal %d",
			 s->cmd[0], WTERMSIG(st));
		len = -1;
	}
	if (len >= 0)
		out[len] = 0;
	return len;
}

static int answer(struct serve *s, struct m4rpc_request *req)
{
	char out[SERVE_OUT_MAX + 1], why[512], err[256], *in;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	ssize_t len;
	json_t *p;
	int ret;

	p = jm_to_json(m4rpc_request_params(req));
	in = json_dumps(p, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(p);
	if (!in)
		return m4rpc_request_reply_error(req, "m4rpc serve: out of memory");
	len = run_cmd(s, in, out, sizeof(out), why, sizeof(why));
	free(in);
	if (len < 0) {
		fprintf(stderr, "%s\n", why);
		return m4rpc_request_is_call(req) ? m4rpc_request_reply_error(req, why) : 0;
	}
	if (len && out[len - 1] == '\n')
		out[--len] = 0;
	if (!m4rpc_request_is_call(req))
		return 0;
	if (!len)
		return m4rpc_request_reply(req, NULL);
	if (s->text)
		return m4rpc_request_reply(req, "S", out, (size_t)len);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (strlen(out) != (size_t)len || out[0] == '@') {
		/* NUL bytes or a file name: taken as the text it is. */
		msgpack_pack_str(&pk, len);
		msgpack_pack_str_body(&pk, out, len);
	} else if (jm_pack_arg(&pk, out, err, sizeof(err))) {
		snprintf(why, sizeof(why), "m4rpc serve: %s's output: %s", s->cmd[0], err);
		fprintf(stderr, "%s\n", why);
		msgpack_sbuffer_destroy(&sb);
		return m4rpc_request_reply_error(req, why);
	}
	ret = m4rpc_request_reply_packed(req, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

static int on_call(struct m4rpc_board *b, struct m4rpc_request *req, void *data)
{
	struct serve *s = data;
	int ret = answer(s, req);

	if (ret)
		tool_lib_err("serve", ret);
	if (s->count > 0 && ++s->seen >= s->count)
		m4rpc_board_stop(b);
	return 0;
}

static void on_notify(struct m4rpc_board *b, const struct m4rpc_request *req,
		      void *data)
{
	answer(data, (struct m4rpc_request *)req);
}

int cmd_serve(int argc, char **argv)
{
	struct serve s = { .timeout_ms = 5000, .count = -1 };
	const char *dev = NULL, *method;
	struct m4rpc_board *b;
	bool quiet = false;
	int c, ret;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:t:n:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 't':
			if (tool_parse_ms("serve", optarg, &s.timeout_ms))
				return EXIT_USAGE;
			if (s.timeout_ms < 0)
				s.timeout_ms = 86400000;
			break;
		case 'n':
			s.count = strtol(optarg, &end, 10);
			if (!*optarg || *end || s.count < 0)
				return tool_usage_err("serve", "'%s': COUNT is a number, 0 or more", optarg);
			if (!s.count)
				s.count = -1;
			break;
		case 'T':
			s.text = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			serve_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s serve --help'.\n", tool_prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return tool_usage_err("serve", "no METHOD given");
	method = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		return tool_usage_err("serve", "no command given: %s serve %s -- CMD [ARG]...",
				      tool_prog, method);
	s.cmd = argv + optind;
	signal(SIGPIPE, SIG_IGN);
	b = tool_open("serve", dev, &ret);
	if (!b)
		return ret;
	ret = m4rpc_board_serve(b, method, on_call, &s);
	if (!ret)
		ret = m4rpc_board_serve_notifications(b, method, on_notify, &s);
	if (ret) {
		ret = tool_lib_err("serve", ret);
		m4rpc_board_close(b);
		return ret == EXIT_USAGE ? EXIT_FAIL : ret;
	}
	if (!quiet)
		fprintf(stderr, "%s serve: serving %s on %s\n", tool_prog, method,
			m4rpc_board_path(b));
	ret = m4rpc_board_run(b);
	m4rpc_board_close(b);
	return ret ? tool_lib_err("serve", ret) : EXIT_OK;
}
