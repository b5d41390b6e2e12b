/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc_select.c - the backend of a new connection (persistence, scheduler,
 * connection limits) and the per-connection accounting a worker does.  All
 * hot path: no allocation, no locks, no logging.
 *
 * Counters are one row per worker (lb_svc_priv.h), written by their owner
 * with plain relaxed stores (single writer, so no atomic read-modify-write)
 * and summed by readers.  Limits and WLC read the other workers' rows with
 * relaxed loads: a count a few connections stale is fine for both.
 *
 * Limits: a service over its conn_limit refuses the connection.  A backend
 * over its own conn_limit is skipped: WRR and WLC choose among the others
 * (the worker's scratch copy of the backend array marks it ineligible for
 * this one choice); Maglev and source hash walk on to the next table slots,
 * at most LB_WALK_MAX of them, so a flow's choice stays a function of its
 * hash and the load, and a full service is refused in bounded time.
 *
 * Persistence (persist_s): each worker remembers client address -> backend
 * in its own rte_hash; a remembered backend that may still take connections
 * (eligible, under its limit) wins within persist_s of the client's last new
 * connection.  Tables are per worker, so with several workers a client
 * sticks to one backend only if all its connections reach one worker (RSS
 * over addresses only); they are per generation, so a commit starts afresh.
 */
#include <string.h>

#include <rte_hash.h>

#include "sk_drop.h"
#include "lb_svc_priv.h"

static inline void
lb_add_i64(int64_t *p, int64_t v)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline void
lb_add_u64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

/* Connections to gbe now, over all workers. */
static inline int64_t
lb_be_active(const struct sk_lb *lb, uint32_t gbe)
{
	int64_t sum = 0;
	unsigned int w;

	for (w = 0; w < lb->n_workers; w++)
		sum += __atomic_load_n(&lb->w[w].be[gbe].active, __ATOMIC_RELAXED);
	return sum;
}

static inline int
lb_be_full(const struct sk_lb *lb, const struct lb_svc *s, uint32_t be)
{
	uint32_t limit = lb->bimg[s->gbe0 + be].conn_limit;

	return limit != 0 && lb_be_active(lb, s->gbe0 + be) >= (int64_t)limit;
}

static inline int
lb_svc_full(const struct sk_lb *lb, uint32_t si, const struct lb_svc *s)
{
	int64_t sum = 0;
	unsigned int w;

	if (s->img.conn_limit == 0)
		return 0;
	for (w = 0; w < lb->n_workers; w++)
		sum += __atomic_load_n(&lb->w[w].svc[si].active, __ATOMIC_RELAXED);
	return sum >= (int64_t)s->img.conn_limit;
}

/* Maglev / source hash: the slot of h, walking past backends over limit. */
static uint32_t
lb_pick_table(const struct sk_lb *lb, const struct lb_svc *s, const struct lb_rt *rt,
	      uint32_t h, int *limited)
{
	uint32_t m, slot, k;
	const uint16_t *t = sk_lb_maglev_table(rt->mg, &m);

	slot = h % m;
	for (k = 0; k <= LB_WALK_MAX; k++) {
		uint16_t e = t[slot];

		if (e == UINT16_MAX)
			return SK_LB_NONE;   /* empty table: no eligible backend */
		if (!s->has_be_limit || !lb_be_full(lb, s, e))
			return e;
		*limited = 1;
		slot = slot + 1 == m ? 0 : slot + 1;
	}
	return SK_LB_NONE;
}

/*
 * The backend array as WRR/WLC should see it: rt->be, or (when some
 * backend has a limit) the worker's scratch copy with the backends over
 * their limit made ineligible.  act: summed counts when the caller has them.
 */
static const struct sk_lb_backend *
lb_view(const struct sk_lb *lb, const struct lb_svc *s, const struct lb_rt *rt,
	struct lb_worker *w, const uint32_t *act, int *limited)
{
	uint32_t i;

	if (!s->has_be_limit)
		return rt->be;
	memcpy(w->scratch_be, rt->be, sizeof(rt->be[0]) * rt->n);
	for (i = 0; i < rt->n; i++) {
		uint32_t limit = lb->bimg[s->gbe0 + i].conn_limit;

		if (limit == 0 || !sk_lb_backend_eligible(&rt->be[i]))
			continue;
		if (act != NULL ? act[i] >= limit : lb_be_full(lb, s, i)) {
			w->scratch_be[i].state = SK_LB_DRAIN; /* not for this choice */
			*limited = 1;
		}
	}
	return w->scratch_be;
}

static uint32_t
lb_schedule(const struct sk_lb *lb, uint32_t si, const struct lb_svc *s,
	    const struct lb_rt *rt, struct lb_worker *w, const struct sk_pkt_meta *pm,
	    int *limited)
{
	const struct sk_lb_backend *v;
	struct sk_lb_tuple t;
	uint32_t i;

	switch (s->img.sched) {
	case SK_LB_SCHED_MAGLEV:
		memcpy(t.src, pm->src, 16);
		memcpy(t.dst, pm->dst, 16);
		t.sport = pm->sport;
		t.dport = pm->dport;
		t.proto = pm->proto;
		t.family = s->af;
		t.pad = 0;
		return lb_pick_table(lb, s, rt, sk_lb_hash_tuple(&t), limited);
	case SK_LB_SCHED_SH:
		return lb_pick_table(lb, s, rt, sk_lb_hash_src(s->af, pm->src), limited);
	case SK_LB_SCHED_WRR:
		v = lb_view(lb, s, rt, w, NULL, limited);
		return sk_lb_wrr_pick(w->wrr[si], v, rt->n);
	case SK_LB_SCHED_WLC:
		/* Least loaded over the whole unit, not per worker. */
		for (i = 0; i < rt->n; i++) {
			int64_t a = lb_be_active(lb, s->gbe0 + i);

			w->scratch_conns[i] = a < 0 ? 0 : a > UINT32_MAX ? UINT32_MAX : (uint32_t)a;
		}
		v = lb_view(lb, s, rt, w, w->scratch_conns, limited);
		return sk_lb_wlc_pick(v, w->scratch_conns, rt->n);
	default:
		return SK_LB_NONE;
	}
}

static inline void
lb_persist_key(struct lb_persist_key *k, uint32_t si, const struct sk_pkt_meta *pm)
{
	memset(k, 0, sizeof(*k));
	k->svc = si;
	k->family = pm->family;
	memcpy(k->addr, pm->src, pm->family == 4 ? 4 : 16);
}

/* The remembered backend of k if it is fresh and may take the connection. */
static uint32_t
lb_persist_get(const struct sk_lb *lb, const struct lb_svc *s, const struct lb_rt *rt,
	       struct lb_worker *w, const struct lb_persist_key *k, uint32_t now_ms)
{
	uint32_t gbe, be;
	uint64_t v;
	void *d;

	if (rte_hash_lookup_data(w->persist, k, &d) < 0)
		return SK_LB_NONE;
	v = (uint64_t)(uintptr_t)d;
	if (now_ms - (uint32_t)v > s->img.persist_s * 1000u)
		return SK_LB_NONE;
	gbe = (uint32_t)(v >> 32);
	be = gbe - s->gbe0;
	if (gbe < s->gbe0 || be >= rt->n || !sk_lb_backend_eligible(&rt->be[be]) ||
	    (s->has_be_limit && lb_be_full(lb, s, be)))
		return SK_LB_NONE;
	lb_add_u64(&w->persist_hit, 1);
	return be;
}

/* A full table: drop up to LB_PERSIST_EVICT_SCAN expired entries from a
 * cursor that walks round the table (aging only when it is needed). */
static void
lb_persist_evict(const struct sk_lb *lb, struct lb_worker *w, uint32_t now_ms)
{
	int wrapped = 0;
	uint32_t i;

	for (i = 0; i < LB_PERSIST_EVICT_SCAN; i++) {
		struct lb_persist_key k;
		const void *key;
		uint32_t ttl;
		void *d;

		if (rte_hash_iterate(w->persist, &key, &d, &w->evict_next) < 0) {
			w->evict_next = 0;
			if (wrapped++)
				return;
			continue;
		}
		memcpy(&k, key, sizeof(k));
		ttl = k.svc < lb->n_svc ? lb->svc[k.svc].img.persist_s * 1000u : 0;
		if (now_ms - (uint32_t)(uintptr_t)d > ttl)
			(void)rte_hash_del_key(w->persist, &k);
	}
}

static void
lb_persist_put(const struct sk_lb *lb, struct lb_worker *w, const struct lb_persist_key *k,
	       uint32_t gbe, uint32_t now_ms)
{
	void *d = (void *)(uintptr_t)(((uint64_t)gbe << 32) | now_ms);

	if (rte_hash_add_key_data(w->persist, k, d) >= 0)
		return;
	lb_persist_evict(lb, w, now_ms);
	if (rte_hash_add_key_data(w->persist, k, d) < 0)
		lb_add_u64(&w->persist_full, 1);
}

enum sk_drop_reason
sk_lb_select(struct sk_lb *lb, unsigned int worker, uint32_t svc, const struct sk_pkt_meta *pm,
	     uint32_t now_ms, struct sk_lb_choice *out)
{
	const struct sk_img_backend *b;
	struct lb_persist_key pk;
	const struct lb_svc *s;
	const struct lb_rt *rt;
	struct lb_worker *w;
	uint32_t be = SK_LB_NONE;
	int limited = 0;

	if (worker >= lb->n_workers || svc >= lb->n_svc)
		return SK_DROP_LB_NO_BACKEND;
	s = &lb->svc[svc];
	w = &lb->w[worker];
	rt = __atomic_load_n(&s->rt, __ATOMIC_ACQUIRE);
	if (lb_svc_full(lb, svc, s)) {
		lb_add_u64(&w->svc[svc].over_limit, 1);
		return SK_DROP_LB_CONN_LIMIT;
	}
	if (s->img.persist_s != 0) {
		lb_persist_key(&pk, svc, pm);
		be = lb_persist_get(lb, s, rt, w, &pk, now_ms);
	}
	if (be == SK_LB_NONE) {
		be = lb_schedule(lb, svc, s, rt, w, pm, &limited);
		if (be == SK_LB_NONE) {
			if (limited) {
				lb_add_u64(&w->svc[svc].over_limit, 1);
				return SK_DROP_LB_CONN_LIMIT;
			}
			lb_add_u64(&w->svc[svc].no_backend, 1);
			return SK_DROP_LB_NO_BACKEND;
		}
	}
	if (s->img.persist_s != 0)
		lb_persist_put(lb, w, &pk, s->gbe0 + be, now_ms);
	b = &lb->bimg[s->gbe0 + be];
	out->svc = svc;
	out->be = be;
	out->gbe = s->gbe0 + be;
	out->fwd = s->img.fwd;
	out->family = s->img.family;
	out->port = b->port != 0 ? b->port : pm->dport;
	memcpy(out->addr, b->addr, 16);
	return SK_DROP_NONE;
}

enum sk_drop_reason
sk_lb_select_next(const struct sk_lb *lb, const struct sk_lb_choice *cur, uint32_t first,
		  const struct sk_pkt_meta *pm, struct sk_lb_choice *out)
{
	const struct sk_img_backend *b;
	const struct lb_svc *s;
	const struct lb_rt *rt;
	uint32_t be;

	if (cur->svc >= lb->n_svc)
		return SK_DROP_NAT_NO_PORT;
	s = &lb->svc[cur->svc];
	rt = __atomic_load_n(&s->rt, __ATOMIC_ACQUIRE);
	if (rt->n == 0 || first >= rt->n)
		return SK_DROP_NAT_NO_PORT;
	for (be = (cur->be + 1) % rt->n; be != first; be = (be + 1) % rt->n) {
		if (!sk_lb_backend_eligible(&rt->be[be]) ||
		    (s->has_be_limit && lb_be_full(lb, s, be)))
			continue;
		b = &lb->bimg[s->gbe0 + be];
		*out = *cur;
		out->be = be;
		out->gbe = s->gbe0 + be;
		out->port = b->port != 0 ? b->port : pm->dport;
		memcpy(out->addr, b->addr, 16);
		return SK_DROP_NONE;
	}
	return SK_DROP_NAT_NO_PORT;
}

void
sk_lb_conn_open(struct sk_lb *lb, unsigned int worker, uint32_t gbe)
{
	struct lb_worker *w;
	uint32_t si;

	if (worker >= lb->n_workers || gbe >= lb->n_gbe)
		return;
	w = &lb->w[worker];
	si = lb->gbe_svc[gbe];
	lb_add_i64(&w->be[gbe].active, 1);
	lb_add_u64(&w->be[gbe].conns, 1);
	lb_add_i64(&w->svc[si].active, 1);
	lb_add_u64(&w->svc[si].conns, 1);
}

void
sk_lb_conn_close(struct sk_lb *lb, unsigned int worker, uint32_t gbe)
{
	struct lb_worker *w;

	if (worker >= lb->n_workers || gbe >= lb->n_gbe)
		return;
	w = &lb->w[worker];
	lb_add_i64(&w->be[gbe].active, -1);
	lb_add_i64(&w->svc[lb->gbe_svc[gbe]].active, -1);
}

void
sk_lb_count(struct sk_lb *lb, unsigned int worker, uint32_t gbe, unsigned int dir, uint32_t len)
{
	struct lb_be_ctr *c;

	if (worker >= lb->n_workers || gbe >= lb->n_gbe)
		return;
	c = &lb->w[worker].be[gbe];
	dir &= 1;
	lb_add_u64(&c->pkts[dir], 1);
	lb_add_u64(&c->bytes[dir], len);
}

int
sk_lb_backend_alive(const struct sk_lb *lb, uint32_t gbe)
{
	const struct lb_svc *s;
	const struct lb_rt *rt;

	if (gbe >= lb->n_gbe)
		return 0;
	s = &lb->svc[lb->gbe_svc[gbe]];
	rt = __atomic_load_n(&s->rt, __ATOMIC_ACQUIRE);
	return rt->admin[gbe - s->gbe0] != SK_LB_BE_DISABLED;
}
