/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by svm_hw_test.c and svm_hw_guest.S. */
#ifndef _VLAPIC_TESTS_SVM_HW_H
#define _VLAPIC_TESTS_SVM_HW_H

/* EAX at the guest's VMMCALL: a routine finished, or vector n arrived. */
#define SVM_HW_DONE		0xd0e
#define SVM_HW_VECTOR_BASE	0x1000

#ifndef __ASSEMBLY__
void vlapic_hw_vmrun(unsigned long vmcb_pa);
void vlapic_hw_guest_cr8_write(void);
void vlapic_hw_guest_cr8_write_done(void);
void vlapic_hw_guest_cr8_read(void);
void vlapic_hw_guest_sti(void);
void vlapic_hw_guest_cr8_sti(void);
void vlapic_hw_guest_cr8_sti_done(void);
void vlapic_hw_guest_idle(void);
void vlapic_hw_guest_vectors(void);
#endif

#endif /* _VLAPIC_TESTS_SVM_HW_H */
