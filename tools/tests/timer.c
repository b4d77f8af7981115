// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: the APIC timer seen by a guest CPU thread. Periodic ticks
 * over a wall-clock window, one-shot, masked, the minimum period and
 * TSC-deadline (guest TSC = CLOCK_MONOTONIC at tsc_khz, 1 GHz by default).
 * The test VM is QEMU TCG with sanitizers: time bounds are generous, but
 * nothing fires early and nothing fires after it was stopped.
 */
#include <string.h>

#include "e2e.h"

#define VEC_PERIODIC	0x30
#define VEC_ONESHOT	0x31
#define VEC_DEADLINE	0x32
#define VEC_PAST	0x33
#define VEC_MASKED	0x34
#define VEC_MIN		0x35
#define VEC_KHZ		0x36

static void test_periodic(struct gcpu *g)
{
	int64_t t0, t1, ms;
	uint64_t n, fired0, fired;

	fired0 = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED);
	reg_write(g, LAPIC_TDCR, LAPIC_TDCR_DIV1);
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_PERIODIC | VEC_PERIODIC);
	t0 = now_ns();
	reg_write(g, LAPIC_TMICT, 10 * MS);	/* 10 ms at 1 ns per tick */
	tap_eq(reg_read(g, LAPIC_TMICT), 10 * MS,
	       "periodic: TMICT reads back the initial count");
	sleep_ms(500);
	reg_write(g, LAPIC_TMICT, 0);
	t1 = now_ns();
	ms = (t1 - t0) / MS;
	/* A tick already in IRR when the timer stopped is still taken. */
	sleep_ms(100);
	n = gcpu_count(g, VEC_PERIODIC);
	fired = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED) - fired0;
	tap_diag("periodic: %llu ticks taken, %llu fired in %lld ms",
		 (unsigned long long)n, (unsigned long long)fired,
		 (long long)ms);
	tap_range(n, 10, ms / 10 + 1,
		  "periodic 10 ms: ticks taken in the window are plausible");
	tap_range(fired, n, ms / 10 + 1,
		  "periodic: timer_fired counts every tick taken, none early");
	tap_eq(reg_read(g, LAPIC_TMCCT), 0,
	       "periodic: current count is 0 once stopped");
	sleep_ms(100);
	tap_eq(gcpu_count(g, VEC_PERIODIC), n,
	       "periodic: no tick after TMICT = 0");
	tap_eq(gcpu_total(g), n, "periodic: no other vector taken");
}

static void test_oneshot(struct gcpu *g)
{
	uint64_t ccr;
	int64_t t0;

	/* The guest thread pauses while the test reads the count. */
	gcpu_stop(g);
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_ONESHOT | VEC_ONESHOT);
	t0 = now_ns();
	reg_write(g, LAPIC_TMICT, 200 * MS);
	ccr = reg_read(g, LAPIC_TMCCT);
	gcpu_start(g);
	tap_range(ccr, 1, 200 * MS, "one-shot: current count is counting down");
	tap_ok(WAIT_FOR(gcpu_count(g, VEC_ONESHOT) >= 1, 3000),
	       "one-shot: the vector arrives");
	tap_ok(g->first_ns[VEC_ONESHOT] - t0 >= 200 * MS,
	       "one-shot: not before 200 ms (%lld us)",
	       (long long)(g->first_ns[VEC_ONESHOT] - t0) / 1000);
	sleep_ms(150);
	tap_eq(gcpu_count(g, VEC_ONESHOT), 1, "one-shot: fires exactly once");
	tap_eq(reg_read(g, LAPIC_TMCCT), 0, "one-shot: current count ends at 0");
	tap_eq(reg_read(g, LAPIC_TMICT), 200 * MS,
	       "one-shot: initial count is kept");
}

static void test_masked(struct gcpu *g)
{
	uint64_t fired0, fired;

	fired0 = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED);
	reg_write(g, LAPIC_LVTT, LAPIC_LVT_MASKED | LAPIC_TIMER_PERIODIC |
		  VEC_MASKED);
	reg_write(g, LAPIC_TMICT, 5 * MS);
	sleep_ms(200);
	reg_write(g, LAPIC_TMICT, 0);
	fired = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED) - fired0;
	tap_ok(fired >= 1, "masked periodic: keeps firing (%llu fired)",
	       (unsigned long long)fired);
	tap_eq(gcpu_count(g, VEC_MASKED), 0,
	       "masked periodic: no interrupt delivered");
	tap_ok(!irr_test(g, VEC_MASKED), "masked periodic: IRR stays clear");
}

static void test_min_period(struct gcpu *g)
{
	uint64_t fired0, fired;
	int64_t t0, us;

	fired0 = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED);
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_PERIODIC | VEC_MIN);
	t0 = now_ns();
	reg_write(g, LAPIC_TMICT, 1000);	/* 1 us: below the minimum */
	sleep_ms(200);
	reg_write(g, LAPIC_TMICT, 0);
	us = (now_ns() - t0) / 1000;
	fired = vcpu_stat(g, VLAPIC_VCPU_STAT_TIMER_FIRED) - fired0;
	tap_range(fired, 1, us / 200 + 1,
		  "periodic 1 us: clamped to the 200 us minimum period");
	tap_ok(WAIT_FOR(gcpu_count(g, VEC_MIN) >= 1, 1000),
	       "periodic 1 us: ticks are delivered");
}

static void test_deadline(struct gcpu *g)
{
	uint64_t dl, v;
	int ret;

	/* Outside deadline mode the MSR ignores writes and reads 0. */
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_ONESHOT | VEC_DEADLINE);
	ret = vlapic_msr_write(g->fd, MSR_IA32_TSC_DEADLINE, now_ns() + 10 * MS);
	tap_eq(ret, 0, "deadline: MSR write outside deadline mode succeeds");
	ret = vlapic_msr_read(g->fd, MSR_IA32_TSC_DEADLINE, &v);
	tap_ok(!ret && v == 0, "deadline: MSR reads 0 outside deadline mode");

	gcpu_stop(g);
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_TSCDEADLINE | VEC_DEADLINE);
	dl = now_ns() + 300 * MS;
	ret = vlapic_msr_write(g->fd, MSR_IA32_TSC_DEADLINE, dl);
	tap_eq(ret, 0, "deadline: arming succeeds");
	ret = vlapic_msr_read(g->fd, MSR_IA32_TSC_DEADLINE, &v);
	gcpu_start(g);
	tap_ok(!ret && v == dl, "deadline: MSR reads back the deadline");
	tap_ok(WAIT_FOR(gcpu_count(g, VEC_DEADLINE) >= 1, 3000),
	       "deadline: the vector arrives");
	tap_ok(g->first_ns[VEC_DEADLINE] >= (int64_t)dl,
	       "deadline: not before the deadline (%lld us after)",
	       (long long)(g->first_ns[VEC_DEADLINE] - (int64_t)dl) / 1000);
	ret = vlapic_msr_read(g->fd, MSR_IA32_TSC_DEADLINE, &v);
	tap_ok(!ret && v == 0, "deadline: MSR reads 0 after the timer fired");
	sleep_ms(100);
	tap_eq(gcpu_count(g, VEC_DEADLINE), 1, "deadline: fires exactly once");

	/* Disarm with 0. */
	gcpu_stop(g);
	dl = now_ns() + 500 * MS;
	vlapic_msr_write(g->fd, MSR_IA32_TSC_DEADLINE, dl);
	ret = vlapic_msr_write(g->fd, MSR_IA32_TSC_DEADLINE, 0);
	gcpu_start(g);
	tap_eq(ret, 0, "deadline: writing 0 succeeds");
	sleep_ms(700);
	tap_eq(gcpu_count(g, VEC_DEADLINE), 1, "deadline: 0 disarms");

	/* A deadline in the past fires within the write. */
	gcpu_stop(g);
	reg_write(g, LAPIC_LVTT, LAPIC_TIMER_TSCDEADLINE | VEC_PAST);
	vlapic_msr_write(g->fd, MSR_IA32_TSC_DEADLINE, 1);
	tap_ok(irr_test(g, VEC_PAST),
	       "deadline in the past: pending in IRR when the write returns");
	gcpu_start(g);
	tap_ok(WAIT_FOR(gcpu_count(g, VEC_PAST) == 1, 2000),
	       "deadline in the past: taken once");
	reg_write(g, LAPIC_LVTT, LAPIC_LVT_MASKED);
}

/* A 2 GHz guest TSC: the deadline is in guest TSC units. */
static void test_tsc_khz(void)
{
	struct vlapic_create_vm c;
	struct gcpu g;
	int sys, vm;
	int64_t t0;
	uint64_t dl;

	memset(&g, 0, sizeof(g));
	memset(&c, 0, sizeof(c));
	sys = vlapic_open_checked();
	c.flags = VLAPIC_VM_TSC_DEADLINE;
	c.max_vcpus = 1;
	c.tsc_khz = 2000000;
	vm = vlapic_create_vm(sys, &c);
	if (!tap_ok(vm >= 0, "tsc_khz 2 GHz: VM created"))
		return;
	g.fd = vlapic_create_vcpu(vm, 0, 0);
	if (!tap_ok(g.fd >= 0, "tsc_khz 2 GHz: vCPU created"))
		return;
	reg_write(&g, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	reg_write(&g, LAPIC_LVTT, LAPIC_TIMER_TSCDEADLINE | VEC_KHZ);
	gcpu_start(&g);
	t0 = now_ns();
	dl = (uint64_t)(t0 + 50 * MS) * 2;
	vlapic_msr_write(g.fd, MSR_IA32_TSC_DEADLINE, dl);
	tap_ok(WAIT_FOR(gcpu_count(&g, VEC_KHZ) == 1, 3000),
	       "tsc_khz 2 GHz: the deadline fires");
	tap_ok(g.first_ns[VEC_KHZ] >= t0 + 50 * MS,
	       "tsc_khz 2 GHz: not before the deadline in guest TSC units");
	gcpu_stop(&g);
	close(g.fd);
	close(vm);
	close(sys);
}

int main(void)
{
	struct e2e_vm v;
	struct gcpu *g;

	tap_init("timer", 120);
	e2e_vm_create(&v, 1, VLAPIC_VM_TSC_DEADLINE, NULL);
	g = &v.cpu[0];
	gcpu_start(g);

	test_periodic(g);
	test_oneshot(g);
	test_masked(g);
	test_min_period(g);
	test_deadline(g);
	tap_eq(g->errors, 0, "guest CPU thread saw no ioctl error");
	gcpu_stop(g);
	tap_eq(vcpu_stat(g, VLAPIC_VCPU_STAT_ACKED_CLASS0 + 3), gcpu_total(g),
	       "stats: every vector taken (0x30-0x36) counted in class 3");
	tap_eq(vcpu_stat(g, VLAPIC_VCPU_STAT_ACKED), gcpu_total(g),
	       "stats: acked = vectors taken");
	e2e_vm_destroy(&v);
	test_tsc_khz();
	return tap_end();
}
