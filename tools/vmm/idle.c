// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that halted for good: every vCPU asleep in the kernel and
 * nothing that could ever wake one. The VMM's devices never raise an
 * interrupt on their own (the UART's is a consequence of a guest access),
 * so what can wake a halted vCPU is its own LAPIC timer, an interrupt
 * already pending above its priority, or another vCPU, and an INIT/SIPI
 * for a vCPU that waits for one. When every vCPU is halted with IF = 0
 * (only NMI, INIT, SMI would wake it: none can come), or with IF = 1 but
 * no timer armed and nothing pending, or waits for SIPI, the VMM ends
 * with status 0 and says so.
 *
 * Checked from the main thread: each poll asks the backend for a cheap
 * hint (->sleeping) for each vCPU whose thread sits in RUN; after two
 * polls with every vCPU asleep the VM is paused and each vCPU's state
 * read (MP state, RFLAGS.IF, the LAPIC timer and IRR/ISR/TPR). A guest
 * that can still wake is left alone for BACKOFF_POLLS polls.
 *
 * A verdict of "nothing can wake them" is confirmed once more after
 * BACKOFF_POLLS polls in which no vCPU ran: KVM keeps a timer expiry
 * that has not been injected yet out of both IRR and the deadline MSR
 * (its lapic_timer.pending), so one look can miss a wake-up that is
 * already on its way; the vCPU then runs and the suspicion is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define BACKOFF_POLLS	20
#define LVT_MASKED	BIT(16)
#define X86_EFLAGS_IF	BIT_ULL(9)

/**
 * struct idle_watch - the main thread's record.
 * @vm: the VM.
 * @streak: consecutive polls with every vCPU asleep.
 * @backoff: polls left before the next check of a guest that could wake.
 * @suspect: the last check found nothing that can wake the guest, and
 *	every vCPU has stayed asleep since.
 */
struct idle_watch {
	struct vm *vm;
	unsigned int streak;
	unsigned int backoff;
	bool suspect;
};

struct idle_watch *idle_watch_new(struct vm *vm)
{
	struct idle_watch *w = calloc(1, sizeof(*w));

	if (w)
		w->vm = vm;
	return w;
}

void idle_watch_free(struct idle_watch *w)
{
	free(w);
}

static int deadline_armed(struct vcpu *vcpu)
{
	uint64_t v;

	return !vcpu_read_msr(vcpu, MSR_IA32_TSC_DEADLINE, &v) && v != 0;
}

/*
 * Whether @vcpu can ever run again without another vCPU; @why says, in
 * @buf, with the registers the verdict rests on for a halted vCPU.
 */
static bool can_wake(struct vcpu *vcpu, const char **why, char *buf,
		     size_t len)
{
	const struct backend_ops *ops = vcpu->vm->ops;
	struct irqchip_blob *b = malloc(sizeof(*b));
	struct vlapic_regs regs;
	enum vmm_mp_state mp;
	uint32_t lvtt;
	int irr, isr, ppr;
	bool wake = true;

	*why = "running";
	if (!b || ops->get_lapic(vcpu, b) || ops->mp_state(vcpu, b, &mp) ||
	    ops->get_regs(vcpu, &regs))
		goto out;
	if (mp == VMM_MP_RUNNABLE)
		goto out;
	wake = false;
	if (mp == VMM_MP_WAIT_SIPI) {
		*why = "waits for SIPI";
		goto out;
	}
	if (!(regs.rflags & X86_EFLAGS_IF)) {
		*why = "halted with IF=0";
		goto out;
	}
	*why = "halted, no timer armed, nothing pending";
	lvtt = lapic_reg(b, LAPIC_LVTT);
	if (!(lvtt & LVT_MASKED)) {
		switch ((lvtt >> 17) & 3) {
		case 0:
			wake = lapic_reg(b, LAPIC_TMCCT) != 0;
			break;
		case 1:
			wake = lapic_reg(b, LAPIC_TMICT) != 0;
			break;
		case 2:
			wake = deadline_armed(vcpu);
			break;
		}
	}
	irr = lapic_highest(b, LAPIC_IRR);
	isr = lapic_highest(b, LAPIC_ISR);
	ppr = lapic_reg(b, LAPIC_TPR) & 0xf0;
	if (isr >= 0 && (isr & 0xf0) > ppr)
		ppr = isr & 0xf0;
	if (irr >= 0 && (irr & 0xf0) > ppr)
		wake = true;
	if (wake)
		*why = "halted, can wake";
	snprintf(buf, len,
		 "%s (RIP 0x%llx; LVTT 0x%x TMICT 0x%x TMCCT 0x%x; highest IRR 0x%x ISR 0x%x; TPR 0x%x)",
		 *why, (unsigned long long)regs.rip, lvtt,
		 lapic_reg(b, LAPIC_TMICT), lapic_reg(b, LAPIC_TMCCT),
		 irr < 0 ? 0 : irr, isr < 0 ? 0 : isr, lapic_reg(b, LAPIC_TPR));
	*why = buf;
out:
	free(b);
	return wake;
}

void idle_check(struct idle_watch *w)
{
	struct vm *vm = w->vm;
	char report[1024];
	size_t len = 0;
	bool asleep = true, wake = false;
	unsigned int i;

	/* Every vCPU is asked each poll: a hint may compare with the last. */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = vm->vcpus[i];

		if (!vm->ops->sleeping(vcpu) ||
		    !__atomic_load_n(&vcpu->in_run, __ATOMIC_SEQ_CST))
			asleep = false;
	}
	if (!asleep) {
		w->streak = 0;
		w->suspect = false;
		return;
	}
	if (w->backoff) {
		w->backoff--;
		return;
	}
	if (++w->streak < 2)
		return;
	if (ctl_pause(vm, NULL))
		return;
	report[0] = 0;
	for (i = 0; i < vm->nr_vcpus && !wake; i++) {
		char buf[160];
		const char *why;

		wake = can_wake(vm->vcpus[i], &why, buf, sizeof(buf));
		if (len < sizeof(report))
			len += snprintf(report + len, sizeof(report) - len,
					"%svcpu%u %s", i ? ", " : "", i, why);
	}
	if (!wake && w->suspect)
		vm_fail(vm, VMM_OK, "all vCPUs halted and nothing can wake them (%s)",
			report);
	w->suspect = !wake;
	ctl_resume(vm);
	w->streak = 0;
	w->backoff = BACKOFF_POLLS;
}
