// SPDX-License-Identifier: GPL-2.0
/*
 * xAPIC registers from inside the guest: ID, version, TPR/PPR/APR, LDR/DFR,
 * SVR, ESR, LVT masks and reserved bits, read-only and timer registers;
 * MMIO through many instruction forms in long mode, 32-bit protected mode
 * without paging and under PAE paging, through identity and alias
 * mappings; APIC base relocation; the globally disabled APIC (last: some
 * implementations cannot re-enable it).
 */
#include "guest.h"
#include "xapic_modes.h"

#define RELOC_BASE	0xfef00000UL
#define VEC_ESR		0x42

static u32 lvr;

static void check_forms(const char *mode, const u32 *r)
{
	tap_eq(r[1], 0x10, "%s: MOV store, MOV load", mode);
	tap_eq(r[2], 0x20, "%s: MOV imm32 store, SIB load", mode);
	tap_eq(r[3], 0x20, "%s: MOVZX byte load", mode);
	tap_eq(r[4], 0x20, "%s: MOVZX word load", mode);
	tap_eq(r[5], 0x20, "%s: XCHG returns the old TPR", mode);
	tap_eq(r[6], 0x30, "%s: XCHG stores the new TPR", mode);
	tap_eq(r[7], 0x40, "%s: REP STOSD", mode);
	tap_eq(r[8], 0x45, "%s: OR imm8 to memory", mode);
	tap_eq(r[9], 0x40, "%s: AND imm32 to memory", mode);
	tap_eq(r[10], 1, "%s: TEST memory, imm32", mode);
	tap_eq(r[11], 1, "%s: CMP memory, r32", mode);
	tap_eq(r[12], 0x40, "%s: byte store (C6) is ignored", mode);
	tap_eq(r[13], 0x40, "%s: word store (66 89) is ignored", mode);
	tap_eq(r[14], lvr, "%s: version register", mode);
	tap_eq(apic_read(APIC_TPR), 0, "%s: TPR cleared at the end", mode);
}

static void test_modes(void)
{
	u32 r[16];

	r[0] = 0;
	mmio64_forms(APIC_DEFAULT_BASE, r);
	check_forms("long mode, identity map", r);
	mmio64_forms(ALIAS_VA64, r);
	check_forms("long mode, 4 KiB alias page", r);
	r[0] = APIC_DEFAULT_BASE;
	mode32_call((u32)(u64)mmio32_forms, (u32)(u64)r, 0);
	check_forms("32-bit protected mode, paging off", r);
	r[0] = APIC_DEFAULT_BASE;
	mode32_call((u32)(u64)mmio32_forms, (u32)(u64)r, 1);
	check_forms("32-bit PAE paging, identity map", r);
	r[0] = ALIAS_VA32;
	mode32_call((u32)(u64)mmio32_forms, (u32)(u64)r, 1);
	check_forms("32-bit PAE paging, 4 KiB alias page", r);
}

static void test_basic(void)
{
	u32 v;

	tap_eq(apic_read(APIC_ID) >> 24, 0, "ID of the BSP is 0");
	tap_eq(apic_read(APIC_ID) & 0x00ffffff, 0, "ID bits 23:0 read 0");
	lvr = apic_read(APIC_LVR);
	tap_diag("LVR 0x%08x: version 0x%02x, max LVT %u, directed EOI %u",
		 lvr, lvr & 0xff, (lvr >> 16) & 0xff, (lvr >> 24) & 1);
	tap_ok((lvr & 0xff) >= 0x10 && (lvr & 0xff) <= 0x15,
	       "version is an integrated APIC (0x10-0x15)");
	tap_ok(((lvr >> 16) & 0xff) >= 5, "max LVT entry >= 5");
	apic_write(APIC_LVR, ~lvr);
	tap_eq(apic_read(APIC_LVR), lvr, "LVR is read-only");

	apic_write(APIC_TPR, 0x5a);
	tap_eq(apic_read(APIC_TPR), 0x5a, "TPR reads back 0x5a");
	tap_eq(apic_read(APIC_PPR), 0x5a, "PPR = TPR with nothing in service");
	apic_write(APIC_PPR, 0);
	tap_eq(apic_read(APIC_PPR), 0x5a, "PPR is read-only");
	apic_write(APIC_TPR, 0xffffffff);
	tap_eq(apic_read(APIC_TPR), 0xff, "TPR bits 31:8 read 0");
	apic_write(APIC_TPR, 0);
	tap_eq(apic_read(APIC_PPR), 0, "PPR 0 with TPR 0, nothing in service");
	tap_eq(apic_read(APIC_APR), 0, "APR 0 with TPR 0, nothing pending");

	apic_write(APIC_LDR, 0x12345678);
	tap_eq(apic_read(APIC_LDR), 0x12000000, "LDR bits 23:0 read 0");
	apic_write(APIC_LDR, 0);
	apic_write(APIC_DFR, 0x0fffffff);
	tap_eq(apic_read(APIC_DFR), 0x0fffffff, "DFR cluster model");
	apic_write(APIC_DFR, 0);
	tap_eq(apic_read(APIC_DFR), 0x0fffffff, "DFR bits 27:0 read 1");
	apic_write(APIC_DFR, 0xffffffff);
	tap_eq(apic_read(APIC_DFR), 0xffffffff, "DFR flat model");

	apic_write(APIC_SVR, 0x10f);
	tap_eq(apic_read(APIC_SVR), 0x10f, "SVR vector bits 3:0 writable");
	apic_write(APIC_SVR, 0xffffe1ff);
	v = apic_read(APIC_SVR);
	tap_eq(v & 0xffffec00, 0, "SVR reserved bits read 0");
	tap_eq(v & 0x1ff, 0x1ff, "SVR enable and vector read back");
	apic_write(APIC_SVR, 0x1ff | APIC_SVR_NO_BCAST);
	v = apic_read(APIC_SVR);
	tap_eq(!!(v & APIC_SVR_NO_BCAST), (lvr >> 24) & 1,
	       "SVR bit 12 (EOI broadcast suppression) writable iff LVR bit 24");
	apic_write(APIC_SVR, 0x1ff);
}

static unsigned int illegal_taken;

/* An implementation that delivers an illegal vector gets it counted. */
static void illegal_vector(struct frame *f)
{
	(void)f;
	illegal_taken++;
	apic_eoi();
}

static void test_esr(void)
{
	u32 esr;

	set_handler(5, illegal_vector);
	set_handler(7, illegal_vector);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	tap_eq(apic_read(APIC_ESR), 0, "ESR 0 after write-then-read");
	apic_send_ipi(0, APIC_SH_SELF | 0x05);
	esr = apic_read(APIC_ESR);
	tap_diag("ESR before the latching write: 0x%x", esr);
	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	tap_eq(esr & ESR_SEND_ILLEGAL_VEC, ESR_SEND_ILLEGAL_VEC,
	       "self-IPI vector 5: ESR send illegal vector (bit 5)");
	tap_eq(esr & ESR_RECV_ILLEGAL_VEC, ESR_RECV_ILLEGAL_VEC,
	       "self-IPI vector 5: ESR receive illegal vector (bit 6)");
	tap_ok(!apic_irr(5), "vector 5 is not pending");
	apic_write(APIC_ESR, 0);
	tap_eq(apic_read(APIC_ESR), 0, "the next write-then-read clears ESR");

	/* An unmasked error LVT delivers the error interrupt. */
	apic_write(APIC_LVTERR, VEC_ESR);
	cpu_clear_log(0);
	apic_send_ipi(0, APIC_SH_SELF | 0x07);
	sti();
	wait_for(READ_ONCE(cpus[0].irq_count[VEC_ESR]));
	cli();
	tap_eq(READ_ONCE(cpus[0].irq_count[VEC_ESR]), 1,
	       "illegal vector raises the error LVT interrupt once");
	tap_eq(illegal_taken, 0, "illegal vectors 5 and 7 are not delivered");
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	set_handler(5, NULL);
	set_handler(7, NULL);
}

struct lvt {
	const char *name;
	u32 reg;
	u32 write;
	u32 expect;
};

static void test_lvt(void)
{
	/*
	 * Every bit but the read-only status bits 12 and 14 written as 1,
	 * except where the SDM (10.5.1) reserves the value: the thermal and
	 * performance LVTs take NMI (100b), not ExtINT, and LINT1 is edge
	 * only (its trigger bit 15 written as 0).
	 */
	const struct lvt lvts[] = {
		{ "LVT timer", APIC_LVTT, 0xfffbafff, 0x000300ff },
		{ "LVT thermal", APIC_LVTTHMR, 0xffffacff, 0x000104ff },
		{ "LVT perf", APIC_LVTPC, 0xffffacff, 0x000104ff },
		{ "LVT LINT0", APIC_LVT0, 0xffffafff, 0x0001a7ff },
		{ "LVT LINT1", APIC_LVT1, 0xffff2fff, 0x000127ff },
		{ "LVT error", APIC_LVTERR, 0xffffafff, 0x000100ff },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lvts); i++) {
		apic_write(lvts[i].reg, lvts[i].write);
		tap_eq(apic_read(lvts[i].reg), lvts[i].expect,
		       "%s: reserved bits read 0, the others read back",
		       lvts[i].name);
		apic_write(lvts[i].reg, APIC_LVT_MASKED);
		tap_eq(apic_read(lvts[i].reg), APIC_LVT_MASKED,
		       "%s: masked", lvts[i].name);
	}

	/* Software disabled: every LVT masked, the mask cannot be cleared. */
	apic_write(APIC_LVTT, 0x40);
	apic_write(APIC_LVT0, 0x700);
	apic_write(APIC_SVR, 0xff);
	tap_eq(apic_read(APIC_LVTT), APIC_LVT_MASKED | 0x40,
	       "SVR software disable masks the timer LVT");
	tap_eq(apic_read(APIC_LVT0), APIC_LVT_MASKED | 0x700,
	       "SVR software disable masks LINT0");
	apic_write(APIC_LVTT, 0x41);
	tap_eq(apic_read(APIC_LVTT), APIC_LVT_MASKED | 0x41,
	       "software disabled: an LVT write cannot clear the mask");
	apic_write(APIC_SVR, 0x1ff);
	tap_eq(apic_read(APIC_LVTT), APIC_LVT_MASKED | 0x41,
	       "software enable leaves the LVTs masked");
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);
}

static void test_readonly(void)
{
	static const u32 regs[] = {
		APIC_ISR, APIC_ISR + 0x70, APIC_TMR, APIC_TMR + 0x70,
		APIC_IRR, APIC_IRR + 0x70, APIC_TMCCT,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		u32 before = apic_read(regs[i]);

		apic_write(regs[i], 0xffffffff);
		tap_eq(apic_read(regs[i]), before,
		       "register 0x%03x is read-only", regs[i]);
	}

	apic_write(APIC_TDCR, 0xffffffff);
	tap_eq(apic_read(APIC_TDCR), 0xb, "TDCR: only bits 0, 1, 3 writable");
	apic_write(APIC_TDCR, 0);
	tap_eq(apic_read(APIC_TDCR), 0, "TDCR reads back 0");
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0x12345678);
	tap_eq(apic_read(APIC_TMICT), 0x12345678, "TMICT reads back");
	tap_ok(apic_read(APIC_TMCCT) <= 0x12345678,
	       "TMCCT <= TMICT while counting");
	apic_write(APIC_TMICT, 0);
	tap_eq(apic_read(APIC_TMCCT), 0, "TMICT 0 stops the timer: TMCCT 0");
}

static void test_relocation(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 old_tpr;

	apic_set_base_msr((base & 0xfff) | RELOC_BASE);
	tap_eq(rdmsr(MSR_APIC_BASE) & ~0xfffULL, RELOC_BASE,
	       "IA32_APIC_BASE moved to 0x%lx", RELOC_BASE);
	xapic_base = RELOC_BASE;
	tap_eq(apic_read(APIC_LVR), lvr, "relocated page: version register");
	apic_write(APIC_TPR, 0x30);
	tap_eq(apic_read(APIC_TPR), 0x30, "relocated page: TPR writes");
	old_tpr = *(u32 *)(APIC_DEFAULT_BASE + APIC_TPR);
	tap_ok(old_tpr != 0x30, "old page no longer the APIC (TPR reads 0x%s)",
	       old_tpr == 0xffffffff ? "ffffffff" : "other");
	*(u32 *)(APIC_DEFAULT_BASE + APIC_TPR) = 0x60;
	tap_eq(apic_read(APIC_TPR), 0x30, "a write to the old page misses");
	apic_write(APIC_TPR, 0);
	apic_set_base_msr(base);
	xapic_base = APIC_DEFAULT_BASE;
	tap_eq(apic_read(APIC_LVR), lvr, "moved back to 0xfee00000");
	tap_eq(apic_read(APIC_TPR), 0, "TPR 0 at the default base again");
	apic_write(APIC_TPR, 0);
}

static void test_disabled(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 *page = (u32 *)APIC_DEFAULT_BASE;
	int vec;

	apic_write(APIC_TPR, 0x20);
	vec = apic_set_base_msr(base & ~APIC_BASE_EN);
	tap_eq(vec, 0, "IA32_APIC_BASE EN=0 accepted");
	tap_eq(rdmsr(MSR_APIC_BASE) & APIC_BASE_EN, 0, "EN reads 0");
	tap_eq(READ_ONCE(page[APIC_ID / 4]), 0xffffffff,
	       "disabled: ID reads all ones");
	tap_eq(READ_ONCE(page[APIC_LVR / 4]), 0xffffffff,
	       "disabled: version reads all ones");
	tap_eq(READ_ONCE(page[APIC_TPR / 4]), 0xffffffff,
	       "disabled: TPR reads all ones");
	WRITE_ONCE(page[APIC_TPR / 4], 0x50);
	tap_eq(READ_ONCE(page[APIC_TPR / 4]), 0xffffffff,
	       "disabled: a TPR write is dropped");
	expect_exception(0);
	memset_stores(APIC_DEFAULT_BASE);
	tap_eq(take_exception(), 0,
	       "disabled: byte and word stores (88, C6, 66 89, REP STOSB) do not fault");
	tap_eq(READ_ONCE(page[APIC_SVR / 4]), 0xffffffff,
	       "disabled: SVR still reads all ones after the stores");

	vec = apic_set_base_msr(base);
	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_EN) && !cpu_has_apic()) {
		tap_skip("APIC not re-enabled: CPUID.1:EDX[9] = 0",
			 "the APIC comes back after EN=1 in its reset state");
		return;
	}
	tap_eq(vec, 0, "IA32_APIC_BASE EN=1 accepted again");
	tap_eq(apic_read(APIC_LVR), lvr, "re-enabled: version register");
	tap_eq(apic_read(APIC_ID) >> 24, 0, "re-enabled: ID kept");
	tap_eq(apic_read(APIC_SVR), 0xff, "re-enabled: SVR 0xff (disabled)");
	tap_eq(apic_read(APIC_TPR), 0, "re-enabled: TPR 0 (the write dropped)");
	tap_eq(apic_read(APIC_LVTT), APIC_LVT_MASKED,
	       "re-enabled: timer LVT masked");
	tap_eq(apic_read(APIC_LVT0), APIC_LVT_MASKED,
	       "re-enabled: LINT0 masked");
	tap_ok(cpu_has_apic(), "re-enabled: CPUID.1:EDX[9] set");
	apic_setup_xapic();
}

int main(void)
{
	tap_diag("xapic: multiboot %s, command line '%s'",
		 guest_multiboot_ok() ? "ok" : "missing", guest_cmdline());
	test_basic();
	test_esr();
	test_lvt();
	test_readonly();
	test_modes();
	test_relocation();
	test_disabled();
	return 0;
}
