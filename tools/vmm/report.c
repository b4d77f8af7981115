// SPDX-License-Identifier: GPL-2.0
/*
 * What the VMM says about a guest it cannot go on with: a vCPU's
 * registers after an exit it cannot handle, and every vCPU's state when
 * the guest ran out of time (--timeout). A timeout says only that
 * something waits for something; where each vCPU stopped (its RIP, its
 * MP state, its LAPIC's timer, IRR, ISR and TPR, how often it exited to
 * the VMM) says what, without a second run under a tracer.
 *
 * Only called with no vCPU thread in RUN: from the vCPU's own thread, or
 * from the main thread after every vCPU thread ended.
 */
#include <stdlib.h>

#include "vmm.h"

/* IA32_APIC_BASE (EN, EXTD, the page); all ones if it cannot be read. */
static unsigned long long apic_base(struct vcpu *vcpu)
{
	uint64_t v;

	return vcpu_read_msr(vcpu, MSR_IA32_APIC_BASE, &v) ? ~0ULL : v;
}

/**
 * vcpu_dump_registers() - print where @vcpu is and in which paging mode.
 * @vcpu: a vCPU whose thread is not in RUN.
 *
 * For an exit the VMM cannot go on from (a failed page walk names a table
 * the guest's CR3 leads to) and for a timeout.
 */
void vcpu_dump_registers(struct vcpu *vcpu)
{
	const struct backend_ops *ops = vcpu->vm->ops;
	struct vlapic_sregs s;
	struct vlapic_regs r;

	if (ops->get_regs(vcpu, &r) || ops->get_sregs(vcpu, &s))
		return;
	vmm_msg("vcpu%u: RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx CS 0x%x (base 0x%llx, L %u D %u)",
		vcpu->index, (unsigned long long)r.rip,
		(unsigned long long)r.rsp, (unsigned long long)r.rflags,
		s.cs.selector, (unsigned long long)s.cs.base, s.cs.l, s.cs.db);
	vmm_msg("vcpu%u: CR0 0x%llx CR2 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx",
		vcpu->index, (unsigned long long)s.cr0,
		(unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer);
}

static const char *mp_name(enum vmm_mp_state mp)
{
	switch (mp) {
	case VMM_MP_RUNNABLE:
		return "runnable";
	case VMM_MP_HALTED:
		return "halted";
	case VMM_MP_WAIT_SIPI:
		return "waits for SIPI";
	}
	return "?";
}

/* One vCPU: its exits to the VMM, MP state, registers and LAPIC. */
static void report_vcpu(struct vcpu *vcpu)
{
	const struct backend_ops *ops = vcpu->vm->ops;
	struct irqchip_blob *b = malloc(sizeof(*b));
	enum vmm_mp_state mp;
	unsigned long long exits = 0;
	unsigned int r;
	int irr, isr;

	for (r = 0; r < VMM_EXIT_REASONS; r++)
		exits += vcpu->exits[r];
	if (!b || ops->get_lapic(vcpu, b) || ops->mp_state(vcpu, b, &mp)) {
		vmm_msg("vcpu%u: %llu exits to the VMM; no LAPIC state",
			vcpu->index, exits);
		free(b);
		return;
	}
	vmm_msg("vcpu%u: %llu exits to the VMM, %s", vcpu->index, exits,
		mp_name(mp));
	vcpu_dump_registers(vcpu);
	irr = lapic_highest(b, LAPIC_IRR);
	isr = lapic_highest(b, LAPIC_ISR);
	vmm_msg("vcpu%u: IA32_APIC_BASE 0x%llx; LAPIC ID 0x%x LDR 0x%x SVR 0x%x TPR 0x%x ESR 0x%x",
		vcpu->index, apic_base(vcpu), lapic_reg(b, LAPIC_ID),
		lapic_reg(b, LAPIC_LDR),
		lapic_reg(b, LAPIC_SVR), lapic_reg(b, LAPIC_TPR),
		lapic_reg(b, LAPIC_ESR));
	vmm_msg("vcpu%u: highest IRR %d ISR %d; ICR 0x%x:%08x; LVTT 0x%x TMICT 0x%x TMCCT 0x%x",
		vcpu->index, irr, isr, lapic_reg(b, LAPIC_ICR_HI),
		lapic_reg(b, LAPIC_ICR_LO), lapic_reg(b, LAPIC_LVTT),
		lapic_reg(b, LAPIC_TMICT), lapic_reg(b, LAPIC_TMCCT));
	free(b);
}

/**
 * vm_report_vcpus() - print every vCPU's state.
 * @vm: the VM, with no vCPU thread left running.
 * @why: what ended the guest ("at the timeout").
 */
void vm_report_vcpus(struct vm *vm, const char *why)
{
	unsigned int i;

	vmm_msg("the vCPUs %s:", why);
	for (i = 0; i < vm->nr_vcpus; i++)
		report_vcpu(vm->vcpus[i]);
}
