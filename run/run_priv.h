/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of run/ share with each other and with vm/ (the ioctls).
 * The vendor backends see include/vlapic/run.h only.
 */
#ifndef _VLAPIC_RUN_PRIV_H
#define _VLAPIC_RUN_PRIV_H

#include <linux/mm_types.h>

#include <vlapic/run.h>

struct vlapic_create_vm;
struct vlapic_clock;

/* run/memory.c */
int vlapic_run_set_memory(struct vlapic_vm_run *vm,
			  const struct vlapic_userspace_memory_region *r);
void vlapic_run_memory_destroy(struct vlapic_vm_run *vm);
bool vlapic_run_has_memory(struct vlapic_vm_run *vm);
struct page *vlapic_run_gpa_page(struct vlapic_vm_run *vm, u64 gpa, bool *write);
bool vlapic_run_gpa_is_ram(struct vlapic_vm_run *vm, u64 gpa);
int vlapic_run_read_gpa(struct vlapic_vm_run *vm, u64 gpa, void *buf,
			unsigned int len);
int vlapic_run_write_gpa(struct vlapic_vm_run *vm, u64 gpa, const void *buf,
			 unsigned int len);
int vlapic_run_cmpxchg_gpa(struct vlapic_vm_run *vm, u64 gpa, u64 old, u64 new,
			   unsigned int len);
void vlapic_vm_flush_tlbs(struct vlapic_vm_run *vm);

/* run/vm.c: the VM and vCPU objects' run parts */
struct vlapic_vm_run *vlapic_vm_run_create(struct vlapic_bus *bus,
					   struct vlapic_ioapic *ioapic,
					   u32 max_vcpus, bool x2apic,
					   bool tsc_deadline, u32 apicv_limit);
void vlapic_vm_run_destroy(struct vlapic_vm_run *vm);
int vlapic_vm_run_enable_cap(struct vlapic_vm_run *vm,
			     const struct vlapic_enable_cap *cap);
struct vlapic_vcpu_run *vlapic_vcpu_run_create(struct vlapic_vm_run *vm,
					       struct vlapic_vcpu *owner,
					       struct vlapic *vlapic,
					       unsigned int index, u32 apic_id);
void vlapic_vcpu_run_publish(struct vlapic_vcpu_run *vcpu);
void vlapic_vcpu_run_free(struct vlapic_vcpu_run *vcpu);
extern const struct vm_operations_struct vlapic_vcpu_run_vm_ops;

/* run/run.c */
int vlapic_vcpu_run(struct vlapic_vcpu_run *vcpu);
int vlapic_run_interrupt(struct vlapic_vcpu_run *vcpu, u32 irq);
void vlapic_run_kick(struct vlapic_vcpu_run *vcpu);

/* run/regs.c */
void vlapic_run_get_regs(struct vlapic_vcpu_run *vcpu, struct vlapic_regs *r);
int vlapic_run_set_regs(struct vlapic_vcpu_run *vcpu,
			const struct vlapic_regs *r);
void vlapic_run_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *s);
int vlapic_run_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *s);
bool vlapic_run_sregs_valid(const struct vlapic_sregs *s);

/* run/msr.c */
int vlapic_run_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data,
		       bool host);
int vlapic_run_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		       bool host);
int vlapic_run_msrs_ioctl(struct vlapic_vcpu_run *vcpu, void __user *argp,
			  bool set);

/* run/cpuid.c */
int vlapic_run_set_cpuid(struct vlapic_vcpu_run *vcpu, void __user *argp);
int vlapic_run_get_cpuid(struct vlapic_vcpu_run *vcpu, void __user *argp);
int vlapic_run_supported_cpuid(void __user *argp);
void vlapic_run_cpuid_lookup(struct vlapic_vcpu_run *vcpu, u32 function,
			     u32 index, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

/* run/exit.c */
int vlapic_run_complete_user_exit(struct vlapic_vcpu_run *vcpu);

#endif /* _VLAPIC_RUN_PRIV_H */
