/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * m4rpc_sim: a simulated SPI controller whose slave end is played by a
 * userspace process. One controller and one SPI device per simulated board;
 * the slave of board N is the character device /dev/m4rpc-simN.
 *
 * The SPI device is mode 0, 20 MHz, modalias "x8h7-sim", and carries an
 * interrupt: the simulated nIRQ line (active low), delivered as falling-edge or
 * level-low (module parameter irq_mode=level|edge, default level as in the
 * X8's device tree); with irq_mode=none the line is driven all the same but
 * the SPI device carries no interrupt, as a board whose nIRQ is not wired
 * to Linux (its driver must poll). In level mode the line is wired like the X8's GPIO,
 * which senses levels and edges: a driver may also set IRQ_TYPE_LEVEL_HIGH,
 * IRQ_TYPE_EDGE_RISING (not with the module parameter rising_edge=0, which
 * models a controller with levels only) or IRQ_TYPE_EDGE_FALLING. In edge mode it is an edge-only input (falling
 * edge only), so that missed edges are a real hazard for the driver.
 * Any SPI driver may be bound to it (driver_override).
 *
 * What the slave process does, modelled on the H7's DMA:
 *
 *  - M4RPC_SIM_IOC_ARM loads the bytes the slave will shift out (MISO) in the
 *    next transfer. A transfer consumes the armed frame; afterwards the slave
 *    sends its idle frame (M4RPC_SIM_IOC_SET_IDLE; default: the H7's empty
 *    frame 00 00 55 55, zeros after) until armed again. Arming while chip
 *    select is asserted fails with EBUSY, as the H7 never swaps buffers while
 *    nCS is low: retry on the next pass. The armed frame may optionally drive
 *    nIRQ low in the same step (M4RPC_SIM_ARM_ASSERT_IRQ). Arming again
 *    before a transfer took the armed frame replaces it. SET_IDLE takes no
 *    flags. Unknown flags or a non-zero reserved field: EINVAL.
 *  - read() returns whole struct m4rpc_sim_xfer records, one per completed
 *    transfer (per chip-select assertion), oldest first, as many as fit in
 *    the buffer; poll() gives POLLIN when one is queued. The queue holds
 *    M4RPC_SIM_XFER_QUEUE records; when it is full the oldest is dropped and
 *    the next record read carries the number dropped in @lost. A buffer
 *    smaller than one record: EINVAL. Each spi_transfer of an SPI message is
 *    a chip-select assertion of its own here, whatever its cs_change says
 *    (the masters this is for send one 256-byte transfer per message), and
 *    takes the armed frame if there is one. MISO is fixed when the transfer
 *    starts; bytes past 256 are zeros.
 *  - M4RPC_SIM_IOC_SET_NIRQ drives nIRQ. With M4RPC_SIM_NIRQ_DROP_EDGE, a
 *    high-to-low change in edge mode raises no interrupt and counts in
 *    dropped_edges; in level mode the flag changes nothing (a level-sensitive
 *    input cannot miss a level).
 *
 * Only one process may be attached to a board at a time (open() gives EBUSY
 * otherwise). While nobody is attached, the controller answers like an
 * unarmed H7: MISO is all zeros (which a careful master rejects: the checksum
 * of size 0 must be 0x5555) and nIRQ is high. Closing the device releases nIRQ
 * (high) and forgets the armed and idle frames and the queued records. An
 * open slave device pins the module: unloading it fails (EWOULDBLOCK) until
 * the device is closed.
 *
 * Wire time: each transfer takes len * 8 / speed_hz (module parameter
 * wire_time=1, default on, writable at run time); the wait ends early when
 * the thread clocking the transfer gets a signal or the module is unloading.
 * Clocks under 100 kHz are refused (EINVAL, from the SPI core), and so are
 * transfers over 64 KiB (EMSGSIZE), which bounds a transfer to about 5 s.
 *
 * Late Linux: M4RPC_SIM_IOC_SET_DELAY makes every transfer of the board wait
 * before it starts, as on a loaded system: delay_us, plus a pseudo-random
 * 0..jitter_us (uniform, drawn per transfer). The wait comes before chip
 * select is asserted, so a record's start_ns is taken after it. It ends
 * early, and the transfer goes on at once, when the thread clocking the
 * transfer gets a signal or the module is unloading. delay_us + jitter_us
 * may be at most M4RPC_SIM_DELAY_MAX_US (1 s); more, unknown flags or a
 * non-zero reserved field: EINVAL. All zeros (the default) means no wait;
 * closing the slave device sets it back to zero. A transfer already
 * waiting keeps the delay it started with.
 */
#ifndef _UAPI_LINUX_M4RPC_SIM_H
#define _UAPI_LINUX_M4RPC_SIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define M4RPC_SIM_FRAME_LEN	256
#define M4RPC_SIM_XFER_QUEUE	256

/* struct m4rpc_sim_xfer.flags */
#define M4RPC_SIM_XFER_ARMED	(1U << 0) /* MISO was an armed frame, not idle */
#define M4RPC_SIM_XFER_CLIPPED	(1U << 1) /* len > 256: only 256 bytes kept */

struct m4rpc_sim_xfer {
	__u64 seq;		/* transfer number on this board, from 1 */
	__u64 start_ns;		/* CLOCK_MONOTONIC at chip-select assertion */
	__u64 end_ns;		/* CLOCK_MONOTONIC at chip-select release */
	__u32 len;		/* bytes clocked (256 from a well-behaved master) */
	__u32 flags;		/* M4RPC_SIM_XFER_* */
	__u32 lost;		/* records dropped (queue full) just before this one */
	__u32 speed_hz;		/* clock of this transfer */
	__u8 mosi[M4RPC_SIM_FRAME_LEN];	/* what the master sent (0 past len) */
	__u8 miso[M4RPC_SIM_FRAME_LEN];	/* what the slave sent (0 past len) */
};

/* M4RPC_SIM_IOC_ARM flags */
#define M4RPC_SIM_ARM_ASSERT_IRQ (1U << 0) /* and pull nIRQ low */

struct m4rpc_sim_arm {
	__u32 flags;
	__u32 reserved;		/* must be 0 */
	__u8 frame[M4RPC_SIM_FRAME_LEN];
};

/* M4RPC_SIM_IOC_SET_NIRQ */
#define M4RPC_SIM_NIRQ_HIGH	0	/* released: nothing to say */
#define M4RPC_SIM_NIRQ_LOW	1	/* asserted: "I have a frame for you" */
/* flags: pull low without delivering the falling edge (fault injection) */
#define M4RPC_SIM_NIRQ_DROP_EDGE (1U << 0)

struct m4rpc_sim_nirq {
	__u32 level;		/* M4RPC_SIM_NIRQ_HIGH or _LOW */
	__u32 flags;
};

/* M4RPC_SIM_IOC_INFO */
#define M4RPC_SIM_IRQ_LEVEL	0
#define M4RPC_SIM_IRQ_EDGE	1	/* falling edge */
#define M4RPC_SIM_IRQ_RISING	2	/* rising edge (set by the driver) */
#define M4RPC_SIM_IRQ_NONE	3	/* irq_mode=none: no interrupt wired */

struct m4rpc_sim_info {
	__u32 board;		/* N of /dev/m4rpc-simN */
	__u32 bus_num;		/* SPI bus: the device is spi<bus_num>.0 */
	__u32 irq_mode;		/* M4RPC_SIM_IRQ_LEVEL, _EDGE, _RISING or
				 * _NONE: the trigger now
				 * (irq_mode=, unless the bound driver
				 * requested the other one explicitly, which
				 * the real GPIO allows too)
				 */
	__u32 max_speed_hz;
	__u32 nirq;		/* current level, M4RPC_SIM_NIRQ_* */
	__u32 cs_active;	/* 1 while a transfer is in flight */
	__u64 transfers;	/* completed since the board was created */
	__u64 irqs;		/* interrupts raised to the SPI device's irq
				 * (none while it is masked or not requested)
				 */
	__u64 dropped_edges;	/* falling edges not delivered on request */
	__u64 reserved[4];
};

/* M4RPC_SIM_IOC_SET_DELAY */
#define M4RPC_SIM_DELAY_MAX_US	1000000U	/* delay_us + jitter_us */

struct m4rpc_sim_delay {
	__u32 delay_us;		/* fixed wait before each transfer */
	__u32 jitter_us;	/* plus a random 0..jitter_us */
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
};

#define M4RPC_SIM_IOC_MAGIC	0xb8
#define M4RPC_SIM_IOC_ARM	_IOW(M4RPC_SIM_IOC_MAGIC, 1, struct m4rpc_sim_arm)
#define M4RPC_SIM_IOC_SET_IDLE	_IOW(M4RPC_SIM_IOC_MAGIC, 2, struct m4rpc_sim_arm)
#define M4RPC_SIM_IOC_SET_NIRQ	_IOW(M4RPC_SIM_IOC_MAGIC, 3, struct m4rpc_sim_nirq)
#define M4RPC_SIM_IOC_INFO	_IOR(M4RPC_SIM_IOC_MAGIC, 4, struct m4rpc_sim_info)
#define M4RPC_SIM_IOC_SET_DELAY	_IOW(M4RPC_SIM_IOC_MAGIC, 5, struct m4rpc_sim_delay)

#endif /* _UAPI_LINUX_M4RPC_SIM_H */
