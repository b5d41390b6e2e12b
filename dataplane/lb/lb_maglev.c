/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_maglev.c - weighted Maglev lookup tables (Eisenbud et al., NSDI 2016).
 *
 * Each backend has a preference order over the M slots, a permutation
 * derived from its identity only: offset = h1(id) % M, skip = h2(id) % (M-1)
 * + 1, slot j = (offset + j * skip) % M (a full permutation because M is
 * prime).  Backends take turns claiming their next preferred free slot until
 * the table is full.  Because a backend's preferences do not depend on the
 * others, removing one mostly frees its own slots and the rest keep theirs:
 * that is the property the rebuild after a change relies on.
 *
 * Weights: a backend takes a turn when its credit reaches the largest
 * weight (credit += weight every round), so a backend of weight w takes
 * w / w_max of the turns: after r rounds exactly floor(r * w / w_max).
 * Summing over the n backends bounds r, and each backend ends with
 * M * w / W entries, off by less than max(2, 2 * n * w / W) (W: the sum of
 * the weights).  Turns are interleaved, so a heavy weight cannot starve the
 * others at the end of the fill.
 * A backend's turn pattern depends only on its weight and w_max, so
 * unrelated changes do not reshuffle it (unless w_max itself changes).
 */
#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include "lb.h"
#include "sk_prime.h"

#define MAGLEV_EMPTY 0xffffu
/* Two different hash functions with different seeds: offset and skip must
 * be independent or backends would share permutations. */
#define MAGLEV_SEED_OFFSET 0x5e6b1a9du
#define MAGLEV_SEED_SKIP   0x9c3f27e1u

struct sk_lb_maglev {
	uint32_t m;
	uint32_t n_eligible;
	uint16_t table[];
};

struct maglev_turn {
	uint32_t pos;     /* next preferred slot */
	uint32_t skip;
	uint32_t credit;
	uint32_t idx;     /* index in the caller's array */
};

static void
maglev_identity(const struct sk_lb_backend *b, uint8_t id[20])
{
	memset(id, 0, 20);
	memcpy(id, b->addr, 16);
	id[16] = (uint8_t)(b->port >> 8);
	id[17] = (uint8_t)b->port;
	id[18] = b->family;
}

int
sk_lb_maglev_fill(uint16_t *table, uint32_t m, const struct sk_lb_backend *be, uint32_t n)
{
	struct maglev_turn *t;
	uint32_t ne = 0, wmax = 0, filled = 0;

	if (table == NULL || (n > 0 && be == NULL) || n > SK_LB_MAGLEV_MAX_BACKENDS ||
	    m > SK_LB_MAGLEV_M_MAX || m <= n || !sk_is_prime(m))
		return -EINVAL;
	for (uint32_t i = 0; i < m; i++)
		table[i] = MAGLEV_EMPTY;
	for (uint32_t i = 0; i < n; i++)
		if (sk_lb_backend_eligible(&be[i]))
			ne++;
	if (ne == 0)
		return 0;

	t = rte_malloc("sk_lb_maglev_scratch", sizeof(*t) * ne, 0);
	if (t == NULL)
		return -ENOMEM;
	ne = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t id[20];

		if (!sk_lb_backend_eligible(&be[i]))
			continue;
		maglev_identity(&be[i], id);
		t[ne].pos = rte_jhash(id, sizeof(id), MAGLEV_SEED_OFFSET) % m;
		t[ne].skip = rte_hash_crc(id, sizeof(id), MAGLEV_SEED_SKIP) % (m - 1) + 1;
		t[ne].credit = 0;
		t[ne].idx = i;
		if (be[i].weight > wmax)
			wmax = be[i].weight;
		ne++;
	}

	/* Every round the heaviest backend takes a turn, so this terminates
	 * after at most m rounds; each claim walks a permutation of all m
	 * slots and the table is not full, so the inner walk terminates. */
	for (;;) {
		for (uint32_t k = 0; k < ne; k++) {
			struct maglev_turn *x = &t[k];

			x->credit += be[x->idx].weight;
			if (x->credit < wmax)
				continue;
			x->credit -= wmax;
			while (table[x->pos] != MAGLEV_EMPTY) {
				x->pos += x->skip;
				if (x->pos >= m)
					x->pos -= m;
			}
			table[x->pos] = (uint16_t)x->idx;
			if (++filled == m)
				goto done;
		}
	}
done:
	rte_free(t);
	return 0;
}

struct sk_lb_maglev *
sk_lb_maglev_create(const struct sk_lb_backend *be, uint32_t n, uint32_t m, int socket)
{
	struct sk_lb_maglev *t;
	int rc;

	if (m == 0)
		m = SK_LB_MAGLEV_M_DEFAULT;
	if (m > SK_LB_MAGLEV_M_MAX || m <= n || !sk_is_prime(m) || n > SK_LB_MAGLEV_MAX_BACKENDS) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sk_lb_maglev", sizeof(*t) + sizeof(t->table[0]) * m,
			       RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->m = m;
	rc = sk_lb_maglev_fill(t->table, m, be, n);
	if (rc < 0) {
		rte_free(t);
		rte_errno = -rc;
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		t->n_eligible += !!sk_lb_backend_eligible(&be[i]);
	return t;
}

void
sk_lb_maglev_free(struct sk_lb_maglev *t)
{
	rte_free(t);
}

uint32_t
sk_lb_maglev_lookup(const struct sk_lb_maglev *t, uint32_t h)
{
	uint16_t e = t->table[h % t->m];

	return e == MAGLEV_EMPTY ? SK_LB_NONE : e;
}

const uint16_t *
sk_lb_maglev_table(const struct sk_lb_maglev *t, uint32_t *m)
{
	if (m != NULL)
		*m = t->m;
	return t->table;
}
