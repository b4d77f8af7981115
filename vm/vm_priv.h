/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM and vCPU objects behind the VM and vCPU file descriptors.
 *
 * Lifetime: a VM is reference counted; its fd holds one reference and
 * every vCPU fd another, so a VM lives until its last fd is closed, and
 * its vCPUs live as long as the VM. Files hold a reference on the module
 * (fops.owner), so the module cannot be unloaded while a VM exists. An
 * ioctl runs with its file (and so the VM) pinned: closing an fd while
 * another thread sits in an ioctl on it cannot free anything under it.
 *
 * A VM belongs to the mm that created it: ioctls from another mm fail
 * with -EIO (as KVM's).
 */
#ifndef _VLAPIC_VM_PRIV_H
#define _VLAPIC_VM_PRIV_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcuwait.h>
#include <linux/spinlock.h>

#include <uapi/linux/vlapic.h>
#include <vlapic/ioapic.h>
#include <vlapic/lapic.h>

struct vlapic_vcpu;
struct vlapic_vcpu_run;
struct vlapic_vm_run;

/**
 * struct vlapic_vm - one VM's interrupt controllers.
 * @ref: references: the VM fd and each vCPU fd.
 * @mm: the creating process's mm (mmgrab'ed).
 * @bus: the APIC bus of the vLAPICs.
 * @ioapic: the IOAPIC.
 * @router: GSI routing to the IOAPIC and MSIs.
 * @lock: serializes vCPU creation.
 * @max_vcpus: vCPU slots.
 * @vcpus: created vCPUs by index; an entry is published (release) once
 *	the vCPU is complete and never changes until the VM is freed.
 * @stats: VLAPIC_VM_STAT_* counters.
 * @irqfds_lock: protects writers of @irqfds and @nr_irqfds (the EOI path
 *	reads @irqfds under RCU).
 * @irqfds: bound irqfds (vm/irqfd.c).
 * @nr_irqfds: their number, at most VLAPIC_MAX_IRQFDS.
 * @run: guest memory and the run loop's state (VLAPIC_VM_RUN), or NULL.
 * @stats_id: the id string of its binary statistics, "vlapic-<pid>".
 * @debugfs: its debugfs directory (vm/stats.c), or NULL.
 */
struct vlapic_vm {
	struct kref ref;
	struct mm_struct *mm;
	struct vlapic_bus *bus;
	struct vlapic_ioapic *ioapic;
	struct vlapic_router *router;
	struct mutex lock;	/* see above */
	u32 max_vcpus;
	struct vlapic_vcpu **vcpus;
	atomic64_t stats[VLAPIC_VM_STAT_NR];
	spinlock_t irqfds_lock;	/* see above */
	struct list_head irqfds;
	unsigned int nr_irqfds;
	struct vlapic_vm_run *run;
	char stats_id[VLAPIC_STATS_NAME_SIZE];
	struct dentry *debugfs;
};

/**
 * struct vlapic_vcpu - one vCPU: its vLAPIC and its halt wait.
 * @vm: the VM (the vCPU fd holds a reference).
 * @vlapic: the vLAPIC.
 * @wait: the thread in VLAPIC_WAIT, woken by the bus's kick.
 * @mutex: serializes the vCPU's ioctls (but GET_VCPU_STATS): one thread
 *	plays the CPU.
 * @closes: close() calls on the vCPU's fd; one ends a WAIT in progress.
 * @index: slot in @vm->vcpus.
 * @run: the run loop's state (VLAPIC_VM_RUN VMs), or NULL.
 */
struct vlapic_vcpu {
	struct vlapic_vm *vm;
	struct vlapic *vlapic;
	struct rcuwait wait;
	struct mutex mutex;	/* see above */
	atomic_t closes;
	unsigned int index;
	struct vlapic_vcpu_run *run;
};

void *vlapic_dup_user(const void __user *src, size_t len);
int vlapic_vm_create(const struct vlapic_create_vm *cfg);
void vlapic_vm_put(struct vlapic_vm *vm);
int vlapic_vcpu_create(struct vlapic_vm *vm,
		       const struct vlapic_create_vcpu *req);
void vlapic_vcpu_free(struct vlapic_vcpu *vcpu);
void vlapic_vcpu_kick(struct vlapic_vcpu *vcpu);
int vlapic_vcpu_block(struct vlapic_vcpu *vcpu, bool (*can_wake)(void *arg),
		      void *arg, s64 timeout_ns, int closes);

int vlapic_vm_read_stats(struct vlapic_vm *vm, u64 *v);
int vlapic_vcpu_read_stats(struct vlapic_vcpu *vcpu, u64 *v);

int vlapic_stats_fd(struct vlapic_vm *vm, struct vlapic_vcpu *vcpu);
void vlapic_vm_debugfs_create(struct vlapic_vm *vm, int fd);
void vlapic_vcpu_debugfs_create(struct vlapic_vcpu *vcpu);
void vlapic_vm_debugfs_remove(struct vlapic_vm *vm);
void vlapic_debugfs_init(void);
void vlapic_debugfs_exit(void);

int vlapic_irqfd_ioctl(struct vlapic_vm *vm, const struct vlapic_irqfd *args);
void vlapic_irqfd_acked(struct vlapic_vm *vm, unsigned int pin);
void vlapic_irqfd_release_all(struct vlapic_vm *vm);
int vlapic_irqfd_init(void);
void vlapic_irqfd_exit(void);

#endif /* _VLAPIC_VM_PRIV_H */
