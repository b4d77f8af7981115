// SPDX-License-Identifier: GPL-2.0
/*
 * Thread control: pausing every vCPU thread so one controller (a vCPU
 * thread acting on a reset or on port 0xef, or the main thread taking a
 * snapshot or checking for a halted guest) owns the whole VM, and
 * stopping them all at the end.
 *
 * A vCPU thread leaves RUN only between guest instructions, with any
 * pending I/O completed: the kick sets the run structure's
 * immediate_exit (RUN then returns -EINTR at once, after completing the
 * last exit) and sends SIGUSR1 (which ends a RUN in progress or a sleep
 * in HLT). The thread clears immediate_exit and only then, under
 * @ctl->lock, looks at @paused and @stopping (ctl_checkpoint()). A
 * controller sets @paused under the lock before it kicks, so a thread
 * that saw @paused clear is either already back in RUN, where the kick
 * reaches it, or about to enter it with immediate_exit set: no kick is
 * lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "vmm.h"

void ctl_init(struct vm_control *ctl)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&ctl->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ctl->cond, &attr);
	pthread_condattr_destroy(&attr);
	ctl->paused = false;
	ctl->owner = NULL;
	ctl->stopping = false;
	ctl->status = 0;
	ctl->live = 0;
	ctl->parked = 0;
	ctl->reset_gen = 0;
}

void ctl_destroy(struct vm_control *ctl)
{
	pthread_cond_destroy(&ctl->cond);
	pthread_mutex_destroy(&ctl->lock);
}

/* Make @vcpu's thread leave RUN. ctl->lock held. */
static void kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, SIGUSR1);
}

static void kick_all(struct vm *vm, struct vcpu *except)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] != except)
			kick(vm->vcpus[i]);
}

/* Park the calling vCPU thread until the pause ends. ctl->lock held. */
static void park(struct vm_control *ctl)
{
	ctl->parked++;
	pthread_cond_broadcast(&ctl->cond);
	pthread_cond_wait(&ctl->cond, &ctl->lock);
	ctl->parked--;
}

/**
 * ctl_pause() - take the VM: every other vCPU thread parked out of RUN.
 * @vm: the VM.
 * @self: the calling vCPU (its own exit already completed), or NULL for
 *	the main thread.
 *
 * A vCPU that finds another controller active parks until it is done.
 *
 * Return: 0 with the VM held (end with ctl_resume()), -1 if the VMM is
 * stopping (nothing held).
 */
int ctl_pause(struct vm *vm, struct vcpu *self)
{
	struct vm_control *ctl = &vm->ctl;

	pthread_mutex_lock(&ctl->lock);
	while (!ctl->stopping && ctl->paused) {
		if (self)
			park(ctl);
		else
			pthread_cond_wait(&ctl->cond, &ctl->lock);
	}
	if (ctl->stopping) {
		pthread_mutex_unlock(&ctl->lock);
		return -1;
	}
	ctl->paused = true;
	ctl->owner = self;
	kick_all(vm, self);
	while (!ctl->stopping && ctl->parked < ctl->live - (self ? 1 : 0))
		pthread_cond_wait(&ctl->cond, &ctl->lock);
	if (ctl->stopping) {
		ctl->paused = false;
		ctl->owner = NULL;
		pthread_cond_broadcast(&ctl->cond);
		pthread_mutex_unlock(&ctl->lock);
		return -1;
	}
	pthread_mutex_unlock(&ctl->lock);
	return 0;
}

/* Let the parked vCPU threads run again. */
void ctl_resume(struct vm *vm)
{
	struct vm_control *ctl = &vm->ctl;

	pthread_mutex_lock(&ctl->lock);
	ctl->paused = false;
	ctl->owner = NULL;
	pthread_cond_broadcast(&ctl->cond);
	pthread_mutex_unlock(&ctl->lock);
}

/**
 * ctl_checkpoint() - where a vCPU thread stops after RUN returned -EINTR.
 * @vcpu: the calling vCPU, immediate_exit already cleared.
 *
 * Return: true if the thread must end.
 */
bool ctl_checkpoint(struct vcpu *vcpu)
{
	struct vm_control *ctl = &vcpu->vm->ctl;
	bool stop;

	pthread_mutex_lock(&ctl->lock);
	while (!ctl->stopping && ctl->paused && ctl->owner != vcpu)
		park(ctl);
	stop = ctl->stopping;
	pthread_mutex_unlock(&ctl->lock);
	return stop;
}

/**
 * ctl_start_thread() - start @vcpu's thread running @fn(@vcpu).
 * @vm: the VM.
 * @vcpu: the vCPU.
 * @fn: the thread; it must call ctl_checkpoint() before its first RUN and
 *	ctl_thread_exited() last.
 *
 * Under the lock, so no controller sees the thread counted but unkickable.
 *
 * Return: 0 or -errno.
 */
int ctl_start_thread(struct vm *vm, struct vcpu *vcpu, void *(*fn)(void *))
{
	sigset_t all, old;
	int ret;

	/* The thread starts with every signal blocked; it unblocks SIGUSR1. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_mutex_lock(&vm->ctl.lock);
	ret = pthread_create(&vcpu->thread, NULL, fn, vcpu);
	if (!ret) {
		vcpu->started = true;
		vm->ctl.live++;
	}
	pthread_mutex_unlock(&vm->ctl.lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

void ctl_thread_exited(struct vm *vm)
{
	pthread_mutex_lock(&vm->ctl.lock);
	vm->ctl.live--;
	pthread_cond_broadcast(&vm->ctl.cond);
	pthread_mutex_unlock(&vm->ctl.lock);
}

/* Stop with @status, unless a stop is already under way. ctl->lock held. */
static bool request_exit_locked(struct vm *vm, int status)
{
	struct vm_control *ctl = &vm->ctl;

	if (ctl->stopping)
		return false;
	ctl->stopping = true;
	ctl->status = status;
	kick_all(vm, NULL);
	pthread_cond_broadcast(&ctl->cond);
	return true;
}

/* End the VMM with @status: the first request wins. */
void vm_request_exit(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->ctl.lock);
	request_exit_locked(vm, status);
	pthread_mutex_unlock(&vm->ctl.lock);
}

/* End the VMM with @status and print why, unless it is already ending. */
void vm_fail(struct vm *vm, int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->ctl.lock);
	if (request_exit_locked(vm, status)) {
		fputs(VMM_NAME ": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&vm->ctl.lock);
}

bool vm_stopping(struct vm *vm)
{
	bool stop;

	pthread_mutex_lock(&vm->ctl.lock);
	stop = vm->ctl.stopping;
	pthread_mutex_unlock(&vm->ctl.lock);
	return stop;
}

int vm_exit_status(struct vm *vm)
{
	int status;

	pthread_mutex_lock(&vm->ctl.lock);
	status = vm->ctl.status;
	pthread_mutex_unlock(&vm->ctl.lock);
	return status;
}

unsigned int ctl_reset_gen(struct vm *vm)
{
	unsigned int gen;

	pthread_mutex_lock(&vm->ctl.lock);
	gen = vm->ctl.reset_gen;
	pthread_mutex_unlock(&vm->ctl.lock);
	return gen;
}

/* A guest reboot: actions requested before it are void. */
void ctl_new_reset_gen(struct vm *vm)
{
	pthread_mutex_lock(&vm->ctl.lock);
	vm->ctl.reset_gen++;
	pthread_mutex_unlock(&vm->ctl.lock);
}

/* Main thread: sleep up to @ms or until a stop; returns 1 if stopping. */
int ctl_wait(struct vm *vm, unsigned int ms)
{
	struct vm_control *ctl = &vm->ctl;
	struct timespec ts;
	int stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&ctl->lock);
	if (!ctl->stopping)
		pthread_cond_timedwait(&ctl->cond, &ctl->lock, &ts);
	stop = ctl->stopping;
	pthread_mutex_unlock(&ctl->lock);
	return stop;
}
