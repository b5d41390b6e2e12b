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
 *
 * Thread safety: every function taking a struct sk_conn_table may only be
 * called by the table's owner (its worker), or while that worker is known to
 * be stopped.  The control plane asks the owner (ring message) for listings.
 * Pointers to struct sk_conn stay valid until the connection is deleted or
 * expired by that same owner, i.e. for the rest of the current burst.
 */
#ifndef SK_CONN_H
#define SK_CONN_H

#include <stdint.h>
#include <rte_common.h>
#include <rte_tcp.h>
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

/* struct sk_conn.fin_seen bits */
#define SK_CONN_FIN_ORIG        0x01  /* FIN seen from the originator */
#define SK_CONN_FIN_REPLY       0x02  /* FIN seen from the reply side */
#define SK_CONN_FIN_REPLY_FIRST 0x04  /* the reply side closed first */

/* struct sk_conn.flags bits */
#define SK_CONN_F_LIVE          0x01  /* slot holds a connection (table-owned) */
#define SK_CONN_F_ORIG_IS_A     0x02  /* the originator is endpoint a of the key */

/*
 * 48 bytes.  The key is not kept here: rte_hash stores it, and the slot of a
 * connection is its rte_hash position, so sk_conn_key_get() reads it back
 * (listing, sync) and sk_conn_delete() finds it from the pointer.  The
 * per-packet fields (everything but rule_id/gen/ifaces) are what
 * sk_conn_update() touches.
 *
 * pkts[] is 32 bits per direction (wraps after 4.29e9 packets of one
 * connection in one direction, i.e. 71 min of a single 1 Mpps flow); bytes[]
 * stays 64 bits.
 */
struct sk_conn {
	uint8_t proto;         /* IP protocol (the key's) */
	uint8_t state;         /* enum sk_tcp_state for TCP; for UDP/ICMP/other:
				* 0 = one-way so far, 1 = seen both directions */
	uint8_t fin_seen;      /* SK_CONN_FIN_* */
	uint8_t flags;         /* SK_CONN_F_* */
	uint16_t in_iface;     /* originator's ingress interface */
	uint16_t out_iface;    /* originator's egress interface */
	uint32_t rule_id;      /* rule that admitted it (0 = zone default) */
	uint32_t gen;          /* generation that admitted it */
	uint32_t last_ms;      /* worker clock (ms) of the last packet */
	uint32_t timeout_ms;   /* idle timeout for the current state */
	uint32_t pkts[2];      /* per direction (enum sk_conn_dir) */
	uint64_t bytes[2];
};

/* Table counters (monotonic except active). */
struct sk_conn_stats {
	uint64_t active;   /* connections in the table now */
	uint64_t created;
	uint64_t deleted;  /* by sk_conn_delete() */
	uint64_t expired;  /* by sk_conn_age() */
	uint64_t refused;  /* sk_conn_create() found the table full */
	uint64_t invalid;  /* packets sk_conn_update() refused (TCP_INVALID) */
};

/*
 * Create a table for max connections on NUMA socket `socket`.  name must be
 * unique in the process and at most 20 characters (rte_hash/ring names).
 * NULL with rte_errno on failure (EINVAL, ENOMEM, EEXIST).
 * Timeouts start at the SK_TIMEOUT_LIST defaults.
 */
struct sk_conn_table *sk_conn_table_create(const char *name, uint32_t max, int socket);
/* Free the table and every connection in it; NULL is a no-op. */
void sk_conn_table_free(struct sk_conn_table *t);

/*
 * Idle timeouts in seconds, indexed by enum sk_timeout (copied).  Values are
 * clamped to SK_CONN_TIMEOUT_MAX_S; 0 expires a connection at the first
 * aging pass after it has been idle for 1 ms.
 * Applies to connections as they next change state or see a packet.
 */
#define SK_CONN_TIMEOUT_MAX_S (7u * 24 * 3600)
void sk_conn_set_timeouts(struct sk_conn_table *t, const uint32_t timeouts[SK_TMO__MAX]);

/* Canonical key for a parsed packet; *src_is_a = 1 if the packet's source is endpoint a. */
void sk_conn_key_from_meta(const struct sk_pkt_meta *m, struct sk_conn_key *k, uint8_t *src_is_a);

/*
 * Bulk lookup (n <= RTE_HASH_LOOKUP_BULK_MAX = 64; more is served in chunks):
 * out[i] = connection or NULL.  Each hit's struct sk_conn is prefetched, so
 * that the sk_conn_update() calls that follow for the burst find it in cache
 * (at 1M connections it is otherwise one cache miss per packet).
 */
void sk_conn_lookup_burst(struct sk_conn_table *t, const struct sk_conn_key *keys, uint16_t n,
			  struct sk_conn *out[]);

/* Single lookup (control path, or re-lookup after sk_conn_create() gave EEXIST). */
struct sk_conn *sk_conn_lookup(struct sk_conn_table *t, const struct sk_conn_key *k);

/*
 * Create a connection for packet m (the originator) with key k and set its
 * first state from m: a TCP SYN without ACK gives SYN_SENT, any other TCP
 * packet ESTABLISHED (the caller decided on loose pickup), RST CLOSED.  The
 * creating packet is counted here (l2_len + ip_len bytes): do not pass it to
 * sk_conn_update() as well.
 * NULL with rte_errno = ENOSPC when the table is full (counted as refused),
 * EEXIST if k is already in the table.
 */
struct sk_conn *sk_conn_create(struct sk_conn_table *t, const struct sk_conn_key *k,
			       uint8_t src_is_a, const struct sk_pkt_meta *m,
			       uint32_t now_ms, uint32_t rule_id, uint32_t gen);

/* Direction of packet m on c, given src_is_a from sk_conn_key_from_meta. */
static inline enum sk_conn_dir
sk_conn_dir(const struct sk_conn *c, uint8_t src_is_a)
{
	return src_is_a == !!(c->flags & SK_CONN_F_ORIG_IS_A) ? SK_DIR_ORIG : SK_DIR_REPLY;
}

/*
 * Account packet m (pkt_len bytes) in direction dir and advance the state
 * machine.  Returns 0 to forward, or SK_DROP_TCP_INVALID: the packet is not
 * valid in the connection's state and must be dropped; the connection is
 * kept unchanged (not refreshed, not counted).
 */
__rte_warn_unused_result
int sk_conn_update(struct sk_conn_table *t, struct sk_conn *c, const struct sk_pkt_meta *m,
		   enum sk_conn_dir dir, uint32_t pkt_len, uint32_t now_ms);

/*
 * The key of live connection c (c from this table): 0, or -ENOENT if c is
 * not live.  Not for the per-packet path (it is a hash lookup).
 */
int sk_conn_key_get(const struct sk_conn_table *t, const struct sk_conn *c, struct sk_conn_key *k);

/* Remove c from the table (c is invalid afterwards). */
void sk_conn_delete(struct sk_conn_table *t, struct sk_conn *c);

/*
 * Expire idle connections among the next `budget` array slots (live or not),
 * continuing from where the previous call stopped; returns how many expired.
 * Every slot must be visited at least once per 2^31 ms (~24 days) because
 * idle time is a signed difference of the wrapping ms clock.
 */
uint32_t sk_conn_age(struct sk_conn_table *t, uint32_t now_ms, uint32_t budget);

uint32_t sk_conn_count(const struct sk_conn_table *t);
uint32_t sk_conn_capacity(const struct sk_conn_table *t);
void sk_conn_stats_get(const struct sk_conn_table *t, struct sk_conn_stats *st);

/*
 * Walk live connections in slot order (control use: listing, telemetry).
 * cb returns non-zero to stop; that value is returned.  cb must not create
 * or delete connections.
 */
int sk_conn_walk(struct sk_conn_table *t, int (*cb)(const struct sk_conn *c, void *arg), void *arg);

/* A TCP segment that may open a connection without loose pickup: SYN, no ACK. */
static inline int
sk_conn_tcp_is_syn(uint8_t tcp_flags)
{
	return (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
		RTE_TCP_SYN_FLAG;
}

/*
 * TCP state machine, pure: next state for tcp_flags seen in dir, or -1 if
 * the segment is invalid in st.  first_fin is the side whose FIN came first;
 * it is only read in LAST_ACK, where the state alone does not say whose ACK
 * completes the close.  st == NONE gives a new connection's first state
 * (loose pickup included).
 */
int sk_conn_tcp_next(enum sk_tcp_state st, uint8_t tcp_flags, enum sk_conn_dir dir,
		     enum sk_conn_dir first_fin);
const char *sk_conn_tcp_state_name(unsigned int st);

/*
 * Which idle timeout applies to a connection of IP protocol proto in state
 * (enum sk_tcp_state for TCP, 0/1 one-way/both-ways otherwise).  Pure.
 */
enum sk_timeout sk_conn_timeout_class(uint8_t proto, uint8_t state);

#endif /* SK_CONN_H */
