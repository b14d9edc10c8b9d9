// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The 256-byte frame of the Portenta X8 SPI link: building and walking it.
 * The contract is in x8h7_frame.h, the wire truth in docs/x8h7-link.md
 * ("Transfers").
 *
 * Offsets below are relative to the payload (buf + X8H7_HDR_LEN) and are
 * held in unsigned int, so no sum of wire values (a u16 size up to 65535
 * plus a u16 len) can wrap. Nothing is read or written outside the
 * X8H7_FRAME_LEN bytes of the buffer: every access to payload offset o is
 * preceded by a check that o < X8H7_PAYLOAD_MAX.
 */
#include "x8h7_frame.h"

static void x8h7_set_size(u8 *buf, unsigned int size)
{
	m4rpc_put_le16(buf, size);
	m4rpc_put_le16(buf + 2, size ^ X8H7_CSUM_XOR);
}

void x8h7_frame_init(u8 *buf)
{
	memset(buf, 0, X8H7_FRAME_LEN);
	x8h7_set_size(buf, 0);
}

u16 x8h7_frame_size(const u8 *buf)
{
	return m4rpc_get_le16(buf);
}

bool x8h7_frame_fits(const u8 *buf, u16 len)
{
	unsigned int size = x8h7_frame_size(buf);

	return size + X8H7_SUB_HDR_LEN + len <= X8H7_PAYLOAD_MAX;
}

/*
 * Copy @n bytes to payload offset @off, dropping whatever falls past the
 * X8H7_PAYLOAD_MAX bytes that cross the wire.
 */
static void x8h7_store(u8 *buf, unsigned int off, const void *src,
		       unsigned int n)
{
	if (off >= X8H7_PAYLOAD_MAX)
		return;
	if (n > X8H7_PAYLOAD_MAX - off)
		n = X8H7_PAYLOAD_MAX - off;
	if (n)		/* memcpy() from a NULL @src is undefined even for 0 */
		memcpy(buf + X8H7_HDR_LEN + off, src, n);
}

/* Append a subframe whose fit the caller has checked; size ends <= 256. */
static void x8h7_append(u8 *buf, u8 periph, u8 opcode, const void *data,
			u16 len)
{
	unsigned int size = x8h7_frame_size(buf);
	u8 hdr[X8H7_SUB_HDR_LEN];

	hdr[0] = periph;
	hdr[1] = opcode;
	m4rpc_put_le16(hdr + 2, len);
	x8h7_store(buf, size, hdr, sizeof(hdr));
	x8h7_store(buf, size + X8H7_SUB_HDR_LEN, data, len);
	x8h7_set_size(buf, size + X8H7_SUB_HDR_LEN + len);
}

int x8h7_frame_add(u8 *buf, u8 periph, u8 opcode, const void *data, u16 len)
{
	/* 0x00 and 0xff would end the H7's walk over the frame. */
	if (periph == 0x00 || periph == 0xff || len > X8H7_SUB_DATA_MAX)
		return -EINVAL;
	if (len && !data)
		return -EINVAL;
	/* Also refuses a frame whose size is already past 252 (add_h7). */
	if (!x8h7_frame_fits(buf, len))
		return -ENOSPC;
	x8h7_append(buf, periph, opcode, data, len);
	return 0;
}

int x8h7_frame_add_h7(u8 *buf, u8 periph, u8 opcode, const void *data,
		      u16 len)
{
	unsigned int size = x8h7_frame_size(buf);

	/* The firmware's check, which forgets the subframe header. */
	if (size + len > X8H7_PAYLOAD_MAX)
		return -ENOSPC;
	if (len && !data)
		return -EINVAL;
	x8h7_append(buf, periph, opcode, data, len);
	return 0;
}

/*
 * Strict mode: describe the subframe at payload offset @off, where
 * @off < @size <= X8H7_SIZE_MAX. Returns the offset just after it, or 0
 * (never a valid end, which is at least 4) when its header or its data runs
 * past @size.
 *
 * A header that does not lie wholly inside the carried bytes can only come
 * from the H7's off-by-four, which makes that subframe the last one and
 * ends it exactly at @size: its len is taken from @size, not from the
 * bytes that never crossed the wire.
 */
static unsigned int x8h7_sub_at(const u8 *pl, unsigned int size,
				unsigned int off, struct x8h7_subframe *sf)
{
	unsigned int len, data_off, carried;

	if (size - off < X8H7_SUB_HDR_LEN)
		return 0;
	memset(sf, 0, sizeof(*sf));
	if (off + X8H7_SUB_HDR_LEN <= X8H7_PAYLOAD_MAX) {
		sf->periph = pl[off];
		sf->opcode = pl[off + 1];
		len = m4rpc_get_le16(pl + off + 2);
		if (len > size - off - X8H7_SUB_HDR_LEN)
			return 0;
	} else {
		if (off < X8H7_PAYLOAD_MAX)
			sf->periph = pl[off];
		if (off + 1 < X8H7_PAYLOAD_MAX)
			sf->opcode = pl[off + 1];
		len = size - off - X8H7_SUB_HDR_LEN;
	}
	data_off = off + X8H7_SUB_HDR_LEN;
	carried = 0;
	if (data_off < X8H7_PAYLOAD_MAX)
		carried = X8H7_PAYLOAD_MAX - data_off;
	if (carried > len)
		carried = len;
	/* At most one past the end of the buffer, and only when carried is 0. */
	if (data_off > X8H7_PAYLOAD_MAX)
		data_off = X8H7_PAYLOAD_MAX;
	sf->len = len;
	sf->carried = carried;
	/* Past the carried bytes, header included (a lost 0-length subframe). */
	sf->truncated = off + X8H7_SUB_HDR_LEN + len > X8H7_PAYLOAD_MAX;
	sf->data = pl + data_off;
	return off + X8H7_SUB_HDR_LEN + len;
}

enum x8h7_reject x8h7_parse_begin(struct x8h7_parser *p, const u8 *buf,
				  enum x8h7_parse_mode mode)
{
	const u8 *pl = buf + X8H7_HDR_LEN;
	struct x8h7_subframe sf;
	unsigned int size, off, end;

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->mode = mode;
	size = x8h7_frame_size(buf);

	if (mode == X8H7_PARSE_H7) {
		/*
		 * The H7 copies size bytes and writes an 0xffffffff end mark
		 * after them; past 252 it would copy bytes that never crossed
		 * the wire, so a walk that gets there stops as an overrun.
		 */
		p->size = size > X8H7_SIZE_MAX ? X8H7_SIZE_MAX : size;
		return X8H7_OK;
	}

	if (m4rpc_get_le16(buf + 2) != (size ^ X8H7_CSUM_XOR))
		return X8H7_REJECT_CSUM;
	if (size > X8H7_SIZE_MAX)
		return X8H7_REJECT_SIZE;
	for (off = 0; off < size; off = end) {
		end = x8h7_sub_at(pl, size, off, &sf);
		if (!end)
			return X8H7_REJECT_SUBFRAME;
	}
	p->size = size;
	return X8H7_OK;
}

/* The H7's own walk; see X8H7_PARSE_H7. */
static bool x8h7_parse_next_h7(struct x8h7_parser *p, const u8 *pl,
			       struct x8h7_subframe *sf)
{
	unsigned int off = p->off, len;

	if (off + X8H7_SUB_HDR_LEN > X8H7_PAYLOAD_MAX)
		goto overrun;
	/* Also the H7's 0xffffffff end mark, when a walk lands on it. */
	if (pl[off] == 0x00 || pl[off] == 0xff)
		goto stop;
	len = m4rpc_get_le16(pl + off + 2);
	if (off + X8H7_SUB_HDR_LEN + len > X8H7_PAYLOAD_MAX)
		goto overrun;

	memset(sf, 0, sizeof(*sf));
	sf->periph = pl[off];
	sf->opcode = pl[off + 1];
	sf->len = len;
	sf->carried = len;
	sf->data = pl + off + X8H7_SUB_HDR_LEN;
	/*
	 * A subframe whose len runs past size would make the real H7 read
	 * stale bytes after its end mark; this walk ends there instead.
	 */
	p->off = off + X8H7_SUB_HDR_LEN + len;
	return true;

overrun:
	p->overrun = true;
stop:
	p->off = p->size;
	return false;
}

bool x8h7_parse_next(struct x8h7_parser *p, struct x8h7_subframe *sf)
{
	const u8 *pl = p->buf + X8H7_HDR_LEN;
	unsigned int end;

	if (p->off >= p->size)
		return false;
	if (p->mode == X8H7_PARSE_H7)
		return x8h7_parse_next_h7(p, pl, sf);

	/* Validated whole by x8h7_parse_begin(); 0 cannot happen here. */
	end = x8h7_sub_at(pl, p->size, p->off, sf);
	if (!end) {
		p->off = p->size;
		return false;
	}
	p->off = end;
	return true;
}
