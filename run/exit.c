// SPDX-License-Identifier: GPL-2.0
/*
 * Exits every backend handles alike: CPUID, MSRs, HLT, hypercalls, RDTSCP,
 * MOV to CR8 and debug registers, port I/O, nested page faults (MMIO for
 * the vLAPIC, the IOAPIC or userspace, RAM races), exceptions for the
 * guest, and the completion of exits userspace handled.
 *
 * Conventions: a handler returns > 0 when the guest goes on, 0 when the
 * run structure holds an exit for userspace. Guest mistakes become guest
 * exceptions (queued with vlapic_run_queue_exception()) and counters;
 * nothing a guest does makes RUN fail.
 *
 * Context: the vCPU thread, inside srcu_read_lock(&vm->srcu).
 */

#include <linux/kernel.h>
#include <linux/nospec.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <vlapic/emul.h>
#include <vlapic/ioapic.h>
#include <vlapic/lapic.h>
#include <vlapic/run.h>

#include "run_priv.h"

/* --- exceptions for the guest ---------------------------------------------- */

/**
 * vlapic_run_queue_exception() - deliver an exception at the next entry.
 * @vcpu: the vCPU.
 * @vector: the vector.
 * @has_error: push @error.
 * @error: the error code.
 *
 * A second exception while one is queued becomes #DF (a contributory or
 * page fault on top of another: SDM vol. 3 table 6-5, simplified to "any
 * two"); a third is a triple fault, left to the CPU by injecting #DF over
 * #DF, which it turns into a shutdown.
 */
void vlapic_run_queue_exception(struct vlapic_vcpu_run *vcpu, u8 vector,
				bool has_error, u32 error)
{
	struct vlapic_exception *e = &vcpu->exc;

	if (e->pending) {
		vector = X86_TRAP_DF;
		has_error = true;
		error = 0;
	}
	e->pending = true;
	e->vector = vector;
	e->has_error = has_error;
	e->error = error;
	e->cr2 = 0;
}

/**
 * vlapic_run_queue_pf() - a page fault for the guest.
 * @vcpu: the vCPU.
 * @error: the error code.
 * @cr2: the faulting address.
 */
void vlapic_run_queue_pf(struct vlapic_vcpu_run *vcpu, u32 error, u64 cr2)
{
	vlapic_run_queue_exception(vcpu, X86_TRAP_PF, true, error);
	if (vcpu->exc.vector == X86_TRAP_PF)
		vcpu->exc.cr2 = cr2;
}

/**
 * vlapic_run_queue_fault() - an emulator fault for the guest.
 * @vcpu: the vCPU.
 * @fault: what the emulator or the page walk found.
 */
void vlapic_run_queue_fault(struct vlapic_vcpu_run *vcpu,
			    const struct emul_fault *fault)
{
	if (fault->vector == X86_TRAP_PF)
		vlapic_run_queue_pf(vcpu, fault->error_code, fault->cr2);
	else
		vlapic_run_queue_exception(vcpu, fault->vector,
					   fault->has_error_code,
					   fault->error_code);
}

static int run_gp(struct vlapic_vcpu_run *vcpu)
{
	vlapic_run_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return 1;
}

/**
 * vlapic_run_emulate_ud() - the guest executed what it must not have.
 * @vcpu: the vCPU.
 *
 * Return: 1.
 */
int vlapic_run_emulate_ud(struct vlapic_vcpu_run *vcpu)
{
	vlapic_run_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return 1;
}

/**
 * vlapic_run_advance() - RIP past an instruction the host carried out.
 * @vcpu: the vCPU.
 * @len: its length.
 *
 * Outside 64-bit mode EIP wraps at 4 GiB. The backend clears an interrupt
 * shadow when RIP moved.
 */
void vlapic_run_advance(struct vlapic_vcpu_run *vcpu, unsigned int len)
{
	struct emul_cpu cpu;

	vlapic_run_emul_cpu(vcpu, &cpu);
	vcpu->rip += len;
	if (emul_cpu_mode(&cpu) != EMUL_MODE_LONG64)
		vcpu->rip = (u32)vcpu->rip;
}

/* --- exits to userspace for errors ------------------------------------------ */

/**
 * vlapic_run_internal_error() - an exit userspace can only report.
 * @vcpu: the vCPU.
 * @suberror: VLAPIC_INTERNAL_ERROR_*.
 * @data: words of detail.
 * @ndata: their number (at most 16).
 *
 * Return: 0 (an exit for userspace).
 */
int vlapic_run_internal_error(struct vlapic_vcpu_run *vcpu, u32 suberror,
			      const u64 *data, unsigned int ndata)
{
	struct vlapic_run *run = vcpu->run;

	ndata = min_t(unsigned int, ndata, ARRAY_SIZE(run->internal.data));
	run->exit_reason = VLAPIC_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memcpy(run->internal.data, data, ndata * sizeof(*data));
	return 0;
}

/**
 * vlapic_run_emulation_failure() - an instruction the module cannot do.
 * @vcpu: the vCPU.
 * @bytes: the instruction's bytes, or NULL if they could not be read.
 * @len: how many.
 *
 * KVM's emulation-failure layout: flags (bytes valid), the length and up
 * to 15 bytes, then the five words of the exit the instruction came from
 * (VLAPIC_EMUL_INFO_*: the exit code and its information, so a failure
 * without bytes, a fetch from outside RAM say, still tells where it came
 * from); RIP is left at the instruction.
 *
 * Return: 0 (an exit for userspace).
 */
int vlapic_run_emulation_failure(struct vlapic_vcpu_run *vcpu,
				 const u8 *bytes, unsigned int len)
{
	struct vlapic_run *run = vcpu->run;
	u64 info[VLAPIC_EMUL_INFO_WORDS] = { 0 };

	BUILD_BUG_ON(3 + VLAPIC_EMUL_INFO_WORDS >
		     ARRAY_SIZE(run->internal.data));
	if (vcpu->vm->ops->get_exit_info)
		vcpu->vm->ops->get_exit_info(vcpu, info);
	memset(&run->internal, 0, sizeof(run->internal));
	run->exit_reason = VLAPIC_EXIT_INTERNAL_ERROR;
	run->emulation_failure.suberror = VLAPIC_INTERNAL_ERROR_EMULATION;
	if (!bytes || !len) {
		/* data[0] the flags (none), data[1..5] the exit */
		memcpy(&run->internal.data[1], info, sizeof(info));
		run->emulation_failure.ndata = 1 + VLAPIC_EMUL_INFO_WORDS;
		return 0;
	}
	/* data[0] the flags, data[1..2] the bytes, data[3..7] the exit */
	len = min_t(unsigned int, len, EMUL_MAX_INSN_LEN);
	run->emulation_failure.flags =
		VLAPIC_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run->emulation_failure.insn_size = len;
	memcpy(run->emulation_failure.insn_bytes, bytes, len);
	memcpy(&run->internal.data[3], info, sizeof(info));
	run->emulation_failure.ndata = 3 + VLAPIC_EMUL_INFO_WORDS;
	return 0;
}

/* --- CPUID, MSRs, HLT, hypercalls, RDTSCP ------------------------------------ */

/**
 * vlapic_run_cpuid() - CPUID from the table userspace set.
 * @vcpu: the vCPU.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_cpuid(struct vlapic_vcpu_run *vcpu)
{
	u32 eax, ebx, ecx, edx;

	vlapic_run_cpuid_lookup(vcpu, vcpu->gpr[EMUL_RAX], vcpu->gpr[EMUL_RCX],
				&eax, &ebx, &ecx, &edx);
	vcpu->gpr[EMUL_RAX] = eax;
	vcpu->gpr[EMUL_RBX] = ebx;
	vcpu->gpr[EMUL_RCX] = ecx;
	vcpu->gpr[EMUL_RDX] = edx;
	return vlapic_run_skip_insn(vcpu);
}

static int run_msr_exit(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
			bool write, u32 reason)
{
	struct vlapic_run *run = vcpu->run;

	memset(&run->msr, 0, sizeof(run->msr));
	run->exit_reason = write ? VLAPIC_EXIT_X86_WRMSR : VLAPIC_EXIT_X86_RDMSR;
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = data;
	vcpu->complete = write ? VLAPIC_COMPLETE_WRMSR : VLAPIC_COMPLETE_RDMSR;
	return 0;
}

/* The MSR's length first: a fetch problem must not lose the access. */
static int run_msr_len(struct vlapic_vcpu_run *vcpu, unsigned int *len)
{
	struct vlapic_exit_insn insn;
	int ret = vlapic_run_exit_insn(vcpu, &insn);

	*len = insn.len;
	return ret;
}

/**
 * vlapic_run_rdmsr() - RDMSR of ECX.
 * @vcpu: the vCPU.
 *
 * The MSRs the module keeps are answered here; unknown ones give #GP, or
 * exit to userspace when the VMM asked for it (VLAPIC_ENABLE_CAP).
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_rdmsr(struct vlapic_vcpu_run *vcpu)
{
	u32 index = vcpu->gpr[EMUL_RCX];
	unsigned int len;
	u64 data = 0;
	int ret;

	ret = run_msr_len(vcpu, &len);
	if (ret)
		return ret > 0 ? 1 : 0;
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MSR);
	ret = vlapic_run_get_msr(vcpu, index, &data, false);
	if (ret == -ENOENT && (vcpu->vm->msr_exits &
			       VLAPIC_MSR_EXIT_REASON_UNKNOWN)) {
		vcpu->pio_next_rip = vcpu->rip + len;
		return run_msr_exit(vcpu, index, 0, false,
				    VLAPIC_MSR_EXIT_REASON_UNKNOWN);
	}
	if (ret)
		return run_gp(vcpu);
	vcpu->gpr[EMUL_RAX] = (u32)data;
	vcpu->gpr[EMUL_RDX] = data >> 32;
	vlapic_run_advance(vcpu, len);
	return 1;
}

/**
 * vlapic_run_wrmsr() - WRMSR of EDX:EAX to ECX.
 * @vcpu: the vCPU.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_wrmsr(struct vlapic_vcpu_run *vcpu)
{
	u32 index = vcpu->gpr[EMUL_RCX];
	u64 data = (vcpu->gpr[EMUL_RDX] << 32) | (u32)vcpu->gpr[EMUL_RAX];
	unsigned int len;
	int ret;

	ret = run_msr_len(vcpu, &len);
	if (ret)
		return ret > 0 ? 1 : 0;
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MSR);
	ret = vlapic_run_set_msr(vcpu, index, data, false);
	if (ret == -ENOENT && (vcpu->vm->msr_exits &
			       VLAPIC_MSR_EXIT_REASON_UNKNOWN)) {
		vcpu->pio_next_rip = vcpu->rip + len;
		return run_msr_exit(vcpu, index, data, true,
				    VLAPIC_MSR_EXIT_REASON_UNKNOWN);
	}
	if (ret)
		return run_gp(vcpu);
	vlapic_run_advance(vcpu, len);
	return 1;
}

/**
 * vlapic_run_hlt() - HLT: the loop sleeps until the vCPU can wake.
 * @vcpu: the vCPU.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_hlt(struct vlapic_vcpu_run *vcpu)
{
	int ret = vlapic_run_skip_insn(vcpu);

	if (ret > 0 && !vcpu->exc.pending)
		vcpu->halted = true;
	return ret;
}

/**
 * vlapic_run_hypercall() - VMMCALL/VMCALL: an exit to userspace.
 * @vcpu: the vCPU.
 *
 * KVM's register convention: number in RAX, arguments in RBX, RCX, RDX,
 * RSI, RDI, R8; userspace's result goes to RAX. A hypercall from CPL > 0
 * gets #UD without reaching userspace.
 *
 * Return: 0 with an exit for userspace, or 1.
 */
int vlapic_run_hypercall(struct vlapic_vcpu_run *vcpu)
{
	static const u8 args[] = { EMUL_RBX, EMUL_RCX, EMUL_RDX, EMUL_RSI,
				   EMUL_RDI, EMUL_R8 };
	struct vlapic_run *run = vcpu->run;
	struct emul_cpu cpu;
	unsigned int i;
	int ret;

	vlapic_run_emul_cpu(vcpu, &cpu);
	if (cpu.cpl)
		return vlapic_run_emulate_ud(vcpu);
	ret = vlapic_run_skip_insn(vcpu);
	if (ret <= 0 || vcpu->exc.pending)
		return ret;
	memset(&run->hypercall, 0, sizeof(run->hypercall));
	run->exit_reason = VLAPIC_EXIT_HYPERCALL;
	run->hypercall.nr = vcpu->gpr[EMUL_RAX];
	for (i = 0; i < ARRAY_SIZE(args); i++)
		run->hypercall.args[i] = vcpu->gpr[args[i]];
	run->hypercall.longmode = emul_cpu_mode(&cpu) == EMUL_MODE_LONG64;
	vcpu->complete = VLAPIC_COMPLETE_HYPERCALL;
	return 0;
}

/**
 * vlapic_run_rdtscp() - RDTSCP, intercepted so IA32_TSC_AUX is the guest's.
 * @vcpu: the vCPU.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_rdtscp(struct vlapic_vcpu_run *vcpu)
{
	u64 tsc = rdtsc_ordered() + vlapic_run_guest_tsc_offset(vcpu);

	vcpu->gpr[EMUL_RAX] = (u32)tsc;
	vcpu->gpr[EMUL_RDX] = tsc >> 32;
	vcpu->gpr[EMUL_RCX] = (u32)vcpu->tsc_aux;
	return vlapic_run_skip_insn(vcpu);
}

/**
 * vlapic_run_mov_cr8() - a guest write to CR8 that the backend intercepted.
 * @vcpu: the vCPU.
 *
 * The value becomes the vLAPIC's TPR[7:4] (TPR[3:0] cleared); bits above
 * 3 give #GP (SDM vol. 3 "CR8").
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_mov_cr8(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_exit_insn insn;
	int ret = vlapic_run_exit_insn(vcpu, &insn);
	u64 val;

	if (ret)
		return ret > 0 ? 1 : 0;
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_CR8);
	if (insn.dr || insn.num != 8 || !insn.write)
		return vlapic_run_emulation_failure(vcpu, NULL, 0);
	val = vcpu->gpr[insn.reg];
	if (val & ~0xfULL)
		return run_gp(vcpu);
	vlapic_set_cr8(vcpu->vlapic, val);
	vlapic_run_advance(vcpu, insn.len);
	return 1;
}

/**
 * vlapic_run_mov_dr() - MOV to or from DR0-DR7, kept by the module.
 * @vcpu: the vCPU.
 *
 * The values are kept, never loaded into the hardware: the guest's
 * hardware breakpoints do not fire (docs/run.md). DR4/DR5 alias DR6/DR7
 * unless CR4.DE (then #UD); reserved upper bits of DR6/DR7 give #GP.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_mov_dr(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_exit_insn insn;
	struct emul_cpu cpu;
	int ret = vlapic_run_exit_insn(vcpu, &insn);
	unsigned int dr;
	u64 *val;

	if (ret)
		return ret > 0 ? 1 : 0;
	if (!insn.dr)
		return vlapic_run_emulation_failure(vcpu, NULL, 0);
	vlapic_run_emul_cpu(vcpu, &cpu);
	dr = insn.num;
	if (dr > 7)
		return vlapic_run_emulate_ud(vcpu);
	if (dr == 4 || dr == 5) {
		if (cpu.cr4 & X86_CR4_DE)
			return vlapic_run_emulate_ud(vcpu);
		dr += 2;
	}
	/* The number is the guest's (ModRM.reg, REX.R): clamp for dr[]. */
	if (dr < 4)
		val = &vcpu->dr[array_index_nospec(dr, ARRAY_SIZE(vcpu->dr))];
	else
		val = dr == 6 ? &vcpu->dr6 : &vcpu->dr7;
	if (insn.write) {
		u64 v = vcpu->gpr[insn.reg];

		if (emul_cpu_mode(&cpu) != EMUL_MODE_LONG64)
			v = (u32)v;
		if (dr >= 6 && (v >> 32))
			return run_gp(vcpu);
		if (dr == 6)
			v = (v & 0xe00f) | 0xffff0ff0;
		else if (dr == 7)
			v = (v & ~0xd800ULL) | 0x400;
		*val = v;
	} else {
		vcpu->gpr[insn.reg] = *val;
	}
	vlapic_run_advance(vcpu, insn.len);
	return 1;
}

/* --- guest memory and MMIO devices, as the emulator reaches them -------------- */

static int run_op_read_phys(void *ctx, u64 gpa, void *val, unsigned int len)
{
	struct vlapic_vcpu_run *vcpu = ctx;

	return vlapic_run_read_gpa(vcpu->vm, gpa, val, len) ? EMUL_ERROR :
							       EMUL_OK;
}

static int run_op_cmpxchg_phys(void *ctx, u64 gpa, u64 old, u64 new,
			       unsigned int len)
{
	struct vlapic_vcpu_run *vcpu = ctx;

	return vlapic_run_cmpxchg_gpa(vcpu->vm, gpa, old, new, len) ?
	       EMUL_ERROR : EMUL_OK;
}

enum run_mmio_target {
	RUN_MMIO_LAPIC,
	RUN_MMIO_LAPIC_OFF,	/* the page of a disabled or x2APIC vLAPIC */
	RUN_MMIO_IOAPIC,
	RUN_MMIO_RAM,
	RUN_MMIO_USER,
};

static enum run_mmio_target run_mmio_target(struct vlapic_vcpu_run *vcpu,
					    u64 gpa, bool write)
{
	struct vlapic_vm_run *vm = vcpu->vm;
	u64 apic = vlapic_mmio_base(vcpu->vlapic);
	u64 ioapic = vlapic_ioapic_base(vm->ioapic);
	bool writable;

	if ((gpa & PAGE_MASK) == apic)
		return vlapic_mmio_enabled(vcpu->vlapic) ? RUN_MMIO_LAPIC :
							   RUN_MMIO_LAPIC_OFF;
	if (gpa >= ioapic && gpa < ioapic + VLAPIC_IOAPIC_MMIO_SIZE)
		return RUN_MMIO_IOAPIC;
	if (vlapic_run_gpa_page(vm, gpa, &writable) && (!write || writable) &&
	    vlapic_run_gpa_is_ram(vm, gpa))
		return RUN_MMIO_RAM;
	return RUN_MMIO_USER;
}

static int run_op_read(void *ctx, u64 gpa, void *val, unsigned int len)
{
	struct vlapic_vcpu_run *vcpu = ctx;
	struct vlapic_vm_run *vm = vcpu->vm;
	struct vlapic_run *run = vcpu->run;
	u64 data = 0;

	switch (run_mmio_target(vcpu, gpa, false)) {
	case RUN_MMIO_LAPIC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_LAPIC);
		vlapic_mmio_read(vcpu->vlapic, gpa & ~PAGE_MASK, &data, len);
		memcpy(val, &data, len);
		return EMUL_OK;
	case RUN_MMIO_LAPIC_OFF:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_LAPIC);
		memset(val, 0xff, len);
		return EMUL_OK;
	case RUN_MMIO_IOAPIC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_IOAPIC);
		vlapic_ioapic_mmio_read(vm->ioapic,
					gpa - vlapic_ioapic_base(vm->ioapic),
					&data, len);
		memcpy(val, &data, len);
		return EMUL_OK;
	case RUN_MMIO_RAM:
		return vlapic_run_read_gpa(vm, gpa, val, len) ? EMUL_ERROR :
								EMUL_OK;
	case RUN_MMIO_USER:
		break;
	}
	/* The second trip: userspace answered this very read. */
	if (vcpu->complete == VLAPIC_COMPLETE_MMIO && vcpu->mmio_gpa == gpa &&
	    vcpu->mmio_len == len) {
		memcpy(val, run->mmio.data, len);
		vcpu->complete = VLAPIC_COMPLETE_NONE;
		return EMUL_OK;
	}
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_USER);
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = VLAPIC_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = 0;
	vcpu->mmio_gpa = gpa;
	vcpu->mmio_len = len;
	vcpu->complete = VLAPIC_COMPLETE_MMIO;
	return EMUL_USER_EXIT;
}

static int run_op_write(void *ctx, u64 gpa, const void *val, unsigned int len)
{
	struct vlapic_vcpu_run *vcpu = ctx;
	struct vlapic_vm_run *vm = vcpu->vm;
	struct vlapic_run *run = vcpu->run;
	u64 data = 0;

	memcpy(&data, val, len);
	switch (run_mmio_target(vcpu, gpa, true)) {
	case RUN_MMIO_LAPIC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_LAPIC);
		vlapic_mmio_write(vcpu->vlapic, gpa & ~PAGE_MASK, &data, len);
		return EMUL_OK;
	case RUN_MMIO_LAPIC_OFF:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_LAPIC);
		return EMUL_OK;
	case RUN_MMIO_IOAPIC:
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_IOAPIC);
		vlapic_ioapic_mmio_write(vm->ioapic,
					 gpa - vlapic_ioapic_base(vm->ioapic),
					 &data, len);
		return EMUL_OK;
	case RUN_MMIO_RAM:
		return vlapic_run_write_gpa(vm, gpa, val, len) ? EMUL_ERROR :
								 EMUL_OK;
	case RUN_MMIO_USER:
		break;
	}
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_MMIO_USER);
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = VLAPIC_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, val, len);
	return EMUL_USER_EXIT;
}

static bool run_op_fault_gpa(void *ctx, u64 *gpa)
{
	struct vlapic_vcpu_run *vcpu = ctx;

	if (vcpu->fault_gpa == VLAPIC_NO_FAULT_GPA)
		return false;
	*gpa = vcpu->fault_gpa;
	return true;
}

const struct emul_ops vlapic_run_emul_ops = {
	.read_phys = run_op_read_phys,
	.cmpxchg_phys = run_op_cmpxchg_phys,
	.read = run_op_read,
	.write = run_op_write,
	.fault_gpa = run_op_fault_gpa,
};

/* Decode and carry out the instruction at RIP against MMIO. */
static int run_emulate(struct vlapic_vcpu_run *vcpu, const struct emul_insn *given)
{
	u8 bytes[EMUL_MAX_INSN_LEN];
	struct emul_fault fault;
	struct emul_insn insn;
	struct emul_cpu cpu;
	unsigned int len;
	int ret;

	vlapic_run_emul_cpu(vcpu, &cpu);
	if (given) {
		insn = *given;
	} else {
		ret = vlapic_run_fetch_cpu(vcpu, &cpu, bytes, &len);
		if (ret > 0)
			return 1;
		if (ret < 0)
			return vlapic_run_emulation_failure(vcpu, NULL, 0);
		ret = emul_decode(bytes, len, emul_cpu_mode(&cpu), &insn,
				  &fault);
		if (ret == EMUL_FAULT) {
			vlapic_run_queue_fault(vcpu, &fault);
			return 1;
		}
		if (ret != EMUL_OK)
			return vlapic_run_emulation_failure(vcpu, bytes, len);
	}
	ret = emul_execute(&cpu, &insn, &vlapic_run_emul_ops, vcpu, &fault);
	/* Completed iterations count whatever the result. */
	memcpy(vcpu->gpr, cpu.gpr, sizeof(vcpu->gpr));
	vcpu->rip = cpu.rip;
	vcpu->rflags = cpu.rflags;
	switch (ret) {
	case EMUL_OK:
		return 1;
	case EMUL_FAULT:
		vlapic_run_queue_fault(vcpu, &fault);
		return 1;
	case EMUL_USER_EXIT:
		if (vcpu->complete == VLAPIC_COMPLETE_MMIO)
			vcpu->mmio_insn = insn;
		return 0;
	default:
		return vlapic_run_emulation_failure(vcpu, insn.bytes, insn.len);
	}
}

/**
 * vlapic_run_npf() - a nested page fault.
 * @vcpu: the vCPU.
 * @gpa: the guest-physical address.
 * @write: the access was a write.
 * @fetch: the access was an instruction fetch.
 *
 * RAM the table maps only faults while a memory change races the vCPU:
 * the guest simply retries. A write to a read-only region and every
 * access outside RAM is an MMIO access: decoded and carried out against
 * the vLAPIC page (at this vCPU's base), the IOAPIC window or userspace.
 * Executing from outside RAM is an emulation failure.
 *
 * @final: @gpa is the final translation of the instruction's own data
 *	access (not a guest paging-structure access, no event delivery in
 *	progress): the emulator uses it instead of walking the guest's
 *	tables again for that access, as the CPU has just done so.
 *
 * Return: 1, or 0 with an exit for userspace.
 */
int vlapic_run_npf(struct vlapic_vcpu_run *vcpu, u64 gpa, bool write,
		   bool fetch, bool final)
{
	bool writable;
	int ret;

	if (vlapic_run_gpa_is_ram(vcpu->vm, gpa) &&
	    vlapic_run_gpa_page(vcpu->vm, gpa, &writable) &&
	    (!write || writable))
		return 1;
	if (fetch)
		return vlapic_run_emulation_failure(vcpu, NULL, 0);
	/* Only for this emulation: never for a later completion. */
	vcpu->fault_gpa = final ? gpa : VLAPIC_NO_FAULT_GPA;
	ret = run_emulate(vcpu, NULL);
	vcpu->fault_gpa = VLAPIC_NO_FAULT_GPA;
	return ret;
}

/* --- port I/O ------------------------------------------------------------------ */

static u64 run_addr_mask(u8 addr_bytes)
{
	return addr_bytes == 8 ? ~0ULL : (1ULL << (addr_bytes * 8)) - 1;
}

/* The guest-physical address of a string I/O element, or a fault. */
static int run_pio_gpa(struct vlapic_vcpu_run *vcpu, const struct emul_cpu *cpu,
		       u8 seg, u64 offset, bool write, u64 *gpa)
{
	const struct emul_segment *s;
	struct emul_fault fault;
	u32 access = write ? EMUL_PF_WRITE : 0;
	u64 linear;

	/* From the exit information: the backend bounds it, we clamp it. */
	if (WARN_ON_ONCE(seg >= EMUL_NR_SEGS))
		seg = EMUL_DS;
	seg = array_index_nospec(seg, EMUL_NR_SEGS);
	s = &cpu->seg[seg];

	if (emul_cpu_mode(cpu) == EMUL_MODE_LONG64)
		linear = (seg == EMUL_FS || seg == EMUL_GS ? s->base : 0) + offset;
	else
		linear = (u32)(s->base + offset);
	if (cpu->cpl == 3)
		access |= EMUL_PF_USER;
	if (emul_walk(cpu, &vlapic_run_emul_ops, vcpu, linear, access, gpa,
		      &fault) == EMUL_FAULT) {
		vlapic_run_queue_fault(vcpu, &fault);
		return 1;
	}
	return 0;
}

/*
 * Elements a string I/O moves this trip: within one guest page, one page
 * of data, RCX.
 */
static u32 run_pio_count(const struct vlapic_pio *io, u64 rcx, u64 offset,
			 bool down)
{
	u64 room = down ? offset_in_page(offset) / io->size + 1 :
			  (PAGE_SIZE - offset_in_page(offset)) / io->size;
	u64 n = io->rep ? rcx : 1;

	n = min_t(u64, n, PAGE_SIZE / io->size);
	n = min_t(u64, n, max_t(u64, room, 1));
	return n;
}

/**
 * vlapic_run_pio() - an I/O instruction: an exit to userspace.
 * @vcpu: the vCPU.
 * @io: what the CPU reported.
 *
 * OUT and OUTS hand their data over in the I/O page and are complete
 * when RUN returns; IN and INS are completed by the next RUN with the
 * data userspace put there. A REP string instruction moves at most one
 * guest page per trip, and RIP stays at it until RCX reaches 0.
 *
 * Return: 0 with an exit for userspace, or 1 (a fault was queued).
 */
int vlapic_run_pio(struct vlapic_vcpu_run *vcpu, const struct vlapic_pio *io)
{
	struct vlapic_run *run = vcpu->run;
	u64 mask = run_addr_mask(io->addr_bytes);
	bool down = vcpu->rflags & X86_EFLAGS_DF;
	struct emul_cpu cpu;
	u32 count = 1;
	u64 gpa;
	int ret;

	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_IO);
	if (io->string) {
		u64 rcx = vcpu->gpr[EMUL_RCX] & mask;
		u64 off = vcpu->gpr[io->in ? EMUL_RDI : EMUL_RSI] & mask;

		if (io->rep && !rcx) {
			vcpu->rip = io->next_rip;
			return 1;
		}
		count = run_pio_count(io, rcx, off, down);
		if (!io->in) {
			u64 first = down ? off - (count - 1) * io->size : off;

			vlapic_run_emul_cpu(vcpu, &cpu);
			ret = run_pio_gpa(vcpu, &cpu, io->seg, first & mask,
					  false, &gpa);
			if (ret)
				return 1;
			if (vlapic_run_read_gpa(vcpu->vm, gpa, vcpu->pio_data,
						count * io->size))
				return vlapic_run_emulation_failure(vcpu, NULL,
								    0);
			if (down) {
				/* The device sees them in execution order. */
				u8 *d = vcpu->pio_data;
				unsigned int i, j;

				for (i = 0, j = count - 1; i < j; i++, j--) {
					u8 t[4];

					memcpy(t, d + i * io->size, io->size);
					memcpy(d + i * io->size,
					       d + j * io->size, io->size);
					memcpy(d + j * io->size, t, io->size);
				}
			}
			vcpu->gpr[EMUL_RSI] = (vcpu->gpr[EMUL_RSI] & ~mask) |
				((off + (down ? -1 : 1) * (s64)count * io->size) &
				 mask);
			if (io->rep)
				vcpu->gpr[EMUL_RCX] =
					(vcpu->gpr[EMUL_RCX] & ~mask) |
					((rcx - count) & mask);
			if (!io->rep || rcx == count)
				vcpu->rip = io->next_rip;
		}
	} else if (!io->in) {
		memcpy(vcpu->pio_data, &vcpu->gpr[EMUL_RAX], io->size);
		vcpu->rip = io->next_rip;
	}

	memset(&run->io, 0, sizeof(run->io));
	run->exit_reason = VLAPIC_EXIT_IO;
	run->io.direction = io->in ? VLAPIC_EXIT_IO_IN : VLAPIC_EXIT_IO_OUT;
	run->io.size = io->size;
	run->io.port = io->port;
	run->io.count = count;
	run->io.data_offset = VLAPIC_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (io->in) {
		vcpu->complete = VLAPIC_COMPLETE_PIO_IN;
		vcpu->pio_size = io->size;
		vcpu->pio_count = count;
		vcpu->pio_string = io->string;
		vcpu->pio_rep = io->rep;
		vcpu->pio_addr_bytes = io->addr_bytes;
		vcpu->pio_next_rip = io->next_rip;
	}
	return 0;
}

/* IN/INS: the data userspace supplied goes to RAX or to ES:RDI. */
static int run_complete_pio_in(struct vlapic_vcpu_run *vcpu)
{
	u64 mask = run_addr_mask(vcpu->pio_addr_bytes);
	bool down = vcpu->rflags & X86_EFLAGS_DF;
	unsigned int size = vcpu->pio_size, i;
	u32 count = vcpu->pio_count;
	struct emul_cpu cpu;
	u64 rdi, rcx, gpa;
	u8 *d = vcpu->pio_data;

	if (!vcpu->pio_string) {
		u64 v = 0;

		memcpy(&v, d, size);
		if (size == 4)
			vcpu->gpr[EMUL_RAX] = (u32)v;
		else
			memcpy(&vcpu->gpr[EMUL_RAX], &v, size);
		vcpu->rip = vcpu->pio_next_rip;
		return 1;
	}
	vlapic_run_emul_cpu(vcpu, &cpu);
	rdi = vcpu->gpr[EMUL_RDI] & mask;
	for (i = 0; i < count; i++) {
		u64 off = (rdi + (down ? -1 : 1) * (s64)i * size) & mask;

		if (run_pio_gpa(vcpu, &cpu, EMUL_ES, off, true, &gpa))
			return 1;
		if (vlapic_run_write_gpa(vcpu->vm, gpa, d + i * size, size))
			return vlapic_run_emulation_failure(vcpu, NULL, 0);
	}
	vcpu->gpr[EMUL_RDI] = (vcpu->gpr[EMUL_RDI] & ~mask) |
		((rdi + (down ? -1 : 1) * (s64)count * size) & mask);
	rcx = vcpu->gpr[EMUL_RCX] & mask;
	if (vcpu->pio_rep)
		vcpu->gpr[EMUL_RCX] = (vcpu->gpr[EMUL_RCX] & ~mask) |
				      ((rcx - count) & mask);
	if (!vcpu->pio_rep || rcx == count)
		vcpu->rip = vcpu->pio_next_rip;
	return 1;
}

/**
 * vlapic_run_complete_user_exit() - finish what the last exit started.
 * @vcpu: the vCPU.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu), guest FPU loaded.
 * Return: 1 to go on into the guest, 0 with a new exit for userspace.
 */
int vlapic_run_complete_user_exit(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_run *run = vcpu->run;
	enum vlapic_complete what = vcpu->complete;

	vcpu->complete = VLAPIC_COMPLETE_NONE;
	switch (what) {
	case VLAPIC_COMPLETE_NONE:
	case VLAPIC_COMPLETE_PIO_OUT:
		return 1;
	case VLAPIC_COMPLETE_MMIO:
		/* run_op_read() answers the repeated read from run->mmio. */
		vcpu->complete = VLAPIC_COMPLETE_MMIO;
		return run_emulate(vcpu, &vcpu->mmio_insn);
	case VLAPIC_COMPLETE_PIO_IN:
		return run_complete_pio_in(vcpu);
	case VLAPIC_COMPLETE_HYPERCALL:
		vcpu->gpr[EMUL_RAX] = run->hypercall.ret;
		return 1;
	case VLAPIC_COMPLETE_RDMSR:
		if (run->msr.error)
			return run_gp(vcpu);
		vcpu->gpr[EMUL_RAX] = (u32)run->msr.data;
		vcpu->gpr[EMUL_RDX] = run->msr.data >> 32;
		vcpu->rip = vcpu->pio_next_rip;
		return 1;
	case VLAPIC_COMPLETE_WRMSR:
		if (run->msr.error)
			return run_gp(vcpu);
		vcpu->rip = vcpu->pio_next_rip;
		return 1;
	}
	return 1;
}
