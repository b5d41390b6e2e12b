/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c - the per-worker pipeline, one stage at a time over a burst:
 * parse all -> classify L2/L3 (local, route) -> connection lookup for all ->
 * policy (rte_acl) for all misses -> forward.  Run to completion: no locks,
 * no syscalls, no allocation but mbufs, no logging.  Every packet leaves
 * through exactly one door: transmitted (forwarded), consumed by the unit,
 * handed to the main lcore, or dropped under a named reason.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_malloc.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "ha/ha_dp.h"
#include "dp.h"
#include "fwd.h"
#include "pkt/pkt_parse.h"
#include "frag/frag.h"
#include "conn/conn.h"
#include "acl/acl.h"
#include "route/route.h"
#include "neigh/neigh.h"
#include "local/local.h"
#include "log/log.h"
#include "lb/lb_svc.h"
#include "hctap/hctap.h"
#include "spoof/spoof.h"
#include "sync/sync.h"
#include "wlb.h"
#include "wicmp.h"
#include "pkt/pkt_icmperr.h"
#include "wlimit.h"
#include "limit/top.h"
#include "decide/decide.h"
#include "synproxy/synproxy_dp.h"

#define ERR_TOKENS_MAX 200u /* burst of ICMP errors/RSTs a worker may send... */
#define ERR_TOKENS_PER_MS 1u/* ...refilled at 1000/s: reject must not amplify a flood */

#define ICMP4_UNREACH 3
#define ICMP4_UNREACH_NET 0
#define ICMP4_UNREACH_HOST 1
#define ICMP4_UNREACH_NEEDFRAG 4
#define ICMP4_UNREACH_ADMIN 13
#define ICMP4_TIMXCEED 11
#define ICMP6_UNREACH 1
#define ICMP6_UNREACH_NOROUTE 0
#define ICMP6_UNREACH_ADMIN 1
#define ICMP6_UNREACH_ADDR 3
#define ICMP6_TOOBIG 2
#define ICMP6_TIMXCEED 3

static inline void
drop(struct sk_worker *w, struct rte_mbuf *m, enum sk_drop_reason reason)
{
	sk_stats_drop(w->stats, reason);
	/* Who is being refused (limit/top.h): policy and limit drops only. */
	if (unlikely(sk_top_denied(reason)) && w->top != NULL) {
		const struct sk_pkt_meta *pm = sk_pkt_meta(m);

		sk_top_note_src(w->top, SK_TOP_DENIED, pm->family, pm->src);
	}
	rte_pktmbuf_free(m);
}

static int
err_allowed(struct sk_worker *w)
{
	uint32_t dt = w->now_ms - w->err_ms;

	if (dt != 0) {
		w->err_tokens = RTE_MIN(ERR_TOKENS_MAX, w->err_tokens + dt * ERR_TOKENS_PER_MS);
		w->err_ms = w->now_ms;
	}
	if (w->err_tokens == 0) {
		w->stats->local[SK_LOCAL_ERRORS_LIMITED]++;
		return 0;
	}
	w->err_tokens--;
	return 1;
}

/* Answer m (not consumed) with an ICMP error out of its ingress port. */
static void
send_icmp_error(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
		uint8_t t4, uint8_t c4, uint8_t t6, uint8_t c6, uint32_t info)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *ifc = &g->ifaces[pm->in_iface];
	struct rte_mbuf *r;

	if (!err_allowed(w))
		return;
	r = pm->family == 4 ? sk_local_icmp_error(sk_dp.pool, m, ifc, t4, c4, info)
			    : sk_local_icmp_error(sk_dp.pool, m, ifc, t6, c6, info);
	if (r == NULL)
		return;
	w->stats->local[SK_LOCAL_ICMP_ERRORS]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, r);
}

static void
send_reject(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_mbuf *r;

	if (pm->proto != IPPROTO_TCP) {
		send_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_ADMIN,
				ICMP6_UNREACH, ICMP6_UNREACH_ADMIN, 0);
		return;
	}
	if (!err_allowed(w))
		return;
	r = sk_local_tcp_rst(sk_dp.pool, m, &g->ifaces[pm->in_iface]);
	if (r == NULL)
		return;
	w->stats->local[SK_LOCAL_TCP_RESETS]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, r);
}

static void
to_slow_path(struct sk_worker *w, struct rte_mbuf *m, uint8_t why)
{
	sk_pkt_meta(m)->exc = why;
	if (rte_ring_enqueue(sk_dp.exc_ring, m) != 0) /* RTS producers: main.c */
		drop(w, m, SK_DROP_EXCEPTION_FULL);
}

/* Transmit a forwarded packet whose TTL and MTU are settled. */
static void
fwd_tx(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *out = &g->ifaces[pm->out_iface];
	struct rte_ether_addr mac;
	int rc;

	rc = sk_neigh_lookup(sk_dp.neigh, pm->out_iface, pm->family, pm->nexthop, &mac);
	if (likely(rc == 0)) {
		sk_fwd_l2(m, &out->mac, &mac);
		w->stats->forwarded++;
		rte_eth_tx_buffer(out->port_id, w->idx, w->txb[out->port_id], m);
		return;
	}
	if (rc == -EHOSTUNREACH) {
		send_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_HOST,
				ICMP6_UNREACH, ICMP6_UNREACH_ADDR, 0);
		drop(w, m, SK_DROP_NEIGH_FAILED);
		return;
	}
	/* Unknown or being resolved: the main lcore queues it and probes. */
	to_slow_path(w, m, SK_EXC_RESOLVE);
}

/* TTL, MTU (fragment or refuse), then transmit. */
static void
forward(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *out = &g->ifaces[pm->out_iface];
	enum sk_fwd f = sk_decide_fwd(g, m, pm);
	struct rte_mbuf *frags[16];
	int i, n;

	if (unlikely(f == SK_FWD_TTL_EXCEEDED)) {
		send_icmp_error(w, g, m, ICMP4_TIMXCEED, 0, ICMP6_TIMXCEED, 0, 0);
		drop(w, m, SK_DROP_TTL_EXCEEDED);
		return;
	}
	sk_fwd_dec_ttl(m, pm);
	if (likely(f == SK_FWD_SEND)) {
		fwd_tx(w, g, m);
		return;
	}
	n = f == SK_FWD_TOO_BIG ? -EMSGSIZE :
	    sk_frag_fragment(m, out->mtu, frags, RTE_DIM(frags), sk_dp.pool);
	if (n < 0) {
		/* DF set or IPv6: tell the sender the path MTU (PMTUD). */
		send_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG,
				ICMP6_TOOBIG, 0, out->mtu);
		drop(w, m, n == -EMSGSIZE ? SK_DROP_MTU_EXCEEDED : SK_DROP_NO_MBUF);
		return;
	}
	w->stats->frag_fragmented++;
	/* One packet in, n out: count n-1 extra "forwarded" against one rx. */
	w->stats->forwarded -= (uint64_t)(n - 1);
	for (i = 0; i < n; i++)
		fwd_tx(w, g, frags[i]);
}

/* Accepted and addressed to the unit. */
static void
local_deliver(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);

	if (!sk_decide_is_echo(pm)) {
		/* Management services arrive with the control plane. */
		drop(w, m, SK_DROP_LOCAL_UNHANDLED);
		return;
	}
	sk_local_echo_reply(m, &g->ifaces[pm->in_iface].mac);
	w->stats->consumed++;
	w->stats->local[SK_LOCAL_ECHO_REPLIES]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, m);
}

/*
 * Act on the destination decision (decide.h) for m: local, service and
 * routed go on (1); broadcast is dropped, no route answered with an ICMP
 * error and dropped (0).
 */
static int
dst_act(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, enum sk_gen_dst dst)
{
	switch (dst) {
	case SK_GEN_DST_BROADCAST:
		drop(w, m, SK_DROP_IP_BROADCAST);
		return 0;
	case SK_GEN_DST_NO_ROUTE:
		send_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_NET,
				ICMP6_UNREACH, ICMP6_UNREACH_NOROUTE, 0);
		drop(w, m, SK_DROP_NO_ROUTE);
		return 0;
	case SK_GEN_DST_LOCAL:
	case SK_GEN_DST_ROUTED:
	case SK_GEN_DST_SERVICE:
		break;
	}
	return 1;
}

/* Admission's destination decision.  1 to go on, 0 when m was dealt with. */
static int
admit_route(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_route_result rr;

	return dst_act(w, g, m, sk_decide_dst(g, sk_pkt_meta(m), &rr));
}

/*
 * The deferred destination stage of a packet to a VIP or SNAT address
 * (pm->dst_late, sk_decide_dst_late): left to the connection lookup's miss,
 * or to a hit that needs it (sk_wlb_hit_needs_admit()): a NAT connection's
 * own packets need neither.  1 to go on, 0 when m was dealt with; the same
 * outcome as if admit() had done it.
 */
static int
late_admit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_route_result rr;

	return dst_act(w, g, m, sk_decide_dst_late(g, sk_pkt_meta(m), &rr));
}

/*
 * Stage 1 for one packet: L2/L3 admission, fragments, local vs route.
 * Returns the (possibly reassembled) packet to go on with, or NULL when it
 * was dealt with here.
 */
static struct rte_mbuf *
admit(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
      struct rte_mbuf *m, uint64_t tsc)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *in = &g->ifaces[iface];
	enum sk_drop_reason spoofed;
	uint8_t why;

	if (unlikely(pm->kind == SK_PKT_DROP)) {
		drop(w, m, pm->drop);
		return NULL;
	}
	sk_decide_ingress(pm, port, iface, in->zone, 0);
	if (unlikely(pm->vlan != in->vlan)) {
		drop(w, m, SK_DROP_L2_VLAN_UNKNOWN);
		return NULL;
	}
	if (unlikely(pm->kind == SK_PKT_ARP)) {
		to_slow_path(w, m, SK_EXC_ARP);
		return NULL;
	}
	if (unlikely(pm->frag != SK_FRAG_NONE)) {
		m = sk_frag_reassemble(w->frag, m, tsc, &why);
		if (m == NULL) {
			if (why != SK_FRAG_KEPT)
				sk_stats_drop(w->stats, why);
			return NULL;
		}
		w->stats->frag_reassembled++;
		/* k fragments became one datagram: k-1 leave the accounting here. */
		w->stats->frag_merged += (uint64_t)(m->nb_segs - 1);
		/* The datagram's head may be another fragment's mbuf. */
		pm = sk_pkt_meta(m);
		sk_decide_ingress(pm, port, iface, in->zone, 1);
	}
	if (unlikely(sk_decide_is_nd(pm))) {
		to_slow_path(w, m, SK_EXC_ND);
		return NULL;
	}
	/* HA pair: the heartbeat to the main lcore; a non-active unit keeps
	 * only what is addressed to its own per-unit addresses (ha/ha_dp.h). */
	if (unlikely(g->ha != NULL)) {
		switch (sk_ha_admit(g, pm, w->ha_fence)) {
		case SK_HA_TO_MAIN:
			to_slow_path(w, m, SK_EXC_HA);
			return NULL;
		case SK_HA_DROP:
			drop(w, m, SK_DROP_HA_STANDBY);
			return NULL;
		case SK_HA_PASS:
			break;
		}
	}
	if (unlikely(sk_decide_ip_opts(in, pm) != SK_DROP_NONE)) {
		drop(w, m, SK_DROP_IP_OPTIONS);
		return NULL;
	}
	spoofed = sk_spoof_check(g, pm, iface, NULL);
	if (unlikely(spoofed != SK_DROP_NONE)) {
		drop(w, m, spoofed);
		return NULL;
	}
	/* A VIP or SNAT destination waits for the connection lookup. */
	if (sk_decide_lb_defer(g, pm))
		return m;
	return admit_route(w, g, m) ? m : NULL;
}

/* A SYN proxy verdict (synproxy_dp.h): 1 when m was dealt with (sent or dropped). */
static inline int
sp_done(struct sk_worker *w, struct rte_mbuf *m, enum sk_synproxy_verdict v,
	const enum sk_drop_reason *why)
{
	if (likely(v == SK_SP_GO))
		return 0;
	if (v == SK_SP_DROP)
		drop(w, m, *why);
	return 1;
}

/* A log record for a rule (or zone default) with `log`; never waits. */
static void
log_pkt(struct sk_worker *w, const struct sk_gen *g, const struct rte_mbuf *m, uint8_t kind,
	uint32_t rule)
{
	if (sk_log_emit(w->log_ring, sk_pkt_meta((struct rte_mbuf *)(uintptr_t)m), kind,
			rule != 0 ? g->rules[rule - 1].id : 0, (uint32_t)g->id,
			(uint16_t)RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)UINT16_MAX),
			rte_rdtsc()) != 0)
		w->stats->local[SK_LOCAL_LOG_DROPPED]++;
}

/*
 * A connection admitted by an older generation meets the running one: ask
 * the new policy about the connection's original direction.  Still accepted
 * -> adopt the new generation (and rule); otherwise the caller cuts it.
 * Runs once per connection per commit, so a reload costs no steady-state work.
 */
static int
recheck(const struct sk_gen *g, struct sk_conn *c, const struct sk_pkt_meta *pm,
	enum sk_conn_dir dir)
{
	struct sk_pkt_meta q = *pm;
	struct sk_verdict v;

	if (dir == SK_DIR_REPLY) {
		memcpy(q.src, pm->dst, 16);
		memcpy(q.dst, pm->src, 16);
		q.sport = pm->dport;
		q.dport = pm->sport;
		q.in_zone = pm->out_zone;
		q.out_zone = pm->in_zone;
		if (pm->proto == IPPROTO_ICMP && pm->icmp_type == RTE_IP_ICMP_ECHO_REPLY)
			q.icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		else if (pm->proto == IPPROTO_ICMPV6 && pm->icmp_type == 129)
			q.icmp_type = 128;
	}
	v = sk_decide_classify(g, &q);
	if (v.action != SK_ACT_ACCEPT)
		return 0;
	c->gen = (uint32_t)g->id;
	c->rule_id = v.rule_id;
	return 1;
}

/* A new flow's verdict from its rule, or from the zone pair's default. */
static void hit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
		struct sk_conn *c, uint8_t src_is_a);

static void
decide(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, uint32_t rule,
       const struct sk_conn_key *key, uint8_t src_is_a, const struct sk_wlb_new *nw)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_verdict v = sk_decide_verdict(g, rule, pm->in_zone, pm->out_zone);

	/* Policy saw the translated packet; the rest (logs, RST, ICMP) the
	 * client's own. */
	if (nw != NULL)
		sk_wlb_restore(pm, nw);
	if (rule != 0) {
		struct sk_rule_ctr *rc = &g->rule_ctr[(size_t)w->idx * g->n_rules + rule - 1];

		rc->pkts++;
		rc->bytes += rte_pktmbuf_pkt_len(m);
	} else {
		w->stats->default_pkts++;
	}
	if (unlikely(v.log))
		log_pkt(w, g, m, v.action == SK_ACT_ACCEPT ? SK_LOG_ACCEPT :
			v.action == SK_ACT_REJECT ? SK_LOG_REJECT : SK_LOG_DROP, rule);
	if (v.action == SK_ACT_ACCEPT) {
		struct sk_synproxy_open spo = { .on = 0 };
		enum sk_drop_reason why = SK_DROP_NONE;
		struct sk_conn *nc;

		/* SYN proxy (synproxy_dp.h): a SYN answered with a cookie, a
		 * cookie ACK turned into the SYN to the server. */
		if (pm->proto == IPPROTO_TCP && (pm->out_zone != SK_ZONE_LOCAL || nw != NULL)) {
			enum sk_synproxy_verdict spv = sk_synproxy_new(w, g, m, rule, &spo, &why);

			/* An answered SYN still opens a flow as far as `top` is
			 * concerned: a proxied flood stays visible. */
			if (spv == SK_SP_DONE && w->top != NULL)
				sk_top_note_src(w->top, SK_TOP_NEW, pm->family, pm->src);
			if (sp_done(w, m, spv, &why))
				return;
		}
		if (pm->out_zone != SK_ZONE_LOCAL || nw != NULL) {
			if (w->top != NULL)
				sk_top_note_src(w->top, SK_TOP_NEW, pm->family, pm->src);
			/* Limits on new connections (wlimit.h): before anything is created. */
			why = sk_wlimit_admit(w, g, pm, rule);
			if (unlikely(why != SK_DROP_NONE)) {
				/* A retransmission in the burst that created the
				 * connection missed the bulk lookup: not a new one. */
				nc = sk_conn_lookup(w->conns, key);
				if (nc != NULL) {
					hit(w, g, m, nc, src_is_a);
					return;
				}
				drop(w, m, why);
				return;
			}
		}
		if (nw != NULL) {
			if (sk_wlb_create(w, g, m, key, src_is_a, nw, v.rule_id, &why) == -EEXIST) {
				hit(w, g, m, sk_conn_lookup(w->conns, key), src_is_a);
				return;
			}
			if (why != SK_DROP_NONE) {
				drop(w, m, why);
				return;
			}
			if (unlikely(sk_wlimit_counts(g, rule) || spo.on) &&
			    (nc = sk_conn_lookup(w->conns, key)) != NULL) {
				if (sk_wlimit_counts(g, rule))
					sk_wlimit_created(w, sk_conn_primary(w->conns, nc), pm);
				if (spo.on)
					sk_synproxy_opened(w, nc, &spo);
			}
			forward(w, g, m);
			return;
		}
		if (pm->out_zone == SK_ZONE_LOCAL) {
			local_deliver(w, g, m);
			return;
		}
		nc = sk_conn_create(w->conns, key, src_is_a, pm, w->now_ms, v.rule_id,
				    (uint32_t)g->id);
		if (nc != NULL && unlikely(sk_wlimit_counts(g, rule)))
			sk_wlimit_created(w, nc, pm);
		if (nc != NULL && unlikely(spo.on))
			sk_synproxy_opened(w, nc, &spo);
		if (nc == NULL) {
			struct sk_conn *c;

			/* Two packets of one new flow in the same burst: the first
			 * created it after the bulk lookup missed for both. */
			c = rte_errno == EEXIST ? sk_conn_lookup(w->conns, key) : NULL;
			if (c == NULL) {
				drop(w, m, SK_DROP_CONN_TABLE_FULL);
				return;
			}
			int rc = sk_conn_update(w->conns, c, pm, sk_conn_dir(c, src_is_a),
						rte_pktmbuf_pkt_len(m), w->now_ms);
			if (rc != 0) {
				drop(w, m, (unsigned int)rc);
				return;
			}
		}
		forward(w, g, m);
		return;
	}
	if (v.action == SK_ACT_REJECT)
		send_reject(w, g, m);
	drop(w, m, sk_decide_verdict_drop(&v));
}

/* A packet of an existing connection (c never NULL). */
static void
hit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, struct sk_conn *c,
    uint8_t src_is_a)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	enum sk_drop_reason why = SK_DROP_NONE;
	enum sk_conn_dir dir;
	int rc;

	if (unlikely(pm->dst_late) && sk_wlb_hit_needs_admit(g, pm, c, src_is_a) &&
	    !late_admit(w, g, m))
		return;
	/* An earlier packet of this burst may have cut it (recheck, a disabled
	 * backend): the bulk lookup's pointer is stale then. */
	if (unlikely(!(c->flags & SK_CONN_F_LIVE))) {
		drop(w, m, SK_DROP_POLICY_REVOKED);
		return;
	}
	if (unlikely(c->sp != SK_CONN_SP_NONE) &&
	    sp_done(w, m, sk_synproxy_hit(w, g, m, c, src_is_a, &why), &why))
		return;
	if (unlikely(c->nat != 0)) {
		rc = sk_wlb_hit(w, g, m, c, src_is_a);
		if (unlikely(rc != 0)) {
			drop(w, m, (unsigned int)rc);
			return;
		}
		forward(w, g, m);
		return;
	}
	dir = sk_conn_dir(c, src_is_a);
	if (unlikely(c->gen != (uint32_t)g->id)) {
		if (!recheck(g, c, pm, dir)) {
			sk_conn_delete(w->conns, c);
			drop(w, m, SK_DROP_POLICY_REVOKED);
			return;
		}
	}
	if (unlikely(pm->lb_svc != 0)) {
		/* A plain connection to an address that became a VIP later:
		 * admit left it unrouted. */
		rc = sk_wlb_route(g, pm);
		if (rc != 0) {
			drop(w, m, (unsigned int)rc);
			return;
		}
	}
	rc = sk_conn_update(w->conns, c, pm, dir, rte_pktmbuf_pkt_len(m), w->now_ms);
	if (unlikely(rc != 0)) {
		drop(w, m, (unsigned int)rc);
		return;
	}
	forward(w, g, m);
}

/* Give m to the worker that owns its flow (wlb.h). */
static void
handoff(struct sk_worker *w, struct rte_mbuf *m, uint16_t owner)
{
	sk_pkt_meta(m)->handoff = 1;
	sk_pkt_meta(m)->gen = (uint32_t)w->cur_gen->id;
	if (rte_ring_enqueue(sk_dp.workers[owner].handoff, m) != 0) {
		drop(w, m, SK_DROP_HANDOFF_FULL);
		return;
	}
	w->stats->handoff_out++;
}

/*
 * A packet no connection of this worker knows.  Returns 1 when it goes on
 * to policy (with *nw filled for a new connection to a service), 0 when it
 * was dealt with here.
 */
static int
miss(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, struct sk_wlb_new *nw,
     int *is_lb)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	enum sk_new_flow nf;
	uint16_t owner;
	int rc;

	*is_lb = 0;
	if (pm->dst_late && !late_admit(w, g, m))
		return 0;
	if (g->n_services != 0) {
		owner = sk_wlb_owner(w, g, pm);
		if (owner != w->idx) {
			handoff(w, m, owner);
			return 0;
		}
	}
	nf = sk_decide_new_flow(g, pm);
	/* SYN proxy (synproxy_dp.h): counts new SYNs for the automatic mode;
	 * a bare ACK that may carry a cookie goes to policy instead of
	 * tcp_out_of_state. */
	if (pm->proto == IPPROTO_TCP && nf != SK_NEW_FLOW_HEALTH && nf != SK_NEW_FLOW_NAT_STRAY &&
	    sk_synproxy_miss(w, g, pm))
		nf = SK_NEW_FLOW_POLICY;
	if (unlikely(nf != SK_NEW_FLOW_POLICY)) {
		if (nf == SK_NEW_FLOW_HEALTH)
			to_slow_path(w, m, SK_EXC_HEALTH);
		else
			drop(w, m, sk_decide_new_flow_drop(nf));
		return 0;
	}
	if (pm->lb_svc != 0) {
		rc = sk_wlb_prepare(w, g, pm, nw);
		if (rc != 0) {
			drop(w, m, (unsigned int)rc);
			return 0;
		}
		*is_lb = 1;
	}
	return 1;
}

/* Stages 2 and 3: connection lookup for a burst, policy for the misses. */
static void
lookup_decide(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf **ip, uint16_t n_ip)
{
	struct rte_mbuf *miss_m[SK_BURST_MAX];
	struct sk_pkt_meta *miss_meta[SK_BURST_MAX];
	struct sk_conn_key keys[SK_BURST_MAX], miss_keys[SK_BURST_MAX];
	uint8_t src_is_a[SK_BURST_MAX], miss_sia[SK_BURST_MAX], miss_lb[SK_BURST_MAX];
	struct sk_wlb_new nw[SK_BURST_MAX];
	struct sk_conn *conns[SK_BURST_MAX];
	uint32_t rules[SK_BURST_MAX];
	uint16_t i, n_miss = 0;
	int is_lb;

	if (unlikely(n_ip == 0))
		return; /* (callers never pass 0; tells gcc keys[] is written) */
	for (i = 0; i < n_ip; i++)
		sk_conn_key_from_meta(sk_pkt_meta(ip[i]), &keys[i], &src_is_a[i]);
	sk_conn_lookup_burst(w->conns, keys, n_ip, conns);
	/* NAT hits read the other half's key next: start those loads now. */
	if (g->n_services != 0)
		for (i = 0; i < n_ip; i++)
			if (conns[i] != NULL)
				sk_conn_prefetch_peer(w->conns, conns[i]);

	for (i = 0; i < n_ip; i++) {
		if (conns[i] != NULL) {
			hit(w, g, ip[i], conns[i], src_is_a[i]);
			continue;
		}
		if (!miss(w, g, ip[i], &nw[n_miss], &is_lb))
			continue;
		miss_m[n_miss] = ip[i];
		miss_meta[n_miss] = sk_pkt_meta(ip[i]);
		miss_keys[n_miss] = keys[i];
		miss_sia[n_miss] = src_is_a[i];
		miss_lb[n_miss] = (uint8_t)is_lb;
		n_miss++;
	}
	if (n_miss == 0)
		return;
	if (g->n_services != 0)
		sk_wlb_warm(w, g, miss_meta, nw, miss_lb, n_miss);

	/* Stage 3: policy for all misses at once, then act on each verdict. */
	sk_acl_classify_burst(g->acl, miss_meta, n_miss, rules);
	for (i = 0; i < n_miss; i++)
		decide(w, g, miss_m[i], rules[i], &miss_keys[i], miss_sia[i],
		       miss_lb[i] ? &nw[i] : NULL);
}

/* ICMP errors of a burst, after its other packets (wicmp.h); those about
 * no connection, to the unit itself, then go on like any packet. */
static void
icmp_errors(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf **errs, uint16_t n)
{
	enum sk_drop_reason why;
	uint16_t i, to, n_own = 0;

	for (i = 0; i < n; i++) {
		switch (sk_wicmp_relate(w, g, errs[i], &to, &why)) {
		case SK_WICMP_FORWARD:
			forward(w, g, errs[i]);
			break;
		case SK_WICMP_HANDOFF:
			handoff(w, errs[i], to);
			break;
		case SK_WICMP_ORDINARY:
			errs[n_own++] = errs[i];
			break;
		default:
			drop(w, errs[i], why);
		}
	}
	if (n_own != 0)
		lookup_decide(w, g, errs, n_own);
}

/* Stages 2 and 3 for packets admitted on this worker or handed over to it;
 * ICMP errors after the rest, so that one about a connection the burst
 * opened finds it. */
static void
process_admitted(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf **ip, uint16_t n_ip)
{
	struct rte_mbuf *errs[SK_BURST_MAX];
	uint16_t i, n = 0, n_err = 0;

	for (i = 0; i < n_ip; i++) {
		if (likely(!sk_icmperr_is(sk_pkt_meta(ip[i]))))
			ip[n++] = ip[i];
		else
			errs[n_err++] = ip[i];
	}
	if (likely(n != 0))
		lookup_decide(w, g, ip, n);
	if (unlikely(n_err != 0))
		icmp_errors(w, g, errs, n_err);
}

static void
process_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
	      struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	struct rte_mbuf *ip[SK_BURST_MAX];
	uint16_t i, n_ip = 0;

	/* Stage 1: parse everything, then admit (L2/L3, fragments, routing). */
	sk_pkt_parse_burst(pkts, n, &g->ifaces[iface].mac);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = admit(w, g, port, iface, pkts[i], tsc);

		if (m != NULL)
			ip[n_ip++] = m;
	}
	if (n_ip != 0)
		process_admitted(w, g, ip, n_ip);
}

/*
 * A packet handed over across a commit: the sender admitted it under
 * another generation, whose route and service indices mean nothing here.
 * Admit its destination again under g (as admit() would); it stays on this
 * worker (pm->handoff), so a commit never bounces it between workers.
 * 1 to go on, 0 when m was dealt with.
 */
static int
readmit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);

	w->stats->handoff_readmit++;
	pm->in_zone = g->ifaces[pm->in_iface].zone;
	if (sk_decide_lb_defer(g, pm))
		return 1;
	return admit_route(w, g, m);
}

/* Packets other workers handed over: admitted already, straight to stage 2. */
static uint16_t
drain_handoff(struct sk_worker *w, const struct sk_gen *g)
{
	struct rte_mbuf *pkts[SK_BURST_MAX];
	unsigned int n, i, k;

	if (w->handoff == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, SK_BURST_MAX, NULL);
	if (n == 0)
		return 0;
	w->stats->handoff_in += n;
	for (i = 0; i < n; i++)
		if (unlikely(sk_pkt_meta(pkts[i])->gen != (uint32_t)g->id))
			break;
	if (likely(i == n)) {
		process_admitted(w, g, pkts, (uint16_t)n);
		return (uint16_t)n;
	}
	/* a commit between the sender's admission and ours: the rare path */
	for (i = 0, k = 0; i < n; i++)
		if (sk_pkt_meta(pkts[i])->gen == (uint32_t)g->id || readmit(w, g, pkts[i]))
			pkts[k++] = pkts[i];
	if (k != 0)
		process_admitted(w, g, pkts, (uint16_t)k);
	return (uint16_t)n;
}

static void
tx_drop_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct sk_stats_lcore *st = userdata;

	st->drops[SK_DROP_TX_FULL] += count;
	st->forwarded -= count;
	rte_pktmbuf_free_bulk(unsent, count);
}

void
sk_dp_tx_one(struct sk_stats_lcore *st, uint16_t port, uint16_t queue, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(port, queue, &m, 1) != 1) {
		st->local[SK_LOCAL_TX_FAILED]++;
		rte_pktmbuf_free(m);
	}
}

void
sk_dp_main_tx(struct sk_stats_lcore *st, uint16_t port, struct rte_mbuf *m)
{
	m->port = port;
	if (rte_ring_sp_enqueue(sk_dp.workers[0].main_tx, m) != 0) {
		st->local[SK_LOCAL_TX_FAILED]++;
		rte_pktmbuf_free(m);
	}
}

/* Send what the main lcore queued for this worker's TX queues. */
static void
drain_main_tx(struct sk_worker *w)
{
	struct rte_mbuf *m[32];
	unsigned int n, i;

	if (w->main_tx == NULL)
		return;
	n = rte_ring_sc_dequeue_burst(w->main_tx, (void **)m, RTE_DIM(m), NULL);
	for (i = 0; i < n; i++)
		sk_dp_tx_one(&sk_dp.stats[sk_dp.n_workers], m[i]->port, w->idx, m[i]);
}

static int
worker_init(struct sk_worker *w)
{
	uint16_t p;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rte_eth_dev_is_valid_port(p))
			continue;
		w->txb[p] = rte_zmalloc_socket("sk_txb", RTE_ETH_TX_BUFFER_SIZE(SK_BURST_MAX), 0,
					       (int)rte_socket_id());
		if (w->txb[p] == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(w->txb[p], SK_BURST_MAX);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_drop_cb, w->stats);
	}
	w->err_tokens = ERR_TOKENS_MAX;
	w->nat_rss = sk_dp.nat_rss;
	sk_synproxy_worker_init(w);
	sk_conn_set_release(w->conns, sk_wlimit_release, w);
	/* HA pair: connection events become sync records (a table hook). */
	w->sync = sk_sync_worker_attach(w->idx, w->conns);
	return 0;
}

int
sk_worker_main(void *arg)
{
	struct sk_worker *w = arg;
	struct rte_mbuf *pkts[SK_BURST_MAX];
	uint16_t i, p, n;
	uint64_t t0, t1;
	uint32_t idle = 0, got;

	if (worker_init(w) != 0)
		return -ENOMEM;
	rte_rcu_qsbr_thread_register(sk_dp.qs, w->idx);
	rte_rcu_qsbr_thread_online(sk_dp.qs, w->idx);
	while (!__atomic_load_n(&sk_dp.quit, __ATOMIC_RELAXED)) {
		const struct sk_gen *g = sk_dp_gen();
		uint16_t burst = (uint16_t)g->st->burst;

		w->now_ms = sk_dp_now_ms();
		w->cur_gen = g;
		w->ha_fence = sk_ha_fence(g);
		if (unlikely(w->sync != NULL))
			sk_sync_poll(w->sync, g, w->now_ms, g->ha != NULL && !w->ha_fence);
		got = drain_handoff(w, g);
		for (i = 0; i < w->n_rxp; i++) {
			p = w->rxp[i].port;
			n = rte_eth_rx_burst(p, w->idx, pkts, burst);
			if (n == 0)
				continue;
			got += n;
			t0 = rte_rdtsc();
			process_burst(w, g, p, w->rxp[i].iface, pkts, n, t0);
			/* SYN proxy answers leave with their burst (synproxy_dp.h). */
			if (unlikely(w->sp.tx_pending))
				sk_synproxy_flush(w, p);
			t1 = rte_rdtsc();
			w->stats->busy_cycles += t1 - t0;
			w->stats->busy_pkts += n;
		}
		drain_main_tx(w);
		for (p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (w->txb[p] != NULL)
				rte_eth_tx_buffer_flush(p, w->idx, w->txb[p]);
		if (unlikely(sk_wcmd_pending(&w->cmds))) {
			struct sk_wcmd_ctx ctx = { .conns = w->conns, .now_ms = w->now_ms,
						   .worker = w->idx };

			/* A budget per loop: no command stalls the queues. */
			got += sk_wcmd_poll(&w->cmds, &ctx, SK_WCMD_BUDGET);
		}
		sk_conn_age(w->conns, w->now_ms, 32);
		if (w->top != NULL)
			sk_top_tick(w->top, w->now_ms, w->stats->drops);
		uint32_t expired = sk_frag_expire(w->frag);
		w->stats->drops[SK_DROP_FRAG_TIMEOUT] += expired;
		/* Between bursts this worker holds no reference to a generation. */
		rte_rcu_qsbr_quiescent(sk_dp.qs, w->idx);
		/* Optional nap when idle, for units that share their cores (a lab
		 * VM): never taken while traffic flows, so throughput is unchanged. */
		idle = got != 0 ? 0 : idle + 1;
		if (unlikely(idle >= 256 && g->st->idle_sleep_us != 0)) {
			rte_delay_us_sleep(g->st->idle_sleep_us);
			idle = 0;
		}
	}
	/* The final ledger (stats file, last telemetry) must account for
	 * fragments still waiting for their datagram: timed out ones under
	 * their own reason, the rest as held at stop. */
	w->stats->drops[SK_DROP_FRAG_TIMEOUT] += sk_frag_expire(w->frag);
	w->stats->drops[SK_DROP_FRAG_HELD_AT_STOP] += sk_frag_flush(w->frag);
	w->cur_gen = NULL;
	rte_rcu_qsbr_thread_offline(sk_dp.qs, w->idx);
	rte_rcu_qsbr_thread_unregister(sk_dp.qs, w->idx);
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		rte_free(w->txb[p]);
	return 0;
}

/*
 * The loop's pieces without the loop and without a PMD, for code that hands
 * a worker mbufs itself (tests/fuzz/fuzz_pipeline.c): the same init and the
 * same burst function sk_worker_main runs.  The caller owns the clock
 * (w->now_ms), the TX buffers of ports that are not real DPDK ports, and
 * what lands on the slow-path ring.
 */
int
sk_worker_prepare(struct sk_worker *w)
{
	int rc = sk_synproxy_dp_init();

	return rc != 0 ? rc : worker_init(w);
}

void
sk_worker_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	w->cur_gen = g;
	w->ha_fence = sk_ha_fence(g);
	process_burst(w, g, port, iface, pkts, n, tsc);
}

/* The loop's handoff step alone (tests/unit/test_readmit.c: a commit lands
 * between the sender's admission and this drain). */
uint16_t
sk_worker_drain(struct sk_worker *w, const struct sk_gen *g)
{
	w->cur_gen = g;
	w->ha_fence = sk_ha_fence(g);
	return drain_handoff(w, g);
}
