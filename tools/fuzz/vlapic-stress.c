// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-stress: SMP stress of one VM.
 *
 *   vlapic-stress [--seed N] [--seconds N] [--vcpus N]
 *
 * vCPU threads sleep in WAIT, take interrupts with GET_INTERRUPT and EOI
 * them while other threads send to them.
 *
 * Phase 1 (accounting): fixed MSIs, fixed IPIs (ICR writes) and IOAPIC
 * edge pulses only. After the senders stop and the vCPUs drain, for every
 * vCPU: sent == fixed_accepted + fixed_coalesced + dropped_sw_disabled,
 * fixed_accepted == acked == vectors taken by the thread, and nothing is
 * left pending.
 *
 * Phase 2 (chaos): the same plus timers in every mode with tiny periods,
 * state restores mid-flight, INIT/SIPI, NMIs, GSI routing swaps. At the
 * end the timers are stopped and the vCPUs drained: WAIT with timeout 0
 * must report no event and no IRR bit may be left deliverable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/vlapic.h>

#define MAX_VCPUS	8

/* Per-vCPU counters, in the order of include/vlapic/stats.h. */
enum {
	S_FIXED_ACCEPTED, S_FIXED_COALESCED, S_DROPPED_SW_DISABLED,
	S_RX_ILLEGAL_VECTOR, S_TX_ILLEGAL_VECTOR, S_ILLEGAL_REGISTER, S_ACKED,
	S_EOI, S_EOI_BROADCAST, S_SPURIOUS_EOI, S_NMI, S_SMI, S_INIT, S_SIPI,
	S_SIPI_IGNORED, S_EXTINT, S_IPI_SENT, S_TIMER_FIRED,
};

static unsigned long long opt_seed, opt_seconds = 20;
static int nr_vcpus = 4;
static int vmfd, vcpufd[MAX_VCPUS];
static int phase_stop, vcpu_stop, chaos;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
static unsigned long long sent[MAX_VCPUS], taken[MAX_VCPUS];
static unsigned long long nmis_taken, inits_taken, sipis_taken, ops;
static int failures, ioctl_errors, test_no;

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - stress: ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static long xioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	__atomic_add_fetch(&ops, 1, __ATOMIC_RELAXED);
	if (ret < 0 && errno != EINVAL) {
		printf("# ioctl %#lx on fd %d: %s\n", cmd, fd, strerror(errno));
		__atomic_add_fetch(&ioctl_errors, 1, __ATOMIC_RELAXED);
	}
	return ret;
}

static void reg_write(int v, uint32_t kind, uint32_t addr, uint64_t data)
{
	struct vlapic_reg_access a = {
		.kind = kind, .flags = VLAPIC_ACCESS_WRITE, .address = addr,
		.len = kind == VLAPIC_ACCESS_KIND_MSR ? 8 : 4, .data = data,
	};

	xioctl(vcpufd[v], VLAPIC_REG_ACCESS, &a);
}

static void vcpu_stats(int v, struct vlapic_vcpu_stats *s)
{
	memset(s, 0, sizeof(*s));
	xioctl(vcpufd[v], VLAPIC_GET_VCPU_STATS, s);
}

static void vcpu_enable(int v)
{
	/* x2APIC mode: SVR enabled with spurious 0xff, TPR 0 */
	reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x80f, 0x1ff);
	reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x808, 0);
}

/* Take everything the vCPU has; returns how many events were taken. */
static int take_all(int v)
{
	struct vlapic_interrupt in;
	int n = 0;

	for (;;) {
		memset(&in, 0, sizeof(in));
		in.flags = VLAPIC_INTR_IF;
		if (xioctl(vcpufd[v], VLAPIC_GET_INTERRUPT, &in) < 0)
			return n;
		switch (in.type) {
		case VLAPIC_INTR_NONE:
			return n;
		case VLAPIC_INTR_VECTOR:
			__atomic_add_fetch(&taken[v], 1, __ATOMIC_RELAXED);
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x80b, 0);
			break;
		case VLAPIC_INTR_NMI:
			__atomic_add_fetch(&nmis_taken, 1, __ATOMIC_RELAXED);
			break;
		case VLAPIC_INTR_INIT:
			__atomic_add_fetch(&inits_taken, 1, __ATOMIC_RELAXED);
			break;
		case VLAPIC_INTR_SIPI:
			__atomic_add_fetch(&sipis_taken, 1, __ATOMIC_RELAXED);
			vcpu_enable(v);
			break;
		}
		n++;
	}
}

static void *vcpu_fn(void *arg)
{
	int v = (int)(intptr_t)arg;
	struct vlapic_wait w;

	while (!LOAD(vcpu_stop)) {
		memset(&w, 0, sizeof(w));
		w.timeout_ns = 1000000;
		xioctl(vcpufd[v], VLAPIC_WAIT, &w);
		take_all(v);
	}
	return NULL;
}

static int pick_target(uint64_t *s)
{
	return rnd(s) % nr_vcpus;
}

static void *msi_fn(void *arg)
{
	uint64_t s = opt_seed * 31 + (uintptr_t)arg;
	struct vlapic_msi m;
	int t;

	while (!LOAD(phase_stop)) {
		t = pick_target(&s);
		memset(&m, 0, sizeof(m));
		m.address = 0xfee00000 | (t << 12);
		m.data = 0x30 + rnd(&s) % 0xc0;
		if (xioctl(vmfd, VLAPIC_SIGNAL_MSI, &m) == 1)
			__atomic_add_fetch(&sent[t], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *ipi_fn(void *arg)
{
	uint64_t s = opt_seed * 37 + (uintptr_t)arg;
	int src, t;

	while (!LOAD(phase_stop)) {
		src = pick_target(&s);
		t = pick_target(&s);
		/* x2APIC mode: one 64-bit ICR write, destination in 63:32 */
		reg_write(src, VLAPIC_ACCESS_KIND_MSR, 0x830,
			  ((uint64_t)t << 32) | (0x30 + rnd(&s) % 0xc0));
		__atomic_add_fetch(&sent[t], 1, __ATOMIC_RELAXED);
		if (LOAD(chaos) && rnd(&s) % 16 == 0)	/* NMI */
			reg_write(src, VLAPIC_ACCESS_KIND_MSR, 0x830,
				  ((uint64_t)t << 32) | 0x400);
	}
	return NULL;
}

/* Pins 1..nr_vcpus, edge, fixed, physical destination pin - 1. */
static void ioapic_program(void)
{
	struct vlapic_ioapic_snapshot s;
	int p;

	memset(&s, 0, sizeof(s));
	xioctl(vmfd, VLAPIC_GET_IOAPIC, &s);
	for (p = 1; p <= nr_vcpus; p++)
		s.redir[p] = (0x40 + p) | ((uint64_t)(p - 1) << 56);
	xioctl(vmfd, VLAPIC_SET_IOAPIC, &s);
}

static void *line_fn(void *arg)
{
	uint64_t s = opt_seed * 41 + (uintptr_t)arg;
	struct vlapic_irq_line l;
	int p;

	while (!LOAD(phase_stop)) {
		p = 1 + rnd(&s) % nr_vcpus;
		memset(&l, 0, sizeof(l));
		l.gsi = p;
		l.level = 1;
		if (xioctl(vmfd, VLAPIC_IRQ_LINE, &l) == 0 && !LOAD(chaos))
			__atomic_add_fetch(&sent[p - 1], 1, __ATOMIC_RELAXED);
		l.level = 0;
		xioctl(vmfd, VLAPIC_IRQ_LINE, &l);
	}
	return NULL;
}

/* Chaos: timers in every mode, restores, INIT/SIPI, route swaps. */
static void *chaos_fn(void *arg)
{
	uint64_t s = opt_seed * 43 + (uintptr_t)arg;
	struct vlapic_lapic_state st;
	struct vlapic_gsi_route r[8];
	struct vlapic_gsi_routing h;
	int v, i;

	while (!LOAD(phase_stop)) {
		v = pick_target(&s);
		switch (rnd(&s) % 6) {
		case 0:		/* one-shot / periodic, tiny counts */
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x83e, 0xb);
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x832,
				  0xe0 | ((rnd(&s) % 2) << 17));
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x838,
				  1 + rnd(&s) % 2000);
			break;
		case 1:		/* TSC-deadline: past and near future */
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x832,
				  0xe1 | (2 << 17));
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x6e0,
				  rnd(&s) % 2 ? 1 : rnd(&s) % (1ULL << 40));
			break;
		case 2:		/* restore the state mid-flight */
			if (xioctl(vcpufd[v], VLAPIC_GET_LAPIC, &st) == 0) {
				usleep(rnd(&s) % 500);
				xioctl(vcpufd[v], VLAPIC_SET_LAPIC, &st);
			}
			break;
		case 3:		/* INIT then SIPI from vCPU 0 */
			reg_write(0, VLAPIC_ACCESS_KIND_MSR, 0x830,
				  ((uint64_t)v << 32) | 0x4500);
			usleep(rnd(&s) % 200);
			reg_write(0, VLAPIC_ACCESS_KIND_MSR, 0x830,
				  ((uint64_t)v << 32) | 0x4600 | 0x10);
			break;
		case 4:		/* swap GSI routes */
			memset(r, 0, sizeof(r));
			for (i = 0; i < 8; i++) {
				r[i].gsi = i;
				if (rnd(&s) % 2) {
					r[i].type = VLAPIC_ROUTE_TYPE_IOAPIC;
					r[i].pin = rnd(&s) % 24;
				} else {
					r[i].type = VLAPIC_ROUTE_TYPE_MSI;
					r[i].msi_address = 0xfee00000 |
						(pick_target(&s) << 12);
					r[i].msi_data = 0x30 + rnd(&s) % 0xc0;
				}
			}
			h.nr = 8;
			h.flags = 0;
			h.entries = (uintptr_t)r;
			xioctl(vmfd, VLAPIC_SET_GSI_ROUTING, &h);
			break;
		default:	/* stop the timer */
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x838, 0);
			break;
		}
	}
	return NULL;
}

#define MIN_PERIOD "/sys/module/vlapic/parameters/min_periodic_ns"

/* Lower the periodic timer floor for phase 2; returns the old one. */
static long set_min_period(long ns)
{
	char buf[32] = "";
	long old = -1;
	FILE *f = fopen(MIN_PERIOD, "r+");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		old = strtol(buf, NULL, 0);
	rewind(f);
	fprintf(f, "%ld\n", ns);
	fclose(f);
	return old;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_phase(int with_chaos, double seconds)
{
	void *(*fns[4])(void *) = { msi_fn, ipi_fn, line_fn, chaos_fn };
	pthread_t vt[MAX_VCPUS], st[4];

	int v, i, n = with_chaos ? 4 : 3;

	STORE(chaos, with_chaos);
	STORE(phase_stop, 0);
	STORE(vcpu_stop, 0);
	for (v = 0; v < nr_vcpus; v++)
		pthread_create(&vt[v], NULL, vcpu_fn, (void *)(intptr_t)v);
	for (i = 0; i < n; i++)
		pthread_create(&st[i], NULL, fns[i], (void *)(intptr_t)i);
	usleep(seconds * 1e6);
	STORE(phase_stop, 1);
	for (i = 0; i < n; i++)
		pthread_join(st[i], NULL);
	if (with_chaos) {
		/* quiesce the timers and restore the default routes */
		struct vlapic_gsi_routing h = { 0, 0, 0 };

		for (v = 0; v < nr_vcpus; v++) {
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x832, 0x10000);
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x838, 0);
			reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x6e0, 0);
		}
		xioctl(vmfd, VLAPIC_SET_GSI_ROUTING, &h);
	}
	usleep(20000);
	STORE(vcpu_stop, 1);
	for (v = 0; v < nr_vcpus; v++)
		pthread_join(vt[v], NULL);
}

/* The highest vector set in the 256-bit register at @off, or -1. */
static int highest(struct vlapic_lapic_state *st, unsigned int off)
{
	int i, b;
	uint32_t w;

	for (i = 7; i >= 0; i--) {
		w = *(uint32_t *)(st->regs + off + i * 16);
		for (b = 31; w && b >= 0; b--)
			if (w & (1U << b))
				return i * 32 + b;
	}
	return -1;
}

/*
 * Drain every vCPU: take what it has, EOI what is in service (a restore
 * mid-flight can bring back an in-service vector nothing will EOI, and
 * it blocks the IRR vectors of its class and below), until WAIT with
 * timeout 0 reports nothing and ISR is empty. Then, TPR being 0, no IRR
 * bit from 16 up may be left.
 */
static int check_drained(const char *phase)
{
	struct vlapic_lapic_state st;
	struct vlapic_wait w;
	int v, i, bad = 0, isr = -1;

	for (v = 0; v < nr_vcpus; v++) {
		for (i = 0; i < 600; i++) {
			take_all(v);
			memset(&st, 0, sizeof(st));
			xioctl(vcpufd[v], VLAPIC_GET_LAPIC, &st);
			isr = highest(&st, 0x100);
			if (isr >= 0)
				reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x80b, 0);
			memset(&w, 0, sizeof(w));
			xioctl(vcpufd[v], VLAPIC_WAIT, &w);
			if (w.reason == VLAPIC_WAKE_TIMEOUT && isr < 0)
				break;
		}
		if (w.reason != VLAPIC_WAKE_TIMEOUT || isr >= 0) {
			printf("# %s: vCPU %d: WAIT(0) reason %u, ISR 0x%x",
			       phase, v, w.reason, isr);
			printf(" after %d rounds of take and EOI\n", i);
			bad++;
			continue;
		}
		xioctl(vcpufd[v], VLAPIC_GET_LAPIC, &st);
		if (st.mp_state == VLAPIC_MP_STATE_RUNNABLE &&
		    (*(uint32_t *)(st.regs + 0xf0) & 0x100) &&
		    (st.apic_base & 0x800) && highest(&st, 0x200) >= 16) {
			printf("# %s: vCPU %d: IRR 0x%x left after drain",
			       phase, v, highest(&st, 0x200));
			printf(" (ISR 0x%x, TPR 0x%x, PPR 0x%x)\n",
			       highest(&st, 0x100), *(uint32_t *)(st.regs + 0x80),
			       *(uint32_t *)(st.regs + 0xa0));
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct vlapic_vcpu_stats before[MAX_VCPUS], after[MAX_VCPUS];
	struct vlapic_create_vm c = {
		.flags = VLAPIC_VM_X2APIC | VLAPIC_VM_TSC_DEADLINE |
			 VLAPIC_VM_DIRECTED_EOI,
	};
	struct vlapic_vm_stats vs0, vs1;
	struct vlapic_lapic_state st;
	unsigned long long total_sent = 0, pulses;
	int dev, v, i, bad;
	double t0, p1;
	long old_period;

	opt_seed = (unsigned long long)time(NULL) ^ getpid();
	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			opt_seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			opt_seconds = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--vcpus"))
			nr_vcpus = atoi(argv[i + 1]);
	}
	if (nr_vcpus < 1 || nr_vcpus > MAX_VCPUS)
		nr_vcpus = 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# vlapic-stress: seed %llu seconds %llu vcpus %d\n", opt_seed,
	       opt_seconds, nr_vcpus);
	printf("1..6\n");
	dev = open("/dev/vlapic", O_RDWR | O_CLOEXEC);
	c.max_vcpus = nr_vcpus;
	vmfd = ioctl(dev, VLAPIC_CREATE_VM, &c);
	if (dev < 0 || vmfd < 0) {
		printf("Bail out! cannot create a VM: %s\n", strerror(errno));
		return 1;
	}
	for (v = 0; v < nr_vcpus; v++) {
		struct vlapic_create_vcpu cv = { .index = v, .apic_id = v };

		vcpufd[v] = ioctl(vmfd, VLAPIC_CREATE_VCPU, &cv);
		if (vcpufd[v] < 0) {
			printf("Bail out! vCPU %d: %s\n", v, strerror(errno));
			return 1;
		}
		/* x2APIC mode (enable, then x2APIC), BSP on vCPU 0 */
		reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x1b,
			  0xfee00800 | (v ? 0 : 0x100));
		reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x1b,
			  0xfee00c00 | (v ? 0 : 0x100));
		reg_write(v, VLAPIC_ACCESS_KIND_MSR, 0x80f, 0x1ff);
		/* APs start waiting for SIPI: make them runnable */
		if (xioctl(vcpufd[v], VLAPIC_GET_LAPIC, &st) == 0) {
			st.mp_state = VLAPIC_MP_STATE_RUNNABLE;
			if (xioctl(vcpufd[v], VLAPIC_SET_LAPIC, &st))
				printf("# vCPU %d: SET_LAPIC runnable: %s\n", v,
				       strerror(errno));
		}
	}
	ioapic_program();

	/* Phase 1: accounting. */
	t0 = now();
	p1 = opt_seconds * 0.4;
	for (v = 0; v < nr_vcpus; v++)
		vcpu_stats(v, &before[v]);
	memset(&vs0, 0, sizeof(vs0));
	xioctl(vmfd, VLAPIC_GET_VM_STATS, &vs0);
	run_phase(0, p1);
	bad = check_drained("phase 1");
	memset(&vs1, 0, sizeof(vs1));
	xioctl(vmfd, VLAPIC_GET_VM_STATS, &vs1);
	for (v = 0; v < nr_vcpus; v++)
		vcpu_stats(v, &after[v]);
	tap(!bad, "phase 1: every vCPU drained, nothing left deliverable");

	bad = 0;
	for (v = 0; v < nr_vcpus; v++) {
		unsigned long long acc, coal, drop, acked, d;

		acc = after[v].v[S_FIXED_ACCEPTED] - before[v].v[S_FIXED_ACCEPTED];
		coal = after[v].v[S_FIXED_COALESCED] - before[v].v[S_FIXED_COALESCED];
		drop = after[v].v[S_DROPPED_SW_DISABLED] -
		       before[v].v[S_DROPPED_SW_DISABLED];
		acked = after[v].v[S_ACKED] - before[v].v[S_ACKED];
		d = acc + coal + drop;
		total_sent += sent[v];
		printf("# vCPU %d: sent %llu accepted %llu coalesced %llu",
		       v, sent[v], acc, coal);
		printf(" dropped %llu acked %llu taken %llu\n",
		       drop, acked, taken[v]);
		if (d != sent[v] || acc != acked || acked != taken[v])
			bad++;
	}
	tap(!bad, "%s (%llu sent)",
	    "phase 1: sent == accepted + coalesced + dropped, accepted == acked == taken",
	    total_sent);
	pulses = vs1.v[VLAPIC_VM_STAT_IOAPIC_DELIVERED] -
		 vs0.v[VLAPIC_VM_STAT_IOAPIC_DELIVERED];
	tap(pulses > 0 && vs1.v[VLAPIC_VM_STAT_MSI] > vs0.v[VLAPIC_VM_STAT_MSI],
	    "phase 1: IOAPIC deliveries %llu, MSIs %llu", pulses,
	    (unsigned long long)(vs1.v[VLAPIC_VM_STAT_MSI] -
				 vs0.v[VLAPIC_VM_STAT_MSI]));

	/* Phase 2: chaos, periodic timers down to 50 us. */
	old_period = set_min_period(50000);
	run_phase(1, opt_seconds - p1);
	if (old_period >= 0)
		set_min_period(old_period);
	bad = check_drained("phase 2");
	tap(!bad, "phase 2: after timers, restores, INIT/SIPI and route swaps every vCPU drained");
	for (v = 0; v < nr_vcpus; v++) {
		vcpu_stats(v, &after[v]);
		printf("# vCPU %d: timer_fired %llu init %llu sipi %llu nmi %llu ipi_sent %llu\n",
		       v, (unsigned long long)after[v].v[S_TIMER_FIRED],
		       (unsigned long long)after[v].v[S_INIT],
		       (unsigned long long)after[v].v[S_SIPI],
		       (unsigned long long)after[v].v[S_NMI],
		       (unsigned long long)after[v].v[S_IPI_SENT]);
	}
	tap(1, "phase 2: taken nmi %llu init %llu sipi %llu", nmis_taken,
	    inits_taken, sipis_taken);
	printf("# vlapic-stress: seed %llu: %llu ioctls in %.1f s, %.0f/s\n",
	       opt_seed, ops, now() - t0, ops / (now() - t0));
	tap(!ioctl_errors, "no unexpected ioctl errors (%d)", ioctl_errors);
	for (v = 0; v < nr_vcpus; v++)
		close(vcpufd[v]);
	close(vmfd);
	close(dev);
	return failures ? 1 : 0;
}
