/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * x8h7-rawcall: msgpack-rpc calls to the Portenta X8's M4 sketch over raw
 * 256-byte SPI transfers through spidev, without any x8h7/m4rpc driver.
 * The parts of the tool, one concept each:
 *
 *   rawcall_spidev.c  finding the SPI device, binding spidev, transfers
 *   rawcall_link.c    the link as a polling master: frames out and in,
 *                     the UI stream reassembled, replies matched
 *   rawcall_rpc.c     requests from the command line, replies printed
 *   x8h7-rawcall.c    options and the sequence of calls
 *
 * The UI stream is cut into messages by the reassembler m4rpc.ko uses too
 * (kernel/common/m4rpc_reasm.c), linked in from the shared objects.
 */
#ifndef RAWCALL_H
#define RAWCALL_H

#include <stdarg.h>
#include <stdio.h>

#include "m4rpc_types.h"
#include "rpc_reasm.h"
#include "x8h7_frame.h"

/* Largest M4 message kept whole (the H7's ring is 4 KiB; room to spare). */
#define RC_MSG_MAX		65536
/*
 * How far an oversize message is followed to its end before the reassembler
 * gives up on it (a length field of junk can claim up to 4 GiB).
 */
#define RC_SKIP_MAX		(4 * RC_MSG_MAX)

/* "x8h7-rawcall: " + message + (": " + strerror(err) when err) + newline */
void rc_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- rawcall_spidev.c ---------------------------------------------------- */

/*
 * The SPI device of simulated board @board (m4rpc_sim.ko): the device whose
 * modalias is spi:x8h7-sim under the board's platform device m4rpc-sim.N.
 * Writes its name (spiB.C) to @name; 0 or -errno, with the error printed.
 */
int rc_spi_find_board(unsigned int board, char *name, size_t cap);

/*
 * Make sure spidev drives SPI device @name (spiB.C): loads the spidev module
 * if its driver is missing, sets driver_override and binds, saying so on
 * stderr. A device bound to another driver is taken from it only with
 * @rebind. Writes /dev/spidevB.C to @path; 0 or -errno, error printed.
 */
int rc_spi_bind_spidev(const char *name, bool rebind, char *path, size_t cap);

/*
 * For --device /dev/spidevB.C that does not exist: the SPI device it would
 * be (spiB.C) if that exists in sysfs; 0, or -ENOENT (nothing printed).
 */
int rc_spi_name_of_dev(const char *path, char *name, size_t cap);

/* Open @path, mode 0, 8 bits, @speed_hz; the fd or -errno, error printed. */
int rc_spi_open(const char *path, u32 speed_hz);

/* One 256-byte full-duplex transfer; 0 or -errno. */
int rc_spi_xfer(int fd, u32 speed_hz, const u8 *tx, u8 *rx);

/* ---- rawcall_link.c ------------------------------------------------------ */

struct rc_stats {
	u64 xfers;		/* transfers clocked */
	u64 frames_out;		/* of which carried our subframes */
	u64 frames_in;		/* frames received with subframes */
	u64 rejects[X8H7_REJECT_NR];	/* frames failing the strict parse */
	u64 zero_frames;	/* of those, all zeros (nothing drives MISO) */
	u64 truncated;		/* UI subframes cut by the H7's off-by-four */
	u64 ui_bytes;		/* UI bytes received */
	u64 raw_bytes;		/* bytes of no message (raw endpoint, junk) */
	u64 msgs;		/* whole messages reassembled */
	u64 notifications;	/* notifications from the M4 (ignored) */
	u64 m4_calls;		/* calls from the M4 (not answered) */
	u64 stale;		/* responses nobody here waits for */
	u64 dropped;		/* messages longer than RC_MSG_MAX */
	u64 hole_bytes;		/* partial messages dropped at a gap */
	u64 other;		/* subframes of other peripherals */
};

enum rc_want {
	RC_WANT_NONE,
	RC_WANT_RPC,		/* a response with msgid want_msgid */
	RC_WANT_H7,		/* a peripheral 0x09 reply to want_op */
};

struct rc_link {
	int fd;
	u32 speed_hz;
	unsigned int poll_ms;
	unsigned int settle_ms;	/* quiet time after a frame with data */
	int verbose;		/* 1: frames with data, messages; 2: all */
	u64 t0_ns;		/* for the -v time stamps */
	struct m4rpc_reasm reasm;	/* the UI stream, messages and raw bytes */
	enum rc_want want;
	u32 want_msgid;
	u8 want_op;
	bool got;		/* the wanted reply is in reply[] */
	size_t reply_len;
	struct rc_stats st;
	struct rc_stats mark;	/* st when the last request was sent */
	u8 reasmbuf[RC_MSG_MAX];
	u8 reply[RC_MSG_MAX];
};

void rc_link_init(struct rc_link *l, int fd, u32 speed_hz,
		  unsigned int poll_ms, int verbose);

/*
 * Send one subframe in a frame of its own (after collecting what the H7
 * holds already), then keep the clock still for settle_ms so that the H7
 * can process it. 0 or -errno (-EINVAL, -EMSGSIZE for data the frame cannot
 * carry; a transfer's error).
 */
int rc_link_send(struct rc_link *l, u8 periph, u8 opcode, const void *data,
		 u16 len);

/*
 * Poll (an empty frame every poll_ms) until the reply set up in l->want
 * arrived (0) or @deadline_ns (CLOCK_MONOTONIC) passed (-ETIMEDOUT), or a
 * transfer failed (-errno).
 */
int rc_link_wait(struct rc_link *l, u64 deadline_ns);

/* Why the wait for the last request's reply may have failed, from what
 * the counters did since it was sent (one line, stderr). */
void rc_link_explain(const struct rc_link *l);
void rc_link_print_stats(const struct rc_link *l, FILE *f);

u64 rc_now_ns(void);

/* ---- rawcall_rpc.c ------------------------------------------------------- */

/*
 * Pack the request [0, @msgid, method, [args]] for @spec, "method" or
 * "method:arg,arg,..." (see the --help text), into @out (@cap bytes).
 * Returns its length, or -EINVAL (bad spec) / -EMSGSIZE (longer than @cap),
 * with the error printed. The method name goes to @method (truncated to
 * @mcap).
 */
int rc_pack_request(const char *spec, u32 msgid, u8 *out, size_t cap,
		    char *method, size_t mcap);

/*
 * Print the response @msg[0..@len) to a call of @method: "method value" on
 * stdout, or the error it carries on stderr. 0 for a result, 1 for an error.
 */
int rc_print_response(const char *method, const u8 *msg, size_t len);

/* One message, decoded, on one line of @f (for -v). */
void rc_print_msg(FILE *f, const u8 *msg, size_t len);

/* @n bytes as text if they are text, else hex (for -v and bin results). */
void rc_print_bytes(FILE *f, const u8 *b, size_t n);

#endif /* RAWCALL_H */
