// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM backend: /dev/kvm with KVM's in-kernel irqchip
 * (KVM_CREATE_IRQCHIP: LAPICs, IOAPIC and a PIC pair; no PIT).
 *
 * To give the guest the machine the vlapic backend gives it:
 *
 *	- KVM_X86_QUIRK_LINT0_REENABLED is disabled: the BSP's LVT LINT0
 *	  comes out of reset masked, as the SDM says, not as ExtINT;
 *	- both PICs are masked (IMR 0xff) at creation, the state a BIOS
 *	  leaves, so PIC ports read back 0xff where the vlapic backend has
 *	  no PIC at all.
 *
 * KVM's structures are vlapic's (the UAPI copies their layouts); the
 * static asserts below hold the two together.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm.h"

#define KVM_DEV_PATH		"/dev/kvm"
#define KVM_TSS_ADDR		0xfffbd000UL

#define SAME_LAYOUT(a, b) \
	static_assert(sizeof(struct a) == sizeof(struct b), #a " vs " #b)
SAME_LAYOUT(kvm_regs, vlapic_regs);
SAME_LAYOUT(kvm_sregs, vlapic_sregs);
SAME_LAYOUT(kvm_msr_entry, vlapic_msr_entry);
SAME_LAYOUT(kvm_msrs, vlapic_msrs);
SAME_LAYOUT(kvm_cpuid_entry2, vlapic_cpuid_entry2);
SAME_LAYOUT(kvm_cpuid2, vlapic_cpuid2);
/* The fields of struct kvm_run this VMM reads or writes. */
static_assert(offsetof(struct kvm_run, immediate_exit) ==
	      offsetof(struct vlapic_run, immediate_exit), "kvm_run.immediate_exit");
static_assert(offsetof(struct kvm_run, exit_reason) ==
	      offsetof(struct vlapic_run, exit_reason), "kvm_run.exit_reason");
static_assert(offsetof(struct kvm_run, io) ==
	      offsetof(struct vlapic_run, io), "kvm_run.io");
static_assert(offsetof(struct kvm_run, mmio) ==
	      offsetof(struct vlapic_run, mmio), "kvm_run.mmio");
static_assert(offsetof(struct kvm_run, hypercall) ==
	      offsetof(struct vlapic_run, hypercall), "kvm_run.hypercall");
static_assert(offsetof(struct kvm_run, internal) ==
	      offsetof(struct vlapic_run, internal), "kvm_run.internal");
static_assert(offsetof(struct kvm_run, emulation_failure) ==
	      offsetof(struct vlapic_run, emulation_failure), "kvm_run.emulation_failure");
static_assert(offsetof(struct kvm_run, fail_entry) ==
	      offsetof(struct vlapic_run, fail_entry), "kvm_run.fail_entry");
static_assert(offsetof(struct kvm_run, msr) ==
	      offsetof(struct vlapic_run, msr), "kvm_run.msr");

/**
 * struct kvm_stats - a binary statistics fd (KVM_GET_STATS_FD).
 * @fd: the fd, -1 if none.
 * @hdr: its header.
 * @descs: the descriptors, @desc_size bytes each.
 * @desc_size: a descriptor with its name.
 */
struct kvm_stats {
	int fd;
	struct kvm_stats_header hdr;
	uint8_t *descs;
	size_t desc_size;
};

/**
 * struct kvm_be - the backend's VM data.
 * @sys_fd: /dev/kvm.
 * @vm_fd: the VM.
 * @run_size: the vCPU mmap size.
 * @xsave: KVM_CAP_XSAVE (else KVM_GET_FPU).
 * @xcrs: KVM_CAP_XCRS.
 * @stats: the VM's statistics.
 */
struct kvm_be {
	int sys_fd;
	int vm_fd;
	int run_size;
	bool xsave;
	bool xcrs;
	struct kvm_stats stats;
};

/**
 * struct kvm_vcpu_be - per-vCPU data.
 * @stats: the vCPU's statistics.
 * @blocking: the "blocking" descriptor in @stats, or NULL.
 * @exits: the "exits" descriptor in @stats, or NULL.
 * @last_exits: @exits at the last kvm_be_sleeping().
 * @have_last: @last_exits was read.
 */
struct kvm_vcpu_be {
	struct kvm_stats stats;
	const struct kvm_stats_desc *blocking;
	const struct kvm_stats_desc *exits;
	uint64_t last_exits;
	bool have_last;
};

/* The vCPU blob: the register page first, as backend.h requires. */
struct kvm_vcpu_blob {
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp;
	struct kvm_vcpu_events events;
	struct kvm_xcrs xcrs;
	uint32_t fpu_kind;		/* 1: xsave, 0: fpu */
	union {
		struct kvm_xsave xsave;
		struct kvm_fpu fpu;
	};
};

/* The VM blob: the IOAPIC and both PICs. */
struct kvm_vm_blob {
	struct kvm_irqchip chip[3];
};

static_assert(offsetof(struct kvm_vcpu_blob, lapic.regs) == 0, "regs first");
static_assert(sizeof(struct kvm_vcpu_blob) <= IRQCHIP_BLOB_MAX, "vcpu blob");
static_assert(sizeof(struct kvm_vm_blob) <= IRQCHIP_BLOB_MAX, "vm blob");

static struct kvm_be *be_of(struct vm *vm)
{
	return vm->be;
}

static int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static int kvm_cap(int fd, long cap)
{
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

/* --- binary statistics --------------------------------------------------- */

static void kvm_stats_close(struct kvm_stats *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->descs);
	st->fd = -1;
	st->descs = NULL;
}

/* Open the statistics of @owner (a VM or vCPU fd); quietly none on error. */
static void kvm_stats_open(int owner, struct kvm_stats *st)
{
	size_t bytes;

	st->fd = ioctl(owner, KVM_GET_STATS_FD, NULL);
	st->descs = NULL;
	if (st->fd < 0)
		return;
	if (pread(st->fd, &st->hdr, sizeof(st->hdr), 0) != sizeof(st->hdr))
		goto fail;
	st->desc_size = sizeof(struct kvm_stats_desc) + st->hdr.name_size;
	bytes = st->desc_size * st->hdr.num_desc;
	st->descs = malloc(bytes ? bytes : 1);
	if (!st->descs ||
	    pread(st->fd, st->descs, bytes, st->hdr.desc_offset) != (ssize_t)bytes)
		goto fail;
	return;
fail:
	kvm_stats_close(st);
}

static const struct kvm_stats_desc *kvm_stats_desc(const struct kvm_stats *st,
						   unsigned int i)
{
	return (const struct kvm_stats_desc *)(st->descs + i * st->desc_size);
}

/* A counter's value (a histogram's: the sum of its buckets). */
static uint64_t kvm_stats_value(const struct kvm_stats *st,
				const struct kvm_stats_desc *d)
{
	uint64_t buf[64], sum = 0;
	unsigned int n = d->size < 64 ? d->size : 64, i;

	if (pread(st->fd, buf, n * sizeof(buf[0]),
		  st->hdr.data_offset + d->offset) != (ssize_t)(n * sizeof(buf[0])))
		return 0;
	for (i = 0; i < n; i++)
		sum += buf[i];
	return sum;
}

static const struct kvm_stats_desc *kvm_stats_find(const struct kvm_stats *st,
						   const char *name)
{
	unsigned int i;

	for (i = 0; st->descs && i < st->hdr.num_desc; i++)
		if (!strncmp(kvm_stats_desc(st, i)->name, name,
			     st->hdr.name_size))
			return kvm_stats_desc(st, i);
	return NULL;
}

/* --- VM -------------------------------------------------------------------- */

static int kvm_be_open(struct vm *vm)
{
	static const struct {
		long cap;
		const char *name;
	} need[] = {
		{ KVM_CAP_IRQCHIP, "IRQCHIP" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
		{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
		{ KVM_CAP_MP_STATE, "MP_STATE" },
		{ KVM_CAP_VCPU_EVENTS, "VCPU_EVENTS" },
	};
	struct kvm_be *be;
	unsigned int i;
	int fd, ret;

	fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		vmm_msg("%s: %s (is kvm_amd or kvm_intel loaded?)", KVM_DEV_PATH,
			strerror(errno));
		return VMM_NO_BACKEND;
	}
	ret = ioctl(fd, KVM_GET_API_VERSION, NULL);
	if (ret != KVM_API_VERSION) {
		vmm_msg("kvm: API version %d, this VMM speaks %d", ret,
			KVM_API_VERSION);
		close(fd);
		return VMM_UNSUPPORTED;
	}
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		if (!kvm_cap(fd, need[i].cap)) {
			vmm_msg("kvm: KVM_CAP_%s missing", need[i].name);
			close(fd);
			return VMM_UNSUPPORTED;
		}
	}
	if (vm->opt.tsc_deadline && !kvm_cap(fd, KVM_CAP_TSC_DEADLINE_TIMER)) {
		vmm_msg("kvm: no TSC-deadline timer (see --cpu)");
		close(fd);
		return VMM_UNSUPPORTED;
	}
	ret = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret < (int)sizeof(struct kvm_run)) {
		vmm_msg("kvm: KVM_GET_VCPU_MMAP_SIZE: %s",
			ret < 0 ? strerror(errno) : "too small");
		close(fd);
		return VMM_UNSUPPORTED;
	}
	be = calloc(1, sizeof(*be));
	if (!be) {
		close(fd);
		vmm_msg("out of memory");
		return VMM_HOST_ERROR;
	}
	be->sys_fd = fd;
	be->vm_fd = -1;
	be->run_size = ret;
	be->xsave = kvm_cap(fd, KVM_CAP_XSAVE);
	be->xcrs = kvm_cap(fd, KVM_CAP_XCRS);
	be->stats.fd = -1;
	vm->be = be;
	return 0;
}

/* Mask both PICs, as a BIOS leaves them. */
static int kvm_mask_pics(int vm_fd)
{
	struct kvm_irqchip chip;
	int id, ret;

	for (id = KVM_IRQCHIP_PIC_MASTER; id <= KVM_IRQCHIP_PIC_SLAVE; id++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = id;
		ret = kvm_ioctl(vm_fd, KVM_GET_IRQCHIP, &chip);
		if (ret)
			return ret;
		chip.chip.pic.imr = 0xff;
		ret = kvm_ioctl(vm_fd, KVM_SET_IRQCHIP, &chip);
		if (ret)
			return ret;
	}
	return 0;
}

static int kvm_be_create_vm(struct vm *vm)
{
	struct kvm_be *be = be_of(vm);
	struct kvm_enable_cap cap;
	int ret;

	if (vm->opt.ioapic_version != 0x11) {
		vmm_msg("kvm: KVM's IOAPIC is version 0x11 only");
		return VMM_UNSUPPORTED;
	}

	be->vm_fd = ioctl(be->sys_fd, KVM_CREATE_VM, 0);
	if (be->vm_fd < 0) {
		ret = errno;
		vmm_msg("kvm: KVM_CREATE_VM: %s%s", strerror(ret),
			ret == EBUSY ? " (virtualization in use by another hypervisor)" : "");
		return ret == EBUSY || ret == EIO ? VMM_UNSUPPORTED : VMM_HOST_ERROR;
	}
	ret = kvm_ioctl(be->vm_fd, KVM_SET_TSS_ADDR, (void *)KVM_TSS_ADDR);
	if (!ret && kvm_cap(be->sys_fd, KVM_CAP_DISABLE_QUIRKS)) {
		memset(&cap, 0, sizeof(cap));
		cap.cap = KVM_CAP_DISABLE_QUIRKS;
		cap.args[0] = KVM_X86_QUIRK_LINT0_REENABLED;
		ret = kvm_ioctl(be->vm_fd, KVM_ENABLE_CAP, &cap);
	}
	if (!ret)
		ret = kvm_ioctl(be->vm_fd, KVM_CREATE_IRQCHIP, NULL);
	if (!ret)
		ret = kvm_mask_pics(be->vm_fd);
	if (ret) {
		vmm_msg("kvm: setting up the VM: %s", strerror(-ret));
		return VMM_HOST_ERROR;
	}
	kvm_stats_open(be->vm_fd, &be->stats);
	return 0;
}

static void kvm_be_close(struct vm *vm)
{
	struct kvm_be *be = be_of(vm);

	if (!be)
		return;
	kvm_stats_close(&be->stats);
	if (be->vm_fd >= 0)
		close(be->vm_fd);
	close(be->sys_fd);
	free(be);
	vm->be = NULL;
}

static int kvm_be_set_memory(struct vm *vm, uint32_t slot, uint64_t gpa,
			     uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r;
	struct kvm_be *be = be_of(vm);
	int ret;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)hva;
	ret = kvm_ioctl(be->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
	/*
	 * The same RAM in the SMM address space (slot bits 16+, as QEMU
	 * does): a vCPU in SMM sees only that space, and an SMI otherwise
	 * fetches its handler at SMBASE + 0x8000 from no memory at all
	 * (an emulation failure: NPF on a fetch at 0x38000).
	 */
	if (!ret && kvm_cap(be->vm_fd, KVM_CAP_MULTI_ADDRESS_SPACE) > 1) {
		r.slot = slot | 1U << 16;
		ret = kvm_ioctl(be->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
	}
	return ret;
}

static int kvm_be_supported_cpuid(struct vm *vm, struct vlapic_cpuid2 *cpuid)
{
	return kvm_ioctl(be_of(vm)->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
}

static int kvm_be_irq_line(struct vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l;

	memset(&l, 0, sizeof(l));
	l.irq = gsi;
	l.level = level;
	return kvm_ioctl(be_of(vm)->vm_fd, KVM_IRQ_LINE, &l);
}

static int kvm_be_get_ioapic(struct vm *vm, struct irqchip_blob *blob)
{
	struct kvm_vm_blob b;
	int i, ret;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < 3; i++) {
		b.chip[i].chip_id = i;
		ret = kvm_ioctl(be_of(vm)->vm_fd, KVM_GET_IRQCHIP, &b.chip[i]);
		if (ret)
			return ret;
	}
	blob->size = sizeof(b);
	memcpy(blob->data, &b, sizeof(b));
	return 0;
}

static int kvm_be_set_ioapic(struct vm *vm, const struct irqchip_blob *blob)
{
	struct kvm_vm_blob b;
	int i, ret;

	if (blob->size != sizeof(b))
		return -EINVAL;
	memcpy(&b, blob->data, sizeof(b));
	for (i = 0; i < 3; i++) {
		ret = kvm_ioctl(be_of(vm)->vm_fd, KVM_SET_IRQCHIP, &b.chip[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* --- vCPU ------------------------------------------------------------------ */

static int kvm_be_create_vcpu(struct vcpu *vcpu)
{
	struct kvm_be *be = be_of(vcpu->vm);
	struct kvm_vcpu_be *vb;
	void *run;
	int fd, err;

	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	fd = ioctl(be->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->index);
	if (fd < 0) {
		err = -errno;
		free(vb);
		return err;
	}
	run = mmap(NULL, be->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (run == MAP_FAILED) {
		err = -errno;
		close(fd);
		free(vb);
		return err;
	}
	kvm_stats_open(fd, &vb->stats);
	vb->blocking = kvm_stats_find(&vb->stats, "blocking");
	vb->exits = kvm_stats_find(&vb->stats, "exits");
	vcpu->fd = fd;
	vcpu->run = run;
	vcpu->run_size = be->run_size;
	vcpu->be = vb;
	return 0;
}

static void kvm_be_destroy_vcpu(struct vcpu *vcpu)
{
	struct kvm_vcpu_be *vb = vcpu->be;

	if (vb)
		kvm_stats_close(&vb->stats);
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vb);
}

static int kvm_be_set_cpuid(struct vcpu *vcpu,
			    const struct vlapic_cpuid2 *cpuid)
{
	return kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, (void *)cpuid);
}

static int kvm_be_get_regs(struct vcpu *vcpu, struct vlapic_regs *regs)
{
	return kvm_ioctl(vcpu->fd, KVM_GET_REGS, regs);
}

static int kvm_be_set_regs(struct vcpu *vcpu, const struct vlapic_regs *regs)
{
	return kvm_ioctl(vcpu->fd, KVM_SET_REGS, (void *)regs);
}

static int kvm_be_get_sregs(struct vcpu *vcpu, struct vlapic_sregs *sregs)
{
	return kvm_ioctl(vcpu->fd, KVM_GET_SREGS, sregs);
}

static int kvm_be_set_sregs(struct vcpu *vcpu,
			    const struct vlapic_sregs *sregs)
{
	return kvm_ioctl(vcpu->fd, KVM_SET_SREGS, (void *)sregs);
}

static int kvm_be_get_msrs(struct vcpu *vcpu, struct vlapic_msrs *msrs)
{
	return kvm_ioctl(vcpu->fd, KVM_GET_MSRS, msrs);
}

static int kvm_be_set_msrs(struct vcpu *vcpu, const struct vlapic_msrs *msrs)
{
	return kvm_ioctl(vcpu->fd, KVM_SET_MSRS, (void *)msrs);
}

/*
 * A vCPU waiting for SIPI that takes an INIT returns -EAGAIN from
 * KVM_RUN, to be run again (it then waits for the SIPI).
 */
static int kvm_be_run(struct vcpu *vcpu)
{
	int ret;

	do {
		ret = kvm_ioctl(vcpu->fd, KVM_RUN, NULL);
	} while (ret == -EAGAIN);
	return ret;
}

static int kvm_be_get_lapic(struct vcpu *vcpu, struct irqchip_blob *blob)
{
	struct kvm_be *be = be_of(vcpu->vm);
	struct kvm_vcpu_blob *b = (struct kvm_vcpu_blob *)blob->data;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = kvm_ioctl(vcpu->fd, KVM_GET_LAPIC, &b->lapic);
	if (!ret)
		ret = kvm_ioctl(vcpu->fd, KVM_GET_MP_STATE, &b->mp);
	if (!ret)
		ret = kvm_ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &b->events);
	if (!ret && be->xcrs)
		ret = kvm_ioctl(vcpu->fd, KVM_GET_XCRS, &b->xcrs);
	b->fpu_kind = be->xsave;
	if (!ret)
		ret = kvm_ioctl(vcpu->fd, be->xsave ? KVM_GET_XSAVE : KVM_GET_FPU,
				&b->xsave);
	blob->size = sizeof(*b);
	return ret;
}

static int kvm_be_set_lapic(struct vcpu *vcpu, const struct irqchip_blob *blob)
{
	struct kvm_be *be = be_of(vcpu->vm);
	struct kvm_vcpu_blob *b;
	int ret;

	if (blob->size != sizeof(*b))
		return -EINVAL;
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	memcpy(b, blob->data, sizeof(*b));
	/* INIT latch, SIPI vector and NMI state are part of the state too. */
	b->events.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING |
			   KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			   KVM_VCPUEVENT_VALID_SHADOW |
			   KVM_VCPUEVENT_VALID_SMM;
	ret = kvm_ioctl(vcpu->fd, KVM_SET_LAPIC, &b->lapic);
	if (!ret)
		ret = kvm_ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &b->events);
	if (!ret)
		ret = kvm_ioctl(vcpu->fd, KVM_SET_MP_STATE, &b->mp);
	if (!ret && be->xcrs)
		ret = kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &b->xcrs);
	if (!ret)
		ret = b->fpu_kind != be->xsave ? -EINVAL :
		      kvm_ioctl(vcpu->fd, be->xsave ? KVM_SET_XSAVE : KVM_SET_FPU,
				&b->xsave);
	free(b);
	return ret;
}

static int kvm_be_mp_state(struct vcpu *vcpu, const struct irqchip_blob *lapic,
			   enum vmm_mp_state *mp)
{
	const struct kvm_vcpu_blob *b = (const struct kvm_vcpu_blob *)lapic->data;

	(void)vcpu;
	if (lapic->size != sizeof(*b))
		return -EINVAL;
	switch (b->mp.mp_state) {
	case KVM_MP_STATE_HALTED:
		*mp = VMM_MP_HALTED;
		break;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		*mp = VMM_MP_WAIT_SIPI;
		break;
	default:
		*mp = VMM_MP_RUNNABLE;
		break;
	}
	return 0;
}

/*
 * KVM's own gauges: blocked in kvm_vcpu_block() now, and no VM exit
 * since the last poll. "blocking" alone is a sample: a vCPU that woke,
 * ran and halted again between two polls (seed 004 halts for 50 us at a
 * time) looks asleep at both. An exit count that moved says the vCPU
 * ran in between.
 */
static bool kvm_be_sleeping(struct vcpu *vcpu)
{
	struct kvm_vcpu_be *vb = vcpu->be;
	uint64_t exits;
	bool quiet;

	if (!vb->blocking || !vb->exits)
		return false;
	exits = kvm_stats_value(&vb->stats, vb->exits);
	quiet = vb->have_last && exits == vb->last_exits;
	vb->last_exits = exits;
	vb->have_last = true;
	return quiet && kvm_stats_value(&vb->stats, vb->blocking);
}

/* One table of counters by name: @nr_st statistics, one per column. */
static void kvm_print_table(FILE *out, const char *title,
			    struct kvm_stats *const *st, unsigned int nr_st)
{
	const struct kvm_stats *ref = st[0];
	const char **names;
	uint64_t *v;
	unsigned int i, c, n;

	if (!ref->descs)
		return;
	n = ref->hdr.num_desc;
	names = calloc(n ? n : 1, sizeof(*names));
	v = calloc((size_t)(n ? n : 1) * nr_st, sizeof(*v));
	if (!names || !v)
		goto out;
	for (i = 0; i < n; i++) {
		const struct kvm_stats_desc *d = kvm_stats_desc(ref, i);

		names[i] = d->name;
		for (c = 0; c < nr_st; c++)
			if (st[c]->descs)
				v[i * nr_st + c] = kvm_stats_value(st[c], d);
	}
	stats_table(out, title, n, names, nr_st, v, nr_st > 1);
out:
	free(names);
	free(v);
}

static void kvm_be_print_stats(struct vm *vm, FILE *out)
{
	struct kvm_be *be = be_of(vm);
	struct kvm_stats *st[VMM_MAX_VCPUS];
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		st[i] = &((struct kvm_vcpu_be *)vm->vcpus[i]->be)->stats;
	if (vm->nr_vcpus)
		kvm_print_table(out, "kvm per-vCPU statistics (KVM_GET_STATS_FD)",
				st, vm->nr_vcpus);
	st[0] = &be->stats;
	kvm_print_table(out, "kvm VM statistics (KVM_GET_STATS_FD)", st, 1);
}

const struct backend_ops backend_kvm = {
	.name = "kvm",
	.open = kvm_be_open,
	.create_vm = kvm_be_create_vm,
	.close = kvm_be_close,
	.set_memory = kvm_be_set_memory,
	.supported_cpuid = kvm_be_supported_cpuid,
	.create_vcpu = kvm_be_create_vcpu,
	.destroy_vcpu = kvm_be_destroy_vcpu,
	.set_cpuid = kvm_be_set_cpuid,
	.get_regs = kvm_be_get_regs,
	.set_regs = kvm_be_set_regs,
	.get_sregs = kvm_be_get_sregs,
	.set_sregs = kvm_be_set_sregs,
	.get_msrs = kvm_be_get_msrs,
	.set_msrs = kvm_be_set_msrs,
	.run = kvm_be_run,
	.irq_line = kvm_be_irq_line,
	.get_lapic = kvm_be_get_lapic,
	.set_lapic = kvm_be_set_lapic,
	.get_ioapic = kvm_be_get_ioapic,
	.set_ioapic = kvm_be_set_ioapic,
	.mp_state = kvm_be_mp_state,
	.sleeping = kvm_be_sleeping,
	.print_stats = kvm_be_print_stats,
};
