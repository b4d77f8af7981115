// SPDX-License-Identifier: GPL-2.0
/*
 * GET/SET_REGS and GET/SET_SREGS (struct kvm_regs / kvm_sregs layouts).
 *
 * SET_SREGS checks the whole state before anything changes: a state the
 * CPU would refuse at VMRUN (the consistency checks of AMD APM vol. 2
 * "Canonicalization and Consistency Checks", SDM vol. 3 "Checks on
 * Guest Control Registers") is -EINVAL here, not a failed entry later.
 * Setting registers abandons the completion of a pending userspace exit
 * and ends a HLT: the VMM has taken over the vCPU's course.
 */

#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include <vlapic/export.h>
#include <vlapic/lapic.h>
#include <vlapic/run.h>

#include "run_priv.h"

/* RFLAGS bits that must be zero: 3, 5, 15, 22-63 (bit 1 is always one). */
#define RUN_RFLAGS_RESERVED	(~0x3f7fd7ULL)

/**
 * vlapic_run_get_regs() - VLAPIC_GET_REGS.
 * @vcpu: the vCPU.
 * @r: filled in.
 */
void vlapic_run_get_regs(struct vlapic_vcpu_run *vcpu, struct vlapic_regs *r)
{
	r->rax = vcpu->gpr[EMUL_RAX];
	r->rbx = vcpu->gpr[EMUL_RBX];
	r->rcx = vcpu->gpr[EMUL_RCX];
	r->rdx = vcpu->gpr[EMUL_RDX];
	r->rsi = vcpu->gpr[EMUL_RSI];
	r->rdi = vcpu->gpr[EMUL_RDI];
	r->rsp = vcpu->gpr[EMUL_RSP];
	r->rbp = vcpu->gpr[EMUL_RBP];
	r->r8 = vcpu->gpr[EMUL_R8];
	r->r9 = vcpu->gpr[EMUL_R9];
	r->r10 = vcpu->gpr[EMUL_R10];
	r->r11 = vcpu->gpr[EMUL_R11];
	r->r12 = vcpu->gpr[EMUL_R12];
	r->r13 = vcpu->gpr[EMUL_R13];
	r->r14 = vcpu->gpr[EMUL_R14];
	r->r15 = vcpu->gpr[EMUL_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

/**
 * vlapic_run_set_regs() - VLAPIC_SET_REGS.
 * @vcpu: the vCPU.
 * @r: the registers.
 *
 * Return: 0, or -EINVAL for reserved RFLAGS bits (bit 1 is forced on).
 */
int vlapic_run_set_regs(struct vlapic_vcpu_run *vcpu,
			const struct vlapic_regs *r)
{
	if (r->rflags & RUN_RFLAGS_RESERVED)
		return -EINVAL;
	vcpu->gpr[EMUL_RAX] = r->rax;
	vcpu->gpr[EMUL_RBX] = r->rbx;
	vcpu->gpr[EMUL_RCX] = r->rcx;
	vcpu->gpr[EMUL_RDX] = r->rdx;
	vcpu->gpr[EMUL_RSI] = r->rsi;
	vcpu->gpr[EMUL_RDI] = r->rdi;
	vcpu->gpr[EMUL_RSP] = r->rsp;
	vcpu->gpr[EMUL_RBP] = r->rbp;
	vcpu->gpr[EMUL_R8] = r->r8;
	vcpu->gpr[EMUL_R9] = r->r9;
	vcpu->gpr[EMUL_R10] = r->r10;
	vcpu->gpr[EMUL_R11] = r->r11;
	vcpu->gpr[EMUL_R12] = r->r12;
	vcpu->gpr[EMUL_R13] = r->r13;
	vcpu->gpr[EMUL_R14] = r->r14;
	vcpu->gpr[EMUL_R15] = r->r15;
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags | X86_EFLAGS_FIXED;
	vcpu->complete = VLAPIC_COMPLETE_NONE;
	vcpu->halted = false;
	return 0;
}

/**
 * vlapic_run_get_sregs() - VLAPIC_GET_SREGS.
 * @vcpu: the vCPU.
 * @s: filled in.
 */
void vlapic_run_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *s)
{
	memset(s, 0, sizeof(*s));
	vcpu->vm->ops->get_sregs(vcpu, s);
	s->cr8 = vlapic_get_cr8(vcpu->vlapic);
	vlapic_msr_read(vcpu->vlapic, VLAPIC_MSR_APIC_BASE, &s->apic_base);
	if (vcpu->pending_irq >= 0)
		s->interrupt_bitmap[vcpu->pending_irq / 64] |=
			BIT_ULL(vcpu->pending_irq % 64);
}

static u64 run_cr4_allowed(void)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_UMIP))
		ok |= X86_CR4_UMIP;
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		ok |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		ok |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		ok |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		ok |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		ok |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_PKU))
		ok |= X86_CR4_PKE;
	return ok;
}

static bool run_seg_long_ok(const struct vlapic_segment *cs)
{
	return !(cs->l && cs->db);
}

/**
 * vlapic_run_sregs_valid() - whether the CPU would accept this state.
 * @s: the special registers.
 *
 * Return: true if consistent: CR0 (PG needs PE, NW needs CD, no bits
 * above 31), CR4 (only features this host has; no VMXE, no LA57), CR3
 * within the physical address width, EFER (SCE, LME, LMA, NXE only;
 * LMA = LME && PG; long mode needs PAE; CS not both L and D), CR8 0-15,
 * at most one pending external interrupt.
 */
bool vlapic_run_sregs_valid(const struct vlapic_sregs *s)
{
	u64 efer_ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	unsigned int i, irqs = 0;

	if ((s->cr0 >> 32) || ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return false;
	if (s->cr4 & ~run_cr4_allowed())
		return false;
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return false;
	if (s->efer & ~efer_ok)
		return false;
	if (!!(s->efer & EFER_LMA) !=
	    (!!(s->efer & EFER_LME) && !!(s->cr0 & X86_CR0_PG)))
		return false;
	if ((s->efer & EFER_LMA) &&
	    (!(s->cr4 & X86_CR4_PAE) || !run_seg_long_ok(&s->cs)))
		return false;
	if (s->cr8 > 15)
		return false;
	for (i = 0; i < ARRAY_SIZE(s->interrupt_bitmap); i++)
		irqs += hweight64(s->interrupt_bitmap[i]);
	return irqs <= 1;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_sregs_valid);

/**
 * vlapic_run_set_sregs() - VLAPIC_SET_SREGS.
 * @vcpu: the vCPU.
 * @s: the special registers.
 *
 * Return: 0, or -EINVAL with nothing changed.
 */
int vlapic_run_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *s)
{
	u64 base;
	unsigned int i;

	if (!vlapic_run_sregs_valid(s))
		return -EINVAL;
	vlapic_msr_read(vcpu->vlapic, VLAPIC_MSR_APIC_BASE, &base);
	/* The one part that can still be refused: applied first. */
	if (s->apic_base != base &&
	    vlapic_set_apic_base(vcpu->vlapic, s->apic_base))
		return -EINVAL;
	vcpu->vm->ops->set_sregs(vcpu, s);
	vlapic_set_cr8(vcpu->vlapic, s->cr8);
	vcpu->pending_irq = -1;
	for (i = 0; i < ARRAY_SIZE(s->interrupt_bitmap); i++)
		if (s->interrupt_bitmap[i])
			vcpu->pending_irq = i * 64 + __ffs64(s->interrupt_bitmap[i]);
	vcpu->complete = VLAPIC_COMPLETE_NONE;
	vcpu->halted = false;
	return 0;
}
