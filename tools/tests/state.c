// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: save and restore mid-flight (a migration). A vCPU with a
 * running periodic timer, a vector in service, vectors held pending by the
 * TPR, a pending NMI and programmed LVTs is saved, restored into a vCPU of
 * another VM, and resumed there: the register state reads back identical
 * and every pending interrupt arrives exactly once. The IOAPIC goes along
 * with a level line held high and its remote IRR set.
 */
#include <string.h>

#include "e2e.h"

#define VEC_TIMER	0x30

/*
 * The periodic timer expired between the two saves: @b has the timer
 * vector requested where @a has not, and its count was reloaded (on a
 * slow, shared host a few milliseconds can pass between the calls).
 */
static bool timer_fired_between(const struct vlapic_lapic_state *a,
				const struct vlapic_lapic_state *b)
{
	return !vlapic_state_vec(a, LAPIC_IRR, VEC_TIMER) &&
	       vlapic_state_vec(b, LAPIC_IRR, VEC_TIMER) &&
	       vlapic_state_reg(b, LAPIC_TMCCT) > vlapic_state_reg(a, LAPIC_TMCCT);
}

/*
 * Compare two saved states, TMCCT excepted (it counts down), and the
 * timer vector's IRR bit if the timer provably fired in between.
 */
static bool same_state(const struct vlapic_lapic_state *a,
		       const struct vlapic_lapic_state *b, const char *what)
{
	unsigned int irr_timer = LAPIC_IRR + (VEC_TIMER / 32) * 16;
	bool fired = timer_fired_between(a, b);
	unsigned int off;
	bool ok = true;

	if (fired)
		tap_diag("%s: the timer fired between the saves", what);
	for (off = 0; off < sizeof(a->regs); off += 4) {
		uint32_t mask = ~0U;

		if (off == LAPIC_TMCCT)
			continue;
		if (fired && off == irr_timer)
			mask = ~(1U << (VEC_TIMER % 32));
		if ((vlapic_state_reg(a, off) & mask) !=
		    (vlapic_state_reg(b, off) & mask)) {
			tap_diag("%s: register %#x: %#x vs %#x", what, off,
				 vlapic_state_reg(a, off),
				 vlapic_state_reg(b, off));
			ok = false;
		}
	}
	if (a->apic_base != b->apic_base || a->tsc_deadline != b->tsc_deadline ||
	    a->esr_pending != b->esr_pending ||
	    a->pending_events != b->pending_events ||
	    a->sipi_vector != b->sipi_vector || a->mp_state != b->mp_state ||
	    a->lint_levels != b->lint_levels || a->flags || b->flags ||
	    a->pad || b->pad) {
		tap_diag("%s: extended state differs", what);
		ok = false;
	}
	return ok;
}

int main(void)
{
	struct vlapic_ioapic_snapshot io0, io1;
	struct vlapic_lapic_state s0, s1, s2, d;
	struct e2e_vm src, dst;
	struct gcpu *a, *b, *t;
	uint32_t ccr, got[4];
	unsigned int n;
	int ret;

	tap_init("state", 120);
	e2e_vm_create(&src, 2, 0, NULL);
	e2e_vm_create(&dst, 2, 0, NULL);
	a = &src.cpu[0];
	b = &src.cpu[1];
	t = &dst.cpu[1];

	/* Mid-flight: timer running, 0xb1 in service, 0x41, 0x92 held by TPR. */
	reg_write(b, LAPIC_LDR, 0x02000000);
	reg_write(b, LAPIC_LVT0, 0x700);		/* ExtINT */
	reg_write(b, LAPIC_LVTERR, LAPIC_LVT_MASKED | 0xfe);
	reg_write(b, LAPIC_TDCR, LAPIC_TDCR_DIV1);
	reg_write(b, LAPIC_LVTT, LAPIC_TIMER_PERIODIC | VEC_TIMER);
	reg_write(b, LAPIC_TMICT, 20 * MS);
	ipi(a, 1, LAPIC_DM_FIXED | 0xb1);
	{
		struct vlapic_interrupt in;

		vlapic_get_interrupt(b->fd, VLAPIC_INTR_IF, &in);
		tap_ok(in.type == VLAPIC_INTR_VECTOR && in.vector == 0xb1,
		       "source: 0xb1 taken and left in service");
	}
	reg_write(b, LAPIC_TPR, 0xa0);
	ipi(a, 1, LAPIC_DM_FIXED | 0x41);
	ipi(a, 1, LAPIC_DM_FIXED | 0x92);
	ipi(a, 1, LAPIC_DM_NMI);
	/* A level line held by a device: IOAPIC pin 7 -> vector 0x77. */
	{
		struct vlapic_ioapic_snapshot io;

		vlapic_get_ioapic(src.vm, &io);
		io.redir[7] = (1ULL << 56) | LAPIC_LVT_LEVEL | 0x77;
		if (vlapic_set_ioapic(src.vm, &io) ||
		    vlapic_irq_line(src.vm, 7, 1))
			tap_bail("source IOAPIC set-up");
	}
	/* An illegal register access leaves ESR bit 7 pending (not latched). */
	{
		uint32_t junk;

		vlapic_mmio_read(b->fd, 0x2a0, &junk);
	}

	ret = vlapic_get_lapic(b->fd, &s0);
	tap_eq(ret, 0, "source: GET_LAPIC");
	ccr = vlapic_state_reg(&s0, LAPIC_TMCCT);
	tap_range(ccr, 1, 20 * MS, "source: the timer is counting");
	tap_ok(vlapic_state_vec(&s0, LAPIC_ISR, 0xb1) &&
	       vlapic_state_vec(&s0, LAPIC_IRR, 0x41) &&
	       vlapic_state_vec(&s0, LAPIC_IRR, 0x92),
	       "source: 0xb1 in service, 0x41 and 0x92 pending");
	tap_eq(s0.pending_events & VLAPIC_EVENT_NMI, VLAPIC_EVENT_NMI,
	       "source: NMI pending");
	tap_eq(s0.esr_pending, 0x80, "source: ESR illegal register pending");
	tap_eq(vlapic_state_reg(&s0, LAPIC_PPR), 0xb0,
	       "source: PPR 0xb0 (ISR above TPR)");

	/* Round trip on the same vCPU changes nothing. */
	ret = vlapic_set_lapic(b->fd, &s0);
	tap_eq(ret, 0, "source: SET_LAPIC of its own state");
	vlapic_get_lapic(b->fd, &s1);
	tap_ok(same_state(&s0, &s1, "round trip"),
	       "source: GET after SET reads the same state");
	tap_range(vlapic_state_reg(&s1, LAPIC_TMCCT), 1, 20 * MS,
		  "source: the timer keeps counting after the round trip");

	/* Migrate: pause (no guest thread runs), save, restore elsewhere. */
	vlapic_get_lapic(b->fd, &s1);
	vlapic_get_ioapic(src.vm, &io0);
	tap_ok((io0.redir[7] & LAPIC_LVT_REMOTE_IRR) && (io0.input_high & BIT(7)),
	       "source IOAPIC: pin 7 asserted, remote IRR set");
	ret = vlapic_set_ioapic(dst.vm, &io0);
	tap_eq(ret, 0, "destination: SET_IOAPIC of the migrated IOAPIC");
	vlapic_get_ioapic(dst.vm, &io1);
	tap_ok(!memcmp(&io0, &io1, sizeof(io0)),
	       "destination: reads back the migrated IOAPIC");
	ret = vlapic_set_lapic(t->fd, &s1);
	tap_eq(ret, 0, "destination: SET_LAPIC of the migrated state");
	vlapic_get_lapic(t->fd, &s2);
	tap_ok(same_state(&s1, &s2, "migration"),
	       "destination: reads back the migrated state");
	/* The source is gone. */
	e2e_vm_destroy(&src);

	/* Resume: the handler of 0xb1 finishes, then lowers the TPR. */
	vlapic_get_lapic(t->fd, &d);
	tap_eq(d.pending_events & VLAPIC_EVENT_NMI, VLAPIC_EVENT_NMI,
	       "destination: NMI still pending");
	{
		struct vlapic_interrupt in;

		vlapic_get_interrupt(t->fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_NMI, "destination: NMI taken first");
		vlapic_get_interrupt(t->fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_NONE,
		       "destination: nothing deliverable at PPR 0xb0");
	}
	reg_write(t, LAPIC_EOI, 0);	/* 0xb1 */
	tap_eq(reg_read(t, LAPIC_PPR), 0xa0, "destination: PPR = TPR 0xa0");
	reg_write(t, LAPIC_ESR, 0);
	tap_eq(reg_read(t, LAPIC_ESR), 0x80,
	       "destination: migrated ESR error latches on write");
	/*
	 * Lower the TPR: 0x92, then 0x77 (EOIed with the line still up: at
	 * once again), 0x77 (the device lowers the line first), then 0x41.
	 */
	reg_write(t, LAPIC_TPR, 0);
	for (n = 0; n < 4; n++) {
		struct vlapic_interrupt in;

		vlapic_get_interrupt(t->fd, VLAPIC_INTR_IF, &in);
		got[n] = in.type == VLAPIC_INTR_VECTOR ? in.vector : 0;
		if (n == 2)
			vlapic_irq_line(dst.vm, 7, 0);
		reg_write(t, LAPIC_EOI, 0);
	}
	tap_ok(got[0] == 0x92 && got[1] == 0x77 && got[2] == 0x77 &&
	       got[3] == 0x41,
	       "destination: 0x92, 0x77, 0x77 (line still up), 0x41 (got %#x %#x %#x %#x)",
	       got[0], got[1], got[2], got[3]);
	{
		struct vlapic_vm_stats st;

		memset(&st, 0, sizeof(st));
		vlapic_get_vm_stats(dst.vm, &st);
		tap_eq(st.v[VLAPIC_VM_STAT_EOI_BROADCASTS], 2,
		       "destination: both EOIs of 0x77 reached its IOAPIC");
		tap_eq(st.v[VLAPIC_VM_STAT_IOAPIC_DELIVERED], 1,
		       "destination: its IOAPIC re-delivered once");
	}
	vlapic_get_ioapic(dst.vm, &io1);
	tap_ok(!(io1.redir[7] & LAPIC_LVT_REMOTE_IRR) && !(io1.input_high & BIT(7)),
	       "destination IOAPIC: line low, remote IRR clear");
	tap_ok(!irr_test(t, 0x92) && !irr_test(t, 0x41) && !isr_test(t, 0xb1),
	       "destination: nothing left of the migrated vectors");
	gcpu_start(t);
	tap_ok(WAIT_FOR(gcpu_count(t, VEC_TIMER) >= 3, 3000),
	       "destination: the periodic timer keeps ticking");
	tap_eq(gcpu_total(t), gcpu_count(t, VEC_TIMER),
	       "destination: nothing else arrives");
	tap_eq(t->nmi, 0, "destination: the NMI is not delivered twice");
	e2e_vm_destroy(&dst);
	return tap_end();
}
