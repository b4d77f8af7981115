/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX APIC virtualization (Intel SDM vol. 3, "APIC Virtualization and
 * Virtual Interrupts"): the decision code of the VMX backend.
 *
 * - vmx/posted.c: the posted-interrupt descriptor (post, sync, SN, the
 *   notification and wake rule, the halt check).
 * - vmx/intr.c: the guest interrupt status (RVI/SVI), the TPR threshold,
 *   the EOI-exit bitmap, and what EOI-induced and APIC-write exits mean.
 *
 * - vmx/vmcs.c: the VMCS accessors (VMWRITE/VMREAD of those fields).
 *
 * The decision code never touches a VMCS: struct vmx_apic_fields is the
 * software copy of the fields that vmx/vmcs.c writes before each entry.
 * The rules and their reasons are in docs/apicv.md.
 */
#ifndef _VLAPIC_VMX_H
#define _VLAPIC_VMX_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <asm/asm.h>

#include <vlapic/apicv.h>

struct vlapic;
struct vlapic_ops;

/* --- posted-interrupt descriptor (vmx/posted.c) ------------------------- */

/* Bits of struct vmx_pi_desc::control (descriptor bits 256 + n). */
#define VMX_PI_ON		0	/* outstanding notification, bit 256 */
#define VMX_PI_SN		1	/* suppress notification, bit 257 */
#define VMX_PI_NV_SHIFT		16	/* notification vector, bits 279:272 */
#define VMX_PI_NDST_SHIFT	32	/* notification destination, 319:288 */

/**
 * struct vmx_pi_desc - posted-interrupt descriptor, SDM layout.
 * @pir: posted-interrupt requests, one bit per vector (bits 255:0).
 * @control: bits 319:256: ON (bit 0), SN (bit 1), NV (bits 23:16), NDST
 *	(bits 63:32). ON and SN change only by atomic bit operations, NV and
 *	NDST only by cmpxchg of the whole word (vmx_pi_set_notification()),
 *	because the CPU, the IOMMU and other CPUs update the word concurrently.
 * @flags: ON and SN (view of @control bits 15:0; 15:2 reserved).
 * @nv: notification vector (view of @control bits 23:16).
 * @rsvd0: @control bits 31:24, reserved.
 * @ndst: notification destination, the physical APIC ID of the CPU the
 *	vCPU runs on (xAPIC: bits 15:8; x2APIC: all 32 bits).
 * @rsvd: bits 511:320, zero.
 *
 * One per vCPU, 64-byte aligned (the CPU requires it).
 */
struct vmx_pi_desc {
	unsigned long pir[4];
	union {
		unsigned long control;
		struct {
			u16 flags;
			u8 nv;
			u8 rsvd0;
			u32 ndst;
		};
	};
	u32 rsvd[6];
} __aligned(64);

/* Outcome bits of vmx_pi_post(). */
#define VMX_PI_POST_NEW		BIT(0)	/* the vector was not yet in the PIR */
#define VMX_PI_POST_SET_ON	BIT(1)	/* this post set ON */
#define VMX_PI_POST_SN		BIT(2)	/* SN was set: ON left alone */

/*
 * Where the target vCPU is, as the poster sees it after posting (the run
 * loop publishes it with a full barrier before its last PIR check).
 */
enum vmx_pi_vcpu_mode {
	/* In VMX non-root operation, or past its last PIR sync before entry. */
	VMX_PI_IN_GUEST,
	/* Runnable outside the guest: syncs the PIR before the next entry. */
	VMX_PI_IN_HOST,
	/* Blocked in HLT: runs again only when woken. */
	VMX_PI_HALTED,
};

/* What the poster must do after vmx_pi_post(). */
enum vmx_pi_action {
	VMX_PI_NONE,
	VMX_PI_NOTIFY,	/* send the notification vector to NDST */
	VMX_PI_WAKE,	/* wake the halted vCPU */
};

unsigned int vmx_pi_post(struct vmx_pi_desc *pi, u8 vector);
enum vmx_pi_action vmx_pi_post_action(unsigned int post,
				      enum vmx_pi_vcpu_mode mode, u8 vector,
				      u8 ppr);
bool vmx_pi_sync(struct vmx_pi_desc *pi, u32 *irr);
void vmx_pi_purge(struct vmx_pi_desc *pi);
void vmx_pi_set_sn(struct vmx_pi_desc *pi);
bool vmx_pi_clear_sn(struct vmx_pi_desc *pi);
bool vmx_pi_test_on(const struct vmx_pi_desc *pi);
bool vmx_pi_test_sn(const struct vmx_pi_desc *pi);
int vmx_pi_highest(const struct vmx_pi_desc *pi);
u32 vmx_pi_ndst(u32 apic_id, bool x2apic);
void vmx_pi_set_notification(struct vmx_pi_desc *pi, u8 nv, u32 ndst);
bool vmx_halt_has_deliverable(const struct vmx_pi_desc *pi, const u32 *irr,
			      u8 rvi, u8 ppr);

/* --- interrupt fields and exits (vmx/intr.c) ----------------------------- */

/**
 * struct vmx_apic_fields - the VMCS fields of APIC virtualization.
 * @tpr_shadow: primary control "use TPR shadow".
 * @vid: secondary control "virtual-interrupt delivery".
 * @guest_intr_status: RVI (bits 7:0) and SVI (bits 15:8); meaningful only
 *	with @vid, rebuilt whenever @vid is switched on.
 * @tpr_threshold: TPR threshold (bits 3:0); 0 with @vid.
 * @eoi_exit: EOI-exit bitmaps 0-3 (bit n of word n / 64: vector n).
 *
 * Owned by the vCPU: written with the vLAPIC's lock held (the vlapic_ops
 * hooks) or by the vCPU thread before entry, read by the run loop.
 */
struct vmx_apic_fields {
	bool tpr_shadow;
	bool vid;
	u16 guest_intr_status;
	u32 tpr_threshold;
	u64 eoi_exit[4];
};

static inline u8 vmx_rvi(const struct vmx_apic_fields *f)
{
	return f->guest_intr_status & 0xff;
}

static inline u8 vmx_svi(const struct vmx_apic_fields *f)
{
	return f->guest_intr_status >> 8;
}

static inline bool vmx_eoi_exit_test(const struct vmx_apic_fields *f,
				     u8 vector)
{
	return f->eoi_exit[vector / 64] & BIT_ULL(vector % 64);
}

/* Exit reasons (SDM appendix C) the decision code handles. */
#define VMX_EXIT_TPR_BELOW_THRESHOLD	43
#define VMX_EXIT_EOI_INDUCED		45
#define VMX_EXIT_APIC_WRITE		56

u16 vmx_guest_intr_status(int max_irr, int max_isr);
void vmx_set_rvi(struct vmx_apic_fields *f, int max_irr);
void vmx_set_svi(struct vmx_apic_fields *f, int max_isr);
u32 vmx_tpr_threshold(const struct apicv_intr_state *s);
void vmx_prepare_entry(struct vmx_apic_fields *f,
		       const struct apicv_intr_state *s);
void vmx_set_vid(struct vmx_apic_fields *f, bool on,
		 const struct apicv_intr_state *s);
void vmx_build_eoi_exitmap(struct vmx_apic_fields *f, const u32 *tmr,
			   const u32 *level_routes);
int vmx_eoi_induced_exit(const struct vmx_apic_fields *f, u64 exit_qual);
int vmx_apic_write_exit(const struct vmx_apic_fields *f, u64 exit_qual);

/* --- the vLAPIC's VMX hooks (vmx/ops.c) -------------------------------- */

struct vmx_vlapic;

/* Sends the notification IPI or wakes the vCPU; any context, no sleep. */
typedef void (*vmx_vlapic_notify_t)(struct vmx_vlapic *vx,
				    enum vmx_pi_action action);

/**
 * struct vmx_vlapic - the VMX side of one vCPU's vLAPIC.
 * @pi: its posted-interrupt descriptor (64-byte aligned: first member).
 * @lock: protects @f and @s; taken inside the vLAPIC's lock by the hooks,
 *	alone by the vCPU thread; a leaf.
 * @f: the interrupt fields the next entry loads, kept exact by the hooks.
 * @s: the vLAPIC state as the hooks last reported it.
 * @mode: enum vmx_pi_vcpu_mode, published by the run loop.
 * @posting: with @f.vid, deliveries are posted to @pi; false on a CPU
 *	without posted-interrupt processing (vmx_vlapic_set_posting()).
 * @notify: what a post that needs a notification or wake calls.
 * @notifications: VMX_PI_NOTIFY actions taken.
 * @wakes: VMX_PI_WAKE actions taken.
 */
struct vmx_vlapic {
	struct vmx_pi_desc pi;
	raw_spinlock_t lock;
	struct vmx_apic_fields f;
	struct apicv_intr_state s;
	int mode;
	bool posting;
	vmx_vlapic_notify_t notify;
	atomic_t notifications;
	atomic_t wakes;
};

extern const struct vlapic_ops vmx_vlapic_ops;

int vmx_vlapic_init(struct vmx_vlapic *vx, bool vid,
		    vmx_vlapic_notify_t notify);
void vmx_vlapic_set_mode(struct vmx_vlapic *vx, enum vmx_pi_vcpu_mode mode);
void vmx_vlapic_refresh(struct vlapic *vlapic);
void vmx_vlapic_set_vid(struct vlapic *vlapic, bool on);
void vmx_vlapic_set_posting(struct vlapic *vlapic, bool on);
int vmx_vlapic_prepare_entry(struct vlapic *vlapic, bool interruptible,
			     struct vmx_apic_fields *out);
void vmx_vlapic_load_eoi_exitmap(struct vlapic *vlapic,
				 const unsigned long *level_vectors);
void vmx_vlapic_eoi_exit(struct vlapic *vlapic, u64 exit_qual);
int vmx_vlapic_apic_write_exit(struct vlapic *vlapic, u64 exit_qual);
bool vmx_vlapic_halt_check(struct vlapic *vlapic);

/* --- VMCS accessors (vmx/vmcs.c) ----------------------------------------- */

/**
 * struct vmx_vmcs_write - one VMWRITE: a field encoding and its value.
 * @field: encoding (SDM appendix B; <asm/vmx.h> enum vmcs_field).
 * @value: value; 16- and 32-bit fields take the low bits.
 */
struct vmx_vmcs_write {
	u32 field;
	u64 value;
};

/* Controls (2), guest interrupt status, TPR threshold, EOI-exit 0-3. */
#define VMX_VMCS_APIC_MAX_WRITES	8

/**
 * struct vmx_vmcs_apic - what the current VMCS holds for the APIC fields.
 * @valid: the other members are the VMCS's; false for a VMCS not yet
 *	written (or after a failed VMWRITE): everything is written.
 * @exec_ctl: primary processor-based controls (the run loop's bits too).
 * @exec2_ctl: secondary processor-based controls.
 * @guest_intr_status: RVI and SVI as last written or read back.
 * @tpr_threshold: TPR threshold.
 * @eoi_exit: EOI-exit bitmaps 0-3.
 *
 * One per VMCS, used by the vCPU thread only, with the VMCS current.
 */
struct vmx_vmcs_apic {
	bool valid;
	u32 exec_ctl;
	u32 exec2_ctl;
	u16 guest_intr_status;
	u32 tpr_threshold;
	u64 eoi_exit[4];
};

/**
 * vmx_vmwrite() - VMWRITE to the current VMCS.
 * @field: the field's encoding.
 * @value: its value.
 *
 * Context: VMX root operation with a current VMCS (else #UD).
 * Return: false on VMfailInvalid or VMfailValid (CF or ZF set).
 */
static inline bool vmx_vmwrite(unsigned long field, unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]"
		     CC_SET(na)
		     : CC_OUT(na) (fail)
		     : [field] "r" (field), [value] "rm" (value)
		     : "cc");
	return !fail;
}

/**
 * vmx_vmread() - VMREAD from the current VMCS.
 * @field: the field's encoding.
 * @value: its value; 0 on failure.
 *
 * Context: as vmx_vmwrite().
 * Return: false on VMfailInvalid or VMfailValid.
 */
static inline bool vmx_vmread(unsigned long field, unsigned long *value)
{
	unsigned long v = 0;
	bool fail;

	asm volatile("vmread %[field], %[value]"
		     CC_SET(na)
		     : CC_OUT(na) (fail), [value] "+rm" (v)
		     : [field] "r" (field)
		     : "cc");
	*value = fail ? 0 : v;
	return !fail;
}

unsigned int vmx_vmcs_apic_writes(struct vmx_vmcs_apic *cur,
				  const struct vmx_apic_fields *f,
				  struct vmx_vmcs_write *w);
int vmx_vmcs_load_apic(struct vmx_vmcs_apic *cur,
		       const struct vmx_apic_fields *f);
u16 vmx_vmcs_save_apic(struct vmx_vmcs_apic *cur);
unsigned int vmx_vmcs_apic_setup_writes(struct vmx_vlapic *vx,
					u64 apic_page_pa, bool posted, u8 nv,
					struct vmx_vmcs_write *w);

/* --- the run loop's EPT entries (vmx/ept.c) -------------------------------- */

struct vlapic_gpt_format;
extern const struct vlapic_gpt_format vmx_ept_format;

#endif /* _VLAPIC_VMX_H */
