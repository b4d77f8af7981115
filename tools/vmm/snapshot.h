/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of a running guest: RAM, every vCPU's state, the irqchip, the
 * devices, and the options the VM was made with. --snapshot-at writes
 * one (all vCPU threads parked) and ends the VMM; --restore makes a VM of
 * the same shape and starts it from one. Only the backend that wrote a
 * snapshot can load it (its irqchip state is in that backend's format).
 */
#ifndef _VMM_SNAPSHOT_H
#define _VMM_SNAPSHOT_H

#include <stddef.h>

struct vm;
struct vmm_options;

/* The strings a snapshot's options point to, freed by snapshot_strings_free(). */
struct snapshot_strings {
	char *backend;
	char *kernel;
	char *append;
	char *initrd;
};

/*
 * Take the VM's shape from snapshot @path into @opt (backend, --smp,
 * --mem, --cpu, --flat, KERNEL unless given, --append, --initrd).
 * 0, or -1 with a reason in @err.
 */
int snapshot_read_options(const char *path, struct vmm_options *opt,
			  struct snapshot_strings *keep, char *err,
			  size_t errlen);
void snapshot_strings_free(struct snapshot_strings *keep);
/* Write the paused VM to @path (via a temporary file); 0 or -1. */
int snapshot_write(struct vm *vm, const char *path, char *err, size_t errlen);
/* Load @path into a new VM of the same shape, threads not started. */
int snapshot_restore(struct vm *vm, const char *path, char *err,
		     size_t errlen);

#endif /* _VMM_SNAPSHOT_H */
