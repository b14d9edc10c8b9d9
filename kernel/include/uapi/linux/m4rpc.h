/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * /dev/m4rpcN: the msgpack-rpc endpoint of the M4 core of a Portenta X8
 * (STM32H7 link N of m4rpc.ko). This header is the contract between the
 * kernel and every program (and library) that talks to the M4.
 *
 * Devices
 * -------
 * One character device per link, /dev/m4rpcN, N counting the links in the
 * order they were bound (the first board is /dev/m4rpc0). It appears when
 * the link's SPI device is bound and goes away when it is unbound. Its
 * sysfs directory is /sys/class/m4rpc-ep/m4rpcN (its "device" link leads to
 * the SPI device); M4RPC_IOC_INFO names the SPI device too. Its file
 * m4_state is info.m4_state in decimal, and pollable: poll() for POLLPRI
 * (after reading it) wakes when the state changes, so a program can wait
 * for the M4 to run RPC without a loop. Its file uid is the H7's unique ID,
 * 24 hex digits (ENODATA until the H7 has answered); when it becomes known
 * or changes, the kernel sends a change uevent for the device, so udev
 * (the project's udev/60-m4rpc.rules) can keep the names
 * /dev/m4rpc/by-uid/UID and /dev/m4rpc/by-path/spiB.C for a board.
 *
 * 32-bit programs on a 64-bit kernel use the same ioctls: every structure
 * below has the same layout for both (no longs, pointers or padding).
 *
 * Sessions
 * --------
 * Every open() is an independent session: its own receive queue, its own
 * pending calls and its own method bindings. Many processes (and threads,
 * each with its own open()) share one board. A file descriptor shared by
 * threads or inherited over fork() is one session. Closing the last
 * descriptor of a session (or the process dying) releases its bindings;
 * the messages it still had queued are dropped (tx_purged); replies to its
 * calls that come later are dropped and counted; calls the M4 made to it
 * that it did not answer are answered by the kernel with an error (so the
 * M4's RPC.call() returns).
 *
 * Messages (the default mode)
 * ---------------------------
 * write() takes exactly one whole msgpack-rpc message, in the form the
 * Arduino RPC library on the M4 needs:
 *
 *   request       [0, msgid, method, [params...]]   outer fixarray 0x94
 *   response      [1, msgid, error, result]         outer fixarray 0x94
 *   notification  [2, method, [params...]]          outer fixarray 0x93
 *
 * msgid a positive integer up to 2^32 - 1, method a str, params an array,
 * error and result any object, nothing after the message, containers nested
 * at most 32 deep. Anything else: EINVAL, and nothing is sent.
 *
 *   - Size: a message longer than info.max_tx_msg bytes gets EMSGSIZE:
 *     248 bytes (what one UI subframe of the H7 carries) when the link sees
 *     nIRQ as a level, as on the X8; 244 when it has only falling edges or
 *     no interrupt (sysfs irq_mode), as every frame must then end with the
 *     H7 request that acknowledges it. The kernel sends requests and
 *     responses with a msgid of its own, so for them the msgid counts as
 *     5 bytes (a uint32) whatever its encoding: a request with a fixint
 *     msgid may be at most max_tx_msg - 4 bytes long. Checked in
 *     this order: the size (EMSGSIZE), the form (EINVAL), the M4 (EHOSTDOWN),
 *     then the message's own rules below.
 *   - Request: the kernel gives it a link-unique msgid on the wire; the
 *     response comes back to this session only, with the session's own
 *     msgid restored. A session may have at most info.calls_max calls
 *     pending (EAGAIN with O_NONBLOCK, else write() waits for a reply).
 *   - Response: allowed only to a request the kernel routed to this session
 *     (see bindings), once; its msgid is the one the session read in that
 *     request. Anything else (a msgid never routed here, answered already,
 *     or abandoned by the M4, which restarted or made a new call with the
 *     same msgid of its own): EINVAL.
 *   - Notification: sent as is.
 *   - On a board whose H7 firmware clips received frames (info.flags
 *     M4RPC_INFO_FW_CLIPS, firmware 53df799) every write() fails with
 *     ENOEXEC: the M4 would get nothing intact.
 *   - The M4 must be running RPC (BOOT_M4 = 1, info.m4_state): otherwise
 *     every write() fails at once with EHOSTDOWN (also while the M4's state
 *     is not known yet, just after the link came up). When the M4 stops
 *     running RPC, messages still queued are dropped (tx_purged), each call
 *     still pending gets the response [1, msgid, "m4rpc: the M4 stopped
 *     running RPC", nil] from the kernel, and the M4's calls still
 *     unanswered are forgotten (their responses then get EINVAL).
 *   - After a link resynchronisation (an H7 reset, garbled frames) a call
 *     may never be answered: the M4 may not have got it, or its reply may
 *     have been lost (rx_lost counts such holes). Calls need a timeout.
 *   - The H7 drops bytes of what the M4 sends, silently, when Linux reads
 *     late. The kernel never delivers a message that may span such a hole:
 *     it is dropped (rx_suspect: completed with bytes from behind a hole;
 *     rx_cut: its end never came), and when it was a response whose head
 *     still names the call, the caller gets, at once,
 *         [1, msgid, "m4rpc: the reply was lost on the link (the H7
 *         dropped bytes)", nil]
 *     A reply lost whole (or its head) is not known to anyone: the call
 *     ends at the caller's timeout. Cost: an intact message followed at
 *     once by raw bytes (RPC.write()) is dropped too; blind spot: a hole
 *     inside a message that is completed, by chance, just before bytes
 *     that read as a message head. The wire window below keeps replies to
 *     Linux's calls from making holes; only the M4's own messages and
 *     replies longer than a frame can still meet one.
 *
 * read() returns exactly one message: a response to one of the session's
 * requests, or a request or notification from the M4 for a method the
 * session bound. A buffer too small for the next message gets EMSGSIZE and
 * the message stays queued (M4RPC_IOC_SESSION_STATS tells its length in
 * next_msg_len). Requests from the M4 are delivered with a msgid of the
 * kernel's (the M4's own msgids repeat: one per M4 thread); answer with
 * that msgid. Messages from the M4 are at most info.max_rx_msg bytes.
 *
 * Bindings
 * --------
 * M4RPC_IOC_BIND(name): requests and notifications from the M4 for method
 * @name go to this session. A name is bound by at most one session
 * (EADDRINUSE when another one holds it; binding it again in the same
 * session is not an error); a session binds at most 64 names (ENOSPC);
 * M4RPC_IOC_UNBIND gives ENOENT for a name this session has not bound.
 * A request from the M4 for a name nobody bound is answered by the kernel
 * at once with the error (NAME cut to 48 bytes, then "...")
 *     "m4rpc: no Linux process bound 'NAME'"
 * (and [1, msgid, "...", nil] is what the M4's RPC.call() sees); one that
 * cannot be delivered because the session's queue is full, or because too
 * many M4 calls wait for answers (info.m4_calls_max), is answered with
 *     "m4rpc: Linux process busy: 'NAME'"
 * and one whose session closes before answering with
 *     "m4rpc: Linux process closed: 'NAME'".
 * A notification nobody bound is dropped and counted (notify_unbound).
 *
 * The M4's Serial output arrives as notifications of method "tty", and
 * the sketch's Serial input is its method "tty". Each board also has a
 * serial port, /dev/ttyM4RPCn (n is N of its /dev/m4rpcN unless a port
 * of a board gone is still held open under that number), which speaks
 * "tty" for programs that know nothing of msgpack-rpc. While the port is
 * open the kernel holds the binding of "tty" itself: a session's
 * M4RPC_IOC_BIND("tty") fails with EADDRINUSE, and opening the port while
 * a session holds "tty" fails with EBUSY (and with EHOSTDOWN while the M4
 * does not run RPC). While the port is closed, a session may bind "tty"
 * as any other name. With neither, the M4's Serial output is dropped and
 * counted (notify_unbound): the port keeps nothing for a later open.
 * The port: the project's kernel/README.md, "The serial port".
 *
 * Raw mode
 * --------
 * The M4's "raw" endpoint (RPC.write()/print() on the M4) shares the byte
 * stream with the messages; so does anything the kernel could not take for
 * a message. Those bytes are counted (raw_bytes) and, for sessions that
 * switched themselves to raw mode (M4RPC_IOC_SET_MODE, M4RPC_MODE_RAW),
 * copied to each such session: read() then returns raw bytes as a stream
 * (up to the buffer's size, at least one byte), and no messages. A raw
 * session gets no messages at all: switching needs a session without
 * bindings and pending calls (EBUSY), and in raw mode write() takes only
 * notifications (EINVAL otherwise: no answer could be read) and BIND fails
 * with EINVAL. Each raw session buffers info.raw_buf_size bytes.
 *
 * Flow control
 * ------------
 * The H7 has no flow control towards Linux: what the M4 sends while the
 * link has not read the H7's previous frame yet can be lost. So the kernel
 * keeps what the M4 may owe Linux within what one H7 frame holds: at most
 * info.wire_calls_max calls of all sessions on their way to the M4 and
 * back, whose replies together may take at most info.wire_bytes_max bytes
 * of a frame. Reply sizes are learned per method (the longest seen); the
 * first call of a method goes alone, and so does a call whose replies are
 * longer than the window (counted in wire_long: only reading in time
 * protects those). A call counts from when the link sends it until its
 * response comes (or it is dropped, or 2 s pass). Calls beyond wait in the
 * transmit queue, in order; other messages pass them.
 *
 * The link transmit queue holds at most info.tx_queue_len messages, of which
 * one session may hold at most info.tx_session_len; a session with nothing
 * queued may always queue one (so a flooding session cannot lock the others
 * out), and the link takes the sessions' messages in turn (round robin), so
 * each session gets a fair share of the link. write() waits while its
 * message cannot be queued; with O_NONBLOCK it fails with EAGAIN.
 *
 * Each session's receive queue holds at most info.rx_queue_len messages (or
 * raw_buf_size raw bytes). What arrives for a full queue is dropped and
 * counted, and the next read() fails once with EOVERFLOW (then reads go on
 * normally): loss is never silent. Other sessions are unaffected.
 *
 * poll(): POLLIN when read() would not block (a message, raw bytes, or a
 * loss to report), POLLOUT when write() would not block for queue space
 * (the write may still fail, e.g. with EHOSTDOWN), POLLHUP | POLLERR once
 * the device is gone.
 *
 * Removal and errors
 * ------------------
 * When the link's device goes away (unbind, simulator unloaded), sleepers in
 * read(), write() and poll() wake up; read() returns what is still queued,
 * then ENODEV; write() and ioctls (except INFO and the stats) fail with
 * ENODEV; poll() gives POLLHUP. An open session keeps m4rpc.ko loaded.
 * Unknown ioctl (also a known number with another size or direction):
 * ENOTTY. Bad pointer: EFAULT. Reserved fields must be 0 (EINVAL) and are
 * returned as 0. Sleeps are interruptible (EINTR, or a restart when the
 * signal allows it).
 *
 * Pointers and counts: an ioctl reads or writes its whole structure, at any
 * alignment; one that does not lie wholly in memory the process may access
 * so is EFAULT (and an ioctl that takes a structure then does nothing). A
 * count beyond the address space (SIZE_MAX) is EFAULT from the VFS before
 * the endpoint sees it; any other write() count over max_tx_msg is
 * EMSGSIZE before the buffer is read. read() writes only the message's
 * bytes, whatever the count; when its buffer faults it gets EFAULT and the
 * message stays queued, as with EMSGSIZE.
 *
 * Not a file: lseek(), pread() and pwrite() fail with ESPIPE, mmap() with
 * ENODEV, splice(), tee() and sendfile() with EINVAL. readv() and writev()
 * take each iovec as a read() or write() of its own, so one message split
 * over two iovecs is EINVAL.
 *
 * Memory per session
 * ------------------
 * Whatever a process does, the kernel holds for one session at most: its
 * receive queue (rx_queue_len messages of at most max_rx_msg + 4 bytes, or
 * raw_buf_size bytes in raw mode), its messages in the transmit queue
 * (tx_session_len of at most max_tx_msg bytes), calls_max call records, 64
 * bindings of M4RPC_NAME_MAX bytes, and the one message each thread
 * blocked in its write() brings. What arrives beyond is dropped and
 * counted, never held. The M4 calls that sessions have read and not yet
 * answered are bounded per link, not per session (m4_calls_max): one
 * session may hold them all, and the M4's calls to others are then
 * answered "busy" (see bindings).
 *
 * Limits
 * ------
 * Every limit above is in struct m4rpc_info, as the link got it when it was
 * bound; the module parameters of m4rpc.ko that set them are listed, with
 * their defaults and ranges, in the project's kernel/README.md and by
 * `modinfo m4rpc`.
 */
#ifndef _UAPI_LINUX_M4RPC_H
#define _UAPI_LINUX_M4RPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define M4RPC_API_VERSION	1

/* Longest method name M4RPC_IOC_BIND takes. */
#define M4RPC_NAME_MAX		64

/* struct m4rpc_info.link_state */
#define M4RPC_LINK_STATE_SYNCING 0	/* the H7 has not answered (yet, again) */
#define M4RPC_LINK_STATE_UP	1	/* the H7 answers */
#define M4RPC_LINK_STATE_GONE	2	/* the device was removed */

/* struct m4rpc_info.m4_state: the H7's BOOT_M4 answer */
#define M4RPC_M4_UNKNOWN	(-2)	/* not asked yet */
#define M4RPC_M4_NO_PROGRAM	(-1)	/* no valid M4 program in flash */
#define M4RPC_M4_NO_RPC		0	/* M4 runs, its sketch has no RPC */
#define M4RPC_M4_RUNNING	1	/* M4 runs RPC: messages flow */

struct m4rpc_info {
	__u32 api_version;	/* M4RPC_API_VERSION */
	__u32 index;		/* N of /dev/m4rpcN */
	__s32 link_state;	/* M4RPC_LINK_STATE_* */
	__s32 m4_state;		/* M4RPC_M4_* */
	char fw_version[64];	/* the H7 firmware's, NUL-terminated ("" unknown) */
	char spi_device[32];	/* the link's SPI device, e.g. "spi0.0" */
	__u32 max_tx_msg;	/* longest message write() takes (248, 244) */
	__u32 max_rx_msg;	/* longest message from the M4 (max_msg_size) */
	__u32 rx_queue_len;	/* messages per session receive queue */
	__u32 raw_buf_size;	/* raw bytes per raw-mode session */
	__u32 tx_queue_len;	/* messages in the link transmit queue */
	__u32 tx_session_len;	/* ... of which one session may hold */
	__u32 calls_max;	/* pending calls per session */
	__u32 m4_calls_max;	/* M4 calls waiting for answers, per link */
	__u32 wire_calls_max;	/* calls to the M4 and back at once, per link */
	__u32 wire_bytes_max;	/* ... and the reply bytes they may owe */
	__u32 flags;		/* M4RPC_INFO_* */
	__u32 reserved0;
	__u64 reserved[2];
};

/*
 * struct m4rpc_info.flags. FW_CLIPS: the H7 firmware clips every frame it
 * receives to its first subframe header (a build of master at 53df799):
 * nothing reaches the M4 intact, so write() fails with ENOEXEC. The link
 * finds it out when it comes up (only the first of several requests in a
 * frame is answered); the SPI device's sysfs file m4rpc/fw_clips says it
 * too. Flash tag 0.0.5 or a fixed build.
 */
#define M4RPC_INFO_FW_CLIPS	(1U << 0)

/* M4RPC_IOC_BIND, M4RPC_IOC_UNBIND */
struct m4rpc_bind {
	__u32 len;		/* bytes of @name used, 1..M4RPC_NAME_MAX */
	__u32 flags;		/* 0 */
	char name[M4RPC_NAME_MAX];	/* the method, no NUL needed */
};

/* M4RPC_IOC_SET_MODE */
#define M4RPC_MODE_MSG		0	/* whole messages (the default) */
#define M4RPC_MODE_RAW		1	/* the raw byte stream */

/*
 * Counters of a link's endpoint since it was bound (M4RPC_IOC_LINK_STATS).
 * "Messages" are whole msgpack-rpc messages.
 */
struct m4rpc_link_stats {
	/* from the M4 */
	__u64 rx_msgs;		/* messages reassembled from the stream */
	__u64 rx_requests;	/* ... of them requests */
	__u64 rx_responses;	/* ... responses */
	__u64 rx_notifications;	/* ... notifications */
	__u64 rx_raw_bytes;	/* raw bytes (raw endpoint, junk) */
	__u64 rx_oversize;	/* messages over max_msg_size, dropped */
	__u64 rx_malformed;	/* complete but not msgpack-rpc, dropped */
	__u64 rx_lost;		/* holes in the stream the link reported */
	__u64 rx_lost_bytes;	/* partial bytes discarded at holes */
	__u64 replies_unmatched; /* responses nobody waits for, dropped */
	__u64 notify_unbound;	/* notifications nobody bound, dropped */
	__u64 requests_unbound;	/* requests nobody bound, answered error */
	__u64 requests_refused;	/* requests answered error: busy, closed */
	__u64 requests_abandoned; /* M4 calls forgotten (M4 restart, reuse) */
	__u64 rx_queue_drops;	/* messages dropped: a session queue full */
	__u64 raw_drops;	/* raw bytes dropped: a raw session full */
	/* to the M4 */
	__u64 tx_msgs;		/* messages handed to the link */
	__u64 tx_bytes;
	__u64 tx_requests;
	__u64 tx_responses;	/* from sessions */
	__u64 tx_notifications;
	__u64 tx_errors;	/* error responses of the kernel's own */
	__u64 tx_purged;	/* queued messages dropped: M4 stopped, closed */
	__u64 tx_kernel_drops;	/* kernel error responses with no room */
	__u64 calls_failed;	/* pending calls failed: M4 stopped */
	__u64 wire_expired;	/* calls out of the wire window by age */
	/* now */
	__u32 sessions;		/* open sessions */
	__u32 tx_queued;	/* messages in the transmit queue */
	__u32 calls_pending;	/* calls waiting for the M4's reply */
	__u32 m4_calls_pending;	/* M4 calls waiting for an answer */
	__u32 calls_on_wire;	/* ... of the calls: in the wire window */
	__u32 reserved0;
	__u64 wire_long;	/* calls with replies over the window */
	__u64 rx_suspect;	/* messages that may span a hole, dropped */
	__u64 rx_cut;		/* messages whose end was lost, dropped */
};

/* Counters of the calling session (M4RPC_IOC_SESSION_STATS). */
struct m4rpc_session_stats {
	__u64 rx_msgs;		/* messages queued for this session */
	__u64 rx_drops;		/* ... dropped, the queue being full */
	__u64 raw_bytes;	/* raw bytes queued (raw mode) */
	__u64 raw_drops;	/* ... dropped, the buffer being full */
	__u64 overflows;	/* EOVERFLOW reported */
	__u64 tx_msgs;		/* messages written */
	__u64 replies;		/* responses to its calls received */
	__u64 m4_calls;		/* requests from the M4 received */
	__u32 mode;		/* M4RPC_MODE_* */
	__u32 rx_queued;	/* messages (raw mode: bytes) to read */
	__u32 next_msg_len;	/* length of the next message, 0 none */
	__u32 tx_queued;	/* messages in the transmit queue */
	__u32 calls_pending;	/* its calls waiting for replies */
	__u32 m4_calls_pending;	/* M4 calls it has to answer */
	__u32 bindings;		/* methods bound */
	__u32 reserved0;
	__u64 reserved[4];
};

#define M4RPC_IOC_MAGIC		0xb9
#define M4RPC_IOC_INFO		_IOR(M4RPC_IOC_MAGIC, 1, struct m4rpc_info)
#define M4RPC_IOC_BIND		_IOW(M4RPC_IOC_MAGIC, 2, struct m4rpc_bind)
#define M4RPC_IOC_UNBIND	_IOW(M4RPC_IOC_MAGIC, 3, struct m4rpc_bind)
#define M4RPC_IOC_SET_MODE	_IOW(M4RPC_IOC_MAGIC, 4, __u32)
#define M4RPC_IOC_LINK_STATS	_IOR(M4RPC_IOC_MAGIC, 5, struct m4rpc_link_stats)
#define M4RPC_IOC_SESSION_STATS	_IOR(M4RPC_IOC_MAGIC, 6, struct m4rpc_session_stats)

#endif /* _UAPI_LINUX_M4RPC_H */
