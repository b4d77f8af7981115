// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "devices": the multiboot entry and information block, and every
 * port of the VMM's device model as a guest sees it. TAP on COM1; the
 * runner passes on its command line "smp=N mem=MIB backend=NAME
 * x2apic=0|1 tsc_deadline=0|1 marker=..." and an initrd that starts with
 * "VLAPIC-INITRD". The lines printed are the same on both backends.
 */
#include "lib.h"

#define MB_LOADER_MAGIC	0x2badb002

static void test_multiboot(void)
{
	const struct mb_info *m = mbi();
	const struct mb_module *mod = (const struct mb_module *)m->mods_addr;
	uint32_t mem = cmdline_uint("mem", 0);
	uint32_t i, found = 0;

	ok(mb_magic == MB_LOADER_MAGIC, "EAX holds the multiboot magic 0x%x",
	   mb_magic);
	ok(!(entry_eflags & X86_EFLAGS_IF), "entered with IF clear");
	ok((entry_cr0 & 0x80000001) == 1,
	   "entered in protected mode without paging");
	ok((m->flags & 0x24d) == 0x24d,
	   "info flags: memory, command line, modules, memory map, loader name");
	ok(m->mem_lower == 639, "mem_lower is 639 KiB");
	ok(m->mem_upper == mem * 1024 - 1024,
	   "mem_upper is RAM above 1 MiB (%u KiB)", m->mem_upper);
	ok(strstr(cmdline(), "marker=vmm-test"),
	   "command line carries --append");
	ok(strstr(cmdline(), "devices.elf "),
	   "command line starts with the kernel path");
	ok(!memcmp((const char *)m->boot_loader_name, "vlapic-vmm", 11),
	   "boot loader name");
	ok(m->mods_count == 1, "one module (the initrd)");
	if (m->mods_count == 1) {
		ok(!memcmp((const void *)mod->start, "VLAPIC-INITRD", 13),
		   "module contents are the initrd's");
		ok(mod->end - mod->start == cmdline_uint("initrd_size", 0),
		   "module size is the initrd's");
		ok(!(mod->start & 0xfff), "module is page aligned");
		ok(strstr((const char *)mod->string, "initrd"),
		   "module string is the initrd path");
	}
	for (i = 0; i < m->mmap_length;) {
		const struct mb_mmap_entry *e =
			(const struct mb_mmap_entry *)(m->mmap_addr + i);

		if (e->addr == 0x100000 && e->type == 1 &&
		    e->len == (uint64_t)m->mem_upper * 1024)
			found++;
		if (e->addr == 0 && e->type == 1 && e->len == 0x9fc00)
			found++;
		i += e->size + 4;
	}
	ok(found == 2, "memory map: RAM below 640 KiB and above 1 MiB");
}

static void test_serial(void)
{
	ok(inb(0x3fd) == 0x60, "serial LSR: transmitter empty (0x60)");
	ok((inb(0x3fa) & 0x0f) == 0x01, "serial IIR: no interrupt pending");
	outb(0x3ff, 0x5a);
	ok(inb(0x3ff) == 0x5a, "serial scratch register keeps 0x5a");
	uint8_t dll, dlm;

	outb(0x3fb, 0x83);
	outb(0x3f8, 0x01);
	outb(0x3f9, 0x00);
	dll = inb(0x3f8);
	dlm = inb(0x3f9);
	outb(0x3fb, 0x03);	/* DLAB off again before anything is printed */
	ok(dll == 0x01 && dlm == 0x00,
	   "serial divisor latch reads back (115200 baud)");
	ok(inb(0x3fb) == 0x03, "serial LCR reads back 8N1");
	ok(inb(0x3fe) == 0xb0, "serial MSR: DCD, DSR, CTS");
}

static void test_fwcfg(void)
{
	char sig[4];
	uint32_t smp = cmdline_uint("smp", 0);
	uint64_t ram = (uint64_t)cmdline_uint("mem", 0) << 20;

	fwcfg_read(0, sig, 4);
	ok(!memcmp(sig, "QEMU", 4), "fw_cfg signature \"QEMU\"");
	ok(fwcfg_u64(1, 4) == 1, "fw_cfg interface ID 1 (no DMA)");
	ok(fwcfg_u64(3, 8) == ram, "fw_cfg RAM size is --mem");
	ok(fwcfg_u64(5, 2) == smp, "fw_cfg NB_CPUS is --smp (%u)", smp);
	ok(fwcfg_u64(0xf, 2) == smp, "fw_cfg MAX_CPUS is --smp");
	ok(fwcfg_u64(0x1234, 8) == 0, "fw_cfg unknown item reads 0");
	outw(0x510, 0);
	inb(0x511);
	inb(0x511);
	inb(0x511);
	inb(0x511);
	ok(inb(0x511) == 0, "fw_cfg reads past an item's end give 0");
}

static uint32_t flush_target = 0xfeedf00d;

static void test_testdev(void)
{
	outl(0xe0, 0x12345678);
	ok(inl(0xe0) == 0x12345678, "pc-testdev data port keeps 32 bits");
	ok(inb(0xe1) == 0x56 && inw(0xe2) == 0x1234,
	   "pc-testdev data port: narrower reads at an offset");
	outb(0xe9, 0xaa);
	ok(inl(0xe8) == 0x1234aa78, "pc-testdev byte port writes one byte");
	outl(0xe4, (uint32_t)&flush_target);
	WRITE_ONCE(flush_target, READ_ONCE(flush_target) + 1);
	ok(READ_ONCE(flush_target) == 0xfeedf00e,
	   "pc-testdev flush page: the page keeps its contents");
	mmio_write(0xff000010, 0xcafe0001);
	ok(mmio_read(0xff000010) == 0xcafe0001,
	   "pc-testdev iomem (0xff000000) keeps a write");
	ok(mmio_read(0xff000100) == 0, "pc-testdev iomem starts zeroed");
}

static void test_absent(void)
{
	bool kvm = cmdline_has("backend=kvm");

	ok(inb(0x80) == 0xff, "POST port 0x80 reads 0xff (absent)");
	ok(inb(0x40) == 0xff && inb(0x43) == 0xff, "PIT ports read 0xff (absent)");
	ok(inb(0x61) == 0xff, "port B 0x61 reads 0xff (absent)");
	ok(inb(0x21) == 0xff && inb(0xa1) == 0xff,
	   "PIC mask registers read 0xff (absent, or KVM's PIC masked)");
	/* KVM's in-kernel PIC answers 0x20 with its IRR (0). */
	ok(kvm ? inb(0x20) == 0 : inb(0x20) == 0xff,
	   "PIC command port: absent, or KVM's PIC with nothing pending");
	ok(inl(0x1230) == 0xffffffff, "an unclaimed port reads all ones");
	ok(mmio_read(0xfed00000) == 0xffffffff,
	   "unclaimed MMIO (0xfed00000) reads all ones");
	ok(inb(0xef) == 0x56, "VMM test port 0xef reads 'V'");
	ok(inb(0x64) == 0, "keyboard controller status: buffers empty");
	outl(0xcf8, 0x80000000);
	ok(inl(0xcf8) == 0x80000000 && inl(0xcfc) == 0xffffffff,
	   "PCI configuration: address latched, no device");
}

static void test_cpuid_ioapic(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	ok(!!(c & (1U << 21)) == !!cmdline_uint("x2apic", 1),
	   "CPUID.1:ECX.x2APIC as --cpu says");
	ok(!!(c & (1U << 24)) == !!cmdline_uint("tsc_deadline", 1),
	   "CPUID.1:ECX.TSC-deadline as --cpu says");
	ok(c & (1U << 31), "CPUID.1:ECX.hypervisor set");
	ok(d & (1U << 9), "CPUID.1:EDX.APIC set");
	ok((b >> 24) == 0, "CPUID.1:EBX initial APIC ID 0 on the BSP");
	ok(ioapic_read(1) == 0x00170011, "IOAPIC version 0x11, 24 pins");
	ok((lapic_read(LAPIC_ID) >> 24) == 0, "LAPIC ID 0 on the BSP");
}

static void test_hypercall(void)
{
	uint32_t ret;

	asm volatile("vmmcall" : "=a"(ret) : "a"(0x7ff0) : "memory");
	ok(ret == (uint32_t)-1000, "VMMCALL returns -1000 (KVM's -ENOSYS)");
}

int main(void)
{
	printf("# vlapic-vmm test guest: devices\n");
	test_multiboot();
	test_serial();
	test_fwcfg();
	test_testdev();
	test_absent();
	test_cpuid_ioapic();
	test_hypercall();
	return tap_done();
}
