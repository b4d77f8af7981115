/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Code for vlapic_vmx_hw: the VM-entry wrapper the host calls, and the
 * guest routines it runs. The guest shares the host's page tables, GDT
 * and segments (no EPT); it has its own IDT and stack. Every guest
 * routine ends in VMCALL with a code in EAX; RET is never reached in the
 * guest.
 */
#include <linux/linkage.h>
#include <asm/asm.h>

#include "hw_guest.h"
#include "vmx_hw.h"

/* VMCS field encodings (SDM appendix B). */
#define VMCS_HOST_RSP	0x6c14
#define VMCS_HOST_RIP	0x6c16

	.text

/*
 * int vlapic_vmx_hw_enter(unsigned long *guest_rax, bool launched):
 * VMLAUNCH (or VMRESUME if @launched) of the current VMCS, with the
 * guest's RAX from and back to *@guest_rax. Called with interrupts off.
 *
 * HOST_RIP is the instruction right after VMLAUNCH/VMRESUME and HOST_RSP
 * the stack pointer at that point, so a VM exit and a VMfail continue on
 * the same path: a VM exit clears RFLAGS' arithmetic flags, VMfailInvalid
 * sets CF and VMfailValid sets ZF. The other GPRs hold the guest's values
 * after an exit: the callee-saved ones are kept on the stack.
 *
 * Return: 0 after a VM exit, 1 if the instruction failed (VMfail), 2 if
 * writing HOST_RSP/HOST_RIP failed.
 */
SYM_FUNC_START(vlapic_vmx_hw_enter)
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lsetup_failed
	lea	.Lafter(%rip), %rbx
	mov	$VMCS_HOST_RIP, %eax
	vmwrite	%rbx, %rax
	jbe	.Lsetup_failed
	test	%sil, %sil
	mov	(%rdi), %rax
	jz	.Llaunch
	vmresume
	jmp	.Lafter
.Llaunch:
	vmlaunch
.Lafter:
	setbe	%cl
	mov	(%rsp), %rdi
	mov	%rax, (%rdi)
	movzbl	%cl, %eax
.Lout:
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
.Lsetup_failed:
	mov	$2, %eax
	jmp	.Lout
SYM_FUNC_END(vlapic_vmx_hw_enter)

/* Guest: nothing; a virtual interrupt is delivered before it runs. */
SYM_FUNC_START(vlapic_vmx_hw_guest_idle)
	mov	$VMX_HW_DONE, %eax
	vmcall
	RET
SYM_FUNC_END(vlapic_vmx_hw_guest_idle)

/*
 * Guest: CR8 := RAX. With the TPR shadow the write goes to VTPR; a
 * TPR-below-threshold exit is trap-like (RIP is past the MOV).
 */
SYM_FUNC_START(vlapic_vmx_hw_guest_cr8_write)
	mov	%rax, %cr8
	mov	$VMX_HW_DONE, %eax
	vmcall
	RET
SYM_FUNC_END(vlapic_vmx_hw_guest_cr8_write)

/*
 * Guest: EOI through the x2APIC EOI MSR, virtualized with "virtualize
 * x2APIC mode" and virtual-interrupt delivery; an EOI-induced exit is
 * trap-like.
 */
SYM_FUNC_START(vlapic_vmx_hw_guest_eoi)
	mov	$0x80b, %ecx			/* x2APIC EOI: 800H + (0B0H >> 4) */
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	mov	$VMX_HW_DONE, %eax
	vmcall
	RET
SYM_FUNC_END(vlapic_vmx_hw_guest_eoi)

/* Guest IDT targets: stub n reports VMX_HW_VECTOR_BASE + n in EAX. */
HW_GUEST_VECTORS vlapic_vmx_hw_guest_vectors, VMX_HW_VECTOR_BASE, vmcall
