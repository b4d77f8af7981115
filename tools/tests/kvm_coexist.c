// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-coexist: vlapic and kvm_amd loaded together take turns with SVM.
 *
 * Run by the test plan with both vlapic.ko and kvm-amd.ko loaded. In 6.1
 * KVM turns SVM on in every CPU while it has a VM and refuses a CPU whose
 * EFER.SVME someone else set; vlapic turns it on lazily in the CPUs its
 * vCPUs run on and refuses a CPU KVM holds. Checked, in order:
 *   1. a KVM VM exists: VLAPIC_RUN fails with -EBUSY, nothing else breaks;
 *   2. the KVM VM is gone: the same vlapic vCPU runs its guest;
 *   3. a vlapic VM ran: KVM_CREATE_VM fails (its hardware enable meets
 *      our EFER.SVME) and the vlapic guest still runs;
 *   4. the vlapic VM is gone: KVM_CREATE_VM works again;
 *   5. and vlapic runs again after that KVM VM is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "e2e.h"

#define MEM_SIZE	(2UL << 20)
#define CODE_GPA	0x1000

/* 32-bit flat code: out %al, $0x80; jmp back (an IO exit every RUN). */
static const uint8_t guest[] = { 0xe6, 0x80, 0xeb, 0xfc };

struct vl {
	int sys, vm, vcpu;
	struct vlapic_run *run;
	uint8_t *mem;
};

static int vl_create(struct vl *v)
{
	struct vlapic_create_vm c = { .flags = VLAPIC_VM_RUN, .max_vcpus = 1 };
	struct vlapic_create_vcpu cv = { 0 };
	struct vlapic_userspace_memory_region m = { .memory_size = MEM_SIZE };
	struct vlapic_sregs s;
	struct vlapic_regs r = { .rip = CODE_GPA, .rflags = 2 };

	v->sys = open(VLAPIC_DEV_PATH, O_RDWR);
	if (v->sys < 0)
		return -errno;
	v->vm = ioctl(v->sys, VLAPIC_CREATE_VM, &c);
	if (v->vm < 0)
		return -errno;
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED)
		return -errno;
	memcpy(v->mem + CODE_GPA, guest, sizeof(guest));
	m.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->vm, VLAPIC_SET_USER_MEMORY_REGION, &m))
		return -errno;
	v->vcpu = ioctl(v->vm, VLAPIC_CREATE_VCPU, &cv);
	if (v->vcpu < 0)
		return -errno;
	v->run = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return -errno;
	if (ioctl(v->vcpu, VLAPIC_GET_SREGS, &s))
		return -errno;
	/* Flat 32-bit code and data without a GDT: the hidden parts only. */
	s.cs = (struct vlapic_segment){ .limit = 0xffffffff, .selector = 8,
					.type = 0xb, .present = 1, .s = 1,
					.db = 1, .g = 1 };
	s.ds = s.cs;
	s.ds.type = 3;
	s.ds.selector = 0x10;
	s.es = s.ds;
	s.ss = s.ds;
	s.cr0 = 0x11;
	if (ioctl(v->vcpu, VLAPIC_SET_SREGS, &s) ||
	    ioctl(v->vcpu, VLAPIC_SET_REGS, &r))
		return -errno;
	return 0;
}

static void vl_destroy(struct vl *v)
{
	munmap(v->run, 8192);
	close(v->vcpu);
	munmap(v->mem, MEM_SIZE);
	close(v->vm);
	close(v->sys);
}

/* One RUN: 0 for the guest's IO exit, -errno otherwise. */
static int vl_run(struct vl *v)
{
	if (ioctl(v->vcpu, VLAPIC_RUN, 0))
		return -errno;
	return v->run->exit_reason == VLAPIC_EXIT_IO &&
	       v->run->io.port == 0x80 ? 0 : -EPROTO;
}

int main(void)
{
	int kvm, kvm_vm, ret;
	struct vl v;

	tap_init("kvm-coexist", 60);
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		tap_bail("open /dev/kvm: %m (the plan loads kvm-amd.ko first)");
	if (vl_create(&v))
		tap_bail("a vlapic run VM: %m");

	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	tap_ok(kvm_vm >= 0, "KVM_CREATE_VM while vlapic has a VM that never ran");
	ret = vl_run(&v);
	tap_eq(ret, -EBUSY, "VLAPIC_RUN while KVM holds SVM: -EBUSY");
	close(kvm_vm);
	ret = vl_run(&v);
	tap_eq(ret, 0, "the KVM VM gone: the same vCPU runs its guest");

	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	tap_ok(kvm_vm < 0 && errno == EBUSY,
	       "KVM_CREATE_VM while a vlapic guest ran: -EBUSY (%d)",
	       kvm_vm < 0 ? errno : 0);
	if (kvm_vm >= 0)
		close(kvm_vm);
	tap_eq(vl_run(&v), 0, "... and the vlapic guest still runs");

	vl_destroy(&v);
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	tap_ok(kvm_vm >= 0, "the vlapic VM gone: KVM_CREATE_VM works (%d)",
	       kvm_vm < 0 ? errno : 0);
	if (kvm_vm >= 0)
		close(kvm_vm);

	if (vl_create(&v))
		tap_bail("a second vlapic run VM: %m");
	tap_eq(vl_run(&v), 0, "and vlapic runs again after KVM");
	vl_destroy(&v);
	close(kvm);
	return tap_end();
}
