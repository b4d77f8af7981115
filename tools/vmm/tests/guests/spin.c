// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "spin": loops forever at one instruction without an exit (it
 * says where); only --timeout ends it, and the VMM's report must find
 * it there.
 */
#include "lib.h"

void spin_loop(void);
asm(".text; .globl spin_loop; spin_loop: jmp spin_loop");

int main(void)
{
	printf("# vlapic-vmm test guest: spin at 0x%x\n",
	       (unsigned int)(unsigned long)spin_loop);
	spin_loop();
	return 0;
}
