// SPDX-License-Identifier: GPL-2.0
/*
 * The guest state of a VMX vCPU: segments, descriptor tables, control
 * registers, EFER, PAT and the MSRs the module switches; their RESET,
 * INIT and SIPI values; their conversion to and from KVM's
 * struct kvm_sregs layout (struct vlapic_sregs); and their transfer to
 * and from the VMCS around each stint.
 *
 * The software copy (struct vmx_guest) is the truth outside a stint, so
 * that the ioctls never need the VMCS (it is readable only on the CPU it
 * is current on, with VMX on). Before an entry with @dirty set, all of it
 * is written (vmx_state_load()); after each exit what the guest can
 * change without an exit is read back (vmx_state_save()).
 *
 * Control registers: PE, PG and NE of CR0, and the CR4 bits VMX forces
 * (VMXE), are owned by the module (guest/host masks): the guest reads its
 * own values from the read shadows, and its writes of them exit
 * (vmx/exit.c), which is where EFER.LMA and the "IA-32e mode guest" entry
 * control follow CR0.PG. CR0.NE is always 1 in the CPU (VMX requires it;
 * the guest's FPU error reporting is then native even with NE clear in
 * its view).
 */

#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vmx_priv.h"

#define VMX_DEFAULT_PAT		0x0007040600070406ULL

/* The CR0 and CR4 bits the guest/host masks give to the module. */
static u64 vmx_cr0_owned(void)
{
	return vmx_caps.cr0_fixed0 | X86_CR0_PE | X86_CR0_PG | X86_CR0_NE;
}

static u64 vmx_cr4_owned(void)
{
	return vmx_caps.cr4_fixed0 | X86_CR4_VMXE;
}

static void seg_set(struct vmx_segment *s, u16 sel, u64 base, u32 limit,
		    u32 ar)
{
	s->sel = sel;
	s->base = base;
	s->limit = limit;
	s->ar = ar;
}

/**
 * vmx_state_vcpu_reset() - the backend's part of RESET and INIT.
 * @vcpu: the vCPU.
 * @init: INIT rather than RESET (keeps PAT and the syscall MSRs).
 *
 * SDM vol. 3 table 9-1, as svm/state.c.
 */
void vmx_state_vcpu_reset(struct vlapic_vcpu_run *vcpu, bool init)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	int i;

	seg_set(&g->seg[EMUL_CS], 0xf000, 0xffff0000, 0xffff,
		VMX_AR_P | VMX_AR_S | 0xb);
	for (i = 0; i < EMUL_NR_SEGS; i++)
		if (i != EMUL_CS)
			seg_set(&g->seg[i], 0, 0, 0xffff,
				VMX_AR_P | VMX_AR_S | 0x3);
	seg_set(&g->seg[VMX_LDTR], 0, 0, 0xffff, VMX_AR_P | 0x2);
	seg_set(&g->seg[VMX_TR], 0, 0, 0xffff, VMX_AR_P | 0xb);
	g->gdtr_base = 0;
	g->gdtr_limit = 0xffff;
	g->idtr_base = 0;
	g->idtr_limit = 0xffff;
	g->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	g->cr2 = 0;
	g->cr3 = 0;
	g->cr4 = 0;
	g->efer = 0;
	memset(g->pdptr, 0, sizeof(g->pdptr));
	g->intr_state = 0;
	if (!init) {
		g->pat = VMX_DEFAULT_PAT;
		g->star = 0;
		g->lstar = 0;
		g->cstar = 0;
		g->sfmask = 0;
		g->kernel_gs_base = 0;
		g->sysenter_cs = 0;
		g->sysenter_esp = 0;
		g->sysenter_eip = 0;
	}
	vmx->nmi_reinject = false;
	vmx->dirty = true;
}

/**
 * vmx_state_sipi() - a started AP: real mode at @vector << 12.
 * @vcpu: the vCPU (after INIT).
 * @vector: the SIPI's start page.
 *
 * Unrestricted guest runs real mode natively: the AP starts exactly as
 * on SVM, from the vLAPIC's SIPI event (the CPU's wait-for-SIPI activity
 * state is not used).
 */
void vmx_state_sipi(struct vlapic_vcpu_run *vcpu, u8 vector)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->g.seg[EMUL_CS].sel = vector << 8;
	vmx->g.seg[EMUL_CS].base = (u64)vector << 12;
	vcpu->rip = 0;
	vmx->dirty = true;
}

static void seg_to_user(const struct vmx_segment *s, struct vlapic_segment *u)
{
	memset(u, 0, sizeof(*u));
	u->base = s->base;
	u->limit = s->limit;
	u->selector = s->sel;
	u->type = VMX_AR_TYPE(s->ar);
	u->s = !!(s->ar & VMX_AR_S);
	u->dpl = (s->ar >> VMX_AR_DPL_SHIFT) & 3;
	u->present = !!(s->ar & VMX_AR_P);
	u->avl = !!(s->ar & VMX_AR_AVL);
	u->l = !!(s->ar & VMX_AR_L);
	u->db = !!(s->ar & VMX_AR_DB);
	u->g = !!(s->ar & VMX_AR_G);
	u->unusable = (s->ar & VMX_AR_UNUSABLE) || !u->present;
}

static void seg_from_user(const struct vlapic_segment *u, struct vmx_segment *s)
{
	s->base = u->base;
	s->limit = u->limit;
	s->sel = u->selector;
	if (u->unusable || !u->present) {
		s->ar = VMX_AR_UNUSABLE;
		return;
	}
	s->ar = (u->type & 0xf) | (u->s ? VMX_AR_S : 0) |
		((u->dpl & 3) << VMX_AR_DPL_SHIFT) | VMX_AR_P |
		(u->avl ? VMX_AR_AVL : 0) | (u->l ? VMX_AR_L : 0) |
		(u->db ? VMX_AR_DB : 0) | (u->g ? VMX_AR_G : 0);
	/* A loaded code or data segment is accessed (VM entry checks it). */
	if (u->s)
		s->ar |= 1;
}

/**
 * vmx_state_get_sregs() - the special registers.
 * @vcpu: the vCPU.
 * @u: filled in (CR8, APIC base and the interrupt bitmap by run/).
 */
void vmx_state_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *u)
{
	struct vmx_guest *g = &to_vmx(vcpu)->g;

	seg_to_user(&g->seg[EMUL_CS], &u->cs);
	seg_to_user(&g->seg[EMUL_DS], &u->ds);
	seg_to_user(&g->seg[EMUL_ES], &u->es);
	seg_to_user(&g->seg[EMUL_FS], &u->fs);
	seg_to_user(&g->seg[EMUL_GS], &u->gs);
	seg_to_user(&g->seg[EMUL_SS], &u->ss);
	seg_to_user(&g->seg[VMX_TR], &u->tr);
	seg_to_user(&g->seg[VMX_LDTR], &u->ldt);
	u->gdt.base = g->gdtr_base;
	u->gdt.limit = g->gdtr_limit;
	u->idt.base = g->idtr_base;
	u->idt.limit = g->idtr_limit;
	u->cr0 = g->cr0;
	u->cr2 = g->cr2;
	u->cr3 = g->cr3;
	u->cr4 = g->cr4;
	u->efer = g->efer;
}

/* PAE paging outside long mode: the CPU takes the PDPTEs from the VMCS. */
static bool vmx_pae_legacy(const struct vmx_guest *g)
{
	return (g->cr0 & X86_CR0_PG) && (g->cr4 & X86_CR4_PAE) &&
	       !(g->efer & EFER_LMA);
}

/* The four PDPTEs at CR3, read through the guest's memory. */
static void vmx_load_pdptrs(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	int i, idx;

	idx = srcu_read_lock(&vcpu->vm->srcu);
	for (i = 0; i < 4; i++)
		if (vlapic_run_emul_ops.read_phys(vcpu,
						  (vmx->g.cr3 & ~0x1fULL) + i * 8,
						  &vmx->g.pdptr[i], 8))
			vmx->g.pdptr[i] = 0;
	srcu_read_unlock(&vcpu->vm->srcu, idx);
}

/**
 * vmx_state_set_sregs() - load checked special registers.
 * @vcpu: the vCPU.
 * @u: the registers (vlapic_run_sregs_valid() passed).
 */
void vmx_state_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *u)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;

	seg_from_user(&u->cs, &g->seg[EMUL_CS]);
	seg_from_user(&u->ds, &g->seg[EMUL_DS]);
	seg_from_user(&u->es, &g->seg[EMUL_ES]);
	seg_from_user(&u->fs, &g->seg[EMUL_FS]);
	seg_from_user(&u->gs, &g->seg[EMUL_GS]);
	seg_from_user(&u->ss, &g->seg[EMUL_SS]);
	seg_from_user(&u->tr, &g->seg[VMX_TR]);
	seg_from_user(&u->ldt, &g->seg[VMX_LDTR]);
	g->gdtr_base = u->gdt.base;
	g->gdtr_limit = u->gdt.limit;
	g->idtr_base = u->idt.base;
	g->idtr_limit = u->idt.limit;
	g->cr0 = u->cr0;
	g->cr2 = u->cr2;
	g->cr3 = u->cr3;
	g->cr4 = u->cr4;
	g->efer = u->efer;
	if (vmx_pae_legacy(g))
		vmx_load_pdptrs(vmx);
	vmx->dirty = true;
}

static void seg_to_emul(const struct vmx_segment *s, struct emul_segment *e)
{
	e->base = s->base;
	e->limit = s->limit;
	e->selector = s->sel;
	e->type = VMX_AR_TYPE(s->ar);
	e->s = s->ar & VMX_AR_S;
	e->dpl = (s->ar >> VMX_AR_DPL_SHIFT) & 3;
	e->present = s->ar & VMX_AR_P;
	e->db = s->ar & VMX_AR_DB;
	e->l = s->ar & VMX_AR_L;
	e->unusable = (s->ar & VMX_AR_UNUSABLE) || !e->present;
}

/**
 * vmx_state_get_cpu() - segments, control registers, EFER and CPL.
 * @vcpu: the vCPU.
 * @cpu: filled in (the general registers are run/'s).
 */
void vmx_state_get_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu)
{
	struct vmx_guest *g = &to_vmx(vcpu)->g;
	int i;

	for (i = 0; i < EMUL_NR_SEGS; i++)
		seg_to_emul(&g->seg[i], &cpu->seg[i]);
	/* In real mode the attributes are meaningless: a usable segment. */
	if (!(g->cr0 & X86_CR0_PE)) {
		for (i = 0; i < EMUL_NR_SEGS; i++) {
			cpu->seg[i].present = true;
			cpu->seg[i].unusable = false;
		}
	}
	cpu->cr0 = g->cr0;
	cpu->cr3 = g->cr3;
	cpu->cr4 = g->cr4;
	cpu->efer = g->efer;
	/* CPL is SS.DPL in protected mode, 0 in real mode. */
	cpu->cpl = (g->cr0 & X86_CR0_PE) ?
		   (g->seg[EMUL_SS].ar >> VMX_AR_DPL_SHIFT) & 3 : 0;
}

/**
 * vmx_state_set_cr0() - a guest write of CR0 that exited.
 * @vmx: the vCPU.
 * @cr0: the value written.
 *
 * PG with EFER.LME set enters long mode (EFER.LMA), and needs PAE and a
 * 64-bit-capable CS; PG clear leaves it. PG without PE, NW without CD
 * and bits above 31 are #GP (SDM vol. 3 "CR0").
 *
 * Return: 0, or 1 for #GP.
 */
int vmx_state_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	struct vmx_guest *g = &vmx->g;
	bool pg = cr0 & X86_CR0_PG;

	if (cr0 >> 32)
		return 1;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return 1;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return 1;
	if (pg && !(g->cr0 & X86_CR0_PG) && (g->efer & EFER_LME)) {
		if (!(g->cr4 & X86_CR4_PAE))
			return 1;
		g->efer |= EFER_LMA;
	} else if (!pg && (g->cr0 & X86_CR0_PG)) {
		if ((g->efer & EFER_LMA) && (g->seg[EMUL_CS].ar & VMX_AR_L))
			return 1;
		g->efer &= ~EFER_LMA;
	}
	cr0 |= X86_CR0_ET;
	g->cr0 = cr0;
	if (vmx_pae_legacy(g))
		vmx_load_pdptrs(vmx);
	vmx->dirty = true;
	return 0;
}

/**
 * vmx_state_set_cr4() - a guest write of CR4 that exited.
 * @vmx: the vCPU.
 * @cr4: the value written.
 *
 * Return: 0, or 1 for #GP (VMXE: no nested VMX; a bit the CPU lacks;
 * PAE cleared in long mode).
 */
int vmx_state_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	struct vmx_guest *g = &vmx->g;

	if (cr4 & X86_CR4_VMXE)
		return 1;
	if (cr4 & ~vmx_caps.cr4_fixed1)
		return 1;
	if ((g->efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return 1;
	g->cr4 = cr4;
	if (vmx_pae_legacy(g))
		vmx_load_pdptrs(vmx);
	vmx->dirty = true;
	return 0;
}

/* PAT: eight memory types, each 0, 1, 4, 5, 6 or 7. */
static bool vmx_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static u64 *vmx_msr_slot(struct vmx_guest *g, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &g->star;
	case MSR_LSTAR:
		return &g->lstar;
	case MSR_CSTAR:
		return &g->cstar;
	case MSR_SYSCALL_MASK:
		return &g->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &g->kernel_gs_base;
	case MSR_FS_BASE:
		return &g->seg[EMUL_FS].base;
	case MSR_GS_BASE:
		return &g->seg[EMUL_GS].base;
	case MSR_IA32_SYSENTER_CS:
		return &g->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &g->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &g->sysenter_eip;
	case MSR_IA32_CR_PAT:
		return &g->pat;
	case MSR_EFER:
		return &g->efer;
	default:
		return NULL;
	}
}

/**
 * vmx_state_get_msr() - an MSR the backend keeps.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: its value.
 *
 * Return: 0, or -ENOENT for an MSR the backend does not keep.
 */
int vmx_state_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data)
{
	u64 *slot = vmx_msr_slot(&to_vmx(vcpu)->g, index);

	if (!slot)
		return -ENOENT;
	*data = *slot;
	return 0;
}

static int vmx_set_efer(struct vmx_vcpu *vmx, u64 data, bool host)
{
	struct vmx_guest *g = &vmx->g;
	/*
	 * LMA is read-only for the guest: a write keeps its value, as on
	 * hardware (Linux writes back the EFER it read, LMA set).
	 */
	u64 ok = EFER_SCE | EFER_LME | EFER_NX | EFER_LMA;

	if (data & ~ok)
		return 1;
	/* LME cannot change while paging is on (SDM vol. 3 "IA32_EFER"). */
	if (!host && (g->cr0 & X86_CR0_PG) && ((data ^ g->efer) & EFER_LME))
		return 1;
	if (!host)
		data = (data & ~EFER_LMA) | (g->efer & EFER_LMA);
	g->efer = data;
	vmx->dirty = true;
	return 0;
}

/**
 * vmx_state_set_msr() - write an MSR the backend keeps.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: the value.
 * @host: from SET_MSRS.
 *
 * Return: 0, 1 for #GP, -ENOENT for an MSR the backend does not keep.
 */
int vmx_state_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		      bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *slot = vmx_msr_slot(&vmx->g, index);

	if (!slot)
		return -ENOENT;
	switch (index) {
	case MSR_EFER:
		return vmx_set_efer(vmx, data, host);
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		/* Addresses: a non-canonical one would fail the entry. */
		if ((s64)(data << 16) >> 16 != (s64)data)
			return 1;
		break;
	case MSR_IA32_CR_PAT:
		if (!vmx_pat_valid(data))
			return 1;
		break;
	}
	*slot = data;
	vmx->dirty = true;
	return 0;
}

/* Segment field encodings: selector, limit, AR and base, step 2 each. */
static void vmx_write_seg(unsigned int i, const struct vmx_segment *s)
{
	vmx_write(GUEST_ES_SELECTOR + 2 * i, s->sel);
	vmx_write(GUEST_ES_LIMIT + 2 * i, s->limit);
	vmx_write(GUEST_ES_AR_BYTES + 2 * i, s->ar);
	vmx_write(GUEST_ES_BASE + 2 * i, s->base);
}

static void vmx_read_seg(unsigned int i, struct vmx_segment *s)
{
	s->sel = vmx_read(GUEST_ES_SELECTOR + 2 * i);
	s->limit = vmx_read(GUEST_ES_LIMIT + 2 * i);
	s->ar = vmx_read(GUEST_ES_AR_BYTES + 2 * i);
	s->base = vmx_read(GUEST_ES_BASE + 2 * i);
}

/**
 * vmx_state_load() - write the whole guest state to the current VMCS.
 * @vmx: the vCPU.
 *
 * Context: the VMCS current, interrupts off.
 */
void vmx_state_load(struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	u64 cr0_owned = vmx_cr0_owned(), cr4_owned = vmx_cr4_owned();
	u32 entry = vmx_caps.entry;
	unsigned int i;

	for (i = 0; i < VMX_NR_SEGS; i++)
		vmx_write_seg(i, &g->seg[i]);
	vmx_write(GUEST_GDTR_BASE, g->gdtr_base);
	vmx_write(GUEST_GDTR_LIMIT, g->gdtr_limit);
	vmx_write(GUEST_IDTR_BASE, g->idtr_base);
	vmx_write(GUEST_IDTR_LIMIT, g->idtr_limit);
	vmx_write(CR0_GUEST_HOST_MASK, cr0_owned);
	vmx_write(CR0_READ_SHADOW, g->cr0);
	vmx_write(GUEST_CR0, (g->cr0 | vmx_caps.cr0_fixed0 | X86_CR0_NE) &
		  vmx_caps.cr0_fixed1);
	vmx_write(CR4_GUEST_HOST_MASK, cr4_owned);
	vmx_write(CR4_READ_SHADOW, g->cr4);
	vmx_write(GUEST_CR4, g->cr4 | vmx_caps.cr4_fixed0 | X86_CR4_VMXE);
	vmx_write(GUEST_CR3, g->cr3);
	vmx_write(GUEST_IA32_EFER, g->efer);
	vmx_write(GUEST_IA32_PAT, g->pat);
	vmx_write(GUEST_SYSENTER_CS, g->sysenter_cs);
	vmx_write(GUEST_SYSENTER_ESP, g->sysenter_esp);
	vmx_write(GUEST_SYSENTER_EIP, g->sysenter_eip);
	for (i = 0; i < 4; i++)
		vmx_write(GUEST_PDPTR0 + 2 * i, g->pdptr[i]);
	if (g->efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmx_write(VM_ENTRY_CONTROLS, entry);
	vmx->dirty = false;
}

/**
 * vmx_state_save() - read back what the guest changed without an exit.
 * @vmx: the vCPU.
 *
 * Segments, descriptor tables, CR3, the guest-owned bits of CR0 and CR4,
 * the PDPTEs (a MOV to CR3 under PAE paging loads them) and the
 * interruptibility state.
 *
 * Context: right after a VM exit, the VMCS current.
 */
void vmx_state_save(struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	u64 cr0_owned = vmx_cr0_owned(), cr4_owned = vmx_cr4_owned();
	unsigned int i;

	for (i = 0; i < VMX_NR_SEGS; i++)
		vmx_read_seg(i, &g->seg[i]);
	g->gdtr_base = vmx_read(GUEST_GDTR_BASE);
	g->gdtr_limit = vmx_read(GUEST_GDTR_LIMIT);
	g->idtr_base = vmx_read(GUEST_IDTR_BASE);
	g->idtr_limit = vmx_read(GUEST_IDTR_LIMIT);
	g->cr0 = (g->cr0 & cr0_owned) | (vmx_read(GUEST_CR0) & ~cr0_owned);
	g->cr4 = (g->cr4 & cr4_owned) | (vmx_read(GUEST_CR4) & ~cr4_owned);
	g->cr3 = vmx_read(GUEST_CR3);
	if (vmx_pae_legacy(g))
		for (i = 0; i < 4; i++)
			g->pdptr[i] = vmx_read(GUEST_PDPTR0 + 2 * i);
	g->intr_state = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
}
