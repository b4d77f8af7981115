/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared code of the end-to-end tests: TAP output, a watchdog, VM setup
 * and guest CPUs played by threads through the emulated-CPU interface
 * (WAIT, GET_INTERRUPT, EOI by register write).
 */
#ifndef _VLAPIC_E2E_H
#define _VLAPIC_E2E_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "../lib/libvlapic.h"

#ifndef __printf
#define __printf(a, b)	__attribute((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute((noreturn))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define E2E_MAX_VCPUS	8
#define MS		1000000LL

/* --- TAP ------------------------------------------------------------------ */

void tap_init(const char *name, unsigned int watchdog_s);
bool tap_ok(bool ok, const char *fmt, ...)
	__printf(2, 3);
bool tap_eq(uint64_t got, uint64_t want, const char *fmt, ...)
	__printf(3, 4);
bool tap_range(uint64_t got, uint64_t lo, uint64_t hi, const char *fmt, ...)
	__printf(4, 5);
void tap_diag(const char *fmt, ...) __printf(1, 2);
void tap_bail(const char *fmt, ...) __printf(1, 2) __noreturn;
int tap_end(void);

int64_t now_ns(void);
void sleep_ms(unsigned int ms);

/* Poll @cond every millisecond for up to @ms milliseconds. */
#define WAIT_FOR(cond, ms) ({						\
	int64_t end_ = now_ns() + (int64_t)(ms) * MS;			\
	bool ok_;							\
	while (!(ok_ = (cond)) && now_ns() < end_)			\
		usleep(1000);						\
	ok_;								\
})

/* --- guest CPUs ------------------------------------------------------------ */

struct gcpu;
typedef void (*gcpu_handler_t)(struct gcpu *g, unsigned int vector);

/**
 * struct gcpu - one vCPU played by a thread.
 * @fd: the vCPU fd.
 * @index: vCPU index.
 * @apic_id: initial APIC ID.
 * @x2apic: the guest uses x2APIC MSRs.
 * @handler: called for each vector taken, before the EOI (optional).
 * @no_eoi: leave taken vectors in service (no EOI).
 * @count: times each vector was taken (atomic).
 * @total: vectors taken.
 * @nmi, @smi, @init, @sipi, @extint: events taken.
 * @sipi_vector: start page of the last SIPI.
 * @first_ns: CLOCK_MONOTONIC time each vector was first taken (0: never).
 * @errors: unexpected ioctl failures in the thread.
 * @last_err: the last of them (-errno).
 */
struct gcpu {
	int fd;
	unsigned int index;
	uint32_t apic_id;
	bool x2apic;
	gcpu_handler_t handler;
	void *priv;
	bool no_eoi;

	pthread_t thread;
	bool started;
	int stop;

	uint64_t count[256];
	uint64_t total;
	uint64_t nmi, smi, init, sipi, extint;
	uint32_t sipi_vector;
	int64_t first_ns[256];
	uint64_t errors;
	int last_err;
};

struct e2e_vm {
	int sys;
	int vm;
	unsigned int nr;
	struct gcpu cpu[E2E_MAX_VCPUS];
};

/*
 * Create a VM with @nr vCPUs (APIC ID = index unless @ids), all APs made
 * runnable, every APIC software-enabled (SVR 0x1ff) in xAPIC mode.
 * Bails out on failure.
 */
void e2e_vm_create(struct e2e_vm *v, unsigned int nr, uint32_t flags,
		   const uint32_t *ids);
void e2e_vm_destroy(struct e2e_vm *v);

void gcpu_start(struct gcpu *g);
void gcpu_stop(struct gcpu *g);
uint64_t gcpu_count(struct gcpu *g, unsigned int vector);
uint64_t gcpu_total(struct gcpu *g);
void gcpu_reset_counts(struct gcpu *g);

/* Register helpers that bail out on an ioctl error or an unexpected #GP. */
uint64_t reg_read(struct gcpu *g, uint32_t off);
void reg_write(struct gcpu *g, uint32_t off, uint64_t val);
void ipi(struct gcpu *g, uint32_t dest, uint32_t icr);
void enter_x2apic(struct gcpu *g);
uint64_t vcpu_stat(struct gcpu *g, unsigned int id);
bool irr_test(struct gcpu *g, unsigned int vector);
bool isr_test(struct gcpu *g, unsigned int vector);

#endif /* _VLAPIC_E2E_H */
