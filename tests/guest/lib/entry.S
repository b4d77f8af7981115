/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 entry, descriptor tables, page tables and the way into long
 * mode, for the BSP (from the multiboot loader) and for the APs (from the
 * real-mode trampoline in trampoline.S).
 *
 * Page tables: 0-4 GiB identity mapped with 2 MiB pages, 3-4 GiB (IOAPIC,
 * xAPIC and other MMIO) uncached (PCD|PWT). A 4 KiB alias of the xAPIC
 * page sits at ALIAS_VA64 in long mode and at ALIAS_VA32 under the 32-bit
 * PAE tables (pae_pdpt, used by mode32.S).
 */
#include "layout.h"

#define MB_MAGIC	0x1badb002
#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR0_PE		0x1
#define CR0_PG		0x80000000
#define CR4_PAE		0x20

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long 0
	.long -MB_MAGIC

	.data
	.balign 16
	.globl gdt, gdt_end
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_CS64: 64-bit code */
	.quad 0x00cf92000000ffff	/* SEL_DS: flat data */
	.quad 0x00cf9a000000ffff	/* SEL_CS32: 32-bit code */
gdt_end:

	.balign 16
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.globl mb_magic, mb_info
mb_magic:
	.long 0
mb_info:
	.long 0

	.balign 4096
	.globl pml4, pdpt, pae_pdpt
pml4:
	.quad pdpt + 3
	.fill 511, 8, 0
pdpt:
	.quad pd + 0x0003
	.quad pd + 0x1003
	.quad pd + 0x2003
	.quad pd + 0x3003
	.quad pd_alias + 3
	.fill 507, 8, 0
pd:
	.set i, 0
	.rept 2048
	.if i < 1536
	.quad (i << 21) | 0x83
	.else
	.quad (i << 21) | 0x9b
	.endif
	.set i, i + 1
	.endr
pd_alias:
	.quad pt_alias + 3
	.fill 511, 8, 0
pt_alias:
	.quad ALIAS_PA | 0x1b
	.fill 511, 8, 0
pae_pdpt:
	.quad pd + 0x0001
	.quad pd + 0x1001
	.quad pd_alias + 1
	.quad pd + 0x3001

/* From flat 32-bit protected mode, paging off: to compatibility mode. */
	.macro enter_long_mode
	mov $SEL_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	.endm

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %edx
	/* The image is reloaded on reboot, but .bss is cleared here anyway. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %edx, mb_magic
	mov %ebx, mb_info
	mov $(cpu_stacks + STACK_SIZE), %esp
	lgdt gdt_desc
	ljmp $SEL_CS32, $1f
1:
	enter_long_mode
	ljmp $SEL_CS64, $start64

/* APs arrive here from the trampoline; %ebx holds the trampoline's CS. */
	.globl ap_start32
ap_start32:
	enter_long_mode
	ljmp $SEL_CS64, $ap_start64

	.code64
start64:
	mov $(cpu_stacks + STACK_SIZE), %rsp
	xor %ebp, %ebp
	mov mb_magic(%rip), %edi
	mov mb_info(%rip), %esi
	call lib_main
park:
	cli
	hlt
	jmp park

/*
 * Which CPU am I: the initial APIC ID, CPUID.1:EBX[31:24], which no guest
 * write changes (the xAPIC ID register is writable, and the APIC page may
 * be relocated or disabled when an INIT arrives: the fuzz program). The
 * stack is per APIC ID; IDs from MAX_CPUS on park here.
 */
ap_start64:
	mov %ebx, %r12d
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, %eax
	shr $24, %eax
	mov %r12d, %ebx
	cmp $MAX_CPUS, %eax
	jae park
	mov %eax, %edi
	inc %eax
	imul $STACK_SIZE, %eax
	lea cpu_stacks(%rip), %rsp
	add %rax, %rsp
	xor %ebp, %ebp
	mov %ebx, %esi
	call ap_main
	jmp park

	.bss
	.balign 4096
	.globl cpu_stacks
cpu_stacks:
	.fill MAX_CPUS * STACK_SIZE, 1, 0
