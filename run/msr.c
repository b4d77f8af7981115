// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs the module keeps for a running guest, and GET/SET_MSRS.
 *
 *   IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC 0x800-0x8ff	the vLAPIC
 *   IA32_TSC				guest TSC (a write moves this
 *					vCPU's offset)
 *   IA32_TSC_AUX			kept (RDTSCP is emulated)
 *   IA32_MISC_ENABLE			kept
 *   EFER, STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE, FS_BASE,
 *   GS_BASE, SYSENTER_CS/ESP/EIP, PAT	the backend (its control block)
 *
 * Anything else is unknown: #GP for the guest, or an exit to userspace
 * when the VMM enabled VLAPIC_CAP_X86_USER_SPACE_MSR; -EINVAL from
 * GET/SET_MSRS (which stop at the first entry they cannot do, as KVM's).
 */

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include <vlapic/lapic.h>
#include <vlapic/export.h>
#include <vlapic/run.h>

#include "run_priv.h"

/**
 * vlapic_run_guest_tsc_offset() - guest TSC = host TSC + this.
 * @vcpu: the vCPU.
 *
 * Return: the offset (two's complement).
 */
u64 vlapic_run_guest_tsc_offset(struct vlapic_vcpu_run *vcpu)
{
	return -vcpu->vm->tsc_base + vcpu->tsc_adjust;
}

/**
 * vlapic_run_get_msr() - read an MSR the module keeps.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: the value.
 * @host: from GET_MSRS.
 *
 * Return: 0; 1 for #GP (a known MSR refusing this access); -ENOENT for
 * an MSR the module does not keep.
 */
int vlapic_run_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data,
		       bool host)
{
	int ret;

	if (vlapic_owns_msr(index))
		return vlapic_msr_read(vcpu->vlapic, index, data) ? 1 : 0;
	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vlapic_run_guest_tsc_offset(vcpu);
		return 0;
	case MSR_TSC_AUX:
		*data = vcpu->tsc_aux;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	}
	ret = vcpu->vm->ops->get_msr(vcpu, index, data);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_get_msr);

/**
 * vlapic_run_set_msr() - write an MSR the module keeps.
 * @vcpu: the vCPU.
 * @index: the MSR.
 * @data: the value.
 * @host: from SET_MSRS.
 *
 * Return: 0; 1 for #GP; -ENOENT for an MSR the module does not keep.
 */
int vlapic_run_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		       bool host)
{
	/* The VMM sets the APIC mode it restores, whatever the current one. */
	if (host && index == VLAPIC_MSR_APIC_BASE)
		return vlapic_set_apic_base(vcpu->vlapic, data) ? 1 : 0;
	if (vlapic_owns_msr(index))
		return vlapic_msr_write(vcpu->vlapic, index, data) ? 1 : 0;
	switch (index) {
	case MSR_IA32_TSC:
		vcpu->tsc_adjust = data - (rdtsc() - vcpu->vm->tsc_base);
		vcpu->vm->ops->tsc_changed(vcpu);
		return 0;
	case MSR_TSC_AUX:
		if (data >> 32)
			return 1;
		vcpu->tsc_aux = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	}
	return vcpu->vm->ops->set_msr(vcpu, index, data, host);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_set_msr);

/**
 * vlapic_run_msrs_ioctl() - VLAPIC_GET_MSRS / VLAPIC_SET_MSRS.
 * @vcpu: the vCPU.
 * @argp: struct vlapic_msrs in userspace.
 * @set: SET_MSRS.
 *
 * Return: the number of entries done (all of them, or up to the first
 * that failed); -EINVAL for too many entries; -EFAULT; -ENOMEM.
 */
int vlapic_run_msrs_ioctl(struct vlapic_vcpu_run *vcpu, void __user *argp,
			  bool set)
{
	struct vlapic_msrs __user *user = argp;
	struct vlapic_msr_entry *e;
	struct vlapic_msrs hdr;
	u32 i;
	int ret;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs > VLAPIC_MAX_MSR_ENTRIES)
		return -EINVAL;
	if (!hdr.nmsrs)
		return 0;
	e = kvmalloc_array(hdr.nmsrs, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(e, user->entries, hdr.nmsrs * sizeof(*e)))
		goto out;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set ? vlapic_run_set_msr(vcpu, e[i].index, e[i].data, true) :
			  vlapic_run_get_msr(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	ret = i;
	if (!set && copy_to_user(user->entries, e, i * sizeof(*e)))
		ret = -EFAULT;
out:
	kvfree(e);
	return ret;
}
