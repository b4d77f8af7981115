// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the per-vLAPIC counters, for the VMM's stats and for tracing.
 */

#include <vlapic/export.h>
#include <vlapic/stats.h>

const char *const vlapic_stat_names[VLAPIC_NR_STATS] = {
	[VLAPIC_STAT_FIXED_ACCEPTED]	  = "fixed_accepted",
	[VLAPIC_STAT_FIXED_COALESCED]	  = "fixed_coalesced",
	[VLAPIC_STAT_DROPPED_SW_DISABLED] = "dropped_sw_disabled",
	[VLAPIC_STAT_RX_ILLEGAL_VECTOR]	  = "rx_illegal_vector",
	[VLAPIC_STAT_TX_ILLEGAL_VECTOR]	  = "tx_illegal_vector",
	[VLAPIC_STAT_ILLEGAL_REGISTER]	  = "illegal_register",
	[VLAPIC_STAT_ACKED]		  = "acked",
	[VLAPIC_STAT_EOI]		  = "eoi",
	[VLAPIC_STAT_EOI_BROADCAST]	  = "eoi_broadcast",
	[VLAPIC_STAT_SPURIOUS_EOI]	  = "spurious_eoi",
	[VLAPIC_STAT_NMI]		  = "nmi",
	[VLAPIC_STAT_SMI]		  = "smi",
	[VLAPIC_STAT_INIT]		  = "init",
	[VLAPIC_STAT_SIPI]		  = "sipi",
	[VLAPIC_STAT_SIPI_IGNORED]	  = "sipi_ignored",
	[VLAPIC_STAT_EXTINT]		  = "extint",
	[VLAPIC_STAT_IPI_SENT]		  = "ipi_sent",
	[VLAPIC_STAT_TIMER_FIRED]	  = "timer_fired",
	[VLAPIC_STAT_TIMER_RESYNC]	  = "timer_resync",
	[VLAPIC_STAT_TIMER_STALE]	  = "timer_stale",
	[VLAPIC_STAT_ERROR_LVT]		  = "error_lvt",
	[VLAPIC_STAT_GP]		  = "gp",
	[VLAPIC_STAT_BAD_MMIO]		  = "bad_mmio",
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_stat_names);
