// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's fw_cfg, I/O interface without DMA: a 16-bit write to 0x510
 * selects an item and rewinds it; each byte read from 0x511 (or 0x510)
 * returns its next byte, 0 past its end or for an unknown item. Items:
 *
 *	0x00 signature		"QEMU"
 *	0x01 interface ID	1 (traditional interface, no DMA)
 *	0x02 UUID		16 zero bytes
 *	0x03 RAM size		u64, bytes (--mem)
 *	0x04 no graphic		u16, 1
 *	0x05 number of CPUs	u16 (--smp)
 *	0x0f maximum CPUs	u16 (--smp)
 *	0x19 file directory	u32 big-endian count: 0 files
 */
#include <string.h>

#include "devices.h"
#include "io.h"
#include "vmm.h"

#define FW_CFG_BASE		0x510
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_UUID		0x02
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NOGRAPHIC	0x04
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f
#define FW_CFG_FILE_DIR		0x19
#define FW_CFG_ITEM_MAX		16

/* struct fwcfg - the selected item and the read position. */
struct fwcfg {
	uint16_t selector;
	uint32_t offset;
};

static void put_le(uint8_t *buf, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		buf[i] = v >> (8 * i);
}

/* The bytes of item @key into @buf; returns its length. */
static unsigned int fwcfg_item(struct vm *vm, uint16_t key, uint8_t *buf)
{
	memset(buf, 0, FW_CFG_ITEM_MAX);
	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(buf, "QEMU", 4);
		return 4;
	case FW_CFG_ID:
		put_le(buf, 1, 4);
		return 4;
	case FW_CFG_UUID:
		return 16;
	case FW_CFG_RAM_SIZE:
		put_le(buf, vm->mem.size, 8);
		return 8;
	case FW_CFG_NOGRAPHIC:
		put_le(buf, 1, 2);
		return 2;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		put_le(buf, vm->nr_vcpus, 2);
		return 2;
	case FW_CFG_FILE_DIR:
		return 4;	/* big-endian 0 */
	}
	return 0;
}

static uint32_t fwcfg_in(struct vcpu *vcpu, void *opaque, uint16_t off,
			 unsigned int size)
{
	struct fwcfg *f = opaque;
	uint8_t item[FW_CFG_ITEM_MAX];
	unsigned int len;

	(void)off;
	(void)size;
	len = fwcfg_item(vcpu->vm, f->selector, item);
	if (f->offset >= len)
		return 0;
	return item[f->offset++];
}

static void fwcfg_out(struct vcpu *vcpu, void *opaque, uint16_t off,
		      unsigned int size, uint32_t val)
{
	struct fwcfg *f = opaque;

	(void)vcpu;
	(void)size;
	if (off == 0) {
		f->selector = val;
		f->offset = 0;
	}
}

static void fwcfg_reset(struct vm *vm, void *state)
{
	(void)vm;
	memset(state, 0, sizeof(struct fwcfg));
}

int fwcfg_init(struct vm *vm)
{
	void *f;
	int ret;

	ret = device_add(vm, "fw_cfg", sizeof(struct fwcfg), fwcfg_reset, &f);
	if (ret)
		return ret;
	return io_register(vm, FW_CFG_BASE, 2, "fw_cfg", fwcfg_in, fwcfg_out, f);
}
