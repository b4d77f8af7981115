// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: object lifetime. File descriptors closed while another
 * thread sleeps in WAIT, VM fds closed before vCPU fds, processes exiting
 * or killed with live VMs and sleeping vCPU threads, inherited fds used
 * from another process (-EIO), and many VMs created and torn down with
 * timers running. The kernel side is checked by KASAN, lockdep and
 * kmemleak in the same boot; here every call must return and behave.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e.h"

struct waiter {
	int fd;
	int64_t timeout;
	pthread_t thread;
	int ret;
	uint32_t reason;
	int64_t t0, t1;
	int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->t0 = now_ns();
	w->ret = vlapic_wait(w->fd, w->timeout, &w->reason);
	w->t1 = now_ns();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void waiter_start(struct waiter *w, int fd, int64_t timeout)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->timeout = timeout;
	if (pthread_create(&w->thread, NULL, waiter_fn, w))
		tap_bail("pthread_create");
	sleep_ms(100);
}

static bool waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_close_while_waiting(void)
{
	struct e2e_vm v;
	struct waiter w;
	int64_t t0;
	int fd, ret;

	/*
	 * Close the vCPU fd under a WAIT (10 s timeout): the WAIT must
	 * return (issue: "it returns"). If it does not, an IPI unsticks it
	 * so the rest of the test runs.
	 */
	e2e_vm_create(&v, 2, 0, NULL);
	fd = v.cpu[1].fd;
	waiter_start(&w, fd, 10000 * MS);
	t0 = now_ns();
	ret = close(fd);
	v.cpu[1].fd = -1;
	tap_eq(ret, 0, "close(vCPU fd) while a thread waits on it: close returns");
	tap_ok(WAIT_FOR(waiter_done(&w), 3000),
	       "close(vCPU fd) ends the WAIT sleeping on it (within 3 s)");
	if (!waiter_done(&w)) {
		ipi(&v.cpu[0], 1, LAPIC_DM_FIXED | 0x40);
		WAIT_FOR(waiter_done(&w), 5000);
	}
	pthread_join(w.thread, NULL);
	tap_diag("the WAIT returned %d (reason %u) %lld ms after the close",
		 w.ret, w.reason, (long long)(w.t1 - t0) / MS);
	tap_ok(w.ret == 0 && w.reason == VLAPIC_WAKE_CLOSED,
	       "it returns 0 with reason VLAPIC_WAKE_CLOSED");
	tap_eq(vlapic_get_interrupt(fd, VLAPIC_INTR_IF, &(struct vlapic_interrupt){0}),
	       (uint64_t)(int64_t)-EBADF, "the closed fd is gone (-EBADF)");

	/* Close the VM fd first: the vCPUs keep working. */
	close(v.vm);
	v.vm = -1;
	{
		struct vlapic_lapic_state s;

		ret = vlapic_get_lapic(v.cpu[0].fd, &s);
		tap_eq(ret, 0, "after close(VM fd): vCPU ioctls still work");
	}
	reg_write(&v.cpu[0], LAPIC_LVTT, LAPIC_TIMER_PERIODIC | 0x31);
	reg_write(&v.cpu[0], LAPIC_TMICT, 1 * MS);
	waiter_start(&w, v.cpu[0].fd, 5000 * MS);
	tap_ok(WAIT_FOR(waiter_done(&w), 5000) && w.reason == VLAPIC_WAKE_EVENT,
	       "after close(VM fd): the timer still wakes its vCPU");
	pthread_join(w.thread, NULL);

	/* Close the last fd while the timer runs and a thread waits. */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	}
	reg_write(&v.cpu[0], LAPIC_LVTT, LAPIC_LVT_MASKED |
		  LAPIC_TIMER_PERIODIC | 0x31);
	reg_write(&v.cpu[0], LAPIC_EOI, 0);
	{
		struct vlapic_interrupt in;

		while (!vlapic_get_interrupt(v.cpu[0].fd, VLAPIC_INTR_IF, &in) &&
		       in.type != VLAPIC_INTR_NONE)
			vlapic_eoi(v.cpu[0].fd, false);
	}
	waiter_start(&w, v.cpu[0].fd, -1);
	t0 = now_ns();
	close(v.cpu[0].fd);
	v.cpu[0].fd = -1;
	tap_ok(WAIT_FOR(waiter_done(&w), 3000),
	       "closing the last fd ends a WAIT without timeout (within 3 s)");
	if (!waiter_done(&w)) {
		pthread_kill(w.thread, SIGUSR1);
		tap_ok(WAIT_FOR(waiter_done(&w), 5000),
		       "a signal ends that WAIT (-EINTR: %d)", w.ret);
	}
	pthread_join(w.thread, NULL);
	tap_diag("the WAIT returned %d (reason %u) %lld ms after the close",
		 w.ret, w.reason, (long long)(w.t1 - t0) / MS);
	tap_ok(w.ret == 0 && w.reason == VLAPIC_WAKE_CLOSED,
	       "the last close: reason VLAPIC_WAKE_CLOSED");

	/* A signal ends a WAIT with -EINTR, reason SIGNAL. */
	{
		struct e2e_vm s;

		e2e_vm_create(&s, 1, 0, NULL);
		waiter_start(&w, s.cpu[0].fd, -1);
		pthread_kill(w.thread, SIGUSR1);
		tap_ok(WAIT_FOR(waiter_done(&w), 5000), "a signal ends a WAIT");
		pthread_join(w.thread, NULL);
		tap_ok(w.ret == -EINTR && w.reason == VLAPIC_WAKE_SIGNAL,
		       "it returns -EINTR, reason SIGNAL (ret %d reason %u)",
		       w.ret, w.reason);
		e2e_vm_destroy(&s);
	}
	close(v.sys);
}

static void test_wait_basics(void)
{
	struct e2e_vm v;
	uint32_t reason;
	int64_t t0, dt;
	int ret;

	e2e_vm_create(&v, 1, 0, NULL);
	t0 = now_ns();
	ret = vlapic_wait(v.cpu[0].fd, 50 * MS, &reason);
	dt = now_ns() - t0;
	tap_ok(!ret && reason == VLAPIC_WAKE_TIMEOUT && dt >= 50 * MS,
	       "WAIT 50 ms with nothing pending: timeout after %lld ms",
	       (long long)dt / MS);
	ipi(&v.cpu[0], 0, LAPIC_SH_SELF | 0x50);
	t0 = now_ns();
	ret = vlapic_wait(v.cpu[0].fd, 5000 * MS, &reason);
	tap_ok(!ret && reason == VLAPIC_WAKE_EVENT && now_ns() - t0 < 1000 * MS,
	       "WAIT with a vector pending returns at once");
	e2e_vm_destroy(&v);
}

/* Child: a VM with 4 vCPUs, timers running, threads asleep; then exit. */
static void child_vm(bool kill_self)
{
	struct e2e_vm v;
	unsigned int i;

	e2e_vm_create(&v, 4, 0, NULL);
	for (i = 0; i < 4; i++) {
		reg_write(&v.cpu[i], LAPIC_LVTT, LAPIC_TIMER_PERIODIC | 0x30);
		reg_write(&v.cpu[i], LAPIC_TMICT, 1 * MS);
		gcpu_start(&v.cpu[i]);
	}
	sleep_ms(200);
	if (kill_self)
		raise(SIGKILL);
	exit(gcpu_total(&v.cpu[0]) ? 0 : 3);
}

static void test_process_exit(void)
{
	int status, i;
	pid_t pid;
	int64_t t0;

	for (i = 0; i < 2; i++) {
		t0 = now_ns();
		pid = fork();
		if (pid == 0)
			child_vm(i == 1);
		waitpid(pid, &status, 0);
		if (i == 0)
			tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			       "process exit with a live VM, timers and waiting threads (%d)",
			       status);
		else
			tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			       "SIGKILL with a live VM, timers and waiting threads");
		tap_ok(now_ns() - t0 < 10000 * MS,
		       "the process ended promptly (%lld ms)",
		       (long long)(now_ns() - t0) / MS);
	}
}

/* A forked child shares the fds but not the mm: VM and vCPU calls -EIO. */
static void test_other_mm(void)
{
	struct e2e_vm v;
	int status, ret;
	pid_t pid;

	e2e_vm_create(&v, 1, 0, NULL);
	pid = fork();
	if (pid == 0) {
		struct vlapic_lapic_state s;
		struct vlapic_create_vm c;
		int bad = 0;

		if (vlapic_create_vcpu(v.vm, 0, 0) != -EIO)
			bad |= 1;
		if (vlapic_get_lapic(v.cpu[0].fd, &s) != -EIO)
			bad |= 2;
		if (vlapic_mmio_write(v.cpu[0].fd, LAPIC_TPR, 0x80) != -EIO)
			bad |= 4;
		memset(&c, 0, sizeof(c));
		c.max_vcpus = 1;
		ret = vlapic_create_vm(v.sys, &c);
		if (ret < 0 || vlapic_create_vcpu(ret, 0, 0) < 0)
			bad |= 8;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 1),
	       "another process: CREATE_VCPU on an inherited VM fd: -EIO");
	tap_ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 2),
	       "another process: GET_LAPIC on an inherited vCPU fd: -EIO");
	tap_ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 4),
	       "another process: REG_ACCESS on an inherited vCPU fd: -EIO");
	tap_ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 8),
	       "another process: creates its own VM through the inherited /dev/vlapic fd");
	tap_eq(reg_read(&v.cpu[0], LAPIC_TPR), 0,
	       "the owner's vCPU is unchanged (TPR 0)");
	e2e_vm_destroy(&v);
}

static void test_churn(void)
{
	unsigned int n, i, ok = 0;

	for (n = 0; n < 30; n++) {
		struct e2e_vm v;

		e2e_vm_create(&v, 4, 0, NULL);
		for (i = 0; i < 4; i++) {
			reg_write(&v.cpu[i], LAPIC_LVTT,
				  LAPIC_TIMER_PERIODIC | 0x30);
			reg_write(&v.cpu[i], LAPIC_TMICT, 300000);
		}
		ipi(&v.cpu[n % 4], 0, LAPIC_SH_ALL | 0x40);
		/* Alternate the close order: VM first, or vCPUs first. */
		if (n & 1)
			close(v.vm);
		for (i = 0; i < 4; i++)
			close(v.cpu[(i + n) % 4].fd);
		if (!(n & 1))
			close(v.vm);
		close(v.sys);
		ok++;
	}
	tap_eq(ok, 30, "30 VMs of 4 vCPUs with timers created and closed");
}

int main(void)
{
	tap_init("lifetime", 120);
	test_wait_basics();
	test_close_while_waiting();
	test_process_exit();
	test_other_mm();
	test_churn();
	return tap_end();
}
