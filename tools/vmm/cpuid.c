// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: what the backend can offer, the same edits on both
 * backends, so a guest sees the same features wherever the backends
 * agree:
 *
 *	- hypervisor leaves 0x40000000-0x4fffffff dropped (KVM's
 *	  paravirtual interface is not part of the machine);
 *	- leaf 1: x2APIC (ECX 21) and TSC-deadline (ECX 24) as --cpu says,
 *	  APIC (EDX 9) and "hypervisor" (ECX 31) set, initial APIC ID in
 *	  EBX[31:24];
 *	- leaf 6: ARAT (EAX 2), the LAPIC timer keeps running in deep
 *	  C-states, as it does here (the timer is the module's or KVM's,
 *	  not the CPU's); with TSC-deadline and a known TSC frequency it
 *	  lets Linux run without a PIT (docs/linux-guest.md); the leaf is
 *	  added if the backend has none;
 *	- leaves 0xb and 0x1f: the x2APIC ID in EDX; leaf 0x8000001e: the
 *	  extended APIC ID in EAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define CPUID_1_ECX_X2APIC		BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE	BIT(24)
#define CPUID_1_ECX_HYPERVISOR		BIT(31)
#define CPUID_1_EDX_APIC		BIT(9)
#define CPUID_6_EAX_ARAT		BIT(2)

static size_t cpuid_bytes(uint32_t nent)
{
	return sizeof(struct vlapic_cpuid2) +
	       nent * sizeof(struct vlapic_cpuid_entry2);
}

int cpuid_build(struct vm *vm)
{
	struct vlapic_cpuid2 *c;
	uint32_t i, n = 0;
	bool has_leaf6 = false;
	int ret;

	c = calloc(1, cpuid_bytes(VLAPIC_MAX_CPUID_ENTRIES));
	if (!c)
		return -ENOMEM;
	c->nent = VLAPIC_MAX_CPUID_ENTRIES;
	ret = vm->ops->supported_cpuid(vm, c);
	if (ret) {
		free(c);
		return ret;
	}
	for (i = 0; i < c->nent; i++) {
		struct vlapic_cpuid_entry2 *e = &c->entries[i];

		if ((e->function & 0xf0000000) == 0x40000000)
			continue;
		if (e->function == 1) {
			e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
			if (vm->opt.x2apic)
				e->ecx |= CPUID_1_ECX_X2APIC;
			if (vm->opt.tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			e->edx |= CPUID_1_EDX_APIC;
		}
		if (e->function == 6) {
			e->eax |= CPUID_6_EAX_ARAT;
			has_leaf6 = true;
		}
		if (e->function == 0 && e->eax < 6)
			e->eax = 6;
		c->entries[n++] = *e;
	}
	if (!has_leaf6 && n < VLAPIC_MAX_CPUID_ENTRIES) {
		memset(&c->entries[n], 0, sizeof(c->entries[n]));
		c->entries[n].function = 6;
		c->entries[n].eax = CPUID_6_EAX_ARAT;
		n++;
	}
	c->nent = n;
	vm->cpuid = c;
	return 0;
}

int cpuid_for_vcpu(const struct vm *vm, unsigned int index,
		   struct vlapic_cpuid2 **out)
{
	size_t bytes = cpuid_bytes(vm->cpuid->nent);
	struct vlapic_cpuid2 *c = malloc(bytes);
	uint32_t i;

	if (!c)
		return -ENOMEM;
	memcpy(c, vm->cpuid, bytes);
	for (i = 0; i < c->nent; i++) {
		struct vlapic_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (index << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = index;
		else if (e->function == 0x8000001e)
			e->eax = index;
	}
	*out = c;
	return 0;
}
