/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time source of the vLAPIC timer.
 *
 * The timer logic (lapic/timer.c) never reads a clock or arms a host timer
 * directly: it goes through a struct vlapic_clock. vlapic_host_clock uses
 * ktime and a hard hrtimer per vLAPIC; KUnit suites use a clock they
 * drive by hand, so that expiry, reprogramming and teardown can be
 * interleaved exactly (seed 002).
 *
 * Protocol (docs/lapic.md, "Timer locking"):
 * - @arm and @disarm are called with the vLAPIC's lock held. @arm replaces
 *   any earlier expiry; @disarm never waits for a running expiry.
 * - When an armed expiry is reached the clock calls vlapic_timer_expired()
 *   without the lock; the call may be late, or stale (the timer was
 *   reprogrammed after the clock decided to call it): the vLAPIC re-checks
 *   everything under its lock and re-arms through @arm if needed.
 * - @sync is called without the lock on teardown, after the timer was
 *   disarmed: it returns once no vlapic_timer_expired() call for @vlapic
 *   runs or can start. It may sleep.
 */
#ifndef _VLAPIC_CLOCK_H
#define _VLAPIC_CLOCK_H

#include <linux/types.h>

struct vlapic;

struct vlapic_clock {
	u64 (*now_ns)(const struct vlapic_clock *clock);
	void (*arm)(const struct vlapic_clock *clock, struct vlapic *vlapic,
		    u64 expiry_ns);
	void (*disarm)(const struct vlapic_clock *clock, struct vlapic *vlapic);
	void (*sync)(const struct vlapic_clock *clock, struct vlapic *vlapic);
};

extern const struct vlapic_clock vlapic_host_clock;

void vlapic_timer_expired(struct vlapic *vlapic);
u64 vlapic_guest_tsc(struct vlapic *vlapic);
void vlapic_use_host_tsc(struct vlapic *vlapic, u64 offset);
u64 vlapic_timer_min_period_ns(void);
void vlapic_timer_set_min_period_ns(u64 ns);

#endif /* _VLAPIC_CLOCK_H */
