/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest runtime. A program defines main(), which runs on the BSP in
 * long mode with interrupts disabled, the BSP's xAPIC software enabled
 * (spurious vector 0xff, LVTs masked), the 8259 PICs masked and the APs
 * not started (smp_init()). When main() returns, tap_done() prints the
 * plan and exits.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "apic.h"
#include "console.h"
#include "fwcfg.h"
#include "idt.h"
#include "ioapic.h"
#include "layout.h"
#include "smp.h"
#include "tap.h"
#include "x86.h"

int main(void);

/* The multiboot command line, "" when none. */
const char *guest_cmdline(void);
/* EAX at entry was the multiboot magic 0x2badb002. */
bool guest_multiboot_ok(void);

/*
 * mode32_call() (mode32.S): runs the .code32 function @fn(@arg) in 32-bit
 * protected mode, paging off (@paging 0) or 32-bit PAE paging (1).
 */
u32 mode32_call(u32 fn, u32 arg, u32 paging);

#endif
