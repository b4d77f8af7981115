// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_posted: the VMX posted-interrupt descriptor (vmx/posted.c) in the
 * SDM layout, the notification and wake rule (seed 004), SN (peer bug:
 * interrupts posted while SN was set), and posters racing a syncer.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <vlapic/vmx.h>

#include "../model/model.h"

static struct vmx_pi_desc *pi_alloc(struct kunit *test)
{
	struct vmx_pi_desc *pi = kunit_kzalloc(test, sizeof(*pi), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pi);
	return pi;
}

static void expect_words(struct kunit *test, const u32 *got, const u32 *want)
{
	int i;

	for (i = 0; i < APICV_VEC_WORDS; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "word %d", i);
}

/* Bits land where the SDM puts them, seen as raw bytes. */
static void posted_layout(struct kunit *test)
{
	struct vmx_pi_desc *pi = pi_alloc(test);
	u8 *raw = (u8 *)pi;

	KUNIT_EXPECT_EQ(test, sizeof(*pi), 64);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)pi, 64));

	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x61),
			VMX_PI_POST_NEW | VMX_PI_POST_SET_ON);
	KUNIT_EXPECT_EQ(test, raw[0x61 / 8], BIT(0x61 % 8));
	KUNIT_EXPECT_EQ(test, raw[32], BIT(0));		/* ON = bit 256 */
	vmx_pi_set_sn(pi);
	KUNIT_EXPECT_EQ(test, raw[32], BIT(0) | BIT(1));	/* SN = bit 257 */

	vmx_pi_set_notification(pi, 0xf2, vmx_pi_ndst(0x12, false));
	KUNIT_EXPECT_EQ(test, raw[34], 0xf2);		/* NV = 279:272 */
	KUNIT_EXPECT_EQ(test, raw[36], 0);		/* NDST = 319:288 */
	KUNIT_EXPECT_EQ(test, raw[37], 0x12);		/* xAPIC: ID in 15:8 */
	KUNIT_EXPECT_EQ(test, raw[32], BIT(0) | BIT(1));	/* ON, SN kept */
	vmx_pi_set_notification(pi, 0xf3, vmx_pi_ndst(0x12345678, true));
	KUNIT_EXPECT_EQ(test, pi->control,
			0x12345678UL << 32 | 0xf3UL << 16 | 3UL);
	KUNIT_EXPECT_EQ(test, pi->nv, 0xf3);
	KUNIT_EXPECT_EQ(test, pi->ndst, 0x12345678);
}

/* Posting sets PIR then ON; sync moves each vector once and clears ON. */
static void posted_post_and_sync(struct kunit *test)
{
	struct vmx_pi_desc *pi = pi_alloc(test);
	u32 irr[APICV_VEC_WORDS] = { [0] = BIT(5) };
	u32 expect[APICV_VEC_WORDS] = { [0] = BIT(5) };

	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x60),
			VMX_PI_POST_NEW | VMX_PI_POST_SET_ON);
	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x61), VMX_PI_POST_NEW);
	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x61), 0);
	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0xff), VMX_PI_POST_NEW);
	KUNIT_EXPECT_TRUE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(pi), 0xff);

	KUNIT_EXPECT_TRUE(test, vmx_pi_sync(pi, irr));
	expect[3] = BIT(0) | BIT(1);
	expect[7] = BIT(31);
	expect_words(test, irr, expect);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(pi), -1);
	KUNIT_EXPECT_FALSE(test, vmx_pi_sync(pi, irr));
	expect_words(test, irr, expect);

	/* After a sync the next post owns the notification again. */
	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x20),
			VMX_PI_POST_NEW | VMX_PI_POST_SET_ON);
	vmx_pi_purge(pi);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(pi), -1);
}

/*
 * Seed 004: halted at PPR 0x70 with 0x60 and 0x61 posted (ON set, not
 * deliverable: the vCPU stays asleep), then the timer 0xd3 is posted: ON
 * is already set, and the vCPU must still wake at once and take 0xd3.
 */
static void posted_seed004_halted_wakes(struct kunit *test)
{
	struct vmx_pi_desc *pi = pi_alloc(test);
	u32 irr[APICV_VEC_WORDS] = {};
	struct vmx_apic_fields f = { .tpr_shadow = true, .vid = true };
	u8 *vapic = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct vmx_model m = { .f = &f, .vapic = vapic, .rflags_if = true };
	const u8 ppr = 0x70;
	unsigned int post;

	KUNIT_ASSERT_NOT_NULL(test, vapic);
	post = vmx_pi_post(pi, 0x60);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(post, VMX_PI_HALTED, 0x60,
						 ppr), VMX_PI_NONE);
	post = vmx_pi_post(pi, 0x61);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(post, VMX_PI_HALTED, 0x61,
						 ppr), VMX_PI_NONE);
	/* The halt check agrees: nothing deliverable, sleeping is right. */
	KUNIT_EXPECT_FALSE(test, vmx_halt_has_deliverable(pi, irr, 0, ppr));

	post = vmx_pi_post(pi, 0xd3);
	/* bhyve's rule (notify only on ON 0 -> 1) would not wake: */
	KUNIT_EXPECT_FALSE(test, post & VMX_PI_POST_SET_ON);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(post, VMX_PI_HALTED, 0xd3,
						 ppr), VMX_PI_WAKE);
	KUNIT_EXPECT_TRUE(test, vmx_halt_has_deliverable(pi, irr, 0, ppr));

	/* Woken: sync, RVI exact, the guest takes 0xd3 and only that. */
	KUNIT_EXPECT_TRUE(test, vmx_pi_sync(pi, irr));
	memcpy(vapic + VAPIC_IRR + 3 * 16, &irr[3], 4);
	memcpy(vapic + VAPIC_IRR + 6 * 16, &irr[6], 4);
	vapic[VAPIC_TPR] = ppr;
	vmx_set_rvi(&f, apicv_find_highest(irr));
	vmx_set_svi(&f, -1);
	KUNIT_EXPECT_EQ(test, vmx_rvi(&f), 0xd3);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&m), 0xd3);
	m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&m), -1);
	KUNIT_EXPECT_EQ(test, vmx_rvi(&f), 0x61);

	/* The same post to a running vCPU notifies it despite ON. */
	vmx_pi_post(pi, 0x60);
	post = vmx_pi_post(pi, 0xd3);
	KUNIT_EXPECT_FALSE(test, post & VMX_PI_POST_SET_ON);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(post, VMX_PI_IN_GUEST, 0xd3,
						 ppr), VMX_PI_NOTIFY);
}

/* The rule, case by case. */
static void posted_action_rule(struct kunit *test)
{
	const unsigned int on_set = VMX_PI_POST_NEW | VMX_PI_POST_SET_ON;
	const unsigned int on_was = VMX_PI_POST_NEW;
	const unsigned int sn = VMX_PI_POST_NEW | VMX_PI_POST_SN;

	/* In guest: only a non-deliverable post behind an earlier one. */
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_set, VMX_PI_IN_GUEST,
						 0x30, 0x70), VMX_PI_NOTIFY);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_was, VMX_PI_IN_GUEST,
						 0x30, 0x70), VMX_PI_NONE);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_was, VMX_PI_IN_GUEST,
						 0x80, 0x70), VMX_PI_NOTIFY);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(sn, VMX_PI_IN_GUEST,
						 0x30, 0x70), VMX_PI_NOTIFY);
	/* In host: the entry path syncs. */
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_set, VMX_PI_IN_HOST,
						 0x80, 0x70), VMX_PI_NONE);
	/* Halted: deliverable wakes whatever ON and SN say. */
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_was, VMX_PI_HALTED,
						 0x80, 0x70), VMX_PI_WAKE);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(sn, VMX_PI_HALTED,
						 0x80, 0x70), VMX_PI_WAKE);
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(0, VMX_PI_HALTED,
						 0x80, 0x70), VMX_PI_WAKE);
	/* Same class as PPR: not deliverable. */
	KUNIT_EXPECT_EQ(test, vmx_pi_post_action(on_set, VMX_PI_HALTED,
						 0x7f, 0x70), VMX_PI_NONE);
}

/* The halt check looks at PIR, IRR and RVI, each against PPR. */
static void posted_halt_check(struct kunit *test)
{
	struct vmx_pi_desc *pi = pi_alloc(test);
	u32 irr[APICV_VEC_WORDS] = {};

	KUNIT_EXPECT_FALSE(test, vmx_halt_has_deliverable(pi, irr, 0, 0));
	KUNIT_EXPECT_TRUE(test, vmx_halt_has_deliverable(pi, irr, 0x81, 0x70));
	KUNIT_EXPECT_FALSE(test,
			   vmx_halt_has_deliverable(pi, irr, 0x71, 0x70));
	apicv_vec_set(irr, 0x81);
	KUNIT_EXPECT_TRUE(test, vmx_halt_has_deliverable(pi, irr, 0, 0x70));
	KUNIT_EXPECT_FALSE(test, vmx_halt_has_deliverable(pi, irr, 0, 0x80));
	vmx_pi_post(pi, 0x91);
	KUNIT_EXPECT_TRUE(test, vmx_halt_has_deliverable(pi, irr, 0, 0x80));
	KUNIT_EXPECT_FALSE(test, vmx_halt_has_deliverable(pi, irr, 0, 0x9f));
}

/*
 * Peer bug (KVM): a vector posted while SN was set stayed in the PIR with
 * ON clear. Clearing SN recomputes ON, and the vector is delivered.
 */
static void posted_sn_clear_recomputes_on(struct kunit *test)
{
	struct vmx_pi_desc *pi = pi_alloc(test);
	struct vmx_apic_fields f = { .tpr_shadow = true, .vid = true };
	u8 *vapic = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct vmx_model m = { .f = &f, .vapic = vapic, .rflags_if = true };

	KUNIT_ASSERT_NOT_NULL(test, vapic);
	/* Nothing pending: clearing SN leaves ON clear. */
	vmx_pi_set_sn(pi);
	KUNIT_EXPECT_FALSE(test, vmx_pi_clear_sn(pi));
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(pi));

	vmx_pi_set_sn(pi);
	KUNIT_EXPECT_EQ(test, vmx_pi_post(pi, 0x80),
			VMX_PI_POST_NEW | VMX_PI_POST_SN);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_TRUE(test, vmx_pi_clear_sn(pi));
	KUNIT_EXPECT_TRUE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_sn(pi));
	/* ON already set: a second clear does not notify twice. */
	KUNIT_EXPECT_FALSE(test, vmx_pi_clear_sn(pi));

	/* The notification reaches the CPU: the vector is delivered. */
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&m), 0);
	vmx_model_pi_notify(&m, pi);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(pi));
	KUNIT_EXPECT_EQ(test, vmx_rvi(&f), 0x80);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&m), 0x80);
}

/* --- posters on two CPUs racing one syncer ------------------------------ */

#define RACE_POSTERS	2
#define RACE_POSTS	200000	/* per poster */

struct race {
	struct vmx_pi_desc *pi;
	atomic_t outstanding[APICV_NR_VECTORS];
	atomic_long_t posted;
	bool stop;
	struct completion done[RACE_POSTERS];
};

struct race_poster {
	struct race *r;
	int id;
};

/*
 * Poster @id owns the vectors v >= 32 with v % 2 == id, so both hammer the
 * same PIR words. A vector is posted again only once the syncer took it,
 * so each post must come out of exactly one sync.
 */
static int race_poster_fn(void *data)
{
	struct race_poster *p = data;
	struct race *r = p->r;
	unsigned int v = 32 + p->id, n = 0;

	while (n < RACE_POSTS && !READ_ONCE(r->stop)) {
		if (atomic_cmpxchg(&r->outstanding[v], 0, 1) == 0) {
			vmx_pi_post(r->pi, v);
			atomic_long_inc(&r->posted);
			n++;
		}
		v += RACE_POSTERS;
		if (v >= APICV_NR_VECTORS) {
			v = 32 + p->id;
			cond_resched();
		}
	}
	complete(&r->done[p->id]);
	return 0;
}

static long race_consume(struct race *r, long *dups)
{
	u32 irr[APICV_VEC_WORDS] = {};
	long n = 0;
	int v;

	if (!vmx_pi_sync(r->pi, irr))
		return 0;
	for (v = 0; v < APICV_NR_VECTORS; v++) {
		if (!apicv_vec_test(irr, v))
			continue;
		if (atomic_xchg(&r->outstanding[v], 0) != 1)
			(*dups)++;
		n++;
	}
	return n;
}

static void posted_race_two_posters(struct kunit *test)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct race_poster p[RACE_POSTERS];
	struct task_struct *t[RACE_POSTERS];
	unsigned long end;
	long consumed = 0, dups = 0, syncs = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->pi = pi_alloc(test);
	for (i = 0; i < RACE_POSTERS; i++) {
		p[i].r = r;
		p[i].id = i;
		init_completion(&r->done[i]);
		t[i] = kthread_create(race_poster_fn, &p[i], "vlapic_post%d",
				      i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		kthread_bind(t[i], i % num_online_cpus());
		wake_up_process(t[i]);
	}

	/* Sync until both posters are done (30 s at most). */
	end = jiffies + 30 * HZ;
	while (atomic_long_read(&r->posted) < RACE_POSTERS * RACE_POSTS &&
	       time_before(jiffies, end)) {
		consumed += race_consume(r, &dups);
		syncs++;
		cond_resched();
	}
	WRITE_ONCE(r->stop, true);
	for (i = 0; i < RACE_POSTERS; i++)
		wait_for_completion(&r->done[i]);

	/* Every vector left in the PIR has ON set: its notification. */
	if (vmx_pi_highest(r->pi) >= 0)
		KUNIT_EXPECT_TRUE(test, vmx_pi_test_on(r->pi));
	consumed += race_consume(r, &dups);

	kunit_info(test, "%ld posts, %ld syncs\n",
		   atomic_long_read(&r->posted), syncs);
	KUNIT_EXPECT_EQ(test, dups, 0);
	KUNIT_EXPECT_EQ(test, consumed, atomic_long_read(&r->posted));
	KUNIT_EXPECT_EQ(test, consumed, RACE_POSTERS * RACE_POSTS);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(r->pi), -1);
	for (i = 0; i < APICV_NR_VECTORS; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&r->outstanding[i]), 0);
}

/* --- a halting vCPU racing a poster on another CPU ---------------------- */

struct halt_race {
	struct vmx_pi_desc *pi;
	enum vmx_pi_vcpu_mode mode;
	bool woken;
	bool stop;
	unsigned int delay_us;
	wait_queue_head_t wq;
	struct completion go;
	struct completion posted;
};

/* The poster: post the timer, read the mode, apply the rule. */
static int halt_race_poster(void *data)
{
	struct halt_race *h = data;

	for (;;) {
		unsigned int post;
		enum vmx_pi_vcpu_mode mode;

		wait_for_completion(&h->go);
		if (READ_ONCE(h->stop))
			break;
		udelay(h->delay_us);
		/* vmx_pi_post() is a full barrier before the mode read. */
		post = vmx_pi_post(h->pi, 0xd3);
		mode = READ_ONCE(h->mode);
		if (vmx_pi_post_action(post, mode, 0xd3, 0x70) ==
		    VMX_PI_WAKE) {
			WRITE_ONCE(h->woken, true);
			wake_up(&h->wq);
		}
		complete(&h->posted);
	}
	complete(&h->posted);
	return 0;
}

/*
 * Peer bug (KVM: wake-up not armed for a halted vCPU) and seed 004: a vCPU
 * halts at PPR 0x70 with 0x60 pending while another CPU posts 0xd3 at a
 * varying moment. Whichever side wins, the vCPU never sleeps through it.
 */
static void posted_halt_wake_race(struct kunit *test)
{
	struct halt_race *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	u32 irr[APICV_VEC_WORDS] = {};
	struct task_struct *t;
	unsigned int i, runs = 0, lost = 0, slept = 0;

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->pi = pi_alloc(test);
	init_waitqueue_head(&h->wq);
	init_completion(&h->go);
	init_completion(&h->posted);
	t = kthread_create(halt_race_poster, h, "vlapic_halt_post");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, num_online_cpus() > 1 ? 1 : 0);
	wake_up_process(t);

	for (i = 0; i < 400; i++) {
		vmx_pi_purge(h->pi);
		vmx_pi_post(h->pi, 0x60);
		WRITE_ONCE(h->woken, false);
		WRITE_ONCE(h->mode, VMX_PI_IN_HOST);
		h->delay_us = i % 16;
		complete(&h->go);
		udelay((i * 37) % 200);

		WRITE_ONCE(h->mode, VMX_PI_HALTED);
		smp_mb(); /* mode published before the halt check */
		if (!vmx_halt_has_deliverable(h->pi, irr, 0, 0x70)) {
			slept++;
			if (!wait_event_timeout(h->wq, READ_ONCE(h->woken),
						HZ))
				lost++;
		}
		WRITE_ONCE(h->mode, VMX_PI_IN_HOST);
		wait_for_completion(&h->posted);
		KUNIT_EXPECT_EQ(test, vmx_pi_highest(h->pi), 0xd3);
		runs++;
		if (lost)
			break;
	}
	/* The poster waits on @go: stop it, then @h may be freed. */
	WRITE_ONCE(h->stop, true);
	complete(&h->go);
	wait_for_completion(&h->posted);

	kunit_info(test, "%u of %u halts slept until woken\n", slept, runs);
	KUNIT_EXPECT_EQ(test, lost, 0);
}

static struct kunit_case posted_cases[] = {
	KUNIT_CASE(posted_layout),
	KUNIT_CASE(posted_post_and_sync),
	KUNIT_CASE(posted_seed004_halted_wakes),
	KUNIT_CASE(posted_action_rule),
	KUNIT_CASE(posted_halt_check),
	KUNIT_CASE(posted_sn_clear_recomputes_on),
	KUNIT_CASE(posted_race_two_posters),
	KUNIT_CASE(posted_halt_wake_race),
	{}
};

static struct kunit_suite posted_suite = {
	.name = "vlapic_posted",
	.test_cases = posted_cases,
};

kunit_test_suite(posted_suite);
