// SPDX-License-Identifier: GPL-2.0
/*
 * GSI routing: the VMM raises GSIs; a table it sets as a whole maps each
 * GSI to IOAPIC pins or to one MSI. Injection reads the table under RCU
 * and never blocks; an update builds a new table and swaps it in.
 */

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include <vlapic/export.h>

#include "ioapic_priv.h"
#include "ioapic_trace.h"

/**
 * struct vlapic_route_table - one immutable routing table.
 * @nr_routes: entries in @routes.
 * @first: the routes of GSI g are @routes[@first[g]] .. @routes[@first[g + 1]
 *	- 1].
 * @routes: sorted by GSI.
 */
struct vlapic_route_table {
	u32 nr_routes;
	u32 first[VLAPIC_MAX_GSI + 1];
	struct vlapic_route routes[];
};

/**
 * struct vlapic_router - the GSI router of one VM.
 * @ioapic: target of IOAPIC routes (may be NULL). Constant.
 * @ops: where MSIs go. Constant.
 * @owner: passed back to @ops. Constant.
 * @update_lock: serializes table updates; the writer side of @table.
 * @table: the current table. Readers (injection) use RCU only: they never
 *	block, and a table is freed only after a grace period following its
 *	replacement.
 * @msi: MSIs by enum vlapic_msi_verdict, per CPU (the injection hot path
 *	must not bounce a shared cache line); summed when read.
 */
struct vlapic_router {
	struct vlapic_ioapic *ioapic;
	const struct vlapic_irq_ops *ops;
	void *owner;

	struct mutex update_lock;	/* see the kernel-doc above */
	struct vlapic_route_table __rcu *table;
	struct vlapic_router_pcpu __percpu *msi;
};

struct vlapic_router_pcpu {
	u64 msi[VLAPIC_MSI_NR_VERDICTS];
};

static int route_cmp(const void *a, const void *b)
{
	const struct vlapic_route *x = a, *y = b;

	if (x->gsi != y->gsi)
		return x->gsi < y->gsi ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->pin != y->pin)
		return x->pin < y->pin ? -1 : 1;
	if (x->msi_address != y->msi_address)
		return x->msi_address < y->msi_address ? -1 : 1;
	if (x->msi_data != y->msi_data)
		return x->msi_data < y->msi_data ? -1 : 1;
	return 0;
}

static int route_check(struct vlapic_router *router,
		       const struct vlapic_route *r)
{
	if (r->gsi >= VLAPIC_MAX_GSI || r->flags || r->pad)
		return -EINVAL;
	switch (r->type) {
	case VLAPIC_ROUTE_IOAPIC:
		if (!router->ioapic || r->pin >= VLAPIC_IOAPIC_NUM_PINS ||
		    r->msi_address || r->msi_data)
			return -EINVAL;
		return 0;
	case VLAPIC_ROUTE_MSI:
		return r->pin ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/*
 * Build a table from @routes, checked whole: any bad entry, a duplicate or
 * an MSI sharing its GSI with another entry rejects it.
 */
static struct vlapic_route_table *
route_table_build(struct vlapic_router *router,
		  const struct vlapic_route *routes, unsigned int nr)
{
	struct vlapic_route_table *t;
	unsigned int i, g;
	int ret;

	if (nr > VLAPIC_MAX_ROUTES || (nr && !routes))
		return ERR_PTR(-EINVAL);
	for (i = 0; i < nr; i++) {
		ret = route_check(router, &routes[i]);
		if (ret)
			return ERR_PTR(ret);
	}
	/*
	 * Sized by userspace and kept: charged to its memcg, and a failure
	 * is its -ENOMEM, not a warning.
	 */
	t = kvzalloc(struct_size(t, routes, nr),
		     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->nr_routes = nr;
	if (nr)
		memcpy(t->routes, routes, nr * sizeof(*routes));
	sort(t->routes, nr, sizeof(*routes), route_cmp, NULL);
	for (i = 1; i < nr; i++) {
		const struct vlapic_route *a = &t->routes[i - 1];
		const struct vlapic_route *b = &t->routes[i];

		if (a->gsi != b->gsi)
			continue;
		if (!route_cmp(a, b) || a->type == VLAPIC_ROUTE_MSI ||
		    b->type == VLAPIC_ROUTE_MSI) {
			kvfree(t);
			return ERR_PTR(-EINVAL);
		}
	}
	/* first[g] = index of the first route with gsi >= g. */
	for (g = 0, i = 0; g <= VLAPIC_MAX_GSI; g++) {
		while (i < nr && t->routes[i].gsi < g)
			i++;
		t->first[g] = i;
	}
	return t;
}

/* Swap @t in; the old table is freed once no reader can see it. */
static void route_table_install(struct vlapic_router *router,
				struct vlapic_route_table *t)
{
	struct vlapic_route_table *old;

	mutex_lock(&router->update_lock);
	old = rcu_replace_pointer(router->table, t,
				  lockdep_is_held(&router->update_lock));
	mutex_unlock(&router->update_lock);
	synchronize_rcu();
	kvfree(old);
}

/**
 * vlapic_router_create() - create a router with the default routing.
 * @ioapic: the IOAPIC that IOAPIC routes raise, or NULL (then no IOAPIC
 *	route is accepted). Must outlive the router.
 * @ops: where MSIs go; @ops->deliver is mandatory. Must outlive the
 *	router.
 * @owner: passed back to @ops.
 *
 * The default table routes GSI n to IOAPIC pin n for every pin (none
 * without @ioapic).
 *
 * Context: process context; allocates.
 * Return: the router, ERR_PTR(-EINVAL) or ERR_PTR(-ENOMEM).
 */
struct vlapic_router *vlapic_router_create(struct vlapic_ioapic *ioapic,
					   const struct vlapic_irq_ops *ops,
					   void *owner)
{
	struct vlapic_route defaults[VLAPIC_IOAPIC_NUM_PINS];
	struct vlapic_route_table *t;
	struct vlapic_router *router;
	unsigned int i, nr = 0;

	if (!ops || !ops->deliver)
		return ERR_PTR(-EINVAL);
	/*
	 * One per VM, which userspace creates: charged to its memcg. A
	 * failed percpu allocation would dump a stack unless told not to;
	 * here it is only the creator's -ENOMEM.
	 */
	router = kzalloc(sizeof(*router), GFP_KERNEL_ACCOUNT);
	if (!router)
		return ERR_PTR(-ENOMEM);
	router->msi = alloc_percpu_gfp(struct vlapic_router_pcpu,
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!router->msi) {
		kfree(router);
		return ERR_PTR(-ENOMEM);
	}
	router->ioapic = ioapic;
	router->ops = ops;
	router->owner = owner;
	mutex_init(&router->update_lock);

	memset(defaults, 0, sizeof(defaults));
	for (i = 0; ioapic && i < VLAPIC_IOAPIC_NUM_PINS; i++, nr++) {
		defaults[i].gsi = i;
		defaults[i].type = VLAPIC_ROUTE_IOAPIC;
		defaults[i].pin = i;
	}
	t = route_table_build(router, defaults, nr);
	if (IS_ERR(t)) {
		free_percpu(router->msi);
		kfree(router);
		return ERR_CAST(t);
	}
	RCU_INIT_POINTER(router->table, t);
	return router;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_create);

/**
 * vlapic_router_destroy() - free a router.
 * @router: the router, or NULL.
 *
 * The caller guarantees no other call on @router runs or follows.
 *
 * Context: process context.
 */
void vlapic_router_destroy(struct vlapic_router *router)
{
	if (!router)
		return;
	kvfree(rcu_dereference_protected(router->table, true));
	mutex_destroy(&router->update_lock);
	free_percpu(router->msi);
	kfree(router);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_destroy);

/**
 * vlapic_router_set_routes() - replace the whole routing table.
 * @router: the router.
 * @routes: @nr entries (struct vlapic_route), in any order; copied.
 * @nr: 0 (nothing routed) to VLAPIC_MAX_ROUTES.
 *
 * The table is checked whole first. Injections running concurrently use
 * the old table or the new one, never a mix; once this returns none uses
 * the old one.
 *
 * Context: process context; sleeps (allocates, waits for a grace period).
 * Takes @router's update mutex.
 * Return: 0, -EINVAL (a bad entry, duplicate, MSI sharing a GSI, too
 * many) or -ENOMEM; on error the old table stays.
 */
int vlapic_router_set_routes(struct vlapic_router *router,
			     const struct vlapic_route *routes,
			     unsigned int nr)
{
	struct vlapic_route_table *t;

	might_sleep();
	t = route_table_build(router, routes, nr);
	if (IS_ERR(t))
		return PTR_ERR(t);
	route_table_install(router, t);
	return 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_set_routes);

/**
 * vlapic_router_get_routes() - copy out the current table.
 * @router: the router.
 * @routes: room for @max entries, sorted by GSI on return.
 * @max: size of @routes.
 *
 * Context: process context; takes @router's update mutex.
 * Return: the number of entries, or -E2BIG (nothing copied) if more than
 * @max.
 */
int vlapic_router_get_routes(struct vlapic_router *router,
			     struct vlapic_route *routes, unsigned int max)
{
	struct vlapic_route_table *t;
	int ret;

	mutex_lock(&router->update_lock);
	t = rcu_dereference_protected(router->table,
				      lockdep_is_held(&router->update_lock));
	ret = t->nr_routes;
	if (t->nr_routes > max)
		ret = -E2BIG;
	else if (t->nr_routes)
		memcpy(routes, t->routes, t->nr_routes * sizeof(*routes));
	mutex_unlock(&router->update_lock);
	return ret;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_get_routes);

/**
 * vlapic_router_ioapic_pin() - the IOAPIC pin a GSI is routed to.
 * @router: the router.
 * @gsi: the GSI.
 *
 * Looks the GSI up in place: no copy of the table, so nothing to allocate.
 *
 * Context: process context; takes @router's update mutex.
 * Return: the pin of @gsi's first IOAPIC route (lowest pin), or -EINVAL
 * if @gsi has none.
 */
int vlapic_router_ioapic_pin(struct vlapic_router *router, u32 gsi)
{
	struct vlapic_route_table *t;
	int pin = -EINVAL;
	unsigned int i;

	if (gsi >= VLAPIC_MAX_GSI)
		return -EINVAL;
	gsi = array_index_nospec(gsi, VLAPIC_MAX_GSI);
	mutex_lock(&router->update_lock);
	t = rcu_dereference_protected(router->table,
				      lockdep_is_held(&router->update_lock));
	for (i = t->first[gsi]; i < t->first[gsi + 1]; i++) {
		if (t->routes[i].type == VLAPIC_ROUTE_IOAPIC) {
			pin = t->routes[i].pin;
			break;
		}
	}
	mutex_unlock(&router->update_lock);
	return pin;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_ioapic_pin);

static bool router_send_msi(struct vlapic_router *router, u64 address,
			    u32 data)
{
	enum vlapic_msi_verdict verdict;
	struct vlapic_irq irq;

	verdict = vlapic_msi_decode(address, data, &irq);
	if (WARN_ON_ONCE(verdict >= VLAPIC_MSI_NR_VERDICTS))
		return false;
	this_cpu_inc(router->msi->msi[verdict]);
	trace_vlapic_msi(address, data, verdict);
	if (verdict != VLAPIC_MSI_OK)
		return false;
	router->ops->deliver(router->owner, &irq);
	return true;
}

/**
 * vlapic_router_set_irq_source() - a source drives a GSI.
 * @router: the router.
 * @gsi: below VLAPIC_MAX_GSI.
 * @source: the IOAPIC source (VLAPIC_IRQ_SOURCE_*, or an ID from
 *	vlapic_ioapic_alloc_source()); below VLAPIC_IRQ_SOURCES.
 * @level: IOAPIC routes: @source drives the pin's input signal high; MSI
 *	routes: true sends the message, false does nothing.
 *
 * Context: any; never blocks (RCU read side, then the IOAPIC's lock).
 * Return: the number of routes of @gsi (0: unrouted), or -EINVAL for a
 * bad @gsi or @source.
 */
int vlapic_router_set_irq_source(struct vlapic_router *router, u32 gsi,
				 unsigned int source, bool level)
{
	const struct vlapic_route_table *t;
	const struct vlapic_route *r;
	unsigned int i;
	int hit = 0;

	if (gsi >= VLAPIC_MAX_GSI || source >= VLAPIC_IRQ_SOURCES)
		return -EINVAL;
	/* The VMM's (or an irqfd's) GSI indexes first[]. */
	gsi = array_index_nospec(gsi, VLAPIC_MAX_GSI);
	rcu_read_lock();
	t = rcu_dereference(router->table);
	for (i = t->first[gsi]; i < t->first[gsi + 1]; i++, hit++) {
		r = &t->routes[i];
		if (r->type == VLAPIC_ROUTE_IOAPIC)
			vlapic_ioapic_set_source(router->ioapic, r->pin, source,
						 level);
		else if (level)
			router_send_msi(router, r->msi_address, r->msi_data);
	}
	rcu_read_unlock();
	return hit;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_set_irq_source);

/**
 * vlapic_router_set_irq() - the VMM drives a GSI.
 * @router: the router.
 * @gsi: below VLAPIC_MAX_GSI.
 * @level: IOAPIC routes: the pin's input signal is high; MSI routes: true
 *	sends the message, false does nothing.
 *
 * vlapic_router_set_irq_source() for VLAPIC_IRQ_SOURCE_VMM.
 *
 * Context: any; never blocks (RCU read side, then the IOAPIC's lock).
 * Return: the number of routes of @gsi (0: unrouted), or -EINVAL for a
 * bad @gsi.
 */
int vlapic_router_set_irq(struct vlapic_router *router, u32 gsi, bool level)
{
	return vlapic_router_set_irq_source(router, gsi, VLAPIC_IRQ_SOURCE_VMM,
					    level);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_set_irq);

/**
 * vlapic_router_routes_pin() - whether a GSI is routed to an IOAPIC pin.
 * @router: the router.
 * @gsi: the GSI.
 * @pin: the IOAPIC pin.
 *
 * What the table says now, not when anything was bound to @gsi: a
 * resampler asks it for every EOI.
 *
 * Context: any; never blocks (RCU read side).
 * Return: true when @gsi has an IOAPIC route to @pin.
 */
bool vlapic_router_routes_pin(struct vlapic_router *router, u32 gsi,
			      unsigned int pin)
{
	const struct vlapic_route_table *t;
	bool found = false;
	unsigned int i;

	if (gsi >= VLAPIC_MAX_GSI)
		return false;
	gsi = array_index_nospec(gsi, VLAPIC_MAX_GSI);
	rcu_read_lock();
	t = rcu_dereference(router->table);
	for (i = t->first[gsi]; i < t->first[gsi + 1] && !found; i++)
		found = t->routes[i].type == VLAPIC_ROUTE_IOAPIC &&
			t->routes[i].pin == pin;
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_routes_pin);

/**
 * vlapic_router_send_msi() - send an MSI that is not in the table.
 * @router: the router.
 * @address: message address.
 * @data: message data.
 *
 * Decoded by vlapic_msi_decode(); a malformed message is ignored and
 * counted by verdict.
 *
 * Context: any.
 * Return: true if the message was sent.
 */
bool vlapic_router_send_msi(struct vlapic_router *router, u64 address,
			    u32 data)
{
	return router_send_msi(router, address, data);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_send_msi);

/* Decoded MSIs a batch hands to the bus at once (on the stack). */
#define ROUTER_BATCH	32

/* Send the @n messages decoded so far, in order. */
static void router_flush(struct vlapic_router *router, struct vlapic_irq *irqs,
			 unsigned int *n)
{
	unsigned int i;

	if (!*n)
		return;
	if (router->ops->deliver_batch)
		router->ops->deliver_batch(router->owner, irqs, *n);
	else
		for (i = 0; i < *n; i++)
			router->ops->deliver(router->owner, &irqs[i]);
	*n = 0;
}

/**
 * vlapic_router_inject() - apply the entries of a batch, in order.
 * @router: the router.
 * @ents: @nr entries, every one already validated by the caller
 *	(VLAPIC_INJECT_MSI or VLAPIC_INJECT_LINE with a GSI in range).
 * @nr: how many.
 * @counts: filled: MSIs sent, MSIs ignored, LINE entries applied.
 *
 * Each MSI entry has the effect of vlapic_router_send_msi(), each LINE
 * entry that of vlapic_router_set_irq(), in the order of @ents. Up to
 * ROUTER_BATCH consecutive MSIs are decoded, counted and traced first,
 * then sent with one @ops->deliver_batch call: a LINE entry sends the
 * MSIs before it first. While the vlapic_msi event is traced every MSI is
 * sent on its own, so that its trace event stays next to those of its
 * delivery. The per-CPU verdict counters are added once per call.
 *
 * Context: any; never blocks.
 */
void vlapic_router_inject(struct vlapic_router *router,
			  const struct vlapic_inject *ents, unsigned int nr,
			  struct vlapic_inject_counts *counts)
{
	u32 verdicts[VLAPIC_MSI_NR_VERDICTS] = {};
	struct vlapic_irq irqs[ROUTER_BATCH];
	enum vlapic_msi_verdict verdict;
	unsigned int i, n = 0;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < nr; i++) {
		const struct vlapic_inject *e = &ents[i];

		if (e->type != VLAPIC_INJECT_MSI) {
			router_flush(router, irqs, &n);
			if (vlapic_router_set_irq(router, e->gsi, e->level) >= 0)
				counts->lines++;
			continue;
		}
		verdict = vlapic_msi_decode(e->msi_address, e->msi_data,
					    &irqs[n]);
		if (WARN_ON_ONCE(verdict >= VLAPIC_MSI_NR_VERDICTS)) {
			counts->ignored++;
			continue;
		}
		verdicts[verdict]++;
		trace_vlapic_msi(e->msi_address, e->msi_data, verdict);
		if (verdict != VLAPIC_MSI_OK) {
			counts->ignored++;
			continue;
		}
		counts->msis++;
		if (++n == ROUTER_BATCH || trace_vlapic_msi_enabled())
			router_flush(router, irqs, &n);
	}
	router_flush(router, irqs, &n);
	for (i = 0; i < VLAPIC_MSI_NR_VERDICTS; i++)
		if (verdicts[i])
			this_cpu_add(router->msi->msi[i], verdicts[i]);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_inject);

/**
 * vlapic_router_get_stats() - snapshot of the MSI counters.
 * @router: the router.
 * @stats: filled.
 *
 * Context: any.
 */
void vlapic_router_get_stats(struct vlapic_router *router,
			     struct vlapic_router_stats *stats)
{
	unsigned int i, cpu;

	memset(stats, 0, sizeof(*stats));
	for_each_possible_cpu(cpu)
		for (i = 0; i < VLAPIC_MSI_NR_VERDICTS; i++)
			stats->msi[i] += READ_ONCE(per_cpu_ptr(router->msi,
							       cpu)->msi[i]);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_router_get_stats);
