// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's own test port 0xef: a read returns 0x56 ('V': the guest runs
 * under vlapic-vmm); a write of 1 saves the complete VM state (every
 * vCPU's registers, special registers, MSRs, LAPIC state; the IOAPIC)
 * and loads it back in place before the guest goes on (state.c), on
 * either backend. Other values are ignored.
 */
#include "devices.h"
#include "io.h"
#include "vmm.h"

#define VMM_PORT		0xef
#define VMM_PORT_SIGNATURE	0x56
#define VMM_PORT_ROUNDTRIP	1

static uint32_t vmmport_in(struct vcpu *vcpu, void *opaque, uint16_t off,
			   unsigned int size)
{
	(void)vcpu;
	(void)opaque;
	(void)off;
	(void)size;
	return VMM_PORT_SIGNATURE;
}

static void vmmport_out(struct vcpu *vcpu, void *opaque, uint16_t off,
			unsigned int size, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)size;
	if (val == VMM_PORT_ROUNDTRIP)
		vcpu_request(vcpu, VCPU_ACTION_STATE_ROUNDTRIP);
}

int vmmport_init(struct vm *vm)
{
	return io_register(vm, VMM_PORT, 1, "vmm test port", vmmport_in,
			   vmmport_out, NULL);
}
