/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend interface: what the device model and the run loop need from
 * a hypervisor. Both backends' structures have KVM's layouts (struct
 * kvm_run, kvm_regs, kvm_sregs, kvm_msrs, kvm_cpuid2), so they are passed
 * as the vlapic UAPI types. Irqchip state is opaque ("blobs" in each
 * backend's own format), moved whole between GET and SET.
 *
 * Contract of every function returning int: 0 (or a documented count) on
 * success, -errno on failure, nothing printed, except ->open and
 * ->create_vm, which print one line and return an enum vmm_status.
 * vCPU functions other than ->run are called only while the vCPU's thread
 * is parked (control.c) or not started.
 */
#ifndef _VMM_BACKEND_H
#define _VMM_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/vlapic.h>

struct vm;
struct vcpu;

/* Largest irqchip blob of either backend (KVM: LAPIC + events + XSAVE). */
#define IRQCHIP_BLOB_MAX	8192

/**
 * struct irqchip_blob - irqchip state in a backend's own format.
 * @size: bytes used in @data.
 * @data: the state. A vCPU's blob starts with the 1 KiB LAPIC register
 *	page in the xAPIC layout (both backends' GET_LAPIC formats do).
 */
struct irqchip_blob {
	uint32_t size;
	uint8_t data[IRQCHIP_BLOB_MAX];
};

/* Offsets in a LAPIC blob's xAPIC page (read with state.c's lapic_reg()). */
#define LAPIC_ID		0x020
#define LAPIC_TPR		0x080
#define LAPIC_LDR		0x0d0
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100	/* 256 bits: lapic_highest() */
#define LAPIC_TMR		0x180
#define LAPIC_IRR		0x200
#define LAPIC_ESR		0x280
#define LAPIC_ICR_LO		0x300
#define LAPIC_ICR_HI		0x310
#define LAPIC_LVTT		0x320
#define LAPIC_TMICT		0x380
#define LAPIC_TMCCT		0x390

uint32_t lapic_reg(const struct irqchip_blob *b, unsigned int off);
int lapic_highest(const struct irqchip_blob *b, unsigned int base);

#define VMM_MAX_MSRS		32

/**
 * struct vcpu_state - everything a vCPU's state is made of.
 * @regs: general registers.
 * @sregs: segments, control registers, EFER, APIC base.
 * @nmsrs: entries in @msrs.
 * @msrs: the MSRs the backend keeps (IA32_TSC_DEADLINE last: it is set
 *	again after @lapic, which may reprogram the timer).
 * @lapic: the backend's per-vCPU irqchip state.
 */
struct vcpu_state {
	struct vlapic_regs regs;
	struct vlapic_sregs sregs;
	uint32_t nmsrs;
	struct vlapic_msr_entry msrs[VMM_MAX_MSRS];
	struct irqchip_blob lapic;
};

/* Where a vCPU is, for the halted-forever check. */
enum vmm_mp_state {
	VMM_MP_RUNNABLE,
	VMM_MP_HALTED,
	VMM_MP_WAIT_SIPI,	/* only INIT/SIPI from another vCPU wakes it */
};

/**
 * struct backend_ops - one hypervisor.
 * @name: "vlapic" or "kvm".
 * @open: open the device, check it can run guests. Prints one line and
 *	returns VMM_NO_BACKEND or VMM_UNSUPPORTED on failure, 0 on success.
 * @create_vm: the VM with its irqchip (IOAPIC at 0xfec00000, LAPICs);
 *	enum vmm_status like @open.
 * @close: destroy the VM and close the device (after every vCPU).
 * @set_memory: map @size bytes at @hva to guest-physical @gpa in @slot.
 * @supported_cpuid: the CPUID the backend can offer; @cpuid->nent is the
 *	room on entry, the count on return.
 * @create_vcpu: create vcpu->index, map its run structure (sets @fd,
 *	@run, @run_size, @be).
 * @destroy_vcpu: undo @create_vcpu.
 * @set_cpuid: the vCPU's CPUID table.
 * @get_regs: general registers.
 * @set_regs: general registers.
 * @get_sregs: special registers.
 * @set_sregs: special registers.
 * @get_msrs: returns how many entries were read (stops at the first bad).
 * @set_msrs: returns how many entries were written.
 * @run: enter the guest until an exit for the VMM: 0, -EINTR (signal or
 *	immediate_exit; a pending I/O completes first), -errno.
 * @irq_line: drive IOAPIC input @gsi.
 * @get_lapic: the rest of the vCPU's state: its irqchip state (LAPIC, MP
 *	state, pending events) and what else the backend keeps beyond
 *	registers and MSRs (KVM: the FPU/XSAVE state and XCRs).
 * @set_lapic: load it.
 * @get_ioapic: the VM-wide irqchip state (IOAPIC; KVM: and its PIC).
 * @set_ioapic: load it.
 * @mp_state: where the vCPU is, from its @lapic blob and what the
 *	backend saw (@sleeping).
 * @sleeping: a cheap hint, without stopping the vCPU, that it sleeps in
 *	the kernel (HLT or wait-for-SIPI). Called by the main thread only.
 * @print_stats: the backend's own counters, by name.
 */
struct backend_ops {
	const char *name;
	int (*open)(struct vm *vm);
	int (*create_vm)(struct vm *vm);
	void (*close)(struct vm *vm);
	int (*set_memory)(struct vm *vm, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva);
	int (*supported_cpuid)(struct vm *vm, struct vlapic_cpuid2 *cpuid);
	int (*create_vcpu)(struct vcpu *vcpu);
	void (*destroy_vcpu)(struct vcpu *vcpu);
	int (*set_cpuid)(struct vcpu *vcpu, const struct vlapic_cpuid2 *cpuid);
	int (*get_regs)(struct vcpu *vcpu, struct vlapic_regs *regs);
	int (*set_regs)(struct vcpu *vcpu, const struct vlapic_regs *regs);
	int (*get_sregs)(struct vcpu *vcpu, struct vlapic_sregs *sregs);
	int (*set_sregs)(struct vcpu *vcpu, const struct vlapic_sregs *sregs);
	int (*get_msrs)(struct vcpu *vcpu, struct vlapic_msrs *msrs);
	int (*set_msrs)(struct vcpu *vcpu, const struct vlapic_msrs *msrs);
	int (*run)(struct vcpu *vcpu);
	int (*irq_line)(struct vm *vm, uint32_t gsi, uint32_t level);
	int (*get_lapic)(struct vcpu *vcpu, struct irqchip_blob *blob);
	int (*set_lapic)(struct vcpu *vcpu, const struct irqchip_blob *blob);
	int (*get_ioapic)(struct vm *vm, struct irqchip_blob *blob);
	int (*set_ioapic)(struct vm *vm, const struct irqchip_blob *blob);
	int (*mp_state)(struct vcpu *vcpu, const struct irqchip_blob *lapic,
			enum vmm_mp_state *mp);
	bool (*sleeping)(struct vcpu *vcpu);
	void (*print_stats)(struct vm *vm, FILE *out);
};

extern const struct backend_ops backend_vlapic;
extern const struct backend_ops backend_kvm;

#endif /* _VMM_BACKEND_H */
