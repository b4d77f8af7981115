// SPDX-License-Identifier: GPL-2.0
/* Per-CPU setup, AP bring-up and work dispatch. */
#include "apic.h"
#include "fwcfg.h"
#include "idt.h"
#include "smp.h"
#include "symbols.h"

struct cpu cpus[MAX_CPUS];
cpu_fn_t ap_start_hook;
static int ncpus = 1;

static void cpu_setup(struct cpu *c, unsigned int idx)
{
	c->self = c;
	c->idx = idx;
	wrmsr(MSR_GS_BASE, (u64)c);
	idt_load();
}

void cpu_init_bsp(void)
{
	idt_init();
	cpu_setup(&cpus[0], 0);
	cpus[0].online = 1;
}

void cpu_clear_log(unsigned int idx)
{
	struct cpu *c = &cpus[idx];
	unsigned int v;

	for (v = 0; v < 256; v++)
		WRITE_ONCE(c->irq_count[v], 0);
	WRITE_ONCE(c->nmi_count, 0);
	WRITE_ONCE(c->nlog, 0);
}

void cpu_record_boot_state(struct cpu *c)
{
	c->x2apic = (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD) != 0;
	c->boot_svr = apic_read(APIC_SVR);
	c->boot_tpr = apic_read(APIC_TPR);
	c->boot_ldr = apic_read(APIC_LDR);
	c->boot_lvt0 = apic_read(APIC_LVT0);
	c->boot_lvtt = apic_read(APIC_LVTT);
	c->boot_tmict = apic_read(APIC_TMICT);
	c->boot_isr = apic_highest_isr();
	c->boot_irr = apic_highest_irr();
}

void ap_main(u32 id, u32 cs)
{
	struct cpu *c = &cpus[id];
	cpu_fn_t fn, hook;

	cpu_setup(c, id);
	cpu_record_boot_state(c);
	apic_setup_xapic();
	c->start_cs = cs;
	c->starts++;
	WRITE_ONCE(c->fn, NULL);
	/* The start-up state above is visible before "online". */
	smp_mb();
	WRITE_ONCE(c->online, 1);
	hook = READ_ONCE(ap_start_hook);
	if (hook)
		hook(c);
	for (;;) {
		fn = READ_ONCE(c->fn);
		if (!fn) {
			if (READ_ONCE(c->idle_irqs))
				sti_nop_cli();
			cpu_relax();
			continue;
		}
		/* Pairs with on_cpu_async(): arg was stored before fn. */
		smp_mb();
		fn(c->arg);
		/* The work's stores are visible before "done". */
		smp_mb();
		WRITE_ONCE(c->fn, NULL);
	}
}

void smp_copy_trampoline(u32 base)
{
	char *dst = (char *)(u64)base;
	char *src;

	for (src = tramp_start; src < tramp_end; src++)
		*dst++ = *src;
	/* The code is in memory before any SIPI points a CPU at it. */
	smp_mb();
}

bool cpu_wait_online(unsigned int idx)
{
	return wait_for(READ_ONCE(cpus[idx].online));
}

int smp_ncpus(void)
{
	return ncpus;
}

int smp_online(void)
{
	int i, n = 0;

	for (i = 0; i < ncpus; i++)
		n += READ_ONCE(cpus[i].online) ? 1 : 0;
	return n;
}

void smp_detect(void)
{
	ncpus = fwcfg_present() ? (int)fwcfg_read(FW_CFG_NB_CPUS, 2) : 1;
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
}

int smp_init(void)
{
	int i;

	smp_copy_trampoline(TRAMP_BASE);
	for (i = 1; i < ncpus; i++) {
		WRITE_ONCE(cpus[i].online, 0);
		apic_send_ipi(i, APIC_DM_INIT | APIC_INT_ASSERT | APIC_INT_LEVEL);
		apic_send_ipi(i, APIC_DM_INIT | APIC_INT_LEVEL);
		apic_send_ipi(i, APIC_DM_SIPI | (TRAMP_BASE >> 12));
		if (!cpu_wait_online(i))
			apic_send_ipi(i, APIC_DM_SIPI | (TRAMP_BASE >> 12));
		cpu_wait_online(i);
	}
	return smp_online();
}

void on_cpu_async(unsigned int idx, cpu_fn_t fn, void *arg)
{
	struct cpu *c = &cpus[idx];

	wait_for(!READ_ONCE(c->fn));
	c->arg = arg;
	/* arg before fn: the AP reads fn first, then arg. */
	smp_mb();
	WRITE_ONCE(c->fn, fn);
}

bool cpu_wait(unsigned int idx)
{
	return wait_for(!READ_ONCE(cpus[idx].fn));
}

void on_cpu(unsigned int idx, cpu_fn_t fn, void *arg)
{
	if (idx == this_cpu()->idx) {
		fn(arg);
		return;
	}
	on_cpu_async(idx, fn, arg);
	cpu_wait(idx);
}

void tsc_delay(u64 tsc)
{
	u64 t0 = rdtsc();

	while (rdtsc() - t0 < tsc)
		cpu_relax();
}

void quiet_wait(void)
{
	tsc_delay(QUIET_TSC);
}
