// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * JSON <-> msgpack for the command line, with jansson on the JSON side and
 * msgpack-c on the other. JSON has no bytes and no extension types, and
 * its object keys are strings, so three forms stand for what it lacks, in
 * both directions:
 *
 *   {"$bin": "0a1b"}           bin, its bytes in hex
 *   {"$ext": [TYPE, "0a1b"]}   ext TYPE (-128..127), its bytes in hex
 *   {"$str": "0a1b"}           a str whose bytes are not UTF-8 (output)
 *
 * A map key that is not a string prints as its own JSON text ({"1": 2}
 * for {1: 2}). Floats print with 15 significant digits, float32s with 7
 * (so 0.1f prints 0.1); NaN and the infinities print as strings; an
 * integer beyond 2^63 - 1 (jansson's integers are int64) as a float.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* @hex as bytes into a new buffer: its length, or -1 (@err set). */
static ssize_t unhex(const char *hex, size_t len, unsigned char **out,
		     char *err, size_t n)
{
	unsigned char *b;
	size_t i;

	if (len % 2)
		return fail(err, n, "hex bytes '%.*s': an odd number of digits",
			    (int)len, hex);
	b = malloc(len / 2 + 1);
	if (!b)
		return fail(err, n, "out of memory");
	for (i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return fail(err, n, "hex bytes '%.*s': '%c' is no hex digit",
				    (int)len, hex, hi < 0 ? hex[i] : hex[i + 1]);
		}
		b[i / 2] = hi << 4 | lo;
	}
	*out = b;
	return len / 2;
}

static int pack_bytes(msgpack_packer *pk, const char *hex, size_t len,
		      int ext_type, char *err, size_t n)
{
	unsigned char *b;
	ssize_t m = unhex(hex, len, &b, err, n);

	if (m < 0)
		return -1;
	if (ext_type == 256) {
		msgpack_pack_bin(pk, m);
		msgpack_pack_bin_body(pk, b, m);
	} else if (ext_type == 257) {
		msgpack_pack_str(pk, m);
		msgpack_pack_str_body(pk, b, m);
	} else {
		msgpack_pack_ext(pk, m, (int8_t)ext_type);
		msgpack_pack_ext_body(pk, b, m);
	}
	free(b);
	return 0;
}

/* The {"$bin"}, {"$ext"}, {"$str"} forms: 1 packed, 0 not one, -1 error. */
static int pack_special(msgpack_packer *pk, const json_t *j, char *err,
			size_t n)
{
	const char *key;
	json_t *v, *t, *d;

	if (json_object_size(j) != 1)
		return 0;
	key = json_object_iter_key(json_object_iter((json_t *)j));
	v = json_object_iter_value(json_object_iter((json_t *)j));
	if (!strcmp(key, "$bin") || !strcmp(key, "$str")) {
		if (!json_is_string(v))
			return fail(err, n, "{\"%s\": ...} takes a string of hex digits", key);
		return pack_bytes(pk, json_string_value(v), json_string_length(v),
				  key[1] == 'b' ? 256 : 257, err, n) ? -1 : 1;
	}
	if (!strcmp(key, "$ext")) {
		t = json_array_get(v, 0);
		d = json_array_get(v, 1);
		if (json_array_size(v) != 2 || !json_is_integer(t) ||
		    !json_is_string(d) || json_integer_value(t) < -128 ||
		    json_integer_value(t) > 127)
			return fail(err, n, "{\"$ext\": [TYPE, \"HEX\"]} takes a type -128..127 and a string of hex digits");
		return pack_bytes(pk, json_string_value(d), json_string_length(d),
				  (int)json_integer_value(t), err, n) ? -1 : 1;
	}
	return 0;
}

int jm_pack_json(msgpack_packer *pk, const json_t *j, char *err, size_t n)
{
	const char *key;
	json_t *v;
	size_t i;
	int ret;

	switch (json_typeof(j)) {
	case JSON_NULL:
		return msgpack_pack_nil(pk);
	case JSON_TRUE:
		return msgpack_pack_true(pk);
	case JSON_FALSE:
		return msgpack_pack_false(pk);
	case JSON_INTEGER:
		return msgpack_pack_int64(pk, json_integer_value(j));
	case JSON_REAL:
		return msgpack_pack_double(pk, json_real_value(j));
	case JSON_STRING:
		msgpack_pack_str(pk, json_string_length(j));
		return msgpack_pack_str_body(pk, json_string_value(j),
					     json_string_length(j));
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(j));
		json_array_foreach(j, i, v)
			if (jm_pack_json(pk, v, err, n))
				return -1;
		return 0;
	case JSON_OBJECT:
		ret = pack_special(pk, j, err, n);
		if (ret)
			return ret < 0 ? -1 : 0;
		msgpack_pack_map(pk, json_object_size(j));
		json_object_foreach((json_t *)j, key, v) {
			msgpack_pack_str(pk, strlen(key));
			msgpack_pack_str_body(pk, key, strlen(key));
			if (jm_pack_json(pk, v, err, n))
				return -1;
		}
		return 0;
	}
	return fail(err, n, "a JSON value of an unknown type");
}

static int pack_file(msgpack_packer *pk, const char *path, char *err, size_t n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f)
		return fail(err, n, "@%s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!nb) {
				free(buf);
				return fail(err, n, "@%s: out of memory", path);
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		free(buf);
		if (f != stdin)
			fclose(f);
		return fail(err, n, "@%s: read error", path);
	}
	if (f != stdin)
		fclose(f);
	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, buf, len);
	free(buf);
	return 0;
}

int jm_pack_arg(msgpack_packer *pk, const char *arg, char *err, size_t n)
{
	json_error_t je;
	json_t *j;
	char *end;
	double d;
	int ret;

	if (arg[0] == '@')
		return pack_file(pk, arg + 1, err, n);
	if (!strncmp(arg, "hex:", 4))
		return pack_bytes(pk, arg + 4, strlen(arg + 4), 256, err, n);
	if (!strncmp(arg, "str:", 4)) {
		msgpack_pack_str(pk, strlen(arg + 4));
		return msgpack_pack_str_body(pk, arg + 4, strlen(arg + 4));
	}
	if (!strncmp(arg, "f32:", 4)) {
		errno = 0;
		d = strtod(arg + 4, &end);
		if (!arg[4] || *end || errno)
			return fail(err, n, "'%s': f32: takes a number", arg);
		return msgpack_pack_float(pk, (float)d);
	}
	if (!strncmp(arg, "u64:", 4)) {
		unsigned long long u;

		errno = 0;
		u = strtoull(arg + 4, &end, 0);
		if (!arg[4] || *end || errno || arg[4] == '-')
			return fail(err, n, "'%s': u64: takes a number 0..2^64-1", arg);
		return msgpack_pack_uint64(pk, u);
	}
	j = json_loads(arg, JSON_DECODE_ANY, &je);
	if (!j) {
		/*
		 * A bare word is a string; but what looks like JSON and is
		 * not (an unclosed bracket or quote) is a mistake.
		 */
		if (strchr("[{\"", arg[0]))
			return fail(err, n, "'%s': not JSON: %s (a string with these characters: str:TEXT)",
				    arg, je.text);
		msgpack_pack_str(pk, strlen(arg));
		return msgpack_pack_str_body(pk, arg, strlen(arg));
	}
	ret = jm_pack_json(pk, j, err, n);
	json_decref(j);
	return ret;
}

/* ---- msgpack to JSON ------------------------------------------------------ */

static json_t *hex_json(const char *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * len + 1);
	json_t *j;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[(unsigned char)p[i] >> 4];
		s[2 * i + 1] = digits[(unsigned char)p[i] & 15];
	}
	s[2 * len] = 0;
	j = json_string(s);
	free(s);
	return j;
}

static json_t *tagged(const char *tag, json_t *v)
{
	json_t *o = json_object();

	json_object_set_new(o, tag, v);
	return o;
}

static json_t *real_json(double d, bool single)
{
	char buf[64];

	if (isnan(d))
		return json_string("nan");
	if (isinf(d))
		return json_string(d > 0 ? "inf" : "-inf");
	if (single) {
		/* The float's own digits, not its double's. */
		snprintf(buf, sizeof(buf), "%.7g", d);
		d = strtod(buf, NULL);
	}
	return json_real(d);
}

json_t *jm_to_json(const msgpack_object *o)
{
	json_t *j, *k;
	uint32_t i;
	char *ks;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return json_null();
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		if (o->via.u64 > INT64_MAX)
			return json_real((double)o->via.u64);
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
		return real_json(o->via.f64, true);
	case MSGPACK_OBJECT_FLOAT64:
		return real_json(o->via.f64, false);
	case MSGPACK_OBJECT_STR:
		if (!o->via.str.size)
			return json_string("");
		j = json_stringn(o->via.str.ptr, o->via.str.size);
		return j ? j : tagged("$str", hex_json(o->via.str.ptr,
						       o->via.str.size));
	case MSGPACK_OBJECT_BIN:
		return tagged("$bin", hex_json(o->via.bin.ptr, o->via.bin.size));
	case MSGPACK_OBJECT_EXT:
		j = json_array();
		json_array_append_new(j, json_integer(o->via.ext.type));
		json_array_append_new(j, hex_json(o->via.ext.ptr, o->via.ext.size));
		return tagged("$ext", j);
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, jm_to_json(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (i = 0; i < o->via.map.size; i++) {
			const msgpack_object *key = &o->via.map.ptr[i].key;

			k = NULL;
			if (key->type == MSGPACK_OBJECT_STR && !key->via.str.size)
				k = json_string("");
			else if (key->type == MSGPACK_OBJECT_STR)
				k = json_stringn(key->via.str.ptr, key->via.str.size);
			if (k) {
				json_object_setn_new(j, json_string_value(k),
						     json_string_length(k),
						     jm_to_json(&o->via.map.ptr[i].val));
				json_decref(k);
				continue;
			}
			k = jm_to_json(key);
			ks = json_dumps(k, JSON_ENCODE_ANY | JSON_COMPACT);
			json_decref(k);
			if (ks)
				json_object_set_new(j, ks, jm_to_json(&o->via.map.ptr[i].val));
			free(ks);
		}
		return j;
	}
	return json_null();
}

char *jm_dump(const msgpack_object *o)
{
	json_t *j = jm_to_json(o);
	char *s;

	s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	return s;
}
