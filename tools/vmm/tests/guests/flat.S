/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw flat binary (--flat): loaded and entered at 0x100000 in the
 * multiboot entry state. Prints "flat ok" if EAX holds the multiboot
 * magic, then exits through debug-exit with 0x21 (status 0x43).
 */
	.code32
	.globl _start
_start:
	cmpl $0x2badb002, %eax
	jne 2f
	movl $msg, %esi
1:	movb (%esi), %al
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx
	outb %al, %dx
	incl %esi
	jmp 1b
2:	movl $0x21, %eax
	outl %eax, $0xf4
3:	cli
	hlt
	jmp 3b
msg:
	.asciz "flat ok\n"
