/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC access for the current CPU: xAPIC MMIO at xapic_base (the
 * default 0xfee00000 unless a test relocates it) or, once the CPU is in
 * x2APIC mode (struct cpu x2apic), MSR 0x800 + offset / 16. Register
 * names are xAPIC offsets.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include "x86.h"

#define APIC_DEFAULT_BASE	0xfee00000UL

#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_APR	0x90
#define APIC_PPR	0xa0
#define APIC_EOI	0xb0
#define APIC_RRR	0xc0
#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_SVR	0xf0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_LVT_CMCI	0x2f0
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0	/* x2APIC only */

#define SPURIOUS_VECTOR_DEFAULT	0xff

#define X2APIC_MSR(reg)	(0x800 + ((reg) >> 4))

#define APIC_SVR_ENABLE		BIT(8)
#define APIC_SVR_NO_BCAST	BIT(12)
#define APIC_LVT_MASKED		BIT(16)
#define APIC_LVT_LEVEL		BIT(15)
#define APIC_LVT_REMOTE_IRR	BIT(14)
#define APIC_LVT_PENDING	BIT(12)
#define APIC_LVT_NMI		(4 << 8)
#define APIC_TIMER_ONESHOT	0
#define APIC_TIMER_PERIODIC	BIT(17)
#define APIC_TIMER_DEADLINE	BIT(18)

#define APIC_DM_FIXED		0x000
#define APIC_DM_LOWEST		0x100
#define APIC_DM_SMI		0x200
#define APIC_DM_NMI		0x400
#define APIC_DM_INIT		0x500
#define APIC_DM_SIPI		0x600
#define APIC_DEST_LOGICAL	0x800
#define APIC_ICR_BUSY		0x1000
#define APIC_INT_ASSERT		0x4000
#define APIC_INT_LEVEL		0x8000
#define APIC_SH_SELF		0x40000
#define APIC_SH_ALL		0x80000
#define APIC_SH_OTHERS		0xc0000

#define ESR_SEND_ILLEGAL_VEC	BIT(5)
#define ESR_RECV_ILLEGAL_VEC	BIT(6)
#define ESR_ILLEGAL_REG		BIT(7)

extern u64 xapic_base;

static inline u32 xapic_read(u32 reg)
{
	return *(u32 *)(xapic_base + reg);
}

static inline void xapic_write(u32 reg, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(xapic_base + reg)
		     : "memory");
}

u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 v);
void apic_eoi(void);
u32 apic_id(void);
bool apic_x2apic_mode(void);

/*
 * Sends an IPI: @icr is the low ICR word (vector, delivery mode, level,
 * trigger, shorthand), @dest the destination (xAPIC: 8 bits into ICR2,
 * x2APIC: 32 bits). Waits for the xAPIC delivery status to clear.
 */
void apic_send_ipi(u32 dest, u32 icr);
u64 apic_icr_read(void);
bool apic_icr_wait_idle(void);

/* Bit @vec of the IRR, ISR or TMR. */
bool apic_irr(unsigned int vec);
bool apic_isr(unsigned int vec);
bool apic_tmr(unsigned int vec);
/* The highest vector set in the IRR or ISR, -1 when none. */
int apic_highest_irr(void);
int apic_highest_isr(void);

/*
 * Puts this CPU's APIC in xAPIC mode (from x2APIC through disabled when
 * needed), software enabled with spurious vector 0xff, TPR 0, LINT0, LINT1,
 * timer, error and performance LVTs masked, timer stopped, ESR cleared.
 */
void apic_setup_xapic(void);
/* Switches this CPU from xAPIC to x2APIC mode (IA32_APIC_BASE EXTD). */
void apic_enter_x2apic(void);
/* Writes IA32_APIC_BASE and updates this CPU's mode; vector or 0. */
int apic_set_base_msr(u64 v);
/* Acknowledges every vector in service (EOI until the ISR is empty). */
void apic_drain_isr(void);

#endif
