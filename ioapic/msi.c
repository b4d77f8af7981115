// SPDX-License-Identifier: GPL-2.0
/*
 * MSI decoding: a message address and data, as a device (or the guest
 * programming it) wrote them, into an APIC bus message. Intel SDM vol. 3,
 * "Message Signalled Interrupts".
 */

#include <linux/bitfield.h>
#include <linux/string.h>
#include <asm/apicdef.h>

#include <vlapic/export.h>

#include "ioapic_priv.h"

/*
 * MSI address bits 11:5: the extended destination ID, bits 14:8 of a
 * physical x2APIC destination (VLAPIC_CAP_MSI_EXT_DEST_ID).
 */
#define VLAPIC_MSI_ADDR_EXT_DEST	GENMASK_ULL(11, 5)

/**
 * vlapic_msi_decode() - decode an MSI address/data pair.
 * @address: the 64-bit message address. An interrupt message is a write
 *	to 0xFEExxxxx: bits 19:12 destination, bits 11:5 the extended
 *	destination ID (physical mode), bit 3 redirection hint, bit 2
 *	logical destination mode; bits 4 and 1:0 are ignored, and so are
 *	bits 11:5 in logical mode.
 * @data: the message data: bits 7:0 vector, 10:8 delivery mode, 14 level
 *	(assert), 15 trigger mode; bits 31:16 are ignored.
 * @irq: filled when the verdict is VLAPIC_MSI_OK, untouched otherwise.
 *
 * A redirection hint on a fixed message makes it lowest priority among the
 * destinations (what the hint asks the chipset to do). A level-triggered
 * message with the assert bit clear is a deassert message, which changes
 * nothing and is not sent. An edge-triggered message always asserts.
 * Vectors 0-15 are passed on: the receiving local APIC rejects them and
 * reports it in its ESR.
 *
 * Extended destination ID (the convention Linux guests use on KVM when
 * CPUID says so, so that device interrupts reach x2APIC IDs above 255
 * without interrupt remapping): in physical mode, non-zero bits 11:5 make
 * the destination the 15-bit x2APIC ID bits 11:5 << 8 | bits 19:12 (never
 * the broadcast). Bits 11:5 zero keep the 8-bit xAPIC-format destination
 * (0xff: broadcast). Always decoded: a guest sets those bits only when
 * its VMM advertises the feature, and with no interrupt remapping they
 * mean nothing else.
 *
 * Context: any.
 * Return: the verdict; only VLAPIC_MSI_OK messages are to be sent.
 */
enum vlapic_msi_verdict vlapic_msi_decode(u64 address, u32 data,
					  struct vlapic_irq *irq)
{
	u32 mode = data & VLAPIC_MSI_DATA_DELIVERY_MODE;
	u32 dest = FIELD_GET(VLAPIC_MSI_ADDR_DEST, address);
	u32 ext = FIELD_GET(VLAPIC_MSI_ADDR_EXT_DEST, address);
	bool logical = address & VLAPIC_MSI_ADDR_DEST_LOGICAL;
	bool hint = address & VLAPIC_MSI_ADDR_REDIR_HINT;
	bool level = data & VLAPIC_MSI_DATA_LEVEL;

	if ((address & VLAPIC_MSI_ADDR_BASE_MASK) != VLAPIC_MSI_ADDR_BASE)
		return VLAPIC_MSI_NOT_INTERRUPT;
	if (mode == VLAPIC_DM_RESERVED_3 || mode == VLAPIC_DM_RESERVED_6)
		return VLAPIC_MSI_BAD_DELIVERY_MODE;
	if (hint && !logical && !ext && dest == 0xff)
		return VLAPIC_MSI_BAD_REDIRECTION;
	if (level && !(data & VLAPIC_MSI_DATA_ASSERT))
		return VLAPIC_MSI_DEASSERT;

	memset(irq, 0, sizeof(*irq));
	irq->dest_id = dest;
	irq->delivery_mode = mode;
	if (hint && mode == APIC_DM_FIXED)
		irq->delivery_mode = APIC_DM_LOWEST;
	irq->vector = FIELD_GET(VLAPIC_MSI_DATA_VECTOR, data);
	irq->logical = logical;
	irq->level = level;
	irq->assert = true;
	irq->x2apic_dest = ext && !logical;
	if (irq->x2apic_dest)
		irq->dest_id |= ext << 8;
	return VLAPIC_MSI_OK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_msi_decode);
