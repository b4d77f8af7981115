// SPDX-License-Identifier: GPL-2.0
/*
 * lapic_env for the vlapic_vmx_hw module: the same test VM as the main
 * KUnit module's, compiled into this one too (an object file belongs to
 * one module only).
 */
#include "lapic_env.c"
