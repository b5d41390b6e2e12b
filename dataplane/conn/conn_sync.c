/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_sync.c - putting a connection that another unit had into this table
 * (HA connection sync, conn.h sk_conn_restore): the same keys, state,
 * timeout class, rule and generation, and for NAT the same backend-side key,
 * so that a takeover finds the entry the active had.  Called by the owner
 * worker only, a bounded number of times per loop (dataplane/sync).
 *
 * The other unit is the truth: an entry here that holds one of the record's
 * keys but is not the same connection (an older connection on the same
 * tuple, a full-NAT port reused since) is removed first.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "conn/conn_priv.h"

static int
same_conn(struct sk_conn_table *t, struct sk_conn *p, const struct sk_conn_restore *r)
{
	struct sk_conn *a;

	if ((p->flags & SK_CONN_F_ALIAS) || p->nat != r->nat ||
	    !!(p->flags & SK_CONN_F_ORIG_IS_A) != !!r->src_is_a)
		return 0;
	if (r->nat == 0)
		return 1;
	a = sk_conn_alias(t, p);
	return a != NULL && memcmp(sk_conn_key_ref(t, a), &r->rk, sizeof(r->rk)) == 0 &&
	       !!(a->flags & SK_CONN_F_ORIG_IS_A) == !!r->rk_orig_is_a;
}

static void
fill(struct sk_conn *c, const struct sk_conn_restore *r)
{
	c->state = r->state;
	c->fin_seen = r->fin_seen;
	c->tmo_class = r->tmo_class;
	c->in_iface = r->in_iface;
	c->out_iface = r->out_iface;
	c->rule_id = r->rule_id;
	c->gen = r->gen;
	c->last_ms = r->last_ms;
	c->sp = r->sp;
	c->sp_delta = r->sp_delta;
}

int
sk_conn_restore(struct sk_conn_table *t, const struct sk_conn_restore *r,
		struct sk_conn **out, int *created, uint32_t *removed)
{
	struct sk_conn *p, *a;
	int32_t pp, pa;

	*created = 0;
	*out = NULL;
	if (r->tmo_class >= SK_TMO__MAX || r->in_iface >= SK_MAX_IFACES ||
	    r->out_iface >= SK_MAX_IFACES || (r->nat != 0 && memcmp(&r->k, &r->rk,
								    sizeof(r->k)) == 0))
		return -EINVAL;
	p = sk_conn_lookup(t, &r->k);
	if (p != NULL) {
		if (same_conn(t, p, r)) {
			sk_conn_ho_change(t, p, p->tmo_class, r->tmo_class);
			fill(p, r);
			if (r->nat != 0) {
				a = sk_conn_alias(t, p);
				sk_conn_nat_set_tag(a, r->tag);
				a->sp = r->sp;
				a->sp_delta = r->sp_delta;
			}
			*out = p;
			return 0;
		}
		sk_conn_delete(t, p);
		(*removed)++;
	}
	if (r->nat != 0 && (a = sk_conn_lookup(t, &r->rk)) != NULL) {
		sk_conn_delete(t, a);
		(*removed)++;
	}
	if (t->slots + (r->nat != 0 ? 2u : 1u) > t->max) {
		t->st.refused++;
		return -ENOSPC;
	}
	pp = sk_conn_slot_take(t, &r->k);
	if (pp < 0)
		return pp;
	p = &t->conns[pp];
	memset(p, 0, sizeof(*p));
	p->proto = r->k.proto;
	p->flags = SK_CONN_F_LIVE | (r->src_is_a ? SK_CONN_F_ORIG_IS_A : 0);
	fill(p, r);
	if (r->nat != 0) {
		pa = sk_conn_slot_take(t, &r->rk);
		if (pa < 0) {
			sk_conn_slot_put(t, p);
			return pa;
		}
		a = &t->conns[pa];
		memset(a, 0, sizeof(*a));
		a->proto = r->rk.proto;
		a->flags = SK_CONN_F_LIVE | SK_CONN_F_ALIAS |
			   (r->rk_orig_is_a ? SK_CONN_F_ORIG_IS_A : 0);
		a->nat = r->nat;
		a->rule_id = r->tag;
		a->link = (uint32_t)pp;
		a->sp = r->sp;
		a->sp_delta = r->sp_delta;
		p->nat = r->nat;
		p->link = (uint32_t)pa;
	}
	sk_conn_ho_change(t, p, SK_TMO__MAX, p->tmo_class);
	t->count++;
	t->st.created++;
	*created = 1;
	*out = p;
	return 0;
}
