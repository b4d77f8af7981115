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
	[VLAPIC_STAT_ACKED_CLASS0 + 0x0]  = "acked_class_0",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x1]  = "acked_class_1",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x2]  = "acked_class_2",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x3]  = "acked_class_3",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x4]  = "acked_class_4",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x5]  = "acked_class_5",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x6]  = "acked_class_6",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x7]  = "acked_class_7",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x8]  = "acked_class_8",
	[VLAPIC_STAT_ACKED_CLASS0 + 0x9]  = "acked_class_9",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xa]  = "acked_class_a",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xb]  = "acked_class_b",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xc]  = "acked_class_c",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xd]  = "acked_class_d",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xe]  = "acked_class_e",
	[VLAPIC_STAT_ACKED_CLASS0 + 0xf]  = "acked_class_f",
};
EXPORT_SYMBOL_FOR_VLAPIC_TESTS(vlapic_stat_names);
