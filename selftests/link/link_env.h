/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of the link's VM selftests: the two modules, the H7
 * emulator on each simulated board, the link's sysfs files and its debugfs
 * test client, and msgpack-rpc echo calls through it.
 *
 * Modules come from $M4RPC_KMOD_DIR; $M4RPC_TEST_SIM_KO and
 * $M4RPC_TEST_LINK_KO, when set, name another m4rpc_sim.ko or m4rpc.ko
 * (one under development). Every helper
 * returns 0 or a positive errno (or says otherwise); none asserts, so the
 * tests decide what a failure means.
 */
#ifndef LINK_ENV_H
#define LINK_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "h7emu.h"
#include "vm_util.h"

#define ENV_BOARDS_MAX	2

struct env_board {
	struct h7emu *emu;
	struct h7emu_backend *be;	/* owned by emu; kept for INFO */
	unsigned int bus;		/* the link is spi<bus>.0 */
	msgpack_unpacker unp;		/* UI bytes read from the test client */
	bool unp_init;
};

struct env {
	unsigned int boards;
	bool edge;			/* the simulator's irq_mode */
	bool link_loaded;
	struct env_board b[ENV_BOARDS_MAX];
};

/* ---- modules ------------------------------------------------------------ */

/* Unload both modules if loaded (leftovers of a test that timed out). */
void env_clean(void);
/*
 * The simulator's nIRQ line (false and true, as a bool "edge", are the
 * first two).
 */
enum env_irq {
	ENV_IRQ_LEVEL,		/* irq_mode=level: the X8's GPIO */
	ENV_IRQ_EDGE,		/* irq_mode=edge: falling edges only */
	ENV_IRQ_LEVEL_NO_RISING, /* irq_mode=level rising_edge=0 */
	ENV_IRQ_NONE,		/* irq_mode=none: no interrupt, the link polls */
};

/* Load m4rpc_sim.ko: @boards, @irq an enum env_irq. */
int env_sim_load(struct env *e, unsigned int boards, int irq);
int env_sim_unload(void);
/* Load m4rpc.ko with @params ("" for none) and its debugfs test client. */
int env_link_load(struct env *e, const char *params);
int env_link_unload(struct env *e);

/* ---- emulators ---------------------------------------------------------- */

/*
 * An emulator on board @i, as @cfg says, running. NULL: the echo sketch,
 * fw_version "0.0.5" and the default UID on board 0; on board N > 0
 * "0.0.5-bN" and the UID's last byte xor N, so that boards differ.
 */
int env_emu_start(struct env *e, unsigned int i,
		  const struct h7emu_config *cfg);
void env_emu_stop(struct env *e, unsigned int i);
/* The simulator's transfer counter of board @i. */
int env_sim_transfers(struct env *e, unsigned int i, uint64_t *n);

/*
 * sim + emulators (@cfg, NULL for the default of env_emu_start()) + link,
 * synced: the usual start of a test.
 */
int env_up(struct env *e, unsigned int boards, int irq,
	   const char *link_params, const struct h7emu_config *cfg);
/* Everything down, in the order that leaves nothing behind. */
void env_down(struct env *e);

/* ---- the link's files ----------------------------------------------------- */

/* /sys/bus/spi/devices/spiB.0/m4rpc/NAME, trailing newline removed. */
int link_attr(struct env *e, unsigned int i, const char *name, char *buf,
	      size_t size);
/* A counter; -1 when it cannot be read. */
long long link_stat(struct env *e, unsigned int i, const char *name);
int link_attr_write(struct env *e, unsigned int i, const char *name,
		    const char *val);
/* The link's and the emulator's counters on stderr (after a failure). */
void env_dump(struct env *e, unsigned int i);
/* Wait until fw_version and m4_state read (the H7 answered); dumps on
 * timeout. */
int link_wait_synced(struct env *e, unsigned int i, unsigned int timeout_ms);
/* Wait until counter @name is at least @min. */
int link_wait_stat(struct env *e, unsigned int i, const char *name,
		   long long min, unsigned int timeout_ms);
/* The debugfs test client's files of board @i. */
void link_dbg_path(struct env *e, unsigned int i, const char *name,
		   char *buf, size_t size);

/* ---- UI messages through the debugfs client --------------------------------- */

/* Queue one UI message (retries while the client's queue is full). */
int ui_send(struct env *e, unsigned int i, const void *msg, size_t n);
/*
 * Build [0, msgid, "echo", [bin]] into @buf (at least n + 32 bytes);
 * returns its length, n + ECHO_CALL_OVERHEAD.
 */
#define ECHO_CALL_OVERHEAD	15
size_t echo_call_build(uint8_t *buf, uint32_t msgid, const uint8_t *bin,
		       size_t n);
int echo_call_send(struct env *e, unsigned int i, uint32_t msgid,
		   const uint8_t *bin, size_t n);
/* The bytes echo calls carry: a pattern of @seed. */
void echo_fill(uint8_t *p, size_t n, unsigned int seed);
/*
 * One echo call of @n bytes (echo_fill() of @msgid) on board @i and its
 * reply: 0, EBADMSG for another reply, or the errno of the send or wait.
 */
int echo_once(struct env *e, unsigned int i, uint32_t msgid, size_t n,
	      unsigned int timeout_ms);
/*
 * The next echo response [1, msgid, nil, bin] received on board @i:
 * its msgid and bin (up to @cap bytes, *n set). ETIMEDOUT, or EBADMSG when
 * the next object is not such a response.
 */
int echo_reply_wait(struct env *e, unsigned int i, uint32_t *msgid,
		    uint8_t *bin, size_t cap, size_t *n,
		    unsigned int timeout_ms);
/* Read and drop every UI byte received so far on board @i. */
void ui_drain(struct env *e, unsigned int i);
/*
 * Wait until the M4 of board @i has answered @answered calls in all and
 * the H7's ring is empty: whether the H7 lost a chunk of the answers is
 * known then (it loses one silently when its frame has no room, spec).
 * Returns the chunks it lost so far (ui_chunks_lost), or -1 on timeout.
 */
long long emu_answers_framed(struct env *e, unsigned int i,
			     uint64_t answered, unsigned int timeout_ms);

#endif /* LINK_ENV_H */
