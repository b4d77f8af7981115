// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_vmcs: the VMCS accessors (vmx/vmcs.c): which VMWRITEs take the
 * current VMCS to the fields of the next entry. Encodings and control
 * bits are checked against the numbers of SDM vol. 3 appendix B and
 * "VM-Execution Control Fields", written here as literals, independently
 * of the <asm/vmx.h> names the code uses.
 *
 * The VMWRITE/VMREAD instructions themselves need VMX operation, which
 * the test VM (QEMU TCG) does not have; everything they are given is
 * computed by vmx_vmcs_apic_writes(), checked here.
 */

#include <kunit/test.h>
#include <linux/slab.h>

#include <vlapic/lapic.h>
#include <vlapic/vmx.h>

#include "lapic_env.h"

/* SDM appendix B encodings. */
#define SDM_POSTED_INTR_NV		0x0002
#define SDM_GUEST_INTR_STATUS		0x0810
#define SDM_VIRTUAL_APIC_PAGE_ADDR	0x2012
#define SDM_POSTED_INTR_DESC_ADDR	0x2016
#define SDM_EOI_EXIT_BITMAP(n)		(0x201c + 2 * (n))
#define SDM_CPU_BASED_CONTROLS		0x4002
#define SDM_TPR_THRESHOLD		0x401c
#define SDM_SECONDARY_CONTROLS		0x401e
/* Control bits. */
#define SDM_USE_TPR_SHADOW		BIT(21)
#define SDM_ACTIVATE_SECONDARY		BIT(31)
#define SDM_VIRTUAL_INTR_DELIVERY	BIT(9)
#define SDM_HLT_EXITING			BIT(7)
#define SDM_ENABLE_EPT			BIT(1)

/* The value written to @field, or -1 if it is not written. */
static s64 written(const struct vmx_vmcs_write *w, unsigned int n, u32 field)
{
	unsigned int i;
	s64 v = -1;

	for (i = 0; i < n; i++)
		if (w[i].field == field)
			v = w[i].value;
	return v;
}

static unsigned int count(const struct vmx_vmcs_write *w, unsigned int n,
			  u32 field)
{
	unsigned int i, c = 0;

	for (i = 0; i < n; i++)
		c += w[i].field == field;
	return c;
}

/* A new VMCS with VID: controls, RVI/SVI, the four EOI-exit bitmaps. */
static void vmcs_first_entry_vid(struct kunit *test)
{
	struct vmx_apic_fields f = {
		.tpr_shadow = true, .vid = true,
		.guest_intr_status = 0xe031,
		.eoi_exit = { 1, 2, 3, BIT_ULL(63) },
	};
	struct vmx_vmcs_apic cur = {
		.exec_ctl = SDM_HLT_EXITING, .exec2_ctl = SDM_ENABLE_EPT,
	};
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned int n = vmx_vmcs_apic_writes(&cur, &f, w), i;

	KUNIT_EXPECT_EQ(test, n, 7);
	/* Secondary before primary. */
	KUNIT_EXPECT_EQ(test, w[0].field, SDM_SECONDARY_CONTROLS);
	KUNIT_EXPECT_EQ(test, w[1].field, SDM_CPU_BASED_CONTROLS);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_SECONDARY_CONTROLS),
			SDM_ENABLE_EPT | SDM_VIRTUAL_INTR_DELIVERY);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_CPU_BASED_CONTROLS),
			SDM_HLT_EXITING | SDM_USE_TPR_SHADOW |
			SDM_ACTIVATE_SECONDARY);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_GUEST_INTR_STATUS), 0xe031);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, written(w, n, SDM_EOI_EXIT_BITMAP(i)),
				(s64)f.eoi_exit[i]);
	/* With VID the threshold is not used: not written. */
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_TPR_THRESHOLD), 0);
	KUNIT_EXPECT_TRUE(test, cur.valid);

	/* The same fields again: nothing to write. */
	KUNIT_EXPECT_EQ(test, vmx_vmcs_apic_writes(&cur, &f, w), 0);
}

/* TPR shadow only: the controls and the threshold, nothing of VID. */
static void vmcs_first_entry_tpr_shadow(struct kunit *test)
{
	struct vmx_apic_fields f = { .tpr_shadow = true, .tpr_threshold = 5 };
	struct vmx_vmcs_apic cur = {};
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned int n = vmx_vmcs_apic_writes(&cur, &f, w);

	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_SECONDARY_CONTROLS), 0);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_CPU_BASED_CONTROLS),
			SDM_USE_TPR_SHADOW);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_TPR_THRESHOLD), 5);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_GUEST_INTR_STATUS), 0);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_EOI_EXIT_BITMAP(0)), 0);

	f.tpr_threshold = 2;
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_TPR_THRESHOLD), 2);
}

/* Only what changed is written, and exactly once. */
static void vmcs_minimal_writes(struct kunit *test)
{
	struct vmx_apic_fields f = { .tpr_shadow = true, .vid = true };
	struct vmx_vmcs_apic cur = {};
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned int n;

	vmx_vmcs_apic_writes(&cur, &f, w);
	f.guest_intr_status = 0x0051;
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_GUEST_INTR_STATUS), 0x51);

	f.eoi_exit[2] = BIT_ULL(0x93 - 128);
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_EOI_EXIT_BITMAP(2)),
			(s64)BIT_ULL(0x93 - 128));

	/* VID off: the secondary control only (primary keeps "activate"). */
	f.vid = false;
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_SECONDARY_CONTROLS), 1);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_SECONDARY_CONTROLS), 0);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_CPU_BASED_CONTROLS), 0);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_GUEST_INTR_STATUS), 0);
}

/*
 * Seed 000 at the VMCS: the VMCS holds RVI 0xf1 from before a reboot
 * (the CPU may also have changed it: vmx_vmcs_save_apic() puts what it
 * left in the cache); after RESET and a restore without pending vectors
 * the entry writes guest interrupt status 0. It is never skipped because
 * the new value is "none".
 */
static void vmcs_seed000_rvi_rewritten(struct kunit *test)
{
	struct lapic_env *env = env_create(test, 1, NULL, NULL);
	struct vmx_vlapic *vx = kunit_kzalloc(test, sizeof(*vx), GFP_KERNEL);
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	struct vmx_vmcs_apic cur = {};
	struct vmx_apic_fields f;
	struct vlapic *v = env->v[0];
	unsigned int n;

	KUNIT_ASSERT_NOT_NULL(test, vx);
	KUNIT_ASSERT_EQ(test, vmx_vlapic_init(vx, true, NULL), 0);
	vlapic_set_ops(v, &vmx_vlapic_ops, vx);
	apic_sw_enable(v);
	send_fixed(env, 0, 0xf1, false);
	vmx_vlapic_prepare_entry(v, true, &f);
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_GUEST_INTR_STATUS), 0xf1);

	vlapic_reset(v);
	apic_sw_enable(v);
	vmx_vlapic_prepare_entry(v, true, &f);
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, count(w, n, SDM_GUEST_INTR_STATUS), 1);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_GUEST_INTR_STATUS), 0);

	/* The CPU left RVI 0x33 in the VMCS (read back after the exit). */
	cur.guest_intr_status = 0x33;
	n = vmx_vmcs_apic_writes(&cur, &f, w);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_GUEST_INTR_STATUS), 0);
}

/* The fixed fields of a new VMCS: the virtual-APIC page, PI descriptor. */
static void vmcs_setup_writes(struct kunit *test)
{
	struct vmx_vlapic *vx = kunit_kzalloc(test, sizeof(*vx), GFP_KERNEL);
	void *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned int n;

	KUNIT_ASSERT_NOT_NULL(test, vx);
	KUNIT_ASSERT_NOT_NULL(test, page);
	n = vmx_vmcs_apic_setup_writes(vx, __pa(page), true, 0xf2, w);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_VIRTUAL_APIC_PAGE_ADDR),
			(s64)__pa(page));
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_POSTED_INTR_NV), 0xf2);
	KUNIT_EXPECT_EQ(test, written(w, n, SDM_POSTED_INTR_DESC_ADDR),
			(s64)__pa(&vx->pi));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(__pa(&vx->pi), 64));

	n = vmx_vmcs_apic_setup_writes(vx, __pa(page), false, 0xf2, w);
	KUNIT_EXPECT_EQ(test, n, 1);
}

static struct kunit_case vmcs_cases[] = {
	KUNIT_CASE(vmcs_first_entry_vid),
	KUNIT_CASE(vmcs_first_entry_tpr_shadow),
	KUNIT_CASE(vmcs_minimal_writes),
	KUNIT_CASE(vmcs_seed000_rvi_rewritten),
	KUNIT_CASE(vmcs_setup_writes),
	{}
};

static struct kunit_suite vmcs_suite = {
	.name = "vlapic_vmcs",
	.test_cases = vmcs_cases,
	.exit = env_exit,
};

kunit_test_suite(vmcs_suite);
