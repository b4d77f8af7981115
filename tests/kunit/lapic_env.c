// SPDX-License-Identifier: GPL-2.0
/*
 * Test VM for the vLAPIC suites (see lapic_env.h).
 */

#include <linux/slab.h>

#include "lapic_env.h"

const struct vlapic_config env_default_config = {
	.x2apic = true,
	.tsc_deadline = true,
	.directed_eoi = true,
};

static struct fake_clock *to_fake(const struct vlapic_clock *clock)
{
	return container_of(clock, struct fake_clock, clock);
}

static u64 fake_now(const struct vlapic_clock *clock)
{
	return to_fake(clock)->now;
}

static void fake_arm(const struct vlapic_clock *clock, struct vlapic *v,
		     u64 expiry)
{
	struct fake_clock *fc = to_fake(clock);

	fc->expiry[vlapic_index(v)] = expiry ? expiry : 1;
	fc->arms++;
}

static void fake_disarm(const struct vlapic_clock *clock, struct vlapic *v)
{
	to_fake(clock)->expiry[vlapic_index(v)] = 0;
}

static void fake_sync(const struct vlapic_clock *clock, struct vlapic *v)
{
}

/**
 * fake_clock_advance() - move time forward, running due expiries in order.
 * @fc: the clock
 * @ns: how far
 */
void fake_clock_advance(struct fake_clock *fc, u64 ns)
{
	u64 end = fc->now + ns;

	for (;;) {
		unsigned int i, best = fc->nr;

		for (i = 0; i < fc->nr; i++)
			if (fc->expiry[i] && fc->expiry[i] <= end &&
			    (best == fc->nr || fc->expiry[i] < fc->expiry[best]))
				best = i;
		if (best == fc->nr)
			break;
		fc->now = max(fc->now, fc->expiry[best]);
		fc->expiry[best] = 0;
		vlapic_timer_expired(fc->vlapics[best]);
	}
	fc->now = end;
}

/**
 * fake_clock_expiry() - when a vLAPIC's timer is armed for.
 * @fc: the clock
 * @vlapic: the vLAPIC
 *
 * Return: the expiry, 0 when not armed.
 */
u64 fake_clock_expiry(struct fake_clock *fc, struct vlapic *vlapic)
{
	return fc->expiry[vlapic_index(vlapic)];
}

static void env_kick(struct vlapic *v)
{
	struct lapic_env *env = vlapic_bus_owner(vlapic_get_bus(v));

	env->kicks[vlapic_index(v)]++;
}

static void env_eoi(struct vlapic_bus *bus, struct vlapic *v, u8 vector)
{
	struct lapic_env *env = vlapic_bus_owner(bus);

	if (env->nr_eoi < ENV_MAX_EOIS) {
		env->eoi_vector[env->nr_eoi] = vector;
		env->eoi_from[env->nr_eoi] = vlapic_index(v);
	}
	env->nr_eoi++;
}

static const struct vlapic_bus_ops env_bus_ops = {
	.kick = env_kick,
	.eoi_broadcast = env_eoi,
};

/**
 * env_create() - a bus with @nr vLAPICs (APIC ID = index), all RESET.
 * @test: the test; the env is freed by env_exit()
 * @nr: number of vLAPICs
 * @cfg: features (NULL: env_default_config)
 * @clock: NULL for the fake clock, or &vlapic_host_clock
 *
 * Return: the env (the test is aborted on failure).
 */
struct lapic_env *env_create(struct kunit *test, unsigned int nr,
			     const struct vlapic_config *cfg,
			     const struct vlapic_clock *clock)
{
	struct lapic_env *env;
	unsigned int i;

	KUNIT_ASSERT_LE(test, nr, ENV_MAX_VLAPICS);
	env = kzalloc(sizeof(*env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->test = test;
	env->fc.clock = (struct vlapic_clock) {
		.now_ns = fake_now, .arm = fake_arm,
		.disarm = fake_disarm, .sync = fake_sync,
	};
	env->fc.now = 1000000000ULL;	/* 1 s: "in the past" is representable */
	env->fc.nr = nr;
	env->fc.vlapics = env->v;
	env->fc.expiry = kcalloc(nr, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->fc.expiry);
	env->bus = vlapic_bus_create(nr, cfg ? cfg : &env_default_config,
				     &env_bus_ops, env);
	KUNIT_ASSERT_FALSE(test, IS_ERR(env->bus));
	for (i = 0; i < nr; i++) {
		env->v[i] = vlapic_create(env->bus, i, i,
					  clock ? clock : &env->fc.clock);
		KUNIT_ASSERT_FALSE(test, IS_ERR(env->v[i]));
		env->nr = i + 1;
	}
	return env;
}

/**
 * env_exit() - suite .exit: destroy the env of the test, if any.
 * @test: the test
 */
void env_exit(struct kunit *test)
{
	struct lapic_env *env = test->priv;
	unsigned int i;

	if (!env)
		return;
	for (i = 0; i < env->nr; i++)
		vlapic_destroy(env->v[i]);
	if (!IS_ERR_OR_NULL(env->bus))
		vlapic_bus_destroy(env->bus);
	kfree(env->fc.expiry);
	kfree(env);
	test->priv = NULL;
}

u32 rd(struct vlapic *v, u32 off)
{
	u32 val = 0xdeadbeef;

	vlapic_mmio_read(v, off, &val, 4);
	return val;
}

void wr(struct vlapic *v, u32 off, u32 val)
{
	vlapic_mmio_write(v, off, &val, 4);
}

void apic_sw_enable(struct vlapic *v)
{
	if (vlapic_x2apic_mode(v))
		vlapic_msr_write(v, 0x80f, 0x1ff);
	else
		wr(v, APIC_SPIV, 0x1ff);
}

enum vlapic_access to_x2apic(struct vlapic *v)
{
	return vlapic_msr_write(v, VLAPIC_MSR_APIC_BASE,
				VLAPIC_DEFAULT_BASE | VLAPIC_BASE_ENABLE |
				VLAPIC_BASE_X2APIC |
				(vlapic_index(v) ? 0 : VLAPIC_BASE_BSP));
}

/* An IOAPIC/MSI-style fixed, physical interrupt. */
void send_fixed(struct lapic_env *env, u32 dest, u8 vector, bool level)
{
	struct vlapic_irq irq = {
		.dest_id = dest, .vector = vector,
		.delivery_mode = APIC_DM_FIXED, .level = level, .assert = true,
	};

	vlapic_bus_deliver(env->bus, &irq, NULL);
}

static bool vec_test(struct vlapic *v, u32 base, u8 vec)
{
	return *(u32 *)(vlapic_regs_page(v) + base + (vec >> 5) * 16) &
	       BIT(vec & 31);
}

bool irr_test(struct vlapic *v, u8 vec)
{
	return vec_test(v, APIC_IRR, vec);
}

bool isr_test(struct vlapic *v, u8 vec)
{
	return vec_test(v, APIC_ISR, vec);
}

bool tmr_test(struct vlapic *v, u8 vec)
{
	return vec_test(v, APIC_TMR, vec);
}
