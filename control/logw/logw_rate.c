/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_rate.c - the log writer's rate limits: one token bucket per rule (per
 * zone pair for zone defaults, per word for events) and one over everything,
 * plus the bookkeeping for "rule X: N records suppressed" summaries.
 *
 * The table is allocated once and never grows: its keys come from the config
 * (rules, zone pairs) and from event words the daemon chooses, not from
 * packet contents, and past SK_LOGW_BUCKETS_USED keys share one overflow
 * bucket, so no input can make the limiter itself allocate.
 *
 * Buckets with suppressed records wait in a FIFO ordered by their first
 * suppression; a summary is due one second after that, so every rule gets at
 * most one summary line per second and the check costs O(1) when none is due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "logw_priv.h"

static uint64_t
mix(uint64_t k)
{
	/* splitmix64's finaliser: rule ids are small and dense. */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	return k ^ (k >> 31);
}

void
sk_logw_tb_refill(struct sk_logw_tb *tb, uint64_t rate, uint64_t burst, uint64_t now)
{
	uint64_t full = burst * SK_LOGW_NS, dt;

	if (now <= tb->last_ns) {
		/* A clock that went back refills nothing. */
		if (tb->tokens > full)
			tb->tokens = full;
		return;
	}
	dt = now - tb->last_ns;
	tb->last_ns = now;
	/* Past the time a refill from empty takes, the bucket is full: this also
	 * keeps rate * dt from overflowing. */
	if (dt >= full / rate + 1 || tb->tokens + dt * rate >= full)
		tb->tokens = full;
	else
		tb->tokens += dt * rate;
}

static int
tb_take(struct sk_logw_tb *tb, uint64_t rate, uint64_t burst, uint64_t now)
{
	sk_logw_tb_refill(tb, rate, burst, now);
	if (tb->tokens < SK_LOGW_NS)
		return 0;
	tb->tokens -= SK_LOGW_NS;
	return 1;
}

int
sk_logw_rate_init(struct sk_logw_rate *r, uint64_t rate, uint64_t burst, uint64_t rate_total,
		  uint64_t now)
{
	memset(r, 0, sizeof(*r));
	r->b = calloc(SK_LOGW_BUCKETS + 1, sizeof(*r->b));
	if (r->b == NULL)
		return -ENOMEM;
	r->head = r->tail = SK_LOGW_NONE;
	r->rate = rate;
	r->burst = burst;
	r->rate_total = rate_total;
	r->global.tokens = rate_total * SK_LOGW_NS;
	r->global.last_ns = now;
	r->summary.tokens = SK_LOGW_SUMMARY_PER_S * SK_LOGW_NS;
	r->summary.last_ns = now;
	/* The overflow bucket is always there. */
	r->b[SK_LOGW_BUCKETS].used = 1;
	r->b[SK_LOGW_BUCKETS].tb.tokens = burst * SK_LOGW_NS;
	r->b[SK_LOGW_BUCKETS].tb.last_ns = now;
	r->b[SK_LOGW_BUCKETS].next = SK_LOGW_NONE;
	strcpy(r->b[SK_LOGW_BUCKETS].name, "(other rules)");
	return 0;
}

void
sk_logw_rate_fini(struct sk_logw_rate *r)
{
	free(r->b);
	r->b = NULL;
}

void
sk_logw_rate_set(struct sk_logw_rate *r, uint64_t rate, uint64_t burst, uint64_t rate_total,
		 uint64_t now)
{
	uint32_t i;

	r->rate = rate;
	r->burst = burst;
	r->rate_total = rate_total;
	/* Refill with the old settings is skipped: clamp to the new depth. */
	for (i = 0; i <= SK_LOGW_BUCKETS; i++)
		if (r->b[i].used)
			sk_logw_tb_refill(&r->b[i].tb, rate, burst, now);
	sk_logw_tb_refill(&r->global, rate_total, rate_total, now);
}

struct sk_logw_bucket *
sk_logw_rate_bucket(struct sk_logw_rate *r, uint64_t key, uint64_t now)
{
	uint32_t mask = SK_LOGW_BUCKETS - 1, i = (uint32_t)mix(key) & mask;
	struct sk_logw_bucket *b;

	for (;;) {
		b = &r->b[i];
		if (!b->used)
			break;
		if (b->key == key)
			return b;
		i = (i + 1) & mask;
	}
	if (r->used >= SK_LOGW_BUCKETS_USED)
		return &r->b[SK_LOGW_BUCKETS];
	r->used++;
	b->used = 1;
	b->key = key;
	b->tb.tokens = r->burst * SK_LOGW_NS;
	b->tb.last_ns = now;
	b->next = SK_LOGW_NONE;
	return b;
}

static void
enqueue(struct sk_logw_rate *r, struct sk_logw_bucket *b)
{
	uint32_t idx = (uint32_t)(b - r->b);

	b->queued = 1;
	b->next = SK_LOGW_NONE;
	if (r->tail == SK_LOGW_NONE)
		r->head = idx;
	else
		r->b[r->tail].next = idx;
	r->tail = idx;
}

int
sk_logw_rate_take(struct sk_logw_rate *r, struct sk_logw_bucket *b, int use_global,
		  uint64_t now, int *fresh)
{
	*fresh = 0;
	if (!tb_take(&b->tb, r->rate, r->burst, now)) {
		if (b->pending++ == 0) {
			b->since_ns = now;
			*fresh = 1;
			enqueue(r, b);
		}
		return 0;
	}
	if (use_global && !tb_take(&r->global, r->rate_total, r->rate_total, now)) {
		/* The rule's token is not given back: under a global flood every
		 * rule is throttled, which is the point. */
		if (r->global_pending++ == 0)
			r->global_since_ns = now;
		return 0;
	}
	return 1;
}

struct sk_logw_bucket *
sk_logw_rate_due(struct sk_logw_rate *r, uint64_t now, int *global, uint64_t *count)
{
	struct sk_logw_bucket *b;

	*global = 0;
	if (r->global_pending && now - r->global_since_ns >= SK_LOGW_NS) {
		/* The global summary does not spend the per-rule summary budget. */
		*global = 1;
		*count = r->global_pending;
		r->global_pending = 0;
		return NULL;
	}
	if (r->head == SK_LOGW_NONE)
		return NULL;
	b = &r->b[r->head];
	if (now - b->since_ns < SK_LOGW_NS)
		return NULL;
	/* Summaries of many rules are bounded too; the rest wait their turn. */
	if (!tb_take(&r->summary, SK_LOGW_SUMMARY_PER_S, SK_LOGW_SUMMARY_PER_S, now))
		return NULL;
	r->head = b->next;
	if (r->head == SK_LOGW_NONE)
		r->tail = SK_LOGW_NONE;
	b->queued = 0;
	b->next = SK_LOGW_NONE;
	*count = b->pending;
	b->pending = 0;
	return b;
}
