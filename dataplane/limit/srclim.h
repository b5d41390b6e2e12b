/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * srclim.h - per-source limits of one worker: a new-connection token bucket
 * and a concurrent-connection count per source address, in a fixed-size
 * table allocated once (no allocation, lock or syscall on the hot path).
 *
 * Layout: a power-of-two number of 32-byte slots in 4-way buckets (two
 * cache lines per bucket), indexed by a seeded CRC of the address.  A source
 * without a slot takes a free way or recycles the way whose source holds no
 * connection and was seen longest ago (its bucket has refilled since, so
 * forgetting it loses nothing but a little of its burst).  A source whose
 * bucket is full of sources that all hold connections cannot be tracked:
 * it is let through and counted (untracked), never refused for lack of
 * room -- the half-open cap, not this table, is what holds a random-source
 * flood.
 *
 * The limits themselves (rate, burst, concurrent cap) are not stored: the
 * caller passes those of the rule that accepted the connection, so a commit
 * that changes them applies at the next new connection.  The bucket and the
 * count belong to the source, shared by all rules on this worker.
 *
 * Owned by one worker; not thread-safe.
 */
#ifndef SK_SRCLIM_H
#define SK_SRCLIM_H

#include <stdint.h>

#include "sk_drop.h"

#define SK_SRCLIM_WAYS 4

struct sk_srclim_slot {
	uint8_t addr[16];    /* network order; IPv4 in the first 4 bytes */
	uint32_t conns;      /* concurrent connections counted (SK_CONN_F_COUNTED) */
	uint32_t last_ms;    /* bucket refill clock; also "seen" for recycling */
	uint32_t tokens;     /* new-connection tokens, in 1/1000 */
	uint8_t family;      /* 0 = free slot, 4 or 6 */
	uint8_t pad[3];
};

struct sk_srclim_stats {
	uint64_t untracked;  /* new connections whose source found no slot: let through */
	uint64_t recycled;   /* slots given to a new source */
};

struct sk_srclim {
	struct sk_srclim_slot *slots;
	uint32_t mask;           /* bucket index mask (buckets - 1) */
	uint32_t seed;
	struct sk_srclim_stats st;
};

/* The limits that apply to one new connection (a rule's); 0 = no limit. */
struct sk_srclim_cfg {
	uint32_t rate;       /* new connections per second per source */
	uint32_t burst;      /* bucket depth (0: rate, at least 1) */
	uint32_t conn_max;   /* concurrent connections per source */
};

/* A table of at least n slots (rounded up to a power of two, >= 4 ways) on
 * NUMA socket `socket`; NULL with rte_errno (EINVAL, ENOMEM). */
struct sk_srclim *sk_srclim_create(uint32_t n, int socket);
void sk_srclim_free(struct sk_srclim *s);

/*
 * A new connection from (family, addr) at now_ms under cfg: SK_DROP_NONE
 * (a token was taken if cfg->rate), SK_DROP_SRC_RATE_LIMIT or
 * SK_DROP_SRC_CONN_LIMIT.  Does not count the connection: call
 * sk_srclim_conn_add() once it is in the table.
 */
enum sk_drop_reason sk_srclim_admit(struct sk_srclim *s, uint8_t family, const uint8_t *addr,
				    const struct sk_srclim_cfg *cfg, uint32_t now_ms)
	__attribute__((warn_unused_result));

/* Count one concurrent connection of the source: 0, or -ENOSPC (untracked:
 * the connection must not be flagged as counted). */
int sk_srclim_conn_add(struct sk_srclim *s, uint8_t family, const uint8_t *addr, uint32_t now_ms)
	__attribute__((warn_unused_result));
/* A counted connection of the source left (the conn table's release hook). */
void sk_srclim_conn_del(struct sk_srclim *s, uint8_t family, const uint8_t *addr);

/* The source's concurrent count (0 when it has no slot): tests, listings. */
uint32_t sk_srclim_conns(const struct sk_srclim *s, uint8_t family, const uint8_t *addr);

#endif /* SK_SRCLIM_H */
