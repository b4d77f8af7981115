/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel image: a multiboot (v1) ELF32 image, a multiboot image with
 * load addresses in its header (the "a.out kludge"), a Linux bzImage
 * (loader-linux.c: the x86 boot protocol's 64-bit entry), or with --flat
 * a raw binary loaded and entered at LOADER_FLAT_ADDR. image_open() reads
 * and checks everything once; image_load() writes the image, the boot
 * information and the initrd into guest RAM (at boot and at each reboot).
 */
#ifndef _VMM_LOADER_H
#define _VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vlapic.h>

#include "memory.h"
#include "util.h"

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

/* What image_open() found, and so how it is loaded and entered. */
enum image_kind {
	IMAGE_MULTIBOOT,	/* multiboot ELF32 or a.out kludge, or --flat */
	IMAGE_LINUX,		/* bzImage, 64-bit entry (loader-linux.c) */
};

/**
 * struct image - a checked kernel image and what goes with it.
 * @kind: how it is loaded and entered.
 * @data: the file's contents.
 * @size: its size.
 * @nseg: segments in @seg.
 * @seg: the segments, all inside RAM.
 * @entry: the entry point (guest-physical).
 * @initrd: the initrd's contents (NULL without --initrd).
 * @initrd_size: its size.
 * @initrd_name: its path, the module's string.
 * @cmdline: the command line: multiboot "KERNEL APPEND" as QEMU passes
 *	it; Linux APPEND alone.
 * @info_addr: the multiboot information block (page after the image);
 *	Linux: the boot_params page.
 * @initrd_addr: where the initrd goes (page aligned after the block).
 * @end: first byte after everything image_load() writes.
 * @boot: boots of the VM so far (0 at the first), for image_load(): a
 *	Linux command line ends in "vlapic_vmm.boot=N".
 */
struct image {
	enum image_kind kind;
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
	unsigned int boot;
};

/* The reason for a refusal, in @err; returns -1. */
int loader_fail(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

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

/* loader-linux.c: the Linux boot protocol, used when linux_detect() says. */
bool linux_detect(const struct image *img);
/*
 * Check the bzImage in @img (file read, initrd read, @img->cmdline set)
 * for a guest with @low bytes of RAM below 4 GiB, and place the kernel,
 * the boot parameters, the command line and the initrd.
 */
int linux_open(struct image *img, uint64_t low, const char *kernel,
	       char *err, size_t errlen);
void linux_load(const struct image *img, const struct guest_mem *mem);
/*
 * The 64-bit entry state: long mode, paging on with the identity map of
 * the low 4 GiB linux_load() wrote, CS 0x10 / DS 0x18 flat, IF = 0,
 * RSI = boot_params, RIP = startup_64 (load address + 0x200).
 */
void linux_entry_state(const struct image *img, struct vlapic_regs *regs,
		       struct vlapic_sregs *sregs);

/*
 * tsc.c: the host's TSC frequency in kHz (the guest's on both backends),
 * measured; 0 if it could not be.
 */
uint32_t host_tsc_khz(void);

/*
 * mptable.c: the Intel MultiProcessor table Linux reads to find the
 * vCPUs' APIC IDs, the IOAPIC and the ISA interrupt routing (no ACPI),
 * written into the BIOS area at MPTABLE_ADDR; see docs/linux-guest.md.
 */
#define MPTABLE_ADDR		0xf0000U
#define MPTABLE_MAX_BYTES	0x1000U
/* @nr_cpus vCPUs with APIC IDs 0 .. @nr_cpus - 1; 0, or -1 if too many. */
int mptable_write(const struct guest_mem *mem, unsigned int nr_cpus);

#endif /* _VMM_LOADER_H */
