// SPDX-License-Identifier: GPL-2.0
/*
 * vLAPIC register interface: xAPIC MMIO, x2APIC MSRs, IA32_APIC_BASE,
 * IA32_TSC_DEADLINE and CR8.
 *
 * One table says, for each of the 64 register slots of the page, who may
 * read and write it and which bits are writable. The outcomes of guest
 * mistakes follow the SDM: in xAPIC mode reserved bits are ignored and a
 * reserved offset sets ESR "illegal register address"; in x2APIC mode a
 * reserved MSR, a write to a read-only one, a read of a write-only one and
 * a write setting reserved bits raise #GP (SDM 10.12.1.2-3).
 */

#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/string.h>

#include <vlapic/export.h>
#include "lapic_priv.h"

/* Register slot flags. */
#define R	BIT(0)	/* readable */
#define W	BIT(1)	/* writable */
#define XA	BIT(2)	/* xAPIC only */
#define X2	BIT(3)	/* x2APIC only */
#define X2RO	BIT(4)	/* read-only in x2APIC mode */
#define ST	BIT(5)	/* state: saved and restored as it is in the page */

#define LVT_DS		APIC_SEND_PENDING
#define LVT_VEC_MASK	(APIC_VECTOR_MASK | APIC_LVT_MASKED)
#define LVT_DM_MASK	(LVT_VEC_MASK | APIC_MODE_MASK)
#define LINT_MASK	(LVT_DM_MASK | APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER)
/* SDM 10.5.1: LINT1 is edge only ("level-sensitive ... not supported"). */
#define LINT1_MASK	(LVT_DM_MASK | APIC_INPUT_POLARITY)
#define ICR_LOW_MASK	VLAPIC_ICR_LOW_MASK

/* LVT delivery modes the SDM defines (10.5.1); the others are reserved. */
#define DM_BIT(mode)	BIT((mode) >> 8)
#define DM_EVENT	(DM_BIT(APIC_DM_FIXED) | DM_BIT(APIC_DM_SMI) |	\
			 DM_BIT(APIC_DM_NMI))
#define DM_LINT		(DM_EVENT | DM_BIT(APIC_DM_INIT) | DM_BIT(APIC_DM_EXTINT))

/**
 * struct vlapic_reg_rule - access rules of one 16-byte register slot.
 * @flags: R, W, XA, X2, X2RO, ST.
 * @dmodes: LVTs with a delivery-mode field: the modes it may hold (bit n:
 *	mode n). A write of another one is a reserved value: ignored in
 *	xAPIC mode, #GP in x2APIC mode, refused by restore. 0: no such field.
 * @wmask: bits a write stores (xAPIC ignores the others; x2APIC raises
 *	#GP when a bit outside @wmask | @romask is set).
 * @romask: read-only bits that are not reserved (delivery status, remote
 *	IRR): writes leave them alone in both modes.
 *
 * Slots without ST are not state: derived ones (APR, PPR, current count)
 * are computed, write-only and reserved ones read as zero, and restore
 * loads none of them from the saved page.
 */
struct vlapic_reg_rule {
	u8 flags;
	u8 dmodes;
	u32 wmask;
	u32 romask;
};

/*
 * Indexed by offset >> 4 of a guest access (xAPIC MMIO offset, x2APIC MSR
 * number): every lookup clamps the slot with vlapic_rule_slot() after its
 * bounds check, and the offset used in the register page is rebuilt from
 * the clamped slot, so a mispredicted check reads nothing past the table
 * or the page.
 */
static const struct vlapic_reg_rule vlapic_rules[64] = {
	[APIC_ID >> 4]		= { R | W | X2RO | ST, 0, 0xff000000 },
	[APIC_LVR >> 4]		= { R | ST },
	[APIC_TASKPRI >> 4]	= { R | W | ST, 0, APIC_TPRI_MASK },
	[APIC_ARBPRI >> 4]	= { R | XA },
	[APIC_PROCPRI >> 4]	= { R },
	[APIC_EOI >> 4]		= { W },
	[APIC_RRR >> 4]		= { R | XA },
	[APIC_LDR >> 4]		= { R | W | X2RO | ST, 0, APIC_LDR_MASK },
	[APIC_DFR >> 4]		= { R | W | XA | ST, 0, 0xf0000000 },
	[APIC_SPIV >> 4]	= { R | W | ST, 0, 0x3ff },
	/* ISR */
	[0x10] = { R | ST }, [0x11] = { R | ST }, [0x12] = { R | ST },
	[0x13] = { R | ST }, [0x14] = { R | ST }, [0x15] = { R | ST },
	[0x16] = { R | ST }, [0x17] = { R | ST },
	/* TMR */
	[0x18] = { R | ST }, [0x19] = { R | ST }, [0x1a] = { R | ST },
	[0x1b] = { R | ST }, [0x1c] = { R | ST }, [0x1d] = { R | ST },
	[0x1e] = { R | ST }, [0x1f] = { R | ST },
	/* IRR */
	[0x20] = { R | ST }, [0x21] = { R | ST }, [0x22] = { R | ST },
	[0x23] = { R | ST }, [0x24] = { R | ST }, [0x25] = { R | ST },
	[0x26] = { R | ST }, [0x27] = { R | ST },
	[APIC_ESR >> 4]		= { R | W | ST, 0, 0 },
	[APIC_LVTCMCI >> 4]	= { R | W | ST, DM_EVENT, LVT_DM_MASK, LVT_DS },
	[APIC_ICR >> 4]		= { R | W | ST, 0, ICR_LOW_MASK, APIC_ICR_BUSY },
	[APIC_ICR2 >> 4]	= { R | W | XA | ST, 0, 0xff000000 },
	[APIC_LVTT >> 4]	= { R | W | ST, 0,
				    LVT_VEC_MASK | APIC_LVT_TIMER_PERIODIC, LVT_DS },
	[APIC_LVTTHMR >> 4]	= { R | W | ST, DM_EVENT, LVT_DM_MASK, LVT_DS },
	[APIC_LVTPC >> 4]	= { R | W | ST, DM_EVENT, LVT_DM_MASK, LVT_DS },
	[APIC_LVT0 >> 4]	= { R | W | ST, DM_LINT, LINT_MASK,
				    LVT_DS | APIC_LVT_REMOTE_IRR },
	[APIC_LVT1 >> 4]	= { R | W | ST, DM_LINT, LINT1_MASK, LVT_DS },
	[APIC_LVTERR >> 4]	= { R | W | ST, 0, LVT_VEC_MASK, LVT_DS },
	[APIC_TMICT >> 4]	= { R | W | ST, 0, 0xffffffff },
	[APIC_TMCCT >> 4]	= { R },
	[APIC_TDCR >> 4]	= { R | W | ST, 0, 0xb },
	[APIC_SELF_IPI >> 4]	= { W | X2, 0, APIC_VECTOR_MASK },
};

/* Slot of @off (below 0x400), clamped to the table under speculation. */
static u32 vlapic_rule_slot(u32 off)
{
	return array_index_nospec(off >> 4, ARRAY_SIZE(vlapic_rules));
}

/**
 * vlapic_reg_saved() - whether a register slot is state.
 * @off: offset of the slot in the page (16-byte aligned, below 0x400)
 *
 * Return: true when restore loads the slot's first dword from the saved
 * page; the rest of the page (derived, write-only, reserved registers,
 * bytes 4-15 of every slot) restores as zero.
 */
bool vlapic_reg_saved(u32 off)
{
	return off < 0x400 && !(off & 0xf) &&
	       (vlapic_rules[vlapic_rule_slot(off)].flags & ST);
}

/**
 * vlapic_lvt_mode_valid() - whether an LVT value holds a defined mode.
 * @off: the LVT's offset
 * @lvt: the value
 *
 * Return: false for a delivery mode the SDM reserves for this LVT
 * (thermal, performance, CMCI: anything but fixed, SMI and NMI; LINT0/1:
 * 001b, 011b, 110b); true otherwise and for LVTs without the field.
 */
bool vlapic_lvt_mode_valid(u32 off, u32 lvt)
{
	u8 dmodes = off < 0x400 ? vlapic_rules[vlapic_rule_slot(off)].dmodes : 0;

	return !dmodes || (dmodes & DM_BIT(lvt & APIC_MODE_MASK));
}

/* Work that must wait until the vLAPIC's lock is released. */
struct vlapic_post {
	bool send_ipi;
	bool x2apic;
	u32 icr_low;
	u32 icr_dest;
	int eoi_vector;
};

static u32 vlapic_wmask(struct vlapic *vlapic, u32 off)
{
	u32 mask = vlapic_rules[off >> 4].wmask;

	if (off == APIC_SPIV && vlapic_cfg(vlapic)->directed_eoi)
		mask |= APIC_SPIV_DIRECTED_EOI;
	if (off == APIC_LVTT && vlapic_cfg(vlapic)->tsc_deadline)
		mask |= APIC_LVT_TIMER_TSCDEADLINE;
	return mask;
}

/* Arbitration priority (SDM 10.8.3.1, P6 family definition). */
static u32 vlapic_compute_apr(struct vlapic *vlapic)
{
	u32 tpr = vlapic_reg(vlapic, APIC_TASKPRI) & 0xf0;
	u32 isrv = vlapic->highest_isr < 0 ? 0 : vlapic->highest_isr & 0xf0;
	u32 irrv = vlapic->highest_irr < 0 ? 0 : vlapic->highest_irr & 0xf0;

	if (tpr >= irrv && tpr > isrv)
		return vlapic_reg(vlapic, APIC_TASKPRI) & 0xff;
	return max3(tpr, isrv, irrv);
}

static u32 vlapic_read_locked(struct vlapic *vlapic, u32 off)
{
	lockdep_assert_held(&vlapic->lock);
	switch (off) {
	case APIC_ARBPRI:
		return vlapic_compute_apr(vlapic);
	case APIC_TMCCT:
		return vlapic_timer_current_count(vlapic);
	case APIC_ICR:
		/* Delivery is synchronous: the ICR is always idle. */
		return vlapic_reg(vlapic, APIC_ICR) & ~APIC_ICR_BUSY;
	case APIC_EOI:
	case APIC_SELF_IPI:
		return 0;
	default:
		if (off >= APIC_IRR && off < APIC_ESR)
			vlapic_sync_posted(vlapic);
		return vlapic_reg(vlapic, off);
	}
}

/**
 * vlapic_write_svr() - store SVR and apply software enable/disable.
 * @vlapic: the vLAPIC (lock held)
 * @val: the value to store (already masked)
 *
 * Software disable masks every LVT entry; they stay masked (writes keep
 * the mask bit set) until the APIC is enabled again.
 */
void vlapic_write_svr(struct vlapic *vlapic, u32 val)
{
	u32 off;

	lockdep_assert_held(&vlapic->lock);
	vlapic_set_reg(vlapic, APIC_SPIV, val);
	if (val & APIC_SPIV_APIC_ENABLED)
		return;
	for (off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		vlapic_set_reg(vlapic, off,
			       vlapic_reg(vlapic, off) | APIC_LVT_MASKED);
	vlapic_set_reg(vlapic, APIC_LVTCMCI,
		       vlapic_reg(vlapic, APIC_LVTCMCI) | APIC_LVT_MASKED);
}

/*
 * Send the IPI an ICR or SELF IPI write describes. Only the ICR write
 * stores @low in the ICR (the caller does that): a SELF IPI leaves the
 * ICR as the guest last wrote it, as hardware does.
 */
static void vlapic_send_icr(struct vlapic *vlapic, u32 low, u32 dest,
			    bool x2apic, struct vlapic_post *post)
{
	u32 dm = low & APIC_MODE_MASK;
	u32 sh = (low >> 18) & 3;

	if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) &&
	    (low & APIC_VECTOR_MASK) < 16) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_TX_ILLEGAL_VECTOR);
		/*
		 * SDM vol. 3 10.5.3: the sender sets "send illegal vector";
		 * an illegal vector this APIC sends itself ("via a self
		 * IPI": shorthand self or all-including-self, the x2APIC
		 * SELF IPI register) is also one it receives, bit 6. Nothing
		 * is delivered either way.
		 */
		vlapic_set_error(vlapic, APIC_ESR_SENDILL |
			(sh == VLAPIC_SH_SELF || sh == VLAPIC_SH_ALL ?
			 APIC_ESR_RECVILL : 0));
		return;
	}
	vlapic_stat_inc(vlapic, VLAPIC_STAT_IPI_SENT);
	post->send_ipi = true;
	post->icr_low = low;
	post->icr_dest = dest;
	post->x2apic = x2apic;
}

/* Store a register write; @val is already checked and masked. */
static void vlapic_write_locked(struct vlapic *vlapic, u32 off, u32 val,
				struct vlapic_post *post)
{
	u32 old = vlapic_reg(vlapic, off);
	u32 ro = vlapic_rules[off >> 4].romask;

	lockdep_assert_held(&vlapic->lock);
	switch (off) {
	case APIC_ID:
	case APIC_LDR:
		vlapic_set_reg(vlapic, off, val);
		vlapic_bus_mark_dirty(vlapic->bus);
		break;
	case APIC_DFR:
		vlapic_set_reg(vlapic, off, val | 0x0fffffff);
		vlapic_bus_mark_dirty(vlapic->bus);
		break;
	case APIC_TASKPRI:
		vlapic_set_tpr_locked(vlapic, val);
		break;
	case APIC_EOI:
		post->eoi_vector = vlapic_eoi_locked(vlapic, -1);
		break;
	case APIC_SPIV:
		vlapic_write_svr(vlapic, val);
		break;
	case APIC_ESR:
		/* A write latches the errors seen since the previous one. */
		vlapic_set_reg(vlapic, APIC_ESR, vlapic->esr_pending);
		vlapic->esr_pending = 0;
		break;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_LVTCMCI:
		if (!vlapic_sw_enabled(vlapic))
			val |= APIC_LVT_MASKED;
		val |= old & ro;
		if (off == APIC_LVTT)
			vlapic_timer_write_lvt(vlapic, val);
		vlapic_set_reg(vlapic, off, val);
		/* Unmasked (or made level) with its line asserted: it sends. */
		if ((off == APIC_LVT0 || off == APIC_LVT1) &&
		    vlapic_lint_eval_level(vlapic, off == APIC_LVT1))
			vlapic->bus->ops->kick(vlapic);
		break;
	case APIC_TMICT:
		vlapic_timer_write_icr(vlapic, val);
		break;
	case APIC_TDCR:
		vlapic_timer_write_dcr(vlapic, val);
		break;
	case APIC_ICR:
		vlapic_set_reg(vlapic, APIC_ICR, val);
		vlapic_send_icr(vlapic, val, vlapic_reg(vlapic, APIC_ICR2) >> 24,
				false, post);
		break;
	case APIC_ICR2:
		vlapic_set_reg(vlapic, off, val);
		break;
	case APIC_SELF_IPI:
		vlapic_send_icr(vlapic, APIC_DEST_SELF | val, 0, true, post);
		break;
	default:
		WARN_ON_ONCE(1);
	}
}

static void vlapic_run_post(struct vlapic *vlapic, struct vlapic_post *post)
{
	vlapic_eoi_notify(vlapic, post->eoi_vector);
	if (post->send_ipi)
		vlapic_send_ipi(vlapic, post->icr_low, post->icr_dest,
				post->x2apic);
	vlapic_bus_update_map(vlapic->bus);
}

static bool vlapic_xapic_mode(struct vlapic *vlapic)
{
	return vlapic_hw_enabled(vlapic) && !vlapic_is_x2apic(vlapic);
}

/**
 * vlapic_mmio_read() - guest read in the xAPIC MMIO page.
 * @vlapic: the vLAPIC
 * @offset: offset in the page
 * @data: where to store the value
 * @len: 1, 2 or 4 bytes, within the first dword of a register slot
 *
 * Reserved offsets read as zero and set ESR bit 7; other sizes and
 * alignments read as zero. Outside xAPIC mode the page is not the APIC
 * (vlapic_mmio_enabled()); such reads return zero. Process context.
 *
 * Return: VLAPIC_ACCESS_OK (xAPIC accesses never fault).
 */
enum vlapic_access vlapic_mmio_read(struct vlapic *vlapic, u32 offset,
				    void *data, unsigned int len)
{
	u32 slot = offset & ~0xfU, sub = offset & 0xf, val = 0;
	const struct vlapic_reg_rule *rule;
	unsigned long flags;

	memset(data, 0, len);
	if (offset >= VLAPIC_MMIO_SIZE || (len != 1 && len != 2 && len != 4) ||
	    sub + len > 4)
		return VLAPIC_ACCESS_OK;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (vlapic_xapic_mode(vlapic)) {
		rule = NULL;
		if (slot < 0x400) {
			slot = vlapic_rule_slot(slot) << 4;
			rule = &vlapic_rules[slot >> 4];
		}
		if (!rule || !(rule->flags & (R | W)) || (rule->flags & X2)) {
			vlapic_stat_inc(vlapic, VLAPIC_STAT_ILLEGAL_REGISTER);
			vlapic_set_error(vlapic, APIC_ESR_ILLREGA);
		} else {
			val = vlapic_read_locked(vlapic, slot);
		}
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	val >>= sub * 8;
	memcpy(data, &val, len);
	return VLAPIC_ACCESS_OK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_mmio_read);

/**
 * vlapic_mmio_write() - guest write in the xAPIC MMIO page.
 * @vlapic: the vLAPIC
 * @offset: offset in the page
 * @data: the value
 * @len: must be 4, at a 16-byte aligned offset; anything else is ignored
 *	and counted
 *
 * Reserved offsets set ESR bit 7; read-only registers and reserved bits
 * ignore the write. Process context (may rebuild the bus's map).
 *
 * Return: VLAPIC_ACCESS_OK (xAPIC accesses never fault).
 */
enum vlapic_access vlapic_mmio_write(struct vlapic *vlapic, u32 offset,
				     const void *data, unsigned int len)
{
	struct vlapic_post post = { .eoi_vector = -1 };
	const struct vlapic_reg_rule *rule;
	unsigned long flags;
	u32 val;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (!vlapic_xapic_mode(vlapic))
		goto out;
	if (offset >= VLAPIC_MMIO_SIZE || len != 4 || (offset & 0xf)) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_BAD_MMIO);
		goto out;
	}
	memcpy(&val, data, 4);
	rule = NULL;
	if (offset < 0x400) {
		offset = vlapic_rule_slot(offset) << 4;
		rule = &vlapic_rules[offset >> 4];
	}
	if (!rule || !(rule->flags & (R | W)) || (rule->flags & X2)) {
		vlapic_stat_inc(vlapic, VLAPIC_STAT_ILLEGAL_REGISTER);
		vlapic_set_error(vlapic, APIC_ESR_ILLREGA);
		goto out;
	}
	val &= vlapic_wmask(vlapic, offset);
	/* A reserved delivery mode: the whole write is ignored. */
	if ((rule->flags & W) && vlapic_lvt_mode_valid(offset, val))
		vlapic_write_locked(vlapic, offset, val, &post);
out:
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	vlapic_run_post(vlapic, &post);
	return VLAPIC_ACCESS_OK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_mmio_write);

static enum vlapic_access vlapic_gp(struct vlapic *vlapic)
{
	vlapic_stat_inc(vlapic, VLAPIC_STAT_GP);
	return VLAPIC_ACCESS_GP;
}

/* x2APIC MSR -> rule, or NULL when the MSR is reserved. */
static const struct vlapic_reg_rule *vlapic_x2apic_rule(u32 msr, u32 *off)
{
	const struct vlapic_reg_rule *rule;

	*off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	if (*off >= 0x400)
		return NULL;
	*off = vlapic_rule_slot(*off) << 4;
	rule = &vlapic_rules[*off >> 4];
	if (!(rule->flags & (R | W)) || (rule->flags & XA))
		return NULL;
	return rule;
}

static enum vlapic_access vlapic_x2apic_read(struct vlapic *vlapic, u32 msr,
					     u64 *data)
{
	const struct vlapic_reg_rule *rule;
	u32 off;

	rule = vlapic_x2apic_rule(msr, &off);
	if (!rule || !(rule->flags & R))
		return vlapic_gp(vlapic);
	*data = vlapic_read_locked(vlapic, off);
	if (off == APIC_ICR)
		*data |= (u64)vlapic_reg(vlapic, APIC_ICR2) << 32;
	return VLAPIC_ACCESS_OK;
}

static enum vlapic_access vlapic_x2apic_write(struct vlapic *vlapic, u32 msr,
					      u64 data,
					      struct vlapic_post *post)
{
	const struct vlapic_reg_rule *rule;
	u32 off, val = lower_32_bits(data);

	rule = vlapic_x2apic_rule(msr, &off);
	if (!rule || !(rule->flags & W) || (rule->flags & X2RO))
		return vlapic_gp(vlapic);
	if (off == APIC_ICR) {
		if (val & ~ICR_LOW_MASK)
			return vlapic_gp(vlapic);
		vlapic_set_reg(vlapic, APIC_ICR2, upper_32_bits(data));
		vlapic_set_reg(vlapic, APIC_ICR, val);
		vlapic_send_icr(vlapic, val, upper_32_bits(data), true, post);
		return VLAPIC_ACCESS_OK;
	}
	if (upper_32_bits(data) ||
	    (val & ~(vlapic_wmask(vlapic, off) | rule->romask)))
		return vlapic_gp(vlapic);
	/* Architecturally zero-only: EOI and ESR (SDM table 10-6). */
	if ((off == APIC_EOI || off == APIC_ESR) && val)
		return vlapic_gp(vlapic);
	if (off == APIC_LVTT &&
	    (val & APIC_LVT_TIMER_TSCDEADLINE) && (val & APIC_LVT_TIMER_PERIODIC))
		return vlapic_gp(vlapic);	/* timer mode 3 is reserved */
	if (!vlapic_lvt_mode_valid(off, val))
		return vlapic_gp(vlapic);	/* reserved delivery mode */
	vlapic_write_locked(vlapic, off, val & ~rule->romask, post);
	return VLAPIC_ACCESS_OK;
}

/**
 * vlapic_x2apic_ldr() - the x2APIC LDR an x2APIC ID implies.
 * @id: x2APIC ID
 *
 * SDM 10.12.10.2: the logical ID is derived, read-only.
 *
 * Return: (cluster << 16) | (1 << (id & 0xf)), cluster = id >> 4.
 */
u32 vlapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_x2apic_ldr);

/* IA32_APIC_BASE bits software may set. */
static u64 vlapic_base_valid_bits(struct vlapic *vlapic)
{
	u64 valid = VLAPIC_BASE_ADDR_MASK | VLAPIC_BASE_ENABLE | VLAPIC_BASE_BSP;

	if (vlapic_cfg(vlapic)->x2apic)
		valid |= VLAPIC_BASE_X2APIC;
	return valid;
}

/**
 * vlapic_set_apic_base_locked() - write IA32_APIC_BASE.
 * @vlapic: the vLAPIC (lock held)
 * @val: the new value
 * @host: a write by the VMM (may set BSP, any mode transition) rather
 *	than a guest WRMSR (BSP is read-only to the guest)
 *
 * Legal transitions for the guest (SDM 10.12.5): disabled -> xAPIC,
 * xAPIC -> x2APIC, any -> disabled. x2APIC -> xAPIC, disabled -> x2APIC,
 * and EXTD without EN raise #GP. The VMM may also make the two the guest
 * may not (as KVM's host-initiated writes), not EXTD without EN.
 * Disabling resets the APIC to its power-up state (ID and BSP kept) and
 * takes it off the bus, but is not an INIT: the CPU keeps running (MP
 * state and pending events unchanged). Entering x2APIC mode makes the ID
 * the 32-bit x2APIC ID and derives LDR from it. Relocating the xAPIC base
 * is supported: vlapic_mmio_base() reports where the page is.
 *
 * Return: VLAPIC_ACCESS_OK or VLAPIC_ACCESS_GP (nothing changed).
 */
enum vlapic_access vlapic_set_apic_base_locked(struct vlapic *vlapic, u64 val,
					       bool host)
{
	u64 old = vlapic->apic_base;
	bool en = val & VLAPIC_BASE_ENABLE, x2 = val & VLAPIC_BASE_X2APIC;
	bool old_en = old & VLAPIC_BASE_ENABLE;
	bool old_x2 = old & VLAPIC_BASE_X2APIC;

	lockdep_assert_held(&vlapic->lock);
	/* Refusals of the VMM's writes are its error, not a guest #GP. */
	if ((val & ~vlapic_base_valid_bits(vlapic)) || (x2 && !en))
		return host ? VLAPIC_ACCESS_GP : vlapic_gp(vlapic);
	if (!host && en && x2 && !old_en)
		return vlapic_gp(vlapic);
	if (!host && en && !x2 && old_x2)
		return vlapic_gp(vlapic);
	if (!host)
		val = (val & ~VLAPIC_BASE_BSP) | (old & VLAPIC_BASE_BSP);

	vlapic->apic_base = val;
	if (old_en && !en) {
		/* The APIC resets; the CPU keeps running (not an INIT). */
		vlapic_reset_locked(vlapic, VLAPIC_RESET_DISABLE);
		vlapic->apic_base = val;
	}
	if (x2 && !old_x2) {
		vlapic_set_reg(vlapic, APIC_ID, vlapic->initial_id);
		vlapic_set_reg(vlapic, APIC_LDR,
			       vlapic_x2apic_ldr(vlapic->initial_id));
	} else if (!x2 && old_x2) {
		vlapic_set_reg(vlapic, APIC_ID, vlapic->initial_id << 24);
		vlapic_set_reg(vlapic, APIC_LDR, 0);
	}
	if (val != old)
		vlapic_bus_mark_dirty(vlapic->bus);
	return VLAPIC_ACCESS_OK;
}

/**
 * vlapic_set_apic_base() - IA32_APIC_BASE written by the VMM.
 * @vlapic: the vLAPIC
 * @val: the new value
 *
 * The host-initiated write of SET_SREGS and SET_MSRS (a state restore, a
 * reset by the VMM): any mode may follow any other, x2APIC -> xAPIC and
 * disabled -> x2APIC included, and the BSP flag is taken from @val; only
 * reserved bits and EXTD without EN are refused, with nothing changed
 * and no guest #GP counted. Process context.
 *
 * Return: 0 or -EINVAL.
 */
int vlapic_set_apic_base(struct vlapic *vlapic, u64 val)
{
	enum vlapic_access ret;
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	ret = vlapic_set_apic_base_locked(vlapic, val, true);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	return ret == VLAPIC_ACCESS_OK ? 0 : -EINVAL;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_set_apic_base);

/**
 * vlapic_owns_msr() - whether an MSR belongs to the vLAPIC.
 * @msr: MSR index
 *
 * Return: true for IA32_APIC_BASE, IA32_TSC_DEADLINE and 0x800-0x8ff.
 */
bool vlapic_owns_msr(u32 msr)
{
	return msr == VLAPIC_MSR_APIC_BASE || msr == VLAPIC_MSR_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_owns_msr);

/**
 * vlapic_msr_read() - guest RDMSR of a vLAPIC MSR.
 * @vlapic: the vLAPIC
 * @msr: IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC MSR
 * @data: the value read
 *
 * x2APIC MSRs fault unless the APIC is in x2APIC mode; IA32_TSC_DEADLINE
 * faults unless the TSC-deadline timer is offered.
 *
 * Return: VLAPIC_ACCESS_OK or VLAPIC_ACCESS_GP.
 */
enum vlapic_access vlapic_msr_read(struct vlapic *vlapic, u32 msr, u64 *data)
{
	enum vlapic_access ret = VLAPIC_ACCESS_OK;
	unsigned long flags;

	*data = 0;
	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (msr == VLAPIC_MSR_APIC_BASE) {
		*data = vlapic->apic_base;
	} else if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (!vlapic_cfg(vlapic)->tsc_deadline)
			ret = vlapic_gp(vlapic);
		else
			*data = vlapic_timer_read_deadline(vlapic);
	} else if (msr >= VLAPIC_MSR_X2APIC_FIRST &&
		   msr <= VLAPIC_MSR_X2APIC_LAST && vlapic_is_x2apic(vlapic)) {
		ret = vlapic_x2apic_read(vlapic, msr, data);
	} else {
		ret = vlapic_gp(vlapic);
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_msr_read);

/**
 * vlapic_msr_write() - guest WRMSR of a vLAPIC MSR.
 * @vlapic: the vLAPIC
 * @msr: IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC MSR
 * @data: the value written
 *
 * Process context (may rebuild the bus's map).
 *
 * Return: VLAPIC_ACCESS_OK or VLAPIC_ACCESS_GP (nothing changed).
 */
enum vlapic_access vlapic_msr_write(struct vlapic *vlapic, u32 msr, u64 data)
{
	struct vlapic_post post = { .eoi_vector = -1 };
	enum vlapic_access ret = VLAPIC_ACCESS_OK;
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	if (msr == VLAPIC_MSR_APIC_BASE) {
		ret = vlapic_set_apic_base_locked(vlapic, data, false);
	} else if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (!vlapic_cfg(vlapic)->tsc_deadline)
			ret = vlapic_gp(vlapic);
		else if (vlapic_hw_enabled(vlapic))
			vlapic_timer_write_deadline(vlapic, data);
	} else if (msr >= VLAPIC_MSR_X2APIC_FIRST &&
		   msr <= VLAPIC_MSR_X2APIC_LAST && vlapic_is_x2apic(vlapic)) {
		ret = vlapic_x2apic_write(vlapic, msr, data, &post);
	} else {
		ret = vlapic_gp(vlapic);
	}
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
	vlapic_run_post(vlapic, &post);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_msr_write);

/**
 * vlapic_mmio_base() - guest-physical address of the xAPIC page.
 * @vlapic: the vLAPIC
 *
 * Return: IA32_APIC_BASE[51:12], wherever the guest relocated it.
 */
u64 vlapic_mmio_base(struct vlapic *vlapic)
{
	return READ_ONCE(vlapic->apic_base) & VLAPIC_BASE_ADDR_MASK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_mmio_base);

/**
 * vlapic_mmio_enabled() - whether the xAPIC page decodes accesses.
 * @vlapic: the vLAPIC
 *
 * Return: true in xAPIC mode; false when disabled or in x2APIC mode (the
 * VMM then treats the page as ordinary memory).
 */
bool vlapic_mmio_enabled(struct vlapic *vlapic)
{
	u64 base = READ_ONCE(vlapic->apic_base);

	return (base & VLAPIC_BASE_ENABLE) && !(base & VLAPIC_BASE_X2APIC);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_mmio_enabled);

/**
 * vlapic_get_cr8() - CR8 as the guest reads it.
 * @vlapic: the vLAPIC
 *
 * Return: TPR[7:4].
 */
u8 vlapic_get_cr8(struct vlapic *vlapic)
{
	return (READ_ONCE(*(u32 *)(vlapic->regs + APIC_TASKPRI)) >> 4) & 0xf;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_get_cr8);

/**
 * vlapic_set_cr8() - a guest MOV to CR8.
 * @vlapic: the vLAPIC
 * @cr8: bits 3:0 become TPR[7:4]; TPR[3:0] become zero
 */
void vlapic_set_cr8(struct vlapic *vlapic, u8 cr8)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	vlapic_set_tpr_locked(vlapic, (cr8 & 0xf) << 4);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_set_cr8);
