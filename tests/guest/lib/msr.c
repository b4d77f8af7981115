// SPDX-License-Identifier: GPL-2.0
/* MSR accesses that recover from #GP through the exception table. */
#include "idt.h"
#include "smp.h"

int rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;

	this_cpu()->exc_vector = 0;
	asm volatile("1: rdmsr\n\t"
		     "2:\n\t"
		     ASM_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = lo | ((u64)hi << 32);
	return take_exception();
}

int wrmsr_safe(u32 msr, u64 v)
{
	this_cpu()->exc_vector = 0;
	asm volatile("1: wrmsr\n\t"
		     "2:\n\t"
		     ASM_EXTABLE(1b, 2b)
		     : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
	return take_exception();
}
