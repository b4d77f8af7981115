/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlapic.ko exports nothing to other modules but its KUnit suites
 * (vlapic_kunit.ko), and only in kernels built with KUnit. The suites
 * import the namespace with MODULE_IMPORT_NS(VLAPIC_INTERNAL).
 */
#ifndef _VLAPIC_EXPORT_H
#define _VLAPIC_EXPORT_H

#include <linux/export.h>

#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_FOR_VLAPIC_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, VLAPIC_INTERNAL)
#else
#define EXPORT_SYMBOL_FOR_VLAPIC_TESTS(sym)
#endif

#endif /* _VLAPIC_EXPORT_H */
