// SPDX-License-Identifier: GPL-2.0
/*
 * Shared code of the end-to-end tests. See e2e.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int tap_n, tap_failed;
static const char *tap_name;

static void tap_alarm(int sig)
{
	static const char msg[] = "# watchdog: test took too long\n";
	ssize_t r;

	(void)sig;
	r = write(1, msg, sizeof(msg) - 1);
	(void)r;
	_exit(2);
}

void tap_init(const char *name, unsigned int watchdog_s)
{
	tap_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, tap_alarm);
	alarm(watchdog_s);
	printf("# %s\n", name);
}

static bool tap_vreport(bool ok, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&tap_lock);
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%s %u - ", ok ? "ok" : "not ok", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	pthread_mutex_unlock(&tap_lock);
	return ok;
}

bool tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	return ok;
}

bool tap_eq(uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;
	bool ok = got == want;

	/* Diagnostics go before the result: parse-log.py attaches them so. */
	if (!ok)
		tap_diag("  got %#llx (%llu), want %#llx (%llu)",
			 (unsigned long long)got, (unsigned long long)got,
			 (unsigned long long)want, (unsigned long long)want);
	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	return ok;
}

bool tap_range(uint64_t got, uint64_t lo, uint64_t hi, const char *fmt, ...)
{
	va_list ap;
	bool ok = got >= lo && got <= hi;

	if (!ok)
		tap_diag("  got %llu, want %llu..%llu",
			 (unsigned long long)got, (unsigned long long)lo,
			 (unsigned long long)hi);
	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	return ok;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&tap_lock);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	pthread_mutex_unlock(&tap_lock);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&tap_lock);
	printf("not ok %u - %s: cannot continue: ", ++tap_n, tap_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n1..%u\n", tap_n);
	fflush(stdout);
	_exit(1);
}

int tap_end(void)
{
	printf("1..%u\n", tap_n);
	if (tap_failed)
		printf("# %s: %u of %u failed\n", tap_name, tap_failed, tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- guest CPUs ------------------------------------------------------------ */

uint64_t reg_read(struct gcpu *g, uint32_t off)
{
	uint64_t v = 0;
	int ret = vlapic_apic_read(g->fd, g->x2apic, off, &v);

	if (ret)
		tap_bail("vCPU %u: read of APIC register %#x: %d", g->index,
			 off, ret);
	return v;
}

void reg_write(struct gcpu *g, uint32_t off, uint64_t val)
{
	int ret = vlapic_apic_write(g->fd, g->x2apic, off, val);

	if (ret)
		tap_bail("vCPU %u: write %#llx to APIC register %#x: %d",
			 g->index, (unsigned long long)val, off, ret);
}

void ipi(struct gcpu *g, uint32_t dest, uint32_t icr)
{
	int ret = vlapic_send_ipi(g->fd, g->x2apic, dest, icr);

	if (ret)
		tap_bail("vCPU %u: IPI %#x to %#x: %d", g->index, icr, dest, ret);
}

void enter_x2apic(struct gcpu *g)
{
	int ret = vlapic_msr_write(g->fd, MSR_IA32_APIC_BASE,
				   APIC_DEFAULT_BASE | APIC_BASE_ENABLE |
				   APIC_BASE_X2APIC |
				   (g->index == 0 ? APIC_BASE_BSP : 0));

	if (ret)
		tap_bail("vCPU %u: entering x2APIC mode: %d", g->index, ret);
	g->x2apic = true;
}

uint64_t vcpu_stat(struct gcpu *g, unsigned int id)
{
	struct vlapic_vcpu_stats st;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = vlapic_get_vcpu_stats(g->fd, &st);
	if (ret)
		tap_bail("vCPU %u: GET_VCPU_STATS: %d", g->index, ret);
	if (id >= st.nr)
		tap_bail("vCPU %u: stat %u not reported (nr %u)", g->index, id,
			 st.nr);
	return st.v[id];
}

static bool vec_test(struct gcpu *g, uint32_t base, unsigned int vector)
{
	return reg_read(g, base + (vector / 32) * 16) & (1U << (vector % 32));
}

bool irr_test(struct gcpu *g, unsigned int vector)
{
	return vec_test(g, LAPIC_IRR, vector);
}

bool isr_test(struct gcpu *g, unsigned int vector)
{
	return vec_test(g, LAPIC_ISR, vector);
}

static void gcpu_error(struct gcpu *g, int err)
{
	__atomic_add_fetch(&g->errors, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&g->last_err, err, __ATOMIC_RELAXED);
}

/* The guest: sti; hlt; take the interrupt; EOI; repeat. */
static void *gcpu_thread(void *arg)
{
	struct gcpu *g = arg;
	struct vlapic_interrupt in;
	uint32_t reason;
	int ret;

	while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE)) {
		ret = vlapic_get_interrupt(g->fd, VLAPIC_INTR_IF, &in);
		if (ret) {
			gcpu_error(g, ret);
			sleep_ms(10);
			continue;
		}
		switch (in.type) {
		case VLAPIC_INTR_NONE:
			ret = vlapic_wait(g->fd, 20 * MS, &reason);
			if (ret && ret != -EINTR)
				gcpu_error(g, ret);
			/*
			 * The vCPU fd is locked while it waits: give the test's
			 * own register accesses on this vCPU a chance.
			 */
			if (!ret && reason == VLAPIC_WAKE_TIMEOUT)
				usleep(200);
			break;
		case VLAPIC_INTR_VECTOR:
			if (in.vector > 255) {
				gcpu_error(g, -ERANGE);
				break;
			}
			if (!g->first_ns[in.vector])
				g->first_ns[in.vector] = now_ns();
			__atomic_add_fetch(&g->count[in.vector], 1,
					   __ATOMIC_RELEASE);
			__atomic_add_fetch(&g->total, 1, __ATOMIC_RELEASE);
			if (g->handler)
				g->handler(g, in.vector);
			if (!g->no_eoi) {
				ret = vlapic_eoi(g->fd, g->x2apic);
				if (ret)
					gcpu_error(g, ret);
			}
			break;
		case VLAPIC_INTR_NMI:
			__atomic_add_fetch(&g->nmi, 1, __ATOMIC_RELEASE);
			break;
		case VLAPIC_INTR_SMI:
			__atomic_add_fetch(&g->smi, 1, __ATOMIC_RELEASE);
			break;
		case VLAPIC_INTR_INIT:
			__atomic_add_fetch(&g->init, 1, __ATOMIC_RELEASE);
			break;
		case VLAPIC_INTR_SIPI:
			__atomic_store_n(&g->sipi_vector, in.vector,
					 __ATOMIC_RELAXED);
			__atomic_add_fetch(&g->sipi, 1, __ATOMIC_RELEASE);
			break;
		case VLAPIC_INTR_EXTINT:
			__atomic_add_fetch(&g->extint, 1, __ATOMIC_RELEASE);
			break;
		default:
			gcpu_error(g, -EPROTO);
			sleep_ms(10);
			break;
		}
	}
	return NULL;
}

void gcpu_start(struct gcpu *g)
{
	__atomic_store_n(&g->stop, 0, __ATOMIC_RELEASE);
	if (pthread_create(&g->thread, NULL, gcpu_thread, g))
		tap_bail("pthread_create");
	g->started = true;
}

void gcpu_stop(struct gcpu *g)
{
	if (!g->started)
		return;
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
	pthread_join(g->thread, NULL);
	g->started = false;
}

uint64_t gcpu_count(struct gcpu *g, unsigned int vector)
{
	return __atomic_load_n(&g->count[vector], __ATOMIC_ACQUIRE);
}

uint64_t gcpu_total(struct gcpu *g)
{
	return __atomic_load_n(&g->total, __ATOMIC_ACQUIRE);
}

void gcpu_reset_counts(struct gcpu *g)
{
	memset(g->count, 0, sizeof(g->count));
	memset(g->first_ns, 0, sizeof(g->first_ns));
	g->total = 0;
	g->nmi = 0;
	g->smi = 0;
	g->init = 0;
	g->sipi = 0;
	g->extint = 0;
}

void e2e_vm_create(struct e2e_vm *v, unsigned int nr, uint32_t flags,
		   const uint32_t *ids)
{
	struct vlapic_create_vm c;
	unsigned int i;
	int ret;

	memset(v, 0, sizeof(*v));
	if (nr > E2E_MAX_VCPUS)
		tap_bail("too many vCPUs");
	v->sys = vlapic_open_checked();
	if (v->sys < 0)
		tap_bail("open %s: %s", VLAPIC_DEV_PATH, strerror(-v->sys));
	memset(&c, 0, sizeof(c));
	c.flags = flags;
	c.max_vcpus = nr;
	v->vm = vlapic_create_vm(v->sys, &c);
	if (v->vm < 0)
		tap_bail("CREATE_VM: %s", strerror(-v->vm));
	v->nr = nr;
	for (i = 0; i < nr; i++) {
		struct gcpu *g = &v->cpu[i];

		g->index = i;
		g->apic_id = ids ? ids[i] : i;
		g->fd = vlapic_create_vcpu(v->vm, i, g->apic_id);
		if (g->fd < 0)
			tap_bail("CREATE_VCPU %u: %s", i, strerror(-g->fd));
		ret = vlapic_set_runnable(g->fd);
		if (ret)
			tap_bail("vCPU %u: making it runnable: %s", i,
				 strerror(-ret));
		reg_write(g, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	}
}

void e2e_vm_destroy(struct e2e_vm *v)
{
	unsigned int i;

	for (i = 0; i < v->nr; i++)
		gcpu_stop(&v->cpu[i]);
	for (i = 0; i < v->nr; i++)
		close(v->cpu[i].fd);
	close(v->vm);
	close(v->sys);
}
