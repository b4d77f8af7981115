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

/* ioctls on /dev/vlapic */
#define VLAPIC_GET_API_VERSION	_IO(VLAPICIO, 0x00)

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
 * @lint_levels: bit n: LINTn input level.
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
