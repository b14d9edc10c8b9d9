// SPDX-License-Identifier: LGPL-2.1-or-later
/* The board's description: a snapshot of M4RPC_IOC_INFO and its getters. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

struct m4rpc_board_info {
	struct m4rpc_info info;
};

M4RPC_EXPORT struct m4rpc_board_info *m4rpc_board_get_info(struct m4rpc_board *b)
{
	struct m4rpc_board_info *bi = malloc(sizeof(*bi));
	int ret;

	if (!bi) {
		m4rpc__fail(-ENOMEM, "out of memory");
		return m4rpc__fail_null(-ENOMEM);
	}
	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_INFO, &bi->info)) {
		ret = m4rpc__fail(-errno, "%s: M4RPC_IOC_INFO: %s", b->path,
				  strerror(errno));
		free(bi);
		return m4rpc__fail_null(ret);
	}
	/* The kernel NUL-terminates them; a fake device might not. */
	bi->info.fw_version[sizeof(bi->info.fw_version) - 1] = '\0';
	bi->info.spi_device[sizeof(bi->info.spi_device) - 1] = '\0';
	return bi;
}

M4RPC_EXPORT void m4rpc_board_info_free(struct m4rpc_board_info *info)
{
	free(info);
}

M4RPC_EXPORT unsigned int
m4rpc_board_info_index(const struct m4rpc_board_info *info)
{
	return info->info.index;
}

M4RPC_EXPORT enum m4rpc_link_status
m4rpc_board_info_link_status(const struct m4rpc_board_info *info)
{
	return info->info.link_state;
}

M4RPC_EXPORT enum m4rpc_m4_status
m4rpc_board_info_m4_status(const struct m4rpc_board_info *info)
{
	return info->info.m4_state;
}

M4RPC_EXPORT const char *
m4rpc_board_info_firmware(const struct m4rpc_board_info *info)
{
	return info->info.fw_version;
}

M4RPC_EXPORT const char *
m4rpc_board_info_spi_device(const struct m4rpc_board_info *info)
{
	return info->info.spi_device;
}

M4RPC_EXPORT unsigned int
m4rpc_board_info_max_tx_msg(const struct m4rpc_board_info *info)
{
	return info->info.max_tx_msg;
}

M4RPC_EXPORT unsigned int
m4rpc_board_info_max_rx_msg(const struct m4rpc_board_info *info)
{
	return info->info.max_rx_msg;
}

M4RPC_EXPORT unsigned int
m4rpc_board_info_calls_max(const struct m4rpc_board_info *info)
{
	return info->info.calls_max;
}

#define LIMIT(f) { #f, offsetof(struct m4rpc_info, f) }
static const struct {
	const char *name;
	size_t off;
} limits[] = {
	LIMIT(max_tx_msg), LIMIT(max_rx_msg), LIMIT(rx_queue_len),
	LIMIT(raw_buf_size), LIMIT(tx_queue_len), LIMIT(tx_session_len),
	LIMIT(calls_max), LIMIT(m4_calls_max), LIMIT(wire_calls_max),
	LIMIT(wire_bytes_max), LIMIT(api_version),
};

M4RPC_EXPORT int m4rpc_board_info_limits(const struct m4rpc_board_info *info,
					 struct m4rpc_counter *out, size_t cap)
{
	size_t i;
	__u32 v;

	for (i = 0; i < cap && i < sizeof(limits) / sizeof(limits[0]); i++) {
		memcpy(&v, (const char *)&info->info + limits[i].off, sizeof(v));
		out[i].name = limits[i].name;
		out[i].value = v;
	}
	return sizeof(limits) / sizeof(limits[0]);
}

M4RPC_EXPORT const char *m4rpc_m4_status_name(enum m4rpc_m4_status status)
{
	switch (status) {
	case M4RPC_BOARD_M4_NO_PROGRAM:
		return "no program";
	case M4RPC_BOARD_M4_NO_RPC:
		return "no RPC";
	case M4RPC_BOARD_M4_RUNNING:
		return "running";
	default:
		return "unknown";
	}
}

M4RPC_EXPORT const char *m4rpc_link_status_name(enum m4rpc_link_status status)
{
	switch (status) {
	case M4RPC_BOARD_LINK_SYNCING:
		return "syncing";
	case M4RPC_BOARD_LINK_UP:
		return "up";
	case M4RPC_BOARD_LINK_GONE:
		return "gone";
	default:
		return "unknown";
	}
}
