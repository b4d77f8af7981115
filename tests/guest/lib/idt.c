// SPDX-License-Identifier: GPL-2.0
/* IDT setup, the common dispatcher and exception recovery. */
#include "apic.h"
#include "idt.h"
#include "smp.h"
#include "symbols.h"
#include "tap.h"

struct idt_gate {
	u16 off0;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off1;
	u32 off2;
	u32 zero;
} __packed;

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t handlers[256];

void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < 256; v++) {
		u64 a = (u64)isr_stubs + 16 * v;

		idt[v].off0 = a & 0xffff;
		idt[v].sel = SEL_CS64;
		idt[v].ist = 0;
		idt[v].type = 0x8e;
		idt[v].off1 = (a >> 16) & 0xffff;
		idt[v].off2 = a >> 32;
		idt[v].zero = 0;
	}
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed d = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lidt %0" : : "m"(d));
}

void set_handler(unsigned int vector, irq_handler_t h)
{
	WRITE_ONCE(handlers[vector], h);
}

void expect_exception(unsigned int len)
{
	this_cpu()->exc_skip = len;
}

int take_exception(void)
{
	struct cpu *c = this_cpu();
	int v = c->exc_vector;

	c->exc_vector = 0;
	c->exc_skip = 0;
	return v;
}

static bool recover(struct cpu *c, struct frame *f)
{
	struct ex_entry *e;

	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->from == f->rip) {
			f->rip = e->to;
			return true;
		}
	}
	if (c->exc_skip) {
		f->rip += c->exc_skip;
		c->exc_skip = 0;
		return true;
	}
	return false;
}

void idt_dispatch(struct frame *f)
{
	struct cpu *c = this_cpu();
	unsigned int v = f->vector;
	irq_handler_t h = READ_ONCE(handlers[v]);

	if (v < 32 && v != NMI_VECTOR) {
		if (recover(c, f)) {
			c->exc_vector = v;
			c->exc_error = f->error;
			return;
		}
		if (h) {
			h(f);
			return;
		}
		tap_bail("CPU %u: exception %u, error 0x%llx, at rip 0x%llx",
			 c->idx, v, (unsigned long long)f->error,
			 (unsigned long long)f->rip);
	}
	if (v == NMI_VECTOR)
		c->nmi_count++;
	else
		c->irq_count[v]++;
	if (c->nlog < IRQ_LOG_SIZE)
		c->log[c->nlog++] = v;
	if (h)
		h(f);
	else if (v != NMI_VECTOR && v != SPURIOUS_VECTOR)
		apic_eoi();
}
