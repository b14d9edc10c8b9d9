/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of /dev/m4rpcN in a process of its own, for the lifecycle tests:
 * it opens three sessions, binds a name on the first and makes a call, then,
 * when told, puts one thread to sleep in each of read(), write() and poll()
 * and reports how each woke up. The parent kills it, or takes the device
 * away under it, and checks what the kernel left behind. Every wait of the
 * parent is bounded; like board.h, the helpers return 0 or a positive errno
 * and never assert.
 */
#ifndef LIFE_CLIENT_H
#define LIFE_CLIENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "board.h"

/* The sleepers, one thread each. */
enum life_op {
	LIFE_READ,	/* session A (bound, a call in flight): reads until error */
	LIFE_WRITE,	/* session W: writes until error */
	LIFE_POLL,	/* session P: poll(POLLIN) until an event */
	LIFE_OPS,
};

#define LIFE_ALL	((1U << LIFE_OPS) - 1)

/* What the writer does once started. */
enum life_writer {
	/*
	 * Notifications, non-blocking until EAGAIN, then one blocking write:
	 * it sleeps for queue space as long as the H7 is held up.
	 */
	LIFE_WRITER_FILL,
	/* Echo calls whose replies nobody reads, one after the other. */
	LIFE_WRITER_STREAM,
};

struct life_client {
	pid_t pid;		/* 0: none */
	int rec_fd;		/* the child's reports */
	int go_fd;		/* the parent's go-ahead */
	pid_t tid[LIFE_OPS];
	int result[LIFE_OPS];	/* -errno (read, write) or revents (poll) */
};

/*
 * Fork the client of board 0 of @env: its sessions open, @name bound on
 * session A and one echo call answered there. 0, or the errno the child
 * reported (ETIMEDOUT when it said nothing).
 */
int life_client_start(struct life_client *c, struct board_env *env,
		      const char *name, enum life_writer writer);
/*
 * The fork alone: the child opens, calls and binds while the parent goes
 * on (to kill it at any moment of that). 0 or errno.
 */
int life_client_spawn(struct life_client *c, struct board_env *env,
		      const char *name, enum life_writer writer);
/*
 * Tell it to start its sleepers (after the writer's fill in
 * LIFE_WRITER_FILL, and one more call on A): 0 once their thread ids came.
 */
int life_client_go(struct life_client *c);
/*
 * Wait until each sleeper of @ops (bits of enum life_op) sleeps in its
 * system call (/proc/PID/task/TID/syscall and stat): 0 or ETIMEDOUT.
 */
int life_client_wait_asleep(struct life_client *c, unsigned int ops,
			    unsigned int timeout_ms);
/* SIGKILL, and the child reaped: 0, ETIMEDOUT or ECHILD. */
int life_client_kill(struct life_client *c, unsigned int timeout_ms);
/*
 * Wait for every sleeper's result and the child's exit (status 0): 0, or
 * ETIMEDOUT (the child is then killed) or EPROTO.
 */
int life_client_results(struct life_client *c, unsigned int timeout_ms);
/* Kill and reap whatever is left of @c (after a failure); idempotent. */
void life_client_cleanup(struct life_client *c);

/*
 * The number of cycles a test runs: $@var when set (a positive integer),
 * else @def.
 */
unsigned int life_cycles(const char *var, unsigned int def);

#endif /* LIFE_CLIENT_H */
