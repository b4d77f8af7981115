// SPDX-License-Identifier: GPL-2.0
/*
 * The run parts of the VM and vCPU objects: created with a VLAPIC_VM_RUN
 * VM and with each of its vCPUs, freed with them. The vCPU's run
 * structure and I/O page are two zeroed pages mapped into userspace by
 * mmap() of the vCPU fd (offset 0: struct vlapic_run; offset 4096: the
 * I/O data, VLAPIC_PIO_PAGE_OFFSET).
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/tsc.h>

#include <vlapic/clock.h>
#include <vlapic/lapic.h>
#include <vlapic/run.h>

#include "run_priv.h"

/**
 * vlapic_vm_run_create() - the run state of a new VLAPIC_VM_RUN VM.
 * @bus: the VM's APIC bus.
 * @ioapic: the VM's IOAPIC.
 * @max_vcpus: vCPU slots.
 * @x2apic: the VM offers x2APIC.
 * @tsc_deadline: the VM offers the TSC-deadline timer.
 * @apicv_limit: the highest APIC-virtualization mode its vCPUs may use
 *	(VLAPIC_VM_APICV_* >> VLAPIC_VM_APICV_SHIFT; 0: the CPU's best).
 *
 * Return: the state, ERR_PTR(-ENODEV) when this CPU has no backend, or
 * ERR_PTR(-ENOMEM).
 */
struct vlapic_vm_run *vlapic_vm_run_create(struct vlapic_bus *bus,
					   struct vlapic_ioapic *ioapic,
					   u32 max_vcpus, bool x2apic,
					   bool tsc_deadline, u32 apicv_limit)
{
	const struct vlapic_run_ops *ops = vlapic_run_backend();
	struct vlapic_vm_run *vm;
	int ret = -ENOMEM;

	if (!ops)
		return ERR_PTR(-ENODEV);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->ops = ops;
	vm->bus = bus;
	vm->ioapic = ioapic;
	vm->mm = current->mm;
	vm->max_vcpus = max_vcpus;
	vm->x2apic = x2apic;
	vm->tsc_deadline = tsc_deadline;
	vm->apicv_limit = apicv_limit;
	vm->tsc_base = rdtsc();
	mutex_init(&vm->mem_lock);
	vm->vcpus = kcalloc(max_vcpus, sizeof(*vm->vcpus),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!vm->vcpus)
		goto fail;
	ret = init_srcu_struct(&vm->srcu);
	if (ret)
		goto fail;
	ret = vlapic_gpt_init(&vm->gpt, ops->gpt);
	if (ret)
		goto fail_srcu;
	ret = ops->vm_get();
	if (ret)
		goto fail_gpt;
	return vm;
fail_gpt:
	vlapic_gpt_destroy(&vm->gpt);
fail_srcu:
	cleanup_srcu_struct(&vm->srcu);
fail:
	kfree(vm->vcpus);
	mutex_destroy(&vm->mem_lock);
	kfree(vm);
	return ERR_PTR(ret);
}

/**
 * vlapic_vm_run_destroy() - free a VM's run state.
 * @vm: the state; every vCPU's run state is freed already.
 */
void vlapic_vm_run_destroy(struct vlapic_vm_run *vm)
{
	if (!vm)
		return;
	vlapic_run_memory_destroy(vm);
	vlapic_gpt_destroy(&vm->gpt);
	if (vm->apic_access)
		__free_page(vm->apic_access);
	vm->ops->vm_put();
	cleanup_srcu_struct(&vm->srcu);
	kfree(vm->vcpus);
	mutex_destroy(&vm->mem_lock);
	kfree(vm);
}

/**
 * vlapic_vm_run_enable_cap() - VLAPIC_ENABLE_CAP.
 * @vm: the VM.
 * @cap: the request.
 *
 * Return: 0, or -EINVAL (unknown capability, flags, bits).
 */
int vlapic_vm_run_enable_cap(struct vlapic_vm_run *vm,
			     const struct vlapic_enable_cap *cap)
{
	if (cap->flags || memchr_inv(cap->pad, 0, sizeof(cap->pad)))
		return -EINVAL;
	switch (cap->cap) {
	case VLAPIC_CAP_X86_USER_SPACE_MSR:
		if (cap->args[0] & ~(u64)(VLAPIC_MSR_EXIT_REASON_INVAL |
					  VLAPIC_MSR_EXIT_REASON_UNKNOWN) ||
		    cap->args[1] || cap->args[2] || cap->args[3])
			return -EINVAL;
		WRITE_ONCE(vm->msr_exits, cap->args[0]);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * vlapic_vcpu_run_create() - the run state of a new vCPU.
 * @vm: the VM's run state.
 * @owner: the vCPU object.
 * @vlapic: its vLAPIC (created, not yet reachable by userspace).
 * @index: the vCPU index.
 * @apic_id: its initial APIC ID.
 *
 * Installs the backend's vLAPIC hooks and puts the vCPU in the RESET
 * state.
 *
 * Return: the state, or ERR_PTR(-ENOMEM).
 */
struct vlapic_vcpu_run *vlapic_vcpu_run_create(struct vlapic_vm_run *vm,
					       struct vlapic_vcpu *owner,
					       struct vlapic *vlapic,
					       unsigned int index, u32 apic_id)
{
	struct vlapic_vcpu_run *vcpu;
	int ret;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->owner = owner;
	vcpu->vlapic = vlapic;
	vcpu->index = index;
	vcpu->apic_id = apic_id;
	vcpu->cpu = -1;
	vcpu->mode = VLAPIC_OUTSIDE_GUEST_MODE;
	vcpu->pending_irq = -1;
	vcpu->fault_gpa = VLAPIC_NO_FAULT_GPA;
	vcpu->extint_vector = -1;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data)
		goto fail_pages;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto fail_pages;
	ret = vm->ops->vcpu_create(vcpu);
	if (ret)
		goto fail_fpu;
	vm->ops->vlapic_ops_init(vcpu);
	vlapic_use_host_tsc(vlapic, vlapic_run_guest_tsc_offset(vcpu));
	vlapic_run_reset(vcpu, false);
	return vcpu;
fail_fpu:
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
fail_pages:
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	return ERR_PTR(-ENOMEM);
}

/**
 * vlapic_vcpu_run_publish() - make the vCPU reachable by TLB flushes.
 * @vcpu: the vCPU, complete.
 */
void vlapic_vcpu_run_publish(struct vlapic_vcpu_run *vcpu)
{
	/* Pairs with vlapic_vm_flush_tlbs()'s acquire. */
	smp_store_release(&vcpu->vm->vcpus[vcpu->index], vcpu);
}

/**
 * vlapic_vcpu_run_free() - free a vCPU's run state (VM teardown).
 * @vcpu: the state, or NULL.
 */
void vlapic_vcpu_run_free(struct vlapic_vcpu_run *vcpu)
{
	if (!vcpu)
		return;
	vcpu->vm->ops->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kvfree(vcpu->cpuid);
	kfree(vcpu);
}

static vm_fault_t vcpu_run_fault(struct vm_fault *vmf)
{
	struct vlapic_vcpu_run *vcpu = vmf->vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == VLAPIC_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

const struct vm_operations_struct vlapic_vcpu_run_vm_ops = {
	.fault = vcpu_run_fault,
};
