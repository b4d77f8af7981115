// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: IPIs between guest CPU threads in every destination mode
 * (physical, logical flat, logical cluster, x2APIC physical and cluster,
 * broadcasts, shorthands, lowest priority), NMI and INIT-SIPI-SIPI.
 * Each case uses its own vector and checks exactly who took it and how
 * many times.
 */
#include <string.h>

#include "e2e.h"

#define NR	4

/*
 * Wait until every vCPU in @mask took @vector @times times, give the
 * others time to take it wrongly, then check the exact counts.
 */
static void expect(struct e2e_vm *v, unsigned int vector, unsigned int mask,
		   unsigned int times, const char *what)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < v->nr; i++)
		if (mask & (1U << i))
			WAIT_FOR(gcpu_count(&v->cpu[i], vector) >= times, 3000);
	sleep_ms(30);
	for (i = 0; i < v->nr; i++) {
		uint64_t want = (mask & (1U << i)) ? times : 0;
		uint64_t got = gcpu_count(&v->cpu[i], vector);

		if (got != want) {
			tap_diag("%s: vCPU %u took vector %#x %llu times, want %llu",
				 what, i, vector, (unsigned long long)got,
				 (unsigned long long)want);
			ok = false;
		}
	}
	tap_ok(ok, "%s", what);
}

/* Wait until no vCPU has anything in service (PPR back to TPR). */
static void settle(struct e2e_vm *v)
{
	unsigned int i;

	for (i = 0; i < v->nr; i++)
		WAIT_FOR(reg_read(&v->cpu[i], LAPIC_PPR) ==
			 reg_read(&v->cpu[i], LAPIC_TPR), 2000);
}

static void test_xapic(struct e2e_vm *v)
{
	struct gcpu *c = v->cpu;
	unsigned int i;

	ipi(&c[0], 2, LAPIC_DM_FIXED | 0x40);
	expect(v, 0x40, 1 << 2, 1, "physical: vCPU 0 -> APIC ID 2");
	ipi(&c[3], 0, LAPIC_DM_FIXED | 0x41);
	expect(v, 0x41, 1 << 0, 1, "physical: vCPU 3 -> APIC ID 0");
	ipi(&c[1], 1, LAPIC_DM_FIXED | 0x42);
	expect(v, 0x42, 1 << 1, 1, "physical: to itself by ID");
	ipi(&c[1], 7, LAPIC_DM_FIXED | 0x43);
	expect(v, 0x43, 0, 1, "physical: to an absent ID reaches nobody");
	ipi(&c[2], 0xff, LAPIC_DM_FIXED | 0x44);
	expect(v, 0x44, 0xf, 1, "physical: 0xff broadcasts to all");

	/* Logical flat: LDR bit i on vCPU i. */
	for (i = 0; i < NR; i++) {
		reg_write(&c[i], LAPIC_DFR, LAPIC_DFR_FLAT);
		reg_write(&c[i], LAPIC_LDR, (1U << i) << 24);
	}
	tap_eq(reg_read(&c[2], LAPIC_LDR), 0x04000000U,
	       "logical flat: LDR reads back");
	ipi(&c[0], 0x0a, LAPIC_DEST_LOGICAL | 0x48);
	expect(v, 0x48, 0xa, 1, "logical flat: 0x0a -> vCPUs 1 and 3");
	ipi(&c[3], 0x01, LAPIC_DEST_LOGICAL | 0x49);
	expect(v, 0x49, 0x1, 1, "logical flat: 0x01 -> vCPU 0");
	ipi(&c[3], 0xf0, LAPIC_DEST_LOGICAL | 0x4a);
	expect(v, 0x4a, 0, 1, "logical flat: 0xf0 reaches nobody");
	ipi(&c[3], 0xff, LAPIC_DEST_LOGICAL | 0x4b);
	expect(v, 0x4b, 0xf, 1, "logical flat: 0xff -> all");

	/* Lowest priority among 0x0f: lowest PPR wins. */
	reg_write(&c[0], LAPIC_TPR, 0x20);
	reg_write(&c[1], LAPIC_TPR, 0x10);
	reg_write(&c[2], LAPIC_TPR, 0x30);
	reg_write(&c[3], LAPIC_TPR, 0x40);
	for (i = 0; i < 3; i++) {
		ipi(&c[2], 0x0f, LAPIC_DEST_LOGICAL | LAPIC_DM_LOWEST | 0x50);
		WAIT_FOR(gcpu_count(&c[1], 0x50) >= i + 1, 3000);
		settle(v);
	}
	expect(v, 0x50, 1 << 1, 3,
	       "lowest priority: the vCPU with the lowest PPR takes all 3");
	reg_write(&c[1], LAPIC_TPR, 0x40);
	ipi(&c[2], 0x0f, LAPIC_DEST_LOGICAL | LAPIC_DM_LOWEST | 0x51);
	expect(v, 0x51, 1 << 0, 1,
	       "lowest priority: follows a TPR change (vCPU 0 now lowest)");
	ipi(&c[0], 0x0c, LAPIC_DEST_LOGICAL | LAPIC_DM_LOWEST | 0x52);
	expect(v, 0x52, 1 << 2, 1,
	       "lowest priority: only among the destinations (0x0c)");
	settle(v);
	for (i = 0; i < NR; i++)
		reg_write(&c[i], LAPIC_TPR, 0);
	for (i = 0; i < 8; i++) {
		ipi(&c[i % NR], 0x0f,
		    LAPIC_DEST_LOGICAL | LAPIC_DM_LOWEST | 0x53);
		WAIT_FOR(gcpu_count(&c[0], 0x53) + gcpu_count(&c[1], 0x53) +
			 gcpu_count(&c[2], 0x53) + gcpu_count(&c[3], 0x53) >=
			 i + 1, 3000);
		settle(v);
	}
	expect(v, 0x53, 0xf, 2,
	       "lowest priority: 8 IPIs over 4 equal vCPUs, round robin 2 each");

	/* Logical cluster: clusters 1 and 2. */
	{
		static const uint32_t ldr[NR] = { 0x11, 0x12, 0x21, 0x24 };

		for (i = 0; i < NR; i++) {
			reg_write(&c[i], LAPIC_DFR, LAPIC_DFR_CLUSTER);
			reg_write(&c[i], LAPIC_LDR, ldr[i] << 24);
		}
	}
	tap_eq(reg_read(&c[0], LAPIC_DFR), LAPIC_DFR_CLUSTER,
	       "logical cluster: DFR reads 0x0fffffff");
	ipi(&c[3], 0x13, LAPIC_DEST_LOGICAL | 0x58);
	expect(v, 0x58, 0x3, 1, "logical cluster: 0x13 -> vCPUs 0 and 1");
	ipi(&c[0], 0x24, LAPIC_DEST_LOGICAL | 0x59);
	expect(v, 0x59, 0x8, 1, "logical cluster: 0x24 -> vCPU 3");
	ipi(&c[0], 0x25, LAPIC_DEST_LOGICAL | 0x5a);
	expect(v, 0x5a, 0xc, 1, "logical cluster: 0x25 -> vCPUs 2 and 3");
	ipi(&c[0], 0x32, LAPIC_DEST_LOGICAL | 0x5b);
	expect(v, 0x5b, 0, 1, "logical cluster: absent cluster 3: nobody");
	ipi(&c[1], 0x14, LAPIC_DEST_LOGICAL | 0x5c);
	expect(v, 0x5c, 0, 1, "logical cluster: cluster 1 bit 2: nobody");

	/* Shorthands: the destination field is ignored. */
	ipi(&c[1], 3, LAPIC_SH_SELF | 0x60);
	expect(v, 0x60, 1 << 1, 1, "shorthand self");
	ipi(&c[2], 0, LAPIC_SH_ALL | 0x61);
	expect(v, 0x61, 0xf, 1, "shorthand all including self");
	ipi(&c[3], 3, LAPIC_SH_OTHERS | 0x62);
	expect(v, 0x62, 0x7, 1, "shorthand all excluding self");
	settle(v);
	ipi(&c[0], 0, LAPIC_SH_OTHERS | LAPIC_DM_LOWEST | 0x63);
	WAIT_FOR(gcpu_count(&c[1], 0x63) + gcpu_count(&c[2], 0x63) +
		 gcpu_count(&c[3], 0x63) >= 1, 3000);
	sleep_ms(30);
	tap_ok(gcpu_count(&c[0], 0x63) == 0 &&
	       gcpu_count(&c[1], 0x63) + gcpu_count(&c[2], 0x63) +
	       gcpu_count(&c[3], 0x63) == 1,
	       "shorthand all excluding self, lowest priority: exactly one other");

	/* NMI */
	ipi(&c[0], 2, LAPIC_DM_NMI);
	tap_ok(WAIT_FOR(__atomic_load_n(&c[2].nmi, __ATOMIC_ACQUIRE) == 1, 3000),
	       "NMI IPI: taken by vCPU 2");
	sleep_ms(30);
	tap_ok(c[0].nmi == 0 && c[1].nmi == 0 && c[3].nmi == 0 &&
	       c[2].nmi == 1, "NMI IPI: only vCPU 2, once");

	/* Illegal vector: not delivered, send error in the sender's ESR. */
	ipi(&c[0], 1, LAPIC_DM_FIXED | 0x05);
	reg_write(&c[0], LAPIC_ESR, 0);
	tap_eq(reg_read(&c[0], LAPIC_ESR), 0x20,
	       "IPI with vector 5: sender ESR reads send illegal vector");
	tap_eq(vcpu_stat(&c[0], VLAPIC_VCPU_STAT_TX_ILLEGAL_VECTOR), 1,
	       "IPI with vector 5: counted tx_illegal_vector");
	reg_write(&c[1], LAPIC_ESR, 0);
	tap_eq(reg_read(&c[1], LAPIC_ESR), 0,
	       "IPI with vector 5: not sent (receiver ESR clear)");
	tap_eq(gcpu_count(&c[1], 5), 0, "IPI with vector 5: not taken");
}

static void test_x2apic(void)
{
	static const uint32_t ids[NR] = { 0x0, 0x101, 0x202, 0x1003 };
	struct e2e_vm v;
	struct gcpu *c = v.cpu;
	unsigned int i;
	int ret;

	e2e_vm_create(&v, NR, VLAPIC_VM_X2APIC, ids);
	for (i = 0; i < NR; i++)
		enter_x2apic(&c[i]);
	tap_eq(reg_read(&c[3], LAPIC_ID), 0x1003, "x2APIC: 32-bit ID");
	tap_eq(reg_read(&c[1], LAPIC_LDR), (0x10U << 16) | (1U << 1),
	       "x2APIC: LDR derived from the ID");
	ret = vlapic_msr_write(c[1].fd, MSR_X2APIC_BASE + (LAPIC_LDR >> 4), 1);
	tap_eq(ret, VLAPIC_FAULT_GP, "x2APIC: writing LDR raises #GP");
	for (i = 0; i < NR; i++) {
		reg_write(&c[i], LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
		gcpu_start(&c[i]);
	}

	ipi(&c[0], 0x1003, LAPIC_DM_FIXED | 0x70);
	expect(&v, 0x70, 1 << 3, 1, "x2APIC physical: 0x1003");
	ipi(&c[3], 0x202, LAPIC_DM_FIXED | 0x71);
	expect(&v, 0x71, 1 << 2, 1, "x2APIC physical: 0x202");
	ipi(&c[3], 0x02, LAPIC_DM_FIXED | 0x72);
	expect(&v, 0x72, 0, 1,
	       "x2APIC physical: 0x02 does not alias 0x202");
	ipi(&c[2], 0xffffffff, LAPIC_DM_FIXED | 0x73);
	expect(&v, 0x73, 0xf, 1, "x2APIC physical: 0xffffffff broadcasts");
	ipi(&c[0], (0x10U << 16) | 0x2, LAPIC_DEST_LOGICAL | 0x74);
	expect(&v, 0x74, 1 << 1, 1, "x2APIC cluster: cluster 0x10 bit 1");
	ipi(&c[0], (0x100U << 16) | 0x8, LAPIC_DEST_LOGICAL | 0x75);
	expect(&v, 0x75, 1 << 3, 1, "x2APIC cluster: cluster 0x100 bit 3");
	ipi(&c[1], (0x10U << 16) | 0x1, LAPIC_DEST_LOGICAL | 0x76);
	expect(&v, 0x76, 0, 1, "x2APIC cluster: cluster 0x10 bit 0: nobody");
	ipi(&c[2], 0, LAPIC_SH_OTHERS | 0x77);
	expect(&v, 0x77, 0xb, 1, "x2APIC shorthand all excluding self");
	reg_write(&c[3], LAPIC_SELF_IPI, 0x78);
	expect(&v, 0x78, 1 << 3, 1, "x2APIC SELF IPI register");
	for (i = 0; i < NR; i++)
		tap_eq(c[i].errors, 0, "x2APIC: vCPU %u thread saw no error", i);
	e2e_vm_destroy(&v);
}

static void test_init_sipi(void)
{
	struct vlapic_create_vm cfg;
	struct vlapic_lapic_state s;
	struct gcpu bsp, ap;
	int sys, vm;

	memset(&bsp, 0, sizeof(bsp));
	memset(&ap, 0, sizeof(ap));
	memset(&cfg, 0, sizeof(cfg));
	sys = vlapic_open_checked();
	cfg.max_vcpus = 2;
	vm = vlapic_create_vm(sys, &cfg);
	if (vm < 0)
		tap_bail("CREATE_VM: %d", vm);
	bsp.fd = vlapic_create_vcpu(vm, 0, 0);
	ap.index = 1;
	ap.apic_id = 1;
	ap.fd = vlapic_create_vcpu(vm, 1, 1);
	if (bsp.fd < 0 || ap.fd < 0)
		tap_bail("CREATE_VCPU");
	vlapic_get_lapic(ap.fd, &s);
	tap_eq(s.mp_state, VLAPIC_MP_STATE_WAIT_FOR_SIPI,
	       "INIT-SIPI: an AP starts waiting for SIPI");
	vlapic_get_lapic(bsp.fd, &s);
	tap_eq(s.mp_state, VLAPIC_MP_STATE_RUNNABLE,
	       "INIT-SIPI: the BSP starts runnable");
	tap_eq(s.apic_base & APIC_BASE_BSP, APIC_BASE_BSP,
	       "INIT-SIPI: the BSP has APIC_BASE.BSP");
	reg_write(&bsp, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	reg_write(&ap, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	gcpu_start(&ap);

	/* A fixed IPI does not wake an AP waiting for SIPI. */
	ipi(&bsp, 1, LAPIC_DM_FIXED | 0x80);
	sleep_ms(100);
	tap_eq(gcpu_total(&ap), 0, "INIT-SIPI: fixed IPI not taken by a waiting AP");

	ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT |
	    LAPIC_ICR_LEVEL_TRIG);
	tap_ok(WAIT_FOR(__atomic_load_n(&ap.init, __ATOMIC_ACQUIRE) == 1, 3000),
	       "INIT-SIPI: the AP takes INIT");
	ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_TRIG);	/* de-assert */
	vlapic_get_lapic(ap.fd, &s);
	tap_eq(s.mp_state, VLAPIC_MP_STATE_WAIT_FOR_SIPI,
	       "INIT-SIPI: after INIT the AP waits for SIPI");
	tap_ok(!vlapic_state_vec(&s, LAPIC_IRR, 0x80),
	       "INIT-SIPI: INIT cleared the pending fixed vector");
	tap_eq(vlapic_state_reg(&s, LAPIC_SVR), 0xff,
	       "INIT-SIPI: INIT software-disabled the APIC");

	ipi(&bsp, 1, LAPIC_DM_STARTUP | 0x9a);
	tap_ok(WAIT_FOR(__atomic_load_n(&ap.sipi, __ATOMIC_ACQUIRE) == 1, 3000),
	       "INIT-SIPI: the AP takes SIPI");
	tap_eq(ap.sipi_vector, 0x9a, "INIT-SIPI: SIPI carries start page 0x9a");
	ipi(&bsp, 1, LAPIC_DM_STARTUP | 0x9b);
	sleep_ms(100);
	tap_eq(ap.sipi, 1, "INIT-SIPI: the second SIPI is not taken");
	tap_eq(vcpu_stat(&ap, VLAPIC_VCPU_STAT_SIPI_IGNORED), 1,
	       "INIT-SIPI: the second SIPI is counted ignored");
	vlapic_get_lapic(ap.fd, &s);
	tap_eq(s.mp_state, VLAPIC_MP_STATE_RUNNABLE,
	       "INIT-SIPI: the AP is runnable");

	/* The AP's code enables its APIC; IPIs now arrive. */
	reg_write(&ap, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	ipi(&bsp, 1, LAPIC_DM_FIXED | 0x81);
	tap_ok(WAIT_FOR(gcpu_count(&ap, 0x81) == 1, 3000),
	       "INIT-SIPI: the started AP takes a fixed IPI");
	tap_eq(gcpu_count(&ap, 0x80), 0,
	       "INIT-SIPI: the vector sent before INIT never arrives");
	tap_eq(ap.errors, 0, "INIT-SIPI: AP thread saw no ioctl error");
	gcpu_stop(&ap);

	/*
	 * INIT, then SIPI, both sent before the AP's CPU gets to run (its
	 * thread is not scheduled within the 10 ms): the AP must take INIT,
	 * then the SIPI that came after it.
	 */
	{
		struct vlapic_interrupt in;

		ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT |
		    LAPIC_ICR_LEVEL_TRIG);
		ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_TRIG);
		ipi(&bsp, 1, LAPIC_DM_STARTUP | 0x9c);
		vlapic_get_interrupt(ap.fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_INIT,
		       "INIT-SIPI, AP late: INIT taken first");
		vlapic_get_interrupt(ap.fd, VLAPIC_INTR_IF, &in);
		tap_ok(in.type == VLAPIC_INTR_SIPI && in.vector == 0x9c,
		       "INIT-SIPI, AP late: the SIPI sent after INIT is not lost (type %u vector %#x)",
		       in.type, in.vector);

		/*
		 * The other order: the AP waits for SIPI, a SIPI and then
		 * an INIT arrive before it runs. The INIT came last: the AP
		 * must end up waiting for SIPI, not started.
		 */
		ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT);
		vlapic_get_interrupt(ap.fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_INIT, "SIPI-INIT: INIT taken");
		ipi(&bsp, 1, LAPIC_DM_STARTUP | 0x9d);
		ipi(&bsp, 1, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT);
		vlapic_get_interrupt(ap.fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_INIT, "SIPI-INIT: the INIT is taken");
		vlapic_get_interrupt(ap.fd, VLAPIC_INTR_IF, &in);
		tap_eq(in.type, VLAPIC_INTR_NONE,
		       "SIPI-INIT: the SIPI before the INIT does not start the AP");
		vlapic_get_lapic(ap.fd, &s);
		tap_eq(s.mp_state, VLAPIC_MP_STATE_WAIT_FOR_SIPI,
		       "SIPI-INIT: the AP waits for SIPI");
	}

	/*
	 * kvm-unit-tests' pattern, with the AP's CPU running on its own
	 * thread: INIT to all-but-self, then at once one SIPI to
	 * all-but-self. Every round must start the AP again.
	 */
	{
		unsigned int round, started = 0;

		reg_write(&bsp, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
		gcpu_reset_counts(&ap);
		gcpu_start(&ap);
		for (round = 0; round < 200; round++) {
			ipi(&bsp, 0, LAPIC_SH_OTHERS | LAPIC_DM_INIT |
			    LAPIC_ICR_LEVEL_ASSERT);
			ipi(&bsp, 0, LAPIC_SH_OTHERS | LAPIC_DM_STARTUP | 0x9e);
			if (!WAIT_FOR(__atomic_load_n(&ap.sipi, __ATOMIC_ACQUIRE) ==
				      round + 1, 3000))
				break;
			started++;
		}
		tap_eq(started, 200,
		       "INIT all-but-self + SIPI at once: the AP starts every round");
		gcpu_stop(&ap);
	}
	close(ap.fd);
	close(bsp.fd);
	close(vm);
	close(sys);
}

/* 288 vCPUs (x2APIC): physical delivery to the last, broadcast to all. */
static void test_288(void)
{
	struct vlapic_create_vm c;
	static int fd[288];
	unsigned int i, n;
	int sys, vm, ret;
	uint64_t irr;

	memset(&c, 0, sizeof(c));
	c.flags = VLAPIC_VM_X2APIC;
	c.max_vcpus = 288;
	sys = vlapic_open_checked();
	vm = vlapic_create_vm(sys, &c);
	if (!tap_ok(vm >= 0, "288 vCPUs: VM created"))
		return;
	for (n = 0; n < 288; n++) {
		fd[n] = vlapic_create_vcpu(vm, n, n);
		if (fd[n] < 0)
			break;
		vlapic_msr_write(fd[n], MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE |
				 APIC_BASE_ENABLE | APIC_BASE_X2APIC |
				 (n ? 0 : APIC_BASE_BSP));
		vlapic_msr_write(fd[n], MSR_X2APIC_BASE + (LAPIC_SVR >> 4),
				 LAPIC_SVR_ENABLE | 0xff);
	}
	if (!tap_eq(n, 288, "288 vCPUs created"))
		goto out;
	ret = vlapic_msr_write(fd[0], MSR_X2APIC_BASE + (LAPIC_ICR >> 4),
			       (287ULL << 32) | 0x90);
	tap_eq(ret, 0, "288 vCPUs: IPI from APIC ID 0 to 287");
	irr = 0;
	vlapic_msr_read(fd[287], MSR_X2APIC_BASE + ((LAPIC_IRR + 0x40) >> 4),
			&irr);
	tap_eq(irr & BIT(16), BIT(16), "288 vCPUs: vector 0x90 pending on 287");
	for (i = 0, n = 0; i < 287; i++) {
		irr = 0;
		vlapic_msr_read(fd[i], MSR_X2APIC_BASE +
				((LAPIC_IRR + 0x40) >> 4), &irr);
		n += !!(irr & BIT(16));
	}
	tap_eq(n, 0, "288 vCPUs: on no other vCPU");
	vlapic_msr_write(fd[5], MSR_X2APIC_BASE + (LAPIC_ICR >> 4),
			 (0xffffffffULL << 32) | 0x91);
	for (i = 0, n = 0; i < 288; i++) {
		irr = 0;
		vlapic_msr_read(fd[i], MSR_X2APIC_BASE +
				((LAPIC_IRR + 0x40) >> 4), &irr);
		n += !!(irr & BIT(17));
	}
	tap_eq(n, 288, "288 vCPUs: x2APIC broadcast reaches all 288");
	n = 288;
out:
	for (i = 0; i < n; i++)
		close(fd[i]);
	close(vm);
	close(sys);
}

int main(void)
{
	struct e2e_vm v;
	unsigned int i;

	tap_init("ipi", 200);
	test_288();
	e2e_vm_create(&v, NR, 0, NULL);
	for (i = 0; i < NR; i++)
		gcpu_start(&v.cpu[i]);
	test_xapic(&v);
	for (i = 0; i < NR; i++)
		tap_eq(v.cpu[i].errors, 0, "xAPIC: vCPU %u thread saw no error",
		       i);
	e2e_vm_destroy(&v);
	test_x2apic();
	test_init_sipi();
	return tap_end();
}
