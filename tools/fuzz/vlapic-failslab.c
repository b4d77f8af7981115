// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-failslab: VM, vCPU, route, irqfd and batch creation under
 * injected slab allocation failures (CONFIG_FAILSLAB).
 *
 *   vlapic-failslab [--seed N] [--rounds N]
 *
 * Only this process fails allocations (failslab's task-filter and
 * /proc/self/make-it-fail). Every failing ioctl must fail with -ENOMEM (or
 * -EMFILE/-ENFILE, which fd allocation documents); after injection stops
 * the VM used throughout still works. Leaks are found by the harness's
 * kmemleak scan at the end of the boot.
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
#include <time.h>
#include <unistd.h>
#include <linux/vlapic.h>

#define FS	"/sys/kernel/debug/failslab/"

static int make_it_fail = -1, bad_errno, calls, failed_calls;

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) < 0 ? -1 : 0;
	close(fd);
	return ret;
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

	inject(1);
	ret = ioctl(fd, cmd, arg);
	inject(0);
	calls++;
	if (ret < 0) {
		failed_calls++;
		if (errno != ENOMEM && errno != EMFILE && errno != ENFILE) {
			printf("# %s: unexpected errno %d (%s)\n", what, errno,
			       strerror(errno));
			bad_errno++;
		}
	}
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
	struct vlapic_gsi_route r[4];
	struct vlapic_gsi_routing h;
	struct vlapic_inject e[64];
	struct vlapic_inject_batch b;
	struct vlapic_lapic_state st;
	struct vlapic_irqfd irqfd;
	struct vlapic_vm_stats vs;
	int fd, i, efd;

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
	memset(r, 0, sizeof(r));
	for (i = 0; i < 4; i++) {
		r[i].gsi = i;
		r[i].type = VLAPIC_ROUTE_TYPE_IOAPIC;
		r[i].pin = (*rng >> (i * 4)) % 24;
	}
	h.nr = 4;
	h.flags = 0;
	h.entries = (uintptr_t)r;
	fi_ioctl(vm, VLAPIC_SET_GSI_ROUTING, &h, "SET_GSI_ROUTING");

	efd = eventfd(0, EFD_CLOEXEC);
	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = efd;
	irqfd.gsi = 10;
	if (fi_ioctl(vm, VLAPIC_IRQFD, &irqfd, "IRQFD") == 0) {
		irqfd.flags = VLAPIC_IRQFD_FLAG_DEASSIGN;
		if (*rng & 1)
			fi_ioctl(vm, VLAPIC_IRQFD, &irqfd, "IRQFD deassign");
	}
	close(efd);

	memset(e, 0, sizeof(e));
	for (i = 0; i < 64; i++) {
		e[i].type = VLAPIC_INJECT_MSI;
		e[i].msi_address = 0xfee00000 | ((i % 4) << 12);
		e[i].msi_data = 0x40 + i;
	}
	b.nr = 64;
	b.flags = 0;
	b.entries = (uintptr_t)e;
	fi_ioctl(vm, VLAPIC_INJECT_BATCH, &b, "INJECT_BATCH");
	fi_ioctl(vm, VLAPIC_GET_VM_STATS, &vs, "GET_VM_STATS");
	for (i = 0; i < 4; i++) {
		if (vcpus[i] < 0)
			continue;
		if (fi_ioctl(vcpus[i], VLAPIC_GET_LAPIC, &st, "GET_LAPIC") == 0)
			fi_ioctl(vcpus[i], VLAPIC_SET_LAPIC, &st, "SET_LAPIC");
	}
}

int main(int argc, char **argv)
{
	unsigned long long seed = (unsigned long long)time(NULL) ^ getpid();
	struct vlapic_create_vm c = { .max_vcpus = 4 };
	struct vlapic_interrupt in;
	struct vlapic_msi m;
	int rounds = 60, dev, vm, i, vcpus[4] = { -1, -1, -1, -1 }, works = 1;
	long times0 = 1000000, left;
	uint64_t rng;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# vlapic-failslab: seed %llu rounds %d\n", seed, rounds);
	printf("1..3\n");
	if (access(FS "probability", W_OK)) {
		printf("ok 1 - failslab: allocation failures give -ENOMEM # SKIP no failslab\n");
		printf("ok 2 - failslab: allocations were failed # SKIP\n");
		printf("ok 3 - failslab: the VM works afterwards # SKIP\n");
		return 0;
	}
	make_it_fail = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	dev = open("/dev/vlapic", O_RDWR | O_CLOEXEC);
	vm = ioctl(dev, VLAPIC_CREATE_VM, &c);
	if (make_it_fail < 0 || dev < 0 || vm < 0) {
		printf("Bail out! setup: %s\n", strerror(errno));
		return 1;
	}
	put(FS "verbose", "0");
	put(FS "task-filter", "Y");
	put(FS "ignore-gfp-wait", "N");
	put(FS "cache-filter", "N");
	put(FS "interval", "1");
	put(FS "space", "0");
	put(FS "times", "1000000");
	rng = seed;
	for (i = 0; i < rounds; i++) {
		char p[8];

		/* sweep the failure probability: 5% .. 95% */
		snprintf(p, sizeof(p), "%d", 5 + (i * 15) % 95);
		put(FS "probability", p);
		round_ops(dev, vm, &rng, vcpus);
	}
	put(FS "probability", "0");
	left = get(FS "times");
	put(FS "times", "1");
	put(FS "task-filter", "N");

	/* The long-lived VM still works: its BSP takes an MSI. */
	for (i = 0; i < 4; i++) {
		struct vlapic_create_vcpu cv = { .index = i, .apic_id = i };

		if (vcpus[i] < 0)
			vcpus[i] = ioctl(vm, VLAPIC_CREATE_VCPU, &cv);
		works &= vcpus[i] >= 0;
	}
	if (works) {
		works &= reg(vcpus[0], 0xf0, 0x1ff, 1) == 0;
		memset(&m, 0, sizeof(m));
		m.address = 0xfee00000;
		m.data = 0x77;
		works &= ioctl(vm, VLAPIC_SIGNAL_MSI, &m) == 1;
		memset(&in, 0, sizeof(in));
		in.flags = VLAPIC_INTR_IF;
		/* earlier batches may have left lower vectors: take to 0x77 */
		for (i = 0; i < 64; i++) {
			memset(&in, 0, sizeof(in));
			in.flags = VLAPIC_INTR_IF;
			if (ioctl(vcpus[0], VLAPIC_GET_INTERRUPT, &in) ||
			    in.type != VLAPIC_INTR_VECTOR)
				break;
			reg(vcpus[0], 0xb0, 0, 1);
			if (in.vector == 0x77)
				break;
		}
		works &= in.type == VLAPIC_INTR_VECTOR && in.vector == 0x77;
	}
	printf("# vlapic-failslab: %d ioctls under injection, %d failed, %ld allocations failed\n",
	       calls, failed_calls, times0 - left);
	printf("%sok 1 - failslab: allocation failures give -ENOMEM (%d bad)\n",
	       bad_errno ? "not " : "", bad_errno);
	printf("%sok 2 - failslab: allocations were failed (%ld)\n",
	       times0 - left > 0 ? "" : "not ", times0 - left);
	printf("%sok 3 - failslab: the VM works afterwards\n",
	       works ? "" : "not ");
	for (i = 0; i < 4; i++)
		if (vcpus[i] >= 0)
			close(vcpus[i]);
	close(vm);
	close(dev);
	return bad_errno || !works || times0 - left <= 0;
}
