// SPDX-License-Identifier: GPL-2.0
/*
 * #VMEXIT codes (AMD APM vol. 2 appendix C) to the run loop's handlers.
 *
 * Handled in the kernel: INTR, NMI, SMI (the host already took them),
 * VINTR (the window opened: the next entry injects), CR8 writes, CPUID,
 * HLT, RDMSR/WRMSR, RDTSCP, INVD, DR accesses, the NMI window (IRET, #DB
 * while single-stepping), #MC (the host's), nested page faults (RAM races
 * and MMIO: the vLAPIC, the IOAPIC; userspace for the rest). Exits to
 * userspace: port I/O, VMMCALL (HYPERCALL), SHUTDOWN, an entry the CPU
 * refused (FAIL_ENTRY) and any exit code not listed (UNKNOWN, with the
 * code). SVM instructions, MONITOR/MWAIT, XSETBV, RDPMC and RDPRU give the
 * guest #UD or #GP: nothing it was offered.
 */

#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <vlapic/lapic.h>

#include "svm_priv.h"
#include "../run/run_trace.h"

/* Exit codes newer than 6.1's <uapi/asm/svm.h> (APM vol. 2 appendix C). */
#define SVM_EXIT_INVLPGB		0x0a0
#define SVM_EXIT_INVLPGB_ILLEGAL	0x0a1
#define SVM_EXIT_MCOMMIT		0x0a3
#define SVM_EXIT_TLBSYNC		0x0a4

/*
 * #NPF's EXITINFO1 is a page-fault error code, plus where the walk was:
 * bit 32, the final guest-physical address; bit 33, a guest paging
 * structure (APM vol. 2 "Nested versus Guest Page Faults").
 */
#define SVM_NPF_WRITE	BIT(1)
#define SVM_NPF_FETCH	BIT(4)
#define SVM_NPF_FINAL	BIT_ULL(32)

static int svm_exit_ioio(struct vlapic_vcpu_run *vcpu, struct vmcb *vmcb)
{
	u64 info = vmcb->control.exit_info_1;
	struct vlapic_pio io = {
		.port = info >> 16,
		.in = info & SVM_IOIO_TYPE_MASK,
		.string = info & SVM_IOIO_STR_MASK,
		.rep = info & SVM_IOIO_REP_MASK,
		.seg = (info >> 10) & 7,
		/* EXITINFO2 is the next RIP, even without NRIPS. */
		.next_rip = vmcb->control.exit_info_2,
	};

	io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	io.addr_bytes = ((info & SVM_IOIO_ASIZE_MASK) >> SVM_IOIO_ASIZE_SHIFT) * 2;
	if (io.seg >= EMUL_NR_SEGS)
		io.seg = EMUL_DS;
	if (io.size != 1 && io.size != 2 && io.size != 4)
		return vlapic_run_internal_error(vcpu,
			VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, &info, 1);
	return vlapic_run_pio(vcpu, &io);
}

/* The NMI handler's IRET is about to run: step over it, then inject. */
static int svm_exit_iret(struct svm_vcpu *svm)
{
	struct vlapic_vcpu_run *vcpu = svm->vcpu;
	struct vmcb *vmcb = svm->vmcb;

	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_NMI_WINDOW);
	svm_set_intercept(vmcb, INTERCEPT_IRET, false);
	if (!svm->nmi_singlestep) {
		svm->nmi_singlestep = true;
		svm->nmi_guest_tf = vcpu->rflags & X86_EFLAGS_TF;
		vcpu->rflags |= X86_EFLAGS_TF;
		vmcb->control.intercepts[INTERCEPT_EXCEPTION] |= BIT(X86_TRAP_DB);
		vmcb->control.clean &= ~SVM_VMCB_CLEAN_INTERCEPTS;
	}
	return 1;
}

static int svm_exit_db(struct svm_vcpu *svm)
{
	struct vlapic_vcpu_run *vcpu = svm->vcpu;
	struct vmcb *vmcb = svm->vmcb;

	if (!svm->nmi_singlestep) {
		/* Not ours: the guest's own #DB. */
		vlapic_run_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return 1;
	}
	/* One instruction (the IRET, or the end of a shadow) completed. */
	svm->nmi_singlestep = false;
	vcpu->nmi_masked = false;
	vmcb->control.intercepts[INTERCEPT_EXCEPTION] &= ~BIT(X86_TRAP_DB);
	vmcb->control.clean = 0;
	vmcb->save.dr6 = 0xffff0ff0;
	if (!svm->nmi_guest_tf)
		vcpu->rflags &= ~X86_EFLAGS_TF;
	else
		vlapic_run_queue_exception(vcpu, X86_TRAP_DB, false, 0);
	return 1;
}

static int svm_exit_unknown(struct vlapic_vcpu_run *vcpu, u64 code)
{
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
	vcpu->run->exit_reason = VLAPIC_EXIT_UNKNOWN;
	vcpu->run->hw.hardware_exit_reason = code;
	return 0;
}

static int svm_dispatch(struct svm_vcpu *svm)
{
	struct vlapic_vcpu_run *vcpu = svm->vcpu;
	struct vmcb *vmcb = svm->vmcb;
	u64 code = vmcb->control.exit_code |
		   ((u64)vmcb->control.exit_code_hi << 32);
	u64 info1 = vmcb->control.exit_info_1;

	switch (code) {
	case SVM_EXIT_INTR:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_INTR);
		return 1;
	case SVM_EXIT_NMI:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_NMI);
		return 1;
	case SVM_EXIT_SMI:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return 1;
	case SVM_EXIT_VINTR:
		/* The window is open; the next entry decides again. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_VINTR);
		vlapic_run_skip_hlt(vcpu);
		return 1;
	case SVM_EXIT_WRITE_CR8:
		return vlapic_run_mov_cr8(vcpu);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_mov_dr(vcpu);
	case SVM_EXIT_CPUID:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_CPUID);
		return vlapic_run_cpuid(vcpu);
	case SVM_EXIT_HLT:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_HLT);
		return vlapic_run_hlt(vcpu);
	case SVM_EXIT_MSR:
		return info1 ? vlapic_run_wrmsr(vcpu) : vlapic_run_rdmsr(vcpu);
	case SVM_EXIT_IOIO:
		return svm_exit_ioio(vcpu, vmcb);
	case SVM_EXIT_NPF:
		/*
		 * EXITINFO2 is the instruction's own access when the fault
		 * was on the final address and no event was being delivered
		 * (pushing a frame faults at the final address too).
		 */
		return vlapic_run_npf(vcpu, vmcb->control.exit_info_2,
				      info1 & SVM_NPF_WRITE,
				      info1 & SVM_NPF_FETCH,
				      (info1 & SVM_NPF_FINAL) &&
				      !(vmcb->control.exit_int_info &
					SVM_EXITINTINFO_VALID));
	case SVM_EXIT_VMMCALL:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_HYPERCALL);
		return vlapic_run_hypercall(vcpu);
	case SVM_EXIT_RDTSCP:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_rdtscp(vcpu);
	case SVM_EXIT_INVD:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_skip_insn(vcpu);
	case SVM_EXIT_PAUSE:
		return vlapic_run_pause(vcpu);
	case SVM_EXIT_IRET:
		return svm_exit_iret(svm);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_EXCEPTION);
		return svm_exit_db(svm);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		/* The host's machine check: let the host's handler run. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_EXCEPTION);
		asm volatile("int $0x12");
		return 1;
	case SVM_EXIT_RDPMC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		vlapic_run_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_XSETBV:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_INVLPGB:
	case SVM_EXIT_INVLPGB_ILLEGAL:
	case SVM_EXIT_MCOMMIT:
	case SVM_EXIT_TLBSYNC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_emulate_ud(vcpu);
	case SVM_EXIT_SHUTDOWN:
		/* Triple fault: the VMCB is undefined; RESET it (APM 15.12). */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		vcpu->run->exit_reason = VLAPIC_EXIT_SHUTDOWN;
		vlapic_run_reset(vcpu, false);
		return 0;
	case SVM_EXIT_ERR:
		vcpu->run->exit_reason = VLAPIC_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason = code;
		vcpu->run->fail_entry.cpu = to_svm(vcpu)->last_cpu;
		return 0;
	default:
		return svm_exit_unknown(vcpu, code);
	}
}

/**
 * svm_handle_exit() - act on the last #VMEXIT.
 * @vcpu: the vCPU.
 *
 * An instruction the host carried out ends an interrupt shadow (STI; HLT,
 * MOV SS; CPUID, ...): svm_enter() clears it when RIP moved.
 *
 * Context: the vCPU thread, inside srcu_read_lock(&vm->srcu).
 * Return: > 0 to go on, 0 with an exit for userspace.
 */
int svm_handle_exit(struct vlapic_vcpu_run *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	trace_vlapic_run_exit(vcpu->index, "svm", c->exit_code, vcpu->rip,
			      c->exit_info_1, c->exit_info_2, c->exit_int_info);
	return svm_dispatch(svm);
}

/**
 * svm_get_exit_info() - the last exit's words for an emulation failure.
 * @vcpu: the vCPU.
 * @info: out: EXITCODE, EXITINFO1, EXITINFO2, EXITINTINFO and its error
 *	code (0 unless EXITINTINFO is valid with one), VLAPIC_EMUL_INFO_*.
 *
 * Context: the vCPU thread.
 */
void svm_get_exit_info(struct vlapic_vcpu_run *vcpu,
		       u64 info[VLAPIC_EMUL_INFO_WORDS])
{
	const struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u32 intr = c->exit_int_info;

	info[VLAPIC_EMUL_INFO_REASON] = c->exit_code;
	info[VLAPIC_EMUL_INFO_INFO1] = c->exit_info_1;
	info[VLAPIC_EMUL_INFO_INFO2] = c->exit_info_2;
	info[VLAPIC_EMUL_INFO_INTR_INFO] = intr;
	info[VLAPIC_EMUL_INFO_ERROR_CODE] =
		(intr & SVM_EXITINTINFO_VALID) &&
		(intr & SVM_EXITINTINFO_VALID_ERR) ? c->exit_int_info_err : 0;
}
