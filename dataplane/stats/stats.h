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
#include "sk_counters.h"
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
	X(TX_FAILED,    "tx_failed") \
	/* SYN proxy (synproxy/synproxy_dp.h) */ \
	X(SYNPROXY_SYNACKS, "synproxy_synacks")     /* cookie SYN-ACKs sent (no connection made) */ \
	X(SYNPROXY_OPENED, "synproxy_opened")       /* valid cookie ACKs: connection and SYN to the server */ \
	X(SYNPROXY_SERVER_ACKS, "synproxy_server_acks") /* server SYN-ACKs answered with the ACK */ \
	X(SYNPROXY_AUTO_ON, "synproxy_auto_on")     /* automatic mode engaged (per trigger edge) */

enum sk_local_ctr {
#define SK_LOCAL_ENUM(e, n) SK_LOCAL_##e,
	SK_LOCAL_LIST(SK_LOCAL_ENUM)
#undef SK_LOCAL_ENUM
	SK_LOCAL__MAX
};

struct sk_stats_lcore {
	uint64_t drops[SK_DROP__MAX];
	uint64_t local[SK_LOCAL__MAX];
	/* forwarded, consumed, ...: what each is, in sk_counters.h */
#define SK_COUNTER_FIELD(f, metric, help) uint64_t f;
	SK_COUNTER_LIST(SK_COUNTER_FIELD)
} __rte_cache_aligned;

extern const char *const sk_local_names[SK_LOCAL__MAX];

/* Summed view of all lcores. */
struct sk_stats_sum {
	uint64_t drops[SK_DROP__MAX];
	uint64_t local[SK_LOCAL__MAX];
	SK_COUNTER_LIST(SK_COUNTER_FIELD)
};
#undef SK_COUNTER_FIELD

void sk_stats_sum(const struct sk_stats_lcore *per, unsigned int n, struct sk_stats_sum *out);

static inline void
sk_stats_drop(struct sk_stats_lcore *s, enum sk_drop_reason reason)
{
	s->drops[reason]++;
}

#endif /* SK_STATS_H */
