/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the run loop (events/vlapic_run/ in tracefs): every
 * exit with its raw code, and every event injected at an entry.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vlapic_run

#if !defined(_VLAPIC_RUN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VLAPIC_RUN_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(vlapic_run_exit,
	    TP_PROTO(unsigned int vcpu, const char *isa, u64 code, u64 rip,
		     u64 info1, u64 info2, u32 intinfo),
	    TP_ARGS(vcpu, isa, code, rip, info1, info2, intinfo),
	    TP_STRUCT__entry(__field(unsigned int, vcpu)
			     __string(isa, isa)
			     __field(u64, code)
			     __field(u64, rip)
			     __field(u64, info1)
			     __field(u64, info2)
			     __field(u32, intinfo)),
	    TP_fast_assign(__entry->vcpu = vcpu;
			   __assign_str(isa, isa);
			   __entry->code = code;
			   __entry->rip = rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->intinfo = intinfo;),
	    TP_printk("vcpu %u %s exit %#llx rip %#llx info %#llx %#llx intinfo %#x",
		      __entry->vcpu, __get_str(isa), __entry->code,
		      __entry->rip, __entry->info1, __entry->info2,
		      __entry->intinfo)
);

TRACE_EVENT(vlapic_run_inject,
	    TP_PROTO(unsigned int vcpu, u32 event, bool window),
	    TP_ARGS(vcpu, event, window),
	    TP_STRUCT__entry(__field(unsigned int, vcpu)
			     __field(u32, event)
			     __field(bool, window)),
	    TP_fast_assign(__entry->vcpu = vcpu;
			   __entry->event = event;
			   __entry->window = window;),
	    TP_printk("vcpu %u event %#x%s", __entry->vcpu, __entry->event,
		      __entry->window ? " window" : "")
);

#endif /* _VLAPIC_RUN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE run_trace
#include <trace/define_trace.h>
