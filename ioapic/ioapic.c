// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC: registers, input lines, remote IRR and EOI, and the deferral
 * of level re-assertion storms (seed 001). See docs/ioapic.md.
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/apicdef.h>

#include <vlapic/export.h>

#include "ioapic_priv.h"

#define CREATE_TRACE_POINTS
#include "ioapic_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(vlapic_ioapic_storm);
EXPORT_TRACEPOINT_SYMBOL_GPL(vlapic_ioapic_deferral);

static unsigned int ioapic_storm_threshold = VLAPIC_IOAPIC_STORM_THRESHOLD;
static unsigned int ioapic_storm_delay_us = VLAPIC_IOAPIC_STORM_DELAY_US;

static int storm_threshold_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, UINT_MAX);
}

static int storm_delay_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1,
				     VLAPIC_IOAPIC_STORM_DELAY_MAX_US);
}

static const struct kernel_param_ops storm_threshold_ops = {
	.set = storm_threshold_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops storm_delay_ops = {
	.set = storm_delay_set,
	.get = param_get_uint,
};

module_param_cb(ioapic_storm_threshold, &storm_threshold_ops,
		&ioapic_storm_threshold, 0644);
MODULE_PARM_DESC(ioapic_storm_threshold,
		 "Successive EOIs of an asserted level line re-delivered at once before deferring (>= 1, new IOAPICs)");
module_param_cb(ioapic_storm_delay_us, &storm_delay_ops,
		&ioapic_storm_delay_us, 0644);
MODULE_PARM_DESC(ioapic_storm_delay_us,
		 "Delay of a deferred level re-delivery in microseconds (1 to 1000000, new IOAPICs)");

/* --- entries and lines ---------------------------------------------------- */

static u32 entry_delivery_mode(u64 redir)
{
	/* APIC_DM_* are the 3-bit field shifted to bits 10:8, as here. */
	return redir & VLAPIC_IOAPIC_DELIVERY_MODE;
}

static bool entry_is_vectored(u64 redir)
{
	u32 mode = entry_delivery_mode(redir);

	return mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST;
}

/*
 * Level semantics (remote IRR, EOI) apply to fixed and lowest-priority
 * entries only: SMI, NMI, INIT and ExtINT are edge-triggered whatever the
 * trigger mode bit says (SDM, "I/O APIC" and LVT delivery modes).
 */
static bool entry_is_level(u64 redir)
{
	return (redir & VLAPIC_IOAPIC_LEVEL) && entry_is_vectored(redir);
}

static bool entry_is_masked(u64 redir)
{
	return redir & VLAPIC_IOAPIC_MASKED;
}

/* The input signal: the wired OR of the pin's sources. */
static bool pin_signal_high(const struct vlapic_ioapic_pin *pin)
{
	return pin->sources;
}

/* The pin is asserted when its input matches the entry's polarity. */
static bool pin_asserted(const struct vlapic_ioapic_pin *pin)
{
	return pin_signal_high(pin) !=
	       !!(pin->redir & VLAPIC_IOAPIC_ACTIVE_LOW);
}

static void ioapic_build_irq(u64 redir, struct vlapic_irq *irq)
{
	u32 ext = FIELD_GET(VLAPIC_IOAPIC_EXT_DEST, redir);

	memset(irq, 0, sizeof(*irq));
	irq->dest_id = FIELD_GET(VLAPIC_IOAPIC_DEST, redir);
	irq->delivery_mode = entry_delivery_mode(redir);
	irq->vector = FIELD_GET(VLAPIC_IOAPIC_VECTOR, redir);
	irq->logical = redir & VLAPIC_IOAPIC_DEST_LOGICAL;
	irq->level = entry_is_level(redir);
	irq->assert = true;
	/* Extended destination ID: a 15-bit physical x2APIC ID. */
	irq->x2apic_dest = ext && !irq->logical;
	if (irq->x2apic_dest)
		irq->dest_id |= ext << 8;
}

/*
 * Send pin @nr's message: queue it in @batch and, for a level entry, set
 * remote IRR (under the lock: concurrent events cannot send it twice;
 * ioapic_send_batch() clears it again if no local APIC accepts the
 * message). A reserved delivery mode sends nothing (counted).
 */
static void ioapic_send_locked(struct vlapic_ioapic *ioapic, unsigned int nr,
			       struct vlapic_ioapic_batch *batch)
{
	struct vlapic_ioapic_pin *pin = &ioapic->pins[nr];
	u32 mode = entry_delivery_mode(pin->redir);

	lockdep_assert_held(&ioapic->lock);
	if (mode == VLAPIC_DM_RESERVED_3 || mode == VLAPIC_DM_RESERVED_6) {
		ioapic->bad_delivery_mode++;
		return;
	}
	if (WARN_ON_ONCE(batch->nr >= ARRAY_SIZE(batch->irqs)))
		return;
	ioapic_build_irq(pin->redir, &batch->irqs[batch->nr]);
	batch->pin[batch->nr] = nr;
	batch->seq[batch->nr] = ++pin->send_seq;
	batch->nr++;
	if (entry_is_level(pin->redir))
		pin->redir |= VLAPIC_IOAPIC_REMOTE_IRR;
	pin->stats.delivered++;
}

/*
 * A level pin delivers when it is asserted, unmasked, remote IRR is clear
 * and no deferred re-delivery owns it.
 */
static void ioapic_eval_level_locked(struct vlapic_ioapic *ioapic,
				     unsigned int nr,
				     struct vlapic_ioapic_batch *batch)
{
	struct vlapic_ioapic_pin *pin = &ioapic->pins[nr];

	lockdep_assert_held(&ioapic->lock);
	if (!entry_is_level(pin->redir) || entry_is_masked(pin->redir) ||
	    (pin->redir & VLAPIC_IOAPIC_REMOTE_IRR) || pin->deferred ||
	    !pin_asserted(pin))
		return;
	ioapic_send_locked(ioapic, nr, batch);
}

/* The line dropped: the storm is over for this pin. */
static void ioapic_line_dropped_locked(struct vlapic_ioapic *ioapic,
				       unsigned int nr)
{
	lockdep_assert_held(&ioapic->lock);
	ioapic->pins[nr].reassert_run = 0;
	ioapic->pins[nr].deferred = false;
}

/*
 * A level message no local APIC accepted gets no EOI: its remote IRR is
 * cleared again, unless the pin was sent again since (@seq), so that the
 * pin is not left dead until reprogrammed. Its line, if still asserted,
 * is sent again at the next event that re-evaluates it.
 */
static void ioapic_not_accepted(struct vlapic_ioapic *ioapic, unsigned int nr,
				u32 seq)
{
	struct vlapic_ioapic_pin *pin = &ioapic->pins[nr];
	unsigned long flags;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (pin->send_seq == seq && entry_is_level(pin->redir))
		pin->redir &= ~VLAPIC_IOAPIC_REMOTE_IRR;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}

static void ioapic_send_batch(struct vlapic_ioapic *ioapic,
			      const struct vlapic_ioapic_batch *batch)
{
	unsigned int i;

	lockdep_assert_not_held(&ioapic->lock);
	for (i = 0; i < batch->nr; i++)
		if (ioapic->ops->deliver(ioapic->owner, &batch->irqs[i]) <= 0 &&
		    batch->irqs[i].level)
			ioapic_not_accepted(ioapic, batch->pin[i],
					    batch->seq[i]);
}

static void ioapic_level_vectors_changed(struct vlapic_ioapic *ioapic)
{
	lockdep_assert_not_held(&ioapic->lock);
	if (ioapic->ops->level_vectors_changed)
		ioapic->ops->level_vectors_changed(ioapic->owner);
}

/* --- storm deferral ------------------------------------------------------- */

static void ioapic_deferral_work(struct work_struct *work)
{
	struct vlapic_ioapic *ioapic =
		container_of(to_delayed_work(work), struct vlapic_ioapic,
			     deferral_work);
	struct vlapic_ioapic_batch batch = { 0 };
	unsigned long flags;
	unsigned int nr;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (ioapic->dying) {
		raw_spin_unlock_irqrestore(&ioapic->lock, flags);
		return;
	}
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		if (!ioapic->pins[nr].deferred)
			continue;
		ioapic->pins[nr].deferred = false;
		ioapic_eval_level_locked(ioapic, nr, &batch);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
}

/*
 * EOI of pin @nr found its level line still asserted: re-deliver at once
 * up to the threshold, then through the deferral work.
 */
static void ioapic_reassert_locked(struct vlapic_ioapic *ioapic,
				   unsigned int nr,
				   struct vlapic_ioapic_batch *batch)
{
	struct vlapic_ioapic_pin *pin = &ioapic->pins[nr];

	lockdep_assert_held(&ioapic->lock);
	pin->stats.reasserted++;
	if (pin->reassert_run < U32_MAX)
		pin->reassert_run++;
	if (pin->reassert_run <= ioapic->storm_threshold) {
		ioapic_eval_level_locked(ioapic, nr, batch);
		return;
	}
	if (pin->reassert_run == ioapic->storm_threshold + 1) {
		pin->stats.storms++;
		trace_vlapic_ioapic_storm(nr, pin->redir & VLAPIC_IOAPIC_VECTOR,
					  ioapic->storm_threshold);
	}
	if (pin->deferred || ioapic->dying)
		return;
	pin->deferred = true;
	pin->stats.deferrals++;
	trace_vlapic_ioapic_deferral(nr, pin->redir & VLAPIC_IOAPIC_VECTOR,
				     pin->reassert_run, ioapic->storm_delay);
	queue_delayed_work(system_wq, &ioapic->deferral_work,
			   ioapic->storm_delay);
}

/* --- creation and reset --------------------------------------------------- */

/**
 * vlapic_ioapic_default_config() - the configuration a VMM starts from.
 * @config: filled with the default base, version 0x20 and the storm rule
 *	of the module parameters.
 *
 * Context: any.
 */
void vlapic_ioapic_default_config(struct vlapic_ioapic_config *config)
{
	memset(config, 0, sizeof(*config));
	config->base = VLAPIC_IOAPIC_DEFAULT_BASE;
	config->version = VLAPIC_IOAPIC_VERSION_ICH;
	config->storm_threshold = READ_ONCE(ioapic_storm_threshold);
	config->storm_delay_us = READ_ONCE(ioapic_storm_delay_us);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_default_config);

static void ioapic_reset_locked(struct vlapic_ioapic *ioapic)
{
	unsigned int nr;

	lockdep_assert_held(&ioapic->lock);
	ioapic->ioregsel = 0;
	ioapic->id = 0;
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		ioapic->pins[nr].redir = VLAPIC_IOAPIC_MASKED;
		ioapic_line_dropped_locked(ioapic, nr);
	}
}

/**
 * vlapic_ioapic_create() - create an IOAPIC in its reset state.
 * @config: base, version and storm rule (vlapic_ioapic_default_config()).
 * @ops: where messages go; @ops->deliver is mandatory. Must outlive the
 *	IOAPIC.
 * @owner: passed back to @ops.
 *
 * Context: process context; allocates.
 * Return: the IOAPIC, ERR_PTR(-EINVAL) for a bad @config or @ops,
 * ERR_PTR(-ENOMEM).
 */
struct vlapic_ioapic *
vlapic_ioapic_create(const struct vlapic_ioapic_config *config,
		     const struct vlapic_irq_ops *ops, void *owner)
{
	struct vlapic_ioapic *ioapic;
	unsigned long flags;

	if (!config || !ops || !ops->deliver)
		return ERR_PTR(-EINVAL);
	if (config->version != VLAPIC_IOAPIC_VERSION_82093AA &&
	    config->version != VLAPIC_IOAPIC_VERSION_ICH)
		return ERR_PTR(-EINVAL);
	if (!IS_ALIGNED(config->base, VLAPIC_IOAPIC_MMIO_SIZE) ||
	    config->base > U64_MAX - VLAPIC_IOAPIC_MMIO_SIZE)
		return ERR_PTR(-EINVAL);
	if (!config->storm_threshold || !config->storm_delay_us ||
	    config->storm_delay_us > VLAPIC_IOAPIC_STORM_DELAY_MAX_US)
		return ERR_PTR(-EINVAL);

	/* One per VM, which userspace creates: charged to its memcg. */
	ioapic = kzalloc(sizeof(*ioapic), GFP_KERNEL_ACCOUNT);
	if (!ioapic)
		return ERR_PTR(-ENOMEM);
	ioapic->ops = ops;
	ioapic->owner = owner;
	ioapic->base = config->base;
	ioapic->version = config->version;
	ioapic->storm_threshold = config->storm_threshold;
	ioapic->storm_delay = usecs_to_jiffies(config->storm_delay_us);
	INIT_DELAYED_WORK(&ioapic->deferral_work, ioapic_deferral_work);
	raw_spin_lock_init(&ioapic->lock);
	ioapic->sources_used = BIT_ULL(VLAPIC_IRQ_SOURCE_VMM) |
			       BIT_ULL(VLAPIC_IRQ_SOURCE_PULSE);

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic_reset_locked(ioapic);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	return ioapic;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_create);

/**
 * vlapic_ioapic_destroy() - free an IOAPIC.
 * @ioapic: the IOAPIC, or NULL.
 *
 * The caller guarantees no other call on @ioapic runs or follows. A
 * pending deferred re-delivery is cancelled; once this returns the
 * deferral work does not run and @ops->deliver is not called any more.
 *
 * Context: process context; may sleep (waits for a running deferral).
 */
void vlapic_ioapic_destroy(struct vlapic_ioapic *ioapic)
{
	unsigned long flags;

	if (!ioapic)
		return;
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic->dying = true;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	cancel_delayed_work_sync(&ioapic->deferral_work);
	kfree(ioapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_destroy);

/**
 * vlapic_ioapic_reset() - hardware reset.
 * @ioapic: the IOAPIC.
 *
 * Every entry masked with all other bits zero (remote IRR included), ID 0,
 * IOREGSEL 0, storm state cleared. The input signals are the devices' and
 * are kept; counters are kept.
 *
 * Context: any.
 */
void vlapic_ioapic_reset(struct vlapic_ioapic *ioapic)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic_reset_locked(ioapic);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_level_vectors_changed(ioapic);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_reset);

/**
 * vlapic_ioapic_base() - guest-physical base of the MMIO window.
 * @ioapic: the IOAPIC.
 *
 * Context: any.
 * Return: the base chosen at creation.
 */
u64 vlapic_ioapic_base(struct vlapic_ioapic *ioapic)
{
	return ioapic->base;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_base);

/* --- registers ------------------------------------------------------------ */

static u32 ioapic_read_indirect_locked(struct vlapic_ioapic *ioapic)
{
	u8 reg = ioapic->ioregsel;
	unsigned int nr;
	u64 redir;

	lockdep_assert_held(&ioapic->lock);
	switch (reg) {
	case VLAPIC_IOAPIC_REG_ID:
	case VLAPIC_IOAPIC_REG_ARB:
		/* The arbitration ID is loaded from the ID. */
		return (u32)ioapic->id << VLAPIC_IOAPIC_ID_SHIFT;
	case VLAPIC_IOAPIC_REG_VERSION:
		return ((VLAPIC_IOAPIC_NUM_PINS - 1) <<
			VLAPIC_IOAPIC_MAX_REDIR_SHIFT) | ioapic->version;
	case VLAPIC_IOAPIC_REG_REDIR_FIRST ... VLAPIC_IOAPIC_REG_REDIR_LAST:
		/* IOREGSEL is the guest's: no speculative read past pins[]. */
		nr = array_index_nospec((reg - VLAPIC_IOAPIC_REG_REDIR_FIRST) / 2,
					VLAPIC_IOAPIC_NUM_PINS);
		redir = ioapic->pins[nr].redir;
		return reg & 1 ? upper_32_bits(redir) : lower_32_bits(redir);
	default:
		ioapic->bad_register++;
		return 0;
	}
}

/*
 * Write one half of a redirection entry. Read-only bits keep their value,
 * reserved bits stay zero; an edge trigger mode clears remote IRR (how
 * software clears a stuck remote IRR on IOAPICs without the EOI register).
 * Return: true if a field the level vector set depends on changed.
 */
static bool ioapic_write_redir_locked(struct vlapic_ioapic *ioapic,
				      unsigned int nr, bool high, u32 val,
				      struct vlapic_ioapic_batch *batch)
{
	struct vlapic_ioapic_pin *pin = &ioapic->pins[nr];
	u64 old = pin->redir;
	u64 mask = high ? VLAPIC_IOAPIC_WRITABLE & GENMASK_ULL(63, 32) :
			  VLAPIC_IOAPIC_WRITABLE & GENMASK_ULL(31, 0);
	u64 val64 = high ? (u64)val << 32 : val;
	u64 redir = (old & ~mask) | (val64 & mask);

	lockdep_assert_held(&ioapic->lock);
	if (!(redir & VLAPIC_IOAPIC_LEVEL))
		redir &= ~VLAPIC_IOAPIC_REMOTE_IRR;
	pin->redir = redir;
	if (!pin_asserted(pin))
		ioapic_line_dropped_locked(ioapic, nr);
	ioapic_eval_level_locked(ioapic, nr, batch);
	return entry_is_level(old) != entry_is_level(redir) ||
	       ((old ^ redir) & VLAPIC_IOAPIC_VECTOR);
}

static bool ioapic_write_indirect_locked(struct vlapic_ioapic *ioapic,
					 u32 val,
					 struct vlapic_ioapic_batch *batch)
{
	u8 reg = ioapic->ioregsel;
	unsigned int nr;

	lockdep_assert_held(&ioapic->lock);
	switch (reg) {
	case VLAPIC_IOAPIC_REG_ID:
		ioapic->id = (val >> VLAPIC_IOAPIC_ID_SHIFT) &
			     VLAPIC_IOAPIC_ID_MASK;
		return false;
	case VLAPIC_IOAPIC_REG_VERSION:
	case VLAPIC_IOAPIC_REG_ARB:
		return false;	/* read-only */
	case VLAPIC_IOAPIC_REG_REDIR_FIRST ... VLAPIC_IOAPIC_REG_REDIR_LAST:
		/* IOREGSEL is the guest's: no speculative write past pins[]. */
		nr = array_index_nospec((reg - VLAPIC_IOAPIC_REG_REDIR_FIRST) / 2,
					VLAPIC_IOAPIC_NUM_PINS);
		return ioapic_write_redir_locked(ioapic, nr, reg & 1, val,
						 batch);
	default:
		ioapic->bad_register++;
		return false;
	}
}

static int ioapic_check_window(u32 offset, const void *data, unsigned int len)
{
	if (!data || !len || len > 8 || offset >= VLAPIC_IOAPIC_MMIO_SIZE ||
	    len > VLAPIC_IOAPIC_MMIO_SIZE - offset)
		return -EINVAL;
	return 0;
}

/**
 * vlapic_ioapic_mmio_read() - guest read in the MMIO window.
 * @ioapic: the IOAPIC.
 * @offset: offset from the base.
 * @data: where the value goes (little endian, @len bytes).
 * @len: access size, 1 to 8.
 *
 * Registers are 32 bits wide at 0x00 (IOREGSEL), 0x10 (IOWIN) and, for
 * version 0x20, 0x40 (EOI, reads zero). Any other access in the window is
 * a guest mistake: it reads zero and is counted.
 *
 * Context: any.
 * Return: 0, or -EINVAL (nothing read) if the access leaves the window.
 */
int vlapic_ioapic_mmio_read(struct vlapic_ioapic *ioapic, u32 offset,
			    void *data, unsigned int len)
{
	unsigned long flags;
	u32 val = 0;
	int ret;

	ret = ioapic_check_window(offset, data, len);
	if (ret)
		return ret;
	memset(data, 0, len);
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (len != 4) {
		ioapic->bad_access++;
	} else if (offset == VLAPIC_IOAPIC_IOREGSEL) {
		val = ioapic->ioregsel;
	} else if (offset == VLAPIC_IOAPIC_IOWIN) {
		val = ioapic_read_indirect_locked(ioapic);
	} else if (offset != VLAPIC_IOAPIC_EOI ||
		   ioapic->version != VLAPIC_IOAPIC_VERSION_ICH) {
		ioapic->bad_access++;
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	if (len == 4)
		memcpy(data, &val, 4);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_mmio_read);

/**
 * vlapic_ioapic_mmio_write() - guest write in the MMIO window.
 * @ioapic: the IOAPIC.
 * @offset: offset from the base.
 * @data: the value (little endian, @len bytes).
 * @len: access size, 1 to 8.
 *
 * 32-bit writes to IOREGSEL (bits 7:0 kept), IOWIN (the selected register)
 * and, for version 0x20, EOI (bits 7:0: the vector, as
 * vlapic_ioapic_eoi()). Any other access in the window is ignored and
 * counted. May send messages (after releasing the lock).
 *
 * Context: any.
 * Return: 0, or -EINVAL (nothing written) if the access leaves the window.
 */
int vlapic_ioapic_mmio_write(struct vlapic_ioapic *ioapic, u32 offset,
			     const void *data, unsigned int len)
{
	struct vlapic_ioapic_batch batch = { 0 };
	bool changed = false;
	unsigned long flags;
	u32 val;
	int ret;

	ret = ioapic_check_window(offset, data, len);
	if (ret)
		return ret;
	if (len == 4 && offset == VLAPIC_IOAPIC_EOI &&
	    ioapic->version == VLAPIC_IOAPIC_VERSION_ICH) {
		memcpy(&val, data, 4);
		vlapic_ioapic_eoi(ioapic, val & 0xff);
		return 0;
	}
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (len != 4) {
		ioapic->bad_access++;
	} else if (offset == VLAPIC_IOAPIC_IOREGSEL) {
		memcpy(&val, data, 4);
		ioapic->ioregsel = val & 0xff;
	} else if (offset == VLAPIC_IOAPIC_IOWIN) {
		memcpy(&val, data, 4);
		changed = ioapic_write_indirect_locked(ioapic, val, &batch);
	} else {
		ioapic->bad_access++;
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
	if (changed)
		ioapic_level_vectors_changed(ioapic);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_mmio_write);

/* --- lines and EOI -------------------------------------------------------- */

/*
 * Pin @nr's sources become @sources: edge entry: a transition to asserted
 * sends one message (lost if masked); level entry: re-evaluated; a line
 * that is no longer asserted ends a re-assertion storm.
 */
static void ioapic_set_sources_locked(struct vlapic_ioapic *ioapic,
				      unsigned int nr, u64 sources,
				      struct vlapic_ioapic_batch *batch)
{
	struct vlapic_ioapic_pin *p = &ioapic->pins[nr];
	bool was_asserted = pin_asserted(p);

	lockdep_assert_held(&ioapic->lock);
	p->sources = sources;
	if (!pin_asserted(p)) {
		ioapic_line_dropped_locked(ioapic, nr);
	} else if (entry_is_level(p->redir)) {
		ioapic_eval_level_locked(ioapic, nr, batch);
	} else if (!was_asserted) {
		if (entry_is_masked(p->redir))
			p->stats.masked_edges++;
		else
			ioapic_send_locked(ioapic, nr, batch);
	}
}

/**
 * vlapic_ioapic_set_source() - a source drives a pin's input signal.
 * @ioapic: the IOAPIC.
 * @pin: 0 to VLAPIC_IOAPIC_NUM_PINS - 1.
 * @source: below VLAPIC_IRQ_SOURCES: VLAPIC_IRQ_SOURCE_VMM, _PULSE or an
 *	ID from vlapic_ioapic_alloc_source().
 * @high: the source drives the signal high.
 *
 * The pin's input signal is high while any of its sources drives it high
 * (wired OR): one source lowering its signal leaves another's assertion.
 * The pin is asserted when the signal matches the entry's polarity (high
 * for active-high, low for active-low). Edge entry: a transition to
 * asserted sends one message (lost if masked). Level entry: asserted,
 * unmasked, remote IRR clear sends and sets remote IRR. A drop ends a
 * re-assertion storm. Messages are sent after the lock is released.
 *
 * Context: any.
 * Return: 0, or -EINVAL for a bad @pin or @source (nothing changes).
 */
int vlapic_ioapic_set_source(struct vlapic_ioapic *ioapic, unsigned int pin,
			     unsigned int source, bool high)
{
	struct vlapic_ioapic_batch batch = { 0 };
	struct vlapic_ioapic_pin *p;
	unsigned long flags;
	u64 sources;

	if (pin >= VLAPIC_IOAPIC_NUM_PINS || source >= VLAPIC_IRQ_SOURCES)
		return -EINVAL;
	pin = array_index_nospec(pin, VLAPIC_IOAPIC_NUM_PINS);
	p = &ioapic->pins[pin];
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	trace_vlapic_ioapic_set_irq(pin, high, p->redir);
	sources = high ? p->sources | BIT_ULL(source) :
			 p->sources & ~BIT_ULL(source);
	ioapic_set_sources_locked(ioapic, pin, sources, &batch);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_set_source);

/**
 * vlapic_ioapic_set_input() - the VMM drives a pin's input signal.
 * @ioapic: the IOAPIC.
 * @pin: 0 to VLAPIC_IOAPIC_NUM_PINS - 1.
 * @high: the VMM's source drives the signal high.
 *
 * vlapic_ioapic_set_source() for VLAPIC_IRQ_SOURCE_VMM.
 *
 * Context: any.
 * Return: 0, or -EINVAL for a bad @pin (nothing changes).
 */
int vlapic_ioapic_set_input(struct vlapic_ioapic *ioapic, unsigned int pin,
			    bool high)
{
	return vlapic_ioapic_set_source(ioapic, pin, VLAPIC_IRQ_SOURCE_VMM,
					high);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_set_input);

/**
 * vlapic_ioapic_alloc_source() - a source ID of a device's own.
 * @ioapic: the IOAPIC.
 *
 * Context: any.
 * Return: an ID for vlapic_ioapic_set_source() (2 to VLAPIC_IRQ_SOURCES -
 * 1), or -ENOSPC when all are in use.
 */
int vlapic_ioapic_alloc_source(struct vlapic_ioapic *ioapic)
{
	unsigned long flags;
	int id = -ENOSPC;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (~ioapic->sources_used) {
		id = __ffs64(~ioapic->sources_used);
		ioapic->sources_used |= BIT_ULL(id);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	return id;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_alloc_source);

/**
 * vlapic_ioapic_lower_source() - a source stops driving every pin.
 * @ioapic: the IOAPIC.
 * @source: below VLAPIC_IRQ_SOURCES.
 *
 * Wherever the routing table sent it (now or before a routing change),
 * @source no longer drives any pin high; the pins it drove are
 * re-evaluated.
 *
 * Context: any.
 */
void vlapic_ioapic_lower_source(struct vlapic_ioapic *ioapic,
				unsigned int source)
{
	struct vlapic_ioapic_batch batch = { 0 };
	unsigned long flags;
	unsigned int nr;

	if (WARN_ON_ONCE(source >= VLAPIC_IRQ_SOURCES))
		return;
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		u64 sources = ioapic->pins[nr].sources;

		if (sources & BIT_ULL(source))
			ioapic_set_sources_locked(ioapic, nr,
						  sources & ~BIT_ULL(source),
						  &batch);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_lower_source);

/**
 * vlapic_ioapic_source_drives() - whether a source drives a pin high.
 * @ioapic: the IOAPIC.
 * @pin: 0 to VLAPIC_IOAPIC_NUM_PINS - 1.
 * @source: below VLAPIC_IRQ_SOURCES.
 *
 * Context: any.
 * Return: true when @source drives @pin's signal high.
 */
bool vlapic_ioapic_source_drives(struct vlapic_ioapic *ioapic,
				 unsigned int pin, unsigned int source)
{
	unsigned long flags;
	bool ret;

	if (pin >= VLAPIC_IOAPIC_NUM_PINS || source >= VLAPIC_IRQ_SOURCES)
		return false;
	pin = array_index_nospec(pin, VLAPIC_IOAPIC_NUM_PINS);
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ret = ioapic->pins[pin].sources & BIT_ULL(source);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_source_drives);

/**
 * vlapic_ioapic_free_source() - give a source ID back.
 * @ioapic: the IOAPIC.
 * @source: an ID from vlapic_ioapic_alloc_source().
 *
 * The source stops driving every pin it drove high (as
 * vlapic_ioapic_lower_source()); the ID may be handed out again.
 *
 * Context: any.
 */
void vlapic_ioapic_free_source(struct vlapic_ioapic *ioapic,
			       unsigned int source)
{
	unsigned long flags;

	if (WARN_ON_ONCE(source <= VLAPIC_IRQ_SOURCE_PULSE ||
			 source >= VLAPIC_IRQ_SOURCES))
		return;
	vlapic_ioapic_lower_source(ioapic, source);
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic->sources_used &= ~BIT_ULL(source);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_free_source);

/* The level entries an EOI of @vector concerns, and their sends. */
static u32 ioapic_eoi_pins_locked(struct vlapic_ioapic *ioapic, u8 vector,
				  u32 *seq)
{
	struct vlapic_ioapic_pin *pin;
	unsigned int nr;
	u32 pins = 0;

	lockdep_assert_held(&ioapic->lock);
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		pin = &ioapic->pins[nr];
		if (!(pin->redir & VLAPIC_IOAPIC_LEVEL) ||
		    !(pin->redir & VLAPIC_IOAPIC_REMOTE_IRR) ||
		    FIELD_GET(VLAPIC_IOAPIC_VECTOR, pin->redir) != vector)
			continue;
		pins |= BIT(nr);
		seq[nr] = pin->send_seq;
	}
	return pins;
}

/**
 * vlapic_ioapic_eoi() - a local APIC EOIed a level-triggered vector.
 * @ioapic: the IOAPIC.
 * @vector: the vector.
 *
 * The VM layer calls it from the bus's eoi_broadcast op (no vLAPIC lock
 * held); a write to the EOI register (version 0x20) comes here too. Each
 * level-triggered entry with @vector and remote IRR set is acknowledged
 * (@ops->acked, with no lock held, before anything else) and has remote
 * IRR cleared; if its line is still asserted and it is unmasked it is
 * sent again: at once for the first ioapic storm_threshold successive
 * times, then after the storm delay (see docs/ioapic.md). An entry that
 * was sent again meanwhile (by a concurrent EOI) is left to that send.
 *
 * Context: any.
 */
void vlapic_ioapic_eoi(struct vlapic_ioapic *ioapic, u8 vector)
{
	struct vlapic_ioapic_batch batch = { 0 };
	u32 seq[VLAPIC_IOAPIC_NUM_PINS];
	struct vlapic_ioapic_pin *pin;
	unsigned int nr, matched = 0;
	unsigned long flags, pins;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	pins = ioapic_eoi_pins_locked(ioapic, vector, seq);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	if (!pins) {
		trace_vlapic_ioapic_eoi(vector, 0);
		return;
	}
	/* Resamplers lower their lines before the pins are re-evaluated. */
	if (ioapic->ops->acked)
		for_each_set_bit(nr, &pins, VLAPIC_IOAPIC_NUM_PINS)
			ioapic->ops->acked(ioapic->owner, nr);

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	for_each_set_bit(nr, &pins, VLAPIC_IOAPIC_NUM_PINS) {
		pin = &ioapic->pins[nr];
		if (pin->send_seq != seq[nr] ||
		    !(pin->redir & VLAPIC_IOAPIC_LEVEL) ||
		    !(pin->redir & VLAPIC_IOAPIC_REMOTE_IRR) ||
		    FIELD_GET(VLAPIC_IOAPIC_VECTOR, pin->redir) != vector)
			continue;
		pin->redir &= ~VLAPIC_IOAPIC_REMOTE_IRR;
		pin->stats.eoi++;
		matched++;
		if (!pin_asserted(pin))
			ioapic_line_dropped_locked(ioapic, nr);
		else if (!entry_is_masked(pin->redir))
			ioapic_reassert_locked(ioapic, nr, &batch);
	}
	trace_vlapic_ioapic_eoi(vector, matched);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_eoi);

/**
 * vlapic_ioapic_level_vectors() - vectors whose EOI the IOAPIC must see.
 * @ioapic: the IOAPIC.
 * @vectors: a 256-bit bitmap, overwritten: bit v is set if a
 *	level-triggered fixed or lowest-priority entry (masked or not) has
 *	vector v. For the VMX EOI-exit bitmap.
 *
 * Context: any.
 */
void vlapic_ioapic_level_vectors(struct vlapic_ioapic *ioapic,
				 unsigned long *vectors)
{
	unsigned long flags;
	unsigned int nr;
	u64 redir;

	bitmap_zero(vectors, 256);
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		redir = ioapic->pins[nr].redir;
		if (entry_is_level(redir))
			__set_bit(FIELD_GET(VLAPIC_IOAPIC_VECTOR, redir),
				  vectors);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_level_vectors);

/* --- state and counters --------------------------------------------------- */

/**
 * vlapic_ioapic_get_state() - save the guest-visible state.
 * @ioapic: the IOAPIC.
 * @state: filled; vlapic_ioapic_set_state() accepts it as is.
 *
 * Context: any.
 */
void vlapic_ioapic_get_state(struct vlapic_ioapic *ioapic,
			     struct vlapic_ioapic_state *state)
{
	unsigned long flags;
	unsigned int nr;

	memset(state, 0, sizeof(*state));
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	state->ioregsel = ioapic->ioregsel;
	state->id = ioapic->id;
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		state->redir[nr] = ioapic->pins[nr].redir;
		if (pin_signal_high(&ioapic->pins[nr]))
			state->input_high |= BIT(nr);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_get_state);

static int ioapic_check_state(const struct vlapic_ioapic_state *state)
{
	unsigned int nr;
	u64 redir;

	if (state->flags || state->ioregsel > 0xff ||
	    state->id > VLAPIC_IOAPIC_ID_MASK ||
	    state->input_high & ~GENMASK(VLAPIC_IOAPIC_NUM_PINS - 1, 0))
		return -EINVAL;
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		redir = state->redir[nr];
		if (redir & (VLAPIC_IOAPIC_RESERVED |
			     VLAPIC_IOAPIC_DELIVERY_STATUS))
			return -EINVAL;
		if ((redir & VLAPIC_IOAPIC_REMOTE_IRR) && !entry_is_level(redir))
			return -EINVAL;
	}
	return 0;
}

/**
 * vlapic_ioapic_set_state() - restore a saved state.
 * @ioapic: the IOAPIC.
 * @state: see struct vlapic_ioapic_state; checked whole before anything
 *	changes.
 *
 * Storm state is cleared (a pending deferral is dropped). Asserted,
 * unmasked level lines with remote IRR clear are sent at once; edge
 * entries send nothing.
 *
 * Context: any.
 * Return: 0, or -EINVAL (the IOAPIC is unchanged).
 */
int vlapic_ioapic_set_state(struct vlapic_ioapic *ioapic,
			    const struct vlapic_ioapic_state *state)
{
	struct vlapic_ioapic_batch batch = { 0 };
	struct vlapic_ioapic_pin *pin;
	unsigned long flags;
	unsigned int nr;
	int ret;

	ret = ioapic_check_state(state);
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic->ioregsel = state->ioregsel;
	ioapic->id = state->id;
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		u64 others;

		pin = &ioapic->pins[nr];
		pin->redir = state->redir[nr];
		/*
		 * input_high becomes the VMM's signal, except where another
		 * source already drives it high: a save restored into the
		 * same VM must not turn a resampling irqfd's assertion into
		 * the VMM's (it would outlive the resample).
		 */
		others = pin->sources & ~BIT_ULL(VLAPIC_IRQ_SOURCE_VMM);
		pin->sources = others;
		if ((state->input_high & BIT(nr)) && !others)
			pin->sources |= BIT_ULL(VLAPIC_IRQ_SOURCE_VMM);
		ioapic_line_dropped_locked(ioapic, nr);
		ioapic_eval_level_locked(ioapic, nr, &batch);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	ioapic_send_batch(ioapic, &batch);
	ioapic_level_vectors_changed(ioapic);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_set_state);

/**
 * vlapic_ioapic_get_stats() - snapshot of the counters.
 * @ioapic: the IOAPIC.
 * @stats: filled.
 *
 * Context: any.
 */
void vlapic_ioapic_get_stats(struct vlapic_ioapic *ioapic,
			     struct vlapic_ioapic_stats *stats)
{
	unsigned long flags;
	unsigned int nr;

	memset(stats, 0, sizeof(*stats));
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	for (nr = 0; nr < VLAPIC_IOAPIC_NUM_PINS; nr++) {
		stats->pin[nr] = ioapic->pins[nr].stats;
		if (ioapic->pins[nr].deferred)
			stats->deferral_pending |= BIT(nr);
	}
	stats->bad_access = ioapic->bad_access;
	stats->bad_register = ioapic->bad_register;
	stats->bad_delivery_mode = ioapic->bad_delivery_mode;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_ioapic_get_stats);
