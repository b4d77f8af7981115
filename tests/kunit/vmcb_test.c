// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_vmcb: the VMCB accessors (svm/vmcb.c) and the SVM entry step
 * (svm/ops.c) for ExtINT and re-injection. Offsets and bits are checked
 * against the numbers of AMD APM vol. 2 appendix B ("Layout of VMCB") and
 * "VMCB Clean Bits", written here as literals, independently of the
 * <asm/svm.h> names the code uses. vlapic_svm_hw runs the same
 * accessors on the CPU.
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/stddef.h>

#include <vlapic/svm.h>

#include "lapic_env.h"

/* APM appendix B, table B-1 (control area offsets, bytes). */
#define APM_INTERCEPT_CR	0x000
#define APM_INTERCEPT_MISC1	0x00c
#define APM_V_TPR		0x060	/* int_ctl, dword */
#define APM_V_INTR_VECTOR	0x064
#define APM_INT_STATE		0x068
#define APM_EXITCODE		0x070
#define APM_EXITINTINFO		0x088
#define APM_EVENTINJ		0x0a8
#define APM_CLEAN		0x0c0

static struct vmcb *vmcb_new(struct kunit *test)
{
	struct vmcb *vmcb = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vmcb);
	return vmcb;
}

static u32 vmcb_dword(const struct vmcb *vmcb, unsigned int off)
{
	return *(const u32 *)((const u8 *)vmcb + off);
}

/* The fields land at the APM's offsets and bits. */
static void vmcb_layout(struct kunit *test)
{
	struct vmcb *vmcb = vmcb_new(test);
	struct svm_vintr_fields f = {
		.v_tpr = 0x5, .v_irq = true, .v_intr_prio = 0x3,
		.v_ign_tpr = true, .v_intr_vector = 0x33,
		.intercept_cr8_write = true, .intercept_vintr = true,
		.event_inj = 0x51 | SVM_EVTINJ_VALID,
	};

	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.int_ctl),
			APM_V_TPR);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.int_vector),
			APM_V_INTR_VECTOR);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.int_state),
			APM_INT_STATE);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.exit_code),
			APM_EXITCODE);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.exit_int_info),
			APM_EXITINTINFO);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.event_inj),
			APM_EVENTINJ);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmcb, control.clean), APM_CLEAN);

	svm_vmcb_load_intr(vmcb, &f);
	/*
	 * 060h: V_TPR 3:0, V_IRQ 8, V_INTR_PRIO 19:16, V_IGN_TPR 20,
	 * V_INTR_MASKING 24; 064h: V_INTR_VECTOR 7:0.
	 */
	KUNIT_EXPECT_EQ(test, vmcb_dword(vmcb, APM_V_TPR),
			0x5 | BIT(8) | (0x3 << 16) | BIT(20) | BIT(24));
	KUNIT_EXPECT_EQ(test, vmcb_dword(vmcb, APM_V_INTR_VECTOR), 0x33);
	/* 000h bits 31:16 intercept CR0-15 writes: CR8 is bit 24. */
	KUNIT_EXPECT_EQ(test, vmcb_dword(vmcb, APM_INTERCEPT_CR), BIT(24));
	/* 00Ch bit 4: VINTR. */
	KUNIT_EXPECT_EQ(test, vmcb_dword(vmcb, APM_INTERCEPT_MISC1), BIT(4));
	KUNIT_EXPECT_EQ(test, vmcb_dword(vmcb, APM_EVENTINJ), 0x51 | BIT(31));
}

/* Bits the run loop owns (AVIC enable, V_GIF, other intercepts) stay. */
static void vmcb_keeps_foreign_bits(struct kunit *test)
{
	struct vmcb *vmcb = vmcb_new(test);
	struct svm_vintr_fields f = { .v_tpr = 0xf };

	vmcb->control.int_ctl = BIT(31) | BIT(25) | BIT(9) | V_IRQ_MASK | 0x3;
	vmcb->control.intercepts[INTERCEPT_CR] = BIT(0) | BIT(16) | BIT(24);
	vmcb->control.intercepts[INTERCEPT_WORD3] = BIT(0) | BIT(4);
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.int_ctl,
			BIT(31) | BIT(25) | BIT(9) | BIT(24) | 0xf);
	KUNIT_EXPECT_EQ(test, vmcb->control.intercepts[INTERCEPT_CR],
			BIT(0) | BIT(16));
	KUNIT_EXPECT_EQ(test, vmcb->control.intercepts[INTERCEPT_WORD3],
			BIT(0));
}

/* A clean bit is cleared exactly when its group changes. */
static void vmcb_clean_bits(struct kunit *test)
{
	struct vmcb *vmcb = vmcb_new(test);
	struct svm_vintr_fields f = { .v_tpr = 2 };

	svm_vmcb_load_intr(vmcb, &f);
	vmcb->control.clean = ~0U;
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.clean, ~0U);

	f.v_tpr = 3;
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.clean, (u32)~BIT(3));

	vmcb->control.clean = ~0U;
	f.intercept_cr8_write = true;
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.clean, (u32)~BIT(0));

	vmcb->control.clean = ~0U;
	f.v_intr_vector = 0x40;
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.clean, (u32)~BIT(3));

	/* EVENTINJ is not cached: no clean bit. */
	vmcb->control.clean = ~0U;
	f.event_inj = 0x41 | SVM_EVTINJ_VALID;
	svm_vmcb_load_intr(vmcb, &f);
	KUNIT_EXPECT_EQ(test, vmcb->control.clean, ~0U);
}

/* What the CPU left is read back; EVENTINJ is consumed. */
static void vmcb_save(struct kunit *test)
{
	struct vmcb *vmcb = vmcb_new(test);
	struct svm_vintr_fields f = {
		.v_tpr = 4, .v_irq = true, .v_intr_prio = 6,
		.v_intr_vector = 0x61, .intercept_vintr = true,
		.event_inj = 0x41 | SVM_EVTINJ_VALID,
	}, back;

	svm_vmcb_load_intr(vmcb, &f);
	/* The guest wrote CR8 = 9 without an exit. */
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~0xfU) | 9;
	svm_vmcb_save_intr(vmcb, &back);
	KUNIT_EXPECT_EQ(test, back.v_tpr, 9);
	KUNIT_EXPECT_TRUE(test, back.v_irq);
	KUNIT_EXPECT_EQ(test, back.v_intr_prio, 6);
	KUNIT_EXPECT_FALSE(test, back.v_ign_tpr);
	KUNIT_EXPECT_EQ(test, back.v_intr_vector, 0x61);
	KUNIT_EXPECT_TRUE(test, back.intercept_vintr);
	KUNIT_EXPECT_FALSE(test, back.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, back.event_inj, 0);
}

/* EXITINTINFO: only a valid external interrupt is handed back. */
static void vmcb_exit_intr_vector(struct kunit *test)
{
	struct vmcb *vmcb = vmcb_new(test);

	KUNIT_EXPECT_EQ(test, svm_vmcb_exit_intr_vector(vmcb), -1);
	/* Valid (31), type 0 (INTR), vector 0x41. */
	vmcb->control.exit_int_info = BIT(31) | 0x41;
	KUNIT_EXPECT_EQ(test, svm_vmcb_exit_intr_vector(vmcb), 0x41);
	/* NMI (type 2) and exceptions (type 3) are not the vLAPIC's. */
	vmcb->control.exit_int_info = BIT(31) | (2 << 8) | 2;
	KUNIT_EXPECT_EQ(test, svm_vmcb_exit_intr_vector(vmcb), -1);
	vmcb->control.exit_int_info = BIT(31) | (3 << 8) | 14;
	KUNIT_EXPECT_EQ(test, svm_vmcb_exit_intr_vector(vmcb), -1);
	vmcb->control.exit_int_info = 0x41;
	KUNIT_EXPECT_EQ(test, svm_vmcb_exit_intr_vector(vmcb), -1);
}

/*
 * EXITINTINFO classified: what the run loop puts back, and what it drops
 * because VMRUN would refuse it in EVENTINJ (an "exception" with an
 * interrupt's vector: QEMU's record of its own second delivery, seen in
 * a trace as 0x355 after EVENTINJ 0x80000055).
 */
static void vmcb_exit_event(struct kunit *test)
{
	static const struct {
		u32 info;
		enum svm_exit_event ev;
		u8 vector;
	} cases[] = {
		{ 0, SVM_EXIT_EVENT_NONE, 0 },
		{ 0x355, SVM_EXIT_EVENT_NONE, 0 },	/* not valid */
		{ BIT(31) | 0x41, SVM_EXIT_EVENT_INTR, 0x41 },
		{ BIT(31) | (2 << 8) | 2, SVM_EXIT_EVENT_NMI, 2 },
		{ BIT(31) | (3 << 8) | 14, SVM_EXIT_EVENT_EXCEPTION, 14 },
		{ BIT(31) | (3 << 8) | 0, SVM_EXIT_EVENT_EXCEPTION, 0 },
		{ BIT(31) | (3 << 8) | 31, SVM_EXIT_EVENT_EXCEPTION, 31 },
		{ BIT(31) | (3 << 8) | 2, SVM_EXIT_EVENT_BAD, 2 },
		{ BIT(31) | (3 << 8) | 32, SVM_EXIT_EVENT_BAD, 32 },
		{ BIT(31) | (3 << 8) | 0x55, SVM_EXIT_EVENT_BAD, 0x55 },
		{ BIT(31) | (1 << 8) | 0x41, SVM_EXIT_EVENT_BAD, 0x41 },
		{ BIT(31) | (4 << 8) | 0x80, SVM_EXIT_EVENT_NONE, 0x80 },
	};
	struct vmcb *vmcb = vmcb_new(test);
	unsigned int i;
	u8 vector;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vmcb->control.exit_int_info = cases[i].info;
		KUNIT_EXPECT_EQ_MSG(test, svm_vmcb_exit_event(vmcb, &vector),
				    cases[i].ev, "EXITINTINFO %#x",
				    cases[i].info);
		KUNIT_EXPECT_EQ_MSG(test, vector, cases[i].vector,
				    "EXITINTINFO %#x", cases[i].info);
	}
}

static struct svm_vlapic *sv_new(struct kunit *test, struct lapic_env **envp)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct svm_vlapic *sv = kunit_kzalloc(test, sizeof(*sv), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sv);
	svm_vlapic_init(sv);
	vlapic_set_ops(env->v[0], &svm_vlapic_ops, sv);
	apic_sw_enable(env->v[0]);
	*envp = env;
	return sv;
}

/* ExtINT: V_IGN_TPR window at IF=0, EVENTINJ at IF=1 (event consumed). */
static void svm_entry_extint(struct kunit *test)
{
	struct lapic_env *env;
	struct svm_vintr_fields f;
	struct svm_guest_state g = { .extint = true, .extint_vector = 0x20 };
	struct vlapic *v;

	sv_new(test, &env);
	v = env->v[0];
	wr(v, APIC_LVT0, APIC_DM_EXTINT);
	wr(v, APIC_TASKPRI, 0xf0);
	vlapic_set_lint(v, 0, true);
	KUNIT_ASSERT_TRUE(test, vlapic_pending_events(v) & VLAPIC_EVENT_EXTINT);

	KUNIT_EXPECT_EQ(test, svm_vlapic_prepare_entry(v, &g, &f), -1);
	KUNIT_EXPECT_TRUE(test, f.v_irq);
	KUNIT_EXPECT_TRUE(test, f.v_ign_tpr);
	KUNIT_EXPECT_TRUE(test, f.intercept_vintr);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0);
	KUNIT_EXPECT_EQ(test, f.v_tpr, 0xf);
	KUNIT_EXPECT_TRUE(test, vlapic_pending_events(v) & VLAPIC_EVENT_EXTINT);

	g.interruptible = true;
	KUNIT_EXPECT_EQ(test, svm_vlapic_prepare_entry(v, &g, &f), 0x20);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0x20 | SVM_EVTINJ_VALID);
	KUNIT_EXPECT_FALSE(test, f.v_irq);
	KUNIT_EXPECT_FALSE(test, vlapic_pending_events(v) & VLAPIC_EVENT_EXTINT);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(v), -1);
}

/*
 * A re-injection from EXITINTINFO goes first: nothing new is acknowledged
 * (a higher vector stays in IRR, behind a window), the ISR is unchanged.
 */
static void svm_entry_reinject_first(struct kunit *test)
{
	struct lapic_env *env;
	struct svm_vintr_fields f;
	struct svm_guest_state g = { .interruptible = true };
	struct vlapic *v;

	sv_new(test, &env);
	v = env->v[0];
	send_fixed(env, 0, 0x41, false);
	KUNIT_ASSERT_EQ(test, svm_vlapic_prepare_entry(v, &g, &f), 0x41);
	/* The delivery of 0x41 was cut short; meanwhile 0x92 arrived. */
	send_fixed(env, 0, 0x92, false);
	g.reinject = true;
	g.reinject_vector = 0x41;
	KUNIT_EXPECT_EQ(test, svm_vlapic_prepare_entry(v, &g, &f), 0x41);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0x41 | SVM_EVTINJ_VALID);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x92));
	KUNIT_EXPECT_FALSE(test, isr_test(v, 0x92));
	/* 0x92 outranks 0x41: its window opens once the handler sets IF. */
	KUNIT_EXPECT_TRUE(test, f.v_irq);
	KUNIT_EXPECT_EQ(test, f.v_intr_prio, 9);

	g.reinject = false;
	KUNIT_EXPECT_EQ(test, svm_vlapic_prepare_entry(v, &g, &f), 0x92);
	KUNIT_EXPECT_TRUE(test, isr_test(v, 0x92));
	KUNIT_EXPECT_TRUE(test, isr_test(v, 0x41));
}

static struct kunit_case vmcb_cases[] = {
	KUNIT_CASE(vmcb_layout),
	KUNIT_CASE(vmcb_keeps_foreign_bits),
	KUNIT_CASE(vmcb_clean_bits),
	KUNIT_CASE(vmcb_save),
	KUNIT_CASE(vmcb_exit_intr_vector),
	KUNIT_CASE(vmcb_exit_event),
	KUNIT_CASE(svm_entry_extint),
	KUNIT_CASE(svm_entry_reinject_first),
	{}
};

static struct kunit_suite vmcb_suite = {
	.name = "vlapic_vmcb",
	.test_cases = vmcb_cases,
	.exit = env_exit,
};

kunit_test_suite(vmcb_suite);
