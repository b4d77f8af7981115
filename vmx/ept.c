// SPDX-License-Identifier: GPL-2.0
/*
 * EPT entries (SDM vol. 3 "EPT Translation Mechanism"): 4 levels, bits
 * 2:0 read/write/execute. A table entry grants all three (the leaf
 * decides); a leaf is readable and executable, writable on request, with
 * memory type write-back (bits 5:3 = 6) combined with the guest's PAT
 * (IPAT clear), as the NPT leaf's PAT index 0 on SVM. No accessed/dirty
 * flags (EPTP bit 6 clear).
 */

#include <asm/pgtable_types.h>
#include <asm/vmx.h>

#include <vlapic/export.h>
#include <vlapic/run.h>
#include <vlapic/vmx.h>

static u64 vmx_ept_table(phys_addr_t pa)
{
	return (pa & PTE_PFN_MASK) | VMX_EPT_RWX_MASK;
}

static u64 vmx_ept_leaf(phys_addr_t pa, bool write)
{
	return (pa & PTE_PFN_MASK) | VMX_EPT_READABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK | (write ? VMX_EPT_WRITABLE_MASK : 0) |
	       (VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT);
}

static bool vmx_ept_present(u64 pte)
{
	return pte & VMX_EPT_RWX_MASK;
}

const struct vlapic_gpt_format vmx_ept_format = {
	.table = vmx_ept_table,
	.leaf = vmx_ept_leaf,
	.present = vmx_ept_present,
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_ept_format);
