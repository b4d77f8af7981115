// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_msi: MSI address/data decoding into APIC bus messages, and what
 * happens to malformed messages.
 */

#include <kunit/test.h>
#include <linux/string.h>
#include <asm/apicdef.h>

#include <vlapic/ioapic.h>

MODULE_IMPORT_NS(VLAPIC_INTERNAL);

#define ADDR(dest)	(0xfee00000ULL | ((u64)(dest) << 12))

static void msi_fixed_physical_edge(struct kunit *test)
{
	struct vlapic_irq irq;

	memset(&irq, 0xaa, sizeof(irq));
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0x12), 0x0041, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x12);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_FIXED);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x41);
	KUNIT_EXPECT_EQ(test, irq.shorthand, 0);
	KUNIT_EXPECT_FALSE(test, irq.logical);
	KUNIT_EXPECT_FALSE(test, irq.level);
	KUNIT_EXPECT_TRUE(test, irq.assert);
	KUNIT_EXPECT_FALSE(test, irq.x2apic_dest);
}

static void msi_logical_level_assert(struct kunit *test)
{
	struct vlapic_irq irq;

	KUNIT_ASSERT_EQ(test,
			vlapic_msi_decode(ADDR(0xf0) | VLAPIC_MSI_ADDR_DEST_LOGICAL,
					  VLAPIC_MSI_DATA_LEVEL |
					  VLAPIC_MSI_DATA_ASSERT | 0x99, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0xf0);
	KUNIT_EXPECT_TRUE(test, irq.logical);
	KUNIT_EXPECT_TRUE(test, irq.level);
	KUNIT_EXPECT_TRUE(test, irq.assert);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x99);
}

static void msi_every_delivery_mode(struct kunit *test)
{
	static const u32 valid[] = { APIC_DM_FIXED, APIC_DM_LOWEST,
				     APIC_DM_SMI, APIC_DM_NMI, APIC_DM_INIT,
				     APIC_DM_EXTINT };
	struct vlapic_irq irq;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(1), valid[i] | 0x30,
							&irq),
				VLAPIC_MSI_OK);
		KUNIT_EXPECT_EQ(test, irq.delivery_mode, valid[i]);
	}
	/* Reserved 3 and 6: ignored, @irq untouched. */
	memset(&irq, 0x5a, sizeof(irq));
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(1), 0x300 | 0x30, &irq),
			VLAPIC_MSI_BAD_DELIVERY_MODE);
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(1), 0x600 | 0x30, &irq),
			VLAPIC_MSI_BAD_DELIVERY_MODE);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x5a);
}

static void msi_not_an_interrupt(struct kunit *test)
{
	static const u64 addrs[] = { 0xfed00000ULL, 0xfef00000ULL, 0,
				     0x1fee00000ULL, 0xfee00000ULL << 32,
				     0xffe00000ULL };
	struct vlapic_irq irq;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		KUNIT_EXPECT_EQ_MSG(test, vlapic_msi_decode(addrs[i], 0x30, &irq),
				    VLAPIC_MSI_NOT_INTERRUPT, "addr %llx",
				    addrs[i]);
	/* The whole 0xFEExxxxx range is interrupts. */
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(0xfeefffffULL, 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0xff);	/* logical */
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(0xfeeffff3ULL, 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x7fff);	/* extended ID */
}

static void msi_redirection_hint(struct kunit *test)
{
	struct vlapic_irq irq;

	/* Fixed with the hint: lowest priority among the destinations. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(3) | VLAPIC_MSI_ADDR_REDIR_HINT,
						0x30, &irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_LOWEST);
	KUNIT_EXPECT_FALSE(test, irq.logical);
	/* Other modes keep theirs. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(3) | VLAPIC_MSI_ADDR_REDIR_HINT,
						APIC_DM_NMI, &irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_NMI);
	/* Physical broadcast with the hint is forbidden. */
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(0xff) | VLAPIC_MSI_ADDR_REDIR_HINT,
						0x30, &irq),
			VLAPIC_MSI_BAD_REDIRECTION);
	/* Logical 0xff with the hint is fine; physical 0xff without too. */
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(0xff) | VLAPIC_MSI_ADDR_REDIR_HINT |
						VLAPIC_MSI_ADDR_DEST_LOGICAL,
						0x30, &irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_TRUE(test, irq.logical);
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(0xff), 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_FIXED);
}

static void msi_level_deassert_and_edge(struct kunit *test)
{
	struct vlapic_irq irq;

	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(0), VLAPIC_MSI_DATA_LEVEL |
						0x30, &irq),
			VLAPIC_MSI_DEASSERT);
	/* Edge messages always assert, whatever bit 14 says. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0), 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_TRUE(test, irq.assert);
	KUNIT_EXPECT_FALSE(test, irq.level);
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0), VLAPIC_MSI_DATA_ASSERT |
						0x30, &irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_TRUE(test, irq.assert);
}

static void msi_ignored_bits(struct kunit *test)
{
	struct vlapic_irq a, b;

	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(7), 0x4031, &a),
			VLAPIC_MSI_OK);
	/*
	 * Address bits 4 and 1:0 (and 11:5 in logical mode), data bits
	 * 31:16 change nothing.
	 */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(7) | 0x13, 0xffff4031, &b),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(7) | 0x4, 0x4031, &a),
			VLAPIC_MSI_OK);
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(7) | 0xff7, 0xffff4031, &b),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	KUNIT_EXPECT_EQ(test, b.vector, 0x31);
	KUNIT_EXPECT_EQ(test, b.dest_id, 7);
}

/*
 * The extended destination ID (the convention Linux guests use on KVM
 * when told by CPUID): in physical mode, address bits 11:5 are bits 14:8
 * of the destination, an x2APIC ID; bits 11:5 zero is the plain 8-bit
 * xAPIC-format destination (0xff broadcast).
 */
static void msi_extended_destination_id(struct kunit *test)
{
	struct vlapic_irq irq;

	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(300 & 0xff) |
						((300 >> 8) << 5), 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 300);
	KUNIT_EXPECT_TRUE(test, irq.x2apic_dest);
	KUNIT_EXPECT_FALSE(test, irq.logical);
	/* 0xff with high bits is an ID, not the broadcast. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0xff) | (1 << 5), 0x30,
						&irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x1ff);
	KUNIT_EXPECT_TRUE(test, irq.x2apic_dest);
	/* ... and with the redirection hint, one target: allowed. */
	KUNIT_EXPECT_EQ(test, vlapic_msi_decode(ADDR(0xff) | (1 << 5) |
						VLAPIC_MSI_ADDR_REDIR_HINT,
						0x30, &irq), VLAPIC_MSI_OK);
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0xff) | 0xfe0, 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x7fff);
	/* No high bits: the 8-bit xAPIC format, as before. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0x2c), 0x30, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x2c);
	KUNIT_EXPECT_FALSE(test, irq.x2apic_dest);
	/* Logical mode has no extended form: bits 11:5 are ignored. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0x0c) | 0xfe0 |
						VLAPIC_MSI_ADDR_DEST_LOGICAL,
						0x30, &irq), VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x0c);
	KUNIT_EXPECT_FALSE(test, irq.x2apic_dest);
}

static void msi_low_vectors_passed_on(struct kunit *test)
{
	struct vlapic_irq irq;

	/* The local APIC rejects vectors 0-15 and sets ESR; not decided here. */
	KUNIT_ASSERT_EQ(test, vlapic_msi_decode(ADDR(0), 0x05, &irq),
			VLAPIC_MSI_OK);
	KUNIT_EXPECT_EQ(test, irq.vector, 5);
}

static struct kunit_case msi_cases[] = {
	KUNIT_CASE(msi_fixed_physical_edge),
	KUNIT_CASE(msi_logical_level_assert),
	KUNIT_CASE(msi_every_delivery_mode),
	KUNIT_CASE(msi_not_an_interrupt),
	KUNIT_CASE(msi_redirection_hint),
	KUNIT_CASE(msi_level_deassert_and_edge),
	KUNIT_CASE(msi_ignored_bits),
	KUNIT_CASE(msi_low_vectors_passed_on),
	KUNIT_CASE(msi_extended_destination_id),
	{}
};

static struct kunit_suite msi_suite = {
	.name = "vlapic_msi",
	.test_cases = msi_cases,
};

kunit_test_suite(msi_suite);
