// SPDX-License-Identifier: GPL-2.0
/*
 * The multiboot (v1) loader (loader.h).
 *
 * Layout in guest RAM, from the first page after the image:
 *
 *	+0	struct mb_info
 *	+128	memory map (struct mb_mmap_entry)
 *	+384	the module entry (struct mb_module)
 *	+400	a flat GDT: null, code 0x08, data 0x10
 *	+432	boot loader name
 *	+448	the module's string (the initrd's path)
 *	+704	the command line
 *	page	the initrd
 *
 * Nothing below 1 MiB is written, so real-mode trampolines a guest puts
 * there (AP start-up) never collide with the boot information.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "util.h"

#define MB_HEADER_MAGIC		0x1badb002U
#define MB_SEARCH_BYTES		8192
#define MB_FLAG_PAGE_ALIGN	BIT(0)
#define MB_FLAG_MEMORY		BIT(1)
#define MB_FLAG_VIDEO		BIT(2)
#define MB_FLAG_AOUT_KLUDGE	BIT(16)
/* Requirement bits (0-15) this loader meets; video is ignored as QEMU. */
#define MB_FLAGS_KNOWN		(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY | \
				 MB_FLAG_VIDEO)

#define MB_INFO_MEMORY		BIT(0)
#define MB_INFO_CMDLINE		BIT(2)
#define MB_INFO_MODS		BIT(3)
#define MB_INFO_MEM_MAP		BIT(6)
#define MB_INFO_LOADER_NAME	BIT(9)

#define OFF_MMAP		128
#define OFF_MODULE		384
#define OFF_GDT			400
#define OFF_LOADER_NAME		432
#define OFF_MODULE_NAME		448
#define MODULE_NAME_MAX		256
#define OFF_CMDLINE		704

#define PAGE_SIZE		4096ULL
#define PAGE_ALIGN(x)		(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define MAX_FILE_BYTES		(256ULL << 20)
#define LOW_MEM_TOP		0x9fc00ULL	/* mem_lower: 639 KiB */
#define BIOS_AREA		0xf0000ULL
#define ONE_MIB			0x100000ULL

/* ELF32, the part a loader reads (the System V ABI's layouts). */
#define ELF_MAGIC		"\177ELF"
#define ELF_MAGIC_LEN		4
#define ELF_CLASS32		1
#define ELF_DATA_LSB		1
#define ELF_TYPE_EXEC		2
#define ELF_MACHINE_386		3
#define ELF_PT_LOAD		1

struct elf32_ehdr {
	uint8_t ident[16];	/* magic, class [4], data [5], ... */
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint32_t entry;
	uint32_t phoff;
	uint32_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf32_phdr {
	uint32_t type;
	uint32_t offset;
	uint32_t vaddr;
	uint32_t paddr;
	uint32_t filesz;
	uint32_t memsz;
	uint32_t flags;
	uint32_t align;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[6];
};

struct mb_mmap_entry {
	uint32_t size;		/* of the rest: 20 */
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __packed;

struct mb_module {
	uint32_t start;
	uint32_t end;
	uint32_t string;
	uint32_t reserved;
};

static_assert(sizeof(struct mb_info) <= OFF_MMAP, "mb_info too big");
static_assert(sizeof(struct elf32_ehdr) == 52, "ELF header layout");
static_assert(sizeof(struct mb_mmap_entry) == 24, "mmap entry layout");

static const char loader_name[] = "vlapic-vmm";

/* Shorter for this file's many refusals. */
#define fail loader_fail

int loader_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Read a whole file; -errno, or -EFBIG above MAX_FILE_BYTES. */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	size_t done = 0;
	uint8_t *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = -EFBIG;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE_BYTES)
		goto out;
	ret = -ENOMEM;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		goto out;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(buf);
			goto out;
		}
		done += n;
	}
	*data = buf;
	*size = done;
	ret = 0;
out:
	close(fd);
	return ret;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The multiboot header's offset in the file, or -1. */
static long find_mb_header(const struct image *img)
{
	size_t limit = img->size < MB_SEARCH_BYTES ? img->size : MB_SEARCH_BYTES;
	size_t off;

	for (off = 0; off + 12 <= limit; off += 4) {
		uint32_t magic = get32(img->data + off);
		uint32_t flags = get32(img->data + off + 4);
		uint32_t sum = get32(img->data + off + 8);

		if (magic == MB_HEADER_MAGIC && magic + flags + sum == 0)
			return off;
	}
	return -1;
}

static int add_segment(struct image *img, uint64_t gpa, uint64_t offset,
		       uint64_t filesz, uint64_t memsz, uint64_t low,
		       const char *kernel, char *err, size_t errlen)
{
	struct image_segment *s;

	if (offset > img->size || filesz > img->size - offset)
		return fail(err, errlen,
			    "%s: truncated image: segment %u needs file bytes 0x%llx-0x%llx, the file has 0x%zx",
			    kernel, img->nseg, (unsigned long long)offset,
			    (unsigned long long)(offset + filesz), img->size);
	if (filesz > memsz)
		return fail(err, errlen,
			    "%s: bad image: segment %u has more file bytes than memory bytes",
			    kernel, img->nseg);
	if (gpa >= low || memsz > low - gpa)
		return fail(err, errlen,
			    "%s: segment %u at 0x%llx-0x%llx is outside the guest's RAM (0-0x%llx)",
			    kernel, img->nseg, (unsigned long long)gpa,
			    (unsigned long long)(gpa + memsz),
			    (unsigned long long)low);
	if (img->nseg == LOADER_MAX_SEGMENTS)
		return fail(err, errlen, "%s: bad image: more than %d segments",
			    kernel, LOADER_MAX_SEGMENTS);
	s = &img->seg[img->nseg++];
	s->gpa = gpa;
	s->offset = offset;
	s->filesz = filesz;
	s->memsz = memsz;
	return 0;
}

static int parse_elf(struct image *img, uint64_t low, const char *kernel,
		     char *err, size_t errlen)
{
	const struct elf32_ehdr *eh = (const struct elf32_ehdr *)img->data;
	const struct elf32_phdr *ph;
	unsigned int i;
	bool entry_found = false;

	if (img->size < sizeof(*eh))
		return fail(err, errlen, "%s: truncated image: no complete ELF header",
			    kernel);
	if (eh->ident[4] != ELF_CLASS32 || eh->ident[5] != ELF_DATA_LSB ||
	    eh->machine != ELF_MACHINE_386 || eh->type != ELF_TYPE_EXEC)
		return fail(err, errlen,
			    "%s: bad image: not an ELF32 little-endian i386 executable",
			    kernel);
	if (eh->phentsize != sizeof(*ph) || !eh->phnum)
		return fail(err, errlen, "%s: bad image: no program headers",
			    kernel);
	if (eh->phoff > img->size ||
	    (uint64_t)eh->phnum * sizeof(*ph) > img->size - eh->phoff)
		return fail(err, errlen,
			    "%s: truncated image: program headers beyond the end of the file",
			    kernel);
	ph = (const struct elf32_phdr *)(img->data + eh->phoff);
	img->entry = eh->entry;
	for (i = 0; i < eh->phnum; i++) {
		if (ph[i].type != ELF_PT_LOAD || !ph[i].memsz)
			continue;
		if (add_segment(img, ph[i].paddr, ph[i].offset, ph[i].filesz,
				ph[i].memsz, low, kernel, err, errlen))
			return -1;
		/* A virtual entry point: translate it as the segment maps. */
		if (!entry_found && eh->entry >= ph[i].vaddr &&
		    eh->entry - ph[i].vaddr < ph[i].memsz) {
			img->entry = ph[i].paddr + (eh->entry - ph[i].vaddr);
			entry_found = true;
		}
	}
	if (!img->nseg)
		return fail(err, errlen, "%s: bad image: no loadable segment",
			    kernel);
	return 0;
}

/* Load addresses from the multiboot header (flag 16). */
static int parse_aout_kludge(struct image *img, long hdr, uint64_t low,
			     const char *kernel, char *err, size_t errlen)
{
	uint32_t header_addr, load_addr, load_end, bss_end;
	uint64_t offset, filesz, memsz;

	if ((size_t)hdr + 32 > img->size)
		return fail(err, errlen, "%s: truncated image: multiboot header",
			    kernel);
	header_addr = get32(img->data + hdr + 12);
	load_addr = get32(img->data + hdr + 16);
	load_end = get32(img->data + hdr + 20);
	bss_end = get32(img->data + hdr + 24);
	img->entry = get32(img->data + hdr + 28);
	if (header_addr < load_addr || header_addr - load_addr > (uint64_t)hdr)
		return fail(err, errlen,
			    "%s: bad image: multiboot header_addr below load_addr",
			    kernel);
	offset = hdr - (header_addr - load_addr);
	filesz = load_end ? (uint64_t)load_end - load_addr : img->size - offset;
	if (load_end && load_end < load_addr)
		return fail(err, errlen, "%s: bad image: load_end_addr below load_addr",
			    kernel);
	memsz = filesz;
	if (bss_end) {
		if (bss_end < load_addr + filesz)
			return fail(err, errlen,
				    "%s: bad image: bss_end_addr below the loaded end",
				    kernel);
		memsz = bss_end - load_addr;
	}
	return add_segment(img, load_addr, offset, filesz, memsz, low, kernel,
			   err, errlen);
}

static int parse_kernel(struct image *img, bool flat, uint64_t low,
			const char *kernel, char *err, size_t errlen)
{
	long hdr;
	uint32_t flags;

	if (flat) {
		img->entry = LOADER_FLAT_ADDR;
		if (!img->size)
			return fail(err, errlen, "%s: bad image: empty file", kernel);
		return add_segment(img, LOADER_FLAT_ADDR, 0, img->size,
				   img->size, low, kernel, err, errlen);
	}
	hdr = find_mb_header(img);
	if (hdr < 0)
		return fail(err, errlen,
			    "%s: bad image: no multiboot header (magic 0x1badb002 and checksum) in the first 8 KiB",
			    kernel);
	flags = get32(img->data + hdr + 4);
	if (flags & 0xffff & ~MB_FLAGS_KNOWN)
		return fail(err, errlen,
			    "%s: bad image: multiboot flags 0x%x ask for features this loader lacks",
			    kernel, flags);
	if (flags & MB_FLAG_AOUT_KLUDGE)
		return parse_aout_kludge(img, hdr, low, kernel, err, errlen);
	if (img->size < ELF_MAGIC_LEN ||
	    memcmp(img->data, ELF_MAGIC, ELF_MAGIC_LEN))
		return fail(err, errlen,
			    "%s: bad image: multiboot header without load addresses in a file that is not ELF",
			    kernel);
	return parse_elf(img, low, kernel, err, errlen);
}

int image_open(struct image *img, const char *kernel, bool flat,
	       const char *initrd, const char *append,
	       const struct guest_mem *mem, char *err, size_t errlen)
{
	uint64_t low = mem_low_size(mem), end = 0;
	size_t len;
	unsigned int i;
	bool is_linux;
	int ret;

	memset(img, 0, sizeof(*img));
	ret = read_file(kernel, &img->data, &img->size);
	if (ret)
		return fail(err, errlen, "%s: cannot read the kernel: %s", kernel,
			    strerror(-ret));
	is_linux = !flat && linux_detect(img);
	if (!is_linux && parse_kernel(img, flat, low, kernel, err, errlen))
		goto bad;
	if (initrd) {
		ret = read_file(initrd, &img->initrd, &img->initrd_size);
		if (ret) {
			fail(err, errlen, "%s: cannot read the initrd: %s", initrd,
			     strerror(-ret));
			goto bad;
		}
		if (strlen(initrd) >= MODULE_NAME_MAX) {
			fail(err, errlen, "%s: initrd path too long", initrd);
			goto bad;
		}
		img->initrd_name = initrd;
	}
	len = strlen(kernel) + 1 + (append ? strlen(append) : 0) + 1 +
	      sizeof(" tsc_early_khz=4294967295");
	img->cmdline = malloc(len);
	if (!img->cmdline) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	if (is_linux) {
		/*
		 * Linux: the command line alone, as its boot loaders pass
		 * it, and the TSC frequency, which Linux 6.1 cannot learn
		 * without a PIT on AMD (docs/linux-guest.md).
		 */
		snprintf(img->cmdline, len, "%s", append ? append : "");
		if (!append || !strstr(append, "tsc_early_khz=")) {
			uint32_t khz = host_tsc_khz();

			if (khz)
				snprintf(img->cmdline + strlen(img->cmdline),
					 len - strlen(img->cmdline),
					 "%stsc_early_khz=%u",
					 append && *append ? " " : "", khz);
		}
		if (linux_open(img, low, kernel, err, errlen))
			goto bad;
		return 0;
	}
	snprintf(img->cmdline, len, "%s%s%s", kernel, append ? " " : "",
		 append ? append : "");

	for (i = 0; i < img->nseg; i++)
		if (img->seg[i].gpa + img->seg[i].memsz > end)
			end = img->seg[i].gpa + img->seg[i].memsz;
	img->info_addr = PAGE_ALIGN(end < ONE_MIB ? ONE_MIB : end);
	img->initrd_addr = PAGE_ALIGN(img->info_addr + OFF_CMDLINE + len);
	img->end = img->initrd_addr + img->initrd_size;
	if (img->end > low) {
		fail(err, errlen,
		     "%s: the image, boot information and initrd (up to 0x%llx) do not fit in the guest's RAM (0x%llx)",
		     kernel, (unsigned long long)img->end,
		     (unsigned long long)low);
		goto bad;
	}
	return 0;
bad:
	image_free(img);
	return -1;
}

void image_free(struct image *img)
{
	free(img->data);
	free(img->initrd);
	free(img->cmdline);
	memset(img, 0, sizeof(*img));
}

static void mmap_add(struct mb_mmap_entry *e, unsigned int *n, uint64_t addr,
		     uint64_t len, uint32_t type)
{
	struct mb_mmap_entry *m = &e[(*n)++];

	m->size = sizeof(*m) - sizeof(m->size);
	m->addr = addr;
	m->len = len;
	m->type = type;
}

/* A flat 4 GiB segment descriptor. */
static uint64_t gdt_flat(uint8_t type)
{
	return 0x00cf00000000ffffULL | ((uint64_t)(0x90 | type) << 40);
}

static void multiboot_load(const struct image *img,
			   const struct guest_mem *mem)
{
	uint8_t *info = mem_ptr(mem, img->info_addr, OFF_CMDLINE);
	struct mb_mmap_entry mmap[8];
	uint64_t low = mem_low_size(mem), gdt[3];
	struct mb_info mbi;
	struct mb_module mod;
	unsigned int i, n = 0;

	/* image_open() checked that all of it lies in RAM. */
	for (i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];
		uint8_t *dst = mem_ptr(mem, s->gpa, s->memsz);

		memcpy(dst, img->data + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}

	mmap_add(mmap, &n, 0, LOW_MEM_TOP, 1);
	mmap_add(mmap, &n, LOW_MEM_TOP, 0xa0000 - LOW_MEM_TOP, 2);
	mmap_add(mmap, &n, BIOS_AREA, ONE_MIB - BIOS_AREA, 2);
	mmap_add(mmap, &n, ONE_MIB, low - ONE_MIB, 1);
	mmap_add(mmap, &n, 0xfec00000, 0x1000, 2);
	mmap_add(mmap, &n, 0xfee00000, 0x1000, 2);
	if (mem->size > low)
		mmap_add(mmap, &n, MEM_HIGH_BASE, mem->size - low, 1);

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
		    MB_INFO_MEM_MAP | MB_INFO_LOADER_NAME;
	mbi.mem_lower = LOW_MEM_TOP / 1024;
	mbi.mem_upper = (low - ONE_MIB) / 1024;
	mbi.cmdline = img->info_addr + OFF_CMDLINE;
	mbi.mods_count = img->initrd ? 1 : 0;
	mbi.mods_addr = img->info_addr + OFF_MODULE;
	mbi.mmap_length = n * sizeof(mmap[0]);
	mbi.mmap_addr = img->info_addr + OFF_MMAP;
	mbi.boot_loader_name = img->info_addr + OFF_LOADER_NAME;

	memset(&mod, 0, sizeof(mod));
	mod.start = img->initrd_addr;
	mod.end = img->initrd_addr + img->initrd_size;
	mod.string = img->info_addr + OFF_MODULE_NAME;

	gdt[0] = 0;
	gdt[1] = gdt_flat(0x0b);	/* code, execute/read, accessed */
	gdt[2] = gdt_flat(0x03);	/* data, read/write, accessed */

	memset(info, 0, OFF_CMDLINE);
	memcpy(info, &mbi, sizeof(mbi));
	memcpy(info + OFF_MMAP, mmap, n * sizeof(mmap[0]));
	memcpy(info + OFF_MODULE, &mod, sizeof(mod));
	memcpy(info + OFF_GDT, gdt, sizeof(gdt));
	memcpy(info + OFF_LOADER_NAME, loader_name, sizeof(loader_name));
	if (img->initrd_name)
		memcpy(info + OFF_MODULE_NAME, img->initrd_name,
		       strlen(img->initrd_name) + 1);
	memcpy(mem_ptr(mem, img->info_addr + OFF_CMDLINE,
		       strlen(img->cmdline) + 1),
	       img->cmdline, strlen(img->cmdline) + 1);
	if (img->initrd)
		memcpy(mem_ptr(mem, img->initrd_addr, img->initrd_size),
		       img->initrd, img->initrd_size);
}

static void flat_segment(struct vlapic_segment *s, uint16_t selector,
			 uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

void image_load(const struct image *img, const struct guest_mem *mem)
{
	if (img->kind == IMAGE_LINUX)
		linux_load(img, mem);
	else
		multiboot_load(img, mem);
}

void image_entry_state(const struct image *img, struct vlapic_regs *regs,
		       struct vlapic_sregs *sregs)
{
	if (img->kind == IMAGE_LINUX) {
		linux_entry_state(img, regs, sregs);
		return;
	}
	memset(regs, 0, sizeof(*regs));
	regs->rax = MULTIBOOT_LOADER_MAGIC;
	regs->rbx = img->info_addr;
	regs->rip = img->entry;
	regs->rsp = LOADER_ENTRY_ESP;
	regs->rflags = 0x2;

	flat_segment(&sregs->cs, 0x08, 0x0b);
	flat_segment(&sregs->ds, 0x10, 0x03);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.limit = 0xffff;
	sregs->tr.type = 0x0b;		/* busy 32-bit TSS */
	sregs->tr.present = 1;
	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.limit = 0xffff;
	sregs->ldt.type = 0x02;
	sregs->ldt.present = 1;
	sregs->gdt.base = img->info_addr + OFF_GDT;
	sregs->gdt.limit = 3 * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 = 0x11;		/* PE, ET; paging and caches as on */
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}
