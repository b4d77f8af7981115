// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: LINT0/LINT1 driven by the VMM (SET_LINT) through the LVT
 * entries (NMI, ExtINT, fixed level with remote IRR, masked, active low),
 * and GET_INTERRUPT's interruptibility flags (RFLAGS.IF, NMI blocking).
 */
#include <string.h>

#include "e2e.h"

#define LVT_NMI		0x400
#define LVT_EXTINT	0x700
#define LVT_ACTIVE_LOW	BIT(13)

static uint32_t next(struct gcpu *g, uint32_t flags, uint32_t *vector)
{
	struct vlapic_interrupt in;

	if (vlapic_get_interrupt(g->fd, flags, &in))
		tap_bail("GET_INTERRUPT");
	if (vector)
		*vector = in.vector;
	return in.type;
}

static void lint(struct gcpu *g, uint32_t pin, uint32_t level)
{
	if (vlapic_set_lint(g->fd, pin, level))
		tap_bail("SET_LINT %u %u", pin, level);
}

int main(void)
{
	struct vlapic_lapic_state s;
	struct e2e_vm v;
	struct gcpu *g;
	uint32_t vec;

	tap_init("lint", 60);
	e2e_vm_create(&v, 1, 0, NULL);
	g = &v.cpu[0];

	/* LINT1 as NMI: edge on the rising level. */
	reg_write(g, LAPIC_LVT1, LVT_NMI);
	lint(g, 1, 1);
	tap_eq(next(g, VLAPIC_INTR_IF | VLAPIC_INTR_NMI_BLOCKED, NULL),
	       VLAPIC_INTR_NONE, "LINT1 NMI: held while NMIs are blocked");
	tap_eq(next(g, 0, NULL), VLAPIC_INTR_NMI,
	       "LINT1 NMI: taken once unblocked, even with IF clear");
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NONE,
	       "LINT1 NMI: taken once");
	lint(g, 1, 1);
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NONE,
	       "LINT1 NMI: no new edge while the level stays high");
	lint(g, 1, 0);
	lint(g, 1, 1);
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NMI,
	       "LINT1 NMI: low then high is a new NMI");
	lint(g, 1, 0);
	tap_eq(vcpu_stat(g, VLAPIC_VCPU_STAT_NMI), 2, "LINT1 NMI: 2 counted");

	/* Active low: the logical level is the inverse of the input. */
	reg_write(g, LAPIC_LVT1, LVT_NMI | LVT_ACTIVE_LOW);
	lint(g, 1, 1);
	lint(g, 1, 0);
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NMI,
	       "LINT1 NMI active low: a falling input raises it");
	lint(g, 1, 1);

	/* LINT0 as ExtINT: needs IF. */
	reg_write(g, LAPIC_LVT0, LVT_EXTINT);
	lint(g, 0, 1);
	tap_eq(next(g, 0, NULL), VLAPIC_INTR_NONE, "LINT0 ExtINT: held with IF clear");
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_EXTINT,
	       "LINT0 ExtINT: taken with IF set");
	lint(g, 0, 0);

	/* LINT0 fixed, level: remote IRR until EOI. */
	reg_write(g, LAPIC_LVT0, LAPIC_LVT_LEVEL | 0x58);
	lint(g, 0, 1);
	tap_eq(reg_read(g, LAPIC_LVT0) & LAPIC_LVT_REMOTE_IRR,
	       LAPIC_LVT_REMOTE_IRR, "LINT0 level: remote IRR set on delivery");
	tap_eq(next(g, 0, NULL), VLAPIC_INTR_NONE,
	       "LINT0 level: vector held with IF clear");
	tap_ok(next(g, VLAPIC_INTR_IF, &vec) == VLAPIC_INTR_VECTOR &&
	       vec == 0x58, "LINT0 level: vector 0x58 taken with IF set");
	tap_ok(vlapic_state_vec((vlapic_get_lapic(g->fd, &s), &s), LAPIC_TMR,
				0x58), "LINT0 level: accepted level-triggered (TMR)");
	lint(g, 0, 1);
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NONE,
	       "LINT0 level: no second delivery while remote IRR is set");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(reg_read(g, LAPIC_LVT0) & LAPIC_LVT_REMOTE_IRR,
	       LAPIC_LVT_REMOTE_IRR,
	       "LINT0 level: EOI with the line high: remote IRR set again");
	tap_ok(next(g, VLAPIC_INTR_IF, &vec) == VLAPIC_INTR_VECTOR &&
	       vec == 0x58, "LINT0 level: still high at the EOI: delivered again");
	lint(g, 0, 0);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(reg_read(g, LAPIC_LVT0) & LAPIC_LVT_REMOTE_IRR, 0,
	       "LINT0 level: EOI with the line low clears remote IRR");
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NONE,
	       "LINT0 level: low at the EOI: not delivered again");

	/* Masked: the level is tracked, nothing is delivered. */
	reg_write(g, LAPIC_LVT0, LAPIC_LVT_MASKED | 0x59);
	lint(g, 0, 1);
	tap_eq(next(g, VLAPIC_INTR_IF, NULL), VLAPIC_INTR_NONE,
	       "LINT0 masked: nothing delivered");
	vlapic_get_lapic(g->fd, &s);
	tap_eq(s.lint_levels & 1, 1, "LINT0 level kept in the state (high)");
	tap_eq(vcpu_stat(g, VLAPIC_VCPU_STAT_EXTINT), 1, "ExtINT: 1 counted");
	e2e_vm_destroy(&v);
	return tap_end();
}
