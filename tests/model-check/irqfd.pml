/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * A resampling irqfd (docs/api.md "VLAPIC_IRQFD", vm/irqfd.c) against
 * its eventfd's signals and close (EPOLLHUP), the VMM's deassign, the
 * guest's EOI (the IOAPIC's acked op) and the shutdown work:
 * - irqfd_wakeup() runs under the eventfd's wait-queue lock: EPOLLIN
 *   injects (irqfd_inject(): its source high), EPOLLHUP deactivates;
 * - irqfd_deactivate() under irqfds_lock: off the RCU list unless it is
 *   already off (list_empty), queue the shutdown work;
 * - irqfd_deassign(): deactivate under irqfds_lock, flush_workqueue();
 * - vlapic_irqfd_acked() from vlapic_ioapic_eoi() between its two lock
 *   holds: an RCU reader that lowers the source and signals resamplefd;
 * - irqfd_shutdown(): off the wait queue, synchronize_rcu(), free the
 *   source (its assertion drops), kfree().
 * The IOAPIC pin is level-triggered, unmasked, below the storm threshold
 * (ioapic.pml covers the deferral): asserted while the source drives it,
 * sent when asserted with remote IRR clear. The device keeps an
 * interrupt condition, under a lock of its own that the guest's handler
 * also takes to service it; it signals the eventfd when it raises the
 * condition, and on a resample signal while the condition still holds.
 *
 * Configuration: one binding (assigned and hooked at the start), one
 * device raising its condition up to DEV_IRQS times, one guest that
 * services (clears the condition) and EOIs each delivered message, one
 * closer of the eventfd and one deassign, each at any moment or never.
 *
 * Invariants:
 * - no use after free: nothing touches the binding after kfree (wake-up
 *   callbacks, RCU readers, a second shutdown);
 * - once deassign returned, the binding does not inject;
 * - no spurious re-delivery: while the binding is bound (on the list),
 *   the guest is interrupted only while the device's condition holds
 *   (the resampler lowers the line before the IOAPIC re-evaluates it).
 *   Not while it is being torn down: a signal between irqfd_deactivate()
 *   and the shutdown's removal from the wait queue still injects, and
 *   vlapic_irqfd_acked(), which walks only the list, no longer resamples
 *   it, so the line stays asserted and is re-delivered after each EOI
 *   until the shutdown frees the source. -DSTRICT asserts the strict
 *   rule and shows that window, a gap of the code today (KVM takes an
 *   irqfd off its resampler's list only in the shutdown); make check
 *   does not run it;
 * - nothing lost: when nothing can move and the binding is still bound,
 *   a device condition has its message outstanding;
 * - a freed binding's assertion is dropped.
 *
 * Variants (-D), each must give a counterexample:
 * NO_LIST_CHECK   irqfd_deactivate() without the list_empty() check: a
 *                 close racing a deassign queues the shutdown twice.
 * NO_SYNC_RCU     the shutdown frees without synchronize_rcu(): an EOI
 *                 reader still holds the binding.
 * NO_FLUSH        deassign returns without flushing the workqueue: the
 *                 binding still injects.
 * LOWER_AFTER_EVAL the resampler runs after the IOAPIC re-evaluated the
 *                 pin: a line the device dropped is delivered again.
 */

#ifndef DEV_IRQS
#define DEV_IRQS	2
#endif

/* the binding */
bit on_wq = 1;		/* on the eventfd's wait queue */
bit on_list = 1;	/* on vm->irqfds */
bit freed;
byte shutdowns;
bit deassigned;		/* irqfd_deassign() returned */

/* the shutdown work on vlapic_irqfd_wq */
bit w_pending;
bit w_running;

byte readers;		/* RCU readers in vlapic_irqfd_acked() */

/* the pin, under the IOAPIC lock */
bit src_high;		/* the binding's source drives the pin */
bit remote_irr;
byte inflight;		/* delivered, not yet EOIed */
bit unbound_msg;	/* it was sent while the binding was off the list */

/* the device */
bit cond;		/* its interrupt condition */
bit resample_sig;	/* resamplefd signalled, not yet read */

bit dev_lock;		/* the device's own: its condition and signals */
bit wqh_lock;		/* the eventfd's wait-queue lock */
bit irqfds_lock;

inline take(l)
{
	atomic { !l -> l = 1 }
}

/* the IOAPIC evaluates the level pin (lock held) */
inline eval_pin()
{
	if
	:: src_high && !remote_irr ->
		remote_irr = 1;
		inflight++;
		unbound_msg = !on_list;
		assert(inflight <= 1)
	:: else
	fi
}

/* irqfd_deactivate(), irqfds_lock held */
inline deactivate()
{
#ifndef NO_LIST_CHECK
	if
	:: on_list ->
#endif
		assert(!freed);
		on_list = 0;
		w_pending = 1		/* queue_work() */
#ifndef NO_LIST_CHECK
	:: else
	fi
#endif
}

/* eventfd_signal(): the wake-up runs under the wait-queue lock. */
inline signal_eventfd()
{
	take(wqh_lock);
	if
	:: on_wq ->			/* irqfd_wakeup(EPOLLIN) */
		assert(!freed);
		assert(!deassigned);	/* irqfd_inject() */
		atomic { src_high = 1; eval_pin() }
	:: else
	fi;
	wqh_lock = 0
}

active proctype device()
{
	byte n;

end_dev:
	do
	:: n < DEV_IRQS -> n++;
		take(dev_lock);
		cond = 1;
		signal_eventfd();
		dev_lock = 0
	:: atomic { resample_sig -> resample_sig = 0 }
		take(dev_lock);
		if			/* still pending: assert again */
		:: cond -> signal_eventfd()
		:: else
		fi;
		dev_lock = 0
	od
}

/* vlapic_irqfd_acked(): an RCU reader of the list. */
inline acked(saw)
{
	atomic { readers++; saw = on_list }
	if
	:: saw ->
		assert(!freed);
		src_high = 0;		/* vlapic_ioapic_lower_source() */
		assert(!freed);
		resample_sig = 1	/* eventfd_signal(resamplefd) */
	:: else
	fi;
	atomic { readers--; saw = 0 }
}

active proctype guest()
{
	bit saw;

end_wait:
	do
	:: atomic { inflight > 0 && !dev_lock -> dev_lock = 1;
#ifdef STRICT
		assert(cond);		/* not spurious */
#else
		assert(cond || unbound_msg);	/* not spurious */
#endif
		cond = 0;		/* the handler services the device */
		dev_lock = 0 }
		atomic { inflight-- }
		/* vlapic_ioapic_eoi(): remote IRR seen under the lock */
#ifndef LOWER_AFTER_EVAL
		acked(saw);
#endif
		atomic { remote_irr = 0; eval_pin() }
#ifdef LOWER_AFTER_EVAL
		acked(saw);
#endif
	od
}

active proctype closer()
{
	if
	:: take(wqh_lock);		/* eventfd_release(): EPOLLHUP */
		if
		:: on_wq ->		/* irqfd_wakeup(EPOLLHUP) */
			assert(!freed);
			take(irqfds_lock);
			deactivate();
			irqfds_lock = 0
		:: else
		fi;
		wqh_lock = 0
	:: skip
	fi
}

active proctype vmm()
{
	if
	:: take(irqfds_lock);		/* irqfd_deassign() */
		if
		:: on_list -> deactivate()
		:: else
		fi;
		irqfds_lock = 0;
#ifndef NO_FLUSH
		!w_pending && !w_running;	/* flush_workqueue() */
#endif
		deassigned = 1
	:: skip
	fi
}

active proctype workqueue()
{
end_idle:
	do
	:: atomic { w_pending -> w_pending = 0; w_running = 1 }
		assert(!freed);
		shutdowns++;
		take(wqh_lock);		/* eventfd_ctx_remove_wait_queue() */
		on_wq = 0;
		wqh_lock = 0;
#ifndef NO_SYNC_RCU
		readers == 0;		/* synchronize_rcu() */
#endif
		atomic { src_high = 0; eval_pin() }	/* free_source() */
		freed = 1;		/* kfree() */
		w_running = 0
	od
}

active proctype quiescent()
{
	timeout;
	assert(!freed || !src_high);
	if
	:: on_list && cond -> assert(inflight == 1)	/* nothing lost */
	:: else
	fi
}
