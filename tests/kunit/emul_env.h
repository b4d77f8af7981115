/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest for the emulator's suites (vlapic_emulate, vlapic_walk):
 * guest RAM in a buffer at guest-physical 0, a device window at
 * ENV_MMIO_BASE that logs every access and can send reads and writes to
 * "userspace" (EMUL_USER_EXIT), and helpers that build CPU states and
 * page tables.
 */
#ifndef _VLAPIC_TEST_EMUL_ENV_H
#define _VLAPIC_TEST_EMUL_ENV_H

#include <kunit/test.h>

#include <vlapic/emul.h>

#define ENV_RAM_SIZE	(32 * 4096)
#define ENV_MMIO_BASE	0xfee00000ULL
#define ENV_MMIO_SIZE	0x2000
#define ENV_LOG_MAX	64
#define ENV_ANSWERS	4

/* One access the device saw. */
struct env_access {
	bool write;
	u64 gpa;
	unsigned int len;
	u64 val;
	int ret;		/* what the device returned */
};

/* Data "userspace" supplied for a read that exited. */
struct env_answer {
	bool valid;
	u64 gpa;
	unsigned int len;
	u64 val;
};

/**
 * struct emul_env - the fake guest.
 * @ram: ENV_RAM_SIZE bytes at guest-physical 0.
 * @mmio: the device's registers, ENV_MMIO_SIZE bytes at ENV_MMIO_BASE.
 * @log: the first ENV_LOG_MAX device accesses.
 * @nr_log: how many device accesses there were.
 * @exit_reads: device reads go to userspace unless @answer has them.
 * @exit_writes: device writes go to userspace (they still land in @mmio,
 *	as userspace would perform them).
 * @answer: userspace's data for reads that exited; an answer is used by
 *	every read of its @gpa and @len until the test drops it, as the
 *	run loop keeps them until the instruction completes.
 * @races: the next @races cmpxchg_phys calls find the entry changed.
 * @nr_cmpxchg: cmpxchg_phys calls.
 * @nr_read_phys: read_phys calls.
 * @fault_gpa: what fault_gpa answers (the exit's address), if
 *	@has_fault_gpa.
 * @has_fault_gpa: fault_gpa answers @fault_gpa; else it knows nothing.
 * @nr_fault_gpa: fault_gpa calls.
 * @cpu: a CPU state the helpers fill.
 */
struct emul_env {
	u8 *ram;
	u8 mmio[ENV_MMIO_SIZE];
	struct env_access log[ENV_LOG_MAX];
	unsigned int nr_log;
	bool exit_reads;
	bool exit_writes;
	struct env_answer answer[ENV_ANSWERS];
	unsigned int races;
	unsigned int nr_cmpxchg;
	unsigned int nr_read_phys;
	u64 fault_gpa;
	bool has_fault_gpa;
	unsigned int nr_fault_gpa;
	struct emul_cpu cpu;
};

extern const struct emul_ops env_ops;
extern const struct emul_ops env_ops_no_ad;

struct emul_env *env_new(struct kunit *test);
unsigned int env_hex(const char *hex, u8 *out);

u64 env_ram_get(struct emul_env *env, u64 gpa, unsigned int len);
void env_ram_set(struct emul_env *env, u64 gpa, u64 val, unsigned int len);
u64 env_mmio_get(struct emul_env *env, u64 gpa, unsigned int len);
void env_mmio_set(struct emul_env *env, u64 gpa, u64 val, unsigned int len);
void env_answer(struct emul_env *env, u64 gpa, unsigned int len, u64 val);
void env_clear_log(struct emul_env *env);

/*
 * env_long64() guest-physical layout: page tables at ENV_PML4..ENV_PT,
 * data from ENV_DATA. Guest-linear: 1 GiB identity pages for [0, 1G) and
 * [3G, 4G) (RAM and the device), and ENV_VA_BASE + N * 4096 mapped by
 * env_map() through the page table at ENV_PT.
 */
#define ENV_PML4	0x1000ULL
#define ENV_PDPT	0x2000ULL
#define ENV_PD		0x3000ULL
#define ENV_PT		0x4000ULL
#define ENV_DATA	0x8000ULL
#define ENV_VA_BASE	0x4000000000ULL

/* Paging-structure entry bits */
#define ENV_P		BIT_ULL(0)
#define ENV_RW		BIT_ULL(1)
#define ENV_US		BIT_ULL(2)
#define ENV_A		BIT_ULL(5)
#define ENV_D		BIT_ULL(6)
#define ENV_PS		BIT_ULL(7)
#define ENV_XD		BIT_ULL(63)

void env_cpu_real(struct emul_cpu *cpu);
void env_cpu_prot(struct emul_cpu *cpu, bool db);
void env_long64(struct emul_env *env);
void env_map(struct emul_env *env, unsigned int page, u64 gpa, u64 flags);

#endif /* _VLAPIC_TEST_EMUL_ENV_H */
