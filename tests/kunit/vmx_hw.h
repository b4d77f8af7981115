/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by vmx_hw_test.c and vmx_hw_guest.S. */
#ifndef _VLAPIC_TESTS_VMX_HW_H
#define _VLAPIC_TESTS_VMX_HW_H

/* EAX at the guest's VMCALL: a routine finished, or vector n arrived. */
#define VMX_HW_DONE		0xd0e
#define VMX_HW_VECTOR_BASE	0x1000

#ifndef __ASSEMBLY__
int vlapic_vmx_hw_enter(unsigned long *guest_rax, bool launched);
void vlapic_vmx_hw_guest_idle(void);
void vlapic_vmx_hw_guest_cr8_write(void);
void vlapic_vmx_hw_guest_eoi(void);
void vlapic_vmx_hw_guest_vectors(void);
#endif

#endif /* _VLAPIC_TESTS_VMX_HW_H */
