/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat_port.c - full-NAT source ports: per-worker port blocks, and inside a
 * block the choice of a port whose reply the NIC's Toeplitz RSS steers to
 * the worker that owns the connection.
 *
 * Toeplitz is linear over GF(2): hash(a ^ b) = hash(a) ^ hash(b).  Flipping
 * a set of bits of the reply's destination port therefore flips the low k
 * hash bits (the RETA index) by a fixed amount that depends only on the key.
 * At create time we hash each single port bit with rte_softrss (the key's
 * columns), pick k of the low SK_NAT_PORT_ALIGN_LOG bits whose columns are
 * independent, and tabulate, for every k-bit index difference, the port bits
 * to flip.  Per call: one rte_softrss_be of the reply tuple and one table
 * lookup.
 *
 * Why not rte_thash_add_helper()/rte_thash_get_complement(): the helper
 * writes a random m-sequence into the key bits under the subtuple (its key
 * must then be programmed into the NIC).  Our ports run a fixed symmetric
 * key that plain firewalled flows rely on, so the helper's key would not be
 * the NIC's.  The complement table here is the helper's, computed for the
 * key as it is.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_thash.h>

#include "nat/nat.h"

/* Port bits the RSS fix-up may flip: blocks are aligned to 2^this. */
#define NAT_ALIGN_LOG 9u
#define NAT_ALIGN (1u << NAT_ALIGN_LOG)
#define NAT_PORT_SPACE (65536u - SK_NAT_PORT_LO)
/* rte_softrss reads one key word past the tuple: IPv6 L4 tuple + 1 word. */
#define NAT_KEY_MIN ((RTE_THASH_V6_L4_LEN + 1) * 4)
#define NAT_KEY_MAX 64u

/* The fix-up tables of one address family (the key columns differ by offset). */
struct nat_rss_fam {
	/* flip[d]: port bits to flip to change the RETA index by d */
	uint16_t flip[NAT_ALIGN];
	/* spread[s]: s's bits deposited into the low port bits not used by flip */
	uint16_t spread[NAT_ALIGN];
};

struct sk_nat_rss {
	uint32_t key_be[NAT_KEY_MAX / 4]; /* rte_convert_rss_key() form, for rte_softrss_be */
	uint32_t reta_log;                /* k */
	uint32_t n_workers;
	struct nat_rss_fam fam[2];        /* [0] IPv4, [1] IPv6 */
};

/* Block size for n workers: aligned to NAT_ALIGN whenever a block can hold that much. */
static inline uint32_t
nat_block_size(unsigned int n_workers)
{
	uint32_t raw = NAT_PORT_SPACE / n_workers;

	return raw >= NAT_ALIGN ? raw & ~(NAT_ALIGN - 1) : raw;
}

int
sk_nat_port_owner(uint16_t port, unsigned int n_workers)
{
	uint32_t w;

	if (port < SK_NAT_PORT_LO || n_workers == 0 || n_workers > NAT_PORT_SPACE)
		return -1;
	w = (port - SK_NAT_PORT_LO) / nat_block_size(n_workers);
	return w < n_workers ? (int)w : -1;
}

/*
 * The reply's tuple as the NIC hashes it (src = backend, dst = snat,
 * sport = bport, dport = port), in the CPU byte order rte_softrss wants.
 * Returns its length in 32-bit words.
 */
static inline uint32_t
nat_reply_tuple(union rte_thash_tuple *t, uint8_t family, const uint8_t *snat,
		const uint8_t *backend, uint16_t bport, uint16_t port)
{
	uint32_t w;
	int i;

	if (family == 4) {
		memcpy(&w, backend, 4);
		t->v4.src_addr = rte_be_to_cpu_32(w);
		memcpy(&w, snat, 4);
		t->v4.dst_addr = rte_be_to_cpu_32(w);
		t->v4.sport = bport;
		t->v4.dport = port;
		return RTE_THASH_V4_L4_LEN;
	}
	for (i = 0; i < 4; i++) {
		memcpy(&w, backend + 4 * i, 4);
		w = rte_be_to_cpu_32(w);
		memcpy(t->v6.src_addr + 4 * i, &w, 4);
		memcpy(&w, snat + 4 * i, 4);
		w = rte_be_to_cpu_32(w);
		memcpy(t->v6.dst_addr + 4 * i, &w, 4);
	}
	t->v6.sport = bport;
	t->v6.dport = port;
	return RTE_THASH_V6_L4_LEN;
}

/*
 * Fill one family's tables.  Column b = low k bits of the hash of a tuple
 * whose only set bit is destination-port bit b.  Greedy elimination over
 * bits 0..NAT_ALIGN_LOG-1 keeps the lowest independent ones.
 */
static int
nat_rss_fam_init(struct sk_nat_rss *r, struct nat_rss_fam *f, uint8_t family)
{
	static const uint8_t zero[16];
	uint32_t kmask = (1u << r->reta_log) - 1;
	uint32_t basis[NAT_ALIGN_LOG];  /* reduced column, indexed by its leading bit */
	uint16_t bmask[NAT_ALIGN_LOG];  /* port bits that make up that reduced column */
	uint16_t pivots = 0;
	uint32_t rank = 0, b, d, s, free_bits, nfree;
	union rte_thash_tuple t;

	memset(basis, 0, sizeof(basis));
	memset(bmask, 0, sizeof(bmask));
	for (b = 0; b < NAT_ALIGN_LOG && rank < r->reta_log; b++) {
		uint32_t len = nat_reply_tuple(&t, family, zero, zero, 0, (uint16_t)(1u << b));
		uint32_t col = rte_softrss_be((uint32_t *)&t, len, (const uint8_t *)r->key_be) & kmask;
		uint16_t cm = (uint16_t)(1u << b);
		int top;

		/* Reduce col against the basis, highest leading bit first. */
		for (top = (int)r->reta_log - 1; top >= 0 && col != 0; top--) {
			if (!(col & (1u << top)))
				continue;
			if (basis[top] == 0)
				break;
			col ^= basis[top];
			cm ^= bmask[top];
		}
		if (col == 0)
			continue; /* dependent on bits already chosen */
		basis[top] = col;
		bmask[top] = cm;
		pivots |= (uint16_t)(1u << b);
		rank++;
	}
	if (rank < r->reta_log)
		return -ENOTSUP;

	/* Every index difference d is a unique XOR of basis vectors. */
	for (d = 0; d <= kmask; d++) {
		uint32_t rem = d;
		uint16_t flip = 0;
		int top;

		for (top = (int)r->reta_log - 1; top >= 0; top--) {
			if (rem & (1u << top)) {
				rem ^= basis[top];
				flip ^= bmask[top];
			}
		}
		f->flip[d] = flip;
	}

	free_bits = (NAT_ALIGN - 1) & ~(uint32_t)pivots;
	nfree = NAT_ALIGN_LOG - r->reta_log;
	for (s = 0; s < (1u << nfree); s++) {
		uint32_t fb = free_bits, out = 0, i;

		for (i = 0; i < nfree; i++) {
			uint32_t low = fb & -fb;

			if (s & (1u << i))
				out |= low;
			fb &= fb - 1;
		}
		f->spread[s] = (uint16_t)out;
	}
	return 0;
}

struct sk_nat_rss *
sk_nat_rss_create(const char *name, const uint8_t *key, uint32_t key_len, uint32_t reta_size,
		  unsigned int n_workers)
{
	struct sk_nat_rss *r;
	uint32_t kb[NAT_KEY_MAX / 4];

	if (name == NULL || key == NULL || key_len < NAT_KEY_MIN || key_len > NAT_KEY_MAX ||
	    key_len % 4 != 0 || !rte_is_power_of_2(reta_size) || reta_size > NAT_ALIGN ||
	    n_workers == 0 || n_workers > reta_size ||
	    nat_block_size(n_workers) < NAT_ALIGN) {
		rte_errno = EINVAL;
		return NULL;
	}
	r = rte_zmalloc(name, sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (r == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(kb, 0, sizeof(kb));
	memcpy(kb, key, key_len);
	rte_convert_rss_key(kb, r->key_be, (int)key_len);
	r->reta_log = rte_log2_u32(reta_size);
	r->n_workers = n_workers;
	if (nat_rss_fam_init(r, &r->fam[0], 4) != 0 || nat_rss_fam_init(r, &r->fam[1], 6) != 0) {
		/* This key cannot steer through the low port bits. */
		rte_free(r);
		rte_errno = ENOTSUP;
		return NULL;
	}
	return r;
}

void
sk_nat_rss_free(struct sk_nat_rss *r)
{
	rte_free(r);
}

unsigned int
sk_nat_rss_worker(const struct sk_nat_rss *r, uint8_t family, uint8_t proto,
		  const uint8_t src[16], uint16_t sport, const uint8_t dst[16], uint16_t dport)
{
	union rte_thash_tuple t;
	uint32_t len, h;

	/* nat_reply_tuple's "backend" is the source, its "snat" the destination. */
	len = nat_reply_tuple(&t, family, dst, src, sport, dport);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		len = family == 4 ? RTE_THASH_V4_L3_LEN : RTE_THASH_V6_L3_LEN;
	h = rte_softrss_be((uint32_t *)&t, len, (const uint8_t *)r->key_be);
	return (h & ((1u << r->reta_log) - 1)) % r->n_workers;
}

int
sk_nat_snat_port(const struct sk_nat_rss *r, unsigned int n_workers, unsigned int worker,
		 uint8_t family, uint8_t proto, const uint8_t snat[16], const uint8_t backend[16],
		 uint16_t bport, uint32_t seed, uint32_t attempt, uint16_t *port)
{
	uint32_t bsize, lo, k, n_idx, slots, t, slot, idx, p, nfree;
	uint64_t total;
	const struct nat_rss_fam *f;
	union rte_thash_tuple tup;
	uint32_t len, h;

	if (n_workers == 0 || n_workers > NAT_PORT_SPACE || worker >= n_workers ||
	    (family != 4 && family != 6) || (proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    (r != NULL && r->n_workers != n_workers))
		return -EINVAL;
	bsize = nat_block_size(n_workers);
	lo = SK_NAT_PORT_LO + worker * bsize;

	if (r == NULL) {
		if (attempt >= bsize)
			return -ENOSPC;
		*port = (uint16_t)(lo + (seed % bsize + attempt) % bsize);
		return 0;
	}

	/*
	 * A candidate is (slot, idx): slot sets every block bit but the k
	 * fix-up bits, idx is one of the RETA indices the worker's queue has
	 * (worker, worker + n, ...).  Distinct attempts give distinct pairs,
	 * hence distinct ports.
	 */
	k = r->reta_log;
	n_idx = ((1u << k) - 1 - worker) / n_workers + 1;
	slots = bsize >> k;
	total = (uint64_t)slots * n_idx;
	if (attempt >= total)
		return -ENOSPC;
	t = (uint32_t)((seed % total + attempt) % total);
	slot = t % slots;
	idx = worker + (t / slots) * n_workers;

	f = &r->fam[family == 6];
	nfree = NAT_ALIGN_LOG - k;
	p = lo + ((slot >> nfree) << NAT_ALIGN_LOG) + f->spread[slot & ((1u << nfree) - 1)];
	len = nat_reply_tuple(&tup, family, snat, backend, bport, (uint16_t)p);
	h = rte_softrss_be((uint32_t *)&tup, len, (const uint8_t *)r->key_be);
	p ^= f->flip[(h ^ idx) & ((1u << k) - 1)];
	*port = (uint16_t)p;
	return 0;
}
