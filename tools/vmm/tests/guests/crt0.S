/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the VMM's test guests: a multiboot (v1) header, our own flat
 * GDT, a stack, an IDT whose 256 stubs all call isr_dispatch(), then
 * main(). Built with -DBAD_CHECKSUM it makes the image with a broken
 * header the loader must refuse.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
#ifdef BAD_CHECKSUM
	.long 0
#else
	.long -(MB_MAGIC + MB_FLAGS)
#endif

	.text
	.globl _start
_start:
	movl %eax, mb_magic
	movl %ebx, mb_info_addr
	movl %esp, entry_esp
	movl %cr0, %ecx
	movl %ecx, entry_cr0
	movl $stack_top, %esp
	pushfl
	popl entry_eflags
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	call idt_init
	lidt idt_desc
	call main
	pushl %eax
	call guest_exit
2:	cli
	hlt
	jmp 2b

/* One 16-byte stub per vector: push a dummy error code if the CPU does not. */
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21)
	pushl $vec
	.else
	pushl $0
	pushl $vec
	.endif
	jmp isr_common
	.set vec, vec + 1
	.endr

/*
 * Real mode, copied by a guest to a page below 1 MiB and started with
 * SIPI: count this AP's start at 0x7fe8, then halt for good.
 */
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lock incl 0x7fe8
3:	hlt
	jmp 3b
ap_tramp_end:
	.code32

isr_common:
	pushal
	cld
	pushl %esp
	call isr_dispatch
	addl $4, %esp
	popal
	addl $8, %esp
	iret

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.globl idt_desc
idt_desc:
	.word 256 * 8 - 1
	.long idt

	.bss
	.align 4096
	.globl idt
idt:
	.space 256 * 8
	.align 16
	.space 16384
stack_top:
