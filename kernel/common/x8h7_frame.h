/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The 256-byte frame of the Portenta X8 SPI link (see docs/x8h7-link.md):
 * building frames to send and validating frames received. Pure C, compiled into
 * m4rpc.ko and into the host tools and tests alike; it never allocates and never
 * reads past the 256 bytes it is given.
 *
 *   offset 0  u16 size      bytes of subframes that follow
 *   offset 2  u16 checksum  size ^ 0x5555
 *   offset 4  subframes:    u8 peripheral, u8 opcode, u16 len, len bytes
 */
#ifndef X8H7_FRAME_H
#define X8H7_FRAME_H

#include "m4rpc_types.h"

#define X8H7_FRAME_LEN		256	/* every transfer, both directions */
#define X8H7_HDR_LEN		4	/* size + checksum */
#define X8H7_SUB_HDR_LEN	4	/* peripheral, opcode, len */
#define X8H7_PAYLOAD_MAX	252	/* subframe bytes that cross the wire */
/* The most ring bytes the H7 moves into one UI subframe per pass. */
#define X8H7_UI_CHUNK_MAX	128
#define X8H7_SIZE_MAX		256	/* what a (buggy) H7 may announce */
#define X8H7_SUB_DATA_MAX	248	/* most data one subframe can carry */
#define X8H7_CSUM_XOR		0x5555

/* Peripheral ids. 0x00 and 0xff end a frame for the H7's parser. */
enum x8h7_periph {
	X8H7_PERIPH_ADC		= 0x01,
	X8H7_PERIPH_PWM		= 0x02,
	X8H7_PERIPH_FDCAN1	= 0x03,
	X8H7_PERIPH_FDCAN2	= 0x04,
	X8H7_PERIPH_UART	= 0x05,
	X8H7_PERIPH_RTC		= 0x06,
	X8H7_PERIPH_GPIO	= 0x07,
	X8H7_PERIPH_H7		= 0x09,
	X8H7_PERIPH_UI		= 0x0a,
};

/* Opcodes of peripheral 0x09 (the H7 firmware itself). */
#define X8H7_H7_FW_VERSION	0x10
#define X8H7_H7_BOOT_M4		0x77
#define X8H7_H7_GET_UID		0x78
#define X8H7_UID_LEN		12

/* Opcode used on the UI channel both ways (the H7 ignores it on receive). */
#define X8H7_UI_DATA		0x01

/*
 * BOOT_M4 reply values (little-endian int32) are the M4 states of the uapi,
 * <linux/m4rpc.h>: M4RPC_M4_NO_PROGRAM, M4RPC_M4_NO_RPC, M4RPC_M4_RUNNING.
 * The uapi's numbers are the wire's, so the value passes through unchanged.
 */

/* ---- building a frame to send ---------------------------------------- */

/* Make @buf (X8H7_FRAME_LEN bytes) an empty frame: 00 00 55 55, rest zero. */
void x8h7_frame_init(u8 *buf);

/* Subframe bytes already in @buf (its size field). */
u16 x8h7_frame_size(const u8 *buf);

/* Would a subframe of @len data bytes still fit (size + 4 + len <= 252)? */
bool x8h7_frame_fits(const u8 *buf, u16 len);

/*
 * Append one subframe and update size and checksum. Returns 0, -EINVAL for
 * peripheral 0x00/0xff, @len > X8H7_SUB_DATA_MAX or a NULL @data with @len > 0
 * (@data may be NULL when @len is 0), -ENOSPC when it does not fit, also when
 * the frame's size is already past 252 (the frame is left unchanged). This is
 * the correct check; the H7's own enqueue forgets the 4-byte header, see
 * x8h7_frame_add_h7().
 */
int x8h7_frame_add(u8 *buf, u8 periph, u8 opcode, const void *data, u16 len);

/*
 * The stock H7 firmware's enqueue, bug included: accepts when size + len <= 252
 * and then grows size by 4 + len, up to 256. Only the first 252 subframe bytes
 * are stored in @buf (the rest would not cross the wire anyway). For the
 * emulator, which must reproduce the defect. Returns 0 or -ENOSPC (and
 * -EINVAL for a NULL @data with @len > 0); like the firmware, it accepts any
 * peripheral and any @len that passes its check (up to 252).
 */
int x8h7_frame_add_h7(u8 *buf, u8 periph, u8 opcode, const void *data, u16 len);

/* ---- parsing a received frame ---------------------------------------- */

/* Why a received frame was rejected: one counter each. */
enum x8h7_reject {
	X8H7_OK = 0,
	X8H7_REJECT_CSUM,	/* checksum != size ^ 0x5555 */
	X8H7_REJECT_SIZE,	/* size > 256 */
	X8H7_REJECT_SUBFRAME,	/* a subframe's 4 + len runs past size */
	X8H7_REJECT_NR,
};

enum x8h7_parse_mode {
	/* Linux side: check everything above; a frame is taken whole or not at all. */
	X8H7_PARSE_STRICT,
	/*
	 * The H7's own receive parser: no checksum or size check, stops at a
	 * peripheral 0x00/0xff or at a subframe that runs past the 252 carried
	 * bytes (the real H7 would read past its buffer; we stop, do not return
	 * that subframe and set x8h7_parser.overrun). The walk also ends at
	 * size (where the H7 writes an 0xffffffff end mark) and after a
	 * subframe whose len runs past size (the H7 would go on reading stale
	 * bytes). A size above 256 is treated as 256.
	 */
	X8H7_PARSE_H7,
};

struct x8h7_subframe {
	u8 periph;
	u8 opcode;
	u16 len;		/* as announced */
	u16 carried;		/* data bytes actually present: len unless truncated */
	bool truncated;		/* ran past the 252 carried bytes (H7 off-by-four) */
	const u8 *data;		/* @carried bytes inside the frame buffer */
};

struct x8h7_parser {
	const u8 *buf;
	u16 size;		/* validated size, <= 256 */
	u16 off;		/* next subframe, relative to the payload */
	enum x8h7_parse_mode mode;
	bool overrun;		/* H7 mode: stopped at a subframe past 252 bytes */
};

/*
 * Validate @buf (X8H7_FRAME_LEN bytes) and prepare to walk it. Returns X8H7_OK
 * or the reject class; in strict mode the whole frame, every subframe header
 * included, is checked here, so x8h7_parse_next() cannot fail afterwards.
 * After a reject, x8h7_parse_next() returns false at once.
 */
enum x8h7_reject x8h7_parse_begin(struct x8h7_parser *p, const u8 *buf,
				  enum x8h7_parse_mode mode);

/*
 * Next subframe: returns true and fills @sf, or false at the end.
 *
 * A last subframe that runs past the 252 carried bytes (only the H7's
 * off-by-four makes one) is returned once with @sf->truncated set and
 * @sf->carried < @sf->len; a zero-length one whose header was lost has
 * carried == len == 0. When its header was not wholly carried, len is what
 * size implies, periph and opcode are the header bytes that were carried (0
 * for those that were not) and @sf->data may point one past the buffer (with
 * carried 0). Only strict mode returns truncated subframes.
 *
 * In strict mode a peripheral 0x00/0xff subframe is returned like any other
 * (the caller counts it as unknown); in H7 mode it ends the walk.
 */
bool x8h7_parse_next(struct x8h7_parser *p, struct x8h7_subframe *sf);

#endif /* X8H7_FRAME_H */
