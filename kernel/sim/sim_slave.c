// SPDX-License-Identifier: GPL-2.0
/*
 * The slave end of a simulated board: /dev/m4rpc-simN, the uapi of
 * <linux/m4rpc_sim.h>, and the slave's half of every transfer.
 *
 * The slave process arms the next frame (ARM), sets the idle frame
 * (SET_IDLE), drives nIRQ (SET_NIRQ) and reads one struct m4rpc_sim_xfer per
 * completed transfer. One process at a time (open gives EBUSY otherwise);
 * release lets nIRQ go high and forgets the frames and queued records, so the
 * next slave starts from an unarmed H7.
 *
 * A transfer is one spi_transfer: the simulated wire asserts chip select for
 * each spi_transfer of a message, whatever its cs_change says, so a message
 * of several transfers gives several records and consumes one armed frame
 * per transfer. (A real H7 would see one 256-byte DMA window per assertion;
 * the masters this simulator is for send one 256-byte transfer per message.)
 *
 * MISO of a transfer is fixed when it starts (the armed frame if there is
 * one, else the idle frame, else zeros when nobody is attached); bytes past
 * 256 are zeros. ARM while a transfer is on the wire fails with EBUSY. A
 * record is queued only for the slave that was attached when the transfer
 * started and still is when it ends.
 *
 * Locking: see sim.h. All slave state is under board->lock.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "m4rpc_compat.h"
#include "sim.h"

/*
 * The same layout for 32-bit slave processes (compat_ptr_ioctl, and
 * read()'s records): tests/host/test_uapi_layout.c checks every offset.
 */
static_assert(sizeof(struct m4rpc_sim_xfer) == 552);
static_assert(sizeof(struct m4rpc_sim_arm) == 264);
static_assert(sizeof(struct m4rpc_sim_nirq) == 8);
static_assert(sizeof(struct m4rpc_sim_info) == 80);
static_assert(sizeof(struct m4rpc_sim_delay) == 16);

/* The H7's empty frame: size 0, checksum 0 ^ 0x5555, zeros after. */
static void sim_slave_default_idle(u8 *frame)
{
	memset(frame, 0, M4RPC_SIM_FRAME_LEN);
	frame[2] = 0x55;
	frame[3] = 0x55;
}

/* Forget everything a slave set up. Call with board->lock held. */
static void sim_slave_reset(struct sim_board *b)
{
	lockdep_assert_held(&b->lock);
	b->session++;
	b->armed = false;
	sim_slave_default_idle(b->idle_frame);
	b->q_head = 0;
	WRITE_ONCE(b->q_count, 0);
	WRITE_ONCE(b->delay_us, 0);
	WRITE_ONCE(b->jitter_us, 0);
}

static void sim_slave_queue_push(struct sim_board *b,
				 const struct m4rpc_sim_xfer *rec)
{
	struct m4rpc_sim_xfer *head, *slot;
	u32 lost;

	if (b->q_count == M4RPC_SIM_XFER_QUEUE) {
		/*
		 * Drop the oldest; the record that becomes the oldest
		 * carries the count (including what the dropped one
		 * carried), saturating.
		 */
		head = &b->queue[b->q_head];
		lost = head->lost;
		b->q_head = (b->q_head + 1) % M4RPC_SIM_XFER_QUEUE;
		WRITE_ONCE(b->q_count, b->q_count - 1);
		if (b->q_count) {
			head = &b->queue[b->q_head];
			if (lost < U32_MAX)
				lost++;
			head->lost = (head->lost > U32_MAX - lost) ?
				     U32_MAX : head->lost + lost;
		}
	}
	slot = &b->queue[(b->q_head + b->q_count) % M4RPC_SIM_XFER_QUEUE];
	*slot = *rec;
	WRITE_ONCE(b->q_count, b->q_count + 1);
}

void m4rpc_sim_slave_xfer_begin(struct sim_board *b, const struct spi_transfer *x,
				u32 speed_hz)
{
	struct m4rpc_sim_xfer *rec = &b->cur;
	unsigned int n = min_t(unsigned int, x->len, M4RPC_SIM_FRAME_LEN);
	const u8 *miso = NULL;

	mutex_lock(&b->lock);
	memset(rec, 0, sizeof(*rec));
	rec->start_ns = ktime_get_ns();
	rec->len = x->len;
	rec->speed_hz = speed_hz;
	if (x->len > M4RPC_SIM_FRAME_LEN)
		rec->flags |= M4RPC_SIM_XFER_CLIPPED;
	/* Read MOSI before writing MISO: the buffers may be the same. */
	if (x->tx_buf)
		memcpy(rec->mosi, x->tx_buf, n);
	if (b->attached) {
		if (b->armed) {
			miso = b->armed_frame;
			rec->flags |= M4RPC_SIM_XFER_ARMED;
			b->armed = false;
		} else {
			miso = b->idle_frame;
		}
		memcpy(rec->miso, miso, n);
	}
	if (x->rx_buf) {
		memcpy(x->rx_buf, rec->miso, n);
		if (x->len > n)
			memset((u8 *)x->rx_buf + n, 0, x->len - n);
	}
	b->cur_session = b->session;
	b->cs_active = true;
	mutex_unlock(&b->lock);
}

void m4rpc_sim_slave_xfer_end(struct sim_board *b)
{
	struct m4rpc_sim_xfer *rec = &b->cur;
	bool queued = false;

	mutex_lock(&b->lock);
	b->cs_active = false;
	rec->end_ns = ktime_get_ns();
	rec->seq = ++b->transfers;
	if (b->attached && b->cur_session == b->session) {
		sim_slave_queue_push(b, rec);
		queued = true;
	}
	mutex_unlock(&b->lock);
	if (queued)
		wake_up_interruptible(&b->read_wq);
}

static struct sim_board *sim_slave_board(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct sim_board, misc);
}

static int sim_slave_open(struct inode *inode, struct file *file)
{
	struct sim_board *b = sim_slave_board(file);
	int ret = 0;

	mutex_lock(&b->lock);
	if (b->attached) {
		ret = -EBUSY;
	} else {
		sim_slave_reset(b);
		b->attached = true;
	}
	mutex_unlock(&b->lock);
	if (ret)
		return ret;
	return stream_open(inode, file);
}

static int sim_slave_release(struct inode *inode, struct file *file)
{
	struct sim_board *b = sim_slave_board(file);

	mutex_lock(&b->lock);
	sim_slave_reset(b);
	b->attached = false;
	m4rpc_sim_irq_set_nirq(b, false, false);
	mutex_unlock(&b->lock);
	return 0;
}

/*
 * A lockless peek, usable as a wait_event() condition (no sleeping lock with
 * the task state set); sim_slave_pop() looks again under the lock.
 */
static bool sim_slave_readable(struct sim_board *b)
{
	return READ_ONCE(b->q_count) != 0;
}

/* Pop the oldest record into @rec; false when there is none. */
static bool sim_slave_pop(struct sim_board *b, struct m4rpc_sim_xfer *rec)
{
	bool ret = false;

	mutex_lock(&b->lock);
	if (b->q_count) {
		*rec = b->queue[b->q_head];
		b->q_head = (b->q_head + 1) % M4RPC_SIM_XFER_QUEUE;
		WRITE_ONCE(b->q_count, b->q_count - 1);
		ret = true;
	}
	mutex_unlock(&b->lock);
	return ret;
}

static ssize_t sim_slave_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct sim_board *b = sim_slave_board(file);
	struct m4rpc_sim_xfer *rec;
	size_t done = 0;
	int ret;

	if (count < sizeof(*rec))
		return -EINVAL;
	/* No more than a queue's worth per call. */
	count = min_t(size_t, count, M4RPC_SIM_XFER_QUEUE * sizeof(*rec));
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;

	while (count - done >= sizeof(*rec)) {
		if (!sim_slave_pop(b, rec)) {
			if (done)
				break;
			if (file->f_flags & O_NONBLOCK) {
				ret = -EAGAIN;
				goto out;
			}
			ret = wait_event_interruptible(b->read_wq,
						       sim_slave_readable(b));
			if (ret)
				goto out;
			continue;
		}
		/* A record that cannot be copied out is lost. */
		if (copy_to_user(buf + done, rec, sizeof(*rec))) {
			ret = -EFAULT;
			goto out;
		}
		done += sizeof(*rec);
	}
	ret = 0;
out:
	kfree(rec);
	if (done)
		return done;
	return ret;
}

static __poll_t sim_slave_poll(struct file *file, poll_table *wait)
{
	struct sim_board *b = sim_slave_board(file);

	poll_wait(file, &b->read_wq, wait);
	return sim_slave_readable(b) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long sim_slave_ioctl_arm(struct sim_board *b, void __user *argp,
				bool idle)
{
	struct m4rpc_sim_arm arm;
	int ret = 0;

	if (copy_from_user(&arm, argp, sizeof(arm)))
		return -EFAULT;
	if (arm.reserved)
		return -EINVAL;
	if (arm.flags & ~(idle ? 0 : M4RPC_SIM_ARM_ASSERT_IRQ))
		return -EINVAL;

	mutex_lock(&b->lock);
	if (idle) {
		memcpy(b->idle_frame, arm.frame, sizeof(b->idle_frame));
	} else if (b->cs_active) {
		ret = -EBUSY;
	} else {
		/* Arming again before a transfer replaces the armed frame. */
		memcpy(b->armed_frame, arm.frame, sizeof(b->armed_frame));
		b->armed = true;
		if (arm.flags & M4RPC_SIM_ARM_ASSERT_IRQ)
			m4rpc_sim_irq_set_nirq(b, true, false);
	}
	mutex_unlock(&b->lock);
	return ret;
}

static long sim_slave_ioctl_nirq(struct sim_board *b, void __user *argp)
{
	struct m4rpc_sim_nirq nirq;

	if (copy_from_user(&nirq, argp, sizeof(nirq)))
		return -EFAULT;
	if (nirq.level != M4RPC_SIM_NIRQ_HIGH &&
	    nirq.level != M4RPC_SIM_NIRQ_LOW)
		return -EINVAL;
	if (nirq.flags & ~M4RPC_SIM_NIRQ_DROP_EDGE)
		return -EINVAL;

	mutex_lock(&b->lock);
	m4rpc_sim_irq_set_nirq(b, nirq.level == M4RPC_SIM_NIRQ_LOW,
			       nirq.flags & M4RPC_SIM_NIRQ_DROP_EDGE);
	mutex_unlock(&b->lock);
	return 0;
}

static long sim_slave_ioctl_info(struct sim_board *b, void __user *argp)
{
	struct m4rpc_sim_info info;

	memset(&info, 0, sizeof(info));
	info.board = b->index;
	info.bus_num = b->bus_num;
	info.max_speed_hz = b->max_speed_hz;
	mutex_lock(&b->lock);
	info.cs_active = b->cs_active;
	info.transfers = b->transfers;
	m4rpc_sim_irq_info(b, &info);
	mutex_unlock(&b->lock);

	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long sim_slave_ioctl_delay(struct sim_board *b, void __user *argp)
{
	struct m4rpc_sim_delay d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || d.reserved || d.delay_us > M4RPC_SIM_DELAY_MAX_US ||
	    d.jitter_us > M4RPC_SIM_DELAY_MAX_US - d.delay_us)
		return -EINVAL;

	/* Read without the lock by transfer_one(); a torn pair is harmless. */
	mutex_lock(&b->lock);
	WRITE_ONCE(b->delay_us, d.delay_us);
	WRITE_ONCE(b->jitter_us, d.jitter_us);
	mutex_unlock(&b->lock);
	return 0;
}

static long sim_slave_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct sim_board *b = sim_slave_board(file);
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case M4RPC_SIM_IOC_ARM:
		return sim_slave_ioctl_arm(b, argp, false);
	case M4RPC_SIM_IOC_SET_IDLE:
		return sim_slave_ioctl_arm(b, argp, true);
	case M4RPC_SIM_IOC_SET_NIRQ:
		return sim_slave_ioctl_nirq(b, argp);
	case M4RPC_SIM_IOC_INFO:
		return sim_slave_ioctl_info(b, argp);
	case M4RPC_SIM_IOC_SET_DELAY:
		return sim_slave_ioctl_delay(b, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sim_slave_fops = {
	.owner		= THIS_MODULE,
	.open		= sim_slave_open,
	.release	= sim_slave_release,
	.read		= sim_slave_read,
	.poll		= sim_slave_poll,
	.unlocked_ioctl	= sim_slave_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * Called last at board creation: the SPI device may already be transferring
 * (with nobody attached), which needs only board->lock, set up by sim_main.c.
 */
int m4rpc_sim_slave_init(struct sim_board *b)
{
	int ret;

	sim_slave_default_idle(b->idle_frame);
	b->queue = vzalloc(array_size(M4RPC_SIM_XFER_QUEUE, sizeof(*b->queue)));
	if (!b->queue)
		return -ENOMEM;

	b->misc.minor = MISC_DYNAMIC_MINOR;
	b->misc.name = b->name;
	b->misc.fops = &sim_slave_fops;
	b->misc.parent = &b->pdev->dev;
	b->misc.mode = 0600;
	ret = misc_register(&b->misc);
	if (ret) {
		vfree(b->queue);
		b->queue = NULL;
	}
	return ret;
}

/* Called after the SPI controller is gone: no transfer can start any more. */
void m4rpc_sim_slave_exit(struct sim_board *b)
{
	misc_deregister(&b->misc);
	vfree(b->queue);
	b->queue = NULL;
}
