/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run loop: what run/ (vendor-neutral) and the vendor backends (svm/,
 * later vmx/) share. run/ owns guest memory, the nested page tables'
 * shape, the run structure shared with userspace, the vCPU's general
 * registers, pending exceptions and NMIs, CPUID, the MSRs the module keeps,
 * halting, INIT/SIPI and every exit that is not vendor-specific. A backend
 * owns its control block (VMCB/VMCS), the entry itself, and the decoding
 * of its exit codes into calls of the vlapic_run_*() handlers below.
 *
 * Loop (run/run.c, docs/run.md):
 *
 *	for (;;) {
 *		stop on a signal, immediate_exit or a close of the vCPU fd;
 *		INIT / SIPI / wait-for-SIPI / HLT: may sleep;
 *		ops->enter():  interrupts off, requests, injection decided by
 *			       the decision code (svm/intr.c), VMRUN, exit
 *			       state saved;
 *		ops->handle_exit(): > 0 go on, 0 exit to userspace, < 0 error;
 *	}
 *
 * Contexts: everything here runs in the vCPU thread with vcpu->mutex held
 * (the RUN ioctl), except the kick (vlapic_run_kick()) and the memory
 * ioctls' TLB flush, which touch only @mode, @cpu and @requests.
 */
#ifndef _VLAPIC_RUN_H
#define _VLAPIC_RUN_H

#include <linux/mutex.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include <uapi/linux/vlapic.h>
#include <vlapic/emul.h>

struct vlapic;
struct vlapic_bus;
struct vlapic_ioapic;
struct vlapic_vcpu;
struct vlapic_vcpu_run;
struct vlapic_vm_run;

/* struct vlapic_vcpu_run::mode: where the vCPU thread is. */
enum vlapic_vcpu_mode {
	VLAPIC_OUTSIDE_GUEST_MODE,
	VLAPIC_IN_GUEST_MODE,
	VLAPIC_EXITING_GUEST_MODE,	/* kicked: an IPI is on its way */
};

/* struct vlapic_vcpu_run::requests, handled before each entry. */
#define VLAPIC_REQ_TLB_FLUSH	0	/* nested page tables changed */

/* --- nested page tables (run/gpt.c) --------------------------------------- */

/**
 * struct vlapic_gpt_format - a backend's nested page-table entry format.
 * @table: the entry pointing at a next-level table at physical @pa.
 * @leaf: the 4 KiB leaf entry for host page @pa; @write: writable.
 * @present: whether @pte maps anything.
 */
struct vlapic_gpt_format {
	u64 (*table)(phys_addr_t pa);
	u64 (*leaf)(phys_addr_t pa, bool write);
	bool (*present)(u64 pte);
};

/**
 * struct vlapic_gpt - a 4-level guest-physical -> host-physical table.
 * @fmt: the entry format.
 * @root: the top-level table (one page).
 * @pages: page-table pages allocated (for the counters).
 *
 * Changed only with struct vlapic_vm_run::mem_lock held; walked by the
 * CPU at any time. Tables are freed only with the whole tree.
 */
struct vlapic_gpt {
	const struct vlapic_gpt_format *fmt;
	u64 *root;
	unsigned long pages;
};

int vlapic_gpt_init(struct vlapic_gpt *gpt, const struct vlapic_gpt_format *fmt);
struct vlapic_vm_run;
int vlapic_run_apic_access_map(struct vlapic_vm_run *vm);
void vlapic_run_apic_access_unmap(struct vlapic_vm_run *vm);
void vlapic_gpt_destroy(struct vlapic_gpt *gpt);
int vlapic_gpt_map(struct vlapic_gpt *gpt, u64 gpa, phys_addr_t pa, bool write);
void vlapic_gpt_unmap(struct vlapic_gpt *gpt, u64 gpa);
u64 vlapic_gpt_lookup(const struct vlapic_gpt *gpt, u64 gpa);

/* --- guest memory (run/memory.c) ------------------------------------------ */

/**
 * struct vlapic_memslot - one guest memory region, pinned.
 * @id: the slot number userspace gave.
 * @flags: VLAPIC_MEM_*.
 * @gpa: first guest-physical address (page aligned).
 * @npages: its size in pages.
 * @uaddr: the userspace address it was pinned from.
 * @pages: the pinned pages, @npages of them.
 */
struct vlapic_memslot {
	u32 id;
	u32 flags;
	u64 gpa;
	u64 npages;
	u64 uaddr;
	struct page **pages;
};

/**
 * struct vlapic_memslots - the VM's regions, replaced whole on a change.
 * @nr: number of regions.
 * @rcu: unused: readers are SRCU readers of struct vlapic_vm_run::srcu.
 * @slot: the regions, sorted by @gpa, not overlapping.
 */
struct vlapic_memslots {
	unsigned int nr;
	struct vlapic_memslot *slot[VLAPIC_MEM_SLOTS];
};

/* --- the VM and vCPU run state --------------------------------------------- */

/**
 * struct vlapic_vm_run - what a VLAPIC_VM_RUN VM adds to a VM.
 * @ops: the vendor backend.
 * @bus: the VM's APIC bus.
 * @ioapic: the VM's IOAPIC.
 * @mm: the VM's mm (the creator's; pins and memlock are charged to it).
 * @srcu: readers of @slots: vCPU threads outside guest mode.
 * @mem_lock: serializes memory changes; covers @gpt and the writers of
 *	@slots.
 * @slots: the memory regions (SRCU protected).
 * @gpt: the nested page table every vCPU runs on.
 * @tsc_base: host TSC at VM creation: guest TSC = host TSC - @tsc_base
 *	(+ a vCPU's own adjustment).
 * @x2apic: the VM offers x2APIC (CPUID is fixed up accordingly).
 * @tsc_deadline: the VM offers the TSC-deadline timer.
 * @apicv_limit: the highest APIC-virtualization mode the backend may use
 *	(VLAPIC_VM_APICV_* >> VLAPIC_VM_APICV_SHIFT, 0: its best); VMX only.
 * @apic_access: a zeroed page the backend may map at the default xAPIC
 *	base (VMX's APIC-access page), or NULL; set once under @mem_lock,
 *	freed with the VM. Per VM: a guest whose accesses stop being
 *	virtualized (x2APIC mode) writes only its own copy.
 * @apic_access_off: set once under @mem_lock: @apic_access is no longer
 *	mapped (a vLAPIC left the enabled xAPIC state at the default base).
 * @msr_exits: VLAPIC_MSR_EXIT_REASON_* bits the VMM asked for
 *	(VLAPIC_ENABLE_CAP); 0: such accesses get #GP.
 * @max_vcpus: number of @vcpus slots.
 * @vcpus: the vCPUs' run state by index, published with release.
 */
struct vlapic_vm_run {
	const struct vlapic_run_ops *ops;
	struct vlapic_bus *bus;
	struct vlapic_ioapic *ioapic;
	struct mm_struct *mm;
	struct srcu_struct srcu;
	struct mutex mem_lock;	/* see above */
	struct vlapic_memslots __rcu *slots;
	struct vlapic_gpt gpt;
	u64 tsc_base;
	bool x2apic;
	bool tsc_deadline;
	u32 apicv_limit;
	struct page *apic_access;
	bool apic_access_off;
	u32 msr_exits;
	u32 max_vcpus;
	struct vlapic_vcpu_run **vcpus;
};

/**
 * struct vlapic_exception - an exception waiting for the next entry.
 * @pending: one is queued.
 * @vector: its vector.
 * @has_error: @error is pushed.
 * @error: the error code.
 * @cr2: #PF: the address for CR2.
 */
struct vlapic_exception {
	bool pending;
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;
};

/* What userspace must finish before the guest goes on (next RUN). */
/* struct vlapic_vcpu_run, @fault_gpa: no address known (none is all ones). */
#define VLAPIC_NO_FAULT_GPA	(~0ULL)

enum vlapic_complete {
	VLAPIC_COMPLETE_NONE,
	VLAPIC_COMPLETE_MMIO,		/* re-execute @mmio_insn with the data */
	VLAPIC_COMPLETE_PIO_IN,		/* data -> RAX, or to ES:RDI (INS) */
	VLAPIC_COMPLETE_PIO_OUT,	/* string OUT: advance RSI/RCX */
	VLAPIC_COMPLETE_HYPERCALL,	/* RAX := ret */
	VLAPIC_COMPLETE_RDMSR,		/* EDX:EAX := data, or #GP */
	VLAPIC_COMPLETE_WRMSR,		/* done, or #GP */
};

/*
 * Counters of the run loop: indices of struct vlapic_vcpu_run::stats, in
 * the order of the VLAPIC_VCPU_STAT_RUN_* UAPI counters that carry them.
 */
enum vlapic_run_stat {
	VLAPIC_RUN_STAT_EXITS,
	VLAPIC_RUN_STAT_EXIT_INTR,
	VLAPIC_RUN_STAT_EXIT_NMI,
	VLAPIC_RUN_STAT_EXIT_VINTR,
	VLAPIC_RUN_STAT_EXIT_CR8,
	VLAPIC_RUN_STAT_EXIT_CPUID,
	VLAPIC_RUN_STAT_EXIT_HLT,
	VLAPIC_RUN_STAT_EXIT_IO,
	VLAPIC_RUN_STAT_EXIT_MSR,
	VLAPIC_RUN_STAT_EXIT_MMIO_LAPIC,
	VLAPIC_RUN_STAT_EXIT_MMIO_IOAPIC,
	VLAPIC_RUN_STAT_EXIT_MMIO_USER,
	VLAPIC_RUN_STAT_EXIT_HYPERCALL,
	VLAPIC_RUN_STAT_EXIT_NMI_WINDOW,
	VLAPIC_RUN_STAT_EXIT_EXCEPTION,
	VLAPIC_RUN_STAT_EXIT_OTHER,
	VLAPIC_RUN_STAT_USER_EXITS,
	VLAPIC_RUN_STAT_HALT_SLEEPS,
	VLAPIC_RUN_STAT_KICK_IPIS,
	VLAPIC_RUN_STAT_INJECTED_INTR,
	VLAPIC_RUN_STAT_INJECTED_NMI,
	VLAPIC_RUN_STAT_INJECTED_EXC,
	VLAPIC_RUN_STAT_TLB_FLUSHES,
	VLAPIC_RUN_STAT_BAD_EVENTS,
	VLAPIC_RUN_STAT_MODE_INJECT,
	VLAPIC_RUN_STAT_MODE_TPR_SHADOW,
	VLAPIC_RUN_STAT_MODE_VID,
	VLAPIC_RUN_STAT_EXIT_TPR_THRESHOLD,
	VLAPIC_RUN_STAT_EXIT_EOI_INDUCED,
	VLAPIC_RUN_STAT_EXIT_APIC_WRITE,
	VLAPIC_RUN_STAT_EXIT_APIC_ACCESS,
	VLAPIC_RUN_STAT_EXIT_PAUSE,
	VLAPIC_RUN_STAT_EXIT_BACKSTOP,
	VLAPIC_RUN_STAT_NR,
};

/**
 * struct vlapic_vcpu_run - the vendor-neutral run state of one vCPU.
 * @vm: the VM's run state.
 * @owner: the vCPU object (vm/) this run state belongs to.
 * @vlapic: the vCPU's vLAPIC.
 * @index: the vCPU index (0 is the BSP).
 * @apic_id: its initial APIC ID (CPUID leaves 1 and 0xb).
 * @vendor: the backend's per-vCPU state.
 * @run: the shared run structure (page 0 of the vCPU fd's mmap).
 * @pio_data: the I/O data page (page 1).
 * @mode: enum vlapic_vcpu_mode; written by the vCPU thread, exchanged by
 *	kickers.
 * @cpu: the host CPU the vCPU last entered the guest on.
 * @requests: VLAPIC_REQ_* bits, set by anyone, cleared by the vCPU.
 * @gpr: RAX .. R15 between exits (the backend moves RAX/RSP into and out
 *	of its control block around each entry).
 * @rip: RIP between exits.
 * @rflags: RFLAGS between exits.
 * @exc: the exception queued for the next entry.
 * @pending_irq: an external interrupt acknowledged but not delivered
 *	(EXITINTINFO, or SET_SREGS' interrupt_bitmap); -1 if none.
 * @extint_vector: the VMM's 8259 vector for the next ExtINT
 *	(VLAPIC_INTERRUPT); -1 if none.
 * @nmi_masked: an NMI was delivered and its handler's IRET not yet seen.
 * @nmi_injected: the NMI of the last entry may still be in EXITINTINFO.
 * @halted: the vCPU executed HLT and waits for an event.
 * @dr: guest DR0-DR3 (kept, not loaded: see docs/run.md).
 * @dr6: guest DR6.
 * @dr7: guest DR7.
 * @tsc_adjust: guest writes to IA32_TSC, added to the VM's offset.
 * @tsc_aux: IA32_TSC_AUX (RDTSCP is emulated).
 * @misc_enable: IA32_MISC_ENABLE.
 * @cpuid: the CPUID table userspace set (SET_CPUID2).
 * @nr_cpuid: its number of entries.
 * @guest_fpu: the guest's FPU state, swapped in for each RUN.
 * @complete: what the next RUN finishes first (enum vlapic_complete).
 * @mmio_insn: the instruction an MMIO exit suspended.
 * @mmio_gpa: the read it waits for: address ...
 * @mmio_len: ... and length.
 * @fault_gpa: while a nested page fault's instruction is emulated, the
 *	address the CPU reported for its data access, else
 *	VLAPIC_NO_FAULT_GPA (vlapic_run_npf()).
 * @pio_size: bytes per element of the pending I/O.
 * @pio_count: elements of the pending I/O.
 * @pio_string: the pending I/O is INS/OUTS.
 * @pio_rep: ... with REP.
 * @pio_addr_bytes: ... and this address size.
 * @pio_next_rip: RIP after the I/O (or MSR) instruction.
 * @stats: enum vlapic_run_stat counters.
 */
struct vlapic_vcpu_run {
	struct vlapic_vm_run *vm;
	struct vlapic_vcpu *owner;
	struct vlapic *vlapic;
	unsigned int index;
	u32 apic_id;
	void *vendor;
	struct vlapic_run *run;
	void *pio_data;

	int mode;
	int cpu;
	unsigned long requests;

	u64 gpr[EMUL_NR_GPRS];
	u64 rip;
	u64 rflags;
	struct vlapic_exception exc;
	int pending_irq;
	int extint_vector;
	bool nmi_masked;
	bool nmi_injected;
	bool halted;
	u64 dr[4];
	u64 dr6;
	u64 dr7;
	s64 tsc_adjust;
	u64 tsc_aux;
	u64 misc_enable;
	struct vlapic_cpuid_entry2 *cpuid;
	u32 nr_cpuid;
	struct fpu_guest guest_fpu;

	enum vlapic_complete complete;
	struct emul_insn mmio_insn;
	u64 mmio_gpa;
	u32 mmio_len;
	u64 fault_gpa;
	u8 pio_size;
	u32 pio_count;
	bool pio_string;
	bool pio_rep;
	u8 pio_addr_bytes;
	u64 pio_next_rip;

	u64 stats[VLAPIC_RUN_STAT_NR];
};

/**
 * struct vlapic_run_ops - a vendor backend of the run loop.
 * @name: "svm" or "vmx".
 * @backend: its VLAPIC_RUN_BACKEND_* bit.
 * @gpt: its nested page-table format.
 * @supported: whether this host's CPUs can run it.
 * @hw_init: module load (when @supported): per-CPU pages, hotplug hooks.
 * @hw_exit: module unload: virtualization off everywhere.
 * @vm_get: a VM that may run appears (virtualization stays on for it).
 * @vm_put: it went away; the last one turns virtualization off.
 * @vlapic_ops_init: prepare the vLAPIC hooks' state in @vcpu->vendor and
 *	install them (vlapic_set_ops()); called after @vcpu_create.
 * @vcpu_create: allocate the control block; @vcpu is otherwise set up.
 * @vcpu_free: free what @vcpu_create allocated.
 * @vcpu_reset: architectural RESET (@init false) or INIT state of the
 *	registers the backend keeps (segments, control registers, EFER,
 *	PAT, ...); run/ resets the general registers.
 * @sipi: start at @vector << 12 in real mode (after INIT).
 * @enter: enter the guest once: requests, injection, the entry itself,
 *	saving the exit. Return 1 (an exit to handle), 0 (entry abandoned:
 *	a signal, a resched, a kick came first) or -errno.
 * @handle_exit: act on the exit. Return > 0 to go on, 0 when the run
 *	structure holds an exit for userspace, -errno on a host error.
 * @get_sregs: the special registers.
 * @set_sregs: load them (validated by run/regs.c first).
 * @get_cpu_state: fill the segments, control registers, EFER and CPL of @cpu.
 * @get_msr: an MSR the backend keeps; 0, 1 for #GP, -ENOENT: not its.
 * @set_msr: likewise; @host: from SET_MSRS (no guest #GP rules).
 * @tsc_changed: the guest TSC offset changed (IA32_TSC write).
 * @get_exit_info: optional: the last exit as an emulation failure reports
 *	it (VLAPIC_EMUL_INFO_*, KVM's get_exit_info words); without it the
 *	words are 0.
 */
struct vlapic_run_ops {
	const char *name;
	u32 backend;
	const struct vlapic_gpt_format *gpt;
	bool (*supported)(void);
	int (*hw_init)(void);
	void (*hw_exit)(void);
	int (*vm_get)(void);
	void (*vm_put)(void);
	int (*vcpu_create)(struct vlapic_vcpu_run *vcpu);
	void (*vlapic_ops_init)(struct vlapic_vcpu_run *vcpu);
	void (*vcpu_free)(struct vlapic_vcpu_run *vcpu);
	void (*vcpu_reset)(struct vlapic_vcpu_run *vcpu, bool init);
	void (*sipi)(struct vlapic_vcpu_run *vcpu, u8 vector);
	int (*enter)(struct vlapic_vcpu_run *vcpu);
	int (*handle_exit)(struct vlapic_vcpu_run *vcpu);
	void (*get_sregs)(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *s);
	void (*set_sregs)(struct vlapic_vcpu_run *vcpu,
			  const struct vlapic_sregs *s);
	void (*get_cpu_state)(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu);
	int (*get_msr)(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		       bool host);
	void (*tsc_changed)(struct vlapic_vcpu_run *vcpu);
	void (*get_exit_info)(struct vlapic_vcpu_run *vcpu,
			      u64 info[VLAPIC_EMUL_INFO_WORDS]);
};

/* The backends (svm/run.c, vmx/run.c), tried in this order at load. */
extern const struct vlapic_run_ops svm_run_ops;
extern const struct vlapic_run_ops vmx_run_ops;

const struct vlapic_run_ops *vlapic_run_backend(void);
u32 vlapic_run_backends(void);
int vlapic_run_init(void);
void vlapic_run_exit(void);
void vlapic_check_kvm_layouts(void);

/* --- for the backends: run/ services ---------------------------------------- */

static inline void vlapic_run_stat_inc(struct vlapic_vcpu_run *vcpu,
				       enum vlapic_run_stat stat)
{
	vcpu->stats[stat]++;
}

u64 vlapic_run_guest_tsc_offset(struct vlapic_vcpu_run *vcpu);
void vlapic_run_reset(struct vlapic_vcpu_run *vcpu, bool init);
bool vlapic_run_entry_pending_work(struct vlapic_vcpu_run *vcpu);
void vlapic_run_queue_exception(struct vlapic_vcpu_run *vcpu, u8 vector,
				bool has_error, u32 error);
void vlapic_run_queue_pf(struct vlapic_vcpu_run *vcpu, u32 error, u64 cr2);
void vlapic_run_queue_fault(struct vlapic_vcpu_run *vcpu,
			    const struct emul_fault *fault);
int vlapic_run_skip_insn(struct vlapic_vcpu_run *vcpu);
void vlapic_run_skip_hlt(struct vlapic_vcpu_run *vcpu);
int vlapic_run_fetch(struct vlapic_vcpu_run *vcpu, u8 *bytes,
		     unsigned int *len);
int vlapic_run_fetch_cpu(struct vlapic_vcpu_run *vcpu,
			 const struct emul_cpu *cpu, u8 *bytes,
			 unsigned int *len);
int vlapic_run_internal_error(struct vlapic_vcpu_run *vcpu, u32 suberror,
			      const u64 *data, unsigned int ndata);
int vlapic_run_emulation_failure(struct vlapic_vcpu_run *vcpu,
				 const u8 *bytes, unsigned int len);

int vlapic_run_cpuid(struct vlapic_vcpu_run *vcpu);
int vlapic_run_rdmsr(struct vlapic_vcpu_run *vcpu);
int vlapic_run_wrmsr(struct vlapic_vcpu_run *vcpu);
int vlapic_run_hlt(struct vlapic_vcpu_run *vcpu);
int vlapic_run_hypercall(struct vlapic_vcpu_run *vcpu);
int vlapic_run_npf(struct vlapic_vcpu_run *vcpu, u64 gpa, bool write,
		   bool fetch, bool final);
int vlapic_run_rdtscp(struct vlapic_vcpu_run *vcpu);

/**
 * struct vlapic_pio - one I/O instruction, as the CPU reported it.
 * @port: the port.
 * @size: bytes per element (1, 2, 4).
 * @in: IN/INS.
 * @string: INS/OUTS.
 * @rep: with a REP prefix.
 * @addr_bytes: address size of a string instruction (2, 4, 8).
 * @seg: segment of OUTS's source (enum emul_seg; INS always uses ES).
 * @next_rip: RIP after the instruction.
 */
struct vlapic_pio {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
	u8 addr_bytes;
	u8 seg;
	u64 next_rip;
};

int vlapic_run_pio(struct vlapic_vcpu_run *vcpu, const struct vlapic_pio *io);

/**
 * struct vlapic_exit_insn - an intercepted instruction (run/insn.c).
 * @len: its length.
 * @num: MOV CR/DR: the control or debug register.
 * @reg: MOV CR/DR: the general register (enum emul_reg).
 * @write: MOV to CR/DR.
 * @dr: a debug register.
 * @hlt: the instruction is HLT.
 * @pause: the instruction is PAUSE.
 */
struct vlapic_exit_insn {
	u8 len;
	bool hlt;
	bool pause;
	u8 num;
	u8 reg;
	bool write;
	bool dr;
};

extern const struct emul_ops vlapic_run_emul_ops;

int vlapic_insn_exit_decode(const u8 *bytes, unsigned int avail,
			    enum emul_mode mode, struct vlapic_exit_insn *out);
int vlapic_run_exit_insn(struct vlapic_vcpu_run *vcpu,
			 struct vlapic_exit_insn *out);
void vlapic_run_emul_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu);
void vlapic_run_advance(struct vlapic_vcpu_run *vcpu, unsigned int len);
int vlapic_run_pause(struct vlapic_vcpu_run *vcpu);
int vlapic_run_mov_cr8(struct vlapic_vcpu_run *vcpu);
int vlapic_run_mov_dr(struct vlapic_vcpu_run *vcpu);
int vlapic_run_emulate_ud(struct vlapic_vcpu_run *vcpu);

#endif /* _VLAPIC_RUN_H */
