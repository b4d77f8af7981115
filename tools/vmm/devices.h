/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device model: what each device registers, and the state every
 * device keeps in one plain block (no pointers), so a guest reboot resets
 * it and a snapshot saves and loads it by copying.
 */
#ifndef _VMM_DEVICES_H
#define _VMM_DEVICES_H

#include <stddef.h>

struct vm;

/**
 * struct device - one device's state.
 * @name: its name in snapshots.
 * @state: the block (plain data).
 * @size: its size.
 * @reset: back to the power-on state (guest reboot); all vCPUs parked.
 */
struct device {
	const char *name;
	void *state;
	size_t size;
	void (*reset)(struct vm *vm, void *state);
};

/* Allocate a zeroed state block of @size and list the device; -errno. */
int device_add(struct vm *vm, const char *name, size_t size,
	       void (*reset)(struct vm *vm, void *state), void **state);
struct device *device_find(struct vm *vm, const char *name);
int devices_init(struct vm *vm);
void devices_reset(struct vm *vm);
void devices_free(struct vm *vm);

/* The devices (dev-*.c); ports in docs/vmm.md "Devices". */
int serial_init(struct vm *vm);
int debugexit_init(struct vm *vm);
int fwcfg_init(struct vm *vm);
int testdev_init(struct vm *vm);
int legacy_init(struct vm *vm);
int resetports_init(struct vm *vm);
int vmmport_init(struct vm *vm);

#endif /* _VMM_DEVICES_H */
