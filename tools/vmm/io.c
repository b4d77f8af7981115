// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO dispatch (io.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "vmm.h"

#define IO_MAX_RANGES		32
#define MMIO_MAX_RANGES		8
#define IO_MAX_UNCLAIMED	32

struct io_range {
	uint16_t base;
	uint16_t len;
	const char *name;
	io_in_fn in;
	io_out_fn out;
	void *opaque;
	uint64_t count;
};

struct mmio_range {
	uint64_t base;
	uint64_t len;
	const char *name;
	mmio_fn fn;
	void *opaque;
	uint64_t count;
};

/* An unclaimed port or address and how often it was accessed. */
struct unclaimed {
	uint64_t addr;
	uint64_t count;
};

/*
 * struct io_bus - the claims. Ranges are added before any vCPU runs and
 * never removed; counters change with vm->dev_lock held.
 */
struct io_bus {
	unsigned int nr_io;
	struct io_range io[IO_MAX_RANGES];
	unsigned int nr_mmio;
	struct mmio_range mmio[MMIO_MAX_RANGES];
	unsigned int nr_unclaimed_io;
	struct unclaimed unclaimed_io[IO_MAX_UNCLAIMED];
	uint64_t unclaimed_io_other;
	unsigned int nr_unclaimed_mmio;
	struct unclaimed unclaimed_mmio[IO_MAX_UNCLAIMED];
	uint64_t unclaimed_mmio_other;
};

int io_init(struct vm *vm)
{
	vm->io = calloc(1, sizeof(*vm->io));
	return vm->io ? 0 : -ENOMEM;
}

void io_free(struct vm *vm)
{
	free(vm->io);
	vm->io = NULL;
}

int io_register(struct vm *vm, uint16_t base, uint16_t len, const char *name,
		io_in_fn in, io_out_fn out, void *opaque)
{
	struct io_bus *bus = vm->io;
	struct io_range *r;
	unsigned int i;

	if (!len || base + len > 0x10000 || bus->nr_io == IO_MAX_RANGES)
		return -EINVAL;
	for (i = 0; i < bus->nr_io; i++)
		if (base < bus->io[i].base + bus->io[i].len &&
		    bus->io[i].base < base + len)
			return -EEXIST;
	r = &bus->io[bus->nr_io++];
	r->base = base;
	r->len = len;
	r->name = name;
	r->in = in;
	r->out = out;
	r->opaque = opaque;
	return 0;
}

int mmio_register(struct vm *vm, uint64_t base, uint64_t len,
		  const char *name, mmio_fn fn, void *opaque)
{
	struct io_bus *bus = vm->io;
	struct mmio_range *r;

	if (!len || bus->nr_mmio == MMIO_MAX_RANGES)
		return -EINVAL;
	r = &bus->mmio[bus->nr_mmio++];
	r->base = base;
	r->len = len;
	r->name = name;
	r->fn = fn;
	r->opaque = opaque;
	return 0;
}

static void count_unclaimed(struct unclaimed *tab, unsigned int *nr,
			    uint64_t *other, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < *nr; i++) {
		if (tab[i].addr == addr) {
			tab[i].count++;
			return;
		}
	}
	if (*nr == IO_MAX_UNCLAIMED) {
		(*other)++;
		return;
	}
	tab[*nr].addr = addr;
	tab[(*nr)++].count = 1;
}

void io_dispatch(struct vcpu *vcpu, uint16_t port, unsigned int size,
		 bool write, uint8_t *data)
{
	struct vm *vm = vcpu->vm;
	struct io_bus *bus = vm->io;
	struct io_range *r = NULL;
	uint32_t val = 0;
	unsigned int i;

	if (size > sizeof(val))
		size = sizeof(val);
	pthread_mutex_lock(&vm->dev_lock);
	for (i = 0; i < bus->nr_io; i++) {
		if (port >= bus->io[i].base &&
		    port < bus->io[i].base + bus->io[i].len) {
			r = &bus->io[i];
			break;
		}
	}
	if (!r)
		count_unclaimed(bus->unclaimed_io, &bus->nr_unclaimed_io,
				&bus->unclaimed_io_other, port);
	else
		r->count++;
	if (write) {
		memcpy(&val, data, size);
		if (r && r->out)
			r->out(vcpu, r->opaque, port - r->base, size, val);
	} else {
		val = r && r->in ? r->in(vcpu, r->opaque, port - r->base, size)
				 : 0xffffffff;
		memcpy(data, &val, size);
	}
	pthread_mutex_unlock(&vm->dev_lock);
}

void mmio_dispatch(struct vcpu *vcpu, uint64_t gpa, unsigned int size,
		   bool write, uint8_t *data)
{
	struct vm *vm = vcpu->vm;
	struct io_bus *bus = vm->io;
	struct mmio_range *r = NULL;
	unsigned int i;

	if (size > 8)
		size = 8;
	pthread_mutex_lock(&vm->dev_lock);
	for (i = 0; i < bus->nr_mmio; i++) {
		if (gpa >= bus->mmio[i].base &&
		    gpa - bus->mmio[i].base < bus->mmio[i].len &&
		    size <= bus->mmio[i].len - (gpa - bus->mmio[i].base)) {
			r = &bus->mmio[i];
			break;
		}
	}
	if (r) {
		r->count++;
		r->fn(vcpu, r->opaque, gpa - r->base, size, data, write);
	} else {
		count_unclaimed(bus->unclaimed_mmio, &bus->nr_unclaimed_mmio,
				&bus->unclaimed_mmio_other, gpa);
		if (!write)
			memset(data, 0xff, size);
	}
	pthread_mutex_unlock(&vm->dev_lock);
}

void io_print_stats(struct vm *vm, FILE *out)
{
	struct io_bus *bus = vm->io;
	unsigned int i;

	fprintf(out, "device accesses (exits to the VMM):\n");
	for (i = 0; i < bus->nr_io; i++)
		if (bus->io[i].count)
			fprintf(out, "  %-24s ports 0x%04x-0x%04x %12llu\n",
				bus->io[i].name, bus->io[i].base,
				bus->io[i].base + bus->io[i].len - 1,
				(unsigned long long)bus->io[i].count);
	for (i = 0; i < bus->nr_mmio; i++)
		if (bus->mmio[i].count)
			fprintf(out, "  %-24s mmio 0x%llx %12llu\n",
				bus->mmio[i].name,
				(unsigned long long)bus->mmio[i].base,
				(unsigned long long)bus->mmio[i].count);
	for (i = 0; i < bus->nr_unclaimed_io; i++)
		fprintf(out, "  %-24s port 0x%04llx      %12llu\n",
			"(unclaimed)",
			(unsigned long long)bus->unclaimed_io[i].addr,
			(unsigned long long)bus->unclaimed_io[i].count);
	if (bus->unclaimed_io_other)
		fprintf(out, "  %-24s other ports     %12llu\n",
			"(unclaimed)", (unsigned long long)bus->unclaimed_io_other);
	for (i = 0; i < bus->nr_unclaimed_mmio; i++)
		fprintf(out, "  %-24s mmio 0x%llx %12llu\n",
			"(unclaimed)",
			(unsigned long long)bus->unclaimed_mmio[i].addr,
			(unsigned long long)bus->unclaimed_mmio[i].count);
	if (bus->unclaimed_mmio_other)
		fprintf(out, "  %-24s other addresses %12llu\n",
			"(unclaimed)",
			(unsigned long long)bus->unclaimed_mmio_other);
}
