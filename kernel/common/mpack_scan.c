// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Bounded, allocation-free msgpack scanning and msgpack-rpc envelopes; the
 * contract is in m4rpc_mp_scan.h, the format in the msgpack specification
 * (all multi-byte numbers big-endian).
 *
 * The scanner needs no look-ahead: each lead byte says how many bytes follow
 * it directly (numbers, fixext: skipped), how many length bytes to collect
 * first (str, bin, ext, array16/32, map16/32), or how many elements follow
 * (fixarray, fixmap). Open containers are a stack of element counts, a map
 * of n pairs counting 2n elements; an object ends when a value completes
 * with no container open.
 */
#include "mpack_scan.h"

/* What the length collected after a lead byte is the length of. */
enum {
	M4RPC_MP_LEN_PAYLOAD,	/* str, bin: that many bytes */
	M4RPC_MP_LEN_EXT,		/* ext: a type byte, then that many bytes */
	M4RPC_MP_LEN_ARRAY,	/* that many elements */
	M4RPC_MP_LEN_MAP,		/* that many key-value pairs */
};

void m4rpc_mp_scan_init(struct m4rpc_mp_scan *s)
{
	memset(s, 0, sizeof(*s));
}

bool m4rpc_mp_scan_idle(const struct m4rpc_mp_scan *s)
{
	return !s->started && !s->err;
}

/* A value is complete: close every container it completes. */
static int m4rpc_mp_scan_value_done(struct m4rpc_mp_scan *s)
{
	while (s->depth) {
		if (--s->left[s->depth - 1])
			return M4RPC_MP_SCAN_MORE;
		s->depth--;
	}
	return M4RPC_MP_SCAN_DONE;
}

static int m4rpc_mp_scan_payload(struct m4rpc_mp_scan *s, u64 n)
{
	if (!n)
		return m4rpc_mp_scan_value_done(s);
	s->skip = n;
	return M4RPC_MP_SCAN_MORE;
}

static int m4rpc_mp_scan_container(struct m4rpc_mp_scan *s, u64 elems)
{
	if (s->depth == M4RPC_MP_SCAN_DEPTH)
		return -E2BIG;
	if (!elems)
		return m4rpc_mp_scan_value_done(s);
	s->left[s->depth++] = elems;
	return M4RPC_MP_SCAN_MORE;
}

static int m4rpc_mp_scan_collect(struct m4rpc_mp_scan *s, u8 nbytes, u8 kind)
{
	/* Refuse a container at its lead byte, as a fixarray would be. */
	if ((kind == M4RPC_MP_LEN_ARRAY || kind == M4RPC_MP_LEN_MAP) &&
	    s->depth == M4RPC_MP_SCAN_DEPTH)
		return -E2BIG;
	s->lenval = 0;
	s->need = nbytes;
	s->kind = kind;
	return M4RPC_MP_SCAN_MORE;
}

static int m4rpc_mp_scan_len_done(struct m4rpc_mp_scan *s)
{
	switch (s->kind) {
	case M4RPC_MP_LEN_PAYLOAD:
		return m4rpc_mp_scan_payload(s, s->lenval);
	case M4RPC_MP_LEN_EXT:
		return m4rpc_mp_scan_payload(s, (u64)s->lenval + 1);
	case M4RPC_MP_LEN_ARRAY:
		return m4rpc_mp_scan_container(s, s->lenval);
	default:
		return m4rpc_mp_scan_container(s, (u64)s->lenval * 2);
	}
}

static int m4rpc_mp_scan_lead(struct m4rpc_mp_scan *s, u8 b)
{
	if (b <= 0x7f || b >= 0xe0)		/* positive, negative fixint */
		return m4rpc_mp_scan_value_done(s);
	if (b <= 0x8f)				/* fixmap */
		return m4rpc_mp_scan_container(s, (u64)(b & 0x0f) * 2);
	if (b <= 0x9f)				/* fixarray */
		return m4rpc_mp_scan_container(s, b & 0x0f);
	if (b <= 0xbf)				/* fixstr */
		return m4rpc_mp_scan_payload(s, b & 0x1f);

	switch (b) {
	case 0xc0:				/* nil */
	case 0xc2:				/* false */
	case 0xc3:				/* true */
		return m4rpc_mp_scan_value_done(s);
	case 0xc4:				/* bin8, bin16, bin32 */
		return m4rpc_mp_scan_collect(s, 1, M4RPC_MP_LEN_PAYLOAD);
	case 0xc5:
		return m4rpc_mp_scan_collect(s, 2, M4RPC_MP_LEN_PAYLOAD);
	case 0xc6:
		return m4rpc_mp_scan_collect(s, 4, M4RPC_MP_LEN_PAYLOAD);
	case 0xc7:				/* ext8, ext16, ext32 */
		return m4rpc_mp_scan_collect(s, 1, M4RPC_MP_LEN_EXT);
	case 0xc8:
		return m4rpc_mp_scan_collect(s, 2, M4RPC_MP_LEN_EXT);
	case 0xc9:
		return m4rpc_mp_scan_collect(s, 4, M4RPC_MP_LEN_EXT);
	case 0xca:				/* float32 */
	case 0xce:				/* uint32 */
	case 0xd2:				/* int32 */
		return m4rpc_mp_scan_payload(s, 4);
	case 0xcb:				/* float64 */
	case 0xcf:				/* uint64 */
	case 0xd3:				/* int64 */
		return m4rpc_mp_scan_payload(s, 8);
	case 0xcc:				/* uint8 */
	case 0xd0:				/* int8 */
		return m4rpc_mp_scan_payload(s, 1);
	case 0xcd:				/* uint16 */
	case 0xd1:				/* int16 */
		return m4rpc_mp_scan_payload(s, 2);
	case 0xd4:				/* fixext1..16: type + data */
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8:
		return m4rpc_mp_scan_payload(s, 1 + (1u << (b - 0xd4)));
	case 0xd9:				/* str8, str16, str32 */
		return m4rpc_mp_scan_collect(s, 1, M4RPC_MP_LEN_PAYLOAD);
	case 0xda:
		return m4rpc_mp_scan_collect(s, 2, M4RPC_MP_LEN_PAYLOAD);
	case 0xdb:
		return m4rpc_mp_scan_collect(s, 4, M4RPC_MP_LEN_PAYLOAD);
	case 0xdc:				/* array16, array32 */
		return m4rpc_mp_scan_collect(s, 2, M4RPC_MP_LEN_ARRAY);
	case 0xdd:
		return m4rpc_mp_scan_collect(s, 4, M4RPC_MP_LEN_ARRAY);
	case 0xde:				/* map16, map32 */
		return m4rpc_mp_scan_collect(s, 2, M4RPC_MP_LEN_MAP);
	case 0xdf:
		return m4rpc_mp_scan_collect(s, 4, M4RPC_MP_LEN_MAP);
	default:				/* 0xc1: never used */
		return -EBADMSG;
	}
}

int m4rpc_mp_scan_feed(struct m4rpc_mp_scan *s, const u8 *data, size_t len,
		       size_t *used)
{
	int rc = M4RPC_MP_SCAN_MORE;
	size_t i = 0;

	if (s->err) {
		*used = 0;
		return s->err;
	}
	while (i < len && rc == M4RPC_MP_SCAN_MORE) {
		if (s->skip) {
			/* Payload: pass over as much as there is at once. */
			u64 n = len - i;

			if (n > s->skip)
				n = s->skip;
			s->skip -= n;
			i += n;
			if (!s->skip)
				rc = m4rpc_mp_scan_value_done(s);
		} else if (s->need) {
			s->lenval = s->lenval << 8 | data[i++];
			if (!--s->need)
				rc = m4rpc_mp_scan_len_done(s);
		} else {
			s->started = true;
			rc = m4rpc_mp_scan_lead(s, data[i++]);
		}
	}
	*used = i;
	if (rc < 0)
		s->err = rc;
	else if (rc == M4RPC_MP_SCAN_DONE)
		m4rpc_mp_scan_init(s);
	return rc;
}

int m4rpc_mp_object_len(const u8 *buf, size_t len)
{
	struct m4rpc_mp_scan s;
	size_t used;
	int rc;

	m4rpc_mp_scan_init(&s);
	rc = m4rpc_mp_scan_feed(&s, buf, len, &used);
	if (rc < 0)
		return rc;
	if (rc == M4RPC_MP_SCAN_MORE)
		return -EAGAIN;
	if (used > M4RPC_MP_LEN_MAX)
		return -EMSGSIZE;
	return (int)used;
}

/* ---- msgpack-rpc envelopes -------------------------------------------- */

static u32 m4rpc_mp_get_be(const u8 *p, size_t n)
{
	u32 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

bool m4rpc_mp_rpc_can_start(u8 b)
{
	return b == 0x93 || b == 0x94;
}

/* Bytes of a msgid's encoding from its lead byte, 0 if not a valid one. */
static size_t m4rpc_mp_msgid_enc_len(u8 b)
{
	if (b <= 0x7f)
		return 1;
	switch (b) {
	case 0xcc:
		return 2;
	case 0xcd:
		return 3;
	case 0xce:
		return 5;
	default:
		return 0;
	}
}

/* Bytes of a str header from its lead byte, 0 if not a str. */
static size_t m4rpc_mp_str_hdr_len(u8 b)
{
	if (b >= 0xa0 && b <= 0xbf)
		return 1;
	switch (b) {
	case 0xd9:
		return 2;
	case 0xda:
		return 3;
	case 0xdb:
		return 5;
	default:
		return 0;
	}
}

/* Its length; @p holds a str header whose length m4rpc_mp_str_hdr_len() gave. */
static u32 m4rpc_mp_str_len(const u8 *p, size_t hdr_len)
{
	if (hdr_len == 1)
		return p[0] & 0x1f;
	return m4rpc_mp_get_be(p + 1, hdr_len - 1);
}

static bool m4rpc_mp_is_array_lead(u8 b)
{
	return (b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd;
}

int m4rpc_mp_rpc_head_msgid(const u8 *buf, size_t len, u32 *msgid)
{
	size_t n;

	if (len < 3 || buf[0] != 0x94 || buf[1] > M4RPC_MP_RPC_RESPONSE)
		return -EBADMSG;
	n = m4rpc_mp_msgid_enc_len(buf[2]);
	if (!n || len - 2 < n)
		return -EBADMSG;
	*msgid = n == 1 ? buf[2] : m4rpc_mp_get_be(buf + 3, n - 1);
	return buf[1];
}

int m4rpc_mp_rpc_head_check(const u8 *buf, size_t len)
{
	size_t p, n;
	u8 type;

	if (len < 1)
		return 0;
	if (!m4rpc_mp_rpc_can_start(buf[0]))
		return -EBADMSG;
	if (len < 2)
		return 0;
	type = buf[1];
	if (buf[0] == 0x94 ? type > 1 : type != 2)
		return -EBADMSG;
	p = 2;
	if (type != M4RPC_MP_RPC_NOTIFY) {
		if (len <= p)
			return 0;
		n = m4rpc_mp_msgid_enc_len(buf[p]);
		if (!n)
			return -EBADMSG;
		if (len - p < n)
			return 0;
		p += n;
		if (type == M4RPC_MP_RPC_RESPONSE)
			return 1;
	}
	if (len <= p)
		return 0;
	n = m4rpc_mp_str_hdr_len(buf[p]);
	if (!n)
		return -EBADMSG;
	if (len - p < n)
		return 0;
	/* A str32 length may exceed size_t on 32-bit: compare, never add. */
	if (len - p - n <= m4rpc_mp_str_len(buf + p, n))
		return 0;
	p += n + m4rpc_mp_str_len(buf + p, n);
	return m4rpc_mp_is_array_lead(buf[p]) ? 1 : -EBADMSG;
}

/*
 * The object at @off within @len bytes: its end into *@end, or an error.
 * Only called on a message that already scanned whole, so the nesting is
 * known to be within bounds.
 */
static int m4rpc_mp_skip(const u8 *buf, size_t len, size_t off, size_t *end)
{
	int rc;

	if (off >= len)
		return -EBADMSG;
	rc = m4rpc_mp_object_len(buf + off, len - off);
	if (rc < 0)
		return rc == -E2BIG ? rc : -EBADMSG;
	*end = off + rc;
	return 0;
}

/* m4rpc_mp_rpc_parse() into a zeroed @env, which it may leave half filled. */
static int m4rpc_mp_rpc_parse_env(const u8 *msg, size_t len,
				  struct m4rpc_mp_rpc_env *env)
{
	size_t p, n, end, hdr;
	unsigned int elems;
	u32 namelen;
	int rc;

	if (len > M4RPC_MP_LEN_MAX)
		return -EMSGSIZE;
	/* Exactly one whole object, nested within bounds. */
	rc = m4rpc_mp_object_len(msg, len);
	if (rc == -E2BIG)
		return rc;
	if (rc < 0 || (size_t)rc != len)
		return -EBADMSG;

	/* Outer array; the scan above guarantees its header is all there. */
	if (msg[0] == 0x93 || msg[0] == 0x94) {
		elems = msg[0] & 0x0f;
		env->fixarray = true;
		p = 1;
	} else if (msg[0] == 0xdc) {
		elems = m4rpc_mp_get_be(msg + 1, 2);
		p = 3;
	} else {
		return -EBADMSG;
	}
	if (elems != 3 && elems != 4)
		return -EBADMSG;
	/* 3 or 4 elements: at least as many bytes after the header. */
	if (msg[p] > M4RPC_MP_RPC_NOTIFY)
		return -EBADMSG;
	env->type = msg[p++];
	if (elems != (env->type == M4RPC_MP_RPC_NOTIFY ? 3u : 4u))
		return -EBADMSG;

	if (env->type != M4RPC_MP_RPC_NOTIFY) {
		n = m4rpc_mp_msgid_enc_len(msg[p]);
		if (!n)
			return -EBADMSG;
		/* Whole: the scan passed it as a complete number. */
		env->msgid_off = p;
		env->msgid_len = n;
		env->msgid = n == 1 ? msg[p] : m4rpc_mp_get_be(msg + p + 1, n - 1);
		p += n;
	}

	if (env->type == M4RPC_MP_RPC_RESPONSE) {
		rc = m4rpc_mp_skip(msg, len, p, &end);
		if (rc)
			return rc;
		env->error_off = p;
		env->error_len = end - p;
		p = end;
		rc = m4rpc_mp_skip(msg, len, p, &end);
		if (rc)
			return rc;
		env->result_off = p;
		env->result_len = end - p;
		return end == len ? 0 : -EBADMSG;
	}

	hdr = m4rpc_mp_str_hdr_len(msg[p]);
	if (!hdr)
		return -EBADMSG;
	/* The scan passed the str whole, so header and name are in msg. */
	namelen = m4rpc_mp_str_len(msg + p, hdr);
	env->method_off = p + hdr;
	env->method_len = namelen;
	p += hdr + namelen;

	if (p >= len || !m4rpc_mp_is_array_lead(msg[p]))
		return -EBADMSG;
	rc = m4rpc_mp_skip(msg, len, p, &end);
	if (rc)
		return rc;
	env->params_off = p;
	env->params_len = end - p;
	return end == len ? 0 : -EBADMSG;
}

int m4rpc_mp_rpc_parse(const u8 *msg, size_t len, struct m4rpc_mp_rpc_env *env)
{
	int rc;

	memset(env, 0, sizeof(*env));
	rc = m4rpc_mp_rpc_parse_env(msg, len, env);
	if (rc)
		memset(env, 0, sizeof(*env));
	return rc;
}

/* Bytes of a bin header from its lead byte, 0 if not a bin. */
static size_t m4rpc_mp_bin_hdr_len(u8 b)
{
	switch (b) {
	case 0xc4:
		return 2;
	case 0xc5:
		return 3;
	case 0xc6:
		return 5;
	default:
		return 0;
	}
}

int m4rpc_mp_rpc_param0_bytes(const u8 *msg, size_t len,
			      const struct m4rpc_mp_rpc_env *env, size_t *off,
			      size_t *n)
{
	size_t p = env->params_off, end = p + env->params_len, hdr;
	u32 elems, blen;

	if (env->type == M4RPC_MP_RPC_RESPONSE || !env->params_len ||
	    end > len)
		return -EBADMSG;
	/* The params array's header, then its first element's. */
	if (msg[p] >= 0x90 && msg[p] <= 0x9f) {
		elems = msg[p] & 0x0f;
		p += 1;
	} else if (msg[p] == 0xdc && end - p >= 3) {
		elems = m4rpc_mp_get_be(msg + p + 1, 2);
		p += 3;
	} else if (msg[p] == 0xdd && end - p >= 5) {
		elems = m4rpc_mp_get_be(msg + p + 1, 4);
		p += 5;
	} else {
		return -EBADMSG;
	}
	if (!elems || p >= end)
		return -EBADMSG;
	hdr = m4rpc_mp_str_hdr_len(msg[p]);
	if (hdr) {
		if (end - p < hdr)
			return -EBADMSG;
		blen = m4rpc_mp_str_len(msg + p, hdr);
	} else {
		hdr = m4rpc_mp_bin_hdr_len(msg[p]);
		if (!hdr || end - p < hdr)
			return -EBADMSG;
		blen = m4rpc_mp_get_be(msg + p + 1, hdr - 1);
	}
	p += hdr;
	if (blen > end - p)
		return -EBADMSG;
	*off = p;
	*n = blen;
	return 0;
}

size_t m4rpc_mp_uint_len(u32 v)
{
	if (v <= 0x7f)
		return 1;
	if (v <= 0xff)
		return 2;
	if (v <= 0xffff)
		return 3;
	return 5;
}

size_t m4rpc_mp_put_uint(u8 *out, u32 v)
{
	size_t n = m4rpc_mp_uint_len(v), i;

	switch (n) {
	case 1:
		out[0] = v;
		return 1;
	case 2:
		out[0] = 0xcc;
		break;
	case 3:
		out[0] = 0xcd;
		break;
	default:
		out[0] = 0xce;
		break;
	}
	for (i = n - 1; i; i--) {
		out[i] = v & 0xff;
		v >>= 8;
	}
	return n;
}

int m4rpc_mp_rpc_set_msgid(u8 *out, size_t cap, const u8 *msg, size_t len,
			   const struct m4rpc_mp_rpc_env *env, u32 msgid)
{
	size_t head, tail, tail_len, nlen, newlen;

	if (env->type == M4RPC_MP_RPC_NOTIFY || !env->msgid_len)
		return -EINVAL;
	head = env->msgid_off;
	tail = head + env->msgid_len;
	if (tail > len)
		return -EINVAL;
	tail_len = len - tail;
	nlen = m4rpc_mp_uint_len(msgid);
	newlen = head + nlen + tail_len;
	if (newlen > cap || newlen > M4RPC_MP_LEN_MAX)
		return -EMSGSIZE;
	/* memmove(): in place, the tail may shift either way. */
	memmove(out + head + nlen, msg + tail, tail_len);
	if (out != msg)
		memcpy(out, msg, head);
	m4rpc_mp_put_uint(out + head, msgid);
	return (int)newlen;
}

int m4rpc_mp_rpc_write_error(u8 *out, size_t cap, u32 msgid, const char *err,
			     size_t err_len)
{
	size_t hdr, need;
	u8 *p = out;

	if (err_len <= 31)
		hdr = 1;
	else if (err_len <= 0xff)
		hdr = 2;
	else if (err_len <= 0xffff)
		hdr = 3;
	else
		hdr = 5;
	/* 0x94 0x01 msgid str nil; err_len first, so the sum cannot wrap. */
	if (err_len > M4RPC_MP_LEN_MAX - 16)
		return -EMSGSIZE;
	need = 2 + m4rpc_mp_uint_len(msgid) + hdr + err_len + 1;
	if (need > cap)
		return -EMSGSIZE;

	*p++ = 0x94;
	*p++ = M4RPC_MP_RPC_RESPONSE;
	p += m4rpc_mp_put_uint(p, msgid);
	switch (hdr) {
	case 1:
		*p++ = 0xa0 | err_len;
		break;
	case 2:
		*p++ = 0xd9;
		*p++ = err_len;
		break;
	case 3:
		*p++ = 0xda;
		*p++ = err_len >> 8;
		*p++ = err_len & 0xff;
		break;
	default:
		*p++ = 0xdb;
		*p++ = (u32)err_len >> 24;
		*p++ = ((u32)err_len >> 16) & 0xff;
		*p++ = ((u32)err_len >> 8) & 0xff;
		*p++ = err_len & 0xff;
		break;
	}
	if (err_len)
		memcpy(p, err, err_len);
	p += err_len;
	*p++ = 0xc0;
	return (int)(p - out);
}
