// SPDX-License-Identifier: GPL-2.0
/*
 * INIT and SIPI: the runtime's INIT-SIPI-SIPI bring-up, the state an AP
 * finds after INIT, re-INIT of a running AP and a start at another vector,
 * a SIPI to a running CPU is ignored, INIT holds a CPU until a SIPI, and
 * kvm-unit-tests' sequence (INIT to all excluding self, then at once one
 * SIPI) starts every AP.
 */
#include "guest.h"

static int spinning;
static int release;

static void mark(void *arg)
{
	WRITE_ONCE(*(int *)arg, 1);
}

static void spin(void *arg)
{
	(void)arg;
	WRITE_ONCE(spinning, 1);
	while (!READ_ONCE(release))
		cpu_relax();
}

static bool runs_work(unsigned int cpu)
{
	int done = 0;

	on_cpu_async(cpu, mark, &done);
	return wait_for(READ_ONCE(done)) && cpu_wait(cpu);
}

static void check_reset_state(unsigned int cpu, const char *when)
{
	struct cpu *c = &cpus[cpu];

	tap_eq(c->boot_svr, 0xff, "CPU %u after %s: SVR 0xff (disabled)", cpu,
	       when);
	tap_eq(c->boot_tpr, 0, "CPU %u after %s: TPR 0", cpu, when);
	tap_eq(c->boot_ldr, 0, "CPU %u after %s: LDR 0", cpu, when);
	tap_eq(c->boot_lvt0 & APIC_LVT_MASKED, APIC_LVT_MASKED,
	       "CPU %u after %s: LVT LINT0 masked", cpu, when);
}

static void set_tpr_ldr(void *arg)
{
	(void)arg;
	apic_write(APIC_TPR, 0x20);
	apic_write(APIC_LDR, 0x02000000);
}

static void init_cpu(unsigned int cpu)
{
	apic_send_ipi(cpu, APIC_DM_INIT | APIC_INT_ASSERT | APIC_INT_LEVEL);
	apic_send_ipi(cpu, APIC_DM_INIT | APIC_INT_LEVEL);
}

int main(void)
{
	int n = smp_ncpus(), online, i;
	unsigned int last, starts;

	tap_diag("initsipi: %d CPUs (fw_cfg)", n);
	if (n < 2) {
		tap_skip("needs 2+ CPUs (fw_cfg NB_CPUS = 1)",
			 "INIT, SIPI and restarts of APs");
		return 0;
	}
	online = smp_init();
	tap_eq(online, n, "INIT-SIPI-SIPI starts every AP");
	for (i = 1; i < n; i++) {
		tap_eq(cpus[i].start_cs, TRAMP_BASE >> 4,
		       "CPU %d started at SIPI vector 0x%02x", i,
		       TRAMP_BASE >> 12);
		tap_eq(cpus[i].starts, 1, "CPU %d started once", i);
		check_reset_state(i, "power-up");
		tap_ok(runs_work(i), "CPU %d runs work", i);
	}

	/* Re-INIT a running AP and start it at another vector. */
	last = n - 1;
	on_cpu(last, set_tpr_ldr, NULL);
	on_cpu_async(last, spin, NULL);
	tap_ok(wait_for(READ_ONCE(spinning)), "CPU %u is running a loop", last);
	smp_copy_trampoline(TRAMP_ALT_BASE);
	WRITE_ONCE(cpus[last].online, 0);
	init_cpu(last);
	quiet_wait();
	tap_eq(READ_ONCE(cpus[last].online), 0,
	       "CPU %u waits for a SIPI after INIT", last);
	apic_send_ipi(last, APIC_DM_SIPI | (TRAMP_ALT_BASE >> 12));
	tap_ok(cpu_wait_online(last), "CPU %u restarts after the SIPI", last);
	tap_eq(cpus[last].start_cs, TRAMP_ALT_BASE >> 4,
	       "CPU %u restarted at SIPI vector 0x%02x", last,
	       TRAMP_ALT_BASE >> 12);
	tap_eq(cpus[last].starts, 2, "CPU %u started twice", last);
	check_reset_state(last, "INIT");
	tap_ok(runs_work(last), "CPU %u runs work after the restart", last);

	/* A SIPI to a CPU that is not waiting for one is ignored. */
	starts = cpus[1].starts;
	apic_send_ipi(1, APIC_DM_SIPI | (TRAMP_ALT_BASE >> 12));
	quiet_wait();
	tap_eq(cpus[1].starts, starts, "a SIPI to running CPU 1 is ignored");
	tap_ok(runs_work(1), "CPU 1 still runs work");

	/* INIT holds the CPU: work posted meanwhile does not run. */
	WRITE_ONCE(cpus[1].online, 0);
	init_cpu(1);
	quiet_wait();
	{
		int done = 0;

		on_cpu_async(1, mark, &done);
		quiet_wait();
		tap_eq(READ_ONCE(done), 0, "CPU 1 after INIT runs nothing");
		apic_send_ipi(1, APIC_DM_SIPI | (TRAMP_BASE >> 12));
		tap_ok(cpu_wait_online(1), "CPU 1 restarts after a SIPI");
		tap_eq(cpus[1].starts, starts + 1,
		       "CPU 1 started once more");
		tap_ok(runs_work(1), "CPU 1 runs work after the restart");
	}

	/* kvm-unit-tests: INIT all-but-self, then one SIPI, no delay. */
	for (i = 1; i < n; i++)
		WRITE_ONCE(cpus[i].online, 0);
	apic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_INIT | APIC_INT_ASSERT);
	apic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_SIPI | (TRAMP_BASE >> 12));
	for (i = 1; i < n; i++) {
		tap_ok(cpu_wait_online(i),
		       "INIT all-but-self + one SIPI starts CPU %d", i);
		tap_eq(cpus[i].start_cs, TRAMP_BASE >> 4,
		       "CPU %d started at vector 0x%02x", i, TRAMP_BASE >> 12);
		tap_ok(runs_work(i), "CPU %d runs work", i);
	}
	return 0;
}
