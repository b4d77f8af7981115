// SPDX-License-Identifier: GPL-2.0
/*
 * NPT entries (AMD APM vol. 2 "Nested Paging"): the nested table has the
 * long-mode page-table format. Every level needs P, RW and US (the CPU
 * checks nested entries as user accesses); a leaf is write-protected by
 * clearing RW. Memory type: PAT index 0 (write-back, combined with the
 * guest's own PAT); NX clear.
 */

#include <asm/pgtable_types.h>

#include <vlapic/export.h>
#include <vlapic/run.h>
#include <vlapic/svm.h>

static u64 svm_npt_table(phys_addr_t pa)
{
	return (pa & PTE_PFN_MASK) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static u64 svm_npt_leaf(phys_addr_t pa, bool write)
{
	return (pa & PTE_PFN_MASK) | _PAGE_PRESENT | _PAGE_USER |
	       (write ? _PAGE_RW : 0);
}

static bool svm_npt_present(u64 pte)
{
	return pte & _PAGE_PRESENT;
}

const struct vlapic_gpt_format svm_npt_format = {
	.table = svm_npt_table,
	.leaf = svm_npt_leaf,
	.present = svm_npt_present,
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(svm_npt_format);
