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

/* The VMM set pin @pin's input signal. */
TRACE_EVENT(vlapic_ioapic_set_irq,
	    TP_PROTO(unsigned int pin, bool high, u64 redir),
	    TP_ARGS(pin, high, redir),
	    TP_STRUCT__entry(__field(unsigned int, pin)
			     __field(bool, high)
			     __field(u64, redir)),
	    TP_fast_assign(__entry->pin = pin;
			   __entry->high = high;
			   __entry->redir = redir;),
	    TP_printk("pin %u %s, entry 0x%016llx", __entry->pin,
		      __entry->high ? "high" : "low", __entry->redir)
);

/* EOI of @vector cleared remote IRR on @pins pins. */
TRACE_EVENT(vlapic_ioapic_eoi,
	    TP_PROTO(u8 vector, unsigned int pins),
	    TP_ARGS(vector, pins),
	    TP_STRUCT__entry(__field(u8, vector)
			     __field(unsigned int, pins)),
	    TP_fast_assign(__entry->vector = vector;
			   __entry->pins = pins;),
	    TP_printk("vector 0x%02x, %u pin(s)", __entry->vector,
		      __entry->pins)
);

/* An MSI and what became of it (enum vlapic_msi_verdict). */
TRACE_EVENT(vlapic_msi,
	    TP_PROTO(u64 address, u32 data, int verdict),
	    TP_ARGS(address, data, verdict),
	    TP_STRUCT__entry(__field(u64, address)
			     __field(u32, data)
			     __field(int, verdict)),
	    TP_fast_assign(__entry->address = address;
			   __entry->data = data;
			   __entry->verdict = verdict;),
	    TP_printk("address 0x%llx data 0x%x verdict %d",
		      __entry->address, __entry->data, __entry->verdict)
);

#endif /* _VLAPIC_IOAPIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ioapic_trace
#include <trace/define_trace.h>
