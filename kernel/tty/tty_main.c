// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ttyM4RPCn: the tty driver of m4rpc.ko, one line per endpoint, and
 * the life of each line (locks and lifetime in tty.h).
 *
 * The line's number is the endpoint's (/dev/m4rpcN has /dev/ttyM4RPCN)
 * unless a line of a board gone is still held open under that number;
 * then it is the first free one. Its device's parent is the board's SPI
 * device, so udev can name it by the board (udev/60-m4rpc.rules).
 *
 * Open: the first open of the port takes the endpoint's "tty" binding
 * (mtty_activate()); it fails with EBUSY while a /dev/m4rpcN session holds
 * it, with EHOSTDOWN while the M4 does not run RPC, with ENODEV once the
 * board is gone. The last close waits (closing_wait, 30 s by default) for
 * the sketch to have every byte written, then gives the binding back
 * (mtty_shutdown()).
 *
 * Hangup: when the link resynchronises or goes down or the M4 stops
 * running RPC while the port is open, and when the board goes away
 * (m4rpc_tty_remove()); the open files then read EOF and fail writes
 * with EIO, as on a serial port whose device went, and must be reopened.
 *
 * termios: accepted as set. Raw mode and the rest of the line discipline
 * are the tty core's; rates, sizes, parity and flow control mean nothing
 * on this link and are kept as given, so that programs that set and
 * check them (stty, pyserial, picocom) are content. The line starts raw
 * (no echo, no CR/LF translation, 115200 8N1, CLOCAL), so that `cat` shows
 * the sketch's bytes as they are and nothing is echoed back to it.
 */
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "tty.h"
#include "m4rpc_tty.h"
#include "../ep/m4rpc_ep_kclient.h"

struct tty_driver *m4rpc_tty_driver;

/* The lines by number, for install; a slot is freed by mtty_destruct(). */
static DEFINE_MUTEX(mtty_table_lock);
static struct m4rpc_tty *mtty_table[TTY_LINES];

/* ---- the port ------------------------------------------------------------ */

static int mtty_activate(struct tty_port *port, struct tty_struct *tty)
{
	struct m4rpc_tty *t = container_of(port, struct m4rpc_tty, port);
	struct m4rpc_ep_ksess *ks;
	int ret = 0;

	mutex_lock(&t->lock);
	if (t->dead) {
		ret = -ENODEV;
	} else {
		m4rpc_tty_reset_io(t);
		ks = m4rpc_ep_kopen(t->ep, "tty", &m4rpc_tty_kops, t);
		if (IS_ERR(ks))
			ret = PTR_ERR(ks);
		else
			t->ks = ks;
	}
	mutex_unlock(&t->lock);
	return ret;
}

static void mtty_shutdown(struct tty_port *port)
{
	struct m4rpc_tty *t = container_of(port, struct m4rpc_tty, port);

	mutex_lock(&t->lock);
	if (t->ks) {
		m4rpc_ep_kclose(t->ks);
		t->ks = NULL;
	}
	mutex_unlock(&t->lock);
	/* It does nothing without a session, and is not re-armed now. */
	cancel_delayed_work_sync(&t->tx_work);
	mutex_lock(&t->lock);
	m4rpc_tty_reset_io(t);
	mutex_unlock(&t->lock);
}

static void mtty_destruct(struct tty_port *port)
{
	struct m4rpc_tty *t = container_of(port, struct m4rpc_tty, port);

	mutex_lock(&mtty_table_lock);
	mtty_table[t->index] = NULL;
	mutex_unlock(&mtty_table_lock);
	cancel_delayed_work_sync(&t->tx_work);
	kfifo_free(&t->xmit);
	kfree(t->msg);
	kfree(t);
}

static const struct tty_port_operations mtty_port_ops = {
	.activate	= mtty_activate,
	.shutdown	= mtty_shutdown,
	.destruct	= mtty_destruct,
};

/* ---- the tty ------------------------------------------------------------- */

/* The line's port, referenced by the tty until cleanup. */
static int mtty_install(struct tty_driver *driver, struct tty_struct *tty)
{
	struct tty_port *port = NULL;
	struct m4rpc_tty *t;
	int ret;

	mutex_lock(&mtty_table_lock);
	t = mtty_table[tty->index];
	if (t)
		port = tty_port_get(&t->port);
	mutex_unlock(&mtty_table_lock);
	if (!port)
		return -ENODEV;
	tty->driver_data = t;
	ret = tty_port_install(port, driver, tty);
	if (ret)
		tty_port_put(port);
	return ret;
}

static void mtty_cleanup(struct tty_struct *tty)
{
	tty_port_put(tty->port);
}

static int mtty_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(tty->port, tty, filp);
}

static void mtty_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(tty->port, tty, filp);
}

static void mtty_hangup(struct tty_struct *tty)
{
	tty_port_hangup(tty->port);
}

/*
 * Modem lines, for the programs that set or show them (pyserial, picocom):
 * DTR and RTS are kept as set; DSR, CTS and CD are up, as a port that is
 * open has the M4 running RPC (it hangs up when not).
 */
static int mtty_tiocmget(struct tty_struct *tty)
{
	struct m4rpc_tty *t = tty->driver_data;

	return READ_ONCE(t->mctrl) | TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
}

static int mtty_tiocmset(struct tty_struct *tty, unsigned int set,
			 unsigned int clear)
{
	struct m4rpc_tty *t = tty->driver_data;
	unsigned int keep = TIOCM_DTR | TIOCM_RTS;

	mutex_lock(&t->lock);
	t->mctrl = (t->mctrl & ~(clear & keep)) | (set & keep);
	mutex_unlock(&t->lock);
	return 0;
}

/* Everything is accepted and kept (see the top of this file). */
static void mtty_set_termios(struct tty_struct *tty,
			     const struct ktermios *old)
{
}

static const struct tty_operations mtty_ops = {
	.install	= mtty_install,
	.cleanup	= mtty_cleanup,
	.open		= mtty_open,
	.close		= mtty_close,
	.hangup		= mtty_hangup,
	.write		= m4rpc_tty_write,
	.write_room	= m4rpc_tty_write_room,
	.chars_in_buffer = m4rpc_tty_chars_in_buffer,
	.flush_buffer	= m4rpc_tty_flush_buffer,
	.set_termios	= mtty_set_termios,
	.tiocmget	= mtty_tiocmget,
	.tiocmset	= mtty_tiocmset,
};

/* ---- lines --------------------------------------------------------------- */

/* The endpoint's number if free, else the first free one; or -ENOSPC. */
static int mtty_take_index(struct m4rpc_tty *t, int want)
{
	int i;

	lockdep_assert_held(&mtty_table_lock);
	if (want >= 0 && want < TTY_LINES && !mtty_table[want]) {
		mtty_table[want] = t;
		return want;
	}
	for (i = 0; i < TTY_LINES; i++) {
		if (!mtty_table[i]) {
			mtty_table[i] = t;
			return i;
		}
	}
	return -ENOSPC;
}

struct m4rpc_tty *m4rpc_tty_add(struct m4rpc_ep *ep)
{
	struct device *hw = m4rpc_ep_hw_dev(ep);
	struct m4rpc_tty *t;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	/* A bin8 of at most 255 bytes per call. */
	t->chunk_max = min_t(size_t, m4rpc_ep_max_tx(ep) - TTY_CALL_OVERHEAD,
			     255);
	t->msg = kmalloc(m4rpc_ep_max_tx(ep), GFP_KERNEL);
	ret = kfifo_alloc(&t->xmit, TTY_XMIT_SIZE, GFP_KERNEL);
	if (ret || !t->msg) {
		if (!ret)
			kfifo_free(&t->xmit);
		kfree(t->msg);
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&t->lock);
	spin_lock_init(&t->fifo_lock);
	INIT_DELAYED_WORK(&t->tx_work, m4rpc_tty_tx_work);
	t->ep = ep;
	tty_port_init(&t->port);
	t->port.ops = &mtty_port_ops;

	mutex_lock(&mtty_table_lock);
	t->index = mtty_take_index(t, m4rpc_ep_index(ep));
	mutex_unlock(&mtty_table_lock);
	if (t->index < 0) {
		ret = t->index;
		tty_port_destroy(&t->port);	/* no destruct: not counted */
		kfifo_free(&t->xmit);
		kfree(t->msg);
		kfree(t);
		return ERR_PTR(ret);
	}
	/* From here on the port's last put frees everything. */
	t->dev = tty_port_register_device_attr(&t->port, m4rpc_tty_driver,
					       t->index, hw, t,
					       m4rpc_tty_groups);
	if (IS_ERR(t->dev)) {
		ret = PTR_ERR(t->dev);
		tty_port_put(&t->port);
		return ERR_PTR(ret);
	}
	dev_info(hw, "serial port /dev/%s%d\n", m4rpc_tty_driver->name,
		 t->index);
	return t;
}

void m4rpc_tty_remove(struct m4rpc_tty *t)
{
	mutex_lock(&t->lock);
	t->dead = true;
	if (t->ks) {
		m4rpc_ep_kclose(t->ks);
		t->ks = NULL;
	}
	t->ep = NULL;
	mutex_unlock(&t->lock);
	tty_port_tty_hangup(&t->port, false);
	tty_unregister_device(m4rpc_tty_driver, t->index);
	tty_port_put(&t->port);
}

/* ---- the driver ---------------------------------------------------------- */

int m4rpc_tty_init(void)
{
	struct tty_driver *drv;
	int ret;

	drv = tty_alloc_driver(TTY_LINES, TTY_DRIVER_REAL_RAW |
			       TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(drv))
		return PTR_ERR(drv);
	drv->driver_name = "m4rpc";
	drv->name = "ttyM4RPC";
	drv->major = 0;		/* dynamic */
	drv->minor_start = 0;
	drv->type = TTY_DRIVER_TYPE_SERIAL;
	drv->subtype = SERIAL_TYPE_NORMAL;
	drv->init_termios = tty_std_termios;
	drv->init_termios.c_iflag = 0;
	drv->init_termios.c_oflag = 0;
	drv->init_termios.c_lflag = 0;
	drv->init_termios.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
	drv->init_termios.c_ispeed = 115200;
	drv->init_termios.c_ospeed = 115200;
	tty_set_operations(drv, &mtty_ops);
	ret = tty_register_driver(drv);
	if (ret) {
		tty_driver_kref_put(drv);
		return ret;
	}
	m4rpc_tty_driver = drv;
	return 0;
}

void m4rpc_tty_exit(void)
{
	tty_unregister_driver(m4rpc_tty_driver);
	tty_driver_kref_put(m4rpc_tty_driver);
}
