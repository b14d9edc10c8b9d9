// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The uapi structures of /dev/m4rpcN and /dev/m4rpc-simN have one layout
 * for 32-bit and 64-bit programs (issue 16: an armhf or i386 container on
 * a 64-bit kernel passes them to the ioctls as they are, through
 * compat_ptr_ioctl, which converts nothing but the pointer): every size,
 * every field's offset and every ioctl number is the same constant. This
 * file is compiled -m64 and -m32 (tests/host/uapi.mk): a difference does
 * not compile. The numbers were taken from the -m64 build; the kernel
 * asserts the sizes too (kernel/ep/ep_ioctl.c, kernel/sim/sim_slave.c).
 * No longs, pointers or implicit padding: a __u64 after an odd number of
 * __u32s would sit at another offset on i386 (4-byte alignment of __u64).
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/m4rpc.h>
#include <linux/m4rpc_sim.h>
#include "kselftest_harness.h"

#define SIZE(s, n)	_Static_assert(sizeof(struct s) == (n), #s " size")
#define AT(s, f, n)	_Static_assert(offsetof(struct s, f) == (n), #s "." #f)
#define IOC(c, n)	_Static_assert((c) == (n), #c)


SIZE(m4rpc_info, 176);
AT(m4rpc_info, api_version, 0);
AT(m4rpc_info, index, 4);
AT(m4rpc_info, link_state, 8);
AT(m4rpc_info, m4_state, 12);
AT(m4rpc_info, fw_version, 16);
AT(m4rpc_info, spi_device, 80);
AT(m4rpc_info, max_tx_msg, 112);
AT(m4rpc_info, max_rx_msg, 116);
AT(m4rpc_info, rx_queue_len, 120);
AT(m4rpc_info, raw_buf_size, 124);
AT(m4rpc_info, tx_queue_len, 128);
AT(m4rpc_info, tx_session_len, 132);
AT(m4rpc_info, calls_max, 136);
AT(m4rpc_info, m4_calls_max, 140);
AT(m4rpc_info, wire_calls_max, 144);
AT(m4rpc_info, wire_bytes_max, 148);
AT(m4rpc_info, flags, 152);
AT(m4rpc_info, reserved0, 156);
AT(m4rpc_info, reserved, 160);

SIZE(m4rpc_bind, 72);
AT(m4rpc_bind, len, 0);
AT(m4rpc_bind, flags, 4);
AT(m4rpc_bind, name, 8);

SIZE(m4rpc_link_stats, 256);
AT(m4rpc_link_stats, rx_msgs, 0);
AT(m4rpc_link_stats, rx_requests, 8);
AT(m4rpc_link_stats, rx_responses, 16);
AT(m4rpc_link_stats, rx_notifications, 24);
AT(m4rpc_link_stats, rx_raw_bytes, 32);
AT(m4rpc_link_stats, rx_oversize, 40);
AT(m4rpc_link_stats, rx_malformed, 48);
AT(m4rpc_link_stats, rx_lost, 56);
AT(m4rpc_link_stats, rx_lost_bytes, 64);
AT(m4rpc_link_stats, replies_unmatched, 72);
AT(m4rpc_link_stats, notify_unbound, 80);
AT(m4rpc_link_stats, requests_unbound, 88);
AT(m4rpc_link_stats, requests_refused, 96);
AT(m4rpc_link_stats, requests_abandoned, 104);
AT(m4rpc_link_stats, rx_queue_drops, 112);
AT(m4rpc_link_stats, raw_drops, 120);
AT(m4rpc_link_stats, tx_msgs, 128);
AT(m4rpc_link_stats, tx_bytes, 136);
AT(m4rpc_link_stats, tx_requests, 144);
AT(m4rpc_link_stats, tx_responses, 152);
AT(m4rpc_link_stats, tx_notifications, 160);
AT(m4rpc_link_stats, tx_errors, 168);
AT(m4rpc_link_stats, tx_purged, 176);
AT(m4rpc_link_stats, tx_kernel_drops, 184);
AT(m4rpc_link_stats, calls_failed, 192);
AT(m4rpc_link_stats, wire_expired, 200);
AT(m4rpc_link_stats, sessions, 208);
AT(m4rpc_link_stats, tx_queued, 212);
AT(m4rpc_link_stats, calls_pending, 216);
AT(m4rpc_link_stats, m4_calls_pending, 220);
AT(m4rpc_link_stats, calls_on_wire, 224);
AT(m4rpc_link_stats, reserved0, 228);
AT(m4rpc_link_stats, wire_long, 232);
AT(m4rpc_link_stats, rx_suspect, 240);
AT(m4rpc_link_stats, rx_cut, 248);

SIZE(m4rpc_session_stats, 128);
AT(m4rpc_session_stats, rx_msgs, 0);
AT(m4rpc_session_stats, rx_drops, 8);
AT(m4rpc_session_stats, raw_bytes, 16);
AT(m4rpc_session_stats, raw_drops, 24);
AT(m4rpc_session_stats, overflows, 32);
AT(m4rpc_session_stats, tx_msgs, 40);
AT(m4rpc_session_stats, replies, 48);
AT(m4rpc_session_stats, m4_calls, 56);
AT(m4rpc_session_stats, mode, 64);
AT(m4rpc_session_stats, rx_queued, 68);
AT(m4rpc_session_stats, next_msg_len, 72);
AT(m4rpc_session_stats, tx_queued, 76);
AT(m4rpc_session_stats, calls_pending, 80);
AT(m4rpc_session_stats, m4_calls_pending, 84);
AT(m4rpc_session_stats, bindings, 88);
AT(m4rpc_session_stats, reserved0, 92);
AT(m4rpc_session_stats, reserved, 96);

SIZE(m4rpc_sim_xfer, 552);
AT(m4rpc_sim_xfer, seq, 0);
AT(m4rpc_sim_xfer, start_ns, 8);
AT(m4rpc_sim_xfer, end_ns, 16);
AT(m4rpc_sim_xfer, len, 24);
AT(m4rpc_sim_xfer, flags, 28);
AT(m4rpc_sim_xfer, lost, 32);
AT(m4rpc_sim_xfer, speed_hz, 36);
AT(m4rpc_sim_xfer, mosi, 40);
AT(m4rpc_sim_xfer, miso, 296);

SIZE(m4rpc_sim_arm, 264);
AT(m4rpc_sim_arm, flags, 0);
AT(m4rpc_sim_arm, reserved, 4);
AT(m4rpc_sim_arm, frame, 8);

SIZE(m4rpc_sim_nirq, 8);
AT(m4rpc_sim_nirq, level, 0);
AT(m4rpc_sim_nirq, flags, 4);

SIZE(m4rpc_sim_info, 80);
AT(m4rpc_sim_info, board, 0);
AT(m4rpc_sim_info, bus_num, 4);
AT(m4rpc_sim_info, irq_mode, 8);
AT(m4rpc_sim_info, max_speed_hz, 12);
AT(m4rpc_sim_info, nirq, 16);
AT(m4rpc_sim_info, cs_active, 20);
AT(m4rpc_sim_info, transfers, 24);
AT(m4rpc_sim_info, irqs, 32);
AT(m4rpc_sim_info, dropped_edges, 40);
AT(m4rpc_sim_info, reserved, 48);

SIZE(m4rpc_sim_delay, 16);
AT(m4rpc_sim_delay, delay_us, 0);
AT(m4rpc_sim_delay, jitter_us, 4);
AT(m4rpc_sim_delay, flags, 8);
AT(m4rpc_sim_delay, reserved, 12);

IOC(M4RPC_IOC_INFO, 0x80b0b901);
IOC(M4RPC_IOC_BIND, 0x4048b902);
IOC(M4RPC_IOC_UNBIND, 0x4048b903);
IOC(M4RPC_IOC_SET_MODE, 0x4004b904);
IOC(M4RPC_IOC_LINK_STATS, 0x8100b905);
IOC(M4RPC_IOC_SESSION_STATS, 0x8080b906);
IOC(M4RPC_SIM_IOC_ARM, 0x4108b801);
IOC(M4RPC_SIM_IOC_SET_IDLE, 0x4108b802);
IOC(M4RPC_SIM_IOC_SET_NIRQ, 0x4008b803);
IOC(M4RPC_SIM_IOC_INFO, 0x8050b804);
IOC(M4RPC_SIM_IOC_SET_DELAY, 0x4010b805);

/* What the asserts above took for granted: this build's word size. */
TEST(layout)
{
	printf("# %zu-bit build: struct m4rpc_info %zu bytes, m4rpc_link_stats %zu, m4rpc_sim_xfer %zu\n",
	       sizeof(void *) * 8, sizeof(struct m4rpc_info),
	       sizeof(struct m4rpc_link_stats),
	       sizeof(struct m4rpc_sim_xfer));
	fflush(stdout);
	ASSERT_EQ(sizeof(void *), (size_t)TEST_WORD_BYTES);
}

TEST_HARNESS_MAIN
