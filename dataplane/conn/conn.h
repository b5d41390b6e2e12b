/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.h - the per-worker connection table (rte_hash) and connection state.
 *
 * One table per worker, read and written only by that worker: no locks, no
 * atomics.  A connection is stored once under a canonical key (lower
 * address/port endpoint first) so both directions find it with one lookup;
 * the packet's direction is derived by comparing with the originator.
 * Aging is incremental: sk_conn_age() looks at a bounded number of entries
 * per call, never the whole table.
 */
#ifndef SK_CONN_H
#define SK_CONN_H

#include <stdint.h>
#include "pkt_meta.h"
#include "sk_image.h"

struct sk_conn_table;

/* Canonical 5-tuple key: endpoint a is the lower of (addr, port). 40 bytes. */
struct sk_conn_key {
	uint8_t a[16];
	uint8_t b[16];
	uint16_t pa;    /* host order */
	uint16_t pb;
	uint8_t proto;
	uint8_t family;
	uint16_t pad;   /* always 0 */
};

enum sk_conn_dir {
	SK_DIR_ORIG = 0,  /* same direction as the packet that created it */
	SK_DIR_REPLY = 1,
};

/* TCP connection states (whole connection, as seen by the firewall). */
#define SK_TCP_STATE_LIST(X) \
	X(NONE,        "none") \
	X(SYN_SENT,    "syn_sent") \
	X(SYN_RECV,    "syn_recv") \
	X(ESTABLISHED, "established") \
	X(FIN_WAIT,    "fin_wait") \
	X(CLOSE_WAIT,  "close_wait") \
	X(LAST_ACK,    "last_ack") \
	X(TIME_WAIT,   "time_wait") \
	X(CLOSED,      "closed")

enum sk_tcp_state {
#define SK_TCP_ST_ENUM(e, n) SK_TCP_##e,
	SK_TCP_STATE_LIST(SK_TCP_ST_ENUM)
#undef SK_TCP_ST_ENUM
	SK_TCP__MAX
};

struct sk_conn {
	struct sk_conn_key key;
	uint8_t orig_is_a;     /* the originator is endpoint a of the key */
	uint8_t state;         /* enum sk_tcp_state for TCP; for UDP/ICMP/other:
				* 0 = one-way so far, 1 = seen both directions */
	uint8_t fin_seen;      /* bit0: FIN from orig, bit1: FIN from reply */
	uint8_t flags;
	uint16_t in_iface;     /* originator's ingress interface */
	uint16_t out_iface;    /* originator's egress interface */
	uint32_t rule_id;      /* rule that admitted it (0 = zone default) */
	uint32_t gen;          /* generation that admitted it */
	uint32_t last_ms;      /* worker clock (ms) of the last packet */
	uint32_t timeout_ms;   /* idle timeout for the current state */
	uint64_t pkts[2];      /* per direction */
	uint64_t bytes[2];
};

/* Create a table for max connections; NULL with rte_errno on failure. */
struct sk_conn_table *sk_conn_table_create(const char *name, uint32_t max, int socket);
void sk_conn_table_free(struct sk_conn_table *t);

/* Idle timeouts in seconds, indexed by enum sk_timeout (copied). */
void sk_conn_set_timeouts(struct sk_conn_table *t, const uint32_t timeouts[SK_TMO__MAX]);

/* Canonical key for a parsed packet; *dir_is_a = 1 if the packet's source is endpoint a. */
void sk_conn_key_from_meta(const struct sk_pkt_meta *m, struct sk_conn_key *k, uint8_t *src_is_a);

/* Bulk lookup (n <= 64): out[i] = connection or NULL. */
void sk_conn_lookup_burst(struct sk_conn_table *t, const struct sk_conn_key *keys, uint16_t n,
			  struct sk_conn *out[]);

/*
 * Create a connection for packet m (the originator) with key k.
 * NULL with rte_errno = ENOSPC when the table is full.
 */
struct sk_conn *sk_conn_create(struct sk_conn_table *t, const struct sk_conn_key *k,
			       uint8_t src_is_a, const struct sk_pkt_meta *m,
			       uint32_t now_ms, uint32_t rule_id, uint32_t gen);

/* Direction of packet m on c, given src_is_a from sk_conn_key_from_meta. */
static inline enum sk_conn_dir
sk_conn_dir(const struct sk_conn *c, uint8_t src_is_a)
{
	return src_is_a == c->orig_is_a ? SK_DIR_ORIG : SK_DIR_REPLY;
}

/*
 * Account packet m (pkt_len bytes) in direction dir and advance the state
 * machine.  Returns 0 to forward, or an enum sk_drop_reason (TCP_INVALID).
 */
int sk_conn_update(struct sk_conn_table *t, struct sk_conn *c, const struct sk_pkt_meta *m,
		   enum sk_conn_dir dir, uint32_t pkt_len, uint32_t now_ms);

void sk_conn_delete(struct sk_conn_table *t, struct sk_conn *c);

/* Expire idle connections among the next `budget` slots; returns how many expired. */
uint32_t sk_conn_age(struct sk_conn_table *t, uint32_t now_ms, uint32_t budget);

uint32_t sk_conn_count(const struct sk_conn_table *t);
uint32_t sk_conn_capacity(const struct sk_conn_table *t);

/* Walk live connections (control use: listing, telemetry). cb returns non-zero to stop. */
int sk_conn_walk(struct sk_conn_table *t, int (*cb)(const struct sk_conn *c, void *arg), void *arg);

/* TCP state machine, pure: next state for flags seen in dir, or -1 if invalid. */
int sk_conn_tcp_next(enum sk_tcp_state st, uint8_t tcp_flags, enum sk_conn_dir dir);
const char *sk_conn_tcp_state_name(unsigned int st);

#endif /* SK_CONN_H */
