// SPDX-License-Identifier: GPL-2.0
/* From the entry code to main(). */
#include "guest.h"
#include "symbols.h"

#define MB_BOOT_MAGIC	0x2badb002
#define MB_INFO_CMDLINE	BIT(2)

bool guest_multiboot_ok(void)
{
	return mb_magic == MB_BOOT_MAGIC;
}

const char *guest_cmdline(void)
{
	u32 *mbi = (u32 *)(u64)mb_info;

	if (!guest_multiboot_ok() || !mbi || !(mbi[0] & MB_INFO_CMDLINE) ||
	    !mbi[4])
		return "";
	return (const char *)(u64)mbi[4];
}

void lib_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	cpu_init_bsp();
	/* No 8259 is needed; mask both in case one is there. */
	port_out8(0xff, 0x21);
	port_out8(0xff, 0xa1);
	cpu_record_boot_state(&cpus[0]);
	apic_setup_xapic();
	smp_detect();
	main();
	tap_done();
}
