/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types and single-instruction helpers: port I/O, CPUID, MSRs (with a
 * recovering variant that returns the exception vector), RDTSC, CR8,
 * interrupt flag, atomics.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

/* __printf(), __noreturn, __packed, __aligned() come from the Makefile. */

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Shared variables: every access is a real load or store. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define atomic_inc(p)		__atomic_fetch_add((p), 1, __ATOMIC_SEQ_CST)
#define atomic_add(p, v)	__atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
/* A full memory barrier (MFENCE), as the kernel's smp_mb(). */
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_GS_BASE		0xc0000101

#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_EXTD		BIT(10)
#define APIC_BASE_EN		BIT(11)

static inline void port_out8(u8 v, u16 port)
{
	asm volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline void port_out16(u16 v, u16 port)
{
	asm volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

static inline void port_out32(u32 v, u16 port)
{
	asm volatile("outl %k0, %w1" : : "a"(v), "Nd"(port));
}

static inline u8 port_in8(u16 port)
{
	u8 v;

	asm volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 port_in32(u16 port)
{
	u32 v;

	asm volatile("inl %w1, %k0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid {
	u32 a, b, c, d;
};

static inline struct cpuid cpuid(u32 leaf, u32 sub)
{
	struct cpuid r;

	asm volatile("cpuid"
		     : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(sub));
	return r;
}

static inline bool cpu_has_x2apic(void)
{
	return cpuid(1, 0).c & BIT(21);
}

static inline bool cpu_has_tsc_deadline(void)
{
	return cpuid(1, 0).c & BIT(24);
}

static inline bool cpu_has_apic(void)
{
	return cpuid(1, 0).d & BIT(9);
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | ((u64)hi << 32);
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

/*
 * The *_safe variants recover from an exception on the instruction (see
 * the exception table in idt.c) and return its vector, 0 when none.
 */
int rdmsr_safe(u32 msr, u64 *v);
int wrmsr_safe(u32 msr, u64 v);

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((u64)hi << 32);
}

/* Ordered RDTSC: not executed before earlier instructions complete. */
static inline u64 rdtsc_ordered(void)
{
	asm volatile("mfence; lfence" ::: "memory");
	return rdtsc();
}

static inline u64 read_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static inline void write_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

/* STI; NOP: opens the interrupt window for exactly one instruction. */
static inline void sti_nop_cli(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

static inline void safe_halt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline u64 read_rflags(void)
{
	u64 f;

	asm volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

#endif
