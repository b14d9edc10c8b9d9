// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The buffer messages are packed into, and their heads. A message to the
 * M4 is at most a few hundred bytes (info.max_tx_msg), so it is packed in
 * the caller's stack frame; a longer one grows onto the heap, so that its
 * size can be told in the EMSGSIZE sentence rather than cut.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

void m4rpc__buf_init(struct m4rpc_buf *b)
{
	b->p = b->inline_room;
	b->len = 0;
	b->cap = sizeof(b->inline_room);
	b->failed = false;
}

void m4rpc__buf_free(struct m4rpc_buf *b)
{
	if (b->p != b->inline_room)
		free(b->p);
	m4rpc__buf_init(b);
}

int m4rpc__buf_write(void *data, const char *p, size_t n)
{
	struct m4rpc_buf *b = data;
	size_t cap = b->cap;
	char *np;

	if (b->failed)
		return -1;
	if (!n)
		return 0;
	while (n > cap - b->len)
		cap *= 2;
	if (cap != b->cap) {
		np = b->p == b->inline_room ? malloc(cap) : realloc(b->p, cap);
		if (!np) {
			b->failed = true;
			return -1;
		}
		if (b->p == b->inline_room)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

/*
 * The msgid is always a uint32: the kernel counts it as 5 bytes whatever
 * its encoding (uapi), so the size checked here is the one it checks.
 */
void m4rpc__pack_request_head(msgpack_packer *pk, uint32_t msgid,
			      const char *method)
{
	size_t n = strlen(method);

	msgpack_pack_array(pk, 4);
	msgpack_pack_int(pk, MSG_REQUEST);
	msgpack_pack_fix_uint32(pk, msgid);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, method, n);
}

void m4rpc__pack_notify_head(msgpack_packer *pk, const char *method)
{
	size_t n = strlen(method);

	msgpack_pack_array(pk, 3);
	msgpack_pack_int(pk, MSG_NOTIFICATION);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, method, n);
}

bool m4rpc__packed_one(const void *p, size_t len, bool array)
{
	msgpack_zone zone;
	msgpack_object obj;
	size_t off = 0;
	bool ok;

	if (!p || !len)
		return false;
	msgpack_zone_init(&zone, 256);
	ok = msgpack_unpack(p, len, &off, &zone, &obj) ==
		MSGPACK_UNPACK_SUCCESS && off == len &&
		(!array || obj.type == MSGPACK_OBJECT_ARRAY);
	msgpack_zone_destroy(&zone);
	return ok;
}
