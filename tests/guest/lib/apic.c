// SPDX-License-Identifier: GPL-2.0
/* Local APIC accessors for xAPIC (MMIO) and x2APIC (MSR) mode. */
#include "apic.h"
#include "smp.h"

u64 xapic_base = APIC_DEFAULT_BASE;

bool apic_x2apic_mode(void)
{
	return this_cpu()->x2apic;
}

u32 apic_read(u32 reg)
{
	if (apic_x2apic_mode())
		return rdmsr(X2APIC_MSR(reg));
	return xapic_read(reg);
}

void apic_write(u32 reg, u32 v)
{
	if (apic_x2apic_mode())
		wrmsr(X2APIC_MSR(reg), v);
	else
		xapic_write(reg, v);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

u32 apic_id(void)
{
	if (apic_x2apic_mode())
		return rdmsr(X2APIC_MSR(APIC_ID));
	return xapic_read(APIC_ID) >> 24;
}

bool apic_icr_wait_idle(void)
{
	if (apic_x2apic_mode())
		return true;
	return wait_for(!(xapic_read(APIC_ICR) & APIC_ICR_BUSY));
}

void apic_send_ipi(u32 dest, u32 icr)
{
	if (apic_x2apic_mode()) {
		wrmsr(X2APIC_MSR(APIC_ICR), ((u64)dest << 32) | icr);
		return;
	}
	apic_icr_wait_idle();
	xapic_write(APIC_ICR2, dest << 24);
	xapic_write(APIC_ICR, icr);
	apic_icr_wait_idle();
}

u64 apic_icr_read(void)
{
	if (apic_x2apic_mode())
		return rdmsr(X2APIC_MSR(APIC_ICR));
	return xapic_read(APIC_ICR) | ((u64)xapic_read(APIC_ICR2) << 32);
}

static bool reg_bit(u32 base, unsigned int vec)
{
	return apic_read(base + (vec / 32) * 0x10) & BIT(vec % 32);
}

bool apic_irr(unsigned int vec)
{
	return reg_bit(APIC_IRR, vec);
}

bool apic_isr(unsigned int vec)
{
	return reg_bit(APIC_ISR, vec);
}

bool apic_tmr(unsigned int vec)
{
	return reg_bit(APIC_TMR, vec);
}

static int highest(u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 v = apic_read(base + i * 0x10);

		if (v)
			return i * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}

int apic_highest_irr(void)
{
	return highest(APIC_IRR);
}

int apic_highest_isr(void)
{
	return highest(APIC_ISR);
}

void apic_drain_isr(void)
{
	int n;

	for (n = 0; n < 256 && apic_highest_isr() >= 0; n++)
		apic_eoi();
}

int apic_set_base_msr(u64 v)
{
	int vec = wrmsr_safe(MSR_APIC_BASE, v);

	this_cpu()->x2apic = (rdmsr(MSR_APIC_BASE) &
			      (APIC_BASE_EN | APIC_BASE_EXTD)) ==
			     (APIC_BASE_EN | APIC_BASE_EXTD);
	return vec;
}

void apic_setup_xapic(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_EXTD)
		apic_set_base_msr(base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		apic_set_base_msr(base | APIC_BASE_EN);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR_DEFAULT);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT1, APIC_LVT_MASKED);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_write(APIC_LVTPC, APIC_LVT_MASKED);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
}

void apic_enter_x2apic(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	apic_set_base_msr(base | APIC_BASE_EN | APIC_BASE_EXTD);
}
