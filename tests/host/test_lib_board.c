// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of libm4rpc's board without a kernel: the test plays
 * /dev/m4rpcN on the other end of a SOCK_SEQPACKET socketpair (which keeps
 * message boundaries, as the device does) and answers the ioctls through
 * the library's system call table (lib/sys.c). Every error mapping, calls,
 * replies kept for their owners, serving, asynchronous calls, raw mode and
 * threads sharing one board.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <msgpack.h>

#include "kselftest_harness.h"
#include "m4rpc_priv.h"

/* ---- the fake device ------------------------------------------------------ */

static struct {
	struct m4rpc_info info;
	int write_errno;	/* the next write() fails with it */
	int read_errno;		/* the next read() fails with it */
	int bind_errno;
	int open_errno;
	int mode;
	char bound[8][M4RPC_NAME_MAX + 1];
	unsigned int nbound;
} F;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct m4rpc_bind *bd = arg;

	switch (req) {
	case M4RPC_IOC_INFO:
		memcpy(arg, &F.info, sizeof(F.info));
		return 0;
	case M4RPC_IOC_SESSION_STATS:
		memset(arg, 0, sizeof(struct m4rpc_session_stats));
		((struct m4rpc_session_stats *)arg)->bindings = F.nbound;
		return 0;
	case M4RPC_IOC_LINK_STATS:
		memset(arg, 0, sizeof(struct m4rpc_link_stats));
		((struct m4rpc_link_stats *)arg)->rx_msgs = 42;
		((struct m4rpc_link_stats *)arg)->sessions = 3;
		return 0;
	case M4RPC_IOC_BIND:
		if (F.bind_errno) {
			errno = F.bind_errno;
			return -1;
		}
		memcpy(F.bound[F.nbound], bd->name, bd->len);
		F.bound[F.nbound++][bd->len] = '\0';
		return 0;
	case M4RPC_IOC_UNBIND:
		return 0;
	case M4RPC_IOC_SET_MODE:
		if (F.nbound) {
			errno = EBUSY;
			return -1;
		}
		F.mode = *(__u32 *)arg;
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

static ssize_t fake_write(int fd, const void *buf, size_t n)
{
	if (F.write_errno) {
		errno = F.write_errno;
		F.write_errno = 0;
		return -1;
	}
	return write(fd, buf, n);
}

static ssize_t fake_read(int fd, void *buf, size_t n)
{
	if (F.read_errno) {
		errno = F.read_errno;
		F.read_errno = 0;
		return -1;
	}
	return read(fd, buf, n);
}

static int fake_open(const char *path, int flags)
{
	errno = F.open_errno;
	return -1;
}

static void fake_reset(void)
{
	memset(&F, 0, sizeof(F));
	F.info.api_version = M4RPC_API_VERSION;
	F.info.index = 3;
	F.info.link_state = M4RPC_LINK_STATE_UP;
	F.info.m4_state = M4RPC_M4_RUNNING;
	strcpy(F.info.fw_version, "0.0.5");
	strcpy(F.info.spi_device, "spi9.0");
	F.info.max_tx_msg = 248;
	F.info.max_rx_msg = 4096;
	F.info.rx_queue_len = 64;
	F.info.calls_max = 256;
	m4rpc__sys.ioctl = fake_ioctl;
	m4rpc__sys.write = fake_write;
	m4rpc__sys.read = fake_read;
	m4rpc__sys.open = fake_open;
}

/* ---- the peer: what the kernel would deliver ------------------------------- */

static void peer_send(int peer, msgpack_sbuffer *sb)
{
	if (write(peer, sb->data, sb->size) != (ssize_t)sb->size)
		abort();
	msgpack_sbuffer_destroy(sb);
}

/* [1, msgid, err (or nil), result int (or nil when @err)] */
static void peer_reply(int peer, uint32_t msgid, const char *err, int64_t v)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_uint32(&pk, msgid);
	if (err) {
		msgpack_pack_str_with_body(&pk, err, strlen(err));
		msgpack_pack_nil(&pk);
	} else {
		msgpack_pack_nil(&pk);
		msgpack_pack_int64(&pk, v);
	}
	peer_send(peer, &sb);
}

/* [0, msgid, method, [a, b]] or, msgid 0, [2, method, [a, b]] */
static void peer_m4_message(int peer, uint32_t msgid, const char *method,
			    int a, int b)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, msgid ? 4 : 3);
	msgpack_pack_int(&pk, msgid ? 0 : 2);
	if (msgid)
		msgpack_pack_uint32(&pk, msgid);
	msgpack_pack_str_with_body(&pk, method, strlen(method));
	msgpack_pack_array(&pk, 2);
	msgpack_pack_int(&pk, a);
	msgpack_pack_int(&pk, b);
	peer_send(peer, &sb);
}

/* The next message the library wrote, decoded (NULL when none in 1 s). */
static struct m4rpc_result *peer_take(int peer)
{
	struct pollfd pfd = { .fd = peer, .events = POLLIN };
	uint8_t buf[8192];
	ssize_t n;
	int err;

	if (poll(&pfd, 1, 1000) != 1)
		return NULL;
	n = read(peer, buf, sizeof(buf));
	if (n <= 0)
		return NULL;
	return m4rpc__msg_decode(buf, n, &err);
}

FIXTURE(board) {
	int peer;
	struct m4rpc_board *b;
};

FIXTURE_SETUP(board)
{
	int sv[2];

	fake_reset();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	self->peer = sv[1];
	self->b = m4rpc_board_open_fd(sv[0]);
	ASSERT_NE(NULL, self->b) TH_LOG("%s", m4rpc_last_error());
}

FIXTURE_TEARDOWN(board)
{
	m4rpc_board_close(self->b);
	close(self->peer);
}

/* ---- calls ------------------------------------------------------------------ */

TEST_F(board, call_and_its_request)
{
	struct m4rpc_result *res, *req;
	int64_t v;

	/* msgids count from 1 on a new board: the reply can wait already */
	peer_reply(self->peer, 1, NULL, 42);
	ASSERT_EQ(0, m4rpc_call(self->b, 1000, &res, "temperature", NULL));
	ASSERT_EQ(0, m4rpc_result_int(res, &v));
	EXPECT_EQ(42, v);
	m4rpc_result_free(res);
	req = peer_take(self->peer);
	ASSERT_NE(NULL, req);
	EXPECT_EQ(MSG_REQUEST, req->type);
	EXPECT_EQ(1, req->msgid);
	EXPECT_STREQ("temperature", req->method);
	EXPECT_EQ(0, req->params->via.array.size);
	/* the msgid is always a uint32, as the kernel counts it */
	EXPECT_EQ(0xce, req->data[2]);
	m4rpc_result_free(req);
	EXPECT_STREQ("/dev/m4rpc3", m4rpc_board_path(self->b));
}

TEST_F(board, call_packed_and_notify)
{
	static const uint8_t params[] = { 0x92, 0x01, 0xa1, 'x' };
	struct m4rpc_result *req;

	peer_reply(self->peer, 1, NULL, 0);
	ASSERT_EQ(0, m4rpc_call_packed(self->b, 1000, NULL, "f", params,
				       sizeof(params)));
	req = peer_take(self->peer);
	ASSERT_NE(NULL, req);
	EXPECT_EQ(2, req->params->via.array.size);
	m4rpc_result_free(req);
	EXPECT_EQ(-EINVAL, m4rpc_call_packed(self->b, 1000, NULL, "f",
					     params, 2));
	EXPECT_EQ(-EINVAL, m4rpc_call(self->b, 1000, NULL, "", NULL));
	EXPECT_EQ(-EINVAL, m4rpc_call(self->b, 1000, NULL, "f", "q"));

	ASSERT_EQ(0, m4rpc_notify(self->b, "led", "b", 1));
	req = peer_take(self->peer);
	ASSERT_NE(NULL, req);
	EXPECT_EQ(MSG_NOTIFICATION, req->type);
	EXPECT_STREQ("led", req->method);
	EXPECT_EQ(MSGPACK_OBJECT_BOOLEAN, req->params->via.array.ptr[0].type);
	m4rpc_result_free(req);
	ASSERT_EQ(0, m4rpc_notify_packed(self->b, "led", params,
					 sizeof(params)));
	m4rpc_result_free(peer_take(self->peer));
}

/* Each error the M4 or the kernel replies, as its code and sentence. */
TEST_F(board, remote_errors)
{
	static const struct {
		const char *text;
		int code;
	} errs[] = {
		{ "rpclib: server could not find function 'nope' with argument count 0.",
		  -M4RPC_E_NO_METHOD },
		{ "rpclib: Function 'echo' was called with an invalid number of arguments. Expected: 1, got: 0",
		  -M4RPC_E_ARGC },
		{ "rpclib: function 'led' (called with 1 arg(s)) threw an exception. The exception contained this information: std::bad_cast.",
		  -M4RPC_E_REMOTE },
		{ "m4rpc: the M4 stopped running RPC", -M4RPC_E_STOPPED },
		{ "m4rpc: the reply was lost on the link (the H7 dropped bytes)",
		  -M4RPC_E_LOST },
		{ "m4rpc: no Linux process bound 'x'", -M4RPC_E_UNBOUND },
		{ "m4rpc: Linux process busy: 'x'", -M4RPC_E_BUSY },
		{ "m4rpc: Linux process closed: 'x'", -M4RPC_E_CLOSED },
	};
	struct m4rpc_result *res = (void *)1;
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		peer_reply(self->peer, i + 1, errs[i].text, 0);
		EXPECT_EQ(errs[i].code, m4rpc_call(self->b, 1000, &res, "m",
						   NULL));
		EXPECT_EQ(NULL, res);
		EXPECT_EQ(errs[i].code, m4rpc_last_error_code());
		/* the M4's own text is in the sentence */
		EXPECT_NE(NULL, strstr(m4rpc_last_error(), errs[i].text))
			TH_LOG("%s", m4rpc_last_error());
		EXPECT_NE(NULL, strstr(m4rpc_last_error(),
				       m4rpc_strerror(errs[i].code)));
		m4rpc_result_free(peer_take(self->peer));
	}
}

/* A long error text of the M4's reaches the sentence whole. */
TEST_F(board, long_remote_text_whole)
{
	char text[2001];

	memset(text, 'e', 2000);
	text[2000] = '\0';
	memcpy(text + 1990, "[the end]", 9);
	peer_reply(self->peer, 1, text, 0);
	EXPECT_EQ(-M4RPC_E_REMOTE, m4rpc_call(self->b, 1000, NULL, "m", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), text));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "[the end]"));
}

TEST_F(board, timeout_then_late_reply_dropped)
{
	struct m4rpc_counter c[32];
	struct m4rpc_result *res;
	int64_t v;
	int n, i;

	EXPECT_EQ(-ETIMEDOUT, m4rpc_call(self->b, 20, &res, "slow", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "no reply to slow()"));
	/* the late reply of call 1, then the one of call 2 */
	peer_reply(self->peer, 1, NULL, 1);
	peer_reply(self->peer, 2, NULL, 2);
	ASSERT_EQ(0, m4rpc_call(self->b, 1000, &res, "fast", NULL));
	ASSERT_EQ(0, m4rpc_result_int(res, &v));
	EXPECT_EQ(2, v);
	m4rpc_result_free(res);
	n = m4rpc_board_session_counters(self->b, c, 32);
	ASSERT_GT(n, 3);
	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, "lib_replies_dropped"))
			break;
	ASSERT_LT(i, n);
	EXPECT_EQ(1, c[i].value);
}

TEST_F(board, overflow_told_on_timeout)
{
	F.read_errno = EOVERFLOW;
	peer_reply(self->peer, 99, NULL, 0);	/* something to read */
	EXPECT_EQ(-ETIMEDOUT, m4rpc_call(self->b, 50, NULL, "m", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "dropped messages"))
		TH_LOG("%s", m4rpc_last_error());
}

/* EHOSTDOWN from write(): INFO tells which. */
TEST_F(board, m4_not_running)
{
	static const struct {
		int state;
		int code;
		const char *says;
	} cases[] = {
		{ M4RPC_M4_NO_PROGRAM, -M4RPC_E_NO_PROGRAM, "no program" },
		{ M4RPC_M4_NO_RPC, -M4RPC_E_NO_RPC, "RPC.begin()" },
		{ M4RPC_M4_UNKNOWN, -EHOSTDOWN, "not known yet" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		F.info.m4_state = cases[i].state;
		F.write_errno = EHOSTDOWN;
		EXPECT_EQ(cases[i].code, m4rpc_call(self->b, 100, NULL, "m",
						    NULL));
		EXPECT_NE(NULL, strstr(m4rpc_last_error(), cases[i].says))
			TH_LOG("%s", m4rpc_last_error());
	}
}

TEST_F(board, too_long)
{
	static uint8_t big[300];

	EXPECT_EQ(-EMSGSIZE, m4rpc_call(self->b, 100, NULL, "echo", "y", big,
					sizeof(big)));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "248"))
		TH_LOG("%s", m4rpc_last_error());
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "316 bytes"))
		TH_LOG("%s", m4rpc_last_error());
	/* the kernel's own EMSGSIZE says the limit too */
	F.write_errno = EMSGSIZE;
	EXPECT_EQ(-EMSGSIZE, m4rpc_call(self->b, 100, NULL, "echo", "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "248"));
	/* and nothing went out */
	EXPECT_EQ(NULL, peer_take(self->peer));
}

TEST_F(board, kernel_refuses)
{
	F.write_errno = EINVAL;
	EXPECT_EQ(-EINVAL, m4rpc_call(self->b, 100, NULL, "m", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "refused"));
}

TEST_F(board, device_gone_on_write)
{
	F.write_errno = ENODEV;
	EXPECT_EQ(-ENODEV, m4rpc_call(self->b, 100, NULL, "m", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "went away"));
	/* and stays gone */
	EXPECT_EQ(-ENODEV, m4rpc_call(self->b, 100, NULL, "m", NULL));
	EXPECT_EQ(-ENODEV, m4rpc_board_dispatch(self->b));
}

/* The device goes while a call waits: the call ends at once, no hang. */
static void *close_later(void *arg)
{
	usleep(20000);
	shutdown(*(int *)arg, SHUT_RDWR);
	return NULL;
}

TEST_F(board, device_gone_mid_call)
{
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, close_later, &self->peer));
	EXPECT_EQ(-ENODEV, m4rpc_call(self->b, -1, NULL, "m", NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(-ENODEV, m4rpc_board_dispatch(self->b));
}

/* ---- open ------------------------------------------------------------------ */

TEST(open_errors)
{
	char path[] = "/tmp/test_lib_board.XXXXXX";
	struct group *g;
	int fd;

	fake_reset();
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	g = getgrgid(getgid());
	ASSERT_NE(NULL, g);

	F.open_errno = EACCES;
	ASSERT_EQ(0, chmod(path, 0660));
	EXPECT_EQ(NULL, m4rpc_board_open(path));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-EACCES, m4rpc_last_error_code());
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "join"));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), g->gr_name))
		TH_LOG("%s", m4rpc_last_error());
	/* a node no group may use: the sentence says so */
	ASSERT_EQ(0, chmod(path, 0600));
	EXPECT_EQ(NULL, m4rpc_board_open(path));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "udev"))
		TH_LOG("%s", m4rpc_last_error());
	unlink(path);

	F.open_errno = ENOENT;
	EXPECT_EQ(NULL, m4rpc_board_open_index(7));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "/dev/m4rpc7: no such board"));
	EXPECT_EQ(NULL, m4rpc_board_open(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, m4rpc_board_open_fd(-1));
	EXPECT_EQ(EBADF, errno);
}

TEST(open_not_a_device)
{
	int sv[2];

	fake_reset();
	m4rpc__sys.ioctl = (void *)ioctl;	/* the real one: ENOTTY */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	EXPECT_EQ(NULL, m4rpc_board_open_fd(sv[0]));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "not an m4rpc device"));
	close(sv[1]);
}

/* ---- info and counters ---------------------------------------------------- */

TEST_F(board, info_and_counters)
{
	struct m4rpc_board_info *bi = m4rpc_board_get_info(self->b);
	struct m4rpc_counter c[64];
	int n;

	ASSERT_NE(NULL, bi);
	EXPECT_EQ(3, m4rpc_board_info_index(bi));
	EXPECT_EQ(M4RPC_BOARD_LINK_UP, m4rpc_board_info_link_status(bi));
	EXPECT_EQ(M4RPC_BOARD_M4_RUNNING, m4rpc_board_info_m4_status(bi));
	EXPECT_STREQ("0.0.5", m4rpc_board_info_firmware(bi));
	EXPECT_STREQ("spi9.0", m4rpc_board_info_spi_device(bi));
	EXPECT_EQ(248, m4rpc_board_info_max_tx_msg(bi));
	EXPECT_EQ(4096, m4rpc_board_info_max_rx_msg(bi));
	EXPECT_EQ(256, m4rpc_board_info_calls_max(bi));
	n = m4rpc_board_info_limits(bi, c, 64);
	EXPECT_EQ(11, n);
	EXPECT_STREQ("max_tx_msg", c[0].name);
	EXPECT_EQ(248, c[0].value);
	EXPECT_EQ(n, m4rpc_board_info_limits(bi, NULL, 0));
	m4rpc_board_info_free(bi);
	EXPECT_STREQ("running", m4rpc_m4_status_name(M4RPC_BOARD_M4_RUNNING));
	EXPECT_STREQ("no program",
		     m4rpc_m4_status_name(M4RPC_BOARD_M4_NO_PROGRAM));
	EXPECT_STREQ("gone", m4rpc_link_status_name(M4RPC_BOARD_LINK_GONE));

	n = m4rpc_board_link_counters(self->b, c, 64);
	ASSERT_EQ(34, n);
	EXPECT_STREQ("rx_msgs", c[0].name);
	EXPECT_EQ(42, c[0].value);
	EXPECT_STREQ("sessions", c[26].name);
	EXPECT_EQ(3, c[26].value);
	EXPECT_EQ(n, m4rpc_board_link_counters(self->b, NULL, 0));
	EXPECT_EQ(18, m4rpc_board_session_counters(self->b, c, 64));
	EXPECT_LE(0, m4rpc_list_boards(NULL, 0));
}

/* ---- serving ---------------------------------------------------------------- */

static int add_handler(struct m4rpc_board *b, struct m4rpc_request *req,
		       void *data)
{
	const msgpack_object *p = m4rpc_request_params(req);

	++*(int *)data;
	if (!strcmp(m4rpc_request_method(req), "fail"))
		return -EIO;
	if (p->via.array.size != 2)
		return m4rpc_request_reply_error(req, "two, please");
	return m4rpc_request_reply(req, "I", p->via.array.ptr[0].via.i64 +
				   p->via.array.ptr[1].via.i64);
}

static void note_handler(struct m4rpc_board *b,
			 const struct m4rpc_request *req, void *data)
{
	*(int *)data += m4rpc_request_params(req)->via.array.ptr[1].via.i64;
}

TEST_F(board, serve_calls_and_notifications)
{
	struct m4rpc_result *r;
	int calls = 0, notes = 0;

	ASSERT_EQ(0, m4rpc_board_serve(self->b, "add", add_handler, &calls));
	ASSERT_EQ(0, m4rpc_board_serve(self->b, "fail", add_handler, &calls));
	ASSERT_EQ(0, m4rpc_board_serve_notifications(self->b, "tick",
						     note_handler, &notes));
	EXPECT_STREQ("add", F.bound[0]);
	peer_m4_message(self->peer, 77, "add", 2, 3);
	peer_m4_message(self->peer, 0, "tick", 0, 10);
	peer_m4_message(self->peer, 78, "fail", 0, 0);
	peer_m4_message(self->peer, 79, "tick", 0, 0);	/* a call, no method */
	EXPECT_EQ(3, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(2, calls);
	EXPECT_EQ(10, notes);

	r = peer_take(self->peer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(MSG_RESPONSE, r->type);
	EXPECT_EQ(77, r->msgid);
	EXPECT_EQ(5, m4rpc_result_object(r)->via.i64);
	m4rpc_result_free(r);
	r = peer_take(self->peer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(78, r->msgid);
	EXPECT_STREQ(m4rpc_strerror(-EIO), m4rpc_result_error_text(r));
	m4rpc_result_free(r);
	r = peer_take(self->peer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(79, r->msgid);
	EXPECT_NE(NULL, strstr(m4rpc_result_error_text(r), "no handler"));
	m4rpc_result_free(r);

	EXPECT_EQ(0, m4rpc_board_unserve(self->b, "add"));
	EXPECT_EQ(-EINVAL, m4rpc_board_serve(self->b, "", add_handler, NULL));
	F.bind_errno = EADDRINUSE;
	EXPECT_EQ(-EADDRINUSE, m4rpc_board_serve(self->b, "x", add_handler,
						 NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "another session"));
}

/* What a synchronous call reads meanwhile is kept for dispatch. */
TEST_F(board, kept_while_calling)
{
	struct pollfd pfd = { .events = POLLIN };
	struct m4rpc_result *r;
	int calls = 0;

	ASSERT_EQ(0, m4rpc_board_serve(self->b, "add", add_handler, &calls));
	peer_m4_message(self->peer, 50, "add", 1, 1);
	peer_reply(self->peer, 1, NULL, 7);
	ASSERT_EQ(0, m4rpc_call(self->b, 1000, NULL, "m", NULL));
	EXPECT_EQ(0, calls);
	/* the board's descriptor says there is work */
	pfd.fd = m4rpc_board_fd(self->b);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	m4rpc_result_free(peer_take(self->peer));	/* the call */
	EXPECT_EQ(1, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(1, calls);
	r = peer_take(self->peer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(50, r->msgid);
	m4rpc_result_free(r);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/* ---- asynchronous calls ----------------------------------------------------- */

struct done {
	int n, err;
	int64_t v;
};

static void on_reply(struct m4rpc_board *b, int err, struct m4rpc_result *res,
		     void *data)
{
	struct done *d = data;

	d->n++;
	d->err = err;
	if (res)
		m4rpc_result_int(res, &d->v);
	m4rpc_result_free(res);
}

TEST_F(board, async_reply_and_timeout)
{
	struct pollfd pfd = { .events = POLLIN };
	struct done d1 = { 0 }, d2 = { 0 }, d3 = { 0 };
	int64_t id;

	EXPECT_EQ(-1, m4rpc_board_next_timeout(self->b));
	id = m4rpc_call_async(self->b, 5000, on_reply, &d1, "m", "i", 1);
	ASSERT_EQ(1, id);
	peer_reply(self->peer, 1, NULL, 11);
	pfd.fd = m4rpc_board_fd(self->b);
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(1, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(1, d1.n);
	EXPECT_EQ(0, d1.err);
	EXPECT_EQ(11, d1.v);

	/* an error reply: the completion reads its code */
	id = m4rpc_call_async(self->b, 5000, on_reply, &d3, "m", NULL);
	peer_reply(self->peer, id, "rpclib: server could not find function 'm' with argument count 0.", 0);
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(1, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(-M4RPC_E_NO_METHOD, d3.err);

	id = m4rpc_call_async(self->b, 10, on_reply, &d2, "m", NULL);
	ASSERT_LT(0, id);
	EXPECT_LE(0, m4rpc_board_next_timeout(self->b));
	EXPECT_GE(10, m4rpc_board_next_timeout(self->b));
	while (!d2.n) {
		poll(&pfd, 1, m4rpc_board_next_timeout(self->b));
		ASSERT_LE(0, m4rpc_board_dispatch(self->b));
	}
	EXPECT_EQ(-ETIMEDOUT, d2.err);
	EXPECT_EQ(-1, m4rpc_board_next_timeout(self->b));
	EXPECT_EQ(-EINVAL, m4rpc_call_async(self->b, 10, NULL, NULL, "m",
					    NULL));
}

/* ---- the run loop ------------------------------------------------------------ */

static void *run_board(void *arg)
{
	return (void *)(intptr_t)m4rpc_board_run(arg);
}

TEST_F(board, run_serves_until_stopped)
{
	struct m4rpc_result *r;
	pthread_t t;
	void *ret;
	int calls = 0;

	ASSERT_EQ(0, m4rpc_board_serve(self->b, "add", add_handler, &calls));
	ASSERT_EQ(0, pthread_create(&t, NULL, run_board, self->b));
	peer_m4_message(self->peer, 5, "add", 20, 22);
	r = peer_take(self->peer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(42, m4rpc_result_object(r)->via.i64);
	m4rpc_result_free(r);
	m4rpc_board_stop(self->b);
	pthread_join(t, &ret);
	EXPECT_EQ(0, (intptr_t)ret);
}

/* ---- raw mode ---------------------------------------------------------------- */

TEST_F(board, raw)
{
	char buf[16];

	EXPECT_EQ(-EINVAL, m4rpc_board_read_raw(self->b, buf, sizeof(buf), 0));
	ASSERT_EQ(0, m4rpc_board_set_raw(self->b));
	EXPECT_EQ(M4RPC_MODE_RAW, F.mode);
	ASSERT_EQ(3, write(self->peer, "abc", 3));
	ASSERT_EQ(3, m4rpc_board_read_raw(self->b, buf, sizeof(buf), 1000));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(-ETIMEDOUT, m4rpc_board_read_raw(self->b, buf, sizeof(buf),
						   10));
	F.read_errno = EOVERFLOW;
	ASSERT_EQ(1, write(self->peer, "d", 1));
	EXPECT_EQ(-EOVERFLOW, m4rpc_board_read_raw(self->b, buf, sizeof(buf),
						   1000));
	EXPECT_EQ(1, m4rpc_board_read_raw(self->b, buf, sizeof(buf), 1000));
	EXPECT_EQ(-EINVAL, m4rpc_call(self->b, 10, NULL, "m", NULL));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "raw mode"));
	EXPECT_EQ(-EINVAL, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(-EINVAL, m4rpc_board_serve(self->b, "x", add_handler, NULL));
}

TEST_F(board, raw_refused_with_bindings)
{
	ASSERT_EQ(0, m4rpc_board_serve(self->b, "x", add_handler, NULL));
	EXPECT_EQ(-EBUSY, m4rpc_board_set_raw(self->b));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "another board"));
}

/* ---- threads ------------------------------------------------------------------ */

#define THREADS	4
#define CALLS	300

/* The peer: echo each request's argument, a batch at a time, last first. */
static void *echo_peer(void *arg)
{
	int peer = *(int *)arg;
	struct m4rpc_result *batch[16];
	int n, total = 0;

	while (total < THREADS * CALLS) {
		n = 0;
		do {
			batch[n] = peer_take(peer);
			if (!batch[n])
				return NULL;
			n++;
		} while (n < 16 && total + n < THREADS * CALLS &&
			 poll(&(struct pollfd){ .fd = peer, .events = POLLIN },
			      1, 0) == 1);
		while (n--) {
			peer_reply(peer, batch[n]->msgid, NULL,
				   batch[n]->params->via.array.ptr[0].via.i64);
			m4rpc_result_free(batch[n]);
			total++;
		}
	}
	return NULL;
}

struct caller {
	struct m4rpc_board *b;
	int id, wrong, failed;
};

static void *caller(void *arg)
{
	struct caller *c = arg;
	struct m4rpc_result *res;
	int64_t v;
	int i;

	for (i = 0; i < CALLS; i++) {
		if (m4rpc_call(c->b, 5000, &res, "echo", "I",
			       (int64_t)c->id * 100000 + i)) {
			if (!c->failed++)
				fprintf(stderr, "# %s\n", m4rpc_last_error());
			continue;
		}
		if (m4rpc_result_int(res, &v) || v != c->id * 100000 + i)
			c->wrong++;
		m4rpc_result_free(res);
	}
	return NULL;
}

TEST_F(board, threads_get_their_own_replies)
{
	struct caller c[THREADS];
	pthread_t t[THREADS], p;
	int i;

	ASSERT_EQ(0, pthread_create(&p, NULL, echo_peer, &self->peer));
	for (i = 0; i < THREADS; i++) {
		c[i] = (struct caller){ .b = self->b, .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, caller, &c[i]));
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, c[i].failed);
		EXPECT_EQ(0, c[i].wrong);
	}
	pthread_join(p, NULL);
}

TEST_HARNESS_MAIN
