// SPDX-License-Identifier: GPL-2.0
/*
 * seed 004, halt wake: a CPU at PPR 0x70 (by TPR 0x70, or by vector 0x75
 * in service) with low vectors (0x41, 0x55, 0x6f) pending does STI; HLT.
 * A vector above the PPR (0xe1 from another CPU, or the timer at 0xe2 on
 * a single CPU) must wake it, every round; the low vectors stay pending
 * until the PPR drops and then arrive highest first.
 */
#include "guest.h"

#define VEC_WAKE	0xe1
#define VEC_TIMER	0xe2
#define VEC_ISR		0x75
#define ROUNDS		40

static const u8 low[] = { 0x41, 0x55, 0x6f };
static int ready;
static unsigned int wake_bad, order_bad, early_bad;

/* The first round that failed, for the TAP diagnostics. */
static struct {
	bool seen;
	unsigned int round, nlog, ppr, isr;
	u8 log[8];
} first_bad;
static unsigned int cur_round;

static void no_eoi(struct frame *f)
{
	(void)f;
}

static unsigned int count(unsigned int vec)
{
	return READ_ONCE(this_cpu()->irq_count[vec]);
}

/* What this CPU had seen when a check failed: its log, PPR, ISR. */
static void note_bad(void)
{
	struct cpu *c = this_cpu();
	unsigned int i;

	if (first_bad.seen)
		return;
	first_bad.seen = true;
	first_bad.round = cur_round;
	first_bad.ppr = apic_read(APIC_PPR);
	first_bad.isr = apic_highest_isr();
	first_bad.nlog = c->nlog;
	for (i = 0; i < c->nlog && i < ARRAY_SIZE(first_bad.log); i++)
		first_bad.log[i] = c->log[i];
}

/* Halts until @vec arrives; low vectors must not arrive meanwhile. */
static void halt_for(unsigned int vec)
{
	unsigned int i;

	while (!count(vec))
		safe_halt();
	cli();
	for (i = 0; i < ARRAY_SIZE(low); i++) {
		if (count(low[i])) {
			early_bad++;
			note_bad();
		}
	}
}

static void check_low_order(void)
{
	struct cpu *c = this_cpu();
	unsigned int i, n = c->nlog;

	if (n < 3 || c->log[n - 3] != 0x6f || c->log[n - 2] != 0x55 ||
	    c->log[n - 1] != 0x41) {
		order_bad++;
		note_bad();
	}
	for (i = 0; i < ARRAY_SIZE(low); i++) {
		if (count(low[i]) != 1) {
			order_bad++;
			note_bad();
		}
	}
}

/* One round on this CPU: @by_isr picks how the PPR gets to 0x70. */
static void target_round(void *arg)
{
	bool by_isr = (u64)arg;
	struct cpu *c = this_cpu();

	cpu_clear_log(c->idx);
	if (by_isr) {
		apic_send_ipi(0, APIC_SH_SELF | VEC_ISR);
		sti_nop_cli();
		if (!apic_isr(VEC_ISR))
			wake_bad++;
	} else {
		apic_write(APIC_TPR, 0x70);
	}
	WRITE_ONCE(ready, 1);
	halt_for(VEC_WAKE);
	if (count(VEC_WAKE) != 1)
		wake_bad++;
	if (by_isr)
		apic_eoi();
	else
		apic_write(APIC_TPR, 0);
	sti();
	wait_for(count(0x41));
	cli();
	check_low_order();
}

static void send_low(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(low); i++)
		apic_send_ipi(cpu, APIC_DM_FIXED | low[i]);
}

static void two_cpus(bool by_isr)
{
	unsigned int r;

	wake_bad = 0;
	order_bad = 0;
	early_bad = 0;
	first_bad.seen = false;
	for (r = 0; r < ROUNDS; r++) {
		cur_round = r;
		WRITE_ONCE(ready, 0);
		on_cpu_async(1, target_round, (void *)(u64)by_isr);
		wait_for(READ_ONCE(ready));
		send_low(1);
		tsc_delay(QUIET_TSC / 64);
		apic_send_ipi(1, APIC_DM_FIXED | VEC_WAKE);
		if (!cpu_wait(1)) {
			wake_bad++;
			break;
		}
	}
}

static void one_cpu(bool by_isr)
{
	unsigned int r;

	wake_bad = 0;
	order_bad = 0;
	early_bad = 0;
	first_bad.seen = false;
	for (r = 0; r < ROUNDS; r++) {
		cur_round = r;
		cpu_clear_log(0);
		if (by_isr) {
			apic_send_ipi(0, APIC_SH_SELF | VEC_ISR);
			sti_nop_cli();
		} else {
			apic_write(APIC_TPR, 0x70);
		}
		send_low(0);
		apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
		apic_write(APIC_TMICT, 50000);
		halt_for(VEC_TIMER);
		if (count(VEC_TIMER) != 1)
			wake_bad++;
		if (by_isr)
			apic_eoi();
		else
			apic_write(APIC_TPR, 0);
		sti();
		wait_for(count(0x41));
		cli();
		check_low_order();
	}
}

static void report(const char *what)
{
	unsigned int i;

	if (first_bad.seen) {
		tap_diag("%s: first bad round %u: PPR 0x%x, highest ISR 0x%x then; %u vectors:",
			 what, first_bad.round, first_bad.ppr, first_bad.isr,
			 first_bad.nlog);
		for (i = 0; i < first_bad.nlog && i < ARRAY_SIZE(first_bad.log);
		     i++)
			tap_diag("  0x%x", first_bad.log[i]);
	}
	tap_eq(wake_bad, 0, "%s: woke for the high vector in all %d rounds",
	       what, ROUNDS);
	tap_eq(early_bad, 0, "%s: no low vector while PPR was 0x70", what);
	tap_eq(order_bad, 0, "%s: low vectors afterwards, 0x6f 0x55 0x41",
	       what);
}

int main(void)
{
	int n = smp_ncpus();

	set_handler(VEC_ISR, no_eoi);
	apic_write(APIC_TDCR, 0xb);
	one_cpu(false);
	report("one CPU, TPR 0x70, timer wakes");
	one_cpu(true);
	report("one CPU, 0x75 in service, timer wakes");
	if (n < 2) {
		tap_skip("needs 2+ CPUs (fw_cfg NB_CPUS = 1)",
			 "another CPU wakes the halted one");
		return 0;
	}
	tap_eq(smp_init(), n, "every AP is online");
	two_cpus(false);
	report("CPU 1 at TPR 0x70, IPI 0xe1 from CPU 0 wakes");
	two_cpus(true);
	report("CPU 1 with 0x75 in service, IPI 0xe1 from CPU 0 wakes");
	return 0;
}
