// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_emulate: emul_execute(), emul_linear() and emul_fetch()
 * (emul/emulate.c) against the fake guest of emul_env.c: RAM in a buffer
 * and a device that logs its accesses and can exit to "userspace".
 *
 * Results and flags of ALU, TEST, NOT/NEG/INC/DEC, BT*, CMPXCHG and XADD
 * are compared with what this CPU computes for the same operation (the
 * real instruction in inline assembly), not with values written here;
 * flags the SDM leaves undefined are masked (AF after AND/OR/XOR/TEST;
 * all but CF after BT*).
 */

#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/limits.h>
#include <linux/string.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include <vlapic/emul.h>

#include "emul_env.h"

#define ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
		 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)
#define MMIO	ENV_MMIO_BASE
#define RAX	EMUL_RAX
#define RCX	EMUL_RCX
#define RDX	EMUL_RDX
#define RBX	EMUL_RBX
#define RSP	EMUL_RSP
#define RBP	EMUL_RBP
#define RSI	EMUL_RSI
#define RDI	EMUL_RDI

/* Decode @n bytes in the CPU's mode (must succeed) into @insn. */
static void decode(struct kunit *test, struct emul_env *env, const u8 *bytes,
		   unsigned int n, struct emul_insn *insn)
{
	struct emul_fault fault;

	KUNIT_ASSERT_EQ(test, emul_decode(bytes, n, emul_cpu_mode(&env->cpu),
					  insn, &fault), EMUL_OK);
	KUNIT_ASSERT_EQ(test, insn->len, n);
}

static int exec_bytes(struct kunit *test, struct emul_env *env,
		      const u8 *bytes, unsigned int n, struct emul_fault *fault)
{
	struct emul_insn insn;

	decode(test, env, bytes, n, &insn);
	return emul_execute(&env->cpu, &insn, &env_ops, env, fault);
}

/* Decode @hex and execute it once. */
static int run(struct kunit *test, struct emul_env *env, const char *hex,
	       struct emul_fault *fault)
{
	u8 bytes[EMUL_MAX_INSN_LEN + 1];

	return exec_bytes(test, env, bytes, env_hex(hex, bytes), fault);
}

/* run() that must complete: EMUL_OK and RIP past the instruction. */
static void run_ok(struct kunit *test, struct emul_env *env, const char *hex)
{
	u8 bytes[EMUL_MAX_INSN_LEN + 1];
	unsigned int n = env_hex(hex, bytes);
	struct emul_fault fault;
	u64 rip = env->cpu.rip;

	KUNIT_EXPECT_EQ_MSG(test, exec_bytes(test, env, bytes, n, &fault),
			    EMUL_OK, "%s", hex);
	KUNIT_EXPECT_EQ_MSG(test, env->cpu.rip, rip + n, "%s", hex);
}

static struct emul_env *long_env(struct kunit *test)
{
	struct emul_env *env = env_new(test);

	env_long64(env);
	env->cpu.rip = 0x401000;
	return env;
}

static void expect_log(struct kunit *test, struct emul_env *env,
		       unsigned int i, bool write, u64 gpa, unsigned int len,
		       u64 val)
{
	KUNIT_ASSERT_LE(test, i + 1, env->nr_log);
	KUNIT_EXPECT_EQ_MSG(test, env->log[i].write, write, "access %u", i);
	KUNIT_EXPECT_EQ_MSG(test, env->log[i].gpa, gpa, "access %u", i);
	KUNIT_EXPECT_EQ_MSG(test, env->log[i].len, len, "access %u", i);
	KUNIT_EXPECT_EQ_MSG(test, env->log[i].val, val, "access %u", i);
}

/* MOV in every size and form: what the device sees, what registers get. */
static void emulate_mov(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	u64 reg = MMIO + 0x300;

	gpr[RAX] = 0x1122334455667788ULL;
	gpr[RSP] = 0xaaaaaaaaaaaaaa99ULL;
	gpr[RBX] = reg;
	env->cpu.rflags |= X86_EFLAGS_RF;

	run_ok(test, env, "89 03");
	expect_log(test, env, 0, true, reg, 4, 0x55667788);
	KUNIT_EXPECT_FALSE(test, env->cpu.rflags & X86_EFLAGS_RF);
	run_ok(test, env, "48 89 03");
	expect_log(test, env, 1, true, reg, 8, 0x1122334455667788ULL);
	run_ok(test, env, "66 89 03");
	expect_log(test, env, 2, true, reg, 2, 0x7788);
	run_ok(test, env, "88 23");		/* AH */
	expect_log(test, env, 3, true, reg, 1, 0x77);
	run_ok(test, env, "40 88 23");		/* SPL */
	expect_log(test, env, 4, true, reg, 1, 0x99);
	run_ok(test, env, "48 c7 43 08 80 ff ff ff");	/* sign-extended */
	expect_log(test, env, 5, true, reg + 8, 8, 0xffffffffffffff80ULL);
	run_ok(test, env, "c6 43 10 ab");
	expect_log(test, env, 6, true, reg + 0x10, 1, 0xab);
	run_ok(test, env, "0f c3 43 18");	/* MOVNTI */
	expect_log(test, env, 7, true, reg + 0x18, 4, 0x55667788);

	/* loads: 32-bit zero-extends, 8 and 16 bits merge */
	env_mmio_set(env, reg, 0xa1b2c3d4e5f68718ULL, 8);
	run_ok(test, env, "8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xe5f68718ULL);
	gpr[RAX] = 0x1122334455667788ULL;
	run_ok(test, env, "66 8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x1122334455668718ULL);
	run_ok(test, env, "8a 23");		/* AH */
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x1122334455661818ULL);
	run_ok(test, env, "48 8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xa1b2c3d4e5f68718ULL);
	run_ok(test, env, "4c 8b 7b 00");	/* R15 */
	KUNIT_EXPECT_EQ(test, gpr[EMUL_R15], 0xa1b2c3d4e5f68718ULL);

	/* MOVZX, MOVSX, MOVSXD */
	gpr[RCX] = ~0ULL;
	run_ok(test, env, "0f b6 0b");
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0x18);
	run_ok(test, env, "48 0f be 4b 01");	/* 0x87 */
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xffffffffffffff87ULL);
	run_ok(test, env, "0f bf 4b 01");	/* 0xf687 */
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xfffff687ULL);
	gpr[RCX] = ~0ULL;
	run_ok(test, env, "66 0f b6 4b 01");
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xffffffffffff0087ULL);
	run_ok(test, env, "48 63 4b 04");	/* 0xa1b2c3d4 */
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xffffffffa1b2c3d4ULL);
	gpr[RCX] = ~0ULL;
	run_ok(test, env, "63 4b 04");		/* no REX.W: a 32-bit MOV */
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xa1b2c3d4ULL);

	/* moffs, RIP-relative, FS base, index and scale */
	env_clear_log(env);
	run_ok(test, env, "48 a1 00 03 e0 fe 00 00 00 00");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xa1b2c3d4e5f68718ULL);
	run_ok(test, env, "a2 08 03 e0 fe 00 00 00 00");
	expect_log(test, env, 1, true, reg + 8, 1, 0x18);
	env->cpu.rip = 0xfed00000;
	run_ok(test, env, "8b 05 fa 02 10 00");	/* RIP + 6 + 0x1002fa */
	expect_log(test, env, 2, false, reg, 4, 0xe5f68718);
	env->cpu.seg[EMUL_FS].base = 0x100;
	gpr[RBX] = reg - 0x100;
	run_ok(test, env, "64 8b 03");
	expect_log(test, env, 3, false, reg, 4, 0xe5f68718);
	gpr[RBX] = MMIO;
	gpr[RSI] = 0x50;
	run_ok(test, env, "8b 44 b3 c0");	/* MMIO + 0x50 * 4 - 0x40 */
	expect_log(test, env, 4, false, MMIO + 0x100, 4, 0);
	KUNIT_EXPECT_EQ(test, env->nr_log, 5);
}

/* XCHG: read, then write; the register gets the old value. */
static void emulate_xchg(struct kunit *test)
{
	struct emul_env *env = long_env(test);

	env->cpu.gpr[RBX] = MMIO + 0x20;
	env->cpu.gpr[RCX] = 0x1111222233334444ULL;
	env_mmio_set(env, MMIO + 0x20, 0xdeadbeef, 4);
	run_ok(test, env, "f0 87 0b");
	KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], 0xdeadbeef);
	expect_log(test, env, 0, false, MMIO + 0x20, 4, 0xdeadbeef);
	expect_log(test, env, 1, true, MMIO + 0x20, 4, 0x33334444);
	run_ok(test, env, "86 2b");		/* CH */
	KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], 0xdead44ef);
	expect_log(test, env, 3, true, MMIO + 0x20, 1, 0xbe);
}

/*
 * The CPU's result and RFLAGS for "insn b, a" with CF = @cf first; @oc
 * and @ic are the output and input constraints for @type.
 */
#define CPU_OP2(insn, type, oc, ic)					\
	({								\
		type a_ = *d, b_ = s;					\
		unsigned long f_;					\
		asm volatile("bt $0, %[c]\n\t"				\
			     insn " %[b], %[a]\n\t"			\
			     "pushf\n\t"				\
			     "pop %[f]"					\
			     : [a] oc(a_), [f] "=&r"(f_)		\
			     : [b] ic(b_), [c] "r"(cf)			\
			     : "cc");					\
		*d = a_;						\
		f_;							\
	})

#define OPSZ(op, size)	((op) << 4 | (size))

/* The CPU's result (*@d) and flags for @alu (EMUL_ALU_*) of *@d, @s. */
static unsigned long cpu_alu(unsigned int alu, unsigned int size, u64 *d,
			     u64 s, unsigned long cf)
{
	switch (OPSZ(alu, size)) {
	case OPSZ(EMUL_ALU_ADD, 1):
		return CPU_OP2("add", u8, "+q", "q");
	case OPSZ(EMUL_ALU_ADD, 2):
		return CPU_OP2("add", u16, "+r", "r");
	case OPSZ(EMUL_ALU_ADD, 4):
		return CPU_OP2("add", u32, "+r", "r");
	case OPSZ(EMUL_ALU_ADD, 8):
		return CPU_OP2("add", u64, "+r", "r");
	case OPSZ(EMUL_ALU_OR, 1):
		return CPU_OP2("or", u8, "+q", "q");
	case OPSZ(EMUL_ALU_OR, 2):
		return CPU_OP2("or", u16, "+r", "r");
	case OPSZ(EMUL_ALU_OR, 4):
		return CPU_OP2("or", u32, "+r", "r");
	case OPSZ(EMUL_ALU_OR, 8):
		return CPU_OP2("or", u64, "+r", "r");
	case OPSZ(EMUL_ALU_ADC, 1):
		return CPU_OP2("adc", u8, "+q", "q");
	case OPSZ(EMUL_ALU_ADC, 2):
		return CPU_OP2("adc", u16, "+r", "r");
	case OPSZ(EMUL_ALU_ADC, 4):
		return CPU_OP2("adc", u32, "+r", "r");
	case OPSZ(EMUL_ALU_ADC, 8):
		return CPU_OP2("adc", u64, "+r", "r");
	case OPSZ(EMUL_ALU_SBB, 1):
		return CPU_OP2("sbb", u8, "+q", "q");
	case OPSZ(EMUL_ALU_SBB, 2):
		return CPU_OP2("sbb", u16, "+r", "r");
	case OPSZ(EMUL_ALU_SBB, 4):
		return CPU_OP2("sbb", u32, "+r", "r");
	case OPSZ(EMUL_ALU_SBB, 8):
		return CPU_OP2("sbb", u64, "+r", "r");
	case OPSZ(EMUL_ALU_AND, 1):
		return CPU_OP2("and", u8, "+q", "q");
	case OPSZ(EMUL_ALU_AND, 2):
		return CPU_OP2("and", u16, "+r", "r");
	case OPSZ(EMUL_ALU_AND, 4):
		return CPU_OP2("and", u32, "+r", "r");
	case OPSZ(EMUL_ALU_AND, 8):
		return CPU_OP2("and", u64, "+r", "r");
	case OPSZ(EMUL_ALU_SUB, 1):
		return CPU_OP2("sub", u8, "+q", "q");
	case OPSZ(EMUL_ALU_SUB, 2):
		return CPU_OP2("sub", u16, "+r", "r");
	case OPSZ(EMUL_ALU_SUB, 4):
		return CPU_OP2("sub", u32, "+r", "r");
	case OPSZ(EMUL_ALU_SUB, 8):
		return CPU_OP2("sub", u64, "+r", "r");
	case OPSZ(EMUL_ALU_XOR, 1):
		return CPU_OP2("xor", u8, "+q", "q");
	case OPSZ(EMUL_ALU_XOR, 2):
		return CPU_OP2("xor", u16, "+r", "r");
	case OPSZ(EMUL_ALU_XOR, 4):
		return CPU_OP2("xor", u32, "+r", "r");
	case OPSZ(EMUL_ALU_XOR, 8):
		return CPU_OP2("xor", u64, "+r", "r");
	case OPSZ(EMUL_ALU_CMP, 1):
		return CPU_OP2("cmp", u8, "+q", "q");
	case OPSZ(EMUL_ALU_CMP, 2):
		return CPU_OP2("cmp", u16, "+r", "r");
	case OPSZ(EMUL_ALU_CMP, 4):
		return CPU_OP2("cmp", u32, "+r", "r");
	case OPSZ(EMUL_ALU_CMP, 8):
		return CPU_OP2("cmp", u64, "+r", "r");
	}
	return 0;
}

/* Flags the SDM defines for @alu. */
static unsigned long alu_defined(unsigned int alu)
{
	if (alu == EMUL_ALU_OR || alu == EMUL_ALU_AND || alu == EMUL_ALU_XOR)
		return ARITH & ~X86_EFLAGS_AF;
	return ARITH;
}

static u64 size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* A register written with @size bytes of @val (8/16 merge, 32 extends). */
static u64 merged(u64 old, u64 val, unsigned int size)
{
	if (size == 4)
		return (u32)val;
	return (old & ~size_mask(size)) | (val & size_mask(size));
}

/* Memory after a write of @size bytes of @val over @old. */
static u64 mem_after(u64 old, u64 val, unsigned int size)
{
	return (old & ~size_mask(size)) | (val & size_mask(size));
}

/* Other flags are on when the instruction starts; only CF is an input. */
static u64 start_flags(bool cf)
{
	return X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_DF |
	       (ARITH & ~X86_EFLAGS_CF) | (cf ? X86_EFLAGS_CF : 0);
}

static const u64 values[] = {
	0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
	0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, ~0ULL, 0x0f, 0x10, 0x123456789abcdef0ULL,
};

/* ALU r/m,r (memory destination) or r,r/m: [rbx] and ecx/cl/cx/rcx. */
static void alu_one(struct kunit *test, struct emul_env *env,
		    unsigned int alu, unsigned int size, bool reg_dst,
		    u64 mem, u64 reg, bool cf)
{
	unsigned long fl, mask = alu_defined(alu);
	u64 d = reg_dst ? reg : mem, s = reg_dst ? mem : reg;
	struct emul_fault fault;
	u8 bytes[4];
	unsigned int n = 0;

	if (size == 2)
		bytes[n++] = 0x66;
	if (size == 8)
		bytes[n++] = 0x48;
	bytes[n++] = alu << 3 | (size > 1) | (reg_dst ? 2 : 0);
	bytes[n++] = 0x0b;	/* [rbx], rcx */
	env->cpu.gpr[RBX] = MMIO + 0x400;
	env->cpu.gpr[RCX] = reg;
	env->cpu.rflags = start_flags(cf);
	env_mmio_set(env, MMIO + 0x400, mem, 8);
	env_clear_log(env);

	fl = cpu_alu(alu, size, &d, s, cf);
	KUNIT_ASSERT_EQ(test, exec_bytes(test, env, bytes, n, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags & mask, fl & mask,
			    "alu %u size %u %s: %llx, %llx cf %d", alu, size,
			    reg_dst ? "r,m" : "m,r", mem, reg, cf);
	KUNIT_EXPECT_EQ(test, env->cpu.rflags & ~ARITH,
			X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_DF);
	if (alu == EMUL_ALU_CMP || reg_dst) {
		/* one read, no write */
		KUNIT_EXPECT_EQ(test, env->nr_log, 1);
		KUNIT_EXPECT_EQ(test, env_mmio_get(env, MMIO + 0x400, 8), mem);
	} else {
		KUNIT_EXPECT_EQ(test, env->nr_log, 2);
		KUNIT_EXPECT_EQ_MSG(test, env_mmio_get(env, MMIO + 0x400, 8),
				    mem_after(mem, d, size),
				    "alu %u size %u: %llx, %llx", alu, size,
				    mem, reg);
	}
	if (reg_dst && alu != EMUL_ALU_CMP)
		KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], merged(reg, d, size));
	else
		KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], reg);
}

/* ADD .. CMP in both directions and 4 sizes, flags as the CPU has them. */
static void emulate_alu_flags(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int alu, si, i, j;
	bool cf;

	for (alu = 0; alu < 8; alu++) {
		for (si = 0; si < ARRAY_SIZE(sizes); si++) {
			for (i = 0; i < ARRAY_SIZE(values); i++) {
				for (j = 0; j < ARRAY_SIZE(values); j++) {
					cf = (i + j) & 1;
					alu_one(test, env, alu, sizes[si],
						false, values[i], values[j],
						cf);
					if (alu == EMUL_ALU_ADC ||
					    alu == EMUL_ALU_SBB)
						alu_one(test, env, alu,
							sizes[si], false,
							values[i], values[j],
							!cf);
					if (j % 3 == 0)
						alu_one(test, env, alu,
							sizes[si], true,
							values[i], values[j],
							cf);
				}
			}
		}
	}
}

/* An immediate form of group 1: prefix, opcode, operand and imm sizes. */
struct imm_form {
	u8 prefix;		/* 0: none */
	u8 opcode;
	unsigned int size;
	unsigned int imm_bytes;
};

static const struct imm_form imm_forms[] = {
	{ 0, 0x80, 1, 1 }, { 0x66, 0x83, 2, 1 }, { 0, 0x83, 4, 1 },
	{ 0x48, 0x83, 8, 1 }, { 0x66, 0x81, 2, 2 }, { 0, 0x81, 4, 4 },
	{ 0x48, 0x81, 8, 4 },
};

static const s32 imms[] = { 0, 1, -1, 0x7f, -0x80, 0x10, 0x7ffe, -0x8000,
			    0x12345678, -0x7fffffff };

/* Group 1 with immediates: 80 /n ib, 83 /n ib (sign-extended), 81 /n iz. */
static void emulate_alu_imm(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	unsigned int alu, f, i, k, n;
	struct emul_fault fault;
	unsigned long fl;
	u8 bytes[8];
	u64 d, mem;

	for (alu = 0; alu < 8; alu++) {
		for (f = 0; f < ARRAY_SIZE(imm_forms); f++) {
			const struct imm_form *form = &imm_forms[f];

			for (i = 0; i < ARRAY_SIZE(imms); i++) {
				/* the immediate as encoded, sign-extended */
				s64 imm = sign_extend64(imms[i],
							8 * form->imm_bytes - 1);

				n = 0;
				if (form->prefix)
					bytes[n++] = form->prefix;
				bytes[n++] = form->opcode;
				bytes[n++] = alu << 3 | 3;	/* [rbx] */
				for (k = 0; k < form->imm_bytes; k++)
					bytes[n++] = imms[i] >> (8 * k);
				mem = values[(alu + f + i) % ARRAY_SIZE(values)];
				env->cpu.gpr[RBX] = MMIO + 0x400;
				env->cpu.rflags = start_flags(i & 1);
				env_mmio_set(env, MMIO + 0x400, mem, 8);

				d = mem;
				fl = cpu_alu(alu, form->size, &d, imm, i & 1);
				KUNIT_ASSERT_EQ(test, exec_bytes(test, env, bytes,
								 n, &fault),
						EMUL_OK);
				KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags &
						    alu_defined(alu),
						    fl & alu_defined(alu),
						    "alu %u form %u imm %d", alu,
						    f, imms[i]);
				KUNIT_EXPECT_EQ_MSG(test,
						    env_mmio_get(env, MMIO + 0x400, 8),
						    alu == EMUL_ALU_CMP ? mem :
						    mem_after(mem, d, form->size),
						    "alu %u form %u imm %d", alu,
						    f, imms[i]);
			}
		}
	}
}

/* The CPU's result and RFLAGS for "insn a" with CF = @cf first. */
#define CPU_OP1(insn, type, oc)						\
	({								\
		type a_ = *d;						\
		unsigned long f_;					\
		asm volatile("bt $0, %[c]\n\t"				\
			     insn " %[a]\n\t"				\
			     "pushf\n\t"				\
			     "pop %[f]"					\
			     : [a] oc(a_), [f] "=&r"(f_)		\
			     : [c] "r"(cf)				\
			     : "cc");					\
		*d = a_;						\
		f_;							\
	})

static unsigned long cpu_unary(unsigned int op, unsigned int size, u64 *d,
			       unsigned long cf)
{
	switch (OPSZ(op, size)) {
	case OPSZ(EMUL_UNARY_NOT, 1):
		return CPU_OP1("not", u8, "+q");
	case OPSZ(EMUL_UNARY_NOT, 2):
		return CPU_OP1("not", u16, "+r");
	case OPSZ(EMUL_UNARY_NOT, 4):
		return CPU_OP1("not", u32, "+r");
	case OPSZ(EMUL_UNARY_NOT, 8):
		return CPU_OP1("not", u64, "+r");
	case OPSZ(EMUL_UNARY_NEG, 1):
		return CPU_OP1("neg", u8, "+q");
	case OPSZ(EMUL_UNARY_NEG, 2):
		return CPU_OP1("neg", u16, "+r");
	case OPSZ(EMUL_UNARY_NEG, 4):
		return CPU_OP1("neg", u32, "+r");
	case OPSZ(EMUL_UNARY_NEG, 8):
		return CPU_OP1("neg", u64, "+r");
	case OPSZ(EMUL_UNARY_INC, 1):
		return CPU_OP1("inc", u8, "+q");
	case OPSZ(EMUL_UNARY_INC, 2):
		return CPU_OP1("inc", u16, "+r");
	case OPSZ(EMUL_UNARY_INC, 4):
		return CPU_OP1("inc", u32, "+r");
	case OPSZ(EMUL_UNARY_INC, 8):
		return CPU_OP1("inc", u64, "+r");
	case OPSZ(EMUL_UNARY_DEC, 1):
		return CPU_OP1("dec", u8, "+q");
	case OPSZ(EMUL_UNARY_DEC, 2):
		return CPU_OP1("dec", u16, "+r");
	case OPSZ(EMUL_UNARY_DEC, 4):
		return CPU_OP1("dec", u32, "+r");
	case OPSZ(EMUL_UNARY_DEC, 8):
		return CPU_OP1("dec", u64, "+r");
	}
	return 0;
}

/* NOT, NEG, INC, DEC on memory (F6/F7 /2 /3, FE/FF /0 /1). */
static void emulate_unary_flags(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int op, si, i, n;
	struct emul_fault fault;
	unsigned long fl;
	u8 bytes[4];
	u64 d;

	for (op = EMUL_UNARY_NOT; op <= EMUL_UNARY_DEC; op++) {
		for (si = 0; si < ARRAY_SIZE(sizes); si++) {
			unsigned int size = sizes[si];

			for (i = 0; i < 2 * ARRAY_SIZE(values); i++) {
				u64 mem = values[i / 2];
				bool cf = i & 1;

				n = 0;
				if (size == 2)
					bytes[n++] = 0x66;
				if (size == 8)
					bytes[n++] = 0x48;
				if (op <= EMUL_UNARY_NEG)
					bytes[n++] = size == 1 ? 0xf6 : 0xf7;
				else
					bytes[n++] = size == 1 ? 0xfe : 0xff;
				bytes[n++] = (op <= EMUL_UNARY_NEG ? op :
					      op - EMUL_UNARY_INC) << 3 | 3;
				env->cpu.gpr[RBX] = MMIO + 0x400;
				env->cpu.rflags = start_flags(cf);
				env_mmio_set(env, MMIO + 0x400, mem, 8);

				d = mem;
				fl = cpu_unary(op, size, &d, cf);
				KUNIT_ASSERT_EQ(test, exec_bytes(test, env, bytes,
								 n, &fault),
						EMUL_OK);
				/* NOT: no flag changes; INC/DEC keep CF */
				KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags,
						    op == EMUL_UNARY_NOT ?
						    start_flags(cf) :
						    (start_flags(cf) & ~ARITH) |
						    (fl & ARITH),
						    "op %u size %u %llx cf %d",
						    op, size, mem, cf);
				KUNIT_EXPECT_EQ(test,
						env_mmio_get(env, MMIO + 0x400, 8),
						mem_after(mem, d, size));
			}
		}
	}
}

/* TEST r/m, r and TEST r/m, imm: flags of AND, nothing written. */
static void emulate_test_flags(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	unsigned int i, j;
	unsigned long fl, mask = ARITH & ~X86_EFLAGS_AF;
	struct emul_fault fault;
	u64 d;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		for (j = 0; j < ARRAY_SIZE(values); j++) {
			env->cpu.gpr[RBX] = MMIO + 0x400;
			env->cpu.gpr[RCX] = values[j];
			env->cpu.rflags = start_flags(true);
			env_mmio_set(env, MMIO + 0x400, values[i], 8);
			env_clear_log(env);
			d = values[i];
			fl = cpu_alu(EMUL_ALU_AND, 8, &d, values[j], 1);
			KUNIT_ASSERT_EQ(test, run(test, env, "48 85 0b", &fault),
					EMUL_OK);
			KUNIT_EXPECT_EQ(test, env->cpu.rflags & mask, fl & mask);
			KUNIT_EXPECT_EQ(test, env->nr_log, 1);

			d = values[i];
			fl = cpu_alu(EMUL_ALU_AND, 2, &d, 0x8001, 0);
			env->cpu.rflags = start_flags(false);
			KUNIT_ASSERT_EQ(test, run(test, env, "66 f7 03 01 80",
						  &fault), EMUL_OK);
			KUNIT_EXPECT_EQ(test, env->cpu.rflags & mask, fl & mask);
			KUNIT_EXPECT_EQ(test, env->nr_log, 2);
			KUNIT_EXPECT_EQ(test, env_mmio_get(env, MMIO + 0x400, 8),
					values[i]);
		}
	}
}

/* The CPU's CF and result for BT/BTS/BTR/BTC @bit of a register. */
static unsigned long cpu_bt(unsigned int op, u64 *d, u64 bit)
{
	unsigned long f;
	u64 a = *d;

	switch (op) {
	case EMUL_BT_BT:
		asm volatile("bt %[b], %[a]\n\tpushf\n\tpop %[f]"
			     : [a] "+r" (a), [f] "=&r" (f) : [b] "r" (bit)
			     : "cc");
		break;
	case EMUL_BT_BTS:
		asm volatile("bts %[b], %[a]\n\tpushf\n\tpop %[f]"
			     : [a] "+r" (a), [f] "=&r" (f) : [b] "r" (bit)
			     : "cc");
		break;
	case EMUL_BT_BTR:
		asm volatile("btr %[b], %[a]\n\tpushf\n\tpop %[f]"
			     : [a] "+r" (a), [f] "=&r" (f) : [b] "r" (bit)
			     : "cc");
		break;
	default:
		asm volatile("btc %[b], %[a]\n\tpushf\n\tpop %[f]"
			     : [a] "+r" (a), [f] "=&r" (f) : [b] "r" (bit)
			     : "cc");
		break;
	}
	*d = a;
	return f;
}

/*
 * BT/BTS/BTR/BTC: with an immediate (modulo the operand size) and with a
 * register offset, which is signed and selects the operand-sized unit at
 * base + (offset >> log2(bits)) * size. CF is the CPU's; ZF unchanged.
 */
static void emulate_bt(struct kunit *test)
{
	static const struct {
		const char *hex;	/* op [rbx] with ecx/rcx/cx or imm */
		unsigned int op, size;
		s64 off;		/* register offset (RCX) or imm */
		s64 unit;		/* byte offset of the unit read */
	} cases[] = {
		{ "0f ba 23 05", EMUL_BT_BT, 4, 5, 0 },
		{ "0f ba 23 25", EMUL_BT_BT, 4, 0x25, 0 },	/* mod 32 */
		{ "48 0f ba 2b 3f", EMUL_BT_BTS, 8, 63, 0 },
		{ "66 0f ba 33 1f", EMUL_BT_BTR, 2, 0x1f, 0 },	/* mod 16 */
		{ "f0 0f ba 3b 07", EMUL_BT_BTC, 4, 7, 0 },
		{ "0f a3 0b", EMUL_BT_BT, 4, 35, 4 },
		{ "0f a3 0b", EMUL_BT_BT, 4, -1, -4 },
		{ "0f ab 0b", EMUL_BT_BTS, 4, -33, -8 },
		{ "48 0f b3 0b", EMUL_BT_BTR, 8, 100, 8 },
		{ "48 0f bb 0b", EMUL_BT_BTC, 8, -64, -8 },
		{ "66 0f a3 0b", EMUL_BT_BT, 2, 17, 2 },
		{ "66 0f ab 0b", EMUL_BT_BTS, 2, -16, -2 },
		{ "f0 48 0f ab 0b", EMUL_BT_BTS, 8, 0x4000, 0x800 },
	};
	struct emul_env *env = long_env(test);
	struct emul_fault fault;
	unsigned int i, v;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (v = 0; v < ARRAY_SIZE(values); v++) {
			unsigned int bits = 8 * cases[i].size;
			u64 unit = MMIO + 0x1000 + cases[i].unit;
			u64 mem = values[v] & size_mask(cases[i].size);
			u64 d = mem;
			unsigned long fl;

			env->cpu.gpr[RBX] = MMIO + 0x1000;
			env->cpu.gpr[RCX] = cases[i].off;
			env->cpu.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_ZF;
			env_mmio_set(env, unit, mem, cases[i].size);
			env_clear_log(env);
			fl = cpu_bt(cases[i].op, &d, cases[i].off & (bits - 1));
			KUNIT_ASSERT_EQ(test, run(test, env, cases[i].hex,
						  &fault), EMUL_OK);
			KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags,
					    X86_EFLAGS_FIXED | X86_EFLAGS_ZF |
					    (fl & X86_EFLAGS_CF), "%s off %lld",
					    cases[i].hex, cases[i].off);
			expect_log(test, env, 0, false, unit, cases[i].size,
				   mem);
			if (cases[i].op == EMUL_BT_BT) {
				KUNIT_EXPECT_EQ(test, env->nr_log, 1);
			} else {
				expect_log(test, env, 1, true, unit,
					   cases[i].size,
					   d & size_mask(cases[i].size));
			}
		}
	}
}

/*
 * BTS with a register offset on memory, by the CPU: the bit it sets in a
 * buffer, as a bit offset from the operand's address.
 */
static s64 cpu_bts_mem(u8 *buf, size_t len, unsigned int size, s64 off)
{
	u8 *base = buf + len / 2;
	size_t i;

	memset(buf, 0, len);
	if (size == 2)
		asm volatile("btsw %w[o], (%[p])" : : [p] "r" (base),
			     [o] "r" (off) : "cc", "memory");
	else if (size == 4)
		asm volatile("btsl %k[o], (%[p])" : : [p] "r" (base),
			     [o] "r" (off) : "cc", "memory");
	else
		asm volatile("btsq %q[o], (%[p])" : : [p] "r" (base),
			     [o] "r" (off) : "cc", "memory");
	for (i = 0; i < len; i++)
		if (buf[i])
			return ((s64)i - (s64)(len / 2)) * 8 + __ffs(buf[i]);
	return S64_MIN;
}

/* The unit BT* reads for a register offset is the CPU's. */
static void emulate_bt_addressing(struct kunit *test)
{
	static const s64 offs[] = { 0, 5, 15, 16, 31, 32, 63, 64, 100, -1,
				    -16, -17, -33, -64, -65, 0x3ff, -0x400 };
	static const char *const hex[] = { "66 0f ab 0b", "0f ab 0b",
					   "48 0f ab 0b" };
	struct emul_env *env = long_env(test);
	const size_t len = 512;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct emul_fault fault;
	unsigned int si, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (si = 0; si < 3; si++) {
		unsigned int size = 2 << si;

		for (i = 0; i < ARRAY_SIZE(offs); i++) {
			s64 off = offs[i], want, got = S64_MIN;
			unsigned int k;

			want = cpu_bts_mem(buf, len, size, off);
			memset(env->mmio, 0, sizeof(env->mmio));
			env->cpu.gpr[RBX] = MMIO + ENV_MMIO_SIZE / 2;
			env->cpu.gpr[RCX] = off;
			KUNIT_ASSERT_EQ(test, run(test, env, hex[si], &fault),
					EMUL_OK);
			for (k = 0; k < ENV_MMIO_SIZE; k++)
				if (env->mmio[k])
					got = ((s64)k - ENV_MMIO_SIZE / 2) * 8 +
					      __ffs(env->mmio[k]);
			KUNIT_EXPECT_EQ_MSG(test, got, want, "size %u off %lld",
					    size, off);
		}
	}
}

/* The CPU's CMPXCHG on memory: memory, RAX (all 64 bits) and flags. */
#define CPU_CMPXCHG(type, cons)						\
	({								\
		type m_ = *mem, s_ = src;				\
		unsigned long f_;					\
		asm volatile("lock cmpxchg %[s], %[m]\n\t"		\
			     "pushf\n\t"				\
			     "pop %[f]"					\
			     : [m] "+m"(m_), "+a"(*rax), [f] "=&r"(f_)	\
			     : [s] cons(s_)				\
			     : "cc", "memory");				\
		*mem = mem_after(*mem, m_, sizeof(type));		\
		f_;							\
	})

static unsigned long cpu_cmpxchg(unsigned int size, u64 *mem, u64 *rax,
				 u64 src)
{
	switch (size) {
	case 1:
		return CPU_CMPXCHG(u8, "q");
	case 2:
		return CPU_CMPXCHG(u16, "r");
	case 4:
		return CPU_CMPXCHG(u32, "r");
	}
	return CPU_CMPXCHG(u64, "r");
}

/* The CPU's XADD on memory: memory, the source register, flags. */
#define CPU_XADD(type, cons)						\
	({								\
		type m_ = *mem, s_ = *src;				\
		unsigned long f_;					\
		asm volatile("lock xadd %[s], %[m]\n\t"			\
			     "pushf\n\t"				\
			     "pop %[f]"					\
			     : [m] "+m"(m_), [s] cons(s_), [f] "=&r"(f_) \
			     :						\
			     : "cc", "memory");				\
		*mem = mem_after(*mem, m_, sizeof(type));		\
		*src = merged(*src, s_, sizeof(type));			\
		f_;							\
	})

static unsigned long cpu_xadd(unsigned int size, u64 *mem, u64 *src)
{
	switch (size) {
	case 1:
		return CPU_XADD(u8, "+q");
	case 2:
		return CPU_XADD(u16, "+r");
	case 4:
		return CPU_XADD(u32, "+r");
	}
	return CPU_XADD(u64, "+r");
}

/*
 * CMPXCHG and XADD against the CPU: memory, RAX (including its upper bits
 * for smaller operands), the source register, flags. A failed CMPXCHG
 * writes nothing to the device (see exec_cmpxchg()).
 */
static void emulate_cmpxchg_xadd(struct kunit *test)
{
	static const char *const cmpxchg_hex[] = {
		"f0 0f b0 0b", "f0 66 0f b1 0b", "f0 0f b1 0b", "f0 48 0f b1 0b",
	};
	static const char *const xadd_hex[] = {
		"0f c0 0b", "66 0f c1 0b", "0f c1 0b", "f0 48 0f c1 0b",
	};
	struct emul_env *env = long_env(test);
	const u64 garbage = 0xa5a5a5a5a5a5a5a5ULL;
	struct emul_fault fault;
	unsigned int si, i, j;

	for (si = 0; si < 4; si++) {
		unsigned int size = 1 << si;

		for (i = 0; i < ARRAY_SIZE(values); i++) {
			for (j = 0; j < 3; j++) {
				u64 mem = values[i], rax, src, m;
				unsigned long fl;

				/* j = 0: equal, 1: different, 2: upper bits */
				rax = j == 0 ? (garbage & ~size_mask(size)) |
				      (mem & size_mask(size)) :
				      j == 1 ? mem + 1 : mem ^ ~size_mask(size);
				src = values[(i + 5) % ARRAY_SIZE(values)];
				env->cpu.gpr[RAX] = rax;
				env->cpu.gpr[RBX] = MMIO + 0x400;
				env->cpu.gpr[RCX] = src;
				env->cpu.rflags = start_flags(false);
				env_mmio_set(env, MMIO + 0x400, mem, 8);
				env_clear_log(env);

				m = mem;
				fl = cpu_cmpxchg(size, &m, &rax, src);
				KUNIT_ASSERT_EQ(test, run(test, env,
							  cmpxchg_hex[si],
							  &fault), EMUL_OK);
				KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags & ARITH,
						    fl & ARITH, "cmpxchg %u %llx",
						    size, mem);
				KUNIT_EXPECT_EQ_MSG(test, env->cpu.gpr[RAX], rax,
						    "cmpxchg %u %llx", size, mem);
				KUNIT_EXPECT_EQ(test,
						env_mmio_get(env, MMIO + 0x400, 8), m);
				KUNIT_EXPECT_EQ(test, env->nr_log,
						fl & X86_EFLAGS_ZF ? 2 : 1);
				KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], src);

				src = values[(i + j * 3) % ARRAY_SIZE(values)];
				env->cpu.gpr[RCX] = src;
				env->cpu.rflags = start_flags(false);
				env_mmio_set(env, MMIO + 0x400, mem, 8);
				m = mem;
				fl = cpu_xadd(size, &m, &src);
				KUNIT_ASSERT_EQ(test, run(test, env, xadd_hex[si],
							  &fault), EMUL_OK);
				KUNIT_EXPECT_EQ_MSG(test, env->cpu.rflags & ARITH,
						    fl & ARITH, "xadd %u %llx",
						    size, mem);
				KUNIT_EXPECT_EQ(test,
						env_mmio_get(env, MMIO + 0x400, 8), m);
				KUNIT_EXPECT_EQ(test, env->cpu.gpr[RCX], src);
			}
		}
	}
}

/* REP STOS with DF = 0 and 1, each size; RCX = 0; REPNE as REP. */
static void emulate_rep_stos(struct kunit *test)
{
	static const struct {
		const char *hex;
		unsigned int size;
	} forms[] = {
		{ "f3 aa", 1 }, { "f3 66 ab", 2 }, { "f3 ab", 4 },
		{ "f3 48 ab", 8 }, { "f2 ab", 4 },
	};
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	unsigned int f, i;
	bool df;

	for (f = 0; f < ARRAY_SIZE(forms); f++) {
		unsigned int n = forms[f].size;

		for (df = false; ; df = true) {
			u64 start = MMIO + 0x800;

			env_clear_log(env);
			env->cpu.rflags = X86_EFLAGS_FIXED |
					  (df ? X86_EFLAGS_DF : 0);
			gpr[RAX] = 0x8877665544332211ULL;
			gpr[RCX] = 5;
			gpr[RDI] = start;
			run_ok(test, env, forms[f].hex);
			KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
			KUNIT_EXPECT_EQ(test, gpr[RDI],
					df ? start - 5 * n : start + 5 * n);
			KUNIT_EXPECT_EQ(test, env->nr_log, 5);
			for (i = 0; i < 5; i++)
				expect_log(test, env, i, true,
					   df ? start - i * n : start + i * n,
					   n, 0x8877665544332211ULL &
					   size_mask(n));
			if (df)
				break;
		}
	}

	/* RCX = 0: no access, the instruction completes */
	env_clear_log(env);
	gpr[RCX] = 0;
	gpr[RDI] = 0x7fffffffffffffffULL;	/* not even canonical */
	run_ok(test, env, "f3 ab");
	KUNIT_EXPECT_EQ(test, env->nr_log, 0);
	KUNIT_EXPECT_EQ(test, gpr[RDI], 0x7fffffffffffffffULL);

	/* without REP: one element whatever RCX */
	env->cpu.rflags = X86_EFLAGS_FIXED;
	gpr[RCX] = 0;
	gpr[RDI] = MMIO;
	run_ok(test, env, "ab");
	KUNIT_EXPECT_EQ(test, env->nr_log, 1);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, gpr[RDI], MMIO + 4);

	/* 67 in 64-bit mode: ECX, EDI, and the upper halves cleared */
	env_clear_log(env);
	env->cpu.rflags = X86_EFLAGS_FIXED;
	gpr[RCX] = 0xffffffff00000003ULL;
	gpr[RDI] = 0xdead0000fee00100ULL;
	run_ok(test, env, "67 f3 ab");
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, gpr[RDI], 0xfee0010cULL);
	expect_log(test, env, 0, true, MMIO + 0x100, 4, 0x44332211);
	KUNIT_EXPECT_EQ(test, env->nr_log, 3);
}

/* 16-bit addressing: DI and CX wrap at 64 KiB, upper bits stay. */
static void emulate_rep_stos_16(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	u64 *gpr = env->cpu.gpr;

	env_cpu_real(&env->cpu);
	env->cpu.seg[EMUL_ES].base = ENV_DATA;
	gpr[RAX] = 0xbeef;
	gpr[RCX] = 0xabcd0002;
	gpr[RDI] = 0x12340000fffeULL;
	env->cpu.rip = 0x100;
	run_ok(test, env, "f3 ab");
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + 0xfffe, 2), 0xbeef);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA, 2), 0xbeef);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0xabcd0000);
	KUNIT_EXPECT_EQ(test, gpr[RDI], 0x123400000002ULL);
	/* so does IP */
	env->cpu.rip = 0xffff;
	KUNIT_EXPECT_EQ(test, run(test, env, "ab", &(struct emul_fault){}),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, 0);
}

/* REP MOVS both ways between RAM and the device; REP LODS. */
static void emulate_rep_movs_lods(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	unsigned int i;

	for (i = 0; i < 4; i++)
		env_mmio_set(env, MMIO + 0x40 + 4 * i, 0x1000 + i, 4);

	/* device -> RAM, DF = 0, FS override on the source */
	env->cpu.seg[EMUL_FS].base = 0x40;
	gpr[RSI] = MMIO;
	gpr[RDI] = ENV_DATA;
	gpr[RCX] = 4;
	run_ok(test, env, "64 f3 a5");
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + 4 * i, 4),
				0x1000 + i);
	KUNIT_EXPECT_EQ(test, gpr[RSI], MMIO + 16);
	KUNIT_EXPECT_EQ(test, gpr[RDI], ENV_DATA + 16);
	KUNIT_EXPECT_EQ(test, env->nr_log, 4);

	/* RAM -> device, DF = 1, bytes */
	env_clear_log(env);
	env->cpu.rflags |= X86_EFLAGS_DF;
	env_ram_set(env, ENV_DATA + 0x100, 0x0403020100ULL, 5);
	gpr[RSI] = ENV_DATA + 0x104;
	gpr[RDI] = MMIO + 0x204;
	gpr[RCX] = 5;
	run_ok(test, env, "f3 a4");
	KUNIT_EXPECT_EQ(test, env_mmio_get(env, MMIO + 0x200, 5),
			0x0403020100ULL);
	expect_log(test, env, 0, true, MMIO + 0x204, 1, 4);
	expect_log(test, env, 4, true, MMIO + 0x200, 1, 0);
	KUNIT_EXPECT_EQ(test, gpr[RSI], ENV_DATA + 0xff);
	KUNIT_EXPECT_EQ(test, gpr[RDI], MMIO + 0x1ff);

	/* LODS: each element read, RAX holds the last */
	env_clear_log(env);
	env->cpu.rflags &= ~X86_EFLAGS_DF;
	env->cpu.seg[EMUL_FS].base = 0;
	gpr[RSI] = MMIO + 0x40;
	gpr[RCX] = 3;
	gpr[RAX] = ~0ULL;
	run_ok(test, env, "f3 66 ad");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xffffffffffff1001ULL);
	KUNIT_EXPECT_EQ(test, env->nr_log, 3);
	expect_log(test, env, 2, false, MMIO + 0x44, 2, 0x1001);
	KUNIT_EXPECT_EQ(test, gpr[RSI], MMIO + 0x46);
}

/* A huge RCX: EMUL_REP_MAX_ITER per call, RIP unchanged until done. */
static void emulate_rep_bound(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	struct emul_fault fault;
	u64 rip = env->cpu.rip;

	gpr[RAX] = 0x5a;
	gpr[RCX] = EMUL_REP_MAX_ITER + 10;
	gpr[RDI] = ENV_DATA;
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 aa", &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 10);
	KUNIT_EXPECT_EQ(test, gpr[RDI], ENV_DATA + EMUL_REP_MAX_ITER);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + EMUL_REP_MAX_ITER - 1,
					  2), 0x5a);
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 aa", &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + EMUL_REP_MAX_ITER + 9,
					  2), 0x5a);
}

/* Reads that go to userspace suspend; writes that do complete. */
static void emulate_user_exit(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	struct emul_fault fault;
	u64 rip = env->cpu.rip;

	env->exit_reads = true;
	env->exit_writes = true;
	gpr[RBX] = MMIO + 0x30;

	/* load: nothing done, then answered */
	gpr[RAX] = 0x1234;
	KUNIT_EXPECT_EQ(test, run(test, env, "8b 03", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x1234);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	env_answer(env, MMIO + 0x30, 4, 0xcafe);
	run_ok(test, env, "8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xcafe);
	memset(env->answer, 0, sizeof(env->answer));

	/* store: complete on the exit */
	env_clear_log(env);
	rip = env->cpu.rip;
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	expect_log(test, env, 0, true, MMIO + 0x30, 4, 0xcafe);

	/* read-modify-write: two trips */
	env_clear_log(env);
	rip = env->cpu.rip;
	gpr[RCX] = 0xffffffff;
	env->cpu.rflags = X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, run(test, env, "01 0b", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, env->cpu.rflags, X86_EFLAGS_FIXED);
	KUNIT_EXPECT_EQ(test, env->nr_log, 1);
	env_answer(env, MMIO + 0x30, 4, 1);
	KUNIT_EXPECT_EQ(test, run(test, env, "01 0b", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	expect_log(test, env, 1, false, MMIO + 0x30, 4, 1);
	expect_log(test, env, 2, true, MMIO + 0x30, 4, 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rflags & ARITH,
			X86_EFLAGS_CF | X86_EFLAGS_ZF | X86_EFLAGS_PF |
			X86_EFLAGS_AF);
	memset(env->answer, 0, sizeof(env->answer));

	/* REP STOS to userspace: one element per call */
	env_clear_log(env);
	rip = env->cpu.rip;
	gpr[RCX] = 3;
	gpr[RDI] = MMIO + 0x100;
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 ab", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 2);
	KUNIT_EXPECT_EQ(test, gpr[RDI], MMIO + 0x104);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 ab", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 ab", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	KUNIT_EXPECT_EQ(test, env->nr_log, 3);

	/* REP LODS from userspace: a read's exit leaves its element undone */
	env_clear_log(env);
	rip = env->cpu.rip;
	gpr[RCX] = 2;
	gpr[RSI] = MMIO + 0x200;
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 ad", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 2);
	KUNIT_EXPECT_EQ(test, gpr[RSI], MMIO + 0x200);
	env_answer(env, MMIO + 0x200, 4, 0x11);
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 ad", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 1);
	KUNIT_EXPECT_EQ(test, gpr[RSI], MMIO + 0x204);
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x11);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	env_answer(env, MMIO + 0x204, 4, 0x22);
	run_ok(test, env, "f3 ad");
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x22);
	memset(env->answer, 0, sizeof(env->answer));

	/* MOVS device -> device: the read's trip, then the write's */
	env_clear_log(env);
	rip = env->cpu.rip;
	gpr[RCX] = 1;
	gpr[RSI] = MMIO + 0x300;
	gpr[RDI] = MMIO + 0x400;
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 a4", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 1);
	env_answer(env, MMIO + 0x300, 1, 0x77);
	KUNIT_EXPECT_EQ(test, run(test, env, "f3 a4", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, gpr[RCX], 0);
	KUNIT_EXPECT_EQ(test, gpr[RSI], MMIO + 0x301);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	expect_log(test, env, 2, true, MMIO + 0x400, 1, 0x77);

	/* CMP: one trip, then done without a write */
	memset(env->answer, 0, sizeof(env->answer));
	gpr[RCX] = 0xffffffff;
	env_clear_log(env);
	KUNIT_EXPECT_EQ(test, run(test, env, "39 0b", &fault), EMUL_USER_EXIT);
	env_answer(env, MMIO + 0x30, 4, 0xffffffff);
	run_ok(test, env, "39 0b");
	KUNIT_EXPECT_TRUE(test, env->cpu.rflags & X86_EFLAGS_ZF);
	KUNIT_EXPECT_EQ(test, env->nr_log, 2);
}

/*
 * Accesses that cross a page: split into two calls at the boundary of
 * the linear address, both translated before either is made.
 */
static void emulate_page_split(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	const u64 va = ENV_VA_BASE;
	u64 *gpr = env->cpu.gpr;
	struct emul_fault fault;
	u64 rip;

	env_map(env, 0, ENV_DATA, ENV_P | ENV_RW | ENV_US);	/* RAM */
	env_map(env, 1, MMIO, ENV_P | ENV_RW | ENV_US);		/* device */
	env_map(env, 2, MMIO + 0x1000, ENV_P | ENV_RW | ENV_US);

	/* 8 bytes at 0xffd: 3 to RAM, 5 to the device */
	gpr[RAX] = 0x8877665544332211ULL;
	gpr[RBX] = va + 0xffd;
	run_ok(test, env, "48 89 03");
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + 0xffd, 3), 0x332211);
	KUNIT_EXPECT_EQ(test, env->nr_log, 1);
	expect_log(test, env, 0, true, MMIO, 5, 0x8877665544ULL);
	/* and back */
	gpr[RAX] = 0;
	run_ok(test, env, "48 8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0x8877665544332211ULL);

	/* device page to device page: two reads that exit, one trip each */
	env_clear_log(env);
	env->exit_reads = true;
	env_mmio_set(env, MMIO + 0xffe, 0xddccbbaa, 4);
	gpr[RBX] = va + 0x1ffe;
	rip = env->cpu.rip;
	KUNIT_EXPECT_EQ(test, run(test, env, "8b 03", &fault), EMUL_USER_EXIT);
	expect_log(test, env, 0, false, MMIO + 0xffe, 2, 0);
	env_answer(env, MMIO + 0xffe, 2, 0xbbaa);
	KUNIT_EXPECT_EQ(test, run(test, env, "8b 03", &fault), EMUL_USER_EXIT);
	expect_log(test, env, 2, false, MMIO + 0x1000, 2, 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	env_answer(env, MMIO + 0x1000, 2, 0xddcc);
	run_ok(test, env, "8b 03");
	KUNIT_EXPECT_EQ(test, gpr[RAX], 0xddccbbaa);
	env->exit_reads = false;

	/* a split write that exits: both halves are issued */
	env_clear_log(env);
	env->exit_writes = true;
	gpr[RAX] = 0x44332211;
	rip = env->cpu.rip;
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_USER_EXIT);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip + 2);
	expect_log(test, env, 0, true, MMIO + 0xffe, 2, 0x2211);
	expect_log(test, env, 1, true, MMIO + 0x1000, 2, 0x4433);
	env->exit_writes = false;

	/* the second page not present: #PF for it, nothing written */
	env_clear_log(env);
	env_map(env, 1, 0, 0);
	env_ram_set(env, ENV_DATA + 0xffe, 0, 2);
	gpr[RBX] = va + 0xffe;
	rip = env->cpu.rip;
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_PF);
	KUNIT_EXPECT_EQ(test, fault.error_code, EMUL_PF_WRITE);
	KUNIT_EXPECT_EQ(test, fault.cr2, va + 0x1000);
	KUNIT_EXPECT_EQ(test, env_ram_get(env, ENV_DATA + 0xffe, 2), 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);

	/* the first page read-only for a user write: CR2 is the address */
	env_map(env, 0, ENV_DATA, ENV_P | ENV_US);
	env->cpu.cpl = 3;
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.error_code,
			EMUL_PF_PRESENT | EMUL_PF_WRITE | EMUL_PF_USER);
	KUNIT_EXPECT_EQ(test, fault.cr2, va + 0xffe);
	/* a supervisor-only device page for a user read */
	env_map(env, 1, MMIO, ENV_P | ENV_RW);
	gpr[RBX] = va + 0x1000;
	KUNIT_EXPECT_EQ(test, run(test, env, "8b 03", &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.error_code,
			EMUL_PF_PRESENT | EMUL_PF_USER);
	KUNIT_EXPECT_EQ(test, env->nr_log, 0);
}

/* run() that must fault with @vector and error code 0 (or none). */
/*
 * The exit's address (emul_ops.fault_gpa) replaces the walk for the first
 * access of a one-operand instruction at the same page offset, and for
 * nothing else. The hint names the device's second page while the tables
 * map its first, so every access shows which of the two it used.
 */
static void emulate_fault_gpa(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	u64 va = ENV_VA_BASE + 0x1000;

	env_map(env, 0, ENV_DATA, ENV_P | ENV_RW | ENV_US);	/* RAM */
	env_map(env, 1, MMIO, ENV_P | ENV_RW | ENV_US);		/* device */
	env_map(env, 2, MMIO + 0x1000, ENV_P | ENV_RW | ENV_US);
	env->has_fault_gpa = true;

	/* a store: no walk at all, the hint's page */
	env->fault_gpa = MMIO + 0x1080;
	env->nr_read_phys = 0;
	gpr[RBX] = va + 0x80;
	gpr[RAX] = 0x11223344;
	run_ok(test, env, "89 03");
	expect_log(test, env, 0, true, MMIO + 0x1080, 4, 0x11223344);
	KUNIT_EXPECT_EQ(test, env->nr_read_phys, 0);
	KUNIT_EXPECT_EQ(test, env->nr_fault_gpa, 1);

	/* another page offset: the hint is not this access's, walked */
	env_clear_log(env);
	env->fault_gpa = MMIO + 0x1084;
	run_ok(test, env, "89 03");
	expect_log(test, env, 0, true, MMIO + 0x80, 4, 0x11223344);
	KUNIT_EXPECT_GT(test, env->nr_read_phys, 0);

	/* read-modify-write: read and write both at the hint, one question */
	env_clear_log(env);
	env->fault_gpa = MMIO + 0x1080;
	env->nr_fault_gpa = 0;
	gpr[RAX] = 1;
	run_ok(test, env, "01 03");
	KUNIT_EXPECT_EQ(test, env->nr_log, 2);
	expect_log(test, env, 0, false, MMIO + 0x1080, 4, 0x11223344);
	expect_log(test, env, 1, true, MMIO + 0x1080, 4, 0x11223345);
	KUNIT_EXPECT_EQ(test, env->nr_fault_gpa, 1);

	/* REP STOS: the first element only; the next one is walked */
	env_clear_log(env);
	gpr[RDI] = va + 0x80;
	gpr[RCX] = 2;
	gpr[RAX] = 7;
	run_ok(test, env, "f3 ab");
	expect_log(test, env, 0, true, MMIO + 0x1080, 4, 7);
	expect_log(test, env, 1, true, MMIO + 0x84, 4, 7);

	/* a split access: walked, both pages */
	env_clear_log(env);
	env->fault_gpa = MMIO + 0x1ffe;
	gpr[RBX] = va + 0xffe;
	gpr[RAX] = 0xaabbccdd;
	run_ok(test, env, "89 03");
	expect_log(test, env, 0, true, MMIO + 0xffe, 2, 0xccdd);
	expect_log(test, env, 1, true, MMIO + 0x1000, 2, 0xaabb);

	/* MOVS has two operands: the hint is never asked for */
	env_clear_log(env);
	env->fault_gpa = MMIO + 0x1080;
	env->nr_fault_gpa = 0;
	env_ram_set(env, ENV_DATA + 0x80, 0x55, 4);
	gpr[RSI] = ENV_VA_BASE + 0x80;
	gpr[RDI] = va + 0x80;
	gpr[RCX] = 1;
	run_ok(test, env, "f3 a5");
	expect_log(test, env, 0, true, MMIO + 0x80, 4, 0x55);
	KUNIT_EXPECT_EQ(test, env->nr_fault_gpa, 0);
}

static void expect_seg_fault(struct kunit *test, struct emul_env *env,
			     const char *hex, u8 vector, bool has_error_code)
{
	struct emul_fault fault = {};
	u64 rip = env->cpu.rip;

	env_clear_log(env);
	KUNIT_EXPECT_EQ_MSG(test, run(test, env, hex, &fault), EMUL_FAULT,
			    "%s", hex);
	KUNIT_EXPECT_EQ_MSG(test, fault.vector, vector, "%s", hex);
	KUNIT_EXPECT_EQ_MSG(test, fault.has_error_code, has_error_code, "%s",
			    hex);
	KUNIT_EXPECT_EQ(test, fault.error_code, 0);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, env->nr_log, 0);
}

/* Segment limits, types, expand-down, unusable segments: #GP/#SS. */
static void emulate_seg_faults(struct kunit *test)
{
	struct emul_env *env = env_new(test);
	struct emul_segment *seg = env->cpu.seg;
	u64 *gpr = env->cpu.gpr;

	env_cpu_prot(&env->cpu, true);
	seg[EMUL_DS].base = MMIO;
	seg[EMUL_DS].limit = 0xfff;
	gpr[RBX] = 0xffc;
	run_ok(test, env, "8b 03");
	gpr[RBX] = 0xffd;
	expect_seg_fault(test, env, "8b 03", X86_TRAP_GP, true);
	gpr[RBX] = 0xfff;
	run_ok(test, env, "8a 03");

	/* SS: by an rBP/rSP base or an override */
	seg[EMUL_SS] = seg[EMUL_DS];
	gpr[RBP] = 0x1000;
	expect_seg_fault(test, env, "8b 45 00", X86_TRAP_SS, true);
	gpr[RBX] = 0x1000;
	expect_seg_fault(test, env, "36 8b 03", X86_TRAP_SS, true);
	expect_seg_fault(test, env, "8b 03", X86_TRAP_GP, true);

	/* expand-down: valid above the limit up to 4G (D/B) or 64K */
	seg[EMUL_ES] = (struct emul_segment){
		.base = MMIO - 0x1000, .limit = 0xfff, .type = 0x7, .s = true,
		.present = true, .db = true,
	};
	gpr[RBX] = 0xfff;
	expect_seg_fault(test, env, "26 8b 03", X86_TRAP_GP, true);
	gpr[RBX] = 0x1000;
	run_ok(test, env, "26 89 03");
	seg[EMUL_ES].db = false;
	seg[EMUL_ES].base = MMIO - 0xf000;
	gpr[RBX] = 0xfffe;
	expect_seg_fault(test, env, "26 8b 03", X86_TRAP_GP, true);
	run_ok(test, env, "26 66 8b 03");

	/* read-only data, execute-only and readable code */
	gpr[RBX] = 0x10;
	seg[EMUL_DS].type = 0x1;
	run_ok(test, env, "8b 03");
	expect_seg_fault(test, env, "89 03", X86_TRAP_GP, true);
	expect_seg_fault(test, env, "83 03 01", X86_TRAP_GP, true);
	run_ok(test, env, "83 3b 01");			/* CMP reads */
	seg[EMUL_CS].base = MMIO;
	seg[EMUL_CS].type = 0x9;
	expect_seg_fault(test, env, "2e 8b 03", X86_TRAP_GP, true);
	seg[EMUL_CS].type = 0xb;
	run_ok(test, env, "2e 8b 03");
	expect_seg_fault(test, env, "2e 89 03", X86_TRAP_GP, true);

	/* unusable and not-present segments */
	seg[EMUL_ES].unusable = true;
	gpr[RDI] = 0x2000;
	expect_seg_fault(test, env, "ab", X86_TRAP_GP, true);
	seg[EMUL_ES].unusable = false;
	seg[EMUL_ES].present = false;
	expect_seg_fault(test, env, "ab", X86_TRAP_GP, true);
	seg[EMUL_SS].unusable = true;
	expect_seg_fault(test, env, "8b 45 00", X86_TRAP_SS, true);

	/* real mode: the limit applies, exceptions push no error code */
	env_cpu_real(&env->cpu);
	seg[EMUL_DS].base = ENV_DATA;
	gpr[RBX] = 0xffff;
	expect_seg_fault(test, env, "8b 07", X86_TRAP_GP, false);
	run_ok(test, env, "8a 07");
	/* 16-bit addresses wrap: [bx+si] with BX 0xffff, SI 2 is 1 */
	gpr[RSI] = 2;
	env_ram_set(env, ENV_DATA + 1, 0x4242, 2);
	run_ok(test, env, "8b 00");
	KUNIT_EXPECT_EQ(test, gpr[RAX] & 0xffff, 0x4242);
}

/* 64-bit mode: non-canonical is #GP(0), or #SS(0) through SS. */
static void emulate_canonical(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;

	gpr[RBX] = 0x0000800000000000ULL;
	expect_seg_fault(test, env, "8b 03", X86_TRAP_GP, true);
	gpr[RSP] = 0xffff700000000000ULL;
	expect_seg_fault(test, env, "8b 04 24", X86_TRAP_SS, true);
	/* an SS override has no effect in 64-bit mode */
	expect_seg_fault(test, env, "36 8b 03", X86_TRAP_GP, true);
	/* the last byte counts */
	gpr[RBX] = 0x00007ffffffffffeULL;
	expect_seg_fault(test, env, "8b 03", X86_TRAP_GP, true);
	/* FS base added before the check */
	env->cpu.seg[EMUL_FS].base = 0x00007ffffffff000ULL;
	gpr[RBX] = 0x2000;
	expect_seg_fault(test, env, "64 8b 03", X86_TRAP_GP, true);
	/* no limits in 64-bit mode: ES limit 0 and unusable are ignored */
	env->cpu.seg[EMUL_ES].limit = 0;
	env->cpu.seg[EMUL_ES].unusable = true;
	gpr[RDI] = MMIO;
	run_ok(test, env, "ab");
	/* LA57: 57-bit canonical addresses */
	env->cpu.cr4 |= X86_CR4_LA57;
	gpr[RBX] = 0x0000800000000000ULL;
	env_ram_set(env, ENV_PML4 + 256 * 8, 0, 8);
	KUNIT_EXPECT_NE(test, run(test, env, "8b 03",
				  &(struct emul_fault){}), EMUL_OK);
}

/* emul_linear(): the operand's linear address. */
static void emulate_linear(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	u64 *gpr = env->cpu.gpr;
	struct emul_fault fault;
	struct emul_insn insn;
	u8 bytes[16];
	u64 la;

	gpr[RBX] = 0x1000;
	gpr[RCX] = 100;
	gpr[RSI] = 0x2000;
	gpr[RDI] = 0x3000;
	env->cpu.seg[EMUL_FS].base = 0x40000;

	decode(test, env, bytes, env_hex("8b 43 10", bytes), &insn);
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, la, 0x1010);
	/* BT with a register offset: the unit that holds bit 100 */
	decode(test, env, bytes, env_hex("48 0f a3 0b", bytes), &insn);
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, la, 0x1008);
	decode(test, env, bytes, env_hex("ab", bytes), &insn);
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, la, 0x3000);
	decode(test, env, bytes, env_hex("64 a4", bytes), &insn);
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, la, 0x42000);
	decode(test, env, bytes, env_hex("67 8b 03", bytes), &insn);
	gpr[RBX] = 0xffffffff00001234ULL;
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_OK);
	KUNIT_EXPECT_EQ(test, la, 0x1234);
	gpr[RBX] = 0x0000900000000000ULL;
	decode(test, env, bytes, env_hex("8b 03", bytes), &insn);
	KUNIT_EXPECT_EQ(test, emul_linear(&env->cpu, &insn, &la, &fault),
			EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_GP);
}

/* Instruction fetch: paging, page crossing, CS limit, not RAM. */
static void emulate_fetch(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	const u64 va = ENV_VA_BASE;
	u8 bytes[EMUL_MAX_INSN_LEN];
	struct emul_fault fault;
	unsigned int avail;

	env_map(env, 2, ENV_DATA, ENV_P | ENV_US);	/* code */
	env_ram_set(env, ENV_DATA + 0xffe, 0x038b, 2);	/* 8b 03 */

	/* the whole page-2 tail; page 3 is not present but not needed */
	env->cpu.rip = va + 0x2ffe;
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, avail, 2);
	KUNIT_EXPECT_EQ(test, bytes[0], 0x8b);
	KUNIT_EXPECT_EQ(test, bytes[1], 0x03);

	/* 48 8b 03 needs the byte on page 3: its #PF, with I/D and U */
	env_ram_set(env, ENV_DATA + 0xffe, 0x8b48, 2);
	env->cpu.cpl = 3;
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_PF);
	KUNIT_EXPECT_EQ(test, fault.error_code,
			EMUL_PF_FETCH | EMUL_PF_USER);
	KUNIT_EXPECT_EQ(test, fault.cr2, va + 0x3000);

	/* mapped: 15 bytes across the boundary */
	env_map(env, 3, ENV_DATA + 0x1000, ENV_P | ENV_US);
	env_ram_set(env, ENV_DATA + 0x1000, 0x03, 1);
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, avail, EMUL_MAX_INSN_LEN);
	KUNIT_EXPECT_EQ(test, emul_insn_length(bytes, avail, EMUL_MODE_LONG64),
			3);

	/* the first byte not executable: #PF at RIP */
	env_map(env, 2, ENV_DATA, ENV_P | ENV_US | ENV_XD);
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.error_code,
			EMUL_PF_PRESENT | EMUL_PF_FETCH | EMUL_PF_USER);
	KUNIT_EXPECT_EQ(test, fault.cr2, va + 0x2ffe);

	/* non-canonical RIP */
	env->cpu.rip = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_GP);

	/* protected mode: the CS limit cuts like an unmapped page */
	env_cpu_prot(&env->cpu, true);
	env->cpu.seg[EMUL_CS].base = ENV_DATA;
	env->cpu.seg[EMUL_CS].limit = 0xfff;
	env->cpu.rip = 0xffe;
	env_ram_set(env, ENV_DATA + 0xffe, 0x038b, 2);
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, avail, 2);
	env_ram_set(env, ENV_DATA + 0xffe, 0x438b, 2);	/* 8b 43 disp8 */
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vector, X86_TRAP_GP);
	KUNIT_EXPECT_TRUE(test, fault.has_error_code);

	/* real mode: CS base + IP */
	env_cpu_real(&env->cpu);
	env->cpu.seg[EMUL_CS].base = ENV_DATA;
	env->cpu.rip = 0x100;
	env_ram_set(env, ENV_DATA + 0x100, 0x078b, 2);
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, bytes[0], 0x8b);

	/* code that is not RAM */
	env->cpu.seg[EMUL_CS].base = MMIO;
	KUNIT_EXPECT_EQ(test, emul_fetch(&env->cpu, &env_ops, env, bytes,
					 &avail, &fault), EMUL_ERROR);
}

/* Host errors and an instruction without an operation. */
static void emulate_errors(struct kunit *test)
{
	struct emul_env *env = long_env(test);
	struct emul_insn insn = {};
	struct emul_fault fault;
	u64 rip = env->cpu.rip;

	env->cpu.gpr[RBX] = 0x10000000;	/* neither RAM nor the device */
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_ERROR);
	KUNIT_EXPECT_EQ(test, run(test, env, "8b 03", &fault), EMUL_ERROR);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, emul_execute(&env->cpu, &insn, &env_ops, env,
					   &fault), EMUL_UNHANDLED);
	/* paging entries that keep changing: the guest runs it again */
	env_ram_set(env, ENV_PDPT + 3 * 8,
		    0xc0000000ULL | ENV_PS | ENV_P | ENV_RW, 8);
	env->races = 1000;
	env->cpu.gpr[RBX] = MMIO;
	KUNIT_EXPECT_EQ(test, run(test, env, "89 03", &fault), EMUL_OK);
	KUNIT_EXPECT_EQ(test, env->cpu.rip, rip);
	KUNIT_EXPECT_EQ(test, env->nr_log, 0);
}

static struct kunit_case emulate_cases[] = {
	KUNIT_CASE(emulate_mov),
	KUNIT_CASE(emulate_xchg),
	KUNIT_CASE(emulate_alu_flags),
	KUNIT_CASE(emulate_alu_imm),
	KUNIT_CASE(emulate_unary_flags),
	KUNIT_CASE(emulate_test_flags),
	KUNIT_CASE(emulate_bt),
	KUNIT_CASE(emulate_bt_addressing),
	KUNIT_CASE(emulate_cmpxchg_xadd),
	KUNIT_CASE(emulate_rep_stos),
	KUNIT_CASE(emulate_rep_stos_16),
	KUNIT_CASE(emulate_rep_movs_lods),
	KUNIT_CASE(emulate_rep_bound),
	KUNIT_CASE(emulate_user_exit),
	KUNIT_CASE(emulate_page_split),
	KUNIT_CASE(emulate_fault_gpa),
	KUNIT_CASE(emulate_seg_faults),
	KUNIT_CASE(emulate_canonical),
	KUNIT_CASE(emulate_linear),
	KUNIT_CASE(emulate_fetch),
	KUNIT_CASE(emulate_errors),
	{}
};

static struct kunit_suite emulate_suite = {
	.name = "vlapic_emulate",
	.test_cases = emulate_cases,
};

kunit_test_suite(emulate_suite);
