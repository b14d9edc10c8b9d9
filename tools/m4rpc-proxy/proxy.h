/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * m4rpc-proxy: what its files share.
 *
 *   main.c      options, the listening sockets, one thread per connection
 *   calls.c     port 5001: clients' calls and notifications to the M4
 *   register.c  port 5000: register(port, [names]), and the state file
 *   serve.c     the M4's calls and notifications of registered names,
 *               forwarded to 127.0.0.1:PORT, one session per port
 *   net.c       sockets: whole writes, one message read with a deadline
 *   ../../lib/mpframe.c  where msgpack messages end in a byte stream
 *
 * Threads and locks: a thread per client connection (it alone touches its
 * socket and its own board session), a thread per registered port (it
 * runs that port's session: the M4's calls of its names, one at a time),
 * and the accept threads. The one shared state is the registry (serve.c),
 * under its mutex, never held while waiting for the network or the M4.
 */
#ifndef M4RPC_PROXY_H
#define M4RPC_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <msgpack.h>
#include <m4rpc.h>

#define PROXY_MSG_MAX	(1024 * 1024)	/* longest message taken from a socket */
#define PROXY_NAME_MAX	64		/* longest method name (m4rpc_board_serve()) */

struct proxy_config {
	unsigned int board;		/* /dev/m4rpcN */
	int call_timeout_ms;		/* a client's call to the M4 */
	int serve_timeout_ms;		/* a registrant's answer to the M4 */
	const char *state_file;		/* registrations, kept across restarts */
	int verbose;
};

extern struct proxy_config proxy_cfg;

/* main.c: a line on stderr (the journal), with the level's prefix. */
void proxy_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define LOG_ERR_	0
#define LOG_INFO_	1
#define LOG_DEBUG_	2

/* One connection's thread bodies (they own @fd and close it). */
void calls_conn(int fd);
void register_conn(int fd);

/* serve.c: the registry. */
int registry_load(void);		/* at start: re-bind what was kept */
/* Register @names (@n of them) for @port: 0, or -1 and @err said. */
int registry_add(unsigned int port, char **names, size_t n, char *err,
		 size_t errlen);

/* net.c */
int net_write_all(int fd, const void *buf, size_t len, int timeout_ms);
/*
 * One whole msgpack message from @fd into @buf (grown as needed; @len is
 * what it holds, bytes after the message stay in it): the message's
 * length, 0 at end of stream, -ETIMEDOUT, -EMSGSIZE, -EPROTO (no
 * msgpack) or -errno.
 */
ssize_t net_read_msg(int fd, uint8_t **buf, size_t *cap, size_t *len,
		     int timeout_ms);
/* Drop the first @n bytes of @buf. */
void net_consume(uint8_t *buf, size_t *len, size_t n);
int net_dial_local(unsigned int port, int timeout_ms);

/* A packed [1, msgid, error-text, nil] (msgid as its raw bytes). */
void proxy_pack_error_reply(msgpack_sbuffer *sb, const void *msgid,
			    size_t msgid_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* M4RPC_PROXY_H */
