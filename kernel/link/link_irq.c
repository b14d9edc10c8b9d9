// SPDX-License-Identifier: GPL-2.0
/*
 * nIRQ: which of the three modes of link_priv.h a device gets, the
 * interrupt handlers, and the arming of the level mode's two conditions.
 *
 * The mode follows the trigger type the interrupt was configured with (the
 * device tree, or the simulator's irq_mode): level-low gives level mode
 * when the controller can also trigger on a rising edge (preferred) or a
 * high level, else edge mode; falling-edge gives edge mode; no interrupt
 * gives poll mode.
 *
 * The interrupt is threaded and one-shot. The primary handler only counts
 * (the interrupt, and in edge mode the edge: each edge runs it once, even
 * when the thread is still busy with the previous one). The thread wakes
 * the worker; in level mode it first disables the interrupt, because each
 * arming there waits for one condition and the worker arms the next one.
 *
 * The interrupt is disabled at most once by us: LINK_IRQ_OFF says that it
 * is, whoever (thread or worker) did it, so enable_irq() and
 * disable_irq() always pair.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

static irqreturn_t link_hardirq(int irq, void *data)
{
	struct m4rpc_link *link = data;

	link_stat_inc(link, LINK_STAT_irqs);
	if (link->mode == LINK_NIRQ_EDGE)
		atomic_inc(&link->edges);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t link_irq_thread(int irq, void *data)
{
	struct m4rpc_link *link = data;

	if (link->mode == LINK_NIRQ_LEVEL) {
		if (!test_and_set_bit(LINK_IRQ_OFF, &link->irq_flags))
			disable_irq_nosync(irq);
		set_bit(LINK_EV_FIRED, &link->events);
	}
	wake_up(&link->wq);
	return IRQ_HANDLED;
}

/* Disable the interrupt (once) and wait until its handlers are done. */
void m4rpc_link_irq_off(struct m4rpc_link *link)
{
	if (!test_and_set_bit(LINK_IRQ_OFF, &link->irq_flags))
		disable_irq(link->irq);
	else
		synchronize_irq(link->irq);
}

/* Undo m4rpc_link_irq_off() or the thread's disable. */
void m4rpc_link_irq_on(struct m4rpc_link *link)
{
	clear_bit(LINK_IRQ_OFF, &link->irq_flags);
	enable_irq(link->irq);
}

/*
 * Level mode: wait for PROCESSED (@processed) or ANNOUNCE. Setting the
 * type forgets a latched edge (the i.MX GPIO and the simulator both clear
 * their status bit), and a level is seen as soon as the line is unmasked.
 */
void m4rpc_link_irq_arm_level(struct m4rpc_link *link, bool processed)
{
	u32 type = processed ? link->irq_type_processed : IRQ_TYPE_LEVEL_LOW;
	int ret;

	m4rpc_link_irq_off(link);
	clear_bit(LINK_EV_FIRED, &link->events);
	ret = irq_set_irq_type(link->irq, type);
	if (ret)	/* it worked at probe; nothing better to do than say so */
		dev_err_ratelimited(link->dev, "nIRQ: cannot set trigger %u: %d\n",
				    type, ret);
	link->ws.armed_processed = processed;
	m4rpc_link_irq_on(link);
}

/* The worker starts: wait for the first condition. */
void m4rpc_link_irq_start(struct m4rpc_link *link)
{
	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		m4rpc_link_irq_arm_level(link, false);
		break;
	case LINK_NIRQ_EDGE:
		m4rpc_link_irq_on(link);
		break;
	case LINK_NIRQ_POLL:
		break;
	}
}

const char *m4rpc_link_mode_name(struct m4rpc_link *link)
{
	switch (link->mode) {
	case LINK_NIRQ_LEVEL:
		return "level";
	case LINK_NIRQ_EDGE:
		return "edge";
	default:
		return "poll";
	}
}

/* Does the controller take @type? The irq core reports what it set. */
static bool link_irq_try_type(struct m4rpc_link *link, u32 type)
{
	return !irq_set_irq_type(link->irq, type) &&
	       irq_get_trigger_type(link->irq) == type;
}

/*
 * Level mode needs a trigger for "the line went high". A controller that
 * has none leaves the falling edge, else polling.
 */
static void link_irq_pick_level(struct m4rpc_link *link)
{
	if (link_irq_try_type(link, IRQ_TYPE_EDGE_RISING))
		link->irq_type_processed = IRQ_TYPE_EDGE_RISING;
	else if (link_irq_try_type(link, IRQ_TYPE_LEVEL_HIGH))
		link->irq_type_processed = IRQ_TYPE_LEVEL_HIGH;
	if (link->irq_type_processed && link_irq_try_type(link, IRQ_TYPE_LEVEL_LOW))
		return;
	if (link_irq_try_type(link, IRQ_TYPE_EDGE_FALLING)) {
		dev_info(link->dev,
			 "nIRQ: the controller cannot trigger on a high line; using falling edges\n");
		link->mode = LINK_NIRQ_EDGE;
		return;
	}
	dev_warn(link->dev, "nIRQ: no usable trigger type\n");
	link->mode = LINK_NIRQ_POLL;
}

int m4rpc_link_irq_setup(struct m4rpc_link *link)
{
	struct spi_device *spi = link->spi;
	unsigned long trigger;
	int ret;

	link->mode = LINK_NIRQ_POLL;
	if (spi->irq <= 0)
		goto poll;

	link->irq = spi->irq;
	link->irq_type_orig = irq_get_trigger_type(spi->irq);
	switch (link->irq_type_orig) {
	case IRQ_TYPE_EDGE_FALLING:
		link->mode = LINK_NIRQ_EDGE;
		trigger = IRQF_TRIGGER_FALLING;
		break;
	case IRQ_TYPE_LEVEL_LOW:
	case IRQ_TYPE_NONE:	/* as the X8's device tree says */
		link->mode = LINK_NIRQ_LEVEL;
		trigger = IRQF_TRIGGER_LOW;
		break;
	default:
		dev_warn(link->dev,
			 "nIRQ: trigger type %u is not active low; using the falling edge\n",
			 link->irq_type_orig);
		link->mode = LINK_NIRQ_EDGE;
		trigger = IRQF_TRIGGER_FALLING;
		break;
	}

	/* Requested disabled: the worker enables it when it runs. */
	set_bit(LINK_IRQ_OFF, &link->irq_flags);
	ret = request_threaded_irq(link->irq, link_hardirq, link_irq_thread,
				   IRQF_ONESHOT | IRQF_NO_AUTOEN | trigger,
				   dev_name(link->dev), link);
	if (ret) {
		dev_warn(link->dev, "nIRQ: cannot request irq %d: %d\n",
			 link->irq, ret);
		link->mode = LINK_NIRQ_POLL;
		goto poll;
	}
	link->irq_requested = true;
	if (link->mode == LINK_NIRQ_LEVEL)
		link_irq_pick_level(link);
	if (link->mode != LINK_NIRQ_POLL)
		return 0;
	m4rpc_link_irq_teardown(link);

poll:
	link->irq = 0;
	dev_info(link->dev, "no usable interrupt: polling every %u ms\n",
		 READ_ONCE(m4rpc_param_poll_ms));
	return 0;
}

/* After the worker stopped: free the interrupt, leave its type as found. */
void m4rpc_link_irq_teardown(struct m4rpc_link *link)
{
	if (!link->irq_requested)
		return;
	free_irq(link->irq, link);
	link->irq_requested = false;
	if (link->irq_type_orig &&
	    irq_get_trigger_type(link->irq) != link->irq_type_orig)
		irq_set_irq_type(link->irq, link->irq_type_orig);
}
