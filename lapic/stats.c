// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the per-vLAPIC counters, for the VMM's stats and for tracing.
 */

#include <vlapic/export.h>
#include <vlapic/stats.h>

const char *const vlapic_stat_names[VLAPIC_VCPU_STAT_NR] = {
	VLAPIC_VCPU_STAT_NAMES_INIT
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_stat_names);
