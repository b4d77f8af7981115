// SPDX-License-Identifier: GPL-2.0
/*
 * IPIs: self-IPI, fixed IPIs between every pair of CPUs (physical),
 * logical flat and cluster destinations (xAPIC), x2APIC physical and
 * logical destinations, the shorthands, physical broadcast, lowest
 * priority, an IPI to a halted CPU and NMI IPIs. Every delivery is checked
 * to reach its targets exactly once and nobody else.
 */
#include "guest.h"

#define VEC_SELF	0x40
#define VEC_FIXED	0x50
#define VEC_LOGICAL	0x58
#define VEC_SH		0x60
#define VEC_LOWEST	0x70
#define VEC_HALT	0x80
#define VEC_X2		0x90

static int n;

static unsigned int count(unsigned int cpu, unsigned int vec)
{
	return READ_ONCE(cpus[cpu].irq_count[vec]);
}

static void clear_all(void)
{
	int i;

	for (i = 0; i < n; i++)
		cpu_clear_log(i);
}

/* Mask of CPUs that took @vec exactly once; -1 if any took it twice. */
static int receivers(unsigned int vec)
{
	int i, mask = 0;

	for (i = 0; i < n; i++) {
		unsigned int c = count(i, vec);

		if (c > 1)
			return -1;
		if (c)
			mask |= 1 << i;
	}
	return mask;
}

/* Waits (BSP interrupts open) for @want's CPUs to take @vec, then a bit. */
static int collect(unsigned int vec, int want)
{
	sti();
	wait_for((receivers(vec) & want) == want);
	tsc_delay(QUIET_TSC / 4);
	cli();
	return receivers(vec);
}

struct send {
	u32 dest;
	u32 icr;
};

static void do_send(void *arg)
{
	struct send *s = arg;

	apic_send_ipi(s->dest, s->icr);
}

static void send_from(unsigned int cpu, u32 dest, u32 icr)
{
	struct send s = { dest, icr };

	on_cpu(cpu, do_send, &s);
}

static void set_idle_irqs(int on)
{
	int i;

	for (i = 1; i < n; i++)
		WRITE_ONCE(cpus[i].idle_irqs, on);
}

static void set_logical(void *arg)
{
	u32 *v = arg;

	apic_write(APIC_DFR, v[0]);
	apic_write(APIC_LDR, v[1 + this_cpu()->idx]);
}

static void set_tpr(void *arg)
{
	apic_write(APIC_TPR, *(u32 *)arg);
}

static void test_physical(void)
{
	int s, d;

	for (s = 0; s < n; s++) {
		for (d = 0; d < n; d++) {
			if (s == d)
				continue;
			clear_all();
			send_from(s, d, APIC_DM_FIXED | VEC_FIXED);
			tap_eq(collect(VEC_FIXED, 1 << d), 1 << d,
			       "physical fixed IPI CPU %d -> CPU %d: once, there only",
			       s, d);
		}
	}
}

static void test_logical(void)
{
	u32 cfg[1 + MAX_CPUS];
	int i, all = (1 << n) - 1;

	/* Flat: CPU i has logical ID bit i. */
	cfg[0] = 0xffffffff;
	for (i = 0; i < n; i++)
		cfg[1 + i] = (1U << i) << 24;
	for (i = 0; i < n; i++)
		on_cpu(i, set_logical, cfg);
	tap_eq(apic_read(APIC_DFR), 0xffffffff, "DFR flat model reads back");
	for (i = 0; i < n; i++) {
		clear_all();
		apic_send_ipi(1 << i, APIC_DEST_LOGICAL | VEC_LOGICAL);
		tap_eq(collect(VEC_LOGICAL, 1 << i), 1 << i,
		       "logical flat destination 0x%02x reaches CPU %d only",
		       1 << i, i);
	}
	clear_all();
	apic_send_ipi(all & ~1, APIC_DEST_LOGICAL | VEC_LOGICAL);
	tap_eq(collect(VEC_LOGICAL, all & ~1), all & ~1,
	       "logical flat destination 0x%02x reaches every AP once",
	       all & ~1);
	clear_all();
	apic_send_ipi(0xff, APIC_DEST_LOGICAL | VEC_LOGICAL);
	tap_eq(collect(VEC_LOGICAL, all), all,
	       "logical flat destination 0xff reaches every CPU once");
	clear_all();
	apic_send_ipi(0, APIC_DEST_LOGICAL | VEC_LOGICAL);
	tap_eq(collect(VEC_LOGICAL, 0), 0,
	       "logical flat destination 0x00 reaches nobody");

	/* Cluster: CPU i in cluster i / 2, member bit i % 2. */
	cfg[0] = 0x0fffffff;
	for (i = 0; i < n; i++)
		cfg[1 + i] = (((i / 2) << 4) | (1 << (i % 2))) << 24;
	for (i = 0; i < n; i++)
		on_cpu(i, set_logical, cfg);
	tap_eq(apic_read(APIC_DFR), 0x0fffffff, "DFR cluster model reads back");
	for (i = 0; i < n; i++) {
		u32 dest = ((i / 2) << 4) | (1 << (i % 2));

		clear_all();
		apic_send_ipi(dest, APIC_DEST_LOGICAL | VEC_LOGICAL);
		tap_eq(collect(VEC_LOGICAL, 1 << i), 1 << i,
		       "logical cluster destination 0x%02x reaches CPU %d only",
		       dest, i);
	}
	for (i = 0; i < (n + 1) / 2; i++) {
		int want = (3 << (2 * i)) & all;

		clear_all();
		apic_send_ipi((i << 4) | 3, APIC_DEST_LOGICAL | VEC_LOGICAL);
		tap_eq(collect(VEC_LOGICAL, want), want,
		       "logical cluster destination 0x%02x reaches cluster %d",
		       (i << 4) | 3, i);
	}
	clear_all();
	apic_send_ipi(0xf3, APIC_DEST_LOGICAL | VEC_LOGICAL);
	tap_eq(collect(VEC_LOGICAL, 0), 0,
	       "logical cluster destination 0xf3 (no such cluster) reaches nobody");

	cfg[0] = 0xffffffff;
	for (i = 0; i < n; i++)
		cfg[1 + i] = 0;
	for (i = 0; i < n; i++)
		on_cpu(i, set_logical, cfg);
}

static void test_shorthands(void)
{
	int all = (1 << n) - 1, s;

	for (s = 0; s < n; s++) {
		clear_all();
		send_from(s, 0, APIC_SH_SELF | VEC_SH);
		tap_eq(collect(VEC_SH, 1 << s), 1 << s,
		       "shorthand self from CPU %d", s);
		clear_all();
		send_from(s, 0, APIC_SH_ALL | VEC_SH);
		tap_eq(collect(VEC_SH, all), all,
		       "shorthand all-including-self from CPU %d", s);
		clear_all();
		send_from(s, 0, APIC_SH_OTHERS | VEC_SH);
		tap_eq(collect(VEC_SH, all & ~(1 << s)), all & ~(1 << s),
		       "shorthand all-excluding-self from CPU %d", s);
	}
	clear_all();
	apic_send_ipi(0xff, APIC_DM_FIXED | VEC_SH);
	tap_eq(collect(VEC_SH, all), all,
	       "physical destination 0xff is a broadcast");
}

static void test_lowest(void)
{
	u32 cfg[1 + MAX_CPUS];
	int i, all = (1 << n) - 1;
	int rounds[2] = { 0, n - 1 }, r;

	cfg[0] = 0xffffffff;
	for (i = 0; i < n; i++)
		cfg[1 + i] = (1U << i) << 24;
	for (i = 0; i < n; i++)
		on_cpu(i, set_logical, cfg);
	for (r = 0; r < 2; r++) {
		int low = rounds[r], got;

		for (i = 0; i < n; i++) {
			u32 tpr = i == low ? 0x00 : 0x20;

			on_cpu(i, set_tpr, &tpr);
		}
		clear_all();
		apic_send_ipi(all, APIC_DEST_LOGICAL | APIC_DM_LOWEST |
			      VEC_LOWEST);
		got = collect(VEC_LOWEST, 0);
		tap_ok(got > 0 && !(got & (got - 1)),
		       "lowest priority to all, CPU %d at TPR 0: exactly one CPU takes it",
		       low);
		tap_eq(got, 1 << low,
		       "lowest priority to all: CPU %d (lowest TPR) takes it",
		       low);
	}
	for (i = 0; i < n; i++) {
		u32 tpr = 0;

		on_cpu(i, set_tpr, &tpr);
		cfg[1 + i] = 0;
	}
	for (i = 0; i < n; i++)
		on_cpu(i, set_logical, cfg);
}

static int woke;

static void halt_until_woken(void *arg)
{
	(void)arg;
	while (!READ_ONCE(cpus[this_cpu()->idx].irq_count[VEC_HALT]))
		safe_halt();
	cli();
	atomic_inc(&woke);
}

static void test_halted(void)
{
	int d;

	for (d = 1; d < n; d++) {
		WRITE_ONCE(woke, 0);
		clear_all();
		on_cpu_async(d, halt_until_woken, NULL);
		quiet_wait();
		apic_send_ipi(d, APIC_DM_FIXED | VEC_HALT);
		tap_ok(cpu_wait(d) && READ_ONCE(woke) == 1,
		       "fixed IPI wakes halted CPU %d", d);
		tap_eq(count(d, VEC_HALT), 1, "halted CPU %d took it once", d);
	}
}

static void test_nmi(void)
{
	int d;

	for (d = 0; d < n; d++) {
		unsigned int before = READ_ONCE(cpus[d].nmi_count);

		apic_send_ipi(d, APIC_DM_NMI);
		wait_for(READ_ONCE(cpus[d].nmi_count) != before);
		tsc_delay(QUIET_TSC / 4);
		tap_eq(READ_ONCE(cpus[d].nmi_count) - before, 1,
		       "NMI IPI to CPU %d taken once", d);
	}
}

static void to_x2apic(void *arg)
{
	(void)arg;
	apic_enter_x2apic();
}

static void to_xapic(void *arg)
{
	(void)arg;
	apic_setup_xapic();
}

static void test_x2apic(void)
{
	int i, all = (1 << n) - 1;

	if (!cpu_has_x2apic()) {
		tap_skip("no x2APIC (CPUID.1:ECX[21] = 0)",
			 "x2APIC physical and logical IPIs");
		return;
	}
	for (i = 0; i < n; i++)
		on_cpu(i, to_x2apic, NULL);
	for (i = 0; i < n; i++) {
		clear_all();
		apic_send_ipi(i, APIC_DM_FIXED | VEC_X2);
		tap_eq(collect(VEC_X2, 1 << i), 1 << i,
		       "x2APIC physical destination %d", i);
	}
	/* Logical: cluster = ID[19:4], member bit ID[3:0] (all in cluster 0). */
	for (i = 0; i < n; i++) {
		u32 want = 1U << i;

		clear_all();
		apic_send_ipi(want, APIC_DEST_LOGICAL | VEC_X2);
		tap_eq(collect(VEC_X2, 1 << i), 1 << i,
		       "x2APIC logical destination 0x%08x reaches CPU %d", want,
		       i);
	}
	clear_all();
	apic_send_ipi(all, APIC_DEST_LOGICAL | VEC_X2);
	tap_eq(collect(VEC_X2, all), all,
	       "x2APIC logical destination 0x%08x reaches every CPU once", all);
	clear_all();
	apic_send_ipi((1 << 16) | all, APIC_DEST_LOGICAL | VEC_X2);
	tap_eq(collect(VEC_X2, 0), 0,
	       "x2APIC logical cluster 1 (empty) reaches nobody");
	clear_all();
	apic_send_ipi(0xffffffff, APIC_DM_FIXED | VEC_X2);
	tap_eq(collect(VEC_X2, all), all,
	       "x2APIC physical destination 0xffffffff is a broadcast");
	for (i = 0; i < n; i++)
		on_cpu(i, to_xapic, NULL);
}

int main(void)
{
	unsigned int before;

	n = smp_ncpus();
	tap_diag("ipi: %d CPUs (fw_cfg)", n);

	clear_all();
	apic_send_ipi(0, APIC_SH_SELF | VEC_SELF);
	sti();
	wait_for(count(0, VEC_SELF));
	cli();
	tap_eq(count(0, VEC_SELF), 1, "self-IPI (shorthand) taken once");
	apic_send_ipi(apic_id(), APIC_DM_FIXED | VEC_SELF);
	tap_ok(apic_irr(VEC_SELF), "self-IPI (own ID) pending with IF=0");
	sti();
	wait_for(count(0, VEC_SELF) == 2);
	cli();
	tap_eq(count(0, VEC_SELF), 2, "self-IPI (own ID) taken once after STI");
	before = READ_ONCE(cpus[0].nmi_count);
	apic_send_ipi(apic_id(), APIC_DM_NMI);
	wait_for(READ_ONCE(cpus[0].nmi_count) != before);
	tap_eq(READ_ONCE(cpus[0].nmi_count) - before, 1,
	       "NMI to own ID taken once (IF=0)");

	if (n < 2) {
		tap_skip("needs 2+ CPUs (fw_cfg NB_CPUS = 1)",
			 "IPIs between CPUs");
		test_x2apic();
		return 0;
	}
	tap_eq(smp_init(), n, "every AP is online");
	set_idle_irqs(1);
	test_physical();
	test_logical();
	test_shorthands();
	test_lowest();
	test_halted();
	test_nmi();
	test_x2apic();
	set_idle_irqs(0);
	return 0;
}
