// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device's files around the session: its sysfs directory, and what
 * a failed open() should tell a person (the group to join for EACCES).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "m4rpc_priv.h"

int m4rpc__sysfs_dir(int fd, char *buf, size_t size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(buf, size, "/sys/dev/char/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	return 0;
}

/*
 * Whether this process's user is listed in @g in the group database while
 * the process does not have the group: it was added after logging in.
 */
static int member_not_here(const struct group *g)
{
	char pwbuf[1024];
	struct passwd pw, *p = NULL;
	gid_t groups[256];
	char *const *m;
	int n, i;

	if (getegid() == g->gr_gid)
		return 0;
	n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	for (i = 0; i < n; i++)
		if (groups[i] == g->gr_gid)
			return 0;
	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &p) || !p)
		return 0;
	for (m = g->gr_mem; m && *m; m++)
		if (!strcmp(*m, p->pw_name))
			return 1;
	return 0;
}

/*
 * The permission sentence: who may open @path, and how to become one. The
 * project's udev rule (udev/60-m4rpc.rules) gives the nodes the group
 * m4rpc, mode 0660; a node without it is root's alone.
 */
static int access_error(const char *path, int err)
{
	char grbuf[4096], name[64];
	struct group gr, *g = NULL;
	struct stat st;

	if (stat(path, &st))
		return m4rpc__fail(-err, "%s: permission denied", path);
	if (getgrgid_r(st.st_gid, &gr, grbuf, sizeof(grbuf), &g) || !g)
		snprintf(name, sizeof(name), "%u", (unsigned int)st.st_gid);
	else
		snprintf(name, sizeof(name), "%s", g->gr_name);
	if ((st.st_mode & 0060) != 0060)
		return m4rpc__fail(-err,
				   "%s: permission denied (mode %04o, group '%s' may not read and write it): run as root, or install m4rpc's udev rule (60-m4rpc.rules in /etc/udev/rules.d or /usr/lib/udev/rules.d: GROUP=\"m4rpc\", MODE=\"0660\"; the group m4rpc must exist) and join the group m4rpc",
				   path, (unsigned int)(st.st_mode & 07777), name);
	if (g && member_not_here(g))
		return m4rpc__fail(-err,
				   "%s: permission denied: this user is a member of '%s' in the group database, but this process is not (it started before the user joined): log in again, or `newgrp %s`",
				   path, name, name);
	return m4rpc__fail(-err,
			   "%s: permission denied: join the device's group '%s' (sudo usermod -aG %s $USER, then log in again)",
			   path, name, name);
}

int m4rpc__open_error(const char *path, int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return access_error(path, err);
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return m4rpc__fail(-err,
				   "%s: no such board (is m4rpc.ko loaded and its link bound? /sys/class/m4rpc-ep lists the boards present)",
				   path);
	default:
		return m4rpc__fail(-err, "%s: %s", path, strerror(err));
	}
}
