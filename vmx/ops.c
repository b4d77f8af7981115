// SPDX-License-Identifier: GPL-2.0
/*
 * The vLAPIC's VMX hooks (struct vlapic_ops): posted delivery, PIR sync,
 * and the interrupt fields (RVI, SVI, TPR threshold) kept exact from the
 * vLAPIC's own reports, plus the vCPU-side entry and exit steps.
 *
 * With virtual-interrupt delivery the vLAPIC's register page is the
 * virtual-APIC page: the CPU reads VIRR/VISR/VTPR from it and writes it
 * (delivery, EOI and TPR virtualization). After every exit the vCPU
 * thread calls vmx_vlapic_refresh() so that the vLAPIC re-derives its
 * cached state (highest IRR/ISR, PPR) from the page and reports it back
 * through the hooks.
 *
 * Locking: the hooks run under the vLAPIC's lock and take @vx->lock
 * inside it; the vCPU-side functions take @vx->lock alone, never while
 * calling into the vLAPIC. deliver_posted runs under the vLAPIC's lock
 * without @vx->lock, from any context, and touches only the descriptor
 * and READ_ONCE() fields.
 */

#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <asm/apicdef.h>

#include <vlapic/export.h>
#include <vlapic/lapic.h>
#include <vlapic/ops.h>
#include <vlapic/vmx.h>

static struct vmx_vlapic *to_vx(struct vlapic *vlapic)
{
	return vlapic_vendor(vlapic);
}

static bool vmx_ops_deliver_posted(struct vlapic *vlapic, u8 vector)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	enum vmx_pi_action action;
	unsigned int post;

	/*
	 * VID off, or a CPU without posted-interrupt processing: the core
	 * sets IRR and kicks, the hooks follow (RVI from IRR).
	 */
	if (!READ_ONCE(vx->f.vid) || !READ_ONCE(vx->posting))
		return false;
	post = vmx_pi_post(&vx->pi, vector);
	/* The post is a full barrier: the mode read cannot pass it. */
	action = vmx_pi_post_action(post, READ_ONCE(vx->mode), vector,
				    vlapic_ppr(vlapic));
	if (action == VMX_PI_NOTIFY)
		atomic_inc(&vx->notifications);
	else if (action == VMX_PI_WAKE)
		atomic_inc(&vx->wakes);
	if (action != VMX_PI_NONE && vx->notify)
		vx->notify(vx, action);
	return true;
}

static bool vmx_ops_sync_pir(struct vlapic *vlapic, u32 *irr)
{
	return vmx_pi_sync(&to_vx(vlapic)->pi, irr);
}

/* Lock held (vLAPIC's, then @vx->lock): the fields follow the state. */
static void vmx_ops_update(struct vmx_vlapic *vx)
{
	vmx_prepare_entry(&vx->f, &vx->s);
}

static void vmx_ops_irr_updated(struct vlapic *vlapic, int max_irr)
{
	struct vmx_vlapic *vx = to_vx(vlapic);

	raw_spin_lock(&vx->lock);
	vx->s.max_irr = max_irr;
	/* RVI even with VID off: -1 writes 0, never skipped (seed 000). */
	vmx_set_rvi(&vx->f, max_irr);
	vmx_ops_update(vx);
	raw_spin_unlock(&vx->lock);
}

static void vmx_ops_isr_updated(struct vlapic *vlapic, int max_isr)
{
	struct vmx_vlapic *vx = to_vx(vlapic);

	raw_spin_lock(&vx->lock);
	vx->s.max_isr = max_isr;
	vmx_set_svi(&vx->f, max_isr);
	vmx_ops_update(vx);
	raw_spin_unlock(&vx->lock);
}

static void vmx_ops_tpr_updated(struct vlapic *vlapic, u8 tpr)
{
	struct vmx_vlapic *vx = to_vx(vlapic);

	raw_spin_lock(&vx->lock);
	vx->s.tpr = tpr;
	vmx_ops_update(vx);
	raw_spin_unlock(&vx->lock);
}

/* Before RESET, INIT or restore loads new registers: purge, never after. */
static void vmx_ops_state_reset(struct vlapic *vlapic)
{
	vmx_pi_purge(&to_vx(vlapic)->pi);
}

const struct vlapic_ops vmx_vlapic_ops = {
	.deliver_posted = vmx_ops_deliver_posted,
	.sync_pir = vmx_ops_sync_pir,
	.irr_updated = vmx_ops_irr_updated,
	.isr_updated = vmx_ops_isr_updated,
	.tpr_updated = vmx_ops_tpr_updated,
	.state_reset = vmx_ops_state_reset,
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_ops);

/**
 * vmx_vlapic_init() - prepare the VMX side before vlapic_set_ops().
 * @vx: zeroed, 64-byte aligned (the descriptor is its first member).
 * @vid: start with virtual-interrupt delivery on.
 * @notify: called for notifications and wakes (may be NULL).
 *
 * Return: 0, or -EINVAL if @vx is misaligned.
 */
int vmx_vlapic_init(struct vmx_vlapic *vx, bool vid,
		    vmx_vlapic_notify_t notify)
{
	if (WARN_ON_ONCE(!IS_ALIGNED((unsigned long)&vx->pi, 64)))
		return -EINVAL;
	raw_spin_lock_init(&vx->lock);
	vx->f.tpr_shadow = true;
	vx->f.vid = vid;
	vx->posting = true;
	vx->s.max_irr = -1;
	vx->s.max_isr = -1;
	vx->mode = VMX_PI_IN_HOST;
	vx->notify = notify;
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_init);

/**
 * vmx_vlapic_set_mode() - publish where the vCPU is.
 * @vx: the VMX side.
 * @mode: enum vmx_pi_vcpu_mode.
 *
 * Full barrier after the store: the PIR checks that follow (the last sync
 * before entry, the halt check) cannot be reordered before it, which is
 * what makes a concurrent post either seen by them or acted on by its
 * poster.
 */
void vmx_vlapic_set_mode(struct vmx_vlapic *vx, enum vmx_pi_vcpu_mode mode)
{
	/* Pairs with the full barrier of vmx_pi_post() in posters. */
	smp_store_mb(vx->mode, mode);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_set_mode);

/**
 * vmx_vlapic_refresh() - re-derive everything from the register page.
 * @vlapic: the vLAPIC.
 *
 * After an exit the CPU may have changed the page (virtual delivery moved
 * a vector from VIRR to VISR, a virtual EOI cleared VISR, the guest wrote
 * VTPR). vlapic_set_ops() is the core's locked "sync the PIR, recompute
 * every derived value and report it to the hooks" step.
 */
void vmx_vlapic_refresh(struct vlapic *vlapic)
{
	vlapic_set_ops(vlapic, &vmx_vlapic_ops, vlapic_vendor(vlapic));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_refresh);

/**
 * vmx_vlapic_set_vid() - switch virtual-interrupt delivery at runtime.
 * @vlapic: the vLAPIC.
 * @on: the new state.
 *
 * RVI and SVI are rebuilt from IRR and ISR (peer bug: a stale SVI left a
 * vector in service forever). Switching off first stops new posts, then
 * the refresh folds what is left in the PIR into IRR.
 */
void vmx_vlapic_set_vid(struct vlapic *vlapic, bool on)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	unsigned long flags;

	raw_spin_lock_irqsave(&vx->lock, flags);
	WRITE_ONCE(vx->f.vid, on);
	raw_spin_unlock_irqrestore(&vx->lock, flags);
	vmx_vlapic_refresh(vlapic);
	raw_spin_lock_irqsave(&vx->lock, flags);
	vmx_set_vid(&vx->f, on, &vx->s);
	raw_spin_unlock_irqrestore(&vx->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_set_vid);

/**
 * vmx_vlapic_set_posting() - use posted interrupts with VID, or not.
 * @vlapic: the vLAPIC.
 * @on: post to the descriptor (the default after vmx_vlapic_init()).
 *
 * A CPU with virtual-interrupt delivery but without posted-interrupt
 * processing (Bochs' corei7_skylake_x, some real parts) still gets RVI
 * and SVI from the hooks; only delivery changes: with @on false,
 * deliver_posted declines and the core sets IRR and kicks the vCPU, as
 * with VID off. Switching off first stops new posts, then the refresh
 * folds what is left in the PIR into IRR.
 */
void vmx_vlapic_set_posting(struct vlapic *vlapic, bool on)
{
	WRITE_ONCE(to_vx(vlapic)->posting, on);
	vmx_vlapic_refresh(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_set_posting);

/**
 * vmx_vlapic_prepare_entry() - the fields for this entry.
 * @vlapic: the vLAPIC.
 * @interruptible: without VID, the guest can take an interrupt now.
 * @out: the fields to load into the VMCS.
 *
 * Called by the vCPU thread after vmx_vlapic_set_mode(VMX_PI_IN_GUEST),
 * interrupts off. Syncs the PIR (the hooks update RVI); without VID,
 * acknowledges the vector to inject.
 *
 * Return: the vector to inject (VID off), or -1.
 */
int vmx_vlapic_prepare_entry(struct vlapic *vlapic, bool interruptible,
			     struct vmx_apic_fields *out)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	unsigned long flags;
	int vector = -1;

	if (READ_ONCE(vx->f.vid))
		vlapic_pending_vector(vlapic);
	else if (interruptible)
		vector = vlapic_ack(vlapic);
	raw_spin_lock_irqsave(&vx->lock, flags);
	vmx_prepare_entry(&vx->f, &vx->s);
	*out = vx->f;
	raw_spin_unlock_irqrestore(&vx->lock, flags);
	return vector;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_prepare_entry);

/**
 * vmx_vlapic_load_eoi_exitmap() - rebuild the EOI-exit bitmap.
 * @vlapic: the vLAPIC.
 * @level_vectors: the 256-bit bitmap of vlapic_ioapic_level_vectors()
 *	(vectors of level-triggered IOAPIC entries), or NULL.
 *
 * Called by the vCPU thread after the IOAPIC's level_vectors_changed op
 * and before entering with a new level-triggered vector in IRR. TMR is
 * read lock-free: a vector's TMR bit is set before its IRR or PIR bit.
 */
void vmx_vlapic_load_eoi_exitmap(struct vlapic *vlapic,
				 const unsigned long *level_vectors)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	u32 tmr[APICV_VEC_WORDS] = {}, routes[APICV_VEC_WORDS] = {};
	unsigned long flags;
	int v;

	for (v = 0; v < APICV_NR_VECTORS; v++)
		if (vlapic_test_tmr(vlapic, v))
			apicv_vec_set(tmr, v);
	if (level_vectors)
		bitmap_to_arr32(routes, level_vectors, APICV_NR_VECTORS);
	raw_spin_lock_irqsave(&vx->lock, flags);
	vmx_build_eoi_exitmap(&vx->f, tmr, routes);
	raw_spin_unlock_irqrestore(&vx->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_load_eoi_exitmap);

/**
 * vmx_vlapic_eoi_exit() - an EOI-induced exit.
 * @vlapic: the vLAPIC.
 * @exit_qual: its qualification.
 */
void vmx_vlapic_eoi_exit(struct vlapic *vlapic, u64 exit_qual)
{
	struct vmx_vlapic *vx = to_vx(vlapic);

	vlapic_eoi_vector(vlapic, vmx_eoi_induced_exit(&vx->f, exit_qual));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_eoi_exit);

/**
 * vmx_vlapic_apic_write_exit() - replay a trap-like APIC-write exit.
 * @vlapic: the vLAPIC.
 * @exit_qual: its qualification (the register offset).
 *
 * The CPU already stored the guest's value in the page (x2APIC ICR: bits
 * 31:0 at 300H, 63:32 at 310H); the vLAPIC's write path is run with it for
 * the side effects (IPIs, timer, LVT masking, map changes). Every side
 * effect of the vLAPIC's registers depends on the new value only.
 *
 * Return: enum vlapic_access of the replayed write (VLAPIC_ACCESS_GP: the
 * caller injects #GP(0)); VLAPIC_ACCESS_OK for a qualification the CPU
 * does not produce, which is ignored.
 */
int vmx_vlapic_apic_write_exit(struct vlapic *vlapic, u64 exit_qual)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	u8 *page = vlapic_regs_page(vlapic);
	int off = vmx_apic_write_exit(&vx->f, exit_qual);
	u32 lo;
	u64 val;

	if (off < 0)
		return VLAPIC_ACCESS_OK;
	lo = READ_ONCE(*(u32 *)(page + off));
	if (!vlapic_x2apic_mode(vlapic))
		return vlapic_mmio_write(vlapic, off, &lo, 4);
	val = lo;
	if (off == APIC_ICR)
		val |= (u64)READ_ONCE(*(u32 *)(page + APIC_ICR2)) << 32;
	return vlapic_msr_write(vlapic, VLAPIC_MSR_X2APIC_FIRST + (off >> 4),
				val);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_apic_write_exit);

/**
 * vmx_vlapic_halt_check() - whether a vCPU about to halt must not.
 * @vlapic: the vLAPIC.
 *
 * Called after vmx_vlapic_set_mode(VMX_PI_HALTED). The core's predicate
 * covers the PIR (synced) and IRR against PPR; RVI is checked too, since
 * the CPU delivers from RVI.
 *
 * Return: true if something is deliverable.
 */
bool vmx_vlapic_halt_check(struct vlapic *vlapic)
{
	struct vmx_vlapic *vx = to_vx(vlapic);
	unsigned long flags;
	u8 rvi;

	if (vlapic_has_deliverable(vlapic))
		return true;
	raw_spin_lock_irqsave(&vx->lock, flags);
	rvi = vx->f.vid ? vmx_rvi(&vx->f) : 0;
	raw_spin_unlock_irqrestore(&vx->lock, flags);
	return apicv_deliverable(rvi, vlapic_ppr(vlapic));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vlapic_halt_check);
