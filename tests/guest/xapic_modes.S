/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xAPIC MMIO through different instruction forms, in 32-bit protected mode
 * (mmio32_forms, run by mode32_call) and in long mode (mmio64_forms). The
 * routines use the TPR (offset 0x80) and the version register (0x30) of
 * the xAPIC page at a given virtual address and store what they read into
 * an array of u32 (layout in xapic.c, struct forms):
 *   [1] MOV r32 -> mem, MOV mem -> r32 (89, 8B)   [2] MOV imm32, SIB read
 *   [3] MOVZX byte read (0F B6)   [4] MOVZX word read (0F B7)
 *   [5] XCHG: old value   [6] XCHG: new value   [7] REP STOSD
 *   [8] OR imm8   [9] AND imm32   [10] TEST: ZF clear   [11] CMP: ZF set
 *   [12] byte store (C6) ignored   [13] word store (66 89) ignored
 *   [14] version register
 */

	.text
	.code32
	.globl mmio32_forms
/* u32 mmio32_forms(u32 *r): r[0] is the xAPIC page's virtual address. */
mmio32_forms:
	push %ebx
	push %esi
	push %edi
	push %ebp
	mov 20(%esp), %ebp
	mov (%ebp), %ebx

	mov $0x10, %eax
	mov %eax, 0x80(%ebx)
	mov 0x80(%ebx), %ecx
	mov %ecx, 4(%ebp)

	movl $0x20, 0x80(%ebx)
	mov $0x20, %esi
	mov (%ebx,%esi,4), %edx
	mov %edx, 8(%ebp)

	movzbl 0x80(%ebx), %eax
	mov %eax, 12(%ebp)
	movzwl 0x80(%ebx), %eax
	mov %eax, 16(%ebp)

	mov $0x30, %eax
	xchg %eax, 0x80(%ebx)
	mov %eax, 20(%ebp)
	mov 0x80(%ebx), %eax
	mov %eax, 24(%ebp)

	lea 0x80(%ebx), %edi
	mov $0x40, %eax
	mov $1, %ecx
	cld
	rep stosl
	mov 0x80(%ebx), %eax
	mov %eax, 28(%ebp)

	orl $0x05, 0x80(%ebx)
	mov 0x80(%ebx), %eax
	mov %eax, 32(%ebp)
	andl $0xfffffff0, 0x80(%ebx)
	mov 0x80(%ebx), %eax
	mov %eax, 36(%ebp)

	xor %eax, %eax
	testl $0x40, 0x80(%ebx)
	setnz %al
	mov %eax, 40(%ebp)
	mov $0x40, %ecx
	xor %eax, %eax
	cmp %ecx, 0x80(%ebx)
	sete %al
	mov %eax, 44(%ebp)

	movb $0x77, 0x80(%ebx)
	mov 0x80(%ebx), %eax
	mov %eax, 48(%ebp)
	mov $0x1234, %ax
	movw %ax, 0x80(%ebx)
	mov 0x80(%ebx), %eax
	mov %eax, 52(%ebp)

	mov 0x30(%ebx), %eax
	mov %eax, 56(%ebp)

	movl $0, 0x80(%ebx)
	xor %eax, %eax
	pop %ebp
	pop %edi
	pop %esi
	pop %ebx
	ret

	.code64
	.globl mmio64_forms
/* void mmio64_forms(u64 base, u32 *r): the same with REX registers. */
mmio64_forms:
	push %rbx
	push %r12
	push %r13
	mov %rdi, %r10
	mov %rsi, %r11

	mov $0x10, %r8d
	mov %r8d, 0x80(%r10)
	mov 0x80(%r10), %r9d
	mov %r9d, 4(%r11)

	movl $0x20, 0x80(%r10)
	mov $0x20, %r12
	mov (%r10,%r12,4), %r13d
	mov %r13d, 8(%r11)

	movzbl 0x80(%r10), %eax
	mov %eax, 12(%r11)
	movzwl 0x80(%r10), %r8d
	mov %r8d, 16(%r11)

	mov $0x30, %r9d
	xchg %r9d, 0x80(%r10)
	mov %r9d, 20(%r11)
	mov 0x80(%r10), %eax
	mov %eax, 24(%r11)

	lea 0x80(%r10), %rdi
	mov $0x40, %eax
	mov $1, %ecx
	cld
	rep stosl
	mov 0x80(%r10), %eax
	mov %eax, 28(%r11)

	orl $0x05, 0x80(%r10)
	mov 0x80(%r10), %eax
	mov %eax, 32(%r11)
	andl $0xfffffff0, 0x80(%r10)
	mov 0x80(%r10), %eax
	mov %eax, 36(%r11)

	xor %eax, %eax
	testl $0x40, 0x80(%r10)
	setnz %al
	mov %eax, 40(%r11)
	mov $0x40, %r12d
	xor %eax, %eax
	cmp %r12d, 0x80(%r10)
	sete %al
	mov %eax, 44(%r11)

	movb $0x77, 0x80(%r10)
	mov 0x80(%r10), %eax
	mov %eax, 48(%r11)
	mov $0x1234, %r13w
	movw %r13w, 0x80(%r10)
	mov 0x80(%r10), %eax
	mov %eax, 52(%r11)

	mov 0x30(%r10), %eax
	mov %eax, 56(%r11)

	movl $0, 0x80(%r10)
	pop %r13
	pop %r12
	pop %rbx
	ret

	.globl memset_stores
/*
 * void memset_stores(u64 base): byte and word stores over the first 0x400
 * bytes of the xAPIC page, as a memset would do them: MOV r8 (88),
 * MOV imm8 (C6), MOV r16 (66 89), REP STOSB.
 */
memset_stores:
	xor %ecx, %ecx
1:
	movb %cl, (%rdi,%rcx)
	movb $0x5a, 1(%rdi,%rcx)
	movw %cx, 2(%rdi,%rcx)
	add $16, %ecx
	cmp $0x400, %ecx
	jb 1b
	mov $0xa5, %eax
	mov $0x100, %ecx
	cld
	rep stosb
	ret
