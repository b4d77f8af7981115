// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: the IOAPIC, MSIs and GSI routing, driven by the VMM
 * (IRQ_LINE, SIGNAL_MSI, SET_GSI_ROUTING, GET/SET_IOAPIC) and seen by a
 * guest CPU.
 *
 * Seed 001: a guest EOIs a level-triggered vector while its device still
 * holds the line. The first ioapic_storm_threshold re-assertions are
 * immediate, the next ones are deferred so the guest makes progress, and
 * the storm and deferrals are counted. Once the line drops, nothing more
 * arrives.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "e2e.h"

#define PIN		5
#define VEC_LEVEL	0x55
#define REDIR_LEVEL	BIT_ULL(15)
#define REDIR_REMOTE_IRR BIT_ULL(14)
#define REDIR_MASKED	BIT_ULL(16)
#define MSI_ADDR(dest)	(0xfee00000ULL | ((uint64_t)(dest) << 12))

static unsigned int module_param(const char *name, unsigned int def)
{
	char path[128];
	unsigned int v = def;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vlapic/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = def;
		fclose(f);
	}
	return v;
}

static bool set_module_param(const char *name, unsigned int val)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/module/vlapic/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fprintf(f, "%u\n", val) > 0;
	return !fclose(f) && ok;
}

static uint32_t take(struct gcpu *g)
{
	struct vlapic_interrupt in;
	int ret = vlapic_get_interrupt(g->fd, VLAPIC_INTR_IF, &in);

	if (ret)
		tap_bail("GET_INTERRUPT: %d", ret);
	if (in.type == VLAPIC_INTR_NONE)
		return 0;
	if (in.type != VLAPIC_INTR_VECTOR)
		return 0x1000 | in.type;
	return in.vector;
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
	int ret;

	ret = vlapic_get_ioapic(v->vm, &s);
	if (!ret) {
		s.redir[pin] = entry;
		ret = vlapic_set_ioapic(v->vm, &s);
	}
	if (ret)
		tap_bail("programming IOAPIC pin %u: %d", pin, ret);
}

static uint64_t get_redir(struct e2e_vm *v, unsigned int pin,
			  uint32_t *input_high)
{
	struct vlapic_ioapic_snapshot s;

	if (vlapic_get_ioapic(v->vm, &s))
		tap_bail("GET_IOAPIC");
	if (input_high)
		*input_high = s.input_high;
	return s.redir[pin];
}

static void test_seed001(void)
{
	unsigned int thr = module_param("ioapic_storm_threshold", 1000);
	unsigned int delay0 = module_param("ioapic_storm_delay_us", 10000);
	unsigned int delay_us = delay0, run = 0, i;
	uint64_t defer0, redir;
	struct e2e_vm v;
	struct gcpu *g;
	uint32_t reason, high, vec;
	int64_t t0 = 0;
	int ret;

	/*
	 * A 300 ms deferral for this VM's IOAPIC (the parameter is read at
	 * creation), so a preempted test thread cannot see a deferred
	 * re-delivery where it expects none.
	 */
	if (set_module_param("ioapic_storm_delay_us", 300000))
		delay_us = 300000;
	e2e_vm_create(&v, 1, 0, NULL);
	set_module_param("ioapic_storm_delay_us", delay0);
	tap_diag("seed 001: storm threshold %u, delay %u us", thr, delay_us);
	g = &v.cpu[0];
	/* Pin 5: level, active high, fixed, physical destination 0. */
	set_redir(&v, PIN, REDIR_LEVEL | VEC_LEVEL);
	ret = vlapic_irq_line(v.vm, PIN, 1);
	tap_eq(ret, 0, "seed 001: IRQ_LINE raises GSI %d", PIN);
	tap_ok(irr_test(g, VEC_LEVEL), "seed 001: vector pending in IRR");
	redir = get_redir(&v, PIN, &high);
	tap_ok((redir & REDIR_REMOTE_IRR) && (high & BIT(PIN)),
	       "seed 001: remote IRR set, input high");

	/* The guest EOIs while the device still holds the line. */
	for (i = 0; i < 5 * thr + 10; i++) {
		vec = take(g);
		if (vec != VEC_LEVEL)
			break;
		run++;
		t0 = now_ns();
		reg_write(g, LAPIC_EOI, 0);
	}
	tap_eq(vec, 0, "seed 001: the storm stops: nothing pending");
	tap_eq(run, thr + 1,
	       "seed 001: 1 delivery + %u immediate re-assertions, then none",
	       thr);
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_STORMS), 1,
	       "seed 001: one storm counted");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_DEFERRALS), 1,
	       "seed 001: one deferral counted");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_EOI_BROADCASTS), run,
	       "seed 001: every EOI reached the IOAPIC");

	/* Progress: the guest runs; the deferred re-delivery comes later. */
	ret = vlapic_wait(g->fd, 3000 * MS, &reason);
	tap_ok(!ret && reason == VLAPIC_WAKE_EVENT,
	       "seed 001: the deferred re-delivery wakes the halted vCPU");
	tap_range((now_ns() - t0) / 1000, delay_us, 2000000,
		  "seed 001: re-delivered %u us or more after the EOI (us)",
		  delay_us);
	tap_eq(take(g), VEC_LEVEL, "seed 001: the deferred vector is taken");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_DELIVERED), run + 1,
	       "seed 001: IOAPIC deliveries counted (%u + 1 deferred)", run);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "seed 001: still held: the next one is deferred too");
	defer0 = vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_DEFERRALS);
	tap_eq(defer0, 2, "seed 001: two deferrals counted");

	/* Next time round, the driver lowers the line before its EOI. */
	ret = vlapic_wait(g->fd, 3000 * MS, &reason);
	tap_ok(!ret && reason == VLAPIC_WAKE_EVENT,
	       "seed 001: the second deferred re-delivery arrives");
	tap_eq(take(g), VEC_LEVEL, "seed 001: and is taken");
	ret = vlapic_irq_line(v.vm, PIN, 0);
	tap_eq(ret, 0, "seed 001: IRQ_LINE lowers the line");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "seed 001: EOI with the line low: nothing");
	ret = vlapic_wait(g->fd, 100 * MS, &reason);
	tap_ok(!ret && reason == VLAPIC_WAKE_TIMEOUT,
	       "seed 001: no delivery once the line dropped");
	redir = get_redir(&v, PIN, &high);
	tap_ok(!(redir & REDIR_REMOTE_IRR) && !(high & BIT(PIN)),
	       "seed 001: remote IRR clear, input low");

	/* A correct driver (lowers before EOI): one interrupt, no storm. */
	vlapic_irq_line(v.vm, PIN, 1);
	tap_eq(take(g), VEC_LEVEL, "seed 001: line raised again: delivered at once");
	vlapic_irq_line(v.vm, PIN, 0);
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(g), 0, "seed 001: lowered before EOI: no re-delivery");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_STORMS), 1,
	       "seed 001: no new storm");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IOAPIC_DEFERRALS), defer0,
	       "seed 001: no new deferral");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_IRQ_LINE), 4,
	       "seed 001: IRQ_LINE calls counted");
	e2e_vm_destroy(&v);
}

static void test_msi_routing(void)
{
	struct vlapic_gsi_route r[3];
	struct e2e_vm v;
	unsigned int i;
	int ret;

	e2e_vm_create(&v, 2, 0, NULL);
	for (i = 0; i < 2; i++)
		gcpu_start(&v.cpu[i]);

	ret = vlapic_signal_msi(v.vm, MSI_ADDR(1), 0x66);
	tap_eq(ret, 1, "MSI: SIGNAL_MSI to APIC ID 1 returns 1 (delivered)");
	tap_ok(WAIT_FOR(gcpu_count(&v.cpu[1], 0x66) == 1, 3000),
	       "MSI: vCPU 1 takes vector 0x66");
	ret = vlapic_signal_msi(v.vm, 0xfed00000ULL, 0x67);
	tap_eq(ret, 0, "MSI: address outside 0xfeexxxxx returns 0 (ignored)");
	ret = vlapic_signal_msi(v.vm, MSI_ADDR(0), 0x300 | 0x68);
	tap_eq(ret, 0, "MSI: reserved delivery mode 3 returns 0 (ignored)");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_MSI), 1, "MSI: 1 delivered counted");
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_MSI_IGNORED), 2,
	       "MSI: 2 ignored counted");
	ret = vlapic_signal_msi(v.vm, MSI_ADDR(0xff), 0x69);
	tap_eq(ret, 1, "MSI: broadcast destination");
	tap_ok(WAIT_FOR(gcpu_count(&v.cpu[0], 0x69) == 1 &&
			gcpu_count(&v.cpu[1], 0x69) == 1, 3000),
	       "MSI: broadcast reaches both vCPUs");

	/* GSI 40 -> MSI to vCPU 0; GSI 41 -> IOAPIC pin 9 (edge, to 1). */
	memset(r, 0, sizeof(r));
	r[0].gsi = 40;
	r[0].type = VLAPIC_ROUTE_TYPE_MSI;
	r[0].msi_address = MSI_ADDR(0);
	r[0].msi_data = 0x6a;
	r[1].gsi = 41;
	r[1].type = VLAPIC_ROUTE_TYPE_IOAPIC;
	r[1].pin = 9;
	ret = vlapic_set_gsi_routing(v.vm, r, 2);
	tap_eq(ret, 0, "routing: SET_GSI_ROUTING with 2 entries");
	set_redir(&v, 9, (1ULL << 56) | 0x6b);
	ret = vlapic_irq_line(v.vm, 40, 1);
	tap_eq(ret, 0, "routing: IRQ_LINE GSI 40 (MSI route)");
	tap_ok(WAIT_FOR(gcpu_count(&v.cpu[0], 0x6a) == 1, 3000),
	       "routing: GSI 40 sends its MSI to vCPU 0");
	vlapic_irq_line(v.vm, 41, 1);
	vlapic_irq_line(v.vm, 41, 0);
	tap_ok(WAIT_FOR(gcpu_count(&v.cpu[1], 0x6b) == 1, 3000),
	       "routing: GSI 41 -> pin 9 edge -> vCPU 1");
	ret = vlapic_irq_line(v.vm, PIN, 1);
	tap_eq(ret, 0, "routing: GSI 5 (no route now) is accepted");
	sleep_ms(50);
	tap_eq(gcpu_total(&v.cpu[0]) + gcpu_total(&v.cpu[1]), 5,
	       "routing: nothing else delivered (5 in all)");
	ret = vlapic_set_gsi_routing(v.vm, NULL, 0);
	tap_eq(ret, 0, "routing: empty table");
	ret = vlapic_irq_line(v.vm, 40, 1);
	tap_eq(ret, 0, "routing: GSI 40 without a route is accepted");
	sleep_ms(50);
	tap_eq(gcpu_count(&v.cpu[0], 0x6a), 1,
	       "routing: GSI 40 without a route delivers nothing");
	for (i = 0; i < 2; i++)
		tap_eq(v.cpu[i].errors, 0, "vCPU %u thread saw no error", i);
	e2e_vm_destroy(&v);
}

/*
 * Directed EOI (SVR bit 12): a level EOI is not broadcast; the guest's
 * driver EOIs the IOAPIC itself (version 0x20 EOI register). The guest
 * programs the IOAPIC through the trapped window (IOAPIC_ACCESS).
 */
static void test_directed_eoi(void)
{
	struct e2e_vm v;
	struct gcpu *g;
	uint32_t val = 0;
	uint64_t redir, d;
	int ret;

	e2e_vm_create(&v, 1, VLAPIC_VM_DIRECTED_EOI, NULL);
	g = &v.cpu[0];
	ret = vlapic_ioapic_read_reg(v.vm, IOAPIC_REG_VERSION, &val);
	tap_ok(!ret && val == 0x170020,
	       "IOAPIC window: version register 0x170020 (ret %d, %#x)", ret,
	       val);
	tap_eq(reg_read(g, LAPIC_LVR) & BIT(24), BIT(24),
	       "directed EOI: version register bit 24");
	reg_write(g, LAPIC_SVR, LAPIC_SVR_DIRECTED_EOI | LAPIC_SVR_ENABLE | 0xff);
	tap_eq(reg_read(g, LAPIC_SVR), 0x11ff, "directed EOI: SVR bit 12 sticks");
	/* Pin 6: level, vector 0x66, destination 0, written by the guest. */
	ret = vlapic_ioapic_write_reg(v.vm, IOAPIC_REG_REDIR(6) + 1, 0);
	ret |= vlapic_ioapic_write_reg(v.vm, IOAPIC_REG_REDIR(6),
				       REDIR_LEVEL | 0x66);
	tap_eq(ret, 0, "IOAPIC window: redirection entry 6 written");
	tap_eq(get_redir(&v, 6, NULL), REDIR_LEVEL | 0x66,
	       "IOAPIC window: GET_IOAPIC shows the guest's entry");
	vlapic_irq_line(v.vm, 6, 1);
	vlapic_irq_line(v.vm, 6, 0);
	tap_eq(take(g), 0x66, "directed EOI: level vector 0x66 taken");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(vm_stat(&v, VLAPIC_VM_STAT_EOI_BROADCASTS), 0,
	       "directed EOI: the local EOI is not broadcast");
	redir = get_redir(&v, 6, NULL);
	tap_eq(redir & REDIR_REMOTE_IRR, REDIR_REMOTE_IRR,
	       "directed EOI: remote IRR stays set");
	tap_ok(!isr_test(g, 0x66), "directed EOI: the local EOI happened");
	ret = vlapic_ioapic_read_reg(v.vm, IOAPIC_REG_REDIR(6), &val);
	tap_ok(!ret && (val & REDIR_REMOTE_IRR),
	       "IOAPIC window: the guest reads remote IRR in the entry");
	d = 0x66;
	ret = vlapic_ioapic_access(v.vm, IOAPIC_EOI, 4, true, &d);
	tap_eq(ret, 0, "IOAPIC window: the driver writes 0x66 to the EOI register");
	tap_eq(get_redir(&v, 6, NULL) & REDIR_REMOTE_IRR, 0,
	       "directed EOI: the IOAPIC EOI register clears remote IRR");

	/* Malformed forwarded accesses. */
	{
		struct vlapic_reg_access a;

		memset(&a, 0, sizeof(a));
		a.kind = VLAPIC_ACCESS_KIND_MMIO;
		a.len = 4;
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, &a) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EINVAL,
		       "IOAPIC_ACCESS kind MMIO: -EINVAL");
		a.kind = VLAPIC_ACCESS_KIND_IOAPIC;
		a.address = 0x100;
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, &a) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EINVAL,
		       "IOAPIC_ACCESS offset 0x100: -EINVAL");
		a.address = 0;
		a.len = 3;
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, &a) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EINVAL, "IOAPIC_ACCESS len 3: -EINVAL");
		a.len = 4;
		a.pad = 1;
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, &a) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EINVAL, "IOAPIC_ACCESS pad: -EINVAL");
		a.pad = 0;
		a.data = 1;
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, &a) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EINVAL,
		       "IOAPIC_ACCESS read with data: -EINVAL");
		tap_eq((uint64_t)(int64_t)(ioctl(v.vm, VLAPIC_IOAPIC_ACCESS, NULL) ?
					   -errno : 0),
		       (uint64_t)(int64_t)-EFAULT, "IOAPIC_ACCESS NULL: -EFAULT");
		tap_eq(get_redir(&v, 6, NULL), REDIR_LEVEL | 0x66,
		       "IOAPIC_ACCESS: failed calls changed nothing");
	}
	e2e_vm_destroy(&v);
}

/*
 * Remote IRR is set only when a local APIC accepted the level message:
 * sent to an APIC ID nobody has, or to a software-disabled APIC, the pin
 * is not left waiting for an EOI that cannot come; once the guest fixes
 * the entry, the asserted line is delivered.
 */
static void test_remote_irr_needs_acceptance(void)
{
	struct e2e_vm v;
	struct gcpu *g;
	int ret;

	e2e_vm_create(&v, 2, 0, NULL);
	g = &v.cpu[0];
	set_redir(&v, 7, (9ULL << 56) | REDIR_LEVEL | 0x57);
	vlapic_irq_line(v.vm, 7, 1);
	tap_eq(get_redir(&v, 7, NULL) & REDIR_REMOTE_IRR, 0,
	       "remote IRR: not set when no APIC has the destination ID");
	ret = vlapic_ioapic_write_reg(v.vm, IOAPIC_REG_REDIR(7) + 1, 0);
	ret |= vlapic_ioapic_write_reg(v.vm, IOAPIC_REG_REDIR(7),
				       REDIR_LEVEL | 0x57);
	tap_eq(ret, 0, "remote IRR: the guest points pin 7 at APIC ID 0");
	tap_eq(take(g), 0x57, "remote IRR: the asserted line is delivered");
	tap_eq(get_redir(&v, 7, NULL) & REDIR_REMOTE_IRR, REDIR_REMOTE_IRR,
	       "remote IRR: set once accepted");
	vlapic_irq_line(v.vm, 7, 0);
	reg_write(g, LAPIC_EOI, 0);
	/* A software-disabled target drops it: nothing to wait for. */
	reg_write(&v.cpu[1], LAPIC_SVR, 0xff);
	set_redir(&v, 7, (1ULL << 56) | REDIR_LEVEL | 0x58);
	vlapic_irq_line(v.vm, 7, 1);
	tap_eq(get_redir(&v, 7, NULL) & REDIR_REMOTE_IRR, 0,
	       "remote IRR: not set when the target APIC is disabled");
	reg_write(&v.cpu[1], LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	set_redir(&v, 7, (1ULL << 56) | REDIR_LEVEL | 0x58);
	tap_eq(take(&v.cpu[1]), 0x58,
	       "remote IRR: delivered once the APIC is enabled and the entry rewritten");
	vlapic_irq_line(v.vm, 7, 0);
	e2e_vm_destroy(&v);
}

/*
 * The extended destination ID: an MSI or an IOAPIC entry reaches an
 * x2APIC ID above 255 through address bits 11:5 (entry bits 55:49).
 */
static void test_extended_destination_id(void)
{
	static const uint32_t ids[2] = { 0, 300 };
	struct e2e_vm v;
	struct gcpu *g;
	uint64_t addr = MSI_ADDR(300 & 0xff) | ((300 >> 8) << 5);
	int ret;

	e2e_vm_create(&v, 2, VLAPIC_VM_X2APIC, ids);
	g = &v.cpu[1];
	tap_ok(vlapic_check_extension(v.sys, VLAPIC_CAP_MSI_EXT_DEST_ID) > 0,
	       "extended destination ID: CHECK_EXTENSION reports it");
	enter_x2apic(g);
	reg_write(g, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	ret = vlapic_signal_msi(v.vm, addr, 0x71);
	tap_eq(ret, 1, "extended destination ID: SIGNAL_MSI to APIC ID 300");
	tap_eq(take(g), 0x71, "extended destination ID: APIC ID 300 takes 0x71");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(&v.cpu[0]), 0, "extended destination ID: ID 0 takes nothing");
	/* The IOAPIC: destination 63:56 = 300 & 0xff, 55:49 = 300 >> 8. */
	set_redir(&v, 8, ((uint64_t)(300 & 0xff) << 56) |
		  ((uint64_t)(300 >> 8) << 49) | 0x72);
	tap_eq(get_redir(&v, 8, NULL) >> 49, (300 & 0xff) << 7 | 300 >> 8,
	       "extended destination ID: IOAPIC entry bits 55:49 kept");
	vlapic_irq_line(v.vm, 8, 1);
	vlapic_irq_line(v.vm, 8, 0);
	tap_eq(take(g), 0x72, "extended destination ID: IOAPIC pin 8 reaches ID 300");
	reg_write(g, LAPIC_EOI, 0);
	tap_eq(take(&v.cpu[0]), 0, "extended destination ID: still nothing for ID 0");
	e2e_vm_destroy(&v);
}

int main(void)
{
	tap_init("ioapic", 120);
	test_seed001();
	test_msi_routing();
	test_directed_eoi();
	test_remote_irr_needs_acceptance();
	test_extended_destination_id();
	return tap_end();
}
