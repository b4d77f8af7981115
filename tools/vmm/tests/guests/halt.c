// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "halt": stops for good without the debug-exit device. "mode=cli"
 * (default): CLI; HLT. "mode=sti": interrupts enabled but nothing armed,
 * HLT in a loop. "mode=timer": a one-shot LAPIC timer armed, HLT in a
 * loop: it wakes once, then sleeps with nothing armed. APs are never
 * started (they wait for SIPI). The VMM must see that nothing can wake
 * it and end with status 0.
 */
#include "lib.h"

static uint32_t fired;

static void timer_isr(struct frame *f)
{
	(void)f;
	INC_ONCE(fired);
	lapic_eoi();
}

int main(void)
{
	printf("# vlapic-vmm test guest: halt (%s)\n", cmdline());
	if (cmdline_has("mode=timer")) {
		set_isr(0x40, timer_isr);
		lapic_enable();
		lapic_write(LAPIC_TDCR, 0xb);
		lapic_write(LAPIC_LVTT, 0x40);
		lapic_write(LAPIC_TMICT, cmdline_uint("count", 1000000000));
		while (!READ_ONCE(fired))
			sti_hlt();
		printf("# timer fired\n");
	}
	if (cmdline_has("mode=sti") || cmdline_has("mode=timer")) {
		printf("# halting with interrupts enabled\n");
		for (;;)
			sti_hlt();
	}
	printf("# halting with interrupts disabled\n");
	for (;;)
		asm volatile("cli; hlt");
	return 0;
}
