// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables: the guest-physical -> host-physical tables the CPU
 * walks after the guest's own (SVM NPT, VMX EPT). Four levels of 512
 * entries, 4 KiB leaves only: every guest page the table maps is a page
 * the memory slots pinned, so there is nothing to fault in on demand.
 *
 * The tree's shape is the same for both vendors; an entry's bits are not,
 * so entries are made by the backend's struct vlapic_gpt_format.
 *
 * Concurrency: the CPU walks the table at any time, so entries are
 * written with WRITE_ONCE and a table is never freed while the tree
 * lives. Writers hold struct vlapic_vm_run::mem_lock. Removing a mapping
 * is followed by vlapic_vm_flush_tlbs() before the page is unpinned.
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>

#include <vlapic/export.h>
#include <vlapic/run.h>

#define GPT_LEVELS	4
#define GPT_ENTRIES	512

static unsigned int gpt_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (GPT_ENTRIES - 1);
}

static u64 *gpt_table_of(u64 pte)
{
	return __va(pte & PTE_PFN_MASK);
}

/**
 * vlapic_gpt_init() - an empty nested page table.
 * @gpt: the table to set up.
 * @fmt: the backend's entry format.
 *
 * Context: process context; charges the page to the caller.
 * Return: 0 or -ENOMEM.
 */
int vlapic_gpt_init(struct vlapic_gpt *gpt, const struct vlapic_gpt_format *fmt)
{
	gpt->fmt = fmt;
	gpt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	gpt->pages = gpt->root ? 1 : 0;
	return gpt->root ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_gpt_init);

static void gpt_free_level(const struct vlapic_gpt *gpt, u64 *table, int level)
{
	unsigned int i;

	if (level > 0) {
		for (i = 0; i < GPT_ENTRIES; i++)
			if (gpt->fmt->present(table[i]))
				gpt_free_level(gpt, gpt_table_of(table[i]),
					       level - 1);
	}
	free_page((unsigned long)table);
}

/**
 * vlapic_gpt_destroy() - free the whole tree.
 * @gpt: the table; no CPU may walk it any more.
 */
void vlapic_gpt_destroy(struct vlapic_gpt *gpt)
{
	if (!gpt->root)
		return;
	gpt_free_level(gpt, gpt->root, GPT_LEVELS - 1);
	gpt->root = NULL;
	gpt->pages = 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_gpt_destroy);

/* The leaf entry's slot for @gpa, allocating tables if @alloc. */
static u64 *gpt_leaf_slot(struct vlapic_gpt *gpt, u64 gpa, bool alloc)
{
	u64 *table = gpt->root;
	int level;

	for (level = GPT_LEVELS - 1; level > 0; level--) {
		u64 *slot = &table[gpt_index(gpa, level)];
		u64 pte = READ_ONCE(*slot);

		if (!gpt->fmt->present(pte)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			gpt->pages++;
			pte = gpt->fmt->table(__pa(next));
			/* The table is complete (zeroed) before it is seen. */
			smp_wmb();
			WRITE_ONCE(*slot, pte);
		}
		table = gpt_table_of(pte);
	}
	return &table[gpt_index(gpa, 0)];
}

/**
 * vlapic_gpt_map() - map one guest page.
 * @gpt: the table (mem_lock held).
 * @gpa: guest-physical address of the page.
 * @pa: host-physical address of the page backing it.
 * @write: the guest may write it.
 *
 * Return: 0, -EINVAL for an address beyond 48 bits, -ENOMEM.
 */
int vlapic_gpt_map(struct vlapic_gpt *gpt, u64 gpa, phys_addr_t pa, bool write)
{
	u64 *slot;

	if (gpa >> (PAGE_SHIFT + 9 * GPT_LEVELS))
		return -EINVAL;
	slot = gpt_leaf_slot(gpt, gpa, true);
	if (!slot)
		return -ENOMEM;
	WRITE_ONCE(*slot, gpt->fmt->leaf(pa, write));
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_gpt_map);

/**
 * vlapic_gpt_unmap() - remove one guest page's mapping.
 * @gpt: the table (mem_lock held).
 * @gpa: guest-physical address of the page.
 *
 * The CPUs may still hold the translation: the caller flushes them
 * (vlapic_vm_flush_tlbs()) before the page goes away.
 */
void vlapic_gpt_unmap(struct vlapic_gpt *gpt, u64 gpa)
{
	u64 *slot;

	if (gpa >> (PAGE_SHIFT + 9 * GPT_LEVELS))
		return;
	slot = gpt_leaf_slot(gpt, gpa, false);
	if (slot)
		WRITE_ONCE(*slot, 0);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_gpt_unmap);

/**
 * vlapic_gpt_lookup() - the leaf entry for a guest page (tests, debug).
 * @gpt: the table.
 * @gpa: guest-physical address.
 *
 * Return: the entry, 0 if nothing maps @gpa.
 */
u64 vlapic_gpt_lookup(const struct vlapic_gpt *gpt, u64 gpa)
{
	u64 *slot;

	if (gpa >> (PAGE_SHIFT + 9 * GPT_LEVELS))
		return 0;
	slot = gpt_leaf_slot((struct vlapic_gpt *)gpt, gpa, false);
	return slot ? READ_ONCE(*slot) : 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_gpt_lookup);
