/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The vLAPIC timer's expiry callback against reprogramming, mode switches,
 * state save and teardown (docs/lapic.md "Timer locking", seed 002),
 * lapic/timer.c and lapic/clock.c:
 * - the hrtimer callback vlapic_hrtimer_fn() -> vlapic_timer_expired():
 *   take the lock, trust only what is found: nothing armed: nothing;
 *   armed for later: re-arm, no tick; due: vlapic_timer_fire();
 * - the guest's writes under the lock, each starting with
 *   vlapic_timer_catch_up(): the initial count (vlapic_timer_write_icr(),
 *   0 stops), the LVT mode one-shot <-> periodic
 *   (vlapic_timer_write_lvt()), and the state save (vlapic_get_state()'s
 *   catch-up before the registers are read);
 * - teardown, vlapic_timer_shutdown(): disarm under the lock, then
 *   hrtimer_cancel() outside it, then the vLAPIC is freed.
 * The hrtimer is modelled as Linux has it: hrtimer_start() (re)queues,
 * also from the running callback; hrtimer_try_to_cancel() removes a
 * queued timer unless its callback is running (then it does nothing);
 * hrtimer_cancel() waits for the callback and removes the timer. Time is
 * a counter that a clock process advances; the callback runs at any time
 * once its expiry has passed.
 *
 * Configuration: one vLAPIC, time 0..TMAX, the guest makes up to
 * GUEST_OPS writes (counts of 1 or 2 ticks, 0, mode switches, saves),
 * then maybe tears down; a count of c ticks has period c.
 *
 * Invariants:
 * - no lost tick: no write replaces or stops a count whose expiry is
 *   already due (the due tick fires first), and a save never sees a due
 *   expiry that has not fired;
 * - no spurious tick: a tick fires only at or after its expiry;
 * - no storm: after a periodic tick the next expiry is in the future
 *   (a lagging timer resets its time base);
 * - no use after free: the callback never runs once teardown freed the
 *   vLAPIC; no deadlock (SPIN's invalid end states).
 *
 * Variants (-D), each must give a counterexample:
 * NO_CATCHUP     writes do not fire a due expiry first: a late callback
 *                makes the reprogram swallow the tick.
 * TRUST_HRTIMER  the callback fires whenever the hrtimer expired, without
 *                checking what is armed (bhyve's seed 002 handler, which
 *                then saw the new expiry and asserted "fired early").
 * NO_RESYNC      a periodic tick always advances by one period: a timer
 *                that lags catches up in a storm.
 * CANCEL_NOSYNC  teardown only disarms (hrtimer_try_to_cancel()): a
 *                running callback outlives the free.
 * DISARM_SYNC    disarm waits for the callback (hrtimer_cancel()) under
 *                the lock the callback takes: deadlock.
 */

#ifndef TMAX
#define TMAX		4
#endif
#ifndef GUEST_OPS
#define GUEST_OPS	3
#endif

mtype = { ONESHOT, PERIODIC };

byte now;

/* struct vlapic_timer, under vlapic->lock */
bit lock;
mtype mode = ONESHOT;
byte target;		/* target_ns; 0: nothing armed */
byte period;
byte ticks;		/* LVT timer interrupts delivered */

/* the hrtimer */
bit hr_queued;
byte hr_exp;
bit hr_running;

bit freed;
bit guest_done;

inline lock_acquire()
{
	atomic { !lock -> lock = 1 }
}

inline lock_release()
{
	lock = 0
}

/* hrtimer_try_to_cancel(): nothing while the callback runs. */
inline hr_try_cancel()
{
	if
	:: !hr_running -> hr_queued = 0
	:: else
	fi
}

/* vlapic_timer_arm(): target, then hrtimer_start(). */
inline arm(x)
{
	target = x;
	hr_queued = 1;
	hr_exp = x
}

/* vlapic_timer_disarm(), lock held. */
inline disarm()
{
	target = 0;
#ifdef DISARM_SYNC
	!hr_running;		/* hrtimer_cancel() under the lock */
	hr_queued = 0
#else
	hr_try_cancel()
#endif
}

/*
 * A write replaces or stops the count: its due tick must have fired. @t
 * is the time the catch-up read (vlapic_now() under the lock): the
 * write's instant.
 */
inline replace_check(t)
{
	assert(!(target != 0 && t >= target))
}

/* vlapic_timer_fire(@t), lock held. */
inline fire(t)
{
	assert(target != 0 && t >= target);	/* no spurious tick */
	ticks++;
	if
	:: mode == PERIODIC ->
#ifdef NO_RESYNC
		arm(target + period);
#else
		if
		:: target + period <= t -> arm(t + period)	/* resync */
		:: else -> arm(target + period)
		fi;
#endif
		assert(target > t)			/* no storm */
	:: else -> target = 0
	fi
}

/* vlapic_timer_catch_up(), lock held: @t = vlapic_now(). */
inline catch_up(t)
{
	t = now;
#ifndef NO_CATCHUP
	if
	:: target != 0 && t >= target -> fire(t)
	:: else
	fi
#endif
}

active proctype clock()
{
	do
	:: now < TMAX -> now++
	:: else -> break
	od
}

/* The hrtimer interrupt: vlapic_hrtimer_fn(). */
active proctype hrtimer()
{
	byte t;

end_idle:
	do
	:: atomic { hr_queued && now >= hr_exp ->
			hr_queued = 0; hr_running = 1 }
		assert(!freed);			/* container_of(vlapic) */
		lock_acquire();			/* vlapic_timer_expired() */
		t = now;
#ifdef TRUST_HRTIMER
		if
		:: target != 0 -> fire(t)
		:: else
		fi;
#else
		if
		:: target == 0 -> skip		/* stale */
		:: target != 0 && t < target -> arm(target)	/* stale */
		:: target != 0 && t >= target -> fire(t)
		fi;
#endif
		t = 0;
		lock_release();
		hr_running = 0			/* HRTIMER_NORESTART */
	od
}

active proctype guest()
{
	byte ops, t;

	do
	:: ops < GUEST_OPS -> ops++;
		lock_acquire();
		if
		:: true ->		/* vlapic_timer_write_icr(c) */
			catch_up(t);
			replace_check(t);
			if	/* vlapic_timer_start_count(): vlapic_now() again */
			:: period = 1; arm(now + 1)
			:: period = 2; arm(now + 2)
			:: period = 0; disarm()
			fi
		:: true ->		/* vlapic_timer_write_lvt() */
			catch_up(t);
			if
			:: mode = ONESHOT
			:: mode = PERIODIC
			fi
		:: true ->		/* vlapic_get_state() */
			catch_up(t);
			replace_check(t)	/* the due tick is in IRR */
		fi;
		lock_release();
		t = 0
	:: else -> break
	od;
	if
	:: true ->			/* vlapic_timer_shutdown() */
		lock_acquire();
		disarm();
		lock_release();
#ifndef CANCEL_NOSYNC
		atomic { !hr_running -> hr_queued = 0 }	/* hrtimer_cancel() */
#endif
		freed = 1
	:: true
	fi;
	guest_done = 1
}
