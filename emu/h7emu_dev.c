// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The backend on /dev/m4rpc-simN, the slave end of the m4rpc_sim kernel
 * module's simulated SPI link (uapi: linux/m4rpc_sim.h). Transfer records
 * are read in batches; an eventfd wakes the wait for stop/step requests.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/m4rpc_sim.h>

#include "h7emu_priv.h"

#define DEV_BATCH	16

struct dev_backend {
	struct h7emu_backend be;
	int fd;
	int wakefd;
	unsigned int n, i;		/* records in buf, next one */
	struct m4rpc_sim_xfer buf[DEV_BATCH];
};

static struct dev_backend *to_dev(struct h7emu_backend *be)
{
	return (struct dev_backend *)be;
}

static int dev_arm(struct h7emu_backend *be, const u8 *frame, bool irq)
{
	struct m4rpc_sim_arm a;

	memset(&a, 0, sizeof(a));
	a.flags = irq ? M4RPC_SIM_ARM_ASSERT_IRQ : 0;
	memcpy(a.frame, frame, sizeof(a.frame));
	return ioctl(to_dev(be)->fd, M4RPC_SIM_IOC_ARM, &a) ? -errno : 0;
}

static int dev_set_nirq(struct h7emu_backend *be, bool low, bool drop_edge)
{
	struct m4rpc_sim_nirq n = {
		.level = low ? M4RPC_SIM_NIRQ_LOW : M4RPC_SIM_NIRQ_HIGH,
		.flags = drop_edge ? M4RPC_SIM_NIRQ_DROP_EDGE : 0,
	};

	return ioctl(to_dev(be)->fd, M4RPC_SIM_IOC_SET_NIRQ, &n) ? -errno : 0;
}

static void dev_record(const struct m4rpc_sim_xfer *r, struct h7emu_xfer *x)
{
	x->start_ns = r->start_ns;
	x->end_ns = r->end_ns;
	x->len = r->len;
	x->lost = r->lost;
	x->armed = r->flags & M4RPC_SIM_XFER_ARMED;
	memcpy(x->mosi, r->mosi, sizeof(x->mosi));
	/* The kernel says zeros past len; do not rely on it. */
	if (r->len < sizeof(x->mosi))
		memset(x->mosi + r->len, 0, sizeof(x->mosi) - r->len);
}

static int dev_wait(struct h7emu_backend *be, u64 deadline_ns,
		    struct h7emu_xfer *x)
{
	struct dev_backend *d = to_dev(be);
	struct pollfd pfd[2];
	struct timespec ts;
	u64 now, left, v;
	ssize_t n;
	int r;

	while (d->i >= d->n) {
		now = h7emu_now_ns();
		left = deadline_ns > now ? deadline_ns - now : 0;
		ts.tv_sec = left / 1000000000ull;
		ts.tv_nsec = left % 1000000000ull;
		pfd[0].fd = d->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = d->wakefd;
		pfd[1].events = POLLIN;
		r = ppoll(pfd, 2, &ts, NULL);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			return -EIO;
		if (pfd[0].revents & POLLIN) {
			n = read(d->fd, d->buf, sizeof(d->buf));
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			d->n = n > 0 ? n / sizeof(d->buf[0]) : 0;
			d->i = 0;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(d->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return -errno;
			if (d->i >= d->n)
				return 0;
		}
		if (!r)
			return 0;
	}
	dev_record(&d->buf[d->i++], x);
	return 1;
}

static void dev_wake(struct h7emu_backend *be)
{
	u64 one = 1;

	if (write(to_dev(be)->wakefd, &one, sizeof(one)) < 0) {
		/* The counter is non-zero already: a wake-up is pending. */
	}
}

static void dev_destroy(struct h7emu_backend *be)
{
	struct dev_backend *d = to_dev(be);

	/* Closing releases nIRQ and forgets the armed and idle frames. */
	close(d->fd);
	close(d->wakefd);
	free(d);
}

static const struct h7emu_backend_ops dev_ops = {
	.arm = dev_arm,
	.set_nirq = dev_set_nirq,
	.wait = dev_wait,
	.wake = dev_wake,
	.destroy = dev_destroy,
};

struct h7emu_backend *h7emu_dev_open(unsigned int board)
{
	struct dev_backend *d;
	char path[64];
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->be.ops = &dev_ops;
	snprintf(path, sizeof(path), "/dev/m4rpc-sim%u", board);
	d->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0)
		goto fail;
	d->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wakefd < 0)
		goto fail_fd;
	return &d->be;

fail_fd:
	err = errno;
	close(d->fd);
	errno = err;
fail:
	err = errno;
	free(d);
	errno = err;
	return NULL;
}

int h7emu_dev_info(struct h7emu_backend *be, struct m4rpc_sim_info *info)
{
	if (be->ops != &dev_ops)
		return -ENODEV;
	return ioctl(to_dev(be)->fd, M4RPC_SIM_IOC_INFO, info) ? -errno : 0;
}

int h7emu_dev_set_delay(struct h7emu_backend *be, uint32_t delay_us,
			uint32_t jitter_us)
{
	struct m4rpc_sim_delay d = {
		.delay_us = delay_us,
		.jitter_us = jitter_us,
	};

	if (be->ops != &dev_ops)
		return -ENODEV;
	return ioctl(to_dev(be)->fd, M4RPC_SIM_IOC_SET_DELAY, &d) ? -errno : 0;
}
