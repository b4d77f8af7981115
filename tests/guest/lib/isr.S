/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 256 interrupt entry stubs of 16 bytes each (isr_stubs + 16 * vector):
 * each pushes a zero error code where the CPU pushes none, then the vector,
 * and saves the general registers as struct frame (idt.h) for
 * idt_dispatch(). Handlers may change the frame (RIP for recovery).
 */

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set v, 0
	.rept 256
	.balign 16
	/* Vectors 8, 10-14, 17, 21, 29, 30 come with an error code. */
	.if (v == 8) || ((v >= 10) && (v <= 14)) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	.else
	pushq $0
	.endif
	pushq $v
	jmp isr_common
	.set v, v + 1
	.endr

isr_common:
	push %rax
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call idt_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq
