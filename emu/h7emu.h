/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * h7emu: an emulator of the Portenta X8's STM32H7 companion firmware and of
 * the Arduino sketch on its M4 core, as docs/x8h7-link.md
 * describes them, bugs and limits included.
 *
 * Three layers:
 *  - the core: the H7's frames, receive buffer, UI ring and main-loop pass,
 *    and the M4's RPC library and sketches. No I/O of its own: it talks to
 *    the wire through a backend (struct h7emu_backend) and is driven by two
 *    calls, "a transfer completed" (h7emu_xfer_done) and "one main-loop pass
 *    at time T" (h7emu_pass). Host tests drive it by hand with virtual time.
 *  - backends: /dev/m4rpc-simN of the m4rpc_sim kernel module
 *    (h7emu_dev_open), or an in-process loopback master for host tests
 *    (h7emu_loopback_new + h7emu_loopback_xfer).
 *  - a run loop (h7emu_run, or h7emu_start/h7emu_stop in a thread) that
 *    waits for transfers and runs passes as the firmware does: one at once
 *    after every wake-up (a completed transfer, a message from the M4) and
 *    one every pass_us (SysTick). h7emu_advance() is the same with virtual
 *    time.
 *
 * Every public function takes the emulator's mutex, so tests may read
 * counters, switch faults or change the M4 while the run loop works in its
 * thread. Times are nanoseconds of one clock: CLOCK_MONOTONIC in the run
 * loop (h7emu_now_ns), anything increasing when a test drives passes itself.
 */
#ifndef H7EMU_H
#define H7EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/m4rpc.h>	/* M4RPC_M4_*: the M4 states, the wire's values */

#define H7EMU_FRAME_LEN		256
#define H7EMU_RING_LEN		4096	/* the H7's UI ring (spec) */
#define H7EMU_CHUNK_MAX		128	/* ring bytes moved per pass (spec) */
#define H7EMU_UID_LEN		12
#define H7EMU_FW_VERSION_MAX	64
#define H7EMU_M4_SLOTS_MAX	64
#define H7EMU_TRAFFIC_SIZE_MAX	4096
#define H7EMU_METHOD_MAX	32

/*
 * The msgid of every call the M4 originates: Arduino's RPC library uses the
 * calling thread's handle, so it is a 32-bit value that repeats (one
 * outstanding call per thread). This is the handle of the sketch's thread.
 */
#define H7EMU_M4_THREAD_HANDLE	0x24009a30u

/* The M4 as the BOOT_M4 reply describes it (one definition: the uapi's). */
enum h7emu_m4 {
	H7EMU_M4_ABSENT = M4RPC_M4_NO_PROGRAM,	/* no valid M4 program */
	H7EMU_M4_NO_RPC = M4RPC_M4_NO_RPC,	/* its sketch never opened RPC */
	H7EMU_M4_RUNNING = M4RPC_M4_RUNNING,	/* runs, both endpoints up */
};

enum h7emu_sketch {
	H7EMU_SKETCH_SENSORS,
	H7EMU_SKETCH_LED,
	H7EMU_SKETCH_ECHO,
	H7EMU_SKETCH_TTY,
	H7EMU_SKETCH_TRAFFIC,
	H7EMU_SKETCH_BARE,	/* RPC.begin() and nothing bound */
	H7EMU_SKETCH_NR,
};

/*
 * What the traffic sketch sends, @rate times a second. Message n (n from 0)
 * carries a uint seq n and @size payload bytes, byte i being (u8)(n + i):
 *   CALL    [0, H7EMU_M4_THREAD_HANDLE, method, [n, bin]]; the sketch then
 *           waits for the reply (timeout_ms, 0 = forever) before it sends
 *           anything else, as RPC.call() blocks;
 *   NOTIFY  [2, method, [n, bin]];
 *   RAW     the payload bytes alone on the "raw" endpoint (RPC.write());
 *   SERIAL  [2, "tty", [bin]] (Serial.write());
 *   MIX     the four above in turn.
 */
enum h7emu_traffic_kind {
	H7EMU_TRAFFIC_CALL,
	H7EMU_TRAFFIC_NOTIFY,
	H7EMU_TRAFFIC_RAW,
	H7EMU_TRAFFIC_SERIAL,
	H7EMU_TRAFFIC_MIX,
	H7EMU_TRAFFIC_NR,
};

struct h7emu_traffic {
	uint32_t rate;			/* messages per second, 0 = none */
	uint32_t size;			/* payload bytes, <= TRAFFIC_SIZE_MAX */
	uint32_t timeout_ms;		/* CALL: reply timeout, 0 = forever */
	enum h7emu_traffic_kind kind;
	char method[H7EMU_METHOD_MAX];	/* CALL/NOTIFY method name */
};

/*
 * The tty sketch's loop(): what it does with what its Serial receives
 * (Linux's calls of "tty", into Serial's H7EMU_SERIAL_RX_LEN receive
 * buffer, which drops what does not fit: m4_serial_overruns).
 *   LINES  Serial.println(Serial.readStringUntil('\n')) for each line:
 *          the line, then "\r\n" (two notifications; the default);
 *   SINK   reads everything Serial holds and keeps it
 *          (h7emu_tty_received()), sending nothing.
 */
enum h7emu_tty_mode {
	H7EMU_TTY_LINES,
	H7EMU_TTY_SINK,
	H7EMU_TTY_NR,
};

#define H7EMU_SERIAL_RX_LEN	1024	/* SerialRPC's receive buffer */
#define H7EMU_TTY_CAPTURE_MAX	(256 * 1024)	/* bytes SINK keeps */

/*
 * Byte @k (from 0) of what h7emu_tty_generate() prints: no period
 * shorter than 64 KiB, so a chunk lost, doubled or out of place shows.
 */
static inline uint8_t h7emu_tty_gen_byte(uint64_t k)
{
	return (uint8_t)(k + (k >> 8) * 7 + (k >> 16) * 13);
}

/*
 * Faults. Probabilities are in [0, 1] and drawn from one seeded stream per
 * kind, so a run is reproducible and switching one fault on does not change
 * the draws of another.
 */
struct h7emu_faults {
	/* Chance per received frame of one flipped bit among its header and
	 * the subframe bytes it announces (applied before processing). */
	double flip_mosi;
	/* Chance per armed frame of one flipped bit among its header and
	 * announced subframe bytes (applied to the copy sent to the master). */
	double flip_miso;
	/* Chance per falling nIRQ edge that the edge is not delivered (the
	 * line still goes low). */
	double drop_edge;
	/* Chance per swap that 256 random bytes are armed instead of the
	 * active frame, which waits for the next swap. */
	double garbage;
	/* The M4 holds each rpmsg message this long before it takes the next;
	 * the H7 blocks in its processing when no rpmsg buffer is free. */
	uint32_t slow_m4_ms;
	/* Firmware 53df799: received frames clipped, only the frame header
	 * and the first subframe header reach the receive buffer. */
	bool clip_53df799;
	/* H7 reset this long after the first pass, or after the faults were
	 * last set (once) / every so often. 0 = never. */
	uint32_t reset_at_ms;
	uint32_t reset_every_ms;
	/* The next N BOOT_M4 replies are cut by the H7's off-by-four: the H7
	 * fills its frame with M4 bytes (zeros) to 248 first, so the reply's
	 * data lies past the 252 carried. Counts down; 0 = never. */
	uint32_t cut_boot_m4;
};

struct h7emu_config {
	char fw_version[H7EMU_FW_VERSION_MAX + 1];	/* FW_VERSION reply */
	uint8_t uid[H7EMU_UID_LEN];			/* GET_UID reply */
	int m4;				/* enum h7emu_m4, the BOOT_M4 reply */
	enum h7emu_sketch sketch;
	struct h7emu_traffic traffic;	/* the traffic sketch */
	enum h7emu_tty_mode tty_mode;	/* the tty sketch */
	/* Each loop() of the tty sketch takes this long, and the M4 (one
	 * thread) takes no message meanwhile: Linux's calls wait in its
	 * rpmsg buffers and reach Serial together. 0: no time. */
	uint32_t tty_loop_ms;
	uint32_t pass_us;		/* main-loop tick (SysTick) period */
	/* Passes on the tick alone, no wake-ups (transfers, M4 messages):
	 * the emulator's timing before it followed the spec; not the H7's. */
	bool tick_only;
	uint32_t m4_slots;		/* rpmsg buffers H7 -> M4, 1..SLOTS_MAX */
	uint64_t seed;
	struct h7emu_faults faults;
};

/* Every counter, in one list: the struct below and h7emu_stats_print(). */
#define H7EMU_STATS(X) \
	X(passes,		"main-loop passes") \
	X(xfers,		"transfers seen") \
	X(xfers_bad_len,	"transfers not 256 bytes long (DMA out of step)") \
	X(xfers_reset,		"transfers lost to an H7 reset") \
	X(xfers_unreceived,	"transfers while a completion was pending") \
	X(xfers_late,		"transfers that preceded an arm (record late)") \
	X(records_lost,		"transfer records the kernel dropped") \
	X(frames_in,		"frames received") \
	X(frames_in_data,	"received frames carrying subframes") \
	X(frames_overwritten,	"frames with subframes overwritten unprocessed") \
	X(frames_processed,	"received frames processed") \
	X(frames_processed_ui,	"... of them with UI subframes") \
	X(frames_out,		"frames armed with data") \
	X(frames_out_oversize,	"frames armed announcing 253..256 bytes") \
	X(arm_busy,		"swaps refused while nCS low (retried)") \
	X(rx_overrun,		"received frames whose walk ran past 252 bytes") \
	X(subframes_in,		"subframes processed") \
	X(h7_requests,		"peripheral 0x09 requests answered") \
	X(h7_unknown,		"peripheral 0x09 unknown opcodes (ignored)") \
	X(h7_replies_lost,	"replies that did not fit the active frame") \
	X(periph_ignored,	"subframes for peripherals not emulated") \
	X(ui_in,		"UI subframes handed to the M4") \
	X(ui_in_dropped,	"UI subframes dropped (M4 absent or no RPC)") \
	X(ui_blocked_passes,	"passes blocked waiting for an rpmsg buffer") \
	X(ui_chunks,		"UI chunks put into the active frame") \
	X(ui_bytes,		"UI bytes put into the active frame") \
	X(ui_chunks_lost,	"UI chunks lost (no room in the frame)") \
	X(ui_bytes_lost,	"UI bytes lost (no room in the frame)") \
	X(ring_bytes_in,	"bytes the M4 put into the ring") \
	X(ring_bytes_overwritten, "ring bytes overwritten unsent") \
	X(m4_boots,		"M4 starts with RPC (greetings sent)") \
	X(m4_greetings,		"greeting bytes the M4 swallowed") \
	X(m4_msgs_in,		"rpmsg messages the M4 took") \
	X(m4_ignored,		"M4: messages not 0x93/0x94 (no answer)") \
	X(m4_malformed,		"M4: undecodable or incomplete messages") \
	X(m4_trailing,		"M4: messages with bytes after the first") \
	X(m4_calls_in,		"M4: calls from Linux") \
	X(m4_notifications_in,	"M4: notifications from Linux") \
	X(m4_answered,		"M4: calls answered with a result") \
	X(m4_errors,		"M4: calls answered with an error") \
	X(m4_responses_in,	"M4: responses to its own calls") \
	X(m4_responses_unmatched, "M4: responses matching no pending call") \
	X(m4_msgs_out,		"M4: msgpack-rpc messages sent") \
	X(m4_calls_out,		"M4: calls sent") \
	X(m4_notifications_out,	"M4: notifications sent (tty included)") \
	X(m4_raw_bytes_out,	"M4: bytes sent on the raw endpoint") \
	X(m4_call_timeouts,	"M4: calls that timed out") \
	X(m4_serial_rx,		"M4: bytes Linux sent to Serial") \
	X(m4_serial_overruns,	"M4: ... dropped, Serial's receive buffer full") \
	X(m4_serial_read,	"M4: bytes the tty sketch read from Serial") \
	X(m4_serial_gen,	"M4: bytes of the generated sequence printed") \
	X(h7_resets,		"H7 resets") \
	X(fault_flip_mosi,	"fault: bits flipped in received frames") \
	X(fault_flip_miso,	"fault: bits flipped in armed frames") \
	X(fault_drop_edge,	"fault: nIRQ edges dropped") \
	X(fault_garbage,	"fault: garbage frames armed") \
	X(fault_clip,		"fault: frames clipped (53df799)") \
	X(fault_reset,		"fault: H7 resets injected (also on demand)") \
	X(fault_cut_boot,	"fault: BOOT_M4 replies cut (cut_boot_m4)") \
	X(backend_errors,	"backend calls that failed") \
	X(wakeups,		"passes run for a wake-up (transfer, M4 message)") \
	X(sent_logged,		"M4 messages recorded in the sent log") \
	X(sent_dropped,		"sent-log records dropped, oldest first (bound)")

struct h7emu_stats {
#define H7EMU_STAT_FIELD(name, help) uint64_t name;
	H7EMU_STATS(H7EMU_STAT_FIELD)
#undef H7EMU_STAT_FIELD
};

/* ---- backends -------------------------------------------------------- */

/* One completed transfer, as the slave saw it. */
struct h7emu_xfer {
	uint64_t start_ns;	/* nCS fell */
	uint64_t end_ns;	/* nCS rose */
	uint32_t len;		/* bytes clocked */
	uint32_t lost;		/* records lost just before this one */
	bool armed;		/* MISO was an armed frame, not the idle one */
	uint8_t mosi[H7EMU_FRAME_LEN];	/* first 256 bytes, zeros past len */
};

struct h7emu_backend;

/*
 * A backend: arm and set_nirq are called with the emulator's mutex held,
 * wait and wake without it. Errors are negative errno values.
 */
struct h7emu_backend_ops {
	/* Load the next transfer's MISO frame, optionally pulling nIRQ low.
	 * -EBUSY while nCS is low (the H7 never swaps then). */
	int (*arm)(struct h7emu_backend *be, const uint8_t *frame,
		   bool assert_irq);
	/* Drive nIRQ; @drop_edge: pull low without delivering the edge. */
	int (*set_nirq)(struct h7emu_backend *be, bool low, bool drop_edge);
	/* Wait until a transfer completed (1, *x filled), @deadline_ns on
	 * h7emu_now_ns()'s clock passed or wake() was called (0). */
	int (*wait)(struct h7emu_backend *be, uint64_t deadline_ns,
		    struct h7emu_xfer *x);
	void (*wake)(struct h7emu_backend *be);
	void (*destroy)(struct h7emu_backend *be);
};

struct h7emu_backend {
	const struct h7emu_backend_ops *ops;
};

/* Attach to /dev/m4rpc-sim@board. NULL and errno on failure. */
struct h7emu_backend *h7emu_dev_open(unsigned int board);

struct m4rpc_sim_info;
/* M4RPC_SIM_IOC_INFO of a backend from h7emu_dev_open(). */
int h7emu_dev_info(struct h7emu_backend *be, struct m4rpc_sim_info *info);
/*
 * Make Linux late (M4RPC_SIM_IOC_SET_DELAY): every transfer of the board
 * waits @delay_us plus a random 0..@jitter_us before it starts. 0, 0: none.
 */
int h7emu_dev_set_delay(struct h7emu_backend *be, uint32_t delay_us,
			uint32_t jitter_us);

/* The loopback master: the test is the master, in the same process. */
struct h7emu_backend *h7emu_loopback_new(void);

/* ---- life cycle ------------------------------------------------------ */

void h7emu_config_init(struct h7emu_config *cfg);

/*
 * A new emulator on @be (which it owns from then on, even on failure).
 * The H7 boots and, when cfg->m4 is RUNNING, greets the M4. NULL and errno
 * on failure (EINVAL: a config value out of range).
 */
struct h7emu *h7emu_new(const struct h7emu_config *cfg,
			struct h7emu_backend *be);
void h7emu_free(struct h7emu *emu);	/* stops the thread if running */

uint64_t h7emu_now_ns(void);

/* ---- driving by hand (no thread running) ----------------------------- */

/* A transfer completed (the H7's DMA interrupt). */
void h7emu_xfer_done(struct h7emu *emu, const struct h7emu_xfer *x);
/* One pass of the H7's main loop at @t_ns, whatever woke it. */
void h7emu_pass(struct h7emu *emu, uint64_t t_ns);
/*
 * Everything the H7 and the M4 do up to @t_ns, as the run loop does it:
 * a pass at once after each wake-up (a transfer completed, or the M4 sent
 * a message: the H7 runs the pass for one M4 message before the next one
 * arrives, so a burst makes one chunk per message), the M4's own work when
 * it falls due (traffic, slow_m4), and the tick every pass_us from the
 * first call (one tick at most per call: no catching up after a stall).
 * Returns the number of passes run. Virtual time must not go backwards.
 */
unsigned int h7emu_advance(struct h7emu *emu, uint64_t t_ns);
/* A wake-up is pending: the next h7emu_advance() runs a pass at once. */
bool h7emu_wake_pending(struct h7emu *emu);

/* ---- the run loop ---------------------------------------------------- */

/* Run until h7emu_stop(): 0, or a negative errno from the backend. */
int h7emu_run(struct h7emu *emu);
int h7emu_start(struct h7emu *emu);	/* h7emu_run() in a new thread */
/* Stop the run loop (h7emu_run() returns); when it runs in the thread of
 * h7emu_start(), join it and return its result. */
int h7emu_stop(struct h7emu *emu);
/* The thread of h7emu_start(): 1 running, 0 none, or the negative errno
 * it ended with. */
int h7emu_status(struct h7emu *emu);

/*
 * Hold main-loop passes (transfers are still received, as interrupts are);
 * h7emu_step() then lets @n passes run at once and waits for them. For
 * tests that must not depend on how fast they are.
 */
void h7emu_pause(struct h7emu *emu, bool paused);
int h7emu_step(struct h7emu *emu, unsigned int n, unsigned int timeout_ms);

/*
 * Wait until the counter at @offset (offsetof(struct h7emu_stats, x)) is at
 * least @value: 0, or -ETIMEDOUT.
 */
int h7emu_wait_stat(struct h7emu *emu, size_t offset, uint64_t value,
		    unsigned int timeout_ms);

/* ---- inspecting and steering (safe while running) --------------------- */

void h7emu_get_stats(struct h7emu *emu, struct h7emu_stats *st);
void h7emu_get_faults(struct h7emu *emu, struct h7emu_faults *f);
int h7emu_set_faults(struct h7emu *emu, const struct h7emu_faults *f);
bool h7emu_nirq_low(struct h7emu *emu);	/* as the H7 drives it */
void h7emu_rx_frame(struct h7emu *emu, uint8_t *frame);	/* receive buffer */
void h7emu_active_frame(struct h7emu *emu, uint8_t *frame);
size_t h7emu_ring_level(struct h7emu *emu);

/* H7 reset (NRST) at the next pass: buffers and ring cleared, M4 restarted. */
void h7emu_reset(struct h7emu *emu);

/* Start, restart or stop the M4 (the BOOT_M4 reply follows). */
int h7emu_set_m4(struct h7emu *emu, int m4);
int h7emu_get_m4(struct h7emu *emu);

/* ---- the M4's side, for tests and the program ------------------------- */

bool h7emu_m4_led(struct h7emu *emu);	/* the led sketch's LED */
/* Send bytes from the M4 as one message on "rpc" (anything, even invalid
 * msgpack) or on "raw". -ENODEV when the M4 has no RPC. */
int h7emu_m4_rpc_write(struct h7emu *emu, const void *buf, size_t n);
int h7emu_m4_raw_write(struct h7emu *emu, const void *buf, size_t n);
/* RPC.send(method, bin) and Serial.write(buf, n). */
int h7emu_m4_notify(struct h7emu *emu, const char *method, const void *bin,
		    size_t n);
int h7emu_m4_serial_write(struct h7emu *emu, const void *buf, size_t n);
/*
 * Serial prints @total bytes of the known sequence h7emu_tty_gen_byte(),
 * from its byte @from: @size bytes per Serial.write() (1..H7EMU_SERIAL_RX_LEN),
 * @rate writes a second (the first at once; late, it goes on at its
 * rate from then, without catching up). Any sketch; the M4 restarting stops it, and so does @total 0.
 * -ENODEV when the M4 has no RPC, -EINVAL for a size or rate of 0.
 */
int h7emu_tty_generate(struct h7emu *emu, uint64_t from, uint64_t total,
		       uint32_t size, uint32_t rate);
/*
 * What the tty sketch in SINK mode read from Serial, in order, since the
 * emulator started (M4 restarts included): up to @cap of its first bytes
 * into @buf; returns how many it read in all (only the first
 * H7EMU_TTY_CAPTURE_MAX are kept).
 */
uint64_t h7emu_tty_received(struct h7emu *emu, void *buf, size_t cap);
/* The last response Linux sent to an M4 call: its bytes, or 0 if none. */
size_t h7emu_m4_last_response(struct h7emu *emu, uint8_t *buf, size_t cap);

/* ---- the sent log: what the M4 put into the ring ----------------------- */

/*
 * Every message the M4 sends (each "rpc" message whole, each write on
 * "raw" as one record) is logged as it enters the H7's ring, with a
 * sequence number from 0 that nothing resets (H7 resets, M4 restarts and
 * h7emu_sent_clear() included). The log is bounded: at most
 * H7EMU_SENT_LOG_MSGS records and H7EMU_SENT_LOG_BYTES bytes; a new
 * record that does not fit drops the oldest ones, each counted in
 * sent_dropped. Of a message longer than H7EMU_SENT_DATA_MAX only that
 * many bytes are kept (kept < len).
 */
#define H7EMU_SENT_LOG_MSGS	4096
#define H7EMU_SENT_LOG_BYTES	(1024 * 1024)
#define H7EMU_SENT_DATA_MAX	8192

struct h7emu_sent {
	uint64_t seq;		/* 0 for the M4's first message */
	uint64_t t_ns;		/* the M4's time when it sent it */
	uint64_t stream_pos;	/* ring_bytes_in before it: its offset in
				 * the byte stream of the ring (chunks) */
	uint32_t len;		/* bytes sent */
	uint32_t kept;		/* of them in the log */
	bool raw;		/* on "raw", else one "rpc" message */
	uint32_t data_pos;	/* internal */
};

/* What h7emu_sent_compare() finds. */
#define H7EMU_SENT_INTACT	0	/* the same bytes */
#define H7EMU_SENT_DAMAGED	1	/* other bytes or another length */

/*
 * Record @seq and up to @cap of its bytes into @buf (either may be NULL):
 * the number of bytes copied, -ENOENT (not sent yet) or -ESTALE (dropped).
 */
ssize_t h7emu_sent_get(struct h7emu *emu, uint64_t seq, struct h7emu_sent *rec,
		       void *buf, size_t cap);
/* The oldest record kept and the next seq (first == next: empty). */
void h7emu_sent_range(struct h7emu *emu, uint64_t *first, uint64_t *next);
/* Forget every record (not counted as dropped); seqs go on. */
void h7emu_sent_clear(struct h7emu *emu);
/* What an application got, against record @seq: H7EMU_SENT_INTACT,
 * H7EMU_SENT_DAMAGED, -ENOENT, -ESTALE. */
int h7emu_sent_compare(struct h7emu *emu, uint64_t seq, const void *got,
		       size_t n);
/* The first record at or after @from with exactly these bytes: 0 and
 * *@seq, or -ENOENT (never sent intact, or dropped from the log). */
int h7emu_sent_find(struct h7emu *emu, uint64_t from, const void *msg,
		    size_t n, uint64_t *seq);

/* ---- the loopback master ---------------------------------------------- */

/*
 * Clock one transfer of @len bytes (256 for a well-behaved master) at
 * @t_ns: @miso receives the armed frame, or the H7's empty frame when none
 * is armed; then the H7's DMA interrupt runs. @miso may be NULL.
 * -ENODEV if @emu does not run on a loopback backend.
 */
int h7emu_loopback_xfer(struct h7emu *emu, const uint8_t *mosi, uint32_t len,
			uint8_t *miso, uint64_t t_ns);
/* Hold nCS low (arming then fails with EBUSY) or release it. */
int h7emu_loopback_cs(struct h7emu *emu, bool low);

struct h7emu_loopback_info {
	bool nirq_low;		/* the line, as the master sees it */
	bool armed;		/* a frame is armed for the next transfer */
	bool armed_irq;		/* ... and its arm pulled nIRQ low */
	uint64_t arms;		/* frames armed */
	uint64_t edges;		/* falling edges delivered */
	uint64_t dropped_edges;	/* falling edges not delivered */
	uint8_t frame[H7EMU_FRAME_LEN];	/* the armed frame */
};
int h7emu_loopback_info(struct h7emu *emu, struct h7emu_loopback_info *info);

/* ---- names and help --------------------------------------------------- */

const char *h7emu_sketch_name(enum h7emu_sketch sketch);
int h7emu_sketch_parse(const char *name);	/* enum, or -EINVAL */
void h7emu_sketch_help(FILE *f);		/* every sketch, documented */
const char *h7emu_traffic_kind_name(enum h7emu_traffic_kind kind);
int h7emu_traffic_kind_parse(const char *name);
const char *h7emu_tty_mode_name(enum h7emu_tty_mode mode);
int h7emu_tty_mode_parse(const char *name);	/* enum, or -EINVAL */
/* One line per counter; @all: also those at zero. */
void h7emu_stats_print(FILE *f, const struct h7emu_stats *st, bool all);

/* ---- settings by name (h7emu_settings.c) ----------------------------- */

/*
 * Set one value of @cfg from text, by the name of m4rpc-sim's long option
 * without its dashes: "sketch", "fw-version", "uid", "boot-m4", "pass-us",
 * "m4-slots", "seed", "traffic-rate|size|kind|timeout|method",
 * "tty-mode", "tty-loop-ms", and the
 * faults below. A flag ("clip-53df799") takes NULL for 1. 0, -ENOENT for
 * an unknown name, -EINVAL for a value out of range.
 */
int h7emu_config_set(struct h7emu_config *cfg, const char *name,
		     const char *value);
/* The same for the faults alone, the settings that may change while the
 * emulator runs (h7emu_set_faults()): "flip-mosi", "flip-miso",
 * "drop-edge", "garbage", "slow-m4", "clip-53df799", "reset-at",
 * "reset-every", "cut-boot-m4". -EINVAL for another setting's name. */
int h7emu_faults_set(struct h7emu_faults *f, const char *name,
		     const char *value);
/* The settings' number syntax (C's: 10, 0x0a, 012), for a front end's own
 * options: 0 and *v, or -EINVAL when not a number in 0..@max. */
int h7emu_parse_uint(const char *s, unsigned long max, uint32_t *v);

#endif /* H7EMU_H */
