// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX backend of the run loop: the VMCS of each vCPU, and one entry.
 *
 * Entry (vmx_enter()), every time, in this order:
 *   1. a VMCS still active on another CPU is VMCLEARed there (IPI);
 *   2. preemption and interrupts off; VMX on in this CPU (vmx/cpu.c) or
 *      -EBUSY; the VMCS made current, set up on first use, the host
 *      state of this CPU written when the vCPU came to it;
 *   3. VLAPIC_IN_GUEST_MODE published with a full barrier, then the
 *      checks that abandon the entry (resched, signal, immediate_exit)
 *      and the requests (INVEPT after an EPT change);
 *   4. events, by priority (vmx_inject_events()): an event the last exit
 *      cut short (IDT-vectoring information), a queued exception, an NMI
 *      (virtual NMIs: the CPU tracks NMI blocking, NMI-window exiting
 *      when blocked), then the vLAPIC's interrupt through the decision
 *      code on main (vmx_vlapic_prepare_entry(), vmx_vmcs_load_apic()):
 *      injected when the guest can take it, else interrupt-window
 *      exiting;
 *   5. host state that changes under the vCPU (CR3, CR4, FS base), the
 *      MSRs VM exit does not restore (KERNEL_GS_BASE, STAR, LSTAR, CSTAR,
 *      SFMASK: the guest's for the stint), CR2, then vmx_vmenter();
 *   6. after the exit: the host's GDT limit, TR limit, LDT, data segment
 *      selectors and MSRs back; the exit's information and the guest
 *      state read back; a host NMI that caused the exit handed to the
 *      host's handler; interrupts on, and the host takes the interrupt
 *      that ended the stint (external-interrupt exiting without
 *      acknowledge: it is still pending in the host's APIC).
 *
 * Interrupt mode (enum vmx_apicv_mode, the CPU's best or the lower one
 * the VM asked for, fixed per vCPU at creation): without the TPR shadow
 * (the "neither" path of vmx/intr.c) CR8 accesses exit; with it, the
 * vLAPIC's register page is the virtual-APIC page, CR8 reads and writes
 * VTPR there without an exit, and the TPR threshold from the decision
 * code makes the TPR write that unmasks the highest held-back vector exit
 * (after every exit the vLAPIC re-reads the page: vmx_vlapic_refresh()).
 * The vLAPIC's MMIO page is not mapped (EPT violation -> run/), and every
 * interrupt is injected. Posted interrupts are off (the descriptor is
 * unused).
 *
 * One EPT per VM (run/gpt.c, vmx/ept.c); no VPID, so guest-linear
 * translations are flushed at every entry and exit by the CPU, and
 * guest-physical ones by INVEPT when a mapping went away or the vCPU
 * came to a CPU.
 */

#include <linux/hw_breakpoint.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>

#include <vlapic/clock.h>
#include <vlapic/emul_regs.h>
#include <vlapic/ioapic.h>
#include <vlapic/lapic.h>
#include <vlapic/ops.h>

#include "vmx_priv.h"
#include "../run/run_trace.h"

/* A guest-visible entry failure: VM_INSTRUCTION_ERROR in entry_error. */
#define VMX_EXIT_VMFAIL		0xffffffffU

static u64 vmx_eptp(struct vmx_vcpu *vmx)
{
	return __pa(vmx->vcpu->vm->gpt.root) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
}

/* Guest-physical translations of this EPT on this CPU are dropped. */
static void vmx_invept(struct vmx_vcpu *vmx)
{
	struct {
		u64 eptp;
		u64 rsvd;
	} desc = { vmx_eptp(vmx), 0 };
	u64 type = vmx_caps.invept_type;

	asm volatile("invept %[desc], %[type]"
		     : : [desc] "m" (desc), [type] "r" (type)
		     : "cc", "memory");
}

static int vmx_vcpu_create(struct vlapic_vcpu_run *vcpu)
{
	struct vmx_vcpu *vmx;
	int ret;

	BUILD_BUG_ON(EMUL_RCX_OFF != EMUL_RCX * 8 || EMUL_R15_OFF != EMUL_R15 * 8 ||
		     EMUL_RBP_OFF != EMUL_RBP * 8 || EMUL_RDI_OFF != EMUL_RDI * 8);
	/* A page: the posted-interrupt descriptor at its start is aligned. */
	BUILD_BUG_ON(sizeof(*vmx) > PAGE_SIZE);
	vmx = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		free_page((unsigned long)vmx);
		return -ENOMEM;
	}
	*(u32 *)vmx->vmcs = vmx_caps.revision;
	vmx->apicv = vmx_caps.apicv_best;
	if (vcpu->vm->apicv_limit && vcpu->vm->apicv_limit < vmx->apicv)
		vmx->apicv = vcpu->vm->apicv_limit;
	ret = vmx_vlapic_init(&vmx->vx, vmx->apicv == VMX_APICV_VID, NULL);
	if (ret) {
		free_page((unsigned long)vmx->vmcs);
		free_page((unsigned long)vmx);
		return ret;
	}
	/* The decision code's inputs (vmx_prepare_entry()). */
	vmx->vx.f.tpr_shadow = vmx->apicv >= VMX_APICV_TPR_SHADOW;
	vmx->vcpu = vcpu;
	vmx->loaded_cpu = -1;
	vmx->host_cpu = -1;
	INIT_LIST_HEAD(&vmx->cpu_link);
	vmx->cur.exec_ctl = vmx_caps.exec;
	/* With the TPR shadow, MOV to/from CR8 reads and writes VTPR. */
	if (vmx->apicv >= VMX_APICV_TPR_SHADOW)
		vmx->cur.exec_ctl &= ~(CPU_BASED_CR8_LOAD_EXITING |
				       CPU_BASED_CR8_STORE_EXITING);
	vmx->cur.exec2_ctl = vmx_caps.exec2;
	/* VID: the rest of APIC virtualization (the VID bit is vmcs.c's). */
	if (vmx->apicv == VMX_APICV_VID) {
		vmx->cur.exec2_ctl |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
				      SECONDARY_EXEC_APIC_REGISTER_VIRT;
		/* The APIC-access page at the default xAPIC base of the EPT. */
		ret = vlapic_run_apic_access_map(vcpu->vm);
		if (ret) {
			free_page((unsigned long)vmx->vmcs);
			free_page((unsigned long)vmx);
			return ret;
		}
	}
	vmx->g.pat = 0x0007040600070406ULL;
	vmx->dirty = true;
	vmx->tsc_dirty = true;
	vcpu->vendor = vmx;
	return 0;
}

static void vmx_vlapic_ops_init(struct vlapic_vcpu_run *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vlapic_set_ops(vcpu->vlapic, &vmx_vlapic_ops, &vmx->vx);
	/* No posted-interrupt processing: deliveries set IRR and kick. */
	vmx_vlapic_set_posting(vcpu->vlapic, false);
}

static void vmx_vcpu_free(struct vlapic_vcpu_run *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	vmx_cpu_clear(vmx);
	free_page((unsigned long)vmx->vmcs);
	free_page((unsigned long)vmx);
	vcpu->vendor = NULL;
}

static void vmx_tsc_changed(struct vlapic_vcpu_run *vcpu)
{
	to_vmx(vcpu)->tsc_dirty = true;
	vlapic_use_host_tsc(vcpu->vlapic, vlapic_run_guest_tsc_offset(vcpu));
}

/* The APIC fields of a new VMCS that never change (vmx/vmcs.c). */
static void vmx_vmcs_setup_apic(struct vmx_vcpu *vmx)
{
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	struct vlapic *v = vmx->vcpu->vlapic;
	unsigned int i, n;

	if (vmx->apicv < VMX_APICV_TPR_SHADOW)
		return;
	/* No posted interrupts: the descriptor is not written. */
	n = vmx_vmcs_apic_setup_writes(&vmx->vx, __pa(vlapic_regs_page(v)),
				       false, 0, w);
	for (i = 0; i < n; i++)
		vmx_write(w[i].field, w[i].value);
	if (vmx->apicv == VMX_APICV_VID)
		vmx_write(APIC_ACCESS_ADDR,
			  page_to_phys(vmx->vcpu->vm->apic_access));
}

/* The fields of a new VMCS that never change. */
static void vmx_vmcs_setup(struct vmx_vcpu *vmx)
{
	vmx_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmx->backstop = false;
	vmx->cur.valid = false;
	vmx_vmcs_setup_apic(vmx);
	vmx_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmx_write(EXCEPTION_BITMAP, BIT(X86_TRAP_MC));
	vmx_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmx_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmx_write(CR3_TARGET_COUNT, 0);
	vmx_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmx_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmx_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmx_write(MSR_BITMAP, vmx_msr_bitmap_pa());
	vmx_write(EPT_POINTER, vmx_eptp(vmx));
	vmx_write(VMCS_LINK_POINTER, ~0UL);
	vmx_write(GUEST_DR7, 0x400);
	vmx_write(GUEST_IA32_DEBUGCTL, 0);
	vmx_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmx_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0);

	vmx_write(HOST_CR0, read_cr0());
	vmx_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmx_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmx_write(HOST_DS_SELECTOR, __KERNEL_DS);
	vmx_write(HOST_ES_SELECTOR, __KERNEL_DS);
	vmx_write(HOST_FS_SELECTOR, 0);
	vmx_write(HOST_GS_SELECTOR, 0);
	vmx_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmx_write(HOST_IA32_PAT, native_read_msr(MSR_IA32_CR_PAT));
	vmx_write(HOST_IA32_EFER, native_read_msr(MSR_EFER));
	vmx_write(HOST_IA32_SYSENTER_CS, native_read_msr(MSR_IA32_SYSENTER_CS));
	vmx->dirty = true;
	vmx->tsc_dirty = true;
	vmx->set_up = true;
}

/* Host state of this CPU: TSS, GDT, IDT, per-CPU GS base, SYSENTER. */
static void vmx_host_cpu_state(struct vmx_vcpu *vmx, int cpu)
{
	struct desc_ptr idt;

	store_idt(&idt);
	vmx_write(HOST_TR_BASE,
		  (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmx_write(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	vmx_write(HOST_IDTR_BASE, idt.address);
	vmx_write(HOST_GS_BASE, native_read_msr(MSR_GS_BASE));
	vmx_write(HOST_IA32_SYSENTER_ESP,
		  native_read_msr(MSR_IA32_SYSENTER_ESP));
	vmx_write(HOST_IA32_SYSENTER_EIP,
		  native_read_msr(MSR_IA32_SYSENTER_EIP));
	vmx->host_cpu = cpu;
	vmx->host_cr3 = 0;
	vmx->host_cr4 = 0;
	vmx->host_fs_base = 0;
	vmx_write(HOST_CR3, __read_cr3());
	vmx_write(HOST_CR4, cr4_read_shadow());
	vmx_write(HOST_FS_BASE, native_read_msr(MSR_FS_BASE));
}

/* Host state that may change while the vCPU stays on this CPU. */
static void vmx_host_live_state(struct vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();
	unsigned long fs_base = native_read_msr(MSR_FS_BASE);

	/* PCID and PTI switch CR3 under the same mm: re-read every time. */
	if (cr3 != vmx->host_cr3) {
		vmx_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmx_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	if (fs_base != vmx->host_fs_base) {
		vmx_write(HOST_FS_BASE, fs_base);
		vmx->host_fs_base = fs_base;
	}
}

static void vmx_set_exec_bit(struct vmx_vcpu *vmx, u32 bit, bool on)
{
	u32 exec = on ? vmx->cur.exec_ctl | bit : vmx->cur.exec_ctl & ~bit;

	if (exec == vmx->cur.exec_ctl)
		return;
	vmx_write(CPU_BASED_VM_EXEC_CONTROL, exec);
	vmx->cur.exec_ctl = exec;
}

/*
 * The EOI-exit bitmap from TMR and the IOAPIC's level-triggered routes,
 * rebuilt before every entry: a vector the CPU may deliver in this stint
 * is in IRR now, and its TMR bit was set before its IRR bit.
 */
static void vmx_load_eoi_exitmap(struct vmx_vcpu *vmx)
{
	DECLARE_BITMAP(level, 256);

	vlapic_ioapic_level_vectors(vmx->vcpu->vm->ioapic, level);
	vmx_vlapic_load_eoi_exitmap(vmx->vcpu->vlapic, level);
}

/*
 * VID follows the guest's APIC mode: xAPIC accesses through the
 * APIC-access page, or, in x2APIC mode (where the CPU requires
 * "virtualize APIC accesses" off), the x2APIC MSRs through "virtualize
 * x2APIC mode" and vmx_msr_bitmap_x2apic_pa() (TPR, EOI and SELF IPI
 * without exits). Without that control every x2APIC MSR access exits.
 */
static void vmx_sync_x2apic_virt(struct vmx_vcpu *vmx)
{
	bool x2 = vmx_caps.x2apic_virt && vlapic_x2apic_mode(vmx->vcpu->vlapic);
	u32 exec2 = vmx->cur.exec2_ctl;

	if (x2 == vmx->x2apic_virt)
		return;
	exec2 &= ~(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
		   SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
	exec2 |= x2 ? SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE :
		      SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	vmx_write(SECONDARY_VM_EXEC_CONTROL, exec2);
	vmx_write(MSR_BITMAP, x2 ? vmx_msr_bitmap_x2apic_pa() :
		  vmx_msr_bitmap_pa());
	vmx->cur.exec2_ctl = exec2;
	vmx->x2apic_virt = x2;
}

/*
 * Events for this entry, in priority order; the vLAPIC's interrupt goes
 * through the decision code, which also keeps the APIC fields of the
 * VMCS (here: the controls without TPR shadow and VID) every time.
 */
static void vmx_inject_events(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	struct vlapic *v = vcpu->vlapic;
	u32 blocking = vmx->g.intr_state &
		       (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	bool nmi_window = false, window = false, interruptible;
	struct vmx_apic_fields f;
	u32 info = 0, err = 0;
	int vector;

	if (vcpu->exc.pending) {
		info = vcpu->exc.vector | INTR_TYPE_HARD_EXCEPTION |
		       INTR_INFO_VALID_MASK;
		/* Real mode pushes no error code (VM entry checks it). */
		if (vcpu->exc.has_error && (vmx->g.cr0 & X86_CR0_PE)) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			err = vcpu->exc.error;
		}
		if (vcpu->exc.vector == X86_TRAP_PF && vcpu->exc.cr2 != ~0ULL)
			vmx->g.cr2 = vcpu->exc.cr2;
		vcpu->exc.pending = false;
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_EXC);
	} else if (vmx->nmi_reinject ||
		   (vlapic_pending_events(v) & VLAPIC_EVENT_NMI)) {
		if (blocking || (!vmx->nmi_reinject &&
				 (vmx->g.intr_state & GUEST_INTR_STATE_NMI))) {
			nmi_window = true;
		} else if (vmx->nmi_reinject ||
			   vlapic_take_event(v, VLAPIC_EVENT_NMI, NULL)) {
			info = NMI_VECTOR | INTR_TYPE_NMI_INTR |
			       INTR_INFO_VALID_MASK;
			vmx->nmi_reinject = false;
			vcpu->nmi_masked = true;
			vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_NMI);
		}
	}

	interruptible = !info && (vcpu->rflags & X86_EFLAGS_IF) && !blocking;
	if (!info && vcpu->pending_irq >= 0) {
		/* Acknowledged already (in ISR): delivered without a new ack. */
		info = vcpu->pending_irq | INTR_TYPE_EXT_INTR |
		       INTR_INFO_VALID_MASK;
		vcpu->pending_irq = -1;
		interruptible = false;
	}
	/* An ExtINT needs the VMM's 8259 vector (VLAPIC_INTERRUPT). */
	if (vcpu->extint_vector >= 0 &&
	    (vlapic_pending_events(v) & VLAPIC_EVENT_EXTINT)) {
		if (interruptible &&
		    vlapic_take_event(v, VLAPIC_EVENT_EXTINT, NULL)) {
			info = vcpu->extint_vector | INTR_TYPE_EXT_INTR |
			       INTR_INFO_VALID_MASK;
			vcpu->extint_vector = -1;
			interruptible = false;
		} else {
			window = true;
		}
	}
	/* VID: level-triggered vectors (TMR, IOAPIC routes) EOI with an exit. */
	if (vmx->apicv == VMX_APICV_VID) {
		vmx_sync_x2apic_virt(vmx);
		vmx_load_eoi_exitmap(vmx);
	}
	vector = vmx_vlapic_prepare_entry(v, interruptible, &f);
	if (vector >= 0) {
		info = vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK;
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_INJECTED_INTR);
	}
	vmx_vmcs_load_apic(&vmx->cur, &f);
	/*
	 * Anything else deliverable: exit as soon as the guest can take it.
	 * With VID the CPU delivers from RVI by itself when it can.
	 */
	if (vmx->apicv != VMX_APICV_VID && vlapic_has_deliverable(v))
		window = true;
	vmx_set_exec_bit(vmx, CPU_BASED_INTR_WINDOW_EXITING, window);
	vmx_set_exec_bit(vmx, CPU_BASED_NMI_WINDOW_EXITING, nmi_window);
	if (info)
		trace_vlapic_run_inject(vcpu->index, info, window);
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, info);
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmx_write(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
}

/* After an exit: an event whose delivery the exit cut short goes back. */
static void vmx_save_idt_vectoring(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;
	u32 info = vmx->idt_info;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		vcpu->pending_irq = info & VECTORING_INFO_VECTOR_MASK;
		break;
	case INTR_TYPE_NMI_INTR:
		vmx->nmi_reinject = true;
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		/* Not through the #DF rule: this is the same exception. */
		vcpu->exc.pending = true;
		vcpu->exc.vector = info & VECTORING_INFO_VECTOR_MASK;
		vcpu->exc.has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
		vcpu->exc.error = vmx->idt_error;
		vcpu->exc.cr2 = ~0ULL;	/* CR2 already holds the address */
		break;
	default:
		/* INTn/INT3/INTO: RIP is still at it; it runs again. */
		break;
	}
}

/**
 * struct vmx_host_regs - host state around one stint that VM exit does
 * not restore.
 * @ds: DS selector.
 * @es: ES selector.
 * @fs: FS selector.
 * @gs: GS selector.
 * @ldt: LDTR selector.
 * @kernel_gs_base: the user GS base (KERNEL_GS_BASE while in the kernel).
 * @star: STAR.
 * @lstar: LSTAR.
 * @cstar: CSTAR.
 * @sfmask: SFMASK.
 */
struct vmx_host_regs {
	u16 ds, es, fs, gs, ldt;
	u64 kernel_gs_base;
	u64 star, lstar, cstar, sfmask;
};

static void vmx_switch_msr(u32 msr, u64 *host, u64 guest)
{
	*host = native_read_msr(msr);
	if (*host != guest)
		wrmsrl(msr, guest);
}

static void vmx_restore_msr(u32 msr, u64 host, u64 guest)
{
	if (host != guest)
		wrmsrl(msr, host);
}

static void vmx_host_save(struct vmx_vcpu *vmx, struct vmx_host_regs *h)
{
	struct vmx_guest *g = &vmx->g;

	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=g" (h->ldt));
	h->kernel_gs_base = native_read_msr(MSR_KERNEL_GS_BASE);
	wrmsrl(MSR_KERNEL_GS_BASE, g->kernel_gs_base);
	vmx_switch_msr(MSR_STAR, &h->star, g->star);
	vmx_switch_msr(MSR_LSTAR, &h->lstar, g->lstar);
	vmx_switch_msr(MSR_CSTAR, &h->cstar, g->cstar);
	vmx_switch_msr(MSR_SYSCALL_MASK, &h->sfmask, g->sfmask);
	if (read_cr2() != g->cr2)
		write_cr2(g->cr2);
}

static void vmx_host_restore(struct vmx_vcpu *vmx, struct vmx_host_regs *h,
			     int cpu)
{
	struct vmx_guest *g = &vmx->g;

	g->cr2 = read_cr2();
	/* A VM exit sets the GDT limit to 0xffff, TR's to 0x67, LDTR to 0. */
	load_fixmap_gdt(cpu);
	invalidate_tss_limit();
	if (h->ldt)
		asm volatile("lldt %0" : : "rm" (h->ldt));
	if (h->ds != __KERNEL_DS)
		loadsegment(ds, h->ds);
	if (h->es != __KERNEL_DS)
		loadsegment(es, h->es);
	if (h->fs)
		loadsegment(fs, h->fs);
	if (h->gs)
		load_gs_index(h->gs);
	/* FS base: HOST_FS_BASE is the live one; a selector load reset it. */
	if (h->fs)
		wrmsrl(MSR_FS_BASE, vmx->host_fs_base);
	g->kernel_gs_base = native_read_msr(MSR_KERNEL_GS_BASE);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	vmx_restore_msr(MSR_STAR, h->star, g->star);
	vmx_restore_msr(MSR_LSTAR, h->lstar, g->lstar);
	vmx_restore_msr(MSR_CSTAR, h->cstar, g->cstar);
	vmx_restore_msr(MSR_SYSCALL_MASK, h->sfmask, g->sfmask);
}

/* The exit's information, and the guest state it left. */
static void vmx_save_exit(struct vmx_vcpu *vmx)
{
	struct vlapic_vcpu_run *vcpu = vmx->vcpu;

	vmx->exit_reason = vmx_read(VM_EXIT_REASON);
	vmx->exit_qual = vmx_read(EXIT_QUALIFICATION);
	vmx->exit_intr_info = vmx_read(VM_EXIT_INTR_INFO);
	vmx->exit_insn_len = vmx_read(VM_EXIT_INSTRUCTION_LEN);
	vmx->exit_insn_info = vmx_read(VMX_INSTRUCTION_INFO);
	vmx->idt_info = vmx_read(IDT_VECTORING_INFO_FIELD);
	vmx->idt_error = vmx_read(IDT_VECTORING_ERROR_CODE);
	/* VID moved RVI/SVI: the cache holds what the VMCS holds. */
	vmx_vmcs_save_apic(&vmx->cur);
	if ((u16)vmx->exit_reason == EXIT_REASON_EPT_VIOLATION)
		vmx->exit_gpa = vmx_read(GUEST_PHYSICAL_ADDRESS);
	vcpu->gpr[EMUL_RSP] = vmx_read(GUEST_RSP);
	vcpu->rip = vmx_read(GUEST_RIP);
	vcpu->rflags = vmx_read(GUEST_RFLAGS);
	vmx->exit_rip = vcpu->rip;
	vmx_state_save(vmx);
	vcpu->nmi_masked = vmx->g.intr_state & GUEST_INTR_STATE_NMI;
	vmx_save_idt_vectoring(vmx);
}

/*
 * The backstop: an entry with the guest's RFLAGS.IF clear arms the
 * VMX-preemption timer (about 1 ms of TSC), so that the host gets its CPU
 * back even where external-interrupt exiting fails to exit for the
 * host's interrupts while the guest's IF is clear (with that control,
 * IF does not block them: SDM vol. 3, 25.4.1). Bochs 2.7 is such a
 * CPU: its VM entry recomputes which events are masked from the guest's
 * IF while still in root mode (handleCpuContextChange() in
 * VMenterLoadCheckGuestState(), before in_vmx_guest is set), so an entry
 * with IF clear masks the host's interrupts until the guest sets IF. A
 * guest spinning with IF clear (an AP's start-up wait) then kept the only
 * host CPU forever. On hardware the host's own interrupts exit first;
 * the timer adds at most one exit a millisecond, and only with IF clear.
 */
static void vmx_set_backstop(struct vmx_vcpu *vmx, bool on)
{
	if (!vmx_caps.backstop_ticks)
		return;
	if (on != vmx->backstop) {
		vmx_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin |
			  (on ? PIN_BASED_VMX_PREEMPTION_TIMER : 0));
		vmx->backstop = on;
	}
	if (on)
		vmx_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.backstop_ticks);
}

static void vmx_abandon(struct vlapic_vcpu_run *vcpu)
{
	WRITE_ONCE(vcpu->mode, VLAPIC_OUTSIDE_GUEST_MODE);
	vmx_vlapic_set_mode(&to_vmx(vcpu)->vx, VMX_PI_IN_HOST);
	local_irq_enable();
	preempt_enable();
}

static int vmx_enter(struct vlapic_vcpu_run *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_regs h;
	bool new_cpu;
	int cpu, ret;

	/*
	 * VID: xAPIC accesses are the CPU's only for an enabled xAPIC at the
	 * default base; otherwise that page is emulated again, for good.
	 */
	if (vmx->apicv == VMX_APICV_VID &&
	    !READ_ONCE(vcpu->vm->apic_access_off) &&
	    (!vlapic_mmio_enabled(vcpu->vlapic) ||
	     vlapic_mmio_base(vcpu->vlapic) != VLAPIC_DEFAULT_BASE))
		vlapic_run_apic_access_unmap(vcpu->vm);

	/* Active on another CPU: VMCLEAR it there first (interrupts on). */
	cpu = READ_ONCE(vmx->loaded_cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		vmx_cpu_clear(vmx);

	preempt_disable();
	local_irq_disable();
	ret = vmx_cpu_enable();
	if (ret) {
		local_irq_enable();
		preempt_enable();
		return ret == -EAGAIN ? 0 : ret;
	}
	cpu = smp_processor_id();
	if (READ_ONCE(vmx->loaded_cpu) >= 0 &&
	    READ_ONCE(vmx->loaded_cpu) != cpu) {
		/* Moved after the VMCLEAR check: again from the top. */
		local_irq_enable();
		preempt_enable();
		return 0;
	}
	if (WARN_ON_ONCE(vmx_cpu_load(vmx))) {
		local_irq_enable();
		preempt_enable();
		return -EIO;
	}
	new_cpu = vmx->host_cpu != cpu;
	if (new_cpu) {
		if (!vmx->set_up)
			vmx_vmcs_setup(vmx);
		vmx_host_cpu_state(vmx, cpu);
	}

	WRITE_ONCE(vcpu->cpu, cpu);
	/* Kickers read the mode after they set IRR: see run/run.c. */
	smp_store_mb(vcpu->mode, VLAPIC_IN_GUEST_MODE);
	vmx_vlapic_set_mode(&vmx->vx, VMX_PI_IN_GUEST);
	if (vlapic_run_entry_pending_work(vcpu)) {
		vmx_abandon(vcpu);
		return 0;
	}
	if (test_and_clear_bit(VLAPIC_REQ_TLB_FLUSH, &vcpu->requests)) {
		vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_TLB_FLUSHES);
		new_cpu = true;
	}
	if (new_cpu)
		vmx_invept(vmx);

	/*
	 * The shadow an exit reported belongs to the instruction at the
	 * exit's RIP. Once that instruction completed, in the kernel or by
	 * userspace (port I/O, MMIO: RIP moves at the next RUN), the shadow
	 * is over.
	 */
	if (vcpu->rip != vmx->exit_rip)
		vmx->g.intr_state &= ~(GUEST_INTR_STATE_STI |
				       GUEST_INTR_STATE_MOV_SS);
	vmx_inject_events(vmx);
	if (vmx->dirty)
		vmx_state_load(vmx);
	if (vmx->tsc_dirty) {
		vmx_write(TSC_OFFSET, vlapic_run_guest_tsc_offset(vcpu));
		vmx->tsc_dirty = false;
	}
	vmx_write(GUEST_RSP, vcpu->gpr[EMUL_RSP]);
	vmx_write(GUEST_RIP, vcpu->rip);
	vmx_write(GUEST_RFLAGS, vcpu->rflags);
	vmx_write(GUEST_INTERRUPTIBILITY_INFO, vmx->g.intr_state);
	vmx_set_backstop(vmx, !(vcpu->rflags & X86_EFLAGS_IF));
	vmx_host_live_state(vmx);
	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_MODE_INJECT +
			    vmx->apicv - VMX_APICV_INJECT);
	vmx_host_save(vmx, &h);
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	ret = vmx_vmenter(vcpu->gpr, vmx->launched);

	vmx_host_restore(vmx, &h, cpu);
	WRITE_ONCE(vcpu->mode, VLAPIC_OUTSIDE_GUEST_MODE);
	vmx_vlapic_set_mode(&vmx->vx, VMX_PI_IN_HOST);
	if (ret) {
		/* VMfail: the VMCS was not entered; nothing of the guest moved. */
		vmx->exit_reason = VMX_EXIT_VMFAIL;
		vmx->entry_error = vmx_read(VM_INSTRUCTION_ERROR);
		vmx->idt_info = 0;
	} else {
		vmx->launched = true;
		vmx_save_exit(vmx);
		/* The host's NMI ended the stint: its handler runs now. */
		if ((u16)vmx->exit_reason == EXIT_REASON_EXCEPTION_NMI &&
		    (vmx->exit_intr_info & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			asm volatile("int $2");
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	/* The host takes the interrupt that ended the stint here. */
	local_irq_enable();
	preempt_enable();
	return 1;
}

const struct vlapic_run_ops vmx_run_ops = {
	.name = "vmx",
	.backend = VLAPIC_RUN_BACKEND_VMX,
	.gpt = &vmx_ept_format,
	.supported = vmx_cpu_supported,
	.hw_init = vmx_cpu_init,
	.hw_exit = vmx_cpu_exit,
	.vm_get = vmx_cpu_get,
	.vm_put = vmx_cpu_put,
	.vcpu_create = vmx_vcpu_create,
	.vlapic_ops_init = vmx_vlapic_ops_init,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_reset = vmx_state_vcpu_reset,
	.sipi = vmx_state_sipi,
	.enter = vmx_enter,
	.handle_exit = vmx_handle_exit,
	.get_sregs = vmx_state_get_sregs,
	.set_sregs = vmx_state_set_sregs,
	.get_cpu_state = vmx_state_get_cpu,
	.get_msr = vmx_state_get_msr,
	.set_msr = vmx_state_set_msr,
	.tsc_changed = vmx_tsc_changed,
	.get_exit_info = vmx_get_exit_info,
};
