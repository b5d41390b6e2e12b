/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_walk.c - the longest worker stall while the main lcore lists, counts
 * and kills the connections of a worker's table (1M by default), without
 * ports: the commands go through the worker command ring (wcmd.h) and the
 * worker's side, sk_wcmd_poll() with its per-loop budget, is timed call by
 * call, as the worker loop makes it between two bursts.  The longest call
 * is the longest the worker's queues wait for a control request.
 *
 *   bench_walk [CONNECTIONS] [BUDGET]   BUDGET 0: no budget (the whole walk
 *                                       in one call, as before issue 16)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "sk_shm.h"
#include "bench_eal.h"
#include "conn/conn.h"
#include "wcmd/wcmd.h"
#include "sk_pkt_meta.h"
#include "worker/dp.h"

struct sk_dp sk_dp;

static int
fill(struct sk_conn_table *t, uint32_t n)
{
	struct sk_pkt_meta m;
	struct sk_conn_key k;
	uint8_t sa;

	memset(&m, 0, sizeof(m));
	m.family = 4;
	m.proto = IPPROTO_TCP;
	m.tcp_flags = 0x10;
	m.ip_len = 40;
	for (uint32_t i = 0; i < n; i++) {
		m.src[0] = 10;
		m.src[1] = (uint8_t)(i >> 16);
		m.src[2] = (uint8_t)(i >> 8);
		m.src[3] = (uint8_t)i;
		m.dst[0] = 192;
		m.dst[3] = 1;
		m.sport = (uint16_t)(1024 + (i & 0x7fff));
		m.dport = 80;
		sk_conn_key_from_meta(&m, &k, &sa);
		if (sk_conn_create(t, &k, sa, &m, 0, 7, 1) == NULL)
			return -rte_errno;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
us(uint64_t cycles, double hz)
{
	return (double)cycles * 1e6 / hz;
}

static void
run(struct sk_worker *w, enum sk_wcmd_type type, struct sk_shm_filter *f,
    struct sk_shm_conn *out, uint32_t cap, uint32_t budget)
{
	struct sk_wcmd cmd = { .type = (uint16_t)type };
	struct sk_wcmd_ctx ctx = { .conns = w->conns, .worker = w->idx };
	uint64_t t0, dt, longest = 0, total = 0, calls = 0, cap_calls = 1024, cpu, cpu_max = 0;
	uint64_t *each = malloc(sizeof(*each) * cap_calls);
	struct timespec c0, c1;
	double hz = (double)rte_get_tsc_hz();

	cmd.u.conn_list = (struct sk_wcmd_conn){ .filter = f, .out = out, .cap = cap };
	if (sk_wcmd_post(&w->cmds, &cmd) != 0) {
		fprintf(stderr, "post: ring full\n");
		exit(1);
	}
	while (!sk_wcmd_done(&cmd)) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		t0 = rte_rdtsc();
		(void)sk_wcmd_poll(&w->cmds, &ctx, budget);
		dt = rte_rdtsc() - t0;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		cpu = (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000ull + (uint64_t)c1.tv_nsec -
		      (uint64_t)c0.tv_nsec;
		cpu_max = RTE_MAX(cpu_max, cpu);
		longest = RTE_MAX(longest, dt);
		total += dt;
		if (calls == cap_calls) {
			cap_calls *= 2;
			each = realloc(each, sizeof(*each) * cap_calls);
		}
		if (each == NULL) {
			fprintf(stderr, "no memory\n");
			exit(1);
		}
		each[calls++] = dt;
	}
	/* On a shared host the longest call (TSC) includes the times the
	 * scheduler took the core away; the percentiles and the longest call in
	 * thread CPU time show the walk's own cost (a worker owns its core). */
	qsort(each, calls, sizeof(*each), cmp_u64);
	printf("%-10s %7" PRIu64 " conns %6" PRIu64 " calls  us per call: median %6.1f"
	       " p99 %7.1f p99.9 %8.1f longest %9.1f (%" PRIu64 " cycles), CPU %9.1f"
	       "  total %6.1f ms\n",
	       sk_wcmd_names[type], cmd.u.conn_list.n, calls, us(each[calls / 2], hz),
	       us(each[calls * 99 / 100], hz), us(each[calls * 999 / 1000], hz), us(longest, hz),
	       longest, (double)cpu_max / 1e3, (double)total * 1e3 / hz);
	free(each);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], (char *)"--no-huge", (char *)"--no-shconf", (char *)"--no-pci",
			(char *)"--no-telemetry", (char *)"-m", (char *)"1024", (char *)"-l",
			(char *)"0", (char *)"--log-level=error", prefix, NULL };
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
	uint32_t budget = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : SK_WCMD_BUDGET;
	struct sk_shm_filter all = { 0 };
	struct sk_worker *w = &sk_dp.workers[0];
	struct sk_shm_conn *out = NULL;
	int rc = 1;

	snprintf(prefix, sizeof(prefix), "--file-prefix=skwalk%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		goto rm_rundir;
	}
	w->conns = sk_conn_table_create("walk", n + n / 8, 0);
	if (budget == 0)
		budget = UINT32_MAX;
	out = calloc(n, sizeof(*out));
	if (w->conns == NULL || out == NULL || sk_wcmd_port_init(&w->cmds, 0, 0) != 0 ||
	    fill(w->conns, n) != 0) {
		fprintf(stderr, "no memory for %u connections\n", n);
		goto out;
	}
	/* The real listing buffer is cp's, in hugepages: no first-touch faults. */
	memset(out, 0xff, (size_t)n * sizeof(*out));
	printf("# TSC %" PRIu64 " Hz, %u connections in a table of %u, budget %u per call%s\n",
	       rte_get_tsc_hz(), sk_conn_count(w->conns), sk_conn_capacity(w->conns), budget,
	       budget == UINT32_MAX ? " (none)" : "");
	run(w, SK_WCMD_CONN_LIST, &all, out, n, budget);
	run(w, SK_WCMD_CONN_COUNT, &all, NULL, 0, budget);
	run(w, SK_WCMD_CONN_KILL, &all, NULL, 0, budget);
	printf("# left after kill: %u\n", sk_conn_count(w->conns));
	rc = 0;
out:
	sk_wcmd_port_fini(&w->cmds);
	sk_conn_table_free(w->conns);
	free(out);
	rte_eal_cleanup();
rm_rundir:
	snprintf(prefix, sizeof(prefix), "skwalk%d", (int)getpid());
	bench_rm_rundir(prefix);
	return rc;
}
