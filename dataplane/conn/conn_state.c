/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_state.c - per-packet connection state: the first state of a new
 * connection, and sk_conn_update(), which glues the pure TCP state machine
 * (conn_tcp.c) to a stored connection, keeps its counters and picks its idle
 * timeout.  Hot path: no allocation, no logging.
 */
#include <netinet/in.h>

#include <rte_branch_prediction.h>

#include "conn/conn_priv.h"
#include "sk_drop.h"

void
sk_conn_state_first(struct sk_conn *c, const struct sk_pkt_meta *m, uint32_t now_ms)
{
	if (c->proto == IPPROTO_TCP)
		/* never -1: every first segment from the originator has a state */
		c->state = (uint8_t)sk_conn_tcp_next(SK_TCP_NONE, m->tcp_flags,
						     SK_DIR_ORIG, SK_DIR_ORIG);
	else
		c->state = 0;
	c->fin_seen = 0;
	c->pkts[SK_DIR_ORIG] = 1;
	c->bytes[SK_DIR_ORIG] = (uint64_t)m->l2_len + m->ip_len;
	c->last_ms = now_ms;
	c->tmo_class = (uint8_t)sk_conn_timeout_class(c->proto, c->state);
}

/* Remember who sent a FIN, and whether the reply side was first to close. */
static inline void
tcp_note_fin(struct sk_conn *c, enum sk_conn_dir dir)
{
	uint8_t bit = dir == SK_DIR_ORIG ? SK_CONN_FIN_ORIG : SK_CONN_FIN_REPLY;

	if (!(c->fin_seen & (SK_CONN_FIN_ORIG | SK_CONN_FIN_REPLY)) && dir == SK_DIR_REPLY)
		c->fin_seen |= SK_CONN_FIN_REPLY_FIRST;
	c->fin_seen |= bit;
}

enum sk_drop_reason
sk_conn_update(struct sk_conn_table *t, struct sk_conn *c, const struct sk_pkt_meta *m,
	       enum sk_conn_dir dir, uint32_t pkt_len, uint32_t now_ms)
{
	/* A NAT alias holds no state: its primary does (dir is already its). */
	if (unlikely(c->flags & SK_CONN_F_ALIAS))
		c = &t->conns[c->link];
	if (c->proto == IPPROTO_TCP) {
		enum sk_conn_dir first_fin = (c->fin_seen & SK_CONN_FIN_REPLY_FIRST) ?
			SK_DIR_REPLY : SK_DIR_ORIG;
		uint8_t prev = c->state;
		int next = sk_conn_tcp_next(prev, m->tcp_flags, dir, first_fin);

		if (unlikely(next < 0)) {
			t->st.invalid++;
			return SK_DROP_TCP_INVALID;
		}
		/* The same client reopening a closed connection starts afresh. */
		if (next == SK_TCP_SYN_SENT && prev != SK_TCP_SYN_SENT)
			c->fin_seen = 0;
		if ((m->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)) == RTE_TCP_FIN_FLAG)
			tcp_note_fin(c, dir);
		c->state = (uint8_t)next;
	} else if (dir == SK_DIR_REPLY) {
		c->state = 1;   /* seen both ways: the longer "stream" timeout */
	}
	c->pkts[dir]++;
	c->bytes[dir] += pkt_len;
	c->last_ms = now_ms;
	/* The class, not the ms: aging reads the table's ms, so a reload applies at once. */
	uint8_t cls = (uint8_t)sk_conn_timeout_class(c->proto, c->state);

	if (unlikely(cls != c->tmo_class)) {
		sk_conn_ho_change(t, c, c->tmo_class, cls);
		c->tmo_class = cls;
		/* A few times per connection: the HA peer's timer follows. */
		if (t->notify != NULL)
			t->notify(t->notify_arg, t, c, SK_CONN_EV_CHANGE);
	}
	return SK_DROP_NONE;
}
