// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_ipi: destinations (physical, logical flat/cluster/x2APIC,
 * broadcast, shorthands), lowest priority, NMI, INIT-SIPI-SIPI, self IPI,
 * the APIC-ID map at 288 vCPUs.
 */

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>

#include "lapic_env.h"

#define ICR_FIXED(vec)	((vec) | APIC_DM_FIXED)

static void enable_all(struct lapic_env *env)
{
	unsigned int i;

	for (i = 0; i < env->nr; i++)
		apic_sw_enable(env->v[i]);
}

/* Bitmask of the vLAPICs that have @vec pending. */
static u32 who_has(struct lapic_env *env, u8 vec)
{
	u32 mask = 0;
	unsigned int i;

	for (i = 0; i < env->nr && i < 32; i++)
		if (irr_test(env->v[i], vec))
			mask |= BIT(i);
	return mask;
}

static void xapic_ipi(struct vlapic *src, u32 dest, u32 icr)
{
	wr(src, APIC_ICR2, dest << 24);
	wr(src, APIC_ICR, icr);
}

static void ipi_physical(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);

	enable_all(env);
	xapic_ipi(env->v[0], 2, ICR_FIXED(0x40));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x40), BIT(2));
	xapic_ipi(env->v[0], 0xff, ICR_FIXED(0x41));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x41), 0xfU);
	xapic_ipi(env->v[0], 9, ICR_FIXED(0x42));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x42), 0);
	/* ICR reads back idle with what was written. */
	KUNIT_EXPECT_EQ(test, rd(env->v[0], APIC_ICR), 0x42);
	KUNIT_EXPECT_EQ(test, vlapic_stat(env->v[0], VLAPIC_STAT_IPI_SENT), 3);
	/* The map's highest ID (a clamped lookup) and one past it. */
	xapic_ipi(env->v[0], 3, ICR_FIXED(0x46));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x46), BIT(3));
	xapic_ipi(env->v[0], 4, ICR_FIXED(0x47));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x47), 0);
	/* The map follows an ID change. */
	wr(env->v[2], APIC_ID, 9 << 24);
	xapic_ipi(env->v[0], 9, ICR_FIXED(0x43));
	xapic_ipi(env->v[0], 2, ICR_FIXED(0x44));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x43), BIT(2));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x44), 0);
	/* Duplicate IDs: both answer, as on a real bus. */
	wr(env->v[3], APIC_ID, 9 << 24);
	xapic_ipi(env->v[0], 9, ICR_FIXED(0x45));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x45), BIT(2) | BIT(3));
}

static void ipi_logical_flat(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);
	unsigned int i;

	enable_all(env);
	for (i = 0; i < 4; i++)
		wr(env->v[i], APIC_LDR, BIT(i) << 24);
	xapic_ipi(env->v[0], 0x06, ICR_FIXED(0x50) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x50), BIT(1) | BIT(2));
	xapic_ipi(env->v[0], 0xff, ICR_FIXED(0x51) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x51), 0xfU);
	xapic_ipi(env->v[0], 0x30, ICR_FIXED(0x52) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x52), 0);
	/* A shared bit (not unique in flat mode): both still receive. */
	wr(env->v[3], APIC_LDR, 0x02 << 24);
	xapic_ipi(env->v[0], 0x02, ICR_FIXED(0x53) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x53), BIT(1) | BIT(3));
}

static void ipi_logical_cluster(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);
	static const u8 ldr[4] = { 0x00, 0x11, 0x12, 0x21 };
	unsigned int i;

	enable_all(env);
	for (i = 0; i < 4; i++) {
		wr(env->v[i], APIC_DFR, APIC_DFR_CLUSTER);
		wr(env->v[i], APIC_LDR, ldr[i] << 24);
	}
	KUNIT_EXPECT_EQ(test, rd(env->v[1], APIC_DFR), APIC_DFR_CLUSTER);
	xapic_ipi(env->v[0], 0x13, ICR_FIXED(0x60) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x60), BIT(1) | BIT(2));
	xapic_ipi(env->v[0], 0x21, ICR_FIXED(0x61) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x61), BIT(3));
	xapic_ipi(env->v[0], 0x31, ICR_FIXED(0x62) | APIC_DEST_LOGICAL);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x62), 0);
	/* Mixed models: v1 back to flat; each target matches its own model. */
	wr(env->v[1], APIC_DFR, APIC_DFR_FLAT);
	xapic_ipi(env->v[0], 0x13, ICR_FIXED(0x63) | APIC_DEST_LOGICAL);
	/* v1 flat LDR 0x11 & 0x13 != 0; v2 cluster 1 bit 1. */
	KUNIT_EXPECT_EQ(test, who_has(env, 0x63), BIT(1) | BIT(2));
}

static void ipi_logical_x2apic(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 20, NULL, NULL);
	unsigned int i;
	u32 mask = 0;

	for (i = 0; i < env->nr; i++) {
		KUNIT_ASSERT_EQ(test, to_x2apic(env->v[i]), VLAPIC_ACCESS_OK);
		apic_sw_enable(env->v[i]);
	}
	/* Cluster 0, bits 1 and 3: IDs 1 and 3. Cluster 1, bit 2: ID 18. */
	vlapic_msr_write(env->v[0], 0x830, (0x0000000aULL << 32) |
			 APIC_DEST_LOGICAL | 0x70);
	vlapic_msr_write(env->v[0], 0x830, (0x00010004ULL << 32) |
			 APIC_DEST_LOGICAL | 0x71);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x70), BIT(1) | BIT(3));
	KUNIT_EXPECT_EQ(test, who_has(env, 0x71), BIT(18));
	vlapic_msr_write(env->v[0], 0x830, (0xffffffffULL << 32) | 0x72);
	for (i = 0; i < env->nr; i++)
		mask |= BIT(i);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x72), mask);
	/* x2APIC physical unicast to ID 19. */
	vlapic_msr_write(env->v[0], 0x830, (19ULL << 32) | 0x73);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x73), BIT(19));
	/* An xAPIC-format 0xff (IOAPIC/MSI) is a broadcast to x2APIC too. */
	send_fixed(env, 0xff, 0x74, false);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x74), mask);
	/* Self IPI register. */
	vlapic_msr_write(env->v[5], 0x83f, 0x75);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x75), BIT(5));
}

static void ipi_shorthands(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);

	enable_all(env);
	xapic_ipi(env->v[1], 0, ICR_FIXED(0x80) | APIC_DEST_SELF);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x80), BIT(1));
	xapic_ipi(env->v[1], 0, ICR_FIXED(0x81) | APIC_DEST_ALLINC);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x81), 0xfU);
	xapic_ipi(env->v[1], 0, ICR_FIXED(0x82) | APIC_DEST_ALLBUT);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x82), 0xfU & ~BIT(1));
	/* A globally disabled APIC is off the bus. */
	vlapic_msr_write(env->v[3], 0x1b, VLAPIC_DEFAULT_BASE);
	xapic_ipi(env->v[1], 0, ICR_FIXED(0x83) | APIC_DEST_ALLINC);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x83), 0x7U);
}

static void ipi_lowest_priority(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);
	unsigned int i, n, got[4] = {};

	enable_all(env);
	for (i = 0; i < 4; i++)
		wr(env->v[i], APIC_TASKPRI, 0x40 - i * 0x10);
	/* Four targets with different TPRs: the lowest gets it. */
	xapic_ipi(env->v[0], 0xff, APIC_DM_LOWEST | 0x90);
	KUNIT_EXPECT_EQ(test, who_has(env, 0x90), BIT(3));
	/* Equal priorities: round robin, each gets its share. */
	for (i = 0; i < 4; i++)
		wr(env->v[i], APIC_TASKPRI, 0x20);
	for (n = 0; n < 8; n++) {
		xapic_ipi(env->v[0], 0xff, APIC_DM_LOWEST | 0xa0);
		for (i = 0; i < 4; i++) {
			if (!irr_test(env->v[i], 0xa0))
				continue;
			got[i]++;
			/* Take it (PPR back to 0x20 after the EOI). */
			KUNIT_EXPECT_EQ(test, vlapic_ack(env->v[i]), 0xa0);
			wr(env->v[i], APIC_EOI, 0);
		}
		KUNIT_EXPECT_EQ(test, got[0] + got[1] + got[2] + got[3], n + 1);
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], 2, "target %u", i);
	/* A software-disabled target never wins (it would drop the vector). */
	wr(env->v[2], APIC_TASKPRI, 0);
	wr(env->v[2], APIC_SPIV, 0xff);
	xapic_ipi(env->v[0], 0xff, APIC_DM_LOWEST | 0xb0);
	KUNIT_EXPECT_EQ(test, hweight32(who_has(env, 0xb0)), 1);
	KUNIT_EXPECT_FALSE(test, irr_test(env->v[2], 0xb0));
}

static void ipi_nmi_and_init_sipi_sipi(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct vlapic *ap = env->v[1];
	u8 vec = 0;

	enable_all(env);
	xapic_ipi(env->v[0], 1, APIC_DM_NMI);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(ap), VLAPIC_EVENT_NMI);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_NMI, NULL));

	/* An AP comes out of RESET waiting for SIPI. */
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_WAIT_FOR_SIPI);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(env->v[0]), VLAPIC_MP_RUNNABLE);
	/* INIT assert, INIT de-assert (no effect), SIPI, SIPI. */
	wr(ap, APIC_TASKPRI, 0x30);
	xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_LEVELTRIG |
		  APIC_INT_ASSERT);
	KUNIT_EXPECT_TRUE(test, vlapic_has_deliverable(ap));
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_INIT, NULL));
	KUNIT_EXPECT_EQ(test, rd(ap, APIC_TASKPRI), 0);	/* INIT reset */
	KUNIT_EXPECT_EQ(test, rd(ap, APIC_ID), 1U << 24);	/* ID kept */
	xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_LEVELTRIG);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(ap), 0);
	/* Waiting for SIPI, only INIT or SIPI wake: an NMI does not. */
	xapic_ipi(env->v[0], 1, APIC_DM_NMI);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(ap), VLAPIC_EVENT_NMI);
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(ap));
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9a);
	KUNIT_EXPECT_TRUE(test, vlapic_has_deliverable(ap));
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vec, 0x9a);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_RUNNABLE);
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9b);
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vec, 0x9a);
	KUNIT_EXPECT_EQ(test, vlapic_stat(ap, VLAPIC_STAT_SIPI_IGNORED), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(ap, VLAPIC_STAT_SIPI), 1);
	/*
	 * INIT and SIPI both arrive before the AP's thread takes the INIT
	 * (e2e found it): the INIT reset must not eat the SIPI.
	 */
	xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_ASSERT);
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9c);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_INIT, NULL));
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_WAIT_FOR_SIPI);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vec, 0x9c);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_RUNNABLE);
	/* INIT to the BSP leaves it runnable. */
	xapic_ipi(ap, 0, APIC_DM_INIT | APIC_INT_ASSERT);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(env->v[0], VLAPIC_EVENT_INIT,
						  NULL));
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(env->v[0]), VLAPIC_MP_RUNNABLE);
}

/*
 * When SIPI is consumed: INIT then SIPI, both pending, starts the AP (the
 * SIPI came after the INIT); SIPI then INIT, both pending, leaves it
 * waiting for SIPI (the INIT came last); and the kvm-unit-tests pattern,
 * INIT to all-but-self followed at once by one SIPI to all-but-self,
 * starts every AP whether it was running or waiting.
 */
static void ipi_init_sipi_order(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 4, NULL, NULL);
	struct vlapic *ap = env->v[1];
	unsigned int i;
	u8 vec = 0;

	enable_all(env);
	/* SIPI accepted while waiting for SIPI, then INIT: still waiting. */
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9a);
	xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_ASSERT);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_INIT, NULL));
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_WAIT_FOR_SIPI);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(ap), 0);
	KUNIT_EXPECT_FALSE(test, vlapic_has_deliverable(ap));

	/* INIT then SIPI to a running AP: it restarts at the new page. */
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9b);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vec, 0x9b);
	xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_ASSERT);
	xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x9c);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_INIT, NULL));
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(ap, VLAPIC_EVENT_SIPI, &vec));
	KUNIT_EXPECT_EQ(test, vec, 0x9c);
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(ap), VLAPIC_MP_RUNNABLE);

	/* kvm-unit-tests: v2 and v3 wait for SIPI, v1 runs. */
	xapic_ipi(env->v[0], 0, APIC_DEST_ALLBUT | APIC_DM_INIT |
		  APIC_INT_ASSERT);
	xapic_ipi(env->v[0], 0, APIC_DEST_ALLBUT | APIC_DM_STARTUP | 0x9d);
	for (i = 1; i < 4; i++) {
		struct vlapic *v = env->v[i];

		vec = 0;
		KUNIT_EXPECT_TRUE_MSG(test,
				      vlapic_take_event(v, VLAPIC_EVENT_INIT,
							NULL), "AP %u", i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      vlapic_take_event(v, VLAPIC_EVENT_SIPI,
							&vec), "AP %u", i);
		KUNIT_EXPECT_EQ_MSG(test, vec, 0x9d, "AP %u", i);
		KUNIT_EXPECT_EQ_MSG(test, vlapic_mp_state(env->v[i]),
				    VLAPIC_MP_RUNNABLE, "AP %u", i);
	}
	/* The BSP takes INIT and stays runnable; a SIPI with it is dropped. */
	xapic_ipi(ap, 0, APIC_DM_INIT | APIC_INT_ASSERT);
	xapic_ipi(ap, 0, APIC_DM_STARTUP | 0x9e);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(env->v[0], VLAPIC_EVENT_INIT,
						  NULL));
	KUNIT_EXPECT_FALSE(test, vlapic_take_event(env->v[0], VLAPIC_EVENT_SIPI,
						   &vec));
	KUNIT_EXPECT_EQ(test, vlapic_mp_state(env->v[0]), VLAPIC_MP_RUNNABLE);
	KUNIT_EXPECT_EQ(test, vlapic_pending_events(env->v[0]), 0);
}

struct race_ap {
	struct vlapic *ap;
	atomic_t started;
	bool stop;
};

/* The AP's CPU: take INIT and SIPI as soon as they are pending. */
static int race_ap_thread(void *data)
{
	struct race_ap *r = data;
	u8 vec;

	while (!READ_ONCE(r->stop)) {
		u32 ev = vlapic_pending_events(r->ap);

		if (ev & VLAPIC_EVENT_INIT)
			vlapic_take_event(r->ap, VLAPIC_EVENT_INIT, NULL);
		if ((ev & VLAPIC_EVENT_SIPI) &&
		    vlapic_take_event(r->ap, VLAPIC_EVENT_SIPI, &vec))
			atomic_inc(&r->started);
		cpu_relax();
	}
	return 0;
}

/*
 * INIT followed at once by SIPI, while the AP's CPU takes the INIT on
 * another CPU: the SIPI may arrive while the INIT is being processed. It
 * must never be lost (it was, when it arrived between the INIT being
 * taken and the INIT reset: the AP then waited for SIPI forever).
 */
static void ipi_init_sipi_race(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 2, NULL, NULL);
	struct task_struct *task;
	struct rnd_state rnd;
	struct race_ap *r;
	unsigned int i, lost = 0;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->ap = env->v[1];
	enable_all(env);
	prandom_seed_state(&rnd, 3);
	task = kthread_run(race_ap_thread, r, "vlapic-race-ap");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < 3000 && lost < 10; i++) {
		int before = atomic_read(&r->started);
		unsigned long end;
		u32 spin = prandom_u32_state(&rnd) % 2048;

		xapic_ipi(env->v[0], 1, APIC_DM_INIT | APIC_INT_ASSERT);
		while (spin--)
			cpu_relax();
		xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x20);
		end = jiffies + HZ;
		while (atomic_read(&r->started) == before &&
		       time_before(jiffies, end))
			cond_resched();
		if (atomic_read(&r->started) == before) {
			lost++;
			/* Start it again so the next round is meaningful. */
			xapic_ipi(env->v[0], 1, APIC_DM_STARTUP | 0x20);
		}
	}
	WRITE_ONCE(r->stop, true);
	kthread_stop(task);
	KUNIT_EXPECT_EQ_MSG(test, lost, 0, "SIPIs lost in %u rounds", i);
}

/*
 * Lowest priority while the targets' TPRs change under it: every message
 * is accepted by exactly one target (it was dropped when the priorities
 * seen by the first pass had all changed by the second).
 */
struct tpr_storm {
	struct lapic_env *env;
	bool stop;
};

static int tpr_storm_thread(void *data)
{
	struct tpr_storm *t = data;
	struct rnd_state rnd;
	unsigned int i;

	prandom_seed_state(&rnd, 7);
	while (!READ_ONCE(t->stop)) {
		for (i = 0; i < t->env->nr; i++)
			wr(t->env->v[i], APIC_TASKPRI,
			   (prandom_u32_state(&rnd) % 8) << 4);
		cond_resched();
	}
	return 0;
}

static u64 accepted(struct vlapic *v)
{
	return vlapic_stat(v, VLAPIC_STAT_FIXED_ACCEPTED) +
	       vlapic_stat(v, VLAPIC_STAT_FIXED_COALESCED);
}

/*
 * Send 20000 lowest-priority messages @irq to @env's vLAPICs while @fn
 * changes them from a kthread: each must be accepted by exactly one.
 */
static void lowest_storm(struct kunit *test, struct lapic_env *env,
			 const struct vlapic_irq *irq, int (*fn)(void *))
{
	struct task_struct *task;
	struct tpr_storm *t;
	unsigned int i, n = 20000, not_one = 0;
	u64 before = 0, after = 0, dropped = 0;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->env = env;
	for (i = 0; i < env->nr; i++) {
		before += accepted(env->v[i]);
		dropped -= vlapic_stat(env->v[i],
				       VLAPIC_STAT_DROPPED_SW_DISABLED);
	}
	task = kthread_run(fn, t, "vlapic-lowest-storm");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < n; i++) {
		if (vlapic_bus_deliver(env->bus, irq, NULL) != 1)
			not_one++;
		if (!(i % 256))
			cond_resched();
	}
	WRITE_ONCE(t->stop, true);
	kthread_stop(task);
	for (i = 0; i < env->nr; i++) {
		after += accepted(env->v[i]);
		dropped += vlapic_stat(env->v[i],
				       VLAPIC_STAT_DROPPED_SW_DISABLED);
	}
	kunit_info(test, "%llu winners disabled before they latched", dropped);
	KUNIT_EXPECT_EQ(test, after - before, (u64)n);
	KUNIT_EXPECT_EQ(test, not_one, 0);
}

static void ipi_lowest_priority_tpr_storm(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 3, NULL, NULL);
	struct vlapic_irq irq = {
		.dest_id = 0xff, .delivery_mode = APIC_DM_LOWEST,
		.vector = 0xc0, .assert = true,
	};

	enable_all(env);
	lowest_storm(test, env, &irq, tpr_storm_thread);
}

/*
 * Lowest priority while the preferred targets are software-disabled and
 * enabled again under it: the winner of an arbitration can be disabled
 * before it latches the vector; the message must then go to a target
 * that is enabled (target 2, never disabled, its TPR the highest so it
 * is chosen last), not be dropped.
 */
static int svr_storm_thread(void *data)
{
	struct tpr_storm *t = data;
	unsigned int i = 0;

	while (!READ_ONCE(t->stop)) {
		struct vlapic *v = t->env->v[i++ % 2];

		wr(v, APIC_SPIV, 0xff);
		wr(v, APIC_SPIV, 0xff | APIC_SPIV_APIC_ENABLED);
		wr(v, APIC_TASKPRI, 0);
		if (!(i % 64))
			cond_resched();
	}
	return 0;
}

static void ipi_lowest_priority_disable_storm(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 3, NULL, NULL);
	struct vlapic_irq irq = {
		.dest_id = 0xff, .delivery_mode = APIC_DM_LOWEST,
		.vector = 0xc1, .assert = true,
	};

	enable_all(env);
	wr(env->v[2], APIC_TASKPRI, 0xe0);
	lowest_storm(test, env, &irq, svr_storm_thread);
}

/* Deliver @irq and check that exactly the scan's matches accepted it. */
static void diff_one(struct kunit *test, struct lapic_env *env,
		     const struct vlapic_irq *irq, const char *pop)
{
	u64 before[16];
	unsigned int i, want = 0;
	int got, vec;

	for (i = 0; i < env->nr; i++) {
		before[i] = accepted(env->v[i]);
		want += vlapic_match_dest(env->v[i], irq);
	}
	got = vlapic_bus_deliver(env->bus, irq, NULL);
	KUNIT_EXPECT_EQ_MSG(test, got, (int)want, "%s dest %#x logical %d",
			    pop, irq->dest_id, irq->logical);
	for (i = 0; i < env->nr; i++) {
		struct vlapic *v = env->v[i];

		KUNIT_EXPECT_EQ_MSG(test, accepted(v) - before[i],
				    (u64)vlapic_match_dest(v, irq),
				    "%s dest %#x logical %d vlapic %u", pop,
				    irq->dest_id, irq->logical, i);
		while ((vec = vlapic_ack(v)) >= 0)
			vlapic_eoi_vector(v, vec);
	}
}

/* A random logical ID: one bit, several, none, cluster 15 included. */
static u32 random_ldr(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	switch (r % 4) {
	case 0:
		return BIT((r >> 8) % 8) << 24;
	case 1:
		return ((r >> 8) & 0xff) << 24;
	case 2:
		return (0xf0 | BIT((r >> 8) % 4)) << 24;
	default:
		return (((r >> 8) & 0xf0) | BIT((r >> 12) % 4)) << 24;
	}
}

/*
 * Differential: the map (flat, cluster, x2APIC, physical) and the full
 * scan (vlapic_match_dest() on every vLAPIC) agree on every destination
 * for random ID/LDR/DFR/mode populations: same targets, each accepting
 * once. (The map visited a vLAPIC once per LDR bit it owned, and knew
 * nobody in cluster 15 that the scan matched.)
 */
static void ipi_map_matches_scan(struct kunit *test)
{
	static const u32 dfrs[] = { APIC_DFR_FLAT, APIC_DFR_CLUSTER };
	struct vlapic_irq irq = {
		.delivery_mode = APIC_DM_FIXED, .vector = 0xc1, .assert = true,
	};
	struct rnd_state rnd;
	unsigned int round, i, d;
	char pop[48];

	prandom_seed_state(&rnd, 12);
	for (round = 0; round < 24; round++) {
		struct lapic_env *env = env_create(test, 10, NULL, NULL);
		u32 kind = round % 4, model = prandom_u32_state(&rnd);

		for (i = 0; i < env->nr; i++) {
			struct vlapic *v = env->v[i];
			u32 r = prandom_u32_state(&rnd);

			if (kind == 3 || (kind == 2 && (r & 1)))
				KUNIT_ASSERT_EQ(test, to_x2apic(v),
						VLAPIC_ACCESS_OK);
			apic_sw_enable(v);
			if (!vlapic_x2apic_mode(v)) {
				wr(v, APIC_ID, ((r >> 4) % 12) << 24);
				wr(v, APIC_LDR, random_ldr(&rnd));
				/* kind 0: one model; kind 1: mixed models. */
				wr(v, APIC_DFR, kind ? dfrs[(r >> 8) & 1] :
						dfrs[model & 1]);
			}
			if (!((r >> 16) % 8))
				vlapic_msr_write(v, VLAPIC_MSR_APIC_BASE,
						 VLAPIC_DEFAULT_BASE);
		}
		snprintf(pop, sizeof(pop), "round %u kind %u", round, kind);
		irq.x2apic_dest = false;
		for (d = 0; d < 256; d++) {
			irq.dest_id = d;
			irq.logical = false;
			diff_one(test, env, &irq, pop);
			irq.logical = true;
			diff_one(test, env, &irq, pop);
		}
		irq.x2apic_dest = true;
		for (d = 0; d < 64; d++) {
			irq.dest_id = d % 16;
			irq.logical = false;
			diff_one(test, env, &irq, pop);
			irq.dest_id = (d / 16) << 16 | (prandom_u32_state(&rnd) &
							0xffff);
			irq.logical = true;
			diff_one(test, env, &irq, pop);
		}
		env_exit(test);
	}
}

static void ipi_map_288(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 288, NULL, NULL);
	unsigned int i;
	u32 hits = 0;

	for (i = 0; i < env->nr; i++) {
		KUNIT_ASSERT_EQ(test, to_x2apic(env->v[i]), VLAPIC_ACCESS_OK);
		apic_sw_enable(env->v[i]);
	}
	vlapic_msr_write(env->v[0], 0x830, (287ULL << 32) | 0x40);
	/* Cluster 17 (IDs 272-287), bits 0 and 15: IDs 272 and 287. */
	vlapic_msr_write(env->v[0], 0x830, (0x00118001ULL << 32) |
			 APIC_DEST_LOGICAL | 0x41);
	for (i = 0; i < env->nr; i++) {
		KUNIT_EXPECT_EQ_MSG(test, irr_test(env->v[i], 0x40), i == 287,
				    "vcpu %u", i);
		KUNIT_EXPECT_EQ_MSG(test, irr_test(env->v[i], 0x41),
				    i == 272 || i == 287, "vcpu %u", i);
		hits += irr_test(env->v[i], 0x40) + irr_test(env->v[i], 0x41);
	}
	KUNIT_EXPECT_EQ(test, hits, 3);
}

static struct kunit_case ipi_cases[] = {
	KUNIT_CASE(ipi_physical),
	KUNIT_CASE(ipi_logical_flat),
	KUNIT_CASE(ipi_logical_cluster),
	KUNIT_CASE(ipi_logical_x2apic),
	KUNIT_CASE(ipi_shorthands),
	KUNIT_CASE(ipi_lowest_priority),
	KUNIT_CASE(ipi_nmi_and_init_sipi_sipi),
	KUNIT_CASE(ipi_map_288),
	KUNIT_CASE(ipi_init_sipi_order),
	KUNIT_CASE(ipi_init_sipi_race),
	KUNIT_CASE(ipi_lowest_priority_tpr_storm),
	KUNIT_CASE(ipi_lowest_priority_disable_storm),
	KUNIT_CASE(ipi_map_matches_scan),
	{}
};

static struct kunit_suite ipi_suite = {
	.name = "vlapic_ipi",
	.exit = env_exit,
	.test_cases = ipi_cases,
};

kunit_test_suite(ipi_suite);
