// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The signature encoder: arguments given as a compact signature string and
 * varargs (m4rpc_call() documents the letters) packed with msgpack-c. The
 * whole signature is checked before the first vararg is taken, so a bad
 * one never reads the caller's stack wrongly.
 */
#include <errno.h>
#include <string.h>

#include "m4rpc_priv.h"

#define SIG_LETTERS "nbiIuUfdsSyo"

static int bad_sig(const char *sig, size_t pos, const char *why)
{
	return m4rpc__fail(-EINVAL, "bad signature \"%s\": %s at offset %zu",
			   sig, why, pos);
}

/*
 * Check @sig: known letters, brackets that match, maps of pairs, at most
 * @depth_max containers deep; @one: exactly one value (or none) at the
 * top.
 */
static int sig_check(const char *sig, unsigned int depth_max, bool one)
{
	char open[M4RPC_DEPTH_MAX];
	unsigned int items[M4RPC_DEPTH_MAX];
	unsigned int depth = 0, top = 0;
	size_t i;
	char c;

	for (i = 0; (c = sig[i]); i++) {
		if (c == ']' || c == '}') {
			if (!depth || open[depth - 1] != (c == ']' ? '[' : '{'))
				return bad_sig(sig, i, "unmatched bracket");
			if (c == '}' && items[depth - 1] % 2)
				return bad_sig(sig, i,
					       "map with an odd number of items");
			depth--;
			continue;
		}
		if (depth)
			items[depth - 1]++;
		else
			top++;
		if (c == '[' || c == '{') {
			if (depth == depth_max)
				return bad_sig(sig, i, "containers nested too deep");
			open[depth] = c;
			items[depth++] = 0;
			continue;
		}
		if (!strchr(SIG_LETTERS, c))
			return bad_sig(sig, i,
				       "not a type letter (one of nbiIuUfdsSyo[]{})");
	}
	if (depth)
		return bad_sig(sig, i, "bracket not closed");
	if (one && top > 1)
		return bad_sig(sig, 0, "more than one value");
	return 0;
}

/* Items of the container whose contents start at @s, up to its bracket. */
static unsigned int sig_items(const char *s)
{
	unsigned int n = 0, depth = 0;

	for (; *s; s++) {
		if (*s == ']' || *s == '}') {
			if (!depth)
				break;
			depth--;
			continue;
		}
		if (!depth)
			n++;
		if (*s == '[' || *s == '{')
			depth++;
	}
	return n;
}

struct sig_walk {
	const char *sig;
	const char *s;		/* next letter */
	va_list *ap;
	unsigned int arg;	/* varargs taken, for the sentence */
};

static int null_arg(struct sig_walk *w, char c)
{
	return m4rpc__fail(-EINVAL,
			   "signature \"%s\": the pointer of '%c' (vararg %u) is NULL",
			   w->sig, c, w->arg);
}

static int pack_value(msgpack_packer *pk, struct sig_walk *w);

/* The items of a container up to its closing bracket, which it skips. */
static int pack_items(msgpack_packer *pk, struct sig_walk *w)
{
	int ret;

	while (*w->s != ']' && *w->s != '}') {
		ret = pack_value(pk, w);
		if (ret)
			return ret;
	}
	w->s++;
	return 0;
}

static int pack_bytes(msgpack_packer *pk, struct sig_walk *w, char c)
{
	const char *p = c == 's' ? va_arg(*w->ap, const char *) :
		va_arg(*w->ap, const void *);
	size_t n;

	w->arg++;
	if (c == 's') {
		if (!p)
			return null_arg(w, c);
		n = strlen(p);
	} else {
		n = va_arg(*w->ap, size_t);
		w->arg++;
		if (!p && n)
			return null_arg(w, c);
	}
	if (n > UINT32_MAX)
		return m4rpc__fail(-EMSGSIZE, "signature \"%s\": vararg %u: %zu bytes",
				   w->sig, w->arg, n);
	if (c == 'y') {
		msgpack_pack_bin(pk, n);
		return msgpack_pack_bin_body(pk, p, n) ? -ENOMEM : 0;
	}
	msgpack_pack_str(pk, n);
	return msgpack_pack_str_body(pk, p, n) ? -ENOMEM : 0;
}

static int pack_value(msgpack_packer *pk, struct sig_walk *w)
{
	const msgpack_object *o;
	char c = *w->s++;

	switch (c) {
	case 'n':
		return msgpack_pack_nil(pk);
	case 'b':
		w->arg++;
		return va_arg(*w->ap, int) ? msgpack_pack_true(pk) :
			msgpack_pack_false(pk);
	case 'i':
		w->arg++;
		return msgpack_pack_int(pk, va_arg(*w->ap, int));
	case 'I':
		w->arg++;
		return msgpack_pack_int64(pk, va_arg(*w->ap, int64_t));
	case 'u':
		w->arg++;
		return msgpack_pack_unsigned_int(pk, va_arg(*w->ap, unsigned int));
	case 'U':
		w->arg++;
		return msgpack_pack_uint64(pk, va_arg(*w->ap, uint64_t));
	case 'f':
		w->arg++;
		return msgpack_pack_float(pk, (float)va_arg(*w->ap, double));
	case 'd':
		w->arg++;
		return msgpack_pack_double(pk, va_arg(*w->ap, double));
	case 's':
	case 'S':
	case 'y':
		return pack_bytes(pk, w, c);
	case 'o':
		o = va_arg(*w->ap, const msgpack_object *);
		w->arg++;
		if (!o)
			return null_arg(w, c);
		return msgpack_pack_object(pk, *o);
	case '[':
		msgpack_pack_array(pk, sig_items(w->s));
		return pack_items(pk, w);
	default:	/* '{', sig_check() let nothing else through */
		msgpack_pack_map(pk, sig_items(w->s) / 2);
		return pack_items(pk, w);
	}
}

int m4rpc__pack_sig(msgpack_packer *pk, const char *sig, va_list *ap,
		    bool as_array)
{
	struct sig_walk w = { .sig = sig ? sig : "", .ap = ap };
	int ret;

	/* Arguments sit in the message's array and its params array. */
	ret = sig_check(w.sig, as_array ? M4RPC_DEPTH_MAX - 2 :
			M4RPC_DEPTH_MAX - 1, !as_array);
	if (ret)
		return ret;
	w.s = w.sig;
	if (as_array)
		msgpack_pack_array(pk, sig_items(w.s));
	else if (!*w.s)
		return msgpack_pack_nil(pk);
	while (*w.s) {
		ret = pack_value(pk, &w);
		if (ret)
			return ret == -1 || ret == -ENOMEM ?
				m4rpc__fail(-ENOMEM, "out of memory packing \"%s\"",
					    w.sig) : ret;
	}
	return 0;
}
