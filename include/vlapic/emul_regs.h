/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte offsets of the registers in a struct emul_cpu::gpr array
 * (enum emul_reg order), for assembly code that loads and saves a
 * guest's registers. svm/run.c checks them with BUILD_BUG_ON.
 */
#ifndef _VLAPIC_EMUL_REGS_H
#define _VLAPIC_EMUL_REGS_H

#define EMUL_RAX_OFF	0
#define EMUL_RCX_OFF	8
#define EMUL_RDX_OFF	16
#define EMUL_RBX_OFF	24
#define EMUL_RSP_OFF	32
#define EMUL_RBP_OFF	40
#define EMUL_RSI_OFF	48
#define EMUL_RDI_OFF	56
#define EMUL_R8_OFF	64
#define EMUL_R9_OFF	72
#define EMUL_R10_OFF	80
#define EMUL_R11_OFF	88
#define EMUL_R12_OFF	96
#define EMUL_R13_OFF	104
#define EMUL_R14_OFF	112
#define EMUL_R15_OFF	120

#endif /* _VLAPIC_EMUL_REGS_H */
