// SPDX-License-Identifier: GPL-2.0
/*
 * libvlapic: a small reference VMM library for /dev/vlapic. See
 * libvlapic.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvlapic.h"

const char *const vlapic_vcpu_stat_names[VLAPIC_VCPU_STAT_NR] = {
	VLAPIC_VCPU_STAT_NAMES_INIT
};

const char *const vlapic_vm_stat_names[VLAPIC_VM_STAT_NR] = {
	VLAPIC_VM_STAT_NAMES_INIT
};

/* ioctl() with the -errno convention. */
static int vlapic_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int vlapic_open(void)
{
	int fd = open(VLAPIC_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vlapic_api_version(int sys_fd)
{
	return vlapic_ioctl(sys_fd, VLAPIC_GET_API_VERSION, NULL);
}

int vlapic_check_extension(int sys_fd, unsigned long cap)
{
	int ret = ioctl(sys_fd, VLAPIC_CHECK_EXTENSION, cap);

	return ret < 0 ? -errno : ret;
}

/* Open /dev/vlapic and insist on the API version this library speaks. */
int vlapic_open_checked(void)
{
	int fd = vlapic_open();
	int ver;

	if (fd < 0)
		return fd;
	ver = vlapic_api_version(fd);
	if (ver != VLAPIC_API_VERSION) {
		close(fd);
		return ver < 0 ? ver : -EPROTO;
	}
	return fd;
}

int vlapic_create_vm(int sys_fd, const struct vlapic_create_vm *cfg)
{
	struct vlapic_create_vm c = *cfg;

	return vlapic_ioctl(sys_fd, VLAPIC_CREATE_VM, &c);
}

int vlapic_create_vcpu(int vm_fd, uint32_t index, uint32_t apic_id)
{
	struct vlapic_create_vcpu c;

	memset(&c, 0, sizeof(c));
	c.index = index;
	c.apic_id = apic_id;
	return vlapic_ioctl(vm_fd, VLAPIC_CREATE_VCPU, &c);
}

int vlapic_irq_line(int vm_fd, uint32_t gsi, uint32_t level)
{
	struct vlapic_irq_line l;

	memset(&l, 0, sizeof(l));
	l.gsi = gsi;
	l.level = level;
	return vlapic_ioctl(vm_fd, VLAPIC_IRQ_LINE, &l);
}

int vlapic_signal_msi(int vm_fd, uint64_t address, uint32_t data)
{
	struct vlapic_msi m;

	memset(&m, 0, sizeof(m));
	m.address = address;
	m.data = data;
	return vlapic_ioctl(vm_fd, VLAPIC_SIGNAL_MSI, &m);
}

int vlapic_set_gsi_routing(int vm_fd, const struct vlapic_gsi_route *routes,
			   uint32_t nr)
{
	struct vlapic_gsi_routing r;

	memset(&r, 0, sizeof(r));
	r.nr = nr;
	r.entries = (uintptr_t)routes;
	return vlapic_ioctl(vm_fd, VLAPIC_SET_GSI_ROUTING, &r);
}

/* A trapped guest access to the IOAPIC window (0 or -errno). */
int vlapic_ioapic_access(int vm_fd, uint32_t offset, uint32_t len,
			 bool write, uint64_t *data)
{
	struct vlapic_reg_access a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.kind = VLAPIC_ACCESS_KIND_IOAPIC;
	a.flags = write ? VLAPIC_ACCESS_WRITE : 0;
	a.address = offset;
	a.len = len;
	a.data = write ? *data : 0;
	ret = vlapic_ioctl(vm_fd, VLAPIC_IOAPIC_ACCESS, &a);
	if (!ret && !write)
		*data = a.data;
	return ret;
}

/* An indirect IOAPIC register, the way a guest reads it: IOREGSEL, IOWIN. */
int vlapic_ioapic_read_reg(int vm_fd, uint32_t index, uint32_t *val)
{
	uint64_t d = index;
	int ret;

	ret = vlapic_ioapic_access(vm_fd, IOAPIC_IOREGSEL, 4, true, &d);
	if (ret)
		return ret;
	ret = vlapic_ioapic_access(vm_fd, IOAPIC_IOWIN, 4, false, &d);
	if (!ret)
		*val = (uint32_t)d;
	return ret;
}

int vlapic_ioapic_write_reg(int vm_fd, uint32_t index, uint32_t val)
{
	uint64_t d = index;
	int ret;

	ret = vlapic_ioapic_access(vm_fd, IOAPIC_IOREGSEL, 4, true, &d);
	if (ret)
		return ret;
	d = val;
	return vlapic_ioapic_access(vm_fd, IOAPIC_IOWIN, 4, true, &d);
}

int vlapic_get_ioapic(int vm_fd, struct vlapic_ioapic_snapshot *s)
{
	return vlapic_ioctl(vm_fd, VLAPIC_GET_IOAPIC, s);
}

int vlapic_set_ioapic(int vm_fd, const struct vlapic_ioapic_snapshot *s)
{
	return vlapic_ioctl(vm_fd, VLAPIC_SET_IOAPIC, (void *)s);
}

int vlapic_get_vm_stats(int vm_fd, struct vlapic_vm_stats *st)
{
	return vlapic_ioctl(vm_fd, VLAPIC_GET_VM_STATS, st);
}

/*
 * Bind eventfd @fd to @gsi (flags 0 or VLAPIC_IRQFD_FLAG_RESAMPLE with
 * @resamplefd), or unbind it (VLAPIC_IRQFD_FLAG_DEASSIGN).
 */
int vlapic_irqfd(int vm_fd, int fd, uint32_t gsi, uint32_t flags,
		 int resamplefd)
{
	struct vlapic_irqfd a;

	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.gsi = gsi;
	a.flags = flags;
	a.resamplefd = (flags & VLAPIC_IRQFD_FLAG_RESAMPLE) ? resamplefd : 0;
	return vlapic_ioctl(vm_fd, VLAPIC_IRQFD, &a);
}

/* Returns MSIs delivered plus lines set, or -errno (nothing injected). */
int vlapic_inject_batch(int vm_fd, const struct vlapic_inject *entries,
			uint32_t nr)
{
	struct vlapic_inject_batch b;

	memset(&b, 0, sizeof(b));
	b.nr = nr;
	b.entries = (uintptr_t)entries;
	return vlapic_ioctl(vm_fd, VLAPIC_INJECT_BATCH, &b);
}

int vlapic_get_lapic(int vcpu_fd, struct vlapic_lapic_state *s)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_LAPIC, s);
}

int vlapic_set_lapic(int vcpu_fd, const struct vlapic_lapic_state *s)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_LAPIC, (void *)s);
}

/*
 * Make an AP runnable without INIT-SIPI-SIPI, as a VMM does for vCPUs it
 * starts itself (KVM_SET_MP_STATE).
 */
int vlapic_set_runnable(int vcpu_fd)
{
	struct vlapic_lapic_state s;
	int ret;

	ret = vlapic_get_lapic(vcpu_fd, &s);
	if (ret < 0)
		return ret;
	if (s.mp_state == VLAPIC_MP_STATE_RUNNABLE)
		return 0;
	s.mp_state = VLAPIC_MP_STATE_RUNNABLE;
	return vlapic_set_lapic(vcpu_fd, &s);
}

int vlapic_get_vcpu_stats(int vcpu_fd, struct vlapic_vcpu_stats *st)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_VCPU_STATS, st);
}

int vlapic_set_lint(int vcpu_fd, uint32_t pin, uint32_t level)
{
	struct vlapic_lint l = { .pin = pin, .level = level };

	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_LINT, &l);
}

static int vlapic_access(int vcpu_fd, uint32_t kind, uint32_t address,
			 uint32_t len, bool write, uint64_t *data)
{
	struct vlapic_reg_access a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.flags = write ? VLAPIC_ACCESS_WRITE : 0;
	a.address = address;
	a.len = len;
	a.data = write ? *data : 0;
	ret = vlapic_ioctl(vcpu_fd, VLAPIC_REG_ACCESS, &a);
	if (ret < 0)
		return ret;
	if (a.fault)
		return VLAPIC_FAULT_GP;
	if (!write)
		*data = a.data;
	return 0;
}

int vlapic_mmio_access(int vcpu_fd, uint32_t offset, uint32_t len,
		       bool write, uint64_t *data)
{
	return vlapic_access(vcpu_fd, VLAPIC_ACCESS_KIND_MMIO, offset, len,
			     write, data);
}

int vlapic_mmio_read(int vcpu_fd, uint32_t offset, uint32_t *val)
{
	uint64_t d = 0;
	int ret = vlapic_mmio_access(vcpu_fd, offset, 4, false, &d);

	if (!ret)
		*val = (uint32_t)d;
	return ret;
}

int vlapic_mmio_write(int vcpu_fd, uint32_t offset, uint32_t val)
{
	uint64_t d = val;

	return vlapic_mmio_access(vcpu_fd, offset, 4, true, &d);
}

int vlapic_msr_read(int vcpu_fd, uint32_t msr, uint64_t *val)
{
	return vlapic_access(vcpu_fd, VLAPIC_ACCESS_KIND_MSR, msr, 8, false,
			     val);
}

int vlapic_msr_write(int vcpu_fd, uint32_t msr, uint64_t val)
{
	return vlapic_access(vcpu_fd, VLAPIC_ACCESS_KIND_MSR, msr, 8, true,
			     &val);
}

int vlapic_apic_read(int vcpu_fd, bool x2apic, uint32_t offset,
		     uint64_t *val)
{
	uint32_t v;
	int ret;

	if (x2apic)
		return vlapic_msr_read(vcpu_fd, MSR_X2APIC_BASE + offset / 16,
				       val);
	ret = vlapic_mmio_read(vcpu_fd, offset, &v);
	if (!ret)
		*val = v;
	return ret;
}

int vlapic_apic_write(int vcpu_fd, bool x2apic, uint32_t offset,
		      uint64_t val)
{
	if (x2apic)
		return vlapic_msr_write(vcpu_fd, MSR_X2APIC_BASE + offset / 16,
					val);
	return vlapic_mmio_write(vcpu_fd, offset, (uint32_t)val);
}

/*
 * Send an IPI: @icr is the low ICR word (vector, delivery and destination
 * mode, level, trigger, shorthand), @dest the destination (8 bits in
 * xAPIC mode, 32 in x2APIC mode).
 */
int vlapic_send_ipi(int vcpu_fd, bool x2apic, uint32_t dest, uint32_t icr)
{
	int ret;

	if (x2apic)
		return vlapic_msr_write(vcpu_fd, MSR_X2APIC_BASE + (LAPIC_ICR >> 4),
					((uint64_t)dest << 32) | icr);
	ret = vlapic_mmio_write(vcpu_fd, LAPIC_ICR2, dest << 24);
	if (ret)
		return ret;
	return vlapic_mmio_write(vcpu_fd, LAPIC_ICR, icr);
}

int vlapic_eoi(int vcpu_fd, bool x2apic)
{
	return vlapic_apic_write(vcpu_fd, x2apic, LAPIC_EOI, 0);
}

int vlapic_wait(int vcpu_fd, int64_t timeout_ns, uint32_t *reason)
{
	struct vlapic_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.timeout_ns = timeout_ns;
	ret = vlapic_ioctl(vcpu_fd, VLAPIC_WAIT, &w);
	if (reason)
		*reason = ret == -EINTR ? VLAPIC_WAKE_SIGNAL : w.reason;
	return ret < 0 ? ret : 0;
}

int vlapic_get_interrupt(int vcpu_fd, uint32_t flags,
			 struct vlapic_interrupt *intr)
{
	int ret;

	memset(intr, 0, sizeof(*intr));
	intr->flags = flags;
	ret = vlapic_ioctl(vcpu_fd, VLAPIC_GET_INTERRUPT, intr);
	return ret < 0 ? ret : 0;
}

int vlapic_get_vcpu_mmap_size(int sys_fd)
{
	return vlapic_ioctl(sys_fd, VLAPIC_GET_VCPU_MMAP_SIZE, NULL);
}

int vlapic_get_supported_cpuid(int sys_fd, struct vlapic_cpuid2 *cpuid)
{
	return vlapic_ioctl(sys_fd, VLAPIC_GET_SUPPORTED_CPUID, cpuid);
}

int vlapic_set_user_memory_region(int vm_fd, uint32_t slot, uint32_t flags,
				  uint64_t gpa, uint64_t size, void *hva)
{
	struct vlapic_userspace_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)hva;
	return vlapic_ioctl(vm_fd, VLAPIC_SET_USER_MEMORY_REGION, &r);
}

int vlapic_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0)
{
	struct vlapic_enable_cap c;

	memset(&c, 0, sizeof(c));
	c.cap = cap;
	c.args[0] = arg0;
	return vlapic_ioctl(vm_fd, VLAPIC_ENABLE_CAP, &c);
}

struct vlapic_run *vlapic_map_run(int vcpu_fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vcpu_fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

int vlapic_unmap_run(struct vlapic_run *run, size_t size)
{
	return munmap(run, size) ? -errno : 0;
}

int vlapic_run(int vcpu_fd)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_RUN, NULL);
}

int vlapic_get_regs(int vcpu_fd, struct vlapic_regs *regs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_REGS, regs);
}

int vlapic_set_regs(int vcpu_fd, const struct vlapic_regs *regs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_REGS, (void *)regs);
}

int vlapic_get_sregs(int vcpu_fd, struct vlapic_sregs *sregs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_SREGS, sregs);
}

int vlapic_set_sregs(int vcpu_fd, const struct vlapic_sregs *sregs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_SREGS, (void *)sregs);
}

int vlapic_get_msrs(int vcpu_fd, struct vlapic_msrs *msrs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_MSRS, msrs);
}

int vlapic_set_msrs(int vcpu_fd, const struct vlapic_msrs *msrs)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_MSRS, (void *)msrs);
}

/* struct vlapic_msrs with room for one entry. */
struct vlapic_msrs_one {
	struct vlapic_msrs hdr;
	struct vlapic_msr_entry e;
};

int vlapic_get_msr(int vcpu_fd, uint32_t index, uint64_t *val)
{
	struct vlapic_msrs_one m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	ret = vlapic_get_msrs(vcpu_fd, &m.hdr);
	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EINVAL;
	*val = m.e.data;
	return 0;
}

int vlapic_set_msr(int vcpu_fd, uint32_t index, uint64_t val)
{
	struct vlapic_msrs_one m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	m.e.data = val;
	ret = vlapic_set_msrs(vcpu_fd, &m.hdr);
	if (ret < 0)
		return ret;
	return ret == 1 ? 0 : -EINVAL;
}

int vlapic_set_cpuid2(int vcpu_fd, const struct vlapic_cpuid2 *cpuid)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_SET_CPUID2, (void *)cpuid);
}

int vlapic_get_cpuid2(int vcpu_fd, struct vlapic_cpuid2 *cpuid)
{
	return vlapic_ioctl(vcpu_fd, VLAPIC_GET_CPUID2, cpuid);
}
