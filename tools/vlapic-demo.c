// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-demo: a small guest played by threads through /dev/vlapic.
 *
 * A VM with 4 vCPUs (-n to change). The BSP starts the APs with
 * INIT-SIPI-SIPI; every vCPU then runs a periodic APIC timer, and every
 * 25th tick sends an IPI to the next vCPU (a ring). A level-triggered
 * device on GSI 10 raises its line every 600 ms; its driver on vCPU 1
 * EOIs before the device has lowered the line (seed 001), so the IOAPIC's
 * storm rule defers the re-deliveries and the guest keeps running. Once a
 * second the VMM signals an MSI to the last vCPU. A live account is
 * printed every second and a summary at the end; the exit status is 0
 * when every part did its job.
 *
 * Usage: vlapic-demo [-n vcpus] [-t seconds]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvlapic.h"

#define MAX_VCPUS	8
#define VEC_TIMER	0xec
#define VEC_IPI		0xd1
#define VEC_DEV		0x5a
#define VEC_MSI		0x70
#define SIPI_PAGE	0x9f
#define DEV_GSI		10
#define DEV_VCPU	1
#define MS		1000000LL

enum { C_TIMER, C_IPI, C_DEV, C_MSI, C_OTHER, C_NR };

struct vcpu {
	int fd;
	unsigned int index;
	pthread_t thread;
	uint64_t count[C_NR];
	uint64_t errors;
	int started;
};

static struct vcpu vcpus[MAX_VCPUS];
static unsigned int nr_vcpus = 4;
static int vm_fd, stop, dev_seen;
static uint64_t dev_events;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t get(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void inc(uint64_t *p)
{
	__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
}

/* A guest register write; a failure is counted, not fatal. */
static void wr(struct vcpu *v, uint32_t off, uint32_t val)
{
	if (vlapic_mmio_write(v->fd, off, val))
		inc(&v->errors);
}

static void ipi(struct vcpu *v, uint32_t dest, uint32_t icr)
{
	if (vlapic_send_ipi(v->fd, false, dest, icr))
		inc(&v->errors);
}

/* Halt until the next event; return its type (vector in *vec). */
static uint32_t next_event(struct vcpu *v, uint32_t *vec)
{
	struct vlapic_interrupt in;
	uint32_t reason;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (vlapic_get_interrupt(v->fd, VLAPIC_INTR_IF, &in)) {
			inc(&v->errors);
			sleep_ms(10);
			continue;
		}
		if (in.type != VLAPIC_INTR_NONE) {
			*vec = in.vector;
			return in.type;
		}
		if (vlapic_wait(v->fd, 50 * MS, &reason) && reason !=
		    VLAPIC_WAKE_SIGNAL)
			inc(&v->errors);
	}
	return VLAPIC_INTR_NONE;
}

static void start_ap(struct vcpu *v, unsigned int ap)
{
	unsigned int try;
	int64_t t;

	for (try = 1; try <= 5; try++) {
		ipi(v, ap, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT |
		    LAPIC_ICR_LEVEL_TRIG);
		ipi(v, ap, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_TRIG);
		sleep_ms(10);
		ipi(v, ap, LAPIC_DM_STARTUP | SIPI_PAGE);
		ipi(v, ap, LAPIC_DM_STARTUP | SIPI_PAGE);
		t = now_ns();
		while (now_ns() - t < 500 * MS) {
			if (__atomic_load_n(&vcpus[ap].started, __ATOMIC_ACQUIRE))
				return;
			sleep_ms(1);
		}
		printf("vlapic-demo: AP %u did not start after INIT-SIPI-SIPI (try %u)\n",
		       ap, try);
		inc(&v->errors);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	unsigned int i, ticks = 0;
	uint32_t type, vec;

	if (v->index == 0) {
		/*
		 * BSP: start the APs the way firmware does: INIT, 10 ms,
		 * SIPI, SIPI; then wait for each to check in.
		 */
		wr(v, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
		for (i = 1; i < nr_vcpus; i++)
			start_ap(v, i);
	} else {
		/* AP: wait for INIT, then SIPI. */
		do {
			type = next_event(v, &vec);
			if (type == VLAPIC_INTR_NONE)
				return NULL;
		} while (type != VLAPIC_INTR_SIPI);
		if (vec != SIPI_PAGE)
			inc(&v->errors);
		wr(v, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	}
	__atomic_store_n(&v->started, 1, __ATOMIC_RELEASE);

	/* The OS: flat logical ID, a 10 ms periodic timer. */
	wr(v, LAPIC_DFR, LAPIC_DFR_FLAT);
	wr(v, LAPIC_LDR, (1U << v->index) << 24);
	wr(v, LAPIC_TDCR, LAPIC_TDCR_DIV1);
	wr(v, LAPIC_LVTT, LAPIC_TIMER_PERIODIC | VEC_TIMER);
	wr(v, LAPIC_TMICT, 10 * MS);

	for (;;) {
		type = next_event(v, &vec);
		if (type == VLAPIC_INTR_NONE)
			break;
		if (type != VLAPIC_INTR_VECTOR) {
			inc(&v->count[C_OTHER]);
			continue;
		}
		switch (vec) {
		case VEC_TIMER:
			inc(&v->count[C_TIMER]);
			if (++ticks % 25 == 0)
				ipi(v, (v->index + 1) % nr_vcpus,
				    LAPIC_DM_FIXED | VEC_IPI);
			break;
		case VEC_IPI:
			inc(&v->count[C_IPI]);
			break;
		case VEC_DEV:
			/* The driver EOIs first, the device lowers later. */
			inc(&v->count[C_DEV]);
			__atomic_store_n(&dev_seen, 1, __ATOMIC_RELEASE);
			break;
		case VEC_MSI:
			inc(&v->count[C_MSI]);
			break;
		default:
			inc(&v->count[C_OTHER]);
			break;
		}
		wr(v, LAPIC_EOI, 0);
	}
	wr(v, LAPIC_TMICT, 0);
	return NULL;
}

/*
 * The device: raise the line every 600 ms and keep it up 300 ms after the
 * driver first saw it (the driver's deferred work lowers it).
 */
static void *device_thread(void *arg)
{
	int64_t t;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&dev_seen, 0, __ATOMIC_RELEASE);
		if (vlapic_irq_line(vm_fd, DEV_GSI, 1))
			break;
		t = now_ns();
		while (!__atomic_load_n(&dev_seen, __ATOMIC_ACQUIRE) &&
		       now_ns() - t < 1000 * MS)
			sleep_ms(1);
		sleep_ms(300);
		vlapic_irq_line(vm_fd, DEV_GSI, 0);
		inc(&dev_events);
		sleep_ms(300);
	}
	return NULL;
}

static int vm_stats(struct vlapic_vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	return vlapic_get_vm_stats(vm_fd, st);
}

static void print_counts(const char *what, unsigned int c)
{
	unsigned int i;

	printf(" | %s", what);
	for (i = 0; i < nr_vcpus; i++)
		printf(" %4llu", (unsigned long long)get(&vcpus[i].count[c]));
}

/* One line a second: per-vCPU counts, then the VM's counters. */
static void print_account(double t)
{
	struct vlapic_vm_stats st;

	printf("[%4.1fs]", t);
	print_counts("timer", C_TIMER);
	print_counts("IPI", C_IPI);
	printf(" | device irqs %5llu",
	       (unsigned long long)get(&vcpus[DEV_VCPU].count[C_DEV]));
	if (!vm_stats(&st))
		printf(" (storms %llu, deferrals %llu)",
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IOAPIC_STORMS],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IOAPIC_DEFERRALS]);
	printf(" | MSIs %llu\n",
	       (unsigned long long)get(&vcpus[nr_vcpus - 1].count[C_MSI]));
	fflush(stdout);
}

static int setup(int sys)
{
	struct vlapic_create_vm c;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.flags = VLAPIC_VM_X2APIC | VLAPIC_VM_TSC_DEADLINE;
	c.max_vcpus = nr_vcpus;
	vm_fd = vlapic_create_vm(sys, &c);
	if (vm_fd < 0)
		return vm_fd;
	for (i = 0; i < nr_vcpus; i++) {
		vcpus[i].index = i;
		vcpus[i].fd = vlapic_create_vcpu(vm_fd, i, i);
		if (vcpus[i].fd < 0)
			return vcpus[i].fd;
	}
	return 0;
}

/*
 * The guest's driver set-up: IOAPIC pin 10 level, fixed, to DEV_VCPU,
 * written through the IOAPIC window (IOREGSEL/IOWIN) as a guest does.
 */
static int setup_device(void)
{
	int ret;

	ret = vlapic_ioapic_write_reg(vm_fd, IOAPIC_REG_REDIR(DEV_GSI) + 1,
				      DEV_VCPU << 24);
	if (ret)
		return ret;
	return vlapic_ioapic_write_reg(vm_fd, IOAPIC_REG_REDIR(DEV_GSI),
				       LAPIC_LVT_LEVEL | VEC_DEV);
}

int main(int argc, char **argv)
{
	unsigned int i, seconds = 5, failed = 0;
	struct vlapic_vcpu_stats vst;
	struct vlapic_vm_stats st;
	pthread_t dev;
	int64_t t0, next;
	int opt, sys, ret;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		switch (opt) {
		case 'n':
			nr_vcpus = atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n vcpus] [-t seconds]\n",
				argv[0]);
			return 2;
		}
	}
	if (nr_vcpus < 2 || nr_vcpus > MAX_VCPUS || !seconds) {
		fprintf(stderr, "vlapic-demo: 2 to %d vCPUs, 1 s or more\n",
			MAX_VCPUS);
		return 2;
	}
	if (nr_vcpus <= DEV_VCPU)
		return 2;

	sys = vlapic_open_checked();
	if (sys < 0) {
		fprintf(stderr, "vlapic-demo: %s: %s (is vlapic.ko loaded?)\n",
			VLAPIC_DEV_PATH, strerror(-sys));
		return 1;
	}
	printf("vlapic-demo: /dev/vlapic API %d; x2APIC %d, TSC-deadline %d",
	       vlapic_api_version(sys),
	       vlapic_check_extension(sys, VLAPIC_CAP_X2APIC),
	       vlapic_check_extension(sys, VLAPIC_CAP_TSC_DEADLINE));
	printf(", max vCPUs %d, GSI routes %d\n",
	       vlapic_check_extension(sys, VLAPIC_CAP_MAX_VCPUS),
	       vlapic_check_extension(sys, VLAPIC_CAP_GSI_ROUTING));
	ret = setup(sys);
	if (ret) {
		fprintf(stderr, "vlapic-demo: VM setup: %s\n", strerror(-ret));
		return 1;
	}
	printf("vlapic-demo: %u vCPUs for %u s: APs started by INIT-SIPI-SIPI,\n",
	       nr_vcpus, seconds);
	printf("  a 10 ms periodic timer on each vCPU, an IPI ring every 25 ticks,\n");
	printf("  a level device on GSI %d -> vCPU %d whose driver EOIs before\n",
	       DEV_GSI, DEV_VCPU);
	printf("  the line drops (seed 001), an MSI to vCPU %u each second\n\n",
	       nr_vcpus - 1);

	for (i = 0; i < nr_vcpus; i++)
		if (pthread_create(&vcpus[i].thread, NULL, vcpu_thread,
				   &vcpus[i]))
			return 1;
	t0 = now_ns();
	/* The device comes up once the guest's CPUs are up. */
	for (i = 0; i < nr_vcpus; i++)
		while (!__atomic_load_n(&vcpus[i].started, __ATOMIC_ACQUIRE) &&
		       now_ns() - t0 < 5000 * MS)
			sleep_ms(1);
	ret = setup_device();
	if (ret) {
		fprintf(stderr, "vlapic-demo: IOAPIC set-up: %s\n",
			strerror(-ret));
		failed++;
	}
	if (pthread_create(&dev, NULL, device_thread, NULL))
		return 1;

	for (next = 1; next <= seconds; next++) {
		while (now_ns() - t0 < next * 1000 * MS - 500 * MS)
			sleep_ms(10);
		ret = vlapic_signal_msi(vm_fd, 0xfee00000ULL |
					((uint64_t)(nr_vcpus - 1) << 12),
					VEC_MSI);
		if (ret != 1)
			failed++;
		while (now_ns() - t0 < next * 1000 * MS)
			sleep_ms(10);
		print_account((now_ns() - t0) / 1e9);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(dev, NULL);
	for (i = 0; i < nr_vcpus; i++)
		pthread_join(vcpus[i].thread, NULL);
	vlapic_irq_line(vm_fd, DEV_GSI, 0);

	printf("\nSummary after %u s:\n", seconds);
	printf("  vCPU  started  timer  IPIs  device  MSIs  other");
	printf("  | fired  acked    EOIs  IPIs sent  errors\n");
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &vcpus[i];
		bool ok;

		memset(&vst, 0, sizeof(vst));
		vlapic_get_vcpu_stats(v->fd, &vst);
		printf("  %4u  %7s  %5llu  %4llu  %6llu  %4llu  %5llu",
		       i, v->started ? "yes" : "NO",
		       (unsigned long long)v->count[C_TIMER],
		       (unsigned long long)v->count[C_IPI],
		       (unsigned long long)v->count[C_DEV],
		       (unsigned long long)v->count[C_MSI],
		       (unsigned long long)v->count[C_OTHER]);
		printf("  | %5llu  %5llu  %6llu  %9llu  %6llu\n",
		       (unsigned long long)vst.v[VLAPIC_VCPU_STAT_TIMER_FIRED],
		       (unsigned long long)vst.v[VLAPIC_VCPU_STAT_ACKED],
		       (unsigned long long)vst.v[VLAPIC_VCPU_STAT_EOI],
		       (unsigned long long)vst.v[VLAPIC_VCPU_STAT_IPI_SENT],
		       (unsigned long long)v->errors);
		ok = v->started && v->count[C_TIMER] && v->count[C_IPI] &&
		     !v->count[C_OTHER] && !v->errors;
		if (!ok) {
			printf("  vCPU %u: FAILED (not started, no ticks or IPIs, or errors)\n",
			       i);
			failed++;
		}
	}
	if (!vm_stats(&st)) {
		printf("  VM: IRQ_LINE calls %llu, IOAPIC deliveries %llu, storms %llu",
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IRQ_LINE],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IOAPIC_DELIVERED],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IOAPIC_STORMS]);
		printf(", deferrals %llu, EOI broadcasts %llu, MSIs %llu (ignored %llu)\n",
		       (unsigned long long)st.v[VLAPIC_VM_STAT_IOAPIC_DEFERRALS],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_EOI_BROADCASTS],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_MSI],
		       (unsigned long long)st.v[VLAPIC_VM_STAT_MSI_IGNORED]);
		if (!st.v[VLAPIC_VM_STAT_IOAPIC_DEFERRALS] ||
		    !vcpus[DEV_VCPU].count[C_DEV] ||
		    vcpus[nr_vcpus - 1].count[C_MSI] != seconds) {
			printf("  device/MSI: FAILED (no deferral or device irq, or not %u MSIs)\n",
			       seconds);
			failed++;
		}
	}
	for (i = 0; i < nr_vcpus; i++)
		close(vcpus[i].fd);
	close(vm_fd);
	close(sys);
	printf("vlapic-demo: %s\n", failed ? "FAILED" : "OK");
	return failed ? 1 : 0;
}
