// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-fuzz: seeded, structure-aware ioctl fuzzer for /dev/vlapic.
 *
 *   vlapic-fuzz [--seed N] [--ops N] [--threads N] [--seconds N]
 *               [--lockstep] [--verbose]
 *
 * Each thread owns a few VMs and vCPUs and runs random but well-formed (and
 * deliberately malformed) ioctl sequences over the whole UAPI; all threads
 * also share one VM. Thread t draws from a PRNG seeded with seed + t, so a
 * thread's sequence is reproducible from the seed (the interleaving is not).
 * Checked: every ioctl fails only with an errno the ABI documents, bad user
 * pointers give -EFAULT, rejected state restores change nothing. Prints
 * TAP lines for the harness.
 *
 * --lockstep: the interleaving comes from the seed too. A turn sequence
 * drawn from its own seeded PRNG picks the thread that runs the next op
 * (one fuzz_one() call, which may issue several ioctls); the others wait
 * for their turn on a condition variable. An op runs to its end within
 * its turn: every WAIT has a bounded timeout, so a WAIT that only another
 * thread's op could end times out instead (that other thread is not
 * running), and a WAIT that this op itself ends (close while waiting) is
 * ended by the turn's own thread. Sources of time-dependent behaviour are
 * left out: LAPIC timer counts and TSC deadlines are written as 0, and
 * eventfd closes wait for the irqfd teardown they queue. --ops N counts
 * turns (default 2000); --seconds is ignored. The summary prints a hash of
 * every (thread, ioctl, result): the same seed gives the same hash.
 *
 * Run VMs (VLAPIC_VM_RUN, when the CPU has a backend): each thread owns
 * one and all share one more, 2 vCPUs each. Ops change their memory
 * regions, registers, CPUID and MSRs with valid and invalid values, feed
 * them bad pointers, inject interrupts, and RUN small guests (an I/O
 * loop, MMIO to the vLAPIC and to userspace, STI;HLT, MSR and CPUID
 * traffic, and outside lockstep random bytes), completing their exits
 * with random data. Outside lockstep a RUN is ended by a per-thread timer
 * signal and races the other threads' ops on the shared VM (memory
 * deleted under a running vCPU, interrupts, state changes); in lockstep
 * only guests whose exits are deterministic run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vlapic.h>

#define NR_VMS		3
#define NR_VCPUS	4
#define NR_EFDS		6
#define MAX_THREADS	16

enum fuzz_ioc {
	I_API_VERSION, I_CHECK_EXT, I_CREATE_VM, I_CREATE_VCPU, I_IRQ_LINE,
	I_SIGNAL_MSI, I_GSI_ROUTING, I_GET_IOAPIC, I_SET_IOAPIC, I_IRQFD,
	I_INJECT_BATCH, I_VM_STATS, I_GET_LAPIC, I_SET_LAPIC, I_REG_ACCESS,
	I_WAIT, I_GET_INTERRUPT, I_SET_LINT, I_VCPU_STATS, I_IOAPIC_ACCESS,
	I_SET_MEMORY, I_RUN, I_GET_REGS, I_SET_REGS, I_GET_SREGS, I_SET_SREGS,
	I_GET_MSRS, I_SET_MSRS, I_SET_CPUID, I_GET_CPUID, I_INTERRUPT, I_NR
};

static const char *const ioc_names[I_NR] = {
	"GET_API_VERSION", "CHECK_EXTENSION", "CREATE_VM", "CREATE_VCPU",
	"IRQ_LINE", "SIGNAL_MSI", "SET_GSI_ROUTING", "GET_IOAPIC",
	"SET_IOAPIC", "IRQFD", "INJECT_BATCH", "GET_VM_STATS", "GET_LAPIC",
	"SET_LAPIC", "REG_ACCESS", "WAIT", "GET_INTERRUPT", "SET_LINT",
	"GET_VCPU_STATS", "IOAPIC_ACCESS", "SET_USER_MEMORY_REGION", "RUN",
	"GET_REGS", "SET_REGS", "GET_SREGS", "SET_SREGS", "GET_MSRS",
	"SET_MSRS", "SET_CPUID2", "GET_CPUID2", "INTERRUPT",
};

static const unsigned long ioc_cmds[I_NR] = {
	VLAPIC_GET_API_VERSION, VLAPIC_CHECK_EXTENSION, VLAPIC_CREATE_VM,
	VLAPIC_CREATE_VCPU, VLAPIC_IRQ_LINE, VLAPIC_SIGNAL_MSI,
	VLAPIC_SET_GSI_ROUTING, VLAPIC_GET_IOAPIC, VLAPIC_SET_IOAPIC,
	VLAPIC_IRQFD, VLAPIC_INJECT_BATCH, VLAPIC_GET_VM_STATS,
	VLAPIC_GET_LAPIC, VLAPIC_SET_LAPIC, VLAPIC_REG_ACCESS, VLAPIC_WAIT,
	VLAPIC_GET_INTERRUPT, VLAPIC_SET_LINT, VLAPIC_GET_VCPU_STATS,
	VLAPIC_IOAPIC_ACCESS, VLAPIC_SET_USER_MEMORY_REGION, VLAPIC_RUN,
	VLAPIC_GET_REGS, VLAPIC_SET_REGS, VLAPIC_GET_SREGS, VLAPIC_SET_SREGS,
	VLAPIC_GET_MSRS, VLAPIC_SET_MSRS, VLAPIC_SET_CPUID2, VLAPIC_GET_CPUID2,
	VLAPIC_INTERRUPT,
};

/* Pointer-taking ioctls of a run VM's vCPU. */
static const int run_ptr_iocs[] = {
	I_GET_REGS, I_SET_REGS, I_GET_SREGS, I_SET_SREGS, I_GET_MSRS,
	I_SET_MSRS, I_SET_CPUID, I_GET_CPUID, I_GET_LAPIC, I_SET_LAPIC,
	I_INTERRUPT,
};

/* Pointer-taking ioctls of each fd kind, for the bad-pointer checks. */
static const int vm_ptr_iocs[] = {
	I_CREATE_VCPU, I_IRQ_LINE, I_SIGNAL_MSI, I_GSI_ROUTING, I_GET_IOAPIC,
	I_SET_IOAPIC, I_IRQFD, I_INJECT_BATCH, I_VM_STATS, I_IOAPIC_ACCESS,
};

static const int vcpu_ptr_iocs[] = {
	I_GET_LAPIC, I_SET_LAPIC, I_REG_ACCESS, I_WAIT, I_GET_INTERRUPT,
	I_SET_LINT, I_VCPU_STATS,
};

static unsigned long long opt_seed, opt_ops = 0, opt_seconds = 25;
static int opt_threads = 4, opt_verbose, opt_lockstep;
static int devfd;
static char *bad_page;		/* a PROT_NONE page */
static char *edge_page;		/* last bytes before bad_page */
static int stop;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
static unsigned int max_routes = 4096;

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long fail_errno, fail_efault, fail_state;
static unsigned long long covered[I_NR];

struct shared_vm {
	int vm;
	int vcpu[NR_VCPUS];
	int efd[NR_EFDS];
} shared;

struct vm_slot {
	int fd;
	unsigned int max_vcpus;
	int vcpu[NR_VCPUS];
	int efd[NR_EFDS];
};

#define RUN_VCPUS	2
#define RUN_MEM		(2UL << 20)

/* A VLAPIC_VM_RUN VM; its memory stays mapped while the process runs. */
struct run_slot {
	int vm;
	int vcpu[RUN_VCPUS];
	struct vlapic_run *run[RUN_VCPUS];
	uint8_t *mem;
};

static long run_cap;		/* VLAPIC_CAP_RUN */
static long run_mmap_size;
static struct run_slot shared_run = { .vm = -1, .vcpu = { -1, -1 } };

/*
 * Lockstep: @turn is the thread whose turn it is (-1: none yet, -2: all
 * turns done); a thread sleeps on its own condition variable until then.
 */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond[MAX_THREADS];
static int turn = -1;
static unsigned long long turns, turns_left;
static uint64_t turn_rng;
static uint64_t op_hash = 0xcbf29ce484222325ULL;	/* FNV-1a */
static unsigned long long hashed;

struct fuzz_thread {
	pthread_t tid;
	int id;
	uint64_t rng;
	unsigned long long ops;
	unsigned long long cov[I_NR];
	struct vm_slot vms[NR_VMS];
	struct run_slot rs;
	timer_t timer;		/* ends a RUN outside lockstep */
	int has_timer;
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct fuzz_thread *t)
{
	return splitmix64(&t->rng);
}

/*
 * Lockstep: fold one result into the run's hash. Only the turn's thread
 * calls it (the turn lock orders the turns), so no lock of its own.
 */
static void hash_result(int thread, int which, long ret, int err)
{
	int64_t v[4] = { thread, which, ret, ret < 0 ? err : 0 };
	const unsigned char *b = (const unsigned char *)v;
	size_t i;

	if (!opt_lockstep)
		return;
	for (i = 0; i < sizeof(v); i++)
		op_hash = (op_hash ^ b[i]) * 0x100000001b3ULL;
	hashed++;
}

static unsigned int rn(struct fuzz_thread *t, unsigned int n)
{
	return n ? rnd(t) % n : 0;
}

static int chance(struct fuzz_thread *t, unsigned int pct)
{
	return rn(t, 100) < pct;
}

static void report(unsigned long *counter, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	if (*counter < 10) {
		printf("# FAIL: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
	(*counter)++;
	pthread_mutex_unlock(&report_lock);
}

static int errno_ok(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOMEM: case EMFILE: case EEXIST:
	case ENOENT: case EBADF: case EBUSY: case ENOSPC: case ENOTTY:
	case EINTR: case E2BIG: case ENODEV:
		return 1;
	}
	return 0;
}

/* One ioctl, counted and checked against the documented errno values. */
static long do_ioctl(struct fuzz_thread *t, int fd, int which, void *arg)
{
	long ret;

	t->ops++;
	t->cov[which]++;
	ret = ioctl(fd, ioc_cmds[which], arg);
	hash_result(t->id, which, ret, errno);
	if (ret < 0 && !errno_ok(errno))
		report(&fail_errno, "thread %d: %s on fd %d: unexpected errno %d (%s)",
		       t->id, ioc_names[which], fd, errno, strerror(errno));
	if (opt_verbose)
		printf("# %llu t%d %s fd %d -> %ld (%d)\n", turns, t->id,
		       ioc_names[which], fd, ret, ret < 0 ? errno : 0);
	return ret;
}

static void *bad_ptr(struct fuzz_thread *t, size_t size)
{
	switch (rn(t, 4)) {
	case 0:
		return NULL;
	case 1:
		return bad_page + rn(t, 4096);
	case 2:
		/* straddles into the unmapped page */
		return edge_page + 4096 - 1 - rn(t, size > 1 ? size - 1 : 1);
	default:
		return (void *)0xffff888000000000ULL;
	}
}

static void expect_efault(struct fuzz_thread *t, int fd, int which)
{
	void *p = bad_ptr(t, _IOC_SIZE(ioc_cmds[which]));
	long ret = do_ioctl(t, fd, which, p);

	/* EBADF: another thread closed the fd; ENOTTY: it was reused. */
	if (ret >= 0 || (errno != EFAULT && errno != EBADF && errno != ENOTTY))
		report(&fail_efault, "thread %d: %s with pointer %p: %ld errno %d, want -EFAULT",
		       t->id, ioc_names[which], p, ret, ret < 0 ? errno : 0);
}

static const uint32_t ioapic_versions[] = { 0, 0x11, 0x20 };
static const uint32_t odd_msrs[] = { 0x1b, 0x6e0, 0x7ff, 0x900, 0 };
static const uint64_t apic_bases[] = { 0x800, 0xc00, 0x900, 0 };
static const int64_t wait_ns[] = { 0, 1000, 50000, 300000 };

static uint64_t rand_msi_addr(struct fuzz_thread *t)
{
	if (chance(t, 5))
		return rnd(t);
	return 0xfee00000ULL | (rn(t, 8) << 12) | (rn(t, 4) << 2) |
	       (chance(t, 3) ? 0x100 : 0) |
	       (chance(t, 2) ? ((uint64_t)rn(t, 8) << 32) : 0);
}

static uint32_t rand_msi_data(struct fuzz_thread *t)
{
	static const uint32_t modes[] = { 0, 1, 2, 4, 5, 6, 7, 3 };

	if (chance(t, 5))
		return rnd(t);
	return (0x20 + rn(t, 0xe0)) | (chance(t, 10) ? rn(t, 0x20) : 0) |
	       (chance(t, 85) ? 0 : modes[rn(t, 8)] << 8) |
	       (chance(t, 20) ? 1 << 14 : 0) | (chance(t, 20) ? 1 << 15 : 0);
}

static uint32_t rand_gsi(struct fuzz_thread *t)
{
	if (chance(t, 80))
		return rn(t, 24);
	if (chance(t, 80))
		return rn(t, 1100);
	return rnd(t);
}

static int pick(struct fuzz_thread *t, const int *fds, int n)
{
	return fds[rn(t, n)];
}

/* A VM fd: one of ours, the shared one, or a stale/closed one. */
static struct vm_slot *pick_vm(struct fuzz_thread *t)
{
	return &t->vms[rn(t, NR_VMS)];
}

static void op_create_vm(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);
	struct vlapic_create_vm c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.flags = chance(t, 90) ? rn(t, 8) : rnd(t);
	/* These VMs play emulated CPUs (WAIT, GET_INTERRUPT), never RUN. */
	c.flags &= ~VLAPIC_VM_RUN;
	c.max_vcpus = chance(t, 85) ? 1 + rn(t, NR_VCPUS) :
		      (chance(t, 50) ? rn(t, 600) : rnd(t));
	c.tsc_khz = chance(t, 80) ? rn(t, 4000000) : rnd(t);
	c.ioapic_version = chance(t, 80) ? ioapic_versions[rn(t, 3)]
					 : rnd(t);
	c.ioapic_base = chance(t, 85) ? 0 : (chance(t, 50) ?
			(rnd(t) & 0xfffff000ULL) : rnd(t));
	if (chance(t, 3))
		c.reserved[rn(t, 4)] = rnd(t) | 1;
	fd = do_ioctl(t, devfd, I_CREATE_VM, &c);
	if (fd < 0)
		return;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	s->max_vcpus = c.max_vcpus;
}

static void op_create_vcpu(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);
	struct vlapic_create_vcpu c;
	int i = rn(t, NR_VCPUS), fd;

	if (s->fd < 0)
		return;
	memset(&c, 0, sizeof(c));
	c.index = chance(t, 90) ? (unsigned int)i : rnd(t);
	c.apic_id = chance(t, 80) ? c.index : (chance(t, 50) ? rn(t, 0x100) :
						rnd(t));
	if (chance(t, 3))
		c.flags = rnd(t) | 1;
	if (chance(t, 3))
		c.reserved[rn(t, 2)] = 1;
	fd = do_ioctl(t, s->fd, I_CREATE_VCPU, &c);
	if (fd < 0)
		return;
	if (c.index >= NR_VCPUS) {
		close(fd);
		return;
	}
	if (s->vcpu[c.index] >= 0)
		close(s->vcpu[c.index]);
	s->vcpu[c.index] = fd;
}

static int any_vm_fd(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);

	if (chance(t, 30) || s->fd < 0)
		return shared.vm;
	return s->fd;
}

static int any_vcpu_fd(struct fuzz_thread *t, struct vm_slot **owner)
{
	struct vm_slot *s = pick_vm(t);
	int fd = s->vcpu[rn(t, NR_VCPUS)];

	*owner = s;
	if (chance(t, 25) || fd < 0) {
		*owner = NULL;
		return pick(t, shared.vcpu, NR_VCPUS);
	}
	return fd;
}

static void op_irq_line(struct fuzz_thread *t)
{
	struct vlapic_irq_line l = { rand_gsi(t), rn(t, 2), 0, 0 };

	if (chance(t, 3))
		l.level = rnd(t);
	if (chance(t, 3))
		l.flags = 1;
	if (do_ioctl(t, any_vm_fd(t), I_IRQ_LINE, &l) > 0)
		report(&fail_state, "thread %d: IRQ_LINE returned > 0", t->id);
}

static void op_msi(struct fuzz_thread *t)
{
	struct vlapic_msi m = { rand_msi_addr(t), rand_msi_data(t), 0, 0 };

	if (chance(t, 3))
		m.flags = rnd(t);
	if (chance(t, 3))
		m.reserved = rnd(t);
	if (do_ioctl(t, any_vm_fd(t), I_SIGNAL_MSI, &m) > 1)
		report(&fail_state, "thread %d: SIGNAL_MSI returned > 1", t->id);
}

static void op_routing(struct fuzz_thread *t)
{
	static __thread struct vlapic_gsi_route r[64];
	struct vlapic_gsi_routing h;
	unsigned int i, n = rn(t, 64);

	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].gsi = chance(t, 90) ? rn(t, 32) : rand_gsi(t);
		r[i].type = chance(t, 95) ? 1 + rn(t, 2) : rnd(t);
		if (r[i].type == VLAPIC_ROUTE_TYPE_IOAPIC) {
			r[i].pin = chance(t, 95) ? rn(t, 24) : rnd(t);
		} else {
			r[i].msi_address = rand_msi_addr(t);
			r[i].msi_data = rand_msi_data(t);
		}
		if (chance(t, 2))
			r[i].flags = 1;
		if (chance(t, 2))
			r[i].pad = 1;
	}
	h.nr = n;
	h.flags = chance(t, 3);
	h.entries = (uintptr_t)r;
	if (chance(t, 5))
		h.nr = chance(t, 50) ? max_routes + rn(t, 10) : rnd(t);
	if (chance(t, 5) && n) {
		h.entries = (uintptr_t)bad_ptr(t, n * sizeof(r[0]));
		if (!h.flags && do_ioctl(t, any_vm_fd(t), I_GSI_ROUTING, &h) >= 0)
			report(&fail_efault,
			       "thread %d: SET_GSI_ROUTING with bad entries succeeded",
			       t->id);
		return;
	}
	do_ioctl(t, any_vm_fd(t), I_GSI_ROUTING, &h);
}

static void op_batch(struct fuzz_thread *t)
{
	static __thread struct vlapic_inject e[128];
	struct vlapic_inject_batch b;
	unsigned int i, n = 1 + rn(t, 128);
	long ret;

	for (i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		if (chance(t, 60)) {
			e[i].type = VLAPIC_INJECT_MSI;
			e[i].msi_address = rand_msi_addr(t);
			e[i].msi_data = rand_msi_data(t);
		} else {
			e[i].type = VLAPIC_INJECT_LINE;
			e[i].gsi = rand_gsi(t);
			e[i].level = rn(t, 2);
		}
		if (chance(t, 1))
			e[i].type = rnd(t);
		if (chance(t, 1))
			e[i].flags = 1;
	}
	b.nr = chance(t, 95) ? n : rnd(t);
	b.flags = chance(t, 2);
	b.entries = (uintptr_t)e;
	if (chance(t, 5) && b.nr == n && !b.flags) {
		b.entries = (uintptr_t)bad_ptr(t, n * sizeof(e[0]));
		ret = do_ioctl(t, any_vm_fd(t), I_INJECT_BATCH, &b);
		if (ret >= 0)
			report(&fail_efault,
			       "thread %d: INJECT_BATCH with bad entries returned %ld",
			       t->id, ret);
		return;
	}
	ret = do_ioctl(t, any_vm_fd(t), I_INJECT_BATCH, &b);
	if (ret > (long)b.nr)
		report(&fail_state, "thread %d: INJECT_BATCH of %u returned %ld",
		       t->id, b.nr, ret);
}

static void op_irqfd(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);
	struct vlapic_irqfd a;
	int *efd, vm, i;
	uint64_t one = 1;

	if (chance(t, 30) || s->fd < 0) {
		vm = shared.vm;
		efd = shared.efd;
	} else {
		vm = s->fd;
		efd = s->efd;
	}
	i = rn(t, NR_EFDS);
	switch (rn(t, 5)) {
	case 0:		/* signal from this thread */
		if (write(efd[i], &one, sizeof(one)) < 0)
			report(&fail_errno, "eventfd write: %s", strerror(errno));
		return;
	case 1:		/* recycle an eventfd of our own VM */
		if (efd == shared.efd)
			return;
		close(efd[i]);
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (opt_lockstep) {
			/*
			 * The close queued the teardown of its bindings,
			 * which drops resampled lines later. A deassign of
			 * an unbound eventfd waits for every queued teardown.
			 */
			memset(&a, 0, sizeof(a));
			a.fd = efd[i];
			a.flags = VLAPIC_IRQFD_FLAG_DEASSIGN;
			ioctl(vm, VLAPIC_IRQFD, &a);
		}
		return;
	}
	memset(&a, 0, sizeof(a));
	a.fd = chance(t, 95) ? (uint32_t)efd[i] :
	       (chance(t, 50) ? (uint32_t)rnd(t) : (uint32_t)vm);
	a.gsi = rand_gsi(t);
	a.flags = chance(t, 90) ? rn(t, 4) : rnd(t);
	if (a.flags & VLAPIC_IRQFD_FLAG_RESAMPLE)
		a.resamplefd = efd[rn(t, NR_EFDS)];
	if (chance(t, 3))
		a.reserved[0] = 1;
	do_ioctl(t, vm, I_IRQFD, &a);
}

static const uint32_t mmio_regs[] = {
	0x20, 0x30, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0x100,
	0x170, 0x180, 0x1f0, 0x200, 0x270, 0x280, 0x2f0, 0x300, 0x310, 0x320,
	0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x390, 0x3e0, 0x3f0,
};

static uint64_t rand_reg_data(struct fuzz_thread *t, uint32_t reg)
{
	if (chance(t, 20))
		return rnd(t);
	switch (reg) {
	case 0xf0: case 0x80f:
		return 0x100 | rn(t, 0x2000);
	case 0x300: case 0x830:	/* ICR: mostly fixed to self/others */
		return (0x20 + rn(t, 0xe0)) | (rn(t, 8) << 8) |
		       (rn(t, 4) << 18) | (chance(t, 50) ? 1 << 14 : 0) |
		       (chance(t, 10) ? 1 << 15 : 0) | (chance(t, 20) ? 1 << 11 : 0);
	case 0x320: case 0x832:
		return (0x20 + rn(t, 0xe0)) | (rn(t, 4) << 17) |
		       (chance(t, 30) ? 1 << 16 : 0);
	case 0x380: case 0x838:
		return chance(t, 30) ? rn(t, 100) : rn(t, 1000000);
	case 0x3e0: case 0x83e:
		return rn(t, 16);
	}
	return rn(t, 0x100000);
}

static void op_reg_access(struct fuzz_thread *t)
{
	struct vlapic_reg_access a;
	struct vm_slot *owner;
	int fd = any_vcpu_fd(t, &owner);

	if (fd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.flags = chance(t, 50) ? VLAPIC_ACCESS_WRITE : 0;
	if (chance(t, 60)) {
		a.kind = VLAPIC_ACCESS_KIND_MMIO;
		a.address = chance(t, 80) ? mmio_regs[rn(t, sizeof(mmio_regs) / 4)] :
			    (chance(t, 80) ? rn(t, 0x1000) : rn(t, 0x3000));
		a.len = chance(t, 85) ? 4 : rn(t, 9);
		if (chance(t, 10))
			a.address += rn(t, 4);
	} else {
		a.kind = VLAPIC_ACCESS_KIND_MSR;
		a.address = chance(t, 85) ? 0x800 + rn(t, 0x100) :
			    odd_msrs[rn(t, 5)];
		a.len = chance(t, 95) ? 8 : rn(t, 9);
	}
	if (a.flags & VLAPIC_ACCESS_WRITE)
		a.data = rand_reg_data(t, a.address);
	/* Writing IA32_APIC_BASE: mostly sane values (enable, x2APIC). */
	if (a.address == 0x1b && a.kind == VLAPIC_ACCESS_KIND_MSR && a.data &&
	    chance(t, 80))
		a.data = 0xfee00000 | apic_bases[rn(t, 4)];
	if (chance(t, 2))
		a.kind = rnd(t);
	if (chance(t, 2))
		a.flags = rnd(t);
	if (chance(t, 2))
		a.fault = 1;
	/* Lockstep: no timer is armed (its expiry would be time's choice). */
	if (opt_lockstep && (a.flags & VLAPIC_ACCESS_WRITE) &&
	    ((a.kind == VLAPIC_ACCESS_KIND_MMIO && (a.address & ~0xfU) == 0x380) ||
	     (a.kind == VLAPIC_ACCESS_KIND_MSR &&
	      (a.address == 0x838 || a.address == 0x6e0))))
		a.data = 0;
	do_ioctl(t, fd, I_REG_ACCESS, &a);
}

/* The trapped IOAPIC window: IOREGSEL, IOWIN, EOI, anything else. */
static void op_ioapic_access(struct fuzz_thread *t)
{
	static const uint32_t offs[] = { 0x00, 0x10, 0x40, 0x20, 0x04, 0x14 };
	struct vlapic_reg_access a;

	memset(&a, 0, sizeof(a));
	a.kind = chance(t, 97) ? VLAPIC_ACCESS_KIND_IOAPIC : rn(t, 8);
	a.flags = chance(t, 50) ? VLAPIC_ACCESS_WRITE : 0;
	a.address = chance(t, 85) ? offs[rn(t, 6)] : rn(t, 0x200);
	a.len = chance(t, 85) ? 4 : rn(t, 10);
	if (a.flags & VLAPIC_ACCESS_WRITE)
		a.data = a.address == 0 ? rn(t, 0x40) :
			 (chance(t, 70) ? (0x20 + rn(t, 0xe0)) |
			  (rn(t, 4) << 13) | (chance(t, 30) ? 1 << 15 : 0) |
			  (chance(t, 20) ? 1 << 16 : 0) : rnd(t));
	if (chance(t, 2))
		a.fault = 1;
	do_ioctl(t, any_vm_fd(t), I_IOAPIC_ACCESS, &a);
}

static void op_wait(struct fuzz_thread *t)
{
	struct vlapic_wait w = { 0, 0, 0 };
	struct vm_slot *owner;
	int fd = any_vcpu_fd(t, &owner);

	if (fd < 0)
		return;
	w.timeout_ns = wait_ns[rn(t, 4)];
	if (chance(t, 3))
		w.flags = 1;
	if (chance(t, 3))
		w.reason = 1;
	if (do_ioctl(t, fd, I_WAIT, &w) == 0 &&
	    w.reason != VLAPIC_WAKE_EVENT && w.reason != VLAPIC_WAKE_TIMEOUT)
		report(&fail_state, "thread %d: WAIT returned reason %u", t->id,
		       w.reason);
}

static void op_get_interrupt(struct fuzz_thread *t)
{
	struct vlapic_interrupt in = { 0, 0, 0, 0 };
	struct vlapic_reg_access eoi = {
		VLAPIC_ACCESS_KIND_MMIO, VLAPIC_ACCESS_WRITE, 0xb0, 4, 0, 0, 0
	};
	struct vm_slot *owner;
	int fd = any_vcpu_fd(t, &owner);

	if (fd < 0)
		return;
	in.flags = chance(t, 90) ? rn(t, 4) : rnd(t);
	if (chance(t, 2))
		in.vector = 1;
	if (do_ioctl(t, fd, I_GET_INTERRUPT, &in) < 0)
		return;
	if (in.type > VLAPIC_INTR_EXTINT ||
	    (in.type == VLAPIC_INTR_VECTOR && in.vector > 255))
		report(&fail_state, "thread %d: GET_INTERRUPT type %u vector %u",
		       t->id, in.type, in.vector);
	if (in.type == VLAPIC_INTR_VECTOR && chance(t, 80))
		do_ioctl(t, fd, I_REG_ACCESS, &eoi);
}

static void op_lint(struct fuzz_thread *t)
{
	struct vlapic_lint l = { rn(t, 2), rn(t, 2) };
	struct vm_slot *owner;
	int fd = any_vcpu_fd(t, &owner);

	if (fd < 0)
		return;
	if (chance(t, 5))
		l.pin = rnd(t);
	if (chance(t, 5))
		l.level = rnd(t);
	do_ioctl(t, fd, I_SET_LINT, &l);
}

static void op_stats(struct fuzz_thread *t)
{
	struct vlapic_vcpu_stats vs;
	struct vlapic_vm_stats ms;
	struct vm_slot *owner;
	int fd;

	if (chance(t, 50)) {
		if (do_ioctl(t, any_vm_fd(t), I_VM_STATS, &ms) == 0 &&
		    ms.nr != VLAPIC_VM_STAT_NR)
			report(&fail_state, "VM stats nr %u", ms.nr);
		return;
	}
	fd = any_vcpu_fd(t, &owner);
	if (fd >= 0)
		do_ioctl(t, fd, I_VCPU_STATS, &vs);
}

/* Registers that a rejected SET_LAPIC cannot be blamed for changing. */
static int lapic_same(const struct vlapic_lapic_state *a,
		      const struct vlapic_lapic_state *b)
{
	int off;

	for (off = 0; off < 1024; off += 16) {
		if (off == 0x390 || (off >= 0x200 && off < 0x280) ||
		    off == 0x280 || off == 0xa0)
			continue;	/* CCR, IRR, ESR, PPR move on their own */
		if (memcmp(a->regs + off, b->regs + off, 4))
			return 0;
	}
	return a->apic_base == b->apic_base && a->mp_state == b->mp_state &&
	       a->lint_levels == b->lint_levels;
}

static void op_lapic_state(struct fuzz_thread *t)
{
	static __thread struct vlapic_lapic_state s0, s1, s2;
	struct vm_slot *owner;
	int fd = any_vcpu_fd(t, &owner), i, n;
	long ret;

	if (fd < 0)
		return;
	if (do_ioctl(t, fd, I_GET_LAPIC, &s0) < 0)
		return;
	s1 = s0;
	n = rn(t, 4);
	for (i = 0; i < n; i++) {
		int bit = chance(t, 70) ? rn(t, 1024 * 8) :
			  rn(t, sizeof(s1) * 8);

		((uint8_t *)&s1)[bit / 8] ^= 1 << (bit % 8);
	}
	if (chance(t, 10))
		s1.apic_base ^= 1ULL << rn(t, 64);
	if (chance(t, 10))
		s1.mp_state = rn(t, 3);
	if (chance(t, 10))
		s1.pending_events = rn(t, 64);
	if (opt_lockstep) {
		/* no timer: initial count, current count, deadline */
		memset(s1.regs + 0x380, 0, 0x20);
		s1.tsc_deadline = 0;
	}
	ret = do_ioctl(t, fd, I_SET_LAPIC, &s1);
	/* Only our own, unshared vCPUs can be compared. */
	if (ret < 0 && errno == EINVAL && owner &&
	    do_ioctl(t, fd, I_GET_LAPIC, &s2) == 0 && !lapic_same(&s0, &s2))
		report(&fail_state, "thread %d: rejected SET_LAPIC changed the state",
		       t->id);
}

static void op_ioapic_state(struct fuzz_thread *t)
{
	static __thread struct vlapic_ioapic_snapshot s0, s1, s2;
	struct vm_slot *s = pick_vm(t);
	int own = s->fd >= 0 && chance(t, 70), vm = own ? s->fd : shared.vm;
	int i, n;
	long ret;

	if (do_ioctl(t, vm, I_GET_IOAPIC, &s0) < 0)
		return;
	s1 = s0;
	n = rn(t, 4);
	for (i = 0; i < n; i++) {
		int bit = rn(t, sizeof(s1) * 8);

		((uint8_t *)&s1)[bit / 8] ^= 1 << (bit % 8);
	}
	ret = do_ioctl(t, vm, I_SET_IOAPIC, &s1);
	if (ret < 0 && errno == EINVAL && own &&
	    do_ioctl(t, vm, I_GET_IOAPIC, &s2) == 0) {
		for (i = 0; i < 24; i++) {
			s0.redir[i] &= ~0x5000ULL;
			s2.redir[i] &= ~0x5000ULL;
		}
		if (s0.id != s2.id || s0.ioregsel != s2.ioregsel ||
		    memcmp(s0.redir, s2.redir, sizeof(s0.redir)))
			report(&fail_state, "thread %d: rejected SET_IOAPIC changed the state",
			       t->id);
	}
}

static void op_dev(struct fuzz_thread *t)
{
	if (chance(t, 50)) {
		if (do_ioctl(t, devfd, I_API_VERSION, NULL) != VLAPIC_API_VERSION)
			report(&fail_state, "API version");
		return;
	}
	do_ioctl(t, devfd, I_CHECK_EXT, (void *)(uintptr_t)(chance(t, 80) ?
		 rn(t, 12) : rnd(t)));
}

static void op_bad_pointer(struct fuzz_thread *t)
{
	struct vm_slot *owner;
	int fd, which;

	switch (rn(t, 3)) {
	case 0:
		expect_efault(t, devfd, I_CREATE_VM);
		break;
	case 1:
		which = vm_ptr_iocs[rn(t, sizeof(vm_ptr_iocs) / sizeof(int))];
		expect_efault(t, any_vm_fd(t), which);
		break;
	default:
		fd = any_vcpu_fd(t, &owner);
		if (fd < 0)
			return;
		which = vcpu_ptr_iocs[rn(t, sizeof(vcpu_ptr_iocs) / sizeof(int))];
		expect_efault(t, fd, which);
	}
}

/* Unknown command numbers on every kind of fd. */
static void op_bad_cmd(struct fuzz_thread *t)
{
	struct vm_slot *owner;
	int fd = chance(t, 30) ? devfd : (chance(t, 50) ? any_vm_fd(t) :
					  any_vcpu_fd(t, &owner));
	/* 0x30-0x7f and 0xa0-0xff: numbers no ioctl uses (0x80-0x9f: RUN). */
	unsigned int nr = 0x30 + rn(t, 0xb0);
	unsigned long cmd = _IOC(rn(t, 4), VLAPICIO, nr < 0x80 ? nr : nr + 0x20,
				 rn(t, 64));
	long ret;

	if (fd < 0)
		return;
	t->ops++;
	ret = ioctl(fd, cmd, NULL);
	hash_result(t->id, I_NR, ret, errno);
	if (ret >= 0 || (errno != ENOTTY && errno != EBADF))
		report(&fail_errno, "unknown ioctl %#lx: errno %d", cmd, errno);
}

struct waiter {
	int fd;
	long ret;
	int err;
	unsigned int reason;
	int tid;		/* lockstep: the waiter's task ID, once known */
	int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	/* Lockstep: long, as only the close can end it (still bounded). */
	struct vlapic_wait wt = { opt_lockstep ? 5000000000LL : 20000000,
				  0, 0 };

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	w->ret = ioctl(w->fd, VLAPIC_WAIT, &wt);
	w->err = errno;
	w->reason = wt.reason;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Lockstep: wait until the waiter is asleep in its WAIT (state S: nothing
 * else in it sleeps interruptibly, and no other thread runs to hold the
 * vCPU's mutex) or has returned, so the close always finds the same.
 */
static void waiter_settle(struct waiter *w)
{
	char path[64], buf[256], *p;
	int fd, n, tries;

	for (tries = 0; tries < 1000000; tries++) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return;
		if (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE)) {
			sched_yield();
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", w->tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return;
		}
		sched_yield();
	}
}

/* Close a vCPU (or its VM) fd while another thread sleeps in WAIT on it. */
static void op_close_while_waiting(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);
	int i = rn(t, NR_VCPUS), n;
	struct waiter w;
	pthread_t th;

	if (s->vcpu[i] < 0)
		return;
	memset(&w, 0, sizeof(w));
	w.fd = s->vcpu[i];
	t->ops++;
	t->cov[I_WAIT]++;
	if (pthread_create(&th, NULL, waiter_fn, &w))
		return;
	n = rn(t, 3000);
	if (opt_lockstep)
		waiter_settle(&w);
	else
		usleep(n);
	if (chance(t, 50) && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	close(s->vcpu[i]);
	s->vcpu[i] = -1;
	pthread_join(th, NULL);
	hash_result(t->id, I_WAIT, w.ret, w.err);
	hash_result(t->id, I_WAIT, w.reason, 0);
	/* EBADF/ENOTTY: closed (and reused) before the WAIT started */
	if (w.ret < 0 && w.err != EBADF && w.err != ENOTTY)
		report(&fail_errno, "WAIT on a closing vCPU fd: errno %d", w.err);
}

static void op_close(struct fuzz_thread *t)
{
	struct vm_slot *s = pick_vm(t);
	int i;

	if (chance(t, 50)) {
		i = rn(t, NR_VCPUS);
		if (s->vcpu[i] >= 0)
			close(s->vcpu[i]);
		s->vcpu[i] = -1;
	} else if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
		if (chance(t, 30))
			for (i = 0; i < NR_VCPUS; i++) {
				if (s->vcpu[i] >= 0)
					close(s->vcpu[i]);
				s->vcpu[i] = -1;
			}
	}
}

/* --- run VMs ---------------------------------------------------------- */

/*
 * Guests, 32-bit protected mode, flat, at GPA 0x1000 (as assembled by
 * GNU as; objdump shows the instructions):
 *   io:    mov $0x80,%dx; 1: out %al,(%dx); inc %eax; jmp 1b
 *   mmio:  mov 0xfee00030,%eax; mov %eax,0xd0000000;
 *          mov 0xd0000008,%ebx; jmp mmio
 *   hlt:   sti; 1: hlt; jmp 1b
 *   msr:   mov %esi,%ecx; rdmsr; inc %esi; wrmsr; cpuid; out %al,$0x81;
 *          jmp msr
 */
static const uint8_t guest_io[] = { 0x66, 0xba, 0x80, 0x00, 0xee, 0x40,
				    0xeb, 0xfc };
static const uint8_t guest_mmio[] = { 0xa1, 0x30, 0x00, 0xe0, 0xfe, 0xa3,
				      0x00, 0x00, 0x00, 0xd0, 0x8b, 0x1d,
				      0x08, 0x00, 0x00, 0xd0, 0xeb, 0xee };
static const uint8_t guest_hlt[] = { 0xfb, 0xf4, 0xeb, 0xfd };
static const uint8_t guest_msr[] = { 0x89, 0xf1, 0x0f, 0x32, 0x46, 0x0f,
				     0x30, 0x0f, 0xa2, 0xe6, 0x81, 0xeb,
				     0xf3 };

static const struct {
	const uint8_t *code;
	size_t len;
} guests[] = {
	{ guest_io, sizeof(guest_io) },
	{ guest_mmio, sizeof(guest_mmio) },
	{ guest_hlt, sizeof(guest_hlt) },
	{ guest_msr, sizeof(guest_msr) },
};

static const uint32_t run_msrs[] = {
	0x10, 0x1b, 0x6e0, 0x802, 0x808, 0x830, 0x1a0, 0x277, 0xc0000080,
	0xc0000081, 0xc0000082, 0xc0000100, 0xc0000101, 0xc0000102,
	0xc0000103, 0x174, 0x175, 0x176, 0x179, 0x3a, 0,
};

static void flat_seg(struct vlapic_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/*
 * Run VMs' fds live above 1000: a low fd another thread closes and reuses
 * is then never a run vCPU, whose WAIT would be -EINVAL, not what the
 * irqchip ops expect of a reused fd.
 */
static int high_fd(int fd)
{
	int h;

	if (fd < 0)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, 1000);
	close(fd);
	return h;
}

static int run_slot_create(struct fuzz_thread *t, struct run_slot *r)
{
	struct vlapic_create_vm c = {
		.flags = VLAPIC_VM_RUN | VLAPIC_VM_X2APIC |
			 VLAPIC_VM_TSC_DEADLINE,
		.max_vcpus = RUN_VCPUS,
	};
	struct vlapic_userspace_memory_region m = {
		.memory_size = RUN_MEM,
	};
	int i;

	if (!r->mem) {
		r->mem = mmap(NULL, RUN_MEM, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r->mem == MAP_FAILED) {
			r->mem = NULL;
			return -1;
		}
	}
	r->vm = high_fd(do_ioctl(t, devfd, I_CREATE_VM, &c));
	if (r->vm < 0)
		return -1;
	m.userspace_addr = (uintptr_t)r->mem;
	do_ioctl(t, r->vm, I_SET_MEMORY, &m);
	for (i = 0; i < RUN_VCPUS; i++) {
		struct vlapic_create_vcpu v = { .index = i, .apic_id = i };

		r->vcpu[i] = high_fd(do_ioctl(t, r->vm, I_CREATE_VCPU, &v));
		r->run[i] = NULL;
		if (r->vcpu[i] < 0)
			continue;
		r->run[i] = mmap(NULL, run_mmap_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, r->vcpu[i], 0);
		if (r->run[i] == MAP_FAILED)
			r->run[i] = NULL;
	}
	return 0;
}

static void run_slot_close(struct run_slot *r)
{
	int i;

	for (i = 0; i < RUN_VCPUS; i++) {
		if (r->run[i])
			munmap(r->run[i], run_mmap_size);
		if (r->vcpu[i] >= 0)
			close(r->vcpu[i]);
		r->run[i] = NULL;
		r->vcpu[i] = -1;
	}
	if (r->vm >= 0)
		close(r->vm);
	r->vm = -1;
}

/* The thread's own run VM, or (outside lockstep, often) the shared one. */
static struct run_slot *pick_run(struct fuzz_thread *t)
{
	if (!opt_lockstep && chance(t, 40) && shared_run.vm >= 0)
		return &shared_run;
	if (t->rs.vm < 0)
		run_slot_create(t, &t->rs);
	return t->rs.vm >= 0 ? &t->rs : NULL;
}

static void op_run_memory(struct fuzz_thread *t, struct run_slot *r)
{
	struct vlapic_userspace_memory_region m;
	uint64_t sizes[] = { 0, 4096, RUN_MEM / 2, RUN_MEM, 3 * 4096 };

	memset(&m, 0, sizeof(m));
	m.slot = chance(t, 85) ? rn(t, 4) : rnd(t);
	m.flags = chance(t, 80) ? 0 : (chance(t, 50) ? VLAPIC_MEM_READONLY :
				       rnd(t));
	m.guest_phys_addr = chance(t, 70) ? rn(t, 8) * RUN_MEM / 2 :
			    (chance(t, 50) ? rnd(t) & ~0xfffULL : rnd(t));
	m.memory_size = chance(t, 85) ? sizes[rn(t, 5)] : rnd(t);
	m.userspace_addr = (uintptr_t)r->mem;
	if (chance(t, 10))
		m.userspace_addr = (uintptr_t)bad_ptr(t, 4096);
	else if (chance(t, 10))
		m.userspace_addr += 1 + rn(t, 4095);
	do_ioctl(t, r->vm, I_SET_MEMORY, &m);
	/* Keep the guests' code reachable most of the time. */
	if (chance(t, 60)) {
		m.slot = 0;
		m.flags = 0;
		m.guest_phys_addr = 0;
		m.memory_size = RUN_MEM;
		m.userspace_addr = (uintptr_t)r->mem;
		do_ioctl(t, r->vm, I_SET_MEMORY, &m);
	}
}

static void op_run_state(struct fuzz_thread *t, struct run_slot *r, int fd)
{
	struct vlapic_sregs s;
	struct vlapic_regs regs;

	if (do_ioctl(t, fd, I_GET_SREGS, &s) == 0) {
		flat_seg(&s.cs, 8, 0xb);
		flat_seg(&s.ds, 16, 3);
		s.es = s.ds;
		s.ss = s.ds;
		s.fs = s.ds;
		s.gs = s.ds;
		s.cr0 = 0x11;
		s.cr4 = 0;
		s.efer = 0;
		if (chance(t, 15)) {
			/*
			 * __u64, the fields' own type: through a uint64_t
			 * (unsigned long) pointer the compiler may assume the
			 * flip leaves s.efer alone (strict aliasing) and test
			 * a stale value below, as it did.
			 */
			__u64 *f = &s.cr0;

			f[rn(t, 7)] ^= 1ULL << rn(t, 64);
		}
		/*
		 * Not EFER.LME with CR0.PG and CR4.PAE clear: legal, but
		 * QEMU's TCG SVM (7.2) reloads the host's CR0 at #VMEXIT
		 * while the guest's EFER and CR4 are still loaded, refuses
		 * it as "paging on with LME and no PAE" and leaves the host
		 * running on the guest's CR0 (docs/run.md, "On QEMU").
		 */
		if ((s.efer & (1 << 8)) && !(s.cr0 & (1U << 31)) &&
		    !(s.cr4 & (1 << 5)))
			s.efer &= ~(1ULL << 8);
		if (chance(t, 5))
			s.interrupt_bitmap[rn(t, 4)] = rnd(t);
		do_ioctl(t, fd, I_SET_SREGS, &s);
	}
	(void)r;
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rsp = 0x8000;
	regs.rsi = chance(t, 50) ? run_msrs[rn(t, sizeof(run_msrs) / 4)] : rnd(t);
	regs.rflags = chance(t, 90) ? 2 : rnd(t);
	do_ioctl(t, fd, I_SET_REGS, &regs);
	do_ioctl(t, fd, I_GET_REGS, &regs);
}

static void op_run_cpuid(struct fuzz_thread *t, int fd)
{
	struct {
		struct vlapic_cpuid2 h;
		struct vlapic_cpuid_entry2 e[8];
	} c;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.h.nent = chance(t, 90) ? rn(t, 9) : (chance(t, 50) ? 257 : rnd(t));
	for (i = 0; i < 8; i++) {
		c.e[i].function = chance(t, 70) ? rn(t, 12) :
				  0x80000000 + rn(t, 9);
		c.e[i].index = rn(t, 3);
		c.e[i].flags = chance(t, 90) ? rn(t, 2) : rnd(t);
		c.e[i].eax = rnd(t);
		c.e[i].ebx = rnd(t);
		c.e[i].ecx = rnd(t);
		c.e[i].edx = rnd(t);
	}
	if (c.h.nent > 8 && c.h.nent < 257)
		c.h.nent = 8;
	do_ioctl(t, fd, I_SET_CPUID, &c);
	c.h.nent = rn(t, 9);
	do_ioctl(t, fd, I_GET_CPUID, &c);
}

static void op_run_msrs(struct fuzz_thread *t, int fd)
{
	struct {
		struct vlapic_msrs h;
		struct vlapic_msr_entry e[6];
	} m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = chance(t, 95) ? rn(t, 7) : 1000 + rn(t, 10);
	for (i = 0; i < 6; i++) {
		m.e[i].index = chance(t, 80) ?
			       run_msrs[rn(t, sizeof(run_msrs) / 4)] : rnd(t);
		m.e[i].data = chance(t, 50) ? rn(t, 0x1000) : rnd(t);
	}
	if (m.h.nmsrs > 6 && m.h.nmsrs < 1000)
		m.h.nmsrs = 6;
	/*
	 * Never EFER.LME: the fuzzed guests run without CR4.PAE (see
	 * op_run_state() and docs/run.md, "On QEMU").
	 */
	for (i = 0; i < 6; i++)
		if (m.e[i].index == 0xc0000080)
			m.e[i].data &= ~(1ULL << 8);
	do_ioctl(t, fd, chance(t, 50) ? I_SET_MSRS : I_GET_MSRS, &m);
}

/*
 * Periodic, so that a signal that lands just before the RUN starts (and
 * is taken in userspace) is followed by another that ends it.
 */
static void arm_run_timer(struct fuzz_thread *t)
{
	struct itimerspec its = {
		.it_value = { .tv_nsec = 2000000 + rn(t, 8000000) },
		.it_interval = { .tv_nsec = 5000000 },
	};

	if (t->has_timer)
		timer_settime(t->timer, 0, &its, NULL);
}

static void disarm_run_timer(struct fuzz_thread *t)
{
	struct itimerspec its = { 0 };

	if (t->has_timer)
		timer_settime(t->timer, 0, &its, NULL);
}

/* RUN a guest a few times, completing its exits with random data. */
static void op_run_guest(struct fuzz_thread *t, struct run_slot *r, int v)
{
	struct vlapic_run *run = r->run[v];
	unsigned int g = rn(t, opt_lockstep ? 2 : 5), i;
	long ret;

	if (!run)
		return;
	if (g < 4) {
		memcpy(r->mem + 0x1000, guests[g].code, guests[g].len);
	} else {
		for (i = 0; i < 64; i++)
			r->mem[0x1000 + i] = rnd(t);
	}
	op_run_state(t, r, r->vcpu[v]);
	for (i = 0; i < 1 + rn(t, 6); i++) {
		run->immediate_exit = chance(t, 5);
		if (!opt_lockstep)
			arm_run_timer(t);
		ret = do_ioctl(t, r->vcpu[v], I_RUN, NULL);
		if (!opt_lockstep)
			disarm_run_timer(t);
		run->immediate_exit = 0;
		if (ret < 0)
			break;
		switch (run->exit_reason) {
		case VLAPIC_EXIT_IO:
			if (run->io.data_offset + run->io.size * run->io.count >
			    (uint64_t)run_mmap_size)
				report(&fail_state, "IO exit data outside the mmap");
			else if (run->io.direction == VLAPIC_EXIT_IO_IN)
				memset((uint8_t *)run + run->io.data_offset,
				       rn(t, 256), run->io.size * run->io.count);
			break;
		case VLAPIC_EXIT_MMIO:
			if (run->mmio.len == 0 || run->mmio.len > 8)
				report(&fail_state, "MMIO exit of %u bytes",
				       run->mmio.len);
			*(uint64_t *)run->mmio.data = rnd(t);
			break;
		case VLAPIC_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(t);
			break;
		case VLAPIC_EXIT_X86_RDMSR:
		case VLAPIC_EXIT_X86_WRMSR:
			run->msr.error = chance(t, 50);
			run->msr.data = rnd(t);
			break;
		case VLAPIC_EXIT_SHUTDOWN:
		case VLAPIC_EXIT_INTERNAL_ERROR:
		case VLAPIC_EXIT_FAIL_ENTRY:
		case VLAPIC_EXIT_UNKNOWN:
			return;
		case VLAPIC_EXIT_INTR:
			/* The shared VM: another thread's RUN ended meanwhile. */
			if (r == &shared_run)
				return;
			report(&fail_state, "RUN: exit reason INTR after 0");
			return;
		default:
			report(&fail_state, "RUN: exit reason %u",
			       run->exit_reason);
			return;
		}
	}
}

static void op_run(struct fuzz_thread *t)
{
	struct run_slot *r;
	int v, fd, which;

	if (!run_cap)
		return;
	r = pick_run(t);
	if (!r)
		return;
	v = rn(t, RUN_VCPUS);
	fd = r->vcpu[v];
	if (fd < 0)
		return;
	switch (rn(t, 10)) {
	case 0:
		op_run_memory(t, r);
		break;
	case 1:
		op_run_state(t, r, fd);
		break;
	case 2:
		op_run_cpuid(t, fd);
		break;
	case 3:
		op_run_msrs(t, fd);
		break;
	case 4:
		which = run_ptr_iocs[rn(t, sizeof(run_ptr_iocs) / sizeof(int))];
		expect_efault(t, fd, which);
		break;
	case 5:
		if (chance(t, 50)) {
			struct vlapic_msi msi = {
				.address = 0xfee00000 | (rn(t, 2) << 12),
				.data = 0x30 + rn(t, 0xc0),
			};

			do_ioctl(t, r->vm, I_SIGNAL_MSI, &msi);
		} else if (chance(t, 50)) {
			struct vlapic_irq_line l = { .gsi = rn(t, 24),
						     .level = rn(t, 2) };

			do_ioctl(t, r->vm, I_IRQ_LINE, &l);
		} else {
			/* An 8259's vector, and LINT0 as its INTR line. */
			struct vlapic_extint e = {
				.irq = chance(t, 90) ? rn(t, 256) : rnd(t),
			};
			struct vlapic_lint l = { .pin = 0, .level = rn(t, 2) };

			do_ioctl(t, fd, I_INTERRUPT, &e);
			do_ioctl(t, fd, I_SET_LINT, &l);
		}
		break;
	case 6:
		/* The irqchip-only ioctls are refused on a run VM. */
		{
			struct vlapic_wait w = { 0 };

			if (do_ioctl(t, fd, I_WAIT, &w) == 0 || errno != EINVAL)
				report(&fail_state, "WAIT on a run VM's vCPU");
		}
		break;
	default:
		/*
		 * In lockstep nothing ends a RUN but its guest: only the BSP
		 * runs (an AP waits for a SIPI nobody sends).
		 */
		op_run_guest(t, r, opt_lockstep ? 0 : v);
		break;
	}
	/* Sometimes start over: the VM, its vCPUs and mappings go. */
	if (r == &t->rs && chance(t, 3))
		run_slot_close(r);
}

static void run_timer_signal(int sig)
{
	(void)sig;
}

static void run_setup(void)
{
	struct sigaction sa = { .sa_handler = run_timer_signal };

	run_cap = ioctl(devfd, VLAPIC_CHECK_EXTENSION, VLAPIC_CAP_RUN);
	if (run_cap <= 0) {
		run_cap = 0;
		printf("# vlapic-fuzz: no run backend: run VMs left out\\n");
		return;
	}
	run_mmap_size = ioctl(devfd, VLAPIC_GET_VCPU_MMAP_SIZE, 0);
	/* No SA_RESTART: the timer's signal ends a RUN. */
	sigaction(SIGUSR2, &sa, NULL);
}

/* A per-thread timer that signals only this thread (SIGUSR2). */
static void run_thread_setup(struct fuzz_thread *t)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR2,
	};

	t->rs.vm = -1;
	t->rs.vcpu[0] = -1;
	t->rs.vcpu[1] = -1;
	if (!run_cap || opt_lockstep)
		return;
	sev._sigev_un._tid = gettid();
	t->has_timer = !timer_create(CLOCK_MONOTONIC, &sev, &t->timer);
}

static void fuzz_one(struct fuzz_thread *t)
{
	unsigned int r = rn(t, 1100);

	if (r >= 1000)
		op_run(t);
	else if (r < 40)
		op_create_vm(t);
	else if (r < 100)
		op_create_vcpu(t);
	else if (r < 160)
		op_irq_line(t);
	else if (r < 240)
		op_msi(t);
	else if (r < 270)
		op_routing(t);
	else if (r < 300)
		op_batch(t);
	else if (r < 360)
		op_irqfd(t);
	else if (r < 560)
		op_reg_access(t);
	else if (r < 620)
		op_wait(t);
	else if (r < 700)
		op_get_interrupt(t);
	else if (r < 730)
		op_lint(t);
	else if (r < 760)
		op_stats(t);
	else if (r < 820)
		op_lapic_state(t);
	else if (r < 845)
		op_ioapic_state(t);
	else if (r < 860)
		op_ioapic_access(t);
	else if (r < 880)
		op_dev(t);
	else if (r < 950)
		op_bad_pointer(t);
	else if (r < 960)
		op_bad_cmd(t);
	else if (r < 965)
		op_close_while_waiting(t);
	else if (r < 980)
		op_close(t);
	else if (r < 990)
		op_ioapic_access(t);
	else
		op_reg_access(t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Lockstep: hand the next turn to a thread drawn from the turn PRNG. */
static void turn_next_locked(void)
{
	int i;

	if (!turns_left) {
		turn = -2;
		for (i = 0; i < opt_threads; i++)
			pthread_cond_signal(&turn_cond[i]);
		return;
	}
	turns_left--;
	turn = splitmix64(&turn_rng) % opt_threads;
	pthread_cond_signal(&turn_cond[turn]);
}

/* Lockstep: run the ops of thread @t, each in its turn. */
static void lockstep_loop(struct fuzz_thread *t)
{
	pthread_mutex_lock(&turn_lock);
	for (;;) {
		while (turn != t->id && turn != -2)
			pthread_cond_wait(&turn_cond[t->id], &turn_lock);
		if (turn == -2)
			break;
		pthread_mutex_unlock(&turn_lock);
		fuzz_one(t);
		pthread_mutex_lock(&turn_lock);
		turns++;
		turn_next_locked();
	}
	pthread_mutex_unlock(&turn_lock);
}

/* A thread's VM slots, made before the threads start (fd numbers). */
static void thread_init(struct fuzz_thread *t)
{
	int i, j;

	for (i = 0; i < NR_VMS; i++) {
		t->vms[i].fd = -1;
		for (j = 0; j < NR_VCPUS; j++)
			t->vms[i].vcpu[j] = -1;
		for (j = 0; j < NR_EFDS; j++)
			t->vms[i].efd[j] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
}

static void *fuzz_thread_fn(void *arg)
{
	struct fuzz_thread *t = arg;
	unsigned long long per = opt_ops ? opt_ops / opt_threads : 0;
	int i, j;

	run_thread_setup(t);
	if (opt_lockstep)
		lockstep_loop(t);
	else
		while (!LOAD(stop) && (!per || t->ops < per))
			fuzz_one(t);
	for (i = 0; i < NR_VMS; i++) {
		if (t->vms[i].fd >= 0)
			close(t->vms[i].fd);
		for (j = 0; j < NR_VCPUS; j++)
			if (t->vms[i].vcpu[j] >= 0)
				close(t->vms[i].vcpu[j]);
		for (j = 0; j < NR_EFDS; j++)
			close(t->vms[i].efd[j]);
	}
	if (t->has_timer)
		timer_delete(t->timer);
	run_slot_close(&t->rs);
	return NULL;
}

static void setup_shared(void)
{
	struct vlapic_create_vm c = {
		.flags = VLAPIC_VM_FLAGS_ALL & ~(VLAPIC_VM_RUN | VLAPIC_VM_APICV_MASK),
		.max_vcpus = NR_VCPUS,
	};
	int i;

	shared.vm = ioctl(devfd, VLAPIC_CREATE_VM, &c);
	if (shared.vm < 0) {
		printf("Bail out! shared VM: %s\n", strerror(errno));
		exit(1);
	}
	for (i = 0; i < NR_VCPUS; i++) {
		struct vlapic_create_vcpu v = { .index = i, .apic_id = i };

		shared.vcpu[i] = ioctl(shared.vm, VLAPIC_CREATE_VCPU, &v);
		if (shared.vcpu[i] < 0) {
			printf("Bail out! shared vCPU: %s\n", strerror(errno));
			exit(1);
		}
	}
	for (i = 0; i < NR_EFDS; i++)
		shared.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* The run VM all threads race on (outside lockstep). */
	if (run_cap && !opt_lockstep) {
		static struct fuzz_thread setup;

		run_slot_create(&setup, &shared_run);
	}
}

/*
 * Regression (seed 1795429547): binding an eventfd that is already
 * signalled read its count without the eventfd's lock (lockdep WARNING in
 * eventfd_ctx_do_read()). Bind signalled eventfds, resampling or not; the
 * harness fails the boot on the splat.
 */
static int irqfd_signalled_regression(void)
{
	struct vlapic_irqfd a;
	uint64_t one = 1;
	int i, efd, rfd, bad = 0;

	for (i = 0; i < 2; i++) {
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			bad++;
		memset(&a, 0, sizeof(a));
		a.fd = efd;
		a.gsi = 5 + i;
		if (i) {
			a.flags = VLAPIC_IRQFD_FLAG_RESAMPLE;
			a.resamplefd = rfd;
		}
		if (ioctl(shared.vm, VLAPIC_IRQFD, &a))
			bad++;
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			bad++;
		a.flags = VLAPIC_IRQFD_FLAG_DEASSIGN;
		a.resamplefd = 0;
		if (ioctl(shared.vm, VLAPIC_IRQFD, &a))
			bad++;
		close(efd);
		close(rfd);
	}
	return bad;
}

static void print_replay(void)
{
	if (opt_lockstep)
		printf("# replay: vlapic-fuzz --lockstep --seed %llu --threads %d --ops %llu\n",
		       opt_seed, opt_threads, opt_ops);
	else
		printf("# replay: vlapic-fuzz --seed %llu --threads %d --seconds %llu\n",
		       opt_seed, opt_threads, opt_seconds);
}

static void usage(void)
{
	fprintf(stderr, "%s [--seed N] [--ops N] [--threads N] [--seconds N] %s\n",
		"vlapic-fuzz", "[--lockstep] [--verbose]");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzz_thread th[MAX_THREADS];
	unsigned long long total = 0;
	int i, j, n = 0, nr_cov = 0, need, reg;
	double t0, el;
	char *m;

	opt_seed = (unsigned long long)time(NULL) ^ getpid();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--verbose")) {
			opt_verbose = 1;
			continue;
		}
		if (!strcmp(argv[i], "--lockstep")) {
			opt_lockstep = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seed"))
			opt_seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			opt_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			opt_threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds"))
			opt_seconds = strtoull(argv[++i], NULL, 0);
		else
			usage();
	}
	if (opt_threads < 1 || opt_threads > MAX_THREADS)
		usage();
	if (opt_lockstep && !opt_ops)
		opt_ops = 2000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# vlapic-fuzz: seed %llu threads %d seconds %llu ops %llu%s\n",
	       opt_seed, opt_threads, opt_seconds, opt_ops,
	       opt_lockstep ? " lockstep" : "");
	print_replay();
	printf("1..6\n");
	devfd = open("/dev/vlapic", O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		printf("Bail out! /dev/vlapic: %s\n", strerror(errno));
		return 1;
	}
	i = ioctl(devfd, VLAPIC_CHECK_EXTENSION, VLAPIC_CAP_GSI_ROUTING);
	if (i > 0)
		max_routes = i;
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	/*
	 * PROT_NONE, not munmap(): an unmapped hole is where the next mmap()
	 * (a run structure, guest RAM) lands, and "bad" pointers then point
	 * at live data. That made a SET_SREGS meant to fault load guest
	 * RAM as registers, EFER.LME with CR0.PG and CR4.PAE clear among
	 * them: the QEMU defect of docs/run.md, a hung test VM.
	 */
	if (mprotect(m + 4096, 4096, PROT_NONE))
		return 1;
	edge_page = m;
	bad_page = m + 4096;
	run_setup();
	setup_shared();
	reg = irqfd_signalled_regression();
	printf("%sok 1 - fuzz: irqfd bound to an already signalled eventfd\n",
	       reg ? "not " : "");

	t0 = now();
	for (i = 0; i < opt_threads; i++) {
		th[i].id = i;
		th[i].rng = opt_seed + i;
		pthread_cond_init(&turn_cond[i], NULL);
		thread_init(&th[i]);
	}
	for (i = 0; i < opt_threads; i++)
		pthread_create(&th[i].tid, NULL, fuzz_thread_fn, &th[i]);
	if (opt_lockstep) {
		/* its own stream: the turns do not shift the threads' draws */
		turn_rng = opt_seed ^ 0x6c6f636b73746570ULL;
		pthread_mutex_lock(&turn_lock);
		turns_left = opt_ops;
		turn_next_locked();
		pthread_mutex_unlock(&turn_lock);
		STORE(stop, 1);
	}
	while (!LOAD(stop)) {
		usleep(100000);
		if (opt_seconds && now() - t0 >= opt_seconds)
			STORE(stop, 1);
		for (i = 0, n = 0; i < opt_threads; i++)
			n += opt_ops && th[i].ops >= opt_ops / opt_threads;
		if (opt_ops && n == opt_threads)
			STORE(stop, 1);
	}
	for (i = 0; i < opt_threads; i++) {
		pthread_join(th[i].tid, NULL);
		total += th[i].ops;
		for (j = 0; j < I_NR; j++)
			covered[j] += th[i].cov[j];
	}
	el = now() - t0;
	/* Without a run backend the run VMs' ioctls cannot be reached. */
	need = run_cap ? I_NR : I_SET_MEMORY;
	for (j = 0; j < need; j++)
		nr_cov += covered[j] != 0;
	printf("# vlapic-fuzz: seed %llu: %llu ops in %.1f s, %.0f ops/s, %d/%d ioctls covered\n",
	       opt_seed, total, el, total / el, nr_cov, need);
	for (j = 0; j < I_NR; j++)
		printf("#   %-16s %llu\n", ioc_names[j], covered[j]);
	if (opt_lockstep)
		printf("# vlapic-fuzz: lockstep hash %016llx over %llu results, %llu turns\n",
		       (unsigned long long)op_hash, hashed, turns);
	for (i = 0; i < NR_VCPUS; i++)
		close(shared.vcpu[i]);
	close(shared.vm);
	run_slot_close(&shared_run);
	close(devfd);

	printf("%sok 2 - fuzz: ioctls fail only with documented errno values (%lu bad)\n",
	       fail_errno ? "not " : "", fail_errno);
	printf("%sok 3 - fuzz: bad user pointers give -EFAULT (%lu bad)\n",
	       fail_efault ? "not " : "", fail_efault);
	printf("%sok 4 - fuzz: outputs sane, rejected restores change nothing (%lu bad)\n",
	       fail_state ? "not " : "", fail_state);
	printf("%sok 5 - fuzz: every ioctl exercised (%d/%d)\n",
	       nr_cov == need ? "" : "not ", nr_cov, need);
	printf("%sok 6 - fuzz: ops executed (%llu)\n", total ? "" : "not ", total);
	if (fail_errno || fail_efault || fail_state || nr_cov != need || !total ||
	    reg) {
		print_replay();
		return 1;
	}
	return 0;
}
