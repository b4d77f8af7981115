// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object and its file descriptor: LAPIC state, trapped register
 * accesses, and the emulated-CPU interface (WAIT, GET_INTERRUPT) for a
 * VMM whose CPU is an instruction emulator or a test driver.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <vlapic/clock.h>
#include <vlapic/run.h>
#include <vlapic/stats.h>
#include "run_priv.h"
#include "vm_priv.h"

/**
 * vlapic_vcpu_kick() - make the vCPU's thread notice a new event.
 * @vcpu: the vCPU
 *
 * Wakes it if it sleeps (VLAPIC_WAIT, or HLT in VLAPIC_RUN), and makes it
 * leave guest mode if it runs the guest on another CPU.
 *
 * Any context, vLAPIC lock possibly held: rcuwait takes no lock and the
 * run loop's kick only sends an IPI.
 */
void vlapic_vcpu_kick(struct vlapic_vcpu *vcpu)
{
	rcuwait_wake_up(&vcpu->wait);
	if (vcpu->run)
		vlapic_run_kick(vcpu->run);
}

/**
 * vlapic_vcpu_block() - sleep as a halted CPU.
 * @vcpu: the vCPU (its mutex held)
 * @can_wake: the wake predicate; checked after the task is published and
 *	its state set, so a kick between the check and the sleep is not
 *	lost (it makes the task runnable again)
 * @arg: its argument
 * @timeout_ns: relative timeout; < 0 waits without limit
 * @closes: the vCPU fd's close count when the caller started: a change
 *	ends the sleep
 *
 * Return: VLAPIC_WAKE_EVENT, _TIMEOUT, _SIGNAL or _CLOSED.
 */
int vlapic_vcpu_block(struct vlapic_vcpu *vcpu, bool (*can_wake)(void *arg),
		      void *arg, s64 timeout_ns, int closes)
{
	ktime_t expires = 0;
	int reason;

	if (timeout_ns >= 0)
		expires = ktime_add_safe(ktime_get(), ns_to_ktime(timeout_ns));
	prepare_to_rcuwait(&vcpu->wait);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (can_wake(arg)) {
			reason = VLAPIC_WAKE_EVENT;
			break;
		}
		if (atomic_read(&vcpu->closes) != closes) {
			reason = VLAPIC_WAKE_CLOSED;
			break;
		}
		if (signal_pending(current)) {
			reason = VLAPIC_WAKE_SIGNAL;
			break;
		}
		if (timeout_ns < 0) {
			schedule();
		} else if (!schedule_hrtimeout(&expires, HRTIMER_MODE_ABS)) {
			__set_current_state(TASK_RUNNING);
			reason = can_wake(arg) ? VLAPIC_WAKE_EVENT :
						 VLAPIC_WAKE_TIMEOUT;
			break;
		}
	}
	rcu_assign_pointer(vcpu->wait.task, NULL);
	__set_current_state(TASK_RUNNING);
	return reason;
}

static bool vcpu_wait_can_wake(void *arg)
{
	struct vlapic_vcpu *vcpu = arg;

	return vlapic_has_deliverable(vcpu->vlapic);
}

/* VLAPIC_WAIT: HLT of an emulated CPU. */
static int vcpu_wait(struct vlapic_vcpu *vcpu, struct vlapic_wait *w)
{
	w->reason = vlapic_vcpu_block(vcpu, vcpu_wait_can_wake, vcpu,
				      w->timeout_ns,
				      atomic_read(&vcpu->closes));
	return w->reason == VLAPIC_WAKE_SIGNAL ? -EINTR : 0;
}

/* What the CPU takes next, in architectural priority order. */
static void vcpu_get_interrupt(struct vlapic_vcpu *vcpu,
			       struct vlapic_interrupt *in)
{
	struct vlapic *v = vcpu->vlapic;
	u32 ev = vlapic_pending_events(v);
	u8 sipi = 0;
	int vec;

	in->type = VLAPIC_INTR_NONE;
	in->vector = 0;
	if ((ev & VLAPIC_EVENT_INIT) &&
	    vlapic_take_event(v, VLAPIC_EVENT_INIT, NULL)) {
		in->type = VLAPIC_INTR_INIT;
		return;
	}
	if ((ev & VLAPIC_EVENT_SIPI) &&
	    vlapic_take_event(v, VLAPIC_EVENT_SIPI, &sipi)) {
		in->type = VLAPIC_INTR_SIPI;
		in->vector = sipi;
		return;
	}
	if (vlapic_mp_state(v) == VLAPIC_MP_WAIT_FOR_SIPI)
		return;
	if ((ev & VLAPIC_EVENT_SMI) &&
	    vlapic_take_event(v, VLAPIC_EVENT_SMI, NULL)) {
		in->type = VLAPIC_INTR_SMI;
		return;
	}
	if ((ev & VLAPIC_EVENT_NMI) && !(in->flags & VLAPIC_INTR_NMI_BLOCKED) &&
	    vlapic_take_event(v, VLAPIC_EVENT_NMI, NULL)) {
		in->type = VLAPIC_INTR_NMI;
		return;
	}
	if (!(in->flags & VLAPIC_INTR_IF))
		return;
	if ((ev & VLAPIC_EVENT_EXTINT) &&
	    vlapic_take_event(v, VLAPIC_EVENT_EXTINT, NULL)) {
		in->type = VLAPIC_INTR_EXTINT;
		return;
	}
	vec = vlapic_ack(v);
	if (vec >= 0) {
		in->type = VLAPIC_INTR_VECTOR;
		in->vector = vec;
	}
}

static int vcpu_reg_access(struct vlapic_vcpu *vcpu, struct vlapic_reg_access *a)
{
	struct vlapic *v = vcpu->vlapic;
	bool write = a->flags & VLAPIC_ACCESS_WRITE;
	enum vlapic_access res;
	u64 data = 0;

	if ((a->flags & ~VLAPIC_ACCESS_WRITE) || a->pad || a->fault)
		return -EINVAL;
	switch (a->kind) {
	case VLAPIC_ACCESS_KIND_MMIO:
		if ((a->len != 1 && a->len != 2 && a->len != 4) ||
		    a->address >= VLAPIC_MMIO_SIZE ||
		    (!write && a->data))
			return -EINVAL;
		if (write)
			res = vlapic_mmio_write(v, a->address, &a->data, a->len);
		else
			res = vlapic_mmio_read(v, a->address, &data, a->len);
		break;
	case VLAPIC_ACCESS_KIND_MSR:
		if (a->len != 8 || !vlapic_owns_msr(a->address) ||
		    (!write && a->data))
			return -EINVAL;
		if (write)
			res = vlapic_msr_write(v, a->address, a->data);
		else
			res = vlapic_msr_read(v, a->address, &data);
		break;
	default:
		return -EINVAL;
	}
	if (!write)
		a->data = data;
	a->fault = res == VLAPIC_ACCESS_GP ? VLAPIC_FAULT_GP : 0;
	return 0;
}

/*
 * The first layout of struct vlapic_vcpu_stats: 64 slots, 520 bytes. Its
 * ioctl number still answers with the counters that layout had.
 */
#define VLAPIC_VCPU_STATS_V1_SIZE	520
#define VLAPIC_VCPU_STATS_V1_NR		63
#define VLAPIC_GET_VCPU_STATS_V1 \
	_IOC(_IOC_READ, VLAPICIO, 0x27, VLAPIC_VCPU_STATS_V1_SIZE)

/**
 * vlapic_vcpu_read_stats() - a snapshot of the vCPU's counters.
 * @vcpu: the vCPU
 * @v: out: VLAPIC_VCPU_STAT_NR values, indexed by VLAPIC_VCPU_STAT_*
 *
 * Lockless: the vCPU's thread may be counting meanwhile.
 *
 * Return: 0.
 */
int vlapic_vcpu_read_stats(struct vlapic_vcpu *vcpu, u64 *v)
{
	int i;

	/* The run loop's counters follow the vLAPIC's, in the same order. */
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_NR != VLAPIC_VCPU_STAT_NR);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_EXIT_CR8 !=
		     VLAPIC_VCPU_STAT_RUN_EXIT_CR8);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_TLB_FLUSHES !=
		     VLAPIC_VCPU_STAT_RUN_TLB_FLUSHES);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_BAD_EVENTS !=
		     VLAPIC_VCPU_STAT_RUN_BAD_EVENTS);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_EXIT_APIC_ACCESS !=
		     VLAPIC_VCPU_STAT_RUN_EXIT_APIC_ACCESS);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_EXIT_PAUSE !=
		     VLAPIC_VCPU_STAT_RUN_EXIT_PAUSE);
	BUILD_BUG_ON(VLAPIC_NR_STATS + VLAPIC_RUN_STAT_EXIT_BACKSTOP !=
		     VLAPIC_VCPU_STAT_RUN_EXIT_BACKSTOP);
	for (i = 0; i < VLAPIC_NR_STATS; i++)
		v[i] = vlapic_stat(vcpu->vlapic, i);
	for (i = 0; i < VLAPIC_RUN_STAT_NR; i++)
		v[VLAPIC_NR_STATS + i] = vcpu->run ?
			READ_ONCE(vcpu->run->stats[i]) : 0;
	return 0;
}

static int vcpu_get_stats(struct vlapic_vcpu *vcpu, void __user *argp,
			  bool v1)
{
	struct vlapic_vcpu_stats *out;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(out->v) < VLAPIC_VCPU_STAT_NR);
	BUILD_BUG_ON(VLAPIC_VCPU_STAT_RUN_BAD_EVENTS + 1 !=
		     VLAPIC_VCPU_STATS_V1_NR);
	BUILD_BUG_ON(VLAPIC_GET_VCPU_STATS_V1 == VLAPIC_GET_VCPU_STATS);
	out = kzalloc(sizeof(*out), GFP_KERNEL_ACCOUNT);
	if (!out)
		return -ENOMEM;
	out->nr = VLAPIC_VCPU_STAT_NR;
	vlapic_vcpu_read_stats(vcpu, out->v);
	if (v1) {
		out->nr = VLAPIC_VCPU_STATS_V1_NR;
		memset(&out->v[VLAPIC_VCPU_STATS_V1_NR], 0,
		       sizeof(out->v) - VLAPIC_VCPU_STATS_V1_NR * sizeof(u64));
	}
	ret = copy_to_user(argp, out, v1 ? VLAPIC_VCPU_STATS_V1_SIZE :
			   sizeof(*out)) ? -EFAULT : 0;
	kfree(out);
	return ret;
}

static int vcpu_get_lapic(struct vlapic_vcpu *vcpu, void __user *argp)
{
	struct vlapic_lapic_state *s;
	int ret;

	s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	vlapic_get_state(vcpu->vlapic, s);
	ret = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	kfree(s);
	return ret;
}

static int vcpu_set_lapic(struct vlapic_vcpu *vcpu, void __user *argp)
{
	struct vlapic_lapic_state *s;
	int ret;

	s = vlapic_dup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = vlapic_set_state(vcpu->vlapic, s);
	kvfree(s);
	return ret;
}

/* The run interface of a VLAPIC_VM_RUN vCPU (run/). */
static long vcpu_run_ioctl(struct vlapic_vcpu_run *run, unsigned int ioctl,
			   void __user *argp)
{
	struct vlapic_sregs *sregs;
	struct vlapic_extint extint;
	struct vlapic_regs regs;
	long ret;

	switch (ioctl) {
	case VLAPIC_RUN:
		if (argp)
			return -EINVAL;
		return vlapic_vcpu_run(run);
	case VLAPIC_GET_REGS:
		vlapic_run_get_regs(run, &regs);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	case VLAPIC_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		return vlapic_run_set_regs(run, &regs);
	case VLAPIC_GET_SREGS:
		sregs = kmalloc(sizeof(*sregs), GFP_KERNEL_ACCOUNT);
		if (!sregs)
			return -ENOMEM;
		vlapic_run_get_sregs(run, sregs);
		ret = copy_to_user(argp, sregs, sizeof(*sregs)) ? -EFAULT : 0;
		kfree(sregs);
		return ret;
	case VLAPIC_SET_SREGS:
		sregs = vlapic_dup_user(argp, sizeof(*sregs));
		if (IS_ERR(sregs))
			return PTR_ERR(sregs);
		ret = vlapic_run_set_sregs(run, sregs);
		kvfree(sregs);
		return ret;
	case VLAPIC_GET_MSRS:
		return vlapic_run_msrs_ioctl(run, argp, false);
	case VLAPIC_SET_MSRS:
		return vlapic_run_msrs_ioctl(run, argp, true);
	case VLAPIC_SET_CPUID2:
		return vlapic_run_set_cpuid(run, argp);
	case VLAPIC_GET_CPUID2:
		return vlapic_run_get_cpuid(run, argp);
	case VLAPIC_INTERRUPT:
		if (copy_from_user(&extint, argp, sizeof(extint)))
			return -EFAULT;
		return vlapic_run_interrupt(run, extint.irq);
	default:
		return -ENOTTY;
	}
}

static bool vcpu_is_run_ioctl(unsigned int ioctl)
{
	switch (ioctl) {
	case VLAPIC_RUN:
	case VLAPIC_GET_REGS:
	case VLAPIC_SET_REGS:
	case VLAPIC_GET_SREGS:
	case VLAPIC_SET_SREGS:
	case VLAPIC_GET_MSRS:
	case VLAPIC_SET_MSRS:
	case VLAPIC_SET_CPUID2:
	case VLAPIC_GET_CPUID2:
	case VLAPIC_INTERRUPT:
		return true;
	default:
		return false;
	}
}

static long vcpu_ioctl_locked(struct vlapic_vcpu *vcpu, unsigned int ioctl,
			      void __user *argp)
{
	struct vlapic_reg_access acc;
	struct vlapic_interrupt intr;
	struct vlapic_wait w;
	struct vlapic_lint lint;
	int ret;

	/* A VM either runs on the CPU or plays an emulated one, not both. */
	if (vcpu_is_run_ioctl(ioctl))
		return vcpu->run ? vcpu_run_ioctl(vcpu->run, ioctl, argp) :
				   -EINVAL;
	if (vcpu->run && (ioctl == VLAPIC_WAIT || ioctl == VLAPIC_GET_INTERRUPT))
		return -EINVAL;

	switch (ioctl) {
	case VLAPIC_GET_LAPIC:
		return vcpu_get_lapic(vcpu, argp);
	case VLAPIC_SET_LAPIC:
		return vcpu_set_lapic(vcpu, argp);
	case VLAPIC_REG_ACCESS:
		if (copy_from_user(&acc, argp, sizeof(acc)))
			return -EFAULT;
		/*
		 * No failure after a side effect (an IPI, an EOI): the struct
		 * is checked writable first. Only a concurrent munmap() or
		 * mprotect() of it by the caller can still fail the copy-out,
		 * after the access happened.
		 */
		if (copy_to_user(argp, &acc, sizeof(acc)))
			return -EFAULT;
		ret = vcpu_reg_access(vcpu, &acc);
		if (ret)
			return ret;
		return copy_to_user(argp, &acc, sizeof(acc)) ? -EFAULT : 0;
	case VLAPIC_WAIT:
		if (copy_from_user(&w, argp, sizeof(w)))
			return -EFAULT;
		if (w.flags || w.reason)
			return -EINVAL;
		ret = vcpu_wait(vcpu, &w);
		if (copy_to_user(argp, &w, sizeof(w)))
			return -EFAULT;
		return ret;
	case VLAPIC_GET_INTERRUPT:
		if (copy_from_user(&intr, argp, sizeof(intr)))
			return -EFAULT;
		if ((intr.flags & ~(VLAPIC_INTR_IF | VLAPIC_INTR_NMI_BLOCKED)) ||
		    intr.type || intr.vector || intr.pad)
			return -EINVAL;
		/* Writable before anything is acknowledged (see REG_ACCESS). */
		if (copy_to_user(argp, &intr, sizeof(intr)))
			return -EFAULT;
		vcpu_get_interrupt(vcpu, &intr);
		return copy_to_user(argp, &intr, sizeof(intr)) ? -EFAULT : 0;
	case VLAPIC_SET_LINT:
		if (copy_from_user(&lint, argp, sizeof(lint)))
			return -EFAULT;
		if (lint.pin > 1 || lint.level > 1)
			return -EINVAL;
		vlapic_set_lint(vcpu->vlapic, lint.pin, lint.level);
		return 0;
	case VLAPIC_GET_VCPU_STATS:
	case VLAPIC_GET_VCPU_STATS_V1:
		return vcpu_get_stats(vcpu, argp,
				      ioctl == VLAPIC_GET_VCPU_STATS_V1);
	default:
		return -ENOTTY;
	}
}

static long vcpu_ioctl(struct file *filp, unsigned int ioctl,
		       unsigned long arg)
{
	struct vlapic_vcpu *vcpu = filp->private_data;
	long ret;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* Counters are a snapshot: no need to wait for a WAIT to end. */
	if (ioctl == VLAPIC_GET_VCPU_STATS || ioctl == VLAPIC_GET_VCPU_STATS_V1)
		return vcpu_get_stats(vcpu, (void __user *)arg,
				      ioctl == VLAPIC_GET_VCPU_STATS_V1);
	if (ioctl == VLAPIC_GET_STATS_FD)
		return arg ? -EINVAL : vlapic_stats_fd(vcpu->vm, vcpu);
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	ret = vcpu_ioctl_locked(vcpu, ioctl, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

/*
 * Every close() of the fd, while the file may still be in use by an
 * ioctl of another thread: a WAIT in progress returns (VLAPIC_WAKE_CLOSED)
 * instead of sleeping on a vCPU nobody will drive.
 */
static int vcpu_flush(struct file *filp, fl_owner_t id)
{
	struct vlapic_vcpu *vcpu = filp->private_data;

	atomic_inc(&vcpu->closes);
	vlapic_vcpu_kick(vcpu);
	return 0;
}

static int vcpu_release(struct inode *inode, struct file *filp)
{
	struct vlapic_vcpu *vcpu = filp->private_data;

	vlapic_vm_put(vcpu->vm);
	return 0;
}

/* The run structure and the I/O page (VLAPIC_GET_VCPU_MMAP_SIZE). */
static int vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct vlapic_vcpu *vcpu = filp->private_data;

	if (!vcpu->run)
		return -ENODEV;
	if (vma->vm_pgoff + vma_pages(vma) > VLAPIC_PIO_PAGE_OFFSET + 1)
		return -EINVAL;
	vma->vm_ops = &vlapic_vcpu_run_vm_ops;
	vma->vm_private_data = vcpu->run;
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= vcpu_release,
	.flush		= vcpu_flush,
	.mmap		= vcpu_mmap,
	.unlocked_ioctl	= vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/**
 * vlapic_vcpu_free() - free a vCPU when its VM goes away.
 * @vcpu: the vCPU (no fd refers to it any more)
 */
void vlapic_vcpu_free(struct vlapic_vcpu *vcpu)
{
	/* The vLAPIC's timer and hooks stop first: they reach the run state. */
	vlapic_destroy(vcpu->vlapic);
	vlapic_vcpu_run_free(vcpu->run);
	mutex_destroy(&vcpu->mutex);
	kfree(vcpu);
}

/**
 * vlapic_vcpu_create() - VLAPIC_CREATE_VCPU.
 * @vm: the VM
 * @req: index and APIC ID, copied from userspace
 *
 * Return: a vCPU fd, or -EINVAL (bad index, flags, ID), -EEXIST (index
 * taken), -ENOMEM, -EMFILE.
 */
int vlapic_vcpu_create(struct vlapic_vm *vm,
		       const struct vlapic_create_vcpu *req)
{
	struct vlapic_vcpu *vcpu;
	unsigned int index;
	struct file *file;
	int fd;

	if (req->flags || req->pad || req->reserved[0] || req->reserved[1] ||
	    req->index >= vm->max_vcpus)
		return -EINVAL;
	/*
	 * Userspace's index: clamped here, and every later use goes through
	 * the clamped copy stored in the vCPU, its vLAPIC and its run state.
	 */
	index = array_index_nospec(req->index, vm->max_vcpus);
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->index = index;
	rcuwait_init(&vcpu->wait);
	mutex_init(&vcpu->mutex);

	mutex_lock(&vm->lock);
	if (vm->vcpus[index]) {
		fd = -EEXIST;
		goto fail;
	}
	vcpu->vlapic = vlapic_create(vm->bus, index, req->apic_id,
				     &vlapic_host_clock);
	if (IS_ERR(vcpu->vlapic)) {
		fd = PTR_ERR(vcpu->vlapic);
		goto fail;
	}
	if (vm->run) {
		vcpu->run = vlapic_vcpu_run_create(vm->run, vcpu, vcpu->vlapic,
						   index, req->apic_id);
		if (IS_ERR(vcpu->run)) {
			fd = PTR_ERR(vcpu->run);
			vcpu->run = NULL;
			goto fail_vlapic;
		}
	}
	/*
	 * Reserve the fd and make the file first, publish the vCPU, then
	 * install: the vCPU is reachable by kicks before userspace can
	 * WAIT on it, and nothing can fail after it is published.
	 */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto fail_vlapic;
	file = anon_inode_getfile("vlapic-vcpu", &vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto fail_vlapic;
	}
	kref_get(&vm->ref);	/* dropped by vcpu_release() */
	if (vcpu->run)
		vlapic_vcpu_run_publish(vcpu->run);
	/* Pairs with vm_kick()'s acquire: kicks see a complete vCPU. */
	smp_store_release(&vm->vcpus[index], vcpu);
	vlapic_vcpu_debugfs_create(vcpu);
	fd_install(fd, file);
	mutex_unlock(&vm->lock);
	return fd;
fail_vlapic:
	vlapic_destroy(vcpu->vlapic);
	vlapic_vcpu_run_free(vcpu->run);
fail:
	mutex_unlock(&vm->lock);
	mutex_destroy(&vcpu->mutex);
	kfree(vcpu);
	return fd;
}
