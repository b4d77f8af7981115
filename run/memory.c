// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the regions a VMM gives a VLAPIC_VM_RUN VM with
 * VLAPIC_SET_USER_MEMORY_REGION (KVM's semantics), pinned for as long as
 * they exist and mapped into the nested page table, and the guest-physical
 * reads and writes the run loop makes (page walks, instruction fetches,
 * emulated string I/O and MMIO instructions touching RAM).
 *
 * Pinning: pin_user_pages_fast(FOLL_LONGTERM) charged to RLIMIT_MEMLOCK
 * of the VM's mm (account_locked_vm(); CAP_IPC_LOCK lifts the limit). The
 * pages belong to the VMM's memory and so to its memory cgroup; the page
 * tables are allocated GFP_KERNEL_ACCOUNT.
 *
 * Never mapped, whatever the regions say: the IOAPIC window and the
 * default xAPIC page (0xfee00000). A guest access there exits, and the
 * run loop hands it to the device.
 *
 * Locking: struct vlapic_vm_run::mem_lock serializes changes. The region
 * list is replaced whole and published with rcu_assign_pointer(); vCPU
 * threads read it inside srcu_read_lock(&vm->srcu) while they handle an
 * exit. A removed region is unmapped, every vCPU's TLB is flushed
 * (vlapic_vm_flush_tlbs(): nobody runs on the old mapping any more), SRCU
 * readers drain, and only then are its pages unpinned.
 */

#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include <vlapic/export.h>
#include <vlapic/ioapic.h>
#include <vlapic/lapic.h>
#include <vlapic/run.h>

#include "run_priv.h"

static struct vlapic_memslots *mem_slots(struct vlapic_vm_run *vm)
{
	return srcu_dereference_check(vm->slots, &vm->srcu,
				      lockdep_is_held(&vm->mem_lock));
}

/* Pages the NPT must leave unmapped: the devices' MMIO windows. */
static bool mem_is_device_page(struct vlapic_vm_run *vm, u64 gpa)
{
	u64 page = gpa & PAGE_MASK;

	return page == VLAPIC_DEFAULT_BASE ||
	       page == (vlapic_ioapic_base(vm->ioapic) & PAGE_MASK);
}

static void mem_unmap_slot(struct vlapic_vm_run *vm,
			   const struct vlapic_memslot *s)
{
	u64 i;

	/* A device page may hold the backend's mapping (VMX APIC access). */
	for (i = 0; i < s->npages; i++)
		if (!mem_is_device_page(vm, s->gpa + (i << PAGE_SHIFT)))
			vlapic_gpt_unmap(&vm->gpt, s->gpa + (i << PAGE_SHIFT));
}

static int mem_map_slot(struct vlapic_vm_run *vm, const struct vlapic_memslot *s)
{
	bool write = !(s->flags & VLAPIC_MEM_READONLY);
	u64 i;
	int ret;

	for (i = 0; i < s->npages; i++) {
		u64 gpa = s->gpa + (i << PAGE_SHIFT);

		if (mem_is_device_page(vm, gpa))
			continue;
		ret = vlapic_gpt_map(&vm->gpt, gpa, page_to_phys(s->pages[i]),
				     write);
		if (ret) {
			mem_unmap_slot(vm, s);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

static void mem_unpin(struct vlapic_vm_run *vm, struct vlapic_memslot *s)
{
	if (!s)
		return;
	if (s->pages) {
		unpin_user_pages_dirty_lock(s->pages, s->npages,
					    !(s->flags & VLAPIC_MEM_READONLY));
		account_locked_vm(vm->mm, s->npages, false);
		kvfree(s->pages);
	}
	kfree(s);
}

/* Pin @s->npages pages from @s->uaddr into @s->pages. */
static int mem_pin(struct vlapic_vm_run *vm, struct vlapic_memslot *s)
{
	unsigned int gup = FOLL_LONGTERM;
	u64 done = 0;
	int ret;

	if (!(s->flags & VLAPIC_MEM_READONLY))
		gup |= FOLL_WRITE;
	s->pages = kvcalloc(s->npages, sizeof(*s->pages),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!s->pages)
		return -ENOMEM;
	ret = account_locked_vm(vm->mm, s->npages, true);
	if (ret)
		goto out_free;
	while (done < s->npages) {
		int n = min_t(u64, s->npages - done, 512);

		ret = pin_user_pages_fast(s->uaddr + (done << PAGE_SHIFT), n,
					  gup, s->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto out_unpin;
		}
		done += ret;
		cond_resched();
	}
	return 0;
out_unpin:
	unpin_user_pages(s->pages, done);
	account_locked_vm(vm->mm, s->npages, false);
out_free:
	kvfree(s->pages);
	s->pages = NULL;
	return ret;
}

static int mem_check(const struct vlapic_userspace_memory_region *r)
{
	if (r->slot >= VLAPIC_MEM_SLOTS || (r->flags & ~VLAPIC_MEM_READONLY))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (!r->memory_size)
		return 0;
	/* 48-bit guest-physical space; no wrap of either range. */
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
	    r->guest_phys_addr + r->memory_size > (1ULL << 48) ||
	    r->userspace_addr + r->memory_size < r->userspace_addr ||
	    !access_ok(u64_to_user_ptr(r->userspace_addr), r->memory_size))
		return -EINVAL;
	return 0;
}

/* The region list with @old replaced by @new (either may be NULL). */
static struct vlapic_memslots *mem_replace(const struct vlapic_memslots *cur,
					   const struct vlapic_memslot *old,
					   struct vlapic_memslot *new)
{
	struct vlapic_memslots *next;
	unsigned int i, n = 0;

	next = kzalloc(sizeof(*next), GFP_KERNEL_ACCOUNT);
	if (!next)
		return NULL;
	for (i = 0; cur && i < cur->nr; i++) {
		if (cur->slot[i] == old)
			continue;
		next->slot[n++] = cur->slot[i];
	}
	if (new) {
		/* Keep the list sorted by address for the lookups. */
		for (i = n; i > 0 && next->slot[i - 1]->gpa > new->gpa; i--)
			next->slot[i] = next->slot[i - 1];
		next->slot[i] = new;
		n++;
	}
	next->nr = n;
	return next;
}

static struct vlapic_memslot *mem_find_id(const struct vlapic_memslots *slots,
					  u32 id)
{
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++)
		if (slots->slot[i]->id == id)
			return slots->slot[i];
	return NULL;
}

static bool mem_overlaps(const struct vlapic_memslots *slots,
			 const struct vlapic_memslot *skip, u64 gpa, u64 size)
{
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++) {
		const struct vlapic_memslot *s = slots->slot[i];

		if (s == skip)
			continue;
		if (gpa < s->gpa + (s->npages << PAGE_SHIFT) &&
		    s->gpa < gpa + size)
			return true;
	}
	return false;
}

/**
 * vlapic_run_set_memory() - VLAPIC_SET_USER_MEMORY_REGION.
 * @vm: the VM.
 * @r: the request, copied from userspace.
 *
 * Adds a region (a new slot number), moves one (same slot, size and
 * userspace address, another guest address), changes its flags, or
 * deletes it (size 0). Everything is checked before anything changes.
 *
 * Context: process context, the VM's mm.
 * Return: 0; -EINVAL (alignment, flags, slot, a size or address change
 * of an existing slot, deleting a slot that does not exist), -EEXIST
 * (overlap), -ENOMEM (including RLIMIT_MEMLOCK), -EFAULT.
 */
int vlapic_run_set_memory(struct vlapic_vm_run *vm,
			  const struct vlapic_userspace_memory_region *r)
{
	struct vlapic_memslots *cur, *next;
	struct vlapic_memslot *old, *new = NULL;
	u64 npages = r->memory_size >> PAGE_SHIFT;
	bool unmapped = false, carried;
	int ret;

	ret = mem_check(r);
	if (ret)
		return ret;

	mutex_lock(&vm->mem_lock);
	cur = mem_slots(vm);
	old = mem_find_id(cur, r->slot);
	ret = -EINVAL;
	if (!old && !npages)
		goto out;
	if (old && npages &&
	    (old->npages != npages || old->uaddr != r->userspace_addr))
		goto out;
	ret = -EEXIST;
	if (npages && mem_overlaps(cur, old, r->guest_phys_addr, r->memory_size))
		goto out;

	ret = -ENOMEM;
	if (npages) {
		new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
		if (!new)
			goto out;
		new->id = r->slot;
		new->flags = r->flags;
		new->gpa = r->guest_phys_addr;
		new->npages = npages;
		new->uaddr = r->userspace_addr;
		if (old && !((old->flags ^ new->flags) & VLAPIC_MEM_READONLY)) {
			/* A move or a flags change: the pins carry over. */
			new->pages = old->pages;
		} else {
			ret = mem_pin(vm, new);
			if (ret) {
				kfree(new);
				goto out;
			}
		}
	}
	ret = -ENOMEM;
	next = mem_replace(cur, old, new);
	if (!next)
		goto out_new;

	if (old) {
		mem_unmap_slot(vm, old);
		unmapped = true;
	}
	if (new) {
		ret = mem_map_slot(vm, new);
		if (ret) {
			kfree(next);
			if (old)
				WARN_ON_ONCE(mem_map_slot(vm, old));
			goto out_new;
		}
	}
	rcu_assign_pointer(vm->slots, next);
	if (unmapped)
		vlapic_vm_flush_tlbs(vm);
	/*
	 * Decided under the lock: once it is dropped, @new belongs to the
	 * published list, and another call may delete and free it (and
	 * unpin the pages it shares with @old) before this one goes on.
	 */
	carried = new && old && new->pages == old->pages;
	mutex_unlock(&vm->mem_lock);

	/* @cur and @old are this call's alone once the readers drained. */
	synchronize_srcu(&vm->srcu);
	kfree(cur);
	if (old) {
		if (carried)
			old->pages = NULL;
		mem_unpin(vm, old);
	}
	return 0;

out_new:
	if (new && (!old || new->pages != old->pages))
		mem_unpin(vm, new);
	else
		kfree(new);
out:
	mutex_unlock(&vm->mem_lock);
	return ret;
}

/**
 * vlapic_run_memory_destroy() - unpin every region at VM teardown.
 * @vm: the VM; no vCPU runs any more.
 */
void vlapic_run_memory_destroy(struct vlapic_vm_run *vm)
{
	struct vlapic_memslots *slots = rcu_dereference_protected(vm->slots, 1);
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++)
		mem_unpin(vm, slots->slot[i]);
	kfree(slots);
	RCU_INIT_POINTER(vm->slots, NULL);
}

/**
 * vlapic_run_has_memory() - whether the VM has any guest memory.
 * @vm: the VM.
 *
 * Context: inside srcu_read_lock(&vm->srcu).
 * Return: true if at least one region exists.
 */
bool vlapic_run_has_memory(struct vlapic_vm_run *vm)
{
	struct vlapic_memslots *slots = mem_slots(vm);

	return slots && slots->nr;
}

/**
 * vlapic_run_gpa_page() - the pinned page backing a guest-physical address.
 * @vm: the VM.
 * @gpa: the address.
 * @write: set to whether the guest may write the page; may be NULL.
 *
 * Context: inside srcu_read_lock(&vm->srcu); the page stays pinned until
 * the read side ends.
 * Return: the page, or NULL if no region covers @gpa.
 */
struct page *vlapic_run_gpa_page(struct vlapic_vm_run *vm, u64 gpa, bool *write)
{
	struct vlapic_memslots *slots = mem_slots(vm);
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++) {
		struct vlapic_memslot *s = slots->slot[i];
		u64 off = gpa - s->gpa;

		if (gpa < s->gpa || off >= (s->npages << PAGE_SHIFT))
			continue;
		if (write)
			*write = !(s->flags & VLAPIC_MEM_READONLY);
		/* @gpa is the guest's: no speculative read past pages[]. */
		return s->pages[array_index_nospec(off >> PAGE_SHIFT,
						   s->npages)];
	}
	return NULL;
}

/**
 * vlapic_run_gpa_is_ram() - whether @gpa is guest RAM the NPT maps.
 * @vm: the VM.
 * @gpa: the address.
 *
 * Context: inside srcu_read_lock(&vm->srcu).
 * Return: true for RAM or ROM outside the device windows.
 */
bool vlapic_run_gpa_is_ram(struct vlapic_vm_run *vm, u64 gpa)
{
	return !mem_is_device_page(vm, gpa) && vlapic_run_gpa_page(vm, gpa, NULL);
}

/* Copy within one page: @write to guest or from guest. */
static int mem_copy_page(struct vlapic_vm_run *vm, u64 gpa, void *buf,
			 unsigned int len, bool to_guest)
{
	struct page *page;
	bool writable;
	void *p;

	if (mem_is_device_page(vm, gpa))
		return -EFAULT;
	page = vlapic_run_gpa_page(vm, gpa, &writable);
	if (!page || (to_guest && !writable))
		return -EFAULT;
	p = kmap_local_page(page);
	if (to_guest)
		memcpy(p + offset_in_page(gpa), buf, len);
	else
		memcpy(buf, p + offset_in_page(gpa), len);
	kunmap_local(p);
	if (to_guest)
		set_page_dirty_lock(page);
	return 0;
}

static int mem_copy(struct vlapic_vm_run *vm, u64 gpa, void *buf,
		    unsigned int len, bool to_guest)
{
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		int ret = mem_copy_page(vm, gpa, buf, n, to_guest);

		if (ret)
			return ret;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * vlapic_run_read_gpa() - read guest RAM.
 * @vm: the VM.
 * @gpa: guest-physical address.
 * @buf: the destination.
 * @len: bytes; may cross pages.
 *
 * Context: inside srcu_read_lock(&vm->srcu).
 * Return: 0, or -EFAULT if any byte is not RAM.
 */
int vlapic_run_read_gpa(struct vlapic_vm_run *vm, u64 gpa, void *buf,
			unsigned int len)
{
	return mem_copy(vm, gpa, buf, len, false);
}

/**
 * vlapic_run_write_gpa() - write guest RAM (not read-only regions).
 * @vm: the VM.
 * @gpa: guest-physical address.
 * @buf: the source.
 * @len: bytes; may cross pages.
 *
 * Context: inside srcu_read_lock(&vm->srcu).
 * Return: 0, or -EFAULT if any byte is not writable RAM.
 */
int vlapic_run_write_gpa(struct vlapic_vm_run *vm, u64 gpa, const void *buf,
			 unsigned int len)
{
	return mem_copy(vm, gpa, (void *)buf, len, true);
}

/**
 * vlapic_run_cmpxchg_gpa() - atomically update a guest paging entry.
 * @vm: the VM.
 * @gpa: guest-physical address, naturally aligned.
 * @old: the value expected.
 * @new: the value to store.
 * @len: 4 or 8.
 *
 * Context: inside srcu_read_lock(&vm->srcu).
 * Return: 0 (stored, or the entry changed meanwhile and nothing was
 * stored), -EFAULT if not writable RAM, -EINVAL for a bad size.
 */
int vlapic_run_cmpxchg_gpa(struct vlapic_vm_run *vm, u64 gpa, u64 old, u64 new,
			   unsigned int len)
{
	struct page *page;
	bool writable;
	void *p;

	if ((len != 4 && len != 8) || !IS_ALIGNED(gpa, len))
		return -EINVAL;
	if (mem_is_device_page(vm, gpa))
		return -EFAULT;
	page = vlapic_run_gpa_page(vm, gpa, &writable);
	if (!page || !writable)
		return -EFAULT;
	p = kmap_local_page(page) + offset_in_page(gpa);
	if (len == 8)
		cmpxchg((u64 *)p, old, new);
	else
		cmpxchg((u32 *)p, (u32)old, (u32)new);
	kunmap_local(p);
	set_page_dirty_lock(page);
	return 0;
}

static void mem_flush_ipi(void *unused)
{
}

/**
 * vlapic_vm_flush_tlbs() - make every vCPU drop nested translations.
 * @vm: the VM.
 *
 * Sets VLAPIC_REQ_TLB_FLUSH on every vCPU, then waits for each vCPU that
 * is in guest mode to leave it: an IPI to its CPU runs only once that CPU
 * has interrupts on again, which is after its #VMEXIT. A vCPU that enters
 * afterwards sees the request first (entry checks requests after it
 * publishes VLAPIC_IN_GUEST_MODE, with a full barrier in between).
 *
 * Context: process context; may sleep.
 */
void vlapic_vm_flush_tlbs(struct vlapic_vm_run *vm)
{
	cpumask_var_t cpus;
	bool all = !zalloc_cpumask_var(&cpus, GFP_KERNEL);
	u32 i;

	for (i = 0; i < vm->max_vcpus; i++) {
		/* Pairs with vlapic_vcpu_run_publish(): a complete vCPU. */
		struct vlapic_vcpu_run *v = smp_load_acquire(&vm->vcpus[i]);

		if (!v)
			continue;
		set_bit(VLAPIC_REQ_TLB_FLUSH, &v->requests);
		/* The request before the mode: pairs with the entry's barrier. */
		smp_mb__after_atomic();
		if (!all && READ_ONCE(v->mode) != VLAPIC_OUTSIDE_GUEST_MODE)
			cpumask_set_cpu(READ_ONCE(v->cpu), cpus);
	}
	if (all) {
		/* No memory for a mask: wait for every online CPU instead. */
		on_each_cpu(mem_flush_ipi, NULL, 1);
		return;
	}
	on_each_cpu_mask(cpus, mem_flush_ipi, NULL, true);
	free_cpumask_var(cpus);
}

/**
 * vlapic_run_apic_access_map() - the VM's APIC-access page, mapped.
 * @vm: the VM.
 *
 * Allocates @vm->apic_access on first use and maps it at the default
 * xAPIC base, unless vlapic_run_apic_access_unmap() ran.
 *
 * Context: process; not in an SRCU read section of @vm (takes mem_lock).
 * Return: 0 or -ENOMEM.
 */
int vlapic_run_apic_access_map(struct vlapic_vm_run *vm)
{
	int ret = 0;

	mutex_lock(&vm->mem_lock);
	if (!vm->apic_access) {
		vm->apic_access = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vm->apic_access)
			ret = -ENOMEM;
	}
	if (!ret && !vm->apic_access_off)
		ret = vlapic_gpt_map(&vm->gpt, VLAPIC_DEFAULT_BASE,
				     page_to_phys(vm->apic_access), true);
	mutex_unlock(&vm->mem_lock);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_apic_access_map);

/**
 * vlapic_run_apic_access_unmap() - no APIC-access page any more.
 * @vm: the VM.
 *
 * For good (until the VM goes): the default xAPIC page becomes an EPT
 * violation again, emulated by run/, for a vLAPIC that was disabled,
 * relocated or put in x2APIC mode. Every vCPU flushes its TLB.
 *
 * Context: as vlapic_run_apic_access_map().
 */
void vlapic_run_apic_access_unmap(struct vlapic_vm_run *vm)
{
	mutex_lock(&vm->mem_lock);
	if (!vm->apic_access_off) {
		WRITE_ONCE(vm->apic_access_off, true);
		vlapic_gpt_unmap(&vm->gpt, VLAPIC_DEFAULT_BASE);
		vlapic_vm_flush_tlbs(vm);
	}
	mutex_unlock(&vm->mem_lock);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_apic_access_unmap);
