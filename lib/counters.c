// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's counters of the link and of the session, by name, and the
 * library's own: tables of the uapi's fields, so that a new field is one
 * line here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "m4rpc_priv.h"

struct field {
	const char *name;
	size_t off, size;
};

#define LF(f) { #f, offsetof(struct m4rpc_link_stats, f), \
		sizeof(((struct m4rpc_link_stats *)0)->f) }
static const struct field link_fields[] = {
	LF(rx_msgs), LF(rx_requests), LF(rx_responses), LF(rx_notifications),
	LF(rx_raw_bytes), LF(rx_oversize), LF(rx_malformed), LF(rx_lost),
	LF(rx_lost_bytes), LF(replies_unmatched), LF(notify_unbound),
	LF(requests_unbound), LF(requests_refused), LF(requests_abandoned),
	LF(rx_queue_drops), LF(raw_drops), LF(tx_msgs), LF(tx_bytes),
	LF(tx_requests), LF(tx_responses), LF(tx_notifications), LF(tx_errors),
	LF(tx_purged), LF(tx_kernel_drops), LF(calls_failed), LF(wire_expired),
	LF(sessions), LF(tx_queued), LF(calls_pending), LF(m4_calls_pending),
	LF(calls_on_wire), LF(wire_long), LF(rx_suspect), LF(rx_cut),
};

#define SF(f) { #f, offsetof(struct m4rpc_session_stats, f), \
		sizeof(((struct m4rpc_session_stats *)0)->f) }
static const struct field session_fields[] = {
	SF(rx_msgs), SF(rx_drops), SF(raw_bytes), SF(raw_drops), SF(overflows),
	SF(tx_msgs), SF(replies), SF(m4_calls), SF(mode), SF(rx_queued),
	SF(next_msg_len), SF(tx_queued), SF(calls_pending),
	SF(m4_calls_pending), SF(bindings),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))
#define LIB_COUNTERS 3

static uint64_t field_get(const void *st, const struct field *f)
{
	uint32_t v32;
	uint64_t v64;

	if (f->size == sizeof(v32)) {
		memcpy(&v32, (const char *)st + f->off, sizeof(v32));
		return v32;
	}
	memcpy(&v64, (const char *)st + f->off, sizeof(v64));
	return v64;
}

static size_t fill(const void *st, const struct field *f, size_t nf,
		   struct m4rpc_counter *out, size_t cap)
{
	size_t i;

	for (i = 0; i < nf && i < cap; i++) {
		out[i].name = f[i].name;
		out[i].value = field_get(st, &f[i]);
	}
	return nf;
}

M4RPC_EXPORT int m4rpc_board_link_counters(struct m4rpc_board *b,
					   struct m4rpc_counter *out, size_t cap)
{
	struct m4rpc_link_stats st;

	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_LINK_STATS, &st))
		return m4rpc__fail(-errno, "%s: M4RPC_IOC_LINK_STATS: %s",
				   b->path, strerror(errno));
	return fill(&st, link_fields, NFIELDS(link_fields), out, cap);
}

M4RPC_EXPORT int m4rpc_board_session_counters(struct m4rpc_board *b,
					      struct m4rpc_counter *out,
					      size_t cap)
{
	struct m4rpc_session_stats st;
	struct m4rpc_counter lib[LIB_COUNTERS];
	size_t n, i;

	if (m4rpc__sys.ioctl(b->fd, M4RPC_IOC_SESSION_STATS, &st))
		return m4rpc__fail(-errno, "%s: M4RPC_IOC_SESSION_STATS: %s",
				   b->path, strerror(errno));
	n = fill(&st, session_fields, NFIELDS(session_fields), out, cap);
	pthread_mutex_lock(&b->lock);
	lib[0] = (struct m4rpc_counter){ "lib_replies_dropped",
					 b->replies_dropped };
	lib[1] = (struct m4rpc_counter){ "lib_notifications_dropped",
					 b->notifications_dropped };
	lib[2] = (struct m4rpc_counter){ "lib_overflows",
		__atomic_load_n(&b->overflows, __ATOMIC_RELAXED) };
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < LIB_COUNTERS; i++)
		if (n + i < cap)
			out[n + i] = lib[i];
	return n + LIB_COUNTERS;
}
