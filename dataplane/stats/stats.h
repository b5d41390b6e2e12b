/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h - per-lcore counters, summed only when read.
 *
 * Each lcore (workers and the main lcore) writes its own cache-aligned
 * struct sk_stats_lcore with plain increments; readers (telemetry, the stats
 * file) sum all of them and accept that a sum taken while traffic flows is a
 * few packets stale.  No counter is written by two lcores.
 */
#ifndef SK_STATS_H
#define SK_STATS_H

#include <stdint.h>
#include <rte_common.h>
#include "sk_drop.h"
#include "sk_image.h"

/* Packets the unit generated or took for itself, by kind. */
#define SK_LOCAL_LIST(X) \
	X(ARP_REPLIES,  "arp_replies") \
	X(ARP_REQUESTS, "arp_requests") \
	X(ARP_LEARNT,   "arp_learnt") \
	X(ND_ADVERTS,   "nd_adverts") \
	X(ND_SOLICITS,  "nd_solicits") \
	X(ND_LEARNT,    "nd_learnt") \
	X(ECHO_REPLIES, "echo_replies") \
	X(ICMP_ERRORS,  "icmp_errors") \
	X(TCP_RESETS,   "tcp_resets") \
	X(NEIGH_QUEUED, "neigh_queued") \
	X(ERRORS_LIMITED, "errors_ratelimited") \
	X(LOG_DROPPED,  "log_dropped") \
	X(TX_FAILED,    "tx_failed")

enum sk_local_ctr {
#define SK_LOCAL_ENUM(e, n) SK_LOCAL_##e,
	SK_LOCAL_LIST(SK_LOCAL_ENUM)
#undef SK_LOCAL_ENUM
	SK_LOCAL__MAX
};

struct sk_stats_lcore {
	uint64_t drops[SK_DROP__MAX];
	uint64_t local[SK_LOCAL__MAX];
	uint64_t forwarded;    /* handed to a TX queue after forwarding */
	uint64_t consumed;     /* taken by the unit (ARP/ND, echo requests) */
	uint64_t frag_reassembled;
	uint64_t frag_fragmented;
	uint64_t frag_merged;  /* fragments absorbed into a reassembled datagram (all but one) */
	uint64_t busy_cycles;  /* TSC cycles spent on non-empty bursts */
	uint64_t busy_pkts;    /* packets in those bursts */
	uint64_t default_pkts; /* new flows decided by a zone default */
	uint64_t handoff_out;  /* handed to the worker that owns their flow (wlb.h) */
	uint64_t handoff_in;   /* taken over from other workers */
	uint64_t tap_in;       /* packets the unit's kernel sent through the health-check tap */
	uint64_t tap_out;      /* health-check replies given to the kernel */
	uint64_t tap_dropped;  /* of tap_in: not the unit's own routable IP packets */
} __rte_cache_aligned;

extern const char *const sk_local_names[SK_LOCAL__MAX];

/* Summed view of all lcores. */
struct sk_stats_sum {
	uint64_t drops[SK_DROP__MAX];
	uint64_t local[SK_LOCAL__MAX];
	uint64_t forwarded, consumed, frag_reassembled, frag_fragmented, frag_merged;
	uint64_t busy_cycles, busy_pkts, default_pkts;
	uint64_t handoff_out, handoff_in, tap_in, tap_out, tap_dropped;
};

void sk_stats_sum(const struct sk_stats_lcore *per, unsigned int n, struct sk_stats_sum *out);

static inline void
sk_stats_drop(struct sk_stats_lcore *s, enum sk_drop_reason reason)
{
	s->drops[reason]++;
}

#endif /* SK_STATS_H */
