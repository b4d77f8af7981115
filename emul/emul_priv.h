/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What decode.c, emulate.c and walk.c share and nobody else needs.
 */
#ifndef _VLAPIC_EMUL_PRIV_H
#define _VLAPIC_EMUL_PRIV_H

#include <linux/bitops.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include <vlapic/emul.h>

/* Guest pages are 4 KiB whatever the host's PAGE_SIZE. */
#define EMUL_PAGE_SIZE	4096ULL

/**
 * emul_set_fault() - describe an exception for the caller to deliver.
 * @fault: filled in.
 * @vector: X86_TRAP_*.
 * @has_error_code: the exception pushes @error_code.
 * @error_code: its error code.
 * @cr2: the faulting linear address (#PF), else 0.
 *
 * Return: EMUL_FAULT, so callers can return it directly.
 */
static inline int emul_set_fault(struct emul_fault *fault, u8 vector,
				 bool has_error_code, u32 error_code, u64 cr2)
{
	fault->vector = vector;
	fault->has_error_code = has_error_code;
	fault->error_code = has_error_code ? error_code : 0;
	fault->cr2 = cr2;
	return EMUL_FAULT;
}

/* Exceptions push error codes in protected mode only (incl. virtual-8086). */
static inline bool emul_mode_has_error_code(enum emul_mode mode)
{
	return mode != EMUL_MODE_REAL;
}

/* @val's low @bytes bytes (1, 2, 4, 8), zero-extended. */
static inline u64 emul_truncate(u64 val, unsigned int bytes)
{
	return bytes >= 8 ? val : val & GENMASK_ULL(8 * bytes - 1, 0);
}

/* @val's low @bytes bytes (1, 2, 4, 8), sign-extended. */
static inline s64 emul_sign_extend(u64 val, unsigned int bytes)
{
	return bytes >= 8 ? (s64)val : sign_extend64(val, 8 * bytes - 1);
}

#endif /* _VLAPIC_EMUL_PRIV_H */
