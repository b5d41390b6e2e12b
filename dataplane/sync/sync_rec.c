/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync_rec.c - a connection of this worker's table as a sync record
 * (sk_sync.h): endpoints read back from its key(s), state and timers
 * relative, the rule and generation, and for NAT the service by the hash of
 * its name and the backend by its address and port.  Runs on the worker at
 * an event or in the sweep: no allocation, no lookup for a connection of
 * the running generation (its alias tag is that generation's backend).
 */
#include <string.h>

#include "sync/sync.h"
#include "lb/lb_svc.h"

/* The service of NAT connection p (client -> vip:vport) in generation g: 0 if none. */
static uint32_t
svc_ident(const struct sk_gen *g, const struct sk_conn *p, uint32_t gbe,
	  const struct sk_sync_rec *rec)
{
	const struct sk_img_service *s;
	int64_t svc = -1;

	if (g == NULL || g->lb == NULL)
		return 0;
	if (p->gen == (uint32_t)g->id) {
		svc = sk_lb_backend_svc(g->lb, gbe);
	} else {
		/* Not re-checked since a commit: its tag is an older index. */
		struct sk_pkt_meta q;

		memset(&q, 0, sizeof(q));
		q.family = rec->family;
		q.proto = rec->proto;
		memcpy(q.src, rec->src, 16);
		memcpy(q.dst, rec->dst, 16);
		q.sport = rec->sport;
		q.dport = rec->dport;
		svc = sk_lb_svc_match(g->lb, &q);
	}
	s = svc >= 0 ? sk_lb_service(g->lb, (uint32_t)svc) : NULL;
	return s != NULL ? sk_sync_ident(s->name, sizeof(s->name)) : 0;
}

void
sk_sync_rec_from_conn(const struct sk_conn_table *t, const struct sk_conn *p,
		      const struct sk_gen *g, uint32_t now_ms, uint16_t owner, uint8_t type,
		      struct sk_sync_rec *rec)
{
	const struct sk_conn_key *k = sk_conn_key_ref(t, p);
	int oa = (p->flags & SK_CONN_F_ORIG_IS_A) != 0;
	int32_t idle = (int32_t)(now_ms - p->last_ms);

	rec->type = type;
	rec->family = k->family;
	rec->proto = k->proto;
	rec->state = p->state;
	rec->fin_seen = p->fin_seen;
	rec->nat = p->nat;
	rec->tmo_class = p->tmo_class;
	rec->flags = p->sp; /* SYN proxy state (SK_SYNC_F_SP) */
	rec->in_iface = p->in_iface;
	rec->out_iface = p->out_iface;
	rec->owner = owner;
	rec->rule_id = p->rule_id;
	rec->gen = p->gen;
	rec->idle_ms = idle > 0 ? (uint32_t)idle : 0;
	memcpy(rec->src, oa ? k->a : k->b, 16);
	memcpy(rec->dst, oa ? k->b : k->a, 16);
	rec->sport = oa ? k->pa : k->pb;
	rec->dport = oa ? k->pb : k->pa;
	rec->sp_delta = p->sp_delta;
	if (p->nat == 0) {
		rec->svc_ident = 0;
		rec->xport = rec->bport = 0;
		memset(rec->xsrc, 0, sizeof(rec->xsrc) + sizeof(rec->backend));
		return;
	}
	/* The alias: endpoint a is the translated originator when ORIG_IS_A. */
	const struct sk_conn *a = sk_conn_alias(t, (struct sk_conn *)(uintptr_t)p);
	const struct sk_conn_key *ak = sk_conn_key_ref(t, a);
	int xa = (a->flags & SK_CONN_F_ORIG_IS_A) != 0;

	memcpy(rec->xsrc, xa ? ak->a : ak->b, 16);
	memcpy(rec->backend, xa ? ak->b : ak->a, 16);
	rec->xport = xa ? ak->pa : ak->pb;
	rec->bport = xa ? ak->pb : ak->pa;
	rec->svc_ident = svc_ident(g, p, sk_conn_nat_tag(a), rec);
}
