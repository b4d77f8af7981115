/* SPDX-License-Identifier: GPL-2.0 */
/*
 * APIC virtualization: what the VMX (vmx/) and SVM (svm/) backends share.
 *
 * The backends' decision code never reads the vLAPIC: it is given the few
 * values an entry or an exit depends on in a struct apicv_intr_state and
 * returns the fields to program. The rules and the invariants behind them
 * are in docs/apicv.md.
 *
 * Vector sets (IRR, ISR, TMR, PIR, EOI-exit bitmap) are passed as eight
 * 32-bit words, word n holding vectors 32n to 32n + 31: the IRR layout of
 * struct vlapic_ops::sync_pir, without the register page's 16-byte stride.
 */
#ifndef _VLAPIC_APICV_H
#define _VLAPIC_APICV_H

#include <linux/bitops.h>
#include <linux/types.h>

#define APICV_NR_VECTORS	256
#define APICV_VEC_WORDS		(APICV_NR_VECTORS / 32)

/**
 * struct apicv_intr_state - the vLAPIC state an interrupt decision needs.
 * @max_irr: highest vector requested (IRR, including posted vectors
 *	already synced), -1 if none.
 * @max_isr: highest vector in service (ISR), -1 if none.
 * @tpr: the task-priority register (8 bits; CR8 is @tpr >> 4).
 */
struct apicv_intr_state {
	int max_irr;
	int max_isr;
	u8 tpr;
};

/* Priority class of a vector or of a priority register: bits 7:4. */
static inline u8 apicv_class(u8 v)
{
	return v >> 4;
}

/**
 * apicv_ppr() - processor priority from TPR and the highest in-service
 *	vector (SDM vol. 3 "Processor Priority Register").
 * @tpr: TPR.
 * @max_isr: highest ISR vector, -1 if none.
 *
 * Return: TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4.
 */
static inline u8 apicv_ppr(u8 tpr, int max_isr)
{
	u8 isrv = max_isr < 0 ? 0 : (u8)max_isr;

	if (apicv_class(tpr) >= apicv_class(isrv))
		return tpr;
	return isrv & 0xf0;
}

/**
 * apicv_deliverable() - whether @vector would be delivered at @ppr.
 * @vector: a requested vector, or -1 for none.
 * @ppr: processor priority.
 *
 * Return: true if @vector's class is above the class of @ppr.
 */
static inline bool apicv_deliverable(int vector, u8 ppr)
{
	return vector >= 0 && apicv_class((u8)vector) > apicv_class(ppr);
}

/**
 * apicv_find_highest() - highest vector in a vector set.
 * @words: APICV_VEC_WORDS words, IRR layout.
 *
 * Return: the highest vector set, -1 if none.
 */
static inline int apicv_find_highest(const u32 *words)
{
	int i;

	for (i = APICV_VEC_WORDS - 1; i >= 0; i--) {
		u32 w = READ_ONCE(words[i]);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

static inline bool apicv_vec_test(const u32 *words, u8 vector)
{
	return words[vector / 32] & BIT(vector % 32);
}

static inline void apicv_vec_set(u32 *words, u8 vector)
{
	words[vector / 32] |= BIT(vector % 32);
}

static inline void apicv_vec_clear(u32 *words, u8 vector)
{
	words[vector / 32] &= ~BIT(vector % 32);
}

#endif /* _VLAPIC_APICV_H */
