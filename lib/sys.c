// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The system calls the board makes on its session, through one table so
 * that the host tests can play the device (a socketpair and a fake ioctl)
 * without a kernel.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "m4rpc_priv.h"

static int sys_open(const char *path, int flags)
{
	return open(path, flags);
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static int sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
	return poll(fds, n, timeout_ms);
}

struct m4rpc_sys m4rpc__sys = {
	.open = sys_open,
	.close = close,
	.ioctl = sys_ioctl,
	.read = read,
	.write = write,
	.poll = sys_poll,
};
