// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's CPU and irqchip state as a whole: saved and loaded for guest
 * reboots (the state of each vCPU right after creation), for port 0xef
 * (in place), and for snapshots (snapshot.c writes it to a file).
 * Single registers are read from it too, for the idle check and the
 * reports: one MSR (vcpu_read_msr()), one LAPIC register (lapic_reg()).
 *
 * Load order, the same on both backends:
 *
 *  1. the GSI levels the devices drive (only those that differ), so the
 *     backend's own record of each line (KVM's per-source levels) agrees
 *     with the IOAPIC state loaded next; whatever they deliver meanwhile
 *     is overwritten by steps 2 and 3;
 *  2. the IOAPIC (KVM: and its PIC);
 *  3. per vCPU: special registers (APIC base and mode first), general
 *     registers, MSRs, the LAPIC blob (registers, MP state, pending
 *     events), and last IA32_TSC_DEADLINE: KVM arms a deadline only when
 *     the LVT timer is already in TSC-deadline mode.
 *
 * In place (STATE_IN_PLACE) IA32_TSC and IA32_TSC_DEADLINE are left as
 * they are: writing back the TSC would make it run backwards by the time
 * the round trip took, and the deadline is kept by the LAPIC load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

/* The MSRs a vCPU state holds, if the backend keeps them. */
static const uint32_t msr_candidates[] = {
	MSR_IA32_TSC,
	0x00000174,	/* SYSENTER_CS */
	0x00000175,	/* SYSENTER_ESP */
	0x00000176,	/* SYSENTER_EIP */
	0x000001a0,	/* MISC_ENABLE */
	0x00000277,	/* PAT */
	0xc0000081,	/* STAR */
	0xc0000082,	/* LSTAR */
	0xc0000083,	/* CSTAR */
	0xc0000084,	/* SFMASK */
	0xc0000102,	/* KERNEL_GS_BASE */
	0xc0000103,	/* TSC_AUX */
	MSR_IA32_TSC_DEADLINE,	/* last: see the load order */
};

struct msrs_buf {
	struct vlapic_msrs hdr;
	struct vlapic_msr_entry e[VMM_MAX_MSRS];
};

static_assert(ARRAY_SIZE(msr_candidates) <= VMM_MAX_MSRS, "too many MSRs");

/**
 * state_probe_msrs() - find which of the candidate MSRs the backend keeps.
 * @vcpu: a vCPU of the VM, before it runs.
 *
 * Return: 0 (vm->msr_index filled in) or -errno.
 */
int state_probe_msrs(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct msrs_buf b;
	unsigned int i;
	int ret;

	vm->nr_msrs = 0;
	for (i = 0; i < ARRAY_SIZE(msr_candidates); i++) {
		memset(&b, 0, sizeof(b));
		b.hdr.nmsrs = 1;
		b.e[0].index = msr_candidates[i];
		ret = vm->ops->get_msrs(vcpu, &b.hdr);
		if (ret < 0)
			return ret;
		if (ret == 1)
			vm->msr_index[vm->nr_msrs++] = msr_candidates[i];
	}
	return 0;
}

int vcpu_state_save(struct vcpu *vcpu, struct vcpu_state *s)
{
	const struct backend_ops *ops = vcpu->vm->ops;
	struct vm *vm = vcpu->vm;
	struct msrs_buf b;
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = ops->get_regs(vcpu, &s->regs);
	if (!ret)
		ret = ops->get_sregs(vcpu, &s->sregs);
	if (ret)
		return ret;
	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = vm->nr_msrs;
	for (i = 0; i < vm->nr_msrs; i++)
		b.e[i].index = vm->msr_index[i];
	ret = ops->get_msrs(vcpu, &b.hdr);
	if (ret < 0)
		return ret;
	if ((unsigned int)ret != vm->nr_msrs)
		return -EIO;
	s->nmsrs = vm->nr_msrs;
	memcpy(s->msrs, b.e, vm->nr_msrs * sizeof(b.e[0]));
	return ops->get_lapic(vcpu, &s->lapic);
}

static bool keep_in_place(uint32_t index)
{
	return index == MSR_IA32_TSC || index == MSR_IA32_TSC_DEADLINE;
}

/* Load MSRs of @s: the deadline only if @deadline, the others if not. */
static int load_msrs(struct vcpu *vcpu, const struct vcpu_state *s,
		     unsigned int flags, bool deadline)
{
	struct msrs_buf b;
	unsigned int i, n = 0;
	int ret;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < s->nmsrs && i < VMM_MAX_MSRS; i++) {
		bool is_deadline = s->msrs[i].index == MSR_IA32_TSC_DEADLINE;

		if (is_deadline != deadline)
			continue;
		if ((flags & STATE_IN_PLACE) && keep_in_place(s->msrs[i].index))
			continue;
		b.e[n++] = s->msrs[i];
	}
	if (!n)
		return 0;
	b.hdr.nmsrs = n;
	ret = vcpu->vm->ops->set_msrs(vcpu, &b.hdr);
	if (ret < 0)
		return ret;
	return (unsigned int)ret == n ? 0 : -EINVAL;
}

int vcpu_state_load(struct vcpu *vcpu, const struct vcpu_state *s,
		    unsigned int flags)
{
	const struct backend_ops *ops = vcpu->vm->ops;
	int ret;

	ret = ops->set_sregs(vcpu, &s->sregs);
	if (!ret)
		ret = ops->set_regs(vcpu, &s->regs);
	if (!ret)
		ret = load_msrs(vcpu, s, flags, false);
	if (!ret)
		ret = ops->set_lapic(vcpu, &s->lapic);
	if (!ret)
		ret = load_msrs(vcpu, s, flags, true);
	return ret;
}

struct vm_state *vm_state_alloc(unsigned int nr_vcpus)
{
	struct vm_state *st = calloc(1, sizeof(*st));
	unsigned int i;

	if (!st)
		return NULL;
	st->nr_vcpus = nr_vcpus;
	for (i = 0; i < nr_vcpus; i++) {
		st->vcpu[i] = calloc(1, sizeof(*st->vcpu[i]));
		if (!st->vcpu[i]) {
			vm_state_free(st);
			return NULL;
		}
	}
	return st;
}

void vm_state_free(struct vm_state *st)
{
	unsigned int i;

	if (!st)
		return;
	for (i = 0; i < st->nr_vcpus; i++)
		free(st->vcpu[i]);
	free(st);
}

int vm_state_save(struct vm *vm, struct vm_state *st)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_state_save(vm->vcpus[i], st->vcpu[i]);
		if (ret)
			return ret;
	}
	ret = vm->ops->get_ioapic(vm, &st->ioapic);
	if (ret)
		return ret;
	pthread_mutex_lock(&vm->irq_lock);
	memcpy(st->irq_level, vm->irq_level, sizeof(st->irq_level));
	pthread_mutex_unlock(&vm->irq_lock);
	return 0;
}

int vm_state_load(struct vm *vm, const struct vm_state *st,
		  unsigned int flags)
{
	unsigned int i;
	int ret;

	if (st->nr_vcpus != vm->nr_vcpus)
		return -EINVAL;
	for (i = 0; i < VMM_NR_GSIS; i++) {
		ret = vm_set_irq(vm, i, st->irq_level[i]);
		if (ret)
			return ret;
	}
	ret = vm->ops->set_ioapic(vm, &st->ioapic);
	if (ret)
		return ret;
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_state_load(vm->vcpus[i], st->vcpu[i], flags);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Port 0xef: save everything and load it back in place, from @self's
 * thread (its write completed). A failure ends the VMM.
 */
void vm_state_roundtrip(struct vm *vm, struct vcpu *self)
{
	struct vm_state *st = vm_state_alloc(vm->nr_vcpus);
	int ret;

	if (!st) {
		vm_fail(vm, VMM_HOST_ERROR, "state round trip: out of memory");
		return;
	}
	if (ctl_pause(vm, self)) {
		vm_state_free(st);
		return;
	}
	ret = vm_state_save(vm, st);
	if (ret) {
		vm_fail(vm, VMM_HOST_ERROR, "state round trip: save: %s",
			strerror(-ret));
	} else {
		ret = vm_state_load(vm, st, STATE_IN_PLACE);
		if (ret)
			vm_fail(vm, VMM_HOST_ERROR, "state round trip: load: %s",
				strerror(-ret));
	}
	ctl_resume(vm);
	vm_state_free(st);
}

/**
 * vcpu_read_msr() - one MSR of a vCPU through the backend.
 * @vcpu: a vCPU whose thread is not in RUN.
 * @index: the MSR.
 * @val: its value, on success.
 *
 * Return: 0, or -1 if the backend could not read it.
 */
int vcpu_read_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val)
{
	struct {
		struct vlapic_msrs hdr;
		struct vlapic_msr_entry e;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	if (vcpu->vm->ops->get_msrs(vcpu, &m.hdr) != 1)
		return -1;
	*val = m.e.data;
	return 0;
}

/**
 * lapic_reg() - one 32-bit register of a LAPIC blob's register page.
 * @b: a vCPU's irqchip blob (backend.h: it starts with the xAPIC page).
 * @off: the register's offset in the xAPIC page.
 *
 * Return: the register.
 */
uint32_t lapic_reg(const struct irqchip_blob *b, unsigned int off)
{
	uint32_t v;

	memcpy(&v, b->data + off, sizeof(v));
	return v;
}

/**
 * lapic_highest() - the highest vector set in a 256-bit LAPIC register.
 * @b: a vCPU's irqchip blob.
 * @base: LAPIC_IRR, LAPIC_ISR or LAPIC_TMR.
 *
 * Return: the vector, or -1 if none is set.
 */
int lapic_highest(const struct irqchip_blob *b, unsigned int base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		uint32_t v = lapic_reg(b, base + i * 16);

		if (v)
			return i * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}
