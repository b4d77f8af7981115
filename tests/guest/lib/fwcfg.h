/* SPDX-License-Identifier: GPL-2.0 */
/* QEMU's fw_cfg: selector port 0x510 (16-bit), data port 0x511 (8-bit). */
#ifndef GUEST_FWCFG_H
#define GUEST_FWCFG_H

#include "x86.h"

#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_RAM_SIZE		0x0003
#define FW_CFG_NB_CPUS		0x0005

/* The signature reads "QEMU". */
bool fwcfg_present(void);
/* Reads @len bytes (little endian) of item @key into a number. */
u64 fwcfg_read(u16 key, unsigned int len);

#endif
