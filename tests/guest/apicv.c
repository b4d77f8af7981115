// SPDX-License-Identifier: GPL-2.0
/*
 * APIC virtualization by its exits: a fixed number of each operation whose
 * exit count depends on the interrupt mode, so that the Bochs plan can
 * compare the counters of --stats with exact figures per mode (VMX:
 * injection only, TPR shadow, virtual-interrupt delivery):
 *   - TPR_ROUNDS times, CR8 lowered below the class of a vector the TPR
 *     held back (TPR shadow: exactly one TPR-threshold exit each);
 *   - EDGE self IPIs EOI'd (with VID: no EOI-induced exit);
 *   - LEVEL level-triggered IOAPIC interrupts EOI'd (with VID: exactly one
 *     EOI-induced exit each, and one EOI broadcast to the IOAPIC each).
 * The guest checks what it sees: each vector held while TPR masks it,
 * delivered once TPR no longer does, remote IRR clear after each EOI.
 * All of it twice: in xAPIC mode (self IPIs through the ICR), then in
 * x2APIC mode (self IPIs through the SELF IPI MSR, EOIs through the EOI
 * MSR), so each figure above is counted twice.
 */
#include "guest.h"

#define TPR_ROUNDS	4
#define EDGE		8
#define LEVEL		3
#define VEC_TPR		0x45
#define VEC_EDGE	0x61
#define PIN		10
#define VEC_LEVEL	0x71

static void eoi_handler(struct frame *f)
{
	(void)f;
	apic_eoi();
}

static void level_handler(struct frame *f)
{
	(void)f;
	set_irq_line(PIN, 0);
	apic_eoi();
}

static unsigned int count(unsigned int vec)
{
	return READ_ONCE(cpus[0].irq_count[vec]);
}

static void self_ipi(unsigned int vec)
{
	if (apic_x2apic_mode())
		wrmsr(X2APIC_MSR(APIC_SELF_IPI), vec);
	else
		apic_send_ipi(0, APIC_SH_SELF | vec);
}

static void tpr_rounds(const char *mode)
{
	unsigned int i, held = 0, delivered = 0, base = count(VEC_TPR);

	for (i = 0; i < TPR_ROUNDS; i++) {
		write_cr8(5);
		self_ipi(VEC_TPR);
		sti();
		/* Class 4 <= TPR class 5: held in IRR. */
		if (apic_irr(VEC_TPR) && count(VEC_TPR) == base + i)
			held++;
		write_cr8(3);
		if (wait_for(count(VEC_TPR) == base + i + 1))
			delivered++;
		cli();
		write_cr8(0);
	}
	tap_eq(held, TPR_ROUNDS, "%s: TPR 0x50 holds vector 0x%x in IRR", mode,
	       VEC_TPR);
	tap_eq(delivered, TPR_ROUNDS,
	       "%s: CR8 3 (below the vector's class) delivers it, once", mode);
	tap_eq(count(VEC_TPR) - base, TPR_ROUNDS, "%s: vector 0x%x taken %d times",
	       mode, VEC_TPR, TPR_ROUNDS);
}

static void edge_eois(const char *mode)
{
	unsigned int i, ok = 0, base = count(VEC_EDGE);

	for (i = 0; i < EDGE; i++) {
		sti();
		self_ipi(VEC_EDGE);
		if (wait_for(count(VEC_EDGE) == base + i + 1))
			ok++;
		cli();
	}
	tap_eq(ok, EDGE, "%s: %d edge self IPIs taken and EOI'd", mode, EDGE);
	tap_ok(!apic_isr(VEC_EDGE), "%s: vector 0x%x not in service", mode,
	       VEC_EDGE);
}

static void level_eois(const char *mode)
{
	unsigned int i, ok = 0, rirr = 0, base = count(VEC_LEVEL);

	set_irq_line(PIN, 0);
	ioapic_redir_write(PIN, IOAPIC_LEVEL | VEC_LEVEL);
	for (i = 0; i < LEVEL; i++) {
		sti();
		set_irq_line(PIN, 1);
		if (wait_for(count(VEC_LEVEL) == base + i + 1))
			ok++;
		cli();
		if (ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR)
			rirr++;
	}
	ioapic_redir_write(PIN, IOAPIC_MASKED | IOAPIC_LEVEL | VEC_LEVEL);
	tap_eq(ok, LEVEL, "%s: %d level-triggered IOAPIC interrupts taken", mode,
	       LEVEL);
	tap_eq(rirr, 0, "%s: remote IRR clear after each EOI", mode);
	/* TMR keeps the trigger mode of the last acceptance: only ISR. */
	tap_ok(apic_tmr(VEC_LEVEL) && !apic_isr(VEC_LEVEL),
	       "%s: vector 0x%x level in TMR, not in service", mode, VEC_LEVEL);
}

static void all(const char *mode)
{
	tpr_rounds(mode);
	edge_eois(mode);
	level_eois(mode);
}

int main(void)
{
	set_handler(VEC_TPR, eoi_handler);
	set_handler(VEC_EDGE, eoi_handler);
	set_handler(VEC_LEVEL, level_handler);
	all("xAPIC");
	tap_ok(cpu_has_x2apic(), "the CPU offers x2APIC");
	apic_enter_x2apic();
	tap_ok(apic_x2apic_mode(), "x2APIC mode entered");
	all("x2APIC");
	return 0;
}
