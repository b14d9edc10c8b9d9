// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated board of every VM selftest; see board.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/m4rpc_sim.h>

#include "board.h"

/* ---- module parameters -------------------------------------------------- */

/* Append " @fmt..." to the parameter string @buf of @size bytes. */
static void params_add(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len && len + 1 < size)
		buf[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * The one place that makes nIRQ mode @irq: the simulator's parameters
 * (@sim) and m4rpc.ko's (@link).
 *
 * BOARD_IRQ_NONE is the simulator's irq_mode=none: its SPI device has no
 * interrupt, and the link polls.
 */
static void board_irq_params(enum board_irq irq, char *sim, size_t sim_size)
{
	switch (irq) {
	case BOARD_IRQ_EDGE:
		params_add(sim, sim_size, "irq_mode=edge");
		break;
	case BOARD_IRQ_LEVEL_NO_RISING:
		params_add(sim, sim_size, "irq_mode=level rising_edge=0");
		break;
	case BOARD_IRQ_NONE:
		params_add(sim, sim_size, "irq_mode=none");
		break;
	default:
		params_add(sim, sim_size, "irq_mode=level");
		break;
	}
}

/* Set (or with "\n" clear) the driver_override of every board's device. */
static int board_spi_override(struct board_env *env, const char *driver)
{
	char path[96];
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < env->boards; i++) {
		snprintf(path, sizeof(path),
			 "/sys/bus/spi/devices/spi%u.0/driver_override",
			 env->b[i].bus);
		ret = write_file(path, driver);
	}
	return ret;
}

/*
 * The one place that selects the debugfs test client
 * (/sys/kernel/debug/m4rpc/spiB.0/) instead of the /dev/m4rpcN endpoint:
 * m4rpc.ko gives it to the links it binds while its debugfs knob
 * test_client is 1. So the boards are held away from m4rpc.ko while it
 * loads (@loading: driver_override names no driver), then, with the knob
 * set, bound: each link comes up once, with its counters and the
 * emulator's counting the same transfers.
 */
static int board_link_use_test_client(struct board_env *env, bool loading)
{
	unsigned int i;
	int ret;

	if (loading)
		return board_spi_override(env, "none");
	ret = write_file("/sys/kernel/debug/m4rpc/test_client", "1");
	if (!ret)
		ret = board_spi_override(env, "\n");
	for (i = 0; !ret && i < env->boards; i++)
		ret = spi_driver_op(env->b[i].bus, BOARD_LINK_MOD, "bind");
	return ret;
}

/* Unload both modules if loaded (leftovers of a test that timed out). */
static void board_clean(void)
{
	mod_unload(BOARD_LINK_MOD);
	mod_unload(BOARD_SIM_MOD);
}

static int board_sim_up(struct board_env *env)
{
	char sim[128] = "";

	params_add(sim, sizeof(sim), "boards=%u", env->boards);
	board_irq_params(env->irq, sim, sizeof(sim));
	return board_sim_load(sim);
}

int board_link_load(struct board_env *env)
{
	const char *ko = getenv("M4RPC_TEST_LINK_KO");
	const char *extra = getenv("M4RPC_TEST_EP_PARAMS");
	char all[512] = "";
	int ret;

	if (env->link_params[0])
		params_add(all, sizeof(all), "%s", env->link_params);
	/* Last, so that a developer's value wins (e.g. poll_ms=...). */
	if (env->client == BOARD_CLIENT_ENDPOINT && extra && *extra)
		params_add(all, sizeof(all), "%s", extra);
	if (env->client == BOARD_CLIENT_TEST) {
		ret = board_link_use_test_client(env, true);
		if (ret)
			return ret;
	}
	if (ko && *ko)
		ret = mod_load_path(ko, all);
	else
		ret = mod_load(BOARD_LINK_MOD ".ko", all);
	if (ret)
		return ret;
	env->link_loaded = true;
	if (env->client == BOARD_CLIENT_TEST)
		return board_link_use_test_client(env, false);
	return 0;
}

int board_link_unload(struct board_env *env)
{
	int ret = mod_unload_wait(BOARD_LINK_MOD);

	if (!ret)
		env->link_loaded = false;
	return ret;
}

/* ---- emulators ---------------------------------------------------------- */

void board_config(struct h7emu_config *cfg, unsigned int i)
{
	size_t len;

	h7emu_config_init(cfg);
	cfg->sketch = H7EMU_SKETCH_ECHO;
	if (i) {
		len = strlen(cfg->fw_version);
		snprintf(cfg->fw_version + len, sizeof(cfg->fw_version) - len,
			 "-b%u", i);
		cfg->uid[H7EMU_UID_LEN - 1] ^= i;
	}
}

int board_emu_start(struct board_env *env, unsigned int i,
		    const struct h7emu_config *cfg)
{
	struct board *b = &env->b[i];
	struct m4rpc_sim_info info;
	struct h7emu_config def;
	int ret;

	if (!cfg) {
		board_config(&def, i);
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

void board_emu_stop(struct board_env *env, unsigned int i)
{
	struct board *b = &env->b[i];

	h7emu_free(b->emu);
	b->emu = NULL;
	b->be = NULL;
}

int board_sim_transfers(struct board_env *env, unsigned int i, uint64_t *n)
{
	struct m4rpc_sim_info info;
	int ret;

	if (!env->b[i].be)
		return ENODEV;
	ret = h7emu_dev_info(env->b[i].be, &info);
	if (ret)
		return -ret;
	*n = info.transfers;
	return 0;
}

uint64_t board_emu_lost(struct board_env *env, unsigned int i)
{
	struct h7emu_stats st;

	h7emu_get_stats(env->b[i].emu, &st);
	return st.frames_overwritten + st.ui_chunks_lost + st.ui_bytes_lost +
	       st.ring_bytes_overwritten + st.xfers_unreceived;
}

long long board_emu_answers_framed(struct board_env *env, unsigned int i,
				   uint64_t answered, unsigned int timeout_ms)
{
	struct h7emu *emu = env->b[i].emu;
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
	return (long long)board_emu_holes(&st);
}

uint64_t board_emu_holes(const struct h7emu_stats *st)
{
	return st->ui_chunks_lost + st->frames_out_oversize;
}

/* ---- up and down -------------------------------------------------------- */

/* The link of board @i synced, and its M4 in the state board_up() wants. */
static int board_wait_up(struct board_env *env, unsigned int i,
			 unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	char buf[32];
	int ret;

	ret = link_wait_synced(env, i, timeout_ms);
	if (ret)
		return ret;
	for (;;) {
		if (!link_attr(env, i, "m4_state", buf, sizeof(buf)) &&
		    atoi(buf) == env->m4)
			return 0;
		if (now_ms() >= end) {
			board_dump(env, i, -1);
			return ETIMEDOUT;
		}
		sleep_ms(10);
	}
}

int board_up(struct board_env *env, const struct board_opts *opts)
{
	static const struct board_opts usual;
	unsigned int i;
	int ret;

	memset(env, 0, sizeof(*env));
	if (!opts)
		opts = &usual;
	env->boards = opts->boards ? opts->boards : 1;
	if (env->boards > BOARDS_MAX)
		return EINVAL;
	env->irq = opts->irq;
	env->client = opts->client;
	env->m4 = opts->cfg ? opts->cfg->m4 : H7EMU_M4_RUNNING;
	snprintf(env->link_params, sizeof(env->link_params), "%s",
		 opts->link_params ? opts->link_params : "");

	board_clean();
	ret = board_sim_up(env);
	if (ret)
		return ret;
	/* The H7 first, so that the link's first questions are answered. */
	for (i = 0; i < env->boards; i++) {
		ret = board_emu_start(env, i, opts->cfg);
		if (ret)
			return ret;
	}
	ret = board_link_load(env);
	if (ret)
		return ret;
	for (i = 0; i < env->boards; i++) {
		ret = board_wait_up(env, i, 10000);
		if (ret)
			return ret;
	}
	return 0;
}

int board_up_test_client(struct board_env *env, enum board_irq irq,
			 const char *link_params,
			 const struct h7emu_config *cfg)
{
	const struct board_opts opts = {
		.irq = irq,
		.client = BOARD_CLIENT_TEST,
		.link_params = link_params,
		.cfg = cfg,
	};

	return board_up(env, &opts);
}

void board_down(struct board_env *env)
{
	unsigned int i;

	if (env->link_loaded)
		board_link_unload(env);
	for (i = 0; i < BOARDS_MAX; i++) {
		if (env->b[i].emu)
			board_emu_stop(env, i);
		if (env->b[i].unp_init)
			msgpack_unpacker_destroy(&env->b[i].unp);
		env->b[i].unp_init = false;
	}
	board_sim_unload();
}

void board_dump(struct board_env *env, unsigned int i, int fd)
{
	static const char *const names[] = {
		"transfers", "tx_frames", "rx_frames", "tx_ui_msgs",
		"rx_ui_bytes", "doorbells", "irqs", "missed_edges", "acks",
		"ack_timeouts", "resyncs", "h7_unanswered", "h7_bad_replies",
		"ui_lost", "truncated", "overflow_drops", "reject_csum",
	};
	struct m4rpc_link_stats st;
	struct h7emu_stats es;
	char buf[300];
	unsigned int k;

	fprintf(stderr, "# link %u:", i);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		fprintf(stderr, " %s=%lld", names[k],
			link_stat(env, i, names[k]));
	if (link_attr(env, i, "fw_version", buf, sizeof(buf)))
		strcpy(buf, "(none)");
	fprintf(stderr, " fw_version=%s\n", buf);
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
	if (env->b[i].emu) {
		h7emu_get_stats(env->b[i].emu, &es);
		h7emu_stats_print(stderr, &es, false);
	}
}

/* ---- the link's files ----------------------------------------------------- */

static void link_attr_path(struct board_env *env, unsigned int i,
			   const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "/sys/bus/spi/devices/spi%u.0/m4rpc/%s",
		 env->b[i].bus, name);
}

int link_attr(struct board_env *env, unsigned int i, const char *name,
	      char *buf, size_t size)
{
	char path[256];

	link_attr_path(env, i, name, path, sizeof(path));
	return read_file(path, buf, size);
}

long long link_stat(struct board_env *env, unsigned int i, const char *name)
{
	char buf[64];

	if (link_attr(env, i, name, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

int link_attr_write(struct board_env *env, unsigned int i, const char *name,
		    const char *val)
{
	char path[256];

	link_attr_path(env, i, name, path, sizeof(path));
	return write_file(path, val);
}

int link_wait_synced(struct board_env *env, unsigned int i,
		     unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	char buf[300];

	for (;;) {
		if (!link_attr(env, i, "fw_version", buf, sizeof(buf)) &&
		    !link_attr(env, i, "m4_state", buf, sizeof(buf)))
			return 0;
		if (now_ms() >= end) {
			board_dump(env, i, -1);
			return ETIMEDOUT;
		}
		sleep_ms(10);
	}
}

int link_wait_stat(struct board_env *env, unsigned int i, const char *name,
		   long long min, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (link_stat(env, i, name) < min) {
		if (now_ms() >= end)
			return ETIMEDOUT;
		sleep_ms(10);
	}
	return 0;
}

/* ---- the debugfs test client ------------------------------------------------ */

void board_dbg_path(struct board_env *env, unsigned int i, const char *name,
		    char *buf, size_t size)
{
	snprintf(buf, size, "/sys/kernel/debug/m4rpc/spi%u.0/%s",
		 env->b[i].bus, name);
}

int board_ui_send(struct board_env *env, unsigned int i, const void *msg,
		  size_t n)
{
	uint64_t end = now_ms() + 10000;
	char path[256];
	ssize_t w;
	int fd;

	board_dbg_path(env, i, "ui", path, sizeof(path));
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

void board_ui_drain(struct board_env *env, unsigned int i)
{
	char path[256], buf[4096];
	int fd;

	board_dbg_path(env, i, "ui", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (env->b[i].unp_init) {
		msgpack_unpacker_destroy(&env->b[i].unp);
		env->b[i].unp_init = false;
	}
}

/* Feed what the test client has received into the board's unpacker. */
static int board_ui_feed(struct board_env *env, unsigned int i)
{
	struct board *b = &env->b[i];
	char path[256];
	ssize_t n;
	int fd;

	if (!b->unp_init) {
		if (!msgpack_unpacker_init(&b->unp,
					   MSGPACK_UNPACKER_INIT_BUFFER_SIZE))
			return ENOMEM;
		b->unp_init = true;
	}
	board_dbg_path(env, i, "ui", path, sizeof(path));
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

int board_echo_send(struct board_env *env, unsigned int i, uint32_t msgid,
		    const uint8_t *bin, size_t n)
{
	uint8_t msg[512];

	if (n > 255)
		return EINVAL;
	return board_ui_send(env, i, msg, echo_call_build(msg, msgid, bin, n));
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

int board_echo_wait(struct board_env *env, unsigned int i, uint32_t *msgid,
		    uint8_t *bin, size_t cap, size_t *n,
		    unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	msgpack_unpacked res;
	int ret;

	msgpack_unpacked_init(&res);
	for (;;) {
		ret = board_ui_feed(env, i);
		if (ret)
			break;
		switch (msgpack_unpacker_next(&env->b[i].unp, &res)) {
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

int board_echo_once(struct board_env *env, unsigned int i, uint32_t msgid,
		    size_t n, unsigned int timeout_ms)
{
	uint8_t out[256], back[256];
	uint32_t id;
	size_t got;
	int ret;

	if (n > sizeof(out))
		return EINVAL;
	echo_fill(out, n, msgid);
	ret = board_echo_send(env, i, msgid, out, n);
	if (ret)
		return ret;
	ret = board_echo_wait(env, i, &id, back, sizeof(back), &got,
			      timeout_ms);
	if (ret)
		return ret;
	if (id != msgid || got != n || memcmp(out, back, n))
		return EBADMSG;
	return 0;
}

/* ---- the endpoint ------------------------------------------------------------ */

/*
 * The name of the first entry of board @i's SPI device directory @sub
 * that starts with @prefix (a device of the board's: its endpoint, its
 * port) into @name: 0, ENOENT, or opendir()'s errno.
 */
static int board_dev_name(struct board_env *env, unsigned int i,
			  const char *sub, const char *prefix, char *name,
			  size_t size)
{
	char dir[128];
	struct dirent *d;
	DIR *dp;
	int ret = ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/spi/devices/spi%u.0/%s",
		 env->b[i].bus, sub);
	dp = opendir(dir);
	if (!dp)
		return errno;
	while ((d = readdir(dp))) {
		if (!strncmp(d->d_name, prefix, strlen(prefix)) &&
		    strlen(d->d_name) < size) {
			memcpy(name, d->d_name, strlen(d->d_name) + 1);
			ret = 0;
			break;
		}
	}
	closedir(dp);
	return ret;
}

/* /dev/NAME of that device into @path, or the errno of the scan. */
static int board_dev_path(struct board_env *env, unsigned int i,
			  const char *sub, const char *prefix, char *path,
			  size_t size)
{
	char name[32];
	int ret = board_dev_name(env, i, sub, prefix, name, sizeof(name));

	if (!ret)
		snprintf(path, size, "/dev/%s", name);
	return ret;
}

/* open() it: an fd, or -errno. */
static int board_dev_open(struct board_env *env, unsigned int i,
			  const char *sub, const char *prefix, int flags)
{
	char path[64];
	int ret, fd;

	ret = board_dev_path(env, i, sub, prefix, path, sizeof(path));
	if (ret)
		return -ret;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int board_ep_path(struct board_env *env, unsigned int i, char *path,
		  size_t size)
{
	return board_dev_path(env, i, "m4rpc-ep", "m4rpc", path, size);
}

int board_ep_open(struct board_env *env, unsigned int i, int flags)
{
	return board_dev_open(env, i, "m4rpc-ep", "m4rpc", flags);
}

int board_ep_session(struct board_env *env, unsigned int i)
{
	int fd = board_ep_open(env, i, O_RDWR), ret;

	if (fd < 0)
		return fd;
	ret = ep_wait_m4(fd, M4RPC_M4_RUNNING, 5000);
	if (ret) {
		close(fd);
		return -ret;
	}
	return fd;
}

int board_up_session(struct board_env *env, int *fd)
{
	int ret;

	*fd = -1;
	ret = board_up(env, NULL);
	if (ret)
		return ret;
	*fd = board_ep_session(env, 0);
	return *fd < 0 ? -*fd : 0;
}

void board_down_session(struct board_env *env, int fd)
{
	if (fd >= 0)
		close(fd);
	board_down(env);
}

/* ---- the serial port ---------------------------------------------------- */

/* Its name under the board's SPI device, the tty's parent. */
static int board_tty_name(struct board_env *env, unsigned int i, char *name,
			  size_t size)
{
	return board_dev_name(env, i, "tty", "ttyM4RPC", name, size);
}

int board_tty_path(struct board_env *env, unsigned int i, char *path,
		   size_t size)
{
	return board_dev_path(env, i, "tty", "ttyM4RPC", path, size);
}

int board_tty_open(struct board_env *env, unsigned int i, int flags)
{
	return board_dev_open(env, i, "tty", "ttyM4RPC",
			      O_RDWR | O_NOCTTY | flags);
}

long long board_tty_stat(struct board_env *env, unsigned int i,
			 const char *name)
{
	char tty[32], path[128], buf[32];

	if (board_tty_name(env, i, tty, sizeof(tty)))
		return -1;
	snprintf(path, sizeof(path), "/sys/class/tty/%s/m4rpc/%s", tty, name);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

int tty_set_raw(int fd, speed_t speed)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return errno;
	cfmakeraw(&t);
	if (cfsetspeed(&t, speed) || tcsetattr(fd, TCSANOW, &t))
		return errno;
	return 0;
}

ssize_t tty_read_n(int fd, uint8_t *buf, size_t n, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = poll(&p, 1, timeout_ms);
		if (r < 0)
			return -errno;
		if (!r)
			break;
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r < 0)
			return got ? (ssize_t)got : -errno;
		if (!r)
			break;
		got += r;
	}
	return got;
}

int ep_info(int fd, struct m4rpc_info *info)
{
	return ioctl(fd, M4RPC_IOC_INFO, info) ? errno : 0;
}

/*
 * Ask ioctl @cmd of @fd into @out every 5 ms until @done(@out, @arg) says
 * so: 0, the ioctl's errno, or ETIMEDOUT after @timeout_ms.
 */
static int ep_wait(int fd, unsigned long cmd, void *out,
		   bool (*done)(const void *out, const void *arg),
		   const void *arg, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		if (ioctl(fd, cmd, out))
			return errno;
		if (done(out, arg))
			return 0;
		if (now_ms() > end)
			return ETIMEDOUT;
		sleep_ms(5);
	}
}

static bool m4_state_is(const void *out, const void *arg)
{
	const struct m4rpc_info *info = out;

	return info->m4_state == *(const int *)arg;
}

int ep_wait_m4(int fd, int want, unsigned int timeout_ms)
{
	struct m4rpc_info info;

	return ep_wait(fd, M4RPC_IOC_INFO, &info, m4_state_is, &want,
		       timeout_ms);
}

int ep_link_stats(int fd, struct m4rpc_link_stats *st)
{
	return ioctl(fd, M4RPC_IOC_LINK_STATS, st) ? errno : 0;
}

int ep_session_stats(int fd, struct m4rpc_session_stats *st)
{
	return ioctl(fd, M4RPC_IOC_SESSION_STATS, st) ? errno : 0;
}

struct stat_min {
	size_t offset;
	uint64_t min;
};

static bool link_stat_reached(const void *out, const void *arg)
{
	const struct stat_min *want = arg;
	const char *st = out;
	uint64_t v;

	/* From sessions to reserved0, the fields are __u32. */
	if (want->offset >= offsetof(struct m4rpc_link_stats, sessions) &&
	    want->offset <= offsetof(struct m4rpc_link_stats, reserved0))
		v = *(const uint32_t *)(st + want->offset);
	else
		v = *(const uint64_t *)(st + want->offset);
	return v >= want->min;
}

int ep_wait_link_stat(int fd, size_t offset, uint64_t min,
		      unsigned int timeout_ms)
{
	const struct stat_min want = { .offset = offset, .min = min };
	struct m4rpc_link_stats st;

	return ep_wait(fd, M4RPC_IOC_LINK_STATS, &st, link_stat_reached,
		       &want, timeout_ms);
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
 * [2, method, [ with @nparams parameters, which the caller packs next.
 * @fixid: the msgid as a uint32 whatever its value (echo_call_build()).
 */
static void pk_head_n(struct pk *k, bool call, bool fixid, uint32_t msgid,
		      const char *method, uint32_t nparams)
{
	pk_begin(k);
	msgpack_pack_array(&k->p, call ? 4 : 3);
	msgpack_pack_uint32(&k->p, call ? 0 : 2);
	if (call && fixid)
		msgpack_pack_fix_uint32(&k->p, msgid);
	else if (call)
		msgpack_pack_uint32(&k->p, msgid);
	pk_str(k, method);
	msgpack_pack_array(&k->p, nparams);
}

/* ... with one parameter. */
static void pk_head(struct pk *k, bool call, bool fixid, uint32_t msgid,
		    const char *method)
{
	pk_head_n(k, call, fixid, msgid, method, 1);
}

static void pk_bin(struct pk *k, const void *bin, size_t n)
{
	msgpack_pack_bin(&k->p, n);
	msgpack_pack_bin_body(&k->p, bin, n);
}

size_t mk_call_void(uint8_t *buf, uint32_t msgid, const char *method)
{
	struct pk k;

	pk_head_n(&k, true, false, msgid, method, 0);
	return pk_end(&k, buf);
}

size_t mk_call_int(uint8_t *buf, uint32_t msgid, const char *method,
		   int64_t arg)
{
	struct pk k;

	pk_head(&k, true, false, msgid, method);
	msgpack_pack_int64(&k.p, arg);
	return pk_end(&k, buf);
}

size_t mk_call_bin(uint8_t *buf, uint32_t msgid, const char *method,
		   const void *bin, size_t n)
{
	struct pk k;

	pk_head(&k, true, false, msgid, method);
	pk_bin(&k, bin, n);
	return pk_end(&k, buf);
}

size_t echo_call_build(uint8_t *buf, uint32_t msgid, const uint8_t *bin,
		       size_t n)
{
	struct pk k;

	pk_head(&k, true, true, msgid, "echo");
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

	pk_head(&k, false, false, 0, method);
	pk_bin(&k, bin, n);
	return pk_end(&k, buf);
}

size_t mk_notify_int(uint8_t *buf, const char *method, int64_t arg)
{
	struct pk k;

	pk_head(&k, false, false, 0, method);
	msgpack_pack_int64(&k.p, arg);
	return pk_end(&k, buf);
}

void echo_fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i);
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

/* The first parameter of a request or notification, if any. */
static void rpc_params0(const msgpack_object *params, struct rpc_msg *m)
{
	if (params->type == MSGPACK_OBJECT_ARRAY && params->via.array.size) {
		rpc_value(&params->via.array.ptr[0], m);
		m->params0 = m->value;
	}
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
		rpc_params0(&a[2], m);
		ret = 0;
		goto out;
	}
	if (u.data.via.array.size != 4 ||
	    a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		goto out;
	m->msgid = (uint32_t)a[1].via.u64;
	if (m->type == 0) {
		rpc_str(&a[2], m->method, sizeof(m->method));
		rpc_params0(&a[3], m);
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
