// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * msgpack framing (mpframe.h). An object is walked header by header,
 * iteratively: a container's header adds its items to the count of
 * objects still to walk, so nesting costs no stack and a container that
 * claims 2^32 items only makes the walk wait for bytes.
 */
#include "mpframe.h"

static uint64_t be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/*
 * One header at @p (@n bytes there): its length plus the length of the
 * data that follows it (@data), and the items it contains (@items); 0
 * when the header itself is not complete, -1 for 0xc1.
 */
static int head(const uint8_t *p, size_t n, size_t *hlen, uint64_t *data,
		uint64_t *items)
{
	uint8_t b = p[0];
	unsigned int w;

	*data = 0;
	*items = 0;
	*hlen = 1;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 1;		/* fixint, nil, bool */
	if (b >= 0xa0 && b <= 0xbf) {	/* fixstr (fixraw) */
		*data = b & 0x1f;
		return 1;
	}
	if (b >= 0x90 && b <= 0x9f) {	/* fixarray */
		*items = b & 0x0f;
		return 1;
	}
	if (b >= 0x80 && b <= 0x8f) {	/* fixmap */
		*items = 2 * (b & 0x0f);
		return 1;
	}
	switch (b) {
	case 0xc4: case 0xc5: case 0xc6:	/* bin 8/16/32 */
	case 0xd9: case 0xda: case 0xdb:	/* str 8/16/32 (raw 16/32) */
		w = b == 0xc4 || b == 0xd9 ? 1 : b == 0xc5 || b == 0xda ? 2 : 4;
		if (n < 1 + w)
			return 0;
		*hlen = 1 + w;
		*data = be(p + 1, w);
		return 1;
	case 0xc7: case 0xc8: case 0xc9:	/* ext 8/16/32: size, type */
		w = b == 0xc7 ? 1 : b == 0xc8 ? 2 : 4;
		if (n < 1 + w)
			return 0;
		*hlen = 1 + w;
		*data = be(p + 1, w) + 1;
		return 1;
	case 0xca: *data = 4; return 1;		/* float 32 */
	case 0xcb: *data = 8; return 1;		/* float 64 */
	case 0xcc: case 0xd0: *data = 1; return 1;
	case 0xcd: case 0xd1: *data = 2; return 1;
	case 0xce: case 0xd2: *data = 4; return 1;
	case 0xcf: case 0xd3: *data = 8; return 1;
	case 0xd4: *data = 2; return 1;		/* fixext 1: type, data */
	case 0xd5: *data = 3; return 1;
	case 0xd6: *data = 5; return 1;
	case 0xd7: *data = 9; return 1;
	case 0xd8: *data = 17; return 1;
	case 0xdc: case 0xdd:			/* array 16/32 */
	case 0xde: case 0xdf:			/* map 16/32 */
		w = b == 0xdc || b == 0xde ? 2 : 4;
		if (n < 1 + w)
			return 0;
		*hlen = 1 + w;
		*items = be(p + 1, w) * (b >= 0xde ? 2 : 1);
		return 1;
	}
	return -1;				/* 0xc1: never used */
}

ssize_t mpf_len(const uint8_t *p, size_t n)
{
	uint64_t todo = 1, data, items;
	size_t at = 0, hlen;
	int r;

	while (todo) {
		if (at >= n)
			return 0;
		r = head(p + at, n - at, &hlen, &data, &items);
		if (r <= 0)
			return r;
		if (data > n - at - hlen)
			return 0;
		at += hlen + data;
		todo += items - 1;
	}
	return at;
}

int mpf_array(const uint8_t *p, size_t n, size_t *off, unsigned int max)
{
	uint64_t data, items, i;
	size_t hlen, at;
	ssize_t len;

	if (!n || head(p, n, &hlen, &data, &items) <= 0)
		return -1;
	if (!((p[0] >= 0x90 && p[0] <= 0x9f) || p[0] == 0xdc || p[0] == 0xdd))
		return -1;
	if (items > 0x7fffffff)
		return -1;
	at = hlen;
	off[0] = at;
	for (i = 0; i < items; i++) {
		len = mpf_len(p + at, n - at);
		if (len <= 0)
			return -1;
		at += len;
		if (i < max)
			off[i + 1] = at;
	}
	return at == n ? (int)items : -1;
}
