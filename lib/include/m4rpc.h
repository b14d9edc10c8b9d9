/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libm4rpc: msgpack-rpc calls to the M4 core of a Portenta X8 over
 * /dev/m4rpcN (m4rpc.ko), and serving the M4's calls, in a few lines of C.
 *
 * Objects
 * -------
 * All objects are opaque and created and freed by the library:
 *
 *   struct m4rpc_board       one open() of /dev/m4rpcN: one kernel session
 *                            (its own calls, bindings and receive queue)
 *   struct m4rpc_board_info  a snapshot of the board's description and
 *                            limits (M4RPC_IOC_INFO)
 *   struct m4rpc_result      one reply of the M4: the result or the error
 *                            object, as msgpack-c objects
 *   struct m4rpc_request     one call or notification of the M4, handed to
 *                            a handler while it runs
 *
 * Arguments and results are msgpack-c (<msgpack.h>, msgpack-c 4.x or
 * later) objects; arguments may also be given as a signature string and
 * varargs (see m4rpc_call()).
 *
 * Errors
 * ------
 * Every function that can fail returns a negative error code (or NULL and
 * sets errno to the positive errno, or to EIO for the library's own codes:
 * the code itself is then what m4rpc_last_error_code() returns). A code is
 * either -errno (-ETIMEDOUT, -ENODEV, ...) or one of enum m4rpc_error below,
 * whose values lie beyond every errno. m4rpc_strerror() names a code;
 * m4rpc_last_error() gives the calling thread's sentence about its last
 * failure, with the details a person needs (the M4's own error text, the
 * message size and the limit, the group to join, ...). The codes a call
 * can end with:
 *
 *   -ETIMEDOUT           no reply within the timeout
 *   M4RPC_E_NO_METHOD    the sketch bound no such method (rpclib's "could
 *                        not find function")
 *   M4RPC_E_ARGC         the method takes another number of arguments
 *   M4RPC_E_REMOTE       another error the M4 replied (its text:
 *                        m4rpc_last_error(), m4rpc_result_error_text())
 *   M4RPC_E_NO_PROGRAM   the M4 has no program in flash (m4_state -1)
 *   M4RPC_E_NO_RPC       the M4 runs a sketch that did not call
 *                        RPC.begin() (m4_state 0)
 *   -EHOSTDOWN           the M4's state is not known yet (link syncing)
 *   M4RPC_E_STOPPED      the M4 stopped running RPC during the call (the
 *                        kernel's "m4rpc: the M4 stopped running RPC")
 *   M4RPC_E_LOST         the reply was lost on the link (the kernel's
 *                        "m4rpc: the reply was lost on the link ...")
 *   M4RPC_E_UNBOUND, M4RPC_E_BUSY, M4RPC_E_CLOSED
 *                        the kernel's replies to an M4 call that no Linux
 *                        process bound, whose process was busy or closed
 *                        (seen by whoever relays such replies)
 *   -ENODEV              the board went away (unbound, module unloaded)
 *   -EMSGSIZE            the message is longer than the board takes
 *                        (m4rpc_board_info_max_tx_msg())
 *   -EACCES              no permission on the device node; the sentence
 *                        names the group to join
 *   -EINVAL              a bad argument or signature (the sentence says
 *                        which); a board in raw mode
 *   M4RPC_E_TYPE         a result getter asked for another type
 *   M4RPC_E_PROTO        the kernel or the M4 sent something that is not
 *                        msgpack-rpc
 *
 * The library never prints, never exits and installs no signal handler.
 *
 * Threads
 * -------
 * Functions on one board may be called from several threads at once,
 * except m4rpc_board_close() (when no other call on the board runs), and
 * m4rpc_board_dispatch() and m4rpc_board_run(), which one thread at a
 * time may run. Several threads calling at once on one board each get
 * their own reply: the library reads the session for all of them, one
 * thread at a time, and keeps what it reads for its owner (replies of
 * other calls, the M4's calls and notifications, replies of asynchronous
 * calls) until the owner takes it. Callbacks (method and notification
 * handlers, completions of asynchronous calls) run only in the thread
 * that runs m4rpc_board_dispatch() or m4rpc_board_run(), never inside
 * another function; they may call any function of the board except
 * close, and may make synchronous calls. Functions without a board are
 * thread-safe. m4rpc_last_error() is per thread.
 */
#ifndef M4RPC_LIB_H
#define M4RPC_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <msgpack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version -------------------------------------------------------------- */

/**
 * m4rpc_version_string() - The library's version.
 *
 * Return: "MAJOR.MINOR.PATCH" of the library, as the repository's VERSION
 * file says (the soname's major is that of the ABI: libm4rpc.so.0).
 */
const char *m4rpc_version_string(void);

/* ---- errors --------------------------------------------------------------- */

/**
 * enum m4rpc_error - The library's own error codes, beyond every errno.
 * @M4RPC_E_BASE:	not a code: the first value
 * @M4RPC_E_NO_METHOD:	the M4 has no such method
 * @M4RPC_E_ARGC:	wrong number of arguments for the M4's method
 * @M4RPC_E_REMOTE:	another error the M4 replied
 * @M4RPC_E_NO_PROGRAM:	the M4 has no program (m4_state -1)
 * @M4RPC_E_NO_RPC:	the M4's sketch did not call RPC.begin() (m4_state 0)
 * @M4RPC_E_STOPPED:	the M4 stopped running RPC during the call
 * @M4RPC_E_LOST:	the reply was lost on the link
 * @M4RPC_E_UNBOUND:	the kernel's "no Linux process bound" reply
 * @M4RPC_E_BUSY:	the kernel's "Linux process busy" reply
 * @M4RPC_E_CLOSED:	the kernel's "Linux process closed" reply
 * @M4RPC_E_TYPE:	a value is of another type than asked for
 * @M4RPC_E_PROTO:	not msgpack-rpc where msgpack-rpc was due
 *
 * Functions return these negated (-M4RPC_E_NO_METHOD), as they do errnos.
 */
enum m4rpc_error {
	M4RPC_E_BASE = 0x10000,
	M4RPC_E_NO_METHOD,
	M4RPC_E_ARGC,
	M4RPC_E_REMOTE,
	M4RPC_E_NO_PROGRAM,
	M4RPC_E_NO_RPC,
	M4RPC_E_STOPPED,
	M4RPC_E_LOST,
	M4RPC_E_UNBOUND,
	M4RPC_E_BUSY,
	M4RPC_E_CLOSED,
	M4RPC_E_TYPE,
	M4RPC_E_PROTO,
	M4RPC_E_END,	/* not a code: one past the last */
};

/**
 * m4rpc_strerror() - A short name of an error code.
 * @code: a code a function returned (negative), or its absolute value
 *
 * Return: a static string: strerror()'s for an errno, the library's for
 * enum m4rpc_error. Never NULL.
 */
const char *m4rpc_strerror(int code);

/**
 * m4rpc_last_error() - What went wrong last in the calling thread.
 *
 * A sentence a person can act on, set by every function that fails (and
 * only then): the M4's own error text for a remote error, the size and
 * the limit for EMSGSIZE, the device's group for EACCES, the M4's state
 * when it runs no RPC, ...
 *
 * Return: the text, valid in this thread until its next library call that
 * fails; "" when nothing failed yet.
 */
const char *m4rpc_last_error(void);

/**
 * m4rpc_last_error_code() - The code of the calling thread's last failure.
 *
 * For functions that return NULL: the negative code behind errno.
 *
 * Return: the negative code, or 0 when nothing failed yet.
 */
int m4rpc_last_error_code(void);

/* ---- boards present --------------------------------------------------------- */

/**
 * m4rpc_list_boards() - The boards present (/sys/class/m4rpc-ep).
 * @indexes: filled with the N of each /dev/m4rpcN, in increasing order;
 *           may be NULL when @cap is 0
 * @cap: entries @indexes has room for
 *
 * Return: the number of boards present (which may exceed @cap: only @cap
 * are stored), 0 when none (m4rpc.ko not loaded), or a negative code.
 */
int m4rpc_list_boards(unsigned int *indexes, size_t cap);

/* ---- opening a board ------------------------------------------------------ */

struct m4rpc_board;

/**
 * m4rpc_board_open() - Open a board's device: a new kernel session.
 * @path: the device, e.g. "/dev/m4rpc0"
 *
 * Return: the board, or NULL and errno (EACCES: m4rpc_last_error() names
 * the device's group to join; ENOENT: no such board).
 */
struct m4rpc_board *m4rpc_board_open(const char *path);

/**
 * m4rpc_board_open_index() - Open /dev/m4rpcN.
 * @index: N (0 is the first board)
 *
 * Return: as m4rpc_board_open().
 */
struct m4rpc_board *m4rpc_board_open_index(unsigned int index);

/**
 * m4rpc_board_open_fd() - A board on an open session.
 * @fd: a descriptor of /dev/m4rpcN, opened O_RDWR (received over a
 *      socket, inherited, ...); the board owns it from then on and closes
 *      it, on failure too
 *
 * Return: as m4rpc_board_open().
 */
struct m4rpc_board *m4rpc_board_open_fd(int fd);

/**
 * m4rpc_board_close() - Close the session and free the board.
 * @board: the board, or NULL (nothing happens)
 *
 * The kernel releases the session's bindings and answers the M4's calls
 * that are still unanswered. Asynchronous calls still pending are dropped
 * without their callbacks. No other thread may use @board any more.
 */
void m4rpc_board_close(struct m4rpc_board *board);

/**
 * m4rpc_board_fd() - The descriptor to watch for the board's events.
 * @board: the board
 *
 * It becomes readable (POLLIN, EPOLLIN) when m4rpc_board_dispatch() has
 * work: a message from the M4, a kept reply or request, the device gone.
 * Watch it for reading only; never read or write it.
 *
 * Return: the descriptor, owned by the board.
 */
int m4rpc_board_fd(struct m4rpc_board *board);

/**
 * m4rpc_board_path() - The device node of the board.
 * @board: the board
 *
 * Return: "/dev/m4rpcN" (for a board of m4rpc_board_open_fd(), the node of
 * its device number); valid until the board is closed.
 */
const char *m4rpc_board_path(struct m4rpc_board *board);

/* ---- what the board is ---------------------------------------------------- */

/**
 * enum m4rpc_link_status - The link to the H7.
 * @M4RPC_BOARD_LINK_SYNCING:	the H7 has not answered (yet, again)
 * @M4RPC_BOARD_LINK_UP:	the H7 answers
 * @M4RPC_BOARD_LINK_GONE:	the device was removed
 */
enum m4rpc_link_status {
	M4RPC_BOARD_LINK_SYNCING = 0,
	M4RPC_BOARD_LINK_UP = 1,
	M4RPC_BOARD_LINK_GONE = 2,
};

/**
 * enum m4rpc_m4_status - What the M4 runs (the H7's BOOT_M4 answer).
 * @M4RPC_BOARD_M4_UNKNOWN:	not known yet
 * @M4RPC_BOARD_M4_NO_PROGRAM:	no valid M4 program in flash
 * @M4RPC_BOARD_M4_NO_RPC:	a sketch that did not call RPC.begin()
 * @M4RPC_BOARD_M4_RUNNING:	a sketch running RPC: calls flow
 */
enum m4rpc_m4_status {
	M4RPC_BOARD_M4_UNKNOWN = -2,
	M4RPC_BOARD_M4_NO_PROGRAM = -1,
	M4RPC_BOARD_M4_NO_RPC = 0,
	M4RPC_BOARD_M4_RUNNING = 1,
};

/**
 * struct m4rpc_counter - One counter of the kernel's or the library's.
 * @name:  its name (the uapi's field name, or "lib_..." for the
 *         library's own), static
 * @value: its value
 */
struct m4rpc_counter {
	const char *name;
	uint64_t value;
};

struct m4rpc_board_info;

/**
 * m4rpc_board_get_info() - A snapshot of the board's description.
 * @board: the board
 *
 * Works after the device went away too (link_status GONE).
 *
 * Return: a new info object (free it with m4rpc_board_info_free()), or
 * NULL and errno.
 */
struct m4rpc_board_info *m4rpc_board_get_info(struct m4rpc_board *board);

/**
 * m4rpc_board_info_free() - Free an info object.
 * @info: the object, or NULL
 */
void m4rpc_board_info_free(struct m4rpc_board_info *info);

/** m4rpc_board_info_index() - N of /dev/m4rpcN. @info: the snapshot. */
unsigned int m4rpc_board_info_index(const struct m4rpc_board_info *info);
/** m4rpc_board_info_link_status() - The link. @info: the snapshot. */
enum m4rpc_link_status
m4rpc_board_info_link_status(const struct m4rpc_board_info *info);
/** m4rpc_board_info_m4_status() - The M4. @info: the snapshot. */
enum m4rpc_m4_status
m4rpc_board_info_m4_status(const struct m4rpc_board_info *info);
/**
 * m4rpc_board_info_firmware() - The H7 firmware's version, "" unknown.
 * @info: the snapshot; the string lives as long as it
 */
const char *m4rpc_board_info_firmware(const struct m4rpc_board_info *info);
/**
 * m4rpc_board_info_spi_device() - The link's SPI device, e.g. "spi0.0".
 * @info: the snapshot; the string lives as long as it
 */
const char *m4rpc_board_info_spi_device(const struct m4rpc_board_info *info);
/**
 * m4rpc_board_info_max_tx_msg() - Longest message the board takes, bytes.
 * @info: the snapshot
 *
 * A call's whole request counts ([0, msgid, method, params]), its msgid as
 * 5 bytes.
 */
unsigned int m4rpc_board_info_max_tx_msg(const struct m4rpc_board_info *info);
/** m4rpc_board_info_max_rx_msg() - Longest message from the M4. @info: the snapshot. */
unsigned int m4rpc_board_info_max_rx_msg(const struct m4rpc_board_info *info);
/** m4rpc_board_info_calls_max() - Calls a session may have pending. @info: the snapshot. */
unsigned int m4rpc_board_info_calls_max(const struct m4rpc_board_info *info);

/**
 * m4rpc_board_info_limits() - Every limit of the board, by name.
 * @info: the snapshot
 * @out:  filled with up to @cap limits: the uapi's struct m4rpc_info field
 *        names (max_tx_msg, max_rx_msg, rx_queue_len, raw_buf_size,
 *        tx_queue_len, tx_session_len, calls_max, m4_calls_max,
 *        wire_calls_max, wire_bytes_max, api_version), in that order
 * @cap:  room in @out (0: just count)
 *
 * Return: the number of limits there are.
 */
int m4rpc_board_info_limits(const struct m4rpc_board_info *info,
			    struct m4rpc_counter *out, size_t cap);

/**
 * m4rpc_m4_status_name() - A word for an M4 state.
 * @status: the state
 *
 * Return: "unknown", "no program", "no RPC", "running"; never NULL.
 */
const char *m4rpc_m4_status_name(enum m4rpc_m4_status status);

/**
 * m4rpc_link_status_name() - A word for a link state.
 * @status: the state
 *
 * Return: "syncing", "up", "gone"; never NULL.
 */
const char *m4rpc_link_status_name(enum m4rpc_link_status status);

/**
 * m4rpc_board_link_counters() - The link's counters (M4RPC_IOC_LINK_STATS).
 * @board: the board
 * @out:   filled with up to @cap counters, in the uapi's order
 * @cap:   room in @out (0: just count)
 *
 * Return: the number of counters there are, or a negative code.
 */
int m4rpc_board_link_counters(struct m4rpc_board *board,
			      struct m4rpc_counter *out, size_t cap);

/**
 * m4rpc_board_session_counters() - The session's counters.
 * @board: the board
 * @out:   filled with up to @cap counters: the kernel's
 *         (M4RPC_IOC_SESSION_STATS), then the library's ("lib_...")
 * @cap:   room in @out (0: just count)
 *
 * The library's: lib_replies_dropped (replies that came after their call
 * timed out), lib_notifications_dropped (notifications dropped because
 * nobody dispatched them; see m4rpc_board_dispatch()), lib_overflows (the
 * kernel reported messages of this session dropped).
 *
 * Return: the number of counters there are, or a negative code.
 */
int m4rpc_board_session_counters(struct m4rpc_board *board,
				 struct m4rpc_counter *out, size_t cap);

/**
 * m4rpc_board_wait_m4() - Wait until the M4 runs RPC.
 * @board: the board
 * @timeout_ms: how long at most; 0 checks once, negative waits forever
 *
 * Sleeps in poll() on the board's sysfs attribute m4_state
 * (/sys/class/m4rpc-ep/m4rpcN/m4_state), not in a loop.
 *
 * Return: 0 when the M4 runs RPC; -ETIMEDOUT (the sentence tells what it
 * runs instead), -ENODEV, or another negative code.
 */
int m4rpc_board_wait_m4(struct m4rpc_board *board, int timeout_ms);

/* ---- results -------------------------------------------------------------- */

struct m4rpc_result;

/**
 * m4rpc_result_free() - Free a result.
 * @res: the result, or NULL
 */
void m4rpc_result_free(struct m4rpc_result *res);

/**
 * m4rpc_result_object() - The result as msgpack-c object.
 * @res: the result
 *
 * Return: the object (nil for a void method, and for an error reply),
 * valid until @res is freed.
 */
const msgpack_object *m4rpc_result_object(const struct m4rpc_result *res);

/**
 * m4rpc_result_error() - The error of a reply.
 * @res: the result
 *
 * Return: 0 for a successful reply, else the negative code the error means
 * (-M4RPC_E_NO_METHOD, -M4RPC_E_ARGC, -M4RPC_E_REMOTE, -M4RPC_E_STOPPED,
 * ...). Synchronous calls return it themselves; completions of
 * asynchronous calls read it here.
 */
int m4rpc_result_error(const struct m4rpc_result *res);

/**
 * m4rpc_result_error_object() - The error object of a reply.
 * @res: the result
 *
 * Return: the error object (nil for a successful reply).
 */
const msgpack_object *
m4rpc_result_error_object(const struct m4rpc_result *res);

/**
 * m4rpc_result_error_text() - The error text of a reply.
 * @res: the result
 *
 * Return: the error as a NUL-terminated string (a str error as it came; an
 * error of another type in a short description), or NULL for a successful
 * reply. Valid until @res is freed.
 */
const char *m4rpc_result_error_text(const struct m4rpc_result *res);

/*
 * Getters of the result's value: 0 and the value, or -M4RPC_E_TYPE (the
 * sentence names the type there is) and nothing stored. Pointers stay
 * valid until the result is freed.
 */

/**
 * m4rpc_result_int() - The result as a signed integer.
 * @res: the result
 * @v:   the value
 *
 * A positive integer above INT64_MAX is of another type here.
 *
 * Return: 0 or -M4RPC_E_TYPE.
 */
int m4rpc_result_int(const struct m4rpc_result *res, int64_t *v);

/**
 * m4rpc_result_uint() - The result as an unsigned integer.
 * @res: the result
 * @v:   the value
 *
 * Return: 0 or -M4RPC_E_TYPE (a negative integer too).
 */
int m4rpc_result_uint(const struct m4rpc_result *res, uint64_t *v);

/**
 * m4rpc_result_double() - The result as a number.
 * @res: the result
 * @v:   the value: a float32, a float64, or an integer converted
 *
 * Return: 0 or -M4RPC_E_TYPE.
 */
int m4rpc_result_double(const struct m4rpc_result *res, double *v);

/**
 * m4rpc_result_bool() - The result as a boolean.
 * @res: the result
 * @v:   the value
 *
 * Return: 0 or -M4RPC_E_TYPE.
 */
int m4rpc_result_bool(const struct m4rpc_result *res, bool *v);

/**
 * m4rpc_result_is_nil() - Whether the result is nil (a void method's).
 * @res: the result
 *
 * Return: true for nil.
 */
bool m4rpc_result_is_nil(const struct m4rpc_result *res);

/**
 * m4rpc_result_str() - The result as a string.
 * @res: the result
 * @s:   its bytes, NUL-terminated by the library (the length excludes it)
 * @n:   its length, or NULL
 *
 * Return: 0 or -M4RPC_E_TYPE.
 */
int m4rpc_result_str(const struct m4rpc_result *res, const char **s,
		     size_t *n);

/**
 * m4rpc_result_bin() - The result as bytes: a bin (or a str).
 * @res: the result
 * @p:   its bytes
 * @n:   its length
 *
 * Return: 0 or -M4RPC_E_TYPE.
 */
int m4rpc_result_bin(const struct m4rpc_result *res, const void **p,
		     size_t *n);

/* ---- calls ---------------------------------------------------------------- */

/**
 * m4rpc_call() - Call a method of the M4 and wait for its reply.
 * @board:      the board
 * @timeout_ms: how long to wait for the reply; negative: forever (a call
 *              may never be answered: see the uapi header)
 * @res:        the result on success (free it with m4rpc_result_free()),
 *              NULL otherwise; may be NULL when the result is not wanted
 * @method:     the method's name
 * @sig:        the arguments' signature, NULL or "" for none; one letter
 *              per argument, each taking the varargs in parentheses:
 *
 *   n  nil                        ()
 *   b  bool                       (int)
 *   i  int                        (int)
 *   I  int64                      (int64_t)
 *   u  unsigned int               (unsigned int)
 *   U  uint64                     (uint64_t)
 *   f  float32                    (double, as floats are passed)
 *   d  float64                    (double)
 *   s  str                        (const char *, NUL-terminated)
 *   S  str with a length          (const char *, size_t)
 *   y  bin                        (const void *, size_t)
 *   o  a msgpack-c object as is   (const msgpack_object *)
 *   [  an array of what follows up to the matching ]
 *   {  a map of what follows up to the matching }: key, value, key, ...
 *
 * Integers are packed in their smallest form, as msgpack-c does; strings
 * and bins as fix/8/16/32 by their length. Containers nest at most 30
 * deep in arguments (the message and its params array are the other two
 * of the 32 levels the kernel allows), 31 in a reply's result. A
 * signature with another letter, an unbalanced bracket, a map with an
 * odd number of items or a NULL string fails with -EINVAL, the sentence
 * giving the position.
 *
 * Return: 0, or a negative code: the error the M4 replied (see the list
 * at the top; the M4's text is in m4rpc_last_error()), -ETIMEDOUT,
 * -EMSGSIZE, -EINVAL, -M4RPC_E_NO_PROGRAM, -M4RPC_E_NO_RPC, -ENODEV, ...
 */
int m4rpc_call(struct m4rpc_board *board, int timeout_ms,
	       struct m4rpc_result **res, const char *method,
	       const char *sig, ...);

/**
 * m4rpc_vcall() - m4rpc_call() with a va_list.
 * @board: the board
 * @timeout_ms: as m4rpc_call()
 * @res: as m4rpc_call()
 * @method: as m4rpc_call()
 * @sig: as m4rpc_call()
 * @ap: the arguments
 *
 * Return: as m4rpc_call().
 */
int m4rpc_vcall(struct m4rpc_board *board, int timeout_ms,
		struct m4rpc_result **res, const char *method,
		const char *sig, va_list ap);

/**
 * m4rpc_call_packed() - Call a method with caller-packed arguments.
 * @board:      the board
 * @timeout_ms: as m4rpc_call()
 * @res:        as m4rpc_call()
 * @method:     the method's name
 * @params:     one msgpack array, the arguments (e.g. packed with
 *              msgpack-c's msgpack_pack_array() and friends)
 * @len:        its length in bytes
 *
 * Return: as m4rpc_call(); -EINVAL when @params is not exactly one array.
 */
int m4rpc_call_packed(struct m4rpc_board *board, int timeout_ms,
		      struct m4rpc_result **res, const char *method,
		      const void *params, size_t len);

/**
 * typedef m4rpc_reply_fn - The completion of an asynchronous call.
 * @board: the board
 * @err:   0 for a successful reply, the reply's error code, -ETIMEDOUT, or
 *         -ENODEV when the board went away
 * @res:   the reply (also for an error reply: its text is in
 *         m4rpc_result_error_text()), NULL when none came; the callback
 *         owns it and frees it with m4rpc_result_free()
 * @data:  the caller's pointer given with the call
 *
 * Runs in the thread of m4rpc_board_dispatch() or m4rpc_board_run().
 */
typedef void (*m4rpc_reply_fn)(struct m4rpc_board *board, int err,
			       struct m4rpc_result *res, void *data);

/**
 * m4rpc_call_async() - Call a method of the M4 without waiting.
 * @board:      the board
 * @timeout_ms: when the completion gets -ETIMEDOUT if no reply came;
 *              negative: never
 * @fn:         the completion
 * @data:       passed to @fn
 * @method:     the method's name
 * @sig:        the arguments, as m4rpc_call()
 *
 * The completion runs once, from m4rpc_board_dispatch() or
 * m4rpc_board_run(); m4rpc_board_next_timeout() tells an event loop when
 * to dispatch for the timeouts.
 *
 * Return: the call's msgid (positive, in an int64_t) once the request
 * was written, or a negative code (and @fn never runs).
 */
int64_t m4rpc_call_async(struct m4rpc_board *board, int timeout_ms,
			 m4rpc_reply_fn fn, void *data, const char *method,
			 const char *sig, ...);

/**
 * m4rpc_call_async_packed() - m4rpc_call_async() with packed arguments.
 * @board: the board
 * @timeout_ms: as m4rpc_call_async()
 * @fn: as m4rpc_call_async()
 * @data: as m4rpc_call_async()
 * @method: the method's name
 * @params: one msgpack array, as m4rpc_call_packed()
 * @len: its length
 *
 * Return: as m4rpc_call_async().
 */
int64_t m4rpc_call_async_packed(struct m4rpc_board *board, int timeout_ms,
				m4rpc_reply_fn fn, void *data,
				const char *method, const void *params,
				size_t len);

/**
 * m4rpc_notify() - Send a notification to the M4 (no reply).
 * @board:  the board
 * @method: the method's name
 * @sig:    the arguments, as m4rpc_call()
 *
 * Return: 0 once written, or a negative code.
 */
int m4rpc_notify(struct m4rpc_board *board, const char *method,
		 const char *sig, ...);

/**
 * m4rpc_notify_packed() - m4rpc_notify() with packed arguments.
 * @board:  the board
 * @method: the method's name
 * @params: one msgpack array
 * @len:    its length
 *
 * Return: 0 once written, or a negative code.
 */
int m4rpc_notify_packed(struct m4rpc_board *board, const char *method,
			const void *params, size_t len);

/* ---- serving the M4 -------------------------------------------------------- */

struct m4rpc_request;

/**
 * m4rpc_request_method() - The method the M4 called or notified.
 * @req: the request
 *
 * Return: its name, NUL-terminated.
 */
const char *m4rpc_request_method(const struct m4rpc_request *req);

/**
 * m4rpc_request_params() - The arguments.
 * @req: the request
 *
 * Return: a msgpack array object, valid while the handler runs.
 */
const msgpack_object *m4rpc_request_params(const struct m4rpc_request *req);

/**
 * m4rpc_request_is_call() - Whether the M4 waits for an answer.
 * @req: the request
 *
 * Return: true for a call, false for a notification.
 */
bool m4rpc_request_is_call(const struct m4rpc_request *req);

/**
 * m4rpc_request_reply() - Answer a call with a result.
 * @req: the request (of a method handler, while it runs)
 * @sig: the result: exactly one value in m4rpc_call()'s signature
 *       language ("i", "[ii]", "o", ...); NULL or "" for nil
 *
 * At most one answer per call.
 *
 * Return: 0 once written, -EALREADY after an answer, -EINVAL for a bad
 * signature or a notification, or another negative code.
 */
int m4rpc_request_reply(struct m4rpc_request *req, const char *sig, ...);

/**
 * m4rpc_request_reply_packed() - Answer a call with a packed result.
 * @req: the request
 * @result: exactly one msgpack object
 * @len: its length
 *
 * Return: as m4rpc_request_reply().
 */
int m4rpc_request_reply_packed(struct m4rpc_request *req, const void *result,
			       size_t len);

/**
 * m4rpc_request_reply_error() - Answer a call with an error string.
 * @req: the request
 * @text: the error, which the M4's RPC.call() gets
 *
 * Return: as m4rpc_request_reply().
 */
int m4rpc_request_reply_error(struct m4rpc_request *req, const char *text);

/**
 * typedef m4rpc_method_fn - A handler of calls from the M4.
 * @board: the board
 * @req:   the call: its method and params; valid while the handler runs
 * @data:  the pointer given when binding
 *
 * Answer with m4rpc_request_reply*() before returning. A handler that
 * returns without answering gets a nil result answered for it when it
 * returns 0, and the error text m4rpc_strerror(ret) when it returns a
 * negative code. Runs in the thread of m4rpc_board_dispatch() or
 * m4rpc_board_run().
 *
 * Return: 0, or a negative code.
 */
typedef int (*m4rpc_method_fn)(struct m4rpc_board *board,
			       struct m4rpc_request *req, void *data);

/**
 * typedef m4rpc_notification_fn - A handler of notifications from the M4.
 * @board: the board
 * @req:   the notification (m4rpc_request_is_call() false); valid while
 *         the handler runs
 * @data:  the pointer given when binding
 */
typedef void (*m4rpc_notification_fn)(struct m4rpc_board *board,
				      const struct m4rpc_request *req,
				      void *data);

/**
 * m4rpc_board_serve() - Serve a method the M4 calls.
 * @board:  the board
 * @method: the name (1..64 bytes) the M4's RPC.call() uses
 * @fn:     the handler
 * @data:   passed to @fn
 *
 * Binds @method to this session in the kernel (M4RPC_IOC_BIND): the M4's
 * calls and notifications of that name come here. Serving a method again
 * replaces its handler. Notifications of the name go to the handler of
 * m4rpc_board_serve_notifications(), or are dropped (counted) if none.
 *
 * Return: 0, -EADDRINUSE (another session holds the name; the sentence
 * says so), -ENOSPC (64 names bound), -EINVAL, or another negative code.
 */
int m4rpc_board_serve(struct m4rpc_board *board, const char *method,
		      m4rpc_method_fn fn, void *data);

/**
 * m4rpc_board_serve_notifications() - Receive the M4's notifications.
 * @board:  the board
 * @method: the name the M4's RPC.send() uses ("tty" carries the M4's
 *          Serial output)
 * @fn:     the handler
 * @data:   passed to @fn
 *
 * Binds @method as m4rpc_board_serve() does; calls of the name (without a
 * method handler) are answered with an error.
 *
 * Return: as m4rpc_board_serve().
 */
int m4rpc_board_serve_notifications(struct m4rpc_board *board,
				    const char *method,
				    m4rpc_notification_fn fn, void *data);

/**
 * m4rpc_board_unserve() - Stop serving a name (M4RPC_IOC_UNBIND).
 * @board:  the board
 * @method: the name
 *
 * Return: 0, -ENOENT (not served), or another negative code.
 */
int m4rpc_board_unserve(struct m4rpc_board *board, const char *method);

/**
 * m4rpc_board_dispatch() - Handle what is there, without blocking.
 * @board: the board
 *
 * Reads what the session has, runs the handlers of the M4's calls and
 * notifications and the completions of asynchronous calls that are due
 * (timeouts included), in this thread. Call it when m4rpc_board_fd() is
 * readable and when m4rpc_board_next_timeout() has passed. What other
 * threads read for it meanwhile is kept (notifications up to the
 * session's receive queue length, then dropped and counted).
 *
 * Return: the number of callbacks run (0 or more), or a negative code:
 * -ENODEV once the board went away and nothing is left to handle.
 */
int m4rpc_board_dispatch(struct m4rpc_board *board);

/**
 * m4rpc_board_next_timeout() - When an asynchronous call times out next.
 * @board: the board
 *
 * Return: milliseconds until then (0: due), or -1 when no asynchronous
 * call has a timeout: a poll() timeout for the caller's event loop.
 */
int m4rpc_board_next_timeout(struct m4rpc_board *board);

/**
 * m4rpc_board_run() - Serve until stopped: the library's event loop.
 * @board: the board
 *
 * Waits for events and dispatches them (m4rpc_board_dispatch()) in this
 * thread until m4rpc_board_stop() is called (from a handler or any other
 * thread) or the board goes away.
 *
 * Return: 0 after m4rpc_board_stop(), or a negative code (-ENODEV).
 */
int m4rpc_board_run(struct m4rpc_board *board);

/**
 * m4rpc_board_stop() - Make m4rpc_board_run() return.
 * @board: the board
 *
 * Thread-safe, and safe in a handler; a run that starts later stops at
 * once, once (the request is consumed).
 */
void m4rpc_board_stop(struct m4rpc_board *board);

/* ---- raw mode --------------------------------------------------------------- */

/**
 * m4rpc_board_set_raw() - Switch the session to the M4's raw byte stream.
 * @board: the board
 *
 * From then on the session reads the bytes of the M4's raw endpoint
 * (RPC.write() on the M4) and no messages: calls, serving and dispatch
 * fail with -EINVAL; notifications to the M4 still work. There is no way
 * back: open another board.
 *
 * Return: 0, -EBUSY (the session has bindings or pending calls), or
 * another negative code.
 */
int m4rpc_board_set_raw(struct m4rpc_board *board);

/**
 * m4rpc_board_read_raw() - Read raw bytes from the M4.
 * @board:      a board in raw mode
 * @buf:        where to put them
 * @size:       room in @buf
 * @timeout_ms: how long to wait for the first byte; negative: forever
 *
 * Return: the number of bytes read (at least 1), -ETIMEDOUT, -EOVERFLOW
 * once after the kernel dropped bytes for a full buffer (reading goes on
 * after it), -ENODEV, or -EINVAL when the board is not in raw mode.
 */
ssize_t m4rpc_board_read_raw(struct m4rpc_board *board, void *buf,
			     size_t size, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* M4RPC_LIB_H */
