// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction at an intercept. SVM without NRIPS does not say how long
 * the intercepted instruction was, and without decode assists it does not
 * say which register a MOV to CR8 or a MOV to/from a debug register used.
 * The run loop fetches the bytes at CS:RIP through the guest's own page
 * tables (emul_fetch()) and reads them here.
 *
 * Only the instructions the backends intercept are recognized: CPUID,
 * RDMSR, WRMSR, RDTSC, RDPMC, INVD, WBINVD, HLT, the 0F 01 group
 * (VMMCALL, VMCALL, RDTSCP, XSETBV, MONITOR, MWAIT, VMRUN, VMLOAD, VMSAVE,
 * STGI, CLGI, SKINIT, INVLPGA) and MOV to/from CR and DR, each with any
 * legacy prefixes and REX. Anything else is reported to userspace as an
 * emulation failure with the bytes: the exit code and the bytes
 * disagree, which is never guessed around.
 */

#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include <vlapic/emul.h>
#include <vlapic/export.h>
#include <vlapic/run.h>

#include "run_priv.h"

/*
 * Byte @i of the instruction; the caller has checked @i < @avail. How many
 * bytes the guest's instruction takes is the guest's choice: clamp.
 */
static u8 insn_byte(const u8 *bytes, unsigned int i, unsigned int avail)
{
	return bytes[array_index_nospec(i, avail)];
}

static bool insn_is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return true;
	default:
		return false;
	}
}

/**
 * vlapic_insn_exit_decode() - length and operands of an intercepted insn.
 * @bytes: the instruction bytes.
 * @avail: how many are valid.
 * @mode: the execution mode.
 * @out: filled: @len, and for MOV CR/DR the control/debug register
 *	number (@num, REX.R included; LOCK MOV CR0 is CR8) and the general
 *	register (@reg, REX.B included) and the direction (@write: to CR/DR).
 *
 * Return: 0, or -EINVAL when the bytes are not one of the recognized
 * instructions (or are cut short).
 */
int vlapic_insn_exit_decode(const u8 *bytes, unsigned int avail,
			    enum emul_mode mode, struct vlapic_exit_insn *out)
{
	unsigned int i = 0;
	bool lock = false, rep = false;
	u8 rex = 0, op, modrm;

	memset(out, 0, sizeof(*out));
	while (i < avail && i < EMUL_MAX_INSN_LEN &&
	       insn_is_legacy_prefix(insn_byte(bytes, i, avail))) {
		lock |= insn_byte(bytes, i, avail) == 0xf0;
		rep |= insn_byte(bytes, i, avail) == 0xf3;
		i++;
	}
	if (mode == EMUL_MODE_LONG64 && i < avail &&
	    (insn_byte(bytes, i, avail) & 0xf0) == 0x40)
		rex = insn_byte(bytes, i++, avail);
	if (i >= avail)
		return -EINVAL;
	op = insn_byte(bytes, i++, avail);
	if (op == 0xf4) {		/* HLT */
		out->len = i;
		out->hlt = true;
		return out->len <= EMUL_MAX_INSN_LEN ? 0 : -EINVAL;
	}
	if (op == 0x90 && rep) {	/* PAUSE: F3 90 */
		out->len = i;
		out->pause = true;
		return out->len <= EMUL_MAX_INSN_LEN ? 0 : -EINVAL;
	}
	if (op != 0x0f || i >= avail)
		return -EINVAL;
	op = insn_byte(bytes, i++, avail);
	switch (op) {
	case 0x08: case 0x09:		/* INVD, WBINVD */
	case 0x30: case 0x31: case 0x32: case 0x33:	/* WRMSR .. RDPMC */
	case 0xa2:			/* CPUID */
		break;
	case 0x01:
		if (i >= avail)
			return -EINVAL;
		modrm = insn_byte(bytes, i++, avail);
		/* Register forms only: C1 VMCALL ... DF INVLPGA, F9 RDTSCP. */
		if (modrm < 0xc0 || !(modrm == 0xc1 || modrm == 0xc8 ||
				      modrm == 0xc9 || modrm == 0xd1 ||
				      (modrm >= 0xd8 && modrm <= 0xdf) ||
				      modrm == 0xf9))
			return -EINVAL;
		break;
	case 0x20: case 0x21: case 0x22: case 0x23:	/* MOV CR/DR */
		if (i >= avail)
			return -EINVAL;
		modrm = insn_byte(bytes, i++, avail);
		/* The mod field is ignored: always a register operand. */
		out->num = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
		out->reg = (modrm & 7) | ((rex & 1) ? 8 : 0);
		out->write = op & 2;
		out->dr = op & 1;
		if (lock && !out->dr && out->num == 0)
			out->num = 8;	/* AMD: LOCK MOV CR0 is CR8 */
		break;
	default:
		return -EINVAL;
	}
	out->len = i;
	return out->len <= EMUL_MAX_INSN_LEN ? 0 : -EINVAL;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_insn_exit_decode);

/**
 * vlapic_run_emul_cpu() - the vCPU as the emulator sees it.
 * @vcpu: the vCPU.
 * @cpu: filled in.
 */
void vlapic_run_emul_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	vcpu->vm->ops->get_cpu_state(vcpu, cpu);
	/*
	 * The CPU walks the guest's tables itself with its own address width
	 * and page sizes, whatever CPUID tells the guest: the emulator's walk
	 * must find the same reserved bits.
	 */
	cpu->maxphyaddr = boot_cpu_data.x86_phys_bits;
	cpu->gbpages = boot_cpu_has(X86_FEATURE_GBPAGES);
	memcpy(cpu->gpr, vcpu->gpr, sizeof(cpu->gpr));
	cpu->rip = vcpu->rip;
	cpu->rflags = vcpu->rflags;
}

/**
 * vlapic_run_fetch() - the bytes at the guest's CS:RIP.
 * @vcpu: the vCPU.
 * @bytes: EMUL_MAX_INSN_LEN bytes.
 * @len: set to how many were read (fewer at the end of mapped memory).
 *
 * A fault of the fetch itself (#PF, #GP) is queued for the guest.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 * Return: 0; 1 when a fault was queued (the guest goes on with it);
 * -EFAULT when nothing could be read.
 */
int vlapic_run_fetch(struct vlapic_vcpu_run *vcpu, u8 *bytes,
		     unsigned int *len)
{
	struct emul_cpu cpu;

	vlapic_run_emul_cpu(vcpu, &cpu);
	return vlapic_run_fetch_cpu(vcpu, &cpu, bytes, len);
}

/**
 * vlapic_run_fetch_cpu() - vlapic_run_fetch() with the state already read.
 * @vcpu: the vCPU.
 * @cpu: its state (vlapic_run_emul_cpu()).
 * @bytes: EMUL_MAX_INSN_LEN bytes.
 * @len: the bytes fetched.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 * Return: as vlapic_run_fetch().
 */
int vlapic_run_fetch_cpu(struct vlapic_vcpu_run *vcpu,
			 const struct emul_cpu *cpu, u8 *bytes,
			 unsigned int *len)
{
	struct emul_fault fault;
	int ret;

	*len = EMUL_MAX_INSN_LEN;
	ret = emul_fetch(cpu, &vlapic_run_emul_ops, vcpu, bytes, len, &fault);
	if (ret == EMUL_FAULT) {
		vlapic_run_queue_fault(vcpu, &fault);
		return 1;
	}
	return ret == EMUL_OK && *len ? 0 : -EFAULT;
}

/**
 * vlapic_run_exit_insn() - fetch and decode the intercepted instruction.
 * @vcpu: the vCPU.
 * @out: the decoded instruction.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 * Return: 0; 1 when a fetch fault was queued for the guest; < 0 after
 * the run structure was set up for an emulation-failure exit (the caller
 * returns 0 to userspace then).
 */
int vlapic_run_exit_insn(struct vlapic_vcpu_run *vcpu,
			 struct vlapic_exit_insn *out)
{
	u8 bytes[EMUL_MAX_INSN_LEN];
	struct emul_cpu cpu;
	unsigned int len;
	int ret;

	vlapic_run_emul_cpu(vcpu, &cpu);
	ret = vlapic_run_fetch_cpu(vcpu, &cpu, bytes, &len);
	if (ret > 0)
		return 1;
	if (ret < 0) {
		vlapic_run_emulation_failure(vcpu, NULL, 0);
		return -EFAULT;
	}
	if (vlapic_insn_exit_decode(bytes, len, emul_cpu_mode(&cpu), out)) {
		vlapic_run_emulation_failure(vcpu, bytes, len);
		return -EINVAL;
	}
	return 0;
}

/**
 * vlapic_run_skip_insn() - step RIP over the intercepted instruction.
 * @vcpu: the vCPU.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 * Return: 1 (done, or a fetch fault queued: the guest goes on), 0 with
 * an emulation-failure exit for userspace.
 */
int vlapic_run_skip_insn(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_exit_insn insn;
	int ret = vlapic_run_exit_insn(vcpu, &insn);

	if (ret)
		return ret > 0 ? 1 : 0;
	vlapic_run_advance(vcpu, insn.len);
	return 1;
}

/*
 * The instruction at RIP, for an exit that steps over it only if it is
 * what the exit says (HLT, PAUSE): false when it is not recognized (the
 * guest runs what is there) or cannot be fetched (the fetch fault is
 * queued: the guest's own fetch would have faulted alike). Unlike
 * vlapic_run_exit_insn(), no emulation-failure exit.
 */
static bool run_decode_quiet(struct vlapic_vcpu_run *vcpu,
			     struct vlapic_exit_insn *insn)
{
	u8 bytes[EMUL_MAX_INSN_LEN];
	struct emul_cpu cpu;
	unsigned int len;

	vlapic_run_emul_cpu(vcpu, &cpu);
	if (vlapic_run_fetch_cpu(vcpu, &cpu, bytes, &len))
		return false;
	return !vlapic_insn_exit_decode(bytes, len, emul_cpu_mode(&cpu), insn);
}

/**
 * vlapic_run_skip_hlt() - an interrupt about to wake a HLT not yet run.
 * @vcpu: the vCPU, stopped by an interrupt window that opened.
 *
 * `STI; HLT` is atomic: an interrupt pending at STI is taken once HLT has
 * halted, and returns past it. A CPU that opens the window at the HLT
 * (QEMU's SVM does, ignoring the STI shadow) would have the guest's
 * handler return to the HLT and sleep with the wake-up already spent.
 * Stepping over the HLT here gives the architectural result in every
 * case: a HLT that an interrupt wakes at once is indistinguishable from
 * one that was never entered (docs/run.md).
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 */
void vlapic_run_skip_hlt(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_exit_insn insn;

	if (run_decode_quiet(vcpu, &insn) && insn.hlt)
		vlapic_run_advance(vcpu, insn.len);
}

/**
 * vlapic_run_pause() - a PAUSE exit: a spinning vCPU.
 * @vcpu: the vCPU, stopped before its PAUSE (the intercept is fault-like).
 *
 * Counted and stepped over; the loop's cond_resched() then gives the
 * host CPU to whoever the scheduler wants, a preempted lock holder
 * perhaps. The instruction is fetched again to learn its length (no
 * next-RIP here): if it is no PAUSE any more (another vCPU rewrote it),
 * RIP stays and the guest runs what is there; if it cannot be fetched
 * any more, the guest gets the fault its own fetch would have.
 *
 * Context: inside srcu_read_lock(&vcpu->vm->srcu).
 * Return: 1.
 */
int vlapic_run_pause(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_exit_insn insn;

	vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXIT_PAUSE);
	if (run_decode_quiet(vcpu, &insn) && insn.pause)
		vlapic_run_advance(vcpu, insn.len);
	return 1;
}
