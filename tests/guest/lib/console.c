// SPDX-License-Identifier: GPL-2.0
/*
 * Serial console: COM1 at 0x3f8, polling the line status register's
 * transmitter-holding-register-empty bit before every byte.
 */
#include "console.h"
#include "smp.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

/* CPU index + 1 of the CPU printing, 0 when free; a CPU may re-enter. */
static int con_owner;

void con_putc(char c)
{
	unsigned int tries = 0;

	while (!(port_in8(COM1_LSR) & LSR_THRE) && ++tries < 100000)
		cpu_relax();
	port_out8(c, COM1);
}

struct sink {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct sink *s, char c)
{
	if (!s->buf)
		con_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_num(struct sink *s, u64 v, unsigned int base, bool neg,
		    int width, bool zero, bool left, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, i;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	if (neg && zero)
		put(s, '-');
	for (i = len; !left && i < width; i++)
		put(s, zero ? '0' : ' ');
	if (neg && !zero)
		put(s, '-');
	while (n)
		put(s, tmp[--n]);
	for (i = len; left && i < width; i++)
		put(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool zero = false, left = false;
		int width = 0, lng = 0;
		const char *str;
		u64 u;
		s64 d;
		int i;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '0')
				zero = true;
			else
				left = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z' || *fmt == 'h'; fmt++) {
			if (*fmt != 'h')
				lng++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			d = lng ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(s, d < 0 ? -(u64)d : (u64)d, 10, d < 0, width,
				zero, left, false);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			put_num(s, u, *fmt == 'u' ? 10 : 16, false, width, zero,
				left, *fmt == 'X');
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			put_num(s, (u64)va_arg(ap, void *), 16, false, width,
				zero, left, false);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (i = 0; str[i]; i++)
				;
			for (; !left && i < width; i++)
				put(s, ' ');
			while (*str)
				put(s, *str++);
			for (; left && i < width; i++)
				put(s, ' ');
			break;
		case 'c':
			put(s, (char)va_arg(ap, int));
			break;
		case '%':
			put(s, '%');
			break;
		case '\0':
			return;
		default:
			put(s, '%');
			put(s, *fmt);
			break;
		}
	}
}

int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };

	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}

int gsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int gvprintf(const char *fmt, va_list ap)
{
	struct sink s = { };
	int me = this_cpu()->idx + 1;
	int free = 0;
	bool nested = READ_ONCE(con_owner) == me;

	while (!nested &&
	       !__atomic_compare_exchange_n(&con_owner, &free, me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		free = 0;
		cpu_relax();
	}
	format(&s, fmt, ap);
	if (!nested)
		__atomic_store_n(&con_owner, 0, __ATOMIC_RELEASE);
	return s.len;
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvprintf(fmt, ap);
	va_end(ap);
	return n;
}
