// SPDX-License-Identifier: GPL-2.0
/*
 * x2APIC (CPUID.1:ECX[21]): enabling through IA32_APIC_BASE, MSR access to
 * every register, #GP on reserved and write-only/read-only misuse and on
 * reserved bits, SELF IPI (ICR untouched), the 64-bit ICR, the LDR derived
 * from the ID, and the mode transitions (x2APIC -> disabled -> xAPIC;
 * x2APIC -> xAPIC directly, disabled -> x2APIC and EN=0 EXTD=1 give #GP).
 */
#include "guest.h"

#define VEC_SELF	0x45
#define VEC_ICR		0x46

static int rd_gp(u32 reg)
{
	u64 v;

	return rdmsr_safe(X2APIC_MSR(reg), &v);
}

static int wr_gp(u32 reg, u64 v)
{
	return wrmsr_safe(X2APIC_MSR(reg), v);
}

static void test_registers(u32 lvr)
{
	static const u32 readable[] = { APIC_ID, APIC_LVR, APIC_TPR, APIC_PPR,
		APIC_LDR, APIC_SVR, APIC_ISR, APIC_ISR + 0x70, APIC_TMR,
		APIC_TMR + 0x70, APIC_IRR, APIC_IRR + 0x70, APIC_ESR, APIC_ICR,
		APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1,
		APIC_LVTERR, APIC_TMICT, APIC_TMCCT, APIC_TDCR };
	static const u32 reserved[] = { 0x000, 0x010, 0x040, 0x050, 0x060,
		0x070, APIC_APR, APIC_RRR, APIC_DFR, APIC_ICR2, 0x3a0, 0x3b0,
		0x3c0, 0x3d0, 0x3f0 + 0x10 };
	static const u32 readonly[] = { APIC_ID, APIC_LVR, APIC_PPR, APIC_LDR,
		APIC_ISR, APIC_TMR, APIC_IRR, APIC_TMCCT };
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(readable); i++) {
		if (rd_gp(readable[i])) {
			bad++;
			tap_diag("MSR 0x%x: #GP on read", X2APIC_MSR(readable[i]));
		}
	}
	tap_eq(bad, 0, "every x2APIC register reads without #GP");
	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		tap_eq(rd_gp(reserved[i]), GP_VECTOR,
		       "RDMSR 0x%x (reserved) gives #GP", X2APIC_MSR(reserved[i]));
	tap_eq(rd_gp(APIC_EOI), GP_VECTOR, "RDMSR 0x80b (EOI, write-only): #GP");
	tap_eq(rd_gp(APIC_SELF_IPI), GP_VECTOR,
	       "RDMSR 0x83f (SELF IPI, write-only): #GP");
	for (i = 0; i < ARRAY_SIZE(readonly); i++)
		tap_eq(wr_gp(readonly[i], 0), GP_VECTOR,
		       "WRMSR 0x%x (read-only) gives #GP",
		       X2APIC_MSR(readonly[i]));
	tap_eq(wr_gp(APIC_EOI, 1), GP_VECTOR, "WRMSR EOI with a non-zero value: #GP");
	tap_eq(wr_gp(APIC_ESR, 1), GP_VECTOR, "WRMSR ESR with a non-zero value: #GP");
	tap_eq(wr_gp(APIC_TPR, 0x100), GP_VECTOR, "WRMSR TPR bit 8: #GP");
	tap_eq(wr_gp(APIC_TPR, 1ULL << 32), GP_VECTOR, "WRMSR TPR bit 32: #GP");
	tap_eq(wr_gp(APIC_SVR, 1ULL << 16), GP_VECTOR, "WRMSR SVR bit 16: #GP");
	tap_eq(wr_gp(APIC_LVTT, APIC_LVT_MASKED | BIT(20)), GP_VECTOR,
	       "WRMSR LVT timer bit 20: #GP");
	tap_eq(wr_gp(APIC_SELF_IPI, 0x100), GP_VECTOR,
	       "WRMSR SELF IPI bit 8: #GP");
	tap_eq(wr_gp(APIC_TPR, 0x30), 0, "WRMSR TPR 0x30");
	tap_eq(rdmsr(X2APIC_MSR(APIC_TPR)), 0x30, "RDMSR TPR 0x30");
	tap_eq(rdmsr(X2APIC_MSR(APIC_PPR)), 0x30, "RDMSR PPR 0x30");
	wrmsr(X2APIC_MSR(APIC_TPR), 0);
	tap_eq(rdmsr(X2APIC_MSR(APIC_LVR)), lvr, "version register as in xAPIC");
	tap_eq(rdmsr(X2APIC_MSR(APIC_ID)), 0, "x2APIC ID of the BSP is 0");
	tap_eq(rdmsr(X2APIC_MSR(APIC_LDR)), 1,
	       "LDR = cluster 0, bit 0 for ID 0");
	wrmsr(X2APIC_MSR(APIC_TDCR), 0xb);
	tap_eq(rdmsr(X2APIC_MSR(APIC_TDCR)), 0xb, "TDCR reads back");
}

static void test_ipis(void)
{
	u64 icr_before, icr;

	cpu_clear_log(0);
	wrmsr(X2APIC_MSR(APIC_ICR), VEC_ICR);
	icr_before = rdmsr(X2APIC_MSR(APIC_ICR));
	tap_eq(icr_before, VEC_ICR, "ICR reads back (no busy bit, dest 0)");
	wrmsr(X2APIC_MSR(APIC_SELF_IPI), VEC_SELF);
	tap_eq(rdmsr(X2APIC_MSR(APIC_ICR)), icr_before,
	       "SELF IPI leaves the ICR unchanged");
	sti();
	wait_for(READ_ONCE(cpus[0].irq_count[VEC_SELF]) &&
		 READ_ONCE(cpus[0].irq_count[VEC_ICR]));
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_eq(READ_ONCE(cpus[0].irq_count[VEC_SELF]), 1,
	       "SELF IPI delivered once");
	tap_eq(READ_ONCE(cpus[0].irq_count[VEC_ICR]), 1,
	       "ICR fixed IPI to ID 0 delivered once");
	/* 64-bit ICR: destination in bits 63:32; ID 0x12345 does not exist. */
	icr = (0x12345ULL << 32) | VEC_ICR;
	wrmsr(X2APIC_MSR(APIC_ICR), icr);
	tap_eq(rdmsr(X2APIC_MSR(APIC_ICR)), icr,
	       "64-bit ICR: destination bits 63:32 read back");
	tsc_delay(QUIET_TSC / 4);
	sti();
	tsc_delay(QUIET_TSC / 4);
	cli();
	tap_eq(READ_ONCE(cpus[0].irq_count[VEC_ICR]), 1,
	       "IPI to a non-existent x2APIC ID reaches nobody");
}

static void test_transitions(void)
{
	u64 base = rdmsr(MSR_APIC_BASE) & ~(APIC_BASE_EN | APIC_BASE_EXTD);

	tap_eq(apic_set_base_msr(base | APIC_BASE_EN), GP_VECTOR,
	       "x2APIC -> xAPIC directly: #GP");
	tap_ok(apic_x2apic_mode(), "still in x2APIC mode");
	tap_eq(apic_set_base_msr(base), 0, "x2APIC -> disabled");
	tap_eq(rdmsr(MSR_APIC_BASE) & (APIC_BASE_EN | APIC_BASE_EXTD), 0,
	       "disabled: EN and EXTD read 0");
	tap_eq(apic_set_base_msr(base | APIC_BASE_EXTD), GP_VECTOR,
	       "EN=0 EXTD=1 is invalid: #GP");
	tap_eq(apic_set_base_msr(base | APIC_BASE_EN | APIC_BASE_EXTD),
	       GP_VECTOR, "disabled -> x2APIC directly: #GP");
	tap_eq(apic_set_base_msr(base | APIC_BASE_EN), 0, "disabled -> xAPIC");
	tap_ok(!apic_x2apic_mode(), "xAPIC mode");
	tap_eq(xapic_read(APIC_SVR) & APIC_SVR_ENABLE, 0,
	       "xAPIC after disable: software disabled (reset state)");
	tap_eq(xapic_read(APIC_ID) >> 24, 0, "xAPIC ID 0 again");
	apic_setup_xapic();
	tap_eq(apic_set_base_msr(base | APIC_BASE_EN | APIC_BASE_EXTD), 0,
	       "xAPIC -> x2APIC again");
	apic_setup_xapic();
	tap_ok(!apic_x2apic_mode(), "back in xAPIC mode");
}

static void ap_check(void *arg)
{
	u32 *out = arg;

	apic_enter_x2apic();
	out[2 * this_cpu()->idx] = rdmsr(X2APIC_MSR(APIC_ID));
	out[2 * this_cpu()->idx + 1] = rdmsr(X2APIC_MSR(APIC_LDR));
	apic_setup_xapic();
}

int main(void)
{
	u32 lvr = apic_read(APIC_LVR), out[2 * MAX_CPUS];
	int n = smp_ncpus(), i;

	if (!cpu_has_x2apic()) {
		tap_skip("no x2APIC (CPUID.1:ECX[21] = 0)",
			 "x2APIC mode, MSR interface and transitions");
		return 0;
	}
	apic_write(APIC_TPR, 0x20);
	tap_eq(apic_set_base_msr(rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD), 0,
	       "IA32_APIC_BASE EXTD=1 from xAPIC");
	tap_ok(apic_x2apic_mode(), "EN and EXTD read 1");
	tap_eq(rdmsr(X2APIC_MSR(APIC_TPR)), 0x20,
	       "TPR kept across the switch to x2APIC");
	wrmsr(X2APIC_MSR(APIC_TPR), 0);
	test_registers(lvr);
	test_ipis();
	test_transitions();
	if (n < 2) {
		tap_skip("needs 2+ CPUs (fw_cfg NB_CPUS = 1)",
			 "x2APIC ID and LDR of the APs");
		return 0;
	}
	tap_eq(smp_init(), n, "every AP is online");
	for (i = 1; i < n; i++) {
		on_cpu(i, ap_check, out);
		tap_eq(out[2 * i], i, "CPU %d: x2APIC ID %d", i, i);
		tap_eq(out[2 * i + 1], 1U << i, "CPU %d: LDR 0x%x", i, 1U << i);
	}
	return 0;
}
