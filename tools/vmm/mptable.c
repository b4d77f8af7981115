// SPDX-License-Identifier: GPL-2.0
/*
 * The MP table (loader.h; Intel MultiProcessor Specification 1.4, chapter
 * 4): a floating pointer at MPTABLE_ADDR, the configuration table right
 * after it. Linux finds the pointer by scanning the BIOS area
 * 0xf0000-0xfffff. Entries:
 *
 *	- one processor per vCPU, APIC ID = vCPU index, vCPU 0 the BSP;
 *	- bus 0, ISA;
 *	- the IOAPIC, ID = the number of vCPUs (after every APIC ID), at
 *	  0xfec00000;
 *	- ISA IRQs 0-15 (not 2, the cascade) to IOAPIC pins of the same
 *	  number, except IRQ 0 on pin 2 (the PC's wiring, which the module's
 *	  and KVM's GSI routing assume), edge high as ISA conforms;
 *	- every LAPIC's LINT0 ExtINT and LINT1 NMI.
 *
 * Why an MP table and not ACPI's MADT: docs/linux-guest.md.
 */
#include <stddef.h>
#include <string.h>

#include "loader.h"
#include "util.h"

#define MP_APIC_BASE		0xfee00000U
#define MP_IOAPIC_BASE		0xfec00000U
#define MP_APIC_VERSION		0x14
#define MP_IOAPIC_VERSION	0x11
#define MP_SPEC_REV		4

#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_IOINTR		3
#define MP_LINTR		4

#define MP_CPU_EN		BIT(0)
#define MP_CPU_BP		BIT(1)
#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3
#define MP_ALL_APICS		0xff

struct mpf {			/* the floating pointer */
	char signature[4];	/* "_MP_" */
	uint32_t physptr;
	uint8_t length;		/* in 16 bytes: 1 */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __packed;

struct mpc_header {
	char signature[4];	/* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __packed;

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __packed;

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __packed;

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __packed;

struct mpc_intsrc {		/* I/O and local interrupt entries */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __packed;

static_assert(sizeof(struct mpf) == 16, "MP floating pointer layout");
static_assert(sizeof(struct mpc_header) == 44, "MP table header layout");
static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry layout");
static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry layout");

#define MP_ISA_IRQS		16
#define MP_ENTRIES_BYTES(n)	((n) * sizeof(struct mpc_cpu) + \
				 sizeof(struct mpc_bus) + \
				 sizeof(struct mpc_ioapic) + \
				 (MP_ISA_IRQS - 1 + 2) * sizeof(struct mpc_intsrc))

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

int mptable_write(const struct guest_mem *mem, unsigned int nr_cpus)
{
	size_t len = sizeof(struct mpf) + sizeof(struct mpc_header) +
		     MP_ENTRIES_BYTES(nr_cpus);
	uint8_t *base, *p;
	struct mpc_header hdr;
	struct mpc_ioapic ioapic;
	struct mpc_bus bus;
	struct mpf mpf;
	unsigned int i, count = 0;

	if (!nr_cpus || nr_cpus >= MP_ALL_APICS || len > MPTABLE_MAX_BYTES)
		return -1;
	base = mem_ptr(mem, MPTABLE_ADDR, MPTABLE_MAX_BYTES);
	if (!base)
		return -1;
	memset(base, 0, MPTABLE_MAX_BYTES);
	p = base + sizeof(mpf) + sizeof(hdr);

	for (i = 0; i < nr_cpus; i++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR,
			.apicid = i,
			.apicver = MP_APIC_VERSION,
			.cpuflag = MP_CPU_EN | (i ? 0 : MP_CPU_BP),
		};

		memcpy(p, &cpu, sizeof(cpu));
		p += sizeof(cpu);
		count++;
	}
	memset(&bus, 0, sizeof(bus));
	bus.type = MP_BUS;
	memcpy(bus.bustype, "ISA   ", 6);
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);
	count++;

	memset(&ioapic, 0, sizeof(ioapic));
	ioapic.type = MP_IOAPIC;
	ioapic.apicid = nr_cpus;
	ioapic.apicver = MP_IOAPIC_VERSION;
	ioapic.flags = 1;		/* enabled */
	ioapic.apicaddr = MP_IOAPIC_BASE;
	memcpy(p, &ioapic, sizeof(ioapic));
	p += sizeof(ioapic);
	count++;

	for (i = 0; i < MP_ISA_IRQS; i++) {
		struct mpc_intsrc irq = {
			.type = MP_IOINTR,
			.irqtype = MP_INT,
			.srcbusirq = i,
			.dstapic = nr_cpus,
			.dstirq = i ? i : 2,
		};

		if (i == 2)
			continue;
		memcpy(p, &irq, sizeof(irq));
		p += sizeof(irq);
		count++;
	}
	for (i = 0; i < 2; i++) {
		struct mpc_intsrc lint = {
			.type = MP_LINTR,
			.irqtype = i ? MP_NMI : MP_EXTINT,
			.dstapic = MP_ALL_APICS,
			.dstirq = i,
		};

		memcpy(p, &lint, sizeof(lint));
		p += sizeof(lint);
		count++;
	}

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.signature, "PCMP", 4);
	hdr.length = p - (base + sizeof(mpf));
	hdr.spec = MP_SPEC_REV;
	memcpy(hdr.oem, "VLAPIC  ", 8);
	memcpy(hdr.product, "VLAPIC-VMM  ", 12);
	hdr.count = count;
	hdr.lapic = MP_APIC_BASE;
	memcpy(base + sizeof(mpf), &hdr, sizeof(hdr));
	base[sizeof(mpf) + offsetof(struct mpc_header, checksum)] =
		checksum(base + sizeof(mpf), hdr.length);

	memset(&mpf, 0, sizeof(mpf));
	memcpy(mpf.signature, "_MP_", 4);
	mpf.physptr = MPTABLE_ADDR + sizeof(mpf);
	mpf.length = 1;
	mpf.specification = MP_SPEC_REV;
	memcpy(base, &mpf, sizeof(mpf));
	base[offsetof(struct mpf, checksum)] = checksum(base, sizeof(mpf));
	return 0;
}
