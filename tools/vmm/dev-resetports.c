// SPDX-License-Identifier: GPL-2.0
/*
 * The two ways a PC guest resets itself through ports:
 *
 *	0xcf9		the reset control register (PIIX, QEMU's rules): a
 *			byte write with bit 2 set resets the machine;
 *			otherwise bit 1 is kept and read back
 *	0xcf8-0xcfb	(32-bit) PCI configuration address: latched, read
 *			back; 0xcfc-0xcff configuration data: no device
 *			answers, reads all ones
 *	0x64		keyboard controller: command 0xfe (pulse the reset
 *			line) resets the machine; status reads 0 (both
 *			buffers empty) so reset loops that poll it go on;
 *			0x60 reads 0
 *
 * A reset is done by the vCPU thread once the write completed
 * (reboot.c); a triple fault (SHUTDOWN exit) does the same.
 */
#include "devices.h"
#include "io.h"
#include "vmm.h"

#define PCI_CONFIG_BASE	0xcf8
#define RCR_OFFSET	1
#define RCR_SYS_RST	0x02
#define RCR_RST_CPU	0x04
#define KBC_DATA	0x60
#define KBC_CMD		0x64
#define KBC_PULSE_RESET	0xfe

/* struct resetports - the reset control register and the PCI latch. */
struct resetports {
	uint8_t rcr;
	uint32_t pci_addr;
};

static uint32_t pci_in(struct vcpu *vcpu, void *opaque, uint16_t off,
		       unsigned int size)
{
	struct resetports *r = opaque;

	(void)vcpu;
	if (off == RCR_OFFSET && size == 1)
		return r->rcr;
	if (off == 0 && size == 4)
		return r->pci_addr;
	return 0xffffffff;
}

static void pci_out(struct vcpu *vcpu, void *opaque, uint16_t off,
		    unsigned int size, uint32_t val)
{
	struct resetports *r = opaque;

	if (off == RCR_OFFSET && size == 1) {
		if (val & RCR_RST_CPU)
			vcpu_request(vcpu, VCPU_ACTION_REBOOT);
		else
			r->rcr = val & RCR_SYS_RST;
	} else if (off == 0 && size == 4) {
		r->pci_addr = val;
	}
}

static uint32_t kbc_in(struct vcpu *vcpu, void *opaque, uint16_t off,
		       unsigned int size)
{
	(void)vcpu;
	(void)opaque;
	(void)off;
	(void)size;
	return 0;
}

static void kbc_out(struct vcpu *vcpu, void *opaque, uint16_t off,
		    unsigned int size, uint32_t val)
{
	(void)opaque;
	(void)size;
	if (off == 0 && (val & 0xff) == KBC_PULSE_RESET)
		vcpu_request(vcpu, VCPU_ACTION_REBOOT);
}

static void resetports_reset(struct vm *vm, void *state)
{
	struct resetports *r = state;

	(void)vm;
	r->rcr = 0;
	r->pci_addr = 0;
}

int resetports_init(struct vm *vm)
{
	void *r;
	int ret;

	ret = device_add(vm, "reset", sizeof(struct resetports),
			 resetports_reset, &r);
	if (!ret)
		ret = io_register(vm, PCI_CONFIG_BASE, 8, "pci config / reset",
				  pci_in, pci_out, r);
	if (!ret)
		ret = io_register(vm, KBC_DATA, 1, "keyboard controller data",
				  kbc_in, NULL, r);
	if (!ret)
		ret = io_register(vm, KBC_CMD, 1, "keyboard controller",
				  kbc_in, kbc_out, r);
	return ret;
}
