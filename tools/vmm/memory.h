/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: one anonymous mapping, shown to the guest as one or two
 * regions: [0, low) below the 32-bit MMIO hole and, above 3 GiB of RAM,
 * the rest from 4 GiB.
 */
#ifndef _VMM_MEMORY_H
#define _VMM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#define MEM_LOW_MAX		0xc0000000ULL	/* 3 GiB: the hole above */
#define MEM_HIGH_BASE		0x100000000ULL
#define MEM_MAX_REGIONS		2

/**
 * struct mem_region - one guest-physical range of RAM.
 * @gpa: first guest-physical address.
 * @size: bytes.
 * @hva: where it is in the VMM.
 */
struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

/**
 * struct guest_mem - all of it.
 * @base: the mapping.
 * @size: total bytes.
 * @nr: regions in @r.
 * @r: the regions, by address.
 */
struct guest_mem {
	uint8_t *base;
	uint64_t size;
	unsigned int nr;
	struct mem_region r[MEM_MAX_REGIONS];
};

/* Map @size bytes (page multiple) of zeroed RAM; 0 or -errno. */
int mem_init(struct guest_mem *mem, uint64_t size);
void mem_free(struct guest_mem *mem);
/* The VMM address of [gpa, gpa + len), or NULL if not all RAM. */
void *mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Bytes of RAM below 4 GiB. */
uint64_t mem_low_size(const struct guest_mem *mem);

#endif /* _VMM_MEMORY_H */
