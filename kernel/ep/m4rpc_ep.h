/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/m4rpcN endpoint as a client of a link, for the module
 * (kernel/m4rpc_main.c), which gives each link one:
 *
 *   module init:  m4rpc_ep_init() before the SPI driver is registered
 *   probe:        m4rpc_ep_add(link) between m4rpc_link_create() and
 *                 m4rpc_link_start(), so that the first link events reach
 *                 the endpoint; it attaches to the link (ERR_PTR(-EBUSY)
 *                 when another client holds it)
 *   remove:       m4rpc_ep_remove(ep) after m4rpc_link_unplug() and before
 *                 m4rpc_link_destroy() (it detaches, which waits for a
 *                 callback in progress)
 *   module exit:  m4rpc_ep_exit() after the SPI driver is unregistered
 *
 * Both add and remove sleep; neither may be called with a lock of the link
 * held.
 */
#ifndef M4RPC_EP_API_H
#define M4RPC_EP_API_H

struct m4rpc_ep;
struct m4rpc_link;

int m4rpc_ep_init(void);
void m4rpc_ep_exit(void);
struct m4rpc_ep *m4rpc_ep_add(struct m4rpc_link *link);
void m4rpc_ep_remove(struct m4rpc_ep *ep);

#endif /* M4RPC_EP_API_H */
