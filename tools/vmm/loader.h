/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel image: a multiboot (v1) ELF32 image, a multiboot image with
 * load addresses in its header (the "a.out kludge"), or with --flat a raw
 * binary loaded and entered at LOADER_FLAT_ADDR. image_open() reads and
 * checks everything once; image_load() writes the image, the boot
 * information and the initrd into guest RAM (at boot and at each reboot).
 */
#ifndef _VMM_LOADER_H
#define _VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vlapic.h>

#include "memory.h"

#define LOADER_FLAT_ADDR	0x100000U
#define LOADER_ENTRY_ESP	0x7c00U		/* stack of the entry state */
#define LOADER_MAX_SEGMENTS	16
#define MULTIBOOT_LOADER_MAGIC	0x2badb002U

/**
 * struct image_segment - one piece of the image in guest RAM.
 * @gpa: where it goes.
 * @offset: where its bytes are in the file.
 * @filesz: bytes copied from the file.
 * @memsz: bytes in RAM (the rest zeroed).
 */
struct image_segment {
	uint64_t gpa;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

/**
 * struct image - a checked kernel image and what goes with it.
 * @data: the file's contents.
 * @size: its size.
 * @nseg: segments in @seg.
 * @seg: the segments, all inside RAM.
 * @entry: the entry point (guest-physical).
 * @initrd: the initrd's contents (NULL without --initrd).
 * @initrd_size: its size.
 * @initrd_name: its path, the module's string.
 * @cmdline: the command line, "KERNEL APPEND" as QEMU passes it.
 * @info_addr: the multiboot information block (page after the image).
 * @initrd_addr: where the initrd goes (page aligned after the block).
 * @end: first byte after everything image_load() writes.
 */
struct image {
	uint8_t *data;
	size_t size;
	unsigned int nseg;
	struct image_segment seg[LOADER_MAX_SEGMENTS];
	uint32_t entry;
	uint8_t *initrd;
	size_t initrd_size;
	const char *initrd_name;
	char *cmdline;
	uint64_t info_addr;
	uint64_t initrd_addr;
	uint64_t end;
};

/*
 * Read and check @kernel (and @initrd) for a guest with @mem's RAM.
 * Returns 0, or -1 with a one-line reason in @err.
 */
int image_open(struct image *img, const char *kernel, bool flat,
	       const char *initrd, const char *append,
	       const struct guest_mem *mem, char *err, size_t errlen);
void image_free(struct image *img);
/* Copy the image, the boot information and the initrd into RAM. */
void image_load(const struct image *img, const struct guest_mem *mem);
/*
 * The multiboot entry state, on top of a vCPU's RESET state: flat 32-bit
 * protected mode, paging off, IF = 0, EAX = the loader magic, EBX = the
 * information block, EIP = the entry point.
 */
void image_entry_state(const struct image *img, struct vlapic_regs *regs,
		       struct vlapic_sregs *sregs);

#endif /* _VMM_LOADER_H */
