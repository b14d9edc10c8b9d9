// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The built-in M4 sketches: the methods they bind with RPC.bind() and what
 * their loop() does. Arguments arrive as msgpack objects; a method fails
 * with -EINVAL where msgpack-c's conversion to its C++ parameter type would
 * throw.
 */
#include "h7emu_priv.h"

#define NS_PER_S	1000000000ull

/*
 * sensors: the X8 tutorial's demo sketch (python-rpc-sensors) returns
 * preset values instead of reading a BME680. Its Python side prints
 * "Temperature:  100", not "100.0", so the presets are integers:
 * msgpack-c packs them in the smallest form (100 fixint, 200 uint8,
 * 300/400/500 uint16).
 */
static int m_temperature(struct h7emu *e, const msgpack_object *argv,
			 msgpack_packer *pk)
{
	return msgpack_pack_int(pk, 100);
}

static int m_humidity(struct h7emu *e, const msgpack_object *argv,
		      msgpack_packer *pk)
{
	return msgpack_pack_int(pk, 200);
}

static int m_pressure(struct h7emu *e, const msgpack_object *argv,
		      msgpack_packer *pk)
{
	return msgpack_pack_int(pk, 300);
}

static int m_gas(struct h7emu *e, const msgpack_object *argv,
		 msgpack_packer *pk)
{
	return msgpack_pack_int(pk, 400);
}

static int m_altitude(struct h7emu *e, const msgpack_object *argv,
		      msgpack_packer *pk)
{
	return msgpack_pack_int(pk, 500);
}

/* led(bool): a void function, so rpclib's result is nil. msgpack-c
 * converts only a msgpack boolean to bool. */
static int m_led(struct h7emu *e, const msgpack_object *argv,
		 msgpack_packer *pk)
{
	if (argv[0].type != MSGPACK_OBJECT_BOOLEAN)
		return -EINVAL;
	e->m4.led = argv[0].via.boolean;
	return msgpack_pack_nil(pk);
}

/* echo(x): bound as a one-argument functor taking a msgpack::object (an
 * rpclib method has a fixed arity), returned as it came, re-packed by
 * msgpack-c in its smallest form. */
static int m_echo(struct h7emu *e, const msgpack_object *argv,
		  msgpack_packer *pk)
{
	return msgpack_pack_object(pk, argv[0]);
}

/* tty(bytes): text sent to the M4's Serial, a bin or a str. */
static int m_tty(struct h7emu *e, const msgpack_object *argv,
		 msgpack_packer *pk)
{
	struct m4_state *m = &e->m4;
	const char *p;
	size_t n;

	if (argv[0].type == MSGPACK_OBJECT_BIN) {
		p = argv[0].via.bin.ptr;
		n = argv[0].via.bin.size;
	} else if (argv[0].type == MSGPACK_OBJECT_STR) {
		p = argv[0].via.str.ptr;
		n = argv[0].via.str.size;
	} else {
		return -EINVAL;
	}
	/* Serial's receive buffer drops what does not fit. */
	e->st.m4_serial_rx += n;
	if (n > sizeof(m->serial_rx) - m->serial_len) {
		e->st.m4_serial_overruns += n - (sizeof(m->serial_rx) -
						 m->serial_len);
		n = sizeof(m->serial_rx) - m->serial_len;
	}
	memcpy(m->serial_rx + m->serial_len, p, n);
	m->serial_len += n;
	return msgpack_pack_nil(pk);
}

/* SINK: Serial.readBytes() of everything there, kept for the test. */
static void tty_sink(struct h7emu *e)
{
	struct m4_state *m = &e->m4;
	size_t keep = 0;

	if (e->tty_read < H7EMU_TTY_CAPTURE_MAX)
		keep = H7EMU_TTY_CAPTURE_MAX - e->tty_read;
	if (keep > m->serial_len)
		keep = m->serial_len;
	memcpy(e->tty_capture + e->tty_read, m->serial_rx, keep);
	e->tty_read += m->serial_len;
	e->st.m4_serial_read += m->serial_len;
	m->serial_len = 0;
}

/*
 * The tty sketch's loop: Serial.println(Serial.readStringUntil('\n')) for
 * each complete line, so two notifications per line: the line, "\r\n".
 * A full buffer without a newline comes back as one line, as
 * readStringUntil() returns what it has after its timeout. An empty line
 * gives only "\r\n" (SerialRPC sends nothing for an empty write; the spec
 * is silent).
 */
static void tty_loop(struct h7emu *e, u64 t_ns)
{
	struct m4_state *m = &e->m4;
	size_t line, used;
	u8 *nl;

	if (e->cfg.tty_loop_ms)
		m->loop_busy_until_ns = t_ns + (u64)e->cfg.tty_loop_ms * NS_PER_MS;
	if (e->cfg.tty_mode == H7EMU_TTY_SINK) {
		tty_sink(e);
		return;
	}
	for (;;) {
		nl = memchr(m->serial_rx, '\n', m->serial_len);
		if (nl) {
			line = nl - m->serial_rx;
			used = line + 1;
		} else if (m->serial_len == sizeof(m->serial_rx)) {
			line = used = m->serial_len;
		} else {
			return;
		}
		if (line)
			h7emu__m4_serial_write(e, m->serial_rx, line);
		h7emu__m4_serial_write(e, (const u8 *)"\r\n", 2);
		e->st.m4_serial_read += used;
		memmove(m->serial_rx, m->serial_rx + used, m->serial_len - used);
		m->serial_len -= used;
	}
}

/*
 * The generator of h7emu_tty_generate(): one Serial.write() per period.
 * Late (the emulator's thread was not scheduled), it goes on at its rate
 * from now rather than catching up: a burst of writes would overrun the
 * H7's frame, which no M4 running on its own time would do.
 */
void h7emu__sketch_gen(struct h7emu *e, u64 t_ns)
{
	struct m4_state *m = &e->m4;
	u8 buf[H7EMU_SERIAL_RX_LEN];
	u64 left;
	size_t i, n;

	if (m->gen_pos >= m->gen_total)
		return;
	if (!m->gen_started) {
		m->gen_started = true;
		m->gen_next_ns = t_ns;
	}
	if (t_ns < m->gen_next_ns)
		return;
	left = m->gen_total - m->gen_pos;
	n = left < m->gen_size ? left : m->gen_size;
	for (i = 0; i < n; i++)
		buf[i] = h7emu_tty_gen_byte(m->gen_pos + i);
	h7emu__m4_serial_write(e, buf, n);
	m->gen_pos += n;
	e->st.m4_serial_gen += n;
	m->gen_next_ns += m->gen_period_ns;
	if (m->gen_next_ns <= t_ns)
		m->gen_next_ns = t_ns + m->gen_period_ns;
}

u64 h7emu__sketch_gen_due(struct h7emu *e)
{
	const struct m4_state *m = &e->m4;

	if (m->gen_pos >= m->gen_total)
		return UINT64_MAX;
	return m->gen_started ? m->gen_next_ns : 0;
}

static void traffic_send(struct h7emu *e, u64 t_ns)
{
	const struct h7emu_traffic *tr = &e->cfg.traffic;
	struct m4_state *m = &e->m4;
	enum h7emu_traffic_kind kind = tr->kind;
	u8 payload[H7EMU_TRAFFIC_SIZE_MAX];
	msgpack_sbuffer sb;
	msgpack_packer pk;
	u32 seq = m->traffic_seq++, i;

	if (kind == H7EMU_TRAFFIC_MIX)
		kind = seq % H7EMU_TRAFFIC_MIX;
	for (i = 0; i < tr->size; i++)
		payload[i] = (u8)(seq + i);
	if (kind == H7EMU_TRAFFIC_RAW) {
		h7emu__m4_send(e, EP_RAW, payload, tr->size);
		return;
	}
	if (kind == H7EMU_TRAFFIC_SERIAL) {
		h7emu__m4_serial_write(e, payload, tr->size);
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (kind == H7EMU_TRAFFIC_CALL) {
		msgpack_pack_array(&pk, 4);
		msgpack_pack_int(&pk, 0);
		msgpack_pack_uint32(&pk, H7EMU_M4_THREAD_HANDLE);
	} else {
		msgpack_pack_array(&pk, 3);
		msgpack_pack_int(&pk, 2);
	}
	msgpack_pack_str(&pk, strlen(tr->method));
	msgpack_pack_str_body(&pk, tr->method, strlen(tr->method));
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint32(&pk, seq);
	msgpack_pack_bin(&pk, tr->size);
	msgpack_pack_bin_body(&pk, payload, tr->size);
	h7emu__m4_send_packed(e, &sb);
	msgpack_sbuffer_destroy(&sb);
	if (kind == H7EMU_TRAFFIC_CALL) {
		e->st.m4_calls_out++;
		m->call_pending = true;
		m->call_deadline_ns = tr->timeout_ms ?
			t_ns + (u64)tr->timeout_ms * NS_PER_MS : 0;
	} else {
		e->st.m4_notifications_out++;
	}
}

/*
 * The traffic sketch's loop: one message per 1/rate s, the first at once.
 * While a call waits for its reply nothing else is sent (RPC.call()
 * blocks). After a stall of more than a second it does not try to catch up.
 */
static void traffic_loop(struct h7emu *e, u64 t_ns)
{
	const struct h7emu_traffic *tr = &e->cfg.traffic;
	struct m4_state *m = &e->m4;
	unsigned int burst = 0;
	u64 period;

	if (!tr->rate)
		return;
	period = NS_PER_S / tr->rate;
	if (!m->traffic_started) {
		m->traffic_started = true;
		m->traffic_next_ns = t_ns;
	}
	while (t_ns >= m->traffic_next_ns && burst++ < 16 && !m->call_pending) {
		traffic_send(e, t_ns);
		m->traffic_next_ns += period;
	}
	if (t_ns >= m->traffic_next_ns + NS_PER_S)
		m->traffic_next_ns = t_ns;
}

static const struct m4_method sensors_methods[] = {
	{ "temperature", 0, m_temperature },
	{ "humidity", 0, m_humidity },
	{ "pressure", 0, m_pressure },
	{ "gas", 0, m_gas },
	{ "altitude", 0, m_altitude },
	{ NULL }
};

static const struct m4_method led_methods[] = {
	{ "led", 1, m_led },
	{ NULL }
};

static const struct m4_method echo_methods[] = {
	{ "echo", 1, m_echo },
	{ NULL }
};

static const struct m4_method tty_methods[] = {
	{ "tty", 1, m_tty },
	{ NULL }
};

static const struct m4_method no_methods[] = {
	{ NULL }
};

static const struct sketch_def sketches[H7EMU_SKETCH_NR] = {
	[H7EMU_SKETCH_SENSORS] = {
		"sensors",
		"the X8 tutorial's python-rpc-sensors demo: temperature(),\n"
		"humidity(), pressure(), gas(), altitude() return the integers\n"
		"100, 200, 300, 400, 500",
		sensors_methods, NULL },
	[H7EMU_SKETCH_LED] = {
		"led",
		"led(bool) switches the LED, returns nil; any other argument type\n"
		"gets rpclib's exception error (std::bad_cast)",
		led_methods, NULL },
	[H7EMU_SKETCH_ECHO] = {
		"echo",
		"echo(x) returns its one argument, any msgpack type",
		echo_methods, NULL },
	[H7EMU_SKETCH_TTY] = {
		"tty",
		"tty(bin or str) feeds the M4's Serial, a 1 KiB buffer (returns\n"
		"nil); each complete line comes back by Serial.println():\n"
		"[2, \"tty\", [<bin8 line>]] then [2, \"tty\", [<bin8 \"\\r\\n\">]]\n"
		"(--tty-mode lines), or is kept and not sent (--tty-mode sink)",
		tty_methods, tty_loop },
	[H7EMU_SKETCH_TRAFFIC] = {
		"traffic",
		"M4-originated messages at --traffic-rate per second (see the\n"
		"traffic options); also binds echo(x)",
		echo_methods, traffic_loop },
	[H7EMU_SKETCH_BARE] = {
		"bare",
		"RPC.begin() and nothing bound: every call gets rpclib's\n"
		"\"could not find function\" error",
		no_methods, NULL },
};

const struct sketch_def *h7emu__sketch_get(enum h7emu_sketch sketch)
{
	if ((unsigned int)sketch >= H7EMU_SKETCH_NR)
		sketch = H7EMU_SKETCH_BARE;
	return &sketches[sketch];
}

const char *h7emu_sketch_name(enum h7emu_sketch sketch)
{
	return h7emu__sketch_get(sketch)->name;
}

int h7emu_sketch_parse(const char *name)
{
	int i;

	for (i = 0; i < H7EMU_SKETCH_NR; i++)
		if (!strcmp(name, sketches[i].name))
			return i;
	return -EINVAL;
}

void h7emu_sketch_help(FILE *f)
{
	const char *p;
	int i;

	for (i = 0; i < H7EMU_SKETCH_NR; i++) {
		fprintf(f, "  %-9s ", sketches[i].name);
		for (p = sketches[i].help; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fprintf(f, "  %-9s ", "");
		}
		fputc('\n', f);
	}
}

static const char *const traffic_kinds[H7EMU_TRAFFIC_NR] = {
	[H7EMU_TRAFFIC_CALL] = "call",
	[H7EMU_TRAFFIC_NOTIFY] = "notify",
	[H7EMU_TRAFFIC_RAW] = "raw",
	[H7EMU_TRAFFIC_SERIAL] = "serial",
	[H7EMU_TRAFFIC_MIX] = "mix",
};

static const char *const tty_modes[H7EMU_TTY_NR] = {
	[H7EMU_TTY_LINES] = "lines",
	[H7EMU_TTY_SINK] = "sink",
};

const char *h7emu_tty_mode_name(enum h7emu_tty_mode mode)
{
	if ((unsigned int)mode >= H7EMU_TTY_NR)
		return "?";
	return tty_modes[mode];
}

int h7emu_tty_mode_parse(const char *name)
{
	int i;

	for (i = 0; i < H7EMU_TTY_NR; i++)
		if (!strcmp(name, tty_modes[i]))
			return i;
	return -EINVAL;
}

const char *h7emu_traffic_kind_name(enum h7emu_traffic_kind kind)
{
	if ((unsigned int)kind >= H7EMU_TRAFFIC_NR)
		return "?";
	return traffic_kinds[kind];
}

int h7emu_traffic_kind_parse(const char *name)
{
	int i;

	for (i = 0; i < H7EMU_TRAFFIC_NR; i++)
		if (!strcmp(name, traffic_kinds[i]))
			return i;
	return -EINVAL;
}
