// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_timer: one-shot, periodic and TSC-deadline on a hand-driven
 * clock (exact), the seed-002 interleavings of expiry, reprogramming and
 * teardown, and a few runs on real hrtimers with generous bounds.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/jiffies.h>

#include "lapic_env.h"

#define MSR_DEADLINE	VLAPIC_MSR_TSC_DEADLINE

static struct vlapic *timer_env(struct kunit *test, struct lapic_env **envp)
{
	*envp = env_create(test, 1, NULL, NULL);
	apic_sw_enable((*envp)->v[0]);
	wr((*envp)->v[0], APIC_TDCR, APIC_TDR_DIV_1);
	return (*envp)->v[0];
}

static u64 fired(struct vlapic *v)
{
	return vlapic_stat(v, VLAPIC_STAT_TIMER_FIRED);
}

static void timer_oneshot(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);

	wr(v, APIC_LVTT, 0x30);
	wr(v, APIC_TMICT, 1000);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 1000);
	fake_clock_advance(&env->fc, 400);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 600);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x30));
	fake_clock_advance(&env->fc, 600);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x30));
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMICT), 1000);
	fake_clock_advance(&env->fc, 100000);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	/* Writing 0 stops a running count. */
	wr(v, APIC_TMICT, 500);
	wr(v, APIC_TMICT, 0);
	fake_clock_advance(&env->fc, 1000);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), 0);
}

static void timer_periodic(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);

	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x31);
	wr(v, APIC_TMICT, 1000000);
	fake_clock_advance(&env->fc, 10500000);
	KUNIT_EXPECT_EQ(test, fired(v), 10);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 500000);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_TIMER_RESYNC), 0);
	/* Fires coalesce in IRR: one pending vector. */
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x31);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), -1);
}

static void timer_periodic_floor(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);

	KUNIT_ASSERT_EQ(test, vlapic_timer_min_period_ns(), 200000);
	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x31);
	wr(v, APIC_TMICT, 10);
	fake_clock_advance(&env->fc, 1000000);
	/* First count of 10 ns, then periods floored at 200 us. */
	KUNIT_EXPECT_EQ(test, fired(v), 5);
}

/* After the next expiry, the one after it is at least the floor away. */
static void expect_floor_after_next(struct kunit *test, struct lapic_env *env,
				    struct vlapic *v, const char *path)
{
	u64 next = fake_clock_expiry(&env->fc, v), before = fired(v);

	KUNIT_ASSERT_NE_MSG(test, next, 0, "%s: armed", path);
	fake_clock_advance(&env->fc, next - env->fc.now);
	KUNIT_EXPECT_EQ_MSG(test, fired(v), before + 1, "%s: fired", path);
	KUNIT_EXPECT_GE_MSG(test, fake_clock_expiry(&env->fc, v),
			    env->fc.now + vlapic_timer_min_period_ns(),
			    "%s: next period", path);
	fake_clock_advance(&env->fc, 1000000);
	KUNIT_EXPECT_LE_MSG(test, fired(v), before + 1 + 5, "%s: 1 ms", path);
}

/*
 * Every path that starts a periodic count clamps its period: an initial
 * count write, a divide change, a one-shot count switched to periodic in
 * the LVT (which kept the unclamped period: ~10^9 expiries a second),
 * and a restore.
 */
static void timer_periodic_floor_every_path(struct kunit *test)
{
	struct vlapic_lapic_state *s;
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);

	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x31);
	wr(v, APIC_TMICT, 10);
	expect_floor_after_next(test, env, v, "initial count");

	wr(v, APIC_TMICT, 0);
	wr(v, APIC_TDCR, APIC_TDR_DIV_2);
	wr(v, APIC_TMICT, 10);
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	expect_floor_after_next(test, env, v, "divide");

	wr(v, APIC_TMICT, 0);
	wr(v, APIC_LVTT, 0x31);
	wr(v, APIC_TMICT, 10);
	fake_clock_advance(&env->fc, 3);
	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x31);
	expect_floor_after_next(test, env, v, "one-shot -> periodic");

	vlapic_get_state(v, s);
	*(u32 *)(s->regs + APIC_TMICT) = 10;
	*(u32 *)(s->regs + APIC_TMCCT) = 4;
	KUNIT_ASSERT_EQ(test, vlapic_set_state(v, s), 0);
	expect_floor_after_next(test, env, v, "restore");
}

static void timer_divide_change(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 start = env->fc.now;
	static const struct { u32 dcr, div; } divs[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	unsigned int i;

	wr(v, APIC_LVTT, 0x30);
	wr(v, APIC_TDCR, APIC_TDR_DIV_2);
	wr(v, APIC_TMICT, 1000);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), start + 2000);
	fake_clock_advance(&env->fc, 500);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 750);
	/* The remaining 750 ticks continue at the new rate. */
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), start + 1250);
	for (i = 0; i < ARRAY_SIZE(divs); i++) {
		wr(v, APIC_TMICT, 0);
		wr(v, APIC_TDCR, divs[i].dcr);
		wr(v, APIC_TMICT, 100);
		KUNIT_EXPECT_EQ_MSG(test, fake_clock_expiry(&env->fc, v),
				    env->fc.now + 100 * divs[i].div,
				    "dcr %#x", divs[i].dcr);
	}
}

static void timer_masked_keeps_counting(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);

	wr(v, APIC_LVTT, APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC | 0x33);
	wr(v, APIC_TMICT, 1000000);
	fake_clock_advance(&env->fc, 3250000);
	KUNIT_EXPECT_EQ(test, fired(v), 3);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x33));
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 750000);
	/* Unmasking delivers from the next expiry. */
	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x33);
	fake_clock_advance(&env->fc, 750000);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x33));
}

static void timer_mode_switches(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 val;

	/* One-shot -> periodic keeps the running count. */
	wr(v, APIC_LVTT, 0x34);
	wr(v, APIC_TMICT, 1000000);
	fake_clock_advance(&env->fc, 300000);
	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x34);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 700000);
	fake_clock_advance(&env->fc, 700000 + 2000000);
	KUNIT_EXPECT_EQ(test, fired(v), 3);
	/* Periodic -> TSC-deadline disarms and clears the initial count. */
	wr(v, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x34);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMICT), 0);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMCCT), 0);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), 0);
	/* Initial count writes are ignored in TSC-deadline mode. */
	wr(v, APIC_TMICT, 5);
	KUNIT_EXPECT_EQ(test, rd(v, APIC_TMICT), 0);
	/* TSC-deadline -> one-shot clears the deadline. */
	vlapic_msr_write(v, MSR_DEADLINE, vlapic_guest_tsc(v) + 100000);
	wr(v, APIC_LVTT, 0x34);
	vlapic_msr_read(v, MSR_DEADLINE, &val);
	KUNIT_EXPECT_EQ(test, val, 0);
	fake_clock_advance(&env->fc, 200000);
	KUNIT_EXPECT_EQ(test, fired(v), 3);
}

static void timer_tsc_deadline(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 val, deadline;

	/* Outside deadline mode the MSR ignores writes and reads zero. */
	vlapic_msr_write(v, MSR_DEADLINE, vlapic_guest_tsc(v) + 10);
	vlapic_msr_read(v, MSR_DEADLINE, &val);
	KUNIT_EXPECT_EQ(test, val, 0);

	wr(v, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x35);
	deadline = vlapic_guest_tsc(v) + 5000;
	KUNIT_EXPECT_EQ(test, vlapic_msr_write(v, MSR_DEADLINE, deadline),
			VLAPIC_ACCESS_OK);
	vlapic_msr_read(v, MSR_DEADLINE, &val);
	KUNIT_EXPECT_EQ(test, val, deadline);
	fake_clock_advance(&env->fc, 4999);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x35));
	fake_clock_advance(&env->fc, 1);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x35));
	vlapic_msr_read(v, MSR_DEADLINE, &val);
	KUNIT_EXPECT_EQ(test, val, 0);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x35);
	wr(v, APIC_EOI, 0);

	/* A deadline in the past fires within the write. */
	vlapic_msr_write(v, MSR_DEADLINE, vlapic_guest_tsc(v) - 1);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x35));
	KUNIT_EXPECT_EQ(test, fired(v), 2);
	KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0x35);
	wr(v, APIC_EOI, 0);

	/* Writing 0 disarms. */
	vlapic_msr_write(v, MSR_DEADLINE, vlapic_guest_tsc(v) + 100);
	vlapic_msr_write(v, MSR_DEADLINE, 0);
	fake_clock_advance(&env->fc, 1000);
	KUNIT_EXPECT_EQ(test, fired(v), 2);
	/* A far deadline saturates instead of overflowing. */
	vlapic_msr_write(v, MSR_DEADLINE, ~0ULL);
	fake_clock_advance(&env->fc, 1000000000ULL);
	KUNIT_EXPECT_EQ(test, fired(v), 2);
	vlapic_msr_read(v, MSR_DEADLINE, &val);
	KUNIT_EXPECT_EQ(test, val, ~0ULL);
}

/*
 * The deadline -> clock conversion at frequencies around multiples of
 * 2 GHz (an overflow check that wrapped above 2,000,000 kHz made every
 * deadline more than ~28 h of guest TSC away never fire) and for TSC
 * values up to 2^64 - 1. The reference is mul_u64_u32_div(), exact when
 * the quotient fits (khz >= 10^6), and otherwise the quotient's size.
 */
static void timer_tsc_deadline_frequencies(struct kunit *test)
{
	static const u32 khz_list[] = {
		1, 999999, 1000000, 1999999, 2000000, 2000001, 2000022,
		3999999, 4000000, 4000001, 6000001, 8000000, 100000000,
	};
	static const u64 delta_list[] = {
		1000000000ULL,			/* 1 s at 1 GHz */
		28ULL * 3600 * 1000000000,	/* the issue: ~28 h at 1 GHz */
		1ULL << 40, 1ULL << 50, 1ULL << 62, U64_MAX / 3,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(khz_list); i++) {
		struct vlapic_config cfg = env_default_config;
		struct lapic_env *env;
		struct vlapic *v;
		u32 khz = khz_list[i];
		u64 now_tsc;

		cfg.tsc_khz = khz;
		env = env_create(test, 1, &cfg, NULL);
		v = env->v[0];
		apic_sw_enable(v);
		wr(v, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x35);
		now_tsc = vlapic_guest_tsc(v);
		for (j = 0; j < ARRAY_SIZE(delta_list); j++) {
			u64 delta, deadline, want;

			/* The delta in guest TSC ticks, saturating. */
			if (check_mul_overflow(delta_list[j] / 1000000,
					       (u64)khz, &delta))
				delta = U64_MAX;
			if (delta > U64_MAX - now_tsc)
				delta = U64_MAX - now_tsc;
			deadline = now_tsc + delta;
			if (khz >= 1000000)
				want = min_t(u64, mul_u64_u32_div(deadline,
								  1000000, khz),
					     KTIME_MAX);
			else if (deadline / khz > KTIME_MAX / 1000000)
				want = KTIME_MAX;
			else
				want = min_t(u64, deadline / khz * 1000000 +
					     deadline % khz * 1000000 / khz,
					     KTIME_MAX);
			vlapic_msr_write(v, MSR_DEADLINE, deadline);
			KUNIT_EXPECT_EQ_MSG(test, fake_clock_expiry(&env->fc, v),
					    want, "khz %u deadline %llu", khz,
					    deadline);
			KUNIT_EXPECT_EQ_MSG(test, fired(v), 0,
					    "khz %u deadline %llu", khz,
					    deadline);
		}
		env_exit(test);
	}
}

static void timer_tsc_deadline_not_offered(struct kunit *test)
{
	struct vlapic_config cfg = env_default_config;
	struct lapic_env *env;
	u64 val;

	cfg.tsc_deadline = false;
	env = env_create(test, 1, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, vlapic_msr_read(env->v[0], MSR_DEADLINE, &val),
			VLAPIC_ACCESS_GP);
	KUNIT_EXPECT_EQ(test, vlapic_msr_write(env->v[0], MSR_DEADLINE, 1),
			VLAPIC_ACCESS_GP);
	/* Mode bits 18:17 = 10b are reserved without the feature. */
	apic_sw_enable(env->v[0]);
	wr(env->v[0], APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x36);
	KUNIT_EXPECT_EQ(test, rd(env->v[0], APIC_LVTT), 0x36);
}

/*
 * Seed 002: the expiry callback was already on its way when the guest
 * reprogrammed the timer. The stale callback must neither tick nor
 * complain; the new count must tick exactly once.
 */
static void timer_seed002_stale_callback(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 start = env->fc.now;

	wr(v, APIC_LVTT, 0x37);
	wr(v, APIC_TMICT, 1000);
	fake_clock_advance(&env->fc, 500);
	wr(v, APIC_TMICT, 5000);		/* now due at start + 5500 */
	env->fc.now = start + 1000;		/* the old expiry time */
	vlapic_timer_expired(v);		/* the stale callback runs */
	KUNIT_EXPECT_EQ(test, fired(v), 0);
	KUNIT_EXPECT_FALSE(test, irr_test(v, 0x37));
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_TIMER_STALE), 1);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), start + 5500);
	fake_clock_advance(&env->fc, 4499);
	KUNIT_EXPECT_EQ(test, fired(v), 0);
	fake_clock_advance(&env->fc, 1);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	/* A callback after disarm does nothing. */
	wr(v, APIC_TMICT, 100);
	wr(v, APIC_TMICT, 0);
	vlapic_timer_expired(v);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
}

/*
 * Seed 002, other order: the count expired, the callback has not run
 * yet, and the guest reprograms. Hardware delivered before the write:
 * the tick is not lost, and the late callback adds none.
 */
static void timer_seed002_due_then_reprogram(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 start = env->fc.now;

	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x38);
	wr(v, APIC_TMICT, 1000000);
	env->fc.now = start + 1000000;		/* due, callback pending */
	wr(v, APIC_TMICT, 3000000);		/* reprogram */
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x38));
	vlapic_timer_expired(v);		/* the late callback */
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v),
			start + 1000000 + 3000000);
	/* Mode change and divide change while due: same rule. */
	env->fc.now = start + 4000000;
	wr(v, APIC_TDCR, APIC_TDR_DIV_2);
	KUNIT_EXPECT_EQ(test, fired(v), 2);
	env->fc.now = start + 4000000 + 6000000;
	wr(v, APIC_LVTT, 0x38);
	KUNIT_EXPECT_EQ(test, fired(v), 3);
}

/*
 * Seed 002 with the other writers of timer state: RESET, INIT and state
 * restore replace the timer while an expiry callback is on its way. The
 * late callback must find nothing due; the restored timer ticks once.
 */
static void timer_seed002_reset_init_restore(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	struct vlapic_lapic_state *s;
	u64 start = env->fc.now;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);

	/* RESET with a periodic timer due. */
	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x3d);
	wr(v, APIC_TMICT, 1000);
	vlapic_reset(v);
	env->fc.now = start + 1000;
	vlapic_timer_expired(v);
	KUNIT_EXPECT_EQ(test, fired(v), 0);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v), 0);

	/* INIT with a one-shot pending. */
	apic_sw_enable(v);
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(v, APIC_LVTT, 0x3d);
	wr(v, APIC_TMICT, 1000);
	vlapic_bus_deliver(env->bus, &(struct vlapic_irq) {
		.dest_id = 0, .delivery_mode = APIC_DM_INIT, .assert = true },
		NULL);
	KUNIT_EXPECT_TRUE(test, vlapic_take_event(v, VLAPIC_EVENT_INIT, NULL));
	env->fc.now += 1000;
	vlapic_timer_expired(v);
	KUNIT_EXPECT_EQ(test, fired(v), 0);

	/* Restore a different timer while the old one's callback is late. */
	apic_sw_enable(v);
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(v, APIC_LVTT, 0x3e);
	wr(v, APIC_TMICT, 5000);
	vlapic_get_state(v, s);			/* 5000 ns left */
	wr(v, APIC_TMICT, 100);			/* old timer, due first */
	KUNIT_ASSERT_EQ(test, vlapic_set_state(v, s), 0);
	env->fc.now += 100;
	vlapic_timer_expired(v);		/* the old callback */
	KUNIT_EXPECT_EQ(test, fired(v), 0);
	fake_clock_advance(&env->fc, 4900);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x3e));
	fake_clock_advance(&env->fc, 100000);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
}

struct timer_race {
	struct vlapic *v;
	struct completion done;
	unsigned long rounds;
};

static int timer_race_reprogrammer(void *data)
{
	struct timer_race *r = data;
	unsigned long i;

	for (i = 0; i < r->rounds; i++) {
		switch (i % 5) {
		case 0:
			wr(r->v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x3f);
			wr(r->v, APIC_TMICT, 1);
			break;
		case 1:
			wr(r->v, APIC_TDCR, i & 1 ? APIC_TDR_DIV_2 : APIC_TDR_DIV_1);
			break;
		case 2:
			wr(r->v, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x3f);
			vlapic_msr_write(r->v, VLAPIC_MSR_TSC_DEADLINE,
					 vlapic_guest_tsc(r->v) + 50000);
			break;
		case 3:
			wr(r->v, APIC_LVTT, 0x3f);
			wr(r->v, APIC_TMICT, 30000);
			break;
		default:
			if (vlapic_ack(r->v) >= 0)
				wr(r->v, APIC_EOI, 0);
			if (i % 50 == 49)
				vlapic_reset(r->v);
			apic_sw_enable(r->v);
			break;
		}
		if (!(i % 16))
			cond_resched();
	}
	complete(&r->done);
	return 0;
}

/*
 * Seed 002 on real hrtimers: a kthread on another CPU reprograms the
 * timer in every mode, changes the divider and resets the APIC as fast as
 * it can while 200 us periods expire. Lockdep, KASAN and debugobjects
 * watch; the timer must still tick afterwards.
 */
static void timer_seed002_hrtimer_race(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, &vlapic_host_clock);
	struct timer_race r = { .v = env->v[0], .rounds = 20000 };
	struct task_struct *t;
	unsigned long end;
	u64 before;

	init_completion(&r.done);
	apic_sw_enable(r.v);
	t = kthread_run(timer_race_reprogrammer, &r, "vlapic-timer-race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&r.done, 60 * HZ), 0);
	KUNIT_EXPECT_GT(test, fired(r.v), 0);

	/* Still a working timer. */
	wr(r.v, APIC_LVTT, 0x3a);
	wr(r.v, APIC_TMICT, 0);
	before = fired(r.v);
	wr(r.v, APIC_TMICT, 100000);
	end = jiffies + msecs_to_jiffies(2000);
	while (fired(r.v) == before && time_before(jiffies, end))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, fired(r.v), before + 1);
}

/* A periodic timer that lags several periods ticks once and resyncs. */
static void timer_periodic_lag_resync(struct kunit *test)
{
	struct lapic_env *env;
	struct vlapic *v = timer_env(test, &env);
	u64 start = env->fc.now;

	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x39);
	wr(v, APIC_TMICT, 1000000);
	env->fc.now = start + 10500000;		/* host stalled 10.5 periods */
	vlapic_timer_expired(v);
	KUNIT_EXPECT_EQ(test, fired(v), 1);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_TIMER_RESYNC), 1);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v),
			start + 10500000 + 1000000);
	/* Lagging less than a period keeps the original phase. */
	env->fc.now = start + 11500000 + 300000;
	vlapic_timer_expired(v);
	KUNIT_EXPECT_EQ(test, fired(v), 2);
	KUNIT_EXPECT_EQ(test, fake_clock_expiry(&env->fc, v),
			start + 12500000);
	KUNIT_EXPECT_EQ(test, vlapic_stat(v, VLAPIC_STAT_TIMER_RESYNC), 1);
}

/* Real hrtimers: a one-shot and a periodic fire, within wide bounds. */
static void timer_hrtimer_real(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, &vlapic_host_clock);
	struct vlapic *v = env->v[0];
	unsigned long end;
	u64 n;

	apic_sw_enable(v);
	wr(v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(v, APIC_LVTT, 0x3a);
	wr(v, APIC_TMICT, 1000000);		/* 1 ms */
	end = jiffies + msecs_to_jiffies(2000);
	while (!irr_test(v, 0x3a) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, irr_test(v, 0x3a));
	KUNIT_EXPECT_EQ(test, fired(v), 1);

	wr(v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x3b);
	wr(v, APIC_TMICT, 1000000);
	msleep(100);
	wr(v, APIC_TMICT, 0);
	n = fired(v) - 1;
	/* 100 ms at 1 ms: TCG and sanitizers are slow, so be generous. */
	KUNIT_EXPECT_GE(test, n, 10);
	KUNIT_EXPECT_LE(test, n, 110);
}

/* Teardown with a short periodic timer running: no use after free. */
static void timer_hrtimer_teardown_running(struct kunit *test)
{
	unsigned int round;

	for (round = 0; round < 20; round++) {
		struct lapic_env *env = env_create(test, 2, NULL,
						   &vlapic_host_clock);

		apic_sw_enable(env->v[0]);
		wr(env->v[0], APIC_TDCR, APIC_TDR_DIV_1);
		wr(env->v[0], APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x3c);
		wr(env->v[0], APIC_TMICT, 1);	/* floored to 200 us */
		udelay(round * 50);
		env_exit(test);
	}
}

static struct kunit_case timer_cases[] = {
	KUNIT_CASE(timer_oneshot),
	KUNIT_CASE(timer_periodic),
	KUNIT_CASE(timer_periodic_floor),
	KUNIT_CASE(timer_periodic_floor_every_path),
	KUNIT_CASE(timer_divide_change),
	KUNIT_CASE(timer_masked_keeps_counting),
	KUNIT_CASE(timer_mode_switches),
	KUNIT_CASE(timer_tsc_deadline),
	KUNIT_CASE(timer_tsc_deadline_frequencies),
	KUNIT_CASE(timer_tsc_deadline_not_offered),
	KUNIT_CASE(timer_seed002_stale_callback),
	KUNIT_CASE(timer_seed002_due_then_reprogram),
	KUNIT_CASE(timer_seed002_reset_init_restore),
	KUNIT_CASE(timer_seed002_hrtimer_race),
	KUNIT_CASE(timer_periodic_lag_resync),
	KUNIT_CASE(timer_hrtimer_real),
	KUNIT_CASE(timer_hrtimer_teardown_running),
	{}
};

static struct kunit_suite timer_suite = {
	.name = "vlapic_timer",
	.exit = env_exit,
	.test_cases = timer_cases,
};

kunit_test_suite(timer_suite);
