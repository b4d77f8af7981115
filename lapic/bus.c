// SPDX-License-Identifier: GPL-2.0
/*
 * The APIC bus of one VM: destination matching, the APIC-ID map, lowest-
 * priority arbitration, IPIs.
 *
 * Delivery runs under rcu_read_lock() and takes each target's lock in
 * turn, never two at once. Physical unicast is one array lookup in the
 * map; logical delivery walks only the destination bits. When the map
 * cannot answer (mixed logical models, shared logical bits, duplicate or
 * huge IDs, a rebuild that could not allocate) delivery scans every vLAPIC
 * and matches each one: slower, never wrong.
 */

#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include <vlapic/export.h>
#include "lapic_priv.h"
#include "lapic_trace.h"

/**
 * vlapic_bus_create() - create the APIC bus of a VM.
 * @max_vlapics: number of vLAPIC slots (indices 0 .. max_vlapics - 1)
 * @config: features offered to every vLAPIC on the bus
 * @ops: owner callbacks; @ops->kick is mandatory
 * @owner: returned by vlapic_bus_owner()
 *
 * Return: the bus, or an ERR_PTR (-EINVAL, -ENOMEM).
 */
struct vlapic_bus *vlapic_bus_create(unsigned int max_vlapics,
				     const struct vlapic_config *config,
				     const struct vlapic_bus_ops *ops,
				     void *owner)
{
	struct vlapic_bus *bus;

	if (!max_vlapics || max_vlapics > VLAPIC_MAX_MAP_ID + 1 || !ops ||
	    !ops->kick || !config)
		return ERR_PTR(-EINVAL);
	/* Sized by userspace's vCPU count: a failure is its -ENOMEM. */
	bus = kzalloc(struct_size(bus, vlapics, max_vlapics),
		      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!bus)
		return ERR_PTR(-ENOMEM);
	bus->ops = ops;
	bus->owner = owner;
	bus->config = *config;
	if (!bus->config.bus_cycle_ns)
		bus->config.bus_cycle_ns = 1;
	if (!bus->config.tsc_khz)
		bus->config.tsc_khz = 1000000;
	bus->max_vlapics = max_vlapics;
	mutex_init(&bus->map_lock);
	return bus;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_bus_create);

/**
 * vlapic_bus_destroy() - free a bus whose vLAPICs are all destroyed.
 * @bus: the bus (NULL is allowed)
 */
void vlapic_bus_destroy(struct vlapic_bus *bus)
{
	unsigned int i;

	if (!bus)
		return;
	for (i = 0; i < bus->max_vlapics; i++)
		WARN_ON_ONCE(rcu_access_pointer(bus->vlapics[i]));
	kvfree(rcu_dereference_protected(bus->map, true));	/* kvzalloc'd */
	mutex_destroy(&bus->map_lock);
	kfree(bus);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_bus_destroy);

/**
 * vlapic_bus_owner() - the owner given at creation.
 * @bus: the bus
 *
 * Return: the owner pointer.
 */
void *vlapic_bus_owner(struct vlapic_bus *bus)
{
	return bus->owner;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_bus_owner);

/**
 * vlapic_bus_mark_dirty() - the map no longer describes the vLAPICs.
 * @bus: the bus
 *
 * Called with a vLAPIC lock held when an ID, LDR, DFR or APIC_BASE
 * changes; vlapic_bus_update_map() rebuilds once the lock is released.
 * Until then delivery uses the stale map only where it cannot be wrong:
 * a dirty map is bypassed.
 */
void vlapic_bus_mark_dirty(struct vlapic_bus *bus)
{
	atomic_set(&bus->map_dirty, 1);
}

/* What the map needs from one vLAPIC, read under its lock. */
struct vlapic_snap {
	bool enabled;
	bool x2apic;
	u32 id;
	u32 ldr;
	u32 dfr;
};

static void vlapic_snapshot(struct vlapic *vlapic, struct vlapic_snap *s)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vlapic->lock, flags);
	s->enabled = vlapic_hw_enabled(vlapic);
	s->x2apic = vlapic_is_x2apic(vlapic);
	s->id = vlapic_reg(vlapic, APIC_ID);
	if (!s->x2apic)
		s->id >>= 24;
	s->ldr = vlapic_reg(vlapic, APIC_LDR);
	s->dfr = vlapic_reg(vlapic, APIC_DFR);
	raw_spin_unlock_irqrestore(&vlapic->lock, flags);
}

static u8 vlapic_snap_logical_mode(const struct vlapic_snap *s)
{
	if (s->x2apic)
		return VLAPIC_MAP_LOGICAL_X2APIC;
	switch (s->dfr >> 28) {
	case 0xf:
		return VLAPIC_MAP_LOGICAL_FLAT;
	case 0x0:
		return VLAPIC_MAP_LOGICAL_CLUSTER;
	default:
		return VLAPIC_MAP_LOGICAL_SLOW;
	}
}

/* Claim a logical slot; a shared slot sends logical delivery to a scan. */
static void vlapic_map_claim(struct vlapic_map *map, struct vlapic **slot,
			     struct vlapic *vlapic)
{
	if (*slot)
		map->logical = VLAPIC_MAP_LOGICAL_SLOW;
	else
		*slot = vlapic;
}

/*
 * Invariant of the flat and cluster tables: a vLAPIC owns at most one
 * slot, so that resolving a destination visits each target once. A
 * logical ID with several bits (one vLAPIC answering to several bits of
 * a destination) sends logical delivery to a scan, as a shared bit does.
 * Clusters 0-15 are all addressable (vlapic_match_dest() matches cluster
 * 15; only the destination 0xff is the broadcast).
 */
static void vlapic_map_add_logical(struct vlapic_map *map,
				   struct vlapic *vlapic,
				   const struct vlapic_snap *s)
{
	u32 lid = s->ldr >> 24;

	switch (map->logical) {
	case VLAPIC_MAP_LOGICAL_FLAT:
		if (hweight8(lid) > 1)
			map->logical = VLAPIC_MAP_LOGICAL_SLOW;
		else if (lid)
			vlapic_map_claim(map, &map->flat[__ffs(lid)], vlapic);
		break;
	case VLAPIC_MAP_LOGICAL_CLUSTER:
		if (hweight8(lid & 0xf) > 1)
			map->logical = VLAPIC_MAP_LOGICAL_SLOW;
		else if (lid & 0xf)
			vlapic_map_claim(map,
					 &map->cluster[lid >> 4][__ffs(lid & 0xf)],
					 vlapic);
		break;
	default:
		break;
	}
}

/*
 * Build a map of the registered vLAPICs. Returns NULL when it cannot
 * allocate; delivery then scans.
 */
static struct vlapic_map *vlapic_build_map(struct vlapic_bus *bus)
{
	struct vlapic_snap *snaps;
	struct vlapic_map *map = NULL;
	bool phys_ok = true;
	u32 max_id = 0;
	u8 mode = VLAPIC_MAP_LOGICAL_NONE;
	unsigned int i;

	lockdep_assert_held(&bus->map_lock);
	/*
	 * Sized by the VM's vCPU count and the guest's largest APIC ID,
	 * both userspace's choice: charged, and a failure only means that
	 * delivery scans.
	 */
	snaps = kvcalloc(bus->max_vlapics, sizeof(*snaps),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!snaps)
		return NULL;
	for (i = 0; i < bus->max_vlapics; i++) {
		struct vlapic *v = rcu_dereference_protected(bus->vlapics[i],
				lockdep_is_held(&bus->map_lock));
		u8 m;

		if (!v)
			continue;
		vlapic_snapshot(v, &snaps[i]);
		if (!snaps[i].enabled)
			continue;
		if (snaps[i].id > VLAPIC_MAX_MAP_ID)
			phys_ok = false;
		else
			max_id = max(max_id, snaps[i].id);
		m = vlapic_snap_logical_mode(&snaps[i]);
		if (mode == VLAPIC_MAP_LOGICAL_NONE)
			mode = m;
		else if (mode != m)
			mode = VLAPIC_MAP_LOGICAL_SLOW;
	}

	map = kvzalloc(struct_size(map, phys, max_id + 1),
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!map)
		goto out;
	map->max_id = max_id;
	map->logical = mode;
	map->phys_complete = phys_ok;
	for (i = 0; i < bus->max_vlapics; i++) {
		struct vlapic *v = rcu_dereference_protected(bus->vlapics[i],
				lockdep_is_held(&bus->map_lock));
		u32 id = snaps[i].id;

		if (!v || !snaps[i].enabled)
			continue;
		if (id <= max_id) {
			/* The ID is the guest's (APIC ID register). */
			id = array_index_nospec(id, max_id + 1);
			if (map->phys[id])
				map->phys_complete = false;	/* duplicate ID */
			else
				map->phys[id] = v;
		}
		vlapic_map_add_logical(map, v, &snaps[i]);
	}
out:
	kvfree(snaps);
	return map;
}

static void vlapic_map_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct vlapic_map, rcu));
}

static void vlapic_bus_rebuild(struct vlapic_bus *bus)
{
	struct vlapic_map *new, *old;

	lockdep_assert_held(&bus->map_lock);
	atomic_set(&bus->map_dirty, 0);
	new = vlapic_build_map(bus);
	old = rcu_replace_pointer(bus->map, new,
				  lockdep_is_held(&bus->map_lock));
	if (old)
		call_rcu(&old->rcu, vlapic_map_free_rcu);
	/* A failed build left NULL: delivery scans, the next change retries. */
}

/**
 * vlapic_bus_update_map() - rebuild the map if something changed.
 * @bus: the bus
 *
 * Process context, no vLAPIC lock held.
 */
void vlapic_bus_update_map(struct vlapic_bus *bus)
{
	might_sleep();
	if (!atomic_read(&bus->map_dirty))
		return;
	mutex_lock(&bus->map_lock);
	if (atomic_read(&bus->map_dirty))
		vlapic_bus_rebuild(bus);
	mutex_unlock(&bus->map_lock);
}

/**
 * vlapic_bus_register() - put a new vLAPIC on the bus.
 * @bus: the bus
 * @vlapic: the vLAPIC, fully initialized
 *
 * Return: false when the index is out of range or taken.
 */
bool vlapic_bus_register(struct vlapic_bus *bus, struct vlapic *vlapic)
{
	unsigned int index;
	bool ok = false;

	mutex_lock(&bus->map_lock);
	/* The index is userspace's (vCPU creation). */
	index = array_index_nospec(vlapic->index, bus->max_vlapics);
	if (vlapic->index < bus->max_vlapics &&
	    !rcu_access_pointer(bus->vlapics[index])) {
		rcu_assign_pointer(bus->vlapics[index], vlapic);
		vlapic_bus_rebuild(bus);
		ok = true;
	}
	mutex_unlock(&bus->map_lock);
	return ok;
}

/**
 * vlapic_bus_unregister() - take a vLAPIC off the bus.
 * @bus: the bus
 * @vlapic: the vLAPIC
 *
 * Returns after every delivery that could still see @vlapic has finished.
 */
void vlapic_bus_unregister(struct vlapic_bus *bus, struct vlapic *vlapic)
{
	mutex_lock(&bus->map_lock);
	RCU_INIT_POINTER(bus->vlapics[vlapic->index], NULL);
	vlapic_bus_rebuild(bus);
	mutex_unlock(&bus->map_lock);
	synchronize_rcu();
}

static u32 vlapic_reg_once(struct vlapic *vlapic, u32 off)
{
	return READ_ONCE(*(u32 *)(vlapic->regs + off));
}

static bool vlapic_irq_is_broadcast(const struct vlapic_irq *irq)
{
	return irq->x2apic_dest ? irq->dest_id == VLAPIC_X2APIC_BROADCAST :
				  (irq->dest_id & 0xff) == VLAPIC_XAPIC_BROADCAST;
}

/**
 * vlapic_match_dest() - does @target accept a message for @irq's
 * destination (shorthands excluded)?
 * @target: the vLAPIC
 * @irq: the message
 *
 * Physical: the APIC ID, or the broadcast ID. Logical, x2APIC target:
 * cluster (bits 31:16) equal and a common bit in 15:0. Logical, xAPIC
 * target: flat model, a common bit with LDR[31:24]; cluster model, equal
 * cluster nibble and a common bit in the low nibble; 0xff matches all.
 * Reads the target's registers without its lock: a concurrent ID change
 * is a race the guest made, and either answer is one hardware could give.
 *
 * Return: true when @target is a destination.
 */
bool vlapic_match_dest(struct vlapic *target, const struct vlapic_irq *irq)
{
	u64 base = READ_ONCE(target->apic_base);
	bool x2 = base & VLAPIC_BASE_X2APIC;
	u32 dest = irq->dest_id, ldr, lid, mda;

	if (!(base & VLAPIC_BASE_ENABLE))
		return false;
	if (vlapic_irq_is_broadcast(irq))
		return true;
	if (!irq->logical) {
		u32 id = vlapic_reg_once(target, APIC_ID);

		return dest == (x2 ? id : id >> 24);
	}
	ldr = vlapic_reg_once(target, APIC_LDR);
	if (x2) {
		if (!irq->x2apic_dest)
			return false;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	lid = ldr >> 24;
	mda = dest & 0xff;
	switch (vlapic_reg_once(target, APIC_DFR) >> 28) {
	case 0xf:
		return lid & mda;
	case 0x0:
		return (lid >> 4) == (mda >> 4) && (lid & mda & 0xf);
	default:
		return false;
	}
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_match_dest);

static void vlapic_visit_all(struct vlapic_bus *bus, struct vlapic *except,
			     bool match, const struct vlapic_irq *irq,
			     void (*visit)(struct vlapic *, void *), void *ctx)
{
	unsigned int i;

	for (i = 0; i < bus->max_vlapics; i++) {
		struct vlapic *v = rcu_dereference(bus->vlapics[i]);

		if (!v || v == except)
			continue;
		if (!(READ_ONCE(v->apic_base) & VLAPIC_BASE_ENABLE))
			continue;
		if (match && !vlapic_match_dest(v, irq))
			continue;
		visit(v, ctx);
	}
}

static void vlapic_visit_phys(struct vlapic_map *map, u32 id,
			      void (*visit)(struct vlapic *, void *), void *ctx)
{
	/* The destination is the guest's (ICR, MSI address, redirection). */
	if (id > map->max_id)
		return;
	id = array_index_nospec(id, map->max_id + 1);
	if (map->phys[id])
		visit(map->phys[id], ctx);
}

/* Resolve through the map. Returns false when a scan is needed. */
static bool vlapic_visit_map(struct vlapic_map *map,
			     const struct vlapic_irq *irq,
			     void (*visit)(struct vlapic *, void *), void *ctx)
{
	u32 dest = irq->dest_id;
	unsigned int bit;

	if (!irq->logical) {
		if (!map->phys_complete)
			return false;
		vlapic_visit_phys(map, dest, visit, ctx);
		return true;
	}
	switch (map->logical) {
	case VLAPIC_MAP_LOGICAL_NONE:
		return true;
	case VLAPIC_MAP_LOGICAL_X2APIC:
		if (!irq->x2apic_dest || !map->phys_complete)
			return false;
		for (bit = 0; bit < 16; bit++)
			if (dest & BIT(bit))
				vlapic_visit_phys(map, ((dest >> 16) << 4) | bit,
						  visit, ctx);
		return true;
	case VLAPIC_MAP_LOGICAL_FLAT:
		for (bit = 0; bit < 8; bit++)
			if ((dest & BIT(bit)) && map->flat[bit])
				visit(map->flat[bit], ctx);
		return true;
	case VLAPIC_MAP_LOGICAL_CLUSTER:
		for (bit = 0; bit < 4; bit++)
			if ((dest & BIT(bit)) &&
			    map->cluster[(dest >> 4) & 0xf][bit])
				visit(map->cluster[(dest >> 4) & 0xf][bit], ctx);
		return true;
	default:
		return false;
	}
}

/* Call @visit for every destination of @irq. Caller holds rcu_read_lock. */
static void vlapic_visit_dests(struct vlapic_bus *bus,
			       const struct vlapic_irq *irq,
			       struct vlapic *src,
			       void (*visit)(struct vlapic *, void *),
			       void *ctx)
{
	struct vlapic_map *map;

	switch (irq->shorthand) {
	case VLAPIC_SH_SELF:
		if (src)
			visit(src, ctx);
		return;
	case VLAPIC_SH_ALL:
		vlapic_visit_all(bus, NULL, false, irq, visit, ctx);
		return;
	case VLAPIC_SH_OTHERS:
		vlapic_visit_all(bus, src, false, irq, visit, ctx);
		return;
	default:
		break;
	}
	if (vlapic_irq_is_broadcast(irq)) {
		vlapic_visit_all(bus, NULL, false, irq, visit, ctx);
		return;
	}
	map = rcu_dereference(bus->map);
	if (map && !atomic_read(&bus->map_dirty) &&
	    vlapic_visit_map(map, irq, visit, ctx))
		return;
	vlapic_visit_all(bus, NULL, true, irq, visit, ctx);
}

struct vlapic_deliver_ctx {
	const struct vlapic_irq *irq;
	int count;
};

static void vlapic_visit_accept(struct vlapic *target, void *data)
{
	struct vlapic_deliver_ctx *ctx = data;

	if (vlapic_accept(target, ctx->irq))
		ctx->count++;
}

/*
 * Lowest priority: the destination with the lowest PPR wins among those
 * whose APIC is software-enabled (a disabled one would drop the vector);
 * ties rotate round-robin through a per-bus counter. Focus-processor
 * checking is not modelled (SVR bit 9 is kept but has no effect, as on
 * Pentium 4 and later processors).
 *
 * A chosen target can be software-disabled by its guest after the passes
 * read it and before it latches the vector; it then drops the message,
 * and the choice is made again without it (and without any earlier one
 * that dropped it), at most VLAPIC_LOWEST_TRIES times in all. Each try
 * excludes one more target, so a target that stays enabled is reached
 * within the bound whenever there are no more destinations than that.
 */
#define VLAPIC_LOWEST_TRIES	4

struct vlapic_lowest_ctx {
	u32 best_ppr;
	unsigned int ties;
	unsigned int pick;
	struct vlapic *fallback;
	struct vlapic *chosen;
	struct vlapic *dropped[VLAPIC_LOWEST_TRIES];
	unsigned int nr_dropped;
};

static u32 vlapic_arb_priority(const struct vlapic_lowest_ctx *ctx,
			       struct vlapic *target)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_dropped; i++)
		if (ctx->dropped[i] == target)
			return U32_MAX;
	if (!(vlapic_reg_once(target, APIC_SPIV) & APIC_SPIV_APIC_ENABLED))
		return U32_MAX;
	return vlapic_reg_once(target, APIC_PROCPRI) & 0xff;
}

static void vlapic_visit_lowest_min(struct vlapic *target, void *data)
{
	struct vlapic_lowest_ctx *ctx = data;
	u32 prio = vlapic_arb_priority(ctx, target);

	if (prio == U32_MAX)
		return;
	if (prio < ctx->best_ppr) {
		ctx->best_ppr = prio;
		ctx->ties = 1;
		ctx->fallback = target;
	} else if (prio == ctx->best_ppr) {
		ctx->ties++;
	}
}

static void vlapic_visit_lowest_pick(struct vlapic *target, void *data)
{
	struct vlapic_lowest_ctx *ctx = data;

	if (ctx->chosen || vlapic_arb_priority(ctx, target) != ctx->best_ppr)
		return;
	if (ctx->pick-- == 0)
		ctx->chosen = target;
}

/*
 * One arbitration: the priorities are read without the targets' locks,
 * twice (find the lowest and the ties, then pick one round robin); when
 * they changed in between so that the second pass finds no target at the
 * lowest priority, the target the first pass found wins rather than
 * nobody. Returns the winner, NULL when no destination is enabled.
 */
static struct vlapic *vlapic_lowest_arbitrate(struct vlapic_bus *bus,
					      const struct vlapic_irq *irq,
					      struct vlapic *src,
					      struct vlapic_lowest_ctx *low)
{
	low->best_ppr = U32_MAX;
	low->ties = 0;
	low->fallback = NULL;
	low->chosen = NULL;
	vlapic_visit_dests(bus, irq, src, vlapic_visit_lowest_min, low);
	if (!low->ties)
		return NULL;
	low->pick = (u32)atomic_inc_return(&bus->lowest_rr) % low->ties;
	vlapic_visit_dests(bus, irq, src, vlapic_visit_lowest_pick, low);
	return low->chosen ?: low->fallback;	/* fallback: PPRs moved */
}

/**
 * vlapic_bus_deliver() - deliver an interrupt message to its destinations.
 * @bus: the bus
 * @irq: the message
 * @src: the sending vLAPIC for IPIs (needed by shorthands), else NULL
 *
 * A lowest-priority message with at least one software-enabled target
 * is given to exactly one of them (vlapic_lowest_arbitrate()); when the
 * winner was software-disabled before it latched the vector, the
 * arbitration runs again without it, a bounded number of times (see
 * VLAPIC_LOWEST_TRIES), so a target disabled under the message does not
 * cost it while another one is enabled. An illegal vector (below 16) is
 * not retried: every target would refuse it alike.
 *
 * Any context; never sleeps.
 *
 * Return: the number of vLAPICs that accepted the message: a fixed or
 * lowest-priority vector set in IRR (or already pending there), an event
 * made pending. A target that dropped it (software disabled, illegal
 * vector, a SIPI it ignores) does not count.
 */
int vlapic_bus_deliver(struct vlapic_bus *bus, const struct vlapic_irq *irq,
		       struct vlapic *src)
{
	struct vlapic_deliver_ctx ctx = { .irq = irq };

	rcu_read_lock();
	if (irq->delivery_mode == APIC_DM_LOWEST &&
	    irq->shorthand != VLAPIC_SH_SELF) {
		struct vlapic_lowest_ctx low = { .nr_dropped = 0 };
		struct vlapic *winner;

		while ((winner = vlapic_lowest_arbitrate(bus, irq, src, &low))) {
			vlapic_visit_accept(winner, &ctx);
			if (ctx.count || irq->vector < 16 ||
			    low.nr_dropped == VLAPIC_LOWEST_TRIES - 1)
				break;
			low.dropped[low.nr_dropped++] = winner;
		}
	} else {
		vlapic_visit_dests(bus, irq, src, vlapic_visit_accept, &ctx);
	}
	rcu_read_unlock();
	return ctx.count;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_bus_deliver);

/*
 * The one vLAPIC a fixed, physical, non-broadcast message goes to, found
 * in the map exactly as vlapic_visit_dests() would find it. Returns false
 * when the message needs vlapic_bus_deliver() (another kind of message, or
 * a map that cannot answer); *@target is NULL when nobody has the ID.
 * Caller holds rcu_read_lock.
 */
static bool vlapic_fixed_phys_target(struct vlapic_bus *bus,
				     const struct vlapic_irq *irq,
				     struct vlapic **target)
{
	struct vlapic_map *map;

	if (irq->delivery_mode != APIC_DM_FIXED || irq->logical ||
	    irq->shorthand != VLAPIC_SH_NONE || vlapic_irq_is_broadcast(irq))
		return false;
	map = rcu_dereference(bus->map);
	if (!map || atomic_read(&bus->map_dirty) || !map->phys_complete)
		return false;
	*target = NULL;
	if (irq->dest_id <= map->max_id)
		*target = map->phys[array_index_nospec(irq->dest_id,
						       map->max_id + 1)];
	return true;
}

/**
 * vlapic_bus_deliver_batch() - deliver interrupt messages in order.
 * @bus: the bus
 * @irqs: @nr messages without a source (MSIs, IOAPIC messages): no
 *	shorthand
 * @nr: how many
 *
 * The same as vlapic_bus_deliver(@bus, &@irqs[i], NULL) for each message
 * in turn, with the same results (IRR, TMR, counters, ESR, posted
 * delivery, trace events, lowest-priority rotation), only cheaper:
 * consecutive fixed, physical messages to the same vLAPIC are accepted
 * under one hold of its lock, VLAPIC_BUS_BATCH_MAX at most (that bounds
 * the time with interrupts off), and its vCPU is kicked once after the
 * lock is released. Every other message goes through vlapic_bus_deliver()
 * with no vLAPIC lock held. As there, only one vLAPIC lock is held at a
 * time, and the map is looked at afresh for every message.
 *
 * Any context; never sleeps.
 *
 * Return: the sum of the numbers of vLAPICs that accepted each message.
 */
int vlapic_bus_deliver_batch(struct vlapic_bus *bus,
			     const struct vlapic_irq *irqs, unsigned int nr)
{
	unsigned int i = 0, run, res, one;
	struct vlapic *target, *next;
	unsigned long flags;
	int count = 0;

	rcu_read_lock();
	while (i < nr) {
		if (!vlapic_fixed_phys_target(bus, &irqs[i], &target)) {
			count += vlapic_bus_deliver(bus, &irqs[i++], NULL);
			continue;
		}
		if (!target) {
			i++;	/* no such APIC ID: nobody takes it */
			continue;
		}
		res = 0;
		run = 0;
		raw_spin_lock_irqsave(&target->lock, flags);
		do {
			one = vlapic_accept_msg_locked(target, &irqs[i++]);
			res |= one;
			count += !!(one & VLAPIC_ACCEPTED);
		} while (i < nr && ++run < VLAPIC_BUS_BATCH_MAX &&
			 vlapic_fixed_phys_target(bus, &irqs[i], &next) &&
			 next == target);
		raw_spin_unlock_irqrestore(&target->lock, flags);
		if (res & VLAPIC_KICK)
			bus->ops->kick(target);
	}
	rcu_read_unlock();
	return count;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_bus_deliver_batch);

/**
 * vlapic_send_ipi() - send the IPI a guest wrote to ICR or SELF IPI.
 * @vlapic: the sender (lock not held)
 * @icr_low: ICR bits 31:0
 * @dest: destination field (8 bits in xAPIC mode, 32 in x2APIC mode)
 * @x2apic: written through the x2APIC ICR
 */
void vlapic_send_ipi(struct vlapic *vlapic, u32 icr_low, u32 dest,
		     bool x2apic)
{
	struct vlapic_irq irq = {
		.dest_id = x2apic ? dest : dest & 0xff,
		.delivery_mode = icr_low & APIC_MODE_MASK,
		.vector = icr_low & APIC_VECTOR_MASK,
		.shorthand = (icr_low >> 18) & 3,
		.logical = icr_low & APIC_DEST_LOGICAL,
		.level = icr_low & APIC_INT_LEVELTRIG,
		.assert = icr_low & APIC_INT_ASSERT,
		.x2apic_dest = x2apic,
	};

	trace_vlapic_ipi(vlapic_id(vlapic), icr_low, dest, x2apic);
	/* Only INIT uses the level bits; everything else is an edge. */
	if (irq.delivery_mode != APIC_DM_INIT) {
		irq.level = false;
		irq.assert = true;
	}
	vlapic_bus_deliver(vlapic->bus, &irq, vlapic);
}
