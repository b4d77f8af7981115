/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vLAPIC: the emulated local APIC of one vCPU, and the APIC bus that
 * connects the vLAPICs of one VM.
 *
 * This is the contract between lapic/ and its users (the VM layer, the
 * IOAPIC, the VMX and SVM backends). The state behind it is private to
 * lapic/ (lapic/lapic_priv.h).
 *
 * Model: Intel SDM vol. 3 "Advanced Programmable Interrupt Controller"
 * (xAPIC and x2APIC) and AMD APM vol. 2 "Local APIC". Architectural
 * outcomes of guest mistakes are results (VLAPIC_ACCESS_GP for the caller
 * to inject, ESR bits, ignored writes) and counters; they never fail the
 * host. See docs/lapic.md for the model, the locking and the deviations.
 *
 * Contexts: functions marked "process context" may sleep (they may rebuild
 * the bus's APIC map). Delivery (vlapic_bus_deliver(), vlapic_set_lint())
 * and the queries may be called from any context, hard interrupts
 * included; they never sleep or allocate.
 */
#ifndef _VLAPIC_LAPIC_H
#define _VLAPIC_LAPIC_H

#include <linux/bits.h>
#include <linux/types.h>

#include <uapi/linux/vlapic.h>

struct vlapic;
struct vlapic_bus;
struct vlapic_clock;
struct vlapic_ops;
struct vlapic_lapic_state;

/* MSRs owned by the vLAPIC besides the x2APIC range. */
#define VLAPIC_MSR_APIC_BASE		0x0000001b
#define VLAPIC_MSR_TSC_DEADLINE		0x000006e0
#define VLAPIC_MSR_X2APIC_FIRST		0x00000800
#define VLAPIC_MSR_X2APIC_LAST		0x000008ff

/* IA32_APIC_BASE bits. */
#define VLAPIC_BASE_BSP			BIT_ULL(8)
#define VLAPIC_BASE_X2APIC		BIT_ULL(10)
#define VLAPIC_BASE_ENABLE		BIT_ULL(11)
#define VLAPIC_BASE_ADDR_MASK		0x000ffffffffff000ULL
#define VLAPIC_DEFAULT_BASE		0xfee00000ULL

/* Size of the xAPIC MMIO window (one page at the base address). */
#define VLAPIC_MMIO_SIZE		4096

/* Outcome of a guest register access. */
enum vlapic_access {
	VLAPIC_ACCESS_OK = 0,
	/* The access faults: the caller injects #GP(0) into the guest. */
	VLAPIC_ACCESS_GP = 1,
};

/* ICR destination shorthands (ICR bits 19:18). */
enum vlapic_shorthand {
	VLAPIC_SH_NONE = 0,
	VLAPIC_SH_SELF = 1,
	VLAPIC_SH_ALL = 2,
	VLAPIC_SH_OTHERS = 3,
};

/**
 * struct vlapic_irq - one interrupt message on the APIC bus.
 * @dest_id: physical APIC ID or logical destination. 8 bits unless
 *	@x2apic_dest (0xff / 0xffffffff is the broadcast).
 * @delivery_mode: APIC_DM_* from <asm/apicdef.h> (ICR bits 10:8).
 * @vector: vector for fixed and lowest-priority, start page for SIPI.
 * @shorthand: enum vlapic_shorthand; anything but NONE needs a source.
 * @logical: logical destination mode.
 * @level: level-triggered (sets the TMR bit of a fixed interrupt).
 * @assert: level asserted. Only an INIT with @level and !@assert (INIT
 *	level de-assert) has it clear; such a message changes nothing.
 * @x2apic_dest: @dest_id is a 32-bit x2APIC destination (from an x2APIC
 *	ICR); otherwise it is an 8-bit xAPIC destination (xAPIC ICR, IOAPIC,
 *	MSI).
 */
struct vlapic_irq {
	u32 dest_id;
	u32 delivery_mode;
	u8 vector;
	u8 shorthand;
	bool logical;
	bool level;
	bool assert;
	bool x2apic_dest;
};

/*
 * Non-vectored events a vLAPIC holds for its vCPU (vlapic_pending_events):
 * VLAPIC_EVENT_* of the UAPI.
 *
 * INIT and SIPI, as hardware and KVM decide them. A SIPI means something
 * only to a vCPU waiting for SIPI: it is latched (with its start page)
 * when the vCPU waits for SIPI or has an INIT pending, and dropped
 * otherwise or when one is already latched. An INIT discards a latched
 * SIPI (the INIT came last). Invariant: a latched SIPI means an INIT is
 * pending or the vCPU waits for SIPI. A run loop takes INIT before SIPI
 * (vlapic_take_event() will not take a SIPI while an INIT is pending):
 * - vlapic_take_event(INIT) performs the INIT reset under the same hold
 *   of the lock that takes the event, so a SIPI sent right after the
 *   INIT is never lost; an AP then waits for SIPI with a SIPI latched
 *   after the INIT still pending, the BSP stays runnable and drops it;
 * - vlapic_take_event(SIPI) takes a latched SIPI from a vCPU waiting for
 *   SIPI: it returns the start page and makes the vCPU runnable.
 * So INIT then SIPI, both pending, starts an AP (INIT to all-but-self
 * followed at once by one SIPI), and SIPI then INIT, both pending, leaves
 * it waiting for SIPI. vlapic_mp_state() says where the vCPU is; a vCPU
 * waiting for SIPI takes nothing else (vlapic_has_deliverable() wakes it
 * only for INIT or SIPI). A global disable (IA32_APIC_BASE.EN = 0) is not
 * an INIT: the MP state and the pending events stay.
 */
#define VLAPIC_EVENT_ALL	(VLAPIC_EVENT_NMI | VLAPIC_EVENT_SMI |	\
				 VLAPIC_EVENT_INIT | VLAPIC_EVENT_SIPI |	\
				 VLAPIC_EVENT_EXTINT)

/* Multiprocessor state the INIT-SIPI-SIPI protocol moves through. */
enum vlapic_mp_state {
	VLAPIC_MP_RUNNABLE = VLAPIC_MP_STATE_RUNNABLE,
	/* After INIT on an AP: only SIPI (or another INIT) has an effect. */
	VLAPIC_MP_WAIT_FOR_SIPI = VLAPIC_MP_STATE_WAIT_FOR_SIPI,
};

/**
 * struct vlapic_bus_ops - what the owner of a bus provides.
 * @kick: an event became pending on @vlapic (interrupt, NMI, INIT, ...):
 *	wake its vCPU if it waits, notify it if it runs. Called from any
 *	context, possibly with a vLAPIC lock held: must not sleep and must
 *	not call back into the vLAPIC. Mandatory.
 * @eoi_broadcast: the guest EOIed a level-triggered @vector on @vlapic and
 *	broadcast is not suppressed: the IOAPIC clears remote IRR. Called in
 *	the EOI writer's context with no vLAPIC lock held. Optional.
 */
struct vlapic_bus_ops {
	void (*kick)(struct vlapic *vlapic);
	void (*eoi_broadcast)(struct vlapic_bus *bus, struct vlapic *vlapic,
			      u8 vector);
};

/**
 * struct vlapic_config - features a VM's vLAPICs offer, fixed at creation.
 * @x2apic: x2APIC mode may be enabled through IA32_APIC_BASE.
 * @tsc_deadline: the TSC-deadline timer mode is offered.
 * @directed_eoi: version bit 24 and SVR bit 12 (suppress EOI broadcast).
 * @tsc_khz: guest TSC frequency, for TSC-deadline (0: 1 GHz).
 * @bus_cycle_ns: APIC timer input clock period before the divider
 *	(0: 1 ns, KVM's value).
 */
struct vlapic_config {
	bool x2apic;
	bool tsc_deadline;
	bool directed_eoi;
	u32 tsc_khz;
	u32 bus_cycle_ns;
};

/* --- bus ---------------------------------------------------------------- */

struct vlapic_bus *vlapic_bus_create(unsigned int max_vlapics,
				     const struct vlapic_config *config,
				     const struct vlapic_bus_ops *ops,
				     void *owner);
void vlapic_bus_destroy(struct vlapic_bus *bus);
void *vlapic_bus_owner(struct vlapic_bus *bus);
/*
 * Deliver @irq; returns how many vLAPICs accepted it (latched it: a vector
 * set in IRR or already pending there, an event made pending). Lowest
 * priority with at least one software-enabled target: exactly one.
 */
int vlapic_bus_deliver(struct vlapic_bus *bus, const struct vlapic_irq *irq,
		       struct vlapic *src);
/*
 * Whether @target is a destination of @irq (shorthands aside): the rule
 * the full scan applies, which the bus's map must agree with. Any context.
 */
bool vlapic_match_dest(struct vlapic *target, const struct vlapic_irq *irq);

/*
 * Deliver @nr source-less messages in order, as many vlapic_bus_deliver()
 * calls would; consecutive fixed physical messages to one vLAPIC share
 * one hold of its lock, at most VLAPIC_BUS_BATCH_MAX of them (that bounds
 * the time with interrupts off). Any context.
 */
#define VLAPIC_BUS_BATCH_MAX	64
int vlapic_bus_deliver_batch(struct vlapic_bus *bus,
			     const struct vlapic_irq *irqs, unsigned int nr);

/* --- lifetime ----------------------------------------------------------- */

struct vlapic *vlapic_create(struct vlapic_bus *bus, unsigned int index,
			     u32 apic_id, const struct vlapic_clock *clock);
void vlapic_destroy(struct vlapic *vlapic);
void vlapic_set_ops(struct vlapic *vlapic, const struct vlapic_ops *ops,
		    void *vendor);
void *vlapic_vendor(struct vlapic *vlapic);
unsigned int vlapic_index(struct vlapic *vlapic);
struct vlapic_bus *vlapic_get_bus(struct vlapic *vlapic);

void vlapic_reset(struct vlapic *vlapic);
void vlapic_init_reset(struct vlapic *vlapic);

/* --- guest register access ---------------------------------------------- */

enum vlapic_access vlapic_mmio_read(struct vlapic *vlapic, u32 offset,
				    void *data, unsigned int len);
enum vlapic_access vlapic_mmio_write(struct vlapic *vlapic, u32 offset,
				     const void *data, unsigned int len);
enum vlapic_access vlapic_msr_read(struct vlapic *vlapic, u32 msr, u64 *data);
enum vlapic_access vlapic_msr_write(struct vlapic *vlapic, u32 msr, u64 data);
bool vlapic_owns_msr(u32 msr);
int vlapic_set_apic_base(struct vlapic *vlapic, u64 val);
u64 vlapic_mmio_base(struct vlapic *vlapic);
bool vlapic_mmio_enabled(struct vlapic *vlapic);

u8 vlapic_get_cr8(struct vlapic *vlapic);
void vlapic_set_cr8(struct vlapic *vlapic, u8 cr8);

/* --- interrupt flow ----------------------------------------------------- */

void vlapic_set_lint(struct vlapic *vlapic, unsigned int pin, bool level);
bool vlapic_has_deliverable(struct vlapic *vlapic);
int vlapic_pending_vector(struct vlapic *vlapic);
int vlapic_ack(struct vlapic *vlapic);
void vlapic_eoi_vector(struct vlapic *vlapic, u8 vector);
u32 vlapic_pending_events(struct vlapic *vlapic);
bool vlapic_take_event(struct vlapic *vlapic, u32 event, u8 *sipi_vector);
enum vlapic_mp_state vlapic_mp_state(struct vlapic *vlapic);

/* --- derived state for the vendor backends ------------------------------ */

int vlapic_highest_irr(struct vlapic *vlapic);
int vlapic_highest_isr(struct vlapic *vlapic);
u8 vlapic_ppr(struct vlapic *vlapic);
u8 vlapic_tpr(struct vlapic *vlapic);
bool vlapic_test_tmr(struct vlapic *vlapic, u8 vector);
bool vlapic_enabled(struct vlapic *vlapic);
bool vlapic_x2apic_mode(struct vlapic *vlapic);
u32 vlapic_id(struct vlapic *vlapic);
void *vlapic_regs_page(struct vlapic *vlapic);
u32 vlapic_x2apic_ldr(u32 id);

/* --- save / restore ----------------------------------------------------- */

void vlapic_get_state(struct vlapic *vlapic, struct vlapic_lapic_state *s);
int vlapic_set_state(struct vlapic *vlapic,
		     const struct vlapic_lapic_state *s);

#endif /* _VLAPIC_LAPIC_H */
