// SPDX-License-Identifier: GPL-2.0
/*
 * Which run-loop backend this host uses: SVM where the CPU has SVM and
 * NPT, VMX where it has VMX with EPT and unrestricted guest. Chosen once at module load; a host
 * without either still loads the module (the irqchip for emulated CPUs
 * works) and reports VLAPIC_CAP_RUN = 0.
 */

#include <linux/printk.h>

#include <vlapic/export.h>
#include <vlapic/run.h>

static const struct vlapic_run_ops *const run_candidates[] = {
	&svm_run_ops,
	&vmx_run_ops,
};

static const struct vlapic_run_ops *run_backend;

/**
 * vlapic_run_backend() - the backend VLAPIC_VM_RUN VMs use.
 *
 * Return: its ops, or NULL when this host can run no guest.
 */
const struct vlapic_run_ops *vlapic_run_backend(void)
{
	return run_backend;
}

/**
 * vlapic_run_backends() - VLAPIC_CAP_RUN.
 *
 * Return: VLAPIC_RUN_BACKEND_* of the backend in use, 0 if none.
 */
u32 vlapic_run_backends(void)
{
	return run_backend ? run_backend->backend : 0;
}
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_run_backends);

/**
 * vlapic_run_init() - pick and start a backend at module load.
 *
 * Return: 0 (also with no backend), or the backend's error.
 */
int vlapic_run_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(run_candidates); i++) {
		const struct vlapic_run_ops *ops = run_candidates[i];

		if (!ops->supported())
			continue;
		ret = ops->hw_init();
		if (ret)
			return ret;
		run_backend = ops;
		pr_info("vlapic: guests run on %s\n", ops->name);
		return 0;
	}
	return 0;
}

/**
 * vlapic_run_exit() - stop the backend at module unload.
 */
void vlapic_run_exit(void)
{
	if (run_backend)
		run_backend->hw_exit();
	run_backend = NULL;
}
