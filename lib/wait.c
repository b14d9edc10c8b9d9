// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Waiting until the M4 runs RPC: poll() on the endpoint's sysfs attribute
 * m4_state, which the kernel notifies (sysfs_notify) whenever the state
 * that write() checks changes. The state itself is read with
 * M4RPC_IOC_INFO: the attribute only wakes the sleeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "m4rpc_priv.h"

static int m4_now(struct m4rpc_board *b, struct m4rpc_info *info)
{
	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_INFO, info))
		return m4rpc__fail(-errno, "%s: M4RPC_IOC_INFO: %s", b->path,
				   strerror(errno));
	if (info->link_state == M4RPC_LINK_STATE_GONE)
		return m4rpc__fail(-ENODEV, "%s: the board went away", b->path);
	return info->m4_state == M4RPC_M4_RUNNING;
}

/* Read the attribute: what arms the next poll() wake-up. */
static int attr_arm(int afd)
{
	char buf[16];

	if (lseek(afd, 0, SEEK_SET) < 0)
		return -errno;
	/* ENODATA (state not known yet) arms it as well. */
	if (read(afd, buf, sizeof(buf)) < 0 && errno != ENODATA)
		return -errno;
	return 0;
}

M4RPC_EXPORT int m4rpc_board_wait_m4(struct m4rpc_board *b, int timeout_ms)
{
	/* The session too: its POLLHUP says the board went away. */
	struct pollfd pfd[2] = { { .events = POLLPRI | POLLERR },
				 { .fd = b->fd, .events = 0 } };
	struct m4rpc_info info;
	struct timespec deadline;
	char path[128];
	int afd = -1, ret;

	m4rpc__deadline(&deadline, timeout_ms < 0 ? 0 : timeout_ms);
	for (;;) {
		if (afd >= 0) {
			ret = attr_arm(afd);
			if (ret)
				break;
		}
		ret = m4_now(b, &info);
		if (ret)
			break;
		if (!timeout_ms) {
			ret = -ETIMEDOUT;
			break;
		}
		if (afd < 0) {
			ret = m4rpc__sysfs_dir(b->fd, path, sizeof(path));
			if (!ret) {
				strncat(path, "/m4_state",
					sizeof(path) - strlen(path) - 1);
				afd = open(path, O_RDONLY | O_CLOEXEC);
				ret = afd < 0 ? -errno : 0;
			}
			if (ret)
				return m4rpc__fail(ret, "%s: its m4_state in sysfs: %s",
						   b->path, strerror(-ret));
			continue;	/* armed, then the state once more */
		}
		pfd[0].fd = afd;
		ret = m4rpc__sys.poll(pfd, 2, timeout_ms < 0 ? -1 :
				      m4rpc__ms_left(&deadline));
		if (ret < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (!ret) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	if (afd >= 0)
		close(afd);
	if (ret == 1)
		return 0;
	if (ret == -ETIMEDOUT)
		return m4rpc__fail(ret,
				   "%s: the M4 did not start running RPC within %d ms (it is: %s)",
				   b->path, timeout_ms,
				   info.m4_state == M4RPC_M4_NO_PROGRAM ?
				   "without a program, m4_state -1" :
				   info.m4_state == M4RPC_M4_NO_RPC ?
				   "running a sketch that did not call RPC.begin(), m4_state 0" :
				   "not known yet: the link is syncing");
	return ret < 0 && ret == m4rpc_last_error_code() ? ret :
		m4rpc__fail(ret, "%s: waiting for the M4: %s", b->path,
			    m4rpc_strerror(ret));
}
