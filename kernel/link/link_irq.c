// SPDX-License-Identifier: GPL-2.0
/*
 * nIRQ: which of the three modes of link_priv.h a device gets, the
 * interrupt handlers, and the arming of the level mode's two conditions.
 *
 * The mode follows the trigger type the firmware description gives the
 * interrupt (the device tree's interrupts cell, or the software node of
 * the simulator's board), not the type the irq core has now, which a
 * driver bound before may have left (the stock x8h7_drv forces a falling
 * edge): level-low gives level mode
 * when the controller can also trigger on a rising edge (preferred) or a
 * high level, else edge mode; falling-edge gives edge mode; no interrupt
 * gives poll mode.
 *
 * The handler runs in hard interrupt context (or in the thread of a
 * controller whose interrupts nest, request_any_context_irq()) and wakes
 * the worker directly: how soon the worker reads the H7's frame decides
 * whether the H7's next chunk finds room, so nothing stands between the
 * two (an interrupt thread would be one more wake-up). It counts the
 * interrupt, in edge mode the edge (each edge runs it once); in level mode
 * it first disables the interrupt, because each arming there waits for one
 * condition and the worker arms the next one.
 *
 * The interrupt is disabled at most once by us: LINK_IRQ_OFF says that it
 * is, whoever (handler or worker) did it, so enable_irq() and
 * disable_irq() always pair.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/of_irq.h>
#include <linux/property.h>
#include "m4rpc_compat.h"
#include "link_priv.h"

static irqreturn_t link_irq(int irq, void *data)
{
	struct m4rpc_link *link = data;

	link_stat_inc(link, LINK_STAT_irqs);
	if (link->mode == LINK_NIRQ_EDGE) {
		atomic_inc(&link->edges);
	} else {
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

/* Undo m4rpc_link_irq_off() or the handler's disable. */
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

/*
 * The trigger type of nIRQ in the firmware description: the last cell of
 * the first interrupt specifier, as in the two-cell GPIO binding of the
 * X8's node (<9 IRQ_TYPE_LEVEL_LOW>) and the GIC's three cells; a device
 * without an OF node may carry the same cells as an "interrupts" property
 * of its software node (the simulator's). IRQ_TYPE_NONE when neither
 * says.
 */
static u32 link_irq_fw_type(struct m4rpc_link *link)
{
	struct device *dev = link->dev;
	struct of_phandle_args oirq;
	u32 cells[4];
	int n;

	if (dev->of_node) {
		if (of_irq_parse_one(dev->of_node, 0, &oirq) || !oirq.args_count)
			return IRQ_TYPE_NONE;
		return oirq.args[oirq.args_count - 1] & IRQ_TYPE_SENSE_MASK;
	}
	n = device_property_count_u32(dev, "interrupts");
	if (n <= 0 || n > ARRAY_SIZE(cells) ||
	    device_property_read_u32_array(dev, "interrupts", cells, n))
		return IRQ_TYPE_NONE;
	return cells[n - 1] & IRQ_TYPE_SENSE_MASK;
}

int m4rpc_link_irq_setup(struct m4rpc_link *link)
{
	struct spi_device *spi = link->spi;
	unsigned long trigger;
	u32 type;
	int ret;

	link->mode = LINK_NIRQ_POLL;
	if (spi->irq <= 0)
		goto poll;

	link->irq = spi->irq;
	/* Restored at remove: the next driver finds what we found. */
	link->irq_type_orig = irq_get_trigger_type(spi->irq);
	type = link_irq_fw_type(link);
	if (type == IRQ_TYPE_NONE)	/* no description: what the core has */
		type = link->irq_type_orig;
	switch (type) {
	case IRQ_TYPE_EDGE_FALLING:
		link->mode = LINK_NIRQ_EDGE;
		trigger = IRQF_TRIGGER_FALLING;
		break;
	case IRQ_TYPE_LEVEL_LOW:
	case IRQ_TYPE_NONE:	/* nothing said: the X8's level low */
		link->mode = LINK_NIRQ_LEVEL;
		trigger = IRQF_TRIGGER_LOW;
		break;
	default:
		dev_warn(link->dev,
			 "nIRQ: trigger type %u is not active low; using the falling edge\n",
			 type);
		link->mode = LINK_NIRQ_EDGE;
		trigger = IRQF_TRIGGER_FALLING;
		break;
	}

	/* Requested disabled: the worker enables it when it runs. */
	set_bit(LINK_IRQ_OFF, &link->irq_flags);
	ret = request_any_context_irq(link->irq, link_irq,
				      IRQF_NO_AUTOEN | trigger,
				      dev_name(link->dev), link);
	if (ret < 0) {
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
