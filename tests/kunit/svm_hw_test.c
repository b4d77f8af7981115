// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_svm_hw: the SVM backend on a real SVM CPU.
 *
 * The suites under tests/model/ check the decision code against a model
 * written from the APM; this one checks the decision code, the VMCB
 * accessors (svm/vmcb.c) and the model's reading of the APM against the
 * CPU itself: each case runs a guest with VMRUN and asserts what the CPU
 * did with the fields: which exits happened (VINTR, CR8 write), which
 * vector the guest's IDT received and when, what the guest read from
 * CR8, what V_TPR the CPU left. The harness boots the test kernel with
 * `-cpu qemu64,+svm` (QEMU's TCG implementation of SVM: V_INTR_MASKING,
 * V_TPR, V_IRQ/V_INTR_PRIO/V_IGN_TPR, VINTR and CR8 intercepts, EVENTINJ;
 * no NRIPS, no decode assists); on any other CPU every case fails.
 *
 * The guest (svm_hw_guest.S) runs in the host's address space with the
 * host's page tables and segments, its own IDT and stack, at CPL 0, with
 * every exception intercepted. Its routines end in VMMCALL; its IDT
 * stubs report the vector with VMMCALL and the host emulates their IRET.
 * Guest APIC register accesses, intercepted without AVIC, are made by
 * the host on the vLAPIC directly, as the run loop's MMIO handler would.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>

#include <vlapic/svm.h>

#include "lapic_env.h"
#include "hw_guest.h"
#include "svm_hw.h"

#define HW_LOG		16
#define HW_STACK	8192
#define HW_MAX_EXITS	64

struct hw {
	struct kunit *test;
	struct lapic_env *env;
	struct vlapic *v;
	struct svm_vlapic *sv;
	struct vmcb *vmcb;
	void *hsave;
	gate_desc *idt;
	u8 *stack;
	struct svm_vintr_fields f;
	int reinject;		/* from EXITINTINFO of the last exit, or -1 */
	int pic_vector;		/* the 8259's answer to an ExtINT, or -1 */
	void (*on_irq)(struct hw *h, u8 vector);
	/* what the CPU did */
	unsigned int vmruns, cr8_exits, vintr_exits;
	u64 bad_exit;
	unsigned int nlog;
	u8 log[HW_LOG];
	u8 log_v_tpr[HW_LOG];	/* V_TPR at the VMRUN that delivered it */
	unsigned int log_cr8_exits[HW_LOG];	/* CR8 exits before it */
	unsigned int n;		/* scenario parameter */
};

static void hw_seg(struct vmcb_seg *seg, u16 sel, u16 attrib)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = 0xffffffff;
	seg->base = 0;
}

static void hw_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static struct hw *hw_new(struct kunit *test)
{
	struct hw *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct vmcb_save_area *s;
	struct desc_ptr gdt;
	unsigned int i;
	u64 vm_cr;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_TRUE_MSG(test, boot_cpu_has(X86_FEATURE_SVM),
			      "needs an SVM CPU (the harness boots -cpu qemu64,+svm)");
	rdmsrl(MSR_VM_CR, vm_cr);
	KUNIT_ASSERT_FALSE(test, vm_cr & SVM_VM_CR_SVM_DISABLE);

	h->test = test;
	h->env = env_create(test, 1, NULL, NULL);
	h->v = h->env->v[0];
	h->sv = kunit_kzalloc(test, sizeof(*h->sv), GFP_KERNEL);
	h->vmcb = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	h->hsave = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	h->idt = kunit_kzalloc(test, 256 * sizeof(gate_desc), GFP_KERNEL);
	h->stack = kunit_kzalloc(test, HW_STACK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->sv);
	KUNIT_ASSERT_NOT_NULL(test, h->vmcb);
	KUNIT_ASSERT_NOT_NULL(test, h->hsave);
	KUNIT_ASSERT_NOT_NULL(test, h->idt);
	KUNIT_ASSERT_NOT_NULL(test, h->stack);
	/* kmalloc(PAGE_SIZE) is page aligned: VMCB and host save area. */
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(h->vmcb) && PAGE_ALIGNED(h->hsave));

	svm_vlapic_init(h->sv);
	vlapic_set_ops(h->v, &svm_vlapic_ops, h->sv);
	apic_sw_enable(h->v);
	h->reinject = -1;
	h->pic_vector = -1;

	for (i = 0; i < 256; i++)
		pack_gate(&h->idt[i], GATE_INTERRUPT,
			  (unsigned long)vlapic_hw_guest_vectors +
			  i * HW_GUEST_STUB_SIZE, 0, 0, __KERNEL_CS);

	hw_intercept(h->vmcb, INTERCEPT_VMRUN);
	hw_intercept(h->vmcb, INTERCEPT_VMMCALL);
	hw_intercept(h->vmcb, INTERCEPT_HLT);
	hw_intercept(h->vmcb, INTERCEPT_SHUTDOWN);
	h->vmcb->control.intercepts[INTERCEPT_EXCEPTION] = ~0U;
	h->vmcb->control.asid = 1;
	h->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;

	s = &h->vmcb->save;
	/* 64-bit code: type 0xb, S, P, L, G; data: type 3, S, P, D/B, G. */
	hw_seg(&s->cs, __KERNEL_CS, 0x0a9b);
	hw_seg(&s->ss, __KERNEL_DS, 0x0c93);
	hw_seg(&s->ds, __KERNEL_DS, 0x0c93);
	hw_seg(&s->es, __KERNEL_DS, 0x0c93);
	native_store_gdt(&gdt);
	s->gdtr.base = gdt.address;
	s->gdtr.limit = gdt.size;
	s->idtr.base = (unsigned long)h->idt;
	s->idtr.limit = 256 * sizeof(gate_desc) - 1;
	s->cr0 = read_cr0();
	s->cr4 = __read_cr4();
	s->dr6 = 0xffff0ff0;	/* architectural reset values */
	s->dr7 = 0x400;
	rdmsrl(MSR_IA32_CR_PAT, s->g_pat);
	s->cpl = 0;
	return h;
}

/* One VMRUN on this CPU; the host's EFER and save-area MSR are kept. */
static void hw_vmrun(struct hw *h)
{
	unsigned long flags;
	u64 efer, hsave;

	local_irq_save(flags);
	rdmsrl(MSR_EFER, efer);
	rdmsrl(MSR_VM_HSAVE_PA, hsave);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, __pa(h->hsave));
	h->vmcb->save.efer = efer | EFER_SVME;
	h->vmcb->save.cr3 = __read_cr3();
	vlapic_hw_vmrun(__pa(h->vmcb));
	wrmsrl(MSR_VM_HSAVE_PA, hsave);
	wrmsrl(MSR_EFER, efer);
	local_irq_restore(flags);
	/* As a run loop does: what the CPU saw may be cached from now on. */
	h->vmcb->control.clean = ~0U;
	h->vmruns++;
}

/* The host's IRET for an IDT stub: pop RIP, CS, RFLAGS, RSP, SS. */
static bool hw_iret(struct hw *h)
{
	struct vmcb_save_area *s = &h->vmcb->save;
	unsigned long lo = (unsigned long)h->stack;
	u64 *frame = (u64 *)(unsigned long)s->rsp;

	if (s->rsp < lo || s->rsp + 5 * sizeof(u64) > lo + HW_STACK)
		return false;
	s->rip = frame[0];
	s->rflags = frame[2];
	s->rsp = frame[3];
	return true;
}

static void hw_log(struct hw *h, u8 vector, u8 v_tpr)
{
	if (h->nlog >= HW_LOG)
		return;
	h->log[h->nlog] = vector;
	h->log_v_tpr[h->nlog] = v_tpr;
	h->log_cr8_exits[h->nlog] = h->cr8_exits;
	h->nlog++;
}

/*
 * Enter and handle exits until the running guest routine finishes.
 * Return: the guest's EAX at its final VMMCALL, or -1 on an unexpected
 * exit (recorded in @h->bad_exit).
 */
static long hw_run(struct hw *h)
{
	struct vmcb_control_area *c = &h->vmcb->control;
	struct vmcb_save_area *s = &h->vmcb->save;
	unsigned int i;

	for (i = 0; i < HW_MAX_EXITS; i++) {
		struct svm_guest_state g = {
			.interruptible = (s->rflags & X86_EFLAGS_IF) &&
					 !(c->int_state & SVM_INTERRUPT_SHADOW_MASK),
			.extint = h->pic_vector >= 0 &&
				  (vlapic_pending_events(h->v) & VLAPIC_EVENT_EXTINT),
			.extint_vector = h->pic_vector,
			.reinject = h->reinject >= 0,
			.reinject_vector = h->reinject,
		};
		u8 v_tpr;

		h->reinject = -1;
		svm_vlapic_prepare_entry(h->v, &g, &h->f);
		svm_vmcb_load_intr(h->vmcb, &h->f);
		v_tpr = h->f.v_tpr;
		hw_vmrun(h);
		svm_vmcb_save_intr(h->vmcb, &h->f);
		svm_vlapic_exit(h->v, &h->f);
		h->reinject = svm_vmcb_exit_intr_vector(h->vmcb);

		switch (c->exit_code) {
		case SVM_EXIT_VMMCALL:
			if (s->rax < SVM_HW_VECTOR_BASE)
				return s->rax;
			hw_log(h, s->rax - SVM_HW_VECTOR_BASE, v_tpr);
			if (h->on_irq)
				h->on_irq(h, s->rax - SVM_HW_VECTOR_BASE);
			if (!hw_iret(h)) {
				h->bad_exit = ~0ULL;
				return -1;
			}
			break;
		case SVM_EXIT_VINTR:
			h->vintr_exits++;
			break;
		case SVM_EXIT_WRITE_CR8:
			/* No decode assists: the guest routines write RAX. */
			h->cr8_exits++;
			vlapic_set_cr8(h->v, s->rax & 0xf);
			if (s->rip == (unsigned long)vlapic_hw_guest_cr8_write)
				s->rip = (unsigned long)vlapic_hw_guest_cr8_write_done;
			else
				s->rip = (unsigned long)vlapic_hw_guest_cr8_sti_done;
			break;
		default:
			h->bad_exit = c->exit_code;
			return -1;
		}
	}
	h->bad_exit = ~1ULL;
	return -1;
}

/*
 * Run guest routine @entry with RAX = @rax and IF = @irq_on, nested in
 * whatever the guest is doing (an IDT stub: the routine runs below its
 * frame, as the handler's body would). Return: as hw_run().
 */
static long hw_call(struct hw *h, void (*entry)(void), u64 rax, bool irq_on)
{
	struct vmcb_save_area *s = &h->vmcb->save;
	u64 rip = s->rip, rsp = s->rsp, rflags = s->rflags;
	unsigned long top = (unsigned long)h->stack + HW_STACK - 64;
	long ret;

	s->rip = (unsigned long)entry;
	s->rsp = rsp ? ALIGN_DOWN(rsp - 256, 16) : top;
	s->rflags = X86_EFLAGS_FIXED | (irq_on ? X86_EFLAGS_IF : 0);
	s->rax = rax;
	ret = hw_run(h);
	if (rsp) {
		s->rip = rip;
		s->rsp = rsp;
		s->rflags = rflags;
	} else {
		s->rsp = 0;
	}
	return ret;
}

static void hw_check_log(struct hw *h)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(h->test, h->bad_exit, 0);
	for (i = 0; i < h->nlog; i++)
		KUNIT_EXPECT_GT_MSG(h->test, apicv_class(h->log[i]),
				    h->log_v_tpr[i],
				    "vector %#x delivered at CR8 %u",
				    h->log[i], h->log_v_tpr[i]);
}

/* EVENTINJ: a deliverable vector reaches the guest's IDT at VMRUN. */
static void svm_hw_eventinj(struct kunit *test)
{
	struct hw *h = hw_new(test);

	send_fixed(h->env, 0, 0x51, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_idle, 0, true),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x51);
	KUNIT_EXPECT_TRUE(test, isr_test(h->v, 0x51));
	KUNIT_EXPECT_FALSE(test, irr_test(h->v, 0x51));
	KUNIT_EXPECT_EQ(test, h->vintr_exits, 0);
	hw_check_log(h);
}

/* IF=0: V_IRQ + VINTR; the CPU exits at STI's shadow end, then EVENTINJ. */
static void svm_hw_vintr_window(struct kunit *test)
{
	struct hw *h = hw_new(test);

	send_fixed(h->env, 0, 0x51, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_sti, 0, false),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->vintr_exits, 1);
	KUNIT_EXPECT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x51);
	/* Nothing left pending: the window is closed again. */
	KUNIT_EXPECT_FALSE(test, h->f.v_irq);
	KUNIT_EXPECT_FALSE(test, h->vmcb->control.int_ctl & V_IRQ_MASK);
	hw_check_log(h);
}

/* V_TPR both ways: host TPR writes reach the guest's CR8 and back. */
static void svm_hw_v_tpr(struct kunit *test)
{
	struct hw *h = hw_new(test);

	wr(h->v, APIC_TASKPRI, 0x70);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_read, 0, true), 7);
	/* Nothing pending: no intercept, the write stays in V_TPR ... */
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_write, 3, true),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->cr8_exits, 0);
	/* ... and the exit step makes it the vLAPIC's TPR. */
	KUNIT_EXPECT_EQ(test, vlapic_tpr(h->v), 0x30);
	KUNIT_EXPECT_EQ(test, rd(h->v, APIC_TASKPRI), 0x30);
	wr(h->v, APIC_TASKPRI, 0xb5);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_read, 0, true), 0xb);
	/* The same class read back keeps TPR[3:0]. */
	KUNIT_EXPECT_EQ(test, vlapic_tpr(h->v), 0xb5);
	hw_check_log(h);
}

/*
 * The V_IRQ window compares V_INTR_PRIO with V_TPR itself: a guest that
 * raises CR8 above the pending class before STI takes no VINTR exit;
 * then the vector is held by TPR alone, so the CR8 intercept is on and
 * the drop below it is seen at once.
 */
static void svm_hw_prio_window(struct kunit *test)
{
	struct hw *h = hw_new(test);

	send_fixed(h->env, 0, 0x51, false);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_sti, 6, false),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->vintr_exits, 0);
	KUNIT_EXPECT_EQ(test, h->cr8_exits, 0);
	KUNIT_EXPECT_EQ(test, h->nlog, 0);
	KUNIT_EXPECT_EQ(test, vlapic_tpr(h->v), 0x60);
	KUNIT_EXPECT_TRUE(test, h->sv->f.intercept_cr8_write);

	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_write, 0, true),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->cr8_exits, 1);
	KUNIT_EXPECT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x51);
	KUNIT_EXPECT_EQ(test, h->log_cr8_exits[0], 1);
	hw_check_log(h);
}

/* Seed 003's clock and DPC handlers (guest APIC writes are intercepted). */
static void seed003_irq(struct hw *h, u8 vector)
{
	if (vector == 0xd1) {
		wr(h->v, APIC_ICR, APIC_DEST_SELF | 0x2f);
		wr(h->v, APIC_EOI, 0);
	} else if (vector == 0x2f) {
		hw_call(h, vlapic_hw_guest_cr8_write, 2, false);
		wr(h->v, APIC_EOI, 0);
		hw_call(h, vlapic_hw_guest_cr8_write, 0, false);
	}
}

/*
 * Seed 003 on the CPU: spinlock 1 (CR8 = 2), the clock 0xd1 queues the
 * DPC 0x2f and EOIs, spinlocks 2..N are taken and released, spinlock 1
 * is released: exactly 2N - 1 CR8 exits (docs/apicv.md), the DPC arrives
 * at the last of them, nothing is delivered at or below CR8.
 */
static void svm_hw_seed003(struct kunit *test)
{
	unsigned int n, i;

	for (n = 1; n <= 4; n++) {
		struct hw *h = hw_new(test);

		h->on_irq = seed003_irq;
		KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_write, 2,
					      true), SVM_HW_DONE);
		send_fixed(h->env, 0, 0xd1, false);
		KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_idle, 0, true),
				SVM_HW_DONE);
		KUNIT_EXPECT_EQ(test, h->cr8_exits, 0);
		KUNIT_EXPECT_TRUE(test, irr_test(h->v, 0x2f));
		for (i = 2; i <= n; i++) {
			hw_call(h, vlapic_hw_guest_cr8_write, 2, true);
			hw_call(h, vlapic_hw_guest_cr8_write, 2, true);
		}
		KUNIT_EXPECT_EQ(test, h->nlog, 1);
		KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_write, 0,
					      true), SVM_HW_DONE);
		KUNIT_EXPECT_EQ_MSG(test, h->cr8_exits, 2 * n - 1, "N = %u", n);
		KUNIT_ASSERT_EQ(test, h->nlog, 2);
		KUNIT_EXPECT_EQ(test, h->log[0], 0xd1);
		KUNIT_EXPECT_EQ(test, h->log_v_tpr[0], 2);
		KUNIT_EXPECT_EQ(test, h->log[1], 0x2f);
		KUNIT_EXPECT_EQ(test, h->log_cr8_exits[1], 2 * n - 1);
		KUNIT_EXPECT_EQ(test, vlapic_highest_isr(h->v), -1);
		KUNIT_EXPECT_EQ(test, vlapic_highest_irr(h->v), -1);
		hw_check_log(h);
		env_exit(test);
	}
}

/*
 * Peer bug (KVM AVIC): a TPR set by state restore must reach V_TPR. The
 * guest reads CR8 = 0xf after the restore; the pending 0x80 arrives
 * exactly when the guest lowers CR8 below its class, not before.
 */
static void svm_hw_restored_tpr(struct kunit *test)
{
	struct hw *h = hw_new(test);
	struct vlapic_lapic_state *st;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	vlapic_get_state(h->v, st);
	*(u32 *)(st->regs + APIC_TASKPRI) = 0xf0;
	*(u32 *)(st->regs + APIC_IRR + (0x80 / 32) * 16) |= BIT(0x80 % 32);
	KUNIT_ASSERT_EQ(test, vlapic_set_state(h->v, st), 0);

	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_cr8_read, 0, true),
			0xf);
	hw_call(h, vlapic_hw_guest_cr8_write, 9, true);
	KUNIT_EXPECT_EQ(test, h->nlog, 0);
	hw_call(h, vlapic_hw_guest_cr8_write, 7, true);
	KUNIT_EXPECT_EQ(test, h->cr8_exits, 2);
	KUNIT_ASSERT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x80);
	KUNIT_EXPECT_EQ(test, h->log_v_tpr[0], 7);
	hw_check_log(h);
}

/*
 * ExtINT through LINT0 ignores TPR: with CR8 = 0xf and IF = 0 the window
 * is opened with V_IGN_TPR, the CPU exits at STI, and the 8259's vector
 * goes in through EVENTINJ; it never enters IRR or ISR.
 */
static void svm_hw_extint(struct kunit *test)
{
	struct hw *h = hw_new(test);

	wr(h->v, APIC_LVT0, APIC_DM_EXTINT);
	wr(h->v, APIC_TASKPRI, 0xf0);
	h->pic_vector = 0x20;
	vlapic_set_lint(h->v, 0, true);
	KUNIT_ASSERT_TRUE(test, vlapic_pending_events(h->v) &
				VLAPIC_EVENT_EXTINT);
	KUNIT_EXPECT_EQ(test, hw_call(h, vlapic_hw_guest_sti, 0, false),
			SVM_HW_DONE);
	KUNIT_EXPECT_EQ(test, h->bad_exit, 0);
	KUNIT_EXPECT_EQ(test, h->vintr_exits, 1);
	KUNIT_ASSERT_EQ(test, h->nlog, 1);
	KUNIT_EXPECT_EQ(test, h->log[0], 0x20);
	KUNIT_EXPECT_EQ(test, h->log_v_tpr[0], 0xf);
	KUNIT_EXPECT_FALSE(test, vlapic_pending_events(h->v) &
				 VLAPIC_EVENT_EXTINT);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(h->v), -1);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(h->v), -1);
}

static struct kunit_case svm_hw_cases[] = {
	KUNIT_CASE(svm_hw_eventinj),
	KUNIT_CASE(svm_hw_vintr_window),
	KUNIT_CASE(svm_hw_v_tpr),
	KUNIT_CASE(svm_hw_prio_window),
	KUNIT_CASE(svm_hw_seed003),
	KUNIT_CASE(svm_hw_restored_tpr),
	KUNIT_CASE(svm_hw_extint),
	{}
};

static struct kunit_suite svm_hw_suite = {
	.name = "vlapic_svm_hw",
	.test_cases = svm_hw_cases,
	.exit = env_exit,
};

kunit_test_suite(svm_hw_suite);
