// SPDX-License-Identifier: GPL-2.0
/*
 * Model of a processor running a guest under SVM with V_INTR_MASKING, from
 * AMD APM vol. 2 "Virtual Interrupts": EVENTINJ at VMRUN, V_IRQ taken when
 * RFLAGS.IF is set and V_INTR_PRIO > V_TPR (or V_IGN_TPR), the VINTR and
 * CR8-write intercepts, and CR8 writes going to V_TPR. Counts every exit.
 */

#include "model.h"

/* A virtual interrupt is taken: through VINTR if intercepted. */
static int svm_model_check_virq(struct svm_model *m, int *vector)
{
	struct svm_vintr_fields *f = m->f;

	if (!f->v_irq || !m->rflags_if)
		return 0;
	if (!f->v_ign_tpr && (f->v_intr_prio & 0xf) <= (f->v_tpr & 0xf))
		return 0;
	if (f->intercept_vintr) {
		m->vintr_exits++;
		return SVM_EXIT_VINTR;
	}
	f->v_irq = false;
	m->rflags_if = false;
	m->virq_taken++;
	*vector = f->v_intr_vector;
	return 0;
}

/**
 * svm_model_vmrun() - VMRUN.
 * @m: the model.
 * @vector: the vector delivered to the guest by this entry, or -1.
 *
 * A valid EVENTINJ is delivered unconditionally (through an interrupt
 * gate: IF cleared); otherwise a pending V_IRQ is checked.
 *
 * Return: 0, or the exit code of an immediate exit.
 */
int svm_model_vmrun(struct svm_model *m, int *vector)
{
	struct svm_vintr_fields *f = m->f;

	*vector = -1;
	if (f->event_inj & SVM_EVTINJ_VALID) {
		if (!m->rflags_if)
			m->bad_injections++;
		*vector = f->event_inj & SVM_EVTINJ_VEC_MASK;
		f->event_inj = 0;
		m->rflags_if = false;
		return 0;
	}
	return svm_model_check_virq(m, vector);
}

/**
 * svm_model_mov_cr8() - the guest executes MOV CR8, @val.
 * @m: the model.
 * @val: the value (bits 3:0).
 *
 * Return: SVM_EXIT_WRITE_CR8 if intercepted (V_TPR unchanged, the value
 * in @m->cr8_written), else V_TPR := @val and 0 or SVM_EXIT_VINTR.
 */
int svm_model_mov_cr8(struct svm_model *m, u8 val)
{
	int vector;

	if (m->f->intercept_cr8_write) {
		m->cr8_exits++;
		m->cr8_written = val & 0xf;
		return SVM_EXIT_WRITE_CR8;
	}
	m->f->v_tpr = val & 0xf;
	return svm_model_check_virq(m, &vector);
}

/**
 * svm_model_sti() - the guest sets RFLAGS.IF (STI, IRET).
 * @m: the model.
 *
 * Return: 0 or SVM_EXIT_VINTR.
 */
int svm_model_sti(struct svm_model *m)
{
	int vector;

	m->rflags_if = true;
	return svm_model_check_virq(m, &vector);
}
