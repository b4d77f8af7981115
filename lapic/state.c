// SPDX-License-Identifier: GPL-2.0
/*
 * vLAPIC lifetime and whole-state operations: create, destroy, RESET,
 * INIT, save and restore, and the read-only accessors.
 *
 * Every path that replaces register state (RESET, INIT, restore) first
 * lets the vendor purge posted-interrupt state, then loads the registers,
 * then recomputes everything derived from them (vlapic_recalc(): highest
 * IRR/ISR, PPR, RVI/SVI/V_TPR) and the bus's map. Nothing derived survives
 * from the old state (seed 000).
 */

#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vlapic/export.h>
#include <vlapic/lapic_state.h>
#include "lapic_priv.h"

static u32 vlapic_version_reg(struct vlapic *vlapic)
{
	u32 v = VLAPIC_VERSION | ((VLAPIC_NR_LVT - 1) << 16);

	if (vlapic_cfg(vlapic)->directed_eoi)
		v |= APIC_LVR_DIRECTED_EOI;
	return v;
}

/**
 * vlapic_reset_locked() - load the RESET, INIT or disabled register state.
 * @vlapic: the vLAPIC (lock held)
 * @kind: VLAPIC_RESET_POWER_ON: power-up, xAPIC mode at the default base
 *	(BSP bit kept); VLAPIC_RESET_INIT: the ID register and
 *	IA32_APIC_BASE (x2APIC mode included) are kept; VLAPIC_RESET_DISABLE:
 *	IA32_APIC_BASE.EN was cleared: the registers take their power-up
 *	values, but the CPU is not reset (the caller sets IA32_APIC_BASE)
 *
 * SDM 10.4.7.1, 10.4.3 and 10.12.5.2. After RESET and INIT the BSP is
 * runnable and APs wait for SIPI, and pending events are dropped, except
 * a SIPI latched after the INIT being taken (vlapic_take_event()), which
 * an AP keeps. A global disable is not an INIT: the CPU keeps running, so
 * the MP state, the pending events and the LINT input levels stay (Linux
 * disables and re-enables the APIC of running APs in x2apic_setup()).
 */
void vlapic_reset_locked(struct vlapic *vlapic, enum vlapic_reset_kind kind)
{
	u32 id = vlapic_reg(vlapic, APIC_ID), ldr = vlapic_reg(vlapic, APIC_LDR);
	u32 off;

	lockdep_assert_held(&vlapic->lock);
	if (vlapic->ops && vlapic->ops->state_reset)
		vlapic->ops->state_reset(vlapic);
	vlapic_timer_reset(vlapic);

	memset(vlapic->regs, 0, PAGE_SIZE);
	if (kind != VLAPIC_RESET_INIT) {
		vlapic->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_ENABLE |
				    (vlapic->apic_base & VLAPIC_BASE_BSP);
		id = vlapic->initial_id << 24;
	}
	vlapic_set_reg(vlapic, APIC_ID, id);
	if (vlapic_is_x2apic(vlapic))
		vlapic_set_reg(vlapic, APIC_LDR, ldr);
	vlapic_set_reg(vlapic, APIC_LVR, vlapic_version_reg(vlapic));
	vlapic_set_reg(vlapic, APIC_DFR, 0xffffffff);
	vlapic_set_reg(vlapic, APIC_SPIV, 0xff);
	for (off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		vlapic_set_reg(vlapic, off, APIC_LVT_MASKED);
	vlapic_set_reg(vlapic, APIC_LVTCMCI, APIC_LVT_MASKED);
	vlapic->esr_pending = 0;

	if (kind != VLAPIC_RESET_DISABLE) {
		vlapic->mp_state = (vlapic->apic_base & VLAPIC_BASE_BSP) ?
				   VLAPIC_MP_RUNNABLE : VLAPIC_MP_WAIT_FOR_SIPI;
		/*
		 * Invariant: a latched SIPI means an INIT is pending or the
		 * vCPU waits for SIPI. Accepting an INIT discards a latched
		 * SIPI, so one latched now came after this INIT: it is what
		 * starts the AP. The BSP stays runnable: it drops it.
		 */
		if (kind == VLAPIC_RESET_INIT &&
		    (vlapic->pending_events & VLAPIC_EVENT_SIPI) &&
		    vlapic->mp_state == VLAPIC_MP_WAIT_FOR_SIPI) {
			vlapic->pending_events = VLAPIC_EVENT_SIPI;
		} else {
			if (vlapic->pending_events & VLAPIC_EVENT_SIPI)
				vlapic_stat_inc(vlapic,
						VLAPIC_STAT_SIPI_IGNORED);
			vlapic->pending_events = 0;
			vlapic->sipi_vector = 0;
		}
		vlapic->lint_levels = 0;
	}
	vlapic_recalc(vlapic);
	vlapic_bus_mark_dirty(vlapic->bus);
}

/**
 * vlapic_reset() - power-on RESET of the vLAPIC.
 * @vlapic: the vLAPIC
 *
 * Process context.
 */
void vlapic_reset(struct vlapic *vlapic)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_reset_locked(vlapic, VLAPIC_RESET_POWER_ON);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	vlapic_bus_update_map(vlapic->bus);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_reset);

/**
 * vlapic_init_reset() - INIT of the vLAPIC.
 * @vlapic: the vLAPIC
 *
 * The INIT reset without a pending INIT event (for a VMM that resets a
 * vCPU itself); an INIT event is taken with vlapic_take_event(). Process
 * context.
 */
void vlapic_init_reset(struct vlapic *vlapic)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_reset_locked(vlapic, VLAPIC_RESET_INIT);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	vlapic_bus_update_map(vlapic->bus);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_init_reset);

/**
 * vlapic_create() - create a vLAPIC and put it on a bus.
 * @bus: the VM's bus
 * @index: slot on the bus (vCPU index); index 0 is the BSP
 * @apic_id: initial APIC ID (the x2APIC ID; its low 8 bits are the xAPIC
 *	ID after RESET)
 * @clock: time source (&vlapic_host_clock outside tests)
 *
 * The vLAPIC starts in the RESET state. Process context.
 *
 * Return: the vLAPIC or an ERR_PTR (-EINVAL, -EEXIST, -ENOMEM).
 */
struct vlapic *vlapic_create(struct vlapic_bus *bus, unsigned int index,
			     u32 apic_id, const struct vlapic_clock *clock)
{
	struct vlapic *vlapic;

	if (index >= bus->max_vlapics || !clock ||
	    apic_id == VLAPIC_X2APIC_BROADCAST ||
	    (!bus->config.x2apic && apic_id >= VLAPIC_XAPIC_BROADCAST))
		return ERR_PTR(-EINVAL);
	vlapic = kzalloc(sizeof(*vlapic), GFP_KERNEL_ACCOUNT);
	if (!vlapic)
		return ERR_PTR(-ENOMEM);
	/* A whole page: it doubles as the VMX virtual-APIC page. */
	vlapic->regs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vlapic->regs) {
		kfree(vlapic);
		return ERR_PTR(-ENOMEM);
	}
	vlapic->bus = bus;
	vlapic->index = index;
	vlapic->initial_id = apic_id;
	vlapic->clock = clock;
	raw_spin_lock_init(&vlapic->lock);
	vlapic_timer_init(vlapic);
	vlapic->apic_base = index == 0 ? VLAPIC_BASE_BSP : 0;
	vlapic_reset(vlapic);

	if (!vlapic_bus_register(bus, vlapic)) {
		vlapic_timer_shutdown(vlapic);
		free_page((unsigned long)vlapic->regs);
		kfree(vlapic);
		return ERR_PTR(-EEXIST);
	}
	return vlapic;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_create);

/**
 * vlapic_destroy() - take a vLAPIC off its bus and free it.
 * @vlapic: the vLAPIC (NULL is allowed)
 *
 * No delivery, timer expiry or deferred work refers to it afterwards.
 * Process context.
 */
void vlapic_destroy(struct vlapic *vlapic)
{
	if (!vlapic)
		return;
	vlapic_bus_unregister(vlapic->bus, vlapic);
	vlapic_timer_shutdown(vlapic);
	free_page((unsigned long)vlapic->regs);
	kfree(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_destroy);

/**
 * vlapic_set_ops() - install the vendor hooks.
 * @vlapic: the vLAPIC
 * @ops: the hook table (NULL: software only)
 * @vendor: returned by vlapic_vendor()
 *
 * The vendor's mirrors are brought up to date at once (RVI, SVI, V_TPR
 * are rebuilt from the registers): activating APIC virtualization at
 * runtime must not leave a stale SVI (a KVM bug). Vectors posted through
 * the old table are folded into IRR first.
 *
 * Deliveries read the table under the lock, so the switch is atomic for
 * them. Any context that may take the lock.
 */
void vlapic_set_ops(struct vlapic *vlapic, const struct vlapic_ops *ops,
		    void *vendor)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_sync_posted(vlapic);
	vlapic->ops = ops;
	vlapic->vendor = vendor;
	vlapic_recalc(vlapic);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_set_ops);

/**
 * vlapic_vendor() - the vendor pointer given to vlapic_set_ops().
 * @vlapic: the vLAPIC
 *
 * Return: the pointer.
 */
void *vlapic_vendor(struct vlapic *vlapic)
{
	return vlapic->vendor;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_vendor);

/**
 * vlapic_index() - the vLAPIC's slot on its bus.
 * @vlapic: the vLAPIC
 *
 * Return: the index given at creation.
 */
unsigned int vlapic_index(struct vlapic *vlapic)
{
	return vlapic->index;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_index);

/**
 * vlapic_get_bus() - the bus the vLAPIC is on.
 * @vlapic: the vLAPIC
 *
 * Return: the bus.
 */
struct vlapic_bus *vlapic_get_bus(struct vlapic *vlapic)
{
	return vlapic->bus;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_get_bus);

/* Lockless snapshots for the vendor backends and the VM layer. */

/**
 * vlapic_highest_irr() - highest vector pending in IRR.
 * @vlapic: the vLAPIC
 *
 * Return: the vector or -1.
 */
int vlapic_highest_irr(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->highest_irr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_highest_irr);

/**
 * vlapic_highest_isr() - highest vector in service.
 * @vlapic: the vLAPIC
 *
 * Return: the vector or -1.
 */
int vlapic_highest_isr(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->highest_isr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_highest_isr);

/**
 * vlapic_ppr() - the processor priority register.
 * @vlapic: the vLAPIC
 *
 * Return: PPR.
 */
u8 vlapic_ppr(struct vlapic *vlapic)
{
	return READ_ONCE(*(u32 *)(vlapic->regs + APIC_PROCPRI));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ppr);

/**
 * vlapic_tpr() - the task priority register.
 * @vlapic: the vLAPIC
 *
 * Return: TPR.
 */
u8 vlapic_tpr(struct vlapic *vlapic)
{
	return READ_ONCE(*(u32 *)(vlapic->regs + APIC_TASKPRI));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_tpr);

/**
 * vlapic_test_tmr() - whether a vector was accepted level-triggered.
 * @vlapic: the vLAPIC
 * @vector: the vector
 *
 * Return: its TMR bit.
 */
bool vlapic_test_tmr(struct vlapic *vlapic, u8 vector)
{
	return READ_ONCE(*vlapic_vec_word(vlapic, APIC_TMR, vector)) &
	       BIT(vector & 31);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_test_tmr);

/**
 * vlapic_enabled() - hardware- and software-enabled.
 * @vlapic: the vLAPIC
 *
 * Return: IA32_APIC_BASE.EN && SVR bit 8.
 */
bool vlapic_enabled(struct vlapic *vlapic)
{
	return (READ_ONCE(vlapic->apic_base) & VLAPIC_BASE_ENABLE) &&
	       (READ_ONCE(*(u32 *)(vlapic->regs + APIC_SPIV)) &
		APIC_SPIV_APIC_ENABLED);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_enabled);

/**
 * vlapic_x2apic_mode() - whether x2APIC mode is on.
 * @vlapic: the vLAPIC
 *
 * Return: IA32_APIC_BASE.EXTD.
 */
bool vlapic_x2apic_mode(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->apic_base) & VLAPIC_BASE_X2APIC;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_x2apic_mode);

/**
 * vlapic_id() - the current APIC ID.
 * @vlapic: the vLAPIC
 *
 * Return: the x2APIC ID in x2APIC mode, else the 8-bit xAPIC ID.
 */
u32 vlapic_id(struct vlapic *vlapic)
{
	u32 id = READ_ONCE(*(u32 *)(vlapic->regs + APIC_ID));

	return vlapic_x2apic_mode(vlapic) ? id : id >> 24;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_id);

/**
 * vlapic_regs_page() - the register page (VMX virtual-APIC page).
 * @vlapic: the vLAPIC
 *
 * Return: the page; only the vendor backend writes it, under the lock.
 */
void *vlapic_regs_page(struct vlapic *vlapic)
{
	return vlapic->regs;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_regs_page);

/**
 * vlapic_stat() - one counter.
 * @vlapic: the vLAPIC
 * @id: which
 *
 * Return: its value.
 */
u64 vlapic_stat(struct vlapic *vlapic, enum vlapic_stat_id id)
{
	return READ_ONCE(vlapic->stats.v[id]);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_stat);

/**
 * vlapic_get_state() - save the complete state.
 * @vlapic: the vLAPIC
 * @s: filled in; every byte is written (no kernel data leaks)
 *
 * A timer expiry that is due but whose callback has not run yet fires
 * first: saved as "count 0, nothing pending", a one-shot tick would be
 * lost for the restored guest.
 */
void vlapic_get_state(struct vlapic *vlapic, struct vlapic_lapic_state *s)
{
	unsigned long flags;
	bool kick;

	BUILD_BUG_ON(sizeof(*s) != 1120);
	memset(s, 0, sizeof(*s));
	raw_spin_lock_irqsave(&vlapic->lock, flags);
	kick = vlapic_timer_catch_up(vlapic);
	vlapic_sync_posted(vlapic);
	memcpy(s->regs, vlapic->regs, sizeof(s->regs));
	*(u32 *)(s->regs + APIC_TMCCT) = vlapic_timer_current_count(vlapic);
	*(u32 *)(s->regs + APIC_ICR) &= ~APIC_ICR_BUSY;
	*(u32 *)(s->regs + APIC_ARBPRI) = 0;
	s->apic_base = vlapic->apic_base;
	s->tsc_deadline = vlapic_timer_read_deadline(vlapic);
	s->esr_pending = vlapic->esr_pending;
	s->pending_events = vlapic->pending_events;
	s->sipi_vector = vlapic->sipi_vector;
	s->mp_state = vlapic->mp_state;
	s->lint_levels = vlapic->lint_levels;
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	if (kick)
		vlapic->bus->ops->kick(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_get_state);

static u32 vlapic_state_reg(const struct vlapic_lapic_state *s, u32 off)
{
	return *(const u32 *)(s->regs + off);
}

/*
 * LVT bits a restored entry may have set: those writes can store
 * (lapic/regs.c), the remote IRR of LINT0, and both timer mode bits
 * (checked on their own). Delivery status is never set: delivery is
 * synchronous.
 */
static const struct {
	u32 off;
	u32 bits;
} vlapic_lvt_bits[] = {
	{ APIC_LVTCMCI, 0x107ff },
	{ APIC_LVTT, 0x700ff },
	{ APIC_LVTTHMR, 0x107ff },
	{ APIC_LVTPC, 0x107ff },
	{ APIC_LVT0, 0x1e7ff },
	{ APIC_LVT1, 0x127ff },
	{ APIC_LVTERR, 0x100ff },
};

static bool vlapic_state_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/**
 * vlapic_validate_state() - check a state before any of it is loaded.
 * @vlapic: the vLAPIC it is meant for
 * @s: the state
 *
 * One function, one typed reason per rejection (bhyve's model).
 *
 * Return: VLAPIC_STATE_OK or the first problem found.
 */
enum vlapic_state_error vlapic_validate_state(struct vlapic *vlapic,
					      const struct vlapic_lapic_state *s)
{
	const struct vlapic_config *cfg = vlapic_cfg(vlapic);
	u64 base = s->apic_base;
	bool x2 = base & VLAPIC_BASE_X2APIC;
	u32 tdcr, lvtt, i;

	if (s->flags)
		return VLAPIC_STATE_BAD_FLAGS;
	if (s->pad || !vlapic_state_zero(s->reserved, sizeof(s->reserved)))
		return VLAPIC_STATE_BAD_RESERVED;
	if ((base & ~(VLAPIC_BASE_ADDR_MASK | VLAPIC_BASE_ENABLE |
		      VLAPIC_BASE_BSP | VLAPIC_BASE_X2APIC)) ||
	    (x2 && !cfg->x2apic) || (x2 && !(base & VLAPIC_BASE_ENABLE)))
		return VLAPIC_STATE_BAD_APIC_BASE;
	if (x2 && vlapic_state_reg(s, APIC_ID) != vlapic->initial_id)
		return VLAPIC_STATE_BAD_ID;
	if (!x2 && (vlapic_state_reg(s, APIC_ID) & 0x00ffffff))
		return VLAPIC_STATE_BAD_ID;
	if (x2 && vlapic_state_reg(s, APIC_LDR) !=
		  vlapic_x2apic_ldr(vlapic->initial_id))
		return VLAPIC_STATE_BAD_X2APIC_LDR;
	if (!x2 && (vlapic_state_reg(s, APIC_LDR) & ~APIC_LDR_MASK))
		return VLAPIC_STATE_BAD_LDR;
	/*
	 * Bits 27:0 read as ones. The model nibble is what the guest wrote:
	 * flat, cluster, or a reserved model that matches no logical
	 * destination (writes store it, so restore takes it). In x2APIC mode
	 * the register keeps its xAPIC value.
	 */
	if ((vlapic_state_reg(s, APIC_DFR) & 0x0fffffff) != 0x0fffffff)
		return VLAPIC_STATE_BAD_DFR;
	if (vlapic_state_reg(s, APIC_LVR) != vlapic_version_reg(vlapic))
		return VLAPIC_STATE_BAD_VERSION;
	if (vlapic_state_reg(s, APIC_TASKPRI) & ~APIC_TPRI_MASK)
		return VLAPIC_STATE_BAD_TPR;
	if (vlapic_state_reg(s, APIC_SPIV) &
	    ~(0x3ffU | (cfg->directed_eoi ? APIC_SPIV_DIRECTED_EOI : 0)))
		return VLAPIC_STATE_BAD_SVR;
	if ((vlapic_state_reg(s, APIC_ESR) | s->esr_pending) &
	    ~(u32)(APIC_ESR_SENDILL | APIC_ESR_RECVILL | APIC_ESR_ILLREGA))
		return VLAPIC_STATE_BAD_ESR;
	for (i = 0; i < ARRAY_SIZE(vlapic_lvt_bits); i++) {
		u32 off = vlapic_lvt_bits[i].off, lvt = vlapic_state_reg(s, off);

		if ((lvt & ~vlapic_lvt_bits[i].bits) ||
		    !vlapic_lvt_mode_valid(off, lvt))
			return VLAPIC_STATE_BAD_LVT;
	}
	/*
	 * Mode 11b is reserved, but an xAPIC write stores it when the
	 * deadline mode is offered (and it survives the switch to x2APIC
	 * mode): the state exists, so restore takes it. It counts like
	 * one-shot.
	 */
	lvtt = vlapic_state_reg(s, APIC_LVTT) &
	       (APIC_LVT_TIMER_PERIODIC | APIC_LVT_TIMER_TSCDEADLINE);
	if ((lvtt & APIC_LVT_TIMER_TSCDEADLINE) && !cfg->tsc_deadline)
		return VLAPIC_STATE_BAD_TIMER_MODE;
	if (s->tsc_deadline && lvtt != APIC_LVT_TIMER_TSCDEADLINE)
		return VLAPIC_STATE_BAD_TIMER_MODE;
	tdcr = vlapic_state_reg(s, APIC_TDCR);
	if (tdcr & ~0xbU)
		return VLAPIC_STATE_BAD_DCR;
	if (vlapic_state_reg(s, APIC_TMCCT) > vlapic_state_reg(s, APIC_TMICT))
		return VLAPIC_STATE_BAD_TIMER_COUNT;
	/* Vectors 0-15 can never be accepted (nor their TMR bits set). */
	if ((vlapic_state_reg(s, APIC_ISR) | vlapic_state_reg(s, APIC_IRR) |
	     vlapic_state_reg(s, APIC_TMR)) & 0xffff)
		return VLAPIC_STATE_BAD_VECTOR;
	if (s->pending_events & ~VLAPIC_EVENT_ALL)
		return VLAPIC_STATE_BAD_EVENTS;
	if (s->mp_state > VLAPIC_MP_STATE_WAIT_FOR_SIPI)
		return VLAPIC_STATE_BAD_MP_STATE;
	if (s->lint_levels & ~3U)
		return VLAPIC_STATE_BAD_LINT;
	if ((vlapic_state_reg(s, APIC_ICR) & ~VLAPIC_ICR_LOW_MASK) ||
	    (!x2 && (vlapic_state_reg(s, APIC_ICR2) & 0x00ffffff)))
		return VLAPIC_STATE_BAD_ICR;
	return VLAPIC_STATE_OK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_validate_state);

/**
 * vlapic_set_state() - restore a complete state.
 * @vlapic: the vLAPIC
 * @s: the state, as vlapic_get_state() produced it
 *
 * Validated first; on error nothing changes. Posted-interrupt state is
 * purged before the registers are loaded, then every derived value is
 * recomputed and the timer resumes (a timer already due fires).
 * Process context.
 *
 * Return: 0 or -EINVAL.
 */
int vlapic_set_state(struct vlapic *vlapic, const struct vlapic_lapic_state *s)
{
	u32 ccr = vlapic_state_reg(s, APIC_TMCCT), off;
	unsigned long flags;
	bool kick;

	if (vlapic_validate_state(vlapic, s) != VLAPIC_STATE_OK)
		return -EINVAL;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (vlapic->ops && vlapic->ops->state_reset)
		vlapic->ops->state_reset(vlapic);
	vlapic_timer_reset(vlapic);

	/*
	 * Only the registers that are state, all validated above; derived,
	 * write-only and reserved slots (and bytes 4-15 of every slot) read
	 * as zero whatever the saved page holds.
	 */
	memset(vlapic->regs, 0, PAGE_SIZE);
	for (off = 0; off < sizeof(s->regs); off += 16)
		if (vlapic_reg_saved(off))
			vlapic_set_reg(vlapic, off, vlapic_state_reg(s, off));
	vlapic->apic_base = s->apic_base;
	vlapic->esr_pending = s->esr_pending;
	vlapic->pending_events = s->pending_events;
	vlapic->sipi_vector = s->sipi_vector;
	vlapic->mp_state = s->mp_state;
	vlapic->lint_levels = s->lint_levels;
	/*
	 * The SIPI invariant (lapic/irq.c): a state saved by an older
	 * module may hold a SIPI for a runnable vCPU without an INIT: it
	 * would start nothing, drop it.
	 */
	if ((vlapic->pending_events & VLAPIC_EVENT_SIPI) &&
	    !(vlapic->pending_events & VLAPIC_EVENT_INIT) &&
	    vlapic->mp_state != VLAPIC_MP_WAIT_FOR_SIPI)
		vlapic->pending_events &= ~VLAPIC_EVENT_SIPI;
	if (!vlapic_sw_enabled(vlapic))
		vlapic_write_svr(vlapic, vlapic_reg(vlapic, APIC_SPIV));

	vlapic_recalc(vlapic);
	vlapic_timer_restore(vlapic, ccr, s->tsc_deadline);
	vlapic_bus_mark_dirty(vlapic->bus);
	kick = vlapic->pending_events || vlapic->highest_irr >= 0;
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);

	vlapic_bus_update_map(vlapic->bus);
	if (kick)
		vlapic->bus->ops->kick(vlapic);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_set_state);
