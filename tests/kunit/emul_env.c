// SPDX-License-Identifier: GPL-2.0
/*
 * The fake guest of vlapic_emulate and vlapic_walk (see emul_env.h).
 */

#include <linux/kernel.h>
#include <linux/string.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "emul_env.h"

/**
 * env_hex() - bytes from a string of hex pairs ("48 89 03").
 * @hex: the string.
 * @out: room for the bytes.
 *
 * Return: how many bytes.
 */
unsigned int env_hex(const char *hex, u8 *out)
{
	unsigned int n = 0;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		out[n++] = hex_to_bin(hex[0]) << 4 | hex_to_bin(hex[1]);
		hex += 2;
	}
	return n;
}

static bool in_ram(u64 gpa, unsigned int len)
{
	return gpa < ENV_RAM_SIZE && len <= ENV_RAM_SIZE - gpa;
}

static bool in_mmio(u64 gpa, unsigned int len)
{
	return gpa >= ENV_MMIO_BASE && gpa - ENV_MMIO_BASE < ENV_MMIO_SIZE &&
	       len <= ENV_MMIO_SIZE - (gpa - ENV_MMIO_BASE);
}

static u64 get_le(const u8 *p, unsigned int len)
{
	u64 val = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		val |= (u64)p[i] << (8 * i);
	return val;
}

static void set_le(u8 *p, u64 val, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = val >> (8 * i);
}

u64 env_ram_get(struct emul_env *env, u64 gpa, unsigned int len)
{
	return in_ram(gpa, len) ? get_le(env->ram + gpa, len) : 0;
}

void env_ram_set(struct emul_env *env, u64 gpa, u64 val, unsigned int len)
{
	if (in_ram(gpa, len))
		set_le(env->ram + gpa, val, len);
}

u64 env_mmio_get(struct emul_env *env, u64 gpa, unsigned int len)
{
	return in_mmio(gpa, len) ? get_le(env->mmio + gpa - ENV_MMIO_BASE,
					  len) : 0;
}

void env_mmio_set(struct emul_env *env, u64 gpa, u64 val, unsigned int len)
{
	if (in_mmio(gpa, len))
		set_le(env->mmio + gpa - ENV_MMIO_BASE, val, len);
}

void env_answer(struct emul_env *env, u64 gpa, unsigned int len, u64 val)
{
	unsigned int i;

	for (i = 0; i < ENV_ANSWERS; i++) {
		if (!env->answer[i].valid) {
			env->answer[i] = (struct env_answer){
				.valid = true, .gpa = gpa, .len = len,
				.val = val,
			};
			return;
		}
	}
}

void env_clear_log(struct emul_env *env)
{
	env->nr_log = 0;
	memset(env->log, 0, sizeof(env->log));
}

static void log_access(struct emul_env *env, bool write, u64 gpa,
		       unsigned int len, u64 val, int ret)
{
	if (env->nr_log < ENV_LOG_MAX)
		env->log[env->nr_log] = (struct env_access){
			.write = write, .gpa = gpa, .len = len, .val = val,
			.ret = ret,
		};
	env->nr_log++;
}

static int env_read_phys(void *ctx, u64 gpa, void *val, unsigned int len)
{
	struct emul_env *env = ctx;

	env->nr_read_phys++;
	if (!in_ram(gpa, len))
		return EMUL_ERROR;
	memcpy(val, env->ram + gpa, len);
	return EMUL_OK;
}

static int env_cmpxchg_phys(void *ctx, u64 gpa, u64 old, u64 new,
			    unsigned int len)
{
	struct emul_env *env = ctx;

	env->nr_cmpxchg++;
	if (!in_ram(gpa, len))
		return EMUL_ERROR;
	if (env->races) {
		env->races--;
		return EMUL_RETRY;
	}
	if (get_le(env->ram + gpa, len) != old)
		return EMUL_RETRY;
	set_le(env->ram + gpa, new, len);
	return EMUL_OK;
}

static int env_read(void *ctx, u64 gpa, void *val, unsigned int len)
{
	struct emul_env *env = ctx;
	unsigned int i;
	u64 v;

	if (in_ram(gpa, len)) {
		memcpy(val, env->ram + gpa, len);
		return EMUL_OK;
	}
	if (!in_mmio(gpa, len))
		return EMUL_ERROR;
	if (env->exit_reads) {
		for (i = 0; i < ENV_ANSWERS; i++) {
			struct env_answer *a = &env->answer[i];

			if (a->valid && a->gpa == gpa && a->len == len) {
				set_le(val, a->val, len);
				log_access(env, false, gpa, len, a->val,
					   EMUL_OK);
				return EMUL_OK;
			}
		}
		log_access(env, false, gpa, len, 0, EMUL_USER_EXIT);
		return EMUL_USER_EXIT;
	}
	v = env_mmio_get(env, gpa, len);
	set_le(val, v, len);
	log_access(env, false, gpa, len, v, EMUL_OK);
	return EMUL_OK;
}

static int env_write(void *ctx, u64 gpa, const void *val, unsigned int len)
{
	struct emul_env *env = ctx;
	u64 v = get_le(val, len);
	int ret = env->exit_writes ? EMUL_USER_EXIT : EMUL_OK;

	if (in_ram(gpa, len)) {
		memcpy(env->ram + gpa, val, len);
		return EMUL_OK;
	}
	if (!in_mmio(gpa, len))
		return EMUL_ERROR;
	env_mmio_set(env, gpa, v, len);
	log_access(env, true, gpa, len, v, ret);
	return ret;
}

static bool env_fault_gpa(void *ctx, u64 *gpa)
{
	struct emul_env *env = ctx;

	env->nr_fault_gpa++;
	*gpa = env->fault_gpa;
	return env->has_fault_gpa;
}

const struct emul_ops env_ops = {
	.read_phys = env_read_phys,
	.cmpxchg_phys = env_cmpxchg_phys,
	.read = env_read,
	.write = env_write,
	.fault_gpa = env_fault_gpa,
};

/* Without cmpxchg_phys: the walker leaves A/D bits alone. */
const struct emul_ops env_ops_no_ad = {
	.read_phys = env_read_phys,
	.read = env_read,
	.write = env_write,
};

struct emul_env *env_new(struct kunit *test)
{
	struct emul_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->ram = kunit_kzalloc(test, ENV_RAM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->ram);
	return env;
}

static void flat_segments(struct emul_cpu *cpu, u32 limit, bool db)
{
	unsigned int i;

	for (i = 0; i < EMUL_NR_SEGS; i++) {
		cpu->seg[i] = (struct emul_segment){
			.limit = limit, .type = 0x3, .s = true,
			.present = true, .db = db,
		};
	}
	cpu->seg[EMUL_CS].type = 0xb;
}

/* Real mode: 64 KiB segments at base 0. */
void env_cpu_real(struct emul_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	flat_segments(cpu, 0xffff, false);
	cpu->rflags = X86_EFLAGS_FIXED;
}

/* Protected mode without paging, flat 4 GiB segments, CPL 0. */
void env_cpu_prot(struct emul_cpu *cpu, bool db)
{
	memset(cpu, 0, sizeof(*cpu));
	flat_segments(cpu, 0xffffffff, db);
	cpu->cr0 = X86_CR0_PE;
	cpu->rflags = X86_EFLAGS_FIXED;
}

/* 64-bit mode with 4-level paging (see emul_env.h for the layout). */
void env_long64(struct emul_env *env)
{
	struct emul_cpu *cpu = &env->cpu;

	env_cpu_prot(cpu, false);
	cpu->seg[EMUL_CS].l = true;
	cpu->cr0 |= X86_CR0_PG | X86_CR0_WP;
	cpu->cr3 = ENV_PML4;
	cpu->cr4 = X86_CR4_PAE;
	cpu->efer = EFER_LME | EFER_LMA | EFER_NX;
	cpu->maxphyaddr = 40;
	cpu->gbpages = true;

	memset(env->ram + ENV_PML4, 0, ENV_DATA - ENV_PML4);
	env_ram_set(env, ENV_PML4, ENV_PDPT | ENV_P | ENV_RW | ENV_US, 8);
	/* [0, 1G) and [3G, 4G): 1 GiB identity pages */
	env_ram_set(env, ENV_PDPT, 0 | ENV_PS | ENV_P | ENV_RW, 8);
	env_ram_set(env, ENV_PDPT + 3 * 8,
		    0xc0000000ULL | ENV_PS | ENV_P | ENV_RW, 8);
	/* ENV_VA_BASE: PDPT entry 256, PD entry 0, PT */
	env_ram_set(env, ENV_PDPT + 256 * 8, ENV_PD | ENV_P | ENV_RW | ENV_US,
		    8);
	env_ram_set(env, ENV_PD, ENV_PT | ENV_P | ENV_RW | ENV_US, 8);
}

/* ENV_VA_BASE + @page * 4096 -> @gpa with @flags (0: not present). */
void env_map(struct emul_env *env, unsigned int page, u64 gpa, u64 flags)
{
	env_ram_set(env, ENV_PT + page * 8, flags ? gpa | flags : 0, 8);
}
