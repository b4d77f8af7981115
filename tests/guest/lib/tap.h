/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output on the serial console: one numbered line per test, `#`
 * diagnostics, the plan `1..N` printed last by tap_done(), which also
 * exits. Only text that is the same on every correct implementation goes
 * into ok/not ok lines; measured values go into diagnostics.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include "x86.h"

bool tap_ok(bool cond, const char *fmt, ...)
	__printf(2, 3);
void tap_skip(const char *reason, const char *fmt, ...)
	__printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
/* Equality with both values in a diagnostic when they differ. */
bool tap_eq(u64 got, u64 want, const char *fmt, ...)
	__printf(3, 4);
int tap_failures(void);
int tap_tests(void);
/* Continues numbering after a reboot (seed000 keeps the counts in RAM). */
void tap_resume(int tests, int failures);
void __noreturn tap_done(void);
void __noreturn tap_bail(const char *fmt, ...)
	__printf(1, 2);

/* Port 0xf4 (isa-debug-exit): status (code << 1) | 1; halts if absent. */
void __noreturn guest_exit(int code);

#endif
