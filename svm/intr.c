// SPDX-License-Identifier: GPL-2.0
/*
 * SVM interrupt decisions: injection (EVENTINJ or an interrupt window
 * through V_IRQ), V_TPR, and the CR8 write intercept.
 *
 * Order before every VMRUN, by the vCPU thread:
 *   1. svm_inject() on the vLAPIC state after the PIR/IRR are current;
 *      on SVM_INJECT_EVENTINJ the caller acknowledges the vector in the
 *      vLAPIC (IRR -> ISR), which changes PPR;
 *   2. svm_prepare_entry() on the state after that acknowledge: V_TPR and
 *      the CR8 intercept, decided here and nowhere else (seed 003).
 * After every #VMEXIT, svm_exit_tpr() takes back CR8 writes the guest made
 * without an exit, before anything reads TPR; every TPR change made by
 * the host goes to V_TPR at once (svm_tpr_updated()), so that step is
 * idempotent.
 */

#include <vlapic/export.h>
#include <vlapic/svm.h>

/**
 * svm_inject() - choose how the pending interrupt reaches the guest.
 * @f: the fields; EVENTINJ, V_IRQ and the VINTR intercept are replaced.
 * @s: the vLAPIC state.
 * @g: what the guest can take now.
 *
 * - An ExtINT bypasses PPR: EVENTINJ if @g->interruptible, else a window
 *   with V_IGN_TPR (its V_INTR_PRIO means nothing).
 * - Else the highest IRR vector, if its class is above PPR: EVENTINJ if
 *   @g->interruptible, else a window with V_INTR_PRIO = its class and
 *   V_IGN_TPR clear, so the CPU opens the window only once V_TPR is below
 *   that class: a guest that raises CR8 before STI causes no useless exit,
 *   and one that lowers it later needs no CR8 intercept to be seen.
 * - Else nothing: V_IRQ and the VINTR intercept are cleared, never left
 *   over from an earlier entry.
 *
 * Return: enum svm_inject.
 */
enum svm_inject svm_inject(struct svm_vintr_fields *f,
			   const struct apicv_intr_state *s,
			   const struct svm_guest_state *g)
{
	u8 ppr = apicv_ppr(s->tpr, s->max_isr);
	int vector = -1;

	f->event_inj = 0;
	f->v_irq = false;
	f->v_ign_tpr = false;
	f->v_intr_prio = 0;
	f->v_intr_vector = 0;
	f->intercept_vintr = false;

	if (g->extint)
		vector = g->extint_vector;
	else if (apicv_deliverable(s->max_irr, ppr))
		vector = s->max_irr;
	if (vector < 0)
		return SVM_INJECT_NONE;

	if (g->interruptible) {
		f->event_inj = (u8)vector | SVM_EVTINJ_TYPE_INTR |
			       SVM_EVTINJ_VALID;
		return SVM_INJECT_EVENTINJ;
	}
	f->v_irq = true;
	f->v_ign_tpr = g->extint;
	f->v_intr_prio = g->extint ? 0xf : apicv_class((u8)vector);
	f->v_intr_vector = (u8)vector;
	f->intercept_vintr = true;
	return SVM_INJECT_WINDOW;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_inject);

/**
 * svm_cr8_intercept() - whether guest CR8 writes must exit.
 * @s: the vLAPIC state (after any acknowledge for this entry).
 *
 * Exactly when the highest requested vector is held back by the TPR and
 * by nothing else: its class is above the in-service class but at or
 * below TPR[7:4]. Then a CR8 write may lower PPR below it and must be
 * seen at once. Otherwise no CR8 write can make anything deliverable (IRR
 * empty, the vector already deliverable, or held by ISR, whose EOI exits
 * anyway), and the writes run at full speed. docs/apicv.md derives the
 * exit count of Windows' spinlock pattern from this.
 *
 * One more case: TPR[3:0] != 0 (set through the xAPIC page or the x2APIC
 * MSR). A CR8 write clears TPR[3:0] (SDM vol. 3 "Task Priority in IA-32e
 * Mode"), and one of TPR's own class leaves V_TPR as it was: only an exit
 * shows it. CR8 itself never sets those bits, so this costs nothing to a
 * guest that uses CR8 alone.
 *
 * Return: true to intercept.
 */
bool svm_cr8_intercept(const struct apicv_intr_state *s)
{
	int irr_class, isr_class;

	if (s->tpr & 0xf)
		return true;
	if (s->max_irr < 0)
		return false;
	irr_class = apicv_class((u8)s->max_irr);
	isr_class = s->max_isr < 0 ? -1 : apicv_class((u8)s->max_isr);
	return irr_class > isr_class && irr_class <= apicv_class(s->tpr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_cr8_intercept);

/**
 * svm_tpr_updated() - V_TPR := TPR[7:4] at once.
 * @f: the fields.
 * @tpr: the new TPR.
 *
 * For the tpr_updated hook: whatever path changed TPR (MMIO, MSR, CR8
 * exit, INIT, RESET, state restore), V_TPR follows before anything else
 * runs, so a later svm_exit_tpr() cannot mistake a stale V_TPR for a
 * guest CR8 write and undo the change.
 */
void svm_tpr_updated(struct svm_vintr_fields *f, u8 tpr)
{
	f->v_tpr = apicv_class(tpr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_tpr_updated);

/**
 * svm_prepare_entry() - V_TPR and the CR8 intercept for this VMRUN.
 * @f: the fields.
 * @s: the vLAPIC state after svm_inject() and its acknowledge.
 *
 * The one place the CR8 intercept is set or cleared; no exit handler
 * touches it (KVM cleared it in its CR8 exit handler and re-armed it on
 * some paths only: a TPR drop went unseen, seed 003). V_TPR = TPR[7:4]
 * whatever path changed TPR (KVM's AVIC missed a restored TPR).
 */
void svm_prepare_entry(struct svm_vintr_fields *f,
		       const struct apicv_intr_state *s)
{
	svm_tpr_updated(f, s->tpr);
	f->intercept_cr8_write = svm_cr8_intercept(s);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_prepare_entry);

/**
 * svm_exit_tpr() - the vLAPIC TPR after a #VMEXIT.
 * @f: the fields as the CPU left them.
 * @tpr: the vLAPIC's TPR before the exit.
 *
 * Unintercepted CR8 writes changed only V_TPR. If its value differs from
 * TPR[7:4] the guest wrote CR8: TPR becomes V_TPR << 4 (CR8 writes clear
 * TPR[3:0]). If it is the same, TPR is kept, bits 3:0 included.
 *
 * Return: the TPR to store (through the vLAPIC's CR8 write) if it differs.
 */
u8 svm_exit_tpr(const struct svm_vintr_fields *f, u8 tpr)
{
	u8 v_tpr = f->v_tpr & 0xf;

	if (v_tpr == apicv_class(tpr))
		return tpr;
	return v_tpr << 4;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_exit_tpr);
