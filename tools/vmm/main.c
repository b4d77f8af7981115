// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-vmm: boot a multiboot kernel on the vlapic module's run loop or
 * on KVM, with the same devices and options on both (docs/vmm.md).
 *
 * The main thread builds the VM, starts one thread per vCPU, then watches:
 * --timeout, --snapshot-at, and a guest whose vCPUs all halted for good.
 * The vCPU threads run the guest and its devices; any of them may end the
 * VMM (debug-exit, an error), which stops the others.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices.h"
#include "io.h"
#include "snapshot.h"
#include "vmm.h"

#define POLL_MS		50

void vmm_msg(const char *fmt, ...)
{
	va_list ap;

	fputs(VMM_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Guest RAM, the backend's VM, its memory, devices and vCPUs. */
static int vm_build(struct vm *vm)
{
	unsigned int i;
	int ret;

	ret = vm->ops->open(vm);
	if (ret)
		return ret;
	ret = vm->ops->create_vm(vm);
	if (ret)
		return ret;
	for (i = 0; i < vm->mem.nr; i++) {
		ret = vm->ops->set_memory(vm, i, vm->mem.r[i].gpa,
					  vm->mem.r[i].size, vm->mem.r[i].hva);
		if (ret) {
			vmm_msg("%s: guest memory: %s", vm->ops->name,
				strerror(-ret));
			return VMM_HOST_ERROR;
		}
	}
	ret = io_init(vm);
	if (!ret)
		ret = devices_init(vm);
	if (!ret)
		ret = cpuid_build(vm);
	if (ret) {
		vmm_msg("setting up devices and CPUID: %s", strerror(-ret));
		return VMM_HOST_ERROR;
	}
	for (i = 0; i < vm->opt.smp; i++) {
		ret = vcpu_create(vm, i);
		if (ret) {
			vmm_msg("%s: vCPU %u: %s", vm->ops->name, i,
				strerror(-ret));
			return VMM_HOST_ERROR;
		}
	}
	vm->initial_ioapic = calloc(1, sizeof(*vm->initial_ioapic));
	if (!vm->initial_ioapic)
		ret = -ENOMEM;
	else
		ret = vm->ops->get_ioapic(vm, vm->initial_ioapic);
	if (ret) {
		vmm_msg("%s: irqchip state: %s", vm->ops->name, strerror(-ret));
		return VMM_HOST_ERROR;
	}
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	unsigned int i;

	for (i = vm->nr_vcpus; i-- > 0;)
		vcpu_destroy(vm->vcpus[i]);
	vm->nr_vcpus = 0;
	if (vm->ops)
		vm->ops->close(vm);
	free(vm->initial_ioapic);
	free(vm->cpuid);
	devices_free(vm);
	io_free(vm);
	image_free(&vm->image);
	mem_free(&vm->mem);
}

/* --snapshot-at: pause, write, end (status 0, or an error). */
static void take_snapshot(struct vm *vm)
{
	char err[512];

	if (ctl_pause(vm, NULL))
		return;
	if (snapshot_write(vm, vm->opt.snapshot_file, err, sizeof(err)))
		vm_fail(vm, VMM_SNAPSHOT_ERROR, "%s", err);
	else
		vm_fail(vm, VMM_OK, "snapshot of the running guest written to %s",
			vm->opt.snapshot_file);
	ctl_resume(vm);
}

/* Run the vCPUs until something ends the VMM. */
static void vm_run(struct vm *vm)
{
	struct idle_watch *idle = idle_watch_new(vm);
	double start = now();
	bool snapped = false;
	unsigned int i;
	int ret;

	if (!idle) {
		vm_fail(vm, VMM_HOST_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_start(vm->vcpus[i]);
		if (ret) {
			vm_fail(vm, VMM_HOST_ERROR, "vCPU thread: %s",
				strerror(-ret));
			break;
		}
	}
	while (!ctl_wait(vm, POLL_MS)) {
		double t = now() - start;

		if (vm->opt.timeout && t >= vm->opt.timeout) {
			vm_fail(vm, VMM_TIMEOUT, "timeout: the guest still runs after %g s",
				vm->opt.timeout);
			break;
		}
		if (vm->opt.snapshot_at && !snapped && t >= vm->opt.snapshot_at) {
			snapped = true;
			take_snapshot(vm);
			continue;
		}
		idle_check(idle);
	}
	idle_watch_free(idle);
}

int main(int argc, char **argv)
{
	struct snapshot_strings keep = { 0 };
	static struct vm vm;
	char err[512];
	int status;

	status = options_parse(&vm.opt, argc, argv);
	if (status)
		return status;
	if (vm.opt.restore_file &&
	    snapshot_read_options(vm.opt.restore_file, &vm.opt, &keep, err,
				  sizeof(err))) {
		vmm_msg("%s", err);
		return VMM_BAD_IMAGE;
	}
	ctl_init(&vm.ctl);
	pthread_mutex_init(&vm.dev_lock, NULL);
	pthread_mutex_init(&vm.irq_lock, NULL);
	vm.ops = strcmp(vm.opt.backend, "kvm") ? &backend_vlapic : &backend_kvm;

	if (mem_init(&vm.mem, vm.opt.mem_bytes)) {
		vmm_msg("guest RAM of %llu MiB: %s",
			(unsigned long long)(vm.opt.mem_bytes >> 20),
			strerror(errno));
		status = VMM_HOST_ERROR;
		goto out;
	}
	/* The image is checked before the backend is even opened. */
	if (image_open(&vm.image, vm.opt.kernel, vm.opt.flat, vm.opt.initrd,
		       vm.opt.append, &vm.mem, err, sizeof(err))) {
		vmm_msg("%s", err);
		status = VMM_BAD_IMAGE;
		goto out;
	}
	status = vm_build(&vm);
	if (status)
		goto out;
	if (vm.opt.restore_file) {
		if (snapshot_restore(&vm, vm.opt.restore_file, err, sizeof(err))) {
			vmm_msg("%s", err);
			status = VMM_BAD_IMAGE;
			goto out;
		}
	} else {
		status = vm_boot_state(&vm);
		if (status) {
			vmm_msg("%s: entry state: %s", vm.ops->name,
				strerror(-status));
			status = VMM_HOST_ERROR;
			goto out;
		}
	}
	vm_run(&vm);
	/* Every thread ends: they were kicked by whatever ended the VMM. */
	status = vm_exit_status(&vm);
	for (unsigned int i = 0; i < vm.nr_vcpus; i++) {
		if (vm.vcpus[i]->started)
			pthread_join(vm.vcpus[i]->thread, NULL);
		vm.vcpus[i]->started = false;
	}
	if (status == VMM_TIMEOUT)
		vm_report_vcpus(&vm, "at the timeout");
	if (vm.opt.stats)
		stats_print(&vm);
out:
	vm_teardown(&vm);
	pthread_mutex_destroy(&vm.irq_lock);
	pthread_mutex_destroy(&vm.dev_lock);
	ctl_destroy(&vm.ctl);
	snapshot_strings_free(&keep);
	return status;
}
