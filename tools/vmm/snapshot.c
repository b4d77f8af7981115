// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot file (snapshot.h), little-endian, x86-64 only:
 *
 *	struct snap_header
 *	records: struct snap_rec, then @len bytes
 *	  OPTIONS	struct snap_opts, then the kernel path, the
 *			--append and --initrd strings (each NUL-ended)
 *	  MEMORY	per RAM region (index): u64 guest address, the bytes
 *	  DEVICE	per device: char name[32], its state block
 *	  VM		the VM-wide irqchip blob, then the 24 GSI levels
 *	  VCPU		per vCPU (index): struct vcpu_state
 *	  END
 *
 * Every length is checked against what this VMM would write before a
 * byte is used; a snapshot from another backend, another vCPU count or
 * another build's state layout is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "snapshot.h"
#include "vmm.h"

#define SNAP_MAGIC		"VLVMSNP1"
#define SNAP_VERSION		1
#define SNAP_NAME_LEN		32
#define SNAP_STRING_MAX		4096

enum snap_type {
	SNAP_OPTIONS = 1,
	SNAP_MEMORY,
	SNAP_DEVICE,
	SNAP_VM,
	SNAP_VCPU,
	SNAP_END,
};

struct snap_header {
	char magic[8];
	uint32_t version;
	uint32_t vcpu_state_size;
};

struct snap_rec {
	uint32_t type;
	uint32_t index;
	uint64_t len;
};

#define SNAP_OPT_X2APIC		BIT(0)
#define SNAP_OPT_TSC_DEADLINE	BIT(1)
#define SNAP_OPT_FLAT		BIT(2)

struct snap_opts {
	char backend[16];
	uint32_t smp;
	uint32_t flags;
	uint64_t mem_bytes;
	uint32_t kernel_len;	/* with the NUL; 0: absent */
	uint32_t append_len;
	uint32_t initrd_len;
	uint32_t pad;
};

static int fail(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- writing ----------------------------------------------------------------- */

static void put_rec(FILE *f, uint32_t type, uint32_t index, uint64_t len)
{
	struct snap_rec r = { .type = type, .index = index, .len = len };

	fwrite(&r, sizeof(r), 1, f);
}

static uint32_t str_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static void put_str(FILE *f, const char *s)
{
	if (s)
		fwrite(s, strlen(s) + 1, 1, f);
}

static void write_options(FILE *f, const struct vm *vm)
{
	struct snap_opts o;

	memset(&o, 0, sizeof(o));
	snprintf(o.backend, sizeof(o.backend), "%s", vm->ops->name);
	o.smp = vm->nr_vcpus;
	o.flags = (vm->opt.x2apic ? SNAP_OPT_X2APIC : 0) |
		  (vm->opt.tsc_deadline ? SNAP_OPT_TSC_DEADLINE : 0) |
		  (vm->opt.flat ? SNAP_OPT_FLAT : 0);
	o.mem_bytes = vm->mem.size;
	o.kernel_len = str_len(vm->opt.kernel);
	o.append_len = str_len(vm->opt.append);
	o.initrd_len = str_len(vm->opt.initrd);
	put_rec(f, SNAP_OPTIONS, 0,
		sizeof(o) + o.kernel_len + o.append_len + o.initrd_len);
	fwrite(&o, sizeof(o), 1, f);
	put_str(f, vm->opt.kernel);
	put_str(f, vm->opt.append);
	put_str(f, vm->opt.initrd);
}

static void write_state(FILE *f, const struct vm *vm, const struct vm_state *st)
{
	unsigned int i;

	for (i = 0; i < vm->mem.nr; i++) {
		const struct mem_region *r = &vm->mem.r[i];

		put_rec(f, SNAP_MEMORY, i, sizeof(uint64_t) + r->size);
		fwrite(&r->gpa, sizeof(r->gpa), 1, f);
		fwrite(r->hva, r->size, 1, f);
	}
	for (i = 0; i < ARRAY_SIZE(vm->devices) && vm->devices[i]; i++) {
		char name[SNAP_NAME_LEN] = "";

		snprintf(name, sizeof(name), "%s", vm->devices[i]->name);
		put_rec(f, SNAP_DEVICE, i, sizeof(name) + vm->devices[i]->size);
		fwrite(name, sizeof(name), 1, f);
		fwrite(vm->devices[i]->state, vm->devices[i]->size, 1, f);
	}
	put_rec(f, SNAP_VM, 0, sizeof(st->ioapic.size) + st->ioapic.size +
	       sizeof(st->irq_level));
	fwrite(&st->ioapic.size, sizeof(st->ioapic.size), 1, f);
	fwrite(st->ioapic.data, st->ioapic.size, 1, f);
	fwrite(st->irq_level, sizeof(st->irq_level), 1, f);
	for (i = 0; i < st->nr_vcpus; i++) {
		put_rec(f, SNAP_VCPU, i, sizeof(*st->vcpu[i]));
		fwrite(st->vcpu[i], sizeof(*st->vcpu[i]), 1, f);
	}
	put_rec(f, SNAP_END, 0, 0);
}

int snapshot_write(struct vm *vm, const char *path, char *err, size_t errlen)
{
	struct snap_header h = { .version = SNAP_VERSION,
				 .vcpu_state_size = sizeof(struct vcpu_state) };
	struct vm_state *st = vm_state_alloc(vm->nr_vcpus);
	char *tmp = NULL;
	FILE *f = NULL;
	int ret = -1, e;

	if (!st || asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		fail(err, errlen, "snapshot: out of memory");
		goto out;
	}
	e = vm_state_save(vm, st);
	if (e) {
		fail(err, errlen, "snapshot: saving the VM state: %s",
		     strerror(-e));
		goto out;
	}
	f = fopen(tmp, "wb");
	if (!f) {
		fail(err, errlen, "snapshot: %s: %s", tmp, strerror(errno));
		goto out;
	}
	memcpy(h.magic, SNAP_MAGIC, sizeof(h.magic));
	fwrite(&h, sizeof(h), 1, f);
	write_options(f, vm);
	/* Device blocks change under the device lock only. */
	pthread_mutex_lock(&vm->dev_lock);
	write_state(f, vm, st);
	pthread_mutex_unlock(&vm->dev_lock);
	e = ferror(f);
	if (fclose(f) || e) {
		f = NULL;
		fail(err, errlen, "snapshot: writing %s failed", tmp);
		remove(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, path)) {
		fail(err, errlen, "snapshot: %s: %s", path, strerror(errno));
		remove(tmp);
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	free(tmp);
	vm_state_free(st);
	return ret;
}

/* --- reading ----------------------------------------------------------------- */

static int read_exact(FILE *f, void *buf, uint64_t len)
{
	return len && fread(buf, len, 1, f) != 1 ? -1 : 0;
}

static int open_snapshot(const char *path, FILE **out, char *err,
			 size_t errlen)
{
	struct snap_header h;
	FILE *f = fopen(path, "rb");

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (read_exact(f, &h, sizeof(h)) ||
	    memcmp(h.magic, SNAP_MAGIC, sizeof(h.magic)) ||
	    h.version != SNAP_VERSION) {
		fclose(f);
		return fail(err, errlen, "%s: not a " VMM_NAME " snapshot", path);
	}
	if (h.vcpu_state_size != sizeof(struct vcpu_state)) {
		fclose(f);
		return fail(err, errlen, "%s: written by a build with another vCPU state layout",
			    path);
	}
	*out = f;
	return 0;
}

static char *read_string(FILE *f, uint32_t len, int *bad)
{
	char *s;

	if (!len)
		return NULL;
	if (len > SNAP_STRING_MAX) {
		*bad = 1;
		return NULL;
	}
	s = malloc(len);
	if (!s || read_exact(f, s, len) || s[len - 1]) {
		free(s);
		*bad = 1;
		return NULL;
	}
	return s;
}

int snapshot_read_options(const char *path, struct vmm_options *opt,
			  struct snapshot_strings *keep, char *err,
			  size_t errlen)
{
	struct snap_opts o;
	struct snap_rec r;
	FILE *f;
	int bad = 0;

	memset(keep, 0, sizeof(*keep));
	if (open_snapshot(path, &f, err, errlen))
		return -1;
	if (read_exact(f, &r, sizeof(r)) || r.type != SNAP_OPTIONS ||
	    r.len < sizeof(o) || read_exact(f, &o, sizeof(o)) ||
	    r.len != sizeof(o) + (uint64_t)o.kernel_len + o.append_len +
		     o.initrd_len ||
	    !o.smp || o.smp > VMM_MAX_VCPUS || !o.mem_bytes ||
	    o.backend[sizeof(o.backend) - 1]) {
		fclose(f);
		return fail(err, errlen, "%s: bad snapshot options", path);
	}
	keep->backend = strdup(o.backend);
	keep->kernel = read_string(f, o.kernel_len, &bad);
	keep->append = read_string(f, o.append_len, &bad);
	keep->initrd = read_string(f, o.initrd_len, &bad);
	fclose(f);
	if (bad || !keep->backend) {
		snapshot_strings_free(keep);
		return fail(err, errlen, "%s: bad snapshot options", path);
	}
	if (opt->backend_given && strcmp(opt->backend, keep->backend)) {
		fail(err, errlen, "%s: a snapshot of backend %s cannot be restored on %s",
		     path, keep->backend, opt->backend);
		snapshot_strings_free(keep);
		return -1;
	}
	opt->backend = keep->backend;
	opt->smp = o.smp;
	opt->mem_bytes = o.mem_bytes;
	opt->x2apic = o.flags & SNAP_OPT_X2APIC;
	opt->tsc_deadline = o.flags & SNAP_OPT_TSC_DEADLINE;
	opt->flat = o.flags & SNAP_OPT_FLAT;
	if (!opt->kernel)
		opt->kernel = keep->kernel;
	opt->append = keep->append;
	opt->initrd = keep->initrd;
	if (!opt->kernel) {
		snapshot_strings_free(keep);
		return fail(err, errlen, "%s: no kernel path in the snapshot", path);
	}
	return 0;
}

void snapshot_strings_free(struct snapshot_strings *keep)
{
	free(keep->backend);
	free(keep->kernel);
	free(keep->append);
	free(keep->initrd);
	memset(keep, 0, sizeof(*keep));
}

/* Read one record's payload into the new VM; 0 or -1 (@err set). */
static int restore_record(struct vm *vm, FILE *f, const struct snap_rec *r,
			  struct vm_state *st, char *err, size_t errlen)
{
	uint64_t gpa;
	char name[SNAP_NAME_LEN];
	struct device *dev;

	switch (r->type) {
	case SNAP_OPTIONS:
		return fseek(f, r->len, SEEK_CUR) ? -1 : 0;
	case SNAP_MEMORY:
		if (r->index >= vm->mem.nr ||
		    r->len != sizeof(gpa) + vm->mem.r[r->index].size ||
		    read_exact(f, &gpa, sizeof(gpa)) ||
		    gpa != vm->mem.r[r->index].gpa)
			return fail(err, errlen, "RAM region %u does not match",
				    r->index);
		return read_exact(f, vm->mem.r[r->index].hva,
				  vm->mem.r[r->index].size);
	case SNAP_DEVICE:
		if (r->len < sizeof(name) || read_exact(f, name, sizeof(name)))
			return -1;
		name[sizeof(name) - 1] = 0;
		dev = device_find(vm, name);
		if (!dev || r->len != sizeof(name) + dev->size)
			return fail(err, errlen, "device '%s' does not match", name);
		return read_exact(f, dev->state, dev->size);
	case SNAP_VM:
		if (r->len < sizeof(st->ioapic.size) ||
		    read_exact(f, &st->ioapic.size, sizeof(st->ioapic.size)) ||
		    st->ioapic.size > IRQCHIP_BLOB_MAX ||
		    r->len != sizeof(st->ioapic.size) + st->ioapic.size +
			      sizeof(st->irq_level))
			return fail(err, errlen, "bad irqchip record");
		if (read_exact(f, st->ioapic.data, st->ioapic.size) ||
		    read_exact(f, st->irq_level, sizeof(st->irq_level)))
			return -1;
		return 0;
	case SNAP_VCPU:
		if (r->index >= st->nr_vcpus ||
		    r->len != sizeof(*st->vcpu[r->index]) ||
		    read_exact(f, st->vcpu[r->index], r->len) ||
		    st->vcpu[r->index]->lapic.size > IRQCHIP_BLOB_MAX ||
		    st->vcpu[r->index]->nmsrs > VMM_MAX_MSRS)
			return fail(err, errlen, "bad vCPU record %u", r->index);
		return 0;
	}
	return fail(err, errlen, "unknown record type %u", r->type);
}

int snapshot_restore(struct vm *vm, const char *path, char *err,
		     size_t errlen)
{
	struct vm_state *st = vm_state_alloc(vm->nr_vcpus);
	uint64_t seen_vcpu = 0, seen_mem = 0;
	bool seen_vm = false, end = false;
	char why[256] = "truncated or unreadable";
	struct snap_rec r;
	FILE *f = NULL;
	int ret = -1, e;

	if (!st)
		return fail(err, errlen, "out of memory");
	if (open_snapshot(path, &f, err, errlen))
		goto out;
	while (!end) {
		if (read_exact(f, &r, sizeof(r)))
			goto bad;
		if (r.type == SNAP_END)
			break;
		if (restore_record(vm, f, &r, st, why, sizeof(why)))
			goto bad;
		if (r.type == SNAP_VCPU)
			seen_vcpu |= 1ULL << r.index;
		else if (r.type == SNAP_MEMORY)
			seen_mem |= 1ULL << r.index;
		else if (r.type == SNAP_VM)
			seen_vm = true;
	}
	if (seen_vcpu != (vm->nr_vcpus == 64 ? ~0ULL : (1ULL << vm->nr_vcpus) - 1) ||
	    seen_mem != (1ULL << vm->mem.nr) - 1 || !seen_vm) {
		snprintf(why, sizeof(why), "records missing");
		goto bad;
	}
	e = vm_state_load(vm, st, 0);
	if (e) {
		fail(err, errlen, "%s: loading the saved state: %s", path,
		     strerror(-e));
		goto out;
	}
	ret = 0;
	goto out;
bad:
	fail(err, errlen, "%s: bad snapshot: %s", path, why);
out:
	if (f)
		fclose(f);
	vm_state_free(st);
	return ret;
}
