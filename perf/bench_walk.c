/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_walk.c - the longest worker stall while the main lcore lists, counts
 * and kills the connections of a worker's table (1M by default), without
 * ports: the worker's share of each request is timed call by call, as the
 * worker loop would make it between two bursts.
 *
 * Old mailbox version: the whole walk runs in one call (sk_mbox_worker).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "sk_shm.h"
#include "conn/conn.h"
#include "mbox/mbox.h"
#include "pkt/pkt_meta.h"
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

static void
run(struct sk_worker *w, uint8_t op, const char *name, struct sk_shm_filter *f,
    struct sk_shm_conn *out, uint32_t cap)
{
	uint64_t t0, dt;

	w->ctl_op = op;
	w->ctl_filter = f;
	w->ctl_out = out;
	w->ctl_cap = cap;
	w->ctl_n = 0;
	w->ctl_seq = w->ctl_done + 1;
	t0 = rte_rdtsc();
	sk_mbox_worker(w);
	dt = rte_rdtsc() - t0;
	printf("%-6s %8" PRIu64 " connections  calls 1  longest call %10" PRIu64
	       " cycles %8.1f us  total %8.1f ms\n", name, w->ctl_n, dt,
	       (double)dt * 1e6 / (double)rte_get_tsc_hz(),
	       (double)dt * 1e3 / (double)rte_get_tsc_hz());
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], (char *)"--no-huge", (char *)"--no-shconf", (char *)"--no-pci",
			(char *)"--no-telemetry", (char *)"-m", (char *)"1024", (char *)"-l",
			(char *)"0", (char *)"--log-level=error", prefix, NULL };
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
	struct sk_shm_filter all = { 0 };
	struct sk_worker *w = &sk_dp.workers[0];
	struct sk_shm_conn *out;

	snprintf(prefix, sizeof(prefix), "--file-prefix=skwalk%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	w->conns = sk_conn_table_create("walk", n + n / 8, 0);
	out = calloc(n, sizeof(*out));
	if (w->conns == NULL || out == NULL || fill(w->conns, n) != 0) {
		fprintf(stderr, "no memory for %u connections\n", n);
		return 1;
	}
	/* The real listing buffer is cp's, in hugepages: no first-touch faults. */
	memset(out, 0xff, (size_t)n * sizeof(*out));
	printf("# TSC %" PRIu64 " Hz, %u connections in a table of %u\n", rte_get_tsc_hz(),
	       sk_conn_count(w->conns), sk_conn_capacity(w->conns));
	run(w, SK_SHM_OP_CONNS, "list", &all, out, n);
	run(w, SK_SHM_OP_CONN_COUNT, "count", &all, NULL, 0);
	run(w, SK_SHM_OP_CONN_KILL, "kill", &all, NULL, 0);
	printf("# left after kill: %u\n", sk_conn_count(w->conns));
	sk_conn_table_free(w->conns);
	free(out);
	rte_eal_cleanup();
	return 0;
}
