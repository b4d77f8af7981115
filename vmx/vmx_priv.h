/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX run loop's private state (vmx/cpu.c, vmx/run.c, vmx/state.c,
 * vmx/exit.c). The interrupt decision code and the VMCS accessors it
 * calls are public in include/vlapic/vmx.h.
 */
#ifndef _VLAPIC_VMX_PRIV_H
#define _VLAPIC_VMX_PRIV_H

#include <linux/list.h>
#include <asm/vmx.h>

#include <vlapic/emul.h>
#include <vlapic/run.h>
#include <vlapic/vmx.h>

/* VMCS segment access rights (SDM vol. 3 "Guest Register State"). */
#define VMX_AR_TYPE(a)		((a) & 0xf)
#define VMX_AR_S		BIT(4)
#define VMX_AR_DPL_SHIFT	5
#define VMX_AR_P		BIT(7)
#define VMX_AR_AVL		BIT(12)
#define VMX_AR_L		BIT(13)
#define VMX_AR_DB		BIT(14)
#define VMX_AR_G		BIT(15)
#define VMX_AR_UNUSABLE		BIT(16)

/**
 * enum vmx_apicv_mode - how a vCPU's interrupts reach the guest.
 * @VMX_APICV_INJECT: event injection and interrupt-window exiting; CR8
 *	accesses exit, the xAPIC page is emulated on EPT violations.
 * @VMX_APICV_TPR_SHADOW: the TPR shadow: the vLAPIC's register page is
 *	the virtual-APIC page, CR8 loads and stores do not exit, the TPR
 *	threshold makes the one TPR write that unmasks an interrupt exit.
 * @VMX_APICV_VID: virtual-interrupt delivery (docs/run.md "VMX").
 *
 * The values are those of VLAPIC_VM_APICV_* >> VLAPIC_VM_APICV_SHIFT.
 */
enum vmx_apicv_mode {
	VMX_APICV_INJECT = 1,
	VMX_APICV_TPR_SHADOW = 2,
	VMX_APICV_VID = 3,
};

/**
 * struct vmx_caps - what this host's VMX offers, read once at load.
 * @revision: the VMCS revision identifier (IA32_VMX_BASIC[30:0]).
 * @ins_outs_info: INS/OUTS exits report the instruction information
 *	(IA32_VMX_BASIC[54]).
 * @pin: pin-based controls to write.
 * @exec: primary processor-based controls (window bits clear).
 * @exec2: secondary processor-based controls.
 * @exit: VM-exit controls.
 * @entry: VM-entry controls ("IA-32e mode guest" clear).
 * @cr0_fixed0: CR0 bits that must be 1 (PE and PG not: unrestricted).
 * @cr0_fixed1: CR0 bits that may be 1.
 * @cr4_fixed0: CR4 bits that must be 1 (VMXE).
 * @cr4_fixed1: CR4 bits that may be 1.
 * @invept_type: the INVEPT type used (single-context if the CPU has it).
 * @apicv_best: the best enum vmx_apicv_mode the CPU can do.
 * @x2apic_virt: "virtualize x2APIC mode" is available (VID in x2APIC
 *	mode: TPR, EOI and SELF IPI MSRs without exits).
 * @backstop_ticks: the VMX-preemption timer value of an entry with the
 *	guest's IF clear (about 1 ms), 0 if the CPU has no such timer
 *	(vmx/run.c, vmx_set_backstop()).
 */
struct vmx_caps {
	u32 revision;
	bool ins_outs_info;
	u32 pin;
	u32 exec;
	u32 exec2;
	u32 exit;
	u32 entry;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 invept_type;
	enum vmx_apicv_mode apicv_best;
	bool x2apic_virt;
	u32 backstop_ticks;
};

extern struct vmx_caps vmx_caps;

/* Segments in VMCS field order: ES .. GS (enum emul_seg), LDTR, TR. */
enum vmx_seg {
	VMX_LDTR = EMUL_NR_SEGS,
	VMX_TR,
	VMX_NR_SEGS,
};

/**
 * struct vmx_segment - a segment register as the VMCS holds it.
 * @base: the base.
 * @limit: the limit in bytes.
 * @ar: access rights, VMX_AR_*.
 * @sel: the selector.
 */
struct vmx_segment {
	u64 base;
	u32 limit;
	u32 ar;
	u16 sel;
};

/**
 * struct vmx_guest - the guest state the module keeps for the VMCS.
 * @seg: the segment registers (enum vmx_seg).
 * @gdtr_base: GDTR base ...
 * @gdtr_limit: ... and limit.
 * @idtr_base: IDTR base ...
 * @idtr_limit: ... and limit.
 * @cr0: CR0 as the guest sees it (its read shadow for the owned bits).
 * @cr2: CR2 (not in the VMCS: loaded into the CPU for each stint).
 * @cr3: CR3.
 * @cr4: CR4 as the guest sees it (no VMXE).
 * @efer: EFER, LMA included (GUEST_IA32_EFER).
 * @pat: IA32_PAT.
 * @sysenter_cs: IA32_SYSENTER_CS.
 * @sysenter_esp: IA32_SYSENTER_ESP.
 * @sysenter_eip: IA32_SYSENTER_EIP.
 * @star: STAR (loaded into the CPU for each stint, as the next four).
 * @lstar: LSTAR.
 * @cstar: CSTAR.
 * @sfmask: SFMASK.
 * @kernel_gs_base: KERNEL_GS_BASE (SWAPGS in the guest changes it).
 * @pdptr: PAE page-directory pointers (PAE paging outside long mode).
 * @intr_state: guest interruptibility state (GUEST_INTR_STATE_*).
 *
 * The software copy is the truth outside a stint: every field the guest
 * can change without an exit is read back after each exit; @dirty in
 * struct vmx_vcpu says the VMCS needs all of it again.
 */
struct vmx_guest {
	struct vmx_segment seg[VMX_NR_SEGS];
	u64 gdtr_base;
	u32 gdtr_limit;
	u64 idtr_base;
	u32 idtr_limit;
	u64 cr0;
	u64 cr2;
	u64 cr3;
	u64 cr4;
	u64 efer;
	u64 pat;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 pdptr[4];
	u32 intr_state;
};

/**
 * struct vmx_vcpu - one vCPU on VMX.
 * @vx: the vLAPIC hooks' state (vmx/ops.c); first member, so that its
 *	posted-interrupt descriptor is 64-byte aligned.
 * @vcpu: the vendor-neutral run state.
 * @apicv: the interrupt mode, fixed at creation (enum vmx_apicv_mode).
 * @x2apic_virt: VID runs with "virtualize x2APIC mode" (the guest's
 *	vLAPIC is in x2APIC mode) rather than "virtualize APIC accesses".
 * @vmcs: the VMCS (a page).
 * @cur: what the VMCS holds of the APIC fields (vmx/vmcs.c), and the
 *	primary and secondary controls as last written.
 * @loaded_cpu: the CPU on which @vmcs is active (VMPTRLD since the last
 *	VMCLEAR), -1 if none; changed only on that CPU with interrupts off.
 * @cpu_link: in that CPU's list of active VMCSs.
 * @launched: VMLAUNCH succeeded since the last VMCLEAR (VMRESUME next).
 * @set_up: the VMCS's constant fields are written (vmx_vmcs_setup()).
 * @g: the guest state.
 * @dirty: @g must be written to the VMCS before the next entry.
 * @tsc_dirty: TSC_OFFSET must be written.
 * @backstop: the pin-based controls as written have the VMX-preemption
 *	timer on.
 * @host_cpu: the CPU whose host state the VMCS holds, -1 if none.
 * @host_cr3: HOST_CR3 as last written.
 * @host_cr4: HOST_CR4 as last written.
 * @host_fs_base: HOST_FS_BASE as last written.
 * @exit_rip: RIP at the last exit (a shadow ends when RIP moved).
 * @exit_reason: the last exit's reason (bit 31: a failed entry).
 * @exit_qual: its exit qualification.
 * @exit_intr_info: its VM-exit interruption information.
 * @exit_insn_len: its VM-exit instruction length.
 * @exit_insn_info: its VM-exit instruction information.
 * @exit_gpa: the guest-physical address of an EPT violation.
 * @idt_info: its IDT-vectoring information.
 * @idt_error: its IDT-vectoring error code.
 * @entry_error: VM-instruction error of a VMLAUNCH/VMRESUME that failed.
 * @nmi_reinject: the last exit cut short an NMI's delivery.
 *
 * Owned by the vCPU thread; nothing here is touched by other contexts
 * but @vx (its own lock) and @loaded_cpu / @cpu_link (vmx/cpu.c, on the
 * CPU named by @loaded_cpu, interrupts off).
 */
struct vmx_vcpu {
	struct vmx_vlapic vx;
	struct vlapic_vcpu_run *vcpu;
	enum vmx_apicv_mode apicv;
	bool x2apic_virt;
	void *vmcs;
	struct vmx_vmcs_apic cur;
	int loaded_cpu;
	struct list_head cpu_link;
	bool launched;
	bool set_up;
	struct vmx_guest g;
	bool dirty;
	bool tsc_dirty;
	bool backstop;
	int host_cpu;
	unsigned long host_cr3;
	unsigned long host_cr4;
	unsigned long host_fs_base;
	u64 exit_rip;
	u32 exit_reason;
	u64 exit_qual;
	u32 exit_intr_info;
	u32 exit_insn_len;
	u32 exit_insn_info;
	u64 exit_gpa;
	u32 idt_info;
	u32 idt_error;
	u32 entry_error;
	bool nmi_reinject;
};

static inline struct vmx_vcpu *to_vmx(struct vlapic_vcpu_run *vcpu)
{
	return vcpu->vendor;
}

/* VMWRITE/VMREAD of the current VMCS; a failure is warned about once. */
static inline void vmx_write(unsigned long field, unsigned long value)
{
	WARN_ON_ONCE(!vmx_vmwrite(field, value));
}

static inline unsigned long vmx_read(unsigned long field)
{
	unsigned long v;

	WARN_ON_ONCE(!vmx_vmread(field, &v));
	return v;
}

/* vmx/cpu.c */
bool vmx_cpu_supported(void);
int vmx_cpu_init(void);
void vmx_cpu_exit(void);
int vmx_cpu_get(void);
void vmx_cpu_put(void);
int vmx_cpu_enable(void);
int vmx_cpu_load(struct vmx_vcpu *vmx);
u64 vmx_msr_bitmap_pa(void);
u64 vmx_msr_bitmap_x2apic_pa(void);
void vmx_cpu_clear(struct vmx_vcpu *vmx);

/* vmx/vmenter.S */
int vmx_vmenter(u64 *gprs, bool launched);

/* vmx/state.c */
void vmx_state_vcpu_reset(struct vlapic_vcpu_run *vcpu, bool init);
void vmx_state_sipi(struct vlapic_vcpu_run *vcpu, u8 vector);
void vmx_state_get_sregs(struct vlapic_vcpu_run *vcpu, struct vlapic_sregs *s);
void vmx_state_set_sregs(struct vlapic_vcpu_run *vcpu,
			 const struct vlapic_sregs *s);
void vmx_state_get_cpu(struct vlapic_vcpu_run *vcpu, struct emul_cpu *cpu);
int vmx_state_get_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 *data);
int vmx_state_set_msr(struct vlapic_vcpu_run *vcpu, u32 index, u64 data,
		      bool host);
int vmx_state_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
int vmx_state_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
void vmx_state_load(struct vmx_vcpu *vmx);
void vmx_state_save(struct vmx_vcpu *vmx);

/* vmx/exit.c */
int vmx_handle_exit(struct vlapic_vcpu_run *vcpu);
void vmx_get_exit_info(struct vlapic_vcpu_run *vcpu,
		       u64 info[VLAPIC_EMUL_INFO_WORDS]);

#endif /* _VLAPIC_VMX_PRIV_H */
