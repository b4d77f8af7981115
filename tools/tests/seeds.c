// SPDX-License-Identifier: GPL-2.0
/*
 * End to end replays of the field reports in /work/shared/seeds:
 *
 * 004 (HLT wake): a vCPU halted at PPR 0x70 with lower vectors pending
 * must wake at once when a vector above the PPR arrives, whatever is
 * already pending; a vector at or below the PPR class must not wake it.
 *
 * 000 (reboot): after a reset done by restoring a fresh state (the VMM's
 * SET_LAPIC at reboot), nothing derived from the old state survives: the
 * stale high vectors are gone and the timer vector is delivered.
 */
#include <errno.h>
#include <string.h>

#include "e2e.h"

#define LONG_WAIT	(10000 * MS)

struct waiter {
	struct gcpu *g;
	pthread_t thread;
	int ret;
	uint32_t reason;
	int64_t woke_ns;
	int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = vlapic_wait(w->g->fd, LONG_WAIT, &w->reason);
	w->woke_ns = now_ns();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void waiter_start(struct waiter *w, struct gcpu *g)
{
	memset(w, 0, sizeof(*w));
	w->g = g;
	if (pthread_create(&w->thread, NULL, waiter_fn, w))
		tap_bail("pthread_create");
	/* Let it reach the sleep. */
	sleep_ms(100);
}

static bool waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
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

/*
 * With @dst halted (WAIT, 10 s timeout) at PPR 0x70 and lower vectors
 * pending, deliver @vector: by an IPI from @src, or by @dst's one-shot
 * timer programmed before it halts (its fd is busy while it waits).
 */
static void wake_case(struct gcpu *src, struct gcpu *dst, unsigned int vector,
		      bool by_timer, const char *what)
{
	int64_t t0, due;
	struct waiter w;

	t0 = now_ns();
	due = 0;
	if (by_timer) {
		reg_write(dst, LAPIC_LVTT, LAPIC_TIMER_ONESHOT | vector);
		reg_write(dst, LAPIC_TMICT, 1000 * MS);
		due = 1000 * MS;
	}
	waiter_start(&w, dst);
	tap_ok(!waiter_done(&w), "%s: the vCPU sleeps with lower vectors pending",
	       what);
	if (!by_timer) {
		t0 = now_ns();
		ipi(src, dst->apic_id, LAPIC_DM_FIXED | vector);
	}
	WAIT_FOR(waiter_done(&w), 12000);
	pthread_join(w.thread, NULL);
	tap_ok(w.ret == 0 && w.reason == VLAPIC_WAKE_EVENT,
	       "%s: WAIT returns with an event (ret %d reason %u)", what,
	       w.ret, w.reason);
	tap_ok(w.woke_ns - t0 >= due && w.woke_ns - t0 < due + 2000 * MS,
	       "%s: woken at once (after %lld ms, due at %lld, timeout 10 s)",
	       what, (long long)(w.woke_ns - t0) / MS, (long long)due / MS);
	tap_eq(take(dst), vector, "%s: GET_INTERRUPT gives the new vector",
	       what);
}

static void test_hlt_wake(void)
{
	static const unsigned int low[] = { 0x41, 0x52, 0x63, 0x6f };
	struct e2e_vm v;
	struct gcpu *a, *b;
	uint32_t reason;
	unsigned int i;
	int ret;

	e2e_vm_create(&v, 2, 0, NULL);
	a = &v.cpu[0];
	b = &v.cpu[1];

	/* PPR 0x70 from the TPR, four lower vectors pending. */
	reg_write(b, LAPIC_TPR, 0x70);
	for (i = 0; i < 4; i++)
		ipi(a, 1, LAPIC_DM_FIXED | low[i]);
	tap_eq(reg_read(b, LAPIC_PPR), 0x70, "seed 004: PPR is 0x70");
	tap_eq(reg_read(b, LAPIC_IRR + 0x20), (1U << 1) | (1U << 18),
	       "seed 004: 0x41 and 0x52 pending in IRR");
	tap_eq(reg_read(b, LAPIC_IRR + 0x30), (1U << 3) | (1U << 15),
	       "seed 004: 0x63 and 0x6f pending in IRR");
	tap_eq(take(b), 0, "seed 004: nothing deliverable at PPR 0x70");
	ret = vlapic_wait(b->fd, 200 * MS, &reason);
	tap_ok(ret == 0 && reason == VLAPIC_WAKE_TIMEOUT,
	       "seed 004: WAIT times out with only lower vectors pending");

	/* Same class as the PPR: not above it, must not wake. */
	ipi(a, 1, LAPIC_DM_FIXED | 0x7a);
	ret = vlapic_wait(b->fd, 200 * MS, &reason);
	tap_ok(ret == 0 && reason == VLAPIC_WAKE_TIMEOUT,
	       "seed 004: vector 0x7a (PPR class) does not wake");

	wake_case(a, b, 0x91, false, "seed 004 IPI 0x91 at TPR 0x70");
	reg_write(b, LAPIC_EOI, 0);
	tap_eq(take(b), 0, "seed 004: after EOI, PPR 0x70 still holds the rest");
	wake_case(a, b, 0xef, true, "seed 004 timer 0xef at TPR 0x70");
	reg_write(b, LAPIC_EOI, 0);

	/* PPR 0x70 from the ISR: 0x75 in service, TPR 0. */
	reg_write(b, LAPIC_TPR, 0);
	tap_eq(take(b), 0x7a, "seed 004: TPR 0: highest pending 0x7a first");
	reg_write(b, LAPIC_EOI, 0);
	ipi(a, 1, LAPIC_DM_FIXED | 0x75);
	tap_eq(take(b), 0x75, "seed 004: 0x75 taken (in service)");
	tap_eq(reg_read(b, LAPIC_PPR), 0x70, "seed 004: PPR 0x70 from ISR");
	ret = vlapic_wait(b->fd, 200 * MS, &reason);
	tap_ok(ret == 0 && reason == VLAPIC_WAKE_TIMEOUT,
	       "seed 004: in service 0x75: lower vectors do not wake");
	wake_case(a, b, 0x85, false, "seed 004 IPI 0x85 with 0x75 in service");
	reg_write(b, LAPIC_EOI, 0);	/* 0x85 */
	reg_write(b, LAPIC_EOI, 0);	/* 0x75 */

	/* Everything left comes out in priority order, once. */
	for (i = 4; i-- > 0;) {
		tap_eq(take(b), low[i], "seed 004: then %#x", low[i]);
		reg_write(b, LAPIC_EOI, 0);
	}
	tap_eq(take(b), 0, "seed 004: nothing left");
	tap_eq(reg_read(b, LAPIC_PPR), 0, "seed 004: PPR back to 0");
	e2e_vm_destroy(&v);
}

static void fresh_state(struct vlapic_lapic_state *s, uint32_t id)
{
	struct vlapic_create_vm c;
	int sys, vm, fd;

	memset(&c, 0, sizeof(c));
	c.max_vcpus = 1;
	sys = vlapic_open_checked();
	vm = vlapic_create_vm(sys, &c);
	fd = vm < 0 ? vm : vlapic_create_vcpu(vm, 0, id);
	if (fd < 0 || vlapic_get_lapic(fd, s))
		tap_bail("building a power-on state");
	close(fd);
	close(vm);
	close(sys);
}

static void test_reboot(void)
{
	struct vlapic_lapic_state before, fresh, after;
	struct e2e_vm v;
	struct gcpu *a, *b;
	int ret;

	e2e_vm_create(&v, 2, 0, NULL);
	a = &v.cpu[0];
	b = &v.cpu[1];

	/* Before the reboot: 0xe0 in service, 0xf0 and 0xd1 pending. */
	ipi(a, 1, LAPIC_DM_FIXED | 0xe0);
	tap_eq(take(b), 0xe0, "seed 000: 0xe0 taken before the reboot");
	reg_write(b, LAPIC_TPR, 0xf0);
	ipi(a, 1, LAPIC_DM_FIXED | 0xf0);
	ipi(a, 1, LAPIC_DM_FIXED | 0xd1);
	reg_write(b, LAPIC_LVTT, LAPIC_TIMER_PERIODIC | 0xfe);
	reg_write(b, LAPIC_TMICT, 5 * MS);
	ret = vlapic_get_lapic(b->fd, &before);
	tap_ok(!ret && vlapic_state_vec(&before, LAPIC_ISR, 0xe0) &&
	       vlapic_state_vec(&before, LAPIC_IRR, 0xf0),
	       "seed 000: saved state has 0xe0 in service, 0xf0 pending");

	/* Reboot: the VMM loads a power-on state with the OS's timer. */
	fresh_state(&fresh, 1);
	fresh.mp_state = VLAPIC_MP_STATE_RUNNABLE;
	fresh.apic_base &= ~APIC_BASE_BSP;
	vlapic_state_set_reg(&fresh, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	vlapic_state_set_reg(&fresh, LAPIC_TDCR, LAPIC_TDCR_DIV1);
	vlapic_state_set_reg(&fresh, LAPIC_LVTT, LAPIC_TIMER_ONESHOT | 0x31);
	/* 1 s: the checks below run well before it expires. */
	vlapic_state_set_reg(&fresh, LAPIC_TMICT, 1000 * MS);
	vlapic_state_set_reg(&fresh, LAPIC_TMCCT, 1000 * MS);
	ret = vlapic_set_lapic(b->fd, &fresh);
	tap_eq(ret, 0, "seed 000: SET_LAPIC of the power-on state");
	tap_eq(reg_read(b, LAPIC_PPR), 0, "seed 000: PPR recomputed to 0");
	tap_eq(reg_read(b, LAPIC_ISR + 0x70), 0, "seed 000: ISR empty");
	tap_eq(reg_read(b, LAPIC_IRR + 0x70) | reg_read(b, LAPIC_IRR + 0x60),
	       0, "seed 000: IRR empty");
	tap_eq(take(b), 0, "seed 000: no stale vector is delivered");

	gcpu_start(b);
	tap_ok(WAIT_FOR(gcpu_count(b, 0x31) == 1, 5000),
	       "seed 000: the timer vector 0x31 is delivered after the reboot");
	sleep_ms(100);
	tap_eq(gcpu_total(b), 1, "seed 000: exactly one interrupt, the timer");
	gcpu_stop(b);
	vlapic_get_lapic(b->fd, &after);
	tap_eq(vlapic_state_reg(&after, LAPIC_LVTT), 0x31,
	       "seed 000: LVTT is the restored one");

	/* A restored one-shot with count 1 fires one tick later. */
	vlapic_state_set_reg(&fresh, LAPIC_LVTT, LAPIC_TIMER_ONESHOT | 0x32);
	vlapic_state_set_reg(&fresh, LAPIC_TMCCT, 1);
	ret = vlapic_set_lapic(b->fd, &fresh);
	tap_eq(ret, 0, "seed 000: restore with a timer about to expire");
	gcpu_start(b);
	tap_ok(WAIT_FOR(gcpu_count(b, 0x32) == 1, 3000),
	       "seed 000: the about-to-expire timer is delivered");
	e2e_vm_destroy(&v);
}

int main(void)
{
	tap_init("seeds", 120);
	test_hlt_wake();
	test_reboot();
	return tap_end();
}
