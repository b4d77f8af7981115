// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_apicv_core: the VMX and SVM hook tables (vmx/ops.c, svm/ops.c)
 * on the real vLAPIC core, with the hardware models as the CPU. With VMX
 * virtual-interrupt delivery the model's virtual-APIC page is the
 * vLAPIC's register page, as on hardware.
 *
 * Seed 000 (reboot with interrupts in flight), seed 003 (Windows' IRQL
 * pattern, exact CR8 exits), seed 004 (halted vCPU, posted timer), and
 * the peer bugs: VID toggled with vectors in service, TPR restored
 * reaching V_TPR.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <vlapic/clock.h>

#include <vlapic/svm.h>
#include <vlapic/vmx.h>

#include "../model/model.h"
#include "lapic_env.h"

#define REG(s, off)	(*(u32 *)((s)->regs + (off)))
#define RIG_LOG		16

/* --- VMX ------------------------------------------------------------------ */

struct vrig {
	struct kunit *test;
	struct lapic_env *env;
	struct vlapic *v;
	struct vmx_vlapic *vx;
	struct vmx_apic_fields vmcs;
	struct vmx_model m;
};

static void vrig_notify(struct vmx_vlapic *vx, enum vmx_pi_action action)
{
}

static struct vrig *vrig_new(struct kunit *test, bool vid)
{
	struct vrig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->env = env_create(test, 1, NULL, NULL);
	r->v = r->env->v[0];
	r->vx = kunit_kzalloc(test, sizeof(*r->vx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->vx);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)r->vx, 64));
	KUNIT_ASSERT_EQ(test, vmx_vlapic_init(r->vx, vid, vrig_notify), 0);
	vlapic_set_ops(r->v, &vmx_vlapic_ops, r->vx);
	r->m.vapic = vlapic_regs_page(r->v);
	r->m.f = &r->vmcs;
	r->m.rflags_if = true;
	apic_sw_enable(r->v);
	return r;
}

/* Entry: the fields from the hooks go into the "VMCS". */
static int vrig_enter(struct vrig *r)
{
	int vector;

	vmx_vlapic_set_mode(r->vx, VMX_PI_IN_GUEST);
	vector = vmx_vlapic_prepare_entry(r->v, r->m.rflags_if, &r->vmcs);
	KUNIT_EXPECT_EQ(r->test, vmx_model_entry(&r->m), 0);
	return vector;
}

/* Exit: the vLAPIC re-derives what the CPU changed in the page. */
static void vrig_exit(struct vrig *r)
{
	vmx_vlapic_set_mode(r->vx, VMX_PI_IN_HOST);
	vmx_vlapic_refresh(r->v);
}

/* One entry, the CPU delivers what it would, exit. */
static int vrig_run(struct vrig *r)
{
	int vector;

	vrig_enter(r);
	vector = vmx_model_deliver(&r->m);
	vrig_exit(r);
	return vector;
}

/* The guest EOIs its current interrupt (virtualized), then exits. */
static void vrig_eoi(struct vrig *r)
{
	u8 exit_vector;

	vrig_enter(r);
	KUNIT_EXPECT_EQ(r->test, vmx_model_eoi(&r->m, &exit_vector), 0);
	vrig_exit(r);
}

/*
 * Seed 000: a vector in service (0xef), one requested (0xf1) and one
 * posted but not synced (0xc1) when the guest reboots; RESET, then the
 * VMM restores its boot-time state with the timer programmed. RVI and SVI
 * must come from the restored registers (0), the PIR must be empty, and
 * the first vector the guest ever sees afterwards is the timer's.
 */
static void apicv_vmx_seed000_reboot(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);
	struct vlapic_lapic_state *boot;

	boot = kunit_kzalloc(test, sizeof(*boot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, boot);

	send_fixed(r->env, 0, 0xef, false);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xef);	/* guest in its ISR */
	send_fixed(r->env, 0, 0xf1, false);
	vrig_enter(r);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0xeff1);
	vrig_exit(r);
	send_fixed(r->env, 0, 0xc1, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), 0xc1);

	/* Reboot: RESET, the firmware programs the timer, state saved. */
	vlapic_reset(r->v);
	apic_sw_enable(r->v);
	wr(r->v, APIC_TDCR, APIC_TDR_DIV_1);
	wr(r->v, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0xd1);
	wr(r->v, APIC_TMICT, 1000000);
	vlapic_get_state(r->v, boot);
	/* In flight again before the VMM loads the saved state. */
	r->m.rflags_if = true;
	send_fixed(r->env, 0, 0xef, false);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xef);
	send_fixed(r->env, 0, 0xf1, false);
	vrig_enter(r);
	vrig_exit(r);
	send_fixed(r->env, 0, 0xc1, false);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0xeff1);

	KUNIT_ASSERT_EQ(test, vlapic_set_state(r->v, boot), 0);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(&r->vx->pi));
	r->m.rflags_if = true;
	vrig_enter(r);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	vrig_exit(r);

	/* The clock ticks: the guest takes it, and nothing else. */
	fake_clock_advance(&r->env->fc, 1000000);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xd1);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0xd100);
	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vrig_run(r), -1);
	vrig_eoi(r);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(r->v), -1);
	fake_clock_advance(&r->env->fc, 1000000);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xd1);
}

/*
 * Peer bug (KVM): VID switched back on with vectors in service kept a
 * stale SVI. 0xb1 is delivered with VID; with VID off 0xe1 is injected in
 * software and 0x41 requested; VID back on: SVI 0xe1, RVI 0x41, and each
 * virtual EOI clears the right ISR bit.
 */
static void apicv_vmx_vid_toggle(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);

	send_fixed(r->env, 0, 0xb1, false);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xb1);

	vmx_vlapic_set_vid(r->v, false);
	send_fixed(r->env, 0, 0xe1, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vrig_enter(r), 0xe1);	/* software inject */
	r->m.rflags_if = false;
	vrig_exit(r);
	send_fixed(r->env, 0, 0x41, false);

	vmx_vlapic_set_vid(r->v, true);
	r->m.rflags_if = true;
	vrig_enter(r);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0xe141);
	vrig_exit(r);

	vrig_eoi(r);
	KUNIT_EXPECT_FALSE(test, isr_test(r->v, 0xe1));
	KUNIT_EXPECT_TRUE(test, isr_test(r->v, 0xb1));
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status >> 8, 0xb1);
	KUNIT_EXPECT_EQ(test, vrig_run(r), -1);
	vrig_eoi(r);
	KUNIT_EXPECT_EQ(test, vlapic_highest_isr(r->v), -1);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x41);
}

/*
 * VID without posted interrupts (a CPU like Bochs' corei7_skylake_x):
 * deliveries go to IRR with a kick, never to the PIR, and RVI follows
 * IRR through the hooks, so the CPU still delivers them. Switching
 * posting off folds a vector already in the PIR into IRR.
 */
static void apicv_vmx_vid_without_posting(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);
	unsigned int kicks;

	send_fixed(r->env, 0, 0x33, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), 0x33);
	vmx_vlapic_set_posting(r->v, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	KUNIT_EXPECT_TRUE(test, irr_test(r->v, 0x33));

	kicks = r->env->kicks[0];
	send_fixed(r->env, 0, 0x71, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	KUNIT_EXPECT_FALSE(test, vmx_pi_test_on(&r->vx->pi));
	KUNIT_EXPECT_TRUE(test, irr_test(r->v, 0x71));
	KUNIT_EXPECT_GT(test, r->env->kicks[0], kicks);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->vx->notifications), 0);
	KUNIT_EXPECT_EQ(test, vmx_rvi(&r->vx->f), 0x71);

	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x71);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0x7133);
	vrig_eoi(r);
	r->m.rflags_if = true;	/* the handler returned */
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x33);
}

/*
 * Seed 004: halted at PPR 0x70; 0x60 and 0x61 are posted (not
 * deliverable: no wake); then the timer 0xd3 arrives as an MSI while ON
 * is still set: the vCPU is woken at once and takes 0xd3 first.
 */
static void apicv_vmx_seed004_halted(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);

	wr(r->v, APIC_TASKPRI, 0x70);
	vmx_vlapic_set_mode(r->vx, VMX_PI_HALTED);
	KUNIT_EXPECT_FALSE(test, vmx_vlapic_halt_check(r->v));

	send_fixed(r->env, 0, 0x60, false);
	send_fixed(r->env, 0, 0x61, false);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->vx->wakes), 0);
	KUNIT_EXPECT_TRUE(test, vmx_pi_test_on(&r->vx->pi));

	send_fixed(r->env, 0, 0xd3, false);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->vx->wakes), 1);
	KUNIT_EXPECT_TRUE(test, vmx_vlapic_halt_check(r->v));

	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xd3);
	KUNIT_EXPECT_EQ(test, r->vmcs.guest_intr_status, 0xd361);
}

/*
 * Peer bug (KVM): an already expired timer posted during the restore was
 * wiped by a purge that ran after it. Here a stale 0x44 sits in the PIR,
 * the restored TSC deadline has passed: the purge runs before the load,
 * the timer fires during it, and the guest takes 0xd2 and never 0x44.
 */
static void apicv_vmx_restore_due_deadline(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);
	struct vlapic_lapic_state *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	wr(r->v, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0xd2);
	vlapic_get_state(r->v, s);
	s->tsc_deadline = vlapic_guest_tsc(r->v) - 10;
	send_fixed(r->env, 0, 0x44, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), 0x44);

	KUNIT_ASSERT_EQ(test, vlapic_set_state(r->v, s), 0);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xd2);
	r->m.rflags_if = true;
	vrig_eoi(r);
	KUNIT_EXPECT_EQ(test, vrig_run(r), -1);
	KUNIT_EXPECT_EQ(test, r->m.delivered, 1);
}

/*
 * EOI-exit bitmap from the core's TMR and the IOAPIC's level routes: a
 * level-triggered vector's virtual EOI exits with its vector, an edge
 * vector's does not.
 */
static void apicv_vmx_eoi_exit_level(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);
	DECLARE_BITMAP(routes, APICV_NR_VECTORS) = {};
	u8 exit_vector = 0;

	__set_bit(0xa4, routes);
	send_fixed(r->env, 0, 0x92, true);
	send_fixed(r->env, 0, 0x51, false);
	vmx_vlapic_load_eoi_exitmap(r->v, routes);

	vrig_enter(r);
	KUNIT_EXPECT_EQ(test, r->vmcs.eoi_exit[2], BIT_ULL(0x92 - 128) |
						   BIT_ULL(0xa4 - 128));
	KUNIT_EXPECT_EQ(test, r->vmcs.eoi_exit[1], 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x92);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector),
			VMX_EXIT_EOI_INDUCED);
	KUNIT_EXPECT_EQ(test, exit_vector, 0x92);
	KUNIT_EXPECT_EQ(test, vmx_eoi_induced_exit(&r->vmcs, exit_vector),
			0x92);
	vrig_exit(r);
	/* The CPU cleared VISR; the exit is the level EOI the IOAPIC needs. */
	KUNIT_EXPECT_EQ(test, r->env->nr_eoi, 0);
	vmx_vlapic_eoi_exit(r->v, exit_vector);
	KUNIT_EXPECT_EQ(test, r->env->nr_eoi, 1);
	KUNIT_EXPECT_EQ(test, r->env->eoi_vector[0], 0x92);
	KUNIT_EXPECT_FALSE(test, isr_test(r->v, 0x92));
	KUNIT_EXPECT_EQ(test, vlapic_stat(r->v, VLAPIC_STAT_SPURIOUS_EOI), 0);

	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x51);
	vrig_enter(r);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector), 0);
	vrig_exit(r);
	KUNIT_EXPECT_EQ(test, r->m.eoi_exits, 1);
	/* The edge EOI stayed in the guest: no broadcast. */
	KUNIT_EXPECT_EQ(test, r->env->nr_eoi, 1);
}

/*
 * TPR shadow without VID, on the core: 0x51 requested at TPR 0x80 gives
 * threshold 5; the guest's TPR write to 0x60 runs on, the one to 0x40
 * exits, and that exit's entry injects 0x51 with the threshold back at 0.
 */
static void apicv_vmx_tpr_threshold(struct kunit *test)
{
	struct vrig *r = vrig_new(test, false);

	wr(r->v, APIC_TASKPRI, 0x80);
	send_fixed(r->env, 0, 0x51, false);
	KUNIT_EXPECT_EQ(test, vmx_pi_highest(&r->vx->pi), -1);
	KUNIT_EXPECT_EQ(test, vrig_enter(r), -1);
	KUNIT_EXPECT_EQ(test, r->vmcs.tpr_threshold, 5);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x60), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x40),
			VMX_EXIT_TPR_BELOW_THRESHOLD);
	vrig_exit(r);
	KUNIT_EXPECT_EQ(test, vlapic_tpr(r->v), 0x40);
	KUNIT_EXPECT_EQ(test, vrig_enter(r), 0x51);
	KUNIT_EXPECT_EQ(test, r->vmcs.tpr_threshold, 0);
	KUNIT_EXPECT_TRUE(test, isr_test(r->v, 0x51));
	KUNIT_EXPECT_EQ(test, r->m.tpr_exits, 1);
}

/*
 * Random interrupt traffic through the core, the hooks and the VMX model:
 * posts, guest EOIs, guest TPR writes, IF changes, entries. After every
 * step RVI and SVI equal the highest IRR and ISR vectors of the page, and
 * a deliverable vector never stays pending across an entry with IF set.
 */
static void apicv_vmx_random_exact(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);
	struct rnd_state rnd;
	unsigned int step;

	prandom_seed_state(&rnd, 0x5eed000);
	for (step = 0; step < 4000; step++) {
		u32 op = prandom_u32_state(&rnd) % 8;
		u8 exit_vector, ppr;
		int irr, isr;

		switch (op) {
		case 0:
		case 1:
		case 2:
			send_fixed(r->env, 0,
				   16 + prandom_u32_state(&rnd) % 240, false);
			break;
		case 3:
			vrig_enter(r);
			if (vmx_svi(&r->vmcs))
				vmx_model_eoi(&r->m, &exit_vector);
			vrig_exit(r);
			break;
		case 4:
			vrig_enter(r);
			vmx_model_write_tpr(&r->m,
					    prandom_u32_state(&rnd) & 0xf0);
			vrig_exit(r);
			break;
		case 5:
			r->m.rflags_if = true;
			break;
		default:
			vrig_run(r);
			break;
		}
		vrig_enter(r);
		irr = vmx_model_vhighest(&r->m, VAPIC_IRR);
		isr = vmx_model_vhighest(&r->m, VAPIC_ISR);
		KUNIT_ASSERT_EQ_MSG(test, r->vmcs.guest_intr_status,
				    vmx_guest_intr_status(irr, isr),
				    "step %u op %u", step, op);
		ppr = apicv_ppr(r->m.vapic[VAPIC_TPR], isr);
		KUNIT_ASSERT_EQ(test, vmx_model_vppr(&r->m), ppr);
		if (r->m.rflags_if && apicv_deliverable(irr, ppr))
			KUNIT_ASSERT_EQ(test, vmx_model_deliver(&r->m), irr);
		vrig_exit(r);
	}
	KUNIT_EXPECT_GT(test, r->m.delivered, 100);
}

/* The guest's write lands in the page; the exit replays its effects. */
static void vrig_apic_write(struct vrig *r, u32 off, u32 val)
{
	u8 *page = vlapic_regs_page(r->v);

	*(u32 *)(page + off) = val;
	KUNIT_EXPECT_EQ(r->test, vmx_vlapic_apic_write_exit(r->v, off),
			VLAPIC_ACCESS_OK);
	vrig_exit(r);
}

/*
 * APIC-write exits with VID: a self-IPI through ICR, the timer started
 * through LVTT and TMICT (xAPIC), and an x2APIC ICR write (both halves
 * in the page) reach the guest.
 */
static void apicv_vmx_apic_write_replay(struct kunit *test)
{
	struct vrig *r = vrig_new(test, true);

	vrig_apic_write(r, APIC_ICR, APIC_DEST_SELF | 0x35);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x35);
	vrig_eoi(r);

	r->m.rflags_if = true;
	vrig_apic_write(r, APIC_TDCR, APIC_TDR_DIV_1);
	vrig_apic_write(r, APIC_LVTT, 0xd1);
	vrig_apic_write(r, APIC_TMICT, 1000);
	KUNIT_EXPECT_EQ(test, vrig_run(r), -1);
	fake_clock_advance(&r->env->fc, 1000);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0xd1);
	vrig_eoi(r);

	r->m.rflags_if = true;
	KUNIT_ASSERT_EQ(test, to_x2apic(r->v), VLAPIC_ACCESS_OK);
	*(u32 *)(vlapic_regs_page(r->v) + APIC_ICR2) = vlapic_id(r->v);
	vrig_apic_write(r, APIC_ICR, 0x36);
	KUNIT_EXPECT_EQ(test, vrig_run(r), 0x36);
	KUNIT_EXPECT_EQ(test, r->m.delivered, 3);
}

/* A halting vCPU on the core racing a poster on another CPU. */
struct hrig {
	struct vmx_vlapic vx;	/* first: 64-byte aligned */
	struct lapic_env *env;
	bool woken;
	bool stop;
	unsigned int delay_us;
	wait_queue_head_t wq;
	struct completion go;
	struct completion posted;
};

static void hrig_notify(struct vmx_vlapic *vx, enum vmx_pi_action action)
{
	struct hrig *h = container_of(vx, struct hrig, vx);

	if (action == VMX_PI_WAKE) {
		WRITE_ONCE(h->woken, true);
		wake_up(&h->wq);
	}
}

static int hrig_poster(void *data)
{
	struct hrig *h = data;

	for (;;) {
		wait_for_completion(&h->go);
		if (READ_ONCE(h->stop))
			break;
		udelay(h->delay_us);
		send_fixed(h->env, 0, 0xd3, false);
		complete(&h->posted);
	}
	complete(&h->posted);
	return 0;
}

/*
 * Peer bug (KVM: wake-up not armed for a halted vCPU), on the core: the
 * vCPU halts at PPR 0x70 with 0x60 posted while another CPU sends 0xd3 as
 * an MSI at a varying moment; the halt check or the poster's wake always
 * catches it, and the vCPU takes 0xd3.
 */
static void apicv_vmx_halt_wake_race(struct kunit *test)
{
	struct hrig *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct task_struct *t;
	struct vlapic *v;
	unsigned int i, runs = 0, lost = 0, slept = 0;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)&h->vx, 64));
	h->env = env_create(test, 1, NULL, NULL);
	v = h->env->v[0];
	KUNIT_ASSERT_EQ(test, vmx_vlapic_init(&h->vx, true, hrig_notify), 0);
	vlapic_set_ops(v, &vmx_vlapic_ops, &h->vx);
	apic_sw_enable(v);
	wr(v, APIC_TASKPRI, 0x70);
	init_waitqueue_head(&h->wq);
	init_completion(&h->go);
	init_completion(&h->posted);
	t = kthread_create(hrig_poster, h, "vlapic_hrig_post");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, num_online_cpus() > 1 ? 1 : 0);
	wake_up_process(t);

	for (i = 0; i < 300; i++) {
		send_fixed(h->env, 0, 0x60, false);
		WRITE_ONCE(h->woken, false);
		h->delay_us = i % 16;
		complete(&h->go);
		udelay((i * 37) % 200);

		vmx_vlapic_set_mode(&h->vx, VMX_PI_HALTED);
		if (!vmx_vlapic_halt_check(v)) {
			slept++;
			if (!wait_event_timeout(h->wq, READ_ONCE(h->woken),
						HZ))
				lost++;
		}
		vmx_vlapic_set_mode(&h->vx, VMX_PI_IN_HOST);
		wait_for_completion(&h->posted);
		/* The vCPU takes 0xd3 and EOIs it; 0x60 stays below PPR. */
		KUNIT_EXPECT_EQ(test, vlapic_ack(v), 0xd3);
		wr(v, APIC_EOI, 0);
		runs++;
		if (lost)
			break;
	}
	WRITE_ONCE(h->stop, true);
	complete(&h->go);
	wait_for_completion(&h->posted);

	kunit_info(test, "%u of %u halts slept until woken\n", slept, runs);
	KUNIT_EXPECT_EQ(test, lost, 0);
	KUNIT_EXPECT_EQ(test, vlapic_highest_irr(v), 0x60);
}

/* --- SVM ------------------------------------------------------------------ */

struct srig {
	struct kunit *test;
	struct lapic_env *env;
	struct vlapic *v;
	struct svm_vlapic *sv;
	struct svm_vintr_fields vmcb;
	struct svm_model m;
	u8 guest_cr8;
	int log[RIG_LOG];
	unsigned int nlog;
};

static struct srig *srig_new(struct kunit *test)
{
	struct srig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->env = env_create(test, 1, NULL, NULL);
	r->v = r->env->v[0];
	r->sv = kunit_kzalloc(test, sizeof(*r->sv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->sv);
	svm_vlapic_init(r->sv);
	vlapic_set_ops(r->v, &svm_vlapic_ops, r->sv);
	r->m.f = &r->vmcb;
	r->m.rflags_if = true;
	apic_sw_enable(r->v);
	return r;
}

/* VMRUN until the guest runs (VINTR exits handled). */
static int srig_enter(struct srig *r)
{
	int exit, vector, delivered = -1;

	do {
		struct svm_guest_state g = { .interruptible = r->m.rflags_if };

		svm_vlapic_prepare_entry(r->v, &g, &r->vmcb);
		KUNIT_EXPECT_EQ(r->test, r->vmcb.v_tpr, vlapic_tpr(r->v) >> 4);
		exit = svm_model_vmrun(&r->m, &vector);
		if (exit)
			svm_vlapic_exit(r->v, &r->vmcb);
		if (vector >= 0) {
			KUNIT_EXPECT_GT_MSG(r->test, apicv_class(vector),
					    r->guest_cr8, "vector %#x", vector);
			if (r->nlog < RIG_LOG)
				r->log[r->nlog++] = vector;
			delivered = vector;
		}
	} while (exit == SVM_EXIT_VINTR);
	return delivered;
}

static void srig_exit(struct srig *r)
{
	svm_vlapic_exit(r->v, &r->vmcb);
}

static int srig_cr8(struct srig *r, u8 val)
{
	int exit;

	r->guest_cr8 = val;
	exit = svm_model_mov_cr8(&r->m, val);
	if (!exit)
		return -1;
	srig_exit(r);
	if (exit == SVM_EXIT_WRITE_CR8)
		vlapic_set_cr8(r->v, r->m.cr8_written);
	return srig_enter(r);
}

/* A write to an APIC register: intercepted (no AVIC). */
static int srig_apic_write(struct srig *r, u32 off, u32 val)
{
	srig_exit(r);
	wr(r->v, off, val);
	return srig_enter(r);
}

static int srig_sti(struct srig *r)
{
	if (svm_model_sti(&r->m) != SVM_EXIT_VINTR)
		return -1;
	srig_exit(r);
	return srig_enter(r);
}

/* An interrupt from elsewhere: the kick is an exit. */
static int srig_irq(struct srig *r, u8 vector)
{
	srig_exit(r);
	send_fixed(r->env, 0, vector, false);
	return srig_enter(r);
}

/* Seed 003 on the core: N nested spinlocks, exactly 2N - 1 CR8 exits. */
static void apicv_svm_seed003_one(struct kunit *test, unsigned int n)
{
	struct srig *r = srig_new(test);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, srig_enter(r), -1);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 2), -1);		/* lock 1 */
	KUNIT_EXPECT_EQ(test, srig_irq(r, 0xd1), 0xd1);		/* clock */
	/* Clock ISR: DPC self-IPI, EOI, IRET. */
	KUNIT_EXPECT_EQ(test, srig_apic_write(r, APIC_ICR,
					      APIC_DEST_SELF | 0x2f), -1);
	KUNIT_EXPECT_EQ(test, srig_apic_write(r, APIC_EOI, 0), -1);
	KUNIT_EXPECT_TRUE(test, r->vmcb.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, srig_sti(r), -1);
	for (i = 2; i <= n; i++)
		KUNIT_EXPECT_EQ(test, srig_cr8(r, 2), -1);
	for (i = n; i >= 2; i--)
		KUNIT_EXPECT_EQ(test, srig_cr8(r, 2), -1);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 0), 0x2f);		/* unlock 1 */
	KUNIT_EXPECT_FALSE(test, r->vmcb.intercept_cr8_write);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 2), -1);		/* DPC level */
	KUNIT_EXPECT_EQ(test, srig_apic_write(r, APIC_EOI, 0), -1);
	KUNIT_EXPECT_EQ(test, srig_sti(r), -1);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 0), -1);

	KUNIT_EXPECT_EQ_MSG(test, r->m.cr8_exits, 2 * n - 1, "N = %u", n);
	KUNIT_EXPECT_EQ(test, r->nlog, 2);
	KUNIT_EXPECT_EQ(test, r->log[0], 0xd1);
	KUNIT_EXPECT_EQ(test, r->log[1], 0x2f);
	KUNIT_EXPECT_EQ(test, r->m.bad_injections, 0);
	KUNIT_EXPECT_EQ(test, r->m.vintr_exits, 0);
	srig_exit(r);
	KUNIT_EXPECT_EQ(test, vlapic_tpr(r->v), 0);
	env_exit(test);
}

static void apicv_svm_seed003(struct kunit *test)
{
	unsigned int n;

	for (n = 1; n <= 4; n++)
		apicv_svm_seed003_one(test, n);
}

/*
 * Peer bug (KVM AVIC): a TPR set by state restore never reached V_TPR.
 * Restore TPR 0xf0 with 0x80 pending: V_TPR is 0xf before any entry;
 * CR8 9 exits and delivers nothing, CR8 7 delivers 0x80.
 */
static void apicv_svm_restored_tpr(struct kunit *test)
{
	struct srig *r = srig_new(test);
	struct vlapic_lapic_state *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	vlapic_get_state(r->v, s);
	REG(s, APIC_TASKPRI) = 0xf0;
	REG(s, APIC_IRR + (0x80 / 32) * 16) |= BIT(0x80 % 32);
	KUNIT_ASSERT_EQ(test, vlapic_set_state(r->v, s), 0);
	KUNIT_EXPECT_EQ(test, r->sv->f.v_tpr, 0xf);
	KUNIT_EXPECT_TRUE(test, r->sv->f.intercept_cr8_write);

	r->guest_cr8 = 0xf;
	KUNIT_EXPECT_EQ(test, srig_enter(r), -1);
	KUNIT_EXPECT_EQ(test, r->vmcb.v_tpr, 0xf);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 9), -1);
	KUNIT_EXPECT_EQ(test, srig_cr8(r, 7), 0x80);
	KUNIT_EXPECT_EQ(test, r->m.cr8_exits, 2);
}

/*
 * Random guest on the core and the SVM model: CR8 writes, interrupts,
 * EOIs, IF changes. After every step nothing deliverable is pending while
 * the guest is interruptible (no missed priority drop), every CR8 exit
 * happened while a vector was held back by the TPR alone (no needless
 * exit), V_TPR matched TPR at every entry, and no vector was delivered at
 * or below CR8 (checked in srig_enter()).
 */
static void apicv_svm_random(struct kunit *test)
{
	struct srig *r = srig_new(test);
	struct apicv_intr_state s;
	struct rnd_state rnd;
	unsigned int step, exits;

	prandom_seed_state(&rnd, 0x5eed003);
	srig_enter(r);
	for (step = 0; step < 4000; step++) {
		u32 op = prandom_u32_state(&rnd) % 8;
		bool only_tpr;
		u8 tpr, ppr;

		s.max_irr = vlapic_highest_irr(r->v);
		s.max_isr = vlapic_highest_isr(r->v);
		s.tpr = svm_exit_tpr(&r->vmcb, vlapic_tpr(r->v));
		only_tpr = svm_cr8_intercept(&s);
		exits = r->m.cr8_exits;
		switch (op) {
		case 0:
		case 1:
		case 2:
			srig_cr8(r, prandom_u32_state(&rnd) % 16);
			KUNIT_ASSERT_TRUE(test, r->m.cr8_exits == exits ||
					  only_tpr);
			break;
		case 3:
		case 4:
			srig_irq(r, 16 + prandom_u32_state(&rnd) % 240);
			break;
		case 5:
			srig_apic_write(r, APIC_EOI, 0);
			break;
		case 6:
			srig_sti(r);
			break;
		default:
			r->m.rflags_if = false;
			break;
		}
		r->nlog = 0;
		/* The guest's TPR: V_TPR if it changed it without an exit. */
		tpr = svm_exit_tpr(&r->vmcb, vlapic_tpr(r->v));
		ppr = apicv_ppr(tpr, vlapic_highest_isr(r->v));
		if (r->m.rflags_if)
			KUNIT_ASSERT_FALSE_MSG(test,
					       apicv_deliverable(vlapic_highest_irr(r->v),
								 ppr),
					       "step %u", step);
	}
	KUNIT_EXPECT_EQ(test, r->m.bad_injections, 0);
	KUNIT_EXPECT_EQ(test, r->m.virq_taken, 0);
	KUNIT_EXPECT_GT(test, vlapic_stat(r->v, VLAPIC_STAT_ACKED), 100);
}

static struct kunit_case apicv_core_cases[] = {
	KUNIT_CASE(apicv_vmx_seed000_reboot),
	KUNIT_CASE(apicv_vmx_vid_toggle),
	KUNIT_CASE(apicv_vmx_vid_without_posting),
	KUNIT_CASE(apicv_vmx_seed004_halted),
	KUNIT_CASE(apicv_vmx_restore_due_deadline),
	KUNIT_CASE(apicv_vmx_eoi_exit_level),
	KUNIT_CASE(apicv_vmx_random_exact),
	KUNIT_CASE(apicv_vmx_tpr_threshold),
	KUNIT_CASE(apicv_vmx_halt_wake_race),
	KUNIT_CASE(apicv_vmx_apic_write_replay),
	KUNIT_CASE(apicv_svm_seed003),
	KUNIT_CASE(apicv_svm_restored_tpr),
	KUNIT_CASE(apicv_svm_random),
	{}
};

static struct kunit_suite apicv_core_suite = {
	.name = "vlapic_apicv_core",
	.test_cases = apicv_core_cases,
	.exit = env_exit,
};

kunit_test_suite(apicv_core_suite);
