// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The registry: which port serves which of the M4's method names, and a
 * board session per port that binds those names in the kernel. Each
 * port's session has a thread of its own running the library's event
 * loop, so a registrant that is slow or silent holds up only its own
 * names: the M4's calls of it wait (and then get an error reply after
 * serve_timeout_ms), everything else flows. Each call is forwarded over a
 * new connection to 127.0.0.1:PORT, as the stock proxy does (containers
 * publish their server's port to the host), and answered as soon as the
 * registrant's reply is complete.
 *
 * Registrations outlive the connection that made them and, through the
 * state file, the proxy itself: they are written at every change and
 * bound again at start.
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpframe.h"
#include "proxy.h"

#define REG_NAMES_MAX	64		/* what one session may bind */

struct reg {
	unsigned int port;
	char *names[REG_NAMES_MAX];
	size_t n;
	struct m4rpc_board *b;		/* NULL while the board is not open */
	uint32_t seq;			/* msgids towards the registrant */
	struct reg *next;
};

/* Lock order: registry_lock, then nothing (never held across I/O). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg *regs;

static void registry_save(void)
{
	json_t *root, *map, *a;
	char tmp[4096], dir[4096];
	struct reg *r;
	size_t i;

	if (!proxy_cfg.state_file || !*proxy_cfg.state_file)
		return;
	root = json_object();
	map = json_object();
	pthread_mutex_lock(&registry_lock);
	for (r = regs; r; r = r->next) {
		char port[8];

		if (!r->n)
			continue;
		a = json_array();
		for (i = 0; i < r->n; i++)
			json_array_append_new(a, json_string(r->names[i]));
		snprintf(port, sizeof(port), "%u", r->port);
		json_object_set_new(map, port, a);
	}
	pthread_mutex_unlock(&registry_lock);
	json_object_set_new(root, "registrations", map);
	snprintf(dir, sizeof(dir), "%s", proxy_cfg.state_file);
	mkdir(dirname(dir), 0755);
	snprintf(tmp, sizeof(tmp), "%s.tmp", proxy_cfg.state_file);
	if (json_dump_file(root, tmp, JSON_INDENT(1)) || rename(tmp, proxy_cfg.state_file))
		proxy_log(LOG_ERR_, "cannot write the state file %s (%s): registrations will not survive a restart",
			  proxy_cfg.state_file, strerror(errno));
	json_decref(root);
}

/* ---- forwarding the M4's calls ----------------------------------------- */

static void pack_msg(msgpack_sbuffer *sb, struct m4rpc_request *req, uint32_t id)
{
	const char *m = m4rpc_request_method(req);
	msgpack_packer pk;
	bool call = m4rpc_request_is_call(req);

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, call ? 4 : 3);
	msgpack_pack_int(&pk, call ? 0 : 2);
	if (call)
		msgpack_pack_uint32(&pk, id);
	msgpack_pack_str(&pk, strlen(m));
	msgpack_pack_str_body(&pk, m, strlen(m));
	msgpack_pack_object(&pk, *m4rpc_request_params(req));
}

/* The registrant's reply [1, msgid, error, result], given to the M4. */
static int answer_m4(struct reg *r, struct m4rpc_request *req,
		     const uint8_t *p, size_t n)
{
	msgpack_unpacked u;
	size_t off[5], o = 0;
	char text[300];
	int ret;

	if (mpf_array(p, n, off, 4) != 4 || p[off[0]] != 0x01) {
		snprintf(text, sizeof(text), "m4rpc-proxy: the program at port %u answered '%s' with no msgpack-rpc response",
			 r->port, m4rpc_request_method(req));
		return m4rpc_request_reply_error(req, text);
	}
	if (p[off[2]] == 0xc0) {
		ret = m4rpc_request_reply_packed(req, p + off[3], off[4] - off[3]);
		if (ret != -EMSGSIZE && ret != -EINVAL)
			return ret;
		/* The M4 must get an answer: what was wrong with this one. */
		snprintf(text, sizeof(text), "m4rpc-proxy: the answer of port %u to '%s' cannot go to the M4: %s",
			 r->port, m4rpc_request_method(req), m4rpc_last_error());
		proxy_log(LOG_INFO_, "%s", text + strlen("m4rpc-proxy: "));
		return m4rpc_request_reply_error(req, text);
	}
	msgpack_unpacked_init(&u);
	snprintf(text, sizeof(text), "m4rpc-proxy: the program at port %u answered an error that is no string",
		 r->port);
	if (msgpack_unpack_next(&u, (const char *)p + off[2], off[3] - off[2], &o) ==
	    MSGPACK_UNPACK_SUCCESS && (u.data.type == MSGPACK_OBJECT_STR ||
				       u.data.type == MSGPACK_OBJECT_BIN))
		snprintf(text, sizeof(text), "%.*s", (int)u.data.via.str.size,
			 u.data.via.str.ptr);
	msgpack_unpacked_destroy(&u);
	ret = m4rpc_request_reply_error(req, text);
	return ret;
}

static int forward(struct reg *r, struct m4rpc_request *req)
{
	const char *m = m4rpc_request_method(req);
	bool call = m4rpc_request_is_call(req);
	int ms = proxy_cfg.serve_timeout_ms, fd, ret;
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	msgpack_sbuffer sb;
	char text[300];
	ssize_t n;

	msgpack_sbuffer_init(&sb);
	pack_msg(&sb, req, ++r->seq);
	fd = net_dial_local(r->port, ms);
	if (fd < 0) {
		snprintf(text, sizeof(text), "m4rpc-proxy: nothing accepts connections at port %u, registered for '%s' (%s)",
			 r->port, m, strerror(-fd));
		goto fail;
	}
	ret = net_write_all(fd, sb.data, sb.size, ms);
	if (ret) {
		snprintf(text, sizeof(text), "m4rpc-proxy: sending '%s' to port %u: %s",
			 m, r->port, strerror(-ret));
		goto fail;
	}
	if (!call) {
		close(fd);
		msgpack_sbuffer_destroy(&sb);
		return 0;
	}
	n = net_read_msg(fd, &buf, &cap, &len, ms);
	if (n <= 0) {
		snprintf(text, sizeof(text), n == -ETIMEDOUT ?
			 "m4rpc-proxy: the program at port %u did not answer '%s' within %d ms" :
			 "m4rpc-proxy: the program at port %u closed the connection without answering '%s'",
			 r->port, m, ms);
		if (n < 0 && n != -ETIMEDOUT)
			snprintf(text, sizeof(text), "m4rpc-proxy: reading the answer of port %u to '%s': %s",
				 r->port, m, strerror(-n));
		goto fail;
	}
	ret = answer_m4(r, req, buf, n);
	close(fd);
	free(buf);
	msgpack_sbuffer_destroy(&sb);
	proxy_log(LOG_DEBUG_, "the M4's call %s answered by port %u", m, r->port);
	return ret;
fail:
	proxy_log(LOG_INFO_, "%s", text + strlen("m4rpc-proxy: "));
	if (fd >= 0)
		close(fd);
	free(buf);
	msgpack_sbuffer_destroy(&sb);
	return call ? m4rpc_request_reply_error(req, text) : 0;
}

static int on_call(struct m4rpc_board *b, struct m4rpc_request *req, void *data)
{
	forward(data, req);
	return 0;
}

static void on_notify(struct m4rpc_board *b, const struct m4rpc_request *req,
		      void *data)
{
	/* A notification is not answered: forward() only sends it. */
	forward(data, (struct m4rpc_request *)req);
}

/* registry_lock held. */
static int bind_name(struct reg *r, const char *name)
{
	int ret;

	if (!r->b)
		return 0;
	ret = m4rpc_board_serve(r->b, name, on_call, r);
	if (!ret)
		ret = m4rpc_board_serve_notifications(r->b, name, on_notify, r);
	return ret;
}

static void *reg_thread(void *data)
{
	struct reg *r = data;
	struct m4rpc_board *b;
	bool said = false;
	size_t i;
	int ret;

	for (;;) {
		b = m4rpc_board_open_index(proxy_cfg.board);
		if (!b) {
			if (!said)
				proxy_log(LOG_ERR_, "port %u: %s (trying again every second)",
					  r->port, m4rpc_last_error());
			said = true;
			sleep(1);
			continue;
		}
		said = false;
		pthread_mutex_lock(&registry_lock);
		r->b = b;
		for (i = 0; i < r->n; i++) {
			ret = bind_name(r, r->names[i]);
			if (ret)
				proxy_log(LOG_ERR_, "port %u: %s", r->port, m4rpc_last_error());
		}
		pthread_mutex_unlock(&registry_lock);
		ret = m4rpc_board_run(b);
		pthread_mutex_lock(&registry_lock);
		r->b = NULL;
		pthread_mutex_unlock(&registry_lock);
		m4rpc_board_close(b);
		proxy_log(LOG_ERR_, "port %u: the board went away (%s): opening it again",
			  r->port, m4rpc_strerror(ret));
		sleep(1);
	}
	return NULL;
}

/* registry_lock held. */
static struct reg *reg_get(unsigned int port)
{
	pthread_attr_t at;
	pthread_t th;
	struct reg *r;

	for (r = regs; r; r = r->next)
		if (r->port == port)
			return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->port = port;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, reg_thread, r)) {
		pthread_attr_destroy(&at);
		free(r);
		return NULL;
	}
	pthread_attr_destroy(&at);
	r->next = regs;
	regs = r;
	return r;
}

/* registry_lock held: the registrant of @name, and its index there. */
static struct reg *reg_of(const char *name, size_t *idx)
{
	struct reg *r;
	size_t i;

	for (r = regs; r; r = r->next)
		for (i = 0; i < r->n; i++)
			if (!strcmp(r->names[i], name)) {
				*idx = i;
				return r;
			}
	return NULL;
}

int registry_add(unsigned int port, char **names, size_t n, char *err,
		 size_t errlen)
{
	struct reg *r, *old;
	size_t i, at;
	int ret = 0;

	pthread_mutex_lock(&registry_lock);
	r = reg_get(port);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		pthread_mutex_unlock(&registry_lock);
		return -1;
	}
	for (i = 0; i < n && !ret; i++) {
		old = reg_of(names[i], &at);
		if (old == r)
			continue;
		if (r->n == REG_NAMES_MAX) {
			snprintf(err, errlen, "port %u has %d names registered, the most one port may",
				 port, REG_NAMES_MAX);
			ret = -1;
			break;
		}
		if (old) {
			/* The name moves: a restarted container may get a new port. */
			if (old->b)
				m4rpc_board_unserve(old->b, names[i]);
			free(old->names[at]);
			old->names[at] = old->names[--old->n];
			proxy_log(LOG_INFO_, "'%s' moves from port %u to port %u",
				  names[i], old->port, port);
		}
		if (bind_name(r, names[i])) {
			snprintf(err, errlen, "%s", m4rpc_last_error());
			ret = -1;
			break;
		}
		r->names[r->n] = strdup(names[i]);
		if (r->names[r->n])
			r->n++;
		proxy_log(LOG_INFO_, "'%s' registered for port %u", names[i], port);
	}
	pthread_mutex_unlock(&registry_lock);
	registry_save();
	return ret;
}

int registry_load(void)
{
	json_error_t je;
	json_t *root, *map, *a, *v;
	const char *port;
	char *names[REG_NAMES_MAX], err[256];
	size_t i, n;
	unsigned long p;

	if (!proxy_cfg.state_file || !*proxy_cfg.state_file)
		return 0;
	root = json_load_file(proxy_cfg.state_file, 0, &je);
	if (!root) {
		if (access(proxy_cfg.state_file, F_OK))
			return 0;
		proxy_log(LOG_ERR_, "state file %s unreadable (%s, line %d): starting without registrations",
			  proxy_cfg.state_file, je.text, je.line);
		return -1;
	}
	map = json_object_get(root, "registrations");
	json_object_foreach(map, port, a) {
		p = strtoul(port, NULL, 10);
		n = 0;
		json_array_foreach(a, i, v)
			if (json_is_string(v) && n < REG_NAMES_MAX)
				names[n++] = (char *)json_string_value(v);
		if (p && p < 65536 && n && registry_add(p, names, n, err, sizeof(err)))
			proxy_log(LOG_ERR_, "state file: port %lu: %s", p, err);
	}
	json_decref(root);
	return 0;
}
