// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Opening the board a subcommand names (-d N or -d /dev/m4rpcN), with the
 * reason it cannot be opened in words; and what sysfs says of the H7's
 * firmware (the link's fw_clips file: the 53df799 defect).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

struct m4rpc_board *tool_open(const char *sub, const char *dev, int *status)
{
	struct m4rpc_board *b;
	char path[64];
	char *end;
	unsigned long n;

	if (!dev)
		dev = "0";
	n = strtoul(dev, &end, 10);
	if (*dev && !*end) {
		snprintf(path, sizeof(path), "/dev/m4rpc%lu", n);
		dev = path;
	}
	b = m4rpc_board_open(dev);
	if (b)
		return b;
	if (errno == ENOENT) {
		if (access("/sys/module/m4rpc", F_OK)) {
			tool_err(sub, "%s: no such device: m4rpc.ko is not loaded", dev);
			fprintf(stderr, "%s %s: load it: `m4rpc module load` (as root)\n",
				tool_prog, sub);
		} else {
			tool_err(sub, "%s: no such device: m4rpc.ko is loaded but has no such board", dev);
			fprintf(stderr, "%s %s: `ls /dev/m4rpc*` lists the boards; `m4rpc module status` tells whether the SPI device is bound\n",
				tool_prog, sub);
		}
		*status = EXIT_NO_BOARD;
		return NULL;
	}
	*status = tool_lib_err(sub, m4rpc_last_error_code() ?
			       m4rpc_last_error_code() : -errno);
	return NULL;
}

int tool_parse_ms(const char *sub, const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < -1 || v > 86400000)
		return tool_usage_err(sub, "'%s': a timeout is milliseconds, 0..86400000 (-1: forever)", s);
	*ms = (int)v;
	return 0;
}

const char *tool_fw_clips(unsigned int index)
{
	char path[96], buf[8] = "";
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/class/m4rpc-ep/m4rpc%u/device/m4rpc/fw_clips", index);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	if (buf[0] != '1')
		return NULL;
	return "the H7 firmware clips every frame Linux sends to its first subframe "
	       "header (a build from master at 53df799): the M4 never gets a message. "
	       "Flash tag 0.0.5 or a fixed build of portentax8-stm32h7-fw";
}
