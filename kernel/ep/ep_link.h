/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the link driver (kernel/link/link_main.c) calls to give each link its
 * /dev/m4rpcN endpoint (kernel/ep/). The endpoint is the link's client
 * (link.h): m4rpc_ep_add() attaches it, m4rpc_ep_remove() detaches it.
 *
 *   module init:  m4rpc_ep_init() before the SPI driver is registered
 *   probe:        m4rpc_ep_add(link), from before the worker starts (so the
 *                 first link events reach the endpoint) to any time after;
 *                 -EBUSY from m4rpc_link_attach() (another client, e.g. the
 *                 debugfs test client, holds the link) is not an error: the
 *                 link then has no /dev/m4rpcN, and dmesg says so
 *   remove:       m4rpc_ep_remove(link) first, before anything of the link
 *                 is torn down (it detaches, which waits for callbacks)
 *   module exit:  m4rpc_ep_exit() after the SPI driver is unregistered
 *
 * Both add and remove sleep; neither may be called with a lock of the link
 * held.
 */
#ifndef M4RPC_EP_LINK_H
#define M4RPC_EP_LINK_H

struct m4rpc_link;

int m4rpc_ep_init(void);
void m4rpc_ep_exit(void);
int m4rpc_ep_add(struct m4rpc_link *link);
void m4rpc_ep_remove(struct m4rpc_link *link);

#endif /* M4RPC_EP_LINK_H */
