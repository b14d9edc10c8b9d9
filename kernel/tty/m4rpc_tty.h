/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/ttyM4RPCn, the M4 sketch's Serial as a serial port, for the module
 * (kernel/m4rpc_main.c), which gives every endpoint one:
 *
 *   module init:  m4rpc_tty_init() (the tty driver) after m4rpc_ep_init()
 *   probe:        m4rpc_tty_add(ep) after m4rpc_ep_add()
 *   remove:       m4rpc_tty_remove(tty) after m4rpc_link_unplug() and
 *                 before m4rpc_ep_remove(): it hangs the tty up and leaves
 *                 the endpoint for good; open files keep the rest
 *   module exit:  m4rpc_tty_exit() before m4rpc_ep_exit()
 *
 * add and remove sleep.
 */
#ifndef M4RPC_TTY_API_H
#define M4RPC_TTY_API_H

struct m4rpc_ep;
struct m4rpc_tty;

int m4rpc_tty_init(void);
void m4rpc_tty_exit(void);
struct m4rpc_tty *m4rpc_tty_add(struct m4rpc_ep *ep);
void m4rpc_tty_remove(struct m4rpc_tty *tty);

#endif /* M4RPC_TTY_API_H */
