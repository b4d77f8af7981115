/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOAPIC at 0xfec00000 (IOREGSEL +0x00, IOWIN +0x10, EOI +0x40 from
 * version 0x20 on) and the input lines of pc-testdev (port 0x2000 + pin).
 */
#ifndef GUEST_IOAPIC_H
#define GUEST_IOAPIC_H

#include "x86.h"

#define IOAPIC_BASE		0xfec00000UL
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR(pin)	(0x10 + 2 * (pin))

#define IOAPIC_MASKED		BIT(16)
#define IOAPIC_LEVEL		BIT(15)
#define IOAPIC_REMOTE_IRR	BIT(14)
#define IOAPIC_ACTIVE_LOW	BIT(13)
#define IOAPIC_DELIVS		BIT(12)
#define IOAPIC_DEST_LOGICAL	BIT(11)

u32 ioapic_read(u32 reg);
void ioapic_write(u32 reg, u32 v);
u64 ioapic_redir_read(unsigned int pin);
void ioapic_redir_write(unsigned int pin, u64 v);
/* Version register bits 7:0 and the number of pins. */
unsigned int ioapic_version(void);
unsigned int ioapic_pins(void);
/* The EOI register (version >= 0x20); false (nothing written) otherwise. */
bool ioapic_eoi(u8 vector);
/* pc-testdev: drives IOAPIC input @pin high (1) or low (0). */
void set_irq_line(unsigned int pin, int level);

#endif
