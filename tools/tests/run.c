// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-run: VLAPIC_RUN on the CPU, from userspace, with raw ioctls.
 *
 * Small guests written here in 32-bit protected mode (flat segments,
 * paging off) run through the module's run loop on the test VM's SVM
 * CPU. Each check is on what the guest did or what RUN reported: exit
 * reasons and their data, registers after userspace completed an exit,
 * the vLAPIC's counters. And the bad inputs of issue 12: RUN without
 * memory, overlapping regions, illegal registers, triple fault, unmapped
 * memory, a guest that spins forever, the VM fd closed while a vCPU runs,
 * more vCPU threads than host CPUs. And of issue 17: RLIMIT_MEMLOCK
 * enforced and charged, a VMM SIGKILLed with vCPUs in guest mode and in
 * HLT releases every pinned page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

#define MEM_SIZE	(4UL << 20)
#define CODE_GPA	0x1000
#define GDT_GPA		0x500
#define IDT_GPA		0x800
#define AP_GPA		0x2000
#define FLAG_GPA	0x3000
#define STACK_TOP	0x9000

#include "run_guest.h"

struct rvm {
	int sys, vm;
	uint8_t *mem;
	int vcpu[4];
	struct vlapic_run *run[4];
	unsigned int nr;
};

static int sys_fd(void)
{
	int fd = open(VLAPIC_DEV_PATH, O_RDWR);

	if (fd < 0)
		tap_bail("open %s: %m", VLAPIC_DEV_PATH);
	return fd;
}

static void seg_flat(struct vlapic_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/* Flat 32-bit protected mode at @rip, with the GDT the IDT needs. */
static int vcpu_pm32(struct rvm *r, unsigned int i, uint64_t rip)
{
	struct vlapic_sregs s;
	struct vlapic_regs regs;
	uint64_t gdt[3] = { 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL };

	memcpy(r->mem + GDT_GPA, gdt, sizeof(gdt));
	if (ioctl(r->vcpu[i], VLAPIC_GET_SREGS, &s))
		return -errno;
	seg_flat(&s.cs, 0x08, 0xb);
	seg_flat(&s.ds, 0x10, 0x3);
	s.es = s.ds;
	s.ss = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.gdt.base = GDT_GPA;
	s.gdt.limit = sizeof(gdt) - 1;
	s.cr0 = 0x11;	/* PE, ET */
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(r->vcpu[i], VLAPIC_SET_SREGS, &s))
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = STACK_TOP - i * 0x800;
	regs.rflags = 2;
	if (ioctl(r->vcpu[i], VLAPIC_SET_REGS, &regs))
		return -errno;
	return 0;
}

static void rvm_create(struct rvm *r, unsigned int nr, bool with_mem)
{
	struct vlapic_create_vm cfg = {
		.flags = VLAPIC_VM_RUN | VLAPIC_VM_X2APIC |
			 VLAPIC_VM_TSC_DEADLINE,
		.max_vcpus = nr,
	};
	long size;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->sys = sys_fd();
	r->vm = ioctl(r->sys, VLAPIC_CREATE_VM, &cfg);
	if (r->vm < 0)
		tap_bail("VLAPIC_CREATE_VM with VLAPIC_VM_RUN: %m");
	size = ioctl(r->sys, VLAPIC_GET_VCPU_MMAP_SIZE, 0);
	if (size < 8192)
		tap_bail("VLAPIC_GET_VCPU_MMAP_SIZE: %ld", size);
	r->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED)
		tap_bail("mmap: %m");
	if (with_mem) {
		struct vlapic_userspace_memory_region m = {
			.slot = 0, .guest_phys_addr = 0,
			.memory_size = MEM_SIZE,
			.userspace_addr = (uintptr_t)r->mem,
		};

		if (ioctl(r->vm, VLAPIC_SET_USER_MEMORY_REGION, &m))
			tap_bail("SET_USER_MEMORY_REGION: %m");
	}
	for (i = 0; i < nr; i++) {
		struct vlapic_create_vcpu c = { .index = i, .apic_id = i };

		r->vcpu[i] = ioctl(r->vm, VLAPIC_CREATE_VCPU, &c);
		if (r->vcpu[i] < 0)
			tap_bail("CREATE_VCPU: %m");
		r->run[i] = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, r->vcpu[i], 0);
		if (r->run[i] == MAP_FAILED)
			tap_bail("mmap of the run structure: %m");
	}
	r->nr = nr;
}

static void rvm_destroy(struct rvm *r)
{
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		munmap(r->run[i], 8192);
		close(r->vcpu[i]);
	}
	munmap(r->mem, MEM_SIZE);
	close(r->vm);
	close(r->sys);
}

static void load(struct rvm *r, uint64_t gpa, const uint8_t *s,
		 const uint8_t *e)
{
	memcpy(r->mem + gpa, s, e - s);
}

/* RUN once; returns the exit reason, or -errno. */
static int run_once(struct rvm *r, unsigned int i)
{
	if (ioctl(r->vcpu[i], VLAPIC_RUN, 0)) {
		tap_diag("vCPU %u: RUN: %m", i);
		return -errno;
	}
	if (r->run[i]->exit_reason == VLAPIC_EXIT_INTERNAL_ERROR)
		tap_diag("vCPU %u: internal error %u, %u bytes %02x %02x %02x",
			 i, r->run[i]->internal.suberror,
			 r->run[i]->emulation_failure.insn_size,
			 r->run[i]->emulation_failure.insn_bytes[0],
			 r->run[i]->emulation_failure.insn_bytes[1],
			 r->run[i]->emulation_failure.insn_bytes[2]);
	return r->run[i]->exit_reason;
}

static uint32_t io_data(struct rvm *r, unsigned int i)
{
	uint32_t v = 0;

	memcpy(&v, (uint8_t *)r->run[i] + r->run[i]->io.data_offset,
	       r->run[i]->io.size);
	return v;
}

static bool is_io(struct rvm *r, unsigned int i, int ret, uint16_t port,
		  uint8_t dir)
{
	struct vlapic_run *run = r->run[i];

	return ret == VLAPIC_EXIT_IO && run->io.port == port &&
	       run->io.direction == dir && run->io.count == 1;
}

static uint64_t stat_of(struct rvm *r, unsigned int i, unsigned int id)
{
	struct vlapic_vcpu_stats st;

	if (ioctl(r->vcpu[i], VLAPIC_GET_VCPU_STATS, &st))
		return ~0ULL;
	return st.v[id];
}

static void test_exits(void)
{
	struct vlapic_cpuid_entry2 *e;
	struct vlapic_cpuid2 *c;
	struct vlapic_regs regs;
	struct rvm r;
	int ret;

	rvm_create(&r, 1, true);
	load(&r, CODE_GPA, g_io_start, g_io_end);
	c = calloc(1, sizeof(*c) + sizeof(*e));
	c->nent = 1;
	e = c->entries;
	e->function = 0;
	e->ebx = 0x6c70616c;	/* "lapl" */
	tap_eq(ioctl(r.vcpu[0], VLAPIC_SET_CPUID2, c), 0, "SET_CPUID2");
	free(c);
	tap_eq(vcpu_pm32(&r, 0, CODE_GPA), 0, "SET_SREGS/SET_REGS: flat 32-bit");

	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x3f8, VLAPIC_EXIT_IO_OUT) &&
	       r.run[0]->io.size == 1 && io_data(&r, 0) == 'A',
	       "OUT 0x3f8: IO exit, size 1, data 'A' (exit %d)", ret);
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x3f8, VLAPIC_EXIT_IO_IN),
	       "IN 0x3f8: IO exit, direction in");
	*((uint8_t *)r.run[0] + r.run[0]->io.data_offset) = 0x5a;
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x3f8, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0x5a,
	       "the IN completed with userspace's 0x5a in AL");
	ret = run_once(&r, 0);
	tap_ok(ret == VLAPIC_EXIT_HYPERCALL &&
	       r.run[0]->hypercall.nr == 0x1234 &&
	       r.run[0]->hypercall.args[0] == 0x11,
	       "VMMCALL: HYPERCALL exit, nr 0x1234, arg RBX 0x11");
	r.run[0]->hypercall.ret = 0x55;
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x80, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0x55, "the hypercall's result reached RAX");
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x80, VLAPIC_EXIT_IO_OUT) &&
	       (io_data(&r, 0) & 0xff) == 0x14,
	       "xAPIC version read in the kernel: %#x", io_data(&r, 0));
	tap_ok(stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_EXIT_MMIO_LAPIC) == 1,
	       "counted as one xAPIC page access");
	ret = run_once(&r, 0);
	tap_ok(ret == VLAPIC_EXIT_MMIO && r.run[0]->mmio.is_write &&
	       r.run[0]->mmio.phys_addr == 0xd0000000 &&
	       r.run[0]->mmio.len == 4 &&
	       !memcmp(r.run[0]->mmio.data, "\x78\x56\x34\x12", 4),
	       "MOV to a hole: MMIO write exit, 0xd0000000, 4 bytes");
	ret = run_once(&r, 0);
	tap_ok(ret == VLAPIC_EXIT_MMIO && !r.run[0]->mmio.is_write &&
	       r.run[0]->mmio.phys_addr == 0xd0000004 &&
	       r.run[0]->mmio.len == 4, "MOV from a hole: MMIO read exit");
	memcpy(r.run[0]->mmio.data, "\xbe\xba\xfe\xca", 4);
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x80, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0xcafebabe,
	       "the MMIO read completed with userspace's data");
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x80, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0x6c70616c, "CPUID leaf 0 from the table");
	ret = run_once(&r, 0);
	tap_eq(ret, VLAPIC_EXIT_SHUTDOWN, "triple fault: SHUTDOWN exit");
	tap_ok(!ioctl(r.vcpu[0], VLAPIC_GET_REGS, &regs) && regs.rip == 0xfff0,
	       "after SHUTDOWN the vCPU is at the reset vector");
	tap_ok(stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_USER_EXITS) == 11,
	       "11 exits to userspace counted (%llu)",
	       (unsigned long long)stat_of(&r, 0,
					   VLAPIC_VCPU_STAT_RUN_USER_EXITS));
	rvm_destroy(&r);
}

static void test_timer(void)
{
	uint64_t idt[0x41] = { 0 };
	uint32_t h = CODE_GPA + (g_timer_handler - g_timer_start);
	struct rvm r;
	int ret, i;

	rvm_create(&r, 1, true);
	load(&r, CODE_GPA, g_timer_start, g_timer_end);
	/* A 32-bit interrupt gate: selector 8, present, DPL 0. */
	idt[0x40] = (h & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		    ((uint64_t)(h >> 16) << 48);
	memcpy(r.mem + IDT_GPA, idt, sizeof(idt));
	vcpu_pm32(&r, 0, CODE_GPA);
	for (i = 0, ret = 0; i < 4; i++) {
		ret = run_once(&r, 0);
		if (ret != VLAPIC_EXIT_IO || r.run[0]->io.port != 0x81)
			break;
	}
	tap_ok(i == 1, "the timer's vector reached the guest's handler once (%d)",
	       i);
	tap_ok(is_io(&r, 0, ret, 0x82, VLAPIC_EXIT_IO_OUT),
	       "HLT woke for it and the guest went on");
	tap_diag("exits: %llu HLT, %llu VINTR, %llu INTR",
		 (unsigned long long)stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_EXIT_HLT),
		 (unsigned long long)stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_EXIT_VINTR),
		 (unsigned long long)stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_EXIT_INTR));
	tap_ok(stat_of(&r, 0, VLAPIC_VCPU_STAT_RUN_INJECTED_INTR) == 1 &&
	       stat_of(&r, 0, VLAPIC_VCPU_STAT_TIMER_FIRED) == 1 &&
	       stat_of(&r, 0, VLAPIC_VCPU_STAT_EOI) == 1,
	       "counters: 1 injection, 1 timer expiry, 1 EOI");
	rvm_destroy(&r);
}

/* A 32-bit interrupt gate for @vector at IDT_GPA: selector 8, DPL 0. */
static void set_gate(struct rvm *r, unsigned int vector, uint32_t handler)
{
	uint64_t gate = (handler & 0xffff) | (0x08ULL << 16) |
			(0x8eULL << 40) | ((uint64_t)(handler >> 16) << 48);

	memcpy(r->mem + IDT_GPA + vector * 8, &gate, 8);
}

/* Vector @v in the IRR/ISR/TMR block at @base of a saved state. */
static bool vec_in(const struct vlapic_lapic_state *st, unsigned int base,
		   unsigned int v)
{
	uint32_t w;

	memcpy(&w, &st->regs[base + 0x10 * (v / 32)], 4);
	return w & (1U << (v % 32));
}

/*
 * ExtINT from a VMM's own 8259: LINT0 (ExtINT mode) raised with
 * SET_LINT, the vector given with VLAPIC_INTERRUPT; injected whatever
 * TPR says, never through IRR/ISR.
 */
static void test_extint(void)
{
	struct vlapic_extint e = { .irq = 0x30 };
	struct vlapic_lint l = { .pin = 0, .level = 1 };
	struct vlapic_lapic_state st;
	struct rvm r;
	int ret;

	rvm_create(&r, 1, true);
	load(&r, CODE_GPA, g_extint_start, g_extint_end);
	set_gate(&r, 0x30, CODE_GPA + (g_extint_handler - g_extint_start));
	vcpu_pm32(&r, 0, CODE_GPA);
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x84, VLAPIC_EXIT_IO_OUT) &&
	       r.run[0]->ready_for_interrupt_injection,
	       "ExtINT guest ready; ready_for_interrupt_injection set");
	tap_ok(ioctl(r.vcpu[0], VLAPIC_INTERRUPT, &e) == 0,
	       "VLAPIC_INTERRUPT 0x30");
	tap_ok(ioctl(r.vcpu[0], VLAPIC_INTERRUPT, &e) == -1 && errno == EEXIST,
	       "a second one while it waits: -EEXIST");
	e.irq = 256;
	tap_ok(ioctl(r.vcpu[0], VLAPIC_INTERRUPT, &e) == -1 && errno == EINVAL,
	       "vector 256: -EINVAL");
	tap_eq(ioctl(r.vcpu[0], VLAPIC_SET_LINT, &l), 0, "LINT0 raised");
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x85, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0x30,
	       "the 8259's vector 0x30 reached the guest at TPR 0xf0");
	ioctl(r.vcpu[0], VLAPIC_GET_LAPIC, &st);
	tap_ok(!vec_in(&st, LAPIC_ISR, 0x30) && !vec_in(&st, LAPIC_IRR, 0x30),
	       "ExtINT vector neither in ISR nor in IRR");
	ret = run_once(&r, 0);
	tap_ok(is_io(&r, 0, ret, 0x86, VLAPIC_EXIT_IO_OUT) &&
	       r.run[0]->ready_for_interrupt_injection,
	       "the guest went on; a new vector may be given");
	tap_eq(stat_of(&r, 0, VLAPIC_VCPU_STAT_EXTINT), 1, "one ExtINT counted");
	rvm_destroy(&r);
}

struct ap_arg {
	struct rvm *r;
	int ret;
	uint16_t port;
};

static void *ap_thread(void *p)
{
	struct ap_arg *a = p;

	a->ret = run_once(a->r, 1);
	a->port = a->r->run[1]->io.port;
	return NULL;
}

static void test_smp(void)
{
	struct ap_arg a;
	pthread_t t;
	struct rvm r;
	int ret;

	rvm_create(&r, 2, true);
	load(&r, CODE_GPA, g_bsp_start, g_bsp_end);
	load(&r, AP_GPA, g_ap_start, g_ap_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	a.r = &r;
	pthread_create(&t, NULL, ap_thread, &a);
	ret = run_once(&r, 0);
	pthread_join(t, NULL);
	tap_ok(a.ret == VLAPIC_EXIT_IO && a.port == 0x83,
	       "the AP slept until INIT-SIPI, then ran at 0x2000 (port %#x)",
	       a.port);
	tap_ok(is_io(&r, 0, ret, 0x84, VLAPIC_EXIT_IO_OUT),
	       "the BSP saw the AP's flag");
	rvm_destroy(&r);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Signal the thread at @arg (SIGUSR1) after 200 ms. */
static void *signal_later(void *arg)
{
	usleep(200000);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static void test_bad_input(void)
{
	/* shll 0xfee00080 */
	static const uint8_t shl_bytes[] = { 0xd1, 0x25, 0x80, 0x00, 0xe0, 0xfe };
	const __u64 *d;
	struct vlapic_userspace_memory_region m;
	struct vlapic_sregs s;
	struct vlapic_regs regs;
	pthread_t self = pthread_self(), t;
	struct rvm r;
	int ret;

	rvm_create(&r, 1, false);
	errno = 0;
	tap_ok(ioctl(r.vcpu[0], VLAPIC_RUN, 0) == -1 && errno == EINVAL,
	       "RUN before any memory: -EINVAL");
	m = (struct vlapic_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE / 2,
		.userspace_addr = (uintptr_t)r.mem,
	};
	tap_eq(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m), 0,
	       "a region at 0");
	m.slot = 1;
	m.guest_phys_addr = MEM_SIZE / 4;
	m.userspace_addr = (uintptr_t)r.mem + MEM_SIZE / 2;
	m.memory_size = MEM_SIZE / 2;
	tap_ok(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == -1 &&
	       errno == EEXIST, "an overlapping region: -EEXIST");
	m.guest_phys_addr = MEM_SIZE / 2 + 1;
	tap_ok(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == -1 &&
	       errno == EINVAL, "a misaligned region: -EINVAL");
	m.guest_phys_addr = MEM_SIZE / 2;
	tap_eq(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m), 0,
	       "a second region next to it");
	m.memory_size = 0;
	tap_eq(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m), 0,
	       "deleting it");
	tap_ok(ioctl(r.vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == -1 &&
	       errno == EINVAL, "deleting it again: -EINVAL");

	ioctl(r.vcpu[0], VLAPIC_GET_REGS, &regs);
	regs.rflags = 2 | (1ULL << 3);
	tap_ok(ioctl(r.vcpu[0], VLAPIC_SET_REGS, &regs) == -1 &&
	       errno == EINVAL, "SET_REGS with a reserved RFLAGS bit: -EINVAL");
	ioctl(r.vcpu[0], VLAPIC_GET_SREGS, &s);
	s.cr0 = 0x80000000;	/* PG without PE */
	tap_ok(ioctl(r.vcpu[0], VLAPIC_SET_SREGS, &s) == -1 && errno == EINVAL,
	       "SET_SREGS with CR0.PG without PE: -EINVAL");
	ioctl(r.vcpu[0], VLAPIC_GET_SREGS, &s);
	s.efer = 0x500;		/* LMA without paging */
	tap_ok(ioctl(r.vcpu[0], VLAPIC_SET_SREGS, &s) == -1 && errno == EINVAL,
	       "SET_SREGS with EFER.LMA but no paging: -EINVAL");

	/* A guest that spins forever ends with a signal. */
	load(&r, CODE_GPA, g_spin_start, g_spin_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	pthread_create(&t, NULL, signal_later, &self);
	ret = ioctl(r.vcpu[0], VLAPIC_RUN, 0);
	pthread_join(t, NULL);
	tap_ok(ret == -1 && errno == EINTR &&
	       r.run[0]->exit_reason == VLAPIC_EXIT_INTR,
	       "a spinning guest: a signal ends RUN (-EINTR, exit INTR)");
	r.run[0]->immediate_exit = 1;
	ret = ioctl(r.vcpu[0], VLAPIC_RUN, 0);
	tap_ok(ret == -1 && errno == EINTR, "immediate_exit: -EINTR at once");
	r.run[0]->immediate_exit = 0;

	/* Executing from a hole: an emulation failure, no bytes. */
	load(&r, CODE_GPA, g_fetch_hole_start, g_fetch_hole_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	ret = run_once(&r, 0);
	tap_ok(ret == VLAPIC_EXIT_INTERNAL_ERROR &&
	       r.run[0]->internal.suberror == VLAPIC_INTERNAL_ERROR_EMULATION,
	       "executing outside RAM: INTERNAL_ERROR (emulation)");
	/* KVM's layout: the flags, then the exit's five words (no bytes). */
	d = r.run[0]->internal.data;
	tap_ok(r.run[0]->emulation_failure.ndata == 1 + VLAPIC_EMUL_INFO_WORDS &&
	       r.run[0]->emulation_failure.flags == 0,
	       "executing outside RAM: flags 0, %u data words",
	       r.run[0]->emulation_failure.ndata);
	tap_ok(d[1 + VLAPIC_EMUL_INFO_REASON] == 0x400 &&
	       d[1 + VLAPIC_EMUL_INFO_INFO2] == 0x30000000,
	       "executing outside RAM: the exit is an NPF at 0x30000000 (0x%llx, 0x%llx, 0x%llx)",
	       (unsigned long long)d[1 + VLAPIC_EMUL_INFO_REASON],
	       (unsigned long long)d[1 + VLAPIC_EMUL_INFO_INFO1],
	       (unsigned long long)d[1 + VLAPIC_EMUL_INFO_INFO2]);

	/* An instruction the emulator does not do: its bytes, then the exit. */
	load(&r, CODE_GPA, g_shl_apic_start, g_shl_apic_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	ret = run_once(&r, 0);
	tap_ok(ret == VLAPIC_EXIT_INTERNAL_ERROR &&
	       r.run[0]->emulation_failure.flags ==
	       VLAPIC_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES &&
	       r.run[0]->emulation_failure.insn_size >= 6 &&
	       !memcmp(r.run[0]->emulation_failure.insn_bytes, shl_bytes, 6),
	       "SHL on the APIC page: emulation failure with its bytes");
	tap_ok(r.run[0]->emulation_failure.ndata == 3 + VLAPIC_EMUL_INFO_WORDS &&
	       d[3 + VLAPIC_EMUL_INFO_REASON] == 0x400 &&
	       d[3 + VLAPIC_EMUL_INFO_INFO2] == 0xfee00080,
	       "SHL on the APIC page: %u words, then the NPF at 0xfee00080 (0x%llx, 0x%llx)",
	       r.run[0]->emulation_failure.ndata,
	       (unsigned long long)d[3 + VLAPIC_EMUL_INFO_REASON],
	       (unsigned long long)d[3 + VLAPIC_EMUL_INFO_INFO2]);
	rvm_destroy(&r);
}

struct spin_arg {
	int fd;
	struct vlapic_run *run;
	int ret, err;
	atomic_int started;
};

static void *spin_thread(void *p)
{
	struct spin_arg *a = p;

	atomic_store(&a->started, 1);
	a->ret = ioctl(a->fd, VLAPIC_RUN, 0);
	a->err = errno;
	return NULL;
}

/*
 * Lifetime while a vCPU runs: the VM fd closed under it changes nothing
 * (the vCPU holds the VM); a close() of the vCPU fd by another thread
 * ends its RUN (-EINTR, exit INTR); the memory goes with the last fd.
 */
static void test_close_while_running(void)
{
	struct spin_arg a = { 0 };
	pthread_t t;
	struct rvm r;

	rvm_create(&r, 1, true);
	load(&r, CODE_GPA, g_spin_start, g_spin_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	a.fd = r.vcpu[0];
	a.run = r.run[0];
	pthread_create(&t, NULL, spin_thread, &a);
	while (!atomic_load(&a.started))
		usleep(1000);
	usleep(100000);
	tap_eq(close(r.vm), 0, "the VM fd closed while its vCPU runs");
	usleep(100000);
	tap_ok(pthread_tryjoin_np(t, NULL) == EBUSY,
	       "the vCPU runs on without its VM fd");
	tap_eq(close(r.vcpu[0]), 0, "the vCPU fd closed by another thread");
	pthread_join(t, NULL);
	tap_ok(a.ret == -1 && a.err == EINTR &&
	       a.run->exit_reason == VLAPIC_EXIT_INTR,
	       "... ends its RUN: -EINTR, exit INTR (errno %d)", a.err);
	munmap(r.run[0], 8192);
	munmap(r.mem, MEM_SIZE);
	close(r.sys);
}

/* More vCPU threads than host CPUs, all spinning: a signal stops each. */
static void test_overcommit(void)
{
	struct spin_arg a[4] = { 0 };
	pthread_t t[4];
	unsigned int i, stopped = 0;
	struct rvm r;

	rvm_create(&r, 4, true);
	load(&r, CODE_GPA, g_spin_start, g_spin_end);
	for (i = 0; i < 4; i++) {
		vcpu_pm32(&r, i, CODE_GPA);
		a[i].fd = r.vcpu[i];
		a[i].run = r.run[i];
		pthread_create(&t[i], NULL, spin_thread, &a[i]);
	}
	usleep(300000);
	for (i = 0; i < 4; i++) {
		pthread_kill(t[i], SIGUSR1);
		pthread_join(t[i], NULL);
		stopped += a[i].ret == -1 && a[i].err == EINTR;
	}
	tap_eq(stopped, 4, "4 spinning vCPUs on %ld CPUs: signals stop each",
	       sysconf(_SC_NPROCESSORS_ONLN));
	rvm_destroy(&r);
}

struct slot_arg {
	int vm;
	uint8_t *mem;
	unsigned int seed;
	unsigned int ok, fail;
};

/* Move, re-flag, delete and re-add slot 1 (one page of @mem) at random. */
static void *slot_thread(void *p)
{
	struct slot_arg *a = p;
	unsigned int i;

	for (i = 0; i < 3000; i++) {
		unsigned int op = rand_r(&a->seed) % 4;
		struct vlapic_userspace_memory_region m = {
			.slot = 1,
			.guest_phys_addr = MEM_SIZE + (rand_r(&a->seed) % 4) * 4096,
			.memory_size = op == 3 ? 0 : 4096,
			.flags = op == 2 ? VLAPIC_MEM_READONLY : 0,
			.userspace_addr = (uintptr_t)a->mem,
		};
		int ret = ioctl(a->vm, VLAPIC_SET_USER_MEMORY_REGION, &m);

		/* EINVAL: deleting what the other thread deleted. */
		if (!ret || errno == EINVAL || errno == EEXIST)
			a->ok++;
		else
			a->fail++;
	}
	return NULL;
}

/*
 * Two threads change one slot at once: every call is checked whole under
 * the VM's memory lock and frees only what it alone removed (a move that
 * carries its pins over must not look at the new slot once another call
 * may have deleted it). KASAN sees any use after free.
 */
static void test_slot_race(void)
{
	struct slot_arg a[2];
	pthread_t t[2];
	struct rvm r;
	uint8_t *page;
	unsigned int i;

	rvm_create(&r, 1, true);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		tap_bail("mmap: %m");
	for (i = 0; i < 2; i++) {
		a[i] = (struct slot_arg){ .vm = r.vm, .mem = page,
					  .seed = 12345 + i };
		pthread_create(&t[i], NULL, slot_thread, &a[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	tap_ok(a[0].fail + a[1].fail == 0 && a[0].ok + a[1].ok == 6000,
	       "two threads changing one slot: 6000 calls, %u unexpected errors",
	       a[0].fail + a[1].fail);
	load(&r, CODE_GPA, g_io_start, g_io_end);
	vcpu_pm32(&r, 0, CODE_GPA);
	tap_ok(is_io(&r, 0, run_once(&r, 0), 0x3f8, VLAPIC_EXIT_IO_OUT) &&
	       io_data(&r, 0) == 0x41,
	       "... and the guest in slot 0 still runs");
	rvm_destroy(&r);
	munmap(page, 4096);
}

/* A "Key: N kB" line of a /proc file, in KiB; -1 when absent. */
static long proc_kb(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long kb = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) &&
		    sscanf(line + n, " %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* mm->locked_vm of process @pid in KiB, which the module's pins charge. */
static long locked_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_kb(path, "VmLck:");
}

#define PIN_BIG		(4UL << 20)
#define PIN_SMALL	(768UL << 10)

/* The child of test_memlock(): a bit set per check passed. */
static int memlock_child(void)
{
	struct vlapic_create_vm cfg = { .flags = VLAPIC_VM_RUN,
					.max_vcpus = 1 };
	struct rlimit rl = { 1UL << 20, 1UL << 20 };
	struct vlapic_userspace_memory_region m = { .slot = 0 };
	int sys, vm, res = 0;
	uint8_t *mem;

	sys = open(VLAPIC_DEV_PATH, O_RDWR);
	vm = sys < 0 ? -1 : ioctl(sys, VLAPIC_CREATE_VM, &cfg);
	mem = mmap(NULL, PIN_BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		return 0x80;
	/* An unprivileged user: no CAP_IPC_LOCK, so the limit applies. */
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) || setuid(65534))
		return 0x40;
	m.memory_size = PIN_BIG;
	m.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == -1 &&
	    errno == ENOMEM)
		res |= 1;
	/* 768 KiB fits only if the failure left under 256 KiB charged. */
	m.memory_size = PIN_SMALL;
	if (ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == 0)
		res |= 2;
	/* 512 KiB more would be 1280 KiB: over the limit. */
	m.slot = 1;
	m.guest_phys_addr = 1UL << 20;
	m.memory_size = 512UL << 10;
	m.userspace_addr = (uintptr_t)mem + PIN_SMALL;
	if (ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == -1 &&
	    errno == ENOMEM)
		res |= 4;
	/* Deleted, then again: fits only if the deletion uncharged it. */
	m.slot = 0;
	m.guest_phys_addr = 0;
	m.memory_size = 0;
	m.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == 0) {
		m.memory_size = PIN_SMALL;
		if (ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m) == 0)
			res |= 8;
	}
	return res;
}

/*
 * Pinning more than RLIMIT_MEMLOCK allows, without CAP_IPC_LOCK: -ENOMEM
 * with nothing left charged; within the limit the pins are charged (a
 * second region over the limit fails) until the slot is deleted.
 */
static void test_memlock(void)
{
	int status = 0, res;
	pid_t pid = fork();

	if (pid == 0)
		_exit(memlock_child());
	waitpid(pid, &status, 0);
	res = WIFEXITED(status) ? WEXITSTATUS(status) : 0x100;
	if (!tap_ok(pid > 0 && res < 0x40,
		    "memlock: the unprivileged child set up (status %#x)", res))
		return;
	tap_ok(res & 1,
	       "memlock: 4 MiB over a 1 MiB RLIMIT_MEMLOCK: -ENOMEM");
	tap_ok(res & 2, "... nothing stays charged: 768 KiB then fits");
	tap_ok(res & 4, "... which is charged: 512 KiB more is -ENOMEM");
	tap_ok(res & 8, "... deleted, it is uncharged: 768 KiB fits again");
}

#define KILL_MEM	(64UL << 20)

/*
 * The child of test_kill_pinned(): two VMs, each with 4 + 64 MiB pinned,
 * one vCPU spinning in guest mode, the other halted (IF=0); writes a byte
 * to @wfd once both threads are in RUN, then waits to be killed.
 */
static void __noreturn kill_child(int wfd)
{
	struct spin_arg a[2] = { 0 };
	pthread_t t[2];
	struct rvm r[2];
	unsigned int i;
	char c = 1;

	for (i = 0; i < 2; i++) {
		struct vlapic_userspace_memory_region m = {
			.slot = 1, .guest_phys_addr = 1UL << 30,
			.memory_size = KILL_MEM,
		};
		uint8_t *big = mmap(NULL, KILL_MEM, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		rvm_create(&r[i], 1, true);
		m.userspace_addr = (uintptr_t)big;
		if (big == MAP_FAILED ||
		    ioctl(r[i].vm, VLAPIC_SET_USER_MEMORY_REGION, &m))
			_exit(2);
		if (i == 0)
			load(&r[i], CODE_GPA, g_spin_start, g_spin_end);
		else
			load(&r[i], CODE_GPA, g_hlt_start, g_hlt_end);
		vcpu_pm32(&r[i], 0, CODE_GPA);
		a[i].fd = r[i].vcpu[0];
		a[i].run = r[i].run[0];
		pthread_create(&t[i], NULL, spin_thread, &a[i]);
	}
	while (!atomic_load(&a[0].started) || !atomic_load(&a[1].started))
		usleep(1000);
	if (write(wfd, &c, 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/*
 * A VMM SIGKILLed with one vCPU in guest mode and one in HLT: it dies,
 * and every page it had pinned is free again (a page left pinned stays
 * allocated after the process is gone: MemFree would not come back).
 * The plan unloads the module after this program.
 */
static void test_kill_pinned(void)
{
	long want = 2 * ((MEM_SIZE + KILL_MEM) >> 10), locked, during;
	int p[2], status = 0;
	bool ready, freed;
	pid_t pid;
	char c;

	if (pipe(p))
		tap_bail("pipe: %m");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		kill_child(p[1]);
	}
	close(p[1]);
	ready = read(p[0], &c, 1) == 1;
	close(p[0]);
	/* Time for both vCPUs to enter the guest, and one to halt. */
	usleep(300000);
	locked = locked_kb(pid);
	during = proc_kb("/proc/meminfo", "MemFree:");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap_ok(ready && locked == want,
	       "kill: the VMM has %ld kB pinned (want %ld) in two VMs", locked,
	       want);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "... SIGKILL ends it, vCPUs in guest mode and in HLT");
	freed = WAIT_FOR(proc_kb("/proc/meminfo", "MemFree:") - during >=
			 want * 3 / 4, 5000);
	tap_ok(freed, "... and the pinned memory is free again (MemFree +%ld kB of %ld)",
	       proc_kb("/proc/meminfo", "MemFree:") - during, want);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sys;
	long cap;

	tap_init("run", 300);
	/* No SA_RESTART: SIGUSR1 ends a RUN in progress. */
	sigaction(SIGUSR1, &sa, NULL);
	sys = sys_fd();
	cap = ioctl(sys, VLAPIC_CHECK_EXTENSION, VLAPIC_CAP_RUN);
	close(sys);
	if (!tap_ok(cap & VLAPIC_RUN_BACKEND_SVM,
		    "VLAPIC_CAP_RUN: the SVM backend (%ld)", cap))
		return tap_end();
	test_exits();
	test_timer();
	test_smp();
	test_extint();
	test_bad_input();
	test_close_while_running();
	test_overcommit();
	test_slot_race();
	test_memlock();
	test_kill_pinned();
	return tap_end();
}
