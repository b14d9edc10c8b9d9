// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What <linux/m4rpc.h> says, for the Python package's layout test
 * (tests/test_uapi.py): every ioctl number, constant, structure size and
 * field offset, one per line, "KIND NAME VALUE". The Python side writes
 * them again by hand; the test compares the two.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/m4rpc.h>

#define IOCTL(n)	printf("ioctl %s %u\n", #n, (unsigned int)(n))
#define CONST(n)	printf("const %s %d\n", #n, (int)(n))
#define SIZE(s)		printf("size %s %zu\n", #s, sizeof(struct s))
#define OFF(s, f)	printf("offset %s.%s %zu\n", #s, #f, offsetof(struct s, f))

static void info(void)
{
	SIZE(m4rpc_info);
	OFF(m4rpc_info, api_version);
	OFF(m4rpc_info, index);
	OFF(m4rpc_info, link_state);
	OFF(m4rpc_info, m4_state);
	OFF(m4rpc_info, fw_version);
	OFF(m4rpc_info, spi_device);
	OFF(m4rpc_info, max_tx_msg);
	OFF(m4rpc_info, max_rx_msg);
	OFF(m4rpc_info, rx_queue_len);
	OFF(m4rpc_info, raw_buf_size);
	OFF(m4rpc_info, tx_queue_len);
	OFF(m4rpc_info, tx_session_len);
	OFF(m4rpc_info, calls_max);
	OFF(m4rpc_info, m4_calls_max);
	OFF(m4rpc_info, wire_calls_max);
	OFF(m4rpc_info, wire_bytes_max);
	OFF(m4rpc_info, flags);
	OFF(m4rpc_info, reserved0);
	OFF(m4rpc_info, reserved);
}

static void bind(void)
{
	SIZE(m4rpc_bind);
	OFF(m4rpc_bind, len);
	OFF(m4rpc_bind, flags);
	OFF(m4rpc_bind, name);
}

static void link_stats(void)
{
	SIZE(m4rpc_link_stats);
	OFF(m4rpc_link_stats, rx_msgs);
	OFF(m4rpc_link_stats, rx_requests);
	OFF(m4rpc_link_stats, rx_responses);
	OFF(m4rpc_link_stats, rx_notifications);
	OFF(m4rpc_link_stats, rx_raw_bytes);
	OFF(m4rpc_link_stats, rx_oversize);
	OFF(m4rpc_link_stats, rx_malformed);
	OFF(m4rpc_link_stats, rx_lost);
	OFF(m4rpc_link_stats, rx_lost_bytes);
	OFF(m4rpc_link_stats, replies_unmatched);
	OFF(m4rpc_link_stats, notify_unbound);
	OFF(m4rpc_link_stats, requests_unbound);
	OFF(m4rpc_link_stats, requests_refused);
	OFF(m4rpc_link_stats, requests_abandoned);
	OFF(m4rpc_link_stats, rx_queue_drops);
	OFF(m4rpc_link_stats, raw_drops);
	OFF(m4rpc_link_stats, tx_msgs);
	OFF(m4rpc_link_stats, tx_bytes);
	OFF(m4rpc_link_stats, tx_requests);
	OFF(m4rpc_link_stats, tx_responses);
	OFF(m4rpc_link_stats, tx_notifications);
	OFF(m4rpc_link_stats, tx_errors);
	OFF(m4rpc_link_stats, tx_purged);
	OFF(m4rpc_link_stats, tx_kernel_drops);
	OFF(m4rpc_link_stats, calls_failed);
	OFF(m4rpc_link_stats, wire_expired);
	OFF(m4rpc_link_stats, sessions);
	OFF(m4rpc_link_stats, tx_queued);
	OFF(m4rpc_link_stats, calls_pending);
	OFF(m4rpc_link_stats, m4_calls_pending);
	OFF(m4rpc_link_stats, calls_on_wire);
	OFF(m4rpc_link_stats, reserved0);
	OFF(m4rpc_link_stats, wire_long);
	OFF(m4rpc_link_stats, rx_suspect);
	OFF(m4rpc_link_stats, rx_cut);
}

static void session_stats(void)
{
	SIZE(m4rpc_session_stats);
	OFF(m4rpc_session_stats, rx_msgs);
	OFF(m4rpc_session_stats, rx_drops);
	OFF(m4rpc_session_stats, raw_bytes);
	OFF(m4rpc_session_stats, raw_drops);
	OFF(m4rpc_session_stats, overflows);
	OFF(m4rpc_session_stats, tx_msgs);
	OFF(m4rpc_session_stats, replies);
	OFF(m4rpc_session_stats, m4_calls);
	OFF(m4rpc_session_stats, mode);
	OFF(m4rpc_session_stats, rx_queued);
	OFF(m4rpc_session_stats, next_msg_len);
	OFF(m4rpc_session_stats, tx_queued);
	OFF(m4rpc_session_stats, calls_pending);
	OFF(m4rpc_session_stats, m4_calls_pending);
	OFF(m4rpc_session_stats, bindings);
	OFF(m4rpc_session_stats, reserved0);
	OFF(m4rpc_session_stats, reserved);
}

int main(void)
{
	IOCTL(M4RPC_IOC_INFO);
	IOCTL(M4RPC_IOC_BIND);
	IOCTL(M4RPC_IOC_UNBIND);
	IOCTL(M4RPC_IOC_SET_MODE);
	IOCTL(M4RPC_IOC_LINK_STATS);
	IOCTL(M4RPC_IOC_SESSION_STATS);
	CONST(M4RPC_API_VERSION);
	CONST(M4RPC_NAME_MAX);
	CONST(M4RPC_LINK_STATE_SYNCING);
	CONST(M4RPC_LINK_STATE_UP);
	CONST(M4RPC_LINK_STATE_GONE);
	CONST(M4RPC_M4_UNKNOWN);
	CONST(M4RPC_M4_NO_PROGRAM);
	CONST(M4RPC_M4_NO_RPC);
	CONST(M4RPC_M4_RUNNING);
	CONST(M4RPC_MODE_MSG);
	CONST(M4RPC_MODE_RAW);
	CONST(M4RPC_INFO_FW_CLIPS);
	info();
	bind();
	link_stats();
	session_stats();
	return 0;
}
