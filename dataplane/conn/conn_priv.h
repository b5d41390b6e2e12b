/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_priv.h - the connection table's layout, shared by the files of the
 * conn module only.  Everything here is owned by one worker (see conn.h).
 */
#ifndef SK_CONN_PRIV_H
#define SK_CONN_PRIV_H

#include <stdint.h>
#include <rte_hash.h>

#include "conn/conn.h"

struct sk_conn_table {
	struct rte_hash *h;        /* canonical key -> position = slot index */
	struct sk_conn *conns;     /* n_slots; flags & SK_CONN_F_LIVE marks use */
	/*
	 * rte_hash's key store seen as an array indexed by position: the key
	 * of slot i is at key_base + i * key_stride (measured at creation,
	 * see key_store_probe()); key_stride 0 = unknown, ask rte_hash.
	 */
	const uint8_t *key_base;
	size_t key_stride;
	uint32_t n_slots;          /* rte_hash entries: max, at least one bucket */
	uint32_t max;              /* slots allowed in use (<= n_slots) */
	uint32_t count;            /* live connections (a NAT pair is one) */
	uint32_t slots;            /* live slots (a NAT pair is two) */
	uint32_t age_cursor;       /* next slot sk_conn_age() looks at */
	uint32_t tmo_ms[SK_TMO__MAX];
	sk_conn_release_cb release;
	void *release_arg;
	sk_conn_notify_cb notify;  /* NULL: nobody observes (standalone unit) */
	void *notify_arg;
	struct sk_conn_stats st;   /* .active is derived, see sk_conn_stats_get */
	/* Half-open (embryonic) TCP connections, conn_halfopen.c: how many,
	 * and a FIFO of their slots in creation order so the oldest can be
	 * evicted when the table nears full (entries may be stale: checked
	 * when popped). */
	uint32_t halfopen;
	uint32_t ho_high;          /* slots in use above which a create evicts */
	uint32_t *ho_ring;         /* ho_mask + 1 slot indices */
	uint32_t ho_mask;
	uint32_t ho_head, ho_tail; /* free-running */
};

/* First state and counters of a connection from its creating packet m. */
void sk_conn_state_first(struct sk_conn *c, const struct sk_pkt_meta *m, uint32_t now_ms);

/*
 * Put k into rte_hash and mark its slot live (flags = LIVE only): the slot
 * index, or -EEXIST (k is already in: a live slot), -ENOSPC (rte_hash full).
 * The caller fills the slot or gives it back with sk_conn_slot_put().
 */
int32_t sk_conn_slot_take(struct sk_conn_table *t, const struct sk_conn_key *k);
/* Take slot c's key out of rte_hash and mark the slot free. */
void sk_conn_slot_put(struct sk_conn_table *t, struct sk_conn *c);

/* Remove connection p (a primary) and its alias; release/notify hooks run. */
void sk_conn_remove(struct sk_conn_table *t, struct sk_conn *p);

/* conn_halfopen.c: allocate/free the half-open FIFO (0 or -ENOMEM). */
int sk_conn_ho_init(struct sk_conn_table *t, int socket);
void sk_conn_ho_fini(struct sk_conn_table *t);
/* c's timeout class changed from old_cls (SK_TMO__MAX: c is new; c's own
 * class SK_TMO__MAX: c leaves): keep the half-open count and FIFO right. */
void sk_conn_ho_change(struct sk_conn_table *t, struct sk_conn *c, unsigned int old_cls,
		       unsigned int new_cls);
/* Before a create that takes need slots: evict the oldest half-open
 * connections while the table is above its high-water mark. */
void sk_conn_ho_make_room(struct sk_conn_table *t, uint32_t need);

/* A new connection's fields in slot c (flags LIVE + ORIG_IS_A per src_is_a). */
void sk_conn_init(struct sk_conn *c, uint8_t proto, uint8_t src_is_a,
		  const struct sk_pkt_meta *m, uint32_t now_ms, uint32_t rule_id, uint32_t gen);

#endif /* SK_CONN_PRIV_H */
