/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_table.c - the per-worker connection table: an rte_hash from the
 * canonical key to a slot index, a preallocated array of connections with a
 * stack of free slots, bulk lookup, and incremental aging.
 *
 * The hash stores the slot index as its data pointer so that a lookup is one
 * probe into the hash plus one array access, and the array can be walked in
 * order for aging and listings without touching the hash.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "conn/conn_priv.h"

/* Longest name whose derived ring memzone names ("RG_HT_EXT_<name>") still fit. */
#define CONN_NAME_MAX 20
/* rte_hash refuses fewer entries than one bucket holds (8 in rte_cuckoo_hash.h). */
#define CONN_HASH_MIN_ENTRIES 8u

static const uint32_t default_timeouts_s[SK_TMO__MAX] = {
#define SK_TMO_DEFAULT(e, k, d) [SK_TMO_##e] = d,
	SK_TIMEOUT_LIST(SK_TMO_DEFAULT)
#undef SK_TMO_DEFAULT
};

struct sk_conn_table *
sk_conn_table_create(const char *name, uint32_t max, int socket)
{
	struct sk_conn_table *t;
	char hname[RTE_HASH_NAMESIZE];

	if (name == NULL || name[0] == '\0' || strlen(name) > CONN_NAME_MAX ||
	    max == 0 || max > RTE_HASH_ENTRIES_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sk_conn_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->max = max;
	t->conns = rte_zmalloc_socket("sk_conn", (size_t)max * sizeof(*t->conns),
				      RTE_CACHE_LINE_SIZE, socket);
	t->free_idx = rte_malloc_socket("sk_conn_free", (size_t)max * sizeof(*t->free_idx),
					RTE_CACHE_LINE_SIZE, socket);
	if (t->conns == NULL || t->free_idx == NULL) {
		sk_conn_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Stack: slot 0 on top, so a fresh table fills the array from the front. */
	for (uint32_t i = 0; i < max; i++)
		t->free_idx[i] = max - 1 - i;
	t->n_free = max;

	snprintf(hname, sizeof(hname), "%s", name);
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = RTE_MAX(max, CONN_HASH_MIN_ENTRIES),
		.key_len = sizeof(struct sk_conn_key),
		.hash_func = rte_hash_crc,
		/* A per-table random seed keeps remote hosts from choosing collisions. */
		.hash_func_init_val = (uint32_t)rte_rand(),
		.socket_id = socket,
		/*
		 * Extendable buckets: an insert then only fails when all
		 * entries are used, so "full" means max connections, not a
		 * cuckoo path that happened to run out near full load.
		 */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	t->h = rte_hash_create(&hp);
	if (t->h == NULL) {
		int err = rte_errno;
		sk_conn_table_free(t);
		rte_errno = err;
		return NULL;
	}
	sk_conn_set_timeouts(t, default_timeouts_s);
	return t;
}

void
sk_conn_table_free(struct sk_conn_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->conns);
	rte_free(t->free_idx);
	rte_free(t);
}

void
sk_conn_set_timeouts(struct sk_conn_table *t, const uint32_t timeouts[SK_TMO__MAX])
{
	for (unsigned int i = 0; i < SK_TMO__MAX; i++)
		t->tmo_ms[i] = RTE_MIN(timeouts[i], SK_CONN_TIMEOUT_MAX_S) * 1000u;
}

void
sk_conn_key_from_meta(const struct sk_pkt_meta *m, struct sk_conn_key *k, uint8_t *src_is_a)
{
	int c = memcmp(m->src, m->dst, sizeof(m->src));
	uint8_t s_a = c < 0 || (c == 0 && m->sport <= m->dport);

	if (s_a) {
		memcpy(k->a, m->src, sizeof(k->a));
		memcpy(k->b, m->dst, sizeof(k->b));
		k->pa = m->sport;
		k->pb = m->dport;
	} else {
		memcpy(k->a, m->dst, sizeof(k->a));
		memcpy(k->b, m->src, sizeof(k->b));
		k->pa = m->dport;
		k->pb = m->sport;
	}
	k->proto = m->proto;
	k->family = m->family;
	k->pad = 0;
	*src_is_a = s_a;
}

static inline struct sk_conn *
conn_of_data(struct sk_conn_table *t, void *data)
{
	return &t->conns[(uintptr_t)data];
}

void
sk_conn_lookup_burst(struct sk_conn_table *t, const struct sk_conn_key *keys, uint16_t n,
		     struct sk_conn *out[])
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];

	/* Bursts are at most 64; longer input is served in chunks rather than overrun. */
	for (uint16_t base = 0; base < n; base += RTE_HASH_LOOKUP_BULK_MAX) {
		uint32_t cnt = RTE_MIN((uint32_t)(n - base), (uint32_t)RTE_HASH_LOOKUP_BULK_MAX);
		uint64_t hits = 0;

		for (uint32_t i = 0; i < cnt; i++)
			kp[i] = &keys[base + i];
		rte_hash_lookup_bulk_data(t->h, kp, cnt, &hits, data);
		for (uint32_t i = 0; i < cnt; i++)
			out[base + i] = (hits >> i) & 1 ? conn_of_data(t, data[i]) : NULL;
	}
}

struct sk_conn *
sk_conn_lookup(struct sk_conn_table *t, const struct sk_conn_key *k)
{
	void *data;

	if (rte_hash_lookup_data(t->h, k, &data) < 0)
		return NULL;
	return conn_of_data(t, data);
}

struct sk_conn *
sk_conn_create(struct sk_conn_table *t, const struct sk_conn_key *k,
	       uint8_t src_is_a, const struct sk_pkt_meta *m,
	       uint32_t now_ms, uint32_t rule_id, uint32_t gen)
{
	hash_sig_t sig = rte_hash_hash(t->h, k);
	struct sk_conn *c;
	uint32_t idx;

	/* Two packets of one new flow in a burst both miss the bulk lookup. */
	if (rte_hash_lookup_with_hash(t->h, k, sig) >= 0) {
		rte_errno = EEXIST;
		return NULL;
	}
	if (t->n_free == 0) {
		t->st.refused++;
		rte_errno = ENOSPC;
		return NULL;
	}
	idx = t->free_idx[t->n_free - 1];
	if (rte_hash_add_key_with_hash_data(t->h, k, sig, (void *)(uintptr_t)idx) < 0) {
		/* cannot happen with extendable buckets and a free slot; count it anyway */
		t->st.refused++;
		rte_errno = ENOSPC;
		return NULL;
	}
	t->n_free--;

	c = &t->conns[idx];
	memset(c, 0, sizeof(*c));
	c->key = *k;
	c->orig_is_a = src_is_a;
	c->flags = SK_CONN_F_LIVE;
	c->in_iface = m->in_iface;
	c->out_iface = m->out_iface;
	c->rule_id = rule_id;
	c->gen = gen;
	sk_conn_state_first(t, c, m, now_ms);
	t->st.created++;
	return c;
}

static void
conn_remove(struct sk_conn_table *t, struct sk_conn *c)
{
	uint32_t idx = (uint32_t)(c - t->conns);

	RTE_VERIFY(idx < t->max && (c->flags & SK_CONN_F_LIVE));
	rte_hash_del_key(t->h, &c->key);
	c->flags = 0;
	t->free_idx[t->n_free++] = idx;
}

void
sk_conn_delete(struct sk_conn_table *t, struct sk_conn *c)
{
	conn_remove(t, c);
	t->st.deleted++;
}

uint32_t
sk_conn_age(struct sk_conn_table *t, uint32_t now_ms, uint32_t budget)
{
	uint32_t cur = t->age_cursor, expired = 0;

	budget = RTE_MIN(budget, t->max);
	while (budget--) {
		struct sk_conn *c = &t->conns[cur];

		/* Signed difference: the ms clock wraps every ~49 days. */
		if ((c->flags & SK_CONN_F_LIVE) &&
		    (int32_t)(now_ms - c->last_ms) > (int32_t)c->timeout_ms) {
			conn_remove(t, c);
			expired++;
		}
		if (++cur == t->max)
			cur = 0;
	}
	t->age_cursor = cur;
	t->st.expired += expired;
	return expired;
}

uint32_t
sk_conn_count(const struct sk_conn_table *t)
{
	return t->max - t->n_free;
}

uint32_t
sk_conn_capacity(const struct sk_conn_table *t)
{
	return t->max;
}

void
sk_conn_stats_get(const struct sk_conn_table *t, struct sk_conn_stats *st)
{
	*st = t->st;
	st->active = sk_conn_count(t);
}

int
sk_conn_walk(struct sk_conn_table *t, int (*cb)(const struct sk_conn *c, void *arg), void *arg)
{
	for (uint32_t i = 0; i < t->max; i++) {
		const struct sk_conn *c = &t->conns[i];
		int rc;

		if (!(c->flags & SK_CONN_F_LIVE))
			continue;
		rc = cb(c, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
