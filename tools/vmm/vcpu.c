// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation, the thread that plays each one, and the dispatch of
 * the exits that reach the VMM (the same on both backends: the run
 * structure has KVM's layout and exit reasons).
 *
 * The thread's loop:
 *
 *	RUN;
 *	-EINTR:	clear immediate_exit, stop or park (control.c), then do
 *		what a device asked for (reboot, state round trip): by now
 *		the access that asked has completed;
 *	an exit: hand it to the device model, which may ask for an action
 *		(vcpu_request() sets immediate_exit, so the next RUN only
 *		completes the access and returns -EINTR).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "vmm.h"

/* What KVM answers a hypercall it does not know: -KVM_ENOSYS. */
#define HYPERCALL_ENOSYS	((uint64_t)-1000)
#define MSR_K8_INT_PENDING_MSG	0xc0010055U

static void sigusr1_nop(int sig)
{
	(void)sig;
}

/* The kick signal: interrupts RUN (and sleeps in HLT); does nothing else. */
static int install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigusr1_nop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) ? -errno : 0;
}

int vcpu_create(struct vm *vm, unsigned int index)
{
	struct vlapic_cpuid2 *cpuid = NULL;
	struct vcpu *vcpu;
	int ret;

	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->fd = -1;
	vcpu->initial = calloc(1, sizeof(*vcpu->initial));
	if (!vcpu->initial) {
		free(vcpu);
		return -ENOMEM;
	}
	ret = vm->ops->create_vcpu(vcpu);
	if (ret) {
		free(vcpu->initial);
		free(vcpu);
		return ret;
	}
	vm->vcpus[index] = vcpu;
	vm->nr_vcpus = index + 1;

	ret = cpuid_for_vcpu(vm, index, &cpuid);
	if (!ret)
		ret = vm->ops->set_cpuid(vcpu, cpuid);
	free(cpuid);
	if (!ret && index == 0)
		ret = state_probe_msrs(vcpu);
	/* The RESET state, for guest reboots; the TSC keeps running. */
	if (!ret)
		ret = vcpu_state_save(vcpu, vcpu->initial);
	if (!ret) {
		unsigned int i, n = 0;

		for (i = 0; i < vcpu->initial->nmsrs; i++)
			if (vcpu->initial->msrs[i].index != 0x10)
				vcpu->initial->msrs[n++] = vcpu->initial->msrs[i];
		vcpu->initial->nmsrs = n;
	}
	return ret;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->vm->ops->destroy_vcpu(vcpu);
	free(vcpu->initial);
	free(vcpu);
}

/* Ask for @action once the current access completed (device handlers). */
void vcpu_request(struct vcpu *vcpu, enum vcpu_action action)
{
	vcpu->action = action;
	vcpu->action_gen = ctl_reset_gen(vcpu->vm);
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

/* Drive IOAPIC input @gsi (the wire's level: only changes reach it). */
int vm_set_irq(struct vm *vm, unsigned int gsi, bool level)
{
	int ret = 0;

	if (gsi >= VMM_NR_GSIS)
		return -EINVAL;
	pthread_mutex_lock(&vm->irq_lock);
	if (vm->irq_level[gsi] != level) {
		ret = vm->ops->irq_line(vm, gsi, level);
		if (!ret)
			vm->irq_level[gsi] = level;
	}
	pthread_mutex_unlock(&vm->irq_lock);
	if (ret)
		vm_fail(vm, VMM_HOST_ERROR, "IRQ line %u: %s", gsi,
			strerror(-ret));
	return ret;
}

static void handle_io(struct vcpu *vcpu)
{
	struct vlapic_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	for (i = 0; i < run->io.count; i++)
		io_dispatch(vcpu, run->io.port, run->io.size,
			    run->io.direction == VLAPIC_EXIT_IO_OUT,
			    data + (size_t)i * run->io.size);
}

static void report_internal_error(struct vcpu *vcpu)
{
	struct vlapic_run *run = vcpu->run;
	char bytes[3 * 15 + 1] = "", exit[128] = "";
	unsigned int i, n, w = 1;
	const __u64 *d = run->internal.data;

	if (run->internal.suberror != VLAPIC_INTERNAL_ERROR_EMULATION) {
		vm_fail(vcpu->vm, VMM_GUEST_ERROR,
			"vcpu%u: internal error: suberror %u, %u data words, first 0x%llx",
			vcpu->index, run->internal.suberror, run->internal.ndata,
			run->internal.ndata ? (unsigned long long)d[0] : 0ULL);
		vcpu_dump_registers(vcpu);
		return;
	}
	if (run->emulation_failure.flags &
	    VLAPIC_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) {
		n = run->emulation_failure.insn_size;
		if (n > 15)
			n = 15;
		for (i = 0; i < n; i++)
			snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, " %02x",
				 run->emulation_failure.insn_bytes[i]);
		w = 3;
	}
	/* The exit the instruction came from (KVM's five words). */
	if (run->emulation_failure.ndata >= w + VLAPIC_EMUL_INFO_WORDS)
		snprintf(exit, sizeof(exit),
			 "; exit 0x%llx info 0x%llx 0x%llx intr 0x%llx error 0x%llx",
			 (unsigned long long)d[w + VLAPIC_EMUL_INFO_REASON],
			 (unsigned long long)d[w + VLAPIC_EMUL_INFO_INFO1],
			 (unsigned long long)d[w + VLAPIC_EMUL_INFO_INFO2],
			 (unsigned long long)d[w + VLAPIC_EMUL_INFO_INTR_INFO],
			 (unsigned long long)d[w + VLAPIC_EMUL_INFO_ERROR_CODE]);
	vm_fail(vcpu->vm, VMM_GUEST_ERROR,
		"vcpu%u: internal error: emulation failed, %s%s%s",
		vcpu->index, w == 3 ? "instruction" : "no instruction bytes",
		bytes, exit);
	vcpu_dump_registers(vcpu);
}

/* One exit for the VMM; returns false when the thread must end. */
static bool handle_exit(struct vcpu *vcpu)
{
	struct vlapic_run *run = vcpu->run;
	uint32_t reason = run->exit_reason;

	vcpu->exits[reason < VMM_EXIT_REASONS ? reason :
		    VMM_EXIT_REASONS - 1]++;
	switch (reason) {
	case VLAPIC_EXIT_IO:
		handle_io(vcpu);
		return true;
	case VLAPIC_EXIT_MMIO:
		mmio_dispatch(vcpu, run->mmio.phys_addr, run->mmio.len,
			      run->mmio.is_write, run->mmio.data);
		return true;
	case VLAPIC_EXIT_HYPERCALL:
		run->hypercall.ret = HYPERCALL_ENOSYS;
		return true;
	case VLAPIC_EXIT_SHUTDOWN:
		vcpu_request(vcpu, VCPU_ACTION_REBOOT);
		return true;
	case VLAPIC_EXIT_X86_RDMSR:
		/*
		 * MSR_K8_INT_PENDING_MSG reads as 0, as on KVM: Linux reads
		 * it unchecked on the family 0xf/0x10 CPUs of its AMD
		 * erratum 400 (QEMU's qemu64 is one) to look for C1E.
		 */
		if (run->msr.index == MSR_K8_INT_PENDING_MSG) {
			run->msr.data = 0;
			run->msr.error = 0;
			return true;
		}
		run->msr.error = 1;	/* #GP, as without the exits */
		return true;
	case VLAPIC_EXIT_X86_WRMSR:
		run->msr.error = 1;
		return true;
	case VLAPIC_EXIT_FAIL_ENTRY:
		vm_fail(vcpu->vm, VMM_GUEST_ERROR,
			"vcpu%u: failed entry, hardware reason 0x%llx",
			vcpu->index,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_dump_registers(vcpu);
		return false;
	case VLAPIC_EXIT_INTERNAL_ERROR:
		report_internal_error(vcpu);
		return false;
	default:
		vm_fail(vcpu->vm, VMM_GUEST_ERROR,
			"vcpu%u: unexpected exit reason %u", vcpu->index,
			reason);
		return false;
	}
}

/* Act on what a device asked for, the access already completed. */
static void do_action(struct vcpu *vcpu)
{
	enum vcpu_action action = vcpu->action;

	vcpu->action = VCPU_ACTION_NONE;
	/* A reset by another vCPU since the request makes it void. */
	if (action == VCPU_ACTION_NONE ||
	    vcpu->action_gen != ctl_reset_gen(vcpu->vm))
		return;
	if (action == VCPU_ACTION_REBOOT)
		vm_reboot(vcpu->vm, vcpu);
	else if (action == VCPU_ACTION_STATE_ROUNDTRIP)
		vm_state_roundtrip(vcpu->vm, vcpu);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (ctl_checkpoint(vcpu))
		goto out;
	for (;;) {
		__atomic_store_n(&vcpu->in_run, 1, __ATOMIC_SEQ_CST);
		ret = vm->ops->run(vcpu);
		__atomic_store_n(&vcpu->in_run, 0, __ATOMIC_SEQ_CST);
		if (ret == -EINTR) {
			__atomic_store_n(&vcpu->run->immediate_exit, 0,
					 __ATOMIC_SEQ_CST);
			if (ctl_checkpoint(vcpu))
				break;
			do_action(vcpu);
			continue;
		}
		if (ret == -EBUSY) {
			vm_fail(vm, VMM_UNSUPPORTED,
				"vcpu%u: %s RUN: the CPU's virtualization is in use by another hypervisor",
				vcpu->index, vm->ops->name);
			break;
		}
		if (ret) {
			vm_fail(vm, VMM_HOST_ERROR, "vcpu%u: %s RUN: %s",
				vcpu->index, vm->ops->name, strerror(-ret));
			break;
		}
		if (!handle_exit(vcpu) || vm_stopping(vm))
			break;
	}
out:
	ctl_thread_exited(vm);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret = install_kick_handler();

	if (ret)
		return ret;
	return ctl_start_thread(vcpu->vm, vcpu, vcpu_thread);
}
