// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's isa-debug-exit at ports 0xf4-0xf7: a write of v, of any size,
 * ends the VMM with exit status (v << 1) | 1 (the shell sees its low
 * 8 bits). Reads return all ones.
 */
#include "devices.h"
#include "io.h"
#include "vmm.h"

#define DEBUG_EXIT_BASE	0xf4

static void debugexit_out(struct vcpu *vcpu, void *opaque, uint16_t off,
			  unsigned int size, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)size;
	vm_request_exit(vcpu->vm, (int)(((val << 1) | 1) & 0xff));
}

int debugexit_init(struct vm *vm)
{
	return io_register(vm, DEBUG_EXIT_BASE, 4, "debug-exit", NULL,
			   debugexit_out, NULL);
}
