// SPDX-License-Identifier: GPL-2.0
/*
 * seed 001, a level-triggered IOAPIC line storm: the line (pc-testdev)
 * stays high while the handler EOIs. First the handler lowers it after K
 * interrupts (remote IRR per the datasheet, exactly K interrupts, none
 * after); then, as in seed 001, only the foreground loop lowers it: the main
 * loop must still make progress while the storm runs. Also masked and
 * edge-triggered pins.
 */
#include "guest.h"

#define PIN		10
#define VEC		0x71
#define K		50
#define PROGRESS	1000

static unsigned int taken, rirr_bad, lower_at;
static int use_ioapic_eoi;
static u64 iterations;
static u64 snap_first, snap_last;

static void handler(struct frame *f)
{
	(void)f;
	taken++;
	if (taken == 1)
		snap_first = READ_ONCE(iterations);
	snap_last = READ_ONCE(iterations);
	if (!(ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR))
		rirr_bad++;
	if (lower_at && taken >= lower_at)
		set_irq_line(PIN, 0);
	apic_eoi();
	if (use_ioapic_eoi)
		ioapic_eoi(VEC);
}

static void route(u32 flags)
{
	ioapic_redir_write(PIN, (0ULL << 56) | flags | VEC);
}

static void reset(void)
{
	set_irq_line(PIN, 0);
	route(IOAPIC_MASKED | IOAPIC_LEVEL);
	WRITE_ONCE(taken, 0);
	rirr_bad = 0;
	WRITE_ONCE(iterations, 0);
}

static void storm_lowered_by_handler(const char *what)
{
	reset();
	lower_at = K;
	route(IOAPIC_LEVEL);
	sti();
	set_irq_line(PIN, 1);
	wait_for(READ_ONCE(taken) >= K);
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(taken), K, "%s: exactly %d interrupts, the last one lowers the line",
	       what, K);
	tap_eq(rirr_bad, 0, "%s: remote IRR set in every handler", what);
	tap_eq(ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR, 0,
	       "%s: remote IRR clear after the last EOI", what);
	tap_diag("%s: foreground loop iterations during the storm: %llu", what,
		 (unsigned long long)(snap_last - snap_first));
}

static void storm_lowered_by_main_loop(const char *what)
{
	u64 start = 0;
	bool lowered = false;
	u64 t0;

	reset();
	lower_at = 0;
	route(IOAPIC_LEVEL);
	sti();
	set_irq_line(PIN, 1);
	t0 = rdtsc();
	while (rdtsc() - t0 < TIMEOUT_TSC) {
		u64 it = READ_ONCE(iterations) + 1;

		WRITE_ONCE(iterations, it);
		if (!start && READ_ONCE(taken))
			start = it;
		if (start && it - start >= PROGRESS) {
			set_irq_line(PIN, 0);
			lowered = true;
			break;
		}
	}
	quiet_wait();
	cli();
	tap_ok(lowered, "%s: the loop ran %d iterations in the storm, lowered the line",
	       what, PROGRESS);
	tap_diag("%s: %u interrupts before the line dropped", what,
		 READ_ONCE(taken));
	{
		unsigned int n = READ_ONCE(taken);

		quiet_wait();
		tap_eq(READ_ONCE(taken), n, "%s: no interrupt after the line dropped",
		       what);
	}
	/*
	 * With both EOIs the second may clear remote IRR of a re-delivery
	 * still in the LAPIC's IRR: remote IRR is checked with one EOI only.
	 */
	if (!use_ioapic_eoi)
		tap_eq(rirr_bad, 0, "%s: remote IRR set in every handler",
		       what);
	tap_eq(ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR, 0,
	       "%s: remote IRR clear at the end", what);
}

static void masked_and_edge(void)
{
	reset();
	lower_at = 1;
	set_irq_line(PIN, 1);
	sti();
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(taken), 0, "masked level pin, line high: no interrupt");
	tap_eq(ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR, 0,
	       "masked level pin: remote IRR clear");
	route(IOAPIC_LEVEL);
	sti();
	wait_for(READ_ONCE(taken));
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(taken), 1, "unmasking with the line high delivers once");

	reset();
	lower_at = 0;
	route(0);
	sti();
	set_irq_line(PIN, 1);
	wait_for(READ_ONCE(taken));
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(taken), 1, "edge pin: a rising edge delivers once");
	tap_eq(ioapic_redir_read(PIN) & IOAPIC_REMOTE_IRR, 0,
	       "edge pin: remote IRR stays clear");
	set_irq_line(PIN, 0);
	set_irq_line(PIN, 1);
	sti();
	wait_for(READ_ONCE(taken) >= 2);
	quiet_wait();
	cli();
	tap_eq(READ_ONCE(taken), 2, "edge pin: the next rising edge delivers once more");
	/* The edge handler counts remote IRR as wrong; that is expected. */
	set_irq_line(PIN, 0);
	route(IOAPIC_MASKED);
}

int main(void)
{
	unsigned int ver = ioapic_version();

	tap_diag("IOAPIC version 0x%02x, %u pins", ver, ioapic_pins());
	tap_ok(ver == 0x11 || ver == 0x20, "IOAPIC version 0x11 or 0x20");
	tap_ok(ioapic_pins() >= 24, "IOAPIC has at least 24 pins");
	set_handler(VEC, handler);

	use_ioapic_eoi = 0;
	storm_lowered_by_handler("LAPIC EOI");
	if (ver >= 0x20) {
		use_ioapic_eoi = 1;
		storm_lowered_by_handler("LAPIC and IOAPIC EOI");
	} else {
		tap_skip("IOAPIC version 0x11 has no EOI register",
			 "storm with the IOAPIC EOI register");
	}
	use_ioapic_eoi = 0;
	storm_lowered_by_main_loop("LAPIC EOI, foreground loop lowers");
	if (ver >= 0x20) {
		use_ioapic_eoi = 1;
		storm_lowered_by_main_loop("LAPIC and IOAPIC EOI, foreground loop lowers");
	} else {
		tap_skip("IOAPIC version 0x11 has no EOI register",
			 "foreground loop lowers, IOAPIC EOI register");
	}
	use_ioapic_eoi = 0;
	masked_and_edge();
	return 0;
}
