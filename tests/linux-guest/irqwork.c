// SPDX-License-Identifier: GPL-2.0
/*
 * irqwork SECONDS: the Linux guest's parallel job (tests/linux-guest/init).
 * One thread pinned to each online CPU spins on its counter while
 * the main thread, in the same address space, for SECONDS:
 *
 *	- maps, touches and unmaps memory: the other CPUs run this mm, so
 *	  each munmap() shoots their TLBs down (TLB IPIs);
 *	- issues membarrier(PRIVATE_EXPEDITED): a function call on each CPU
 *	  running this mm (CAL IPIs);
 *	- wakes each thread through a pipe it sleeps on: a wake-up on another
 *	  CPU (RES, rescheduling IPIs).
 *
 * Prints the rounds done; exits 0 if every thread ran.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
#define MAP_BYTES	(64 * 4096)

struct worker {
	pthread_t thread;
	int cpu;
	int pipe[2];
	unsigned long spins;	/* read after the join */
	unsigned long wakes;
};

static int stop;		/* __atomic accesses */

static void *work(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;
	char c;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned long i;

		for (i = 0; i < 100000; i++)
			__atomic_fetch_add(&w->spins, 1, __ATOMIC_RELAXED);
		/* Sleep until the main thread writes: a remote wake-up. */
		if (read(w->pipe[0], &c, 1) == 1)
			w->wakes++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3, end;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	static struct worker w[MAX_THREADS];
	unsigned long rounds = 0;
	int i, n = 0, bad = 0;

	if (syscall(__NR_membarrier,
		    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))
		perror("irqwork: membarrier register");
	for (i = 0; i < ncpu && n < MAX_THREADS; i++, n++) {
		w[n].cpu = i;
		if (pipe(w[n].pipe) ||
		    pthread_create(&w[n].thread, NULL, work, &w[n])) {
			perror("irqwork: thread");
			return 2;
		}
	}
	end = now() + seconds;
	while (now() < end) {
		char *p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long off;

		if (p == MAP_FAILED) {
			perror("irqwork: mmap");
			return 2;
		}
		for (off = 0; off < MAP_BYTES; off += 4096)
			p[off] = 1;
		munmap(p, MAP_BYTES);
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
			0, 0);
		for (i = 0; i < n; i++)
			if (write(w[i].pipe[1], "x", 1) != 1)
				bad++;
		rounds++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		if (write(w[i].pipe[1], "x", 1) != 1)
			bad++;
		pthread_join(w[i].thread, NULL);
		if (!w[i].spins || !w[i].wakes)
			bad++;
		printf("irqwork: cpu %d: %lu spins, %lu wake-ups\n", w[i].cpu,
		       w[i].spins, w[i].wakes);
	}
	printf("irqwork: %lu rounds on %d threads\n", rounds, n);
	return bad ? 1 : 0;
}
