// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic module entry: registers /dev/vlapic, the handle a VMM opens to
 * create VMs with an in-kernel local APIC and IOAPIC.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <uapi/linux/vlapic.h>

static long vlapic_dev_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	switch (ioctl) {
	case VLAPIC_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return VLAPIC_API_VERSION;
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
	return misc_register(&vlapic_dev);
}

static void __exit vlapic_exit(void)
{
	misc_deregister(&vlapic_dev);
}

module_init(vlapic_init);
module_exit(vlapic_exit);

MODULE_DESCRIPTION("In-kernel x86 local APIC and IOAPIC emulation");
MODULE_LICENSE("GPL");
