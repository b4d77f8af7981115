/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 instruction decoder, MMIO instruction emulator and guest
 * page-table walker of the run loops (emul/).
 *
 * Vendor-neutral: the SVM and VMX run loops both use it. QEMU's SVM has
 * neither NRIPS nor decode assists, so on an #NPF at an MMIO page the run
 * loop fetches the guest's instruction bytes itself (emul_fetch()), decodes
 * them (emul_decode()) and carries out the one memory access the
 * instruction makes (emul_execute()). Only the instructions that compilers
 * and hand-written drivers emit against device registers are supported;
 * anything else is EMUL_UNHANDLED, which the run loop reports to
 * userspace as an internal error with the instruction bytes, never as a
 * guess.
 *
 * Nothing here knows about vCPUs, VMCBs or guest memory slots: guest
 * memory and devices are reached through struct emul_ops callbacks, the
 * CPU state is a struct emul_cpu the caller fills and reads back. That
 * keeps the code testable from KUnit with a buffer for guest memory.
 *
 * Supported (emul_decode()):
 *   MOV   88 89 8A 8B C6 C7 (r/m), A0-A3 (moffs)
 *   MOVZX 0F B6 0F B7      MOVSX 0F BE 0F BF      MOVSXD 63 (64-bit)
 *   XCHG  86 87
 *   group 1: 80 81 83 (ADD OR ADC SBB AND SUB XOR CMP with r/m, imm)
 *   ALU r/m,r and r,r/m: 00-03 08-0B 10-13 18-1B 20-23 28-2B 30-33 38-3B
 *   TEST  84 85, F6 /0 F7 /0
 *   NOT/NEG F6/F7 /2 /3, INC/DEC FE/FF /0 /1
 *   BT/BTS/BTR/BTC 0F A3 AB B3 BB, 0F BA /4-/7 with a memory operand
 *   STOS AA AB, MOVS A4 A5, LODS AC AD (REP/REPE/REPNE accepted on
 *   STOS/MOVS/LODS as REP)
 *   MOVNTI 0F C3, CMPXCHG 0F B0 0F B1, XADD 0F C0 0F C1 (LOCK accepted)
 * with legacy prefixes (66 67 F2 F3 F0, segment overrides 26 2E 36 3E 64
 * 65) and REX in 64-bit mode; in real, 16-bit and 32-bit protected and
 * 64-bit mode, 16/32/64-bit addressing with ModRM/SIB/displacement and
 * RIP-relative addressing.
 */
#ifndef _VLAPIC_EMUL_H
#define _VLAPIC_EMUL_H

#include <linux/bits.h>
#include <linux/types.h>

#define EMUL_MAX_INSN_LEN	15

/* General-purpose registers in encoding order. */
enum emul_reg {
	EMUL_RAX, EMUL_RCX, EMUL_RDX, EMUL_RBX,
	EMUL_RSP, EMUL_RBP, EMUL_RSI, EMUL_RDI,
	EMUL_R8, EMUL_R9, EMUL_R10, EMUL_R11,
	EMUL_R12, EMUL_R13, EMUL_R14, EMUL_R15,
	EMUL_NR_GPRS,
};

/* Segment registers in encoding order (the sreg field of ModRM). */
enum emul_seg {
	EMUL_ES, EMUL_CS, EMUL_SS, EMUL_DS, EMUL_FS, EMUL_GS,
	EMUL_NR_SEGS,
};

/* Execution mode, from CR0.PE, RFLAGS.VM, EFER.LMA, CS.L and CS.D. */
enum emul_mode {
	EMUL_MODE_REAL,		/* CR0.PE = 0 (and virtual-8086) */
	EMUL_MODE_PROT16,	/* protected, CS.D = 0 */
	EMUL_MODE_PROT32,	/* protected, CS.D = 1 */
	EMUL_MODE_LONG64,	/* EFER.LMA = 1, CS.L = 1 */
};

/**
 * struct emul_segment - a segment register's hidden part.
 * @base: base address.
 * @limit: byte-granular limit (G already applied).
 * @selector: selector.
 * @type: type field (bits 3:0 of the access byte).
 * @s: code/data (1) or system (0).
 * @dpl: descriptor privilege level.
 * @present: P.
 * @db: D/B.
 * @l: L (CS only).
 * @unusable: a null selector was loaded (protected mode).
 */
struct emul_segment {
	u64 base;
	u32 limit;
	u16 selector;
	u8 type;
	bool s;
	u8 dpl;
	bool present;
	bool db;
	bool l;
	bool unusable;
};

/**
 * struct emul_cpu - the guest CPU state an emulated instruction uses.
 * @gpr: RAX .. R15 (enum emul_reg); updated by emul_execute().
 * @rip: at the instruction; advanced by emul_execute() when it completes.
 * @rflags: arithmetic flags updated as the instruction defines them.
 * @seg: ES .. GS (enum emul_seg).
 * @cr0: CR0 (PE, PG, WP are used).
 * @cr3: CR3.
 * @cr4: CR4 (PAE, PSE, SMEP, SMAP, PKE are used).
 * @efer: EFER (LMA, NXE are used).
 * @cpl: current privilege level (SS.DPL in protected mode).
 */
struct emul_cpu {
	u64 gpr[EMUL_NR_GPRS];
	u64 rip;
	u64 rflags;
	struct emul_segment seg[EMUL_NR_SEGS];
	u64 cr0, cr3, cr4, efer;
	u8 cpl;
};

enum emul_mode emul_cpu_mode(const struct emul_cpu *cpu);

/* --- guest page-table walk -------------------------------------------- */

/* Access kinds: page-fault error code bits (SDM vol. 3 "Page-Fault ..."). */
#define EMUL_PF_PRESENT		BIT(0)
#define EMUL_PF_WRITE		BIT(1)
#define EMUL_PF_USER		BIT(2)
#define EMUL_PF_RSVD		BIT(3)
#define EMUL_PF_FETCH		BIT(4)

/**
 * struct emul_fault - an exception the guest must receive instead.
 * @vector: X86_TRAP_PF, X86_TRAP_GP, X86_TRAP_SS, X86_TRAP_UD, ...
 * @error_code: the error code (#PF: EMUL_PF_* bits).
 * @has_error_code: @error_code is pushed.
 * @cr2: the faulting linear address (#PF only).
 */
struct emul_fault {
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 cr2;
};

/* Results of the emulator's functions and of the struct emul_ops calls. */
enum emul_result {
	EMUL_OK = 0,
	EMUL_FAULT,		/* @fault holds an exception for the guest */
	EMUL_USER_EXIT,		/* an access went to userspace: resume later */
	EMUL_UNHANDLED,		/* not decodable or not supported here */
	EMUL_ERROR,		/* the host failed (e.g. guest RAM unreadable) */
};

/**
 * struct emul_ops - how the emulator reaches guest memory and devices.
 * @read_phys: read guest-physical RAM for the page walker and for fetches
 *	(never MMIO). Return EMUL_OK, or EMUL_ERROR when @gpa is not RAM.
 * @cmpxchg_phys: set accessed/dirty bits in a paging-structure entry:
 *	atomically replace @old by @new at @gpa (8 or 4 bytes). Return
 *	EMUL_OK (also when the entry changed meanwhile: the walk is then
 *	retried by the caller's next exit) or EMUL_ERROR. Optional: NULL
 *	leaves A/D bits alone.
 * @read: a data read of @len bytes (1, 2, 4, 8; never crossing a page) at
 *	@gpa, RAM or device. EMUL_USER_EXIT suspends the instruction: the
 *	caller comes back with the same instruction and state after the
 *	data is known and answers the same read again.
 * @write: a data write; EMUL_USER_EXIT means the write went to userspace
 *	and the instruction is complete once userspace has seen it.
 *
 * @ctx is passed through unchanged.
 */
struct emul_ops {
	int (*read_phys)(void *ctx, u64 gpa, void *val, unsigned int len);
	int (*cmpxchg_phys)(void *ctx, u64 gpa, u64 old, u64 new,
			    unsigned int len);
	int (*read)(void *ctx, u64 gpa, void *val, unsigned int len);
	int (*write)(void *ctx, u64 gpa, const void *val, unsigned int len);
};

int emul_walk(const struct emul_cpu *cpu, const struct emul_ops *ops,
	      void *ctx, u64 gva, u32 access, u64 *gpa,
	      struct emul_fault *fault);

/* --- decode ------------------------------------------------------------- */

/* What the decoded instruction does with its memory operand. */
enum emul_op {
	EMUL_OP_NONE,
	EMUL_OP_MOV_LOAD,	/* reg := mem (MOV, MOVZX, MOVSX, MOVSXD) */
	EMUL_OP_MOV_STORE,	/* mem := reg or imm (MOV, MOVNTI) */
	EMUL_OP_XCHG,
	EMUL_OP_ALU,		/* ADD OR ADC SBB AND SUB XOR CMP, @alu */
	EMUL_OP_TEST,
	EMUL_OP_UNARY,		/* NOT NEG INC DEC, @alu */
	EMUL_OP_BT,		/* BT BTS BTR BTC, @alu */
	EMUL_OP_CMPXCHG,
	EMUL_OP_XADD,
	EMUL_OP_STOS,
	EMUL_OP_LODS,
	EMUL_OP_MOVS,
};

/**
 * struct emul_insn - one decoded instruction.
 * @len: its length in bytes.
 * @bytes: the bytes it was decoded from (@len of them are valid).
 * @mode: the mode it was decoded in.
 * @op: what it does (enum emul_op).
 * @alu: the sub-operation of EMUL_OP_ALU (ModRM reg field or opcode
 *	bits 5:3: 0 ADD .. 7 CMP), EMUL_OP_UNARY (2 NOT, 3 NEG, 4 INC,
 *	5 DEC), EMUL_OP_BT (4 BT, 5 BTS, 6 BTR, 7 BTC).
 * @op_bytes: operand size (1, 2, 4, 8); for MOVZX/MOVSX the destination.
 * @mem_bytes: size of the memory access (the source of MOVZX/MOVSX).
 * @addr_bytes: address size (2, 4, 8).
 * @sign_extend: MOVSX/MOVSXD.
 * @mem_is_dst: the memory operand is written (stores, RMW).
 * @reg: register operand (enum emul_reg), -1 if none.
 * @reg_high_byte: @reg names AH, CH, DH or BH (legacy 8-bit, no REX).
 * @has_imm: @imm is an operand.
 * @imm: immediate, sign- or zero-extended to @op_bytes as defined.
 * @seg: segment of the memory operand after overrides (enum emul_seg).
 * @rep: REP/REPE/REPNE on a string instruction.
 * @lock: LOCK prefix.
 * @ea_base: base register (enum emul_reg), -1 if none.
 * @ea_index: index register, -1 if none.
 * @ea_scale: 1, 2, 4 or 8.
 * @ea_disp: displacement, sign-extended.
 * @rip_relative: the address is RIP + @len + @ea_disp.
 * @moffs: an absolute address (A0-A3): @ea_disp is the address.
 */
struct emul_insn {
	u8 len;
	u8 bytes[EMUL_MAX_INSN_LEN];
	enum emul_mode mode;
	enum emul_op op;
	u8 alu;
	u8 op_bytes;
	u8 mem_bytes;
	u8 addr_bytes;
	bool sign_extend;
	bool mem_is_dst;
	s8 reg;
	bool reg_high_byte;
	bool has_imm;
	u64 imm;
	u8 seg;
	bool rep;
	bool lock;
	s8 ea_base;
	s8 ea_index;
	u8 ea_scale;
	s64 ea_disp;
	bool rip_relative;
	bool moffs;
};

int emul_decode(const u8 *bytes, unsigned int avail, enum emul_mode mode,
		struct emul_insn *insn);
int emul_insn_length(const u8 *bytes, unsigned int avail,
		     enum emul_mode mode);

/* --- fetch and execute -------------------------------------------------- */

int emul_fetch(const struct emul_cpu *cpu, const struct emul_ops *ops,
	       void *ctx, u8 *bytes, unsigned int *avail,
	       struct emul_fault *fault);
int emul_linear(const struct emul_cpu *cpu, const struct emul_insn *insn,
		u64 *linear, struct emul_fault *fault);
int emul_execute(struct emul_cpu *cpu, const struct emul_insn *insn,
		 const struct emul_ops *ops, void *ctx,
		 struct emul_fault *fault);

#endif /* _VLAPIC_EMUL_H */
