/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the vLAPIC and the APIC bus. Only lapic/ includes this.
 */
#ifndef _VLAPIC_LAPIC_PRIV_H
#define _VLAPIC_LAPIC_PRIV_H

#include <linux/bitops.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <asm/apicdef.h>

#include <vlapic/lapic.h>
#include <vlapic/ops.h>
#include <vlapic/clock.h>
#include <vlapic/stats.h>

/* Version register: integrated xAPIC (0x14), LVT count, directed EOI. */
#define VLAPIC_VERSION		0x14
#define VLAPIC_NR_LVT		7	/* CMCI, timer, thermal, PMI, LINT0/1, error */

/* x2APIC broadcast and xAPIC broadcast destinations. */
#define VLAPIC_X2APIC_BROADCAST	0xffffffffU
#define VLAPIC_XAPIC_BROADCAST	0xffU

/* ICR bits 31:0 a write stores: vector, mode, dest mode, level, shorthand. */
#define VLAPIC_ICR_LOW_MASK	0x000ccfffU

/* Largest APIC ID the physical map indexes directly. */
#define VLAPIC_MAX_MAP_ID	4095

/**
 * struct vlapic_timer - the APIC timer of one vLAPIC.
 * @mode: APIC_LVT_TIMER_* of the LVT timer, cached at the last LVT write.
 * @target_ns: clock time of the next expiry; 0 when disarmed. One-shot and
 *	periodic: end of the current count; TSC-deadline: the deadline.
 * @period_ns: length of one count at the current divider (periodic and
 *	one-shot); 0 in TSC-deadline mode.
 * @tsc_deadline: IA32_TSC_DEADLINE as the guest wrote it.
 * @host_tsc: the guest runs on the CPU: its TSC is the host's TSC plus
 *	@tsc_offset, and a deadline is due when that reaches it (not when
 *	the clock's estimate does).
 * @tsc_offset: guest TSC - host TSC, with @host_tsc.
 * @hrtimer: the host timer of vlapic_host_clock.
 */
struct vlapic_timer {
	u32 mode;
	u64 target_ns;
	u64 period_ns;
	u64 tsc_deadline;
	bool host_tsc;
	u64 tsc_offset;
	struct hrtimer hrtimer;
};

/**
 * struct vlapic - one emulated local APIC.
 * @bus: the VM's APIC bus.
 * @index: slot on the bus (vCPU index).
 * @initial_id: the APIC ID given at creation (the x2APIC ID).
 * @clock: time source of the timer.
 * @ops: vendor hooks, or NULL (software only).
 * @vendor: the vendor backend's per-vLAPIC state.
 * @regs: the register page (a whole page: the VMX virtual-APIC page).
 * @lock: see below.
 * @apic_base: IA32_APIC_BASE.
 * @esr_pending: errors seen since the last ESR write; the write latches
 *	them into ESR.
 * @highest_irr: highest IRR vector, -1 when empty (derived: see
 *	vlapic_recalc()).
 * @highest_isr: highest ISR vector, -1 when empty (derived).
 * @pending_events: VLAPIC_EVENT_* held for the vCPU.
 * @sipi_vector: start page of a pending SIPI.
 * @lint_levels: bit n: logical level of LINTn.
 * @mp_state: where the vCPU is in the INIT-SIPI protocol.
 * @timer: the APIC timer.
 * @stats: counters.
 *
 * Locking: @lock (raw, interrupts off) covers the register page and every
 * field from @apic_base on, so that delivery from any CPU or from the
 * timer's hard interrupt, and the vCPU's own accesses, see one consistent
 * APIC. Functions that need it say so with lockdep_assert_held(). It is a
 * leaf lock: with it held the code calls only the vendor hooks, the
 * clock's arm/disarm and the bus's kick. The IOAPIC is told about EOIs and
 * the bus's map is rebuilt after it is released. Fields before @lock are
 * set at creation (@ops and @vendor by vlapic_set_ops(), under @lock).
 */
struct vlapic {
	struct vlapic_bus *bus;
	unsigned int index;
	u32 initial_id;
	const struct vlapic_clock *clock;
	const struct vlapic_ops *ops;
	void *vendor;
	void *regs;

	raw_spinlock_t lock;

	u64 apic_base;
	/* Errors seen since the last ESR write; the write latches them. */
	u32 esr_pending;
	/* Highest IRR/ISR vector, -1 when empty: derived, see recalc. */
	int highest_irr;
	int highest_isr;
	u32 pending_events;
	u8 sipi_vector;
	u8 lint_levels;
	enum vlapic_mp_state mp_state;
	struct vlapic_timer timer;
	struct vlapic_stats stats;
};

/**
 * struct vlapic_map - the bus's destination lookup, rebuilt when an ID,
 * LDR, DFR, mode or enable bit changes; read under RCU.
 * @max_id: highest index valid in @phys.
 * @phys_complete: every enabled vLAPIC has a unique ID <= @max_id, so a
 *	physical lookup that finds nothing means "no destination".
 * @logical: how logical destinations are resolved (enum below).
 * @flat: xAPIC flat model: the vLAPIC owning each of the 8 LDR bits.
 * @cluster: xAPIC cluster model: [cluster 0-15][bit 0-3].
 *
 * Invariant: in @flat and @cluster a vLAPIC owns at most one slot (a
 * logical ID with several bits makes @logical VLAPIC_MAP_LOGICAL_SLOW),
 * so a lookup visits every target once.
 * @rcu: frees a replaced map after a grace period.
 * @phys: physical ID -> vLAPIC (NULL: none).
 */
struct vlapic_map {
	u32 max_id;
	bool phys_complete;
	u8 logical;
	struct vlapic *flat[8];
	struct vlapic *cluster[16][4];
	struct rcu_head rcu;
	struct vlapic *phys[];
};

enum {
	VLAPIC_MAP_LOGICAL_NONE,	/* no enabled vLAPIC */
	VLAPIC_MAP_LOGICAL_FLAT,
	VLAPIC_MAP_LOGICAL_CLUSTER,
	VLAPIC_MAP_LOGICAL_X2APIC,	/* derived from the IDs: use @phys */
	VLAPIC_MAP_LOGICAL_SLOW,	/* mixed modes or shared bits: scan */
};

/**
 * struct vlapic_bus - the APIC bus of one VM.
 * @ops: the owner's callbacks.
 * @owner: the owner (the VM).
 * @config: features of every vLAPIC on the bus.
 * @max_vlapics: number of slots in @vlapics.
 * @map_lock: serializes map rebuilds and vLAPIC (un)registration.
 * @map: current lookup; NULL or stale means "scan every vLAPIC".
 * @map_dirty: a vLAPIC changed something the map depends on.
 * @lowest_rr: where the next lowest-priority tie-break starts.
 * @vlapics: registered vLAPICs by index, published with rcu_assign.
 */
struct vlapic_bus {
	const struct vlapic_bus_ops *ops;
	void *owner;
	struct vlapic_config config;
	unsigned int max_vlapics;

	struct mutex map_lock;	/* see above */
	struct vlapic_map __rcu *map;
	atomic_t map_dirty;
	atomic_t lowest_rr;
	struct vlapic __rcu *vlapics[];
};

/* Register page accessors. The page is only touched with @lock held. */
static inline u32 vlapic_reg(struct vlapic *vlapic, u32 off)
{
	return *(u32 *)(vlapic->regs + off);
}

static inline void vlapic_set_reg(struct vlapic *vlapic, u32 off, u32 val)
{
	*(u32 *)(vlapic->regs + off) = val;
}

/* IRR, ISR and TMR: 8 words of 32 bits at a 16-byte stride. */
static inline u32 *vlapic_vec_word(struct vlapic *vlapic, u32 base, u8 vec)
{
	return (u32 *)(vlapic->regs + base + (vec >> 5) * 16);
}

static inline bool vlapic_vec_test(struct vlapic *vlapic, u32 base, u8 vec)
{
	return *vlapic_vec_word(vlapic, base, vec) & BIT(vec & 31);
}

/*
 * Atomic (a locked bit set on the word and the reserved one after it, 8
 * bytes aligned): with VMX virtual-interrupt delivery the register page is
 * the virtual-APIC page, which the CPU updates (VIRR, VISR) while the
 * guest runs on another CPU; a plain read-modify-write here could undo
 * its change.
 */
static inline void vlapic_vec_set(struct vlapic *vlapic, u32 base, u8 vec)
{
	set_bit(vec & 31, (unsigned long *)vlapic_vec_word(vlapic, base, vec));
}

static inline void vlapic_vec_clear(struct vlapic *vlapic, u32 base, u8 vec)
{
	*vlapic_vec_word(vlapic, base, vec) &= ~BIT(vec & 31);
}

static inline bool vlapic_sw_enabled(struct vlapic *vlapic)
{
	return vlapic_reg(vlapic, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

static inline bool vlapic_hw_enabled(struct vlapic *vlapic)
{
	return vlapic->apic_base & VLAPIC_BASE_ENABLE;
}

static inline bool vlapic_is_x2apic(struct vlapic *vlapic)
{
	return vlapic->apic_base & VLAPIC_BASE_X2APIC;
}

static inline const struct vlapic_config *vlapic_cfg(struct vlapic *vlapic)
{
	return &vlapic->bus->config;
}

/* lapic/irq.c */
int vlapic_find_highest(struct vlapic *vlapic, u32 base);
void vlapic_recalc(struct vlapic *vlapic);
u8 vlapic_compute_ppr(struct vlapic *vlapic);
void vlapic_update_ppr(struct vlapic *vlapic);
void vlapic_set_error(struct vlapic *vlapic, u32 esr_bit);
/* What accepting one message did (vlapic_accept_locked() and friends). */
#define VLAPIC_ACCEPTED	BIT(0)	/* latched: an EOI or the event follows */
#define VLAPIC_KICK	BIT(1)	/* something new is pending: kick the vCPU */

unsigned int vlapic_accept_locked(struct vlapic *vlapic,
				  const struct vlapic_irq *irq);
unsigned int vlapic_accept_msg_locked(struct vlapic *vlapic,
				      const struct vlapic_irq *irq);
bool vlapic_accept(struct vlapic *vlapic, const struct vlapic_irq *irq);
bool vlapic_deliver_lvt(struct vlapic *vlapic, u32 lvt_off);
bool vlapic_lint_eval_level(struct vlapic *vlapic, unsigned int pin);
int vlapic_eoi_locked(struct vlapic *vlapic, int vector);
void vlapic_eoi_notify(struct vlapic *vlapic, int vector);
void vlapic_sync_posted(struct vlapic *vlapic);
void vlapic_set_tpr_locked(struct vlapic *vlapic, u8 tpr);

/* lapic/regs.c */
bool vlapic_reg_saved(u32 off);
bool vlapic_lvt_mode_valid(u32 off, u32 lvt);
void vlapic_write_svr(struct vlapic *vlapic, u32 val);
enum vlapic_access vlapic_set_apic_base_locked(struct vlapic *vlapic, u64 val,
					       bool host);

/* lapic/state.c */
enum vlapic_reset_kind {
	VLAPIC_RESET_POWER_ON,
	VLAPIC_RESET_INIT,
	VLAPIC_RESET_DISABLE,	/* IA32_APIC_BASE.EN cleared */
};

void vlapic_reset_locked(struct vlapic *vlapic, enum vlapic_reset_kind kind);

/* lapic/bus.c */
void vlapic_bus_mark_dirty(struct vlapic_bus *bus);
void vlapic_bus_update_map(struct vlapic_bus *bus);
bool vlapic_bus_register(struct vlapic_bus *bus, struct vlapic *vlapic);
void vlapic_bus_unregister(struct vlapic_bus *bus, struct vlapic *vlapic);
void vlapic_send_ipi(struct vlapic *vlapic, u32 icr_low, u32 dest,
		     bool x2apic);

/* lapic/timer.c */
void vlapic_timer_init(struct vlapic *vlapic);
void vlapic_timer_shutdown(struct vlapic *vlapic);
void vlapic_timer_reset(struct vlapic *vlapic);
void vlapic_timer_write_lvt(struct vlapic *vlapic, u32 val);
void vlapic_timer_write_icr(struct vlapic *vlapic, u32 count);
void vlapic_timer_write_dcr(struct vlapic *vlapic, u32 val);
u32 vlapic_timer_current_count(struct vlapic *vlapic);
bool vlapic_timer_catch_up(struct vlapic *vlapic);
u64 vlapic_timer_read_deadline(struct vlapic *vlapic);
void vlapic_timer_write_deadline(struct vlapic *vlapic, u64 deadline);
void vlapic_timer_restore(struct vlapic *vlapic, u32 current_count,
			  u64 tsc_deadline);

static inline void vlapic_stat_inc(struct vlapic *vlapic,
				   enum vlapic_stat_id id)
{
	lockdep_assert_held(&vlapic->lock);
	WRITE_ONCE(vlapic->stats.v[id], vlapic->stats.v[id] + 1);
}

#endif /* _VLAPIC_LAPIC_PRIV_H */
