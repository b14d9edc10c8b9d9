// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * x8h7-rawcall: call methods of the Portenta X8's M4 sketch from Linux over
 * raw SPI transfers (spidev), with no x8h7 or m4rpc driver loaded; and ask
 * the H7 firmware its version, its chip's unique id and the M4's state.
 * A diagnostic for the board, and the demo's caller on the simulated board
 * until /dev/m4rpc exists. See usage() for what it does, rawcall.h for its
 * parts.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/m4rpc.h>

#include "rawcall.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: x8h7-rawcall (--device /dev/spidevB.C | --board N) [OPTION]...\n"
"                    [--fw] [--uid] [--m4] [METHOD[:ARG,ARG...]]...\n"
"Call methods of the Portenta X8's M4 sketch (msgpack-rpc, as its Arduino\n"
"RPC library serves them) through raw 256-byte SPI transfers to the\n"
"STM32H7, via spidev, without the x8h7 or m4rpc drivers. spidev cannot see\n"
"the H7's interrupt line, so the tool polls: fine for a few calls, slow,\n"
"and it loses bytes of an M4 that talks a lot. A diagnostic, not a driver.\n"
"\n"
"The SPI device\n"
"  -d, --device PATH  the H7's spidev node /dev/spidevB.C; if it does not\n"
"                     exist but SPI device spiB.C does, spidev is bound to it\n"
"  -b, --board N      simulated board N of m4rpc_sim.ko: its SPI device\n"
"                     (modalias x8h7-sim), spidev bound to it if need be\n"
"      --rebind       take the SPI device from the driver that has it (m4rpc,\n"
"                     the stock x8h7 driver, ...); without it the tool stops\n"
"  Binding loads the spidev module if needed, writes spidev to the device's\n"
"  driver_override and binds it; the tool says so on stderr. The device\n"
"  stays bound to spidev; to undo: echo spiB.C >\n"
"  /sys/bus/spi/drivers/spidev/unbind; echo > .../spiB.C/driver_override.\n"
"  On an X8, stop m4-proxy and unload the x8h7 modules (lsmod | grep x8h7)\n"
"  first; the H7's SPI device is the one whose modalias is spi:x8h7\n"
"  (grep . /sys/bus/spi/devices/*/modalias).\n"
"\n"
"Link\n"
"  -s, --speed HZ     SPI clock (default 20000000, the X8's device tree)\n"
"  -t, --timeout MS   wait at most MS for each reply (default 2000)\n"
"  -p, --poll MS      clock an empty frame every MS to collect what the H7\n"
"                     has (default 5, 1..1000). After each frame carrying a\n"
"                     request the clock stays still for 3 x MS: the H7 loses\n"
"                     a frame when the next transfer comes before it has\n"
"                     processed it, and without its interrupt line there is\n"
"                     no telling when it has; raise MS for a slow M4\n"
"  -v, --verbose      frames with data, messages, raw bytes, rejected frames\n"
"                     and the counters, on stderr; twice: every frame\n"
"\n"
"What to ask (in this order: the queries, then the calls)\n"
"      --fw           the H7 firmware's version (FW_VERSION)\n"
"      --uid          the H7's 12-byte unique id (GET_UID)\n"
"      --m4           the M4's state (BOOT_M4, which also starts the M4's\n"
"                     program if it is not running): -1 no M4 program, 0 runs\n"
"                     without RPC, 1 runs with RPC\n"
"  METHOD             call METHOD with no arguments\n"
"  METHOD:ARG,...     with arguments, each one of: true, false (bool), nil,\n"
"                     an integer (-12, 42, 0x2a), a float (1.5, 2e3), a\n"
"                     string in double quotes (\"42\", \"a,b\"; mind the shell:\n"
"                     'led:\"on\"'), anything else a string. A request must fit\n"
"                     one UI subframe: 248 bytes\n"
"\n"
"Output: one line per answer on stdout: \"METHOD VALUE\" (a string as its\n"
"text, bytes in hex, arrays and maps in [] and {}), \"fw_version V\",\n"
"\"uid HEX\", \"boot_m4 N (meaning)\". An error reply (rpclib's message)\n"
"or a timeout goes to stderr as \"x8h7-rawcall: METHOD: ...\", and the calls\n"
"after it are still made; a failed transfer ends the run.\n"
"Exit status: 0 every answer a result, 1 some failed, 2 bad usage.\n"
"\n"
"Examples\n"
"  x8h7-rawcall --board 0 temperature humidity\n"
"  x8h7-rawcall --device /dev/spidevB.C --rebind --fw --m4 'led:true'\n"
"      (B.C of the spiB.C whose modalias is spi:x8h7)\n");
}

enum { O_FW = 256, O_UID, O_M4, O_REBIND };

static const struct option options[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "board", required_argument, NULL, 'b' },
	{ "rebind", no_argument, NULL, O_REBIND },
	{ "speed", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 't' },
	{ "poll", required_argument, NULL, 'p' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "fw", no_argument, NULL, O_FW },
	{ "uid", no_argument, NULL, O_UID },
	{ "m4", no_argument, NULL, O_M4 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

void rc_err(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("x8h7-rawcall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

/* Find, bind if need be, and open the SPI device: the fd or -1. */
static int open_device(const char *device, long board, bool rebind,
		       u32 speed_hz, char *path, size_t cap)
{
	char name[64];
	int err;

	if (board >= 0) {
		err = rc_spi_find_board(board, name, sizeof(name));
		if (!err)
			err = rc_spi_bind_spidev(name, rebind, path, cap);
		if (err)
			return -1;
	} else {
		snprintf(path, cap, "%s", device);
		if (access(path, F_OK) && errno == ENOENT) {
			if (rc_spi_name_of_dev(path, name, sizeof(name))) {
				rc_err(0, "%s: %s (and no SPI device spiB.C to bind spidev to)",
				       path, strerror(ENOENT));
				return -1;
			}
			if (rc_spi_bind_spidev(name, rebind, path, cap))
				return -1;
		}
	}
	err = rc_spi_open(path, speed_hz);
	return err < 0 ? -1 : err;
}

/* A transfer failed: nothing more can be done on this device. */
static void link_failed(const char *path, int err)
{
	rc_err(-err, "SPI transfer on %s%s", path,
	       err == -EINVAL ? " (a --speed the controller refuses?)" : "");
}

static const char *boot_m4_meaning(s32 v)
{
	switch (v) {
	case M4RPC_M4_NO_PROGRAM:
		return "no valid M4 program in flash";
	case M4RPC_M4_NO_RPC:
		return "the M4 runs, but its sketch did not open RPC";
	case M4RPC_M4_RUNNING:
		return "the M4 runs, RPC up";
	}
	return "unknown";
}

static void print_h7_reply(u8 op, const u8 *b, size_t n)
{
	size_t i;
	s32 v;

	switch (op) {
	case X8H7_H7_FW_VERSION:
		printf("fw_version %.*s\n", (int)n, (const char *)b);
		break;
	case X8H7_H7_GET_UID:
		printf("uid ");
		for (i = 0; i < n; i++)
			printf("%02x", b[i]);
		putchar('\n');
		if (n != X8H7_UID_LEN)
			rc_err(0, "uid: %zu bytes, not %d", n, X8H7_UID_LEN);
		break;
	case X8H7_H7_BOOT_M4:
		if (n != 4) {
			printf("boot_m4 ");
			rc_print_bytes(stdout, b, n);
			printf(" (not an int32)\n");
			break;
		}
		v = (s32)((u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 |
			  (u32)b[3] << 24);
		printf("boot_m4 %d (%s)\n", (int)v, boot_m4_meaning(v));
		break;
	}
	fflush(stdout);
}

static const struct {
	u8 op;
	const char *name;
} queries[] = {
	{ X8H7_H7_FW_VERSION, "fw_version" },
	{ X8H7_H7_GET_UID, "uid" },
	{ X8H7_H7_BOOT_M4, "boot_m4" },
};

/* 0 answered, 1 failed, -1 the link is gone. */
static int query(struct rc_link *l, const char *path, int i,
		 unsigned int timeout_ms)
{
	u64 deadline = rc_now_ns() + (u64)timeout_ms * 1000000;
	int err;

	l->want = RC_WANT_H7;
	l->want_op = queries[i].op;
	l->got = false;
	err = rc_link_send(l, X8H7_PERIPH_H7, queries[i].op, NULL, 0);
	if (!err)
		err = rc_link_wait(l, deadline);
	l->want = RC_WANT_NONE;
	if (err == -ETIMEDOUT) {
		rc_err(0, "%s: no reply from the H7 within %u ms",
		       queries[i].name, timeout_ms);
		rc_link_explain(l);
		return 1;
	}
	if (err) {
		link_failed(path, err);
		return -1;
	}
	print_h7_reply(queries[i].op, l->reply, l->reply_len);
	return 0;
}

/* 0 a result, 1 failed, -1 the link is gone. */
static int call(struct rc_link *l, const char *path, const char *spec,
		u32 msgid, unsigned int timeout_ms)
{
	u8 req[X8H7_SUB_DATA_MAX];
	char method[128];
	u64 deadline;
	int n, err;

	n = rc_pack_request(spec, msgid, req, sizeof(req), method,
			    sizeof(method));
	if (n < 0)
		return 1;
	l->want = RC_WANT_RPC;
	l->want_msgid = msgid;
	l->got = false;
	deadline = rc_now_ns() + (u64)timeout_ms * 1000000;
	err = rc_link_send(l, X8H7_PERIPH_UI, X8H7_UI_DATA, req, n);
	if (!err)
		err = rc_link_wait(l, deadline);
	l->want = RC_WANT_NONE;
	if (err == -ETIMEDOUT) {
		rc_err(0, "%s: no reply within %u ms", method, timeout_ms);
		rc_link_explain(l);
		return 1;
	}
	if (err) {
		link_failed(path, err);
		return -1;
	}
	return rc_print_response(method, l->reply, l->reply_len);
}

int main(int argc, char **argv)
{
	const char *device = NULL;
	unsigned long v, speed_hz = 20000000, timeout_ms = 2000, poll_ms = 5;
	bool ask[3] = { false }, rebind = false;
	char path[PATH_MAX];
	struct rc_link *l;
	long board = -1;
	int opt, verbose = 0, fd, i, r, failed = 0;
	u32 msgid;

	while ((opt = getopt_long(argc, argv, "d:b:s:t:p:vh", options,
				  NULL)) != -1) {
		r = 0;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'b':
			r = parse_uint(optarg, 0, INT_MAX, &v);
			board = v;
			break;
		case O_REBIND:
			rebind = true;
			break;
		case 's':
			r = parse_uint(optarg, 1, UINT32_MAX, &speed_hz);
			break;
		case 't':
			r = parse_uint(optarg, 1, 3600000, &timeout_ms);
			break;
		case 'p':
			r = parse_uint(optarg, 1, 1000, &poll_ms);
			break;
		case 'v':
			verbose++;
			break;
		case O_FW:
		case O_UID:
		case O_M4:
			ask[opt - O_FW] = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (r) {
			rc_err(0, "bad value for %s: %s (see --help)",
			       argv[optind - 1], optarg);
			return 2;
		}
	}
	if ((board >= 0) == !!device) {
		rc_err(0, "give one of --device and --board (see --help)");
		return 2;
	}
	if (optind == argc && !ask[0] && !ask[1] && !ask[2]) {
		rc_err(0, "nothing to ask: give methods or --fw/--uid/--m4 (see --help)");
		return 2;
	}

	fd = open_device(device, board, rebind, speed_hz, path, sizeof(path));
	if (fd < 0)
		return 1;
	l = malloc(sizeof(*l));
	if (!l) {
		rc_err(ENOMEM, "link state");
		return 1;
	}
	rc_link_init(l, fd, speed_hz, poll_ms, verbose);
	if (verbose)
		fprintf(stderr, "x8h7-rawcall: %s at %lu Hz, polling every %lu ms, %u ms quiet after a request\n",
			path, speed_hz, poll_ms, l->settle_ms);

	for (i = 0; i < 3; i++) {
		if (!ask[i])
			continue;
		r = query(l, path, i, timeout_ms);
		if (r < 0)
			goto out;
		failed |= r;
	}
	/* Message ids of this run: a reply left over from an earlier run
	 * (one that timed out) is unlikely to match. */
	msgid = ((u32)getpid() << 12 ^ (u32)rc_now_ns()) & 0x7fffffff;
	for (i = optind; i < argc; i++) {
		r = call(l, path, argv[i], msgid++ & 0x7fffffff, timeout_ms);
		if (r < 0)
			goto out;
		failed |= r;
	}
	r = 0;
out:
	if (verbose)
		rc_link_print_stats(l, stderr);
	close(fd);
	free(l);
	return r < 0 || failed ? 1 : 0;
}
