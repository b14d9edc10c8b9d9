/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the /dev/m4rpcN VM selftests: the boards come up with the link
 * selftests' environment (selftests/link/link_env.h: simulator, emulator,
 * m4rpc.ko); these find a board's endpoint, build and decode msgpack-rpc
 * messages with msgpack-c, and wait for them. Like link_env, every helper
 * returns 0 or a positive errno (or says otherwise) and never asserts.
 */
#ifndef EP_UTIL_H
#define EP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/m4rpc.h>

#include "link_env.h"

#define EP_MSG_MAX	8192

/* sim + emulators (@sketch on every board, or @cfg) + m4rpc.ko. */
int ep_up(struct env *e, unsigned int boards, const char *params,
	  const struct h7emu_config *cfg);
/* A config with @sketch and everything else at its default. */
void ep_config(struct h7emu_config *cfg, enum h7emu_sketch sketch);

/* /dev/m4rpcN of board @i into @path; ENOENT when it has none. */
int ep_dev_path(struct env *e, unsigned int i, char *path, size_t size);
/* open() it: an fd, or -errno. */
int ep_open(struct env *e, unsigned int i, int flags);
/* Wait until the M4 of the endpoint runs RPC (info.m4_state == 1). */
int ep_wait_m4(int fd, int want, unsigned int timeout_ms);

int ep_info(int fd, struct m4rpc_info *info);
int ep_link_stats(int fd, struct m4rpc_link_stats *st);
int ep_session_stats(int fd, struct m4rpc_session_stats *st);
int ep_bind(int fd, const char *name);
/*
 * Wait until the link stats field at @offset (a __u64, or a __u32 from
 * sessions on) is at least @min.
 */
int ep_wait_link_stat(int fd, size_t offset, uint64_t min,
		      unsigned int timeout_ms);
int ep_unbind(int fd, const char *name);

/* ---- messages ----------------------------------------------------------- */

/* [0, msgid, method, [arg]] with an integer argument (@arg) */
size_t mk_call_int(uint8_t *buf, uint32_t msgid, const char *method,
		   int64_t arg);
/* [0, msgid, method, [bin]] */
size_t mk_call_bin(uint8_t *buf, uint32_t msgid, const char *method,
		   const void *bin, size_t n);
/* [1, msgid, nil, result] with an integer result */
size_t mk_response_int(uint8_t *buf, uint32_t msgid, int64_t result);
/* [2, method, [bin]] */
size_t mk_notify_bin(uint8_t *buf, const char *method, const void *bin,
		     size_t n);
/* [2, method, [arg]] with an integer argument */
size_t mk_notify_int(uint8_t *buf, const char *method, int64_t arg);

/* What a message says (decoded with msgpack-c). */
struct rpc_msg {
	int type;		/* 0 request, 1 response, 2 notification */
	uint32_t msgid;
	char method[64];	/* request, notification */
	bool error;		/* response: error is not nil */
	char errtext[256];	/* ... its text, when a str */
	bool is_int;		/* response: result (or first param) an int */
	int64_t value;		/* ... that int */
	bool is_bin;		/* result or first param a bin */
	size_t bin_len;
	uint8_t bin[EP_MSG_MAX];
	int64_t params0;	/* request/notification: first param if int */
};

/* Decode exactly one msgpack-rpc message; EBADMSG otherwise. */
int rpc_decode(const uint8_t *buf, size_t n, struct rpc_msg *m);

/*
 * read() one message within @timeout_ms (poll first): its length, or
 * -errno (-ETIMEDOUT when none came).
 */
ssize_t ep_read_msg(int fd, uint8_t *buf, size_t cap, unsigned int timeout_ms);
/* Write @n bytes: 0 or the errno of write() (EIO when short). */
int ep_write_msg(int fd, const uint8_t *buf, size_t n);
/*
 * One echo call with integer @v as msgid @msgid; waits for the response
 * and checks it: 0, ETIMEDOUT, or EBADMSG when the reply is not [1,
 * msgid, nil, v].
 */
int ep_echo(int fd, uint32_t msgid, int64_t v, unsigned int timeout_ms);

/*
 * Hold the H7 of board 0 up (the emulator's slow-M4 fault; the board needs
 * cfg.m4_slots = 1): two notifications sent through @fd, the M4 sits on
 * the first and the H7 blocks on the second, so the link's transmit queue
 * no longer drains. ep_release_h7() lifts the fault.
 */
int ep_hold_h7(struct env *e, int fd);
int ep_release_h7(struct env *e);

/* Link, endpoint and emulator counters of board @i to stderr. */
void ep_dump(struct env *e, unsigned int i, int fd);

/* The emulator's counters that must stay 0: frames/bytes lost. */
uint64_t emu_lost(struct env *e, unsigned int i);

#endif /* EP_UTIL_H */
