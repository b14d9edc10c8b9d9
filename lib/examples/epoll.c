// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library in the caller's own event loop: an epoll set with the
 * board's descriptor and a timer. Every timer tick makes an asynchronous
 * echo() call; replies (and timeouts) come back as completions from
 * m4rpc_board_dispatch(), in this thread. Stops after COUNT replies
 * (default 5).
 *
 *   m4rpc-example-epoll [-n COUNT] [/dev/m4rpcN]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <m4rpc.h>

struct loop {
	long sent, done, count;
};

static void on_reply(struct m4rpc_board *board, int err,
		     struct m4rpc_result *res, void *data)
{
	struct loop *l = data;
	int64_t v;

	l->done++;
	if (err)
		printf("echo: %s\n", m4rpc_strerror(err));
	else if (!m4rpc_result_int(res, &v))
		printf("echo %lld\n", (long long)v);
	m4rpc_result_free(res);
}

int main(int argc, char **argv)
{
	struct itimerspec tick = { { 0, 100000000 }, { 0, 100000000 } };
	struct epoll_event ev = { .events = EPOLLIN }, got[4];
	struct loop l = { .count = 5 };
	struct m4rpc_board *board;
	int ep, tfd, opt, n, i, ret = 0;
	uint64_t ticks;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: %s [-n COUNT] [/dev/m4rpcN]\n",
				argv[0]);
			return 2;
		}
		l.count = atol(optarg);
	}
	board = optind < argc ? m4rpc_board_open(argv[optind]) :
		m4rpc_board_open_index(0);
	if (!board || m4rpc_board_wait_m4(board, 5000)) {
		fprintf(stderr, "%s\n", m4rpc_last_error());
		m4rpc_board_close(board);
		return 1;
	}
	ep = epoll_create1(0);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	timerfd_settime(tfd, 0, &tick, NULL);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = m4rpc_board_fd(board);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);

	while (l.done < l.count && !ret) {
		/* the library's next timeout bounds the wait */
		n = epoll_wait(ep, got, 4, m4rpc_board_next_timeout(board));
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (got[i].data.fd != tfd)
				continue;
			if (read(tfd, &ticks, sizeof(ticks)) < 0)
				continue;
			if (l.sent < l.count &&
			    m4rpc_call_async(board, 2000, on_reply, &l, "echo",
					     "I", (int64_t)++l.sent) < 0)
				fprintf(stderr, "%s\n", m4rpc_last_error());
		}
		/* the board's descriptor, and the timeouts: dispatch */
		if (m4rpc_board_dispatch(board) < 0) {
			fprintf(stderr, "%s\n", m4rpc_last_error());
			ret = 1;
		}
	}
	close(tfd);
	close(ep);
	m4rpc_board_close(board);
	return ret;
}
