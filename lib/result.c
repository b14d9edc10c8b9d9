// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Messages read from the session, decoded with msgpack-c into one zone
 * (one allocation for the object and its bytes, the zone's for its
 * chunk), and the
 * getters of a result.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"
#include "mpframe.h"

/*
 * A NUL-terminated copy of @p..@n in the message's zone. An empty str's
 * @p is NULL (msgpack-c), which memcpy() must not be given even for 0.
 */
static const char *zone_str(struct m4rpc_result *m, const char *p, size_t n)
{
	char *s = msgpack_zone_malloc(&m->zone, n + 1);

	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static const char *type_name(msgpack_object_type t)
{
	switch (t) {
	case MSGPACK_OBJECT_NIL:
		return "nil";
	case MSGPACK_OBJECT_BOOLEAN:
		return "bool";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return "unsigned integer";
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return "negative integer";
	case MSGPACK_OBJECT_FLOAT32:
		return "float32";
	case MSGPACK_OBJECT_FLOAT64:
		return "float64";
	case MSGPACK_OBJECT_STR:
		return "str";
	case MSGPACK_OBJECT_ARRAY:
		return "array";
	case MSGPACK_OBJECT_MAP:
		return "map";
	case MSGPACK_OBJECT_BIN:
		return "bin";
	case MSGPACK_OBJECT_EXT:
		return "ext";
	}
	return "unknown";
}

/* The error of a response: its text and what it stands for. */
static int decode_error(struct m4rpc_result *m)
{
	const msgpack_object *e = m->error;
	char buf[64];

	if (e->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (e->type == MSGPACK_OBJECT_STR) {
		m->error_text = zone_str(m, e->via.str.ptr, e->via.str.size);
	} else {
		snprintf(buf, sizeof(buf), "(an error of type %s)",
			 type_name(e->type));
		m->error_text = zone_str(m, buf, strlen(buf));
	}
	if (!m->error_text)
		return -ENOMEM;
	m->code = e->type == MSGPACK_OBJECT_STR ?
		m4rpc__classify(m->error_text) : -M4RPC_E_REMOTE;
	return 0;
}

static bool is_msgid(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		o->via.u64 <= UINT32_MAX;
}

/* The envelope: the message's type and where its parts are. */
static int decode_envelope(struct m4rpc_result *m)
{
	const msgpack_object_array *a = &m->root.via.array;
	const msgpack_object *name;

	if (m->root.type != MSGPACK_OBJECT_ARRAY || a->size < 3 ||
	    a->ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a->ptr[0].via.u64 > MSG_NOTIFICATION)	/* before it is an int */
		return -EPROTO;
	m->type = a->ptr[0].via.u64;
	switch (m->type) {
	case MSG_REQUEST:
		if (a->size != 4 || !is_msgid(&a->ptr[1]))
			return -EPROTO;
		m->msgid = a->ptr[1].via.u64;
		name = &a->ptr[2];
		m->params = &a->ptr[3];
		break;
	case MSG_RESPONSE:
		if (a->size != 4 || !is_msgid(&a->ptr[1]))
			return -EPROTO;
		m->msgid = a->ptr[1].via.u64;
		m->error = &a->ptr[2];
		m->value = &a->ptr[3];
		if (m->value->type == MSGPACK_OBJECT_STR) {
			m->str = zone_str(m, m->value->via.str.ptr,
					  m->value->via.str.size);
			if (!m->str)
				return -ENOMEM;
		}
		return decode_error(m);
	case MSG_NOTIFICATION:
		if (a->size != 3)
			return -EPROTO;
		name = &a->ptr[1];
		m->params = &a->ptr[2];
		break;
	default:
		return -EPROTO;
	}
	/* rpclib takes a bin for a name as well (emu/h7emu_m4.c). */
	if (name->type == MSGPACK_OBJECT_STR)
		m->method = zone_str(m, name->via.str.ptr, name->via.str.size);
	else if (name->type == MSGPACK_OBJECT_BIN)
		m->method = zone_str(m, name->via.bin.ptr, name->via.bin.size);
	else
		return -EPROTO;
	if (!m->method)
		return -ENOMEM;
	return m->params->type == MSGPACK_OBJECT_ARRAY ? 0 : -EPROTO;
}

struct m4rpc_result *m4rpc__msg_decode(const void *data, size_t len, int *err)
{
	struct m4rpc_result *m;
	size_t off = 0;

	/*
	 * msgpack-c allocates a container's items as it reads its header, for
	 * the count the header claims (a 5-byte map header: 2^32 of them), so
	 * the message must be one whole object first: then its counts are
	 * bounded by its length, and so is what msgpack-c allocates.
	 */
	if (mpf_len(data, len) != (ssize_t)len) {
		*err = -EPROTO;
		return NULL;
	}
	/* msgpack-c's str and bin objects point into the bytes: kept here. */
	m = calloc(1, sizeof(*m) + len);
	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	/* The zone's chunk holds the objects of a message of this size. */
	if (!msgpack_zone_init(&m->zone, len * 2 + 256)) {
		free(m);
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(m->data, data, len);
	switch (msgpack_unpack((const char *)m->data, len, &off, &m->zone,
			       &m->root)) {
	case MSGPACK_UNPACK_SUCCESS:
		*err = off == len ? decode_envelope(m) : -EPROTO;
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		*err = -ENOMEM;
		break;
	default:
		*err = -EPROTO;
		break;
	}
	if (*err) {
		m4rpc_result_free(m);
		return NULL;
	}
	return m;
}

M4RPC_EXPORT void m4rpc_result_free(struct m4rpc_result *res)
{
	if (!res)
		return;
	msgpack_zone_destroy(&res->zone);
	free(res);
}

static const msgpack_object nil_object = { .type = MSGPACK_OBJECT_NIL };

M4RPC_EXPORT const msgpack_object *
m4rpc_result_object(const struct m4rpc_result *res)
{
	return res->value ? res->value : &nil_object;
}

M4RPC_EXPORT int m4rpc_result_error(const struct m4rpc_result *res)
{
	return res->code;
}

M4RPC_EXPORT const msgpack_object *
m4rpc_result_error_object(const struct m4rpc_result *res)
{
	return res->error ? res->error : &nil_object;
}

M4RPC_EXPORT const char *m4rpc_result_error_text(const struct m4rpc_result *res)
{
	return res->error_text;
}

static int wrong_type(const struct m4rpc_result *res, const char *want)
{
	return m4rpc__fail(-M4RPC_E_TYPE, "the result is a %s, not a %s",
			   type_name(m4rpc_result_object(res)->type), want);
}

M4RPC_EXPORT int m4rpc_result_int(const struct m4rpc_result *res, int64_t *v)
{
	const msgpack_object *o = m4rpc_result_object(res);

	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return m4rpc__fail(-M4RPC_E_TYPE,
					   "the result %" PRIu64 " does not fit an int64",
					   o->via.u64);
		*v = o->via.u64;
		return 0;
	}
	return wrong_type(res, "signed integer");
}

M4RPC_EXPORT int m4rpc_result_uint(const struct m4rpc_result *res, uint64_t *v)
{
	const msgpack_object *o = m4rpc_result_object(res);

	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return wrong_type(res, "unsigned integer");
	*v = o->via.u64;
	return 0;
}

M4RPC_EXPORT int m4rpc_result_double(const struct m4rpc_result *res, double *v)
{
	const msgpack_object *o = m4rpc_result_object(res);

	switch (o->type) {
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		*v = o->via.f64;
		return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		*v = (double)o->via.u64;
		return 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		*v = (double)o->via.i64;
		return 0;
	default:
		return wrong_type(res, "number");
	}
}

M4RPC_EXPORT int m4rpc_result_bool(const struct m4rpc_result *res, bool *v)
{
	const msgpack_object *o = m4rpc_result_object(res);

	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return wrong_type(res, "bool");
	*v = o->via.boolean;
	return 0;
}

M4RPC_EXPORT bool m4rpc_result_is_nil(const struct m4rpc_result *res)
{
	return m4rpc_result_object(res)->type == MSGPACK_OBJECT_NIL;
}

M4RPC_EXPORT int m4rpc_result_str(const struct m4rpc_result *res,
				  const char **s, size_t *n)
{
	const msgpack_object *o = m4rpc_result_object(res);

	if (o->type != MSGPACK_OBJECT_STR || !res->str)
		return wrong_type(res, "str");
	*s = res->str;
	if (n)
		*n = o->via.str.size;
	return 0;
}

M4RPC_EXPORT int m4rpc_result_bin(const struct m4rpc_result *res,
				  const void **p, size_t *n)
{
	const msgpack_object *o = m4rpc_result_object(res);

	if (o->type == MSGPACK_OBJECT_BIN) {
		*p = o->via.bin.ptr;
		*n = o->via.bin.size;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_STR) {
		*p = o->via.str.ptr;
		*n = o->via.str.size;
		return 0;
	}
	return wrong_type(res, "bin");
}
