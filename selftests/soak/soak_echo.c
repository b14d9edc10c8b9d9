// SPDX-License-Identifier: GPL-2.0
/*
 * An echo caller: a session of its own calling echo with payloads of sizes
 * and bytes drawn from the seed (call k of caller c is the same in every
 * run of that seed), one call at a time, each with a timeout. Each reply is
 * checked against the bytes sent: intact, an error the kernel gave
 * (the reply was lost, the M4 stopped), or different. A difference is
 * "flipped" (one bit) or "garbled" only while the plan injected bit flips
 * or garbage frames, the faults no checksum of the protocol catches; any
 * other is damaged, and a reply to another session or one twice is
 * counted apart. A call without a reply waits to the end of the soak for a
 * late one; then it is a loss, and a counter must have moved meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

#define PENDING_MAX	128

/* A call that timed out, until a late reply comes or the soak ends. */
struct pending {
	uint32_t msgid;
	uint64_t hash;
	uint32_t size;
	uint64_t t_write, t_timeout;
};

struct caller {
	struct soak *s;
	unsigned int id;
	int fd;
	uint64_t rng;
	struct rpc_msg *m;
	struct pending pend[PENDING_MAX];
	unsigned int npend;
	uint32_t answered_upto;	/* every msgid below answered or pending */
	struct soak_totals t;	/* added to the soak's at the end */
};

static void publish(struct caller *c, uint64_t hash)
{
	struct soak *s = c->s;

	pthread_mutex_lock(&s->lock);
	s->recent[c->id].hash[s->recent[c->id].next++ % 8] = hash;
	pthread_mutex_unlock(&s->lock);
}

/* A payload of another caller's recent calls. */
static bool someone_elses(struct caller *c, uint64_t hash)
{
	struct soak *s = c->s;
	unsigned int i, k;
	bool found = false;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->callers && !found; i++)
		for (k = 0; i != c->id && k < 8; k++)
			if (s->recent[i].hash[k] == hash)
				found = true;
	pthread_mutex_unlock(&s->lock);
	return found;
}

/* A reply that is not what was sent, and why it may be so. */
static void differs(struct caller *c, const uint8_t *bin, size_t size,
		    uint64_t t0)
{
	const struct rpc_msg *m = c->m;
	bool wire = soak_wire_fault_in(t0, h7emu_now_ns());

	if (m->is_bin && m->bin_len == size && soak_one_bit(m->bin, bin, size))
		wire ? c->t.flipped++ : c->t.damaged++;
	else if (wire)
		c->t.garbled++;
	else if (m->is_bin && m->bin_len > 0 &&
		 someone_elses(c, soak_hash(m->bin, m->bin_len)))
		c->t.wrong_session++;
	else
		c->t.damaged++;
	if (!wire && c->s->verbose)
		printf("# caller %u: reply to a %zu-byte call: %s %zu bytes\n",
		       c->id, size, m->is_bin ? "bin" : "no bin",
		       m->is_bin ? m->bin_len : 0);
}

/* An error reply: the kernel's own, or the M4's. */
static void error_reply(struct caller *c, uint64_t t0)
{
	const char *e = c->m->errtext;

	if (strstr(e, "m4rpc: the reply was lost"))
		c->t.told_lost++;
	else if (strstr(e, "m4rpc: the M4 stopped running RPC"))
		c->t.told_stopped++;
	else if (soak_loss_in(t0, h7emu_now_ns()) != SOAK_LOSS_SILENT)
		c->t.other_errors++;	/* rpclib's, of a damaged call */
	else
		soak_fail(c->s, EBADMSG, e);
}

/* A reply to an earlier call: late (once), or twice. */
static void earlier_reply(struct caller *c, uint64_t t0)
{
	const struct rpc_msg *m = c->m;
	unsigned int i;

	for (i = 0; i < c->npend; i++)
		if (c->pend[i].msgid == m->msgid)
			break;
	if (i == c->npend) {
		if (soak_wire_fault_in(t0, h7emu_now_ns()))
			c->t.garbled++;
		else
			c->t.duplicates++;
		return;
	}
	if (m->error || (m->is_bin && m->bin_len == c->pend[i].size &&
			 soak_hash(m->bin, m->bin_len) == c->pend[i].hash))
		c->t.late++;
	else if (soak_wire_fault_in(c->pend[i].t_write, h7emu_now_ns()))
		c->t.garbled++;
	else
		c->t.damaged++;
	c->pend[i] = c->pend[--c->npend];
}

static void timed_out(struct caller *c, uint32_t msgid, uint64_t hash,
		      size_t size, uint64_t t0)
{
	struct pending *p;

	if (c->npend == PENDING_MAX) {	/* the oldest: a loss now */
		soak_loss_note(c->s, c->pend[0].t_write, c->pend[0].t_timeout,
			       c->s->t.lost, "an echo call");
		c->pend[0] = c->pend[--c->npend];
	}
	p = &c->pend[c->npend++];
	p->msgid = msgid;
	p->hash = hash;
	p->size = size;
	p->t_write = t0;
	p->t_timeout = h7emu_now_ns();
}

/*
 * Read until the reply of @msgid (its bin @bin of @size bytes) comes, or
 * @timeout_ms: replies to earlier calls are taken on the way.
 */
static void await(struct caller *c, uint32_t msgid, const uint8_t *bin,
		  size_t size, uint64_t t0, unsigned int timeout_ms)
{
	static __thread uint8_t buf[EP_MSG_MAX];
	uint64_t end = now_ms() + timeout_ms;
	struct rpc_msg *m = c->m;
	ssize_t r;

	for (;;) {
		uint64_t now = now_ms();

		r = ep_read_msg(c->fd, buf, sizeof(buf),
				end > now ? end - now : 0);
		if (r == -ETIMEDOUT) {
			if (msgid)
				timed_out(c, msgid, soak_hash(bin, size), size,
					  t0);
			return;
		}
		if (r == -EOVERFLOW) {	/* counted: rx_queue_drops */
			c->t.overflows++;
			continue;
		}
		if (r < 0) {
			soak_fail(c->s, -r, "read() of an echo caller");
			return;
		}
		if (rpc_decode(buf, r, m) || m->type != 1) {
			/* Not a reply: callers bind nothing. */
			if (soak_wire_fault_in(t0, h7emu_now_ns()))
				c->t.garbled++;
			else
				c->t.wrong_session++;
			continue;
		}
		if (!msgid || m->msgid != msgid) {
			earlier_reply(c, t0);
			continue;
		}
		if (m->error)
			error_reply(c, t0);
		else if (m->is_bin && m->bin_len == size &&
			 !memcmp(m->bin, bin, size))
			c->t.replies_ok++;
		else
			differs(c, bin, size, t0);
		return;
	}
}

static void one_call(struct caller *c, uint32_t msgid)
{
	uint8_t bin[256], msg[512];
	size_t size, n, i;
	uint64_t t0;
	int ret;

	size = soak_range(&c->rng, 0, c->s->max_payload);
	for (i = 0; i < size; i++)
		bin[i] = (uint8_t)soak_rand(&c->rng);
	n = echo_call_build(msg, msgid, bin, size);
	publish(c, soak_hash(bin, size));
	for (;;) {
		t0 = h7emu_now_ns();
		ret = ep_write_msg(c->fd, msg, n);
		/* The M4 restarting (an H7 reset): not a call yet. */
		if (ret != EHOSTDOWN || c->s->stop)
			break;
		sleep_ms(20);
	}
	if (ret == EHOSTDOWN)
		return;
	if (ret) {
		soak_fail(c->s, ret, "write() of an echo call");
		return;
	}
	c->t.calls++;
	await(c, msgid, bin, size, t0, SOAK_CALL_TIMEOUT_MS);
}

void *soak_echo_thread(void *arg)
{
	struct soak_caller *sc = arg;
	struct caller *c = calloc(1, sizeof(*c));
	struct soak *s = sc->s;
	uint32_t msgid = 0;
	unsigned int i;

	if (!c || !(c->m = malloc(sizeof(*c->m)))) {
		soak_fail(s, ENOMEM, "an echo caller");
		free(c);
		return NULL;
	}
	c->s = s;
	c->id = sc->id;
	c->rng = s->seed ^ ((uint64_t)(sc->id + 1) << 48);
	c->fd = board_ep_session(&s->env, 0);
	if (c->fd < 0) {
		soak_fail(s, -c->fd, "an echo caller's session");
	} else {
		while (!s->stop)
			one_call(c, ++msgid);
		/* Late replies still on their way. */
		await(c, 0, NULL, 0, h7emu_now_ns(), 2000);
		close(c->fd);
	}
	for (i = 0; i < c->npend; i++)
		soak_loss_note(s, c->pend[i].t_write, c->pend[i].t_timeout,
			       s->t.lost, "an echo call");
	soak_totals_add(s, &c->t);
	free(c->m);
	free(c);
	return NULL;
}
