// SPDX-License-Identifier: GPL-2.0
/*
 * Reference local APIC for the decision-code suites: IRR, ISR, TPR and the
 * SDM's priority rules, nothing else. Independent of lapic/ on purpose.
 */

#include "model.h"

/**
 * ref_lapic_state() - the inputs of the decision code.
 * @l: the reference APIC.
 * @s: filled with the highest IRR and ISR vectors and TPR.
 */
void ref_lapic_state(const struct ref_lapic *l, struct apicv_intr_state *s)
{
	s->max_irr = apicv_find_highest(l->irr);
	s->max_isr = apicv_find_highest(l->isr);
	s->tpr = l->tpr;
}

/**
 * ref_lapic_ppr() - processor priority.
 * @l: the reference APIC.
 *
 * Return: PPR.
 */
u8 ref_lapic_ppr(const struct ref_lapic *l)
{
	return apicv_ppr(l->tpr, apicv_find_highest(l->isr));
}

/**
 * ref_lapic_ack() - INTA: the highest IRR vector goes in service.
 * @l: the reference APIC.
 *
 * Return: the vector, -1 if IRR is empty.
 */
int ref_lapic_ack(struct ref_lapic *l)
{
	int v = apicv_find_highest(l->irr);

	if (v < 0)
		return -1;
	apicv_vec_clear(l->irr, v);
	apicv_vec_set(l->isr, v);
	return v;
}

/**
 * ref_lapic_eoi() - EOI: the highest ISR vector leaves service.
 * @l: the reference APIC.
 *
 * Return: the vector, -1 if ISR is empty.
 */
int ref_lapic_eoi(struct ref_lapic *l)
{
	int v = apicv_find_highest(l->isr);

	if (v >= 0)
		apicv_vec_clear(l->isr, v);
	return v;
}
