// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics: the fd of VLAPIC_GET_STATS_FD (KVM_GET_STATS_FD's
 * format, include/uapi/linux/vlapic.h) and the same content in debugfs,
 * /sys/kernel/debug/vlapic/<pid>-<fd>/stats and .../vcpu<index>/stats,
 * for root to read any process's VMs.
 *
 * The descriptors come from the UAPI name tables, so a counter added there
 * appears here, in debugfs and in tools/vlapic-stat without other changes.
 */

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vlapic/stats.h>
#include "vm_priv.h"

static const char *const vm_stat_names[VLAPIC_VM_STAT_NR] = {
	VLAPIC_VM_STAT_NAMES_INIT
};

#define STATS_DESC_SIZE	(sizeof(struct vlapic_stats_desc) + \
			 VLAPIC_STATS_NAME_SIZE)

/* The debugfs directory of every VM; NULL without debugfs. */
static struct dentry *vlapic_debugfs_root;

/**
 * struct vlapic_stats_file - one open stats fd or debugfs stats file.
 * @vm: the VM.
 * @vcpu: the vCPU whose counters are read, or NULL for the VM's.
 * @holds_ref: the file holds a reference on @vm (a stats fd; debugfs
 *	files are kept from outliving the VM by debugfs_remove()).
 * @lock: serializes the refresh of @buf's values and their copy-out.
 * @nr: counters.
 * @data_offset: where the values start in @buf.
 * @size: bytes in @buf: header, id, descriptors, values.
 * @buf: the file's content; all but the values are written at open.
 */
struct vlapic_stats_file {
	struct vlapic_vm *vm;
	struct vlapic_vcpu *vcpu;
	bool holds_ref;
	struct mutex lock;	/* see above */
	u32 nr;
	size_t data_offset;
	size_t size;
	u8 buf[];
};

static struct vlapic_stats_file *stats_file_alloc(struct vlapic_vm *vm,
						  struct vlapic_vcpu *vcpu)
{
	const char *const *names = vcpu ? vlapic_stat_names : vm_stat_names;
	u32 nr = vcpu ? VLAPIC_VCPU_STAT_NR : VLAPIC_VM_STAT_NR;
	struct vlapic_stats_header *hdr;
	struct vlapic_stats_file *sf;
	size_t size;
	u32 i;

	size = sizeof(*hdr) + VLAPIC_STATS_NAME_SIZE +
	       nr * STATS_DESC_SIZE + nr * sizeof(u64);
	sf = kvzalloc(struct_size(sf, buf, size), GFP_KERNEL_ACCOUNT);
	if (!sf)
		return NULL;
	sf->vm = vm;
	sf->vcpu = vcpu;
	sf->nr = nr;
	sf->size = size;
	mutex_init(&sf->lock);

	hdr = (struct vlapic_stats_header *)sf->buf;
	hdr->name_size = VLAPIC_STATS_NAME_SIZE;
	hdr->num_desc = nr;
	hdr->id_offset = sizeof(*hdr);
	hdr->desc_offset = hdr->id_offset + VLAPIC_STATS_NAME_SIZE;
	hdr->data_offset = hdr->desc_offset + nr * STATS_DESC_SIZE;
	sf->data_offset = hdr->data_offset;
	if (vcpu)
		snprintf(sf->buf + hdr->id_offset, VLAPIC_STATS_NAME_SIZE,
			 "%s/vcpu%u", vm->stats_id, vcpu->index);
	else
		strscpy(sf->buf + hdr->id_offset, vm->stats_id,
			VLAPIC_STATS_NAME_SIZE);
	for (i = 0; i < nr; i++) {
		struct vlapic_stats_desc *d = (void *)sf->buf +
			hdr->desc_offset + i * STATS_DESC_SIZE;

		d->flags = VLAPIC_STATS_TYPE_CUMULATIVE |
			   VLAPIC_STATS_UNIT_NONE | VLAPIC_STATS_BASE_POW10;
		d->size = 1;
		d->offset = i * sizeof(u64);
		strscpy(d->name, names[i], VLAPIC_STATS_NAME_SIZE);
	}
	return sf;
}

static void stats_file_free(struct vlapic_stats_file *sf)
{
	mutex_destroy(&sf->lock);
	kvfree(sf);
}

static ssize_t stats_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *pos)
{
	struct vlapic_stats_file *sf = file->private_data;
	ssize_t ret;

	if (*pos < 0)
		return -EINVAL;
	if (*pos >= sf->size || !len)
		return 0;
	mutex_lock(&sf->lock);
	/* The values are read live, only when the read reaches them. */
	if (*pos + len > sf->data_offset) {
		u64 *v = (u64 *)(sf->buf + sf->data_offset);

		if (sf->vcpu)
			ret = vlapic_vcpu_read_stats(sf->vcpu, v);
		else
			ret = vlapic_vm_read_stats(sf->vm, v);
		if (ret) {
			mutex_unlock(&sf->lock);
			return ret;
		}
	}
	ret = simple_read_from_buffer(ubuf, len, pos, sf->buf, sf->size);
	mutex_unlock(&sf->lock);
	return ret;
}

static loff_t stats_llseek(struct file *file, loff_t offset, int whence)
{
	struct vlapic_stats_file *sf = file->private_data;

	return fixed_size_llseek(file, offset, whence, sf->size);
}

static int stats_release(struct inode *inode, struct file *file)
{
	struct vlapic_stats_file *sf = file->private_data;

	/* A debugfs file may be released after its VM is gone: no @vm. */
	if (sf->holds_ref)
		vlapic_vm_put(sf->vm);
	stats_file_free(sf);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner		= THIS_MODULE,
	.read		= stats_read,
	.llseek		= stats_llseek,
	.release	= stats_release,
};

/**
 * vlapic_stats_fd() - VLAPIC_GET_STATS_FD on a VM or vCPU fd.
 * @vm: the VM
 * @vcpu: the vCPU, or NULL for the VM's counters
 *
 * The new fd holds a reference on @vm (so @vcpu lives too) until it is
 * closed.
 *
 * Context: process context; may sleep.
 * Return: a read-only fd, or -ENOMEM / -EMFILE.
 */
int vlapic_stats_fd(struct vlapic_vm *vm, struct vlapic_vcpu *vcpu)
{
	struct vlapic_stats_file *sf;
	struct file *file;
	int fd;

	sf = stats_file_alloc(vm, vcpu);
	if (!sf)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto fail;
	file = anon_inode_getfile(vcpu ? "vlapic-vcpu-stats" : "vlapic-vm-stats",
				  &stats_fops, sf, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto fail;
	}
	/* pread() and lseek() within the content. */
	file->f_mode |= FMODE_PREAD | FMODE_LSEEK;
	sf->holds_ref = true;
	kref_get(&vm->ref);	/* dropped by stats_release() */
	fd_install(fd, file);
	return fd;
fail:
	stats_file_free(sf);
	return fd;
}

static int debugfs_stats_open(struct inode *inode, struct file *file,
			      struct vlapic_vm *vm, struct vlapic_vcpu *vcpu)
{
	struct vlapic_stats_file *sf = stats_file_alloc(vm, vcpu);

	if (!sf)
		return -ENOMEM;
	file->private_data = sf;
	return 0;
}

/* debugfs's proxy keeps the VM alive from open to release of the file. */
static int debugfs_vm_stats_open(struct inode *inode, struct file *file)
{
	return debugfs_stats_open(inode, file, inode->i_private, NULL);
}

static int debugfs_vcpu_stats_open(struct inode *inode, struct file *file)
{
	struct vlapic_vcpu *vcpu = inode->i_private;

	return debugfs_stats_open(inode, file, vcpu->vm, vcpu);
}

static const struct file_operations debugfs_vm_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= debugfs_vm_stats_open,
	.read		= stats_read,
	.llseek		= stats_llseek,
	.release	= stats_release,
};

static const struct file_operations debugfs_vcpu_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= debugfs_vcpu_stats_open,
	.read		= stats_read,
	.llseek		= stats_llseek,
	.release	= stats_release,
};

/**
 * vlapic_vm_debugfs_create() - the VM's debugfs directory, <pid>-<fd>.
 * @vm: the VM, complete but not yet reachable from userspace
 * @fd: its fd number (reserved, not yet installed)
 *
 * debugfs is a debugging aid: a failure (no debugfs, a name still taken by
 * an older VM of the same process and fd number) leaves the VM without a
 * directory, nothing else.
 */
void vlapic_vm_debugfs_create(struct vlapic_vm *vm, int fd)
{
	char name[32];
	struct dentry *dir;

	if (IS_ERR_OR_NULL(vlapic_debugfs_root))
		return;
	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), fd);
	dir = debugfs_create_dir(name, vlapic_debugfs_root);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("stats", 0400, dir, vm, &debugfs_vm_stats_fops);
	vm->debugfs = dir;
}

/**
 * vlapic_vcpu_debugfs_create() - the vCPU's directory in its VM's.
 * @vcpu: the vCPU, published
 *
 * Context: holds the VM's lock (vCPU creation).
 */
void vlapic_vcpu_debugfs_create(struct vlapic_vcpu *vcpu)
{
	char name[16];
	struct dentry *dir;

	lockdep_assert_held(&vcpu->vm->lock);
	if (!vcpu->vm->debugfs)
		return;
	snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
	dir = debugfs_create_dir(name, vcpu->vm->debugfs);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("stats", 0400, dir, vcpu,
			    &debugfs_vcpu_stats_fops);
}

/**
 * vlapic_vm_debugfs_remove() - remove the VM's directory.
 * @vm: the VM being freed
 *
 * Returns once no read of its files is in progress; later calls on files
 * still open fail with -EIO (debugfs's proxy) and never reach @vm.
 */
void vlapic_vm_debugfs_remove(struct vlapic_vm *vm)
{
	debugfs_remove(vm->debugfs);
	vm->debugfs = NULL;
}

/**
 * vlapic_debugfs_init() - /sys/kernel/debug/vlapic at module load.
 */
void vlapic_debugfs_init(void)
{
	vlapic_debugfs_root = debugfs_create_dir("vlapic", NULL);
}

/**
 * vlapic_debugfs_exit() - remove /sys/kernel/debug/vlapic (no VM is left).
 */
void vlapic_debugfs_exit(void)
{
	debugfs_remove(vlapic_debugfs_root);
	vlapic_debugfs_root = NULL;
}
