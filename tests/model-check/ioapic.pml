/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The IOAPIC's storm deferral (docs/ioapic.md "The level re-assertion
 * storm rule", seed 001) against EOIs, line changes, entry writes and
 * teardown, for one level-triggered pin (ioapic/ioapic.c):
 * - vlapic_ioapic_eoi(): lock, snapshot the pin's send_seq, unlock,
 *   (acked), lock, clear remote IRR if the pin was not sent again since,
 *   then ioapic_line_dropped_locked() or ioapic_reassert_locked()
 *   (at once up to the threshold, else mark deferred and
 *   queue_delayed_work()); the batch is sent after the unlock;
 * - vlapic_ioapic_set_source(): ioapic_set_sources_locked();
 * - an entry write (mask, unmask): ioapic_eval_level_locked();
 * - ioapic_deferral_work(): lock, dying?, clear deferred, evaluate,
 *   unlock, send;
 * - vlapic_ioapic_destroy(): dying under the lock, then
 *   cancel_delayed_work_sync(), then kfree().
 * The workqueue is modelled as PENDING (queue_delayed_work() sets it
 * unless set; it is cleared when the function starts running, so a
 * queue from inside the running function queues it again) and RUNNING.
 *
 * Configuration: one pin, storm threshold 1; the device changes the
 * line up to LINE_CHANGES times (low, high, low, high ...); the guest
 * masks and unmasks the entry once, takes each delivered message and
 * EOIs it up to GUEST_EOIS times, or stops; teardown (when chosen) runs
 * once the guest and the device are done, as vlapic_ioapic_destroy()'s
 * caller guarantees; the work's delay is any length.
 *
 * Invariants:
 * - nothing delivered twice: at most one message of the pin is
 *   outstanding (delivered, not EOIed) at any time;
 * - no use after free: nothing touches the IOAPIC (the work, deliver)
 *   once it is freed;
 * - nothing lost: when nothing can move and no teardown began, an
 *   asserted, unmasked line has its message outstanding, and no pin is
 *   left marked deferred with no work to deliver it;
 * - a delivery from the EOI path is immediate only within the
 *   threshold (the storm rule itself).
 *
 * Variants (-D), each must give a counterexample:
 * CANCEL_NOSYNC teardown with cancel_delayed_work(): a running work
 *               delivers into a freed IOAPIC.
 * OWN_FLAG      a "queued" flag of the IOAPIC's own, cleared when the
 *               work function returns, gates queue_delayed_work(): a
 *               deferral made while the work runs is never delivered.
 */

#ifndef LINE_CHANGES
#define LINE_CHANGES	4
#endif
#ifndef GUEST_EOIS
#define GUEST_EOIS	4
#endif
#define THRESHOLD	1

/* The pin, under ioapic->lock (the atomic blocks). */
bit asserted;
bit masked;
bit remote_irr;
bit deferred;
byte reassert_run;	/* reassert_run, saturated at THRESHOLD + 1 */
byte send_seq;
bit dying;
bit freed;
#ifdef OWN_FLAG
bit queued;
#endif

/* The workqueue. */
bit pending;
bit running;

byte inflight;		/* messages delivered and not yet EOIed */
byte to_send;		/* a batch being sent, outside the lock */
bit guest_done;
bit device_done;
bit teardown;

/* ioapic_send_locked(): queue in the batch, set remote IRR. */
inline send_locked(batch)
{
	batch++;
	remote_irr = 1;
	send_seq++
}

/* ioapic_eval_level_locked() */
inline eval_level(batch)
{
	if
	:: !masked && !remote_irr && !deferred && asserted -> send_locked(batch)
	:: else
	fi
}

/* ioapic_send_batch(), after the unlock: ops->deliver(), accepted. */
inline send_batch(batch)
{
	do
	:: batch > 0 ->
		atomic {
			assert(!freed);
			inflight++;
			assert(inflight <= 1);
			batch--
		}
	:: else -> break
	od
}

/* queue_delayed_work() */
inline queue_work()
{
#ifdef OWN_FLAG
	if
	:: !queued -> queued = 1; pending = 1
	:: else
	fi
#else
	pending = 1
#endif
}

/* ioapic_reassert_locked() */
inline reassert(batch)
{
	if
	:: reassert_run <= THRESHOLD -> reassert_run++
	:: else
	fi;
	if
	:: reassert_run <= THRESHOLD -> eval_level(batch)
	:: else ->
		if
		:: deferred || dying -> skip
		:: else -> deferred = 1; queue_work()
		fi
	fi
}

/* ioapic_line_dropped_locked() */
inline line_dropped()
{
	reassert_run = 0;
	deferred = 0
}

/* vlapic_ioapic_eoi() for the pin's vector. */
inline ioapic_eoi(batch, seq, hit)
{
	atomic {
		assert(!freed);
		hit = remote_irr;
		seq = send_seq
	}
	if
	:: hit ->
		/* ops->acked() runs here, no lock held */
		atomic {
			if
			:: send_seq == seq && remote_irr ->
				remote_irr = 0;
				if
				:: !asserted -> line_dropped()
				:: else ->
					if
					:: !masked -> reassert(batch)
					:: else
					fi
				fi
			:: else
			fi
		}
		send_batch(batch)
	:: else
	fi;
	hit = 0;
	seq = 0
}

active proctype guest()
{
	byte batch, seq, eois;
	bit hit, did_mask;

	do
	:: inflight > 0 && eois < GUEST_EOIS ->
		/* the vector is acknowledged, the handler EOIs: the
		   vLAPIC's EOI broadcast, lock dropped */
		eois++;
		atomic { inflight-- }
		ioapic_eoi(batch, seq, hit)
	:: !did_mask ->		/* entry write: mask, then unmask */
		did_mask = 1;
		atomic { assert(!freed); masked = 1 }
		atomic { masked = 0; eval_level(batch) }
		send_batch(batch)
	:: break
	od;
	guest_done = 1
}

active proctype device()
{
	byte changes, batch;

	do
	:: changes < LINE_CHANGES ->
		changes++;
		atomic {	/* ioapic_set_sources_locked() */
			assert(!freed);
			asserted = !asserted;
			if
			:: !asserted -> line_dropped()
			:: else -> eval_level(batch)
			fi
		}
		send_batch(batch)
	:: break
	od;
	device_done = 1
}

/* ioapic_deferral_work(), run by the workqueue after any delay. */
active proctype workqueue()
{
	byte batch;

end_idle:
	do
	:: atomic { pending -> pending = 0; running = 1 }
		atomic {
			assert(!freed);
			if
			:: dying -> skip
			:: else ->
				if
				:: deferred -> deferred = 0; eval_level(batch)
				:: else
				fi
			fi
		}
		send_batch(batch);
#ifdef OWN_FLAG
		queued = 0;
#endif
		running = 0
	od
}

/* vlapic_ioapic_destroy(), once no other call runs. */
active proctype destroy()
{
	guest_done && device_done;
	if
	:: teardown = 1
	:: skip -> goto end_out
	fi;
	atomic { dying = 1 }
	pending = 0;		/* cancel_delayed_work[_sync]() */
#ifndef CANCEL_NOSYNC
	!running;		/* _sync: waits for a running work */
#endif
	freed = 1;		/* kfree() */
end_out:
	skip
}

active proctype quiescent()
{
	timeout;
	if
	:: !teardown ->
		/* nothing lost */
		assert(!deferred);
		assert(!(asserted && !masked) || inflight == 1)
	:: else
	fi
}
