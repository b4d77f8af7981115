// SPDX-License-Identifier: GPL-2.0
/*
 * The host's TSC frequency (loader.h), which is the guest's on both
 * backends: the vlapic module runs the guest on the host TSC plus an
 * offset, and KVM does too without TSC scaling, which the VMM never asks
 * for. Measured against CLOCK_MONOTONIC_RAW over 100 ms, the best of
 * three (the shortest read-to-read window), so no backend needs to be
 * open to know it.
 */
#include <time.h>
#include <x86intrin.h>

#include "loader.h"

#define TSC_MEASURE_NS	100000000ULL
#define TSC_ROUNDS	3

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* TSC ticks and nanoseconds across one sleep, bracketed tightly. */
static void tsc_sample(uint64_t *tsc, uint64_t *ns)
{
	uint64_t t0 = __rdtsc(), n0 = ns_now(), t1 = __rdtsc();
	struct timespec nap = { 0, TSC_MEASURE_NS };
	uint64_t t2, n1, t3;

	while (nanosleep(&nap, &nap))
		;
	t2 = __rdtsc();
	n1 = ns_now();
	t3 = __rdtsc();
	*tsc = (t2 + t3) / 2 - (t0 + t1) / 2;
	*ns = n1 - n0;
}

uint32_t host_tsc_khz(void)
{
	uint64_t best = 0, tsc, ns;
	unsigned int i;

	for (i = 0; i < TSC_ROUNDS; i++) {
		uint64_t khz;

		tsc_sample(&tsc, &ns);
		if (!ns)
			continue;
		khz = tsc * 1000000ULL / ns;
		/* The median would need all three; the largest is stable. */
		if (khz > best)
			best = khz;
	}
	return best > UINT32_MAX ? 0 : best;
}
