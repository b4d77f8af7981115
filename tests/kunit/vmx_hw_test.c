// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_vmx_hw: the VMX backend on a real VMX CPU.
 *
 * The suites under tests/model/ check the decision code against a model
 * written from the SDM; this one checks the decision code, the VMCS
 * accessors (vmx/vmcs.c) and the model's reading of the SDM against the
 * CPU itself: each case enters a guest with VMLAUNCH/VMRESUME and
 * asserts what the CPU did: which vector the guest's IDT received and
 * when, which exits happened (TPR below threshold, EOI-induced) with
 * which qualification, and what guest interrupt status (RVI, SVI) the CPU
 * left, read back with vmx_vmcs_save_apic(). The harness runs it in Bochs
 * (CPU model corei7_skylake_x: TPR shadow, virtual-interrupt delivery,
 * virtualize x2APIC mode, no posted interrupts); on a CPU without VMX
 * every case is skipped.
 *
 * The guest (vmx_hw_guest.S) runs in the host's address space with the
 * host's page tables and segments, its own IDT and stack, at CPL 0, with
 * every exception in the exception bitmap. Its routines end in VMCALL;
 * its IDT stubs report the vector with VMCALL and the host emulates
 * their IRET. The virtual-APIC page is the vLAPIC's register page, as in
 * the run loop; the guest's EOI is a WRMSR to the x2APIC EOI register,
 * virtualized by the CPU (virtualize x2APIC mode, MSR bitmap).
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include <vlapic/vmx.h>

#include "../../vmx/vmx_priv.h"
#include "lapic_env.h"
#include "hw_guest.h"
#include "vmx_hw.h"

MODULE_DESCRIPTION("vlapic KUnit suite vlapic_vmx_hw (needs a VMX CPU)");
MODULE_IMPORT_NS(VLAPIC_INTERNAL);
MODULE_LICENSE("GPL");

#define HW_LOG		16
#define HW_STACK	8192
#define HW_MAX_EXITS	64
#define HW_X2APIC_EOI	0x80b

/* Segment access rights in the VMCS format (SDM "Guest Register State"). */
#define HW_AR_CODE64	0xa09b	/* type 0xb, S, P, L, G */
#define HW_AR_DATA	0xc093	/* type 3, S, P, D/B, G */
#define HW_AR_TSS	0x008b	/* busy 64-bit TSS, P */
#define HW_AR_UNUSABLE	0x10000

struct hw {
	struct kunit *test;
	struct lapic_env *env;
	struct vlapic *v;
	struct vmx_vlapic *vx;
	void *vmxon_region;
	void *vmcs;
	u8 *msr_bitmap;
	gate_desc *idt;
	u8 *stack;
	bool pinned;
	bool vmxon;
	bool launched;
	struct desc_ptr host_gdt;
	struct desc_ptr host_idt;
	struct vmx_vmcs_apic cur;
	struct vmx_apic_fields f;	/* loaded at the last entry */
	/* the guest's registers between entries */
	unsigned long rip, rsp, rflags, rax;
	void (*on_irq)(struct hw *h, u8 vector);
	/* what the CPU did */
	unsigned long bad_exit;		/* exit reason, or ~0UL: see bad_info */
	unsigned long bad_info;		/* interruption info, VM-instruction error */
	unsigned int vmwrite_failed;	/* field of the first failed VMWRITE */
	unsigned int entries, ext_exits, tpr_exits, eoi_exits;
	u64 eoi_qual[HW_LOG];
	u16 gis;			/* guest interrupt status after the last exit */
	unsigned int nlog;
	u8 log[HW_LOG];			/* vectors the guest's IDT received */
	u16 log_gis[HW_LOG];		/* RVI/SVI read back at that exit */
	u16 log_entry_gis[HW_LOG];	/* RVI/SVI written for that entry */
	unsigned int log_tpr_exits[HW_LOG];
};

static void hw_vmwrite(struct hw *h, unsigned long field, unsigned long value)
{
	if (!vmx_vmwrite(field, value) && !h->vmwrite_failed)
		h->vmwrite_failed = field;
}

static unsigned long hw_vmread(unsigned long field)
{
	unsigned long v;

	vmx_vmread(field, &v);
	return v;
}

/* An instruction taking a physical address operand; true on success. */
#define HW_VMX_PA_INSN(insn, pa) ({					\
	u64 __pa_op = (pa);						\
	bool __fail;							\
	asm volatile(insn " %[op]"					\
		     CC_SET(be)						\
		     : CC_OUT(be) (__fail)				\
		     : [op] "m" (__pa_op)				\
		     : "cc", "memory");					\
	!__fail;							\
})

/* Control word @want adjusted to what the capability MSR allows. */
static u32 hw_ctl(struct hw *h, u32 msr, u32 true_msr, u32 want)
{
	u64 basic, cap;
	u32 ctl;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	rdmsrl(basic & VMX_BASIC_TRUE_CTLS ? true_msr : msr, cap);
	ctl = (want | (u32)cap) & (u32)(cap >> 32);
	KUNIT_EXPECT_EQ_MSG(h->test, ctl & want, want,
			    "MSR %#x: controls %#x not allowed", msr,
			    want & ~ctl);
	return ctl;
}

/* The host's TSS: selector, base and limit from its GDT descriptor. */
static void hw_host_tr(struct hw *h, u16 *sel, unsigned long *base,
		       u32 *limit)
{
	struct ldttss_desc *d;

	asm volatile("str %0" : "=rm" (*sel));
	d = (struct ldttss_desc *)(h->host_gdt.address + (*sel & ~7));
	*base = get_desc_base((struct desc_struct *)d) |
		((unsigned long)d->base3 << 32);
	*limit = get_desc_limit((struct desc_struct *)d);
}

static void hw_guest_seg(struct hw *h, u32 sel_field, u16 sel, u32 ar,
			 unsigned long base, u32 limit)
{
	/* ES..GS selector, limit, AR and base fields: step 2 per segment. */
	hw_vmwrite(h, sel_field, sel);
	hw_vmwrite(h, GUEST_ES_LIMIT + (sel_field - GUEST_ES_SELECTOR), limit);
	hw_vmwrite(h, GUEST_ES_AR_BYTES + (sel_field - GUEST_ES_SELECTOR), ar);
	hw_vmwrite(h, GUEST_ES_BASE + (sel_field - GUEST_ES_SELECTOR), base);
}

/* VMXON on this CPU; the case is pinned to it until hw_exit(). */
static void hw_vmxon(struct hw *h)
{
	const struct cpumask *here = cpumask_of(raw_smp_processor_id());
	struct kunit *test = h->test;
	u64 feat, basic, fixed0, fixed1;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, here), 0);
	h->pinned = true;
	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED)) {
		feat |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, feat);
	}
	KUNIT_ASSERT_TRUE_MSG(test, feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX,
			      "VMX disabled in IA32_FEATURE_CONTROL");
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, fixed1);
	KUNIT_ASSERT_EQ(test, (read_cr0() | fixed0) & fixed1, read_cr0());
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, fixed1);
	KUNIT_ASSERT_EQ(test, (__read_cr4() | fixed0 | X86_CR4_VMXE) & fixed1,
			__read_cr4() | X86_CR4_VMXE);

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	*(u32 *)h->vmxon_region = basic & 0x7fffffff;
	*(u32 *)h->vmcs = basic & 0x7fffffff;
	cr4_set_bits(X86_CR4_VMXE);
	h->vmxon = HW_VMX_PA_INSN("vmxon", __pa(h->vmxon_region));
	if (!h->vmxon)
		cr4_clear_bits(X86_CR4_VMXE);
	KUNIT_ASSERT_TRUE_MSG(test, h->vmxon, "VMXON failed");
	KUNIT_ASSERT_TRUE(test, HW_VMX_PA_INSN("vmclear", __pa(h->vmcs)));
	KUNIT_ASSERT_TRUE(test, HW_VMX_PA_INSN("vmptrld", __pa(h->vmcs)));
}

static void hw_setup_vmcs(struct hw *h)
{
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned long tr_base;
	unsigned int i, n;
	u32 tr_limit;
	u16 tr_sel;
	u32 exec, exec2;

	hw_vmwrite(h, PIN_BASED_VM_EXEC_CONTROL,
		   hw_ctl(h, MSR_IA32_VMX_PINBASED_CTLS,
			  MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			  PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING));
	/* TPR shadow, VID, "activate secondary": vmx_vmcs_load_apic()'s. */
	exec = hw_ctl(h, MSR_IA32_VMX_PROCBASED_CTLS,
		      MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		      CPU_BASED_HLT_EXITING | CPU_BASED_USE_MSR_BITMAPS |
		      CPU_BASED_TPR_SHADOW |
		      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	KUNIT_EXPECT_EQ(h->test, exec & (CPU_BASED_CR8_LOAD_EXITING |
					 CPU_BASED_CR8_STORE_EXITING), 0);
	exec2 = hw_ctl(h, MSR_IA32_VMX_PROCBASED_CTLS2,
		       MSR_IA32_VMX_PROCBASED_CTLS2,
		       SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE |
		       SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	h->cur.exec_ctl = exec & ~CPU_BASED_TPR_SHADOW;
	h->cur.exec2_ctl = exec2 & ~SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
	hw_vmwrite(h, VM_EXIT_CONTROLS,
		   hw_ctl(h, MSR_IA32_VMX_EXIT_CTLS,
			  MSR_IA32_VMX_TRUE_EXIT_CTLS,
			  VM_EXIT_HOST_ADDR_SPACE_SIZE));
	hw_vmwrite(h, VM_ENTRY_CONTROLS,
		   hw_ctl(h, MSR_IA32_VMX_ENTRY_CTLS,
			  MSR_IA32_VMX_TRUE_ENTRY_CTLS, VM_ENTRY_IA32E_MODE));
	hw_vmwrite(h, EXCEPTION_BITMAP, ~0U);
	hw_vmwrite(h, PAGE_FAULT_ERROR_CODE_MASK, 0);
	hw_vmwrite(h, PAGE_FAULT_ERROR_CODE_MATCH, 0);
	hw_vmwrite(h, CR3_TARGET_COUNT, 0);
	hw_vmwrite(h, VM_EXIT_MSR_STORE_COUNT, 0);
	hw_vmwrite(h, VM_EXIT_MSR_LOAD_COUNT, 0);
	hw_vmwrite(h, VM_ENTRY_MSR_LOAD_COUNT, 0);
	hw_vmwrite(h, VM_ENTRY_INTR_INFO_FIELD, 0);
	hw_vmwrite(h, CR0_GUEST_HOST_MASK, 0);
	hw_vmwrite(h, CR4_GUEST_HOST_MASK, 0);
	hw_vmwrite(h, CR0_READ_SHADOW, read_cr0());
	hw_vmwrite(h, CR4_READ_SHADOW, __read_cr4());
	/* Every MSR access exits, except the guest's x2APIC EOI write. */
	memset(h->msr_bitmap, 0xff, PAGE_SIZE);
	h->msr_bitmap[2048 + HW_X2APIC_EOI / 8] &= ~BIT(HW_X2APIC_EOI % 8);
	hw_vmwrite(h, MSR_BITMAP, __pa(h->msr_bitmap));
	hw_vmwrite(h, VMCS_LINK_POINTER, ~0UL);

	/* The virtual-APIC page is the vLAPIC's register page. */
	n = vmx_vmcs_apic_setup_writes(h->vx, __pa(vlapic_regs_page(h->v)),
				       false, 0, w);
	for (i = 0; i < n; i++)
		hw_vmwrite(h, w[i].field, w[i].value);

	/* Host: the state this CPU has now, RIP/RSP from the wrapper. */
	native_store_gdt(&h->host_gdt);
	store_idt(&h->host_idt);
	hw_host_tr(h, &tr_sel, &tr_base, &tr_limit);
	hw_vmwrite(h, HOST_CR0, read_cr0());
	hw_vmwrite(h, HOST_CR3, __read_cr3());
	hw_vmwrite(h, HOST_CR4, __read_cr4());
	hw_vmwrite(h, HOST_CS_SELECTOR, __KERNEL_CS);
	hw_vmwrite(h, HOST_SS_SELECTOR, __KERNEL_DS);
	hw_vmwrite(h, HOST_DS_SELECTOR, __KERNEL_DS);
	hw_vmwrite(h, HOST_ES_SELECTOR, __KERNEL_DS);
	hw_vmwrite(h, HOST_FS_SELECTOR, 0);
	hw_vmwrite(h, HOST_GS_SELECTOR, 0);
	hw_vmwrite(h, HOST_TR_SELECTOR, tr_sel);
	hw_vmwrite(h, HOST_FS_BASE, native_read_msr(MSR_FS_BASE));
	hw_vmwrite(h, HOST_GS_BASE, native_read_msr(MSR_GS_BASE));
	hw_vmwrite(h, HOST_TR_BASE, tr_base);
	hw_vmwrite(h, HOST_GDTR_BASE, h->host_gdt.address);
	hw_vmwrite(h, HOST_IDTR_BASE, h->host_idt.address);
	hw_vmwrite(h, HOST_IA32_SYSENTER_CS,
		   native_read_msr(MSR_IA32_SYSENTER_CS));
	hw_vmwrite(h, HOST_IA32_SYSENTER_ESP,
		   native_read_msr(MSR_IA32_SYSENTER_ESP));
	hw_vmwrite(h, HOST_IA32_SYSENTER_EIP,
		   native_read_msr(MSR_IA32_SYSENTER_EIP));

	/* Guest: the host's paging and segments, its own IDT and stack. */
	hw_vmwrite(h, GUEST_CR0, read_cr0());
	hw_vmwrite(h, GUEST_CR3, __read_cr3());
	hw_vmwrite(h, GUEST_CR4, __read_cr4());
	hw_vmwrite(h, GUEST_DR7, 0x400);
	hw_vmwrite(h, GUEST_IA32_DEBUGCTL, 0);
	hw_guest_seg(h, GUEST_CS_SELECTOR, __KERNEL_CS, HW_AR_CODE64, 0, ~0U);
	hw_guest_seg(h, GUEST_SS_SELECTOR, __KERNEL_DS, HW_AR_DATA, 0, ~0U);
	hw_guest_seg(h, GUEST_DS_SELECTOR, __KERNEL_DS, HW_AR_DATA, 0, ~0U);
	hw_guest_seg(h, GUEST_ES_SELECTOR, __KERNEL_DS, HW_AR_DATA, 0, ~0U);
	hw_guest_seg(h, GUEST_FS_SELECTOR, 0, HW_AR_UNUSABLE,
		     native_read_msr(MSR_FS_BASE), 0);
	hw_guest_seg(h, GUEST_GS_SELECTOR, 0, HW_AR_UNUSABLE,
		     native_read_msr(MSR_GS_BASE), 0);
	hw_guest_seg(h, GUEST_LDTR_SELECTOR, 0, HW_AR_UNUSABLE, 0, 0);
	hw_guest_seg(h, GUEST_TR_SELECTOR, tr_sel, HW_AR_TSS, tr_base,
		     tr_limit);
	hw_vmwrite(h, GUEST_GDTR_BASE, h->host_gdt.address);
	hw_vmwrite(h, GUEST_GDTR_LIMIT, h->host_gdt.size);
	hw_vmwrite(h, GUEST_IDTR_BASE, (unsigned long)h->idt);
	hw_vmwrite(h, GUEST_IDTR_LIMIT, 256 * sizeof(gate_desc) - 1);
	hw_vmwrite(h, GUEST_SYSENTER_CS, 0);
	hw_vmwrite(h, GUEST_SYSENTER_ESP, 0);
	hw_vmwrite(h, GUEST_SYSENTER_EIP, 0);
	hw_vmwrite(h, GUEST_INTERRUPTIBILITY_INFO, 0);
	hw_vmwrite(h, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	hw_vmwrite(h, GUEST_PENDING_DBG_EXCEPTIONS, 0);
	KUNIT_ASSERT_EQ(h->test, h->vmwrite_failed, 0);
}

/* The case running now (test->priv is lapic_env's). */
static struct hw *hw_current;

/*
 * A vLAPIC with the VMX hooks, VID as @vid, no posted interrupts (the
 * CPU has none: deliveries go to IRR), and a VMCS ready to launch.
 */
static struct hw *hw_new(struct kunit *test, bool vid)
{
	struct hw *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	hw_current = h;
	if (!boot_cpu_has(X86_FEATURE_VMX))
		kunit_skip(test, "needs a VMX CPU (the harness runs Bochs)");

	h->test = test;
	h->env = env_create(test, 1, NULL, NULL);
	h->v = h->env->v[0];
	h->vx = kunit_kzalloc(test, sizeof(*h->vx), GFP_KERNEL);
	h->vmxon_region = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	h->vmcs = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	h->msr_bitmap = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	h->idt = kunit_kzalloc(test, 256 * sizeof(gate_desc), GFP_KERNEL);
	h->stack = kunit_kzalloc(test, HW_STACK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->vx);
	KUNIT_ASSERT_NOT_NULL(test, h->vmxon_region);
	KUNIT_ASSERT_NOT_NULL(test, h->vmcs);
	KUNIT_ASSERT_NOT_NULL(test, h->msr_bitmap);
	KUNIT_ASSERT_NOT_NULL(test, h->idt);
	KUNIT_ASSERT_NOT_NULL(test, h->stack);
	/* kmalloc(PAGE_SIZE) is page aligned: VMXON region, VMCS, bitmap. */
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(h->vmxon_region));
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(h->vmcs));
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(h->msr_bitmap));
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(vlapic_regs_page(h->v)));

	KUNIT_ASSERT_EQ(test, vmx_vlapic_init(h->vx, vid, NULL), 0);
	vlapic_set_ops(h->v, &vmx_vlapic_ops, h->vx);
	vmx_vlapic_set_posting(h->v, false);
	apic_sw_enable(h->v);

	for (i = 0; i < 256; i++)
		pack_gate(&h->idt[i], GATE_INTERRUPT,
			  (unsigned long)vlapic_vmx_hw_guest_vectors +
			  i * HW_GUEST_STUB_SIZE, 0, 0, __KERNEL_CS);

	hw_vmxon(h);
	hw_setup_vmcs(h);
	return h;
}

/* Case exit: VMCLEAR, VMXOFF, CR4.VMXE off, unpin; then the vLAPICs. */
static void hw_exit(struct kunit *test)
{
	struct hw *h = hw_current;

	if (h && h->vmxon) {
		HW_VMX_PA_INSN("vmclear", __pa(h->vmcs));
		asm volatile("vmxoff" ::: "cc", "memory");
		cr4_clear_bits(X86_CR4_VMXE);
		h->vmxon = false;
	}
	if (h && h->pinned)
		set_cpus_allowed_ptr(current, cpu_possible_mask);
	hw_current = NULL;
	env_exit(test);
}

/* One VMLAUNCH/VMRESUME; Return: 0 after a VM exit, else the wrapper's. */
static int hw_enter(struct hw *h, int inject)
{
	unsigned long flags;
	u16 ds, es;
	int ret;

	hw_vmwrite(h, GUEST_RIP, h->rip);
	hw_vmwrite(h, GUEST_RSP, h->rsp);
	hw_vmwrite(h, GUEST_RFLAGS, h->rflags);
	hw_vmwrite(h, VM_ENTRY_INTR_INFO_FIELD, inject < 0 ? 0 :
		   inject | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
	local_irq_save(flags);
	savesegment(ds, ds);
	savesegment(es, es);
	ret = vlapic_vmx_hw_enter(&h->rax, h->launched);
	loadsegment(ds, ds);
	loadsegment(es, es);
	/* A VM exit sets the GDT and IDT limits to 0xffff, TR's to 0x67. */
	native_load_gdt(&h->host_gdt);
	native_load_idt(&h->host_idt);
	invalidate_tss_limit();
	local_irq_restore(flags);
	h->entries++;
	if (!ret)
		h->launched = true;
	return ret;
}

/* The host's IRET for an IDT stub: pop RIP, CS, RFLAGS, RSP, SS. */
static bool hw_iret(struct hw *h)
{
	unsigned long lo = (unsigned long)h->stack;
	u64 *frame = (u64 *)h->rsp;

	if (h->rsp < lo || h->rsp + 5 * sizeof(u64) > lo + HW_STACK)
		return false;
	h->rip = frame[0];
	h->rflags = frame[2];
	h->rsp = frame[3];
	return true;
}

static void hw_log(struct hw *h, u8 vector)
{
	if (h->nlog >= HW_LOG)
		return;
	h->log[h->nlog] = vector;
	h->log_gis[h->nlog] = h->gis;
	h->log_entry_gis[h->nlog] = h->f.guest_intr_status;
	h->log_tpr_exits[h->nlog] = h->tpr_exits;
	h->nlog++;
}

/*
 * Enter and handle exits until the running guest routine finishes, as the
 * run loop does: fields from vmx_vlapic_prepare_entry() through
 * vmx_vmcs_load_apic(), and after each exit vmx_vmcs_save_apic() and
 * vmx_vlapic_refresh() (the CPU wrote the page).
 * Return: the guest's EAX at its final VMCALL, or -1 on an unexpected
 * exit (recorded in @h->bad_exit).
 */
static long hw_run(struct hw *h)
{
	unsigned int i;

	for (i = 0; i < HW_MAX_EXITS; i++) {
		bool irq = (h->rflags & X86_EFLAGS_IF) &&
			   !hw_vmread(GUEST_INTERRUPTIBILITY_INFO);
		unsigned long reason, qual;
		int vector, ret;

		vmx_vlapic_set_mode(h->vx, VMX_PI_IN_GUEST);
		vector = vmx_vlapic_prepare_entry(h->v, irq, &h->f);
		if (vmx_vmcs_load_apic(&h->cur, &h->f) < 0) {
			h->bad_exit = ~1UL;
			return -1;
		}
		ret = hw_enter(h, vector);
		vmx_vlapic_set_mode(h->vx, VMX_PI_IN_HOST);
		if (ret || h->vmwrite_failed) {
			h->bad_exit = ~0UL;
			h->bad_info = hw_vmread(VM_INSTRUCTION_ERROR);
			return -1;
		}
		reason = hw_vmread(VM_EXIT_REASON);
		qual = hw_vmread(EXIT_QUALIFICATION);
		h->rip = hw_vmread(GUEST_RIP);
		h->rsp = hw_vmread(GUEST_RSP);
		h->rflags = hw_vmread(GUEST_RFLAGS);
		h->gis = vmx_vmcs_save_apic(&h->cur);
		vmx_vlapic_refresh(h->v);

		switch (reason) {
		case EXIT_REASON_VMCALL:
			if (h->rax < VMX_HW_VECTOR_BASE)
				return h->rax;
			hw_log(h, h->rax - VMX_HW_VECTOR_BASE);
			if (h->on_irq)
				h->on_irq(h, h->rax - VMX_HW_VECTOR_BASE);
			if (!hw_iret(h)) {
				h->bad_exit = ~2UL;
				return -1;
			}
			break;
		case EXIT_REASON_EXTERNAL_INTERRUPT:
			/* The host's own interrupt: taken at local_irq_restore(). */
			h->ext_exits++;
			break;
		case EXIT_REASON_TPR_BELOW_THRESHOLD:
			/* Trap-like: the guest's MOV to CR8 is done. */
			h->tpr_exits++;
			break;
		case EXIT_REASON_EOI_INDUCED:
			if (h->eoi_exits < HW_LOG)
				h->eoi_qual[h->eoi_exits] = qual;
			h->eoi_exits++;
			vmx_vlapic_eoi_exit(h->v, qual);
			break;
		default:
			h->bad_exit = reason;
			h->bad_info = hw_vmread(VM_EXIT_INTR_INFO);
			return -1;
		}
	}
	h->bad_exit = ~3UL;
	return -1;
}

/*
 * Run guest routine @entry with RAX = @rax and IF = @irq_on, nested in
 * whatever the guest is doing (an IDT stub: the routine runs below its
 * frame, as the handler's body would). Return: as hw_run().
 */
static long hw_call(struct hw *h, void (*entry)(void), u64 rax, bool irq_on)
{
	unsigned long rip = h->rip, rsp = h->rsp, rflags = h->rflags;
	unsigned long top = (unsigned long)h->stack + HW_STACK - 64;
	long ret;

	h->rip = (unsigned long)entry;
	h->rsp = rsp ? ALIGN_DOWN(rsp - 256, 16) : top;
	h->rflags = X86_EFLAGS_FIXED | (irq_on ? X86_EFLAGS_IF : 0);
	h->rax = rax;
	ret = hw_run(h);
	if (rsp) {
		h->rip = rip;
		h->rsp = rsp;
		h->rflags = rflags;
	} else {
		h->rsp = 0;
	}
	return ret;
}

static void hw_check(struct hw *h)
{
	KUNIT_EXPECT_EQ_MSG(h->test, h->bad_exit, 0,
			    "exit reason %#lx, info/error %#lx, rip %pS",
			    h->bad_exit, h->bad_info, (void *)h->rip);
	KUNIT_EXPECT_EQ(h->test, h->vmwrite_failed, 0);
}

/* The guest's interrupt handler body: EOI (virtualized), then return. */
static void hw_irq_eoi(struct hw *h, u8 vector)
{
	hw_call(h, vlapic_vmx_hw_guest_eoi, 0, false);
}

/*
 * RVI delivery: 0x51 accepted by the vLAPIC (IRR: no posted interrupts)
 * reaches the guest's IDT at VM entry with IF=1; the CPU moves it from
 * VIRR to VISR and sets SVI, which vmx_vmcs_save_apic() reads back.
 */
static void vmx_hw_rvi_delivery(struct kunit *test)
{
	struct hw *h = hw_new(test, true);
	unsigned int kicks = h->env->kicks[0];

	send_fixed(h->env, 0, 0x51, false);
	send_fixed(h->env, 0, 0x32, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&h->vx->pi), -1);
	KUNIT_EXPECT_GT(test, h->env->kicks[0], kicks);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_ASSERT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x51);
	KUNIT_EXPECT_EQ(test, h->log_entry_gis[0], 0x0051);
	/* SVI 0x51, RVI 0x32 (next VIRR): the CPU's, read back. */
	KUNIT_EXPECT_EQ(test, h->log_gis[0], 0x5132);
	KUNIT_EXPECT_EQ(test, h->cur.guest_intr_status, 0x5132);
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0x51));
	KUNIT_EXPECT_FALSE(test, irr_test(h->v, 0x51));
	KUNIT_EXPECT_TRUE(test, irr_test(h->v, 0x32));

	/* IF=0: nothing is delivered, RVI stays. */
	h->on_irq = hw_irq_eoi;
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_eoi, 0, false),
			VMX_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->gis, 0x0032);
	KUNIT_EXPECT_FALSE(test, isr_test(h->v, 0x51));
	/* IF=1: 0x32 now; its handler's EOI empties VISR. */
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	KUNIT_ASSERT_EQ(test, h->nlog, 2);
	KUNIT_EXPECT_EQ(test, h->log[1], 0x32);
	KUNIT_EXPECT_EQ(test, h->log_gis[1], 0x3200);
	KUNIT_EXPECT_EQ(test, h->gis, 0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(h->v), -1);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(h->v), -1);
	KUNIT_EXPECT_EQ(test, h->eoi_exits, 0);
	hw_check(h);
}

/*
 * Virtual EOI with the EOI-exit bitmap: level 0x92 (TMR) exits with
 * reason 45 and qualification 0x92 after the CPU cleared VISR, and
 * vmx_vlapic_eoi_exit() reaches the IOAPIC broadcast; edge 0x51's EOI
 * stays in the guest.
 */
static void vmx_hw_eoi_exit(struct kunit *test)
{
	struct hw *h = hw_new(test, true);

	h->on_irq = hw_irq_eoi;
	send_fixed(h->env, 0, 0x92, true);
	send_fixed(h->env, 0, 0x51, false);
	vmx_vlapic_load_eoi_exitmap(h->v, NULL);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_EXPECT_EQ(test, h->f.eoi_exit[2], BIT_ULL(0x92 - 128));
	KUNIT_ASSERT_EQ(test, h->nlog, 2);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x92);
	KUNIT_EXPECT_EQ(test, h->log[1], 0x51);
	KUNIT_EXPECT_EQ(test, h->log_gis[1], 0x5100);
	KUNIT_ASSERT_EQ(test, h->eoi_exits, 1);
	KUNIT_EXPECT_EQ(test, h->eoi_qual[0], 0x92);
	KUNIT_ASSERT_EQ(test, h->env->nr_eoi, 1);
	KUNIT_EXPECT_EQ(test, h->env->eoi_vector[0], 0x92);
	KUNIT_EXPECT_EQ(test, vlapic_stat(h->v, VLAPIC_STAT_SPURIOUS_EOI), 0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(h->v), -1);
	KUNIT_EXPECT_EQ(test, h->gis, 0);
}

/*
 * TPR shadow without VID: 0x51 requested at TPR 0x60 gives threshold 5.
 * The guest's CR8 writes of 6 and 5 run on; the write of 4 exits (reason
 * 43, trap-like), and that exit's entry injects 0x51.
 */
static void vmx_hw_tpr_threshold(struct kunit *test)
{
	struct hw *h = hw_new(test, false);

	wr(h->v, APIC_TASKPRI, 0x60);
	send_fixed(h->env, 0, 0x51, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_cr8_write, 6,
				      true), VMX_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->f.tpr_threshold, 5);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_cr8_write, 5,
				      true), VMX_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->tpr_exits, 0);
	KUNIT_EXPECT_EQ(test, h->nlog, 0);
	KUNIT_EXPECT_EQ(test, vlapic_tpr(h->v), 0x50);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_cr8_write, 4,
				      true), VMX_HW_DONE);
	hw_check(h);
	KUNIT_EXPECT_EQ(test, h->tpr_exits, 1);
	KUNIT_ASSERT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x51);
	KUNIT_EXPECT_EQ(test, h->log_tpr_exits[0], 1);
	KUNIT_EXPECT_EQ(test, vlapic_tpr(h->v), 0x40);
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0x51));
	KUNIT_EXPECT_EQ(test, h->f.tpr_threshold, 0);
	/* Lower again, nothing pending: no exit. */
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_cr8_write, 0,
				      true), VMX_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->tpr_exits, 1);
	hw_check(h);
}

/*
 * Seed 000 on the CPU: 0xef in service, 0x61 requested (RVI 0x61, SVI
 * 0xef as the CPU left them); RESET and restore of the boot state with
 * the timer's 0xd1 pending. The next VMRESUME must deliver 0xd1 first:
 * with the stale guest interrupt status the CPU would hold it behind
 * SVI 0xef (VPPR 0xe0) and deliver nothing.
 */
static void vmx_hw_seed000(struct kunit *test)
{
	struct hw *h = hw_new(test, true);
	struct vlapic_lapic_state *boot;

	boot = kunit_kzalloc(test, sizeof(*boot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, boot);

	/* Boot state: the firmware programmed the timer; 0xd1 has fired. */
	wr(h->v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(h->v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0xd1);
	wr(h->v, APIC_TMICT, 1000000);
	vlapic_get_state(h->v, boot);
	*(u32 *)(boot->regs + APIC_IRR + (0xd1 / 32) * 16) |= BIT(0xd1 % 32);

	send_fixed(h->env, 0, 0xef, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	send_fixed(h->env, 0, 0x61, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_ASSERT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0xef);
	KUNIT_EXPECT_EQ(test, h->gis, 0xef61);

	vlapic_reset(h->v);
	KUNIT_ASSERT_EQ(test, vlapic_set_state(h->v, boot), 0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(h->v), -1);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(h->v), 0xd1);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_ASSERT_EQ(test, h->nlog, 2);
	KUNIT_EXPECT_EQ(test, h->log[1], 0xd1);
	KUNIT_EXPECT_EQ(test, h->log_entry_gis[1], 0x00d1);
	KUNIT_EXPECT_EQ(test, h->log_gis[1], 0xd100);
	KUNIT_EXPECT_FALSE(test, isr_test(h->v, 0xef));
	KUNIT_EXPECT_FALSE(test, irr_test(h->v, 0x61));
}

/*
 * VID switched at runtime with vectors in service: 0xb1 delivered with
 * VID, 0xe1 injected with VID off, 0x41 requested; VID back on rebuilds
 * SVI = 0xe1, so the guest's first EOI clears 0xe1 (not 0xb1), the
 * second clears 0xb1, and then the CPU delivers 0x41.
 */
static void vmx_hw_vid_toggle(struct kunit *test)
{
	struct hw *h = hw_new(test, true);

	send_fixed(h->env, 0, 0xb1, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->gis, 0xb100);

	vmx_vlapic_set_vid(h->v, false);
	send_fixed(h->env, 0, 0xe1, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_idle, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_ASSERT_EQ(test, h->nlog, 2);
	KUNIT_EXPECT_EQ(test, h->log[1], 0xe1);	/* injected */
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0xe1));
	send_fixed(h->env, 0, 0x41, false);

	vmx_vlapic_set_vid(h->v, true);
	KUNIT_EXPECT_EQ(test, h->vx->f.guest_intr_status, 0xe141);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_eoi, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_EXPECT_EQ(test, h->gis, 0xb141);
	KUNIT_EXPECT_FALSE(test, isr_test(h->v, 0xe1));
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0xb1));
	KUNIT_EXPECT_EQ(test, h->nlog, 2);

	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_vmx_hw_guest_eoi, 0, true),
			VMX_HW_DONE);
	hw_check(h);
	KUNIT_ASSERT_EQ(test, h->nlog, 3);
	KUNIT_EXPECT_EQ(test, h->log[2], 0x41);
	KUNIT_EXPECT_EQ(test, h->log_gis[2], 0x4100);
	KUNIT_EXPECT_FALSE(test, isr_test(h->v, 0xb1));
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0x41));
	KUNIT_EXPECT_EQ(test, h->eoi_exits, 0);
}

/*
 * VMX owned by another hypervisor: with CR4.VMXE already set on this CPU
 * (what kvm_intel leaves while it has a VM), the run loop's VMXON step
 * (vmx_cpu_enable(), the first thing each entry does) refuses with -EBUSY
 * and leaves CR4.VMXE set; once it is clear, the same step turns VMX on,
 * and the last VM's put (vmx_cpu_put()) turns it off again.
 */
static void vmx_hw_vmxon_busy(struct kunit *test)
{
	unsigned long flags;
	bool vmxe_kept, vmxe_on, vmxe_off;
	int busy, on;

	if (!boot_cpu_has(X86_FEATURE_VMX))
		kunit_skip(test, "needs a VMX CPU (the harness runs Bochs)");
	if (vlapic_run_backends() != VLAPIC_RUN_BACKEND_VMX)
		kunit_skip(test, "vlapic.ko does not run guests on VMX here");
	KUNIT_ASSERT_EQ(test, vmx_cpu_get(), 0);
	local_irq_save(flags);
	KUNIT_ASSERT_FALSE(test, cr4_read_shadow() & X86_CR4_VMXE);
	cr4_set_bits(X86_CR4_VMXE);
	busy = vmx_cpu_enable();
	vmxe_kept = cr4_read_shadow() & X86_CR4_VMXE;
	/* A VMXON that went through is undone by VMXOFF, never by CR4. */
	if (busy)
		cr4_clear_bits(X86_CR4_VMXE);
	local_irq_restore(flags);
	if (!busy) {
		vmx_cpu_put();
		KUNIT_ASSERT_EQ(test, vmx_cpu_get(), 0);
	}
	local_irq_save(flags);
	on = vmx_cpu_enable();
	vmxe_on = cr4_read_shadow() & X86_CR4_VMXE;
	local_irq_restore(flags);
	vmx_cpu_put();
	vmxe_off = !(cr4_read_shadow() & X86_CR4_VMXE);
	KUNIT_EXPECT_EQ(test, busy, -EBUSY);
	KUNIT_EXPECT_TRUE(test, vmxe_kept);
	KUNIT_EXPECT_EQ(test, on, 0);
	KUNIT_EXPECT_TRUE(test, vmxe_on);
	KUNIT_EXPECT_TRUE(test, vmxe_off);
}

static struct kunit_case vmx_hw_cases[] = {
	KUNIT_CASE(vmx_hw_rvi_delivery),
	KUNIT_CASE(vmx_hw_eoi_exit),
	KUNIT_CASE(vmx_hw_tpr_threshold),
	KUNIT_CASE(vmx_hw_seed000),
	KUNIT_CASE(vmx_hw_vid_toggle),
	KUNIT_CASE(vmx_hw_vmxon_busy),
	{}
};

static struct kunit_suite vmx_hw_suite = {
	.name = "vlapic_vmx_hw",
	.test_cases = vmx_hw_cases,
	.exit = hw_exit,
};

kunit_test_suite(vmx_hw_suite);
