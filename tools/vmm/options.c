// SPDX-License-Identifier: GPL-2.0
/*
 * The command line (docs/vmm.md "Usage").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define DEFAULT_MEM_MIB		128
#define MAX_MEM_MIB		65536

static const char usage[] =
"usage: " VMM_NAME " [--backend vlapic|kvm] [--smp N] [--mem MIB]\n"
"       [--cpu [+|-]x2apic,[+|-]tsc-deadline] [--append CMDLINE]\n"
"       [--initrd FILE] [--flat] [--stats] [--no-reboot]\n"
"       [--ioapic-version 0x11|0x20] [--apicv best|inject|tpr|vid]\n"
"       [--snapshot-at SECONDS FILE] [--restore FILE]\n"
"       [--timeout SECONDS] KERNEL\n";

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, VMM_NAME ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return VMM_USAGE;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

/* --apicv: the highest APIC-virtualization mode (VLAPIC_VM_APICV_*). */
static int parse_apicv(const char *s, unsigned int *out)
{
	static const struct {
		const char *name;
		unsigned int flags;
	} modes[] = {
		{ "best", VLAPIC_VM_APICV_BEST },
		{ "inject", VLAPIC_VM_APICV_INJECT },
		{ "tpr", VLAPIC_VM_APICV_TPR_SHADOW },
		{ "vid", VLAPIC_VM_APICV_VID },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].flags;
			return 0;
		}
	}
	return -1;
}

/* "-x2apic,+tsc-deadline": a bare name or "+name" enables, "-name" drops. */
static int parse_cpu(struct vmm_options *opt, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool on = *tok != '-';

		if (*tok == '+' || *tok == '-')
			tok++;
		if (!strcmp(tok, "x2apic")) {
			opt->x2apic = on;
		} else if (!strcmp(tok, "tsc-deadline")) {
			opt->tsc_deadline = on;
		} else {
			ret = -1;
			break;
		}
	}
	free(copy);
	return ret;
}

enum {
	OPT_BACKEND = 256, OPT_SMP, OPT_MEM, OPT_CPU, OPT_APPEND, OPT_INITRD,
	OPT_STATS, OPT_SNAPSHOT_AT, OPT_RESTORE, OPT_TIMEOUT, OPT_FLAT,
	OPT_NO_REBOOT, OPT_IOAPIC_VERSION, OPT_APICV, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "snapshot-at", required_argument, NULL, OPT_SNAPSHOT_AT },
	{ "restore", required_argument, NULL, OPT_RESTORE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "flat", no_argument, NULL, OPT_FLAT },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "ioapic-version", required_argument, NULL, OPT_IOAPIC_VERSION },
	{ "apicv", required_argument, NULL, OPT_APICV },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Fill @opt from the command line; 0, or VMM_USAGE after a message. */
int options_parse(struct vmm_options *opt, int argc, char **argv)
{
	unsigned long v;
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->backend = "vlapic";
	opt->smp = 1;
	opt->mem_bytes = (uint64_t)DEFAULT_MEM_MIB << 20;
	opt->x2apic = true;
	opt->tsc_deadline = true;
	opt->ioapic_version = 0x11;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BACKEND:
			if (strcmp(optarg, "vlapic") && strcmp(optarg, "kvm"))
				return bad("unknown backend '%s'", optarg);
			opt->backend = optarg;
			opt->backend_given = true;
			break;
		case OPT_SMP:
			if (parse_uint(optarg, 1, VMM_MAX_VCPUS, &v))
				return bad("--smp wants 1 to 64, not '%s'", optarg);
			opt->smp = v;
			break;
		case OPT_MEM:
			if (parse_uint(optarg, 2, MAX_MEM_MIB, &v))
				return bad("--mem wants MiB from 2 to 65536, not '%s'",
					   optarg);
			opt->mem_bytes = (uint64_t)v << 20;
			break;
		case OPT_CPU:
			if (parse_cpu(opt, optarg))
				return bad("--cpu: bad feature list '%s' (x2apic, tsc-deadline)",
					   optarg);
			break;
		case OPT_APPEND:
			opt->append = optarg;
			break;
		case OPT_INITRD:
			opt->initrd = optarg;
			break;
		case OPT_STATS:
			opt->stats = true;
			break;
		case OPT_SNAPSHOT_AT:
			if (parse_seconds(optarg, &opt->snapshot_at))
				return bad("--snapshot-at wants SECONDS FILE, not '%s'",
					   optarg);
			if (optind >= argc)
				return bad("--snapshot-at %s: FILE missing", optarg);
			opt->snapshot_file = argv[optind++];
			break;
		case OPT_RESTORE:
			opt->restore_file = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &opt->timeout))
				return bad("--timeout wants SECONDS, not '%s'", optarg);
			break;
		case OPT_FLAT:
			opt->flat = true;
			break;
		case OPT_NO_REBOOT:
			opt->no_reboot = true;
			break;
		case OPT_IOAPIC_VERSION:
			if (parse_uint(optarg, 0x11, 0x20, &v) ||
			    (v != 0x11 && v != 0x20))
				return bad("--ioapic-version wants 0x11 or 0x20, not '%s'",
					   optarg);
			opt->ioapic_version = v;
			break;
		case OPT_APICV:
			if (parse_apicv(optarg, &opt->apicv))
				return bad("--apicv wants best, inject, tpr or vid, not '%s'",
					   optarg);
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			return bad("%s", "bad option");
		}
	}
	if (optind < argc)
		opt->kernel = argv[optind++];
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (!opt->kernel && !opt->restore_file)
		return bad("%s", "KERNEL missing");
	return 0;
}
