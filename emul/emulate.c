// SPDX-License-Identifier: GPL-2.0
/*
 * Carrying out a decoded instruction: effective and linear addresses with
 * segmentation and canonical checks, instruction fetch, the operations
 * and their flags, string instructions, and accesses split at page
 * boundaries. Guest memory and devices are reached through struct
 * emul_ops only; contracts are in include/vlapic/emul.h.
 *
 * Every access is translated (segment checks, page walk) before any of
 * the instruction's accesses is made, so a fault leaves the device
 * untouched; reads come before writes, so a read that goes to userspace
 * suspends the instruction with nothing done.
 */

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>

#include <vlapic/export.h>

#include "emul_priv.h"

#define FLAGS_ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

/* One emul_execute() call. */
struct ctxt {
	struct emul_cpu *cpu;
	const struct emul_insn *insn;
	const struct emul_ops *ops;
	void *ctx;
	struct emul_fault *fault;
	/* the last access was a write that went to userspace */
	bool write_exit;
	/* @ops->fault_gpa was asked (once per instruction) */
	bool fault_gpa_asked;
};

/* One data access, translated: one or two pieces, each within a page. */
struct access {
	unsigned int nr;
	u64 gpa[2];
	unsigned int len[2];
};

static u64 reg_read(const struct emul_cpu *cpu, int reg, bool high_byte,
		    unsigned int bytes)
{
	if (high_byte)
		return (cpu->gpr[reg] >> 8) & 0xff;
	return emul_truncate(cpu->gpr[reg], bytes);
}

/* 8- and 16-bit writes merge, 32-bit writes zero-extend (SDM 3.4.1.1). */
static void reg_write(struct emul_cpu *cpu, int reg, bool high_byte,
		      unsigned int bytes, u64 val)
{
	u64 *r = &cpu->gpr[reg];

	if (high_byte)
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (bytes == 1)
		*r = (*r & ~0xffULL) | (val & 0xff);
	else if (bytes == 2)
		*r = (*r & ~0xffffULL) | (val & 0xffff);
	else if (bytes == 4)
		*r = (u32)val;
	else
		*r = val;
}

static bool is_canonical(const struct emul_cpu *cpu, u64 la)
{
	unsigned int bits = (cpu->cr4 & X86_CR4_LA57) ? 57 : 48;

	return sign_extend64(la, bits - 1) == (s64)la;
}

static int seg_fault(enum emul_mode mode, int seg, struct emul_fault *fault)
{
	return emul_set_fault(fault, seg == EMUL_SS ? X86_TRAP_SS : X86_TRAP_GP,
			      emul_mode_has_error_code(mode), 0, 0);
}

/*
 * The linear address of @len bytes at @seg:@ea, checked for a read or a
 * write: canonical in 64-bit mode, else usable, of the right type and
 * within the limit (expand-down included).
 */
static int seg_linear(const struct emul_cpu *cpu, enum emul_mode mode,
		      int seg, u64 ea, unsigned int len, bool write, u64 *la,
		      struct emul_fault *fault)
{
	const struct emul_segment *s = &cpu->seg[seg];
	u64 last = ea + len - 1;

	if (mode == EMUL_MODE_LONG64) {
		*la = ea;
		if (seg == EMUL_FS || seg == EMUL_GS)
			*la += s->base;
		if (!is_canonical(cpu, *la) || !is_canonical(cpu, *la + len - 1))
			return seg_fault(mode, seg, fault);
		return EMUL_OK;
	}

	if (mode == EMUL_MODE_PROT16 || mode == EMUL_MODE_PROT32) {
		if (s->unusable || !s->present)
			return seg_fault(mode, seg, fault);
		if (s->type & 8) {
			/* code: never writable, readable with R */
			if (write || !(s->type & 2))
				return seg_fault(mode, seg, fault);
		} else if (write && !(s->type & 2)) {
			return seg_fault(mode, seg, fault);
		}
		if (!(s->type & 8) && (s->type & 4)) {
			/* expand-down: above the limit, up to 64K or 4G */
			u64 upper = s->db ? 0xffffffffULL : 0xffffULL;

			if (ea <= s->limit || last > upper)
				return seg_fault(mode, seg, fault);
			*la = (u32)(s->base + ea);
			return EMUL_OK;
		}
	}
	/* real and virtual-8086 mode: the limit of the hidden part */
	if (last > s->limit)
		return seg_fault(mode, seg, fault);
	*la = (u32)(s->base + ea);
	return EMUL_OK;
}

static u32 access_bits(const struct emul_cpu *cpu, bool write)
{
	return (write ? EMUL_PF_WRITE : 0) | (cpu->cpl == 3 ? EMUL_PF_USER : 0);
}

/*
 * The address the exit reported for this very access, if there is one
 * (struct emul_ops, @fault_gpa): the first access of an instruction with
 * one memory operand, within one page, at the same page offset; stored in
 * @gpa when it is.
 */
static bool fault_gpa_usable(struct ctxt *c, u64 la, const struct access *a,
			     u64 *gpa)
{
	if (c->fault_gpa_asked || !c->ops->fault_gpa)
		return false;
	c->fault_gpa_asked = true;
	return a->nr == 1 && c->insn->op != EMUL_OP_MOVS &&
	       c->ops->fault_gpa(c->ctx, gpa) &&
	       !((*gpa ^ la) & (EMUL_PAGE_SIZE - 1));
}

/* Linear address to one or two guest-physical pieces, all walked first. */
static int translate(struct ctxt *c, int seg, u64 ea, unsigned int len,
		     bool write, struct access *a)
{
	const struct emul_cpu *cpu = c->cpu;
	enum emul_mode mode = c->insn->mode;
	u64 la, la2;
	unsigned int first;
	int ret;

	ret = seg_linear(cpu, mode, seg, ea, len, write, &la, c->fault);
	if (ret)
		return ret;
	first = min_t(u64, len, EMUL_PAGE_SIZE - (la & (EMUL_PAGE_SIZE - 1)));
	a->nr = first < len ? 2 : 1;
	a->len[0] = first;
	a->len[1] = len - first;
	if (fault_gpa_usable(c, la, a, &a->gpa[0]))
		return EMUL_OK;
	ret = emul_walk(cpu, c->ops, c->ctx, la, access_bits(cpu, write),
			&a->gpa[0], c->fault);
	if (ret || a->nr == 1)
		return ret;
	la2 = la + first;
	if (mode != EMUL_MODE_LONG64)
		la2 = (u32)la2;
	return emul_walk(cpu, c->ops, c->ctx, la2, access_bits(cpu, write),
			 &a->gpa[1], c->fault);
}

/* A callback's result other than these is a host bug. */
static int callback_result(int ret)
{
	if (WARN_ON_ONCE(ret != EMUL_OK && ret != EMUL_USER_EXIT &&
			 ret != EMUL_ERROR))
		return EMUL_ERROR;
	return ret;
}

static int mem_read(struct ctxt *c, const struct access *a, u64 *val)
{
	u8 buf[8] = {};
	unsigned int i, off = 0;
	int ret;

	for (i = 0; i < a->nr; i++) {
		ret = callback_result(c->ops->read(c->ctx, a->gpa[i], buf + off,
						   a->len[i]));
		if (ret)
			return ret;
		off += a->len[i];
	}
	*val = 0;
	for (i = 0; i < off; i++)
		*val |= (u64)buf[i] << (8 * i);
	return EMUL_OK;
}

/* Both pieces are written even when the first went to userspace. */
static int mem_write(struct ctxt *c, const struct access *a, u64 val)
{
	u8 buf[8];
	unsigned int i, off = 0;
	int ret, result = EMUL_OK;

	for (i = 0; i < 8; i++)
		buf[i] = val >> (8 * i);
	for (i = 0; i < a->nr; i++) {
		ret = callback_result(c->ops->write(c->ctx, a->gpa[i],
						    buf + off, a->len[i]));
		if (ret == EMUL_ERROR)
			return ret;
		if (ret == EMUL_USER_EXIT) {
			c->write_exit = true;
			result = ret;
		}
		off += a->len[i];
	}
	return result;
}

static u64 flags_szp(u64 res, unsigned int bytes)
{
	u64 flags = 0;

	res = emul_truncate(res, bytes);
	if (!res)
		flags |= X86_EFLAGS_ZF;
	if (res >> (8 * bytes - 1))
		flags |= X86_EFLAGS_SF;
	if (!(hweight8(res & 0xff) & 1))
		flags |= X86_EFLAGS_PF;
	return flags;
}

/*
 * @alu (EMUL_ALU_*) of @d and @s at @bytes: the result, and in @flags the
 * six arithmetic flags. AND, OR, XOR clear CF, OF and AF (AF is undefined
 * for them in the SDM).
 */
static u64 alu_compute(unsigned int alu, u64 d, u64 s, bool cf,
		       unsigned int bytes, u64 *flags)
{
	u64 msb = 1ULL << (8 * bytes - 1);
	u64 r = 0;
	bool carry;

	d = emul_truncate(d, bytes);
	s = emul_truncate(s, bytes);
	*flags = 0;
	switch (alu) {
	case EMUL_ALU_ADD:
	case EMUL_ALU_ADC:
		carry = alu == EMUL_ALU_ADC && cf;
		r = emul_truncate(d + s + carry, bytes);
		if (r < d || (carry && r == d))
			*flags |= X86_EFLAGS_CF;
		if ((d ^ r) & (s ^ r) & msb)
			*flags |= X86_EFLAGS_OF;
		break;
	case EMUL_ALU_SUB:
	case EMUL_ALU_SBB:
	case EMUL_ALU_CMP:
		carry = alu == EMUL_ALU_SBB && cf;
		r = emul_truncate(d - s - carry, bytes);
		if (d < s || (carry && d == s))
			*flags |= X86_EFLAGS_CF;
		if ((d ^ s) & (d ^ r) & msb)
			*flags |= X86_EFLAGS_OF;
		break;
	case EMUL_ALU_OR:
		r = d | s;
		break;
	case EMUL_ALU_AND:
		r = d & s;
		break;
	case EMUL_ALU_XOR:
		r = d ^ s;
		break;
	}
	if (alu != EMUL_ALU_OR && alu != EMUL_ALU_AND && alu != EMUL_ALU_XOR &&
	    ((d ^ s ^ r) & 0x10))
		*flags |= X86_EFLAGS_AF;
	*flags |= flags_szp(r, bytes);
	return r;
}

static void set_flags(struct emul_cpu *cpu, u64 mask, u64 flags)
{
	cpu->rflags = (cpu->rflags & ~mask) | (flags & mask);
}

static bool cf_in(const struct emul_cpu *cpu)
{
	return cpu->rflags & X86_EFLAGS_CF;
}

/*
 * The effective address of the ModRM or moffs operand, truncated to the
 * address size; for BT/BTS/BTR/BTC with a register bit offset, of the
 * operand-sized unit that holds the bit (the offset is signed and may
 * reach outside the addressed operand).
 */
static u64 operand_ea(const struct emul_cpu *cpu, const struct emul_insn *insn)
{
	u64 ea = insn->ea_disp;

	if (insn->rip_relative) {
		ea += cpu->rip + insn->len;
	} else if (!insn->moffs) {
		if (insn->ea_base >= 0)
			ea += cpu->gpr[insn->ea_base];
		if (insn->ea_index >= 0)
			ea += cpu->gpr[insn->ea_index] * insn->ea_scale;
	}
	if (insn->op == EMUL_OP_BT && !insn->has_imm) {
		unsigned int bits = 8 * insn->op_bytes;
		s64 off = emul_sign_extend(reg_read(cpu, insn->reg, false,
						     insn->op_bytes),
					    insn->op_bytes);

		/* floor(off / bits) units of op_bytes (arithmetic shift) */
		ea += (u64)((off >> ilog2(bits)) * insn->op_bytes);
	}
	return emul_truncate(ea, insn->addr_bytes);
}

/* The bit BT* addresses within the operand-sized unit. */
static unsigned int bit_index(const struct emul_cpu *cpu,
			      const struct emul_insn *insn)
{
	u64 off = insn->has_imm ? insn->imm :
		  reg_read(cpu, insn->reg, false, insn->op_bytes);

	return off & (8 * insn->op_bytes - 1);
}

int emul_linear(const struct emul_cpu *cpu, const struct emul_insn *insn,
		u64 *linear, struct emul_fault *fault)
{
	bool write = insn->mem_is_dst;
	u64 ea;

	switch (insn->op) {
	case EMUL_OP_STOS:
		ea = cpu->gpr[EMUL_RDI];
		break;
	case EMUL_OP_MOVS:
		write = false;
		fallthrough;
	case EMUL_OP_LODS:
		ea = cpu->gpr[EMUL_RSI];
		break;
	default:
		ea = operand_ea(cpu, insn);
		break;
	}
	return seg_linear(cpu, insn->mode, insn->seg,
			  emul_truncate(ea, insn->addr_bytes),
			  insn->mem_bytes, write, linear, fault);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_linear);

/* ALU with the memory operand as destination or as source. */
static int exec_alu(struct ctxt *c, const struct access *a)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	u64 m, d, s, r, flags;
	int ret;

	ret = mem_read(c, a, &m);
	if (ret)
		return ret;
	if (insn->reg_is_dst) {
		d = reg_read(cpu, insn->reg, insn->reg_high_byte, insn->op_bytes);
		s = m;
	} else {
		d = m;
		s = insn->has_imm ? insn->imm :
		    reg_read(cpu, insn->reg, insn->reg_high_byte,
			     insn->op_bytes);
	}
	r = alu_compute(insn->alu, d, s, cf_in(cpu), insn->op_bytes, &flags);
	if (insn->alu != EMUL_ALU_CMP) {
		if (insn->reg_is_dst) {
			reg_write(cpu, insn->reg, insn->reg_high_byte,
				  insn->op_bytes, r);
		} else {
			ret = mem_write(c, a, r);
			if (ret == EMUL_ERROR)
				return ret;
		}
	}
	set_flags(cpu, FLAGS_ARITH, flags);
	return ret;
}

/* NOT, NEG, INC, DEC on memory. */
static int exec_unary(struct ctxt *c, const struct access *a)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	u64 m, r, flags, mask = FLAGS_ARITH;
	int ret;

	ret = mem_read(c, a, &m);
	if (ret)
		return ret;
	switch (insn->alu) {
	case EMUL_UNARY_NOT:
		r = ~m;
		mask = 0;
		flags = 0;
		break;
	case EMUL_UNARY_NEG:
		r = alu_compute(EMUL_ALU_SUB, 0, m, false, insn->op_bytes,
				&flags);
		break;
	default:
		/* INC and DEC leave CF alone */
		r = alu_compute(insn->alu == EMUL_UNARY_INC ? EMUL_ALU_ADD :
				EMUL_ALU_SUB, m, 1, false, insn->op_bytes,
				&flags);
		mask &= ~X86_EFLAGS_CF;
		break;
	}
	ret = mem_write(c, a, r);
	if (ret == EMUL_ERROR)
		return ret;
	set_flags(cpu, mask, flags);
	return ret;
}

/*
 * BT, BTS, BTR, BTC: CF := the bit; the others are written back (also
 * when unchanged, as the locked read-modify-write on hardware does).
 * OF, SF, AF and PF, which the SDM leaves undefined, and ZF are left
 * unchanged.
 */
static int exec_bt(struct ctxt *c, const struct access *a)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	unsigned int bit = bit_index(cpu, insn);
	u64 m, r;
	int ret;

	ret = mem_read(c, a, &m);
	if (ret)
		return ret;
	switch (insn->alu) {
	case EMUL_BT_BTS:
		r = m | BIT_ULL(bit);
		break;
	case EMUL_BT_BTR:
		r = m & ~BIT_ULL(bit);
		break;
	case EMUL_BT_BTC:
		r = m ^ BIT_ULL(bit);
		break;
	default:
		r = m;
		break;
	}
	if (insn->alu != EMUL_BT_BT) {
		ret = mem_write(c, a, r);
		if (ret == EMUL_ERROR)
			return ret;
	}
	set_flags(cpu, X86_EFLAGS_CF, (m >> bit) & 1 ? X86_EFLAGS_CF : 0);
	return ret;
}

/*
 * CMPXCHG: flags of rAX - mem; equal: mem := reg; else rAX := mem. On
 * a mismatch the SDM has the CPU write the old value back to keep the
 * locked cycle; a device would see a write nobody asked for, so nothing
 * is written then.
 */
static int exec_cmpxchg(struct ctxt *c, const struct access *a)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	u64 m, acc, flags;
	int ret;

	ret = mem_read(c, a, &m);
	if (ret)
		return ret;
	acc = reg_read(cpu, EMUL_RAX, false, insn->op_bytes);
	alu_compute(EMUL_ALU_CMP, acc, m, false, insn->op_bytes, &flags);
	if (flags & X86_EFLAGS_ZF) {
		ret = mem_write(c, a, reg_read(cpu, insn->reg,
					       insn->reg_high_byte,
					       insn->op_bytes));
		if (ret == EMUL_ERROR)
			return ret;
	} else {
		reg_write(cpu, EMUL_RAX, false, insn->op_bytes, m);
	}
	set_flags(cpu, FLAGS_ARITH, flags);
	return ret;
}

/* Everything but the string instructions: one access (maybe split). */
static int exec_one(struct ctxt *c)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	struct access a;
	u64 m, v, flags;
	int ret;

	ret = translate(c, insn->seg, operand_ea(cpu, insn), insn->mem_bytes,
			insn->mem_is_dst, &a);
	if (ret)
		return ret;

	switch (insn->op) {
	case EMUL_OP_MOV_LOAD:
		ret = mem_read(c, &a, &m);
		if (ret)
			return ret;
		if (insn->sign_extend)
			m = emul_sign_extend(m, insn->mem_bytes);
		reg_write(cpu, insn->reg, insn->reg_high_byte, insn->op_bytes,
			  m);
		return EMUL_OK;
	case EMUL_OP_MOV_STORE:
		v = insn->has_imm ? insn->imm :
		    reg_read(cpu, insn->reg, insn->reg_high_byte,
			     insn->op_bytes);
		return mem_write(c, &a, v);
	case EMUL_OP_XCHG:
		ret = mem_read(c, &a, &m);
		if (ret)
			return ret;
		ret = mem_write(c, &a, reg_read(cpu, insn->reg,
						insn->reg_high_byte,
						insn->op_bytes));
		if (ret == EMUL_ERROR)
			return ret;
		reg_write(cpu, insn->reg, insn->reg_high_byte, insn->op_bytes,
			  m);
		return ret;
	case EMUL_OP_ALU:
		return exec_alu(c, &a);
	case EMUL_OP_TEST:
		ret = mem_read(c, &a, &m);
		if (ret)
			return ret;
		v = insn->has_imm ? insn->imm :
		    reg_read(cpu, insn->reg, insn->reg_high_byte,
			     insn->op_bytes);
		alu_compute(EMUL_ALU_AND, m, v, false, insn->op_bytes, &flags);
		set_flags(cpu, FLAGS_ARITH, flags);
		return EMUL_OK;
	case EMUL_OP_UNARY:
		return exec_unary(c, &a);
	case EMUL_OP_BT:
		return exec_bt(c, &a);
	case EMUL_OP_CMPXCHG:
		return exec_cmpxchg(c, &a);
	case EMUL_OP_XADD:
		ret = mem_read(c, &a, &m);
		if (ret)
			return ret;
		v = alu_compute(EMUL_ALU_ADD, m,
				reg_read(cpu, insn->reg, insn->reg_high_byte,
					 insn->op_bytes),
				false, insn->op_bytes, &flags);
		ret = mem_write(c, &a, v);
		if (ret == EMUL_ERROR)
			return ret;
		reg_write(cpu, insn->reg, insn->reg_high_byte, insn->op_bytes,
			  m);
		set_flags(cpu, FLAGS_ARITH, flags);
		return ret;
	default:
		return EMUL_UNHANDLED;
	}
}

/* One element of STOS, LODS or MOVS; rSI/rDI/rCX are the caller's. */
static int string_element(struct ctxt *c, u64 rsi, u64 rdi)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	unsigned int n = insn->op_bytes;
	struct access src, dst;
	u64 v;
	int ret;

	if (insn->op != EMUL_OP_STOS) {
		ret = translate(c, insn->seg, rsi, n, false, &src);
		if (ret)
			return ret;
	}
	if (insn->op != EMUL_OP_LODS) {
		ret = translate(c, EMUL_ES, rdi, n, true, &dst);
		if (ret)
			return ret;
	}

	switch (insn->op) {
	case EMUL_OP_STOS:
		return mem_write(c, &dst, reg_read(cpu, EMUL_RAX, false, n));
	case EMUL_OP_LODS:
		ret = mem_read(c, &src, &v);
		if (!ret)
			reg_write(cpu, EMUL_RAX, false, n, v);
		return ret;
	default:
		ret = mem_read(c, &src, &v);
		if (ret)
			return ret;
		return mem_write(c, &dst, v);
	}
}

/*
 * STOS, LODS, MOVS, with REP: iterations until rCX is 0, an access goes
 * to userspace or EMUL_REP_MAX_ITER iterations ran. Registers always
 * show the completed iterations. *@done says whether the instruction
 * completed.
 */
static int exec_string(struct ctxt *c, bool *done)
{
	const struct emul_insn *insn = c->insn;
	struct emul_cpu *cpu = c->cpu;
	unsigned int ab = insn->addr_bytes;
	u64 step = insn->op_bytes, count = 0, rsi, rdi;
	unsigned int iter;
	int ret;

	if (cpu->rflags & X86_EFLAGS_DF)
		step = -step;
	*done = false;
	for (iter = 0; ; iter++) {
		if (insn->rep) {
			count = reg_read(cpu, EMUL_RCX, false, ab);
			if (!count)
				break;
			if (iter == EMUL_REP_MAX_ITER)
				return EMUL_OK;	/* the guest runs it again */
		} else if (iter) {
			break;
		}
		rsi = reg_read(cpu, EMUL_RSI, false, ab);
		rdi = reg_read(cpu, EMUL_RDI, false, ab);
		c->write_exit = false;
		ret = string_element(c, rsi, rdi);
		if (ret && !(ret == EMUL_USER_EXIT && c->write_exit))
			return ret;

		/* the element is done (a write to userspace counts) */
		if (insn->op != EMUL_OP_STOS)
			reg_write(cpu, EMUL_RSI, false, ab, rsi + step);
		if (insn->op != EMUL_OP_LODS)
			reg_write(cpu, EMUL_RDI, false, ab, rdi + step);
		if (insn->rep)
			reg_write(cpu, EMUL_RCX, false, ab, count - 1);
		if (ret == EMUL_USER_EXIT) {
			*done = !insn->rep || count == 1;
			return ret;
		}
	}
	*done = true;
	return EMUL_OK;
}

/* The instruction is complete: past it, RF cleared. */
static void complete(struct emul_cpu *cpu, const struct emul_insn *insn)
{
	u64 rip = cpu->rip + insn->len;

	if (insn->mode == EMUL_MODE_PROT32)
		rip = (u32)rip;
	else if (insn->mode != EMUL_MODE_LONG64)
		rip &= 0xffff;
	cpu->rip = rip;
	cpu->rflags &= ~X86_EFLAGS_RF;
}

int emul_execute(struct emul_cpu *cpu, const struct emul_insn *insn,
		 const struct emul_ops *ops, void *ctx,
		 struct emul_fault *fault)
{
	struct ctxt c = {
		.cpu = cpu, .insn = insn, .ops = ops, .ctx = ctx, .fault = fault,
	};
	bool done;
	int ret;

	switch (insn->op) {
	case EMUL_OP_NONE:
		return EMUL_UNHANDLED;
	case EMUL_OP_STOS:
	case EMUL_OP_LODS:
	case EMUL_OP_MOVS:
		ret = exec_string(&c, &done);
		break;
	default:
		ret = exec_one(&c);
		done = ret == EMUL_OK || (ret == EMUL_USER_EXIT && c.write_exit);
		break;
	}
	if (done)
		complete(cpu, insn);
	return ret == EMUL_RETRY ? EMUL_OK : ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_execute);

int emul_fetch(const struct emul_cpu *cpu, const struct emul_ops *ops,
	       void *ctx, u8 *bytes, unsigned int *avail,
	       struct emul_fault *fault)
{
	enum emul_mode mode = emul_cpu_mode(cpu);
	const struct emul_segment *cs = &cpu->seg[EMUL_CS];
	u32 access = EMUL_PF_FETCH | (cpu->cpl == 3 ? EMUL_PF_USER : 0);
	struct emul_fault cut_fault;
	unsigned int n = 0, chunk;
	int ret = EMUL_OK;
	u64 off, la, gpa;

	while (n < EMUL_MAX_INSN_LEN) {
		off = cpu->rip + n;
		chunk = EMUL_MAX_INSN_LEN - n;
		if (mode == EMUL_MODE_LONG64) {
			la = off;
			if (!is_canonical(cpu, la)) {
				ret = emul_set_fault(&cut_fault, X86_TRAP_GP,
						     true, 0, 0);
				break;
			}
		} else {
			off = (u32)off;
			if (off > cs->limit) {
				ret = emul_set_fault(&cut_fault, X86_TRAP_GP,
						     emul_mode_has_error_code(mode),
						     0, 0);
				break;
			}
			chunk = min_t(u64, chunk, cs->limit - off + 1);
			la = (u32)(cs->base + off);
		}
		chunk = min_t(u64, chunk,
			      EMUL_PAGE_SIZE - (la & (EMUL_PAGE_SIZE - 1)));
		ret = emul_walk(cpu, ops, ctx, la, access, &gpa, &cut_fault);
		if (ret)
			break;
		ret = callback_result(ops->read_phys(ctx, gpa, bytes + n, chunk));
		if (ret)
			break;
		n += chunk;
	}

	if (ret && (!n || emul_insn_length(bytes, n, mode) == -ENODATA)) {
		if (ret == EMUL_FAULT)
			*fault = cut_fault;
		return ret == EMUL_USER_EXIT ? EMUL_ERROR : ret;
	}
	*avail = n;
	return EMUL_OK;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_fetch);
