// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * msgpack-rpc for x8h7-rawcall, with msgpack-c: a request from a command
 * line word "method:arg,arg", and replies and other messages printed.
 *
 * Argument words (kept simple; --help says the same):
 *   true, false      bool
 *   nil              nil
 *   -12, 42, 0x2a    int (msgpack-c picks the shortest encoding)
 *   1.5, -2e3        float64
 *   "text"           str, quotes included in the word (may hold commas)
 *   anything else    str
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "rawcall.h"

/* Is @s (whole) an integer: [-](decimal | 0x hex)? */
static bool parse_int(const char *s, bool *neg, uint64_t *v)
{
	const char *p = s;
	int base = 10;
	char *end;

	*neg = *p == '-';
	if (*neg)
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		return false;
	errno = 0;
	*v = strtoull(p, &end, base);
	if (errno || *end)
		return false;
	/* the most negative int64 is the largest magnitude accepted */
	return !*neg || *v <= (uint64_t)INT64_MAX + 1;
}

static bool parse_float(const char *s, double *v)
{
	char *end;

	if (!strpbrk(s, "0123456789"))
		return false;	/* not "inf", "nan" and the like: strings */
	errno = 0;
	*v = strtod(s, &end);
	return !errno && !*end;
}

static void pack_word(msgpack_packer *pk, const char *w, size_t n)
{
	char buf[64];
	uint64_t u;
	double d;
	bool neg;

	if (n < sizeof(buf)) {
		memcpy(buf, w, n);
		buf[n] = 0;
		if (!strcmp(buf, "true")) {
			msgpack_pack_true(pk);
			return;
		}
		if (!strcmp(buf, "false")) {
			msgpack_pack_false(pk);
			return;
		}
		if (!strcmp(buf, "nil")) {
			msgpack_pack_nil(pk);
			return;
		}
		if (parse_int(buf, &neg, &u)) {
			if (neg)
				msgpack_pack_int64(pk, (int64_t)(0 - u));
			else
				msgpack_pack_uint64(pk, u);
			return;
		}
		if (parse_float(buf, &d)) {
			msgpack_pack_double(pk, d);
			return;
		}
	}
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, w, n);
}

/*
 * Split "a,b,..." into words: @len of each at @off, up to @max; a word in
 * double quotes runs to its closing quote. Returns the count or -1.
 */
static int split_args(const char *s, size_t *off, size_t *len, int max)
{
	const char *p = s, *q;
	int n = 0;

	if (!*s)
		return 0;
	for (;;) {
		if (n == max)
			return -1;
		if (*p == '"') {
			q = strchr(p + 1, '"');
			if (!q || (q[1] && q[1] != ','))
				return -1;
			off[n] = p - s;		/* quotes kept: a str */
			len[n] = q + 1 - p;
			q++;
		} else {
			q = p + strcspn(p, ",");
			if (q == p)
				return -1;	/* empty word: say "" */
			off[n] = p - s;
			len[n] = q - p;
		}
		n++;
		if (!*q)
			return n;
		p = q + 1;
	}
}

#define ARGS_MAX	32

int rc_pack_request(const char *spec, u32 msgid, u8 *out, size_t cap,
		    char *method, size_t mcap)
{
	size_t off[ARGS_MAX], len[ARGS_MAX], mlen;
	const char *colon = strchr(spec, ':');
	const char *args = colon ? colon + 1 : "";
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int n, i, ret;

	mlen = colon ? (size_t)(colon - spec) : strlen(spec);
	snprintf(method, mcap, "%.*s", (int)mlen, spec);
	if (!mlen) {
		rc_err(0, "%s: no method name", spec);
		return -EINVAL;
	}
	n = split_args(args, off, len, ARGS_MAX);
	if (n < 0) {
		rc_err(0, "%s: bad arguments (comma-separated, at most %d; \"\" for an empty string; see --help)",
		       spec, ARGS_MAX);
		return -EINVAL;
	}

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_int(&pk, 0);
	msgpack_pack_uint32(&pk, msgid);
	msgpack_pack_str(&pk, mlen);
	msgpack_pack_str_body(&pk, spec, mlen);
	msgpack_pack_array(&pk, n);
	for (i = 0; i < n; i++) {
		const char *w = args + off[i];

		if (w[0] == '"') {
			msgpack_pack_str(&pk, len[i] - 2);
			msgpack_pack_str_body(&pk, w + 1, len[i] - 2);
		} else {
			pack_word(&pk, w, len[i]);
		}
	}
	if (sb.size > cap) {
		rc_err(0, "%s: the request takes %zu bytes; one UI subframe carries at most %zu",
		       spec, sb.size, cap);
		ret = -EMSGSIZE;
	} else {
		memcpy(out, sb.data, sb.size);
		ret = sb.size;
	}
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

/* ---- printing ---------------------------------------------------------- */

static bool is_text(const u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' &&
		     b[i] != '\t') || b[i] == 0x7f)
			return false;
	return true;
}

void rc_print_bytes(FILE *f, const u8 *b, size_t n)
{
	size_t i;

	if (is_text(b, n)) {
		fputc('"', f);
		for (i = 0; i < n; i++) {
			if (b[i] == '\n')
				fputs("\\n", f);
			else if (b[i] == '\r')
				fputs("\\r", f);
			else if (b[i] == '\t')
				fputs("\\t", f);
			else if (b[i] == '"' || b[i] == '\\')
				fprintf(f, "\\%c", b[i]);
			else
				fputc(b[i], f);
		}
		fputc('"', f);
		return;
	}
	fputs("0x", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* The shortest %g that reads back as @v (as a float when @f32). */
static void print_float(FILE *f, double v, bool f32)
{
	char buf[64];
	int p;

	for (p = 6; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, v);
		if (f32 ? (float)strtod(buf, NULL) == (float)v :
			  strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

/* A result as the user reads it: a top-level str unquoted, bytes in hex. */
static void print_value(FILE *f, const msgpack_object *o, bool top)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		fputs("nil", f);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		fputs(o->via.boolean ? "true" : "false", f);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(f, "%" PRIu64, o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(f, "%" PRId64, o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		print_float(f, o->via.f64, o->type == MSGPACK_OBJECT_FLOAT32);
		break;
	case MSGPACK_OBJECT_STR:
		if (top)
			fwrite(o->via.str.ptr, 1, o->via.str.size, f);
		else
			rc_print_bytes(f, (const u8 *)o->via.str.ptr,
				       o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		fputs("0x", f);
		for (uint32_t i = 0; i < o->via.bin.size; i++)
			fprintf(f, "%02x", (u8)o->via.bin.ptr[i]);
		break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				fputs(", ", f);
			print_value(f, &o->via.array.ptr[i], false);
		}
		fputc(']', f);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			if (i)
				fputs(", ", f);
			print_value(f, &o->via.map.ptr[i].key, false);
			fputs(": ", f);
			print_value(f, &o->via.map.ptr[i].val, false);
		}
		fputc('}', f);
		break;
	default:
		msgpack_object_print(f, *o);
		break;
	}
}

/* Unpack the one message @msg[0..@len) into @u: 0 or -EBADMSG. */
static int unpack(msgpack_unpacked *u, const u8 *msg, size_t len)
{
	size_t off = 0;

	msgpack_unpacked_init(u);
	if (msgpack_unpack_next(u, (const char *)msg, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != len ||
	    u->data.type != MSGPACK_OBJECT_ARRAY) {
		msgpack_unpacked_destroy(u);
		return -EBADMSG;
	}
	return 0;
}

int rc_print_response(const char *method, const u8 *msg, size_t len)
{
	const msgpack_object *a;
	msgpack_unpacked u;

	if (unpack(&u, msg, len)) {
		rc_err(0, "%s: undecodable reply", method);
		return 1;
	}
	if (u.data.via.array.size != 4) {
		rc_err(0, "%s: reply of %u elements", method,
		       u.data.via.array.size);
		msgpack_unpacked_destroy(&u);
		return 1;
	}
	a = u.data.via.array.ptr;
	if (a[2].type != MSGPACK_OBJECT_NIL) {
		/* rpclib's error: a str with what went wrong */
		fprintf(stderr, "x8h7-rawcall: %s: ", method);
		print_value(stderr, &a[2], true);
		fputc('\n', stderr);
		msgpack_unpacked_destroy(&u);
		return 1;
	}
	printf("%s ", method);
	print_value(stdout, &a[3], true);
	putchar('\n');
	fflush(stdout);
	msgpack_unpacked_destroy(&u);
	return 0;
}

void rc_print_msg(FILE *f, const u8 *msg, size_t len)
{
	msgpack_unpacked u;

	if (unpack(&u, msg, len)) {
		rc_print_bytes(f, msg, len);
		return;
	}
	print_value(f, &u.data, false);
	msgpack_unpacked_destroy(&u);
}
