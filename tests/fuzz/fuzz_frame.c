// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the 256-byte frame codec (kernel/common/x8h7_frame.c).
 * The first input byte picks what is done with the rest:
 *
 *   0  strict parse (Linux side) of the frame in the next 256 bytes (zero
 *      padded): a frame that parses re-encodes, subframe by subframe, to
 *      the same bytes, and no subframe points outside the buffer;
 *   1  the H7's own walk of the same: every subframe lies inside the 252
 *      carried bytes, and re-encoding them gives the bytes walked over;
 *   2  building: the rest is a list of (periph, opcode, len) appends; what
 *      x8h7_frame_add() accepted parses strictly back to exactly those
 *      subframes, what it refused left the frame unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "x8h7_frame.h"

static void frame_load(u8 *buf, const u8 *data, size_t size)
{
	memset(buf, 0, X8H7_FRAME_LEN);
	memcpy(buf, data, size < X8H7_FRAME_LEN ? size : X8H7_FRAME_LEN);
}

/* @sf lies inside @buf: data within the 256 bytes, carried <= len. */
static void check_sub_bounds(const u8 *buf, const struct x8h7_subframe *sf)
{
	FUZZ_CHECK(sf->carried <= sf->len);
	FUZZ_CHECK(sf->data >= buf + X8H7_HDR_LEN);
	FUZZ_CHECK(sf->data + sf->carried <= buf + X8H7_FRAME_LEN);
	FUZZ_CHECK(sf->truncated || sf->carried == sf->len);
}

static void fuzz_strict(const u8 *data, size_t size)
{
	u8 buf[X8H7_FRAME_LEN], out[X8H7_FRAME_LEN];
	struct x8h7_subframe sf;
	struct x8h7_parser p;
	unsigned int total = 0, n = 0, cmp, off = 0;
	bool partial_hdr = false;
	int rc;

	frame_load(buf, data, size);
	if (x8h7_parse_begin(&p, buf, X8H7_PARSE_STRICT) != X8H7_OK) {
		FUZZ_CHECK(!x8h7_parse_next(&p, &sf));
		return;
	}
	FUZZ_CHECK(p.size <= X8H7_SIZE_MAX);
	x8h7_frame_init(out);
	while (x8h7_parse_next(&p, &sf)) {
		check_sub_bounds(buf, &sf);
		off = total;
		total += X8H7_SUB_HDR_LEN + sf.len;
		FUZZ_CHECK(++n <= X8H7_PAYLOAD_MAX / X8H7_SUB_HDR_LEN + 1);
		if (sf.truncated) {
			/* Only the last one, and only past the 252 bytes. */
			FUZZ_CHECK(total == p.size);
			FUZZ_CHECK(total > X8H7_PAYLOAD_MAX);
			partial_hdr = off + X8H7_SUB_HDR_LEN > X8H7_PAYLOAD_MAX;
			rc = x8h7_frame_add_h7(out, sf.periph, sf.opcode,
					       sf.carried ? sf.data : buf, sf.len);
		} else if (sf.periph == 0x00 || sf.periph == 0xff) {
			FUZZ_CHECK(x8h7_frame_add(out, sf.periph, sf.opcode,
						  sf.data, sf.len) == -EINVAL);
			rc = x8h7_frame_add_h7(out, sf.periph, sf.opcode,
					       sf.data, sf.len);
		} else {
			rc = x8h7_frame_add(out, sf.periph, sf.opcode, sf.data,
					    sf.len);
		}
		FUZZ_CHECK(rc == 0);
	}
	/* The subframes cover size exactly. */
	FUZZ_CHECK(total == p.size);
	FUZZ_CHECK(x8h7_frame_size(out) == p.size);
	/*
	 * Byte for byte, up to what was carried; a last header cut by the
	 * H7's off-by-four carries bytes of a len that size overrides.
	 */
	cmp = X8H7_HDR_LEN + p.size;
	if (cmp > X8H7_FRAME_LEN)
		cmp = X8H7_FRAME_LEN;
	if (partial_hdr && X8H7_HDR_LEN + off + 2 < cmp)
		cmp = X8H7_HDR_LEN + off + 2;
	FUZZ_CHECK(memcmp(buf, out, cmp) == 0);
}

static void fuzz_h7(const u8 *data, size_t size)
{
	u8 buf[X8H7_FRAME_LEN], out[X8H7_FRAME_LEN];
	struct x8h7_subframe sf;
	struct x8h7_parser p;
	unsigned int total = 0, n = 0;

	frame_load(buf, data, size);
	FUZZ_CHECK(x8h7_parse_begin(&p, buf, X8H7_PARSE_H7) == X8H7_OK);
	x8h7_frame_init(out);
	while (x8h7_parse_next(&p, &sf)) {
		check_sub_bounds(buf, &sf);
		FUZZ_CHECK(!sf.truncated);
		FUZZ_CHECK(sf.periph != 0x00 && sf.periph != 0xff);
		FUZZ_CHECK(sf.data + sf.len <= buf + X8H7_HDR_LEN + X8H7_PAYLOAD_MAX);
		total += X8H7_SUB_HDR_LEN + sf.len;
		FUZZ_CHECK(total <= X8H7_PAYLOAD_MAX);
		FUZZ_CHECK(++n <= X8H7_PAYLOAD_MAX / X8H7_SUB_HDR_LEN);
		FUZZ_CHECK(x8h7_frame_add_h7(out, sf.periph, sf.opcode, sf.data,
					     sf.len) == 0);
	}
	FUZZ_CHECK(memcmp(buf + X8H7_HDR_LEN, out + X8H7_HDR_LEN, total) == 0);
}

static void fuzz_build(const u8 *data, size_t size)
{
	static const u8 fill[X8H7_FRAME_LEN];
	u8 buf[X8H7_FRAME_LEN], before[X8H7_FRAME_LEN];
	u8 want_periph[64], want_opcode[64];
	u16 want_len[64];
	struct x8h7_subframe sf;
	struct x8h7_parser p;
	unsigned int n = 0, i = 0;
	size_t k;
	u16 len;
	int rc;

	x8h7_frame_init(buf);
	for (k = 0; k + 4 <= size && n < 64; k += 4) {
		len = m4rpc_get_le16(data + k + 2) % 300;
		memcpy(before, buf, sizeof(buf));
		FUZZ_CHECK(x8h7_frame_fits(buf, len) ==
			   (x8h7_frame_size(buf) + 4u + len <= X8H7_PAYLOAD_MAX));
		rc = x8h7_frame_add(buf, data[k], data[k + 1], fill, len);
		if (rc) {
			FUZZ_CHECK(rc == -EINVAL || rc == -ENOSPC);
			FUZZ_CHECK(memcmp(before, buf, sizeof(buf)) == 0);
			continue;
		}
		want_periph[n] = data[k];
		want_opcode[n] = data[k + 1];
		want_len[n++] = len;
	}
	FUZZ_CHECK(x8h7_frame_size(buf) <= X8H7_PAYLOAD_MAX);
	FUZZ_CHECK(x8h7_parse_begin(&p, buf, X8H7_PARSE_STRICT) == X8H7_OK);
	while (x8h7_parse_next(&p, &sf)) {
		FUZZ_CHECK(i < n);
		FUZZ_CHECK(!sf.truncated);
		FUZZ_CHECK(sf.periph == want_periph[i]);
		FUZZ_CHECK(sf.opcode == want_opcode[i]);
		FUZZ_CHECK(sf.len == want_len[i]);
		i++;
	}
	FUZZ_CHECK(i == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_strict(data + 1, size - 1);
		break;
	case 1:
		fuzz_h7(data + 1, size - 1);
		break;
	default:
		fuzz_build(data + 1, size - 1);
		break;
	}
	return 0;
}
