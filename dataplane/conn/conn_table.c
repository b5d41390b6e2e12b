/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_table.c - the per-worker connection table: an rte_hash over the
 * canonical key, a preallocated array of connections indexed by the key's
 * rte_hash position, bulk lookup (with prefetch), and incremental aging.
 *
 * The key lives only in rte_hash (its key store); the position rte_hash
 * gives a key (unique, stable while the key is in the table, < entries) is
 * the connection's slot, so there is no free list of our own and no data
 * pointer to follow, and the array can be walked in order for aging and
 * listings without touching the hash.  A NAT connection is two slots
 * (primary and alias, linked both ways); removing either removes both.
 * The NAT-only API is in conn_nat.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
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

/*
 * memcmp(a, b, 16) < 0, = 0, > 0 as -1/0/1, without a library call per packet:
 * big-endian 64-bit words compare in the same (byte-lexicographic) order.
 */
static inline int
addr_cmp(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (int i = 0; i < 2; i++) {
		uint64_t u = rte_be_to_cpu_64(x[i]), v = rte_be_to_cpu_64(y[i]);

		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

/*
 * Find where rte_hash keeps the key of each position, so that
 * sk_conn_key_ref() is a multiply and add: rte_hash_get_key_with_position()
 * also computes the key's hash and looks it up again to validate the
 * position (DPDK 22.11), which would be a second hash lookup per NAT packet.
 * The key store is an array indexed by position (rte_cuckoo_hash); two probe
 * keys give its base and stride, from what the public call returns.  If
 * what they show does not look like such an array, key_stride stays 0 and
 * sk_conn_key_ref() asks rte_hash each time.  rte_hash_reset() then empties
 * the table and refills its free-slot ring in the original order, so the
 * probes leave no trace (connections still take slots 0, 1, 2, ... first).
 */
static void
key_store_probe(struct sk_conn_table *t)
{
	struct sk_conn_key probe[2];
	int32_t pos[2] = { -1, -1 };
	void *kp[2];
	ptrdiff_t dk, dp;

	memset(probe, 0, sizeof(probe));
	probe[0].family = probe[1].family = 0xff;   /* no packet has this family */
	probe[1].pa = 1;
	for (int i = 0; i < 2; i++) {
		pos[i] = rte_hash_add_key(t->h, &probe[i]);
		if (pos[i] < 0 || rte_hash_get_key_with_position(t->h, pos[i], &kp[i]) != 0 ||
		    memcmp(kp[i], &probe[i], sizeof(probe[i])) != 0)
			goto out;
	}
	dk = (const uint8_t *)kp[1] - (const uint8_t *)kp[0];
	dp = pos[1] - pos[0];
	if (dp == 0 || dk % dp != 0 || dk / dp < (ptrdiff_t)sizeof(struct sk_conn_key))
		goto out;
	t->key_stride = (size_t)(dk / dp);
	t->key_base = (const uint8_t *)kp[0] - (size_t)pos[0] * t->key_stride;
out:
	rte_hash_reset(t->h);
}

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
	t->n_slots = RTE_MAX(max, CONN_HASH_MIN_ENTRIES);
	t->conns = rte_zmalloc_socket("sk_conn", (size_t)t->n_slots * sizeof(*t->conns),
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->conns == NULL) {
		sk_conn_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}

	snprintf(hname, sizeof(hname), "%s", name);
	struct rte_hash_parameters hp = {
		.name = hname,
		/* Without MULTI_WRITER_ADD, positions are < entries: the slot array. */
		.entries = t->n_slots,
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
	key_store_probe(t);
	if (sk_conn_ho_init(t, socket) != 0) {
		sk_conn_table_free(t);
		rte_errno = ENOMEM;
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
	sk_conn_ho_fini(t);
	rte_free(t->conns);
	rte_free(t);
}

void
sk_conn_set_timeouts(struct sk_conn_table *t, const uint32_t timeouts[SK_TMO__MAX])
{
	for (unsigned int i = 0; i < SK_TMO__MAX; i++)
		t->tmo_ms[i] = RTE_MIN(timeouts[i], SK_CONN_TIMEOUT_MAX_S) * 1000u;
}

uint32_t
sk_conn_timeout_ms(const struct sk_conn_table *t, const struct sk_conn *c)
{
	return t->tmo_ms[c->tmo_class];
}

void
sk_conn_key_from_tuple(uint8_t family, uint8_t proto, const uint8_t *src, uint16_t sport,
		       const uint8_t *dst, uint16_t dport, struct sk_conn_key *k,
		       uint8_t *src_is_a)
{
	int c = addr_cmp(src, dst);
	uint8_t s_a = c < 0 || (c == 0 && sport <= dport);

	if (s_a) {
		memcpy(k->a, src, sizeof(k->a));
		memcpy(k->b, dst, sizeof(k->b));
		k->pa = sport;
		k->pb = dport;
	} else {
		memcpy(k->a, dst, sizeof(k->a));
		memcpy(k->b, src, sizeof(k->b));
		k->pa = dport;
		k->pb = sport;
	}
	k->proto = proto;
	k->family = family;
	k->pad = 0;
	*src_is_a = s_a;
}

void
sk_conn_key_from_meta(const struct sk_pkt_meta *m, struct sk_conn_key *k, uint8_t *src_is_a)
{
	sk_conn_key_from_tuple(m->family, m->proto, m->src, m->sport, m->dst, m->dport, k,
			       src_is_a);
}

void
sk_conn_lookup_burst(struct sk_conn_table *t, const struct sk_conn_key *keys, uint16_t n,
		     struct sk_conn *out[])
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];

	/* Bursts are at most 64; longer input is served in chunks rather than overrun. */
	for (uint16_t base = 0; base < n; base += RTE_HASH_LOOKUP_BULK_MAX) {
		uint32_t cnt = RTE_MIN((uint32_t)(n - base), (uint32_t)RTE_HASH_LOOKUP_BULK_MAX);

		for (uint32_t i = 0; i < cnt; i++)
			kp[i] = &keys[base + i];
		rte_hash_lookup_bulk(t->h, kp, cnt, pos);
		/*
		 * Prefetch every hit now: the caller updates them one after the
		 * other, and without this each update waits for its own miss.
		 * A 48-byte slot may straddle two cache lines: fetch both ends.
		 */
		for (uint32_t i = 0; i < cnt; i++) {
			struct sk_conn *c = NULL;

			if (pos[i] >= 0) {
				c = &t->conns[pos[i]];
				rte_prefetch0(c);
				rte_prefetch0((const char *)(c + 1) - 1);
			}
			out[base + i] = c;
		}
	}
}

struct sk_conn *
sk_conn_lookup(struct sk_conn_table *t, const struct sk_conn_key *k)
{
	int32_t pos = rte_hash_lookup(t->h, k);

	return pos < 0 ? NULL : &t->conns[pos];
}

int32_t
sk_conn_slot_take(struct sk_conn_table *t, const struct sk_conn_key *k)
{
	/* An existing key gives its own position back: it is live, hence EEXIST. */
	int32_t pos = rte_hash_add_key(t->h, k);

	if (pos < 0)
		return -ENOSPC;
	if (t->conns[pos].flags & SK_CONN_F_LIVE)
		return -EEXIST;
	t->conns[pos].flags = SK_CONN_F_LIVE;
	t->slots++;
	return pos;
}

void
sk_conn_slot_put(struct sk_conn_table *t, struct sk_conn *c)
{
	struct sk_conn_key k;

	/* The key is copied out first: rte_hash is about to recycle its slot. */
	memcpy(&k, sk_conn_key_ref(t, c), sizeof(k));
	RTE_VERIFY(rte_hash_del_key(t->h, &k) == (int32_t)(c - t->conns));
	/* Whole slot: a stale pointer (same burst) must not follow nat/link. */
	memset(c, 0, sizeof(*c));
	t->slots--;
}

void
sk_conn_init(struct sk_conn *c, uint8_t proto, uint8_t src_is_a, const struct sk_pkt_meta *m,
	     uint32_t now_ms, uint32_t rule_id, uint32_t gen)
{
	memset(c, 0, sizeof(*c));
	c->proto = proto;
	c->flags = SK_CONN_F_LIVE | (src_is_a ? SK_CONN_F_ORIG_IS_A : 0);
	c->in_iface = (uint8_t)m->in_iface;
	c->out_iface = (uint8_t)m->out_iface;
	c->rule_id = rule_id;
	c->gen = gen;
	sk_conn_state_first(c, m, now_ms);
}

struct sk_conn *
sk_conn_create(struct sk_conn_table *t, const struct sk_conn_key *k,
	       uint8_t src_is_a, const struct sk_pkt_meta *m,
	       uint32_t now_ms, uint32_t rule_id, uint32_t gen)
{
	int32_t pos;

	sk_conn_ho_make_room(t, 1);
	if (t->slots >= t->max) {
		/* Two packets of one new flow in a burst both miss the bulk lookup. */
		if (rte_hash_lookup(t->h, k) >= 0) {
			rte_errno = EEXIST;
			return NULL;
		}
		t->st.refused++;
		rte_errno = ENOSPC;
		return NULL;
	}
	pos = sk_conn_slot_take(t, k);
	if (pos < 0) {
		/* ENOSPC cannot happen with extendable buckets and a free slot; counted anyway */
		if (pos == -ENOSPC)
			t->st.refused++;
		rte_errno = -pos;
		return NULL;
	}
	sk_conn_init(&t->conns[pos], k->proto, src_is_a, m, now_ms, rule_id, gen);
	sk_conn_ho_change(t, &t->conns[pos], SK_TMO__MAX, t->conns[pos].tmo_class);
	t->count++;
	t->st.created++;
	if (t->notify != NULL)
		t->notify(t->notify_arg, t, &t->conns[pos], SK_CONN_EV_CREATE);
	return &t->conns[pos];
}

const struct sk_conn_key *
sk_conn_key_ref(const struct sk_conn_table *t, const struct sk_conn *c)
{
	size_t idx = (size_t)(c - t->conns);
	void *kp = NULL;

	if (likely(t->key_stride != 0))
		return (const struct sk_conn_key *)(const void *)(t->key_base + idx * t->key_stride);
	(void)rte_hash_get_key_with_position(t->h, (int32_t)idx, &kp);
	return kp;
}

int
sk_conn_key_get(const struct sk_conn_table *t, const struct sk_conn *c, struct sk_conn_key *k)
{
	uintptr_t idx = (uintptr_t)(c - t->conns);

	if (idx >= t->n_slots || !(c->flags & SK_CONN_F_LIVE))
		return -ENOENT;
	memcpy(k, sk_conn_key_ref(t, c), sizeof(*k));
	return 0;
}

/* Remove connection p (not an alias) and, for NAT, its alias; count-- once. */
void
sk_conn_remove(struct sk_conn_table *t, struct sk_conn *p)
{
	if (t->notify != NULL)
		t->notify(t->notify_arg, t, p, SK_CONN_EV_GONE);
	sk_conn_ho_change(t, p, p->tmo_class, SK_TMO__MAX);
	if (p->nat == 0 && (p->flags & SK_CONN_F_COUNTED) && t->release != NULL)
		t->release(t->release_arg, p, NULL);
	if (p->nat != 0) {
		struct sk_conn *a = &t->conns[p->link];

		RTE_VERIFY((a->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) ==
			   (SK_CONN_F_LIVE | SK_CONN_F_ALIAS) &&
			   &t->conns[a->link] == p);
		if (t->release != NULL)
			t->release(t->release_arg, p, a);
		sk_conn_slot_put(t, a);
	}
	sk_conn_slot_put(t, p);
	t->count--;
}

void
sk_conn_delete(struct sk_conn_table *t, struct sk_conn *c)
{
	sk_conn_remove(t, sk_conn_primary(t, c));
	t->st.deleted++;
}
uint32_t
sk_conn_age(struct sk_conn_table *t, uint32_t now_ms, uint32_t budget)
{
	uint32_t cur = t->age_cursor, expired = 0;

	budget = RTE_MIN(budget, t->n_slots);
	while (budget--) {
		struct sk_conn *c = &t->conns[cur];

		/*
		 * Signed difference: the ms clock wraps every ~49 days.  An
		 * alias has no clock of its own: it goes with its primary.
		 */
		if ((c->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) == SK_CONN_F_LIVE &&
		    (int32_t)(now_ms - c->last_ms) > (int32_t)t->tmo_ms[c->tmo_class]) {
			sk_conn_remove(t, c);
			expired++;
		}
		if (++cur == t->n_slots)
			cur = 0;
	}
	t->age_cursor = cur;
	t->st.expired += expired;
	return expired;
}

uint32_t
sk_conn_count(const struct sk_conn_table *t)
{
	return t->count;
}

uint32_t
sk_conn_slots_used(const struct sk_conn_table *t)
{
	return t->slots;
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
	st->halfopen = t->halfopen;
}

struct sk_conn *
sk_conn_slot_at(struct sk_conn_table *t, uint32_t i)
{
	struct sk_conn *c = &t->conns[i];

	return (c->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) == SK_CONN_F_LIVE ? c : NULL;
}

uint32_t
sk_conn_slots_total(const struct sk_conn_table *t)
{
	return t->n_slots;
}

uint32_t
sk_conn_slot_index(const struct sk_conn_table *t, const struct sk_conn *c)
{
	return (uint32_t)(c - t->conns);
}

void
sk_conn_set_notify(struct sk_conn_table *t, sk_conn_notify_cb cb, void *arg)
{
	t->notify = cb;
	t->notify_arg = arg;
}

int
sk_conn_walk(struct sk_conn_table *t, int (*cb)(const struct sk_conn *c, void *arg), void *arg)
{
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct sk_conn *c = &t->conns[i];
		int rc;

		if ((c->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) != SK_CONN_F_LIVE)
			continue;
		rc = cb(c, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
sk_conn_walk_step(struct sk_conn_table *t, uint32_t *cursor, uint32_t budget,
		  int (*cb)(const struct sk_conn *c, void *arg), void *arg)
{
	uint32_t i = *cursor, end;

	if (i >= t->n_slots) {
		*cursor = SK_CONN_WALK_END;
		return 0;
	}
	end = t->n_slots - i > budget ? i + budget : t->n_slots;
	for (; i < end; i++) {
		const struct sk_conn *c = &t->conns[i];
		int rc;

		if ((c->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) != SK_CONN_F_LIVE)
			continue;
		rc = cb(c, arg);
		if (rc != 0) {
			*cursor = i + 1 < t->n_slots ? i + 1 : SK_CONN_WALK_END;
			return rc;
		}
	}
	*cursor = i < t->n_slots ? i : SK_CONN_WALK_END;
	return 0;
}
