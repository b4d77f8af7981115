/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of e2e-run (run_guest.S): start and end of each piece. */
#ifndef _VLAPIC_RUN_GUEST_H
#define _VLAPIC_RUN_GUEST_H

#include <stdint.h>

extern const uint8_t g_io_start[], g_io_end[];
extern const uint8_t g_spin_start[], g_spin_end[];
extern const uint8_t g_hlt_start[], g_hlt_end[];
extern const uint8_t g_fetch_hole_start[], g_fetch_hole_end[];
extern const uint8_t g_shl_apic_start[], g_shl_apic_end[];
extern const uint8_t g_timer_start[], g_timer_end[], g_timer_handler[];
extern const uint8_t g_extint_start[], g_extint_end[], g_extint_handler[];
extern const uint8_t g_bsp_start[], g_bsp_end[];
extern const uint8_t g_ap_start[], g_ap_end[];

#endif /* _VLAPIC_RUN_GUEST_H */
