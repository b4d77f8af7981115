// SPDX-License-Identifier: GPL-2.0
/*
 * The vlapic backend: /dev/vlapic's run interface (VLAPIC_VM_RUN), the
 * module's vLAPIC and IOAPIC (include/uapi/linux/vlapic.h, docs/run.md).
 * The module handles the xAPIC page, the IOAPIC window, x2APIC MSRs,
 * CPUID, HLT, INIT/SIPI and the TSC-deadline timer in the kernel;
 * everything else exits here.
 *
 * The IOAPIC is created as version 0x11, as KVM's, so a guest reads the
 * same version on both backends; --ioapic-version 0x20 gives it the EOI
 * register.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvlapic.h"
#include "vmm.h"

/**
 * struct vlapic_be - the backend's VM data.
 * @sys_fd: /dev/vlapic.
 * @vm_fd: the VM.
 * @run_size: the vCPU mmap size.
 * @stat_run_exits: index of the "run_exits" counter, -1 if the module
 *	has none (then no halted-vCPU detection).
 */
struct vlapic_be {
	int sys_fd;
	int vm_fd;
	int run_size;
	int stat_run_exits;
};

/**
 * struct vlapic_vcpu_be - per-vCPU data for the idle hint.
 * @last_exits: "run_exits" at the previous poll.
 * @have_last: @last_exits is valid.
 * @quiet_polls: consecutive polls without a guest entry.
 */
struct vlapic_vcpu_be {
	uint64_t last_exits;
	bool have_last;
	unsigned int quiet_polls;
};

static struct vlapic_be *be_of(struct vm *vm)
{
	return vm->be;
}

static int vlapic_be_open(struct vm *vm)
{
	struct vlapic_be *be;
	int fd, ret;
	unsigned int i;

	fd = vlapic_open();
	if (fd < 0) {
		vmm_msg("%s: %s (is vlapic.ko loaded?)", VLAPIC_DEV_PATH,
			strerror(-fd));
		return VMM_NO_BACKEND;
	}
	ret = vlapic_api_version(fd);
	if (ret != VLAPIC_API_VERSION) {
		vmm_msg("%s: API version %d, this VMM speaks %d",
			VLAPIC_DEV_PATH, ret, VLAPIC_API_VERSION);
		close(fd);
		return VMM_UNSUPPORTED;
	}
	ret = vlapic_check_extension(fd, VLAPIC_CAP_RUN);
	if (ret <= 0) {
		vmm_msg("vlapic: the module cannot run guests on this CPU (no SVM/VMX)");
		close(fd);
		return VMM_UNSUPPORTED;
	}
	if ((vm->opt.x2apic &&
	     vlapic_check_extension(fd, VLAPIC_CAP_X2APIC) <= 0) ||
	    (vm->opt.tsc_deadline &&
	     vlapic_check_extension(fd, VLAPIC_CAP_TSC_DEADLINE) <= 0)) {
		vmm_msg("vlapic: the module lacks x2APIC or TSC-deadline (see --cpu)");
		close(fd);
		return VMM_UNSUPPORTED;
	}
	ret = vlapic_get_vcpu_mmap_size(fd);
	if (ret < (int)sizeof(struct vlapic_run)) {
		vmm_msg("vlapic: VLAPIC_GET_VCPU_MMAP_SIZE: %s",
			ret < 0 ? strerror(-ret) : "too small");
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
	be->stat_run_exits = -1;
	for (i = 0; i < VLAPIC_VCPU_STAT_NR; i++)
		if (vlapic_vcpu_stat_names[i] &&
		    !strcmp(vlapic_vcpu_stat_names[i], "run_exits"))
			be->stat_run_exits = i;
	vm->be = be;
	return 0;
}

static int vlapic_be_create_vm(struct vm *vm)
{
	struct vlapic_be *be = be_of(vm);
	struct vlapic_create_vm cfg;
	int fd;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = VLAPIC_VM_RUN | vm->opt.apicv;
	if (vm->opt.x2apic)
		cfg.flags |= VLAPIC_VM_X2APIC;
	if (vm->opt.tsc_deadline)
		cfg.flags |= VLAPIC_VM_TSC_DEADLINE;
	cfg.max_vcpus = vm->opt.smp;
	cfg.ioapic_version = vm->opt.ioapic_version;
	fd = vlapic_create_vm(be->sys_fd, &cfg);
	if (fd < 0) {
		vmm_msg("vlapic: VLAPIC_CREATE_VM: %s", strerror(-fd));
		return fd == -EINVAL || fd == -EBUSY || fd == -EOPNOTSUPP ?
		       VMM_UNSUPPORTED : VMM_HOST_ERROR;
	}
	be->vm_fd = fd;
	/*
	 * MSRs the module does not keep come to the VMM, which answers the
	 * few a PC has as KVM does (vcpu.c) and #GP for the rest.
	 */
	if (vlapic_check_extension(be->sys_fd, VLAPIC_CAP_X86_USER_SPACE_MSR) > 0 &&
	    vlapic_enable_cap(fd, VLAPIC_CAP_X86_USER_SPACE_MSR,
			      VLAPIC_MSR_EXIT_REASON_UNKNOWN)) {
		vmm_msg("vlapic: VLAPIC_ENABLE_CAP(X86_USER_SPACE_MSR) failed");
		return VMM_HOST_ERROR;
	}
	return 0;
}

static void vlapic_be_close(struct vm *vm)
{
	struct vlapic_be *be = be_of(vm);

	if (!be)
		return;
	if (be->vm_fd >= 0)
		close(be->vm_fd);
	close(be->sys_fd);
	free(be);
	vm->be = NULL;
}

static int vlapic_be_set_memory(struct vm *vm, uint32_t slot, uint64_t gpa,
				uint64_t size, void *hva)
{
	return vlapic_set_user_memory_region(be_of(vm)->vm_fd, slot, 0, gpa,
					     size, hva);
}

static int vlapic_be_supported_cpuid(struct vm *vm,
				     struct vlapic_cpuid2 *cpuid)
{
	return vlapic_get_supported_cpuid(be_of(vm)->sys_fd, cpuid);
}

static int vlapic_be_create_vcpu(struct vcpu *vcpu)
{
	struct vlapic_be *be = be_of(vcpu->vm);
	struct vlapic_run *run;
	int fd;

	vcpu->be = calloc(1, sizeof(struct vlapic_vcpu_be));
	if (!vcpu->be)
		return -ENOMEM;
	fd = vlapic_create_vcpu(be->vm_fd, vcpu->index, vcpu->index);
	if (fd < 0) {
		free(vcpu->be);
		vcpu->be = NULL;
		return fd;
	}
	run = vlapic_map_run(fd, be->run_size);
	if (!run) {
		int err = -errno;

		close(fd);
		free(vcpu->be);
		vcpu->be = NULL;
		return err;
	}
	vcpu->fd = fd;
	vcpu->run = run;
	vcpu->run_size = be->run_size;
	return 0;
}

static void vlapic_be_destroy_vcpu(struct vcpu *vcpu)
{
	if (vcpu->run)
		vlapic_unmap_run(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu->be);
}

static int vlapic_be_set_cpuid(struct vcpu *vcpu,
			       const struct vlapic_cpuid2 *cpuid)
{
	return vlapic_set_cpuid2(vcpu->fd, cpuid);
}

static int vlapic_be_get_regs(struct vcpu *vcpu, struct vlapic_regs *regs)
{
	return vlapic_get_regs(vcpu->fd, regs);
}

static int vlapic_be_set_regs(struct vcpu *vcpu,
			      const struct vlapic_regs *regs)
{
	return vlapic_set_regs(vcpu->fd, regs);
}

static int vlapic_be_get_sregs(struct vcpu *vcpu, struct vlapic_sregs *sregs)
{
	return vlapic_get_sregs(vcpu->fd, sregs);
}

static int vlapic_be_set_sregs(struct vcpu *vcpu,
			       const struct vlapic_sregs *sregs)
{
	return vlapic_set_sregs(vcpu->fd, sregs);
}

static int vlapic_be_get_msrs(struct vcpu *vcpu, struct vlapic_msrs *msrs)
{
	return vlapic_get_msrs(vcpu->fd, msrs);
}

static int vlapic_be_set_msrs(struct vcpu *vcpu,
			      const struct vlapic_msrs *msrs)
{
	return vlapic_set_msrs(vcpu->fd, msrs);
}

static int vlapic_be_run(struct vcpu *vcpu)
{
	return vlapic_run(vcpu->fd);
}

static int vlapic_be_irq_line(struct vm *vm, uint32_t gsi, uint32_t level)
{
	return vlapic_irq_line(be_of(vm)->vm_fd, gsi, level);
}

static_assert(sizeof(struct vlapic_lapic_state) <= IRQCHIP_BLOB_MAX,
	      "LAPIC state blob");
static_assert(sizeof(struct vlapic_ioapic_snapshot) <= IRQCHIP_BLOB_MAX,
	      "IOAPIC state blob");
static_assert(offsetof(struct vlapic_lapic_state, regs) == 0,
	      "the register page starts the blob");

static int vlapic_be_get_lapic(struct vcpu *vcpu, struct irqchip_blob *blob)
{
	struct vlapic_lapic_state s;
	int ret;

	ret = vlapic_get_lapic(vcpu->fd, &s);
	if (ret)
		return ret;
	blob->size = sizeof(s);
	memcpy(blob->data, &s, sizeof(s));
	return 0;
}

static int vlapic_be_set_lapic(struct vcpu *vcpu,
			       const struct irqchip_blob *blob)
{
	struct vlapic_lapic_state s;

	if (blob->size != sizeof(s))
		return -EINVAL;
	memcpy(&s, blob->data, sizeof(s));
	return vlapic_set_lapic(vcpu->fd, &s);
}

static int vlapic_be_get_ioapic(struct vm *vm, struct irqchip_blob *blob)
{
	struct vlapic_ioapic_snapshot s;
	int ret;

	ret = vlapic_get_ioapic(be_of(vm)->vm_fd, &s);
	if (ret)
		return ret;
	blob->size = sizeof(s);
	memcpy(blob->data, &s, sizeof(s));
	return 0;
}

static int vlapic_be_set_ioapic(struct vm *vm,
				const struct irqchip_blob *blob)
{
	struct vlapic_ioapic_snapshot s;

	if (blob->size != sizeof(s))
		return -EINVAL;
	memcpy(&s, blob->data, sizeof(s));
	return vlapic_set_ioapic(be_of(vm)->vm_fd, &s);
}

/*
 * The module reports wait-for-SIPI in the LAPIC state but not HLT; a
 * vCPU whose thread sat in RUN without one guest entry over two polls
 * (vlapic_be_sleeping()) sleeps in HLT.
 */
static int vlapic_be_mp_state(struct vcpu *vcpu,
			      const struct irqchip_blob *lapic,
			      enum vmm_mp_state *mp)
{
	const struct vlapic_vcpu_be *vb = vcpu->be;
	struct vlapic_lapic_state s;

	if (lapic->size != sizeof(s))
		return -EINVAL;
	memcpy(&s, lapic->data, sizeof(s));
	if (s.mp_state == VLAPIC_MP_STATE_WAIT_FOR_SIPI)
		*mp = VMM_MP_WAIT_SIPI;
	else if (vb->quiet_polls >= 2)
		*mp = VMM_MP_HALTED;
	else
		*mp = VMM_MP_RUNNABLE;
	return 0;
}

/* No guest entry since the last poll: the vCPU sleeps (or waits for SIPI). */
static bool vlapic_be_sleeping(struct vcpu *vcpu)
{
	struct vlapic_be *be = be_of(vcpu->vm);
	struct vlapic_vcpu_be *vb = vcpu->be;
	struct vlapic_vcpu_stats st;
	bool quiet;

	if (be->stat_run_exits < 0 ||
	    vlapic_get_vcpu_stats(vcpu->fd, &st) ||
	    st.nr <= (uint32_t)be->stat_run_exits) {
		vb->quiet_polls = 0;
		return false;
	}
	quiet = vb->have_last && st.v[be->stat_run_exits] == vb->last_exits;
	vb->last_exits = st.v[be->stat_run_exits];
	vb->have_last = true;
	vb->quiet_polls = quiet ? vb->quiet_polls + 1 : 0;
	return quiet;
}

static const char *stat_name(char *buf, size_t len, const char *const *names,
			     unsigned int nr_names, unsigned int i)
{
	if (i < nr_names && names[i])
		return names[i];
	snprintf(buf, len, "counter_%u", i);
	return buf;
}

static void vlapic_be_print_stats(struct vm *vm, FILE *out)
{
	/* As many names as struct vlapic_vcpu_stats has slots. */
	static char fallback[128][24];
	const char *names[128];
	uint64_t *v;
	struct vlapic_vm_stats vs;
	struct vlapic_vcpu_stats st;
	unsigned int i, c, nr = 0;

	v = calloc(128 * (size_t)vm->nr_vcpus, sizeof(*v));
	if (!v)
		return;
	for (c = 0; c < vm->nr_vcpus; c++) {
		if (vlapic_get_vcpu_stats(vm->vcpus[c]->fd, &st))
			continue;
		if (st.nr > 128)
			st.nr = 128;
		if (st.nr > nr)
			nr = st.nr;
		for (i = 0; i < st.nr; i++)
			v[i * vm->nr_vcpus + c] = st.v[i];
	}
	for (i = 0; i < nr; i++)
		names[i] = stat_name(fallback[i], sizeof(fallback[i]),
				     vlapic_vcpu_stat_names,
				     VLAPIC_VCPU_STAT_NR, i);
	stats_table(out, "vlapic per-vCPU counters (VLAPIC_GET_VCPU_STATS)",
		    nr, names, vm->nr_vcpus, v, vm->nr_vcpus > 1);
	if (!vlapic_get_vm_stats(be_of(vm)->vm_fd, &vs)) {
		if (vs.nr > 64)
			vs.nr = 64;
		for (i = 0; i < vs.nr; i++)
			names[i] = stat_name(fallback[i], sizeof(fallback[i]),
					     vlapic_vm_stat_names,
					     VLAPIC_VM_STAT_NR, i);
		stats_table(out, "vlapic VM counters (VLAPIC_GET_VM_STATS)",
			    vs.nr, names, 1, (const uint64_t *)vs.v, false);
	}
	free(v);
}

const struct backend_ops backend_vlapic = {
	.name = "vlapic",
	.open = vlapic_be_open,
	.create_vm = vlapic_be_create_vm,
	.close = vlapic_be_close,
	.set_memory = vlapic_be_set_memory,
	.supported_cpuid = vlapic_be_supported_cpuid,
	.create_vcpu = vlapic_be_create_vcpu,
	.destroy_vcpu = vlapic_be_destroy_vcpu,
	.set_cpuid = vlapic_be_set_cpuid,
	.get_regs = vlapic_be_get_regs,
	.set_regs = vlapic_be_set_regs,
	.get_sregs = vlapic_be_get_sregs,
	.set_sregs = vlapic_be_set_sregs,
	.get_msrs = vlapic_be_get_msrs,
	.set_msrs = vlapic_be_set_msrs,
	.run = vlapic_be_run,
	.irq_line = vlapic_be_irq_line,
	.get_lapic = vlapic_be_get_lapic,
	.set_lapic = vlapic_be_set_lapic,
	.get_ioapic = vlapic_be_get_ioapic,
	.set_ioapic = vlapic_be_set_ioapic,
	.mp_state = vlapic_be_mp_state,
	.sleeping = vlapic_be_sleeping,
	.print_stats = vlapic_be_print_stats,
};
