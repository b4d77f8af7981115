/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor hooks of the vLAPIC: the one place they are listed.
 *
 * A backend (vmx/, svm/) installs a table with vlapic_set_ops(). Every
 * hook is optional: a NULL hook means the core does the work in software
 * (IRR set directly, nothing mirrored). Hooks marked "lock held" run
 * under the vLAPIC's lock (a raw spinlock, interrupts off): they must be
 * short, must not sleep and must not call back into the vLAPIC except
 * through the arguments given.
 */
#ifndef _VLAPIC_OPS_H
#define _VLAPIC_OPS_H

#include <linux/types.h>

struct vlapic;

/**
 * struct vlapic_ops - vendor hooks.
 * @deliver_posted: post @vector (posted-interrupt descriptor) and notify
 *	or wake the vCPU. Return false to have the core set IRR instead
 *	(e.g. APICv inactive). TMR is set by the core before this is called.
 *	Lock held (so the table cannot change under a delivery, and a
 *	vector posted before vlapic_set_ops() switches is folded by it);
 *	any context; must not call back into the vLAPIC.
 * @sync_pir: move pending posted vectors into @irr (8 words in the IRR
 *	layout, ORed in by the core); return true if any was set. Lock held.
 * @irr_updated: the highest IRR vector is now @max_irr (-1: none): RVI on
 *	VMX, V_IRQ on SVM. Lock held.
 * @isr_updated: the highest ISR vector is now @max_isr (-1: none): SVI.
 *	Lock held.
 * @tpr_updated: TPR changed by any path (guest write, CR8, INIT, RESET,
 *	state restore): V_TPR on SVM, TPR threshold on VMX. Lock held.
 * @state_reset: the register state is about to be replaced (RESET, INIT,
 *	state restore): purge posted-interrupt state now, before the new
 *	registers are loaded, never after. Lock held.
 */
struct vlapic_ops {
	bool (*deliver_posted)(struct vlapic *vlapic, u8 vector);
	bool (*sync_pir)(struct vlapic *vlapic, u32 *irr);
	void (*irr_updated)(struct vlapic *vlapic, int max_irr);
	void (*isr_updated)(struct vlapic *vlapic, int max_isr);
	void (*tpr_updated)(struct vlapic *vlapic, u8 tpr);
	void (*state_reset)(struct vlapic *vlapic);
};

#endif /* _VLAPIC_OPS_H */
