/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync_apply.c - a record from the active unit into this (standby) worker's
 * own table: the entry the active had, under the same keys, so that the
 * first packet after a takeover is a hit.  The owner worker applies it
 * (only it writes its table), a bounded number per loop (sync.c).
 *
 * Checks before anything is written:
 *  - the record is well formed (type, family, class, interfaces);
 *  - it is this worker's connection by the rule the active used: full NAT
 *    by the SNAT port's block, DNAT by the client's hash, plain flows by
 *    the worker index (symmetric RSS with the same key and queue count);
 *  - NAT: the service is found by the VIP and its name hash matches, the
 *    backend by its address and port in that service; otherwise the record
 *    is held (counted, not applied): never a connection to the wrong backend.
 */
#include <netinet/in.h>
#include <string.h>

#include "sync/sync.h"
#include "conn/conn.h"
#include "lb/lb_svc.h"
#include "nat/nat.h"

static int
well_formed(const struct sk_sync_rec *r, uint16_t n_workers)
{
	if (r->type == SK_SYNC_NONE || r->type >= SK_SYNC_TYPE__MAX ||
	    (r->family != 4 && r->family != 6) || r->owner >= n_workers ||
	    r->nat > SK_SYNC_NAT_FULLNAT || r->tmo_class >= SK_TMO__MAX ||
	    r->in_iface >= SK_MAX_IFACES || r->out_iface >= SK_MAX_IFACES ||
	    r->flags > SK_SYNC_F_SP_MAX || (r->flags != 0 && r->proto != IPPROTO_TCP))
		return 0;
	if (r->proto == IPPROTO_TCP ? r->state >= SK_TCP__MAX : r->state > 1)
		return 0;
	return r->nat == 0 || r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP;
}

/* Is this worker the one that receives the connection's packets? */
static int
owned_here(const struct sk_sync_rec *r, uint16_t idx, uint16_t n_workers)
{
	int o;

	if (n_workers < 2)
		return 1;
	switch (r->nat) {
	case SK_SYNC_NAT_FULLNAT:
		o = sk_nat_port_owner(r->xport, n_workers);
		return o < 0 ? r->owner == idx : o == idx;
	case SK_SYNC_NAT_DNAT:
		return sk_nat_client_owner(r->src, r->sport, n_workers) == idx;
	default:
		return r->owner == idx;
	}
}

/* The backend of a NAT record in generation g: its global index, or -1. */
static int64_t
find_backend(const struct sk_gen *g, const struct sk_sync_rec *r)
{
	struct sk_pkt_meta q;
	const struct sk_img_service *s;
	int svc;

	if (g == NULL || g->lb == NULL)
		return -1;
	memset(&q, 0, sizeof(q));
	q.family = r->family;
	q.proto = r->proto;
	memcpy(q.src, r->src, 16);
	memcpy(q.dst, r->dst, 16);
	q.sport = r->sport;
	q.dport = r->dport;
	svc = sk_lb_svc_match(g->lb, &q);
	if (svc < 0)
		return -1;
	s = sk_lb_service(g->lb, (uint32_t)svc);
	if (s == NULL || sk_sync_ident(s->name, sizeof(s->name)) != r->svc_ident ||
	    (uint8_t)(s->fwd + 1) != r->nat)
		return -1;
	return sk_lb_backend_find(g->lb, (uint32_t)svc, r->backend, r->bport);
}

void
sk_sync_apply_prefetch(struct sk_conn_table *t, const struct sk_sync_rec *rec, unsigned int n)
{
	struct sk_conn_key k[SK_SYNC_APPLY_BUDGET];
	struct sk_conn *c[SK_SYNC_APPLY_BUDGET];
	uint8_t src_is_a;

	/* One bulk lookup of the primary keys: rte_hash fetches the buckets of
	 * the whole burst in a pipeline and the hits' slots are prefetched, so
	 * each apply below finds its lookup and its insert's bucket in cache
	 * instead of waiting for two misses of its own (a table far larger
	 * than the cache: a bulk sync of 1M). */
	n = RTE_MIN(n, RTE_DIM(k));
	for (unsigned int i = 0; i < n; i++)
		sk_conn_key_from_tuple(rec[i].family, rec[i].proto, rec[i].src, rec[i].sport,
				       rec[i].dst, rec[i].dport, &k[i], &src_is_a);
	sk_conn_lookup_burst(t, k, (uint16_t)n, c);
}

enum sk_sync_outcome
sk_sync_apply(struct sk_conn_table *t, const struct sk_gen *g, uint16_t idx, uint16_t n_workers,
	      uint32_t now_ms, const struct sk_sync_rec *rec, int *created, uint32_t *removed)
{
	struct sk_conn_restore r;
	struct sk_conn *c;
	int64_t gbe = 0;

	*created = 0;
	if (!well_formed(rec, n_workers) || !owned_here(rec, idx, n_workers))
		return SK_SYNC_REFUSED;
	memset(&r, 0, sizeof(r));
	sk_conn_key_from_tuple(rec->family, rec->proto, rec->src, rec->sport, rec->dst, rec->dport,
			       &r.k, &r.src_is_a);
	if (rec->type == SK_SYNC_DELETE) {
		c = sk_conn_lookup(t, &r.k);
		if (c != NULL && !(c->flags & SK_CONN_F_ALIAS) && c->nat == rec->nat)
			sk_conn_delete(t, c);
		return SK_SYNC_APPLIED;
	}
	if (rec->nat != 0) {
		gbe = find_backend(g, rec);
		if (gbe < 0)
			return SK_SYNC_HELD;
		sk_conn_key_from_tuple(rec->family, rec->proto, rec->xsrc, rec->xport, rec->backend,
				       rec->bport, &r.rk, &r.rk_orig_is_a);
		r.tag = (uint32_t)gbe;
	}
	r.nat = rec->nat;
	r.state = rec->state;
	r.fin_seen = rec->fin_seen;
	r.tmo_class = rec->tmo_class;
	r.in_iface = rec->in_iface;
	r.out_iface = rec->out_iface;
	r.rule_id = rec->rule_id;
	r.gen = rec->gen;
	r.last_ms = now_ms - RTE_MIN(rec->idle_ms, (uint32_t)INT32_MAX);
	r.sp = rec->flags;
	r.sp_delta = rec->sp_delta;
	if (sk_conn_restore(t, &r, &c, created, removed) != 0)
		return SK_SYNC_REFUSED;
	/* The backend's count of active connections is rebuilt from the table:
	 * counted where the running generation will also uncount it
	 * (worker_lb.c sk_wlb_release). */
	if (*created && rec->nat != 0 && g != NULL && rec->gen == (uint32_t)g->id)
		sk_lb_conn_open(g->lb, idx, (uint32_t)gbe);
	return SK_SYNC_APPLIED;
}
