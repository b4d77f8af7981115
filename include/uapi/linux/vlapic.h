/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vlapic: userspace interface of the in-kernel local APIC and IOAPIC
 * emulator. Conventions follow KVM's: ioctls on /dev/vlapic, on a VM fd and
 * on a vCPU fd; fixed-width types; every struct has explicit padding, and
 * flags/reserved fields that must be zero. See docs/api.md.
 */
#ifndef _UAPI_LINUX_VLAPIC_H
#define _UAPI_LINUX_VLAPIC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change; extensions are found by capability. */
#define VLAPIC_API_VERSION	1

/* 0xAE is KVM's; 0xBA is unassigned in ioctl-number.rst. */
#define VLAPICIO		0xBA

/*
 * ioctls on /dev/vlapic
 *
 * VLAPIC_GET_API_VERSION	arg 0; returns VLAPIC_API_VERSION
 * VLAPIC_CHECK_EXTENSION	arg VLAPIC_CAP_*; returns 0 (absent) or > 0
 * VLAPIC_CREATE_VM		struct vlapic_create_vm; returns a VM fd
 */
#define VLAPIC_GET_API_VERSION	_IO(VLAPICIO, 0x00)
#define VLAPIC_CHECK_EXTENSION	_IO(VLAPICIO, 0x01)
#define VLAPIC_CREATE_VM	_IOW(VLAPICIO, 0x02, struct vlapic_create_vm)
/* The size to mmap() from a vCPU fd: struct vlapic_run and the I/O page. */
#define VLAPIC_GET_VCPU_MMAP_SIZE _IO(VLAPICIO, 0x03)
/* The CPUID bits a VLAPIC_VM_RUN VM can offer (KVM_GET_SUPPORTED_CPUID). */
#define VLAPIC_GET_SUPPORTED_CPUID _IOWR(VLAPICIO, 0x05, struct vlapic_cpuid2)

/* Capabilities. */
#define VLAPIC_CAP_X2APIC		1
#define VLAPIC_CAP_TSC_DEADLINE		2
#define VLAPIC_CAP_DIRECTED_EOI		3
#define VLAPIC_CAP_IOAPIC_V20		4	/* IOAPIC version 0x20 */
#define VLAPIC_CAP_IRQFD		5
#define VLAPIC_CAP_INJECT_BATCH		6
#define VLAPIC_CAP_MAX_VCPUS		7	/* returns the maximum */
#define VLAPIC_CAP_GSI_ROUTING		8	/* returns the maximum routes */
#define VLAPIC_CAP_EMULATED_CPU		9	/* WAIT, GET_INTERRUPT */
/*
 * VLAPIC_VM_RUN and everything that comes with it: guest memory, RUN,
 * registers, CPUID, MSRs. Returns the backends this CPU has
 * (VLAPIC_RUN_BACKEND_*), 0 when it can run no guest.
 */
#define VLAPIC_CAP_RUN			10
#define VLAPIC_CAP_USER_MEMORY		11	/* returns the number of slots */
#define VLAPIC_CAP_READONLY_MEM		12	/* VLAPIC_MEM_READONLY */
#define VLAPIC_CAP_IMMEDIATE_EXIT	13	/* vlapic_run::immediate_exit */
#define VLAPIC_CAP_X86_USER_SPACE_MSR	14	/* VLAPIC_ENABLE_CAP: MSR exits */
/*
 * MSIs and IOAPIC entries carry the extended destination ID (MSI address
 * bits 11:5, redirection entry bits 55:49: bits 14:8 of an x2APIC ID in
 * physical mode), the convention Linux guests use on KVM. Always decoded;
 * a VMM advertises it to its guest (KVM's CPUID feature bit).
 */
#define VLAPIC_CAP_MSI_EXT_DEST_ID	15
/* VLAPIC_GET_STATS_FD on VM and vCPU fds (KVM_CAP_BINARY_STATS_FD). */
#define VLAPIC_CAP_BINARY_STATS_FD	16

#define VLAPIC_RUN_BACKEND_SVM		(1U << 0)
#define VLAPIC_RUN_BACKEND_VMX		(1U << 1)

#define VLAPIC_MAX_VCPUS		512

/*
 * struct vlapic_create_vm - VM features, fixed for its lifetime.
 * @flags: VLAPIC_VM_* features offered to the guest.
 * @max_vcpus: vCPU slots, 1 .. VLAPIC_MAX_VCPUS.
 * @tsc_khz: guest TSC frequency for TSC-deadline (0: 1 GHz).
 * @ioapic_version: 0x11 or 0x20 (0: 0x20).
 * @ioapic_base: guest-physical base of the IOAPIC (0: 0xfec00000).
 * @reserved: must be zero.
 */
struct vlapic_create_vm {
	__u32 flags;
	__u32 max_vcpus;
	__u32 tsc_khz;
	__u32 ioapic_version;
	__u64 ioapic_base;
	__u64 reserved[4];
};

#define VLAPIC_VM_X2APIC		(1U << 0)
#define VLAPIC_VM_TSC_DEADLINE		(1U << 1)
#define VLAPIC_VM_DIRECTED_EOI		(1U << 2)
/*
 * The VM's vCPUs run on this host's CPU with VLAPIC_RUN (SVM or VMX,
 * whichever the CPU has). Its guest TSC is the host's TSC plus an offset,
 * so @tsc_khz must be 0 or the host's frequency (it reads back as the
 * host's). Without this flag a VM is an irqchip for an emulated CPU
 * (VLAPIC_WAIT, VLAPIC_GET_INTERRUPT) and RUN fails with -EINVAL.
 */
#define VLAPIC_VM_RUN			(1U << 3)
/*
 * VLAPIC_VM_RUN VMs: the highest APIC-virtualization mode the vCPUs may
 * use (a field, bits 5:4). 0 (BEST): the best this CPU has. Otherwise the
 * lower of the value and the CPU's best; on VMX:
 *   INJECT:     event injection and interrupt-window exits only;
 *   TPR_SHADOW: the TPR shadow (CR8 without exits, TPR-threshold exits);
 *   VID:        virtual-interrupt delivery with APIC-register
 *               virtualization and EOI-exit bitmaps.
 * SVM has one mode (V_IRQ injection, V_TPR) and ignores the field. The
 * mode each vCPU entered in is counted (VLAPIC_VCPU_STAT_RUN_MODE_*).
 */
#define VLAPIC_VM_APICV_SHIFT		4
#define VLAPIC_VM_APICV_MASK		(3U << VLAPIC_VM_APICV_SHIFT)
#define VLAPIC_VM_APICV_BEST		(0U << VLAPIC_VM_APICV_SHIFT)
#define VLAPIC_VM_APICV_INJECT		(1U << VLAPIC_VM_APICV_SHIFT)
#define VLAPIC_VM_APICV_TPR_SHADOW	(2U << VLAPIC_VM_APICV_SHIFT)
#define VLAPIC_VM_APICV_VID		(3U << VLAPIC_VM_APICV_SHIFT)
#define VLAPIC_VM_FLAGS_ALL		0x3fU

/*
 * ioctls on a VM fd
 *
 * VLAPIC_CREATE_VCPU		struct vlapic_create_vcpu; returns a vCPU fd
 * VLAPIC_IRQ_LINE		struct vlapic_irq_line: drive a GSI
 * VLAPIC_SIGNAL_MSI		struct vlapic_msi; returns 1 delivered,
 *				0 ignored (malformed, counted)
 * VLAPIC_SET_GSI_ROUTING	struct vlapic_gsi_routing: replace the table
 * VLAPIC_IOAPIC_ACCESS	struct vlapic_reg_access: a guest access to the
 *				IOAPIC window the VMM trapped (kind
 *				VLAPIC_ACCESS_KIND_IOAPIC, address = offset
 *				from the IOAPIC base, 0 .. 0xff)
 * VLAPIC_GET_IOAPIC		struct vlapic_ioapic_snapshot
 * VLAPIC_SET_IOAPIC		struct vlapic_ioapic_snapshot
 * VLAPIC_IRQFD		struct vlapic_irqfd: an eventfd that drives a GSI
 * VLAPIC_INJECT_BATCH		struct vlapic_inject_batch: many MSIs and line
 *				changes in one call; returns how many MSIs
 *				were delivered plus how many lines were set
 * VLAPIC_GET_VM_STATS		struct vlapic_vm_stats
 * VLAPIC_SET_USER_MEMORY_REGION	struct vlapic_userspace_memory_region:
 *				add, move or delete guest memory
 *				(VLAPIC_VM_RUN VMs)
 * VLAPIC_ENABLE_CAP		struct vlapic_enable_cap (VLAPIC_VM_RUN VMs)
 * VLAPIC_GET_STATS_FD		arg 0; returns a read-only fd of the VM's
 *				binary statistics (see struct
 *				vlapic_stats_header); also on a vCPU fd
 */
#define VLAPIC_CREATE_VCPU	_IOW(VLAPICIO, 0x10, struct vlapic_create_vcpu)
#define VLAPIC_IRQ_LINE		_IOW(VLAPICIO, 0x11, struct vlapic_irq_line)
#define VLAPIC_SIGNAL_MSI	_IOW(VLAPICIO, 0x12, struct vlapic_msi)
#define VLAPIC_SET_GSI_ROUTING	_IOW(VLAPICIO, 0x13, struct vlapic_gsi_routing)
#define VLAPIC_IOAPIC_ACCESS	_IOWR(VLAPICIO, 0x19, struct vlapic_reg_access)
#define VLAPIC_GET_IOAPIC	_IOR(VLAPICIO, 0x15, struct vlapic_ioapic_snapshot)
#define VLAPIC_SET_IOAPIC	_IOW(VLAPICIO, 0x16, struct vlapic_ioapic_snapshot)
#define VLAPIC_IRQFD		_IOW(VLAPICIO, 0x14, struct vlapic_irqfd)
#define VLAPIC_INJECT_BATCH	_IOW(VLAPICIO, 0x17, struct vlapic_inject_batch)
#define VLAPIC_GET_VM_STATS	_IOR(VLAPICIO, 0x18, struct vlapic_vm_stats)
#define VLAPIC_SET_USER_MEMORY_REGION \
	_IOW(VLAPICIO, 0x1a, struct vlapic_userspace_memory_region)
#define VLAPIC_ENABLE_CAP	_IOW(VLAPICIO, 0x1b, struct vlapic_enable_cap)
/* KVM_GET_STATS_FD's number, on the VM fd and on the vCPU fd. */
#define VLAPIC_GET_STATS_FD	_IO(VLAPICIO, 0xce)

/*
 * struct vlapic_create_vcpu
 * @index: vCPU slot, 0 .. max_vcpus - 1; index 0 is the BSP.
 * @apic_id: initial (x2)APIC ID; below 0xff without VLAPIC_VM_X2APIC.
 * @flags: must be zero.
 * @pad: must be zero.
 * @reserved: must be zero.
 */
struct vlapic_create_vcpu {
	__u32 index;
	__u32 apic_id;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/*
 * struct vlapic_irq_line - set the level of a GSI's input.
 * @gsi: the GSI (routed by the GSI routing table; default GSI n -> pin n).
 * @level: the input signal, 1 high, 0 low, as the device drives it; the
 *	IOAPIC applies the entry's polarity (an active-low pin is asserted
 *	by 0). For an MSI route, 1 sends the message and 0 does nothing.
 * @flags: must be zero.
 * @pad: must be zero.
 */
struct vlapic_irq_line {
	__u32 gsi;
	__u32 level;
	__u32 flags;
	__u32 pad;
};

/*
 * struct vlapic_msi - one MSI write.
 * @address: MSI address (0xfeexxxxx).
 * @data: MSI data.
 * @flags: must be zero.
 * @reserved: must be zero.
 */
struct vlapic_msi {
	__u64 address;
	__u32 data;
	__u32 flags;
	__u64 reserved;
};

/*
 * struct vlapic_gsi_route - one entry of the GSI routing table.
 * @gsi: the GSI.
 * @type: VLAPIC_ROUTE_TYPE_IOAPIC or VLAPIC_ROUTE_TYPE_MSI.
 * @flags: must be zero.
 * @pin: IOAPIC pin (IOAPIC routes).
 * @msi_address: MSI address (MSI routes).
 * @msi_data: MSI data (MSI routes).
 * @pad: must be zero.
 */
struct vlapic_gsi_route {
	__u32 gsi;
	__u32 type;
	__u32 flags;
	__u32 pin;
	__u64 msi_address;
	__u32 msi_data;
	__u32 pad;
};

#define VLAPIC_ROUTE_TYPE_IOAPIC	1
#define VLAPIC_ROUTE_TYPE_MSI		2

/*
 * struct vlapic_gsi_routing - a whole routing table.
 * @nr: number of entries at @entries.
 * @flags: must be zero.
 * @entries: user pointer to @nr struct vlapic_gsi_route.
 */
struct vlapic_gsi_routing {
	__u32 nr;
	__u32 flags;
	__u64 entries;
};

/*
 * struct vlapic_irqfd - bind an eventfd to a GSI (or unbind it).
 * @fd: the eventfd. Each signal pulses the GSI (assert, then deassert).
 * @gsi: the GSI.
 * @flags: VLAPIC_IRQFD_FLAG_DEASSIGN (remove the binding of @fd/@gsi),
 *	VLAPIC_IRQFD_FLAG_RESAMPLE (level-triggered: a signal asserts the
 *	GSI and leaves it asserted; when the IOAPIC sees the EOI of a pin
 *	the GSI is routed to at that time, the irqfd's assertion is dropped
 *	and @resamplefd is signalled, so the device can assert it again, as
 *	VFIO and vhost expect). Each resampling irqfd is a line source of
 *	its own: the IOAPIC ORs it with the VMM's VLAPIC_IRQ_LINE.
 * @resamplefd: an eventfd, with VLAPIC_IRQFD_FLAG_RESAMPLE.
 * @reserved: must be zero.
 */
struct vlapic_irqfd {
	__u32 fd;
	__u32 gsi;
	__u32 flags;
	__u32 resamplefd;
	__u64 reserved[2];
};

#define VLAPIC_IRQFD_FLAG_DEASSIGN	(1U << 0)
#define VLAPIC_IRQFD_FLAG_RESAMPLE	(1U << 1)
#define VLAPIC_MAX_IRQFDS		1024

/*
 * struct vlapic_inject - one entry of a batch.
 * @type: VLAPIC_INJECT_MSI or VLAPIC_INJECT_LINE.
 * @gsi: LINE: the GSI.
 * @level: LINE: 1 asserted, 0 deasserted.
 * @flags: must be zero.
 * @msi_address: MSI: the address.
 * @msi_data: MSI: the data.
 * @pad: must be zero.
 */
struct vlapic_inject {
	__u32 type;
	__u32 gsi;
	__u32 level;
	__u32 flags;
	__u64 msi_address;
	__u32 msi_data;
	__u32 pad;
};

#define VLAPIC_INJECT_MSI	1
#define VLAPIC_INJECT_LINE	2
#define VLAPIC_MAX_BATCH	4096

/*
 * struct vlapic_inject_batch - VLAPIC_INJECT_BATCH.
 * @nr: entries at @entries, 1 .. VLAPIC_MAX_BATCH. All are validated
 *	before the first is applied: one bad entry fails the call (-EINVAL)
 *	with nothing injected. Entries are applied in order.
 * @flags: must be zero.
 * @entries: user pointer to @nr struct vlapic_inject.
 */
struct vlapic_inject_batch {
	__u32 nr;
	__u32 flags;
	__u64 entries;
};

/*
 * struct vlapic_ioapic_snapshot - the complete IOAPIC state (GET/SET_IOAPIC).
 * @flags: must be zero.
 * @ioregsel: IOREGSEL.
 * @id: IOAPIC ID register.
 * @input_high: bit n: the input signal of pin n is high (before the
 *	entry's polarity). GET: the OR of the pin's sources; SET: the VMM's
 *	source (not on a pin a resampling irqfd already drives high).
 * @redir: redirection entries, remote IRR (bit 14) and delivery status
 *	(bit 12) included.
 * @reserved: must be zero.
 */
struct vlapic_ioapic_snapshot {
	__u32 flags;
	__u32 ioregsel;
	__u32 id;
	__u32 input_high;
	__u64 redir[24];
	__u64 reserved[4];
};

/*
 * struct vlapic_vm_stats - VM-wide counters.
 * @nr: number of valid entries in @v (VLAPIC_VM_STAT_*).
 * @pad: zero.
 * @v: the counters.
 */
struct vlapic_vm_stats {
	__u32 nr;
	__u32 pad;
	__u64 v[64];
};

#define VLAPIC_VM_STAT_IRQ_LINE		0	/* IRQ_LINE, batch LINE entries */
#define VLAPIC_VM_STAT_MSI		1	/* SIGNAL_MSI/batch MSIs sent */
#define VLAPIC_VM_STAT_MSI_IGNORED	2	/* ... ignored, malformed */
#define VLAPIC_VM_STAT_IOAPIC_DELIVERED	3	/* IOAPIC deliveries */
#define VLAPIC_VM_STAT_IOAPIC_STORMS	4	/* level storms detected */
#define VLAPIC_VM_STAT_IOAPIC_DEFERRALS	5	/* re-assertions deferred */
#define VLAPIC_VM_STAT_EOI_BROADCASTS	6	/* level EOIs to the IOAPIC */
#define VLAPIC_VM_STAT_BATCHES		7	/* INJECT_BATCH calls */
#define VLAPIC_VM_STAT_IRQFD_SIGNALS	8	/* irqfd injections */
#define VLAPIC_VM_STAT_IRQFD_RESAMPLES	9	/* resamplefd signals */
#define VLAPIC_VM_STAT_NR		10

/*
 * The names of the VM counters: the initializer of a table indexed by
 * VLAPIC_VM_STAT_* (the kernel's and libvlapic's tables are built from it).
 */
#define VLAPIC_VM_STAT_NAMES_INIT					\
	[VLAPIC_VM_STAT_IRQ_LINE] = "irq_line",				\
	[VLAPIC_VM_STAT_MSI] = "msi",					\
	[VLAPIC_VM_STAT_MSI_IGNORED] = "msi_ignored",			\
	[VLAPIC_VM_STAT_IOAPIC_DELIVERED] = "ioapic_delivered",		\
	[VLAPIC_VM_STAT_IOAPIC_STORMS] = "ioapic_storms",		\
	[VLAPIC_VM_STAT_IOAPIC_DEFERRALS] = "ioapic_deferrals",		\
	[VLAPIC_VM_STAT_EOI_BROADCASTS] = "eoi_broadcasts",		\
	[VLAPIC_VM_STAT_BATCHES] = "batches",				\
	[VLAPIC_VM_STAT_IRQFD_SIGNALS] = "irqfd_signals",		\
	[VLAPIC_VM_STAT_IRQFD_RESAMPLES] = "irqfd_resamples",

/*
 * Binary statistics (VLAPIC_GET_STATS_FD): KVM_GET_STATS_FD's format and
 * layouts (struct kvm_stats_header, struct kvm_stats_desc, checked against
 * <linux/kvm.h> at build time), so tools that read KVM's stats read ours.
 * The fd is read with pread(); it holds, in order:
 *	the header, at offset 0;
 *	the id string (NUL-terminated, @name_size bytes) at @id_offset:
 *		"vlapic-<pid>" for a VM, "vlapic-<pid>/vcpu<index>" for a vCPU;
 *	@num_desc descriptors at @desc_offset, each followed by its name
 *		(@name_size bytes, NUL-terminated): the names of the
 *		VLAPIC_VM_STAT_NAMES_INIT / VLAPIC_VCPU_STAT_NAMES_INIT tables,
 *		in index order;
 *	the values at @data_offset, one __u64 per descriptor at
 *		@data_offset + desc->offset, read live at each read().
 * Everything but the values is fixed for the fd's lifetime. The fd holds
 * the VM: it can be read after the VM and vCPU fds are closed.
 */
struct vlapic_stats_header {
	__u32 flags;
	__u32 name_size;
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
};

#define VLAPIC_STATS_NAME_SIZE		48

#define VLAPIC_STATS_TYPE_SHIFT		0
#define VLAPIC_STATS_TYPE_MASK		(0xF << VLAPIC_STATS_TYPE_SHIFT)
#define VLAPIC_STATS_TYPE_CUMULATIVE	(0x0 << VLAPIC_STATS_TYPE_SHIFT)
#define VLAPIC_STATS_TYPE_INSTANT	(0x1 << VLAPIC_STATS_TYPE_SHIFT)
#define VLAPIC_STATS_TYPE_PEAK		(0x2 << VLAPIC_STATS_TYPE_SHIFT)
#define VLAPIC_STATS_UNIT_SHIFT		4
#define VLAPIC_STATS_UNIT_MASK		(0xF << VLAPIC_STATS_UNIT_SHIFT)
#define VLAPIC_STATS_UNIT_NONE		(0x0 << VLAPIC_STATS_UNIT_SHIFT)
#define VLAPIC_STATS_BASE_SHIFT		8
#define VLAPIC_STATS_BASE_MASK		(0xF << VLAPIC_STATS_BASE_SHIFT)
#define VLAPIC_STATS_BASE_POW10		(0x0 << VLAPIC_STATS_BASE_SHIFT)

/*
 * struct vlapic_stats_desc - one counter (struct kvm_stats_desc).
 * @flags: VLAPIC_STATS_TYPE_*, _UNIT_*, _BASE_*; all of vlapic's are
 *	cumulative counts (TYPE_CUMULATIVE | UNIT_NONE | BASE_POW10).
 * @exponent: 0.
 * @size: __u64 values of this counter: 1.
 * @offset: of its value from the data block (@data_offset).
 * @bucket_size: 0 (no histograms).
 * @name: the name, VLAPIC_STATS_NAME_SIZE bytes.
 */
struct vlapic_stats_desc {
	__u32 flags;
	__s16 exponent;
	__u16 size;
	__u32 offset;
	__u32 bucket_size;
	char name[];
};

/*
 * ioctls on a vCPU fd
 *
 * They are serialized per vCPU (one thread plays the CPU): while a WAIT
 * sleeps, another thread's ioctl on the same vCPU waits for it, except
 * VLAPIC_GET_VCPU_STATS. A close() of the vCPU fd ends a WAIT in progress.
 *
 * VLAPIC_GET_LAPIC		struct vlapic_lapic_state
 * VLAPIC_SET_LAPIC		struct vlapic_lapic_state (validated first)
 * VLAPIC_REG_ACCESS		struct vlapic_reg_access: a guest access the
 *				VMM trapped (xAPIC MMIO or an APIC MSR)
 * VLAPIC_WAIT			struct vlapic_wait: HLT
 * VLAPIC_GET_INTERRUPT		struct vlapic_interrupt: take the next event
 * VLAPIC_SET_LINT		struct vlapic_lint: drive LINT0/LINT1
 * VLAPIC_GET_VCPU_STATS	struct vlapic_vcpu_stats
 */
#define VLAPIC_GET_LAPIC	_IOR(VLAPICIO, 0x20, struct vlapic_lapic_state)
#define VLAPIC_SET_LAPIC	_IOW(VLAPICIO, 0x21, struct vlapic_lapic_state)
#define VLAPIC_REG_ACCESS	_IOWR(VLAPICIO, 0x22, struct vlapic_reg_access)
#define VLAPIC_WAIT		_IOWR(VLAPICIO, 0x24, struct vlapic_wait)
#define VLAPIC_GET_INTERRUPT	_IOWR(VLAPICIO, 0x25, struct vlapic_interrupt)
#define VLAPIC_SET_LINT		_IOW(VLAPICIO, 0x26, struct vlapic_lint)
#define VLAPIC_GET_VCPU_STATS	_IOR(VLAPICIO, 0x27, struct vlapic_vcpu_stats)
/*
 * The run interface of a VLAPIC_VM_RUN VM's vCPU. The structures have
 * KVM's layouts (struct kvm_run, kvm_regs, kvm_sregs, kvm_msrs,
 * kvm_cpuid2, kvm_userspace_memory_region, kvm_enable_cap): the module
 * checks them against <linux/kvm.h> at build time, so a VMM written for
 * KVM ports by renaming. docs/run.md describes the loop.
 *
 * VLAPIC_RUN			0; runs until an exit userspace must handle
 *				(vlapic_run::exit_reason); -EINTR when a
 *				signal is pending (exit reason INTR)
 * VLAPIC_GET_REGS / SET_REGS	struct vlapic_regs
 * VLAPIC_GET_SREGS / SET_SREGS	struct vlapic_sregs
 * VLAPIC_GET_MSRS / SET_MSRS	struct vlapic_msrs; returns how many
 *				entries were processed
 * VLAPIC_SET_CPUID2 / GET_CPUID2 struct vlapic_cpuid2
 * VLAPIC_INTERRUPT		struct vlapic_extint: the vector the VMM's 8259
 *				answers to the next ExtINT acknowledge
 */
#define VLAPIC_RUN		_IO(VLAPICIO, 0x80)
#define VLAPIC_GET_REGS		_IOR(VLAPICIO, 0x81, struct vlapic_regs)
#define VLAPIC_SET_REGS		_IOW(VLAPICIO, 0x82, struct vlapic_regs)
#define VLAPIC_GET_SREGS	_IOR(VLAPICIO, 0x83, struct vlapic_sregs)
#define VLAPIC_SET_SREGS	_IOW(VLAPICIO, 0x84, struct vlapic_sregs)
#define VLAPIC_GET_MSRS		_IOWR(VLAPICIO, 0x88, struct vlapic_msrs)
#define VLAPIC_SET_MSRS		_IOW(VLAPICIO, 0x89, struct vlapic_msrs)
#define VLAPIC_SET_CPUID2	_IOW(VLAPICIO, 0x90, struct vlapic_cpuid2)
#define VLAPIC_GET_CPUID2	_IOWR(VLAPICIO, 0x91, struct vlapic_cpuid2)
#define VLAPIC_INTERRUPT	_IOW(VLAPICIO, 0x86, struct vlapic_extint)

/*
 * struct vlapic_reg_access
 * @kind: VLAPIC_ACCESS_KIND_MMIO (offset in the xAPIC page),
 *	VLAPIC_ACCESS_KIND_MSR (MSR index: IA32_APIC_BASE,
 *	IA32_TSC_DEADLINE, 0x800-0x8ff), both on a vCPU fd; or
 *	VLAPIC_ACCESS_KIND_IOAPIC (offset in the IOAPIC window, on the VM
 *	fd with VLAPIC_IOAPIC_ACCESS).
 * @flags: VLAPIC_ACCESS_WRITE or 0.
 * @address: MMIO offset or MSR index.
 * @len: MMIO access size (1, 2, 4); 8 for MSRs; IOAPIC 1, 2, 4 or 8.
 * @fault: out: 0, or VLAPIC_FAULT_GP: inject #GP(0).
 * @data: value written, or value read.
 */
struct vlapic_reg_access {
	__u32 kind;
	__u32 flags;
	__u32 address;
	__u32 len;
	__u32 fault;
	__u32 pad;
	__u64 data;
};

#define VLAPIC_ACCESS_KIND_MMIO	1
#define VLAPIC_ACCESS_KIND_MSR	2
#define VLAPIC_ACCESS_KIND_IOAPIC	3
#define VLAPIC_ACCESS_WRITE	(1U << 0)
#define VLAPIC_FAULT_GP		1

/*
 * struct vlapic_wait - sleep as a halted CPU.
 * @timeout_ns: in: relative timeout; < 0 waits without limit.
 * @flags: must be zero.
 * @reason: out: VLAPIC_WAKE_*.
 */
struct vlapic_wait {
	__s64 timeout_ns;
	__u32 flags;
	__u32 reason;
};

#define VLAPIC_WAKE_EVENT	1	/* the wake predicate holds */
#define VLAPIC_WAKE_TIMEOUT	2
#define VLAPIC_WAKE_SIGNAL	3	/* also returned as -EINTR */
#define VLAPIC_WAKE_CLOSED	4	/* a close() of this vCPU's fd */

/*
 * struct vlapic_interrupt - what the CPU takes next.
 * @flags: in: VLAPIC_INTR_IF (RFLAGS.IF set, no interrupt shadow),
 *	VLAPIC_INTR_NMI_BLOCKED.
 * @type: out: VLAPIC_INTR_NONE, _VECTOR, _NMI, _SMI, _INIT, _SIPI,
 *	_EXTINT.
 * @vector: out: the vector (VECTOR), start page (SIPI).
 * @pad: zero.
 */
struct vlapic_interrupt {
	__u32 flags;
	__u32 type;
	__u32 vector;
	__u32 pad;
};

#define VLAPIC_INTR_IF			(1U << 0)
#define VLAPIC_INTR_NMI_BLOCKED		(1U << 1)

#define VLAPIC_INTR_NONE	0
#define VLAPIC_INTR_VECTOR	1
#define VLAPIC_INTR_NMI		2
#define VLAPIC_INTR_SMI		3
#define VLAPIC_INTR_INIT	4
#define VLAPIC_INTR_SIPI	5
#define VLAPIC_INTR_EXTINT	6

/*
 * struct vlapic_lint
 * @pin: 0 or 1.
 * @level: the input signal, 1 high, 0 low; the LVT's polarity (bit 13)
 *	applies.
 */
struct vlapic_lint {
	__u32 pin;
	__u32 level;
};

/*
 * The per-vCPU counters of VLAPIC_GET_VCPU_STATS: indices into
 * struct vlapic_vcpu_stats::v, and their names
 * (VLAPIC_VCPU_STAT_NAMES_INIT, the initializer of a name table indexed by
 * them; the kernel's and libvlapic's tables are both built from it).
 * Meanings: docs/api.md. New counters are added at the end only.
 */
#define VLAPIC_VCPU_STAT_FIXED_ACCEPTED	0	/* fixed/lowest-priority set in IRR */
#define VLAPIC_VCPU_STAT_FIXED_COALESCED	1	/* ... already pending in IRR */
#define VLAPIC_VCPU_STAT_DROPPED_SW_DISABLED	2	/* fixed dropped: SVR bit 8 clear */
#define VLAPIC_VCPU_STAT_RX_ILLEGAL_VECTOR	3	/* received vector 0-15 (ESR bit 6) */
#define VLAPIC_VCPU_STAT_TX_ILLEGAL_VECTOR	4	/* sent vector 0-15 (ESR bit 5) */
#define VLAPIC_VCPU_STAT_ILLEGAL_REGISTER	5	/* xAPIC reserved offset (ESR bit 7) */
#define VLAPIC_VCPU_STAT_ACKED		6	/* IRR -> ISR */
#define VLAPIC_VCPU_STAT_EOI		7	/* EOIs */
#define VLAPIC_VCPU_STAT_EOI_BROADCAST	8	/* level EOI told to the IOAPIC */
#define VLAPIC_VCPU_STAT_SPURIOUS_EOI	9	/* EOI with ISR empty */
#define VLAPIC_VCPU_STAT_NMI		10	/* NMIs accepted */
#define VLAPIC_VCPU_STAT_SMI		11	/* SMIs accepted */
#define VLAPIC_VCPU_STAT_INIT		12	/* INITs accepted */
#define VLAPIC_VCPU_STAT_SIPI		13	/* SIPIs accepted (latched) */
#define VLAPIC_VCPU_STAT_SIPI_IGNORED	14	/* SIPIs that started nothing */
#define VLAPIC_VCPU_STAT_EXTINT		15	/* ExtINTs accepted */
#define VLAPIC_VCPU_STAT_IPI_SENT		16	/* ICR or SELF IPI writes */
#define VLAPIC_VCPU_STAT_TIMER_FIRED	17	/* timer expiries delivered */
#define VLAPIC_VCPU_STAT_TIMER_RESYNC	18	/* periodic lagged >= 1 period */
#define VLAPIC_VCPU_STAT_TIMER_STALE	19	/* expiry callback with nothing due */
#define VLAPIC_VCPU_STAT_ERROR_LVT		20	/* error interrupts raised */
#define VLAPIC_VCPU_STAT_GP			21	/* accesses answered with #GP */
#define VLAPIC_VCPU_STAT_BAD_MMIO		22	/* misaligned/wrongly sized, ignored */
/* Acknowledged vectors by priority class (vector >> 4), 16 counters. */
#define VLAPIC_VCPU_STAT_ACKED_CLASS0	23
/* The run loop's counters (VLAPIC_VM_RUN VMs; 0 otherwise). */
#define VLAPIC_VCPU_STAT_RUN_EXITS	39	/* guest exits (VLAPIC_RUN) */
#define VLAPIC_VCPU_STAT_RUN_EXIT_INTR	40	/* host interrupt (kicks included) */
#define VLAPIC_VCPU_STAT_RUN_EXIT_NMI	41	/* host NMI */
#define VLAPIC_VCPU_STAT_RUN_EXIT_VINTR	42	/* interrupt window opened */
#define VLAPIC_VCPU_STAT_RUN_EXIT_CR8	43	/* CR8 write intercepted */
#define VLAPIC_VCPU_STAT_RUN_EXIT_CPUID	44	/* CPUID */
#define VLAPIC_VCPU_STAT_RUN_EXIT_HLT	45	/* HLT */
#define VLAPIC_VCPU_STAT_RUN_EXIT_IO	46	/* port I/O */
#define VLAPIC_VCPU_STAT_RUN_EXIT_MSR	47	/* RDMSR/WRMSR */
#define VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_LAPIC	48	/* xAPIC page accesses */
#define VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_IOAPIC	49	/* IOAPIC window accesses */
#define VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_USER	50	/* MMIO to userspace */
#define VLAPIC_VCPU_STAT_RUN_EXIT_HYPERCALL	51	/* VMMCALL/VMCALL */
#define VLAPIC_VCPU_STAT_RUN_EXIT_NMI_WINDOW	52	/* NMI window (IRET) */
#define VLAPIC_VCPU_STAT_RUN_EXIT_EXCEPTION	53	/* intercepted exceptions */
#define VLAPIC_VCPU_STAT_RUN_EXIT_OTHER	54	/* any other exit */
#define VLAPIC_VCPU_STAT_RUN_USER_EXITS	55	/* exits to userspace */
#define VLAPIC_VCPU_STAT_RUN_HALT_SLEEPS	56	/* HLT/wait-for-SIPI sleeps */
#define VLAPIC_VCPU_STAT_RUN_KICK_IPIS	57	/* kicks that ended a stint */
#define VLAPIC_VCPU_STAT_RUN_INJECTED_INTR	58	/* vectors injected */
#define VLAPIC_VCPU_STAT_RUN_INJECTED_NMI	59	/* NMIs injected */
#define VLAPIC_VCPU_STAT_RUN_INJECTED_EXC	60	/* exceptions injected */
#define VLAPIC_VCPU_STAT_RUN_TLB_FLUSHES	61	/* nested TLB flushes */
#define VLAPIC_VCPU_STAT_RUN_BAD_EVENTS	62	/* impossible EXITINTINFO, dropped */
/* VMX APIC virtualization (VLAPIC_VM_APICV_*; 0 on SVM). */
#define VLAPIC_VCPU_STAT_RUN_MODE_INJECT	63	/* entries: injection only */
#define VLAPIC_VCPU_STAT_RUN_MODE_TPR_SHADOW	64	/* entries: TPR shadow */
#define VLAPIC_VCPU_STAT_RUN_MODE_VID	65	/* entries: virtual-interrupt delivery */
#define VLAPIC_VCPU_STAT_RUN_EXIT_TPR_THRESHOLD	66	/* TPR lowered below the threshold */
#define VLAPIC_VCPU_STAT_RUN_EXIT_EOI_INDUCED	67	/* EOI of a vector in the EOI-exit bitmap */
#define VLAPIC_VCPU_STAT_RUN_EXIT_APIC_WRITE	68	/* trap-like APIC write, replayed */
#define VLAPIC_VCPU_STAT_RUN_EXIT_APIC_ACCESS	69	/* APIC-access page access, emulated */
#define VLAPIC_VCPU_STAT_RUN_EXIT_PAUSE	70	/* PAUSE (a spinning vCPU) */
#define VLAPIC_VCPU_STAT_RUN_EXIT_BACKSTOP	71	/* VMX-preemption timer backstop */
#define VLAPIC_VCPU_STAT_NR			72

#define VLAPIC_VCPU_STAT_NAMES_INIT						\
	[VLAPIC_VCPU_STAT_FIXED_ACCEPTED] = "fixed_accepted",		\
	[VLAPIC_VCPU_STAT_FIXED_COALESCED] = "fixed_coalesced",		\
	[VLAPIC_VCPU_STAT_DROPPED_SW_DISABLED] = "dropped_sw_disabled",	\
	[VLAPIC_VCPU_STAT_RX_ILLEGAL_VECTOR] = "rx_illegal_vector",	\
	[VLAPIC_VCPU_STAT_TX_ILLEGAL_VECTOR] = "tx_illegal_vector",	\
	[VLAPIC_VCPU_STAT_ILLEGAL_REGISTER] = "illegal_register",	\
	[VLAPIC_VCPU_STAT_ACKED] = "acked",				\
	[VLAPIC_VCPU_STAT_EOI] = "eoi",					\
	[VLAPIC_VCPU_STAT_EOI_BROADCAST] = "eoi_broadcast",		\
	[VLAPIC_VCPU_STAT_SPURIOUS_EOI] = "spurious_eoi",		\
	[VLAPIC_VCPU_STAT_NMI] = "nmi",					\
	[VLAPIC_VCPU_STAT_SMI] = "smi",					\
	[VLAPIC_VCPU_STAT_INIT] = "init",				\
	[VLAPIC_VCPU_STAT_SIPI] = "sipi",				\
	[VLAPIC_VCPU_STAT_SIPI_IGNORED] = "sipi_ignored",		\
	[VLAPIC_VCPU_STAT_EXTINT] = "extint",				\
	[VLAPIC_VCPU_STAT_IPI_SENT] = "ipi_sent",			\
	[VLAPIC_VCPU_STAT_TIMER_FIRED] = "timer_fired",			\
	[VLAPIC_VCPU_STAT_TIMER_RESYNC] = "timer_resync",		\
	[VLAPIC_VCPU_STAT_TIMER_STALE] = "timer_stale",			\
	[VLAPIC_VCPU_STAT_ERROR_LVT] = "error_lvt",			\
	[VLAPIC_VCPU_STAT_GP] = "gp",					\
	[VLAPIC_VCPU_STAT_BAD_MMIO] = "bad_mmio",			\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x0] = "acked_class_0",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x1] = "acked_class_1",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x2] = "acked_class_2",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x3] = "acked_class_3",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x4] = "acked_class_4",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x5] = "acked_class_5",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x6] = "acked_class_6",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x7] = "acked_class_7",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x8] = "acked_class_8",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0x9] = "acked_class_9",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xa] = "acked_class_a",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xb] = "acked_class_b",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xc] = "acked_class_c",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xd] = "acked_class_d",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xe] = "acked_class_e",	\
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xf] = "acked_class_f",	\
	[VLAPIC_VCPU_STAT_RUN_EXITS] = "run_exits",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_INTR] = "run_exit_intr",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_NMI] = "run_exit_nmi",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_VINTR] = "run_exit_vintr",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_CR8] = "run_exit_cr8",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_CPUID] = "run_exit_cpuid",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_HLT] = "run_exit_hlt",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_IO] = "run_exit_io",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_MSR] = "run_exit_msr",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_LAPIC] = "run_exit_mmio_lapic",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_IOAPIC] = "run_exit_mmio_ioapic",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_USER] = "run_exit_mmio_user",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_HYPERCALL] = "run_exit_hypercall",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_NMI_WINDOW] = "run_exit_nmi_window",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_EXCEPTION] = "run_exit_exception",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_OTHER] = "run_exit_other",	\
	[VLAPIC_VCPU_STAT_RUN_USER_EXITS] = "run_user_exits",	\
	[VLAPIC_VCPU_STAT_RUN_HALT_SLEEPS] = "run_halt_sleeps",	\
	[VLAPIC_VCPU_STAT_RUN_KICK_IPIS] = "run_kick_ipis",	\
	[VLAPIC_VCPU_STAT_RUN_INJECTED_INTR] = "run_injected_intr",	\
	[VLAPIC_VCPU_STAT_RUN_INJECTED_NMI] = "run_injected_nmi",	\
	[VLAPIC_VCPU_STAT_RUN_INJECTED_EXC] = "run_injected_exc",	\
	[VLAPIC_VCPU_STAT_RUN_TLB_FLUSHES] = "run_tlb_flushes",	\
	[VLAPIC_VCPU_STAT_RUN_BAD_EVENTS] = "run_bad_events",	\
	[VLAPIC_VCPU_STAT_RUN_MODE_INJECT] = "run_mode_inject",	\
	[VLAPIC_VCPU_STAT_RUN_MODE_TPR_SHADOW] = "run_mode_tpr_shadow",	\
	[VLAPIC_VCPU_STAT_RUN_MODE_VID] = "run_mode_vid",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_TPR_THRESHOLD] = "run_exit_tpr_threshold",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_EOI_INDUCED] = "run_exit_eoi_induced",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_APIC_WRITE] = "run_exit_apic_write",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_APIC_ACCESS] = "run_exit_apic_access",	\
	[VLAPIC_VCPU_STAT_RUN_EXIT_PAUSE] = "run_exit_pause",		\
	[VLAPIC_VCPU_STAT_RUN_EXIT_BACKSTOP] = "run_exit_backstop",

/*
 * struct vlapic_vcpu_stats - per-vCPU counters.
 * @nr: number of valid entries in @v (VLAPIC_VCPU_STAT_NR).
 * @pad: zero.
 * @v: counters, indexed by VLAPIC_VCPU_STAT_*.
 *
 * The first layout had 64 slots (520 bytes); the ioctl number of that
 * size still returns the first 63 counters (docs/api.md).
 */
struct vlapic_vcpu_stats {
	__u32 nr;
	__u32 pad;
	__u64 v[128];
};

/*
 * struct vlapic_lapic_state - the complete state of one vLAPIC.
 * @regs: the register page in the architectural xAPIC layout, as
 *	KVM_GET_LAPIC carries it (offset = MMIO offset). In x2APIC mode the
 *	ID register at 0x20 holds the 32-bit x2APIC ID, otherwise the 8-bit
 *	xAPIC ID in bits 31:24. The current count (0x390) is the count at the
 *	time of the GET; a SET resumes counting from it.
 * @apic_base: IA32_APIC_BASE.
 * @tsc_deadline: IA32_TSC_DEADLINE (guest TSC units; 0: disarmed).
 * @flags: must be zero.
 * @esr_pending: errors found since the last ESR write (bits as in ESR),
 *	latched into ESR by the next write.
 * @pending_events: VLAPIC_EVENT_* held for the vCPU.
 * @sipi_vector: start page of a pending SIPI.
 * @mp_state: VLAPIC_MP_STATE_*.
 * @lint_levels: bit n: LINTn is asserted (after the LVT's polarity).
 * @pad: must be zero.
 * @reserved: must be zero.
 */
struct vlapic_lapic_state {
	__u8 regs[1024];
	__u64 apic_base;
	__u64 tsc_deadline;
	__u32 flags;
	__u32 esr_pending;
	__u32 pending_events;
	__u8 sipi_vector;
	__u8 mp_state;
	__u8 lint_levels;
	__u8 pad;
	__u64 reserved[8];
};

#define VLAPIC_EVENT_NMI	(1U << 0)
#define VLAPIC_EVENT_SMI	(1U << 1)
#define VLAPIC_EVENT_INIT	(1U << 2)
#define VLAPIC_EVENT_SIPI	(1U << 3)
#define VLAPIC_EVENT_EXTINT	(1U << 4)

#define VLAPIC_MP_STATE_RUNNABLE	0
#define VLAPIC_MP_STATE_WAIT_FOR_SIPI	1

/* --- guest memory, registers and the run structure (KVM's layouts) ------ */

/*
 * struct vlapic_userspace_memory_region - one guest memory slot
 * (struct kvm_userspace_memory_region).
 * @slot: 0 .. VLAPIC_MEM_SLOTS - 1.
 * @flags: 0 or VLAPIC_MEM_READONLY (guest writes exit as MMIO).
 * @guest_phys_addr: page aligned.
 * @memory_size: page aligned; 0 deletes the slot.
 * @userspace_addr: page aligned; the caller's memory, pinned while the
 *	slot exists and charged to its RLIMIT_MEMLOCK.
 */
struct vlapic_userspace_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

#define VLAPIC_MEM_READONLY		(1U << 1)
#define VLAPIC_MEM_SLOTS		32

/* struct kvm_enable_cap */
struct vlapic_enable_cap {
	__u32 cap;
	__u32 flags;
	__u64 args[4];
	__u8 pad[64];
};

/*
 * struct vlapic_extint - VLAPIC_INTERRUPT (struct kvm_interrupt).
 * @irq: the vector, 0-255, that a VMM's own 8259 gives to the next
 *	interrupt acknowledge. The vLAPIC signals the ExtINT itself (LVT0 in
 *	ExtINT mode, driven by VLAPIC_SET_LINT); the run loop injects this
 *	vector when the guest can take it, whatever TPR and PPR say, and
 *	forgets it then. -EEXIST while one is still waiting.
 */
struct vlapic_extint {
	__u32 irq;
};

/* VLAPIC_CAP_X86_USER_SPACE_MSR: args[0], which RDMSR/WRMSR exit. */
#define VLAPIC_MSR_EXIT_REASON_INVAL	(1U << 0)
#define VLAPIC_MSR_EXIT_REASON_UNKNOWN	(1U << 1)

/* struct kvm_regs */
struct vlapic_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8,  r9,  r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* struct kvm_segment */
struct vlapic_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

/* struct kvm_dtable */
struct vlapic_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/*
 * struct vlapic_sregs (struct kvm_sregs). @cr8 and @apic_base are the
 * vLAPIC's TPR[7:4] and IA32_APIC_BASE. @interrupt_bitmap: on GET, the
 * bit of an external interrupt acknowledged but not yet delivered; on
 * SET, at most one bit, re-injected at the next entry.
 */
struct vlapic_sregs {
	struct vlapic_segment cs, ds, es, fs, gs, ss;
	struct vlapic_segment tr, ldt;
	struct vlapic_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 interrupt_bitmap[4];
};

/* struct kvm_msr_entry, struct kvm_msrs */
struct vlapic_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct vlapic_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct vlapic_msr_entry entries[];
};

#define VLAPIC_MAX_MSR_ENTRIES		256

/* struct kvm_cpuid_entry2, struct kvm_cpuid2 */
struct vlapic_cpuid_entry2 {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 padding[3];
};

#define VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX	(1U << 0)

struct vlapic_cpuid2 {
	__u32 nent;
	__u32 padding;
	struct vlapic_cpuid_entry2 entries[];
};

#define VLAPIC_MAX_CPUID_ENTRIES	256

/* vlapic_run::exit_reason: KVM's numbers. */
#define VLAPIC_EXIT_UNKNOWN		0
#define VLAPIC_EXIT_IO			2
#define VLAPIC_EXIT_HYPERCALL		3
#define VLAPIC_EXIT_MMIO		6
#define VLAPIC_EXIT_SHUTDOWN		8
#define VLAPIC_EXIT_FAIL_ENTRY		9
#define VLAPIC_EXIT_INTR		10
#define VLAPIC_EXIT_INTERNAL_ERROR	17
#define VLAPIC_EXIT_X86_RDMSR		29
#define VLAPIC_EXIT_X86_WRMSR		30

#define VLAPIC_EXIT_IO_IN		0
#define VLAPIC_EXIT_IO_OUT		1

/* internal.suberror */
#define VLAPIC_INTERNAL_ERROR_EMULATION		1
#define VLAPIC_INTERNAL_ERROR_SIMUL_EX		2
#define VLAPIC_INTERNAL_ERROR_DELIVERY_EV	3
#define VLAPIC_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON	4
/* emulation_failure.flags: insn_size and insn_bytes are valid. */
#define VLAPIC_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES	(1ULL << 0)
/*
 * After an emulation failure, as KVM: internal.data[0] is the flags,
 * data[1..2] the instruction bytes when the flag says so, then five words
 * describe the exit the instruction came from (VLAPIC_EMUL_INFO_*, from
 * data[1], or data[3] with bytes); emulation_failure.ndata counts them.
 * SVM: EXITCODE, EXITINFO1, EXITINFO2, EXITINTINFO, its error code (0
 * unless EXITINTINFO has one). VMX: the exit reason, the exit
 * qualification, the IDT-vectoring information, the VM-exit interruption
 * information, 0.
 */
#define VLAPIC_EMUL_INFO_REASON		0
#define VLAPIC_EMUL_INFO_INFO1		1
#define VLAPIC_EMUL_INFO_INFO2		2
#define VLAPIC_EMUL_INFO_INTR_INFO	3
#define VLAPIC_EMUL_INFO_ERROR_CODE	4
#define VLAPIC_EMUL_INFO_WORDS		5

/* Where the I/O data of an IO exit lives: the mmap's second page. */
#define VLAPIC_PIO_PAGE_OFFSET		1

/*
 * struct vlapic_run - the vCPU's shared page (struct kvm_run), mmap()ed
 * from the vCPU fd (VLAPIC_GET_VCPU_MMAP_SIZE bytes).
 */
struct vlapic_run {
	/* in */
	__u8 request_interrupt_window;	/* must be 0: no userspace PIC */
	__u8 immediate_exit;
	__u8 padding1[6];
	/* out */
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;	/* VLAPIC_INTERRUPT accepted */
	__u8 if_flag;
	__u16 flags;
	/* out: TPR[7:4] and IA32_APIC_BASE at the exit */
	__u64 cr8;
	__u64 apic_base;
	union {
		/* VLAPIC_EXIT_UNKNOWN */
		struct {
			__u64 hardware_exit_reason;
		} hw;
		/* VLAPIC_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
		} fail_entry;
		/* VLAPIC_EXIT_IO */
		struct {
			__u8 direction;
			__u8 size;	/* bytes */
			__u16 port;
			__u32 count;
			__u64 data_offset;	/* relative to the run struct */
		} io;
		/* VLAPIC_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
		} mmio;
		/* VLAPIC_EXIT_HYPERCALL: VMMCALL/VMCALL; RAX := @ret */
		struct {
			__u64 nr;	/* RAX */
			__u64 args[6];	/* RBX, RCX, RDX, RSI, RDI, R8 */
			__u64 ret;
			__u32 longmode;
			__u32 pad;
		} hypercall;
		/* VLAPIC_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		/* VLAPIC_EXIT_INTERNAL_ERROR, suberror EMULATION */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 flags;
			__u8  insn_size;
			__u8  insn_bytes[15];
		} emulation_failure;
		/* VLAPIC_EXIT_X86_RDMSR / VLAPIC_EXIT_X86_WRMSR */
		struct {
			__u8 error;	/* in: 1 injects #GP */
			__u8 pad[7];
			__u32 reason;	/* VLAPIC_MSR_EXIT_REASON_* */
			__u32 index;
			__u64 data;
		} msr;
		char padding[256];
	};
	__u64 kvm_valid_regs;	/* 0: no synchronized registers */
	__u64 kvm_dirty_regs;	/* must be 0 */
	union {
		char padding[2048];
	} s;
};

#endif /* _UAPI_LINUX_VLAPIC_H */
