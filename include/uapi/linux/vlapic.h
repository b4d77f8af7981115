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

#endif /* _UAPI_LINUX_VLAPIC_H */
