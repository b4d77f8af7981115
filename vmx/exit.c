// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit reasons (SDM vol. 3 appendix C) to the run loop's handlers.
 *
 * Handled in the kernel: external interrupts and NMIs (the host took
 * them), the interrupt and NMI windows (the next entry injects), the
 * APIC-virtualization exits (TPR below threshold, EOI-induced, APIC write,
 * APIC access: vmx/run.c's modes), CR
 * accesses (CR0/CR4 bits the module owns, CR8 with neither the TPR shadow
 * nor VID: decoded from the exit qualification, length from the VMCS),
 * CPUID, HLT, RDMSR/WRMSR, INVD, DR accesses, #MC (the host's), EPT
 * violations (RAM races and MMIO: the vLAPIC, the IOAPIC; userspace for
 * the rest). Exits to userspace: port I/O, VMCALL (HYPERCALL), triple
 * fault (SHUTDOWN), an entry the CPU refused (FAIL_ENTRY: VMfail or an
 * exit with bit 31 set) and any reason not listed (UNKNOWN, with the
 * reason). VMX instructions, MONITOR/MWAIT and XSETBV give the guest #UD,
 * RDPMC #GP: nothing it was offered.
 */

#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <vlapic/lapic.h>

#include "vmx_priv.h"
#include "../run/run_trace.h"

#define VMX_EXIT_VMFAIL			0xffffffffU
#define VMX_EXIT_ENTRY_FAILED		BIT(31)
#define VMX_EXIT_GETSEC			11

/* CR-access exit qualification (SDM vol. 3 table 28-3). */
#define VMX_CR_NUM(q)			((q) & 0xf)
#define VMX_CR_TYPE(q)			(((q) >> 4) & 3)
#define VMX_CR_TYPE_MOV_TO		0
#define VMX_CR_TYPE_MOV_FROM		1
#define VMX_CR_TYPE_CLTS		2
#define VMX_CR_TYPE_LMSW		3
#define VMX_CR_REG(q)			(((q) >> 8) & 0xf)
#define VMX_CR_LMSW_DATA(q)		(((q) >> 16) & 0xffff)

/* I/O exit qualification (SDM vol. 3 table 28-5). */
#define VMX_IO_SIZE(q)			(((q) & 7) + 1)
#define VMX_IO_IN			BIT(3)
#define VMX_IO_STRING			BIT(4)
#define VMX_IO_REP			BIT(5)
#define VMX_IO_PORT(q)			(((q) >> 16) & 0xffff)

/* EPT-violation exit qualification bit 12: IRET unblocked NMIs. */
#define VMX_EPT_NMI_UNBLOCK		BIT(12)

static bool vmx_long64(struct vlapic_vcpu_run *vcpu)
{
	struct emul_cpu cpu;

	vlapic_run_emul_cpu(vcpu, &cpu);
	return emul_cpu_mode(&cpu) == EMUL_MODE_LONG64;
}

static int vmx_gp(struct vlapic_vcpu_run *vcpu)
{
	vlapic_run_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return 1;
}

/* MOV to/from CR0, CR3, CR4, CR8, and LMSW (CLTS never exits: TS is the guest's). */
static int vmx_exit_cr(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u64 q = vmx->exit_qual;
	unsigned int reg = VMX_CR_REG(q);
	u64 val = vcpu->gpr[reg];
	int gp = 0;

	if (!vmx_long64(vcpu))
		val = (u32)val;
	switch (VMX_CR_TYPE(q)) {
	case VMX_CR_TYPE_MOV_TO:
		switch (VMX_CR_NUM(q)) {
		case 0:
			gp = vmx_state_set_cr0(vmx, val);
			break;
		case 3:
			vmx->g.cr3 = val;
			vmx->dirty = true;
			break;
		case 4:
			gp = vmx_state_set_cr4(vmx, val);
			break;
		case 8:
			vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_CR8);
			if (val & ~0xfULL)
				gp = 1;
			else
				vlapic_set_cr8(vcpu->vlapic, val);
			break;
		default:
			return vlapic_run_emulate_ud(vcpu);
		}
		break;
	case VMX_CR_TYPE_MOV_FROM:
		switch (VMX_CR_NUM(q)) {
		case 3:
			val = vmx->g.cr3;
			break;
		case 8:
			vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_CR8);
			val = vlapic_get_cr8(vcpu->vlapic);
			break;
		default:
			return vlapic_run_emulate_ud(vcpu);
		}
		vcpu->gpr[reg] = vmx_long64(vcpu) ? val : (u32)val;
		break;
	case VMX_CR_TYPE_LMSW:
		/* LMSW writes MP, EM, TS and sets (never clears) PE. */
		val = (vmx->g.cr0 & ~0xeULL) | (VMX_CR_LMSW_DATA(q) & 0xf) |
		      (vmx->g.cr0 & X86_CR0_PE);
		gp = vmx_state_set_cr0(vmx, val);
		break;
	default:
		return vlapic_run_emulate_ud(vcpu);
	}
	if (gp)
		return vmx_gp(vcpu);
	vlapic_run_advance(vcpu, vmx->exit_insn_len);
	return 1;
}

static int vmx_exit_io(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u64 q = vmx->exit_qual;
	struct vlapic_pio io = {
		.port = VMX_IO_PORT(q),
		.size = VMX_IO_SIZE(q),
		.in = q & VMX_IO_IN,
		.string = q & VMX_IO_STRING,
		.rep = q & VMX_IO_REP,
		.seg = EMUL_DS,
		.next_rip = vcpu->rip + vmx->exit_insn_len,
	};
	struct emul_cpu cpu;

	vlapic_run_emul_cpu(vcpu, &cpu);
	if (emul_cpu_mode(&cpu) != EMUL_MODE_LONG64)
		io.next_rip = (u32)io.next_rip;
	if (io.string && vmx_caps.ins_outs_info) {
		/* Instruction information: address size 9:7, segment 17:15. */
		io.addr_bytes = 2 << ((vmx->exit_insn_info >> 7) & 7);
		io.seg = (vmx->exit_insn_info >> 15) & 7;
	} else if (io.string) {
		/* No instruction information: the mode's default sizes. */
		switch (emul_cpu_mode(&cpu)) {
		case EMUL_MODE_LONG64:
			io.addr_bytes = 8;
			break;
		case EMUL_MODE_PROT32:
			io.addr_bytes = 4;
			break;
		default:
			io.addr_bytes = 2;
			break;
		}
	}
	if (io.seg >= EMUL_NR_SEGS)
		io.seg = EMUL_DS;
	if (io.size != 1 && io.size != 2 && io.size != 4)
		return vlapic_run_internal_error(vcpu,
			VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, &q, 1);
	return vlapic_run_pio(vcpu, &io);
}

static int vmx_exit_ept_violation(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit_qual;

	/* An IRET that unblocked NMIs faulted: NMIs stay blocked. */
	if ((q & VMX_EPT_NMI_UNBLOCK) &&
	    !(vmx->idt_info & VECTORING_INFO_VALID_MASK)) {
		vmx->g.intr_state |= GUEST_INTR_STATE_NMI;
		vmx->vcpu->nmi_masked = true;
	}
	/*
	 * The exit's address is the instruction's own data access when the
	 * linear address was translated to it (qualification bits 7 and 8)
	 * and no event was being delivered.
	 */
	return vlapic_run_npf(vmx->vcpu, vmx->exit_gpa,
			      q & EPT_VIOLATION_ACC_WRITE,
			      q & EPT_VIOLATION_ACC_INSTR,
			      (q & EPT_VIOLATION_GVA_IS_VALID) &&
			      (q & EPT_VIOLATION_GVA_TRANSLATED) &&
			      !(vmx->idt_info & VECTORING_INFO_VALID_MASK));
}

/* APIC-access exit qualification (SDM vol. 3 table 28-6). */
#define VMX_APIC_ACCESS_OFFSET(q)	((q) & 0xfff)
#define VMX_APIC_ACCESS_TYPE(q)		(((q) >> 12) & 0xf)
#define VMX_APIC_ACCESS_READ		0
#define VMX_APIC_ACCESS_WRITE		1

/*
 * VID: an access to the APIC-access page the CPU does not virtualize
 * (fault-like: RIP at the instruction), emulated as the xAPIC MMIO access
 * it is; anything but a data read or write by an instruction (a fetch,
 * an access during event delivery) is not emulated.
 */
static int vmx_exit_apic_access(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u64 q = vmx->exit_qual;
	u64 gpa = VLAPIC_DEFAULT_BASE | VMX_APIC_ACCESS_OFFSET(q);

	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_APIC_ACCESS);
	switch (VMX_APIC_ACCESS_TYPE(q)) {
	case VMX_APIC_ACCESS_READ:
	case VMX_APIC_ACCESS_WRITE:
		return vlapic_run_npf(vcpu, gpa,
				      VMX_APIC_ACCESS_TYPE(q) ==
				      VMX_APIC_ACCESS_WRITE, false,
				      !(vmx->idt_info & VECTORING_INFO_VALID_MASK));
	default:
		return vlapic_run_internal_error(vcpu,
			VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
			(const u64[]){ vmx->exit_reason, q }, 2);
	}
}

/*
 * VID: a trap-like APIC write (RIP past it), replayed by the vLAPIC. A
 * byte or word store inside a register (the guest's mistake: the CPU
 * reports its own offset) is replayed as the whole register it merged
 * into, as the CPU left it in the page.
 */
static int vmx_exit_apic_write(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u64 q = vmx->exit_qual & 0xfff & ~0xfULL;

	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_APIC_WRITE);
	if (vmx_vlapic_apic_write_exit(vcpu->vlapic, q) == VLAPIC_ACCESS_GP)
		return vmx_gp(vcpu);
	return 1;
}

static int vmx_exit_exception(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u32 info = vmx->exit_intr_info;

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		/* The host's NMI: its handler ran in vmx_enter(). */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_NMI);
		return 1;
	}
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_EXCEPTION);
	if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC) {
		/* The host's machine check: let the host's handler run. */
		asm volatile("int $0x12");
		return 1;
	}
	return vlapic_run_internal_error(vcpu,
		VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
		(const u64[]){ vmx->exit_reason, info }, 2);
}

static int vmx_exit_fail_entry(struct vmx_vcpu *vmx, u64 reason)
{
	struct vlapic_run *run = vmx->vcpu->run;

	run->exit_reason = VLAPIC_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = vmx->vcpu->cpu;
	return 0;
}

static int vmx_exit_unknown(struct vlapic_vcpu_run *vcpu, u64 reason)
{
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
	vcpu->run->exit_reason = VLAPIC_EXIT_UNKNOWN;
	vcpu->run->hw.hardware_exit_reason = reason;
	return 0;
}

static int vmx_dispatch(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u32 reason = vmx->exit_reason;

	if (reason == VMX_EXIT_VMFAIL)
		/* VMfail: bit 32 up marks it apart from an exit reason. */
		return vmx_exit_fail_entry(vmx, BIT_ULL(32) | vmx->entry_error);
	if (reason & VMX_EXIT_ENTRY_FAILED)
		return vmx_exit_fail_entry(vmx, reason);

	switch ((u16)reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_exit_exception(vmx);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_INTR);
		return 1;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* The backstop (vmx/run.c): the loop may reschedule now. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_BACKSTOP);
		return 1;
	case EXIT_REASON_INTERRUPT_WINDOW:
		/* The window is open; the next entry decides again. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_VINTR);
		return 1;
	case EXIT_REASON_APIC_ACCESS:
		return vmx_exit_apic_access(vmx);
	case EXIT_REASON_APIC_WRITE:
		return vmx_exit_apic_write(vmx);
	case EXIT_REASON_EOI_INDUCED:
		/* Trap-like: the level EOI reaches the vLAPIC and the IOAPIC. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_EOI_INDUCED);
		vmx_vlapic_eoi_exit(vcpu->vlapic, vmx->exit_qual);
		return 1;
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
		/* Trap-like: the write is done; the next entry delivers. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_TPR_THRESHOLD);
		return 1;
	case EXIT_REASON_NMI_WINDOW:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_NMI_WINDOW);
		return 1;
	case EXIT_REASON_CR_ACCESS:
		return vmx_exit_cr(vmx);
	case EXIT_REASON_DR_ACCESS:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_mov_dr(vcpu);
	case EXIT_REASON_CPUID:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_CPUID);
		return vlapic_run_cpuid(vcpu);
	case EXIT_REASON_HLT:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_HLT);
		return vlapic_run_hlt(vcpu);
	case EXIT_REASON_MSR_READ:
		return vlapic_run_rdmsr(vcpu);
	case EXIT_REASON_MSR_WRITE:
		return vlapic_run_wrmsr(vcpu);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_exit_io(vmx);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_exit_ept_violation(vmx);
	case EXIT_REASON_EPT_MISCONFIG:
		return vlapic_run_internal_error(vcpu,
			VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
			(const u64[]){ reason, vmx->exit_qual }, 2);
	case EXIT_REASON_VMCALL:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_HYPERCALL);
		return vlapic_run_hypercall(vcpu);
	case EXIT_REASON_INVD:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		vlapic_run_advance(vcpu, vmx->exit_insn_len);
		return 1;
	case EXIT_REASON_RDPMC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vmx_gp(vcpu);
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_XSETBV:
	case VMX_EXIT_GETSEC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		return vlapic_run_emulate_ud(vcpu);
	case EXIT_REASON_TRIPLE_FAULT:
		/* Shutdown: RESET the vCPU, as on SVM. */
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_OTHER);
		vcpu->run->exit_reason = VLAPIC_EXIT_SHUTDOWN;
		vlapic_run_reset(vcpu, false);
		return 0;
	default:
		return vmx_exit_unknown(vcpu, reason);
	}
}

/**
 * vmx_handle_exit() - act on the last VM exit.
 * @vcpu: the vCPU.
 *
 * An instruction the host carried out ends an interrupt shadow (STI; HLT,
 * MOV SS; CPUID, ...): vmx_enter() clears it when RIP moved.
 *
 * Context: the vCPU thread, inside srcu_read_lock(&vm->srcu).
 * Return: > 0 to go on, 0 with an exit for userspace.
 */
int vmx_handle_exit(struct vlapic_vcpu_run *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	/* The CPU may have written VTPR in the register page: PPR follows. */
	if (vmx->apicv >= VMX_APICV_TPR_SHADOW)
		vmx_vlapic_refresh(vcpu->vlapic);

	trace_vlapic_run_exit(vcpu->index, "vmx", vmx->exit_reason, vcpu->rip,
			      vmx->exit_qual, vmx->exit_gpa, vmx->idt_info);
	return vmx_dispatch(vmx);
}

/**
 * vmx_get_exit_info() - the last exit's words for an emulation failure.
 * @vcpu: the vCPU.
 * @info: out: the exit reason, the exit qualification, the IDT-vectoring
 *	information, the VM-exit interruption information (both 0 after a
 *	failed entry) and 0 (the interruption's error code is not kept),
 *	VLAPIC_EMUL_INFO_*.
 *
 * Context: the vCPU thread.
 */
void vmx_get_exit_info(struct vlapic_vcpu_run *vcpu,
		       u64 info[VLAPIC_EMUL_INFO_WORDS])
{
	const struct vmx_vcpu *vmx = to_vmx(vcpu);

	info[VLAPIC_EMUL_INFO_REASON] = vmx->exit_reason;
	info[VLAPIC_EMUL_INFO_INFO1] = vmx->exit_qual;
	info[VLAPIC_EMUL_INFO_ERROR_CODE] = 0;
	/* A failed entry has no vectoring or interruption information. */
	if (vmx->exit_reason & VMX_EXIT_ENTRY_FAILED) {
		info[VLAPIC_EMUL_INFO_INFO2] = 0;
		info[VLAPIC_EMUL_INFO_INTR_INFO] = 0;
		return;
	}
	info[VLAPIC_EMUL_INFO_INFO2] = vmx->idt_info;
	info[VLAPIC_EMUL_INFO_INTR_INFO] = vmx->exit_intr_info;
}
