// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_svm: the SVM decisions (svm/intr.c) driven through the APM model
 * (tests/model/svm_model.c) and a reference local APIC: injection, V_TPR,
 * the CR8 write intercept, seed 003's Windows IRQL pattern with its exact
 * exit count, and a randomized run checking the intercept's two promises
 * (no missed priority drop, no needless exit).
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include <vlapic/svm.h>

#include "../model/model.h"

#define RIG_MAX_LOG	64

/**
 * struct svm_rig - a VMM (reference APIC + svm/intr.c) and a CPU (model).
 * @l: the reference APIC.
 * @f: the VMCB fields.
 * @m: the CPU.
 * @test: for assertions inside the helpers.
 * @guest_cr8: CR8 as the guest last wrote it.
 * @log: vectors delivered, in order.
 * @nlog: entries in @log.
 * @kicks: exits for interrupts arriving from elsewhere.
 */
struct svm_rig {
	struct ref_lapic l;
	struct svm_vintr_fields f;
	struct svm_model m;
	struct kunit *test;
	u8 guest_cr8;
	int log[RIG_MAX_LOG];
	unsigned int nlog;
	unsigned int kicks;
};

static struct svm_rig *svm_rig_new(struct kunit *test)
{
	struct svm_rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->m.f = &r->f;
	r->m.rflags_if = true;
	r->test = test;
	return r;
}

/* The VMM sets TPR (exit handler, restore): the tpr_updated hook runs. */
static void svm_rig_set_tpr(struct svm_rig *r, u8 tpr)
{
	r->l.tpr = tpr;
	svm_tpr_updated(&r->f, tpr);
}

/* First thing after #VMEXIT: take back unintercepted CR8 writes. */
static void svm_rig_exit(struct svm_rig *r)
{
	svm_rig_set_tpr(r, svm_exit_tpr(&r->f, r->l.tpr));
}

/*
 * The VMM before VMRUN, then VMRUN; loops over VINTR exits.
 * Checks the guest never receives a vector at or below its CR8 or PPR.
 */
static int svm_rig_run(struct svm_rig *r)
{
	struct kunit *test = r->test;
	struct apicv_intr_state s;
	int exit, vector, delivered = -1;

	do {
		struct svm_guest_state g = {
			.interruptible = r->m.rflags_if,
		};

		ref_lapic_state(&r->l, &s);
		if (svm_inject(&r->f, &s, &g) == SVM_INJECT_EVENTINJ) {
			KUNIT_EXPECT_GT(test, apicv_class(s.max_irr),
					apicv_class(ref_lapic_ppr(&r->l)));
			KUNIT_EXPECT_EQ(test, ref_lapic_ack(&r->l), s.max_irr);
		}
		ref_lapic_state(&r->l, &s);
		svm_prepare_entry(&r->f, &s);
		KUNIT_EXPECT_EQ(test, r->f.v_tpr, r->l.tpr >> 4);
		exit = svm_model_vmrun(&r->m, &vector);
		if (exit)
			svm_rig_exit(r);
		if (vector >= 0) {
			KUNIT_EXPECT_GT_MSG(test, apicv_class(vector),
					    r->guest_cr8,
					    "vector %#x at CR8 %u", vector,
					    r->guest_cr8);
			if (r->nlog < RIG_MAX_LOG)
				r->log[r->nlog++] = vector;
			delivered = vector;
		}
	} while (exit == SVM_EXIT_VINTR);
	KUNIT_EXPECT_EQ(test, exit, 0);
	return delivered;
}

/* An interrupt arrives from another CPU: IRR, kick, exit, entry. */
static int svm_rig_irq(struct svm_rig *r, u8 vector)
{
	svm_rig_exit(r);
	apicv_vec_set(r->l.irr, vector);
	r->kicks++;
	return svm_rig_run(r);
}

/* The guest writes CR8. Returns the vector delivered as a result, or -1. */
static int svm_rig_cr8(struct svm_rig *r, u8 val)
{
	int exit;

	r->guest_cr8 = val;
	exit = svm_model_mov_cr8(&r->m, val);
	if (exit == SVM_EXIT_WRITE_CR8) {
		/* Exit handler: emulate the write, nothing else. */
		svm_rig_exit(r);
		svm_rig_set_tpr(r, r->m.cr8_written << 4);
		return svm_rig_run(r);
	}
	if (exit == SVM_EXIT_VINTR) {
		svm_rig_exit(r);
		return svm_rig_run(r);
	}
	return -1;
}

/* The guest writes EOI (an intercepted MMIO or MSR write). */
static int svm_rig_eoi(struct svm_rig *r)
{
	svm_rig_exit(r);
	ref_lapic_eoi(&r->l);
	return svm_rig_run(r);
}

/* The guest sets IF (STI, IRET). */
static int svm_rig_sti(struct svm_rig *r)
{
	if (svm_model_sti(&r->m) == SVM_EXIT_VINTR) {
		svm_rig_exit(r);
		return svm_rig_run(r);
	}
	return -1;
}

/* The rule for every class of TPR, ISR (or none) and IRR, TPR[3:0] = @sub. */
static void svm_cr8_rule_check(struct kunit *test, u8 sub)
{
	int tpr, isr, irr;

	for (tpr = 0; tpr < 16; tpr++) {
		for (isr = -1; isr < 16; isr++) {
			for (irr = -1; irr < 16; irr++) {
				struct apicv_intr_state s = {
					.tpr = tpr << 4 | sub,
					.max_isr = isr < 1 ? -1 : isr << 4 | 3,
					.max_irr = irr < 1 ? -1 : irr << 4 | 5,
				};
				u8 ppr = apicv_ppr(s.tpr, s.max_isr);
				u8 ppr0 = apicv_ppr(0, s.max_isr);
				bool only_tpr =
					!apicv_deliverable(s.max_irr, ppr) &&
					apicv_deliverable(s.max_irr, ppr0);

				KUNIT_EXPECT_EQ_MSG(test,
						    svm_cr8_intercept(&s),
						    only_tpr || sub,
						    "tpr %x isr %x irr %x",
						    s.tpr, s.max_isr, s.max_irr);
			}
		}
	}
}

/*
 * The intercept rule against its meaning: intercept iff the highest
 * requested vector is not deliverable now but would be at TPR 0, or
 * TPR[3:0] is set (a CR8 write of TPR's own class must clear it, and
 * only an exit shows such a write).
 */
static void svm_cr8_intercept_rule(struct kunit *test)
{
	svm_cr8_rule_check(test, 0);
	svm_cr8_rule_check(test, 0xa);
}

/* V_TPR is TPR[7:4] for every TPR; V_TPR changes come back as CR8. */
static void svm_v_tpr_sync(struct kunit *test)
{
	struct svm_vintr_fields f = { .v_tpr = 0x7 };
	struct apicv_intr_state s = { .max_irr = -1, .max_isr = -1 };
	int tpr;

	for (tpr = 0; tpr < 256; tpr++) {
		s.tpr = tpr;
		svm_prepare_entry(&f, &s);
		KUNIT_EXPECT_EQ(test, f.v_tpr, tpr >> 4);
		/* No CR8 write: TPR kept, low bits included. */
		KUNIT_EXPECT_EQ(test, svm_exit_tpr(&f, tpr), tpr);
	}
	f.v_tpr = 0x3;
	KUNIT_EXPECT_EQ(test, svm_exit_tpr(&f, 0xf5), 0x30);
	f.v_tpr = 0xf;
	KUNIT_EXPECT_EQ(test, svm_exit_tpr(&f, 0xf5), 0xf5);
}

/* EVENTINJ when it can be taken, else a window; nothing left stale. */
static void svm_injection_choice(struct kunit *test)
{
	struct svm_vintr_fields f = {};
	struct apicv_intr_state s = { .max_irr = 0x51, .max_isr = -1,
				      .tpr = 0x20 };
	struct svm_guest_state g = { .interruptible = true };

	KUNIT_EXPECT_EQ(test, svm_inject(&f, &s, &g), SVM_INJECT_EVENTINJ);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0x51 | SVM_EVTINJ_VALID);
	KUNIT_EXPECT_FALSE(test, f.v_irq);
	KUNIT_EXPECT_FALSE(test, f.intercept_vintr);

	g.interruptible = false;
	KUNIT_EXPECT_EQ(test, svm_inject(&f, &s, &g), SVM_INJECT_WINDOW);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0);
	KUNIT_EXPECT_TRUE(test, f.v_irq);
	KUNIT_EXPECT_EQ(test, f.v_intr_prio, 5);
	KUNIT_EXPECT_FALSE(test, f.v_ign_tpr);
	KUNIT_EXPECT_TRUE(test, f.intercept_vintr);

	/* Held back by PPR: no window, the previous one is withdrawn. */
	s.max_isr = 0x61;
	KUNIT_EXPECT_EQ(test, svm_inject(&f, &s, &g), SVM_INJECT_NONE);
	KUNIT_EXPECT_FALSE(test, f.v_irq);
	KUNIT_EXPECT_FALSE(test, f.intercept_vintr);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0);

	/* ExtINT ignores PPR and TPR. */
	g.extint = true;
	g.extint_vector = 0x08;
	KUNIT_EXPECT_EQ(test, svm_inject(&f, &s, &g), SVM_INJECT_WINDOW);
	KUNIT_EXPECT_TRUE(test, f.v_ign_tpr);
	KUNIT_EXPECT_TRUE(test, f.intercept_vintr);
	g.interruptible = true;
	KUNIT_EXPECT_EQ(test, svm_inject(&f, &s, &g), SVM_INJECT_EVENTINJ);
	KUNIT_EXPECT_EQ(test, f.event_inj, 0x08 | SVM_EVTINJ_VALID);
}

/*
 * The window opens only below V_INTR_PRIO: a guest that raises CR8 above
 * the pending class before STI takes no exit; lowering CR8 later opens it
 * with no CR8 intercept needed.
 */
static void svm_window_respects_v_tpr(struct kunit *test)
{
	struct svm_rig *r = svm_rig_new(test);

	r->m.rflags_if = false;
	KUNIT_EXPECT_EQ(test, svm_rig_irq(r, 0x51), -1);
	KUNIT_EXPECT_TRUE(test, r->f.v_irq);
	KUNIT_EXPECT_FALSE(test, r->f.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 0x6), -1);
	KUNIT_EXPECT_EQ(test, svm_rig_sti(r), -1);
	KUNIT_EXPECT_EQ(test, r->m.vintr_exits, 0);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 0x5), -1);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 0x4), 0x51);
	KUNIT_EXPECT_EQ(test, r->m.vintr_exits, 1);
	KUNIT_EXPECT_EQ(test, r->m.cr8_exits, 0);
	KUNIT_EXPECT_EQ(test, r->l.tpr, 0x40);
	KUNIT_EXPECT_EQ(test, r->m.bad_injections, 0);
}

/*
 * Seed 003: Windows' IRQL pattern with N nested spinlocks. Timer 0xd1
 * (class 0xd) arrives under spinlock 1 (CR8 2); its ISR queues the DPC
 * self-IPI 0x2f (class 2) and EOIs. The DPC is now held back only by the
 * TPR until spinlock 1 is released. Every CR8 write in that span must
 * exit, no other may: 2N - 1 exits (docs/apicv.md derives the minimum),
 * and the DPC is delivered by the release of spinlock 1, not earlier.
 */
static void svm_seed003_one(struct kunit *test, unsigned int n)
{
	struct svm_rig *r = svm_rig_new(test);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 2), -1);		/* lock 1 */
	KUNIT_EXPECT_EQ(test, svm_rig_irq(r, 0xd1), 0xd1);	/* timer */
	KUNIT_EXPECT_EQ(test, svm_rig_irq(r, 0x2f), -1);	/* DPC IPI */
	KUNIT_EXPECT_FALSE(test, r->f.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, svm_rig_eoi(r), -1);		/* timer EOI */
	KUNIT_EXPECT_TRUE(test, r->f.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, svm_rig_sti(r), -1);		/* IRET */
	for (i = 2; i <= n; i++)
		KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 2), -1);	/* lock i */
	for (i = n; i >= 2; i--)
		KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 2), -1);	/* unlock i */
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 0), 0x2f);	/* unlock 1 */
	KUNIT_EXPECT_FALSE(test, r->f.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 2), -1);		/* DPC level */
	KUNIT_EXPECT_EQ(test, svm_rig_eoi(r), -1);		/* DPC EOI */
	KUNIT_EXPECT_EQ(test, svm_rig_sti(r), -1);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 0), -1);		/* PASSIVE */

	KUNIT_EXPECT_EQ_MSG(test, r->m.cr8_exits, 2 * n - 1, "N = %u", n);
	KUNIT_EXPECT_EQ(test, r->nlog, 2);
	KUNIT_EXPECT_EQ(test, r->log[0], 0xd1);
	KUNIT_EXPECT_EQ(test, r->log[1], 0x2f);
	KUNIT_EXPECT_EQ(test, r->m.vintr_exits, 0);
	KUNIT_EXPECT_EQ(test, r->m.bad_injections, 0);
	KUNIT_EXPECT_FALSE(test, r->f.intercept_cr8_write);
	/* The last write ran without an exit: the next exit takes it. */
	KUNIT_EXPECT_EQ(test, r->f.v_tpr, 0);
	svm_rig_exit(r);
	KUNIT_EXPECT_EQ(test, r->l.tpr, 0);
}

static void svm_seed003_nested_spinlocks(struct kunit *test)
{
	unsigned int n;

	for (n = 1; n <= 6; n++)
		svm_seed003_one(test, n);
}

/*
 * Peer bug (KVM AVIC): a TPR set by state restore never reached V_TPR.
 * Restore TPR 0xf0 with 0x80 pending: V_TPR is 0xf at once, lowering CR8
 * to 9 exits but delivers nothing, lowering it to 7 delivers 0x80.
 */
static void svm_restored_tpr_reaches_v_tpr(struct kunit *test)
{
	struct svm_rig *r = svm_rig_new(test);

	/* Restore, vCPU out of the guest: IRR, then TPR through the hook. */
	apicv_vec_set(r->l.irr, 0x80);
	svm_rig_set_tpr(r, 0xf0);
	r->guest_cr8 = 0xf;
	KUNIT_EXPECT_EQ(test, r->f.v_tpr, 0xf);
	KUNIT_EXPECT_EQ(test, svm_rig_run(r), -1);
	KUNIT_EXPECT_EQ(test, r->f.v_tpr, 0xf);
	KUNIT_EXPECT_TRUE(test, r->f.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 9), -1);
	KUNIT_EXPECT_EQ(test, svm_rig_cr8(r, 7), 0x80);
	KUNIT_EXPECT_EQ(test, r->m.cr8_exits, 2);
}

/*
 * Random guest: CR8 writes, interrupts, EOIs, IF toggles. After every
 * step: (1) nothing deliverable is left undelivered while the guest is
 * interruptible (no missed priority drop), (2) every CR8 exit was taken
 * while a vector was held back only by the TPR (no needless exit), and
 * the run helper checks nothing is delivered at or below CR8.
 */
static void svm_random_guest(struct kunit *test)
{
	struct svm_rig *r = svm_rig_new(test);
	struct rnd_state rnd;
	unsigned int step, exits_before;
	struct apicv_intr_state s;
	u8 ppr;

	prandom_seed_state(&rnd, 0x5eed003);
	for (step = 0; step < 20000; step++) {
		u32 op = prandom_u32_state(&rnd) % 8;
		bool held_only_by_tpr;

		ref_lapic_state(&r->l, &s);
		held_only_by_tpr = svm_cr8_intercept(&s);
		exits_before = r->m.cr8_exits;
		switch (op) {
		case 0:
		case 1:
		case 2:
			svm_rig_cr8(r, prandom_u32_state(&rnd) % 16);
			KUNIT_EXPECT_TRUE(test, r->m.cr8_exits ==
					  exits_before || held_only_by_tpr);
			break;
		case 3:
		case 4:
			svm_rig_irq(r, 16 + prandom_u32_state(&rnd) % 240);
			break;
		case 5:
			svm_rig_eoi(r);
			break;
		case 6:
			svm_rig_sti(r);
			break;
		case 7:
			r->m.rflags_if = false;
			break;
		}
		r->nlog = 0;
		/* The guest's TPR is V_TPR when it changed without an exit. */
		ref_lapic_state(&r->l, &s);
		ppr = apicv_ppr(svm_exit_tpr(&r->f, r->l.tpr), s.max_isr);
		if (r->m.rflags_if)
			KUNIT_ASSERT_FALSE_MSG(test,
					       apicv_deliverable(s.max_irr, ppr),
					       "step %u: %#x left pending",
					       step, s.max_irr);
	}
	KUNIT_EXPECT_EQ(test, r->m.bad_injections, 0);
	KUNIT_EXPECT_EQ(test, r->m.virq_taken, 0);
}

static struct kunit_case svm_cases[] = {
	KUNIT_CASE(svm_cr8_intercept_rule),
	KUNIT_CASE(svm_v_tpr_sync),
	KUNIT_CASE(svm_injection_choice),
	KUNIT_CASE(svm_window_respects_v_tpr),
	KUNIT_CASE(svm_seed003_nested_spinlocks),
	KUNIT_CASE(svm_restored_tpr_reaches_v_tpr),
	KUNIT_CASE(svm_random_guest),
	{}
};

static struct kunit_suite svm_suite = {
	.name = "vlapic_svm",
	.test_cases = svm_cases,
};

kunit_test_suite(svm_suite);
