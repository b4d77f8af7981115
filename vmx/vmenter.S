/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One guest stint on VMX. Called by vmx/run.c with interrupts off and
 * the vCPU's VMCS current.
 *
 * int vmx_vmenter(u64 *gprs, bool launched)
 *
 *	HOST_RSP, HOST_RIP	this frame and .Lvmx_after, written here so
 *				that a VM exit and a VMfail continue alike
 *	load GPRs		all but RSP (the VMCS holds guest RSP)
 *	VMRESUME/VMLAUNCH	VMRESUME once launched, VMLAUNCH after VMCLEAR
 *	.Lvmx_after		VM exit (RFLAGS = 2: "be" false), or VMfail
 *				(CF or ZF set); a VM exit leaves the guest's
 *				GPRs in the registers: they are saved
 *
 * Return: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed (the VMCS's
 * VM-instruction error says why), 2 if writing HOST_RSP/HOST_RIP failed.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include <vlapic/emul_regs.h>

/* VMCS field encodings (SDM appendix B). */
#define VMX_HOST_RSP	0x6c14
#define VMX_HOST_RIP	0x6c16

	.text

SYM_FUNC_START(vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* 0(%rsp): gprs */
	push	%rdi

	mov	$VMX_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmx_setup_failed
	lea	.Lvmx_after(%rip), %rbx
	mov	$VMX_HOST_RIP, %eax
	vmwrite	%rbx, %rax
	jbe	.Lvmx_setup_failed

	/* MOVs keep the flags of this test for the jump below. */
	test	%sil, %sil
	mov	%rdi, %rax
	mov	EMUL_RCX_OFF(%rax), %rcx
	mov	EMUL_RDX_OFF(%rax), %rdx
	mov	EMUL_RBX_OFF(%rax), %rbx
	mov	EMUL_RBP_OFF(%rax), %rbp
	mov	EMUL_RSI_OFF(%rax), %rsi
	mov	EMUL_RDI_OFF(%rax), %rdi
	mov	EMUL_R8_OFF(%rax), %r8
	mov	EMUL_R9_OFF(%rax), %r9
	mov	EMUL_R10_OFF(%rax), %r10
	mov	EMUL_R11_OFF(%rax), %r11
	mov	EMUL_R12_OFF(%rax), %r12
	mov	EMUL_R13_OFF(%rax), %r13
	mov	EMUL_R14_OFF(%rax), %r14
	mov	EMUL_R15_OFF(%rax), %r15
	mov	EMUL_RAX_OFF(%rax), %rax
	jz	.Lvmx_launch
	vmresume
	jmp	.Lvmx_after
.Lvmx_launch:
	vmlaunch
.Lvmx_after:
	/* RSP is HOST_RSP again: 0(%rsp) is gprs. */
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, EMUL_RCX_OFF(%rax)
	mov	%rdx, EMUL_RDX_OFF(%rax)
	mov	%rbx, EMUL_RBX_OFF(%rax)
	mov	%rbp, EMUL_RBP_OFF(%rax)
	mov	%rsi, EMUL_RSI_OFF(%rax)
	mov	%rdi, EMUL_RDI_OFF(%rax)
	mov	%r8, EMUL_R8_OFF(%rax)
	mov	%r9, EMUL_R9_OFF(%rax)
	mov	%r10, EMUL_R10_OFF(%rax)
	mov	%r11, EMUL_R11_OFF(%rax)
	mov	%r12, EMUL_R12_OFF(%rax)
	mov	%r13, EMUL_R13_OFF(%rax)
	mov	%r14, EMUL_R14_OFF(%rax)
	mov	%r15, EMUL_R15_OFF(%rax)
	/* POP and MOV keep the flags: "be" still tells a VMfail. */
	popq	EMUL_RAX_OFF(%rax)
	setbe	%bl
	movzbl	%bl, %ebx

	/* Guest values must not steer the host's return predictions. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
	UNTRAIN_RET

	mov	%ebx, %eax
.Lvmx_out:
	/* Nothing of the guest's stays in a register the C code can see. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmx_setup_failed:
	mov	$2, %eax
	jmp	.Lvmx_out
SYM_FUNC_END(vmx_vmenter)
