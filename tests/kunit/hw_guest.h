/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by svm_hw_guest.S and vmx_hw_guest.S: the guest IDT's targets.
 * HW_GUEST_VECTORS name, base, exit emits function @name with 256 stubs
 * of HW_GUEST_STUB_SIZE bytes: stub n (at @name + n * HW_GUEST_STUB_SIZE)
 * puts @base + n in EAX and leaves the guest with @exit (VMMCALL or
 * VMCALL, 3 bytes each), the interrupt frame on the guest stack. The
 * host emulates the IRET.
 */
#ifndef _VLAPIC_TESTS_HW_GUEST_H
#define _VLAPIC_TESTS_HW_GUEST_H

#define HW_GUEST_STUB_SIZE	8

#ifdef __ASSEMBLY__
.macro HW_GUEST_VECTORS name, base, exit
SYM_FUNC_START(\name)
	vector = 0
	.rept	256
	.byte	0xb8			/* mov $imm32, %eax */
	.long	\base + vector
	\exit				/* 3 bytes */
	vector = vector + 1
	.endr
	RET
SYM_FUNC_END(\name)
.endm
#endif

#endif /* _VLAPIC_TESTS_HW_GUEST_H */
