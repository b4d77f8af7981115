/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-vLAPIC counters. Updated under the vLAPIC's lock, so they are exact;
 * read without it they are a snapshot. Each has a name in
 * vlapic_stat_names[] (lapic/stats.c; a KUnit case checks none is missing).
 */
#ifndef _VLAPIC_STATS_H
#define _VLAPIC_STATS_H

#include <linux/types.h>

enum vlapic_stat_id {
	VLAPIC_STAT_FIXED_ACCEPTED,	/* fixed/lowest-priority set in IRR */
	VLAPIC_STAT_FIXED_COALESCED,	/* ... already pending in IRR */
	VLAPIC_STAT_DROPPED_SW_DISABLED, /* fixed dropped: SVR bit 8 clear */
	VLAPIC_STAT_RX_ILLEGAL_VECTOR,	/* received vector 0-15 (ESR bit 6) */
	VLAPIC_STAT_TX_ILLEGAL_VECTOR,	/* sent vector 0-15 (ESR bit 5) */
	VLAPIC_STAT_ILLEGAL_REGISTER,	/* xAPIC reserved offset (ESR bit 7) */
	VLAPIC_STAT_ACKED,		/* IRR -> ISR */
	VLAPIC_STAT_EOI,
	VLAPIC_STAT_EOI_BROADCAST,	/* level EOI told to the IOAPIC */
	VLAPIC_STAT_SPURIOUS_EOI,	/* EOI with ISR empty */
	VLAPIC_STAT_NMI,
	VLAPIC_STAT_SMI,
	VLAPIC_STAT_INIT,
	VLAPIC_STAT_SIPI,
	VLAPIC_STAT_SIPI_IGNORED,	/* not waiting for SIPI */
	VLAPIC_STAT_EXTINT,
	VLAPIC_STAT_IPI_SENT,		/* ICR or SELF IPI writes */
	VLAPIC_STAT_TIMER_FIRED,
	VLAPIC_STAT_TIMER_RESYNC,	/* periodic lagged >= 1 period */
	VLAPIC_STAT_TIMER_STALE,	/* expiry callback with nothing due */
	VLAPIC_STAT_ERROR_LVT,		/* error interrupts raised */
	VLAPIC_STAT_GP,			/* accesses answered with #GP */
	VLAPIC_STAT_BAD_MMIO,		/* misaligned/wrongly sized, ignored */
	/*
	 * Acknowledged vectors by priority class (vector >> 4), 0 .. 15
	 * (class 0 stays zero: vectors 0-15 are never accepted).
	 */
	VLAPIC_STAT_ACKED_CLASS0,
	VLAPIC_STAT_ACKED_CLASS_LAST = VLAPIC_STAT_ACKED_CLASS0 + 15,
	VLAPIC_NR_STATS
};

struct vlapic_stats {
	u64 v[VLAPIC_NR_STATS];
};

extern const char *const vlapic_stat_names[VLAPIC_NR_STATS];

struct vlapic;
u64 vlapic_stat(struct vlapic *vlapic, enum vlapic_stat_id id);

#endif /* _VLAPIC_STATS_H */
