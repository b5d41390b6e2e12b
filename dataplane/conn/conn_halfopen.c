/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_halfopen.c - half-open (embryonic) TCP connections of one table: how
 * many there are, and which are the oldest, so that a SYN flood cannot fill
 * the table with entries that will never complete.
 *
 * A connection is half-open while its timeout class is tcp_syn (SYN_SENT,
 * SYN_RECV).  Every connection entering that class pushes its slot onto a
 * FIFO ring sized to the table; nothing is removed from the ring when a
 * connection completes or goes, because that would need a search.  Instead
 * an entry is checked when it is popped: the slot must still hold a live
 * primary in the tcp_syn class, else the entry is stale and skipped.  A slot
 * reused by a newer half-open connection is evicted through its older entry:
 * still a half-open one, which is what is shed.  The ring holds as many
 * entries as the table has slots, so when it wraps the entry it overwrites
 * is older than every live connection's and almost surely stale.
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "conn/conn_priv.h"

/* Eviction per create: need + this many, so the table drains below the
 * mark under a flood instead of hovering on it. */
#define HO_EVICT_EXTRA 2
/* Stale entries one eviction may skip (completed connections leave theirs
 * behind): bounds the work per new connection while the table is near full. */
#define HO_SCAN_MAX 128

static inline int
ho_class(unsigned int cls)
{
	return cls == SK_TMO_TCP_SYN;
}

int
sk_conn_ho_init(struct sk_conn_table *t, int socket)
{
	uint32_t n = rte_align32pow2(t->n_slots);

	t->ho_ring = rte_zmalloc_socket("sk_conn_ho", (size_t)n * sizeof(uint32_t),
					RTE_CACHE_LINE_SIZE, socket);
	if (t->ho_ring == NULL)
		return -ENOMEM;
	t->ho_mask = n - 1;
	t->ho_head = t->ho_tail = 0;
	t->halfopen = 0;
	t->ho_high = UINT32_MAX;   /* off until sk_conn_set_halfopen_evict() */
	return 0;
}

void
sk_conn_ho_fini(struct sk_conn_table *t)
{
	rte_free(t->ho_ring);
	t->ho_ring = NULL;
}

void
sk_conn_ho_change(struct sk_conn_table *t, struct sk_conn *c, unsigned int old_cls,
		  unsigned int new_cls)
{
	int was = old_cls < SK_TMO__MAX && ho_class(old_cls) && c->proto == IPPROTO_TCP;
	int is = new_cls < SK_TMO__MAX && ho_class(new_cls) && c->proto == IPPROTO_TCP;

	if (was == is)
		return;
	if (was) {
		t->halfopen--;
		return;
	}
	t->halfopen++;
	if (t->ho_tail - t->ho_head > t->ho_mask)
		t->ho_head++;   /* full: forget the oldest entry (see the file comment) */
	t->ho_ring[t->ho_tail++ & t->ho_mask] = (uint32_t)(c - t->conns);
}

uint32_t
sk_conn_evict_halfopen(struct sk_conn_table *t, uint32_t n)
{
	uint32_t done = 0, scanned = 0;

	while (done < n && t->halfopen != 0 && t->ho_head != t->ho_tail &&
	       scanned < HO_SCAN_MAX + n) {
		struct sk_conn *c = &t->conns[t->ho_ring[t->ho_head++ & t->ho_mask]];

		scanned++;
		if ((c->flags & (SK_CONN_F_LIVE | SK_CONN_F_ALIAS)) != SK_CONN_F_LIVE ||
		    c->proto != IPPROTO_TCP || !ho_class(c->tmo_class))
			continue;   /* stale: completed, gone or reused */
		sk_conn_remove(t, c);
		done++;
	}
	t->st.evicted += done;
	return done;
}

void
sk_conn_ho_make_room(struct sk_conn_table *t, uint32_t need)
{
	if (likely(t->slots + need <= t->ho_high) || t->halfopen == 0)
		return;
	(void)sk_conn_evict_halfopen(t, need + HO_EVICT_EXTRA);
}

void
sk_conn_set_halfopen_evict(struct sk_conn_table *t, uint32_t high)
{
	t->ho_high = high != 0 && high < t->max ? high : UINT32_MAX;
}

uint32_t
sk_conn_halfopen(const struct sk_conn_table *t)
{
	return t->halfopen;
}
