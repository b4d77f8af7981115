// SPDX-License-Identifier: GPL-2.0
/*
 * vLAPIC interrupt flow: acceptance, priority, acknowledge, EOI, errors,
 * LVT and LINT delivery, non-vectored events.
 *
 * Everything here that touches the register page runs with vlapic->lock
 * held; the unlocked entry points take it themselves.
 */

#include <linux/kernel.h>

#include <vlapic/export.h>
#include "lapic_priv.h"

#define CREATE_TRACE_POINTS
#include "lapic_trace.h"

/**
 * vlapic_find_highest() - highest vector set in IRR, ISR or TMR.
 * @vlapic: the vLAPIC (lock held)
 * @base: APIC_IRR, APIC_ISR or APIC_TMR
 *
 * Return: the vector, or -1 when no bit is set.
 */
int vlapic_find_highest(struct vlapic *vlapic, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = vlapic_reg(vlapic, base + i * 16);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

/**
 * vlapic_compute_ppr() - processor priority from TPR and ISR.
 * @vlapic: the vLAPIC (lock held)
 *
 * PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4 (SDM 10.8.3.1).
 *
 * Return: the PPR value.
 */
u8 vlapic_compute_ppr(struct vlapic *vlapic)
{
	u8 tpr = vlapic_reg(vlapic, APIC_TASKPRI) & 0xff;
	u8 isrv = vlapic->highest_isr < 0 ? 0 : vlapic->highest_isr;

	if ((tpr & 0xf0) >= (isrv & 0xf0))
		return tpr;
	return isrv & 0xf0;
}

/**
 * vlapic_update_ppr() - store the PPR register after a TPR or ISR change.
 * @vlapic: the vLAPIC (lock held)
 */
void vlapic_update_ppr(struct vlapic *vlapic)
{
	lockdep_assert_held(&vlapic->lock);
	vlapic_set_reg(vlapic, APIC_PROCPRI, vlapic_compute_ppr(vlapic));
}

/**
 * vlapic_recalc() - recompute every value derived from the registers.
 * @vlapic: the vLAPIC (lock held)
 *
 * Cached highest IRR/ISR, PPR, and the vendor mirrors (RVI, SVI, V_TPR):
 * after RESET, INIT and state restore nothing derived may survive from
 * the old state (seed 000: a stale RVI blocked the timer after reboot).
 */
void vlapic_recalc(struct vlapic *vlapic)
{
	const struct vlapic_ops *ops = vlapic->ops;

	lockdep_assert_held(&vlapic->lock);
	vlapic->highest_irr = vlapic_find_highest(vlapic, APIC_IRR);
	vlapic->highest_isr = vlapic_find_highest(vlapic, APIC_ISR);
	vlapic_update_ppr(vlapic);
	if (ops && ops->irr_updated)
		ops->irr_updated(vlapic, vlapic->highest_irr);
	if (ops && ops->isr_updated)
		ops->isr_updated(vlapic, vlapic->highest_isr);
	if (ops && ops->tpr_updated)
		ops->tpr_updated(vlapic, vlapic_reg(vlapic, APIC_TASKPRI));
}

static void vlapic_irr_changed(struct vlapic *vlapic)
{
	vlapic->highest_irr = vlapic_find_highest(vlapic, APIC_IRR);
	if (vlapic->ops && vlapic->ops->irr_updated)
		vlapic->ops->irr_updated(vlapic, vlapic->highest_irr);
}

static void vlapic_isr_changed(struct vlapic *vlapic)
{
	vlapic->highest_isr = vlapic_find_highest(vlapic, APIC_ISR);
	vlapic_update_ppr(vlapic);
	if (vlapic->ops && vlapic->ops->isr_updated)
		vlapic->ops->isr_updated(vlapic, vlapic->highest_isr);
}

/**
 * vlapic_set_tpr_locked() - set TPR from any path and propagate it.
 * @vlapic: the vLAPIC (lock held)
 * @tpr: new TPR (bits 7:0)
 */
void vlapic_set_tpr_locked(struct vlapic *vlapic, u8 tpr)
{
	lockdep_assert_held(&vlapic->lock);
	vlapic_set_reg(vlapic, APIC_TASKPRI, tpr);
	vlapic_update_ppr(vlapic);
	if (vlapic->ops && vlapic->ops->tpr_updated)
		vlapic->ops->tpr_updated(vlapic, tpr);
}

/**
 * vlapic_sync_posted() - fold posted vectors into IRR.
 * @vlapic: the vLAPIC (lock held)
 *
 * Called before anything reads the highest IRR vector, so that the wake
 * predicate, acknowledge and state save see posted interrupts too.
 */
void vlapic_sync_posted(struct vlapic *vlapic)
{
	u32 pir[8] = {};
	int i;

	lockdep_assert_held(&vlapic->lock);
	if (!vlapic->ops || !vlapic->ops->sync_pir)
		return;
	if (!vlapic->ops->sync_pir(vlapic, pir))
		return;
	/* Atomic, as vlapic_vec_set(): the CPU may update the page. */
	for (i = 0; i < 8; i++)
		atomic_or(pir[i], (atomic_t *)(vlapic->regs + APIC_IRR + i * 16));
	vlapic_irr_changed(vlapic);
}

static bool vlapic_deliver_error_lvt(struct vlapic *vlapic);

/**
 * vlapic_set_error() - record an APIC error and raise the error interrupt.
 * @vlapic: the vLAPIC (lock held)
 * @esr_bit: APIC_ESR_* bit
 *
 * Errors accumulate until the guest writes ESR, which latches them. A new
 * error raises the LVT error interrupt once; an error found while
 * delivering that interrupt (an illegal error vector) is recorded but
 * raises nothing, so the error LVT cannot recurse.
 */
void vlapic_set_error(struct vlapic *vlapic, u32 esr_bit)
{
	lockdep_assert_held(&vlapic->lock);
	if (vlapic->esr_pending & esr_bit)
		return;
	vlapic->esr_pending |= esr_bit;
	if (vlapic_deliver_error_lvt(vlapic))
		vlapic->bus->ops->kick(vlapic);
}

/* The APIC ID is read only when the event is traced. */
static void vlapic_trace_accept(struct vlapic *vlapic, u8 vector, u32 dm,
				bool level, u8 outcome)
{
	if (trace_vlapic_accept_enabled())
		trace_vlapic_accept(vlapic_id(vlapic), vector, dm, level,
				    outcome);
}

/* Set a fixed vector in IRR. Returns VLAPIC_ACCEPTED and VLAPIC_KICK. */
static unsigned int vlapic_accept_fixed(struct vlapic *vlapic, u8 vector,
					bool level)
{
	if (!vlapic_sw_enabled(vlapic)) {
		vlapic_trace_accept(vlapic, vector, APIC_DM_FIXED, level,
				    VLAPIC_TRACE_DROPPED);
		vlapic_stat_inc(vlapic, VLAPIC_STAT_DROPPED_SW_DISABLED);
		return 0;
	}
	if (vector < 16) {
		vlapic_trace_accept(vlapic, vector, APIC_DM_FIXED, level,
				    VLAPIC_TRACE_ILLEGAL);
		vlapic_stat_inc(vlapic, VLAPIC_STAT_RX_ILLEGAL_VECTOR);
		vlapic_set_error(vlapic, APIC_ESR_RECVILL);
		return 0;
	}
	/*
	 * TMR before IRR: whoever sees the IRR bit (ack, a vendor mirror,
	 * the EOI that follows) sees the trigger mode that came with it.
	 */
	if (level)
		vlapic_vec_set(vlapic, APIC_TMR, vector);
	else
		vlapic_vec_clear(vlapic, APIC_TMR, vector);

	if (vlapic_vec_test(vlapic, APIC_IRR, vector)) {
		/* Hardware coalesces: one IRR bit per vector. */
		vlapic_trace_accept(vlapic, vector, APIC_DM_FIXED, level,
				    VLAPIC_TRACE_COALESCED);
		vlapic_stat_inc(vlapic, VLAPIC_STAT_FIXED_COALESCED);
		return VLAPIC_ACCEPTED;
	}
	vlapic_vec_set(vlapic, APIC_IRR, vector);
	vlapic_trace_accept(vlapic, vector, APIC_DM_FIXED, level,
			    VLAPIC_TRACE_SET);
	vlapic_stat_inc(vlapic, VLAPIC_STAT_FIXED_ACCEPTED);
	if (vector > vlapic->highest_irr) {
		vlapic->highest_irr = vector;
		if (vlapic->ops && vlapic->ops->irr_updated)
			vlapic->ops->irr_updated(vlapic, vector);
	}
	return VLAPIC_ACCEPTED | VLAPIC_KICK;
}

/*
 * A SIPI means something only to a vCPU waiting for SIPI: it is latched
 * when the vCPU waits for SIPI or has an INIT pending (it will wait for
 * SIPI once the INIT is taken, unless it is the BSP), dropped otherwise.
 * A SIPI arriving while one is latched is dropped: the first would have
 * started the vCPU already. vlapic_take_event() consumes it. Invariant:
 * a latched SIPI means an INIT is pending or the vCPU waits for SIPI.
 */
static bool vlapic_accept_sipi(struct vlapic *vlapic, u8 vector)
{
	if ((vlapic->mp_state != VLAPIC_MP_WAIT_FOR_SIPI &&
	     !(vlapic->pending_events & VLAPIC_EVENT_INIT)) ||
	    (vlapic->pending_events & VLAPIC_EVENT_SIPI)) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_SIPI_IGNORED);
		return false;
	}
	vlapic_stat_inc(vlapic, VLAPIC_STAT_SIPI);
	vlapic->sipi_vector = vector;
	vlapic->pending_events |= VLAPIC_EVENT_SIPI;
	return true;
}

/**
 * vlapic_accept_locked() - accept one interrupt message.
 * @vlapic: the target (lock held)
 * @irq: the message (destination already matched)
 *
 * Return: VLAPIC_ACCEPTED when the message was latched (a fixed vector
 * set in IRR or already pending there, an event made pending), with
 * VLAPIC_KICK when something new became pending and the vCPU must be
 * kicked; 0 when it was dropped.
 */
unsigned int vlapic_accept_locked(struct vlapic *vlapic,
				  const struct vlapic_irq *irq)
{
	lockdep_assert_held(&vlapic->lock);

	if (irq->delivery_mode != APIC_DM_FIXED &&
	    irq->delivery_mode != APIC_DM_LOWEST)
		vlapic_trace_accept(vlapic, irq->vector, irq->delivery_mode,
				    irq->level, VLAPIC_TRACE_EVENT);
	switch (irq->delivery_mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		return vlapic_accept_fixed(vlapic, irq->vector, irq->level);
	case APIC_DM_NMI:
		vlapic_stat_inc(vlapic, VLAPIC_STAT_NMI);
		vlapic->pending_events |= VLAPIC_EVENT_NMI;
		return VLAPIC_ACCEPTED | VLAPIC_KICK;
	case APIC_DM_SMI:
		vlapic_stat_inc(vlapic, VLAPIC_STAT_SMI);
		vlapic->pending_events |= VLAPIC_EVENT_SMI;
		return VLAPIC_ACCEPTED | VLAPIC_KICK;
	case APIC_DM_INIT:
		/* INIT level de-assert only synchronizes arbitration IDs. */
		if (irq->level && !irq->assert)
			return 0;
		vlapic_stat_inc(vlapic, VLAPIC_STAT_INIT);
		/* It comes last: a SIPI latched before it starts nothing. */
		if (vlapic->pending_events & VLAPIC_EVENT_SIPI)
			vlapic_stat_inc(vlapic, VLAPIC_STAT_SIPI_IGNORED);
		vlapic->pending_events &= ~VLAPIC_EVENT_SIPI;
		vlapic->pending_events |= VLAPIC_EVENT_INIT;
		return VLAPIC_ACCEPTED | VLAPIC_KICK;
	case APIC_DM_STARTUP:
		if (!vlapic_accept_sipi(vlapic, irq->vector))
			return 0;
		return VLAPIC_ACCEPTED | VLAPIC_KICK;
	case APIC_DM_EXTINT:
		vlapic_stat_inc(vlapic, VLAPIC_STAT_EXTINT);
		vlapic->pending_events |= VLAPIC_EVENT_EXTINT;
		return VLAPIC_ACCEPTED | VLAPIC_KICK;
	default:
		/* Delivery mode 3 (remote read) is reserved: ignored. */
		return 0;
	}
}

/**
 * vlapic_accept_msg_locked() - accept one message from the bus.
 * @vlapic: the target (lock held)
 * @irq: the message (destination already matched)
 *
 * Fixed and lowest-priority vectors go to the vendor's posted-interrupt
 * path when it takes them (under the lock, so that the hook table cannot
 * change in the middle); everything else is set in the registers. The
 * caller kicks the vCPU, after releasing the lock, when the result has
 * VLAPIC_KICK; a caller delivering several messages to @vlapic under one
 * hold of the lock may kick once for all of them.
 *
 * Return: as vlapic_accept_locked(); a posted vector is VLAPIC_ACCEPTED
 * (the vendor notified or woke the vCPU).
 */
unsigned int vlapic_accept_msg_locked(struct vlapic *vlapic,
				      const struct vlapic_irq *irq)
{
	const struct vlapic_ops *ops = vlapic->ops;

	lockdep_assert_held(&vlapic->lock);
	if (ops && ops->deliver_posted && irq->vector >= 16 &&
	    vlapic_sw_enabled(vlapic) &&
	    (irq->delivery_mode == APIC_DM_FIXED ||
	     irq->delivery_mode == APIC_DM_LOWEST)) {
		/* TMR before the vector becomes visible, as for IRR. */
		if (irq->level)
			vlapic_vec_set(vlapic, APIC_TMR, irq->vector);
		else
			vlapic_vec_clear(vlapic, APIC_TMR, irq->vector);
		if (ops->deliver_posted(vlapic, irq->vector)) {
			vlapic_stat_inc(vlapic, VLAPIC_STAT_FIXED_ACCEPTED);
			return VLAPIC_ACCEPTED;	/* the vendor notified or woke */
		}
	}
	return vlapic_accept_locked(vlapic, irq);
}

/**
 * vlapic_accept() - accept one interrupt message; takes the lock.
 * @vlapic: the target
 * @irq: the message (destination already matched)
 *
 * vlapic_accept_msg_locked() under the lock; kicks the vCPU when
 * something became pending.
 *
 * Return: true when @vlapic accepted the message (VLAPIC_ACCEPTED).
 */
bool vlapic_accept(struct vlapic *vlapic, const struct vlapic_irq *irq)
{
	unsigned long flags;
	unsigned int res;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	res = vlapic_accept_msg_locked(vlapic, irq);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	if (res & VLAPIC_KICK)
		vlapic->bus->ops->kick(vlapic);
	return res & VLAPIC_ACCEPTED;
}

/* Build the message an LVT entry describes. */
static bool vlapic_lvt_message(u32 lvt_off, u32 lvt, struct vlapic_irq *irq)
{
	*irq = (struct vlapic_irq) {
		.vector = lvt & APIC_VECTOR_MASK,
		.delivery_mode = lvt & APIC_MODE_MASK,
		.shorthand = VLAPIC_SH_SELF,
		.assert = true,
	};
	switch (lvt_off) {
	case APIC_LVTT:
	case APIC_LVTERR:
		/* No delivery-mode field: always fixed, edge. */
		irq->delivery_mode = APIC_DM_FIXED;
		break;
	case APIC_LVT0:
	case APIC_LVT1:
		/* Level trigger only applies to fixed delivery. */
		irq->level = irq->delivery_mode == APIC_DM_FIXED &&
			     (lvt & APIC_LVT_LEVEL_TRIGGER);
		break;
	default:
		break;
	}
	return !(lvt & APIC_LVT_MASKED);
}

/**
 * vlapic_deliver_lvt() - raise the interrupt an LVT entry describes.
 * @vlapic: the vLAPIC (lock held)
 * @lvt_off: APIC_LVTT, APIC_LVT0, ... (not APIC_LVTERR: see set_error)
 *
 * Return: true when the vCPU must be kicked.
 */
bool vlapic_deliver_lvt(struct vlapic *vlapic, u32 lvt_off)
{
	struct vlapic_irq irq;

	lockdep_assert_held(&vlapic->lock);
	if (!vlapic_lvt_message(lvt_off, vlapic_reg(vlapic, lvt_off), &irq))
		return false;
	return vlapic_accept_locked(vlapic, &irq) & VLAPIC_KICK;
}

static bool vlapic_deliver_error_lvt(struct vlapic *vlapic)
{
	struct vlapic_irq irq;

	if (!vlapic_lvt_message(APIC_LVTERR, vlapic_reg(vlapic, APIC_LVTERR),
				&irq))
		return false;
	vlapic_stat_inc(vlapic, VLAPIC_STAT_ERROR_LVT);
	if (irq.vector < 16) {
		/* Recorded, but raising it would recurse: stop here. */
		vlapic_stat_inc(vlapic, VLAPIC_STAT_RX_ILLEGAL_VECTOR);
		vlapic->esr_pending |= APIC_ESR_RECVILL;
		return false;
	}
	return vlapic_accept_fixed(vlapic, irq.vector, false) & VLAPIC_KICK;
}

/**
 * vlapic_lint_eval_level() - send a level-triggered LINT entry if due.
 * @vlapic: the vLAPIC (lock held)
 * @pin: 0 (LINT0) or 1 (LINT1)
 *
 * A level-triggered fixed entry sends while its line is asserted, it is
 * unmasked and its remote IRR is clear. Checked on every event that can
 * make that true: the line rising, the EOI of its vector (which clears
 * remote IRR), an LVT write (unmask, level trigger). Remote IRR is set
 * when the vector was accepted (it is in IRR): an EOI will come.
 *
 * Return: true when the vCPU must be kicked.
 */
bool vlapic_lint_eval_level(struct vlapic *vlapic, unsigned int pin)
{
	u32 off = pin ? APIC_LVT1 : APIC_LVT0;
	u32 lvt = vlapic_reg(vlapic, off);
	bool kick;

	lockdep_assert_held(&vlapic->lock);
	if ((lvt & APIC_MODE_MASK) != APIC_DM_FIXED ||
	    !(lvt & APIC_LVT_LEVEL_TRIGGER) ||
	    (lvt & (APIC_LVT_REMOTE_IRR | APIC_LVT_MASKED)) ||
	    !(vlapic->lint_levels & BIT(pin)))
		return false;
	kick = vlapic_deliver_lvt(vlapic, off);
	if (vlapic_vec_test(vlapic, APIC_IRR, lvt & APIC_VECTOR_MASK))
		vlapic_set_reg(vlapic, off, lvt | APIC_LVT_REMOTE_IRR);
	return kick;
}

/**
 * vlapic_set_lint() - drive a LINT input pin.
 * @vlapic: the vLAPIC
 * @pin: 0 (LINT0) or 1 (LINT1)
 * @level: logical level (asserted = true), before the LVT's polarity
 *
 * Edge-triggered entries deliver on a rising edge; a level-triggered
 * fixed entry delivers while asserted and remote IRR is clear, sets remote
 * IRR, and the EOI of its vector clears it, delivering again if the line
 * is still asserted (vlapic_lint_eval_level()).
 */
void vlapic_set_lint(struct vlapic *vlapic, unsigned int pin, bool level)
{
	u32 off = pin ? APIC_LVT1 : APIC_LVT0;
	unsigned long flags;
	bool was, kick = false;
	u32 lvt;

	if (WARN_ON_ONCE(pin > 1))
		return;
	raw_spin_lock_irqsave(&vlapic->lock, flags);
	lvt = vlapic_reg(vlapic, off);
	if (lvt & APIC_INPUT_POLARITY)
		level = !level;
	was = vlapic->lint_levels & BIT(pin);
	if (level)
		vlapic->lint_levels |= BIT(pin);
	else
		vlapic->lint_levels &= ~BIT(pin);

	if ((lvt & APIC_MODE_MASK) == APIC_DM_FIXED &&
	    (lvt & APIC_LVT_LEVEL_TRIGGER))
		kick = vlapic_lint_eval_level(vlapic, pin);
	else if (level && !was)
		kick = vlapic_deliver_lvt(vlapic, off);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	if (kick)
		vlapic->bus->ops->kick(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_set_lint);

/* Highest IRR vector the CPU would take now, or -1. */
static int vlapic_deliverable_vector(struct vlapic *vlapic)
{
	int vec = vlapic->highest_irr;

	if (vec < 0 || !vlapic_sw_enabled(vlapic) || !vlapic_hw_enabled(vlapic))
		return -1;
	if ((vec & 0xf0) <= (vlapic_reg(vlapic, APIC_PROCPRI) & 0xf0))
		return -1;
	return vec;
}

/**
 * vlapic_has_deliverable() - the vCPU wake predicate.
 * @vlapic: the vLAPIC
 *
 * True when the highest pending vector's class is above the PPR class on
 * an enabled APIC (posted vectors included), or an NMI, SMI, INIT, SIPI or
 * ExtINT is pending. A vCPU waiting for SIPI wakes only for INIT or SIPI.
 * This is the single source of truth for HLT wake-up.
 *
 * Return: whether the vCPU has something to take.
 */
bool vlapic_has_deliverable(struct vlapic *vlapic)
{
	unsigned long flags;
	bool ret;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_sync_posted(vlapic);
	if (vlapic->mp_state == VLAPIC_MP_WAIT_FOR_SIPI)
		ret = vlapic->pending_events &
		      (VLAPIC_EVENT_INIT | VLAPIC_EVENT_SIPI);
	else
		ret = vlapic->pending_events ||
		      vlapic_deliverable_vector(vlapic) >= 0;
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_has_deliverable);

/**
 * vlapic_pending_vector() - the vector the CPU would take now.
 * @vlapic: the vLAPIC
 *
 * Return: the highest pending vector above the PPR class, or -1.
 */
int vlapic_pending_vector(struct vlapic *vlapic)
{
	unsigned long flags;
	int vec;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_sync_posted(vlapic);
	vec = vlapic_deliverable_vector(vlapic);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	return vec;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_pending_vector);

/**
 * vlapic_ack() - acknowledge the highest deliverable vector.
 * @vlapic: the vLAPIC
 *
 * What the CPU's interrupt acknowledge does: the vector moves from IRR to
 * ISR and PPR rises to its class. The caller injects the vector.
 *
 * Return: the vector, or -1 when nothing is deliverable.
 */
int vlapic_ack(struct vlapic *vlapic)
{
	unsigned long flags;
	int vec;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_sync_posted(vlapic);
	vec = vlapic_deliverable_vector(vlapic);
	if (vec >= 0) {
		vlapic_vec_clear(vlapic, APIC_IRR, vec);
		vlapic_vec_set(vlapic, APIC_ISR, vec);
		vlapic_stat_inc(vlapic, VLAPIC_STAT_ACKED);
		vlapic_stat_inc(vlapic, VLAPIC_STAT_ACKED_CLASS0 + (vec >> 4));
		vlapic_irr_changed(vlapic);
		vlapic_isr_changed(vlapic);
		trace_vlapic_ack(vlapic_id(vlapic), vec,
				 vlapic_reg(vlapic, APIC_PROCPRI));
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	return vec;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ack);

/**
 * vlapic_eoi_locked() - end of interrupt.
 * @vlapic: the vLAPIC (lock held)
 * @vector: the vector to clear from ISR, or -1 for the highest one (an
 *	EOI register write)
 *
 * Clears the ISR bit, lowers PPR, clears the remote IRR of a
 * level-triggered LINT entry with that vector (and sends it again if its
 * line is still asserted).
 *
 * Return: the vector to broadcast to the IOAPIC (its TMR bit is set and
 * broadcast is not suppressed), else -1. The caller passes it to
 * vlapic_eoi_notify() once the lock is released.
 */
int vlapic_eoi_locked(struct vlapic *vlapic, int vector)
{
	u32 off;

	lockdep_assert_held(&vlapic->lock);
	if (vector < 0)
		vector = vlapic->highest_isr;
	if (vector < 0 || !vlapic_vec_test(vlapic, APIC_ISR, vector)) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_SPURIOUS_EOI);
		return -1;
	}
	vlapic_vec_clear(vlapic, APIC_ISR, vector);
	vlapic_isr_changed(vlapic);
	vlapic_stat_inc(vlapic, VLAPIC_STAT_EOI);

	for (off = APIC_LVT0; off <= APIC_LVT1; off += 0x10) {
		u32 lvt = vlapic_reg(vlapic, off);

		if (!(lvt & APIC_LVT_REMOTE_IRR) ||
		    (lvt & APIC_VECTOR_MASK) != vector)
			continue;
		vlapic_set_reg(vlapic, off, lvt & ~APIC_LVT_REMOTE_IRR);
		/* The line still asserted: it is sent again. */
		if (vlapic_lint_eval_level(vlapic, off == APIC_LVT1))
			vlapic->bus->ops->kick(vlapic);
	}

	if (!vlapic_vec_test(vlapic, APIC_TMR, vector) ||
	    (vlapic_cfg(vlapic)->directed_eoi &&
	     (vlapic_reg(vlapic, APIC_SPIV) & APIC_SPIV_DIRECTED_EOI))) {
		trace_vlapic_eoi(vlapic_id(vlapic), vector, false);
		return -1;
	}
	trace_vlapic_eoi(vlapic_id(vlapic), vector, true);
	vlapic_stat_inc(vlapic, VLAPIC_STAT_EOI_BROADCAST);
	return vector;
}

/**
 * vlapic_eoi_notify() - tell the IOAPIC about a level-triggered EOI.
 * @vlapic: the vLAPIC (lock not held)
 * @vector: vlapic_eoi_locked()'s result
 */
void vlapic_eoi_notify(struct vlapic *vlapic, int vector)
{
	const struct vlapic_bus_ops *ops = vlapic->bus->ops;

	if (vector >= 0 && ops->eoi_broadcast)
		ops->eoi_broadcast(vlapic->bus, vlapic, vector);
}

/**
 * vlapic_eoi_vector() - EOI of a known vector (VMX EOI-induced exit).
 * @vlapic: the vLAPIC
 * @vector: the vector the guest EOIed
 *
 * With virtual-interrupt delivery the CPU has already cleared the ISR bit
 * in the (shared) register page and updated SVI: the EOI happened, so it
 * is not spurious. Re-derive ISR/PPR and do what remains: the LINT remote
 * IRR and the IOAPIC broadcast.
 */
void vlapic_eoi_vector(struct vlapic *vlapic, u8 vector)
{
	unsigned long flags;
	int bcast;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (!vlapic_vec_test(vlapic, APIC_ISR, vector)) {
		/* Done by the CPU: make it look done by us. */
		vlapic_vec_set(vlapic, APIC_ISR, vector);
		vlapic->highest_isr = max_t(int, vlapic->highest_isr, vector);
	}
	bcast = vlapic_eoi_locked(vlapic, vector);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	vlapic_eoi_notify(vlapic, bcast);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_eoi_vector);

/**
 * vlapic_pending_events() - non-vectored events held for the vCPU.
 * @vlapic: the vLAPIC
 *
 * Return: VLAPIC_EVENT_* bits.
 */
u32 vlapic_pending_events(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->pending_events);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_pending_events);

/**
 * vlapic_take_event() - consume one pending non-vectored event.
 * @vlapic: the vLAPIC
 * @event: one VLAPIC_EVENT_* bit
 * @sipi_vector: for VLAPIC_EVENT_SIPI, the start page
 *
 * INIT performs the INIT reset of the vLAPIC, under the same hold of the
 * lock that takes the event (a SIPI sent right after the INIT finds
 * either the INIT pending or the vCPU waiting for SIPI, never neither),
 * and leaves an AP waiting for SIPI with a SIPI latched after the INIT
 * still pending (the BSP stays runnable and drops it). SIPI is taken only
 * by a vCPU waiting for it and makes it runnable; while an INIT is
 * pending it is not taken (take INIT first). See include/vlapic/lapic.h.
 * Process context for INIT (the reset may rebuild the bus's map).
 *
 * Return: true when the event was pending (and, for SIPI, acted upon).
 */
bool vlapic_take_event(struct vlapic *vlapic, u32 event, u8 *sipi_vector)
{
	unsigned long flags;
	bool taken;

	if (WARN_ON_ONCE(hweight32(event) != 1 || (event & ~VLAPIC_EVENT_ALL)))
		return false;
	raw_spin_lock_irqsave(&vlapic->lock, flags);
	taken = vlapic->pending_events & event;
	if (event == VLAPIC_EVENT_SIPI &&
	    (vlapic->pending_events & VLAPIC_EVENT_INIT))
		taken = false;	/* consumed once the INIT is taken */
	if (taken)
		vlapic->pending_events &= ~event;
	if (taken && event == VLAPIC_EVENT_INIT) {
		vlapic_reset_locked(vlapic, VLAPIC_RESET_INIT);
	} else if (taken && event == VLAPIC_EVENT_SIPI) {
		if (vlapic->mp_state == VLAPIC_MP_WAIT_FOR_SIPI) {
			vlapic->mp_state = VLAPIC_MP_RUNNABLE;
			if (sipi_vector)
				*sipi_vector = vlapic->sipi_vector;
		} else {
			/* Not reachable while the invariant holds. */
			vlapic_stat_inc(vlapic, VLAPIC_STAT_SIPI_IGNORED);
			taken = false;
		}
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	/* INIT may rewrite IDs: the reset marked the map dirty. */
	if (event == VLAPIC_EVENT_INIT)
		vlapic_bus_update_map(vlapic->bus);
	return taken;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_take_event);

/**
 * vlapic_mp_state() - where the vCPU is in the INIT-SIPI protocol.
 * @vlapic: the vLAPIC
 *
 * Return: VLAPIC_MP_RUNNABLE or VLAPIC_MP_WAIT_FOR_SIPI.
 */
enum vlapic_mp_state vlapic_mp_state(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->mp_state);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_mp_state);
