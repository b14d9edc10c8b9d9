/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated board of every VM selftest, as libgpiod's tests have
 * gpiosim: m4rpc_sim.ko, the H7 + M4 emulator (libh7emu) in a thread of the
 * test on each simulated board, m4rpc.ko with its client (the /dev/m4rpcN
 * endpoint or the debugfs test client), and what the tests read and send
 * through them. board_up() gives a running board in one call.
 *
 * Modules come from $M4RPC_KMOD_DIR; $M4RPC_TEST_SIM_KO and
 * $M4RPC_TEST_LINK_KO, when set, name another m4rpc_sim.ko or m4rpc.ko (one
 * under development); $M4RPC_TEST_EP_PARAMS adds m4rpc.ko parameters where
 * the client is the endpoint. Every helper returns 0 or a positive errno
 * (or says otherwise) and none asserts: the tests decide what a failure
 * means.
 *
 * board_sys.h (board_sys.c) is the part that needs nothing but libc;
 * board.c needs libh7emu and msgpack-c.
 */
#ifndef M4RPC_BOARD_H
#define M4RPC_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <msgpack.h>
#include <linux/m4rpc.h>

#include "board_sys.h"
#include "h7emu.h"

#define BOARDS_MAX	2

/* The nIRQ line as the simulator drives it and the link uses it. */
enum board_irq {
	BOARD_IRQ_LEVEL,		/* irq_mode=level: the X8's GPIO */
	BOARD_IRQ_EDGE,			/* irq_mode=edge: falling edges only */
	BOARD_IRQ_LEVEL_NO_RISING,	/* level, a controller without rising edges */
	BOARD_IRQ_NONE,			/* no interrupt: the link polls */
};

/* Who talks to the link of each board. */
enum board_client {
	BOARD_CLIENT_ENDPOINT,	/* /dev/m4rpcN (kernel/ep/) */
	BOARD_CLIENT_TEST,	/* the debugfs test client (board_ui_*) */
};

/* What board_up() brings up; all zero (or NULL) is the usual board. */
struct board_opts {
	unsigned int boards;		/* 0 means 1; BOARDS_MAX at most */
	enum board_irq irq;
	enum board_client client;
	const char *link_params;	/* more m4rpc.ko parameters, or NULL */
	/*
	 * The emulator of every board, sketch and faults included; NULL:
	 * board_config() of each board. board_up() waits for its m4 state.
	 */
	const struct h7emu_config *cfg;
};

struct board {
	struct h7emu *emu;
	struct h7emu_backend *be;	/* owned by emu; kept for INFO */
	unsigned int bus;		/* the link is spi<bus>.0 */
	msgpack_unpacker unp;		/* UI bytes read from the test client */
	bool unp_init;
};

struct board_env {
	unsigned int boards;
	enum board_irq irq;
	enum board_client client;
	int m4;				/* enum h7emu_m4 board_up() waits for */
	bool link_loaded;
	char link_params[256];		/* board_opts.link_params, for reloads */
	struct board b[BOARDS_MAX];
};

/*
 * Simulator, an emulator on every board, m4rpc.ko, each link synced and
 * its M4 in the configured state (1, running RPC, by default): 0 or the
 * errno of the step that failed (the board is then partly up: board_down()
 * takes it down).
 */
int board_up(struct board_env *env, const struct board_opts *opts);
/*
 * board_up() of one board whose client is the debugfs test client: the
 * start of the link's tests.
 */
int board_up_test_client(struct board_env *env, enum board_irq irq,
			 const char *link_params,
			 const struct h7emu_config *cfg);
/* Everything down, in the order that leaves nothing behind. */
void board_down(struct board_env *env);

/*
 * The usual emulator of board @i: the echo sketch, fw_version "0.0.5" and
 * the default UID on board 0; "0.0.5-bN" and the UID's last byte xor N on
 * board N > 0, so that boards differ. Tests change a field or two.
 */
void board_config(struct h7emu_config *cfg, unsigned int i);

/* m4rpc.ko alone, with the parameters board_up() gave it. */
int board_link_load(struct board_env *env);
int board_link_unload(struct board_env *env);

/* An emulator on board @i, as @cfg (NULL: board_config()) says, running. */
int board_emu_start(struct board_env *env, unsigned int i,
		    const struct h7emu_config *cfg);
void board_emu_stop(struct board_env *env, unsigned int i);
/* The simulator's transfer counter of board @i. */
int board_sim_transfers(struct board_env *env, unsigned int i, uint64_t *n);
/* The emulator's counters that must stay 0: frames/bytes lost. */
uint64_t board_emu_lost(struct board_env *env, unsigned int i);
/*
 * The holes the H7 made in the M4-to-Linux stream: chunks lost when its
 * frame had no room, and frames announcing 253..256 bytes, whose last
 * subframe's tail its off-by-four keeps off the wire (docs/x8h7-link.md).
 */
uint64_t board_emu_holes(const struct h7emu_stats *st);
/*
 * Wait until the M4 of board @i has answered @answered calls in all and
 * the H7's ring is empty: whether the H7 lost bytes of the answers is
 * known then (it loses them silently). Returns the holes so far
 * (board_emu_holes()), or -1 on timeout.
 */
long long board_emu_answers_framed(struct board_env *env, unsigned int i,
				   uint64_t answered, unsigned int timeout_ms);

/*
 * The link's, the endpoint's (@fd, or -1) and the emulator's counters of
 * board @i on stderr: after a failure.
 */
void board_dump(struct board_env *env, unsigned int i, int fd);

/* ---- the link's files ------------------------------------------------------ */

/* /sys/bus/spi/devices/spiB.0/m4rpc/NAME, trailing newline removed. */
int link_attr(struct board_env *env, unsigned int i, const char *name,
	      char *buf, size_t size);
/* A counter; -1 when it cannot be read. */
long long link_stat(struct board_env *env, unsigned int i, const char *name);
int link_attr_write(struct board_env *env, unsigned int i, const char *name,
		    const char *val);
/*
 * Wait until fw_version and m4_state read (the H7 answered); dumps on
 * timeout.
 */
int link_wait_synced(struct board_env *env, unsigned int i,
		     unsigned int timeout_ms);
/* Wait until counter @name is at least @min. */
int link_wait_stat(struct board_env *env, unsigned int i, const char *name,
		   long long min, unsigned int timeout_ms);

/* ---- the debugfs test client (BOARD_CLIENT_TEST) ------------------------- */

/* Its file @name of board @i. */
void board_dbg_path(struct board_env *env, unsigned int i, const char *name,
		    char *buf, size_t size);
/* Queue one UI message (retries while the client's queue is full). */
int board_ui_send(struct board_env *env, unsigned int i, const void *msg,
		  size_t n);
/* Read and drop every UI byte received so far on board @i. */
void board_ui_drain(struct board_env *env, unsigned int i);
int board_echo_send(struct board_env *env, unsigned int i, uint32_t msgid,
		    const uint8_t *bin, size_t n);
/*
 * The next echo response [1, msgid, nil, bin] received on board @i:
 * its msgid and bin (up to @cap bytes, *n set). ETIMEDOUT, or EBADMSG when
 * the next object is not such a response.
 */
int board_echo_wait(struct board_env *env, unsigned int i, uint32_t *msgid,
		    uint8_t *bin, size_t cap, size_t *n,
		    unsigned int timeout_ms);
/*
 * One echo call of @n bytes (echo_fill() of @msgid) on board @i and its
 * reply: 0, EBADMSG for another reply, or the errno of the send or wait.
 */
int board_echo_once(struct board_env *env, unsigned int i, uint32_t msgid,
		    size_t n, unsigned int timeout_ms);

/* ---- the endpoint (BOARD_CLIENT_ENDPOINT) ---------------------------------- */

/* /dev/m4rpcN of board @i into @path; ENOENT when it has none. */
int board_ep_path(struct board_env *env, unsigned int i, char *path,
		  size_t size);
/* open() it: an fd, or -errno. */
int board_ep_open(struct board_env *env, unsigned int i, int flags);
/*
 * A session of board @i (O_RDWR) once the endpoint says the M4 runs RPC:
 * an fd, or -errno. The setup of fixtures that talk to the echo sketch.
 */
int board_ep_session(struct board_env *env, unsigned int i);

int ep_info(int fd, struct m4rpc_info *info);
/* Wait until the M4 of the endpoint is in @want (info.m4_state). */
int ep_wait_m4(int fd, int want, unsigned int timeout_ms);
int ep_link_stats(int fd, struct m4rpc_link_stats *st);
int ep_session_stats(int fd, struct m4rpc_session_stats *st);
/*
 * Wait until the link stats field at @offset (a __u64, or a __u32 from
 * sessions on) is at least @min.
 */
int ep_wait_link_stat(int fd, size_t offset, uint64_t min,
		      unsigned int timeout_ms);
int ep_bind(int fd, const char *name);
int ep_unbind(int fd, const char *name);
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

/* ---- msgpack-rpc messages (msgpack-c) -------------------------------------- */

#define EP_MSG_MAX	8192

/* [0, msgid, method, []]: a method without arguments (sensors' temperature) */
size_t mk_call_void(uint8_t *buf, uint32_t msgid, const char *method);
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
/*
 * [0, msgid, "echo", [bin]] with msgid always a uint32 and @bin a bin8
 * (@n < 256), so that its length is n + ECHO_CALL_OVERHEAD whatever the
 * msgid: the link tests size their messages to the byte.
 */
#define ECHO_CALL_OVERHEAD	15
size_t echo_call_build(uint8_t *buf, uint32_t msgid, const uint8_t *bin,
		       size_t n);
/* The bytes echo calls carry: a pattern of @seed. */
void echo_fill(uint8_t *p, size_t n, unsigned int seed);

/* What a message says (decoded with msgpack-c). */
struct rpc_msg {
	int type;		/* 0 request, 1 response, 2 notification */
	uint32_t msgid;
	char method[64];	/* request, notification */
	bool error;		/* response: error is not nil */
	char errtext[EP_MSG_MAX];	/* ... its text, when a str (cut to fit) */
	bool is_int;		/* response: result (or first param) an int */
	int64_t value;		/* ... that int */
	bool is_bin;		/* result or first param a bin */
	size_t bin_len;
	uint8_t bin[EP_MSG_MAX];
	int64_t params0;	/* request/notification: first param if int */
};

/* Decode exactly one msgpack-rpc message; EBADMSG otherwise. */
int rpc_decode(const uint8_t *buf, size_t n, struct rpc_msg *m);

/* ---- kselftest fixtures (include kselftest_harness.h first) ---------------- */

/*
 * The setup of a fixture that talks to the usual board through a session:
 * board_up(@env, NULL) and *@fd a board_ep_session() of board 0 (-1 until
 * then). 0 or the errno of the step that failed.
 */
int board_up_session(struct board_env *env, int *fd);
/* Its teardown: @fd closed if open, the board down. */
void board_down_session(struct board_env *env, int fd);

/*
 * FIXTURE(@f) whose tests each bring up the boards they need
 * (board_up(&self->env, ...)); the teardown takes down whatever came up,
 * after a failed assertion too.
 */
#define BOARD_FIXTURE(f)					\
	FIXTURE(f) {						\
		struct board_env env;				\
	};							\
	FIXTURE_SETUP(f)					\
	{							\
	}							\
	FIXTURE_TEARDOWN(f)					\
	{							\
		board_down(&self->env);				\
	}

/*
 * The two nIRQ modes of the simulator as variants "level" and "edge" of
 * fixture @f: variant->irq.
 */
#define BOARD_IRQ_VARIANTS(f)					\
	FIXTURE_VARIANT(f) {					\
		enum board_irq irq;				\
	};							\
	FIXTURE_VARIANT_ADD(f, level) {				\
		.irq = BOARD_IRQ_LEVEL,				\
	};							\
	FIXTURE_VARIANT_ADD(f, edge) {				\
		.irq = BOARD_IRQ_EDGE,				\
	}

#endif /* M4RPC_BOARD_H */
