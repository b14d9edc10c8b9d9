// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Sockets for the proxy: writes that finish or fail within a time (so a
 * client that does not read cannot hold a thread forever), and reads of
 * whole msgpack messages however TCP splits them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mpframe.h"
#include "proxy.h"

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(long deadline)
{
	long left = deadline - ms_now();

	return left < 0 ? 0 : (int)left;
}

int net_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	long deadline = ms_now() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		n = poll(&pfd, 1, ms_left(deadline));
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

void net_consume(uint8_t *buf, size_t *len, size_t n)
{
	memmove(buf, buf + n, *len - n);
	*len -= n;
}

ssize_t net_read_msg(int fd, uint8_t **buf, size_t *cap, size_t *len,
		     int timeout_ms)
{
	long deadline = ms_now() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t m, n;
	uint8_t *nb;

	for (;;) {
		m = mpf_len(*buf, *len);
		if (m > 0)
			return m;
		if (m < 0)
			return -EPROTO;
		if (*len == *cap) {
			if (*cap >= PROXY_MSG_MAX)
				return -EMSGSIZE;
			nb = realloc(*buf, *cap ? *cap * 2 : 4096);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = *cap ? *cap * 2 : 4096;
		}
		if (timeout_ms >= 0) {
			n = poll(&pfd, 1, ms_left(deadline));
			if (n == 0)
				return -ETIMEDOUT;
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
		}
		n = recv(fd, *buf + *len, *cap - *len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += n;
	}
}

int net_dial_local(unsigned int port, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, err = 0, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, timeout_ms) != 1) {
		close(fd);
		return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) || err) {
		close(fd);
		return err ? -err : -EIO;
	}
	return fd;
}

void proxy_pack_error_reply(msgpack_sbuffer *sb, const void *msgid,
			    size_t msgid_len, const char *fmt, ...)
{
	msgpack_packer pk;
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_int(&pk, 1);
	msgpack_sbuffer_write(sb, msgid, msgid_len);
	msgpack_pack_str(&pk, strlen(text));
	msgpack_pack_str_body(&pk, text, strlen(text));
	msgpack_pack_nil(&pk);
}
