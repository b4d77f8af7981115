// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for a running guest: the table userspace sets (SET_CPUID2, KVM's
 * struct kvm_cpuid2), with the bits the module owns fixed up at each
 * execution, and the table of what the module can offer
 * (VLAPIC_GET_SUPPORTED_CPUID).
 *
 * Owned by the module, whatever the table says:
 *   leaf 1 EBX[31:24]	initial APIC ID
 *   leaf 1 ECX[21]	x2APIC, only in a VM created with VLAPIC_VM_X2APIC
 *   leaf 1 ECX[24]	TSC-deadline, only with VLAPIC_VM_TSC_DEADLINE
 *   leaf 1 ECX[27]	OSXSAVE = CR4.OSXSAVE
 *   leaf 1 EDX[9]	APIC = IA32_APIC_BASE.EN
 *   leaf 7 ECX[4]	OSPKE = CR4.PKE
 *   leaves 0xb, 0x1f EDX	x2APIC ID
 *   leaf 0x80000001 ECX[2]	SVM: never (no nested virtualization)
 * A leaf (or subleaf) not in the table reads as zeros.
 */

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include <vlapic/lapic.h>
#include <vlapic/export.h>
#include <vlapic/run.h>

#include "run_priv.h"

#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_TSC_DEADLINE	BIT(24)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID1_EDX_APIC		BIT(9)
#define CPUID7_ECX_OSPKE	BIT(4)
#define CPUIDX1_ECX_SVM		BIT(2)

/**
 * vlapic_run_set_cpuid() - VLAPIC_SET_CPUID2.
 * @vcpu: the vCPU.
 * @argp: struct vlapic_cpuid2 in userspace.
 *
 * Return: 0; -E2BIG for more than VLAPIC_MAX_CPUID_ENTRIES; -EINVAL for
 * unknown flags; -EFAULT; -ENOMEM. The old table stays on error.
 */
int vlapic_run_set_cpuid(struct vlapic_vcpu_run *vcpu, void __user *argp)
{
	struct vlapic_cpuid2 __user *user = argp;
	struct vlapic_cpuid_entry2 *e = NULL;
	struct vlapic_cpuid2 hdr;
	u32 i;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > VLAPIC_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = kvmalloc_array(hdr.nent, sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
		if (copy_from_user(e, user->entries, hdr.nent * sizeof(*e))) {
			kvfree(e);
			return -EFAULT;
		}
		for (i = 0; i < hdr.nent; i++) {
			if (e[i].flags & ~VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX) {
				kvfree(e);
				return -EINVAL;
			}
		}
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->nr_cpuid = hdr.nent;
	return 0;
}

/**
 * vlapic_run_get_cpuid() - VLAPIC_GET_CPUID2: the table as set.
 * @vcpu: the vCPU.
 * @argp: struct vlapic_cpuid2 in userspace; nent: room in entries.
 *
 * Return: 0; -E2BIG (nent set to the size needed); -EFAULT.
 */
int vlapic_run_get_cpuid(struct vlapic_vcpu_run *vcpu, void __user *argp)
{
	struct vlapic_cpuid2 __user *user = argp;
	struct vlapic_cpuid2 hdr;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->nr_cpuid) {
		hdr.nent = vcpu->nr_cpuid;
		return copy_to_user(user, &hdr, sizeof(hdr)) ? -EFAULT : -E2BIG;
	}
	hdr.nent = vcpu->nr_cpuid;
	if (copy_to_user(user, &hdr, sizeof(hdr)) ||
	    copy_to_user(user->entries, vcpu->cpuid,
			 vcpu->nr_cpuid * sizeof(*vcpu->cpuid)))
		return -EFAULT;
	return 0;
}

/**
 * vlapic_run_cpuid_lookup() - CPUID as the guest sees it.
 * @vcpu: the vCPU.
 * @function: EAX.
 * @index: ECX.
 * @eax: result.
 * @ebx: result.
 * @ecx: result.
 * @edx: result.
 */
void vlapic_run_cpuid_lookup(struct vlapic_vcpu_run *vcpu, u32 function,
			     u32 index, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	struct vlapic_vm_run *vm = vcpu->vm;
	struct emul_cpu cpu;
	u64 apic_base = 0;
	u32 i;

	*eax = *ebx = *ecx = *edx = 0;
	for (i = 0; i < vcpu->nr_cpuid; i++) {
		const struct vlapic_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function != function ||
		    ((e->flags & VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		     e->index != index))
			continue;
		*eax = e->eax;
		*ebx = e->ebx;
		*ecx = e->ecx;
		*edx = e->edx;
		break;
	}
	switch (function) {
	case 1:
		vm->ops->get_cpu_state(vcpu, &cpu);
		vlapic_msr_read(vcpu->vlapic, VLAPIC_MSR_APIC_BASE, &apic_base);
		*ebx = (*ebx & 0x00ffffff) | ((vcpu->apic_id & 0xff) << 24);
		*ecx &= ~(CPUID1_ECX_OSXSAVE | CPUID1_ECX_X2APIC |
			  CPUID1_ECX_TSC_DEADLINE);
		if (vm->x2apic && i < vcpu->nr_cpuid &&
		    (vcpu->cpuid[i].ecx & CPUID1_ECX_X2APIC))
			*ecx |= CPUID1_ECX_X2APIC;
		if (vm->tsc_deadline && i < vcpu->nr_cpuid &&
		    (vcpu->cpuid[i].ecx & CPUID1_ECX_TSC_DEADLINE))
			*ecx |= CPUID1_ECX_TSC_DEADLINE;
		if (cpu.cr4 & X86_CR4_OSXSAVE)
			*ecx |= CPUID1_ECX_OSXSAVE;
		*edx &= ~CPUID1_EDX_APIC;
		if (apic_base & VLAPIC_BASE_ENABLE)
			*edx |= CPUID1_EDX_APIC;
		break;
	case 7:
		if (index)
			break;
		vm->ops->get_cpu_state(vcpu, &cpu);
		*ecx &= ~CPUID7_ECX_OSPKE;
		if (cpu.cr4 & X86_CR4_PKE)
			*ecx |= CPUID7_ECX_OSPKE;
		break;
	case 0xb:
	case 0x1f:
		*edx = vcpu->apic_id;
		break;
	case 0x80000001:
		*ecx &= ~CPUIDX1_ECX_SVM;
		break;
	}
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_cpuid_lookup);

/* --- VLAPIC_GET_SUPPORTED_CPUID --------------------------------------------- */

/* Leaf 1: what a guest may be offered on this host. */
#define SUP1_EDX (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | \
		  BIT(6) | BIT(8) | BIT(9) | BIT(11) | BIT(13) | BIT(15) | \
		  BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | \
		  BIT(26))
#define SUP1_ECX (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | BIT(19) | \
		  BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(30))
#define SUP7_EBX (BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(10) | \
		  BIT(18) | BIT(19) | BIT(20) | BIT(23) | BIT(29))
#define SUP7_ECX (BIT(2) | BIT(3))
#define SUPX1_ECX (BIT(0) | BIT(1) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
#define SUPX1_EDX (BIT(11) | BIT(20) | BIT(22) | BIT(26) | BIT(29) | \
		   (SUP1_EDX & 0x0183f3ff))

static void sup_add(struct vlapic_cpuid_entry2 *e, u32 *n, u32 fn, u32 idx,
		    bool sig, u32 eax, u32 ebx, u32 ecx, u32 edx)
{
	struct vlapic_cpuid_entry2 *x = &e[(*n)++];

	memset(x, 0, sizeof(*x));
	x->function = fn;
	x->index = idx;
	x->flags = sig ? VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	x->eax = eax;
	x->ebx = ebx;
	x->ecx = ecx;
	x->edx = edx;
}

/* Build the supported table; returns the number of entries (<= 16). */
static u32 sup_build(struct vlapic_cpuid_entry2 *e)
{
	u32 a, b, c, d, max, maxx, n = 0;

	cpuid(0, &max, &b, &c, &d);
	max = min_t(u32, max, 0xb);
	sup_add(e, &n, 0, 0, false, max, b, c, d);
	cpuid(1, &a, &b, &c, &d);
	sup_add(e, &n, 1, 0, false, a, b & 0x0000ffff,
		(c & SUP1_ECX) | CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE |
		CPUID1_ECX_HYPERVISOR, d & SUP1_EDX);
	if (max >= 6)
		sup_add(e, &n, 6, 0, false, BIT(2), 0, 0, 0);	/* ARAT */
	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		sup_add(e, &n, 7, 0, true, 0, b & SUP7_EBX, c & SUP7_ECX, 0);
	}
	if (max >= 0xb) {
		sup_add(e, &n, 0xb, 0, true, 0, 0, 0, 0);
		sup_add(e, &n, 0xb, 1, true, 0, 0, 1, 0);
	}
	cpuid(0x80000000, &maxx, &b, &c, &d);
	maxx = min_t(u32, maxx, 0x80000008);
	sup_add(e, &n, 0x80000000, 0, false, maxx, b, c, d);
	if (maxx >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		sup_add(e, &n, 0x80000001, 0, false, a, 0, c & SUPX1_ECX,
			d & SUPX1_EDX);
	}
	if (maxx >= 0x80000007) {
		cpuid(0x80000007, &a, &b, &c, &d);
		sup_add(e, &n, 0x80000007, 0, false, 0, 0, 0, d & BIT(8));
	}
	if (maxx >= 0x80000008) {
		cpuid(0x80000008, &a, &b, &c, &d);
		a = (a & ~0xffU) | min_t(u32, a & 0xff, 48);
		sup_add(e, &n, 0x80000008, 0, false, a & 0xffff, 0, 0, 0);
	}
	return n;
}

/**
 * vlapic_run_supported_cpuid() - VLAPIC_GET_SUPPORTED_CPUID.
 * @argp: struct vlapic_cpuid2 in userspace; nent: room in entries.
 *
 * The host's CPUID limited to what the module runs correctly: no XSAVE
 * (and nothing that needs it), no MTRR/MCA/MCE MSRs, no RDTSCP/RDPID, no
 * nested virtualization, no PMU; x2APIC, TSC-deadline, the hypervisor
 * bit and ARAT always (the vLAPIC provides them).
 *
 * Return: 0; -E2BIG (nent set to the size needed); -EFAULT.
 */
int vlapic_run_supported_cpuid(void __user *argp)
{
	struct vlapic_cpuid2 __user *user = argp;
	struct vlapic_cpuid_entry2 e[16];
	struct vlapic_cpuid2 hdr;
	u32 n = sup_build(e);

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < n) {
		hdr.nent = n;
		return copy_to_user(user, &hdr, sizeof(hdr)) ? -EFAULT : -E2BIG;
	}
	hdr.nent = n;
	if (copy_to_user(user, &hdr, sizeof(hdr)) ||
	    copy_to_user(user->entries, e, n * sizeof(e[0])))
		return -EFAULT;
	return 0;
}
