/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_flow.c - stages 2 and 3 of a burst, for admitted packets: the
 * connection lookup in bulk, then per packet a hit (the connection's state,
 * NAT, re-check after a commit) or a miss (what a new flow meets, the owner
 * worker, the LB's backend), then policy for all misses at once (rte_acl)
 * and the verdict acted on (create the connection, reject, drop).  ICMP
 * errors come after the rest of their burst.
 */
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "worker_priv.h"
#include "wlb.h"
#include "wicmp.h"
#include "wlimit.h"
#include "acl/acl.h"
#include "conn/conn.h"
#include "log/log.h"
#include "pkt/pkt_icmperr.h"
#include "synproxy/synproxy_dp.h"

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
			sk_worker_local_deliver(w, g, m);
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
		sk_worker_reject(w, g, m);
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
void
sk_worker_process_admitted(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf **ip,
			   uint16_t n_ip)
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
