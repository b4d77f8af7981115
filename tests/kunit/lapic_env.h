/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test VM for the vLAPIC suites: a bus with N vLAPICs on a clock the
 * test drives by hand, recording kicks and EOI broadcasts.
 */
#ifndef _VLAPIC_TESTS_LAPIC_ENV_H
#define _VLAPIC_TESTS_LAPIC_ENV_H

#include <kunit/test.h>
#include <asm/apicdef.h>

#include <vlapic/clock.h>
#include <vlapic/lapic.h>
#include <vlapic/lapic_state.h>
#include <vlapic/ops.h>
#include <vlapic/stats.h>

#define ENV_MAX_VLAPICS	300
#define ENV_MAX_EOIS	64

/* A clock that only moves when the test says so. */
struct fake_clock {
	struct vlapic_clock clock;
	u64 now;
	unsigned int nr;
	struct vlapic **vlapics;
	u64 *expiry;	/* per vLAPIC index; 0: not armed */
	unsigned int arms;
};

struct lapic_env {
	struct kunit *test;
	struct fake_clock fc;
	struct vlapic_bus *bus;
	unsigned int nr;
	struct vlapic *v[ENV_MAX_VLAPICS];
	unsigned int kicks[ENV_MAX_VLAPICS];
	unsigned int nr_eoi;
	u8 eoi_vector[ENV_MAX_EOIS];
	unsigned int eoi_from[ENV_MAX_EOIS];
};

struct lapic_env *env_create(struct kunit *test, unsigned int nr,
			     const struct vlapic_config *cfg,
			     const struct vlapic_clock *clock);
void env_exit(struct kunit *test);
extern const struct vlapic_config env_default_config;

void fake_clock_advance(struct fake_clock *fc, u64 ns);
u64 fake_clock_expiry(struct fake_clock *fc, struct vlapic *vlapic);

u32 rd(struct vlapic *v, u32 off);
void wr(struct vlapic *v, u32 off, u32 val);
void apic_sw_enable(struct vlapic *v);
enum vlapic_access to_x2apic(struct vlapic *v);
void send_fixed(struct lapic_env *env, u32 dest, u8 vector, bool level);
bool irr_test(struct vlapic *v, u8 vec);
bool isr_test(struct vlapic *v, u8 vec);
bool tmr_test(struct vlapic *v, u8 vec);

#endif /* _VLAPIC_TESTS_LAPIC_ENV_H */
