// SPDX-License-Identifier: GPL-2.0
/*
 * The master side of a simulated board: an SPI controller with one chip
 * select and, on it, the board's SPI device (modalias "x8h7-sim", mode 0,
 * 8-bit words, the board's nIRQ as its interrupt). The device is an ordinary
 * SPI device: driver_override and bind/unbind work, so spidev or any other
 * SPI driver can be bound to it.
 *
 * The controller accepts the four clock modes and does not model a mode
 * mismatch (the H7 is mode 0; a master in another mode would read garbage
 * from a real one). Clocks from SIM_MIN_SPEED_HZ to the module parameter
 * max_speed_hz (the device's default too) and transfers up to
 * SIM_MAX_XFER_LEN bytes are accepted, which bounds the wire time.
 *
 * Wire time: with the module parameter wire_time set (read at each
 * transfer), a transfer of len bytes ends len * 8 / speed_hz after it starts.
 * transfer_one() runs in process context (the SPI core's message pump thread,
 * or a spi_sync() caller): up to SIM_SPIN_MAX_NS it spins, beyond it
 * sleeps, interruptibly: a signal to a
 * spi_sync() caller, or the board going away, ends the wait early and the
 * transfer completes at once (its bytes were exchanged when it started).
 *
 * Late Linux (M4RPC_SIM_IOC_SET_DELAY): before the transfer starts, the same
 * kind of wait for the board's delay plus a random part of its jitter, cut
 * short the same way; then the transfer goes on as usual.
 */
#include <linux/hrtimer.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/platform_device.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spi/spi.h>
#include <linux/wait.h>
#include "m4rpc_compat.h"
#include "sim.h"

/* Sleep @ns, interruptibly: a signal or the board's teardown ends it. */
static void sim_spi_sleep(struct sim_board *b, u64 ns)
{
	ktime_t until = ktime_add_ns(ktime_get(), ns);
	DEFINE_WAIT(wait);

	for (;;) {
		prepare_to_wait(&b->wire_wq, &wait, TASK_INTERRUPTIBLE);
		if (READ_ONCE(b->dying) || signal_pending(current) ||
		    ktime_compare(ktime_get(), until) >= 0)
			break;
		schedule_hrtimeout_range(&until, 0, HRTIMER_MODE_ABS);
	}
	finish_wait(&b->wire_wq, &wait);
}

/*
 * A wire time up to this long is spun, not slept: a real controller ends
 * such a transfer within microseconds of its last clock, and a sleep that
 * short costs a timer interrupt and two context switches, several times
 * the wire time itself under an emulated CPU (a 102 us transfer took
 * ~300 us under qemu TCG). Bounded, so nothing needs to cut it short.
 */
#define SIM_SPIN_MAX_NS		(200 * NSEC_PER_USEC)

static void sim_spi_wire_wait(struct sim_board *b, unsigned int len,
			      u32 speed_hz)
{
	u64 ns = div_u64((u64)len * 8 * NSEC_PER_SEC, speed_hz);
	ktime_t until;

	if (ns > SIM_SPIN_MAX_NS) {
		sim_spi_sleep(b, ns);
		return;
	}
	until = ktime_add_ns(ktime_get(), ns);
	while (ktime_before(ktime_get(), until))
		cpu_relax();
}

/* The board's delay before a transfer: at most 2 s even if torn. */
static void sim_spi_delay(struct sim_board *b)
{
	u32 us = READ_ONCE(b->delay_us);
	u32 jitter = READ_ONCE(b->jitter_us);

	if (jitter)
		us += get_random_u32() % (jitter + 1);
	if (us)
		sim_spi_sleep(b, (u64)us * NSEC_PER_USEC);
}

static int sim_spi_transfer_one(struct spi_controller *ctlr,
				struct spi_device *spi,
				struct spi_transfer *x)
{
	struct sim_board *b = *(struct sim_board **)spi_controller_get_devdata(ctlr);
	u32 speed_hz = x->speed_hz ? x->speed_hz : b->max_speed_hz;

	/*
	 * The SPI core does not enforce max_transfer_size, and the bound on
	 * the wire time depends on it. The clock it does keep within
	 * [min_speed_hz, max_speed_hz]; the clamp only makes that local.
	 */
	if (x->len > SIM_MAX_XFER_LEN)
		return -EMSGSIZE;
	speed_hz = clamp(speed_hz, SIM_MIN_SPEED_HZ, b->max_speed_hz);
	x->effective_speed_hz = speed_hz;

	sim_spi_delay(b);
	m4rpc_sim_slave_xfer_begin(b, x, speed_hz);
	if (READ_ONCE(m4rpc_sim_wire_time))
		sim_spi_wire_wait(b, x->len, speed_hz);
	m4rpc_sim_slave_xfer_end(b);
	return 0;
}

static size_t sim_spi_max_transfer_size(struct spi_device *spi)
{
	return SIM_MAX_XFER_LEN;
}

int m4rpc_sim_spi_init(struct sim_board *b)
{
	struct spi_board_info info = {
		.modalias	= "x8h7-sim",
		.max_speed_hz	= b->max_speed_hz,
		.chip_select	= 0,
		.mode		= SPI_MODE_0,
		.irq		= b->unwired ? 0 : b->virq,
		.swnode		= b->unwired ? NULL : &b->swnode,
	};
	struct spi_controller *ctlr;
	int ret;

	b->irq_cells[0] = 0;
	b->irq_cells[1] = b->wired_edge ? IRQ_TYPE_EDGE_FALLING :
					  IRQ_TYPE_LEVEL_LOW;
	b->irq_props[0] = PROPERTY_ENTRY_U32_ARRAY("interrupts", b->irq_cells);
	b->swnode.properties = b->irq_props;

	ctlr = spi_alloc_host(&b->pdev->dev, sizeof(b));
	if (!ctlr)
		return -ENOMEM;
	*(struct sim_board **)spi_controller_get_devdata(ctlr) = b;
	ctlr->bus_num = -1;
	ctlr->num_chipselect = 1;
	ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->min_speed_hz = SIM_MIN_SPEED_HZ;
	ctlr->max_speed_hz = b->max_speed_hz;
	ctlr->transfer_one = sim_spi_transfer_one;
	ctlr->max_transfer_size = sim_spi_max_transfer_size;

	ret = spi_register_controller(ctlr);
	if (ret) {
		spi_controller_put(ctlr);
		return ret;
	}
	b->ctlr = ctlr;
	b->bus_num = ctlr->bus_num;

	if (b->of_np) {
		b->spi = m4rpc_sim_of_new_device(b, ctlr);
		if (IS_ERR(b->spi)) {
			ret = PTR_ERR(b->spi);
			b->spi = NULL;
			spi_unregister_controller(ctlr);
			b->ctlr = NULL;
			return ret;
		}
		return 0;
	}
	b->spi = spi_new_device(ctlr, &info);
	if (!b->spi) {
		spi_unregister_controller(ctlr);
		b->ctlr = NULL;
		return -ENODEV;
	}
	return 0;
}

/*
 * Unregisters the device (its driver's remove runs, which frees the irq) and
 * the controller (the core waits for the message on the wire, whose wire
 * time the caller has cut short by setting b->dying). The controller's
 * memory is the SPI core's: it goes with its last reference, which an open
 * spidev file may hold for a while, so nothing of ours may live in it but
 * the pointer to the board, which nobody follows after this.
 */
void m4rpc_sim_spi_exit(struct sim_board *b)
{
	spi_unregister_controller(b->ctlr);
	b->ctlr = NULL;
	b->spi = NULL;
}
