// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: irqfd (edge, MSI-routed, level with a resample eventfd, as
 * vhost and VFIO use it), its lifetime and errors, and INJECT_BATCH (all
 * or nothing). The test plays the guest CPU itself (GET_INTERRUPT, EOI),
 * so every step is deterministic: an eventfd write injects before it
 * returns.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "e2e.h"

#define MSI_ADDR(dest)	(0xfee00000ULL | ((uint64_t)(dest) << 12))

static uint32_t take(struct gcpu *g)
{
	struct vlapic_interrupt in;

	if (vlapic_get_interrupt(g->fd, VLAPIC_INTR_IF, &in))
		tap_bail("GET_INTERRUPT");
	if (in.type == VLAPIC_INTR_NONE)
		return 0;
	return in.type == VLAPIC_INTR_VECTOR ? in.vector : 0x1000 | in.type;
}

static uint64_t vm_stat(struct e2e_vm *v, unsigned int id)
{
	struct vlapic_vm_stats st;

	memset(&st, 0, sizeof(st));
	if (vlapic_get_vm_stats(v->vm, &st) || id >= st.nr)
		tap_bail("GET_VM_STATS");
	return st.v[id];
}

static void set_redir(struct e2e_vm *v, unsigned int pin, uint64_t entry)
{
	struct vlapic_ioapic_snapshot s;

	if (vlapic_get_ioapic(v->vm, &s))
		tap_bail("GET_IOAPIC");
	s.redir[pin] = entry;
	if (vlapic_set_ioapic(v->vm, &s))
		tap_bail("SET_IOAPIC");
}

static uint32_t input_high(struct e2e_vm *v)
{
	struct vlapic_ioapic_snapshot s;

	if (vlapic_get_ioapic(v->vm, &s))
		tap_bail("GET_IOAPIC");
	return s.input_high;
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		tap_bail("eventfd write");
}

/* Non-blocking read of an eventfd: its count, 0 if not signalled. */
static uint64_t read_fd(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, 0) != 1)
		return 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void test_edge(struct e2e_vm *v)
{
	struct gcpu *g = &v->cpu[0];
	struct vlapic_gsi_route r[3];
	int efd = eventfd(0, EFD_CLOEXEC), mfd = eventfd(0, EFD_CLOEXEC);
	unsigned int i, n = 0;
	int ret;

	/* GSI 20 -> pin 20 (default route), edge, vector 0x60 to vCPU 0. */
	set_redir(v, 20, 0x60);
	ret = vlapic_irqfd(v->vm, efd, 20, 0, -1);
	tap_eq(ret, 0, "irqfd: bind an eventfd to GSI 20");
	for (i = 0; i < 3; i++) {
		signal_fd(efd);
		if (take(g) == 0x60)
			n++;
		reg_write(g, LAPIC_EOI, 0);
	}
	tap_eq(n, 3, "irqfd: 3 signals, 3 interrupts on vector 0x60");
	tap_eq(take(g), 0, "irqfd: nothing more");
	tap_eq(input_high(v) & BIT(20), 0, "irqfd edge: the line is pulsed, low after");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_IRQFD_SIGNALS), 3,
	       "irqfd: 3 signals counted");
	ret = vlapic_irqfd(v->vm, efd, 21, 0, -1);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EBUSY,
	       "irqfd: the same eventfd twice: -EBUSY");
	ret = vlapic_irqfd(v->vm, efd, 20, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	tap_eq(ret, 0, "irqfd: deassign");
	signal_fd(efd);
	tap_eq(take(g), 0, "irqfd: after deassign a signal injects nothing");
	ret = vlapic_irqfd(v->vm, efd, 20, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-ENOENT,
	       "irqfd: deassign of an unknown binding: -ENOENT");

	/* An MSI route: GSI 100 -> MSI vector 0x61 to vCPU 1. */
	memset(r, 0, sizeof(r));
	r[0].gsi = 20;
	r[0].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[0].pin = 20;
	r[1].gsi = 100;
	r[1].type = VLAPIC_ROUTE_TYPE_MSI;
	r[1].msi_address = MSI_ADDR(1);
	r[1].msi_data = 0x61;
	r[2].gsi = 11;
	r[2].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[2].pin = 11;
	ret = vlapic_set_gsi_routing(v->vm, r, 3);
	tap_eq(ret, 0, "irqfd: route GSI 100 to an MSI (20, 11 to their pins)");
	ret = vlapic_irqfd(v->vm, mfd, 100, 0, -1);
	tap_eq(ret, 0, "irqfd: bind an eventfd to GSI 100");
	signal_fd(mfd);
	tap_eq(take(&v->cpu[1]), 0x61, "irqfd MSI route: vCPU 1 takes 0x61");
	reg_write(&v->cpu[1], LAPIC_EOI, 0);

	/* Closing the eventfd removes the binding; the GSI can be rebound. */
	close(mfd);
	sleep_ms(50);
	mfd = eventfd(0, EFD_CLOEXEC);
	ret = vlapic_irqfd(v->vm, mfd, 100, 0, -1);
	tap_eq(ret, 0, "irqfd: a new eventfd binds GSI 100 after the close");
	signal_fd(mfd);
	tap_eq(take(&v->cpu[1]), 0x61, "irqfd: and injects");
	reg_write(&v->cpu[1], LAPIC_EOI, 0);
	close(mfd);
	close(efd);
}

static void test_resample(struct e2e_vm *v)
{
	struct gcpu *g = &v->cpu[0];
	int efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
	int ret;

	/* GSI 11 -> pin 11: level, vector 0x62, to vCPU 0. */
	set_redir(v, 11, LAPIC_LVT_LEVEL | 0x62);
	ret = vlapic_irqfd(v->vm, efd, 11, VLAPIC_IRQFD_FLAG_RESAMPLE, rfd);
	tap_eq(ret, 0, "resample: bind eventfd + resamplefd to GSI 11");
	signal_fd(efd);
	tap_eq(input_high(v) & BIT(11), BIT(11),
	       "resample: a signal asserts the line and leaves it asserted");
	tap_eq(take(g), 0x62, "resample: the guest takes 0x62");
	tap_eq(read_fd(rfd), 0, "resample: resamplefd quiet before the EOI");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 1, "resample: the EOI signals resamplefd once");
	tap_eq(input_high(v) & BIT(11), 0, "resample: the EOI deasserted the line");
	tap_eq(take(g), 0, "resample: no re-delivery after the EOI");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_IRQFD_RESAMPLES), 1,
	       "resample: counted");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_IOAPIC_STORMS), 0, "resample: no storm");
	/* The device asserts again after the resample. */
	signal_fd(efd);
	tap_eq(take(g), 0x62, "resample: asserted again, delivered again");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 1, "resample: second EOI, second resample");

	/* Resample needs an IOAPIC route: GSI 100 is an MSI route. */
	{
		int other = eventfd(0, EFD_CLOEXEC);

		ret = vlapic_irqfd(v->vm, other, 100,
				   VLAPIC_IRQFD_FLAG_RESAMPLE, rfd);
		tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
		       "resample on an MSI-routed GSI: -EINVAL");
		close(other);
	}
	ret = vlapic_irqfd(v->vm, efd, 11, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	tap_eq(ret, 0, "resample: deassign");
	close(efd);
	close(rfd);
}

/* The table test_edge() installed: GSI 20, 11 to their pins, 100 an MSI. */
static void restore_routes(struct e2e_vm *v)
{
	struct vlapic_gsi_route r[3];

	memset(r, 0, sizeof(r));
	r[0].gsi = 20;
	r[0].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[0].pin = 20;
	r[1].gsi = 100;
	r[1].type = VLAPIC_ROUTE_TYPE_MSI;
	r[1].msi_address = MSI_ADDR(1);
	r[1].msi_data = 0x61;
	r[2].gsi = 11;
	r[2].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[2].pin = 11;
	if (vlapic_set_gsi_routing(v->vm, r, 3))
		tap_bail("SET_GSI_ROUTING");
}

/*
 * Resample on every EOI the IOAPIC sees: with directed EOI the guest's
 * LAPIC EOI broadcasts nothing and the IOAPIC's EOI register (version
 * 0x20) ends the interrupt; the resampling irqfd must be resampled there
 * too (it was only on the LAPIC broadcast: the held line was sent again).
 */
static void test_resample_ioapic_eoi_register(void)
{
	struct vlapic_create_vm c;
	struct e2e_vm v;
	struct gcpu *g;
	int efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
	uint64_t eoi = 0x68;
	int ret;

	memset(&v, 0, sizeof(v));
	memset(&c, 0, sizeof(c));
	v.sys = vlapic_open_checked();
	c.flags = VLAPIC_VM_DIRECTED_EOI;
	c.max_vcpus = 1;
	v.vm = vlapic_create_vm(v.sys, &c);
	v.cpu[0].fd = vlapic_create_vcpu(v.vm, 0, 0);
	if (v.sys < 0 || v.vm < 0 || v.cpu[0].fd < 0)
		tap_bail("directed EOI VM setup");
	v.nr = 1;
	g = &v.cpu[0];
	reg_write(g, LAPIC_SVR, LAPIC_SVR_DIRECTED_EOI | LAPIC_SVR_ENABLE | 0xff);
	set_redir(&v, 12, LAPIC_LVT_LEVEL | 0x68);
	ret = vlapic_irqfd(v.vm, efd, 12, VLAPIC_IRQFD_FLAG_RESAMPLE, rfd);
	tap_eq(ret, 0, "resample, directed EOI: bind GSI 12");
	signal_fd(efd);
	tap_eq(take(g), 0x68, "resample, directed EOI: the guest takes 0x68");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 0,
	       "resample, directed EOI: the suppressed LAPIC EOI resamples nothing");
	ret = vlapic_ioapic_access(v.vm, IOAPIC_EOI, 4, true, &eoi);
	tap_eq(ret, 0, "resample, directed EOI: IOAPIC EOI register write");
	tap_eq(read_fd(rfd), 1,
	       "resample, directed EOI: the IOAPIC EOI signals resamplefd");
	tap_eq(input_high(&v) & BIT(12), 0,
	       "resample, directed EOI: the line was deasserted");
	tap_eq(take(g), 0, "resample, directed EOI: no re-delivery");
	close(efd);
	close(rfd);
	e2e_vm_destroy(&v);
}

/*
 * The pin a resampling irqfd resamples is where its GSI is routed at the
 * time of the EOI, not where it was routed when the irqfd was bound.
 */
static void test_resample_after_routing_change(struct e2e_vm *v)
{
	struct gcpu *g = &v->cpu[0];
	struct vlapic_gsi_route r[2];
	int efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
	int ret;

	memset(r, 0, sizeof(r));
	r[0].gsi = 13;
	r[0].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[0].pin = 13;
	ret = vlapic_set_gsi_routing(v->vm, r, 1);
	ret |= vlapic_irqfd(v->vm, efd, 13, VLAPIC_IRQFD_FLAG_RESAMPLE, rfd);
	tap_eq(ret, 0, "resample, rerouted: GSI 13 -> pin 13, irqfd bound");
	r[0].pin = 14;
	ret = vlapic_set_gsi_routing(v->vm, r, 1);
	tap_eq(ret, 0, "resample, rerouted: GSI 13 -> pin 14");
	set_redir(v, 13, LAPIC_LVT_MASKED);
	set_redir(v, 14, LAPIC_LVT_LEVEL | 0x69);
	signal_fd(efd);
	tap_eq(take(g), 0x69, "resample, rerouted: pin 14 delivers 0x69");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 1, "resample, rerouted: the EOI of pin 14 resamples");
	tap_eq(input_high(v) & BIT(14), 0,
	       "resample, rerouted: pin 14 deasserted");
	tap_eq(take(g), 0, "resample, rerouted: no re-delivery");

	/* An assertion made through the old route is resampled there. */
	r[0].pin = 13;
	ret = vlapic_set_gsi_routing(v->vm, r, 1);
	set_redir(v, 14, LAPIC_LVT_MASKED);
	set_redir(v, 13, LAPIC_LVT_LEVEL | 0x6c);
	signal_fd(efd);
	tap_eq(take(g), 0x6c, "resample, rerouted back: pin 13 delivers 0x6c");
	r[0].pin = 14;
	ret |= vlapic_set_gsi_routing(v->vm, r, 1);
	tap_eq(ret, 0, "resample, rerouted back: GSI 13 -> pin 14 again");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 1,
	       "resample, stale route: the EOI of pin 13, which it still drives, resamples");
	tap_eq(input_high(v) & BIT(13), 0,
	       "resample, stale route: pin 13 deasserted");
	tap_eq(take(g), 0, "resample, stale route: no re-delivery");
	set_redir(v, 13, LAPIC_LVT_MASKED);
	ret = vlapic_irqfd(v->vm, efd, 13, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	tap_eq(ret, 0, "resample, rerouted: deassign");
	close(efd);
	close(rfd);
	restore_routes(v);
}

/*
 * Several sources on one line: the VMM's own (IRQ_LINE), an edge irqfd's
 * pulses and a resampling irqfd's assertion are ORed. One source lowering
 * the line does not drop another's assertion.
 */
static void test_line_sources(struct e2e_vm *v)
{
	struct gcpu *g = &v->cpu[0];
	struct vlapic_gsi_route r[2];
	int efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
	int pfd = eventfd(0, EFD_CLOEXEC);
	int ret;

	memset(r, 0, sizeof(r));
	r[0].gsi = 15;
	r[0].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[0].pin = 15;
	r[1].gsi = 16;
	r[1].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[1].pin = 16;
	ret = vlapic_set_gsi_routing(v->vm, r, 2);
	tap_eq(ret, 0, "sources: GSI 15, 16 -> pins 15, 16");
	set_redir(v, 15, LAPIC_LVT_LEVEL | 0x6a);
	set_redir(v, 16, LAPIC_LVT_LEVEL | 0x6b);

	/* The VMM and a resampling irqfd both assert GSI 15. */
	ret = vlapic_irqfd(v->vm, efd, 15, VLAPIC_IRQFD_FLAG_RESAMPLE, rfd);
	tap_eq(ret, 0, "sources: resampling irqfd on GSI 15");
	vlapic_irq_line(v->vm, 15, 1);
	signal_fd(efd);
	tap_eq(take(g), 0x6a, "sources: 0x6a delivered");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(read_fd(rfd), 1, "sources: the EOI resamples the irqfd");
	tap_eq(input_high(v) & BIT(15), BIT(15),
	       "sources: the VMM's assertion outlives the irqfd's");
	tap_eq(take(g), 0x6a, "sources: still asserted by the VMM: sent again");
	vlapic_irq_line(v->vm, 15, 0);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "sources: both low: nothing more");
	tap_eq(input_high(v) & BIT(15), 0, "sources: GSI 15 low");
	/* Unbinding the irqfd does not lower the VMM's assertion. */
	vlapic_irq_line(v->vm, 15, 1);
	tap_eq(take(g), 0x6a, "sources: the VMM asserts again");
	ret = vlapic_irqfd(v->vm, efd, 15, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	tap_eq(ret, 0, "sources: deassign the resampling irqfd");
	tap_eq(input_high(v) & BIT(15), BIT(15),
	       "sources: the deassign left the VMM's assertion");
	vlapic_irq_line(v->vm, 15, 0);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "sources: GSI 15 quiet");

	/* An edge irqfd pulsing a line the VMM holds high. */
	ret = vlapic_irqfd(v->vm, pfd, 16, 0, -1);
	tap_eq(ret, 0, "sources: edge irqfd on GSI 16");
	vlapic_irq_line(v->vm, 16, 1);
	tap_eq(take(g), 0x6b, "sources: the VMM's level 0x6b delivered");
	signal_fd(pfd);
	tap_eq(input_high(v) & BIT(16), BIT(16),
	       "sources: the irqfd's pulse did not lower the VMM's line");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0x6b, "sources: held by the VMM: sent again after EOI");
	vlapic_irq_line(v->vm, 16, 0);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "sources: GSI 16 quiet");
	vlapic_irqfd(v->vm, pfd, 16, VLAPIC_IRQFD_FLAG_DEASSIGN, -1);
	close(efd);
	close(rfd);
	close(pfd);
	restore_routes(v);
}

static void test_irqfd_errors(struct e2e_vm *v)
{
	struct vlapic_irqfd a;
	int efd = eventfd(0, EFD_CLOEXEC), ret;

	memset(&a, 0, sizeof(a));
	a.fd = efd;
	a.gsi = 5;
	a.reserved[1] = 1;
	ret = ioctl(v->vm, VLAPIC_IRQFD, &a) < 0 ? -errno : 0;
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "IRQFD reserved: -EINVAL");
	a.reserved[1] = 0;
	a.flags = BIT(2);
	ret = ioctl(v->vm, VLAPIC_IRQFD, &a) < 0 ? -errno : 0;
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "IRQFD unknown flag: -EINVAL");
	ret = vlapic_irqfd(v->vm, efd, 1024, 0, -1);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "IRQFD GSI 1024: -EINVAL");
	ret = vlapic_irqfd(v->vm, 1000, 5, 0, -1);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EBADF,
	       "IRQFD fd not open: -EBADF");
	ret = ioctl(v->vm, VLAPIC_IRQFD, NULL) < 0 ? -errno : 0;
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EFAULT,
	       "IRQFD NULL: -EFAULT");
	signal_fd(efd);
	tap_eq(take(&v->cpu[0]), 0, "IRQFD: failed binds inject nothing");
	close(efd);
}

static void test_batch(struct e2e_vm *v)
{
	struct vlapic_inject e[5];
	struct vlapic_inject_batch b;
	uint64_t msi0, batches0;
	unsigned int i;
	int ret;

	memset(e, 0, sizeof(e));
	for (i = 0; i < 3; i++) {
		e[i].type = VLAPIC_INJECT_MSI;
		e[i].msi_address = MSI_ADDR(0);
		e[i].msi_data = 0x63 + i;
	}
	e[3].type = VLAPIC_INJECT_LINE;	/* GSI 20: pin 20, edge 0x60 */
	e[3].gsi = 20;
	e[3].level = 1;
	e[4].type = VLAPIC_INJECT_LINE;
	e[4].gsi = 20;
	e[4].level = 0;
	msi0 = vm_stat(v, VLAPIC_VM_STAT_MSI);
	batches0 = vm_stat(v, VLAPIC_VM_STAT_BATCHES);

	/* A bad last entry: nothing at all is injected. */
	e[4].pad = 1;
	ret = vlapic_inject_batch(v->vm, e, 5);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH with a bad last entry: -EINVAL");
	tap_eq(take(&v->cpu[0]), 0, "INJECT_BATCH: nothing of it injected");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_MSI), msi0, "INJECT_BATCH: no MSI counted");
	e[4].pad = 0;
	e[1].type = 3;
	ret = vlapic_inject_batch(v->vm, e, 5);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH entry type 3: -EINVAL");
	e[1].type = VLAPIC_INJECT_MSI;
	e[3].level = 2;
	ret = vlapic_inject_batch(v->vm, e, 5);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH line level 2: -EINVAL");
	e[3].level = 1;
	ret = vlapic_inject_batch(v->vm, e, 0);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH nr 0: -EINVAL");
	ret = vlapic_inject_batch(v->vm, e, VLAPIC_MAX_BATCH + 1);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH nr above the maximum: -EINVAL");
	ret = vlapic_inject_batch(v->vm, (void *)8, 2);
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EFAULT,
	       "INJECT_BATCH bad entries pointer: -EFAULT");
	memset(&b, 0, sizeof(b));
	b.nr = 1;
	b.flags = 1;
	b.entries = (uintptr_t)e;
	ret = ioctl(v->vm, VLAPIC_INJECT_BATCH, &b) < 0 ? -errno : 0;
	tap_eq((uint64_t)(int64_t)ret, (uint64_t)(int64_t)-EINVAL,
	       "INJECT_BATCH flags: -EINVAL");
	tap_eq(take(&v->cpu[0]), 0, "INJECT_BATCH: failed calls injected nothing");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_BATCHES), batches0,
	       "INJECT_BATCH: failed calls not counted");

	ret = vlapic_inject_batch(v->vm, e, 5);
	tap_eq(ret, 5, "INJECT_BATCH: 3 MSIs + 2 line changes applied");
	for (i = 0; i < 4; i++) {
		static const uint32_t want[4] = { 0x65, 0x64, 0x63, 0x60 };

		tap_eq(take(&v->cpu[0]), want[i],
		       "INJECT_BATCH: vector %#x delivered", want[i]);
		reg_write(&v->cpu[0], LAPIC_EOI, 0);
	}
	tap_eq(take(&v->cpu[0]), 0, "INJECT_BATCH: nothing else");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_MSI), msi0 + 3, "INJECT_BATCH: 3 MSIs counted");
	tap_eq(vm_stat(v, VLAPIC_VM_STAT_BATCHES), batches0 + 1,
	       "INJECT_BATCH: one batch counted");
}

int main(void)
{
	struct e2e_vm v;

	tap_init("irqfd", 120);
	e2e_vm_create(&v, 2, 0, NULL);
	tap_ok(vlapic_check_extension(v.sys, VLAPIC_CAP_IRQFD) > 0 &&
	       vlapic_check_extension(v.sys, VLAPIC_CAP_INJECT_BATCH) > 0,
	       "CHECK_EXTENSION: IRQFD and INJECT_BATCH present");
	test_edge(&v);
	test_resample(&v);
	test_resample_after_routing_change(&v);
	test_line_sources(&v);
	test_irqfd_errors(&v);
	test_batch(&v);
	e2e_vm_destroy(&v);
	test_resample_ioapic_eoi_register();
	return tap_end();
}
