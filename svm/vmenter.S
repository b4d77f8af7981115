/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One guest stint on SVM. Called by svm/run.c with interrupts off.
 *
 * void svm_vmrun(u64 vmcb_pa, u64 host_save_pa, u64 *gprs)
 *
 *	CLGI		GIF = 0: interrupts and NMIs wait from here on
 *	VMSAVE host	FS/GS (with bases), TR, LDTR, KERNEL_GS_BASE,
 *			STAR/LSTAR/CSTAR/SFMASK, SYSENTER_* of the host
 *	VMLOAD guest	the guest's copies of the same
 *	load GPRs	all but RAX and RSP (VMRUN switches those)
 *	STI; VMRUN	host RFLAGS.IF = 1 at VMRUN: with V_INTR_MASKING a
 *			physical interrupt then ends the stint (INTR
 *			intercept); GIF = 0 still holds it on the host side
 *	save GPRs
 *	VMSAVE guest, VMLOAD host
 *	CLI; STGI	held interrupts wait for the caller's
 *			local_irq_enable(), NMIs are taken now
 *
 * From VMLOAD guest to VMLOAD host the GS base is the guest's: no C code,
 * no per-CPU data, nothing that could be traced runs in between.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include <vlapic/emul_regs.h>

	.text

SYM_FUNC_START(svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* 16(%rsp): gprs, 8(%rsp): vmcb_pa, 0(%rsp): host_save_pa */
	push	%rdx
	push	%rdi
	push	%rsi

	clgi
	mov	%rsi, %rax
	vmsave	%rax
	mov	8(%rsp), %rax
	vmload	%rax

	mov	16(%rsp), %rax
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
	mov	8(%rsp), %rax

	sti
	vmrun	%rax

	/* #VMEXIT: RSP, RAX (vmcb_pa) and RFLAGS are the host's again. */
	mov	16(%rsp), %rax
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

	mov	8(%rsp), %rax
	vmsave	%rax
	mov	0(%rsp), %rax
	vmload	%rax
	cli
	stgi

	/* Guest values must not steer the host's return predictions. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
	UNTRAIN_RET

	/* Nothing of the guest's stays in a register the C code can see. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_vmrun)
