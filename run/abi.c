// SPDX-License-Identifier: GPL-2.0
/*
 * The run interface's structures are KVM's, byte for byte, so that a VMM
 * written for KVM ports by renaming ioctls. Checked here against the
 * kernel's own <linux/kvm.h> at build time: any difference fails the
 * build.
 */

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <uapi/linux/kvm.h>

#include <vlapic/run.h>

#define SAME_SIZE(ours, kvms)						\
	BUILD_BUG_ON(sizeof(struct ours) != sizeof(struct kvms))
#define SAME_FIELD(ours, kvms, field)					\
	BUILD_BUG_ON(offsetof(struct ours, field) !=			\
		     offsetof(struct kvms, field) ||			\
		     sizeof_field(struct ours, field) !=		\
		     sizeof_field(struct kvms, field))

/**
 * vlapic_check_kvm_layouts() - compile-time ABI checks (no code).
 */
void vlapic_check_kvm_layouts(void)
{
	SAME_SIZE(vlapic_userspace_memory_region, kvm_userspace_memory_region);
	SAME_FIELD(vlapic_userspace_memory_region, kvm_userspace_memory_region,
		   slot);
	SAME_FIELD(vlapic_userspace_memory_region, kvm_userspace_memory_region,
		   flags);
	SAME_FIELD(vlapic_userspace_memory_region, kvm_userspace_memory_region,
		   guest_phys_addr);
	SAME_FIELD(vlapic_userspace_memory_region, kvm_userspace_memory_region,
		   memory_size);
	SAME_FIELD(vlapic_userspace_memory_region, kvm_userspace_memory_region,
		   userspace_addr);
	BUILD_BUG_ON(VLAPIC_MEM_READONLY != KVM_MEM_READONLY);

	SAME_SIZE(vlapic_enable_cap, kvm_enable_cap);
	SAME_FIELD(vlapic_enable_cap, kvm_enable_cap, args);
	BUILD_BUG_ON(VLAPIC_MSR_EXIT_REASON_INVAL != KVM_MSR_EXIT_REASON_INVAL);
	BUILD_BUG_ON(VLAPIC_MSR_EXIT_REASON_UNKNOWN !=
		     KVM_MSR_EXIT_REASON_UNKNOWN);

	SAME_SIZE(vlapic_extint, kvm_interrupt);
	SAME_FIELD(vlapic_extint, kvm_interrupt, irq);
	BUILD_BUG_ON(_IOC_NR(VLAPIC_INTERRUPT) != _IOC_NR(KVM_INTERRUPT));

	SAME_SIZE(vlapic_regs, kvm_regs);
	SAME_FIELD(vlapic_regs, kvm_regs, rax);
	SAME_FIELD(vlapic_regs, kvm_regs, r15);
	SAME_FIELD(vlapic_regs, kvm_regs, rip);
	SAME_FIELD(vlapic_regs, kvm_regs, rflags);

	SAME_SIZE(vlapic_segment, kvm_segment);
	SAME_FIELD(vlapic_segment, kvm_segment, base);
	SAME_FIELD(vlapic_segment, kvm_segment, limit);
	SAME_FIELD(vlapic_segment, kvm_segment, selector);
	SAME_FIELD(vlapic_segment, kvm_segment, type);
	SAME_FIELD(vlapic_segment, kvm_segment, present);
	SAME_FIELD(vlapic_segment, kvm_segment, avl);
	SAME_FIELD(vlapic_segment, kvm_segment, unusable);
	SAME_SIZE(vlapic_dtable, kvm_dtable);
	SAME_FIELD(vlapic_dtable, kvm_dtable, limit);

	SAME_SIZE(vlapic_sregs, kvm_sregs);
	SAME_FIELD(vlapic_sregs, kvm_sregs, cs);
	SAME_FIELD(vlapic_sregs, kvm_sregs, ldt);
	SAME_FIELD(vlapic_sregs, kvm_sregs, gdt);
	SAME_FIELD(vlapic_sregs, kvm_sregs, idt);
	SAME_FIELD(vlapic_sregs, kvm_sregs, cr0);
	SAME_FIELD(vlapic_sregs, kvm_sregs, cr8);
	SAME_FIELD(vlapic_sregs, kvm_sregs, efer);
	SAME_FIELD(vlapic_sregs, kvm_sregs, apic_base);
	SAME_FIELD(vlapic_sregs, kvm_sregs, interrupt_bitmap);

	SAME_SIZE(vlapic_msr_entry, kvm_msr_entry);
	SAME_FIELD(vlapic_msr_entry, kvm_msr_entry, data);
	SAME_SIZE(vlapic_msrs, kvm_msrs);
	BUILD_BUG_ON(offsetof(struct vlapic_msrs, entries) !=
		     offsetof(struct kvm_msrs, entries));

	SAME_SIZE(vlapic_cpuid_entry2, kvm_cpuid_entry2);
	SAME_FIELD(vlapic_cpuid_entry2, kvm_cpuid_entry2, flags);
	SAME_FIELD(vlapic_cpuid_entry2, kvm_cpuid_entry2, edx);
	SAME_SIZE(vlapic_cpuid2, kvm_cpuid2);
	BUILD_BUG_ON(offsetof(struct vlapic_cpuid2, entries) !=
		     offsetof(struct kvm_cpuid2, entries));
	BUILD_BUG_ON(VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX !=
		     KVM_CPUID_FLAG_SIGNIFCANT_INDEX);

	SAME_SIZE(vlapic_run, kvm_run);
	SAME_FIELD(vlapic_run, kvm_run, request_interrupt_window);
	SAME_FIELD(vlapic_run, kvm_run, immediate_exit);
	SAME_FIELD(vlapic_run, kvm_run, exit_reason);
	SAME_FIELD(vlapic_run, kvm_run, ready_for_interrupt_injection);
	SAME_FIELD(vlapic_run, kvm_run, if_flag);
	SAME_FIELD(vlapic_run, kvm_run, flags);
	SAME_FIELD(vlapic_run, kvm_run, cr8);
	SAME_FIELD(vlapic_run, kvm_run, apic_base);
	SAME_FIELD(vlapic_run, kvm_run, hw);
	SAME_FIELD(vlapic_run, kvm_run, fail_entry);
	SAME_FIELD(vlapic_run, kvm_run, io);
	SAME_FIELD(vlapic_run, kvm_run, mmio);
	SAME_FIELD(vlapic_run, kvm_run, hypercall.nr);
	SAME_FIELD(vlapic_run, kvm_run, hypercall.args);
	SAME_FIELD(vlapic_run, kvm_run, hypercall.ret);
	SAME_FIELD(vlapic_run, kvm_run, internal);
	SAME_FIELD(vlapic_run, kvm_run, emulation_failure);
	SAME_FIELD(vlapic_run, kvm_run, msr);
	SAME_FIELD(vlapic_run, kvm_run, kvm_valid_regs);
	SAME_FIELD(vlapic_run, kvm_run, kvm_dirty_regs);
	SAME_FIELD(vlapic_run, kvm_run, s);

	BUILD_BUG_ON(VLAPIC_EXIT_IO != KVM_EXIT_IO);
	BUILD_BUG_ON(VLAPIC_EXIT_HYPERCALL != KVM_EXIT_HYPERCALL);
	BUILD_BUG_ON(VLAPIC_EXIT_MMIO != KVM_EXIT_MMIO);
	BUILD_BUG_ON(VLAPIC_EXIT_SHUTDOWN != KVM_EXIT_SHUTDOWN);
	BUILD_BUG_ON(VLAPIC_EXIT_FAIL_ENTRY != KVM_EXIT_FAIL_ENTRY);
	BUILD_BUG_ON(VLAPIC_EXIT_INTR != KVM_EXIT_INTR);
	BUILD_BUG_ON(VLAPIC_EXIT_INTERNAL_ERROR != KVM_EXIT_INTERNAL_ERROR);
	BUILD_BUG_ON(VLAPIC_EXIT_X86_RDMSR != KVM_EXIT_X86_RDMSR);
	BUILD_BUG_ON(VLAPIC_EXIT_X86_WRMSR != KVM_EXIT_X86_WRMSR);
	BUILD_BUG_ON(VLAPIC_EXIT_IO_IN != KVM_EXIT_IO_IN);
	BUILD_BUG_ON(VLAPIC_INTERNAL_ERROR_EMULATION !=
		     KVM_INTERNAL_ERROR_EMULATION);
	BUILD_BUG_ON(VLAPIC_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES !=
		     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
	BUILD_BUG_ON(VLAPIC_PIO_PAGE_OFFSET != KVM_PIO_PAGE_OFFSET);

	/* The binary statistics (VLAPIC_GET_STATS_FD, vm/stats.c). */
	BUILD_BUG_ON(_IOC_NR(VLAPIC_GET_STATS_FD) != _IOC_NR(KVM_GET_STATS_FD));
	SAME_SIZE(vlapic_stats_header, kvm_stats_header);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, flags);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, name_size);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, num_desc);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, id_offset);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, desc_offset);
	SAME_FIELD(vlapic_stats_header, kvm_stats_header, data_offset);
	SAME_SIZE(vlapic_stats_desc, kvm_stats_desc);
	SAME_FIELD(vlapic_stats_desc, kvm_stats_desc, flags);
	SAME_FIELD(vlapic_stats_desc, kvm_stats_desc, exponent);
	SAME_FIELD(vlapic_stats_desc, kvm_stats_desc, size);
	SAME_FIELD(vlapic_stats_desc, kvm_stats_desc, offset);
	SAME_FIELD(vlapic_stats_desc, kvm_stats_desc, bucket_size);
	BUILD_BUG_ON(offsetof(struct vlapic_stats_desc, name) !=
		     offsetof(struct kvm_stats_desc, name));
	BUILD_BUG_ON(VLAPIC_STATS_TYPE_MASK != KVM_STATS_TYPE_MASK);
	BUILD_BUG_ON(VLAPIC_STATS_TYPE_CUMULATIVE != KVM_STATS_TYPE_CUMULATIVE);
	BUILD_BUG_ON(VLAPIC_STATS_TYPE_INSTANT != KVM_STATS_TYPE_INSTANT);
	BUILD_BUG_ON(VLAPIC_STATS_TYPE_PEAK != KVM_STATS_TYPE_PEAK);
	BUILD_BUG_ON(VLAPIC_STATS_UNIT_MASK != KVM_STATS_UNIT_MASK);
	BUILD_BUG_ON(VLAPIC_STATS_UNIT_NONE != KVM_STATS_UNIT_NONE);
	BUILD_BUG_ON(VLAPIC_STATS_BASE_MASK != KVM_STATS_BASE_MASK);
	BUILD_BUG_ON(VLAPIC_STATS_BASE_POW10 != KVM_STATS_BASE_POW10);
}
