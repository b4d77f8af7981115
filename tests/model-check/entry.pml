/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The run loop's entry path against a concurrent delivery and its kick
 * (docs/run.md "Kicks and the lost-wake-up rule"):
 * - the vCPU (run/run.c run_loop(), svm/run.c svm_enter()): interrupts
 *   off; smp_store_mb(vcpu->mode, VLAPIC_IN_GUEST_MODE); the vLAPIC read
 *   under its lock to decide the injection (svm_inject_events() ->
 *   svm_vlapic_prepare_entry(): the deliverable vector acknowledged into
 *   EVENTINJ); VMRUN; WRITE_ONCE(mode, OUTSIDE) after the exit. A halted
 *   vCPU sleeps in vlapic_vcpu_block() with run_can_wake();
 * - a deliverer (vlapic_accept_msg_locked() then the bus's kick,
 *   vlapic_vcpu_kick()): IRR set under the vLAPIC lock, then
 *   rcuwait_wake_up() and vlapic_run_kick(): smp_mb(), cmpxchg(mode,
 *   IN_GUEST, EXITING), and an IPI to the vCPU's CPU when it succeeded.
 * The IPI is what the CPU holds pending while the vCPU has interrupts
 * off (local_irq_disable(), then CLGI): with the host's RFLAGS.IF = 1 at
 * VMRUN, a pending physical interrupt ends the stint at once (#VMEXIT
 * INTR). SPIN's interleavings are sequentially consistent: the full
 * barriers are what make that exact; a missing barrier is modelled as
 * the two accesses in the other order.
 *
 * Configuration: 2 deliverers, each setting one vector once (both
 * deliverable: the guest runs with IF = 1 and PPR 0); the vCPU makes up
 * to ENTRIES entries; one injection per entry; the guest exits by
 * itself after an injection (its EOI is intercepted) or when it halts,
 * and otherwise only on the IPI.
 *
 * Invariants:
 * - no wake-up missed: when nothing can move, the vCPU is not in the
 *   guest with a vector left in IRR and nothing that will make it exit,
 *   nor asleep with a vector in IRR;
 * - nothing delivered twice: each vector is injected at most once;
 * - nothing lost: every vector set is in IRR or was injected.
 *
 * Variants (-D), each must give a counterexample:
 * LATE_WAIT   the sleeper clears its wake-up after testing the predicate
 *             (set_current_state() after can_wake()).
 * LATE_MODE   the vLAPIC is read before IN_GUEST_MODE is published (the
 *             store after the read, as without smp_store_mb()).
 * KICK_FIRST  the deliverer reads the mode before IRR is set (no barrier
 *             between the store and the load on the deliverer's side).
 */

#ifndef ENTRIES
#define ENTRIES		3
#endif

mtype = { OUTSIDE, IN_GUEST, EXITING };

mtype mode = OUTSIDE;
bit irr[2];
byte injected[2];
bit setv[2];
bit ipi;		/* pending at the vCPU's CPU */
bit wake;		/* rcuwait: the sleeper was woken */
bit asleep;
bit in_guest;		/* between VMRUN and #VMEXIT */
bit will_exit;		/* the guest exits by itself this stint */
byte deliverers_done;

inline deliver(v)
{
#ifdef KICK_FIRST
	mtype m;
	m = mode;		/* the mode read before IRR is set */
#endif
	atomic { irr[v] = 1; setv[v] = 1 }	/* vLAPIC lock */
	wake = 1;		/* rcuwait_wake_up() */
#ifdef KICK_FIRST
	if
	:: m == IN_GUEST ->
		atomic {
			if
			:: mode == IN_GUEST -> mode = EXITING; ipi = 1
			:: else
			fi
		}
	:: else
	fi
#else
	atomic {		/* smp_mb(); cmpxchg(); IPI */
		if
		:: mode == IN_GUEST -> mode = EXITING; ipi = 1
		:: else
		fi
	}
#endif
}

proctype deliverer(byte v)
{
	deliver(v);
	deliverers_done++
}

active proctype vcpu()
{
	byte entries;
	bit halted;

loop:
	if
	:: halted ->
		/* vlapic_vcpu_block(run_can_wake) */
		do
		::
#ifndef LATE_WAIT
			wake = 0;	/* set_current_state() */
#endif
			if
			:: irr[0] || irr[1] -> break
			:: else ->
#ifdef LATE_WAIT
				wake = 0;
#endif
				asleep = 1;
end_sleep:
				wake;
				asleep = 0
			fi
		od;
		halted = 0
	:: else
	fi;
	if
	:: entries < ENTRIES -> entries++
	:: else -> goto end_done
	fi;
	/* svm_enter(): interrupts off */
#ifndef LATE_MODE
	mode = IN_GUEST;	/* smp_store_mb() */
#endif
	atomic {		/* svm_vlapic_prepare_entry(), vLAPIC lock */
		if
		:: irr[0] -> irr[0] = 0; injected[0]++; will_exit = 1
		:: irr[1] && !irr[0] -> irr[1] = 0; injected[1]++;
			will_exit = 1
		:: else
		fi;
		assert(injected[0] <= 1 && injected[1] <= 1)
	}
#ifdef LATE_MODE
	mode = IN_GUEST;
#endif
	in_guest = 1;		/* VMRUN */
end_guest:
	if
	:: ipi -> ipi = 0	/* #VMEXIT(INTR); the host takes the IPI */
	:: will_exit		/* the guest's EOI is intercepted */
	:: !will_exit && entries < ENTRIES -> halted = 1	/* HLT exit */
	fi;
	in_guest = 0;
	will_exit = 0;
	mode = OUTSIDE;		/* WRITE_ONCE() after the exit */
	goto loop;
end_done:
	skip
}

init {
	atomic {
		run deliverer(0);
		run deliverer(1)
	}
}

active proctype quiescent()
{
	timeout;
	assert(deliverers_done == 2);
	assert(!(in_guest && !will_exit && !ipi && (irr[0] || irr[1])));
	assert(!(asleep && (irr[0] || irr[1])));
	assert(!setv[0] || irr[0] || injected[0] == 1);
	assert(!setv[1] || irr[1] || injected[1] == 1)
}
