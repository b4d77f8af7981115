// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: binary statistics. Counters driven to known values (self
 * IPIs on vCPU 0, MSIs to vCPU 1) read back through VLAPIC_GET_STATS_FD on
 * the VM and vCPU fds (KVM's format: header, id, descriptors named from
 * the UAPI tables, live values), through the VM's debugfs directory and
 * through tools/vlapic-stat (text and JSON, rates); bad ioctl arguments,
 * offsets and seeks; the stats fd outliving the VM and vCPU fds.
 *
 * vlapic-stat is found at $VLAPIC_STAT, else /extra/tools/vlapic-stat (the
 * test VM's initramfs, tests/harness/vmm-extra.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "e2e.h"

#define N_IPI		7
#define V_IPI		0x50
#define N_MSI		5
#define V_MSI		0x61
#define MSI_ADDR(dest)	(0xfee00000ULL | ((uint64_t)(dest) << 12))
#define DEBUGFS		"/sys/kernel/debug/vlapic"
#define DESC_SIZE	(sizeof(struct vlapic_stats_desc) + VLAPIC_STATS_NAME_SIZE)

/* A whole stats file, as read at one time. */
struct blob {
	size_t size;
	unsigned char raw[16384];
};

static const struct vlapic_stats_header *hdr_of(const struct blob *b)
{
	return (const void *)b->raw;
}

static const struct vlapic_stats_desc *desc_of(const struct blob *b,
					       unsigned int i)
{
	return (const void *)(b->raw + hdr_of(b)->desc_offset + i * DESC_SIZE);
}

static uint64_t value_of(const struct blob *b, unsigned int i)
{
	uint64_t v;

	memcpy(&v, b->raw + hdr_of(b)->data_offset + desc_of(b, i)->offset,
	       sizeof(v));
	return v;
}

/* Read the file at @fd from offset 0 to its end with pread(). */
static bool read_blob(int fd, struct blob *b)
{
	ssize_t r;

	b->size = 0;
	for (;;) {
		r = pread(fd, b->raw + b->size, sizeof(b->raw) - b->size,
			  b->size);
		if (r < 0)
			return false;
		if (!r)
			return true;
		b->size += r;
		if (b->size == sizeof(b->raw))
			return false;
	}
}

static bool read_path(const char *path, struct blob *b)
{
	int fd = open(path, O_RDONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = read_blob(fd, b);
	close(fd);
	return ok;
}

/* The layout KVM's readers expect, with our names, id and values. */
static void check_format(const char *what, const struct blob *b,
			 const char *id, const char *const *names,
			 unsigned int nr, const __u64 *want)
{
	const struct vlapic_stats_header *h = hdr_of(b);
	unsigned int i, bad_desc = 0, bad_val = 0;
	size_t data = sizeof(*h) + VLAPIC_STATS_NAME_SIZE + nr * DESC_SIZE;

	tap_eq(b->size, data + nr * 8, "%s: file size", what);
	if (!tap_ok(h->flags == 0 && h->name_size == VLAPIC_STATS_NAME_SIZE &&
		    h->num_desc == nr && h->id_offset == sizeof(*h) &&
		    h->desc_offset == sizeof(*h) + VLAPIC_STATS_NAME_SIZE &&
		    h->data_offset == data,
		    "%s: header (flags 0, name_size 48, %u descriptors, offsets)",
		    what, nr)) {
		tap_diag("flags %u name_size %u num_desc %u id %u desc %u data %u",
			 h->flags, h->name_size, h->num_desc, h->id_offset,
			 h->desc_offset, h->data_offset);
		return;
	}
	tap_ok(!strcmp((const char *)b->raw + h->id_offset, id),
	       "%s: id is \"%s\" (got \"%s\")", what, id,
	       (const char *)b->raw + h->id_offset);
	for (i = 0; i < nr; i++) {
		const struct vlapic_stats_desc *d = desc_of(b, i);

		if (d->flags != (VLAPIC_STATS_TYPE_CUMULATIVE |
				 VLAPIC_STATS_UNIT_NONE |
				 VLAPIC_STATS_BASE_POW10) ||
		    d->exponent || d->size != 1 || d->offset != i * 8 ||
		    d->bucket_size || strcmp(d->name, names[i])) {
			tap_diag("%s: descriptor %u: flags %#x size %u offset %u name %.48s",
				 what, i, d->flags, d->size, d->offset, d->name);
			bad_desc++;
		}
		if (value_of(b, i) != want[i]) {
			tap_diag("%s: %s = %llu, the GET ioctl says %llu", what,
				 names[i], (unsigned long long)value_of(b, i),
				 (unsigned long long)want[i]);
			bad_val++;
		}
	}
	tap_eq(bad_desc, 0, "%s: descriptors: the UAPI names in order, cumulative, one u64 each",
	       what);
	tap_eq(bad_val, 0, "%s: values equal the GET_*_STATS ioctl's", what);
}

static uint64_t named(const struct blob *b, const char *name)
{
	unsigned int i;

	for (i = 0; i < hdr_of(b)->num_desc; i++)
		if (!strcmp(desc_of(b, i)->name, name))
			return value_of(b, i);
	tap_diag("no counter %s", name);
	return ~0ULL;
}

static int stats_fd(int fd)
{
	int ret = ioctl(fd, VLAPIC_GET_STATS_FD, 0);

	if (ret < 0)
		tap_bail("VLAPIC_GET_STATS_FD: %s", strerror(errno));
	return ret;
}

/* One at a time, each taken before the next: none coalesces in IRR. */
static void send_self_ipis(struct gcpu *g, unsigned int n, uint64_t total)
{
	uint64_t before = gcpu_count(g, V_IPI);
	unsigned int i;

	for (i = 1; i <= n; i++) {
		ipi(g, 0, LAPIC_SH_SELF | V_IPI);
		WAIT_FOR(gcpu_count(g, V_IPI) == before + i, 3000);
	}
	tap_ok(gcpu_count(g, V_IPI) == total, "vCPU 0 took %llu self-IPIs",
	       (unsigned long long)total);
}

/* --- the tool -------------------------------------------------------------- */

static const char *tool(void)
{
	const char *t = getenv("VLAPIC_STAT");

	return t ? t : "/extra/tools/vlapic-stat";
}

/* Run vlapic-stat with @args; its output in @out, its exit status back. */
static int run_tool(const char *args, char *out, size_t size)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", tool(), args);
	p = popen(cmd, "r");
	if (!p)
		tap_bail("popen %s", cmd);
	while (n + 1 < size && !feof(p)) {
		size_t r = fread(out + n, 1, size - 1 - n, p);

		if (!r)
			break;
		n += r;
	}
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The total of counter @name in the JSON object that starts after
 * @section ("name": "<section>"), before the next "name" key; ~0 if absent.
 */
static uint64_t json_total(const char *json, const char *section,
			   const char *name)
{
	char key[128];
	const char *s, *end, *c;
	unsigned long long v;

	snprintf(key, sizeof(key), "\"name\": \"%s\"", section);
	s = strstr(json, key);
	if (!s)
		return ~0ULL;
	s += strlen(key);
	end = strstr(s, "\"name\": ");
	snprintf(key, sizeof(key), "\"%s\": {\"total\": ", name);
	c = strstr(s, key);
	if (!c || (end && c > end))
		return ~0ULL;
	if (sscanf(c + strlen(key), "%llu", &v) != 1)
		return ~0ULL;
	return v;
}

/* The rate of @name in @section, as json_total(); -1 if absent. */
static double json_rate(const char *json, const char *section,
			const char *name)
{
	char key[128];
	const char *s, *c;
	double r;

	snprintf(key, sizeof(key), "\"name\": \"%s\"", section);
	s = strstr(json, key);
	if (!s)
		return -1;
	snprintf(key, sizeof(key), "\"%s\": {\"total\": ", name);
	c = strstr(s, key);
	if (!c)
		return -1;
	c = strstr(c, "\"rate\": ");
	if (!c || sscanf(c + 8, "%lf", &r) != 1)
		return -1;
	return r;
}

/* The total on @name's row of the text table after line @title. */
static uint64_t text_total(const char *text, const char *title,
			   const char *name)
{
	const char *s = strstr(text, title), *line;
	unsigned long long v;
	char n[64];

	if (!s)
		return ~0ULL;
	for (line = strchr(s, '\n'); line && line[1] == ' ';
	     line = strchr(line + 1, '\n')) {
		if (sscanf(line + 1, "%63s %llu", n, &v) == 2 &&
		    !strcmp(n, name))
			return v;
	}
	return ~0ULL;
}

struct msi_sender {
	int vm;
	int stop;
	uint64_t sent;
	pthread_t thread;
};

static void *msi_sender_fn(void *arg)
{
	struct msi_sender *m = arg;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		if (vlapic_signal_msi(m->vm, MSI_ADDR(1), V_MSI) == 1)
			m->sent++;
		usleep(200);
	}
	return NULL;
}

static void test_tool(struct e2e_vm *v, int vmsfd, const char *vmname,
		      uint64_t ipis)
{
	static char out[65536];
	char args[128], title[64];
	struct msi_sender m = { .vm = v->vm };
	struct blob b;
	const char *p;
	bool all_zero;
	int rc;

	if (!tap_ok(access(tool(), X_OK) == 0, "vlapic-stat found at %s",
		    tool()))
		return;
	snprintf(args, sizeof(args), "--once -d 0 --json -p %d", getpid());
	rc = run_tool(args, out, sizeof(out));
	tap_eq(rc, 0, "vlapic-stat --once --json: exit status 0");
	tap_ok(strstr(out, vmname), "--json lists VM %s", vmname);
	tap_eq(json_total(out, vmname, "msi"), N_MSI,
	       "--json: the VM's msi total");
	tap_eq(json_total(out, vmname, "irq_line"), 0,
	       "--json: the VM's irq_line total");
	tap_eq(json_total(out, "vcpu0", "ipi_sent"), ipis,
	       "--json: vcpu0 ipi_sent total");
	tap_eq(json_total(out, "vcpu0", "acked_class_5"), ipis,
	       "--json: vcpu0 acked_class_5 total");
	tap_eq(json_total(out, "vcpu1", "acked_class_6"), N_MSI,
	       "--json: vcpu1 acked_class_6 total");
	tap_eq(json_total(out, "vcpu1", "ipi_sent"), 0,
	       "--json: vcpu1 ipi_sent total");

	snprintf(args, sizeof(args), "--once -d 0 --vcpus -p %d", getpid());
	rc = run_tool(args, out, sizeof(out));
	tap_eq(rc, 0, "vlapic-stat --once: exit status 0");
	snprintf(title, sizeof(title), "VM %s (", vmname);
	tap_eq(text_total(out, title, "ipi_sent"), ipis,
	       "text: the VM's table sums ipi_sent over its vCPUs");
	tap_eq(text_total(out, title, "msi"), N_MSI, "text: the VM's msi");
	snprintf(title, sizeof(title), "VM %s vcpu1\n", vmname);
	tap_eq(text_total(out, title, "acked_class_6"), N_MSI,
	       "text: vcpu1's table");
	tap_eq(text_total(out, title, "ipi_sent"), ~0ULL,
	       "text: a zero counter is not shown without --all");

	rc = run_tool("--once -d 0 --json -p 1", out, sizeof(out));
	tap_ok(rc == 0 && strstr(out, "\"vms\": []"),
	       "-p of a process without VMs: an empty list");
	rc = run_tool("--once --bogus 2>/dev/null", out, sizeof(out));
	tap_eq(rc, 2, "an unknown option: exit status 2");
	rc = run_tool("-d 0 2>/dev/null", out, sizeof(out));
	tap_eq(rc, 2, "a live view with -d 0: exit status 2");

	/* Nothing happens: every rate over the interval is 0. */
	snprintf(args, sizeof(args), "--once -d 0.2 --json -p %d", getpid());
	rc = run_tool(args, out, sizeof(out));
	all_zero = rc == 0 && strstr(out, "\"rate\": ");
	for (p = strstr(out, "\"rate\": "); p; p = strstr(p + 1, "\"rate\": "))
		if (strtod(p + 8, NULL) != 0)
			all_zero = false;
	tap_ok(all_zero, "an idle VM: every rate is 0");

	/* MSIs flow during the interval: their rates are positive. */
	if (pthread_create(&m.thread, NULL, msi_sender_fn, &m))
		tap_bail("pthread_create");
	WAIT_FOR(__atomic_load_n(&m.sent, __ATOMIC_RELAXED) > 0, 3000);
	snprintf(args, sizeof(args), "--once -d 0.3 --json -p %d -f msi",
		 getpid());
	rc = run_tool(args, out, sizeof(out));
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELEASE);
	pthread_join(m.thread, NULL);
	tap_eq(rc, 0, "vlapic-stat --once -d 0.3 -f msi: exit status 0");
	tap_ok(json_rate(out, vmname, "msi") > 0,
	       "MSIs being sent: the VM's msi rate is positive (%.1f/s)",
	       json_rate(out, vmname, "msi"));
	tap_eq(json_total(out, vmname, "ipi_sent"), ~0ULL,
	       "-f msi: other counters are left out");
	tap_ok(read_blob(vmsfd, &b) && named(&b, "msi") == N_MSI + m.sent,
	       "the VM's msi counts every MSI sent (%llu)",
	       (unsigned long long)(N_MSI + m.sent));
}

/* --- the stats fds ----------------------------------------------------------- */

static void test_bad_input(struct e2e_vm *v, int vfd)
{
	struct blob whole, bytes;
	char c[16];
	pid_t pid;
	int st;
	off_t size;
	ssize_t r;

	errno = 0;
	tap_ok(ioctl(v->vm, VLAPIC_GET_STATS_FD, 1) == -1 && errno == EINVAL,
	       "VM fd: GET_STATS_FD with a non-zero argument: -EINVAL");
	errno = 0;
	tap_ok(ioctl(v->cpu[0].fd, VLAPIC_GET_STATS_FD, 1) == -1 &&
	       errno == EINVAL,
	       "vCPU fd: GET_STATS_FD with a non-zero argument: -EINVAL");
	errno = 0;
	tap_ok(ioctl(vfd, VLAPIC_GET_STATS_FD, 0) == -1 && errno == ENOTTY,
	       "stats fd: no ioctls (-ENOTTY)");
	errno = 0;
	tap_ok(write(vfd, "x", 1) == -1 && errno == EBADF,
	       "stats fd: read-only (write: -EBADF)");

	if (!read_blob(vfd, &whole))
		tap_bail("read the vCPU stats fd");
	size = whole.size;
	tap_eq(lseek(vfd, 0, SEEK_END), size, "lseek SEEK_END: the file size");
	errno = 0;
	tap_ok(lseek(vfd, -1, SEEK_SET) == -1 && errno == EINVAL,
	       "lseek to -1: -EINVAL");
	errno = 0;
	tap_ok(lseek(vfd, size + 1, SEEK_SET) == -1 && errno == EINVAL,
	       "lseek past the end: -EINVAL");
	errno = 0;
	tap_ok(pread(vfd, c, sizeof(c), -8) == -1 && errno == EINVAL,
	       "pread at a negative offset: -EINVAL");
	tap_eq(pread(vfd, c, sizeof(c), size), 0, "pread at the end: 0 bytes");
	tap_eq(pread(vfd, c, sizeof(c), size + 4096), 0,
	       "pread past the end: 0 bytes");
	r = pread(vfd, c, sizeof(c), size - 3);
	tap_ok(r == 3 && !memcmp(c, whole.raw + size - 3, 3),
	       "pread across the end: the last 3 bytes");

	/* One byte at a time with read(): the same content. */
	tap_eq(lseek(vfd, 0, SEEK_SET), 0, "lseek back to 0");
	bytes.size = 0;
	while (bytes.size < sizeof(bytes.raw) &&
	       read(vfd, bytes.raw + bytes.size, 1) == 1)
		bytes.size++;
	tap_ok(bytes.size == whole.size &&
	       !memcmp(bytes.raw, whole.raw, whole.size),
	       "read() a byte at a time gives the same %zu bytes", whole.size);

	/* Another process: it may read an fd it got, not make new ones. */
	pid = fork();
	if (pid == 0) {
		struct blob b;

		if (ioctl(v->vm, VLAPIC_GET_STATS_FD, 0) != -1 ||
		    errno != EIO)
			_exit(1);
		_exit(read_blob(vfd, &b) && b.size == whole.size ? 0 : 2);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "a child process: GET_STATS_FD -EIO, the inherited stats fd reads (status %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_debugfs(const char *dir, int vmsfd, int v0sfd, int v1sfd)
{
	char path[256];
	struct blob a, b;
	struct stat st;

	snprintf(path, sizeof(path), "%s/stats", dir);
	if (!tap_ok(stat(path, &st) == 0, "debugfs: %s exists", path))
		return;
	tap_eq(st.st_mode & 0777, 0400, "debugfs: stats is mode 0400");
	tap_ok(read_path(path, &a) && read_blob(vmsfd, &b) &&
	       a.size == b.size && !memcmp(a.raw, b.raw, a.size),
	       "debugfs: the VM's stats equal its stats fd's");
	snprintf(path, sizeof(path), "%s/vcpu0/stats", dir);
	tap_ok(read_path(path, &a) && read_blob(v0sfd, &b) &&
	       a.size == b.size && !memcmp(a.raw, b.raw, a.size),
	       "debugfs: vcpu0/stats equals vCPU 0's stats fd");
	snprintf(path, sizeof(path), "%s/vcpu1/stats", dir);
	tap_ok(read_path(path, &a) && read_blob(v1sfd, &b) &&
	       a.size == b.size && !memcmp(a.raw, b.raw, a.size),
	       "debugfs: vcpu1/stats equals vCPU 1's stats fd");
}

int main(void)
{
	struct vlapic_vcpu_stats vs0, vs1;
	struct vlapic_vm_stats ms;
	char id[64], vmname[32], dir[128], path[160];
	int vmsfd, v0sfd, v1sfd, dbgfd;
	uint64_t msis, ipis = N_IPI;
	struct e2e_vm v;
	struct blob b;
	struct stat st;
	unsigned int i;

	tap_init("stats", 120);
	e2e_vm_create(&v, 2, 0, NULL);
	for (i = 0; i < 2; i++)
		gcpu_start(&v.cpu[i]);
	tap_eq(vlapic_check_extension(v.sys, VLAPIC_CAP_BINARY_STATS_FD), 1,
	       "VLAPIC_CAP_BINARY_STATS_FD");

	send_self_ipis(&v.cpu[0], N_IPI, N_IPI);
	for (i = 1; i <= N_MSI; i++) {
		if (vlapic_signal_msi(v.vm, MSI_ADDR(1), V_MSI) != 1)
			tap_bail("SIGNAL_MSI");
		WAIT_FOR(gcpu_count(&v.cpu[1], V_MSI) == i, 3000);
	}
	tap_ok(WAIT_FOR(gcpu_count(&v.cpu[1], V_MSI) == N_MSI, 3000),
	       "vCPU 1 took %d MSIs", N_MSI);
	sleep_ms(30);	/* the EOIs after the last handler */

	vmsfd = stats_fd(v.vm);
	v0sfd = stats_fd(v.cpu[0].fd);
	v1sfd = stats_fd(v.cpu[1].fd);

	/* Everything is idle: the ioctls and the files agree exactly. */
	if (vlapic_get_vm_stats(v.vm, &ms) || vlapic_get_vcpu_stats(v.cpu[0].fd, &vs0) ||
	    vlapic_get_vcpu_stats(v.cpu[1].fd, &vs1))
		tap_bail("GET_*_STATS");
	snprintf(id, sizeof(id), "vlapic-%d", getpid());
	if (!read_blob(vmsfd, &b))
		tap_bail("read the VM stats fd");
	check_format("VM stats fd", &b, id, vlapic_vm_stat_names,
		     VLAPIC_VM_STAT_NR, ms.v);
	tap_eq(named(&b, "msi"), N_MSI, "VM stats fd: msi");
	tap_eq(named(&b, "irq_line"), 0, "VM stats fd: irq_line");

	snprintf(id, sizeof(id), "vlapic-%d/vcpu0", getpid());
	if (!read_blob(v0sfd, &b))
		tap_bail("read vCPU 0's stats fd");
	check_format("vCPU 0 stats fd", &b, id, vlapic_vcpu_stat_names,
		     VLAPIC_VCPU_STAT_NR, vs0.v);
	tap_eq(named(&b, "ipi_sent"), N_IPI, "vCPU 0: ipi_sent");
	tap_eq(named(&b, "acked_class_5"), N_IPI, "vCPU 0: acked_class_5");
	tap_eq(named(&b, "eoi"), N_IPI, "vCPU 0: eoi");
	tap_eq(named(&b, "run_exits"), 0, "vCPU 0: run_exits (no run loop)");

	snprintf(id, sizeof(id), "vlapic-%d/vcpu1", getpid());
	if (!read_blob(v1sfd, &b))
		tap_bail("read vCPU 1's stats fd");
	check_format("vCPU 1 stats fd", &b, id, vlapic_vcpu_stat_names,
		     VLAPIC_VCPU_STAT_NR, vs1.v);
	tap_eq(named(&b, "acked_class_6"), N_MSI, "vCPU 1: acked_class_6");
	tap_eq(named(&b, "ipi_sent"), 0, "vCPU 1: ipi_sent");

	/* The values are read at each read(): one more IPI shows. */
	send_self_ipis(&v.cpu[0], 1, ++ipis);
	if (!read_blob(v0sfd, &b))
		tap_bail("read vCPU 0's stats fd");
	tap_eq(named(&b, "ipi_sent"), ipis, "vCPU 0: the same fd reads the new ipi_sent");

	test_bad_input(&v, v0sfd);

	snprintf(vmname, sizeof(vmname), "%d-%d", getpid(), v.vm);
	snprintf(dir, sizeof(dir), DEBUGFS "/%s", vmname);
	sleep_ms(30);
	test_debugfs(dir, vmsfd, v0sfd, v1sfd);
	test_tool(&v, vmsfd, vmname, ipis);

	for (i = 0; i < 2; i++)
		tap_eq(v.cpu[i].errors, 0, "vCPU %u thread saw no error", i);

	/* Lifetime: the stats fds keep the VM; debugfs goes with it. */
	if (!read_blob(vmsfd, &b))
		tap_bail("read the VM stats fd");
	msis = named(&b, "msi");
	snprintf(path, sizeof(path), "%s/vcpu0/stats", dir);
	dbgfd = open(path, O_RDONLY);
	tap_ok(dbgfd >= 0, "debugfs: vcpu0/stats opened");
	e2e_vm_destroy(&v);
	tap_ok(read_blob(vmsfd, &b) && named(&b, "msi") == msis,
	       "VM and vCPU fds closed: the VM stats fd still reads msi %llu",
	       (unsigned long long)msis);
	tap_ok(read_blob(v0sfd, &b) && named(&b, "ipi_sent") == ipis,
	       "VM and vCPU fds closed: vCPU 0's stats fd still reads ipi_sent %llu",
	       (unsigned long long)ipis);
	tap_ok(stat(dir, &st) == 0, "debugfs: the directory stays while a stats fd holds the VM");
	close(v0sfd);
	close(v1sfd);
	tap_ok(read_blob(vmsfd, &b) && named(&b, "msi") == msis,
	       "vCPU stats fds closed: the VM stats fd still reads");
	close(vmsfd);
	errno = 0;
	tap_ok(stat(dir, &st) == -1 && errno == ENOENT,
	       "debugfs: the last stats fd closed: the directory is gone");
	if (dbgfd >= 0) {
		char c;

		errno = 0;
		tap_ok(pread(dbgfd, &c, 1, 0) == -1 && errno == EIO,
		       "debugfs: a file open across the VM's end reads -EIO");
		close(dbgfd);
	}
	return tap_end();
}
