// SPDX-License-Identifier: GPL-2.0
/*
 * The test guests' library (lib.h).
 */
#include <stdarg.h>

#include "lib.h"

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4
#define FW_CFG_CTL	0x510
#define FW_CFG_DATA	0x511

uint32_t mb_magic, mb_info_addr, entry_eflags, entry_cr0, entry_esp;

static isr_fn handlers[256];
static unsigned int tests, failures;

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

const char *strstr(const char *h, const char *n)
{
	size_t len = strlen(n);

	for (; *h; h++)
		if (!memcmp(h, n, len))
			return h;
	return NULL;
}

void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, c);
}

static void put_uint(uint32_t v, unsigned int base, int width, char pad)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		putc_serial(pad);
	while (n--)
		putc_serial(buf[n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0;
		char pad = ' ';
		const char *s;
		int32_t d;

		if (*fmt != '%') {
			putc_serial(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				putc_serial(*s);
			break;
		case 'c':
			putc_serial(va_arg(ap, int));
			break;
		case 'd':
			d = va_arg(ap, int32_t);
			if (d < 0) {
				putc_serial('-');
				d = -d;
			}
			put_uint(d, 10, width, pad);
			break;
		case 'u':
			put_uint(va_arg(ap, uint32_t), 10, width, pad);
			break;
		case 'x':
			put_uint(va_arg(ap, uint32_t), 16, width, pad);
			break;
		default:
			putc_serial('%');
			putc_serial(*fmt);
			break;
		}
	}
}

void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%sok %u - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	putc_serial('\n');
}

/* The plan line; returns the exit code for guest_exit(). */
int tap_done(void)
{
	printf("1..%u\n", tests);
	return failures ? 1 : 0;
}

/* Debug-exit with @code: the VMM's status is (code << 1) | 1. */
void guest_exit(uint32_t code)
{
	outl(DEBUG_EXIT, code);
	for (;;)
		asm volatile("cli; hlt");
}

const struct mb_info *mbi(void)
{
	return (const struct mb_info *)mb_info_addr;
}

const char *cmdline(void)
{
	return mbi()->flags & (1U << 2) ? (const char *)mbi()->cmdline : "";
}

/* @word appears as a whole word of the command line. */
bool cmdline_has(const char *word)
{
	const char *c = cmdline(), *p;
	size_t len = strlen(word);

	for (p = strstr(c, word); p; p = strstr(p + 1, word))
		if ((p == c || p[-1] == ' ') && (!p[len] || p[len] == ' '))
			return true;
	return false;
}

/* The number of "key=N" on the command line, or @dflt. */
uint32_t cmdline_uint(const char *key, uint32_t dflt)
{
	const char *c = cmdline(), *p;
	size_t len = strlen(key);
	uint32_t v = 0;

	for (p = strstr(c, key); p; p = strstr(p + 1, key)) {
		if ((p != c && p[-1] != ' ') || p[len] != '=')
			continue;
		for (p += len + 1; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + *p - '0';
		return v;
	}
	return dflt;
}

void fwcfg_read(uint16_t key, void *buf, unsigned int len)
{
	uint8_t *p = buf;

	outw(FW_CFG_CTL, key);
	while (len--)
		*p++ = inb(FW_CFG_DATA);
}

uint64_t fwcfg_u64(uint16_t key, unsigned int len)
{
	uint64_t v = 0;

	fwcfg_read(key, &v, len);
	return v;
}

void idt_init(void)
{
	unsigned int i;

	for (i = 0; i < 256; i++) {
		uint32_t a = (uint32_t)isr_stubs + 16 * i;

		idt[i] = (a & 0xffff) | (0x08 << 16) |
			 ((uint64_t)0x8e00 << 32) |
			 ((uint64_t)(a >> 16) << 48);
	}
}

void set_isr(unsigned int vector, isr_fn fn)
{
	handlers[vector & 0xff] = fn;
}

void isr_dispatch(struct frame *f)
{
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (f->vector < 32) {
		printf("not ok - exception %u (error 0x%x) at 0x%x\n",
		       f->vector, f->error, f->eip);
		guest_exit(0x7f);
	}
	printf("# unexpected interrupt, vector 0x%x\n", f->vector);
	lapic_eoi();
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_TPR, 0);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t ioapic_read(uint32_t reg)
{
	mmio_write(IOAPIC_BASE, reg);
	return mmio_read(IOAPIC_BASE + 0x10);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC_BASE, reg);
	mmio_write(IOAPIC_BASE + 0x10, v);
}

void ioapic_redir(unsigned int pin, uint32_t lo, uint32_t hi)
{
	ioapic_write(0x10 + 2 * pin, IOAPIC_MASKED);
	ioapic_write(0x11 + 2 * pin, hi);
	ioapic_write(0x10 + 2 * pin, lo);
}

uint32_t ioapic_redir_lo(unsigned int pin)
{
	return ioapic_read(0x10 + 2 * pin);
}
