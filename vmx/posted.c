// SPDX-License-Identifier: GPL-2.0
/*
 * VMX posted-interrupt descriptor (SDM vol. 3 "Posted-Interrupt
 * Processing"): posting, syncing into IRR, notification suppression, and
 * the rule that decides whether a post must notify or wake the vCPU.
 *
 * Concurrency: any number of posters (other CPUs, hard interrupts, the
 * IOMMU, the vCPU itself) race with one syncer (the vCPU thread, with the
 * vLAPIC's lock held) and with the CPU's own posted-interrupt processing.
 * Every store to @pir and to the ON/SN bits is an atomic read-modify-write
 * (full barrier on x86); NV/NDST change by cmpxchg of the control word.
 * The orderings that make a post impossible to lose are stated where the
 * stores are.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/stddef.h>

#include <vlapic/export.h>
#include <vlapic/vmx.h>

static void __maybe_unused vmx_pi_layout_check(void)
{
	/* SDM: PIR bits 255:0, ON 256, SN 257, NV 279:272, NDST 319:288. */
	BUILD_BUG_ON(sizeof(struct vmx_pi_desc) != 64);
	BUILD_BUG_ON(__alignof__(struct vmx_pi_desc) != 64);
	BUILD_BUG_ON(sizeof(unsigned long) != 8);
	BUILD_BUG_ON(offsetof(struct vmx_pi_desc, pir) != 0);
	BUILD_BUG_ON(offsetof(struct vmx_pi_desc, control) * 8 != 256);
	BUILD_BUG_ON(offsetof(struct vmx_pi_desc, nv) * 8 != 272);
	BUILD_BUG_ON(offsetof(struct vmx_pi_desc, ndst) * 8 != 288);
	BUILD_BUG_ON(VMX_PI_NV_SHIFT != 272 - 256);
	BUILD_BUG_ON(VMX_PI_NDST_SHIFT != 288 - 256);
}

/**
 * vmx_pi_post() - post @vector in the descriptor.
 * @pi: the target vCPU's descriptor.
 * @vector: the vector to request.
 *
 * Sets the PIR bit, then ON unless SN is set (VT-d semantics: a
 * suppressed post leaves ON clear; vmx_pi_clear_sn() sets it later).
 * Any context.
 *
 * Return: VMX_PI_POST_* bits, for vmx_pi_post_action().
 */
unsigned int vmx_pi_post(struct vmx_pi_desc *pi, u8 vector)
{
	unsigned int ret = 0;

	/*
	 * PIR bit first, ON second, both fully ordered: whoever clears ON
	 * (a sync, the CPU) reads the PIR after, so it sees this bit; and
	 * vmx_pi_clear_sn() clears SN before reading the PIR, so either it
	 * sees this bit or this post sees SN clear.
	 */
	if (!test_and_set_bit(vector, pi->pir))
		ret |= VMX_PI_POST_NEW;
	if (test_bit(VMX_PI_SN, &pi->control))
		return ret | VMX_PI_POST_SN;
	if (!test_and_set_bit(VMX_PI_ON, &pi->control))
		ret |= VMX_PI_POST_SET_ON;
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_post);

/**
 * vmx_pi_post_action() - what a poster must do so the post is not lost.
 * @post: the return value of vmx_pi_post().
 * @mode: where the vCPU is, read after the post.
 * @vector: the vector posted.
 * @ppr: the vCPU's PPR (a lock-free snapshot is enough: the PPR of a
 *	halted vCPU does not change until it runs).
 *
 * Seed 004: a vector deliverable above PPR always notifies a running vCPU
 * and wakes a halted one, whatever was already pending. Suppression is
 * only taken where it cannot lose a wake-up:
 * - in guest, a non-deliverable vector with ON already set (not by this
 *   post, and SN clear): the notification that set ON is still
 *   unprocessed (processing clears ON first), and it moves this vector
 *   into VIRR with the others;
 * - in host: the vCPU syncs the PIR before its next entry, and its halt
 *   check reads the PIR;
 * - halted, vector not deliverable: the halt check would put the vCPU
 *   straight back to sleep. SN and ON never suppress a wake.
 *
 * Return: the action for the poster.
 */
enum vmx_pi_action vmx_pi_post_action(unsigned int post,
				      enum vmx_pi_vcpu_mode mode, u8 vector,
				      u8 ppr)
{
	bool deliverable = apicv_deliverable(vector, ppr);

	switch (mode) {
	case VMX_PI_IN_GUEST:
		/* ON was already set by an earlier post: it notified. */
		if (!deliverable &&
		    !(post & (VMX_PI_POST_SET_ON | VMX_PI_POST_SN)))
			return VMX_PI_NONE;
		return VMX_PI_NOTIFY;
	case VMX_PI_IN_HOST:
		return VMX_PI_NONE;
	case VMX_PI_HALTED:
		return deliverable ? VMX_PI_WAKE : VMX_PI_NONE;
	}
	WARN_ON_ONCE(1);
	/* Unknown mode: a spurious wake is harmless, a lost one is not. */
	return VMX_PI_WAKE;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_post_action);

/**
 * vmx_pi_sync() - move posted vectors into IRR.
 * @pi: the descriptor.
 * @irr: APICV_VEC_WORDS words in the IRR layout; posted vectors are ORed in.
 *
 * Clears ON, then takes each PIR word with an atomic exchange, so a vector
 * is moved exactly once even against concurrent posters and the CPU.
 * Called by the vCPU's owner with the vLAPIC's lock held.
 *
 * Return: true if any vector was moved.
 */
bool vmx_pi_sync(struct vmx_pi_desc *pi, u32 *irr)
{
	bool any = false;
	int i;

	/*
	 * ON before the PIR: a post that lands after the exchange below sets
	 * ON again (and notifies); one that lands before is taken here.
	 * Vectors posted with SN set have ON clear: the words are always
	 * read, ON is not a shortcut.
	 */
	clear_bit(VMX_PI_ON, &pi->control);
	/* ON cleared before the PIR is read: pairs with vmx_pi_post(). */
	smp_mb__after_atomic();
	for (i = 0; i < ARRAY_SIZE(pi->pir); i++) {
		unsigned long w;

		if (!READ_ONCE(pi->pir[i]))
			continue;
		w = xchg(&pi->pir[i], 0);
		irr[2 * i] |= lower_32_bits(w);
		irr[2 * i + 1] |= upper_32_bits(w);
		any |= w != 0;
	}
	return any;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_sync);

/**
 * vmx_pi_purge() - discard every posted vector and ON.
 * @pi: the descriptor.
 *
 * For the state_reset hook: RESET, INIT and state restore purge the
 * posted state before the new registers are loaded, never after, so a
 * vector posted by the restore itself (an already expired timer) stays.
 */
void vmx_pi_purge(struct vmx_pi_desc *pi)
{
	int i;

	clear_bit(VMX_PI_ON, &pi->control);
	/* As in vmx_pi_sync(): ON cleared before the PIR is emptied. */
	smp_mb__after_atomic();
	for (i = 0; i < ARRAY_SIZE(pi->pir); i++)
		xchg(&pi->pir[i], 0);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_purge);

/**
 * vmx_pi_set_sn() - suppress notifications (vCPU preempted, not halted).
 * @pi: the descriptor.
 */
void vmx_pi_set_sn(struct vmx_pi_desc *pi)
{
	set_bit(VMX_PI_SN, &pi->control);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_set_sn);

/**
 * vmx_pi_clear_sn() - allow notifications again and recompute ON.
 * @pi: the descriptor.
 *
 * Posts made while SN was set left ON clear. KVM once cleared SN without
 * looking at the PIR and lost them until an unrelated post; here ON is set
 * again whenever the PIR is not empty.
 *
 * Return: true if this call set ON: the caller must send the notification
 * (or sync the PIR before the next entry).
 */
bool vmx_pi_clear_sn(struct vmx_pi_desc *pi)
{
	int i;

	clear_bit(VMX_PI_SN, &pi->control);
	/* SN cleared before the PIR is read: pairs with vmx_pi_post(). */
	smp_mb__after_atomic();
	for (i = 0; i < ARRAY_SIZE(pi->pir); i++)
		if (READ_ONCE(pi->pir[i]))
			return !test_and_set_bit(VMX_PI_ON, &pi->control);
	return false;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_clear_sn);

/**
 * vmx_pi_test_on() - ON bit.
 * @pi: the descriptor.
 *
 * Return: whether a notification is outstanding.
 */
bool vmx_pi_test_on(const struct vmx_pi_desc *pi)
{
	return test_bit(VMX_PI_ON, &pi->control);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_test_on);

/**
 * vmx_pi_test_sn() - SN bit.
 * @pi: the descriptor.
 *
 * Return: whether notifications are suppressed.
 */
bool vmx_pi_test_sn(const struct vmx_pi_desc *pi)
{
	return test_bit(VMX_PI_SN, &pi->control);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_test_sn);

/**
 * vmx_pi_highest() - highest vector pending in the PIR (a snapshot).
 * @pi: the descriptor.
 *
 * Return: the vector, -1 if the PIR is empty.
 */
int vmx_pi_highest(const struct vmx_pi_desc *pi)
{
	int i;

	for (i = ARRAY_SIZE(pi->pir) - 1; i >= 0; i--) {
		unsigned long w = READ_ONCE(pi->pir[i]);

		if (w)
			return i * BITS_PER_LONG + __fls(w);
	}
	return -1;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_highest);

/**
 * vmx_pi_ndst() - NDST value for a physical APIC ID.
 * @apic_id: the physical CPU's APIC ID.
 * @x2apic: the host runs in x2APIC mode.
 *
 * Return: the ID in bits 15:8 (xAPIC) or the whole 32-bit x2APIC ID.
 */
u32 vmx_pi_ndst(u32 apic_id, bool x2apic)
{
	return x2apic ? apic_id : (apic_id & 0xff) << 8;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_ndst);

/**
 * vmx_pi_set_notification() - set NV and NDST, keeping ON and SN.
 * @pi: the descriptor.
 * @nv: notification vector (a host vector: running or wake-up).
 * @ndst: destination, from vmx_pi_ndst().
 *
 * Called by the vCPU thread when it changes physical CPU or blocks.
 */
void vmx_pi_set_notification(struct vmx_pi_desc *pi, u8 nv, u32 ndst)
{
	unsigned long old, new;

	old = READ_ONCE(pi->control);
	do {
		new = old & (BIT(VMX_PI_ON) | BIT(VMX_PI_SN));
		new |= (unsigned long)nv << VMX_PI_NV_SHIFT;
		new |= (unsigned long)ndst << VMX_PI_NDST_SHIFT;
	} while (!try_cmpxchg(&pi->control, &old, new));
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_pi_set_notification);

/**
 * vmx_halt_has_deliverable() - whether a vCPU about to halt must not.
 * @pi: its descriptor (posted, not yet synced).
 * @irr: its IRR, APICV_VEC_WORDS words.
 * @rvi: RVI of its guest interrupt status (0 when none or VID off).
 * @ppr: its PPR.
 *
 * The vCPU publishes VMX_PI_HALTED with a full barrier before calling
 * this; a poster posts before reading the mode; so either this sees the
 * post or the poster sees the halt and applies vmx_pi_post_action().
 *
 * Return: true if the highest of PIR, IRR and RVI is deliverable at @ppr.
 */
bool vmx_halt_has_deliverable(const struct vmx_pi_desc *pi, const u32 *irr,
			      u8 rvi, u8 ppr)
{
	return apicv_deliverable(vmx_pi_highest(pi), ppr) ||
	       apicv_deliverable(apicv_find_highest(irr), ppr) ||
	       apicv_deliverable(rvi, ppr);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_halt_has_deliverable);
