// SPDX-License-Identifier: GPL-2.0
/*
 * --stats: printed on stderr at exit. The exits that reached the VMM by
 * exit reason and vCPU, the device accesses behind them, then the
 * backend's own counters by name (the vlapic module's per-vCPU and VM
 * counters, KVM's binary statistics): whatever names the backend reports,
 * so counters added to it later show up without a change here.
 */
#include <stdlib.h>

#include "io.h"
#include "vmm.h"

static const char *const exit_names[VMM_EXIT_REASONS] = {
	[VLAPIC_EXIT_UNKNOWN] = "unknown",
	[VLAPIC_EXIT_IO] = "io",
	[VLAPIC_EXIT_HYPERCALL] = "hypercall",
	[VLAPIC_EXIT_MMIO] = "mmio",
	[VLAPIC_EXIT_SHUTDOWN] = "shutdown",
	[VLAPIC_EXIT_FAIL_ENTRY] = "fail_entry",
	[VLAPIC_EXIT_INTR] = "intr",
	[VLAPIC_EXIT_INTERNAL_ERROR] = "internal_error",
	[VLAPIC_EXIT_X86_RDMSR] = "x86_rdmsr",
	[VLAPIC_EXIT_X86_WRMSR] = "x86_wrmsr",
	[VMM_EXIT_REASONS - 1] = "other",
};

/**
 * stats_table() - print counters as a table, one row per name.
 * @out: where.
 * @title: the heading.
 * @nrows: rows.
 * @names: their names.
 * @ncols: columns (vCPUs, or 1 for a VM-wide list).
 * @values: @nrows x @ncols values, row by row.
 * @total: add a total column.
 */
void stats_table(FILE *out, const char *title, unsigned int nrows,
		 const char *const *names, unsigned int ncols,
		 const uint64_t *values, bool total)
{
	unsigned int r, c;

	fprintf(out, "%s:\n  %-28s", title, "counter");
	for (c = 0; c < ncols; c++) {
		if (ncols == 1)
			fprintf(out, " %12s", "value");
		else
			fprintf(out, " %9s%-3u", "vcpu", c);
	}
	if (total)
		fprintf(out, " %12s", "total");
	fputc('\n', out);
	for (r = 0; r < nrows; r++) {
		uint64_t sum = 0;

		fprintf(out, "  %-28s", names[r]);
		for (c = 0; c < ncols; c++) {
			fprintf(out, " %12llu",
				(unsigned long long)values[r * ncols + c]);
			sum += values[r * ncols + c];
		}
		if (total)
			fprintf(out, " %12llu", (unsigned long long)sum);
		fputc('\n', out);
	}
}

static void print_exits(struct vm *vm, FILE *out)
{
	const char *names[VMM_EXIT_REASONS];
	char other[VMM_EXIT_REASONS][16];
	uint64_t *v;
	unsigned int r, c, n = 0;

	v = calloc((size_t)VMM_EXIT_REASONS * vm->nr_vcpus, sizeof(*v));
	if (!v)
		return;
	for (r = 0; r < VMM_EXIT_REASONS; r++) {
		uint64_t sum = 0;

		for (c = 0; c < vm->nr_vcpus; c++)
			sum += vm->vcpus[c]->exits[r];
		/* The usual reasons always, any other only if it happened. */
		if (!sum && !exit_names[r])
			continue;
		if (!sum && (r == VLAPIC_EXIT_UNKNOWN ||
			     r == VMM_EXIT_REASONS - 1 ||
			     r == VLAPIC_EXIT_X86_RDMSR ||
			     r == VLAPIC_EXIT_X86_WRMSR))
			continue;
		if (exit_names[r]) {
			names[n] = exit_names[r];
		} else {
			snprintf(other[r], sizeof(other[r]), "reason_%u", r);
			names[n] = other[r];
		}
		for (c = 0; c < vm->nr_vcpus; c++)
			v[n * vm->nr_vcpus + c] = vm->vcpus[c]->exits[r];
		n++;
	}
	stats_table(out, "exits to the VMM by reason", n, names, vm->nr_vcpus,
		    v, vm->nr_vcpus > 1);
	free(v);
}

void stats_print(struct vm *vm)
{
	FILE *out = stderr;

	fprintf(out, "--- " VMM_NAME " statistics: backend %s, %u vCPU%s, %u reboot%s ---\n",
		vm->ops->name, vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s",
		vm->reboots, vm->reboots == 1 ? "" : "s");
	print_exits(vm, out);
	io_print_stats(vm, out);
	vm->ops->print_stats(vm, out);
}
