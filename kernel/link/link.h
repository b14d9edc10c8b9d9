/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The link's API (kernel/README.md draws the layers). The link is a
 * transport for the UI channel (peripheral 0x0A) of one H7; link_priv.h
 * says how it works. It knows nothing of its clients: the module
 * (kernel/m4rpc_main.c) creates a link per SPI device, attaches a client
 * (the /dev/m4rpcN endpoint, kernel/ep/, or the test client, kernel/test/)
 * and starts it.
 *
 * Transmit is a pull model: the client says it has something with
 * m4rpc_link_tx_kick(), and the link's worker calls ops->ui_tx_pull() each
 * time it has room in a frame it is allowed to fill, so the client decides
 * which session goes next and nothing is queued twice. Received UI bytes
 * are handed to ops->ui_rx() in wire order.
 *
 * Every callback runs in the link's worker (process context) with the
 * link's client mutex held: it may take the client's own locks and sleep
 * briefly, but must not call m4rpc_link_attach()/detach() (deadlock) and
 * should not block: the worker owns the SPI bus and the H7 waits for it.
 * m4rpc_link_tx_kick() and the getters may be called from anywhere
 * (no lock of the link is held while they run, except the spinlocks they
 * take themselves).
 */
#ifndef M4RPC_LINK_H
#define M4RPC_LINK_H

#include <linux/types.h>
#include <linux/m4rpc.h>	/* M4RPC_M4_*: the M4 states, the wire's values */

struct device;
struct m4rpc_link;
struct spi_device;

/*
 * A link's life, for the module (kernel/m4rpc_main.c), in this order:
 * create (from probe; ERR_PTR on failure; @owner is the caller's, given
 * back by m4rpc_link_owner()), clients attach, start (the worker begins:
 * the H7 is asked for its version, UID and M4 state), ... unplug (no
 * client can attach any more, waiters return), clients detach, destroy
 * (stops everything and drops the caller's reference). destroy may follow
 * create directly when start failed or never ran. All of them sleep.
 */
struct m4rpc_link *m4rpc_link_create(struct spi_device *spi, void *owner);
int m4rpc_link_start(struct m4rpc_link *link);
void m4rpc_link_unplug(struct m4rpc_link *link);
void m4rpc_link_destroy(struct m4rpc_link *link);
/* The link bound to @spi (between create and destroy), and its owner. */
struct m4rpc_link *m4rpc_link_of(struct spi_device *spi);
void *m4rpc_link_owner(struct m4rpc_link *link);

/*
 * The largest UI message the link carries in every nIRQ mode: 252 subframe
 * bytes per frame minus the UI subframe's header (4) and the BOOT_M4
 * request (4) that a frame carrying data ends with, as the acknowledgment
 * that lets the link know when the H7 has processed the frame (see
 * link_priv.h).
 */
#define M4RPC_LINK_UI_MTU	244
/*
 * The largest UI message the H7 takes (one subframe). In level mode the
 * line alone proves that a frame was processed, so a 245..248-byte message
 * travels in a frame of its own without the BOOT_M4 request;
 * m4rpc_link_ui_max() says which of the two limits a link has.
 */
#define M4RPC_LINK_UI_MAX	248

/* Link events for ops->state(). */
enum m4rpc_link_event {
	/* The H7 answered (again): fw_version, uid and M4 state are known. */
	M4RPC_LINK_UP,
	/* The M4's state (BOOT_M4 reply, @m4_state) changed. */
	M4RPC_LINK_M4_STATE,
	/*
	 * The H7's UID (m4rpc_link_uid()) or firmware version became known
	 * or changed: it may come after UP, as a reply dropped for room is
	 * asked again, and a resynchronisation may find another board.
	 */
	M4RPC_LINK_INFO,
	/*
	 * The link resynchronised (H7 reset, H7 not answering, frames
	 * rejected in a row): UI messages sent since the last acknowledged
	 * frame may not have reached the M4, and received bytes may be
	 * missing (ui_lost() was called too).
	 */
	M4RPC_LINK_RESYNC,
	/* The device is going away: no callback follows. */
	M4RPC_LINK_DOWN,
};

struct m4rpc_link_ops {
	/*
	 * Copy the next whole UI message into @buf and return its length
	 * (1..@room, @room <= M4RPC_LINK_UI_MAX); return 0 when nothing is
	 * waiting, or -EMSGSIZE when the next message is longer than @room
	 * (it stays queued for the next frame). A message pulled is gone from
	 * the client: the link delivers it at most once.
	 */
	int (*ui_tx_pull)(void *priv, u8 *buf, size_t room);
	/*
	 * UI bytes from the M4, in order; @data is valid during the call.
	 * Return 0, or -ENOBUFS when the bytes could not be taken (the link
	 * counts them as overflow drops; the client knows its stream has a
	 * hole).
	 */
	int (*ui_rx)(void *priv, const u8 *data, size_t len);
	/* Bytes of the M4-to-Linux UI stream were lost at this point. */
	void (*ui_lost)(void *priv);
	/*
	 * Optional. What the H7's frames say of this point of the UI stream
	 * (between two UI chunks of a frame, or after a frame's last one):
	 * @hole_possible, the frame held over 124 subframe bytes here, no
	 * room for a whole chunk, so the H7 may have dropped one here,
	 * silently (a smaller one may follow it in the same frame);
	 * @drained, the frame's last UI chunk was shorter than a whole one
	 * (128), so the H7's ring was empty after it: the M4 had sent
	 * nothing more by then, and a message still open here has lost bytes.
	 */
	void (*ui_mark)(void *priv, bool hole_possible, bool drained);
	/* A link event; @m4_state is the current BOOT_M4 value. */
	void (*state)(void *priv, enum m4rpc_link_event ev, int m4_state);
};

/*
 * One client per link. attach: -EBUSY when one is attached, -ENODEV when
 * the link is going away. detach waits until no callback runs.
 */
int m4rpc_link_attach(struct m4rpc_link *link,
		      const struct m4rpc_link_ops *ops, void *priv);
void m4rpc_link_detach(struct m4rpc_link *link);

/* The client has UI messages: the worker will pull them. */
void m4rpc_link_tx_kick(struct m4rpc_link *link);

/* The last BOOT_M4 value (M4RPC_M4_*), or M4RPC_M4_UNKNOWN. */
int m4rpc_link_m4_state(struct m4rpc_link *link);

/*
 * Whether the H7's firmware clips every frame it receives to its first
 * subframe header (built from master at 53df799, docs/x8h7-link.md "Known
 * defects"): nothing Linux sends the M4 can arrive intact.
 */
bool m4rpc_link_fw_clips(struct m4rpc_link *link);

/*
 * The H7 firmware's version string into @buf (NUL-terminated, "" while
 * unknown); returns its length.
 */
size_t m4rpc_link_fw_version(struct m4rpc_link *link, char *buf, size_t size);

/*
 * The H7's UID, M4RPC_LINK_UID_LEN bytes as 24 lowercase hex digits, into
 * @buf (NUL-terminated, "" while unknown); returns its length.
 */
#define M4RPC_LINK_UID_LEN	12
size_t m4rpc_link_uid(struct m4rpc_link *link, char *buf, size_t size);

/*
 * The longest UI message this link carries: M4RPC_LINK_UI_MAX in level
 * mode, M4RPC_LINK_UI_MTU otherwise. Fixed from probe to remove.
 */
size_t m4rpc_link_ui_max(struct m4rpc_link *link);

/* The SPI device of the link (for names and dev_* messages). */
struct device *m4rpc_link_dev(struct m4rpc_link *link);

/*
 * References: the link's memory lives until the last put; after the device
 * is removed every call above fails or does nothing.
 */
void m4rpc_link_get(struct m4rpc_link *link);
void m4rpc_link_put(struct m4rpc_link *link);

#endif /* M4RPC_LINK_H */
