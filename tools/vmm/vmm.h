/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlapic-vmm: one device model and one run loop over two backends (the
 * vlapic module's VLAPIC_RUN, or KVM with its in-kernel irqchip). This
 * header holds the VM and vCPU objects every file shares, the exit
 * statuses and the cross-file functions. docs/vmm.md is the user's guide.
 */
#ifndef _VMM_H
#define _VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/vlapic.h>

#include "backend.h"
#include "util.h"
#include "loader.h"
#include "memory.h"

#define VMM_NAME		"vlapic-vmm"
#define VMM_MAX_VCPUS		64
#define VMM_NR_GSIS		24	/* IOAPIC inputs */
#define VMM_EXIT_REASONS	64	/* exit reasons counted one by one */

/*
 * Exit statuses. The guest's debug-exit statuses are odd ((v << 1) | 1),
 * so the VMM's own are even; each error prints one line on stderr.
 */
enum vmm_status {
	VMM_OK = 0,		/* all vCPUs halted for good; snapshot taken */
	VMM_USAGE = 2,		/* bad command line */
	VMM_NO_BACKEND = 4,	/* /dev/vlapic or /dev/kvm missing */
	VMM_UNSUPPORTED = 6,	/* the backend cannot run guests here */
	VMM_BAD_IMAGE = 8,	/* kernel, initrd or snapshot file refused */
	VMM_GUEST_ERROR = 10,	/* internal error, failed entry, bad exit */
	VMM_TIMEOUT = 12,	/* --timeout expired */
	VMM_SNAPSHOT_ERROR = 14, /* the snapshot could not be written */
	VMM_RESET = 16,		/* guest reset with --no-reboot */
	VMM_HOST_ERROR = 18,	/* a host call failed (ioctl, memory) */
};

/* The command line (options.c). */
struct vmm_options {
	const char *backend;		/* "vlapic" or "kvm" */
	bool backend_given;
	unsigned int smp;
	uint64_t mem_bytes;
	bool x2apic;
	bool tsc_deadline;
	const char *append;
	const char *initrd;
	const char *kernel;
	bool flat;
	bool stats;
	double snapshot_at;		/* seconds; 0: none */
	const char *snapshot_file;
	const char *restore_file;
	double timeout;			/* seconds; 0: none */
	bool no_reboot;
	unsigned int ioapic_version;	/* 0x11 (KVM's) or 0x20 */
	unsigned int apicv;		/* VLAPIC_VM_APICV_*; 0: the best */
};

int options_parse(struct vmm_options *opt, int argc, char **argv);

/* What a vCPU thread does after its exit completed (vcpu.c). */
enum vcpu_action {
	VCPU_ACTION_NONE,
	VCPU_ACTION_REBOOT,		/* reset ports, triple fault */
	VCPU_ACTION_STATE_ROUNDTRIP,	/* port 0xef: save, restore in place */
};

/**
 * struct vcpu - one virtual CPU and its thread.
 * @vm: the VM.
 * @index: 0 is the BSP; also the APIC ID.
 * @fd: the backend's vCPU fd.
 * @run: the mmapped run structure (KVM's struct kvm_run layout).
 * @run_size: its mapping size.
 * @be: backend per-vCPU data.
 * @thread: the vCPU thread.
 * @started: @thread exists (joined at teardown).
 * @in_run: the thread is inside the backend's RUN (for idle detection;
 *	atomic).
 * @action: enum vcpu_action, set by a device handler in this thread.
 * @action_gen: the VM's reset generation when @action was requested.
 * @initial: the state right after creation, for guest reboots.
 * @exits: exits to the VMM by exit reason (the last counts the rest).
 */
struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct vlapic_run *run;
	size_t run_size;
	void *be;
	pthread_t thread;
	bool started;
	int in_run;
	enum vcpu_action action;
	unsigned int action_gen;
	struct vcpu_state *initial;
	uint64_t exits[VMM_EXIT_REASONS];
};

/**
 * struct vm_control - who may run, who holds the VM (control.c).
 * @lock: covers every field.
 * @cond: broadcast on any change.
 * @paused: a controller holds the VM; vCPU threads park.
 * @owner: the controlling vCPU, or NULL for the main thread.
 * @stopping: the VMM is ending; threads leave.
 * @status: the exit status of the first stop request.
 * @live: vCPU threads started and not yet returned.
 * @parked: vCPU threads parked.
 * @reset_gen: incremented by each guest reboot.
 */
struct vm_control {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool paused;
	struct vcpu *owner;
	bool stopping;
	int status;
	unsigned int live;
	unsigned int parked;
	unsigned int reset_gen;
};

struct io_bus;
struct device;

/**
 * struct vm - the virtual machine.
 * @opt: the command line.
 * @ops: the backend.
 * @be: backend data.
 * @mem: guest RAM.
 * @image: the kernel image, the initrd and the boot information.
 * @cpuid: the CPUID table every vCPU gets (APIC IDs patched per vCPU).
 * @nr_vcpus: vCPUs in @vcpus.
 * @vcpus: the vCPUs.
 * @ctl: thread control.
 * @io: port I/O and MMIO dispatch (io.c).
 * @dev_lock: serializes every device access.
 * @devices: devices with state (for reset and snapshots), NULL-ended.
 * @irq_lock: covers @irq_level and the backend's IRQ_LINE calls.
 * @irq_level: the level each device drives on each GSI.
 * @initial_ioapic: the irqchip's VM-wide state at creation.
 * @nr_msrs: entries in @msr_index.
 * @msr_index: the MSRs a vCPU state holds: those the backend keeps, of
 *	state.c's list, in its order (IA32_TSC_DEADLINE last).
 * @reboots: guest reboots so far.
 */
struct vm {
	struct vmm_options opt;
	const struct backend_ops *ops;
	void *be;
	struct guest_mem mem;
	struct image image;
	struct vlapic_cpuid2 *cpuid;
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VMM_MAX_VCPUS];
	struct vm_control ctl;
	struct io_bus *io;
	pthread_mutex_t dev_lock;
	struct device *devices[16];
	pthread_mutex_t irq_lock;
	uint8_t irq_level[VMM_NR_GSIS];
	struct irqchip_blob *initial_ioapic;
	unsigned int nr_msrs;
	uint32_t msr_index[VMM_MAX_MSRS];
	unsigned int reboots;
};

/* Messages: "vlapic-vmm: ..." on stderr. */
void vmm_msg(const char *fmt, ...) __printf(1, 2);

/* control.c */
void ctl_init(struct vm_control *ctl);
void ctl_destroy(struct vm_control *ctl);
int ctl_pause(struct vm *vm, struct vcpu *self);
void ctl_resume(struct vm *vm);
bool ctl_checkpoint(struct vcpu *vcpu);
int ctl_start_thread(struct vm *vm, struct vcpu *vcpu, void *(*fn)(void *));
void ctl_thread_exited(struct vm *vm);
void vm_request_exit(struct vm *vm, int status);
void vm_fail(struct vm *vm, int status, const char *fmt, ...) __printf(3, 4);
bool vm_stopping(struct vm *vm);
int vm_exit_status(struct vm *vm);
int ctl_wait(struct vm *vm, unsigned int ms);
unsigned int ctl_reset_gen(struct vm *vm);
void ctl_new_reset_gen(struct vm *vm);

/* vcpu.c */
int vcpu_create(struct vm *vm, unsigned int index);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
void vcpu_request(struct vcpu *vcpu, enum vcpu_action action);
int vm_set_irq(struct vm *vm, unsigned int gsi, bool level);

/* cpuid.c */
int cpuid_build(struct vm *vm);
int cpuid_for_vcpu(const struct vm *vm, unsigned int index,
		   struct vlapic_cpuid2 **out);

/* reboot.c */
int vm_boot_state(struct vm *vm);
void vm_reboot(struct vm *vm, struct vcpu *self);

/* state.c: loads of a whole vCPU or VM state (all vCPU threads parked) */
#define STATE_IN_PLACE	BIT(0)	/* same VM: keep the TSC running */

/* The MSRs the VMM itself reads or treats specially. */
#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APIC_BASE	0x0000001b
#define MSR_IA32_TSC_DEADLINE	0x000006e0

int state_probe_msrs(struct vcpu *vcpu);
int vcpu_read_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val);
int vcpu_state_save(struct vcpu *vcpu, struct vcpu_state *s);
int vcpu_state_load(struct vcpu *vcpu, const struct vcpu_state *s,
		    unsigned int flags);

/**
 * struct vm_state - the VM's CPU and irqchip state (no RAM, no devices).
 * @nr_vcpus: vCPUs in @vcpu.
 * @vcpu: each vCPU's state.
 * @ioapic: the VM-wide irqchip state.
 * @irq_level: the level of each GSI as the devices drive it.
 */
struct vm_state {
	unsigned int nr_vcpus;
	struct vcpu_state *vcpu[VMM_MAX_VCPUS];
	struct irqchip_blob ioapic;
	uint8_t irq_level[VMM_NR_GSIS];
};

struct vm_state *vm_state_alloc(unsigned int nr_vcpus);
void vm_state_free(struct vm_state *st);
int vm_state_save(struct vm *vm, struct vm_state *st);
int vm_state_load(struct vm *vm, const struct vm_state *st,
		  unsigned int flags);
void vm_state_roundtrip(struct vm *vm, struct vcpu *self);

/* report.c */
void vcpu_dump_registers(struct vcpu *vcpu);
void vm_report_vcpus(struct vm *vm, const char *why);

/* idle.c */
struct idle_watch;
struct idle_watch *idle_watch_new(struct vm *vm);
void idle_watch_free(struct idle_watch *w);
void idle_check(struct idle_watch *w);

/* stats.c */
void stats_print(struct vm *vm);
void stats_table(FILE *out, const char *title, unsigned int nrows,
		 const char *const *names, unsigned int ncols,
		 const uint64_t *values, bool total);

#endif /* _VMM_H */
