// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-bench: injection costs of vlapic next to KVM's in-kernel irqchip,
 * measured in the same boot, as ratios (the absolute numbers depend on
 * the machine; under QEMU TCG they are large, the ratios still hold).
 *
 * Prints one line per figure:
 *   bench: <what> vlapic <ns> ns/op kvm <ns> ns/op ratio <kvm/vlapic>
 * Each figure is the best of 3 runs of ITERS operations.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/vlapic.h>

#define ITERS	20000
#define BATCH	256

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	printf("bench: error: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct vl_vm {
	int vm;
	int *vcpus;
	int n;
};

static void vl_reg_write(int vcpu, uint32_t off, uint32_t val)
{
	struct vlapic_reg_access a = {
		.kind = VLAPIC_ACCESS_KIND_MMIO, .flags = VLAPIC_ACCESS_WRITE,
		.address = off, .len = 4, .data = val,
	};

	if (ioctl(vcpu, VLAPIC_REG_ACCESS, &a))
		die("VLAPIC_REG_ACCESS");
}

static struct vl_vm vl_create(int dev, int n)
{
	struct vlapic_create_vm cv = {
		.flags = VLAPIC_VM_X2APIC | VLAPIC_VM_TSC_DEADLINE,
		.max_vcpus = n,
	};
	struct vlapic_ioapic_snapshot io;
	struct vl_vm v = { .n = n };
	int i;

	v.vm = ioctl(dev, VLAPIC_CREATE_VM, &cv);
	if (v.vm < 0)
		die("VLAPIC_CREATE_VM");
	v.vcpus = calloc(n, sizeof(int));
	for (i = 0; i < n; i++) {
		struct vlapic_create_vcpu cc = { .index = i, .apic_id = i };

		v.vcpus[i] = ioctl(v.vm, VLAPIC_CREATE_VCPU, &cc);
		if (v.vcpus[i] < 0)
			die("VLAPIC_CREATE_VCPU");
		vl_reg_write(v.vcpus[i], 0xf0, 0x1ff);	/* SVR: enabled */
		/*
		 * Beyond 255 vCPUs xAPIC IDs repeat: such a guest runs in
		 * x2APIC mode, and so does this one.
		 */
		if (n > 255) {
			struct vlapic_reg_access a = {
				.kind = VLAPIC_ACCESS_KIND_MSR,
				.flags = VLAPIC_ACCESS_WRITE,
				.address = 0x1b, .len = 8,
				.data = 0xfee00000 | (3 << 10) | (i ? 0 : 0x100),
			};

			if (ioctl(v.vcpus[i], VLAPIC_REG_ACCESS, &a) || a.fault)
				die("IA32_APIC_BASE");
		}
	}
	if (ioctl(v.vm, VLAPIC_GET_IOAPIC, &io))
		die("VLAPIC_GET_IOAPIC");
	io.redir[4] = 0x50;	/* edge, fixed, physical, to APIC 0 */
	if (ioctl(v.vm, VLAPIC_SET_IOAPIC, &io))
		die("VLAPIC_SET_IOAPIC");
	return v;
}

static void vl_destroy(struct vl_vm *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		close(v->vcpus[i]);
	free(v->vcpus);
	close(v->vm);
}

static int kvm_create(int kvm, int n)
{
	int vm, i;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		die("KVM_CREATE_IRQCHIP");
	for (i = 0; i < n; i++) {
		struct kvm_lapic_state ls;
		int vcpu = ioctl(vm, KVM_CREATE_VCPU, i);

		if (vcpu < 0)
			die("KVM_CREATE_VCPU");
		if (ioctl(vcpu, KVM_GET_LAPIC, &ls))
			die("KVM_GET_LAPIC");
		ls.regs[0xf1] |= 1;	/* SVR bit 8: enabled, as above */
		if (ioctl(vcpu, KVM_SET_LAPIC, &ls))
			die("KVM_SET_LAPIC");
	}
	{
		struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };

		if (ioctl(vm, KVM_GET_IRQCHIP, &chip))
			die("KVM_GET_IRQCHIP");
		chip.chip.ioapic.redirtbl[4].bits = 0x50;
		if (ioctl(vm, KVM_SET_IRQCHIP, &chip))
			die("KVM_SET_IRQCHIP");
	}
	return vm;
}

static uint32_t msi_addr(int dest)
{
	return 0xfee00000u | ((uint32_t)dest << 12);
}

/* Best of 3 runs of @fn(ctx) ITERS times; ns per operation. */
static double best_of_3(void (*fn)(void *ctx, int iters), void *ctx,
			int ops_per_iter)
{
	double best = 1e30;
	int r;

	for (r = 0; r < 3; r++) {
		double t0 = now_ns(), t;

		fn(ctx, ITERS);
		t = (now_ns() - t0) / ((double)ITERS * ops_per_iter);
		if (t < best)
			best = t;
	}
	return best;
}

struct msi_ctx {
	int vm;
	int dest;
};

static void vl_msi(void *p, int iters)
{
	struct msi_ctx *c = p;
	struct vlapic_msi m = { .address = msi_addr(c->dest), .data = 0x40 };
	int i;

	for (i = 0; i < iters; i++)
		if (ioctl(c->vm, VLAPIC_SIGNAL_MSI, &m) != 1)
			die("VLAPIC_SIGNAL_MSI");
}

static void kvm_msi(void *p, int iters)
{
	struct msi_ctx *c = p;
	struct kvm_msi m = { .address_lo = msi_addr(c->dest), .data = 0x40 };
	int i;

	for (i = 0; i < iters; i++)
		if (ioctl(c->vm, KVM_SIGNAL_MSI, &m) < 0)
			die("KVM_SIGNAL_MSI");
}

static void vl_batch(void *p, int iters)
{
	struct msi_ctx *c = p;
	static struct vlapic_inject e[BATCH];
	struct vlapic_inject_batch b = {
		.nr = BATCH, .entries = (uintptr_t)e,
	};
	int i;

	for (i = 0; i < BATCH; i++) {
		e[i].type = VLAPIC_INJECT_MSI;
		e[i].msi_address = msi_addr(c->dest);
		e[i].msi_data = 0x40;
	}
	for (i = 0; i < iters / BATCH; i++)
		if (ioctl(c->vm, VLAPIC_INJECT_BATCH, &b) != BATCH)
			die("VLAPIC_INJECT_BATCH");
}

static void vl_line(void *p, int iters)
{
	struct msi_ctx *c = p;
	struct vlapic_irq_line l = { .gsi = 4 };
	int i;

	for (i = 0; i < iters; i++) {
		l.level = 1;
		if (ioctl(c->vm, VLAPIC_IRQ_LINE, &l))
			die("VLAPIC_IRQ_LINE");
		l.level = 0;
		if (ioctl(c->vm, VLAPIC_IRQ_LINE, &l))
			die("VLAPIC_IRQ_LINE");
	}
}

static void kvm_line(void *p, int iters)
{
	struct msi_ctx *c = p;
	struct kvm_irq_level l = { .irq = 4 };
	int i;

	for (i = 0; i < iters; i++) {
		l.level = 1;
		if (ioctl(c->vm, KVM_IRQ_LINE, &l))
			die("KVM_IRQ_LINE");
		l.level = 0;
		if (ioctl(c->vm, KVM_IRQ_LINE, &l))
			die("KVM_IRQ_LINE");
	}
}

static void report(const char *what, double vl, double kvm)
{
	if (kvm > 0)
		printf("bench: %-34s vlapic %8.0f ns/op  kvm %8.0f ns/op  ratio %.2f\n",
		       what, vl, kvm, kvm / vl);
	else
		printf("bench: %-34s vlapic %8.0f ns/op\n", what, vl);
}

int main(void)
{
	static const int sizes[] = { 1, 16, 64, 288 };
	double one = 0, single = 0, batched;
	int dev, kvm, i;

	dev = open("/dev/vlapic", O_RDWR);
	if (dev < 0)
		die("/dev/vlapic");
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		printf("bench: no /dev/kvm (%s): vlapic figures only\n",
		       strerror(errno));

	for (i = 0; i < 4; i++) {
		int n = sizes[i];
		struct vl_vm v = vl_create(dev, n);
		struct msi_ctx vc = { .vm = v.vm, .dest = n > 255 ? 254 : n - 1 };
		struct msi_ctx kc = { .dest = vc.dest };
		double vl, kv = 0;
		char what[64];

		if (kvm >= 0) {
			kc.vm = kvm_create(kvm, n);
			kv = best_of_3(kvm_msi, &kc, 1);
		}
		vl = best_of_3(vl_msi, &vc, 1);
		snprintf(what, sizeof(what), "MSI, physical dest, %d vCPUs", n);
		report(what, vl, kv);
		if (n == 1) {
			one = vl;
			single = vl;
			batched = best_of_3(vl_batch, &vc, 1);
			report("MSI, batched (per interrupt)", batched, kv);
			printf("bench: batched vs single vlapic: %.1fx cheaper\n",
			       single / batched);
			if (kvm >= 0)
				report("IRQ line assert+deassert",
				       best_of_3(vl_line, &vc, 1),
				       best_of_3(kvm_line, &kc, 1));
			else
				report("IRQ line assert+deassert",
				       best_of_3(vl_line, &vc, 1), 0);
		} else {
			printf("bench: %d vCPUs vs 1 vCPU: %.2fx\n", n, vl / one);
		}
		if (kvm >= 0)
			close(kc.vm);
		vl_destroy(&v);
	}
	printf("bench: done\n");
	return 0;
}
