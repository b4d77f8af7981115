// SPDX-License-Identifier: GPL-2.0
#include "fwcfg.h"

#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511

u64 fwcfg_read(u16 key, unsigned int len)
{
	u64 v = 0;
	unsigned int i;

	port_out16(key, FW_CFG_SEL);
	for (i = 0; i < len && i < 8; i++)
		v |= (u64)port_in8(FW_CFG_DATA) << (8 * i);
	return v;
}

bool fwcfg_present(void)
{
	return fwcfg_read(FW_CFG_SIGNATURE, 4) == 0x554d4551;	/* "QEMU" */
}
