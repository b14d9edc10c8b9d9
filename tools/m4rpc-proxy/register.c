// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Port 5000: register(port, [names]), as the stock containers send it:
 * names as str or as old-style raw bytes, msgids from 0, the connection
 * kept open (or closed at once: the registration stays either way). The
 * reply is the stock one, [1, msgid, nil, ""]; a refusal is an error
 * reply saying why.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpframe.h"
#include "proxy.h"

#define REG_NAMES_MAX	64

static void reply(int fd, const uint8_t *id, size_t idlen, const char *err)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	if (err) {
		proxy_pack_error_reply(&sb, id, idlen, "m4rpc-proxy: %s", err);
	} else {
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		msgpack_pack_int(&pk, 1);
		msgpack_sbuffer_write(&sb, (const char *)id, idlen);
		msgpack_pack_nil(&pk);
		msgpack_pack_str(&pk, 0);
	}
	if (net_write_all(fd, sb.data, sb.size, 5000))
		proxy_log(LOG_INFO_, "5000: a reply could not be written");
	msgpack_sbuffer_destroy(&sb);
}

static bool is_name(const msgpack_object *o)
{
	return (o->type == MSGPACK_OBJECT_STR || o->type == MSGPACK_OBJECT_BIN) &&
		o->via.str.size && o->via.str.size <= PROXY_NAME_MAX &&
		!memchr(o->via.str.ptr, 0, o->via.str.size);
}

/* register's params [port, [names]]: NULL, or why they are refused. */
static const char *do_register(const msgpack_object *params, char *err,
			       size_t errlen)
{
	char *names[REG_NAMES_MAX];
	const msgpack_object *port, *list;
	uint32_t i, n = 0;
	const char *why = NULL;

	if (params->type != MSGPACK_OBJECT_ARRAY || params->via.array.size != 2)
		return "register takes two arguments: (port, [names])";
	port = &params->via.array.ptr[0];
	list = &params->via.array.ptr[1];
	if (port->type != MSGPACK_OBJECT_POSITIVE_INTEGER || !port->via.u64 ||
	    port->via.u64 > 65535)
		return "register's port must be an integer 1..65535";
	if (list->type != MSGPACK_OBJECT_ARRAY)
		return "register's names must be an array of strings";
	if (list->via.array.size > REG_NAMES_MAX)
		return "at most 64 names per port";
	for (i = 0; i < list->via.array.size; i++) {
		const msgpack_object *o = &list->via.array.ptr[i];

		if (!is_name(o)) {
			why = "each name must be a string of 1 to 64 bytes";
			break;
		}
		names[n] = strndup(o->via.str.ptr, o->via.str.size);
		if (names[n])
			n++;
	}
	if (!why && registry_add(port->via.u64, names, n, err, errlen))
		why = err;
	for (i = 0; i < n; i++)
		free(names[i]);
	return why;
}

static void handle(int fd, const uint8_t *p, size_t n)
{
	msgpack_unpacked u;
	size_t off[5], o = 0;
	const msgpack_object *m, *params;
	char err[300];
	const char *why;

	if (mpf_array(p, n, off, 4) != 4 || p[off[0]] != 0x00) {
		proxy_log(LOG_INFO_, "5000: a message that is no request: dropped");
		return;
	}
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, (const char *)p, n, &o) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&u);
		return;
	}
	m = &u.data.via.array.ptr[2];
	params = &u.data.via.array.ptr[3];
	if ((m->type != MSGPACK_OBJECT_STR && m->type != MSGPACK_OBJECT_BIN) ||
	    m->via.str.size != 8 || memcmp(m->via.str.ptr, "register", 8))
		why = "port 5000 takes register(port, [names]) only; calls to the M4 go to port 5001";
	else
		why = do_register(params, err, sizeof(err));
	reply(fd, p + off[1], off[2] - off[1], why);
	msgpack_unpacked_destroy(&u);
}

void register_conn(int fd)
{
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;

	for (;;) {
		n = net_read_msg(fd, &buf, &cap, &len, -1);
		if (n <= 0) {
			if (n < 0 && n != -ECONNRESET)
				proxy_log(LOG_INFO_, "5000: closing a connection: %s",
					  n == -EPROTO ? "bytes that are no msgpack" : strerror(-n));
			break;
		}
		handle(fd, buf, n);
		net_consume(buf, &len, n);
	}
	free(buf);
	close(fd);
}
