/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SVM interrupt virtualization (AMD APM vol. 2 "Interrupt and Local APIC
 * Support", "Virtual Interrupts"), without AVIC: the decision code of the
 * SVM backend (svm/intr.c).
 *
 * The guest runs with V_INTR_MASKING: its CR8 reads and writes use V_TPR,
 * physical interrupts are not masked by it. The vLAPIC stays the owner of
 * TPR; before every VMRUN V_TPR is loaded from it, after every #VMEXIT a
 * V_TPR changed by unintercepted CR8 writes is taken back.
 *
 * struct svm_vintr_fields is the software copy of those VMCB fields;
 * svm/vmcb.c stores it into the VMCB before VMRUN and reads it back after
 * #VMEXIT. The rules are in docs/apicv.md.
 */
#ifndef _VLAPIC_SVM_H
#define _VLAPIC_SVM_H

#include <linux/bits.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <asm/svm.h>

#include <vlapic/apicv.h>

struct vlapic;
struct vlapic_ops;

/*
 * The VMCB layout (struct vmcb), the EVENTINJ/EXITINTINFO bits (SVM_EVTINJ_*)
 * and the exit codes (SVM_EXIT_*) are the kernel's own definitions.
 */
/**
 * struct svm_vintr_fields - the VMCB fields of interrupt virtualization.
 * @v_tpr: V_TPR (bits 3:0): the guest's CR8.
 * @v_irq: V_IRQ: a virtual interrupt is pending.
 * @v_intr_prio: V_INTR_PRIO (bits 3:0): its priority, compared to V_TPR.
 * @v_ign_tpr: V_IGN_TPR: take it whatever V_TPR is.
 * @v_intr_vector: V_INTR_VECTOR; unused here: V_IRQ is always taken
 *	through the VINTR intercept, never delivered by the CPU.
 * @intercept_vintr: VINTR intercept (interrupt window).
 * @intercept_cr8_write: CR8 write intercept.
 * @event_inj: EVENTINJ: vector and SVM_EVTINJ_* bits.
 *
 * Owned by the vCPU: written with the vLAPIC's lock held (the vlapic_ops
 * hooks) or by the vCPU thread between #VMEXIT and VMRUN.
 */
struct svm_vintr_fields {
	u8 v_tpr;
	bool v_irq;
	u8 v_intr_prio;
	bool v_ign_tpr;
	u8 v_intr_vector;
	bool intercept_vintr;
	bool intercept_cr8_write;
	u32 event_inj;
};

/**
 * struct svm_guest_state - what the guest can take at this VMRUN.
 * @interruptible: RFLAGS.IF=1, no interrupt shadow, GIF=1 and EVENTINJ
 *	free (no exception or re-injected event).
 * @extint: an ExtINT (8259 through LINT0) is pending; it bypasses TPR and
 *	PPR.
 * @extint_vector: its vector, from the 8259's acknowledge.
 * @reinject: the last #VMEXIT cut short the delivery of an external
 *	interrupt (svm_vmcb_exit_intr_vector()); it goes back into EVENTINJ
 *	before anything else.
 * @reinject_vector: that vector.
 */
struct svm_guest_state {
	bool interruptible;
	bool extint;
	u8 extint_vector;
	bool reinject;
	u8 reinject_vector;
};

/* Injection decisions of svm_inject(). */
enum svm_inject {
	SVM_INJECT_NONE,	/* nothing deliverable */
	SVM_INJECT_EVENTINJ,	/* a vector is in EVENTINJ: acknowledge it */
	SVM_INJECT_WINDOW,	/* V_IRQ + VINTR: exit when it can be taken */
};

enum svm_inject svm_inject(struct svm_vintr_fields *f,
			   const struct apicv_intr_state *s,
			   const struct svm_guest_state *g);
bool svm_cr8_intercept(const struct apicv_intr_state *s);
void svm_tpr_updated(struct svm_vintr_fields *f, u8 tpr);
void svm_prepare_entry(struct svm_vintr_fields *f,
		       const struct apicv_intr_state *s);
u8 svm_exit_tpr(const struct svm_vintr_fields *f, u8 tpr);

/* --- the vLAPIC's SVM hooks (svm/ops.c) -------------------------------- */

/**
 * struct svm_vlapic - the SVM side of one vCPU's vLAPIC.
 * @lock: protects @f and @s; taken inside the vLAPIC's lock by the hooks,
 *	alone by the vCPU thread; a leaf.
 * @f: the fields the next VMRUN loads. The hooks keep V_TPR, the CR8
 *	intercept and the V_IRQ window exact; EVENTINJ is set by
 *	svm_vlapic_prepare_entry().
 * @s: the vLAPIC state as the hooks last reported it.
 */
struct svm_vlapic {
	raw_spinlock_t lock;
	struct svm_vintr_fields f;
	struct apicv_intr_state s;
};

extern const struct vlapic_ops svm_vlapic_ops;

void svm_vlapic_init(struct svm_vlapic *sv);
int svm_vlapic_prepare_entry(struct vlapic *vlapic,
			     const struct svm_guest_state *g,
			     struct svm_vintr_fields *out);
void svm_vlapic_exit(struct vlapic *vlapic,
		     const struct svm_vintr_fields *vmcb);

/* --- VMCB accessors (svm/vmcb.c) ------------------------------------------ */

/*
 * VMCB clean bits (APM vol. 2 "VMCB Clean Bits", VMCB offset 0C0h): 1 lets
 * the CPU use a copy of the group cached at an earlier VMRUN.
 */
#define SVM_VMCB_CLEAN_INTERCEPTS	BIT(0)	/* intercept vectors, TSC offset */
#define SVM_VMCB_CLEAN_TPR		BIT(3)	/* V_TPR ... V_INTR_VECTOR */

u32 svm_vmcb_int_ctl(u32 old, const struct svm_vintr_fields *f);
void svm_vmcb_load_intr(struct vmcb *vmcb, const struct svm_vintr_fields *f);
void svm_vmcb_save_intr(const struct vmcb *vmcb, struct svm_vintr_fields *f);
int svm_vmcb_exit_intr_vector(const struct vmcb *vmcb);

/* What an exit cut short (svm_vmcb_exit_event()). */
enum svm_exit_event {
	SVM_EXIT_EVENT_NONE,		/* nothing, or INTn (it runs again) */
	SVM_EXIT_EVENT_INTR,		/* an external interrupt */
	SVM_EXIT_EVENT_NMI,
	SVM_EXIT_EVENT_EXCEPTION,	/* vectors 0-31 but 2 */
	SVM_EXIT_EVENT_BAD,		/* nothing a CPU delivers: dropped */
};

enum svm_exit_event svm_vmcb_exit_event(const struct vmcb *vmcb, u8 *vector);

/* --- the run loop's NPT entries (svm/npt.c) -------------------------------- */

struct vlapic_gpt_format;
extern const struct vlapic_gpt_format svm_npt_format;

#endif /* _VLAPIC_SVM_H */
