/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the IOAPIC (events/vlapic_ioapic/ in tracefs): the
 * level re-assertion storm rule, so that a guest stuck in an EOI loop is
 * visible without the counters.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vlapic_ioapic

#if !defined(_VLAPIC_IOAPIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VLAPIC_IOAPIC_TRACE_H

#include <linux/tracepoint.h>

/* A pin passed the threshold of successive EOIs with its line asserted. */
TRACE_EVENT(vlapic_ioapic_storm,
	    TP_PROTO(unsigned int pin, u8 vector, u32 threshold),
	    TP_ARGS(pin, vector, threshold),
	    TP_STRUCT__entry(__field(unsigned int, pin)
			     __field(u8, vector)
			     __field(u32, threshold)),
	    TP_fast_assign(__entry->pin = pin;
			   __entry->vector = vector;
			   __entry->threshold = threshold;),
	    TP_printk("pin %u vector 0x%02x: over %u successive re-assertions",
		      __entry->pin, __entry->vector, __entry->threshold)
);

/* A re-delivery was deferred by @delay_jiffies. */
TRACE_EVENT(vlapic_ioapic_deferral,
	    TP_PROTO(unsigned int pin, u8 vector, u32 run,
		     unsigned long delay_jiffies),
	    TP_ARGS(pin, vector, run, delay_jiffies),
	    TP_STRUCT__entry(__field(unsigned int, pin)
			     __field(u8, vector)
			     __field(u32, run)
			     __field(unsigned long, delay_jiffies)),
	    TP_fast_assign(__entry->pin = pin;
			   __entry->vector = vector;
			   __entry->run = run;
			   __entry->delay_jiffies = delay_jiffies;),
	    TP_printk("pin %u vector 0x%02x: re-assertion %u deferred %lu jiffies",
		      __entry->pin, __entry->vector, __entry->run,
		      __entry->delay_jiffies)
);

#endif /* _VLAPIC_IOAPIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ioapic_trace
#include <trace/define_trace.h>
