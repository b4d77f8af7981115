/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O and MMIO dispatch to the device model. Every handler runs with
 * vm->dev_lock held, in the thread of the vCPU that made the access; a
 * handler that needs the whole VM (reset, state round trip) asks for it
 * with vcpu_request() and the vCPU thread acts once the access completed.
 * Accesses nothing claims read as all ones and are dropped, and counted.
 */
#ifndef _VMM_IO_H
#define _VMM_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vm;
struct vcpu;

/* @off: from the range's base; @size: 1, 2 or 4; values in the low bits. */
typedef uint32_t (*io_in_fn)(struct vcpu *vcpu, void *opaque, uint16_t off,
			     unsigned int size);
typedef void (*io_out_fn)(struct vcpu *vcpu, void *opaque, uint16_t off,
			  unsigned int size, uint32_t val);
/* @size: 1 to 8 bytes at @data. */
typedef void (*mmio_fn)(struct vcpu *vcpu, void *opaque, uint64_t off,
			unsigned int size, uint8_t *data, bool write);

int io_init(struct vm *vm);
void io_free(struct vm *vm);
/* Claim ports [@base, @base + @len); @in or @out may be NULL (all ones). */
int io_register(struct vm *vm, uint16_t base, uint16_t len, const char *name,
		io_in_fn in, io_out_fn out, void *opaque);
int mmio_register(struct vm *vm, uint64_t base, uint64_t len,
		  const char *name, mmio_fn fn, void *opaque);
/* One port access (of an IO exit's count) at @data. */
void io_dispatch(struct vcpu *vcpu, uint16_t port, unsigned int size,
		 bool write, uint8_t *data);
void mmio_dispatch(struct vcpu *vcpu, uint64_t gpa, unsigned int size,
		   bool write, uint8_t *data);
/* Accesses by device, and the unclaimed ports. */
void io_print_stats(struct vm *vm, FILE *out);

#endif /* _VMM_IO_H */
