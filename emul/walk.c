// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page-table walk (SDM vol. 3 chapter 4, APM vol. 2 chapter
 * 5): no paging, 32-bit paging with 4 MiB pages (PSE, PSE-36), PAE paging
 * with the PDPTEs read from CR3 at each walk, 4- and 5-level paging with
 * 2 MiB and 1 GiB pages.
 *
 * Permissions are those of the SDM's "Access Rights": U/S and R/W are
 * the AND of all levels, XD the OR (with EFER.NXE), supervisor writes
 * honour CR0.WP, SMEP forbids supervisor fetches from user pages, SMAP
 * forbids supervisor data accesses to user pages unless RFLAGS.AC is set
 * (every access here is explicit). Accessed bits are set in every entry
 * of a successful walk and the dirty bit in the leaf for a write, with
 * cmpxchg_phys, so a concurrent change of an entry restarts the walk.
 * Protection keys are not implemented.
 */

#include <linux/bits.h>
#include <linux/minmax.h>

#include <vlapic/export.h>

#include "emul_priv.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_XD		BIT_ULL(63)

#define WALK_MAX_LEVELS	5
#define WALK_TRIES	4

/* What a walk found on its way down. */
struct walk {
	const struct emul_cpu *cpu;
	const struct emul_ops *ops;
	void *ctx;
	u64 gva;
	u32 access;
	unsigned int entry_bytes;	/* 4 (32-bit paging) or 8 */
	unsigned int nr;		/* entries that take A/D bits */
	u64 entry_gpa[WALK_MAX_LEVELS];
	u64 entry[WALK_MAX_LEVELS];
	bool writable, user, xd;	/* accumulated over the levels */
};

static unsigned int maxphyaddr(const struct emul_cpu *cpu)
{
	if (!cpu->maxphyaddr)
		return 36;
	return min_t(unsigned int, cpu->maxphyaddr, 52);
}

/* The I/D bit is reported with SMEP, or with NX in PAE/4-level paging. */
static u32 error_code(const struct walk *w, u32 bits)
{
	const struct emul_cpu *cpu = w->cpu;
	u32 ec = bits | (w->access & (EMUL_PF_WRITE | EMUL_PF_USER));
	bool nx = (cpu->cr4 & X86_CR4_PAE) && (cpu->efer & EFER_NX);

	if ((w->access & EMUL_PF_FETCH) && ((cpu->cr4 & X86_CR4_SMEP) || nx))
		ec |= EMUL_PF_FETCH;
	return ec;
}

static int page_fault(const struct walk *w, u32 bits,
		      struct emul_fault *fault)
{
	return emul_set_fault(fault, X86_TRAP_PF, true, error_code(w, bits),
			      w->gva);
}

static int read_entry(struct walk *w, u64 gpa, u64 *entry, bool record)
{
	u32 e32;
	int ret;

	if (w->entry_bytes == 4) {
		ret = w->ops->read_phys(w->ctx, gpa, &e32, 4);
		*entry = e32;
	} else {
		ret = w->ops->read_phys(w->ctx, gpa, entry, 8);
	}
	if (ret)
		return EMUL_ERROR;
	if (record) {
		w->entry_gpa[w->nr] = gpa;
		w->entry[w->nr] = *entry;
		w->nr++;
	}
	return EMUL_OK;
}

/* Accumulate one level's permissions. */
static void take_rights(struct walk *w, u64 entry)
{
	w->writable &= !!(entry & PTE_RW);
	w->user &= !!(entry & PTE_US);
	if (w->cpu->efer & EFER_NX)
		w->xd |= !!(entry & PTE_XD);
}

static bool rights_deny(const struct walk *w)
{
	const struct emul_cpu *cpu = w->cpu;
	bool write = w->access & EMUL_PF_WRITE;
	bool fetch = w->access & EMUL_PF_FETCH;

	if (w->access & EMUL_PF_USER) {
		if (!w->user || (write && !w->writable))
			return true;
	} else {
		if (write && !w->writable && (cpu->cr0 & X86_CR0_WP))
			return true;
		if (w->user && fetch && (cpu->cr4 & X86_CR4_SMEP))
			return true;
		if (w->user && !fetch && (cpu->cr4 & X86_CR4_SMAP) &&
		    !(cpu->rflags & X86_EFLAGS_AC))
			return true;
	}
	return fetch && w->xd;
}

/* Set A in every recorded entry, D in the leaf for a write. */
static int set_accessed_dirty(struct walk *w)
{
	unsigned int i;
	u64 new;
	int ret;

	if (!w->ops->cmpxchg_phys)
		return EMUL_OK;
	for (i = 0; i < w->nr; i++) {
		new = w->entry[i] | PTE_A;
		if (i == w->nr - 1 && (w->access & EMUL_PF_WRITE))
			new |= PTE_D;
		if (new == w->entry[i])
			continue;
		ret = w->ops->cmpxchg_phys(w->ctx, w->entry_gpa[i],
					   w->entry[i], new, w->entry_bytes);
		if (ret == EMUL_RETRY)
			return ret;
		if (ret)
			return EMUL_ERROR;
	}
	return EMUL_OK;
}

static int finish(struct walk *w, u64 gpa, u64 *out, struct emul_fault *fault)
{
	int ret;

	if (rights_deny(w))
		return page_fault(w, EMUL_PF_PRESENT, fault);
	ret = set_accessed_dirty(w);
	if (ret)
		return ret;
	*out = gpa;
	return EMUL_OK;
}

/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with PSE. */
static int walk32(struct walk *w, u64 *gpa, struct emul_fault *fault)
{
	const struct emul_cpu *cpu = w->cpu;
	unsigned int m = min(maxphyaddr(cpu), 40U);
	u64 pde, pte, base;
	int ret;

	ret = read_entry(w, (cpu->cr3 & 0xfffff000) + ((w->gva >> 22) & 0x3ff) * 4,
			 &pde, true);
	if (ret)
		return ret;
	if (!(pde & PTE_P))
		return page_fault(w, 0, fault);
	take_rights(w, pde);
	if ((pde & PTE_PS) && (cpu->cr4 & X86_CR4_PSE)) {
		/* bits 20:13 hold address bits 39:32, up to MAXPHYADDR */
		u64 rsvd = BIT_ULL(21);

		if (m < 40)
			rsvd |= GENMASK_ULL(20, 13 + m - 32);
		if (pde & rsvd)
			return page_fault(w, EMUL_PF_PRESENT | EMUL_PF_RSVD,
					  fault);
		base = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32);
		return finish(w, base | (w->gva & 0x3fffff), gpa, fault);
	}

	ret = read_entry(w, (pde & 0xfffff000) + ((w->gva >> 12) & 0x3ff) * 4,
			 &pte, true);
	if (ret)
		return ret;
	if (!(pte & PTE_P))
		return page_fault(w, 0, fault);
	take_rights(w, pte);
	return finish(w, (pte & 0xfffff000) | (w->gva & 0xfff), gpa, fault);
}

/*
 * PAE and 4/5-level paging: 8-byte entries from @level down, in the
 * table at @table.
 */
static int walk64(struct walk *w, int level, u64 table, u64 *gpa,
		  struct emul_fault *fault)
{
	const struct emul_cpu *cpu = w->cpu;
	unsigned int m = maxphyaddr(cpu);
	bool lma = cpu->efer & EFER_LMA;
	u64 addr_mask = GENMASK_ULL(m - 1, 12);
	u64 rsvd_base, rsvd, entry, size;
	unsigned int shift;
	bool leaf;
	int ret;

	/* PAE reserves bits 62:M, 4-level paging bits 51:M */
	if (lma)
		rsvd_base = m < 52 ? GENMASK_ULL(51, m) : 0;
	else
		rsvd_base = GENMASK_ULL(62, m);
	if (!(cpu->efer & EFER_NX))
		rsvd_base |= PTE_XD;

	for (; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		ret = read_entry(w, table + ((w->gva >> shift) & 511) * 8,
				 &entry, true);
		if (ret)
			return ret;
		if (!(entry & PTE_P))
			return page_fault(w, 0, fault);

		rsvd = rsvd_base;
		leaf = level == 1 || (entry & PTE_PS);
		if (level >= 4 || (level == 3 && !cpu->gbpages))
			rsvd |= PTE_PS;	/* no pages at these levels */
		else if (level > 1 && leaf)
			rsvd |= GENMASK_ULL(shift - 1, 13);
		if (entry & rsvd)
			return page_fault(w, EMUL_PF_PRESENT | EMUL_PF_RSVD,
					  fault);

		take_rights(w, entry);
		if (leaf) {
			size = 1ULL << shift;
			return finish(w, (entry & addr_mask & ~(size - 1)) |
				      (w->gva & (size - 1)), gpa, fault);
		}
		table = entry & addr_mask;
	}
	return EMUL_ERROR;	/* not reached: level 1 is a leaf */
}

/*
 * PAE paging: the PDPTE (bits 31:30 of the address) selects a directory.
 *
 * Reserved here: bits 63:M and 2:1. The SDM also reserves 8:5, but an
 * Intel CPU checks a PDPTE when CR3 is loaded (MOV to CR3 #GPs), so a
 * PDPTE in use never has them; AMD's and QEMU's SVM walk PDPTEs like the
 * other levels and set the accessed bit (5) in them. The emulator runs
 * after the CPU translated the same address: it must not fault where the
 * CPU did not.
 */
static int walk_pae(struct walk *w, u64 *gpa, struct emul_fault *fault)
{
	const struct emul_cpu *cpu = w->cpu;
	u64 rsvd = GENMASK_ULL(63, maxphyaddr(cpu)) | GENMASK_ULL(2, 1);
	u64 pdpte;
	int ret;

	/* PDPTEs have no A bit: not recorded */
	ret = read_entry(w, (cpu->cr3 & 0xffffffe0) + ((w->gva >> 30) & 3) * 8,
			 &pdpte, false);
	if (ret)
		return ret;
	if (!(pdpte & PTE_P))
		return page_fault(w, 0, fault);
	if (pdpte & rsvd)
		return page_fault(w, EMUL_PF_PRESENT | EMUL_PF_RSVD, fault);
	return walk64(w, 2, pdpte & GENMASK_ULL(maxphyaddr(cpu) - 1, 12), gpa,
		      fault);
}

static int walk_once(struct walk *w, u64 *gpa, struct emul_fault *fault)
{
	const struct emul_cpu *cpu = w->cpu;

	w->nr = 0;
	w->writable = true;
	w->user = true;
	w->xd = false;
	w->entry_bytes = 8;
	if (!(cpu->cr4 & X86_CR4_PAE)) {
		w->entry_bytes = 4;
		return walk32(w, gpa, fault);
	}
	if (!(cpu->efer & EFER_LMA))
		return walk_pae(w, gpa, fault);
	return walk64(w, (cpu->cr4 & X86_CR4_LA57) ? 5 : 4,
		      cpu->cr3 & GENMASK_ULL(maxphyaddr(cpu) - 1, 12), gpa,
		      fault);
}

int emul_walk(const struct emul_cpu *cpu, const struct emul_ops *ops,
	      void *ctx, u64 gva, u32 access, u64 *gpa,
	      struct emul_fault *fault)
{
	struct walk w = {
		.cpu = cpu, .ops = ops, .ctx = ctx, .gva = gva,
		.access = access & (EMUL_PF_WRITE | EMUL_PF_USER |
				    EMUL_PF_FETCH),
	};
	unsigned int i;
	int ret = EMUL_RETRY;

	if (!(cpu->cr0 & X86_CR0_PG)) {
		*gpa = gva;
		return EMUL_OK;
	}
	for (i = 0; i < WALK_TRIES && ret == EMUL_RETRY; i++)
		ret = walk_once(&w, gpa, fault);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_walk);
