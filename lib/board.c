// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The board: one session of /dev/m4rpcN, opened and closed, and the
 * descriptor an event loop watches (an epoll set of the session and of
 * the eventfd that says dispatch has kept work).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "m4rpc_priv.h"

static int board_poll_set(struct m4rpc_board *b)
{
	struct epoll_event ev = { .events = EPOLLIN };

	b->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->evfd < 0)
		return -errno;
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epfd < 0)
		return -errno;
	ev.data.fd = b->fd;
	if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->fd, &ev))
		return -errno;
	ev.data.fd = b->evfd;
	if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->evfd, &ev))
		return -errno;
	return 0;
}

/* Name the board @fmt...; the name before stays when memory is short. */
static void board_set_path(struct m4rpc_board *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	free(b->path);
	b->path = p;
}

/* The node's name, for the sentences: from sysfs when opened by fd. */
static void board_name(struct m4rpc_board *b, const char *path)
{
	char dir[96], link[256];
	const char *base;
	ssize_t n;

	if (path)
		return;		/* the caller's, set already */
	board_set_path(b, "/dev/m4rpc%u", b->info.index);
	if (m4rpc__sysfs_dir(b->fd, dir, sizeof(dir)))
		return;
	/* ../../devices/.../m4rpc-ep/m4rpcN: the last part is the node's */
	n = readlink(dir, link, sizeof(link) - 1);
	if (n <= 0 || n == sizeof(link) - 1)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	board_set_path(b, "/dev/%s", base ? base + 1 : link);
}

static struct m4rpc_board *board_new(int fd, const char *path)
{
	struct m4rpc_board *b;
	int ret, flags;

	b = calloc(1, sizeof(*b));
	if (!b) {
		m4rpc__sys.close(fd);
		m4rpc__fail(-ENOMEM, "out of memory");
		return m4rpc__fail_null(-ENOMEM);
	}
	b->fd = fd;
	b->epfd = b->evfd = -1;
	b->done_tail = &b->done;
	b->inq_tail = &b->inq;
	board_set_path(b, "%s", path ? path : "(descriptor)");
	if (!b->path) {
		free(b);
		m4rpc__sys.close(fd);
		m4rpc__fail(-ENOMEM, "out of memory");
		return m4rpc__fail_null(-ENOMEM);
	}
	pthread_mutex_init(&b->lock, NULL);
	/* Deadlines are on CLOCK_MONOTONIC, as m4rpc__deadline() makes them. */
	pthread_condattr_init(&b->condattr);
	pthread_condattr_setclock(&b->condattr, CLOCK_MONOTONIC);

	/* Reads wait in poll(), never in read(); writes wait likewise. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		ret = m4rpc__fail(-errno, "%s: fcntl: %s", b->path,
				  strerror(errno));
		goto err;
	}
	if (m4rpc__sys.ioctl(fd, M4RPC_IOC_INFO, &b->info)) {
		ret = -errno;
		ret = m4rpc__fail(ret == -ENOTTY ? -ENOTTY : ret,
				  "%s: not an m4rpc device (M4RPC_IOC_INFO: %s)",
				  b->path, strerror(-ret));
		goto err;
	}
	board_name(b, path);
	b->rxcap = b->info.max_rx_msg ? b->info.max_rx_msg : 4096;
	b->rxbuf = malloc(b->rxcap);
	if (!b->rxbuf) {
		ret = m4rpc__fail(-ENOMEM, "out of memory");
		goto err;
	}
	ret = board_poll_set(b);
	if (ret) {
		ret = m4rpc__fail(ret, "%s: epoll/eventfd: %s", b->path,
				  strerror(-ret));
		goto err;
	}
	return b;
err:
	m4rpc_board_close(b);
	return m4rpc__fail_null(ret);
}

M4RPC_EXPORT struct m4rpc_board *m4rpc_board_open(const char *path)
{
	int fd;

	if (!path) {
		m4rpc__fail(-EINVAL, "no device path given");
		return m4rpc__fail_null(-EINVAL);
	}
	fd = m4rpc__sys.open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return m4rpc__fail_null(m4rpc__open_error(path, errno));
	return board_new(fd, path);
}

M4RPC_EXPORT struct m4rpc_board *m4rpc_board_open_index(unsigned int index)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/m4rpc%u", index);
	return m4rpc_board_open(path);
}

M4RPC_EXPORT struct m4rpc_board *m4rpc_board_open_fd(int fd)
{
	if (fd < 0) {
		m4rpc__fail(-EBADF, "no descriptor given (%d)", fd);
		return m4rpc__fail_null(-EBADF);
	}
	return board_new(fd, NULL);
}

M4RPC_EXPORT void m4rpc_board_close(struct m4rpc_board *b)
{
	struct m4rpc_binding *bd;
	struct m4rpc_result *m;
	struct m4rpc_async *a;

	if (!b)
		return;
	while ((a = b->asyncs)) {
		b->asyncs = a->next;
		free(a);
	}
	while ((a = b->done)) {
		b->done = a->next;
		m4rpc_result_free(a->reply);
		free(a);
	}
	while ((m = b->inq)) {
		b->inq = m->next;
		m4rpc_result_free(m);
	}
	while ((bd = b->bindings)) {
		b->bindings = bd->next;
		free(bd);
	}
	if (b->epfd >= 0)
		close(b->epfd);
	if (b->evfd >= 0)
		close(b->evfd);
	/* The kernel answers the M4's calls still unanswered. */
	m4rpc__sys.close(b->fd);
	free(b->rxbuf);
	pthread_condattr_destroy(&b->condattr);
	pthread_mutex_destroy(&b->lock);
	free(b->path);
	free(b);
}

M4RPC_EXPORT int m4rpc_board_fd(struct m4rpc_board *b)
{
	return b->epfd;
}

M4RPC_EXPORT const char *m4rpc_board_path(struct m4rpc_board *b)
{
	return b->path;
}
