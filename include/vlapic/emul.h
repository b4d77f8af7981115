/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 instruction decoder, MMIO instruction emulator and guest
 * page-table walker of the run loops (emul/).
 *
 * Vendor-neutral: the SVM and VMX run loops both use it. QEMU's SVM has
 * neither NRIPS nor decode assists, so on an #NPF at an MMIO page the run
 * loop fetches the guest's instruction bytes itself (emul_fetch()), decodes
 * them (emul_decode()) and carries out the memory accesses the instruction
 * makes (emul_execute()). Only the instructions that compilers and
 * hand-written drivers emit against device registers are supported;
 * anything else is EMUL_UNHANDLED, which the run loop reports to
 * userspace as an internal error with the instruction bytes, never as a
 * guess.
 *
 * Nothing here knows about vCPUs, VMCBs or guest memory slots: guest
 * memory and devices are reached through struct emul_ops callbacks, the
 * CPU state is a struct emul_cpu the caller fills and reads back. That
 * keeps the code testable from KUnit with a buffer for guest memory. The
 * functions never sleep by themselves, take no locks and keep no state
 * between calls; the callbacks decide what may sleep.
 *
 * Supported (emul_decode()), all with a memory operand only:
 *   MOV   88 89 8A 8B C6 /0 C7 /0 (r/m), A0-A3 (moffs)
 *   MOVZX 0F B6 0F B7      MOVSX 0F BE 0F BF      MOVSXD 63 (64-bit mode)
 *   XCHG  86 87
 *   group 1: 80 81 83, and 82 outside 64-bit mode (ADD OR ADC SBB AND SUB
 *   XOR CMP with r/m, imm)
 *   ALU r/m,r and r,r/m: 00-03 08-0B 10-13 18-1B 20-23 28-2B 30-33 38-3B
 *   TEST  84 85, F6 /0 F7 /0
 *   NOT/NEG F6/F7 /2 /3, INC/DEC FE/FF /0 /1
 *   BT/BTS/BTR/BTC 0F A3 AB B3 BB, 0F BA /4-/7
 *   STOS AA AB, MOVS A4 A5, LODS AC AD (REP/REPE/REPNE accepted on
 *   STOS/MOVS/LODS as REP)
 *   MOVNTI 0F C3, CMPXCHG 0F B0 0F B1, XADD 0F C0 0F C1
 * with legacy prefixes (66 67 F2 F3 F0, segment overrides 26 2E 36 3E 64
 * 65) and REX in 64-bit mode; in real, virtual-8086, 16-bit and 32-bit
 * protected and 64-bit mode, 16/32/64-bit addressing with ModRM, SIB,
 * displacement and RIP-relative addressing. LOCK is accepted where the
 * SDM allows it (memory destination of ADD ADC AND BTC BTR BTS CMPXCHG
 * DEC INC NEG NOT OR SBB SUB XOR XADD XCHG) and is #UD elsewhere on these
 * opcodes.
 *
 * Not emulated (the caller's business or left out): RFLAGS.TF single-step
 * and data breakpoints (DR7), interrupt shadows, alignment checks
 * (CR0.AM/RFLAGS.AC #AC), protection keys (CR4.PKE/PKS), and the AMD-only
 * reserved bit 8 of non-leaf PML4Es/PDPTEs.
 *
 * Atomicity: XCHG, XADD, CMPXCHG and LOCKed instructions against a device
 * are a read followed by a write, not an atomic operation: a device sees
 * two accesses, and nothing keeps another vCPU from accessing the device
 * between them. Against RAM (@read/@write reaching guest RAM) the same
 * holds. Devices do not implement locked cycles; guests do not rely on
 * them for device registers. A CMPXCHG whose comparison fails writes
 * nothing (the SDM has the CPU write the old value back; a device would
 * see a write nobody asked for).
 *
 * A run loop, on an #NPF (or EPT violation) at an MMIO page:
 *
 *	fill struct emul_cpu from the VMCB/VMCS;
 *	emul_fetch() -> bytes;   emul_decode() -> insn;
 *	emul_execute(): EMUL_OK: write the emul_cpu back, enter the guest;
 *	  EMUL_USER_EXIT: write it back, exit to userspace (KVM_EXIT_MMIO);
 *	    after a read's exit, run the same instruction again when
 *	    userspace has answered (struct emul_ops, @read);
 *	  EMUL_FAULT: write it back, inject the fault (CR2 for #PF);
 *	  EMUL_UNHANDLED: internal error to userspace with the bytes;
 *	  EMUL_ERROR: internal error.
 */
#ifndef _VLAPIC_EMUL_H
#define _VLAPIC_EMUL_H

#include <linux/bits.h>
#include <linux/types.h>

#define EMUL_MAX_INSN_LEN	15

/*
 * emul_execute() runs at most this many iterations of a REP string
 * instruction per call, so a huge RCX cannot hold the host CPU.
 */
#define EMUL_REP_MAX_ITER	4096

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
	EMUL_MODE_REAL,		/* CR0.PE = 0 */
	EMUL_MODE_VM86,		/* CR0.PE = 1, RFLAGS.VM = 1 */
	EMUL_MODE_PROT16,	/* protected or compatibility, CS.D = 0 */
	EMUL_MODE_PROT32,	/* protected or compatibility, CS.D = 1 */
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
 * @present: P; a segment register with P = 0 is taken as unusable.
 * @db: D/B.
 * @l: L (CS only).
 * @unusable: a null selector was loaded (protected mode).
 *
 * In real and virtual-8086 mode only @base and @limit are used; in
 * 64-bit mode only the bases of FS and GS.
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
 * @rflags: arithmetic flags updated as the instruction defines them; DF
 *	and AC are read; RF is cleared when an instruction completes.
 * @seg: ES .. GS (enum emul_seg).
 * @cr0: CR0 (PE, PG, WP are used).
 * @cr3: CR3.
 * @cr4: CR4 (PSE, PAE, LA57, SMEP, SMAP are used).
 * @efer: EFER (LMA, NXE are used).
 * @cpl: current privilege level (SS.DPL in protected mode, 3 in
 *	virtual-8086 mode, 0 in real mode).
 * @maxphyaddr: the guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]), which
 *	decides the reserved address bits of paging-structure entries;
 *	0 is read as 36, the SDM's value when that leaf is absent. Values
 *	above 52 are read as 52.
 * @gbpages: 1-GByte pages (CPUID 0x80000001 EDX[26]); without them the PS
 *	bit of a PDPTE is reserved.
 */
struct emul_cpu {
	u64 gpr[EMUL_NR_GPRS];
	u64 rip;
	u64 rflags;
	struct emul_segment seg[EMUL_NR_SEGS];
	u64 cr0, cr3, cr4, efer;
	u8 cpl;
	u8 maxphyaddr;
	bool gbpages;
};

/**
 * emul_cpu_mode() - the execution mode of @cpu.
 * @cpu: its CR0, RFLAGS, EFER and CS.
 *
 * Return: the enum emul_mode that decides default operand and address
 * sizes and segmentation.
 */
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
 * @vector: X86_TRAP_PF, X86_TRAP_GP, X86_TRAP_SS, X86_TRAP_UD.
 * @has_error_code: @error_code is pushed (#GP, #SS, #PF outside real
 *	mode).
 * @error_code: the error code (#PF: EMUL_PF_* bits; #GP/#SS: 0).
 * @cr2: the faulting linear address (#PF only): the first byte of the
 *	access in the page that faulted.
 *
 * The emulator never injects: the caller delivers the exception (and
 * loads CR2 for a #PF).
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
	EMUL_RETRY,		/* a paging entry changed under the walk */
};

/**
 * struct emul_ops - how the emulator reaches guest memory and devices.
 * @read_phys: read guest-physical RAM for the page walker and for fetches
 *	(never MMIO). Return EMUL_OK, or EMUL_ERROR when @gpa is not RAM.
 * @cmpxchg_phys: set accessed/dirty bits in a paging-structure entry:
 *	atomically replace @old by @new at @gpa (8 or 4 bytes, naturally
 *	aligned). Return EMUL_OK when the entry held @old and now holds
 *	@new, EMUL_RETRY when it held something else (the walk then starts
 *	over), EMUL_ERROR when @gpa is not RAM. Optional: NULL leaves A/D
 *	bits alone.
 * @read: a data read of @len bytes (1 to 8, never crossing a page: an
 *	access that crosses one is split into two calls, which is how
 *	lengths other than 1, 2, 4 and 8 arise) at @gpa, RAM or device.
 *	Return EMUL_OK, EMUL_ERROR, or EMUL_USER_EXIT to suspend the
 *	instruction: emul_execute() returns EMUL_USER_EXIT at once with
 *	nothing of the current instruction (or REP iteration) done. The
 *	caller comes back with the same instruction and state once
 *	userspace has supplied the data and answers the same read (same
 *	@gpa and @len) from it. It keeps the answers of an instruction's
 *	reads until emul_execute() returns for a reason other than one of
 *	these reads suspending it: a split read, or a read of each of two
 *	REP iterations, may take one trip each.
 * @write: a data write (lengths as for @read). Return EMUL_OK,
 *	EMUL_ERROR, or EMUL_USER_EXIT when the write went to userspace: it
 *	counts as done (userspace performs it). Both halves of a split write
 *	are issued even when the first returns EMUL_USER_EXIT, so the caller
 *	queues up to two writes for userspace.
 * @fault_gpa: optional: the guest-physical address of the access that
 *	stopped the guest, when the CPU reported it (the final translation
 *	of the instruction's own data access: not a paging-structure access,
 *	not an event delivery). Asked once per instruction, for the first
 *	data access of an instruction with one memory operand (not MOVS);
 *	when the page offsets agree, that access uses it and skips the walk
 *	(the CPU has just done that walk, A/D bits included). Return true
 *	with *@gpa set, false when nothing is known.
 *
 * @ctx is passed through unchanged.
 */
struct emul_ops {
	int (*read_phys)(void *ctx, u64 gpa, void *val, unsigned int len);
	int (*cmpxchg_phys)(void *ctx, u64 gpa, u64 old, u64 new,
			    unsigned int len);
	int (*read)(void *ctx, u64 gpa, void *val, unsigned int len);
	int (*write)(void *ctx, u64 gpa, const void *val, unsigned int len);
	bool (*fault_gpa)(void *ctx, u64 *gpa);
};

/**
 * emul_walk() - translate a linear address as the guest's MMU would.
 * @cpu: CR0, CR3, CR4, EFER, RFLAGS.AC, MAXPHYADDR and 1 GiB page support.
 * @ops: @read_phys for the paging structures, @cmpxchg_phys for A/D bits.
 * @ctx: passed to @ops.
 * @gva: the linear address (already canonical in 64-bit mode).
 * @access: EMUL_PF_WRITE, EMUL_PF_USER (a CPL 3 access), EMUL_PF_FETCH.
 * @gpa: the guest-physical address, on EMUL_OK.
 * @fault: on EMUL_FAULT, #PF with the SDM's error code and CR2 = @gva.
 *
 * With CR0.PG = 0 the address is the physical one. The walk starts over
 * when @cmpxchg_phys finds an entry changed, up to four times.
 *
 * Return: EMUL_OK; EMUL_FAULT; EMUL_ERROR when a paging structure is not
 * in RAM; EMUL_RETRY when the entries kept changing.
 */
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

/* @alu values. */
#define EMUL_ALU_ADD	0
#define EMUL_ALU_OR	1
#define EMUL_ALU_ADC	2
#define EMUL_ALU_SBB	3
#define EMUL_ALU_AND	4
#define EMUL_ALU_SUB	5
#define EMUL_ALU_XOR	6
#define EMUL_ALU_CMP	7
#define EMUL_UNARY_NOT	2
#define EMUL_UNARY_NEG	3
#define EMUL_UNARY_INC	4
#define EMUL_UNARY_DEC	5
#define EMUL_BT_BT	4
#define EMUL_BT_BTS	5
#define EMUL_BT_BTR	6
#define EMUL_BT_BTC	7

/**
 * struct emul_insn - one decoded instruction.
 * @len: its length in bytes.
 * @bytes: the bytes it was decoded from (@len of them are valid).
 * @mode: the mode it was decoded in.
 * @op: what it does (enum emul_op).
 * @alu: the sub-operation of EMUL_OP_ALU (ModRM reg field or opcode
 *	bits 5:3: EMUL_ALU_*), EMUL_OP_UNARY (EMUL_UNARY_*), EMUL_OP_BT
 *	(EMUL_BT_*).
 * @op_bytes: operand size (1, 2, 4, 8); for MOVZX/MOVSX/MOVSXD the
 *	destination register's.
 * @mem_bytes: size of the memory access (the source of MOVZX/MOVSX/MOVSXD,
 *	a string element, else @op_bytes).
 * @addr_bytes: address size (2, 4, 8); also the size of RCX/RSI/RDI for
 *	string instructions.
 * @sign_extend: MOVSX, or MOVSXD with a 64-bit destination.
 * @mem_is_dst: the memory operand is written (stores, read-modify-write
 *	including CMPXCHG; not CMP, TEST, BT).
 * @reg_is_dst: the register operand is the destination, or for CMP the
 *	first operand (loads, LODS, ALU r, r/m).
 * @reg: register operand (enum emul_reg), -1 if none; RAX for the
 *	accumulator of moffs MOV, STOS and LODS; the source register of
 *	CMPXCHG (RAX is implied as the comparand).
 * @reg_high_byte: the register is AH, CH, DH or BH (an 8-bit operand
 *	with reg field 4-7 and no REX): @reg is then RAX, RCX, RDX or RBX
 *	and bits 15:8 of it are meant.
 * @has_imm: @imm is an operand.
 * @imm: immediate, sign-extended to @op_bytes where the SDM says so and
 *	truncated to @op_bytes (0F BA: the raw imm8).
 * @seg: segment of the memory operand after overrides (enum emul_seg);
 *	for MOVS and LODS the source's (DS unless overridden), for STOS ES.
 *	MOVS writes through ES, which cannot be overridden. In 64-bit mode
 *	ES/CS/SS/DS overrides have no effect: the default segment (SS for
 *	an rSP or rBP base, else DS) stays, which decides #SS against #GP.
 * @rep: REP/REPE/REPNE on a string instruction.
 * @lock: LOCK prefix.
 * @ea_base: base register (enum emul_reg), -1 if none.
 * @ea_index: index register, -1 if none.
 * @ea_scale: 1, 2, 4 or 8 (1 without an index).
 * @ea_disp: displacement, sign-extended.
 * @rip_relative: the address is RIP + @len + @ea_disp (truncated to the
 *	address size).
 * @moffs: an absolute address (A0-A3): @ea_disp is the address,
 *	zero-extended.
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
	bool reg_is_dst;
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

/**
 * emul_decode() - decode one instruction the emulator can carry out.
 * @bytes: the instruction's bytes (from emul_fetch()).
 * @avail: how many of them there are.
 * @mode: the mode it executes in (emul_cpu_mode()).
 * @insn: filled in on EMUL_OK (zeroed first in every case).
 * @fault: filled in on EMUL_FAULT.
 *
 * Return: EMUL_OK; EMUL_FAULT with #GP(0) for an instruction longer than
 * 15 bytes, with #UD for LOCK on an emulated opcode that does not allow
 * it (a register or read-only destination, MOV, TEST, CMP, BT, string
 * instructions); EMUL_UNHANDLED for anything not emulated: unknown or
 * invalid encodings, register-only forms, and bytes that end before the
 * instruction does (emul_fetch() never returns such a cut).
 */
int emul_decode(const u8 *bytes, unsigned int avail, enum emul_mode mode,
		struct emul_insn *insn, struct emul_fault *fault);

/**
 * emul_insn_length() - the length of any instruction of the legacy maps.
 * @bytes: the instruction's bytes.
 * @avail: how many of them there are (at most EMUL_MAX_INSN_LEN are read).
 * @mode: the mode it executes in.
 *
 * Knows the one-byte, 0F, 0F 38 and 0F 3A maps, not VEX, EVEX, XOP or
 * 3DNow! (see the comment at the top of emul/decode.c).
 *
 * Return: the length (1 to EMUL_MAX_INSN_LEN); -EINVAL for an encoding
 * that is invalid in @mode or unknown here; -E2BIG when the instruction
 * would be longer than 15 bytes (#GP(0)); -ENODATA when it continues past
 * @avail.
 */
int emul_insn_length(const u8 *bytes, unsigned int avail,
		     enum emul_mode mode);

/* --- fetch and execute -------------------------------------------------- */

/**
 * emul_fetch() - read the bytes of the instruction at CS:RIP.
 * @cpu: the CPU state.
 * @ops: @read_phys and @cmpxchg_phys are used.
 * @ctx: passed to @ops.
 * @bytes: EMUL_MAX_INSN_LEN bytes of room.
 * @avail: how many bytes were read, on EMUL_OK.
 * @fault: on EMUL_FAULT, the fetch's fault.
 *
 * Reads up to EMUL_MAX_INSN_LEN bytes through the CS limit (outside 64-bit
 * mode; #GP(0) beyond it), the canonical check (64-bit mode) and the page
 * walk for a fetch (#PF with I/D). Bytes past the first that cannot be
 * fetched only matter if the instruction reaches them (the length decoder
 * decides): then their fault or error is returned, else the bytes before
 * them are.
 *
 * Return: EMUL_OK; EMUL_FAULT; EMUL_ERROR when the code is not in RAM;
 * EMUL_RETRY when a paging entry kept changing (enter the guest again).
 */
int emul_fetch(const struct emul_cpu *cpu, const struct emul_ops *ops,
	       void *ctx, u8 *bytes, unsigned int *avail,
	       struct emul_fault *fault);

/**
 * emul_linear() - the linear address of an instruction's memory operand.
 * @cpu: the CPU state before the instruction.
 * @insn: the decoded instruction.
 * @linear: the address, on EMUL_OK.
 * @fault: #GP(0) or #SS(0), on EMUL_FAULT.
 *
 * The operand is the ModRM or moffs operand (for BT with a register bit
 * offset, the unit that holds the bit), the source of MOVS and LODS
 * (@insn->seg:rSI) and the destination of STOS (ES:rDI). It is checked
 * for an access of @insn->mem_bytes bytes, a write when
 * @insn->mem_is_dst (except for MOVS, whose source is read).
 *
 * Return: EMUL_OK or EMUL_FAULT.
 */
int emul_linear(const struct emul_cpu *cpu, const struct emul_insn *insn,
		u64 *linear, struct emul_fault *fault);

/**
 * emul_execute() - carry out a decoded instruction.
 * @cpu: the CPU state: read, and updated as the instruction defines.
 * @insn: from emul_decode(), in @cpu's mode.
 * @ops: guest memory and devices.
 * @ctx: passed to @ops.
 * @fault: filled in on EMUL_FAULT.
 *
 * Accesses are translated (segmentation: #GP(0)/#SS(0); paging: #PF with
 * the walker's error code and CR2) before any is made, and split at 4 KiB
 * boundaries of the linear address into two @ops calls. A read-modify-
 * write (ALU to memory, XCHG, XADD, CMPXCHG, BTS/BTR/BTC, NOT, NEG, INC,
 * DEC) reads, then writes: against a userspace device that takes two
 * trips (the read suspends, the repeated read is answered, the write
 * exits). It is not atomic (see the top of this file).
 *
 * State on return: the caller always writes @cpu back to the guest.
 * RIP advances by @insn->len (and RFLAGS.RF is cleared) only when the
 * instruction completed. A write that returned EMUL_USER_EXIT counts as
 * done; a read that returned EMUL_USER_EXIT does not: nothing of the
 * instruction (of a REP string instruction: of the current iteration) is
 * done and the caller comes back with the same instruction once userspace
 * supplied the data, answering the repeated read from it.
 *
 * REP STOS/LODS/MOVS run iterations, each counted in rCX, rSI and rDI
 * (by the address size, with RFLAGS.DF giving the direction), until rCX
 * is 0 (then the instruction completes; rCX = 0 at the start completes it
 * without an access), an access returns EMUL_USER_EXIT, or
 * EMUL_REP_MAX_ITER iterations ran: then EMUL_OK with RIP unchanged and
 * rCX reduced, and the guest executes the instruction again (as hardware
 * may do for an interrupt between iterations). A paging entry that keeps
 * changing under the walk (EMUL_RETRY from emul_walk()) ends the call the
 * same way.
 *
 * Return: EMUL_OK; EMUL_USER_EXIT (see above); EMUL_FAULT with @fault
 * for the caller to inject, nothing of the faulting instruction (REP:
 * iteration) done; EMUL_ERROR when a callback failed (@cpu may show
 * completed REP iterations); EMUL_UNHANDLED for an @insn without an
 * operation.
 */
int emul_execute(struct emul_cpu *cpu, const struct emul_insn *insn,
		 const struct emul_ops *ops, void *ctx,
		 struct emul_fault *fault);

#endif /* _VLAPIC_EMUL_H */
