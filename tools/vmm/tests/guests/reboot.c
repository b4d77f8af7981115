// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "reboot": reboots itself reboots=N times, through port 0xcf9,
 * the keyboard controller and a triple fault in turn, and counts its
 * boots in RAM the image does not cover (the VMM keeps it). Each boot
 * checks that the LAPIC came back in its reset state (timer masked,
 * software disabled) although the previous boot left a periodic timer
 * running, that the timer ticks once programmed again, and, with more
 * than one vCPU, that the APs were sent back to wait-for-SIPI: each boot
 * starts them with INIT-SIPI-SIPI and they count themselves. "method=M"
 * shifts the order (method=2: a triple fault first).
 */
#include "lib.h"

/* Kept across reboots, below the image: boots, a magic, AP starts. */
#define BOOTS		(*(uint32_t *)0x7fe0)
#define MAGIC		(*(uint32_t *)0x7fe4)
#define AP_STARTS	(*(uint32_t *)AP_TRAMP_COUNTER)
#define BOOT_MAGIC	0x5eb00710
#define TRAMPOLINE	0x8000
#define VEC_TIMER	0x40

static uint32_t ticks;

static void timer_isr(struct frame *f)
{
	(void)f;
	INC_ONCE(ticks);
	lapic_eoi();
}

static void ipi(uint32_t icr)
{
	lapic_write(LAPIC_ICR2, 0);
	lapic_write(LAPIC_ICR, icr);
	while (lapic_read(LAPIC_ICR) & (1U << 12))
		;
}

static void start_aps(uint32_t expect)
{
	memcpy((void *)TRAMPOLINE, ap_tramp, ap_tramp_end - ap_tramp);
	ipi(0x000c4500);			/* INIT, all but self */
	ipi(0x000c4600 | (TRAMPOLINE >> 12));	/* SIPI */
	/* A second SIPI, as the MP protocol sends: one start only. */
	while (READ_ONCE(AP_STARTS) < expect)
		asm volatile("pause");
	ipi(0x000c4600 | (TRAMPOLINE >> 12));
}

static void triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __packed none = { 0, 0 };

	asm volatile("lidt %0; int3" : : "m"(none));
}

int main(void)
{
	uint32_t n = cmdline_uint("reboots", 3);
	uint32_t smp = fwcfg_u64(5, 2);
	uint32_t boot;

	if (MAGIC != BOOT_MAGIC) {
		MAGIC = BOOT_MAGIC;
		BOOTS = 0;
		WRITE_ONCE(AP_STARTS, 0);
	}
	boot = ++BOOTS;
	printf("# vlapic-vmm test guest: reboot, boot %u of %u\n", boot, n + 1);
	ok(lapic_read(LAPIC_LVTT) == LVT_MASKED && lapic_read(LAPIC_TMICT) == 0,
	   "boot %u: LAPIC timer in its reset state (masked, stopped)", boot);
	ok(lapic_read(LAPIC_SVR) == 0xff && lapic_read(LAPIC_TPR) == 0,
	   "boot %u: LAPIC software-disabled, TPR 0", boot);
	ok(mb_magic == 0x2badb002, "boot %u: entered through multiboot", boot);

	set_isr(VEC_TIMER, timer_isr);
	lapic_enable();
	lapic_write(LAPIC_TDCR, 0xb);
	lapic_write(LAPIC_LVTT, VEC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, 10000000);
	while (READ_ONCE(ticks) < 3)
		sti_hlt();
	ok(READ_ONCE(ticks) >= 3, "boot %u: the LAPIC timer ticks", boot);
	if (smp > 1) {
		ok(READ_ONCE(AP_STARTS) == (boot - 1) * (smp - 1),
		   "boot %u: APs did not run before this boot's SIPI", boot);
		start_aps(boot * (smp - 1));
		ok(READ_ONCE(AP_STARTS) == boot * (smp - 1),
		   "boot %u: every AP started from wait-for-SIPI once", boot);
	}
	if (boot <= n) {
		/* Leave the timer running: the reset must stop it. */
		sti();
		switch ((boot + cmdline_uint("method", 0)) % 3) {
		case 1:
			printf("# rebooting through port 0xcf9\n");
			outb(0xcf9, 0x06);
			break;
		case 2:
			printf("# rebooting through the keyboard controller\n");
			outb(0x64, 0xfe);
			break;
		default:
			printf("# rebooting through a triple fault\n");
			cli();
			triple_fault();
			break;
		}
		for (;;)
			asm volatile("pause");
	}
	printf("# %u boots\n", boot);
	return tap_done();
}
