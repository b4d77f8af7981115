// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM backend of the run loop: the VMCB of each vCPU, and one entry.
 *
 * Entry (svm_enter()), every time, in this order:
 *   1. preemption off; SVM on in this CPU (svm/cpu.c) or -EBUSY;
 *   2. interrupts off; VLAPIC_IN_GUEST_MODE published with a full
 *      barrier, then the checks that abandon the entry (resched, signal,
 *      immediate_exit) and the requests (a nested TLB flush);
 *   3. events, by priority (svm_inject_events()): an event the last exit
 *      cut short (EXITINTINFO), a queued exception, an NMI, then the
 *      vLAPIC's interrupt through the decision code already on main
 *      (svm_vlapic_prepare_entry(): EVENTINJ or the V_IRQ window, V_TPR
 *      and the CR8 intercept decided here, every time: seed 003), stored
 *      by svm_vmcb_load_intr();
 *   4. svm_vmrun() (svm/vmenter.S);
 *   5. the exit's state read back: registers, V_TPR (svm_vlapic_exit():
 *      the guest's unintercepted CR8 writes become TPR before anything
 *      reads it), EXITINTINFO; host breakpoints restored; interrupts on,
 *      and the host takes what ended the stint.
 *
 * The NPT is the VM's (run/gpt.c, svm/npt.c). Every vCPU uses ASID 1 and
 * flushes it whenever another VMCB ran on the CPU since, the vCPU moved,
 * or the NPT lost a mapping: correct on every CPU, with or without
 * flush-by-ASID.
 */

#include <linux/hw_breakpoint.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <vlapic/clock.h>
#include <vlapic/emul_regs.h>
#include <vlapic/export.h>
#include <vlapic/lapic.h>
#include <vlapic/ops.h>

#include "svm_priv.h"
#include "../run/run_trace.h"

/**
 * svm_set_intercept() - set or clear one intercept bit.
 * @vmcb: the VMCB.
 * @bit: INTERCEPT_* of <asm/svm.h>.
 * @on: intercept.
 */
void svm_set_intercept(struct vmcb *vmcb, unsigned int bit, bool on)
{
	u32 *word = &vmcb->control.intercepts[bit / 32];

	if (on)
		*word |= BIT(bit % 32);
	else
		*word &= ~BIT(bit % 32);
	vmcb->control.clean &= ~SVM_VMCB_CLEAN_INTERCEPTS;
}

/* The intercepts every guest has (CR8 write and VINTR: svm/vmcb.c). */
static void svm_init_intercepts(struct vmcb *vmcb)
{
	static const unsigned int always[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_RDPMC,
		INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
		INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
		INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
		INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
		INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_RDTSCP,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
		INTERCEPT_XSETBV, INTERCEPT_RDPRU, INTERCEPT_INVLPGB,
		INTERCEPT_INVLPGB_ILLEGAL, INTERCEPT_MCOMMIT,
		INTERCEPT_TLBSYNC,
	};
	unsigned int i;

	/* Debug registers are the module's (docs/run.md): DR0-7, r and w. */
	vmcb->control.intercepts[INTERCEPT_DR] = 0x00ff00ff;
	vmcb->control.intercepts[INTERCEPT_EXCEPTION] = BIT(X86_TRAP_MC);
	for (i = 0; i < ARRAY_SIZE(always); i++)
		svm_set_intercept(vmcb, always[i], true);
}

/*
 * PAUSE exits (svm/exit.c, module parameter pause_exits): a vCPU spinning
 * on a lock lets the host run another task, the lock holder perhaps.
 * With the pause filter only a spin of SVM_PAUSE_FILTER_COUNT PAUSEs
 * within SVM_PAUSE_FILTER_THRESH cycles of each other exits (KVM's
 * defaults); a CPU without the filter (QEMU's) exits at every PAUSE. On
 * QEMU that is also what gets a host CPU out of a guest stint in which
 * QEMU stopped delivering the host's interrupts (docs/run.md "On QEMU").
 */
#define SVM_PAUSE_FILTER_COUNT	3000
#define SVM_PAUSE_FILTER_THRESH	128

/*
 * Off by default for now: with it on, initsipi on 4 vCPUs triple-faulted
 * an AP in 3 of 51 runs on QEMU, never in 25 with it off (docs/run.md).
 */
static bool pause_exits;
module_param(pause_exits, bool, 0644);
MODULE_PARM_DESC(pause_exits,
		 "intercept PAUSE in vCPUs created from now on (default off)");

static void svm_init_pause_filter(struct vmcb *vmcb)
{
	svm_set_intercept(vmcb, INTERCEPT_PAUSE, READ_ONCE(pause_exits));
	if (boot_cpu_has(X86_FEATURE_PAUSEFILTER))
		vmcb->control.pause_filter_count = SVM_PAUSE_FILTER_COUNT;
	if (boot_cpu_has(X86_FEATURE_PFTHRESHOLD))
		vmcb->control.pause_filter_thresh = SVM_PAUSE_FILTER_THRESH;
}

static int svm_vcpu_create(struct vlapic_vcpu_run *vcpu)
{
	struct svm_vcpu *svm;
	struct vmcb *vmcb;

	BUILD_BUG_ON(EMUL_RCX_OFF != EMUL_RCX * 8 || EMUL_R15_OFF != EMUL_R15 * 8 ||
		     EMUL_RBP_OFF != EMUL_RBP * 8 || EMUL_RDI_OFF != EMUL_RDI * 8);
	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	vmcb = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vcpu = vcpu;
	svm->vmcb = vmcb;
	svm->vmcb_pa = __pa(vmcb);
	svm->last_cpu = -1;
	svm_vlapic_init(&svm->sv);
	svm_init_intercepts(vmcb);
	vmcb->control.iopm_base_pa = svm_iopm_pa();
	vmcb->control.msrpm_base_pa = svm_msrpm_pa();
	vmcb->control.asid = 1;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = __pa(vcpu->vm->gpt.root);
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	svm_init_pause_filter(vmcb);
	vmcb->control.tsc_offset = vlapic_run_guest_tsc_offset(vcpu);
	vmcb->control.clean = 0;
	vcpu->vendor = svm;
	return 0;
}

static void svm_vlapic_ops_init(struct vlapic_vcpu_run *vcpu)
{
	vlapic_set_ops(vcpu->vlapic, &svm_vlapic_ops, &to_svm(vcpu)->sv);
}

static void svm_vcpu_free(struct vlapic_vcpu_run *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (!svm)
		return;
	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->vendor = NULL;
}

static void svm_tsc_changed(struct vlapic_vcpu_run *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	vmcb->control.tsc_offset = vlapic_run_guest_tsc_offset(vcpu);
	vmcb->control.clean &= ~SVM_VMCB_CLEAN_INTERCEPTS;
	vlapic_use_host_tsc(vcpu->vlapic, vmcb->control.tsc_offset);
}

/* Single-step the guest until its next instruction boundary (NMI window). */
static void svm_nmi_singlestep(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	if (svm->nmi_singlestep)
		return;
	svm->nmi_singlestep = true;
	svm->nmi_guest_tf = svm->vcpu->rflags & X86_EFLAGS_TF;
	svm->vcpu->rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	vmcb->control.intercepts[INTERCEPT_EXCEPTION] |= BIT(X86_TRAP_DB);
	vmcb->control.clean &= ~SVM_VMCB_CLEAN_INTERCEPTS;
}

/*
 * Events for this entry, in priority order; the vLAPIC's interrupt goes
 * through the decision code, which also sets V_TPR, the V_IRQ window and
 * the CR8 intercept every time.
 */
static void svm_inject_events(struct svm_vcpu *svm)
{
	struct vlapic_vcpu_run *vcpu = svm->vcpu;
	struct vmcb *vmcb = svm->vmcb;
	bool shadow = vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
	struct svm_guest_state g = {};
	struct svm_vintr_fields f;
	u32 event = 0, err = 0;
	int vector;

	if (vcpu->exc.pending) {
		event = vcpu->exc.vector | SVM_EVTINJ_TYPE_EXEPT |
			SVM_EVTINJ_VALID;
		if (vcpu->exc.has_error) {
			event |= SVM_EVTINJ_VALID_ERR;
			err = vcpu->exc.error;
		}
		if (vcpu->exc.vector == X86_TRAP_PF && vcpu->exc.cr2 != ~0ULL) {
			vmcb->save.cr2 = vcpu->exc.cr2;
			vmcb->control.clean = 0;
		}
		vcpu->exc.pending = false;
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_EXC);
	} else if (svm->nmi_reinject ||
		   ((vlapic_pending_events(vcpu->vlapic) & VLAPIC_EVENT_NMI) &&
		    !vcpu->nmi_masked)) {
		if (shadow && !svm->nmi_reinject) {
			svm_nmi_singlestep(svm);
		} else if (svm->nmi_reinject ||
			   vlapic_take_event(vcpu->vlapic, VLAPIC_EVENT_NMI,
					     NULL)) {
			event = NMI_VECTOR | SVM_EVTINJ_TYPE_NMI |
				SVM_EVTINJ_VALID;
			svm->nmi_reinject = false;
			vcpu->nmi_masked = true;
			/* Its IRET opens the next NMI window (no vNMI). */
			svm_set_intercept(vmcb, INTERCEPT_IRET, true);
			vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_NMI);
		}
	}

	g.interruptible = !event && (vcpu->rflags & X86_EFLAGS_IF) && !shadow;
	if (!event && vcpu->pending_irq >= 0) {
		g.reinject = true;
		g.reinject_vector = vcpu->pending_irq;
		vcpu->pending_irq = -1;
	}
	/* An ExtINT needs the VMM's 8259 vector (VLAPIC_INTERRUPT). */
	g.extint = vcpu->extint_vector >= 0 &&
		   (vlapic_pending_events(vcpu->vlapic) & VLAPIC_EVENT_EXTINT);
	g.extint_vector = g.extint ? vcpu->extint_vector : 0;
	vector = svm_vlapic_prepare_entry(vcpu->vlapic, &g, &f);
	if (g.extint &&
	    !(vlapic_pending_events(vcpu->vlapic) & VLAPIC_EVENT_EXTINT))
		vcpu->extint_vector = -1;	/* taken, in EVENTINJ */
	if (vector >= 0 && !g.reinject)
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_INTR);
	if (event)
		f.event_inj = event;
	if (f.event_inj || f.v_irq)
		trace_vlapic_run_inject(vcpu->index, f.event_inj, f.v_irq);
	svm_vmcb_load_intr(vmcb, &f);
	vmcb->control.event_inj_err = err;
}

/* After #VMEXIT: an event whose delivery the exit cut short goes back. */
static void svm_save_exitintinfo(struct svm_vcpu *svm)
{
	struct vlapic_vcpu_run *vcpu = svm->vcpu;
	struct vmcb *vmcb = svm->vmcb;
	u8 vector;

	switch (svm_vmcb_exit_event(vmcb, &vector)) {
	case SVM_EXIT_EVENT_NONE:
		break;
	case SVM_EXIT_EVENT_INTR:
		vcpu->pending_irq = vector;
		break;
	case SVM_EXIT_EVENT_NMI:
		svm->nmi_reinject = true;
		break;
	case SVM_EXIT_EVENT_EXCEPTION:
		/* Not through the #DF rule: this is the same exception. */
		vcpu->exc.pending = true;
		vcpu->exc.vector = vector;
		vcpu->exc.has_error = vmcb->control.exit_int_info &
				      SVM_EXITINTINFO_VALID_ERR;
		vcpu->exc.error = vmcb->control.exit_int_info_err;
		vcpu->exc.cr2 = ~0ULL;	/* CR2 already holds the address */
		break;
	case SVM_EXIT_EVENT_BAD:
		/* Re-injected, VMRUN would refuse it: counted, dropped. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_BAD_EVENTS);
		break;
	}
}

static int svm_enter(struct vlapic_vcpu_run *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct svm_vintr_fields f;
	int cpu, ret;

	preempt_disable();
	local_irq_disable();
	ret = svm_cpu_enable();
	if (ret) {
		local_irq_enable();
		preempt_enable();
		return ret == -EAGAIN ? 0 : ret;
	}
	cpu = smp_processor_id();
	WRITE_ONCE(vcpu->cpu, cpu);
	/* Kickers read the mode after they set IRR: see run/run.c. */
	smp_store_mb(vcpu->mode, VLAPIC_IN_GUEST_MODE);
	if (vlapic_run_entry_pending_work(vcpu)) {
		WRITE_ONCE(vcpu->mode, VLAPIC_OUTSIDE_GUEST_MODE);
		local_irq_enable();
		preempt_enable();
		return 0;
	}

	if (svm_cpu_switch_vmcb(vmcb) || svm->last_cpu != cpu) {
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		vmcb->control.clean = 0;
	}
	/*
	 * The shadow an exit reported belongs to the instruction at the
	 * exit's RIP. Once that instruction completed, in the kernel or by
	 * userspace (port I/O, MMIO: RIP moves at the next RUN), the shadow
	 * is over. (QEMU's SVM also reports the host's STI before VMRUN as
	 * a shadow when the guest's first instruction exits: a port I/O
	 * loop with IF set would otherwise never be interruptible.)
	 */
	if (vcpu->rip != svm->exit_rip)
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	if (test_and_clear_bit(VLAPIC_REQ_TLB_FLUSH, &vcpu->requests)) {
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_TLB_FLUSHES);
	}
	svm_inject_events(svm);

	vmcb->save.rax = vcpu->gpr[EMUL_RAX];
	vmcb->save.rsp = vcpu->gpr[EMUL_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	svm_vmrun(svm->vmcb_pa, svm_cpu_host_save_pa(), vcpu->gpr);

	WRITE_ONCE(vcpu->mode, VLAPIC_OUTSIDE_GUEST_MODE);
	svm->last_cpu = cpu;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.clean = ~0U;
	vcpu->gpr[EMUL_RAX] = vmcb->save.rax;
	vcpu->gpr[EMUL_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	svm->exit_rip = vcpu->rip;
	svm_vmcb_save_intr(vmcb, &f);
	svm_vlapic_exit(vcpu->vlapic, &f);
	svm_save_exitintinfo(svm);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	/* The host takes the interrupt or NMI that ended the stint here. */
	local_irq_enable();
	preempt_enable();
	return 1;
}

const struct vlapic_run_ops svm_run_ops = {
	.name = "svm",
	.backend = VLAPIC_RUN_BACKEND_SVM,
	.gpt = &svm_npt_format,
	.supported = svm_cpu_supported,
	.hw_init = svm_cpu_init,
	.hw_exit = svm_cpu_exit,
	.vm_get = svm_cpu_get,
	.vm_put = svm_cpu_put,
	.vcpu_create = svm_vcpu_create,
	.vlapic_ops_init = svm_vlapic_ops_init,
	.vcpu_free = svm_vcpu_free,
	.vcpu_reset = svm_state_vcpu_reset,
	.sipi = svm_state_sipi,
	.enter = svm_enter,
	.handle_exit = svm_handle_exit,
	.get_sregs = svm_state_get_sregs,
	.set_sregs = svm_state_set_sregs,
	.get_cpu_state = svm_state_get_cpu,
	.get_msr = svm_state_get_msr,
	.set_msr = svm_state_set_msr,
	.tsc_changed = svm_tsc_changed,
	.get_exit_info = svm_get_exit_info,
};
