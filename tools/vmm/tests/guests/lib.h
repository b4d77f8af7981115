/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test guests' library: port and MMIO access, COM1 output, TAP, the
 * multiboot information, fw_cfg, the LAPIC (xAPIC MMIO), the IOAPIC and
 * interrupt handlers. 32-bit protected mode, paging off.
 */
#ifndef _GUEST_LIB_H
#define _GUEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIT(n)		(1U << (n))
#define __printf(a, b)	__attribute((format(printf, a, b)))
#define __packed	__attribute((packed))
#define __noreturn	__attribute((noreturn))
/* Data an interrupt handler shares with the code it interrupts. */
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define INC_ONCE(x)	__atomic_add_fetch(&(x), 1, __ATOMIC_SEQ_CST)

#define LAPIC_BASE	0xfee00000U
#define IOAPIC_BASE	0xfec00000U
#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100
#define LAPIC_IRR	0x200
#define LAPIC_ICR	0x300
#define LAPIC_ICR2	0x310
#define LAPIC_LVTT	0x320
#define LAPIC_TMICT	0x380
#define LAPIC_TMCCT	0x390
#define LAPIC_TDCR	0x3e0
#define LVT_MASKED	BIT(16)
#define LVT_PERIODIC	BIT(17)
#define IOAPIC_LEVEL	BIT(15)
#define IOAPIC_MASKED	BIT(16)
#define IOAPIC_RIRR	BIT(14)
#define X86_EFLAGS_IF	BIT(9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb_module {
	uint32_t start;
	uint32_t end;
	uint32_t string;
	uint32_t reserved;
};

struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __packed;

/* The interrupted state, as isr_common pushes it. */
struct frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*isr_fn)(struct frame *f);

extern uint32_t mb_magic, mb_info_addr, entry_eflags, entry_cr0, entry_esp;
/* crt0.S: the IDT, its 16-byte stubs, and a real-mode AP trampoline. */
extern uint64_t idt[256];
extern uint8_t isr_stubs[];
extern uint8_t ap_tramp[], ap_tramp_end[];
/* Where ap_tramp counts the APs it started (a 32-bit counter). */
#define AP_TRAMP_COUNTER	0x7fe8

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* One 32-bit access, exactly as written (device registers). */
static inline uint32_t mmio_read(uint32_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write(uint32_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

/* STI; HLT: sleep until an interrupt, with no window between the two. */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

static inline uint32_t read_eflags(void)
{
	uint32_t f;

	asm volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return mmio_read(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(LAPIC_BASE + reg, v);
}

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
const char *strstr(const char *h, const char *n);

void putc_serial(char c);
void printf(const char *fmt, ...) __printf(1, 2);
void ok(bool cond, const char *fmt, ...) __printf(2, 3);
int tap_done(void);
void guest_exit(uint32_t code) __noreturn;

const struct mb_info *mbi(void);
const char *cmdline(void);
bool cmdline_has(const char *word);
uint32_t cmdline_uint(const char *key, uint32_t dflt);

void fwcfg_read(uint16_t key, void *buf, unsigned int len);
uint64_t fwcfg_u64(uint16_t key, unsigned int len);

void set_isr(unsigned int vector, isr_fn fn);
void lapic_enable(void);
void lapic_eoi(void);
uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
void ioapic_redir(unsigned int pin, uint32_t lo, uint32_t hi);
uint32_t ioapic_redir_lo(unsigned int pin);

#endif /* _GUEST_LIB_H */
