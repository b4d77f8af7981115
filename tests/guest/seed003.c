// SPDX-License-Identifier: GPL-2.0
/*
 * seed 003, Windows' IRQL on CR8: at CR8 2 (DISPATCH_LEVEL, a spinlock
 * held) a device interrupt of class 0xd (a self-IPI, or the timer) queues
 * a DPC as a self-IPI at vector 0x2f and EOIs. The code raises and lowers
 * CR8 (2 -> 4 -> 2, nested) several times; the DPC must never arrive while
 * CR8 >= 2 and must arrive exactly at the write that drops CR8 to 0.
 */
#include "guest.h"

#define VEC_DEVICE	0xd1
#define VEC_TIMER	0xd2
#define VEC_DPC		0x2f
#define ROUNDS		32
#define NESTS		8

static int phase;		/* 1 between the CR8-lowering write and after */
static unsigned int dpc_count, dpc_bad_cr8, dpc_phase_bad;
static unsigned int device_count;

static void device(struct frame *f)
{
	(void)f;
	device_count++;
	apic_send_ipi(0, APIC_SH_SELF | VEC_DPC);
	apic_eoi();
}

static void dpc(struct frame *f)
{
	(void)f;
	dpc_count++;
	if (read_cr8() != 0)
		dpc_bad_cr8++;
	if (READ_ONCE(phase) != 1)
		dpc_phase_bad++;
	apic_eoi();
}

static bool round_trip(bool use_timer)
{
	unsigned int dev0 = device_count, i;
	bool ok = true;

	WRITE_ONCE(phase, 0);
	write_cr8(2);
	sti();
	if (use_timer) {
		apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
		apic_write(APIC_TMICT, 20000);
	} else {
		apic_send_ipi(0, APIC_SH_SELF | VEC_DEVICE);
	}
	if (!wait_for(READ_ONCE(device_count) != dev0))
		ok = false;
	for (i = 0; i < NESTS; i++) {
		write_cr8(4);
		write_cr8(2);
		write_cr8(2);
	}
	if (READ_ONCE(dpc_count) || !apic_irr(VEC_DPC))
		ok = false;
	asm volatile("movl $1, %[p]\n\t"
		     "mov %[zero], %%cr8\n\t"
		     "movl $2, %[p]"
		     : [p] "=m"(phase) : [zero] "r"(0UL) : "memory");
	cli();
	if (READ_ONCE(dpc_count) != 1)
		ok = false;
	dpc_count = 0;
	return ok;
}

int main(void)
{
	unsigned int i, bad = 0;

	set_handler(VEC_DEVICE, device);
	set_handler(VEC_TIMER, device);
	set_handler(VEC_DPC, dpc);
	apic_write(APIC_TDCR, 0xb);
	for (i = 0; i < ROUNDS; i++)
		bad += round_trip(false) ? 0 : 1;
	tap_eq(bad, 0, "self-IPI device: DPC held at CR8 >= 2, taken at CR8 0 (%d rounds)",
	       ROUNDS);
	bad = 0;
	for (i = 0; i < ROUNDS; i++)
		bad += round_trip(true) ? 0 : 1;
	tap_eq(bad, 0, "timer device: DPC held at CR8 >= 2, taken at CR8 0 (%d rounds)",
	       ROUNDS);
	tap_eq(dpc_bad_cr8, 0, "no DPC ran with CR8 != 0");
	tap_eq(dpc_phase_bad, 0,
	       "every DPC arrived right after the CR8 write that dropped it to 0");
	tap_eq(device_count, 2 * ROUNDS, "every device interrupt was taken");
	write_cr8(0);
	tap_eq(apic_highest_irr(), -1, "nothing left pending");
	tap_eq(apic_highest_isr(), -1, "nothing left in service");
	return 0;
}
