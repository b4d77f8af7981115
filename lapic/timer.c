// SPDX-License-Identifier: GPL-2.0
/*
 * The APIC timer: one-shot, periodic and TSC-deadline.
 *
 * Locking protocol (seed 002: bhyve panicked when an expiry raced a
 * reprogram): every field of struct vlapic_timer changes only under
 * vlapic->lock. The clock is armed and disarmed under the lock; disarming
 * never waits. An expiry callback takes the lock and trusts nothing but
 * the state it finds: nothing armed -> nothing happens; armed for later
 * (the guest reprogrammed after the callback was already on its way) ->
 * re-arm for the real time, no tick; due -> exactly one tick. There is no
 * assertion that a callback is "early": a callback may always be stale.
 * A periodic timer that lags a whole period or more (the host was busy)
 * delivers one interrupt and restarts its period from now: no catch-up
 * storm. Teardown disarms under the lock, then waits for a running
 * callback outside it.
 */

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <asm/tsc.h>

#include <vlapic/export.h>
#include "lapic_priv.h"
#include "lapic_trace.h"

/* Shortest period a periodic timer may have; KVM's default is 200 us. */
static unsigned long min_periodic_ns = 200000;
module_param(min_periodic_ns, ulong, 0644);
MODULE_PARM_DESC(min_periodic_ns,
		 "Shortest periodic APIC timer period in ns (default 200000)");

/**
 * vlapic_timer_min_period_ns() - the current periodic floor.
 *
 * Return: min_periodic_ns.
 */
u64 vlapic_timer_min_period_ns(void)
{
	return READ_ONCE(min_periodic_ns);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_timer_min_period_ns);

/**
 * vlapic_timer_set_min_period_ns() - set the periodic floor (tests).
 * @ns: new floor
 */
void vlapic_timer_set_min_period_ns(u64 ns)
{
	WRITE_ONCE(min_periodic_ns, ns);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_timer_set_min_period_ns);

static u64 vlapic_now(struct vlapic *vlapic)
{
	return vlapic->clock->now_ns(vlapic->clock);
}

/* Divide configuration -> divisor: bits 3,1,0; 0b111 is divide by 1. */
static u32 vlapic_timer_divisor(u32 dcr)
{
	u32 code = ((dcr & 0x8) >> 1) | (dcr & 0x3);

	return code == 7 ? 1 : 2U << code;
}

static u64 vlapic_tick_ns(struct vlapic *vlapic)
{
	return (u64)vlapic_cfg(vlapic)->bus_cycle_ns *
	       vlapic_timer_divisor(vlapic_reg(vlapic, APIC_TDCR));
}

/*
 * Guest TSC -> clock nanoseconds at the configured TSC frequency, exact
 * (rounded down) for every TSC value and every frequency VM creation
 * accepts (1 kHz to 100 GHz). tsc = q * khz + r, so
 * ns = q * 10^6 + r * 10^6 / khz; r * 10^6 < khz * 10^6 <= 10^14 cannot
 * overflow, and q * 10^6 overflows exactly when the result is beyond
 * KTIME_MAX: such far deadlines saturate, they never fire within the
 * VM's life. (A threshold computed as KTIME_MAX / 10^6 * khz wraps for
 * khz above 2,000,000 and made every deadline more than about a day of
 * guest TSC away saturate.)
 */
static u64 vlapic_tsc_to_ns(struct vlapic *vlapic, u64 tsc)
{
	u32 khz = vlapic_cfg(vlapic)->tsc_khz, rem;
	u64 q = div_u64_rem(tsc, khz, &rem);

	if (q > div_u64(KTIME_MAX, 1000000))
		return KTIME_MAX;
	return min_t(u64, q * 1000000 + div_u64((u64)rem * 1000000, khz),
		     KTIME_MAX);
}

/**
 * vlapic_guest_tsc() - the guest TSC now, as the deadline timer sees it.
 * @vlapic: the vLAPIC
 *
 * Return: the host TSC plus the guest's offset when the guest runs on the
 * CPU (vlapic_use_host_tsc()); otherwise clock ns scaled to the
 * configured TSC frequency.
 */
u64 vlapic_guest_tsc(struct vlapic *vlapic)
{
	if (READ_ONCE(vlapic->timer.host_tsc))
		return rdtsc() + READ_ONCE(vlapic->timer.tsc_offset);
	return mul_u64_u32_div(vlapic_now(vlapic), vlapic_cfg(vlapic)->tsc_khz,
			       1000000);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_guest_tsc);

/*
 * Clock time at which the guest TSC reaches @deadline. With the host TSC
 * the distance is converted at tsc_khz, rounded up: the callback checks
 * the TSC itself anyway (vlapic_timer_early()).
 */
static u64 vlapic_deadline_ns(struct vlapic *vlapic, u64 deadline, u64 now)
{
	u64 tsc, ns;

	if (!vlapic->timer.host_tsc)
		return vlapic_tsc_to_ns(vlapic, deadline);
	tsc = vlapic_guest_tsc(vlapic);
	if (deadline <= tsc)
		return now;
	ns = vlapic_tsc_to_ns(vlapic, deadline - tsc);
	if (ns >= KTIME_MAX - now - 1)
		return KTIME_MAX;
	return now + ns + 1;
}

static void vlapic_timer_arm(struct vlapic *vlapic, u64 expiry)
{
	vlapic->timer.target_ns = expiry;
	vlapic->clock->arm(vlapic->clock, vlapic, expiry);
}

static void vlapic_timer_disarm(struct vlapic *vlapic)
{
	vlapic->timer.target_ns = 0;
	vlapic->clock->disarm(vlapic->clock, vlapic);
}

/* One expiry: the LVT interrupt (unless masked) and the next period. */
static bool vlapic_timer_fire(struct vlapic *vlapic, u64 now)
{
	struct vlapic_timer *t = &vlapic->timer;
	bool kick, resync = false;

	vlapic_stat_inc(vlapic, VLAPIC_STAT_TIMER_FIRED);
	kick = vlapic_deliver_lvt(vlapic, APIC_LVTT);
	switch (t->mode) {
	case APIC_LVT_TIMER_PERIODIC: {
		u64 next = t->target_ns + t->period_ns;

		if (next <= now) {
			/* Lagging a full period: reset the time base. */
			vlapic_stat_inc(vlapic, VLAPIC_STAT_TIMER_RESYNC);
			next = now + t->period_ns;
			resync = true;
		}
		trace_vlapic_timer_fire(vlapic_id(vlapic), t->mode,
					now - t->target_ns, resync);
		vlapic_timer_arm(vlapic, next);
		return kick;
	}
	case APIC_LVT_TIMER_TSCDEADLINE:
		trace_vlapic_timer_fire(vlapic_id(vlapic), t->mode,
					now - t->target_ns, false);
		/* The deadline MSR reads zero once the timer fired. */
		t->tsc_deadline = 0;
		t->target_ns = 0;
		break;
	default:
		trace_vlapic_timer_fire(vlapic_id(vlapic), t->mode,
					now - t->target_ns, false);
		t->target_ns = 0;
		break;
	}
	return kick;
}

/*
 * A TSC-deadline expiry reached on the clock before the guest's TSC got
 * to the deadline (the two drift apart): not due. Aim again at what is
 * left, so the guest never takes the interrupt before its own RDTSC
 * reaches the deadline.
 */
static bool vlapic_timer_early(struct vlapic *vlapic, u64 now)
{
	struct vlapic_timer *t = &vlapic->timer;

	if (t->mode != APIC_LVT_TIMER_TSCDEADLINE || !t->host_tsc ||
	    !t->tsc_deadline || vlapic_guest_tsc(vlapic) >= t->tsc_deadline)
		return false;
	vlapic_timer_arm(vlapic, max(now + 1,
				     vlapic_deadline_ns(vlapic, t->tsc_deadline,
							now)));
	return true;
}

/**
 * vlapic_timer_catch_up() - fire an expiry that is already due.
 * @vlapic: the vLAPIC (lock held)
 *
 * Before any reprogramming, and before a state save: an expiry already
 * due fires now, even if the clock's callback has not run yet, so that
 * neither can swallow a tick hardware would have delivered first.
 *
 * Return: true when the vCPU must be kicked.
 */
bool vlapic_timer_catch_up(struct vlapic *vlapic)
{
	u64 now;

	lockdep_assert_held(&vlapic->lock);
	if (!vlapic->timer.target_ns)
		return false;
	now = vlapic_now(vlapic);
	if (now < vlapic->timer.target_ns || vlapic_timer_early(vlapic, now))
		return false;
	return vlapic_timer_fire(vlapic, now);
}

static void vlapic_timer_kick_if(struct vlapic *vlapic, bool kick)
{
	if (kick)
		vlapic->bus->ops->kick(vlapic);
}

/**
 * vlapic_timer_expired() - the clock reached an armed expiry.
 * @vlapic: the vLAPIC
 *
 * May be late or stale; see the protocol at the top of this file.
 */
void vlapic_timer_expired(struct vlapic *vlapic)
{
	struct vlapic_timer *t = &vlapic->timer;
	unsigned long flags;
	bool kick = false;
	u64 now;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	now = vlapic_now(vlapic);
	if (!t->target_ns) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_TIMER_STALE);
	} else if (now < t->target_ns) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_TIMER_STALE);
		vlapic_timer_arm(vlapic, t->target_ns);
	} else if (vlapic_timer_early(vlapic, now)) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_TIMER_STALE);
	} else {
		kick = vlapic_timer_fire(vlapic, now);
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	if (kick)
		vlapic->bus->ops->kick(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_timer_expired);

/*
 * Invariant, kept wherever @mode or @period_ns is stored: in periodic
 * mode a non-zero period is never shorter than min_periodic_ns, whatever
 * path started the count (an initial-count write, a divide change, a
 * one-shot count switched to periodic in the LVT, a restore). Otherwise
 * a guest could make the host take an hrtimer interrupt per nanosecond.
 */
static void vlapic_timer_clamp_period(struct vlapic_timer *t)
{
	if (t->mode == APIC_LVT_TIMER_PERIODIC && t->period_ns)
		t->period_ns = max_t(u64, t->period_ns,
				     vlapic_timer_min_period_ns());
}

/* Start counting @count ticks from now (one-shot / periodic). */
static void vlapic_timer_start_count(struct vlapic *vlapic, u32 count,
				     u32 initial)
{
	struct vlapic_timer *t = &vlapic->timer;
	u64 tick = vlapic_tick_ns(vlapic);

	t->period_ns = (u64)initial * tick;
	vlapic_timer_clamp_period(t);
	vlapic_timer_arm(vlapic, vlapic_now(vlapic) +
			 min_t(u64, (u64)count * tick, t->period_ns));
}

/**
 * vlapic_timer_write_lvt() - the guest writes the LVT timer entry.
 * @vlapic: the vLAPIC (lock held)
 * @val: the new entry, before it is stored
 *
 * Switching into or out of TSC-deadline mode disarms the timer and clears
 * the initial count and the deadline (SDM 10.5.4.1); switching between
 * one-shot and periodic keeps the count running in the new mode, the
 * periods after it no shorter than min_periodic_ns.
 */
void vlapic_timer_write_lvt(struct vlapic *vlapic, u32 val)
{
	struct vlapic_timer *t = &vlapic->timer;
	u32 mode = val & (APIC_LVT_TIMER_PERIODIC | APIC_LVT_TIMER_TSCDEADLINE);
	bool was_deadline = t->mode == APIC_LVT_TIMER_TSCDEADLINE;
	bool is_deadline = mode == APIC_LVT_TIMER_TSCDEADLINE;

	lockdep_assert_held(&vlapic->lock);
	vlapic_timer_kick_if(vlapic, vlapic_timer_catch_up(vlapic));
	if (was_deadline != is_deadline) {
		vlapic_timer_disarm(vlapic);
		vlapic_set_reg(vlapic, APIC_TMICT, 0);
		t->period_ns = 0;
		t->tsc_deadline = 0;
	}
	t->mode = mode;
	/* A one-shot count becoming periodic: its next periods are clamped. */
	vlapic_timer_clamp_period(t);
}

/**
 * vlapic_timer_write_icr() - the guest writes the initial count.
 * @vlapic: the vLAPIC (lock held)
 * @count: the count; 0 stops the timer
 *
 * Ignored in TSC-deadline mode. A periodic period is never shorter than
 * min_periodic_ns.
 */
void vlapic_timer_write_icr(struct vlapic *vlapic, u32 count)
{
	lockdep_assert_held(&vlapic->lock);
	if (vlapic->timer.mode == APIC_LVT_TIMER_TSCDEADLINE) {
		/*
		 * TMICT is 0 in this mode. Stored again: with VMX
		 * APIC-register virtualization the CPU put the guest's
		 * value in the register page before the write exited.
		 */
		vlapic_set_reg(vlapic, APIC_TMICT, 0);
		return;
	}
	vlapic_timer_kick_if(vlapic, vlapic_timer_catch_up(vlapic));
	vlapic_set_reg(vlapic, APIC_TMICT, count);
	if (!count) {
		vlapic_timer_disarm(vlapic);
		return;
	}
	vlapic_timer_start_count(vlapic, count, count);
}

/* Remaining time of the current count, 0 when not counting. */
static u64 vlapic_timer_remaining_ns(struct vlapic *vlapic, u64 now)
{
	struct vlapic_timer *t = &vlapic->timer;

	if (!t->target_ns || t->mode == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	if (now < t->target_ns)
		return t->target_ns - now;
	/* Expired, callback not run yet: a periodic count already restarted. */
	if (t->mode == APIC_LVT_TIMER_PERIODIC && t->period_ns) {
		u64 late;

		div64_u64_rem(now - t->target_ns, t->period_ns, &late);
		return t->period_ns - late;
	}
	return 0;
}

/**
 * vlapic_timer_current_count() - the current-count register.
 * @vlapic: the vLAPIC (lock held)
 *
 * Return: remaining ticks at the current divider, 0 when not counting.
 */
u32 vlapic_timer_current_count(struct vlapic *vlapic)
{
	u64 rem = vlapic_timer_remaining_ns(vlapic, vlapic_now(vlapic));
	u64 ticks;

	lockdep_assert_held(&vlapic->lock);
	if (!rem)
		return 0;
	ticks = div64_u64(rem + vlapic_tick_ns(vlapic) - 1,
			  vlapic_tick_ns(vlapic));
	return min_t(u64, ticks, vlapic_reg(vlapic, APIC_TMICT));
}

/**
 * vlapic_timer_write_dcr() - the guest writes the divide configuration.
 * @vlapic: the vLAPIC (lock held)
 * @val: new divide configuration (bits 3, 1, 0)
 *
 * A running count keeps its remaining ticks and continues at the new rate.
 */
void vlapic_timer_write_dcr(struct vlapic *vlapic, u32 val)
{
	u32 remaining;

	lockdep_assert_held(&vlapic->lock);
	vlapic_timer_kick_if(vlapic, vlapic_timer_catch_up(vlapic));
	remaining = vlapic_timer_current_count(vlapic);
	vlapic_set_reg(vlapic, APIC_TDCR, val);
	if (remaining && vlapic->timer.mode != APIC_LVT_TIMER_TSCDEADLINE)
		vlapic_timer_start_count(vlapic, remaining,
					 vlapic_reg(vlapic, APIC_TMICT));
}

/**
 * vlapic_timer_read_deadline() - IA32_TSC_DEADLINE as the guest reads it.
 * @vlapic: the vLAPIC (lock held)
 *
 * Return: the armed deadline; 0 when disarmed, fired or not in
 * TSC-deadline mode.
 */
u64 vlapic_timer_read_deadline(struct vlapic *vlapic)
{
	lockdep_assert_held(&vlapic->lock);
	if (vlapic->timer.mode != APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	return vlapic->timer.tsc_deadline;
}

/**
 * vlapic_timer_write_deadline() - the guest writes IA32_TSC_DEADLINE.
 * @vlapic: the vLAPIC (lock held)
 * @deadline: guest TSC value; 0 disarms
 *
 * Ignored outside TSC-deadline mode. A deadline already passed fires at
 * once, within this write.
 */
void vlapic_timer_write_deadline(struct vlapic *vlapic, u64 deadline)
{
	struct vlapic_timer *t = &vlapic->timer;
	u64 now, when;

	lockdep_assert_held(&vlapic->lock);
	if (t->mode != APIC_LVT_TIMER_TSCDEADLINE)
		return;
	vlapic_timer_kick_if(vlapic, vlapic_timer_catch_up(vlapic));
	t->tsc_deadline = deadline;
	if (!deadline) {
		vlapic_timer_disarm(vlapic);
		return;
	}
	now = vlapic_now(vlapic);
	when = vlapic_deadline_ns(vlapic, deadline, now);
	if (when <= now) {
		vlapic_timer_disarm(vlapic);
		t->target_ns = now;
		vlapic_timer_kick_if(vlapic, vlapic_timer_fire(vlapic, now));
		return;
	}
	vlapic_timer_arm(vlapic, when);
}

/**
 * vlapic_timer_restore() - resume the timer from restored registers.
 * @vlapic: the vLAPIC (lock held; LVTT, TMICT and TDCR already loaded)
 * @current_count: the saved current count
 * @tsc_deadline: the saved IA32_TSC_DEADLINE
 *
 * One-shot and periodic resume with @current_count ticks left (a count of
 * 1 fires almost at once); TSC-deadline re-arms the deadline, firing at
 * once when it already passed. Nothing saved as running stays silent.
 */
void vlapic_timer_restore(struct vlapic *vlapic, u32 current_count,
			  u64 tsc_deadline)
{
	struct vlapic_timer *t = &vlapic->timer;
	u32 initial = vlapic_reg(vlapic, APIC_TMICT);

	lockdep_assert_held(&vlapic->lock);
	vlapic_timer_disarm(vlapic);
	t->mode = vlapic_reg(vlapic, APIC_LVTT) &
		  (APIC_LVT_TIMER_PERIODIC | APIC_LVT_TIMER_TSCDEADLINE);
	t->period_ns = 0;
	t->tsc_deadline = 0;
	if (t->mode == APIC_LVT_TIMER_TSCDEADLINE) {
		vlapic_set_reg(vlapic, APIC_TMICT, 0);
		vlapic_timer_write_deadline(vlapic, tsc_deadline);
	} else if (initial && current_count) {
		vlapic_timer_start_count(vlapic, min(current_count, initial),
					 initial);
	}
}

/**
 * vlapic_timer_reset() - the timer's state after RESET or INIT.
 * @vlapic: the vLAPIC (lock held)
 */
void vlapic_timer_reset(struct vlapic *vlapic)
{
	lockdep_assert_held(&vlapic->lock);
	vlapic_timer_disarm(vlapic);
	vlapic->timer.mode = APIC_LVT_TIMER_ONESHOT;
	vlapic->timer.period_ns = 0;
	vlapic->timer.tsc_deadline = 0;
}

/**
 * vlapic_timer_shutdown() - stop the timer for good (vLAPIC teardown).
 * @vlapic: the vLAPIC (lock not held; may sleep)
 */
void vlapic_timer_shutdown(struct vlapic *vlapic)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_timer_disarm(vlapic);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	/* A callback still running sees nothing armed and re-arms nothing. */
	vlapic->clock->sync(vlapic->clock, vlapic);
}

/**
 * vlapic_use_host_tsc() - the guest runs on the CPU: its TSC is the host's.
 * @vlapic: the vLAPIC (lock not held)
 * @offset: guest TSC - host TSC (two's complement)
 *
 * From now on IA32_TSC_DEADLINE is compared with the host TSC plus
 * @offset, which is exactly what the guest's RDTSC returns; an armed
 * deadline is aimed again. The configured tsc_khz must be the host's.
 */
void vlapic_use_host_tsc(struct vlapic *vlapic, u64 offset)
{
	struct vlapic_timer *t = &vlapic->timer;
	unsigned long flags;
	bool kick = false;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	WRITE_ONCE(t->tsc_offset, offset);
	WRITE_ONCE(t->host_tsc, true);
	if (t->mode == APIC_LVT_TIMER_TSCDEADLINE && t->tsc_deadline &&
	    t->target_ns) {
		u64 now = vlapic_now(vlapic);
		u64 when = vlapic_deadline_ns(vlapic, t->tsc_deadline, now);

		if (when <= now) {
			t->target_ns = now;
			kick = vlapic_timer_fire(vlapic, now);
		} else {
			vlapic_timer_arm(vlapic, when);
		}
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	if (kick)
		vlapic->bus->ops->kick(vlapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_use_host_tsc);
