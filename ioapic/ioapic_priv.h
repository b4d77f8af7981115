/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the IOAPIC. Only ioapic/ includes this.
 */
#ifndef _VLAPIC_IOAPIC_PRIV_H
#define _VLAPIC_IOAPIC_PRIV_H

#include <linux/lockdep.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <vlapic/ioapic.h>

/* Version register: bits 23:16 hold the highest redirection entry. */
#define VLAPIC_IOAPIC_MAX_REDIR_SHIFT	16
/* ID and arbitration registers: the ID sits in bits 27:24. */
#define VLAPIC_IOAPIC_ID_SHIFT		24
#define VLAPIC_IOAPIC_ID_MASK		0xfU

/* Delivery modes the SDM reserves (bits 10:8 = 3 and 6). */
#define VLAPIC_DM_RESERVED_3		0x300
#define VLAPIC_DM_RESERVED_6		0x600

/* Module parameter defaults; docs/ioapic.md explains the choice. */
#define VLAPIC_IOAPIC_STORM_THRESHOLD	1000
#define VLAPIC_IOAPIC_STORM_DELAY_US	10000
#define VLAPIC_IOAPIC_STORM_DELAY_MAX_US	1000000

/**
 * struct vlapic_ioapic_pin - one input pin and its redirection entry.
 * @redir: the redirection entry as the guest reads it.
 * @sources: bit s: source s drives the input signal high (bit 0: the
 *	VMM's VLAPIC_IRQ_LINE). The signal is their wired OR.
 * @deferred: a re-delivery waits for the deferral work. While set, only
 *	the work delivers this pin (or a line drop cancels it).
 * @reassert_run: successive EOIs that found the line still asserted;
 *	zero once the line drops.
 * @send_seq: messages sent for this pin; names one send, so that the
 *	remote IRR it set is cleared only by what concerns that send.
 * @stats: counters.
 */
struct vlapic_ioapic_pin {
	u64 redir;
	u64 sources;
	bool deferred;
	u32 reassert_run;
	u32 send_seq;
	struct vlapic_ioapic_pin_stats stats;
};

/**
 * struct vlapic_ioapic - one emulated IOAPIC.
 * @ops: where messages go. Constant.
 * @owner: passed back to @ops. Constant.
 * @base: MMIO base. Constant.
 * @version: VLAPIC_IOAPIC_VERSION_*. Constant.
 * @storm_threshold: successive re-assertions re-delivered at once.
 *	Constant.
 * @storm_delay: delay of a deferred re-delivery, in jiffies. Constant.
 * @deferral_work: sends the deferred re-deliveries.
 * @lock: covers every field below it.
 * @dying: set by destroy: no deferral may be queued any more.
 * @sources_used: source IDs handed out by vlapic_ioapic_alloc_source()
 *	(bits 0 and 1, the VMM's and the edge irqfds', always set).
 * @ioregsel: IOREGSEL.
 * @id: APIC ID (4 bits).
 * @pins: the pins.
 * @bad_access: see struct vlapic_ioapic_stats.
 * @bad_register: see struct vlapic_ioapic_stats.
 * @bad_delivery_mode: see struct vlapic_ioapic_stats.
 *
 * Locking: @lock is a raw spinlock taken with interrupts off, so that
 * lines may be driven and EOIs reported from any context, hard interrupt
 * context included, also on PREEMPT_RT (where a spinlock_t sleeps): the
 * entry points are documented "any context" and a VMM may call them from
 * a device's hard interrupt handler or an hrtimer. Raw is safe here: the
 * critical sections are bounded (at most one pass over the 24 pins) and
 * take no other lock but what queue_delayed_work() takes, which is raw
 * too (the workqueue pool lock, the timer base lock). Helpers that need
 * it assert it with lockdep_assert_held(). Nothing else is called with it
 * held: messages are collected in a struct vlapic_ioapic_batch and sent
 * after it is released, so the deliver callback may take the vLAPIC's
 * lock or call back into the IOAPIC (an EOI), and the acked callback may
 * drive lines. Lock order: router RCU read side -> @lock; @lock is never
 * held across a callback, so the vLAPIC lock is never nested in it.
 */
struct vlapic_ioapic {
	const struct vlapic_irq_ops *ops;
	void *owner;
	u64 base;
	u32 version;
	u32 storm_threshold;
	unsigned long storm_delay;	/* jiffies */
	struct delayed_work deferral_work;

	raw_spinlock_t lock;	/* see the kernel-doc above */
	bool dying;
	u64 sources_used;
	u8 ioregsel;
	u8 id;
	struct vlapic_ioapic_pin pins[VLAPIC_IOAPIC_NUM_PINS];
	u64 bad_access;
	u64 bad_register;
	u64 bad_delivery_mode;
};

/**
 * struct vlapic_ioapic_batch - messages decided under the lock, sent after.
 * @nr: messages in @irqs.
 * @irqs: at most one per pin.
 * @pin: the pin each message is for.
 * @seq: the pin's send_seq of each level message (its remote IRR is
 *	cleared again if no local APIC accepts it).
 */
struct vlapic_ioapic_batch {
	unsigned int nr;
	struct vlapic_irq irqs[VLAPIC_IOAPIC_NUM_PINS];
	u8 pin[VLAPIC_IOAPIC_NUM_PINS];
	u32 seq[VLAPIC_IOAPIC_NUM_PINS];
};

#endif /* _VLAPIC_IOAPIC_PRIV_H */
