// SPDX-License-Identifier: GPL-2.0
/*
 * The list of devices (devices.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "vmm.h"

#define NR_DEVICE_SLOTS	ARRAY_SIZE(((struct vm *)0)->devices)

int device_add(struct vm *vm, const char *name, size_t size,
	       void (*reset)(struct vm *vm, void *state), void **state)
{
	struct device *dev;
	unsigned int i;

	for (i = 0; i < NR_DEVICE_SLOTS && vm->devices[i]; i++)
		;
	if (i == NR_DEVICE_SLOTS)
		return -ENOSPC;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->state = calloc(1, size);
	if (!dev->state) {
		free(dev);
		return -ENOMEM;
	}
	dev->name = name;
	dev->size = size;
	dev->reset = reset;
	vm->devices[i] = dev;
	*state = dev->state;
	return 0;
}

struct device *device_find(struct vm *vm, const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_DEVICE_SLOTS && vm->devices[i]; i++)
		if (!strcmp(vm->devices[i]->name, name))
			return vm->devices[i];
	return NULL;
}

int devices_init(struct vm *vm)
{
	int (*const init[])(struct vm *vm) = {
		serial_init, debugexit_init, fwcfg_init, testdev_init,
		legacy_init, resetports_init, vmmport_init,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(init); i++) {
		ret = init[i](vm);
		if (ret)
			return ret;
	}
	devices_reset(vm);
	return 0;
}

void devices_reset(struct vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&vm->dev_lock);
	for (i = 0; i < NR_DEVICE_SLOTS && vm->devices[i]; i++)
		if (vm->devices[i]->reset)
			vm->devices[i]->reset(vm, vm->devices[i]->state);
	pthread_mutex_unlock(&vm->dev_lock);
}

void devices_free(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < NR_DEVICE_SLOTS && vm->devices[i]; i++) {
		free(vm->devices[i]->state);
		free(vm->devices[i]);
		vm->devices[i] = NULL;
	}
}
