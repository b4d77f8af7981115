/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOAPIC, MSI decoding and GSI routing: the contract between ioapic/ and
 * its users (the VM layer, the ioctl layer, the KUnit suites).
 *
 * Model: Intel 82093AA (version 0x11) and the ICH/PCH IOxAPIC (version
 * 0x20, with the EOI register), 24 pins. MSI: Intel SDM vol. 3, "Message
 * Signalled Interrupts". See docs/ioapic.md for the model, the locking,
 * the level re-assertion storm rule and the deviations from hardware.
 *
 * Delivery: the IOAPIC and the router never talk to a vLAPIC directly.
 * They send struct vlapic_irq messages through struct vlapic_irq_ops,
 * always with no lock of theirs held, so the callback may take the
 * vLAPIC's lock or call back into the IOAPIC (an EOI, for example).
 *
 * Contexts: functions marked "any context" never sleep or allocate and may
 * be called with interrupts disabled; the others are "process context".
 * Guest mistakes give architectural results and counters, never errors;
 * caller (VMM) mistakes give -EINVAL and change nothing.
 */
#ifndef _VLAPIC_IOAPIC_H
#define _VLAPIC_IOAPIC_H

#include <linux/bits.h>
#include <linux/types.h>

#include <vlapic/lapic.h>

struct vlapic_ioapic;
struct vlapic_router;

#define VLAPIC_IOAPIC_NUM_PINS		24
#define VLAPIC_IOAPIC_DEFAULT_BASE	0xfec00000ULL
/* Size of the MMIO window the IOAPIC decodes at its base. */
#define VLAPIC_IOAPIC_MMIO_SIZE		0x100

/* Versions a VMM can choose; 0x20 adds the EOI register. */
#define VLAPIC_IOAPIC_VERSION_82093AA	0x11
#define VLAPIC_IOAPIC_VERSION_ICH	0x20

/* Direct (MMIO) registers, offsets from the base. */
#define VLAPIC_IOAPIC_IOREGSEL		0x00
#define VLAPIC_IOAPIC_IOWIN		0x10
#define VLAPIC_IOAPIC_EOI		0x40	/* version 0x20 only */

/* Indirect registers, selected through IOREGSEL. */
#define VLAPIC_IOAPIC_REG_ID		0x00
#define VLAPIC_IOAPIC_REG_VERSION	0x01
#define VLAPIC_IOAPIC_REG_ARB		0x02
#define VLAPIC_IOAPIC_REG_REDIR_FIRST	0x10	/* pin n: 0x10 + 2n (low) */
#define VLAPIC_IOAPIC_REG_REDIR_LAST	0x3f

/* Redirection entry fields. */
#define VLAPIC_IOAPIC_VECTOR		GENMASK_ULL(7, 0)
#define VLAPIC_IOAPIC_DELIVERY_MODE	GENMASK_ULL(10, 8)
#define VLAPIC_IOAPIC_DEST_LOGICAL	BIT_ULL(11)
#define VLAPIC_IOAPIC_DELIVERY_STATUS	BIT_ULL(12)	/* read-only */
#define VLAPIC_IOAPIC_ACTIVE_LOW	BIT_ULL(13)
#define VLAPIC_IOAPIC_REMOTE_IRR	BIT_ULL(14)	/* read-only */
#define VLAPIC_IOAPIC_LEVEL		BIT_ULL(15)
#define VLAPIC_IOAPIC_MASKED		BIT_ULL(16)
/*
 * Extended destination ID (the convention Linux guests use on KVM, the
 * IOAPIC side of the MSI one): in physical mode, bits 14:8 of an x2APIC
 * destination; 0 keeps the 8-bit xAPIC destination of bits 63:56.
 */
#define VLAPIC_IOAPIC_EXT_DEST		GENMASK_ULL(55, 49)
#define VLAPIC_IOAPIC_DEST		GENMASK_ULL(63, 56)
/* Bits the guest can write; the rest are read-only or reserved. */
#define VLAPIC_IOAPIC_WRITABLE		(VLAPIC_IOAPIC_VECTOR |		\
					 VLAPIC_IOAPIC_DELIVERY_MODE |	\
					 VLAPIC_IOAPIC_DEST_LOGICAL |	\
					 VLAPIC_IOAPIC_ACTIVE_LOW |	\
					 VLAPIC_IOAPIC_LEVEL |		\
					 VLAPIC_IOAPIC_MASKED |		\
					 VLAPIC_IOAPIC_EXT_DEST |	\
					 VLAPIC_IOAPIC_DEST)
/* Bits that read as zero whatever is written (48:17). */
#define VLAPIC_IOAPIC_RESERVED		GENMASK_ULL(48, 17)

/*
 * Sources of an input line: each drives the pin's input signal, which is
 * their wired OR, so that one source lowering its signal does not drop
 * another's (KVM's irq_source_id). VLAPIC_IRQ_SOURCE_VMM is the VMM's
 * own (VLAPIC_IRQ_LINE, batch LINE entries, the input_high of a restored
 * state); VLAPIC_IRQ_SOURCE_PULSE is shared by sources that only ever
 * pulse (edge irqfds: high, then low at once); the others are handed out
 * by vlapic_ioapic_alloc_source() (a resampling irqfd each).
 */
#define VLAPIC_IRQ_SOURCE_VMM		0
#define VLAPIC_IRQ_SOURCE_PULSE		1
#define VLAPIC_IRQ_SOURCES		64

/**
 * struct vlapic_irq_ops - where the IOAPIC and the router send messages.
 * @deliver: send @irq on the APIC bus (the VM layer calls
 *	vlapic_bus_deliver()). Called from any context with no IOAPIC or
 *	router lock held (possibly inside an RCU read-side section): must
 *	not sleep. Returns the number of vLAPICs that accepted the message
 *	or a negative errno; the IOAPIC treats a message as sent either way.
 *	Mandatory.
 * @deliver_batch: send @nr messages in order, with the results @nr calls
 *	of @deliver would have (the VM layer calls
 *	vlapic_bus_deliver_batch()). Same context as @deliver. Returns the
 *	sum of the acceptor counts. Optional: the router calls @deliver for
 *	each message without it; the IOAPIC does not use it.
 * @level_vectors_changed: the set vlapic_ioapic_level_vectors() reports
 *	may have changed (a redirection entry was written, the state was
 *	restored or reset): recompute EOI-exit bitmaps. Called with no lock
 *	held, in the context of the change. Optional; IOAPIC only.
 * @acked: the guest EOIed the interrupt of level pin @pin (KVM's ack
 *	notifier): every EOI the IOAPIC sees, the local APICs' broadcast
 *	and its own EOI register alike, for each level entry whose remote
 *	IRR it clears. Called before the IOAPIC re-evaluates the pin, with
 *	no lock of the IOAPIC held, in the context of the EOI: the callback
 *	may drive lines (a resampler lowers its source here, so a line its
 *	device dropped is not sent again). Optional; IOAPIC only.
 *
 * @deliver's result decides remote IRR: a level message that no local
 * APIC accepted (0 or a negative errno) leaves remote IRR clear, as no
 * EOI will come for it; the pin is sent again at the next event that
 * re-evaluates it (its line rising, an entry write, a restore).
 */
struct vlapic_irq_ops {
	int (*deliver)(void *owner, const struct vlapic_irq *irq);
	int (*deliver_batch)(void *owner, const struct vlapic_irq *irqs,
			     unsigned int nr);
	void (*level_vectors_changed)(void *owner);
	void (*acked)(void *owner, unsigned int pin);
};

/**
 * struct vlapic_ioapic_config - chosen by the VMM at creation.
 * @base: guest-physical base of the MMIO window, aligned to
 *	VLAPIC_IOAPIC_MMIO_SIZE.
 * @version: VLAPIC_IOAPIC_VERSION_82093AA or VLAPIC_IOAPIC_VERSION_ICH.
 * @storm_threshold: successive EOIs of a level pin whose line stays
 *	asserted that re-deliver at once; later ones are deferred. >= 1.
 * @storm_delay_us: how long a deferred re-delivery waits, 1 us to 1 s
 *	(rounded up to whole jiffies).
 *
 * vlapic_ioapic_default_config() fills it from the defaults and the
 * module parameters ioapic_storm_threshold and ioapic_storm_delay_us.
 */
struct vlapic_ioapic_config {
	u64 base;
	u32 version;
	u32 storm_threshold;
	u32 storm_delay_us;
};

/**
 * struct vlapic_ioapic_state - the complete guest-visible IOAPIC state,
 * for save/restore. Kernel-internal; the ioctl layer copies it from and to
 * its UAPI layout.
 * @flags: must be zero.
 * @ioregsel: IOREGSEL (bits 7:0; the rest must be zero).
 * @id: APIC ID, 0-15 (ID register bits 27:24).
 * @input_high: bit n: the input signal of pin n is high. Saved: the wired
 *	OR of its sources. Restored: the VMM's source, except where another
 *	source (a resampling irqfd) already drives the signal high. Bits
 *	31:24 must be zero.
 * @redir: the redirection entries, remote IRR included. Reserved bits
 *	(48:17) and delivery status must be zero; remote IRR may only be set
 *	on a level-triggered fixed or lowest-priority entry.
 */
struct vlapic_ioapic_state {
	u32 flags;
	u32 ioregsel;
	u32 id;
	u32 input_high;
	u64 redir[VLAPIC_IOAPIC_NUM_PINS];
};

/**
 * struct vlapic_ioapic_pin_stats - counters of one pin.
 * @delivered: messages sent.
 * @eoi: EOIs that cleared remote IRR.
 * @reasserted: EOIs that found the line still asserted.
 * @storms: times the successive re-assertions passed the threshold.
 * @deferrals: re-deliveries deferred by the storm rule.
 * @masked_edges: rising edges lost because the pin was masked.
 */
struct vlapic_ioapic_pin_stats {
	u64 delivered;
	u64 eoi;
	u64 reasserted;
	u64 storms;
	u64 deferrals;
	u64 masked_edges;
};

/**
 * struct vlapic_ioapic_stats - counters of one IOAPIC.
 * @pin: per-pin counters.
 * @bad_access: guest MMIO accesses that are not a 32-bit access to a
 *	register (ignored; reads return zero).
 * @bad_register: IOWIN accesses to an unimplemented indirect register.
 * @bad_delivery_mode: messages not sent: reserved delivery mode (3 or 6).
 * @deferral_pending: bit n: pin n waits for a deferred re-delivery.
 */
struct vlapic_ioapic_stats {
	struct vlapic_ioapic_pin_stats pin[VLAPIC_IOAPIC_NUM_PINS];
	u64 bad_access;
	u64 bad_register;
	u64 bad_delivery_mode;
	u32 deferral_pending;
};

/* --- IOAPIC (ioapic/ioapic.c) --------------------------------------------- */

/*
 * Full kernel-doc is at each definition. Locking: every IOAPIC function
 * takes the IOAPIC's own raw spinlock (interrupts off; any context, hard
 * interrupts included) and releases it before calling @ops. Callers must
 * not hold a vLAPIC lock: delivery takes one.
 */

/* Fill @config with the defaults and module parameters. Any context. */
void vlapic_ioapic_default_config(struct vlapic_ioapic_config *config);

/*
 * Create an IOAPIC in its reset state. Process context (allocates).
 * Returns the IOAPIC or ERR_PTR(-EINVAL / -ENOMEM).
 */
struct vlapic_ioapic *
vlapic_ioapic_create(const struct vlapic_ioapic_config *config,
		     const struct vlapic_irq_ops *ops, void *owner);

/*
 * Free @ioapic (NULL is fine). Process context; sleeps until a running
 * deferred re-delivery ends and cancels a pending one: @ops is not called
 * after it returns. No other call on @ioapic may run concurrently.
 */
void vlapic_ioapic_destroy(struct vlapic_ioapic *ioapic);

/* Hardware reset: entries masked, ID 0, storm state cleared. Any context. */
void vlapic_ioapic_reset(struct vlapic_ioapic *ioapic);

/* Guest-physical base of the MMIO window. Any context. */
u64 vlapic_ioapic_base(struct vlapic_ioapic *ioapic);

/*
 * Guest access at @offset from the base (@len 1-8 bytes, little endian).
 * Any context; may send messages. Return 0 (guest mistakes are ignored
 * and counted) or -EINVAL if the access leaves the window (no effect).
 */
int vlapic_ioapic_mmio_read(struct vlapic_ioapic *ioapic, u32 offset,
			    void *data, unsigned int len);
int vlapic_ioapic_mmio_write(struct vlapic_ioapic *ioapic, u32 offset,
			     const void *data, unsigned int len);

/*
 * The VMM sets pin @pin's input signal (@high: signal high; polarity is
 * applied by the IOAPIC). Any context; may send messages. Return 0 or
 * -EINVAL for a bad @pin (no effect).
 */
int vlapic_ioapic_set_input(struct vlapic_ioapic *ioapic, unsigned int pin,
			    bool high);

/*
 * The same for source @source (below VLAPIC_IRQ_SOURCES): the pin's
 * signal is high while any source drives it high. Any context. Return 0
 * or -EINVAL (bad @pin or @source, no effect).
 */
int vlapic_ioapic_set_source(struct vlapic_ioapic *ioapic, unsigned int pin,
			     unsigned int source, bool high);

/*
 * A source ID of its own for a device (a resampling irqfd), or -ENOSPC.
 * Lowering a source lowers its signal on every pin it drives, wherever
 * the routing sent it (re-evaluating them); freeing it does that too.
 * Any context.
 */
int vlapic_ioapic_alloc_source(struct vlapic_ioapic *ioapic);
void vlapic_ioapic_lower_source(struct vlapic_ioapic *ioapic,
				unsigned int source);
bool vlapic_ioapic_source_drives(struct vlapic_ioapic *ioapic,
				 unsigned int pin, unsigned int source);
void vlapic_ioapic_free_source(struct vlapic_ioapic *ioapic,
			       unsigned int source);

/*
 * EOI of level-triggered @vector: from the vLAPIC bus's eoi_broadcast op
 * (no vLAPIC lock held) or the EOI register. Any context; may call
 * @ops->acked, send messages or queue a deferred re-delivery.
 */
void vlapic_ioapic_eoi(struct vlapic_ioapic *ioapic, u8 vector);

/*
 * Overwrite the 256-bit bitmap @vectors with the vectors of level fixed
 * and lowest-priority entries (masked ones included). Any context.
 */
void vlapic_ioapic_level_vectors(struct vlapic_ioapic *ioapic,
				 unsigned long *vectors);

/*
 * Save / restore. get_state never fails; set_state checks @state whole
 * and returns -EINVAL with nothing changed, or 0 after replacing the state
 * and sending asserted unmasked level lines with remote IRR clear. Any
 * context.
 */
void vlapic_ioapic_get_state(struct vlapic_ioapic *ioapic,
			     struct vlapic_ioapic_state *state);
int vlapic_ioapic_set_state(struct vlapic_ioapic *ioapic,
			    const struct vlapic_ioapic_state *state);

/* Snapshot of the counters. Any context. */
void vlapic_ioapic_get_stats(struct vlapic_ioapic *ioapic,
			     struct vlapic_ioapic_stats *stats);

/* --- MSI (ioapic/msi.c) ------------------------------------------------- */

/* MSI address (low 32 bits of the 64-bit address) and data fields. */
#define VLAPIC_MSI_ADDR_BASE_MASK	GENMASK_ULL(63, 20)
#define VLAPIC_MSI_ADDR_BASE		0xfee00000ULL
#define VLAPIC_MSI_ADDR_DEST		GENMASK_ULL(19, 12)
#define VLAPIC_MSI_ADDR_REDIR_HINT	BIT_ULL(3)
#define VLAPIC_MSI_ADDR_DEST_LOGICAL	BIT_ULL(2)
#define VLAPIC_MSI_DATA_VECTOR		GENMASK(7, 0)
#define VLAPIC_MSI_DATA_DELIVERY_MODE	GENMASK(10, 8)
#define VLAPIC_MSI_DATA_ASSERT		BIT(14)
#define VLAPIC_MSI_DATA_LEVEL		BIT(15)

/**
 * enum vlapic_msi_verdict - what vlapic_msi_decode() made of a message.
 * @VLAPIC_MSI_OK: an interrupt message; send it.
 * @VLAPIC_MSI_NOT_INTERRUPT: the address is outside 0xFEExxxxx: a memory
 *	write, not an interrupt. Ignored.
 * @VLAPIC_MSI_BAD_DELIVERY_MODE: reserved delivery mode (3 or 6). Ignored.
 * @VLAPIC_MSI_BAD_REDIRECTION: redirection hint with a physical broadcast
 *	destination, which the SDM forbids. Ignored.
 * @VLAPIC_MSI_DEASSERT: a level-triggered deassert message; it changes
 *	nothing at a local APIC. Ignored.
 * @VLAPIC_MSI_NR_VERDICTS: number of verdicts.
 */
enum vlapic_msi_verdict {
	VLAPIC_MSI_OK,
	VLAPIC_MSI_NOT_INTERRUPT,
	VLAPIC_MSI_BAD_DELIVERY_MODE,
	VLAPIC_MSI_BAD_REDIRECTION,
	VLAPIC_MSI_DEASSERT,
	VLAPIC_MSI_NR_VERDICTS
};

/*
 * Decode an MSI into @irq (filled only for VLAPIC_MSI_OK). Pure function,
 * any context. Returns the verdict.
 */
enum vlapic_msi_verdict vlapic_msi_decode(u64 address, u32 data,
					  struct vlapic_irq *irq);

/* --- GSI routing (ioapic/routing.c) ------------------------------------- */

/* GSIs are 0 .. VLAPIC_MAX_GSI - 1; a table holds up to VLAPIC_MAX_ROUTES. */
#define VLAPIC_MAX_GSI		1024
#define VLAPIC_MAX_ROUTES	4096

enum vlapic_route_type {
	VLAPIC_ROUTE_IOAPIC = 1,
	VLAPIC_ROUTE_MSI = 2,
};

/**
 * struct vlapic_route - one entry of a GSI routing table.
 * @gsi: the GSI, below VLAPIC_MAX_GSI.
 * @type: enum vlapic_route_type.
 * @flags: must be zero.
 * @pin: IOAPIC: the pin (below VLAPIC_IOAPIC_NUM_PINS); MSI: must be 0.
 * @msi_address: MSI: the message address; IOAPIC: must be 0.
 * @msi_data: MSI: the message data; IOAPIC: must be 0.
 * @pad: must be zero.
 *
 * A GSI may have several IOAPIC entries (all raised together) or one MSI
 * entry, not both. The MSI address and data are not checked: they are
 * the guest's, and a malformed one is ignored (and counted) when sent.
 */
struct vlapic_route {
	u32 gsi;
	u32 type;
	u32 flags;
	u32 pin;
	u64 msi_address;
	u32 msi_data;
	u32 pad;
};

/**
 * struct vlapic_router_stats - MSI counters of one router.
 * @msi: messages by enum vlapic_msi_verdict (routed or sent directly).
 */
struct vlapic_router_stats {
	u64 msi[VLAPIC_MSI_NR_VERDICTS];
};

/*
 * Create a router with the default table (GSI n -> pin n of @ioapic; empty
 * if @ioapic is NULL). Process context. Returns the router or
 * ERR_PTR(-EINVAL / -ENOMEM).
 */
struct vlapic_router *vlapic_router_create(struct vlapic_ioapic *ioapic,
					   const struct vlapic_irq_ops *ops,
					   void *owner);

/* Free @router (NULL is fine); no call on it may run concurrently. */
void vlapic_router_destroy(struct vlapic_router *router);

/*
 * Replace the whole table with @nr entries of @routes. Process context:
 * takes the router's update mutex and waits for an RCU grace period, so
 * that once it returns no injection uses the old table. Returns 0,
 * -EINVAL (any bad entry; the old table stays) or -ENOMEM.
 */
int vlapic_router_set_routes(struct vlapic_router *router,
			     const struct vlapic_route *routes,
			     unsigned int nr);

/*
 * Copy the table (sorted by GSI) into @routes. Process context (update
 * mutex). Returns the number of entries or -E2BIG if more than @max.
 */
int vlapic_router_get_routes(struct vlapic_router *router,
			     struct vlapic_route *routes, unsigned int max);

/*
 * The IOAPIC pin of @gsi's first IOAPIC route, or -EINVAL if none.
 * Process context (update mutex); allocates nothing.
 */
int vlapic_router_ioapic_pin(struct vlapic_router *router, u32 gsi);

/*
 * Whether the current table routes @gsi to IOAPIC pin @pin. Any context
 * (RCU read side).
 */
bool vlapic_router_routes_pin(struct vlapic_router *router, u32 gsi,
			      unsigned int pin);

/*
 * Drive GSI @gsi: IOAPIC routes get @level as the pin's input signal, MSI
 * routes send their message when @level is true. Any context, never
 * blocks (RCU read side). Returns the number of routes of @gsi, or
 * -EINVAL if @gsi >= VLAPIC_MAX_GSI.
 */
int vlapic_router_set_irq(struct vlapic_router *router, u32 gsi, bool level);

/*
 * The same for source @source of the IOAPIC routes (vlapic_router_set_irq()
 * is VLAPIC_IRQ_SOURCE_VMM's). Any context.
 */
int vlapic_router_set_irq_source(struct vlapic_router *router, u32 gsi,
				 unsigned int source, bool level);

/*
 * Send an MSI directly (KVM_SIGNAL_MSI-like). Any context. Returns true if
 * it was sent, false if it was malformed (ignored, counted).
 */
bool vlapic_router_send_msi(struct vlapic_router *router, u64 address,
			    u32 data);

/**
 * struct vlapic_inject_counts - what vlapic_router_inject() did.
 * @msis: MSI entries sent.
 * @ignored: MSI entries that were malformed (ignored, counted by verdict).
 * @lines: LINE entries applied.
 */
struct vlapic_inject_counts {
	u32 msis;
	u32 ignored;
	u32 lines;
};

/*
 * Apply @nr batch entries (VLAPIC_INJECT_BATCH), in order: an MSI entry
 * as vlapic_router_send_msi(), a LINE entry as vlapic_router_set_irq().
 * The caller has validated every entry. Consecutive MSIs are decoded and
 * then handed to @ops->deliver_batch together, in order. Any context,
 * never blocks. Fills @counts.
 */
void vlapic_router_inject(struct vlapic_router *router,
			  const struct vlapic_inject *ents, unsigned int nr,
			  struct vlapic_inject_counts *counts);

/* Snapshot of the MSI counters. Any context. */
void vlapic_router_get_stats(struct vlapic_router *router,
			     struct vlapic_router_stats *stats);

#endif /* _VLAPIC_IOAPIC_H */
