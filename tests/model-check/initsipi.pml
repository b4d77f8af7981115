/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * INIT/SIPI acceptance against the vCPU taking its events
 * (docs/lapic.md "INIT-SIPI-SIPI"): a sender (the BSP's ICR writes, each
 * one vlapic_accept_locked() under the AP's lock, then the kick) against
 * the AP's run loop (run/run.c run_accept_events(): vlapic_take_event(INIT)
 * then vlapic_take_event(SIPI); run_loop(): sleep in vlapic_vcpu_block()
 * with run_can_wake() while waiting for SIPI, else run the guest until
 * kicked).
 *
 * Configuration: one sender, one AP, the AP running a guest or waiting
 * for SIPI at the start (both explored). Default: the sender sends INIT,
 * SIPI, SIPI (Linux, kvm-unit-tests). -DSIPI_FIRST: SIPI then INIT.
 * The AP takes at most AP_EXITS exits of its own (besides kicks).
 *
 * Invariants:
 * - a latched SIPI means an INIT is pending or the AP waits for SIPI
 *   (checked at the end of every locked section);
 * - the AP is started at most once (nothing delivered twice);
 * - INIT, SIPI, SIPI: the AP ends running, started exactly once, nothing
 *   pending (the SIPI is never lost); SIPI, INIT: the AP ends waiting for
 *   SIPI with nothing latched (the INIT comes last);
 * - no wake-up missed: when nothing can move, the AP does not sleep
 *   with INIT or SIPI pending.
 *
 * Variants (-D), each must give a counterexample:
 * SIPI_WINDOW     vlapic_take_event(INIT) clears the event, drops the lock
 *                 and resets under a second hold (main before d877155):
 *                 a SIPI in between finds neither INIT nor wait-for-SIPI.
 * INIT_KEEPS_SIPI accepting an INIT keeps a SIPI latched before it (also
 *                 before d877155); with -DSIPI_FIRST the AP starts.
 * SIPI_UNDER_INIT vlapic_take_event(SIPI) takes the SIPI while an INIT is
 *                 pending.
 */

#ifndef AP_EXITS
#define AP_EXITS	2
#endif

mtype = { RUNNABLE, WAIT_FOR_SIPI };

/* The AP's vLAPIC, under vlapic->lock (the atomic blocks below). */
bit ev_init;
bit ev_sipi;
mtype mp;

bit wake;		/* kick: rcuwait wake-up, or the IPI ending a stint */
bit asleep;
byte started;		/* SIPIs taken that made the AP runnable */
bit sender_done;

#define latched_ok()	(!ev_sipi || ev_init || mp == WAIT_FOR_SIPI)

/* vlapic_accept_locked(), APIC_DM_INIT, then the kick. */
inline send_init()
{
	atomic {
#ifndef INIT_KEEPS_SIPI
		ev_sipi = 0;	/* it comes last: a latched SIPI starts nothing */
#endif
		ev_init = 1;
#ifndef INIT_KEEPS_SIPI
		assert(latched_ok())
#endif
	}
	wake = 1
}

/* vlapic_accept_sipi(), then the kick when latched. */
inline send_sipi()
{
	atomic {
		if
		:: (mp != WAIT_FOR_SIPI && !ev_init) || ev_sipi -> skip
		:: else -> ev_sipi = 1
		fi;
		assert(latched_ok())
	}
	wake = 1
}

active proctype sender()
{
#ifdef SIPI_FIRST
	send_sipi();
	send_init();
#else
	send_init();
	send_sipi();
	send_sipi();
#endif
	sender_done = 1
}

/* vlapic_reset_locked(VLAPIC_RESET_INIT) for an AP, lock held. */
inline init_reset()
{
	mp = WAIT_FOR_SIPI;
	/* a SIPI latched now came after this INIT: the AP keeps it */
}

active proctype ap()
{
	byte exits;
	bit taken;

	if
	:: mp = RUNNABLE
	:: mp = WAIT_FOR_SIPI
	fi;
loop:
	/* run_accept_events(): INIT first */
	if
	:: ev_init ->
#ifdef SIPI_WINDOW
		atomic { taken = ev_init; ev_init = 0 }
		atomic {
			if
			:: taken -> init_reset()
			:: else
			fi;
			taken = 0
		}
#else
		atomic {	/* vlapic_take_event(INIT): one lock hold */
			if
			:: ev_init -> ev_init = 0; init_reset()
			:: else
			fi;
			assert(latched_ok())
		}
#endif
	:: else
	fi;
	if			/* then SIPI */
	:: ev_sipi ->
		atomic {	/* vlapic_take_event(SIPI) */
#ifdef SIPI_UNDER_INIT
			if
			:: ev_sipi ->
#else
			if
			:: ev_sipi && !ev_init ->
#endif
				ev_sipi = 0;
				if
				:: mp == WAIT_FOR_SIPI ->
					mp = RUNNABLE; started++;
					assert(started <= 1)
				:: else
				fi
			:: else
			fi;
			assert(latched_ok())
		}
	:: else
	fi;
	if
	:: mp == WAIT_FOR_SIPI ->
		/* vlapic_vcpu_block(run_can_wake): set the task state,
		   test the predicate, schedule() */
		wake = 0;
		if
		:: ev_init || ev_sipi -> skip
		:: else ->
			asleep = 1;
end_sleep:
			wake;
			asleep = 0
		fi;
		goto loop
	:: else
	fi;
	/* in the guest until kicked, or an exit of its own */
end_guest:
	if
	:: wake -> wake = 0; goto loop
	:: exits < AP_EXITS -> exits++; goto loop
	fi
}

active proctype quiescent()
{
	timeout;
	assert(sender_done);
	assert(!(asleep && (ev_init || ev_sipi)));	/* wake-up missed */
#ifdef SIPI_FIRST
	/* The INIT came last: the AP waits for the next SIPI. */
	assert(mp == WAIT_FOR_SIPI && !ev_sipi && !ev_init);
#else
	/* INIT, SIPI, SIPI: the AP runs, started once. */
	assert(mp == RUNNABLE && started == 1 && !ev_sipi && !ev_init);
#endif
}
