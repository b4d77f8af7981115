// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoding for the MMIO emulator: prefixes, REX, the
 * one-byte and 0F opcode maps, ModRM/SIB/displacement and immediates.
 *
 * One parser serves two callers. emul_insn_length() needs only the
 * structure of an instruction (which bytes follow the opcode) and knows
 * the whole legacy one-byte, 0F, 0F 38 and 0F 3A maps, so that a run loop
 * without NRIPS can skip intercepted instructions and emul_fetch() can
 * tell whether the bytes it could not fetch belong to the instruction.
 * emul_decode() then classifies the few instructions the emulator can
 * carry out (see include/vlapic/emul.h) and rejects everything else.
 *
 * What the length decoder refuses rather than guesses (-EINVAL): VEX,
 * EVEX and XOP encodings, 3DNow!, undefined group members (C6/C7 /1-/6,
 * FE /2-/7, FF /7, 0F BA /0-/3) and opcodes that are undefined or differ
 * between vendors (0F FF, 0F B8 without F3, 0F 78/79 with 66 or F2, 0F C3 with 66, F2
 * or F3, and
 * near branches with a 66 prefix in 64-bit mode, whose length Intel and
 * AMD disagree on).
 */

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/string.h>

#include <vlapic/export.h>

#include "emul_priv.h"

/* Opcode attributes: flags in bits 3:0, the immediate's kind in 7:4. */
#define OP_MODRM	BIT(0)	/* a ModRM byte follows */
#define OP_I64		BIT(1)	/* invalid in 64-bit mode */
#define OP_BAD		BIT(2)	/* not known here (see the file comment) */
#define OP_REL		BIT(3)	/* near branch: rel16/32 */
#define OP_IMM_SHIFT	4

enum imm_kind {
	IMM_NONE,
	IMM_B,		/* 1 byte */
	IMM_W,		/* 2 bytes */
	IMM_Z,		/* 2 bytes with 16-bit operand size, else 4 */
	IMM_V,		/* operand size: 2, 4 or 8 (MOV r, imm) */
	IMM_MOFFS,	/* address size */
	IMM_WB,		/* ENTER: 2 + 1 */
	IMM_PTR,	/* far pointer: Z + 2 */
	IMM_GRP3B,	/* F6: 1 byte for /0 and /1 */
	IMM_GRP3Z,	/* F7: Z for /0 and /1 */
};

#define M	OP_MODRM
#define I64	OP_I64
#define BAD	OP_BAD
#define IB	(IMM_B << OP_IMM_SHIFT)
#define IW	(IMM_W << OP_IMM_SHIFT)
#define IZ	(IMM_Z << OP_IMM_SHIFT)
#define IV	(IMM_V << OP_IMM_SHIFT)
#define MOFFS	(IMM_MOFFS << OP_IMM_SHIFT)
#define IWB	(IMM_WB << OP_IMM_SHIFT)
#define PTR	(IMM_PTR << OP_IMM_SHIFT)
#define G3B	(M | IMM_GRP3B << OP_IMM_SHIFT)
#define G3Z	(M | IMM_GRP3Z << OP_IMM_SHIFT)

/*
 * The one-byte map (SDM vol. 2 table A-2). Prefix bytes (26 2E 36 3E
 * 64-67 F0 F2 F3, REX) never reach the table; 0F escapes to twobyte[].
 */
static const u8 onebyte[256] = {
	[0x00 ... 0x03] = M, [0x04] = IB, [0x05] = IZ, [0x06 ... 0x07] = I64,
	[0x08 ... 0x0b] = M, [0x0c] = IB, [0x0d] = IZ, [0x0e] = I64,
	[0x10 ... 0x13] = M, [0x14] = IB, [0x15] = IZ, [0x16 ... 0x17] = I64,
	[0x18 ... 0x1b] = M, [0x1c] = IB, [0x1d] = IZ, [0x1e ... 0x1f] = I64,
	[0x20 ... 0x23] = M, [0x24] = IB, [0x25] = IZ, [0x27] = I64,
	[0x28 ... 0x2b] = M, [0x2c] = IB, [0x2d] = IZ, [0x2f] = I64,
	[0x30 ... 0x33] = M, [0x34] = IB, [0x35] = IZ, [0x37] = I64,
	[0x38 ... 0x3b] = M, [0x3c] = IB, [0x3d] = IZ, [0x3f] = I64,
	/* 40-5F: INC/DEC (REX in 64-bit mode), PUSH/POP r */
	[0x60 ... 0x61] = I64, [0x62] = M | I64, [0x63] = M,
	[0x68] = IZ, [0x69] = M | IZ, [0x6a] = IB, [0x6b] = M | IB,
	[0x70 ... 0x7f] = IB,
	[0x80] = M | IB, [0x81] = M | IZ, [0x82] = M | IB | I64,
	[0x83] = M | IB, [0x84 ... 0x8f] = M,
	[0x9a] = PTR | I64,
	[0xa0 ... 0xa3] = MOFFS, [0xa8] = IB, [0xa9] = IZ,
	[0xb0 ... 0xb7] = IB, [0xb8 ... 0xbf] = IV,
	[0xc0 ... 0xc1] = M | IB, [0xc2] = IW, [0xc4 ... 0xc5] = M | I64,
	[0xc6] = M | IB, [0xc7] = M | IZ, [0xc8] = IWB, [0xca] = IW,
	[0xcd] = IB, [0xce] = I64,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = IB | I64, [0xd6] = BAD,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe7] = IB, [0xe8 ... 0xe9] = IZ | OP_REL, [0xea] = PTR | I64,
	[0xeb] = IB,
	[0xf6] = G3B, [0xf7] = G3Z, [0xfe ... 0xff] = M,
};

/* The 0F map (SDM vol. 2 table A-3); 0F 38 and 0F 3A are uniform. */
static const u8 twobyte[256] = {
	[0x00 ... 0x03] = M, [0x04] = BAD, [0x0a] = BAD, [0x0c] = BAD,
	[0x0d] = M, [0x0e ... 0x0f] = BAD,
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M, [0x24 ... 0x27] = BAD, [0x28 ... 0x2f] = M,
	[0x36] = BAD, [0x39] = BAD, [0x3b ... 0x3f] = BAD,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = M | IB, [0x74 ... 0x76] = M, [0x78 ... 0x79] = M,
	[0x7a ... 0x7b] = BAD, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = IZ | OP_REL,
	[0x90 ... 0x9f] = M,
	[0xa3] = M, [0xa4] = M | IB, [0xa5] = M, [0xa6 ... 0xa7] = BAD,
	[0xab] = M, [0xac] = M | IB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb9] = M, [0xba] = M | IB, [0xbb ... 0xbf] = M,
	[0xc0 ... 0xc1] = M, [0xc2] = M | IB, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IB, [0xc7] = M,
	[0xd0 ... 0xfe] = M, [0xff] = BAD,
};

#undef M
#undef I64
#undef BAD
#undef IB
#undef IW
#undef IZ
#undef IV
#undef MOFFS
#undef IWB
#undef PTR
#undef G3B
#undef G3Z

enum opcode_map { MAP_ONE, MAP_0F, MAP_0F38, MAP_0F3A };

#define REX_B	BIT(0)
#define REX_X	BIT(1)
#define REX_R	BIT(2)
#define REX_W	BIT(3)

/* The parser's state: the structure of one instruction. */
struct dec {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
	enum emul_mode mode;

	/* prefixes */
	u8 rex;			/* 0, or 0x40-0x4f right before the opcode */
	bool p66, p67, lock;
	u8 rep;			/* 0, 0xf2 or 0xf3: the last one */
	s8 seg_override;	/* enum emul_seg, -1 if none */

	/* opcode */
	enum opcode_map map;
	u8 opcode;
	u8 attr;
	u8 op_bytes, addr_bytes;

	/* ModRM */
	bool has_modrm;
	u8 mod;
	u8 reg3;		/* ModRM bits 5:3 */
	u8 reg;			/* with REX.R */
	u8 rm;			/* with REX.B (register forms) */
	bool has_mem;
	s8 base, index;
	u8 scale;
	s64 disp;
	bool rip_relative;
	bool ss_default;	/* based on rSP/rBP: SS unless overridden */

	/* immediate, zero-extended */
	unsigned int imm_bytes;
	u64 imm;
};

static int next_byte(struct dec *d, u8 *b)
{
	if (d->pos >= EMUL_MAX_INSN_LEN)
		return -E2BIG;
	if (d->pos >= d->avail)
		return -ENODATA;
	/* How far the guest's instruction runs: clamp for bytes[]. */
	*b = d->bytes[array_index_nospec(d->pos, EMUL_MAX_INSN_LEN)];
	d->pos++;
	return 0;
}

/* The byte at the current position without consuming it. */
static int peek_byte(struct dec *d, u8 *b)
{
	int ret = next_byte(d, b);

	if (!ret)
		d->pos--;
	return ret;
}

/* @n little-endian bytes, zero-extended. */
static int next_le(struct dec *d, unsigned int n, u64 *val)
{
	unsigned int i;
	u8 b;
	int ret;

	*val = 0;
	for (i = 0; i < n; i++) {
		ret = next_byte(d, &b);
		if (ret)
			return ret;
		*val |= (u64)b << (8 * i);
	}
	return 0;
}

static int next_disp(struct dec *d, unsigned int n)
{
	u64 raw;
	int ret = next_le(d, n, &raw);

	if (!ret)
		d->disp = emul_sign_extend(raw, n);
	return ret;
}

static bool is_mode64(const struct dec *d)
{
	return d->mode == EMUL_MODE_LONG64;
}

/*
 * Legacy prefixes; the last segment override and the last F2/F3 count.
 * Every legacy prefix cancels a REX before it.
 */
static int parse_prefixes(struct dec *d, u8 *opcode)
{
	u8 b;
	int ret;

	for (;;) {
		ret = next_byte(d, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* no effect in 64-bit mode (SDM vol. 1 3.3.7.1) */
			if (!is_mode64(d))
				d->seg_override = (b >> 3) & 3;
			break;
		case 0x64: case 0x65:
			d->seg_override = EMUL_FS + (b - 0x64);
			break;
		case 0x66:
			d->p66 = true;
			break;
		case 0x67:
			d->p67 = true;
			break;
		case 0xf0:
			d->lock = true;
			break;
		case 0xf2: case 0xf3:
			d->rep = b;
			break;
		default:
			if (is_mode64(d) && (b & 0xf0) == 0x40) {
				/* Only a REX right before the opcode counts. */
				d->rex = b;
				continue;
			}
			*opcode = b;
			return 0;
		}
		d->rex = 0;
	}
}

static void set_sizes(struct dec *d)
{
	switch (d->mode) {
	case EMUL_MODE_LONG64:
		d->op_bytes = (d->rex & REX_W) ? 8 : d->p66 ? 2 : 4;
		d->addr_bytes = d->p67 ? 4 : 8;
		break;
	case EMUL_MODE_PROT32:
		d->op_bytes = d->p66 ? 2 : 4;
		d->addr_bytes = d->p67 ? 2 : 4;
		break;
	default:
		d->op_bytes = d->p66 ? 4 : 2;
		d->addr_bytes = d->p67 ? 4 : 2;
		break;
	}
}

static int parse_opcode(struct dec *d, u8 b)
{
	u8 next;
	int ret;

	d->map = MAP_ONE;
	d->opcode = b;
	d->attr = onebyte[b];
	if (b == 0x0f) {
		ret = next_byte(d, &b);
		if (ret)
			return ret;
		if (b == 0x38 || b == 0x3a) {
			d->map = b == 0x38 ? MAP_0F38 : MAP_0F3A;
			d->attr = OP_MODRM;
			if (b == 0x3a)
				d->attr |= IMM_B << OP_IMM_SHIFT;
			ret = next_byte(d, &b);
			if (ret)
				return ret;
		} else {
			d->map = MAP_0F;
			d->attr = twobyte[b];
		}
		d->opcode = b;
	}

	if (d->attr & OP_BAD)
		return -EINVAL;
	if (is_mode64(d) && (d->attr & OP_I64))
		return -EINVAL;
	if (is_mode64(d) && (d->attr & OP_REL) && d->p66)
		return -EINVAL;

	if (d->map == MAP_ONE) {
		switch (d->opcode) {
		case 0x62: case 0xc4: case 0xc5:
			/* BOUND/LES/LDS, or with mod = 3 EVEX/VEX */
			ret = peek_byte(d, &next);
			if (ret)
				return ret;
			if ((next >> 6) == 3)
				return -EINVAL;
			break;
		case 0x8f:
			/* POP r/m is /0; anything else is XOP */
			ret = peek_byte(d, &next);
			if (ret)
				return ret;
			if (next & 0x38)
				return -EINVAL;
			break;
		case 0xc6: case 0xc7:
			/* MOV is /0; C6 F8 XABORT, C7 F8 XBEGIN; else #UD */
			ret = peek_byte(d, &next);
			if (ret)
				return ret;
			if ((next & 0x38) && next != 0xf8)
				return -EINVAL;
			break;
		case 0xfe: case 0xff:
			/* FE: INC, DEC only; FF /7 is undefined */
			ret = peek_byte(d, &next);
			if (ret)
				return ret;
			if (((next >> 3) & 7) > (d->opcode == 0xfe ? 1 : 6))
				return -EINVAL;
			break;
		}
	} else if (d->map == MAP_0F) {
		if (d->opcode == 0xba) {
			/* group 8: BT BTS BTR BTC are /4-/7 */
			ret = peek_byte(d, &next);
			if (ret)
				return ret;
			if (!(next & 0x20))
				return -EINVAL;
		}
		if (d->opcode == 0xb8 && d->rep != 0xf3)
			return -EINVAL;	/* JMPE, or POPCNT with F3 */
		if ((d->opcode == 0x78 || d->opcode == 0x79) &&
		    (d->p66 || d->rep == 0xf2))
			return -EINVAL;	/* AMD EXTRQ/INSERTQ */
		if (d->opcode == 0xc3 && (d->p66 || d->rep))
			return -EINVAL;	/* MOVNTI has no prefixed forms */
	}
	return 0;
}

static const s8 base16[8] = {
	EMUL_RBX, EMUL_RBX, EMUL_RBP, EMUL_RBP,
	EMUL_RSI, EMUL_RDI, EMUL_RBP, EMUL_RBX,
};

static const s8 index16[8] = {
	EMUL_RSI, EMUL_RDI, EMUL_RSI, EMUL_RDI, -1, -1, -1, -1,
};

static int parse_ea16(struct dec *d, u8 rm3)
{
	if (d->mod == 0 && rm3 == 6)
		return next_disp(d, 2);
	d->base = base16[rm3];
	d->index = index16[rm3];
	d->ss_default = d->base == EMUL_RBP;
	if (d->mod == 1)
		return next_disp(d, 1);
	if (d->mod == 2)
		return next_disp(d, 2);
	return 0;
}

static int parse_ea32(struct dec *d, u8 rm3)
{
	u8 sib, base3, index;
	int ret;

	if (rm3 == 4) {
		ret = next_byte(d, &sib);
		if (ret)
			return ret;
		index = ((sib >> 3) & 7) | ((d->rex & REX_X) ? 8 : 0);
		if (index != EMUL_RSP) {
			d->index = index;
			d->scale = 1 << (sib >> 6);
		}
		base3 = sib & 7;
		if (base3 == 5 && d->mod == 0)
			return next_disp(d, 4);
		d->base = base3 | ((d->rex & REX_B) ? 8 : 0);
	} else if (rm3 != 5 || d->mod != 0) {
		d->base = rm3 | ((d->rex & REX_B) ? 8 : 0);
	} else {
		/* disp32 alone: RIP-relative in 64-bit mode */
		d->rip_relative = is_mode64(d);
		return next_disp(d, 4);
	}
	d->ss_default = d->base == EMUL_RSP || d->base == EMUL_RBP;
	if (d->mod == 1)
		return next_disp(d, 1);
	if (d->mod == 2)
		return next_disp(d, 4);
	return 0;
}

static int parse_modrm(struct dec *d)
{
	u8 modrm, rm3;
	int ret;

	ret = next_byte(d, &modrm);
	if (ret)
		return ret;
	d->has_modrm = true;
	d->mod = modrm >> 6;
	d->reg3 = (modrm >> 3) & 7;
	d->reg = d->reg3 | ((d->rex & REX_R) ? 8 : 0);
	rm3 = modrm & 7;
	/* MOV to/from CR/DR ignore mod: always a register operand. */
	if (d->map == MAP_0F && (d->opcode & 0xfc) == 0x20)
		d->mod = 3;
	if (d->mod == 3) {
		d->rm = rm3 | ((d->rex & REX_B) ? 8 : 0);
		return 0;
	}
	d->has_mem = true;
	if (d->addr_bytes == 2)
		return parse_ea16(d, rm3);
	return parse_ea32(d, rm3);
}

static unsigned int imm_size(const struct dec *d)
{
	unsigned int z = d->op_bytes == 2 ? 2 : 4;

	switch (d->attr >> OP_IMM_SHIFT) {
	case IMM_B:
		return 1;
	case IMM_W:
		return 2;
	case IMM_Z:
		return z;
	case IMM_V:
		return d->op_bytes;
	case IMM_MOFFS:
		return d->addr_bytes;
	case IMM_WB:
		return 3;
	case IMM_PTR:
		return z + 2;
	case IMM_GRP3B:
		return d->reg3 < 2 ? 1 : 0;
	case IMM_GRP3Z:
		return d->reg3 < 2 ? z : 0;
	}
	return 0;
}

/* The structure of one instruction: 0 or -EINVAL, -ENODATA, -E2BIG. */
static int parse(struct dec *d, const u8 *bytes, unsigned int avail,
		 enum emul_mode mode)
{
	u8 b;
	int ret;

	memset(d, 0, sizeof(*d));
	d->bytes = bytes;
	d->avail = avail;
	d->mode = mode;
	d->seg_override = -1;
	d->base = -1;
	d->index = -1;
	d->scale = 1;

	ret = parse_prefixes(d, &b);
	if (ret)
		return ret;
	set_sizes(d);
	ret = parse_opcode(d, b);
	if (ret)
		return ret;
	if (d->attr & OP_MODRM) {
		ret = parse_modrm(d);
		if (ret)
			return ret;
	}
	d->imm_bytes = imm_size(d);
	return next_le(d, d->imm_bytes, &d->imm);
}

int emul_insn_length(const u8 *bytes, unsigned int avail, enum emul_mode mode)
{
	struct dec d;
	int ret = parse(&d, bytes, avail, mode);

	return ret ? ret : d.pos;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_insn_length);

/* What classify() found; finish() turns it into the struct emul_insn. */
struct form {
	enum emul_op op;
	u8 alu;
	u8 op_bytes;
	u8 mem_bytes;		/* 0: @op_bytes */
	bool mem_is_dst;
	bool reg_is_dst;
	bool lockable;		/* LOCK allowed with a memory destination */
	bool sign_extend;
	bool modrm_reg;		/* the ModRM reg field is an operand */
	bool accumulator;	/* AL/AX/EAX/RAX is the register operand */
	bool imm;		/* the immediate is an operand, extended */
	bool imm_raw;		/* the immediate is an operand, as is */
	bool string;
};

static void form_alu(struct form *f, u8 alu, u8 op_bytes, bool mem_dst)
{
	f->op = EMUL_OP_ALU;
	f->alu = alu;
	f->op_bytes = op_bytes;
	f->mem_is_dst = mem_dst && alu != EMUL_ALU_CMP;
	f->lockable = true;
}

/* One-byte map. Return false when the opcode is not emulated. */
static bool classify_onebyte(const struct dec *d, struct form *f)
{
	u8 b = d->opcode;
	u8 size = (b & 1) ? d->op_bytes : 1;

	if (b < 0x40 && (b & 7) < 4) {
		/* ALU r/m, r (direction bit clear) and r, r/m */
		form_alu(f, b >> 3, size, !(b & 2));
		f->reg_is_dst = b & 2;
		f->modrm_reg = true;
		return true;
	}

	switch (b) {
	case 0x63:
		if (!is_mode64(d))
			return false;	/* ARPL */
		f->op = EMUL_OP_MOV_LOAD;
		f->op_bytes = d->op_bytes;
		f->mem_bytes = d->op_bytes == 8 ? 4 : d->op_bytes;
		f->sign_extend = d->op_bytes == 8;
		f->reg_is_dst = true;
		f->modrm_reg = true;
		return true;
	case 0x80: case 0x81: case 0x82: case 0x83:
		form_alu(f, d->reg3, b == 0x81 || b == 0x83 ?
			 d->op_bytes : 1, true);
		f->imm = true;
		return true;
	case 0x84: case 0x85:
		f->op = EMUL_OP_TEST;
		f->op_bytes = size;
		f->modrm_reg = true;
		return true;
	case 0x86: case 0x87:
		f->op = EMUL_OP_XCHG;
		f->op_bytes = size;
		f->mem_is_dst = true;
		f->lockable = true;
		f->modrm_reg = true;
		return true;
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		f->op = (b & 2) ? EMUL_OP_MOV_LOAD : EMUL_OP_MOV_STORE;
		f->op_bytes = size;
		f->mem_is_dst = !(b & 2);
		f->reg_is_dst = b & 2;
		f->modrm_reg = true;
		return true;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		f->op = (b & 2) ? EMUL_OP_MOV_STORE : EMUL_OP_MOV_LOAD;
		f->op_bytes = size;
		f->mem_is_dst = b & 2;
		f->reg_is_dst = !(b & 2);
		f->accumulator = true;
		return true;
	case 0xa4: case 0xa5:
		f->op = EMUL_OP_MOVS;
		f->op_bytes = size;
		f->mem_is_dst = true;
		f->string = true;
		return true;
	case 0xaa: case 0xab:
		f->op = EMUL_OP_STOS;
		f->op_bytes = size;
		f->mem_is_dst = true;
		f->accumulator = true;
		f->string = true;
		return true;
	case 0xac: case 0xad:
		f->op = EMUL_OP_LODS;
		f->op_bytes = size;
		f->reg_is_dst = true;
		f->accumulator = true;
		f->string = true;
		return true;
	case 0xc6: case 0xc7:
		if (d->reg3 != 0)
			return false;	/* XABORT, XBEGIN, #UD */
		f->op = EMUL_OP_MOV_STORE;
		f->op_bytes = size;
		f->mem_is_dst = true;
		f->imm = true;
		return true;
	case 0xf6: case 0xf7:
		f->op_bytes = size;
		switch (d->reg3) {
		case 0:
			f->op = EMUL_OP_TEST;
			f->imm = true;
			return true;
		case EMUL_UNARY_NOT:
		case EMUL_UNARY_NEG:
			f->op = EMUL_OP_UNARY;
			f->alu = d->reg3;
			f->mem_is_dst = true;
			f->lockable = true;
			return true;
		}
		return false;	/* /1 (an undocumented TEST), MUL, DIV */
	case 0xfe: case 0xff:
		if (d->reg3 > 1)
			return false;	/* CALL, JMP, PUSH */
		f->op = EMUL_OP_UNARY;
		f->alu = EMUL_UNARY_INC + d->reg3;
		f->op_bytes = b == 0xff ? d->op_bytes : 1;
		f->mem_is_dst = true;
		f->lockable = true;
		return true;
	}
	return false;
}

/* 0F map. Return false when the opcode is not emulated. */
static bool classify_0f(const struct dec *d, struct form *f)
{
	u8 b = d->opcode;

	switch (b) {
	case 0xa3: case 0xab: case 0xb3: case 0xbb:
		f->op = EMUL_OP_BT;
		f->alu = EMUL_BT_BT + ((b >> 3) & 3);
		f->op_bytes = d->op_bytes;
		f->mem_is_dst = f->alu != EMUL_BT_BT;
		f->lockable = true;
		f->modrm_reg = true;
		return true;
	case 0xba:
		if (d->reg3 < EMUL_BT_BT)
			return false;	/* #UD */
		f->op = EMUL_OP_BT;
		f->alu = d->reg3;
		f->op_bytes = d->op_bytes;
		f->mem_is_dst = f->alu != EMUL_BT_BT;
		f->lockable = true;
		f->imm_raw = true;
		return true;
	case 0xb0: case 0xb1:
		f->op = EMUL_OP_CMPXCHG;
		f->op_bytes = (b & 1) ? d->op_bytes : 1;
		f->mem_is_dst = true;
		f->lockable = true;
		f->modrm_reg = true;
		return true;
	case 0xc0: case 0xc1:
		f->op = EMUL_OP_XADD;
		f->op_bytes = (b & 1) ? d->op_bytes : 1;
		f->mem_is_dst = true;
		f->lockable = true;
		f->modrm_reg = true;
		return true;
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		f->op = EMUL_OP_MOV_LOAD;
		f->op_bytes = d->op_bytes;
		f->mem_bytes = (b & 1) ? 2 : 1;
		f->sign_extend = b & 8;
		f->reg_is_dst = true;
		f->modrm_reg = true;
		return true;
	case 0xc3:
		if (d->p66 || d->rep)
			return false;	/* undefined with these prefixes */
		f->op = EMUL_OP_MOV_STORE;
		f->op_bytes = d->op_bytes;
		f->mem_is_dst = true;
		f->modrm_reg = true;
		return true;
	}
	return false;
}

static void fill_ea(const struct dec *d, const struct form *f,
		    struct emul_insn *insn)
{
	insn->ea_base = -1;
	insn->ea_index = -1;
	insn->ea_scale = 1;
	if (f->string) {
		/* The destination of MOVS/STOS is ES:rDI, never overridden. */
		insn->seg = f->op == EMUL_OP_STOS ? EMUL_ES :
			    d->seg_override >= 0 ? d->seg_override : EMUL_DS;
		return;
	}
	if (!d->has_modrm) {
		/* moffs */
		insn->moffs = true;
		insn->ea_disp = d->imm;
		insn->seg = d->seg_override >= 0 ? d->seg_override : EMUL_DS;
		return;
	}
	insn->ea_base = d->base;
	insn->ea_index = d->index;
	insn->ea_scale = d->index >= 0 ? d->scale : 1;
	insn->ea_disp = d->disp;
	insn->rip_relative = d->rip_relative;
	if (d->seg_override >= 0)
		insn->seg = d->seg_override;
	else
		insn->seg = d->ss_default ? EMUL_SS : EMUL_DS;
}

static int finish(const struct dec *d, const struct form *f,
		  struct emul_insn *insn, struct emul_fault *fault)
{
	bool has_mem = d->has_mem || f->string || !d->has_modrm;

	if (d->lock && (!f->lockable || !f->mem_is_dst || !has_mem))
		return emul_set_fault(fault, X86_TRAP_UD, false, 0, 0);
	if (!has_mem)
		return EMUL_UNHANDLED;

	insn->op = f->op;
	insn->alu = f->alu;
	insn->op_bytes = f->op_bytes;
	insn->mem_bytes = f->mem_bytes ? f->mem_bytes : f->op_bytes;
	insn->addr_bytes = d->addr_bytes;
	insn->sign_extend = f->sign_extend;
	insn->mem_is_dst = f->mem_is_dst;
	insn->reg_is_dst = f->reg_is_dst;
	insn->lock = d->lock;
	insn->rep = f->string && d->rep;
	insn->reg = -1;
	if (f->accumulator) {
		insn->reg = EMUL_RAX;
	} else if (f->modrm_reg) {
		insn->reg = d->reg;
		if (f->op_bytes == 1 && !d->rex && d->reg >= 4) {
			insn->reg = d->reg - 4;
			insn->reg_high_byte = true;
		}
	}
	if (f->imm) {
		u64 imm = emul_sign_extend(d->imm, d->imm_bytes);

		insn->has_imm = true;
		insn->imm = emul_truncate(imm, f->op_bytes);
	} else if (f->imm_raw) {
		insn->has_imm = true;
		insn->imm = d->imm;
	}
	fill_ea(d, f, insn);
	return EMUL_OK;
}

int emul_decode(const u8 *bytes, unsigned int avail, enum emul_mode mode,
		struct emul_insn *insn, struct emul_fault *fault)
{
	struct form f = {};
	struct dec d;
	bool known;
	int ret;

	memset(insn, 0, sizeof(*insn));
	ret = parse(&d, bytes, avail, mode);
	if (ret == -E2BIG)
		return emul_set_fault(fault, X86_TRAP_GP,
				      emul_mode_has_error_code(mode), 0, 0);
	if (ret)
		return EMUL_UNHANDLED;

	insn->len = d.pos;
	memcpy(insn->bytes, bytes, d.pos);
	insn->mode = mode;

	if (d.map == MAP_ONE)
		known = classify_onebyte(&d, &f);
	else if (d.map == MAP_0F)
		known = classify_0f(&d, &f);
	else
		known = false;
	if (!known)
		return EMUL_UNHANDLED;
	return finish(&d, &f, insn, fault);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_decode);

enum emul_mode emul_cpu_mode(const struct emul_cpu *cpu)
{
	const struct emul_segment *cs = &cpu->seg[EMUL_CS];

	if (!(cpu->cr0 & X86_CR0_PE))
		return EMUL_MODE_REAL;
	if (cpu->rflags & X86_EFLAGS_VM)
		return EMUL_MODE_VM86;
	if ((cpu->efer & EFER_LMA) && cs->l)
		return EMUL_MODE_LONG64;
	return cs->db ? EMUL_MODE_PROT32 : EMUL_MODE_PROT16;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(emul_cpu_mode);
