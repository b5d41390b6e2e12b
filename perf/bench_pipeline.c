/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_pipeline.c - cycles per packet of the worker pipeline without a PMD:
 * pre-built mbufs go through the worker's stages (parse -> admit: the
 * destination decision -> connection key + bulk lookup -> hit: update /
 * miss: ACL classify -> verdict -> create or drop), each one the
 * dataplane's own function (decide/decide.h for the decisions).  Transmit, L2 rewrite and TTL are left
 * out: they are the same for every path and the end-to-end lab measures them.
 *
 * Paths and table sizes:
 *   established  TCP ACKs on 1K / 100K / 1M live connections, random order
 *   new          TCP SYNs, every one a new connection, 10 / 1K / 10K / 100K rules
 *   denied       TCP SYNs to port 23 (a drop rule near the end of the set)
 *   lb-*         the load balancer's paths (bench_lb.c): new DNAT / full-NAT
 *                connections (10 and 10K rules), established NAT connections
 *                both ways at 1K / 100K / 1M, fw-est-svc
 * Also: bytes of heap per connection (rte_malloc heap delta of
 * sk_conn_table_create / conn_max), for the bench's table (sized with 1/8
 * headroom) and for a table of exactly 1K / 100K / 1M.
 *
 * Runs without hugepages: bench_pipeline [--quick] [--json FILE] [-- EAL args]
 * --path established|new|denied|lb|lb-new|lb-est runs one family of paths;
 * --prefetch-peer 1|2 calls sk_conn_prefetch_peer() (2: also the alias slot)
 * for every NAT hit right after the bulk lookup (an experiment, see docs/perf.md).
 * --huge uses hugepages (--in-memory, nothing left behind) as sekisho-dp
 * does: with 4 KiB pages every random table access at 1M connections is also
 * a TLB miss, which the appliance does not pay.
 * The config is compiled by control/config from text, exactly as
 * sekisho-cp would, so the ACL and routes are the real ones.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "gen/gen.h"
#include "pkt/pkt_parse.h"
#include "conn/conn.h"
#include "acl/acl.h"
#include "route/route.h"
#include "decide/decide.h"
#include "bench.h"
#include "bench_eal.h"

#define SERVER_IP RTE_IPV4(10, 253, 0, 1)
#define CLIENT_NET RTE_IPV4(10, 254, 0, 0)

static const char *const stage_name[ST__MAX] = { "parse", "admit", "conn", "acl", "create" };

static struct rte_mempool *pool;
static struct rte_mbuf *mbufs[N_MBUFS];
static struct rte_ether_addr mac_out;
static uint32_t *order;         /* random flow indices for the established path */
static uint32_t order_len;
static struct sk_bench_result results[64];
static int use_huge;            /* --huge: EAL on hugepages */
static unsigned int repeat = 1; /* --repeat: rounds of the established path, best kept */
static int prefetch_peer = 1;   /* --prefetch-peer: the worker calls it (1) */
static int lb_warm = 1;         /* --warm 0: leave out sk_wlb_warm (A/B) */
static unsigned int n_results;

/* ---- config and generation ---- */

static char *
config_text(uint32_t rules, uint32_t conn_max)
{
	size_t cap = 4096 + (size_t)rules * 160, o = 0;
	char *t = malloc(cap);
	uint32_t i;

	if (t == NULL)
		return NULL;
#define W(...) (o += (size_t)snprintf(t + o, cap - o, __VA_ARGS__))
	W("dataplane = { lcores = \"0-1\"; workers = 1; hugepages = false; conn_max = %u;"
	  " tcp_loose = true; };\n", conn_max);
	W("zones = ( \"outside\", \"inside\" );\n");
	W("interfaces = (\n"
	  " { name = \"outside\"; device = \"net_null0\"; zone = \"outside\";"
	  " ipv4 = [ \"192.168.10.1/24\" ]; mac = \"02:00:00:00:10:01\"; },\n"
	  " { name = \"inside\"; device = \"net_null1\"; zone = \"inside\";"
	  " ipv4 = [ \"192.168.20.1/24\" ]; mac = \"02:00:00:00:20:01\"; } );\n");
	W("routes = ( { dst = \"10.0.0.0/8\"; via = \"192.168.20.2\"; interface = \"inside\"; } );\n");
	W("policy = { default = \"drop\"; rules = (\n");
	/* Same layout as perf/gen_config.py: fillers first, the matching rules last. */
	for (i = 0; i + 3 < rules; i++)
		W(" { name = \"f%u\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";"
		  " dst = [ \"172.%u.%u.%u/32\" ]; dport = [ \"%u\" ]; action = \"accept\"; },\n",
		  i, 16 + (i >> 16), (i >> 8) & 0xff, i & 0xff, 1024 + i % 50000);
	W(" { name = \"bench-deny\"; proto = \"tcp\"; dport = [ \"23\" ]; action = \"drop\"; },\n");
	W(" { name = \"bench-tcp\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";"
	  " dst = [ \"10.253.0.0/16\" ]; dport = [ \"80\" ]; action = \"accept\"; },\n");
	W(" { name = \"bench-udp\"; from = \"outside\"; to = \"inside\"; proto = \"udp\";"
	  " dst = [ \"10.253.0.0/16\" ]; dport = [ \"9000\" ]; action = \"accept\"; } ); };\n");
#undef W
	return t;
}

struct sk_gen *
sk_bench_build_gen(const char *text, double *build_s)
{
	static const uint16_t port_of_iface[SK_MAX_IFACES] = { 0, 1 };
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	struct sk_gen *g;
	char err[256];
	void *img = NULL;
	size_t len = 0;
	uint64_t t0;

	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "bench", &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		sk_cfg_diag_free(&diag);
		return NULL;
	}
	sk_cfg_diag_free(&diag);
	if (sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "image: %s\n", err);
		sk_cfg_free(cfg);
		return NULL;
	}
	sk_cfg_free(cfg);
	t0 = rte_rdtsc();
	g = sk_gen_build(img, len, 1, port_of_iface, 1, NULL, NULL, err, sizeof(err));
	*build_s = (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
	free(img);
	if (g == NULL)
		fprintf(stderr, "generation: %s\n", err);
	return g;
}

static struct sk_gen *
build_gen(uint32_t rules, double *build_s)
{
	char *text = config_text(rules, 1024);
	struct sk_gen *g;

	if (text == NULL)
		return NULL;
	g = sk_bench_build_gen(text, build_s);
	free(text);
	return g;
}

/* ---- packets ---- */

static void
flow_of(uint32_t i, uint32_t *src, uint16_t *sport)
{
	*src = CLIENT_NET + (i >> 10);          /* 1M flows: 10.254.0.0 - 10.254.3.255 */
	*sport = (uint16_t)(1024 + (i & 1023));
}

/* (Re)write packet m as a TCP segment of flow i; outside the timed part. */
static void
set_pkt(struct rte_mbuf *m, uint32_t flow, uint16_t dport, uint8_t flags)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t src;
	uint16_t sport;

	flow_of(flow, &src, &sport);
	/* The load-balancer paths (bench_lb.c) share these mbufs and leave
	 * other destinations (and the inside port's MAC) behind. */
	rte_ether_addr_copy(&mac_out, &eh->dst_addr);
	ip->dst_addr = rte_cpu_to_be_32(SERVER_IP);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->tcp_flags = flags;
}

static int
build_mbufs(void)
{
	unsigned int i;

	for (i = 0; i < N_MBUFS; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct rte_ether_hdr *eh;
		struct rte_ipv4_hdr *ip;
		struct rte_tcp_hdr *th;

		if (m == NULL)
			return -ENOMEM;
		/* 64-byte frame without FCS: 14 + 20 + 20 + 6 bytes of padding. */
		if (rte_pktmbuf_append(m, 60) == NULL)
			return -ENOMEM;
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		memset(rte_pktmbuf_mtod(m, void *), 0, 60);
		rte_ether_addr_copy(&mac_out, &eh->dst_addr);
		eh->src_addr.addr_bytes[0] = 0x02;
		eh->src_addr.addr_bytes[5] = 0x02;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip = (struct rte_ipv4_hdr *)(eh + 1);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(40);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->dst_addr = rte_cpu_to_be_32(SERVER_IP);
		th = (struct rte_tcp_hdr *)(ip + 1);
		th->data_off = 5 << 4;
		th->rx_win = rte_cpu_to_be_16(65535);
		set_pkt(m, i, 80, RTE_TCP_ACK_FLAG);
		mbufs[i] = m;
	}
	return 0;
}

/* ---- the pipeline, stage by stage, with the worker's stage functions ---- */

struct ctx {
	struct sk_gen *g;
	struct sk_conn_table *ct;
	uint32_t now_ms;
	struct sk_bench_result *r;
};

static void
run_burst(struct ctx *c, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sk_gen *g = c->g;
	struct sk_pkt_meta *miss_meta[BURST];
	struct sk_conn_key keys[BURST], miss_keys[BURST];
	uint8_t sia[BURST], miss_sia[BURST];
	struct sk_conn *conns[BURST];
	uint32_t rules[BURST];
	uint16_t i, n_miss = 0;
	uint64_t t[ST__MAX + 1];

	t[0] = rte_rdtsc();
	sk_pkt_parse_burst(pkts, n, &mac_out);
	t[1] = rte_rdtsc();
	for (i = 0; i < n; i++) {
		struct sk_pkt_meta *pm = sk_pkt_meta(pkts[i]);
		struct sk_route_result rr;

		sk_decide_ingress(pm, 0, 0, g->ifaces[0].zone, 0);
		if (sk_decide_lb_defer(g, pm))
			continue; /* (no services in this config) */
		if (sk_decide_dst(g, pm, &rr) != SK_GEN_DST_ROUTED)
			c->r->other++;
	}
	t[2] = rte_rdtsc();
	for (i = 0; i < n; i++)
		sk_conn_key_from_meta(sk_pkt_meta(pkts[i]), &keys[i], &sia[i]);
	sk_conn_lookup_burst(c->ct, keys, n, conns);
	for (i = 0; i < n; i++) {
		struct sk_pkt_meta *pm = sk_pkt_meta(pkts[i]);

		if (conns[i] != NULL) {
			if (sk_conn_update(c->ct, conns[i], pm, sk_conn_dir(conns[i], sia[i]),
					   rte_pktmbuf_pkt_len(pkts[i]), c->now_ms) == 0)
				c->r->hits++;
			else
				c->r->other++;
			continue;
		}
		miss_meta[n_miss] = pm;
		miss_keys[n_miss] = keys[i];
		miss_sia[n_miss] = sia[i];
		n_miss++;
	}
	t[3] = rte_rdtsc();
	if (n_miss != 0)
		sk_acl_classify_burst(g->acl, miss_meta, n_miss, rules);
	t[4] = rte_rdtsc();
	for (i = 0; i < n_miss; i++) {
		struct sk_verdict v = sk_decide_verdict(g, rules[i], miss_meta[i]->in_zone,
							miss_meta[i]->out_zone);

		if (v.action != SK_ACT_ACCEPT) {
			c->r->denied++;
			continue;
		}
		if (sk_conn_create(c->ct, &miss_keys[i], miss_sia[i], miss_meta[i], c->now_ms,
				   v.rule_id, (uint32_t)g->id) != NULL)
			c->r->created++;
		else
			c->r->other++;
	}
	t[5] = rte_rdtsc();
	for (i = 0; i < ST__MAX; i++)
		c->r->stage[i] += t[i + 1] - t[i];
	c->r->cycles += t[ST__MAX] - t[0];
	c->r->pkts += n;
}

struct sk_bench_result *
sk_bench_new_result(const char *path, uint32_t conns, uint32_t rules)
{
	struct sk_bench_result *r = &results[n_results < RTE_DIM(results) ? n_results++ : n_results - 1];

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->conns = conns;
	r->rules = rules;
	return r;
}

void
sk_bench_print_result(const struct sk_bench_result *r)
{
	unsigned int s;

	printf("%-12s conns %8u rules %6u: %7.1f cycles/pkt (", r->path, r->conns, r->rules,
	       (double)r->cycles / (double)r->pkts);
	for (s = 0; s < ST__MAX; s++)
		printf("%s%s %.1f", s ? ", " : "", stage_name[s],
		       (double)r->stage[s] / (double)r->pkts);
	if (r->lb)
		printf("; lookup %.1f, select %.1f", (double)r->lookup / (double)r->pkts,
		       (double)r->select / (double)r->pkts);
	printf(")  hits %" PRIu64 " created %" PRIu64 " denied %" PRIu64 " other %" PRIu64,
	       r->hits, r->created, r->denied, r->other);
	if (r->lb)
		printf(" forwarded %" PRIu64 " dropped %" PRIu64, r->fwd, r->drops);
	printf("\n");
	fflush(stdout);
}

double
sk_bench_table_bytes(uint32_t n)
{
	struct rte_malloc_socket_stats s0, s1;
	struct sk_conn_table *t;
	double per;

	rte_malloc_get_socket_stats(0, &s0);
	t = sk_conn_table_create("bench_mem", n, 0);
	rte_malloc_get_socket_stats(0, &s1);
	per = t == NULL ? 0 : (double)(s1.heap_allocsz_bytes - s0.heap_allocsz_bytes) / n;
	sk_conn_table_free(t);
	return per;
}

/* Established: fill a table with `conns` connections, then ACKs in random order. */
static int
bench_established(struct sk_gen *g, uint32_t conns, uint64_t pkts, double *bytes_per_conn)
{
	struct rte_malloc_socket_stats s0, s1;
	struct ctx c = { .g = g, .now_ms = 1000 };
	struct sk_bench_result warm;
	uint64_t done = 0, k = 0;
	uint32_t i, cap = conns + conns / 8 + 1024;
	uint16_t j;

	rte_malloc_get_socket_stats(0, &s0);
	c.ct = sk_conn_table_create("bench_est", cap, 0);
	if (c.ct == NULL) {
		fprintf(stderr, "conn table of %u: %s\n", cap, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rte_malloc_get_socket_stats(0, &s1);
	*bytes_per_conn = (double)(s1.heap_allocsz_bytes - s0.heap_allocsz_bytes) / cap;

	/* Fill through the pipeline itself (ACKs + tcp_loose: new, then established). */
	memset(&warm, 0, sizeof(warm));
	c.r = &warm;
	for (i = 0; i < conns; i += BURST) {
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)BURST, conns - i);

		for (j = 0; j < n; j++)
			set_pkt(mbufs[j], i + j, 80, RTE_TCP_ACK_FLAG);
		run_burst(&c, mbufs, n);
	}
	if (sk_conn_count(c.ct) != conns) {
		fprintf(stderr, "established: %u connections after the fill, wanted %u\n",
			sk_conn_count(c.ct), conns);
		sk_conn_table_free(c.ct);
		return -EIO;
	}
	c.r = sk_bench_new_result("established", conns, g->n_rules);
	/*
	 * --repeat N: N rounds over the same table, the round with the fewest
	 * cycles is kept.  On a shared VM a round in which the worker thread
	 * was preempted or another tenant flushed the cache counts less.
	 */
	for (unsigned int rep = 0; rep < repeat; rep++) {
		struct sk_bench_result cur;

		memset(&cur, 0, sizeof(cur));
		c.r = &cur;
		for (done = 0; done < pkts; done += BURST) {
			struct rte_mbuf **b = &mbufs[(done / BURST) % (N_MBUFS / BURST) * BURST];

			for (j = 0; j < BURST; j++)
				set_pkt(b[j], order[k++ % order_len] % conns, 80, RTE_TCP_ACK_FLAG);
			run_burst(&c, b, BURST);
		}
		if (rep == 0 || cur.cycles < results[n_results - 1].cycles) {
			memcpy(cur.path, results[n_results - 1].path, sizeof(cur.path));
			cur.conns = conns;
			cur.rules = g->n_rules;
			results[n_results - 1] = cur;
		}
		if (cur.hits != cur.pkts)
			break;
	}
	c.r = &results[n_results - 1];
	sk_bench_print_result(c.r);
	sk_conn_table_free(c.ct);
	return c.r->hits == c.r->pkts ? 0 : -EIO;
}

/* New connections (SYN, dport 80) or denied (SYN, dport 23) under `g`'s rules. */
static int
bench_new(struct sk_gen *g, const char *path, uint16_t dport, uint32_t pkts)
{
	struct ctx c = { .g = g, .now_ms = 1000 };
	uint32_t done = 0;
	uint16_t j;

	c.ct = sk_conn_table_create("bench_new", pkts + 1024, 0);
	if (c.ct == NULL) {
		fprintf(stderr, "conn table: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	c.r = sk_bench_new_result(path, 0, g->n_rules);
	while (done < pkts) {
		struct rte_mbuf **b = &mbufs[(done / BURST) % (N_MBUFS / BURST) * BURST];

		for (j = 0; j < BURST; j++)
			set_pkt(b[j], done + j, dport, RTE_TCP_SYN_FLAG);
		run_burst(&c, b, BURST);
		done += BURST;
	}
	sk_bench_print_result(c.r);
	sk_conn_table_free(c.ct);
	if (dport == 23)
		return c.r->denied == c.r->pkts ? 0 : -EIO;
	return c.r->created == c.r->pkts ? 0 : -EIO;
}

static int
write_json(const char *path, const double *bpc, const double *bpc_exact, const double *nat_bpc,
	   const uint32_t *conn_sizes, unsigned int n_cs,
	   const uint32_t *rule_sizes, const double *build_s, unsigned int n_rs)
{
	FILE *f = fopen(path, "w");
	unsigned int i, s;

	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"tsc_hz\": %" PRIu64 ",\n  \"burst\": %d,\n  \"hugepages\": %s,\n"
		"  \"repeat\": %u,\n  \"results\": [\n", rte_get_tsc_hz(), BURST,
		use_huge ? "true" : "false", repeat);
	for (i = 0; i < n_results; i++) {
		const struct sk_bench_result *r = &results[i];

		fprintf(f, "    {\"path\": \"%s\", \"conns\": %u, \"rules\": %u, \"pkts\": %" PRIu64
			", \"cycles_per_pkt\": %.1f, \"stages\": {", r->path, r->conns, r->rules,
			r->pkts, (double)r->cycles / (double)r->pkts);
		for (s = 0; s < ST__MAX; s++)
			fprintf(f, "%s\"%s\": %.1f", s ? ", " : "", stage_name[s],
				(double)r->stage[s] / (double)r->pkts);
		if (r->lb)
			fprintf(f, ", \"lookup\": %.1f, \"select\": %.1f}, \"forwarded\": %" PRIu64
				", \"dropped\": %" PRIu64, (double)r->lookup / (double)r->pkts,
				(double)r->select / (double)r->pkts, r->fwd, r->drops);
		else
			fprintf(f, "}");
		fprintf(f, "}%s\n", i + 1 < n_results ? "," : "");
	}
	fprintf(f, "  ],\n  \"bytes_per_conn\": {");
	for (i = 0; i < n_cs; i++)
		fprintf(f, "%s\"%u\": %.1f", i ? ", " : "", conn_sizes[i], bpc[i]);
	fprintf(f, "},\n  \"bytes_per_conn_exact\": {");
	for (i = 0; i < n_cs; i++)
		fprintf(f, "%s\"%u\": %.1f", i ? ", " : "", conn_sizes[i], bpc_exact[i]);
	fprintf(f, "},\n  \"bytes_per_nat_conn\": {");
	for (i = 0; i < n_cs; i++)
		fprintf(f, "%s\"%u\": %.1f", i ? ", " : "", conn_sizes[i], nat_bpc[i]);
	fprintf(f, "},\n  \"prefetch_peer\": %d,\n  \"acl_build_s\": {", prefetch_peer);
	for (i = 0; i < n_rs; i++)
		fprintf(f, "%s\"%u\": %.3f", i ? ", " : "", rule_sizes[i], build_s[i]);
	fprintf(f, "}\n}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", required_argument, NULL, 'j' },
		{ "path", required_argument, NULL, 'p' },
		{ "huge", no_argument, NULL, 'H' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "prefetch-peer", required_argument, NULL, 'P' },
		{ "est-pkts", required_argument, NULL, 'e' },
		{ "warm", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t conn_sizes[] = { 1000, 100000, 1000000 };
	uint32_t rule_sizes[] = { 10, 1000, 10000, 100000 };
	double bpc[RTE_DIM(conn_sizes)] = { 0 }, build_s[RTE_DIM(rule_sizes)] = { 0 };
	double bpc_exact[RTE_DIM(conn_sizes)] = { 0 }, nat_bpc[RTE_DIM(conn_sizes)] = { 0 };
	struct sk_bench_env env;
	char prefix[64], *eal[32];
	const char *json = NULL, *only = NULL;
	int quick = 0, huge = 0, c, rc = 0, n_eal = 0;
	uint32_t new_pkts, est_pkts, est_opt = 0;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "qj:p:Hr:P:e:W:", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = 1;
			break;
		case 'j':
			json = optarg;
			break;
		case 'p':
			only = optarg;
			break;
		case 'H':
			huge = use_huge = 1;
			break;
		case 'r':
			repeat = (unsigned int)strtoul(optarg, NULL, 10);
			if (repeat == 0 || repeat > 100)
				repeat = 1;
			break;
		case 'P':
			prefetch_peer = atoi(optarg);
			break;
		case 'W':
			lb_warm = atoi(optarg) != 0;
			break;
		case 'e':
			/* packets per established round (callgrind runs want few) */
			est_opt = (uint32_t)strtoul(optarg, NULL, 10) / BURST * BURST;
			break;
		default:
			fprintf(stderr, "usage: %s [--quick] [--huge] [--repeat N] [--json FILE]"
				" [--path established|new|denied|lb|lb-new|lb-est]"
				" [--prefetch-peer 0|1|2] [--warm 0|1] [--est-pkts N] [-- EAL args]\n",
				argv[0]);
			return 2;
		}
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=skbench%d", (int)getpid());
	eal[n_eal++] = argv[0];
	if (huge) {
		eal[n_eal++] = (char *)"--in-memory";
	} else {
		eal[n_eal++] = (char *)"--no-huge";
		eal[n_eal++] = (char *)"--no-shconf";
	}
	eal[n_eal++] = (char *)"--no-pci";
	eal[n_eal++] = (char *)"--no-telemetry";
	if (!huge) {
		/* With hugepages, memory is taken as needed (shared with other users). */
		eal[n_eal++] = (char *)"-m";
		eal[n_eal++] = (char *)"2048";
	}
	eal[n_eal++] = (char *)"-l";
	eal[n_eal++] = (char *)"0";
	eal[n_eal++] = (char *)"--log-level=error";
	eal[n_eal++] = prefix;
	for (; optind < argc && n_eal < (int)RTE_DIM(eal) - 1; optind++)
		eal[n_eal++] = argv[optind];
	eal[n_eal] = NULL;
	if (rte_eal_init(n_eal, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		rc = 1;
		goto rm_rundir;
	}
	new_pkts = quick ? 65536 : 262144;
	est_pkts = est_opt != 0 ? est_opt : quick ? 1u << 20 : 1u << 22;
	pool = rte_pktmbuf_pool_create("bench_pool", N_MBUFS + 512, 0, SK_PKT_PRIV_SIZE,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	order_len = 1u << 20;
	order = malloc(sizeof(*order) * order_len);
	rte_ether_unformat_addr("02:00:00:00:10:01", &mac_out);
	if (pool == NULL || order == NULL || build_mbufs() != 0) {
		fprintf(stderr, "no memory for packets\n");
		rc = 1;
		goto out;
	}
	for (i = 0; i < order_len; i++)
		order[i] = (uint32_t)rte_rand();
	env = (struct sk_bench_env){ .pool = pool, .mbufs = mbufs, .mac = &mac_out,
				     .order = order, .order_len = order_len, .repeat = repeat,
				     .prefetch_peer = prefetch_peer, .warm = lb_warm, .quick = quick,
				     .est_pkts = est_pkts, .new_pkts = new_pkts };

	printf("# TSC %" PRIu64 " Hz, burst %d, 64-byte TCP/IPv4, %s\n", rte_get_tsc_hz(), BURST,
	       huge ? "hugepages" : "4 KiB pages (--no-huge)");
	for (i = 0; i < RTE_DIM(rule_sizes); i++) {
		struct sk_gen *g;

		if (quick && rule_sizes[i] > 10000)
			continue;
		g = build_gen(rule_sizes[i], &build_s[i]);
		if (g == NULL) {
			rc = 1;
			break;
		}
		{
			uint32_t p4, p6, th;

			/* parts per family and threads: the split build (acl_par.c) */
			sk_acl_layout(g->acl, &p4, &p6, &th);
			printf("# %u rules: generation (rte_acl) built in %.3f s"
			       " (rte_acl contexts v4 %u, v6 %u; %u build threads)\n",
			       rule_sizes[i], build_s[i], p4, p6, th);
		}
		if (i == 0 && (only == NULL || strcmp(only, "established") == 0)) {
			unsigned int k;

			for (k = 0; k < RTE_DIM(conn_sizes) && rc == 0; k++)
				if (bench_established(g, conn_sizes[k], est_pkts, &bpc[k]) != 0)
					rc = 1;
				else
				{
					bpc_exact[k] = sk_bench_table_bytes(conn_sizes[k]);
					printf("# %u connections: %.1f bytes of heap per connection"
					       " (table sized %u); %.1f (table sized %u)\n",
					       conn_sizes[k], bpc[k],
					       conn_sizes[k] + conn_sizes[k] / 8 + 1024,
					       bpc_exact[k], conn_sizes[k]);
				}
		}
		if (rc == 0 && (only == NULL || strcmp(only, "new") == 0) &&
		    bench_new(g, "new", 80, new_pkts) != 0)
			rc = 1;
		if (rc == 0 && (only == NULL || strcmp(only, "denied") == 0) &&
		    bench_new(g, "denied", 23, new_pkts) != 0)
			rc = 1;
		sk_gen_free(g);
		/* Load balancer: new connections at 10 and 10K rules, established at 10. */
		if (rc == 0 && (i == 0 || rule_sizes[i] == 10000) &&
		    (only == NULL || strncmp(only, "lb", 2) == 0) &&
		    sk_bench_lb(&env, rule_sizes[i], i == 0, only, nat_bpc) != 0)
			rc = 1;
		if (rc != 0)
			break;
	}
	if (rc == 0 && json != NULL &&
	    write_json(json, bpc, bpc_exact, nat_bpc, conn_sizes, RTE_DIM(conn_sizes), rule_sizes, build_s,
		       RTE_DIM(rule_sizes)) != 0) {
		fprintf(stderr, "cannot write %s\n", json);
		rc = 1;
	}
out:
	for (i = 0; i < N_MBUFS; i++)
		rte_pktmbuf_free(mbufs[i]);
	rte_mempool_free(pool);
	free(order);
	rte_eal_cleanup();
rm_rundir:
	snprintf(prefix, sizeof(prefix), "skbench%d", (int)getpid());
	bench_rm_rundir(prefix);
	return rc;
}
