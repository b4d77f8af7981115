// SPDX-License-Identifier: GPL-2.0
/*
 * loader-test: unit tests of the Linux boot protocol loader
 * (loader-linux.c) and the MP table (mptable.c), run on the build host by
 * `make -C tools` (no backend needed). A synthetic bzImage is written to
 * a temporary file, then changed one field at a time; each refusal must
 * name its reason. Prints TAP; exits 1 if any check failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

#define MIB		(1024ULL * 1024)
#define KERN_OFF	1024		/* setup_sects 1 */
#define KERN_BYTES	4096
#define IMG_BYTES	(KERN_OFF + KERN_BYTES)
#define BP		0x7000ULL

static unsigned int n, failed;
static char kernel_path[64] = "/tmp/loader-test-kernel-XXXXXX";
static char initrd_path[64] = "/tmp/loader-test-initrd-XXXXXX";

static void ok(bool cond, const char *fmt, ...) __printf(2, 3);

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", cond ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failed++;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* A bzImage as the kernel's build makes one, protocol 2.15. */
static void good_image(uint8_t *d)
{
	unsigned int i;

	memset(d, 0, IMG_BYTES);
	d[0x1f1] = 1;				/* setup_sects */
	put32(d + 0x1f4, KERN_BYTES / 16);	/* syssize */
	put16(d + 0x1fe, 0xaa55);
	d[0x200] = 0xeb;
	d[0x201] = 0x66;			/* header to 0x268 */
	memcpy(d + 0x202, "HdrS", 4);
	put16(d + 0x206, 0x020f);
	d[0x211] = 1;				/* LOADED_HIGH */
	put32(d + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(d + 0x230, 0x200000);		/* kernel_alignment */
	d[0x234] = 1;				/* relocatable */
	d[0x236] = 3;				/* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	put32(d + 0x238, 2047);			/* cmdline_size */
	put32(d + 0x258, 0x1000000);		/* pref_address */
	put32(d + 0x260, 4 * MIB);		/* init_size */
	for (i = KERN_OFF; i < IMG_BYTES; i++)
		d[i] = i * 7;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
}

/* image_open() on @d (@len bytes) and an initrd of @initrd bytes. */
static int try_open(struct image *img, const uint8_t *d, size_t len,
		    size_t initrd, const char *append, uint64_t mem_bytes,
		    struct guest_mem *mem, char *err, size_t errlen)
{
	uint8_t *rd = calloc(1, initrd ? initrd : 1);
	int ret;

	if (!rd || mem_init(mem, mem_bytes)) {
		perror("loader-test");
		exit(2);
	}
	memset(rd, 0x5a, initrd);
	write_file(kernel_path, d, len);
	write_file(initrd_path, rd, initrd);
	free(rd);
	err[0] = 0;
	ret = image_open(img, kernel_path, false, initrd ? initrd_path : NULL,
			 append, mem, err, errlen);
	return ret;
}

/* The image refused, with @why in its one-line reason. */
static void refused(const uint8_t *d, size_t len, size_t initrd,
		    const char *append, const char *what, const char *why)
{
	struct guest_mem mem = { 0 };
	struct image img;
	char err[512];
	int ret;

	ret = try_open(&img, d, len, initrd, append, 32 * MIB, &mem, err,
		       sizeof(err));
	ok(ret == -1 && strstr(err, why) && !strchr(err, '\n'),
	   "%s: not loaded, \"%s\" (got: %s)", what, why, ret ? err : "accepted");
	if (!ret)
		image_free(&img);
	mem_free(&mem);
}

static void test_refusals(void)
{
	static uint8_t d[IMG_BYTES];
	char longline[3000];

	good_image(d);
	memcpy(d + 0x202, "HdrT", 4);
	refused(d, IMG_BYTES, 0, "x", "bad header magic",
		"no multiboot header");
	good_image(d);
	put16(d + 0x1fe, 0x55aa);
	refused(d, IMG_BYTES, 0, "x", "bad boot flag", "no multiboot header");
	good_image(d);
	put16(d + 0x206, 0x0204);
	refused(d, IMG_BYTES, 0, "x", "protocol 2.04",
		"boot protocol 2.04, this loader needs 2.12");
	good_image(d);
	d[0x236] = 2;
	refused(d, IMG_BYTES, 0, "x", "no 64-bit entry", "no 64-bit entry");
	good_image(d);
	d[0x211] = 0;
	refused(d, IMG_BYTES, 0, "x", "zImage", "not a bzImage");
	good_image(d);
	refused(d, IMG_BYTES - 16, 0, "x", "image cut 16 bytes short",
		"truncated image");
	good_image(d);
	refused(d, 0x220, 0, "x", "image cut inside the setup header",
		"truncated image");
	good_image(d);
	put32(d + 0x260, 64 * MIB);
	refused(d, IMG_BYTES, 0, "x", "init_size beyond RAM",
		"the kernel needs RAM up to 0x5000000");
	good_image(d);
	refused(d, IMG_BYTES, 13 * MIB, "x", "initrd of 13 MiB (12 free)",
		"initrd too big");
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	refused(d, IMG_BYTES, 0, longline, "command line of 2999 bytes and more",
		"command line of");
}

/* The e820 map boot_params holds. */
static void test_layout(void)
{
	static uint8_t d[IMG_BYTES];
	struct guest_mem mem = { 0 };
	struct vlapic_sregs sregs;
	struct vlapic_regs regs;
	struct image img;
	uint8_t *bp, *rd;
	uint64_t *pd;
	char err[512];
	unsigned int i, covered = 0, ram_hits = 0;
	int ret;

	good_image(d);
	ret = try_open(&img, d, IMG_BYTES, 8192, "console=ttyS0 tsc_early_khz=1000",
		       32 * MIB, &mem, err, sizeof(err));
	ok(!ret && img.kind == IMAGE_LINUX, "good bzImage accepted as Linux (%s)",
	   ret ? err : "ok");
	if (ret)
		return;
	image_load(&img, &mem);
	bp = mem_ptr(&mem, BP, 4096);
	ok(!memcmp(mem_ptr(&mem, 0x100000, KERN_BYTES), d + KERN_OFF,
		   KERN_BYTES), "the protected-mode kernel is at 1 MiB");
	ok(bp[0x1e8] == 4, "e820: 4 entries (got %u)", bp[0x1e8]);
	for (i = 0; i < bp[0x1e8]; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		uint64_t a = get64(e), len = get64(e + 8);
		uint32_t type = get32(e + 16);

		if ((a <= 0xfec00000 && a + len > 0xfec00000) ||
		    (a <= 0xfee00000 && a + len > 0xfee00000))
			covered++;
		if (type == 1 && a <= 0x100000 && a + len >= 32 * MIB)
			ram_hits++;
		if (type == 1 && a < 0xf0000 + 0x10000 && a + len > 0xf0000)
			covered++;	/* the MP table's area must be reserved */
	}
	ok(!covered, "e820: nothing at the IOAPIC and LAPIC pages, BIOS area not RAM");
	ok(ram_hits == 1, "e820: RAM from 1 MiB to the end of RAM");
	ok(!strcmp(mem_ptr(&mem, get32(bp + 0x228), 64),
		   "console=ttyS0 tsc_early_khz=1000 vlapic_vmm.boot=0"),
	   "command line at cmd_line_ptr, as given (tsc_early_khz kept), boot 0");
	img.boot = 3;
	image_load(&img, &mem);
	ok(!strcmp(mem_ptr(&mem, get32(bp + 0x228), 64),
		   "console=ttyS0 tsc_early_khz=1000 vlapic_vmm.boot=3"),
	   "after 3 reboots: vlapic_vmm.boot=3");
	ok(bp[0x210] == 0xff && bp[0x1f1] == 1 && get32(bp + 0x202) == 0x53726448,
	   "boot_params: setup header copied, type_of_loader 0xff");
	rd = mem_ptr(&mem, get32(bp + 0x218), 8192);
	ok(get32(bp + 0x21c) == 8192 && !(get32(bp + 0x218) & 0xfff) &&
	   get32(bp + 0x218) + 8192 <= 32 * MIB &&
	   get32(bp + 0x218) >= 0x1000000 + 4 * MIB && rd && rd[0] == 0x5a &&
	   rd[8191] == 0x5a,
	   "initrd: page aligned at the top of RAM, above the kernel (0x%x)",
	   get32(bp + 0x218));
	pd = mem_ptr(&mem, 0xb000, 4 * 4096);
	ok(pd[0] == 0x83 && pd[2047] == (0xffe00000ULL | 0x83) &&
	   get64(mem_ptr(&mem, 0x9000, 8)) == (0xa000 | 3),
	   "page tables: 2 MiB pages mapping 0-4 GiB one to one");
	memset(&sregs, 0, sizeof(sregs));
	image_entry_state(&img, &regs, &sregs);
	ok(regs.rip == 0x100200 && regs.rsi == BP && sregs.cs.l &&
	   sregs.cs.selector == 0x10 && sregs.ds.selector == 0x18 &&
	   (sregs.efer & 0x500) == 0x500 && (sregs.cr0 & 0x80000001) ==
	   0x80000001 && (sregs.cr4 & 0x20) && sregs.cr3 == 0x9000,
	   "entry: startup_64 in long mode, RSI = boot_params");
	image_free(&img);
	mem_free(&mem);

	ret = try_open(&img, d, IMG_BYTES, 0, "console=ttyS0", 32 * MIB, &mem,
		       err, sizeof(err));
	ok(!ret && strstr(img.cmdline, "console=ttyS0 tsc_early_khz="),
	   "the VMM adds tsc_early_khz (%s)", ret ? err : img.cmdline);
	if (!ret)
		image_free(&img);
	mem_free(&mem);
}

static void test_mptable(void)
{
	struct guest_mem mem = { 0 };
	const uint8_t *p, *t, *e;
	unsigned int i, cpus = 0, bsp = 0, irq0_pin = 99, irqs = 0, lint = 0;
	uint8_t sum = 0;

	if (mem_init(&mem, 32 * MIB))
		exit(2);
	ok(mptable_write(&mem, 255) == -1, "MP table: 255 vCPUs refused");
	ok(!mptable_write(&mem, 4), "MP table for 4 vCPUs written");
	p = mem_ptr(&mem, MPTABLE_ADDR, 16);
	for (i = 0; i < 16; i++)
		sum += p[i];
	ok(!memcmp(p, "_MP_", 4) && !sum && p[8] == 1,
	   "floating pointer: signature, checksum, length");
	t = mem_ptr(&mem, get32(p + 4), 44);
	sum = 0;
	for (i = 0; i < (unsigned int)(t[4] | t[5] << 8); i++)
		sum += t[i];
	ok(!memcmp(t, "PCMP", 4) && !sum && get32(t + 36) == 0xfee00000,
	   "configuration table: signature, checksum, LAPIC address");
	e = t + 44;
	for (i = 0; i < (unsigned int)(t[34] | t[35] << 8); i++) {
		switch (e[0]) {
		case 0:
			cpus++;
			bsp += !!(e[3] & 2);
			e += 20;
			continue;
		case 3:
			irqs++;
			if (e[5] == 0)
				irq0_pin = e[7];
			break;
		case 4:
			lint |= 1 << (e[1] * 2 + e[7]);	/* ExtINT 3 LINT0, NMI 1 LINT1 */
			break;
		}
		e += 8;
	}
	ok(cpus == 4 && bsp == 1, "4 processors, one BSP");
	ok(irqs == 15 && irq0_pin == 2, "15 ISA IRQs routed, IRQ 0 on pin 2");
	ok(lint == ((1 << 6) | (1 << 3)), "LINT0 ExtINT, LINT1 NMI");
	mem_free(&mem);
}

int main(void)
{
	int fd1 = mkstemp(kernel_path), fd2 = mkstemp(initrd_path);

	if (fd1 < 0 || fd2 < 0) {
		perror("loader-test: mkstemp");
		return 2;
	}
	close(fd1);
	close(fd2);
	test_refusals();
	test_layout();
	test_mptable();
	unlink(kernel_path);
	unlink(initrd_path);
	printf("1..%u\n", n);
	return failed ? 1 : 0;
}
