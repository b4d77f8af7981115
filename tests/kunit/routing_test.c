// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_routing: the GSI routing table (default, IOAPIC and MSI routes,
 * validation) and its RCU swap while GSIs are being injected.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kmsg_dump.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <asm/apicdef.h>

#include <vlapic/ioapic.h>

MODULE_IMPORT_NS(VLAPIC_INTERNAL);

struct routing_ctx {
	struct vlapic_ioapic *ioapic;
	struct vlapic_router *router;
	spinlock_t lock;	/* @nr, @last, @by_vector */
	unsigned int nr;
	struct vlapic_irq last;
	unsigned int by_vector[256];
	/* Vectors in delivery order (the first 64), deliver_batch calls. */
	u8 seq[64];
	unsigned int batches;
	/* Deliver slowly, widening the RCU read side of an injection. */
	bool slow;
};

static int routing_deliver(void *owner, const struct vlapic_irq *irq)
{
	struct routing_ctx *ctx = owner;
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	ctx->nr++;
	ctx->last = *irq;
	ctx->by_vector[irq->vector]++;
	if (ctx->nr <= ARRAY_SIZE(ctx->seq))
		ctx->seq[ctx->nr - 1] = irq->vector;
	spin_unlock_irqrestore(&ctx->lock, flags);
	if (READ_ONCE(ctx->slow))
		ndelay(15 * NSEC_PER_USEC);	/* may not sleep: RCU read side */
	return 1;
}

static const struct vlapic_irq_ops routing_ops = {
	.deliver = routing_deliver,
};

static int routing_deliver_batch(void *owner, const struct vlapic_irq *irqs,
				 unsigned int nr)
{
	struct routing_ctx *ctx = owner;
	unsigned int i;
	int sum = 0;

	ctx->batches++;
	for (i = 0; i < nr; i++)
		sum += routing_deliver(owner, &irqs[i]);
	return sum;
}

static const struct vlapic_irq_ops routing_batch_ops = {
	.deliver = routing_deliver,
	.deliver_batch = routing_deliver_batch,
};

static int routing_test_init(struct kunit *test)
{
	struct vlapic_ioapic_config config;
	struct routing_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	spin_lock_init(&ctx->lock);
	vlapic_ioapic_default_config(&config);
	ctx->ioapic = vlapic_ioapic_create(&config, &routing_ops, ctx);
	if (IS_ERR(ctx->ioapic))
		return PTR_ERR(ctx->ioapic);
	ctx->router = vlapic_router_create(ctx->ioapic, &routing_ops, ctx);
	if (IS_ERR(ctx->router)) {
		vlapic_ioapic_destroy(ctx->ioapic);
		return PTR_ERR(ctx->router);
	}
	test->priv = ctx;
	return 0;
}

static void routing_test_exit(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;

	vlapic_router_destroy(ctx->router);
	vlapic_ioapic_destroy(ctx->ioapic);
}

static unsigned int ctx_nr(struct routing_ctx *ctx)
{
	unsigned long flags;
	unsigned int nr;

	spin_lock_irqsave(&ctx->lock, flags);
	nr = ctx->nr;
	spin_unlock_irqrestore(&ctx->lock, flags);
	return nr;
}

static void program_pin(struct kunit *test, struct vlapic_ioapic *io,
			unsigned int pin, u32 low)
{
	u32 sel = 0x10 + 2 * pin;

	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_write(io, 0x00, &sel, 4), 0);
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_write(io, 0x10, &low, 4), 0);
}

static struct vlapic_route ioapic_route(u32 gsi, u32 pin)
{
	return (struct vlapic_route){ .gsi = gsi, .type = VLAPIC_ROUTE_IOAPIC,
				      .pin = pin };
}

static struct vlapic_route msi_route(u32 gsi, u64 address, u32 data)
{
	return (struct vlapic_route){ .gsi = gsi, .type = VLAPIC_ROUTE_MSI,
				      .msi_address = address,
				      .msi_data = data };
}

static void routing_default_gsi_n_to_pin_n(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route *routes;
	unsigned int i;

	routes = kunit_kcalloc(test, 64, sizeof(*routes), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, routes);
	KUNIT_ASSERT_EQ(test, vlapic_router_get_routes(ctx->router, routes, 64),
			VLAPIC_IOAPIC_NUM_PINS);
	for (i = 0; i < VLAPIC_IOAPIC_NUM_PINS; i++) {
		KUNIT_EXPECT_EQ(test, routes[i].gsi, i);
		KUNIT_EXPECT_EQ(test, routes[i].type, VLAPIC_ROUTE_IOAPIC);
		KUNIT_EXPECT_EQ(test, routes[i].pin, i);
	}
	KUNIT_EXPECT_EQ(test, vlapic_router_get_routes(ctx->router, routes, 23),
			-E2BIG);

	for (i = 0; i < VLAPIC_IOAPIC_NUM_PINS; i++) {
		program_pin(test, ctx->ioapic, i, 0x20 + i);
		KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, i, true),
				1);
		KUNIT_ASSERT_EQ(test, ctx_nr(ctx), i + 1);
		KUNIT_EXPECT_EQ(test, ctx->last.vector, 0x20 + i);
		KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, i, false),
				1);
	}
	/* Unrouted and out of range. */
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 24, true), 0);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 1023, true),
			0);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 1024, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), VLAPIC_IOAPIC_NUM_PINS);
}

static void routing_msi_route(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_router_stats st;
	struct vlapic_route r[2];

	r[0] = msi_route(40, 0xfee05000ULL, VLAPIC_MSI_DATA_LEVEL |
			 VLAPIC_MSI_DATA_ASSERT | 0x77);
	r[1] = msi_route(41, 0xfed00000ULL, 0x78);	/* not an interrupt */
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, r, 2), 0);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 40, true), 1);
	KUNIT_ASSERT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, ctx->last.vector, 0x77);
	KUNIT_EXPECT_EQ(test, ctx->last.dest_id, 5);
	KUNIT_EXPECT_TRUE(test, ctx->last.level);
	/* Lowering an MSI GSI sends nothing. */
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 40, false), 1);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* The malformed one is routed, ignored and counted. */
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 41, true), 1);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* The default routes are gone. */
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 0, true), 0);
	vlapic_router_get_stats(ctx->router, &st);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_OK], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_NOT_INTERRUPT], 1);
}

static void routing_send_msi_counts_verdicts(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_router_stats st;

	KUNIT_EXPECT_TRUE(test, vlapic_router_send_msi(ctx->router,
						       0xfee01000ULL, 0x40));
	KUNIT_EXPECT_EQ(test, ctx->last.dest_id, 1);
	KUNIT_EXPECT_FALSE(test, vlapic_router_send_msi(ctx->router,
							0x1fee01000ULL, 0x40));
	KUNIT_EXPECT_FALSE(test, vlapic_router_send_msi(ctx->router,
							0xfee01000ULL, 0x340));
	KUNIT_EXPECT_FALSE(test, vlapic_router_send_msi(ctx->router,
							0xfeeff008ULL, 0x40));
	KUNIT_EXPECT_FALSE(test, vlapic_router_send_msi(ctx->router,
							0xfee01000ULL, 0x8040));
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	vlapic_router_get_stats(ctx->router, &st);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_OK], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_NOT_INTERRUPT], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_BAD_DELIVERY_MODE], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_BAD_REDIRECTION], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_DEASSERT], 1);
}

static void routing_gsi_to_several_pins(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route r[3];

	r[0] = ioapic_route(100, 5);
	r[1] = ioapic_route(100, 6);
	r[2] = ioapic_route(9, 9);
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, r, 3), 0);
	program_pin(test, ctx->ioapic, 5, 0x55);
	program_pin(test, ctx->ioapic, 6, 0x66);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 100, true), 2);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x55], 1);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x66], 1);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 5, true), 0);
	/* An empty table routes nothing. */
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, 100, false),
			0);
	KUNIT_EXPECT_EQ(test, vlapic_router_get_routes(ctx->router, r, 3), 0);
}

static void routing_set_rejects(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route *before, *after, r[2];
	struct vlapic_router *bare;
	unsigned int i;

	before = kunit_kcalloc(test, 64, sizeof(*before), GFP_KERNEL);
	after = kunit_kcalloc(test, 64, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_EQ(test, vlapic_router_get_routes(ctx->router, before, 64),
			24);

	for (i = 0; i < 12; i++) {
		unsigned int nr = 1;

		r[0] = ioapic_route(3, 3);
		r[1] = ioapic_route(4, 4);
		switch (i) {
		case 0:
			r[0].gsi = VLAPIC_MAX_GSI;
			break;
		case 1:
			r[0].type = 0;
			break;
		case 2:
			r[0].type = 3;
			break;
		case 3:
			r[0].flags = 1;
			break;
		case 4:
			r[0].pad = 1;
			break;
		case 5:
			r[0].pin = VLAPIC_IOAPIC_NUM_PINS;
			break;
		case 6:
			r[0].msi_address = 0xfee00000ULL;
			break;
		case 7:
			r[0].msi_data = 1;
			break;
		case 8:
			r[0] = msi_route(3, 0xfee00000ULL, 0x30);
			r[0].pin = 1;
			break;
		case 9:	/* duplicate */
			r[1] = r[0];
			nr = 2;
			break;
		case 10:	/* MSI sharing its GSI */
			r[1] = msi_route(3, 0xfee00000ULL, 0x30);
			nr = 2;
			break;
		case 11:	/* two MSIs on one GSI */
			r[0] = msi_route(3, 0xfee00000ULL, 0x30);
			r[1] = msi_route(3, 0xfee00000ULL, 0x31);
			nr = 2;
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test,
				    vlapic_router_set_routes(ctx->router, r, nr),
				    -EINVAL, "case %u", i);
		KUNIT_EXPECT_EQ(test,
				vlapic_router_get_routes(ctx->router, after, 64),
				24);
		KUNIT_EXPECT_EQ_MSG(test,
				    memcmp(before, after, 24 * sizeof(*after)),
				    0, "case %u", i);
	}
	KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(ctx->router, r,
						       VLAPIC_MAX_ROUTES + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(ctx->router, NULL, 1),
			-EINVAL);

	/* A router without an IOAPIC has no default routes, takes no pin. */
	bare = vlapic_router_create(NULL, &routing_ops, ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bare));
	KUNIT_EXPECT_EQ(test, vlapic_router_get_routes(bare, after, 64), 0);
	r[0] = ioapic_route(3, 3);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(bare, r, 1), -EINVAL);
	r[0] = msi_route(3, 0xfee00000ULL, 0x30);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(bare, r, 1), 0);
	vlapic_router_destroy(bare);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_router_create(NULL, NULL, ctx)),
			-EINVAL);
}

/*
 * Injection and EOI work with interrupts off (irqfd-like callers): a
 * sleeping call would be reported by DEBUG_ATOMIC_SLEEP and fail the run.
 * A level GSI goes through the IOAPIC's remote IRR and EOI.
 */
static void routing_level_gsi_with_irqs_off(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route r[2];
	unsigned long flags;
	u32 sel = 0x14, low = 0x8000 | 0x44;	/* pin 2: level, vector 0x44 */
	u32 val = 0;

	r[0] = ioapic_route(50, 2);
	r[1] = msi_route(51, 0xfee00000ULL, 0x45);
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, r, 2), 0);
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_write(ctx->ioapic, 0, &sel, 4),
			0);
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_write(ctx->ioapic, 0x10, &low,
						       4), 0);

	local_irq_save(flags);
	vlapic_router_set_irq(ctx->router, 50, true);
	vlapic_router_set_irq(ctx->router, 51, true);
	vlapic_ioapic_eoi(ctx->ioapic, 0x44);		/* line held: again */
	vlapic_router_set_irq(ctx->router, 50, false);
	vlapic_ioapic_eoi(ctx->ioapic, 0x44);		/* line low: done */
	local_irq_restore(flags);

	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x44], 2);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x45], 1);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_read(ctx->ioapic, 0x10, &val,
						      4), 0);
	KUNIT_EXPECT_EQ(test, val, low);	/* remote IRR clear */
}

/* --- swap while injecting ------------------------------------------------- */

#define SWAP_GSI	40
#define SWAP_ROUNDS	50

struct injector {
	struct vlapic_router *router;
	atomic_t stop;
	atomic_t injected;
	struct completion done;
};

static int injector_fn(void *arg)
{
	struct injector *inj = arg;

	while (!atomic_read(&inj->stop)) {
		vlapic_router_set_irq(inj->router, SWAP_GSI, true);
		atomic_inc(&inj->injected);
		if (!(atomic_read(&inj->injected) % 64))
			cond_resched();
	}
	complete(&inj->done);
	while (!kthread_should_stop())
		usleep_range(100, 200);
	return 0;
}

static void routing_swap_while_injecting(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_router_stats st;
	struct task_struct *task;
	struct injector *inj;
	struct vlapic_route a[2], b;
	unsigned int i, before;

	inj = kunit_kzalloc(test, sizeof(*inj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inj);
	inj->router = ctx->router;
	init_completion(&inj->done);
	/* Table A: GSI 40 -> MSI vector 0xa0 (and an IOAPIC pin); B: 0xb0. */
	a[0] = msi_route(SWAP_GSI, 0xfee00000ULL, 0xa0);
	a[1] = ioapic_route(2, 2);
	b = msi_route(SWAP_GSI, 0xfee00000ULL, 0xb0);

	/*
	 * The default table does not route SWAP_GSI: install B before the
	 * injector starts, so that its first injections go through a table.
	 */
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, &b, 1), 0);

	/*
	 * Slow delivery keeps injections inside the table while it is being
	 * replaced: freeing it before a grace period is a use-after-free.
	 */
	WRITE_ONCE(ctx->slow, true);
	task = kthread_run(injector_fn, inj, "vlapic-injector");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < SWAP_ROUNDS; i++) {
		KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(ctx->router, a, 2),
				0);
		KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(ctx->router, &b, 1),
				0);
	}
	atomic_set(&inj->stop, 1);
	wait_for_completion(&inj->done);
	kthread_stop(task);
	WRITE_ONCE(ctx->slow, false);

	/* Every injection went through exactly one table. */
	KUNIT_EXPECT_GT(test, atomic_read(&inj->injected), 0);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), (unsigned int)atomic_read(&inj->injected));
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0xa0] + ctx->by_vector[0xb0],
			ctx_nr(ctx));
	vlapic_router_get_stats(ctx->router, &st);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_OK], (u64)ctx_nr(ctx));

	/* Once set_routes returns, the new table is the one used. */
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, a, 2), 0);
	before = ctx->by_vector[0xa0];
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, SWAP_GSI, true),
			1);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0xa0], before + 1);
	KUNIT_EXPECT_EQ(test, ctx->last.vector, 0xa0);
}

static struct vlapic_inject inj_msi(u64 address, u32 data)
{
	return (struct vlapic_inject){ .type = VLAPIC_INJECT_MSI,
				       .msi_address = address,
				       .msi_data = data };
}

static struct vlapic_inject inj_line(u32 gsi, u32 level)
{
	return (struct vlapic_inject){ .type = VLAPIC_INJECT_LINE,
				       .gsi = gsi, .level = level };
}

/*
 * A batch mixing MSIs (more than one chunk of them), malformed MSIs and
 * lines: @router applies it in order, whether its ops deliver one message
 * at a time or in batches.
 */
static void inject_in_order(struct kunit *test, struct routing_ctx *ctx,
			    struct vlapic_router *router)
{
	struct vlapic_inject_counts c;
	struct vlapic_router_stats st;
	struct vlapic_inject *e;
	unsigned int i, n = 0;

	e = kunit_kcalloc(test, 64, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	program_pin(test, ctx->ioapic, 3, 0x33);	/* edge, fixed */
	e[n++] = inj_msi(0xfee01000ULL, 0x40);
	e[n++] = inj_msi(0xfee01000ULL, 0x41);
	e[n++] = inj_line(3, 1);			/* 0x33 */
	e[n++] = inj_msi(0xfed00000ULL, 0x99);		/* not an interrupt */
	e[n++] = inj_msi(0xfee02000ULL, 0x42);
	e[n++] = inj_line(3, 0);
	e[n++] = inj_line(1000, 1);			/* unrouted */
	for (i = 0; i < 40; i++)
		e[n++] = inj_msi(0xfee00000ULL | (i << 12), 0x50 + i);
	e[n++] = inj_msi(0xfee01000ULL, VLAPIC_MSI_DATA_LEVEL | 0x43);
	vlapic_router_inject(router, e, n, &c);
	KUNIT_EXPECT_EQ(test, c.msis, 43);
	KUNIT_EXPECT_EQ(test, c.ignored, 2);
	KUNIT_EXPECT_EQ(test, c.lines, 3);
	KUNIT_ASSERT_EQ(test, ctx_nr(ctx), 44);
	KUNIT_EXPECT_EQ(test, ctx->seq[0], 0x40);
	KUNIT_EXPECT_EQ(test, ctx->seq[1], 0x41);
	KUNIT_EXPECT_EQ(test, ctx->seq[2], 0x33);
	KUNIT_EXPECT_EQ(test, ctx->seq[3], 0x42);
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ_MSG(test, ctx->seq[4 + i], 0x50 + i, "msi %u", i);
	KUNIT_EXPECT_EQ(test, ctx->last.dest_id, 39);
	vlapic_router_get_stats(router, &st);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_OK], 43);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_NOT_INTERRUPT], 1);
	KUNIT_EXPECT_EQ(test, st.msi[VLAPIC_MSI_DEASSERT], 1);
}

static void routing_inject_batch_single_deliver(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;

	inject_in_order(test, ctx, ctx->router);
	KUNIT_EXPECT_EQ(test, ctx->batches, 0);
}

static void routing_inject_batch_deliver_batch(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_router *router;

	router = vlapic_router_create(ctx->ioapic, &routing_batch_ops, ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(router));
	inject_in_order(test, ctx, router);
	/*
	 * Unless vlapic_msi is traced (one message per call then): 2 before
	 * the first line, 1 before the second, 32 + 8 after.
	 */
	KUNIT_EXPECT_TRUE(test, ctx->batches == 4 || ctx->batches == 43);
	vlapic_router_destroy(router);
}

/* The resample irqfd's pin lookup: first IOAPIC route, in place. */
static void routing_ioapic_pin_lookup(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route r[3];

	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, 5), 5);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, 24),
			-EINVAL);
	r[0] = ioapic_route(30, 9);
	r[1] = ioapic_route(30, 4);
	r[2] = msi_route(31, 0xfee00000ULL, 0x41);
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, r, 3), 0);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, 30), 4);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, 31),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, 5),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router,
						       VLAPIC_MAX_GSI - 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router,
						       VLAPIC_MAX_GSI),
			-EINVAL);
}

/*
 * The GSI is clamped with array_index_nospec() after its check: the last
 * GSI has its own routes (not GSI 0's), one past it is refused.
 */
static void routing_last_gsi(struct kunit *test)
{
	const u32 last = VLAPIC_MAX_GSI - 1;
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route r[2];

	r[0] = ioapic_route(0, 3);
	r[1] = ioapic_route(last, 7);
	KUNIT_ASSERT_EQ(test, vlapic_router_set_routes(ctx->router, r, 2), 0);
	program_pin(test, ctx->ioapic, 3, 0x33);
	program_pin(test, ctx->ioapic, 7, 0x77);
	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, last), 7);
	KUNIT_EXPECT_TRUE(test, vlapic_router_routes_pin(ctx->router, last, 7));
	KUNIT_EXPECT_FALSE(test, vlapic_router_routes_pin(ctx->router, last, 3));
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, last, true), 1);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x77], 1);

	KUNIT_EXPECT_EQ(test, vlapic_router_ioapic_pin(ctx->router, last + 1),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, vlapic_router_routes_pin(ctx->router, last + 1,
							  3));
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, last + 1, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_router_set_irq(ctx->router, U32_MAX, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, ctx->by_vector[0x33], 0);
}

#if IS_ENABLED(CONFIG_FAILSLAB)
/* Does the kernel log hold an allocation warning after sequence @from? */
static bool log_has_alloc_warning(struct kunit *test, u64 from)
{
	static const char *const warnings[] = {
		"vmalloc error", "allocation failure", "FAULT_INJECTION",
	};
	struct kmsg_dump_iter iter;
	bool found = false;
	size_t len, i;
	char *line;
	u64 end;

	line = kunit_kzalloc(test, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, line);
	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, from);
	/* up to now only: what this test prints is not read back */
	end = iter.next_seq;
	while (!found && iter.cur_seq < end &&
	       kmsg_dump_get_line(&iter, false, line, 1023, &len)) {
		line[len] = 0;
		for (i = 0; i < ARRAY_SIZE(warnings); i++)
			found |= !!strstr(line, warnings[i]);
	}
	if (found)
		kunit_info(test, "logged: %s", line);
	return found;
}

/*
 * Regression (vlapic-failslab seed 1795429846): a routing table is sized
 * by userspace, so failing to allocate it is the caller's -ENOMEM and not
 * a warning with a stack dump. The harness arms failslab for tasks that
 * ask for it (task-filter, probability 100, ignore-gfp-wait N: the
 * attributes are debugfs-only, and kernel_write() cannot write debugfs
 * attribute files); this test asks with make_it_fail, so the table's
 * kmalloc fails and so does kvmalloc's vmalloc fallback, which is where
 * the warning was printed.
 */
static void routing_alloc_failure_is_quiet_enomem(struct kunit *test)
{
	struct routing_ctx *ctx = test->priv;
	struct vlapic_route r[4], *now;
	struct kmsg_dump_iter iter;
	unsigned int i;
	void *probe;
	int ret;
	u64 from;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = ioapic_route(100 + i, i);
	now = kunit_kcalloc(test, 64, sizeof(*now), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, now);

	current->make_it_fail = 1;
	probe = kmalloc(16, GFP_KERNEL);
	current->make_it_fail = 0;
	kfree(probe);
	if (probe)
		kunit_skip(test, "failslab is not armed for this task");

	kmsg_dump_rewind(&iter);
	from = iter.next_seq;
	current->make_it_fail = 1;
	ret = vlapic_router_set_routes(ctx->router, r, ARRAY_SIZE(r));
	current->make_it_fail = 0;

	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_FALSE(test, log_has_alloc_warning(test, from));
	/* the default table stays */
	KUNIT_EXPECT_EQ(test, vlapic_router_get_routes(ctx->router, now, 64),
			VLAPIC_IOAPIC_NUM_PINS);
	KUNIT_EXPECT_EQ(test, now[0].gsi, 0U);
	/* and with allocations back, the same table goes in */
	KUNIT_EXPECT_EQ(test, vlapic_router_set_routes(ctx->router, r,
						       ARRAY_SIZE(r)), 0);
	KUNIT_EXPECT_EQ(test, vlapic_router_get_routes(ctx->router, now, 64), 4);
}
#endif

static struct kunit_case routing_cases[] = {
	KUNIT_CASE(routing_default_gsi_n_to_pin_n),
	KUNIT_CASE(routing_msi_route),
	KUNIT_CASE(routing_send_msi_counts_verdicts),
	KUNIT_CASE(routing_gsi_to_several_pins),
	KUNIT_CASE(routing_set_rejects),
	KUNIT_CASE(routing_level_gsi_with_irqs_off),
	KUNIT_CASE(routing_swap_while_injecting),
	KUNIT_CASE(routing_inject_batch_single_deliver),
	KUNIT_CASE(routing_inject_batch_deliver_batch),
	KUNIT_CASE(routing_ioapic_pin_lookup),
	KUNIT_CASE(routing_last_gsi),
#if IS_ENABLED(CONFIG_FAILSLAB)
	KUNIT_CASE(routing_alloc_failure_is_quiet_enomem),
#endif
	{}
};

static struct kunit_suite routing_suite = {
	.name = "vlapic_routing",
	.init = routing_test_init,
	.exit = routing_test_exit,
	.test_cases = routing_cases,
};

kunit_test_suite(routing_suite);
