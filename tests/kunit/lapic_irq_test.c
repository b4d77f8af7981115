// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_irq: PPR, acceptance, acknowledge, EOI and nesting, TMR and
 * level EOI broadcast, the wake predicate, LINT pins, non-vectored events.
 */

#include "lapic_env.h"

static void irq_ppr_exhaustive(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	unsigned int tpr, isr_class;

	apic_sw_enable(v);
	/* Every TPR value against every ISR class (0: ISR empty). */
	for (isr_class = 0; isr_class < 16; isr_class++) {
		u8 vec = isr_class << 4 | 0x5;

		if (isr_class >= 1) {
			wr(v, APIC_TASKPRI, 0);
			send_fixed(env, 0, vec, false);
			KUNIT_ASSERT_EQ(test, vlapic_ack(v), vec);
		}
		for (tpr = 0; tpr < 256; tpr++) {
			u32 expect;

			wr(v, APIC_TASKPRI, tpr);
			if (isr_class >= 1 && (tpr & 0xf0) < (vec & 0xf0))
				expect = vec & 0xf0;
			else
				expect = tpr;
			KUNIT_ASSERT_EQ_MSG(test, rd(v, APIC_PROCPRI), expect,
					    "tpr %#x isr %#x", tpr, vec);
			KUNIT_ASSERT_EQ(test, vlapic_ppr(v), expect);
		}
		if (isr_class >= 1) {
			wr(v, APIC_EOI, 0);
			KUNIT_ASSERT_FALSE(test, isr_test(v, vec));
		}
	}
}

static void irq_accept_ack_eoi_nesting(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	send_fixed(env, 0, 0x31, false);
	send_fixed(env, 0, 0x32, false);
	send_fixed(env, 0, 0x81, false);
	KUNIT_EXPECT_EQ(test, env->kicks[0], 3);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(v), 0x81);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x81);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0x80);
	/* Class 3 is below PPR 0x80: nothing deliverable, but pending. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), -1);
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(v));
	/* A higher class nests. */
	send_fixed(env, 0, 0xa0, false);
	KUNIT_EXPECT_TRUE(test, vlapic_has_deliverable(v));
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0xa0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(v), 0xa0);
	/* EOI clears the highest ISR bit first. */
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, isr_test(v, 0xa0));
	KUNIT_EXPECT_TRUE(test, isr_test(v, 0x81));
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0x80);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0);
	/* Within a class, the higher vector first. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x32);
	/* Same class as ISR: blocked until EOI. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), -1);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x31);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(v), -1);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(v), -1);
	/* A spurious EOI is counted and harmless. */
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_SPURIOUS_EOI), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ACKED), 4);
	/* By class: 0x81, 0xa0, 0x32, 0x31. */
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ACKED_CLASS0 + 3), 2);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ACKED_CLASS0 + 8), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ACKED_CLASS0 + 0xa), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_EOI), 4);
}

static void irq_coalescing(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	send_fixed(env, 0, 0x40, false);
	send_fixed(env, 0, 0x40, false);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_FIXED_ACCEPTED), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_FIXED_COALESCED), 1);
	/* In service and pending again: both bits, as hardware. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x40);
	send_fixed(env, 0, 0x40, false);
	KUNIT_EXPECT_TRUE(test, isr_test(v, 0x40));
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x40));
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x40);
}

static void irq_illegal_vectors(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	unsigned int vec;

	apic_sw_enable(v);
	for (vec = 0; vec < 16; vec++)
		send_fixed(env, 0, vec, false);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(v), -1);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_IRR), 0);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_RX_ILLEGAL_VECTOR), 16);
	send_fixed(env, 0, 16, false);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_IRR), BIT(16));
}

static void irq_tmr_and_eoi_broadcast(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	send_fixed(env, 0, 0x61, true);
	send_fixed(env, 0, 0x62, false);
	KUNIT_EXPECT_TRUE(test, tmr_test(v, 0x61));
	KUNIT_EXPECT_FALSE(test, tmr_test(v, 0x62));
	KUNIT_EXPECT_TRUE(test, vlapic_test_tmr(v, 0x61));
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x62);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, env->nr_eoi, 0);	/* edge: no broadcast */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x61);
	wr(v, APIC_EOI, 0);
	KUNIT_ASSERT_EQ(test, env->nr_eoi, 1);
	KUNIT_EXPECT_EQ(test, env->eoi_vector[0], 0x61);
	/* A later edge delivery of the vector clears its TMR bit. */
	send_fixed(env, 0, 0x61, false);
	KUNIT_EXPECT_FALSE(test, tmr_test(v, 0x61));

	/* Directed EOI: SVR bit 12 suppresses the broadcast. */
	wr(v, APIC_SPIV, 0x11ff);
	send_fixed(env, 0, 0x71, true);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x71);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, env->nr_eoi, 1);
	KUNIT_EXPECT_FALSE(test, isr_test(v, 0x71));
}

static void irq_eoi_vector_accelerated(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	send_fixed(env, 0, 0x51, true);
	send_fixed(env, 0, 0x91, false);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x91);
	wr(v, APIC_TASKPRI, 0);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), -1);
	/* EOI of a named vector (VMX EOI-induced exit). */
	vlapic_eoi_vector(v, 0x91);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x51);
	vlapic_eoi_vector(v, 0x51);
	KUNIT_ASSERT_EQ(test, env->nr_eoi, 1);
	KUNIT_EXPECT_EQ(test, env->eoi_vector[0], 0x51);
	/*
	 * With virtual-interrupt delivery the CPU clears the ISR bit in the
	 * page before the EOI-induced exit: still an EOI, still broadcast.
	 */
	send_fixed(env, 0, 0x52, true);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x52);
	*(u32 *)(vlapic_regs_page(v) + APIC_ISR + (0x52 >> 5) * 16) &=
		~BIT(0x52 & 31);
	vlapic_eoi_vector(v, 0x52);
	KUNIT_ASSERT_EQ(test, env->nr_eoi, 2);
	KUNIT_EXPECT_EQ(test, env->eoi_vector[1], 0x52);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(v), -1);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_SPURIOUS_EOI), 0);
}

/*
 * Seed 004 at the vLAPIC level: halted at PPR 0x70 with 0x60 and 0x61
 * pending, a 0xd3 arrives: the wake predicate must turn true and the
 * vCPU must be kicked, whatever was pending before.
 */
static void irq_seed004_wake_above_ppr(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	unsigned int kicks;

	apic_sw_enable(v);
	wr(v, APIC_TASKPRI, 0x70);
	send_fixed(env, 0, 0x60, false);
	send_fixed(env, 0, 0x61, false);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0x70);
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(v));
	kicks = env->kicks[0];
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(v, APIC_LVTT, 0xd3);
	wr(v, APIC_TMICT, 10);
	fake_clock_advance(&env->fc, 10);
	KUNIT_EXPECT_EQ(test, env->kicks[0], kicks + 1);
	KUNIT_EXPECT_TRUE(test, vlapic_has_deliverable(v));
	KUNIT_EXPECT_EQ(test, vlapic_pending_vector(v), 0xd3);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0xd3);
}

static void irq_sw_disabled_not_deliverable(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	send_fixed(env, 0, 0x80, false);
	wr(v, APIC_SPIV, 0xff);
	/* Held in IRR, not delivered while disabled. */
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x80));
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(v));
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), -1);
	apic_sw_enable(v);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x80);
}

static void irq_lint_pins(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	/* LINT1 as NMI, edge: one NMI per rising edge. */
	wr(v, APIC_LVT1, APIC_DM_NMI);
	vlapic_set_lint(v, 1, true);
	vlapic_set_lint(v, 1, true);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_NMI), 1);
	vlapic_set_lint(v, 1, false);
	vlapic_set_lint(v, 1, true);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_NMI), 2);

	/* LINT0 fixed, level: remote IRR until EOI, then again if held. */
	wr(v, APIC_LVT0, APIC_LVT_LEVEL_TRIGGER | 0x55);
	vlapic_set_lint(v, 0, true);
	KUNIT_EXPECT_TRUE(test, rd(v, APIC_LVT0) & APIC_LVT_REMOTE_IRR);
	KUNIT_EXPECT_TRUE(test, tmr_test(v, 0x55));
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x55);
	vlapic_set_lint(v, 0, true);	/* still asserted: no new delivery */
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x55));
	vlapic_set_lint(v, 0, false);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, rd(v, APIC_LVT0) & APIC_LVT_REMOTE_IRR);
	vlapic_set_lint(v, 0, true);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x55));

	/* ExtINT on LINT0 raises the ExtINT event. */
	wr(v, APIC_LVT0, APIC_DM_EXTINT);
	vlapic_set_lint(v, 0, false);
	vlapic_set_lint(v, 0, true);
	KUNIT_EXPECT_TRUE(test, vlapic_pending_events(v) & VLAPIC_EVENT_EXTINT);
	/* Masked: nothing. */
	wr(v, APIC_LVT1, APIC_DM_NMI | APIC_LVT_MASKED);
	vlapic_set_lint(v, 1, false);
	vlapic_set_lint(v, 1, true);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_NMI), 2);
}

/*
 * A level-triggered fixed LINT0 whose line stays asserted is delivered
 * again when its EOI clears remote IRR, and when it is unmasked with the
 * line asserted (the IOAPIC's rule, and what vlapic_set_lint() promises).
 */
static void irq_lint_level_redelivery(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	wr(v, APIC_LVT0, APIC_LVT_LEVEL_TRIGGER | 0x56);
	vlapic_set_lint(v, 0, true);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x56);
	wr(v, APIC_EOI, 0);
	/* Still asserted: delivered again, remote IRR set again. */
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x56));
	KUNIT_EXPECT_TRUE(test, rd(v, APIC_LVT0) & APIC_LVT_REMOTE_IRR);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x56);
	/* Dropped before the EOI: not again. */
	vlapic_set_lint(v, 0, false);
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x56));
	KUNIT_EXPECT_FALSE(test, rd(v, APIC_LVT0) & APIC_LVT_REMOTE_IRR);

	/* Asserted while masked: delivered when unmasked. */
	wr(v, APIC_LVT0, APIC_LVT_MASKED | APIC_LVT_LEVEL_TRIGGER | 0x57);
	vlapic_set_lint(v, 0, true);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x57));
	wr(v, APIC_LVT0, APIC_LVT_LEVEL_TRIGGER | 0x57);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x57));
	KUNIT_EXPECT_TRUE(test, rd(v, APIC_LVT0) & APIC_LVT_REMOTE_IRR);
	/* Rewriting the entry with remote IRR set sends nothing more. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x57);
	wr(v, APIC_LVT0, APIC_LVT_LEVEL_TRIGGER | 0x57);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x57));
	/* An edge entry unmasked with the line high sends nothing. */
	wr(v, APIC_EOI, 0);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x57));	/* level, still high */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x57);
	wr(v, APIC_LVT0, APIC_LVT_MASKED | 0x58);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_LVT0, 0x58);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x58));
}

static void irq_events(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	struct vlapic_irq irq = { .dest_id = 0, .assert = true };
	u8 sipi = 0;

	irq.delivery_mode = APIC_DM_SMI;
	vlapic_bus_deliver(env->bus, &irq, NULL);
	irq.delivery_mode = APIC_DM_NMI;
	vlapic_bus_deliver(env->bus, &irq, NULL);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(v),
			VLAPIC_EVENT_SMI | VLAPIC_EVENT_NMI);
	KUNIT_EXPECT_TRUE(test, vlapic_has_deliverable(v));
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_NMI, NULL));
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(v, VLAPIC_EVENT_NMI, NULL));
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_SMI, NULL));
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(v));
	/* SIPI to a running BSP is ignored. */
	irq.delivery_mode = APIC_DM_STARTUP;
	irq.vector = 0x9a;
	vlapic_bus_deliver(env->bus, &irq, NULL);
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(v, VLAPIC_EVENT_SIPI, &sipi));
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_SIPI_IGNORED), 1);
	/* Reserved delivery mode 3: ignored. */
	irq.delivery_mode = APIC_DM_REMRD;
	vlapic_bus_deliver(env->bus, &irq, NULL);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(v), 0);
}

static struct kunit_case irq_cases[] = {
	KUNIT_CASE(irq_ppr_exhaustive),
	KUNIT_CASE(irq_accept_ack_eoi_nesting),
	KUNIT_CASE(irq_coalescing),
	KUNIT_CASE(irq_illegal_vectors),
	KUNIT_CASE(irq_tmr_and_eoi_broadcast),
	KUNIT_CASE(irq_eoi_vector_accelerated),
	KUNIT_CASE(irq_seed004_wake_above_ppr),
	KUNIT_CASE(irq_sw_disabled_not_deliverable),
	KUNIT_CASE(irq_lint_pins),
	KUNIT_CASE(irq_lint_level_redelivery),
	KUNIT_CASE(irq_events),
	{}
};

static struct kunit_suite irq_suite = {
	.name = "vlapic_irq",
	.exit = env_exit,
	.test_cases = irq_cases,
};

kunit_test_suite(irq_suite);
