/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU state, spinlocks, and running functions on other CPUs.
 *
 * CPU n has APIC ID n (the VMM's and QEMU's convention). %gs points at the
 * CPU's struct cpu. smp_init() starts the APs with INIT-SIPI-SIPI from the
 * trampoline copied to TRAMP_BASE; each AP enters long mode, sets up its
 * IDT and xAPIC (software enabled, LINT0/LINT1 masked) and waits for work:
 * on_cpu() runs a function there and waits for it, on_cpu_async() does
 * not wait (cpu_wait() does).
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "layout.h"
#include "x86.h"

#define IRQ_LOG_SIZE	256

struct cpu {
	struct cpu *self;		/* %gs:0 */
	unsigned int idx;		/* == APIC ID */
	int online;			/* reached ap_main() */
	unsigned int starts;		/* times started by a SIPI */
	unsigned int start_cs;		/* CS of the last start (vector << 8) */
	int x2apic;			/* the APIC accessors use MSRs */
	/* xAPIC registers as the AP found them, before its setup */
	u32 boot_svr, boot_tpr, boot_ldr, boot_lvt0, boot_lvtt, boot_tmict;
	int boot_isr, boot_irr;		/* highest vector, -1 when none */
	int idle_irqs;			/* idle with interrupt windows */
	void (*fn)(void *arg);		/* work; NULL when idle */
	void *arg;
	/* exception recovery (idt.c) */
	int exc_vector;
	u64 exc_error;
	unsigned int exc_skip;
	/* interrupts taken, per vector and in order */
	unsigned int irq_count[256];
	unsigned int nmi_count;
	unsigned int nlog;
	u8 log[IRQ_LOG_SIZE];
};

extern struct cpu cpus[MAX_CPUS];

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	asm volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

struct spinlock {
	int locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Records the xAPIC state this CPU found at its start (boot_*). */
void cpu_record_boot_state(struct cpu *c);
/* Sets up CPU 0 (the BSP): per-CPU pointer, IDT. */
void cpu_init_bsp(void);
/* Reads the number of CPUs from fw_cfg (smp_ncpus()). */
void smp_detect(void);
/* Starts every AP listed by fw_cfg; returns the number of CPUs online. */
int smp_init(void);
/* CPUs found by fw_cfg (1 without fw_cfg), and online ones. */
int smp_ncpus(void);
int smp_online(void);
/* Waits until CPU @idx reports online (after a start); false on timeout. */
bool cpu_wait_online(unsigned int idx);

typedef void (*cpu_fn_t)(void *arg);

/*
 * Run by every AP after each start (SIPI), once it is online, with its
 * struct cpu as the argument; the AP goes on to wait for work when it
 * returns. NULL: none.
 */
extern cpu_fn_t ap_start_hook;

void on_cpu(unsigned int idx, cpu_fn_t fn, void *arg);
void on_cpu_async(unsigned int idx, cpu_fn_t fn, void *arg);
/* Waits until CPU @idx finished its work; false on timeout. */
bool cpu_wait(unsigned int idx);

/* Copies the trampoline to @base (page aligned, below 1 MiB). */
void smp_copy_trampoline(u32 base);
/* Clears the interrupt counters and log of CPU @idx. */
void cpu_clear_log(unsigned int idx);

/* Bounded waits: long enough never to fail a correct implementation. */
#define TIMEOUT_TSC	BIT_ULL(36)
/* A quiet window: "nothing more arrives" is checked over this long. */
#define QUIET_TSC	BIT_ULL(27)

#define wait_for(cond)						\
({								\
	u64 __start = rdtsc();					\
	bool __done;						\
								\
	for (;;) {						\
		__done = (cond);				\
		if (__done || rdtsc() - __start >= TIMEOUT_TSC)	\
			break;					\
		cpu_relax();					\
	}							\
	__done;							\
})

/* Spins for the quiet window with interrupts as they are. */
void quiet_wait(void);
/* Spins for @tsc cycles. */
void tsc_delay(u64 tsc);

#endif
