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
 * NAT connections (the load balancer's) are findable under two keys: the
 * client's tuple (client <-> VIP), held by the connection itself (the
 * "primary"), and the backend-side tuple (backend <-> client for DNAT,
 * backend <-> SNAT source for full NAT), held by a second slot, the
 * "alias" (SK_CONN_F_ALIAS).  The two point at each other (link); the
 * connection's state and counters live in the primary only.
 *
 * Thread safety: every function taking a struct sk_conn_table may only be
 * called by the table's owner (its worker), or while that worker is known to
 * be stopped.  The control plane asks the owner (ring message) for listings.
 * Pointers to struct sk_conn stay valid until the connection is deleted or
 * expired by that same owner, i.e. for the rest of the current burst.
 */
#ifndef SK_CONN_H
#define SK_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <rte_common.h>
#include <rte_tcp.h>
#include "sk_drop.h"
#include "sk_pkt_meta.h"
#include "sk_image.h"
#include "sk_tcp_state.h"

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

/* TCP connection states: enum sk_tcp_state (sk_tcp_state.h). */

/* struct sk_conn.fin_seen bits */
#define SK_CONN_FIN_ORIG        0x01  /* FIN seen from the originator */
#define SK_CONN_FIN_REPLY       0x02  /* FIN seen from the reply side */
#define SK_CONN_FIN_REPLY_FIRST 0x04  /* the reply side closed first */

/* struct sk_conn.flags bits */
#define SK_CONN_F_LIVE          0x01  /* slot is in use (table-owned) */
#define SK_CONN_F_ORIG_IS_A     0x02  /* the originator is endpoint a of the key */
/*
 * The slot holds the backend-side key of a NAT connection, not a connection:
 * link is its primary's slot, rule_id an opaque tag (sk_conn_nat_tag), and
 * ORIG_IS_A says whether endpoint a of the alias key is the translated
 * originator (the side that is not the backend), so that sk_conn_dir() on
 * the alias gives ORIG towards the backend and REPLY for its answers.
 * Nothing else in an alias is meaningful (state, counters, gen are 0).
 */
#define SK_CONN_F_ALIAS         0x04
/*
 * The connection holds one unit of its originator's per-source concurrent
 * count (limit/srclim.h): the release hook is called for it even when it is
 * a plain connection, so that the count comes back exactly once.
 */
#define SK_CONN_F_COUNTED       0x80

/*
 * 64 bytes, one cache line, aligned: a lookup hit costs exactly one line
 * (sk_conn_lookup_burst prefetches it) and no connection straddles two.
 * The key is not kept here: rte_hash stores it, and the slot of a
 * connection is its rte_hash position, so sk_conn_key_ref()/sk_conn_key_get()
 * read it back (NAT addresses, listing, sync) and sk_conn_delete() finds it
 * from the pointer.  The per-packet fields (everything but
 * rule_id/gen/ifaces/nat/link) are what sk_conn_update() touches.
 *
 * The idle timeout is kept as its class (enum sk_timeout), not in ms: the
 * table holds the ms per class (sk_conn_timeout_ms()), so new timeouts from
 * a reload apply to every connection at once, and the field is one byte.
 *
 * pkts[] and bytes[] are 64 bits per direction: 32-bit packet counters
 * wrapped after 4.29e9 packets of one direction (71 min of one 1 Mpps
 * flow), and the listing, the API and an operator's billing read them as
 * totals.  Widening them took the entry from 48 to 56 bytes; it is padded
 * to the line (56 would make three of four entries straddle two lines).
 * The 8 bytes after them hold the SYN proxy's sequence delta and state.
 */
struct sk_conn {
	uint8_t proto;         /* IP protocol (the key's) */
	uint8_t state;         /* enum sk_tcp_state for TCP; for UDP/ICMP/other:
				* 0 = one-way so far, 1 = seen both directions */
	uint8_t fin_seen;      /* SK_CONN_FIN_* */
	uint8_t flags;         /* SK_CONN_F_* */
	uint8_t in_iface;      /* originator's ingress interface (< SK_MAX_IFACES) */
	uint8_t out_iface;     /* originator's egress interface */
	uint8_t tmo_class;     /* enum sk_timeout of the current state */
	uint8_t nat;           /* 0 = plain; else the caller's NAT mode (primary and alias) */
	uint32_t rule_id;      /* rule that admitted it (0 = zone default); alias: NAT tag */
	uint32_t gen;          /* generation that admitted it */
	uint32_t last_ms;      /* worker clock (ms) of the last packet */
	uint32_t link;         /* NAT: slot of the other half (primary <-> alias); plain: 0 */
	uint64_t pkts[2];      /* per direction (enum sk_conn_dir) */
	uint64_t bytes[2];
	/* SYN proxy (synproxy/synproxy_dp.h), set on both halves of a NAT
	 * connection; 0 for every other connection (create zeroes them). */
	uint32_t sp_delta;     /* SK_CONN_SP_SEQ: server ISN - cookie; SK_CONN_SP_PENDING: the cookie */
	uint16_t sp_win;       /* PENDING: the client's window, for the ACK to the server */
	uint8_t sp;            /* SK_CONN_SP_* */
	uint8_t sp_pad;
} __rte_cache_aligned;

/* struct sk_conn.sp: the SYN proxy's part in a connection. */
#define SK_CONN_SP_NONE    0  /* not proxied */
#define SK_CONN_SP_PENDING 1  /* cookie ACK seen, SYN sent to the server, no SYN-ACK yet */
#define SK_CONN_SP_SEQ     2  /* server answered: seq/ack translated by sp_delta */

/* The layout the comment above promises (what pahole would show). */
_Static_assert(sizeof(struct sk_conn) == RTE_CACHE_LINE_SIZE,
	       "struct sk_conn must be one cache line");
_Static_assert(_Alignof(struct sk_conn) == RTE_CACHE_LINE_SIZE,
	       "struct sk_conn must be cache-line aligned");
_Static_assert(offsetof(struct sk_conn, pkts) == 24 && offsetof(struct sk_conn, bytes) == 40,
	       "counters follow the 24-byte header, no hole");
_Static_assert(sizeof(((struct sk_conn *)0)->pkts[0]) == 8 &&
	       sizeof(((struct sk_conn *)0)->bytes[0]) == 8,
	       "per-connection counters are 64-bit");
_Static_assert(SK_MAX_IFACES <= 256, "interface ids are stored in a uint8_t");
_Static_assert(SK_TMO__MAX <= 256, "timeout classes are stored in a uint8_t");

/*
 * Table counters (monotonic except active).  They count connections: a NAT
 * connection (primary + alias) is one.
 */
struct sk_conn_stats {
	uint64_t active;   /* connections in the table now */
	uint64_t created;
	uint64_t deleted;  /* by sk_conn_delete() */
	uint64_t expired;  /* by sk_conn_age() */
	uint64_t refused;  /* sk_conn_create*() found the table full */
	uint64_t invalid;  /* packets sk_conn_update() refused (TCP_INVALID) */
	uint64_t evicted;  /* half-open connections evicted early (table near full) */
	uint64_t halfopen; /* half-open TCP connections now (derived, like active) */
};

/*
 * Create a table of max slots on NUMA socket `socket`: max plain
 * connections, or max / 2 NAT connections (each takes two slots), or a mix.
 * name must be unique in the process and at most 20 characters
 * (rte_hash/ring names).  NULL with rte_errno on failure (EINVAL, ENOMEM,
 * EEXIST).  Timeouts start at the SK_TIMEOUT_LIST defaults.
 */
struct sk_conn_table *sk_conn_table_create(const char *name, uint32_t max, int socket);
/* Free the table and every connection in it; NULL is a no-op. */
void sk_conn_table_free(struct sk_conn_table *t);

/*
 * Idle timeouts in seconds, indexed by enum sk_timeout (copied).  Values are
 * clamped to SK_CONN_TIMEOUT_MAX_S; 0 expires a connection at the first
 * aging pass after it has been idle for 1 ms.
 * Applies at once to every connection (they store their class, not the ms).
 */
#define SK_CONN_TIMEOUT_MAX_S (7u * 24 * 3600)
void sk_conn_set_timeouts(struct sk_conn_table *t, const uint32_t timeouts[SK_TMO__MAX]);

/* Idle timeout (ms) that applies to connection c now (listings). */
uint32_t sk_conn_timeout_ms(const struct sk_conn_table *t, const struct sk_conn *c);

/* Canonical key for a parsed packet; *src_is_a = 1 if the packet's source is endpoint a. */
void sk_conn_key_from_meta(const struct sk_pkt_meta *m, struct sk_conn_key *k, uint8_t *src_is_a);
/* The same from a tuple (addresses 16 bytes, network order; ports host
 * order): the key of a packet src -> dst, for tuples no packet carries
 * (a NAT connection's other half, a sync record). */
void sk_conn_key_from_tuple(uint8_t family, uint8_t proto, const uint8_t *src, uint16_t sport,
			    const uint8_t *dst, uint16_t dport, struct sk_conn_key *k,
			    uint8_t *src_is_a);

/*
 * Bulk lookup (n <= RTE_HASH_LOOKUP_BULK_MAX = 64; more is served in chunks):
 * out[i] = connection or NULL.  Each hit's struct sk_conn is prefetched, so
 * that the sk_conn_update() calls that follow for the burst find it in cache
 * (at 1M connections it is otherwise one cache miss per packet).
 * A hit may be a NAT alias (flags & SK_CONN_F_ALIAS): sk_conn_primary().
 */
void sk_conn_lookup_burst(struct sk_conn_table *t, const struct sk_conn_key *keys, uint16_t n,
			  struct sk_conn *out[]);

/*
 * Single lookup (control path, re-lookup after sk_conn_create() gave EEXIST,
 * a free full-NAT source port).  May return a NAT alias.
 */
struct sk_conn *sk_conn_lookup(struct sk_conn_table *t, const struct sk_conn_key *k);

/*
 * Create a connection for packet m (the originator) with key k and set its
 * first state from m: a TCP SYN without ACK gives SYN_SENT, any other TCP
 * packet ESTABLISHED (the caller decided on loose pickup), RST CLOSED.  The
 * creating packet is counted here (l2_len + ip_len bytes): do not pass it to
 * sk_conn_update() as well.
 * NULL with rte_errno = ENOSPC when no slot is free (counted as refused),
 * EEXIST if k is already in the table (sk_conn_lookup() then finds it; it
 * may be a NAT alias: sk_conn_dir() and sk_conn_update() accept one).
 */
struct sk_conn *sk_conn_create(struct sk_conn_table *t, const struct sk_conn_key *k,
			       uint8_t src_is_a, const struct sk_pkt_meta *m,
			       uint32_t now_ms, uint32_t rule_id, uint32_t gen);

/*
 * Create a NAT connection findable under two keys, atomically (both or
 * neither):
 *   k, src_is_a   the client's tuple, as for sk_conn_create (the primary);
 *   rk            the backend-side tuple (the alias);
 *   rk_orig_is_a  1 if endpoint a of rk is the translated originator (the
 *                 client for DNAT, the SNAT source for full NAT), i.e. not
 *                 the backend;
 *   m             the client's packet before translation (first state and
 *                 counters from it, as in sk_conn_create);
 *   nat           non-zero, opaque (e.g. forwarding mode + 1), kept in both;
 *   tag           opaque, kept in the alias (sk_conn_nat_tag).
 * It is one connection (active, created) in two slots.  Returns the
 * primary, or NULL with rte_errno = ENOSPC (fewer than two free slots;
 * counted as refused), EEXIST (k or rk already in the table, or k == rk),
 * EINVAL (nat == 0).  On failure the table is as it was.
 */
struct sk_conn *sk_conn_create_nat(struct sk_conn_table *t, const struct sk_conn_key *k,
				   uint8_t src_is_a, const struct sk_conn_key *rk,
				   uint8_t rk_orig_is_a, const struct sk_pkt_meta *m,
				   uint32_t now_ms, uint32_t rule_id, uint32_t gen, uint8_t nat,
				   uint32_t tag);

/* c itself for a connection, its primary for a NAT alias.  Hot path. */
struct sk_conn *sk_conn_primary(const struct sk_conn_table *t, struct sk_conn *c);

/* The alias of NAT primary p; NULL for a plain connection (or an alias).  Hot path. */
struct sk_conn *sk_conn_alias(const struct sk_conn_table *t, struct sk_conn *p);

/* The opaque tag of NAT alias a (sk_conn_create_nat's tag). */
static inline uint32_t
sk_conn_nat_tag(const struct sk_conn *a)
{
	return a->rule_id;
}

/* Re-tag alias a (a connection adopted by a new generation: its backend's new index). */
static inline void
sk_conn_nat_set_tag(struct sk_conn *a, uint32_t tag)
{
	a->rule_id = tag;
}

/*
 * Prefetch what a packet on NAT half c needs next: the other half's key
 * and, for an alias, its primary.  c itself must be in cache already (a hit
 * of sk_conn_lookup_burst); no-op for a plain connection.  Hot path.
 */
void sk_conn_prefetch_peer(const struct sk_conn_table *t, const struct sk_conn *c);

/*
 * Called for every NAT connection, and every plain one flagged
 * SK_CONN_F_COUNTED (alias NULL), just before it leaves the table (delete,
 * expiry, early eviction; not sk_conn_table_free), with both halves still
 * live and their keys readable.  Not called for other plain connections.
 * cb must not create or delete connections.  cb NULL: none.
 */
typedef void (*sk_conn_release_cb)(void *arg, const struct sk_conn *primary,
				   const struct sk_conn *alias);
void sk_conn_set_release(struct sk_conn_table *t, sk_conn_release_cb cb, void *arg);

/*
 * Half-open (embryonic) TCP connections: those in the tcp_syn timeout class
 * (SYN_SENT, SYN_RECV).  With a high-water mark set, sk_conn_create*() evict
 * the oldest of them, a few per create, while more than `high` slots are in
 * use, so that a SYN flood cannot fill the table; established connections
 * are never evicted.  Evictions are counted (stats.evicted) and go through
 * the release and notify hooks like an expiry.  high 0 (the default) or
 * >= the table's size: off, the table fills and refuses (ENOSPC) as before.
 */
#define SK_CONN_HALFOPEN_HIGH(max) ((max) - (max) / 16)
void sk_conn_set_halfopen_evict(struct sk_conn_table *t, uint32_t high);
uint32_t sk_conn_halfopen(const struct sk_conn_table *t);
/* Evict up to n of the oldest half-open connections now: how many went. */
uint32_t sk_conn_evict_halfopen(struct sk_conn_table *t, uint32_t n);

/*
 * Events for an observer of the table (HA connection sync): CREATE after a
 * connection (NAT: both halves) is in, CHANGE when a packet moved it to
 * another timeout class (ESTABLISHED, FIN, ...), GONE just before it leaves
 * (delete or expiry, both halves still readable).  Not called by
 * sk_conn_restore() and sk_conn_table_free().  Called with the primary; cb
 * must not create or delete connections.  cb NULL (the default): none, at
 * the cost of one predictable branch per event, none per packet.
 */
enum sk_conn_event { SK_CONN_EV_CREATE = 1, SK_CONN_EV_CHANGE = 2, SK_CONN_EV_GONE = 3 };
typedef void (*sk_conn_notify_cb)(void *arg, const struct sk_conn_table *t,
				  const struct sk_conn *primary, enum sk_conn_event ev);
void sk_conn_set_notify(struct sk_conn_table *t, sk_conn_notify_cb cb, void *arg);

/*
 * A connection as another unit had it (HA sync, sk_conn_restore()): keys,
 * state, timers relative to this table's clock (last_ms), generation and
 * rule, and for NAT the backend-side key and the tag (the running
 * generation's backend index).  Counters start at 0.
 */
struct sk_conn_restore {
	struct sk_conn_key k;      /* the client's (originator's) tuple */
	struct sk_conn_key rk;     /* NAT: the backend-side tuple */
	uint8_t src_is_a;          /* the originator is endpoint a of k */
	uint8_t rk_orig_is_a;      /* NAT: endpoint a of rk is the translated originator */
	uint8_t nat;               /* 0 plain, else the caller's NAT mode (as sk_conn_create_nat) */
	uint8_t state, fin_seen, tmo_class, in_iface, out_iface;
	uint32_t tag;              /* NAT: alias tag */
	uint32_t rule_id, gen, last_ms;
	uint8_t sp;                /* SK_CONN_SP_* (SYN proxy), sp_delta: as struct sk_conn */
	uint32_t sp_delta;
};

/*
 * Make the table hold r: update the connection under r->k in place when it
 * is the same connection (same NAT mode and backend-side key), else remove
 * whatever holds r->k or r->rk (the other unit is the truth: *removed
 * counts them) and insert r.  *created = 1 when a new entry was made.
 * 0, or -ENOSPC (table full, counted refused), -EINVAL (bad class/iface).
 * Owner only, like every call here.
 */
__rte_warn_unused_result
int sk_conn_restore(struct sk_conn_table *t, const struct sk_conn_restore *r,
		    struct sk_conn **out, int *created, uint32_t *removed);

/*
 * The live connection (a primary, never an alias) in slot i, or NULL;
 * i < sk_conn_slots_total(t).  For sweeps in slices (HA sync).
 */
struct sk_conn *sk_conn_slot_at(struct sk_conn_table *t, uint32_t i);
uint32_t sk_conn_slots_total(const struct sk_conn_table *t);
/* The slot i of c (a slot of t): sk_conn_slot_at(t, i) == c while c is a
 * live primary.  For per-slot marks kept beside the table (HA sync). */
uint32_t sk_conn_slot_index(const struct sk_conn_table *t, const struct sk_conn *c);

/*
 * Direction of packet m on c, given src_is_a from sk_conn_key_from_meta.
 * On a NAT alias: the direction on its connection (ORIG towards the backend).
 */
static inline enum sk_conn_dir
sk_conn_dir(const struct sk_conn *c, uint8_t src_is_a)
{
	return src_is_a == !!(c->flags & SK_CONN_F_ORIG_IS_A) ? SK_DIR_ORIG : SK_DIR_REPLY;
}

/*
 * Account packet m (pkt_len bytes) in direction dir and advance the state
 * machine.  Returns SK_DROP_NONE to forward, or SK_DROP_TCP_INVALID: the packet is not
 * valid in the connection's state and must be dropped; the connection is
 * kept unchanged (not refreshed, not counted).  c may be a NAT alias (dir
 * from sk_conn_dir on the alias): its primary is updated.
 */
__rte_warn_unused_result
enum sk_drop_reason sk_conn_update(struct sk_conn_table *t, struct sk_conn *c,
				   const struct sk_pkt_meta *m, enum sk_conn_dir dir,
				   uint32_t pkt_len, uint32_t now_ms);

/*
 * The key rte_hash stores for live slot c (a connection, NAT primary or
 * alias), read in place: no hash computation, no lookup.  Valid while c is
 * live; for a free slot the bytes are stale.  Hot path.
 */
const struct sk_conn_key *sk_conn_key_ref(const struct sk_conn_table *t, const struct sk_conn *c);

/* A copy of the key of live slot c: 0, or -ENOENT if c is not live. */
int sk_conn_key_get(const struct sk_conn_table *t, const struct sk_conn *c, struct sk_conn_key *k);

/*
 * Remove c from the table (c is invalid afterwards).  Either half of a NAT
 * connection removes both (after the release hook).
 */
void sk_conn_delete(struct sk_conn_table *t, struct sk_conn *c);

/*
 * Expire idle connections among the next `budget` array slots (live or not,
 * aliases included but skipped: a NAT connection expires by its primary,
 * which takes its alias along), continuing from where the previous call
 * stopped; returns how many connections expired.  Every slot must be
 * visited at least once per 2^31 ms (~24 days) because idle time is a
 * signed difference of the wrapping ms clock.
 */
uint32_t sk_conn_age(struct sk_conn_table *t, uint32_t now_ms, uint32_t budget);

/* Connections (a NAT connection is one), slots in use (it is two), slots in all. */
uint32_t sk_conn_count(const struct sk_conn_table *t);
uint32_t sk_conn_slots_used(const struct sk_conn_table *t);
uint32_t sk_conn_capacity(const struct sk_conn_table *t);
void sk_conn_stats_get(const struct sk_conn_table *t, struct sk_conn_stats *st);

/*
 * Walk live connections in slot order (control use: listing, telemetry);
 * NAT aliases are skipped, so each connection is seen once (as itself or
 * its primary).  cb returns non-zero to stop; that value is returned.  cb
 * may delete the connection it is given (and so its alias), no other, and
 * must not create any.
 */
int sk_conn_walk(struct sk_conn_table *t, int (*cb)(const struct sk_conn *c, void *arg), void *arg);

/*
 * The same walk in pieces, so that a worker never stalls on a big table
 * (listings, kills, bulk export): visits at most `budget` slots (live or
 * not) from *cursor (0 to start) and leaves in *cursor where to go on, or
 * SK_CONN_WALK_END once the last slot has been visited.  Returns cb's
 * non-zero value if it stopped the walk (*cursor is past that connection),
 * else 0.  Between two steps the owner may create and delete connections: a
 * connection that lives through the whole walk is seen exactly once, one
 * created or deleted meanwhile may or may not be.  cb rules as sk_conn_walk.
 */
#define SK_CONN_WALK_END UINT32_MAX
int sk_conn_walk_step(struct sk_conn_table *t, uint32_t *cursor, uint32_t budget,
		      int (*cb)(const struct sk_conn *c, void *arg), void *arg);

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
