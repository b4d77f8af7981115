// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd: an eventfd that drives a GSI, with an optional resample eventfd
 * for level-triggered lines (the contract vhost and VFIO expect).
 *
 * A signal on the eventfd wakes our wait-queue entry (in the signaller's
 * context, with the eventfd's wait-queue lock held): the count is consumed
 * and the GSI pulsed (edge) or asserted (resample). Injection never
 * sleeps, so it happens right there.
 *
 * Sources: an edge irqfd pulses its GSI as the IOAPIC source
 * VLAPIC_IRQ_SOURCE_PULSE; a resampling irqfd asserts it as a source of
 * its own (vlapic_ioapic_alloc_source()). The IOAPIC ORs a pin's sources,
 * so neither lowers an assertion of the VMM's (VLAPIC_IRQ_LINE) or of
 * another device sharing the line.
 *
 * Resample: when the IOAPIC sees the EOI of a level pin (the LAPICs' EOI
 * broadcast or its own EOI register) it calls the VM's acked op, and
 * every resampling irqfd whose GSI the current routing table sends to
 * that pin (or that still drives it, from before a routing change) has
 * its source deasserted *before* the IOAPIC re-evaluates the pin (so it
 * does not re-deliver a line the device may have dropped), then its
 * resample eventfd is signalled so the device can assert it again.
 *
 * Lifetime: an irqfd leaves the VM's list (under irqfds_lock, RCU list)
 * when it is deassigned, when its eventfd is closed (EPOLLHUP) or when the
 * VM goes away; the free happens on vlapic_irqfd_wq after the wait-queue
 * entry is removed and an RCU grace period passed, and every teardown
 * path flushes that workqueue.
 */

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vm_priv.h"

static struct workqueue_struct *vlapic_irqfd_wq;

/**
 * struct vlapic_irqfd_entry - one eventfd bound to a GSI.
 * @vm: the VM (the VM outlives its irqfds: they are torn down first).
 * @eventfd: the trigger.
 * @resamplefd: signalled after the guest EOIs, or NULL (edge).
 * @gsi: the GSI driven.
 * @source: the IOAPIC source it drives @gsi's pins as (resample: its own;
 *	edge: VLAPIC_IRQ_SOURCE_PULSE).
 * @wait: our entry on @eventfd's wait queue.
 * @pt: used once, to find that wait queue.
 * @shutdown: frees the entry in process context.
 * @link: in @vm->irqfds (RCU list, written under irqfds_lock).
 */
struct vlapic_irqfd_entry {
	struct vlapic_vm *vm;
	struct eventfd_ctx *eventfd;
	struct eventfd_ctx *resamplefd;
	u32 gsi;
	u32 source;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct shutdown;
	struct list_head link;
};

static void irqfd_shutdown(struct work_struct *work)
{
	struct vlapic_irqfd_entry *irqfd =
		container_of(work, struct vlapic_irqfd_entry, shutdown);
	u64 cnt;

	/* No wake-up can run for it after this returns. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	/* Nor any EOI-path reader of the list. */
	synchronize_rcu();
	if (irqfd->resamplefd) {
		/* Its assertion drops, wherever its GSI is routed now. */
		vlapic_ioapic_free_source(irqfd->vm->ioapic, irqfd->source);
		eventfd_ctx_put(irqfd->resamplefd);
	}
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

/* Take @irqfd off the VM's list and queue its free. irqfds_lock held. */
static void irqfd_deactivate(struct vlapic_irqfd_entry *irqfd)
{
	lockdep_assert_held(&irqfd->vm->irqfds_lock);
	if (list_empty(&irqfd->link))
		return;		/* already on its way out */
	list_del_rcu(&irqfd->link);
	INIT_LIST_HEAD(&irqfd->link);
	irqfd->vm->nr_irqfds--;
	queue_work(vlapic_irqfd_wq, &irqfd->shutdown);
}

static void irqfd_inject(struct vlapic_irqfd_entry *irqfd)
{
	struct vlapic_vm *vm = irqfd->vm;

	atomic64_inc(&vm->stats[VLAPIC_VM_STAT_IRQFD_SIGNALS]);
	vlapic_router_set_irq_source(vm->router, irqfd->gsi, irqfd->source,
				     true);
	if (!irqfd->resamplefd)
		vlapic_router_set_irq_source(vm->router, irqfd->gsi,
					     irqfd->source, false);
}

/* Wake-up callback: eventfd wait-queue lock held, any context. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct vlapic_irqfd_entry *irqfd =
		container_of(wait, struct vlapic_irqfd_entry, wait);
	__poll_t flags = key_to_poll(key);
	unsigned long lflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		irqfd_inject(irqfd);
	}
	if (flags & EPOLLHUP) {
		/* The eventfd is going away: so does the binding. */
		spin_lock_irqsave(&irqfd->vm->irqfds_lock, lflags);
		irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&irqfd->vm->irqfds_lock, lflags);
	}
	return 0;
}

static void irqfd_ptable_queue_proc(struct file *file, wait_queue_head_t *wqh,
				    poll_table *pt)
{
	struct vlapic_irqfd_entry *irqfd =
		container_of(pt, struct vlapic_irqfd_entry, pt);

	add_wait_queue_priority(wqh, &irqfd->wait);
}

static int irqfd_assign(struct vlapic_vm *vm, const struct vlapic_irqfd *args)
{
	struct vlapic_irqfd_entry *irqfd, *tmp;
	unsigned long flags;
	struct fd f;
	__poll_t events;
	int ret;

	if (args->gsi >= VLAPIC_MAX_GSI)
		return -EINVAL;
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->gsi = args->gsi;
	irqfd->source = VLAPIC_IRQ_SOURCE_PULSE;
	INIT_LIST_HEAD(&irqfd->link);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);

	f = fdget(args->fd);
	if (!f.file) {
		ret = -EBADF;
		goto out_free;
	}
	irqfd->eventfd = eventfd_ctx_fileget(f.file);
	if (IS_ERR(irqfd->eventfd)) {
		ret = PTR_ERR(irqfd->eventfd);
		goto out_fdput;
	}
	if (args->flags & VLAPIC_IRQFD_FLAG_RESAMPLE) {
		/* resample needs an IOAPIC route (when it is bound) */
		ret = vlapic_router_ioapic_pin(vm->router, args->gsi);
		if (ret < 0)
			goto out_ctx;
		irqfd->resamplefd = eventfd_ctx_fdget(args->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			ret = PTR_ERR(irqfd->resamplefd);
			irqfd->resamplefd = NULL;
			goto out_ctx;
		}
		ret = vlapic_ioapic_alloc_source(vm->ioapic);
		if (ret < 0)
			goto out_ctx;
		irqfd->source = ret;
	}

	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, irqfd_ptable_queue_proc);

	spin_lock_irqsave(&vm->irqfds_lock, flags);
	ret = -EBUSY;
	list_for_each_entry(tmp, &vm->irqfds, link)
		if (tmp->eventfd == irqfd->eventfd)
			goto out_unlock;	/* one binding per eventfd */
	ret = -ENOSPC;
	if (vm->nr_irqfds >= VLAPIC_MAX_IRQFDS)
		goto out_unlock;
	list_add_tail_rcu(&irqfd->link, &vm->irqfds);
	vm->nr_irqfds++;
	spin_unlock_irqrestore(&vm->irqfds_lock, flags);

	/*
	 * Hook the wait queue; a signal already pending injects now. The
	 * count is left alone: eventfd_ctx_do_read() needs the eventfd's
	 * wait-queue lock, which only the wake-up callback holds. The next
	 * signal's wake-up consumes it.
	 */
	events = vfs_poll(f.file, &irqfd->pt);
	if (events & EPOLLIN)
		irqfd_inject(irqfd);
	fdput(f);
	return 0;

out_unlock:
	spin_unlock_irqrestore(&vm->irqfds_lock, flags);
out_ctx:
	if (irqfd->source != VLAPIC_IRQ_SOURCE_PULSE)
		vlapic_ioapic_free_source(vm->ioapic, irqfd->source);
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
	eventfd_ctx_put(irqfd->eventfd);
out_fdput:
	fdput(f);
out_free:
	kfree(irqfd);
	return ret;
}

static int irqfd_deassign(struct vlapic_vm *vm, const struct vlapic_irqfd *args)
{
	struct vlapic_irqfd_entry *irqfd, *tmp;
	struct eventfd_ctx *eventfd;
	unsigned long flags;
	int ret = -ENOENT;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	spin_lock_irqsave(&vm->irqfds_lock, flags);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, link) {
		if (irqfd->eventfd == eventfd && irqfd->gsi == args->gsi) {
			irqfd_deactivate(irqfd);
			ret = 0;
		}
	}
	spin_unlock_irqrestore(&vm->irqfds_lock, flags);
	eventfd_ctx_put(eventfd);
	/* Once this returns the binding can no longer inject. */
	flush_workqueue(vlapic_irqfd_wq);
	return ret;
}

/**
 * vlapic_irqfd_ioctl() - VLAPIC_IRQFD.
 * @vm: the VM
 * @args: copied from userspace
 *
 * Return: 0, -EINVAL (flags, reserved, GSI, resample without an IOAPIC
 * route), -EBADF, -EBUSY (eventfd already bound), -ENOSPC (too many, or
 * no IOAPIC source left for a resampling one), -ENOENT (deassign of an
 * unknown binding), -ENOMEM.
 */
int vlapic_irqfd_ioctl(struct vlapic_vm *vm, const struct vlapic_irqfd *args)
{
	u32 known = VLAPIC_IRQFD_FLAG_DEASSIGN | VLAPIC_IRQFD_FLAG_RESAMPLE;

	if ((args->flags & ~known) || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->flags & VLAPIC_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm, args);
	if (!(args->flags & VLAPIC_IRQFD_FLAG_RESAMPLE) && args->resamplefd)
		return -EINVAL;
	return irqfd_assign(vm, args);
}

/**
 * vlapic_irqfd_acked() - the guest EOIed the interrupt of an IOAPIC pin.
 * @vm: the VM
 * @pin: the level pin whose remote IRR the IOAPIC is clearing
 *
 * Resamples every resampling irqfd whose GSI the routing table sends to
 * @pin now, or that still drives @pin from before a routing change: its
 * own source is lowered everywhere (the VMM's and other devices'
 * assertions stay) and its resample eventfd is signalled. Called by the
 * IOAPIC before it re-evaluates @pin, with no lock of its held; in the
 * EOI's context (the IOAPIC's acked op), never in hard interrupt context
 * on PREEMPT_RT (eventfd_signal() takes a spinlock_t).
 */
void vlapic_irqfd_acked(struct vlapic_vm *vm, unsigned int pin)
{
	struct vlapic_irqfd_entry *irqfd;

	rcu_read_lock();
	list_for_each_entry_rcu(irqfd, &vm->irqfds, link) {
		if (!irqfd->resamplefd ||
		    (!vlapic_router_routes_pin(vm->router, irqfd->gsi, pin) &&
		     !vlapic_ioapic_source_drives(vm->ioapic, pin,
						  irqfd->source)))
			continue;
		vlapic_ioapic_lower_source(vm->ioapic, irqfd->source);
		eventfd_signal(irqfd->resamplefd, 1);
		atomic64_inc(&vm->stats[VLAPIC_VM_STAT_IRQFD_RESAMPLES]);
	}
	rcu_read_unlock();
}

/**
 * vlapic_irqfd_release_all() - tear down every irqfd of a dying VM.
 * @vm: the VM (no ioctl can run on it any more)
 */
void vlapic_irqfd_release_all(struct vlapic_vm *vm)
{
	struct vlapic_irqfd_entry *irqfd, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&vm->irqfds_lock, flags);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, link)
		irqfd_deactivate(irqfd);
	spin_unlock_irqrestore(&vm->irqfds_lock, flags);
	flush_workqueue(vlapic_irqfd_wq);
}

/**
 * vlapic_irqfd_init() - module init: the teardown workqueue.
 *
 * Return: 0 or -ENOMEM.
 */
int vlapic_irqfd_init(void)
{
	vlapic_irqfd_wq = alloc_workqueue("vlapic-irqfd", 0, 0);
	return vlapic_irqfd_wq ? 0 : -ENOMEM;
}

/**
 * vlapic_irqfd_exit() - module exit.
 */
void vlapic_irqfd_exit(void)
{
	destroy_workqueue(vlapic_irqfd_wq);
}
