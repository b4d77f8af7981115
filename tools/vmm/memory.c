// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM (memory.h).
 */
#include <errno.h>
#include <sys/mman.h>

#include "memory.h"

int mem_init(struct guest_mem *mem, uint64_t size)
{
	uint64_t low = size < MEM_LOW_MAX ? size : MEM_LOW_MAX;
	void *p;

	if (!size || (size & 0xfff))
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	mem->base = p;
	mem->size = size;
	mem->nr = 1;
	mem->r[0].gpa = 0;
	mem->r[0].size = low;
	mem->r[0].hva = mem->base;
	if (size > low) {
		mem->nr = 2;
		mem->r[1].gpa = MEM_HIGH_BASE;
		mem->r[1].size = size - low;
		mem->r[1].hva = mem->base + low;
	}
	return 0;
}

void mem_free(struct guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	mem->base = NULL;
	mem->nr = 0;
}

void *mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->nr; i++) {
		const struct mem_region *r = &mem->r[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

uint64_t mem_low_size(const struct guest_mem *mem)
{
	return mem->nr ? mem->r[0].size : 0;
}
