// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Port 5001: a client's calls and notifications to the M4. One thread per
 * connection and one board session per connection, so clients never wait
 * for each other and each reply goes to the connection its call came on,
 * matched by the library's own msgid and given back the client's (its
 * bytes as they came; clients of msgpack-python 0.5 count from 0). A
 * connection may carry one call and close (the stock clients) or many,
 * several in flight (each reply is written when it comes, in any order).
 * The params go to the M4 as the client packed them.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpframe.h"
#include "proxy.h"

#define WRITE_TIMEOUT_MS	5000	/* a client that reads no replies */

struct conn {
	int fd;
	struct m4rpc_board *b;
	unsigned int pending;
	bool dead;			/* its socket failed: read no more */
};

struct pend {
	struct conn *c;
	size_t idlen;
	uint8_t id[9];			/* a msgpack integer is 9 bytes at most */
};

static void send_reply(struct conn *c, msgpack_sbuffer *sb)
{
	int ret;

	if (c->dead)
		return;
	ret = net_write_all(c->fd, sb->data, sb->size, WRITE_TIMEOUT_MS);
	if (ret) {
		proxy_log(LOG_INFO_, "5001: a client's reply could not be written (%s): closing it",
			  strerror(-ret));
		c->dead = true;
	}
}

static void on_reply(struct m4rpc_board *b, int err, struct m4rpc_result *res,
		     void *data)
{
	struct pend *p = data;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	if (res) {
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		msgpack_pack_int(&pk, 1);
		msgpack_sbuffer_write(&sb, (const char *)p->id, p->idlen);
		msgpack_pack_object(&pk, *m4rpc_result_error_object(res));
		msgpack_pack_object(&pk, *m4rpc_result_object(res));
	} else if (err == -ETIMEDOUT) {
		proxy_pack_error_reply(&sb, p->id, p->idlen,
				       "m4rpc-proxy: no reply from the M4 within %d ms",
				       proxy_cfg.call_timeout_ms);
	} else {
		proxy_pack_error_reply(&sb, p->id, p->idlen, "m4rpc-proxy: %s",
				       m4rpc_strerror(err));
	}
	send_reply(p->c, &sb);
	msgpack_sbuffer_destroy(&sb);
	m4rpc_result_free(res);
	p->c->pending--;
	free(p);
}

/* A str (or bin, or old raw) element as a C string of 1..64 bytes. */
static bool name_of(const uint8_t *p, size_t n, char *out)
{
	msgpack_unpacked u;
	size_t off = 0, len;
	bool ok = false;

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, (const char *)p, n, &off) == MSGPACK_UNPACK_SUCCESS &&
	    (u.data.type == MSGPACK_OBJECT_STR || u.data.type == MSGPACK_OBJECT_BIN)) {
		len = u.data.via.str.size;
		if (len && len <= PROXY_NAME_MAX && !memchr(u.data.via.str.ptr, 0, len)) {
			memcpy(out, u.data.via.str.ptr, len);
			out[len] = 0;
			ok = true;
		}
	}
	msgpack_unpacked_destroy(&u);
	return ok;
}

static bool is_array(uint8_t b)
{
	return (b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd;
}

static void reply_error_now(struct conn *c, const uint8_t *id, size_t idlen,
			    const char *text)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	proxy_pack_error_reply(&sb, id, idlen, "m4rpc-proxy: %s", text);
	send_reply(c, &sb);
	msgpack_sbuffer_destroy(&sb);
}

static bool board_ready(struct conn *c)
{
	if (!c->b)
		c->b = m4rpc_board_open_index(proxy_cfg.board);
	return c->b;
}

/* One whole message of the client: false to close the connection. */
static bool handle(struct conn *c, const uint8_t *p, size_t n)
{
	char method[PROXY_NAME_MAX + 1];
	size_t off[5];
	struct pend *pd;
	int cnt, ret;

	cnt = mpf_array(p, n, off, 4);
	if (cnt == 4 && p[off[0]] == 0x00) {
		const uint8_t *id = p + off[1];
		size_t idlen = off[2] - off[1];

		if (idlen > sizeof(pd->id) || !(id[0] <= 0x7f || (id[0] >= 0xcc && id[0] <= 0xd3) ||
						 id[0] >= 0xe0)) {
			proxy_log(LOG_INFO_, "5001: a request whose msgid is no integer: closing the connection");
			return false;
		}
		if (!name_of(p + off[2], off[3] - off[2], method)) {
			reply_error_now(c, id, idlen, "the method's name must be a string of 1 to 64 bytes");
			return true;
		}
		if (!is_array(p[off[3]])) {
			reply_error_now(c, id, idlen, "the params must be an array");
			return true;
		}
		if (!board_ready(c)) {
			reply_error_now(c, id, idlen, m4rpc_last_error());
			return true;
		}
		pd = calloc(1, sizeof(*pd));
		if (!pd) {
			reply_error_now(c, id, idlen, "out of memory");
			return true;
		}
		pd->c = c;
		pd->idlen = idlen;
		memcpy(pd->id, id, idlen);
		ret = m4rpc_call_async_packed(c->b, proxy_cfg.call_timeout_ms, on_reply,
					      pd, method, p + off[3], off[4] - off[3]);
		if (ret < 0) {
			reply_error_now(c, id, idlen, m4rpc_last_error());
			free(pd);
			return true;
		}
		c->pending++;
		proxy_log(LOG_DEBUG_, "5001: call %s", method);
		return true;
	}
	if (cnt == 3 && p[off[0]] == 0x02) {
		if (!name_of(p + off[1], off[2] - off[1], method) || !is_array(p[off[2]])) {
			proxy_log(LOG_INFO_, "5001: a notification without a name or params: dropped");
			return true;
		}
		if (!board_ready(c) ||
		    m4rpc_notify_packed(c->b, method, p + off[2], off[3] - off[2]))
			proxy_log(LOG_INFO_, "5001: notification %s not sent: %s", method,
				  m4rpc_last_error());
		return true;
	}
	proxy_log(LOG_INFO_, "5001: a message that is no request or notification (%d elements): dropped",
		  cnt);
	return true;
}

void calls_conn(int fd)
{
	struct conn c = { .fd = fd };
	struct pollfd pfd[2];
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	bool eof = false;
	ssize_t m, n;
	int nfd, t;

	for (;;) {
		if ((eof || c.dead) && !c.pending)
			break;
		nfd = 0;
		pfd[0].fd = (eof || c.dead) ? -1 : fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = c.b ? m4rpc_board_fd(c.b) : -1;
		pfd[1].events = POLLIN;
		nfd = 2;
		t = c.b ? m4rpc_board_next_timeout(c.b) : -1;
		if (poll(pfd, nfd, t) < 0 && errno != EINTR)
			break;
		if (c.b && m4rpc_board_dispatch(c.b) < 0) {
			/*
			 * The board went away, its calls failed (answered):
			 * the next request opens it again.
			 */
			m4rpc_board_close(c.b);
			c.b = NULL;
			c.pending = 0;
		}
		if (pfd[0].fd < 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (len == cap) {
			uint8_t *nb;

			if (cap >= PROXY_MSG_MAX) {
				proxy_log(LOG_INFO_, "5001: a message over %d bytes: closing the connection",
					  PROXY_MSG_MAX);
				break;
			}
			nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			eof = true;
			continue;
		}
		len += n;
		while ((m = mpf_len(buf, len)) > 0) {
			if (!handle(&c, buf, m)) {
				c.dead = true;
				break;
			}
			net_consume(buf, &len, m);
		}
		if (m < 0) {
			proxy_log(LOG_INFO_, "5001: bytes that are no msgpack: closing the connection");
			c.dead = true;
		}
	}
	m4rpc_board_close(c.b);
	free(buf);
	close(fd);
}
