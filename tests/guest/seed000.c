// SPDX-License-Identifier: GPL-2.0
/*
 * seed 000, reboot and restore with the timer running.
 *
 * Reboot: with a periodic timer (first boot) or an armed TSC-deadline
 * timer (second boot) running, one vector in service and others pending,
 * the guest resets the machine through port 0xcf9. After each reboot the
 * xAPIC must be in its reset state (nothing in service or pending, timer
 * LVT masked and stopped, TPR 0), the timer must tick again (its interrupt the
 * first one delivered) and every AP must start again. The boot count and
 * the TAP numbering survive in RAM at REBOOT_BLOCK (2 MiB, outside the
 * image).
 *
 * Restore: port 0xef (the VMM's test port) saves the whole VM and restores
 * it in place; with the timer running and vectors in service and pending,
 * every register reads the same after it, the timer keeps ticking and the
 * pending vectors are delivered. Without port 0xef (it reads 0xff) those
 * cases are skipped.
 */
#include "guest.h"

#define RB_MAGIC	0x30444553	/* "SED0" */
/*
 * The periodic count: 2 ms at the 1 GHz bus clock of both backends. The
 * scenario needs a timer running, not a fast one; at the 200 us floor
 * the test VM's debug kernel under TCG spent most of a CPU in the
 * hrtimer interrupt (a soft lockup on the KVM run, once).
 */
#define TIMER_COUNT	2000000
#define VEC_TIMER	0xd1
#define VEC_INSVC	0x71
#define VEC_PEND	0x63
#define VEC_LOW		0x45
#define TEST_PORT	0xef
#define RESET_PORT	0xcf9

struct reboot_block {
	u32 magic;
	u32 boots;
	u32 tests;
	u32 failures;
};

static struct reboot_block *rb = (struct reboot_block *)REBOOT_BLOCK;

static void no_eoi(struct frame *f)
{
	(void)f;
}

static unsigned int count(unsigned int vec)
{
	return READ_ONCE(cpus[0].irq_count[vec]);
}

/* Puts VEC_INSVC in service and leaves VEC_PEND, VEC_LOW pending. */
/* The @n-th vector CPU 0 took since its log was cleared, skipping @skip. */
static int log_without(u8 skip, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < cpus[0].nlog; i++) {
		if (cpus[0].log[i] == skip)
			continue;
		if (!n--)
			return cpus[0].log[i];
	}
	return -1;
}

static void make_stale(void)
{
	set_handler(VEC_INSVC, no_eoi);
	apic_send_ipi(0, APIC_SH_SELF | VEC_INSVC);
	sti_nop_cli();
	apic_send_ipi(0, APIC_SH_SELF | VEC_PEND);
	apic_send_ipi(0, APIC_SH_SELF | VEC_LOW);
}

static void __noreturn reboot(void)
{
	rb->tests = tap_tests();
	rb->failures = tap_failures();
	rb->boots++;
	/* The block is in memory before the reset. */
	smp_mb();
	port_out8(0x06, RESET_PORT);
	quiet_wait();
	tap_ok(false, "the machine reset through port 0xcf9");
	tap_done();
}

static void before_first_reboot(void)
{
	int n = smp_ncpus();

	tap_diag("seed000: first boot, %d CPUs", n);
	if (n > 1)
		tap_eq(smp_init(), n, "every AP is online before the reboot");
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	sti();
	wait_for(count(VEC_TIMER) >= 2);
	cli();
	tap_ok(count(VEC_TIMER) >= 2, "periodic timer ticks before the reboot");
	make_stale();
	tap_ok(apic_isr(VEC_INSVC), "0x%02x in service before the reboot",
	       VEC_INSVC);
	tap_ok(apic_irr(VEC_PEND) && apic_irr(VEC_LOW),
	       "0x%02x and 0x%02x pending before the reboot", VEC_PEND, VEC_LOW);
	reboot();
}

static void after_reboot(unsigned int boot)
{
	struct cpu *c = &cpus[0];
	int n = smp_ncpus();

	tap_eq(rb->boots, boot, "reboot %u: the counter in RAM survived", boot);
	tap_eq(c->boot_isr, -1, "reboot %u: ISR empty at entry", boot);
	tap_eq(c->boot_irr, -1, "reboot %u: IRR empty at entry", boot);
	/* Firmware (SeaBIOS on QEMU) may have enabled the APIC: no check. */
	tap_diag("reboot %u: SVR 0x%x at entry", boot, c->boot_svr);
	tap_eq(c->boot_tpr, 0, "reboot %u: TPR 0 at entry", boot);
	tap_eq(c->boot_lvtt, APIC_LVT_MASKED,
	       "reboot %u: timer LVT masked at entry", boot);
	tap_eq(c->boot_tmict, 0, "reboot %u: TMICT 0 at entry", boot);
	if (cpu_has_tsc_deadline())
		tap_eq(rdmsr(MSR_TSC_DEADLINE), 0,
		       "reboot %u: IA32_TSC_DEADLINE 0", boot);
	else
		tap_skip("no TSC-deadline timer (CPUID.1:ECX[24] = 0)",
			 "reboot %u: IA32_TSC_DEADLINE 0", boot);
	cpu_clear_log(0);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	sti();
	wait_for(count(VEC_TIMER) >= 2);
	cli();
	apic_write(APIC_TMICT, 0);
	tap_ok(count(VEC_TIMER) >= 2, "reboot %u: the timer ticks", boot);
	tap_ok(c->nlog >= 1 && c->log[0] == VEC_TIMER,
	       "reboot %u: the first interrupt is the timer's", boot);
	tap_eq(apic_highest_isr(), -1, "reboot %u: nothing stale in service",
	       boot);
	if (n > 1)
		tap_eq(smp_init(), n, "reboot %u: every AP starts again", boot);
}

static void before_second_reboot(void)
{
	if (cpu_has_tsc_deadline()) {
		apic_write(APIC_LVTT, APIC_TIMER_DEADLINE | VEC_TIMER);
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + (QUIET_TSC << 6));
		tap_ok(rdmsr(MSR_TSC_DEADLINE) != 0,
		       "TSC-deadline timer armed before the reboot");
	} else {
		apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | VEC_TIMER);
		apic_write(APIC_TMICT, 0xffffffff);
		tap_skip("no TSC-deadline timer (CPUID.1:ECX[24] = 0)",
			 "TSC-deadline timer armed before the reboot");
	}
	make_stale();
	reboot();
}

static u32 regs_sum(void)
{
	static const u32 regs[] = { APIC_TPR, APIC_LDR, APIC_DFR, APIC_SVR,
		APIC_LVTT, APIC_LVT0, APIC_LVT1, APIC_LVTERR, APIC_TMICT,
		APIC_TDCR, APIC_ISR + 0x30, APIC_IRR + 0x30, APIC_IRR + 0x20 };
	u32 sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs); i++)
		sum = sum * 31 + apic_read(regs[i]);
	return sum;
}

static void restore_periodic(void)
{
	unsigned int n;
	u32 before;

	cpu_clear_log(0);
	apic_write(APIC_LDR, 0x04000000);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	sti();
	wait_for(count(VEC_TIMER) >= 2);
	cli();
	make_stale();
	before = regs_sum();
	n = count(VEC_TIMER);
	port_out8(1, TEST_PORT);
	tap_eq(regs_sum(), before,
	       "restore: TPR, LDR, DFR, SVR, LVTs, TMICT, TDCR, ISR, IRR unchanged");
	tap_ok(apic_isr(VEC_INSVC), "restore: 0x%02x still in service",
	       VEC_INSVC);
	tap_ok(apic_irr(VEC_PEND) && apic_irr(VEC_LOW),
	       "restore: 0x%02x and 0x%02x still pending", VEC_PEND, VEC_LOW);
	sti();
	wait_for(count(VEC_TIMER) >= n + 2);
	cli();
	tap_ok(count(VEC_TIMER) >= n + 2, "restore: the periodic timer keeps ticking");
	apic_write(APIC_TMICT, 0);
	cpu_clear_log(0);
	apic_eoi();
	sti();
	wait_for(count(VEC_LOW));
	cli();
	/* A tick that fired before TMICT = 0 may come first: class 0xd. */
	tap_ok(log_without(VEC_TIMER, 0) == VEC_PEND &&
	       log_without(VEC_TIMER, 1) == VEC_LOW,
	       "restore: after the EOI, 0x%02x then 0x%02x delivered",
	       VEC_PEND, VEC_LOW);
	apic_write(APIC_LDR, 0);
}

static void restore_deadline(void)
{
	u64 d;

	if (!cpu_has_tsc_deadline()) {
		tap_skip("no TSC-deadline timer (CPUID.1:ECX[24] = 0)",
			 "restore: TSC-deadline timer");
		return;
	}
	cpu_clear_log(0);
	apic_write(APIC_LVTT, APIC_TIMER_DEADLINE | VEC_TIMER);
	d = rdtsc() + (QUIET_TSC << 2);
	wrmsr(MSR_TSC_DEADLINE, d);
	port_out8(1, TEST_PORT);
	tap_eq(rdmsr(MSR_TSC_DEADLINE), d, "restore: deadline still armed");
	sti();
	wait_for(count(VEC_TIMER));
	cli();
	tap_ok(rdtsc() >= d && count(VEC_TIMER) == 1,
	       "restore: the deadline fires once, not before it");
	tap_eq(rdmsr(MSR_TSC_DEADLINE), 0, "restore: MSR 0 after firing");
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
}

int main(void)
{
	if (rb->magic != RB_MAGIC || rb->boots > 2) {
		rb->magic = RB_MAGIC;
		rb->boots = 0;
		before_first_reboot();
	}
	tap_resume(rb->tests, rb->failures);
	after_reboot(rb->boots);
	if (rb->boots == 1)
		before_second_reboot();
	rb->magic = 0;
	if (port_in8(TEST_PORT) != 0x56) {
		tap_skip("no VMM test port 0xef (reads 0xff)",
			 "restore in place with the periodic timer");
		tap_skip("no VMM test port 0xef (reads 0xff)",
			 "restore in place with the TSC-deadline timer");
		return 0;
	}
	restore_periodic();
	restore_deadline();
	return 0;
}
