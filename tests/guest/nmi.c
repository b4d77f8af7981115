// SPDX-License-Identifier: GPL-2.0
/*
 * NMIs: self NMI (also with IF=0), NMI IPIs to every other CPU, and NMI
 * blocking: NMIs sent while the handler runs are held until its IRET and
 * then delivered once.
 */
#include "guest.h"

static int nested_mode;
static unsigned int in_handler_seen[MAX_CPUS];
static int handler_go[MAX_CPUS];
static int handler_in[MAX_CPUS];

static void nmi_handler(struct frame *f)
{
	struct cpu *c = this_cpu();
	unsigned int me = c->idx;
	unsigned int count = c->nmi_count;

	(void)f;
	if (!READ_ONCE(nested_mode) || count != 1)
		return;
	if (me == 0) {
		/* Two more self NMIs while this one is being handled. */
		apic_send_ipi(0, APIC_DM_NMI);
		apic_send_ipi(0, APIC_DM_NMI);
		tsc_delay(QUIET_TSC / 4);
	} else {
		WRITE_ONCE(handler_in[me], 1);
		wait_for(READ_ONCE(handler_go[me]));
		tsc_delay(QUIET_TSC / 4);
	}
	in_handler_seen[me] = c->nmi_count;
}

static void zero(unsigned int cpu)
{
	WRITE_ONCE(cpus[cpu].nmi_count, 0);
}

int main(void)
{
	int n = smp_ncpus(), i;

	set_handler(NMI_VECTOR, nmi_handler);
	zero(0);
	apic_send_ipi(0, APIC_DM_NMI);
	wait_for(READ_ONCE(cpus[0].nmi_count));
	tap_eq(READ_ONCE(cpus[0].nmi_count), 1, "self NMI with IF=0 taken once");
	zero(0);
	sti();
	apic_send_ipi(0, APIC_DM_NMI);
	wait_for(READ_ONCE(cpus[0].nmi_count));
	cli();
	tap_eq(READ_ONCE(cpus[0].nmi_count), 1, "self NMI with IF=1 taken once");

	WRITE_ONCE(nested_mode, 1);
	zero(0);
	apic_send_ipi(0, APIC_DM_NMI);
	wait_for(READ_ONCE(cpus[0].nmi_count) >= 2);
	quiet_wait();
	tap_eq(in_handler_seen[0], 1,
	       "NMIs sent inside the NMI handler wait for its IRET");
	tap_eq(READ_ONCE(cpus[0].nmi_count), 2,
	       "two NMIs held during the handler are delivered once");
	WRITE_ONCE(nested_mode, 0);

	if (n < 2) {
		tap_skip("needs 2+ CPUs (fw_cfg NB_CPUS = 1)",
			 "NMI IPIs to other CPUs");
		return 0;
	}
	tap_eq(smp_init(), n, "every AP is online");
	for (i = 1; i < n; i++) {
		zero(i);
		apic_send_ipi(i, APIC_DM_NMI);
		wait_for(READ_ONCE(cpus[i].nmi_count));
		tsc_delay(QUIET_TSC / 4);
		tap_eq(READ_ONCE(cpus[i].nmi_count), 1,
		       "NMI IPI to CPU %d taken once", i);
	}
	WRITE_ONCE(nested_mode, 1);
	for (i = 1; i < n; i++) {
		zero(i);
		apic_send_ipi(i, APIC_DM_NMI);
		wait_for(READ_ONCE(handler_in[i]));
		apic_send_ipi(i, APIC_DM_NMI);
		apic_send_ipi(i, APIC_DM_NMI);
		tsc_delay(QUIET_TSC / 4);
		tap_eq(READ_ONCE(cpus[i].nmi_count), 1,
		       "CPU %d: NMIs wait while its NMI handler runs", i);
		WRITE_ONCE(handler_go[i], 1);
		wait_for(READ_ONCE(cpus[i].nmi_count) >= 2);
		quiet_wait();
		tap_eq(READ_ONCE(cpus[i].nmi_count), 2,
		       "CPU %d: the held NMIs are delivered once after IRET",
		       i);
	}
	WRITE_ONCE(nested_mode, 0);
	return 0;
}
