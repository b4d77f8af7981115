// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's legacy devices this machine does not have: the 8259 PICs
 * (0x20-0x21, 0xa0-0xa1, ELCR 0x4d0-0x4d1), the 8254 PIT (0x40-0x43),
 * port B (0x61) and the POST port (0x80). Writes are accepted, reads
 * return all ones, each counted under its name in --stats.
 *
 * On --backend kvm, KVM_CREATE_IRQCHIP puts a PIC in the kernel: its
 * ports (0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1) never reach the VMM there,
 * and the guest sees KVM's PIC (docs/vmm.md "Backend differences").
 */
#include "devices.h"
#include "io.h"
#include "vmm.h"

static const struct {
	uint16_t base;
	uint16_t len;
	const char *name;
} absent[] = {
	{ 0x20, 2, "pic master (absent)" },
	{ 0x40, 4, "pit (absent)" },
	{ 0x61, 1, "port b (absent)" },
	{ 0x80, 1, "post (absent)" },
	{ 0xa0, 2, "pic slave (absent)" },
	{ 0x4d0, 2, "elcr (absent)" },
};

int legacy_init(struct vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		ret = io_register(vm, absent[i].base, absent[i].len,
				  absent[i].name, NULL, NULL, NULL);
		if (ret)
			return ret;
	}
	return 0;
}
