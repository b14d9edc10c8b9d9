// SPDX-License-Identifier: GPL-2.0
/*
 * nIRQ of a simulated board: a one-line interrupt controller of our own (an
 * irq domain with one hwirq and an irq_chip), because Debian's kernel has
 * neither CONFIG_IRQ_SIM nor CONFIG_GPIO_SIM. Its Linux irq is the SPI
 * device's interrupt.
 *
 * The line behaves like the i.MX8M Mini GPIO that the real nIRQ is wired to:
 *
 *  - level low: the interrupt is raised whenever the line is low and the
 *    line is unmasked. When a threaded IRQF_ONESHOT handler finishes and the
 *    irq core unmasks the line while it is still low, it fires again; the
 *    level flow handler masks it while it is being handled.
 *  - falling (rising) edge: a high-to-low (low-to-high) transition latches
 *    the edge (like the GPIO's status register, also while masked); a
 *    latched edge is raised when unmasked and cleared by the ack of the edge
 *    flow handler. A falling transition made with M4RPC_SIM_NIRQ_DROP_EDGE
 *    latches nothing and counts in dropped_edges; with a level trigger that
 *    flag changes nothing (a level-sensitive input cannot miss a level).
 *
 * The trigger starts as the module parameter irq_mode (what
 * irq_get_trigger_type() reports before the consumer requests the irq).
 * irq_mode=level models the i.MX8M GPIO, which senses both levels and
 * both edges: a consumer may set level low, rising edge or level high (to
 * wait for the H7 to release nIRQ, i.e. to have processed a frame) or
 * falling edge, as on the real controller; rising_edge=0 takes the rising
 * edge away, to model a controller with levels only (a driver's fallback
 * to level high gets tested too). irq_mode=edge models an edge-only input:
 * only the falling edge is accepted, so that a driver's handling of missed
 * edges is tested for real rather than sidestepped with a level trigger.
 * Any other type is refused (EINVAL). Setting the type forgets a latched edge, as the i.MX
 * GPIO driver clears the status bit when the type is set; a level that is
 * already present fires at once.
 *
 * Interrupts are raised from an irq_work (hard irq context even on
 * PREEMPT_RT) that calls generic_handle_irq(): the irq_chip callbacks run
 * under the irq core's descriptor lock and cannot enter the irq core
 * themselves, and the ioctl that drives nIRQ runs in process context.
 *
 * Locking: see sim.h. All line state is under board->irq_lock.
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/of.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include "m4rpc_compat.h"
#include "sim.h"

/* Whether the line is asking for an interrupt now. Call with irq_lock held. */
static bool sim_irq_asserted(struct sim_board *b)
{
	lockdep_assert_held(&b->irq_lock);
	if (b->masked)
		return false;
	if (b->edge)
		return b->latched;
	return b->nirq_low != b->active_high;
}

static void sim_irq_fire(struct irq_work *work)
{
	struct sim_board *b = container_of(work, struct sim_board, fire_work);
	unsigned long flags;
	bool fire;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	fire = sim_irq_asserted(b);
	if (fire)
		b->irqs++;
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);

	/*
	 * The state may change between the unlock and the flow handler; the
	 * handler then finds a masked line or a cleared latch, which is what
	 * a real controller's handler racing with the line does too.
	 */
	if (fire)
		generic_handle_irq(b->virq);
}

static void sim_irq_mask(struct irq_data *d)
{
	struct sim_board *b = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	b->masked = true;
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
}

static void sim_irq_unmask(struct irq_data *d)
{
	struct sim_board *b = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	b->masked = false;
	if (sim_irq_asserted(b))
		irq_work_queue(&b->fire_work);
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
}

static void sim_irq_ack(struct irq_data *d)
{
	struct sim_board *b = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	b->latched = false;
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
}

/* Resend of an edge that arrived while the irq was disabled (lazily). */
static int sim_irq_retrigger(struct irq_data *d)
{
	struct sim_board *b = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	if (b->edge)
		b->latched = true;
	if (sim_irq_asserted(b))
		irq_work_queue(&b->fire_work);
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
	return 1;
}

static int sim_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct sim_board *b = irq_data_get_irq_chip_data(d);
	bool edge, high = false, rising = false;
	unsigned long flags;

	switch (type & IRQ_TYPE_SENSE_MASK) {
	case IRQ_TYPE_LEVEL_HIGH:
		high = true;
		fallthrough;
	case IRQ_TYPE_LEVEL_LOW:
		if (b->wired_edge)
			return -EINVAL;
		edge = false;
		break;
	case IRQ_TYPE_EDGE_RISING:
		if (b->wired_edge || !b->wired_rising)
			return -EINVAL;
		edge = true;
		rising = true;
		break;
	case IRQ_TYPE_EDGE_FALLING:
		edge = true;
		break;
	default:
		return -EINVAL;
	}

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	b->edge = edge;
	b->rising = rising;
	b->active_high = high;
	b->latched = false;
	if (sim_irq_asserted(b))
		irq_work_queue(&b->fire_work);
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);

	/* Called with the descriptor locked, as irq_set_handler_locked wants. */
	irq_set_handler_locked(d, edge ? handle_edge_irq : handle_level_irq);
	return IRQ_SET_MASK_OK;
}

static const struct irq_chip sim_irq_chip = {
	.name		= "m4rpc-sim",
	.irq_ack	= sim_irq_ack,
	.irq_mask	= sim_irq_mask,
	.irq_unmask	= sim_irq_unmask,
	.irq_set_type	= sim_irq_set_type,
	.irq_retrigger	= sim_irq_retrigger,
	.flags		= IRQCHIP_SKIP_SET_WAKE,
};

static int sim_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	irq_set_chip_data(virq, d->host_data);
	irq_set_chip_and_handler(virq, &sim_irq_chip, handle_level_irq);
	irq_set_noprobe(virq);
	return 0;
}

static void sim_irq_unmap(struct irq_domain *d, unsigned int virq)
{
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

/* xlate: a DT consumer's <hwirq type> (of_board, sim_of.c). */
static const struct irq_domain_ops sim_irq_domain_ops = {
	.map	= sim_irq_map,
	.unmap	= sim_irq_unmap,
	.xlate	= irq_domain_xlate_twocell,
};

int m4rpc_sim_irq_init(struct sim_board *b, bool edge, bool rising_ok)
{
	unsigned int virq;
	int ret;

	raw_spin_lock_init(&b->irq_lock);
	b->fire_work = IRQ_WORK_INIT_HARD(sim_irq_fire);
	b->masked = true;	/* as the irq core starts a descriptor */
	b->edge = edge;
	b->wired_edge = edge;
	b->wired_rising = !edge && rising_ok;

	/* Under the DT node, if any, where a consumer's interrupt-parent finds it. */
	if (b->of_np)
		b->fwnode = of_fwnode_handle(b->of_np);
	else
		b->fwnode = irq_domain_alloc_named_fwnode(b->name);
	if (!b->fwnode)
		return -ENOMEM;
	b->domain = irq_domain_create_linear(b->fwnode, 1, &sim_irq_domain_ops,
					     b);
	if (!b->domain) {
		ret = -ENOMEM;
		goto err_fwnode;
	}
	virq = irq_create_mapping(b->domain, 0);
	if (!virq) {
		ret = -ENOMEM;
		goto err_domain;
	}
	/* The default trigger, what irq_get_trigger_type() reports. */
	ret = irq_set_irq_type(virq, edge ? IRQ_TYPE_EDGE_FALLING :
				     IRQ_TYPE_LEVEL_LOW);
	if (ret)
		goto err_mapping;
	b->virq = virq;
	return 0;

err_mapping:
	irq_dispose_mapping(virq);
err_domain:
	irq_domain_remove(b->domain);
err_fwnode:
	if (!b->of_np)
		irq_domain_free_fwnode(b->fwnode);
	return ret;
}

/* After the SPI device is gone: nobody can hold the irq any more. */
void m4rpc_sim_irq_exit(struct sim_board *b)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	b->masked = true;
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
	irq_work_sync(&b->fire_work);
	irq_dispose_mapping(b->virq);
	irq_domain_remove(b->domain);
	if (!b->of_np)
		irq_domain_free_fwnode(b->fwnode);
}

void m4rpc_sim_irq_set_nirq(struct sim_board *b, bool low, bool drop_edge)
{
	unsigned long flags;
	bool changed;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	changed = low != b->nirq_low;
	b->nirq_low = low;
	if (changed && b->edge && low != b->rising) {
		if (drop_edge && low)
			b->dropped_edges++;
		else
			b->latched = true;
	}
	if (changed && sim_irq_asserted(b))
		irq_work_queue(&b->fire_work);
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
}

void m4rpc_sim_irq_info(struct sim_board *b, struct m4rpc_sim_info *info)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b->irq_lock, flags);
	if (b->unwired)
		info->irq_mode = M4RPC_SIM_IRQ_NONE;
	else if (!b->edge)
		info->irq_mode = M4RPC_SIM_IRQ_LEVEL;
	else if (b->rising)
		info->irq_mode = M4RPC_SIM_IRQ_RISING;
	else
		info->irq_mode = M4RPC_SIM_IRQ_EDGE;
	info->nirq = b->nirq_low ? M4RPC_SIM_NIRQ_LOW : M4RPC_SIM_NIRQ_HIGH;
	info->irqs = b->irqs;
	info->dropped_edges = b->dropped_edges;
	raw_spin_unlock_irqrestore(&b->irq_lock, flags);
}
