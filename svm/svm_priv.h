/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM run loop's private state (svm/run.c, svm/state.c, svm/exit.c,
 * svm/cpu.c). The interrupt decision code and the VMCB accessors it calls
 * are public in include/vlapic/svm.h.
 */
#ifndef _VLAPIC_SVM_PRIV_H
#define _VLAPIC_SVM_PRIV_H

#include <asm/svm.h>

#include <vlapic/run.h>
#include <vlapic/svm.h>

/**
 * struct svm_vcpu - one vCPU on SVM.
 * @vcpu: the vendor-neutral run state.
 * @vmcb: the VMCB (a page).
 * @vmcb_pa: its physical address.
 * @sv: the vLAPIC hooks' state (svm/ops.c): V_TPR, V_IRQ and the CR8
 *	intercept kept exact by the vLAPIC.
 * @last_cpu: the CPU of the last VMRUN, -1 before the first.
 * @efer: EFER as the guest sees it (no SVME).
 * @nmi_reinject: the last exit cut short an NMI's delivery.
 * @nmi_singlestep: single-stepping the guest to see its NMI handler's
 *	IRET complete (no vNMI: the IRET intercept fires before IRET).
 * @nmi_guest_tf: RFLAGS.TF was the guest's own when that began.
 * @exit_rip: RIP at the last #VMEXIT (an interrupt shadow ends when a
 *	handler moves RIP).
 *
 * Owned by the vCPU thread; nothing here is touched by other contexts
 * but @sv, which has its own lock.
 */
struct svm_vcpu {
	struct vlapic_vcpu_run *vcpu;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	struct svm_vlapic sv;
	int last_cpu;
	u64 efer;
	bool nmi_reinject;
	bool nmi_singlestep;
	bool nmi_guest_tf;
	u64 exit_rip;
};

static inline struct svm_vcpu *to_svm(struct vlapic_vcpu_run *vcpu)
{
	return vcpu->vendor;
}

/* svm/cpu.c */
bool svm_cpu_supported(void);
int svm_cpu_init(void);
void svm_cpu_exit(void);
int svm_cpu_get(void);
void svm_cpu_put(void);
int svm_cpu_enable(void);
u64 svm_cpu_host_save_pa(void);
bool svm_cpu_switch_vmcb(struct vmcb *vmcb);
u64 svm_iopm_pa(void);
u64 svm_msrpm_pa(void);

/* svm/vmenter.S */
void svm_vmrun(u64 vmcb_pa, u64 host_save_pa, u64 *gprs);

/* svm/state.c */
void svm_state_reset(struct svm_vcpu *svm, bool init);
void svm_state_sipi(struct vlapic_vcpu_run *vcpu, u8 vector);
void svm_state_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *s);
void svm_state_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *s);
void svm_state_get_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu);
int svm_state_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data);
int svm_state_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		      bool host);
void svm_state_vcpu_reset(struct vlapic_vcpu_run *vcpu, bool init);

/* svm/exit.c */
int svm_handle_exit(struct vlapic_vcpu_run *vcpu);
void svm_get_exit_info(struct vlapic_vcpu_run *vcpu,
		       u64 info[VLAPIC_EMUL_INFO_WORDS]);
void svm_set_intercept(struct vmcb *vmcb, unsigned int bit, bool on);

extern const struct vlapic_run_ops svm_run_ops;

#endif /* _VLAPIC_SVM_PRIV_H */
