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
#define VLAPIC_VM_FLAGS_ALL		0x7U

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
 *	GSI and leaves it asserted; when the guest EOIs the vector of the
 *	IOAPIC pin the GSI is routed to, the GSI is deasserted and
 *	@resamplefd is signalled, so the device can assert it again, as
 *	VFIO and vhost expect).
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
 *	entry's polarity).
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
#define VLAPIC_VCPU_STAT_SIPI		13	/* SIPIs accepted */
#define VLAPIC_VCPU_STAT_SIPI_IGNORED	14	/* SIPI not waited for */
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
#define VLAPIC_VCPU_STAT_NR			39

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
	[VLAPIC_VCPU_STAT_ACKED_CLASS0 + 0xf] = "acked_class_f",

/*
 * struct vlapic_vcpu_stats - per-vCPU counters.
 * @nr: number of valid entries in @v (VLAPIC_VCPU_STAT_NR).
 * @pad: zero.
 * @v: counters, indexed by VLAPIC_VCPU_STAT_*.
 */
struct vlapic_vcpu_stats {
	__u32 nr;
	__u32 pad;
	__u64 v[64];
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

#endif /* _UAPI_LINUX_VLAPIC_H */
