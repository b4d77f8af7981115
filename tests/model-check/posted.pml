/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * Posted interrupts (docs/apicv.md "Posted interrupts", seed 004):
 * vmx_pi_post() + vmx_pi_post_action() in three posters against one vCPU
 * that enters the guest (vmx_vlapic_set_mode(IN_GUEST), then the PIR
 * sync of vmx_vlapic_prepare_entry()), runs in the guest (the CPU's
 * posted-interrupt processing of a notification), exits, halts
 * (vmx_vlapic_set_mode(HALTED), the halt check, the rcuwait sleep), is
 * preempted (vmx_pi_set_sn() ... vmx_pi_clear_sn()) and restores its
 * state (the state_reset hook vmx_pi_purge(), the registers, a timer that
 * is already due posting during the restore).
 *
 * Configuration: 3 vectors; the vCPU's PPR is fixed (a halted vCPU's PPR
 * does not change until it runs) so that vectors 0 and 1 are below it and
 * vector 2 above it: seed 004's 0x60/0x61 pending at PPR 0x70 and the
 * 0xd3 timer. Poster i posts vector i once. The vCPU takes at most
 * VCPU_STEPS steps (an entry, an exit, a halt, a preemption), then
 * settles in the guest or asleep. -DRESTORE: posters 1 and 2 only, and
 * the vCPU may also restore its state once.
 *
 * Invariants:
 * - no wake-up missed: when nothing can move any more, a sleeping vCPU
 *   has nothing deliverable in the PIR or IRR, and a vCPU in the guest
 *   has nothing stranded in the PIR (the CPU only reads it on a
 *   notification);
 * - nothing delivered twice: a vector moves from the PIR to IRR at most
 *   as often as a post set its PIR bit;
 * - nothing lost: at the end every posted vector is in the PIR or IRR,
 *   unless a restore legitimately replaced the state;
 * - purge before load: the due timer's vector survives the restore.
 *
 * Variants (-D), each must give a counterexample:
 * BHYVE       notify/wake only when the post set ON (0 -> 1): seed 004.
 * KVM_SN      clear SN without recomputing ON, with KVM's sync that skips
 *             the PIR when ON is clear (vmx_sync_pir_to_irr()).
 * LATE_MODE   the halt check runs before "halted" is published.
 * SPLIT_SYNC  the sync reads a PIR word and clears it in two steps.
 * PURGE_AFTER the restore purges the PIR after loading the registers.
 * SYNC_SHORTCUT alone (the sync skips the PIR when ON is clear, SN
 * recomputed) is expected to verify: it shows that the recompute is what
 * makes an ON shortcut safe. NO_RECOMPUTE alone verifies too: with the
 * sync reading every word, nothing on these paths relies on ON after a
 * clear of SN.
 */

#define NV		4	/* vectors 0..2; 3 pads the second PIR word */
#define NLOW		2	/* vectors below NLOW are not deliverable */
#ifndef VCPU_STEPS
#define VCPU_STEPS	4
#endif

#ifdef KVM_SN
#define NO_RECOMPUTE
#define SYNC_SHORTCUT
#endif

mtype = { GUEST, HOST, HALTED };

/* The descriptor. */
bit pir[NV];
bit on;
bit sn;
/* The vLAPIC's IRR (with VID: VIRR, the virtual-APIC page). */
bit irr[NV];

mtype mode = HOST;	/* vx->mode, published with smp_store_mb() */
bit notif;		/* a notification IPI sent to the vCPU's CPU */
bit wake;		/* a wake-up since the sleeper set its task state */
bit asleep;		/* the vCPU is in schedule(), not runnable */

byte posted[NV];	/* posts that set the PIR bit (VMX_PI_POST_NEW) */
byte moved[NV];		/* moves PIR -> IRR */
bit wiped[NV];		/* dropped by a restore: legitimately gone */
byte posters_done;

#define deliverable(v)	((v) >= NLOW)

inline pi_post(v, son, snf)
{
	/* test_and_set_bit(vector, pir): the PIR bit first ... */
	d_step {
		if
		:: !pir[v] -> posted[v]++
		:: else
		fi;
		pir[v] = 1
	}
	/* ... then ON unless SN (test_bit, test_and_set_bit) */
	if
	:: sn -> snf = 1
	:: else ->
		d_step { son = !on; on = 1 }
	fi
}

/*
 * vmx_pi_sync(), and the CPU's posted-interrupt processing: clear ON,
 * then take each PIR word with xchg. Vectors 0 and 1 share a word
 * (0x60, 0x61), vector 2 has its own (0xd3).
 */
inline move_word(w, tmp0, tmp1)
{
#ifdef SPLIT_SYNC
	tmp0 = pir[2 * w]; tmp1 = pir[2 * w + 1];
	pir[2 * w] = 0; pir[2 * w + 1] = 0;
#else
	d_step {	/* xchg(&pi->pir[i], 0) */
		tmp0 = pir[2 * w]; tmp1 = pir[2 * w + 1];
		pir[2 * w] = 0; pir[2 * w + 1] = 0
	}
#endif
	d_step {
		if
		:: tmp0 -> irr[2 * w] = 1; moved[2 * w]++;
			assert(moved[2 * w] <= posted[2 * w])
		:: else
		fi;
		if
		:: tmp1 -> irr[2 * w + 1] = 1; moved[2 * w + 1]++;
			assert(moved[2 * w + 1] <= posted[2 * w + 1])
		:: else
		fi;
		tmp0 = 0; tmp1 = 0
	}
}

inline pi_sync(tmp0, tmp1)
{
#ifdef SYNC_SHORTCUT
	if
	:: on ->
#endif
	on = 0;			/* clear_bit(ON), smp_mb__after_atomic() */
	move_word(0, tmp0, tmp1);
	move_word(1, tmp0, tmp1)
#ifdef SYNC_SHORTCUT
	:: else
	fi
#endif
}

/* vmx_pi_purge(): ON, then every word. */
inline pi_purge()
{
	on = 0;
	d_step {
		wiped[0] = wiped[0] | pir[0]; wiped[1] = wiped[1] | pir[1];
		pir[0] = 0; pir[1] = 0
	}
	d_step { wiped[2] = wiped[2] | pir[2]; pir[2] = 0 }
}

#define pending_deliverable()	(pir[2] || irr[2])

/* vmx_ops_deliver_posted(): post, read the mode, act. */
inline post_and_act(v, son, snf)
{
	pi_post(v, son, snf);
	/* the mode is read after the post (a full barrier), then: */
	d_step {
#ifdef BHYVE
	/* bhyve: notify (IPI or wake-up) only when ON went 0 -> 1. */
	if
	:: son && mode == GUEST -> notif = 1
	:: son && mode == HALTED -> wake = 1
	:: else
	fi;
#else
	/* vmx_pi_post_action() */
	if
	:: mode == GUEST ->
		if
		:: !deliverable(v) && !son && !snf	/* ON set earlier */
		:: else -> notif = 1			/* VMX_PI_NOTIFY */
		fi
	:: mode == HOST				/* it syncs before entry */
	:: mode == HALTED ->
		if
		:: deliverable(v) -> wake = 1	/* VMX_PI_WAKE */
		:: else				/* the halt check would
						   sleep again */
		fi
	fi;
#endif
	son = 0;
	snf = 0
	}
}

proctype poster(byte v)
{
	bit son, snf;

	post_and_act(v, son, snf);
	posters_done++
}

active proctype vcpu()
{
	byte steps;
	bit tmp0, tmp1, son, restored;

host:
	/* A notification that reaches the CPU in the host does nothing. */
	if
	:: notif -> notif = 0
	:: else
	fi;
	if
	:: steps < VCPU_STEPS -> steps++;
		if
		:: goto enter
		:: goto halt
		:: goto preempt
#ifdef RESTORE
		:: !restored -> restored = 1; goto restore
#endif
		fi
	:: else ->
		if
		:: goto enter
		:: goto halt
		fi
	fi;

enter:
	mode = GUEST;		/* vmx_vlapic_set_mode(): smp_store_mb() */
	pi_sync(tmp0, tmp1);	/* vmx_vlapic_prepare_entry() */
end_guest:
	if
	:: notif ->		/* posted-interrupt processing */
		notif = 0;
		pi_sync(tmp0, tmp1);
		goto end_guest
	:: steps < VCPU_STEPS -> steps++;
		mode = HOST;	/* VM exit */
		goto host
	fi;

halt:
#ifndef LATE_MODE
	mode = HALTED;		/* vmx_vlapic_set_mode(): smp_store_mb() */
#endif
	do
	:: wake = 0;		/* set_current_state() in rcuwait */
		/* the halt check: vmx_vlapic_halt_check() syncs the PIR,
		   vmx_halt_has_deliverable() reads it as it is */
		if
		:: pi_sync(tmp0, tmp1)
		:: skip
		fi;
		if
		:: pending_deliverable() -> break
		:: else ->
#ifdef LATE_MODE
			mode = HALTED;
#endif
			asleep = 1;
end_sleep:
			wake;	/* schedule() until woken */
			asleep = 0
		fi
	od;
	mode = HOST;
	goto host;

preempt:
	sn = 1;			/* vmx_pi_set_sn() */
	sn = 0;			/* vmx_pi_clear_sn() */
#ifndef NO_RECOMPUTE
	if			/* smp_mb__after_atomic(), then the PIR */
	:: pir[0] || pir[1] || pir[2] ->
		d_step { son = !on; on = 1; son = 0 }
		/* son: the caller notifies or syncs before the next entry;
		   in the host, the entry's sync does it */
	:: else
	fi;
#endif
	goto host;

#ifdef RESTORE
restore:
	skip;
	/* vlapic_set_state() under the vLAPIC lock: state_reset hook, the
	   registers, then the timer resumes and, already due, posts */
#ifndef PURGE_AFTER
	pi_purge();
#endif
	d_step {	/* the restored IRR: empty */
		wiped[0] = wiped[0] | irr[0]; wiped[1] = wiped[1] | irr[1];
		wiped[2] = wiped[2] | irr[2];
		irr[0] = 0; irr[1] = 0; irr[2] = 0
	}
	post_and_act(2, son, tmp0);	/* the due timer's vector */
#ifdef PURGE_AFTER
	pi_purge();
#endif
	assert(pir[2] || irr[2]);
	goto host
#endif
}

init {
	atomic {
#ifndef RESTORE
		run poster(0);
#endif
		run poster(1);
		run poster(2)
	}
}

/* When nothing can move any more: the end state's invariants. */
active proctype quiescent()
{
	timeout;
#ifdef RESTORE
	assert(posters_done == 2);
#else
	assert(posters_done == 3);
#endif
	assert(!(asleep && pending_deliverable()));	/* wake-up missed */
	assert(!(mode == GUEST && (pir[0] || pir[1] || pir[2])));
	assert(posted[0] == 0 || pir[0] || irr[0] || wiped[0]);
	assert(posted[1] == 0 || pir[1] || irr[1] || wiped[1]);
	assert(posted[2] == 0 || pir[2] || irr[2] || wiped[2])
}
