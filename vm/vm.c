// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its file descriptor: vCPU creation, IRQ lines, MSIs,
 * GSI routing, IOAPIC state, VM counters.
 *
 * Every ioctl validates all of its input before it changes anything:
 * userspace mistakes are -EINVAL/-EFAULT with no state change.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/tsc.h>

#include <vlapic/clock.h>
#include <vlapic/run.h>
#include "run_priv.h"
#include "vm_priv.h"

/**
 * vlapic_dup_user() - copy an ioctl's userspace buffer into a charged one.
 * @src: the userspace buffer
 * @len: its size in bytes, chosen by userspace (bounded by the caller)
 *
 * memdup_user() and vmemdup_user() allocate with GFP_USER, which is not
 * charged to the memory cgroup. Every buffer an ioctl copies in is charged
 * to the caller (GFP_KERNEL_ACCOUNT), and since its size is userspace's
 * choice a failure is the caller's -ENOMEM, not an allocation warning.
 *
 * Context: process context; may sleep.
 * Return: the copy, to be freed with kvfree(); ERR_PTR(-ENOMEM) or
 * ERR_PTR(-EFAULT).
 */
void *vlapic_dup_user(const void __user *src, size_t len)
{
	void *p = kvmalloc(len, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, src, len)) {
		kvfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

static struct vlapic_vm *vm_of_bus(struct vlapic_bus *bus)
{
	return vlapic_bus_owner(bus);
}

/* Bus op: an event is pending on @vlapic; wake its WAIT, if any. */
static void vm_kick(struct vlapic *vlapic)
{
	struct vlapic_vm *vm = vm_of_bus(vlapic_get_bus(vlapic));
	struct vlapic_vcpu *vcpu;

	/* Not published yet: its first WAIT checks the predicate anyway. */
	vcpu = smp_load_acquire(&vm->vcpus[vlapic_index(vlapic)]);
	if (vcpu)
		vlapic_vcpu_kick(vcpu);
}

/* Bus op: a level-triggered EOI reaches the IOAPIC. */
static void vm_eoi_broadcast(struct vlapic_bus *bus, struct vlapic *vlapic,
			     u8 vector)
{
	struct vlapic_vm *vm = vm_of_bus(bus);

	atomic64_inc(&vm->stats[VLAPIC_VM_STAT_EOI_BROADCASTS]);
	vlapic_ioapic_eoi(vm->ioapic, vector);
}

static const struct vlapic_bus_ops vm_bus_ops = {
	.kick = vm_kick,
	.eoi_broadcast = vm_eoi_broadcast,
};

/* IOAPIC and router op: send a message on the APIC bus. */
static int vm_deliver(void *owner, const struct vlapic_irq *irq)
{
	struct vlapic_vm *vm = owner;

	return vlapic_bus_deliver(vm->bus, irq, NULL);
}

/* Router op: send messages on the APIC bus, in order. */
static int vm_deliver_batch(void *owner, const struct vlapic_irq *irqs,
			    unsigned int nr)
{
	struct vlapic_vm *vm = owner;

	return vlapic_bus_deliver_batch(vm->bus, irqs, nr);
}

/*
 * IOAPIC op: the guest EOIed level pin @pin (its LAPIC's broadcast or the
 * IOAPIC's EOI register): resampling irqfds drop their lines before the
 * IOAPIC re-evaluates it.
 */
static void vm_ioapic_acked(void *owner, unsigned int pin)
{
	vlapic_irqfd_acked(owner, pin);
}

static const struct vlapic_irq_ops vm_irq_ops = {
	.deliver = vm_deliver,
	.deliver_batch = vm_deliver_batch,
	.acked = vm_ioapic_acked,
};

static void vm_free(struct vlapic_vm *vm)
{
	u32 i;

	/* No debugfs reader is left in the VM once this returns. */
	vlapic_vm_debugfs_remove(vm);
	/* irqfds, routing, deferred IOAPIC work: they deliver to vCPUs. */
	vlapic_irqfd_release_all(vm);
	vlapic_router_destroy(vm->router);
	vlapic_ioapic_destroy(vm->ioapic);
	for (i = 0; vm->vcpus && i < vm->max_vcpus; i++)
		if (vm->vcpus[i])
			vlapic_vcpu_free(vm->vcpus[i]);
	vlapic_vm_run_destroy(vm->run);
	if (!IS_ERR_OR_NULL(vm->bus))
		vlapic_bus_destroy(vm->bus);
	kfree(vm->vcpus);
	mmdrop(vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

static void vm_release_ref(struct kref *ref)
{
	vm_free(container_of(ref, struct vlapic_vm, ref));
}

/**
 * vlapic_vm_put() - drop a reference to a VM; the last one frees it.
 * @vm: the VM
 */
void vlapic_vm_put(struct vlapic_vm *vm)
{
	kref_put(&vm->ref, vm_release_ref);
}

static int vm_irq_line(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_irq_line line;
	int ret;

	if (copy_from_user(&line, argp, sizeof(line)))
		return -EFAULT;
	if (line.flags || line.pad || line.level > 1)
		return -EINVAL;
	ret = vlapic_router_set_irq(vm->router, line.gsi, line.level);
	if (ret < 0)
		return ret;
	atomic64_inc(&vm->stats[VLAPIC_VM_STAT_IRQ_LINE]);
	return 0;
}

static int vm_signal_msi(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (msi.flags || msi.reserved)
		return -EINVAL;
	if (vlapic_router_send_msi(vm->router, msi.address, msi.data)) {
		atomic64_inc(&vm->stats[VLAPIC_VM_STAT_MSI]);
		return 1;
	}
	atomic64_inc(&vm->stats[VLAPIC_VM_STAT_MSI_IGNORED]);
	return 0;
}

static int vm_set_gsi_routing(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_gsi_routing hdr;
	struct vlapic_route *routes;
	int ret;

	/* The UAPI entry and the router's entry are the same layout. */
	BUILD_BUG_ON(sizeof(struct vlapic_gsi_route) !=
		     sizeof(struct vlapic_route));
	BUILD_BUG_ON(offsetof(struct vlapic_gsi_route, msi_data) !=
		     offsetof(struct vlapic_route, msi_data));
	BUILD_BUG_ON(offsetof(struct vlapic_gsi_route, pin) !=
		     offsetof(struct vlapic_route, pin));
	BUILD_BUG_ON((int)VLAPIC_ROUTE_TYPE_IOAPIC - (int)VLAPIC_ROUTE_IOAPIC);
	BUILD_BUG_ON((int)VLAPIC_ROUTE_TYPE_MSI - (int)VLAPIC_ROUTE_MSI);

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.nr > VLAPIC_MAX_ROUTES)
		return -EINVAL;
	if (!hdr.nr)
		return vlapic_router_set_routes(vm->router, NULL, 0);
	routes = vlapic_dup_user(u64_to_user_ptr(hdr.entries),
				 array_size(hdr.nr, sizeof(*routes)));
	if (IS_ERR(routes))
		return PTR_ERR(routes);
	ret = vlapic_router_set_routes(vm->router, routes, hdr.nr);
	kvfree(routes);
	return ret;
}

/* Validate a whole batch; nothing is injected unless all of it is good. */
static bool vm_batch_valid(const struct vlapic_inject *e, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++, e++) {
		if (e->flags || e->pad)
			return false;
		switch (e->type) {
		case VLAPIC_INJECT_MSI:
			if (e->gsi || e->level)
				return false;
			break;
		case VLAPIC_INJECT_LINE:
			if (e->level > 1 || e->gsi >= VLAPIC_MAX_GSI ||
			    e->msi_address || e->msi_data)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

static int vm_inject_batch(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_inject_batch hdr;
	struct vlapic_inject_counts c;
	struct vlapic_inject *ents;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || !hdr.nr || hdr.nr > VLAPIC_MAX_BATCH)
		return -EINVAL;
	ents = vlapic_dup_user(u64_to_user_ptr(hdr.entries),
			       array_size(hdr.nr, sizeof(*ents)));
	if (IS_ERR(ents))
		return PTR_ERR(ents);
	if (!vm_batch_valid(ents, hdr.nr)) {
		kvfree(ents);
		return -EINVAL;
	}
	vlapic_router_inject(vm->router, ents, hdr.nr, &c);
	/* Counted once per batch: the injection is the hot path. */
	atomic64_add(c.msis, &vm->stats[VLAPIC_VM_STAT_MSI]);
	atomic64_add(c.ignored, &vm->stats[VLAPIC_VM_STAT_MSI_IGNORED]);
	atomic64_add(c.lines, &vm->stats[VLAPIC_VM_STAT_IRQ_LINE]);
	atomic64_inc(&vm->stats[VLAPIC_VM_STAT_BATCHES]);
	kvfree(ents);
	return c.msis + c.lines;
}

static int vm_irqfd(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_irqfd args;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	/* Serializes binding changes against each other. */
	mutex_lock(&vm->lock);
	ret = vlapic_irqfd_ioctl(vm, &args);
	mutex_unlock(&vm->lock);
	return ret;
}

/* A guest access to the IOAPIC window, trapped by the VMM. */
static int vm_ioapic_access(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_reg_access a;
	u64 data = 0;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.kind != VLAPIC_ACCESS_KIND_IOAPIC ||
	    (a.flags & ~VLAPIC_ACCESS_WRITE) || a.pad || a.fault ||
	    !a.len || a.len > 8 || (a.len & (a.len - 1)) ||
	    a.address >= VLAPIC_IOAPIC_MMIO_SIZE ||
	    (!(a.flags & VLAPIC_ACCESS_WRITE) && a.data))
		return -EINVAL;
	/* A write (EOI, entry) is not undone: fail before, not after it. */
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	if (a.flags & VLAPIC_ACCESS_WRITE) {
		ret = vlapic_ioapic_mmio_write(vm->ioapic, a.address, &a.data,
					       a.len);
	} else {
		ret = vlapic_ioapic_mmio_read(vm->ioapic, a.address, &data,
					      a.len);
		a.data = data;
	}
	if (ret)
		return ret;
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}

static int vm_get_ioapic(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_ioapic_snapshot snap;
	struct vlapic_ioapic_state st;

	memset(&snap, 0, sizeof(snap));
	vlapic_ioapic_get_state(vm->ioapic, &st);
	snap.flags = st.flags;
	snap.ioregsel = st.ioregsel;
	snap.id = st.id;
	snap.input_high = st.input_high;
	BUILD_BUG_ON(sizeof(snap.redir) != sizeof(st.redir));
	memcpy(snap.redir, st.redir, sizeof(snap.redir));
	return copy_to_user(argp, &snap, sizeof(snap)) ? -EFAULT : 0;
}

static int vm_set_ioapic(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_ioapic_snapshot snap;
	struct vlapic_ioapic_state st;

	if (copy_from_user(&snap, argp, sizeof(snap)))
		return -EFAULT;
	if (memchr_inv(snap.reserved, 0, sizeof(snap.reserved)))
		return -EINVAL;
	st.flags = snap.flags;
	st.ioregsel = snap.ioregsel;
	st.id = snap.id;
	st.input_high = snap.input_high;
	memcpy(st.redir, snap.redir, sizeof(st.redir));
	return vlapic_ioapic_set_state(vm->ioapic, &st);
}

/**
 * vlapic_vm_read_stats() - a snapshot of the VM's counters.
 * @vm: the VM
 * @v: out: VLAPIC_VM_STAT_NR values, indexed by VLAPIC_VM_STAT_*
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM.
 */
int vlapic_vm_read_stats(struct vlapic_vm *vm, u64 *v)
{
	struct vlapic_ioapic_stats *is;
	int i;

	is = kzalloc(sizeof(*is), GFP_KERNEL_ACCOUNT);
	if (!is)
		return -ENOMEM;
	for (i = 0; i < VLAPIC_VM_STAT_NR; i++)
		v[i] = atomic64_read(&vm->stats[i]);
	vlapic_ioapic_get_stats(vm->ioapic, is);
	for (i = 0; i < VLAPIC_IOAPIC_NUM_PINS; i++) {
		v[VLAPIC_VM_STAT_IOAPIC_DELIVERED] += is->pin[i].delivered;
		v[VLAPIC_VM_STAT_IOAPIC_STORMS] += is->pin[i].storms;
		v[VLAPIC_VM_STAT_IOAPIC_DEFERRALS] += is->pin[i].deferrals;
	}
	kfree(is);
	return 0;
}

static int vm_get_stats(struct vlapic_vm *vm, void __user *argp)
{
	struct vlapic_vm_stats *out;
	int ret;

	out = kzalloc(sizeof(*out), GFP_KERNEL_ACCOUNT);
	if (!out)
		return -ENOMEM;
	out->nr = VLAPIC_VM_STAT_NR;
	ret = vlapic_vm_read_stats(vm, out->v);
	if (!ret && copy_to_user(argp, out, sizeof(*out)))
		ret = -EFAULT;
	kfree(out);
	return ret;
}

/* VLAPIC_SET_USER_MEMORY_REGION and VLAPIC_ENABLE_CAP (run VMs only). */
static long vm_run_ioctl(struct vlapic_vm *vm, unsigned int ioctl,
			 void __user *argp)
{
	struct vlapic_userspace_memory_region mem;
	struct vlapic_enable_cap cap;

	if (!vm->run)
		return -EINVAL;
	switch (ioctl) {
	case VLAPIC_SET_USER_MEMORY_REGION:
		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return vlapic_run_set_memory(vm->run, &mem);
	case VLAPIC_ENABLE_CAP:
		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return vlapic_vm_run_enable_cap(vm->run, &cap);
	default:
		return -ENOTTY;
	}
}

static long vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct vlapic_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;
	struct vlapic_create_vcpu req;

	if (vm->mm != current->mm)
		return -EIO;
	switch (ioctl) {
	case VLAPIC_CREATE_VCPU:
		if (copy_from_user(&req, argp, sizeof(req)))
			return -EFAULT;
		return vlapic_vcpu_create(vm, &req);
	case VLAPIC_IRQ_LINE:
		return vm_irq_line(vm, argp);
	case VLAPIC_SIGNAL_MSI:
		return vm_signal_msi(vm, argp);
	case VLAPIC_SET_GSI_ROUTING:
		return vm_set_gsi_routing(vm, argp);
	case VLAPIC_GET_IOAPIC:
		return vm_get_ioapic(vm, argp);
	case VLAPIC_SET_IOAPIC:
		return vm_set_ioapic(vm, argp);
	case VLAPIC_GET_VM_STATS:
		return vm_get_stats(vm, argp);
	case VLAPIC_INJECT_BATCH:
		return vm_inject_batch(vm, argp);
	case VLAPIC_IRQFD:
		return vm_irqfd(vm, argp);
	case VLAPIC_IOAPIC_ACCESS:
		return vm_ioapic_access(vm, argp);
	case VLAPIC_SET_USER_MEMORY_REGION:
	case VLAPIC_ENABLE_CAP:
		return vm_run_ioctl(vm, ioctl, argp);
	case VLAPIC_GET_STATS_FD:
		if (arg)
			return -EINVAL;
		return vlapic_stats_fd(vm, NULL);
	default:
		return -ENOTTY;
	}
}

static int vm_release(struct inode *inode, struct file *filp)
{
	vlapic_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner		= THIS_MODULE,
	.release	= vm_release,
	.unlocked_ioctl	= vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static int vm_check_config(const struct vlapic_create_vm *cfg)
{
	if (cfg->flags & ~VLAPIC_VM_FLAGS_ALL)
		return -EINVAL;
	/* The APIC-virtualization limit is the run loop's. */
	if ((cfg->flags & VLAPIC_VM_APICV_MASK) && !(cfg->flags & VLAPIC_VM_RUN))
		return -EINVAL;
	if (!cfg->max_vcpus || cfg->max_vcpus > VLAPIC_MAX_VCPUS)
		return -EINVAL;
	/* Without x2APIC, IDs stop below the xAPIC broadcast 0xff. */
	if (!(cfg->flags & VLAPIC_VM_X2APIC) && cfg->max_vcpus > 255)
		return -EINVAL;
	if (cfg->tsc_khz > 100000000)	/* 100 GHz */
		return -EINVAL;
	/* A guest on the CPU reads the host's TSC: no other frequency. */
	if ((cfg->flags & VLAPIC_VM_RUN) && cfg->tsc_khz &&
	    cfg->tsc_khz != tsc_khz)
		return -EINVAL;
	if (cfg->ioapic_version && cfg->ioapic_version != 0x11 &&
	    cfg->ioapic_version != 0x20)
		return -EINVAL;
	if ((cfg->ioapic_base & ~VLAPIC_BASE_ADDR_MASK))
		return -EINVAL;
	if (memchr_inv(cfg->reserved, 0, sizeof(cfg->reserved)))
		return -EINVAL;
	return 0;
}

/**
 * vlapic_vm_create() - VLAPIC_CREATE_VM.
 * @cfg: the VM's features, copied from userspace
 *
 * Return: a new VM fd, or -EINVAL / -ENOMEM / -EMFILE.
 */
int vlapic_vm_create(const struct vlapic_create_vm *cfg)
{
	struct vlapic_config lcfg = {
		.x2apic = cfg->flags & VLAPIC_VM_X2APIC,
		.tsc_deadline = cfg->flags & VLAPIC_VM_TSC_DEADLINE,
		.directed_eoi = cfg->flags & VLAPIC_VM_DIRECTED_EOI,
		.tsc_khz = cfg->flags & VLAPIC_VM_RUN ? tsc_khz : cfg->tsc_khz,
	};
	struct vlapic_ioapic_config icfg;
	struct vlapic_vm *vm;
	struct file *file;
	int ret, fd;

	ret = vm_check_config(cfg);
	if (ret)
		return ret;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->irqfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	snprintf(vm->stats_id, sizeof(vm->stats_id), "vlapic-%d",
		 task_pid_nr(current));
	vm->max_vcpus = cfg->max_vcpus;
	ret = -ENOMEM;
	/* Sized by userspace's max_vcpus: a failure is its -ENOMEM. */
	vm->vcpus = kcalloc(vm->max_vcpus, sizeof(*vm->vcpus),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!vm->vcpus)
		goto fail;
	vm->bus = vlapic_bus_create(vm->max_vcpus, &lcfg, &vm_bus_ops, vm);
	if (IS_ERR(vm->bus)) {
		ret = PTR_ERR(vm->bus);
		goto fail;
	}
	vlapic_ioapic_default_config(&icfg);
	if (cfg->ioapic_version)
		icfg.version = cfg->ioapic_version;
	if (cfg->ioapic_base)
		icfg.base = cfg->ioapic_base;
	vm->ioapic = vlapic_ioapic_create(&icfg, &vm_irq_ops, vm);
	if (IS_ERR(vm->ioapic)) {
		ret = PTR_ERR(vm->ioapic);
		vm->ioapic = NULL;
		goto fail;
	}
	vm->router = vlapic_router_create(vm->ioapic, &vm_irq_ops, vm);
	if (IS_ERR(vm->router)) {
		ret = PTR_ERR(vm->router);
		vm->router = NULL;
		goto fail;
	}
	if (cfg->flags & VLAPIC_VM_RUN) {
		vm->run = vlapic_vm_run_create(vm->bus, vm->ioapic,
					       vm->max_vcpus, lcfg.x2apic,
					       lcfg.tsc_deadline,
					       (cfg->flags & VLAPIC_VM_APICV_MASK) >>
					       VLAPIC_VM_APICV_SHIFT);
		if (IS_ERR(vm->run)) {
			ret = PTR_ERR(vm->run);
			vm->run = NULL;
			goto fail;
		}
	}
	/* The fd number names the debugfs directory: reserved first. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	file = anon_inode_getfile("vlapic-vm", &vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto fail;
	}
	vlapic_vm_debugfs_create(vm, fd);
	fd_install(fd, file);
	return fd;
fail:
	vm_free(vm);
	return ret;
}
