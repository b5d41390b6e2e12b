/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_nat.c - NAT connections of the load balancer: one connection stored
 * under two keys.  The primary slot holds the client's tuple and all state;
 * the alias slot holds the backend-side tuple, so that the backend's
 * answers (which carry neither the VIP nor, for full NAT, the client) find
 * the connection with the same bulk lookup as everything else.  The halves
 * link to each other by slot index; conn_table.c removes them together.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_prefetch.h>

#include "conn/conn_priv.h"

struct sk_conn *
sk_conn_create_nat(struct sk_conn_table *t, const struct sk_conn_key *k, uint8_t src_is_a,
		   const struct sk_conn_key *rk, uint8_t rk_orig_is_a,
		   const struct sk_pkt_meta *m, uint32_t now_ms, uint32_t rule_id, uint32_t gen,
		   uint8_t nat, uint32_t tag)
{
	struct sk_conn *p, *a;
	int32_t pp, pa;

	if (nat == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	sk_conn_ho_make_room(t, 2);
	if (t->slots + 2u > t->max) {
		/* EEXIST first: a retransmitted SYN is not a refusal. */
		if (rte_hash_lookup(t->h, k) >= 0 || rte_hash_lookup(t->h, rk) >= 0) {
			rte_errno = EEXIST;
			return NULL;
		}
		t->st.refused++;
		rte_errno = ENOSPC;
		return NULL;
	}
	/*
	 * The first slot is marked live before the second key goes in, so
	 * that rk == k (or rk already present) shows as EEXIST; on any failure
	 * the first key comes out again.
	 */
	pp = sk_conn_slot_take(t, k);
	if (pp < 0)
		goto fail;
	pa = sk_conn_slot_take(t, rk);
	if (pa < 0) {
		sk_conn_slot_put(t, &t->conns[pp]);
		pp = pa;
		goto fail;
	}

	p = &t->conns[pp];
	sk_conn_init(p, k->proto, src_is_a, m, now_ms, rule_id, gen);
	p->nat = nat;
	p->link = (uint32_t)pa;

	a = &t->conns[pa];
	memset(a, 0, sizeof(*a));
	a->proto = rk->proto;
	a->flags = SK_CONN_F_LIVE | SK_CONN_F_ALIAS | (rk_orig_is_a ? SK_CONN_F_ORIG_IS_A : 0);
	a->nat = nat;
	a->rule_id = tag;
	a->link = (uint32_t)pp;
	sk_conn_ho_change(t, p, SK_TMO__MAX, p->tmo_class);

	t->count++;
	t->st.created++;
	if (t->notify != NULL)
		t->notify(t->notify_arg, t, p, SK_CONN_EV_CREATE);
	return p;
fail:
	/* ENOSPC from rte_hash cannot happen with a free slot; counted anyway */
	if (pp == -ENOSPC)
		t->st.refused++;
	rte_errno = -pp;
	return NULL;
}

struct sk_conn *
sk_conn_primary(const struct sk_conn_table *t, struct sk_conn *c)
{
	return (c->flags & SK_CONN_F_ALIAS) ? &t->conns[c->link] : c;
}

struct sk_conn *
sk_conn_alias(const struct sk_conn_table *t, struct sk_conn *p)
{
	return p->nat != 0 && !(p->flags & SK_CONN_F_ALIAS) ? &t->conns[p->link] : NULL;
}

void
sk_conn_prefetch_peer(const struct sk_conn_table *t, const struct sk_conn *c)
{
	const struct sk_conn *o;

	if (c->nat == 0)
		return;
	o = &t->conns[c->link];
	if (c->flags & SK_CONN_F_ALIAS) {
		/* the state lives in the primary: both ends of its 48 bytes */
		rte_prefetch0(o);
		rte_prefetch0((const char *)(o + 1) - 1);
	}
	/* key_ref is arithmetic when the key store was measured: no access to o */
	const struct sk_conn_key *k = sk_conn_key_ref(t, o);

	rte_prefetch0(k);
	rte_prefetch0((const char *)(k + 1) - 1);   /* 40 bytes may straddle two lines */
}

void
sk_conn_set_release(struct sk_conn_table *t, sk_conn_release_cb cb, void *arg)
{
	t->release = cb;
	t->release_arg = arg;
}
