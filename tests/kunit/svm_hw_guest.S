/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Code for vlapic_svm_hw: the VMRUN wrapper the host calls, and the guest
 * routines it runs. The guest shares the host's page tables, GDT and
 * segments (no NPT); it has its own IDT and stack. Every guest routine
 * ends in VMMCALL with a code in EAX; RET is never reached in the guest.
 */
#include <linux/linkage.h>
#include <asm/asm.h>

#include "hw_guest.h"
#include "svm_hw.h"

	.text

/*
 * void vlapic_hw_vmrun(unsigned long vmcb_pa): CLGI, VMRUN, STGI. Called
 * with interrupts off and EFER.SVME set. VMRUN/#VMEXIT restore RSP, RIP,
 * RAX and the control registers; the other GPRs hold the guest's values
 * afterwards, so the callee-saved ones are kept on the stack.
 */
SYM_FUNC_START(vlapic_hw_vmrun)
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rdi, %rax
	clgi
	vmrun	%rax
	stgi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(vlapic_hw_vmrun)

/* Guest: CR8 := RAX (the host skips to ..._done on a CR8 write exit). */
SYM_FUNC_START(vlapic_hw_guest_cr8_write)
	mov	%rax, %cr8
SYM_INNER_LABEL(vlapic_hw_guest_cr8_write_done, SYM_L_GLOBAL)
	mov	$SVM_HW_DONE, %eax
	vmmcall
	RET
SYM_FUNC_END(vlapic_hw_guest_cr8_write)

/* Guest: RAX := CR8. */
SYM_FUNC_START(vlapic_hw_guest_cr8_read)
	mov	%cr8, %rax
	vmmcall
	RET
SYM_FUNC_END(vlapic_hw_guest_cr8_read)

/* Guest: STI; an instruction in its shadow; done. */
SYM_FUNC_START(vlapic_hw_guest_sti)
	sti
	nop
	mov	$SVM_HW_DONE, %eax
	vmmcall
	RET
SYM_FUNC_END(vlapic_hw_guest_sti)

/* Guest: CR8 := RAX, then STI (raises TPR before opening the window). */
SYM_FUNC_START(vlapic_hw_guest_cr8_sti)
	mov	%rax, %cr8
SYM_INNER_LABEL(vlapic_hw_guest_cr8_sti_done, SYM_L_GLOBAL)
	sti
	nop
	mov	$SVM_HW_DONE, %eax
	vmmcall
	RET
SYM_FUNC_END(vlapic_hw_guest_cr8_sti)

/* Guest: nothing; an injected event is delivered before it runs. */
SYM_FUNC_START(vlapic_hw_guest_idle)
	mov	$SVM_HW_DONE, %eax
	vmmcall
	RET
SYM_FUNC_END(vlapic_hw_guest_idle)

/* Guest IDT targets: stub n reports SVM_HW_VECTOR_BASE + n in EAX. */
HW_GUEST_VECTORS vlapic_hw_guest_vectors, SVM_HW_VECTOR_BASE, vmmcall
