/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the vLAPIC (events/vlapic/ in tracefs), for trace-cmd
 * and perf: what was accepted, acknowledged, EOIed, sent and fired.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vlapic

#if !defined(_VLAPIC_LAPIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VLAPIC_LAPIC_TRACE_H

#include <linux/tracepoint.h>

/* Outcome of an accepted fixed interrupt. */
#define VLAPIC_TRACE_SET	0
#define VLAPIC_TRACE_COALESCED	1
#define VLAPIC_TRACE_DROPPED	2	/* APIC software-disabled */
#define VLAPIC_TRACE_ILLEGAL	3	/* vector 0-15 */
#define VLAPIC_TRACE_EVENT	4	/* NMI, SMI, INIT, SIPI, ExtINT */

TRACE_EVENT(vlapic_accept,
	    TP_PROTO(u32 apic_id, u8 vector, u32 delivery_mode, bool level,
		     u8 outcome),
	    TP_ARGS(apic_id, vector, delivery_mode, level, outcome),
	    TP_STRUCT__entry(__field(u32, apic_id)
			     __field(u8, vector)
			     __field(u32, delivery_mode)
			     __field(bool, level)
			     __field(u8, outcome)),
	    TP_fast_assign(__entry->apic_id = apic_id;
			   __entry->vector = vector;
			   __entry->delivery_mode = delivery_mode;
			   __entry->level = level;
			   __entry->outcome = outcome;),
	    TP_printk("apic %u vector 0x%02x dm %u %s: %s", __entry->apic_id,
		      __entry->vector, __entry->delivery_mode >> 8,
		      __entry->level ? "level" : "edge",
		      __print_symbolic(__entry->outcome,
				       { VLAPIC_TRACE_SET, "set" },
				       { VLAPIC_TRACE_COALESCED, "coalesced" },
				       { VLAPIC_TRACE_DROPPED, "dropped" },
				       { VLAPIC_TRACE_ILLEGAL, "illegal" },
				       { VLAPIC_TRACE_EVENT, "event" }))
);

TRACE_EVENT(vlapic_ack,
	    TP_PROTO(u32 apic_id, u8 vector, u8 ppr),
	    TP_ARGS(apic_id, vector, ppr),
	    TP_STRUCT__entry(__field(u32, apic_id)
			     __field(u8, vector)
			     __field(u8, ppr)),
	    TP_fast_assign(__entry->apic_id = apic_id;
			   __entry->vector = vector;
			   __entry->ppr = ppr;),
	    TP_printk("apic %u vector 0x%02x ppr now 0x%02x",
		      __entry->apic_id, __entry->vector, __entry->ppr)
);

TRACE_EVENT(vlapic_eoi,
	    TP_PROTO(u32 apic_id, int vector, bool broadcast),
	    TP_ARGS(apic_id, vector, broadcast),
	    TP_STRUCT__entry(__field(u32, apic_id)
			     __field(int, vector)
			     __field(bool, broadcast)),
	    TP_fast_assign(__entry->apic_id = apic_id;
			   __entry->vector = vector;
			   __entry->broadcast = broadcast;),
	    TP_printk("apic %u vector %d%s", __entry->apic_id,
		      __entry->vector,
		      __entry->broadcast ? " broadcast to the IOAPIC" : "")
);

TRACE_EVENT(vlapic_ipi,
	    TP_PROTO(u32 apic_id, u32 icr_low, u32 dest, bool x2apic),
	    TP_ARGS(apic_id, icr_low, dest, x2apic),
	    TP_STRUCT__entry(__field(u32, apic_id)
			     __field(u32, icr_low)
			     __field(u32, dest)
			     __field(bool, x2apic)),
	    TP_fast_assign(__entry->apic_id = apic_id;
			   __entry->icr_low = icr_low;
			   __entry->dest = dest;
			   __entry->x2apic = x2apic;),
	    TP_printk("apic %u icr 0x%08x dest 0x%x%s", __entry->apic_id,
		      __entry->icr_low, __entry->dest,
		      __entry->x2apic ? " (x2APIC)" : "")
);

TRACE_EVENT(vlapic_timer_fire,
	    TP_PROTO(u32 apic_id, u32 mode, u64 late_ns, bool resync),
	    TP_ARGS(apic_id, mode, late_ns, resync),
	    TP_STRUCT__entry(__field(u32, apic_id)
			     __field(u32, mode)
			     __field(u64, late_ns)
			     __field(bool, resync)),
	    TP_fast_assign(__entry->apic_id = apic_id;
			   __entry->mode = mode;
			   __entry->late_ns = late_ns;
			   __entry->resync = resync;),
	    TP_printk("apic %u mode %u late %llu ns%s", __entry->apic_id,
		      __entry->mode >> 17, __entry->late_ns,
		      __entry->resync ? " (time base reset)" : "")
);

#endif /* _VLAPIC_LAPIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE lapic_trace
#include <trace/define_trace.h>
