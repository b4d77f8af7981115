/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COM1 output and a printf subset: %d %i %u %x %X %p %s %c %%, flags '0'
 * and '-', a field width, length modifiers h, l, ll, z. Output of one
 * call is never interleaved with another CPU's.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include "x86.h"

void con_putc(char c);
int gprintf(const char *fmt, ...) __printf(1, 2);
int gvprintf(const char *fmt, va_list ap);
int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int gsnprintf(char *buf, size_t size, const char *fmt, ...)
	__printf(3, 4);

#endif
