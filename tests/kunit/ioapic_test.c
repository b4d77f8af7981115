// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_ioapic: the IOAPIC's registers, lines, remote IRR and EOI, the
 * level re-assertion storm rule (seed 001), save/restore, concurrency and
 * teardown. Messages go to a recording callback: no vLAPIC is involved.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <asm/apicdef.h>

#include <vlapic/ioapic.h>

#include "../../ioapic/ioapic_priv.h"
#include "../../ioapic/ioapic_trace.h"

MODULE_IMPORT_NS(VLAPIC_INTERNAL);

#define LOG_SIZE	32

struct ioapic_ctx {
	struct vlapic_ioapic *ioapic;
	raw_spinlock_t lock;	/* @nr, @log, @changed */
	unsigned int nr;
	struct vlapic_irq log[LOG_SIZE];
	unsigned int changed;
	/* The "guest" EOIs from inside the deliver callback. */
	bool eoi_in_deliver;
	/* No vLAPIC accepts: deliver returns 0. */
	bool refuse;
	atomic_t total;
};

static int ctx_deliver(void *owner, const struct vlapic_irq *irq)
{
	struct ioapic_ctx *ctx = owner;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->log[ctx->nr % LOG_SIZE] = *irq;
	ctx->nr++;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	atomic_inc(&ctx->total);
	if (READ_ONCE(ctx->eoi_in_deliver))
		vlapic_ioapic_eoi(ctx->ioapic, irq->vector);
	return READ_ONCE(ctx->refuse) ? 0 : 1;
}

static void ctx_level_vectors_changed(void *owner)
{
	struct ioapic_ctx *ctx = owner;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->changed++;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

static const struct vlapic_irq_ops ctx_ops = {
	.deliver = ctx_deliver,
	.level_vectors_changed = ctx_level_vectors_changed,
};

static unsigned int ctx_nr(struct ioapic_ctx *ctx)
{
	unsigned long flags;
	unsigned int nr;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	nr = ctx->nr;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return nr;
}

static struct vlapic_irq ctx_last(struct ioapic_ctx *ctx)
{
	struct vlapic_irq irq;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	irq = ctx->log[(ctx->nr - 1) % LOG_SIZE];
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return irq;
}

static struct vlapic_ioapic *ctx_create(struct kunit *test, u32 version,
					u32 threshold, u32 delay_us)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic_config config;

	vlapic_ioapic_default_config(&config);
	config.version = version;
	config.storm_threshold = threshold;
	config.storm_delay_us = delay_us;
	ctx->ioapic = vlapic_ioapic_create(&config, &ctx_ops, ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ctx->ioapic));
	return ctx->ioapic;
}

static struct vlapic_ioapic *ctx_default(struct kunit *test)
{
	return ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, 1000, 10000);
}

static int ioapic_test_init(struct kunit *test)
{
	struct ioapic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	raw_spin_lock_init(&ctx->lock);
	test->priv = ctx;
	return 0;
}

static void ioapic_test_exit(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;

	vlapic_ioapic_destroy(ctx->ioapic);
}

/* --- register helpers ----------------------------------------------------- */

static u32 mmio_read(struct kunit *test, struct vlapic_ioapic *io, u32 off)
{
	u32 val = 0xdeadbeef;

	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_read(io, off, &val, 4), 0);
	return val;
}

static void mmio_write(struct kunit *test, struct vlapic_ioapic *io, u32 off,
		       u32 val)
{
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_mmio_write(io, off, &val, 4), 0);
}

static u32 reg_read(struct kunit *test, struct vlapic_ioapic *io, u32 reg)
{
	mmio_write(test, io, VLAPIC_IOAPIC_IOREGSEL, reg);
	return mmio_read(test, io, VLAPIC_IOAPIC_IOWIN);
}

static void reg_write(struct kunit *test, struct vlapic_ioapic *io, u32 reg,
		      u32 val)
{
	mmio_write(test, io, VLAPIC_IOAPIC_IOREGSEL, reg);
	mmio_write(test, io, VLAPIC_IOAPIC_IOWIN, val);
}

static u64 redir_read(struct kunit *test, struct vlapic_ioapic *io,
		      unsigned int pin)
{
	u32 lo = reg_read(test, io, 0x10 + 2 * pin);
	u32 hi = reg_read(test, io, 0x11 + 2 * pin);

	return (u64)hi << 32 | lo;
}

/* High half first, as Linux does, so the low write (unmask) comes last. */
static void redir_write(struct kunit *test, struct vlapic_ioapic *io,
			unsigned int pin, u64 val)
{
	reg_write(test, io, 0x11 + 2 * pin, upper_32_bits(val));
	reg_write(test, io, 0x10 + 2 * pin, lower_32_bits(val));
}

static void set_input(struct kunit *test, struct vlapic_ioapic *io,
		      unsigned int pin, bool high)
{
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_set_input(io, pin, high), 0);
}

#define LEVEL	VLAPIC_IOAPIC_LEVEL
#define MASKED	VLAPIC_IOAPIC_MASKED
#define RIRR	VLAPIC_IOAPIC_REMOTE_IRR
#define DEST(d)	((u64)(d) << 56)

/* --- registers ------------------------------------------------------------ */

static void ioapic_reset_values(struct kunit *test)
{
	struct vlapic_ioapic *io = ctx_default(test);
	unsigned int pin;

	KUNIT_EXPECT_EQ(test, mmio_read(test, io, VLAPIC_IOAPIC_IOREGSEL), 0);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x00), 0);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x01), 0x00170020);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x02), 0);
	for (pin = 0; pin < VLAPIC_IOAPIC_NUM_PINS; pin++)
		KUNIT_EXPECT_EQ(test, redir_read(test, io, pin), 0x10000ULL);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_base(io), 0xfec00000ULL);
}

static void ioapic_version_82093aa(struct kunit *test)
{
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_82093AA, 1000, 10000);

	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x01), 0x00170011);
	/* Read-only: a write changes nothing. */
	reg_write(test, io, 0x01, 0xffffffff);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x01), 0x00170011);
}

static void ioapic_id_and_arbitration(struct kunit *test)
{
	struct vlapic_ioapic *io = ctx_default(test);

	reg_write(test, io, 0x00, 0xffffffff);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x00), 0x0f000000);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x02), 0x0f000000);
	reg_write(test, io, 0x00, 0x05000000);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x00), 0x05000000);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x02), 0x05000000);
	/* Arbitration is read-only. */
	reg_write(test, io, 0x02, 0x0a000000);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x02), 0x05000000);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x00), 0x05000000);
}

static void ioapic_ioregsel_8_bits(struct kunit *test)
{
	struct vlapic_ioapic *io = ctx_default(test);

	mmio_write(test, io, VLAPIC_IOAPIC_IOREGSEL, 0x12345678);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, VLAPIC_IOAPIC_IOREGSEL),
			0x78);
	mmio_write(test, io, VLAPIC_IOAPIC_IOREGSEL, 0x101);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, VLAPIC_IOAPIC_IOREGSEL), 1);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, VLAPIC_IOAPIC_IOWIN),
			0x00170020);
}

static void ioapic_redir_every_bit(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u32 expect;
	int bit;

	/* Low half: mask kept set so that nothing is sent. */
	for (bit = 0; bit < 32; bit++) {
		reg_write(test, io, 0x10, BIT(bit) | BIT(16));
		expect = (BIT(bit) | BIT(16)) & 0x1afff;
		KUNIT_EXPECT_EQ_MSG(test, reg_read(test, io, 0x10), expect,
				    "low bit %d", bit);
	}
	for (bit = 0; bit < 32; bit++) {
		reg_write(test, io, 0x11, BIT(bit));
		expect = BIT(bit) & 0xfffe0000;	/* 63:56 and 55:49 */
		KUNIT_EXPECT_EQ_MSG(test, reg_read(test, io, 0x11), expect,
				    "high bit %d", bit);
	}
	reg_write(test, io, 0x10, 0xffffffff);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x10), 0x1afff);
	reg_write(test, io, 0x11, 0xffffffff);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x11), 0xfffe0000);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
}

static void ioapic_redir_each_pin_own_entry(struct kunit *test)
{
	struct vlapic_ioapic *io = ctx_default(test);
	unsigned int pin;

	for (pin = 0; pin < VLAPIC_IOAPIC_NUM_PINS; pin++)
		redir_write(test, io, pin,
			    DEST(pin + 1) | MASKED | (0x20 + pin));
	for (pin = 0; pin < VLAPIC_IOAPIC_NUM_PINS; pin++)
		KUNIT_EXPECT_EQ(test, redir_read(test, io, pin),
				DEST(pin + 1) | MASKED | (0x20 + pin));
}

static void ioapic_unimplemented_registers(struct kunit *test)
{
	static const u32 regs[] = { 0x03, 0x0f, 0x40, 0x41, 0x80, 0xff };
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_stats *st;
	struct vlapic_ioapic_state before, after;
	unsigned int i;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	vlapic_ioapic_get_state(io, &before);
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		reg_write(test, io, regs[i], 0xffffffff);
		KUNIT_EXPECT_EQ(test, reg_read(test, io, regs[i]), 0);
	}
	vlapic_ioapic_get_state(io, &after);
	before.ioregsel = after.ioregsel;
	KUNIT_EXPECT_EQ(test, memcmp(&before, &after, sizeof(before)), 0);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->bad_register, 2 * ARRAY_SIZE(regs));
}

static void ioapic_mmio_bad_accesses(struct kunit *test)
{
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_stats *st;
	u64 val8 = ~0ULL;
	u8 val1 = 0xff;
	u32 val = 0xff;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	reg_write(test, io, 0x10, 0x10921);
	/* Not 32 bits: reads zero, writes ignored. */
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_read(io, 0x10, &val1, 1), 0);
	KUNIT_EXPECT_EQ(test, val1, 0);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_read(io, 0x10, &val8, 8), 0);
	KUNIT_EXPECT_EQ(test, val8, 0ULL);
	val1 = 0x22;
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_write(io, 0x00, &val1, 1), 0);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, 0x00), 0x10);
	/* Offsets with no register. */
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, 0x04), 0);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, 0x20), 0);
	mmio_write(test, io, 0x20, 0x11);
	mmio_write(test, io, 0x14, 0x0);
	KUNIT_EXPECT_EQ(test, reg_read(test, io, 0x10), 0x10921);
	/* The EOI register reads zero and is not a bad access on 0x20. */
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, 0x40), 0);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->bad_access, 7);

	/* Outside the window: a caller mistake, nothing touched. */
	val = 0x12345678;
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_read(io, 0x100, &val, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, val, 0x12345678);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_write(io, 0xfc, &val8, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_write(io, 0x00, &val, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_mmio_write(io, 0x00, NULL, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, 0x00), 0x10);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->bad_access, 7);
}

static void ioapic_create_rejects(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic_config good, c;
	struct vlapic_irq_ops no_deliver = { 0 };

	vlapic_ioapic_default_config(&good);
	KUNIT_EXPECT_EQ(test, good.version, VLAPIC_IOAPIC_VERSION_ICH);
	KUNIT_EXPECT_EQ(test, good.base, VLAPIC_IOAPIC_DEFAULT_BASE);
	KUNIT_EXPECT_GE(test, good.storm_threshold, 1U);

	c = good;
	c.version = 0x12;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_ioapic_create(&c, &ctx_ops, ctx)),
			-EINVAL);
	c = good;
	c.base = 0xfec00010;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_ioapic_create(&c, &ctx_ops, ctx)),
			-EINVAL);
	c = good;
	c.storm_threshold = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_ioapic_create(&c, &ctx_ops, ctx)),
			-EINVAL);
	c = good;
	c.storm_delay_us = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_ioapic_create(&c, &ctx_ops, ctx)),
			-EINVAL);
	c = good;
	c.storm_delay_us = 1000001;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vlapic_ioapic_create(&c, &ctx_ops, ctx)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(vlapic_ioapic_create(&good, &no_deliver, ctx)),
			-EINVAL);
	c = good;
	c.base = 0xfed00000;
	ctx->ioapic = vlapic_ioapic_create(&c, &ctx_ops, ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->ioapic));
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_base(ctx->ioapic), 0xfed00000ULL);
}

static int write_param(const char *name, const char *val)
{
	char path[96];
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	snprintf(path, sizeof(path), "/sys/module/vlapic/parameters/%s", name);
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

/* The storm rule's module parameters: defaults, range, effect. */
static void ioapic_module_parameters(struct kunit *test)
{
	struct vlapic_ioapic_config c;

	vlapic_ioapic_default_config(&c);
	KUNIT_EXPECT_EQ(test, c.storm_threshold, 1000);
	KUNIT_EXPECT_EQ(test, c.storm_delay_us, 10000);
	KUNIT_EXPECT_EQ(test, write_param("ioapic_storm_threshold", "0"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, write_param("ioapic_storm_delay_us", "0"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, write_param("ioapic_storm_delay_us", "1000001"),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, write_param("ioapic_storm_threshold", "7"), 0);
	KUNIT_ASSERT_EQ(test, write_param("ioapic_storm_delay_us", "1000000"),
			0);
	vlapic_ioapic_default_config(&c);
	KUNIT_EXPECT_EQ(test, c.storm_threshold, 7);
	KUNIT_EXPECT_EQ(test, c.storm_delay_us, 1000000);
	KUNIT_EXPECT_EQ(test, write_param("ioapic_storm_threshold", "1000"), 0);
	KUNIT_EXPECT_EQ(test, write_param("ioapic_storm_delay_us", "10000"), 0);
	vlapic_ioapic_default_config(&c);
	KUNIT_EXPECT_EQ(test, c.storm_threshold, 1000);
	KUNIT_EXPECT_EQ(test, c.storm_delay_us, 10000);
}

/* --- lines ---------------------------------------------------------------- */

static void ioapic_edge_delivers_once_per_rising_edge(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_irq irq;

	redir_write(test, io, 1, DEST(2) | 0x31);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
	set_input(test, io, 1, true);
	KUNIT_ASSERT_EQ(test, ctx_nr(ctx), 1);
	irq = ctx_last(ctx);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 2);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_FIXED);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x31);
	KUNIT_EXPECT_FALSE(test, irq.logical);
	KUNIT_EXPECT_FALSE(test, irq.level);
	KUNIT_EXPECT_TRUE(test, irq.assert);
	KUNIT_EXPECT_FALSE(test, irq.x2apic_dest);
	KUNIT_EXPECT_EQ(test, irq.shorthand, 0);
	/* Held high: nothing more; no remote IRR on an edge entry. */
	set_input(test, io, 1, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 1), DEST(2) | 0x31);
	vlapic_ioapic_eoi(io, 0x31);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	set_input(test, io, 1, false);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	set_input(test, io, 1, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_input(io, 24, true), -EINVAL);
}

static void ioapic_edge_masked_is_lost(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_stats *st;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 3, MASKED | 0x33);
	set_input(test, io, 3, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
	/* Unmasking an edge entry with the line high sends nothing. */
	redir_write(test, io, 3, 0x33);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[3].masked_edges, 1);
	KUNIT_EXPECT_EQ(test, st->pin[3].delivered, 0);
	set_input(test, io, 3, false);
	set_input(test, io, 3, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
}

static void ioapic_level_delivers_and_sets_remote_irr(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u64 e = DEST(0x0f) | LEVEL | VLAPIC_IOAPIC_DEST_LOGICAL | 0x41;
	struct vlapic_irq irq;

	redir_write(test, io, 2, e);
	set_input(test, io, 2, true);
	KUNIT_ASSERT_EQ(test, ctx_nr(ctx), 1);
	irq = ctx_last(ctx);
	KUNIT_EXPECT_EQ(test, irq.dest_id, 0x0f);
	KUNIT_EXPECT_EQ(test, irq.delivery_mode, APIC_DM_FIXED);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x41);
	KUNIT_EXPECT_TRUE(test, irq.logical);
	KUNIT_EXPECT_TRUE(test, irq.level);
	KUNIT_EXPECT_TRUE(test, irq.assert);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 2), e | RIRR);
	/* Remote IRR set: a held or re-asserted line sends nothing. */
	set_input(test, io, 2, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* The guest cannot clear remote IRR by writing the entry. */
	reg_write(test, io, 0x14, lower_32_bits(e));
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 2), e | RIRR);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
}

static void ioapic_level_mask_unmask(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u64 e = DEST(1) | LEVEL | 0x42;

	redir_write(test, io, 4, e | MASKED);
	set_input(test, io, 4, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 4), e | MASKED);
	/* Unmasking an asserted level line delivers. */
	redir_write(test, io, 4, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 4), e | RIRR);
	/* Masking keeps remote IRR; unmasking with it set sends nothing. */
	redir_write(test, io, 4, e | MASKED);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 4), e | MASKED | RIRR);
	redir_write(test, io, 4, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* EOI while masked clears remote IRR but sends nothing ... */
	redir_write(test, io, 4, e | MASKED);
	vlapic_ioapic_eoi(io, 0x42);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 4), e | MASKED);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* ... until it is unmasked. */
	redir_write(test, io, 4, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	/* A deasserted line is not delivered on unmask. */
	vlapic_ioapic_eoi(io, 0x42);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	set_input(test, io, 4, false);
	vlapic_ioapic_eoi(io, 0x42);
	redir_write(test, io, 4, e | MASKED);
	redir_write(test, io, 4, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
}

static void ioapic_remote_irr_lifecycle(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_stats *st;
	u64 e = DEST(3) | LEVEL | 0x51;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 5, e);
	set_input(test, io, 5, true);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e | RIRR);
	/* Another vector: no effect. */
	vlapic_ioapic_eoi(io, 0x52);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e | RIRR);
	/* Line dropped, then EOI: remote IRR clear, nothing sent. */
	set_input(test, io, 5, false);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e | RIRR);
	vlapic_ioapic_eoi(io, 0x51);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* Asserted again: delivered again. */
	set_input(test, io, 5, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	/* EOI with the line held: delivered again at once. */
	vlapic_ioapic_eoi(io, 0x51);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e | RIRR);
	/* Edge trigger clears remote IRR (the pre-0x20 way to clear it). */
	redir_write(test, io, 5, e & ~LEVEL);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e & ~LEVEL);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	/* Back to level with the line asserted: delivered. */
	redir_write(test, io, 5, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 4);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 5), e | RIRR);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[5].delivered, 4);
	KUNIT_EXPECT_EQ(test, st->pin[5].eoi, 2);
	KUNIT_EXPECT_EQ(test, st->pin[5].reasserted, 1);
}

static void ioapic_shared_vector_eoi(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u64 e = DEST(0) | LEVEL | 0x61;

	redir_write(test, io, 6, e);
	redir_write(test, io, 7, e);
	set_input(test, io, 6, true);
	set_input(test, io, 7, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	set_input(test, io, 7, false);
	/* One EOI serves every pin with the vector. */
	vlapic_ioapic_eoi(io, 0x61);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 6), e | RIRR);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 7), e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
}

static void ioapic_polarity(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u64 e = LEVEL | VLAPIC_IOAPIC_ACTIVE_LOW | 0x71;

	set_input(test, io, 8, true);
	redir_write(test, io, 8, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 0);
	/* Active low: a low signal asserts. */
	set_input(test, io, 8, false);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	set_input(test, io, 8, true);
	vlapic_ioapic_eoi(io, 0x71);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* Edge, active low: the falling signal is the rising edge. */
	redir_write(test, io, 9, VLAPIC_IOAPIC_ACTIVE_LOW | 0x72);
	set_input(test, io, 9, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	set_input(test, io, 9, false);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	KUNIT_EXPECT_EQ(test, ctx_last(ctx).vector, 0x72);
	/* Flipping the polarity of a level entry asserts its line. */
	set_input(test, io, 10, false);
	redir_write(test, io, 10, LEVEL | 0x73);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	redir_write(test, io, 10, LEVEL | VLAPIC_IOAPIC_ACTIVE_LOW | 0x73);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
}

static void ioapic_delivery_modes(struct kunit *test)
{
	static const u32 modes[] = { APIC_DM_FIXED, APIC_DM_LOWEST,
				     APIC_DM_SMI, APIC_DM_NMI, APIC_DM_INIT,
				     APIC_DM_EXTINT };
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_stats *st;
	unsigned int i, n = 0;
	u64 e;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		/* Programmed level-triggered. */
		e = DEST(1) | LEVEL | modes[i] | 0x80;
		redir_write(test, io, 11, e);
		set_input(test, io, 11, true);
		KUNIT_ASSERT_EQ(test, ctx_nr(ctx), ++n);
		KUNIT_EXPECT_EQ(test, ctx_last(ctx).delivery_mode, modes[i]);
		if (modes[i] == APIC_DM_FIXED || modes[i] == APIC_DM_LOWEST) {
			KUNIT_EXPECT_TRUE(test, ctx_last(ctx).level);
			KUNIT_EXPECT_EQ(test, redir_read(test, io, 11),
					e | RIRR);
			vlapic_ioapic_eoi(io, 0x80);
			KUNIT_ASSERT_EQ(test, ctx_nr(ctx), ++n);
		} else {
			/* SMI, NMI, INIT, ExtINT are edge: no remote IRR. */
			KUNIT_EXPECT_FALSE(test, ctx_last(ctx).level);
			KUNIT_EXPECT_EQ(test, redir_read(test, io, 11), e);
			vlapic_ioapic_eoi(io, 0x80);
			set_input(test, io, 11, true);
			KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);
		}
		redir_write(test, io, 11, MASKED);
		set_input(test, io, 11, false);
	}
	/* Reserved modes 3 and 6 send nothing. */
	redir_write(test, io, 12, 0x300 | 0x81);
	set_input(test, io, 12, true);
	redir_write(test, io, 13, LEVEL | 0x600 | 0x82);
	set_input(test, io, 13, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 13), LEVEL | 0x600 | 0x82);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->bad_delivery_mode, 2);
}

static void ioapic_directed_eoi_register(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	u64 e = LEVEL | 0x91;

	redir_write(test, io, 14, e);
	set_input(test, io, 14, true);
	set_input(test, io, 14, false);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e | RIRR);
	mmio_write(test, io, VLAPIC_IOAPIC_EOI, 0x92);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e | RIRR);
	/* Only bits 7:0 are the vector. */
	mmio_write(test, io, VLAPIC_IOAPIC_EOI, 0xffffff91);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e);
	/* With the line held, the directed EOI re-delivers. */
	set_input(test, io, 14, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	mmio_write(test, io, VLAPIC_IOAPIC_EOI, 0x91);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e | RIRR);
}

static void ioapic_no_eoi_register_on_82093aa(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_82093AA, 1000, 10000);
	struct vlapic_ioapic_stats *st;
	u64 e = LEVEL | 0x91;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 14, e);
	set_input(test, io, 14, true);
	set_input(test, io, 14, false);
	mmio_write(test, io, VLAPIC_IOAPIC_EOI, 0x91);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e | RIRR);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->bad_access, 1);
	/* The broadcast EOI still works. */
	vlapic_ioapic_eoi(io, 0x91);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 14), e);
}

static void ioapic_level_vectors_bitmap(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	DECLARE_BITMAP(vectors, 256);
	unsigned int changed;

	bitmap_fill(vectors, 256);
	vlapic_ioapic_level_vectors(io, vectors);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(vectors, 256));

	changed = ctx->changed;
	redir_write(test, io, 0, MASKED | LEVEL | 0xa1);
	KUNIT_EXPECT_GT(test, ctx->changed, changed);
	redir_write(test, io, 1, LEVEL | APIC_DM_LOWEST | 0xa2);
	redir_write(test, io, 2, 0xa3);				/* edge */
	redir_write(test, io, 3, LEVEL | APIC_DM_NMI | 0xa4);	/* edge */
	vlapic_ioapic_level_vectors(io, vectors);
	KUNIT_EXPECT_EQ(test, bitmap_weight(vectors, 256), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(0xa1, vectors));
	KUNIT_EXPECT_TRUE(test, test_bit(0xa2, vectors));

	/* Changing only the mask or destination does not notify. */
	changed = ctx->changed;
	redir_write(test, io, 0, LEVEL | DEST(5) | 0xa1);
	KUNIT_EXPECT_EQ(test, ctx->changed, changed);
	redir_write(test, io, 0, LEVEL | 0xa5);
	KUNIT_EXPECT_EQ(test, ctx->changed, changed + 1);
	redir_write(test, io, 1, APIC_DM_LOWEST | 0xa2);
	KUNIT_EXPECT_EQ(test, ctx->changed, changed + 2);
	vlapic_ioapic_level_vectors(io, vectors);
	KUNIT_EXPECT_EQ(test, bitmap_weight(vectors, 256), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(0xa5, vectors));
	vlapic_ioapic_reset(io);
	KUNIT_EXPECT_EQ(test, ctx->changed, changed + 3);
	vlapic_ioapic_level_vectors(io, vectors);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(vectors, 256));
}

static void ioapic_reset_clears_entries_keeps_inputs(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_state *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	reg_write(test, io, 0x00, 0x03000000);
	redir_write(test, io, 15, LEVEL | 0xb1);
	set_input(test, io, 15, true);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 15), LEVEL | RIRR | 0xb1);
	vlapic_ioapic_reset(io);
	vlapic_ioapic_get_state(io, s);
	KUNIT_EXPECT_EQ(test, s->id, 0);
	KUNIT_EXPECT_EQ(test, s->ioregsel, 0);
	KUNIT_EXPECT_EQ(test, s->redir[15], MASKED);
	KUNIT_EXPECT_EQ(test, s->input_high, BIT(15));
	/* Reprogrammed, the held line delivers at once. */
	redir_write(test, io, 15, LEVEL | 0xb1);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
}

/* --- the storm rule (seed 001) ------------------------------------------- */

static bool wait_for_nr(struct ioapic_ctx *ctx, unsigned int nr,
			unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	while (ctx_nr(ctx) < nr) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(200, 500);
	}
	return true;
}

/*
 * Seed 001: the guest EOIs the level vector while its device still holds
 * the line. Re-delivery is immediate for THRESHOLD successive EOIs, then
 * deferred; the deferred re-delivery does come, after the delay; a drop of
 * the line disengages the rule.
 */
#define STORM_THRESHOLD	5
#define STORM_DELAY_MS	50

static void ioapic_seed001_storm_replay(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, STORM_THRESHOLD,
			   STORM_DELAY_MS * 1000);
	struct vlapic_ioapic_stats *st;
	unsigned long t0, elapsed_ms;
	unsigned int i, n;
	u64 e = DEST(0) | LEVEL | 0x50;	/* vector 80, as in the report */

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 23, e);
	set_input(test, io, 23, true);
	KUNIT_ASSERT_EQ(test, ctx_nr(ctx), 1);

	/* Up to the threshold: every EOI re-delivers at once. */
	for (i = 1; i <= STORM_THRESHOLD; i++) {
		vlapic_ioapic_eoi(io, 0x50);
		KUNIT_ASSERT_EQ_MSG(test, ctx_nr(ctx), 1 + i, "EOI %u", i);
		KUNIT_EXPECT_EQ(test, redir_read(test, io, 23), e | RIRR);
	}
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[23].storms, 0);
	KUNIT_EXPECT_EQ(test, st->pin[23].deferrals, 0);
	KUNIT_EXPECT_EQ(test, st->pin[23].reasserted, STORM_THRESHOLD);

	/* One more: deferred. Remote IRR is clear, nothing was sent. */
	n = ctx_nr(ctx);
	t0 = jiffies;
	vlapic_ioapic_eoi(io, 0x50);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 23), e);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[23].storms, 1);
	KUNIT_EXPECT_EQ(test, st->pin[23].deferrals, 1);
	KUNIT_EXPECT_EQ(test, st->deferral_pending, BIT(23));
	/* While deferred, the pin is not serviced by other events. */
	set_input(test, io, 23, true);
	redir_write(test, io, 23, e);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);

	/* The deferred re-delivery comes by itself, after the delay. */
	KUNIT_ASSERT_TRUE(test, wait_for_nr(ctx, n + 1, 5000));
	elapsed_ms = jiffies_to_msecs(jiffies - t0);
	KUNIT_EXPECT_GE(test, elapsed_ms + jiffies_to_msecs(1),
			(unsigned long)STORM_DELAY_MS);
	KUNIT_EXPECT_EQ(test, ctx_last(ctx).vector, 0x50);
	KUNIT_EXPECT_TRUE(test, ctx_last(ctx).level);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 23), e | RIRR);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->deferral_pending, 0);

	/* Still engaged: the next EOI is deferred too (one storm). */
	n = ctx_nr(ctx);
	vlapic_ioapic_eoi(io, 0x50);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[23].storms, 1);
	KUNIT_EXPECT_EQ(test, st->pin[23].deferrals, 2);
	KUNIT_ASSERT_TRUE(test, wait_for_nr(ctx, n + 1, 5000));

	/* The device lowers the line: the rule disengages. */
	set_input(test, io, 23, false);
	vlapic_ioapic_eoi(io, 0x50);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 23), e);
	n = ctx_nr(ctx);
	set_input(test, io, 23, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n + 1);
	for (i = 1; i <= STORM_THRESHOLD; i++) {
		vlapic_ioapic_eoi(io, 0x50);
		KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n + 1 + i);
	}
	vlapic_ioapic_eoi(io, 0x50);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n + 1 + STORM_THRESHOLD);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[23].storms, 2);
	KUNIT_EXPECT_EQ(test, st->pin[23].deferrals, 3);
	KUNIT_EXPECT_EQ(test, st->deferral_pending, BIT(23));

	/* A drop while deferred cancels the pending re-delivery. */
	set_input(test, io, 23, false);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->deferral_pending, 0);
	msleep(STORM_DELAY_MS * 2);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n + 1 + STORM_THRESHOLD);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 23), e);
}

/*
 * The guest's side of seed 001: a handler that EOIs before its device can
 * lower the line, the device running only when no interrupt is pending.
 * The loop must end: the deferral lets the "device" run.
 */
static void ioapic_seed001_guest_makes_progress(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, STORM_THRESHOLD,
			   200000);
	unsigned int handled = 0, iterations = 0, seen = 0;
	bool device_ran = false;

	redir_write(test, io, 20, LEVEL | 0x50);
	set_input(test, io, 20, true);
	while (iterations++ < 10 * STORM_THRESHOLD) {
		if (ctx_nr(ctx) > seen) {
			/* Handler: EOI first, the device is dealt with later. */
			seen = ctx_nr(ctx);
			handled++;
			vlapic_ioapic_eoi(io, 0x50);
			continue;
		}
		/* No interrupt pending: the guest runs, the device lowers. */
		set_input(test, io, 20, false);
		device_ran = true;
		break;
	}
	KUNIT_EXPECT_TRUE(test, device_ran);
	KUNIT_EXPECT_EQ(test, handled, STORM_THRESHOLD + 1);
	/* Nothing more comes once the line is low. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), seen);
}

/* A guest EOIing from inside delivery: no deadlock, the storm rule holds. */
static void ioapic_eoi_from_deliver_callback(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, STORM_THRESHOLD,
			   1000);
	struct vlapic_ioapic_stats *st;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 21, LEVEL | 0x55);
	WRITE_ONCE(ctx->eoi_in_deliver, true);
	set_input(test, io, 21, true);
	/* First delivery plus THRESHOLD immediate ones, then deferral. */
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), STORM_THRESHOLD + 1);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->pin[21].deferrals, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_nr(ctx, STORM_THRESHOLD + 3, 5000));
	WRITE_ONCE(ctx->eoi_in_deliver, false);
	set_input(test, io, 21, false);
}

/* Destroy with a deferral pending: cancelled, no delivery, no UAF. */
static void ioapic_teardown_with_deferral_pending(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, 1, 20000);
	struct vlapic_ioapic_stats *st;
	unsigned int n;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	redir_write(test, io, 22, LEVEL | 0x56);
	set_input(test, io, 22, true);
	vlapic_ioapic_eoi(io, 0x56);
	vlapic_ioapic_eoi(io, 0x56);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_ASSERT_EQ(test, st->deferral_pending, BIT(22));
	n = ctx_nr(ctx);
	KUNIT_EXPECT_EQ(test, n, 2);
	vlapic_ioapic_destroy(io);
	ctx->ioapic = NULL;
	/* Well past the delay: the work never ran on the freed IOAPIC. */
	msleep(60);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), n);
}

struct trace_seen {
	atomic_t storms;
	atomic_t deferrals;
	unsigned int pin;
	u8 vector;
	u32 value;
};

static void probe_storm(void *data, unsigned int pin, u8 vector,
			u32 threshold)
{
	struct trace_seen *seen = data;

	seen->pin = pin;
	seen->vector = vector;
	seen->value = threshold;
	atomic_inc(&seen->storms);
}

static void probe_deferral(void *data, unsigned int pin, u8 vector, u32 run,
			   unsigned long delay_jiffies)
{
	struct trace_seen *seen = data;

	seen->pin = pin;
	seen->vector = vector;
	seen->value = run;
	atomic_inc(&seen->deferrals);
}

/* Storms and deferrals are visible to tracing as well as in counters. */
static void ioapic_storm_trace_events(struct kunit *test)
{
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, 2, 1000000);
	struct trace_seen *seen;
	int ret;

	seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "no tracepoints in this kernel");
	ret = register_trace_vlapic_ioapic_storm(probe_storm, seen);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = register_trace_vlapic_ioapic_deferral(probe_deferral, seen);
	if (ret) {
		unregister_trace_vlapic_ioapic_storm(probe_storm, seen);
		tracepoint_synchronize_unregister();
		KUNIT_FAIL(test, "register deferral probe: %d", ret);
		return;
	}
	redir_write(test, io, 17, LEVEL | 0x57);
	set_input(test, io, 17, true);
	vlapic_ioapic_eoi(io, 0x57);
	vlapic_ioapic_eoi(io, 0x57);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->storms), 0);
	vlapic_ioapic_eoi(io, 0x57);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->storms), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->deferrals), 1);
	KUNIT_EXPECT_EQ(test, seen->pin, 17);
	KUNIT_EXPECT_EQ(test, seen->vector, 0x57);
	KUNIT_EXPECT_EQ(test, seen->value, 3);
	unregister_trace_vlapic_ioapic_deferral(probe_deferral, seen);
	unregister_trace_vlapic_ioapic_storm(probe_storm, seen);
	tracepoint_synchronize_unregister();
}

/* --- save / restore ------------------------------------------------------- */

static void ioapic_state_roundtrip_and_reevaluation(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_state *s, *t;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	reg_write(test, io, 0x00, 0x07000000);
	redir_write(test, io, 0, LEVEL | 0xc0);
	set_input(test, io, 0, true);		/* remote IRR set */
	redir_write(test, io, 1, DEST(9) | 0xc1);	/* edge */
	set_input(test, io, 1, true);
	mmio_write(test, io, VLAPIC_IOAPIC_IOREGSEL, 0x13);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	vlapic_ioapic_get_state(io, s);
	KUNIT_EXPECT_EQ(test, s->flags, 0);
	KUNIT_EXPECT_EQ(test, s->id, 7);
	KUNIT_EXPECT_EQ(test, s->ioregsel, 0x13);
	KUNIT_EXPECT_EQ(test, s->input_high, BIT(0) | BIT(1));
	KUNIT_EXPECT_EQ(test, s->redir[0], LEVEL | RIRR | 0xc0);
	KUNIT_EXPECT_EQ(test, s->redir[1], DEST(9) | 0xc1);

	/* Restored as is: remote IRR set, edge: nothing is sent. */
	vlapic_ioapic_reset(io);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_state(io, s), 0);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	vlapic_ioapic_get_state(io, t);
	KUNIT_EXPECT_EQ(test, memcmp(s, t, sizeof(*s)), 0);
	KUNIT_EXPECT_EQ(test, mmio_read(test, io, VLAPIC_IOAPIC_IOWIN),
			DEST(9) >> 32);

	/* Remote IRR clear and the line asserted: restore delivers. */
	s->redir[0] &= ~RIRR;
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_state(io, s), 0);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	KUNIT_EXPECT_EQ(test, ctx_last(ctx).vector, 0xc0);
	KUNIT_EXPECT_EQ(test, redir_read(test, io, 0), LEVEL | RIRR | 0xc0);
	/* The restored input is the base for edges. */
	set_input(test, io, 1, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
}

static void ioapic_state_rejects(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_state *good, *bad, *now;
	unsigned int i;

	good = kunit_kzalloc(test, sizeof(*good), GFP_KERNEL);
	bad = kunit_kzalloc(test, sizeof(*bad), GFP_KERNEL);
	now = kunit_kzalloc(test, sizeof(*now), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, good);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_ASSERT_NOT_NULL(test, now);
	redir_write(test, io, 2, LEVEL | 0xd0);
	set_input(test, io, 2, true);
	vlapic_ioapic_get_state(io, good);

	for (i = 0; i < 9; i++) {
		*bad = *good;
		/* Valid except for one thing; pin 3 would deliver. */
		bad->redir[3] = LEVEL | 0xd3;
		bad->input_high |= BIT(3);
		switch (i) {
		case 0:
			bad->flags = 1;
			break;
		case 1:
			bad->ioregsel = 0x100;
			break;
		case 2:
			bad->id = 16;
			break;
		case 3:
			bad->input_high |= BIT(24);
			break;
		case 4:	/* reserved bit 17 */
			bad->redir[5] = BIT_ULL(17) | MASKED;
			break;
		case 5:	/* reserved bit 48 (55:49: extended destination) */
			bad->redir[23] = BIT_ULL(48) | MASKED;
			break;
		case 6:
			bad->redir[6] = VLAPIC_IOAPIC_DELIVERY_STATUS;
			break;
		case 7:	/* remote IRR on an edge entry */
			bad->redir[7] = RIRR | 0xd7;
			break;
		case 8:	/* remote IRR on a level NMI (edge in fact) */
			bad->redir[8] = LEVEL | APIC_DM_NMI | RIRR;
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, vlapic_ioapic_set_state(io, bad),
				    -EINVAL, "case %u", i);
		vlapic_ioapic_get_state(io, now);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(now, good, sizeof(*now)), 0,
				    "case %u", i);
	}
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* The same state without the defect is accepted. */
	*bad = *good;
	bad->redir[3] = LEVEL | 0xd3;
	bad->input_high |= BIT(3);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_state(io, bad), 0);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
}

/*
 * Remote IRR is set only when a local APIC accepted the level message (so
 * an EOI will come): a message nobody accepted (no such destination, a
 * software-disabled target, an illegal vector) leaves it clear, and the
 * next event that re-evaluates the pin (here an entry write) sends again.
 * It was set regardless, and the pin stayed dead until reprogrammed.
 */
static void ioapic_remote_irr_only_when_accepted(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);

	WRITE_ONCE(ctx->refuse, true);
	redir_write(test, io, 3, DEST(9) | LEVEL | 0x33);
	set_input(test, io, 3, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_FALSE(test, redir_read(test, io, 3) & RIRR);
	/* The guest fixes the destination: the asserted line is sent. */
	WRITE_ONCE(ctx->refuse, false);
	redir_write(test, io, 3, DEST(1) | LEVEL | 0x33);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	KUNIT_EXPECT_TRUE(test, redir_read(test, io, 3) & RIRR);
	/* Accepted: the EOI clears it, and the held line is sent again. */
	vlapic_ioapic_eoi(io, 0x33);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	KUNIT_EXPECT_TRUE(test, redir_read(test, io, 3) & RIRR);
	/* Refused after an EOI: clear again, no re-delivery loop. */
	WRITE_ONCE(ctx->refuse, true);
	vlapic_ioapic_eoi(io, 0x33);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 4);
	KUNIT_EXPECT_FALSE(test, redir_read(test, io, 3) & RIRR);
	/* The line dropping and rising again sends; accepted this time. */
	WRITE_ONCE(ctx->refuse, false);
	set_input(test, io, 3, false);
	set_input(test, io, 3, true);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 5);
	KUNIT_EXPECT_TRUE(test, redir_read(test, io, 3) & RIRR);
}

/*
 * A pin's signal is the wired OR of its sources: one source lowering its
 * signal leaves another's assertion. A saved input_high is that OR; a
 * restore makes it the VMM's signal, except where another source already
 * drives the pin (restoring into the same IOAPIC must not turn a device's
 * assertion into the VMM's, which would outlive the device's resample).
 */
static void ioapic_line_sources(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_state *st;
	int dev = vlapic_ioapic_alloc_source(io);

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_GT(test, dev, VLAPIC_IRQ_SOURCE_PULSE);
	redir_write(test, io, 6, LEVEL | 0x36);
	set_input(test, io, 6, true);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, 6, dev, true), 0);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	/* The device lowers its line: the VMM's keeps the pin asserted. */
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, 6, dev, false), 0);
	vlapic_ioapic_eoi(io, 0x36);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	/* The VMM lowers its line: the device's keeps it asserted. */
	vlapic_ioapic_set_source(io, 6, dev, true);
	set_input(test, io, 6, false);
	vlapic_ioapic_eoi(io, 0x36);
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 3);
	vlapic_ioapic_get_state(io, st);
	KUNIT_EXPECT_TRUE(test, st->input_high & BIT(6));
	/* Restored as is: the device still owns the assertion. */
	KUNIT_ASSERT_EQ(test, vlapic_ioapic_set_state(io, st), 0);
	vlapic_ioapic_lower_source(io, dev);
	vlapic_ioapic_get_state(io, st);
	KUNIT_EXPECT_FALSE(test, st->input_high & BIT(6));
	/* Freed, the ID comes back; bad IDs are refused. */
	vlapic_ioapic_free_source(io, dev);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_alloc_source(io), dev);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, 6, VLAPIC_IRQ_SOURCES,
						       true), -EINVAL);
}

/*
 * The pin number is clamped with array_index_nospec() after its check:
 * the last pin is its own (not pin 0), one past it is refused whole.
 */
static void ioapic_last_pin_source(struct kunit *test)
{
	const unsigned int last = VLAPIC_IOAPIC_NUM_PINS - 1;
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct vlapic_ioapic_state *before, *after;
	int dev = vlapic_ioapic_alloc_source(io);

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_GT(test, dev, VLAPIC_IRQ_SOURCE_PULSE);
	redir_write(test, io, 0, 0x30);
	redir_write(test, io, last, 0x37);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, last, dev, true), 0);
	KUNIT_EXPECT_TRUE(test, vlapic_ioapic_source_drives(io, last, dev));
	KUNIT_EXPECT_FALSE(test, vlapic_ioapic_source_drives(io, 0, dev));
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	KUNIT_EXPECT_EQ(test, ctx->log[0].vector, 0x37);

	vlapic_ioapic_get_state(io, before);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, last + 1, dev, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vlapic_ioapic_set_source(io, UINT_MAX, dev, true),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, vlapic_ioapic_source_drives(io, last + 1, dev));
	KUNIT_EXPECT_FALSE(test, vlapic_ioapic_source_drives(io, UINT_MAX, dev));
	vlapic_ioapic_get_state(io, after);
	KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(*before)), 0);
	KUNIT_EXPECT_FALSE(test, vlapic_ioapic_source_drives(io, 0, dev));
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 1);
	vlapic_ioapic_free_source(io, dev);
}

struct hardirq_drive {
	struct hrtimer timer;
	struct vlapic_ioapic *io;
	atomic_t done;
};

static enum hrtimer_restart hardirq_drive_fn(struct hrtimer *timer)
{
	struct hardirq_drive *h = container_of(timer, struct hardirq_drive,
					       timer);

	vlapic_ioapic_set_input(h->io, 4, true);
	vlapic_ioapic_eoi(h->io, 0x44);
	vlapic_ioapic_set_input(h->io, 4, false);
	vlapic_ioapic_eoi(h->io, 0x44);
	atomic_inc(&h->done);
	return HRTIMER_NORESTART;
}

/*
 * The IOAPIC's entry points are "any context": lines and EOIs driven from
 * a hard hrtimer callback (hard interrupt context, also on PREEMPT_RT).
 * So its lock must be a raw spinlock: a spinlock_t is a sleeping lock on
 * PREEMPT_RT. (Lockdep's raw-nesting check, CONFIG_PROVE_RAW_LOCK_NESTING,
 * would report it, but in 6.1 it also reports printk() from hard
 * interrupts to the 8250 console, which the test kernel does under TCG:
 * the lock's type is checked here instead.)
 */
static void ioapic_lines_from_hard_irq(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io = ctx_default(test);
	struct hardirq_drive *h;
	unsigned long end;

	KUNIT_EXPECT_TRUE(test, __builtin_types_compatible_p(typeof(io->lock),
							     raw_spinlock_t));
	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->io = io;
	redir_write(test, io, 4, LEVEL | 0x44);
	hrtimer_init(&h->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	h->timer.function = hardirq_drive_fn;
	hrtimer_start(&h->timer, ns_to_ktime(1000), HRTIMER_MODE_REL_HARD);
	end = jiffies + 10 * HZ;
	while (!atomic_read(&h->done) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	hrtimer_cancel(&h->timer);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->done), 1);
	/* Sent on assertion, again on the first EOI (still high). */
	KUNIT_EXPECT_EQ(test, ctx_nr(ctx), 2);
	KUNIT_EXPECT_FALSE(test, redir_read(test, io, 4) & RIRR);
}

/* --- concurrency ---------------------------------------------------------- */

#define RACE_PINS	4
#define RACE_LOOPS	20000

struct race {
	struct vlapic_ioapic *io;
	struct completion done[2];
	struct task_struct *task[2];
};

static void race_wait_stop(void)
{
	while (!kthread_should_stop())
		usleep_range(100, 200);
}

static int race_lines(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = 0; i < RACE_LOOPS; i++) {
		/* Held for 64 updates per pin: EOIs find it asserted. */
		vlapic_ioapic_set_input(r->io, i % RACE_PINS, (i >> 8) & 1);
		if (!(i % 256))
			cond_resched();
	}
	complete(&r->done[0]);
	race_wait_stop();
	return 0;
}

static int race_eois(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = 0; i < RACE_LOOPS; i++) {
		vlapic_ioapic_eoi(r->io, 0xe0 + i % RACE_PINS);
		if (!(i % 256))
			cond_resched();
	}
	complete(&r->done[1]);
	race_wait_stop();
	return 0;
}

static void ioapic_concurrent_lines_and_eois(struct kunit *test)
{
	struct ioapic_ctx *ctx = test->priv;
	struct vlapic_ioapic *io =
		ctx_create(test, VLAPIC_IOAPIC_VERSION_ICH, 3, 1000);
	struct vlapic_ioapic_stats *st;
	struct race *r;
	unsigned int pin, i;
	u64 delivered = 0;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->io = io;
	for (pin = 0; pin < RACE_PINS; pin++)
		redir_write(test, io, pin, LEVEL | (0xe0 + pin));
	for (i = 0; i < 2; i++)
		init_completion(&r->done[i]);
	r->task[0] = kthread_run(race_lines, r, "vlapic-race-lines");
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->task[0]));
	r->task[1] = kthread_run(race_eois, r, "vlapic-race-eois");
	if (IS_ERR(r->task[1])) {
		kthread_stop(r->task[0]);
		KUNIT_FAIL(test, "kthread_run");
		return;
	}
	/* Meanwhile this CPU masks and unmasks pin 0. */
	for (i = 0; i < 200; i++)
		redir_write(test, io, 0, LEVEL | (i & 1 ? MASKED : 0) | 0xe0);
	wait_for_completion(&r->done[0]);
	wait_for_completion(&r->done[1]);
	kthread_stop(r->task[0]);
	kthread_stop(r->task[1]);

	/* Quiesce: lines low, every vector EOIed, deferrals drained. */
	for (pin = 0; pin < RACE_PINS; pin++) {
		set_input(test, io, pin, false);
		vlapic_ioapic_eoi(io, 0xe0 + pin);
	}
	msleep(20);
	vlapic_ioapic_get_stats(io, st);
	KUNIT_EXPECT_EQ(test, st->deferral_pending, 0);
	for (pin = 0; pin < RACE_PINS; pin++) {
		KUNIT_EXPECT_EQ(test, redir_read(test, io, pin) & RIRR, 0);
		/* Every delivery set remote IRR, every EOI cleared one. */
		KUNIT_EXPECT_EQ_MSG(test, st->pin[pin].delivered,
				    st->pin[pin].eoi, "pin %u", pin);
		delivered += st->pin[pin].delivered;
	}
	KUNIT_EXPECT_EQ(test, delivered, (u64)atomic_read(&ctx->total));
	KUNIT_EXPECT_GT(test, delivered, 0ULL);
	kunit_info(test, "delivered %llu, deferrals %llu %llu %llu %llu",
		   delivered, st->pin[0].deferrals, st->pin[1].deferrals,
		   st->pin[2].deferrals, st->pin[3].deferrals);
}

static struct kunit_case ioapic_cases[] = {
	KUNIT_CASE(ioapic_reset_values),
	KUNIT_CASE(ioapic_version_82093aa),
	KUNIT_CASE(ioapic_id_and_arbitration),
	KUNIT_CASE(ioapic_ioregsel_8_bits),
	KUNIT_CASE(ioapic_redir_every_bit),
	KUNIT_CASE(ioapic_redir_each_pin_own_entry),
	KUNIT_CASE(ioapic_unimplemented_registers),
	KUNIT_CASE(ioapic_mmio_bad_accesses),
	KUNIT_CASE(ioapic_create_rejects),
	KUNIT_CASE(ioapic_module_parameters),
	KUNIT_CASE(ioapic_edge_delivers_once_per_rising_edge),
	KUNIT_CASE(ioapic_edge_masked_is_lost),
	KUNIT_CASE(ioapic_level_delivers_and_sets_remote_irr),
	KUNIT_CASE(ioapic_level_mask_unmask),
	KUNIT_CASE(ioapic_remote_irr_lifecycle),
	KUNIT_CASE(ioapic_shared_vector_eoi),
	KUNIT_CASE(ioapic_polarity),
	KUNIT_CASE(ioapic_delivery_modes),
	KUNIT_CASE(ioapic_directed_eoi_register),
	KUNIT_CASE(ioapic_no_eoi_register_on_82093aa),
	KUNIT_CASE(ioapic_level_vectors_bitmap),
	KUNIT_CASE(ioapic_reset_clears_entries_keeps_inputs),
	KUNIT_CASE(ioapic_seed001_storm_replay),
	KUNIT_CASE(ioapic_seed001_guest_makes_progress),
	KUNIT_CASE(ioapic_eoi_from_deliver_callback),
	KUNIT_CASE(ioapic_teardown_with_deferral_pending),
	KUNIT_CASE(ioapic_storm_trace_events),
	KUNIT_CASE(ioapic_state_roundtrip_and_reevaluation),
	KUNIT_CASE(ioapic_state_rejects),
	KUNIT_CASE(ioapic_remote_irr_only_when_accepted),
	KUNIT_CASE(ioapic_line_sources),
	KUNIT_CASE(ioapic_last_pin_source),
	KUNIT_CASE(ioapic_lines_from_hard_irq),
	KUNIT_CASE(ioapic_concurrent_lines_and_eois),
	{}
};

static struct kunit_suite ioapic_suite = {
	.name = "vlapic_ioapic",
	.init = ioapic_test_init,
	.exit = ioapic_test_exit,
	.test_cases = ioapic_cases,
};

kunit_test_suite(ioapic_suite);
