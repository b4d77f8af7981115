// SPDX-License-Identifier: GPL-2.0
/* TAP lines and the exit through isa-debug-exit. */
#include "console.h"
#include "tap.h"

#define DEBUG_EXIT_PORT	0xf4

static int tests;
static int failures;

static void line(const char *status, const char *fmt, va_list ap,
		 const char *suffix)
{
	char buf[256];

	gvsnprintf(buf, sizeof(buf), fmt, ap);
	gprintf("%s %d - %s%s\n", status, ++tests, buf, suffix);
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(cond ? "ok" : "not ok", fmt, ap, "");
	va_end(ap);
	if (!cond)
		failures++;
	return cond;
}

bool tap_eq(u64 got, u64 want, const char *fmt, ...)
{
	va_list ap;
	bool cond = got == want;

	va_start(ap, fmt);
	line(cond ? "ok" : "not ok", fmt, ap, "");
	va_end(ap);
	if (!cond) {
		failures++;
		gprintf("#   got 0x%llx, expected 0x%llx\n",
			(unsigned long long)got, (unsigned long long)want);
	}
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char suffix[160];
	va_list ap;

	gsnprintf(suffix, sizeof(suffix), " # SKIP %s", reason);
	va_start(ap, fmt);
	line("ok", fmt, ap, suffix);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("# %s\n", buf);
}

int tap_failures(void)
{
	return failures;
}

int tap_tests(void)
{
	return tests;
}

void tap_resume(int t, int f)
{
	tests = t;
	failures = f;
}

void guest_exit(int code)
{
	port_out32(code, DEBUG_EXIT_PORT);
	for (;;)
		asm volatile("cli; hlt");
}

void tap_done(void)
{
	gprintf("1..%d\n", tests);
	guest_exit(failures ? 1 : 0);
}

void tap_bail(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("Bail out! %s\n", buf);
	guest_exit(1);
}
