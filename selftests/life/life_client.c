// SPDX-License-Identifier: GPL-2.0
/*
 * The forked client of the lifecycle tests; see life_client.h.
 *
 * The child reports through a pipe in records of a few ints (each written
 * whole: writes up to PIPE_BUF bytes are atomic, so its threads share the
 * pipe). It never touches the emulator, which runs in a thread of the
 * parent: after fork() only the calling thread exists in the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "life_client.h"

#define T_MS		5000
#define FILL_MAX	1000

enum rec_kind {
	REC_CALLED,	/* val: 0 or errno of open/bind/call */
	REC_TID,	/* op, val: the sleeper's thread id */
	REC_READY,	/* val: 0 or errno of the fill / call */
	REC_RESULT,	/* op, val: how the sleeper woke */
};

struct life_rec {
	int kind;
	int op;
	int val;
};

/* ---- the child ------------------------------------------------------------ */

struct child {
	int rec_fd;
	int fd[LIFE_OPS];
	enum life_writer writer;
};

struct sleeper {
	struct child *ch;
	int op;
	pthread_t th;
};

static void rec_send(int fd, int kind, int op, int val)
{
	struct life_rec r = { .kind = kind, .op = op, .val = val };

	/* A parent gone away ends the child with SIGPIPE: nothing to do. */
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(3);
}

/* Read until an error: the replies and M4 calls that come are dropped. */
static int sleep_read(int fd)
{
	uint8_t buf[EP_MSG_MAX];

	while (read(fd, buf, sizeof(buf)) >= 0 || errno == EOVERFLOW)
		;
	return -errno;
}

static int sleep_write(int fd, enum life_writer writer)
{
	uint8_t msg[64];
	uint32_t id = 100;
	size_t n;

	if (writer == LIFE_WRITER_FILL) {
		n = mk_notify_int(msg, "fill", 1);
		return write(fd, msg, n) < 0 ? -errno : 0;
	}
	for (;;) {
		n = mk_call_int(msg, id, "echo", id);
		id++;
		if (write(fd, msg, n) < 0)
			return -errno;
	}
}

static int sleep_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	n = poll(&p, 1, 60000);
	if (n < 0)
		return -errno;
	return n ? p.revents : -ETIMEDOUT;
}

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;
	struct child *ch = s->ch;
	int fd = ch->fd[s->op], r;

	rec_send(ch->rec_fd, REC_TID, s->op, (int)syscall(SYS_gettid));
	switch (s->op) {
	case LIFE_READ:
		r = sleep_read(fd);
		break;
	case LIFE_WRITE:
		r = sleep_write(fd, ch->writer);
		break;
	default:
		r = sleep_poll(fd);
		break;
	}
	rec_send(ch->rec_fd, REC_RESULT, s->op, r);
	return NULL;
}

/* Sessions open, a call answered, the name bound: 0 or errno. */
static int child_setup(struct child *ch, struct board_env *env,
		       const char *name)
{
	int i, ret;

	for (i = 0; i < LIFE_OPS; i++) {
		ch->fd[i] = board_ep_open(env, 0, O_RDWR);
		if (ch->fd[i] < 0)
			return -ch->fd[i];
	}
	ret = ep_wait_m4(ch->fd[LIFE_READ], M4RPC_M4_RUNNING, T_MS);
	/* The call first: once bound, the M4's calls may come in between. */
	if (!ret)
		ret = ep_echo(ch->fd[LIFE_READ], 1, 42, T_MS);
	if (!ret)
		ret = ep_bind(ch->fd[LIFE_READ], name);
	return ret;
}

/* The writer's session full (the H7 held up), and a call in flight on A. */
static int child_load(struct child *ch)
{
	int w = ch->fd[LIFE_WRITE], k, fl;
	uint8_t msg[64];
	size_t n;

	if (ch->writer == LIFE_WRITER_FILL) {
		fl = fcntl(w, F_GETFL);
		if (fcntl(w, F_SETFL, fl | O_NONBLOCK))
			return errno;
		n = mk_notify_int(msg, "fill", 1);
		for (k = 0; k < FILL_MAX && write(w, msg, n) > 0; k++)
			;
		if (k == FILL_MAX || errno != EAGAIN)
			return k == FILL_MAX ? ENOBUFS : errno;
		if (fcntl(w, F_SETFL, fl))
			return errno;
	}
	n = mk_call_int(msg, 2, "echo", 43);
	return ep_write_msg(ch->fd[LIFE_READ], msg, n);
}

static void __attribute__((noreturn))
child_main(struct board_env *env, const char *name, enum life_writer writer,
	   int rec_fd, int go_fd)
{
	struct sleeper s[LIFE_OPS];
	struct child ch = { .rec_fd = rec_fd, .writer = writer };
	struct pollfd p = { .fd = go_fd, .events = POLLIN };
	char go;
	int i, ret;

	/*
	 * Nothing of the parent's: its slave device of the simulator would
	 * pin m4rpc_sim.ko, its sessions would outlive it in us.
	 */
	rec_fd = dup(rec_fd);	/* above both, so the dup2()s clobber neither */
	go_fd = dup(go_fd);
	if (rec_fd < 0 || go_fd < 0 || dup2(rec_fd, 3) < 0 ||
	    dup2(go_fd, 4) < 0 || close_range(5, ~0U, 0))
		_exit(4);
	ch.rec_fd = rec_fd = 3;
	p.fd = go_fd = 4;
	ret = child_setup(&ch, env, name);
	rec_send(rec_fd, REC_CALLED, 0, ret);
	if (ret)
		_exit(1);
	if (poll(&p, 1, 30000) != 1 || read(go_fd, &go, 1) != 1)
		_exit(2);
	ret = child_load(&ch);
	if (ret) {
		rec_send(rec_fd, REC_READY, 0, ret);
		_exit(1);
	}
	for (i = 0; i < LIFE_OPS; i++) {
		s[i].ch = &ch;
		s[i].op = i;
		if (pthread_create(&s[i].th, NULL, sleeper_fn, &s[i])) {
			rec_send(rec_fd, REC_READY, 0, EAGAIN);
			_exit(1);
		}
	}
	rec_send(rec_fd, REC_READY, 0, 0);
	for (i = 0; i < LIFE_OPS; i++)
		pthread_join(s[i].th, NULL);
	_exit(0);
}

/* ---- the parent ------------------------------------------------------------ */

/* The next record within @timeout_ms: 0, ETIMEDOUT or EPIPE (child gone). */
static int rec_wait(struct life_client *c, struct life_rec *r,
		    unsigned int timeout_ms)
{
	struct pollfd p = { .fd = c->rec_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, (int)timeout_ms) != 1)
		return ETIMEDOUT;
	n = read(c->rec_fd, r, sizeof(*r));
	return n == sizeof(*r) ? 0 : EPIPE;
}

int life_client_spawn(struct life_client *c, struct board_env *env,
		      const char *name, enum life_writer writer)
{
	int rec[2], go[2], ret;

	memset(c, 0, sizeof(*c));
	c->rec_fd = -1;
	c->go_fd = -1;
	if (pipe2(rec, O_CLOEXEC))
		return errno;
	if (pipe2(go, O_CLOEXEC)) {
		ret = errno;
		close(rec[0]);
		close(rec[1]);
		return ret;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid == 0) {
		close(rec[0]);
		close(go[1]);
		child_main(env, name, writer, rec[1], go[0]);
	}
	ret = c->pid < 0 ? errno : 0;
	close(rec[1]);
	close(go[0]);
	c->rec_fd = rec[0];
	c->go_fd = go[1];
	if (c->pid < 0)
		c->pid = 0;
	return ret;
}

int life_client_start(struct life_client *c, struct board_env *env,
		      const char *name, enum life_writer writer)
{
	struct life_rec r;
	int ret;

	ret = life_client_spawn(c, env, name, writer);
	if (ret)
		return ret;
	ret = rec_wait(c, &r, 3 * T_MS);
	if (!ret && r.kind != REC_CALLED)
		ret = EPROTO;
	return ret ? ret : r.val;
}

int life_client_go(struct life_client *c)
{
	unsigned int seen = 0;
	struct life_rec r;
	bool ready = false;
	int ret;

	if (write(c->go_fd, "g", 1) != 1)
		return errno;
	/* The threads' ids and the main thread's READY, in any order. */
	while (seen != LIFE_ALL || !ready) {
		ret = rec_wait(c, &r, T_MS);
		if (ret)
			return ret;
		if (r.kind == REC_TID && r.op >= 0 && r.op < LIFE_OPS) {
			c->tid[r.op] = r.val;
			seen |= 1U << r.op;
		} else if (r.kind == REC_READY && !ready) {
			if (r.val)
				return r.val;
			ready = true;
		} else {
			return EPROTO;
		}
	}
	return 0;
}

/* Whether thread @tid of the child sleeps in system call @op's. */
static bool asleep_in(struct life_client *c, pid_t tid, int op)
{
	char path[96], buf[256], *p;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", c->pid, tid);
	if (read_file(path, buf, sizeof(buf)))
		return false;
	/* The state follows the command's closing parenthesis. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", c->pid, tid);
	if (read_file(path, buf, sizeof(buf)))
		return false;
	nr = strtol(buf, &p, 10);
	if (p == buf)
		return false;	/* "running" */
	switch (op) {
	case LIFE_READ:
		return nr == SYS_read;
	case LIFE_WRITE:
		return nr == SYS_write;
	default:
#ifdef SYS_poll
		if (nr == SYS_poll)
			return true;
#endif
		return nr == SYS_ppoll;
	}
}

int life_client_wait_asleep(struct life_client *c, unsigned int ops,
			    unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	unsigned int asleep;
	int i;

	for (;;) {
		asleep = 0;
		for (i = 0; i < LIFE_OPS; i++)
			if ((ops & (1U << i)) && asleep_in(c, c->tid[i], i))
				asleep |= 1U << i;
		if (asleep == ops)
			return 0;
		if (now_ms() >= end) {
			fprintf(stderr, "# sleepers %#x of %#x asleep\n",
				asleep, ops);
			return ETIMEDOUT;
		}
		sleep_ms(5);
	}
}

/* Reap the child within @timeout_ms: 0 and *@status, or ETIMEDOUT. */
static int reap(struct life_client *c, int *status, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	pid_t p;

	for (;;) {
		p = waitpid(c->pid, status, WNOHANG);
		if (p == c->pid) {
			c->pid = 0;
			return 0;
		}
		if (p < 0)
			return errno;
		if (now_ms() >= end)
			return ETIMEDOUT;
		sleep_ms(2);
	}
}

static void fds_close(struct life_client *c)
{
	if (c->rec_fd >= 0)
		close(c->rec_fd);
	if (c->go_fd >= 0)
		close(c->go_fd);
	c->rec_fd = -1;
	c->go_fd = -1;
}

int life_client_kill(struct life_client *c, unsigned int timeout_ms)
{
	int status, ret;

	if (kill(c->pid, SIGKILL))
		return errno;
	ret = reap(c, &status, timeout_ms);
	fds_close(c);
	if (ret)
		return ret;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : ECHILD;
}

int life_client_results(struct life_client *c, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	unsigned int seen = 0;
	struct life_rec r;
	uint64_t now;
	int status, ret;

	while (seen != LIFE_ALL) {
		now = now_ms();
		ret = now < end ? rec_wait(c, &r, end - now) : ETIMEDOUT;
		if (ret)
			break;
		if (r.kind != REC_RESULT || r.op < 0 || r.op >= LIFE_OPS) {
			ret = EPROTO;
			break;
		}
		c->result[r.op] = r.val;
		seen |= 1U << r.op;
	}
	if (ret) {
		fprintf(stderr, "# sleepers %#x of %#x woke\n", seen, LIFE_ALL);
		life_client_cleanup(c);
		return ret;
	}
	ret = reap(c, &status, T_MS);
	fds_close(c);
	if (ret) {
		life_client_cleanup(c);
		return ret;
	}
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : EPROTO;
}

void life_client_cleanup(struct life_client *c)
{
	int status;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		if (reap(c, &status, 10000))
			fprintf(stderr, "# client %d not reaped\n", c->pid);
	}
	c->pid = 0;
	fds_close(c);
}

unsigned int life_cycles(const char *var, unsigned int def)
{
	const char *v = getenv(var);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	return *end || !n || n > 1000000 ? def : (unsigned int)n;
}
