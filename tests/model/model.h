/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Executable hardware models for the KUnit suites, written from the
 * pseudo-code of Intel SDM vol. 3 "APIC Virtualization and Virtual
 * Interrupts" (VMX) and AMD APM vol. 2 "Virtual Interrupts" (SVM), plus a
 * minimal reference local APIC (IRR/ISR/TPR only) that drives the decision
 * code before and independently of the vLAPIC core.
 *
 * A model does what the CPU does with the fields the module programs; the
 * suites assert on what the guest sees (vectors, exits), so a wrong field
 * shows up as a wrong guest-visible result.
 */
#ifndef _VLAPIC_TESTS_MODEL_H
#define _VLAPIC_TESTS_MODEL_H

#include <linux/types.h>

#include <vlapic/apicv.h>
#include <vlapic/svm.h>
#include <vlapic/vmx.h>

/* --- reference local APIC (lapic_model.c) ------------------------------- */

/**
 * struct ref_lapic - IRR, ISR and TPR, nothing else.
 * @irr: requested vectors.
 * @isr: in-service vectors.
 * @tpr: TPR.
 */
struct ref_lapic {
	u32 irr[APICV_VEC_WORDS];
	u32 isr[APICV_VEC_WORDS];
	u8 tpr;
};

void ref_lapic_state(const struct ref_lapic *l, struct apicv_intr_state *s);
u8 ref_lapic_ppr(const struct ref_lapic *l);
int ref_lapic_ack(struct ref_lapic *l);
int ref_lapic_eoi(struct ref_lapic *l);

/* --- VMX (vmx_model.c) --------------------------------------------------- */

/* Offsets in the virtual-APIC page. */
#define VAPIC_TPR	0x080
#define VAPIC_PPR	0x0a0
#define VAPIC_ISR	0x100
#define VAPIC_IRR	0x200

/**
 * struct vmx_model - one logical processor in VMX non-root operation.
 * @f: the VMCS fields the VMM programmed (read and, where the SDM says so,
 *	written: RVI and SVI).
 * @vapic: the 4 KiB virtual-APIC page.
 * @rflags_if: the guest's RFLAGS.IF.
 * @delivered: virtual interrupts delivered through the IDT.
 * @eoi_exits: EOI-induced exits.
 * @tpr_exits: TPR-below-threshold exits.
 */
struct vmx_model {
	struct vmx_apic_fields *f;
	u8 *vapic;
	bool rflags_if;
	unsigned int delivered;
	unsigned int eoi_exits;
	unsigned int tpr_exits;
};

bool vmx_model_vtest(struct vmx_model *m, u32 base, u8 vector);
void vmx_model_vset(struct vmx_model *m, u32 base, u8 vector);
int vmx_model_vhighest(struct vmx_model *m, u32 base);
u8 vmx_model_vppr(struct vmx_model *m);
int vmx_model_entry(struct vmx_model *m);
int vmx_model_deliver(struct vmx_model *m);
int vmx_model_eoi(struct vmx_model *m, u8 *exit_vector);
int vmx_model_write_tpr(struct vmx_model *m, u8 tpr);
void vmx_model_pi_notify(struct vmx_model *m, struct vmx_pi_desc *pi);

/* --- SVM (svm_model.c) --------------------------------------------------- */

/**
 * struct svm_model - one processor running a guest under SVM.
 * @f: the VMCB fields the VMM programmed (V_TPR written by CR8 writes).
 * @rflags_if: the guest's RFLAGS.IF.
 * @cr8_exits: CR8-write intercepts taken.
 * @vintr_exits: VINTR intercepts taken.
 * @bad_injections: EVENTINJ interrupts injected with RFLAGS.IF clear
 *	(the CPU does it; a correct VMM never asks).
 * @virq_taken: V_IRQs delivered by the CPU itself (no VINTR intercept).
 * @cr8_written: the value of the last intercepted CR8 write.
 */
struct svm_model {
	struct svm_vintr_fields *f;
	bool rflags_if;
	unsigned int cr8_exits;
	unsigned int vintr_exits;
	unsigned int bad_injections;
	unsigned int virq_taken;
	u8 cr8_written;
};

int svm_model_vmrun(struct svm_model *m, int *vector);
int svm_model_mov_cr8(struct svm_model *m, u8 val);
int svm_model_sti(struct svm_model *m);

#endif /* _VLAPIC_TESTS_MODEL_H */
