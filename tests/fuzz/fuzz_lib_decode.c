// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target of libm4rpc's decoder (lib/result.c): the input is one
 * message as read() returns it from /dev/m4rpcN, given to
 * m4rpc__msg_decode() as the session's reader does, then to the result
 * getters. Checked:
 * - it decodes (error 0) exactly when msgpack-c reads the input as one
 *   whole object that is a msgpack-rpc request, response or notification
 *   (checked here on msgpack-c's own objects); else -EPROTO (or -ENOMEM).
 *   msgpack-c reads it here only when mpf_len() finds one whole object
 *   (fuzz_mpframe checks mpf_len() against msgpack-c): it allocates for
 *   the counts a cut container claims;
 * - every str, bin and ext of the result lies inside the message's bytes;
 * - the result re-encoded decodes again to the same type, msgid, method,
 *   params, error and value, and re-encodes to the same bytes;
 * - each getter succeeds exactly for the msgpack types it promises, gives
 *   their value, and fails with -M4RPC_E_TYPE otherwise;
 * - the error: no text and code 0 for nil, else the text (a str's bytes,
 *   up to a NUL in it) and a negative code that m4rpc_strerror() names.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "m4rpc_priv.h"
#include "mpframe.h"
#include "fuzz_check.h"

/* memcmp() that takes msgpack-c's NULL bytes of an empty str. */
static bool same(const void *a, const void *b, size_t n)
{
	return !n || !memcmp(a, b, n);
}

/* What the envelope of msgpack-c's @o promises, independently of result.c. */
static bool is_name(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_STR || o->type == MSGPACK_OBJECT_BIN;
}

static bool is_id(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= UINT32_MAX;
}

static bool valid_envelope(const msgpack_object *o)
{
	const msgpack_object *a = o->via.array.ptr;
	uint32_t n = o->via.array.size;

	if (o->type != MSGPACK_OBJECT_ARRAY || n < 3 ||
	    a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return false;
	switch (a[0].via.u64) {
	case MSG_REQUEST:
		return n == 4 && is_id(&a[1]) && is_name(&a[2]) &&
			a[3].type == MSGPACK_OBJECT_ARRAY;
	case MSG_RESPONSE:
		return n == 4 && is_id(&a[1]);
	case MSG_NOTIFICATION:
		return n == 3 && is_name(&a[1]) &&
			a[2].type == MSGPACK_OBJECT_ARRAY;
	}
	return false;
}

/* Every byte a str, bin or ext of @o points to is in @base..@len. */
static void check_inside(const msgpack_object *o, const uint8_t *base, size_t len)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	uint32_t i;

	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		p = (const uint8_t *)o->via.str.ptr;
		n = o->via.str.size;
		break;
	case MSGPACK_OBJECT_BIN:
		p = (const uint8_t *)o->via.bin.ptr;
		n = o->via.bin.size;
		break;
	case MSGPACK_OBJECT_EXT:
		p = (const uint8_t *)o->via.ext.ptr;
		n = o->via.ext.size;
		break;
	case MSGPACK_OBJECT_ARRAY:
		for (i = 0; i < o->via.array.size; i++)
			check_inside(&o->via.array.ptr[i], base, len);
		return;
	case MSGPACK_OBJECT_MAP:
		for (i = 0; i < o->via.map.size; i++) {
			check_inside(&o->via.map.ptr[i].key, base, len);
			check_inside(&o->via.map.ptr[i].val, base, len);
		}
		return;
	default:
		return;
	}
	if (n)
		FUZZ_CHECK(p >= base && n <= len && p - base <= (ptrdiff_t)(len - n));
}

static void check_getters(const struct m4rpc_result *r)
{
	const msgpack_object *o = m4rpc_result_object(r);
	msgpack_object_type t = o->type;
	const char *s;
	const void *p;
	uint64_t u;
	int64_t i;
	double d;
	size_t n;
	bool b;
	int ret;

	FUZZ_CHECK(o == (r->value ? r->value : o));
	FUZZ_CHECK(m4rpc_result_is_nil(r) == (t == MSGPACK_OBJECT_NIL));

	ret = m4rpc_result_int(r, &i);
	if (t == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		FUZZ_CHECK(!ret && i == o->via.i64 && i < 0);
	else if (t == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		FUZZ_CHECK(!ret && (uint64_t)i == o->via.u64);
	else
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);

	ret = m4rpc_result_uint(r, &u);
	if (t == MSGPACK_OBJECT_POSITIVE_INTEGER)
		FUZZ_CHECK(!ret && u == o->via.u64);
	else
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);

	ret = m4rpc_result_double(r, &d);
	FUZZ_CHECK(!ret == (t == MSGPACK_OBJECT_FLOAT32 || t == MSGPACK_OBJECT_FLOAT64 ||
			    t == MSGPACK_OBJECT_POSITIVE_INTEGER ||
			    t == MSGPACK_OBJECT_NEGATIVE_INTEGER));
	if (ret)
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);

	ret = m4rpc_result_bool(r, &b);
	if (t == MSGPACK_OBJECT_BOOLEAN)
		FUZZ_CHECK(!ret && b == o->via.boolean);
	else
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);

	ret = m4rpc_result_str(r, &s, &n);
	if (t == MSGPACK_OBJECT_STR) {
		FUZZ_CHECK(!ret && n == o->via.str.size && s[n] == '\0');
		FUZZ_CHECK(same(s, o->via.str.ptr, n));
	} else {
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);
	}

	ret = m4rpc_result_bin(r, &p, &n);
	if (t == MSGPACK_OBJECT_BIN)
		FUZZ_CHECK(!ret && p == o->via.bin.ptr && n == o->via.bin.size);
	else if (t == MSGPACK_OBJECT_STR)
		FUZZ_CHECK(!ret && p == o->via.str.ptr && n == o->via.str.size);
	else
		FUZZ_CHECK(ret == -M4RPC_E_TYPE);
}

static void check_error(const struct m4rpc_result *r)
{
	const msgpack_object *e = m4rpc_result_error_object(r);
	const char *text = m4rpc_result_error_text(r);
	int code = m4rpc_result_error(r);
	size_t n;

	if (e->type == MSGPACK_OBJECT_NIL) {
		FUZZ_CHECK(!text && code == 0);
		return;
	}
	FUZZ_CHECK(text && code < 0 && m4rpc_strerror(code));
	if (e->type == MSGPACK_OBJECT_STR) {
		/* The text is the str's bytes, up to a NUL among them. */
		n = strlen(text);
		FUZZ_CHECK(n <= e->via.str.size && same(text, e->via.str.ptr, n));
		FUZZ_CHECK(code == m4rpc__classify(text));
	} else {
		FUZZ_CHECK(code == -M4RPC_E_REMOTE);
	}
}

/* msgpack-c's packing of @o into @sb (cleared first). */
static void pack(msgpack_sbuffer *sb, const msgpack_object *o)
{
	msgpack_packer pk;

	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	FUZZ_CHECK(msgpack_pack_object(&pk, *o) == 0);
}

/*
 * The same objects: packed to the same bytes (msgpack_object_equal()
 * compares floats with ==, and a NaN is not equal to itself).
 */
static bool obj_same(const msgpack_object *a, const msgpack_object *b)
{
	msgpack_sbuffer sa, sb;
	bool eq;

	msgpack_sbuffer_init(&sa);
	msgpack_sbuffer_init(&sb);
	pack(&sa, a);
	pack(&sb, b);
	eq = sa.size == sb.size && same(sa.data, sb.data, sa.size);
	msgpack_sbuffer_destroy(&sa);
	msgpack_sbuffer_destroy(&sb);
	return eq;
}

static void check_same(const struct m4rpc_result *a, const struct m4rpc_result *b)
{
	FUZZ_CHECK(a->type == b->type && a->msgid == b->msgid);
	FUZZ_CHECK(!a->method == !b->method);
	if (a->method)
		FUZZ_CHECK(!strcmp(a->method, b->method));
	FUZZ_CHECK(!a->params == !b->params);
	if (a->params)
		FUZZ_CHECK(obj_same(a->params, b->params));
	FUZZ_CHECK(obj_same(m4rpc_result_object(a), m4rpc_result_object(b)));
	FUZZ_CHECK(obj_same(m4rpc_result_error_object(a),
			    m4rpc_result_error_object(b)));
	FUZZ_CHECK(a->code == b->code);
}

static void check_decoded(const struct m4rpc_result *r, const uint8_t *in, size_t len)
{
	struct m4rpc_result *again;
	msgpack_sbuffer sb1, sb2;
	const msgpack_object *name;
	int err;

	FUZZ_CHECK(r->type == MSG_REQUEST || r->type == MSG_RESPONSE ||
		   r->type == MSG_NOTIFICATION);
	/* The result keeps its own copy, and points only into it. */
	FUZZ_CHECK(same(r->data, in, len));
	check_inside(&r->root, r->data, len);
	if (r->type == MSG_RESPONSE) {
		FUZZ_CHECK(!r->method && !r->params && r->error && r->value);
		FUZZ_CHECK(!r->str == (r->value->type != MSGPACK_OBJECT_STR));
		check_error(r);
	} else {
		FUZZ_CHECK(r->method && r->params && !r->error && !r->value);
		FUZZ_CHECK(r->params->type == MSGPACK_OBJECT_ARRAY);
		FUZZ_CHECK(!r->error_text && !r->code);
		name = &r->root.via.array.ptr[r->type == MSG_REQUEST ? 2 : 1];
		/* The name's bytes, up to a NUL among them. */
		FUZZ_CHECK(strlen(r->method) <= name->via.str.size);
		FUZZ_CHECK(same(r->method, name->via.str.ptr, strlen(r->method)));
	}
	check_getters(r);

	/* Re-encoded: the same message, and a fixed point of the encoding. */
	msgpack_sbuffer_init(&sb1);
	msgpack_sbuffer_init(&sb2);
	pack(&sb1, &r->root);
	again = m4rpc__msg_decode(sb1.data, sb1.size, &err);
	FUZZ_CHECK(again && err == 0);
	check_same(r, again);
	pack(&sb2, &again->root);
	FUZZ_CHECK(sb1.size == sb2.size && same(sb1.data, sb2.data, sb1.size));
	/* The shortest encodings are msgpack-c's: never longer than the input. */
	FUZZ_CHECK(sb1.size <= len);
	m4rpc_result_free(again);
	msgpack_sbuffer_destroy(&sb1);
	msgpack_sbuffer_destroy(&sb2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct m4rpc_result *r;
	msgpack_unpacked ref;
	msgpack_unpack_return ur;
	size_t off = 0;
	bool valid;
	int err = 1;

	/* The reference: msgpack-c on the bytes, with nothing of result.c. */
	msgpack_unpacked_init(&ref);
	valid = false;
	if (mpf_len(data, size) == (ssize_t)size) {
		ur = msgpack_unpack_next(&ref, (const char *)data, size, &off);
		valid = ur == MSGPACK_UNPACK_SUCCESS && off == size &&
			valid_envelope(&ref.data);
	}

	r = m4rpc__msg_decode(data, size, &err);
	if (r) {
		FUZZ_CHECK(err == 0 && valid);
		check_decoded(r, data, size);
		m4rpc_result_free(r);
	} else {
		FUZZ_CHECK(err == -EPROTO || err == -ENOMEM);
		if (err == -EPROTO)
			FUZZ_CHECK(!valid);
	}
	msgpack_unpacked_destroy(&ref);
	return 0;
}
