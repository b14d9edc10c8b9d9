// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the /dev/m4rpcN VM selftests; see ep_util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <msgpack.h>

#include "ep_util.h"

void ep_config(struct h7emu_config *cfg, enum h7emu_sketch sketch)
{
	h7emu_config_init(cfg);
	cfg->sketch = sketch;
}

int ep_up(struct env *e, unsigned int boards, const char *params,
	  const struct h7emu_config *cfg)
{
	char all[512];

	const char *extra = getenv("M4RPC_TEST_EP_PARAMS");

	/*
	 * "test_client=0": the endpoint, not link_env's debugfs test client.
	 * $M4RPC_TEST_EP_PARAMS: more m4rpc.ko parameters.
	 */
	snprintf(all, sizeof(all), "test_client=0 %s %s", params ? params : "",
		 extra ? extra : "");
	return env_up(e, boards, false, all, cfg);
}

int ep_dev_path(struct env *e, unsigned int i, char *path, size_t size)
{
	char dir[128];
	struct dirent *d;
	DIR *dp;
	int ret = ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/spi/devices/spi%u.0/m4rpc-ep",
		 e->b[i].bus);
	dp = opendir(dir);
	if (!dp)
		return errno;
	while ((d = readdir(dp))) {
		if (!strncmp(d->d_name, "m4rpc", 5)) {
			snprintf(path, size, "/dev/%s", d->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dp);
	return ret;
}

int ep_open(struct env *e, unsigned int i, int flags)
{
	char path[64];
	int ret, fd;

	ret = ep_dev_path(e, i, path, sizeof(path));
	if (ret)
		return -ret;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int ep_info(int fd, struct m4rpc_info *info)
{
	return ioctl(fd, M4RPC_IOC_INFO, info) ? errno : 0;
}

int ep_link_stats(int fd, struct m4rpc_link_stats *st)
{
	return ioctl(fd, M4RPC_IOC_LINK_STATS, st) ? errno : 0;
}

int ep_session_stats(int fd, struct m4rpc_session_stats *st)
{
	return ioctl(fd, M4RPC_IOC_SESSION_STATS, st) ? errno : 0;
}

static int ep_bind_ioc(int fd, unsigned long cmd, const char *name)
{
	struct m4rpc_bind b;

	memset(&b, 0, sizeof(b));
	b.len = strlen(name);
	memcpy(b.name, name, b.len < sizeof(b.name) ? b.len : sizeof(b.name));
	return ioctl(fd, cmd, &b) ? errno : 0;
}

int ep_bind(int fd, const char *name)
{
	return ep_bind_ioc(fd, M4RPC_IOC_BIND, name);
}

int ep_unbind(int fd, const char *name)
{
	return ep_bind_ioc(fd, M4RPC_IOC_UNBIND, name);
}

int ep_wait_link_stat(int fd, size_t offset, uint64_t min,
		      unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms, v;
	struct m4rpc_link_stats st;
	int ret;

	for (;;) {
		ret = ep_link_stats(fd, &st);
		if (ret)
			return ret;
		if (offset >= offsetof(struct m4rpc_link_stats, sessions) &&
		    offset < offsetof(struct m4rpc_link_stats, reserved))
			v = *(uint32_t *)((char *)&st + offset);
		else
			v = *(uint64_t *)((char *)&st + offset);
		if (v >= min)
			return 0;
		if (now_ms() > end)
			return ETIMEDOUT;
		sleep_ms(5);
	}
}

int ep_wait_m4(int fd, int want, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	struct m4rpc_info info;
	int ret;

	for (;;) {
		ret = ep_info(fd, &info);
		if (ret)
			return ret;
		if (info.m4_state == want)
			return 0;
		if (now_ms() > end)
			return ETIMEDOUT;
		sleep_ms(5);
	}
}

/* ---- messages ------------------------------------------------------------ */

struct pk {
	msgpack_sbuffer sb;
	msgpack_packer p;
};

static void pk_begin(struct pk *k)
{
	msgpack_sbuffer_init(&k->sb);
	msgpack_packer_init(&k->p, &k->sb, msgpack_sbuffer_write);
}

static size_t pk_end(struct pk *k, uint8_t *buf)
{
	size_t n = k->sb.size;

	memcpy(buf, k->sb.data, n);
	msgpack_sbuffer_destroy(&k->sb);
	return n;
}

static void pk_str(struct pk *k, const char *s)
{
	msgpack_pack_str(&k->p, strlen(s));
	msgpack_pack_str_body(&k->p, s, strlen(s));
}

/*
 * The head of a call [0, msgid, method, [ or of a notification
 * [2, method, [ with one parameter, which the caller packs next.
 */
static void pk_head(struct pk *k, bool call, uint32_t msgid,
		    const char *method)
{
	pk_begin(k);
	msgpack_pack_array(&k->p, call ? 4 : 3);
	msgpack_pack_uint32(&k->p, call ? 0 : 2);
	if (call)
		msgpack_pack_uint32(&k->p, msgid);
	pk_str(k, method);
	msgpack_pack_array(&k->p, 1);
}

static void pk_bin(struct pk *k, const void *bin, size_t n)
{
	msgpack_pack_bin(&k->p, n);
	msgpack_pack_bin_body(&k->p, bin, n);
}

size_t mk_call_int(uint8_t *buf, uint32_t msgid, const char *method,
		   int64_t arg)
{
	struct pk k;

	pk_head(&k, true, msgid, method);
	msgpack_pack_int64(&k.p, arg);
	return pk_end(&k, buf);
}

size_t mk_call_bin(uint8_t *buf, uint32_t msgid, const char *method,
		   const void *bin, size_t n)
{
	struct pk k;

	pk_head(&k, true, msgid, method);
	pk_bin(&k, bin, n);
	return pk_end(&k, buf);
}

size_t mk_response_int(uint8_t *buf, uint32_t msgid, int64_t result)
{
	struct pk k;

	pk_begin(&k);
	msgpack_pack_array(&k.p, 4);
	msgpack_pack_uint32(&k.p, 1);
	msgpack_pack_uint32(&k.p, msgid);
	msgpack_pack_nil(&k.p);
	msgpack_pack_int64(&k.p, result);
	return pk_end(&k, buf);
}

size_t mk_notify_bin(uint8_t *buf, const char *method, const void *bin,
		     size_t n)
{
	struct pk k;

	pk_head(&k, false, 0, method);
	pk_bin(&k, bin, n);
	return pk_end(&k, buf);
}

size_t mk_notify_int(uint8_t *buf, const char *method, int64_t arg)
{
	struct pk k;

	pk_head(&k, false, 0, method);
	msgpack_pack_int64(&k.p, arg);
	return pk_end(&k, buf);
}

static void rpc_value(const msgpack_object *o, struct rpc_msg *m)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		m->is_int = true;
		m->value = (int64_t)o->via.u64;
	} else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		m->is_int = true;
		m->value = o->via.i64;
	} else if (o->type == MSGPACK_OBJECT_BIN &&
		   o->via.bin.size <= sizeof(m->bin)) {
		m->is_bin = true;
		m->bin_len = o->via.bin.size;
		memcpy(m->bin, o->via.bin.ptr, m->bin_len);
	}
}

static void rpc_str(const msgpack_object *o, char *out, size_t size)
{
	size_t n;

	out[0] = 0;
	if (o->type != MSGPACK_OBJECT_STR)
		return;
	n = o->via.str.size < size - 1 ? o->via.str.size : size - 1;
	memcpy(out, o->via.str.ptr, n);
	out[n] = 0;
}

int rpc_decode(const uint8_t *buf, size_t n, struct rpc_msg *m)
{
	msgpack_unpacked u;
	msgpack_object *a;
	size_t off = 0;
	int ret = EBADMSG;

	memset(m, 0, sizeof(*m));
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, (const char *)buf, n, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != n ||
	    u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size < 3)
		goto out;
	a = u.data.via.array.ptr;
	if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 > 2)
		goto out;
	m->type = (int)a[0].via.u64;
	if (m->type == 2) {
		rpc_str(&a[1], m->method, sizeof(m->method));
		if (a[2].type == MSGPACK_OBJECT_ARRAY && a[2].via.array.size) {
			rpc_value(&a[2].via.array.ptr[0], m);
			m->params0 = m->value;
		}
		ret = 0;
		goto out;
	}
	if (u.data.via.array.size != 4 ||
	    a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		goto out;
	m->msgid = (uint32_t)a[1].via.u64;
	if (m->type == 0) {
		rpc_str(&a[2], m->method, sizeof(m->method));
		if (a[3].type == MSGPACK_OBJECT_ARRAY && a[3].via.array.size) {
			rpc_value(&a[3].via.array.ptr[0], m);
			m->params0 = m->value;
		}
	} else {
		m->error = a[2].type != MSGPACK_OBJECT_NIL;
		rpc_str(&a[2], m->errtext, sizeof(m->errtext));
		rpc_value(&a[3], m);
	}
	ret = 0;
out:
	msgpack_unpacked_destroy(&u);
	return ret;
}

ssize_t ep_read_msg(int fd, uint8_t *buf, size_t cap, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ms() + timeout_ms;
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&p, 1, 50);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0) {
			n = read(fd, buf, cap);
			if (n >= 0)
				return n;
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
		}
		if (now_ms() > end)
			return -ETIMEDOUT;
	}
}

int ep_write_msg(int fd, const uint8_t *buf, size_t n)
{
	ssize_t w = write(fd, buf, n);

	if (w < 0)
		return errno;
	return (size_t)w == n ? 0 : EIO;
}

int ep_echo(int fd, uint32_t msgid, int64_t v, unsigned int timeout_ms)
{
	static __thread uint8_t buf[EP_MSG_MAX];
	static __thread struct rpc_msg m;
	ssize_t n;
	int ret;

	n = mk_call_int(buf, msgid, "echo", v);
	ret = ep_write_msg(fd, buf, n);
	if (ret)
		return ret;
	n = ep_read_msg(fd, buf, sizeof(buf), timeout_ms);
	if (n < 0)
		return -n;
	if (rpc_decode(buf, n, &m) || m.type != 1 || m.msgid != msgid ||
	    m.error || !m.is_int || m.value != v)
		return EBADMSG;
	return 0;
}

/* Hold the H7 up: the M4 sits on its one rpmsg buffer. */
int ep_hold_h7(struct env *e, int fd)
{
	struct h7emu_faults f;
	uint8_t msg[64];
	size_t n;
	int ret;

	memset(&f, 0, sizeof(f));
	f.slow_m4_ms = 600000;
	ret = h7emu_set_faults(e->b[0].emu, &f);
	if (ret)
		return -ret;
	n = mk_notify_int(msg, "hold", 1);
	if (ep_write_msg(fd, msg, n) || ep_write_msg(fd, msg, n))
		return EIO;
	return h7emu_wait_stat(e->b[0].emu, offsetof(struct h7emu_stats,
						      ui_blocked_passes), 1,
			       5000) ? ETIMEDOUT : 0;
}

int ep_release_h7(struct env *e)
{
	struct h7emu_faults f;

	memset(&f, 0, sizeof(f));
	return -h7emu_set_faults(e->b[0].emu, &f);
}

uint64_t emu_lost(struct env *e, unsigned int i)
{
	struct h7emu_stats st;

	h7emu_get_stats(e->b[i].emu, &st);
	return st.frames_overwritten + st.ui_chunks_lost + st.ui_bytes_lost +
	       st.ring_bytes_overwritten + st.xfers_unreceived;
}

void ep_dump(struct env *e, unsigned int i, int fd)
{
	static const char *const names[] = {
		"transfers", "tx_frames", "rx_frames", "tx_ui_msgs",
		"rx_ui_bytes", "acks", "ack_timeouts", "resyncs", "ui_lost",
		"truncated", "overflow_drops", "doorbells", "irqs",
	};
	struct m4rpc_link_stats st;
	struct h7emu_stats es;
	unsigned int k;

	fprintf(stderr, "# link %u:", i);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		fprintf(stderr, " %s=%lld", names[k],
			link_stat(e, i, names[k]));
	fprintf(stderr, "\n");
	if (fd >= 0 && !ep_link_stats(fd, &st))
		fprintf(stderr,
			"# ep: rx_msgs=%llu req=%llu resp=%llu notify=%llu raw=%llu oversize=%llu malformed=%llu lost=%llu unmatched=%llu tx_msgs=%llu queued=%u calls=%u\n",
			(unsigned long long)st.rx_msgs,
			(unsigned long long)st.rx_requests,
			(unsigned long long)st.rx_responses,
			(unsigned long long)st.rx_notifications,
			(unsigned long long)st.rx_raw_bytes,
			(unsigned long long)st.rx_oversize,
			(unsigned long long)st.rx_malformed,
			(unsigned long long)st.rx_lost,
			(unsigned long long)st.replies_unmatched,
			(unsigned long long)st.tx_msgs, st.tx_queued,
			st.calls_pending);
	if (e->b[i].emu) {
		h7emu_get_stats(e->b[i].emu, &es);
		h7emu_stats_print(stderr, &es, false);
	}
}
