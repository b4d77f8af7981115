// SPDX-License-Identifier: GPL-2.0
/*
 * SVM on the host CPUs: EFER.SVME and VM_HSAVE_PA, the host state page for
 * VMSAVE/VMLOAD, and the permission maps every VMCB shares.
 *
 * SVM is turned on in a CPU lazily, by the first VMRUN there, and only
 * if nobody else has it on: EFER.SVME already set means another
 * hypervisor (kvm_amd) owns the CPU, and RUN fails with -EBUSY rather
 * than share it. It is turned off on every CPU when the last VLAPIC_VM_RUN
 * VM goes away (then kvm_amd can take it), when a CPU goes offline, and
 * before a reboot. Only what this module set is ever cleared. kvm_amd in
 * 6.1 does the same (its hardware_enable() refuses a CPU with SVME set),
 * so the two take turns, in either order.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>

#include "svm_priv.h"

#define SVM_IOPM_ORDER	2	/* 12 KiB, rounded up */
#define SVM_MSRPM_ORDER	1	/* 8 KiB */

/**
 * struct svm_cpu - SVM's state on one host CPU.
 * @enabled: this module set EFER.SVME here (and VM_HSAVE_PA).
 * @hsave: the host save area VMRUN uses (VM_HSAVE_PA).
 * @host_save: VMSAVE's page for the host's FS, GS, TR, LDTR,
 *	KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK and SYSENTER MSRs.
 * @last_vmcb: the VMCB of the last VMRUN here since SVM was turned on.
 *
 * Touched only on its own CPU with interrupts off (entry, the IPIs that
 * turn SVM off, CPU hotplug).
 */
struct svm_cpu {
	bool enabled;
	void *hsave;
	void *host_save;
	struct vmcb *last_vmcb;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);
static DEFINE_MUTEX(svm_users_lock);
static unsigned int svm_users;	/* VLAPIC_VM_RUN VMs; svm_users_lock */
static bool svm_rebooting;
static enum cpuhp_state svm_cpuhp;
static struct page *svm_iopm, *svm_msrpm;

/**
 * svm_cpu_supported() - whether the run loop can use this CPU.
 *
 * Return: true with SVM, NPT and SVM not disabled by the firmware.
 */
bool svm_cpu_supported(void)
{
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM) || !boot_cpu_has(X86_FEATURE_NPT))
		return false;
	rdmsrl(MSR_VM_CR, vm_cr);
	return !(vm_cr & SVM_VM_CR_SVM_DISABLE);
}

static void svm_cpu_disable_this(void *unused)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u64 efer;

	if (!sc->enabled)
		return;
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	sc->enabled = false;
	sc->last_vmcb = NULL;
}

/**
 * svm_cpu_enable() - SVM on in this CPU, if nobody else has it.
 *
 * Context: interrupts off.
 * Return: 0; -EBUSY when another hypervisor owns SVM here or the host is
 * rebooting; -EAGAIN when the CPU is going offline (move and retry).
 */
int svm_cpu_enable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u64 efer;

	lockdep_assert_irqs_disabled();
	if (READ_ONCE(svm_rebooting))
		return -EBUSY;
	if (sc->enabled)
		return 0;
	if (!cpu_active(smp_processor_id()))
		return -EAGAIN;
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_VM_HSAVE_PA, __pa(sc->hsave));
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	sc->enabled = true;
	sc->last_vmcb = NULL;
	return 0;
}

/**
 * svm_cpu_host_save_pa() - this CPU's page for the host's VMSAVE state.
 *
 * Context: interrupts off.
 * Return: its physical address.
 */
u64 svm_cpu_host_save_pa(void)
{
	return __pa(this_cpu_ptr(&svm_cpu)->host_save);
}

/**
 * svm_cpu_switch_vmcb() - note the VMCB about to run on this CPU.
 * @vmcb: the VMCB.
 *
 * Context: interrupts off, SVM on.
 * Return: true if another VMCB ran here since (or SVM was just turned
 * on): the guest's TLB entries here are stale and clean bits void.
 */
bool svm_cpu_switch_vmcb(struct vmcb *vmcb)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);

	if (sc->last_vmcb == vmcb)
		return false;
	sc->last_vmcb = vmcb;
	return true;
}

/**
 * svm_cpu_get() - a new VLAPIC_VM_RUN VM uses SVM.
 *
 * Return: 0.
 */
int svm_cpu_get(void)
{
	mutex_lock(&svm_users_lock);
	svm_users++;
	mutex_unlock(&svm_users_lock);
	return 0;
}

/**
 * svm_cpu_put() - a VLAPIC_VM_RUN VM is gone; the last one turns SVM off
 * everywhere, so another hypervisor can have it.
 *
 * Context: process context.
 */
void svm_cpu_put(void)
{
	mutex_lock(&svm_users_lock);
	if (!WARN_ON_ONCE(!svm_users) && !--svm_users)
		on_each_cpu(svm_cpu_disable_this, NULL, 1);
	mutex_unlock(&svm_users_lock);
}

static int svm_cpu_online(unsigned int cpu)
{
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

	/* A CPU that comes back went through INIT: EFER.SVME is clear. */
	sc->enabled = false;
	sc->last_vmcb = NULL;
	return 0;
}

static int svm_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	svm_cpu_disable_this(NULL);
	local_irq_restore(flags);
	return 0;
}

static int svm_reboot(struct notifier_block *nb, unsigned long code, void *p)
{
	WRITE_ONCE(svm_rebooting, true);
	on_each_cpu(svm_cpu_disable_this, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block svm_reboot_nb = {
	.notifier_call = svm_reboot,
};

/**
 * svm_iopm_pa() - the I/O permission map: every port intercepted.
 *
 * Return: its physical address.
 */
u64 svm_iopm_pa(void)
{
	return page_to_phys(svm_iopm);
}

/**
 * svm_msrpm_pa() - the MSR permission map.
 *
 * Return: its physical address.
 */
u64 svm_msrpm_pa(void)
{
	return page_to_phys(svm_msrpm);
}

/*
 * MSRs the guest reads and writes without an exit: those VMRUN/VMLOAD/
 * VMSAVE switch with the VMCB, so the host's values are safe.
 */
static const u32 svm_msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* APM vol. 2 "MSR Intercepts": three 2 KiB ranges, 2 bits per MSR. */
static void svm_msrpm_allow(u8 *map, u32 msr)
{
	u32 base, off;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800, msr -= 0xc0000000;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000, msr -= 0xc0010000;
	else
		return;
	off = base + msr / 4;
	map[off] &= ~(3U << ((msr % 4) * 2));
}

static void svm_cpu_free_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		free_page((unsigned long)sc->hsave);
		free_page((unsigned long)sc->host_save);
		sc->hsave = NULL;
		sc->host_save = NULL;
	}
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

/**
 * svm_cpu_init() - module load: pages, hotplug and reboot hooks.
 *
 * Return: 0 or -errno.
 */
int svm_cpu_init(void)
{
	unsigned int i;
	int cpu, ret;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		sc->hsave = (void *)get_zeroed_page(GFP_KERNEL);
		sc->host_save = (void *)get_zeroed_page(GFP_KERNEL);
		if (!sc->hsave || !sc->host_save)
			goto nomem;
	}
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_msr_passthrough); i++)
		svm_msrpm_allow(page_address(svm_msrpm), svm_msr_passthrough[i]);

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vlapic/svm:online",
				svm_cpu_online, svm_cpu_offline);
	if (ret < 0)
		goto fail;
	svm_cpuhp = ret;
	register_reboot_notifier(&svm_reboot_nb);
	return 0;
nomem:
	ret = -ENOMEM;
fail:
	svm_cpu_free_pages();
	return ret;
}

/**
 * svm_cpu_exit() - module unload: SVM off everywhere, pages freed.
 */
void svm_cpu_exit(void)
{
	unregister_reboot_notifier(&svm_reboot_nb);
	cpuhp_remove_state(svm_cpuhp);
	on_each_cpu(svm_cpu_disable_this, NULL, 1);
	svm_cpu_free_pages();
}
