// SPDX-License-Identifier: GPL-2.0
/*
 * VMCB accessors: the thin layer between the SVM decision code
 * (struct svm_vintr_fields) and the VMCB the CPU reads at VMRUN and writes
 * at #VMEXIT (AMD APM vol. 2, appendix B "Layout of VMCB", and "VMCB Clean
 * Bits"). The layout is the kernel's struct vmcb (<asm/svm.h>).
 *
 * Only the interrupt-virtualization fields are touched: the V_TPR, V_IRQ,
 * V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING and V_INTR_VECTOR group
 * (offsets 060h-067h), the CR8 write and VINTR intercepts, and EVENTINJ.
 * Every other bit of those words belongs to the run loop and is kept.
 *
 * Clean bits: a CPU may cache VMCB groups across VMRUNs and reload only
 * those whose clean bit is 0. A store that changes a cached group clears
 * its bit here, where the store happens; a store that changes nothing
 * leaves it set, so an unchanged entry costs no reload. EVENTINJ is never
 * cached.
 */

#include <linux/bitops.h>
#include <asm/irq_vectors.h>

#include <vlapic/export.h>
#include <vlapic/svm.h>

/* The int_ctl bits owned by svm_vintr_fields (V_INTR_MASKING is always on). */
#define SVM_VMCB_INT_CTL_OWNED	(V_TPR_MASK | V_IRQ_MASK | V_INTR_PRIO_MASK | \
				 V_IGN_TPR_MASK | V_INTR_MASKING_MASK)

static bool svm_vmcb_intercept_test(const struct vmcb *vmcb, unsigned int bit)
{
	return vmcb->control.intercepts[bit / 32] & BIT(bit % 32);
}

/* Returns true if the intercept bit changed. */
static bool svm_vmcb_intercept_assign(struct vmcb *vmcb, unsigned int bit,
				      bool on)
{
	u32 *word = &vmcb->control.intercepts[bit / 32];
	u32 old = *word;

	if (on)
		*word |= BIT(bit % 32);
	else
		*word &= ~BIT(bit % 32);
	return *word != old;
}

/**
 * svm_vmcb_int_ctl() - the int_ctl word for @f.
 * @old: the VMCB's current int_ctl (bits not owned here are kept).
 * @f: the fields.
 *
 * V_INTR_MASKING is always set: the guest's CR8 is V_TPR and the host's
 * RFLAGS.IF, not the guest's, masks physical interrupts.
 *
 * Return: the new int_ctl.
 */
u32 svm_vmcb_int_ctl(u32 old, const struct svm_vintr_fields *f)
{
	u32 v = old & ~SVM_VMCB_INT_CTL_OWNED;

	v |= V_INTR_MASKING_MASK;
	v |= f->v_tpr & V_TPR_MASK;
	if (f->v_irq)
		v |= V_IRQ_MASK;
	v |= ((u32)f->v_intr_prio << V_INTR_PRIO_SHIFT) & V_INTR_PRIO_MASK;
	if (f->v_ign_tpr)
		v |= V_IGN_TPR_MASK;
	return v;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vmcb_int_ctl);

/**
 * svm_vmcb_load_intr() - store the fields for the next VMRUN.
 * @vmcb: the guest's VMCB (not in use by a running VMRUN).
 * @f: the fields (svm_vlapic_prepare_entry()).
 *
 * Clears SVM_VMCB_CLEAN_TPR if the V_TPR group changed and
 * SVM_VMCB_CLEAN_INTERCEPTS if an intercept changed.
 */
void svm_vmcb_load_intr(struct vmcb *vmcb, const struct svm_vintr_fields *f)
{
	struct vmcb_control_area *c = &vmcb->control;
	u32 int_ctl = svm_vmcb_int_ctl(c->int_ctl, f);
	bool icpt;

	if (int_ctl != c->int_ctl || f->v_intr_vector != c->int_vector) {
		c->int_ctl = int_ctl;
		c->int_vector = f->v_intr_vector;
		/* The CPU may hold the old V_TPR group: reload it. */
		c->clean &= ~SVM_VMCB_CLEAN_TPR;
	}
	icpt = svm_vmcb_intercept_assign(vmcb, INTERCEPT_CR8_WRITE,
					 f->intercept_cr8_write);
	icpt |= svm_vmcb_intercept_assign(vmcb, INTERCEPT_VINTR,
					  f->intercept_vintr);
	if (icpt)
		c->clean &= ~SVM_VMCB_CLEAN_INTERCEPTS;
	c->event_inj = f->event_inj;
	c->event_inj_err = 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vmcb_load_intr);

/**
 * svm_vmcb_save_intr() - the fields as the CPU left them after #VMEXIT.
 * @vmcb: the guest's VMCB.
 * @f: filled in; its V_TPR is what svm_vlapic_exit() takes back.
 *
 * EVENTINJ is reported as 0: the CPU consumed it at VMRUN, and an event
 * whose delivery the exit cut short is in EXITINTINFO
 * (svm_vmcb_exit_intr_vector()).
 */
void svm_vmcb_save_intr(const struct vmcb *vmcb, struct svm_vintr_fields *f)
{
	const struct vmcb_control_area *c = &vmcb->control;

	f->v_tpr = c->int_ctl & V_TPR_MASK;
	f->v_irq = c->int_ctl & V_IRQ_MASK;
	f->v_intr_prio = (c->int_ctl & V_INTR_PRIO_MASK) >> V_INTR_PRIO_SHIFT;
	f->v_ign_tpr = c->int_ctl & V_IGN_TPR_MASK;
	f->v_intr_vector = c->int_vector;
	f->intercept_cr8_write = svm_vmcb_intercept_test(vmcb,
							 INTERCEPT_CR8_WRITE);
	f->intercept_vintr = svm_vmcb_intercept_test(vmcb, INTERCEPT_VINTR);
	f->event_inj = 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vmcb_save_intr);

/**
 * svm_vmcb_exit_intr_vector() - an external interrupt cut short by #VMEXIT.
 * @vmcb: the guest's VMCB after #VMEXIT.
 *
 * EXITINTINFO holds an event the CPU was delivering when the exit
 * happened (e.g. a #PF on the guest's IDT or stack). An external
 * interrupt found there was acknowledged (it is in ISR) but never reached
 * the guest: the run loop must put it back in EVENTINJ before any other
 * injection, or the vector stays in service forever.
 *
 * Return: the vector, or -1 if EXITINTINFO holds no external interrupt.
 */
int svm_vmcb_exit_intr_vector(const struct vmcb *vmcb)
{
	u32 info = vmcb->control.exit_int_info;

	if (!(info & SVM_EXITINTINFO_VALID) ||
	    (info & SVM_EXITINTINFO_TYPE_MASK) != SVM_EXITINTINFO_TYPE_INTR)
		return -1;
	return info & SVM_EXITINTINFO_VEC_MASK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vmcb_exit_intr_vector);

/**
 * svm_vmcb_exit_event() - the event an exit cut short, and what it is.
 * @vmcb: the guest's VMCB after #VMEXIT.
 * @vector: its vector (0 for NONE).
 *
 * An exception (type 3) with vector 2 (NMIs have their own type) or with
 * a vector above 31 (interrupts, never exceptions), or the reserved type
 * 1, is nothing a CPU delivers, and VMRUN refuses it in EVENTINJ: the
 * guest would never run again. QEMU's TCG SVM reports its own second
 * delivery of an interrupt EVENTINJ already delivered that way
 * (docs/run.md "On QEMU"); the first delivery completed, so dropping the
 * record is what the guest should have seen.
 *
 * Return: enum svm_exit_event.
 */
enum svm_exit_event svm_vmcb_exit_event(const struct vmcb *vmcb, u8 *vector)
{
	u32 info = vmcb->control.exit_int_info;

	*vector = 0;
	if (!(info & SVM_EXITINTINFO_VALID))
		return SVM_EXIT_EVENT_NONE;
	*vector = info & SVM_EXITINTINFO_VEC_MASK;
	switch (info & SVM_EXITINTINFO_TYPE_MASK) {
	case SVM_EXITINTINFO_TYPE_INTR:
		return SVM_EXIT_EVENT_INTR;
	case SVM_EXITINTINFO_TYPE_NMI:
		return SVM_EXIT_EVENT_NMI;
	case SVM_EXITINTINFO_TYPE_EXEPT:
		if (*vector == NMI_VECTOR || *vector > 31)
			return SVM_EXIT_EVENT_BAD;
		return SVM_EXIT_EVENT_EXCEPTION;
	case SVM_EXITINTINFO_TYPE_SOFT:
		/* INTn/INT3/INTO: RIP is still at it; it runs again. */
		return SVM_EXIT_EVENT_NONE;
	default:
		return SVM_EXIT_EVENT_BAD;
	}
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vmcb_exit_event);
