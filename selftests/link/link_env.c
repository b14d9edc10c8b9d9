// SPDX-License-Identifier: GPL-2.0
/*
 * The environment of the link's VM selftests; see link_env.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/m4rpc_sim.h>

#include "link_env.h"

#define SIM_MOD		"m4rpc_sim"
#define LINK_MOD	"m4rpc"

/* ---- modules ------------------------------------------------------------ */

void env_clean(void)
{
	syscall(SYS_delete_module, LINK_MOD, O_NONBLOCK);
	syscall(SYS_delete_module, SIM_MOD, O_NONBLOCK);
}

int env_sim_load(struct env *e, unsigned int boards, int irq)
{
	const char *ko = getenv("M4RPC_TEST_SIM_KO");
	char params[64];

	snprintf(params, sizeof(params), "boards=%u irq_mode=%s%s", boards,
		 irq == ENV_IRQ_EDGE ? "edge" : irq == ENV_IRQ_NONE ? "none" :
		 "level",
		 irq == ENV_IRQ_LEVEL_NO_RISING ? " rising_edge=0" : "");
	e->boards = boards;
	e->edge = irq == ENV_IRQ_EDGE;
	if (ko && *ko)
		return mod_load_path(ko, params);
	return mod_load(SIM_MOD ".ko", params);
}

int env_sim_unload(void)
{
	return mod_unload_wait(SIM_MOD);
}

/*
 * The debugfs test client instead of the /dev/m4rpcN endpoint: m4rpc.ko
 * gives it to the links it binds while its debugfs knob test_client is 1,
 * so set the knob and bind every board again.
 */
static int env_use_test_client(struct env *e)
{
	unsigned int i;
	int ret;

	ret = write_file("/sys/kernel/debug/m4rpc/test_client", "1");
	for (i = 0; !ret && i < e->boards; i++) {
		ret = spi_driver_op(e->b[i].bus, LINK_MOD, "unbind");
		if (!ret)
			ret = spi_driver_op(e->b[i].bus, LINK_MOD, "bind");
	}
	return ret;
}

int env_link_load(struct env *e, const char *params)
{
	const char *ko = getenv("M4RPC_TEST_LINK_KO");
	const char *ep = "test_client=0";
	char all[256];
	bool test_client = true;
	int ret;

	/* "test_client=0" among @params: the endpoint (ep_util.c asks so). */
	snprintf(all, sizeof(all), "%s", params ? params : "");
	if (strstr(all, ep)) {
		test_client = false;
		memset(strstr(all, ep), ' ', strlen(ep));
	}
	if (ko && *ko)
		ret = mod_load_path(ko, all);
	else
		ret = mod_load(LINK_MOD ".ko", all);
	if (ret)
		return ret;
	e->link_loaded = true;
	return test_client ? env_use_test_client(e) : 0;
}

int env_link_unload(struct env *e)
{
	int ret = mod_unload_wait(LINK_MOD);

	if (!ret)
		e->link_loaded = false;
	return ret;
}

/* ---- emulators ---------------------------------------------------------- */

int env_emu_start(struct env *e, unsigned int i,
		  const struct h7emu_config *cfg)
{
	struct env_board *b = &e->b[i];
	struct m4rpc_sim_info info;
	struct h7emu_config def;
	int ret;

	if (!cfg) {
		h7emu_config_init(&def);
		def.sketch = H7EMU_SKETCH_ECHO;
		if (i) {
			snprintf(def.fw_version + strlen(def.fw_version),
				 sizeof(def.fw_version) - strlen(def.fw_version),
				 "-b%u", i);
			def.uid[H7EMU_UID_LEN - 1] ^= i;
		}
		cfg = &def;
	}
	b->be = h7emu_dev_open(i);
	if (!b->be)
		return errno;
	ret = h7emu_dev_info(b->be, &info);
	if (ret) {
		b->be->ops->destroy(b->be);
		b->be = NULL;
		return -ret;
	}
	b->bus = info.bus_num;
	b->emu = h7emu_new(cfg, b->be);	/* owns be, even on failure */
	if (!b->emu) {
		b->be = NULL;
		return errno;
	}
	ret = -h7emu_start(b->emu);
	if (ret) {
		h7emu_free(b->emu);
		b->emu = NULL;
		b->be = NULL;
	}
	return ret;
}

void env_emu_stop(struct env *e, unsigned int i)
{
	struct env_board *b = &e->b[i];

	h7emu_free(b->emu);
	b->emu = NULL;
	b->be = NULL;
}

int env_sim_transfers(struct env *e, unsigned int i, uint64_t *n)
{
	struct m4rpc_sim_info info;
	int ret;

	if (!e->b[i].be)
		return ENODEV;
	ret = h7emu_dev_info(e->b[i].be, &info);
	if (ret)
		return -ret;
	*n = info.transfers;
	return 0;
}

int env_up(struct env *e, unsigned int boards, int irq,
	   const char *link_params, const struct h7emu_config *cfg)
{
	unsigned int i;
	int ret;

	memset(e, 0, sizeof(*e));
	env_clean();
	ret = env_sim_load(e, boards, irq);
	if (ret)
		return ret;
	/* The H7 first, so that the link's first questions are answered. */
	for (i = 0; i < boards; i++) {
		ret = env_emu_start(e, i, cfg);
		if (ret)
			return ret;
	}
	ret = env_link_load(e, link_params);
	if (ret)
		return ret;
	for (i = 0; i < boards; i++) {
		ret = link_wait_synced(e, i, 10000);
		if (ret)
			return ret;
	}
	return 0;
}

void env_down(struct env *e)
{
	unsigned int i;

	if (e->link_loaded)
		env_link_unload(e);
	for (i = 0; i < ENV_BOARDS_MAX; i++) {
		if (e->b[i].emu)
			env_emu_stop(e, i);
		if (e->b[i].unp_init)
			msgpack_unpacker_destroy(&e->b[i].unp);
		e->b[i].unp_init = false;
	}
	env_sim_unload();
}

/* ---- the link's files ----------------------------------------------------- */

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? errno : 0;
	close(fd);
	return n;
}

int link_attr(struct env *e, unsigned int i, const char *name, char *buf,
	      size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/spi/devices/spi%u.0/m4rpc/%s",
		 e->b[i].bus, name);
	return read_text(path, buf, size);
}

long long link_stat(struct env *e, unsigned int i, const char *name)
{
	char buf[64];

	if (link_attr(e, i, name, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

int link_attr_write(struct env *e, unsigned int i, const char *name,
		    const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/spi/devices/spi%u.0/m4rpc/%s",
		 e->b[i].bus, name);
	return write_text(path, val);
}

void env_dump(struct env *e, unsigned int i)
{
	static const char *const names[] = {
		"transfers", "doorbells", "acks", "ack_timeouts", "resyncs",
		"h7_unanswered", "h7_bad_replies", "irqs", "missed_edges",
		"rx_frames", "tx_frames", "truncated", "reject_csum",
	};
	struct h7emu_stats st;
	char buf[300];
	unsigned int k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		fprintf(stderr, "# link %s %lld\n", names[k],
			link_stat(e, i, names[k]));
	if (link_attr(e, i, "fw_version", buf, sizeof(buf)))
		strcpy(buf, "(none)");
	fprintf(stderr, "# link fw_version %s\n", buf);
	if (e->b[i].emu) {
		h7emu_get_stats(e->b[i].emu, &st);
		h7emu_stats_print(stderr, &st, false);
	}
}

int link_wait_synced(struct env *e, unsigned int i, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	char buf[300];

	for (;;) {
		if (!link_attr(e, i, "fw_version", buf, sizeof(buf)) &&
		    !link_attr(e, i, "m4_state", buf, sizeof(buf)))
			return 0;
		if (now_ms() >= end) {
			env_dump(e, i);
			return ETIMEDOUT;
		}
		sleep_ms(10);
	}
}

int link_wait_stat(struct env *e, unsigned int i, const char *name,
		   long long min, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (link_stat(e, i, name) < min) {
		if (now_ms() >= end)
			return ETIMEDOUT;
		sleep_ms(10);
	}
	return 0;
}

void link_dbg_path(struct env *e, unsigned int i, const char *name,
		   char *buf, size_t size)
{
	snprintf(buf, size, "/sys/kernel/debug/m4rpc/spi%u.0/%s", e->b[i].bus,
		 name);
}

/* ---- UI messages ------------------------------------------------------------ */

int ui_send(struct env *e, unsigned int i, const void *msg, size_t n)
{
	uint64_t end = now_ms() + 10000;
	char path[256];
	ssize_t w;
	int fd;

	link_dbg_path(e, i, "ui", path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	while ((w = write(fd, msg, n)) < 0 && errno == EAGAIN &&
	       now_ms() < end)
		sleep_ms(5);
	w = w < 0 ? errno : (size_t)w == n ? 0 : EIO;
	close(fd);
	return w;
}

/* msgpack by hand: a fixarray, positive ints as uint32, fixstr, bin8. */
size_t echo_call_build(uint8_t *buf, uint32_t msgid, const uint8_t *bin,
		       size_t n)
{
	size_t k = 0;

	buf[k++] = 0x94;		/* [ */
	buf[k++] = 0x00;		/* 0: request */
	buf[k++] = 0xce;		/* msgid, uint32 */
	buf[k++] = msgid >> 24;
	buf[k++] = msgid >> 16;
	buf[k++] = msgid >> 8;
	buf[k++] = msgid;
	buf[k++] = 0xa4;		/* "echo" */
	memcpy(buf + k, "echo", 4);
	k += 4;
	buf[k++] = 0x91;		/* [ bin ] */
	buf[k++] = 0xc4;
	buf[k++] = n;
	memcpy(buf + k, bin, n);
	return k + n;
}

int echo_call_send(struct env *e, unsigned int i, uint32_t msgid,
		   const uint8_t *bin, size_t n)
{
	uint8_t msg[512];

	if (n > 255)
		return EINVAL;
	return ui_send(e, i, msg, echo_call_build(msg, msgid, bin, n));
}

void echo_fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i);
}

/* Feed what the test client has received into the board's unpacker. */
static int ui_feed(struct env *e, unsigned int i)
{
	struct env_board *b = &e->b[i];
	char path[256];
	ssize_t n;
	int fd;

	if (!b->unp_init) {
		if (!msgpack_unpacker_init(&b->unp,
					   MSGPACK_UNPACKER_INIT_BUFFER_SIZE))
			return ENOMEM;
		b->unp_init = true;
	}
	link_dbg_path(e, i, "ui", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	for (;;) {
		if (!msgpack_unpacker_reserve_buffer(&b->unp, 4096)) {
			close(fd);
			return ENOMEM;
		}
		n = read(fd, msgpack_unpacker_buffer(&b->unp), 4096);
		if (n <= 0)
			break;
		msgpack_unpacker_buffer_consumed(&b->unp, n);
	}
	n = n < 0 && errno != EAGAIN ? errno : 0;
	close(fd);
	return n;
}

static int echo_reply_parse(const msgpack_object *o, uint32_t *msgid,
			    uint8_t *bin, size_t cap, size_t *n)
{
	const msgpack_object *a;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4)
		return EBADMSG;
	a = o->via.array.ptr;
	if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 != 1 ||
	    a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a[2].type != MSGPACK_OBJECT_NIL ||
	    a[3].type != MSGPACK_OBJECT_BIN)
		return EBADMSG;
	*msgid = a[1].via.u64;
	*n = a[3].via.bin.size < cap ? a[3].via.bin.size : cap;
	memcpy(bin, a[3].via.bin.ptr, *n);
	return 0;
}

int echo_reply_wait(struct env *e, unsigned int i, uint32_t *msgid,
		    uint8_t *bin, size_t cap, size_t *n,
		    unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	msgpack_unpacked res;
	int ret;

	msgpack_unpacked_init(&res);
	for (;;) {
		ret = ui_feed(e, i);
		if (ret)
			break;
		switch (msgpack_unpacker_next(&e->b[i].unp, &res)) {
		case MSGPACK_UNPACK_SUCCESS:
			ret = echo_reply_parse(&res.data, msgid, bin, cap, n);
			goto out;
		case MSGPACK_UNPACK_CONTINUE:
			break;
		default:
			ret = EBADMSG;
			goto out;
		}
		if (now_ms() >= end) {
			ret = ETIMEDOUT;
			break;
		}
		sleep_ms(5);
	}
out:
	msgpack_unpacked_destroy(&res);
	return ret;
}

void ui_drain(struct env *e, unsigned int i)
{
	char path[256], buf[4096];
	int fd;

	link_dbg_path(e, i, "ui", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (e->b[i].unp_init) {
		msgpack_unpacker_destroy(&e->b[i].unp);
		e->b[i].unp_init = false;
	}
}

long long emu_answers_framed(struct env *e, unsigned int i,
			     uint64_t answered, unsigned int timeout_ms)
{
	struct h7emu *emu = e->b[i].emu;
	uint64_t end = now_ms() + timeout_ms;
	struct h7emu_stats st;

	if (h7emu_wait_stat(emu, offsetof(struct h7emu_stats, m4_answered),
			    answered, timeout_ms))
		return -1;
	while (h7emu_ring_level(emu)) {
		if (now_ms() >= end)
			return -1;
		sleep_ms(10);
	}
	h7emu_get_stats(emu, &st);
	return (long long)st.ui_chunks_lost;
}

int echo_once(struct env *e, unsigned int i, uint32_t msgid, size_t n,
	      unsigned int timeout_ms)
{
	uint8_t out[256], back[256];
	uint32_t id;
	size_t got;
	int ret;

	if (n > sizeof(out))
		return EINVAL;
	echo_fill(out, n, msgid);
	ret = echo_call_send(e, i, msgid, out, n);
	if (ret)
		return ret;
	ret = echo_reply_wait(e, i, &id, back, sizeof(back), &got,
			      timeout_ms);
	if (ret)
		return ret;
	if (id != msgid || got != n || memcmp(out, back, n))
		return EBADMSG;
	return 0;
}
