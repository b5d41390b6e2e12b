/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.h - the neighbour cache (ARP for IPv4, ND for IPv6).
 *
 * One writer, many readers: only the main lcore adds, updates and deletes;
 * workers look up lock-free.  The table is an rte_hash with lock-free
 * read/write concurrency; an entry's MAC and state are packed in one 64-bit
 * word written with a single atomic store, so a reader never sees half an
 * update.  Deleted slots are reclaimed after an RCU (QSBR) grace period
 * that the workers report.
 *
 * Workers using a table created with a QSBR variable must be registered and
 * online on it and report quiescent states between bursts; an entry index a
 * lookup found is not reused before then.
 *
 * Timers (ms of the caller's clock, wrapping is fine), run by sk_neigh_tick:
 * - INCOMPLETE: sk_neigh_touch creates it (the caller sends probe 1); every
 *   retrans_ms another broadcast probe, up to `probes` in all; retrans_ms
 *   after the last one it becomes FAILED;
 * - FAILED: lookups get -EHOSTUNREACH for SK_NEIGH_FAILED_HOLD_MS, then the
 *   entry is deleted so that a later packet starts a new resolution (the hold
 *   keeps a dead host from being probed on every packet);
 * - REACHABLE: reachable_ms after the last confirmation (sk_neigh_update) it
 *   becomes STALE and gets a unicast probe to the known MAC;
 * - STALE: still used for forwarding; unicast re-probed every retrans_ms up
 *   to `probes` in all; retrans_ms after the last unanswered one it is
 *   deleted.  An update in between makes it REACHABLE again;
 * - STATIC: never changes; a learnt (REACHABLE) update does not override it.
 * When the probe array of a tick is full, entries that need a probe stay due
 * and are handled by the next tick.
 */
#ifndef SK_NEIGH_H
#define SK_NEIGH_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

struct sk_neigh;

/* How long a FAILED entry answers -EHOSTUNREACH before it is deleted. */
#define SK_NEIGH_FAILED_HOLD_MS 3000u

/* Longest table name: the hash derives its ring names from it. */
#define SK_NEIGH_NAME_MAX 15

enum sk_neigh_state {
	SK_NEIGH_INCOMPLETE = 0, /* probing, no MAC yet */
	SK_NEIGH_REACHABLE,      /* learnt, fresh */
	SK_NEIGH_STALE,          /* learnt, being re-probed; still used */
	SK_NEIGH_FAILED,         /* did not answer; packets are dropped */
	SK_NEIGH_STATIC,         /* from config, never expires */
};

/* What the main lcore's timer should do with an entry. */
struct sk_neigh_probe {
	uint16_t iface;
	uint8_t family;
	uint8_t ip[16];
	uint8_t unicast;             /* re-probe the known MAC (stale) */
	struct rte_ether_addr mac;   /* known MAC when unicast */
};

/*
 * max: entries (at least 1).  qs may be NULL (tests, tools with no concurrent
 * readers): deletes then free immediately.  Defaults: reachable 30000 ms,
 * retrans 1000 ms, 3 probes.  NULL + rte_errno on failure (EINVAL for a name
 * longer than SK_NEIGH_NAME_MAX, EEXIST for a name in use).
 */
struct sk_neigh *sk_neigh_create(const char *name, uint32_t max, struct rte_rcu_qsbr *qs,
				 int socket);
/* Free a table (NULL is a no-op) only once no worker can
 * read it: with RCU, after the workers went offline on qs. */
void sk_neigh_free(struct sk_neigh *n);

/* Timers, in ms of the caller's clock. */
void sk_neigh_set_timers(struct sk_neigh *n, uint32_t reachable_ms, uint32_t retrans_ms,
			 uint32_t probes);

/* Worker (any lcore): 0 with mac set if usable (REACHABLE, STALE, STATIC),
 * -EAGAIN if INCOMPLETE, -EHOSTUNREACH if FAILED, -ENOENT if absent. */
int sk_neigh_lookup(const struct sk_neigh *n, uint16_t iface, uint8_t family,
		    const uint8_t ip[16], struct rte_ether_addr *mac);

/* Main lcore only.  Learn or refresh (state REACHABLE or STATIC); -EINVAL
 * for another state, -ENOSPC when full. */
int sk_neigh_update(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16],
		    const struct rte_ether_addr *mac, enum sk_neigh_state st, uint32_t now_ms);

/* Main lcore only.  Create an INCOMPLETE entry if absent.  Returns 1 if created
 * (caller sends the first probe), 0 if it existed, -errno on failure. */
int sk_neigh_touch(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16],
		   uint32_t now_ms);

/* Main lcore only.  Advance timers: fill up to max probes to send, move
 * unanswered entries to FAILED, delete old FAILED/STALE ones.  Returns count. */
uint32_t sk_neigh_tick(struct sk_neigh *n, uint32_t now_ms, struct sk_neigh_probe *probes,
		       uint32_t max);

/* Main lcore only.  0, or -ENOENT. */
int sk_neigh_delete(struct sk_neigh *n, uint16_t iface, uint8_t family, const uint8_t ip[16]);
uint32_t sk_neigh_count(const struct sk_neigh *n);

/* Walk entries (main lcore). cb returns non-zero to stop. */
int sk_neigh_walk(const struct sk_neigh *n,
		  int (*cb)(uint16_t iface, uint8_t family, const uint8_t ip[16],
			    const struct rte_ether_addr *mac, enum sk_neigh_state st, void *arg),
		  void *arg);

#endif /* SK_NEIGH_H */
