// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: malformed input to every ioctl. Each call must fail with the
 * documented error (-EINVAL for non-zero flags/pad/reserved and bad
 * fields, -EFAULT for bad pointers, -EEXIST for a taken vCPU slot, -ENOTTY
 * for an unknown ioctl) and change nothing, which is checked by reading
 * the state back (LAPIC state, IOAPIC state, stats, routing, fds).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "e2e.h"

#define BADPTR	((void *)8)

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* The lowest free fd: unchanged when a failed create leaked nothing. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

static void expect_err(int got, int want, const char *what)
{
	tap_eq((uint64_t)(int64_t)got, (uint64_t)(int64_t)want, "%s: %s", what,
	       want == -EINVAL ? "-EINVAL" : want == -EFAULT ? "-EFAULT" :
	       want == -EEXIST ? "-EEXIST" : want == -ENOTTY ? "-ENOTTY" :
	       "error");
}

static void test_dev(int sys)
{
	struct vlapic_create_vm c;
	int fd0 = next_fd(), i, ret;

	expect_err(ioctl(sys, VLAPIC_GET_API_VERSION, 1) < 0 ? -errno : 0,
		   -EINVAL, "GET_API_VERSION with arg 1");
	tap_eq(vlapic_check_extension(sys, 0), 0, "CHECK_EXTENSION 0: absent");
	tap_eq(vlapic_check_extension(sys, 9999), 0,
	       "CHECK_EXTENSION 9999: absent");
	tap_ok(vlapic_check_extension(sys, VLAPIC_CAP_MAX_VCPUS) >= 288,
	       "CHECK_EXTENSION MAX_VCPUS >= 288");
	tap_ok(vlapic_check_extension(sys, VLAPIC_CAP_EMULATED_CPU) > 0,
	       "CHECK_EXTENSION EMULATED_CPU present");

	memset(&c, 0, sizeof(c));
	c.max_vcpus = 1;
	c.flags = VLAPIC_VM_FLAGS_ALL + 1;
	expect_err(vlapic_create_vm(sys, &c), -EINVAL, "CREATE_VM unknown flag");
	c.flags = VLAPIC_VM_APICV_INJECT;
	expect_err(vlapic_create_vm(sys, &c), -EINVAL,
		   "CREATE_VM APIC-virtualization mode without VLAPIC_VM_RUN");
	c.flags = 0;
	c.max_vcpus = 0;
	expect_err(vlapic_create_vm(sys, &c), -EINVAL, "CREATE_VM max_vcpus 0");
	c.max_vcpus = VLAPIC_MAX_VCPUS + 1;
	c.flags = VLAPIC_VM_X2APIC;
	expect_err(vlapic_create_vm(sys, &c), -EINVAL,
		   "CREATE_VM max_vcpus above the maximum");
	c.flags = 0;
	c.max_vcpus = 1;
	c.ioapic_version = 0x12;
	expect_err(vlapic_create_vm(sys, &c), -EINVAL,
		   "CREATE_VM ioapic_version 0x12");
	c.ioapic_version = 0;
	for (i = 0; i < 4; i++) {
		c.reserved[i] = 1;
		expect_err(vlapic_create_vm(sys, &c), -EINVAL,
			   i == 0 ? "CREATE_VM reserved[0]" :
			   i == 1 ? "CREATE_VM reserved[1]" :
			   i == 2 ? "CREATE_VM reserved[2]" :
			   "CREATE_VM reserved[3]");
		c.reserved[i] = 0;
	}
	expect_err(xioctl(sys, VLAPIC_CREATE_VM, NULL), -EFAULT,
		   "CREATE_VM NULL");
	expect_err(xioctl(sys, VLAPIC_CREATE_VM, BADPTR), -EFAULT,
		   "CREATE_VM bad pointer");
	expect_err(xioctl(sys, _IO(VLAPICIO, 0x7f), NULL), -ENOTTY,
		   "/dev/vlapic unknown ioctl");
	expect_err(xioctl(sys, VLAPIC_GET_LAPIC, NULL), -ENOTTY,
		   "/dev/vlapic vCPU ioctl");
	tap_eq(next_fd(), fd0, "/dev/vlapic: failed calls leaked no fd");
	ret = vlapic_create_vm(sys, &c);
	tap_ok(ret >= 0, "CREATE_VM valid config still works");
	if (ret >= 0)
		close(ret);
}

static void test_vm(struct e2e_vm *v)
{
	struct vlapic_ioapic_snapshot io0, io1, io;
	struct vlapic_vm_stats st0, st1;
	struct vlapic_create_vcpu cv;
	struct vlapic_gsi_routing hdr;
	struct vlapic_gsi_route r[2];
	struct vlapic_irq_line line;
	struct vlapic_msi msi;
	int fd0, ret, vm = v->vm;

	vlapic_get_ioapic(vm, &io0);
	vlapic_get_vm_stats(vm, &st0);
	fd0 = next_fd();

	/* CREATE_VCPU: VM of 2 vCPUs, slot 0 taken, slot 1 free. */
	memset(&cv, 0, sizeof(cv));
	cv.index = 2;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU index = max_vcpus");
	cv.index = 1;
	cv.flags = 1;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU flags");
	cv.flags = 0;
	cv.pad = 1;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU pad");
	cv.pad = 0;
	cv.reserved[0] = 1;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU reserved[0]");
	cv.reserved[0] = 0;
	cv.reserved[1] = 1;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU reserved[1]");
	cv.reserved[1] = 0;
	cv.apic_id = 0xff;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EINVAL,
		   "CREATE_VCPU APIC ID 0xff without x2APIC");
	cv.apic_id = 1;
	cv.index = 0;
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, &cv), -EEXIST,
		   "CREATE_VCPU slot 0 taken");
	expect_err(xioctl(vm, VLAPIC_CREATE_VCPU, NULL), -EFAULT,
		   "CREATE_VCPU NULL");
	tap_eq(next_fd(), fd0, "CREATE_VCPU: failed calls leaked no fd");

	/* IRQ_LINE */
	memset(&line, 0, sizeof(line));
	line.gsi = 5;
	line.flags = 1;
	expect_err(xioctl(vm, VLAPIC_IRQ_LINE, &line), -EINVAL, "IRQ_LINE flags");
	line.flags = 0;
	line.pad = 1;
	expect_err(xioctl(vm, VLAPIC_IRQ_LINE, &line), -EINVAL, "IRQ_LINE pad");
	line.pad = 0;
	line.level = 2;
	expect_err(xioctl(vm, VLAPIC_IRQ_LINE, &line), -EINVAL,
		   "IRQ_LINE level 2");
	line.level = 1;
	line.gsi = 1024;
	expect_err(xioctl(vm, VLAPIC_IRQ_LINE, &line), -EINVAL,
		   "IRQ_LINE GSI 1024");
	expect_err(xioctl(vm, VLAPIC_IRQ_LINE, NULL), -EFAULT, "IRQ_LINE NULL");

	/* SIGNAL_MSI */
	memset(&msi, 0, sizeof(msi));
	msi.address = 0xfee00000;
	msi.data = 0x40;
	msi.flags = 1;
	expect_err(xioctl(vm, VLAPIC_SIGNAL_MSI, &msi), -EINVAL,
		   "SIGNAL_MSI flags");
	msi.flags = 0;
	msi.reserved = 1;
	expect_err(xioctl(vm, VLAPIC_SIGNAL_MSI, &msi), -EINVAL,
		   "SIGNAL_MSI reserved");
	expect_err(xioctl(vm, VLAPIC_SIGNAL_MSI, BADPTR), -EFAULT,
		   "SIGNAL_MSI bad pointer");

	/* SET_GSI_ROUTING */
	memset(r, 0, sizeof(r));
	r[0].gsi = 5;
	r[0].type = VLAPIC_ROUTE_TYPE_MSI;
	r[0].msi_address = 0xfee00000;
	r[0].msi_data = 0x41;
	memset(&hdr, 0, sizeof(hdr));
	hdr.nr = 1;
	hdr.entries = (uintptr_t)r;
	hdr.flags = 1;
	expect_err(xioctl(vm, VLAPIC_SET_GSI_ROUTING, &hdr), -EINVAL,
		   "SET_GSI_ROUTING flags");
	hdr.flags = 0;
	hdr.nr = 4097;
	expect_err(xioctl(vm, VLAPIC_SET_GSI_ROUTING, &hdr), -EINVAL,
		   "SET_GSI_ROUTING nr above the maximum");
	hdr.nr = 1;
	hdr.entries = 8;
	expect_err(xioctl(vm, VLAPIC_SET_GSI_ROUTING, &hdr), -EFAULT,
		   "SET_GSI_ROUTING bad entries pointer");
	hdr.entries = (uintptr_t)r;
	expect_err(xioctl(vm, VLAPIC_SET_GSI_ROUTING, NULL), -EFAULT,
		   "SET_GSI_ROUTING NULL");
	r[0].type = 3;
	expect_err(vlapic_set_gsi_routing(vm, r, 1), -EINVAL,
		   "SET_GSI_ROUTING entry type 3");
	r[0].type = VLAPIC_ROUTE_TYPE_MSI;
	r[0].flags = 1;
	expect_err(vlapic_set_gsi_routing(vm, r, 1), -EINVAL,
		   "SET_GSI_ROUTING entry flags");
	r[0].flags = 0;
	r[0].pad = 1;
	expect_err(vlapic_set_gsi_routing(vm, r, 1), -EINVAL,
		   "SET_GSI_ROUTING entry pad");
	r[0].pad = 0;
	r[0].gsi = 1024;
	expect_err(vlapic_set_gsi_routing(vm, r, 1), -EINVAL,
		   "SET_GSI_ROUTING entry GSI 1024");
	r[0].gsi = 5;
	r[1].gsi = 6;
	r[1].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[1].pin = 24;
	expect_err(vlapic_set_gsi_routing(vm, r, 2), -EINVAL,
		   "SET_GSI_ROUTING IOAPIC pin 24 (second entry)");
	r[1].pin = 6;
	r[1].msi_data = 1;
	expect_err(vlapic_set_gsi_routing(vm, r, 2), -EINVAL,
		   "SET_GSI_ROUTING IOAPIC entry with MSI data");
	r[1].msi_data = 0;
	r[1].gsi = 5;
	expect_err(vlapic_set_gsi_routing(vm, r, 2), -EINVAL,
		   "SET_GSI_ROUTING GSI with both MSI and IOAPIC routes");

	/* GET/SET_IOAPIC */
	expect_err(xioctl(vm, VLAPIC_GET_IOAPIC, NULL), -EFAULT,
		   "GET_IOAPIC NULL");
	expect_err(xioctl(vm, VLAPIC_SET_IOAPIC, BADPTR), -EFAULT,
		   "SET_IOAPIC bad pointer");
	io = io0;
	io.flags = 1;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL, "SET_IOAPIC flags");
	io = io0;
	io.reserved[3] = 1;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL, "SET_IOAPIC reserved");
	io = io0;
	io.ioregsel = 0x100;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL,
		   "SET_IOAPIC IOREGSEL 0x100");
	io = io0;
	io.id = 16;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL, "SET_IOAPIC ID 16");
	io = io0;
	io.input_high = BIT(24);
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL,
		   "SET_IOAPIC input pin 24");
	io = io0;
	io.redir[3] = BIT_ULL(17) | 0x30;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL,
		   "SET_IOAPIC reserved redirection bit");
	io = io0;
	io.redir[3] = BIT_ULL(12) | 0x30;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL,
		   "SET_IOAPIC delivery status set");
	io = io0;
	io.redir[3] = BIT_ULL(14) | 0x30;
	expect_err(vlapic_set_ioapic(vm, &io), -EINVAL,
		   "SET_IOAPIC remote IRR on an edge entry");

	expect_err(xioctl(vm, VLAPIC_GET_VM_STATS, NULL), -EFAULT,
		   "GET_VM_STATS NULL");
	expect_err(xioctl(vm, _IO(VLAPICIO, 0x7f), NULL), -ENOTTY,
		   "VM fd unknown ioctl");
	expect_err(xioctl(vm, VLAPIC_GET_LAPIC, NULL), -ENOTTY,
		   "VM fd vCPU ioctl");

	/* Nothing changed. */
	vlapic_get_ioapic(vm, &io1);
	tap_ok(!memcmp(&io0, &io1, sizeof(io0)),
	       "VM: IOAPIC state unchanged by the failed calls");
	vlapic_get_vm_stats(vm, &st1);
	tap_ok(!memcmp(&st0, &st1, sizeof(st0)),
	       "VM: stats unchanged (no IRQ_LINE or MSI counted)");
	tap_eq(st1.nr, VLAPIC_VM_STAT_NR, "GET_VM_STATS nr");
	tap_ok(!irr_test(&v->cpu[0], 0x40) && !irr_test(&v->cpu[0], 0x41),
	       "VM: nothing was delivered");
	/* The default table survived: GSI 5 -> pin 5 (edge, vector 0x42). */
	io = io0;
	io.redir[5] = 0x42;
	ret = vlapic_set_ioapic(vm, &io);
	tap_eq(ret, 0, "SET_IOAPIC valid state still works");
	vlapic_irq_line(vm, 5, 1);
	vlapic_irq_line(vm, 5, 0);
	tap_ok(irr_test(&v->cpu[0], 0x42),
	       "VM: routing table unchanged (GSI 5 -> pin 5)");
	cv.index = 1;
	ret = xioctl(vm, VLAPIC_CREATE_VCPU, &cv);
	tap_eq(ret, 0, "CREATE_VCPU slot 1 still free after the failures");
}

/*
 * Malformed LAPIC states: each case changes one field of a valid state.
 * @off: register offset to overwrite, or one of the FIELD_* below.
 */
#define FIELD_FLAGS		0x1000
#define FIELD_PAD		0x1001
#define FIELD_RESERVED		0x1002
#define FIELD_BASE_OR		0x1003
#define FIELD_ESR_PENDING	0x1004
#define FIELD_DEADLINE		0x1005
#define FIELD_EVENTS		0x1006
#define FIELD_MP_STATE		0x1007
#define FIELD_LINT		0x1008

static const struct {
	uint32_t off;
	uint64_t val;
	const char *what;
} bad_states[] = {
	{ FIELD_FLAGS, 1, "flags" },
	{ FIELD_PAD, 1, "pad" },
	{ FIELD_RESERVED, 1, "reserved" },
	{ FIELD_BASE_OR, 1, "APIC_BASE reserved bit" },
	{ FIELD_BASE_OR, APIC_BASE_X2APIC,
	  "APIC_BASE x2APIC without VLAPIC_VM_X2APIC" },
	{ LAPIC_ID, 1, "ID bits 23:0" },
	{ LAPIC_DFR, 0x12345678, "DFR" },
	{ LAPIC_LVR, 0x50014, "version" },
	{ LAPIC_TPR, 0x100, "TPR 0x100" },
	{ LAPIC_SVR, 0x11ff, "SVR bit 12 without directed EOI" },
	{ FIELD_ESR_PENDING, 1, "esr_pending bit 0" },
	{ LAPIC_ESR, 1, "ESR bit 0" },
	{ LAPIC_LVTT, BIT(19) | 0x30, "LVTT reserved bit" },
	{ LAPIC_LVTT, (3U << 17) | 0x30, "timer mode 11b" },
	{ LAPIC_LVTT, LAPIC_TIMER_TSCDEADLINE | 0x30,
	  "TSC-deadline mode without VLAPIC_VM_TSC_DEADLINE" },
	{ FIELD_DEADLINE, 1000, "deadline in one-shot mode" },
	{ LAPIC_TDCR, 4, "TDCR bit 2" },
	{ LAPIC_TMCCT, 2, "current count above initial count" },
	{ LAPIC_IRR, BIT(5), "vector 5 in IRR" },
	{ LAPIC_ISR, BIT(15), "vector 15 in ISR" },
	{ FIELD_EVENTS, BIT(5), "pending_events bit 5" },
	{ FIELD_MP_STATE, 2, "mp_state 2" },
	{ FIELD_LINT, 4, "lint_levels bit 2" },
};

static void mutate(struct vlapic_lapic_state *s, uint32_t off, uint64_t val)
{
	switch (off) {
	case FIELD_FLAGS:
		s->flags = val;
		break;
	case FIELD_PAD:
		s->pad = val;
		break;
	case FIELD_RESERVED:
		s->reserved[7] = val;
		break;
	case FIELD_BASE_OR:
		s->apic_base |= val;
		break;
	case FIELD_ESR_PENDING:
		s->esr_pending = val;
		break;
	case FIELD_DEADLINE:
		s->tsc_deadline = val;
		break;
	case FIELD_EVENTS:
		s->pending_events = val;
		break;
	case FIELD_MP_STATE:
		s->mp_state = val;
		break;
	case FIELD_LINT:
		s->lint_levels = val;
		break;
	default:
		vlapic_state_set_reg(s, off, val);
		break;
	}
}

/* Malformed register accesses: a valid TPR write with one field changed. */
static const struct {
	struct vlapic_reg_access a;
	const char *what;
} bad_access[] = {
	{ { 0, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 4, 0, 0, 0x30 }, "kind 0" },
	{ { 3, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 4, 0, 0, 0x30 }, "kind 3" },
	{ { VLAPIC_ACCESS_KIND_MMIO, 3, LAPIC_TPR, 4, 0, 0, 0x30 },
	  "flags bit 1" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 4, 0, 1,
	    0x30 }, "pad" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 4, 1, 0,
	    0x30 }, "fault set on input" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 0, 0, 0,
	    0x30 }, "MMIO len 0" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 3, 0, 0,
	    0x30 }, "MMIO len 3" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, LAPIC_TPR, 8, 0, 0,
	    0x30 }, "MMIO len 8" },
	{ { VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, 0x1000 + LAPIC_TPR, 4,
	    0, 0, 0x30 }, "MMIO offset beyond the page" },
	{ { VLAPIC_ACCESS_KIND_MSR, VLAPIC_ACCESS_WRITE, MSR_X2APIC_BASE + 8, 4,
	    0, 0, 0x30 }, "MSR len 4" },
	{ { VLAPIC_ACCESS_KIND_MSR, VLAPIC_ACCESS_WRITE, 0x10, 8, 0, 0, 0x30 },
	  "MSR 0x10, not an APIC MSR" },
	{ { VLAPIC_ACCESS_KIND_MMIO, 0, LAPIC_TPR, 4, 0, 0, 0x30 },
	  "read with non-zero data" },
};

static void test_vcpu(struct gcpu *g)
{
	struct vlapic_lapic_state s0, s1, bad;
	struct vlapic_interrupt in;
	struct vlapic_vcpu_stats vst;
	struct vlapic_lint lint;
	struct vlapic_wait w;
	unsigned int i;
	uint64_t gp0;
	int fd = g->fd, ret;
	int64_t t0;

	/* A non-trivial state: TPR 0x50, 0x40 pending below it, LVT0. */
	reg_write(g, LAPIC_TPR, 0x50);
	ipi(g, 0, LAPIC_DM_FIXED | 0x40);
	reg_write(g, LAPIC_LVT0, 0x8700);
	vlapic_get_lapic(fd, &s0);

	expect_err(xioctl(fd, VLAPIC_GET_LAPIC, NULL), -EFAULT, "GET_LAPIC NULL");
	expect_err(xioctl(fd, VLAPIC_GET_LAPIC, BADPTR), -EFAULT,
		   "GET_LAPIC bad pointer");
	expect_err(xioctl(fd, VLAPIC_SET_LAPIC, NULL), -EFAULT, "SET_LAPIC NULL");
	for (i = 0; i < ARRAY_SIZE(bad_states); i++) {
		bad = s0;
		mutate(&bad, bad_states[i].off, bad_states[i].val);
		ret = vlapic_set_lapic(fd, &bad);
		vlapic_get_lapic(fd, &s1);
		tap_ok(ret == -EINVAL && !memcmp(&s0, &s1, sizeof(s0)),
		       "SET_LAPIC %s: -EINVAL, state unchanged (ret %d)",
		       bad_states[i].what, ret);
	}

	/* REG_ACCESS: a TPR write (0x30) made malformed in each field. */
	for (i = 0; i < ARRAY_SIZE(bad_access); i++) {
		struct vlapic_reg_access b = bad_access[i].a;

		ret = xioctl(fd, VLAPIC_REG_ACCESS, &b);
		vlapic_get_lapic(fd, &s1);
		tap_ok(ret == -EINVAL && !memcmp(&s0, &s1, sizeof(s0)),
		       "REG_ACCESS %s: -EINVAL, state unchanged (ret %d)",
		       bad_access[i].what, ret);
	}
	expect_err(xioctl(fd, VLAPIC_REG_ACCESS, NULL), -EFAULT,
		   "REG_ACCESS NULL");

	/* Architectural outcomes are not errors: #GP is reported. */
	gp0 = vcpu_stat(g, VLAPIC_VCPU_STAT_GP);
	{
		uint64_t val = 0;

		ret = vlapic_msr_read(fd, MSR_X2APIC_BASE + (LAPIC_TPR >> 4),
				      &val);
	}
	tap_eq(ret, VLAPIC_FAULT_GP, "x2APIC MSR read in xAPIC mode: #GP");
	tap_eq(vcpu_stat(g, VLAPIC_VCPU_STAT_GP), gp0 + 1, "#GP counted");
	ret = vlapic_msr_write(fd, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE |
			       APIC_BASE_ENABLE | APIC_BASE_X2APIC |
			       APIC_BASE_BSP);
	tap_eq(ret, VLAPIC_FAULT_GP,
	       "entering x2APIC mode without VLAPIC_VM_X2APIC: #GP");

	/* WAIT */
	memset(&w, 0, sizeof(w));
	w.flags = 1;
	expect_err(xioctl(fd, VLAPIC_WAIT, &w), -EINVAL, "WAIT flags");
	w.flags = 0;
	w.reason = 1;
	expect_err(xioctl(fd, VLAPIC_WAIT, &w), -EINVAL, "WAIT reason on input");
	expect_err(xioctl(fd, VLAPIC_WAIT, NULL), -EFAULT, "WAIT NULL");
	t0 = now_ns();
	memset(&w, 0, sizeof(w));
	ret = xioctl(fd, VLAPIC_WAIT, &w);
	tap_ok(!ret && w.reason == VLAPIC_WAKE_TIMEOUT &&
	       now_ns() - t0 < 1000 * MS, "WAIT timeout 0: returns at once");

	/* GET_INTERRUPT */
	memset(&in, 0, sizeof(in));
	in.flags = VLAPIC_INTR_IF | BIT(2);
	expect_err(xioctl(fd, VLAPIC_GET_INTERRUPT, &in), -EINVAL,
		   "GET_INTERRUPT unknown flag");
	in.flags = VLAPIC_INTR_IF;
	in.type = 1;
	expect_err(xioctl(fd, VLAPIC_GET_INTERRUPT, &in), -EINVAL,
		   "GET_INTERRUPT type on input");
	in.type = 0;
	in.vector = 0x40;
	expect_err(xioctl(fd, VLAPIC_GET_INTERRUPT, &in), -EINVAL,
		   "GET_INTERRUPT vector on input");
	in.vector = 0;
	in.pad = 1;
	expect_err(xioctl(fd, VLAPIC_GET_INTERRUPT, &in), -EINVAL,
		   "GET_INTERRUPT pad");
	expect_err(xioctl(fd, VLAPIC_GET_INTERRUPT, BADPTR), -EFAULT,
		   "GET_INTERRUPT bad pointer");

	/* SET_LINT */
	lint.pin = 2;
	lint.level = 1;
	expect_err(xioctl(fd, VLAPIC_SET_LINT, &lint), -EINVAL, "SET_LINT pin 2");
	lint.pin = 0;
	lint.level = 2;
	expect_err(xioctl(fd, VLAPIC_SET_LINT, &lint), -EINVAL,
		   "SET_LINT level 2");
	expect_err(xioctl(fd, VLAPIC_SET_LINT, NULL), -EFAULT, "SET_LINT NULL");

	expect_err(xioctl(fd, VLAPIC_GET_VCPU_STATS, NULL), -EFAULT,
		   "GET_VCPU_STATS NULL");
	expect_err(xioctl(fd, _IO(VLAPICIO, 0x7f), NULL), -ENOTTY,
		   "vCPU fd unknown ioctl");
	expect_err(xioctl(fd, VLAPIC_IRQ_LINE, NULL), -ENOTTY,
		   "vCPU fd VM ioctl");

	vlapic_get_lapic(fd, &s1);
	tap_ok(!memcmp(&s0, &s1, sizeof(s0)),
	       "vCPU: state unchanged by every failed call (0x40 still pending)");
	memset(&vst, 0xff, sizeof(vst));
	ret = vlapic_get_vcpu_stats(fd, &vst);
	tap_ok(!ret && vst.nr == VLAPIC_VCPU_STAT_NR && vst.pad == 0 &&
	       vst.v[VLAPIC_VCPU_STAT_ACKED] == 0 &&
	       vst.v[VLAPIC_VCPU_STAT_NR] == 0 && vst.v[127] == 0,
	       "GET_VCPU_STATS: nr %u, nothing acked, unused slots zeroed",
	       vst.nr);
	/* The first, 520-byte layout: its 63 counters, nothing past them. */
	memset(&vst, 0xff, sizeof(vst));
	ret = xioctl(fd, _IOC(_IOC_READ, VLAPICIO, 0x27, 520), &vst);
	tap_ok(!ret && vst.nr == 63 && vst.v[62] == 0 &&
	       vst.v[63] == 0 && vst.v[64] == ~0ULL,
	       "GET_VCPU_STATS of the 520-byte layout: nr %u, 520 bytes written",
	       vst.nr);
}

/* A page userspace can read but not write: the ioctl's own struct in it. */
static void *readonly_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap");
	memcpy(p, src, len);
	if (mprotect(p, 4096, PROT_READ))
		tap_bail("mprotect");
	return p;
}

/*
 * No ioctl reports failure after a side effect it cannot undo: an
 * _IOWR struct in a read-only page is -EFAULT before anything happens
 * (GET_INTERRUPT acknowledged the vector first, REG_ACCESS and
 * IOAPIC_ACCESS performed the write first, then failed the copy-out).
 */
static void test_efault_before_side_effects(void)
{
	struct vlapic_ioapic_snapshot io;
	struct vlapic_reg_access a;
	struct vlapic_interrupt in;
	struct e2e_vm v;
	struct gcpu *g;
	void *ro;

	e2e_vm_create(&v, 1, 0, NULL);
	g = &v.cpu[0];
	ipi(g, 0, LAPIC_DM_FIXED | 0x41);
	tap_ok(irr_test(g, 0x41), "EFAULT: 0x41 pending");

	memset(&in, 0, sizeof(in));
	in.flags = VLAPIC_INTR_IF;
	ro = readonly_copy(&in, sizeof(in));
	expect_err(xioctl(g->fd, VLAPIC_GET_INTERRUPT, ro), -EFAULT,
		   "GET_INTERRUPT into a read-only struct");
	tap_ok(irr_test(g, 0x41) && !isr_test(g, 0x41),
	       "EFAULT: GET_INTERRUPT acknowledged nothing");
	munmap(ro, 4096);

	memset(&a, 0, sizeof(a));
	a.kind = VLAPIC_ACCESS_KIND_MMIO;
	a.flags = VLAPIC_ACCESS_WRITE;
	a.address = LAPIC_ICR;
	a.len = 4;
	a.data = LAPIC_SH_SELF | 0x42;
	ro = readonly_copy(&a, sizeof(a));
	expect_err(xioctl(g->fd, VLAPIC_REG_ACCESS, ro), -EFAULT,
		   "REG_ACCESS ICR write from a read-only struct");
	tap_ok(!irr_test(g, 0x42), "EFAULT: REG_ACCESS sent no IPI");
	munmap(ro, 4096);

	/* Take 0x41 properly; an EOI from a read-only struct does nothing. */
	memset(&in, 0, sizeof(in));
	in.flags = VLAPIC_INTR_IF;
	tap_ok(!vlapic_get_interrupt(g->fd, VLAPIC_INTR_IF, &in) &&
	       in.vector == 0x41, "EFAULT: 0x41 taken");
	a.address = LAPIC_EOI;
	a.data = 0;
	ro = readonly_copy(&a, sizeof(a));
	expect_err(xioctl(g->fd, VLAPIC_REG_ACCESS, ro), -EFAULT,
		   "REG_ACCESS EOI from a read-only struct");
	tap_ok(isr_test(g, 0x41), "EFAULT: REG_ACCESS did not EOI");
	munmap(ro, 4096);
	reg_write(g, LAPIC_EOI, 0);

	memset(&a, 0, sizeof(a));
	a.kind = VLAPIC_ACCESS_KIND_IOAPIC;
	a.flags = VLAPIC_ACCESS_WRITE;
	a.address = IOAPIC_IOREGSEL;
	a.len = 4;
	a.data = 0x12;
	ro = readonly_copy(&a, sizeof(a));
	expect_err(xioctl(v.vm, VLAPIC_IOAPIC_ACCESS, ro), -EFAULT,
		   "IOAPIC_ACCESS write from a read-only struct");
	tap_ok(!vlapic_get_ioapic(v.vm, &io) && io.ioregsel == 0,
	       "EFAULT: IOAPIC_ACCESS wrote nothing (IOREGSEL %#x)",
	       io.ioregsel);
	munmap(ro, 4096);
	e2e_vm_destroy(&v);
}

int main(void)
{
	struct e2e_vm v;

	tap_init("badinput", 120);
	e2e_vm_create(&v, 1, 0, NULL);
	test_dev(v.sys);
	test_vcpu(&v.cpu[0]);
	e2e_vm_destroy(&v);

	/* A 2-slot VM with one vCPU for the VM fd calls. */
	{
		struct vlapic_create_vm c;

		memset(&v, 0, sizeof(v));
		memset(&c, 0, sizeof(c));
		v.sys = vlapic_open_checked();
		c.max_vcpus = 2;
		v.vm = vlapic_create_vm(v.sys, &c);
		v.cpu[0].fd = vlapic_create_vcpu(v.vm, 0, 0);
		if (v.sys < 0 || v.vm < 0 || v.cpu[0].fd < 0)
			tap_bail("VM setup");
		v.nr = 1;
		reg_write(&v.cpu[0], LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	}
	test_vm(&v);
	e2e_vm_destroy(&v);
	test_efault_before_side_effects();
	return tap_end();
}
