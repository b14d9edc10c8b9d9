/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libm4rpc's insides, shared by its source files (one per object) and its
 * host tests. Nothing here is exported.
 *
 * Locking: one mutex per board (board->lock) guards every list and flag
 * of the board; it is never held across a system call that may sleep
 * (poll, a blocking read or write) nor while a callback runs. Only the
 * thread holding the reader role (board->reading) reads the session.
 */
#ifndef M4RPC_PRIV_H
#define M4RPC_PRIV_H

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <linux/m4rpc.h>

#include "m4rpc.h"

#define M4RPC_EXPORT __attribute__((visibility("default")))

/* Containers nested in a message: the kernel's limit, the message included. */
#define M4RPC_DEPTH_MAX		32

/* msgpack-rpc message types (the first item of the outer array). */
enum {
	MSG_REQUEST = 0,
	MSG_RESPONSE = 1,
	MSG_NOTIFICATION = 2,
};

/* ---- system calls (sys.c): the host tests replace them ------------------ */

struct m4rpc_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	ssize_t (*read)(int fd, void *buf, size_t n);
	ssize_t (*write)(int fd, const void *buf, size_t n);
	int (*poll)(struct pollfd *fds, unsigned long n, int timeout_ms);
};
extern struct m4rpc_sys m4rpc__sys;

/* ---- errors (error.c) ------------------------------------------------------ */

/* Record the thread's last failure: returns @code (negative). */
int m4rpc__fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* NULL with errno set from @code (negative), after m4rpc__fail(). */
void *m4rpc__fail_null(int code);
/* The code an M4 or kernel error text stands for (a negative code). */
int m4rpc__classify(const char *text);

/* ---- packing (pack.c) ------------------------------------------------------ */

/* A growing buffer: inline room first, the heap only past it. */
struct m4rpc_buf {
	char *p;
	size_t len, cap;
	bool failed;		/* out of memory */
	char inline_room[512];
};
void m4rpc__buf_init(struct m4rpc_buf *b);
void m4rpc__buf_free(struct m4rpc_buf *b);
/* msgpack-c's writer callback over a struct m4rpc_buf. */
int m4rpc__buf_write(void *data, const char *p, size_t n);

/*
 * Pack the values of signature @sig (see m4rpc_call()) from @ap:
 * as an array of them when @as_array, else exactly one value (@sig empty:
 * nil). 0, or -EINVAL with the sentence set.
 */
int m4rpc__pack_sig(msgpack_packer *pk, const char *sig, va_list *ap,
		    bool as_array);
/* Whether @p..@len is exactly one msgpack array (@array) or object. */
bool m4rpc__packed_one(const void *p, size_t len, bool array);
/* The request head [0, msgid (always a uint32), method, ... */
void m4rpc__pack_request_head(msgpack_packer *pk, uint32_t msgid,
			      const char *method);
void m4rpc__pack_notify_head(msgpack_packer *pk, const char *method);

/* ---- messages and results (result.c) ----------------------------------- */

/* A decoded message; a struct m4rpc_result is one of type MSG_RESPONSE. */
struct m4rpc_result {
	struct m4rpc_result *next;	/* in a board's list */
	int type;			/* MSG_* */
	uint32_t msgid;			/* request, response */
	const char *method;		/* request, notification: NUL-terminated */
	const msgpack_object *params;	/* request, notification */
	const msgpack_object *error;	/* response */
	const msgpack_object *value;	/* response */
	const char *error_text;		/* response: NULL when no error */
	const char *str;		/* response: a str value NUL-terminated */
	int code;			/* response: 0 or the error's code */
	msgpack_zone zone;
	msgpack_object root;
	uint8_t data[];			/* the message's bytes */
};

/* Decode one whole message: the result, or NULL and -EPROTO/-ENOMEM in *err. */
struct m4rpc_result *m4rpc__msg_decode(const void *data, size_t len, int *err);

/* ---- the board (board.c) ------------------------------------------------- */

/*
 * A thread waiting in m4rpc__wait(), on its stack: a synchronous call for
 * its reply, or (msgid 0) a caller for room for a call. Each has its own
 * condition variable, so that a reply wakes its owner alone.
 */
struct m4rpc_waiter {
	struct m4rpc_waiter *next;
	uint32_t msgid;			/* 0: any reply will do */
	struct m4rpc_result *reply;	/* set when it came */
	bool sleeping;			/* in pthread_cond_*wait() */
	pthread_cond_t cond;
};

/* An asynchronous call, from its request to its completion. */
struct m4rpc_async {
	struct m4rpc_async *next;
	uint32_t msgid;
	bool has_deadline;
	struct timespec deadline;
	m4rpc_reply_fn fn;
	void *data;
	int err;			/* completion: 0, a reply's code, ... */
	struct m4rpc_result *reply;
};

/* A name served (bound in the kernel). */
struct m4rpc_binding {
	struct m4rpc_binding *next;
	m4rpc_method_fn method;
	void *method_data;
	m4rpc_notification_fn notify;
	void *notify_data;
	char name[M4RPC_NAME_MAX + 1];
};

struct m4rpc_board {
	int fd;			/* the session */
	int epfd;		/* m4rpc_board_fd(): fd and evfd */
	int evfd;		/* eventfd: dispatch has kept work */
	char *path;		/* the node, for m4rpc_board_path() and sentences */
	struct m4rpc_info info;	/* limits, as at open */

	pthread_mutex_t lock;
	pthread_condattr_t condattr;	/* CLOCK_MONOTONIC, for waiters */
	bool reading;		/* a thread holds the reader role */
	int gone;		/* 0, or the code of the session's end */
	bool raw;
	bool stop;
	uint32_t next_msgid;
	uint32_t kpending;	/* requests written whose replies are unread */
	bool overflowed;	/* the kernel dropped messages of ours */

	struct m4rpc_waiter *waiters;
	struct m4rpc_async *asyncs;	/* pending */
	struct m4rpc_async *done;	/* completed, for dispatch */
	struct m4rpc_async **done_tail;
	struct m4rpc_result *inq;	/* M4 calls and notifications kept */
	struct m4rpc_result **inq_tail;
	unsigned int inq_notifications;
	struct m4rpc_binding *bindings;

	uint8_t *rxbuf;		/* the reader's */
	size_t rxcap;

	uint64_t replies_dropped;
	uint64_t notifications_dropped;
	uint64_t overflows;
};

/* ---- the session's traffic (session.c) ------------------------------------ */

/* The absolute time @timeout_ms from now on CLOCK_MONOTONIC (<0: none). */
void m4rpc__deadline(struct timespec *ts, int timeout_ms);
/* Milliseconds left until @ts (0 when past), for poll(). */
int m4rpc__ms_left(const struct timespec *ts);

/* A waiter for @msgid (0: room for a call) on @b's list (lock held). */
void m4rpc__waiter_add(struct m4rpc_board *b, struct m4rpc_waiter *w,
		       uint32_t msgid);
void m4rpc__waiter_remove(struct m4rpc_board *b, struct m4rpc_waiter *w);
/*
 * Wait (board->lock held, as on return) until @w's reply came (or, msgid
 * 0, the session may have another call pending), or @deadline (NULL:
 * none) passed, reading the session whenever no other thread does. 0,
 * -ETIMEDOUT, or board->gone.
 */
int m4rpc__wait(struct m4rpc_board *b, struct m4rpc_waiter *w,
		const struct timespec *deadline);
/*
 * Read and route what the session has now, without waiting (lock held;
 * the role is taken and given back). False when another thread reads.
 */
bool m4rpc__read_now(struct m4rpc_board *b);

/*
 * Write one message (lock not held): 0 or a code, the sentence set
 * (EMSGSIZE with the limit, EHOSTDOWN told apart by the M4's state).
 * @is_call: a request, whose reply the kernel will hold (kpending).
 */
int m4rpc__send(struct m4rpc_board *b, const void *msg, size_t len,
		bool is_call, const struct timespec *deadline);
/* A msgid free on @b (lock held). */
uint32_t m4rpc__msgid(struct m4rpc_board *b);
/* Tell dispatch that work is kept for it (eventfd). */
void m4rpc__kick(struct m4rpc_board *b);

/* ---- serving (serve.c) --------------------------------------------------- */

/* Run the handler of the M4's call or notification @m: 1 if one ran. */
int m4rpc__serve_one(struct m4rpc_board *b, struct m4rpc_result *m);

/* ---- the device's files (board_sys.c) ------------------------------------- */

/* /sys/dev/char/MAJ:MIN of the session's node, or -errno. */
int m4rpc__sysfs_dir(int fd, char *buf, size_t size);
/* The sentence of a failed open() of @path (EACCES: the group). */
int m4rpc__open_error(const char *path, int err);

#endif /* M4RPC_PRIV_H */
