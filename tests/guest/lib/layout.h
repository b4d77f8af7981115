/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory layout and descriptor selectors, shared by the assembly
 * entry code and the C runtime. Everything is identity mapped below 4 GiB.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

/* The image is linked (and loaded by the multiboot loader) here. */
#define IMAGE_BASE		0x400000

/*
 * The AP start-up trampoline is copied to TRAMP_BASE (SIPI vector 0x08);
 * initsipi also starts APs from TRAMP_ALT_BASE (vector 0x09).
 */
#define TRAMP_BASE		0x8000
#define TRAMP_ALT_BASE		0x9000

/*
 * Survives a reboot through port 0xcf9 (outside the image, below it, not
 * used by the firmware): seed000's reboot counter.
 */
#define REBOOT_BLOCK		0x200000

/* Highest number of CPUs the runtime brings up (APIC IDs 0..MAX_CPUS-1). */
#define MAX_CPUS		8
#define STACK_SIZE		0x4000

/* GDT selectors. */
#define SEL_CS64		0x08
#define SEL_DS			0x10
#define SEL_CS32		0x18
#define GDT_ENTRIES		4

/*
 * A second, non-identity mapping of the xAPIC page through a 4 KiB page
 * table: in long mode at ALIAS_VA64, under 32-bit PAE paging at ALIAS_VA32.
 */
#define ALIAS_VA64		0x100000000
#define ALIAS_VA32		0x80000000
#define ALIAS_PA		0xfee00000

#endif
