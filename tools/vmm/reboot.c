// SPDX-License-Identifier: GPL-2.0
/*
 * Boot and guest reboot.
 *
 * Boot: the image, its boot information and the initrd are written into
 * RAM (for Linux also the MP table), and the BSP is put in the image's
 * entry state; APs stay as the backend created them, waiting for INIT
 * and SIPI.
 *
 * Reboot (port 0xcf9 bit 2, keyboard controller 0xfe, triple fault), in
 * the thread of the vCPU that asked, its access completed:
 *
 *  1. every other vCPU thread parks (control.c);
 *  2. the devices go back to their power-on state, which lowers every
 *     IRQ line they drive;
 *  3. the IOAPIC (KVM: and its PICs) is loaded with its state right after
 *     creation;
 *  4. every vCPU is loaded with its state right after creation: RESET
 *     registers, MSRs, the LAPIC as it came out of creation (APs back in
 *     wait-for-SIPI), its pending events cleared; the TSC keeps running;
 *  5. the image is written again, the rest of RAM kept, and the BSP put
 *     in the entry state (the boot above);
 *  6. every vCPU thread runs again.
 *
 * The guest's timer ticks after a reboot because step 4 reloads the whole
 * LAPIC (timer included) through the backend's SET_LAPIC, the way the
 * seed-000 field report asked for.
 */
#include <errno.h>
#include <string.h>

#include "devices.h"
#include "vmm.h"

int vm_boot_state(struct vm *vm)
{
	struct vcpu *bsp = vm->vcpus[0];
	struct vlapic_sregs sregs;
	struct vlapic_regs regs;
	int ret;

	vm->image.boot = vm->reboots;
	image_load(&vm->image, &vm->mem);
	if (vm->image.kind == IMAGE_LINUX &&
	    mptable_write(&vm->mem, vm->nr_vcpus))
		return -E2BIG;
	ret = vm->ops->get_sregs(bsp, &sregs);
	if (ret)
		return ret;
	image_entry_state(&vm->image, &regs, &sregs);
	ret = vm->ops->set_sregs(bsp, &sregs);
	if (!ret)
		ret = vm->ops->set_regs(bsp, &regs);
	return ret;
}

void vm_reboot(struct vm *vm, struct vcpu *self)
{
	unsigned int i;
	int ret;

	if (ctl_pause(vm, self))
		return;
	if (vm->opt.no_reboot) {
		vm_fail(vm, VMM_RESET, "the guest reset the machine (--no-reboot)");
		ctl_resume(vm);
		return;
	}
	ctl_new_reset_gen(vm);
	devices_reset(vm);
	ret = vm->ops->set_ioapic(vm, vm->initial_ioapic);
	for (i = 0; !ret && i < vm->nr_vcpus; i++)
		ret = vcpu_state_load(vm->vcpus[i], vm->vcpus[i]->initial, 0);
	vm->reboots++;
	if (!ret)
		ret = vm_boot_state(vm);
	if (ret)
		vm_fail(vm, VMM_HOST_ERROR, "guest reboot: %s", strerror(-ret));
	ctl_resume(vm);
}
