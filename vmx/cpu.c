// SPDX-License-Identifier: GPL-2.0
/*
 * VMX on the host CPUs: VMXON and VMXOFF, the active VMCSs of each CPU,
 * and what this host's VMX offers (struct vmx_caps).
 *
 * VMX is turned on in a CPU lazily, by the first entry there, and only if
 * nobody else has it on: CR4.VMXE already set means another hypervisor
 * (kvm_intel) owns the CPU, and RUN fails with -EBUSY rather than share
 * it. CR4.VMXE is set and cleared with cr4_set_bits()/cr4_clear_bits(),
 * so the kernel's CR4 shadow stays right; the VMXON region carries the
 * revision of IA32_VMX_BASIC, and CR0/CR4 must already satisfy the FIXED
 * MSRs (Linux's do: -EIO otherwise). VMX is turned off on every CPU when
 * the last VLAPIC_VM_RUN VM goes away (then kvm_intel can take it), when
 * a CPU goes offline, before a reboot and at module unload; the CPU's
 * active VMCSs are VMCLEARed first. kvm_intel in 6.1 refuses a CPU with
 * CR4.VMXE set in the same way, so the two take turns, in either order.
 *
 * Emergency reboot (panic, kdump): 6.1.192 has one emergency-disable
 * callback slot (cpu_emergency_register_virt_callback()), which kvm_intel
 * takes at its own load and which WARNs when taken twice; the module does
 * not take it, so that both modules can be loaded. An emergency reboot
 * while a guest runs leaves VMX on in that CPU (docs/run.md).
 *
 * A VMCS is active on at most one CPU: before its vCPU enters on another
 * CPU, vmx_cpu_clear() VMCLEARs it on the old one (an IPI), so the CPU's
 * cached copy reaches memory and VMLAUNCH starts it afresh.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include <vlapic/export.h>

#include "vmx_priv.h"

/**
 * struct vmx_cpu - VMX's state on one host CPU.
 * @enabled: this module set CR4.VMXE here and executed VMXON.
 * @vmxon_region: the VMXON region (a page).
 * @current_vmcs: the vCPU whose VMCS is current here (VMPTRLD), or NULL.
 * @active: the vCPUs whose VMCS is active here (struct vmx_vcpu::cpu_link).
 *
 * Touched only on its own CPU with interrupts off (entry, the IPIs that
 * clear a VMCS or turn VMX off, CPU hotplug).
 */
struct vmx_cpu {
	bool enabled;
	void *vmxon_region;
	struct vmx_vcpu *current_vmcs;
	struct list_head active;
};

struct vmx_caps vmx_caps;

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static DEFINE_MUTEX(vmx_users_lock);
static unsigned int vmx_users;	/* VLAPIC_VM_RUN VMs; vmx_users_lock */
static bool vmx_rebooting;
static enum cpuhp_state vmx_cpuhp;
static void *vmx_msr_bitmap;	/* all ones: every MSR access exits */
/* VID in x2APIC mode: TPR, EOI and SELF IPI virtualized, the rest exit. */
static void *vmx_msr_bitmap_x2apic;

/* VMXON, VMCLEAR, VMPTRLD: a physical-address operand; true on success. */
#define VMX_PA_INSN(insn, pa) ({					\
	u64 __pa_op = (pa);						\
	bool __fail;							\
	asm volatile(insn " %[op]"					\
		     CC_SET(be)						\
		     : CC_OUT(be) (__fail)				\
		     : [op] "m" (__pa_op)				\
		     : "cc", "memory");					\
	!__fail;							\
})

/*
 * A control word: @want, plus the bits the capability MSR forces on.
 * Return: false if the CPU cannot set all of @want.
 */
static bool vmx_ctl(u32 msr, u32 true_msr, bool has_true, u32 want, u32 *out)
{
	u64 cap;

	rdmsrl(has_true ? true_msr : msr, cap);
	*out = (want | (u32)cap) & (u32)(cap >> 32);
	return (*out & want) == want;
}

/* The bits a control word may have set (allowed-1 settings). */
#define X2APIC_MSR_TPR		0x808
#define X2APIC_MSR_EOI		0x80b
#define X2APIC_MSR_SELF_IPI	0x83f

static u32 vmx_ctl_allowed(u32 msr)
{
	u64 cap;

	rdmsrl(msr, cap);
	return cap >> 32;
}

/* The best interrupt mode: the TPR shadow, then VID on top of it. */
static enum vmx_apicv_mode vmx_apicv_best(void)
{
	const u32 vid = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
			SECONDARY_EXEC_APIC_REGISTER_VIRT |
			SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;

	if (!(vmx_ctl_allowed(MSR_IA32_VMX_PROCBASED_CTLS) &
	      CPU_BASED_TPR_SHADOW))
		return VMX_APICV_INJECT;
	if ((vmx_ctl_allowed(MSR_IA32_VMX_PROCBASED_CTLS2) & vid) != vid)
		return VMX_APICV_TPR_SHADOW;
	return VMX_APICV_VID;
}

/**
 * vmx_cpu_supported() - whether the run loop can use this CPU.
 *
 * Reads the capability MSRs into vmx_caps.
 *
 * Return: true with VMX enabled by the firmware (Linux clears the
 * feature otherwise), EPT with 4-level walks and write-back tables,
 * INVEPT, unrestricted guest, NMI exiting with virtual NMIs, and the
 * EFER and PAT load controls.
 */
bool vmx_cpu_supported(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic, ept;
	bool t, ok;

	if (!boot_cpu_has(X86_FEATURE_VMX))
		return false;
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	t = basic & VMX_BASIC_TRUE_CTLS;
	c->revision = basic & 0x7fffffff;
	c->ins_outs_info = basic & VMX_BASIC_INOUT;
	ok = vmx_ctl(MSR_IA32_VMX_PINBASED_CTLS,
		     MSR_IA32_VMX_TRUE_PINBASED_CTLS, t,
		     PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		     PIN_BASED_VIRTUAL_NMIS, &c->pin);
	ok &= vmx_ctl(MSR_IA32_VMX_PROCBASED_CTLS,
		      MSR_IA32_VMX_TRUE_PROCBASED_CTLS, t,
		      CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
		      CPU_BASED_RDPMC_EXITING | CPU_BASED_CR8_LOAD_EXITING |
		      CPU_BASED_CR8_STORE_EXITING | CPU_BASED_MOV_DR_EXITING |
		      CPU_BASED_UNCOND_IO_EXITING | CPU_BASED_USE_MSR_BITMAPS |
		      CPU_BASED_MONITOR_EXITING |
		      CPU_BASED_USE_TSC_OFFSETTING |
		      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, &c->exec);
	/* With EPT, CR3 accesses need not exit where the CPU allows it. */
	c->exec &= ~(CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING);
	ok &= vmx_ctl(MSR_IA32_VMX_PROCBASED_CTLS2,
		      MSR_IA32_VMX_PROCBASED_CTLS2, false,
		      SECONDARY_EXEC_ENABLE_EPT |
		      SECONDARY_EXEC_UNRESTRICTED_GUEST |
		      SECONDARY_EXEC_DESC, &c->exec2);
	/* Guest descriptor-table exits are optional: only asked for, kept off. */
	c->exec2 &= ~SECONDARY_EXEC_DESC;
	ok &= vmx_ctl(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, t,
		      VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_PAT |
		      VM_EXIT_LOAD_IA32_EFER, &c->exit);
	ok &= vmx_ctl(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, t,
		      VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER,
		      &c->entry);
	if (!ok)
		return false;
	c->entry &= ~VM_ENTRY_IA32E_MODE;
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept);
	if (!(ept & VMX_EPT_PAGE_WALK_4_BIT) || !(ept & VMX_EPTP_WB_BIT) ||
	    !(ept & VMX_EPT_INVEPT_BIT) ||
	    !(ept & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT)))
		return false;
	c->invept_type = ept & VMX_EPT_EXTENT_CONTEXT_BIT ?
			 VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL;
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	/* Unrestricted guest: PE and PG are the guest's own. */
	c->cr0_fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	c->apicv_best = vmx_apicv_best();
	c->x2apic_virt = vmx_ctl_allowed(MSR_IA32_VMX_PROCBASED_CTLS2) &
			 SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
	c->backstop_ticks = 0;
	if ((vmx_ctl_allowed(t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			     MSR_IA32_VMX_PINBASED_CTLS) &
	     PIN_BASED_VMX_PREEMPTION_TIMER) && tsc_khz) {
		u64 misc, ticks;

		/* The timer counts TSC ticks >> IA32_VMX_MISC[4:0]. */
		rdmsrl(MSR_IA32_VMX_MISC, misc);
		ticks = (u64)tsc_khz >>
			(misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
		c->backstop_ticks = clamp_t(u64, ticks, 1, U32_MAX);
	}
	return true;
}

/* This CPU: @vmx's VMCS inactive here, written back to memory. */
static void vmx_cpu_clear_this(struct vmx_cpu *vc, struct vmx_vcpu *vmx)
{
	WARN_ON_ONCE(!VMX_PA_INSN("vmclear", __pa(vmx->vmcs)));
	list_del_init(&vmx->cpu_link);
	if (vc->current_vmcs == vmx)
		vc->current_vmcs = NULL;
	vmx->launched = false;
	vmx->host_cpu = -1;
	/* The list removal comes first: the entering CPU reads this. */
	smp_store_release(&vmx->loaded_cpu, -1);
}

static void vmx_cpu_clear_ipi(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	if (READ_ONCE(vmx->loaded_cpu) == smp_processor_id())
		vmx_cpu_clear_this(this_cpu_ptr(&vmx_cpu), vmx);
}

static void vmx_cpu_disable_this(void *unused)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;

	if (!vc->enabled)
		return;
	list_for_each_entry_safe(vmx, tmp, &vc->active, cpu_link)
		vmx_cpu_clear_this(vc, vmx);
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	vc->enabled = false;
	vc->current_vmcs = NULL;
}

/**
 * vmx_cpu_enable() - VMX on in this CPU, if nobody else has it.
 *
 * Context: interrupts off.
 * Return: 0; -EBUSY when another hypervisor has CR4.VMXE set here or the
 * host is rebooting; -EAGAIN when the CPU is going offline (move and
 * retry); -EIO if CR0/CR4 break the FIXED MSRs or VMXON fails.
 */
int vmx_cpu_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	unsigned long cr0 = read_cr0(), cr4 = cr4_read_shadow();

	lockdep_assert_irqs_disabled();
	if (READ_ONCE(vmx_rebooting))
		return -EBUSY;
	if (vc->enabled)
		return 0;
	if (!cpu_active(smp_processor_id()))
		return -EAGAIN;
	if (cr4 & X86_CR4_VMXE)
		return -EBUSY;
	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 ||
	    (cr0 & ~vmx_caps.cr0_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & ~vmx_caps.cr4_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & vmx_caps.cr4_fixed0) !=
	    vmx_caps.cr4_fixed0)
		return -EIO;
	*(u32 *)vc->vmxon_region = vmx_caps.revision;
	cr4_set_bits(X86_CR4_VMXE);
	if (!VMX_PA_INSN("vmxon", __pa(vc->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	vc->enabled = true;
	vc->current_vmcs = NULL;
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_cpu_enable);

/**
 * vmx_cpu_clear() - make @vmx's VMCS inactive wherever it is active.
 * @vmx: the vCPU.
 *
 * Context: process context, interrupts on (an IPI to the CPU it is
 * active on); the vCPU is not running.
 */
void vmx_cpu_clear(struct vmx_vcpu *vmx)
{
	/* Pairs with the release in vmx_cpu_clear_this(). */
	int cpu = smp_load_acquire(&vmx->loaded_cpu);

	if (cpu < 0)
		return;
	/*
	 * An offline CPU already cleared its list (vmx_cpu_offline()); the
	 * hotplug lock keeps it from going away in between.
	 */
	cpus_read_lock();
	/* Again under the lock; pairs with vmx_cpu_clear_this()'s release. */
	cpu = smp_load_acquire(&vmx->loaded_cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_cpu_clear_ipi, vmx, 1);
	cpus_read_unlock();
	WARN_ON_ONCE(READ_ONCE(vmx->loaded_cpu) >= 0);
}

/**
 * vmx_cpu_load() - make @vmx's VMCS current on this CPU.
 * @vmx: the vCPU; its VMCS is not active on any other CPU.
 *
 * A VMCS new to this CPU is VMCLEARed first (its launch state becomes
 * clear: the next entry is a VMLAUNCH).
 *
 * Context: interrupts off, VMX on (vmx_cpu_enable()).
 * Return: 0, or -EIO if VMCLEAR or VMPTRLD failed.
 */
int vmx_cpu_load(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id();

	lockdep_assert_irqs_disabled();
	if (READ_ONCE(vmx->loaded_cpu) != cpu) {
		if (WARN_ON_ONCE(READ_ONCE(vmx->loaded_cpu) >= 0))
			return -EIO;
		if (!VMX_PA_INSN("vmclear", __pa(vmx->vmcs)))
			return -EIO;
		vmx->launched = false;
		vmx->host_cpu = -1;
		list_add(&vmx->cpu_link, &vc->active);
		WRITE_ONCE(vmx->loaded_cpu, cpu);
	}
	if (vc->current_vmcs != vmx) {
		if (!VMX_PA_INSN("vmptrld", __pa(vmx->vmcs)))
			return -EIO;
		vc->current_vmcs = vmx;
	}
	return 0;
}

/**
 * vmx_cpu_get() - a new VLAPIC_VM_RUN VM uses VMX.
 *
 * Return: 0.
 */
int vmx_cpu_get(void)
{
	mutex_lock(&vmx_users_lock);
	vmx_users++;
	mutex_unlock(&vmx_users_lock);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_cpu_get);

/**
 * vmx_cpu_put() - a VLAPIC_VM_RUN VM is gone; the last one turns VMX off
 * everywhere, so another hypervisor can have it.
 *
 * Context: process context.
 */
void vmx_cpu_put(void)
{
	mutex_lock(&vmx_users_lock);
	if (!WARN_ON_ONCE(!vmx_users) && !--vmx_users)
		on_each_cpu(vmx_cpu_disable_this, NULL, 1);
	mutex_unlock(&vmx_users_lock);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_cpu_put);

static int vmx_cpu_online(unsigned int cpu)
{
	struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

	/* A CPU that comes back went through INIT: VMX is off. */
	vc->enabled = false;
	vc->current_vmcs = NULL;
	return 0;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_cpu_disable_this(NULL);
	local_irq_restore(flags);
	return 0;
}

static int vmx_reboot(struct notifier_block *nb, unsigned long code, void *p)
{
	WRITE_ONCE(vmx_rebooting, true);
	on_each_cpu(vmx_cpu_disable_this, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot,
};

/**
 * vmx_msr_bitmap_pa() - the MSR bitmap every VMCS shares.
 *
 * Every MSR access exits: the MSRs the guest has are kept by run/ and
 * the backend (vmx/state.c), never the CPU's.
 *
 * Return: its physical address.
 */
u64 vmx_msr_bitmap_pa(void)
{
	return __pa(vmx_msr_bitmap);
}

/**
 * vmx_msr_bitmap_x2apic_pa() - the MSR bitmap of VID in x2APIC mode.
 *
 * As vmx_msr_bitmap_pa(), but RDMSR/WRMSR of TPR (0x808), WRMSR of EOI
 * (0x80b) and SELF IPI (0x83f) do not exit: with "virtualize x2APIC
 * mode" the CPU does them on the virtual-APIC page (SDM vol. 3
 * "Virtualizing MSR-Based APIC Accesses").
 *
 * Return: its physical address.
 */
u64 vmx_msr_bitmap_x2apic_pa(void)
{
	return __pa(vmx_msr_bitmap_x2apic);
}

/* Bitmap layout: reads of MSRs 0-0x1fff at byte 0, writes at byte 2048. */
static void vmx_msr_pass(void *bitmap, u32 msr, bool read, bool write)
{
	if (read)
		__clear_bit(msr, bitmap);
	if (write)
		__clear_bit(msr, bitmap + 2048);
}

static void vmx_cpu_free_pages(void)
{
	int cpu;

	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
	free_page((unsigned long)vmx_msr_bitmap_x2apic);
	vmx_msr_bitmap_x2apic = NULL;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		free_page((unsigned long)vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
}

/**
 * vmx_cpu_init() - module load: VMXON regions, hotplug and reboot hooks.
 *
 * Return: 0 or -errno.
 */
int vmx_cpu_init(void)
{
	int cpu, ret;

	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	vmx_msr_bitmap_x2apic = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap_x2apic) {
		vmx_cpu_free_pages();
		return -ENOMEM;
	}
	memset(vmx_msr_bitmap_x2apic, 0xff, PAGE_SIZE);
	vmx_msr_pass(vmx_msr_bitmap_x2apic, X2APIC_MSR_TPR, true, true);
	vmx_msr_pass(vmx_msr_bitmap_x2apic, X2APIC_MSR_EOI, false, true);
	vmx_msr_pass(vmx_msr_bitmap_x2apic, X2APIC_MSR_SELF_IPI, false, true);
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		INIT_LIST_HEAD(&vc->active);
		vc->vmxon_region = (void *)get_zeroed_page(GFP_KERNEL);
		if (!vc->vmxon_region) {
			vmx_cpu_free_pages();
			return -ENOMEM;
		}
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vlapic/vmx:online",
				vmx_cpu_online, vmx_cpu_offline);
	if (ret < 0) {
		vmx_cpu_free_pages();
		return ret;
	}
	vmx_cpuhp = ret;
	register_reboot_notifier(&vmx_reboot_nb);
	return 0;
}

/**
 * vmx_cpu_exit() - module unload: VMX off everywhere, pages freed.
 */
void vmx_cpu_exit(void)
{
	unregister_reboot_notifier(&vmx_reboot_nb);
	cpuhp_remove_state(vmx_cpuhp);
	on_each_cpu(vmx_cpu_disable_this, NULL, 1);
	vmx_cpu_free_pages();
}
