/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top.c - one worker's heavy hitters (see top.h) and the memzone they are
 * published in (sk_top.h).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_memzone.h>
#include <rte_random.h>

#include "limit/top.h"

#define TOP_MINUTE_MS 60000u
#define TOP_PUBLISH_MS 1000u

void
sk_top_init(struct sk_top *t, struct sk_top_worker *pub, uint32_t now_ms)
{
	memset(t, 0, sizeof(*t));
	t->seed = (uint32_t)rte_rand();
	t->minute_ms = t->pub_ms = now_ms;
	t->pub = pub;
}

void
sk_top_note(struct sk_top *t, enum sk_top_kind kind, uint8_t family, const uint8_t *addr)
{
	struct sk_top_work *w = &t->cur[kind];
	size_t len = family == 4 ? 4 : 16;
	uint32_t h = rte_hash_crc(addr, (uint32_t)len, t->seed ^ family);
	uint32_t i, min;

	w->total++;
	for (i = 0; i < w->n; i++)
		if (w->hash[i] == h && w->family[i] == family && memcmp(w->addr[i], addr, len) == 0) {
			w->count[i]++;
			return;
		}
	if (w->n < SK_TOP_K) {
		i = w->n++;
		w->err[i] = 0;
		w->count[i] = 1;
	} else {
		/* space-saving: the least counted entry gives its place */
		for (min = 0, i = 1; i < SK_TOP_K; i++)
			if (w->count[i] < w->count[min])
				min = i;
		i = min;
		w->err[i] = (uint32_t)RTE_MIN(w->count[i], (uint64_t)UINT32_MAX);
		w->count[i]++;
	}
	w->hash[i] = h;
	w->family[i] = family;
	memset(w->addr[i], 0, 16);
	memcpy(w->addr[i], addr, len);
}

void
sk_top_note_src(struct sk_top *t, enum sk_top_kind kind, uint8_t family, const uint8_t *addr)
{
	uint8_t net[16] = { 0 };

	sk_top_note(t, kind, family, addr);
	if (family == 4)
		memcpy(net, addr, SK_TOP_NET4_PLEN / 8);
	else
		memcpy(net, addr, SK_TOP_NET6_PLEN / 8);
	sk_top_note(t, (enum sk_top_kind)(kind + SK_TOP_NET), family, net);
}

static int
by_count(const void *a, const void *b)
{
	const struct sk_top_entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

void
sk_top_export(const struct sk_top_work *w, struct sk_top_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->n = w->n;
	out->total = w->total;
	for (uint32_t i = 0; i < w->n; i++) {
		memcpy(out->e[i].addr, w->addr[i], 16);
		out->e[i].family = w->family[i];
		out->e[i].err = w->err[i];
		out->e[i].count = w->count[i];
	}
	qsort(out->e, out->n, sizeof(out->e[0]), by_count);
}

static void
publish(struct sk_top *t, uint32_t now_ms, const uint64_t drops[SK_DROP__MAX])
{
	struct sk_top_worker *p = t->pub;

	__atomic_store_n(&p->seq, p->seq + 1, __ATOMIC_RELAXED);   /* odd: writing */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	p->cur_ms = now_ms - t->minute_ms;
	p->prev_valid = t->prev_valid;
	for (unsigned int k = 0; k < SK_TOP__KINDS; k++) {
		sk_top_export(&t->cur[k], &p->cur[k]);
		p->prev[k] = t->prev[k];
	}
	for (unsigned int r = 0; r < SK_DROP__MAX; r++) {
		p->drops_cur[r] = drops[r] - t->drops_mark[r];
		p->drops_prev[r] = t->drops_prev[r];
	}
	__atomic_store_n(&p->seq, p->seq + 1, __ATOMIC_RELEASE);   /* even: done */
}

void
sk_top_tick(struct sk_top *t, uint32_t now_ms, const uint64_t drops[SK_DROP__MAX])
{
	if (likely((int32_t)(now_ms - t->pub_ms) < (int32_t)TOP_PUBLISH_MS))
		return;
	t->pub_ms = now_ms;
	if ((int32_t)(now_ms - t->minute_ms) >= (int32_t)TOP_MINUTE_MS) {
		for (unsigned int k = 0; k < SK_TOP__KINDS; k++) {
			sk_top_export(&t->cur[k], &t->prev[k]);
			memset(&t->cur[k], 0, sizeof(t->cur[k]));
		}
		for (unsigned int r = 0; r < SK_DROP__MAX; r++) {
			t->drops_prev[r] = drops[r] - t->drops_mark[r];
			t->drops_mark[r] = drops[r];
		}
		/* an idle gap of more than a minute leaves an empty previous minute */
		if ((int32_t)(now_ms - t->minute_ms) >= (int32_t)(2 * TOP_MINUTE_MS)) {
			memset(t->prev, 0, sizeof(t->prev));
			memset(t->drops_prev, 0, sizeof(t->drops_prev));
		}
		t->minute_ms = now_ms;
		t->prev_valid = 1;
	}
	if (t->pub != NULL)
		publish(t, now_ms, drops);
}

struct sk_shm_top *
sk_top_shm_create(unsigned int n_workers)
{
	const struct rte_memzone *mz;
	struct sk_shm_top *s;

	if (n_workers > SK_TOP_WORKERS) {
		rte_errno = EINVAL;
		return NULL;
	}
	mz = rte_memzone_reserve(SK_SHM_TOP_NAME, sizeof(struct sk_shm_top), SOCKET_ID_ANY,
				 RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL)
		return NULL;
	s = mz->addr;
	memset(s, 0, sizeof(*s));
	s->n_workers = n_workers;
	__atomic_store_n(&s->magic, SK_TOP_MAGIC, __ATOMIC_RELEASE);
	return s;
}
