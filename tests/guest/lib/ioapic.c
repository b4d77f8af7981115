// SPDX-License-Identifier: GPL-2.0
#include "ioapic.h"

#define PC_TESTDEV_IRQ	0x2000

static u32 *ioapic_reg(unsigned int off)
{
	return (u32 *)(IOAPIC_BASE + off);
}

u32 ioapic_read(u32 reg)
{
	WRITE_ONCE(*ioapic_reg(0x00), reg);
	return READ_ONCE(*ioapic_reg(0x10));
}

void ioapic_write(u32 reg, u32 v)
{
	WRITE_ONCE(*ioapic_reg(0x00), reg);
	WRITE_ONCE(*ioapic_reg(0x10), v);
}

u64 ioapic_redir_read(unsigned int pin)
{
	u32 lo = ioapic_read(IOAPIC_REG_REDIR(pin));
	u32 hi = ioapic_read(IOAPIC_REG_REDIR(pin) + 1);

	return lo | ((u64)hi << 32);
}

void ioapic_redir_write(unsigned int pin, u64 v)
{
	/* The destination first: the low word may unmask the entry. */
	ioapic_write(IOAPIC_REG_REDIR(pin) + 1, v >> 32);
	ioapic_write(IOAPIC_REG_REDIR(pin), (u32)v);
}

unsigned int ioapic_version(void)
{
	return ioapic_read(IOAPIC_REG_VER) & 0xff;
}

unsigned int ioapic_pins(void)
{
	return ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
}

static unsigned int version_cache;

bool ioapic_eoi(u8 vector)
{
	if (!READ_ONCE(version_cache))
		WRITE_ONCE(version_cache, ioapic_version());
	if (READ_ONCE(version_cache) < 0x20)
		return false;
	WRITE_ONCE(*ioapic_reg(0x40), vector);
	return true;
}

void set_irq_line(unsigned int pin, int level)
{
	port_out8(level ? 1 : 0, PC_TESTDEV_IRQ + pin);
}
