/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel clients of an endpoint: a session of the kernel's own on
 * /dev/m4rpcN's routing, for the layers above kernel/ep/ (the tty of
 * kernel/tty/). It binds one method as a session would (so the M4's
 * notifications of that method come to it and no session can bind the
 * method meanwhile) and makes calls that share the link's transmit queue
 * and wire window with the sessions' (ep_tx.c), in the same round robin.
 *
 * The callbacks run with the endpoint's lock held (ep.h), most of them on
 * the link worker's path: they must not sleep, must not call back into
 * this API, and allocate with GFP_NOWAIT at most. None comes after
 * m4rpc_ep_kclose() has returned.
 *
 * The rest of this API sleeps (it takes the endpoint's lock): call it from
 * process context, never from a callback.
 */
#ifndef M4RPC_EP_KCLIENT_H
#define M4RPC_EP_KCLIENT_H

#include <linux/types.h>
#include "mpack_scan.h"

struct device;
struct m4rpc_ep;
struct m4rpc_ep_ksess;

struct m4rpc_ep_kops {
	/* A notification of the bound method: @msg parsed into @env. */
	void (*notify)(void *priv, const u8 *msg, size_t len,
		       const struct m4rpc_mp_rpc_env *env);
	/*
	 * A call of m4rpc_ep_kcall() is over; @msgid is the one it was
	 * written with. @err: 0 the M4 answered with a nil error,
	 * -EREMOTEIO it answered with an error, -EHOSTDOWN the M4 stopped
	 * running RPC first, -EIO the reply was lost on the link.
	 */
	void (*done)(void *priv, u32 msgid, int err);
	/*
	 * The link resynchronised or is going away, or the M4 does not run
	 * RPC (any more): what the client sent may be lost. May come more
	 * than once.
	 */
	void (*down)(void *priv);
};

/*
 * A kernel session bound to @method (a NUL-terminated name of at most
 * M4RPC_NAME_MAX bytes). ERR_PTR: -EHOSTDOWN the M4 does not run RPC,
 * -EBUSY a session holds the binding, -ENODEV the endpoint is gone,
 * -ENOMEM.
 */
struct m4rpc_ep_ksess *m4rpc_ep_kopen(struct m4rpc_ep *ep, const char *method,
				      const struct m4rpc_ep_kops *ops,
				      void *priv);
/*
 * The binding goes, what it queued is dropped and the replies to its calls
 * will be dropped when they come (replies_unmatched): no callback follows.
 */
void m4rpc_ep_kclose(struct m4rpc_ep_ksess *ks);
/*
 * Queue one request [0, msgid, method, params] (the rules of write() in
 * <linux/m4rpc.h>, the msgid being the caller's own); it never waits.
 * 0, or -EAGAIN while the transmit queue or the calls of this session are
 * full (ops->done() of an earlier call follows: try again then),
 * -EHOSTDOWN, -ENODEV, -EMSGSIZE, -EINVAL (not such a request), -ENOMEM.
 */
int m4rpc_ep_kcall(struct m4rpc_ep_ksess *ks, const u8 *msg, size_t len);
/* Forget every pending call, queued ones too (no done() for them). */
void m4rpc_ep_kforget(struct m4rpc_ep_ksess *ks);

/* What a kernel client needs to know of its endpoint (fixed while bound). */
int m4rpc_ep_index(struct m4rpc_ep *ep);		/* N of /dev/m4rpcN */
size_t m4rpc_ep_max_tx(struct m4rpc_ep *ep);		/* info.max_tx_msg */
struct device *m4rpc_ep_hw_dev(struct m4rpc_ep *ep);	/* the SPI device */

#endif /* M4RPC_EP_KCLIENT_H */
