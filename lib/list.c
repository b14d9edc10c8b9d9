// SPDX-License-Identifier: LGPL-2.1-or-later
/* The boards present: the endpoints in /sys/class/m4rpc-ep. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

#define CLASS_DIR "/sys/class/m4rpc-ep"

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

M4RPC_EXPORT int m4rpc_list_boards(unsigned int *indexes, size_t cap)
{
	unsigned int *all = NULL, *p, idx;
	size_t n = 0, room = 0;
	struct dirent *de;
	char *end;
	DIR *d;

	d = opendir(CLASS_DIR);
	if (!d) {
		if (errno == ENOENT)
			return 0;	/* m4rpc.ko not loaded: no board */
		return m4rpc__fail(-errno, "%s: %s", CLASS_DIR, strerror(errno));
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "m4rpc", 5) || !de->d_name[5])
			continue;
		errno = 0;
		idx = strtoul(de->d_name + 5, &end, 10);
		if (*end || errno)
			continue;
		if (n == room) {
			room = room ? room * 2 : 8;
			p = realloc(all, room * sizeof(*all));
			if (!p) {
				free(all);
				closedir(d);
				return m4rpc__fail(-ENOMEM, "out of memory");
			}
			all = p;
		}
		all[n++] = idx;
	}
	closedir(d);
	if (n)
		qsort(all, n, sizeof(*all), cmp_uint);
	if (indexes)
		memcpy(indexes, all, (n < cap ? n : cap) * sizeof(*all));
	free(all);
	return n;
}
