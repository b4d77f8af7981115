// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_regs: the register model through both interfaces, table-driven;
 * IA32_APIC_BASE transitions; ESR; software disable; CR8.
 */

#include "lapic_env.h"

/* One row: write @val to @off in xAPIC mode, read back @expect. */
struct xapic_row {
	u32 off;
	u32 val;
	u32 expect;
	const char *what;
};

static const struct xapic_row xapic_rows[] = {
	{ APIC_ID, 0xffffffff, 0xff000000, "ID: bits 31:24 writable" },
	{ APIC_LVR, 0, 0x01060014, "version: read-only, 0x14, 7 LVTs, directed EOI" },
	{ APIC_TASKPRI, 0xffffffff, 0xff, "TPR: bits 7:0" },
	{ APIC_PROCPRI, 0xff, 0x00, "PPR: read-only" },
	{ APIC_RRR, 0xffffffff, 0, "RRD: read-only zero" },
	{ APIC_LDR, 0xffffffff, 0xff000000, "LDR: bits 31:24" },
	{ APIC_DFR, 0x0, 0x0fffffff, "DFR: model bits, 27:0 read as ones" },
	{ APIC_SPIV, 0xffffffff, 0x13ff, "SVR: vector, enable, focus, EOI suppress" },
	{ APIC_ISR, 0xffffffff, 0, "ISR: read-only" },
	{ APIC_TMR + 0x70, 0xffffffff, 0, "TMR: read-only" },
	{ APIC_IRR + 0x10, 0xffffffff, 0, "IRR: read-only" },
	{ APIC_LVTCMCI, 0xfffffcff, 0x104ff, "CMCI: vector, DM, mask" },
	{ APIC_LVTCMCI, 0xffffffff, 0x10000, "CMCI: ExtINT reserved, write ignored" },
	{ APIC_LVTCMCI, 0x500, 0x10000, "CMCI: INIT reserved, write ignored" },
	{ APIC_ICR2, 0xffffffff, 0xff000000, "ICR high: bits 31:24" },
	{ APIC_LVTT, 0xfffdffff, 0x500ff, "timer: vector, mask, mode (TSC-deadline)" },
	{ APIC_LVTTHMR, 0xfffffaff, 0x102ff, "thermal: vector, DM, mask" },
	{ APIC_LVTTHMR, 0x7ff, 0x10000, "thermal: ExtINT reserved, write ignored" },
	{ APIC_LVTPC, 0xfffff8ff, 0x100ff, "perf: vector, DM, mask" },
	{ APIC_LVTPC, 0x500, 0x10000, "perf: INIT reserved, write ignored" },
	{ APIC_LVT0, 0xffffffff, 0x1a7ff, "LINT0: no DS, no remote IRR" },
	{ APIC_LVT0, 0x1ff, 0x10000, "LINT0: DM 001 reserved, write ignored" },
	{ APIC_LVT0, 0x6ff, 0x10000, "LINT0: DM 110 reserved, write ignored" },
	{ APIC_LVT1, 0xffffffff, 0x127ff, "LINT1: no DS, no remote IRR, edge only" },
	{ APIC_LVT1, 0x3ff, 0x10000, "LINT1: DM 011 reserved, write ignored" },
	{ APIC_LVTERR, 0xffffffff, 0x100ff, "error: vector, mask" },
	{ APIC_TMICT, 0, 0, "initial count: read/write" },
	{ APIC_TMCCT, 0x1234, 0, "current count: read-only" },
	{ APIC_TDCR, 0xffffffff, 0xb, "divide: bits 3,1,0" },
};

static void regs_xapic_table(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xapic_rows); i++) {
		struct lapic_env *env = env_create(test, 1, NULL, NULL);
		struct vlapic *v = env->v[0];
		const struct xapic_row *r = &xapic_rows[i];

		/* APIC enabled, so LVT writes are not forced masked. */
		wr(v, APIC_SPIV, 0x1ff);
		wr(v, r->off, r->val);
		KUNIT_EXPECT_EQ_MSG(test, rd(v, r->off), r->expect, "%s", r->what);
		/* Legal registers raise no error (latch, then read). */
		if (r->off != APIC_ESR) {
			wr(v, APIC_ESR, 0);
			KUNIT_EXPECT_EQ_MSG(test, rd(v, APIC_ESR), 0,
					    "%s: no error", r->what);
		}
		env_exit(test);
	}
}

static void regs_xapic_reserved_offsets(struct kunit *test)
{
	static const u32 reserved[] = { 0x00, 0x10, 0x40, 0x50, 0x60, 0x70,
					0x290, 0x2e0, 0x3a0, 0x3d0, 0x3f0,
					0x400, 0xff0 };
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	unsigned int i;

	apic_sw_enable(v);
	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		u32 val = 0x12345678;

		vlapic_mmio_read(v, reserved[i], &val, 4);
		KUNIT_EXPECT_EQ_MSG(test, val, 0, "offset %#x", reserved[i]);
		wr(v, reserved[i], 0xffffffff);
		wr(v, APIC_ESR, 0);
		KUNIT_EXPECT_EQ_MSG(test, rd(v, APIC_ESR), APIC_ESR_ILLREGA,
				    "offset %#x sets ESR bit 7", reserved[i]);
		wr(v, APIC_ESR, 0);
		KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), 0);
	}
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ILLEGAL_REGISTER),
			2 * ARRAY_SIZE(reserved));
}

static void regs_xapic_access_sizes(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	u32 val = 0x80;
	u8 b = 0xaa;
	u16 h = 0xaaaa;

	wr(v, APIC_TASKPRI, 0x5a);
	vlapic_mmio_read(v, APIC_TASKPRI, &b, 1);
	KUNIT_EXPECT_EQ(test, b, 0x5a);
	vlapic_mmio_read(v, APIC_LVR + 2, &h, 2);
	KUNIT_EXPECT_EQ(test, h, 0x0106);
	/* Past the first dword of the slot: zero. */
	val = 0xffff;
	vlapic_mmio_read(v, APIC_TASKPRI + 4, &val, 4);
	KUNIT_EXPECT_EQ(test, val, 0);
	/* Sub-dword and misaligned writes are ignored and counted. */
	vlapic_mmio_write(v, APIC_TASKPRI, &b, 1);
	val = 0x10;
	vlapic_mmio_write(v, APIC_TASKPRI + 4, &val, 4);
	vlapic_mmio_write(v, APIC_TASKPRI, &val, 2);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TASKPRI), 0x5a);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_BAD_MMIO), 3);
}

/* x2APIC: MSR, expected read result or #GP, and write outcomes. */
struct x2apic_row {
	u32 msr;
	bool read_gp;
	u64 write;
	bool write_gp;
	const char *what;
};

static const struct x2apic_row x2apic_rows[] = {
	{ 0x802, false, 5, true, "ID read-only" },
	{ 0x803, false, 0, true, "version read-only" },
	{ 0x808, false, 0x100, true, "TPR bits 31:8 reserved" },
	{ 0x808, false, 0x1ff00000000ULL, true, "upper half reserved" },
	{ 0x809, true, 0, true, "no APR in x2APIC" },
	{ 0x80a, false, 0, true, "PPR read-only" },
	{ 0x80b, true, 1, true, "EOI write-only, non-zero #GP" },
	{ 0x80c, true, 0, true, "no RRD in x2APIC" },
	{ 0x80d, false, 0, true, "LDR read-only" },
	{ 0x80e, true, 0, true, "no DFR in x2APIC" },
	{ 0x80f, false, 0x2000, true, "SVR reserved bit" },
	{ 0x810, false, 0, true, "ISR read-only" },
	{ 0x828, false, 1, true, "ESR non-zero #GP" },
	{ 0x82f, false, 0x800, true, "CMCI bit 11 reserved" },
	{ 0x830, false, 0x2000, true, "ICR bit 13 reserved" },
	{ 0x831, true, 0, true, "no ICR2 in x2APIC" },
	{ 0x832, false, 0x60000, true, "timer mode 3 reserved" },
	{ 0x835, false, 0x800, true, "LINT0 bit 11 reserved" },
	{ 0x835, false, 0x100, true, "LINT0 delivery mode 001 reserved" },
	{ 0x836, false, 0x8000, true, "LINT1 level trigger reserved" },
	{ 0x833, false, 0x700, true, "thermal ExtINT reserved" },
	{ 0x834, false, 0x500, true, "perf INIT reserved" },
	{ 0x82f, false, 0x700, true, "CMCI ExtINT reserved" },
	{ 0x837, false, 0x700, true, "error LVT has no DM" },
	{ 0x839, false, 0, true, "current count read-only" },
	{ 0x83e, false, 0x4, true, "divide bit 2 reserved" },
	{ 0x83f, true, 0x100, true, "SELF IPI write-only, bits 31:8 reserved" },
	{ 0x840, true, 0, true, "beyond the APIC" },
	{ 0x8ff, true, 0, true, "last MSR reserved" },
	{ 0x808, false, 0x20, false, "TPR write" },
	{ 0x83e, false, 0xb, false, "divide write" },
	{ 0x835, false, 0x1a700, false, "LINT0 write" },
	{ 0x836, false, 0x12700, false, "LINT1 write" },
	{ 0x833, false, 0x10400, false, "thermal NMI write" },
};

static void regs_x2apic_table(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	unsigned int i;
	u64 gp = 0;
	u64 val;

	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	apic_sw_enable(v);
	for (i = 0; i < ARRAY_SIZE(x2apic_rows); i++) {
		const struct x2apic_row *r = &x2apic_rows[i];

		KUNIT_EXPECT_EQ_MSG(test, vlapic_msr_read(v, r->msr, &val),
				    r->read_gp ? VLAPIC_ACCESS_GP : VLAPIC_ACCESS_OK,
				    "read: %s", r->what);
		gp += r->read_gp;
		KUNIT_EXPECT_EQ_MSG(test, vlapic_msr_write(v, r->msr, r->write),
				    r->write_gp ? VLAPIC_ACCESS_GP : VLAPIC_ACCESS_OK,
				    "write: %s", r->what);
		gp += r->write_gp;
		if (!r->write_gp && !r->read_gp) {
			vlapic_msr_read(v, r->msr, &val);
			KUNIT_EXPECT_EQ_MSG(test, val, r->write, "%s", r->what);
		}
	}
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_GP), gp);
	/* Nothing faulting changed state. */
	vlapic_msr_read(v, 0x802, &val);
	KUNIT_EXPECT_EQ(test, val, 0);
	vlapic_msr_read(v, 0x80d, &val);
	KUNIT_EXPECT_EQ(test, val, 0x1);
	vlapic_msr_read(v, 0x80f, &val);
	KUNIT_EXPECT_EQ(test, val, 0x1ff);
}

static void regs_x2apic_id_and_ldr(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 40, NULL, NULL);
	struct vlapic *v = env->v[37];
	u64 val;

	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	vlapic_msr_read(v, 0x802, &val);
	KUNIT_EXPECT_EQ(test, val, 37);
	vlapic_msr_read(v, 0x80d, &val);
	KUNIT_EXPECT_EQ(test, val, (2ULL << 16) | BIT(5));
	KUNIT_EXPECT_EQ(test, vlapic_x2apic_ldr(0x123),
			(0x12U << 16) | BIT(3));
	/* The xAPIC page is not decoded in x2APIC mode. */
	KUNIT_EXPECT_FALSE(test, vlapic_mmio_enabled(v));
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ID), 0);
}

static void regs_xapic_msrs_fault(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	u64 val;

	/* In xAPIC mode every x2APIC MSR faults. */
	KUNIT_EXPECT_EQ(test, vlapic_msr_read(v, 0x802, &val), VLAPIC_ACCESS_GP);
	KUNIT_EXPECT_EQ(test, vlapic_msr_write(v, 0x808, 0), VLAPIC_ACCESS_GP);
	KUNIT_EXPECT_TRUE(test, vlapic_owns_msr(0x1b));
	KUNIT_EXPECT_TRUE(test, vlapic_owns_msr(0x6e0));
	KUNIT_EXPECT_TRUE(test, vlapic_owns_msr(0x8ff));
	KUNIT_EXPECT_FALSE(test, vlapic_owns_msr(0x900));
}

struct base_row {
	u64 from;
	u64 to;
	bool gp;
	const char *what;
};

#define EN	VLAPIC_BASE_ENABLE
#define EXTD	VLAPIC_BASE_X2APIC
#define ADDR	VLAPIC_DEFAULT_BASE

static const struct base_row base_rows[] = {
	{ ADDR | EN, ADDR | EN | EXTD, false, "xAPIC -> x2APIC" },
	{ ADDR | EN, ADDR, false, "xAPIC -> disabled" },
	{ ADDR | EN | EXTD, ADDR, false, "x2APIC -> disabled" },
	{ ADDR, ADDR | EN, false, "disabled -> xAPIC" },
	{ ADDR | EN | EXTD, ADDR | EN, true, "x2APIC -> xAPIC" },
	{ ADDR, ADDR | EN | EXTD, true, "disabled -> x2APIC" },
	{ ADDR | EN, ADDR | EXTD, true, "EXTD without EN" },
	{ ADDR | EN, ADDR | EN | BIT_ULL(9), true, "bit 9 reserved" },
	{ ADDR | EN, ADDR | EN | BIT_ULL(52), true, "beyond MAXPHYADDR" },
	{ ADDR | EN, 0xfed00000ULL | EN, false, "relocation" },
};

static void regs_apic_base_transitions(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(base_rows); i++) {
		struct lapic_env *env = env_create(test, 2, NULL, NULL);
		struct vlapic *v = env->v[1];
		const struct base_row *r = &base_rows[i];
		u64 val;

		/* Reach @from legally. */
		if (r->from & EXTD)
			KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
		else
			KUNIT_ASSERT_EQ(test, vlapic_msr_write(v, 0x1b, r->from),
					VLAPIC_ACCESS_OK);
		KUNIT_EXPECT_EQ_MSG(test, vlapic_msr_write(v, 0x1b, r->to),
				    r->gp ? VLAPIC_ACCESS_GP : VLAPIC_ACCESS_OK,
				    "%s", r->what);
		vlapic_msr_read(v, 0x1b, &val);
		KUNIT_EXPECT_EQ_MSG(test, val, r->gp ? r->from : r->to,
				    "%s", r->what);
		env_exit(test);
	}
}

static void regs_base_relocation_and_bsp(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	u64 val;

	KUNIT_EXPECT_EQ(test, vlapic_mmio_base(env->v[0]), VLAPIC_DEFAULT_BASE);
	vlapic_msr_read(env->v[0], 0x1b, &val);
	KUNIT_EXPECT_EQ(test, val, VLAPIC_DEFAULT_BASE | EN | VLAPIC_BASE_BSP);
	vlapic_msr_read(env->v[1], 0x1b, &val);
	KUNIT_EXPECT_EQ(test, val, VLAPIC_DEFAULT_BASE | EN);
	/* BSP is read-only to the guest. */
	vlapic_msr_write(env->v[1], 0x1b, 0xfed00000ULL | EN | VLAPIC_BASE_BSP);
	vlapic_msr_read(env->v[1], 0x1b, &val);
	KUNIT_EXPECT_EQ(test, val, 0xfed00000ULL | EN);
	KUNIT_EXPECT_EQ(test, vlapic_mmio_base(env->v[1]), 0xfed00000ULL);
	KUNIT_EXPECT_TRUE(test, vlapic_mmio_enabled(env->v[1]));
}

static void regs_global_disable_resets(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[1];

	apic_sw_enable(v);
	wr(v, APIC_ID, 0x7 << 24);
	wr(v, APIC_TASKPRI, 0x40);
	wr(v, APIC_LVT0, 0x700);
	send_fixed(env, 7, 0x80, false);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x80));
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE);
	KUNIT_EXPECT_FALSE(test, vlapic_mmio_enabled(v));
	/* Unreachable while disabled. */
	KUNIT_EXPECT_EQ(test, vlapic_bus_deliver(env->bus, &(struct vlapic_irq) {
		.dest_id = 1, .vector = 0x90, .delivery_mode = APIC_DM_FIXED,
		.assert = true }, NULL), 0);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE | EN);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TASKPRI), 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_LVT0), APIC_LVT_MASKED);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_SPIV), 0xff);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ID), 1U << 24);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x80));
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(v), -1);
}

/* Make AP @v runnable the architectural way: INIT, then SIPI. */
static void start_ap(struct kunit *test, struct lapic_env *env,
		     struct vlapic *v)
{
	struct vlapic_irq irq = {
		.dest_id = vlapic_id(v), .delivery_mode = APIC_DM_INIT,
		.assert = true, .x2apic_dest = vlapic_x2apic_mode(v),
	};
	u8 vec;

	vlapic_bus_deliver(env->bus, &irq, NULL);
	KUNIT_ASSERT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_INIT, NULL));
	irq.delivery_mode = APIC_DM_STARTUP;
	irq.vector = 0x9f;
	vlapic_bus_deliver(env->bus, &irq, NULL);
	KUNIT_ASSERT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_ASSERT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_RUNNABLE);
}

/*
 * A global disable (IA32_APIC_BASE.EN = 0) resets the APIC, not the CPU:
 * a running AP keeps running (Linux's x2apic_setup() disables and
 * re-enables the APIC on every AP), and events already pending stay.
 */
static void regs_global_disable_keeps_cpu_running(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[1];
	struct vlapic_irq nmi = {
		.dest_id = 1, .delivery_mode = APIC_DM_NMI, .assert = true,
	};

	start_ap(test, env, v);
	vlapic_bus_deliver(env->bus, &nmi, NULL);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE | EN);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_RUNNABLE);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(v), VLAPIC_EVENT_NMI);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_NMI, NULL));

	/* x2APIC -> disabled -> xAPIC -> x2APIC, as x2apic_setup() does. */
	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE | EN);
	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_RUNNABLE);
	/* A software disable does not stop it either. */
	vlapic_msr_write(v, 0x80f, 0xff);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_RUNNABLE);
	/* And an AP that was waiting for SIPI still waits. */
	vlapic_init_reset(v);
	KUNIT_ASSERT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_WAIT_FOR_SIPI);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE | EN);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_WAIT_FOR_SIPI);
}

/*
 * The guest fuzzer's lost AP (docs/testing.md "Guest fuzzer"), replayed:
 * an INIT accepted while the AP runs, then the AP clears IA32_APIC_BASE.EN
 * before it takes the INIT. The INIT is still taken (it is the CPU's, not
 * the APIC's) and keeps IA32_APIC_BASE, so the AP waits for SIPI with its
 * APIC off the bus: no SIPI and no INIT reaches it again (SDM vol. 3
 * 10.4.3, 10.4.7.3).
 */
static void regs_init_taken_after_global_disable(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[1];
	struct vlapic_irq irq = {
		.dest_id = 1, .delivery_mode = APIC_DM_INIT, .assert = true,
	};
	u64 val;
	u8 vec;

	start_ap(test, env, v);
	KUNIT_EXPECT_NE(test, vlapic_bus_deliver(env->bus, &irq, NULL), 0);
	vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_INIT, NULL));
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_WAIT_FOR_SIPI);
	vlapic_msr_read(v, 0x1b, &val);
	KUNIT_EXPECT_EQ(test, val, (u64)VLAPIC_DEFAULT_BASE);

	irq.delivery_mode = APIC_DM_STARTUP;
	irq.vector = 0x08;
	KUNIT_EXPECT_EQ(test, vlapic_bus_deliver(env->bus, &irq, NULL), 0);
	irq.dest_id = 0xff;	/* the broadcast the BSP's restart uses */
	KUNIT_EXPECT_EQ(test, vlapic_bus_deliver(env->bus, &irq, NULL), 0);
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(v, VLAPIC_EVENT_SIPI, &vec));
	irq.delivery_mode = APIC_DM_INIT;
	irq.dest_id = 1;
	KUNIT_EXPECT_EQ(test, vlapic_bus_deliver(env->bus, &irq, NULL), 0);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(v), 0);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(v), VLAPIC_MP_WAIT_FOR_SIPI);
}

/*
 * The VMM's IA32_APIC_BASE write (SET_SREGS, SET_MSRS) sets any mode from
 * any other: x2APIC -> xAPIC, which a guest WRMSR may not do (a VMM
 * resetting a guest that was in x2APIC mode), and disabled -> x2APIC. It
 * is refused only for reserved bits and EXTD without EN, with nothing
 * changed and no guest #GP counted.
 */
static void regs_host_apic_base_any_mode(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[1];
	u64 base, id, gp;

	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	KUNIT_EXPECT_EQ(test, vlapic_msr_write(v, 0x1b, VLAPIC_DEFAULT_BASE | EN),
			VLAPIC_ACCESS_GP);
	gp = vlapic_stat(v, VLAPIC_STAT_GP);
	KUNIT_EXPECT_EQ(test, vlapic_set_apic_base(v, VLAPIC_DEFAULT_BASE | EN), 0);
	vlapic_msr_read(v, 0x1b, &base);
	KUNIT_EXPECT_EQ(test, base, (u64)(VLAPIC_DEFAULT_BASE | EN));
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ID), 1U << 24);
	KUNIT_EXPECT_EQ(test, vlapic_set_apic_base(v, VLAPIC_DEFAULT_BASE), 0);
	KUNIT_EXPECT_EQ(test, vlapic_set_apic_base(v, VLAPIC_DEFAULT_BASE |
						   EN | EXTD), 0);
	KUNIT_EXPECT_EQ(test, vlapic_msr_read(v, 0x802, &id), VLAPIC_ACCESS_OK);
	KUNIT_EXPECT_EQ(test, id, 1ULL);
	KUNIT_EXPECT_EQ(test, vlapic_set_apic_base(v, VLAPIC_DEFAULT_BASE | EXTD),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_set_apic_base(v, VLAPIC_DEFAULT_BASE | EN |
						   EXTD | BIT(9)), -EINVAL);
	vlapic_msr_read(v, 0x1b, &base);
	KUNIT_EXPECT_EQ(test, base, (u64)(VLAPIC_DEFAULT_BASE | EN | EXTD));
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_GP), gp);
}

/* An x2APIC SELF IPI sends, but leaves the ICR as the guest wrote it. */
static void regs_self_ipi_keeps_icr(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[0];
	u64 icr;

	KUNIT_ASSERT_EQ(test, to_x2apic(v), VLAPIC_ACCESS_OK);
	apic_sw_enable(v);
	KUNIT_ASSERT_EQ(test, vlapic_msr_write(v, 0x830, (5ULL << 32) | 0x4021),
			VLAPIC_ACCESS_OK);
	KUNIT_ASSERT_EQ(test, vlapic_msr_write(v, 0x83f, 0x42),
			VLAPIC_ACCESS_OK);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x42));
	vlapic_msr_read(v, 0x830, &icr);
	KUNIT_EXPECT_EQ(test, icr, (5ULL << 32) | 0x4021);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_IPI_SENT), 2);
	/* An illegal vector through SELF IPI: sent and received illegal. */
	KUNIT_ASSERT_EQ(test, vlapic_msr_write(v, 0x83f, 5), VLAPIC_ACCESS_OK);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 5));
	KUNIT_ASSERT_EQ(test, vlapic_msr_write(v, 0x828, 0), VLAPIC_ACCESS_OK);
	vlapic_msr_read(v, 0x828, &icr);
	KUNIT_EXPECT_EQ(test, icr, APIC_ESR_SENDILL | APIC_ESR_RECVILL);
}

static void regs_esr_protocol(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	apic_sw_enable(env->v[1]);
	/* Send vector 3: ESR bit 5 after the write-then-read protocol. */
	wr(v, APIC_ICR2, 1 << 24);
	wr(v, APIC_ICR, 3);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), 0);
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), APIC_ESR_SENDILL);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(env->v[1]), -1);
	/* Receive vector 7: bit 6 on the receiver. */
	send_fixed(env, 0, 7, false);
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), APIC_ESR_RECVILL);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 7));
	/* A second write clears. */
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), 0);
	/*
	 * A self IPI (shorthand self, all-including-self) with vector 5:
	 * sent and received illegal, both bits (SDM 10.5.3), not pending;
	 * all-excluding-self only sent illegal.
	 */
	wr(v, APIC_ICR, APIC_DEST_SELF | 5);
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR),
			APIC_ESR_SENDILL | APIC_ESR_RECVILL);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 5));
	wr(v, APIC_ICR, APIC_DEST_ALLINC | 6);
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR),
			APIC_ESR_SENDILL | APIC_ESR_RECVILL);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 6));
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(env->v[1]), -1);
	wr(v, APIC_ICR, APIC_DEST_ALLBUT | 6);
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR), APIC_ESR_SENDILL);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(env->v[1]), -1);
}

static void regs_error_lvt_no_recursion(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	apic_sw_enable(v);
	/* A valid error vector: one interrupt per new error class. */
	wr(v, APIC_LVTERR, 0xfe);
	send_fixed(env, 0, 2, false);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0xfe));
	send_fixed(env, 0, 3, false);	/* same class, still pending */
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_ERROR_LVT), 1);
	/* An illegal error vector: recorded, no recursion, no hang. */
	wr(v, APIC_ESR, 0);
	wr(v, APIC_LVTERR, 0x05);
	wr(v, 0x10, 0);			/* illegal register */
	wr(v, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_ESR),
			APIC_ESR_ILLREGA | APIC_ESR_RECVILL);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 5));
}

static void regs_sw_disable_masks_lvts(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];
	u32 off;

	apic_sw_enable(v);
	for (off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		wr(v, off, 0x40);
	wr(v, APIC_LVTCMCI, 0x40);
	wr(v, APIC_SPIV, 0xff);
	for (off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		KUNIT_EXPECT_EQ_MSG(test, rd(v, off), 0x10040, "lvt %#x", off);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_LVTCMCI), 0x10040);
	/* They stay masked while disabled. */
	wr(v, APIC_LVT0, 0x41);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_LVT0), 0x10041);
	/* Fixed interrupts are not accepted while disabled; NMI is. */
	send_fixed(env, 0, 0x80, false);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x80));
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_DROPPED_SW_DISABLED), 1);
	vlapic_bus_deliver(env->bus, &(struct vlapic_irq) {
		.dest_id = 0, .delivery_mode = APIC_DM_NMI, .assert = true },
		NULL);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(v), VLAPIC_EVENT_NMI);
	apic_sw_enable(v);
	wr(v, APIC_LVT0, 0x41);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_LVT0), 0x41);
}

static void regs_cr8(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vlapic *v = env->v[0];

	wr(v, APIC_TASKPRI, 0x5f);
	KUNIT_EXPECT_EQ(test, vlapic_get_cr8(v), 5);
	vlapic_set_cr8(v, 0xa);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TASKPRI), 0xa0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_PROCPRI), 0xa0);
	vlapic_set_cr8(v, 0x1f);	/* only bits 3:0 */
	KUNIT_EXPECT_EQ(test, vlapic_tpr(v), 0xf0);
}

static void regs_stat_names(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < VLAPIC_NR_STATS; i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, vlapic_stat_names[i], "stat %u", i);
}

static struct kunit_case regs_cases[] = {
	KUNIT_CASE(regs_xapic_table),
	KUNIT_CASE(regs_xapic_reserved_offsets),
	KUNIT_CASE(regs_xapic_access_sizes),
	KUNIT_CASE(regs_x2apic_table),
	KUNIT_CASE(regs_x2apic_id_and_ldr),
	KUNIT_CASE(regs_xapic_msrs_fault),
	KUNIT_CASE(regs_apic_base_transitions),
	KUNIT_CASE(regs_base_relocation_and_bsp),
	KUNIT_CASE(regs_global_disable_resets),
	KUNIT_CASE(regs_global_disable_keeps_cpu_running),
	KUNIT_CASE(regs_init_taken_after_global_disable),
	KUNIT_CASE(regs_host_apic_base_any_mode),
	KUNIT_CASE(regs_self_ipi_keeps_icr),
	KUNIT_CASE(regs_esr_protocol),
	KUNIT_CASE(regs_error_lvt_no_recursion),
	KUNIT_CASE(regs_sw_disable_masks_lvts),
	KUNIT_CASE(regs_cr8),
	KUNIT_CASE(regs_stat_names),
	{}
};

static struct kunit_suite regs_suite = {
	.name = "vlapic_regs",
	.exit = env_exit,
	.test_cases = regs_cases,
};

kunit_test_suite(regs_suite);
