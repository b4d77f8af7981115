// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's pc-testdev (hw/misc/pc-testdev.c), the contract kvm-unit-tests
 * style guests use:
 *
 *	0xe0-0xe3	a 32-bit scratch register; an access of any size at
 *			port 0xe0 + n reaches its bytes from n on
 *	0xe4-0xe7	"flush page": a 4-byte write of a guest-physical
 *			address takes the host mapping of that RAM page away
 *			and gives it back (mprotect), so KVM must fault it in
 *			again; guest memory of the vlapic backend is pinned,
 *			where it changes nothing the guest can see
 *	0xe8-0xeb	the same scratch register, byte by byte
 *	0x2000-0x2017	IRQ lines: a byte write of v to 0x2000 + n drives
 *			IOAPIC input n to !!v (other sizes are ignored)
 *	0xff000000	64 KiB of scratch MMIO ("iomem")
 */
#include <string.h>
#include <sys/mman.h>

#include "devices.h"
#include "io.h"
#include "vmm.h"

#define TESTDEV_PORT		0xe0
#define TESTDEV_FLUSH		0xe4
#define TESTDEV_PORT_BYTE	0xe8
#define TESTDEV_IRQ		0x2000
#define TESTDEV_IOMEM		0xff000000ULL
#define TESTDEV_IOMEM_SIZE	0x10000

/* struct testdev - the scratch register and the scratch MMIO. */
struct testdev {
	uint32_t data;
	uint8_t iomem[TESTDEV_IOMEM_SIZE];
};

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xffffffff : (1U << (8 * size)) - 1;
}

static uint32_t testdev_port_in(struct vcpu *vcpu, void *opaque, uint16_t off,
				unsigned int size)
{
	struct testdev *t = opaque;
	unsigned int shift = 8 * (off & 3);

	(void)vcpu;
	return (t->data >> shift) & size_mask(size);
}

static void testdev_port_out(struct vcpu *vcpu, void *opaque, uint16_t off,
			     unsigned int size, uint32_t val)
{
	struct testdev *t = opaque;
	unsigned int shift = 8 * (off & 3);
	uint32_t mask = size_mask(size) << shift;

	(void)vcpu;
	t->data = (t->data & ~mask) | ((val << shift) & mask);
}

static void testdev_flush_out(struct vcpu *vcpu, void *opaque, uint16_t off,
			      unsigned int size, uint32_t val)
{
	void *page = mem_ptr(&vcpu->vm->mem, val & ~0xfffU, 4096);

	(void)opaque;
	if (off || size != 4 || !page)
		return;
	mprotect(page, 4096, PROT_NONE);
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static void testdev_irq_out(struct vcpu *vcpu, void *opaque, uint16_t off,
			    unsigned int size, uint32_t val)
{
	(void)opaque;
	if (size == 1)
		vm_set_irq(vcpu->vm, off, (val & 0xff) != 0);
}

static void testdev_iomem(struct vcpu *vcpu, void *opaque, uint64_t off,
			  unsigned int size, uint8_t *data, bool write)
{
	struct testdev *t = opaque;

	(void)vcpu;
	if (write)
		memcpy(t->iomem + off, data, size);
	else
		memcpy(data, t->iomem + off, size);
}

static void testdev_reset(struct vm *vm, void *state)
{
	unsigned int gsi;

	memset(state, 0, sizeof(struct testdev));
	for (gsi = 0; gsi < VMM_NR_GSIS; gsi++)
		vm_set_irq(vm, gsi, false);
}

int testdev_init(struct vm *vm)
{
	void *t;
	int ret;

	ret = device_add(vm, "pc-testdev", sizeof(struct testdev),
			 testdev_reset, &t);
	if (ret)
		return ret;
	ret = io_register(vm, TESTDEV_PORT, 4, "pc-testdev", testdev_port_in,
			  testdev_port_out, t);
	if (!ret)
		ret = io_register(vm, TESTDEV_FLUSH, 4, "pc-testdev flush",
				  NULL, testdev_flush_out, t);
	if (!ret)
		ret = io_register(vm, TESTDEV_PORT_BYTE, 4, "pc-testdev byte",
				  testdev_port_in, testdev_port_out, t);
	if (!ret)
		ret = io_register(vm, TESTDEV_IRQ, VMM_NR_GSIS,
				  "pc-testdev irq", NULL, testdev_irq_out, t);
	if (!ret)
		ret = mmio_register(vm, TESTDEV_IOMEM, TESTDEV_IOMEM_SIZE,
				    "pc-testdev iomem", testdev_iomem, t);
	return ret;
}
