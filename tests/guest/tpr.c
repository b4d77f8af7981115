// SPDX-License-Identifier: GPL-2.0
/*
 * TPR and CR8: CR8 = TPR[7:4] both ways; vectors of a class at or below
 * the TPR's are held in the IRR and delivered, highest first, when TPR or
 * CR8 is lowered below their class; PPR follows the ISR (nested
 * interrupts, EOI).
 */
#include "guest.h"

static u32 ppr_in[256], isr_in[256], cr8_in[256];

/* Records PPR, ISR bit and CR8 as the handler sees them, then EOIs. */
static void record(struct frame *f)
{
	unsigned int v = f->vector;

	ppr_in[v] = apic_read(APIC_PPR);
	isr_in[v] = apic_isr(v);
	cr8_in[v] = read_cr8();
	apic_eoi();
}

static void nested_outer(struct frame *f)
{
	ppr_in[0xa1] = apic_read(APIC_PPR);
	cr8_in[0xa1] = read_cr8();
	/* Same class as in service: held; higher class: nests at once. */
	apic_send_ipi(0, APIC_SH_SELF | 0xa5);
	apic_send_ipi(0, APIC_SH_SELF | 0xb1);
	sti();
	wait_for(READ_ONCE(cpus[0].irq_count[0xb1]));
	tsc_delay(QUIET_TSC / 8);
	cli();
	isr_in[0xa5] = READ_ONCE(cpus[0].irq_count[0xa5]);
	ppr_in[0] = apic_read(APIC_PPR);
	(void)f;
	apic_eoi();
	ppr_in[1] = apic_read(APIC_PPR);
}

static bool log_is(const u8 *want, unsigned int n)
{
	struct cpu *c = &cpus[0];
	unsigned int i;

	if (c->nlog != n)
		return false;
	for (i = 0; i < n; i++) {
		if (c->log[i] != want[i])
			return false;
	}
	return true;
}

static void log_diag(void)
{
	struct cpu *c = &cpus[0];
	char buf[128];
	unsigned int i, len = 0;

	for (i = 0; i < c->nlog && len + 4 < sizeof(buf); i++)
		len += gsnprintf(buf + len, sizeof(buf) - len, " %02x",
				 c->log[i]);
	buf[len] = '\0';
	tap_diag("delivered:%s", buf);
}

int main(void)
{
	static const u8 first[] = { 0x65 };
	static const u8 second[] = { 0x5f, 0x55 };
	static const u8 third[] = { 0x45 };
	static const u8 vecs[] = { 0x45, 0x55, 0x5f, 0x65 };
	unsigned int i, bad = 0;

	for (i = 0; i < 16; i++) {
		write_cr8(i);
		if (apic_read(APIC_TPR) != i << 4)
			bad++;
	}
	tap_eq(bad, 0, "CR8 write n: TPR reads n << 4 (n = 0..15)");
	bad = 0;
	for (i = 0; i < 256; i++) {
		apic_write(APIC_TPR, i);
		if (read_cr8() != i >> 4)
			bad++;
	}
	tap_eq(bad, 0, "TPR write v: CR8 reads v >> 4 (v = 0..255)");
	apic_write(APIC_TPR, 0x5a);
	write_cr8(read_cr8());
	tap_eq(apic_read(APIC_TPR), 0x50, "CR8 write clears TPR bits 3:0");
	write_cr8(0);

	/* TPR 0x50: class 6 goes through, classes 4 and 5 wait. */
	apic_write(APIC_TPR, 0x50);
	cpu_clear_log(0);
	for (i = 0; i < ARRAY_SIZE(vecs); i++)
		apic_send_ipi(0, APIC_SH_SELF | vecs[i]);
	sti();
	wait_for(READ_ONCE(cpus[0].nlog) >= 1);
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_ok(log_is(first, 1), "TPR 0x50: only 0x65 delivered");
	log_diag();
	tap_ok(apic_irr(0x45) && apic_irr(0x55) && apic_irr(0x5f),
	       "TPR 0x50: 0x45, 0x55, 0x5f wait in the IRR");
	tap_eq(apic_read(APIC_PPR), 0x50, "PPR 0x50 with nothing in service");

	cpu_clear_log(0);
	apic_write(APIC_TPR, 0x4f);
	sti();
	wait_for(READ_ONCE(cpus[0].nlog) >= 2);
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_ok(log_is(second, 2), "TPR 0x4f: 0x5f then 0x55 delivered");
	log_diag();
	tap_ok(apic_irr(0x45), "TPR 0x4f: 0x45 still waits");

	cpu_clear_log(0);
	write_cr8(3);
	sti();
	wait_for(READ_ONCE(cpus[0].nlog) >= 1);
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_ok(log_is(third, 1), "CR8 3: 0x45 delivered");
	tap_eq(apic_highest_irr(), -1, "IRR empty");
	write_cr8(0);

	/* CR8 raised back: held; lowered: delivered; CR8 inside handler. */
	for (i = 0; i < 3; i++)
		set_handler(0x31 + 0x10 * i, record);
	write_cr8(4);
	cpu_clear_log(0);
	apic_send_ipi(0, APIC_SH_SELF | 0x31);
	apic_send_ipi(0, APIC_SH_SELF | 0x41);
	apic_send_ipi(0, APIC_SH_SELF | 0x51);
	sti();
	wait_for(READ_ONCE(cpus[0].nlog) >= 1);
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_eq(READ_ONCE(cpus[0].nlog), 1, "CR8 4: only 0x51 delivered");
	tap_eq(ppr_in[0x51], 0x50, "in 0x51's handler: PPR 0x50 (ISR class)");
	tap_eq(cr8_in[0x51], 4, "in 0x51's handler: CR8 is the TPR (4)");
	tap_eq(isr_in[0x51], 1, "in 0x51's handler: ISR bit set");
	write_cr8(0);
	sti();
	wait_for(READ_ONCE(cpus[0].nlog) >= 3);
	cli();
	tap_eq(READ_ONCE(cpus[0].nlog), 3, "CR8 0: 0x41 and 0x31 delivered");
	tap_ok(cpus[0].log[1] == 0x41 && cpus[0].log[2] == 0x31,
	       "CR8 0: 0x41 before 0x31");
	tap_eq(ppr_in[0x31], 0x30, "in 0x31's handler: PPR 0x30");
	tap_eq(cr8_in[0x31], 0, "in 0x31's handler: CR8 0");

	/* Nesting: PPR follows the highest in-service vector. */
	set_handler(0xa1, nested_outer);
	set_handler(0xb1, record);
	cpu_clear_log(0);
	apic_send_ipi(0, APIC_SH_SELF | 0xa1);
	sti();
	wait_for(READ_ONCE(cpus[0].irq_count[0xa5]));
	cli();
	tap_eq(ppr_in[0xa1], 0xa0, "in 0xa1's handler: PPR 0xa0");
	tap_eq(cr8_in[0xa1], 0, "in 0xa1's handler: CR8 0 (TPR 0)");
	tap_eq(ppr_in[0xb1], 0xb0, "nested 0xb1: PPR 0xb0");
	tap_eq(isr_in[0xa5], 0, "0xa5 (class of 0xa1) held while 0xa1 in service");
	tap_eq(ppr_in[0], 0xa0, "after 0xb1's EOI: PPR back to 0xa0");
	tap_eq(ppr_in[1], 0, "after 0xa1's EOI: PPR 0");
	tap_eq(READ_ONCE(cpus[0].irq_count[0xa5]), 1,
	       "0xa5 delivered after 0xa1's EOI");
	tap_eq(apic_highest_isr(), -1, "ISR empty at the end");
	tap_eq(apic_read(APIC_PPR), 0, "PPR 0 at the end");
	return 0;
}
