/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel-style helpers every file of the VMM uses.
 */
#ifndef _VMM_UTIL_H
#define _VMM_UTIL_H

#include <assert.h>

#ifndef BIT
#define BIT(n)			(1U << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)		(1ULL << (n))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute((format(printf, a, b)))
#endif
#ifndef __packed
#define __packed		__attribute((packed))
#endif

#endif /* _VMM_UTIL_H */
