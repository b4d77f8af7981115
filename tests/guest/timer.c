// SPDX-License-Identifier: GPL-2.0
/*
 * The APIC timer: one-shot, periodic, TSC-deadline, masked LVT, divide
 * configurations, mode switches. Only orderings are asserted (the
 * interrupt not before the deadline, tick n+1 after tick n, the current
 * count going down); measured intervals are diagnostics.
 */
#include "guest.h"

#define VEC_TIMER	0x61
#define MAX_TICKS	64

static u64 tick_tsc[MAX_TICKS];
static unsigned int ticks;
static u64 deadline_armed;

static void timer_handler(struct frame *f)
{
	u64 now = rdtsc_ordered();

	(void)f;
	if (ticks < MAX_TICKS)
		tick_tsc[ticks] = now;
	WRITE_ONCE(ticks, ticks + 1);
	apic_eoi();
}

static void reset(void)
{
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	/*
	 * A tick the last case's timer raised after that case masked
	 * interrupts is still in IRR (TMICT 0 and the LVT mask stop the
	 * count, not what it already raised): take it now, so that each
	 * case counts only its own (seen: "masked: no interrupt" got 1
	 * after the periodic case, "re-armed one-shot" got 2).
	 */
	sti();
	quiet_wait();
	cli();
	WRITE_ONCE(ticks, 0);
	cpu_clear_log(0);
}

static void wait_ticks(unsigned int n)
{
	sti();
	wait_for(READ_ONCE(ticks) >= n);
	cli();
}

static void test_oneshot(void)
{
	u32 c1, c2;
	u64 t0;

	reset();
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	t0 = rdtsc_ordered();
	apic_write(APIC_TMICT, 2000000);
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	tap_ok(c1 <= 2000000 && c2 <= c1, "one-shot: current count goes down");
	tap_diag("one-shot: TMCCT %u then %u", c1, c2);
	wait_ticks(1);
	quiet_wait();
	tap_eq(READ_ONCE(ticks), 1, "one-shot: exactly one interrupt");
	tap_eq(apic_read(APIC_TMCCT), 0, "one-shot: TMCCT 0 after expiry");
	tap_ok(tick_tsc[0] > t0, "one-shot: interrupt after the start");
	tap_diag("one-shot: 2000000 counts took %llu TSC cycles",
		 (unsigned long long)(tick_tsc[0] - t0));
	tap_eq(apic_read(APIC_TMICT), 2000000, "one-shot: TMICT unchanged");
}

static void test_periodic(void)
{
	unsigned int i, n, ordered = 1;
	u32 c1, c2;

	reset();
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, 1000000);
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	tap_ok(c1 <= 1000000 && c2 <= c1, "periodic: current count goes down");
	wait_ticks(8);
	apic_write(APIC_TMICT, 0);
	n = READ_ONCE(ticks);
	tap_ok(n >= 8, "periodic: at least 8 interrupts");
	for (i = 1; i < n && i < MAX_TICKS; i++) {
		if (tick_tsc[i] <= tick_tsc[i - 1])
			ordered = 0;
	}
	tap_ok(ordered, "periodic: tick n+1 after tick n");
	tap_diag("periodic: 1000000 counts, first interval %llu TSC cycles",
		 (unsigned long long)(tick_tsc[1] - tick_tsc[0]));
	quiet_wait();
	tap_eq(READ_ONCE(ticks), n, "periodic: TMICT 0 stops it");
	tap_eq(apic_read(APIC_TMCCT), 0, "periodic: TMCCT 0 when stopped");
}

static void test_masked(void)
{
	reset();
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | APIC_TIMER_ONESHOT | VEC_TIMER);
	apic_write(APIC_TMICT, 100000);
	sti();
	wait_for(apic_read(APIC_TMCCT) == 0);
	quiet_wait();
	cli();
	tap_eq(apic_read(APIC_TMCCT), 0, "masked: the count still runs out");
	tap_eq(READ_ONCE(ticks), 0, "masked: no interrupt");
	tap_ok(!apic_irr(VEC_TIMER), "masked: nothing pending");
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	sti();
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(ticks), 0, "masked: unmasking after expiry delivers nothing");
}

static void test_divide(void)
{
	static const u32 tdcr[] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
	static const unsigned int div[] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tdcr); i++) {
		u64 t0;

		reset();
		apic_write(APIC_TDCR, tdcr[i]);
		tap_eq(apic_read(APIC_TDCR), tdcr[i],
		       "divide by %u: TDCR 0x%x reads back", div[i], tdcr[i]);
		apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
		t0 = rdtsc_ordered();
		apic_write(APIC_TMICT, 200000 / div[i]);
		wait_ticks(1);
		tap_eq(READ_ONCE(ticks), 1, "divide by %u: one-shot fires",
		       div[i]);
		tap_diag("divide by %u, %u counts: %llu TSC cycles", div[i],
			 200000 / div[i],
			 (unsigned long long)(tick_tsc[0] - t0));
	}
	apic_write(APIC_TDCR, 0xb);
}

static void test_switch(void)
{
	unsigned int n;

	/* Periodic stopped, then one-shot: exactly one interrupt. */
	reset();
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, 500000);
	wait_ticks(2);
	apic_write(APIC_TMICT, 0);
	/*
	 * A tick that fired after wait_ticks() masked interrupts is still
	 * in IRR (TMICT 0 stops the count, not what it already raised):
	 * take it before counting, or it would be taken together with the
	 * one-shot's when interrupts are enabled again (seen: n + 2).
	 */
	sti();
	quiet_wait();
	cli();
	n = READ_ONCE(ticks);
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	apic_write(APIC_TMICT, 500000);
	wait_ticks(n + 1);
	quiet_wait();
	tap_eq(READ_ONCE(ticks), n + 1,
	       "periodic then one-shot: one more interrupt");
	/* One-shot then periodic. */
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, 500000);
	wait_ticks(n + 4);
	apic_write(APIC_TMICT, 0);
	tap_ok(READ_ONCE(ticks) >= n + 4, "one-shot then periodic: ticks again");
	/* Re-arming a running one-shot restarts it: still one interrupt. */
	reset();
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	apic_write(APIC_TMICT, 4000000);
	apic_write(APIC_TMICT, 1000000);
	wait_ticks(1);
	quiet_wait();
	tap_eq(READ_ONCE(ticks), 1, "re-armed one-shot: one interrupt");
}

static void deadline_handler(struct frame *f)
{
	u64 now = rdtsc_ordered();

	(void)f;
	if (ticks < MAX_TICKS)
		tick_tsc[ticks] = now;
	WRITE_ONCE(ticks, ticks + 1);
	apic_eoi();
}

static void test_deadline(void)
{
	unsigned int i, late = 0;
	u64 d;

	if (!cpu_has_tsc_deadline()) {
		tap_skip("no TSC-deadline timer (CPUID.1:ECX[24] = 0)",
			 "TSC-deadline mode");
		return;
	}
	set_handler(VEC_TIMER, deadline_handler);
	reset();
	apic_write(APIC_LVTT, APIC_TIMER_DEADLINE | VEC_TIMER);
	tap_eq(apic_read(APIC_LVTT), APIC_TIMER_DEADLINE | VEC_TIMER,
	       "deadline: LVT timer mode 2 reads back");
	for (i = 0; i < 16; i++) {
		WRITE_ONCE(ticks, 0);
		d = rdtsc() + 100000 * (i + 1);
		deadline_armed = d;
		wrmsr(MSR_TSC_DEADLINE, d);
		wait_ticks(1);
		if (READ_ONCE(ticks) != 1 || tick_tsc[0] < deadline_armed)
			late++;
	}
	tap_eq(late, 0, "deadline: 16 deadlines, each interrupt at or after it");
	tap_eq(rdmsr(MSR_TSC_DEADLINE), 0, "deadline: MSR reads 0 after firing");
	WRITE_ONCE(ticks, 0);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() - 1000);
	wait_ticks(1);
	tap_eq(READ_ONCE(ticks), 1, "deadline in the past fires at once");
	WRITE_ONCE(ticks, 0);
	d = rdtsc() + (QUIET_TSC << 4);
	wrmsr(MSR_TSC_DEADLINE, d);
	tap_eq(rdmsr(MSR_TSC_DEADLINE), d, "deadline: armed MSR reads back");
	wrmsr(MSR_TSC_DEADLINE, 0);
	tap_eq(rdmsr(MSR_TSC_DEADLINE), 0, "deadline: writing 0 disarms");
	sti();
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(ticks), 0, "deadline: disarmed, no interrupt");
	apic_write(APIC_TMICT, 1000);
	tap_eq(apic_read(APIC_TMICT), 0, "deadline mode: TMICT writes ignored");
	tap_eq(apic_read(APIC_TMCCT), 0, "deadline mode: TMCCT reads 0");
	/* Masked: the deadline passes, no interrupt. */
	apic_write(APIC_LVTT, APIC_LVT_MASKED | APIC_TIMER_DEADLINE | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000);
	sti();
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(ticks), 0, "deadline masked: no interrupt");
	/* Leaving deadline mode disarms; one-shot works again. */
	apic_write(APIC_LVTT, APIC_TIMER_DEADLINE | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + (QUIET_TSC << 4));
	apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
	tap_eq(rdmsr(MSR_TSC_DEADLINE), 0,
	       "switch to one-shot: deadline MSR reads 0");
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000);
	tap_eq(rdmsr(MSR_TSC_DEADLINE), 0,
	       "one-shot mode: deadline MSR writes ignored");
	sti();
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(ticks), 0, "switch to one-shot: deadline disarmed");
	apic_write(APIC_TMICT, 100000);
	wait_ticks(1);
	tap_eq(READ_ONCE(ticks), 1, "one-shot after deadline mode fires");
	set_handler(VEC_TIMER, timer_handler);
}

int main(void)
{
	set_handler(VEC_TIMER, timer_handler);
	test_oneshot();
	test_periodic();
	test_masked();
	test_divide();
	test_switch();
	test_deadline();
	reset();
	return 0;
}
