// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target of m4rpc-proxy's stream framing (tools/m4rpc-proxy/
 * mpframe.c). Input: one byte that seeds the chunk sizes, one byte that
 * is mpf_array()'s @max, then the TCP stream. Checked:
 * - the stream cut whole (mpf_len() at each message's end, as the proxy
 *   does after each recv()) and cut as it grows in chunks give the same
 *   messages, then the same end: the same incomplete tail, or -1 at the
 *   same place;
 * - each message is inside the stream, is the same object with any bytes
 *   after it, and one byte less of it is incomplete (0, never -1);
 * - msgpack-c reads each message as one object of the same length, or
 *   fails (it has a nesting limit); never an object of another length
 *   (the tail is not given to msgpack-c: it would allocate for the
 *   counts claimed by a cut container, fuzz_lib_decode's finding);
 * - mpf_array(): an array message gives its count, with element offsets
 *   that increase, each element one whole object, the last ending the
 *   message; anything else, and an array with a byte after it, is -1.
 */
#include <stdint.h>
#include <string.h>
#include <msgpack.h>

#include "mpframe.h"
#include "fuzz_check.h"

#define MSGS_MAX	4096

struct cut {
	size_t end[MSGS_MAX];	/* where message i ends in the stream */
	size_t n;		/* messages */
	size_t at;		/* where the rest begins */
	ssize_t last;		/* mpf_len() of the rest: 0 or -1 */
};

/* The whole stream at once. */
static void cut_whole(const uint8_t *p, size_t n, struct cut *c)
{
	ssize_t m;

	c->n = 0;
	c->at = 0;
	while ((m = mpf_len(p + c->at, n - c->at)) > 0) {
		FUZZ_CHECK((size_t)m <= n - c->at);
		c->at += m;
		FUZZ_CHECK(c->n < MSGS_MAX);
		c->end[c->n++] = c->at;
	}
	c->last = m;
}

/*
 * The stream as recv() might give it: @len bytes are known, more come in
 * chunks of 1..64 bytes drawn from @seed; a message is taken only when it
 * is whole in what is known, as net_read_msg() does.
 */
static void cut_chunked(const uint8_t *p, size_t n, uint8_t seed, struct cut *c)
{
	uint32_t rnd = seed * 2654435761u + 1;
	size_t known = 0;
	ssize_t m;

	c->n = 0;
	c->at = 0;
	for (;;) {
		m = mpf_len(p + c->at, known - c->at);
		if (m > 0) {
			FUZZ_CHECK((size_t)m <= known - c->at);
			c->at += m;
			FUZZ_CHECK(c->n < MSGS_MAX);
			c->end[c->n++] = c->at;
			continue;
		}
		if (m < 0 || known == n)
			break;
		rnd = rnd * 1103515245u + 12345;
		known += 1 + (rnd >> 16) % 64;
		if (known > n)
			known = n;
	}
	c->last = m;
}

static void check_array(const uint8_t *p, size_t n, unsigned int max)
{
	size_t off[257];
	bool array = (p[0] >= 0x90 && p[0] <= 0x9f) || p[0] == 0xdc || p[0] == 0xdd;
	uint8_t *more;
	int count;
	size_t i;

	count = mpf_array(p, n, off, max);
	if (!array) {
		FUZZ_CHECK(count == -1);
		return;
	}
	/* Its items are all within n bytes: the count fits an int. */
	FUZZ_CHECK(count >= 0 && (size_t)count < n);
	FUZZ_CHECK(off[0] >= 1 && off[0] <= n);
	for (i = 0; i < (size_t)count && i < max; i++) {
		FUZZ_CHECK(off[i] < off[i + 1] && off[i + 1] <= n);
		FUZZ_CHECK(mpf_len(p + off[i], n - off[i]) ==
			   (ssize_t)(off[i + 1] - off[i]));
	}
	if ((size_t)count <= max)
		FUZZ_CHECK(off[count] == n);

	more = malloc(n + 1);
	FUZZ_CHECK(more);
	memcpy(more, p, n);
	more[n] = 0xc0;
	FUZZ_CHECK(mpf_array(more, n + 1, off, max) == -1);
	free(more);
}

static void check_message(const uint8_t *p, size_t n, size_t room, unsigned int max)
{
	msgpack_unpacked ref;
	size_t off = 0;

	/* The same object with what follows it, incomplete one byte short. */
	FUZZ_CHECK(mpf_len(p, room) == (ssize_t)n);
	FUZZ_CHECK(mpf_len(p, n - 1) == 0);

	msgpack_unpacked_init(&ref);
	if (msgpack_unpack_next(&ref, (const char *)p, n, &off) ==
	    MSGPACK_UNPACK_SUCCESS)
		FUZZ_CHECK(off == n);
	msgpack_unpacked_destroy(&ref);
	check_array(p, n, max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cut whole, chunked;
	const uint8_t *p;
	size_t n, i, start;
	unsigned int max;

	if (size < 2)
		return 0;
	max = data[1];
	p = data + 2;
	n = size - 2;

	cut_whole(p, n, &whole);
	cut_chunked(p, n, data[0], &chunked);
	FUZZ_CHECK(whole.n == chunked.n && whole.at == chunked.at &&
		   whole.last == chunked.last);
	FUZZ_CHECK(!memcmp(whole.end, chunked.end, whole.n * sizeof(whole.end[0])));
	FUZZ_CHECK(whole.last == 0 || whole.last == -1);

	for (i = 0, start = 0; i < whole.n; start = whole.end[i++])
		check_message(p + start, whole.end[i] - start, n - start, max);
	return 0;
}
