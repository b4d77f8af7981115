// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark guest: one measurement per run, chosen on the command
 * line ("case=NAME"), timed by the guest's RDTSC. `make bench` runs each
 * case under vlapic-vmm on vlapic and on KVM and takes the exits from
 * --stats: a run of case "none" is the baseline (boot, console) that the
 * other cases' exit counts are taken from.
 *
 *   selfipi_x	xAPIC self-IPI and its EOI (the handler's), IF set
 *   selfipi_x2	the same through x2APIC's SELF IPI register
 *   ipi_rt	IPI round trip: BSP to AP, the AP's handler IPIs back
 *   ipi_halt	the same with the AP halted between IPIs
 *   tpr_idle	CR8 write with nothing pending
 *   tpr_masked	CR8 write with a vector pending below the TPR
 *   deadline	TSC-deadline timer: deadline to handler (latency, cycles)
 *   level	level IOAPIC interrupt: line raised to handler done (the
 *		handler lowers the line and EOIs)
 *
 * Prints "bench NAME iters N cycles C" (C per iteration) and TAP.
 */
#include "guest.h"

#define VEC_SELF	0x41
#define VEC_PING	0x51
#define VEC_PONG	0x52
#define VEC_MASKED	0x31
#define VEC_TIMER	0x61
#define VEC_LEVEL	0x71
#define PIN_LEVEL	10
#define DEADLINE_AHEAD	20000

static const char *bench_case(void)
{
	const char *s = guest_cmdline();

	for (; s && *s; s++) {
		if (s[0] == 'c' && s[1] == 'a' && s[2] == 's' && s[3] == 'e' &&
		    s[4] == '=')
			return s + 5;
	}
	return "";
}

static bool is(const char *c, const char *name)
{
	while (*name && *c == *name) {
		c++;
		name++;
	}
	return !*name && (!*c || *c == ' ');
}

static unsigned int count(unsigned int cpu, unsigned int vec)
{
	return READ_ONCE(cpus[cpu].irq_count[vec]);
}

static void report(const char *name, unsigned int iters, u64 cycles,
		   bool ok)
{
	gprintf("bench %s iters %u cycles %llu\n", name, iters,
		(unsigned long long)(iters ? cycles / iters : 0));
	tap_ok(ok, "bench %s: %u iterations", name, iters);
}

static void self_ipi(const char *name, bool x2)
{
	unsigned int i, n = 2000, base = count(0, VEC_SELF);
	u64 t0, t1;

	if (x2 && !cpu_has_x2apic()) {
		tap_skip("no x2APIC", "bench %s", name);
		return;
	}
	if (x2)
		apic_enter_x2apic();
	sti();
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		if (x2)
			wrmsr(X2APIC_MSR(APIC_SELF_IPI), VEC_SELF);
		else
			apic_write(APIC_ICR, APIC_SH_SELF | VEC_SELF);
		while (count(0, VEC_SELF) == base + i)
			cpu_relax();
	}
	t1 = rdtsc_ordered();
	cli();
	report(name, n, t1 - t0, count(0, VEC_SELF) == base + n);
}

static void pong(struct frame *f)
{
	(void)f;
	apic_eoi();
	apic_send_ipi(0, VEC_PONG);
}

static int ap_stop;

/* The AP waits for pings with IF set, spinning or halted. */
static void ap_spin(void *arg)
{
	(void)arg;
	sti();
	while (!READ_ONCE(ap_stop))
		cpu_relax();
	cli();
}

static void ap_halt(void *arg)
{
	(void)arg;
	while (!READ_ONCE(ap_stop))
		safe_halt();
	cli();
}

static void ipi_round_trip(const char *name, bool halted)
{
	unsigned int i, n = 500, base = count(0, VEC_PONG);
	u64 t0, t1;

	if (smp_init() < 2) {
		tap_skip("needs 2 CPUs", "bench %s", name);
		return;
	}
	set_handler(VEC_PING, pong);
	ap_stop = 0;
	on_cpu_async(1, halted ? ap_halt : ap_spin, NULL);
	tsc_delay(QUIET_TSC / 16);
	sti();
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		apic_send_ipi(1, VEC_PING);
		while (count(0, VEC_PONG) == base + i)
			cpu_relax();
	}
	t1 = rdtsc_ordered();
	cli();
	/* The last ping only wakes the AP to see the stop. */
	WRITE_ONCE(ap_stop, 1);
	apic_send_ipi(1, VEC_PING);
	cpu_wait(1);
	report(name, n, t1 - t0, count(0, VEC_PONG) >= base + n);
}

static void tpr(const char *name, bool masked)
{
	unsigned int i, n = 5000;
	u64 t0, t1;

	write_cr8(4);
	if (masked)
		apic_send_ipi(0, APIC_SH_SELF | VEC_MASKED);
	sti();
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++)
		write_cr8(4 + (i & 1));
	t1 = rdtsc_ordered();
	write_cr8(0);
	tsc_delay(QUIET_TSC / 16);
	cli();
	report(name, n, t1 - t0,
	       count(0, VEC_MASKED) == (masked ? 1 : 0) && !apic_irr(VEC_MASKED));
}

static u64 fired_at;

static void deadline_handler(struct frame *f)
{
	(void)f;
	WRITE_ONCE(fired_at, rdtsc());
	apic_eoi();
}

static void tsc_deadline_latency(const char *name)
{
	unsigned int i, n = 300, late = 0;
	u64 total = 0;

	if (!cpu_has_tsc_deadline()) {
		tap_skip("no TSC-deadline timer", "bench %s", name);
		return;
	}
	set_handler(VEC_TIMER, deadline_handler);
	apic_write(APIC_LVTT, APIC_TIMER_DEADLINE | VEC_TIMER);
	sti();
	for (i = 0; i < n; i++) {
		u64 d = rdtsc() + DEADLINE_AHEAD;

		WRITE_ONCE(fired_at, 0);
		wrmsr(MSR_TSC_DEADLINE, d);
		while (!READ_ONCE(fired_at))
			cpu_relax();
		if (fired_at < d)
			late++;
		else
			total += fired_at - d;
	}
	cli();
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report(name, n, total, !late);
}

static void level_handler(struct frame *f)
{
	(void)f;
	set_irq_line(PIN_LEVEL, 0);
	apic_eoi();
}

static void level(const char *name)
{
	unsigned int i, n = 500, base = count(0, VEC_LEVEL);
	u64 t0, t1;

	set_handler(VEC_LEVEL, level_handler);
	ioapic_redir_write(PIN_LEVEL, VEC_LEVEL | IOAPIC_LEVEL);
	sti();
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		set_irq_line(PIN_LEVEL, 1);
		while (count(0, VEC_LEVEL) == base + i)
			cpu_relax();
	}
	t1 = rdtsc_ordered();
	cli();
	ioapic_redir_write(PIN_LEVEL, IOAPIC_MASKED);
	report(name, n, t1 - t0, count(0, VEC_LEVEL) == base + n);
}

int main(void)
{
	const char *c = bench_case();

	if (is(c, "none"))
		tap_ok(true, "bench none: the baseline");
	else if (is(c, "selfipi_x"))
		self_ipi("selfipi_x", false);
	else if (is(c, "selfipi_x2"))
		self_ipi("selfipi_x2", true);
	else if (is(c, "ipi_rt"))
		ipi_round_trip("ipi_rt", false);
	else if (is(c, "ipi_halt"))
		ipi_round_trip("ipi_halt", true);
	else if (is(c, "tpr_idle"))
		tpr("tpr_idle", false);
	else if (is(c, "tpr_masked"))
		tpr("tpr_masked", true);
	else if (is(c, "deadline"))
		tsc_deadline_latency("deadline");
	else if (is(c, "level"))
		level("level");
	else
		tap_ok(false, "bench: unknown case '%s'", c);
	return 0;
}
