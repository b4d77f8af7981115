// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-side fuzzer: every CPU at once does a bounded number of random
 * operations on its interrupt hardware (xAPIC MMIO at random offsets,
 * widths and alignments, string instructions, x2APIC MSRs with random
 * values, IA32_APIC_BASE transitions and relocation, ICR writes in every
 * mode and shorthand, the timer in every mode, CR8 and TPR, the IOAPIC,
 * the pc-testdev lines, EOIs with nothing in service, interrupt windows).
 * Faults are recovered and recorded; an AP that gets an INIT comes back
 * through a SIPI to one of the trampolines and goes on where it was.
 *
 * Command line (multiboot): "seed=N ops=N [lines=N] [trace] [no=CLASS,...]",
 * CLASS one of illegal (vectors 0-15 in the ICR), smi, init, relocate,
 * odd (MMIO writes of other widths and alignments, which QEMU 7.2's TCG
 * APIC takes as whole-register writes);
 * lines: the pc-testdev lines driven (24; QEMU 7.2's pc-testdev aborts
 * from 16 on).
 *
 * What is printed: the seed, the operations per class, the faults, and a
 * hash (FNV-1a) per class and over all of what the CPUs observed. On one
 * CPU the hash depends only on the seed and the implementation: the
 * observations left out are those that depend on when an interrupt
 * arrives (the timer runs in real time): IRR, ISR, TMR, APR, PPR, the
 * current count, the TSC-deadline MSR, the delivery-status (12) and
 * remote-IRR (14) bits of the LVTs, the ICR and the IOAPIC's entries, ESR
 * bit 6 (receive illegal vector: the timer may fire an illegal vector at
 * any time) and the interrupt counts. With more CPUs the order of their
 * operations is not fixed, so neither is the hash. "trace" prints every
 * hashed observation of CPU 0 (to find the first difference between two
 * implementations).
 *
 * Left out for the guest's own sake (it could not go on): INIT to the BSP
 * (it would restart at the reset vector, where there is no firmware),
 * vectors 16-31 anywhere, 0-15 from an LVT or the IOAPIC and those of 0-15
 * with an error code from the ICR (delivered where the SDM says they are
 * not, they look like exceptions), NMIs to other CPUs and from IOAPIC pins
 * on more than one CPU with INITs on (an AP starting again has no IDT
 * yet), ExtINT (no 8259 is programmed), HLT (nothing
 * need wake it), aligned 32-bit MMIO writes of unsanitized values (an
 * unaligned or other-width write is ignored by the SDM's rules, so it
 * gets any value), an INIT reaching an AP while it clears
 * IA32_APIC_BASE.EN (init_owner says why).
 */
#include "guest.h"

#define FUZZ_VEC_LOW	0x20
#define SMM_ENTRY	0x38000	/* SMBASE 0x30000 + 0x8000: an RSM */
#define RELOC_BASE	0xfef00000UL
#define WINDOW_BUDGET	16	/* interrupts EOIed per window */

enum cls {
	C_MMIO, C_ODD, C_STRING, C_MSR, C_BASE, C_ICR, C_TIMER, C_TPR,
	C_IOAPIC, C_LINE, C_EOI, C_WINDOW, NCLS
};

static const char *const cls_name[NCLS] = {
	"mmio", "odd", "string", "msr", "base", "icr", "timer", "tpr",
	"ioapic", "line", "eoi", "window",
};

/* Weights of the classes in the random choice. */
static const unsigned int cls_weight[NCLS] = {
	14, 10, 3, 14, 3, 10, 8, 6, 8, 5, 6, 6,
};

struct fuzz_cpu {
	u64 rng;
	u64 hash[NCLS];
	unsigned long done;		/* operations done */
	unsigned long count[NCLS];
	unsigned long faults;
	unsigned long irqs;		/* interrupts taken */
	unsigned long illegal;		/* of them, at vectors 0-15 */
	unsigned int window_irqs;	/* in the current window */
	int finished;
	u64 apic_base;			/* IA32_APIC_BASE as last written */
} __aligned(64);

static struct fuzz_cpu fc[MAX_CPUS];
static u64 seed = 1;
static unsigned long nops = 2000;
static int ncpus;
static bool trace, no_illegal, no_smi, no_init, no_relocate, no_odd, no_cr8;
static bool has_x2apic, has_deadline, ioapic_eoi_reg;
static unsigned int npins, nlines = 24;
/* The IOAPIC's index/data pair: 0 free, else the owner's index + 1. */
static int ioapic_owner;
/*
 * An INIT that an AP takes while its IA32_APIC_BASE.EN is clear loses
 * the AP for good: the INIT keeps IA32_APIC_BASE, and a globally disabled
 * local APIC accepts no SIPI (SDM vol. 3 10.4.3), so it waits for one
 * forever. That happens, as it would on hardware, when the INIT is
 * accepted while the AP runs and the AP clears EN before it takes the
 * INIT (at an instruction boundary; under a hypervisor, at the next
 * entry). So with INITs flying, a CPU that sends an INIT to another holds
 * init_owner from before its ICR write until the INIT was surely taken
 * (INIT_SETTLE_TSC: the target takes it at its next exit, one kick away),
 * and an AP holds it across each write of IA32_APIC_BASE that clears EN.
 */
static int init_owner;
#define INIT_SETTLE_TSC	QUIET_TSC

static const u8 sipi_vectors[] = { 0x08, 0x10, 0x11, 0x12, 0x13, 0x14,
				   0x15, 0x16, 0x17 };

/*
 * The illegal vectors (0-15) an IPI may carry: those whose exception
 * pushes no error code, so that one delivered anyway (the SDM says it is
 * not: ESR bit 5 or 6) still finds a sane stack (fuzz_irq() counts it).
 */
static const u8 illegal_vectors[] = { 0, 1, 3, 4, 5, 6, 7, 9, 15 };

/* INITs go to APs in this run, which then start again from real mode. */
static bool inits_fly(void)
{
	return ncpus > 1 && !no_init;
}

static bool owner_lock(int *owner);
static void owner_unlock(int *owner);

/* Whether ICR value @lo is an INIT that may reach another CPU. */
static bool icr_inits_others(u32 lo)
{
	return inits_fly() && (lo >> 8 & 7) == 5 &&
	       (lo & (3U << 18)) != APIC_SH_SELF;
}

/* Before an ICR write of @lo: false if the operation must be skipped. */
static bool init_send_begin(u32 lo)
{
	return !icr_inits_others(lo) || owner_lock(&init_owner);
}

/* After it: an INIT sent keeps the lock until its target took it. */
static void init_send_end(u32 lo)
{
	u64 t0 = rdtsc();

	if (!icr_inits_others(lo))
		return;
	while (rdtsc() - t0 < INIT_SETTLE_TSC)
		cpu_relax();
	owner_unlock(&init_owner);
}

/* Whether AP @me must hold init_owner to write IA32_APIC_BASE := @v. */
static bool base_needs_init_lock(unsigned int me, u64 v)
{
	return me != 0 && inits_fly() && !(v & APIC_BASE_EN);
}

/* xorshift64*: one stream per CPU. */
static u64 rnd(struct fuzz_cpu *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static u32 rnd_below(struct fuzz_cpu *f, u32 n)
{
	return (u32)((rnd(f) >> 32) % n);
}

static bool chance(struct fuzz_cpu *f, u32 percent)
{
	return rnd_below(f, 100) < percent;
}

static void observe(struct fuzz_cpu *f, enum cls c, u64 a, u64 b)
{
	u64 h = f->hash[c] ^ 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (a >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 8; i++) {
		h ^= (b >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	f->hash[c] = h;
	if (trace && f == &fc[0]) {
		gprintf("# t %lu %s 0x%llx 0x%llx\n", f->done, cls_name[c],
			(unsigned long long)a, (unsigned long long)b);
	}
}

/* The current APIC mode, from IA32_APIC_BASE: 0 off, 1 xAPIC, 2 x2APIC. */
static int apic_mode(struct fuzz_cpu *f)
{
	if (!(f->apic_base & APIC_BASE_EN))
		return 0;
	return (f->apic_base & APIC_BASE_EXTD) ? 2 : 1;
}

static u64 page_base(struct fuzz_cpu *f)
{
	return f->apic_base & 0xfffff000ULL;
}

/* A vector an LVT, the IOAPIC or a fixed IPI may carry. */
static u32 pick_vector(struct fuzz_cpu *f, bool ipi)
{
	if (ipi && !no_illegal && chance(f, 4))
		return illegal_vectors[rnd_below(f, ARRAY_SIZE(illegal_vectors))];
	return FUZZ_VEC_LOW + rnd_below(f, 0xff - FUZZ_VEC_LOW);
}

/*
 * Bits 12 and 14 (delivery status, remote IRR) follow interrupt arrival;
 * they are left out of the hash for the registers that have them.
 */
static u64 det_mask(u32 reg)
{
	switch (reg) {
	case APIC_APR: case APIC_PPR: case APIC_TMCCT:
		return 0;
	case APIC_ESR:
		return ~(u64)ESR_RECV_ILLEGAL_VEC;
	case APIC_ICR:
		return ~(u64)(APIC_ICR_BUSY | BIT(14)) & 0xffffffffffffffffULL;
	case APIC_LVT_CMCI: case APIC_LVTT: case APIC_LVTTHMR:
	case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1: case APIC_LVTERR:
		return ~(u64)(BIT(12) | BIT(14));
	}
	if (reg >= APIC_ISR && reg < APIC_ESR)
		return 0;
	return ~0ULL;
}

static bool is_lvt(u32 reg)
{
	return reg == APIC_LVT_CMCI || (reg >= APIC_LVTT && reg <= APIC_LVTERR);
}

static u32 lvt_value(struct fuzz_cpu *f, u32 reg)
{
	u32 v = (u32)rnd(f) & ~0xffU & ~(7U << 8);
	static const u32 modes[] = { 0, 2, 4, 0, 5 };	/* fixed SMI NMI INIT */

	v |= pick_vector(f, false);
	if (reg != APIC_LVTT)
		v |= modes[rnd_below(f, ARRAY_SIZE(modes))] << 8;
	if ((v >> 8 & 7) == 2 && no_smi)
		v &= ~(7U << 8);
	/* LVT INIT: only LINT0/LINT1, not driven by anything here. */
	if ((v >> 8 & 7) == 5 &&
	    ((reg != APIC_LVT0 && reg != APIC_LVT1) || no_init))
		v &= ~(7U << 8);
	if (reg == APIC_LVTT && (v & (3U << 17)) == (3U << 17))
		v &= ~BIT(18);
	return v;
}

/*
 * An ICR value that cannot harm the guest's own ability to go on: no INIT
 * that may reach the BSP, SIPIs only to the trampolines, no ExtINT.
 * Returns the low word; *dest the destination (xAPIC: bits 31:24).
 */
static u32 icr_value(struct fuzz_cpu *f, unsigned int me, u32 *dest, bool x2)
{
	static const u32 modes[] = { 0, 1, 2, 3, 4, 5, 6, 0, 4, 6 };
	u32 mode = modes[rnd_below(f, ARRAY_SIZE(modes))];
	u32 sh = rnd_below(f, 4) << 18, lo, d;

	switch (rnd_below(f, 4)) {
	case 0:
		d = rnd_below(f, ncpus);
		break;
	case 1:
		d = x2 ? 0xffffffff : 0xff;
		break;
	case 2:
		d = 1U << rnd_below(f, 8);
		break;
	default:
		d = (u32)rnd(f);
		break;
	}
	if (!x2)
		d &= 0xff;
	lo = (u32)rnd(f) & (APIC_DEST_LOGICAL | APIC_INT_ASSERT |
			    APIC_INT_LEVEL);
	if (mode == 2 && no_smi)
		mode = 4;
	if (mode == 5) {
		/*
		 * INIT only where it cannot reach the BSP: physical to an
		 * AP, all-but-self from the BSP, self from an AP.
		 */
		if (no_init || ncpus == 1) {
			mode = 4;
		} else if (sh == APIC_SH_OTHERS && me == 0) {
			;
		} else if (sh == APIC_SH_SELF && me != 0) {
			;
		} else {
			sh = 0;
			lo &= ~APIC_DEST_LOGICAL;
			d = 1 + rnd_below(f, ncpus - 1);
		}
	}
	/*
	 * An NMI reaching an AP between its INIT and its own IDT (real
	 * mode, the trampoline, the way to long mode) goes through what is
	 * at address 0: the AP runs garbage or shuts the machine down, as
	 * on hardware. While INITs fly, NMIs go to the sender only.
	 */
	if (mode == 4 && inits_fly()) {
		sh = APIC_SH_SELF;
		lo &= ~APIC_DEST_LOGICAL;
	}
	lo |= mode << 8 | sh;
	if (mode == 6)
		lo |= sipi_vectors[rnd_below(f, ARRAY_SIZE(sipi_vectors))];
	else if (mode == 0 || mode == 1)
		lo |= pick_vector(f, true);
	else
		lo |= rnd_below(f, 256);	/* ignored by these modes */
	*dest = d;
	return lo;
}

/* --- xAPIC MMIO ------------------------------------------------------- */

/* One access of @w bytes (1, 2, 4 or 8) at @a. */
static u64 mmio_read(u64 a, unsigned int w)
{
	u64 v;

	if (w == 1)
		asm volatile("movzbq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	else if (w == 2)
		asm volatile("movzwq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	else if (w == 4)
		asm volatile("movl (%1), %k0" : "=r"(v) : "r"(a) : "memory");
	else
		asm volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static void mmio_write(u64 a, unsigned int w, u64 v)
{
	if (w == 1)
		asm volatile("movb %b0, (%1)" : : "r"(v), "r"(a) : "memory");
	else if (w == 2)
		asm volatile("movw %w0, (%1)" : : "r"(v), "r"(a) : "memory");
	else if (w == 4)
		asm volatile("movl %k0, (%1)" : : "r"(v), "r"(a) : "memory");
	else
		asm volatile("movq %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

/* A sanitized value for an aligned 32-bit write of xAPIC register @reg. */
static bool reg_value(struct fuzz_cpu *f, unsigned int me, u32 reg, u32 *v)
{
	u32 r = (u32)rnd(f);

	switch (reg) {
	case APIC_ID:
		/* The BSP keeps its ID: INITs avoid ID 0 only. */
		*v = r;
		return me != 0;
	case APIC_SVR:
		*v = (r & ~0xffU) | (0x2f + rnd_below(f, 0xd1));
		return true;
	case APIC_ICR: case APIC_SELF_IPI:
		return false;
	case APIC_TMICT:
		*v = chance(f, 70) ? rnd_below(f, 0x4000) : r;
		return true;
	case APIC_ESR: case APIC_EOI: case APIC_TPR: case APIC_LDR:
	case APIC_DFR: case APIC_TDCR: case APIC_ICR2:
		*v = r;
		return true;
	}
	if (is_lvt(reg)) {
		*v = lvt_value(f, reg);
		return true;
	}
	*v = r;
	return true;
}

static void op_mmio(struct fuzz_cpu *f, unsigned int me)
{
	u32 reg = rnd_below(f, 0x40) << 4, v;
	u64 a = page_base(f) + reg;

	if (chance(f, 50)) {
		u64 r = mmio_read(a, 4);

		observe(f, C_MMIO, reg, r & det_mask(reg) & 0xffffffff);
		return;
	}
	if (!reg_value(f, me, reg, &v))
		return;
	mmio_write(a, 4, v);
	observe(f, C_MMIO, reg | 1, v);
}

/* Unaligned, cross-register, other widths; writes get any value. */
static void op_odd(struct fuzz_cpu *f, unsigned int me)
{
	static const unsigned int widths[] = { 1, 2, 4, 8 };
	unsigned int w = widths[rnd_below(f, 4)];
	u32 off = rnd_below(f, 0x1000 - 8);
	u64 a = page_base(f) + off;

	(void)me;

	if (w == 4 && !(off & 0xf))
		off |= 1 + rnd_below(f, 3);
	a = page_base(f) + off;
	if (no_odd || chance(f, 50)) {
		u64 r = mmio_read(a, w);
		u32 slot = off & ~0xfU;
		bool det = det_mask(slot) == ~0ULL && !(slot >= 0x100 &&
							slot < 0x280);

		observe(f, C_ODD, off | (u64)w << 16, det ? r : 0);
		return;
	}
	mmio_write(a, w, rnd(f));
	observe(f, C_ODD, off | (u64)w << 16 | BIT(31), 0);
}

/* REP MOVS out of the page, REP STOS of bytes/words anywhere. */
static void op_string(struct fuzz_cpu *f, unsigned int me)
{
	static u32 buf[MAX_CPUS][64];
	u32 off = rnd_below(f, 0x40) << 4, n;
	u64 dst, src, v = rnd(f);

	(void)me;

	if (no_odd || chance(f, 50)) {
		n = 1 + rnd_below(f, 16);
		if (off + n * 4 > 0x1000)
			n = (0x1000 - off) / 4;
		src = page_base(f) + off;
		dst = (u64)buf[me];
		asm volatile("rep movsl" : "+S"(src), "+D"(dst), "+c"(n)
			     : : "memory");
		observe(f, C_STRING, off, 0);
		return;
	}
	n = 1 + rnd_below(f, 64);
	if (off + n * 2 > 0x1000)
		n = (0x1000 - off) / 2;
	dst = page_base(f) + off;
	if (chance(f, 50))
		asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(v)
			     : "memory");
	else
		asm volatile("rep stosw" : "+D"(dst), "+c"(n) : "a"(v)
			     : "memory");
	observe(f, C_STRING, off | BIT(31), 0);
}

/* --- x2APIC MSRs ---------------------------------------------------- */

static void op_msr(struct fuzz_cpu *f, unsigned int me)
{
	u32 idx = chance(f, 90) ? rnd_below(f, 0x40) : rnd_below(f, 0x100);
	u32 msr = 0x800 + idx, reg = idx << 4, lo = 0;
	u64 v = 0, val;
	int vec;

	if (chance(f, 50)) {
		vec = rdmsr_safe(msr, &v);
		f->faults += vec != 0;
		observe(f, C_MSR, msr, vec ? (u64)vec << 56 :
			v & (reg == APIC_ICR ? ~(u64)(APIC_ICR_BUSY | BIT(14)) :
			     det_mask(reg)));
		return;
	}
	val = rnd(f);
	if (chance(f, 60))
		val &= 0xffffffff;
	if (reg == APIC_ICR) {
		u32 d;

		lo = icr_value(f, me, &d, true);
		val = (u64)d << 32 | lo | (chance(f, 10) ? (val & 0xfff32000) : 0);
	} else if (reg == APIC_SELF_IPI) {
		val = pick_vector(f, true) | (chance(f, 10) ? val & ~0xffULL : 0);
	} else if (is_lvt(reg)) {
		/* Reserved bits only where they cannot make a vector. */
		val = lvt_value(f, reg) |
		      (chance(f, 10) ? val & ~0x7ffffULL : 0);
	} else if (reg == APIC_SVR) {
		val = (val & ~0xffULL) | (0x2f + rnd_below(f, 0xd1));
	} else if (reg == APIC_TMICT && chance(f, 70)) {
		val = rnd_below(f, 0x4000);
	} else if (reg == APIC_EOI && chance(f, 70)) {
		val = 0;
	}
	if (reg == APIC_ICR && !init_send_begin(lo))
		return;
	vec = wrmsr_safe(msr, val);
	if (reg == APIC_ICR)
		init_send_end(lo);
	f->faults += vec != 0;
	observe(f, C_MSR, msr | BIT(31), vec ? (u64)vec << 56 : val);
}

/* --- IA32_APIC_BASE ------------------------------------------------- */

static int write_base(struct fuzz_cpu *f, u64 v)
{
	int vec = wrmsr_safe(MSR_APIC_BASE, v);

	f->faults += vec != 0;
	f->apic_base = rdmsr(MSR_APIC_BASE);
	this_cpu()->x2apic = apic_mode(f) == 2;
	return vec;
}

static void op_base(struct fuzz_cpu *f, unsigned int me)
{
	u64 cur = rdmsr(MSR_APIC_BASE), keep = cur & APIC_BASE_BSP, v;
	u64 addr = APIC_DEFAULT_BASE;
	int vec;

	if (!no_relocate && chance(f, 20))
		addr = RELOC_BASE + (rnd_below(f, 16) << 12);
	switch (rnd_below(f, 7)) {
	case 0:	/* to xAPIC (legal from disabled and xAPIC) */
		v = addr | APIC_BASE_EN;
		break;
	case 1:	/* to x2APIC */
		v = (cur & ~0xfffULL) | APIC_BASE_EN | APIC_BASE_EXTD;
		if (!has_x2apic && chance(f, 50))
			v = cur;
		break;
	case 2:	/* disabled */
		v = cur & ~0xfffULL;
		break;
	case 3:	/* EXTD without EN: invalid */
		v = (cur & ~0xfffULL) | APIC_BASE_EXTD;
		break;
	case 4:	/* reserved bits */
		v = cur | (1ULL << (rnd_below(f, 64)));
		v &= ~(APIC_BASE_BSP);
		break;
	case 5:	/* back to the default page, mode kept */
		v = APIC_DEFAULT_BASE | (cur & 0xfff);
		break;
	default:	/* x2APIC to xAPIC directly: invalid */
		v = cur & ~APIC_BASE_EXTD;
		break;
	}
	v = (v & ~APIC_BASE_BSP) | keep;
	if (base_needs_init_lock(me, v)) {
		if (!owner_lock(&init_owner))
			return;
		vec = write_base(f, v);
		owner_unlock(&init_owner);
	} else {
		vec = write_base(f, v);
	}
	observe(f, C_BASE, v, (u64)vec << 56 | f->apic_base);
}

/* --- ICR -------------------------------------------------------------- */

static void op_icr(struct fuzz_cpu *f, unsigned int me)
{
	int mode = apic_mode(f);
	u32 lo, d;
	int vec = 0;

	lo = icr_value(f, me, &d, mode == 2);
	if (!init_send_begin(lo))
		return;
	if (mode == 2) {
		vec = wrmsr_safe(X2APIC_MSR(APIC_ICR), (u64)d << 32 | lo);
		f->faults += vec != 0;
	} else {
		mmio_write(page_base(f) + APIC_ICR2, 4, d << 24);
		mmio_write(page_base(f) + APIC_ICR, 4, lo);
	}
	init_send_end(lo);
	observe(f, C_ICR, lo, (u64)d | (u64)vec << 56);
}

/* --- timer ------------------------------------------------------------ */

static void apic_w(struct fuzz_cpu *f, u32 reg, u64 v)
{
	int vec = 0;

	if (apic_mode(f) == 2) {
		vec = wrmsr_safe(X2APIC_MSR(reg), v);
		f->faults += vec != 0;
	} else {
		mmio_write(page_base(f) + reg, 4, v);
	}
}

static u32 apic_r(struct fuzz_cpu *f, u32 reg)
{
	u64 v = 0;

	if (apic_mode(f) == 2) {
		f->faults += rdmsr_safe(X2APIC_MSR(reg), &v) != 0;
		return v;
	}
	return mmio_read(page_base(f) + reg, 4);
}

static void op_timer(struct fuzz_cpu *f, unsigned int me)
{
	u64 v;
	int vec;

	(void)me;

	switch (rnd_below(f, 4)) {
	case 0:
		v = lvt_value(f, APIC_LVTT);
		apic_w(f, APIC_LVTT, v);
		observe(f, C_TIMER, APIC_LVTT, v);
		break;
	case 1:
		v = rnd_below(f, 16);
		apic_w(f, APIC_TDCR, v);
		observe(f, C_TIMER, APIC_TDCR, v);
		break;
	case 2:
		v = chance(f, 80) ? rnd_below(f, 0x10000) : (u32)rnd(f);
		apic_w(f, APIC_TMICT, v);
		observe(f, C_TIMER, APIC_TMICT, v);
		break;
	default:
		v = rnd(f);
		if (chance(f, 25))
			v = 0;
		else if (chance(f, 30))
			v = 1;
		else if (chance(f, 50))
			v = rdtsc() + rnd_below(f, 1U << 20);
		vec = wrmsr_safe(MSR_TSC_DEADLINE, v);
		f->faults += vec != 0;
		observe(f, C_TIMER, MSR_TSC_DEADLINE, (u64)vec);
		break;
	}
}

/* --- TPR and CR8 ------------------------------------------------------ */

/*
 * CR8 is written with interrupts enabled, past the STI shadow: QEMU 7.2's
 * TCG SVM (the test VM's CPU) aborts on an assertion (iothread lock not
 * held, helper_write_crN() calling cpu_interrupt()) when a nested guest
 * writes CR8 while a virtual interrupt (V_IRQ) is pending, which KVM and
 * vlapic both set up as an interrupt window while IF is 0. With IF=1 any
 * such window is taken before the MOV. no=cr8 leaves CR8 alone.
 */
static void cr8_write(u64 v)
{
	if (!no_cr8)
		asm volatile("sti; nop; mov %0, %%cr8; cli"
			     : : "r"(v) : "memory");
}

static void op_tpr(struct fuzz_cpu *f, unsigned int me)
{
	u32 v;

	(void)me;

	switch (rnd_below(f, 3)) {
	case 0:
		v = rnd_below(f, 16);
		cr8_write(v);
		observe(f, C_TPR, 8, v);
		break;
	case 1:
		observe(f, C_TPR, 9, read_cr8());
		break;
	default:
		v = rnd_below(f, 256);
		apic_w(f, APIC_TPR, v);
		observe(f, C_TPR, APIC_TPR, apic_mode(f) ? apic_r(f, APIC_TPR)
			: 0);
		break;
	}
}

/* --- IOAPIC and pc-testdev ------------------------------------------- */

/*
 * The guest's two locks, each an int: 0 free, else the owner's index + 1.
 * An owner that an INIT took away waits for a SIPI, which only the BSP's
 * wait_all_finished() sends once its own operations are done: a waiter
 * that spun for as long as that loop waits gives up, and its operation
 * is skipped (never on one CPU, where nobody else holds a lock).
 */
static bool owner_lock(int *owner)
{
	int me = this_cpu()->idx + 1, free = 0;
	u64 t0 = rdtsc();

	while (!__atomic_compare_exchange_n(owner, &free, me, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		if (rdtsc() - t0 > QUIET_TSC * 4)
			return false;
		cpu_relax();
	}
	return true;
}

static void owner_unlock(int *owner)
{
	__atomic_store_n(owner, 0, __ATOMIC_RELEASE);
}

/* An INIT may have taken this CPU away while it held the lock. */
static void owner_unlock_if_mine(int *owner)
{
	int me = this_cpu()->idx + 1;

	__atomic_compare_exchange_n(owner, &me, 0, false, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
}

static u64 redir_value(struct fuzz_cpu *f)
{
	static const u32 modes[] = { 0, 1, 2, 4 };	/* fixed lowest SMI NMI */
	u64 v = rnd(f) & ~0x7ffULL & ~0x00fffffffffe0000ULL;
	u32 mode = modes[rnd_below(f, ARRAY_SIZE(modes))];

	if (mode == 2 && no_smi)
		mode = 0;
	/* No NMI from a pin while INITs fly: icr_value() says why. */
	if (mode == 4 && inits_fly())
		mode = 0;
	v |= pick_vector(f, false) | mode << 8;
	return v;
}

static void op_ioapic(struct fuzz_cpu *f, unsigned int me)
{
	u32 reg, v;
	u64 r;

	(void)me;

	if (!owner_lock(&ioapic_owner))
		return;
	switch (rnd_below(f, 5)) {
	case 0: case 1: {
		unsigned int pin = rnd_below(f, npins);

		r = redir_value(f);
		ioapic_redir_write(pin, r);
		observe(f, C_IOAPIC, pin | BIT(31), r);
		break;
	}
	case 2:
		reg = rnd_below(f, 0x40);
		r = ioapic_read(reg);
		if (reg >= 0x10)
			r &= ~(u64)(BIT(12) | BIT(14));
		observe(f, C_IOAPIC, reg, r);
		break;
	case 3:
		/* ID, version, arbitration, beyond the pins: any value */
		reg = rnd_below(f, 3);
		if (2 * npins < 0x30 && chance(f, 30))
			reg = 0x10 + 2 * npins + rnd_below(f, 0x30 - 2 * npins);
		v = (u32)rnd(f);
		ioapic_write(reg, v);
		observe(f, C_IOAPIC, reg | BIT(30), v);
		break;
	default:
		v = pick_vector(f, false);
		if (ioapic_eoi_reg)
			ioapic_eoi(v);
		observe(f, C_IOAPIC, BIT(29), v);
		break;
	}
	owner_unlock(&ioapic_owner);
}

static void op_line(struct fuzz_cpu *f, unsigned int me)
{
	unsigned int pin = rnd_below(f, nlines), level = rnd_below(f, 2);

	(void)me;

	set_irq_line(pin, level);
	observe(f, C_LINE, pin, level);
}

/* --- EOI and interrupt windows --------------------------------------- */

static void op_eoi(struct fuzz_cpu *f, unsigned int me)
{
	u64 v = chance(f, 80) ? 0 : rnd(f) & 0xffffffff;

	(void)me;

	apic_w(f, APIC_EOI, v);
	observe(f, C_EOI, v, apic_mode(f));
}

static void op_window(struct fuzz_cpu *f, unsigned int me)
{
	unsigned int n = 1 + rnd_below(f, 64);

	(void)me;

	f->window_irqs = 0;
	while (n--)
		sti_nop_cli();
	observe(f, C_WINDOW, 0, 0);
}

/*
 * Every interrupt: counted, and EOIed (through whatever mode the APIC is
 * in now) up to WINDOW_BUDGET per window, so that a level line held high
 * or a fast periodic timer cannot keep the CPU in its handlers.
 */
static void fuzz_irq(struct frame *fr)
{
	struct fuzz_cpu *f = &fc[this_cpu()->idx];
	u64 base = rdmsr(MSR_APIC_BASE);

	f->irqs++;
	f->illegal += fr->vector < 16;
	if (f->window_irqs++ >= WINDOW_BUDGET)
		return;
	if ((base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	    (APIC_BASE_EN | APIC_BASE_EXTD))
		wrmsr_safe(X2APIC_MSR(APIC_EOI), 0);
	else if (base & APIC_BASE_EN)
		mmio_write((base & 0xfffff000) + APIC_EOI, 4, 0);
}

/* --- the loop --------------------------------------------------------- */

static void (*const ops[NCLS])(struct fuzz_cpu *f, unsigned int me) = {
	[C_MMIO] = op_mmio, [C_ODD] = op_odd, [C_STRING] = op_string,
	[C_MSR] = op_msr, [C_BASE] = op_base, [C_ICR] = op_icr,
	[C_TIMER] = op_timer, [C_TPR] = op_tpr, [C_IOAPIC] = op_ioapic,
	[C_LINE] = op_line, [C_EOI] = op_eoi, [C_WINDOW] = op_window,
};

static enum cls pick_class(struct fuzz_cpu *f)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < NCLS; i++)
		total += cls_weight[i];
	r = rnd_below(f, total);
	for (i = 0; i < NCLS; i++) {
		if (r < cls_weight[i])
			return i;
		r -= cls_weight[i];
	}
	return C_MMIO;
}

static void quiesce(void *arg);

/*
 * Through disabled to xAPIC at the default page (the only way out of
 * x2APIC): on an AP, with init_owner held, as EN is clear in between. It
 * must get there, so it goes on without the lock if it cannot have it.
 */
static void base_to_default_xapic(void)
{
	u64 bsp = rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP;
	bool held = base_needs_init_lock(this_cpu()->idx, bsp) &&
		    owner_lock(&init_owner);

	wrmsr(MSR_APIC_BASE, bsp);
	wrmsr(MSR_APIC_BASE, bsp | APIC_DEFAULT_BASE | APIC_BASE_EN);
	if (held)
		owner_unlock(&init_owner);
}

/*
 * An AP that finished quiesces its own xAPIC before it says so: the last
 * operation may have left IA32_APIC_BASE.EN clear, and a globally
 * disabled local APIC takes no INIT or SIPI (SDM vol. 3 10.4.3), so the
 * BSP's restart_aps() could not reach it. The BSP quiesces itself in
 * main().
 */
static void fuzz_loop(struct fuzz_cpu *f, unsigned int me)
{
	f->apic_base = rdmsr(MSR_APIC_BASE);
	while (READ_ONCE(f->done) < nops) {
		enum cls c = pick_class(f);

		ops[c](f, me);
		f->count[c]++;
		WRITE_ONCE(f->done, f->done + 1);
	}
	if (me)
		quiesce(NULL);
	WRITE_ONCE(f->finished, 1);
}

static void fuzz_ap(void *arg)
{
	struct cpu *c = arg;

	fuzz_loop(&fc[c->idx], c->idx);
}

/*
 * An AP back from INIT and a SIPI: the runtime set up its xAPIC at the
 * default page (the INIT kept IA32_APIC_BASE, so that page may not have
 * been the APIC); put it there and go on with the operations.
 */
static void fuzz_restart(void *arg)
{
	struct cpu *c = arg;

	owner_unlock_if_mine(&ioapic_owner);
	owner_unlock_if_mine(&init_owner);
	c->x2apic = false;
	base_to_default_xapic();
	apic_setup_xapic();
	if (!READ_ONCE(fc[c->idx].finished))
		fuzz_loop(&fc[c->idx], c->idx);
}

/* Back to a quiet xAPIC at the default page; lines low, pins masked. */
static void quiesce(void *arg)
{
	unsigned int i;

	(void)arg;
	this_cpu()->x2apic = false;
	base_to_default_xapic();
	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP))
		apic_write(APIC_ID, this_cpu()->idx << 24);
	apic_setup_xapic();
	apic_write(APIC_LDR, 0);
	apic_write(APIC_DFR, 0xffffffff);
	if (has_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	cr8_write(0);
	for (i = 0; i < 64; i++)
		sti_nop_cli();
	apic_drain_isr();
}

static unsigned long parse_num(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

static bool word_is(const char *s, const char *w)
{
	while (*w && *s == *w) {
		s++;
		w++;
	}
	return !*w && (*s == ' ' || *s == ',' || *s == 0 || *s == '=');
}

static void parse_no(const char *p)
{
	for (;;) {
		no_illegal |= word_is(p, "illegal");
		no_smi |= word_is(p, "smi");
		no_init |= word_is(p, "init");
		no_relocate |= word_is(p, "relocate");
		no_odd |= word_is(p, "odd");
		no_cr8 |= word_is(p, "cr8");
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (*p != ',')
			return;
		p++;
	}
}

static void parse_word(const char *w)
{
	if (word_is(w, "seed") && w[4] == '=')
		seed = parse_num(w + 5);
	else if (word_is(w, "ops") && w[3] == '=')
		nops = parse_num(w + 4);
	else if (word_is(w, "lines") && w[5] == '=')
		nlines = parse_num(w + 6) ?: 1;
	else if (word_is(w, "trace"))
		trace = true;
	else if (word_is(w, "no") && w[2] == '=')
		parse_no(w + 3);
}

static void parse_cmdline(const char *s)
{
	while (*s) {
		while (*s == ' ')
			s++;
		if (*s)
			parse_word(s);
		while (*s && *s != ' ')
			s++;
	}
}

/*
 * INIT, INIT deassert and SIPI to every AP, by the all-but-self
 * shorthand: their xAPIC IDs are whatever the fuzzing left, and a
 * physical destination would miss an AP that changed its own.
 */
static void restart_aps(void)
{
	u32 init = APIC_SH_OTHERS | APIC_DM_INIT | APIC_INT_ASSERT |
		   APIC_INT_LEVEL;
	bool held = init_send_begin(init);

	apic_send_ipi(0, init);
	apic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_INIT | APIC_INT_LEVEL);
	if (held)
		init_send_end(init);
	apic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_SIPI | (TRAMP_BASE >> 12));
}

static bool wait_all_finished(void)
{
	unsigned long last[MAX_CPUS] = { 0 };
	u64 t0 = rdtsc(), tick = rdtsc();
	int i, pending, stuck;

	for (;;) {
		pending = 0;
		for (i = 1; i < ncpus; i++)
			pending += !READ_ONCE(fc[i].finished);
		if (!pending)
			return true;
		if (rdtsc() - t0 > 16 * TIMEOUT_TSC)
			return false;
		if (rdtsc() - tick < QUIET_TSC * 4) {
			cpu_relax();
			continue;
		}
		/*
		 * An AP that made no progress waits for a SIPI: start them
		 * all again (an AP's xAPIC ID may be anything by now, so by
		 * shorthand; the others go on where they were).
		 */
		stuck = 0;
		for (i = 1; i < ncpus; i++) {
			if (READ_ONCE(fc[i].finished) ||
			    READ_ONCE(fc[i].done) != last[i])
				last[i] = READ_ONCE(fc[i].done);
			else
				stuck++;
		}
		if (stuck)
			restart_aps();
		tick = rdtsc();
	}
}

static void self_ipi_works(void *arg)
{
	unsigned int *got = arg;
	unsigned int before = this_cpu()->irq_count[0x40];

	apic_send_ipi(0, APIC_SH_SELF | 0x40);
	sti_nop_cli();
	got[this_cpu()->idx] = this_cpu()->irq_count[0x40] - before;
}

int main(void)
{
	unsigned long total[NCLS] = { 0 }, faults = 0, irqs = 0, ops = 0;
	unsigned long illegal = 0;
	unsigned int got[MAX_CPUS] = { 0 };
	u64 all = 0;
	unsigned int i, v;
	int c, online;

	parse_cmdline(guest_cmdline());
	ncpus = smp_ncpus();
	has_x2apic = cpu_has_x2apic();
	has_deadline = cpu_has_tsc_deadline();
	npins = ioapic_pins();
	if (npins > 24)
		npins = 24;
	ioapic_eoi_reg = ioapic_version() >= 0x20;
	tap_diag("fuzz: seed %llu, %lu ops per CPU, %d CPUs%s%s%s%s%s%s",
		 seed, nops, ncpus, no_illegal ? ", no illegal" : "",
		 no_smi ? ", no SMI" : "", no_init ? ", no INIT" : "",
		 no_relocate ? ", no relocation" : "",
		 no_odd ? ", no odd writes" : "", no_cr8 ? ", no CR8 writes" : "");
	/* An SMI (where the CPU has SMM) returns at once. */
	mmio_write(SMM_ENTRY, 2, 0xaa0f);
	for (i = 0; i < ARRAY_SIZE(sipi_vectors); i++)
		smp_copy_trampoline(sipi_vectors[i] << 12);
	for (v = FUZZ_VEC_LOW; v < SPURIOUS_VECTOR; v++)
		set_handler(v, fuzz_irq);
	for (i = 0; i < ARRAY_SIZE(illegal_vectors); i++)
		set_handler(illegal_vectors[i], fuzz_irq);
	online = smp_init();
	tap_eq(online, ncpus, "every CPU starts");
	for (c = 0; c < ncpus; c++)
		fc[c].rng = (seed + 1) * 0x9e3779b97f4a7c15ULL ^
			    (u64)(c + 1) << 48;
	ap_start_hook = fuzz_restart;
	for (c = 1; c < ncpus; c++)
		on_cpu_async(c, fuzz_ap, &cpus[c]);
	fuzz_loop(&fc[0], 0);
	/* The BSP's APIC may be anywhere now: it sends the kicks. */
	quiesce(NULL);
	tap_ok(wait_all_finished(), "every CPU finishes its operations");
	ap_start_hook = NULL;
	/* Any AP may have been left waiting for SIPI: restart them all. */
	for (c = 1; c < ncpus; c++)
		WRITE_ONCE(cpus[c].online, 0);
	if (ncpus > 1)
		restart_aps();
	for (c = 1; c < ncpus; c++) {
		if (!cpu_wait_online(c))
			apic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_SIPI |
				      (TRAMP_BASE >> 12));
		tap_ok(cpu_wait_online(c), "CPU %d restarts after the fuzzing",
		       c);
	}

	for (c = 0; c < ncpus; c++)
		on_cpu(c, quiesce, NULL);
	for (i = 0; i < npins; i++)
		ioapic_redir_write(i, IOAPIC_MASKED);
	for (i = 0; i < nlines; i++)
		set_irq_line(i, 0);
	/*
	 * The illegal vectors keep their handler: where one was set in IRR
	 * anyway (QEMU, KVM), it may still arrive.
	 */
	for (v = FUZZ_VEC_LOW; v < SPURIOUS_VECTOR; v++)
		set_handler(v, NULL);
	for (c = 0; c < ncpus; c++)
		on_cpu(c, self_ipi_works, got);
	for (c = 0; c < ncpus; c++)
		tap_eq(got[c], 1, "CPU %d: a self-IPI after the fuzzing", c);

	for (c = 0; c < ncpus; c++) {
		ops += fc[c].done;
		faults += fc[c].faults;
		irqs += fc[c].irqs;
		illegal += fc[c].illegal;
		for (i = 0; i < NCLS; i++)
			total[i] += fc[c].count[i];
	}
	for (i = 0; i < NCLS; i++) {
		u64 h = 0;

		for (c = 0; c < ncpus; c++)
			h ^= fc[c].hash[i] * (2 * c + 1);
		all = (all ^ h) * 0x100000001b3ULL;
		tap_diag("fuzz %-6s %8lu ops hash 0x%016llx", cls_name[i],
			 total[i], h);
	}
	tap_diag("fuzz: %lu ops, %lu faults, %lu irqs (%lu at 0-15), %u starts of CPU 1",
		 ops, faults, irqs, illegal, ncpus > 1 ? cpus[1].starts : 0);
	tap_diag("fuzz hash: seed %llu cpus %d ops %lu: 0x%016llx", seed,
		 ncpus, nops, all);
	return 0;
}
