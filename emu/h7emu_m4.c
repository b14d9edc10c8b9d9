// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The M4 core and Arduino's RPC library on it (spec, "The M4 side" and
 * "Peripheral 0x0A"): rpmsg buffers from the H7, one msgpack-rpc message
 * decoded per rpmsg message, rpclib's dispatcher with its exact error
 * strings, and what the M4 sends, straight into the H7's ring.
 */
#include <stdarg.h>

#include "h7emu_priv.h"

/* Queue a message without looking at the free buffers (boot greeting). */
static void m4_queue(struct m4_state *m, enum m4_ep ep, const u8 *data,
		     size_t len, u64 t_ns)
{
	struct m4_msg *msg;

	msg = &m->inbox[(m->in_head + m->in_len) % H7EMU_M4_SLOTS_MAX];
	msg->arrival_ns = t_ns;
	msg->ep = ep;
	msg->len = len;
	memcpy(msg->data, data, len);
	m->in_len++;
}

void h7emu__m4_boot(struct h7emu *e)
{
	struct m4_state *m = &e->m4;
	int state = m->state;
	static const u8 greeting;

	memset(m, 0, sizeof(*m));
	m->state = state;
	if (state != H7EMU_M4_RUNNING)
		return;
	e->st.m4_boots++;
	/*
	 * The H7 greets each endpoint with one 0x00 byte so that the M4
	 * learns its address; the M4 swallows it. It is an H7 -> M4 message:
	 * nothing of it crosses the SPI wire.
	 */
	m4_queue(m, EP_RPC, &greeting, 1, 0);
	m4_queue(m, EP_RAW, &greeting, 1, 0);
}

int h7emu__m4_deliver(struct h7emu *e, enum m4_ep ep, const u8 *data,
		       size_t len, u64 t_ns)
{
	struct m4_state *m = &e->m4;

	/* No endpoint: OpenAMP's send fails and the H7 drops the message. */
	if (m->state != H7EMU_M4_RUNNING)
		return -ENODEV;
	if (len > X8H7_SUB_DATA_MAX)
		len = X8H7_SUB_DATA_MAX;
	/* Let the M4 take what it has finished with by now. */
	if (m->in_len >= e->cfg.m4_slots)
		h7emu__m4_work(e, t_ns);
	if (m->in_len >= e->cfg.m4_slots || m->in_len >= H7EMU_M4_SLOTS_MAX)
		return -EAGAIN;
	m4_queue(m, ep, data, len, t_ns);
	return 0;
}

/*
 * The H7's rpmsg interrupt copies each message into the ring at once, and
 * ends the main loop's WFI (spec, "When the main loop runs"). When the M4
 * runs on its own (h7emu__h7c_advance()), the pass woken by its previous
 * message runs before this one arrives: one chunk per message. Inside a
 * pass the wake-up waits for the pass to end, as an interrupt would.
 */
void h7emu__m4_send(struct h7emu *e, enum m4_ep ep, const void *buf, size_t n)
{
	size_t over;

	if (e->m4_each && e->wake && !e->in_pass)
		h7emu__h7c_pass(e, e->wake_ns > e->last_ns ? e->wake_ns :
				e->last_ns);
	h7emu__sent_add(e, ep == EP_RAW, buf, n);
	over = h7emu__ring_push(&e->ring, buf, n);
	h7emu__h7c_wake(e, e->m4_now);
	e->st.ring_bytes_in += n;
	e->st.ring_bytes_overwritten += over;
	if (ep == EP_RAW)
		e->st.m4_raw_bytes_out += n;
	else
		e->st.m4_msgs_out++;
}

void h7emu__m4_send_packed(struct h7emu *e, msgpack_sbuffer *sb)
{
	h7emu__m4_send(e, EP_RPC, sb->data, sb->size);
}

static void pack_str(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void h7emu__m4_notify_bin(struct h7emu *e, const char *method, const u8 *bin,
			  size_t n)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 2);
	pack_str(&pk, method, strlen(method));
	msgpack_pack_array(&pk, 1);
	msgpack_pack_bin(&pk, n);
	msgpack_pack_bin_body(&pk, bin, n);
	h7emu__m4_send_packed(e, &sb);
	e->st.m4_notifications_out++;
	msgpack_sbuffer_destroy(&sb);
}

/* On the X8 the M4's Serial is RPC: one notification per write(). */
void h7emu__m4_serial_write(struct h7emu *e, const u8 *buf, size_t n)
{
	h7emu__m4_notify_bin(e, "tty", buf, n);
}

static const struct m4_method *m4_find(struct h7emu *e, const char *name,
				       size_t n)
{
	const struct m4_method *mt = h7emu__sketch_get(e->cfg.sketch)->methods;

	for (; mt->name; mt++)
		if (strlen(mt->name) == n && !memcmp(mt->name, name, n))
			return mt;
	return NULL;
}

/* rpclib converts the method name to std::string: str or bin. */
static bool m4_name(const msgpack_object *o, const char **name, size_t *n)
{
	if (o->type == MSGPACK_OBJECT_STR) {
		*name = o->via.str.ptr;
		*n = o->via.str.size;
		return true;
	}
	if (o->type == MSGPACK_OBJECT_BIN) {
		*name = o->via.bin.ptr;
		*n = o->via.bin.size;
		return true;
	}
	return false;
}

static void m4_reply_error(struct h7emu *e, u32 msgid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void m4_reply_error(struct h7emu *e, u32 msgid, const char *fmt, ...)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char err[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(err))
		n = sizeof(err) - 1;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	/* rpclib's response: [1, msgid, error, nil] */
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, 1);
	msgpack_pack_uint32(&pk, msgid);
	pack_str(&pk, err, n);
	msgpack_pack_nil(&pk);
	h7emu__m4_send_packed(e, &sb);
	e->st.m4_errors++;
	msgpack_sbuffer_destroy(&sb);
}

/*
 * Names are printed with %.*s: the int cast is safe, a name lies inside a
 * 248-byte message.
 */
static void m4_call_in(struct h7emu *e, const msgpack_object_array *a)
{
	const struct m4_method *mt;
	const msgpack_object *args = &a->ptr[3];
	msgpack_sbuffer res, sb;
	msgpack_packer pk;
	const char *name;
	size_t n;
	u32 argc, msgid;

	/* What rpclib's conversion to (int, uint32, string, object) and
	 * its args.via.array would not survive: no reply (spec is silent). */
	if (a->ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a->ptr[1].via.u64 > UINT32_MAX || !m4_name(&a->ptr[2], &name, &n) ||
	    args->type != MSGPACK_OBJECT_ARRAY) {
		e->st.m4_malformed++;
		return;
	}
	msgid = a->ptr[1].via.u64;
	argc = args->via.array.size;
	e->st.m4_calls_in++;
	mt = m4_find(e, name, n);
	if (!mt) {
		m4_reply_error(e, msgid,
			       "rpclib: server could not find function '%.*s' with argument count %u.",
			       (int)n, name, argc);
		return;
	}
	if (argc != mt->argc) {
		m4_reply_error(e, msgid,
			       "rpclib: Function '%.*s' was called with an invalid number of arguments. Expected: %u, got: %u",
			       (int)n, name, mt->argc, argc);
		return;
	}
	msgpack_sbuffer_init(&res);
	msgpack_packer_init(&pk, &res, msgpack_sbuffer_write);
	if (mt->fn(e, args->via.array.ptr, &pk)) {
		/*
		 * An argument that does not convert: msgpack-c throws
		 * type_error (a std::bad_cast) and rpclib answers with its
		 * exception text. The spec gives only the two errors above;
		 * this one is rpclib's wording.
		 */
		m4_reply_error(e, msgid,
			       "rpclib: function '%.*s' (called with %u arg(s)) threw an exception. The exception contained this information: std::bad_cast.",
			       (int)n, name, argc);
		msgpack_sbuffer_destroy(&res);
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, 1);
	msgpack_pack_uint32(&pk, msgid);
	msgpack_pack_nil(&pk);
	msgpack_sbuffer_write(&sb, res.data, res.size);
	h7emu__m4_send_packed(e, &sb);
	e->st.m4_answered++;
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&res);
}

static void m4_notification_in(struct h7emu *e, const msgpack_object_array *a)
{
	const struct m4_method *mt;
	msgpack_sbuffer res;
	msgpack_packer pk;
	const char *name;
	size_t n;

	if (!m4_name(&a->ptr[1], &name, &n) ||
	    a->ptr[2].type != MSGPACK_OBJECT_ARRAY) {
		e->st.m4_malformed++;
		return;
	}
	e->st.m4_notifications_in++;
	mt = m4_find(e, name, n);
	/* Unknown method or wrong count: rpclib answers notifications never. */
	if (!mt || mt->argc != a->ptr[2].via.array.size)
		return;
	msgpack_sbuffer_init(&res);
	msgpack_packer_init(&pk, &res, msgpack_sbuffer_write);
	mt->fn(e, a->ptr[2].via.array.ptr, &pk);
	msgpack_sbuffer_destroy(&res);
}

static void m4_response_in(struct h7emu *e, const msgpack_object_array *a,
			   const u8 *data, size_t len)
{
	struct m4_state *m = &e->m4;

	memcpy(m->last_response, data, len);
	m->last_response_len = len;
	if (m->call_pending &&
	    a->ptr[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    a->ptr[1].via.u64 == H7EMU_M4_THREAD_HANDLE) {
		m->call_pending = false;
		e->st.m4_responses_in++;
		return;
	}
	e->st.m4_responses_unmatched++;
}

/*
 * One rpmsg message on the "rpc" endpoint. The library decodes each message
 * on its own, from its first byte: one whole msgpack-rpc message, starting
 * with its fixarray byte. A second message in the same rpmsg message is
 * never seen; a message split over two is undecodable, and its second half
 * does not start with 0x93/0x94 (or does by chance and decodes as garbage).
 */
static void m4_rpc_in(struct h7emu *e, const u8 *data, size_t len)
{
	const msgpack_object_array *a;
	msgpack_unpack_return r;
	msgpack_unpacked u;
	size_t off = 0;
	u64 type;

	if (!len || (data[0] != 0x93 && data[0] != 0x94)) {
		e->st.m4_ignored++;	/* neither 3 nor 4 elements */
		return;
	}
	msgpack_unpacked_init(&u);
	r = msgpack_unpack_next(&u, (const char *)data, len, &off);
	if (r != MSGPACK_UNPACK_SUCCESS && r != MSGPACK_UNPACK_EXTRA_BYTES) {
		e->st.m4_malformed++;
		goto out;
	}
	if (off < len)
		e->st.m4_trailing++;
	a = &u.data.via.array;
	if (a->ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
		e->st.m4_malformed++;
		goto out;
	}
	type = a->ptr[0].via.u64;
	if (a->size == 4 && type == 0)
		m4_call_in(e, a);
	else if (a->size == 4 && type == 1)
		m4_response_in(e, a, data, off);
	else if (a->size == 3 && type == 2)
		m4_notification_in(e, a);
	else
		e->st.m4_ignored++;
out:
	msgpack_unpacked_destroy(&u);
}

static void m4_take(struct h7emu *e, const struct m4_msg *msg)
{
	e->st.m4_msgs_in++;
	if (msg->len == 1 && msg->data[0] == 0x00) {
		e->st.m4_greetings++;
		return;
	}
	/* Nothing reads the raw endpoint in our sketches (RPC.read()). */
	if (msg->ep == EP_RAW)
		return;
	m4_rpc_in(e, msg->data, msg->len);
}

void h7emu__m4_work(struct h7emu *e, u64 t_ns)
{
	struct m4_state *m = &e->m4;
	const struct sketch_def *sk = h7emu__sketch_get(e->cfg.sketch);
	u64 slow = (u64)e->cfg.faults.slow_m4_ms * NS_PER_MS;
	struct m4_msg msg;

	if (m->state != H7EMU_M4_RUNNING || e->m4_busy)
		return;
	e->m4_busy = true;
	e->m4_now = t_ns;
	if (t_ns > e->last_ns)
		e->last_ns = t_ns;
	/* In a long loop() (tty_loop_ms) no message is taken, nor loops. */
	if (t_ns < m->loop_busy_until_ns) {
		h7emu__sketch_gen(e, t_ns);
		e->m4_busy = false;
		return;
	}
	while (m->in_len) {
		struct m4_msg *head = &m->inbox[m->in_head];
		u64 start = head->arrival_ns > m->last_done_ns ?
			    head->arrival_ns : m->last_done_ns;

		/* A slow M4 holds each message (and its buffer) this long. */
		if (slow && start + slow > t_ns)
			break;
		m->last_done_ns = slow ? start + slow : t_ns;
		msg = *head;
		m->in_head = (m->in_head + 1) % H7EMU_M4_SLOTS_MAX;
		m->in_len--;
		m4_take(e, &msg);
	}
	if (m->call_pending && m->call_deadline_ns && t_ns >= m->call_deadline_ns) {
		m->call_pending = false;
		e->st.m4_call_timeouts++;
	}
	if (sk->loop)
		sk->loop(e, t_ns);
	h7emu__sketch_gen(e, t_ns);
	e->m4_busy = false;
}

u64 h7emu__m4_due_ns(struct h7emu *e)
{
	const struct m4_state *m = &e->m4;
	u64 slow = (u64)e->cfg.faults.slow_m4_ms * NS_PER_MS;
	u64 due = UINT64_MAX, start;

	if (m->state != H7EMU_M4_RUNNING)
		return UINT64_MAX;
	if (m->in_len) {
		start = m->inbox[m->in_head].arrival_ns;
		if (start < m->last_done_ns)
			start = m->last_done_ns;
		due = slow ? start + slow : start;
		if (due < m->loop_busy_until_ns)
			due = m->loop_busy_until_ns;
	}
	if (h7emu__sketch_gen_due(e) < due)
		due = h7emu__sketch_gen_due(e);
	if (m->call_pending && m->call_deadline_ns && m->call_deadline_ns < due)
		due = m->call_deadline_ns;
	if (e->cfg.sketch == H7EMU_SKETCH_TRAFFIC && e->cfg.traffic.rate &&
	    !m->call_pending) {
		if (!m->traffic_started)
			return 0;
		if (m->traffic_next_ns < due)
			due = m->traffic_next_ns;
	}
	return due;
}
