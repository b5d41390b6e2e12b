/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.c - the neighbour cache: an rte_hash (lock-free readers, one writer)
 * from {iface, family, ip} to an index into an entry array, plus the ARP/ND
 * timers the main lcore runs.
 *
 * Who writes what:
 * - entry.word (MAC + state) is written by the main lcore with one atomic
 *   release store and read by workers with an acquire load, so a reader
 *   sees either the old or the new MAC, never a mix;
 * - every other field of the entry, the free index stack and the counters
 *   are touched by the main lcore only;
 * - an entry index (and its hash key slot) goes back to the free stack only
 *   after an RCU grace period when a QSBR variable is attached: the hash's
 *   defer queue calls neigh_idx_release() once every registered worker has
 *   reported a quiescent state since the delete.  Without a QSBR variable
 *   (tests, tools) it is freed at once, which is only safe with no
 *   concurrent readers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "neigh/neigh.h"

struct sk_neigh_key {
	uint16_t iface;
	uint8_t family;
	uint8_t pad;        /* zero */
	uint8_t ip[16];     /* IPv4 in the first 4 bytes, rest zero */
};

/* word: MAC bytes 0..5 in bits 0..47 (byte i at 8*i), state in bits 48..55 */
#define SK_NEIGH_STATE_SHIFT 48

/* rte_hash refuses fewer entries than one bucket holds (private constant). */
#define SK_NEIGH_HASH_MIN 8u

struct sk_neigh_entry {
	uint64_t word;            /* shared: atomic, see above */
	/* main lcore only */
	struct sk_neigh_key key;
	uint32_t stamp_ms;        /* REACHABLE: last confirmation */
	uint32_t due_ms;          /* INCOMPLETE/STALE: next probe; FAILED: deletion */
	uint16_t probes_sent;     /* in the current INCOMPLETE/STALE round */
	uint8_t used;             /* in the hash (not deleted) */
};

struct sk_neigh {
	struct rte_hash *h;
	struct sk_neigh_entry *e;  /* nidx entries */
	uint32_t *free_idx;        /* stack of free entry indices */
	uint32_t nfree;
	uint32_t nidx;
	uint32_t max;              /* live entries allowed */
	uint32_t live;
	uint32_t reachable_ms;
	uint32_t retrans_ms;
	uint32_t probes;
	uint8_t rcu;               /* deletes are deferred by the hash's RCU defer queue */
};

static inline uint64_t
word_make(const struct rte_ether_addr *mac, enum sk_neigh_state st)
{
	uint64_t w = (uint64_t)st << SK_NEIGH_STATE_SHIFT;
	int i;

	if (mac != NULL)
		for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
			w |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	return w;
}

static inline enum sk_neigh_state
word_state(uint64_t w)
{
	return (enum sk_neigh_state)((w >> SK_NEIGH_STATE_SHIFT) & 0xff);
}

static inline void
word_mac(uint64_t w, struct rte_ether_addr *mac)
{
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(w >> (8 * i));
}

static inline int
key_make(struct sk_neigh_key *k, uint16_t iface, uint8_t family, const uint8_t ip[16])
{
	memset(k, 0, sizeof(*k));
	k->iface = iface;
	k->family = family;
	if (family == 4)
		memcpy(k->ip, ip, 4);
	else if (family == 6)
		memcpy(k->ip, ip, 16);
	else
		return -EINVAL;
	return 0;
}

/* a is at or after b on a wrapping millisecond clock */
static inline int
ms_reached(uint32_t now, uint32_t due)
{
	return (int32_t)(now - due) >= 0;
}

static void
word_store(struct sk_neigh_entry *e, uint64_t w)
{
	__atomic_store_n(&e->word, w, __ATOMIC_RELEASE);
}

/* Called by the hash (main lcore, inside a hash call) after a grace period. */
static void
neigh_idx_release(void *p, void *key_data)
{
	struct sk_neigh *n = p;
	uint32_t idx = (uint32_t)(uintptr_t)key_data;

	if (idx < n->nidx && n->nfree < n->nidx)
		n->free_idx[n->nfree++] = idx;
}

struct sk_neigh *
sk_neigh_create(const char *name, uint32_t max, struct rte_rcu_qsbr *qs, int socket)
{
	struct rte_hash_parameters hp = { 0 };
	struct sk_neigh *n;
	uint32_t i;

	/* The hash derives ring names ("HT_", "RCU_HASH_RCU_" + name) that
	 * must stay unique within RTE_RING_NAMESIZE. */
	if (name == NULL || strlen(name) == 0 || strlen(name) > SK_NEIGH_NAME_MAX ||
	    max == 0 || max > RTE_HASH_ENTRIES_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	n = rte_zmalloc_socket("sk_neigh", sizeof(*n), RTE_CACHE_LINE_SIZE, socket);
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	n->max = max;
	hp.name = name;
	hp.entries = RTE_MAX(max, SK_NEIGH_HASH_MIN);
	hp.key_len = sizeof(struct sk_neigh_key);
	hp.socket_id = socket;
	/* EXT_TABLE: every one of `entries` keys fits, whatever the hashes */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	/* One index more than the hash has key slots: a held index then never
	 * stops an add that the hash could satisfy by reclaiming its defer
	 * queue (it reclaims only when it runs out of slots itself). */
	n->nidx = hp.entries + 1;
	n->e = rte_zmalloc_socket("sk_neigh_e", n->nidx * sizeof(n->e[0]), RTE_CACHE_LINE_SIZE,
				  socket);
	n->free_idx = rte_malloc_socket("sk_neigh_f", n->nidx * sizeof(uint32_t), 0, socket);
	if (n->e == NULL || n->free_idx == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	for (i = 0; i < n->nidx; i++)
		n->free_idx[i] = n->nidx - 1 - i;
	n->nfree = n->nidx;
	n->h = rte_hash_create(&hp);
	if (n->h == NULL) {
		if (rte_errno == 0)
			rte_errno = ENOMEM;
		goto fail;
	}
	if (qs != NULL) {
		struct rte_hash_rcu_config rc = {
			.v = qs,
			.mode = RTE_HASH_QSBR_MODE_DQ,
			.free_key_data_func = neigh_idx_release,
			.key_data_ptr = n,
		};

		if (rte_hash_rcu_qsbr_add(n->h, &rc) != 0) {
			if (rte_errno == 0)
				rte_errno = EINVAL;
			goto fail;
		}
		n->rcu = 1;
	}
	sk_neigh_set_timers(n, 30000, 1000, 3);
	return n;
fail:
	sk_neigh_free(n);
	return NULL;
}

void
sk_neigh_free(struct sk_neigh *n)
{
	if (n == NULL)
		return;
	/* The hash drains its defer queue through neigh_idx_release(): free it
	 * while the index stack still exists. */
	rte_hash_free(n->h);
	rte_free(n->free_idx);
	rte_free(n->e);
	rte_free(n);
}

void
sk_neigh_set_timers(struct sk_neigh *n, uint32_t reachable_ms, uint32_t retrans_ms,
		    uint32_t probes)
{
	n->reachable_ms = RTE_MAX(reachable_ms, 1u);
	n->retrans_ms = RTE_MAX(retrans_ms, 1u);
	n->probes = RTE_MAX(probes, 1u);
}

int
sk_neigh_lookup(const struct sk_neigh *n, uint16_t iface, uint8_t family,
		const uint8_t ip[16], struct rte_ether_addr *mac)
{
	struct sk_neigh_key k;
	void *data;
	uint64_t w;

	if (key_make(&k, iface, family, ip) != 0)
		return -EINVAL;
	if (rte_hash_lookup_data(n->h, &k, &data) < 0)
		return -ENOENT;
	/* The index cannot be reused before this lcore's next quiescent state. */
	w = __atomic_load_n(&n->e[(uintptr_t)data].word, __ATOMIC_ACQUIRE);
	switch (word_state(w)) {
	case SK_NEIGH_REACHABLE:
	case SK_NEIGH_STALE:
	case SK_NEIGH_STATIC:
		word_mac(w, mac);
		return 0;
	case SK_NEIGH_INCOMPLETE:
		return -EAGAIN;
	default:
		return -EHOSTUNREACH;
	}
}

/* Main lcore: entry index of a key, or -ENOENT. */
static int
find(const struct sk_neigh *n, const struct sk_neigh_key *k)
{
	void *data;

	if (rte_hash_lookup_data(n->h, k, &data) < 0)
		return -ENOENT;
	return (int)(uintptr_t)data;
}

/* Main lcore: add a new key whose entry starts with word w. */
static int
insert(struct sk_neigh *n, const struct sk_neigh_key *k, uint64_t w, uint32_t now_ms,
       struct sk_neigh_entry **out)
{
	struct sk_neigh_entry *e;
	uint32_t idx;
	int rc;

	if (n->live >= n->max || n->nfree == 0)
		return -ENOSPC;
	idx = n->free_idx[--n->nfree];
	e = &n->e[idx];
	e->key = *k;
	e->stamp_ms = now_ms;
	e->due_ms = now_ms;
	e->probes_sent = 0;
	/* Published to readers by the hash's release store of the key. */
	word_store(e, w);
	rc = rte_hash_add_key_data(n->h, k, (void *)(uintptr_t)idx);
	if (rc != 0) {
		n->free_idx[n->nfree++] = idx;
		return rc;
	}
	e->used = 1;
	n->live++;
	*out = e;
	return 0;
}

static void
remove_entry(struct sk_neigh *n, uint32_t idx)
{
	struct sk_neigh_entry *e = &n->e[idx];
	int32_t pos;

	pos = rte_hash_del_key(n->h, &e->key);
	e->used = 0;
	n->live--;
	/* With RCU the hash frees the key slot and calls neigh_idx_release()
	 * after the grace period.  Without it nobody may be reading. */
	if (!n->rcu) {
		if (pos >= 0)
			rte_hash_free_key_with_position(n->h, pos);
		n->free_idx[n->nfree++] = idx;
	}
}

int
sk_neigh_update(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16],
		const struct rte_ether_addr *mac, enum sk_neigh_state st, uint32_t now_ms)
{
	struct sk_neigh_entry *e;
	struct sk_neigh_key k;
	int idx;

	if (mac == NULL || (st != SK_NEIGH_REACHABLE && st != SK_NEIGH_STATIC) ||
	    key_make(&k, iface, family, ip) != 0)
		return -EINVAL;
	idx = find(n, &k);
	if (idx < 0)
		return insert(n, &k, word_make(mac, st), now_ms, &e);
	e = &n->e[idx];
	/* A configured neighbour is not overridden by what the wire says. */
	if (st == SK_NEIGH_REACHABLE &&
	    word_state(__atomic_load_n(&e->word, __ATOMIC_RELAXED)) == SK_NEIGH_STATIC)
		return 0;
	e->stamp_ms = now_ms;
	e->probes_sent = 0;
	word_store(e, word_make(mac, st));
	return 0;
}

int
sk_neigh_touch(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16],
	       uint32_t now_ms)
{
	struct sk_neigh_entry *e;
	struct sk_neigh_key k;
	int rc;

	if (key_make(&k, iface, family, ip) != 0)
		return -EINVAL;
	if (find(n, &k) >= 0)
		return 0;
	rc = insert(n, &k, word_make(NULL, SK_NEIGH_INCOMPLETE), now_ms, &e);
	if (rc != 0)
		return rc;
	/* the caller sends the first probe now */
	e->probes_sent = 1;
	e->due_ms = now_ms + n->retrans_ms;
	return 1;
}

static void
probe_fill(struct sk_neigh_probe *p, const struct sk_neigh_entry *e, uint64_t w, int unicast)
{
	memset(p, 0, sizeof(*p));
	p->iface = e->key.iface;
	p->family = e->key.family;
	memcpy(p->ip, e->key.ip, sizeof(p->ip));
	p->unicast = (uint8_t)unicast;
	if (unicast)
		word_mac(w, &p->mac);
}

uint32_t
sk_neigh_tick(struct sk_neigh *n, uint32_t now_ms, struct sk_neigh_probe *probes,
	      uint32_t max)
{
	uint32_t i, cnt = 0;

	for (i = 0; i < n->nidx; i++) {
		struct sk_neigh_entry *e = &n->e[i];
		uint64_t w;

		if (!e->used)
			continue;
		w = __atomic_load_n(&e->word, __ATOMIC_RELAXED);
		switch (word_state(w)) {
		case SK_NEIGH_REACHABLE:
			if (!ms_reached(now_ms, e->stamp_ms + n->reachable_ms) || cnt >= max)
				break; /* no room for the probe: stays due */
			probe_fill(&probes[cnt++], e, w, 1);
			e->probes_sent = 1;
			e->due_ms = now_ms + n->retrans_ms;
			word_store(e, (w & ~(UINT64_C(0xff) << SK_NEIGH_STATE_SHIFT)) |
				   ((uint64_t)SK_NEIGH_STALE << SK_NEIGH_STATE_SHIFT));
			break;
		case SK_NEIGH_INCOMPLETE:
			if (!ms_reached(now_ms, e->due_ms))
				break;
			if (e->probes_sent >= n->probes) {
				e->due_ms = now_ms + SK_NEIGH_FAILED_HOLD_MS;
				word_store(e, word_make(NULL, SK_NEIGH_FAILED));
			} else if (cnt < max) {
				probe_fill(&probes[cnt++], e, w, 0);
				e->probes_sent++;
				e->due_ms = now_ms + n->retrans_ms;
			}
			break;
		case SK_NEIGH_STALE:
			if (!ms_reached(now_ms, e->due_ms))
				break;
			if (e->probes_sent >= n->probes) {
				remove_entry(n, i);
			} else if (cnt < max) {
				probe_fill(&probes[cnt++], e, w, 1);
				e->probes_sent++;
				e->due_ms = now_ms + n->retrans_ms;
			}
			break;
		case SK_NEIGH_FAILED:
			if (ms_reached(now_ms, e->due_ms))
				remove_entry(n, i);
			break;
		default: /* STATIC */
			break;
		}
	}
	return cnt;
}

int
sk_neigh_delete(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16])
{
	struct sk_neigh_key k;
	int idx;

	if (key_make(&k, iface, family, ip) != 0)
		return -EINVAL;
	idx = find(n, &k);
	if (idx < 0)
		return -ENOENT;
	remove_entry(n, (uint32_t)idx);
	return 0;
}

uint32_t
sk_neigh_count(const struct sk_neigh *n)
{
	return n->live;
}

int
sk_neigh_walk(const struct sk_neigh *n,
	      int (*cb)(uint16_t iface, uint8_t family, const uint8_t ip[16],
			const struct rte_ether_addr *mac, enum sk_neigh_state st, void *arg),
	      void *arg)
{
	uint32_t i;
	int rc;

	for (i = 0; i < n->nidx; i++) {
		const struct sk_neigh_entry *e = &n->e[i];
		struct rte_ether_addr mac;
		uint64_t w;

		if (!e->used)
			continue;
		w = __atomic_load_n(&e->word, __ATOMIC_RELAXED);
		word_mac(w, &mac);
		rc = cb(e->key.iface, e->key.family, e->key.ip, &mac, word_state(w), arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
