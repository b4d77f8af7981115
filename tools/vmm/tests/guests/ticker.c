// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "ticker", for snapshots: a periodic LAPIC timer counts ticks and
 * every 10th is printed ("tick N"); at ticks=T (default 300) it checks
 * that no tick was lost to a gap in the count and exits. A snapshot taken
 * while it runs, restored, must go on printing from where it was: the
 * count and the timer live in the saved RAM and LAPIC.
 */
#include "lib.h"

static uint32_t ticks;

static void timer_isr(struct frame *f)
{
	(void)f;
	INC_ONCE(ticks);
	lapic_eoi();
}

int main(void)
{
	uint32_t target = cmdline_uint("ticks", 300), seen = 0;

	printf("# vlapic-vmm test guest: ticker to %u\n", target);
	set_isr(0x40, timer_isr);
	lapic_enable();
	lapic_write(LAPIC_TDCR, 0xb);
	lapic_write(LAPIC_LVTT, 0x40 | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, cmdline_uint("period", 10000000));
	while (seen < target) {
		sti_hlt();
		cli();
		while (seen < READ_ONCE(ticks)) {
			seen++;
			if (!(seen % 10))
				printf("tick %u\n", seen);
		}
	}
	ok(seen >= target, "ticked %u times", target);
	return tap_done();
}
