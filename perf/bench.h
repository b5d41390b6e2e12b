/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.h - what the two halves of the pipeline microbenchmark share:
 * bench_pipeline.c (firewall paths, main, JSON) and bench_lb.c (load
 * balancer paths).  Results of both go into one table and one JSON file.
 */
#ifndef SK_BENCH_H
#define SK_BENCH_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "gen/gen.h"

#define BURST 32
#define N_MBUFS 4096           /* a ring of pre-built packets, 128 bursts */

enum sk_bench_stage { ST_PARSE, ST_ADMIT, ST_CONN, ST_ACL, ST_CREATE, ST__MAX };

struct sk_bench_result {
	char path[32];
	uint32_t conns, rules;
	uint64_t pkts, cycles;
	uint64_t stage[ST__MAX];
	/* Load-balancer paths: parts of the conn stage (bulk lookup; backend
	 * choice + route of the translated packet, misses only). */
	uint64_t lookup, select;
	uint64_t hits, created, denied, other;
	uint64_t fwd, drops;       /* LB paths: packets forwarded / dropped (any reason) */
	uint32_t drop_reason;      /* the last drop reason seen (SK_DROP_*) */
	int lb;                    /* 1: a load-balancer result (lookup/select/fwd/drops valid) */
};

/* What bench_pipeline.c's main hands to the load-balancer paths. */
struct sk_bench_env {
	struct rte_mempool *pool;
	struct rte_mbuf **mbufs;          /* N_MBUFS 60-byte TCP/IPv4 frames */
	const struct rte_ether_addr *mac; /* the input port's MAC (frames' destination) */
	const uint32_t *order;            /* random numbers: the established paths' flow order */
	uint32_t order_len;
	unsigned int repeat;              /* rounds of an established path, best kept */
	int prefetch_peer;                /* --prefetch-peer: the experiment of docs/perf.md */
	int warm;                         /* --warm: sk_wlb_warm before policy, as the worker */
	int quick;
	uint32_t est_pkts, new_pkts;
};

/* A new result row (path, table size, rules), zeroed. */
struct sk_bench_result *sk_bench_new_result(const char *path, uint32_t conns, uint32_t rules);
void sk_bench_print_result(const struct sk_bench_result *r);

/* Compile config text (control/config) and build its generation; NULL on error. */
struct sk_gen *sk_bench_build_gen(const char *text, double *build_s);

/* Heap bytes of a connection table of exactly n slots (0 if it cannot be made). */
double sk_bench_table_bytes(uint32_t n);

/*
 * The load-balancer paths (bench_lb.c), under a config of `rules` rules:
 * new connections to a DNAT and a full-NAT VIP; with est != 0 also
 * established NAT connections, both directions, at 1K/100K/1M.  Fills
 * nat_bpc[3] (heap bytes per NAT connection at 1K/100K/1M: two slots each)
 * when est.  0, or -EIO when a path dropped or did not translate.
 */
int sk_bench_lb(const struct sk_bench_env *env, uint32_t rules, int est, const char *only,
		double nat_bpc[3]);

#endif /* SK_BENCH_H */
