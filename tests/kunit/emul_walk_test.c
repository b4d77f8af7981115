// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_walk: the guest page-table walker (emul/walk.c) on page tables
 * built in the fake guest's RAM for every paging mode: none, 32-bit
 * (4 KiB, 4 MiB with PSE and PSE-36), PAE (PDPTEs from CR3, 4 KiB and
 * 2 MiB), 4-level (4 KiB, 2 MiB, 1 GiB) and 5-level. Translations, every
 * fault with its exact error code and CR2, reserved bits, and the
 * accessed/dirty updates. Expected values are written from the SDM's
 * tables (vol. 3 chapter 4), not computed by the code under test.
 */

#include <kunit/test.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include <vlapic/emul.h>

#include "emul_env.h"

#define P	ENV_P
#define RW	ENV_RW
#define US	ENV_US
#define PS	ENV_PS
#define XD	ENV_XD
#define A	ENV_A
#define D	ENV_D

#define EC_P	EMUL_PF_PRESENT
#define EC_W	EMUL_PF_WRITE
#define EC_U	EMUL_PF_USER
#define EC_R	EMUL_PF_RSVD
#define EC_I	EMUL_PF_FETCH

/* Walk @gva; on a fault check it is #PF with CR2 = @gva. */
static int walk(struct kunit *test, struct emul_env *env, u64 gva,
		u32 access, u64 *gpa, u32 *ec)
{
	struct emul_fault fault = {};
	int ret;

	*gpa = ~0ULL;
	*ec = ~0U;
	ret = emul_walk(&env->cpu, &env_ops, env, gva, access, gpa, &fault);
	if (ret == EMUL_FAULT) {
		KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_PF);
		KUNIT_EXPECT_TRUE(test, fault.has_error_code);
		KUNIT_EXPECT_EQ(test, fault.cr2, gva);
		*ec = fault.error_code;
	}
	return ret;
}

/* The translation of @gva for @access, or ~0 on any failure. */
static u64 gpa_of(struct kunit *test, struct emul_env *env, u64 gva,
		  u32 access)
{
	u64 gpa;
	u32 ec;

	if (walk(test, env, gva, access, &gpa, &ec) != EMUL_OK)
		return ~0ULL;
	return gpa;
}

/* The #PF error code for @gva and @access, or ~0 when it does not fault. */
static u32 ec_of(struct kunit *test, struct emul_env *env, u64 gva,
		 u32 access)
{
	u64 gpa;
	u32 ec;

	if (walk(test, env, gva, access, &gpa, &ec) != EMUL_FAULT)
		return ~0U;
	return ec;
}

static u64 ram64(struct emul_env *env, u64 gpa)
{
	return env_ram_get(env, gpa, 8);
}

static void set64(struct emul_env *env, u64 gpa, u64 val)
{
	env_ram_set(env, gpa, val, 8);
}

static void set32(struct emul_env *env, u64 gpa, u32 val)
{
	env_ram_set(env, gpa, val, 4);
}

/* CR0.PG = 0: linear is physical, no table is read. */
static void walk_no_paging(struct kunit *test)
{
	struct emul_env *env = env_new(test);

	env_cpu_prot(&env->cpu, true);
	env->cpu.cr4 = X86_CR4_PAE;	/* without PG, PAE changes nothing */
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, 0xfee00300, EC_W | EC_U),
			0xfee00300);
	KUNIT_EXPECT_EQ(test, env->nr_read_phys, 0);
}

static void cpu32(struct emul_env *env, u64 cr4)
{
	env_cpu_prot(&env->cpu, true);
	env->cpu.cr0 |= X86_CR0_PG | X86_CR0_WP;
	env->cpu.cr3 = 0x1000;
	env->cpu.cr4 = cr4;
	env->cpu.maxphyaddr = 40;
}

/* 32-bit paging, 4 KiB pages: PD at 0x1000, PT at 0x2000. */
static void walk_32bit(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = 0x00c01abc;	/* PDE 3, PTE 1 */

	cpu32(env, 0);
	set32(env, 0x1000 + 3 * 4, 0x2000 | P | RW | US);
	set32(env, 0x2000 + 1 * 4, 0x7000 | P | RW | US);
	set32(env, 0x2000 + 2 * 4, 0xdeadb000);	/* neighbour, untouched */

	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x7abc);
	/* A in both entries, D nowhere after a read */
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x100c, 4), 0x2000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x2004, 4), 0x7000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W | EC_U), 0x7abc);
	/* D in the PTE only; 4-byte updates leave the neighbour alone */
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x100c, 4), 0x2000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x2004, 4),
			0x7000 | P | RW | US | A | D);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x2008, 4), 0xdeadb000);

	/* all 32 address bits of a PTE are address bits */
	set32(env, 0x2000 + 1 * 4, 0xfffff000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0xfffffabc);

	/* not present: PTE, then PDE; W and U as accessed */
	set32(env, 0x2000 + 1 * 4, 0x7000);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), 0);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W | EC_U), EC_W | EC_U);
	set32(env, 0x1000 + 3 * 4, 0x2000 | RW | US);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W), EC_W);

	/* a fetch reports I/D only with SMEP in 32-bit paging (no NX) */
	env->cpu.efer = EFER_NX;
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_I), 0);
	env->cpu.cr4 = X86_CR4_SMEP;
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_I), EC_I);

	/* PS without CR4.PSE: the PDE points to a page table */
	env->cpu.cr4 = 0;
	set32(env, 0x1000 + 3 * 4, 0x2000 | P | RW | PS);
	set32(env, 0x2000 + 1 * 4, 0x5000 | P | RW);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x5abc);

	/* a 32-bit PTE's bit 31 is an address bit, bit 63 does not exist */
	set32(env, 0x2000 + 1 * 4, 0x80000000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_I), 0x80000abc);
}

/* 32-bit paging with PSE: 4 MiB pages, PSE-36 address bits 39:32. */
static void walk_32bit_pse(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = 0x00812345;	/* PDE 2 */

	cpu32(env, X86_CR4_PSE);
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | PS | P | RW);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W), 0x00c12345);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, 0x1008, 4),
			0x00c00000 | PS | P | RW | A | D);

	/* bits 20:13 are address bits 39:32 (MAXPHYADDR 40) */
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | (0xa5 << 13) | PS | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0xa500c12345ULL);

	/* bit 21 is reserved */
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(21) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_U), EC_P | EC_R | EC_U);

	/* MAXPHYADDR 36: bits 20:17 are reserved, 16:13 are address 35:32 */
	env->cpu.maxphyaddr = 36;
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(17) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(16) | PS | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x800c12345ULL);
	/* 0 reads as MAXPHYADDR 36 */
	env->cpu.maxphyaddr = 0;
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(20) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W), EC_P | EC_R | EC_W);

	/* MAXPHYADDR 32: all of 21:13 reserved */
	env->cpu.maxphyaddr = 32;
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(13) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	/* reserved bits are checked before the rights */
	set32(env, 0x1000 + 2 * 4, 0x00c00000 | BIT(13) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_U | EC_W),
			EC_P | EC_R | EC_U | EC_W);
}

static void cpu_pae(struct emul_env *env)
{
	cpu32(env, X86_CR4_PAE);
	env->cpu.cr3 = 0x1020;	/* PDPT: 32-byte aligned, bits 31:5 */
}

/* PAE paging: 4 PDPTEs read from CR3, 4 KiB and 2 MiB pages. */
static void walk_pae(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = 0x40201abc;	/* PDPTE 1, PDE 1, PTE 1 */
	const u64 gva2m = 0x40412345;	/* PDPTE 1, PDE 2 */

	cpu_pae(env);
	set64(env, 0x1020 + 1 * 8, 0x3000 | P);
	set64(env, 0x3000 + 1 * 8, 0x4000 | P | RW | US);
	set64(env, 0x4000 + 1 * 8, 0x9000 | P | RW | US);
	set64(env, 0x3000 + 2 * 8, 0x00600000 | PS | P | RW);

	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W), 0x9abc);
	/* The walk sets no A bit in PDPTEs: left as they are */
	KUNIT_EXPECT_EQ(test, ram64(env, 0x1028), 0x3000 | P);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x3008), 0x4000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x9000 | P | RW | US | A | D);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva2m, 0), 0x00612345);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x3010), 0x00600000 | PS | P | RW | A);

	/* MAXPHYADDR 40: address bits up to 39 */
	set64(env, 0x4000 + 1 * 8, BIT_ULL(40) | 0x9000 | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	set64(env, 0x4000 + 1 * 8, BIT_ULL(39) | 0x9000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), BIT_ULL(39) | 0x9abc);
	/* PAE reserves bits 62:MAXPHYADDR (4-level paging ignores 62:52) */
	set64(env, 0x4000 + 1 * 8, BIT_ULL(58) | 0x9000 | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	/* 2 MiB: bits 20:13 reserved */
	set64(env, 0x3000 + 2 * 8, 0x00600000 | BIT(13) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva2m, 0), EC_P | EC_R);
	set64(env, 0x3000 + 2 * 8, 0x00600000 | BIT(12) | PS | P);	/* PAT */
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva2m, 0), 0x00612345);

	/* XD: reserved without EFER.NXE, a fetch fault with it */
	set64(env, 0x4000 + 1 * 8, XD | 0x9000 | P | RW);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	env->cpu.efer = EFER_NX;
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W), 0x9abc);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_I), EC_P | EC_I);

	/*
	 * PDPTE: not present; reserved bits 2:1 and 63 (even with NXE).
	 * Bits 8:5 are not checked: AMD's and QEMU's SVM set the accessed
	 * bit there (emul/walk.c).
	 */
	set64(env, 0x1020 + 1 * 8, 0x3000);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W), EC_W);
	set64(env, 0x1020 + 1 * 8, 0x3000 | BIT(1) | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	set64(env, 0x1020 + 1 * 8, 0x3000 | BIT(2) | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	set64(env, 0x1020 + 1 * 8, 0x3000 | BIT(5) | BIT(8) | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x9abc);
	set64(env, 0x1020 + 1 * 8, 0x3000 | XD | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	/* bits 11:9 and 4:3 are not reserved */
	set64(env, 0x1020 + 1 * 8, 0x3000 | 0xe18 | P);
	set64(env, 0x4000 + 1 * 8, 0x9000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x9abc);
	/* the PDPTE's index is bits 31:30; CR3 bits 4:0 are ignored */
	env->cpu.cr3 = 0x103f;
	set64(env, 0x1020 + 3 * 8, 0x3000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva | 0xc0000000, 0), 0x9abc);
}

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void cpu_long(struct emul_env *env)
{
	cpu32(env, X86_CR4_PAE);
	env->cpu.efer = EFER_LME | EFER_LMA | EFER_NX;
	env->cpu.gbpages = true;
	env->cpu.seg[EMUL_CS].l = true;
}

#define GVA4(l4, l3, l2, l1, off) \
	(((u64)(l4) << 39) | ((u64)(l3) << 30) | ((u64)(l2) << 21) | \
	 ((u64)(l1) << 12) | (off))

static void long_tables(struct emul_env *env)
{
	set64(env, 0x1000 + 255 * 8, 0x2000 | P | RW | US);
	set64(env, 0x2000 + 1 * 8, 0x3000 | P | RW | US);
	set64(env, 0x3000 + 1 * 8, 0x4000 | P | RW | US);
	set64(env, 0x4000 + 1 * 8, 0x12345000 | P | RW | US);
}

static void walk_long_4k(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = GVA4(255, 1, 1, 1, 0xabc);

	cpu_long(env);
	long_tables(env);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W | EC_U), 0x12345abc);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x1000 + 255 * 8), 0x2000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x2008), 0x3000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x3008), 0x4000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x12345000 | P | RW | US | A | D);

	/* bits 63:48 of the address are not the walker's business */
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva | 0xffff000000000000ULL, 0),
			0x12345abc);
	/* CR3 bits 11:0 (PCID, PWT, PCD) are not address bits */
	env->cpu.cr3 = 0x1fff;
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);
	env->cpu.cr3 = 0x1000;

	/* 4-level paging ignores bits 62:52; 51:MAXPHYADDR are reserved */
	set64(env, 0x4008, BIT_ULL(52) | BIT_ULL(58) | BIT_ULL(62) | 0x12345000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);
	set64(env, 0x4008, BIT_ULL(40) | 0x12345000 | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	set64(env, 0x4008, BIT_ULL(39) | 0x12345000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), BIT_ULL(39) | 0x12345abc);
	env->cpu.maxphyaddr = 52;
	set64(env, 0x4008, BIT_ULL(51) | 0x12345000 | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), BIT_ULL(51) | 0x12345abc);
	env->cpu.maxphyaddr = 0;	/* 36 */
	set64(env, 0x4008, BIT_ULL(36) | 0x12345000 | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	env->cpu.maxphyaddr = 40;
	/* reserved bits in an upper level, with W and U reported */
	set64(env, 0x4008, 0x12345000 | P | RW | US);
	set64(env, 0x2008, BIT_ULL(45) | 0x3000 | P | RW | US);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W | EC_U),
			EC_P | EC_R | EC_W | EC_U);
	/* XD is reserved without EFER.NXE */
	set64(env, 0x2008, 0x3000 | P | RW | US);
	set64(env, 0x4008, XD | 0x12345000 | P);
	env->cpu.efer &= ~EFER_NX;
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
	env->cpu.efer |= EFER_NX;
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);

	/* not present at each level */
	set64(env, 0x4008, 0x12345000);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_U), EC_U);
	set64(env, 0x3008, 0x4000 | RW);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_W), EC_W);
	set64(env, 0x2008, 0);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, EC_I), EC_I);
	set64(env, 0x1000 + 255 * 8, 0);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), 0);
}

static void walk_long_large(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva2m = GVA4(255, 1, 2, 0, 0x12345);
	const u64 gva1g = GVA4(255, 2, 0, 0, 0x12345678);

	cpu_long(env);
	long_tables(env);
	set64(env, 0x3000 + 2 * 8, 0x40000000 | PS | P | RW);
	set64(env, 0x2000 + 2 * 8, 0x80000000 | PS | P | RW);

	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva2m, EC_W), 0x40012345);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x3010), 0x40000000 | PS | P | RW | A | D);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva1g, 0), 0x92345678);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x2010), 0x80000000 | PS | P | RW | A);

	/* 2 MiB: bits 20:13 reserved, 12 is PAT */
	set64(env, 0x3010, 0x40000000 | BIT(20) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva2m, 0), EC_P | EC_R);
	set64(env, 0x3010, 0x40000000 | BIT(12) | PS | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva2m, 0), 0x40012345);
	/* 1 GiB: bits 29:13 reserved, 12 is PAT */
	set64(env, 0x2010, 0x80000000 | BIT(29) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva1g, 0), EC_P | EC_R);
	set64(env, 0x2010, 0x80000000 | BIT(13) | PS | P);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva1g, 0), EC_P | EC_R);
	set64(env, 0x2010, 0x80000000 | BIT(12) | PS | P);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva1g, 0), 0x92345678);
	/* without 1 GiB pages, PS in a PDPTE is reserved */
	env->cpu.gbpages = false;
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva1g, EC_W), EC_P | EC_R | EC_W);
	/* PS in a PML4E is always reserved */
	env->cpu.gbpages = true;
	set64(env, 0x1000 + 255 * 8, 0x2000 | PS | P | RW);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva1g, 0), EC_P | EC_R);
}

/* 5-level paging (CR4.LA57): PML5 at 0x5000 above the 4-level tables. */
static void walk_la57(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = BIT_ULL(48) | GVA4(255, 1, 1, 1, 0xabc);

	cpu_long(env);
	long_tables(env);
	env->cpu.cr4 |= X86_CR4_LA57;
	env->cpu.cr3 = 0x5000;
	set64(env, 0x5000 + 1 * 8, 0x1000 | P | RW | US);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_U), 0x12345abc);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x5008), 0x1000 | P | RW | US | A);
	/* bit 48 selects the PML5E */
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva & ~BIT_ULL(48), 0), 0);
	set64(env, 0x5000 + 1 * 8, 0x1000 | PS | P | RW);
	KUNIT_EXPECT_EQ(test, ec_of(test, env, gva, 0), EC_P | EC_R);
}

/* One permission case on the 4-level 4 KiB mapping. */
struct perm_case {
	const char *what;
	u64 upper;	/* flags of the PML4E (other levels P|RW|US) */
	u64 leaf;	/* flags of the PTE */
	u32 access;
	bool wp, smep, smap, ac, nxe;
	u32 ec;		/* expected error code; ~0: translates */
};

#define OK	(~0U)

static const struct perm_case perm_cases[] = {
	{ "user read, user page", P | RW | US, P | US, EC_U, true, .ec = OK },
	{ "user read, supervisor page", P | RW | US, P | RW, EC_U, true,
	  .ec = EC_P | EC_U },
	{ "user read, supervisor PML4E", P | RW, P | RW | US, EC_U, true,
	  .ec = EC_P | EC_U },
	{ "user write, writable", P | RW | US, P | RW | US, EC_U | EC_W, true,
	  .ec = OK },
	{ "user write, read-only PTE", P | RW | US, P | US, EC_U | EC_W, true,
	  .ec = EC_P | EC_W | EC_U },
	{ "user write, read-only PML4E", P | US, P | RW | US, EC_U | EC_W,
	  false, .ec = EC_P | EC_W | EC_U },
	{ "supervisor write, read-only, WP", P | RW | US, P, EC_W, true,
	  .ec = EC_P | EC_W },
	{ "supervisor write, read-only, no WP", P | RW | US, P, EC_W, false,
	  .ec = OK },
	{ "supervisor write, read-only PML4E, no WP", P, P | RW, EC_W, false,
	  .ec = OK },
	{ "supervisor write, read-only PML4E, WP", P, P | RW, EC_W, true,
	  .ec = EC_P | EC_W },
	{ "supervisor read, user page", P | RW | US, P | US, 0, true,
	  .ec = OK },
	{ "SMAP: supervisor read, user page, AC=0", P | RW | US, P | US, 0,
	  true, .smap = true, .ec = EC_P },
	{ "SMAP: supervisor read, user page, AC=1", P | RW | US, P | US, 0,
	  true, .smap = true, .ac = true, .ec = OK },
	{ "SMAP: supervisor write, user page, AC=0", P | RW | US,
	  P | RW | US, EC_W, true, .smap = true, .ec = EC_P | EC_W },
	{ "SMAP: supervisor write, read-only user page, AC=1, WP",
	  P | RW | US, P | US, EC_W, true, .smap = true, .ac = true,
	  .ec = EC_P | EC_W },
	{ "SMAP: supervisor read, supervisor page", P | RW | US, P | RW, 0,
	  true, .smap = true, .ec = OK },
	{ "SMAP: user read, user page", P | RW | US, P | US, EC_U, true,
	  .smap = true, .ec = OK },
	{ "SMAP: supervisor fetch, user page", P | RW | US, P | US, EC_I,
	  true, .smap = true, .ec = OK },
	{ "SMEP: supervisor fetch, user page", P | RW | US, P | US, EC_I,
	  true, .smep = true, .ec = EC_P | EC_I },
	{ "SMEP: supervisor fetch, supervisor page", P | RW | US, P, EC_I,
	  true, .smep = true, .ec = OK },
	{ "SMEP: supervisor read, user page", P | RW | US, P | US, 0, true,
	  .smep = true, .ec = OK },
	{ "SMEP: user fetch, user page", P | RW | US, P | US, EC_U | EC_I,
	  true, .smep = true, .ec = OK },
	{ "no SMEP: supervisor fetch, user page", P | RW | US, P | US, EC_I,
	  true, .ec = OK },
	{ "NX: fetch, XD PTE", P | RW | US, XD | P | RW, EC_I, true,
	  .nxe = true, .ec = EC_P | EC_I },
	{ "NX: fetch, XD PML4E", XD | P | RW | US, P | RW, EC_I, true,
	  .nxe = true, .ec = EC_P | EC_I },
	{ "NX: read, XD PTE", P | RW | US, XD | P | RW, 0, true, .nxe = true,
	  .ec = OK },
	{ "NX: user fetch, XD user page", P | RW | US, XD | P | US,
	  EC_U | EC_I, true, .nxe = true, .ec = EC_P | EC_U | EC_I },
	{ "NX: write, XD PTE", P | RW | US, XD | P | RW, EC_W, true,
	  .nxe = true, .ec = OK },
	{ "no NXE: fetch, XD PTE reserved", P | RW | US, XD | P | RW, EC_I,
	  true, .ec = EC_P | EC_R },
	{ "no NXE, SMEP: fetch, XD PTE reserved", P | RW | US, XD | P | RW,
	  EC_I, true, .smep = true, .ec = EC_P | EC_R | EC_I },
	{ "NXE: fetch, not present", P | RW | US, 0, EC_I, true, .nxe = true,
	  .ec = EC_I },
	{ "no NXE: fetch, not present", P | RW | US, 0, EC_I, true,
	  .ec = 0 },
	{ "no NXE, SMEP: fetch, not present", P | RW | US, 0, EC_I, true,
	  .smep = true, .ec = EC_I },
	{ "user write, not present", P | RW | US, 0, EC_U | EC_W, true,
	  .ec = EC_U | EC_W },
	{ "user write, reserved bit 51", P | RW | US,
	  BIT_ULL(51) | P | RW | US, EC_U | EC_W, true,
	  .ec = EC_P | EC_R | EC_U | EC_W },
	{ "reserved before rights: user read, supervisor page, bit 45",
	  P | RW | US, BIT_ULL(45) | P, EC_U, true, .ec = EC_P | EC_R | EC_U },
};

/* Rights of U/S, R/W, XD over the levels with WP, SMEP, SMAP, NXE. */
static void walk_permissions(struct kunit *test)
{
	const u64 gva = GVA4(255, 1, 1, 1, 0xabc);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(perm_cases); i++) {
		const struct perm_case *c = &perm_cases[i];
		struct emul_env *env = env_new(test);
		u64 gpa, pte;
		u32 ec;
		int ret;

		cpu_long(env);
		long_tables(env);
		set64(env, 0x1000 + 255 * 8, 0x2000 | c->upper);
		pte = c->leaf ? 0x12345000 | c->leaf : 0;
		set64(env, 0x4008, pte);
		if (!c->wp)
			env->cpu.cr0 &= ~X86_CR0_WP;
		if (c->smep)
			env->cpu.cr4 |= X86_CR4_SMEP;
		if (c->smap)
			env->cpu.cr4 |= X86_CR4_SMAP;
		if (c->ac)
			env->cpu.rflags |= X86_EFLAGS_AC;
		if (!c->nxe)
			env->cpu.efer &= ~EFER_NX;

		ret = walk(test, env, gva, c->access, &gpa, &ec);
		if (c->ec == OK) {
			KUNIT_EXPECT_EQ_MSG(test, ret, EMUL_OK, "%s", c->what);
			KUNIT_EXPECT_EQ_MSG(test, gpa, 0x12345abc, "%s",
					    c->what);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, EMUL_FAULT, "%s",
					    c->what);
			KUNIT_EXPECT_EQ_MSG(test, ec, c->ec, "%s", c->what);
			/* a faulting walk sets no A/D bit */
			KUNIT_EXPECT_EQ_MSG(test, ram64(env, 0x4008), pte, "%s",
					    c->what);
			KUNIT_EXPECT_EQ_MSG(test, env->nr_cmpxchg, 0, "%s",
					    c->what);
		}
	}
}

/* A/D bits: set once, D only in the leaf, retried on a changed entry. */
static void walk_accessed_dirty(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = GVA4(255, 1, 1, 1, 0xabc);
	struct emul_fault fault;
	u64 gpa;

	cpu_long(env);
	long_tables(env);
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);
	KUNIT_EXPECT_EQ(test, env->nr_cmpxchg, 4);
	/* already accessed: nothing to write for a read */
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);
	KUNIT_EXPECT_EQ(test, env->nr_cmpxchg, 4);
	/* a write sets D in the PTE only */
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, EC_W), 0x12345abc);
	KUNIT_EXPECT_EQ(test, env->nr_cmpxchg, 5);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x3008), 0x4000 | P | RW | US | A);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x12345000 | P | RW | US | A | D);

	/* without cmpxchg_phys the entries stay as they are */
	long_tables(env);
	KUNIT_EXPECT_EQ(test, emul_walk(&env->cpu, &env_ops_no_ad, env, gva,
					EC_W, &gpa, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, gpa, 0x12345abc);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x12345000 | P | RW | US);

	/* an entry changed under the walk: it starts over */
	env->nr_read_phys = 0;
	env->races = 1;
	KUNIT_EXPECT_EQ(test, gpa_of(test, env, gva, 0), 0x12345abc);
	KUNIT_EXPECT_EQ(test, env->nr_read_phys, 8);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x12345000 | P | RW | US | A);
	/* ... a bounded number of times */
	long_tables(env);
	env->races = 1000;
	KUNIT_EXPECT_EQ(test, emul_walk(&env->cpu, &env_ops, env, gva, 0, &gpa,
					&fault), EMUL_RETRY);
	KUNIT_EXPECT_EQ(test, ram64(env, 0x4008), 0x12345000 | P | RW | US);
}

/* Paging structures outside RAM are a host error, not a guest fault. */
static void walk_table_not_ram(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	const u64 gva = GVA4(255, 1, 1, 1, 0xabc);
	struct emul_fault fault;
	u64 gpa;

	cpu_long(env);
	long_tables(env);
	set64(env, 0x3008, 0xfee00000ULL | P | RW);
	KUNIT_EXPECT_EQ(test, emul_walk(&env->cpu, &env_ops, env, gva, 0, &gpa,
					&fault), EMUL_ERROR);
	env->cpu.cr3 = 0x7fff000;
	KUNIT_EXPECT_EQ(test, emul_walk(&env->cpu, &env_ops, env, gva, 0, &gpa,
					&fault), EMUL_ERROR);
}

static struct kunit_case walk_cases[] = {
	KUNIT_CASE(walk_no_paging),
	KUNIT_CASE(walk_32bit),
	KUNIT_CASE(walk_32bit_pse),
	KUNIT_CASE(walk_pae),
	KUNIT_CASE(walk_long_4k),
	KUNIT_CASE(walk_long_large),
	KUNIT_CASE(walk_la57),
	KUNIT_CASE(walk_permissions),
	KUNIT_CASE(walk_accessed_dirty),
	KUNIT_CASE(walk_table_not_ram),
	{}
};

static struct kunit_suite walk_suite = {
	.name = "vlapic_walk",
	.test_cases = walk_cases,
};

kunit_test_suite(walk_suite);
