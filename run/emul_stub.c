// SPDX-License-Identifier: GPL-2.0
/* TEMPORARY stand-in for emul/ (MOV only), replaced by the real decoder. */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/traps.h>
#include <vlapic/emul.h>

enum emul_mode emul_cpu_mode(const struct emul_cpu *cpu)
{
	if (!(cpu->cr0 & X86_CR0_PE))
		return EMUL_MODE_REAL;
	if ((cpu->efer & EFER_LMA) && cpu->seg[EMUL_CS].l)
		return EMUL_MODE_LONG64;
	return cpu->seg[EMUL_CS].db ? EMUL_MODE_PROT32 : EMUL_MODE_PROT16;
}

int emul_walk(const struct emul_cpu *cpu, const struct emul_ops *ops,
	      void *ctx, u64 gva, u32 access, u64 *gpa, struct emul_fault *f)
{
	u64 table, e = 0;
	int level, shift;

	if (!(cpu->cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return EMUL_OK;
	}
	if (!(cpu->efer & EFER_LMA)) {
		*gpa = gva; /* stub: no legacy paging */
		return EMUL_UNHANDLED;
	}
	table = cpu->cr3 & ~0xfffULL;
	for (level = 4; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (ops->read_phys(ctx, table + ((gva >> shift) & 511) * 8, &e, 8))
			return EMUL_ERROR;
		if (!(e & 1)) {
			f->vector = X86_TRAP_PF;
			f->has_error_code = true;
			f->error_code = access;
			f->cr2 = gva;
			return EMUL_FAULT;
		}
		if (level > 1 && level < 4 && (e & 0x80)) {
			u64 mask = (1ULL << shift) - 1;
			*gpa = (e & 0x000ffffffffff000ULL & ~mask) | (gva & mask);
			return EMUL_OK;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	*gpa = table | (gva & 0xfff);
	return EMUL_OK;
}

int emul_fetch(const struct emul_cpu *cpu, const struct emul_ops *ops,
	       void *ctx, u8 *bytes, unsigned int *avail, struct emul_fault *f)
{
	u64 lin = cpu->seg[EMUL_CS].base + cpu->rip, gpa;
	unsigned int i;
	int r;

	if (emul_cpu_mode(cpu) != EMUL_MODE_LONG64)
		lin = (u32)lin;
	for (i = 0; i < EMUL_MAX_INSN_LEN; i++) {
		r = emul_walk(cpu, ops, ctx, lin + i, EMUL_PF_FETCH, &gpa, f);
		if (r != EMUL_OK || ops->read_phys(ctx, gpa, bytes + i, 1))
			break;
	}
	*avail = i;
	return i ? EMUL_OK : (r == EMUL_FAULT ? EMUL_FAULT : EMUL_ERROR);
}

int emul_decode(const u8 *b, unsigned int n, enum emul_mode mode,
		struct emul_insn *in)
{
	unsigned int i = 0;
	u8 rex = 0, op, modrm, mod, rm;
	bool opsz = false;

	memset(in, 0, sizeof(*in));
	in->mode = mode;
	in->ea_base = -1;
	in->ea_index = -1;
	in->ea_scale = 1;
	in->seg = EMUL_DS;
	in->addr_bytes = mode == EMUL_MODE_LONG64 ? 8 : 4;
	while (i < n && b[i] == 0x66) {
		opsz = true;
		i++;
	}
	if (mode == EMUL_MODE_LONG64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > n)
		return EMUL_UNHANDLED;
	op = b[i++];
	if (op >= 0xa0 && op <= 0xa3) {
		in->op = op & 2 ? EMUL_OP_MOV_STORE : EMUL_OP_MOV_LOAD;
		in->mem_is_dst = op & 2;
		in->op_bytes = (op & 1) ? ((rex & 8) ? 8 : opsz ? 2 : 4) : 1;
		in->mem_bytes = in->op_bytes;
		in->reg = EMUL_RAX;
		in->moffs = true;
		in->ea_disp = mode == EMUL_MODE_LONG64 ? (s64)get_unaligned_le64(b + i) :
			      get_unaligned_le32(b + i);
		i += mode == EMUL_MODE_LONG64 ? 8 : 4;
		in->len = i;
		memcpy(in->bytes, b, i);
		return EMUL_OK;
	}
	switch (op) {
	case 0x88: case 0x89: case 0xc6: case 0xc7:
		in->op = EMUL_OP_MOV_STORE;
		in->mem_is_dst = true;
		break;
	case 0x8a: case 0x8b:
		in->op = EMUL_OP_MOV_LOAD;
		break;
	default:
		return EMUL_UNHANDLED;
	}
	in->op_bytes = (op & 1) ? ((rex & 8) ? 8 : opsz ? 2 : 4) : 1;
	in->mem_bytes = in->op_bytes;
	modrm = b[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return EMUL_UNHANDLED;
	in->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	if (rm == 4) {
		u8 sib = b[i++];
		u8 base = sib & 7, idx = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);

		in->ea_scale = 1 << (sib >> 6);
		if (idx != 4)
			in->ea_index = idx;
		if (base == 5 && mod == 0) {
			in->ea_disp = (s32)get_unaligned_le32(b + i);
			i += 4;
		} else {
			in->ea_base = base | ((rex & 1) ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		in->ea_disp = (s32)get_unaligned_le32(b + i);
		i += 4;
		in->rip_relative = mode == EMUL_MODE_LONG64;
	} else {
		in->ea_base = rm | ((rex & 1) ? 8 : 0);
	}
	if (mod == 1) {
		in->ea_disp = (s8)b[i++];
	} else if (mod == 2) {
		in->ea_disp = (s32)get_unaligned_le32(b + i);
		i += 4;
	}
	if (op == 0xc6) {
		in->has_imm = true;
		in->imm = b[i++];
		in->reg = -1;
	} else if (op == 0xc7) {
		in->has_imm = true;
		in->imm = in->op_bytes == 2 ? get_unaligned_le16(b + i) :
			  (u64)(s64)(s32)get_unaligned_le32(b + i);
		i += in->op_bytes == 2 ? 2 : 4;
		in->reg = -1;
	}
	if (i > n)
		return EMUL_UNHANDLED;
	in->len = i;
	memcpy(in->bytes, b, i);
	return EMUL_OK;
}

int emul_execute(struct emul_cpu *cpu, const struct emul_insn *in,
		 const struct emul_ops *ops, void *ctx, struct emul_fault *f)
{
	u64 ea = in->ea_disp, gpa, v = 0;
	int r;

	if (in->ea_base >= 0)
		ea += cpu->gpr[in->ea_base];
	if (in->ea_index >= 0)
		ea += cpu->gpr[in->ea_index] * in->ea_scale;
	if (in->rip_relative)
		ea += cpu->rip + in->len;
	if (in->mode != EMUL_MODE_LONG64)
		ea = (u32)(ea + cpu->seg[in->seg].base);
	r = emul_walk(cpu, ops, ctx, ea, in->mem_is_dst ? EMUL_PF_WRITE : 0,
		      &gpa, f);
	if (r != EMUL_OK)
		return r;
	if (in->op == EMUL_OP_MOV_STORE) {
		v = in->has_imm ? in->imm : cpu->gpr[in->reg];
		r = ops->write(ctx, gpa, &v, in->mem_bytes);
		if (r != EMUL_OK && r != EMUL_USER_EXIT)
			return r;
		cpu->rip += in->len;
		return r;
	}
	r = ops->read(ctx, gpa, &v, in->mem_bytes);
	if (r != EMUL_OK)
		return r;
	if (in->op_bytes == 4)
		cpu->gpr[in->reg] = (u32)v;
	else if (in->op_bytes == 8)
		cpu->gpr[in->reg] = v;
	else
		memcpy(&cpu->gpr[in->reg], &v, in->op_bytes);
	cpu->rip += in->len;
	return EMUL_OK;
}
