// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 boot protocol, 64-bit entry (loader.h;
 * Documentation/arch/x86/boot.rst of the kernel names every field).
 *
 * A bzImage is a real-mode setup part ((setup_sects + 1) sectors, with
 * the setup header at 0x1f1) and the protected-mode kernel after it. The
 * setup part never runs: the VMM does what it would do and enters the
 * kernel's startup_64 directly. Layout in guest RAM:
 *
 *	0x1000	GDT: null, null, code64 0x10, data 0x18 (__BOOT_CS/DS)
 *	0x7000	boot_params (the "zero page"), the image's setup header in it
 *	0x9000	PML4, 0xa000 PDPT, 0xb000-0xefff four PDs: 2 MiB pages
 *		mapping 0-4 GiB one to one
 *	0x20000	the command line, " vlapic_vmm.boot=N" added (N: reboots
 *		so far)
 *	0xf0000	the MP table (mptable.c)
 *	1 MiB	the protected-mode kernel; it decompresses itself to its
 *		preferred address (16 MiB) and needs init_size bytes there
 *	top	the initrd, page aligned, as high as RAM and the kernel's
 *		initrd_addr_max allow
 *
 * The e820 map lists RAM and the reserved BIOS areas and nothing at the
 * IOAPIC (0xfec00000) or LAPIC (0xfee00000) pages: they are MMIO the
 * kernel maps from the MP table, not memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "util.h"

/* Offsets in the image's first sector and in boot_params. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_MIN		0x264	/* through init_size (2.10) */
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

#define BOOT_FLAG		0xaa55
#define HDR_MAGIC_VALUE		0x53726448U	/* "HdrS" */
#define PROTOCOL_MIN		0x020c	/* 2.12: xloadflags */
#define LOADED_HIGH		BIT(0)
#define XLF_KERNEL_64		BIT(0)
#define LOADER_TYPE_UNKNOWN	0xff
#define STARTUP_64_OFFSET	0x200
/* What linux_load() appends to the command line, at its longest. */
#define BOOT_PARAM_FMT		" vlapic_vmm.boot=%u"
#define BOOT_PARAM_MAX		" vlapic_vmm.boot=4294967295"

#define LINUX_GDT		0x1000ULL
#define LINUX_BOOT_PARAMS	0x7000ULL
#define LINUX_PML4		0x9000ULL
#define LINUX_PDPT		0xa000ULL
#define LINUX_PD		0xb000ULL	/* four pages */
#define LINUX_CMDLINE		0x20000ULL
#define LINUX_CMDLINE_MAX	0x10000ULL	/* up to the BIOS areas */
#define LINUX_LOAD_ADDR		0x100000ULL
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18
#define LINUX_STACK		0x8ff0ULL	/* below the page tables */

#define PAGE_SIZE		4096ULL
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define LOW_MEM_TOP		0x9fc00ULL
#define BIOS_AREA		0xf0000ULL
#define ONE_MIB			0x100000ULL
#define E820_RAM		1
#define E820_RESERVED		2

#define PTE_P			BIT_ULL(0)
#define PTE_RW			BIT_ULL(1)
#define PTE_PS			BIT_ULL(7)

#define CR0_PE			BIT_ULL(0)
#define CR0_ET			BIT_ULL(4)
#define CR0_PG			BIT_ULL(31)
#define CR4_PAE			BIT_ULL(5)
#define EFER_LME		BIT_ULL(8)
#define EFER_LMA		BIT_ULL(10)

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

static_assert(sizeof(struct e820_entry) == 20, "e820 entry layout");

static uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

bool linux_detect(const struct image *img)
{
	return img->size >= HDR_MAGIC + 4 &&
	       get16(img->data + HDR_BOOT_FLAG) == BOOT_FLAG &&
	       get32(img->data + HDR_MAGIC) == HDR_MAGIC_VALUE;
}

/* End of the setup header (the jump at 0x200 skips over it). */
static uint64_t hdr_end(const struct image *img)
{
	return HDR_JUMP + 2 + img->data[HDR_JUMP + 1];
}

int linux_open(struct image *img, uint64_t low, const char *kernel,
	       char *err, size_t errlen)
{
	const uint8_t *d = img->data;
	uint64_t kern_off, kern_size, extract, align, top, kern_end;
	uint32_t setup_sects, init_size, initrd_max, cmdline_size;
	uint16_t version;
	size_t cmdlen = strlen(img->cmdline) + sizeof(BOOT_PARAM_MAX);

	version = get16(d + HDR_VERSION);
	if (version < PROTOCOL_MIN)
		return loader_fail(err, errlen,
				   "%s: bad image: boot protocol %u.%02u, this loader needs 2.12 or later (64-bit entry)",
				   kernel, version >> 8, version & 0xff);
	if (img->size < HDR_END_MIN || hdr_end(img) > img->size)
		return loader_fail(err, errlen,
				   "%s: truncated image: the setup header ends past the file",
				   kernel);
	if (hdr_end(img) < HDR_END_MIN || hdr_end(img) > BP_E820_TABLE)
		return loader_fail(err, errlen,
				   "%s: bad image: setup header of 0x%llx bytes",
				   kernel,
				   (unsigned long long)(hdr_end(img) - HDR_SETUP_SECTS));
	if (!(d[HDR_XLOADFLAGS] & XLF_KERNEL_64))
		return loader_fail(err, errlen,
				   "%s: bad image: no 64-bit entry point (xloadflags)",
				   kernel);
	if (!(d[HDR_LOADFLAGS] & LOADED_HIGH))
		return loader_fail(err, errlen,
				   "%s: bad image: a zImage (loaded low), not a bzImage",
				   kernel);
	setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	kern_off = (uint64_t)(setup_sects + 1) * 512;
	if (kern_off >= img->size ||
	    (uint64_t)get32(d + HDR_SYSSIZE) * 16 > img->size - kern_off)
		return loader_fail(err, errlen,
				   "%s: truncated image: the kernel needs 0x%llx bytes after its setup, the file has 0x%llx",
				   kernel,
				   (unsigned long long)get32(d + HDR_SYSSIZE) * 16,
				   (unsigned long long)(img->size > kern_off ?
							img->size - kern_off : 0));
	kern_size = img->size - kern_off;

	cmdline_size = get32(d + HDR_CMDLINE_SIZE);
	if (cmdlen > (uint64_t)cmdline_size + 1 || cmdlen > LINUX_CMDLINE_MAX)
		return loader_fail(err, errlen,
				   "%s: command line of %zu bytes, the kernel takes %u",
				   kernel, cmdlen - sizeof(BOOT_PARAM_MAX),
				   cmdline_size);

	/* Where the kernel decompresses itself, and how much it needs. */
	init_size = get32(d + HDR_INIT_SIZE);
	align = get32(d + HDR_KERNEL_ALIGNMENT);
	extract = get64(d + HDR_PREF_ADDRESS);
	if (d[HDR_RELOCATABLE] && align && !(align & (align - 1)) &&
	    ((LINUX_LOAD_ADDR + align - 1) & ~(align - 1)) > extract)
		extract = (LINUX_LOAD_ADDR + align - 1) & ~(align - 1);
	kern_end = extract + init_size;
	if (kern_end < LINUX_LOAD_ADDR + kern_size)
		kern_end = LINUX_LOAD_ADDR + kern_size;
	if (extract < LINUX_LOAD_ADDR || kern_end > low)
		return loader_fail(err, errlen,
				   "%s: the kernel needs RAM up to 0x%llx, the guest has 0x%llx",
				   kernel, (unsigned long long)kern_end,
				   (unsigned long long)low);
	img->nseg = 1;
	img->seg[0].gpa = LINUX_LOAD_ADDR;
	img->seg[0].offset = kern_off;
	img->seg[0].filesz = kern_size;
	img->seg[0].memsz = kern_size;

	initrd_max = get32(d + HDR_INITRD_ADDR_MAX);
	top = low;
	if (top > (uint64_t)initrd_max + 1)
		top = (uint64_t)initrd_max + 1;
	top &= PAGE_MASK;
	img->initrd_addr = top;
	if (img->initrd) {
		if (img->initrd_size > top - kern_end)
			return loader_fail(err, errlen,
					   "%s: initrd too big: %zu bytes, room for %llu between the kernel and 0x%llx",
					   img->initrd_name, img->initrd_size,
					   (unsigned long long)(top > kern_end ?
								top - kern_end : 0),
					   (unsigned long long)top);
		img->initrd_addr = (top - img->initrd_size) & PAGE_MASK;
		if (img->initrd_addr < kern_end)
			return loader_fail(err, errlen,
					   "%s: initrd too big: %zu bytes, room for %llu between the kernel and 0x%llx",
					   img->initrd_name, img->initrd_size,
					   (unsigned long long)(top - kern_end),
					   (unsigned long long)top);
	}
	img->kind = IMAGE_LINUX;
	img->entry = LINUX_LOAD_ADDR + STARTUP_64_OFFSET;
	img->info_addr = LINUX_BOOT_PARAMS;
	img->end = kern_end;
	return 0;
}

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct e820_entry e = { .addr = addr, .size = size, .type = type };
	uint8_t n = bp[BP_E820_ENTRIES];

	memcpy(bp + BP_E820_TABLE + n * sizeof(e), &e, sizeof(e));
	bp[BP_E820_ENTRIES] = n + 1;
}

/* A flat code64 or data descriptor (access byte @access). */
static uint64_t gdt_entry(uint8_t access, bool code64)
{
	uint64_t flags = code64 ? 0xa : 0xc;	/* G + L, or G + D/B */

	return 0xffffULL | (uint64_t)access << 40 | 0xfULL << 48 |
	       flags << 52;
}

void linux_load(const struct image *img, const struct guest_mem *mem)
{
	uint8_t *bp = mem_ptr(mem, LINUX_BOOT_PARAMS, BP_SIZE);
	uint64_t *pml4 = mem_ptr(mem, LINUX_PML4, PAGE_SIZE);
	uint64_t *pdpt = mem_ptr(mem, LINUX_PDPT, PAGE_SIZE);
	uint64_t *pd = mem_ptr(mem, LINUX_PD, 4 * PAGE_SIZE);
	uint64_t *gdt = mem_ptr(mem, LINUX_GDT, 4 * sizeof(uint64_t));
	uint64_t low = mem_low_size(mem), hdr_len = hdr_end(img) - HDR_SETUP_SECTS;
	const struct image_segment *s = &img->seg[0];
	unsigned int i;
	char *cmdline;

	/* linux_open() checked that all of it lies in RAM. */
	memcpy(mem_ptr(mem, s->gpa, s->filesz), img->data + s->offset,
	       s->filesz);
	/* The boot number lets the guest tell a reboot from the first boot. */
	cmdline = mem_ptr(mem, LINUX_CMDLINE, LINUX_CMDLINE_MAX);
	snprintf(cmdline, LINUX_CMDLINE_MAX, "%s" BOOT_PARAM_FMT, img->cmdline,
		 img->boot);
	if (img->initrd)
		memcpy(mem_ptr(mem, img->initrd_addr, img->initrd_size),
		       img->initrd, img->initrd_size);

	memset(gdt, 0, 4 * sizeof(uint64_t));
	gdt[LINUX_BOOT_CS / 8] = gdt_entry(0x9b, true);
	gdt[LINUX_BOOT_DS / 8] = gdt_entry(0x93, false);

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	pml4[0] = LINUX_PDPT | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (LINUX_PD + i * PAGE_SIZE) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;

	/* boot_params: zero, the image's setup header, what a loader fills. */
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_SETUP_SECTS, img->data + HDR_SETUP_SECTS, hdr_len);
	bp[BP_SENTINEL] = 0;
	bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNKNOWN;
	put32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE);
	put32(bp + HDR_RAMDISK_IMAGE, img->initrd ? img->initrd_addr : 0);
	put32(bp + HDR_RAMDISK_SIZE, img->initrd_size);
	bp[HDR_HEAP_END_PTR] = 0;
	bp[HDR_HEAP_END_PTR + 1] = 0xfe;
	e820_add(bp, 0, LOW_MEM_TOP, E820_RAM);
	e820_add(bp, LOW_MEM_TOP, 0xa0000 - LOW_MEM_TOP, E820_RESERVED);
	e820_add(bp, BIOS_AREA, ONE_MIB - BIOS_AREA, E820_RESERVED);
	e820_add(bp, ONE_MIB, low - ONE_MIB, E820_RAM);
	if (mem->size > low)
		e820_add(bp, MEM_HIGH_BASE, mem->size - low, E820_RAM);
}

static void segment64(struct vlapic_segment *s, uint16_t selector,
		      uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

void linux_entry_state(const struct image *img, struct vlapic_regs *regs,
		       struct vlapic_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rsi = img->info_addr;
	regs->rip = img->entry;
	regs->rsp = LINUX_STACK;
	regs->rflags = 0x2;

	segment64(&sregs->cs, LINUX_BOOT_CS, 0x0b, true);
	segment64(&sregs->ds, LINUX_BOOT_DS, 0x03, false);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.limit = 0xffff;
	sregs->tr.type = 0x0b;		/* busy 64-bit TSS */
	sregs->tr.present = 1;
	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.limit = 0xffff;
	sregs->ldt.type = 0x02;
	sregs->ldt.present = 1;
	sregs->gdt.base = LINUX_GDT;
	sregs->gdt.limit = 4 * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 = CR0_PE | CR0_ET | CR0_PG;
	sregs->cr2 = 0;
	sregs->cr3 = LINUX_PML4;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
}
