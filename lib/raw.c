// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Raw mode: the session reads the M4's raw endpoint (RPC.write() on the
 * M4) as a byte stream instead of messages (M4RPC_MODE_RAW).
 */
#include <errno.h>
#include <string.h>

#include "m4rpc_priv.h"

M4RPC_EXPORT int m4rpc_board_set_raw(struct m4rpc_board *b)
{
	__u32 mode = M4RPC_MODE_RAW;

	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_SET_MODE, &mode)) {
		if (errno == EBUSY)
			return m4rpc__fail(-EBUSY,
					   "%s: a session that serves names or has calls pending cannot switch to raw mode: open another board",
					   b->path);
		return m4rpc__fail(-errno, "%s: M4RPC_IOC_SET_MODE: %s",
				   b->path, strerror(errno));
	}
	pthread_mutex_lock(&b->lock);
	b->raw = true;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

M4RPC_EXPORT ssize_t m4rpc_board_read_raw(struct m4rpc_board *b, void *buf,
					  size_t size, int timeout_ms)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	struct timespec deadline;
	ssize_t n;
	int ret;

	if (!b->raw)
		return m4rpc__fail(-EINVAL,
				   "%s: the session is not in raw mode (m4rpc_board_set_raw())",
				   b->path);
	if (timeout_ms >= 0)
		m4rpc__deadline(&deadline, timeout_ms);
	for (;;) {
		ret = m4rpc__sys.poll(&pfd, 1, timeout_ms < 0 ? -1 :
				      m4rpc__ms_left(&deadline));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return m4rpc__fail(-errno, "%s: poll", b->path);
		if (!ret)
			return m4rpc__fail(-ETIMEDOUT,
					   "%s: no raw bytes from the M4 within %d ms",
					   b->path, timeout_ms);
		n = m4rpc__sys.read(b->fd, buf, size);
		if (n > 0)
			return n;
		if (n == 0 || errno == ENODEV)
			return m4rpc__fail(-ENODEV, "%s: the board went away",
					   b->path);
		if (errno == EOVERFLOW)
			return m4rpc__fail(-EOVERFLOW,
					   "%s: the kernel dropped raw bytes: the session's buffer was full",
					   b->path);
		if (errno != EAGAIN && errno != EINTR)
			return m4rpc__fail(-errno, "%s: read: %s", b->path,
					   strerror(errno));
	}
}
