// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_vmx: the VMX interrupt fields (vmx/intr.c) driven through the
 * SDM model (tests/model/vmx_model.c): RVI/SVI, the TPR threshold with
 * the TPR shadow only, the EOI-exit bitmap and EOI-induced exits, APIC
 * write exits, and virtual-interrupt delivery switched at runtime.
 *
 * With virtual-interrupt delivery the virtual-APIC page is the vLAPIC's
 * register page, so the "vLAPIC" of these cases is the page itself plus
 * the two hooks the core calls (irr_updated: vmx_set_rvi, isr_updated:
 * vmx_set_svi).
 */

#include <kunit/test.h>
#include <linux/slab.h>

#include <vlapic/vmx.h>

#include "../model/model.h"

struct vmx_rig {
	struct vmx_apic_fields f;
	struct vmx_model m;
};

static struct vmx_rig *vmx_rig_new(struct kunit *test, bool vid)
{
	struct vmx_rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->m.vapic = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->m.vapic);
	r->m.f = &r->f;
	r->m.rflags_if = true;
	r->f.tpr_shadow = true;
	r->f.vid = vid;
	return r;
}

static void vmx_rig_state(struct vmx_rig *r, struct apicv_intr_state *s)
{
	s->max_irr = vmx_model_vhighest(&r->m, VAPIC_IRR);
	s->max_isr = vmx_model_vhighest(&r->m, VAPIC_ISR);
	s->tpr = r->m.vapic[VAPIC_TPR];
}

/* The core accepts @vector into IRR and calls irr_updated. */
static void vmx_rig_accept(struct vmx_rig *r, u8 vector)
{
	vmx_model_vset(&r->m, VAPIC_IRR, vector);
	vmx_set_rvi(&r->f, vmx_model_vhighest(&r->m, VAPIC_IRR));
}

/* RVI and SVI are exact, and 0 when empty, whatever they held. */
static void vmx_intr_status_exact(struct kunit *test)
{
	struct vmx_apic_fields f = { .guest_intr_status = 0xe0f1 };

	KUNIT_EXPECT_EQ(test, vmx_guest_intr_status(-1, -1), 0);
	KUNIT_EXPECT_EQ(test, vmx_guest_intr_status(0x31, 0xe0), 0xe031);
	vmx_set_rvi(&f, -1);
	KUNIT_EXPECT_EQ(test, f.guest_intr_status, 0xe000);
	vmx_set_svi(&f, 0x41);
	KUNIT_EXPECT_EQ(test, f.guest_intr_status, 0x4100);
	vmx_set_rvi(&f, 0x22);
	vmx_set_svi(&f, -1);
	KUNIT_EXPECT_EQ(test, f.guest_intr_status, 0x0022);
}

/* Threshold: class of the highest IRR vector if TPR blocks it, else 0. */
static void vmx_tpr_threshold_rule(struct kunit *test)
{
	struct apicv_intr_state s = { .max_irr = -1, .max_isr = -1 };
	struct vmx_rig *r = vmx_rig_new(test, false);
	int tpr, irr;

	s.tpr = 0xf0;
	KUNIT_EXPECT_EQ(test, vmx_tpr_threshold(&s), 0);
	s.max_irr = 0x51;
	s.tpr = 0x60;
	KUNIT_EXPECT_EQ(test, vmx_tpr_threshold(&s), 5);
	s.max_irr = 0x6f;
	KUNIT_EXPECT_EQ(test, vmx_tpr_threshold(&s), 6);
	s.max_irr = 0x70;
	KUNIT_EXPECT_EQ(test, vmx_tpr_threshold(&s), 0);

	/*
	 * For every TPR and IRR class the entry is valid (threshold never
	 * above VTPR[7:4]) and the first TPR write that makes the vector
	 * deliverable exits, no earlier write does.
	 */
	for (tpr = 0; tpr < 16; tpr++) {
		for (irr = 1; irr < 16; irr++) {
			u8 deliverable_below = irr;
			int w;

			s.max_irr = irr << 4;
			s.max_isr = -1;
			s.tpr = tpr << 4;
			r->m.vapic[VAPIC_TPR] = s.tpr;
			vmx_prepare_entry(&r->f, &s);
			KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
			for (w = 15; w >= 0; w--) {
				int exit = vmx_model_write_tpr(&r->m, w << 4);
				bool need = irr <= tpr && w < deliverable_below;

				KUNIT_EXPECT_EQ_MSG(test, exit,
						    need ? VMX_EXIT_TPR_BELOW_THRESHOLD : 0,
						    "tpr %x irr %x write %x",
						    tpr, irr, w);
				if (exit)
					break;
			}
		}
	}
}

/*
 * TPR shadow, no VID: 0x51 requested at TPR 0x80. Lowering TPR to 0x60
 * runs on; lowering it to 0x40 exits, and the interrupt goes in.
 */
static void vmx_tpr_shadow_sequence(struct kunit *test)
{
	struct vmx_rig *r = vmx_rig_new(test, false);
	struct ref_lapic l = { .tpr = 0x80 };
	struct apicv_intr_state s;

	apicv_vec_set(l.irr, 0x51);
	r->m.vapic[VAPIC_TPR] = l.tpr;
	ref_lapic_state(&l, &s);
	vmx_prepare_entry(&r->f, &s);
	KUNIT_EXPECT_EQ(test, r->f.tpr_threshold, 5);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x60), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x50), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x40),
			VMX_EXIT_TPR_BELOW_THRESHOLD);
	/* Exit: TPR from the page, the interrupt is injected and acked. */
	l.tpr = r->m.vapic[VAPIC_TPR];
	KUNIT_EXPECT_EQ(test, ref_lapic_ack(&l), 0x51);
	ref_lapic_state(&l, &s);
	vmx_prepare_entry(&r->f, &s);
	KUNIT_EXPECT_EQ(test, r->f.tpr_threshold, 0);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0), 0);
	KUNIT_EXPECT_EQ(test, r->m.tpr_exits, 1);
}

/* VID: delivery in priority order, TPR and EOI virtualized, no exits. */
static void vmx_vid_delivery_sequence(struct kunit *test)
{
	struct vmx_rig *r = vmx_rig_new(test, true);
	u8 exit_vector = 0;

	r->m.vapic[VAPIC_TPR] = 0x40;
	vmx_rig_accept(r, 0x31);
	vmx_rig_accept(r, 0x51);
	KUNIT_EXPECT_EQ(test, vmx_rvi(&r->f), 0x51);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x51);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0x5131);
	r->m.rflags_if = true;
	/* 0x31: blocked by TPR 0x40 and by 0x51 in service. */
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector), 0);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0x0031);
	KUNIT_EXPECT_EQ(test, vmx_model_vppr(&r->m), 0x40);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x30), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	KUNIT_EXPECT_EQ(test, vmx_model_write_tpr(&r->m, 0x20), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x31);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0x3100);
	KUNIT_EXPECT_EQ(test, r->m.delivered, 2);
	KUNIT_EXPECT_EQ(test, r->m.eoi_exits + r->m.tpr_exits, 0);
}

/* EOI-exit bitmap = TMR | level routes; only those EOIs exit. */
static void vmx_eoi_exit_bitmap(struct kunit *test)
{
	struct vmx_rig *r = vmx_rig_new(test, true);
	u32 tmr[APICV_VEC_WORDS] = {}, routes[APICV_VEC_WORDS] = {};
	u8 exit_vector = 0;
	int v;

	apicv_vec_set(tmr, 0x31);
	apicv_vec_set(routes, 0x92);
	apicv_vec_set(routes, 0xff);
	memset(r->f.eoi_exit, 0xff, sizeof(r->f.eoi_exit));
	vmx_build_eoi_exitmap(&r->f, tmr, routes);
	KUNIT_EXPECT_EQ(test, r->f.eoi_exit[0], BIT_ULL(0x31));
	KUNIT_EXPECT_EQ(test, r->f.eoi_exit[1], 0);
	KUNIT_EXPECT_EQ(test, r->f.eoi_exit[2], BIT_ULL(0x92 - 128));
	KUNIT_EXPECT_EQ(test, r->f.eoi_exit[3], BIT_ULL(63));
	vmx_build_eoi_exitmap(&r->f, tmr, NULL);
	for (v = 0; v < 256; v++)
		KUNIT_EXPECT_EQ(test, vmx_eoi_exit_test(&r->f, v), v == 0x31);
	vmx_build_eoi_exitmap(&r->f, tmr, routes);

	vmx_rig_accept(r, 0x92);
	vmx_rig_accept(r, 0x51);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x92);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector),
			VMX_EXIT_EOI_INDUCED);
	KUNIT_EXPECT_EQ(test, exit_vector, 0x92);
	KUNIT_EXPECT_EQ(test, vmx_eoi_induced_exit(&r->f, exit_vector), 0x92);
	/* The CPU already moved SVI; the core's isr_updated agrees. */
	KUNIT_EXPECT_EQ(test, vmx_svi(&r->f), 0);
	vmx_set_svi(&r->f, vmx_model_vhighest(&r->m, VAPIC_ISR));
	KUNIT_EXPECT_EQ(test, vmx_svi(&r->f), 0);

	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x51);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector), 0);
	KUNIT_EXPECT_EQ(test, r->m.eoi_exits, 1);
}

/* APIC-write exits name the register whose side effects to replay. */
static void vmx_apic_write_exits(struct kunit *test)
{
	struct vmx_apic_fields f = { .tpr_shadow = true, .vid = true };

	KUNIT_EXPECT_EQ(test, vmx_apic_write_exit(&f, 0x300), 0x300);
	KUNIT_EXPECT_EQ(test, vmx_apic_write_exit(&f, 0x280), 0x280);
	KUNIT_EXPECT_EQ(test, vmx_apic_write_exit(&f, 0xf0), 0xf0);
	/* Bits above 11 of the qualification are not the offset. */
	KUNIT_EXPECT_EQ(test, vmx_apic_write_exit(&f, 0x1000 | 0x320), 0x320);
	f.vid = false;
	KUNIT_EXPECT_EQ(test, vmx_apic_write_exit(&f, 0xb0), 0xb0);
}

/*
 * Peer bug (KVM): VID switched back on with vectors in service left SVI
 * stale; the guest's EOI then cleared the wrong ISR bit and a vector
 * stayed in service forever. Here VID is off while the software path
 * delivers 0xe1 over 0xb1 and requests 0x41; switching VID on rebuilds
 * SVI = 0xe1, RVI = 0x41, and each EOI clears the right bit.
 */
static void vmx_vid_toggle_rebuilds(struct kunit *test)
{
	struct vmx_rig *r = vmx_rig_new(test, true);
	struct apicv_intr_state s;
	u8 exit_vector;

	vmx_rig_accept(r, 0xb1);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0xb1);
	KUNIT_EXPECT_EQ(test, vmx_svi(&r->f), 0xb1);

	/* VID off (APICv inhibited): software injection, no hooks. */
	vmx_rig_state(r, &s);
	vmx_set_vid(&r->f, false, &s);
	vmx_model_vset(&r->m, VAPIC_ISR, 0xe1);
	vmx_model_vset(&r->m, VAPIC_IRR, 0x41);

	vmx_rig_state(r, &s);
	vmx_set_vid(&r->f, true, &s);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0xe141);
	KUNIT_EXPECT_EQ(test, r->f.tpr_threshold, 0);

	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector), 0);
	KUNIT_EXPECT_FALSE(test, vmx_model_vtest(&r->m, VAPIC_ISR, 0xe1));
	KUNIT_EXPECT_TRUE(test, vmx_model_vtest(&r->m, VAPIC_ISR, 0xb1));
	KUNIT_EXPECT_EQ(test, vmx_svi(&r->f), 0xb1);
	KUNIT_EXPECT_EQ(test, vmx_model_eoi(&r->m, &exit_vector), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_vhighest(&r->m, VAPIC_ISR), -1);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0x41);
}

/*
 * Seed 000 in the fields alone: with 0xf1 requested and 0xe1 in service,
 * RESET empties IRR and ISR and the hooks report -1; RVI and SVI become 0
 * and the timer 0xd1 is the first and only vector the guest sees. (The
 * replay through the vLAPIC core is in vlapic_apicv_core.)
 */
static void vmx_seed000_reset_fields(struct kunit *test)
{
	struct vmx_rig *r = vmx_rig_new(test, true);

	vmx_rig_accept(r, 0xe1);
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0xe1);
	vmx_rig_accept(r, 0xf1);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0xe1f1);

	/* RESET: registers cleared, then the hooks with the new highest. */
	memset(r->m.vapic, 0, PAGE_SIZE);
	vmx_set_rvi(&r->f, -1);
	vmx_set_svi(&r->f, -1);
	KUNIT_EXPECT_EQ(test, r->f.guest_intr_status, 0);

	r->m.rflags_if = true;
	KUNIT_EXPECT_EQ(test, vmx_model_entry(&r->m), 0);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), -1);
	vmx_rig_accept(r, 0xd1);
	KUNIT_EXPECT_EQ(test, vmx_model_deliver(&r->m), 0xd1);
	KUNIT_EXPECT_EQ(test, r->m.delivered, 2);
}

static struct kunit_case vmx_cases[] = {
	KUNIT_CASE(vmx_intr_status_exact),
	KUNIT_CASE(vmx_tpr_threshold_rule),
	KUNIT_CASE(vmx_tpr_shadow_sequence),
	KUNIT_CASE(vmx_vid_delivery_sequence),
	KUNIT_CASE(vmx_eoi_exit_bitmap),
	KUNIT_CASE(vmx_apic_write_exits),
	KUNIT_CASE(vmx_vid_toggle_rebuilds),
	KUNIT_CASE(vmx_seed000_reset_fields),
	{}
};

static struct kunit_suite vmx_suite = {
	.name = "vlapic_vmx",
	.test_cases = vmx_cases,
};

kunit_test_suite(vmx_suite);
