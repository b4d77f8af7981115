// SPDX-License-Identifier: GPL-2.0
/*
 * The guest state the VMCB holds: segments, descriptor tables, control
 * registers, EFER, PAT and the MSRs VMLOAD/VMSAVE switch; their RESET,
 * INIT and SIPI values; and their conversion to and from KVM's
 * struct kvm_sregs layout (struct vlapic_sregs).
 *
 * The VMCB's EFER always has SVME set (VMRUN requires it); the guest
 * never sees that bit: its EFER is kept in struct svm_vcpu::efer.
 */

#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "svm_priv.h"

/* VMCB segment attributes (APM vol. 2 "VMCB Layout, State Save Area"). */
#define SVM_ATTR_TYPE(a)	((a) & 0xf)
#define SVM_ATTR_S		BIT(4)
#define SVM_ATTR_DPL_SHIFT	5
#define SVM_ATTR_P		BIT(7)
#define SVM_ATTR_AVL		BIT(8)
#define SVM_ATTR_L		BIT(9)
#define SVM_ATTR_DB		BIT(10)
#define SVM_ATTR_G		BIT(11)

#define SVM_DEFAULT_PAT		0x0007040600070406ULL

static void seg_set(struct vmcb_seg *s, u16 sel, u64 base, u32 limit,
		    u16 attrib)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attrib = attrib;
}

/* RESET / INIT state of everything the VMCB holds (SDM vol. 3 table 9-1). */
void svm_state_reset(struct svm_vcpu *svm, bool init)
{
	struct vmcb_save_area *s = &svm->vmcb->save;

	/* Code: present, accessed, read/execute; data: read/write. */
	seg_set(&s->cs, 0xf000, 0xffff0000, 0xffff, SVM_ATTR_P | SVM_ATTR_S | 0xb);
	seg_set(&s->ds, 0, 0, 0xffff, SVM_ATTR_P | SVM_ATTR_S | 0x3);
	s->es = s->ds;
	s->ss = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	seg_set(&s->gdtr, 0, 0, 0xffff, 0);
	seg_set(&s->idtr, 0, 0, 0xffff, 0);
	seg_set(&s->ldtr, 0, 0, 0xffff, SVM_ATTR_P | 0x2);
	seg_set(&s->tr, 0, 0, 0xffff, SVM_ATTR_P | 0xb);
	s->cpl = 0;
	s->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	s->cr3 = 0;
	s->cr4 = 0;
	s->cr2 = 0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	svm->efer = 0;
	s->efer = EFER_SVME;
	if (!init) {
		s->g_pat = SVM_DEFAULT_PAT;
		s->star = 0;
		s->lstar = 0;
		s->cstar = 0;
		s->sfmask = 0;
		s->kernel_gs_base = 0;
		s->sysenter_cs = 0;
		s->sysenter_esp = 0;
		s->sysenter_eip = 0;
	}
	svm->vmcb->control.int_state = 0;
	svm->vmcb->control.event_inj = 0;
	svm->nmi_reinject = false;
	svm->nmi_singlestep = false;
	svm->vmcb->control.intercepts[INTERCEPT_EXCEPTION] &= ~BIT(X86_TRAP_DB);
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET, false);
	svm->vmcb->control.clean = 0;
}

/**
 * svm_state_vcpu_reset() - the backend's part of RESET and INIT.
 * @vcpu: the vCPU.
 * @init: INIT rather than RESET.
 */
void svm_state_vcpu_reset(struct vlapic_vcpu_run *vcpu, bool init)
{
	svm_state_reset(to_svm(vcpu), init);
}

/**
 * svm_state_sipi() - a started AP: real mode at @vector << 12.
 * @vcpu: the vCPU (after INIT).
 * @vector: the SIPI's start page.
 */
void svm_state_sipi(struct vlapic_vcpu_run *vcpu, u8 vector)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	s->cs.selector = vector << 8;
	s->cs.base = (u64)vector << 12;
	vcpu->rip = 0;
	to_svm(vcpu)->vmcb->control.clean = 0;
}

static void seg_to_user(const struct vmcb_seg *s, struct vlapic_segment *u)
{
	memset(u, 0, sizeof(*u));
	u->base = s->base;
	u->limit = s->limit;
	u->selector = s->selector;
	u->type = SVM_ATTR_TYPE(s->attrib);
	u->s = !!(s->attrib & SVM_ATTR_S);
	u->dpl = (s->attrib >> SVM_ATTR_DPL_SHIFT) & 3;
	u->present = !!(s->attrib & SVM_ATTR_P);
	u->avl = !!(s->attrib & SVM_ATTR_AVL);
	u->l = !!(s->attrib & SVM_ATTR_L);
	u->db = !!(s->attrib & SVM_ATTR_DB);
	u->g = !!(s->attrib & SVM_ATTR_G);
	u->unusable = !u->present;
}

static void seg_from_user(const struct vlapic_segment *u, struct vmcb_seg *s)
{
	s->base = u->base;
	s->limit = u->limit;
	s->selector = u->selector;
	s->attrib = 0;
	if (u->unusable)
		return;
	s->attrib = (u->type & 0xf) | (u->s ? SVM_ATTR_S : 0) |
		    ((u->dpl & 3) << SVM_ATTR_DPL_SHIFT) |
		    (u->present ? SVM_ATTR_P : 0) | (u->avl ? SVM_ATTR_AVL : 0) |
		    (u->l ? SVM_ATTR_L : 0) | (u->db ? SVM_ATTR_DB : 0) |
		    (u->g ? SVM_ATTR_G : 0);
}

/**
 * svm_state_get_sregs() - the special registers from the VMCB.
 * @vcpu: the vCPU.
 * @u: filled in (CR8, APIC base and the interrupt bitmap by run/).
 */
void svm_state_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *u)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	seg_to_user(&s->cs, &u->cs);
	seg_to_user(&s->ds, &u->ds);
	seg_to_user(&s->es, &u->es);
	seg_to_user(&s->fs, &u->fs);
	seg_to_user(&s->gs, &u->gs);
	seg_to_user(&s->ss, &u->ss);
	seg_to_user(&s->tr, &u->tr);
	seg_to_user(&s->ldtr, &u->ldt);
	u->gdt.base = s->gdtr.base;
	u->gdt.limit = s->gdtr.limit;
	u->idt.base = s->idtr.base;
	u->idt.limit = s->idtr.limit;
	u->cr0 = s->cr0;
	u->cr2 = s->cr2;
	u->cr3 = s->cr3;
	u->cr4 = s->cr4;
	u->efer = svm->efer | (s->efer & EFER_LMA);
}

/**
 * svm_state_set_sregs() - load checked special registers into the VMCB.
 * @vcpu: the vCPU.
 * @u: the registers (vlapic_run_sregs_valid() passed).
 */
void svm_state_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *u)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	seg_from_user(&u->cs, &s->cs);
	seg_from_user(&u->ds, &s->ds);
	seg_from_user(&u->es, &s->es);
	seg_from_user(&u->fs, &s->fs);
	seg_from_user(&u->gs, &s->gs);
	seg_from_user(&u->ss, &s->ss);
	seg_from_user(&u->tr, &s->tr);
	seg_from_user(&u->ldt, &s->ldtr);
	s->gdtr.base = u->gdt.base;
	s->gdtr.limit = u->gdt.limit;
	s->idtr.base = u->idt.base;
	s->idtr.limit = u->idt.limit;
	s->cr0 = u->cr0;
	s->cr2 = u->cr2;
	s->cr3 = u->cr3;
	s->cr4 = u->cr4;
	svm->efer = u->efer & ~EFER_LMA;
	s->efer = u->efer | EFER_SVME;
	/* CPL is SS.DPL in protected mode, 0 in real mode. */
	s->cpl = (u->cr0 & X86_CR0_PE) ? u->ss.dpl & 3 : 0;
	svm->vmcb->control.clean = 0;
}

static void seg_to_emul(const struct vmcb_seg *s, struct emul_segment *e)
{
	e->base = s->base;
	e->limit = s->limit;
	e->selector = s->selector;
	e->type = SVM_ATTR_TYPE(s->attrib);
	e->s = s->attrib & SVM_ATTR_S;
	e->dpl = (s->attrib >> SVM_ATTR_DPL_SHIFT) & 3;
	e->present = s->attrib & SVM_ATTR_P;
	e->db = s->attrib & SVM_ATTR_DB;
	e->l = s->attrib & SVM_ATTR_L;
	e->unusable = !e->present;
}

/**
 * svm_state_get_cpu() - segments, control registers, EFER and CPL.
 * @vcpu: the vCPU.
 * @cpu: filled in (the general registers are run/'s).
 */
void svm_state_get_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	seg_to_emul(&s->es, &cpu->seg[EMUL_ES]);
	seg_to_emul(&s->cs, &cpu->seg[EMUL_CS]);
	seg_to_emul(&s->ss, &cpu->seg[EMUL_SS]);
	seg_to_emul(&s->ds, &cpu->seg[EMUL_DS]);
	seg_to_emul(&s->fs, &cpu->seg[EMUL_FS]);
	seg_to_emul(&s->gs, &cpu->seg[EMUL_GS]);
	/* In real mode the attributes are meaningless: a usable segment. */
	if (!(s->cr0 & X86_CR0_PE)) {
		int i;

		for (i = 0; i < EMUL_NR_SEGS; i++) {
			cpu->seg[i].present = true;
			cpu->seg[i].unusable = false;
		}
	}
	cpu->cr0 = s->cr0;
	cpu->cr3 = s->cr3;
	cpu->cr4 = s->cr4;
	cpu->efer = svm->efer | (s->efer & EFER_LMA);
	cpu->cpl = s->cpl;
}

/* PAT: eight memory types, each 0, 1, 4, 5, 6 or 7. */
static bool svm_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/**
 * svm_state_get_msr() - an MSR the VMCB holds.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: its value.
 *
 * Return: 0, or -ENOENT for an MSR the VMCB does not hold.
 */
int svm_state_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	switch (index) {
	case MSR_EFER:
		*data = svm->efer | (s->efer & EFER_LMA);
		return 0;
	case MSR_STAR:
		*data = s->star;
		return 0;
	case MSR_LSTAR:
		*data = s->lstar;
		return 0;
	case MSR_CSTAR:
		*data = s->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = s->sfmask;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = s->kernel_gs_base;
		return 0;
	case MSR_FS_BASE:
		*data = s->fs.base;
		return 0;
	case MSR_GS_BASE:
		*data = s->gs.base;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = s->sysenter_cs;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = s->sysenter_esp;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = s->sysenter_eip;
		return 0;
	case MSR_IA32_CR_PAT:
		*data = s->g_pat;
		return 0;
	default:
		return -ENOENT;
	}
}

static int svm_set_efer(struct svm_vcpu *svm, u64 data, bool host)
{
	struct vmcb_save_area *s = &svm->vmcb->save;
	/*
	 * LMA is read-only for the guest: a write keeps its value, as on
	 * hardware (Linux writes back the EFER it read, LMA set).
	 */
	u64 ok = EFER_SCE | EFER_LME | EFER_NX | EFER_LMA;

	if (data & ~ok)
		return 1;
	/* LME cannot change while paging is on (APM vol. 2 "EFER"). */
	if (!host && (s->cr0 & X86_CR0_PG) &&
	    ((data ^ svm->efer) & EFER_LME))
		return 1;
	svm->efer = data & ~EFER_LMA;
	s->efer = (s->efer & EFER_LMA) | svm->efer | EFER_SVME;
	if (host)
		s->efer = (s->efer & ~EFER_LMA) | (data & EFER_LMA);
	svm->vmcb->control.clean = 0;
	return 0;
}

/**
 * svm_state_set_msr() - write an MSR the VMCB holds.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: the value.
 * @host: from SET_MSRS.
 *
 * Return: 0, 1 for #GP, -ENOENT for an MSR the VMCB does not hold.
 */
int svm_state_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		      bool host)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	switch (index) {
	case MSR_EFER:
		return svm_set_efer(svm, data, host);
	case MSR_STAR:
		s->star = data;
		return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		/* Addresses: a non-canonical one would fail VMRUN. */
		if ((s64)(data << 16) >> 16 != (s64)data)
			return 1;
		if (index == MSR_LSTAR)
			s->lstar = data;
		else if (index == MSR_CSTAR)
			s->cstar = data;
		else if (index == MSR_KERNEL_GS_BASE)
			s->kernel_gs_base = data;
		else if (index == MSR_FS_BASE)
			s->fs.base = data;
		else
			s->gs.base = data;
		return 0;
	case MSR_SYSCALL_MASK:
		s->sfmask = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		s->sysenter_cs = data;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		s->sysenter_esp = data;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		s->sysenter_eip = data;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!svm_pat_valid(data))
			return 1;
		s->g_pat = data;
		svm->vmcb->control.clean = 0;
		return 0;
	default:
		return -ENOENT;
	}
}
