/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * srclim.c - per-source new-connection token buckets and concurrent counts
 * of one worker (see srclim.h for the layout and the recycling rule).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "limit/srclim.h"

_Static_assert(sizeof(struct sk_srclim_slot) == 32, "two slots per 64-byte line");

struct sk_srclim *
sk_srclim_create(uint32_t n, int socket)
{
	struct sk_srclim *s;
	uint32_t buckets;

	if (n == 0 || n > (1u << 26)) {
		rte_errno = EINVAL;
		return NULL;
	}
	buckets = rte_align32pow2(RTE_MAX(n, (uint32_t)SK_SRCLIM_WAYS) / SK_SRCLIM_WAYS);
	s = rte_zmalloc_socket("sk_srclim", sizeof(*s), RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->slots = rte_zmalloc_socket("sk_srclim_slots",
				      (size_t)buckets * SK_SRCLIM_WAYS * sizeof(*s->slots),
				      RTE_CACHE_LINE_SIZE, socket);
	if (s->slots == NULL) {
		rte_free(s);
		rte_errno = ENOMEM;
		return NULL;
	}
	s->mask = buckets - 1;
	/* seeded: a remote host cannot aim its sources at one bucket */
	s->seed = (uint32_t)rte_rand();
	return s;
}

void
sk_srclim_free(struct sk_srclim *s)
{
	if (s == NULL)
		return;
	rte_free(s->slots);
	rte_free(s);
}

static inline struct sk_srclim_slot *
bucket_of(const struct sk_srclim *s, uint8_t family, const uint8_t *addr)
{
	uint32_t h = rte_hash_crc(addr, family == 4 ? 4 : 16, s->seed ^ family);

	return &s->slots[(size_t)(h & s->mask) * SK_SRCLIM_WAYS];
}

static inline int
same(const struct sk_srclim_slot *e, uint8_t family, const uint8_t *addr)
{
	return e->family == family && memcmp(e->addr, addr, family == 4 ? 4 : 16) == 0;
}

static struct sk_srclim_slot *
find(const struct sk_srclim *s, uint8_t family, const uint8_t *addr)
{
	struct sk_srclim_slot *b = bucket_of(s, family, addr);

	for (unsigned int i = 0; i < SK_SRCLIM_WAYS; i++)
		if (same(&b[i], family, addr))
			return &b[i];
	return NULL;
}

/* The source's slot, taking a free or recyclable one; NULL: untracked. */
static struct sk_srclim_slot *
find_or_take(struct sk_srclim *s, uint8_t family, const uint8_t *addr, uint32_t now_ms)
{
	struct sk_srclim_slot *b = bucket_of(s, family, addr), *victim = NULL;

	for (unsigned int i = 0; i < SK_SRCLIM_WAYS; i++) {
		struct sk_srclim_slot *e = &b[i];

		if (same(e, family, addr))
			return e;
		if (e->family == 0) {
			if (victim == NULL || victim->family != 0)
				victim = e;
		} else if (e->conns == 0 && (victim == NULL ||
			   (victim->family != 0 &&
			    (int32_t)(e->last_ms - victim->last_ms) < 0))) {
			victim = e;
		}
	}
	if (victim == NULL)
		return NULL;
	if (victim->family != 0)
		s->st.recycled++;
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->addr, addr, family == 4 ? 4 : 16);
	victim->family = family;
	victim->last_ms = now_ms;
	victim->tokens = UINT32_MAX;  /* "full": set to the depth at the first take */
	return victim;
}

enum sk_drop_reason
sk_srclim_admit(struct sk_srclim *s, uint8_t family, const uint8_t *addr,
		const struct sk_srclim_cfg *cfg, uint32_t now_ms)
{
	struct sk_srclim_slot *e = find_or_take(s, family, addr, now_ms);

	if (e == NULL) {
		s->st.untracked++;
		return SK_DROP_NONE;
	}
	if (cfg->conn_max != 0 && e->conns >= cfg->conn_max)
		return SK_DROP_SRC_CONN_LIMIT;
	if (cfg->rate != 0) {
		uint64_t depth = (uint64_t)RTE_MAX(cfg->burst != 0 ? cfg->burst : cfg->rate, 1u) * 1000;
		uint64_t tok = e->tokens;
		int32_t dt = (int32_t)(now_ms - e->last_ms);

		/* rate tokens per second = rate thousandths per ms */
		if (dt > 0)
			tok += (uint64_t)dt * cfg->rate;
		if (tok > depth)
			tok = depth;   /* also a new slot, and a rule whose burst shrank */
		e->last_ms = now_ms;
		if (tok < 1000) {
			e->tokens = (uint32_t)tok;
			return SK_DROP_SRC_RATE_LIMIT;
		}
		e->tokens = (uint32_t)(tok - 1000);
	} else {
		e->last_ms = now_ms;
	}
	return SK_DROP_NONE;
}

int
sk_srclim_conn_add(struct sk_srclim *s, uint8_t family, const uint8_t *addr, uint32_t now_ms)
{
	struct sk_srclim_slot *e = find_or_take(s, family, addr, now_ms);

	if (e == NULL)
		return -ENOSPC;
	e->conns++;
	return 0;
}

void
sk_srclim_conn_del(struct sk_srclim *s, uint8_t family, const uint8_t *addr)
{
	struct sk_srclim_slot *e = find(s, family, addr);

	/* A counted source's slot is never recycled (conns != 0), so e is found. */
	if (e != NULL && e->conns != 0)
		e->conns--;
}

uint32_t
sk_srclim_conns(const struct sk_srclim *s, uint8_t family, const uint8_t *addr)
{
	const struct sk_srclim_slot *e = find(s, family, addr);

	return e != NULL ? e->conns : 0;
}
