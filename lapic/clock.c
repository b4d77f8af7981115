// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_host_clock: the vLAPIC timer on the host's monotonic clock, with
 * one hard hrtimer per vLAPIC (it expires in hard interrupt context, also
 * on PREEMPT_RT, like KVM's APIC timer).
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>

#include <vlapic/export.h>
#include "lapic_priv.h"

static u64 vlapic_host_now(const struct vlapic_clock *clock)
{
	return ktime_get_ns();
}

/* Lock held. hrtimer_start() may be called from the timer's own callback. */
static void vlapic_host_arm(const struct vlapic_clock *clock,
			    struct vlapic *vlapic, u64 expiry_ns)
{
	hrtimer_start(&vlapic->timer.hrtimer,
		      ns_to_ktime(min_t(u64, expiry_ns, KTIME_MAX)),
		      HRTIMER_MODE_ABS_HARD);
}

/* Lock held: never waits for a running callback (it takes the lock). */
static void vlapic_host_disarm(const struct vlapic_clock *clock,
			       struct vlapic *vlapic)
{
	hrtimer_try_to_cancel(&vlapic->timer.hrtimer);
}

static void vlapic_host_sync(const struct vlapic_clock *clock,
			     struct vlapic *vlapic)
{
	hrtimer_cancel(&vlapic->timer.hrtimer);
}

static enum hrtimer_restart vlapic_hrtimer_fn(struct hrtimer *hrtimer)
{
	struct vlapic *vlapic = container_of(hrtimer, struct vlapic,
					     timer.hrtimer);

	/* Re-arming, if any, happens through vlapic_host_arm(). */
	vlapic_timer_expired(vlapic);
	return HRTIMER_NORESTART;
}

/**
 * vlapic_timer_init() - prepare the host timer of a new vLAPIC.
 * @vlapic: the vLAPIC
 */
void vlapic_timer_init(struct vlapic *vlapic)
{
	hrtimer_init(&vlapic->timer.hrtimer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_HARD);
	vlapic->timer.hrtimer.function = vlapic_hrtimer_fn;
}

const struct vlapic_clock vlapic_host_clock = {
	.now_ns = vlapic_host_now,
	.arm = vlapic_host_arm,
	.disarm = vlapic_host_disarm,
	.sync = vlapic_host_sync,
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_host_clock);
