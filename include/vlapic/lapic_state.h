/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of a vLAPIC state before restore: one reason per rejection,
 * so that callers and tests can tell them apart. vlapic_set_state()
 * returns -EINVAL for any of them and changes nothing.
 */
#ifndef _VLAPIC_LAPIC_STATE_H
#define _VLAPIC_LAPIC_STATE_H

#include <vlapic/lapic.h>

enum vlapic_state_error {
	VLAPIC_STATE_OK = 0,
	VLAPIC_STATE_BAD_FLAGS,		/* flags != 0 */
	VLAPIC_STATE_BAD_RESERVED,	/* pad or reserved != 0 */
	/* reserved bits, EXTD without EN or without x2APIC support */
	VLAPIC_STATE_BAD_APIC_BASE,
	/* x2APIC: not the vCPU's x2APIC ID; xAPIC: bits 23:0 set */
	VLAPIC_STATE_BAD_ID,
	VLAPIC_STATE_BAD_X2APIC_LDR,	/* x2APIC LDR not derived from the ID */
	VLAPIC_STATE_BAD_LDR,		/* xAPIC LDR bits 23:0 set */
	VLAPIC_STATE_BAD_DFR,		/* bits 27:0 not all ones */
	VLAPIC_STATE_BAD_VERSION,	/* not this vLAPIC's version register */
	VLAPIC_STATE_BAD_TPR,		/* bits 31:8 set */
	VLAPIC_STATE_BAD_SVR,		/* reserved bits set */
	VLAPIC_STATE_BAD_ESR,		/* error bits no vLAPIC reports */
	/* reserved bits, delivery status or a reserved delivery mode */
	VLAPIC_STATE_BAD_LVT,
	/* deadline mode (10b, 11b) not offered, or a deadline outside 10b */
	VLAPIC_STATE_BAD_TIMER_MODE,
	VLAPIC_STATE_BAD_DCR,		/* reserved divide bits */
	VLAPIC_STATE_BAD_TIMER_COUNT,	/* current count > initial count */
	VLAPIC_STATE_BAD_VECTOR,	/* vector 0-15 in IRR, ISR or TMR */
	VLAPIC_STATE_BAD_EVENTS,	/* unknown pending-event bits */
	VLAPIC_STATE_BAD_MP_STATE,	/* unknown MP state */
	VLAPIC_STATE_BAD_LINT,		/* unknown LINT level bits */
	/* ICR reserved bits; xAPIC: ICR2 bits 23:0 */
	VLAPIC_STATE_BAD_ICR,
};

enum vlapic_state_error vlapic_validate_state(struct vlapic *vlapic,
					      const struct vlapic_lapic_state *s);

#endif /* _VLAPIC_LAPIC_STATE_H */
