// SPDX-License-Identifier: GPL-2.0
/*
 * The vendor-neutral run loop's pure parts:
 *
 * vlapic_exit_insn	the instruction at an intercept (run/insn.c): lengths
 *			and MOV CR/DR operands. Every encoding of the table
 *			was checked once against objdump (binutils 2.40:
 *			`objdump -D -b binary -m i386:x86-64`, and `-m i386`
 *			for the 32-bit LOCK MOV CR0 form), which printed the
 *			mnemonic in the comment beside it.
 * vlapic_gpt		nested page tables (run/gpt.c) in the NPT format
 *			(svm/npt.c): what the CPU will walk.
 * vlapic_run_policy	SET_SREGS consistency checks, CPUID with the bits
 *			the module owns, the MSRs it keeps.
 */

#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>

#include <asm/tsc.h>

#include <vlapic/run.h>
#include <vlapic/svm.h>

#include "lapic_env.h"
#include "run_priv.h"

MODULE_IMPORT_NS(VLAPIC_INTERNAL);

/* --- vlapic_exit_insn --------------------------------------------------- */

struct exit_insn_case {
	const char *bytes;	/* as objdump prints them */
	enum emul_mode mode;
	int ret;
	u8 len;
	bool hlt;
	u8 num, reg;
	bool write, dr;
	bool pause;
};

static const struct exit_insn_case exit_insn_cases[] = {
	{ "f4", EMUL_MODE_LONG64, 0, 1, true },			/* hlt */
	{ "66f4", EMUL_MODE_LONG64, 0, 2, true },		/* data16 hlt */
	{ "0fa2", EMUL_MODE_LONG64, 0, 2 },			/* cpuid */
	{ "2e0fa2", EMUL_MODE_PROT32, 0, 3 },			/* cs cpuid */
	{ "0f32", EMUL_MODE_LONG64, 0, 2 },			/* rdmsr */
	{ "0f30", EMUL_MODE_REAL, 0, 2 },			/* wrmsr */
	{ "0f31", EMUL_MODE_LONG64, 0, 2 },			/* rdtsc */
	{ "0f33", EMUL_MODE_LONG64, 0, 2 },			/* rdpmc */
	{ "0f08", EMUL_MODE_LONG64, 0, 2 },			/* invd */
	{ "0f09", EMUL_MODE_LONG64, 0, 2 },			/* wbinvd */
	{ "0f01d9", EMUL_MODE_LONG64, 0, 3 },			/* vmmcall */
	{ "0f01c1", EMUL_MODE_LONG64, 0, 3 },			/* vmcall */
	{ "0f01f9", EMUL_MODE_LONG64, 0, 3 },			/* rdtscp */
	{ "0f01d1", EMUL_MODE_LONG64, 0, 3 },			/* xsetbv */
	{ "0f01c8", EMUL_MODE_LONG64, 0, 3 },			/* monitor */
	{ "0f01c9", EMUL_MODE_LONG64, 0, 3 },			/* mwait */
	{ "0f01d8", EMUL_MODE_LONG64, 0, 3 },			/* vmrun */
	{ "0f01df", EMUL_MODE_LONG64, 0, 3 },			/* invlpga */
	/* mov %rax,%cr8 */
	{ "440f22c0", EMUL_MODE_LONG64, 0, 4, false, 8, EMUL_RAX, true },
	/* mov %rdi,%cr8 */
	{ "440f22c7", EMUL_MODE_LONG64, 0, 4, false, 8, EMUL_RDI, true },
	/* mov %r8,%cr8 */
	{ "450f22c0", EMUL_MODE_LONG64, 0, 4, false, 8, EMUL_R8, true },
	/* mov %rax,%cr0 */
	{ "0f22c0", EMUL_MODE_LONG64, 0, 3, false, 0, EMUL_RAX, true },
	/* mov %eax,%cr8 (32-bit, AMD's LOCK MOV CR0) */
	{ "f00f22c0", EMUL_MODE_PROT32, 0, 4, false, 8, EMUL_RAX, true },
	/* mov %rax,%db7 */
	{ "0f23f8", EMUL_MODE_LONG64, 0, 3, false, 7, EMUL_RAX, true, true },
	/* mov %db1,%rax */
	{ "0f21c8", EMUL_MODE_LONG64, 0, 3, false, 1, EMUL_RAX, false, true },
	/* mov %r11,%db0 */
	{ "410f23c3", EMUL_MODE_LONG64, 0, 4, false, 0, EMUL_R11, true, true },
	/* pause, with a segment prefix, with an operand-size prefix */
	{ .bytes = "f390", .mode = EMUL_MODE_LONG64, .len = 2, .pause = true },
	{ .bytes = "2ef390", .mode = EMUL_MODE_LONG64, .len = 3, .pause = true },
	{ .bytes = "66f390", .mode = EMUL_MODE_PROT32, .len = 3, .pause = true },
	{ .bytes = "f390", .mode = EMUL_MODE_REAL, .len = 2, .pause = true },
	/* Not instructions the backends intercept: refused, never guessed. */
	{ "0f0b", EMUL_MODE_LONG64, -EINVAL },			/* ud2 */
	{ "0f01d0", EMUL_MODE_LONG64, -EINVAL },		/* xgetbv */
	{ "90", EMUL_MODE_LONG64, -EINVAL },			/* nop */
	{ "f290", EMUL_MODE_LONG64, -EINVAL },			/* repne nop */
	{ "0f", EMUL_MODE_LONG64, -EINVAL },			/* cut short */
	{ "0f01", EMUL_MODE_LONG64, -EINVAL },			/* cut short */
	/* 15 prefixes and an opcode: longer than an instruction may be. */
	{ "2e2e2e2e2e2e2e2e2e2e2e2e2e2e2ef4", EMUL_MODE_LONG64, -EINVAL },
};

static unsigned int hex_bytes(const char *s, u8 *out)
{
	unsigned int n = 0;

	while (s[0] && s[1] && n < 16) {
		if (hex2bin(&out[n], s, 1))
			break;
		n++;
		s += 2;
	}
	return n;
}

static void exit_insn_table(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_insn_cases); i++) {
		const struct exit_insn_case *c = &exit_insn_cases[i];
		struct vlapic_exit_insn out;
		u8 bytes[16];
		unsigned int n = hex_bytes(c->bytes, bytes);
		int ret = vlapic_insn_exit_decode(bytes, n, c->mode, &out);

		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "%s", c->bytes);
		if (ret || c->ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, out.len, c->len, "%s", c->bytes);
		KUNIT_EXPECT_EQ_MSG(test, out.hlt, c->hlt, "%s", c->bytes);
		KUNIT_EXPECT_EQ_MSG(test, out.pause, c->pause, "%s", c->bytes);
		if (c->len >= 3 && bytes[n - 3] == 0x0f &&
		    (bytes[n - 2] & 0xfc) == 0x20) {
			KUNIT_EXPECT_EQ_MSG(test, out.num, c->num, "%s", c->bytes);
			KUNIT_EXPECT_EQ_MSG(test, out.reg, c->reg, "%s", c->bytes);
			KUNIT_EXPECT_EQ_MSG(test, out.write, c->write, "%s",
					    c->bytes);
			KUNIT_EXPECT_EQ_MSG(test, out.dr, c->dr, "%s", c->bytes);
		}
	}
}

/* REX is a prefix only in 64-bit mode: 0x44 is INC ESP elsewhere. */
static void exit_insn_rex_only_long(struct kunit *test)
{
	static const u8 b[] = { 0x44, 0x0f, 0x22, 0xc0 };
	struct vlapic_exit_insn out;

	KUNIT_EXPECT_EQ(test, vlapic_insn_exit_decode(b, sizeof(b),
						      EMUL_MODE_PROT32, &out),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_insn_exit_decode(b, sizeof(b),
						      EMUL_MODE_LONG64, &out), 0);
	KUNIT_EXPECT_EQ(test, out.num, 8);
}

static struct kunit_case exit_insn_test_cases[] = {
	KUNIT_CASE(exit_insn_table),
	KUNIT_CASE(exit_insn_rex_only_long),
	{}
};

static struct kunit_suite exit_insn_suite = {
	.name = "vlapic_exit_insn",
	.test_cases = exit_insn_test_cases,
};

/* --- vlapic_gpt ---------------------------------------------------------- */

#define NPT_PRW		(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

/* Walk as the CPU does: every level present, RW and US (APM 15.25.5). */
static u64 npt_walk(struct kunit *test, const struct vlapic_gpt *gpt, u64 gpa)
{
	u64 *table = gpt->root;
	int level;

	for (level = 3; level > 0; level--) {
		u64 e = table[(gpa >> (12 + 9 * level)) & 511];

		if (!(e & _PAGE_PRESENT))
			return 0;
		KUNIT_EXPECT_EQ(test, e & NPT_PRW, NPT_PRW);
		KUNIT_EXPECT_FALSE(test, e & _PAGE_PSE);
		table = __va(e & PTE_PFN_MASK);
	}
	return table[(gpa >> 12) & 511];
}

static void gpt_map_lookup_unmap(struct kunit *test)
{
	struct vlapic_gpt gpt;
	struct page *pg = alloc_page(GFP_KERNEL);
	phys_addr_t pa;
	u64 e;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	pa = page_to_phys(pg);
	KUNIT_ASSERT_EQ(test, vlapic_gpt_init(&gpt, &svm_npt_format), 0);
	KUNIT_EXPECT_EQ(test, gpt.pages, 1);

	KUNIT_EXPECT_EQ(test, vlapic_gpt_map(&gpt, 0x12345000, pa, true), 0);
	/* Root, PDPT, PD and PT: four pages for the first mapping. */
	KUNIT_EXPECT_EQ(test, gpt.pages, 4);
	e = npt_walk(test, &gpt, 0x12345000);
	KUNIT_EXPECT_EQ(test, e & PTE_PFN_MASK, pa);
	KUNIT_EXPECT_EQ(test, e & NPT_PRW, NPT_PRW);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_NX);
	KUNIT_EXPECT_EQ(test, vlapic_gpt_lookup(&gpt, 0x12345000), e);
	/* Neighbours are not mapped. */
	KUNIT_EXPECT_EQ(test, npt_walk(test, &gpt, 0x12344000), 0);
	KUNIT_EXPECT_EQ(test, npt_walk(test, &gpt, 0x12346000), 0);

	/* A read-only mapping: present and user, not writable. */
	KUNIT_EXPECT_EQ(test, vlapic_gpt_map(&gpt, 0x12346000, pa, false), 0);
	e = npt_walk(test, &gpt, 0x12346000);
	KUNIT_EXPECT_EQ(test, e & NPT_PRW, (u64)(_PAGE_PRESENT | _PAGE_USER));
	KUNIT_EXPECT_EQ(test, gpt.pages, 4);

	/* Far apart: a new PDPT entry's tables; top of the 48-bit space. */
	KUNIT_EXPECT_EQ(test, vlapic_gpt_map(&gpt, 0xfffffffff000ULL, pa, true),
			0);
	KUNIT_EXPECT_EQ(test, gpt.pages, 7);
	KUNIT_EXPECT_EQ(test, npt_walk(test, &gpt, 0xfffffffff000ULL) &
			PTE_PFN_MASK, pa);
	KUNIT_EXPECT_EQ(test, vlapic_gpt_map(&gpt, 1ULL << 48, pa, true),
			-EINVAL);

	vlapic_gpt_unmap(&gpt, 0x12345000);
	KUNIT_EXPECT_EQ(test, npt_walk(test, &gpt, 0x12345000), 0);
	KUNIT_EXPECT_NE(test, npt_walk(test, &gpt, 0x12346000), 0);
	/* Unmapping what was never mapped allocates nothing. */
	vlapic_gpt_unmap(&gpt, 0x7000000000ULL);
	KUNIT_EXPECT_EQ(test, gpt.pages, 7);

	/* Teardown frees every table (kmemleak checks after the suites). */
	vlapic_gpt_destroy(&gpt);
	KUNIT_EXPECT_NULL(test, gpt.root);
	KUNIT_EXPECT_EQ(test, gpt.pages, 0);
	__free_page(pg);
}

/* 4 MiB of guest memory page by page: one PT per 2 MiB. */
static void gpt_dense_region(struct kunit *test)
{
	struct vlapic_gpt gpt;
	struct page *pg = alloc_page(GFP_KERNEL);
	u64 gpa;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_ASSERT_EQ(test, vlapic_gpt_init(&gpt, &svm_npt_format), 0);
	for (gpa = 0; gpa < (4 << 20); gpa += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, vlapic_gpt_map(&gpt, gpa,
						     page_to_phys(pg), true), 0);
	KUNIT_EXPECT_EQ(test, gpt.pages, 1 + 1 + 1 + 2);
	for (gpa = 0; gpa < (4 << 20); gpa += 511 * PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, npt_walk(test, &gpt, gpa) & PTE_PFN_MASK,
				page_to_phys(pg));
	vlapic_gpt_destroy(&gpt);
	__free_page(pg);
}

static struct kunit_case gpt_test_cases[] = {
	KUNIT_CASE(gpt_map_lookup_unmap),
	KUNIT_CASE(gpt_dense_region),
	{}
};

static struct kunit_suite gpt_suite = {
	.name = "vlapic_gpt",
	.test_cases = gpt_test_cases,
};

/* --- vlapic_run_policy ------------------------------------------------- */

struct policy {
	struct vlapic_vm_run vm;
	struct vlapic_vcpu_run vcpu;
	struct vlapic_run_ops ops;
	struct lapic_env *env;
	u64 cr4;
	unsigned int tsc_changes;
	u64 backend_msr;
};

static struct policy *policy_of(struct vlapic_vcpu_run *vcpu)
{
	return container_of(vcpu, struct policy, vcpu);
}

static void policy_get_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->cr0 = X86_CR0_PE;
	cpu->cr4 = policy_of(vcpu)->cr4;
}

static int policy_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data)
{
	if (index != MSR_STAR)
		return -ENOENT;
	*data = policy_of(vcpu)->backend_msr;
	return 0;
}

static int policy_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
			  bool host)
{
	if (index != MSR_STAR)
		return -ENOENT;
	policy_of(vcpu)->backend_msr = data;
	return 0;
}

static void policy_tsc_changed(struct vlapic_vcpu_run *vcpu)
{
	policy_of(vcpu)->tsc_changes++;
}

static struct policy *policy_new(struct kunit *test, bool x2apic,
				 bool tsc_deadline)
{
	struct policy *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->env = env_create(test, 1, NULL, NULL);
	p->ops.get_cpu_state = policy_get_cpu;
	p->ops.get_msr = policy_get_msr;
	p->ops.set_msr = policy_set_msr;
	p->ops.tsc_changed = policy_tsc_changed;
	p->vm.ops = &p->ops;
	p->vm.x2apic = x2apic;
	p->vm.tsc_deadline = tsc_deadline;
	p->vcpu.vm = &p->vm;
	p->vcpu.vlapic = p->env->v[0];
	p->vcpu.apic_id = 0x2a;
	return p;
}

static void policy_vcpu_reset(struct vlapic_vcpu_run *vcpu, bool init)
{
}

/*
 * An exit that cut an interrupt's delivery short left it in pending_irq
 * for the next entry; INIT (and RESET) ends it with the rest of the
 * processor state, as do the exception and NMI state.
 */
static void policy_init_drops_cut_short_interrupt(struct kunit *test)
{
	struct policy *p = policy_new(test, false, false);

	p->ops.vcpu_reset = policy_vcpu_reset;
	p->vcpu.pending_irq = 0x31;
	p->vcpu.exc.pending = true;
	p->vcpu.nmi_masked = true;
	p->vcpu.halted = true;
	vlapic_run_reset(&p->vcpu, true);
	KUNIT_EXPECT_EQ(test, p->vcpu.pending_irq, -1);
	KUNIT_EXPECT_FALSE(test, p->vcpu.exc.pending);
	KUNIT_EXPECT_FALSE(test, p->vcpu.nmi_masked);
	KUNIT_EXPECT_FALSE(test, p->vcpu.halted);
	KUNIT_EXPECT_EQ(test, p->vcpu.rip, 0xfff0);

	p->vcpu.pending_irq = 0x40;
	vlapic_run_reset(&p->vcpu, false);
	KUNIT_EXPECT_EQ(test, p->vcpu.pending_irq, -1);
}

static void policy_set_table(struct kunit *test, struct policy *p,
			     const struct vlapic_cpuid_entry2 *e, u32 n)
{
	p->vcpu.cpuid = kunit_kmalloc_array(test, n, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->vcpu.cpuid);
	memcpy(p->vcpu.cpuid, e, n * sizeof(*e));
	p->vcpu.nr_cpuid = n;
}

static void policy_cpuid_owned_bits(struct kunit *test)
{
	/* The VMM offers everything, including what the VM has not. */
	const struct vlapic_cpuid_entry2 table[] = {
		{ .function = 1, .eax = 0x600f12, .ebx = 0xff0800,
		  .ecx = BIT(21) | BIT(24) | BIT(27) | BIT(31),
		  .edx = BIT(9) | BIT(0) },
		{ .function = 0xb, .index = 1,
		  .flags = VLAPIC_CPUID_FLAG_SIGNIFCANT_INDEX, .ecx = 0x201 },
		{ .function = 0x80000001, .ecx = BIT(2) | BIT(0) },
	};
	struct policy *p = policy_new(test, false, true);
	u32 a, b, c, d;

	policy_set_table(test, p, table, ARRAY_SIZE(table));
	vlapic_run_cpuid_lookup(&p->vcpu, 1, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_EQ(test, a, 0x600f12);
	KUNIT_EXPECT_EQ(test, b, 0x2aff0800);		/* initial APIC ID */
	KUNIT_EXPECT_FALSE(test, c & BIT(21));		/* no x2APIC VM */
	KUNIT_EXPECT_TRUE(test, c & BIT(24));		/* TSC-deadline VM */
	KUNIT_EXPECT_FALSE(test, c & BIT(27));		/* CR4.OSXSAVE clear */
	KUNIT_EXPECT_TRUE(test, c & BIT(31));		/* the VMM's own bit */
	KUNIT_EXPECT_TRUE(test, d & BIT(9));		/* APIC enabled */

	p->cr4 = X86_CR4_OSXSAVE;
	vlapic_run_cpuid_lookup(&p->vcpu, 1, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_TRUE(test, c & BIT(27));

	/* IA32_APIC_BASE.EN clear: CPUID.1:EDX.APIC reads 0. */
	KUNIT_ASSERT_EQ(test, vlapic_msr_write(p->vcpu.vlapic,
					       VLAPIC_MSR_APIC_BASE,
					       VLAPIC_DEFAULT_BASE |
					       VLAPIC_BASE_BSP), VLAPIC_ACCESS_OK);
	vlapic_run_cpuid_lookup(&p->vcpu, 1, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_FALSE(test, d & BIT(9));
	KUNIT_EXPECT_TRUE(test, d & BIT(0));

	/* Leaf 0xb: the subleaf must match; EDX is the x2APIC ID. */
	vlapic_run_cpuid_lookup(&p->vcpu, 0xb, 1, &a, &b, &c, &d);
	KUNIT_EXPECT_EQ(test, c, 0x201);
	KUNIT_EXPECT_EQ(test, d, 0x2a);
	vlapic_run_cpuid_lookup(&p->vcpu, 0xb, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_EQ(test, d, 0x2a);

	/* No nested SVM, whatever the table says. */
	vlapic_run_cpuid_lookup(&p->vcpu, 0x80000001, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_EQ(test, c, BIT(0));
	/* A leaf not in the table reads as zeros. */
	vlapic_run_cpuid_lookup(&p->vcpu, 0x40000000, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_EQ(test, a | b | c | d, 0);
}

/* x2APIC is offered only when both the VM and the table have it. */
static void policy_cpuid_x2apic(struct kunit *test)
{
	const struct vlapic_cpuid_entry2 with = { .function = 1,
						  .ecx = BIT(21) };
	const struct vlapic_cpuid_entry2 without = { .function = 1 };
	struct policy *p = policy_new(test, true, false);
	u32 a, b, c, d;

	policy_set_table(test, p, &with, 1);
	vlapic_run_cpuid_lookup(&p->vcpu, 1, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_TRUE(test, c & BIT(21));
	KUNIT_EXPECT_FALSE(test, c & BIT(24));	/* VM without TSC-deadline */
	policy_set_table(test, p, &without, 1);
	vlapic_run_cpuid_lookup(&p->vcpu, 1, 0, &a, &b, &c, &d);
	KUNIT_EXPECT_FALSE(test, c & BIT(21));
}

static void policy_msrs(struct kunit *test)
{
	struct policy *p = policy_new(test, false, false);
	u64 v = 0, before, after;

	/* The vLAPIC's MSRs go to the vLAPIC, with its #GP rules. */
	KUNIT_EXPECT_EQ(test, vlapic_run_get_msr(&p->vcpu, MSR_IA32_APICBASE,
						 &v, false), 0);
	KUNIT_EXPECT_EQ(test, v & VLAPIC_BASE_ADDR_MASK, VLAPIC_DEFAULT_BASE);
	KUNIT_EXPECT_EQ(test, vlapic_run_get_msr(&p->vcpu, 0x808, &v, false),
			1);	/* x2APIC TPR in xAPIC mode: #GP */
	KUNIT_EXPECT_EQ(test, vlapic_run_get_msr(&p->vcpu, MSR_IA32_TSC_DEADLINE,
						 &v, false), 0);
	KUNIT_EXPECT_EQ(test, v, 0);	/* not in TSC-deadline mode */

	/* TSC_AUX: 32 bits; the upper half is reserved. */
	KUNIT_EXPECT_EQ(test, vlapic_run_set_msr(&p->vcpu, MSR_TSC_AUX, 7,
						 false), 0);
	KUNIT_EXPECT_EQ(test, vlapic_run_set_msr(&p->vcpu, MSR_TSC_AUX,
						 1ULL << 32, false), 1);
	KUNIT_EXPECT_EQ(test, vlapic_run_get_msr(&p->vcpu, MSR_TSC_AUX, &v,
						 false), 0);
	KUNIT_EXPECT_EQ(test, v, 7);

	/* IA32_TSC: a write moves this vCPU's offset, and tells the backend. */
	p->vm.tsc_base = rdtsc();
	KUNIT_EXPECT_EQ(test, vlapic_run_set_msr(&p->vcpu, MSR_IA32_TSC,
						 1ULL << 50, false), 0);
	KUNIT_EXPECT_EQ(test, p->tsc_changes, 1);
	vlapic_run_get_msr(&p->vcpu, MSR_IA32_TSC, &before, false);
	vlapic_run_get_msr(&p->vcpu, MSR_IA32_TSC, &after, false);
	KUNIT_EXPECT_GE(test, before, 1ULL << 50);
	KUNIT_EXPECT_GE(test, after, before);

	/* The backend's MSRs go to the backend; the rest is unknown. */
	KUNIT_EXPECT_EQ(test, vlapic_run_set_msr(&p->vcpu, MSR_STAR, 0x1234,
						 true), 0);
	KUNIT_EXPECT_EQ(test, p->backend_msr, 0x1234);
	KUNIT_EXPECT_EQ(test, vlapic_run_get_msr(&p->vcpu, MSR_IA32_MCG_CAP,
						 &v, false), -ENOENT);
	KUNIT_EXPECT_EQ(test, vlapic_run_set_msr(&p->vcpu, MSR_IA32_MCG_CAP,
						 0, true), -ENOENT);
}

static struct vlapic_sregs *sregs_flat32(struct kunit *test)
{
	struct vlapic_sregs *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cs.present = 1;
	s->cs.db = 1;
	s->cr0 = X86_CR0_PE | X86_CR0_ET;
	return s;
}

static void policy_sregs(struct kunit *test)
{
	struct vlapic_sregs *s = sregs_flat32(test);

	KUNIT_EXPECT_TRUE(test, vlapic_run_sregs_valid(s));
	/* Long mode: LMA = LME && PG, PAE, CS not both L and D. */
	s->cr0 |= X86_CR0_PG;
	s->cr4 = X86_CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
	s->cs.db = 0;
	s->cs.l = 1;
	KUNIT_EXPECT_TRUE(test, vlapic_run_sregs_valid(s));
	s->cs.db = 1;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cs.db = 0;
	s->cr4 = 0;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cr4 = X86_CR4_PAE;
	s->efer = EFER_LME;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->efer = EFER_LME | EFER_LMA | EFER_SVME;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));

	s = sregs_flat32(test);
	s->cr0 = X86_CR0_PG;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cr0 = X86_CR0_PE | X86_CR0_NW;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cr0 = X86_CR0_PE | 1ULL << 32;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s = sregs_flat32(test);
	s->cr4 = X86_CR4_VMXE;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cr4 = X86_CR4_LA57;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s = sregs_flat32(test);
	s->cr3 = 1ULL << 52;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s = sregs_flat32(test);
	s->cr8 = 16;
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
	s->cr8 = 15;
	s->interrupt_bitmap[1] = BIT_ULL(3);
	KUNIT_EXPECT_TRUE(test, vlapic_run_sregs_valid(s));
	s->interrupt_bitmap[2] = BIT_ULL(0);
	KUNIT_EXPECT_FALSE(test, vlapic_run_sregs_valid(s));
}

static struct kunit_case policy_test_cases[] = {
	KUNIT_CASE(policy_init_drops_cut_short_interrupt),
	KUNIT_CASE(policy_cpuid_owned_bits),
	KUNIT_CASE(policy_cpuid_x2apic),
	KUNIT_CASE(policy_msrs),
	KUNIT_CASE(policy_sregs),
	{}
};

static struct kunit_suite policy_suite = {
	.name = "vlapic_run_policy",
	.test_cases = policy_test_cases,
	.exit = env_exit,
};

kunit_test_suites(&exit_insn_suite, &gpt_suite, &policy_suite);
