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
	uint32_t n_slots;          /* rte_hash entries: max, at least one bucket */
	uint32_t max;              /* connections allowed (<= n_slots) */
	uint32_t count;            /* live connections */
	uint32_t age_cursor;       /* next slot sk_conn_age() looks at */
	uint32_t tmo_ms[SK_TMO__MAX];
	struct sk_conn_stats st;   /* .active is derived, see sk_conn_stats_get */
};

/* First state and counters of a connection from its creating packet m. */
void sk_conn_state_first(const struct sk_conn_table *t, struct sk_conn *c,
			 const struct sk_pkt_meta *m, uint32_t now_ms);

/* Idle timeout for c's protocol and current state. */
static inline uint32_t
sk_conn_tmo_ms(const struct sk_conn_table *t, const struct sk_conn *c)
{
	return t->tmo_ms[sk_conn_timeout_class(c->proto, c->state)];
}

#endif /* SK_CONN_PRIV_H */
