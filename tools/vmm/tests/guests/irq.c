// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "irq": interrupts from the VMM's devices through the IOAPIC
 * (pc-testdev lines, edge and level; the UART's IRQ 4), the LAPIC timer,
 * and the VMM's state round trip on port 0xef with a timer running and
 * an interrupt pending. TAP on COM1.
 */
#include "lib.h"

#define VEC_EDGE	0x50
#define VEC_LEVEL	0x51
#define VEC_MASKED	0x52
#define VEC_SERIAL	0x54
#define VEC_TIMER	0x60
#define PIN_EDGE	10
#define PIN_LEVEL	11
#define PIN_MASKED	12
#define PIN_SERIAL	4

static uint32_t count[256];
static uint32_t serial_iir;
static bool level_lower_in_handler;

static void irq_line(unsigned int pin, int level)
{
	outb(0x2000 + pin, level);
}

static void count_isr(struct frame *f)
{
	INC_ONCE(count[f->vector]);
	lapic_eoi();
}

/*
 * The level line: the first time the handler leaves the line high, so
 * the IOAPIC must deliver again after the EOI; the second time it lowers
 * the line before the EOI.
 */
static void level_isr(struct frame *f)
{
	INC_ONCE(count[f->vector]);
	if (READ_ONCE(level_lower_in_handler))
		irq_line(PIN_LEVEL, 0);
	WRITE_ONCE(level_lower_in_handler, true);
	lapic_eoi();
}

static void masked_isr(struct frame *f)
{
	INC_ONCE(count[f->vector]);
	irq_line(PIN_MASKED, 0);
	lapic_eoi();
}

static void serial_isr(struct frame *f)
{
	INC_ONCE(count[f->vector]);
	WRITE_ONCE(serial_iir, inb(0x3fa));
	lapic_eoi();
}

/*
 * Let pending interrupts in: IF set across exits to the VMM (port 0xef
 * reads), each followed by an entry that delivers what is pending.
 */
static void window(void)
{
	int i;

	sti();
	for (i = 0; i < 4; i++)
		inb(0xef);
	cli();
}

static void test_edge(void)
{
	ioapic_redir(PIN_EDGE, VEC_EDGE, 0);
	irq_line(PIN_EDGE, 1);
	window();
	ok(READ_ONCE(count[VEC_EDGE]) == 1, "pc-testdev line %u, edge: one interrupt",
	   PIN_EDGE);
	irq_line(PIN_EDGE, 1);
	window();
	ok(READ_ONCE(count[VEC_EDGE]) == 1, "raising a line already high: no new edge");
	irq_line(PIN_EDGE, 0);
	irq_line(PIN_EDGE, 1);
	window();
	ok(READ_ONCE(count[VEC_EDGE]) == 2, "low then high again: a second interrupt");
	irq_line(PIN_EDGE, 0);
}

static void test_level(void)
{
	ioapic_redir(PIN_LEVEL, VEC_LEVEL | IOAPIC_LEVEL, 0);
	irq_line(PIN_LEVEL, 1);
	window();
	window();
	ok(READ_ONCE(count[VEC_LEVEL]) == 2,
	   "level line still high after the EOI is delivered again (%u)",
	   READ_ONCE(count[VEC_LEVEL]));
	ok(!(ioapic_redir_lo(PIN_LEVEL) & IOAPIC_RIRR),
	   "remote IRR clear after the line dropped and the EOI");
	window();
	ok(READ_ONCE(count[VEC_LEVEL]) == 2, "a low level line delivers nothing more");
}

static void test_masked(void)
{
	ioapic_redir(PIN_MASKED, VEC_MASKED | IOAPIC_LEVEL | IOAPIC_MASKED, 0);
	irq_line(PIN_MASKED, 1);
	window();
	ok(READ_ONCE(count[VEC_MASKED]) == 0, "a masked level line delivers nothing");
	ioapic_redir(PIN_MASKED, VEC_MASKED | IOAPIC_LEVEL, 0);
	window();
	ok(READ_ONCE(count[VEC_MASKED]) == 1, "unmasking it delivers the pending level");
}

/* Nothing is printed while the UART's interrupt is on: it would raise it. */
static void test_serial_irq(void)
{
	uint32_t first, iir_first, iir_after, second;

	ioapic_redir(PIN_SERIAL, VEC_SERIAL, 0);
	outb(0x3f9, 0x02);	/* IER: THR empty */
	window();
	first = READ_ONCE(count[VEC_SERIAL]);
	iir_first = READ_ONCE(serial_iir);
	iir_after = inb(0x3fa);
	outb(0x3f8, '#');
	outb(0x3f8, '\n');
	window();
	second = READ_ONCE(count[VEC_SERIAL]);
	outb(0x3f9, 0x00);
	window();
	ioapic_redir(PIN_SERIAL, VEC_SERIAL | IOAPIC_MASKED, 0);
	ok(first == 1 && (iir_first & 0x0f) == 0x02,
	   "UART: enabling the THRE interrupt raises IRQ 4 (IIR 0x%x)",
	   iir_first);
	ok((iir_after & 0x0f) == 0x01, "UART: reading IIR took it");
	ok(second == 2, "UART: a transmitted byte raises it again");
}

static void wait_ticks(uint32_t n)
{
	uint32_t until = READ_ONCE(count[VEC_TIMER]) + n;

	while (READ_ONCE(count[VEC_TIMER]) < until)
		sti_hlt();
	cli();
}

static void test_roundtrip(void)
{
	uint32_t svr, lvtt, tdcr, tmict, redir[3], i;
	bool same = true;

	lapic_write(LAPIC_TDCR, 0xb);
	lapic_write(LAPIC_LVTT, VEC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, 10000000);
	wait_ticks(3);
	ok(READ_ONCE(count[VEC_TIMER]) >= 3, "LAPIC periodic timer ticks");

	/* A pending timer interrupt held off by TPR, across the trip. */
	lapic_write(LAPIC_TPR, 0x70);
	sti();
	while (!(lapic_read(LAPIC_IRR + 0x30) & (1U << (VEC_TIMER - 0x60))))
		;
	cli();
	svr = lapic_read(LAPIC_SVR);
	lvtt = lapic_read(LAPIC_LVTT);
	tdcr = lapic_read(LAPIC_TDCR);
	tmict = lapic_read(LAPIC_TMICT);
	for (i = 0; i < 3; i++)
		redir[i] = ioapic_redir_lo(PIN_EDGE + i);
	outb(0xef, 1);
	ok(lapic_read(LAPIC_IRR + 0x30) & (1U << (VEC_TIMER - 0x60)),
	   "state round trip keeps a pending interrupt in IRR");
	ok(lapic_read(LAPIC_TPR) == 0x70, "state round trip keeps TPR");
	ok(lapic_read(LAPIC_SVR) == svr && lapic_read(LAPIC_LVTT) == lvtt &&
	   lapic_read(LAPIC_TDCR) == tdcr && lapic_read(LAPIC_TMICT) == tmict,
	   "state round trip keeps SVR, LVT timer, divide and initial count");
	for (i = 0; i < 3; i++)
		same &= ioapic_redir_lo(PIN_EDGE + i) == redir[i];
	ok(same, "state round trip keeps the IOAPIC redirection entries");
	lapic_write(LAPIC_TPR, 0);
	i = READ_ONCE(count[VEC_TIMER]);
	window();
	ok(READ_ONCE(count[VEC_TIMER]) > i, "the pending timer interrupt arrives after it");
	wait_ticks(3);
	ok(true, "the timer keeps ticking after the round trip");
	outb(0xef, 1);
	outb(0xef, 1);
	wait_ticks(3);
	ok(true, "and after two more");
	lapic_write(LAPIC_LVTT, LVT_MASKED);
	lapic_write(LAPIC_TMICT, 0);
}

int main(void)
{
	unsigned int v;

	printf("# vlapic-vmm test guest: irq\n");
	for (v = 0x50; v < 0x70; v++)
		set_isr(v, count_isr);
	set_isr(VEC_LEVEL, level_isr);
	set_isr(VEC_MASKED, masked_isr);
	set_isr(VEC_SERIAL, serial_isr);
	lapic_enable();
	test_edge();
	test_level();
	test_masked();
	test_serial_irq();
	test_roundtrip();
	return tap_done();
}
