// SPDX-License-Identifier: GPL-2.0
/*
 * A session: one open() of /dev/m4rpcN, its read(), write(), poll() and
 * release (rules in <linux/m4rpc.h>, locks in ep.h).
 *
 * read() holds the session's read_lock across its wait and the copy to
 * userspace, so the message it copies stays at the head of the queue (and
 * stays queued when the copy faults or the buffer is too small). write()
 * copies and checks the message before taking ep->lock, waits for room
 * with no lock held, and commits everything (call record, msgid rewrite,
 * queueing) in one critical section, checking again what the wait assumed.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "m4rpc_compat.h"
#include "ep.h"

/* Called with ep->lock held: everyone rechecks its condition. */
void m4rpc_ep_wake_all(struct m4rpc_ep *ep)
{
	struct ep_session *sess;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(sess, &ep->sessions, node)
		wake_up_interruptible_all(&sess->wq);
}

/* The session lost a message: the next read() says so once. */
void m4rpc_ep_session_lost(struct m4rpc_ep *ep, struct ep_session *sess)
{
	lockdep_assert_held(&ep->lock);
	sess->stats.rx_drops++;
	ep->stats.rx_queue_drops++;
	WRITE_ONCE(sess->overflow, true);
	wake_up_interruptible(&sess->wq);
}

/*
 * Queue @msg for @sess (ep->lock held). Returns false when the queue was
 * full: @msg is the caller's to free, the loss is recorded.
 */
bool m4rpc_ep_deliver(struct m4rpc_ep *ep, struct ep_session *sess,
		      struct ep_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	if (sess->rx_count >= ep->rx_queue_len) {
		m4rpc_ep_session_lost(ep, sess);
		return false;
	}
	list_add_tail(&msg->node, &sess->rx);
	WRITE_ONCE(sess->rx_count, sess->rx_count + 1);
	sess->stats.rx_msgs++;
	wake_up_interruptible(&sess->wq);
	return true;
}

/* A zeroed session made ready for @ep (a file's, or a kernel client's). */
void m4rpc_ep_session_init(struct ep_session *sess, struct m4rpc_ep *ep)
{
	sess->ep = ep;
	init_waitqueue_head(&sess->wq);
	mutex_init(&sess->read_lock);
	INIT_LIST_HEAD(&sess->rx);
	INIT_LIST_HEAD(&sess->tx);
	INIT_LIST_HEAD(&sess->tx_node);
	INIT_LIST_HEAD(&sess->calls);
	INIT_LIST_HEAD(&sess->m4calls);
	sess->mode = M4RPC_MODE_MSG;
}

int m4rpc_ep_open(struct inode *inode, struct file *file)
{
	struct m4rpc_ep *ep = container_of(inode->i_cdev, struct m4rpc_ep,
					   cdev);
	struct ep_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return -ENOMEM;
	m4rpc_ep_session_init(sess, ep);

	mutex_lock(&ep->lock);
	if (ep->dead) {
		mutex_unlock(&ep->lock);
		kfree(sess);
		return -ENODEV;
	}
	list_add_tail(&sess->node, &ep->sessions);
	ep->stats.sessions++;
	get_device(&ep->dev);
	mutex_unlock(&ep->lock);

	file->private_data = sess;
	return stream_open(inode, file);
}

int m4rpc_ep_release(struct inode *inode, struct file *file)
{
	struct ep_session *sess = file->private_data;
	struct m4rpc_ep *ep = sess->ep;
	struct ep_msg *msg, *tmp;
	bool kick;

	mutex_lock(&ep->lock);
	list_del(&sess->node);
	ep->stats.sessions--;
	m4rpc_ep_session_unbind_all(ep, sess);
	m4rpc_ep_session_drop_calls(ep, sess);	/* may queue kernel errors */
	m4rpc_ep_tx_purge_session(ep, sess);
	kick = !ep->dead && (ep->ktx_count || ep->tx_total);
	mutex_unlock(&ep->lock);
	if (kick)
		m4rpc_link_tx_kick(ep->link);

	list_for_each_entry_safe(msg, tmp, &sess->rx, node)
		kfree(msg);
	if (sess->raw_alloc)
		kfifo_free(&sess->raw);
	put_device(&ep->dev);
	kfree(sess);
	return 0;
}

/* ---- read --------------------------------------------------------------- */

static bool ep_readable(struct ep_session *sess)
{
	if (READ_ONCE(sess->overflow) || READ_ONCE(sess->ep->dead))
		return true;
	if (READ_ONCE(sess->mode) == M4RPC_MODE_RAW)
		return !kfifo_is_empty(&sess->raw);
	return READ_ONCE(sess->rx_count);
}

/* read_lock held. Returns the head message, or an error to return. */
/*
 * A loss since the last read is reported once, by the next read (EOVERFLOW),
 * then reads go on normally. Call with ep->lock held.
 */
static bool ep_take_overflow(struct ep_session *sess)
{
	lockdep_assert_held(&sess->ep->lock);
	if (!sess->overflow)
		return false;
	WRITE_ONCE(sess->overflow, false);
	sess->stats.overflows++;
	return true;
}

static struct ep_msg *ep_read_wait(struct ep_session *sess, bool nonblock)
{
	struct m4rpc_ep *ep = sess->ep;
	struct ep_msg *msg;
	bool dead;
	int ret;

	for (;;) {
		mutex_lock(&ep->lock);
		if (ep_take_overflow(sess)) {
			mutex_unlock(&ep->lock);
			return ERR_PTR(-EOVERFLOW);
		}
		msg = list_first_entry_or_null(&sess->rx, struct ep_msg, node);
		dead = ep->dead;
		mutex_unlock(&ep->lock);
		if (msg)
			return msg;
		if (dead)
			return ERR_PTR(-ENODEV);
		if (nonblock)
			return ERR_PTR(-EAGAIN);
		ret = wait_event_interruptible(sess->wq, ep_readable(sess));
		if (ret)
			return ERR_PTR(ret);
	}
}

static ssize_t ep_read_msg(struct ep_session *sess, char __user *buf,
			   size_t count, bool nonblock)
{
	struct m4rpc_ep *ep = sess->ep;
	struct ep_msg *msg;

	msg = ep_read_wait(sess, nonblock);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	/* Only this reader takes messages off the queue: msg stays. */
	if (count < msg->len)
		return -EMSGSIZE;
	if (copy_to_user(buf, msg->data, msg->len))
		return -EFAULT;
	count = msg->len;
	mutex_lock(&ep->lock);
	list_del(&msg->node);
	WRITE_ONCE(sess->rx_count, sess->rx_count - 1);
	mutex_unlock(&ep->lock);
	kfree(msg);
	return count;
}

static ssize_t ep_read_raw(struct ep_session *sess, char __user *buf,
			   size_t count, bool nonblock)
{
	struct m4rpc_ep *ep = sess->ep;
	unsigned int copied;
	int ret;

	for (;;) {
		mutex_lock(&ep->lock);
		if (ep_take_overflow(sess)) {
			mutex_unlock(&ep->lock);
			return -EOVERFLOW;
		}
		mutex_unlock(&ep->lock);
		if (!kfifo_is_empty(&sess->raw))
			break;
		if (READ_ONCE(ep->dead))
			return -ENODEV;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(sess->wq, ep_readable(sess));
		if (ret)
			return ret;
	}
	/* The single consumer of the kfifo (read_lock): no lock needed. */
	ret = kfifo_to_user(&sess->raw, buf, count, &copied);
	if (ret)
		return ret;
	return copied;
}

ssize_t m4rpc_ep_read(struct file *file, char __user *buf, size_t count,
		      loff_t *ppos)
{
	struct ep_session *sess = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	ssize_t ret;

	if (mutex_lock_interruptible(&sess->read_lock))
		return -ERESTARTSYS;
	if (sess->mode == M4RPC_MODE_RAW)
		ret = ep_read_raw(sess, buf, count, nonblock);
	else
		ret = ep_read_msg(sess, buf, count, nonblock);
	mutex_unlock(&sess->read_lock);
	return ret;
}

/* ---- write -------------------------------------------------------------- */

/*
 * Can the message be queued now (ep->lock held)? 0 yes, -EAGAIN not yet,
 * or the error write() fails with.
 */
int m4rpc_ep_write_check(struct m4rpc_ep *ep, struct ep_session *sess,
			 const struct m4rpc_mp_rpc_env *env,
			 struct ep_m4call **m4call)
{
	lockdep_assert_held(&ep->lock);
	if (ep->dead)
		return -ENODEV;
	/* Firmware 53df799 would hand the M4 garbage (link_h7.c). */
	if (m4rpc_link_fw_clips(ep->link))
		return -ENOEXEC;
	if (ep->m4_state != M4RPC_M4_RUNNING)
		return -EHOSTDOWN;
	/* Again under the lock: M4RPC_IOC_SET_MODE may have come between. */
	if (sess->mode == M4RPC_MODE_RAW && env->type != M4RPC_MP_RPC_NOTIFY)
		return -EINVAL;
	if (env->type == M4RPC_MP_RPC_RESPONSE) {
		*m4call = xa_load(&ep->m4calls, env->msgid);
		if (!*m4call || (*m4call)->sess != sess)
			return -EINVAL;
	}
	if (env->type == M4RPC_MP_RPC_REQUEST && sess->ncalls >= ep->calls_max)
		return -EAGAIN;
	return m4rpc_ep_tx_admit(ep, sess) ? 0 : -EAGAIN;
}

/* The wait's condition: m4rpc_ep_write_check() may say 0 now. */
static bool ep_writable(struct ep_session *sess, bool call)
{
	struct m4rpc_ep *ep = sess->ep;

	if (READ_ONCE(ep->dead) ||
	    READ_ONCE(ep->m4_state) != M4RPC_M4_RUNNING)
		return true;
	if (call && READ_ONCE(sess->ncalls) >= READ_ONCE(ep->calls_max))
		return false;
	return m4rpc_ep_tx_admit_lockless(ep, sess);
}

/* Commit (ep->lock held, m4rpc_ep_write_check() said 0). */
int m4rpc_ep_write_commit(struct m4rpc_ep *ep, struct ep_session *sess,
			  struct ep_msg *msg, const struct m4rpc_mp_rpc_env *env,
			  struct ep_call *call, struct ep_m4call *m4call)
{
	u32 wire;
	int len, ret;

	lockdep_assert_held(&ep->lock);
	switch (env->type) {
	case M4RPC_MP_RPC_REQUEST:
		ret = xa_alloc_cyclic(&ep->calls, &wire, call, xa_limit_32b,
				      &ep->next_call, GFP_KERNEL);
		if (ret < 0)
			return ret;
		/* Before the msgid moves the method. */
		m4rpc_ep_window_call(ep, call, msg->data + env->method_off,
				     env->method_len);
		len = m4rpc_msg_set_msgid(msg->data, ep->max_tx, msg->len,
					  env, wire);
		if (WARN_ON_ONCE(len < 0)) {	/* m4rpc_msg_check_tx() */
			xa_erase(&ep->calls, wire);
			return len;
		}
		call->sess = sess;
		call->wire_id = wire;
		call->user_msgid = env->msgid;
		msg->call = call;
		list_add_tail(&call->node, &sess->calls);
		WRITE_ONCE(sess->ncalls, sess->ncalls + 1);
		ep->ncalls++;
		ep->stats.tx_requests++;
		break;
	case M4RPC_MP_RPC_RESPONSE:
		len = m4rpc_msg_set_msgid(msg->data, ep->max_tx, msg->len,
					  env, m4call->m4_msgid);
		if (len < 0)
			return len;
		xa_erase(&ep->m4calls, m4call->id);
		list_del(&m4call->node);
		sess->nm4calls--;
		ep->nm4calls--;
		kfree(m4call);
		ep->stats.tx_responses++;
		break;
	default:
		len = msg->len;
		ep->stats.tx_notifications++;
		break;
	}
	msg->len = len;
	sess->stats.tx_msgs++;
	m4rpc_ep_tx_queue(ep, sess, msg);
	return 0;
}

ssize_t m4rpc_ep_write(struct file *file, const char __user *buf, size_t count,
		       loff_t *ppos)
{
	struct ep_session *sess = file->private_data;
	struct m4rpc_ep *ep = sess->ep;
	struct ep_m4call *m4call = NULL;
	struct m4rpc_mp_rpc_env env;
	struct ep_call *call = NULL;
	struct ep_msg *msg;
	bool is_call;
	int ret;

	if (count > ep->max_tx)
		return -EMSGSIZE;
	msg = m4rpc_ep_msg_alloc(ep->max_tx, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	if (copy_from_user(msg->data, buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	msg->len = count;
	ret = m4rpc_msg_check_tx(msg->data, count, ep->max_tx, &env);
	if (ret)
		goto out;
	/* A raw session could never read an answer. */
	if (READ_ONCE(sess->mode) == M4RPC_MODE_RAW &&
	    env.type != M4RPC_MP_RPC_NOTIFY) {
		ret = -EINVAL;
		goto out;
	}
	is_call = env.type == M4RPC_MP_RPC_REQUEST;
	if (is_call) {
		call = kzalloc(sizeof(*call), GFP_KERNEL);
		if (!call) {
			ret = -ENOMEM;
			goto out;
		}
	}

	for (;;) {
		mutex_lock(&ep->lock);
		ret = m4rpc_ep_write_check(ep, sess, &env, &m4call);
		if (!ret) {
			ret = m4rpc_ep_write_commit(ep, sess, msg, &env, call,
						    m4call);
			if (!ret) {
				msg = NULL;	/* queued */
				call = NULL;
			}
		}
		mutex_unlock(&ep->lock);
		if (ret != -EAGAIN)
			break;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		ret = wait_event_interruptible(sess->wq,
					       ep_writable(sess, is_call));
		if (ret)
			goto out;
	}
	if (!ret) {
		m4rpc_link_tx_kick(ep->link);
		ret = count;
	}
out:
	kfree(call);
	kfree(msg);
	return ret;
}

/* ---- poll --------------------------------------------------------------- */

__poll_t m4rpc_ep_poll(struct file *file, struct poll_table_struct *wait)
{
	struct ep_session *sess = file->private_data;
	struct m4rpc_ep *ep = sess->ep;
	__poll_t mask = 0;

	poll_wait(file, &sess->wq, wait);
	if (READ_ONCE(ep->dead))
		mask |= EPOLLHUP | EPOLLERR;
	if (READ_ONCE(sess->overflow) ||
	    (READ_ONCE(sess->mode) == M4RPC_MODE_RAW ?
	     !kfifo_is_empty(&sess->raw) : READ_ONCE(sess->rx_count)))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!READ_ONCE(ep->dead) && m4rpc_ep_tx_admit_lockless(ep, sess))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}
