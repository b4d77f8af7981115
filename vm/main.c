// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic module entry: registers /dev/vlapic, the handle a VMM opens to
 * create VMs with an in-kernel local APIC and IOAPIC.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <vlapic/run.h>
#include "run_priv.h"
#include "vm_priv.h"

static long vlapic_check_extension(unsigned long cap)
{
	switch (cap) {
	case VLAPIC_CAP_X2APIC:
	case VLAPIC_CAP_TSC_DEADLINE:
	case VLAPIC_CAP_DIRECTED_EOI:
	case VLAPIC_CAP_IOAPIC_V20:
	case VLAPIC_CAP_EMULATED_CPU:
	case VLAPIC_CAP_IRQFD:
	case VLAPIC_CAP_INJECT_BATCH:
	case VLAPIC_CAP_MSI_EXT_DEST_ID:
	case VLAPIC_CAP_BINARY_STATS_FD:
		return 1;
	case VLAPIC_CAP_MAX_VCPUS:
		return VLAPIC_MAX_VCPUS;
	case VLAPIC_CAP_GSI_ROUTING:
		return VLAPIC_MAX_ROUTES;
	case VLAPIC_CAP_RUN:
		return vlapic_run_backends();
	case VLAPIC_CAP_USER_MEMORY:
		return vlapic_run_backends() ? VLAPIC_MEM_SLOTS : 0;
	case VLAPIC_CAP_READONLY_MEM:
	case VLAPIC_CAP_IMMEDIATE_EXIT:
	case VLAPIC_CAP_X86_USER_SPACE_MSR:
		return vlapic_run_backends() ? 1 : 0;
	default:
		return 0;
	}
}

static long vlapic_dev_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	struct vlapic_create_vm cfg;

	switch (ioctl) {
	case VLAPIC_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return VLAPIC_API_VERSION;
	case VLAPIC_CHECK_EXTENSION:
		return vlapic_check_extension(arg);
	case VLAPIC_CREATE_VM:
		if (copy_from_user(&cfg, (void __user *)arg, sizeof(cfg)))
			return -EFAULT;
		return vlapic_vm_create(&cfg);
	case VLAPIC_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return (VLAPIC_PIO_PAGE_OFFSET + 1) * PAGE_SIZE;
	case VLAPIC_GET_SUPPORTED_CPUID:
		if (!vlapic_run_backends())
			return -ENODEV;
		return vlapic_run_supported_cpuid((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vlapic_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vlapic_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vlapic_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vlapic",
	.fops	= &vlapic_dev_fops,
	.mode	= 0600,
};

static int __init vlapic_init(void)
{
	int ret;

	/* The ABI's sizes are pinned: a change here is an ABI break. */
	BUILD_BUG_ON(sizeof(struct vlapic_create_vm) != 56);
	BUILD_BUG_ON(sizeof(struct vlapic_create_vcpu) != 32);
	BUILD_BUG_ON(sizeof(struct vlapic_irq_line) != 16);
	BUILD_BUG_ON(sizeof(struct vlapic_msi) != 24);
	BUILD_BUG_ON(sizeof(struct vlapic_gsi_route) != 32);
	BUILD_BUG_ON(sizeof(struct vlapic_gsi_routing) != 16);
	BUILD_BUG_ON(sizeof(struct vlapic_ioapic_snapshot) != 240);
	BUILD_BUG_ON(sizeof(struct vlapic_vm_stats) != 520);
	BUILD_BUG_ON(sizeof(struct vlapic_lapic_state) != 1120);
	BUILD_BUG_ON(sizeof(struct vlapic_reg_access) != 32);
	BUILD_BUG_ON(sizeof(struct vlapic_wait) != 16);
	BUILD_BUG_ON(sizeof(struct vlapic_interrupt) != 16);
	BUILD_BUG_ON(sizeof(struct vlapic_lint) != 8);
	BUILD_BUG_ON(sizeof(struct vlapic_vcpu_stats) != 1032);
	BUILD_BUG_ON(sizeof(struct vlapic_irqfd) != 32);
	BUILD_BUG_ON(sizeof(struct vlapic_inject) != 32);
	BUILD_BUG_ON(sizeof(struct vlapic_inject_batch) != 16);
	BUILD_BUG_ON(sizeof(struct vlapic_stats_header) != 24);
	BUILD_BUG_ON(sizeof(struct vlapic_stats_desc) != 16);
	vlapic_check_kvm_layouts();
	ret = vlapic_irqfd_init();
	if (ret)
		return ret;
	ret = vlapic_run_init();
	if (ret)
		goto fail_irqfd;
	vlapic_debugfs_init();
	ret = misc_register(&vlapic_dev);
	if (ret)
		goto fail_debugfs;
	return 0;
fail_debugfs:
	vlapic_debugfs_exit();
	vlapic_run_exit();
fail_irqfd:
	vlapic_irqfd_exit();
	return ret;
}

static void __exit vlapic_exit(void)
{
	misc_deregister(&vlapic_dev);
	vlapic_debugfs_exit();
	vlapic_run_exit();
	vlapic_irqfd_exit();
}

module_init(vlapic_init);
module_exit(vlapic_exit);

MODULE_DESCRIPTION("In-kernel x86 local APIC and IOAPIC emulation");
MODULE_LICENSE("GPL");
