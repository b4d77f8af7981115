/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AP start-up code, copied below 1 MiB (smp.c) and entered by a SIPI
 * in real mode at CS = vector << 8, IP = 0. Position independent: it loads
 * the image's GDT, enters 32-bit protected mode and jumps to ap_start32
 * with %ebx = CS, so the AP can report the vector it was started with.
 */
#include "layout.h"

	.section .rodata, "a"
	.code16
	.globl tramp_start, tramp_end
tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	movzwl %ax, %ebx
	lgdtl (tramp_gdtr - tramp_start)
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $SEL_CS32, $ap_start32
	.balign 8
tramp_gdtr:
	.word GDT_ENTRIES * 8 - 1
	.long gdt
tramp_end:
	.code64
