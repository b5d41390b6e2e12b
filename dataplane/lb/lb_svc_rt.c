/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc_rt.c - the runtime state of a service's backends: admin state,
 * health and weight as they are now, the effective scheduler state derived
 * from them, and the Maglev table built over it.  All of it lives in one
 * object per service (struct lb_rt) that the main lcore replaces whole
 * (sk_lb_set) and retires through the RCU defer queue; workers only read it.
 *
 * Effective state, strongest first: admin disabled > admin drain > health
 * down > up.  An operator's drain or disable is what the status shows even
 * while the backend is also failing its checks, and health can only take a
 * backend out of new choices, never cut its connections (sk_lb_backend_alive).
 *
 * Carry-over at a commit (sk_lb_build with prev): a service and backend
 * matched by name keep their health; their runtime admin state and weight
 * carry over only when this image configures the same state / weight as
 * prev's image did (so a config change wins over an earlier runtime change,
 * and an untouched backend keeps what the operator or checker set).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lb_svc_priv.h"

static uint8_t
lb_effective(uint8_t admin, uint8_t health)
{
	if (admin == SK_LB_BE_DISABLED)
		return SK_LB_DISABLED;
	if (admin == SK_LB_BE_DRAIN)
		return SK_LB_DRAIN;
	return health ? SK_LB_UP : SK_LB_DOWN;
}

/* A zeroed runtime object for service s; the caller fills admin, health
 * and be[].weight, then calls lb_rt_finish. */
static struct lb_rt *
lb_rt_alloc(const struct sk_lb *lb, const struct lb_svc *s)
{
	size_t sz = sizeof(struct lb_rt) + s->n_be * (sizeof(struct sk_lb_backend) + 2);
	struct lb_rt *rt;

	rt = rte_zmalloc_socket("sk_lb_rt", sz, RTE_CACHE_LINE_SIZE, lb->socket);
	if (rt == NULL)
		return NULL;
	rt->n = s->n_be;
	rt->admin = (uint8_t *)&rt->be[rt->n];
	rt->health = rt->admin + rt->n;
	return rt;
}

/* Derive the effective backends and build the Maglev table (maglev, sh). */
static int
lb_rt_finish(const struct sk_lb *lb, const struct lb_svc *s, struct lb_rt *rt)
{
	uint32_t i;

	for (i = 0; i < rt->n; i++) {
		const struct sk_img_backend *b = &lb->bimg[s->gbe0 + i];
		struct sk_lb_backend *e = &rt->be[i];

		memcpy(e->addr, b->addr, 16);
		/* Port 0 ("the client's port") is resolved per connection;
		 * Maglev's identity of the backend uses the configured value. */
		e->port = b->port;
		e->family = s->af;
		e->state = lb_effective(rt->admin[i], rt->health[i]);
	}
	if (s->img.sched == SK_LB_SCHED_MAGLEV || s->img.sched == SK_LB_SCHED_SH) {
		uint32_t m = s->img.sched == SK_LB_SCHED_MAGLEV ? s->img.maglev_size : 0;

		rt->mg = sk_lb_maglev_create(rt->be, rt->n, m, lb->socket);
		if (rt->mg == NULL)
			return -rte_errno;
	}
	return 0;
}

void
lb_rt_free(struct lb_rt *rt)
{
	if (rt == NULL)
		return;
	sk_lb_maglev_free(rt->mg);
	rte_free(rt);
}

/* Names sorted for bsearch: prev's services, or one prev service's backends. */
struct lb_name {
	const char *name;
	uint32_t idx;
};

static int
lb_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lb_name *)a)->name, ((const struct lb_name *)b)->name);
}

static int64_t
lb_name_find(const struct lb_name *v, uint32_t n, const char *name)
{
	struct lb_name k = { .name = name };
	const struct lb_name *r;

	if (n == 0)
		return -1;
	r = bsearch(&k, v, n, sizeof(*v), lb_name_cmp);
	return r == NULL ? -1 : (int64_t)r->idx;
}

/* Initial runtime state of service si, carried over from prev service ps. */
static int
lb_rt_init_svc(struct sk_lb *lb, uint32_t si, const struct sk_lb *prev, int64_t ps)
{
	struct lb_svc *s = &lb->svc[si];
	const struct lb_svc *p = ps >= 0 ? &prev->svc[ps] : NULL;
	const struct lb_rt *prt = p != NULL ? p->rt : NULL;
	struct lb_name *names = NULL;
	struct lb_rt *rt;
	uint32_t i;
	int rc;

	rt = lb_rt_alloc(lb, s);
	if (rt == NULL)
		return -ENOMEM;
	if (prt != NULL && prt->n > 0) {
		names = malloc(sizeof(*names) * prt->n);
		if (names == NULL) {
			lb_rt_free(rt);
			return -ENOMEM;
		}
		for (i = 0; i < prt->n; i++) {
			names[i].name = prev->bimg[p->gbe0 + i].name;
			names[i].idx = i;
		}
		qsort(names, prt->n, sizeof(*names), lb_name_cmp);
	}
	for (i = 0; i < rt->n; i++) {
		const struct sk_img_backend *b = &lb->bimg[s->gbe0 + i];
		const struct sk_img_backend *pb;
		int64_t pi;

		/* Healthy until sekisho-cp's checker says otherwise: the unit
		 * must serve with its image before the checks run. */
		rt->admin[i] = b->state;
		rt->health[i] = 1;
		rt->be[i].weight = b->weight;
		pi = names != NULL ? lb_name_find(names, prt->n, b->name) : -1;
		if (pi < 0)
			continue;
		pb = &prev->bimg[p->gbe0 + (uint32_t)pi];
		/* A service now without checks ("none") is healthy by definition:
		 * nothing would ever bring a carried-over "down" back. */
		if (s->img.hc_type != SK_LB_HC_NONE)
			rt->health[i] = prt->health[pi];
		if (pb->state == b->state)
			rt->admin[i] = prt->admin[pi];
		if (pb->weight == b->weight)
			rt->be[i].weight = prt->be[pi].weight;
	}
	free(names);
	rc = lb_rt_finish(lb, s, rt);
	if (rc != 0) {
		lb_rt_free(rt);
		return rc;
	}
	s->rt = rt;
	return 0;
}

int
lb_rt_carry(struct sk_lb *lb, const struct sk_lb *prev, char *err, size_t errlen)
{
	struct lb_name *names = NULL;
	uint32_t i, np = prev != NULL ? prev->n_svc : 0;
	int rc = 0;

	if (np > 0) {
		names = malloc(sizeof(*names) * np);
		if (names == NULL) {
			snprintf(err, errlen, "load balancer: out of memory");
			return -ENOMEM;
		}
		for (i = 0; i < np; i++) {
			names[i].name = prev->svc[i].img.name;
			names[i].idx = i;
		}
		qsort(names, np, sizeof(*names), lb_name_cmp);
	}
	for (i = 0; i < lb->n_svc && rc == 0; i++) {
		int64_t ps = names != NULL ? lb_name_find(names, np, lb->svc[i].img.name) : -1;

		rc = lb_rt_init_svc(lb, i, prev, ps);
		if (rc != 0)
			snprintf(err, errlen, "load balancer: service '%s': backend tables: %s",
				 lb->svc[i].img.name, strerror(-rc));
	}
	free(names);
	return rc;
}

int
sk_lb_set(struct sk_lb *lb, const struct sk_shm_lb_set *req)
{
	struct lb_rt *old, *rt;
	struct lb_svc *s;
	uint32_t b, i;
	int rc;

	if (lb == NULL || req == NULL)
		return -EINVAL;
	if (req->generation != lb->generation)
		return -ESTALE;
	if (req->service >= lb->n_svc)
		return -EINVAL;
	s = &lb->svc[req->service];
	b = req->backend;
	if (b >= s->n_be)
		return -EINVAL;
	/* The main lcore is the only writer of s->rt. */
	old = s->rt;
	switch (req->what) {
	case SK_SHM_LB_ADMIN:
		if (req->value >= SK_LB_BE__MAX)
			return -EINVAL;
		if (old->admin[b] == req->value)
			return 0;
		break;
	case SK_SHM_LB_HEALTH:
		if (req->value > 1)
			return -EINVAL;
		if (old->health[b] == req->value)
			return 0;
		break;
	case SK_SHM_LB_WEIGHT:
		if (old->be[b].weight == req->weight)
			return 0;
		break;
	default:
		return -EINVAL;
	}
	if (lb->dq != NULL) {
		unsigned int pending = 0;

		/* Room for the old object, so nothing can fail once the new
		 * one is published.  (The queue's ring holds at least
		 * LB_DQ_SIZE; dq_reclaim's "available" is not free room.) */
		(void)rte_rcu_qsbr_dq_reclaim(lb->dq, LB_DQ_SIZE, NULL, &pending, NULL);
		if (pending >= LB_DQ_SIZE)
			return -ENOMEM;
	}
	rt = lb_rt_alloc(lb, s);
	if (rt == NULL)
		return -ENOMEM;
	memcpy(rt->admin, old->admin, rt->n);
	memcpy(rt->health, old->health, rt->n);
	for (i = 0; i < rt->n; i++)
		rt->be[i].weight = old->be[i].weight;
	if (req->what == SK_SHM_LB_ADMIN)
		rt->admin[b] = req->value;
	else if (req->what == SK_SHM_LB_HEALTH)
		rt->health[b] = req->value;
	else
		rt->be[b].weight = req->weight;
	rc = lb_rt_finish(lb, s, rt);
	if (rc != 0) {
		lb_rt_free(rt);
		return rc == -EINVAL ? -EINVAL : -ENOMEM;
	}
	__atomic_store_n(&s->rt, rt, __ATOMIC_RELEASE);
	if (lb->dq == NULL || rte_rcu_qsbr_dq_enqueue(lb->dq, &old) != 0) {
		/* No concurrent reader (qs NULL), or, the room checked above
		 * notwithstanding, no slot: wait out a grace period instead. */
		if (lb->dq != NULL)
			rte_rcu_qsbr_synchronize(lb->qs, RTE_QSBR_THRID_INVALID);
		lb_rt_free(old);
	}
	return 0;
}

void
sk_lb_reclaim(struct sk_lb *lb)
{
	if (lb != NULL && lb->dq != NULL)
		(void)rte_rcu_qsbr_dq_reclaim(lb->dq, LB_DQ_SIZE, NULL, NULL, NULL);
}
