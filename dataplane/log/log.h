/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h - the dataplane's half of logging: a worker turns a packet it decided
 * on (a rule or zone default with `log`) into a struct sk_logrec and drops it
 * into the shared log ring; sekisho-cp drains the ring and writes the lines.
 *
 * The ring is bounded (SK_LOG_RING_SIZE records) and never waited for: when
 * the control plane is slow or gone, records are dropped and the caller
 * counts them.  That is what keeps an attack from turning into back-pressure
 * on the forwarding path.
 */
#ifndef SK_LOG_H
#define SK_LOG_H

#include <stdint.h>
#include <rte_ring.h>

#include "sk_logrec.h"
#include "sk_pkt_meta.h"

/*
 * Create the log ring: SK_LOG_RING_NAME, SK_LOG_RING_SIZE slots of
 * sizeof(struct sk_logrec) bytes, multi-producer (every worker) / single
 * consumer (sekisho-cp, which looks it up by name as a secondary process).
 * One slot stays unused (rte_ring's rule), so it holds SK_LOG_RING_SIZE - 1
 * records.  Called once at dataplane start on the main lcore.
 * Returns the ring, or NULL with rte_errno set (EEXIST if it already exists).
 */
struct rte_ring *sk_log_ring_create(int socket_id);

/* Free the ring; NULL is a no-op.  Only when no worker emits any more. */
void sk_log_ring_free(struct rte_ring *ring);

/*
 * Fill a record from the packet's descriptor and the decision.  Pure: no
 * side effects, usable by tests and offline tools.
 */
void sk_log_fill(struct sk_logrec *rec, const struct sk_pkt_meta *pm, uint8_t kind,
		 uint32_t rule_id, uint32_t generation, uint16_t len, uint64_t tsc);

/*
 * Hot path: build a record (kind = enum sk_log_kind, rule_id 0 = zone
 * default, len = packet length, tsc = rte_rdtsc() at the decision) and copy
 * it into ring with rte_ring_mp_enqueue_elem.  Safe from any number of
 * workers at once; no allocation, no lock, no syscall, never blocks.
 * Returns 0, or -ENOBUFS when the ring is full: the record is gone and the
 * caller counts a drop (local.log_dropped).
 */
int sk_log_emit(struct rte_ring *ring, const struct sk_pkt_meta *pm, uint8_t kind,
		uint32_t rule_id, uint32_t generation, uint16_t len, uint64_t tsc);

#endif /* SK_LOG_H */
