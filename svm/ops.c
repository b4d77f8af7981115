// SPDX-License-Identifier: GPL-2.0
/*
 * The vLAPIC's SVM hooks (struct vlapic_ops): V_TPR, the CR8 write
 * intercept and the V_IRQ window kept exact from the vLAPIC's reports,
 * plus the vCPU-side entry (EVENTINJ) and exit (CR8 writes made without
 * an exit) steps. No posted interrupts without AVIC: the core sets IRR
 * and kicks the vCPU.
 *
 * Locking: the hooks run under the vLAPIC's lock and take @sv->lock
 * inside it; the vCPU-side functions take @sv->lock alone, never while
 * calling into the vLAPIC.
 */

#include <vlapic/export.h>
#include <vlapic/lapic.h>
#include <vlapic/ops.h>
#include <vlapic/svm.h>

static struct svm_vlapic *to_sv(struct vlapic *vlapic)
{
	return vlapic_vendor(vlapic);
}

/*
 * @sv->lock held. The window is opened for any deliverable vector as if
 * the guest could not take it now: if it can, the entry step injects it
 * through EVENTINJ and its acknowledge runs this again. EVENTINJ itself
 * belongs to the entry step and is kept.
 */
static void svm_ops_update(struct svm_vlapic *sv)
{
	const struct svm_guest_state not_now = {};
	u32 event_inj = sv->f.event_inj;

	svm_inject(&sv->f, &sv->s, &not_now);
	sv->f.event_inj = event_inj;
	svm_prepare_entry(&sv->f, &sv->s);
}

static void svm_ops_irr_updated(struct vlapic *vlapic, int max_irr)
{
	struct svm_vlapic *sv = to_sv(vlapic);

	raw_spin_lock(&sv->lock);
	sv->s.max_irr = max_irr;
	svm_ops_update(sv);
	raw_spin_unlock(&sv->lock);
}

static void svm_ops_isr_updated(struct vlapic *vlapic, int max_isr)
{
	struct svm_vlapic *sv = to_sv(vlapic);

	raw_spin_lock(&sv->lock);
	sv->s.max_isr = max_isr;
	svm_ops_update(sv);
	raw_spin_unlock(&sv->lock);
}

/* Any path that changed TPR, state restore included: V_TPR follows now. */
static void svm_ops_tpr_updated(struct vlapic *vlapic, u8 tpr)
{
	struct svm_vlapic *sv = to_sv(vlapic);

	raw_spin_lock(&sv->lock);
	sv->s.tpr = tpr;
	svm_tpr_updated(&sv->f, tpr);
	svm_ops_update(sv);
	raw_spin_unlock(&sv->lock);
}

const struct vlapic_ops svm_vlapic_ops = {
	.irr_updated = svm_ops_irr_updated,
	.isr_updated = svm_ops_isr_updated,
	.tpr_updated = svm_ops_tpr_updated,
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vlapic_ops);

/**
 * svm_vlapic_init() - prepare the SVM side before vlapic_set_ops().
 * @sv: zeroed.
 */
void svm_vlapic_init(struct svm_vlapic *sv)
{
	raw_spin_lock_init(&sv->lock);
	sv->s.max_irr = -1;
	sv->s.max_isr = -1;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vlapic_init);

/**
 * svm_vlapic_prepare_entry() - the fields for this VMRUN.
 * @vlapic: the vLAPIC.
 * @g: what the guest can take now, a pending ExtINT (its vector from the
 *	8259; the vLAPIC's VLAPIC_EVENT_EXTINT says one was signalled) and
 *	an interrupt to re-inject from EXITINTINFO.
 * @out: the fields to load into the VMCB (svm_vmcb_load_intr()).
 *
 * Priority: a re-injected interrupt (already acknowledged, in ISR) goes
 * into EVENTINJ and nothing new is acknowledged; then an ExtINT, which
 * ignores TPR and PPR (EVENTINJ, the ExtINT event consumed; or a window
 * with V_IGN_TPR); then the vLAPIC's deliverable vector, acknowledged and
 * put in EVENTINJ if the guest can take it. The acknowledge reports the
 * new ISR, and the hooks re-decide the window and the CR8 intercept on
 * the state after it: a window beside EVENTINJ is for a vector that
 * outranks the injected one, taken once the guest's handler sets IF.
 *
 * Return: the vector put in EVENTINJ, or -1.
 */
int svm_vlapic_prepare_entry(struct vlapic *vlapic,
			     const struct svm_guest_state *g,
			     struct svm_vintr_fields *out)
{
	struct svm_vlapic *sv = to_sv(vlapic);
	bool extint = g->extint && !g->reinject;
	unsigned long flags;
	int vector = -1;

	if (g->reinject) {
		vector = g->reinject_vector;
	} else if (g->interruptible) {
		/* The caller saw the event; it may have been reset since. */
		if (extint)
			extint = vlapic_take_event(vlapic, VLAPIC_EVENT_EXTINT,
						   NULL);
		vector = extint ? g->extint_vector : vlapic_ack(vlapic);
	}

	raw_spin_lock_irqsave(&sv->lock, flags);
	svm_ops_update(sv);
	if (extint && vector < 0) {
		/* Not takeable now: a window that ignores V_TPR. */
		const struct svm_guest_state not_now = {
			.extint = true,
			.extint_vector = g->extint_vector,
		};

		svm_inject(&sv->f, &sv->s, &not_now);
	}
	sv->f.event_inj = vector < 0 ? 0 :
			  (u8)vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
	*out = sv->f;
	sv->f.event_inj = 0;
	raw_spin_unlock_irqrestore(&sv->lock, flags);
	return vector;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vlapic_prepare_entry);

/**
 * svm_vlapic_exit() - first step after every #VMEXIT.
 * @vlapic: the vLAPIC.
 * @vmcb: the fields as the CPU left them.
 *
 * CR8 writes the guest made without an exit changed only V_TPR: they
 * become the vLAPIC's TPR now, before anything reads it.
 */
void svm_vlapic_exit(struct vlapic *vlapic,
		     const struct svm_vintr_fields *vmcb)
{
	u8 tpr = vlapic_tpr(vlapic);

	if (svm_exit_tpr(vmcb, tpr) != tpr)
		vlapic_set_cr8(vlapic, vmcb->v_tpr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_vlapic_exit);
