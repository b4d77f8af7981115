/* SPDX-License-Identifier: GPL-2.0 */
/* Symbols shared between the assembly files and the C runtime. */
#ifndef GUEST_SYMBOLS_H
#define GUEST_SYMBOLS_H

#include "idt.h"
#include "x86.h"

struct ex_entry {
	u64 from;
	u64 to;
};

/* entry.S */
extern u32 mb_magic, mb_info;
/* isr.S: 256 stubs of 16 bytes */
extern char isr_stubs[];
/* trampoline.S */
extern char tramp_start[], tramp_end[];
/* guest.ld */
extern struct ex_entry __ex_table_start[], __ex_table_end[];

/* Called from assembly. */
void lib_main(u32 magic, u32 info);
void ap_main(u32 id, u32 cs);
void idt_dispatch(struct frame *f);

#endif
