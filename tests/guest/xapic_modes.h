/* SPDX-License-Identifier: GPL-2.0 */
/* The routines of xapic_modes.S (see there for the result layout). */
#ifndef GUEST_XAPIC_MODES_H
#define GUEST_XAPIC_MODES_H

#include "x86.h"

/* .code32, run through mode32_call(): r[0] is the page's address. */
u32 mmio32_forms(u32 *r);
void mmio64_forms(u64 base, u32 *r);
void memset_stores(u64 base);

#endif
