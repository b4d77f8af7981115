// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-stat: live counters of every vlapic VM on the host, per VM and
 * per vCPU, with rates per second (kvm_stat for vlapic).
 *
 * It reads the binary statistics files the module keeps in debugfs
 * (KVM_GET_STATS_FD's format, include/uapi/linux/vlapic.h):
 *	/sys/kernel/debug/vlapic/<pid>-<fd>/stats		the VM's
 *	/sys/kernel/debug/vlapic/<pid>-<fd>/vcpu<N>/stats	each vCPU's
 * so it needs root (debugfs), and knows no counter by name: a counter the
 * module adds shows up here as it is.
 *
 *	vlapic-stat [--once] [--json] [-d SECONDS] [-p PID] [-f TEXT]
 *		    [--all] [--vcpus] [--root DIR]
 *
 * Without --once it redraws every SECONDS (default 1) until interrupted.
 * With --once it samples twice, SECONDS apart, prints once and exits
 * (-d 0: one sample, every rate 0). docs/stats.md has the details.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vlapic.h>

#define DEFAULT_ROOT	"/sys/kernel/debug/vlapic"
#define MAX_NAME	256	/* longest descriptor name accepted */
#define MAX_DESC	4096	/* most descriptors accepted in one file */

struct counter {
	char *name;
	uint32_t flags;
	uint64_t total;
	double rate;
};

/* One stats file: a VM's or a vCPU's. */
struct source {
	char name[64];		/* "<pid>-<fd>" or "vcpu<N>" */
	char id[MAX_NAME];	/* the file's id string */
	unsigned int nr;
	struct counter *c;
};

struct vm {
	struct source self;
	unsigned int nr_vcpus;
	struct source *vcpus;
};

struct sample {
	double when;		/* CLOCK_MONOTONIC, seconds */
	unsigned int nr;
	struct vm *vms;
};

static struct {
	bool once, json, all, vcpus;
	double delay;
	long pid;		/* -1: every process */
	const char *filter;
	const char *root;
} opt = { .delay = 1.0, .pid = -1, .root = DEFAULT_ROOT };

/* SIGINT and SIGTERM, blocked: the sleep between samples waits for them. */
static sigset_t stop_signals;
static bool stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("vlapic-stat");
		exit(1);
	}
	return p;
}

static bool read_exact(int fd, void *buf, size_t len, off_t off)
{
	ssize_t r = pread(fd, buf, len, off);

	return r >= 0 && (size_t)r == len;
}

static void free_source(struct source *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		free(s->c[i].name);
	free(s->c);
	s->c = NULL;
	s->nr = 0;
}

/*
 * Read one stats file into @s. Every offset and size is checked against
 * what was read: a file of another format is refused, never trusted.
 * Return: 0, or -1 with a message on stderr.
 */
static int read_source(const char *path, struct source *s)
{
	struct vlapic_stats_header h;
	size_t dsize, data_len = 0;
	unsigned char *descs = NULL;
	uint64_t *data = NULL;
	unsigned int i, j, n = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* A VM that went away between readdir() and open(). */
		return errno == ENOENT ? 1 : (perror(path), -1);
	}
	if (!read_exact(fd, &h, sizeof(h), 0) || h.flags ||
	    !h.name_size || h.name_size > MAX_NAME || h.num_desc > MAX_DESC) {
		fprintf(stderr, "vlapic-stat: %s: not a stats file\n", path);
		goto out;
	}
	memset(s->id, 0, sizeof(s->id));
	if (!read_exact(fd, s->id, h.name_size, h.id_offset))
		goto bad;
	s->id[sizeof(s->id) - 1] = 0;
	dsize = sizeof(struct vlapic_stats_desc) + h.name_size;
	descs = xcalloc(h.num_desc, dsize);
	if (!read_exact(fd, descs, h.num_desc * dsize, h.desc_offset))
		goto bad;
	for (i = 0; i < h.num_desc; i++) {
		struct vlapic_stats_desc *d = (void *)(descs + i * dsize);
		size_t end = (size_t)d->offset + (size_t)d->size * 8;

		if (d->offset % 8 || end > (1U << 20))
			goto bad;
		if (end > data_len)
			data_len = end;
		n += d->size;
	}
	data = xcalloc(1, data_len);
	if (data_len && !read_exact(fd, data, data_len, h.data_offset))
		goto bad;
	s->c = xcalloc(n, sizeof(*s->c));
	for (i = 0; i < h.num_desc; i++) {
		struct vlapic_stats_desc *d = (void *)(descs + i * dsize);
		char name[MAX_NAME + 16];

		d->name[h.name_size - 1] = 0;
		for (j = 0; j < d->size; j++) {
			struct counter *c = &s->c[s->nr++];

			if (d->size == 1)
				snprintf(name, sizeof(name), "%s", d->name);
			else
				snprintf(name, sizeof(name), "%s_%u", d->name, j);
			c->name = strdup(name);
			if (!c->name) {
				perror("vlapic-stat");
				exit(1);
			}
			c->flags = d->flags;
			c->total = data[d->offset / 8 + j];
		}
	}
	ret = 0;
	goto out;
bad:
	fprintf(stderr, "vlapic-stat: %s: truncated or inconsistent\n", path);
	free_source(s);
out:
	free(data);
	free(descs);
	close(fd);
	return ret;
}

/* @a/@b@c into @buf; false if it does not fit. */
static bool path_join(char *buf, size_t size, const char *a, const char *b,
		      const char *c)
{
	int n = snprintf(buf, size, "%s/%s%s", a, b, c);

	return n >= 0 && (size_t)n < size;
}

/* "<pid>-<fd>", the pid filter applied. */
static bool vm_dir_wanted(const char *name)
{
	long pid, fd;
	char end;

	if (sscanf(name, "%ld-%ld%c", &pid, &fd, &end) != 2)
		return false;
	return opt.pid < 0 || pid == opt.pid;
}

static int cmp_vcpu(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	return atoi(x->name + 4) - atoi(y->name + 4);
}

static int cmp_vm(const void *a, const void *b)
{
	const struct vm *x = a, *y = b;
	long px = atol(x->self.name), py = atol(y->self.name);

	if (px != py)
		return px < py ? -1 : 1;
	return atoi(strchr(x->self.name, '-') + 1) -
	       atoi(strchr(y->self.name, '-') + 1);
}

static void read_vcpus(const char *dir, struct vm *vm)
{
	unsigned int cap = 0;
	struct dirent *e;
	char path[4096];
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		unsigned int idx;
		char end;

		if (sscanf(e->d_name, "vcpu%u%c", &idx, &end) != 1)
			continue;
		if (vm->nr_vcpus == cap) {
			cap = cap ? cap * 2 : 8;
			vm->vcpus = realloc(vm->vcpus, cap * sizeof(*vm->vcpus));
			if (!vm->vcpus) {
				perror("vlapic-stat");
				exit(1);
			}
		}
		if (!path_join(path, sizeof(path), dir, e->d_name, "/stats"))
			continue;
		memset(&vm->vcpus[vm->nr_vcpus], 0, sizeof(*vm->vcpus));
		if (read_source(path, &vm->vcpus[vm->nr_vcpus]))
			continue;
		snprintf(vm->vcpus[vm->nr_vcpus].name, sizeof(vm->vcpus->name),
			 "vcpu%u", idx);
		vm->nr_vcpus++;
	}
	closedir(d);
	qsort(vm->vcpus, vm->nr_vcpus, sizeof(*vm->vcpus), cmp_vcpu);
}

static int take_sample(struct sample *s)
{
	unsigned int cap = 0;
	struct dirent *e;
	char path[4096];
	DIR *d;

	memset(s, 0, sizeof(*s));
	d = opendir(opt.root);
	if (!d) {
		fprintf(stderr,
			"vlapic-stat: %s: %s (needs root, debugfs mounted and the vlapic module loaded)\n",
			opt.root, strerror(errno));
		return -1;
	}
	s->when = now();
	while ((e = readdir(d))) {
		struct vm *vm;

		if (!vm_dir_wanted(e->d_name))
			continue;
		if (s->nr == cap) {
			cap = cap ? cap * 2 : 8;
			s->vms = realloc(s->vms, cap * sizeof(*s->vms));
			if (!s->vms) {
				perror("vlapic-stat");
				exit(1);
			}
		}
		vm = &s->vms[s->nr];
		memset(vm, 0, sizeof(*vm));
		if (!path_join(path, sizeof(path), opt.root, e->d_name,
			       "/stats") ||
		    strlen(e->d_name) >= sizeof(vm->self.name) ||
		    read_source(path, &vm->self))
			continue;
		strcpy(vm->self.name, e->d_name);
		path_join(path, sizeof(path), opt.root, e->d_name, "");
		read_vcpus(path, vm);
		s->nr++;
	}
	closedir(d);
	qsort(s->vms, s->nr, sizeof(*s->vms), cmp_vm);
	return 0;
}

static void free_sample(struct sample *s)
{
	unsigned int i, j;

	for (i = 0; i < s->nr; i++) {
		free_source(&s->vms[i].self);
		for (j = 0; j < s->vms[i].nr_vcpus; j++)
			free_source(&s->vms[i].vcpus[j]);
		free(s->vms[i].vcpus);
	}
	free(s->vms);
	memset(s, 0, sizeof(*s));
}

/* Rates of @cur's counters from @prev, matched by VM, vCPU and name. */
static void rates_of(struct source *cur, const struct source *prev, double dt)
{
	unsigned int i;

	for (i = 0; i < cur->nr; i++) {
		struct counter *c = &cur->c[i];

		c->rate = 0;
		if (!prev || dt <= 0 || i >= prev->nr ||
		    strcmp(prev->c[i].name, c->name) ||
		    (c->flags & VLAPIC_STATS_TYPE_MASK) !=
		    VLAPIC_STATS_TYPE_CUMULATIVE || c->total < prev->c[i].total)
			continue;
		c->rate = (c->total - prev->c[i].total) / dt;
	}
}

static void compute_rates(struct sample *cur, const struct sample *prev)
{
	double dt = prev ? cur->when - prev->when : 0;
	unsigned int i, j, k, l;

	for (i = 0; i < cur->nr; i++) {
		struct vm *vm = &cur->vms[i];
		const struct vm *pvm = NULL;

		for (k = 0; prev && k < prev->nr; k++)
			if (!strcmp(prev->vms[k].self.name, vm->self.name) &&
			    !strcmp(prev->vms[k].self.id, vm->self.id))
				pvm = &prev->vms[k];
		rates_of(&vm->self, pvm ? &pvm->self : NULL, dt);
		for (j = 0; j < vm->nr_vcpus; j++) {
			const struct source *pv = NULL;

			for (l = 0; pvm && l < pvm->nr_vcpus; l++)
				if (!strcmp(pvm->vcpus[l].name, vm->vcpus[j].name))
					pv = &pvm->vcpus[l];
			rates_of(&vm->vcpus[j], pv, dt);
		}
	}
}

static bool counter_wanted(const struct counter *c)
{
	return !opt.filter || strstr(c->name, opt.filter);
}

/* --- text -------------------------------------------------------------- */

struct row {
	const char *name;
	uint64_t total;
	double rate;
};

/* Highest rate first, then highest total, then by name. */
static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void print_rows(struct row *rows, unsigned int n)
{
	unsigned int i, shown = 0;

	qsort(rows, n, sizeof(*rows), cmp_row);
	printf("  %-32s %16s %12s\n", "Event", "Total", "CurAvg/s");
	for (i = 0; i < n; i++) {
		if (!opt.all && !rows[i].total)
			continue;
		printf("  %-32s %16llu %12.1f\n", rows[i].name,
		       (unsigned long long)rows[i].total, rows[i].rate);
		shown++;
	}
	if (!shown)
		printf("  (all counters zero)\n");
}

static unsigned int add_rows(struct row *rows, unsigned int n,
			     const struct source *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++) {
		if (!counter_wanted(&s->c[i]))
			continue;
		rows[n].name = s->c[i].name;
		rows[n].total = s->c[i].total;
		rows[n].rate = s->c[i].rate;
		n++;
	}
	return n;
}

static void print_text(const struct sample *s)
{
	unsigned int i, j, k, n;

	if (!s->nr)
		printf("no vlapic VM%s\n", opt.pid >= 0 ? " of this process" : "");
	for (i = 0; i < s->nr; i++) {
		const struct vm *vm = &s->vms[i];
		unsigned int most = vm->self.nr;
		struct row *rows;
		struct source sum;

		for (j = 0; j < vm->nr_vcpus; j++)
			most += vm->vcpus[j].nr;
		rows = xcalloc(most, sizeof(*rows));
		printf("VM %s (%s), %u vCPU%s\n", vm->self.name, vm->self.id,
		       vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s");
		n = add_rows(rows, 0, &vm->self);
		/* The vCPUs' counters, summed by name. */
		memset(&sum, 0, sizeof(sum));
		if (vm->nr_vcpus) {
			sum.nr = vm->vcpus[0].nr;
			sum.c = xcalloc(sum.nr, sizeof(*sum.c));
			for (k = 0; k < sum.nr; k++)
				sum.c[k].name = vm->vcpus[0].c[k].name;
			for (j = 0; j < vm->nr_vcpus; j++)
				for (k = 0; k < sum.nr && k < vm->vcpus[j].nr; k++) {
					sum.c[k].total += vm->vcpus[j].c[k].total;
					sum.c[k].rate += vm->vcpus[j].c[k].rate;
				}
		}
		n = add_rows(rows, n, &sum);
		print_rows(rows, n);
		free(sum.c);
		for (j = 0; opt.vcpus && j < vm->nr_vcpus; j++) {
			printf("VM %s %s\n", vm->self.name, vm->vcpus[j].name);
			n = add_rows(rows, 0, &vm->vcpus[j]);
			print_rows(rows, n);
		}
		free(rows);
		printf("\n");
	}
}

/* --- JSON -------------------------------------------------------------- */

static void json_string(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_stats(const struct source *s, const char *indent)
{
	unsigned int i;
	bool first = true;

	printf("{");
	for (i = 0; i < s->nr; i++) {
		if (!counter_wanted(&s->c[i]))
			continue;
		printf("%s\n%s  ", first ? "" : ",", indent);
		json_string(s->c[i].name);
		printf(": {\"total\": %llu, \"rate\": %.1f}",
		       (unsigned long long)s->c[i].total, s->c[i].rate);
		first = false;
	}
	printf("\n%s}", indent);
}

static void print_json(const struct sample *s, double interval)
{
	unsigned int i, j;

	printf("{\n  \"interval\": %.3f,\n  \"vms\": [", interval);
	for (i = 0; i < s->nr; i++) {
		const struct vm *vm = &s->vms[i];

		printf("%s\n    {\n      \"name\": ", i ? "," : "");
		json_string(vm->self.name);
		printf(",\n      \"id\": ");
		json_string(vm->self.id);
		printf(",\n      \"stats\": ");
		json_stats(&vm->self, "      ");
		printf(",\n      \"vcpus\": [");
		for (j = 0; j < vm->nr_vcpus; j++) {
			printf("%s\n        {\n          \"name\": ", j ? "," : "");
			json_string(vm->vcpus[j].name);
			printf(",\n          \"id\": ");
			json_string(vm->vcpus[j].id);
			printf(",\n          \"stats\": ");
			json_stats(&vm->vcpus[j], "          ");
			printf("\n        }");
		}
		printf("%s]\n    }", vm->nr_vcpus ? "\n      " : "");
	}
	printf("%s]\n}\n", s->nr ? "\n  " : "");
}

/* --- main -------------------------------------------------------------- */

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: vlapic-stat [options]\n"
		"Counters of every vlapic VM, per VM and per vCPU, from %s\n"
		"  -1, --once        print once and exit (rates over -d)\n"
		"  -j, --json        JSON output (every counter, vCPUs included)\n"
		"  -d, --delay SEC   interval between samples (default 1; 0 with --once:\n"
		"                    a single sample, rates 0)\n"
		"  -p, --pid PID     only the VMs of process PID\n"
		"  -f, --fields TEXT only counters whose name contains TEXT\n"
		"  -a, --all         also counters that are zero (text output)\n"
		"  -c, --vcpus       one table per vCPU too (text output)\n"
		"  -r, --root DIR    the stats directory (default %s)\n"
		"  -h, --help        this help\n",
		DEFAULT_ROOT, DEFAULT_ROOT);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "json", no_argument, NULL, 'j' },
		{ "delay", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "fields", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "vcpus", no_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "1jd:p:f:acr:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case '1':
			opt.once = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'd':
			errno = 0;
			opt.delay = strtod(optarg, &end);
			if (errno || *end || !(opt.delay >= 0) ||
			    opt.delay > 86400) {
				fprintf(stderr, "vlapic-stat: bad delay '%s'\n",
					optarg);
				exit(2);
			}
			break;
		case 'p':
			errno = 0;
			opt.pid = strtol(optarg, &end, 10);
			if (errno || *end || opt.pid < 0) {
				fprintf(stderr, "vlapic-stat: bad pid '%s'\n",
					optarg);
				exit(2);
			}
			break;
		case 'f':
			opt.filter = optarg;
			break;
		case 'a':
			opt.all = true;
			break;
		case 'c':
			opt.vcpus = true;
			break;
		case 'r':
			opt.root = optarg;
			break;
		case 'h':
			print_usage(stdout);
			exit(0);
		default:
			print_usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		exit(2);
	}
	if (!opt.once && opt.delay <= 0) {
		fprintf(stderr, "vlapic-stat: a live view needs -d > 0\n");
		exit(2);
	}
}

/* Sleep @sec seconds, or until SIGINT or SIGTERM arrives (then stop). */
static void sleep_for(double sec)
{
	double end = now() + sec, left;
	struct timespec ts;

	while (!stop && (left = end - now()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (time_t)left) * 1e9);
		if (sigtimedwait(&stop_signals, NULL, &ts) > 0)
			stop = true;
	}
}

static void print_sample(const struct sample *s, double interval)
{
	if (opt.json)
		print_json(s, interval);
	else
		print_text(s);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sample prev, cur;
	bool tty;

	parse_args(argc, argv);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	if (take_sample(&prev))
		return 1;
	if (opt.once && opt.delay == 0) {
		compute_rates(&prev, NULL);
		print_sample(&prev, 0);
		free_sample(&prev);
		return 0;
	}
	tty = isatty(STDOUT_FILENO);
	while (!stop) {
		sleep_for(opt.delay);
		if (take_sample(&cur)) {
			free_sample(&prev);
			return 1;
		}
		compute_rates(&cur, &prev);
		if (tty && !opt.once && !opt.json)
			printf("\033[H\033[2J");
		print_sample(&cur, cur.when - prev.when);
		free_sample(&prev);
		prev = cur;
		if (opt.once)
			break;
	}
	free_sample(&prev);
	return 0;
}
