/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * Lowest-priority delivery against concurrent TPR changes (docs/lapic.md
 * "The bus"), lapic/bus.c vlapic_bus_deliver(): the targets' PPRs are
 * read without their locks (vlapic_arb_priority(), READ_ONCE of the
 * register), in two passes over the destinations:
 * vlapic_visit_lowest_min() finds the lowest PPR, its ties and the first
 * target with it (the fallback); the round-robin counter (atomic
 * lowest_rr) picks one of the ties; vlapic_visit_lowest_pick() reads the
 * PPRs again and takes the pick-th target still at the lowest; when none
 * is (the PPRs moved), the fallback; vlapic_accept() then latches the
 * vector under the chosen target's lock.
 *
 * Configuration: 3 enabled targets whose PPR is low or high, one guest
 * thread changing them (TPR writes, EOIs) up to CHANGES times, one sender
 * of MSGS lowest-priority messages to all three.
 *
 * Invariant: every message is accepted by exactly one target (with at
 * least one enabled target, a lowest-priority message is never dropped;
 * for a level IOAPIC entry a dropped one left remote IRR set and the pin
 * dead).
 *
 * Variant (-D), must give a counterexample:
 * NO_FALLBACK  the second pass's result is used as it is (main before
 *              f417f52): when the PPRs moved between the passes, the
 *              message goes nowhere.
 *
 * NO_RETRY     (with DISABLE) a winner that was software-disabled after
 *              the passes read it drops the message (main before the
 *              retry): lost although another target is enabled.
 *
 * -DDISABLE lets the guest software-disable target 0 (after the passes
 * read it, too) and asserts that a message is accepted when some target
 * is enabled at the moment the last try latches it: a winner found
 * disabled is excluded and the arbitration runs again, up to TRIES times
 * in all (each try excludes one more target; there are N < TRIES).
 */

#ifndef CHANGES
#define CHANGES		2
#endif
#ifndef MSGS
#define MSGS		2
#endif
#define N		3
#define TRIES		4	/* VLAPIC_LOWEST_TRIES */
#define DISABLED	9	/* vlapic_arb_priority() of a disabled APIC */

byte ppr[N];		/* 0: low, 1: high; DISABLED */
byte rr;		/* bus->lowest_rr */
byte accepted;

active proctype guest()
{
	byte n, i;

	do
	:: n < CHANGES -> n++;
		if
		:: i = 0
		:: i = 1
		:: i = 2
		fi;
		if		/* under that target's lock */
		:: ppr[i] != DISABLED -> ppr[i] = 1 - ppr[i]
#ifdef DISABLE
		:: i == 0 -> ppr[0] = DISABLED
#endif
		:: else
		fi;
		i = 0
	:: break
	od
}

active proctype sender()
{
	byte m, i, best, ties, fallback, pick, chosen, p, tries, excl;
	bit some_enabled, done;

	do
	:: m < MSGS -> m++;
		tries = 0; excl = 0; done = 0;
		do
		:: done -> break
		:: !done ->
		/* vlapic_visit_lowest_min(); excl: the dropped winners (bitmask) */
		best = DISABLED; ties = 0; fallback = N;
		i = 0;
		do
		:: i < N ->
			p = ppr[i];
			if
			:: excl & (1 << i) -> p = DISABLED
			:: else
			fi;
			if
			:: p == DISABLED
			:: p != DISABLED && p < best ->
				best = p; ties = 1; fallback = i
			:: p != DISABLED && p == best -> ties++
			:: else
			fi;
			i++
		:: else -> break
		od;
		chosen = N;
		if
		:: ties > 0 ->
			d_step { rr++; pick = rr % ties }
			/* vlapic_visit_lowest_pick() */
			i = 0;
			do
			:: i < N ->
				if
				:: chosen == N && ppr[i] == best &&
				   !(excl & (1 << i)) ->
					if
					:: pick == 0 -> chosen = i
					:: else -> pick--
					fi
				:: else
				fi;
				i++
			:: else -> break
			od
		:: else
		fi;
#ifndef NO_FALLBACK
		if
		:: chosen == N -> chosen = fallback	/* PPRs moved */
		:: else
		fi;
#endif
		/* vlapic_accept() under the chosen target's lock */
		atomic {
			if
			:: chosen < N && ppr[chosen] != DISABLED ->
				accepted++; done = 1
			:: chosen == N -> done = 1	/* nobody enabled */
			:: else ->	/* the winner was disabled: again */
				tries++;
				excl = excl | (1 << chosen);
#ifdef NO_RETRY
				done = 1;
#endif
				if
				:: tries == TRIES -> done = 1
				:: else
				fi
			fi;
			some_enabled = ppr[0] != DISABLED ||
				       ppr[1] != DISABLED ||
				       ppr[2] != DISABLED
		}
		od;
#ifdef DISABLE
		assert(accepted == m || !some_enabled);
#else
		assert(accepted == m);
#endif
		pick = 0; p = 0; best = 0; ties = 0; fallback = 0; chosen = 0;
		some_enabled = 0; tries = 0; excl = 0; done = 0
	:: else -> break
	od
}
