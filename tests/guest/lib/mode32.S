/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mode32_call(fn, arg, paging): leave long mode, call the .code32 function
 * fn(arg) (cdecl, 32-bit) in flat protected mode, with paging off
 * (paging = 0) or under 32-bit PAE paging with pae_pdpt (paging = 1), then
 * return to long mode and return fn's %eax. Interrupts must be disabled:
 * the IDT is the 64-bit one. Every stack and code address is below 4 GiB.
 */
#include "layout.h"

#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR0_PG		0x80000000

	.text
	.code64
	.globl mode32_call
mode32_call:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, m32_rsp(%rip)
	mov %edi, m32_fn(%rip)
	mov %esi, m32_arg(%rip)
	mov %edx, m32_paging(%rip)
	pushq $SEL_CS32
	lea 1f(%rip), %rax
	push %rax
	lretq

	.code32
1:
	mov $SEL_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr0, %eax
	and $~CR0_PG, %eax
	mov %eax, %cr0
	mov $MSR_EFER, %ecx
	rdmsr
	and $~EFER_LME, %eax
	wrmsr
	cmpl $0, m32_paging
	je 2f
	mov $pae_pdpt, %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
2:
	pushl m32_arg
	call *m32_fn
	add $4, %esp
	mov %eax, m32_ret
	mov %cr0, %eax
	and $~CR0_PG, %eax
	mov %eax, %cr0
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
	ljmp $SEL_CS64, $3f

	.code64
3:
	mov m32_rsp(%rip), %rsp
	mov m32_ret(%rip), %eax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.data
	.balign 8
m32_rsp:
	.quad 0
m32_fn:
	.long 0
m32_arg:
	.long 0
m32_paging:
	.long 0
m32_ret:
	.long 0
