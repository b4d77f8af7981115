// SPDX-License-Identifier: GPL-2.0
/*
 * PAUSE as a spin loop runs it: where the hypervisor intercepts PAUSE
 * (SVM, every PAUSE on a CPU without the pause filter: QEMU), the exit
 * must step over exactly the one instruction, prefixes included, and the
 * guest must see nothing else: the instruction after each PAUSE runs
 * once, the flags and registers are the guest's. Also a spin that waits
 * for an interrupt (IF set) gets it while it spins.
 */
#include "guest.h"

#define ROUNDS		256
#define VEC_TIMER	0x40
#define TIMER_COUNT	200000	/* x 128 (TDCR 0xa): tens of ms */
#define SPIN_MAX	100000000

static unsigned int ticks;

static void timer(struct frame *f)
{
	(void)f;
	ticks++;
	apic_eoi();
}

int main(void)
{
	unsigned int plain = 0, cs = 0, opsize = 0, i;
	unsigned long rax = 0x1234, rcx = ROUNDS, flags;

	for (i = 0; i < ROUNDS; i++) {
		asm volatile("pause; incl %0" : "+m"(plain));
		asm volatile(".byte 0x2e; pause; incl %0" : "+m"(cs));
		asm volatile(".byte 0x66; pause; incl %0" : "+m"(opsize));
	}
	tap_eq(plain, ROUNDS, "the instruction after PAUSE runs once");
	tap_eq(cs, ROUNDS, "... after CS-prefixed PAUSE");
	tap_eq(opsize, ROUNDS, "... after operand-size-prefixed PAUSE");

	/* A counted loop of PAUSEs keeps RAX, RCX and the flags. */
	asm volatile("stc\n1: pause\n dec %%rcx\n jnz 1b\n pushf\n pop %1"
		     : "+c"(rcx), "=r"(flags), "+a"(rax) : : "cc");
	tap_eq(rcx, 0, "a PAUSE loop counts down to 0");
	tap_eq(rax, 0x1234, "RAX kept");
	tap_eq(flags & 0x41, 0x41, "ZF from the last DEC and CF from STC kept");

	/*
	 * A waiter spinning with IF set gets the interrupt that arrives
	 * while it spins (a one-shot timer armed before the spin).
	 */
	set_handler(VEC_TIMER, timer);
	apic_write(APIC_TDCR, 0xa);
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	asm volatile("sti");
	for (i = 0; i < SPIN_MAX && !READ_ONCE(ticks); i++)
		asm volatile("pause");
	asm volatile("cli");
	apic_write(APIC_TMICT, 0);
	tap_eq(READ_ONCE(ticks), 1, "the timer interrupt reaches a PAUSE loop");
	/* The count differs from run to run: a diagnostic, not the name. */
	tap_diag("pause: spun %u PAUSEs", i);
	tap_ok(i > 0 && i < SPIN_MAX, "... after spinning on PAUSE");
	return 0;
}
