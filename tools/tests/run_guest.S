/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of e2e-run (tools/tests/run.c): position-independent 32-bit
 * protected-mode code (flat segments, paging off) that the test copies
 * into guest memory, and one real-mode AP entry. Each ends in something
 * the test sees: an I/O port, a hypercall, an MMIO access, a shutdown.
 */

	.section .rodata
	.code32

/* Exits of every kind, one after the other (test_exits()). */
	.globl g_io_start, g_io_end
g_io_start:
	mov	$0x3f8, %dx
	mov	$0x41, %al
	out	%al, (%dx)		/* OUT 0x3f8, 'A' */
	in	(%dx), %al		/* IN: userspace answers 0x5a */
	out	%al, (%dx)		/* echo it */
	mov	$0x1234, %eax
	mov	$0x11, %ebx
	vmmcall				/* HYPERCALL 0x1234 (RBX 0x11) */
	out	%eax, $0x80		/* its result */
	mov	0xfee00030, %eax	/* xAPIC version, in the kernel */
	out	%eax, $0x80
	movl	$0x12345678, 0xd0000000	/* MMIO write to userspace */
	mov	0xd0000004, %ebx	/* MMIO read from userspace */
	mov	%ebx, %eax
	out	%eax, $0x80
	xor	%eax, %eax
	cpuid				/* leaf 0 from the VMM's table */
	mov	%ebx, %eax
	out	%eax, $0x80
	sub	$8, %esp
	movl	$0, (%esp)
	movl	$0, 4(%esp)
	lidt	(%esp)			/* an empty IDT ... */
	int3				/* ... triple fault */
g_io_end:

/* A guest that never stops. */
	.globl g_spin_start, g_spin_end
g_spin_start:
1:	jmp	1b
g_spin_end:

/* Halts with interrupts off: nothing but a signal ends its RUN. */
	.globl g_hlt_start, g_hlt_end
g_hlt_start:
	cli
1:	hlt
	jmp	1b
g_hlt_end:

/* Jumps outside RAM. */
	.globl g_fetch_hole_start, g_fetch_hole_end
g_fetch_hole_start:
	mov	$0x30000000, %eax
	jmp	*%eax
g_fetch_hole_end:

/* SHL on the APIC page's TPR: an instruction the emulator does not do. */
	.globl g_shl_apic_start, g_shl_apic_end
g_shl_apic_start:
	shll	0xfee00080
	hlt
g_shl_apic_end:

/*
 * The timer: vector 0x40's handler (g_timer_handler) reports with OUT
 * 0x81, EOIs and IRETs; the main code arms a one-shot of 200 us, STI;
 * HLT until the handler ran, then OUT 0x82.
 */
	.globl g_timer_start, g_timer_end, g_timer_handler
g_timer_start:
	sub	$8, %esp
	movw	$0x7ff, (%esp)
	movl	$0x800, 2(%esp)
	lidt	(%esp)			/* IDT at 0x800 */
	movl	$0x1ff, 0xfee000f0	/* SVR: enabled, spurious 0xff */
	movl	$0xb, 0xfee003e0	/* divide by 1 */
	movl	$0x40, 0xfee00320	/* LVTT: one-shot, vector 0x40 */
	movl	$200000, 0xfee00380	/* 200 us */
	sti
2:	hlt
	cmpl	$0, %ecx
	je	2b
	mov	$0x82, %dx
	out	%al, (%dx)
	cli
3:	hlt
	jmp	3b
g_timer_handler:
	mov	$0x40, %al
	out	%al, $0x81
	inc	%ecx
	movl	$0, 0xfee000b0		/* EOI */
	iret
g_timer_end:

/*
 * ExtINT: LVT0 in ExtINT mode, TPR 0xf0 (an ExtINT ignores it), OUT 0x84
 * (the host then raises LINT0 and gives the 8259's vector 0x30), STI;
 * HLT until the handler ran, OUT 0x86. Vector 0x30's handler (g_extint_
 * handler) reports with OUT 0x85 and IRETs: no EOI for an ExtINT.
 */
	.globl g_extint_start, g_extint_end, g_extint_handler
g_extint_start:
	sub	$8, %esp
	movw	$0x7ff, (%esp)
	movl	$0x800, 2(%esp)
	lidt	(%esp)
	movl	$0x1ff, 0xfee000f0	/* SVR: enabled */
	movl	$0x700, 0xfee00350	/* LVT0: ExtINT, unmasked */
	movl	$0xf0, 0xfee00080	/* TPR 0xf0 */
	out	%al, $0x84
	sti
1:	hlt
	cmpl	$0, %ecx
	je	1b
	out	%al, $0x86
	cli
2:	hlt
	jmp	2b
g_extint_handler:
	mov	$0x30, %al
	out	%al, $0x85
	inc	%ecx
	iret
g_extint_end:

/* SMP: the BSP starts APIC ID 1 with INIT and SIPI vector 2 (0x2000). */
	.globl g_bsp_start, g_bsp_end
g_bsp_start:
	movl	$0x1ff, 0xfee000f0
	movl	$0x01000000, 0xfee00310	/* destination APIC ID 1 */
	movl	$0x00004500, 0xfee00300	/* INIT, assert */
	movl	$0x01000000, 0xfee00310
	movl	$0x00004602, 0xfee00300	/* SIPI, vector 2 */
1:	cmpb	$1, 0x3000		/* the AP's flag */
	jne	1b
	mov	$0x84, %dx
	out	%al, (%dx)
2:	hlt
	jmp	2b
g_bsp_end:

/* The AP, in real mode at 0x2000 after the SIPI. */
	.code16
	.globl g_ap_start, g_ap_end
g_ap_start:
	movb	$1, 0x3000
	mov	$0x83, %dx
	out	%al, (%dx)
	cli
1:	hlt
	jmp	1b
g_ap_end:

	.code64
	.section .note.GNU-stack, "", @progbits
