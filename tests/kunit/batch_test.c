// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_batch: vlapic_bus_deliver_batch() gives the results of one
 * vlapic_bus_deliver() per message. Two identical buses get the same
 * messages, one message at a time and in batches of many sizes; after
 * every round the whole state of every vLAPIC (registers, ESR, events),
 * every counter, the acceptor counts, posted vectors and the lowest-
 * priority winners must be the same, and the batch may only merge kicks.
 */

#include <linux/slab.h>
#include <linux/string.h>

#include "lapic_env.h"

#define BATCH_MSGS	600
#define BATCH_MAX_POSTS	4096
#define BATCH_MAGIC	0xba7c4ed0UL

/* What the posted-delivery hook saw, per bus. */
struct post_log {
	unsigned int nr;
	u16 entry[BATCH_MAX_POSTS];	/* index << 8 | vector */
};

/*
 * test->priv of a case. Until both envs exist it is an env of
 * env_create(), whose first member is a pointer, never @magic.
 */
struct batch_pair {
	unsigned long magic;
	struct lapic_env *single;
	struct lapic_env *batch;
	struct post_log *posts[2];
	u32 seed;
};

/* Both envs are freed by batch_exit(); env_create() owns test->priv. */
static struct batch_pair *pair_create(struct kunit *test, unsigned int nr)
{
	struct batch_pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->single = env_create(test, nr, NULL, NULL);
	test->priv = NULL;
	p->batch = env_create(test, nr, NULL, NULL);
	p->magic = BATCH_MAGIC;
	test->priv = p;
	p->seed = 12345;
	return p;
}

static void batch_exit(struct kunit *test)
{
	struct batch_pair *p = test->priv;

	if (!p)
		return;
	if (p->magic != BATCH_MAGIC) {
		env_exit(test);	/* the second env_create() failed */
		return;
	}
	test->priv = p->batch;
	env_exit(test);
	test->priv = p->single;
	env_exit(test);
}

static u32 pair_rand(struct batch_pair *p)
{
	p->seed = p->seed * 1103515245 + 12345;
	return p->seed >> 16;
}

/* The same setup on both buses. */
static void pair_wr(struct batch_pair *p, unsigned int i, u32 off, u32 val)
{
	wr(p->single->v[i], off, val);
	wr(p->batch->v[i], off, val);
}

static void expect_same(struct kunit *test, struct batch_pair *p,
			unsigned int round)
{
	struct vlapic_lapic_state *a, *b;
	unsigned int i, id;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < p->single->nr; i++) {
		struct vlapic *va = p->single->v[i], *vb = p->batch->v[i];

		vlapic_get_state(va, a);
		vlapic_get_state(vb, b);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, sizeof(*a)), 0,
				    "round %u vlapic %u: state differs",
				    round, i);
		for (id = 0; id < VLAPIC_NR_STATS; id++)
			KUNIT_EXPECT_EQ_MSG(test, vlapic_stat(va, id),
					    vlapic_stat(vb, id),
					    "round %u vlapic %u: %s", round, i,
					    vlapic_stat_names[id]);
		/* Kicks may merge, never appear or vanish. */
		KUNIT_EXPECT_EQ_MSG(test, !p->single->kicks[i],
				    !p->batch->kicks[i],
				    "round %u vlapic %u: kicks", round, i);
		KUNIT_EXPECT_LE_MSG(test, p->batch->kicks[i],
				    p->single->kicks[i],
				    "round %u vlapic %u: kicks", round, i);
	}
	if (p->posts[0]) {
		KUNIT_EXPECT_EQ_MSG(test, p->posts[0]->nr, p->posts[1]->nr,
				    "round %u: posted", round);
		KUNIT_EXPECT_EQ_MSG(test,
				    memcmp(p->posts[0]->entry, p->posts[1]->entry,
					   sizeof(p->posts[0]->entry)), 0,
				    "round %u: posted vectors", round);
	}
	kunit_kfree(test, a);
	kunit_kfree(test, b);
}

/*
 * @nr messages for an xAPIC bus of 8 (flat logical IDs BIT(index)):
 * runs of fixed physical messages (up to 80 long, past the lock-hold
 * limit), illegal vectors, repeated vectors (coalescing), level and edge,
 * absent IDs, lowest priority (physical and logical), fixed logical,
 * broadcast, NMI.
 */
static void xapic_messages(struct batch_pair *p, struct vlapic_irq *m,
			   unsigned int nr)
{
	static const u8 vecs[] = { 0x05, 0x30, 0x31, 0x40, 0x41, 0x80, 0xe0 };
	unsigned int i = 0, k, len;

	while (i < nr) {
		struct vlapic_irq irq = {
			.vector = vecs[pair_rand(p) % ARRAY_SIZE(vecs)],
			.level = pair_rand(p) & 1,
			.assert = true,
			.dest_id = pair_rand(p) % 10,
		};

		len = 1;
		switch (pair_rand(p) % 10) {
		case 0:
			irq.delivery_mode = APIC_DM_LOWEST;
			break;
		case 1:
			irq.delivery_mode = APIC_DM_LOWEST;
			irq.logical = true;
			irq.dest_id = pair_rand(p) & 0xff;
			break;
		case 2:
			irq.logical = true;
			irq.dest_id = pair_rand(p) & 0xff;
			break;
		case 3:
			irq.dest_id = 0xff;
			break;
		case 4:
			irq.delivery_mode = APIC_DM_NMI;
			break;
		default:
			len = 1 + pair_rand(p) % 80;
			break;
		}
		for (k = 0; k < len && i < nr; k++, i++) {
			m[i] = irq;
			/* A run to one target with a few vectors. */
			if (len > 1 && (pair_rand(p) & 3) == 0)
				m[i].vector = vecs[1 + pair_rand(p) %
						   (ARRAY_SIZE(vecs) - 1)];
		}
	}
}

/* Deliver @m one by one on one bus, in batches of many sizes on the other. */
static void pair_deliver(struct kunit *test, struct batch_pair *p,
			 const struct vlapic_irq *m, unsigned int nr)
{
	static const unsigned int sizes[] = { 1, 7, 64, 65, 130, 600 };
	unsigned int i, n, s = 0;
	int a = 0, b = 0;

	for (i = 0; i < nr; i++)
		a += vlapic_bus_deliver(p->single->bus, &m[i], NULL);
	for (i = 0; i < nr; i += n, s++) {
		n = min(sizes[s % ARRAY_SIZE(sizes)], nr - i);
		b += vlapic_bus_deliver_batch(p->batch->bus, &m[i], n);
	}
	KUNIT_EXPECT_EQ(test, a, b);
}

/* The guest takes some interrupts: ISR, PPR and so arbitration change. */
static void pair_service(struct batch_pair *p, unsigned int round)
{
	unsigned int i;
	int va, vb;

	for (i = 0; i < p->single->nr; i++) {
		if ((i + round) % 3 == 0)
			continue;
		va = vlapic_ack(p->single->v[i]);
		vb = vlapic_ack(p->batch->v[i]);
		if (va >= 0 && (i & 1))
			wr(p->single->v[i], APIC_EOI, 0);
		if (vb >= 0 && (i & 1))
			wr(p->batch->v[i], APIC_EOI, 0);
	}
}

static void batch_xapic_rounds(struct kunit *test, struct batch_pair *p)
{
	struct vlapic_irq *m;
	unsigned int round;

	m = kunit_kcalloc(test, BATCH_MSGS, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (round = 0; round < 6; round++) {
		if (round == 3) {
			/* Duplicate ID: the map cannot answer, scans do. */
			pair_wr(p, 6, APIC_ID, 3 << 24);
		}
		if (round == 5) {
			/* Unique again; a software-disabled target. */
			pair_wr(p, 6, APIC_ID, 6 << 24);
			pair_wr(p, 2, APIC_SPIV, 0xff);
		}
		xapic_messages(p, m, BATCH_MSGS);
		pair_deliver(test, p, m, BATCH_MSGS);
		expect_same(test, p, round);
		pair_service(p, round);
		expect_same(test, p, round);
	}
}

static void xapic_setup(struct batch_pair *p)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		/* vLAPIC 5 stays software-disabled: fixed vectors dropped. */
		if (i != 5)
			pair_wr(p, i, APIC_SPIV, 0x1ff);
		pair_wr(p, i, APIC_LDR, BIT(i) << 24);
		pair_wr(p, i, APIC_TASKPRI, (i % 4) * 0x10);
	}
	/* Illegal vectors raise the error interrupt, or record only. */
	pair_wr(p, 1, APIC_LVTERR, 0xfe);
	pair_wr(p, 3, APIC_LVTERR, 0x03);
}

static void batch_matches_single_xapic(struct kunit *test)
{
	struct batch_pair *p = pair_create(test, 8);

	xapic_setup(p);
	batch_xapic_rounds(test, p);
}

static bool log_posted(struct vlapic *v, u8 vector)
{
	struct post_log *log = vlapic_vendor(v);

	/* Odd vectors are posted, even ones go to IRR. */
	if (!(vector & 1))
		return false;
	if (log->nr < BATCH_MAX_POSTS)
		log->entry[log->nr] = vlapic_index(v) << 8 | vector;
	log->nr++;
	return true;
}

static const struct vlapic_ops post_ops = {
	.deliver_posted = log_posted,
};

static void batch_matches_single_posted(struct kunit *test)
{
	struct batch_pair *p = pair_create(test, 8);
	unsigned int i;

	p->posts[0] = kunit_kzalloc(test, sizeof(*p->posts[0]), GFP_KERNEL);
	p->posts[1] = kunit_kzalloc(test, sizeof(*p->posts[1]), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->posts[0]);
	KUNIT_ASSERT_NOT_NULL(test, p->posts[1]);
	xapic_setup(p);
	for (i = 0; i < 8; i++) {
		vlapic_set_ops(p->single->v[i], &post_ops, p->posts[0]);
		vlapic_set_ops(p->batch->v[i], &post_ops, p->posts[1]);
	}
	batch_xapic_rounds(test, p);
	KUNIT_EXPECT_GT(test, p->posts[1]->nr, 0);
}

/* x2APIC, 288 vLAPICs: physical IDs past 255 and absent ones. */
static void batch_matches_single_288(struct kunit *test)
{
	struct batch_pair *p = pair_create(test, 288);
	unsigned int i, high;
	struct vlapic_irq *m;

	for (i = 0; i < 288; i++) {
		KUNIT_ASSERT_EQ(test, to_x2apic(p->single->v[i]),
				VLAPIC_ACCESS_OK);
		KUNIT_ASSERT_EQ(test, to_x2apic(p->batch->v[i]),
				VLAPIC_ACCESS_OK);
		apic_sw_enable(p->single->v[i]);
		apic_sw_enable(p->batch->v[i]);
	}
	m = kunit_kcalloc(test, BATCH_MSGS, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < BATCH_MSGS; i++) {
		bool x2 = i & 1;

		/* Runs of 4 to one ID, spread over 0 .. 299. */
		m[i] = (struct vlapic_irq) {
			.dest_id = (i / 4) * 37 % 300,
			.vector = 0x20 + pair_rand(p) % 0xe0,
			.delivery_mode = APIC_DM_FIXED,
			.level = pair_rand(p) & 1,
			.assert = true,
			.x2apic_dest = x2,
		};
		if (m[i].dest_id == 299 || (!x2 && m[i].dest_id > 0xff))
			m[i].dest_id = x2 ? 0xffffffff : 0xff;	/* broadcast */
	}
	pair_deliver(test, p, m, BATCH_MSGS);
	expect_same(test, p, 0);
	for (i = 256, high = 0; i < 288; i++)
		high += vlapic_highest_irr(p->batch->v[i]) >= 0;
	KUNIT_EXPECT_GT(test, high, 0);
}

static struct kunit_case batch_cases[] = {
	KUNIT_CASE(batch_matches_single_xapic),
	KUNIT_CASE(batch_matches_single_posted),
	KUNIT_CASE(batch_matches_single_288),
	{}
};

static struct kunit_suite batch_suite = {
	.name = "vlapic_batch",
	.exit = batch_exit,
	.test_cases = batch_cases,
};

kunit_test_suite(batch_suite);
