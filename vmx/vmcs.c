// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS accessors: the thin layer between the VMX decision code
 * (struct vmx_apic_fields) and the current VMCS (Intel SDM vol. 3,
 * "Virtual-Machine Control Structures" and appendix B "Field Encoding in
 * VMCS"). The encodings and control bits are the kernel's (<asm/vmx.h>).
 *
 * The VMCS is written only through VMWRITE, which is expensive, so the
 * vCPU keeps struct vmx_vmcs_apic: what the current VMCS holds for the
 * fields below. Before each entry vmx_vmcs_apic_writes() computes the
 * VMWRITEs that take the VMCS to the new fields (none when nothing
 * changed) and vmx_vmcs_load_apic() issues them; after each exit
 * vmx_vmcs_save_apic() reads back the one field the CPU itself changes
 * (guest interrupt status: virtual-interrupt delivery moves RVI into SVI,
 * virtual EOI moves SVI).
 *
 * Fields: the primary control bit "use TPR shadow", the secondary control
 * bit "virtual-interrupt delivery", guest interrupt status (RVI, SVI), the
 * TPR threshold and EOI-exit bitmaps 0-3. The run loop owns every other
 * bit of the two control words; they are kept as the cache holds them.
 */

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include <vlapic/export.h>
#include <vlapic/vmx.h>

static void vmx_vmcs_emit(struct vmx_vmcs_write *w, unsigned int *n,
			  u32 field, u64 value)
{
	if (WARN_ON_ONCE(*n >= VMX_VMCS_APIC_MAX_WRITES))
		return;
	w[*n].field = field;
	w[*n].value = value;
	(*n)++;
}

/**
 * vmx_vmcs_apic_writes() - the VMWRITEs that make the VMCS hold @f.
 * @cur: what the current VMCS holds; updated to hold @f afterwards. Not
 *	@cur->valid (a new or migrated VMCS): every field is written.
 * @f: the fields for this entry (vmx_vlapic_prepare_entry()).
 * @w: room for VMX_VMCS_APIC_MAX_WRITES writes, in issue order.
 *
 * The secondary controls are written before the primary ones, so that the
 * VMCS never has VID set with the TPR shadow clear longer than necessary
 * (both are checked only at VM entry, after all writes). Guest interrupt
 * status is written only with @f->vid (it is ignored without), the TPR
 * threshold only with the TPR shadow and without VID (the entry check is
 * against VTPR then), the EOI-exit bitmaps only with VID.
 *
 * Return: the number of writes in @w.
 */
unsigned int vmx_vmcs_apic_writes(struct vmx_vmcs_apic *cur,
				  const struct vmx_apic_fields *f,
				  struct vmx_vmcs_write *w)
{
	bool all = !cur->valid;
	unsigned int n = 0;
	u32 exec, exec2;
	int i;

	exec2 = cur->exec2_ctl & ~SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
	if (f->vid)
		exec2 |= SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
	if (all || exec2 != cur->exec2_ctl)
		vmx_vmcs_emit(w, &n, SECONDARY_VM_EXEC_CONTROL, exec2);
	cur->exec2_ctl = exec2;

	exec = cur->exec_ctl & ~CPU_BASED_TPR_SHADOW;
	if (f->tpr_shadow)
		exec |= CPU_BASED_TPR_SHADOW;
	if (f->vid)
		exec |= CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	if (all || exec != cur->exec_ctl)
		vmx_vmcs_emit(w, &n, CPU_BASED_VM_EXEC_CONTROL, exec);
	cur->exec_ctl = exec;

	if (f->vid && (all || f->guest_intr_status != cur->guest_intr_status)) {
		vmx_vmcs_emit(w, &n, GUEST_INTR_STATUS, f->guest_intr_status);
		cur->guest_intr_status = f->guest_intr_status;
	}
	if (f->tpr_shadow && !f->vid &&
	    (all || f->tpr_threshold != cur->tpr_threshold)) {
		vmx_vmcs_emit(w, &n, TPR_THRESHOLD, f->tpr_threshold);
		cur->tpr_threshold = f->tpr_threshold;
	}
	for (i = 0; f->vid && i < 4; i++) {
		if (!all && f->eoi_exit[i] == cur->eoi_exit[i])
			continue;
		/* EOI_EXIT_BITMAP0..3: consecutive 64-bit fields, step 2. */
		vmx_vmcs_emit(w, &n, EOI_EXIT_BITMAP0 + 2 * i, f->eoi_exit[i]);
		cur->eoi_exit[i] = f->eoi_exit[i];
	}
	cur->valid = true;
	return n;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vmcs_apic_writes);

/**
 * vmx_vmcs_load_apic() - bring the current VMCS up to @f before entry.
 * @cur: the vCPU's cache of the VMCS (vmx_vmcs_apic_writes()).
 * @f: the fields for this entry.
 *
 * Context: VMX root operation with the vCPU's VMCS current (after
 * VMPTRLD), preemption off. A VMWRITE that fails is an impossible host
 * state (a field the CPU does not support was never enabled): warned
 * about once, the cache invalidated so the next entry writes everything.
 *
 * Return: the number of VMWRITEs issued, or -EIO if one failed.
 */
int vmx_vmcs_load_apic(struct vmx_vmcs_apic *cur,
		       const struct vmx_apic_fields *f)
{
	struct vmx_vmcs_write w[VMX_VMCS_APIC_MAX_WRITES];
	unsigned int i, n = vmx_vmcs_apic_writes(cur, f, w);

	for (i = 0; i < n; i++) {
		if (WARN_ON_ONCE(!vmx_vmwrite(w[i].field, w[i].value))) {
			cur->valid = false;
			return -EIO;
		}
	}
	return n;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vmcs_load_apic);

/**
 * vmx_vmcs_save_apic() - read back what the CPU changed, after an exit.
 * @cur: the vCPU's cache of the VMCS.
 *
 * Context: as vmx_vmcs_load_apic(), right after the VM exit.
 *
 * Return: the guest interrupt status the CPU left (RVI bits 7:0, SVI bits
 * 15:8), 0 without VID.
 */
u16 vmx_vmcs_save_apic(struct vmx_vmcs_apic *cur)
{
	unsigned long v;

	if (!(cur->exec2_ctl & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
		return 0;
	if (WARN_ON_ONCE(!vmx_vmread(GUEST_INTR_STATUS, &v))) {
		cur->valid = false;
		return 0;
	}
	cur->guest_intr_status = v;
	return v;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vmcs_save_apic);

/**
 * vmx_vmcs_apic_setup_writes() - the fixed APIC fields of a new VMCS.
 * @vx: the vCPU's VMX side (its posted-interrupt descriptor).
 * @apic_page_pa: physical address of the virtual-APIC page, the vLAPIC's
 *	register page (vlapic_regs_page(); page aligned).
 * @posted: posted-interrupt processing is used (the pin-based control bit
 *	is the run loop's; this writes the descriptor and vector).
 * @nv: the notification vector.
 * @w: room for VMX_VMCS_APIC_MAX_WRITES writes.
 *
 * Return: the number of writes in @w.
 */
unsigned int vmx_vmcs_apic_setup_writes(struct vmx_vlapic *vx,
					u64 apic_page_pa, bool posted, u8 nv,
					struct vmx_vmcs_write *w)
{
	unsigned int n = 0;

	WARN_ON_ONCE(!PAGE_ALIGNED(apic_page_pa));
	vmx_vmcs_emit(w, &n, VIRTUAL_APIC_PAGE_ADDR, apic_page_pa);
	if (posted) {
		vmx_vmcs_emit(w, &n, POSTED_INTR_NV, nv);
		vmx_vmcs_emit(w, &n, POSTED_INTR_DESC_ADDR, __pa(&vx->pi));
	}
	return n;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vmx_vmcs_apic_setup_writes);
