// SPDX-License-Identifier: GPL-2.0
/*
 * VMX interrupt fields: guest interrupt status (RVI/SVI), TPR threshold,
 * EOI-exit bitmap, and the meaning of EOI-induced and APIC-write exits
 * (SDM vol. 3 "APIC Virtualization and Virtual Interrupts").
 *
 * Pure functions of the vLAPIC state they are given; the caller owns the
 * struct vmx_apic_fields (see its locking rule in <vlapic/vmx.h>).
 */

#include <linux/bug.h>
#include <linux/errno.h>

#include <vlapic/export.h>
#include <vlapic/vmx.h>

/* Size of the APIC register page the exit qualifications index. */
#define VMX_APIC_REGS_SIZE	0x400

/**
 * vmx_guest_intr_status() - the exact guest interrupt status.
 * @max_irr: highest IRR vector, -1 if none.
 * @max_isr: highest ISR vector, -1 if none.
 *
 * Return: RVI = @max_irr (0 if none) in bits 7:0, SVI = @max_isr (0 if
 * none) in bits 15:8.
 */
u16 vmx_guest_intr_status(int max_irr, int max_isr)
{
	u8 rvi = max_irr < 0 ? 0 : (u8)max_irr;
	u8 svi = max_isr < 0 ? 0 : (u8)max_isr;

	return rvi | (u16)svi << 8;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_guest_intr_status);

/**
 * vmx_set_rvi() - RVI := highest IRR vector.
 * @f: the fields.
 * @max_irr: highest IRR vector, -1 if none: RVI becomes 0. Never skipped
 *	for -1: a stale RVI after RESET blocked the timer (seed 000).
 */
void vmx_set_rvi(struct vmx_apic_fields *f, int max_irr)
{
	f->guest_intr_status = vmx_guest_intr_status(max_irr, -1) |
			       (f->guest_intr_status & 0xff00);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_set_rvi);

/**
 * vmx_set_svi() - SVI := highest ISR vector.
 * @f: the fields.
 * @max_isr: highest ISR vector, -1 if none: SVI becomes 0.
 */
void vmx_set_svi(struct vmx_apic_fields *f, int max_isr)
{
	f->guest_intr_status = vmx_guest_intr_status(-1, max_isr) |
			       (f->guest_intr_status & 0x00ff);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_set_svi);

/**
 * vmx_tpr_threshold() - TPR threshold with the TPR shadow and no VID.
 * @s: the vLAPIC state.
 *
 * The CPU exits when the guest lowers VTPR[7:4] below the threshold. The
 * one write that must exit is the one that lowers TPR below the class of
 * the highest requested vector that TPR holds back.
 *
 * Return: that class if the highest IRR vector's class is at or below
 * TPR[7:4], else 0 (no TPR write can make anything deliverable).
 */
u32 vmx_tpr_threshold(const struct apicv_intr_state *s)
{
	u8 irr_class;

	if (s->max_irr < 0)
		return 0;
	irr_class = apicv_class((u8)s->max_irr);
	if (irr_class > apicv_class(s->tpr))
		return 0;
	return irr_class;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_tpr_threshold);

/**
 * vmx_prepare_entry() - all interrupt fields from the vLAPIC state.
 * @f: the fields (@f->vid and @f->tpr_shadow are inputs).
 * @s: the vLAPIC state after the last PIR sync.
 *
 * Called before every entry (and wherever a full rebuild is wanted). With
 * VID: RVI/SVI exact, threshold 0. Without VID but with the TPR shadow:
 * the threshold of vmx_tpr_threshold(). The result depends on @s only,
 * never on what the fields held before.
 */
void vmx_prepare_entry(struct vmx_apic_fields *f,
		       const struct apicv_intr_state *s)
{
	if (f->vid) {
		f->guest_intr_status = vmx_guest_intr_status(s->max_irr,
							     s->max_isr);
		f->tpr_threshold = 0;
	} else if (f->tpr_shadow) {
		f->tpr_threshold = vmx_tpr_threshold(s);
	} else {
		f->tpr_threshold = 0;
	}
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_prepare_entry);

/**
 * vmx_set_vid() - switch virtual-interrupt delivery at runtime.
 * @f: the fields.
 * @on: the new state.
 * @s: the vLAPIC state now.
 *
 * Switching on rebuilds RVI and SVI from IRR and ISR: the fields were not
 * maintained while VID was off, and KVM once kept a stale SVI here, which
 * left a vector in service forever (its EOI cleared the wrong bit).
 */
void vmx_set_vid(struct vmx_apic_fields *f, bool on,
		 const struct apicv_intr_state *s)
{
	f->vid = on;
	vmx_prepare_entry(f, s);
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_set_vid);

/**
 * vmx_build_eoi_exitmap() - the vectors whose EOI must exit.
 * @f: the fields; @f->eoi_exit is replaced.
 * @tmr: TMR (vectors accepted level-triggered), APICV_VEC_WORDS words.
 * @level_routes: vectors routed to level-triggered IOAPIC pins (the
 *	IOAPIC's redirection table), APICV_VEC_WORDS words, or NULL.
 *
 * A level-triggered EOI must reach the IOAPIC (remote IRR); an edge EOI
 * is completed by the CPU alone. Rebuilt when routes or redirection
 * entries change, and when the TMR changes.
 */
void vmx_build_eoi_exitmap(struct vmx_apic_fields *f, const u32 *tmr,
			   const u32 *level_routes)
{
	int i;

	for (i = 0; i < APICV_VEC_WORDS / 2; i++) {
		u64 lo = tmr[2 * i], hi = tmr[2 * i + 1];

		if (level_routes) {
			lo |= level_routes[2 * i];
			hi |= level_routes[2 * i + 1];
		}
		f->eoi_exit[i] = lo | hi << 32;
	}
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_build_eoi_exitmap);

/**
 * vmx_eoi_induced_exit() - the vector an EOI-induced exit completes.
 * @f: the fields the guest ran with.
 * @exit_qual: the exit qualification (bits 7:0: the vector).
 *
 * The CPU has already cleared the VISR bit and updated SVI and VPPR; the
 * vLAPIC must now EOI this vector (ISR, TMR, IOAPIC broadcast) and the
 * isr_updated hook sets SVI again, to the same value.
 *
 * Return: the vector. A vector outside the EOI-exit bitmap is impossible;
 * it is warned about and still returned, since the guest's EOI happened.
 */
int vmx_eoi_induced_exit(const struct vmx_apic_fields *f, u64 exit_qual)
{
	u8 vector = exit_qual & 0xff;

	WARN_ON_ONCE(!vmx_eoi_exit_test(f, vector));
	return vector;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_eoi_induced_exit);

/**
 * vmx_apic_write_exit() - decode a trap-like APIC-write exit.
 * @f: the fields the guest ran with.
 * @exit_qual: the exit qualification (bits 11:0: page offset).
 *
 * The write has already landed in the virtual-APIC page; the vLAPIC must
 * now perform its side effects from the value there. With VID the CPU
 * virtualizes TPR and EOI writes itself, so they never exit this way; a
 * TPR write with the TPR shadow does not either.
 *
 * Return: the register offset to emulate, or -EINVAL for a qualification
 * the CPU does not produce (unaligned, outside the register page, or a
 * register the CPU virtualizes): warned about and ignored.
 */
int vmx_apic_write_exit(const struct vmx_apic_fields *f, u64 exit_qual)
{
	u32 offset = exit_qual & 0xfff;

	if (WARN_ON_ONCE(offset & 0xf || offset >= VMX_APIC_REGS_SIZE))
		return -EINVAL;
	if (WARN_ON_ONCE(offset == 0x80 && f->tpr_shadow))
		return -EINVAL;
	if (WARN_ON_ONCE(offset == 0xb0 && f->vid))
		return -EINVAL;
	return offset;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_apic_write_exit);
