/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc_stats.c - reading the load balancer's counters: every backend as it
 * runs now (SK_SHM_OP_LB_STATUS), per-service and persistence totals.  Each
 * counter is one row per worker, written only by its worker; these readers
 * sum the rows with relaxed loads (any thread, no lock).  A sum of "active"
 * below zero (a connection closed on another row than it opened, seen
 * half-way) is shown as 0.
 */
#include <string.h>

#include "lb_svc_priv.h"
#include "lb_svc_diag.h"

static inline uint64_t
lb_ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline int64_t
lb_ldi(const int64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

uint32_t
sk_lb_status(const struct sk_lb *lb, struct sk_shm_lb_backend *out, uint32_t cap)
{
	uint32_t gbe;

	for (gbe = 0; gbe < lb->n_gbe && gbe < cap; gbe++) {
		const struct lb_svc *s = &lb->svc[lb->gbe_svc[gbe]];
		const struct lb_rt *rt = __atomic_load_n(&s->rt, __ATOMIC_ACQUIRE);
		struct sk_shm_lb_backend *o = &out[gbe];
		uint32_t b = gbe - s->gbe0;
		int64_t active = 0;
		unsigned int w;

		memset(o, 0, sizeof(*o));
		o->service = lb->gbe_svc[gbe];
		o->backend = b;
		o->admin = rt->admin[b];
		o->health = rt->health[b];
		o->weight = rt->be[b].weight;
		for (w = 0; w < lb->n_workers; w++) {
			const struct lb_be_ctr *c = &lb->w[w].be[gbe];

			active += lb_ldi(&c->active);
			o->conns += lb_ld(&c->conns);
			o->pkts[0] += lb_ld(&c->pkts[0]);
			o->pkts[1] += lb_ld(&c->pkts[1]);
			o->bytes[0] += lb_ld(&c->bytes[0]);
			o->bytes[1] += lb_ld(&c->bytes[1]);
		}
		o->active = active > 0 ? (uint64_t)active : 0;
	}
	return lb->n_gbe;
}

void
sk_lb_svc_stats(const struct sk_lb *lb, uint32_t svc, struct sk_lb_svc_stats *st)
{
	int64_t active = 0;
	unsigned int w;

	memset(st, 0, sizeof(*st));
	if (svc >= lb->n_svc)
		return;
	for (w = 0; w < lb->n_workers; w++) {
		const struct lb_svc_ctr *c = &lb->w[w].svc[svc];

		active += lb_ldi(&c->active);
		st->conns += lb_ld(&c->conns);
		st->no_backend += lb_ld(&c->no_backend);
		st->over_limit += lb_ld(&c->over_limit);
	}
	st->active = active > 0 ? (uint64_t)active : 0;
}

void
sk_lb_persist_stats(const struct sk_lb *lb, struct sk_lb_persist_stats *st)
{
	unsigned int w;

	memset(st, 0, sizeof(*st));
	for (w = 0; w < lb->n_workers; w++) {
		st->hits += lb_ld(&lb->w[w].persist_hit);
		st->full += lb_ld(&lb->w[w].persist_full);
	}
}
