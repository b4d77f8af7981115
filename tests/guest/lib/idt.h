/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IDT: one handler per vector, shared by all CPUs.
 *
 * Exceptions (0-31): an instruction listed in the exception table (the
 * ASM_EXTABLE macro, used by rdmsr_safe() and friends) or armed with
 * expect_exception() does not stop the program: the vector and error code
 * are recorded in the CPU's struct cpu (exc_vector, exc_error) and execution
 * continues after the instruction. Any other exception bails out.
 *
 * NMI (2) and interrupts (32-255): counted per CPU and logged in order
 * (struct cpu), then the registered handler runs; without one, an
 * interrupt other than the spurious vector is EOIed by the default action.
 * Handlers run with IF=0 and must not print.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include "x86.h"

#define NMI_VECTOR		2
#define GP_VECTOR		13
#define SPURIOUS_VECTOR		0xff

struct frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct frame *f);

/* Emits an exception table entry: a fault at @from continues at @to. */
#define ASM_EXTABLE(from, to)				\
	".pushsection .ex_table, \"a\"\n\t"		\
	".quad " #from ", " #to "\n\t"			\
	".popsection\n\t"

void idt_init(void);
void idt_load(void);
void set_handler(unsigned int vector, irq_handler_t h);

/*
 * The next exception on this CPU skips @len bytes of the faulting
 * instruction instead of stopping the program (one use).
 */
void expect_exception(unsigned int len);
/* The vector recorded since the last call, 0 when none; clears it. */
int take_exception(void);

#endif
