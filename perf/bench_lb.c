/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_lb.c - cycles per packet of the load balancer's paths through the
 * worker pipeline, measured as bench_pipeline.c measures the firewall's:
 * pre-built mbufs, the worker's stages in its order with its own decision
 * functions (decide/decide.h), and the real load-balancer steps of worker_lb.c
 * (sk_wlb_prepare / sk_wlb_create / sk_wlb_hit), so backend choice, SNAT
 * port search, the two-key NAT connection and the checksum rewrite are
 * the dataplane's own code.  Transmit, L2 rewrite and TTL are left out as
 * for the other paths.
 *
 * Config (compiled from text by control/config): two interfaces, routes
 * 10.0.0.0/8 via inside (backends) and 100.64.0.0/10 via outside (clients),
 * static neighbours for both next hops, and two services on TCP port 80:
 *   DNAT      VIP 198.18.0.80, maglev, 16 backends 10.252.0.1-16:8080
 *   full NAT  VIP 198.18.0.81, maglev, 16 backends 10.252.1.1-16:8080,
 *             SNAT 192.168.20.10-13 (4 addresses: 1M connections over 16
 *             backends then use a quarter of each address's port block)
 * plus the firewall bench's rules (fillers first, accepting rules last).
 *
 * Paths: lb-{dnat,fnat}-new (a SYN per new connection to the VIP),
 * lb-{dnat,fnat}-c2b (established, client -> VIP -> backend) and
 * lb-{dnat,fnat}-b2c (established, backend -> client, translated back) at
 * 1K / 100K / 1M NAT connections, and fw-est-svc (plain firewall
 * connections at 1M in a config that has services: what services cost the
 * firewall path).  A NAT connection is two table slots, so the table is
 * sized 2 x (n + n/8) + 1024 slots.  Every path checks that nothing was
 * dropped and reads the output packets back (addresses, ports, and the IP
 * and TCP checksums of a burst with valid checksums), so a drop or an
 * untranslated packet fails the bench instead of being measured.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "bench.h"
#include "sk_drop.h"
#include "pkt/pkt_parse.h"
#include "conn/conn.h"
#include "acl/acl.h"
#include "route/route.h"
#include "lb/lb_svc.h"
#include "worker/wlb.h"
#include "decide/decide.h"

/* worker_lb.c reads sk_dp.n_workers; sekisho-dp defines it in main.c, which the bench does not link. */
struct sk_dp sk_dp;

/* RTE_IPV4 shifts an int: 198 << 24 overflows it (UBSan); the same in uint32_t. */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
			 (uint32_t)(d))
#define VIP_DNAT IP4(198, 18, 0, 80)
#define VIP_FNAT IP4(198, 18, 0, 81)
#define BE_DNAT IP4(10, 252, 0, 1)     /* + backend index */
#define BE_FNAT IP4(10, 252, 1, 1)
#define SNAT0 IP4(192, 168, 20, 10)    /* + SNAT index */
#define CLIENT0 IP4(100, 64, 0, 0)
#define PLAIN_DST IP4(10, 253, 0, 1)
#define N_BE 16
#define N_SNAT 4
#define VPORT 80
#define BE_PORT 8080
#define IF_OUT 0
#define IF_IN 1

enum mode { M_PLAIN, M_DNAT, M_FNAT };
static const char *const mode_name[] = { "fw", "dnat", "fnat" };

static struct sk_worker wk;            /* the one worker: idx 0, its table */
static const struct sk_bench_env *env;
static uint32_t *peer;                 /* per flow: what the translation chose */

static char *
lb_config_text(uint32_t rules)
{
	size_t cap = 8192 + (size_t)rules * 160, o = 0;
	char *t = malloc(cap);
	uint32_t i, s;

	if (t == NULL)
		return NULL;
#define W(...) (o += (size_t)snprintf(t + o, cap - o, __VA_ARGS__))
	W("dataplane = { lcores = \"0-1\"; workers = 1; hugepages = false; conn_max = 1024;"
	  " tcp_loose = true; };\nzones = ( \"outside\", \"inside\" );\n");
	W("interfaces = (\n"
	  " { name = \"outside\"; device = \"net_null0\"; zone = \"outside\";"
	  " ipv4 = [ \"192.168.10.1/24\" ]; mac = \"02:00:00:00:10:01\"; },\n"
	  " { name = \"inside\"; device = \"net_null1\"; zone = \"inside\";"
	  " ipv4 = [ \"192.168.20.1/24\" ]; mac = \"02:00:00:00:20:01\"; } );\n");
	W("routes = ( { dst = \"10.0.0.0/8\"; via = \"192.168.20.2\"; interface = \"inside\"; },\n"
	  " { dst = \"100.64.0.0/10\"; via = \"192.168.10.2\"; interface = \"outside\"; } );\n");
	W("neighbors = ( { ip = \"192.168.20.2\"; mac = \"02:00:00:00:20:02\"; interface = \"inside\"; },\n"
	  " { ip = \"192.168.10.2\"; mac = \"02:00:00:00:10:02\"; interface = \"outside\"; } );\n");
	W("policy = { default = \"drop\"; rules = (\n");
	for (i = 0; i + 3 < rules; i++)
		W(" { name = \"f%u\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";"
		  " dst = [ \"172.%u.%u.%u/32\" ]; dport = [ \"%u\" ]; action = \"accept\"; },\n",
		  i, 16 + (i >> 16), (i >> 8) & 0xff, i & 0xff, 1024 + i % 50000);
	W(" { name = \"bench-deny\"; proto = \"tcp\"; dport = [ \"23\" ]; action = \"drop\"; },\n");
	/* Policy sees the translated packet: the backends, not the VIPs. */
	W(" { name = \"bench-lb\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";"
	  " dst = [ \"10.252.0.0/16\" ]; dport = [ \"%u\" ]; action = \"accept\"; },\n", BE_PORT);
	W(" { name = \"bench-tcp\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";"
	  " dst = [ \"10.253.0.0/16\" ]; dport = [ \"80\" ]; action = \"accept\"; } ); };\n");
	W("services = (\n");
	for (s = 0; s < 2; s++) {
		uint32_t vip = s ? VIP_FNAT : VIP_DNAT, be = s ? BE_FNAT : BE_DNAT;

		W(" { name = \"%s\"; vip = \"%u.%u.%u.%u\"; proto = \"tcp\"; port = \"%u\";"
		  " scheduler = \"maglev\"; forward = \"%s\";", s ? "fnat" : "dnat", vip >> 24,
		  (vip >> 16) & 0xff, (vip >> 8) & 0xff, vip & 0xff, VPORT, s ? "fullnat" : "dnat");
		if (s)
			W(" snat = [ \"192.168.20.10\", \"192.168.20.11\", \"192.168.20.12\","
			  " \"192.168.20.13\" ];");
		W("\n   backends = (\n");
		for (i = 0; i < N_BE; i++)
			W("    { name = \"b%u\"; address = \"10.252.%u.%u\"; port = %u; }%s\n", i,
			  (be >> 8) & 0xff, (be & 0xff) + i, BE_PORT, i + 1 < N_BE ? "," : "");
		W("   );\n   health = { type = \"none\"; }; }%s\n", s ? "" : ",");
	}
	W(");\n");
#undef W
	return t;
}

/* ---- packets ---- */

static uint32_t
client_of(uint32_t flow, uint16_t *port)
{
	*port = (uint16_t)(1024 + (flow & 1023));
	return CLIENT0 + (flow >> 10);
}

static void
set_pkt(struct rte_mbuf *m, uint16_t iface, uint32_t src, uint16_t sport, uint32_t dst,
	uint16_t dport, uint8_t flags, int cksum)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	rte_ether_addr_copy(&wk.cur_gen->ifaces[iface].mac, &eh->dst_addr);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->tcp_flags = flags;
	if (cksum) {
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
}

/* Packet of `flow` on path (mode, reply): client -> VIP, or backend -> client / SNAT. */
static void
flow_pkt(struct rte_mbuf *m, enum mode md, int reply, uint32_t flow, uint8_t flags, int cksum)
{
	uint16_t cport;
	uint32_t client = client_of(flow, &cport), p = peer != NULL ? peer[flow] : 0;

	if (!reply) {
		set_pkt(m, IF_OUT, client, cport, md == M_PLAIN ? PLAIN_DST :
			md == M_DNAT ? VIP_DNAT : VIP_FNAT, VPORT, flags, cksum);
	} else if (md == M_DNAT) {
		set_pkt(m, IF_IN, BE_DNAT + (p & 0xff), BE_PORT, client, cport, flags, cksum);
	} else {
		set_pkt(m, IF_IN, BE_FNAT + (p & 0xff), BE_PORT, SNAT0 + ((p >> 8) & 0xff),
			(uint16_t)(p >> 16), flags, cksum);
	}
}

/* ---- the pipeline: the worker's stages with its LB branches ---- */

static void
drop(struct sk_bench_result *r, unsigned int reason)
{
	r->drops++;
	r->drop_reason = reason;
}

/* The destination decision's outcome (the bench's traffic is routed, or
 * goes to a service, or it is a failure). */
static int
dst_ok(struct sk_bench_result *r, enum sk_gen_dst d)
{
	if (d != SK_GEN_DST_ROUTED && d != SK_GEN_DST_SERVICE) {
		drop(r, SK_DROP_NO_ROUTE);
		return 0;
	}
	return 1;
}

static int
admit_route(struct sk_bench_result *r, const struct sk_gen *g, struct sk_pkt_meta *pm)
{
	struct sk_route_result rr;

	return dst_ok(r, sk_decide_dst(g, pm, &rr));
}

/* The deferred destination stage: a VIP's service match (or route). */
static int
late_admit(struct sk_bench_result *r, const struct sk_gen *g, struct sk_pkt_meta *pm)
{
	struct sk_route_result rr;

	return dst_ok(r, sk_decide_dst_late(g, pm, &rr));
}

static void
hit(struct sk_bench_result *r, const struct sk_gen *g, struct rte_mbuf *m, struct sk_conn *c,
    uint8_t sia)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	int rc;

	if (pm->dst_late && sk_wlb_hit_needs_admit(g, pm, c, sia) &&
	    !late_admit(r, g, pm))
		return;
	if (c->nat != 0 || (c->flags & SK_CONN_F_ALIAS)) {
		rc = sk_wlb_hit(&wk, g, m, c, sia);
	} else {
		rc = c->gen != (uint32_t)g->id ? SK_DROP_POLICY_REVOKED : 0;
		if (rc == 0 && pm->lb_svc != 0)
			rc = sk_wlb_route(g, pm);
		if (rc == 0)
			rc = sk_conn_update(wk.conns, c, pm, sk_conn_dir(c, sia),
					    rte_pktmbuf_pkt_len(m), wk.now_ms);
	}
	if (rc != 0) {
		drop(r, (unsigned int)rc);
		return;
	}
	r->hits++;
	r->fwd++;
}

static void
run_burst(struct sk_bench_result *r, const struct sk_gen *g, struct rte_mbuf **pkts, uint16_t n,
	  uint16_t iface)
{
	struct rte_mbuf *ip[BURST], *miss_m[BURST];
	struct sk_pkt_meta *miss_meta[BURST];
	struct sk_conn_key keys[BURST], miss_keys[BURST];
	uint8_t sia[BURST], miss_sia[BURST], miss_lb[BURST];
	struct sk_wlb_new nw[BURST];
	struct sk_conn *conns[BURST];
	uint32_t rules[BURST];
	uint16_t i, n_ip = 0, n_miss = 0, k;
	uint64_t t[8];

	t[0] = rte_rdtsc();
	sk_pkt_parse_burst(pkts, n, &g->ifaces[iface].mac);
	t[1] = rte_rdtsc();
	for (i = 0; i < n; i++) {       /* admit() */
		struct sk_pkt_meta *pm = sk_pkt_meta(pkts[i]);

		if (pm->kind == SK_PKT_DROP) {
			drop(r, pm->drop);
			continue;
		}
		sk_decide_ingress(pm, iface, iface, g->ifaces[iface].zone, 0);
		if (sk_decide_lb_defer(g, pm) || admit_route(r, g, pm))
			ip[n_ip++] = pkts[i];
	}
	t[2] = rte_rdtsc();
	for (i = 0; i < n_ip; i++)      /* process_admitted(): stage 2 */
		sk_conn_key_from_meta(sk_pkt_meta(ip[i]), &keys[i], &sia[i]);
	sk_conn_lookup_burst(wk.conns, keys, n_ip, conns);
	t[3] = rte_rdtsc();
	if (env->prefetch_peer)
		for (i = 0; i < n_ip; i++)
			if (conns[i] != NULL) {
				sk_conn_prefetch_peer(wk.conns, conns[i]);
				if (env->prefetch_peer > 1 && !(conns[i]->flags & SK_CONN_F_ALIAS) &&
				    conns[i]->nat != 0) {
					const struct sk_conn *a = sk_conn_alias(wk.conns, conns[i]);

					rte_prefetch0(a);
					rte_prefetch0((const char *)(a + 1) - 1);
				}
			}
	for (i = 0; i < n_ip; i++) {
		struct sk_pkt_meta *pm = sk_pkt_meta(ip[i]);
		enum sk_new_flow nf;

		if (conns[i] != NULL) {
			hit(r, g, ip[i], conns[i], sia[i]);
			continue;
		}
		/* miss(): one worker, so sk_wlb_owner() is this one */
		if (pm->dst_late && !late_admit(r, g, pm))
			continue;
		nf = sk_decide_new_flow(g, pm);
		if (nf != SK_NEW_FLOW_POLICY) {  /* (a health reply would go to the tap) */
			drop(r, sk_decide_new_flow_drop(nf));
			continue;
		}
		miss_m[n_miss] = ip[i];
		miss_meta[n_miss] = pm;
		miss_keys[n_miss] = keys[i];
		miss_sia[n_miss] = sia[i];
		miss_lb[n_miss] = pm->lb_svc != 0;
		n_miss++;
	}
	t[4] = rte_rdtsc();
	/* sk_wlb_prepare() of miss(), in a loop of its own to time it apart */
	for (i = 0, k = 0; i < n_miss; i++) {
		if (miss_lb[i]) {
			int rc = sk_wlb_prepare(&wk, g, miss_meta[i], &nw[k]);

			if (rc != 0) {
				drop(r, (unsigned int)rc);
				continue;
			}
		}
		miss_m[k] = miss_m[i];
		miss_meta[k] = miss_meta[i];
		miss_keys[k] = miss_keys[i];
		miss_sia[k] = miss_sia[i];
		miss_lb[k] = miss_lb[i];
		k++;
	}
	n_miss = k;
	if (env->warm && n_miss != 0)     /* as process_admitted() */
		sk_wlb_warm(&wk, g, miss_meta, nw, miss_lb, n_miss);
	t[5] = rte_rdtsc();
	if (n_miss != 0)
		sk_acl_classify_burst(g->acl, miss_meta, n_miss, rules);
	t[6] = rte_rdtsc();
	for (i = 0; i < n_miss; i++) {  /* decide() */
		struct sk_pkt_meta *pm = miss_meta[i];
		struct sk_verdict v;
		uint32_t rule_id;
		int rc;

		if (miss_lb[i])
			sk_wlb_restore(pm, &nw[i]);
		v = sk_decide_verdict(g, rules[i], pm->in_zone, pm->out_zone);
		rule_id = v.rule_id;
		if (v.action != SK_ACT_ACCEPT) {
			r->denied++;
			drop(r, sk_decide_verdict_drop(&v));
			continue;
		}
		if (miss_lb[i]) {
			enum sk_drop_reason why = SK_DROP_NONE;

			if (sk_wlb_create(&wk, g, miss_m[i], &miss_keys[i], miss_sia[i], &nw[i],
					  rule_id, &why) == -EEXIST) {
				hit(r, g, miss_m[i], sk_conn_lookup(wk.conns, &miss_keys[i]),
				    miss_sia[i]);
				continue;
			}
			rc = why;
		} else {
			rc = sk_conn_create(wk.conns, &miss_keys[i], miss_sia[i], pm, wk.now_ms,
					    rule_id, (uint32_t)g->id) != NULL ? 0 :
			     SK_DROP_CONN_TABLE_FULL;
		}
		if (rc != 0) {
			drop(r, (unsigned int)rc);
			continue;
		}
		r->created++;
		r->fwd++;
	}
	t[7] = rte_rdtsc();
	r->stage[ST_PARSE] += t[1] - t[0];
	r->stage[ST_ADMIT] += t[2] - t[1];
	r->stage[ST_CONN] += t[5] - t[2];
	r->stage[ST_ACL] += t[6] - t[5];
	r->stage[ST_CREATE] += t[7] - t[6];
	r->lookup += t[3] - t[2];
	r->select += t[5] - t[4];
	r->cycles += t[7] - t[0];
	r->pkts += n;
}

/* ---- checks: the packets really left translated ---- */

static uint32_t
be32_at(const struct rte_ipv4_hdr *ip, int dst)
{
	return rte_be_to_cpu_32(dst ? ip->dst_addr : ip->src_addr);
}

/*
 * m is flow's packet on (md, reply) after the pipeline: is it what the unit
 * must send?  With cksum, the IP and TCP checksums must verify too.
 */
static int
check_out(struct rte_mbuf *m, enum mode md, int reply, uint32_t flow, int cksum)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	uint32_t src = be32_at(ip, 0), dst = be32_at(ip, 1), be = md == M_FNAT ? BE_FNAT : BE_DNAT;
	uint16_t sport = rte_be_to_cpu_16(th->src_port), dport = rte_be_to_cpu_16(th->dst_port);
	uint16_t cport;
	uint32_t client = client_of(flow, &cport);
	int ok;

	if (md == M_PLAIN)
		ok = src == client && dst == PLAIN_DST && dport == VPORT;
	else if (!reply)
		ok = dst >= be && dst < be + N_BE && dport == BE_PORT &&
		     (md == M_DNAT ? src == client && sport == cport :
		      src >= SNAT0 && src < SNAT0 + N_SNAT && sport >= 1024);
	else
		ok = src == (md == M_DNAT ? VIP_DNAT : VIP_FNAT) && sport == VPORT &&
		     dst == client && dport == cport;
	/* A header whose checksum is right sums to 0 (RFC 1071). */
	if (ok && cksum)
		ok = rte_ipv4_cksum(ip) == 0 && rte_ipv4_udptcp_cksum_verify(ip, th) == 0;
	if (!ok)
		fprintf(stderr, "%s%s flow %u: out %08x:%u -> %08x:%u%s\n", mode_name[md],
			reply ? " reply" : "", flow, src, sport, dst, dport,
			cksum ? " (or a bad checksum)" : "");
	return ok;
}

/* What the backend side of `flow` looks like, read from its translated packet. */
static void
learn_peer(struct rte_mbuf *m, enum mode md, uint32_t flow)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	uint32_t be = be32_at(ip, 1) - (md == M_FNAT ? BE_FNAT : BE_DNAT);

	peer[flow] = md == M_FNAT ? be | (be32_at(ip, 0) - SNAT0) << 8 |
				    (uint32_t)rte_be_to_cpu_16(th->src_port) << 16 : be;
}

/*
 * One burst of flows [first, first + BURST) with valid checksums, outside
 * any result: every packet forwarded, translated, checksums right.
 */
static int
check_burst(const struct sk_gen *g, enum mode md, int reply, uint32_t first, uint8_t flags)
{
	struct sk_bench_result scratch;
	struct rte_mbuf **b = env->mbufs;
	uint16_t j;
	int ok = 1;

	memset(&scratch, 0, sizeof(scratch));
	for (j = 0; j < BURST; j++)
		flow_pkt(b[j], md, reply, first + j, flags, 1);
	run_burst(&scratch, g, b, BURST, reply ? IF_IN : IF_OUT);
	for (j = 0; j < BURST && ok; j++)
		ok = check_out(b[j], md, reply, first + j, 1);
	if (scratch.fwd != BURST || scratch.drops != 0) {
		fprintf(stderr, "%s check burst: %" PRIu64 " forwarded, %" PRIu64 " dropped (%s)\n",
			mode_name[md], scratch.fwd, scratch.drops,
			scratch.drops ? sk_drop_names[scratch.drop_reason] : "-");
		ok = 0;
	}
	return ok ? 0 : -EIO;
}

static struct sk_conn_table *
table_for(const char *name, uint32_t slots)
{
	struct sk_conn_table *t = sk_conn_table_create(name, slots, 0);

	if (t == NULL) {
		fprintf(stderr, "conn table of %u slots: %s\n", slots, rte_strerror(rte_errno));
		return NULL;
	}
	sk_conn_set_release(t, sk_wlb_release, &wk);
	wk.conns = t;
	return t;
}

static int
verdict(const struct sk_bench_result *r, uint64_t want_fwd)
{
	sk_bench_print_result(r);
	if (r->drops != 0 || r->fwd != want_fwd) {
		fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " forwarded, %" PRIu64
			" dropped (last reason %s)\n", r->path, r->fwd, want_fwd, r->drops,
			r->drops ? sk_drop_names[r->drop_reason] : "-");
		return -EIO;
	}
	return 0;
}

/*
 * New connections: a SYN per new flow to the VIP (DNAT or full NAT), into
 * an empty table; --repeat rounds, each on a fresh table, best kept.
 */
static int
bench_new(const struct sk_gen *g, enum mode md, uint32_t pkts)
{
	struct sk_bench_result *r, cur;
	char name[32];
	uint32_t done;
	unsigned int rep;
	uint16_t j;
	int rc = 0;

	snprintf(name, sizeof(name), "lb-%s-new", mode_name[md]);
	r = sk_bench_new_result(name, 0, g->n_rules);
	for (rep = 0; rep < env->repeat && rc == 0; rep++) {
		if (table_for("bench_lbn", 2 * pkts + 1024) == NULL)
			return -ENOMEM;
		memset(&cur, 0, sizeof(cur));
		for (done = 0; done < pkts; done += BURST) {
			struct rte_mbuf **b = &env->mbufs[(done / BURST) % (N_MBUFS / BURST) * BURST];

			for (j = 0; j < BURST; j++)
				flow_pkt(b[j], md, 0, done + j, RTE_TCP_SYN_FLAG, 0);
			run_burst(&cur, g, b, BURST, IF_OUT);
		}
		if (cur.drops != 0 || cur.created != pkts)
			rc = -EIO;
		for (j = 0; j < BURST && rc == 0; j++)
			if (!check_out(env->mbufs[((pkts - BURST) / BURST) % (N_MBUFS / BURST) *
						  BURST + j], md, 0, pkts - BURST + j, 0))
				rc = -EIO;
		if (rc == 0)
			rc = check_burst(g, md, 0, pkts, RTE_TCP_SYN_FLAG);
		if (rep == 0 || rc != 0 || cur.cycles < r->cycles) {
			memcpy(cur.path, r->path, sizeof(cur.path));
			cur.rules = g->n_rules;
			cur.lb = 1;
			*r = cur;
		}
		sk_conn_table_free(wk.conns);
		wk.conns = NULL;
	}
	if (verdict(r, pkts) != 0)
		rc = -EIO;
	return rc;
}

/* Established: `conns` connections, then packets in random flow order, one direction. */
static int
bench_est_dir(const struct sk_gen *g, enum mode md, int reply, uint32_t conns, uint32_t rules)
{
	struct sk_bench_result *r, cur;
	char name[32];
	uint64_t done = 0, k = 0;
	uint32_t last[BURST];
	uint16_t j;
	unsigned int rep;

	if (md == M_PLAIN)
		snprintf(name, sizeof(name), "fw-est-svc");
	else
		snprintf(name, sizeof(name), "lb-%s-%s", mode_name[md], reply ? "b2c" : "c2b");
	r = sk_bench_new_result(name, conns, rules);
	/* Best of --repeat rounds over the same table (see bench_pipeline.c). */
	for (rep = 0; rep < env->repeat; rep++) {
		memset(&cur, 0, sizeof(cur));
		for (done = 0; done < env->est_pkts; done += BURST) {
			struct rte_mbuf **b = &env->mbufs[(done / BURST) % (N_MBUFS / BURST) * BURST];

			for (j = 0; j < BURST; j++) {
				last[j] = env->order[k++ % env->order_len] % conns;
				flow_pkt(b[j], md, reply, last[j], RTE_TCP_ACK_FLAG, 0);
			}
			run_burst(&cur, g, b, BURST, reply ? IF_IN : IF_OUT);
		}
		if (rep == 0 || cur.cycles < r->cycles) {
			memcpy(cur.path, r->path, sizeof(cur.path));
			cur.conns = conns;
			cur.rules = rules;
			cur.lb = 1;
			*r = cur;
		}
		if (cur.drops != 0)
			break;
	}
	if (verdict(r, r->pkts) != 0 || r->hits != r->pkts)
		return -EIO;
	done -= BURST;
	for (j = 0; j < BURST; j++)
		if (!check_out(env->mbufs[(done / BURST) % (N_MBUFS / BURST) * BURST + j], md, reply,
			       last[j], 0))
			return -EIO;
	return check_burst(g, md, reply, 0, RTE_TCP_ACK_FLAG);
}

/* Fill a table with `conns` connections through the pipeline, then both directions. */
static int
bench_est(const struct sk_gen *g, enum mode md, uint32_t conns)
{
	struct sk_bench_result fill;
	uint32_t i, slots = md == M_PLAIN ? conns + conns / 8 + 1024 :
				2 * (conns + conns / 8) + 1024;
	uint16_t j, n;
	int rc;

	if (table_for("bench_lbe", slots) == NULL)
		return -ENOMEM;
	memset(&fill, 0, sizeof(fill));
	for (i = 0; i < conns; i += BURST) {
		n = (uint16_t)RTE_MIN((uint32_t)BURST, conns - i);
		for (j = 0; j < n; j++)
			flow_pkt(env->mbufs[j], md, 0, i + j, RTE_TCP_ACK_FLAG, 0);
		run_burst(&fill, g, env->mbufs, n, IF_OUT);
		if (md != M_PLAIN)
			for (j = 0; j < n; j++)
				learn_peer(env->mbufs[j], md, i + j);
	}
	rc = 0;
	if (fill.drops != 0 || sk_conn_count(wk.conns) != conns ||
	    sk_conn_slots_used(wk.conns) != (md == M_PLAIN ? conns : 2 * conns)) {
		fprintf(stderr, "%s fill: %u connections in %u slots, wanted %u (%" PRIu64
			" dropped)\n", mode_name[md], sk_conn_count(wk.conns),
			sk_conn_slots_used(wk.conns), conns, fill.drops);
		rc = -EIO;
	}
	if (rc == 0)
		rc = bench_est_dir(g, md, 0, conns, g->n_rules);
	if (rc == 0 && md != M_PLAIN)
		rc = bench_est_dir(g, md, 1, conns, g->n_rules);
	sk_conn_table_free(wk.conns);
	wk.conns = NULL;
	return rc;
}

int
sk_bench_lb(const struct sk_bench_env *e, uint32_t rules, int est, const char *only,
	    double nat_bpc[3])
{
	static const uint32_t sizes[3] = { 1000, 100000, 1000000 };
	char *text = lb_config_text(rules);
	struct sk_gen *g;
	double build_s;
	unsigned int k;
	int rc = 0;

	env = e;
	if (text == NULL)
		return -ENOMEM;
	g = sk_bench_build_gen(text, &build_s);
	free(text);
	if (g == NULL)
		return -EINVAL;
	printf("# load balancer: %u rules, %u services x %u backends, generation built in %.3f s\n",
	       rules, g->n_services, N_BE, build_s);
	sk_dp.n_workers = 1;
	memset(&wk, 0, sizeof(wk));
	wk.now_ms = 1000;
	wk.cur_gen = g;
	peer = calloc(sizes[2], sizeof(*peer));
	if (peer == NULL) {
		sk_gen_free(g);
		return -ENOMEM;
	}
	if (only == NULL || strcmp(only, "lb") == 0 || strcmp(only, "lb-new") == 0) {
		for (k = M_DNAT; k <= M_FNAT && rc == 0; k++)
			rc = bench_new(g, (enum mode)k, e->new_pkts);
	}
	if (est && (only == NULL || strcmp(only, "lb") == 0 || strcmp(only, "lb-est") == 0)) {
		for (k = 0; k < 3 && rc == 0; k++) {
			rc = bench_est(g, M_DNAT, sizes[k]);
			if (rc == 0)
				rc = bench_est(g, M_FNAT, sizes[k]);
			nat_bpc[k] = 2 * sk_bench_table_bytes(2 * sizes[k]);
			printf("# %u NAT connections: %.1f bytes of heap per connection"
			       " (two slots; table of exactly %u slots)\n", sizes[k], nat_bpc[k],
			       2 * sizes[k]);
		}
		/* The firewall's established path with services configured. */
		if (rc == 0)
			rc = bench_est(g, M_PLAIN, sizes[2]);
	}
	free(peer);
	peer = NULL;
	wk.cur_gen = NULL;
	sk_gen_free(g);
	return rc;
}
