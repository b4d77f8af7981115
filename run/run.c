// SPDX-License-Identifier: GPL-2.0
/*
 * VLAPIC_RUN: the vendor-neutral part of the run loop.
 *
 * One RUN ioctl, with the vCPU's mutex held, in the vCPU thread:
 *
 *  1. finish what the last exit left to userspace (MMIO read data, IN
 *     data, a hypercall's result, an MSR's value);
 *  2. swap the guest's FPU state in (fpu_swap_kvm_fpstate());
 *  3. loop: stop for a signal, immediate_exit or a close of the vCPU fd
 *     (exit reason INTR, -EINTR); take INIT and SIPI; sleep while halted
 *     or waiting for SIPI, on the same wake-up as VLAPIC_WAIT (the bus's
 *     kick, seed 004); enter the guest through the backend; handle the
 *     exit in the kernel or stop with an exit for userspace;
 *  4. swap the FPU state back, report TPR and IA32_APIC_BASE.
 *
 * Kicks: an event for a vCPU in guest mode on another CPU sends that CPU
 * an IPI (reschedule vector), which ends the guest's stint (INTR
 * intercept). The backend's entry publishes VLAPIC_IN_GUEST_MODE with a
 * full barrier before it reads the vLAPIC under its lock to decide the
 * injection, and a deliverer sets IRR under that lock before it reads
 * the mode: one of the two always sees the other, so a vector posted
 * between the last check and VMRUN is never left behind (docs/run.md).
 */

#include <linux/sched/signal.h>
#include <linux/srcu.h>
#include <asm/processor-flags.h>

#include <vlapic/export.h>
#include <vlapic/lapic.h>
#include <vlapic/run.h>
#include <vlapic/stats.h>

#include "run_priv.h"
#include "vm_priv.h"

#define CREATE_TRACE_POINTS
#include "run_trace.h"

/**
 * vlapic_run_kick() - make a vCPU in guest mode leave it.
 * @vcpu: the vCPU.
 *
 * Any context, vLAPIC lock possibly held: an IPI to the CPU the vCPU
 * runs on, once per stint (IN_GUEST -> EXITING).
 */
void vlapic_run_kick(struct vlapic_vcpu_run *vcpu)
{
	int cpu;

	/* Pairs with the barrier after the entry publishes IN_GUEST_MODE. */
	smp_mb();
	if (cmpxchg(&vcpu->mode, VLAPIC_IN_GUEST_MODE,
		    VLAPIC_EXITING_GUEST_MODE) != VLAPIC_IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu != raw_smp_processor_id() && cpu_online(cpu))
		smp_send_reschedule(cpu);
}

/**
 * vlapic_run_entry_pending_work() - whether an entry must be abandoned.
 * @vcpu: the vCPU, interrupts off, in VLAPIC_IN_GUEST_MODE.
 *
 * Return: true if the thread must schedule, take a signal or stop first.
 */
bool vlapic_run_entry_pending_work(struct vlapic_vcpu_run *vcpu)
{
	return need_resched() || signal_pending(current) ||
	       READ_ONCE(vcpu->run->immediate_exit);
}

/**
 * vlapic_run_reset() - the architectural RESET or INIT state.
 * @vcpu: the vCPU.
 * @init: INIT (keeps the MSRs INIT keeps) rather than RESET.
 */
void vlapic_run_reset(struct vlapic_vcpu_run *vcpu, bool init)
{
	u32 eax = 0, ebx, ecx, edx;

	memset(vcpu->gpr, 0, sizeof(vcpu->gpr));
	/* RDX holds the processor signature, CPUID.1:EAX. */
	vlapic_run_cpuid_lookup(vcpu, 1, 0, &eax, &ebx, &ecx, &edx);
	vcpu->gpr[EMUL_RDX] = eax ? eax : 0x600;
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	memset(&vcpu->exc, 0, sizeof(vcpu->exc));
	/*
	 * An interrupt whose delivery an exit cut short dies with the
	 * processor state it was being delivered into: re-injected after a
	 * SIPI it would go through the real-mode IVT of a CPU that never
	 * acknowledged it (found by 4-vCPU guest fuzzing: garbage CR3s and
	 * triple faults in APs that other APs kept sending INITs to).
	 */
	vcpu->pending_irq = -1;
	vcpu->nmi_masked = false;
	vcpu->nmi_injected = false;
	vcpu->halted = false;
	vcpu->complete = VLAPIC_COMPLETE_NONE;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = 0xffff0ff0;
	vcpu->dr7 = 0x400;
	if (!init) {
		vcpu->tsc_aux = 0;
		vcpu->misc_enable = 1;	/* fast strings */
	}
	vcpu->vm->ops->vcpu_reset(vcpu, init);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_reset);

/* INIT and SIPI, before anything else (SDM vol. 3 "MP Initialization"). */
static void run_accept_events(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic *v = vcpu->vlapic;
	u8 sipi = 0;

	if ((vlapic_pending_events(v) & VLAPIC_EVENT_INIT) &&
	    vlapic_take_event(v, VLAPIC_EVENT_INIT, NULL))
		vlapic_run_reset(vcpu, true);
	if ((vlapic_pending_events(v) & VLAPIC_EVENT_SIPI) &&
	    vlapic_take_event(v, VLAPIC_EVENT_SIPI, &sipi)) {
		vcpu->vm->ops->sipi(vcpu, sipi);
		vcpu->halted = false;
	}
	/* No SMM: an SMI is accepted (counted by the vLAPIC) and dropped. */
	if (vlapic_pending_events(v) & VLAPIC_EVENT_SMI)
		vlapic_take_event(v, VLAPIC_EVENT_SMI, NULL);
}

/*
 * The wake-up predicate of a halted vCPU, as the CPU's: an interrupt the
 * guest can take (IF, above PPR: PIR, IRR and RVI alike, seed 004), an
 * unmasked NMI, INIT or SIPI. A vCPU waiting for SIPI wakes for INIT and
 * SIPI only.
 */
static bool run_can_wake(void *arg)
{
	struct vlapic_vcpu_run *vcpu = arg;
	struct vlapic *v = vcpu->vlapic;
	u32 ev = vlapic_pending_events(v);

	if (ev & (VLAPIC_EVENT_INIT | VLAPIC_EVENT_SIPI))
		return true;
	if (vlapic_mp_state(v) == VLAPIC_MP_WAIT_FOR_SIPI)
		return false;
	if (ev & VLAPIC_EVENT_SMI)
		return true;
	if ((ev & VLAPIC_EVENT_NMI) && !vcpu->nmi_masked)
		return true;
	if (!(vcpu->rflags & X86_EFLAGS_IF))
		return false;
	if (ev & VLAPIC_EVENT_EXTINT)
		return true;
	return vlapic_pending_vector(v) >= 0;
}

static int run_stop(struct vlapic_vcpu_run *vcpu)
{
	vcpu->run->exit_reason = VLAPIC_EXIT_INTR;
	return -EINTR;
}

static int run_loop(struct vlapic_vcpu_run *vcpu, int closes)
{
	struct vlapic_vm_run *vm = vcpu->vm;
	struct vlapic_vcpu *owner = vcpu->owner;
	int ret, idx;

	for (;;) {
		if (READ_ONCE(vcpu->run->immediate_exit) ||
		    signal_pending(current) ||
		    atomic_read(&owner->closes) != closes)
			return run_stop(vcpu);
		run_accept_events(vcpu);
		if (vcpu->halted ||
		    vlapic_mp_state(vcpu->vlapic) == VLAPIC_MP_WAIT_FOR_SIPI) {
			if (!run_can_wake(vcpu)) {
				vlapic_run_stat_inc(vcpu,
						    VLAPIC_RUN_STAT_HALT_SLEEPS);
				vlapic_vcpu_block(owner, run_can_wake, vcpu, -1,
						  closes);
				continue;
			}
			if (vlapic_mp_state(vcpu->vlapic) ==
			    VLAPIC_MP_WAIT_FOR_SIPI)
				continue;
			vcpu->halted = false;
		}

		ret = vm->ops->enter(vcpu);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			vlapic_run_stat_inc(vcpu, VLAPIC_RUN_STAT_EXITS);
			idx = srcu_read_lock(&vm->srcu);
			ret = vm->ops->handle_exit(vcpu);
			srcu_read_unlock(&vm->srcu, idx);
			if (!ret)
				vlapic_run_stat_inc(vcpu,
						    VLAPIC_RUN_STAT_USER_EXITS);
			if (ret <= 0)
				return ret;
		}
		cond_resched();
	}
}

/**
 * vlapic_vcpu_run() - VLAPIC_RUN.
 * @vcpu: the vCPU (its mutex held).
 *
 * Return: 0 with an exit for userspace in the run structure; -EINTR
 * (exit reason INTR) for a signal, immediate_exit or a close; -EINVAL if
 * the VM has no memory or the run structure's inputs are not supported;
 * -EBUSY if another hypervisor owns the CPU's virtualization; -EFAULT.
 */
int vlapic_vcpu_run(struct vlapic_vcpu_run *vcpu)
{
	struct vlapic_run *run = vcpu->run;
	struct vlapic_vm_run *vm = vcpu->vm;
	int closes = atomic_read(&vcpu->owner->closes);
	bool has_memory;
	int ret, idx;

	if (READ_ONCE(run->request_interrupt_window) ||
	    READ_ONCE(run->kvm_dirty_regs))
		return -EINVAL;
	idx = srcu_read_lock(&vm->srcu);
	has_memory = vlapic_run_has_memory(vm);
	srcu_read_unlock(&vm->srcu, idx);
	if (!has_memory)
		return -EINVAL;

	run->exit_reason = VLAPIC_EXIT_UNKNOWN;
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	idx = srcu_read_lock(&vm->srcu);
	ret = vlapic_run_complete_user_exit(vcpu);
	srcu_read_unlock(&vm->srcu, idx);
	if (ret > 0)
		ret = run_loop(vcpu, closes);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);

	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = vcpu->extint_vector < 0;
	run->cr8 = vlapic_get_cr8(vcpu->vlapic);
	vlapic_msr_read(vcpu->vlapic, VLAPIC_MSR_APIC_BASE, &run->apic_base);
	return ret;
}

/**
 * vlapic_run_interrupt() - VLAPIC_INTERRUPT: the 8259's next vector.
 * @vcpu: the vCPU (its mutex held).
 * @irq: the vector.
 *
 * Return: 0; -EINVAL for a vector above 255; -EEXIST while the previous
 * one waits for its ExtINT.
 */
int vlapic_run_interrupt(struct vlapic_vcpu_run *vcpu, u32 irq)
{
	if (irq > 255)
		return -EINVAL;
	if (vcpu->extint_vector >= 0)
		return -EEXIST;
	vcpu->extint_vector = irq;
	return 0;
}
