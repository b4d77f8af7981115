// SPDX-License-Identifier: GPL-2.0
/*
 * Model of a logical processor's APIC virtualization, from the pseudo-code
 * of Intel SDM vol. 3 "APIC Virtualization and Virtual Interrupts": PPR
 * virtualization, evaluation and delivery of pending virtual interrupts,
 * EOI and TPR virtualization, posted-interrupt processing, and the VM
 * entry checks. Like the CPU it trusts RVI and SVI: a stale value acts.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/kernel.h>

#include "model.h"

static u32 *vmx_model_vword(struct vmx_model *m, u32 base, u8 vector)
{
	return (u32 *)(m->vapic + base + (vector / 32) * 16);
}

/**
 * vmx_model_vtest() - test a bit of VIRR or VISR.
 * @m: the model.
 * @base: VAPIC_IRR or VAPIC_ISR.
 * @vector: the vector.
 *
 * Return: the bit.
 */
bool vmx_model_vtest(struct vmx_model *m, u32 base, u8 vector)
{
	return *vmx_model_vword(m, base, vector) & BIT(vector % 32);
}

/**
 * vmx_model_vset() - set a bit of VIRR or VISR.
 * @m: the model.
 * @base: VAPIC_IRR or VAPIC_ISR.
 * @vector: the vector.
 */
void vmx_model_vset(struct vmx_model *m, u32 base, u8 vector)
{
	*vmx_model_vword(m, base, vector) |= BIT(vector % 32);
}

static void vmx_model_vclear(struct vmx_model *m, u32 base, u8 vector)
{
	*vmx_model_vword(m, base, vector) &= ~BIT(vector % 32);
}

/**
 * vmx_model_vhighest() - highest vector of VIRR or VISR.
 * @m: the model.
 * @base: VAPIC_IRR or VAPIC_ISR.
 *
 * Return: the vector, -1 if none.
 */
int vmx_model_vhighest(struct vmx_model *m, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = *(u32 *)(m->vapic + base + i * 16);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

/**
 * vmx_model_vppr() - VPPR as last computed.
 * @m: the model.
 *
 * Return: VPPR.
 */
u8 vmx_model_vppr(struct vmx_model *m)
{
	return m->vapic[VAPIC_PPR];
}

static u8 vmx_model_vtpr(struct vmx_model *m)
{
	return m->vapic[VAPIC_TPR];
}

/* SDM "PPR Virtualization". */
static void vmx_model_ppr_virt(struct vmx_model *m)
{
	u8 svi = vmx_svi(m->f), vtpr = vmx_model_vtpr(m);

	if (apicv_class(vtpr) >= apicv_class(svi))
		*(u32 *)(m->vapic + VAPIC_PPR) = vtpr;
	else
		*(u32 *)(m->vapic + VAPIC_PPR) = svi & 0xf0;
}

/**
 * vmx_model_entry() - VM entry.
 * @m: the model.
 *
 * With VID: PPR virtualization (pending virtual interrupts are then
 * evaluated at each vmx_model_deliver()). With only the TPR shadow: a
 * threshold above VTPR[7:4] exits at once (or fails the entry).
 *
 * Return: 0, or VMX_EXIT_TPR_BELOW_THRESHOLD.
 */
int vmx_model_entry(struct vmx_model *m)
{
	if (m->f->vid) {
		vmx_model_ppr_virt(m);
		return 0;
	}
	if (m->f->tpr_shadow &&
	    (m->f->tpr_threshold & 0xf) > apicv_class(vmx_model_vtpr(m))) {
		m->tpr_exits++;
		return VMX_EXIT_TPR_BELOW_THRESHOLD;
	}
	return 0;
}

/**
 * vmx_model_deliver() - evaluate and deliver a pending virtual interrupt.
 * @m: the model.
 *
 * SDM "Evaluation of Pending Virtual Interrupts" and "Virtual-Interrupt
 * Delivery": recognized if RVI[7:4] > VPPR[7:4], delivered if RFLAGS.IF.
 * Delivery goes through an interrupt gate: IF is cleared.
 *
 * Return: the vector delivered, -1 if none.
 */
int vmx_model_deliver(struct vmx_model *m)
{
	u8 vector = vmx_rvi(m->f);
	int next;

	if (!m->f->vid || !m->rflags_if ||
	    apicv_class(vector) <= apicv_class(vmx_model_vppr(m)))
		return -1;
	vmx_model_vset(m, VAPIC_ISR, vector);
	vmx_set_svi(m->f, vector);
	*(u32 *)(m->vapic + VAPIC_PPR) = vector & 0xf0;
	vmx_model_vclear(m, VAPIC_IRR, vector);
	next = vmx_model_vhighest(m, VAPIC_IRR);
	vmx_set_rvi(m->f, next);
	m->rflags_if = false;
	m->delivered++;
	return vector;
}

/**
 * vmx_model_eoi() - the guest writes EOI (SDM "EOI Virtualization").
 * @m: the model.
 * @exit_vector: set to the vector on an EOI-induced exit.
 *
 * Return: 0, or VMX_EXIT_EOI_INDUCED.
 */
int vmx_model_eoi(struct vmx_model *m, u8 *exit_vector)
{
	u8 vector = vmx_svi(m->f);

	vmx_model_vclear(m, VAPIC_ISR, vector);
	vmx_set_svi(m->f, vmx_model_vhighest(m, VAPIC_ISR));
	vmx_model_ppr_virt(m);
	if (vmx_eoi_exit_test(m->f, vector)) {
		*exit_vector = vector;
		m->eoi_exits++;
		return VMX_EXIT_EOI_INDUCED;
	}
	return 0;
}

/**
 * vmx_model_write_tpr() - the guest writes TPR (SDM "TPR Virtualization").
 * @m: the model.
 * @tpr: the value.
 *
 * Return: 0, or VMX_EXIT_TPR_BELOW_THRESHOLD (TPR shadow without VID).
 */
int vmx_model_write_tpr(struct vmx_model *m, u8 tpr)
{
	*(u32 *)(m->vapic + VAPIC_TPR) = tpr;
	if (m->f->vid) {
		vmx_model_ppr_virt(m);
		return 0;
	}
	if (m->f->tpr_shadow &&
	    apicv_class(tpr) < (m->f->tpr_threshold & 0xf)) {
		m->tpr_exits++;
		return VMX_EXIT_TPR_BELOW_THRESHOLD;
	}
	return 0;
}

/**
 * vmx_model_pi_notify() - the notification vector arrives in non-root
 *	operation (SDM "Posted-Interrupt Processing").
 * @m: the model.
 * @pi: the descriptor.
 *
 * Clears ON, ORs the PIR into VIRR (atomically per word), RVI :=
 * max(RVI, highest PIR vector).
 */
void vmx_model_pi_notify(struct vmx_model *m, struct vmx_pi_desc *pi)
{
	int prev = -1, i;

	clear_bit(VMX_PI_ON, &pi->control);
	smp_mb__after_atomic(); /* ON cleared before the PIR is read */
	for (i = 0; i < 4; i++) {
		unsigned long w = xchg(&pi->pir[i], 0);

		*(u32 *)(m->vapic + VAPIC_IRR + 2 * i * 16) |= lower_32_bits(w);
		*(u32 *)(m->vapic + VAPIC_IRR + (2 * i + 1) * 16) |=
			upper_32_bits(w);
		if (w)
			prev = i * 64 + __fls(w);
	}
	if (prev > vmx_rvi(m->f))
		vmx_set_rvi(m->f, prev);
}
