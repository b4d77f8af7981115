// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-failslab: VM, vCPU, route, irqfd, batch and LAPIC state ioctls,
 * and a run VM's creation, memory region and first RUN, under
 * injected allocation failures, by two mechanisms in turn: the slab
 * allocator (CONFIG_FAILSLAB, /sys/kernel/debug/failslab) and the page
 * allocator (CONFIG_FAIL_PAGE_ALLOC, /sys/kernel/debug/fail_page_alloc,
 * min-order 0, so slab refills, order-0 pages and vmalloc's backing pages
 * fail too).
 *
 *   vlapic-failslab [--seed N] [--rounds N] [--mode slab|page|both]
 *
 * --rounds is per mechanism. Only this process fails allocations (the
 * task-filter and /proc/self/make-it-fail, set around each ioctl only).
 * Every failing ioctl must fail with -ENOMEM (or -EMFILE/-ENFILE, which fd
 * allocation documents); after each mechanism the VM used throughout still
 * works. The number of allocations failed is counted per mechanism (the
 * attribute's "times" budget). Leaks are found by the harness's kmemleak
 * scan at the end of the boot; an allocation warning (a stack dump) fails
 * the boot too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vlapic.h>

#define DBG	"/sys/kernel/debug/"
#define TIMES0	1000000L

/* One injection mechanism: its debugfs directory and its tallies. */
struct mech {
	const char *name;	/* slab, page */
	const char *dir;	/* under DBG */
	int calls, failed_calls, bad_errno, works;
	long failed;		/* allocations failed */
	int run_vms, run_ran, run_broken;	/* round_run() */
};

static struct mech mechs[] = {
	{ .name = "slab", .dir = DBG "failslab/" },
	{ .name = "page", .dir = DBG "fail_page_alloc/" },
};

static struct mech *cur;
static int make_it_fail = -1;
static int run_cap;	/* VLAPIC_CAP_RUN: the run loop is there */

/* Big buffers live in .bss: mlockall() keeps them resident. */
static struct vlapic_gsi_route routes[1024];
static struct vlapic_inject injects[4096];
/*
 * The run VMs' guest memory (mmap()ed after mlockall(): resident), with
 * real-mode "1: mov $0x41, %al; out %al, $0x80; jmp 1b" at 0x1000.
 */
#define GUEST_MEM_SIZE	(64 << 10)
static uint8_t *guest_mem;
static const uint8_t guest_code[] = { 0xb0, 0x41, 0xe6, 0x80, 0xeb, 0xfa };

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) < 0 ? -1 : 0;
	close(fd);
	return ret;
}

static int attr(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", cur->dir, name);
	return put(path, val);
}

static long get(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	if (fd >= 0)
		close(fd);
	return strtol(buf, NULL, 0);
}

static void inject(int on)
{
	/* Writing make-it-fail allocates nothing: it cannot fail itself. */
	while (pwrite(make_it_fail, on ? "1" : "0", 1, 0) != 1)
		;
}

/* An ioctl under injection: success, or one of the allocation errnos. */
static long fi_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	long ret;

	int err;

	inject(1);
	ret = ioctl(fd, cmd, arg);
	err = errno;
	inject(0);
	cur->calls++;
	if (ret < 0) {
		cur->failed_calls++;
		if (err != ENOMEM && err != EMFILE && err != ENFILE) {
			printf("# %s: %s: unexpected errno %d (%s)\n",
			       cur->name, what, err, strerror(err));
			cur->bad_errno++;
		}
	}
	errno = err;
	return ret;
}

static int reg(int vcpu, uint32_t off, uint32_t val, int write)
{
	struct vlapic_reg_access a = {
		.kind = VLAPIC_ACCESS_KIND_MMIO, .address = off, .len = 4,
		.flags = write ? VLAPIC_ACCESS_WRITE : 0, .data = val,
	};

	return ioctl(vcpu, VLAPIC_REG_ACCESS, &a);
}

static void round_ops(int dev, int vm, uint64_t *rng, int *vcpus)
{
	struct vlapic_create_vm c = { .max_vcpus = 4 };
	struct vlapic_inject_batch b;
	struct vlapic_lapic_state st;
	struct vlapic_gsi_routing h;
	struct vlapic_irqfd irqfd;
	struct vlapic_vm_stats vs;
	struct vlapic_vcpu_stats cs;
	struct vlapic_reg_access ra;
	int fd, i, efd, rfd, nr;

	*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
	/* a VM and vCPUs that live for the round */
	fd = fi_ioctl(dev, VLAPIC_CREATE_VM, &c, "CREATE_VM");
	for (i = 0; fd >= 0 && i < 4; i++) {
		struct vlapic_create_vcpu cv = { .index = i, .apic_id = i };
		int v = fi_ioctl(fd, VLAPIC_CREATE_VCPU, &cv, "CREATE_VCPU");

		if (v >= 0)
			close(v);
	}
	if (fd >= 0)
		close(fd);
	/* a vCPU of the long-lived VM, in a slot that is still free */
	for (i = 0; i < 4; i++) {
		struct vlapic_create_vcpu cv = { .index = i, .apic_id = i };

		if (vcpus[i] >= 0)
			continue;
		vcpus[i] = fi_ioctl(vm, VLAPIC_CREATE_VCPU, &cv, "CREATE_VCPU");
		break;
	}
	/*
	 * A routing table of 11 .. 1023 routes: a table bigger than a page
	 * (kvmalloc: a high-order kmalloc, then vmalloc's order-0 pages).
	 * GSI i goes to an IOAPIC pin; GSI 10 always to one, for resample.
	 */
	nr = 11 + (*rng >> 8) % 1013;
	memset(routes, 0, sizeof(routes));
	for (i = 0; i < nr; i++) {
		routes[i].gsi = i;
		routes[i].type = VLAPIC_ROUTE_TYPE_IOAPIC;
		routes[i].pin = i < 4 ? (*rng >> (i * 4)) % 24 : (uint32_t)i % 24;
	}
	h.nr = nr;
	h.flags = 0;
	h.entries = (uintptr_t)routes;
	fi_ioctl(vm, VLAPIC_SET_GSI_ROUTING, &h, "SET_GSI_ROUTING");

	/* a plain irqfd, and a resampling one (a 64 KiB route snapshot) */
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC);
	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = efd;
	irqfd.gsi = 10;
	if (*rng & 2) {
		irqfd.flags = VLAPIC_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = rfd;
	}
	if (fi_ioctl(vm, VLAPIC_IRQFD, &irqfd, "IRQFD") == 0) {
		irqfd.flags = VLAPIC_IRQFD_FLAG_DEASSIGN;
		irqfd.resamplefd = 0;
		if (*rng & 1)
			fi_ioctl(vm, VLAPIC_IRQFD, &irqfd, "IRQFD deassign");
	}
	close(rfd);
	close(efd);

	/* a batch of 64 .. 4095 MSIs: up to 96 KiB copied in */
	nr = 64 + (*rng >> 20) % 4032;
	memset(injects, 0, sizeof(injects));
	for (i = 0; i < nr; i++) {
		injects[i].type = VLAPIC_INJECT_MSI;
		injects[i].msi_address = 0xfee00000 | ((i % 4) << 12);
		injects[i].msi_data = 0x40 + i % 64;
	}
	b.nr = nr;
	b.flags = 0;
	b.entries = (uintptr_t)injects;
	fi_ioctl(vm, VLAPIC_INJECT_BATCH, &b, "INJECT_BATCH");
	fi_ioctl(vm, VLAPIC_GET_VM_STATS, &vs, "GET_VM_STATS");
	for (i = 0; i < 4; i++) {
		if (vcpus[i] < 0)
			continue;
		/* an APIC ID change rebuilds the bus's map (allocations) */
		memset(&ra, 0, sizeof(ra));
		ra.kind = VLAPIC_ACCESS_KIND_MMIO;
		ra.address = 0x20;
		ra.len = 4;
		ra.flags = VLAPIC_ACCESS_WRITE;
		ra.data = (uint32_t)(i + (*rng & 4)) << 24;
		fi_ioctl(vcpus[i], VLAPIC_REG_ACCESS, &ra, "REG_ACCESS ID");
		fi_ioctl(vcpus[i], VLAPIC_GET_VCPU_STATS, &cs, "GET_VCPU_STATS");
		if (fi_ioctl(vcpus[i], VLAPIC_GET_LAPIC, &st, "GET_LAPIC") == 0)
			fi_ioctl(vcpus[i], VLAPIC_SET_LAPIC, &st, "SET_LAPIC");
	}
}

/* The vCPU at 0x1000 in real mode; 0 or -1. */
static int run_setup(int vcpu)
{
	struct vlapic_sregs sr;
	struct vlapic_regs r;

	if (ioctl(vcpu, VLAPIC_GET_SREGS, &sr) ||
	    ioctl(vcpu, VLAPIC_GET_REGS, &r))
		return -1;
	sr.cs.base = 0;
	sr.cs.selector = 0;
	r.rip = 0x1000;
	if (ioctl(vcpu, VLAPIC_SET_SREGS, &sr) ||
	    ioctl(vcpu, VLAPIC_SET_REGS, &r))
		return -1;
	return 0;
}

/* One RUN: 1 for the guest's OUT to port 0x80, 0 for another exit. */
static int run_io80(int vcpu, struct vlapic_run *run, int injected)
{
	long ret = injected ? fi_ioctl(vcpu, VLAPIC_RUN, NULL, "RUN") :
			      ioctl(vcpu, VLAPIC_RUN, NULL);

	return ret == 0 && run->exit_reason == VLAPIC_EXIT_IO &&
	       run->io.port == 0x80;
}

/*
 * A VLAPIC_VM_RUN VM: creation, its memory region and its first RUN under
 * injection. Where it was set up, the guest then either ran (its OUT) or
 * RUN failed cleanly, and it runs on without injection. Its vCPU is
 * created without injection: that path calls the kernel's
 * fpu_alloc_guest_fpstate(), whose vzalloc() has no __GFP_NOWARN, so a
 * failure there prints a vmalloc allocation warning (a splat for the
 * harness; KVM's vCPU creation does the same). The module's own
 * allocations of it use the same error path as the rest.
 */
static void round_run(int dev)
{
	struct vlapic_create_vm c = { .flags = VLAPIC_VM_RUN, .max_vcpus = 1 };
	struct vlapic_userspace_memory_region m = {
		.slot = 0, .memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)guest_mem,
	};
	struct vlapic_create_vcpu cv = { .index = 0, .apic_id = 0 };
	struct vlapic_run *run;
	long size;
	int vm, vcpu, ok;

	memcpy(guest_mem + 0x1000, guest_code, sizeof(guest_code));
	vm = fi_ioctl(dev, VLAPIC_CREATE_VM, &c, "CREATE_VM (run)");
	if (vm < 0)
		return;
	if (fi_ioctl(vm, VLAPIC_SET_USER_MEMORY_REGION, &m,
		     "SET_USER_MEMORY_REGION")) {
		close(vm);
		return;
	}
	vcpu = ioctl(vm, VLAPIC_CREATE_VCPU, &cv);
	size = ioctl(dev, VLAPIC_GET_VCPU_MMAP_SIZE, 0);
	run = vcpu < 0 || size <= 0 ? MAP_FAILED :
	      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run != MAP_FAILED && !run_setup(vcpu)) {
		cur->run_vms++;
		cur->run_ran += run_io80(vcpu, run, 1);
		ok = run_io80(vcpu, run, 0) && run_io80(vcpu, run, 0);
		cur->run_broken += !ok;
	}
	if (run != MAP_FAILED)
		munmap(run, size);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
}

/* The long-lived VM still works: its BSP takes a fresh MSI first. */
static int vm_works(int vm, int *vcpus)
{
	struct vlapic_interrupt in;
	struct vlapic_msi m;
	int i, works = 1;

	for (i = 0; i < 4; i++) {
		struct vlapic_create_vcpu cv = { .index = i, .apic_id = i };

		if (vcpus[i] < 0)
			vcpus[i] = ioctl(vm, VLAPIC_CREATE_VCPU, &cv);
		works &= vcpus[i] >= 0;
	}
	if (!works)
		return 0;
	works &= reg(vcpus[0], 0x20, 0, 1) == 0;	/* APIC ID 0 */
	works &= reg(vcpus[0], 0x80, 0, 1) == 0;	/* TPR 0 */
	works &= reg(vcpus[0], 0xf0, 0x1ff, 1) == 0;
	memset(&m, 0, sizeof(m));
	m.address = 0xfee00000;
	m.data = 0xe0;		/* above every vector the rounds sent */
	works &= ioctl(vm, VLAPIC_SIGNAL_MSI, &m) == 1;
	memset(&in, 0, sizeof(in));
	in.flags = VLAPIC_INTR_IF;
	works &= ioctl(vcpus[0], VLAPIC_GET_INTERRUPT, &in) == 0;
	works &= in.type == VLAPIC_INTR_VECTOR && in.vector == 0xe0;
	reg(vcpus[0], 0xb0, 0, 1);
	/* take and EOI what the rounds left, so the next check starts clean */
	for (i = 0; i < 256; i++) {
		memset(&in, 0, sizeof(in));
		in.flags = VLAPIC_INTR_IF;
		if (ioctl(vcpus[0], VLAPIC_GET_INTERRUPT, &in) ||
		    in.type != VLAPIC_INTR_VECTOR)
			break;
		reg(vcpus[0], 0xb0, 0, 1);
	}
	return works;
}

/* Run @rounds rounds under @m; 0 if its debugfs directory is missing. */
static int run_mech(struct mech *m, int rounds, int dev, int vm, int *vcpus,
		    uint64_t *rng)
{
	char path[128];
	int i;

	cur = m;
	snprintf(path, sizeof(path), "%sprobability", m->dir);
	if (access(path, W_OK))
		return 0;
	attr("verbose", "0");
	attr("task-filter", "Y");
	attr("ignore-gfp-wait", "N");
	attr("interval", "1");
	attr("space", "0");
	attr("times", "1000000");
	if (!strcmp(m->name, "slab")) {
		attr("cache-filter", "N");
	} else {
		attr("ignore-gfp-highmem", "N");
		attr("min-order", "0");
	}
	for (i = 0; i < rounds; i++) {
		char p[8];

		/* sweep the failure probability: 5% .. 95% */
		snprintf(p, sizeof(p), "%d", 5 + (i * 15) % 95);
		attr("probability", p);
		round_ops(dev, vm, rng, vcpus);
		if (run_cap)
			round_run(dev);
	}
	attr("probability", "0");
	snprintf(path, sizeof(path), "%stimes", m->dir);
	m->failed = TIMES0 - get(path);
	attr("times", "1");
	attr("task-filter", "N");
	if (strcmp(m->name, "slab"))
		attr("min-order", "1");
	m->works = vm_works(vm, vcpus);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long seed = (unsigned long long)time(NULL) ^ getpid();
	struct vlapic_create_vm c = { .max_vcpus = 4 };
	int rounds = 60, dev, vm, i, n = 0, vcpus[4] = { -1, -1, -1, -1 };
	const char *mode = "both";
	int ran[2] = { 0, 0 }, fail = 0;
	uint64_t rng;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--mode"))
			mode = argv[i + 1];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# vlapic-failslab: seed %llu rounds %d mode %s\n", seed, rounds,
	       mode);
	printf("1..8\n");
	/* no page faults under injection: a fault would be -EFAULT */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("# mlockall: %s\n", strerror(errno));
	make_it_fail = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	dev = open("/dev/vlapic", O_RDWR | O_CLOEXEC);
	vm = ioctl(dev, VLAPIC_CREATE_VM, &c);
	if (dev < 0 || vm < 0) {
		printf("Bail out! setup: %s\n", strerror(errno));
		return 1;
	}
	rng = seed;
	guest_mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	run_cap = guest_mem != MAP_FAILED &&
		  ioctl(dev, VLAPIC_CHECK_EXTENSION, VLAPIC_CAP_RUN) > 0;
	for (i = 0; i < 2; i++) {
		struct mech *m = &mechs[i];

		if (make_it_fail < 0 ||
		    (strcmp(mode, "both") && strcmp(mode, m->name)))
			continue;
		ran[i] = run_mech(m, rounds, dev, vm, vcpus, &rng);
		if (!ran[i])
			continue;
		printf("# vlapic-failslab: %s: ", m->name);
		printf("%d ioctls under injection, %d failed, %ld allocations failed\n",
		       m->calls, m->failed_calls, m->failed);
		printf("# vlapic-failslab: %s: %d run VMs set up, %d ran at once, %d broken\n",
		       m->name, m->run_vms, m->run_ran, m->run_broken);
	}
	for (i = 0; i < 2; i++) {
		struct mech *m = &mechs[i];

		if (!ran[i]) {
			printf("ok %d - %s: allocation failures give -ENOMEM # SKIP not run\n",
			       ++n, m->name);
			printf("ok %d - %s: allocations were failed # SKIP\n",
			       ++n, m->name);
			printf("ok %d - %s: the VM works afterwards # SKIP\n",
			       ++n, m->name);
			printf("ok %d - %s: run VMs: the guest runs on # SKIP\n",
			       ++n, m->name);
			continue;
		}
		printf("%sok %d - %s: allocation failures give -ENOMEM (%d bad)\n",
		       m->bad_errno ? "not " : "", ++n, m->name, m->bad_errno);
		printf("%sok %d - %s: allocations were failed (%ld)\n",
		       m->failed > 0 ? "" : "not ", ++n, m->name, m->failed);
		printf("%sok %d - %s: the VM works afterwards\n",
		       m->works ? "" : "not ", ++n, m->name);
		printf("%sok %d - %s: run VMs: the guest runs on (%d of %d broken)\n",
		       m->run_broken ? "not " : "", ++n, m->name,
		       m->run_broken, m->run_vms);
		fail |= m->bad_errno || m->failed <= 0 || !m->works ||
			m->run_broken;
	}
	for (i = 0; i < 4; i++)
		if (vcpus[i] >= 0)
			close(vcpus[i]);
	close(vm);
	close(dev);
	return fail;
}
