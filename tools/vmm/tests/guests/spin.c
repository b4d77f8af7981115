// SPDX-License-Identifier: GPL-2.0
/*
 * Guest "spin": loops forever without an exit; only --timeout ends it.
 */
#include "lib.h"

int main(void)
{
	printf("# vlapic-vmm test guest: spin\n");
	for (;;)
		asm volatile("" : : : "memory");
	return 0;
}
