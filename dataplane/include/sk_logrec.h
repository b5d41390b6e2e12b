/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_logrec.h - dataplane log records: what a worker tells the control plane
 * about a packet (a denied packet of a rule with `log`, optionally a new
 * connection).  Workers copy records into one shared rte_ring (multi-producer,
 * single consumer: sekisho-cp) with rte_ring_mp_enqueue_elem; a full ring is
 * never waited for: the record is dropped and counted (local.log_dropped).
 */
#ifndef SK_LOGREC_H
#define SK_LOGREC_H

#include <stdint.h>

#define SK_LOG_RING_NAME "sk_log"
#define SK_LOG_RING_SIZE 16384      /* records; a power of two */

enum sk_log_kind {
	SK_LOG_DROP = 1,    /* dropped by a rule or a zone default with log */
	SK_LOG_REJECT = 2,  /* rejected (RST/ICMP sent) */
	SK_LOG_ACCEPT = 3,  /* new connection admitted by a rule with log */
};

struct sk_logrec {
	uint64_t ts;        /* TSC in the ring; Unix time in ns once sk_dplink_log_read returns it */
	uint32_t rule_id;   /* 0 = zone default */
	uint32_t generation;
	uint16_t in_iface;
	uint16_t out_iface;
	uint16_t in_zone;
	uint16_t out_zone;  /* SK_ZONE_LOCAL for the unit itself */
	uint16_t sport;
	uint16_t dport;
	uint16_t len;       /* packet length */
	uint8_t kind;       /* enum sk_log_kind */
	uint8_t family;     /* 4 or 6 */
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t src[16];
	uint8_t dst[16];
};

#endif /* SK_LOGREC_H */
