/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvlapic: a small reference VMM library for /dev/vlapic.
 *
 * Thin, typed wrappers around the ioctls of include/uapi/linux/vlapic.h.
 * Every function returns 0 (or a documented non-negative value) on
 * success and -errno on failure; nothing is printed. Register accesses
 * return VLAPIC_FAULT_GP (1) when the guest access faults, so the caller
 * can inject #GP(0).
 */
#ifndef _LIBVLAPIC_H
#define _LIBVLAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vlapic.h>

#define VLAPIC_DEV_PATH		"/dev/vlapic"

#ifndef BIT
#define BIT(n)			(1U << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)		(1ULL << (n))
#endif

/* xAPIC register offsets (MMIO offset; x2APIC MSR = 0x800 + off / 16). */
#define LAPIC_ID		0x020
#define LAPIC_LVR		0x030
#define LAPIC_TPR		0x080
#define LAPIC_APR		0x090
#define LAPIC_PPR		0x0a0
#define LAPIC_EOI		0x0b0
#define LAPIC_LDR		0x0d0
#define LAPIC_DFR		0x0e0
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100
#define LAPIC_TMR		0x180
#define LAPIC_IRR		0x200
#define LAPIC_ESR		0x280
#define LAPIC_LVTCMCI		0x2f0
#define LAPIC_ICR		0x300
#define LAPIC_ICR2		0x310
#define LAPIC_LVTT		0x320
#define LAPIC_LVTTHMR		0x330
#define LAPIC_LVTPC		0x340
#define LAPIC_LVT0		0x350
#define LAPIC_LVT1		0x360
#define LAPIC_LVTERR		0x370
#define LAPIC_TMICT		0x380
#define LAPIC_TMCCT		0x390
#define LAPIC_TDCR		0x3e0
#define LAPIC_SELF_IPI		0x3f0

/* SVR */
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_SVR_DIRECTED_EOI	0x1000

/* LVT */
#define LAPIC_LVT_MASKED	BIT(16)
#define LAPIC_LVT_LEVEL		BIT(15)
#define LAPIC_LVT_REMOTE_IRR	BIT(14)
#define LAPIC_TIMER_ONESHOT	(0U << 17)
#define LAPIC_TIMER_PERIODIC	BIT(17)
#define LAPIC_TIMER_TSCDEADLINE	(2U << 17)
#define LAPIC_TDCR_DIV1		0xb

/* ICR low */
#define LAPIC_DM_FIXED		0x000
#define LAPIC_DM_LOWEST		0x100
#define LAPIC_DM_SMI		0x200
#define LAPIC_DM_NMI		0x400
#define LAPIC_DM_INIT		0x500
#define LAPIC_DM_STARTUP	0x600
#define LAPIC_DEST_LOGICAL	0x800
#define LAPIC_ICR_LEVEL_ASSERT	0x4000
#define LAPIC_ICR_LEVEL_TRIG	0x8000
#define LAPIC_SH_SELF		BIT(18)
#define LAPIC_SH_ALL		(2U << 18)
#define LAPIC_SH_OTHERS		(3U << 18)

/* DFR */
#define LAPIC_DFR_FLAT		0xffffffffU
#define LAPIC_DFR_CLUSTER	0x0fffffffU

/* IOAPIC window (offsets from its base) and indirect registers */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_REDIR(pin)	(0x10 + 2 * (pin))

/* MSRs */
#define MSR_IA32_APIC_BASE	0x0000001b
#define MSR_IA32_TSC_DEADLINE	0x000006e0
#define MSR_X2APIC_BASE		0x00000800
#define APIC_BASE_BSP		BIT_ULL(8)
#define APIC_BASE_X2APIC	BIT_ULL(10)
#define APIC_BASE_ENABLE	BIT_ULL(11)
#define APIC_DEFAULT_BASE	0xfee00000ULL

/* Per-vCPU counters: VLAPIC_VCPU_STAT_* of <linux/vlapic.h>. */

extern const char *const vlapic_vcpu_stat_names[VLAPIC_VCPU_STAT_NR];
extern const char *const vlapic_vm_stat_names[VLAPIC_VM_STAT_NR];

/* /dev/vlapic */
int vlapic_open(void);
int vlapic_api_version(int sys_fd);
int vlapic_check_extension(int sys_fd, unsigned long cap);
int vlapic_open_checked(void);
int vlapic_create_vm(int sys_fd, const struct vlapic_create_vm *cfg);

/* VM fd */
int vlapic_create_vcpu(int vm_fd, uint32_t index, uint32_t apic_id);
int vlapic_irq_line(int vm_fd, uint32_t gsi, uint32_t level);
int vlapic_signal_msi(int vm_fd, uint64_t address, uint32_t data);
int vlapic_set_gsi_routing(int vm_fd, const struct vlapic_gsi_route *routes,
			   uint32_t nr);
int vlapic_ioapic_access(int vm_fd, uint32_t offset, uint32_t len,
			 bool write, uint64_t *data);
int vlapic_ioapic_read_reg(int vm_fd, uint32_t index, uint32_t *val);
int vlapic_ioapic_write_reg(int vm_fd, uint32_t index, uint32_t val);
int vlapic_get_ioapic(int vm_fd, struct vlapic_ioapic_snapshot *s);
int vlapic_set_ioapic(int vm_fd, const struct vlapic_ioapic_snapshot *s);
int vlapic_get_vm_stats(int vm_fd, struct vlapic_vm_stats *st);
int vlapic_irqfd(int vm_fd, int fd, uint32_t gsi, uint32_t flags,
		 int resamplefd);
int vlapic_inject_batch(int vm_fd, const struct vlapic_inject *entries,
			uint32_t nr);

/* vCPU fd: state */
int vlapic_get_lapic(int vcpu_fd, struct vlapic_lapic_state *s);
int vlapic_set_lapic(int vcpu_fd, const struct vlapic_lapic_state *s);
int vlapic_set_runnable(int vcpu_fd);
int vlapic_get_vcpu_stats(int vcpu_fd, struct vlapic_vcpu_stats *st);
int vlapic_set_lint(int vcpu_fd, uint32_t pin, uint32_t level);

/* vCPU fd: guest register accesses (0, VLAPIC_FAULT_GP or -errno) */
int vlapic_mmio_access(int vcpu_fd, uint32_t offset, uint32_t len,
		       bool write, uint64_t *data);
int vlapic_mmio_read(int vcpu_fd, uint32_t offset, uint32_t *val);
int vlapic_mmio_write(int vcpu_fd, uint32_t offset, uint32_t val);
int vlapic_msr_read(int vcpu_fd, uint32_t msr, uint64_t *val);
int vlapic_msr_write(int vcpu_fd, uint32_t msr, uint64_t val);

/*
 * The same, addressed by xAPIC offset in either mode: MMIO in xAPIC mode,
 * MSR 0x800 + offset / 16 in x2APIC mode (ICR as one 64-bit MSR).
 */
int vlapic_apic_read(int vcpu_fd, bool x2apic, uint32_t offset,
		     uint64_t *val);
int vlapic_apic_write(int vcpu_fd, bool x2apic, uint32_t offset,
		      uint64_t val);
int vlapic_send_ipi(int vcpu_fd, bool x2apic, uint32_t dest, uint32_t icr);
int vlapic_eoi(int vcpu_fd, bool x2apic);

/* vCPU fd: the emulated CPU */
int vlapic_wait(int vcpu_fd, int64_t timeout_ns, uint32_t *reason);
int vlapic_get_interrupt(int vcpu_fd, uint32_t flags,
			 struct vlapic_interrupt *intr);

/*
 * The run interface of a VLAPIC_VM_RUN VM (KVM's layouts). Same return
 * convention: 0 or a documented count, -errno on failure.
 */

/* /dev/vlapic: the mmap() size of a vCPU's run structure and I/O page. */
int vlapic_get_vcpu_mmap_size(int sys_fd);
/*
 * The CPUID entries a VLAPIC_VM_RUN VM can offer: @cpuid->nent is the room
 * at @cpuid->entries on entry, the number filled in on return.
 */
int vlapic_get_supported_cpuid(int sys_fd, struct vlapic_cpuid2 *cpuid);

/* VM fd */
int vlapic_set_user_memory_region(int vm_fd, uint32_t slot, uint32_t flags,
				  uint64_t gpa, uint64_t size, void *hva);
int vlapic_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0);

/*
 * vCPU fd: map its struct vlapic_run (@size from
 * vlapic_get_vcpu_mmap_size()). Returns the mapping, or NULL with errno
 * set; undo with vlapic_unmap_run().
 */
struct vlapic_run *vlapic_map_run(int vcpu_fd, size_t size);
int vlapic_unmap_run(struct vlapic_run *run, size_t size);
/* The data of an IO exit (count * size bytes). */
static inline void *vlapic_run_io_data(struct vlapic_run *run)
{
	return (char *)run + run->io.data_offset;
}

/* 0 (an exit in @run), -EINTR (signal or immediate_exit), -errno. */
int vlapic_run(int vcpu_fd);
int vlapic_get_regs(int vcpu_fd, struct vlapic_regs *regs);
int vlapic_set_regs(int vcpu_fd, const struct vlapic_regs *regs);
int vlapic_get_sregs(int vcpu_fd, struct vlapic_sregs *sregs);
int vlapic_set_sregs(int vcpu_fd, const struct vlapic_sregs *sregs);
/* Return the number of entries processed (all, or up to the first bad). */
int vlapic_get_msrs(int vcpu_fd, struct vlapic_msrs *msrs);
int vlapic_set_msrs(int vcpu_fd, const struct vlapic_msrs *msrs);
/* One MSR through GET/SET_MSRS: 0, or -EINVAL if it was not processed. */
int vlapic_get_msr(int vcpu_fd, uint32_t index, uint64_t *val);
int vlapic_set_msr(int vcpu_fd, uint32_t index, uint64_t val);
int vlapic_set_cpuid2(int vcpu_fd, const struct vlapic_cpuid2 *cpuid);
int vlapic_get_cpuid2(int vcpu_fd, struct vlapic_cpuid2 *cpuid);

/* Helpers on a saved state. */
static inline uint32_t vlapic_state_reg(const struct vlapic_lapic_state *s,
					uint32_t off)
{
	uint32_t v;

	__builtin_memcpy(&v, s->regs + off, sizeof(v));
	return v;
}

static inline void vlapic_state_set_reg(struct vlapic_lapic_state *s,
					uint32_t off, uint32_t v)
{
	__builtin_memcpy(s->regs + off, &v, sizeof(v));
}

static inline bool vlapic_state_vec(const struct vlapic_lapic_state *s,
				    uint32_t base, unsigned int vector)
{
	return vlapic_state_reg(s, base + (vector / 32) * 16) &
	       (1U << (vector % 32));
}

#endif /* _LIBVLAPIC_H */
